//! Outcomes on leads: what happened after a lead was scored — a meeting booked, an
//! opportunity opened, a deal won or lost, a disqualification — recorded by a person (the
//! CLI, the API; stage 5's handoff will call [`record_outcome`] too) or re-imported from a CRM export
//! keyed by e-mail ([`import`]). Each outcome is appended with who recorded it and from where,
//! audited, and announced as `OutcomeRecorded`; model reviews measure the live version's
//! predictions against them.

use std::path::Path;

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Attempt, Subject};
use leadgate_core::event::EventKind;
use leadgate_core::role::Role;
use leadgate_core::scoring::outcome::{self, ExportReading, ExportRow, NewOutcome};
use leadgate_store::outcomes::{self as stored, Outcome, OutcomeSource};
use leadgate_store::{Conn, Store};
use serde::Serialize;
use serde_json::json;

use super::{Attempted, Error, Result, emit, person, record, settle};

/// Who may record an outcome: the reps and sales people who work the lead, sales ops, and an
/// admin.
pub const OUTCOME_RECORDERS: [Role; 4] = [Role::Rep, Role::SalesLead, Role::SalesOps, Role::Admin];

fn recorder_check(person: &leadgate_store::people::Person) -> Result<()> {
    if person.roles.iter().any(|r| OUTCOME_RECORDERS.contains(r)) {
        return Ok(());
    }
    let roles: Vec<&str> = OUTCOME_RECORDERS.iter().map(|r| r.label()).collect();
    Err(Error::Forbidden(format!(
        "{} may not record lead outcomes: that needs one of the roles {}",
        person.name,
        roles.join(", ")
    )))
}

async fn is_lead(conn: &mut Conn, lead: i64) -> Result<bool> {
    Ok(!leadgate_store::leads::history(conn, lead).await?.is_empty())
}

/// Appends one outcome with its audit entry and event; `None` when the lead has this kind
/// on this day already.
async fn write(
    conn: &mut Conn,
    by: &str,
    lead: i64,
    new: &NewOutcome,
    source: &OutcomeSource,
    now: Timestamp,
) -> Result<Option<Outcome>> {
    let Some(outcome) = stored::insert(conn, lead, new, source, by, now).await? else {
        return Ok(None);
    };
    let subject = Subject::Lead(lead);
    let payload = json!({
        "lead": lead,
        "outcome": outcome.id,
        "kind": outcome.kind,
        "on": outcome.on,
        "amount": outcome.amount,
        "reason": outcome.reason,
        "source": outcome.source,
    });
    record(
        conn,
        &Actor::Person(by.to_string()),
        Action::OutcomeRecorded,
        &subject,
        payload.clone(),
        now,
    )
    .await?;
    emit(conn, EventKind::OutcomeRecorded, &subject, payload, now).await?;
    Ok(Some(outcome))
}

/// Records what happened to a lead, by a person who works leads. A lead is a scored contact;
/// the same kind on the same day is refused as recorded already.
pub async fn record_outcome(
    store: &Store,
    by: &str,
    lead: i64,
    new: NewOutcome,
    now: Timestamp,
) -> Result<Outcome> {
    let actor = Actor::Person(by.to_string());
    let inputs = json!({ "lead": lead, "outcome": new });
    let mut tx = store.begin().await?;
    let checked = async {
        let person = person(&mut tx, by).await?;
        recorder_check(&person)?;
        if !is_lead(&mut tx, lead).await? {
            return Err(Error::NotFound(format!(
                "no lead {lead}: contact {lead} was never scored (see `leadgate leads list`)"
            )));
        }
        Ok(())
    }
    .await;
    let attempted = Attempted {
        actor: &actor,
        action: Attempt::RecordOutcome,
        subject: &Subject::Lead(lead),
        inputs: &inputs,
    };
    let ((), mut tx) = settle(checked, tx, store, attempted, now).await?;
    let outcome = write(&mut tx, by, lead, &new, &OutcomeSource::Person, now)
        .await?
        .ok_or_else(|| {
            Error::Conflict(format!(
                "lead {lead} has \"{}\" on {} recorded already",
                new.kind.label(),
                new.on
            ))
        })?;
    tx.commit().await?;
    Ok(outcome)
}

