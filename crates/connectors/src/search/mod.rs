//! Sources that search: APIs that find prospects from filters, driven by the live ICP
//! rather than by a file someone exported. A [`SearchSource`] compiles an
//! [`IcpDocument`] into its own filters ([`CompiledQuery`], which says what it could not
//! push down), runs the query page by page within a [`Budget`] (pages, requests per minute,
//! credits, bounded back-off on rate limits), and hands back a [`SearchRun`]: the people as
//! JSON Lines that go through the same importer as a file ([`SearchRun::into_import`]), so a
//! search yields exactly what an import yields (`ProspectRecord`s, `RejectedRow`s and a
//! `ReadSummary`), plus a [`SearchReport`] of what the run cost and why it stopped.
//!
//! ```no_run
//! # async fn demo(icp: leadgate_core::icp::IcpDocument) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use leadgate_connectors::search::{ApiKey, Budget, SearchSource, TokioSleeper};
//! use leadgate_connectors::search::apollo::{ApolloConfig, ApolloSearch};
//!
//! let key = ApiKey::from_env("APOLLO_API_KEY")?;
//! let clock = Arc::new(|| jiff::Timestamp::UNIX_EPOCH); // the app passes its clock
//! let apollo = ApolloSearch::new(ApolloConfig::default(), key, clock, Arc::new(TokioSleeper))?;
//! let query = apollo.compile(&icp)?;
//! println!("{query}"); // the filters, and what the ICP filter must check afterwards
//! let run = apollo.run(&query, &Budget::default()).await.map_err(|f| f.error)?;
//! println!("{}", run.report.stop);
//! let mut import = run.into_import()?;
//! for item in &mut import { /* store records, write rejects */ }
//! let summary = import.finish()?;
//! # Ok(()) }
//! ```
//!
//! Time is injected: a [`Clock`] says what time it is and a [`Sleeper`] waits, so tests
//! run a whole rate-limited search without waiting for real.

pub mod apollo;

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use leadgate_core::icp::IcpError;
use serde::Serialize;

use crate::import::{Import, ImportError, ImportOptions};

/// A future a trait object can return: the trait stays usable as `dyn SearchSource`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A source that finds prospects from an ICP: Apollo's People API Search, and any other
/// search API that plugs in the same way.
pub trait SearchSource: Send + Sync {
    /// The source's name, as records and reports show it (`apollo`).
    fn name(&self) -> &str;

    /// The ICP in the source's own filters, with the criteria it could not express.
    fn compile(&self, icp: &leadgate_core::icp::IcpDocument) -> Result<CompiledQuery, SearchError>;

    /// Runs a compiled query within the budget. A run that stops on a budget or a rate
    /// limit is a success whose report says why it stopped; a failure (a refused key, a
    /// malformed answer) still hands back the pages read before it.
    fn run<'a>(
        &'a self,
        query: &'a CompiledQuery,
        budget: &'a Budget,
    ) -> BoxFuture<'a, Result<SearchRun, SearchFailure>>;
}

/// An ICP in a source's filters: one or more searches whose results together hold every
/// prospect the ICP admits (and usually more: the ICP filter checks every criterion again
/// after import), and the criteria as far as they were, and were not, pushed down.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompiledQuery {
    pub source: String,
    pub segment: String,
    pub searches: Vec<CompiledSearch>,
    /// Criteria the searches express, with the filter that does and any caveat.
    pub pushed_down: Vec<Criterion>,
    /// Criteria no search expresses: the ICP filter decides them after import.
    pub not_pushed_down: Vec<Criterion>,
}

/// One search request of a compiled query, without its paging.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompiledSearch {
    /// What the search is for, e.g. `personas by title (Sales leader, RevOps leader)`.
    pub label: String,
    /// The source's filters, as its API takes them.
    pub filters: serde_json::Map<String, serde_json::Value>,
}

/// An ICP criterion (its dotted name, as the ICP filter names it) and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    pub criterion: String,
    pub detail: String,
}

