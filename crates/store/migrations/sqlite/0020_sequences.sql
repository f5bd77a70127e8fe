-- Stage 4: sequences, their variants at the first-variant gate, and leads in them.
-- A sequence version never changes: its TOML as written is kept with its digest, and a
-- changed file is a new version of the same name.
CREATE TABLE sequences (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    version   INTEGER NOT NULL,
    source    TEXT NOT NULL,           -- the TOML as written
    origin    TEXT NOT NULL,           -- the file it was read from
    digest    TEXT NOT NULL,           -- SHA-256 of source
    author    TEXT NOT NULL,           -- who added it: never approves its variants
    added_at  INTEGER NOT NULL,
    UNIQUE (name, version)
);

-- One row per variant of a version (A and every other name its steps give a text).
-- `digest` covers everything the variant sends; an approval keeps the digest it approved.
CREATE TABLE sequence_variants (
    id               INTEGER PRIMARY KEY,
    sequence_id      INTEGER NOT NULL REFERENCES sequences (id),
    name             TEXT NOT NULL,
    digest           TEXT NOT NULL,
    status           TEXT NOT NULL,    -- waiting | in_review | approved | rejected
    gate_id          INTEGER,          -- its first-variant gate, once its first lead is written
    sample_contact   INTEGER,          -- the lead its first message was written for
    sample           TEXT,             -- JSON: that lead's messages as the reviewer sees them
    approved_digest  TEXT,
    decided_at       INTEGER,
    UNIQUE (sequence_id, name)
);

-- A lead's run through one variant of one sequence version. A lead is in one sequence at
-- a time; `steps` is its channel plan (the step numbers it gets, from 1).
CREATE TABLE enrollments (
    id           INTEGER PRIMARY KEY,
    contact_id   INTEGER NOT NULL,
    sequence_id  INTEGER NOT NULL REFERENCES sequences (id),
    variant_id   INTEGER NOT NULL REFERENCES sequence_variants (id),
    steps        TEXT NOT NULL,
    status       TEXT NOT NULL,        -- active | stopped | finished
    enrolled_by  TEXT NOT NULL,
    enrolled_at  INTEGER NOT NULL,
    stop_reason  TEXT,
    stopped_at   INTEGER
);
CREATE UNIQUE INDEX enrollments_one_active_per_lead ON enrollments (contact_id) WHERE status = 'active';
CREATE INDEX enrollments_by_variant ON enrollments (variant_id, status);
