//! The generic HTTP JSON provider: any enrichment API that answers JSON, described by an
//! [`HttpSpec`] rather than by code. The request is a URL template (`{domain}`, `{email}`,
//! `{linkedin_url}`, `{first_name}`, `{last_name}`, `{name}`, `{company_name}`, filled from
//! the lookup and percent-encoded) and optional query parameters (dropped when their value
//! is unknown); the key goes in a header read from an environment variable, never from the
//! configuration; each field is read from the answer by a JSON pointer (RFC 6901), scaled if
//! asked (a growth of `0.12` × 100 = 12 %), and through the field's one reading.
//!
//! **Calls.** Each request waits for the rate limit's token bucket. A 429 or a 5xx is retried
//! up to `retries` times, after `Retry-After` (seconds or an HTTP date) when the answer gives
//! one — unless it asks for longer than `max_retry_wait`: then the provider is rate limited
//! for now — else after an exponential back-off (`backoff`, doubled each time, at most
//! `max_retry_wait`). Nothing else is retried: a 401, 403, 400 or 422 will not change, and
//! a timeout is not worth waiting for twice. A 404, or a 2xx whose `found` pointer is empty,
//! is "not found".
//!
//! **Cost.** `per_call`: every call answered with a 2xx is charged the provider's cost (an
//! unreadable 2xx too: the provider counted it). `per_hit`: only an answer with at least one
//! fact is. A 429, an error status or a timeout is not charged.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use leadgate_core::enrichment::{Answer, Credits, EnrichField, Failure, FailureKind, Lookup};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

use super::Provider;
use super::limit::{Limiter, RateLimit};
use crate::search::{ApiKey, BoxFuture, Clock, Sleeper};

/// The lookup values a URL template or a query parameter may name.
pub const PLACEHOLDERS: [&str; 7] = [
    "domain",
    "email",
    "linkedin_url",
    "first_name",
    "last_name",
    "name",
    "company_name",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    #[default]
    Get,
    Post,
}

/// When a call is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charge {
    /// Every call answered with a 2xx.
    #[default]
    PerCall,
    /// Only calls that return at least one fact.
    PerHit,
}

/// The header that carries the key: `header: prefix + the value of env`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth {
    pub header: String,
    /// The environment variable that holds the key.
    pub env: String,
    /// Written before the key, e.g. `Bearer `.
    pub prefix: String,
}

/// Where in the answer a field is read.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub field: EnrichField,
    /// A JSON pointer: `/organization/estimated_num_employees`.
    pub pointer: String,
    /// A number read there is multiplied by this (a fraction to a percentage: 100).
    pub scale: Option<f64>,
}

/// An HTTP JSON provider, as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpSpec {
    /// The URL template: `https://api.example.com/v1/companies?domain={domain}`.
    pub url: String,
    pub method: Method,
    /// Query parameters added when their template can be filled (`email = "{email}"`), or
    /// always when they name no placeholder (`reveal_personal_emails = "false"`).
    pub query: Vec<(String, String)>,
    /// Placeholders of which at least one must be known for a call (empty: any one the URL
    /// or a query parameter names). Apollo's people match needs a person, not just a domain.
    pub needs_one_of: Vec<String>,
    /// Headers sent with every request (not secrets).
    pub headers: Vec<(String, String)>,
    pub auth: Option<Auth>,
    /// A pointer that is empty or absent when the provider has no match: "not found".
    pub found: Option<String>,
    pub map: Vec<Mapping>,
    pub charge: Charge,
    pub rate_limit: Option<RateLimit>,
    /// How long one request may take.
    pub timeout: Duration,
    /// Retries after a 429 or a 5xx.
    pub retries: u32,
    /// The first back-off; it doubles with each retry.
    pub backoff: Duration,
    /// The longest wait before a retry; a `Retry-After` asking for more ends the call.
    pub max_retry_wait: Duration,
}

impl HttpSpec {
    /// A GET of `url` reading `map`, with the defaults: 10 s timeout, 3 retries from 1 s
    /// back-off, at most 60 s wait, charged per call, no rate limit.
    pub fn new(url: impl Into<String>, map: Vec<Mapping>) -> HttpSpec {
        HttpSpec {
            url: url.into(),
            method: Method::Get,
            query: Vec::new(),
            needs_one_of: Vec::new(),
            headers: Vec::new(),
            auth: None,
            found: None,
            map,
            charge: Charge::PerCall,
            rate_limit: None,
            timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(60),
        }
    }

    /// The fields the mapping reads, in its order.
    pub fn fields(&self) -> Vec<EnrichField> {
        let mut fields = Vec::new();
        for m in &self.map {
            if !fields.contains(&m.field) {
                fields.push(m.field);
            }
        }
        fields
    }

