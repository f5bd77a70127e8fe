//! Stage 1 in the engine: proposing ICP versions, what happens when their gates close, and
//! the quarterly review.

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Attempt, Subject};
use leadgate_core::event::EventKind;
use leadgate_core::gate::{GateKind, GateStatus};
use leadgate_core::icp::{self, IcpDiff, IcpDocument};
use leadgate_core::role::ICP_PROPOSERS;
use leadgate_store::gates::{self, Gate};
use leadgate_store::icp::{self as stored, IcpStatus, IcpVersion, NewIcpVersion};
use leadgate_store::{Conn, Store};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Error, Result, announce, emit, person, record, refuse};

/// The ICP version a gate is about, if it is about one.
fn icp_of(subject: &Subject) -> Option<i64> {
    match subject {
        Subject::Icp(id) => Some(*id),
        _ => None,
    }
}

#[derive(Debug)]
pub struct Proposed {
    pub version: IcpVersion,
    pub gate: Gate,
    /// True when this is the segment's first version: a new market segment was entered.
    pub new_segment: bool,
    /// The change against the segment's live version, when there is one.
    pub against_live: Option<(IcpVersion, IcpDiff)>,
}

/// Stores a new, immutable version of the document's segment and opens its approval gate.
pub async fn propose(
    store: &Store,
    proposer: &str,
    text: &str,
    origin: &str,
    now: Timestamp,
) -> Result<Proposed> {
    let actor = Actor::Person(proposer.to_string());
    let inputs = json!({ "file": origin });
    let document = match IcpDocument::parse(text, origin) {
        Ok(document) => document,
        Err(e) => {
            return refuse(
                store,
                &actor,
                Attempt::ProposeIcp,
                &Subject::Icps,
                inputs,
                Error::Invalid(e.to_string()),
                now,
            )
            .await;
        }
    };
    let canonical = document.to_toml();
    let content_hash = hex::encode(Sha256::digest(canonical.as_bytes()));
    let segment = document.segment().to_string();

    let mut tx = store.begin().await?;
    let checked = check_proposal(&mut tx, proposer, &segment, &content_hash).await;
    if let Err(refusal) = checked {
        tx.rollback().await?;
        let inputs = json!({ "file": origin, "segment": segment });
        return refuse(
            store,
            &actor,
            Attempt::ProposeIcp,
            &Subject::Icps,
            inputs,
            refusal,
            now,
        )
        .await;
    }
    let live = stored::live(&mut tx, &segment).await?;
    let new_segment = stored::list(&mut tx)
        .await?
        .iter()
        .all(|v| v.segment != segment);
    let version = stored::insert(
        &mut tx,
        &NewIcpVersion {
            segment: &segment,
            source_text: text,
            document: &serde_json::to_value(&document)
                .map_err(|e| Error::Invalid(e.to_string()))?,
            content_hash: &content_hash,
            proposed_by: proposer,
            proposed_at: now,
        },
    )
    .await?;
    let subject = Subject::Icp(version.id);
    let summary = format!("{segment} v{} proposed by {proposer}", version.version);
    let gate = gates::open(
        &mut tx,
        GateKind::IcpApproval,
        &subject,
        &summary,
        Some(proposer),
        now,
    )
    .await?
    .ok_or_else(|| Error::Conflict(format!("an approval gate is already open for {subject}")))?;

    let against_live = live.map(|live| {
        let before: Option<IcpDocument> = serde_json::from_value(live.document.clone()).ok();
        let diff = before.map(|b| icp::diff(&b, &document));
        (live, diff)
    });
    record(
        &mut tx,
        &actor,
        Action::IcpProposed,
        &subject,
        json!({
            "file": origin,
            "segment": segment,
            "version": version.version,
            "content_hash": content_hash,
            "changed_against_live": against_live.as_ref().and_then(|(_, d)| d.as_ref()).map(|d| !d.is_empty()),
        }),
        now,
    )
    .await?;
    record(
        &mut tx,
        &Actor::System,
        Action::GateOpened,
        &Subject::Gate(gate.id),
        json!({ "kind": gate.kind, "subject": subject, "required_roles": gate.required_roles }),
        now,
    )
    .await?;
    let payload = json!({ "icp_version": version.id, "segment": segment, "version": version.version, "gate": gate.id });
    if new_segment {
        emit(
            &mut tx,
            EventKind::SegmentEntered,
            &subject,
            payload.clone(),
            now,
        )
        .await?;
    }
    emit(&mut tx, EventKind::IcpProposed, &subject, payload, now).await?;
    tx.commit().await?;

    let against_live = against_live.and_then(|(live, diff)| diff.map(|d| (live, d)));
    Ok(Proposed {
        version,
        gate,
        new_segment,
        against_live,
    })
}

