-- Stage 5: one-click acknowledge links, carried by the e-mail that tells a rep of a task. Only
-- the token's SHA-256 digest is kept; a link acknowledges its task as its rep, once, until
-- it expires.
CREATE TABLE ack_links (
    digest      TEXT PRIMARY KEY,
    task_id     BIGINT NOT NULL REFERENCES handoff_tasks(id),
    rep         TEXT NOT NULL,
    issued_at   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX ack_links_task ON ack_links (task_id);
