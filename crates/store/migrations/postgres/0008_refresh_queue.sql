-- Contacts waiting for fresh data: facts older than the refresh age (stale), or a required
-- ICP criterion their facts cannot decide (needs_data). Each discovery run rewrites it,
-- keeping when a contact was first queued; enrichment (stage 3) takes from it.
CREATE TABLE refresh_queue (
    contact_id  BIGINT NOT NULL,
    reason      TEXT NOT NULL,          -- stale | needs_data
    detail      TEXT NOT NULL,          -- in words: how old, or the data it waits for
    queued_at   BIGINT NOT NULL,
    PRIMARY KEY (contact_id, reason)
);
