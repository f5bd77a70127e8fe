-- What a job works on (`discovery` for a whole-workspace run). A trigger for a subject whose
-- job of the same kind is still queued joins that job instead of queuing another.
ALTER TABLE jobs ADD COLUMN subject TEXT;
CREATE INDEX jobs_waiting ON jobs (kind, subject, state);

-- A note, no change: prospects.status holds core's Standing (admitted | needs_data |
-- dropped), as the store decodes it; the comment in 0003 names `held`, which no version
-- ever wrote, and applied migrations are not edited.