    /// Checks the templates and pointers; the first problem in words.
    pub fn check(&self) -> Result<(), String> {
        placeholders(&self.url)?;
        for (name, template) in &self.query {
            placeholders(template).map_err(|e| format!("query parameter {name}: {e}"))?;
        }
        for name in &self.needs_one_of {
            if !PLACEHOLDERS.contains(&name.as_str()) {
                return Err(format!(
                    "needs_one_of names {name:?}, which is not a placeholder"
                ));
            }
        }
        for pointer in self.found.iter().chain(self.map.iter().map(|m| &m.pointer)) {
            check_pointer(pointer)?;
        }
        Ok(())
    }
}

/// The placeholders a template names, in order; an unknown or unclosed one is an error.
pub fn placeholders(template: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("{template:?} has a `{{` that is not closed"))?;
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "{template:?} names {{{name}}}, which is not one of {{{}}}",
                PLACEHOLDERS.join("}, {")
            ));
        }
        names.push(name.to_string());
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// A JSON pointer as RFC 6901 writes it: empty, or `/` then tokens where `~` is followed
/// by `0` or `1`.
pub fn check_pointer(pointer: &str) -> Result<(), String> {
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(format!(
            "{pointer:?} is not a JSON pointer: it must start with `/`"
        ));
    }
    let mut chars = pointer.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return Err(format!(
                "{pointer:?} is not a JSON pointer: `~` must be followed by 0 or 1"
            ));
        }
    }
    Ok(())
}

/// A provider that calls a JSON API.
pub struct HttpProvider {
    name: String,
    spec: HttpSpec,
    cost: Credits,
    key: Option<ApiKey>,
    client: reqwest::Client,
    limiter: Option<Limiter>,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleeper>,
}

