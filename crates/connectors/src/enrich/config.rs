//! The enrichment configuration: `[enrichment]` and its `[[enrichment.providers]]`, read
//! strictly from the workspace's TOML (other sections are the workspace's business) and
//! built into the running [`Enrichment`]. Every error names the file, line, column and key
//! (`leadgate.toml:14:7: key `enrichment.providers[1].url`: …`), as the ICP's do.
//!
//! ```toml
//! [enrichment]
//! budget = 500              # credits a run may spend (no limit when left out)
//! cache_ttl_days = 90       # a value younger than this is used without a call
//!
//! [[enrichment.providers]]
//! name = "research_sheet"
//! kind = "file"             # file | http | apollo_organization | apollo_people
//! order = 1                 # lower is asked first; left out: after those with one, as listed
//! path = "enrichment/companies.csv"   # relative to the workspace; .jsonl for JSON Lines
//! cost = 0                  # credits a call costs (default 0 for a file)
//! fields = ["funding_stage", "headcount"]   # default: every field
//!
//! [[enrichment.providers]]
//! name = "apollo_org"
//! kind = "apollo_organization"   # also: apollo_people
//! order = 2
//! cost = 1                  # default 1; charged per record found
//! rate_limit = "50/minute"
//! api_key_env = "APOLLO_API_KEY"   # the variable's name, never the key
//!
//! [[enrichment.providers]]
//! name = "firmo_api"
//! kind = "http"
//! order = 3
//! url = "https://api.firmo.example/v1/companies?domain={domain}"
//! method = "GET"            # or POST
//! auth = { header = "Authorization", env = "FIRMO_API_KEY", prefix = "Bearer " }
//! found = "/company"        # empty or absent there: not found
//! cost = 0.5                # required for http
//! charge = "per_call"       # or per_hit
//! rate_limit = "5/second"
//! timeout_secs = 10
//! retries = 3               # after a 429 or a 5xx
//! backoff_secs = 1          # the first wait, doubled each retry
//! max_retry_wait_secs = 60
//! [enrichment.providers.map]
//! headcount = "/company/employees"
//! headcount_growth_pct = { pointer = "/company/growth_12m", scale = 100 }
//! ```
//!
//! An HTTP provider may also set `query` (parameters added when their `{placeholder}` is
//! known), `needs_one_of` (placeholders of which one must be known) and `headers` (fixed,
//! not secret).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use leadgate_core::enrichment::{Credits, DEFAULT_CACHE_TTL_DAYS, EnrichField, Plan, ProviderPlan};
use leadgate_core::toml_error::{KeyPath, TomlError};
use serde::Deserialize;

use super::file::{BadRow, FileError, FileFormat, FileProvider};
use super::http::{self, Auth, Charge, HttpProvider, HttpSpec, Mapping, Method};
use super::limit::RateLimit;
use super::{Enrichment, Provider, apollo};
use crate::search::{ApiKey, Clock, Sleeper};

leadgate_core::values! {
    /// What a provider is.
    pub enum ProviderKind("provider kind") {
        File = "file" / "file",
        Http = "http" / "HTTP JSON API",
        ApolloOrganization = "apollo_organization" / "Apollo organization enrichment",
        ApolloPeople = "apollo_people" / "Apollo people enrichment",
    }
}

/// The `[enrichment]` section, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrichmentConfig {
    pub budget: Option<Credits>,
    pub cache_ttl_days: u32,
    /// In the order they are asked.
    pub providers: Vec<ProviderConfig>,
}

/// One provider, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfig {
    pub name: String,
    pub kind: ProviderKind,
    pub order: Option<i64>,
    pub fields: Vec<EnrichField>,
    pub cost: Credits,
    pub source: Source,
}

/// Where a provider's facts come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    File {
        path: PathBuf,
        format: Option<FileFormat>,
    },
    /// The generic provider, and the Apollo presets, which are configurations of it.
    Http(Box<HttpSpec>),
}

