-- Stage 2, discovery (PostgreSQL; the same tables as on SQLite). Every row of a source becomes a record: one observation of one contact
-- by one source at one time, whose facts (field → value) are kept whole. Contacts are the
-- resolved people; a record belongs to exactly one contact, and merges move records between
-- contacts, each merge with its evidence so that it can be explained and undone. Ids of these
-- tables are given by leadgate under the discovery lock, so bulk writes need no RETURNING.

-- One row, locked by every discovery write (imports, runs, merges and their undo), so that
-- they apply one after the other and ids can be handed out without a race.
CREATE TABLE discovery_lock (
    id  BIGINT PRIMARY KEY CHECK (id = 1)
);
INSERT INTO discovery_lock (id) VALUES (1);

CREATE TABLE imports (
    id            BIGINT PRIMARY KEY,
    source        TEXT NOT NULL,          -- the source's name: apollo, salesnav, hubspot, ...
    origin        TEXT NOT NULL,          -- the file as named, or the search that ran
    format        TEXT NOT NULL,          -- the preset or mapping that read it
    content_hash  TEXT NOT NULL,          -- SHA-256 of the bytes read
    imported_by   TEXT NOT NULL,
    at            BIGINT NOT NULL,
    rows_read     BIGINT NOT NULL,
    stored        BIGINT NOT NULL,       -- rows that became a new contact
    merged        BIGINT NOT NULL,       -- rows that joined a known contact (same e-mail, profile or source id)
    rejected      BIGINT NOT NULL,
    report        TEXT NOT NULL           -- JSON: the whole report, rejected rows with reasons
);

CREATE TABLE contacts (
    id           BIGINT PRIMARY KEY,
    status       TEXT NOT NULL,           -- active | merged
    merged_into  BIGINT,
    created_at   BIGINT NOT NULL
);

CREATE TABLE records (
    id                BIGINT PRIMARY KEY,
    import_id         BIGINT NOT NULL REFERENCES imports(id),
    contact_id        BIGINT NOT NULL REFERENCES contacts(id),
    source            TEXT NOT NULL,
    source_record_id  TEXT,
    row_number        BIGINT NOT NULL,
    observed_at       BIGINT NOT NULL,
    email             TEXT,               -- normalised: key matching, suppression, erasure
    linkedin          TEXT,               -- the profile's slug
    facts             TEXT NOT NULL       -- JSON object: field → value, with raw text and confidence
);
CREATE INDEX records_by_contact ON records (contact_id);
CREATE INDEX records_by_email ON records (email);

CREATE TABLE merges (
    id            BIGINT PRIMARY KEY,
    into_contact  BIGINT NOT NULL,
    from_contact  BIGINT,                -- the contact absorbed; NULL when a new row joined at import
    records       TEXT NOT NULL,          -- JSON array: the ids of the records that moved
    method        TEXT NOT NULL,          -- key (at import) | model (entity resolution)
    probability   DOUBLE PRECISION,
    explanation   TEXT NOT NULL,          -- JSON: the evidence
    actor         TEXT NOT NULL,
    at            BIGINT NOT NULL,
    undone_at     BIGINT,
    undone_by     TEXT
);
CREATE INDEX merges_by_into ON merges (into_contact);

-- Pairs of contacts a person said are different (by undoing their merge): never merged again.
CREATE TABLE cannot_link (
    a         BIGINT NOT NULL,
    b         BIGINT NOT NULL,
    merge_id  BIGINT NOT NULL,
    PRIMARY KEY (a, b)
);

CREATE TABLE suppressions (
    kind      TEXT NOT NULL,              -- email | domain | erasure (a hash: the address is gone)
    value     TEXT NOT NULL,
    reason    TEXT NOT NULL,
    added_by  TEXT NOT NULL,
    added_at  BIGINT NOT NULL,
    PRIMARY KEY (kind, value)
);

CREATE TABLE prospect_lists (
    id                BIGINT PRIMARY KEY,
    segment           TEXT NOT NULL,
    icp_version_id    BIGINT NOT NULL REFERENCES icp_versions(id),
    status            TEXT NOT NULL,      -- in_review | approved | rejected | superseded
    previous_list_id  BIGINT,
    created_at        BIGINT NOT NULL,
    summary           TEXT NOT NULL       -- JSON: counts, and the change against the previous list
);

CREATE TABLE prospects (
    list_id         BIGINT NOT NULL REFERENCES prospect_lists(id),
    contact_id      BIGINT NOT NULL,
    status          TEXT NOT NULL,        -- admitted | held | dropped
    primary_source  TEXT NOT NULL,
    profile         TEXT NOT NULL,        -- JSON: each field's value with its source and age
    evaluation      TEXT NOT NULL,        -- JSON: ICP criteria, freshness, compliance, reasons
    PRIMARY KEY (list_id, contact_id)
);

CREATE TABLE sample_items (
    gate_id     BIGINT NOT NULL REFERENCES gates(id),
    position    BIGINT NOT NULL,
    list_id     BIGINT NOT NULL,
    contact_id  BIGINT NOT NULL,
    stratum     TEXT NOT NULL,
    verdict     TEXT,                     -- match | no_match, once reviewed
    reason      TEXT,
    reviewer    TEXT,
    at          BIGINT,
    PRIMARY KEY (gate_id, position)
);
