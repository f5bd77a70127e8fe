//! The contact page: one person as leadgate knows them — every fact with its source and age,
//! the merges that joined their records (each explained, each with its undo), the lists
//! they are on and why, whether they may be e-mailed, and the audit trail of their merges.
//! What `leadgate merge explain` and `merge undo` do, for one contact.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use leadgate_core::audit::describe_action;
use leadgate_core::discovery::prospect::{COMPANY_FIELDS, PERSON_FIELDS, ProspectVerdict};
use leadgate_store::discovery::{ContactStatus, Merge};
use serde::Deserialize;
use serde_json::Value;

use super::{Layout, PageError, Pages, age, csrf, page, show_time};
use crate::engine::discovery::{contact, merge};
use crate::server::auth::Principal;
use crate::server::state::AppState;
use crate::views::{ProspectLine, fact_label, fact_value, name_for_display};

pub fn routes() -> Pages {
    Pages::new()
        .route("/contacts/{id}", get(show))
        .route("/contacts/{id}/merges/{merge}/undo", post(undo))
}

/// One fact of one record.
struct FactRow {
    label: String,
    value: String,
    source: String,
    record: i64,
    age: String,
    observed_iso: String,
    /// Whether the newest list uses this record's value of the field.
    in_use: bool,
}

/// A merge in words, with its evidence.
struct MergeRow {
    id: i64,
    /// "Same e-mail at import" or "Entity resolution, 98.2 % likely the same person".
    how: String,
    records: usize,
    from_contact: Option<i64>,
    at: String,
    /// Each comparison of a resolution merge: what was compared, how it came out, its weight.
    evidence: Vec<(String, String, String)>,
    /// "Undone by sam on …", "Questioned: …", "Kept by …".
    state: Vec<String>,
    undoable: bool,
}

struct TrailRow {
    at: String,
    actor: String,
    action: String,
    subject: String,
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    layout: Layout,
    id: i64,
    name: String,
    headline: String,
    /// Set when the contact was merged into another: that one's id.
    merged_into: Option<i64>,
    /// Whether it may be e-mailed, in a sentence, from its newest list.
    compliance: Option<String>,
    facts: Vec<FactRow>,
    merges: Vec<MergeRow>,
    lists: Vec<(i64, ProspectLine)>,
    trail: Vec<TrailRow>,
    csrf: String,
}

#[derive(Deserialize)]
struct Shown {
    undone: Option<i64>,
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let mut layout = Layout::for_person(&state, &principal, "lists").await?;
    let dossier = contact::dossier(state.store(), id).await?;
    layout.flash = shown
        .undone
        .map(|m| format!("Merge {m} undone: its records are a contact of their own again."));
    let newest = dossier.memberships.first();
    let line = newest.map(ProspectLine::from);
    let name = line
        .as_ref()
        .map(|l| l.name.clone())
        .filter(|n| !n.is_empty())
        .or_else(|| name_of_records(&dossier.records))
        .unwrap_or_else(|| format!("Contact {id}"));
    let headline = line
        .as_ref()
        .map(|l| match (l.title.as_str(), l.company.as_str()) {
            ("", "") => String::new(),
            (title, "") => title.to_string(),
            ("", company) => company.to_string(),
            (title, company) => format!("{title} at {company}"),
        })
        .unwrap_or_default();
    let compliance = newest
        .and_then(|p| ProspectVerdict::deserialize(&p.evaluation).ok())
        .map(|v| v.compliance.reason);
    let view = ContactPage {
        layout,
        id,
        name,
        headline,
        merged_into: (dossier.contact.status == ContactStatus::Merged.as_str())
            .then_some(dossier.contact.merged_into)
            .flatten(),
        compliance,
        facts: facts(&state, &dossier.records, newest.map(|p| &p.profile)),
        merges: dossier
            .merges
            .iter()
            .map(|m| merge_row(&state, m))
            .collect(),
        lists: dossier
            .memberships
            .iter()
            .map(|p| (p.list_id, ProspectLine::from(p)))
            .collect(),
        trail: dossier
            .trail
            .iter()
            .map(|e| TrailRow {
                at: show_time(&state, e.at),
                actor: e.actor.name().to_string(),
                action: describe_action(&e.action),
                subject: e.subject.replace(':', " "),
            })
            .collect(),
        csrf: csrf(&principal),
    };
    page(StatusCode::OK, &view)
}

