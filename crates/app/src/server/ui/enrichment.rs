//! The enrichment page: what buying data has cost and what it bought. A chart of each
//! provider's calls over every run — filled, empty, failed, passed over for the budget — with
//! the credits it charged; the runs in a sortable table, each against its budget; and one
//! run's books (the newest, or `?run=ID`): a line per provider in waterfall order and the
//! problems it recorded with their reasons. What `leadgate enrich costs` prints; running
//! enrichment stays on the CLI (`leadgate enrich run --budget N`), where the keys are.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use leadgate_core::audit::Actor;
use leadgate_core::enrichment::{Credits, EnrichField, FailureKind};
use serde::Deserialize;
use serde_json::Value;

use super::bars;
use super::table::{Header, PageQuery};
use super::{Layout, PageError, Pages, page, show_time};
use crate::engine::enrichment::{self as engine, ProviderTotal, RunCosts};
use crate::server::auth::Principal;
use crate::server::state::AppState;

pub fn routes() -> Pages {
    Pages::new().route("/enrichment", get(show))
}

#[derive(Debug, Default, Deserialize)]
struct Filter {
    run: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
}

/// The runs table's columns: the key its links carry, the header, whether it holds figures.
const COLUMNS: &[(&str, &str, bool)] = &[
    ("run", "Run", true),
    ("started", "Started", false),
    ("actor", "Run by", false),
    ("budget", "Budget", true),
    ("spent", "Spent", true),
    ("filled", "Fields filled", true),
    ("unfilled", "Left empty", true),
    ("problems", "Problems", true),
];

struct RunRow {
    id: i64,
    started: String,
    started_iso: String,
    actor: String,
    budget: String,
    spent: String,
    filled: u64,
    unfilled: u64,
    problems: usize,
    current: bool,
    href: String,
}

struct ProviderRow {
    provider: String,
    calls: u64,
    credits: String,
    hits: u64,
    misses: u64,
    failures: String,
    skipped_for_budget: u64,
    refused: String,
}

struct ProblemRow {
    subject: String,
    /// The contact's page, when the problem is a contact's.
    href: Option<String>,
    provider: String,
    what: String,
    fields: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "enrichment.html")]
struct EnrichmentPage {
    layout: Layout,
    spent: String,
    run_count: usize,
    chart: String,
    headers: Vec<Header>,
    runs: Vec<RunRow>,
    shown: Option<i64>,
    providers: Vec<ProviderRow>,
    problems: Vec<ProblemRow>,
}

fn credits(c: Credits) -> String {
    c.to_string()
}

fn summary_count(summary: &Value, key: &str) -> u64 {
    summary.get(key).and_then(Value::as_u64).unwrap_or(0)
}

/// Whom a problem is about, as people say it: the company's domain, or the contact with a
/// link to them (stored as `company:DOMAIN` and `contact:ID`).
fn subject_words(subject: &str) -> (String, Option<String>) {
    match subject.split_once(':') {
        Some(("company", domain)) => (domain.to_string(), None),
        Some(("contact", id)) if id.parse::<i64>().is_ok() => {
            (format!("contact {id}"), Some(format!("/contacts/{id}")))
        }
        _ => (subject.to_string(), None),
    }
}

/// A field's name in words, through the fields' own labels.
fn field_words(field: &str) -> String {
    field
        .parse::<EnrichField>()
        .map_or_else(|_| field.replace('_', " "), |f| f.label().to_string())
}

/// A problem's kind in words, through the failure kinds' own labels.
fn problem_words(kind: &str) -> String {
    match kind {
        "rejected" => "value refused".to_string(),
        "skipped_budget" => "passed over for the budget".to_string(),
        other => other
            .parse::<FailureKind>()
            .map_or_else(|_| other.replace('_', " "), |k| k.label().to_string()),
    }
}

