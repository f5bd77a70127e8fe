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
use std::sync::Arc;

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Subject};
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
use leadgate_store::models;
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
/// One transaction from finding whom the import touched to the committed scores: this runs
/// after every event posted, so it reads only the touched leads' worth.
pub async fn rescore_import(
    store: &Store,
    config: &ScoringConfig,
    pages: &PagePolicy,
    import_id: i64,
    now: Timestamp,
) -> Result<Option<ScoringRun>> {
    // Everything is read before the write lock is taken, so that other writers (the next
    // batch of events, the worker routing a lead) are not kept waiting on reads; SQLite has
    // one writer at a time.
    let mut conn = store.conn().await?;
    // No live model, nothing to rescore; one live, it is the one this rescore scores with.
    let Some(live) = live_card_if_any(store, &mut conn).await? else {
        return Ok(None);
    };
    let (emails, domains) = stored::touched_by_import(&mut conn, import_id).await?;
    let (emails, domains): (Vec<String>, Vec<String>) =
        (emails.into_iter().collect(), domains.into_iter().collect());
    let mut touched = discovery_store::leads_with_keys(&mut conn, &emails, &domains).await?;
    if touched.is_empty() {
        return Ok(None);
    }
    touched.sort_unstable();
    let seen = stored::newest_score_id(&mut conn).await?;
    let mut leads = features_at(&mut conn, pages, Some(&touched), now).await?;
    drop(conn);

    let mut tx = store.begin().await?;
    // What must be read again, now that nobody else can write: a lead scored by someone
    // else since it was read (two batches of events about one lead, scored side by side)
    // may have been scored on newer engagement than ours; and every lead, when another
    // model went live meanwhile.
    let (live, moved) = match live_card_if_any(store, &mut tx).await? {
        Some(now_live) if now_live.0 == live.0 => {
            let moved = stored::scored_since(&mut tx, seen, &touched).await?;
            (now_live, moved)
        }
        Some(now_live) => (now_live, touched.clone()),
        None => return Ok(None),
    };
    if !moved.is_empty() {
        let again = features_at(&mut tx, pages, Some(&moved), now).await?;
        leads.retain(|(p, _)| moved.binary_search(&p.contact_id).is_err());
        leads.extend(again);
        leads.sort_by_key(|(p, _)| p.contact_id);
    }
    let only: HashSet<i64> = touched.into_iter().collect();
    let run = write_scores(&mut tx, live, config, leads, Some(&only), now).await?;
    tx.commit().await?;
    Ok(Some(run))
}

/// The live version that scores: its id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveModel {
    pub id: i64,
    pub version: String,
}

/// The live model's card, or why there is none to score with.
pub async fn live_card(store: &Store, conn: &mut Conn) -> Result<(LiveModel, Arc<Scorecard>)> {
    live_card_if_any(store, conn).await?.ok_or_else(|| {
        Error::Conflict(
            "no scoring model is live: propose one (`leadgate model train` or a rules card) \
             and have sales ops approve it at its calibration gate"
                .to_string(),
        )
    })
}

/// The live model's card, or none when no model is live. The card is parsed once per
/// version and kept by the store ([`models::live_scorecard`]): this runs on every rescore.
async fn live_card_if_any(
    store: &Store,
    conn: &mut Conn,
) -> Result<Option<(LiveModel, Arc<Scorecard>)>> {
    let Some((id, version, card)) = models::live_scorecard(conn, store.cards()).await? else {
        return Ok(None);
    };
    let live = LiveModel { id, version };
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
    Ok(Some((live, card)))
}

/// A lead's features as the vocabulary names them (`core::scoring::lead`), in its order.
pub type LeadFeatures = Vec<(String, String)>;

