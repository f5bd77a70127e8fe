-- Stage 4's sending. DKIM keys leadgate generated for each sending domain (the private half
-- never leaves the store; `leadgate sender dns` prints the public half as a TXT record).
CREATE TABLE dkim_keys (
    domain       TEXT NOT NULL,
    selector     TEXT NOT NULL,
    private_pem  TEXT NOT NULL,
    public_b64   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (domain, selector)
);

-- The outbox: one row per touch of a lead's sequence, written and (for e-mail) signed when
-- it is queued, so that what is sent is exactly what was recorded. An e-mail is recorded
-- `sending` before the SMTP transaction and `sent` after it; one found `sending` after a
-- crash is `held` for a person, never resent blindly. The Message-ID is fixed at queueing.
CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    enrollment_id  INTEGER NOT NULL REFERENCES enrollments (id),
    contact_id     INTEGER NOT NULL,
    step           INTEGER NOT NULL,   -- from 1
    channel        TEXT NOT NULL,
    variant_id     INTEGER NOT NULL REFERENCES sequence_variants (id),
    digest         TEXT NOT NULL,      -- the variant text's digest it was written from
    message_id     TEXT NOT NULL UNIQUE,
    mailbox        TEXT,               -- the sending address (e-mail only)
    recipient      TEXT,               -- the prospect's address (e-mail only)
    subject        TEXT,
    body           TEXT NOT NULL,      -- the text as written (a task's text for other channels)
    eml            TEXT,               -- the signed message exactly as sent (e-mail only)
    status         TEXT NOT NULL,      -- queued | sending | sent | held | cancelled | failed | task
    due_at         INTEGER NOT NULL,
    queued_at      INTEGER NOT NULL,
    sending_at     INTEGER,
    sent_at        INTEGER,
    changed_at     INTEGER NOT NULL,  -- when the status last changed
    attempts       INTEGER NOT NULL DEFAULT 0,
    note           TEXT,               -- why it is held, cancelled or failed; who released it
    UNIQUE (enrollment_id, step)
);
CREATE INDEX outbox_by_status ON outbox (status, due_at);
CREATE INDEX outbox_by_mailbox ON outbox (mailbox, sent_at);