async fn undo(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, merge_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    merge::undo(state.store(), merge_id, &principal.person.name, state.now()).await?;
    Ok(Redirect::to(&format!("/contacts/{id}?undone={merge_id}")).into_response())
}

/// The name the records give, when no list has judged the contact yet.
fn name_of_records(records: &[leadgate_store::discovery::Record]) -> Option<String> {
    records.iter().find_map(|r| {
        let text = |k: &str| r.facts.get(k).and_then(Value::as_str).unwrap_or("");
        let full = match text("full_name") {
            "" => format!("{} {}", text("first_name"), text("last_name")),
            full => full.to_string(),
        };
        let full = full.trim();
        (!full.is_empty()).then(|| name_for_display(full))
    })
}

/// Every fact of every record, the person's fields first, then the company's, then the
/// rest; the newest observation of a field first. `profile` is the newest list's: the
/// value it chose for each field, by record.
fn facts(
    state: &AppState,
    records: &[leadgate_store::discovery::Record],
    profile: Option<&Value>,
) -> Vec<FactRow> {
    let chosen = |name: &str, record: i64| {
        profile.is_some_and(|p| {
            ["person", "company"].iter().any(|side| {
                p[side][name]["record_id"].as_str() == Some(record.to_string().as_str())
            })
        })
    };
    let order = |name: &str| {
        PERSON_FIELDS
            .iter()
            .chain(COMPANY_FIELDS)
            .position(|f| *f == name)
            .unwrap_or(usize::MAX)
    };
    let mut rows: Vec<(usize, &str, FactRow, jiff::Timestamp)> = Vec::new();
    for r in records {
        for (name, value) in &r.facts {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
                Value::Null => continue,
                other => other.to_string(),
            };
            if text.trim().is_empty() {
                continue;
            }
            rows.push((
                order(name),
                name,
                FactRow {
                    label: fact_label(name),
                    value: fact_value(name, &text),
                    source: r.source.clone(),
                    record: r.id,
                    age: age(state.now(), r.observed_at),
                    observed_iso: r.observed_at.to_string(),
                    in_use: chosen(name, r.id),
                },
                r.observed_at,
            ));
        }
    }
    rows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(b.3.cmp(&a.3)));
    rows.into_iter().map(|(_, _, row, _)| row).collect()
}

fn merge_row(state: &AppState, m: &Merge) -> MergeRow {
    let e = &m.explanation;
    let how = match m.method.as_str() {
        "key" => format!(
            "Same {} at import ({})",
            e["key"].as_str().unwrap_or("key").replace('_', " "),
            e["value"].as_str().unwrap_or("")
        ),
        _ => format!(
            "Entity resolution: {:.1} % likely the same person",
            e["probability"].as_f64().or(m.probability).unwrap_or(0.0) * 100.0
        ),
    };
    let evidence = e["evidence"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["comparison"].as_str().unwrap_or("").replace('_', " "),
                c["level"].as_str().unwrap_or("").replace('_', " "),
                format!("{:+.2}", c["weight"].as_f64().unwrap_or(0.0)),
            )
        })
        .collect();
    let mut shown = Vec::new();
    if let Some(at) = m.undone_at {
        shown.push(format!(
            "Undone by {} {}",
            m.undone_by.as_deref().unwrap_or("someone"),
            show_time(state, at)
        ));
    }
    if let Some(q) = &m.questioned {
        shown.push(format!(
            "Questioned {}: {}",
            show_time(state, q.at),
            q.reason
        ));
    }
    if let Some(k) = &m.kept {
        shown.push(format!("Kept by {} {}", k.by, show_time(state, k.at)));
    }
    MergeRow {
        id: m.id,
        how,
        records: m.records.len(),
        from_contact: m.from_contact,
        at: show_time(state, m.at),
        evidence,
        state: shown,
        undoable: m.undone_at.is_none(),
    }
}
