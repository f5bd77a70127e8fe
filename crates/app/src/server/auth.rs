//! Who is asking, for every route that is not public: a person with a browser session (a
//! cookie, plus a CSRF token on every state-changing request) or a machine with a bearer token.
//!
//! [`require`] is a route layer: a stage adds a protected route and gets authentication and
//! CSRF checks without writing either. Handlers take [`Principal`] as an argument. What a
//! person may *do* is not decided here — gate decisions go through `engine::gates::decide`,
//! the one rule — except for admin-only routes, which call [`Principal::require_role`].

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Mutex;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use jiff::{SignedDuration, Timestamp};
use leadgate_core::audit::{Actor, Attempt, Subject};
use leadgate_core::role::Role;
use leadgate_store::people::Person;
use serde_json::json;

use super::error::ApiError;
use super::state::AppState;
use crate::engine::{self, auth as engine_auth};

pub const SESSION_COOKIE: &str = "leadgate_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf_token";
/// The largest form body read to find its CSRF field.
const MAX_FORM_BYTES: usize = 1 << 20;

/// The person a request acts for, and how they proved it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub person: Person,
    pub via: Via,
}

#[derive(Debug, Clone)]
pub enum Via {
    Session { id: String, csrf_token: String },
    Token { id: i64 },
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor::Person(self.person.name.clone())
    }

    /// Refuses (403, on the audit log) unless the person holds `role`.
    pub async fn require_role(
        &self,
        state: &AppState,
        role: Role,
        action: Attempt,
        subject: &Subject,
    ) -> Result<(), ApiError> {
        if self.person.roles.contains(&role) {
            return Ok(());
        }
        let refusal = engine::Error::Forbidden(format!(
            "{} may not do this: it needs the role {role}",
            self.person.name
        ));
        let refused: Result<(), engine::Error> = engine::refuse(
            state.store(),
            &self.actor(),
            action,
            subject,
            json!({ "needs": role }),
            refusal,
            state.now(),
        )
        .await;
        refused.map_err(ApiError::from)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| ApiError::unauthenticated("sign in first, or send an API token"))
    }
}

/// The client's address as the audit log names it.
pub fn client(parts_extensions: &axum::http::Extensions) -> String {
    parts_extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The route layer that admits only a signed-in person or a valid token.
pub async fn require(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let now = state.now();
    let presented = credentials(request.headers())?;
    let seen = Seen {
        method: request.method().as_str().to_string(),
        path: request.uri().path().to_string(),
        client: client(request.extensions()),
    };
    let principal = match presented {
        None => {
            // No credentials at all is the normal state of a browser before sign-in: answered,
            // counted in the metrics, but not written to the audit log (anyone could fill it).
            return Err(ApiError::unauthenticated(
                "sign in first, or send an API token (Authorization: Bearer …)",
            ));
        }
        Some(Credential::Token(secret)) => {
            match engine_auth::authenticate_token(state.store(), &secret, now).await? {
                Some((person, token)) => Principal {
                    person,
                    via: Via::Token { id: token.id },
                },
                None => {
                    return Err(refuse_credentials(&state, &seen, "token", now).await);
                }
            }
        }
        Some(Credential::Session(id)) => {
            match engine_auth::session(state.store(), &id, now).await? {
                Some((person, csrf_token)) => Principal {
                    person,
                    via: Via::Session { id, csrf_token },
                },
                None => {
                    return Err(refuse_credentials(&state, &seen, "session", now).await);
                }
            }
        }
    };
    let mut request = request;
    if let Via::Session { csrf_token, .. } = &principal.via
        && !is_safe(request.method())
    {
        let (presented, rebuilt) = csrf_from(request).await?;
        request = rebuilt;
        if !presented.is_some_and(|p| constant_time_eq(p.as_bytes(), csrf_token.as_bytes())) {
            let refusal = engine::Error::Forbidden(
                "this request lacks the session's CSRF token (header X-CSRF-Token or form field csrf_token)".into(),
            );
            let refused: Result<(), _> = engine::refuse(
                state.store(),
                &principal.actor(),
                Attempt::CheckCsrf,
                &Subject::User(principal.person.name.to_string()),
                json!({ "method": seen.method, "path": seen.path, "client": seen.client }),
                refusal,
                now,
            )
            .await;
            return Err(match refused {
                Err(engine::Error::Forbidden(m)) => {
                    ApiError::new(axum::http::StatusCode::FORBIDDEN, "csrf", m)
                }
                Err(other) => other.into(),
                Ok(()) => ApiError::forbidden("CSRF token missing"),
            });
        }
    }
    request.extensions_mut().insert(principal);
    Ok(next.run(request).await)
}

/// What the audit log notes about a refused request.
struct Seen {
    method: String,
    path: String,
    client: String,
}

/// Presented credentials that prove nobody: a 401, on the audit log.
async fn refuse_credentials(state: &AppState, seen: &Seen, kind: &str, now: Timestamp) -> ApiError {
    let refusal = engine::Error::Unauthenticated(match kind {
        "token" => "this API token is unknown or revoked".to_string(),
        _ => "the session has ended; sign in again".to_string(),
    });
    let refused: Result<(), _> = engine::refuse(
        state.store(),
        &Actor::System,
        Attempt::Authenticate,
        &Subject::Auth,
        json!({
            "credential": kind,
            "method": seen.method,
            "path": seen.path,
            "client": seen.client,
        }),
        refusal,
        now,
    )
    .await;
    match refused {
        Err(e) => e.into(),
        Ok(()) => ApiError::unauthenticated("unknown credentials"),
    }
}

enum Credential {
    Token(String),
    Session(String),
}

fn credentials(headers: &HeaderMap) -> Result<Option<Credential>, ApiError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let text = value.to_str().unwrap_or_default();
        return match text.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                Ok(Some(Credential::Token(token.trim().to_string())))
            }
            _ => Err(ApiError::unauthenticated(
                "the Authorization header must be `Bearer TOKEN`",
            )),
        };
    }
    Ok(session_cookie(headers).map(Credential::Session))
}

