//! The scoring model pages: every version in a sortable table, live one first; one version's
//! calibration report read as a RevOps person reads it — warnings first in red, the headline
//! figures, the charts and tables of each block — beside the decision panel of its open gate;
//! the standalone report file; and restoring the previous version. A reviewed version shows
//! its newest review first: predicted against observed conversion by score band, as a table
//! and a chart, with what to adjust.
//!
//! The report's blocks come from `CalibrationReport::sections`, the same ones the standalone
//! HTML file and the CLI draw, so the page cannot show other figures than the file sales ops
//! was mailed. Deciding goes through the shared gate panel and `engine::gates::decide`;
//! restoring through `engine::model::restore`, which checks who may.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use leadgate_core::audit::Subject;
use leadgate_core::gate::{GateKind, GateStatus, Verdict};
use leadgate_core::scoring::report::svg::Chart;
use leadgate_core::scoring::report::{CalibrationReport, Finding, Section, Severity, Table};
use leadgate_core::scoring::review::{self, Evidence};
use leadgate_store::gates::{self as stored_gates, Gate, GateFilter};
use leadgate_store::models::{self as stored, ModelStatus, ModelVersion};
use serde::Deserialize;

use super::gates::GatePanel;
use super::table::{Header, PageQuery, Pager, page_size};
use super::{Layout, PageError, Pages, page, show_time};
use crate::engine::model::{self as engine_model, MODEL_KEEPERS};
use crate::server::auth::Principal;
use crate::server::state::AppState;

pub fn routes() -> Pages {
    Pages::new()
        .route("/models", get(list))
        .route("/models/restore", post(restore))
        .route("/models/{id}", get(show))
        .route("/models/{id}/report.html", get(report_file))
}

/// The stored report, when it reads as a calibration report.
fn report_of(version: &ModelVersion) -> Option<CalibrationReport> {
    serde_json::from_value(version.report.clone()).ok()
}

