//! Stage 1 over HTTP: ICP versions, one version with its text, the diff of two, and
//! proposing a new version (the TOML text in a JSON body), which opens its gate.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use leadgate_core::icp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Page, limit, next_url, slice};
use crate::engine::icp as engine_icp;
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};
use crate::server::state::AppState;
use crate::views::{GateView, IcpVersionView};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_icp_versions, propose_icp))
        .routes(routes!(diff_icp_versions))
        .routes(routes!(show_icp_version))
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IcpQuery {
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
    /// Skip this many.
    pub offset: Option<i64>,
}

/// Every version of every segment, oldest first, with its status.
#[utoipa::path(get, path = "/api/icp", tag = "icp",
    security(("bearer" = []), ("session" = [])),
    params(IcpQuery),
    responses((status = 200, description = "OK", body = Page<IcpVersionView>), (status = 401, description = "No valid session or token", body = ErrorBody)))]
async fn list_icp_versions(
    State(state): State<AppState>,
    _: Principal,
    ApiQuery(query): ApiQuery<IcpQuery>,
) -> Result<Json<Page<IcpVersionView>>, ApiError> {
    let mut conn = state.store().conn().await?;
    let all = leadgate_store::icp::list(&mut conn).await?;
    let (limit, offset) = (limit(query.limit), query.offset.unwrap_or(0).max(0));
    let (page, more) = slice(&all, offset, limit);
    let next = more
        .then(|| {
            next_url(
                "/api/icp",
                &IcpQuery {
                    limit: Some(limit),
                    offset: Some(offset + limit),
                },
            )
        })
        .flatten();
    Ok(Json(Page {
        items: page.iter().map(IcpVersionView::from).collect(),
        next,
    }))
}

/// A version with the text exactly as proposed.
#[derive(Debug, Serialize, ToSchema)]
pub struct IcpVersionDetail {
    #[serde(flatten)]
    pub version: IcpVersionView,
    /// The TOML as proposed, comments and all.
    pub source_text: String,
}

/// One version: `3` (its id), `SEGMENT@2`, or `SEGMENT` (its live version).
#[utoipa::path(get, path = "/api/icp/{version}", tag = "icp",
    security(("bearer" = []), ("session" = [])),
    params(("version" = String, Path, description = "`3`, `SEGMENT@2` or `SEGMENT`")),
    responses(
        (status = 200, description = "OK", body = IcpVersionDetail),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "Not found", body = ErrorBody),
    ))]
async fn show_icp_version(
    State(state): State<AppState>,
    _: Principal,
    ApiPath(reference): ApiPath<String>,
) -> Result<Json<IcpVersionDetail>, ApiError> {
    let mut conn = state.store().conn().await?;
    let found = engine_icp::resolve(&mut conn, Some(&reference)).await?;
    Ok(Json(IcpVersionDetail {
        version: IcpVersionView::from(&found),
        source_text: found.source_text.clone(),
    }))
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The older version (`3`, `SEGMENT@2`, `SEGMENT`).
    pub from: String,
    /// The newer version.
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IcpDiffView {
    pub from: i64,
    pub to: i64,
    /// What changed, key by key (see docs/icp.md).
    #[schema(value_type = Object)]
    pub diff: serde_json::Value,
}

/// What changed from one version to another.
#[utoipa::path(get, path = "/api/icp/diff", tag = "icp",
    security(("bearer" = []), ("session" = [])),
    params(DiffQuery),
    responses(
        (status = 200, description = "OK", body = IcpDiffView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "Not found", body = ErrorBody),
        (status = 422, description = "Invalid input", body = ErrorBody),
    ))]
async fn diff_icp_versions(
    State(state): State<AppState>,
    _: Principal,
    ApiQuery(query): ApiQuery<DiffQuery>,
) -> Result<Json<IcpDiffView>, ApiError> {
    let mut conn = state.store().conn().await?;
    let old = engine_icp::resolve(&mut conn, Some(&query.from)).await?;
    let new = engine_icp::resolve(&mut conn, Some(&query.to)).await?;
    let diff = icp::diff(&engine_icp::document(&old)?, &engine_icp::document(&new)?);
    Ok(Json(IcpDiffView {
        from: old.id,
        to: new.id,
        diff: serde_json::to_value(&diff).map_err(|e| ApiError::internal(&e))?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeRequest {
    /// The ICP document as TOML (see docs/icp.md).
    pub toml: String,
    /// Where the text came from, for errors and the audit log (default `api`).
    pub origin: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgainstLive {
    pub live: IcpVersionView,
    #[schema(value_type = Object)]
    pub diff: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposedView {
    pub version: IcpVersionView,
    /// The approval gate it opened.
    pub gate: GateView,
    /// True when this is the segment's first version.
    pub new_segment: bool,
    /// The change against the segment's live version, when there is one.
    pub against_live: Option<AgainstLive>,
}

/// Propose a new version of a segment's ICP; opens its approval gate.
#[utoipa::path(post, path = "/api/icp", tag = "icp",
    security(("bearer" = []), ("session" = [])),
    request_body = ProposeRequest,
    responses(
        (status = 201, description = "Created", body = ProposedView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "The caller may not propose an ICP (or lacks the CSRF token)", body = ErrorBody),
        (status = 409, description = "The same content is live or already waiting", body = ErrorBody),
        (status = 422, description = "The document does not parse; the message names the key and line", body = ErrorBody),
    ))]
async fn propose_icp(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(body): ApiJson<ProposeRequest>,
) -> Result<(StatusCode, Json<ProposedView>), ApiError> {
    let origin = body.origin.unwrap_or_else(|| "api".to_string());
    let proposed = engine_icp::propose(
        state.store(),
        &principal.person.name,
        &body.toml,
        &origin,
        state.now(),
    )
    .await?;
    let against_live = proposed
        .against_live
        .as_ref()
        .map(|(live, diff)| {
            Ok::<_, ApiError>(AgainstLive {
                live: IcpVersionView::from(live),
                diff: serde_json::to_value(diff).map_err(|e| ApiError::internal(&e))?,
            })
        })
        .transpose()?;
    Ok((
        StatusCode::CREATED,
        Json(ProposedView {
            version: IcpVersionView::from(&proposed.version),
            gate: GateView::from(&proposed.gate),
            new_segment: proposed.new_segment,
            against_live,
        }),
    ))
}
