//! Stage 3's scoring model over HTTP: the versions, one version with its calibration report
//! and its gate, and restoring the previous version. Approving a version is a decision on
//! its gate (`POST /api/gates/{id}/approve`), like every gate; training and proposing are the
//! CLI's (`leadgate model train`), where the history file is.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use leadgate_core::audit::Subject;
use leadgate_core::gate::GateKind;
use leadgate_store::gates::{self as stored_gates, GateFilter};
use leadgate_store::models::{self as stored, ModelOrigin, ModelStatus, ModelVersion};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Page, limit, next_url, slice};
use crate::engine::model as engine_model;
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiPath, ApiQuery, ErrorBody};
use crate::server::state::AppState;
use crate::views::GateView;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_models))
        .routes(routes!(restore_model))
        .routes(routes!(show_model))
}

fn string_enum(description: &str, values: Vec<&'static str>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
}

fn model_status_schema() -> impl Into<RefOr<Schema>> {
    string_enum(
        "Where the version stands: a draft waits at its calibration gate; only the live one scores.",
        ModelStatus::ALL.iter().map(|s| s.as_str()).collect(),
    )
}

fn model_origin_schema() -> impl Into<RefOr<Schema>> {
    string_enum(
        "How the version was made.",
        ModelOrigin::ALL.iter().map(|s| s.as_str()).collect(),
    )
}

/// A scoring model version, without its artifact and report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelVersionView {
    /// Workspace-wide id.
    pub id: i64,
    /// The version's name: `m-20261204-ab12cd`.
    pub version: String,
    #[schema(schema_with = model_origin_schema)]
    pub origin: ModelOrigin,
    #[schema(schema_with = model_status_schema)]
    pub status: ModelStatus,
    /// Who trained or wrote it; they never approve it.
    pub made_by: String,
    pub made_at: Timestamp,
    pub live_at: Option<Timestamp>,
    pub retired_at: Option<Timestamp>,
    /// The version that was live when this one went live: what a restore brings back.
    pub replaced: Option<i64>,
    /// Reviews passed while live.
    pub reviews_done: i64,
    /// Cross-validated ROC AUC, from the report.
    pub roc_auc: Option<f64>,
    /// The training history's conversion rate, from the report.
    pub base_rate: Option<f64>,
}

impl From<&ModelVersion> for ModelVersionView {
    fn from(v: &ModelVersion) -> Self {
        ModelVersionView {
            id: v.id,
            version: v.version.clone(),
            origin: v.origin,
            status: v.status,
            made_by: v.made_by.clone(),
            made_at: v.made_at,
            live_at: v.live_at,
            retired_at: v.retired_at,
            replaced: v.replaced,
            reviews_done: v.reviews_done,
            roc_auc: v.roc_auc(),
            base_rate: v.base_rate(),
        }
    }
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ModelsQuery {
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
    /// Skip this many.
    pub offset: Option<i64>,
}

/// Every version, newest first, with its status.
#[utoipa::path(get, path = "/api/models", tag = "scoring",
    security(("bearer" = []), ("session" = [])),
    params(ModelsQuery),
    responses((status = 200, description = "OK", body = Page<ModelVersionView>), (status = 401, description = "No valid session or token", body = ErrorBody)))]
async fn list_models(
    State(state): State<AppState>,
    _: Principal,
    ApiQuery(query): ApiQuery<ModelsQuery>,
) -> Result<Json<Page<ModelVersionView>>, ApiError> {
    let mut conn = state.store().conn().await?;
    let all: Vec<ModelVersionView> = stored::list(&mut conn)
        .await?
        .iter()
        .map(ModelVersionView::from)
        .collect();
    let (limit, offset) = (limit(query.limit), query.offset.unwrap_or(0).max(0));
    let (items, more) = slice(&all, offset, limit);
    let next = more
        .then(|| {
            next_url(
                "/api/models",
                &ModelsQuery {
                    limit: Some(limit),
                    offset: Some(offset + limit),
                },
            )
        })
        .flatten();
    Ok(Json(Page { items, next }))
}

/// A version with its calibration report and its gates.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelVersionDetail {
    #[serde(flatten)]
    pub version: ModelVersionView,
    /// The calibration report (the JSON of `leadgate model report VERSION --json`; see
    /// docs/scoring.md).
    #[schema(value_type = Object)]
    pub report: Value,
    /// The points scorecard and its training summary.
    #[schema(value_type = Object)]
    pub artifact: Value,
    /// The gate to decide now (its calibration gate, or an open review), or the latest one.
    pub gate_id: Option<i64>,
    /// What the calibration gate warns of: approving over it needs a written note.
    pub warnings: Vec<String>,
    /// Every gate of the version, oldest first.
    pub gates: Vec<GateView>,
}

/// One version: its id or its name (`m-20261204-ab12cd`).
#[utoipa::path(get, path = "/api/models/{version}", tag = "scoring",
    security(("bearer" = []), ("session" = [])),
    params(("version" = String, Path, description = "`3` or `m-20261204-ab12cd`")),
    responses(
        (status = 200, description = "OK", body = ModelVersionDetail),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "Not found", body = ErrorBody),
    ))]
async fn show_model(
    State(state): State<AppState>,
    _: Principal,
    ApiPath(reference): ApiPath<String>,
) -> Result<Json<ModelVersionDetail>, ApiError> {
    let mut conn = state.store().conn().await?;
    let found = engine_model::resolve(&mut conn, Some(&reference)).await?;
    let subject = Subject::Model(found.id).to_string();
    let mut gates = Vec::new();
    for kind in [GateKind::ModelCalibration, GateKind::ModelReview] {
        gates.extend(
            stored_gates::list(
                &mut conn,
                &GateFilter {
                    kind: Some(kind),
                    subject: Some(&subject),
                    ..Default::default()
                },
            )
            .await?,
        );
    }
    gates.sort_by_key(|g| g.id);
    let gate_id = gates
        .iter()
        .rev()
        .find(|g| g.status == leadgate_core::gate::GateStatus::Open)
        .or(gates.last())
        .map(|g| g.id);
    let warnings = gates
        .iter()
        .find(|g| g.kind == GateKind::ModelCalibration)
        .map(|g| g.warnings.clone())
        .unwrap_or_default();
    Ok(Json(ModelVersionDetail {
        version: ModelVersionView::from(&found),
        report: found.report.clone(),
        artifact: found.artifact.clone(),
        gate_id,
        warnings,
        gates: gates.iter().map(GateView::from).collect(),
    }))
}

/// Withdraw the live version and make the one it replaced live again, as the caller (sales
/// ops or an admin). Answers the version that is live now.
#[utoipa::path(post, path = "/api/models/restore", tag = "scoring",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The restored version, live again", body = ModelVersionView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "The caller may not restore a model (or lacks the CSRF token)", body = ErrorBody),
        (status = 409, description = "No version is live, or the live one replaced none", body = ErrorBody),
    ))]
async fn restore_model(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<ModelVersionView>, ApiError> {
    let restored =
        engine_model::restore(state.store(), &principal.person.name, state.now()).await?;
    Ok(Json(ModelVersionView::from(&restored)))
}