impl fmt::Debug for HttpProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpProvider")
            .field("name", &self.name)
            .field("url", &self.spec.url)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl HttpProvider {
    /// The provider `name` calling as `spec` says, charging `cost` a call; `key` is the
    /// value for `spec.auth` (required when it is set).
    pub fn new(
        name: &str,
        spec: HttpSpec,
        cost: Credits,
        key: Option<ApiKey>,
        clock: Arc<dyn Clock>,
        sleeper: Arc<dyn Sleeper>,
    ) -> Result<HttpProvider, String> {
        spec.check()?;
        if let (Some(auth), None) = (&spec.auth, &key) {
            return Err(format!("no API key given for {}", auth.env));
        }
        let client = reqwest::Client::builder()
            .timeout(spec.timeout)
            .user_agent(concat!("leadgate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("the HTTP client cannot start: {e}"))?;
        let limiter = spec
            .rate_limit
            .map(|limit| Limiter::new(limit, clock.clone(), sleeper.clone()));
        Ok(HttpProvider {
            name: name.to_string(),
            spec,
            cost,
            key,
            client,
            limiter,
            clock,
            sleeper,
        })
    }

    pub fn spec(&self) -> &HttpSpec {
        &self.spec
    }

    /// The request URL for `lookup`, or why it cannot be asked.
    fn url_for(&self, lookup: &Lookup) -> Result<reqwest::Url, Failure> {
        let missing = |what: &str| Failure::new(FailureKind::MissingInput, what.to_string());
        let (url, named) = fill(&self.spec.url, lookup, true)
            .map_err(|name| missing(&format!("no {} to look up", words(&name))))?;
        let mut url = reqwest::Url::parse(&url).map_err(|e| {
            Failure::new(
                FailureKind::Unreachable,
                format!("the URL template {:?} gives no URL: {e}", self.spec.url),
            )
            .after(0)
        })?;
        let mut inputs = named;
        for (name, template) in &self.spec.query {
            let Ok((value, named)) = fill(template, lookup, false) else {
                continue;
            };
            inputs += named;
            url.query_pairs_mut().append_pair(name, &value);
        }
        let known = |name: &String| value_of(lookup, name).is_some();
        if inputs == 0
            || !(self.spec.needs_one_of.is_empty() || self.spec.needs_one_of.iter().any(known))
        {
            let needs: Vec<String> = if self.spec.needs_one_of.is_empty() {
                self.spec
                    .query
                    .iter()
                    .flat_map(|(_, t)| placeholders(t).unwrap_or_default())
                    .collect()
            } else {
                self.spec.needs_one_of.clone()
            };
            let needs: Vec<&str> = needs.iter().map(|n| words(n)).collect();
            return Err(missing(&format!(
                "nothing to look up: it needs one of {}",
                needs.join(", ")
            )));
        }
        Ok(url)
    }

    async fn call(&self, lookup: &Lookup) -> Result<Answer, Failure> {
        let url = self.url_for(lookup)?;
        let mut attempt: u32 = 0;
        loop {
            if let Some(limiter) = &self.limiter {
                limiter.acquire().await;
            }
            attempt += 1;
            let (status, headers, text) =
                self.send(url.clone()).await.map_err(|f| f.after(attempt))?;
            if status.is_success() {
                return self.read(&text, attempt);
            }
            let message = error_message(&text);
            if status == StatusCode::NOT_FOUND {
                return Err(
                    Failure::new(FailureKind::NotFound, format!("HTTP 404: {message}"))
                        .with_status(404)
                        .after(attempt),
                );
            }
            if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                let code = status.as_u16();
                let kind = if code == 429 {
                    FailureKind::RateLimited
                } else {
                    FailureKind::HttpStatus
                };
                let fail = |reason: String| {
                    Err(Failure::new(kind, reason).with_status(code).after(attempt))
                };
                if attempt > self.spec.retries {
                    return fail(format!(
                        "HTTP {code} after {} retries: {message}",
                        self.spec.retries
                    ));
                }
                let wait = match self.retry_after(&headers) {
                    Some(wait) if wait > self.spec.max_retry_wait => {
                        return fail(format!(
                            "HTTP {code}: asked to wait {} s, more than the {} s allowed: {message}",
                            wait.as_secs(),
                            self.spec.max_retry_wait.as_secs()
                        ));
                    }
                    Some(wait) => wait,
                    None => backoff(self.spec.backoff, attempt - 1).min(self.spec.max_retry_wait),
                };
                self.sleeper.sleep(wait).await;
                continue;
            }
            let mut reason = format!("HTTP {}: {message}", status.as_u16());
            if status == StatusCode::UNAUTHORIZED
                && let Some(auth) = &self.spec.auth
            {
                reason.push_str(&format!("; check the key in {}", auth.env));
            }
            return Err(Failure::new(FailureKind::HttpStatus, reason)
                .with_status(status.as_u16())
                .after(attempt));
        }
    }

    /// Sends one request: the status, headers and body text.
    async fn send(&self, url: reqwest::Url) -> Result<(StatusCode, HeaderMap, String), Failure> {
        let mut request = match self.spec.method {
            Method::Get => self.client.get(url),
            Method::Post => self.client.post(url).json(&serde_json::json!({})),
        };
        request = request.header("Accept", "application/json");
        for (name, value) in &self.spec.headers {
            request = request.header(name, value);
        }
        if let (Some(auth), Some(key)) = (&self.spec.auth, &self.key) {
            request = request.header(&auth.header, format!("{}{}", auth.prefix, key.secret()));
        }
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                Failure::new(
                    FailureKind::Timeout,
                    format!("no answer within {}", seconds(self.spec.timeout)),
                )
            } else {
                Failure::new(FailureKind::Unreachable, crate::http_error::error_chain(&e))
            }
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.map_err(transport)?;
        Ok((status, headers, text))
    }

    /// The facts of a 2xx answer.
    fn read(&self, text: &str, attempts: u32) -> Result<Answer, Failure> {
        let per_call = match self.spec.charge {
            Charge::PerCall => self.cost,
            Charge::PerHit => Credits::ZERO,
        };
        let unparseable = |detail: String| {
            Failure::new(
                FailureKind::Unparseable,
                format!("{detail}; the answer began {:?}", snippet(text)),
            )
            .charged(per_call)
            .after(attempts)
        };
        let body: Value = serde_json::from_str(text)
            .map_err(|e| unparseable(format!("the answer is not JSON ({e})")))?;
        if !(body.is_object() || body.is_array()) {
            return Err(unparseable(
                "the answer is JSON but not an object".to_string(),
            ));
        }
        if let Some(found) = &self.spec.found
            && is_empty(body.pointer(found))
        {
            return Err(Failure::new(
                FailureKind::NotFound,
                format!("no match ({found} is empty in the answer)"),
            )
            .charged(per_call)
            .after(attempts));
        }
        let now = self.clock.now();
        let mut answer = Answer::new(Vec::new(), Credits::ZERO);
        answer.attempts = attempts;
        for m in &self.spec.map {
            if let Some(value) = body.pointer(&m.pointer) {
                let value = m.scale.map_or_else(|| value.clone(), |s| scaled(value, s));
                answer.push_value(m.field, &value, &self.name, now);
            }
        }
        answer.cost = match self.spec.charge {
            Charge::PerCall => self.cost,
            Charge::PerHit if answer.facts.is_empty() => Credits::ZERO,
            Charge::PerHit => self.cost,
        };
        Ok(answer)
    }

    /// A `Retry-After` wait: seconds, or an HTTP date measured from the injected clock.
    fn retry_after(&self, headers: &HeaderMap) -> Option<Duration> {
        let value = headers
            .get(reqwest::header::RETRY_AFTER)?
            .to_str()
            .ok()?
            .trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
        let wait = at.duration_since(self.clock.now());
        Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
    }
}

