//! Operations: `/healthz` (the process answers), `/readyz` (the database answers and its
//! schema is current), `/metrics` (Prometheus text format) and the request counters behind it.
//!
//! `/metrics` is public like the health checks: scrapers carry no session, and it holds only
//! counts — route templates, status codes, queue depth by state, open gates by kind — never a
//! name, an email or a subject. Keep the server on loopback or behind a proxy that hides it
//! if even counts are private.
//!
//! The exposition is written here (a few dozen lines) rather than pulled in with a metrics
//! crate: one counter family and one histogram family are all the server records.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leadgate_core::gate::{GateKind, GateStatus};
use leadgate_store::gates::GateFilter;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ErrorBody};
use super::state::AppState;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Recorded>,
}

#[derive(Default)]
struct Recorded {
    /// (route, method, status) → count
    requests: BTreeMap<(String, String, u16), u64>,
    /// route → histogram
    latency: BTreeMap<String, Histogram>,
}

#[derive(Default)]
struct Histogram {
    /// Cumulative counts are computed when rendering; these are per bucket.
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut recorded = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *recorded
            .requests
            .entry((route.to_string(), method.to_string(), status))
            .or_default() += 1;
        let histogram = recorded.latency.entry(route.to_string()).or_default();
        if let Some(i) = BUCKETS.iter().position(|upper| seconds <= *upper) {
            histogram.buckets[i] += 1;
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    fn render_requests(&self, out: &mut String) {
        let recorded = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP leadgate_http_requests_total HTTP requests answered, by route template, method and status.\n");
        out.push_str("# TYPE leadgate_http_requests_total counter\n");
        for ((route, method, status), count) in &recorded.requests {
            let _ = writeln!(
                out,
                "leadgate_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        out.push_str("# HELP leadgate_http_request_duration_seconds Time to answer an HTTP request, by route template.\n");
        out.push_str("# TYPE leadgate_http_request_duration_seconds histogram\n");
        for (route, h) in &recorded.latency {
            let route = escape(route);
            let mut cumulative = 0;
            for (upper, n) in BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "leadgate_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{upper}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "leadgate_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "leadgate_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "leadgate_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Counts every response by its route template (not its path: `/api/gates/{id}`, so the
/// number of series stays fixed) and times it.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let method = request.method().as_str().to_string();
    let response = next.run(request).await;
    // A write, or a click on a tracked link, may have queued work (a handoff, a rescore):
    // the worker runs it now rather than at its next poll.
    if !matches!(method.as_str(), "GET" | "HEAD") || route.starts_with("/r/") {
        state.wake_worker();
    }
    state.metrics().observe(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
        .routes(routes!(openapi_json))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// ok, or ready
    pub status: String,
}

/// The process is up and answering.
#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses((status = 200, description = "The process answers", body = Health)))]
async fn healthz() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
    })
}

/// The database answers and every migration this build knows is applied.
#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database is unreachable or its schema is behind", body = ErrorBody),
    ))]
async fn readyz(State(state): State<AppState>) -> Result<axum::Json<Health>, ApiError> {
    let not_ready = |why: String| {
        tracing::warn!(%why, "Not ready.");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", why)
    };
    state
        .store()
        .ping()
        .await
        .map_err(|_| not_ready("the database does not answer".into()))?;
    match leadgate_store::migrate::is_current(state.store()).await {
        Ok(true) => Ok(axum::Json(Health {
            status: "ready".into(),
        })),
        Ok(false) => Err(not_ready(
            "the database schema is not at this build's latest migration".into(),
        )),
        Err(_) => Err(not_ready("cannot read the schema version".into())),
    }
}

/// Prometheus text exposition: requests by route and status, request latency, job queue
/// depth by state, and gates waiting by kind.
#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain")))]
async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut conn = state.store().conn().await?;
    let depth = leadgate_store::jobs::depth(&mut conn, state.now()).await?;
    let open = leadgate_store::gates::list(
        &mut conn,
        &GateFilter {
            status: Some(GateStatus::Open),
            ..Default::default()
        },
    )
    .await?;
    drop(conn);
    let mut out = String::new();
    state.metrics().render_requests(&mut out);
    out.push_str("# HELP leadgate_jobs Jobs in the queue, by state.\n");
    out.push_str("# TYPE leadgate_jobs gauge\n");
    let mut by_state: BTreeMap<String, i64> = ["queued", "running", "done", "dead"]
        .into_iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    by_state.extend(depth);
    for (job_state, n) in by_state {
        let _ = writeln!(out, "leadgate_jobs{{state=\"{}\"}} {n}", escape(&job_state));
    }
    out.push_str("# HELP leadgate_gates_open Gates waiting for a decision, by kind.\n");
    out.push_str("# TYPE leadgate_gates_open gauge\n");
    for &kind in GateKind::ALL {
        let n = open.iter().filter(|g| g.kind == kind).count();
        let _ = writeln!(out, "leadgate_gates_open{{kind=\"{kind}\"}} {n}");
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response())
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "ops",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json")))]
async fn openapi_json(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi_json().to_string(),
    )
        .into_response()
}
