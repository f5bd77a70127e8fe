//! The pipeline overview: how many items are at each stage and how many wait at each gate,
//! as a bar chart (inline SVG, with the same figures in a table for screen readers).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use leadgate_core::gate::{GateKind, GateStatus};
use leadgate_store::icp::IcpStatus;

use super::{Layout, PageError, Pages, open_gates, page};
use crate::server::auth::Principal;
use crate::server::state::AppState;

pub fn routes() -> Pages {
    Pages::new().route("/pipeline", get(show))
}

pub struct Bar {
    pub label: String,
    pub value: usize,
    /// `stage` or `gate`, for the colour.
    pub kind: &'static str,
    pub y: usize,
    pub width: usize,
}

pub struct Chart {
    pub width: usize,
    pub height: usize,
    pub label_width: usize,
    pub description: String,
    pub bars: Vec<Bar>,
}

const BAR_SPACE: usize = 30;
const PLOT_WIDTH: usize = 420;

impl Chart {
    pub fn new(figures: Vec<(String, usize, &'static str)>) -> Chart {
        let max = figures.iter().map(|f| f.1).max().unwrap_or(0).max(1);
        let label_width = 250;
        let description = figures
            .iter()
            .map(|(label, value, _)| format!("{label}: {value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let bars = figures
            .into_iter()
            .enumerate()
            .map(|(i, (label, value, kind))| Bar {
                label,
                value,
                kind,
                y: i * BAR_SPACE + 4,
                width: if value == 0 {
                    2
                } else {
                    (value * PLOT_WIDTH / max).max(4)
                },
            })
            .collect::<Vec<_>>();
        Chart {
            width: label_width + PLOT_WIDTH + 60,
            height: bars.len() * BAR_SPACE + 8,
            label_width,
            description,
            bars,
        }
    }
}

#[derive(Template)]
#[template(path = "pipeline.html")]
struct PipelinePage {
    layout: Layout,
    chart: Chart,
}

async fn show(State(state): State<AppState>, principal: Principal) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "pipeline").await?;
    let open = open_gates(&state).await?;
    let waiting = |kind: GateKind| {
        open.iter()
            .filter(|g| g.kind == kind && g.status == GateStatus::Open)
            .count()
    };
    let mut conn = state.store().conn().await?;
    let versions = leadgate_store::icp::list(&mut conn).await?;
    let count = |status: IcpStatus| versions.iter().filter(|v| v.status == status).count();
    let figures = vec![
        (
            "1 ICP: versions proposed".to_string(),
            count(IcpStatus::Proposed),
            "stage",
        ),
        (
            "Gate: ICP approval".to_string(),
            waiting(GateKind::IcpApproval),
            "gate",
        ),
        (
            "1 ICP: live segments".to_string(),
            count(IcpStatus::Live),
            "stage",
        ),
        (
            "Gate: ICP quarterly review".to_string(),
            waiting(GateKind::IcpReview),
            "gate",
        ),
        ("2 Discovery: prospects".to_string(), 0, "stage"),
        (
            "Gate: sample review".to_string(),
            waiting(GateKind::SampleReview),
            "gate",
        ),
        ("3 Enrich + score: leads".to_string(), 0, "stage"),
        ("Gate: model calibration".to_string(), 0, "gate"),
        ("4 Outreach: sequences".to_string(), 0, "stage"),
        ("Gate: first variant".to_string(), 0, "gate"),
        ("5 Handoff: routed leads".to_string(), 0, "stage"),
        ("Gate: rep acknowledgement".to_string(), 0, "gate"),
    ];
    page(
        StatusCode::OK,
        &PipelinePage {
            layout,
            chart: Chart::new(figures),
        },
    )
}
