//! Deciding gates: the one path every gate kind's decision takes. The rule is
//! `leadgate_core::gate` (roles, four-eyes, separation of duties, one decision per person);
//! this applies it to the stored gate under the caller's transaction, records the decision,
//! audits it, and when the decision closes the gate, runs the kind's consequence — an ICP
//! goes live, a prospect list is approved — in the same transaction. A new gate kind is a
//! new arm of [`on_closed`], not a new path.
//!
//! Most gates are decided by one request (`decide`). A sample review is decided in steps,
//! record by record (`discovery::review`): each step is checked with the same rule
//! ([`check`]), and the last one decides the gate from the tally through [`apply`].

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Attempt, Subject};
use leadgate_core::gate::{
    self, Decided, Decider, GateKind, GateStatus, Refusal, Request, Verdict,
};
use leadgate_store::Store;
use leadgate_store::gates::{self, Gate};
use leadgate_store::people::Person;
use serde_json::{Value, json};

use super::{
    Attempted, Conn, Error, Result, discovery, icp, model, outreach, person, record, settle,
};

/// The error a refusal of the gate rule is, for every interface alike.
fn refused(gate_id: i64, refusal: Refusal) -> Error {
    match refusal {
        Refusal::NotOpen(_) | Refusal::RoleAlreadyApproved { .. } => {
            Error::Conflict(format!("gate {gate_id}: {refusal}"))
        }
        Refusal::EmptyReason
        | Refusal::WarningsNeedReason { .. }
        | Refusal::AmbiguousRole { .. } => Error::Invalid(format!("gate {gate_id}: {refusal}")),
        _ => Error::Forbidden(format!("gate {gate_id}: {refusal}")),
    }
}

fn decider(person: &Person) -> Decider<'_> {
    Decider {
        person: &person.name,
        roles: &person.roles,
    }
}

/// The active people who may take part in deciding `gate` now, by name: what an inbox or
/// `leadgate status` offers as the next step.
pub async fn deciders(conn: &mut Conn, gate: &Gate) -> Result<Vec<String>> {
    let state = gate.state();
    Ok(leadgate_store::people::list(conn)
        .await?
        .iter()
        .filter(|p| p.is_active() && gate::may_decide(&state, decider(p)))
        .map(|p| p.name.clone())
        .collect())
}

