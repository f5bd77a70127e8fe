-- Authentication, SQLite: passwords, one-time sign-in links, browser sessions and API tokens.
-- Secrets are never stored: a password as its argon2 PHC string, every random secret (link,
-- session id, API token) as the hex SHA-256 of its text. Times as in 0001: microseconds.

CREATE TABLE passwords (
    person         TEXT PRIMARY KEY REFERENCES people(name),
    password_hash  TEXT NOT NULL,            -- argon2id PHC string
    set_at         INTEGER NOT NULL
);

CREATE TABLE sign_in_links (
    token_hash  TEXT PRIMARY KEY,
    person      TEXT NOT NULL REFERENCES people(name),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,
    person      TEXT NOT NULL REFERENCES people(name),
    csrf_token  TEXT NOT NULL,               -- sent with every state-changing request
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_person ON sessions (person);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    person        TEXT NOT NULL REFERENCES people(name),
    label         TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,                   -- set at most once a day (the first use is audited)
    revoked_at    INTEGER
);
