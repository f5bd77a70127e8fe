//! Stage 3's scoring run: the live model scores every admitted prospect of the approved
//! prospect lists, and each lead goes to outreach or nurture by the threshold.
//!
//! Only the live version scores; with none live, scoring is refused with the way to make one
//! live. A lead's features are computed by `core::scoring::lead` from its profile's facts and
//! its engagement and intent at `now`; its score, fit and engagement parts and top three
//! reasons are appended to its history, and a lead at or above the threshold is announced as
//! `LeadQualified` once per model version. New engagement rescores only the leads it
//! touches ([`rescore_import`]), so one web visit does not rescore the workspace. Every run
//! leaves one audit entry with its counts.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Subject};
use leadgate_core::discovery::prospect::{ListStatus, Standing};
use leadgate_core::engagement::{PagePolicy, SignalIndex, Window};
use leadgate_core::enrichment::{EnrichField, SubjectKind};
use leadgate_core::event::EventKind;
use leadgate_core::scoring::lead::{
    LeadInputs, LeadStage, columns_of, features_of, row_for, score_lead, unknown_features,
};
use leadgate_core::scoring::scorecard::Scorecard;
use leadgate_store::discovery::{self as discovery_store, Prospect, Record};
use leadgate_store::engagement as engagement_store;
use leadgate_store::leads::{self as stored, NewLeadScore};
use leadgate_store::models::{self, ModelVersion};
use leadgate_store::{Conn, Store};
use serde::Serialize;
use serde_json::{Value, json};

use super::settings::ScoringConfig;
use super::{Error, Result, emit, record};

/// The longest window a lead feature counts over, in days.
const LONGEST_WINDOW_DAYS: u32 = 90;

/// What a scoring run did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoringRun {
    pub model: i64,
    pub version: String,
    pub threshold: i64,
    pub scored: usize,
    pub outreach: usize,
    pub nurture: usize,
    /// Leads that reached the threshold for the first time under this version.
    pub qualified: usize,
}

/// Scores every admitted prospect of the approved lists with the live model.
pub async fn run(
    store: &Store,
    config: &ScoringConfig,
    pages: &PagePolicy,
    now: Timestamp,
) -> Result<ScoringRun> {
    score(store, config, pages, None, now).await
}

/// Scores only `contacts` (those among the leads; the others are not leads and are left
/// alone).
pub async fn rescore(
    store: &Store,
    config: &ScoringConfig,
    pages: &PagePolicy,
    contacts: &[i64],
    now: Timestamp,
) -> Result<ScoringRun> {
    let only: HashSet<i64> = contacts.iter().copied().collect();
    score(store, config, pages, Some(&only), now).await
}

/// Rescores the leads an engagement import touched (by address or, for an anonymous visit
/// or intent, by company domain). Nothing when no model is live or no lead was touched.
pub async fn rescore_import(
    store: &Store,
    config: &ScoringConfig,
    pages: &PagePolicy,
    import_id: i64,
    now: Timestamp,
) -> Result<Option<ScoringRun>> {
    let mut conn = store.conn().await?;
    if models::live(&mut conn).await?.is_none() {
        return Ok(None);
    }
    let (emails, domains) = stored::touched_by_import(&mut conn, import_id).await?;
    let touched: Vec<i64> = leads(&mut conn)
        .await?
        .into_iter()
        .filter(|p| {
            (!p.columns.email.is_empty() && emails.contains(&p.columns.email))
                || (!p.columns.domain.is_empty() && domains.contains(&p.columns.domain))
        })
        .map(|p| p.contact_id)
        .collect();
    drop(conn);
    if touched.is_empty() {
        return Ok(None);
    }
    rescore(store, config, pages, &touched, now).await.map(Some)
}

