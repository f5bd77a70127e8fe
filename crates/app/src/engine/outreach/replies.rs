//! Replies: each inbound message — from a mailbox, a file, or the inbound webhook — is read
//! once ([`leadgate_core::outreach::reply::classify`]), matched to the e-mail it answers (by
//! its `In-Reply-To`/`References`, a bounce by the returned message's id, else by the
//! address last written to), and has its effects in one transaction:
//!
//! - a hard bounce suppresses the address (on the mail system's word) and stops the lead's
//!   sequence; a soft bounce changes nothing (the relay retries);
//! - an automatic reply (out of office) changes nothing: the sequence goes on;
//! - an opt-out in words suppresses the address at once and stops the sequence;
//! - any other reply is a person's — interest, no, a referral, or one nobody can classify —
//!   and stops the sequence, so nobody gets a follow-up after answering; interest emits
//!   `PositiveReply` for the handoff stage.
//!
//! A reply read twice (a webhook retried, a mailbox fetched again) is kept once and acts
//! once.

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Subject};
use leadgate_core::discovery::normalize::Email;
use leadgate_core::event::EventKind;
use leadgate_core::outreach::enrollment::EnrollmentStatus;
use leadgate_core::outreach::reply::{self, ReplyKind};
use leadgate_store::Store;
use leadgate_store::outreach::{self as stored, OutboxRow, StoredReply};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::engine::discovery::suppress;
use crate::engine::{Conn, Error, Result, emit, record};

/// What reading one reply did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Received {
    #[serde(flatten)]
    pub reply: StoredReply,
    /// True when this reply had been read before: nothing was done again.
    pub seen_before: bool,
}

/// Reads one raw message received from `source` (`file`, `webhook`, `imap:ADDRESS`) at
/// `now`, keeps it, and has its effects. An error only when the bytes are not an e-mail.
pub async fn receive(store: &Store, raw: &[u8], source: &str, now: Timestamp) -> Result<Received> {
    receive_as(store, raw, source, Keep::Everything, now)
        .await?
        .ok_or_else(|| Error::corrupt("a reply kept nothing".to_string()))
}

/// Like [`receive`], for a message read from a person's mailbox, which holds all their mail:
/// one that answers no e-mail of ours is left alone (`None`), neither kept nor acted on.
pub async fn receive_answer(
    store: &Store,
    raw: &[u8],
    source: &str,
    now: Timestamp,
) -> Result<Option<Received>> {
    receive_as(store, raw, source, Keep::Answers, now).await
}

/// Which messages a source's replies are kept of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Files and the webhook carry replies only: each is kept, matched or not.
    Everything,
    /// A mailbox carries everything: only answers to our e-mails are kept.
    Answers,
}

