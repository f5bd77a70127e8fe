-- Behavioural and intent signals (core's engagement module): what people did on our own
-- properties, and third-party intent scores per company domain. Not to be confused with
-- `events`, the domain events that start the engine's jobs. Each batch (a file, or one API
-- call) is an engagement import with its report. A record seen again (same time, kind,
-- person, account, URL and detail; for intent: domain, topic and time) is not stored twice,
-- so importing a file again changes nothing; repeats at other times are kept and counted.
CREATE TABLE engagement_imports (
    id           INTEGER PRIMARY KEY,
    origin       TEXT NOT NULL,          -- the file as named, or `api`
    imported_by  TEXT NOT NULL,
    at           INTEGER NOT NULL,
    rows_read    INTEGER NOT NULL,
    stored       INTEGER NOT NULL,
    duplicates   INTEGER NOT NULL,          -- rows already stored
    rejected     INTEGER NOT NULL,
    report       TEXT NOT NULL           -- JSON: the whole report, rejected rows with reasons
);

CREATE TABLE engagement (
    id         INTEGER PRIMARY KEY,
    import_id  INTEGER NOT NULL REFERENCES engagement_imports(id),
    kind       TEXT NOT NULL,            -- page_view, email_open, ... (core's EngagementKind)
    email      TEXT NOT NULL DEFAULT '', -- normalised; '' for an anonymous visit
    domain     TEXT NOT NULL DEFAULT '', -- the account's registrable domain, or ''
    url        TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    at         INTEGER NOT NULL,
    UNIQUE (at, kind, email, domain, url, detail)
);
CREATE INDEX engagement_by_email ON engagement (email, at);
CREATE INDEX engagement_by_domain ON engagement (domain, at);

CREATE TABLE intent_scores (
    id         INTEGER PRIMARY KEY,
    import_id  INTEGER NOT NULL REFERENCES engagement_imports(id),
    domain     TEXT NOT NULL,
    topic      TEXT NOT NULL,
    score      INTEGER NOT NULL,            -- 0 to 100
    at         INTEGER NOT NULL,
    UNIQUE (domain, topic, at)
);
CREATE INDEX intent_scores_by_at ON intent_scores (at);
