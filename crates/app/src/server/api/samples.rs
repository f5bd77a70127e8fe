//! Sample reviews: the records a discovery run sampled from a prospect list, each with its
//! profile (every field with its source and age) and its evaluation, and the reviewer's
//! verdicts on them. Verdicts go through `engine::discovery::review`, the path the CLI and
//! the review page take: the last verdict closes the gate by the one gate rule.

use axum::Json;
use axum::extract::State;
use leadgate_core::discovery::sample::ReviewVerdict;
use leadgate_core::gate::GateKind;
use leadgate_store::gates as stored_gates;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::engine::discovery::review::{ItemDecision, review, sample_under_review};
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiJson, ApiPath, ErrorBody};
use crate::server::state::AppState;
use crate::views::GateView;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_sample))
        .routes(routes!(record_verdicts))
}

/// A sample review: its gate, the list it samples, and every sampled record.
#[derive(Debug, Serialize, ToSchema)]
pub struct SampleView {
    pub gate: GateView,
    pub list_id: i64,
    /// The ICP segment the list was built for.
    pub segment: String,
    pub items: Vec<SampleItemView>,
}

/// One sampled record.
#[derive(Debug, Serialize, ToSchema)]
pub struct SampleItemView {
    /// 1-based, the order a reviewer sees them in.
    pub position: i64,
    pub contact_id: i64,
    /// The source the record was drawn for (the sample is stratified by source).
    pub stratum: String,
    /// match or no_match once reviewed, else null.
    pub verdict: Option<String>,
    pub reason: Option<String>,
    pub reviewer: Option<String>,
    /// Every field of the resolved prospect with its value, source, record and time of
    /// observation.
    #[schema(value_type = Object)]
    pub profile: serde_json::Value,
    /// The ICP criteria with their reasons, freshness and compliance.
    #[schema(value_type = Object)]
    pub evaluation: serde_json::Value,
}

/// The reviewer's verdicts on some or all of a sample's records.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictsRequest {
    pub verdicts: Vec<VerdictRequest>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictRequest {
    /// The record's position in the sample.
    pub position: i64,
    /// match or no_match.
    pub verdict: String,
    /// Why, for a no_match above all: rejections are tallied per reason.
    pub reason: Option<String>,
}

/// A sample review with its records and the verdicts so far.
#[utoipa::path(get, path = "/api/samples/{gate}", tag = "discovery",
    security(("bearer" = []), ("session" = [])),
    params(("gate" = i64, Path, description = "The sample-review gate's id")),
    responses(
        (status = 200, description = "OK", body = SampleView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No sample review with this id", body = ErrorBody),
    ))]
async fn show_sample(
    State(state): State<AppState>,
    _: Principal,
    ApiPath(gate): ApiPath<i64>,
) -> Result<Json<SampleView>, ApiError> {
    Ok(Json(sample_view(&state, gate).await?))
}

/// Record verdicts on sampled records, as the caller (who needs the reviewer role). When the
/// last record has its verdict the gate closes: approved when enough match, else rejected
/// with the error rate per source and per reason.
#[utoipa::path(post, path = "/api/samples/{gate}/verdicts", tag = "discovery",
    security(("bearer" = []), ("session" = [])),
    params(("gate" = i64, Path, description = "The sample-review gate's id")),
    request_body = VerdictsRequest,
    responses(
        (status = 200, description = "Recorded; the sample as it now stands", body = SampleView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "The caller is not a reviewer (or lacks the CSRF token)", body = ErrorBody),
        (status = 404, description = "No sample review with this id", body = ErrorBody),
        (status = 409, description = "The review is closed", body = ErrorBody),
        (status = 422, description = "Invalid input: an unknown position or verdict", body = ErrorBody),
    ))]
async fn record_verdicts(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(gate): ApiPath<i64>,
    ApiJson(body): ApiJson<VerdictsRequest>,
) -> Result<Json<SampleView>, ApiError> {
    if body.verdicts.is_empty() {
        return Err(ApiError::invalid("verdicts: at least one is needed"));
    }
    let mut decisions = Vec::with_capacity(body.verdicts.len());
    for (i, v) in body.verdicts.iter().enumerate() {
        let verdict = v
            .verdict
            .parse::<ReviewVerdict>()
            .map_err(|why| ApiError::invalid(format!("verdicts[{i}].verdict: {why}")))?;
        decisions.push(ItemDecision {
            position: v.position,
            verdict,
            reason: v
                .reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string),
        });
    }
    // An unknown gate, or one of another kind, is a 404 here, as GET answers.
    let mut conn = state.store().conn().await?;
    let found = stored_gates::get(&mut conn, gate).await?;
    drop(conn);
    if found.is_none_or(|g| g.kind != GateKind::SampleReview) {
        return Err(ApiError::not_found(format!("no sample review {gate}")));
    }
    review(
        state.store(),
        &state.workspace().config.discovery,
        gate,
        &principal.person.name,
        &decisions,
        state.now(),
    )
    .await?;
    Ok(Json(sample_view(&state, gate).await?))
}

async fn sample_view(state: &AppState, id: i64) -> Result<SampleView, ApiError> {
    let sample = sample_under_review(state.store(), id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no sample review {id}")))?;
    Ok(SampleView {
        gate: GateView::from(&sample.gate),
        list_id: sample.list.as_ref().map_or(0, |l| l.id),
        segment: sample.list.map(|l| l.segment).unwrap_or_default(),
        items: sample
            .items
            .into_iter()
            .map(|(item, prospect)| {
                let (profile, evaluation) = prospect
                    .map(|p| (p.profile, p.evaluation))
                    .unwrap_or_default();
                SampleItemView {
                    position: item.position,
                    contact_id: item.contact_id,
                    stratum: item.stratum,
                    verdict: item.verdict.map(|v| v.as_str().to_string()),
                    reason: item.reason,
                    reviewer: item.reviewer,
                    profile,
                    evaluation,
                }
            })
            .collect(),
    })
}
