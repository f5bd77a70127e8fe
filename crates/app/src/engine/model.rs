//! Stage 3's gate in the engine: scoring model versions from proposal to live, their reviews,
//! and restoring the previous version.
//!
//! A version is proposed by whoever trained or wrote it, as a draft with its calibration
//! report; a `model_calibration` gate opens, carrying the report's warnings, so that sales ops
//! (never the maker) approves it — over a warning only with a written reason. Approval makes
//! it the one live version and retires the one before, which [`restore`] brings back in one
//! step. Reviews fall due 30 and 60 days after a version goes live, then quarterly
//! (`leadgate_core::schedule::model_review_due`): the triggers queue them as due jobs and
//! [`open_review`] opens the gate, with the review's evidence (predicted against observed
//! conversion by score band, `core::scoring::review`) kept beside it and its red flags as
//! the gate's warnings. A full scoring run asks [`open_early`] whether drift calls for the
//! review before its date.

use std::collections::HashMap;

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Attempt, Subject};
use leadgate_core::event::EventKind;
use leadgate_core::gate::{GateKind, GateStatus};
use leadgate_core::role::Role;
use leadgate_core::scoring::outcome::OutcomeKind;
use leadgate_core::scoring::report::{self, CalibrationReport, Evaluation, ReportInput, Severity};
use leadgate_core::scoring::review::{self, Evidence, ScoredLead};
use leadgate_core::scoring::scorecard::{Scale, Scorecard};
use leadgate_core::scoring::version::ModelVersion as TrainedVersion;
use leadgate_store::gates::{self, Gate};
use leadgate_store::models::{
    self as stored, ModelOrigin, ModelStatus, ModelVersion, NewModelVersion,
};
use leadgate_store::outcomes::StoredReview;
use leadgate_store::{Conn, Store};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::settings::ScoringConfig;
use super::{Attempted, Error, Result, announce, emit, person, record, settle};

/// The roles that may propose a model version and restore the previous one: sales ops runs
/// scoring, and an admin may stand in. Proposing changes nothing live — the gate decides.
pub const MODEL_KEEPERS: [Role; 2] = [Role::SalesOps, Role::Admin];

/// A version as its maker hands it in: the scorecard and its training summary (`artifact`),
/// the calibration report, and what the report warns of, in words.
#[derive(Debug, Clone)]
pub struct Draft {
    pub version: String,
    pub origin: ModelOrigin,
    pub artifact: Value,
    pub report: Value,
    pub warnings: Vec<String>,
}

#[derive(Debug)]
pub struct Proposed {
    pub version: ModelVersion,
    pub gate: Gate,
}

fn keeper_check(person: &leadgate_store::people::Person, what: &str) -> Result<()> {
    if person.roles.iter().any(|r| MODEL_KEEPERS.contains(r)) {
        return Ok(());
    }
    let roles: Vec<&str> = MODEL_KEEPERS.iter().map(|r| r.label()).collect();
    Err(Error::Forbidden(format!(
        "{} may not {what}: that needs one of the roles {}",
        person.name,
        roles.join(", ")
    )))
}

