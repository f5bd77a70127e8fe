//! The paged client of Apollo's People Search: each compiled search is asked for page by
//! page, paced to the budget's requests per minute, with 429s and server errors retried
//! after `Retry-After` or a bounded back-off; every person becomes one JSON line for the
//! importer, each person once per run.

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use leadgate_core::icp::IcpDocument;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApolloConfig, DISPLAY_LIMIT_PAGES, MAX_PER_PAGE, SOURCE, compile, flatten, mapping};
use crate::import::{Columns, FileFormat, ImportOptions};
use crate::search::{
    ApiKey, BoxFuture, Budget, Clock, CompiledQuery, Pacer, RateLimitStatus, SearchError,
    SearchFailure, SearchProgress, SearchReport, SearchRun, SearchSource, Sleeper, StopReason,
    WaitReason,
};

/// Apollo's People Search, ready to compile and run ICPs.
pub struct ApolloSearch {
    config: ApolloConfig,
    key: ApiKey,
    client: reqwest::Client,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleeper>,
}

impl ApolloSearch {
    /// A client for `config` with `key`; the clock stamps records and paces requests, the
    /// sleeper waits.
    pub fn new(
        config: ApolloConfig,
        key: ApiKey,
        clock: Arc<dyn Clock>,
        sleeper: Arc<dyn Sleeper>,
    ) -> Result<ApolloSearch, SearchError> {
        let base = reqwest::Url::parse(&config.base_url).map_err(|e| {
            SearchError::Config(format!("base_url {:?} is not a URL: {e}", config.base_url))
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(SearchError::Config(format!(
                "base_url {:?} is not an http or https URL",
                config.base_url
            )));
        }
        let client = http_client(Duration::from_secs(config.timeout_secs.max(1)))?;
        Ok(ApolloSearch {
            config,
            key,
            client,
            clock,
            sleeper,
        })
    }

    /// A client whose key is read from the variable the configuration names.
    pub fn from_env(
        config: ApolloConfig,
        clock: Arc<dyn Clock>,
        sleeper: Arc<dyn Sleeper>,
    ) -> Result<ApolloSearch, SearchError> {
        let key = ApiKey::from_env(&config.api_key_env)?;
        ApolloSearch::new(config, key, clock, sleeper)
    }

    fn url(&self) -> String {
        format!(
            "{}{}",
            self.config.base_url.trim_end_matches('/'),
            self.config.endpoint.path()
        )
    }

    fn credits_per_page(&self) -> u64 {
        self.config
            .credits_per_page
            .unwrap_or(self.config.endpoint.credits_per_page())
    }
}

/// The HTTP client: rustls, with the platform's certificate verifier.
fn http_client(timeout: Duration) -> Result<reqwest::Client, SearchError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("leadgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| SearchError::Config(format!("the HTTP client cannot start: {e}")))
}

impl SearchSource for ApolloSearch {
    fn name(&self) -> &str {
        SOURCE
    }

    fn compile(&self, icp: &IcpDocument) -> Result<CompiledQuery, SearchError> {
        compile(icp, &self.config)
    }

    fn run<'a>(
        &'a self,
        query: &'a CompiledQuery,
        budget: &'a Budget,
    ) -> BoxFuture<'a, Result<SearchRun, SearchFailure>> {
        Box::pin(self.run_query(query, budget))
    }
}

/// One page as Apollo answers it; unknown keys are ignored.
#[derive(Deserialize)]
struct PageBody {
    people: Option<Vec<Value>>,
    contacts: Option<Vec<Value>>,
    pagination: Option<Pagination>,
    total_entries: Option<u64>,
}

#[derive(Deserialize)]
struct Pagination {
    total_entries: Option<u64>,
    total_pages: Option<u64>,
}

/// What became of one request.
enum Outcome {
    Page(PageBody),
    Stop(StopReason),
}

struct Running<'a> {
    search: &'a ApolloSearch,
    budget: &'a Budget,
    pacer: Pacer,
    report: SearchReport,
    lines: Vec<u8>,
    seen: HashSet<String>,
    minute_used_up: bool,
}

