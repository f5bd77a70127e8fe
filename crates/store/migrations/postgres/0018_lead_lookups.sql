-- Rescoring one lead after an event reads that lead's worth: its prospect rows by contact,
-- the leads an event names by address or company domain, and a domain's intent in a
-- window. Without these, each of those lookups scanned the table (prospects) or the whole
-- window of intent scores.
CREATE INDEX prospects_by_contact ON prospects (contact_id);
CREATE INDEX prospects_by_email ON prospects (email);
CREATE INDEX prospects_by_domain ON prospects (domain);
CREATE INDEX intent_scores_by_domain ON intent_scores (domain, at);
