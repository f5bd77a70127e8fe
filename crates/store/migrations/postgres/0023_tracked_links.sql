-- Stage 4: the links of sent e-mails, each behind the server's redirect (/r/TOKEN) so that
-- a click becomes engagement. The token is random and names one link of one message.
CREATE TABLE tracked_links (
    token       TEXT PRIMARY KEY,
    message_id  TEXT NOT NULL,
    email       TEXT NOT NULL,
    url         TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