impl ApolloSearch {
    async fn run_query(
        &self,
        query: &CompiledQuery,
        budget: &Budget,
    ) -> Result<SearchRun, SearchFailure> {
        let pacer = Pacer::new(
            budget.requests_per_minute,
            self.clock.clone(),
            self.sleeper.clone(),
        );
        let started_at = pacer.now();
        let mut run = Running {
            search: self,
            budget,
            pacer,
            report: SearchReport {
                source: SOURCE.to_string(),
                segment: query.segment.clone(),
                searches: query
                    .searches
                    .iter()
                    .map(|s| SearchProgress {
                        label: s.label.clone(),
                        pages: 0,
                        people: 0,
                        total_entries: None,
                        total_pages: None,
                        complete: false,
                        display_limit_reached: false,
                    })
                    .collect(),
                requests: 0,
                pages: 0,
                people_received: 0,
                duplicates: 0,
                records: 0,
                credits_used: 0,
                credit_budget: budget.max_credits,
                waits: Vec::new(),
                rate_limit: None,
                stop: StopReason::Complete,
                started_at,
                finished_at: started_at,
                not_pushed_down: query.not_pushed_down.clone(),
            },
            lines: Vec::new(),
            seen: HashSet::new(),
            minute_used_up: false,
        };
        let result = run.all(query).await;
        run.report.finished_at = run.pacer.now();
        let options = ImportOptions {
            columns: Columns::Mapping(mapping()),
            file_format: Some(FileFormat::JsonLines),
            ..ImportOptions::default()
        };
        match result {
            Ok(stop) => {
                run.report.stop = stop;
                Ok(SearchRun::new(run.report, options, run.lines))
            }
            Err(error) => {
                run.report.stop = StopReason::Failed {
                    error: error.to_string(),
                };
                Err(SearchFailure {
                    error,
                    partial: SearchRun::new(run.report, options, run.lines),
                })
            }
        }
    }
}