/// The session id from the Cookie header(s), if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The CSRF token of a request: its header, or the `csrf_token` field of a form, urlencoded
/// or multipart (a file upload). The body is read and put back for the handler.
async fn csrf_from(request: Request) -> Result<(Option<String>, Request), ApiError> {
    if let Some(value) = request.headers().get(CSRF_HEADER) {
        let token = value.to_str().ok().map(str::to_string);
        return Ok((token, request));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let multipart = content_type.starts_with("multipart/form-data");
    if !multipart && !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((None, request));
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| ApiError::invalid("the form is too large"))?;
    let token = if multipart {
        multipart_field(&content_type, bytes.clone(), CSRF_FIELD).await
    } else {
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        fields
            .into_iter()
            .find(|(name, _)| name == CSRF_FIELD)
            .map(|(_, value)| value)
    };
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// The text of the field `wanted` in a multipart body, read with axum's own parser.
async fn multipart_field(
    content_type: &str,
    bytes: axum::body::Bytes,
    wanted: &str,
) -> Option<String> {
    use axum::extract::{FromRequest, Multipart};
    let copy = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes))
        .ok()?;
    let mut form = Multipart::from_request(copy, &()).await.ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(wanted) {
            return field.text().await.ok();
        }
    }
    None
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The Set-Cookie value of a new session. `Secure` when the request came over TLS (as a
/// proxy in front says with X-Forwarded-Proto) or the workspace says to always set it.
pub fn session_cookie_header(
    session_id: &str,
    max_age: SignedDuration,
    secure: bool,
) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        max_age.as_secs().max(0)
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("leadgate_session=; Path=/; Max-Age=0"))
}

pub fn came_over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// Failed sign-ins per email and per client address in a sliding window. In memory: a
/// restart forgets, which is fine for slowing down password guessing. Times come from the
/// server's clock, so tests control the window.
#[derive(Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, VecDeque<Timestamp>>>,
}

pub const MAX_FAILURES_PER_EMAIL: usize = 5;
pub const MAX_FAILURES_PER_CLIENT: usize = 20;
pub const FAILURE_WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// Above this many tracked keys, stale ones are swept so memory stays bounded.
const SWEEP_ABOVE: usize = 10_000;

impl SignInLimiter {
    fn keys(email: &str, client: &str) -> [(String, usize); 2] {
        [
            (
                format!("email:{}", email.trim().to_lowercase()),
                MAX_FAILURES_PER_EMAIL,
            ),
            (format!("client:{client}"), MAX_FAILURES_PER_CLIENT),
        ]
    }

    /// `Err(seconds to wait)` when either key has used up its failures.
    pub fn check(&self, email: &str, client: &str, now: Timestamp) -> Result<(), u64> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let window_start = now.saturating_sub(FAILURE_WINDOW).unwrap_or(now);
        for (key, max) in Self::keys(email, client) {
            if let Some(times) = failures.get_mut(&key) {
                while times.front().is_some_and(|t| *t <= window_start) {
                    times.pop_front();
                }
                if times.len() >= max
                    && let Some(oldest) = times.front()
                {
                    let free_at = oldest.saturating_add(FAILURE_WINDOW).unwrap_or(now);
                    let wait = free_at.duration_since(now).as_secs().max(1);
                    return Err(wait.unsigned_abs());
                }
            }
        }
        Ok(())
    }

    pub fn failed(&self, email: &str, client: &str, now: Timestamp) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > SWEEP_ABOVE {
            let window_start = now.saturating_sub(FAILURE_WINDOW).unwrap_or(now);
            failures.retain(|_, times| times.back().is_some_and(|t| *t > window_start));
        }
        for (key, _) in Self::keys(email, client) {
            failures.entry(key).or_default().push_back(now);
        }
    }

    /// A successful sign-in clears the email's failures (not the client's).
    pub fn succeeded(&self, email: &str, client: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let [(email_key, _), _] = Self::keys(email, client);
        failures.remove(&email_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    #[test]
    fn the_limiter_blocks_after_the_email_limit_and_frees_after_the_window() {
        let limiter = SignInLimiter::default();
        for i in 0..MAX_FAILURES_PER_EMAIL as i64 {
            assert!(limiter.check("a@x.com", "1.2.3.4", at(i)).is_ok());
            limiter.failed("A@x.com", "1.2.3.4", at(i));
        }
        let wait = limiter.check("a@x.com", "5.6.7.8", at(10)).unwrap_err();
        assert_eq!(wait, 15 * 60 - 10);
        assert!(limiter.check("b@x.com", "1.2.3.4", at(10)).is_ok());
        assert!(limiter.check("a@x.com", "1.2.3.4", at(15 * 60 + 5)).is_ok());
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; leadgate_session=abc; b=2"),
        );
        assert_eq!(session_cookie(&headers).as_deref(), Some("abc"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