/// The live model's card, or why there is none to score with.
pub async fn live_card(conn: &mut Conn) -> Result<(ModelVersion, Scorecard)> {
    let live = models::live(conn).await?.ok_or_else(|| {
        Error::Conflict(
            "no scoring model is live: propose one (`leadgate model train` or a rules card) \
             and have sales ops approve it at its calibration gate"
                .to_string(),
        )
    })?;
    let card: Scorecard = serde_json::from_value(live.artifact["scorecard"].clone())
        .map_err(|e| Error::corrupt(format!("model {}: scorecard: {e}", live.version)))?;
    let unknown = unknown_features(&card);
    if !unknown.is_empty() {
        return Err(Error::Invalid(format!(
            "scoring model {} reads {} that live leads do not have, so it cannot score them \
             (docs/scoring.md, \"What a lead is scored on\", lists the names)",
            live.version,
            unknown
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok((live, card))
}

/// The leads: admitted prospects of the approved lists, each contact once (its newest list).
async fn leads(conn: &mut Conn) -> Result<Vec<Prospect>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for list in discovery_store::lists(conn).await? {
        if list.status != ListStatus::Approved {
            continue;
        }
        for p in discovery_store::prospects(conn, list.id, Some(Standing::Admitted)).await? {
            if seen.insert(p.contact_id) {
                out.push(p);
            }
        }
    }
    out.sort_by_key(|p| p.contact_id);
    Ok(out)
}

/// A profile's facts (field → survivor) as field → value.
fn facts_of(profile: &Value, side: &str) -> BTreeMap<String, Value> {
    profile
        .get(side)
        .and_then(Value::as_object)
        .map(|fields| {
            fields
                .iter()
                .map(|(k, v)| (k.clone(), v.get("value").cloned().unwrap_or(v.clone())))
                .collect()
        })
        .unwrap_or_default()
}

/// The enrichment fields each contact's records hold that a profile does not carry: the
/// newest record's value of each (enrichment stores its answers as facts with the provider
/// as source).
fn enrichment_facts(records: &[Record]) -> HashMap<i64, Vec<(EnrichField, Value)>> {
    let mut newest: HashMap<(i64, EnrichField), (Timestamp, Value)> = HashMap::new();
    for r in records {
        for &field in EnrichField::ALL {
            let Some(value) = r.facts.get(field.as_str()) else {
                continue;
            };
            let key = (r.contact_id, field);
            if newest.get(&key).is_none_or(|(at, _)| *at <= r.observed_at) {
                newest.insert(key, (r.observed_at, value.clone()));
            }
        }
    }
    let mut out: HashMap<i64, Vec<(EnrichField, Value)>> = HashMap::new();
    for ((contact, field), (_, value)) in newest {
        out.entry(contact).or_default().push((field, value));
    }
    out
}

async fn score(
    store: &Store,
    config: &ScoringConfig,
    pages: &PagePolicy,
    only: Option<&HashSet<i64>>,
    now: Timestamp,
) -> Result<ScoringRun> {
    let mut tx = store.begin().await?;
    let (live, card) = live_card(&mut tx).await?;
    let threshold = config.threshold.unwrap_or(card.scale.even_odds_score);
    let columns = columns_of(&card);
    let layout = card
        .layout(&columns)
        .map_err(|c| Error::Internal(format!("the card's own column `{c}` has no place")))?;
    let mut leads = leads(&mut tx).await?;
    if let Some(only) = only {
        leads.retain(|p| only.contains(&p.contact_id));
    }
    let ids: Vec<i64> = leads.iter().map(|p| p.contact_id).collect();
    let mut enriched = enrichment_facts(&discovery_store::records_of(&mut tx, &ids).await?);
    let from = Window::days(LONGEST_WINDOW_DAYS).start(now);
    let index = SignalIndex::build(
        &engagement_store::engagement_between(&mut tx, from, now).await?,
        &engagement_store::intent_between(&mut tx, None, from, now).await?,
        pages,
    );
    let mut outcome = ScoringRun {
        model: live.id,
        version: live.version.clone(),
        threshold,
        scored: 0,
        outreach: 0,
        nurture: 0,
        qualified: 0,
    };
    for p in &leads {
        let mut person = facts_of(&p.profile, "person");
        let mut company = facts_of(&p.profile, "company");
        for (field, value) in enriched.remove(&p.contact_id).unwrap_or_default() {
            let side = match field.subject() {
                SubjectKind::Contact => &mut person,
                SubjectKind::Company => &mut company,
            };
            side.entry(field.as_str().to_string()).or_insert(value);
        }
        let signals = index.for_contact(
            [p.columns.email.as_str()]
                .into_iter()
                .filter(|e| !e.is_empty()),
            [p.columns.domain.as_str()]
                .into_iter()
                .filter(|d| !d.is_empty()),
        );
        let features = features_of(
            &LeadInputs {
                person: &person,
                company: &company,
                signals: &signals.signals,
                intent: &signals.intent,
            },
            now,
        );
        let scored = score_lead(&card, &layout, &row_for(&features, &columns))
            .map_err(|e| Error::Invalid(format!("lead {} cannot be scored: {e}", p.contact_id)))?;
        let stage = LeadStage::of(scored.score, threshold);
        stored::insert(
            &mut tx,
            &NewLeadScore {
                id: 0,
                contact_id: p.contact_id,
                model_id: live.id,
                score: scored.score,
                probability: scored.probability,
                fit: scored.fit,
                engagement: scored.engagement,
                stage,
                reasons: serde_json::to_value(&scored.reasons).unwrap_or(Value::Null),
                name: p.columns.name.clone(),
                email: p.columns.email.clone(),
                company: p.columns.company.clone(),
                scored_at: now,
            },
        )
        .await?;
        outcome.scored += 1;
        match stage {
            LeadStage::Outreach => {
                outcome.outreach += 1;
                if stored::qualify(&mut tx, p.contact_id, live.id, now).await? {
                    outcome.qualified += 1;
                    emit(
                        &mut tx,
                        EventKind::LeadQualified,
                        &Subject::Model(live.id),
                        json!({ "contact": p.contact_id, "model": live.id, "score": scored.score, "threshold": threshold }),
                        now,
                    )
                    .await?;
                }
            }
            LeadStage::Nurture => outcome.nurture += 1,
        }
    }
    let mut inputs = serde_json::to_value(&outcome).unwrap_or(Value::Null);
    if let (Some(only), Value::Object(map)) = (only, &mut inputs) {
        let contacts: BTreeSet<i64> = only.iter().copied().collect();
        map.insert("contacts".into(), json!(contacts));
    }
    record(
        &mut tx,
        &Actor::System,
        Action::LeadsScored,
        &Subject::Model(live.id),
        inputs,
        now,
    )
    .await?;
    // A full run sees the whole distribution: drift may call for the review now.
    if only.is_none() {
        super::model::open_early(&mut tx, config, now).await?;
    }
    tx.commit().await?;
    tracing::info!(
        scored = outcome.scored,
        outreach = outcome.outreach,
        "Leads scored."
    );
    Ok(outcome)
}

/// One fact of a lead, with where and when it was seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourcedFact {
    /// `person` or `company`.
    pub of: String,
    pub field: String,
    pub value: String,
    pub source: String,
    pub observed_at: Option<Timestamp>,
}

/// A lead whole: where it stands, its facts with their sources, and every scoring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadDetail {
    pub id: i64,
    pub current: stored::LeadScore,
    pub facts: Vec<SourcedFact>,
    /// Newest first; the first is `current`.
    pub history: Vec<stored::LeadScore>,
    /// What happened to the lead, oldest first.
    pub outcomes: Vec<leadgate_store::outcomes::Outcome>,
}

/// Where every lead stands, optionally of one stage, highest score first.
pub async fn list(store: &Store, stage: Option<LeadStage>) -> Result<Vec<stored::LeadScore>> {
    let mut conn = store.conn().await?;
    Ok(stored::current(&mut conn, stage).await?)
}

/// One lead (by contact id) with its facts and history.
pub async fn detail(store: &Store, id: i64) -> Result<LeadDetail> {
    let mut conn = store.conn().await?;
    let history = stored::history(&mut conn, id).await?;
    let current = history
        .first()
        .cloned()
        .ok_or_else(|| Error::NotFound(format!("no lead {id}: contact {id} was never scored")))?;
    let mut facts = Vec::new();
    if let Some(p) = discovery_store::prospects_of_contact(&mut conn, id)
        .await?
        .into_iter()
        .next()
    {
        for of in ["person", "company"] {
            let fields = p.profile.get(of).and_then(Value::as_object);
            for (field, survivor) in fields.into_iter().flatten() {
                let text = |key: &str| {
                    survivor
                        .get(key)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                facts.push(SourcedFact {
                    of: of.to_string(),
                    field: field.clone(),
                    value: text("value"),
                    source: text("source"),
                    observed_at: text("observed_at").parse().ok(),
                });
            }
        }
    }
    let outcomes = leadgate_store::outcomes::of_lead(&mut conn, id).await?;
    Ok(LeadDetail {
        id,
        current,
        facts,
        history,
        outcomes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(contact_id: i64, at: &str, facts: Value) -> Record {
        Record {
            id: 0,
            import_id: 0,
            contact_id,
            source: "enrich".into(),
            source_record_id: None,
            row_number: 1,
            observed_at: at.parse().unwrap(),
            email: None,
            linkedin: None,
            facts: facts.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn the_newest_enrichment_answer_of_each_field_is_read_by_contact() {
        let records = [
            record(
                1,
                "2026-01-01T00:00:00Z",
                json!({ "headcount": 120, "title": "VP" }),
            ),
            record(1, "2026-06-01T00:00:00Z", json!({ "headcount": 150 })),
            record(
                2,
                "2026-03-01T00:00:00Z",
                json!({ "role_start_date": "2024-02-01" }),
            ),
        ];
        let mut facts = enrichment_facts(&records);
        assert_eq!(
            facts.remove(&1).unwrap(),
            [(EnrichField::Headcount, json!(150))]
        );
        assert_eq!(
            facts.remove(&2).unwrap(),
            [(EnrichField::RoleStartDate, json!("2024-02-01"))]
        );
        assert!(facts.is_empty());
    }
}
