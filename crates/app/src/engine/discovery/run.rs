//! A discovery run: resolve every record into contacts across all sources, then build one
//! prospect list per live ICP version and open its sample-review gate.
//!
//! The decisions are core's: entity resolution links records, `resolve::plan_merges` turns
//! the links into contact merges (the older contact keeps its id; a pair a person undid is
//! never merged again), and `list::draft` judges every contact against each live ICP
//! version and counts what changed against the segment's previous list. This module is the
//! orchestration: load, decide, persist (each merge with its evidence, each list stamped
//! with its ICP version), supersede the segment's unreviewed list (its gate cancelled) and
//! open the new list's sample review. `dry_run` decides the same and stores nothing.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Subject};
use leadgate_core::discovery::compliance::{SuppressionKind, SuppressionList, is_erasure_hash};
use leadgate_core::discovery::customers::CustomerAccounts;
use leadgate_core::discovery::list::{self, ListDraft};
use leadgate_core::discovery::normalize::{Domain, Email};
use leadgate_core::discovery::prospect::{
    ListRules, ListStatus, Observation, ProspectColumns, Standing,
};
use leadgate_core::discovery::resolve::{
    MergePlan, Resolution, ResolveConfig, Table, explain, plan_merges, resolve,
};
use leadgate_core::event::EventKind;
use leadgate_core::gate::{GateKind, GateStatus};
use leadgate_core::icp::IcpDocument;
use leadgate_store::discovery::{
    self as stored, Merge, MergeBatch, Prospect, ProspectBatch, ProspectList, Record,
};
use leadgate_store::gates;
use leadgate_store::icp::{self as icp_store, IcpStatus};
use leadgate_store::{Conn, Store};
use serde::Serialize;
use serde_json::{Value, json};

use crate::engine::engagement;
use crate::engine::settings::DiscoveryConfig;
use crate::engine::{Error, Result, announce, record};

/// The record fields the entity-resolution setups read, as column names.
const RESOLVE_COLUMNS: &[&str] = &[
    "first_name",
    "last_name",
    "full_name",
    "email",
    "company_name",
    "company_domain",
    "website",
    "phone",
    "linkedin_url",
    "title",
    "city",
    "location",
    "country",
    "region",
];

/// One merge a run made (or would make).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedMerge {
    pub merge_id: Option<i64>,
    pub into_contact: i64,
    pub from_contact: i64,
    pub records: Vec<i64>,
    pub probability: f64,
    pub explanation: Value,
}

/// One list a run built (or would build).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListOutcome {
    pub list_id: Option<i64>,
    pub segment: String,
    pub icp_version_id: i64,
    pub icp_version: i64,
    pub admitted: usize,
    /// Contacts that wait for data a required ICP criterion needs (see `Standing::NeedsData`).
    pub needs_data: usize,
    /// Contacts waiting for data, counted by the criterion they wait for.
    pub needs_data_by_criterion: BTreeMap<String, usize>,
    pub dropped: usize,
    /// Dropped contacts counted by the first reason's kind (`ICP exclusions.existing_customers`, `compliance`, …).
    pub dropped_by_reason: BTreeMap<String, usize>,
    pub newly_admitted: usize,
    pub newly_dropped: Vec<(i64, Vec<String>)>,
    pub gate_id: Option<i64>,
    pub sample: Vec<i64>,
    pub superseded_list: Option<i64>,
    /// Admitted contacts and contacts waiting for data whose facts are stale: still used,
    /// queued for refresh.
    pub stale: usize,
    /// What the run puts in the refresh queue for this list: its stale contacts and those
    /// waiting for data (not kept in the list's summary; the queue holds it).
    #[serde(skip)]
    pub refresh: Vec<stored::RefreshRequest>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunOutcome {
    pub dry_run: bool,
    pub records: usize,
    pub contacts_before: usize,
    pub contacts_after: usize,
    pub merges: Vec<PlannedMerge>,
    /// Links refused because a person undid a merge of the two contacts before.
    pub refused_by_undo: usize,
    /// Earlier merges of entity resolution that this run's model would not make, with
    /// the reason: listed for a person (`leadgate merge review`), never undone silently.
    pub questioned: Vec<QuestionedMerge>,
    /// In words, what training warns of (a model that looked wrong and was not used).
    pub training_warnings: Vec<String>,
    pub lists: Vec<ListOutcome>,
}