/// A rate as the report writes it: 12.3%.
fn rate(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A figure on a 0–1 scale as the report writes it: 0.812.
fn figure(x: f64) -> String {
    format!("{x:.3}")
}

/// Whether `principal` keeps the models: may restore (the rule `engine::model` applies).
fn keeps_models(principal: &Principal) -> bool {
    principal
        .person
        .roles
        .iter()
        .any(|r| MODEL_KEEPERS.contains(r))
}

/// The order of the table when nobody asked: the live version first, then the waiting
/// drafts, then the rest, newest first within each.
fn status_rank(status: ModelStatus) -> u8 {
    match status {
        ModelStatus::Live => 0,
        ModelStatus::Draft => 1,
        ModelStatus::Retired => 2,
        ModelStatus::Rejected => 3,
    }
}

pub struct ModelRow {
    pub id: i64,
    pub version: String,
    pub status: ModelStatus,
    pub made_by: String,
    pub made_at: String,
    pub made_at_iso: String,
    made_at_key: i64,
    pub roc_auc: Option<f64>,
    pub base_rate: Option<f64>,
    pub warnings: usize,
    pub live_at: Option<String>,
    pub live_at_iso: String,
    live_at_key: i64,
}

impl ModelRow {
    pub fn roc_auc_text(&self) -> String {
        self.roc_auc.map_or_else(|| "-".to_string(), figure)
    }

    pub fn base_rate_text(&self) -> String {
        self.base_rate.map_or_else(|| "-".to_string(), rate)
    }
}

fn row(state: &AppState, version: &ModelVersion, warnings: usize) -> ModelRow {
    let report = report_of(version);
    ModelRow {
        id: version.id,
        version: version.version.clone(),
        status: version.status,
        made_by: version.made_by.clone(),
        made_at: show_time(state, version.made_at),
        made_at_iso: version.made_at.to_string(),
        made_at_key: version.made_at.as_microsecond(),
        roc_auc: report.as_ref().and_then(|r| r.cross_validated.roc_auc),
        base_rate: report.as_ref().map(|r| r.sufficiency.base_rate),
        warnings,
        live_at: version.live_at.map(|t| show_time(state, t)),
        live_at_iso: version.live_at.map(|t| t.to_string()).unwrap_or_default(),
        live_at_key: version.live_at.map_or(i64::MIN, |t| t.as_microsecond()),
    }
}

/// The gates of every model version (or of one), newest last.
async fn model_gates(state: &AppState, subject: Option<&str>) -> Result<Vec<Gate>, PageError> {
    let mut conn = state.store().conn().await?;
    let mut all = Vec::new();
    for kind in [GateKind::ModelCalibration, GateKind::ModelReview] {
        all.extend(
            stored_gates::list(
                &mut conn,
                &GateFilter {
                    kind: Some(kind),
                    subject,
                    ..Default::default()
                },
            )
            .await?,
        );
    }
    all.sort_by_key(|g| g.id);
    Ok(all)
}

/// The live version and the one a restore would bring back, when there is one.
pub struct Restorable {
    pub live: String,
    pub previous: String,
    pub previous_id: i64,
}

async fn restorable(state: &AppState) -> Result<Option<Restorable>, PageError> {
    let mut conn = state.store().conn().await?;
    let Some(live) = stored::live(&mut conn).await? else {
        return Ok(None);
    };
    let Some(previous_id) = live.replaced else {
        return Ok(None);
    };
    Ok(stored::get(&mut conn, previous_id)
        .await?
        .map(|previous| Restorable {
            live: live.version,
            previous: previous.version,
            previous_id,
        }))
}

#[derive(Template)]
#[template(path = "models.html")]
struct ListPage {
    layout: Layout,
    headers: Vec<Header>,
    rows: Vec<ModelRow>,
    pager: Pager,
    restorable: Option<Restorable>,
}

/// What the versions table was asked for; numbers arrive as text so that a mistyped one
/// falls back instead of failing.
#[derive(Deserialize, Default)]
struct Order {
    sort: Option<String>,
    dir: Option<String>,
    page: Option<String>,
    size: Option<String>,
}

/// The table's columns: the key its links carry, the header, whether it holds figures.
const COLUMNS: &[(&str, &str, bool)] = &[
    ("version", "Version", false),
    ("status", "Status", false),
    ("made_by", "Made by", false),
    ("made_at", "Made", false),
    ("roc_auc", "ROC AUC", true),
    ("base_rate", "Base rate", true),
    ("warnings", "Warnings", true),
    ("live_at", "Live since", false),
];

fn sort_rows(rows: &mut [ModelRow], key: &str, descending: bool) {
    let by_f64 = |a: Option<f64>, b: Option<f64>| {
        a.unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&b.unwrap_or(f64::NEG_INFINITY))
    };
    rows.sort_by(|a, b| {
        let by = match key {
            "version" => a.version.cmp(&b.version),
            "made_by" => a.made_by.cmp(&b.made_by),
            "made_at" => a.made_at_key.cmp(&b.made_at_key),
            "roc_auc" => by_f64(a.roc_auc, b.roc_auc),
            "base_rate" => by_f64(a.base_rate, b.base_rate),
            "warnings" => a.warnings.cmp(&b.warnings),
            "live_at" => a.live_at_key.cmp(&b.live_at_key),
            _ => status_rank(a.status).cmp(&status_rank(b.status)),
        };
        let by = if descending { by.reverse() } else { by };
        by.then(b.id.cmp(&a.id))
    });
}

