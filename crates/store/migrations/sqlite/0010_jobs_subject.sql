-- What a job works on (`discovery` for a whole-workspace run). A trigger for a subject whose
-- job of the same kind is still queued joins that job instead of queuing another.
ALTER TABLE jobs ADD COLUMN subject TEXT;
CREATE INDEX jobs_waiting ON jobs (kind, subject, state);
