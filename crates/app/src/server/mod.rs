//! The leadgate server: the JSON API (described by an OpenAPI document generated from these
//! handlers), the operations endpoints, and the job worker, in one process.
//!
//! Routes come in two lists. [`public_routes`] answer anyone: health, metrics, the OpenAPI
//! document and signing in. [`protected_routes`] sit behind [`auth::require`], which admits a
//! signed-in person (and checks CSRF on their state-changing requests) or a bearer token. A
//! stage adds its area as a module under `api/` (or, for pages, beside it) with a `routes()`
//! function and adds one line to one of the lists; authentication, CSRF, metrics, request ids
//! and the error body come with it.
//!
//! The clock is injected ([`Clock`]): tests run the server at a time they choose.

pub mod api;
pub mod auth;
pub mod error;
pub mod ops;
pub mod state;
pub mod ui;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::http::{HeaderName, Request};
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi as _};
use utoipa_axum::router::OpenApiRouter;

use crate::engine::worker;
use crate::workspace::Workspace;
use state::AppState;

pub use crate::clock::Clock;
pub use crate::config::DEFAULT_BIND;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "leadgate",
        description = "B2B lead generation as trigger → action → gate. Every route but sign-in, the health checks, /metrics and this document needs a browser session (cookie `leadgate_session`, plus the header `X-CSRF-Token` on state-changing requests) or an API token (`Authorization: Bearer lgt_…`, made with `leadgate token create`).",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "ops", description = "Health, readiness, metrics and this document"),
        (name = "session", description = "Signing in and out"),
        (name = "status", description = "What waits in the workspace"),
        (name = "users", description = "People and their roles"),
        (name = "gates", description = "Where a named person decides"),
        (name = "icp", description = "Stage 1: the Ideal Customer Profile"),
        (name = "discovery", description = "Stage 2: prospect lists and their sample reviews"),
        (name = "enrichment", description = "Stage 3: enrichment runs, their cost ledger per provider and the problems they recorded"),
        (name = "scoring", description = "Stage 3: scoring model versions, their calibration reports and restoring the previous version; scored leads, their stage (outreach or nurture) and reasons in points"),
        (name = "audit", description = "The hash-chained audit log"),
        (name = "signals", description = "Behavioural and intent signals in: page views, e-mail engagement, webinars, downloads, trials, demo requests, intent scores"),
        (name = "pipeline", description = "Domain events (what happened in the process) and the job queue"),
        (name = "outreach", description = "Stage 4: replies to outreach in (the inbound webhook)"),
        (name = "handoff", description = "Stage 5: leads handed to reps, and their acknowledgement"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token from `leadgate token create`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                auth::SESSION_COOKIE,
                "A browser session from POST /api/session or a sign-in link; state-changing requests also carry X-CSRF-Token",
            ))),
        );
    }
}

/// Routes anyone may call.
pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(ops::routes())
        .merge(api::session::public_routes())
}

/// Routes for a signed-in person or a token holder.
pub fn protected_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(api::session::routes())
        .merge(api::status::routes())
        .merge(api::users::routes())
        .merge(api::gates::routes())
        .merge(api::icp::routes())
        .merge(api::lists::routes())
        .merge(api::models::routes())
        .merge(api::enrichment::routes())
        .merge(api::erasures::routes())
        .merge(api::samples::routes())
        .merge(api::audit::routes())
        .merge(api::engagement::routes())
        .merge(api::outreach::routes())
        .merge(api::handoff::routes())
        .merge(api::domain_events::routes())
        .merge(api::leads::routes())
}

/// The OpenAPI document of every route.
pub fn openapi() -> OpenApi {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(public_routes())
        .merge(protected_routes())
        .into_openapi()
}

/// The whole service: routes, authentication, metrics, request ids and traces.
pub fn router(state: AppState) -> Router {
    let protected = protected_routes().route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::require,
    ));
    let (router, _) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(public_routes())
        .merge(protected)
        .split_for_parts();
    // A page's failure becomes the error page inside the session check, which keeps its
    // own answers (a JSON 403 for a missing CSRF token; a 401 that sends the browser to
    // sign in).
    let error_page = axum::middleware::from_fn_with_state(state.clone(), ui::as_page);
    let pages = ui::routes()
        .into_router()
        .route_layer(error_page.clone())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require,
        ))
        .route_layer(axum::middleware::from_fn(ui::to_sign_in));
    let public_pages = ui::public_routes().into_router().route_layer(error_page);
    let request_id = HeaderName::from_static("x-request-id");
    router
        .merge(public_pages)
        .merge(pages)
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::track,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        request_id = %id,
                        method = %request.method(),
                        path = %request.uri().path(),
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// A bound server, ready to run.
pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
}

impl Application {
    /// Binds `bind` (`127.0.0.1:0` picks a free port, as tests do) for the workspace.
    pub async fn build(
        workspace: Workspace,
        bind: &str,
        clock: Clock,
    ) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot listen on {bind}"))?;
        let addr = listener.local_addr()?;
        let document = serde_json::to_string(&openapi())?;
        Ok(Application {
            listener,
            addr,
            state: AppState::new(workspace, clock, document),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` of the bound socket.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves requests and runs the job worker until `shutdown` resolves; then stops taking
    /// connections, lets requests in flight finish, and lets the worker finish its job in
    /// hand (each job commits whole or not at all, so nothing is half-done or lost).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = self.state.clone();
        let config = &state.workspace().config.worker;
        let worker_id = format!("serve-{}-{}", std::process::id(), self.addr.port());
        let worker = state.workspace().worker(worker_id);
        let poll = Duration::from_millis(config.poll_interval_ms);
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let worker_state = state.clone();
        let loops = config.concurrency as usize;
        let worker_task = tokio::spawn(async move {
            let clock = worker_state.clock();
            worker::run_loops(
                &worker,
                loops,
                worker_state.store(),
                poll,
                move || Ok(clock()),
                worker_state.work_signal(),
                stop_rx,
            )
            .await
        });
        let anchor_task = spawn_anchoring(&state, stop_tx.subscribe());
        let app = router(state);
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("Shutting down: finishing requests in flight and the job in hand.");
        })
        .await;
        let _ = stop_tx.send(true);
        let worked = worker_task.await;
        if let Some(task) = anchor_task {
            let _ = task.await;
        }
        served.context("the server stopped with an error")?;
        worked.context("the worker task panicked")??;
        Ok(())
    }
}

/// Anchors the audit chain every `[audit] anchor_every_minutes` (default 60) while the server
/// runs, when an anchor file or webhook is set: the head leaves the database on a schedule,
/// not only when someone remembers. A failed anchor is logged and tried again next time.
fn spawn_anchoring(
    state: &AppState,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    let workspace = state.workspace();
    let targets = workspace
        .config
        .audit
        .targets(&workspace.dir, &workspace.config.name);
    if targets.is_empty() {
        return None;
    }
    let every = Duration::from_secs(
        60 * workspace
            .config
            .audit
            .anchor_every_minutes
            .unwrap_or(60)
            .max(1),
    );
    let state = state.clone();
    Some(tokio::spawn(async move {
        loop {
            let now = state.now();
            match crate::engine::audit::anchor(state.store(), &targets, now).await {
                Ok(anchor) => tracing::info!(seq = anchor.seq, "Anchored the audit chain."),
                Err(e) => tracing::error!(error = %e, "Could not anchor the audit chain."),
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
        }
    }))
}
