//! Scored leads over HTTP: where every lead stands (score, fit and engagement parts, stage,
//! the top three reasons in points), one lead with its facts, score history and outcomes —
//! what `leadgate leads list` and `show` print, for the CRM or sequencer a team already
//! has — and recording an outcome, as `leadgate leads outcome` does.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use leadgate_core::scoring::lead::LeadStage;
use leadgate_core::scoring::outcome::{NewOutcome, OutcomeKind};
use leadgate_store::leads::LeadScore;
use leadgate_store::outcomes::Outcome;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Page, limit, next_url, slice};
use crate::engine::{outcomes, scoring};
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};
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
        .routes(routes!(record_outcome))
}

fn outcome_kind_schema() -> impl Into<RefOr<Schema>> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some("What happened to the lead."))
        .enum_values(Some(
            OutcomeKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>(),
        ))
}

/// One outcome recorded on a lead.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeView {
    pub id: i64,
    /// The lead's id.
    pub lead: i64,
    #[schema(schema_with = outcome_kind_schema)]
    pub kind: OutcomeKind,
    /// The day it happened (YYYY-MM-DD).
    #[schema(value_type = String)]
    pub on: jiff::civil::Date,
    /// The deal's amount in minor units of its currency (cents): 12500.50 EUR is 1250050.
    pub amount_minor: Option<i64>,
    /// ISO 4217 code, with an amount only.
    pub currency: Option<String>,
    /// Why (lost, disqualified).
    pub reason: String,
    /// `person`, or `crm_import` with `file` and `row`.
    #[schema(value_type = Object)]
    pub source: Value,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

impl From<&Outcome> for OutcomeView {
    fn from(o: &Outcome) -> Self {
        OutcomeView {
            id: o.id,
            lead: o.lead,
            kind: o.kind,
            on: o.on,
            amount_minor: o.amount.map(|a| a.minor),
            currency: o.amount.map(|a| a.currency.to_string()),
            reason: o.reason.clone(),
            source: serde_json::to_value(&o.source).unwrap_or(Value::Null),
            recorded_by: o.recorded_by.clone(),
            recorded_at: o.recorded_at,
        }
    }
}

/// An outcome to record on a lead.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// `meeting_booked`, `opportunity_opened`, `won`, `lost` or `disqualified`.
    #[schema(schema_with = outcome_kind_schema)]
    pub kind: String,
    /// The day it happened (YYYY-MM-DD); default: today in the workspace's time zone.
    pub on: Option<String>,
    /// The deal's amount as a decimal (`12500.50`), for an opportunity, a win or a loss.
    pub amount: Option<String>,
    /// The amount's currency (ISO 4217), required with an amount.
    pub currency: Option<String>,
    /// Why, in words: required for `lost` and `disqualified`.
    pub reason: Option<String>,
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
    /// What happened to the lead, oldest first.
    pub outcomes: Vec<OutcomeView>,
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
        outcomes: detail.outcomes.iter().map(OutcomeView::from).collect(),
    }))
}

/// Record what happened to a lead — a meeting booked, an opportunity opened, a deal won or
/// lost, a disqualification — as the caller. Reps, sales leads, sales ops and admins may;
/// the same kind on the same day is recorded once. Model reviews read outcomes.
#[utoipa::path(post, path = "/api/leads/{id}/outcomes", tag = "scoring",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The lead's id (its contact's)")),
    request_body = OutcomeRequest,
    responses(
        (status = 201, description = "Recorded", body = OutcomeView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "The caller may not record outcomes (or lacks the CSRF token)", body = ErrorBody),
        (status = 404, description = "No scored lead with this id", body = ErrorBody),
        (status = 409, description = "This outcome is recorded already", body = ErrorBody),
        (status = 422, description = "Invalid input: the field is named", body = ErrorBody),
    ))]
async fn record_outcome(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<OutcomeRequest>,
) -> Result<(StatusCode, Json<OutcomeView>), ApiError> {
    let now = state.now();
    let kind: OutcomeKind = body
        .kind
        .parse()
        .map_err(|e| ApiError::invalid(format!("kind: {e}")))?;
    let on = match body.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => text.parse().map_err(|_| {
            ApiError::invalid(format!("on: `{text}` is not a date (like 2026-11-30)"))
        })?,
        None => {
            let tz = jiff::tz::TimeZone::get(&state.workspace().config.time_zone)
                .unwrap_or(jiff::tz::TimeZone::UTC);
            now.to_zoned(tz).date()
        }
    };
    let new = NewOutcome::parse(
        kind,
        on,
        body.amount.as_deref(),
        body.currency.as_deref(),
        body.reason.as_deref(),
    )
    .map_err(|e| ApiError::invalid(e.to_string()))?;
    let recorded =
        outcomes::record_outcome(state.store(), &principal.person.name, id, new, now).await?;
    Ok((StatusCode::CREATED, Json(OutcomeView::from(&recorded))))
}
