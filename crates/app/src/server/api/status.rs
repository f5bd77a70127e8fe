//! `GET /api/status`: what waits in the workspace, as `leadgate status --json` prints it.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::Principal;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::state::AppState;
use crate::views::StatusView;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(workspace_status))
}

/// Live ICPs, open gates and queued jobs.
#[utoipa::path(get, path = "/api/status", tag = "status",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "OK", body = StatusView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
    ))]
async fn workspace_status(
    State(state): State<AppState>,
    _: Principal,
) -> Result<Json<StatusView>, ApiError> {
    Ok(Json(
        StatusView::read(state.workspace(), state.now()).await?,
    ))
}