async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(order): Query<Order>,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "models").await?;
    let versions = {
        let mut conn = state.store().conn().await?;
        stored::list(&mut conn).await?
    };
    let gates = model_gates(&state, None).await?;
    let warnings_of = |id: i64| {
        let subject = Subject::Model(id);
        gates
            .iter()
            .find(|g| g.kind == GateKind::ModelCalibration && g.subject == subject)
            .map_or(0, |g| g.warnings.len())
    };
    let mut rows: Vec<ModelRow> = versions
        .iter()
        .map(|v| row(&state, v, warnings_of(v.id)))
        .collect();
    let key = COLUMNS
        .iter()
        .map(|(key, _, _)| *key)
        .find(|k| Some(*k) == order.sort.as_deref())
        .unwrap_or("status");
    let descending = order.dir.as_deref() == Some("desc");
    sort_rows(&mut rows, key, descending);
    let size = page_size(order.size.as_deref().and_then(|s| s.parse().ok()));
    let query = PageQuery::new(
        "/models",
        &[
            ("sort", key.to_string()),
            ("dir", if descending { "desc" } else { "asc" }.to_string()),
            ("size", order.size.clone().unwrap_or_default()),
        ],
    );
    let asked = order
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let pager = Pager::new(&query, asked, size, total);
    let offset = usize::try_from(pager.offset(size)).unwrap_or(0);
    let rows = rows
        .into_iter()
        .skip(offset)
        .take(usize::try_from(size).unwrap_or(usize::MAX))
        .collect();
    let headers = COLUMNS
        .iter()
        .map(|(key, label, numeric)| Header {
            numeric: *numeric,
            ..Header::sorting(label, key, &query)
        })
        .collect();
    let restorable = if keeps_models(&principal) {
        restorable(&state).await?
    } else {
        None
    };
    page(
        StatusCode::OK,
        &ListPage {
            layout,
            headers,
            rows,
            pager,
            restorable,
        },
    )
}

/// A headline figure: its name, its value and what to compare it with.
pub struct Headline {
    pub name: &'static str,
    pub value: String,
    pub beside: String,
}

fn headlines(report: &CalibrationReport) -> Vec<Headline> {
    let cv = &report.cross_validated;
    let s = &report.sufficiency;
    let auc_interval = s.roc_auc_interval.map_or_else(String::new, |(low, high)| {
        format!("95% interval {} to {}", figure(low), figure(high))
    });
    vec![
        Headline {
            name: "Base rate",
            value: rate(s.base_rate),
            beside: format!("{} conversions in {} leads", s.conversions, s.rows),
        },
        Headline {
            name: "ROC AUC",
            value: cv.roc_auc.map_or_else(|| "n/a".to_string(), figure),
            beside: auc_interval,
        },
        Headline {
            name: "PR AUC",
            value: cv.pr_auc.map_or_else(|| "n/a".to_string(), figure),
            beside: format!("chance is {}", figure(cv.base_rate)),
        },
        Headline {
            name: "Brier",
            value: figure(cv.brier),
            beside: format!("base-rate Brier {}", figure(cv.base_rate_brier)),
        },
        Headline {
            name: "Log loss",
            value: figure(cv.log_loss),
            beside: "lower is better".to_string(),
        },
        Headline {
            name: "ECE",
            value: figure(cv.ece),
            beside: "0.02 or less is good".to_string(),
        },
    ]
}

/// A report table as the page draws it: each cell with whether it holds a figure (drawn
/// right-aligned), each row with whether it is the marked one.
pub struct TableView {
    pub headers: Vec<(String, bool)>,
    pub rows: Vec<(bool, Vec<(String, bool)>)>,
}

impl TableView {
    fn of(table: &Table) -> TableView {
        let figures: Vec<bool> = (0..table.headers.len())
            .map(|i| table.is_figures(i))
            .collect();
        let is_figures = |i: usize| figures.get(i).copied().unwrap_or(false);
        TableView {
            headers: table
                .headers
                .iter()
                .enumerate()
                .map(|(i, h)| (h.clone(), is_figures(i)))
                .collect(),
            rows: table
                .rows
                .iter()
                .enumerate()
                .map(|(r, row)| {
                    let marked = table.marked.get(r).copied().unwrap_or(false);
                    let cells = row
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (c.clone(), is_figures(i)))
                        .collect();
                    (marked, cells)
                })
                .collect(),
        }
    }
}

/// A piece of a report block: its sub-heading, its charts (inline SVG) and its table.
pub struct PartView {
    pub title: Option<String>,
    pub charts: Vec<Chart>,
    pub table: Option<TableView>,
}

/// A block of the report, as `CalibrationReport::sections` lists it.
pub struct SectionView {
    pub id: &'static str,
    pub title: String,
    pub lines: Vec<String>,
    pub parts: Vec<PartView>,
}

impl SectionView {
    fn of(section: Section) -> SectionView {
        SectionView {
            id: section.id,
            title: section.title,
            lines: section.lines,
            parts: section
                .parts
                .into_iter()
                .map(|p| PartView {
                    title: p.title,
                    table: p.table.as_ref().map(TableView::of),
                    charts: p.charts,
                })
                .collect(),
        }
    }
}