impl fmt::Display for CompiledQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.searches.len();
        writeln!(
            f,
            "{} search for segment {:?}: {n} search{}",
            self.source,
            self.segment,
            if n == 1 { "" } else { "es" }
        )?;
        for (i, search) in self.searches.iter().enumerate() {
            let filters = serde_json::Value::Object(search.filters.clone());
            writeln!(f, "  {}. {}: {filters}", i + 1, search.label)?;
        }
        writeln!(f, "Pushed down:")?;
        for c in &self.pushed_down {
            writeln!(f, "  - {}: {}", c.criterion, c.detail)?;
        }
        if self.pushed_down.is_empty() {
            writeln!(f, "  (nothing)")?;
        }
        writeln!(
            f,
            "Not pushed down (the ICP filter checks these after import):"
        )?;
        for c in &self.not_pushed_down {
            writeln!(f, "  - {}: {}", c.criterion, c.detail)?;
        }
        if self.not_pushed_down.is_empty() {
            writeln!(f, "  (nothing)")?;
        }
        Ok(())
    }
}

/// How much a run may spend. Pages and credits count across all the searches of a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Budget {
    /// Results a page asks for (the source caps it at its maximum, 100 for Apollo).
    pub per_page: u32,
    /// Pages fetched at most, across the searches.
    pub max_pages: u32,
    /// Credits spent at most; a page that might exceed them is not asked for.
    pub max_credits: u64,
    /// Requests started in any 60 seconds, at most (retries count).
    pub requests_per_minute: u32,
    /// Retries of one page after a rate limit (429) or a server error (5xx).
    pub max_retries: u32,
    /// The longest single wait; a source that asks for longer stops the run instead.
    #[serde(serialize_with = "millis")]
    pub max_backoff: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            per_page: 100,
            max_pages: 10,
            max_credits: 0,
            requests_per_minute: 50,
            max_retries: 5,
            max_backoff: Duration::from_secs(60),
        }
    }
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// What time it is. The app passes its clock (`leadgate::clock::now`); any
/// `Fn() -> Timestamp` is a clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

impl<F: Fn() -> Timestamp + Send + Sync> Clock for F {
    fn now(&self) -> Timestamp {
        self()
    }
}

/// Waits. Tests pass one that records the waits and moves their clock on instead.
pub trait Sleeper: Send + Sync {
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()>;
}

/// Waits on the tokio timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A secret API key and where it came from, so that errors can name the variable to fix.
/// `Debug` does not show the key.
#[derive(Clone)]
pub struct ApiKey {
    value: String,
    variable: String,
}

impl ApiKey {
    /// Reads the key from the environment variable `variable`.
    pub fn from_env(variable: &str) -> Result<ApiKey, SearchError> {
        ApiKey::from_lookup(variable, |name| std::env::var(name).ok())
    }

    /// Reads the key named `variable` through `lookup` (the environment, a secrets file, a
    /// test's map). An absent or blank value is an error naming the variable.
    pub fn from_lookup(
        variable: &str,
        lookup: impl FnOnce(&str) -> Option<String>,
    ) -> Result<ApiKey, SearchError> {
        match lookup(variable) {
            Some(value) if !value.trim().is_empty() => Ok(ApiKey {
                value: value.trim().to_string(),
                variable: variable.to_string(),
            }),
            _ => Err(SearchError::MissingKey {
                variable: variable.to_string(),
            }),
        }
    }

    /// The name of the variable the key came from.
    pub fn variable(&self) -> &str {
        &self.variable
    }

    pub(crate) fn secret(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}: <redacted>)", self.variable)
    }
}

