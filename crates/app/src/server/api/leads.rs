//! Scored leads over HTTP: where every lead stands (score, fit and engagement parts, stage,
//! the top three reasons in points) and one lead with its facts and score history — what
//! `leadgate leads list` and `show` print, for the CRM or sequencer a team already has.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use leadgate_core::scoring::lead::LeadStage;
use leadgate_store::leads::LeadScore;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Page, limit, next_url, slice};
use crate::engine::scoring;
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiPath, ApiQuery, ErrorBody};
use crate::server::state::AppState;

fn stage_schema() -> impl Into<RefOr<Schema>> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "Where the lead goes: outreach at or above the threshold, else nurture.",
        ))
        .enum_values(Some(
            LeadStage::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
        ))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_leads))
        .routes(routes!(show_lead))
}

/// A lead as its newest scoring left it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeadView {
    /// The lead's id: its contact's.
    pub id: i64,
    pub score: i64,
    /// `outreach` (at or above the threshold) or `nurture`.
    #[schema(schema_with = stage_schema)]
    pub stage: LeadStage,
    pub name: String,
    pub email: String,
    pub company: String,
    /// The live model's probability of converting at this score.
    pub probability: f64,
    /// Base points and fit terms.
    pub fit: i64,
    /// Engagement terms: `fit + engagement = score`.
    pub engagement: i64,
    /// The three terms with the most points either way: `[{term, bin, points}]`.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Value,
    /// The model version that scored it.
    pub model: i64,
    pub scored_at: Timestamp,
}

impl From<&LeadScore> for LeadView {
    fn from(l: &LeadScore) -> Self {
        LeadView {
            id: l.contact_id,
            score: l.score,
            stage: l.stage,
            name: l.name.clone(),
            email: l.email.clone(),
            company: l.company.clone(),
            probability: l.probability,
            fit: l.fit,
            engagement: l.engagement,
            reasons: l.reasons.clone(),
            model: l.model_id,
            scored_at: l.scored_at,
        }
    }
}

/// One fact of a lead with its source.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadFactView {
    /// `person` or `company`.
    pub of: String,
    pub field: String,
    pub value: String,
    pub source: String,
    pub observed_at: Option<Timestamp>,
}

/// One lead whole.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadDetailView {
    pub lead: LeadView,
    pub facts: Vec<LeadFactView>,
    /// Every scoring, newest first.
    pub history: Vec<LeadView>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadsQuery {
    /// Only leads of this stage: `outreach` or `nurture`.
    pub stage: Option<String>,
    pub offset: Option<i64>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
}

/// Scored leads, highest score first.
#[utoipa::path(get, path = "/api/leads", tag = "scoring",
    security(("bearer" = []), ("session" = [])),
    params(LeadsQuery),
    responses(
        (status = 200, description = "OK", body = Page<LeadView>),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 422, description = "Not a stage", body = ErrorBody),
    ))]
async fn list_leads(
    State(state): State<AppState>,
    _: Principal,
    ApiQuery(query): ApiQuery<LeadsQuery>,
) -> Result<Json<Page<LeadView>>, ApiError> {
    let stage = match query.stage.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(s.parse::<LeadStage>().map_err(ApiError::invalid)?),
    };
    let leads: Vec<LeadView> = scoring::list(state.store(), stage)
        .await?
        .iter()
        .map(LeadView::from)
        .collect();
    let (limit, offset) = (limit(query.limit), query.offset.unwrap_or(0).max(0));
    let (items, more) = slice(&leads, offset, limit);
    let next = more
        .then(|| {
            next_url(
                "/api/leads",
                &LeadsQuery {
                    stage: query.stage.clone(),
                    offset: Some(offset + limit),
                    limit: Some(limit),
                },
            )
        })
        .flatten();
    Ok(Json(Page { items, next }))
}

/// One lead: its facts with their sources, its reasons in points and its score history.
#[utoipa::path(get, path = "/api/leads/{id}", tag = "scoring",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The lead's id (its contact's)")),
    responses(
        (status = 200, description = "OK", body = LeadDetailView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No scored lead with this id", body = ErrorBody),
    ))]
async fn show_lead(
    State(state): State<AppState>,
    _: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<LeadDetailView>, ApiError> {
    let detail = scoring::detail(state.store(), id).await?;
    Ok(Json(LeadDetailView {
        lead: LeadView::from(&detail.current),
        facts: detail
            .facts
            .into_iter()
            .map(|f| LeadFactView {
                of: f.of,
                field: f.field,
                value: f.value,
                source: f.source,
                observed_at: f.observed_at,
            })
            .collect(),
        history: detail.history.iter().map(LeadView::from).collect(),
    }))
}
