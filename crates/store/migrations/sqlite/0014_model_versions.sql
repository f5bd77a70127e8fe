-- Scoring model versions (stage 3). A version is immutable once proposed: its artifact (the
-- points scorecard and what it was trained on) and its calibration report never change;
-- only its lifecycle status and the times of its transitions do. One version at most is
-- live; `replaced` names the version that was live when this one went live, which is what
-- `leadgate model restore` brings back.
CREATE TABLE model_versions (
    id            INTEGER PRIMARY KEY,
    version       TEXT NOT NULL UNIQUE,    -- m-20261204-ab12cd: the training date and a hash of the artifact
    origin        TEXT NOT NULL,           -- trained | rules
    status        TEXT NOT NULL,           -- draft | live | retired | rejected
    made_by       TEXT NOT NULL,           -- who trained or wrote it: never approves it
    made_at       INTEGER NOT NULL,
    artifact      TEXT NOT NULL,           -- JSON: the scorecard and its training summary
    report        TEXT NOT NULL,           -- JSON: the calibration report
    live_at       INTEGER,
    retired_at    INTEGER,
    replaced      INTEGER,
    reviews_done  INTEGER NOT NULL DEFAULT 0
);

-- What a gate's evidence warns of, in words (JSON array). A gate with warnings is approved
-- only with a written reason (core's gate rule).
ALTER TABLE gates ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
