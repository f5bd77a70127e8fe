//! The review UI: server-rendered pages (askama templates in `crates/app/templates`) where
//! people work at the gates. Every page and form works without JavaScript; htmx, when
//! present, swaps a decided gate's panel in place instead of reloading the page.
//!
//! Pages sit behind the same [`auth::require`] layer as the API (so CSRF and sessions are one
//! mechanism), wrapped by [`to_sign_in`], which sends a browser without a session to the
//! sign-in page instead of showing it a JSON 401. Whether a person may decide a gate — and so
//! whether they see its buttons — is `leadgate_core::gate::may_decide`, the same rule the CLI
//! and the API apply; a decision itself always goes through `engine::gates::decide`.
//! A stage adds its page as a module here and one line in [`routes`].

mod ack;
mod audit;
mod bars;
mod click;
mod contacts;
mod enrichment;
mod erasures;
mod error_page;
mod gates;
mod handoff;
mod icp;
mod leads;
mod lists;
mod models;
mod outreach;
mod people;
mod pipeline;
mod samples;
mod sign_in;
mod table;
mod unsubscribe;

use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use jiff::Timestamp;
use leadgate_core::gate::{self, Decider, GateStatus};
use leadgate_store::gates::{self as stored_gates, Gate, GateFilter};

use super::auth::{Principal, Via};
use super::state::AppState;

pub use error_page::{as_page, for_browser};

/// The review UI's routes, remembering every path they serve. These are HTML pages and
/// form posts for people, not the JSON API, so they are not in the OpenAPI document; each
/// page module declares its routes through this, and [`page_paths`] lists them from the
/// same declarations (a test checks each is served and sends a browser without a session
/// to sign in).
pub struct Pages {
    router: Router<AppState>,
    paths: Vec<&'static str>,
}

impl Pages {
    pub fn new() -> Pages {
        Pages {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    pub fn route(mut self, path: &'static str, method: MethodRouter<AppState>) -> Pages {
        self.router = self.router.route(path, method);
        self.paths.push(path);
        self
    }

    pub fn merge(mut self, other: Pages) -> Pages {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

impl Default for Pages {
    fn default() -> Self {
        Pages::new()
    }
}

/// Every path the review UI serves, public and signed-in.
pub fn page_paths() -> Vec<&'static str> {
    let mut paths = public_routes().paths;
    paths.extend(routes().paths);
    paths
}

/// Pages anyone may load: sign-in, the one-click unsubscribe, the one-click acknowledge of a
/// handoff alert, the click redirect of sent e-mails and the static files.
pub fn public_routes() -> Pages {
    Pages::new()
        .merge(sign_in::public_routes())
        .merge(unsubscribe::public_routes())
        .merge(ack::public_routes())
        .merge(click::public_routes())
        .route("/static/{name}", get(static_file))
}

/// Pages for a signed-in person.
pub fn routes() -> Pages {
    Pages::new()
        .merge(sign_in::routes())
        .merge(gates::routes())
        .merge(icp::routes())
        .merge(audit::routes())
        .merge(pipeline::routes())
        .merge(lists::routes())
        .merge(enrichment::routes())
        .merge(leads::routes())
        .merge(models::routes())
        .merge(outreach::routes())
        .merge(handoff::routes())
        .merge(contacts::routes())
        .merge(samples::routes())
        .merge(erasures::routes())
        .merge(people::routes())
}

/// Sends a browser that is not signed in to the sign-in page.
pub async fn to_sign_in(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() == StatusCode::UNAUTHORIZED {
        return (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, HeaderValue::from_static("/sign-in"))],
        )
            .into_response();
    }
    response
}

const HTMX: &str = include_str!("../../../static/htmx.min.js");
const CSS: &str = include_str!("../../../static/app.css");
const JS: &str = include_str!("../../../static/app.js");

async fn static_file(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "app.css" => (CSS, "text/css; charset=utf-8"),
        "app.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// What every page's frame shows.
pub struct Layout {
    pub workspace: String,
    pub me: Option<Me>,
    pub section: &'static str,
    pub csrf: String,
    pub flash: Option<String>,
    /// Gates waiting for this person's decision.
    pub waiting: usize,
    /// Whether the person may erase people (the Privacy page is in their navigation).
    pub may_erase: bool,
}

pub struct Me {
    pub name: String,
    pub roles: String,
}

impl Layout {
    pub fn anonymous(state: &AppState) -> Layout {
        Layout {
            workspace: state.workspace().config.name.clone(),
            me: None,
            section: "",
            csrf: String::new(),
            flash: None,
            waiting: 0,
            may_erase: false,
        }
    }

    pub async fn for_person(
        state: &AppState,
        principal: &Principal,
        section: &'static str,
    ) -> Result<Layout, PageError> {
        let open = open_gates(state).await?;
        let waiting = open.iter().filter(|g| may_decide(g, principal)).count();
        Ok(Layout {
            workspace: state.workspace().config.name.clone(),
            me: Some(Me {
                name: principal.person.name.clone(),
                roles: principal
                    .person
                    .roles
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            section,
            csrf: csrf(principal),
            flash: None,
            waiting,
            may_erase: crate::engine::discovery::erase::may_erase(&principal.person.roles),
        })
    }
}

pub fn csrf(principal: &Principal) -> String {
    match &principal.via {
        Via::Session { csrf_token, .. } => csrf_token.clone(),
        Via::Token { .. } => String::new(),
    }
}

pub fn may_decide(gate: &Gate, principal: &Principal) -> bool {
    gate::may_decide(
        &gate.state(),
        Decider {
            person: &principal.person.name,
            roles: &principal.person.roles,
        },
    )
}

pub async fn open_gates(state: &AppState) -> Result<Vec<Gate>, PageError> {
    let mut conn = state.store().conn().await?;
    Ok(stored_gates::list(
        &mut conn,
        &GateFilter {
            status: Some(GateStatus::Open),
            ..Default::default()
        },
    )
    .await?)
}

/// A page that could not be shown: its status and one line a person can act on, never
/// internals. Answered as plain text; [`as_page`] shows it as the error page in the layout.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            self.message,
        )
            .into_response()
    }
}

impl From<leadgate_store::StoreError> for PageError {
    fn from(e: leadgate_store::StoreError) -> Self {
        tracing::error!(error = %e, "A page failed on the store.");
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "the workspace database failed; see the server log".into(),
        }
    }
}

