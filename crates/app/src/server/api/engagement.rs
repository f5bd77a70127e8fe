//! Behavioural and intent signals in, for the web analytics, e-mail, webinar and intent tools a
//! team already has: `POST /api/events` takes a batch, checked item by item as `leadgate
//! events import` checks rows (see `engine::engagement`). A batch is stored whole or not at
//! all: the first bad item is named by its index and field.
//!
//! Not the domain events of the process (`GET /api/domain-events`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use leadgate_core::audit::Actor;
use leadgate_core::engagement::KindChoice;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::engine::engagement::{self, EngagementReport, Item};
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::state::AppState;

/// The most items one call may carry; send more as several calls.
pub const MAX_BATCH: usize = 10_000;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ingest_signals))
}

/// One thing a person did, or one intent score of a company.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignalInput {
    /// page_view, email_open, email_click, email_reply, webinar_attended, content_download,
    /// trial_signup, demo_request; or intent.
    pub kind: String,
    /// When: RFC 3339 (`2026-11-30T09:15:00Z`) or a date (`2026-11-30`, its start in UTC).
    /// At most a day ahead of the server's clock.
    pub at: String,
    /// The person's e-mail address. Engagement needs it or `domain`.
    #[serde(default)]
    pub email: Option<String>,
    /// The company's domain or website: an anonymous visit's account, or the intent score's
    /// company (required for intent).
    #[serde(default)]
    pub domain: Option<String>,
    /// The page (required for page_view): pricing pages are recognised by the workspace's
    /// URL patterns.
    #[serde(default)]
    pub url: Option<String>,
    /// The campaign, webinar or asset, in your tool's words.
    #[serde(default)]
    pub detail: Option<String>,
    /// The intent topic (required for intent).
    #[serde(default)]
    pub topic: Option<String>,
    /// The intent score, 0 to 100 (required for intent).
    #[serde(default)]
    pub score: Option<f64>,
}

impl SignalInput {
    fn into_item(self) -> Item {
        Item {
            kind: Some(self.kind),
            at: Some(self.at),
            email: self.email,
            domain: self.domain,
            url: self.url,
            detail: self.detail,
            topic: self.topic,
            score: self.score.map(|s| s.to_string()),
        }
    }
}

/// What a batch stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignalsStored {
    /// The engagement import the batch became (the audit log's `engagement_import:ID`).
    pub import_id: i64,
    pub items: u64,
    /// New records: `engagement` plus `intent`.
    pub stored: u64,
    pub engagement: u64,
    pub intent: u64,
    /// Items already stored (sent before): not stored twice.
    pub duplicates: u64,
}

impl From<EngagementReport> for SignalsStored {
    fn from(r: EngagementReport) -> Self {
        SignalsStored {
            import_id: r.import_id,
            items: r.rows_read,
            stored: r.stored,
            engagement: r.engagement,
            intent: r.intent,
            duplicates: r.duplicates,
        }
    }
}

/// Send behavioural and intent signals.
///
/// A JSON array of items. Each is checked as a row of
/// `leadgate events import` is; the batch is stored whole, or — when an item is wrong —
/// not at all, and the 422 names the item's index and field (`details.index`,
/// `details.field`). The next discovery run's ICP `signals` and `intent` criteria read them.
#[utoipa::path(post, path = "/api/events", tag = "signals",
    security(("bearer" = []), ("session" = [])),
    request_body = Vec<SignalInput>,
    responses(
        (status = 201, description = "Stored", body = SignalsStored),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "A session without the CSRF token", body = ErrorBody),
        (status = 422, description = "An item is wrong (its index and field named), the batch is empty or too large", body = ErrorBody),
    ))]
async fn ingest_signals(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(items): ApiJson<Vec<SignalInput>>,
) -> Result<(StatusCode, Json<SignalsStored>), ApiError> {
    if items.is_empty() {
        return Err(ApiError::invalid(
            "the batch is empty: send at least one item",
        ));
    }
    if items.len() > MAX_BATCH {
        return Err(ApiError::invalid(format!(
            "{} items: send at most {MAX_BATCH} a call",
            items.len()
        )));
    }
    let now = state.now();
    let items: Vec<Item> = items.into_iter().map(SignalInput::into_item).collect();
    let checked = match engagement::check_items(state.store(), &items, now).await? {
        Ok(checked) => checked,
        Err(e) => {
            return Err(ApiError::invalid(e.to_string())
                .with_details(json!({ "index": e.index, "field": e.field })));
        }
    };
    let actor = Actor::Person(principal.person.name.clone());
    let config = &state.workspace().config;
    let intent = crate::engine::handoff::intent::IntentCheck {
        rules: &config.handoff.intent,
        pages: &config.discovery.pages,
    };
    let report = engagement::store_rows(
        state.store(),
        "api",
        KindChoice::Auto,
        checked,
        &actor,
        Some(&intent),
        now,
    )
    .await?;
    if let Err(e) = crate::engine::scoring::rescore_import(
        state.store(),
        &config.scoring,
        &config.discovery.pages,
        report.import_id,
        now,
    )
    .await
    {
        tracing::warn!(import = report.import_id, error = %e, "Leads not rescored.");
    }
    Ok((StatusCode::CREATED, Json(report.into())))
}