impl Provider for HttpProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn enrich<'a>(
        &'a self,
        lookup: &'a Lookup,
        _fields: &'a [EnrichField],
    ) -> BoxFuture<'a, Result<Answer, Failure>> {
        Box::pin(self.call(lookup))
    }
}

/// `template` with its placeholders filled from `lookup` (percent-encoded when `encode`),
/// and how many it named; or the first placeholder the lookup cannot fill.
fn fill(template: &str, lookup: &Lookup, encode: bool) -> Result<(String, usize), String> {
    let mut out = String::new();
    let mut rest = template;
    let mut named = 0;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        let value = value_of(lookup, name).ok_or_else(|| name.to_string())?;
        out.push_str(&rest[..open]);
        if encode {
            out.push_str(&percent_encode(&value));
        } else {
            out.push_str(&value);
        }
        named += 1;
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok((out, named))
}

fn value_of(lookup: &Lookup, name: &str) -> Option<String> {
    let text = |s: &Option<String>| {
        s.as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    match name {
        "domain" => lookup.company_domain().map(|d| d.as_str().to_string()),
        "email" => lookup.email.as_ref().map(|e| e.as_str().to_string()),
        "linkedin_url" => lookup.linkedin_url.as_ref().map(|l| l.as_str().to_string()),
        "first_name" => text(&lookup.first_name),
        "last_name" => text(&lookup.last_name),
        "name" => lookup.full_name(),
        "company_name" => text(&lookup.company_name),
        _ => None,
    }
}

fn words(placeholder: &str) -> &str {
    match placeholder {
        "email" => "e-mail address",
        "linkedin_url" => "LinkedIn URL",
        "first_name" => "first name",
        "last_name" => "last name",
        "company_name" => "company name",
        other => other,
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn is_empty(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Object(o)) => o.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    }
}

/// A number (or a number written as text) times `scale`, without the float's noise; other
/// values as they are, for the field's reading to refuse.
fn scaled(value: &Value, scale: f64) -> Value {
    let n = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match n {
        Some(n) => Value::from(((n * scale) * 1e6).round() / 1e6),
        None => value.clone(),
    }
}

/// Waits of `base`, 2 × `base`, 4 × `base`, …
fn backoff(base: Duration, retry: u32) -> Duration {
    base.saturating_mul(1u32 << retry.min(16))
}

fn seconds(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs_f64())
    }
}

fn snippet(text: &str) -> String {
    text.chars().take(80).collect()
}

/// An error answer's message, as every connector reads one.
fn error_message(text: &str) -> String {
    crate::http_error::error_message(text, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_name_known_placeholders_only() {
        assert_eq!(
            placeholders("https://x.test/v1/c?domain={domain}&n={name}"),
            Ok(vec!["domain".to_string(), "name".to_string()])
        );
        assert!(
            placeholders("https://x.test/{company}")
                .unwrap_err()
                .contains("{company}")
        );
        assert!(
            placeholders("https://x.test/{domain")
                .unwrap_err()
                .contains("not closed")
        );
    }

    #[test]
    fn pointers_follow_rfc_6901() {
        assert!(check_pointer("/organization/estimated_num_employees").is_ok());
        assert!(check_pointer("/a~1b/~0c").is_ok());
        assert!(check_pointer("").is_ok());
        assert!(check_pointer("organization").is_err());
        assert!(check_pointer("/a~2").is_err());
    }

    #[test]
    fn lookup_values_are_percent_encoded_in_the_url() {
        let lookup = Lookup {
            email: Some(
                leadgate_core::discovery::normalize::Email::parse("jane+crm@acme.com").unwrap(),
            ),
            ..Lookup::default()
        };
        let (url, named) =
            fill("https://x.test/p?email={email}&d={domain}", &lookup, true).unwrap();
        assert_eq!(
            url,
            "https://x.test/p?email=jane%2Bcrm%40acme.com&d=acme.com"
        );
        assert_eq!(named, 2);
        assert_eq!(
            fill("{linkedin_url}", &lookup, true),
            Err("linkedin_url".to_string())
        );
    }

    #[test]
    fn scaling_leaves_no_float_noise() {
        assert_eq!(scaled(&Value::from(0.123), 100.0), Value::from(12.3));
        assert_eq!(scaled(&Value::from("n/a"), 100.0), Value::from("n/a"));
    }

    #[test]
    fn backoff_doubles_from_its_base() {
        let base = Duration::from_millis(100);
        assert_eq!(backoff(base, 0), base);
        assert_eq!(backoff(base, 3), Duration::from_millis(800));
    }
}