async fn check_proposal(
    conn: &mut Conn,
    proposer: &str,
    segment: &str,
    content_hash: &str,
) -> Result<()> {
    let person = person(conn, proposer).await?;
    if !person.roles.iter().any(|r| ICP_PROPOSERS.contains(r)) {
        let roles: Vec<&str> = ICP_PROPOSERS.iter().map(|r| r.label()).collect();
        return Err(Error::Forbidden(format!(
            "{proposer} may not propose an ICP: that needs one of the roles {}",
            roles.join(", ")
        )));
    }
    for existing in stored::list(conn)
        .await?
        .iter()
        .filter(|v| v.segment == segment)
    {
        if existing.content_hash != content_hash {
            continue;
        }
        match existing.status {
            IcpStatus::Live => {
                return Err(Error::Conflict(format!(
                    "this is the live version of {segment} (v{}) unchanged; there is nothing to approve",
                    existing.version
                )));
            }
            IcpStatus::Proposed => {
                return Err(Error::Conflict(format!(
                    "{segment} v{} with the same content is already waiting at its gate",
                    existing.version
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// What closing an ICP gate does to its version. Runs in the transaction of the decision
/// that closed the gate.
pub async fn on_gate_closed(
    conn: &mut Conn,
    gate: &Gate,
    status: GateStatus,
    now: Timestamp,
) -> Result<()> {
    let id = icp_of(&gate.subject).ok_or_else(|| {
        Error::NotFound(format!(
            "gate {} has no ICP subject ({})",
            gate.id, gate.subject
        ))
    })?;
    let version = stored::get(conn, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("ICP version {id} does not exist")))?;
    let payload = json!({ "icp_version": version.id, "segment": version.segment, "version": version.version, "gate": gate.id });
    match (gate.kind, status) {
        (GateKind::IcpApproval, GateStatus::Approved) => go_live(conn, &version, gate, now).await,
        (GateKind::IcpApproval, GateStatus::Rejected) => {
            stored::transition(conn, id, IcpStatus::Rejected, None, now).await?;
            announce(
                conn,
                Action::IcpRejected,
                EventKind::IcpRejected,
                &gate.subject,
                payload,
                now,
            )
            .await
        }
        (GateKind::IcpReview, GateStatus::Approved) => {
            stored::mark_reviewed(conn, id, now).await?;
            announce(
                conn,
                Action::IcpReaffirmed,
                EventKind::IcpReaffirmed,
                &gate.subject,
                payload,
                now,
            )
            .await
        }
        (GateKind::IcpReview, GateStatus::Rejected) => {
            // The version stays live — a segment is never left without an ICP — but the
            // request for a new proposal is on record, and the next review is due in 90 days.
            stored::mark_reviewed(conn, id, now).await?;
            announce(
                conn,
                Action::IcpRevisionRequested,
                EventKind::IcpRevisionRequested,
                &gate.subject,
                payload,
                now,
            )
            .await
        }
        (_, GateStatus::Open | GateStatus::Cancelled)
        | (
            GateKind::SampleReview
            | GateKind::ModelCalibration
            | GateKind::ModelReview
            | GateKind::VariantApproval,
            _,
        ) => Ok(()),
    }
}

async fn go_live(conn: &mut Conn, version: &IcpVersion, gate: &Gate, now: Timestamp) -> Result<()> {
    if version.status != IcpStatus::Proposed {
        return Err(Error::Conflict(format!(
            "{} v{} is {}; only a proposed version can go live",
            version.segment, version.version, version.status
        )));
    }
    let previous = stored::live(conn, &version.segment).await?;
    if let Some(previous) = &previous {
        stored::transition(
            conn,
            previous.id,
            IcpStatus::Superseded,
            Some(version.id),
            now,
        )
        .await?;
        record(
            conn,
            &Actor::System,
            Action::IcpSuperseded,
            &Subject::Icp(previous.id),
            json!({ "segment": previous.segment, "version": previous.version, "superseded_by": version.id }),
            now,
        )
        .await?;
        // An open review of the version that just left is moot.
        super::gates::cancel_open(conn, &Subject::Icp(previous.id), GateKind::IcpReview, now)
            .await?;
    }
    // Older proposals of the segment still waiting can no longer go live.
    for older in stored::list(conn).await?.into_iter().filter(|v| {
        v.segment == version.segment
            && v.status == IcpStatus::Proposed
            && v.version < version.version
    }) {
        stored::transition(conn, older.id, IcpStatus::Withdrawn, Some(version.id), now).await?;
        super::gates::cancel_open(conn, &Subject::Icp(older.id), GateKind::IcpApproval, now)
            .await?;
        record(
            conn,
            &Actor::System,
            Action::IcpWithdrawn,
            &Subject::Icp(older.id),
            json!({ "segment": older.segment, "version": older.version, "overtaken_by": version.id }),
            now,
        )
        .await?;
    }
    stored::transition(conn, version.id, IcpStatus::Live, None, now).await?;
    let payload = json!({
        "icp_version": version.id,
        "segment": version.segment,
        "version": version.version,
        "gate": gate.id,
        "supersedes": previous.as_ref().map(|p| p.id),
    });
    announce(
        conn,
        Action::IcpLive,
        EventKind::IcpApproved,
        &gate.subject,
        payload,
        now,
    )
    .await
}

/// The job behind the quarterly review: opens the review gate of a version that is still live.
/// A version superseded in the meantime needs no review, and that is a success, not an error.
pub async fn open_review(conn: &mut Conn, version_id: i64, now: Timestamp) -> Result<Option<Gate>> {
    let Some(version) = stored::get(conn, version_id).await? else {
        return Ok(None);
    };
    if version.status != IcpStatus::Live {
        return Ok(None);
    }
    let subject = Subject::Icp(version.id);
    let summary = format!(
        "Quarterly review of {} v{}",
        version.segment, version.version
    );
    // The proposer of the live version does not reaffirm their own work either.
    let maker = Some(version.proposed_by.as_str());
    let Some(gate) = gates::open(conn, GateKind::IcpReview, &subject, &summary, maker, now).await?
    else {
        return Ok(None);
    };
    let payload = json!({ "icp_version": version.id, "segment": version.segment, "version": version.version, "gate": gate.id });
    record(
        conn,
        &Actor::System,
        Action::GateOpened,
        &Subject::Gate(gate.id),
        json!({ "kind": gate.kind, "subject": subject, "required_roles": gate.required_roles }),
        now,
    )
    .await?;
    emit(conn, EventKind::IcpReviewDue, &subject, payload, now).await?;
    Ok(Some(gate))
}

/// Finds a version from what a person typed: `3` (its id), `SEGMENT@2` (a segment's
/// version), or `SEGMENT` (its live version, else its newest). With nothing typed: the live
/// version of the only segment, else the newest version of the only segment.
pub async fn resolve(conn: &mut Conn, reference: Option<&str>) -> Result<IcpVersion> {
    let all = stored::list(conn).await?;
    let not_found = |what: String| Error::NotFound(what);
    let pick_in_segment = |segment: &str| {
        let of_segment: Vec<&IcpVersion> = all
            .iter()
            .filter(|v| v.segment.eq_ignore_ascii_case(segment))
            .collect();
        of_segment
            .iter()
            .find(|v| v.status == IcpStatus::Live)
            .or(of_segment.last())
            .map(|v| (*v).clone())
    };
    match reference.map(str::trim) {
        None | Some("") => {
            let mut segments: Vec<&str> = all.iter().map(|v| v.segment.as_str()).collect();
            segments.dedup();
            match segments.as_slice() {
                [] => Err(not_found(
                    "no ICP has been proposed yet (see `leadgate icp propose`)".into(),
                )),
                [only] => pick_in_segment(only).ok_or_else(|| not_found("no ICP version".into())),
                several => Err(Error::Invalid(format!(
                    "there are several segments ({}); name one, or a version id",
                    several.join(", ")
                ))),
            }
        }
        Some(text) => {
            if let Ok(id) = text.parse::<i64>() {
                return all.into_iter().find(|v| v.id == id).ok_or_else(|| {
                    not_found(format!("no ICP version {id} (see `leadgate icp list`)"))
                });
            }
            if let Some((segment, number)) = text.rsplit_once('@') {
                let number: i64 = number.trim_start_matches('v').parse().map_err(|_| {
                    Error::Invalid(format!(
                        "`{text}`: expected SEGMENT@VERSION, e.g. \"Mid-market SaaS@2\""
                    ))
                })?;
                return all
                    .into_iter()
                    .find(|v| v.segment.eq_ignore_ascii_case(segment) && v.version == number)
                    .ok_or_else(|| {
                        not_found(format!("no version {number} of segment `{segment}`"))
                    });
            }
            pick_in_segment(text).ok_or_else(|| {
                not_found(format!(
                    "no ICP version or segment `{text}` (see `leadgate icp list`)"
                ))
            })
        }
    }
}

/// The document of a stored version, parsed again from the text as proposed.
pub fn document(version: &IcpVersion) -> Result<IcpDocument> {
    IcpDocument::parse(&version.source_text, &Subject::Icp(version.id).to_string()).map_err(|e| {
        Error::Invalid(format!(
            "stored ICP version {} no longer parses: {e}",
            version.id
        ))
    })
}