/// The report as the page shows it.
pub struct ReportView {
    pub lead: String,
    pub warnings: Vec<Finding>,
    pub notes: Vec<Finding>,
    pub headlines: Vec<Headline>,
    pub sections: Vec<SectionView>,
}

impl ReportView {
    fn of(report: &CalibrationReport) -> ReportView {
        let (warnings, notes) = report
            .findings
            .iter()
            .cloned()
            .partition(|f| f.severity == Severity::Warning);
        ReportView {
            lead: report.findings_lead(),
            warnings,
            notes,
            headlines: headlines(report),
            sections: report.sections().into_iter().map(SectionView::of).collect(),
        }
    }
}

/// One band of a review, in words and figures as the page shows them.
pub struct BandRow {
    pub band: usize,
    pub scores: String,
    pub leads: u64,
    pub judged: u64,
    pub predicted: String,
    pub with_outcome: u64,
    pub conversions: u64,
    pub observed: String,
    pub interval: String,
    pub off: bool,
}

/// The newest review of a version: what actually converted, against what it predicted.
pub struct ReviewView {
    pub gate_id: i64,
    /// Why it opened before its date; empty on its date.
    pub reason: String,
    pub lead: String,
    pub warnings: Vec<String>,
    pub advice: String,
    pub rows: Vec<BandRow>,
    pub rates: String,
    pub chart: String,
}

impl ReviewView {
    fn of(stored: &leadgate_store::outcomes::StoredReview) -> Option<ReviewView> {
        let e: Evidence = serde_json::from_value(stored.evidence.clone()).ok()?;
        let maybe = |x: Option<f64>| x.map(rate).unwrap_or_else(|| "–".into());
        let share = |r: &review::Rate| match r.rate {
            Some(x) => format!("{} ({} of {})", rate(x), r.conversions, r.leads),
            None => "no judged lead".into(),
        };
        let conversion: Vec<&str> = e.conversion.iter().map(|k| k.label()).collect();
        Some(ReviewView {
            gate_id: stored.gate_id,
            reason: stored.reason.clone(),
            lead: format!(
                "{} leads scored by this version; {} scored {} or more days ago are judged, {} \
                 younger are not yet. A conversion is: {}.",
                e.leads,
                e.judged,
                e.mature_after_days,
                e.young,
                conversion.join(" or ")
            ),
            warnings: e.warnings.clone(),
            advice: e.advice.clone(),
            rows: e
                .bands
                .iter()
                .map(|b| BandRow {
                    band: b.band,
                    scores: format!("{}–{}", b.score_low, b.score_high),
                    leads: b.leads,
                    judged: b.judged,
                    predicted: maybe(b.mean_predicted),
                    with_outcome: b.with_outcome,
                    conversions: b.conversions,
                    observed: maybe(b.observed_rate),
                    interval: format!("{}–{}", rate(b.observed_low), rate(b.observed_high)),
                    off: b.off,
                })
                .collect(),
            rates: format!(
                "At the threshold {}: outreach converted {}; nurture {}.",
                e.threshold,
                share(&e.outreach),
                share(&e.nurture)
            ),
            chart: review::chart(&e, "chart-review"),
        })
    }
}

#[derive(Template)]
#[template(path = "model.html")]
struct VersionPage {
    layout: Layout,
    version: ModelRow,
    origin: &'static str,
    report: Option<ReportView>,
    /// The gate warnings when the report does not read (the gate still carries them).
    gate_warnings: Vec<String>,
    panels: Vec<GatePanel>,
    restorable: Option<Restorable>,
    /// The newest review's evidence, when the version has been reviewed.
    review: Option<ReviewView>,
}