impl Running<'_> {
    async fn all(&mut self, query: &CompiledQuery) -> Result<StopReason, SearchError> {
        let per_page = self.budget.per_page.clamp(1, MAX_PER_PAGE);
        let cost = self.search.credits_per_page();
        for (index, compiled) in query.searches.iter().enumerate() {
            let mut page: u32 = 1;
            loop {
                if self.report.pages >= u64::from(self.budget.max_pages) {
                    return Ok(StopReason::MaxPages {
                        limit: self.budget.max_pages,
                    });
                }
                if self.report.credits_used + cost > self.budget.max_credits {
                    return Ok(StopReason::CreditBudget {
                        used: self.report.credits_used,
                        budget: self.budget.max_credits,
                        next_page_cost: cost,
                    });
                }
                let mut body = compiled.filters.clone();
                body.insert("page".into(), json!(page));
                body.insert("per_page".into(), json!(per_page));
                let answer = match self
                    .fetch(&compiled.label, page, &Value::Object(body))
                    .await?
                {
                    Outcome::Page(answer) => answer,
                    Outcome::Stop(stop) => return Ok(stop),
                };
                let fetched_at = self.pacer.now();
                let total_entries = answer
                    .pagination
                    .as_ref()
                    .and_then(|p| p.total_entries)
                    .or(answer.total_entries);
                let total_pages = answer
                    .pagination
                    .as_ref()
                    .and_then(|p| p.total_pages)
                    .or_else(|| total_entries.map(|n| n.div_ceil(u64::from(per_page))));
                let people: Vec<(&str, Value)> = answer
                    .contacts
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| ("contact", p))
                    .chain(
                        answer
                            .people
                            .unwrap_or_default()
                            .into_iter()
                            .map(|p| ("person", p)),
                    )
                    .collect();
                let count = people.len() as u64;
                if count > 0 {
                    self.report.credits_used += cost;
                }
                self.report.pages += 1;
                self.report.people_received += count;
                for (kind, person) in people {
                    self.write(person, kind, &compiled.label, fetched_at);
                }
                let progress = &mut self.report.searches[index];
                progress.pages = page;
                progress.people += count;
                progress.total_entries = total_entries;
                progress.total_pages = total_pages;
                let last = count == 0
                    || count < u64::from(per_page)
                    || total_pages.is_some_and(|n| u64::from(page) >= n);
                if last {
                    progress.complete = true;
                    break;
                }
                if page >= DISPLAY_LIMIT_PAGES {
                    progress.complete = true;
                    progress.display_limit_reached = true;
                    break;
                }
                page += 1;
            }
        }
        Ok(StopReason::Complete)
    }

    /// Writes one person as a line, unless an earlier search of the run returned it.
    fn write(&mut self, person: Value, kind: &str, label: &str, fetched_at: Timestamp) {
        let line = match person {
            Value::Object(object) => {
                if let Some(id) = object.get("id").and_then(Value::as_str)
                    && !self.seen.insert(id.to_string())
                {
                    self.report.duplicates += 1;
                    return;
                }
                Value::Object(flatten(&object, kind, label, fetched_at))
            }
            // Not a person: the importer rejects the line, and the row says what it was.
            other => other,
        };
        // Writing JSON to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.lines, &line);
        let _ = self.lines.write_all(b"\n");
        self.report.records += 1;
    }

    /// Asks for one page, pacing and retrying within the budget.
    async fn fetch(
        &mut self,
        label: &str,
        page: u32,
        body: &Value,
    ) -> Result<Outcome, SearchError> {
        let mut attempt: u32 = 0;
        loop {
            if let Some(stop) = self.allowance_used_up() {
                return Ok(Outcome::Stop(stop));
            }
            self.pacer
                .acquire(&mut self.report.waits, self.minute_used_up)
                .await;
            // Waited out; only a newer answer's headers can say the minute is used up again.
            self.minute_used_up = false;
            self.report.requests += 1;
            let (status, headers, text) = self.send(label, page, body).await?;
            match status {
                s if s.is_success() => return self.page(label, page, &text).map(Outcome::Page),
                s if s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error() => {
                    if let Some(end) = self.retry(s, &headers, attempt, label, page, &text).await {
                        return end;
                    }
                    attempt += 1;
                }
                s => return Err(self.refused(s, label, page, &text)),
            }
        }
    }

    /// The stop for an hourly or daily allowance the last answer said is used up.
    fn allowance_used_up(&self) -> Option<StopReason> {
        let status = self.report.rate_limit.as_ref()?;
        [(status.hourly_left, "hourly"), (status.daily_left, "daily")]
            .into_iter()
            .find(|(left, _)| *left == Some(0))
            .map(|(_, window)| StopReason::RateLimited {
                detail: format!("Apollo's {window} allowance of requests is used up"),
            })
    }

    /// Sends one request: the answer's status, headers and body. The rate-limit headers are
    /// noted in the report.
    async fn send(
        &mut self,
        label: &str,
        page: u32,
        body: &Value,
    ) -> Result<(StatusCode, HeaderMap, String), SearchError> {
        let transport = |e: reqwest::Error| SearchError::Transport {
            source_name: SOURCE.into(),
            search: label.into(),
            page,
            message: crate::http_error::error_chain(&e),
        };
        let response = self
            .search
            .client
            .post(self.search.url())
            .header("x-api-key", self.search.key.secret())
            .header("Cache-Control", "no-cache")
            .header("Accept", "application/json")
            .json(body)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let limits = rate_limit_status(&headers);
        if limits != RateLimitStatus::default() {
            self.minute_used_up = limits.minute_left == Some(0);
            self.report.rate_limit = Some(limits);
        }
        let text = response.text().await.map_err(transport)?;
        Ok((status, headers, text))
    }

    /// A successful answer's page of people.
    fn page(&self, label: &str, page: u32, text: &str) -> Result<PageBody, SearchError> {
        match serde_json::from_str::<PageBody>(text) {
            Ok(answer) if answer.people.is_none() && answer.contacts.is_none() => {
                Err(self.malformed(label, page, "it has no `people` array", text))
            }
            Ok(answer) => Ok(answer),
            Err(e) => Err(self.malformed(label, page, &e.to_string(), text)),
        }
    }

    /// Waits before retrying a 429 or a server error, within the budget; or the end of the
    /// fetch when the budget allows no more retries or no wait that long.
    async fn retry(
        &mut self,
        status: StatusCode,
        headers: &HeaderMap,
        attempt: u32,
        label: &str,
        page: u32,
        text: &str,
    ) -> Option<Result<Outcome, SearchError>> {
        let message = || error_message(text);
        let max_retries = self.budget.max_retries;
        if attempt >= max_retries {
            if status.is_server_error() {
                return Some(Err(SearchError::Http {
                    source_name: SOURCE.into(),
                    search: label.into(),
                    page,
                    status: status.as_u16(),
                    message: format!("{} (after {max_retries} retries)", message()),
                }));
            }
            return Some(Ok(Outcome::Stop(StopReason::RateLimited {
                detail: format!(
                    "still refused after {max_retries} retries of {label}, page {page}: {}",
                    message()
                ),
            })));
        }
        let retry_after = (status == StatusCode::TOO_MANY_REQUESTS)
            .then(|| retry_after(headers))
            .flatten();
        let (reason, wait) = match retry_after {
            Some(wait) => (WaitReason::RetryAfter, wait),
            None => (WaitReason::Backoff, backoff(attempt)),
        };
        if wait > self.budget.max_backoff && reason == WaitReason::RetryAfter {
            return Some(Ok(Outcome::Stop(StopReason::RateLimited {
                detail: format!(
                    "Apollo asked to wait {} s, longer than the budget's {} s: {}",
                    wait.as_secs(),
                    self.budget.max_backoff.as_secs(),
                    message()
                ),
            })));
        }
        let wait = wait.min(self.budget.max_backoff);
        self.pacer.sleep(&mut self.report.waits, reason, wait).await;
        None
    }

    /// The error of an answer that refuses the request and is not worth retrying.
    fn refused(&self, status: StatusCode, label: &str, page: u32, text: &str) -> SearchError {
        let message = error_message(text);
        match status {
            StatusCode::UNAUTHORIZED => SearchError::Unauthorized {
                source_name: SOURCE.into(),
                variable: self.search.key.variable().to_string(),
                message,
            },
            StatusCode::FORBIDDEN => SearchError::Forbidden {
                source_name: SOURCE.into(),
                message: format!(
                    "{message} (People API Search needs a master API key, or a key whose scope \
                     includes {})",
                    self.search.config.endpoint.path()
                ),
            },
            StatusCode::UNPROCESSABLE_ENTITY => SearchError::InvalidQuery {
                source_name: SOURCE.into(),
                message,
            },
            s => SearchError::Http {
                source_name: SOURCE.into(),
                search: label.into(),
                page,
                status: s.as_u16(),
                message,
            },
        }
    }

    fn malformed(&self, label: &str, page: u32, detail: &str, text: &str) -> SearchError {
        SearchError::Malformed {
            source_name: SOURCE.into(),
            search: label.into(),
            page,
            detail: detail.to_string(),
            snippet: text.chars().take(120).collect(),
        }
    }
}

/// Waits of 1, 2, 4, … seconds.
fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1u64 << attempt.min(16))
}

/// `Retry-After` in seconds (the HTTP-date form is rare on APIs and falls back to back-off).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn rate_limit_status(headers: &HeaderMap) -> RateLimitStatus {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    RateLimitStatus {
        minute_limit: number("x-rate-limit-minute"),
        minute_left: number("x-minute-requests-left"),
        hourly_limit: number("x-rate-limit-hourly"),
        hourly_left: number("x-hourly-requests-left"),
        daily_limit: number("x-rate-limit-daily"),
        daily_left: number("x-daily-requests-left"),
    }
}

/// An error answer's message, as every connector reads one.
fn error_message(text: &str) -> String {
    crate::http_error::error_message(text, 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_come_from_the_json_body() {
        assert_eq!(
            error_message(r#"{"error":"Invalid parameters"}"#),
            "Invalid parameters"
        );
        assert_eq!(
            error_message("Invalid API key.\n See docs"),
            "Invalid API key. See docs"
        );
        assert_eq!(error_message(""), "no message");
    }

    #[test]
    fn backoff_doubles() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
    }
}
