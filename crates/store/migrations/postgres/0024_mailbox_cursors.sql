-- Stage 4: how far each mailbox folder has been read over IMAP. UIDs only grow while the
-- folder's UIDVALIDITY stays the same; when the server changes it, the folder is read again
-- from the date kept (replies are kept once by Message-ID, so nothing acts twice).
CREATE TABLE mailbox_cursors (
    mailbox       TEXT NOT NULL,
    folder        TEXT NOT NULL,
    uid_validity  BIGINT NOT NULL,
    last_uid      BIGINT NOT NULL,
    polled_at     BIGINT NOT NULL,
    PRIMARY KEY (mailbox, folder)
);