#[derive(Deserialize)]
struct Shown {
    decided: Option<String>,
    restored: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let mut layout = Layout::for_person(&state, &principal, "models").await?;
    let version = {
        let mut conn = state.store().conn().await?;
        stored::get(&mut conn, id).await?.ok_or(PageError {
            status: StatusCode::NOT_FOUND,
            message: format!("no scoring model {id}"),
        })?
    };
    let decided = Verdict::ALL
        .iter()
        .find(|v| shown.decided.as_deref() == Some(v.label()));
    layout.flash = match (decided, version.status) {
        (Some(Verdict::Approve), ModelStatus::Live) => Some(format!(
            "Your approval is recorded, and model {} is live: it scores leads from now on.",
            version.version
        )),
        (Some(Verdict::Approve), _) => Some("Your approval is recorded.".to_string()),
        (Some(Verdict::Reject), _) => Some("Your rejection is recorded.".to_string()),
        _ if shown.restored.is_some() && version.status == ModelStatus::Live => Some(format!(
            "Model {} is live again; the version that replaced it is retired.",
            version.version
        )),
        _ => None,
    };
    let subject = Subject::Model(id).to_string();
    let gates = model_gates(&state, Some(&subject)).await?;
    let gate_warnings = gates
        .iter()
        .find(|g| g.kind == GateKind::ModelCalibration)
        .map(|g| g.warnings.clone())
        .unwrap_or_default();
    // The open gate first, then the decided ones, newest first.
    let mut ordered: Vec<&Gate> = gates.iter().rev().collect();
    ordered.sort_by_key(|g| g.status != GateStatus::Open);
    let panels = ordered
        .into_iter()
        .map(|g| GatePanel::new(&state, g, &principal, None))
        .collect();
    let restorable = match restorable(&state).await? {
        Some(r) if keeps_models(&principal) && version.status == ModelStatus::Live => Some(r),
        _ => None,
    };
    let report = report_of(&version);
    let review = {
        let mut conn = state.store().conn().await?;
        leadgate_store::outcomes::reviews_of_model(&mut conn, id)
            .await?
            .first()
            .and_then(ReviewView::of)
    };
    page(
        StatusCode::OK,
        &VersionPage {
            layout,
            origin: version.origin.label(),
            report: report.as_ref().map(ReportView::of),
            gate_warnings: gate_warnings.clone(),
            version: row(&state, &version, gate_warnings.len()),
            panels,
            restorable,
            review,
        },
    )
}

/// The standalone report file, as `leadgate model report VERSION --html FILE` writes it.
async fn report_file(
    State(state): State<AppState>,
    _: Principal,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let mut conn = state.store().conn().await?;
    let version = stored::get(&mut conn, id).await?.ok_or(PageError {
        status: StatusCode::NOT_FOUND,
        message: format!("no scoring model {id}"),
    })?;
    let report = report_of(&version).ok_or(PageError {
        status: StatusCode::NOT_FOUND,
        message: format!(
            "model {} has no calibration report that reads",
            version.version
        ),
    })?;
    Ok(Html(report.to_html()).into_response())
}

/// Withdraws the live version and brings back the one it replaced, as the signed-in person.
async fn restore(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Response, PageError> {
    let restored =
        engine_model::restore(state.store(), &principal.person.name, state.now()).await?;
    let to = format!("/models/{}?restored=1", restored.id);
    let to = HeaderValue::from_str(&to).unwrap_or(HeaderValue::from_static("/models"));
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_row(id: i64, status: ModelStatus, auc: Option<f64>) -> ModelRow {
        ModelRow {
            id,
            version: format!("m-{id}"),
            status,
            made_by: "tia".into(),
            made_at: String::new(),
            made_at_iso: String::new(),
            made_at_key: id,
            roc_auc: auc,
            base_rate: None,
            warnings: 0,
            live_at: None,
            live_at_iso: String::new(),
            live_at_key: i64::MIN,
        }
    }

    #[test]
    fn the_live_version_comes_first_and_a_missing_figure_sorts_lowest() {
        // Arrange
        let mut rows = vec![
            model_row(1, ModelStatus::Retired, Some(0.7)),
            model_row(2, ModelStatus::Live, None),
            model_row(3, ModelStatus::Draft, Some(0.8)),
            model_row(4, ModelStatus::Draft, Some(0.75)),
        ];

        // Act + Assert: by default live, then drafts newest first, then the rest.
        sort_rows(&mut rows, "status", false);
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, [2, 4, 3, 1]);
        sort_rows(&mut rows, "roc_auc", true);
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, [3, 4, 1, 2]);
    }
}
