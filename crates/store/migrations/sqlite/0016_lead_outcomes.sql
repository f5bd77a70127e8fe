-- What happened to a lead after it was scored (stage 3's reviews read them; stage 5's
-- handoff records them too). Append-only: an outcome is never updated; the same kind on the
-- same day for the same lead is one outcome, so a re-imported CRM export records nothing
-- twice.
CREATE TABLE lead_outcomes (
    id            INTEGER PRIMARY KEY,
    contact_id    INTEGER NOT NULL,
    kind          TEXT NOT NULL,       -- meeting_booked | opportunity_opened | won | lost | disqualified
    occurred_on   TEXT NOT NULL,       -- the day it happened: YYYY-MM-DD
    amount_minor  INTEGER,              -- minor units of the currency (cents): 12500.50 EUR is 1250050
    currency      TEXT,                -- ISO 4217, with an amount only
    reason        TEXT NOT NULL DEFAULT '',  -- required for lost and disqualified
    source        TEXT NOT NULL,       -- person | crm_import
    source_file   TEXT,                -- a CRM import's file name
    source_row    INTEGER,              -- and its row (the header is row 1)
    recorded_by   TEXT NOT NULL,
    recorded_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX lead_outcomes_once ON lead_outcomes (contact_id, kind, occurred_on);

-- The evidence a model review gate was opened with: predicted against observed conversion
-- by score band (JSON, core::scoring::review::Evidence), kept with the gate it informs.
CREATE TABLE model_reviews (
    gate_id      INTEGER PRIMARY KEY,
    model_id     INTEGER NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',   -- why it opened early; empty on its date
    evidence     TEXT NOT NULL,
    computed_at  INTEGER NOT NULL
);