/// A row of an export that was not recorded, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowNote {
    /// The file's row (the header is row 1).
    pub row: usize,
    /// The column at fault, when one is.
    pub column: String,
    pub message: String,
}

/// What an import of outcomes did with every row: `rows = recorded + already + no_outcome +
/// no_such_lead + bad`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportTally {
    pub file: String,
    pub rows: usize,
    pub recorded: usize,
    /// Rows whose outcome the lead has already (a re-import).
    pub already: usize,
    /// Rows at a stage before any outcome (a lead, an MQL).
    pub no_outcome: usize,
    pub no_such_lead: Vec<RowNote>,
    pub bad: Vec<RowNote>,
}

/// Re-imports outcomes from a CRM export (CSV) keyed by e-mail address (amounts without a
/// currency of their own in `currency`): stage words are
/// read through the built-in CRM mapping plus `extra` words. A file that cannot be read as
/// an export writes nothing; otherwise every row is accounted for, and all that is
/// recorded is recorded in one transaction.
pub async fn import(
    store: &Store,
    by: &str,
    path: &Path,
    extra: &[(String, outcome::OutcomeKind)],
    currency: Option<outcome::Currency>,
    now: Timestamp,
) -> Result<ImportTally> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut reading = ExportReading {
        currency,
        ..ExportReading::default()
    };
    for (word, kind) in extra {
        reading.words.extend(word, *kind);
    }
    let export = outcome::read_crm_export(&text, &path.display().to_string(), &reading).map_err(
        |message| Error::File {
            path: path.to_path_buf(),
            message,
        },
    )?;
    let actor = Actor::Person(by.to_string());
    let inputs = json!({ "file": file });
    let mut tx = store.begin().await?;
    let checked = async {
        let person = person(&mut tx, by).await?;
        recorder_check(&person)
    }
    .await;
    let attempted = Attempted {
        actor: &actor,
        action: Attempt::RecordOutcome,
        subject: &Subject::Leads,
        inputs: &inputs,
    };
    let ((), mut tx) = settle(checked, tx, store, attempted, now).await?;
    let leads = stored::leads_by_email(&mut tx).await?;
    let mut tally = ImportTally {
        file: file.clone(),
        rows: export.rows.len(),
        recorded: 0,
        already: 0,
        no_outcome: 0,
        no_such_lead: Vec::new(),
        bad: Vec::new(),
    };
    for (i, row) in export.rows.iter().enumerate() {
        let number = i + 2;
        match row {
            ExportRow::Bad { column, message } => tally.bad.push(RowNote {
                row: number,
                column: column.clone(),
                message: message.clone(),
            }),
            ExportRow::NoOutcome { .. } => tally.no_outcome += 1,
            ExportRow::Outcome { email, outcome } => {
                let Some(&lead) = leads.get(email) else {
                    tally.no_such_lead.push(RowNote {
                        row: number,
                        column: String::new(),
                        message: format!("no scored lead has the address {email}"),
                    });
                    continue;
                };
                let source = OutcomeSource::CrmImport {
                    file: file.clone(),
                    row: number as i64,
                };
                match write(&mut tx, by, lead, outcome, &source, now).await? {
                    Some(_) => tally.recorded += 1,
                    None => tally.already += 1,
                }
            }
        }
    }
    record(
        &mut tx,
        &actor,
        Action::OutcomesImported,
        &Subject::Leads,
        serde_json::to_value(&tally).unwrap_or_default(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(tally)
}

/// A lead's outcomes, oldest first.
pub async fn of_lead(store: &Store, lead: i64) -> Result<Vec<Outcome>> {
    let mut conn = store.conn().await?;
    Ok(stored::of_lead(&mut conn, lead).await?)
}