fn run_row(state: &AppState, r: &RunCosts, shown: Option<i64>, query: &PageQuery) -> RunRow {
    RunRow {
        id: r.run.id,
        started: show_time(state, r.run.started_at),
        started_iso: r.run.started_at.to_string(),
        // Stored as the audit log writes actors (`person:otto`); shown as the audit page does.
        actor: r
            .run
            .actor
            .parse::<Actor>()
            .map_or_else(|_| r.run.actor.clone(), |a| a.name().to_string()),
        budget: r.run.budget.map_or("none".to_string(), credits),
        spent: credits(r.run.spent),
        filled: summary_count(&r.run.summary, "fields_from_providers")
            + summary_count(&r.run.summary, "fields_from_cache"),
        unfilled: summary_count(&r.run.summary, "fields_unfilled"),
        problems: r.problems.len(),
        current: shown == Some(r.run.id),
        href: query.with(&[("run", r.run.id.to_string())]),
    }
}

fn sort_runs(rows: &mut [RunRow], key: &str, descending: bool) {
    let number = |text: &str| text.parse::<f64>().unwrap_or(f64::INFINITY);
    rows.sort_by(|a, b| {
        let by = match key {
            "started" => a.started_iso.cmp(&b.started_iso),
            "actor" => a.actor.cmp(&b.actor),
            "budget" => number(&a.budget).total_cmp(&number(&b.budget)),
            "spent" => number(&a.spent).total_cmp(&number(&b.spent)),
            "filled" => a.filled.cmp(&b.filled),
            "unfilled" => a.unfilled.cmp(&b.unfilled),
            "problems" => a.problems.cmp(&b.problems),
            _ => a.id.cmp(&b.id),
        };
        if descending { by.reverse() } else { by }
    });
}