/// Reads a gate for deciding: it exists and it is of the kind the caller decides.
pub(crate) async fn for_deciding(conn: &mut Conn, gate_id: i64, by_steps: bool) -> Result<Gate> {
    let found = gates::get(conn, gate_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no gate {gate_id} (see `leadgate gate list`)")))?;
    match (found.kind == GateKind::SampleReview, by_steps) {
        (true, false) => Err(Error::Invalid(format!(
            "gate {gate_id} is a sample review: it is decided record by record, with \
             `leadgate review sample {gate_id} --as NAME`, never by a bare approve or reject"
        ))),
        (false, true) => Err(Error::Invalid(format!(
            "gate {gate_id} is a {}, not a sample review",
            found.kind.title()
        ))),
        _ => Ok(found),
    }
}

/// Whether `person` may take a step towards deciding `found` now (the gate rule's check).
pub(crate) fn check(found: &Gate, person: &Person) -> Result<()> {
    gate::check(&found.state(), decider(person)).map_err(|r| refused(found.id, r))
}

/// Applies `person`'s request to `found`, writes and audits the decision (the audit entry
/// carries `details` besides the decision), and runs the kind's consequence when the
/// decision closes the gate.
pub(crate) async fn apply(
    tx: &mut Conn,
    found: &Gate,
    person: &Person,
    request: Request,
    details: Value,
    now: Timestamp,
) -> Result<Decided> {
    let decided = gate::decide(&found.state(), decider(person), request, now)
        .map_err(|r| refused(found.id, r))?;
    gates::record_decision(tx, found.id, &decided.decision, decided.status).await?;
    let action = match decided.decision.verdict {
        Verdict::Approve => Action::GateApproved,
        Verdict::Reject => Action::GateRejected,
    };
    let mut entry = json!({
        "kind": found.kind,
        "subject": found.subject,
        "role": decided.decision.role,
        "note": decided.decision.note,
        "status": decided.status,
    });
    if let (Some(entry), Value::Object(details)) = (entry.as_object_mut(), &details) {
        entry.extend(details.clone());
    }
    let actor = Actor::Person(person.name.clone());
    record(tx, &actor, action, &Subject::Gate(found.id), entry, now).await?;
    if decided.status != GateStatus::Open {
        on_closed(tx, found, &decided, &details, now).await?;
    }
    Ok(decided)
}

/// What follows when a decision closes a gate, by kind: the one place a new kind adds its
/// consequence. `details` are what the decision's caller gave [`apply`].
async fn on_closed(
    tx: &mut Conn,
    found: &Gate,
    decided: &Decided,
    details: &Value,
    now: Timestamp,
) -> Result<()> {
    match found.kind {
        GateKind::IcpApproval | GateKind::IcpReview => {
            icp::on_gate_closed(tx, found, decided.status, now).await
        }
        GateKind::SampleReview => {
            discovery::review::on_gate_closed(tx, found, decided, details, now).await
        }
        GateKind::ModelCalibration | GateKind::ModelReview => {
            model::on_gate_closed(tx, found, decided.status, now).await
        }
        GateKind::VariantApproval => {
            outreach::sequences::on_gate_closed(tx, found, decided.status, now).await
        }
    }
}

/// Closes the open gates of `kind` on `subject` as cancelled, with an audit entry each: what
/// they review was overtaken (a newer version went live, the version was withdrawn).
pub async fn cancel_open(
    conn: &mut Conn,
    subject: &Subject,
    kind: GateKind,
    now: Timestamp,
) -> Result<()> {
    let open = gates::list(
        conn,
        &gates::GateFilter {
            status: Some(GateStatus::Open),
            kind: Some(kind),
            subject: Some(&subject.to_string()),
            ..Default::default()
        },
    )
    .await?;
    for gate in open {
        gates::set_status(conn, gate.id, GateStatus::Cancelled, now).await?;
        record(
            conn,
            &Actor::System,
            Action::GateCancelled,
            &Subject::Gate(gate.id),
            json!({ "kind": gate.kind, "subject": subject }),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Records one person's decision on a gate, or refuses it (and records the refusal).
pub async fn decide(
    store: &Store,
    gate_id: i64,
    person_name: &str,
    request: Request,
    now: Timestamp,
) -> Result<Gate> {
    let actor = Actor::Person(person_name.to_string());
    let inputs = match &request {
        Request::Approve { role, note } => {
            json!({ "verdict": "approve", "role": role, "note": note })
        }
        Request::Reject { reason } => json!({ "verdict": "reject", "reason": reason }),
    };
    let mut tx = store.begin().await?;
    let attempt = async {
        let found = for_deciding(&mut tx, gate_id, false).await?;
        let decider = person(&mut tx, person_name).await?;
        // Refused here, before anything is written, so the refusal is audited.
        gate::decide(
            &found.state(),
            self::decider(&decider),
            request.clone(),
            now,
        )
        .map_err(|r| refused(gate_id, r))?;
        Ok::<_, Error>((found, decider))
    }
    .await;
    let gate_subject = Subject::Gate(gate_id);
    let attempted = Attempted {
        actor: &actor,
        action: Attempt::DecideGate,
        subject: &gate_subject,
        inputs: &inputs,
    };
    let ((found, decider), mut tx) = settle(attempt, tx, store, attempted, now).await?;
    apply(&mut tx, &found, &decider, request, Value::Null, now).await?;
    let updated = gates::get(&mut tx, gate_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("gate {gate_id} vanished")))?;
    tx.commit().await?;
    Ok(updated)
}
