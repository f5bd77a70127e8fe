-- leadgate schema, SQLite. Times are microseconds since the Unix epoch (UTC) in INTEGER
-- columns, JSON is TEXT: the same representation as on PostgreSQL, so both backends run the
-- same queries and behave the same.

CREATE TABLE people (
    name        TEXT PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE,
    roles       TEXT NOT NULL,            -- comma-separated, sorted: "marketing_lead,sales_lead"
    created_at  INTEGER NOT NULL
);

CREATE TABLE icp_versions (
    id             INTEGER PRIMARY KEY,
    segment        TEXT NOT NULL,
    version        INTEGER NOT NULL,
    status         TEXT NOT NULL,         -- proposed | live | superseded | rejected | withdrawn
    source_text    TEXT NOT NULL,         -- the TOML as proposed, comments and all
    document       TEXT NOT NULL,         -- the parsed document as JSON
    content_hash   TEXT NOT NULL,
    proposed_by    TEXT NOT NULL,
    proposed_at    INTEGER NOT NULL,
    live_at        INTEGER,
    reviewed_at    INTEGER,               -- last quarterly review that reaffirmed it
    closed_at      INTEGER,               -- superseded, rejected or withdrawn
    superseded_by  INTEGER REFERENCES icp_versions(id),
    UNIQUE (segment, version)
);
CREATE UNIQUE INDEX icp_one_live_per_segment ON icp_versions (segment) WHERE status = 'live';

CREATE TABLE gates (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,        -- "icp:3"
    status          TEXT NOT NULL,        -- open | approved | rejected | cancelled
    required_roles  TEXT NOT NULL,        -- comma-separated, in the gate's order
    summary         TEXT NOT NULL,        -- one line for inboxes
    opened_at       INTEGER NOT NULL,
    closed_at       INTEGER
);
CREATE UNIQUE INDEX gates_one_open_per_subject ON gates (kind, subject) WHERE status = 'open';
CREATE INDEX gates_by_status ON gates (status, opened_at);

CREATE TABLE gate_decisions (
    id       INTEGER PRIMARY KEY,
    gate_id  INTEGER NOT NULL REFERENCES gates(id),
    person   TEXT NOT NULL,
    role     TEXT NOT NULL,
    verdict  TEXT NOT NULL,               -- approve | reject
    note     TEXT,
    at       INTEGER NOT NULL,
    UNIQUE (gate_id, person)
);

CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,
    subject  TEXT NOT NULL,
    payload  TEXT NOT NULL,
    at       INTEGER NOT NULL
);

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL,       -- queued | running | done | dead
    attempts         INTEGER NOT NULL DEFAULT 0,
    run_at           INTEGER NOT NULL,
    locked_by        TEXT,
    locked_until     INTEGER,
    last_error       TEXT,
    event_id         INTEGER REFERENCES events(id),
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER
);
CREATE INDEX jobs_ready ON jobs (state, run_at, id);

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    actor_kind  TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    inputs      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_by_subject ON audit_log (subject, seq);

-- The chain's head: the last entry's seq and hash. Appending locks this row, which orders
-- concurrent appenders, and verification checks that the chain reaches it.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
