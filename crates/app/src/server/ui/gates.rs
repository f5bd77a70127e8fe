//! "My gates": the inbox of decisions waiting for me, oldest first, and the approve/reject
//! forms every gate page shares.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use leadgate_core::audit::Subject;
use leadgate_core::gate::{GateKind, GateStatus, Request, Verdict};
use leadgate_core::role::Role;
use leadgate_store::gates::{self as stored_gates, Gate};
use serde::Deserialize;

use super::{Layout, PageError, Pages, age, from_htmx, may_decide, open_gates, page, show_time};
use crate::engine::gates as engine_gates;
use crate::server::auth::Principal;
use crate::server::state::AppState;

pub fn routes() -> Pages {
    Pages::new()
        .route("/", get(inbox))
        .route("/gates/{id}", get(show))
        .route("/gates/{id}/approve", post(approve))
        .route("/gates/{id}/reject", post(reject))
}

/// One row of the inbox.
pub struct GateRow {
    pub id: i64,
    pub href: String,
    pub title: &'static str,
    pub summary: String,
    pub needs: String,
    pub age: String,
    pub opened_iso: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    layout: Layout,
    mine: Vec<GateRow>,
    others: Vec<GateRow>,
}

/// Where a gate's evidence is shown: the page of its subject.
pub fn href(gate: &Gate) -> String {
    match gate.kind {
        GateKind::IcpApproval | GateKind::IcpReview => match gate.subject {
            Subject::Icp(id) => format!("/icp/{id}#gate-{}", gate.id),
            _ => format!("/gates/{}", gate.id),
        },
        GateKind::SampleReview => format!("/samples/{}", gate.id),
        GateKind::ModelCalibration | GateKind::ModelReview => match gate.subject {
            Subject::Model(id) => format!("/models/{id}#gate-{}", gate.id),
            _ => format!("/gates/{}", gate.id),
        },
        GateKind::VariantApproval => match gate.subject {
            Subject::Variant(id) => format!("/outreach/variants/{id}#gate-{}", gate.id),
            _ => format!("/gates/{}", gate.id),
        },
    }
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(" and ")
}

async fn inbox(State(state): State<AppState>, principal: Principal) -> Result<Response, PageError> {
    let now = state.now();
    let layout = Layout::for_person(&state, &principal, "inbox").await?;
    let (mut mine, mut others) = (Vec::new(), Vec::new());
    for gate in open_gates(&state).await? {
        let row = GateRow {
            id: gate.id,
            href: href(&gate),
            title: gate.kind.title(),
            summary: gate.summary.clone(),
            needs: roles_text(&gate.state().pending_roles()),
            age: age(now, gate.opened_at),
            opened_iso: gate.opened_at.to_string(),
        };
        if may_decide(&gate, &principal) {
            mine.push(row);
        } else {
            others.push(row);
        }
    }
    page(
        StatusCode::OK,
        &InboxPage {
            layout,
            mine,
            others,
        },
    )
}