/// The features of the leads at `at`: of every lead, or of these contacts only (those among
/// the leads; the others are not leads and are left out), by contact id. Reads only what
/// those leads need — their prospects, their records, and the engagement and intent of
/// their addresses and domains in the longest window ending at `at` — so rescoring one
/// lead reads one lead's worth, and a whole run and a rescore take the same path.
pub async fn features_at(
    conn: &mut Conn,
    pages: &PagePolicy,
    contacts: Option<&[i64]>,
    at: Timestamp,
) -> Result<Vec<(Prospect, LeadFeatures)>> {
    let leads = discovery_store::leads(conn, contacts).await?;
    let whole = if contacts.is_none() {
        Scope::Everything
    } else {
        Scope::These
    };
    let from = Window::days(LONGEST_WINDOW_DAYS).start(at);
    let evidence = Evidence::load(conn, pages, &leads, whole, from, at).await?;
    Ok(leads
        .into_iter()
        .map(|p| {
            let features = evidence.features(&p, at);
            (p, features)
        })
        .collect())
}

/// The features of the people with these addresses (normalised), each at its own time, in
/// the order given: `None` for an address no prospect of the workspace has. Facts count when
/// observed at or before the time, signals in windows ending at it, so a history row's
/// outcome never leaks into the features it is learned from.
pub async fn features_of_people(
    conn: &mut Conn,
    pages: &PagePolicy,
    people: &[(String, Timestamp)],
) -> Result<Vec<Option<LeadFeatures>>> {
    let mut emails: Vec<String> = people.iter().map(|(e, _)| e.clone()).collect();
    emails.sort_unstable();
    emails.dedup();
    let prospects = discovery_store::prospects_with_emails(conn, &emails).await?;
    let (Some(first), Some(last)) = (
        people.iter().map(|(_, at)| *at).min(),
        people.iter().map(|(_, at)| *at).max(),
    ) else {
        return Ok(Vec::new());
    };
    let from = Window::days(LONGEST_WINDOW_DAYS).start(first);
    let evidence = Evidence::load(conn, pages, &prospects, Scope::These, from, last).await?;
    let by_email: HashMap<&str, &Prospect> = prospects
        .iter()
        .map(|p| (p.columns.email.as_str(), p))
        .collect();
    Ok(people
        .iter()
        .map(|(email, at)| {
            by_email
                .get(email.as_str())
                .map(|p| evidence.features(p, *at))
        })
        .collect())
}

/// Whether evidence is read for the whole workspace (one scan of the window) or for the
/// keys of a few prospects (through the address and domain indexes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Everything,
    These,
}

/// What the features of some prospects are computed from, read once for a span of time:
/// each contact's records, and the signals of the span.
struct Evidence {
    records: HashMap<i64, Vec<Record>>,
    signals: SignalIndex,
}

