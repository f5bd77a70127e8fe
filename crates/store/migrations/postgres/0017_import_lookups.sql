-- Rescoring after an import finds the leads the import touched by the import's id: without
-- these, each event's rescoring scanned every engagement and intent row.
CREATE INDEX engagement_by_import ON engagement (import_id);
CREATE INDEX intent_scores_by_import ON intent_scores (import_id);
