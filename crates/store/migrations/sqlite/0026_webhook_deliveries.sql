-- Stage 5: each handoff sent to a configured webhook (a team's CRM, n8n, Zapier, Slack),
-- with every attempt's outcome, so a person can read the log and send one again.
CREATE TABLE webhook_deliveries (
    id             INTEGER PRIMARY KEY,
    task_id        INTEGER NOT NULL REFERENCES handoff_tasks (id),
    url            TEXT NOT NULL,
    format         TEXT NOT NULL,        -- json | slack
    event          TEXT NOT NULL,        -- lead.routed, …
    body           TEXT NOT NULL,        -- exactly what is POSTed (and signed)
    status         TEXT NOT NULL,        -- pending | delivered | failed
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_status    INTEGER,                   -- the HTTP status of the last attempt
    last_error     TEXT,
    created_at     INTEGER NOT NULL,
    last_attempt_at INTEGER,
    delivered_at   INTEGER
);
CREATE INDEX webhook_deliveries_by_task ON webhook_deliveries (task_id);
