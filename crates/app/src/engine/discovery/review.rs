//! The sample-review gate: a reviewer marks each sampled record match or no match (with a
//! reason), and when the last one is marked the gate decides itself from the tally — approved
//! when enough match, rejected with the error rate per source and per reason otherwise. The
//! decision goes through the one gate rule (`leadgate_core::gate::decide`) under the
//! reviewer's name, so the role and separation-of-duties checks are the same as everywhere.

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Attempt, Subject};
use leadgate_core::discovery::prospect::ListStatus;
use leadgate_core::discovery::sample::{ReviewVerdict, ReviewedItem, SampleOutcome, tally};
use leadgate_core::event::EventKind;
use leadgate_core::gate::{Decided, GateKind, Request, Verdict};
use leadgate_store::Conn;
use leadgate_store::Store;
use leadgate_store::discovery::{self as stored, Prospect, ProspectList, SampleItem};
use leadgate_store::gates::{self as stored_gates, Gate};
use serde::Serialize;
use serde_json::json;

use crate::engine::settings::DiscoveryConfig;
use crate::engine::{Attempted, Error, Result, announce, gates, person, record, settle};

/// One reviewer's verdict on one sampled record, by its position in the sample (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemDecision {
    pub position: i64,
    pub verdict: ReviewVerdict,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewProgress {
    pub gate: Gate,
    pub items: Vec<SampleItem>,
    /// The tally once every item is reviewed.
    pub outcome: Option<SampleOutcome>,
}

/// A sample review as it stands: its gate, the list it samples, and each sampled record with
/// the prospect it is (its profile and evaluation), in the order a reviewer sees them.
#[derive(Debug, Clone)]
pub struct SampleUnderReview {
    pub gate: Gate,
    pub list: Option<ProspectList>,
    pub items: Vec<(SampleItem, Option<Prospect>)>,
}

/// The sample review `gate_id`, or None when there is no such gate or it is of another kind.
pub async fn sample_under_review(store: &Store, gate_id: i64) -> Result<Option<SampleUnderReview>> {
    let mut conn = store.conn().await?;
    let Some(gate) = stored_gates::get(&mut conn, gate_id)
        .await?
        .filter(|g| g.kind == GateKind::SampleReview)
    else {
        return Ok(None);
    };
    let sampled = stored::sample_items(&mut conn, gate_id).await?;
    let list_id = sampled.first().map_or(0, |i| i.list_id);
    let list = stored::get_list(&mut conn, list_id).await?;
    let mut items = Vec::with_capacity(sampled.len());
    for item in sampled {
        let prospect = stored::prospect_of(&mut conn, list_id, item.contact_id).await?;
        items.push((item, prospect));
    }
    Ok(Some(SampleUnderReview { gate, list, items }))
}

/// Whether recording verdicts may close the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closing {
    /// The verdict that completes the sample decides the gate (the command line, the API,
    /// the page's Decide button).
    WhenComplete,
    /// The gate stays open even when every record has its verdict: the page saves each
    /// verdict as it is given, and a slip on the last record must not decide the gate.
    Never,
}

/// Records verdicts on sampled records; closes the gate when the last one is in.
pub async fn review(
    store: &Store,
    config: &DiscoveryConfig,
    gate_id: i64,
    reviewer: &str,
    decisions: &[ItemDecision],
    now: Timestamp,
) -> Result<ReviewProgress> {
    record_verdicts(
        store,
        config,
        gate_id,
        reviewer,
        decisions,
        Closing::WhenComplete,
        now,
    )
    .await
}

/// Records verdicts on sampled records and leaves the gate open, even when every record has
/// its verdict: saving a verdict is a step towards deciding, checked as one (the role, the
/// maker, one reviewer per sample), not the decision. [`review`] decides.
pub async fn save_verdicts(
    store: &Store,
    config: &DiscoveryConfig,
    gate_id: i64,
    reviewer: &str,
    decisions: &[ItemDecision],
    now: Timestamp,
) -> Result<ReviewProgress> {
    record_verdicts(
        store,
        config,
        gate_id,
        reviewer,
        decisions,
        Closing::Never,
        now,
    )
    .await
}

