//! The leads page: every scored lead with its score, stage (outreach or nurture), chance to
//! convert, fit and engagement points and its top three reasons, for a RevOps person to sort
//! by score, narrow by stage, reason or score and search by name or company; each row opens
//! the contact. What `leadgate leads list` prints.
//!
//! Leads are read whole and narrowed here: a workspace scores thousands of leads, not the
//! millions of records a prospect list is resolved from.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use leadgate_core::scoring::lead::{LeadStage, feature_label};
use leadgate_store::leads::LeadScore;
use serde::Deserialize;

use super::table::{Header, PageQuery, Pager, page_size};
use super::{Layout, PageError, Pages, page};
use crate::engine::scoring;
use crate::server::auth::Principal;
use crate::server::state::AppState;

pub fn routes() -> Pages {
    Pages::new().route("/leads", get(list))
}

#[derive(Debug, Default, Deserialize)]
struct Filter {
    stage: Option<String>,
    reason: Option<String>,
    min: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<String>,
    size: Option<String>,
}

fn text(value: &Option<String>) -> String {
    value.as_deref().map(str::trim).unwrap_or("").to_string()
}

/// The columns the table sorts by: the key its links carry and the header.
const SORTS: &[(&str, &str, bool)] = &[
    ("name", "Lead", false),
    ("company", "Company", false),
    ("score", "Score", true),
    ("stage", "Stage", false),
    ("fit", "Fit", true),
    ("engagement", "Engagement", true),
];

/// One reason as people read it: "pricing visits in 7 days is ≥ 2: +25".
struct ReasonLine {
    words: String,
    points: String,
}

struct LeadLine {
    id: i64,
    name: String,
    email: String,
    company: String,
    score: i64,
    stage: &'static str,
    stage_label: &'static str,
    chance: String,
    fit: i64,
    engagement: i64,
    reasons: Vec<ReasonLine>,
}

/// A value to filter by, with its words and how many leads have it.
struct Choice {
    value: String,
    label: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct LeadsPage {
    layout: Layout,
    stage: String,
    reason: String,
    min: String,
    search: String,
    sort: String,
    dir: String,
    narrowed: bool,
    stages: Vec<Choice>,
    reasons: Vec<Choice>,
    headers: Vec<Header>,
    leads: Vec<LeadLine>,
    pager: Pager,
    clear: String,
    total: usize,
}

fn reason_terms(lead: &LeadScore) -> impl Iterator<Item = &str> {
    lead.reasons
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["term"].as_str())
}

/// Points as people write them: `+25`, `−5` (a minus sign, not a hyphen), `0`.
fn signed(points: i64) -> String {
    match points {
        0 => "0".to_string(),
        p if p > 0 => format!("+{p}"),
        p => format!("−{}", p.unsigned_abs()),
    }
}

fn line(lead: &LeadScore) -> LeadLine {
    LeadLine {
        id: lead.contact_id,
        name: lead.name.clone(),
        email: lead.email.clone(),
        company: lead.company.clone(),
        score: lead.score,
        stage: lead.stage.as_str(),
        stage_label: lead.stage.label(),
        chance: format!("{:.0} %", lead.probability * 100.0),
        fit: lead.fit,
        engagement: lead.engagement,
        reasons: lead
            .reasons
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| ReasonLine {
                words: format!(
                    "{}: {}",
                    feature_label(r["term"].as_str().unwrap_or_default()),
                    r["bin"].as_str().unwrap_or_default().replace('_', " ")
                ),
                points: signed(r["points"].as_i64().unwrap_or_default()),
            })
            .collect(),
    }
}

