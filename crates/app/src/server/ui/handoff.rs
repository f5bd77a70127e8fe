//! Stage 5's page: the leads handed to reps. `/handoff` shows the signed-in rep's own open
//! tasks and the queue's, each with the business time left on their clock and the button
//! that acknowledges it (the gate of this stage, through `engine::handoff::acknowledge`,
//! which refuses anyone but the task's rep); every open task, sortable; and how the team
//! keeps its SLA, as two charts drawn by the program (in time or late; business time to
//! acknowledge) and the table beside them.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use leadgate_core::handoff::sla::show_duration;
use leadgate_core::handoff::task::TaskStatus;
use leadgate_core::scoring::outcome::{NewOutcome, OutcomeKind};
use leadgate_store::handoff::Task;
use serde::Deserialize;

use super::bars;
use super::table::{Header, PageQuery};
use super::{Layout, PageError, Pages, page, show_time};
use crate::engine::handoff;
use crate::server::auth::Principal;
use crate::server::state::AppState;

pub fn routes() -> Pages {
    Pages::new()
        .route("/handoff", get(show))
        .route("/handoff/tasks/{id}/ack", post(acknowledge))
        .route("/handoff/tasks/{id}/outcome", post(record_outcome))
}

/// A lead the signed-in rep took, what came of it so far, and the form for what comes next.
pub struct TakenRow {
    pub task: i64,
    pub lead: i64,
    pub name: String,
    pub company: String,
    pub acknowledged: String,
    /// Each outcome recorded, in words (`meeting booked on 2027-03-04`).
    pub outcomes: Vec<String>,
}

/// One open task as the page shows it.
pub struct TaskRow {
    pub id: i64,
    pub lead: i64,
    pub name: String,
    pub company: String,
    pub rep: String,
    pub why: String,
    pub rule: String,
    pub due: String,
    pub due_iso: String,
    /// The business time left, or "overdue".
    pub left: String,
    pub overdue: bool,
    /// Business minutes left, for sorting.
    pub left_minutes: i64,
}

/// A rep's (or everyone's) SLA figures.
pub struct SlaRow {
    pub rep: String,
    pub class: String,
    pub judged: usize,
    pub in_time: usize,
    pub late: usize,
    pub compliance: String,
    pub median: String,
    pub p90: String,
}

