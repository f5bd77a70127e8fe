-- Stage 5: a lead handed to sales. Each task is one routing of one lead: to a rep, or to
-- the queue every rep sees (rep NULL); its SLA deadline in the rep's business time; the
-- routing's explanation and the lead's record as the rep gets them. One open task per lead;
-- one task per triggering event, so a trigger that runs twice hands the lead off once.
CREATE TABLE handoff_tasks (
    id               INTEGER PRIMARY KEY,
    contact_id       INTEGER NOT NULL,
    rep              TEXT,
    status           TEXT NOT NULL,        -- open | acknowledged
    class            TEXT NOT NULL,        -- mql | warm
    signal           TEXT NOT NULL,
    rule             TEXT,
    routing          TEXT NOT NULL,        -- JSON: the decision and its reasons
    record           TEXT NOT NULL,        -- JSON: source, score, engagement, last contact
    trigger_event    INTEGER NOT NULL UNIQUE,
    created_at       INTEGER NOT NULL,
    starts_at        INTEGER NOT NULL,
    due_at           INTEGER NOT NULL,
    remind_at        INTEGER NOT NULL,
    acknowledged_at  INTEGER,
    acknowledged_by  TEXT,
    ack_minutes      INTEGER                    -- business minutes from the start to the acknowledgement
);
CREATE UNIQUE INDEX handoff_tasks_one_open_per_lead ON handoff_tasks (contact_id) WHERE status = 'open';
CREATE INDEX handoff_tasks_by_rep ON handoff_tasks (rep, status);
