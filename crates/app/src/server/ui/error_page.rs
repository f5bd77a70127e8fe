//! The error page: what a browser sees when a page cannot be shown (no list 999, a refused
//! decision, an address nothing serves). It is a page like the others — the layout, the
//! person's navigation when they are signed in — with the status, one plain sentence and the
//! ways back, because a person who followed a stale link needs a next step, not a bare
//! status line. The JSON API keeps its own error body (`server::error`).
//!
//! Page handlers answer a [`PageError`](super::PageError) (or an extractor's rejection) as
//! before; [`as_page`], a layer inside the session check, turns any such failure into this
//! page, so no handler renders errors itself. The router's fallbacks call [`for_browser`].

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;

use super::Layout;
use crate::engine::auth as engine_auth;
use crate::server::auth::{self, Principal, Via};
use crate::server::state::AppState;

/// The most of a failed page's body read to find its message.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    title: &'static str,
    message: String,
    ways_back: Vec<Link>,
    request_id: Option<String>,
}

#[derive(Clone, Copy)]
struct Link {
    label: &'static str,
    href: &'static str,
}

/// A layer on the pages: a failed page (4xx or 5xx that is not already HTML) is shown as the
/// error page, with the message the handler gave and the status it chose.
pub async fn as_page(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let principal = request.extensions().get::<Principal>().cloned();
    let path = request.uri().path().to_string();
    let request_id = request_id(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_html(response.headers()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let message = message_of(body).await;
    let mut page = render(
        &state,
        principal.as_ref(),
        &path,
        status,
        &message,
        request_id,
    )
    .await;
    // Retry-After, Allow and the like still apply to the page.
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            page.headers_mut().append(name, value.clone());
        }
    }
    page
}

/// The error page for a request no page handled (the router's fallbacks): the layout with
/// the person's navigation when the request carries a live session, else without it.
pub async fn for_browser(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    status: StatusCode,
    message: &str,
) -> Response {
    let principal = visitor(state, headers).await;
    render(
        state,
        principal.as_ref(),
        path,
        status,
        message,
        request_id(headers),
    )
    .await
}

/// The person a browser's session cookie names, if it names a live session. Only read:
/// an unknown or ended session is simply nobody here (the session check audits those).
async fn visitor(state: &AppState, headers: &HeaderMap) -> Option<Principal> {
    let id = auth::session_cookie(headers)?;
    let (person, csrf_token) = engine_auth::session(state.store(), &id, state.now())
        .await
        .ok()??;
    Some(Principal {
        person,
        via: Via::Session { id, csrf_token },
    })
}

async fn render(
    state: &AppState,
    principal: Option<&Principal>,
    path: &str,
    status: StatusCode,
    message: &str,
    request_id: Option<String>,
) -> Response {
    let area = area_of(path);
    let layout = match principal {
        // An error page must not fail: without the gates' count it still has a frame.
        Some(principal) => Layout::for_person(state, principal, area.section)
            .await
            .unwrap_or_else(|_| Layout::anonymous(state)),
        None => Layout::anonymous(state),
    };
    let signed_in = layout.me.is_some();
    let view = ErrorPage {
        layout,
        status: status.as_u16(),
        title: title_of(status),
        message: sentence(message, status),
        ways_back: ways_back(&area, signed_in),
        request_id,
    };
    match view.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "The error page failed to render.");
            (status, message.to_string()).into_response()
        }
    }
}

/// The part of the UI a path belongs to: which navigation entry is current, and the way
/// back to where its records are listed.
struct Area {
    section: &'static str,
    list: Option<Link>,
}

fn area_of(path: &str) -> Area {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let (section, list) = match first {
        "lists" => ("lists", Some(("All lists", "/lists"))),
        // A sample review is reached from the inbox and reviews a list.
        "samples" => ("inbox", Some(("All lists", "/lists"))),
        "gates" | "" => ("inbox", None),
        "icp" => ("icp", Some(("All ICP versions", "/icp"))),
        "pipeline" => ("pipeline", Some(("The pipeline", "/pipeline"))),
        "audit" => ("audit", Some(("The audit log", "/audit"))),
        "people" => ("people", Some(("People", "/people"))),
        "privacy" => ("privacy", Some(("Privacy", "/privacy"))),
        _ => ("", None),
    };
    Area {
        section,
        list: list.map(|(label, href)| Link { label, href }),
    }
}

fn ways_back(area: &Area, signed_in: bool) -> Vec<Link> {
    if !signed_in {
        return vec![Link {
            label: "Sign in",
            href: "/sign-in",
        }];
    }
    let home = Link {
        label: "My gates",
        href: "/",
    };
    area.list.into_iter().chain([home]).collect()
}

fn title_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "That request could not be read",
        403 => "Not allowed",
        404 => "Not found",
        405 => "Not available this way",
        409 => "That cannot be done now",
        413 => "Too large",
        422 => "That was not accepted",
        429 => "Too many attempts",
        500.. => "Something went wrong",
        _ => "That did not work",
    }
}

/// The message as a sentence: handlers write `no list 999`, the page says `No list 999.`
fn sentence(message: &str, status: StatusCode) -> String {
    let message = message.trim();
    if message.is_empty() {
        return format!("The server answered {status}.");
    }
    let mut chars = message.chars();
    let mut out: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if out.ends_with(|c: char| c.is_alphanumeric() || c == ')') {
        out.push('.');
    }
    out
}

/// What a failed response says: the `error.message` of a JSON error body, else its text
/// (an extractor's rejection is plain text), on one line.
async fn message_of(body: Body) -> String {
    let bytes = axum::body::to_bytes(body, MAX_MESSAGE_BYTES)
        .await
        .unwrap_or_default();
    if let Ok(json) = serde_json::from_slice::<Value>(&bytes)
        && let Some(message) = json["error"]["message"].as_str()
    {
        return message.to_string();
    }
    String::from_utf8_lossy(&bytes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handlers_message_reads_as_a_sentence() {
        assert_eq!(
            sentence("no list 999", StatusCode::NOT_FOUND),
            "No list 999."
        );
        assert_eq!(
            sentence("gate 3 is closed already.", StatusCode::CONFLICT),
            "Gate 3 is closed already."
        );
        assert_eq!(
            sentence("  ", StatusCode::NOT_FOUND),
            "The server answered 404 Not Found."
        );
    }

    #[test]
    fn a_missing_record_leads_back_to_its_list() {
        let labels = |path: &str, signed_in: bool| {
            ways_back(&area_of(path), signed_in)
                .iter()
                .map(|l| l.label)
                .collect::<Vec<_>>()
        };
        assert_eq!(labels("/lists/999", true), ["All lists", "My gates"]);
        assert_eq!(labels("/samples/999", true), ["All lists", "My gates"]);
        assert_eq!(labels("/icp/999", true), ["All ICP versions", "My gates"]);
        assert_eq!(labels("/gates/999", true), ["My gates"]);
        assert_eq!(labels("/nothing", true), ["My gates"]);
        assert_eq!(labels("/lists/999", false), ["Sign in"]);
        assert_eq!(area_of("/lists/999").section, "lists");
    }
}
