//! The suppression list: addresses and domains never to be contacted, whatever the sources
//! say. A person adds one; the next discovery run drops every contact it covers.

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Subject};
use leadgate_core::discovery::compliance::{SuppressionKind, erasure_hash};
use leadgate_core::discovery::normalize::{Domain, Email};
use leadgate_store::Store;
use leadgate_store::discovery as stored;
use serde_json::json;

use crate::engine::{Error, Result, person, record};

/// A suppression as it was added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub kind: SuppressionKind,
    /// The address or domain, normalised.
    pub value: String,
    /// False when it was on the list already.
    pub added: bool,
}

/// Suppresses an e-mail address (anything with an `@`) or a domain, as `by`, and audits it.
///
/// The audit log is kept for good and cannot be edited, so it never holds an address: an
/// address's entry names its hash (the erasure marker), a domain's the domain, which is a
/// company's.
pub async fn add(
    store: &Store,
    by: &str,
    value: &str,
    reason: &str,
    now: Timestamp,
) -> Result<Suppressed> {
    let (kind, normalised, named) = if value.contains('@') {
        let email = Email::parse(value)
            .map_err(|e| Error::Invalid(format!("{value:?} is not an e-mail address: {e}")))?;
        let hash = erasure_hash(&email);
        (SuppressionKind::Email, email.as_str().to_string(), hash)
    } else {
        let domain = Domain::parse(value)
            .map_err(|e| Error::Invalid(format!("{value:?} is not a domain: {e}")))?;
        let text = domain.as_str().to_string();
        (SuppressionKind::Domain, text.clone(), text)
    };
    let mut tx = store.begin().await?;
    person(&mut tx, by).await?;
    let added = stored::add_suppression(
        &mut tx,
        &stored::Suppression {
            kind,
            value: normalised.clone(),
            reason: reason.to_string(),
            added_by: by.to_string(),
            added_at: now,
        },
    )
    .await?;
    record(
        &mut tx,
        &Actor::Person(by.to_string()),
        Action::SuppressionAdded,
        &Subject::Suppression(format!("{kind}:{named}")),
        json!({ "reason": reason, "new": added }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Suppressed {
        kind,
        value: normalised,
        added,
    })
}

/// Suppresses an address at its owner's request — an unsubscribe link, or "stop" in a reply
/// — in the caller's transaction. No person of the workspace adds it: the audit names the
/// system acting on the request, and, as everywhere, the address's hash rather than the
/// address. Returns false when it was on the list already.
pub(crate) async fn add_requested(
    tx: &mut leadgate_store::Conn,
    email: &Email,
    reason: &str,
    now: Timestamp,
) -> Result<bool> {
    add_by_system(tx, email, reason, "the recipient", now).await
}

/// Suppresses an address on what the system read — the recipient's request, or a mail
/// server's hard bounce (`on_word_of`: "the recipient", "the mail system") — in the caller's
/// transaction, audited as the system, naming the address's hash only.
pub(crate) async fn add_by_system(
    tx: &mut leadgate_store::Conn,
    email: &Email,
    reason: &str,
    on_word_of: &str,
    now: Timestamp,
) -> Result<bool> {
    let added = stored::add_suppression(
        tx,
        &stored::Suppression {
            kind: SuppressionKind::Email,
            value: email.as_str().to_string(),
            reason: reason.to_string(),
            added_by: on_word_of.to_string(),
            added_at: now,
        },
    )
    .await?;
    record(
        tx,
        &Actor::System,
        Action::SuppressionAdded,
        &Subject::Suppression(format!(
            "{}:{}",
            SuppressionKind::Email,
            erasure_hash(email)
        )),
        json!({ "reason": reason, "new": added }),
        now,
    )
    .await?;
    Ok(added)
}
