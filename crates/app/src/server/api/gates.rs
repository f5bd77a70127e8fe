//! Gates: the inbox (`?for=me`: what my roles let me decide now, oldest first), one gate with
//! its decisions, and the decisions themselves. Approve and reject go through
//! `engine::gates::decide`, which applies the one rule in `leadgate_core::gate` and records
//! refusals — this module checks no role itself.

use axum::Json;
use axum::extract::State;
use leadgate_core::gate::{self, Decider, GateKind, GateStatus, Request};
use leadgate_store::gates::{self as stored, GateFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Page, limit, next_url, slice};
use crate::engine::{self, gates as engine_gates};
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};
use crate::server::state::AppState;
use crate::views::GateView;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_gates))
        .routes(routes!(show_gate))
        .routes(routes!(approve_gate))
        .routes(routes!(reject_gate))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GatesQuery {
    /// open (the default), approved, rejected, cancelled, or all.
    pub status: Option<String>,
    /// Only gates of this kind (icp_approval, icp_review).
    pub kind: Option<String>,
    /// `me`, or a person's name: only open gates that person can decide now.
    #[serde(rename = "for")]
    #[param(rename = "for")]
    pub for_person: Option<String>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
    /// Skip this many.
    pub offset: Option<i64>,
}

/// Gates, oldest first. `?for=me` is the inbox: the open gates the caller can decide now.
#[utoipa::path(get, path = "/api/gates", tag = "gates",
    security(("bearer" = []), ("session" = [])),
    params(GatesQuery),
    responses(
        (status = 200, description = "OK", body = Page<GateView>),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 422, description = "Invalid input", body = ErrorBody),
    ))]
async fn list_gates(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<GatesQuery>,
) -> Result<Json<Page<GateView>>, ApiError> {
    let status = match query.status.as_deref() {
        None => Some(GateStatus::Open),
        Some("all") => None,
        Some(s) => Some(s.parse::<GateStatus>().map_err(ApiError::invalid)?),
    };
    let kind = query
        .kind
        .as_deref()
        .map(str::parse::<GateKind>)
        .transpose()
        .map_err(ApiError::invalid)?;
    let (limit, offset) = (limit(query.limit), query.offset.unwrap_or(0).max(0));
    let mut conn = state.store().conn().await?;
    let (items, more) = match query.for_person.as_deref() {
        Some(who) => {
            let decider = if who == "me" {
                principal.person.clone()
            } else {
                engine::person(&mut conn, who).await?
            };
            let mut open = stored::list(
                &mut conn,
                &GateFilter {
                    status: Some(GateStatus::Open),
                    kind,
                    ..Default::default()
                },
            )
            .await?;
            open.retain(|g| {
                gate::may_decide(
                    &g.state(),
                    Decider {
                        person: &decider.name,
                        roles: &decider.roles,
                    },
                )
            });
            slice(&open, offset, limit)
        }
        None => {
            let mut page = stored::list(
                &mut conn,
                &GateFilter {
                    status,
                    kind,
                    limit: Some(limit + 1),
                    offset,
                    ..Default::default()
                },
            )
            .await?;
            let more = page.len() as i64 > limit;
            page.truncate(usize::try_from(limit).unwrap_or(0));
            (page, more)
        }
    };
    let next = more
        .then(|| {
            next_url(
                "/api/gates",
                &GatesQuery {
                    limit: Some(limit),
                    offset: Some(offset + limit),
                    ..query
                },
            )
        })
        .flatten();
    Ok(Json(Page {
        items: items.iter().map(GateView::from).collect(),
        next,
    }))
}

/// One gate: its subject, who has decided what, and what it still needs.
#[utoipa::path(get, path = "/api/gates/{id}", tag = "gates",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The gate's id")),
    responses(
        (status = 200, description = "OK", body = GateView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "Not found", body = ErrorBody),
    ))]
async fn show_gate(
    State(state): State<AppState>,
    _: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<GateView>, ApiError> {
    let mut conn = state.store().conn().await?;
    let found = stored::get(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no gate {id}")))?;
    Ok(Json(GateView::from(&found)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    /// The role this approval fills, when the caller holds several the gate needs.
    pub role: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why; required, and recorded.
    pub reason: String,
}

/// Approve a gate as one of the caller's roles. Separation of duties holds: one person fills
/// at most one of a gate's approvals.
#[utoipa::path(post, path = "/api/gates/{id}/approve", tag = "gates",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The gate's id")),
    request_body = ApproveRequest,
    responses(
        (status = 200, description = "Recorded; the gate as it now stands", body = GateView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "The caller may not decide this gate (or lacks the CSRF token)", body = ErrorBody),
        (status = 404, description = "Not found", body = ErrorBody),
        (status = 409, description = "The gate is closed, or the role is already approved", body = ErrorBody),
        (status = 422, description = "Invalid input", body = ErrorBody),
    ))]
async fn approve_gate(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ApproveRequest>,
) -> Result<Json<GateView>, ApiError> {
    let role = body
        .role
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(ApiError::invalid)?;
    let decided = engine_gates::decide(
        state.store(),
        id,
        &principal.person.name,
        Request::Approve {
            role,
            note: body.note,
        },
        state.now(),
    )
    .await?;
    Ok(Json(GateView::from(&decided)))
}

/// Reject a gate with a reason; this closes it.
#[utoipa::path(post, path = "/api/gates/{id}/reject", tag = "gates",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The gate's id")),
    request_body = RejectRequest,
    responses(
        (status = 200, description = "Rejected; the gate as it now stands", body = GateView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "The caller may not decide this gate (or lacks the CSRF token)", body = ErrorBody),
        (status = 404, description = "Not found", body = ErrorBody),
        (status = 409, description = "Conflict with the current state", body = ErrorBody),
        (status = 422, description = "No reason given", body = ErrorBody),
    ))]
async fn reject_gate(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RejectRequest>,
) -> Result<Json<GateView>, ApiError> {
    let decided = engine_gates::decide(
        state.store(),
        id,
        &principal.person.name,
        Request::Reject {
            reason: body.reason,
        },
        state.now(),
    )
    .await?;
    Ok(Json(GateView::from(&decided)))
}
