//! Stage 5 over HTTP: the leads handed to reps, and the acknowledgement that is the gate of
//! the handoff — what `leadgate tasks list|ack` and the Handoff page do.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use leadgate_core::handoff::task::TaskStatus;
use leadgate_store::handoff::Task;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Page, limit, next_url, slice};
use crate::engine::handoff;
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiPath, ApiQuery, ErrorBody};
use crate::server::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tasks))
        .routes(routes!(acknowledge_task))
}

/// A lead handed to a rep (or to the queue every rep sees).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskView {
    pub id: i64,
    /// The lead (its contact id).
    pub lead: i64,
    /// The rep it waits for; null while it is in the queue.
    pub rep: Option<String>,
    /// open, acknowledged, or reassigned (its deadline passed and the lead went on).
    pub status: String,
    /// mql or warm.
    pub class: String,
    /// What triggered the handoff: positive_reply, …
    pub signal: String,
    /// The routing rule that decided; null for the fallback.
    pub rule: Option<String>,
    /// The lead as the rep gets it: name, company, sources, score, last contact, booking link.
    #[schema(value_type = Object)]
    pub record: Value,
    /// The routing decision: every rule read and why.
    #[schema(value_type = Object)]
    pub routing: Value,
    pub created_at: Timestamp,
    /// When the SLA clock started (the rep's next opening).
    pub starts_at: Timestamp,
    pub due_at: Timestamp,
    pub remind_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub acknowledged_by: Option<String>,
    /// Business minutes from the start of the clock to the acknowledgement.
    pub ack_minutes: Option<i64>,
    pub breached_at: Option<Timestamp>,
}

impl From<&Task> for TaskView {
    fn from(t: &Task) -> Self {
        TaskView {
            id: t.id,
            lead: t.contact_id,
            rep: t.rep.clone(),
            status: t.status.as_str().to_string(),
            class: t.class.as_str().to_string(),
            signal: t.signal.clone(),
            rule: t.rule.clone(),
            record: t.record.clone(),
            routing: t.routing.clone(),
            created_at: t.created_at,
            starts_at: t.starts_at,
            due_at: t.due_at,
            remind_at: t.remind_at,
            acknowledged_at: t.acknowledged_at,
            acknowledged_by: t.acknowledged_by.clone(),
            ack_minutes: t.ack_minutes,
            breached_at: t.breached_at,
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TasksQuery {
    /// Only this rep's tasks (and the queue's).
    pub rep: Option<String>,
    /// Only tasks of this status: open (default), acknowledged, reassigned, or all.
    pub status: Option<String>,
    pub offset: Option<i64>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
}

/// Tasks, soonest due first.
#[utoipa::path(get, path = "/api/tasks", tag = "handoff",
    security(("bearer" = []), ("session" = [])),
    params(TasksQuery),
    responses(
        (status = 200, description = "OK", body = Page<TaskView>),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 422, description = "Not a status", body = ErrorBody),
    ))]
async fn list_tasks(
    State(state): State<AppState>,
    _: Principal,
    ApiQuery(query): ApiQuery<TasksQuery>,
) -> Result<Json<Page<TaskView>>, ApiError> {
    let status = match query.status.as_deref().map(str::trim) {
        None | Some("") => Some(TaskStatus::Open),
        Some("all") => None,
        Some(s) => Some(s.parse::<TaskStatus>().map_err(ApiError::invalid)?),
    };
    let rep = query
        .rep
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let tasks: Vec<TaskView> = {
        let mut conn = state.store().conn().await?;
        leadgate_store::handoff::tasks(&mut conn, rep, rep.is_some(), status)
            .await?
            .iter()
            .map(TaskView::from)
            .collect()
    };
    let (limit, offset) = (limit(query.limit), query.offset.unwrap_or(0).max(0));
    let (items, more) = slice(&tasks, offset, limit);
    let next = more
        .then(|| {
            next_url(
                "/api/tasks",
                &TasksQuery {
                    offset: Some(offset + limit),
                    limit: Some(limit),
                    ..query.clone()
                },
            )
        })
        .flatten();
    Ok(Json(Page { items, next }))
}

/// Acknowledge a task — the gate of the handoff.
///
/// Only the task's rep may (any rep, for a task in the queue, who takes it); anyone else is
/// refused and the refusal audited. The business time from the start of the clock is kept.
#[utoipa::path(post, path = "/api/tasks/{id}/ack", tag = "handoff",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The task's id")),
    responses(
        (status = 200, description = "Acknowledged; the task as it now stands", body = TaskView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not the task's rep (or a session without the CSRF token)", body = ErrorBody),
        (status = 404, description = "No such task", body = ErrorBody),
        (status = 409, description = "Acknowledged already", body = ErrorBody),
    ))]
async fn acknowledge_task(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TaskView>, ApiError> {
    let task = handoff::acknowledge(
        state.store(),
        &state.workspace().config.handoff,
        id,
        &principal.person.name,
        state.now(),
    )
    .await?;
    Ok(Json(TaskView::from(&task)))
}