async fn receive_as(
    store: &Store,
    raw: &[u8],
    source: &str,
    keep: Keep,
    now: Timestamp,
) -> Result<Option<Received>> {
    let read = reply::classify(raw).map_err(|e| Error::Invalid(format!("{source}: {e}")))?;
    let message_id = read
        .message_id
        .clone()
        .unwrap_or_else(|| format!("sha256:{}", hex::encode(Sha256::digest(raw))));
    let mut tx = store.begin().await?;
    if let Some(kept) = stored::reply_by_message_id(&mut tx, &message_id).await? {
        return Ok(Some(Received {
            reply: kept,
            seen_before: true,
        }));
    }
    let answered = answered(&mut tx, &read).await?;
    if answered.is_none() && keep == Keep::Answers {
        tx.rollback().await?;
        return Ok(None);
    }
    let lead = answered.as_ref().map(|r| r.contact_id);
    let recipient = answered
        .as_ref()
        .and_then(|r| r.recipient.as_deref())
        .and_then(|r| Email::parse(r).ok());
    let mut effects = Vec::new();
    match read.kind {
        ReplyKind::BounceHard => {
            let bounced = read
                .bounce
                .as_ref()
                .and_then(|b| b.recipient.clone())
                .or(recipient.clone());
            if let Some(address) = &bounced {
                let status = read.bounce.as_ref().map_or("5.x.x", |b| b.status.as_str());
                let reason = format!("hard bounce ({status})");
                suppress::add_by_system(&mut tx, address, &reason, "the mail system", now).await?;
                effects.push(format!(
                    "the address will not work again ({status}): suppressed"
                ));
            }
            stop(
                &mut tx,
                answered.as_ref(),
                "the address bounced for good",
                now,
                &mut effects,
            )
            .await?;
        }
        ReplyKind::BounceSoft => {
            effects.push("a soft bounce: the relay tries again; nothing changes".to_string())
        }
        ReplyKind::AutoReply => {
            effects.push("an automatic reply: the sequence goes on".to_string());
        }
        ReplyKind::OptOut => {
            let mut suppressed = Vec::new();
            for address in [recipient.clone(), read.from.clone()].into_iter().flatten() {
                if suppressed.contains(&address) {
                    continue;
                }
                suppress::add_requested(&mut tx, &address, "replied asking to hear no more", now)
                    .await?;
                suppressed.push(address);
            }
            if !suppressed.is_empty() {
                effects.push("asked to hear no more: the address is suppressed".to_string());
            }
            stop(
                &mut tx,
                answered.as_ref(),
                "the prospect asked to hear no more",
                now,
                &mut effects,
            )
            .await?;
        }
        ReplyKind::Positive
        | ReplyKind::NotInterested
        | ReplyKind::Referral
        | ReplyKind::Unclassified => {
            stop(
                &mut tx,
                answered.as_ref(),
                "the prospect replied",
                now,
                &mut effects,
            )
            .await?;
            if read.kind == ReplyKind::Referral && !read.referrals.is_empty() {
                effects.push(format!(
                    "points to {}: a person decides whether to write there",
                    read.referrals
                        .iter()
                        .map(Email::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if read.kind == ReplyKind::Unclassified {
                effects.push("for a person to read".to_string());
            }
        }
    }
    let mut kept = StoredReply {
        id: 0,
        message_id,
        received_at: now,
        source: source.to_string(),
        from_address: read.from.as_ref().map(|e| e.as_str().to_string()),
        kind: read.kind,
        evidence: read.evidence.clone(),
        outbox_id: answered.as_ref().map(|r| r.id),
        contact_id: lead,
        own_text: read.own_text.clone(),
        effects,
    };
    let Some(id) = stored::insert_reply(&mut tx, &kept).await? else {
        // Read by another process meanwhile: its effects are its own.
        tx.rollback().await?;
        let mut conn = store.conn().await?;
        let kept = stored::reply_by_message_id(&mut conn, &kept.message_id)
            .await?
            .ok_or_else(|| Error::Conflict("the reply vanished while it was read".to_string()))?;
        return Ok(Some(Received {
            reply: kept,
            seen_before: true,
        }));
    };
    kept.id = id;
    record(
        &mut tx,
        &Actor::System,
        Action::ReplyReceived,
        &Subject::Reply(id),
        json!({ "kind": kept.kind, "evidence": kept.evidence, "lead": lead, "message": kept.outbox_id, "effects": kept.effects }),
        now,
    )
    .await?;
    if let Some(lead) = lead {
        let payload = json!({ "reply": id, "kind": kept.kind, "message": kept.outbox_id });
        emit(
            &mut tx,
            EventKind::ReplyReceived,
            &Subject::Lead(lead),
            payload.clone(),
            now,
        )
        .await?;
        if kept.kind == ReplyKind::Positive {
            emit(
                &mut tx,
                EventKind::PositiveReply,
                &Subject::Lead(lead),
                payload,
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Some(Received {
        reply: kept,
        seen_before: false,
    }))
}

/// The e-mail a reply answers: by the ids it refers to, a bounce by the returned message's
/// id, else the last e-mail sent to its sender.
async fn answered(conn: &mut Conn, read: &reply::Reply) -> Result<Option<OutboxRow>> {
    let ids = read.refers_to.iter().chain(
        read.bounce
            .iter()
            .filter_map(|b| b.original_message_id.as_ref()),
    );
    for id in ids {
        if let Some(row) = stored::outbox_by_message_id(conn, id).await? {
            return Ok(Some(row));
        }
    }
    let bounced = read.bounce.as_ref().and_then(|b| b.recipient.as_ref());
    for address in bounced.into_iter().chain(read.from.as_ref()) {
        if let Some(row) = stored::last_sent_to(conn, address.as_str()).await? {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

/// Stops the sequence of the e-mail answered, and cancels what it had queued.
async fn stop(
    tx: &mut Conn,
    answered: Option<&OutboxRow>,
    why: &str,
    now: Timestamp,
    effects: &mut Vec<String>,
) -> Result<()> {
    let Some(row) = answered else {
        effects
            .push("it answers no e-mail of ours that could be found: nothing stopped".to_string());
        return Ok(());
    };
    let active = stored::active_enrollment(tx, row.contact_id).await?;
    if active.as_ref().is_some_and(|e| e.id == row.enrollment_id) {
        stored::end_enrollment(
            tx,
            row.enrollment_id,
            EnrollmentStatus::Stopped,
            Some(why),
            now,
        )
        .await?;
        let cancelled = stored::cancel_queued(tx, row.enrollment_id, why, now).await?;
        effects.push(if cancelled > 0 {
            format!("the sequence stopped: {why}; {cancelled} queued message(s) cancelled")
        } else {
            format!("the sequence stopped: {why}")
        });
    }
    Ok(())
}
