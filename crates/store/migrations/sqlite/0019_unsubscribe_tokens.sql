-- One-click unsubscribe (RFC 8058): each message's link carries a random token; only its
-- SHA-256 digest is kept, with the address it unsubscribes and how long it works.
CREATE TABLE unsubscribe_tokens (
    digest      TEXT PRIMARY KEY,
    email       TEXT NOT NULL,
    issued_at   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