/// Stores a draft version and opens its calibration gate, with the report's warnings.
pub async fn propose(store: &Store, maker: &str, draft: Draft, now: Timestamp) -> Result<Proposed> {
    let actor = Actor::Person(maker.to_string());
    let inputs =
        json!({ "version": draft.version, "origin": draft.origin, "warnings": draft.warnings });
    let mut tx = store.begin().await?;
    let checked = async {
        let person = person(&mut tx, maker).await?;
        keeper_check(&person, "propose a scoring model")?;
        // A card that reads a column no live lead has could never score one.
        if let Some(card) = draft
            .artifact
            .get("scorecard")
            .and_then(|c| serde_json::from_value::<Scorecard>(c.clone()).ok())
        {
            let unknown = leadgate_core::scoring::lead::unknown_features(&card);
            if !unknown.is_empty() {
                return Err(Error::Invalid(format!(
                    "model {} reads {} — not what a live lead is scored on, so it could \
                     score no lead here; train on a history in the lead vocabulary (see \
                     docs/scoring.md, \"What a lead is scored on\"), or --exclude {}",
                    draft.version,
                    unknown.join(", "),
                    unknown.join(",")
                )));
            }
        }
        if let Some(existing) = stored::find(&mut tx, &draft.version).await? {
            return Err(Error::Conflict(format!(
                "model {} exists already ({}): the same model was proposed before",
                existing.version, existing.status
            )));
        }
        Ok(())
    }
    .await;
    let attempted = Attempted {
        actor: &actor,
        action: Attempt::ProposeModel,
        subject: &Subject::Models,
        inputs: &inputs,
    };
    let ((), mut tx) = settle(checked, tx, store, attempted, now).await?;
    let version = stored::insert(
        &mut tx,
        &NewModelVersion {
            version: &draft.version,
            origin: draft.origin,
            made_by: maker,
            made_at: now,
            artifact: &draft.artifact,
            report: &draft.report,
        },
    )
    .await?
    .ok_or_else(|| Error::Conflict(format!("model {} exists already", draft.version)))?;
    let subject = Subject::Model(version.id);
    let summary = format!("Scoring model {} proposed by {maker}", version.version);
    let mut gate = gates::open(
        &mut tx,
        GateKind::ModelCalibration,
        &subject,
        &summary,
        Some(maker),
        now,
    )
    .await?
    .ok_or_else(|| Error::Conflict(format!("a calibration gate is already open for {subject}")))?;
    gates::set_warnings(&mut tx, gate.id, &draft.warnings).await?;
    gate.warnings = draft.warnings.clone();
    let payload = json!({ "model": version.id, "version": version.version, "gate": gate.id });
    record(
        &mut tx,
        &actor,
        Action::ModelProposed,
        &subject,
        json!({ "version": version.version, "origin": version.origin, "warnings": draft.warnings }),
        now,
    )
    .await?;
    record(
        &mut tx,
        &Actor::System,
        Action::GateOpened,
        &Subject::Gate(gate.id),
        json!({ "kind": gate.kind, "subject": subject, "required_roles": gate.required_roles, "warnings": gate.warnings }),
        now,
    )
    .await?;
    emit(&mut tx, EventKind::ModelProposed, &subject, payload, now).await?;
    tx.commit().await?;
    Ok(Proposed { version, gate })
}

/// Proposes a version trained from a history file: its calibration report is built here,
/// against the live version's card for feature drift, and the report's warnings go to the
/// gate. `capacity` is how many leads sales can take (the threshold table marks its row).
pub async fn propose_trained(
    store: &Store,
    maker: &str,
    trained: &TrainedVersion,
    capacity: Option<u64>,
    now: Timestamp,
) -> Result<Proposed> {
    let previous = {
        let mut conn = store.conn().await?;
        stored::live(&mut conn)
            .await?
            .and_then(|live| serde_json::from_value::<TrainedVersion>(live.artifact).ok())
    };
    let input = ReportInput::of_version(trained, now, Some(maker), previous.as_ref(), capacity);
    let report = report::build(&input);
    let warnings = warnings_of(&report);
    let draft = Draft {
        version: trained.version.clone(),
        origin: ModelOrigin::Trained,
        artifact: to_json(trained)?,
        report: to_json(&report)?,
        warnings,
    };
    propose(store, maker, draft, now).await
}

/// Proposes a hand-written rules card (the start for a team without enough history). It has
/// no history to be measured on, so its report holds only its points; its name is
/// `r-YYYYMMDD-` and a hash of the card.
pub async fn propose_rules(
    store: &Store,
    maker: &str,
    card: &Scorecard,
    now: Timestamp,
) -> Result<Proposed> {
    let artifact = json!({ "scorecard": card });
    let digest = hex::encode(Sha256::digest(artifact.to_string().as_bytes()));
    let day = now
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .strftime("%Y%m%d");
    let version = format!("r-{day}-{}", &digest[..6]);
    let points = report::of_version::points_of(card);
    let input = ReportInput {
        version: version.clone(),
        trained_at: now,
        trained_by: Some(maker.to_string()),
        training_rows: 0,
        training_conversions: 0,
        cross_validated: Evaluation::default(),
        folds: Vec::new(),
        out_of_time: None,
        features: Vec::new(),
        previous: None,
        points,
        capacity: None,
    };
    let draft = Draft {
        version,
        origin: ModelOrigin::Rules,
        artifact,
        report: to_json(&report::build(&input))?,
        // Rules are what the data-sufficiency finding recommends; they are not measured, so
        // nothing warns: the approver reads the points.
        warnings: Vec::new(),
    };
    propose(store, maker, draft, now).await
}

/// The report's warnings in words, as the gate shows them.
pub fn warnings_of(report: &CalibrationReport) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| f.title.clone())
        .collect()
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::Internal(format!("model to JSON: {e}")))
}