impl Evidence {
    async fn load(
        conn: &mut Conn,
        pages: &PagePolicy,
        prospects: &[Prospect],
        scope: Scope,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Evidence> {
        let ids: Vec<i64> = prospects.iter().map(|p| p.contact_id).collect();
        let mut records: HashMap<i64, Vec<Record>> = HashMap::new();
        for r in discovery_store::records_of(conn, &ids).await? {
            records.entry(r.contact_id).or_default().push(r);
        }
        let (engagement, intent) = match scope {
            Scope::Everything => (
                engagement_store::engagement_between(conn, from, to).await?,
                engagement_store::intent_between(conn, None, from, to).await?,
            ),
            Scope::These => {
                let keys = |pick: fn(&Prospect) -> &str| {
                    let mut keys: Vec<String> = prospects
                        .iter()
                        .map(pick)
                        .filter(|k| !k.is_empty())
                        .map(str::to_string)
                        .collect();
                    keys.sort_unstable();
                    keys.dedup();
                    keys
                };
                let emails = keys(|p| p.columns.email.as_str());
                let domains = keys(|p| p.columns.domain.as_str());
                (
                    engagement_store::engagement_of_keys(conn, &emails, &domains, from, to).await?,
                    engagement_store::intent_of_domains(conn, &domains, from, to).await?,
                )
            }
        };
        Ok(Evidence {
            records,
            signals: SignalIndex::build(&engagement, &intent, pages),
        })
    }

    /// One prospect's features at `at`, from the facts observed by then.
    fn features(&self, p: &Prospect, at: Timestamp) -> LeadFeatures {
        let mut person = facts_of(&p.profile, "person", at);
        let mut company = facts_of(&p.profile, "company", at);
        let records = self
            .records
            .get(&p.contact_id)
            .map_or(&[][..], Vec::as_slice);
        for (field, value) in enrichment_facts(records, at) {
            let side = match field.subject() {
                SubjectKind::Contact => &mut person,
                SubjectKind::Company => &mut company,
            };
            side.entry(field.as_str().to_string()).or_insert(value);
        }
        let signals = self.signals.for_contact(
            [p.columns.email.as_str()]
                .into_iter()
                .filter(|e| !e.is_empty()),
            [p.columns.domain.as_str()]
                .into_iter()
                .filter(|d| !d.is_empty()),
        );
        features_of(
            &LeadInputs {
                person: &person,
                company: &company,
                signals: &signals.signals,
                intent: &signals.intent,
            },
            at,
        )
    }
}

/// A profile's facts (field → survivor) observed at or before `at`, as field → value.
fn facts_of(profile: &Value, side: &str, at: Timestamp) -> BTreeMap<String, Value> {
    profile
        .get(side)
        .and_then(Value::as_object)
        .map(|fields| {
            fields
                .iter()
                .filter(|(_, v)| observed_by(v, at))
                .map(|(k, v)| (k.clone(), v.get("value").cloned().unwrap_or(v.clone())))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a survivor was observed at or before `at` (one without a time is a bare value
/// and counts).
fn observed_by(survivor: &Value, at: Timestamp) -> bool {
    survivor
        .get("observed_at")
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<Timestamp>().ok())
        .is_none_or(|observed| observed <= at)
}

/// The enrichment fields a contact's records hold that a profile does not carry, as
/// observed at or before `at`: the newest such record's value of each (enrichment stores
/// its answers as facts with the provider as source).
fn enrichment_facts(records: &[Record], at: Timestamp) -> Vec<(EnrichField, Value)> {
    let mut newest: BTreeMap<EnrichField, (Timestamp, Value)> = BTreeMap::new();
    for r in records.iter().filter(|r| r.observed_at <= at) {
        for &field in EnrichField::ALL {
            let Some(value) = r.facts.get(field.as_str()) else {
                continue;
            };
            if newest
                .get(&field)
                .is_none_or(|(seen, _)| *seen <= r.observed_at)
            {
                newest.insert(field, (r.observed_at, value.clone()));
            }
        }
    }
    newest
        .into_iter()
        .map(|(field, (_, value))| (field, value))
        .collect()
}

async fn score(
    store: &Store,
    config: &ScoringConfig,
    pages: &PagePolicy,
    only: Option<&HashSet<i64>>,
    now: Timestamp,
) -> Result<ScoringRun> {
    let mut tx = store.begin().await?;
    let live = live_card(store, &mut tx).await?;
    let run = score_in(&mut tx, live, config, pages, only, now).await?;
    tx.commit().await?;
    tracing::info!(
        scored = run.scored,
        outreach = run.outreach,
        "Leads scored."
    );
    Ok(run)
}

/// Scores the leads (all, or `only` those) with the live card, in the caller's transaction.
async fn score_in(
    tx: &mut Conn,
    (live, card): (LiveModel, Arc<Scorecard>),
    config: &ScoringConfig,
    pages: &PagePolicy,
    only: Option<&HashSet<i64>>,
    now: Timestamp,
) -> Result<ScoringRun> {
    let contacts: Option<Vec<i64>> = only.map(|only| {
        let mut ids: Vec<i64> = only.iter().copied().collect();
        ids.sort_unstable();
        ids
    });
    let leads = features_at(&mut *tx, pages, contacts.as_deref(), now).await?;
    write_scores(tx, (live, card), config, leads, only, now).await
}

/// Scores `leads` (read at `now`) with the live card and stores the scores, the
/// qualifications and the run's audit entry, in the caller's transaction.
async fn write_scores(
    tx: &mut Conn,
    (live, card): (LiveModel, Arc<Scorecard>),
    config: &ScoringConfig,
    leads: Vec<(Prospect, LeadFeatures)>,
    only: Option<&HashSet<i64>>,
    now: Timestamp,
) -> Result<ScoringRun> {
    let threshold = config.threshold.unwrap_or(card.scale.even_odds_score);
    let columns = columns_of(&card);
    let layout = card
        .layout(&columns)
        .map_err(|c| Error::Internal(format!("the card's own column `{c}` has no place")))?;
    let mut outcome = ScoringRun {
        model: live.id,
        version: live.version.clone(),
        threshold,
        scored: 0,
        outreach: 0,
        nurture: 0,
        qualified: 0,
    };
    for (p, features) in &leads {
        let scored = score_lead(&card, &layout, &row_for(features, &columns))
            .map_err(|e| Error::Invalid(format!("lead {} cannot be scored: {e}", p.contact_id)))?;
        let stage = LeadStage::of(scored.score, threshold);
        stored::insert(
            &mut *tx,
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
                if stored::qualify(&mut *tx, p.contact_id, live.id, now).await? {
                    outcome.qualified += 1;
                    emit(
                        &mut *tx,
                        EventKind::LeadQualified,
                        &Subject::Model(live.id),
                        json!({
                            "contact": p.contact_id,
                            "model": live.id,
                            "score": scored.score,
                            "threshold": threshold,
                            // Stage 5's routing threshold, decided here so that the trigger
                            // reads it from the event alone.
                            "route": config.route_threshold.is_some_and(|t| scored.score >= t),
                        }),
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
        &mut *tx,
        &Actor::System,
        Action::LeadsScored,
        &Subject::Model(live.id),
        inputs,
        now,
    )
    .await?;
    // A full run sees the whole distribution: drift may call for the review now.
    if only.is_none() {
        super::model::open_early(tx, config, now).await?;
    }
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
    fn the_newest_enrichment_answer_observed_by_then_is_read() {
        let records = [
            record(
                1,
                "2026-01-01T00:00:00Z",
                json!({ "headcount": 120, "title": "VP" }),
            ),
            record(1, "2026-06-01T00:00:00Z", json!({ "headcount": 150 })),
            record(
                1,
                "2026-03-01T00:00:00Z",
                json!({ "role_start_date": "2024-02-01" }),
            ),
        ];

        let now = enrichment_facts(&records, "2026-07-01T00:00:00Z".parse().unwrap());
        let in_april = enrichment_facts(&records, "2026-04-01T00:00:00Z".parse().unwrap());
        let before_any = enrichment_facts(&records, "2025-12-31T00:00:00Z".parse().unwrap());

        assert_eq!(
            now,
            [
                (EnrichField::Headcount, json!(150)),
                (EnrichField::RoleStartDate, json!("2024-02-01"))
            ]
        );
        assert_eq!(
            in_april,
            [
                (EnrichField::Headcount, json!(120)),
                (EnrichField::RoleStartDate, json!("2024-02-01"))
            ]
        );
        assert!(before_any.is_empty());
    }

    #[test]
    fn a_profile_fact_observed_after_the_time_is_not_yet_known() {
        let profile = json!({ "person": {
            "seniority": { "value": "vp", "source": "crm", "record_id": "1", "observed_at": "2026-01-01T00:00:00Z" },
            "department": { "value": "sales", "source": "crm", "record_id": "2", "observed_at": "2026-05-01T00:00:00Z" },
        }});

        let facts = facts_of(&profile, "person", "2026-03-01T00:00:00Z".parse().unwrap());

        assert_eq!(facts.keys().collect::<Vec<_>>(), ["seniority"]);
    }
}
