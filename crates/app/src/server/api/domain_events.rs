//! Domain events and the job queue they feed, newest first, paged by `before` (an id).
//!
//! Domain events are what happened in the process (`IcpApproved`, `SourceImported`) and
//! start the engine's jobs; they live at `/api/domain-events`. `/api/events` takes in
//! behavioural and intent signals (see `engagement`), a different thing.

use axum::Json;
use axum::extract::State;
use leadgate_core::event::EventKind;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Page, limit, next_url};
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiQuery, ErrorBody};
use crate::server::state::AppState;
use crate::views::{EventView, JobView};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_domain_events))
        .routes(routes!(list_jobs))
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Events about this subject (`icp:3`).
    pub subject: Option<String>,
    /// Events of this kind (`IcpApproved`).
    pub kind: Option<String>,
    /// Events before this id: the cursor of the next page.
    pub before: Option<i64>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
}

/// Domain events, newest first.
#[utoipa::path(get, path = "/api/domain-events", tag = "pipeline",
    security(("bearer" = []), ("session" = [])),
    params(EventsQuery),
    responses(
        (status = 200, description = "OK", body = Page<EventView>),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 422, description = "Invalid input", body = ErrorBody),
    ))]
async fn list_domain_events(
    State(state): State<AppState>,
    _: Principal,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Json<Page<EventView>>, ApiError> {
    let kind = query
        .kind
        .as_deref()
        .map(str::parse::<EventKind>)
        .transpose()
        .map_err(ApiError::invalid)?;
    let limit = limit(query.limit);
    let mut conn = state.store().conn().await?;
    let mut page = leadgate_store::events::page(
        &mut conn,
        query.subject.as_deref(),
        kind,
        query.before,
        limit + 1,
    )
    .await?;
    let more = page.len() as i64 > limit;
    page.truncate(usize::try_from(limit).unwrap_or(0));
    let next = match (more, page.last()) {
        (true, Some(last)) => next_url(
            "/api/domain-events",
            &EventsQuery {
                before: Some(last.id),
                limit: Some(limit),
                ..query
            },
        ),
        _ => None,
    };
    Ok(Json(Page {
        items: page.iter().map(EventView::from).collect(),
        next,
    }))
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobsQuery {
    /// queued, running, done or dead.
    pub state: Option<String>,
    /// Jobs before this id: the cursor of the next page.
    pub before: Option<i64>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
}

/// Jobs in the queue, newest first.
#[utoipa::path(get, path = "/api/jobs", tag = "pipeline",
    security(("bearer" = []), ("session" = [])),
    params(JobsQuery),
    responses(
        (status = 200, description = "OK", body = Page<JobView>),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 422, description = "Invalid input", body = ErrorBody),
    ))]
async fn list_jobs(
    State(state): State<AppState>,
    _: Principal,
    ApiQuery(query): ApiQuery<JobsQuery>,
) -> Result<Json<Page<JobView>>, ApiError> {
    if let Some(s) = query.state.as_deref()
        && !["queued", "running", "done", "dead"].contains(&s)
    {
        return Err(ApiError::invalid(format!(
            "unknown job state `{s}` (queued, running, done, dead)"
        )));
    }
    let limit = limit(query.limit);
    let mut conn = state.store().conn().await?;
    let mut page =
        leadgate_store::jobs::list(&mut conn, query.state.as_deref(), query.before, limit + 1)
            .await?;
    let more = page.len() as i64 > limit;
    page.truncate(usize::try_from(limit).unwrap_or(0));
    let next = match (more, page.last()) {
        (true, Some(last)) => next_url(
            "/api/jobs",
            &JobsQuery {
                before: Some(last.id),
                limit: Some(limit),
                ..query
            },
        ),
        _ => None,
    };
    Ok(Json(Page {
        items: page.iter().map(JobView::from).collect(),
        next,
    }))
}
