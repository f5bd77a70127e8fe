//! The click redirect: `GET /r/{token}` — the links of sent e-mails point here — records the
//! click as the prospect's engagement and sends the browser on to the link's target with a
//! 302. No session or cookie: the prospect is not a person of the workspace. A scanner's or
//! a preview's request is sent on as well, and counts for nothing.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{PageError, Pages};
use crate::engine::outreach::send;
use crate::server::state::AppState;

pub fn public_routes() -> Pages {
    Pages::new().route("/r/{token}", get(follow))
}

async fn follow(
    State(state): State<AppState>,
    Path(token): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let config = &state.workspace().config;
    let asker = send::Asker {
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
        head: method == Method::HEAD,
    };
    let target = send::click(
        state.store(),
        &config.scoring,
        &config.discovery.pages,
        &config.handoff.intent,
        &token,
        asker,
        state.now(),
    )
    .await?;
    let location = HeaderValue::from_str(&target).map_err(|_| PageError {
        status: StatusCode::NOT_FOUND,
        message: "this link's target cannot be followed".to_string(),
    })?;
    Ok((StatusCode::FOUND, [(header::LOCATION, location)]).into_response())
}