/// A search that could not be compiled, started or finished.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the environment variable {variable} holds no API key: set it to the source's API key")]
    MissingKey { variable: String },
    #[error("the ICP cannot be compiled: {0}")]
    Icp(#[from] IcpError),
    #[error("the search configuration is invalid: {0}")]
    Config(String),
    #[error(
        "{source_name} refused the API key from {variable} (HTTP 401): {message}; check the \
         key in {variable}"
    )]
    Unauthorized {
        source_name: String,
        variable: String,
        message: String,
    },
    #[error("{source_name} refused the request (HTTP 403): {message}")]
    Forbidden {
        source_name: String,
        message: String,
    },
    #[error("{source_name} rejected the search filters (HTTP 422): {message}")]
    InvalidQuery {
        source_name: String,
        message: String,
    },
    #[error("{source_name} answered HTTP {status} to {search}, page {page}: {message}")]
    Http {
        source_name: String,
        search: String,
        page: u32,
        status: u16,
        message: String,
    },
    #[error("{source_name} could not be reached for {search}, page {page}: {message}")]
    Transport {
        source_name: String,
        search: String,
        page: u32,
        message: String,
    },
    #[error(
        "{source_name} sent a malformed answer to {search}, page {page}: {detail}; the answer \
         began {snippet:?}"
    )]
    Malformed {
        source_name: String,
        search: String,
        page: u32,
        detail: String,
        snippet: String,
    },
}

/// A run that failed, and what it had read before: the pages before the failure are kept
/// (they may have cost credits).
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct SearchFailure {
    #[source]
    pub error: SearchError,
    pub partial: SearchRun,
}

/// The people a run found, as JSON Lines for the importer, and its report.
#[derive(Debug)]
pub struct SearchRun {
    pub report: SearchReport,
    /// How the lines are imported: the source's mapping of its fields. A caller may set
    /// `default_country` here before [`SearchRun::into_import`].
    pub import_options: ImportOptions,
    lines: Vec<u8>,
}

impl SearchRun {
    pub(crate) fn new(report: SearchReport, import_options: ImportOptions, lines: Vec<u8>) -> Self {
        SearchRun {
            report,
            import_options,
            lines,
        }
    }

    /// The people as they go to the importer: one flattened JSON object a line.
    pub fn json_lines(&self) -> &[u8] {
        &self.lines
    }

    /// The people through the importer, exactly as a file of them would be imported; the
    /// import is named `<source> search: <segment>`.
    pub fn into_import(self) -> Result<Import, ImportError> {
        let name = format!("{} search: {}", self.report.source, self.report.segment);
        Import::from_reader(
            std::io::Cursor::new(self.lines),
            &name,
            &self.import_options,
        )
    }
}

/// What a run did: per search, the pages read and the totals the source reported; the
/// requests, credits and waits it took; and why it stopped.
///
/// Accounting: `people_received = records + duplicates`, and `records` is the number of
/// lines the importer reads, so its `rows_read = accepted + rejected` covers every person
/// received.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchReport {
    pub source: String,
    pub segment: String,
    pub searches: Vec<SearchProgress>,
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Pages read successfully.
    pub pages: u64,
    /// People in the pages read.
    pub people_received: u64,
    /// People an earlier search of the run had already returned (same source id): not
    /// imported twice.
    pub duplicates: u64,
    /// Lines handed to the importer.
    pub records: u64,
    pub credits_used: u64,
    pub credit_budget: u64,
    /// Every wait, in order: for the requests-per-minute budget or a rate limit.
    pub waits: Vec<Wait>,
    /// The last rate-limit headers the source sent.
    pub rate_limit: Option<RateLimitStatus>,
    pub stop: StopReason,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    /// Copied from the query: what the ICP filter must still decide.
    pub not_pushed_down: Vec<Criterion>,
}

/// One search of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchProgress {
    pub label: String,
    pub pages: u32,
    pub people: u64,
    /// Matches the source reported, when it did.
    pub total_entries: Option<u64>,
    pub total_pages: Option<u64>,
    /// The last page was read.
    pub complete: bool,
    /// The source shows no pages past this one (Apollo: 500), though more people match.
    pub display_limit_reached: bool,
}

