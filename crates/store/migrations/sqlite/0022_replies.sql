-- Stage 4: replies to outreach, as read from a mailbox, a file or the inbound webhook.
-- Each is kept once (by its own Message-ID, or a digest of its bytes when it has none) with
-- its kind, the evidence that decided it, the message it answers when found, and what it
-- did, in words.
CREATE TABLE replies (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT NOT NULL UNIQUE,
    received_at  INTEGER NOT NULL,
    source       TEXT NOT NULL,
    from_address TEXT,
    kind         TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    outbox_id    INTEGER,
    contact_id   INTEGER,
    own_text     TEXT NOT NULL,
    effects      TEXT NOT NULL
);
CREATE INDEX replies_by_contact ON replies (contact_id);
CREATE INDEX outbox_by_recipient ON outbox (recipient, sent_at);
