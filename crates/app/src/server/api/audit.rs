//! The audit log over HTTP: newest first with filters, paged by `before` (a seq), and the
//! verification of the whole hash chain.

use axum::Json;
use axum::extract::State;
use leadgate_store::audit::{self, AuditFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Page, limit, next_url};
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiQuery, ErrorBody};
use crate::server::state::AppState;
use crate::views::AuditEntryView;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_audit))
        .routes(routes!(verify_audit))
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries about this subject (`icp:3`), or every subject under a prefix (`icp`).
    pub subject: Option<String>,
    /// Entries by this actor's name.
    pub actor: Option<String>,
    /// Entries with this action (`gate.approved`).
    pub action: Option<String>,
    /// Entries before this seq: the cursor of the next page.
    pub before: Option<i64>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
}

/// Audit entries, newest first.
#[utoipa::path(get, path = "/api/audit", tag = "audit",
    security(("bearer" = []), ("session" = [])),
    params(AuditQuery),
    responses((status = 200, description = "OK", body = Page<AuditEntryView>), (status = 401, description = "No valid session or token", body = ErrorBody)))]
async fn list_audit(
    State(state): State<AppState>,
    _: Principal,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditEntryView>>, ApiError> {
    let limit = limit(query.limit);
    let mut conn = state.store().conn().await?;
    let mut entries = audit::list(
        &mut conn,
        &AuditFilter {
            subject: query.subject.as_deref(),
            actor: query.actor.as_deref(),
            action: query.action.as_deref(),
            before_seq: query.before,
            limit: limit + 1,
        },
    )
    .await?;
    let more = entries.len() as i64 > limit;
    entries.truncate(usize::try_from(limit).unwrap_or(0));
    let next = match (more, entries.last()) {
        (true, Some(last)) => next_url(
            "/api/audit",
            &AuditQuery {
                before: Some(last.seq),
                limit: Some(limit),
                ..query
            },
        ),
        _ => None,
    };
    Ok(Json(Page {
        items: entries.iter().map(AuditEntryView::from).collect(),
        next,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// True when every link of the chain and its head check out.
    pub intact: bool,
    /// How many entries were checked (when intact).
    pub entries: Option<i64>,
    pub head_hash: Option<String>,
    /// The first break found (when not intact).
    pub broken: Option<String>,
}

/// Check the whole hash chain.
#[utoipa::path(get, path = "/api/audit/verify", tag = "audit",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The outcome, intact or not", body = Verification),
        (status = 401, description = "No valid session or token", body = ErrorBody),
    ))]
async fn verify_audit(
    State(state): State<AppState>,
    _: Principal,
) -> Result<Json<Verification>, ApiError> {
    let mut conn = state.store().conn().await?;
    Ok(Json(match audit::verify(&mut conn).await? {
        Ok(verified) => Verification {
            intact: true,
            entries: Some(verified.entries),
            head_hash: Some(verified.head_hash),
            broken: None,
        },
        Err(broken) => Verification {
            intact: false,
            entries: None,
            head_hash: None,
            broken: Some(broken.to_string()),
        },
    }))
}