async fn record_verdicts(
    store: &Store,
    config: &DiscoveryConfig,
    gate_id: i64,
    reviewer: &str,
    decisions: &[ItemDecision],
    closing: Closing,
    now: Timestamp,
) -> Result<ReviewProgress> {
    let actor = Actor::Person(reviewer.to_string());
    let subject = Subject::Gate(gate_id);
    let inputs = json!({
        "decisions": decisions.iter().map(|d| json!({
            "position": d.position,
            "verdict": d.verdict.as_str(),
            "reason": d.reason,
        })).collect::<Vec<_>>(),
    });
    let mut tx = store.begin().await?;
    let checked = async {
        let found = gates::for_deciding(&mut tx, gate_id, true).await?;
        let who = person(&mut tx, reviewer).await?;
        gates::check(&found, &who)?;
        let items = stored::sample_items(&mut tx, gate_id).await?;
        for d in decisions {
            let Some(item) = items.iter().find(|i| i.position == d.position) else {
                return Err(Error::Invalid(format!(
                    "gate {gate_id}: the sample has no record {} (it has 1 to {})",
                    d.position,
                    items.len()
                )));
            };
            if d.verdict == ReviewVerdict::NoMatch
                && d.reason.as_deref().is_none_or(|r| r.trim().is_empty())
            {
                return Err(Error::Invalid(format!(
                    "gate {gate_id}: record {} (contact {}) is marked no match without a reason",
                    d.position, item.contact_id
                )));
            }
            if let Some(by) = item.reviewer.as_deref().filter(|by| *by != reviewer) {
                return Err(Error::Forbidden(format!(
                    "gate {gate_id}: record {} was reviewed by {by}; one reviewer reviews the whole sample",
                    d.position
                )));
            }
        }
        if let Some(other) = items
            .iter()
            .find_map(|i| i.reviewer.as_deref().filter(|by| *by != reviewer))
        {
            return Err(Error::Forbidden(format!(
                "gate {gate_id}: {other} is reviewing this sample; one reviewer reviews the whole sample"
            )));
        }
        Ok::<_, Error>((found, who))
    }
    .await;
    let attempt = Attempted {
        actor: &actor,
        action: Attempt::ReviewSample,
        subject: &subject,
        inputs: &inputs,
    };
    let ((found, who), mut tx) = settle(checked, tx, store, attempt, now).await?;
    for d in decisions {
        stored::record_sample_verdict(
            &mut tx,
            gate_id,
            d.position,
            d.verdict,
            d.reason.as_deref().map(str::trim),
            reviewer,
            now,
        )
        .await?;
    }
    record(
        &mut tx,
        &actor,
        Action::SampleReviewed,
        &subject,
        inputs,
        now,
    )
    .await?;
    let items = stored::sample_items(&mut tx, gate_id).await?;
    let mut outcome = None;
    if closing == Closing::WhenComplete && items.iter().all(|i| i.verdict.is_some()) {
        let Subject::List(list_id) = found.subject else {
            return Err(Error::NotFound(format!(
                "gate {gate_id} is not about a list"
            )));
        };
        let mut reviewed = Vec::new();
        for item in &items {
            let prospect = stored::prospect_of(&mut tx, list_id, item.contact_id).await?;
            let sources = prospect
                .and_then(|p| p.profile.get("sources").cloned())
                .and_then(|s| serde_json::from_value::<Vec<String>>(s).ok())
                .unwrap_or_else(|| vec![item.stratum.clone()]);
            // Every item has its verdict here (checked above); the store decoded it.
            let Some(verdict) = item.verdict else {
                continue;
            };
            reviewed.push(ReviewedItem {
                id: item.contact_id,
                sources,
                verdict,
                reason: item.reason.clone(),
            });
        }
        let tallied = tally(&reviewed, items.len(), &config.sample);
        let request = if tallied.passed {
            Request::Approve {
                role: None,
                note: Some(format!(
                    "{} of {} sampled records match (at least {} needed)",
                    tallied.matches, tallied.reviewed, tallied.required
                )),
            }
        } else {
            Request::Reject {
                reason: rejection_reason(&tallied),
            }
        };
        let details = serde_json::to_value(&tallied).unwrap_or_default();
        gates::apply(
            &mut tx,
            &found,
            &who,
            request,
            json!({ "sample": details }),
            now,
        )
        .await?;
        outcome = Some(tallied);
    }
    let gate = stored_gates::get(&mut tx, gate_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("gate {gate_id} vanished")))?;
    tx.commit().await?;
    Ok(ReviewProgress {
        gate,
        items,
        outcome,
    })
}

/// A closed sample review approves or rejects its list, and says so.
pub(crate) async fn on_gate_closed(
    tx: &mut Conn,
    found: &Gate,
    decided: &Decided,
    details: &serde_json::Value,
    now: Timestamp,
) -> Result<()> {
    let Subject::List(list_id) = found.subject else {
        return Err(Error::NotFound(format!(
            "gate {} is not about a list",
            found.id
        )));
    };
    let (list_status, action, event) = match decided.decision.verdict {
        Verdict::Approve => (
            ListStatus::Approved,
            Action::ListApproved,
            EventKind::SampleApproved,
        ),
        Verdict::Reject => (
            ListStatus::Rejected,
            Action::ListRejected,
            EventKind::SampleRejected,
        ),
    };
    stored::set_list_status(tx, list_id, list_status).await?;
    announce(
        tx,
        action,
        event,
        &found.subject,
        json!({ "list": list_id, "gate": found.id, "sample": details["sample"] }),
        now,
    )
    .await
}

/// The rejection's reason: how many matched, and where the errors came from.
fn rejection_reason(t: &SampleOutcome) -> String {
    let sources = t
        .by_source
        .iter()
        .filter(|s| s.no_match > 0)
        .map(|s| {
            format!(
                "{} {} of {} ({:.0}%)",
                s.source,
                s.no_match,
                s.reviewed,
                s.error_rate * 100.0
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let reasons = t
        .by_reason
        .iter()
        .map(|r| format!("{} ×{}", r.reason, r.count))
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "{} of {} sampled records match, {} needed. No match by source: {sources}. Reasons: {reasons}",
        t.matches, t.reviewed, t.required
    )
}