impl From<crate::engine::Error> for PageError {
    fn from(e: crate::engine::Error) -> Self {
        let api = super::error::ApiError::from(e);
        PageError {
            status: api.status,
            message: api.message,
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %e, "A template failed to render.");
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "the page failed to render; see the server log".into(),
        }
    }
}

/// Renders a template as an HTML response with `status`.
pub fn page(status: StatusCode, template: &impl Template) -> Result<Response, PageError> {
    Ok((status, Html(template.render()?)).into_response())
}

/// Whether the request came from htmx (which then wants a fragment, not a page).
pub fn from_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// A time as people read it, in the workspace's time zone.
pub fn show_time(state: &AppState, at: Timestamp) -> String {
    let tz = jiff::tz::TimeZone::get(&state.workspace().config.time_zone)
        .unwrap_or(jiff::tz::TimeZone::UTC);
    at.to_zoned(tz).strftime("%Y-%m-%d %H:%M %Z").to_string()
}

/// How long ago, in the largest whole unit: "just now", "5 min", "3 h", "2 days".
pub fn age(now: Timestamp, then: Timestamp) -> String {
    let secs = now.duration_since(then).as_secs().max(0);
    match secs {
        0..60 => "just now".to_string(),
        60..3600 => format!("{} min", secs / 60),
        3600..86_400 => format!("{} h", secs / 3600),
        _ => {
            let days = secs / 86_400;
            format!("{days} day{}", if days == 1 { "" } else { "s" })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_in_whole_units() {
        let now: Timestamp = "2027-01-10T12:00:00Z".parse().unwrap();
        let ago = |s: i64| age(now, now - jiff::SignedDuration::from_secs(s));
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(300), "5 min");
        assert_eq!(ago(3 * 3600 + 5), "3 h");
        assert_eq!(ago(86_400), "1 day");
        assert_eq!(ago(5 * 86_400), "5 days");
    }
}