async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "leads").await?;
    let bad = |message: String| PageError {
        status: StatusCode::BAD_REQUEST,
        message,
    };
    let (stage, reason, min, search) = (
        text(&filter.stage),
        text(&filter.reason),
        text(&filter.min),
        text(&filter.q),
    );
    let stage_asked = match stage.as_str() {
        "" => None,
        s => Some(
            s.parse::<LeadStage>()
                .map_err(|e| bad(format!("stage: {e}")))?,
        ),
    };
    let min_score = match min.as_str() {
        "" => None,
        m => Some(
            m.parse::<i64>()
                .map_err(|_| bad(format!("the lowest score `{m}` is not a whole number")))?,
        ),
    };
    let all = scoring::list(state.store(), None).await?;
    let stages = LeadStage::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_string(),
            label: s.label().to_string(),
            count: all.iter().filter(|l| l.stage == *s).count(),
        })
        .collect();
    let mut terms: Vec<Choice> = Vec::new();
    for term in all.iter().flat_map(reason_terms) {
        match terms.iter_mut().find(|c| c.value == term) {
            Some(c) => c.count += 1,
            None => terms.push(Choice {
                value: term.to_string(),
                label: feature_label(term),
                count: 1,
            }),
        }
    }
    terms.sort_by(|a, b| a.label.cmp(&b.label));
    let needle = search.to_lowercase();
    let mut shown: Vec<&LeadScore> = all
        .iter()
        .filter(|l| stage_asked.is_none_or(|s| l.stage == s))
        .filter(|l| min_score.is_none_or(|m| l.score >= m))
        .filter(|l| reason.is_empty() || reason_terms(l).any(|t| t == reason))
        .filter(|l| {
            needle.is_empty()
                || [&l.name, &l.company, &l.email]
                    .iter()
                    .any(|t| t.to_lowercase().contains(&needle))
        })
        .collect();
    // Highest score first unless asked otherwise; an unknown column sorts by score.
    let sort_key = SORTS
        .iter()
        .map(|(k, _, _)| *k)
        .find(|k| Some(*k) == filter.sort.as_deref().map(str::trim))
        .unwrap_or("score");
    let dir = match text(&filter.dir).as_str() {
        "" if sort_key == "score" => "desc".to_string(),
        d => d.to_string(),
    };
    shown.sort_by(|a, b| {
        let order = match sort_key {
            "name" => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            "company" => a.company.to_lowercase().cmp(&b.company.to_lowercase()),
            "stage" => a.stage.as_str().cmp(b.stage.as_str()),
            "fit" => a.fit.cmp(&b.fit),
            "engagement" => a.engagement.cmp(&b.engagement),
            _ => a.score.cmp(&b.score),
        };
        let order = if dir == "desc" {
            order.reverse()
        } else {
            order
        };
        order.then(a.contact_id.cmp(&b.contact_id))
    });
    let query = PageQuery::new(
        "/leads",
        &[
            ("stage", stage.clone()),
            ("reason", reason.clone()),
            ("min", min.clone()),
            ("q", search.clone()),
            ("sort", sort_key.to_string()),
            ("dir", dir.clone()),
            ("size", text(&filter.size)),
        ],
    );
    let size = page_size(filter.size.as_deref().and_then(|s| s.trim().parse().ok()));
    let page_asked: i64 = filter
        .page
        .as_deref()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(1);
    let pager = Pager::new(&query, page_asked, size, shown.len() as i64);
    let offset = usize::try_from(pager.offset(size)).unwrap_or(0);
    let leads = shown
        .iter()
        .skip(offset)
        .take(usize::try_from(size).unwrap_or(0))
        .map(|l| line(l))
        .collect();
    let headers = SORTS
        .iter()
        .map(|(key, label, numeric)| Header {
            numeric: *numeric,
            ..Header::sorting(label, key, &query)
        })
        .collect();
    page(
        StatusCode::OK,
        &LeadsPage {
            layout,
            narrowed: !(stage.is_empty()
                && reason.is_empty()
                && min.is_empty()
                && search.is_empty()),
            stage,
            reason,
            min,
            search,
            sort: sort_key.to_string(),
            dir,
            stages,
            reasons: terms,
            headers,
            leads,
            pager,
            clear: "/leads".to_string(),
            total: all.len(),
        },
    )
}