#[derive(Template)]
#[template(path = "handoff.html")]
struct HandoffPage {
    layout: Layout,
    /// Whether the signed-in person is a rep of [[handoff.reps]].
    is_rep: bool,
    configured: bool,
    mine: Vec<TaskRow>,
    headers: Vec<Header>,
    open: Vec<TaskRow>,
    chart: String,
    ack_chart: String,
    sla: Vec<SlaRow>,
    taken: Vec<TakenRow>,
    /// Today in the workspace's zone: the outcome form's default day.
    today: String,
    kinds: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
struct Order {
    sort: Option<String>,
    dir: Option<String>,
}

/// The sortable columns of the open tasks: key, label, numeric.
const COLUMNS: [(&str, &str, bool); 4] = [
    ("rep", "Rep", false),
    ("company", "Company", false),
    ("due", "Due", false),
    ("left", "Time left", true),
];

fn row(state: &AppState, config: &crate::engine::settings::HandoffConfig, t: &Task) -> TaskRow {
    let now = state.now();
    let calendar = t
        .rep
        .as_deref()
        .and_then(|r| handoff::calendar_of(config, r).ok());
    let left_time = calendar
        .as_ref()
        .map(|c| c.open_between(now.max(t.starts_at), t.due_at));
    let overdue = now > t.due_at;
    let left = match (&left_time, overdue) {
        (_, true) => "overdue".to_string(),
        (Some(d), false) => format!("{} of business time", show_duration(*d)),
        (None, false) => "in the queue".to_string(),
    };
    let text = |key: &str| t.record[key].as_str().unwrap_or_default().to_string();
    TaskRow {
        id: t.id,
        lead: t.contact_id,
        name: text("name"),
        company: text("company"),
        rep: t.rep.clone().unwrap_or_else(|| "the queue".to_string()),
        why: format!("{} · {}", t.class.label(), t.signal.replace('_', " ")),
        rule: t.rule.clone().unwrap_or_else(|| "fallback".to_string()),
        due: show_time(state, t.due_at),
        due_iso: t.due_at.to_string(),
        left,
        overdue,
        left_minutes: if overdue {
            -1
        } else {
            left_time.map_or(i64::MAX, |d| d.as_secs() / 60)
        },
    }
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Query(order): Query<Order>,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "handoff").await?;
    let config = &state.workspace().config.handoff;
    let me = principal.person.name.clone();
    let open = {
        let mut conn = state.store().conn().await?;
        leadgate_store::handoff::tasks(&mut conn, None, false, Some(TaskStatus::Open)).await?
    };
    let is_rep = config.reps.iter().any(|r| r.name == me);
    let mine = open
        .iter()
        .filter(|t| is_rep && t.rep.as_deref().is_none_or(|r| r == me))
        .map(|t| row(&state, config, t))
        .collect();
    let mut rows: Vec<TaskRow> = open.iter().map(|t| row(&state, config, t)).collect();
    let key = COLUMNS
        .iter()
        .map(|(key, _, _)| *key)
        .find(|k| Some(*k) == order.sort.as_deref())
        .unwrap_or("due");
    let descending = order.dir.as_deref() == Some("desc");
    rows.sort_by(|a, b| {
        let by = match key {
            "rep" => a.rep.cmp(&b.rep),
            "company" => a.company.cmp(&b.company),
            "left" => a.left_minutes.cmp(&b.left_minutes),
            _ => a.due_iso.cmp(&b.due_iso),
        }
        .then(a.id.cmp(&b.id));
        if descending { by.reverse() } else { by }
    });
    let query = PageQuery::new(
        "/handoff",
        &[
            ("sort", key.to_string()),
            ("dir", if descending { "desc" } else { "asc" }.to_string()),
        ],
    );
    let headers = COLUMNS
        .iter()
        .map(|(key, label, numeric)| Header {
            numeric: *numeric,
            ..Header::sorting(label, key, &query)
        })
        .collect();
    let report = handoff::sla_report(state.store(), state.now()).await?;
    let minutes = |m: Option<i64>| {
        m.map(|m| show_duration(jiff::SignedDuration::from_mins(m)))
            .unwrap_or_else(|| "—".to_string())
    };
    let sla: Vec<SlaRow> = report
        .iter()
        .map(|l| SlaRow {
            rep: l.rep.clone(),
            class: l
                .class
                .map_or("every class".to_string(), |c| c.label().to_string()),
            judged: l.judged,
            in_time: l.in_time,
            late: l.late,
            compliance: l
                .compliance
                .map(|c| format!("{:.0} %", c * 100.0))
                .unwrap_or_default(),
            median: minutes(l.median_minutes),
            p90: minutes(l.p90_minutes),
        })
        .collect();
    let chart = sla_chart(&report);
    let ack_chart = ack_chart(&report);
    let taken = taken_by(&state, &me).await?;
    let zone = jiff::tz::TimeZone::get(&state.workspace().config.time_zone)
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let today = state.now().to_zoned(zone).date().to_string();
    page(
        StatusCode::OK,
        &HandoffPage {
            layout,
            is_rep,
            configured: !config.reps.is_empty(),
            mine,
            headers,
            open: rows,
            chart,
            ack_chart,
            sla,
            taken,
            today,
            kinds: OutcomeKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect(),
        },
    )
}

/// Each rep's judged tasks as one bar: acknowledged in time, late.
fn sla_chart(report: &[leadgate_core::handoff::report::Line]) -> String {
    let bars: Vec<bars::Bar> = report
        .iter()
        .filter(|l| l.class.is_none() && l.rep != "all")
        .map(|l| {
            let parts = vec![
                bars::Part {
                    n: l.in_time as u64,
                    words: "in time",
                    class: "part-in-time",
                },
                bars::Part {
                    n: l.late as u64,
                    words: "late",
                    class: "part-late",
                },
            ];
            let value = l
                .compliance
                .map(|c| format!("{:.0} %", c * 100.0))
                .unwrap_or_default();
            bars::Bar {
                described: format!("{}: {} in time, {} late", l.rep, l.in_time, l.late),
                label: l.rep.clone(),
                parts,
                value: Some(value),
            }
        })
        .collect();
    if bars.is_empty() {
        return String::new();
    }
    bars::draw(
        &bars::Chart {
            id: "sla-chart",
            class: "sla",
            row_class: "rep-row",
            title: "Leads acknowledged in time, by rep",
            headers: Some(["Rep", "Tasks", "In time"]),
            label_right: 150.0,
            bar_left: 158.0,
            bar_right: 560.0,
            legend: &[("in time", "part-in-time"), ("late", "part-late")],
            legend_left: 8.0,
        },
        &bars,
    )
}

