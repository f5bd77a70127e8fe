//! The sample-review page: each sampled record of a prospect list with every field, the
//! source and record it came from and its age, the ICP criteria and the compliance verdict,
//! and — for a reviewer who may decide — a match / no match choice with a reason per record.
//! Verdicts go through `engine::discovery::review`, the same path as the CLI.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use leadgate_core::discovery::sample::ReviewVerdict;
use leadgate_core::gate::GateStatus;
use serde::Deserialize;
use serde_json::Value;

use super::{Layout, PageError, Pages, age, may_decide, page, show_time};
use crate::engine::discovery::review::{
    ItemDecision, SampleUnderReview, review, sample_under_review,
};
use crate::server::auth::Principal;
use crate::server::state::AppState;

pub fn routes() -> Pages {
    Pages::new().route("/samples/{id}", get(show).post(decide))
}

pub struct FieldRow {
    pub name: String,
    pub value: String,
    pub source: String,
    pub record: String,
    pub age: String,
    pub observed_iso: String,
}

pub struct ItemView {
    pub position: i64,
    pub contact_id: i64,
    pub stratum: String,
    pub verdict: Option<ReviewVerdict>,
    pub reason: Option<String>,
    pub reviewer: Option<String>,
    pub fields: Vec<FieldRow>,
    /// (criterion, outcome, reason)
    pub criteria: Vec<(String, String, String)>,
    pub compliance: String,
}

#[derive(Template)]
#[template(path = "sample.html")]
struct SamplePage {
    layout: Layout,
    gate_id: i64,
    status: GateStatus,
    summary: String,
    list_id: i64,
    segment: String,
    built: String,
    required: usize,
    items: Vec<ItemView>,
    can_review: bool,
    why_not: String,
    outcome: Option<String>,
    /// (source, reviewed, no match, error rate)
    by_source: Vec<(String, usize, usize, String)>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Flash {
    done: Option<String>,
}

fn fields_of(profile: &Value, now: Timestamp) -> Vec<FieldRow> {
    let mut rows = Vec::new();
    for part in ["person", "company"] {
        let Some(fields) = profile.get(part).and_then(Value::as_object) else {
            continue;
        };
        for (name, s) in fields {
            let observed = s["observed_at"].as_str().unwrap_or("");
            let at = observed.parse::<Timestamp>().ok();
            rows.push(FieldRow {
                name: crate::views::fact_label(name),
                value: crate::views::fact_value(name, s["value"].as_str().unwrap_or("")),
                source: s["source"].as_str().unwrap_or("").to_string(),
                record: s["record_id"].as_str().unwrap_or("").to_string(),
                age: at.map(|at| age(now, at)).unwrap_or_default(),
                observed_iso: observed.to_string(),
            });
        }
    }
    rows
}

async fn render(
    state: &AppState,
    principal: &Principal,
    id: i64,
    flash: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let now = state.now();
    let mut layout = Layout::for_person(state, principal, "inbox").await?;
    layout.flash = flash;
    let SampleUnderReview { gate, list, items } = sample_under_review(state.store(), id)
        .await?
        .ok_or_else(|| PageError {
            status: StatusCode::NOT_FOUND,
            message: format!("no sample review {id}"),
        })?;
    let list_id = list.as_ref().map_or(0, |l| l.id);
    let mut views = Vec::new();
    for (item, prospect) in &items {
        let (fields, criteria, compliance) = match prospect {
            Some(p) => (
                fields_of(&p.profile, now),
                p.evaluation["icp"]["criteria"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| {
                        (
                            c["criterion"].as_str().unwrap_or("").to_string(),
                            c["outcome"].as_str().unwrap_or("").to_string(),
                            c["reason"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect(),
                p.evaluation["compliance"]["reason"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            ),
            None => (Vec::new(), Vec::new(), String::new()),
        };
        views.push(ItemView {
            position: item.position,
            contact_id: item.contact_id,
            stratum: item.stratum.clone(),
            verdict: item.verdict,
            reason: item.reason.clone(),
            reviewer: item.reviewer.clone(),
            fields,
            criteria,
            compliance,
        });
    }
    let policy = &state.workspace().config.discovery.sample;
    let decision = gate.decisions.first();
    let outcome = decision.and_then(|d| d.note.clone());
    let by_source = decision
        .map(|_| {
            let mut rates: HashMap<String, (usize, usize)> = HashMap::new();
            for v in &views {
                let e = rates.entry(v.stratum.clone()).or_default();
                e.0 += 1;
                if v.verdict == Some(ReviewVerdict::NoMatch) {
                    e.1 += 1;
                }
            }
            let mut rows: Vec<_> = rates
                .into_iter()
                .filter(|(_, (_, bad))| *bad > 0)
                .map(|(s, (n, bad))| (s, n, bad, format!("{:.0}%", bad as f64 * 100.0 / n as f64)))
                .collect();
            rows.sort();
            rows
        })
        .unwrap_or_default();
    let can_review = may_decide(&gate, principal);
    let template = SamplePage {
        layout,
        gate_id: id,
        status: gate.status,
        summary: gate.summary.clone(),
        list_id,
        segment: list.as_ref().map(|l| l.segment.clone()).unwrap_or_default(),
        built: list
            .as_ref()
            .map(|l| show_time(state, l.created_at))
            .unwrap_or_default(),
        required: policy.required(items.len()),
        items: views,
        can_review,
        why_not: if gate.status == GateStatus::Open {
            "Only a reviewer can mark these records.".to_string()
        } else {
            "This review is closed.".to_string()
        },
        outcome,
        by_source,
        error,
    };
    page(status, &template)
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let flash = flash.done.map(|n| format!("{n} verdict(s) recorded."));
    render(&state, &principal, id, flash, None, StatusCode::OK).await
}

async fn decide(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut decisions = Vec::new();
    for (key, value) in &form {
        let Some(position) = key
            .strip_prefix("verdict_")
            .and_then(|p| p.parse::<i64>().ok())
        else {
            continue;
        };
        let verdict = value.parse::<ReviewVerdict>().map_err(|why| PageError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: format!("record {position}: verdict {why}"),
        })?;
        let reason = form
            .get(&format!("reason_{position}"))
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        decisions.push(ItemDecision {
            position,
            verdict,
            reason,
        });
    }
    decisions.sort_by_key(|d| d.position);
    if decisions.is_empty() {
        return render(
            &state,
            &principal,
            id,
            None,
            Some("Choose match or no match for at least one record.".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let outcome = review(
        state.store(),
        &state.workspace().config.discovery,
        id,
        &principal.person.name,
        &decisions,
        state.now(),
    )
    .await;
    match outcome {
        Ok(_) => {
            let to = format!("/samples/{id}?done={}", decisions.len());
            let to = HeaderValue::from_str(&to).unwrap_or(HeaderValue::from_static("/"));
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
        }
        Err(e) => {
            let refusal = PageError::from(e);
            render(
                &state,
                &principal,
                id,
                None,
                Some(refusal.message),
                refusal.status,
            )
            .await
        }
    }
}
