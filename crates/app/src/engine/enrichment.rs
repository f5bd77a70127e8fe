//! An enrichment run (stage 3): the contacts of approved prospect lists, and their
//! companies, enriched through the configured providers' waterfall, with the facts found
//! stored, the run's ledger and every problem recorded, and the refresh queue entries the
//! run satisfied cleared. The policy — which provider next, the cache's TTL, the budget that
//! is never exceeded — is core's waterfall; the calls are the connectors' providers; this
//! module chooses the subjects, loads and stores.
//!
//! **Subjects.** Every contact that stands (admitted or needing data) on an approved list,
//! those in the refresh queue first (oldest first), then the others by id; before a contact,
//! its company (by domain) when no earlier contact brought it. A company field is bought
//! once per domain, whatever the number of its people; a contact field once per contact.
//! The fields wanted are those of the subject's kind that some provider gives.
//!
//! **Where the facts go.** Facts are stored the way every reader of facts already reads
//! them: as records (`records` table) of the contact, one per provider and observation time,
//! with `source` = the provider's name and `observed_at` = when the provider observed it,
//! under an `imports` row of source `enrichment` for the run. So the contact page lists
//! them with their source and age, the profile's survivorship ranks them (after the sources
//! the workspace trusts more), the freshness rule counts their time, and the ICP's criteria
//! read them at the next discovery run. A record's facts are the enrichment fields under
//! their own names (`funding_stage`, `headcount`, `tech_stack`, …, as core's `EnrichField`
//! shapes them), the discovery names the ICP reads today where one exists (`employees` from
//! `headcount`, `technologies` from `tech_stack`; `seniority` is the same name), and the keys
//! the contact was looked up by (`email`, `first_name`, `last_name`, `company_domain`), so
//! that entity resolution links the record to its own contact and company resolution to
//! its company — a record of a domain alone would look like any colleague. A company's
//! facts are stored with each of its contacts on the lists (bought once, stored per
//! contact), as an import of a company's row does.
//!
//! **The cache** is its own table (`enrichment_cache`): each provider's last value of each
//! field of each subject, or its miss, with when. A value younger than the TTL is used
//! without a call; a miss younger than the TTL is not asked again. It is written in the
//! same transaction as the facts.
//!
//! **The refresh queue.** A stale contact that got a new observation leaves it; a contact
//! waiting for data leaves it once every criterion it waits for (in the ICP's words, as
//! discovery wrote them) is one enrichment decides and has a value.
//!
//! **Problems.** A timeout, an HTTP error, an unreadable answer, a rate limit, an
//! unreachable provider, a value that does not fit its field, a call passed over for the
//! budget: each is stored with the subject, the provider, the fields and the reason (never
//! the body), counted in the ledger, and the run goes on to the next provider. Calls are
//! made outside any transaction; what they found is written in one transaction at the end,
//! with the ledger, an audit entry and the `EnrichmentRan` event.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use leadgate_connectors::enrich::Enrichment;
use leadgate_core::audit::{Action, Actor, Subject};
use leadgate_core::discovery::normalize::{Domain, Email, LinkedInUrl};
use leadgate_core::enrichment::{
    Cache, Credits, EnrichField, Fact, Ledger, Lookup, SkipReason, SubjectKind, SubjectOutcome,
};
use leadgate_core::event::EventKind;
use leadgate_core::icp::criterion_label;
use leadgate_store::Store;
use leadgate_store::discovery::{self as discovery_store, ImportRow, NewRecord, RecordBatch};
use leadgate_store::enrichment::{self as stored, ListedContact, Problem};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::engine::{Error, Result, emit, record};

/// The source of the `imports` row each run's records are stored under.
pub const IMPORT_SOURCE: &str = "enrichment";

/// A field's value after the run: where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Filled {
    pub subject: String,
    pub field: EnrichField,
    pub value: Value,
    pub provider: String,
    pub observed_at: Timestamp,
    /// Taken from the cache: no call was made for it.
    pub from_cache: bool,
}

/// A field no provider filled, and what happened at each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missed {
    pub subject: String,
    pub field: EnrichField,
    pub reasons: Vec<String>,
}

/// The account of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReport {
    pub run_id: i64,
    pub budget: Option<Credits>,
    pub spent: Credits,
    /// With a budget: what is left of it.
    pub left: Option<Credits>,
    /// Contacts on approved lists, and of them those taken from the refresh queue.
    pub contacts: u64,
    pub from_refresh_queue: u64,
    pub companies: u64,
    /// Records of facts stored (one per contact, provider and observation time).
    pub records_stored: u64,
    /// Refresh queue entries the run satisfied, taken off the queue.
    pub refresh_cleared: u64,
    pub filled: Vec<Filled>,
    pub unfilled: Vec<Missed>,
    /// Failed calls, calls passed over for the budget, values refused.
    pub problems: Vec<Problem>,
    pub ledger: Ledger,
}