/// Each rep's business time to acknowledge as one bar to the 90th percentile, the part up to
/// the median set apart.
fn ack_chart(report: &[leadgate_core::handoff::report::Line]) -> String {
    let minutes = |m: i64| show_duration(jiff::SignedDuration::from_mins(m));
    let bars: Vec<bars::Bar> = report
        .iter()
        .filter(|l| l.class.is_none() && l.rep != "all")
        .filter_map(|l| {
            let (median, p90) = (l.median_minutes?, l.p90_minutes?);
            Some(bars::Bar {
                described: format!(
                    "{}: half acknowledged within {}, nine in ten within {}",
                    l.rep,
                    minutes(median),
                    minutes(p90)
                ),
                label: l.rep.clone(),
                parts: vec![
                    bars::Part {
                        n: median.max(0) as u64,
                        words: "minutes to the median",
                        class: "part-median",
                    },
                    bars::Part {
                        n: (p90 - median).max(0) as u64,
                        words: "minutes from the median to the 90th percentile",
                        class: "part-p90",
                    },
                ],
                value: Some(format!("{} · {}", minutes(median), minutes(p90))),
            })
        })
        .collect();
    if bars.is_empty() {
        return String::new();
    }
    bars::draw(
        &bars::Chart {
            id: "ack-chart",
            class: "sla",
            row_class: "rep-row",
            title: "Business time to acknowledge, by rep: median and 90th percentile",
            headers: Some(["Rep", "Business time", "Median · P90"]),
            label_right: 150.0,
            bar_left: 158.0,
            bar_right: 500.0,
            legend: &[
                ("to the median", "part-median"),
                ("to the 90th percentile", "part-p90"),
            ],
            legend_left: 8.0,
        },
        &bars,
    )
}

/// The newest 20 leads `rep` acknowledged, each with its outcomes so far.
async fn taken_by(state: &AppState, rep: &str) -> Result<Vec<TakenRow>, PageError> {
    let mut conn = state.store().conn().await?;
    let mut tasks =
        leadgate_store::handoff::tasks(&mut conn, Some(rep), false, Some(TaskStatus::Acknowledged))
            .await?;
    tasks.sort_by_key(|t| std::cmp::Reverse(t.acknowledged_at));
    let mut rows = Vec::new();
    for t in tasks.into_iter().take(20) {
        let outcomes = leadgate_store::outcomes::of_lead(&mut conn, t.contact_id)
            .await?
            .iter()
            .map(|o| {
                let amount = o
                    .amount
                    .as_ref()
                    .map(|a| format!(", {a}"))
                    .unwrap_or_default();
                let reason = if o.reason.is_empty() {
                    String::new()
                } else {
                    format!(": {}", o.reason)
                };
                format!("{} on {}{amount}{reason}", o.kind.label(), o.on)
            })
            .collect();
        let text = |key: &str| t.record[key].as_str().unwrap_or_default().to_string();
        rows.push(TakenRow {
            task: t.id,
            lead: t.contact_id,
            name: text("name"),
            company: text("company"),
            acknowledged: t
                .acknowledged_at
                .map(|at| show_time(state, at))
                .unwrap_or_default(),
            outcomes,
        });
    }
    Ok(rows)
}

/// What the outcome form sends.
#[derive(Deserialize)]
struct OutcomeForm {
    kind: String,
    on: String,
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// Records what came of a lead handed off — the same as `leadgate leads outcome`: it feeds
/// the scoring model's reviews and the pipeline's funnel.
async fn record_outcome(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, PageError> {
    let invalid = |message: String| PageError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message,
    };
    let kind: OutcomeKind = form
        .kind
        .parse()
        .map_err(|e: String| invalid(format!("outcome: {e}")))?;
    let on: jiff::civil::Date = form
        .on
        .trim()
        .parse()
        .map_err(|_| invalid(format!("day: `{}` is not a date like 2027-03-04", form.on)))?;
    let new = NewOutcome::parse(
        kind,
        on,
        form.amount.as_deref(),
        form.currency.as_deref(),
        form.reason.as_deref(),
    )
    .map_err(|e| invalid(e.to_string()))?;
    let lead = {
        let mut conn = state.store().conn().await?;
        leadgate_store::handoff::task_by_id(&mut conn, id)
            .await?
            .ok_or_else(|| PageError {
                status: StatusCode::NOT_FOUND,
                message: format!("no task {id}"),
            })?
            .contact_id
    };
    crate::engine::outcomes::record_outcome(
        state.store(),
        &principal.person.name,
        lead,
        new,
        state.now(),
    )
    .await?;
    let to = HeaderValue::from_static("/handoff#taken-h");
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}

/// The signed-in rep acknowledges a task (the engine refuses anyone else).
async fn acknowledge(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    handoff::acknowledge(
        state.store(),
        &state.workspace().config.handoff,
        id,
        &principal.person.name,
        state.now(),
    )
    .await?;
    let to = HeaderValue::from_static("/handoff");
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}
