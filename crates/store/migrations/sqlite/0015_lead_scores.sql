-- Lead scores (stage 3's scoring run): one row per lead per scoring, never updated, so a
-- lead's newest row is where it stands now and the older ones are its history. The name,
-- address and company are copied from the prospect at scoring time so that the leads table
-- can be searched and sorted without reading every profile.
CREATE TABLE lead_scores (
    id           INTEGER PRIMARY KEY,
    contact_id   INTEGER NOT NULL,
    model_id     INTEGER NOT NULL,     -- the live model version that scored it
    score        INTEGER NOT NULL,
    probability  DOUBLE PRECISION NOT NULL,
    fit          INTEGER NOT NULL,     -- base points and fit terms
    engagement   INTEGER NOT NULL,     -- engagement terms: fit + engagement = score
    stage        TEXT NOT NULL,        -- outreach | nurture
    reasons      TEXT NOT NULL,        -- JSON: the top three terms with their bins and points
    name         TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    company      TEXT NOT NULL DEFAULT '',
    scored_at    INTEGER NOT NULL
);
CREATE INDEX lead_scores_by_contact ON lead_scores (contact_id, id);

-- A lead qualified for outreach under a model version: LeadQualified is emitted once per
-- lead and version, not on every rescore.
CREATE TABLE lead_qualifications (
    contact_id    INTEGER NOT NULL,
    model_id      INTEGER NOT NULL,
    qualified_at  INTEGER NOT NULL,
    PRIMARY KEY (contact_id, model_id)
);