/// One subject to enrich.
struct Planned {
    key: String,
    kind: SubjectKind,
    lookup: Lookup,
}

/// Runs enrichment over the contacts of approved lists, as `actor`, spending at most
/// `budget` credits (the configuration's budget when `None`), as of `now`.
pub async fn run(
    store: &Store,
    enrichment: &Enrichment,
    actor: &Actor,
    budget: Option<Credits>,
    now: Timestamp,
) -> Result<RunReport> {
    if enrichment.plan().providers().is_empty() {
        return Err(Error::Invalid(
            "no enrichment provider is configured: add an [[enrichment.providers]] section to leadgate.toml"
                .into(),
        ));
    }
    let (contacts, queued) = {
        let mut conn = store.conn().await?;
        let contacts = stored::listed_contacts(&mut conn).await?;
        let queue = discovery_store::refresh_queue(&mut conn).await?;
        (contacts, queue)
    };
    if contacts.is_empty() {
        return Err(Error::Conflict(
            "no contact to enrich: enrichment takes the contacts of approved prospect lists \
             (a list is approved when its sample review passes; see `leadgate gate list`)"
                .into(),
        ));
    }
    let contacts = queue_first(contacts, &queued);
    let in_queue: HashSet<i64> = queued.iter().map(|q| q.contact_id).collect();
    let from_refresh_queue = contacts
        .iter()
        .filter(|c| in_queue.contains(&c.contact_id))
        .count() as u64;

    let mut tx = store.begin().await?;
    let run_id = stored::insert_run(
        &mut tx,
        &actor.to_string(),
        budget.or(enrichment.budget()),
        now,
    )
    .await?;
    tx.commit().await?;

    let subjects = plan_subjects(&contacts);
    let keys: Vec<String> = subjects.iter().map(|s| s.key.clone()).collect();
    let caches = {
        let mut conn = store.conn().await?;
        stored::cache_of(&mut conn, &keys).await?
    };
    let wanted_of = |kind: SubjectKind| -> Vec<EnrichField> {
        EnrichField::ALL
            .iter()
            .copied()
            .filter(|f| f.subject() == kind)
            .filter(|f| !enrichment.plan().order_for(*f).is_empty())
            .collect()
    };
    let wanted_company = wanted_of(SubjectKind::Company);
    let wanted_contact = wanted_of(SubjectKind::Contact);

    let mut waterfall = enrichment.run(budget);
    let mut outcomes: BTreeMap<String, SubjectOutcome> = BTreeMap::new();
    let empty = Cache::default();
    for subject in &subjects {
        let wanted = match subject.kind {
            SubjectKind::Company => &wanted_company,
            SubjectKind::Contact => &wanted_contact,
        };
        if wanted.is_empty() {
            continue;
        }
        let cache = caches.get(&subject.key).unwrap_or(&empty);
        let outcome = enrichment
            .subject(
                &mut waterfall,
                &subject.key,
                &subject.lookup,
                wanted,
                cache,
                now,
            )
            .await;
        outcomes.insert(subject.key.clone(), outcome);
    }
    let ledger = waterfall.ledger().clone();

    let mut report = RunReport {
        run_id,
        budget: ledger.budget,
        spent: ledger.spent,
        left: ledger.left(),
        contacts: contacts.len() as u64,
        from_refresh_queue,
        companies: subjects
            .iter()
            .filter(|s| s.kind == SubjectKind::Company)
            .count() as u64,
        records_stored: 0,
        refresh_cleared: 0,
        filled: Vec::new(),
        unfilled: Vec::new(),
        problems: Vec::new(),
        ledger: ledger.clone(),
    };
    for subject in &subjects {
        if let Some(outcome) = outcomes.get(&subject.key) {
            account(&mut report, outcome);
        }
    }

    let mut tx = store.begin().await?;
    discovery_store::lock(&mut tx).await?;
    let records = fact_records(&contacts, &outcomes);
    if !records.is_empty() {
        let ids = discovery_store::next_ids(&mut tx).await?;
        discovery_store::insert_import(
            &mut tx,
            &ImportRow {
                id: ids.import,
                source: IMPORT_SOURCE.into(),
                origin: format!("enrichment run {run_id}"),
                format: IMPORT_SOURCE.into(),
                content_hash: format!("enrichment-run-{run_id}"),
                imported_by: actor.to_string(),
                at: now,
                rows_read: records.len() as i64,
                stored: 0,
                merged: records.len() as i64,
                rejected: 0,
                report: json!({ "enrichment_run": run_id }),
            },
        )
        .await?;
        let mut batch = RecordBatch::default();
        for (i, r) in records.iter().enumerate() {
            batch.push(&NewRecord {
                id: ids.record + i as i64,
                import_id: ids.import,
                contact_id: r.contact_id,
                source: &r.source,
                source_record_id: None,
                row_number: i as i64 + 1,
                observed_at: r.observed_at,
                email: r.email.as_deref(),
                linkedin: None,
                facts: &r.facts,
            });
        }
        discovery_store::write_records(&mut tx, &batch.take()).await?;
        report.records_stored = records.len() as u64;
    }
    for (key, outcome) in &outcomes {
        stored::remember(&mut tx, run_id, key, &outcome.facts, &outcome.misses).await?;
    }
    stored::insert_problems(&mut tx, run_id, &report.problems).await?;
    stored::finish_run(&mut tx, run_id, &ledger, now).await?;
    let by_id: HashMap<i64, &ListedContact> = contacts.iter().map(|c| (c.contact_id, c)).collect();
    for q in &queued {
        let Some(contact) = by_id.get(&q.contact_id) else {
            continue;
        };
        if satisfied(contact, &q.reason, &q.detail, &outcomes) {
            stored::clear_refresh(&mut tx, q.contact_id, &q.reason).await?;
            report.refresh_cleared += 1;
        }
    }
    let payload = json!({
        "budget": report.budget,
        "spent": report.spent,
        "contacts": report.contacts,
        "companies": report.companies,
        "fields_filled": ledger.fields_from_providers,
        "fields_from_cache": ledger.fields_from_cache,
        "fields_unfilled": ledger.fields_unfilled,
        "problems": report.problems.len(),
        "records_stored": report.records_stored,
        "refresh_cleared": report.refresh_cleared,
    });
    let subject = Subject::EnrichmentRun(run_id);
    record(
        &mut tx,
        actor,
        Action::EnrichmentRan,
        &subject,
        payload.clone(),
        now,
    )
    .await?;
    emit(&mut tx, EventKind::EnrichmentRan, &subject, payload, now).await?;
    tx.commit().await?;
    Ok(report)
}