#[derive(Deserialize)]
struct Document {
    enrichment: Option<RawEnrichment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnrichment {
    budget: Option<Credits>,
    cache_ttl_days: Option<u32>,
    #[serde(default)]
    providers: Vec<RawProvider>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    name: String,
    kind: ProviderKind,
    order: Option<i64>,
    fields: Option<Vec<EnrichField>>,
    cost: Option<Credits>,
    path: Option<String>,
    format: Option<RawFormat>,
    url: Option<String>,
    method: Option<RawMethod>,
    query: Option<BTreeMap<String, String>>,
    needs_one_of: Option<Vec<String>>,
    headers: Option<BTreeMap<String, String>>,
    auth: Option<RawAuth>,
    found: Option<String>,
    map: Option<BTreeMap<String, RawPointer>>,
    charge: Option<RawCharge>,
    rate_limit: Option<String>,
    timeout_secs: Option<f64>,
    retries: Option<u32>,
    backoff_secs: Option<f64>,
    max_retry_wait_secs: Option<f64>,
    base_url: Option<String>,
    api_key_env: Option<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum RawFormat {
    Csv,
    Jsonl,
}

#[derive(Deserialize, Clone, Copy)]
enum RawMethod {
    #[serde(rename = "GET", alias = "get")]
    Get,
    #[serde(rename = "POST", alias = "post")]
    Post,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum RawCharge {
    PerCall,
    PerHit,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    header: String,
    env: String,
    #[serde(default)]
    prefix: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawPointer {
    Pointer(String),
    Scaled(ScaledPointer),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScaledPointer {
    pointer: String,
    scale: Option<f64>,
}

/// The keys each kind takes, beyond `name`, `kind`, `order`, `fields` and `cost`.
fn allowed(kind: ProviderKind) -> &'static [&'static str] {
    const CALLS: [&str; 6] = [
        "charge",
        "rate_limit",
        "timeout_secs",
        "retries",
        "backoff_secs",
        "max_retry_wait_secs",
    ];
    match kind {
        ProviderKind::File => &["path", "format"],
        ProviderKind::Http => &[
            "url",
            "method",
            "query",
            "needs_one_of",
            "headers",
            "auth",
            "found",
            "map",
            CALLS[0],
            CALLS[1],
            CALLS[2],
            CALLS[3],
            CALLS[4],
            CALLS[5],
        ],
        ProviderKind::ApolloOrganization | ProviderKind::ApolloPeople => &[
            "base_url",
            "api_key_env",
            CALLS[0],
            CALLS[1],
            CALLS[2],
            CALLS[3],
            CALLS[4],
            CALLS[5],
        ],
    }
}

impl RawProvider {
    /// The kind-specific keys that are set.
    fn set_keys(&self) -> Vec<&'static str> {
        [
            ("path", self.path.is_some()),
            ("format", self.format.is_some()),
            ("url", self.url.is_some()),
            ("method", self.method.is_some()),
            ("query", self.query.is_some()),
            ("needs_one_of", self.needs_one_of.is_some()),
            ("headers", self.headers.is_some()),
            ("auth", self.auth.is_some()),
            ("found", self.found.is_some()),
            ("map", self.map.is_some()),
            ("charge", self.charge.is_some()),
            ("rate_limit", self.rate_limit.is_some()),
            ("timeout_secs", self.timeout_secs.is_some()),
            ("retries", self.retries.is_some()),
            ("backoff_secs", self.backoff_secs.is_some()),
            ("max_retry_wait_secs", self.max_retry_wait_secs.is_some()),
            ("base_url", self.base_url.is_some()),
            ("api_key_env", self.api_key_env.is_some()),
        ]
        .into_iter()
        .filter(|(_, set)| *set)
        .map(|(key, _)| key)
        .collect()
    }
}

/// A problem at a key path, located in the text once found.
struct Problem {
    path: KeyPath,
    message: String,
}

type Checked<T> = Result<T, Problem>;

fn problem(path: KeyPath, message: impl Into<String>) -> Problem {
    Problem {
        path,
        message: message.into(),
    }
}

impl EnrichmentConfig {
    /// Reads `[enrichment]` from the TOML `text` (`origin` names it in errors). A text
    /// without the section configures no provider.
    pub fn parse(text: &str, origin: &str) -> Result<EnrichmentConfig, TomlError> {
        let document: Document =
            toml::from_str(text).map_err(|e| TomlError::from_de(&e, text, origin))?;
        let raw = document.enrichment.unwrap_or(RawEnrichment {
            budget: None,
            cache_ttl_days: None,
            providers: Vec::new(),
        });
        check(raw).map_err(|p| TomlError::at(text, origin, &p.path, p.message))
    }

    /// The waterfall's plan over the providers.
    pub fn plan(&self) -> Plan {
        let providers = self
            .providers
            .iter()
            .map(|p| ProviderPlan {
                name: p.name.clone(),
                fields: p.fields.clone(),
                cost: p.cost,
            })
            .collect();
        Plan::new(providers, self.cache_ttl_days).expect("checked when parsed")
    }

    /// Builds the providers: reads the files (relative paths from `context.base_dir`),
    /// reads the keys from the environment, and starts the HTTP clients.
    pub fn build(&self, context: &BuildContext) -> Result<Built, BuildError> {
        let mut providers: Vec<Arc<dyn Provider>> = Vec::new();
        let mut bad_rows = Vec::new();
        for p in &self.providers {
            let at = |message: String| BuildError::Provider {
                provider: p.name.clone(),
                message,
            };
            match &p.source {
                Source::File { path, format } => {
                    let path = context.base_dir.join(path);
                    let observed_at = modified(&path).unwrap_or_else(|| context.clock.now());
                    let loaded = FileProvider::open(&p.name, &path, *format, p.cost, observed_at)
                        .map_err(|source| BuildError::File {
                        provider: p.name.clone(),
                        source,
                    })?;
                    bad_rows.extend(loaded.bad_rows);
                    providers.push(Arc::new(loaded.provider));
                }
                Source::Http(spec) => {
                    let key = match &spec.auth {
                        Some(auth) => Some(
                            ApiKey::from_lookup(&auth.env, |name| (context.env)(name))
                                .map_err(|e| at(e.to_string()))?,
                        ),
                        None => None,
                    };
                    let provider = HttpProvider::new(
                        &p.name,
                        (**spec).clone(),
                        p.cost,
                        key,
                        context.clock.clone(),
                        context.sleeper.clone(),
                    )
                    .map_err(at)?;
                    providers.push(Arc::new(provider));
                }
            }
        }
        let enrichment =
            Enrichment::new(self.plan(), self.budget, providers).map_err(BuildError::Plan)?;
        Ok(Built {
            enrichment,
            bad_rows,
        })
    }
}

fn modified(path: &Path) -> Option<jiff::Timestamp> {
    let time = std::fs::metadata(path).ok()?.modified().ok()?;
    jiff::Timestamp::try_from(time).ok()
}

/// Reads an environment variable (the process's, or a test's map).
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// What building needs from outside: where relative paths start, how to read a variable,
/// the clock and the sleeper.
pub struct BuildContext {
    pub base_dir: PathBuf,
    pub env: EnvLookup,
    pub clock: Arc<dyn Clock>,
    pub sleeper: Arc<dyn Sleeper>,
}

impl BuildContext {
    /// Keys from the process environment.
    pub fn from_env(base_dir: &Path, clock: Arc<dyn Clock>, sleeper: Arc<dyn Sleeper>) -> Self {
        BuildContext {
            base_dir: base_dir.to_path_buf(),
            env: Arc::new(|name| std::env::var(name).ok()),
            clock,
            sleeper,
        }
    }
}

/// The providers built, and the rows their files left out.
pub struct Built {
    pub enrichment: Enrichment,
    pub bad_rows: Vec<BadRow>,
}

/// A provider that could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("enrichment provider {provider}: {message}")]
    Provider { provider: String, message: String },
    #[error("enrichment provider {provider}: {source}")]
    File {
        provider: String,
        #[source]
        source: FileError,
    },
    #[error("enrichment: {0}")]
    Plan(String),
}

fn check(raw: RawEnrichment) -> Checked<EnrichmentConfig> {
    let root = KeyPath::default().key("enrichment");
    let cache_ttl_days = raw.cache_ttl_days.unwrap_or(DEFAULT_CACHE_TTL_DAYS);
    if cache_ttl_days > 3650 {
        return Err(problem(
            root.key("cache_ttl_days"),
            format!("{cache_ttl_days} days is more than ten years"),
        ));
    }
    let mut providers = Vec::new();
    for (i, p) in raw.providers.into_iter().enumerate() {
        let path = root.key("providers").index(i);
        let checked = provider(&path, p)?;
        if providers
            .iter()
            .any(|q: &ProviderConfig| q.name == checked.name)
        {
            return Err(problem(
                path.key("name"),
                format!("another provider is named {:?}", checked.name),
            ));
        }
        providers.push(checked);
    }
    // Stable: providers of one order, or without one, stay as listed.
    providers.sort_by_key(|p| p.order.unwrap_or(i64::MAX));
    Ok(EnrichmentConfig {
        budget: raw.budget,
        cache_ttl_days,
        providers,
    })
}

fn provider(path: &KeyPath, p: RawProvider) -> Checked<ProviderConfig> {
    let name_ok = !p.name.is_empty()
        && p.name.len() <= 64
        && p.name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !name_ok {
        return Err(problem(
            path.key("name"),
            format!(
                "{:?} is not a provider name: lower-case letters, digits, `_` and `-`",
                p.name
            ),
        ));
    }
    if let Some(key) = p
        .set_keys()
        .into_iter()
        .find(|k| !allowed(p.kind).contains(k))
    {
        return Err(problem(
            path.key(key),
            format!("is not a key of a `{}` provider", p.kind),
        ));
    }
    let (source, gives, default_cost) = match p.kind {
        ProviderKind::File => {
            let Some(file) = &p.path else {
                return Err(problem(path.key("path"), "is required for a file provider"));
            };
            let format = p.format.map(|f| match f {
                RawFormat::Csv => FileFormat::Csv,
                RawFormat::Jsonl => FileFormat::JsonLines,
            });
            let source = Source::File {
                path: PathBuf::from(file),
                format,
            };
            (source, EnrichField::ALL.to_vec(), Some(Credits::ZERO))
        }
        ProviderKind::Http => {
            let spec = http_spec(path, &p)?;
            let gives = spec.fields();
            (Source::Http(Box::new(spec)), gives, None)
        }
        ProviderKind::ApolloOrganization | ProviderKind::ApolloPeople => {
            let base = p.base_url.as_deref().unwrap_or(apollo::DEFAULT_BASE_URL);
            if !(base.starts_with("https://") || base.starts_with("http://")) {
                return Err(problem(
                    path.key("base_url"),
                    format!("{base:?} is not an http(s) URL"),
                ));
            }
            let env = p
                .api_key_env
                .as_deref()
                .unwrap_or(apollo::DEFAULT_KEY_VARIABLE);
            check_env_name(&path.key("api_key_env"), env)?;
            let mut spec = if p.kind == ProviderKind::ApolloOrganization {
                apollo::organization(base, env)
            } else {
                apollo::people(base, env)
            };
            calls(path, &p, &mut spec)?;
            let gives = spec.fields();
            (Source::Http(Box::new(spec)), gives, Some(Credits::whole(1)))
        }
    };
    let fields = match &p.fields {
        None => gives,
        Some(fields) => {
            for (j, field) in fields.iter().enumerate() {
                if !gives.contains(field) {
                    return Err(problem(
                        path.key("fields").index(j),
                        format!("a `{}` provider does not give {field}", p.kind),
                    ));
                }
            }
            if fields.is_empty() {
                return Err(problem(path.key("fields"), "names no field"));
            }
            fields.clone()
        }
    };
    let cost = match (p.cost, default_cost) {
        (Some(cost), _) | (None, Some(cost)) => cost,
        (None, None) => {
            return Err(problem(
                path.key("cost"),
                "is required: the credits one call costs (0 for a free API)",
            ));
        }
    };
    Ok(ProviderConfig {
        name: p.name,
        kind: p.kind,
        order: p.order,
        fields,
        cost,
        source,
    })
}

fn http_spec(path: &KeyPath, p: &RawProvider) -> Checked<HttpSpec> {
    let Some(url) = &p.url else {
        return Err(problem(path.key("url"), "is required for an http provider"));
    };
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(problem(
            path.key("url"),
            format!("{url:?} is not an http(s) URL"),
        ));
    }
    let names = http::placeholders(url).map_err(|e| problem(path.key("url"), e))?;
    let Some(raw_map) = p.map.as_ref().filter(|m| !m.is_empty()) else {
        return Err(problem(
            path.key("map"),
            "is required for an http provider: which field is read at which JSON pointer",
        ));
    };
    let mut map = Vec::new();
    for (key, pointer) in raw_map {
        let at = path.key("map").key(key);
        let field: EnrichField = key.parse().map_err(|e: String| problem(at.clone(), e))?;
        let (pointer, scale) = match pointer {
            RawPointer::Pointer(p) => (p.clone(), None),
            RawPointer::Scaled(s) => (s.pointer.clone(), s.scale),
        };
        http::check_pointer(&pointer).map_err(|e| problem(at.clone(), e))?;
        if scale.is_some_and(|s| !s.is_finite() || s == 0.0) {
            return Err(problem(at.key("scale"), "must be a number other than 0"));
        }
        map.push(Mapping {
            field,
            pointer,
            scale,
        });
    }
    let mut spec = HttpSpec::new(url.clone(), map);
    spec.method = match p.method {
        Some(RawMethod::Post) => Method::Post,
        _ => Method::Get,
    };
    let mut inputs = names.len();
    for (name, template) in p.query.iter().flatten() {
        let named =
            http::placeholders(template).map_err(|e| problem(path.key("query").key(name), e))?;
        inputs += named.len();
        spec.query.push((name.clone(), template.clone()));
    }
    if inputs == 0 {
        return Err(problem(
            path.key("url"),
            "names no {placeholder} (in the URL or a query parameter): every call would ask the same",
        ));
    }
    for (j, name) in p.needs_one_of.iter().flatten().enumerate() {
        if !http::PLACEHOLDERS.contains(&name.as_str()) {
            return Err(problem(
                path.key("needs_one_of").index(j),
                format!("{name:?} is not one of {}", http::PLACEHOLDERS.join(", ")),
            ));
        }
        spec.needs_one_of.push(name.clone());
    }
    for (name, value) in p.headers.iter().flatten() {
        check_header_name(&path.key("headers").key(name), name)?;
        spec.headers.push((name.clone(), value.clone()));
    }
    if let Some(auth) = &p.auth {
        check_header_name(&path.key("auth").key("header"), &auth.header)?;
        check_env_name(&path.key("auth").key("env"), &auth.env)?;
        spec.auth = Some(Auth {
            header: auth.header.clone(),
            env: auth.env.clone(),
            prefix: auth.prefix.clone(),
        });
    }
    if let Some(found) = &p.found {
        http::check_pointer(found).map_err(|e| problem(path.key("found"), e))?;
        spec.found = Some(found.clone());
    }
    calls(path, p, &mut spec)?;
    Ok(spec)
}

/// The keys of how calls are made, shared by the generic provider and the presets.
fn calls(path: &KeyPath, p: &RawProvider, spec: &mut HttpSpec) -> Checked<()> {
    if let Some(charge) = p.charge {
        spec.charge = match charge {
            RawCharge::PerCall => Charge::PerCall,
            RawCharge::PerHit => Charge::PerHit,
        };
    }
    if let Some(limit) = &p.rate_limit {
        spec.rate_limit = Some(
            limit
                .parse::<RateLimit>()
                .map_err(|e| problem(path.key("rate_limit"), e))?,
        );
    }
    let secs = |key: &str, value: Option<f64>, max: f64| -> Checked<Option<Duration>> {
        match value {
            None => Ok(None),
            Some(s) if s.is_finite() && s > 0.0 && s <= max => Ok(Some(Duration::from_secs_f64(s))),
            Some(s) => Err(problem(
                path.key(key),
                format!("{s} is not a number of seconds above 0 and at most {max}"),
            )),
        }
    };
    if let Some(d) = secs("timeout_secs", p.timeout_secs, 600.0)? {
        spec.timeout = d;
    }
    if let Some(d) = secs("backoff_secs", p.backoff_secs, 600.0)? {
        spec.backoff = d;
    }
    if let Some(d) = secs("max_retry_wait_secs", p.max_retry_wait_secs, 3600.0)? {
        spec.max_retry_wait = d;
    }
    if let Some(retries) = p.retries {
        if retries > 10 {
            return Err(problem(
                path.key("retries"),
                format!("{retries} is more than 10"),
            ));
        }
        spec.retries = retries;
    }
    Ok(())
}

fn check_env_name(path: &KeyPath, name: &str) -> Checked<()> {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(problem(
            path.clone(),
            format!(
                "{name:?} is not an environment variable name: put the key in a variable and \
                 name the variable here"
            ),
        ))
    }
}

fn check_header_name(path: &KeyPath, name: &str) -> Checked<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
    if ok {
        Ok(())
    } else {
        Err(problem(
            path.clone(),
            format!("{name:?} is not a header name"),
        ))
    }
}
