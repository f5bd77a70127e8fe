//! The sign-in page: an email and password form that makes a browser session, rate limited
//! like `POST /api/session`, and signing out.

use std::net::SocketAddr;

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Layout, PageError, Pages, page};
use crate::engine::auth::{self as engine_auth, SESSION_LIFETIME};
use crate::server::auth::{self, Principal, Via};
use crate::server::state::AppState;

pub fn public_routes() -> Pages {
    Pages::new().route("/sign-in", get(show).post(submit))
}

pub fn routes() -> Pages {
    Pages::new().route("/sign-out", post(sign_out))
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    error: Option<String>,
    email: String,
}

async fn show(State(state): State<AppState>) -> Result<Response, PageError> {
    page(
        StatusCode::OK,
        &SignInPage {
            layout: Layout::anonymous(&state),
            error: None,
            email: String::new(),
        },
    )
}

#[derive(Deserialize)]
struct SignInForm {
    email: String,
    password: String,
}

async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    let client = peer.ip().to_string();
    let refused = |status: StatusCode, error: String| {
        page(
            status,
            &SignInPage {
                layout: Layout::anonymous(&state),
                error: Some(error),
                email: form.email.clone(),
            },
        )
    };
    if let Err(wait) = state.limiter().check(&form.email, &client, now) {
        return refused(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many failed sign-ins. Try again in {wait} seconds."),
        );
    }
    match engine_auth::sign_in_with_password(
        state.store(),
        &form.email,
        &form.password,
        &client,
        now,
    )
    .await
    {
        Ok(signed_in) => {
            state.limiter().succeeded(&form.email, &client);
            let secure = state.secure_cookies() || auth::came_over_tls(&headers);
            let cookie =
                auth::session_cookie_header(&signed_in.session_id, SESSION_LIFETIME, secure);
            Ok((
                StatusCode::SEE_OTHER,
                [
                    (header::SET_COOKIE, cookie),
                    (header::LOCATION, HeaderValue::from_static("/")),
                ],
            )
                .into_response())
        }
        Err(crate::engine::Error::Unauthenticated(_)) => {
            state.limiter().failed(&form.email, &client, now);
            refused(
                StatusCode::UNAUTHORIZED,
                "That email and password do not match.".into(),
            )
        }
        Err(e) => Err(e.into()),
    }
}

async fn sign_out(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Response, PageError> {
    if let Via::Session { id, .. } = &principal.via {
        engine_auth::sign_out(state.store(), id, &principal.person.name, state.now()).await?;
    }
    let cleared =
        HeaderValue::from_static("leadgate_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cleared),
            (header::LOCATION, HeaderValue::from_static("/sign-in")),
        ],
    )
        .into_response())
}
