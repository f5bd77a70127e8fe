-- A merge that entity resolution would no longer make (its setup or the data changed since)
-- is questioned, never undone silently: a person undoes it or keeps it. A kept merge is not
-- questioned again.
ALTER TABLE merges ADD COLUMN questioned_at INTEGER;
ALTER TABLE merges ADD COLUMN questioned_reason TEXT;
ALTER TABLE merges ADD COLUMN kept_at INTEGER;
ALTER TABLE merges ADD COLUMN kept_by TEXT;