/// A wait of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wait {
    pub reason: WaitReason,
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// The budget's requests per minute were used up.
    RequestsPerMinute,
    /// The source said the minute's requests were used up (its rate-limit headers).
    SourceMinuteLimit,
    /// A 429 with a `Retry-After` header.
    RetryAfter,
    /// A 429 or 5xx without one: exponential back-off.
    Backoff,
}

/// The rate-limit headers of the last answer (Apollo: `x-minute-requests-left`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RateLimitStatus {
    pub minute_limit: Option<u64>,
    pub minute_left: Option<u64>,
    pub hourly_limit: Option<u64>,
    pub hourly_left: Option<u64>,
    pub daily_limit: Option<u64>,
    pub daily_left: Option<u64>,
}

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StopReason {
    /// Every search was read to its last page (or to the source's display limit).
    Complete,
    /// The budget's page count was reached.
    MaxPages { limit: u32 },
    /// The next page could cost more credits than the budget has left.
    CreditBudget {
        used: u64,
        budget: u64,
        next_page_cost: u64,
    },
    /// The source's rate limit held: it asked for a longer wait than the budget allows,
    /// it kept refusing after the retries, or its hourly or daily allowance is used up.
    RateLimited { detail: String },
    /// A failure ended the run (see [`SearchFailure`]).
    Failed { error: String },
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Complete => f.write_str("complete: every search was read to its end"),
            StopReason::MaxPages { limit } => write!(
                f,
                "stopped at the page budget ({limit} pages); more results remain"
            ),
            StopReason::CreditBudget {
                used,
                budget,
                next_page_cost,
            } => write!(
                f,
                "stopped at the credit budget: {used} of {budget} credits used, and the next \
                 page could cost {next_page_cost}; more results remain"
            ),
            StopReason::RateLimited { detail } => {
                write!(f, "stopped by the source's rate limit: {detail}")
            }
            StopReason::Failed { error } => write!(f, "failed: {error}"),
        }
    }
}

/// Paces requests: at most `per_minute` started in any 60 seconds, by the injected clock.
pub(crate) struct Pacer {
    per_minute: usize,
    started: VecDeque<Timestamp>,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleeper>,
}

const MINUTE: SignedDuration = SignedDuration::from_secs(60);

impl Pacer {
    pub(crate) fn new(per_minute: u32, clock: Arc<dyn Clock>, sleeper: Arc<dyn Sleeper>) -> Self {
        Pacer {
            per_minute: per_minute.max(1) as usize,
            started: VecDeque::new(),
            clock,
            sleeper,
        }
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Waits until a request may start, and counts it as started.
    pub(crate) async fn acquire(&mut self, waits: &mut Vec<Wait>, minute_used_up: bool) {
        let now = self.clock.now();
        while self.started.front().is_some_and(|t| *t + MINUTE <= now) {
            self.started.pop_front();
        }
        let reason = if self.started.len() >= self.per_minute {
            Some(WaitReason::RequestsPerMinute)
        } else if minute_used_up && !self.started.is_empty() {
            // The source counts in fixed windows we cannot see; the window that held our
            // oldest recent request has surely ended a minute after it.
            Some(WaitReason::SourceMinuteLimit)
        } else {
            None
        };
        if let (Some(reason), Some(oldest)) = (reason, self.started.front().copied()) {
            let wait = (oldest + MINUTE).duration_since(now);
            if let Ok(wait) = Duration::try_from(wait)
                && !wait.is_zero()
            {
                self.sleep(waits, reason, wait).await;
            }
            let now = self.clock.now();
            while self.started.front().is_some_and(|t| *t + MINUTE <= now) {
                self.started.pop_front();
            }
        }
        self.started.push_back(self.clock.now());
    }

    pub(crate) async fn sleep(&self, waits: &mut Vec<Wait>, reason: WaitReason, d: Duration) {
        waits.push(Wait {
            reason,
            duration: d,
        });
        self.sleeper.sleep(d).await;
    }
}
