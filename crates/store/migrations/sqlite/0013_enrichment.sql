-- Stage 3, enrichment: each run with its budget and what it spent, the ledger per provider,
-- every call that failed or was passed over and every value refused (with the reason, never
-- the body of the answer), and the cache: the last value each provider gave for each field
-- of each subject, or its remembered miss, so that nothing is bought twice within the TTL.
-- The facts found are stored as records of the contacts (`records`, source = the provider),
-- so the profile, the ICP and the freshness rule read them like any other source's.
-- Credits are kept in thousandths (core's `Credits`).
CREATE TABLE enrichment_runs (
    id           INTEGER PRIMARY KEY,
    actor        TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    budget       INTEGER,                 -- thousandths of a credit; NULL: no limit
    spent        INTEGER NOT NULL,        -- thousandths of a credit
    status       TEXT NOT NULL,           -- running | finished
    summary      TEXT NOT NULL            -- JSON: the ledger's totals
);

CREATE TABLE enrichment_ledger (
    run_id               INTEGER NOT NULL REFERENCES enrichment_runs(id),
    provider             TEXT NOT NULL,
    position             INTEGER NOT NULL,  -- the provider's place in the waterfall
    calls                INTEGER NOT NULL,
    requests             INTEGER NOT NULL,
    credits              INTEGER NOT NULL,  -- thousandths of a credit
    hits                 INTEGER NOT NULL,
    misses               INTEGER NOT NULL,
    failures             TEXT NOT NULL,     -- JSON object: failure kind → calls
    values_rejected      INTEGER NOT NULL,
    skipped_budget       INTEGER NOT NULL,
    skipped_recent_miss  INTEGER NOT NULL,
    skipped_refused      INTEGER NOT NULL,
    not_asked            INTEGER NOT NULL,
    refused              TEXT,              -- why the provider was no longer asked
    PRIMARY KEY (run_id, provider)
);

CREATE TABLE enrichment_problems (
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER NOT NULL REFERENCES enrichment_runs(id),
    subject   TEXT NOT NULL,              -- company:DOMAIN | contact:ID
    provider  TEXT NOT NULL,
    kind      TEXT NOT NULL,              -- a failure kind, `rejected` or `skipped_budget`
    fields    TEXT NOT NULL,              -- the fields asked, comma-separated
    status    INTEGER,                    -- the last HTTP status, when there was one
    reason    TEXT NOT NULL,              -- in words, at most 500 characters
    value     TEXT                        -- a refused value, cut short
);
CREATE INDEX enrichment_problems_by_run ON enrichment_problems (run_id, id);

CREATE TABLE enrichment_cache (
    subject      TEXT NOT NULL,           -- company:DOMAIN | contact:ID
    field        TEXT NOT NULL,
    provider     TEXT NOT NULL,
    value        TEXT,                    -- JSON in the field's shape; NULL: a miss
    observed_at  INTEGER NOT NULL,        -- when the provider observed it (or had nothing)
    run_id       INTEGER NOT NULL,
    PRIMARY KEY (subject, field, provider)
);