/// Each provider's calls over the runs as one stacked bar — filled, empty, failed, passed
/// over for the budget — on one scale, with its credits written at the right. Drawn here, as
/// every chart of the review UI is, so it reads without scripts; the table beside it repeats
/// the figures for screen readers.
fn providers_chart(totals: &[ProviderTotal]) -> String {
    let bars: Vec<bars::Bar> = totals
        .iter()
        .map(|t| bars::Bar {
            label: t.provider.clone(),
            parts: vec![
                bars::Part {
                    n: t.hits,
                    words: "filled",
                    class: "part-filled",
                },
                bars::Part {
                    n: t.misses,
                    words: "empty",
                    class: "part-empty",
                },
                bars::Part {
                    n: t.failures,
                    words: "failed",
                    class: "part-failed",
                },
                bars::Part {
                    n: t.skipped_for_budget,
                    words: "passed over for the budget",
                    class: "part-skipped",
                },
            ],
            value: Some(t.credits.to_string()),
            described: format!(
                "{}: {} filled, {} empty, {} failed, {} passed over for the budget, {} credits",
                t.provider, t.hits, t.misses, t.failures, t.skipped_for_budget, t.credits
            ),
        })
        .collect();
    bars::draw(
        &bars::Chart {
            id: "providers-chart",
            class: "providers",
            row_class: "provider-row",
            title: "Calls by provider, over every run",
            headers: Some(["Provider", "Calls", "Credits"]),
            label_right: 150.0,
            bar_left: 158.0,
            bar_right: 500.0,
            legend: &[
                ("filled", "part-filled"),
                ("empty", "part-empty"),
                ("failed", "part-failed"),
                ("passed over for the budget", "part-skipped"),
            ],
            legend_left: 158.0,
        },
        &bars,
    )
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<Filter>,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "enrichment").await?;
    let asked = match filter
        .run
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(text) => Some(text.parse::<i64>().map_err(|_| PageError {
            status: StatusCode::BAD_REQUEST,
            message: format!("run: `{text}` is not a run number"),
        })?),
    };
    let costs = engine::costs(state.store(), None).await?;
    let shown = match asked {
        Some(id) if costs.runs.iter().any(|r| r.run.id == id) => Some(id),
        Some(id) => {
            return Err(PageError {
                status: StatusCode::NOT_FOUND,
                message: format!("no enrichment run {id}"),
            });
        }
        None => costs.runs.iter().map(|r| r.run.id).max(),
    };
    let key = COLUMNS
        .iter()
        .map(|(key, _, _)| *key)
        .find(|k| Some(*k) == filter.sort.as_deref())
        .unwrap_or("run");
    let descending = filter.sort.is_none() || filter.dir.as_deref() == Some("desc");
    let query = PageQuery::new(
        "/enrichment",
        &[
            ("sort", key.to_string()),
            ("dir", if descending { "desc" } else { "asc" }.to_string()),
            ("run", shown.map(|r| r.to_string()).unwrap_or_default()),
        ],
    );
    let mut runs: Vec<RunRow> = costs
        .runs
        .iter()
        .map(|r| run_row(&state, r, shown, &query))
        .collect();
    sort_runs(&mut runs, key, descending);
    let headers = COLUMNS
        .iter()
        .map(|(key, label, numeric)| Header {
            numeric: *numeric,
            ..Header::sorting(label, key, &query)
        })
        .collect();
    let books = costs.runs.iter().find(|r| Some(r.run.id) == shown);
    let providers = books
        .map(|r| {
            r.providers
                .iter()
                .map(|p| ProviderRow {
                    provider: p.provider.clone(),
                    calls: p.calls,
                    credits: credits(p.credits),
                    hits: p.hits,
                    misses: p.misses,
                    failures: if p.failures.is_empty() {
                        "0".to_string()
                    } else {
                        p.failures
                            .iter()
                            .map(|(kind, n)| format!("{n} {}", kind.label()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                    skipped_for_budget: p.skipped_for_budget,
                    refused: p.refused.clone().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let problems = books
        .map(|r| {
            r.problems
                .iter()
                .map(|p| {
                    let (subject, href) = subject_words(&p.subject);
                    ProblemRow {
                        subject,
                        href,
                        provider: p.provider.clone(),
                        what: problem_words(&p.kind),
                        fields: p
                            .fields
                            .iter()
                            .map(|f| field_words(f))
                            .collect::<Vec<_>>()
                            .join(", "),
                        reason: p.reason.clone(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    page(
        StatusCode::OK,
        &EnrichmentPage {
            layout,
            spent: credits(costs.spent),
            run_count: costs.runs.len(),
            chart: providers_chart(&costs.totals),
            headers,
            runs,
            shown,
            providers,
            problems,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(provider: &str, hits: u64, misses: u64, failures: u64) -> ProviderTotal {
        ProviderTotal {
            provider: provider.into(),
            calls: hits + misses + failures,
            hits,
            misses,
            failures,
            skipped_for_budget: 0,
            credits: Credits::whole(hits + misses),
        }
    }

    #[test]
    fn each_provider_is_one_row_whose_parts_share_one_scale() {
        let svg = providers_chart(&[total("files", 30, 10, 0), total("apollo <x>", 5, 0, 5)]);

        assert_eq!(svg.matches("class=\"provider-row\"").count(), 2);
        assert!(svg.contains("apollo &lt;x&gt;"), "{svg}");
        assert!(
            svg.contains("files: 30 filled, 10 empty, 0 failed"),
            "{svg}"
        );
        // The widest row (40 calls) spans the whole bar; 30 filled calls are three quarters.
        assert!(svg.contains(r#"width="256.5""#), "{svg}");
    }

    #[test]
    fn problems_read_as_words() {
        assert_eq!(
            subject_words("company:firm1.com"),
            ("firm1.com".into(), None)
        );
        assert_eq!(
            subject_words("contact:7"),
            ("contact 7".into(), Some("/contacts/7".into()))
        );
        assert_eq!(field_words("funding_stage"), "funding stage");
        assert_eq!(problem_words("timeout"), "timed out");
        assert_eq!(
            problem_words("skipped_budget"),
            "passed over for the budget"
        );
        assert_eq!(problem_words("something_new"), "something new");
    }
}
