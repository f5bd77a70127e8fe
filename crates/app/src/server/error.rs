//! One error body for every failure the API returns, extractor rejections included:
//! `{"error": {"code": "…", "message": "…", "details": …}}`. A 500 says only that something
//! went wrong and which request it was; the cause goes to the server log, never to the client.
//! The router's fallbacks answer the API (and a client that prefers JSON) with this body and
//! a browser with the review UI's error page.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::state::AppState;
use super::ui;
use crate::engine;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
    pub retry_after_secs: Option<u64>,
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable: not_found, unauthenticated, forbidden, csrf, conflict,
    /// invalid, rate_limited, method_not_allowed, internal, not_ready.
    pub code: String,
    /// One line a person can act on.
    pub message: String,
    /// More about the error when there is more to say, else null.
    #[schema(value_type = Option<Object>)]
    pub details: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Value::Null,
            retry_after_secs: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> ApiError {
        self.details = details;
        self
    }

    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn rate_limited(retry_after_secs: u64) -> ApiError {
        ApiError {
            retry_after_secs: Some(retry_after_secs),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many failed sign-ins; try again in {retry_after_secs} s"),
            )
        }
    }

    /// A failure whose cause must not reach the client: logged here, reported as a 500.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "Request failed.");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server could not complete the request; the server log has the cause (see x-request-id)",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                details: self.details,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"leadgate\""),
            );
        }
        response
    }
}

impl From<engine::Error> for ApiError {
    fn from(e: engine::Error) -> Self {
        match e {
            engine::Error::NotFound(m) => ApiError::not_found(m),
            engine::Error::UnknownPerson(_) => {
                ApiError::new(StatusCode::FORBIDDEN, "unknown_person", e.to_string())
            }
            engine::Error::Unauthenticated(m) => ApiError::unauthenticated(m),
            engine::Error::Forbidden(m) => ApiError::forbidden(m),
            engine::Error::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            engine::Error::Invalid(m) => ApiError::invalid(m),
            // A file named in the request (an evidence or import file) that cannot be read.
            engine::Error::File { message, .. } => ApiError::invalid(message),
            engine::Error::Internal(m) => ApiError::internal(&m),
            engine::Error::Store(e) => ApiError::internal(&e),
        }
    }
}

impl From<leadgate_store::StoreError> for ApiError {
    fn from(e: leadgate_store::StoreError) -> Self {
        ApiError::internal(&e)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let code = match status {
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            _ => "invalid",
        };
        ApiError::new(status, code, one_line(&rejection.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::invalid(one_line(&rejection.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::invalid(one_line(&rejection.body_text()))
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A JSON request body whose rejections are [`ApiError`]s.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// A query string whose rejections are [`ApiError`]s.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters whose rejections are [`ApiError`]s.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// The router's answer for a path nothing serves: the error body for the API (and for a
/// client that prefers JSON), the error page for a browser.
pub async fn not_found(State(state): State<AppState>, request: Request) -> Response {
    if wants_json(&request) {
        return ApiError::not_found("no such route (the API is described at /api/openapi.json)")
            .into_response();
    }
    let path = request.uri().path();
    let message = format!("there is no page at {path}");
    ui::for_browser(
        &state,
        request.headers(),
        path,
        StatusCode::NOT_FOUND,
        &message,
    )
    .await
}

/// The router's answer for a served path asked with a method it does not take.
pub async fn method_not_allowed(State(state): State<AppState>, request: Request) -> Response {
    if wants_json(&request) {
        return ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this route does not take that method (see /api/openapi.json)",
        )
        .into_response();
    }
    let path = request.uri().path();
    let message = format!("{path} does not take a {} request", request.method());
    ui::for_browser(
        &state,
        request.headers(),
        path,
        StatusCode::METHOD_NOT_ALLOWED,
        &message,
    )
    .await
}

/// Whether a request gets the API's JSON error rather than the error page: it is for the
/// API (`/api/…`), or its `Accept` header ranks JSON above HTML. A browser ranks HTML first;
/// a client that states no preference, on a path outside the API, gets the page.
fn wants_json(request: &Request) -> bool {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return true;
    }
    let accept = request
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    quality(&accept, "application/json") > quality(&accept, "text/html")
}

/// The quality an `Accept` header gives `media` (`type/subtype`): that of the most specific
/// range that matches it (RFC 9110 §12.5.1), 0 when none does.
fn quality(accept: &str, media: &str) -> f32 {
    let kind = media.split('/').next().unwrap_or_default();
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut params = range.split(';');
        let name = params
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let specificity = if name == media {
            2
        } else if name.strip_suffix("/*") == Some(kind) {
            1
        } else if name == "*/*" {
            0
        } else {
            continue;
        };
        let q = params
            .filter_map(|p| p.split_once('='))
            .find(|(key, _)| key.trim().eq_ignore_ascii_case("q"))
            .and_then(|(_, value)| value.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if best.is_none_or(|(known, _)| specificity > known) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asks(path: &str, accept: Option<&str>) -> bool {
        let mut request = Request::builder().uri(path);
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT, accept);
        }
        wants_json(&request.body(axum::body::Body::empty()).unwrap())
    }

    const CHROMIUM: &str =
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

    #[test]
    fn the_api_always_answers_json() {
        assert!(asks("/api/nothing", None));
        assert!(asks("/api/nothing", Some(CHROMIUM)));
        assert!(asks("/api", Some("text/html")));
    }

    #[test]
    fn elsewhere_json_only_when_it_ranks_above_html() {
        assert!(!asks("/nothing", Some(CHROMIUM)));
        assert!(!asks("/nothing", None));
        assert!(!asks("/nothing", Some("*/*")));
        assert!(!asks("/apiary", Some("*/*")));
        assert!(asks("/nothing", Some("application/json")));
        assert!(asks("/nothing", Some("text/html;q=0.5, application/json")));
        assert!(asks("/nothing", Some("text/html;q=0, */*")));
        assert!(!asks("/nothing", Some("application/*;q=0.2, text/*")));
    }
}
