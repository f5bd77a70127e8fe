//! Erasure at a person's request over HTTP, for the privacy-request form or ticket system a
//! team already has: the same engine path as `leadgate erase` (see
//! `engine::discovery::erase`), as the caller, who needs the admin or sales_ops role.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::engine::discovery::erase::{self, Erasure, erase};
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_erasure))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureRequest {
    /// The person's e-mail address.
    pub email: String,
    /// LinkedIn profile URLs the person gave.
    #[serde(default)]
    pub linkedin: Vec<String>,
    /// A source's id of the person, as `SOURCE:ID` (`hubspot:48213`).
    #[serde(default)]
    pub source_ids: Vec<String>,
    /// Records a dry run listed as merged with the person but not matched by the request,
    /// which the caller decided to erase too.
    #[serde(default)]
    pub records: Vec<i64>,
    /// The request this answers.
    pub reason: String,
    /// Report what would be erased and change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Erase a person at their request (GDPR Art. 17), by evidence: the records that carry the
/// request's own address, profile or source id (and records the caller chose) are deleted
/// with their facts, the merges quoting them and their contacts' list places; hashes of the
/// address and profiles stay on the suppression list so that no later import stores them
/// again. Other records merged with the person are listed in `not_matched`, not erased.
#[utoipa::path(post, path = "/api/erasures", tag = "discovery",
    security(("bearer" = []), ("session" = [])),
    request_body = ErasureRequest,
    responses(
        (status = 200, description = "Erased (or, on a dry run, what would be)", body = Erasure),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "The caller is neither admin nor sales ops (or lacks the CSRF token)", body = ErrorBody),
        (status = 422, description = "Invalid input: not an address, no reason", body = ErrorBody),
    ))]
async fn create_erasure(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(body): ApiJson<ErasureRequest>,
) -> Result<Json<Erasure>, ApiError> {
    Ok(Json(
        erase(
            state.store(),
            &erase::Request {
                email: body.email,
                linkedin: body.linkedin,
                source_ids: body.source_ids,
                records: body.records,
            },
            &principal.person.name,
            &body.reason,
            body.dry_run,
            state.now(),
        )
        .await?,
    ))
}