/// The contacts in the refresh queue first (in queue order), then the others by id.
fn queue_first(
    contacts: Vec<ListedContact>,
    queued: &[discovery_store::RefreshRequest],
) -> Vec<ListedContact> {
    let mut rank: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, q) in queued.iter().enumerate() {
        rank.entry(q.contact_id).or_insert(i);
    }
    let mut contacts = contacts;
    contacts.sort_by_key(|c| {
        (
            rank.get(&c.contact_id).copied().unwrap_or(usize::MAX),
            c.contact_id,
        )
    });
    contacts
}

fn company_key(domain: &Domain) -> String {
    format!("company:{}", domain.as_str())
}

fn contact_key(contact_id: i64) -> String {
    format!("contact:{contact_id}")
}

/// A profile field's value (`person.first_name`).
fn profile_text(profile: &Value, part: &str, field: &str) -> Option<String> {
    profile[part][field]["value"]
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn domain_of(c: &ListedContact) -> Option<Domain> {
    Domain::parse(&c.domain).ok()
}

/// Each contact's company (once per domain) before the contact.
fn plan_subjects(contacts: &[ListedContact]) -> Vec<Planned> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for c in contacts {
        let domain = domain_of(c);
        if let Some(d) = &domain
            && seen.insert(d.as_str().to_string())
        {
            out.push(Planned {
                key: company_key(d),
                kind: SubjectKind::Company,
                lookup: Lookup::company(d.clone()),
            });
        }
        out.push(Planned {
            key: contact_key(c.contact_id),
            kind: SubjectKind::Contact,
            lookup: Lookup {
                email: Email::parse(&c.email).ok(),
                domain,
                linkedin_url: profile_text(&c.profile, "person", "linkedin_url")
                    .and_then(|u| LinkedInUrl::parse(&u).ok()),
                first_name: profile_text(&c.profile, "person", "first_name"),
                last_name: profile_text(&c.profile, "person", "last_name"),
                company_name: profile_text(&c.profile, "company", "company_name"),
            },
        });
    }
    out
}

