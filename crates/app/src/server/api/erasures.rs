//! Erasure at a person's request over HTTP, for the privacy-request form or ticket system a
//! team already has: the same engine path as `leadgate erase` (see
//! `engine::discovery::erase`), as the caller, who needs the admin or sales_ops role.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::engine::discovery::erase::{Erasure, erase};
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
    /// The request this answers.
    pub reason: String,
    /// Report what would be erased and change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Erase a person at their request (GDPR Art. 17): every record, fact, merge and list
/// place about them is deleted; hashes of the address and profiles stay on the
/// suppression list so that no later import stores them again.
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
            &body.email,
            &principal.person.name,
            &body.reason,
            body.dry_run,
            state.now(),
        )
        .await?,
    ))
}
