//! The ICP pages: every version, and one version with its document, a readable diff against
//! the segment's live version, and its gates with who has decided what.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use leadgate_core::audit::Subject;
use leadgate_core::gate::Verdict;
use leadgate_core::icp::{self, ChangeKind, IcpDocument};
use leadgate_store::gates::{self as stored_gates, GateFilter};
use leadgate_store::icp::{self as stored, IcpStatus};
use serde::Deserialize;

use super::gates::GatePanel;
use super::{Layout, PageError, Pages, page, show_time};
use crate::server::auth::Principal;
use crate::server::state::AppState;

pub fn routes() -> Pages {
    Pages::new()
        .route("/icp", get(list))
        .route("/icp/{id}", get(show))
}

pub struct VersionRow {
    pub id: i64,
    pub segment: String,
    pub version: i64,
    pub status: IcpStatus,
    pub proposed_by: String,
    pub proposed_at: String,
    pub live_at: String,
    pub source_text: String,
}

fn row(state: &AppState, v: &stored::IcpVersion) -> VersionRow {
    VersionRow {
        id: v.id,
        segment: v.segment.clone(),
        version: v.version,
        status: v.status,
        proposed_by: v.proposed_by.clone(),
        proposed_at: show_time(state, v.proposed_at),
        live_at: v
            .live_at
            .map_or_else(|| "-".to_string(), |t| show_time(state, t)),
        source_text: v.source_text.clone(),
    }
}

#[derive(Template)]
#[template(path = "icp_list.html")]
struct ListPage {
    layout: Layout,
    versions: Vec<VersionRow>,
}

async fn list(State(state): State<AppState>, principal: Principal) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "icp").await?;
    let mut conn = state.store().conn().await?;
    let versions = stored::list(&mut conn)
        .await?
        .iter()
        .map(|v| row(&state, v))
        .collect();
    page(StatusCode::OK, &ListPage { layout, versions })
}

pub struct DiffLine {
    pub kind: &'static str,
    pub text: String,
}

pub struct DiffView {
    pub against: i64,
    pub lines: Vec<DiffLine>,
}

#[derive(Template)]
#[template(path = "icp.html")]
struct VersionPage {
    layout: Layout,
    version: VersionRow,
    rationale: String,
    diff: Option<DiffView>,
    panels: Vec<GatePanel>,
}

#[derive(Deserialize)]
struct Shown {
    decided: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let mut layout = Layout::for_person(&state, &principal, "icp").await?;
    // The gate page sends the decision back in words: `?decided=approved`.
    let decided = Verdict::ALL
        .iter()
        .find(|v| shown.decided.as_deref() == Some(v.label()));
    let mut conn = state.store().conn().await?;
    let version = stored::get(&mut conn, id).await?.ok_or(PageError {
        status: StatusCode::NOT_FOUND,
        message: format!("no ICP version {id}"),
    })?;
    // What the decision led to, said plainly: the page below is the version as it now is.
    layout.flash = match (decided, version.status) {
        (Some(Verdict::Approve), IcpStatus::Live) => Some(format!(
            "Your approval is recorded, and version {} of {} is live: discovery has started. \
             The worker imports the sources and builds a prospect list; its sample review \
             will wait under My gates.",
            version.version, version.segment
        )),
        (Some(Verdict::Approve), _) => {
            Some("Your approval is recorded; the gate waits for the other approval.".to_string())
        }
        (Some(Verdict::Reject), _) => {
            Some("Your rejection is recorded; the version will not go live.".to_string())
        }
        _ => None,
    };
    let document = IcpDocument::parse(&version.source_text, &Subject::Icp(id).to_string()).ok();
    let live = stored::live(&mut conn, &version.segment).await?;
    let diff = match (&document, live) {
        (Some(document), Some(live))
            if live.id != version.id && version.status == IcpStatus::Proposed =>
        {
            IcpDocument::parse(&live.source_text, "live")
                .ok()
                .map(|before| DiffView {
                    against: live.version,
                    lines: diff_lines(&before, document),
                })
        }
        _ => None,
    };
    let subject = Subject::Icp(id).to_string();
    let gates = stored_gates::list(
        &mut conn,
        &GateFilter {
            subject: Some(&subject),
            ..Default::default()
        },
    )
    .await?;
    let panels = gates
        .iter()
        .rev()
        .map(|g| GatePanel::new(&state, g, &principal, None))
        .collect();
    page(
        StatusCode::OK,
        &VersionPage {
            layout,
            rationale: document
                .map(|d| d.rationale.trim().to_string())
                .unwrap_or_default(),
            version: row(&state, &version),
            diff,
            panels,
        },
    )
}

fn diff_lines(before: &IcpDocument, after: &IcpDocument) -> Vec<DiffLine> {
    icp::diff(before, after)
        .changes
        .iter()
        .map(|change| {
            let (kind, text) = match change.kind {
                ChangeKind::Added => (
                    "added",
                    format!("{}: {}", change.path, change.new.as_deref().unwrap_or("")),
                ),
                ChangeKind::Removed => (
                    "removed",
                    format!("{}: {}", change.path, change.old.as_deref().unwrap_or("")),
                ),
                ChangeKind::Changed => (
                    "changed",
                    format!(
                        "{}: {} → {}",
                        change.path,
                        change.old.as_deref().unwrap_or(""),
                        change.new.as_deref().unwrap_or("")
                    ),
                ),
            };
            DiffLine { kind, text }
        })
        .collect()
}
