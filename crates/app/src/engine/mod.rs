//! The pipeline engine: stage actions, gates, triggers and the worker.
//!
//! Every change goes through one shape: open a write transaction, check the rule in
//! `leadgate_core`, write the change, its audit entries and its events together, and enqueue
//! the jobs those events trigger, then commit. A refused attempt changes nothing but is itself
//! recorded in the audit log, in a transaction of its own.

pub mod audit;
pub mod auth;
pub mod discovery;
pub mod engagement;
pub mod enrichment;
pub mod gates;
pub mod handoff;
pub mod icp;
pub mod model;
pub mod outcomes;
pub mod outreach;
pub mod people;
pub mod scoring;
pub mod settings;
pub mod triggers;
pub mod worker;

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Attempt, NewAuditEntry, Subject};
use leadgate_core::event::EventKind;
use leadgate_store::people::Person;
use leadgate_store::{Conn, Store, StoreError, events};
use serde_json::Value;

/// Why the engine did not do what was asked. Each message is one line a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("no person named `{0}` in this workspace (see `leadgate user list`)")]
    UnknownPerson(String),
    /// Credentials that prove nobody: a wrong password, a spent link.
    #[error("{0}")]
    Unauthenticated(String),
    /// The person may not do this: missing role, separation of duties.
    #[error("{0}")]
    Forbidden(String),
    /// The subject is not in a state that allows it: a closed gate, a superseded version.
    #[error("{0}")]
    Conflict(String),
    /// What was asked is not well formed: a value, a document, a combination of options.
    #[error("{0}")]
    Invalid(String),
    /// A file the work reads or writes cannot be: it names the file.
    #[error("{message}")]
    File {
        path: std::path::PathBuf,
        message: String,
    },
    /// The machine failed, not the request: a worker thread, the random source, hashing.
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Error {
    /// A file that cannot be read or written, with the reason after its name.
    pub fn file(path: &std::path::Path, reason: impl std::fmt::Display) -> Error {
        Error::File {
            path: path.to_path_buf(),
            message: format!("{}: {reason}", path.display()),
        }
    }

    /// Stored data that no longer reads: a store failure, not the caller's.
    pub fn corrupt(message: String) -> Error {
        Error::Store(StoreError::Corrupt(message))
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Store(StoreError::Database(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Appends an audit entry inside the caller's transaction.
pub async fn record(
    conn: &mut Conn,
    actor: &Actor,
    action: Action,
    subject: &Subject,
    inputs: Value,
    at: Timestamp,
) -> Result<()> {
    append(conn, actor, action.as_str(), subject, inputs, at).await
}

async fn append(
    conn: &mut Conn,
    actor: &Actor,
    action: &str,
    subject: &Subject,
    inputs: Value,
    at: Timestamp,
) -> Result<()> {
    leadgate_store::audit::append(
        conn,
        NewAuditEntry {
            actor: actor.clone(),
            action: action.to_string(),
            subject: subject.to_string(),
            inputs: inputs.to_string(),
            at,
        },
    )
    .await?;
    Ok(())
}

/// Records a refused attempt in its own transaction and hands the refusal back.
/// A transaction that a check ran in.
pub type Tx = leadgate_store::WriteTx;

/// What the audit log records of an attempt a check may refuse.
pub struct Attempted<'a> {
    pub actor: &'a Actor,
    pub action: Attempt,
    pub subject: &'a Subject,
    pub inputs: &'a Value,
}

/// The value a check gave, with its transaction to go on in; or, when the check refused
/// (anything but a store failure), the transaction rolled back and the refusal recorded as
/// `ACTION.refused` in a transaction of its own ([`refuse`]).
pub async fn settle<T>(
    checked: Result<T>,
    tx: Tx,
    store: &Store,
    attempt: Attempted<'_>,
    at: Timestamp,
) -> Result<(T, Tx)> {
    match checked {
        Ok(value) => Ok((value, tx)),
        Err(Error::Store(e)) => Err(Error::Store(e)),
        Err(refusal) => {
            tx.rollback().await?;
            refuse(
                store,
                attempt.actor,
                attempt.action,
                attempt.subject,
                attempt.inputs.clone(),
                refusal,
                at,
            )
            .await
        }
    }
}

pub async fn refuse<T>(
    store: &Store,
    actor: &Actor,
    action: Attempt,
    subject: &Subject,
    mut inputs: Value,
    refusal: Error,
    at: Timestamp,
) -> Result<T> {
    if let Value::Object(map) = &mut inputs {
        map.insert("refused".into(), Value::String(refusal.to_string()));
    }
    let mut tx = store.begin().await?;
    append(&mut tx, actor, &action.refused(), subject, inputs, at).await?;
    tx.commit().await?;
    Err(refusal)
}

/// Stores an event and enqueues the jobs its triggers call for, in the caller's transaction.
pub async fn emit(
    conn: &mut Conn,
    kind: EventKind,
    subject: &Subject,
    payload: Value,
    at: Timestamp,
) -> Result<events::Event> {
    let event = events::insert(conn, kind, &subject.to_string(), &payload, at).await?;
    for job in triggers::jobs_for(&event) {
        leadgate_store::jobs::enqueue(conn, &job.as_new(event.id), at).await?;
    }
    Ok(event)
}

/// Records what the system did and emits the event that follows from it, together.
pub async fn announce(
    conn: &mut Conn,
    action: Action,
    kind: EventKind,
    subject: &Subject,
    payload: Value,
    at: Timestamp,
) -> Result<()> {
    record(conn, &Actor::System, action, subject, payload.clone(), at).await?;
    emit(conn, kind, subject, payload, at).await?;
    Ok(())
}

/// The person acting, who must exist.
pub async fn person(conn: &mut Conn, name: &str) -> Result<Person> {
    let found = known_person(conn, name).await?;
    if !found.is_active() {
        return Err(Error::Forbidden(format!(
            "{name} was deactivated and acts no more (an admin may reactivate them)"
        )));
    }
    Ok(found)
}

/// A person, active or not: for what is done *to* them.
pub async fn known_person(conn: &mut Conn, name: &str) -> Result<Person> {
    leadgate_store::people::get(conn, name)
        .await?
        .ok_or_else(|| Error::UnknownPerson(name.to_string()))
}
