//! Stage 3's enrichment books over HTTP: each run with what it spent against its budget, a
//! line per provider of the waterfall (calls, hits, misses, failures by kind, calls passed
//! over for the budget) and the problems it recorded with their reasons — what
//! `leadgate enrich costs --json` prints. Running enrichment is the CLI's
//! (`leadgate enrich run --budget N`), where the provider keys are.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use leadgate_core::enrichment::{Credits, ProviderLedger};
use leadgate_store::enrichment as stored;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::engine::enrichment::{self as engine, Costs, ProviderTotal, RunCosts};
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiQuery, ErrorBody};
use crate::server::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(enrichment_costs))
}

/// One provider's line of one run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProviderLineView {
    pub provider: String,
    /// Calls made (a call may take several requests).
    pub calls: u64,
    /// Requests sent, retries included.
    pub requests: u64,
    /// Credits charged, to the thousandth.
    pub credits: f64,
    /// Calls that filled at least one field.
    pub hits: u64,
    /// Calls answered with nothing for the fields asked.
    pub misses: u64,
    /// Failed calls by kind: `timeout`, `http_status`, `unparseable`, `rate_limited`,
    /// `unreachable`.
    pub failures: std::collections::BTreeMap<String, u64>,
    /// Values the provider sent that did not fit their field.
    pub values_rejected: u64,
    /// Calls not made because the budget would have been exceeded.
    pub skipped_for_budget: u64,
    /// Why the provider was no longer asked in this run, when it was not.
    pub refused: Option<String>,
}

impl From<&ProviderLedger> for ProviderLineView {
    fn from(line: &ProviderLedger) -> Self {
        ProviderLineView {
            provider: line.provider.clone(),
            calls: line.calls,
            requests: line.requests,
            credits: line.credits.as_number(),
            hits: line.hits,
            misses: line.misses,
            failures: line
                .failures
                .iter()
                .map(|(kind, n)| (kind.as_str().to_string(), *n))
                .collect(),
            values_rejected: line.values_rejected,
            skipped_for_budget: line.skipped_for_budget,
            refused: line.refused.clone(),
        }
    }
}

/// Something that went wrong, or was left undone, in a run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemView {
    /// `company:DOMAIN` or `contact:ID`.
    pub subject: String,
    pub provider: String,
    /// A failure kind, `rejected` (a value refused) or `skipped_budget`.
    pub kind: String,
    /// The fields that were asked for.
    pub fields: Vec<String>,
    /// The HTTP status the provider answered with, when it answered.
    pub status: Option<u16>,
    /// In words.
    pub reason: String,
}

impl From<&stored::Problem> for ProblemView {
    fn from(p: &stored::Problem) -> Self {
        ProblemView {
            subject: p.subject.clone(),
            provider: p.provider.clone(),
            kind: p.kind.clone(),
            fields: p.fields.clone(),
            status: p.status,
            reason: p.reason.clone(),
        }
    }
}

/// One enrichment run's books.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnrichmentRunView {
    pub id: i64,
    /// Who ran it.
    pub actor: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// `running` or `finished`.
    pub status: String,
    /// The run's credit budget; null when it had none.
    pub budget: Option<f64>,
    /// Credits spent: never more than the budget.
    pub spent: f64,
    /// Subjects looked up, fields wanted, from the cache, from providers, left unfilled.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    /// A line per provider, in waterfall order.
    pub providers: Vec<ProviderLineView>,
    pub problems: Vec<ProblemView>,
}

impl From<&RunCosts> for EnrichmentRunView {
    fn from(r: &RunCosts) -> Self {
        EnrichmentRunView {
            id: r.run.id,
            actor: r.run.actor.clone(),
            started_at: r.run.started_at,
            finished_at: r.run.finished_at,
            status: r.run.status.as_str().to_string(),
            budget: r.run.budget.map(Credits::as_number),
            spent: r.run.spent.as_number(),
            summary: r.run.summary.clone(),
            providers: r.providers.iter().map(ProviderLineView::from).collect(),
            problems: r.problems.iter().map(ProblemView::from).collect(),
        }
    }
}

/// A provider's totals over the runs shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProviderTotalView {
    pub provider: String,
    pub calls: u64,
    pub hits: u64,
    pub misses: u64,
    pub failures: u64,
    pub skipped_for_budget: u64,
    pub credits: f64,
}

impl From<&ProviderTotal> for ProviderTotalView {
    fn from(t: &ProviderTotal) -> Self {
        ProviderTotalView {
            provider: t.provider.clone(),
            calls: t.calls,
            hits: t.hits,
            misses: t.misses,
            failures: t.failures,
            skipped_for_budget: t.skipped_for_budget,
            credits: t.credits.as_number(),
        }
    }
}

/// The cost ledger of one run or of every run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnrichmentCosts {
    /// Newest first.
    pub runs: Vec<EnrichmentRunView>,
    /// Per provider over the runs shown.
    pub totals: Vec<ProviderTotalView>,
    /// Credits spent over the runs shown.
    pub spent: f64,
}

impl From<&Costs> for EnrichmentCosts {
    fn from(c: &Costs) -> Self {
        EnrichmentCosts {
            runs: c.runs.iter().map(EnrichmentRunView::from).collect(),
            totals: c.totals.iter().map(ProviderTotalView::from).collect(),
            spent: c.spent.as_number(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CostsQuery {
    /// One run's books; all runs when absent.
    pub run: Option<i64>,
}

/// The enrichment cost ledger: every run, or one, with its providers and problems.
#[utoipa::path(get, path = "/api/enrichment/costs", tag = "enrichment",
    security(("bearer" = []), ("session" = [])),
    params(CostsQuery),
    responses(
        (status = 200, description = "OK", body = EnrichmentCosts),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No such run", body = ErrorBody),
    ))]
async fn enrichment_costs(
    State(state): State<AppState>,
    _: Principal,
    ApiQuery(query): ApiQuery<CostsQuery>,
) -> Result<Json<EnrichmentCosts>, ApiError> {
    let costs = engine::costs(state.store(), query.run).await?;
    Ok(Json(EnrichmentCosts::from(&costs)))
}