/// Adds a subject's values, unfilled fields and problems to the report.
fn account(report: &mut RunReport, outcome: &SubjectOutcome) {
    let subject = &outcome.key;
    for v in &outcome.values {
        report.filled.push(Filled {
            subject: subject.clone(),
            field: v.field,
            value: v.fact.value.clone(),
            provider: v.fact.source.clone(),
            observed_at: v.fact.observed_at,
            from_cache: v.from_cache,
        });
    }
    for u in &outcome.unfilled {
        report.unfilled.push(Missed {
            subject: subject.clone(),
            field: u.field,
            reasons: u.reasons.clone(),
        });
    }
    let names = |fields: &[EnrichField]| fields.iter().map(|f| f.as_str().to_string()).collect();
    for f in &outcome.failures {
        report.problems.push(Problem {
            subject: subject.clone(),
            provider: f.provider.clone(),
            kind: f.failure.kind.as_str().into(),
            fields: names(&f.fields),
            status: f.failure.status,
            reason: f.failure.reason.clone(),
            value: None,
        });
    }
    for r in &outcome.rejected {
        report.problems.push(Problem {
            subject: subject.clone(),
            provider: r.provider.clone(),
            kind: "rejected".into(),
            fields: vec![r.rejected.field.as_str().into()],
            status: None,
            reason: r.rejected.reason.clone(),
            value: Some(r.rejected.value.clone()),
        });
    }
    for s in &outcome.skipped {
        let reason = match (s.reason, s.left) {
            (SkipReason::Budget, Some(left)) => {
                format!("a call costs {} credits and {left} are left", s.cost)
            }
            (reason, _) => reason.label().to_string(),
        };
        report.problems.push(Problem {
            subject: subject.clone(),
            provider: s.provider.clone(),
            kind: format!("skipped_{}", s.reason.as_str()),
            fields: names(&s.fields),
            status: None,
            reason,
            value: None,
        });
    }
}

/// One record of facts to store.
struct FactRecord {
    contact_id: i64,
    source: String,
    observed_at: Timestamp,
    email: Option<String>,
    /// The facts as a JSON object's text.
    facts: String,
}

/// The records of the facts the providers answered in this run: per contact, one for each
/// provider and observation time, its company's facts and its own together.
fn fact_records(
    contacts: &[ListedContact],
    outcomes: &BTreeMap<String, SubjectOutcome>,
) -> Vec<FactRecord> {
    let mut out = Vec::new();
    for c in contacts {
        let company = domain_of(c).and_then(|d| outcomes.get(&company_key(&d)));
        let own = outcomes.get(&contact_key(c.contact_id));
        let mut groups: BTreeMap<(String, Timestamp), Vec<&Fact>> = BTreeMap::new();
        for fact in company.into_iter().chain(own).flat_map(|o| o.facts.iter()) {
            groups
                .entry((fact.source.clone(), fact.observed_at))
                .or_default()
                .push(fact);
        }
        for ((source, observed_at), facts) in groups {
            let mut map = Map::new();
            let email = Email::parse(&c.email).ok();
            if let Some(e) = &email {
                map.insert("email".into(), Value::String(e.as_str().into()));
            }
            for (key, field) in [("first_name", "first_name"), ("last_name", "last_name")] {
                if let Some(v) = profile_text(&c.profile, "person", field) {
                    map.insert(key.into(), Value::String(v));
                }
            }
            if let Some(d) = domain_of(c) {
                map.insert("company_domain".into(), Value::String(d.as_str().into()));
            }
            for fact in facts {
                // The first fact of a field wins, as in the waterfall.
                if map.contains_key(fact.field.as_str()) {
                    continue;
                }
                map.insert(fact.field.as_str().into(), fact.value.clone());
                match fact.field {
                    EnrichField::Headcount => {
                        map.insert("employees".into(), Value::String(fact.value.to_string()));
                    }
                    EnrichField::TechStack => {
                        map.insert("technologies".into(), fact.value.clone());
                    }
                    _ => {}
                }
            }
            out.push(FactRecord {
                contact_id: c.contact_id,
                source,
                observed_at,
                email: email.map(|e| e.as_str().to_string()),
                facts: Value::Object(map).to_string(),
            });
        }
    }
    out
}

/// Whether the run satisfied a refresh queue entry: a stale contact got a new observation
/// (of itself or its company); a contact waiting for data now has a value for every
/// criterion it waits for (`detail` names them in the ICP's words), and every one is a
/// criterion enrichment can decide — one waiting for revenue stays.
fn satisfied(
    c: &ListedContact,
    reason: &str,
    detail: &str,
    outcomes: &BTreeMap<String, SubjectOutcome>,
) -> bool {
    let company = domain_of(c).and_then(|d| outcomes.get(&company_key(&d)));
    let own = outcomes.get(&contact_key(c.contact_id));
    let mine: Vec<&SubjectOutcome> = company.into_iter().chain(own).collect();
    match reason {
        "stale" => mine.iter().any(|o| !o.facts.is_empty()),
        _ => {
            let known: HashSet<EnrichField> = mine
                .iter()
                .flat_map(|o| o.values.iter().map(|v| v.field))
                .collect();
            waits_only_for(detail, &known)
        }
    }
}

