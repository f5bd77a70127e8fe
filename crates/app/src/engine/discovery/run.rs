//! A discovery run: resolve every record into contacts across all sources, then build one
//! prospect list per live ICP version and open its sample-review gate.
//!
//! Resolution runs the entity-resolution engine over all records. A link between records of
//! two contacts merges the contacts (the older keeps its id), unless a person undid a merge
//! between them before; each merge is stored with its evidence. `dry_run` computes the same
//! merges and lists and stores nothing. Each list is stamped with the ICP version that
//! admitted it, holds every contact as admitted or dropped with the reasons, and says what
//! changed against the segment's previous list; an open, unreviewed list of the segment is
//! superseded (its gate cancelled).

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use leadgate_core::audit::Actor;
use leadgate_core::discovery::company::resolve_companies;
use leadgate_core::discovery::compliance::{SuppressionKind, SuppressionList, is_erasure_hash};
use leadgate_core::discovery::customers::CustomerAccounts;
use leadgate_core::discovery::freshness::Freshness;
use leadgate_core::discovery::normalize::{Domain, Email};
use leadgate_core::discovery::prospect::{
    ListRules, ListStatus, Observation, Standing, company_profile, current_employer, judge,
    person_profile, sources_of,
};
use leadgate_core::discovery::resolve::{Resolution, ResolveConfig, Table, explain, resolve};
use leadgate_core::discovery::sample::{SampleItem as Drawn, draw};
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

use crate::engine::gates::subject as gate_subject;
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

/// Contacts in groups, with the pairs people said are different.
struct Groups {
    parent: HashMap<i64, i64>,
    members: HashMap<i64, Vec<usize>>,
    apart: HashMap<i64, HashSet<i64>>,
}

impl Groups {
    fn find(&mut self, c: i64) -> i64 {
        let mut root = c;
        while let Some(&p) = self.parent.get(&root) {
            if p == root {
                break;
            }
            root = p;
        }
        let mut x = c;
        while x != root {
            let next = self.parent.get(&x).copied().unwrap_or(root);
            self.parent.insert(x, root);
            x = next;
        }
        root
    }

    fn kept_apart(&mut self, a: i64, b: i64) -> bool {
        let (sa, sb) = (
            self.apart.get(&a).cloned().unwrap_or_default(),
            self.apart.get(&b).cloned().unwrap_or_default(),
        );
        sa.iter().any(|&x| self.find(x) == b) || sb.iter().any(|&x| self.find(x) == a)
    }

    /// Joins `from` into `into` (both roots).
    fn join(&mut self, into: i64, from: i64) {
        self.parent.insert(from, into);
        let moved = self.members.remove(&from).unwrap_or_default();
        self.members.entry(into).or_default().extend(moved);
        let apart = self.apart.remove(&from).unwrap_or_default();
        self.apart.entry(into).or_default().extend(apart);
    }
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
    let cannot = stored::cannot_links(&mut tx).await?;
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
    let mut groups = Groups {
        parent: contacts_before.iter().map(|&c| (c, c)).collect(),
        members: HashMap::new(),
        apart: HashMap::new(),
    };
    for (i, r) in records.iter().enumerate() {
        groups.members.entry(r.contact_id).or_default().push(i);
    }
    for &(a, b) in &cannot {
        groups.apart.entry(a).or_default().insert(b);
        groups.apart.entry(b).or_default().insert(a);
    }
    let mut planned = Vec::new();
    let mut refused_by_undo = 0;
    for link in &resolution.clustering.merges {
        let (ca, cb) = (
            records[link.a as usize].contact_id,
            records[link.b as usize].contact_id,
        );
        let (ra, rb) = (groups.find(ca), groups.find(cb));
        if ra == rb {
            continue;
        }
        if groups.kept_apart(ra, rb) {
            refused_by_undo += 1;
            continue;
        }
        let (into, from) = (ra.min(rb), ra.max(rb));
        let moved: Vec<i64> = groups
            .members
            .get(&from)
            .map(|m| m.iter().map(|&i| records[i].id).collect())
            .unwrap_or_default();
        let why = explain(
            &resolution.model,
            &resolution.comparisons,
            &table,
            link.a,
            link.b,
        );
        planned.push(PlannedMerge {
            merge_id: None,
            into_contact: into,
            from_contact: from,
            records: moved,
            probability: link.probability,
            explanation: json!({
                "records": [records[link.a as usize].id, records[link.b as usize].id],
                "prior_weight": why.prior_weight,
                "weight": why.weight,
                "probability": why.probability,
                "evidence": why.evidence,
                "name_override": why.name_override,
            }),
        });
        groups.join(into, from);
    }