fn model_of(gate: &Gate) -> Result<i64> {
    match gate.subject {
        Subject::Model(id) => Ok(id),
        _ => Err(Error::NotFound(format!(
            "gate {} has no model subject ({})",
            gate.id, gate.subject
        ))),
    }
}

async fn version_of(conn: &mut Conn, id: i64) -> Result<ModelVersion> {
    stored::get(conn, id).await?.ok_or_else(|| {
        Error::NotFound(format!("no scoring model {id} (see `leadgate model list`)"))
    })
}

/// What closing a model gate does to its version. Runs in the transaction of the decision
/// that closed the gate.
pub async fn on_gate_closed(
    conn: &mut Conn,
    gate: &Gate,
    status: GateStatus,
    now: Timestamp,
) -> Result<()> {
    let version = version_of(conn, model_of(gate)?).await?;
    let payload = json!({ "model": version.id, "version": version.version, "gate": gate.id });
    match (gate.kind, status) {
        (GateKind::ModelCalibration, GateStatus::Approved) => {
            go_live(conn, &version, gate, now).await
        }
        (GateKind::ModelCalibration, GateStatus::Rejected) => {
            move_to(conn, &version, ModelStatus::Rejected, None, now).await?;
            announce(
                conn,
                Action::ModelRejected,
                EventKind::ModelRejected,
                &gate.subject,
                payload,
                now,
            )
            .await
        }
        (GateKind::ModelReview, GateStatus::Approved | GateStatus::Rejected) => {
            // Either way the review is done and the next falls due; a rejection keeps the
            // version scoring — leads are never left unscored — with retraining asked for.
            let reviews_done = stored::mark_reviewed(conn, version.id).await?;
            let mut payload = payload;
            payload["reviews_done"] = json!(reviews_done);
            payload["live_at"] = json!(version.live_at);
            let (action, kind) = if status == GateStatus::Approved {
                (Action::ModelReaffirmed, EventKind::ModelReaffirmed)
            } else {
                (
                    Action::ModelRetrainRequested,
                    EventKind::ModelRetrainRequested,
                )
            };
            announce(conn, action, kind, &gate.subject, payload, now).await
        }
        _ => Ok(()),
    }
}

async fn move_to(
    conn: &mut Conn,
    version: &ModelVersion,
    to: ModelStatus,
    replaced: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    if !version.status.may_become(to) {
        return Err(Error::Conflict(format!(
            "model {} is {}; it cannot become {to}",
            version.version, version.status
        )));
    }
    stored::transition(conn, version.id, to, replaced, now).await?;
    Ok(())
}

/// Retires the live version, if any, and cancels its open review: another takes its place.
async fn retire_live(conn: &mut Conn, now: Timestamp) -> Result<Option<ModelVersion>> {
    let Some(live) = stored::live(conn).await? else {
        return Ok(None);
    };
    move_to(conn, &live, ModelStatus::Retired, None, now).await?;
    super::gates::cancel_open(conn, &Subject::Model(live.id), GateKind::ModelReview, now).await?;
    record(
        conn,
        &Actor::System,
        Action::ModelRetired,
        &Subject::Model(live.id),
        json!({ "version": live.version }),
        now,
    )
    .await?;
    Ok(Some(live))
}

async fn go_live(
    conn: &mut Conn,
    version: &ModelVersion,
    gate: &Gate,
    now: Timestamp,
) -> Result<()> {
    let previous = retire_live(conn, now).await?;
    move_to(
        conn,
        version,
        ModelStatus::Live,
        previous.as_ref().map(|p| p.id),
        now,
    )
    .await?;
    let payload = json!({
        "model": version.id,
        "version": version.version,
        "gate": gate.id,
        "replaces": previous.as_ref().map(|p| p.id),
        "live_at": now,
        "reviews_done": 0,
    });
    announce(
        conn,
        Action::ModelLive,
        EventKind::ModelApproved,
        &gate.subject,
        payload,
        now,
    )
    .await
}

