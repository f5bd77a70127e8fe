//! Erasure at a person's request (GDPR Art. 17, the right to erasure; CCPA's right to
//! delete). Everything leadgate holds about the person is deleted — every record from
//! every source with its facts, the merges between them (whose evidence quotes values),
//! their places on prospect lists — and only one-way hashes stay: of the address and of
//! each LinkedIn profile the records carried, on the suppression list, so that the next
//! export that brings the person back is refused at import and never mailed. The contacts
//! stay as ids with the status `erased`, so that lists, gates and the audit log still add
//! up; the audit entry names the hash, never the address. Rows with the address are
//! removed from the reject files of earlier imports too.

use jiff::Timestamp;
use leadgate_connectors::import::scrub_reject_file;
use leadgate_core::audit::Actor;
use leadgate_core::discovery::compliance::{erasure_hash, profile_erasure_hash};
use leadgate_core::discovery::normalize::Email;
use leadgate_core::role::Role;
use leadgate_store::Store;
use leadgate_store::discovery::{self as stored, ErasedRows, Suppression};
use serde::Serialize;
use serde_json::json;

use crate::engine::{Attempt, Error, Result, person, record, settle};

/// What an erasure did (or, on a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Erasure {
    /// The address's erasure marker, as the suppression list keeps it.
    pub hash: String,
    /// The contacts erased: those with a record of the address, and those merged into them.
    pub contacts: Vec<i64>,
    pub records: u64,
    pub merges: u64,
    pub prospects: u64,
    /// LinkedIn profiles of the records, kept as markers too.
    pub profiles: usize,
    /// Rows with the address removed from the reject files of earlier imports (the files
    /// written for fixing rows that could not be read); none on a dry run.
    pub reject_rows: usize,
    pub dry_run: bool,
}

/// Whether a person with these roles may erase people: an admin or sales ops.
pub fn may_erase(roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|r| matches!(r, Role::Admin | Role::SalesOps))
}

/// Erases the person with this address, as `by` (an admin or sales ops), for `reason`.
pub async fn erase(
    store: &Store,
    address: &str,
    by: &str,
    reason: &str,
    dry_run: bool,
    now: Timestamp,
) -> Result<Erasure> {
    let actor = Actor::Person(by.to_string());
    let email = Email::parse(address)
        .map_err(|e| Error::Invalid(format!("{address:?} is not an e-mail address: {e}")))?;
    let hash = erasure_hash(&email);
    let subject = format!("erasure:{hash}");
    if reason.trim().is_empty() {
        return Err(Error::Invalid(
            "an erasure needs a reason (--reason): the request it answers".into(),
        ));
    }
    // The reason is kept (audit log, suppression list): it must not bring the address back.
    if reason.to_lowercase().contains(email.as_str()) {
        return Err(Error::Invalid(
            "the reason holds the address, and the reason is kept: describe the request \
             without it (\"e-mail of 2027-01-04 to privacy@\")"
                .into(),
        ));
    }
    let mut tx = store.begin().await?;
    stored::lock(&mut tx).await?;
    let checked = async {
        let who = person(&mut tx, by).await?;
        if !may_erase(&who.roles) {
            return Err(Error::Forbidden(format!(
                "{by} may not erase people: it takes the admin or sales_ops role"
            )));
        }
        Ok(())
    }
    .await;
    let attempt = Attempt {
        actor: &actor,
        action: "contact.erase",
        subject: &subject,
        inputs: &json!({}),
    };
    let ((), mut tx) = settle(checked, tx, store, attempt, now).await?;
    let holders = stored::contacts_with_email(&mut tx, email.as_str()).await?;
    let contacts = stored::with_merged_contacts(&mut tx, &holders).await?;
    let records = stored::records_of(&mut tx, &contacts).await?;
    let mut profiles: Vec<String> = records.iter().filter_map(|r| r.linkedin.clone()).collect();
    profiles.sort_unstable();
    profiles.dedup();
    let mut erasure = Erasure {
        hash: hash.clone(),
        contacts: contacts.clone(),
        records: records.len() as u64,
        merges: 0,
        prospects: 0,
        profiles: profiles.len(),
        reject_rows: 0,
        dry_run,
    };
    if dry_run {
        tx.rollback().await?;
        return Ok(erasure);
    }
    let ErasedRows {
        records: deleted,
        merges,
        prospects,
        ..
    } = stored::erase_contacts(&mut tx, &contacts).await?;
    (erasure.records, erasure.merges, erasure.prospects) = (deleted, merges, prospects);
    // The plain address may be suppressed already; the marker replaces it.
    stored::remove_suppression(&mut tx, "email", email.as_str()).await?;
    let markers =
        std::iter::once(hash.clone()).chain(profiles.iter().map(|p| profile_erasure_hash(p)));
    for marker in markers {
        stored::add_suppression(
            &mut tx,
            &Suppression {
                kind: "erasure".into(),
                value: marker,
                reason: reason.to_string(),
                added_by: by.to_string(),
                added_at: now,
            },
        )
        .await?;
    }
    record(
        &mut tx,
        &actor,
        "contact.erased",
        &subject,
        json!({
            "reason": reason,
            "contacts": erasure.contacts,
            "records": erasure.records,
            "merges": erasure.merges,
            "prospects": erasure.prospects,
            "profiles": erasure.profiles,
        }),
        now,
    )
    .await?;
    let imports = stored::imports(&mut tx).await?;
    tx.commit().await?;
    // The reject files are outside the database: scrubbed once the erasure is committed. A
    // file that cannot be rewritten fails the command, which can be run again.
    for import in &imports {
        let Some(file) = import.report.get("reject_file").and_then(|f| f.as_str()) else {
            continue;
        };
        let path = std::path::Path::new(file);
        if path.exists() {
            erasure.reject_rows += scrub_reject_file(path, email.as_str())
                .map_err(|e| Error::Invalid(format!("{file}: {e}")))?;
        }
    }
    Ok(erasure)
}
