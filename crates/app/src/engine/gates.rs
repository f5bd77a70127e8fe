//! Deciding gates. The rule is `leadgate_core::gate::decide`; this applies it to the stored
//! gate under a row lock, records the decision, and when the decision closes the gate, runs
//! the gate's consequence (an ICP goes live, …) in the same transaction.

use jiff::Timestamp;
use leadgate_core::audit::Actor;
use leadgate_core::gate::{self, Decider, GateKind, GateStatus, Request, Verdict};
use leadgate_store::Store;
use leadgate_store::gates::{self, Gate};
use serde_json::json;

use super::{Attempt, Error, Result, icp, person, record, settle};

pub fn subject(id: i64) -> String {
    format!("gate:{id}")
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
        let found = gates::get(&mut tx, gate_id).await?.ok_or_else(|| {
            Error::NotFound(format!("no gate {gate_id} (see `leadgate gate list`)"))
        })?;
        let decider = person(&mut tx, person_name).await?;
        if found.kind == GateKind::SampleReview {
            return Err(Error::Invalid(format!(
                "gate {gate_id} is a sample review: it is decided record by record, with \
                 `leadgate review sample {gate_id} --as NAME`, never by a bare approve or reject"
            )));
        }
        let decided = gate::decide(
            &found.state(),
            Decider {
                person: &decider.name,
                roles: &decider.roles,
            },
            request,
            now,
        )
        .map_err(|refusal| match refusal {
            gate::Refusal::NotOpen(_) | gate::Refusal::RoleAlreadyApproved { .. } => {
                Error::Conflict(format!("gate {gate_id}: {refusal}"))
            }
            gate::Refusal::EmptyReason | gate::Refusal::AmbiguousRole { .. } => {
                Error::Invalid(format!("gate {gate_id}: {refusal}"))
            }
            _ => Error::Forbidden(format!("gate {gate_id}: {refusal}")),
        })?;
        Ok::<_, Error>((found, decided))
    }
    .await;
    let gate_subject = subject(gate_id);
    let attempted = Attempt {
        actor: &actor,
        action: "gate.decide",
        subject: &gate_subject,
        inputs: &inputs,
    };
    let ((found, decided), mut tx) = settle(attempt, tx, store, attempted, now).await?;

    gates::record_decision(&mut tx, gate_id, &decided.decision, decided.status).await?;
    let action = match decided.decision.verdict {
        Verdict::Approve => "gate.approved",
        Verdict::Reject => "gate.rejected",
    };
    record(
        &mut tx,
        &actor,
        action,
        &subject(gate_id),
        json!({
            "kind": found.kind,
            "subject": found.subject,
            "role": decided.decision.role,
            "note": decided.decision.note,
            "status": decided.status,
        }),
        now,
    )
    .await?;
    if decided.status != GateStatus::Open {
        match found.kind {
            GateKind::IcpApproval | GateKind::IcpReview => {
                icp::on_gate_closed(&mut tx, &found, decided.status, now).await?;
            }
            // Unreachable: sample reviews close through `discovery::review`.
            GateKind::SampleReview => {}
        }
    }
    let updated = gates::get(&mut tx, gate_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("gate {gate_id} vanished")))?;
    tx.commit().await?;
    Ok(updated)
}