/// Withdraws the live version and makes the one it replaced live again, in one step, by a
/// person who keeps the models (sales ops or an admin). The restored version was approved at
/// its own gate before; its reviews start again from now.
pub async fn restore(store: &Store, person_name: &str, now: Timestamp) -> Result<ModelVersion> {
    let actor = Actor::Person(person_name.to_string());
    let inputs = json!({});
    let mut tx = store.begin().await?;
    let checked = async {
        let person = person(&mut tx, person_name).await?;
        keeper_check(&person, "restore a scoring model")?;
        let live = stored::live(&mut tx).await?.ok_or_else(|| {
            Error::Conflict("no scoring model is live, so there is nothing to restore from".into())
        })?;
        let previous_id = live.replaced.ok_or_else(|| {
            Error::Conflict(format!(
                "model {} replaced no earlier version: there is none to restore",
                live.version
            ))
        })?;
        let previous = version_of(&mut tx, previous_id).await?;
        Ok((live, previous))
    }
    .await;
    let attempted = Attempted {
        actor: &actor,
        action: Attempt::RestoreModel,
        subject: &Subject::Models,
        inputs: &inputs,
    };
    let ((live, previous), mut tx) = settle(checked, tx, store, attempted, now).await?;
    retire_live(&mut tx, now).await?;
    move_to(&mut tx, &previous, ModelStatus::Live, None, now).await?;
    let subject = Subject::Model(previous.id);
    record(
        &mut tx,
        &actor,
        Action::ModelRestored,
        &subject,
        json!({ "version": previous.version, "withdrawn": live.version }),
        now,
    )
    .await?;
    let payload = json!({
        "model": previous.id,
        "version": previous.version,
        "withdrawn": live.id,
        "live_at": now,
        "reviews_done": 0,
    });
    emit(&mut tx, EventKind::ModelRestored, &subject, payload, now).await?;
    let restored = version_of(&mut tx, previous.id).await?;
    tx.commit().await?;
    Ok(restored)
}

/// The job behind a review date: opens the review gate of a version that is still live and
/// has had `reviews_done` reviews, with the review's evidence. A version retired in the
/// meantime, or a review already passed or open, needs nothing, and that is a success, not
/// an error.
pub async fn open_review(
    conn: &mut Conn,
    model_id: i64,
    reviews_done: i64,
    config: &ScoringConfig,
    now: Timestamp,
) -> Result<Option<Gate>> {
    let Some(version) = stored::get(conn, model_id).await? else {
        return Ok(None);
    };
    if version.status != ModelStatus::Live || version.reviews_done != reviews_done {
        return Ok(None);
    }
    let which = match reviews_done {
        0 => "30-day review".to_string(),
        1 => "60-day review".to_string(),
        _ => "quarterly review".to_string(),
    };
    let summary = format!("{which} of scoring model {}", version.version);
    let evidence = review_evidence(conn, &version, config, now).await?;
    open_review_gate(conn, &version, &summary, None, &evidence, now).await
}

/// Opens the live version's review before its date when its leads have drifted since it went
/// live (score PSI above 0.25 against its first scoring run) or, with
/// enough outcomes, its predictions miss the observed conversion by more than 20 %
/// relative. Run at the end of every full scoring run; a review already open is not opened
/// twice.
pub async fn open_early(
    conn: &mut Conn,
    config: &ScoringConfig,
    now: Timestamp,
) -> Result<Option<Gate>> {
    let Some(version) = stored::live(conn).await? else {
        return Ok(None);
    };
    let baseline = leadgate_store::outcomes::first_run_probabilities(conn, version.id).await?;
    let live = leadgate_store::outcomes::current_probabilities(conn, version.id).await?;
    let psi = review::drift(&baseline, &live);
    let evidence = review_evidence(conn, &version, config, now).await?;
    let Some(reason) = review::early_reason(psi, &evidence) else {
        return Ok(None);
    };
    let summary = format!(
        "Early review of scoring model {}: {reason}",
        version.version
    );
    let gate = open_review_gate(conn, &version, &summary, Some(&reason), &evidence, now).await?;
    if let Some(gate) = &gate {
        record(
            conn,
            &Actor::System,
            Action::ModelReviewOpenedEarly,
            &Subject::Model(version.id),
            json!({ "version": version.version, "gate": gate.id, "reason": reason, "score_psi": psi }),
            now,
        )
        .await?;
        tracing::info!(gate = gate.id, %reason, "Model review opened early.");
    }
    Ok(gate)
}

