//! Replies read from the sending mailboxes over IMAP (`leadgate replies poll`). Each mailbox
//! with an `imap` section is read where its last read stopped (a UID cursor per mailbox
//! and folder, in the store); the first read starts the day before the mailbox first sent.
//! A mailbox holds all of a person's mail, so only messages that answer one of our e-mails
//! are kept ([`super::replies::receive_answer`]); the rest are left alone. Nothing in the
//! mailbox changes: it is opened read-only and nothing is marked read.
//!
//! The cursor moves past a message only once its reply is committed (or it was found to be
//! not ours, or not an e-mail at all): a poll stopped by a failure reads the rest next time,
//! and a message read twice acts once (replies are kept by Message-ID).

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use leadgate_connectors::imap::{self, Account, Cursor, Security};
use leadgate_store::Store;
use leadgate_store::outreach as stored;
use serde::Serialize;

use super::replies::{self, Received};
use crate::engine::settings::{MailboxConfig, OutreachConfig};
use crate::engine::{Error, Result};

/// The most messages one poll reads from one mailbox; the rest wait for the next.
pub const BATCH: usize = 200;

/// What one poll did with one mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Polled {
    pub mailbox: String,
    /// New messages in the folder.
    pub read: usize,
    /// The replies among them, with what each did.
    pub replies: Vec<Received>,
    /// Messages that answer no e-mail of ours: left alone.
    pub not_ours: usize,
    /// Messages that are not e-mails, with why.
    pub unreadable: Vec<String>,
    /// More new messages wait than one poll reads.
    pub more: bool,
    /// Why the mailbox could not be read (nothing else is then filled).
    pub error: Option<String>,
}

/// Reads every mailbox of `outreach` that has an `imap` section, its password looked up
/// through `secret` (the environment), at `now`. A mailbox that cannot be read (its
/// configuration, its server) says why and the others are still read; an error only when
/// the store fails.
pub async fn poll(
    store: &Store,
    outreach: &OutreachConfig,
    secret: &dyn Fn(&str) -> Option<String>,
    now: Timestamp,
) -> Result<Vec<Polled>> {
    let mut report = Vec::new();
    for mailbox in &outreach.mailboxes {
        if mailbox.imap.is_none() {
            continue;
        }
        let mut polled = Polled {
            mailbox: mailbox.address.clone(),
            read: 0,
            replies: Vec::new(),
            not_ours: 0,
            unreadable: Vec::new(),
            more: false,
            error: None,
        };
        poll_one(store, mailbox, secret, now, &mut polled).await?;
        report.push(polled);
    }
    Ok(report)
}

/// The IMAP account of a mailbox, or what in its configuration is wrong.
pub fn account(
    mailbox: &MailboxConfig,
    secret: &dyn Fn(&str) -> Option<String>,
) -> Result<Account> {
    let Some(config) = &mailbox.imap else {
        return Err(Error::Invalid(format!(
            "[[outreach.mailboxes]] {}: no imap section",
            mailbox.address
        )));
    };
    let security = match config.tls.as_str() {
        "tls" => Security::Tls,
        "none" => Security::Plain,
        other => {
            return Err(Error::Invalid(format!(
                "[[outreach.mailboxes]] {}: imap.tls = \"{other}\" is not tls or none",
                mailbox.address
            )));
        }
    };
    let password = secret(&config.password_env)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            Error::Invalid(format!(
                "[[outreach.mailboxes]] {}: the environment variable {} (imap.password_env) is not set",
                mailbox.address, config.password_env
            ))
        })?;
    Ok(Account {
        host: config.host.clone(),
        port: config.port,
        security,
        username: config
            .username
            .clone()
            .unwrap_or_else(|| mailbox.address.clone()),
        password,
        folder: config.folder.clone(),
        ca_file: config.ca_file.clone(),
        timeout: Duration::from_secs(config.timeout_seconds),
    })
}

async fn poll_one(
    store: &Store,
    mailbox: &MailboxConfig,
    secret: &dyn Fn(&str) -> Option<String>,
    now: Timestamp,
    polled: &mut Polled,
) -> Result<()> {
    let account = match account(mailbox, secret) {
        Ok(account) => account,
        Err(e) => {
            polled.error = Some(e.to_string());
            return Ok(());
        }
    };
    let (cursor, first_sent) = {
        let mut conn = store.conn().await?;
        let cursor = stored::mailbox_cursor(&mut conn, &mailbox.address, &account.folder)
            .await?
            .map(|(uid_validity, last_uid)| Cursor {
                uid_validity,
                last_uid,
            });
        (
            cursor,
            stored::first_sent_from(&mut conn, &mailbox.address).await?,
        )
    };
    // A day's margin: IMAP compares dates in the server's zone.
    let since = (first_sent.unwrap_or(now) - SignedDuration::from_hours(24))
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let batch = match imap::fetch(&account, cursor, since, BATCH).await {
        Ok(batch) => batch,
        Err(e) => {
            polled.error = Some(e.to_string());
            return Ok(());
        }
    };
    polled.read = batch.messages.len();
    polled.more = batch.more;
    let source = format!("imap:{}", mailbox.address);
    let mut last_done = None;
    let mut failure = None;
    for (uid, raw) in &batch.messages {
        match replies::receive_answer(store, raw, &source, now).await {
            Ok(Some(received)) => polled.replies.push(received),
            Ok(None) => polled.not_ours += 1,
            Err(Error::Invalid(why)) => polled.unreadable.push(format!("UID {uid}: {why}")),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        last_done = Some(*uid);
    }
    if let Some(last_uid) = last_done {
        let mut conn = store.conn().await?;
        stored::set_mailbox_cursor(
            &mut conn,
            &mailbox.address,
            &account.folder,
            batch.uid_validity,
            last_uid,
            now,
        )
        .await?;
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