async fn show(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, PageError> {
    let mut conn = state.store().conn().await?;
    let gate = stored_gates::get(&mut conn, id).await?.ok_or(PageError {
        status: StatusCode::NOT_FOUND,
        message: format!("no gate {id}"),
    })?;
    let to = HeaderValue::from_str(&href(&gate)).unwrap_or(HeaderValue::from_static("/"));
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}

/// A decision on one gate, ready for its panel.
pub struct DecisionRow {
    pub person: String,
    pub verdict: &'static str,
    pub role: Role,
    pub note: Option<String>,
    pub at: String,
    pub at_iso: String,
}

/// A gate's panel: its status, its decisions, and the forms when this person may decide.
pub struct GatePanel {
    pub id: i64,
    pub title: &'static str,
    pub status: GateStatus,
    pub required: String,
    pub pending: String,
    pub decisions: Vec<DecisionRow>,
    pub can_decide: bool,
    /// The pending roles this person could approve as.
    pub role_choices: Vec<Role>,
    pub why_not: String,
    pub csrf: String,
    pub error: Option<String>,
    /// What the evidence warns of: approving over it needs a written reason.
    pub warnings: Vec<String>,
    /// The note and the reason as typed, kept when the decision was refused.
    pub kept_note: String,
    pub kept_reason: String,
}

impl GatePanel {
    pub fn is_open(&self) -> bool {
        self.status == GateStatus::Open
    }

    pub fn new(
        state: &AppState,
        gate: &Gate,
        principal: &Principal,
        error: Option<String>,
    ) -> GatePanel {
        let can_decide = may_decide(gate, principal);
        let pending = gate.state().pending_roles();
        let role_choices: Vec<Role> = pending
            .iter()
            .copied()
            .filter(|r| principal.person.roles.contains(r))
            .collect();
        let why_not = if gate.state().made_by(&principal.person.name) {
            format!(
                "You made what this gate reviews, so you do not decide it: another {} does \
                 (four-eyes).",
                roles_text(&gate.required_roles).replace(" and ", " or ")
            )
        } else if gate
            .decisions
            .iter()
            .any(|d| d.person == principal.person.name)
        {
            "You have decided on this gate; the other approvals must come from different people."
                .to_string()
        } else {
            format!(
                "Only a {} can decide this gate.",
                roles_text(&gate.required_roles).replace(" and ", " or ")
            )
        };
        GatePanel {
            id: gate.id,
            title: gate.kind.title(),
            status: gate.status,
            required: roles_text(&gate.required_roles),
            pending: roles_text(&pending),
            decisions: gate
                .decisions
                .iter()
                .map(|d| DecisionRow {
                    person: d.person.clone(),
                    verdict: d.verdict.label(),
                    role: d.role,
                    note: d.note.clone(),
                    at: show_time(state, d.at),
                    at_iso: d.at.to_string(),
                })
                .collect(),
            can_decide,
            role_choices,
            why_not,
            csrf: super::csrf(principal),
            error,
            warnings: gate.warnings.clone(),
            kept_note: String::new(),
            kept_reason: String::new(),
        }
    }

    /// The panel with what the person typed still in its fields, after a refusal.
    fn keeping(mut self, request: &Request) -> GatePanel {
        match request {
            Request::Approve { note, .. } => self.kept_note = note.clone().unwrap_or_default(),
            Request::Reject { reason } => self.kept_reason = reason.clone(),
        }
        self
    }
}

#[derive(Template)]
#[template(path = "gate_panel_partial.html")]
struct PanelFragment {
    panel: GatePanel,
}

#[derive(Deserialize)]
struct ApproveForm {
    role: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
struct RejectForm {
    reason: String,
}

async fn approve(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<ApproveForm>,
) -> Result<Response, PageError> {
    let role = match form
        .role
        .as_deref()
        .filter(|r| !r.is_empty())
        .map(str::parse::<Role>)
    {
        Some(Ok(role)) => Some(role),
        Some(Err(e)) => {
            return Err(PageError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message: e.to_string(),
            });
        }
        None => None,
    };
    let request = Request::Approve {
        role,
        note: form.note,
    };
    decide(state, principal, headers, id, request).await
}

async fn reject(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<RejectForm>,
) -> Result<Response, PageError> {
    decide(
        state,
        principal,
        headers,
        id,
        Request::Reject {
            reason: form.reason,
        },
    )
    .await
}

/// Applies a decision through the engine (the one rule), then answers htmx with the gate's
/// new panel, or a plain browser with a redirect back to the gate's page. A refusal keeps
/// its status (403, 409, …) so a forged request is visibly refused.
async fn decide(
    state: AppState,
    principal: Principal,
    headers: HeaderMap,
    id: i64,
    request: Request,
) -> Result<Response, PageError> {
    let verdict = match request {
        Request::Approve { .. } => Verdict::Approve,
        Request::Reject { .. } => Verdict::Reject,
    };
    let outcome = engine_gates::decide(
        state.store(),
        id,
        &principal.person.name,
        request.clone(),
        state.now(),
    )
    .await;
    let (gate, error, status) = match outcome {
        Ok(gate) => (gate, None, StatusCode::OK),
        Err(e) => {
            let refusal = PageError::from(e);
            let mut conn = state.store().conn().await?;
            match stored_gates::get(&mut conn, id).await? {
                Some(gate) => (gate, Some(refusal.message), refusal.status),
                None => return Err(refusal),
            }
        }
    };
    let back = format!(
        "{}?decided={}",
        href(&gate).split('#').next().unwrap_or("/"),
        verdict.label()
    );
    if from_htmx(&headers) && error.is_none() && gate.status != GateStatus::Open {
        // The decision closed the gate: more than the panel changed (the version's status,
        // the inbox's badge, what comes next), so the whole page is loaded again.
        let mut response = StatusCode::OK.into_response();
        if let Ok(value) = HeaderValue::from_str(&back) {
            response.headers_mut().insert("hx-redirect", value);
        }
        return Ok(response);
    }
    if from_htmx(&headers) {
        // htmx swaps only successful responses: a refusal is shown in the panel, and the
        // status is carried in a header for scripts.
        let mut panel = GatePanel::new(&state, &gate, &principal, error);
        if panel.error.is_some() {
            panel = panel.keeping(&request);
        }
        // The panel lists the warnings already; the refusal points at the field to fill
        // instead of repeating them with the command line's `--note`.
        if status == StatusCode::UNPROCESSABLE_ENTITY
            && !panel.warnings.is_empty()
            && panel.kept_note.trim().is_empty()
            && matches!(request, Request::Approve { .. })
        {
            panel.error = Some(
                "Not approved: write a reason in the field below. Approving over the \
                 warnings above needs one, on the record."
                    .to_string(),
            );
        }
        let fragment = PanelFragment { panel };
        let mut response = page(StatusCode::OK, &fragment)?;
        if let Ok(value) = HeaderValue::from_str(status.as_str()) {
            response.headers_mut().insert("x-leadgate-status", value);
        }
        return Ok(response);
    }
    if let Some(message) = error {
        return Err(PageError { status, message });
    }
    let to = HeaderValue::from_str(&back).unwrap_or(HeaderValue::from_static("/"));
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}