async fn open_review_gate(
    conn: &mut Conn,
    version: &ModelVersion,
    summary: &str,
    early: Option<&str>,
    evidence: &Evidence,
    now: Timestamp,
) -> Result<Option<Gate>> {
    let subject = Subject::Model(version.id);
    // The maker of the live version does not review their own work either.
    let maker = Some(version.made_by.as_str());
    let Some(mut gate) =
        gates::open(conn, GateKind::ModelReview, &subject, summary, maker, now).await?
    else {
        return Ok(None);
    };
    // The review's red flags are the gate's warnings: approving over them needs a reason.
    gates::set_warnings(conn, gate.id, &evidence.warnings).await?;
    gate.warnings = evidence.warnings.clone();
    leadgate_store::outcomes::insert_review(
        conn,
        &StoredReview {
            gate_id: gate.id,
            model_id: version.id,
            reason: early.unwrap_or_default().to_string(),
            evidence: to_json(evidence)?,
            computed_at: now,
        },
    )
    .await?;
    record(
        conn,
        &Actor::System,
        Action::GateOpened,
        &Subject::Gate(gate.id),
        json!({ "kind": gate.kind, "subject": subject, "required_roles": gate.required_roles, "warnings": gate.warnings, "early": early }),
        now,
    )
    .await?;
    let payload = json!({ "model": version.id, "version": version.version, "gate": gate.id, "review": version.reviews_done + 1, "early": early });
    emit(conn, EventKind::ModelReviewDue, &subject, payload, now).await?;
    Ok(Some(gate))
}

/// What happened to the leads a version scored, against what it predicted: the evidence of
/// its reviews, computed at `now` from their first scoring under it and the outcomes
/// recorded on them.
pub async fn review_evidence(
    conn: &mut Conn,
    version: &ModelVersion,
    config: &ScoringConfig,
    now: Timestamp,
) -> Result<Evidence> {
    // The threshold scoring uses: the setting, else the card's even-odds score (a version
    // whose card does not read has scored nothing, and the default scale's is as good).
    let threshold = config.threshold.unwrap_or_else(|| {
        serde_json::from_value::<Scorecard>(version.artifact["scorecard"].clone())
            .map(|card| card.scale.even_odds_score)
            .unwrap_or(Scale::default().even_odds_score)
    });
    let mut outcomes: HashMap<i64, Vec<(OutcomeKind, jiff::civil::Date)>> = HashMap::new();
    for o in leadgate_store::outcomes::of_model(conn, version.id).await? {
        outcomes.entry(o.lead).or_default().push((o.kind, o.on));
    }
    let leads: Vec<ScoredLead> = leadgate_store::outcomes::first_scorings(conn, version.id)
        .await?
        .into_iter()
        .map(|(contact, score, probability, scored_at)| ScoredLead {
            score,
            probability,
            scored_at,
            outcomes: outcomes.remove(&contact).unwrap_or_default(),
        })
        .collect();
    Ok(review::evidence(&leads, &config.conversion, threshold, now))
}

/// A version's review as `leadgate model review` prints it: computed now, with the reviews
/// its gates were opened with.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub model: i64,
    pub version: String,
    pub evidence: Evidence,
    pub opened: Vec<StoredReview>,
}

/// The review of a version (by name or id; with nothing named, the live one) at `now`.
pub async fn review(
    store: &Store,
    reference: Option<&str>,
    config: &ScoringConfig,
    now: Timestamp,
) -> Result<Review> {
    let mut conn = store.conn().await?;
    let version = match reference.map(str::trim).filter(|r| !r.is_empty()) {
        Some(_) => resolve(&mut conn, reference).await?,
        None => stored::live(&mut conn).await?.ok_or_else(|| {
            Error::NotFound("no scoring model is live: name the version to review".into())
        })?,
    };
    let evidence = review_evidence(&mut conn, &version, config, now).await?;
    let opened = leadgate_store::outcomes::reviews_of_model(&mut conn, version.id).await?;
    Ok(Review {
        model: version.id,
        version: version.version,
        evidence,
        opened,
    })
}

/// The evidence a review gate was opened with, when it is one.
pub async fn review_of_gate(store: &Store, gate_id: i64) -> Result<Option<StoredReview>> {
    let mut conn = store.conn().await?;
    Ok(leadgate_store::outcomes::review_of_gate(&mut conn, gate_id).await?)
}

/// A version from what a person typed: its name or id; with nothing typed, the newest.
pub async fn resolve(conn: &mut Conn, reference: Option<&str>) -> Result<ModelVersion> {
    match reference.map(str::trim).filter(|r| !r.is_empty()) {
        Some(text) => stored::find(conn, text).await?.ok_or_else(|| {
            Error::NotFound(format!(
                "no scoring model `{text}` (see `leadgate model list`)"
            ))
        }),
        None => stored::list(conn)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Error::NotFound("no scoring model has been proposed yet".into())),
    }
}