    // The contact each record belongs to now.
    let mut final_contact: HashMap<i64, i64> = HashMap::new();
    for &c in &contacts_before {
        let root = groups.find(c);
        final_contact.insert(c, root);
    }
    let moves: Vec<(i64, i64)> = records
        .iter()
        .filter_map(|r| {
            let to = final_contact[&r.contact_id];
            (to != r.contact_id).then_some((r.id, to))
        })
        .collect();
    for r in &mut records {
        r.contact_id = final_contact[&r.contact_id];
    }
    let contacts_after: HashSet<i64> = records.iter().map(|r| r.contact_id).collect();

    if !dry_run && !questioned.is_empty() {
        let reasons: Vec<(i64, String)> = questioned
            .iter()
            .map(|q| (q.merge_id, q.reason.clone()))
            .collect();
        if stored::question_merges(&mut tx, &reasons, now).await? > 0 {
            record(
                &mut tx,
                &Actor::System,
                "merge.questioned",
                "discovery",
                json!({ "merges": questioned }),
                now,
            )
            .await?;
        }
    }

    if !dry_run && !planned.is_empty() {
        let ids = stored::next_ids(&mut tx).await?;
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
                stored::write_merges(&mut tx, &batch.take()).await?;
            }
        }
        if !batch.is_empty() {
            stored::write_merges(&mut tx, &batch.take()).await?;
        }
        stored::reassign_records(&mut tx, &moves).await?;
        let merged: Vec<(i64, i64)> = planned
            .iter()
            .map(|p| (p.from_contact, final_contact[&p.from_contact]))
            .collect();
        stored::mark_contacts_merged(&mut tx, &merged).await?;
        record(
            &mut tx,
            &Actor::System,
            "discovery.resolved",
            "discovery",
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

    let suppressions = load_suppressions(&mut tx).await?;
    let customers = load_customers(&mut tx).await?;
    let mut lists = Vec::new();
    let live: Vec<_> = icp_store::list(&mut tx)
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
    for version in live {
        let document: IcpDocument = serde_json::from_value(version.document.clone())
            .map_err(|e| Error::Invalid(format!("ICP version {}: {e}", version.id)))?;
        let outcome = build_list(
            &mut tx,
            config,
            &records,
            (&suppressions, &customers),
            &document,
            (version.id, version.version, &version.segment),
            dry_run,
            now,
        )
        .await?;
        lists.extend(outcome);
    }
    if dry_run {
        tx.rollback().await?;
    } else {
        let queue: Vec<stored::RefreshRequest> =
            lists.iter().flat_map(|l| l.refresh.clone()).collect();
        stored::replace_refresh_queue(&mut tx, &queue, segment.is_none()).await?;
        tx.commit().await?;
    }
    Ok(RunOutcome {
        dry_run,
        records: records.len(),
        contacts_before: contacts_before.len(),
        contacts_after: contacts_after.len(),
        merges: planned,
        refused_by_undo,
        questioned,
        training_warnings: resolution.model.training.warnings.clone(),
        lists,
    })
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

async fn load_suppressions(conn: &mut Conn) -> Result<SuppressionList> {
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

#[allow(clippy::too_many_arguments)]
async fn build_list(
    conn: &mut Conn,
    config: &DiscoveryConfig,
    records: &[Record],
    (suppressions, customers): (&SuppressionList, &CustomerAccounts),
    icp: &IcpDocument,
    (icp_version_id, icp_version, segment): (i64, i64, &str),
    dry_run: bool,
    now: Timestamp,
) -> Result<Option<ListOutcome>> {
    if records.is_empty() {
        return Ok(None);
    }
    let trust: Vec<&str> = config.trust.iter().map(String::as_str).collect();
    fn observation(r: &Record) -> Observation<'_> {
        Observation {
            record_id: r.id,
            source: &r.source,
            observed_at: r.observed_at,
            facts: &r.facts,
        }
    }
    let companies = resolve_companies(records.iter().map(|r| &r.facts));
    let company_of_record: HashMap<i64, usize> = records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((r.id, companies.of(i)?)))
        .collect();
    let mut by_contact: BTreeMap<i64, Vec<Observation<'_>>> = BTreeMap::new();
    let mut by_company: Vec<Vec<Observation<'_>>> = vec![Vec::new(); companies.count()];
    for (i, r) in records.iter().enumerate() {
        by_contact
            .entry(r.contact_id)
            .or_default()
            .push(observation(r));
        if let Some(company) = companies.of(i) {
            by_company[company].push(observation(r));
        }
    }
    let rules = ListRules {
        freshness: config.freshness.clone(),
        compliance: config.compliance.clone(),
        suppressions: Some(suppressions),
        customers: Some(customers),
    };
    let previous = stored::lists(conn)
        .await?
        .into_iter()
        .find(|l| l.segment == segment && l.status != ListStatus::Superseded);
    let previous_status: HashMap<i64, Standing> = match &previous {
        Some(p) => stored::prospects(conn, p.id, None)
            .await?
            .into_iter()
            .map(|p| (p.contact_id, p.status))
            .collect(),
        None => HashMap::new(),
    };
    let ids = stored::next_ids(conn).await?;
    let list_id = ids.list;
    let mut batch = ProspectBatch::default();
    // Written after the list's own row, which they refer to.
    let mut batches: Vec<stored::Batch> = Vec::new();
    let (mut admitted, mut dropped, mut needs_data) = (Vec::new(), 0usize, 0usize);
    let mut dropped_by_reason: BTreeMap<String, usize> = BTreeMap::new();
    let mut needs_data_by_criterion: BTreeMap<String, usize> = BTreeMap::new();
    let mut newly_admitted = 0;
    let mut newly_dropped = Vec::new();
    let mut refresh = Vec::new();
    let mut stale = 0;
    let no_company: Vec<Observation<'_>> = Vec::new();
    for (&contact, observations) in &by_contact {
        let person = person_profile(observations, &trust);
        let employer = current_employer(
            observations,
            |o| company_of_record.get(&o.record_id).copied(),
            &trust,
        );
        let colleagues = employer.map_or(&no_company, |c| &by_company[c]);
        let company = company_profile(colleagues, &trust);
        let verdict = judge(
            icp,
            observations,
            &person,
            &company,
            colleagues,
            &rules,
            now,
        );
        let sources = sources_of(observations, &trust);
        let primary = sources.first().cloned().unwrap_or_default();
        let queue = |reason: &str, detail: String| stored::RefreshRequest {
            contact_id: contact,
            reason: reason.to_string(),
            detail,
            queued_at: now,
        };
        if verdict.standing != Standing::Dropped && verdict.freshness.freshness == Freshness::Stale
        {
            stale += 1;
            refresh.push(queue("stale", verdict.freshness.reason.clone()));
        }
        if verdict.standing == Standing::NeedsData {
            let waiting: Vec<String> = verdict
                .unknown
                .iter()
                .map(|c| leadgate_core::icp::criterion_label(c))
                .collect();
            refresh.push(queue(
                "needs_data",
                format!("waits for {}", waiting.join(", ")),
            ));
        }
        match verdict.standing {
            Standing::Admitted => {
                admitted.push((contact, primary.clone()));
                if previous.is_some() && previous_status.get(&contact) != Some(&Standing::Admitted)
                {
                    newly_admitted += 1;
                }
            }
            Standing::NeedsData => {
                needs_data += 1;
                for criterion in &verdict.unknown {
                    *needs_data_by_criterion
                        .entry(criterion.clone())
                        .or_default() += 1;
                }
                if previous_status.get(&contact) == Some(&Standing::Admitted) {
                    let waiting = verdict
                        .unknown
                        .iter()
                        .map(|c| format!("needs data: {}", leadgate_core::icp::criterion_label(c)));
                    newly_dropped.push((contact, waiting.collect()));
                }
            }
            Standing::Dropped => {
                dropped += 1;
                let kind = verdict
                    .reasons
                    .first()
                    .and_then(|r| r.split(':').next())
                    .unwrap_or("other")
                    .to_string();
                *dropped_by_reason.entry(kind).or_default() += 1;
                if previous_status.get(&contact) == Some(&Standing::Admitted) {
                    newly_dropped.push((contact, verdict.reasons.clone()));
                }
            }
        }
        if !dry_run {
            batch.push(&Prospect {
                list_id,
                contact_id: contact,
                status: verdict.standing,
                primary_source: primary,
                profile: json!({ "person": person, "company": company, "sources": sources }),
                evaluation: serde_json::to_value(&verdict).unwrap_or(Value::Null),
            });
            if batch.size() >= 1 << 20 {
                batches.push(batch.take());
            }
        }
    }
    let items: Vec<Drawn<'_>> = admitted
        .iter()
        .map(|(id, stratum)| Drawn { id: *id, stratum })
        .collect();
    let seed = config.sample.seed.unwrap_or(list_id as u64 ^ 0x5eed_1157);
    let sample = draw(&items, config.sample.size, seed);
    let mut outcome = ListOutcome {
        list_id: None,
        segment: segment.to_string(),
        icp_version_id,
        icp_version,
        admitted: admitted.len(),
        needs_data,
        needs_data_by_criterion,
        dropped,
        dropped_by_reason,
        newly_admitted,
        newly_dropped,
        gate_id: None,
        sample: sample.clone(),
        superseded_list: None,
        stale,
        refresh,
    };
    if dry_run {
        return Ok(Some(outcome));
    }
    let summary = serde_json::to_value(&outcome).unwrap_or(Value::Null);
    stored::insert_list(
        conn,
        &ProspectList {
            id: list_id,
            segment: segment.to_string(),
            icp_version_id,
            status: ListStatus::InReview,
            previous_list_id: previous.as_ref().map(|p| p.id),
            created_at: now,
            summary,
        },
    )
    .await?;
    batches.push(batch.take());
    for b in &batches {
        stored::write_prospects(conn, b).await?;
    }
    if let Some(p) = previous
        .as_ref()
        .filter(|p| p.status == ListStatus::InReview)
    {
        stored::set_list_status(conn, p.id, ListStatus::Superseded).await?;
        for g in gates::list(
            conn,
            &gates::GateFilter {
                status: Some(GateStatus::Open),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .filter(|g| g.kind == GateKind::SampleReview && g.subject == list_subject(p.id))
        {
            gates::set_status(conn, g.id, GateStatus::Cancelled, now).await?;
            record(
                conn,
                &Actor::System,
                "gate.cancelled",
                &gate_subject(g.id),
                json!({ "reason": format!("list {} superseded by list {list_id}", p.id) }),
                now,
            )
            .await?;
        }
        outcome.superseded_list = Some(p.id);
    }
    let subject = list_subject(list_id);
    outcome.list_id = Some(list_id);
    if sample.is_empty() {
        // Nothing was admitted: there is nothing to review and nothing moves on.
        stored::set_list_status(conn, list_id, ListStatus::Empty).await?;
        record(
            conn,
            &Actor::System,
            "discovery.list_built",
            &subject,
            json!({
                "list": list_id,
                "segment": segment,
                "admitted": 0,
                "needs_data": needs_data,
                "dropped": dropped,
            }),
            now,
        )
        .await?;
        store_summary(conn, &outcome).await?;
        return Ok(Some(outcome));
    }
    let summary_line = format!(
        "{segment} v{icp_version}: {} admitted, {needs_data} need data, {dropped} dropped; \
         sample of {}",
        admitted.len(),
        sample.len()
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
    let by_contact_source: HashMap<i64, &str> =
        admitted.iter().map(|(c, s)| (*c, s.as_str())).collect();
    for (position, contact) in sample.iter().enumerate() {
        stored::insert_sample_item(
            conn,
            &stored::SampleItem {
                gate_id: gate.id,
                position: position as i64 + 1,
                list_id,
                contact_id: *contact,
                stratum: by_contact_source.get(contact).unwrap_or(&"").to_string(),
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
        "gate.opened",
        &gate_subject(gate.id),
        json!({ "kind": gate.kind, "subject": subject, "required_roles": gate.required_roles }),
        now,
    )
    .await?;
    outcome.gate_id = Some(gate.id);
    store_summary(conn, &outcome).await?;
    announce(
        conn,
        "discovery.list_built",
        EventKind::ProspectListBuilt,
        &subject,
        json!({
            "list": list_id,
            "segment": segment,
            "icp_version": icp_version_id,
            "admitted": outcome.admitted,
            "needs_data": outcome.needs_data,
            "dropped": outcome.dropped,
            "gate": gate.id,
            "sample": sample,
        }),
        now,
    )
    .await?;
    Ok(Some(outcome))
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

/// The subject of a prospect list in gates, events and the audit log.
pub fn list_subject(id: i64) -> String {
    format!("list:{id}")
}

pub fn parse_list_subject(subject: &str) -> Option<i64> {
    subject.strip_prefix("list:")?.parse().ok()
}