/// A standing merge the current model would not make.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionedMerge {
    pub merge_id: i64,
    pub into_contact: i64,
    pub from_contact: Option<i64>,
    pub reason: String,
}

/// The standing merges that this run's clustering would not make: the two records whose
/// link made the merge now sit in different clusters (the setup changed, or new records
/// showed that the two are colleagues). Each with the reason, from the current model.
fn question_merges(
    merges: &[Merge],
    records: &[Record],
    table: &Table,
    resolution: &Resolution,
    threshold: f64,
) -> Vec<QuestionedMerge> {
    let index: HashMap<i64, usize> = records.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let cluster_of = &resolution.clustering.cluster_of;
    merges
        .iter()
        .filter_map(|m| {
            let pair: Vec<usize> = m.explanation["records"]
                .as_array()?
                .iter()
                .filter_map(|id| index.get(&id.as_i64()?).copied())
                .collect();
            let &[a, b] = pair.as_slice() else {
                return None;
            };
            if cluster_of[a] == cluster_of[b] {
                return None;
            }
            let why = explain(
                &resolution.model,
                &resolution.comparisons,
                table,
                a as u32,
                b as u32,
            );
            let name = |r: usize| {
                table
                    .names
                    .name_of(&table.columns, r)
                    .map(|(g, f)| format!("{g} {f}"))
            };
            let reason = match (table.names_contradict(a, b), name(a), name(b)) {
                (true, Some(x), Some(y)) => {
                    format!("the two records name two people ({x} / {y})")
                }
                _ if why.probability < threshold => format!(
                    "the model now gives the two records a match probability of {:.2}, \
                     below the {threshold} a merge needs",
                    why.probability
                ),
                _ => "the records it joined are now kept apart: other records of the two \
                      contacts name different people"
                    .to_string(),
            };
            Some(QuestionedMerge {
                merge_id: m.id,
                into_contact: m.into_contact,
                from_contact: m.from_contact,
                reason,
            })
        })
        .collect()
}

/// Runs discovery: resolution, then a list per live ICP version (or the one segment).
pub async fn run(
    store: &Store,
    config: &DiscoveryConfig,
    resolve_config: &ResolveConfig,
    segment: Option<&str>,
    dry_run: bool,
    now: Timestamp,
) -> Result<RunOutcome> {
    let mut tx = store.begin().await?;
    stored::lock(&mut tx).await?;
    let mut records = stored::records(&mut tx).await?;
    let contacts_before: HashSet<i64> = records.iter().map(|r| r.contact_id).collect();

    // Resolution over every record.
    let table = Table::build(
        resolve_config,
        RESOLVE_COLUMNS,
        records.len(),
        |r, c| {
            records[r]
                .facts
                .get(RESOLVE_COLUMNS[c])
                .and_then(Value::as_str)
                .unwrap_or("")
        },
        |_| 0,
    );
    let resolution = resolve(resolve_config, &table);
    let questioned = question_merges(
        &stored::standing_model_merges(&mut tx).await?,
        &records,
        &table,
        &resolution,
        resolve_config.threshold,
    );
    let contact_of: Vec<i64> = records.iter().map(|r| r.contact_id).collect();
    let kept_apart = stored::cannot_links(&mut tx).await?;
    let plan = plan_merges(&contact_of, &resolution.clustering.merges, &kept_apart);
    let mut planned = planned_merges(&plan, &records, &table, &resolution);
    let moves: Vec<(i64, i64)> = records
        .iter()
        .filter_map(|r| {
            let to = plan.contact_after(r.contact_id);
            (to != r.contact_id).then_some((r.id, to))
        })
        .collect();
    for r in &mut records {
        r.contact_id = plan.contact_after(r.contact_id);
    }
    let contacts_after: HashSet<i64> = records.iter().map(|r| r.contact_id).collect();

    if !dry_run {
        store_questioned(&mut tx, &questioned, now).await?;
    }
    if !dry_run && !planned.is_empty() {
        store_merges(&mut tx, &mut planned, now).await?;
        stored::reassign_records(&mut tx, &moves).await?;
        let merged: Vec<(i64, i64)> = planned
            .iter()
            .map(|p| (p.from_contact, plan.contact_after(p.from_contact)))
            .collect();
        stored::mark_contacts_merged(&mut tx, &merged).await?;
        record(
            &mut tx,
            &Actor::System,
            Action::DiscoveryResolved,
            &Subject::Discovery,
            json!({
                "records": records.len(),
                "contacts_before": contacts_before.len(),
                "contacts_after": contacts_after.len(),
                "merges": planned.len(),
                "first_merge": planned.first().and_then(|p| p.merge_id),
                "questioned_merges": questioned.iter().map(|q| q.merge_id).collect::<Vec<_>>(),
                "training_warnings": resolution.model.training.warnings,
                "model": resolution.model.weights(&resolution.comparisons),
            }),
            now,
        )
        .await?;
    }

    let lists = build_lists(&mut tx, config, &records, segment, dry_run, now).await?;
    if dry_run {
        tx.rollback().await?;
    } else {
        let queue: Vec<stored::RefreshRequest> =
            lists.iter().flat_map(|l| l.refresh.clone()).collect();
        stored::replace_refresh_queue(&mut tx, &queue, segment.is_none()).await?;
        tx.commit().await?;
        // Every prospect was written again: the planner's picture of the tables is stale.
        store.analyze().await?;
    }
    Ok(RunOutcome {
        dry_run,
        records: records.len(),
        contacts_before: contacts_before.len(),
        contacts_after: contacts_after.len(),
        merges: planned,
        refused_by_undo: plan.refused_by_undo,
        questioned,
        training_warnings: resolution.model.training.warnings.clone(),
        lists,
    })
}

