-- A person who left is deactivated, never deleted: their past decisions stay in the audit
-- log under their name, and their sessions and API tokens stop working at once.
ALTER TABLE people ADD COLUMN deactivated_at BIGINT;
ALTER TABLE people ADD COLUMN deactivated_by TEXT;
