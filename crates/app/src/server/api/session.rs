//! Signing in and out. `POST /api/session` takes an email and a password (rate limited per
//! email and per client address); `POST /sign-in/link/{token}` (the button of the page its
//! GET shows) spends a one-time link from `leadgate user add`. Both set the session cookie; the CSRF token comes back in the body
//! (and from `GET /api/me`) for the client to send with each state-changing request.

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::engine::auth::{self as engine_auth, SESSION_LIFETIME, SignedIn};
use crate::server::auth::{self, Principal, Via};
use crate::server::error::{ApiError, ApiJson, ApiPath, ErrorBody};
use crate::server::state::AppState;
use crate::views::PersonView;

pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in))
        .routes(routes!(sign_in_link_page, sign_in_link))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(sign_out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub person: PersonView,
    /// Send as `X-CSRF-Token` (or form field `csrf_token`) with every state-changing request.
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

fn set_cookie(headers: &HeaderMap, state: &AppState, signed_in: &SignedIn) -> HeaderValue {
    let secure = state.secure_cookies() || auth::came_over_tls(headers);
    auth::session_cookie_header(&signed_in.session_id, SESSION_LIFETIME, secure)
}

/// Sign in with email and password; sets the session cookie.
#[utoipa::path(post, path = "/api/session", tag = "session",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in; the cookie `leadgate_session` is set", body = SessionView),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 422, description = "Invalid input", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins for this email or client", body = ErrorBody),
    ))]
async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignInRequest>,
) -> Result<Response, ApiError> {
    let now = state.now();
    let client = peer.ip().to_string();
    if let Err(wait) = state.limiter().check(&body.email, &client, now) {
        tracing::warn!(%client, "Sign-in refused: too many failures.");
        return Err(ApiError::rate_limited(wait));
    }
    let signed_in = match engine_auth::sign_in_with_password(
        state.store(),
        &body.email,
        &body.password,
        &client,
        now,
    )
    .await
    {
        Ok(signed_in) => signed_in,
        Err(e) => {
            if matches!(e, crate::engine::Error::Unauthenticated(_)) {
                state.limiter().failed(&body.email, &client, now);
            }
            return Err(e.into());
        }
    };
    state.limiter().succeeded(&body.email, &client);
    let cookie = set_cookie(&headers, &state, &signed_in);
    let view = SessionView {
        person: PersonView::from(&signed_in.person),
        csrf_token: signed_in.csrf_token,
        expires_at: signed_in.expires_at,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(view)).into_response())
}

#[derive(askama::Template)]
#[template(path = "sign_in_link.html")]
struct LinkPage {
    layout: crate::server::ui::Layout,
    token: String,
}

/// The page a sign-in link opens: a button that signs in. Opening it spends nothing, so a
/// mail scanner that follows every link neither signs the person in nor burns the link.
#[utoipa::path(get, path = "/sign-in/link/{token}", tag = "session",
    params(("token" = String, Path, description = "The token printed by `leadgate user add`")),
    responses(
        (status = 200, description = "A page with the button that spends the link", content_type = "text/html"),
    ))]
async fn sign_in_link_page(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> Result<Response, ApiError> {
    let token: String = token
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let view = LinkPage {
        layout: crate::server::ui::Layout::anonymous(&state),
        token,
    };
    crate::server::ui::page(StatusCode::OK, &view)
        .map_err(|e| ApiError::new(e.status, "internal", e.message))
}

/// Spend a one-time sign-in link: sets the session cookie and sends the browser to `/`.
#[utoipa::path(post, path = "/sign-in/link/{token}", tag = "session",
    params(("token" = String, Path, description = "The token printed by `leadgate user add`")),
    responses(
        (status = 303, description = "Signed in; redirects to /"),
        (status = 401, description = "The link is unknown, used or expired", body = ErrorBody),
    ))]
async fn sign_in_link(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiPath(token): ApiPath<String>,
) -> Result<Response, ApiError> {
    let now = state.now();
    let signed_in =
        engine_auth::sign_in_with_link(state.store(), &token, &peer.ip().to_string(), now).await?;
    let cookie = set_cookie(&headers, &state, &signed_in);
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, HeaderValue::from_static("/")),
        ],
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub person: PersonView,
    /// session or token
    pub via: String,
    /// The session's CSRF token (null with a token: bearer requests need none).
    pub csrf_token: Option<String>,
}

/// Who the request acts for.
#[utoipa::path(get, path = "/api/me", tag = "session",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = MeView), (status = 401, description = "No valid session or token", body = ErrorBody)))]
async fn me(principal: Principal) -> Json<MeView> {
    let (via, csrf_token) = match &principal.via {
        Via::Session { csrf_token, .. } => ("session", Some(csrf_token.clone())),
        Via::Token { .. } => ("token", None),
    };
    Json(MeView {
        person: PersonView::from(&principal.person),
        via: via.to_string(),
        csrf_token,
    })
}

/// Sign out: ends the session and clears its cookie.
#[utoipa::path(delete, path = "/api/session", tag = "session",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Missing CSRF token", body = ErrorBody),
        (status = 409, description = "A bearer token is not a session: revoke it instead", body = ErrorBody),
    ))]
async fn sign_out(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Response, ApiError> {
    let Via::Session { id, .. } = &principal.via else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "a bearer token is not a session; revoke it with `leadgate token revoke ID`",
        ));
    };
    engine_auth::sign_out(state.store(), id, &principal.person.name, state.now()).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            HeaderValue::from_static(
                "leadgate_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
            ),
        )],
    )
        .into_response())
}