/// The plan's merges with the evidence of the link that made each.
fn planned_merges(
    plan: &MergePlan,
    records: &[Record],
    table: &Table,
    resolution: &Resolution,
) -> Vec<PlannedMerge> {
    plan.merges
        .iter()
        .map(|m| {
            let link = &resolution.clustering.merges[m.link];
            let why = explain(
                &resolution.model,
                &resolution.comparisons,
                table,
                link.a,
                link.b,
            );
            PlannedMerge {
                merge_id: None,
                into_contact: m.into,
                from_contact: m.from,
                records: m.records.iter().map(|&i| records[i].id).collect(),
                probability: link.probability,
                explanation: json!({
                    "records": [records[link.a as usize].id, records[link.b as usize].id],
                    "prior_weight": why.prior_weight,
                    "weight": why.weight,
                    "probability": why.probability,
                    "evidence": why.evidence,
                    "name_override": why.name_override,
                }),
            }
        })
        .collect()
}

/// Marks the standing merges this run's model would not make as questioned, and audits it.
async fn store_questioned(
    conn: &mut Conn,
    questioned: &[QuestionedMerge],
    now: Timestamp,
) -> Result<()> {
    if questioned.is_empty() {
        return Ok(());
    }
    let reasons: Vec<(i64, String)> = questioned
        .iter()
        .map(|q| (q.merge_id, q.reason.clone()))
        .collect();
    if stored::question_merges(conn, &reasons, now).await? > 0 {
        record(
            conn,
            &Actor::System,
            Action::MergeQuestioned,
            &Subject::Discovery,
            json!({ "merges": questioned }),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Writes the planned merges, giving each its id.
async fn store_merges(conn: &mut Conn, planned: &mut [PlannedMerge], now: Timestamp) -> Result<()> {
    let ids = stored::next_ids(conn).await?;
    let mut batch = MergeBatch::default();
    for (i, p) in planned.iter_mut().enumerate() {
        let id = ids.merge + i as i64;
        p.merge_id = Some(id);
        batch.push(&Merge {
            id,
            into_contact: p.into_contact,
            from_contact: Some(p.from_contact),
            records: p.records.clone(),
            method: "model".into(),
            probability: Some(p.probability),
            explanation: p.explanation.clone(),
            actor: "system".into(),
            at: now,
            undone_at: None,
            undone_by: None,
            questioned: None,
            kept: None,
        });
        if batch.len() >= 2_000 {
            stored::write_merges(conn, &batch.take()).await?;
        }
    }
    if !batch.is_empty() {
        stored::write_merges(conn, &batch.take()).await?;
    }
    Ok(())
}

/// Builds a list for each live ICP version (of the one segment, if given).
async fn build_lists(
    conn: &mut Conn,
    config: &DiscoveryConfig,
    records: &[Record],
    segment: Option<&str>,
    dry_run: bool,
    now: Timestamp,
) -> Result<Vec<ListOutcome>> {
    let live: Vec<_> = icp_store::list(conn)
        .await?
        .into_iter()
        .filter(|v| v.status == IcpStatus::Live)
        .filter(|v| segment.is_none_or(|s| s == v.segment))
        .collect();
    if let Some(s) = segment
        && live.is_empty()
    {
        return Err(Error::NotFound(format!(
            "the segment `{s}` has no live ICP version (see `leadgate icp list`)"
        )));
    }
    let documents = live
        .iter()
        .map(|version| {
            serde_json::from_value::<IcpDocument>(version.document.clone())
                .map_err(|e| Error::corrupt(format!("ICP version {}: {e}", version.id)))
        })
        .collect::<Result<Vec<_>>>()?;
    let suppressions = load_suppressions(conn).await?;
    let customers = load_customers(conn).await?;
    let signals = engagement::signal_index(conn, &documents, &config.pages, now).await?;
    let rules = ListRules {
        freshness: config.freshness.clone(),
        compliance: config.compliance.clone(),
        suppressions: Some(&suppressions),
        customers: Some(&customers),
        signals: Some(&signals),
    };
    let build = Build {
        config,
        records,
        rules: &rules,
        dry_run,
        now,
    };
    let mut lists = Vec::new();
    for (version, document) in live.iter().zip(&documents) {
        let stamp = IcpStamp {
            id: version.id,
            version: version.version,
            segment: &version.segment,
        };
        if let Some(outcome) = build_list(conn, &build, document, stamp).await? {
            lists.push(outcome);
        }
    }
    Ok(lists)
}

/// The suppression list as stored: addresses, domains and the hashes of erased addresses.
pub(crate) async fn load_suppressions(conn: &mut Conn) -> Result<SuppressionList> {
    let mut list = SuppressionList::new();
    for s in stored::suppressions(conn).await? {
        match s.kind {
            SuppressionKind::Email => {
                if let Ok(e) = Email::parse(&s.value) {
                    list.add_email(&e);
                }
            }
            SuppressionKind::Domain => {
                if let Ok(d) = Domain::parse(&s.value) {
                    list.add_domain(&d);
                }
            }
            SuppressionKind::Erasure if is_erasure_hash(&s.value) => list.add_erasure(&s.value),
            SuppressionKind::Erasure => {}
        }
    }
    Ok(list)
}

/// The customer accounts of every CRM export imported (`leadgate customers import`).
async fn load_customers(conn: &mut Conn) -> Result<CustomerAccounts> {
    let mut accounts = CustomerAccounts::new();
    for a in stored::customer_accounts(conn).await? {
        if let Ok(d) = Domain::parse(&a.domain) {
            accounts.insert(d);
        }
    }
    Ok(accounts)
}

/// The ICP version a list is built for.
#[derive(Clone, Copy)]
struct IcpStamp<'a> {
    id: i64,
    version: i64,
    segment: &'a str,
}

/// What every list of a run is built from.
struct Build<'a> {
    config: &'a DiscoveryConfig,
    records: &'a [Record],
    rules: &'a ListRules<'a>,
    dry_run: bool,
    now: Timestamp,
}

/// Drafts the list of one ICP version (core decides), then, unless a dry run, stores it,
/// supersedes the segment's unreviewed list and opens the sample review.
async fn build_list(
    conn: &mut Conn,
    build: &Build<'_>,
    icp: &IcpDocument,
    stamp: IcpStamp<'_>,
) -> Result<Option<ListOutcome>> {
    let &Build {
        config,
        records,
        rules,
        dry_run,
        now,
    } = build;
    if records.is_empty() {
        return Ok(None);
    }
    let previous = stored::lists(conn)
        .await?
        .into_iter()
        .find(|l| l.segment == stamp.segment && l.status != ListStatus::Superseded);
    let previous_standing: Option<HashMap<i64, Standing>> = match &previous {
        Some(p) => Some(stored::standings(conn, p.id).await?.into_iter().collect()),
        None => None,
    };
    let trust: Vec<&str> = config.trust.iter().map(String::as_str).collect();
    let observations: Vec<(i64, Observation<'_>)> = records
        .iter()
        .map(|r| {
            let o = Observation {
                record_id: r.id,
                source: &r.source,
                observed_at: r.observed_at,
                facts: &r.facts,
            };
            (r.contact_id, o)
        })
        .collect();
    let draft = list::draft(
        icp,
        &observations,
        rules,
        &trust,
        previous_standing.as_ref(),
        now,
    );
    let list_id = stored::next_ids(conn).await?.list;
    let seed = config.sample.seed.unwrap_or(list_id as u64 ^ 0x5eed_1157);
    let sample = draft.sample(config.sample.size, seed);
    let mut outcome = ListOutcome::of(&draft, stamp, sample, now);
    if dry_run {
        return Ok(Some(outcome));
    }
    store_list(
        conn,
        list_id,
        &draft,
        &outcome,
        previous.as_ref().map(|p| p.id),
        now,
    )
    .await?;
    outcome.list_id = Some(list_id);
    if let Some(p) = previous.filter(|p| p.status == ListStatus::InReview) {
        supersede(conn, p.id, list_id, now).await?;
        outcome.superseded_list = Some(p.id);
    }
    if outcome.sample.is_empty() {
        // Nothing was admitted: there is nothing to review and nothing moves on.
        stored::set_list_status(conn, list_id, ListStatus::Empty).await?;
        record(
            conn,
            &Actor::System,
            Action::ListBuilt,
            &Subject::List(list_id),
            json!({
                "list": list_id,
                "segment": stamp.segment,
                "admitted": 0,
                "needs_data": outcome.needs_data,
                "dropped": outcome.dropped,
            }),
            now,
        )
        .await?;
    } else {
        outcome.gate_id = Some(open_sample_review(conn, list_id, &draft, &outcome, now).await?);
    }
    store_summary(conn, &outcome).await?;
    Ok(Some(outcome))
}

impl ListOutcome {
    fn of(draft: &ListDraft, stamp: IcpStamp<'_>, sample: Vec<i64>, now: Timestamp) -> Self {
        let tally = draft.tally.clone();
        ListOutcome {
            list_id: None,
            segment: stamp.segment.to_string(),
            icp_version_id: stamp.id,
            icp_version: stamp.version,
            admitted: tally.admitted,
            needs_data: tally.needs_data,
            needs_data_by_criterion: tally.needs_data_by_criterion,
            dropped: tally.dropped,
            dropped_by_reason: tally.dropped_by_reason,
            newly_admitted: tally.newly_admitted,
            newly_dropped: tally.newly_dropped,
            gate_id: None,
            sample,
            superseded_list: None,
            stale: tally.stale,
            refresh: draft
                .refresh
                .iter()
                .map(|r| stored::RefreshRequest {
                    contact_id: r.contact,
                    reason: r.reason.as_str().to_string(),
                    detail: r.detail.clone(),
                    queued_at: now,
                })
                .collect(),
        }
    }
}

/// Writes the list's row and its prospects.
async fn store_list(
    conn: &mut Conn,
    list_id: i64,
    draft: &ListDraft,
    outcome: &ListOutcome,
    previous: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    stored::insert_list(
        conn,
        &ProspectList {
            id: list_id,
            segment: outcome.segment.clone(),
            icp_version_id: outcome.icp_version_id,
            status: ListStatus::InReview,
            previous_list_id: previous,
            created_at: now,
            summary: serde_json::to_value(outcome).unwrap_or(Value::Null),
        },
    )
    .await?;
    let mut batch = ProspectBatch::default();
    for d in &draft.prospects {
        batch.push(&Prospect {
            list_id,
            contact_id: d.contact,
            status: d.verdict.standing,
            primary_source: d.primary_source().to_string(),
            profile: json!({ "person": d.person, "company": d.company, "sources": d.sources }),
            evaluation: serde_json::to_value(&d.verdict).unwrap_or(Value::Null),
            columns: ProspectColumns::of(&d.person, &d.company, &d.verdict),
        });
        if batch.size() >= 1 << 20 {
            stored::write_prospects(conn, &batch.take()).await?;
        }
    }
    stored::write_prospects(conn, &batch.take()).await?;
    Ok(())
}

/// Marks the unreviewed list `old` superseded by `new` and cancels its open sample review.
async fn supersede(conn: &mut Conn, old: i64, new: i64, now: Timestamp) -> Result<()> {
    stored::set_list_status(conn, old, ListStatus::Superseded).await?;
    let open = gates::list(
        conn,
        &gates::GateFilter {
            status: Some(GateStatus::Open),
            ..Default::default()
        },
    )
    .await?;
    for g in open
        .into_iter()
        .filter(|g| g.kind == GateKind::SampleReview && g.subject == Subject::List(old))
    {
        gates::set_status(conn, g.id, GateStatus::Cancelled, now).await?;
        record(
            conn,
            &Actor::System,
            Action::GateCancelled,
            &Subject::Gate(g.id),
            json!({ "reason": format!("list {old} superseded by list {new}") }),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Opens the list's sample review with its sample, audits it and announces the list.
async fn open_sample_review(
    conn: &mut Conn,
    list_id: i64,
    draft: &ListDraft,
    outcome: &ListOutcome,
    now: Timestamp,
) -> Result<i64> {
    let subject = Subject::List(list_id);
    let summary_line = format!(
        "{} v{}: {} admitted, {} need data, {} dropped; sample of {}",
        outcome.segment,
        outcome.icp_version,
        outcome.admitted,
        outcome.needs_data,
        outcome.dropped,
        outcome.sample.len()
    );
    // The machine built the list: no person is its maker.
    let gate = gates::open(
        conn,
        GateKind::SampleReview,
        &subject,
        &summary_line,
        None,
        now,
    )
    .await?
    .ok_or_else(|| Error::Conflict(format!("a sample review is already open for {subject}")))?;
    let stratum: HashMap<i64, &str> = draft
        .admitted()
        .map(|d| (d.contact, d.primary_source()))
        .collect();
    for (position, contact) in outcome.sample.iter().enumerate() {
        stored::insert_sample_item(
            conn,
            &stored::SampleItem {
                gate_id: gate.id,
                position: position as i64 + 1,
                list_id,
                contact_id: *contact,
                stratum: stratum.get(contact).unwrap_or(&"").to_string(),
                verdict: None,
                reason: None,
                reviewer: None,
                at: None,
            },
        )
        .await?;
    }
    record(
        conn,
        &Actor::System,
        Action::GateOpened,
        &Subject::Gate(gate.id),
        json!({ "kind": gate.kind, "subject": subject, "required_roles": gate.required_roles }),
        now,
    )
    .await?;
    announce(
        conn,
        Action::ListBuilt,
        EventKind::ProspectListBuilt,
        &subject,
        json!({
            "list": list_id,
            "segment": outcome.segment,
            "icp_version": outcome.icp_version_id,
            "admitted": outcome.admitted,
            "needs_data": outcome.needs_data,
            "dropped": outcome.dropped,
            "gate": gate.id,
            "sample": outcome.sample,
        }),
        now,
    )
    .await?;
    Ok(gate.id)
}

/// Stores the run's outcome as its list's summary, now that it knows the list's gate and the
/// list it superseded (the list row is written before either exists).
async fn store_summary(conn: &mut Conn, outcome: &ListOutcome) -> Result<()> {
    if let Some(id) = outcome.list_id {
        let summary = serde_json::to_value(outcome).unwrap_or(Value::Null);
        stored::set_list_summary(conn, id, &summary).await?;
    }
    Ok(())
}