/// The ICP criteria enrichment can decide, and the field that decides each.
const DECIDES: &[(&str, EnrichField)] = &[
    ("firmographics.employees", EnrichField::Headcount),
    (
        "firmographics.headcount_growth_pct",
        EnrichField::HeadcountGrowthPct,
    ),
    ("technographics.any", EnrichField::TechStack),
    ("personas", EnrichField::Seniority),
];

/// Whether everything a "waits for …" detail names is a criterion of [`DECIDES`] whose
/// field is `known`.
fn waits_only_for(detail: &str, known: &HashSet<EnrichField>) -> bool {
    let mut rest = detail
        .strip_prefix("waits for ")
        .unwrap_or(detail)
        .to_string();
    for (criterion, field) in DECIDES {
        let label = criterion_label(criterion);
        if rest.contains(&label) {
            if !known.contains(field) {
                return false;
            }
            rest = rest.replace(&label, "");
        }
    }
    !rest.chars().any(char::is_alphanumeric)
}

/// One run's books: the run, a line per provider, and its problems.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunCosts {
    #[serde(flatten)]
    pub run: stored::EnrichmentRun,
    pub providers: Vec<leadgate_core::enrichment::ProviderLedger>,
    pub problems: Vec<Problem>,
}

/// The totals of a provider over the runs shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProviderTotal {
    pub provider: String,
    pub calls: u64,
    pub hits: u64,
    pub misses: u64,
    pub failures: u64,
    pub skipped_for_budget: u64,
    pub credits: Credits,
}

/// The cost ledger of one run or of every run, newest first, with the totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Costs {
    pub runs: Vec<RunCosts>,
    /// Per provider, over the runs shown, in the order first seen.
    pub totals: Vec<ProviderTotal>,
    pub spent: Credits,
}

/// The ledger of run `run_id`, or of every run.
pub async fn costs(store: &Store, run_id: Option<i64>) -> Result<Costs> {
    let mut conn = store.conn().await?;
    let runs = match run_id {
        Some(id) => vec![stored::get_run(&mut conn, id).await?.ok_or_else(|| {
            Error::NotFound(format!(
                "no enrichment run {id} (see `leadgate enrich costs`)"
            ))
        })?],
        None => stored::runs(&mut conn).await?,
    };
    let lines = stored::ledger(&mut conn, run_id).await?;
    let mut out = Vec::new();
    let mut totals: Vec<ProviderTotal> = Vec::new();
    for run in runs {
        let providers: Vec<_> = lines
            .iter()
            .filter(|l| l.run_id == run.id)
            .map(|l| l.line.clone())
            .collect();
        for p in &providers {
            let total = match totals.iter_mut().position(|t| t.provider == p.provider) {
                Some(i) => &mut totals[i],
                None => {
                    totals.push(ProviderTotal {
                        provider: p.provider.clone(),
                        ..ProviderTotal::default()
                    });
                    totals.last_mut().expect("just pushed")
                }
            };
            total.calls += p.calls;
            total.hits += p.hits;
            total.misses += p.misses;
            total.failures += p.failures.values().sum::<u64>();
            total.skipped_for_budget += p.skipped_for_budget;
            total.credits = total.credits.saturating_add(p.credits);
        }
        let problems = stored::problems(&mut conn, run.id).await?;
        out.push(RunCosts {
            run,
            providers,
            problems,
        });
    }
    let spent = out.iter().map(|r| r.run.spent).sum();
    Ok(Costs {
        runs: out,
        totals,
        spent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_waiting_for_data_leaves_the_queue_only_when_enrichment_gave_all_of_it() {
        let known: HashSet<EnrichField> = [EnrichField::TechStack, EnrichField::Seniority].into();
        assert!(waits_only_for(
            "waits for technology stack, technology stack",
            &known
        ));
        assert!(waits_only_for(
            "waits for title, seniority or department",
            &known
        ));
        assert!(!waits_only_for("waits for revenue", &known));
        assert!(!waits_only_for(
            "waits for industry, revenue, technology stack",
            &known
        ));
        assert!(!waits_only_for("waits for employee count", &known));
    }
}
