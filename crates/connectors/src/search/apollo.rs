//! Apollo's People API Search as a [`SearchSource`], written from Apollo's public API
//! documentation ("People API Search", "Rate Limits", "API Pricing and Credits").
//!
//! **The request.** `POST {base}/mixed_people/api_search` with the key in the `x-api-key`
//! header and the filters as a JSON body: `person_titles`, `person_seniorities`,
//! `person_department_or_subdepartments`, `organization_locations`,
//! `organization_num_employees_ranges` (`"51,200"`), `revenue_range` (`{min, max}`),
//! `q_organization_keyword_tags`, `currently_using_{any,all}_of_technology_uids`,
//! `currently_not_using_any_of_technology_uids`, `page` and `per_page` (at most 100). Apollo
//! combines different filters with AND and the values of one filter with OR, so an ICP
//! whose personas match by title *or* by seniority and department compiles into one search
//! per route; people found by both are imported once.
//!
//! **The answer.** `people` (and, from the older `mixed_people/search`, `contacts`) and
//! either a `pagination` object (`page`, `per_page`, `total_entries`, `total_pages`) or a
//! top-level `total_entries`. Each person is flattened into one JSON object whose keys are
//! Apollo's own field paths (`organization.primary_domain`), and [`mapping`] names the field
//! each key fills; everything else is kept as an extra of the record. Apollo shows at most
//! 50,000 results of a search (500 pages of 100).
//!
//! **Limits.** Apollo counts requests per minute, hour and day in fixed windows and says so
//! in headers (`x-minute-requests-left`, `x-hourly-requests-left`, `x-daily-requests-left`,
//! `x-rate-limit-minute`, …); past a limit it answers 429. A 429 is retried after its
//! `Retry-After` when it sends one, else with exponential back-off, both bounded by the
//! [`Budget`]. A used-up hourly or daily allowance stops the run with the pages so far.
//!
//! **Credits.** The People API Search consumes no credits; the older People Search
//! (`mixed_people/search`, [`Endpoint::MixedPeopleSearch`]) consumes one export credit per
//! page that returns people. A run asks for a page only when its worst-case cost fits the
//! credit budget.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use leadgate_core::icp::{Department, IcpDocument, Persona, Seniority};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::country_names::country_name;
use super::{
    ApiKey, BoxFuture, Budget, Clock, CompiledQuery, CompiledSearch, Criterion, Pacer,
    RateLimitStatus, SearchError, SearchFailure, SearchProgress, SearchReport, SearchRun,
    SearchSource, Sleeper, StopReason, WaitReason,
};
use crate::import::{Columns, Field, FileFormat, ImportOptions, Mapping};

/// Apollo's API, as its documentation names it.
pub const DEFAULT_BASE_URL: &str = "https://api.apollo.io/api/v1";
/// The environment variable the key is read from unless the configuration names another.
pub const DEFAULT_KEY_VARIABLE: &str = "APOLLO_API_KEY";
/// Apollo shows no page past this one of a search.
pub const DISPLAY_LIMIT_PAGES: u32 = 500;
/// The largest page Apollo serves.
pub const MAX_PER_PAGE: u32 = 100;
/// The upper end of an employee range whose ICP gives none: above every employer.
const OPEN_EMPLOYEES_MAX: i64 = 10_000_000;
const SOURCE: &str = "apollo";

/// Which of Apollo's people searches to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `POST /mixed_people/api_search`, "People API Search": 0 credits, no e-mails, last
    /// names obfuscated.
    #[default]
    ApiSearch,
    /// `POST /mixed_people/search`, the older "People Search": 1 export credit per page
    /// that returns people.
    MixedPeopleSearch,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::ApiSearch => "/mixed_people/api_search",
            Endpoint::MixedPeopleSearch => "/mixed_people/search",
        }
    }

    /// Credits a page with at least one person costs, per Apollo's pricing page.
    pub fn credits_per_page(self) -> u64 {
        match self {
            Endpoint::ApiSearch => 0,
            Endpoint::MixedPeopleSearch => 1,
        }
    }
}

/// The `[sources.apollo]` configuration: every key optional, unknown keys refused.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApolloConfig {
    /// The API's base URL; tests point it at a loopback server.
    pub base_url: String,
    /// The environment variable that holds the API key.
    pub api_key_env: String,
    pub endpoint: Endpoint,
    /// Overrides the endpoint's credits per page, for plans that are charged otherwise.
    pub credits_per_page: Option<u64>,
    /// Send the ICP's industries as `q_organization_keyword_tags` (Apollo's people search
    /// has no industry-name filter; keyword tags are the nearest documented one).
    pub industries_as_keywords: bool,
    /// Apollo technology uids for tool names whose uid is not the name in lower case with
    /// spaces and periods as underscores (`"Google Tag Manager" = "gtm"`).
    pub technology_uids: BTreeMap<String, String>,
    /// Seconds one HTTP request may take.
    pub timeout_secs: u64,
}

impl Default for ApolloConfig {
    fn default() -> Self {
        ApolloConfig {
            base_url: DEFAULT_BASE_URL.to_string(),
            api_key_env: DEFAULT_KEY_VARIABLE.to_string(),
            endpoint: Endpoint::default(),
            credits_per_page: None,
            industries_as_keywords: true,
            technology_uids: BTreeMap::new(),
            timeout_secs: 30,
        }
    }
}

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

/// How the flattened people are imported: each key of [`flatten`] to its field.
pub fn mapping() -> Mapping {
    let columns = [
        (Field::RecordId, "id"),
        (Field::ObservedAt, "observed_at"),
        (Field::FirstName, "first_name"),
        (Field::LastName, "last_name"),
        (Field::FullName, "name"),
        (Field::Email, "email"),
        (Field::Title, "title"),
        (Field::LinkedinUrl, "linkedin_url"),
        (Field::City, "city"),
        (Field::Region, "state"),
        (Field::Country, "country"),
        (Field::CompanyName, "organization.name"),
        (Field::CompanyDomain, "organization.primary_domain"),
        (Field::Website, "organization.website_url"),
        (Field::Industry, "organization.industry"),
        (Field::Employees, "organization.estimated_num_employees"),
        (Field::Revenue, "organization.annual_revenue"),
        (Field::Technologies, "organization.technology_names"),
        (Field::CompanyPhone, "organization.phone"),
        (Field::CompanyCountry, "organization.country"),
        (Field::CompanyLinkedinUrl, "organization.linkedin_url"),
    ];
    Mapping {
        columns: columns
            .into_iter()
            .map(|(field, column)| (field, column.to_string()))
            .collect(),
        ..Mapping::default()
    }
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

// ---------------------------------------------------------------------------------------------
// Compiling an ICP

/// Apollo's seniority values for a leadgate seniority: the titles leadgate's title
/// classifier puts at that level (founders, owners and partners are c_level; heads are
/// directors), in the order Apollo's documentation lists them.
pub fn apollo_seniorities(seniority: Seniority) -> &'static [&'static str] {
    match seniority {
        Seniority::CLevel => &["owner", "founder", "c_suite", "partner"],
        Seniority::Vp => &["vp"],
        Seniority::Director => &["head", "director"],
        Seniority::Manager => &["manager"],
        Seniority::Senior => &["senior"],
        Seniority::Entry => &["entry", "intern"],
    }
}

/// Apollo's department for a leadgate department, when Apollo has one of the same scope.
pub fn apollo_department(department: Department) -> Option<&'static str> {
    match department {
        Department::Sales => Some("master_sales"),
        Department::Marketing => Some("master_marketing"),
        Department::Operations => Some("master_operations"),
        Department::Engineering => Some("master_engineering_technical"),
        Department::Product => Some("product_management"),
        Department::Finance => Some("master_finance"),
        Department::Hr => Some("master_human_resources"),
        Department::It => Some("master_information_technology"),
        Department::Executive => Some("c_suite"),
        Department::Legal => Some("master_legal"),
        Department::CustomerSuccess | Department::Other => None,
    }
}

/// Apollo's technology uid for a tool name: the configured one, else the name in lower case
/// with spaces and periods as underscores (`WordPress.org` → `wordpress_org`).
fn technology_uid(name: &str, config: &ApolloConfig) -> String {
    if let Some(uid) = config
        .technology_uids
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name.trim()))
        .map(|(_, v)| v)
    {
        return uid.clone();
    }
    name.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '.' { '_' } else { c })
        .collect()
}

/// Pushes distinct strings, keeping the first spelling of each (compared ignoring case).
fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x.eq_ignore_ascii_case(item)) {
        list.push(item.to_string());
    }
}

fn names(personas: &[&Persona]) -> String {
    personas
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A key as the ICP filter names criteria: bare when TOML allows, else quoted.
fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// The ICP in Apollo's filters. Public so that a caller can show it before any key exists.
pub fn compile(icp: &IcpDocument, config: &ApolloConfig) -> Result<CompiledQuery, SearchError> {
    icp.validate(&icp.segment)?;
    let mut common = Map::new();
    let mut pushed = Vec::new();
    let mut not_pushed = Vec::new();
    let mut push = |criterion: &str, detail: String| {
        pushed.push(Criterion {
            criterion: criterion.to_string(),
            detail,
        })
    };
    let mut skip = |criterion: &str, detail: &str| {
        not_pushed.push(Criterion {
            criterion: criterion.to_string(),
            detail: detail.to_string(),
        })
    };

    let f = &icp.firmographics;
    if let Some(bounds) = &f.employees {
        let min = bounds.min.unwrap_or(1).max(1);
        let max = bounds.max.unwrap_or(OPEN_EMPLOYEES_MAX).max(min);
        let range = format!("{min},{max}");
        push(
            "firmographics.employees",
            format!("organization_num_employees_ranges [{range:?}]"),
        );
        common.insert("organization_num_employees_ranges".into(), json!([range]));
    }
    if !f.industries.is_empty() {
        if config.industries_as_keywords {
            let tags: Vec<String> = f
                .industries
                .iter()
                .map(|i| i.trim().to_lowercase())
                .collect();
            push(
                "firmographics.industries",
                "q_organization_keyword_tags: Apollo matches company keyword tags, not the \
                 industry itself, so the industry is checked again after import"
                    .to_string(),
            );
            common.insert("q_organization_keyword_tags".into(), json!(tags));
        } else {
            skip(
                "firmographics.industries",
                "industries_as_keywords is off, and People API Search has no industry-name filter",
            );
        }
    }
    if !f.countries.is_empty() || !f.regions.is_empty() {
        let mut codes: Vec<&str> = f.countries.iter().map(String::as_str).collect();
        for region in &f.regions {
            codes.extend(region.countries());
        }
        let mut places = Vec::new();
        for code in codes {
            // Every code the ICP reader accepts has a name; the check keeps input from
            // ever panicking here.
            if let Some(name) = country_name(code) {
                push_unique(&mut places, name);
            }
        }
        push(
            "firmographics.location",
            format!(
                "organization_locations: {} countr{} of the company's headquarters",
                places.len(),
                if places.len() == 1 { "y" } else { "ies" }
            ),
        );
        common.insert("organization_locations".into(), json!(places));
    }
    if let Some(bounds) = &f.revenue_usd {
        let mut range = Map::new();
        if let Some(min) = bounds.min {
            range.insert("min".into(), json!(min));
        }
        if let Some(max) = bounds.max {
            range.insert("max".into(), json!(max));
        }
        push(
            "firmographics.revenue_usd",
            format!("revenue_range {}", Value::Object(range.clone())),
        );
        common.insert("revenue_range".into(), Value::Object(range));
    }
    if f.headcount_growth_pct.is_some() {
        skip(
            "firmographics.headcount_growth_pct",
            "People API Search has no headcount-growth filter",
        );
    }

    let t = &icp.technographics;
    for (list, key, criterion) in [
        (
            &t.any,
            "currently_using_any_of_technology_uids",
            "technographics.any",
        ),
        (
            &t.all,
            "currently_using_all_of_technology_uids",
            "technographics.all",
        ),
        (
            &t.none,
            "currently_not_using_any_of_technology_uids",
            "technographics.none",
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        let uids: Vec<String> = list.iter().map(|n| technology_uid(n, config)).collect();
        push(
            criterion,
            format!("{key} {}", serde_json::to_string(&uids).unwrap_or_default()),
        );
        common.insert(key.into(), json!(uids));
    }

    let mut searches = Vec::new();
    let with_common = |persona_filters: Map<String, Value>| {
        let mut filters = persona_filters;
        filters.extend(common.clone());
        filters
    };
    let by_title: Vec<&Persona> = icp
        .personas
        .iter()
        .filter(|p| !p.titles.is_empty())
        .collect();
    let by_role: Vec<&Persona> = icp
        .personas
        .iter()
        .filter(|p| !p.seniority.is_empty() || !p.departments.is_empty())
        .collect();
    if !by_title.is_empty() {
        let mut titles = Vec::new();
        for title in by_title.iter().flat_map(|p| &p.titles) {
            push_unique(&mut titles, title.trim());
        }
        let mut filters = Map::new();
        filters.insert("person_titles".into(), json!(titles));
        searches.push(CompiledSearch {
            label: format!("personas by title ({})", names(&by_title)),
            filters: with_common(filters),
        });
    }
    if !by_role.is_empty() {
        let mut filters = Map::new();
        let mut pushed_any = false;
        if let Some(without) = by_role.iter().find(|p| p.seniority.is_empty()) {
            skip(
                "personas (seniority)",
                &format!(
                    "persona {} lists no seniority, so the search by seniority and department \
                     takes every seniority",
                    without.name
                ),
            );
        } else {
            let mut seniorities: Vec<&str> = Vec::new();
            for s in by_role.iter().flat_map(|p| &p.seniority) {
                seniorities.extend(apollo_seniorities(*s));
            }
            let order = [
                "owner", "founder", "c_suite", "partner", "vp", "head", "director", "manager",
                "senior", "entry", "intern",
            ];
            let sorted: Vec<&str> = order
                .into_iter()
                .filter(|s| seniorities.contains(s))
                .collect();
            filters.insert("person_seniorities".into(), json!(sorted));
            pushed_any = true;
        }
        let unmapped: Vec<Department> = by_role
            .iter()
            .flat_map(|p| &p.departments)
            .copied()
            .filter(|d| apollo_department(*d).is_none())
            .collect();
        if let Some(without) = by_role.iter().find(|p| p.departments.is_empty()) {
            skip(
                "personas (departments)",
                &format!(
                    "persona {} lists no department, so the search by seniority and department \
                     takes every department",
                    without.name
                ),
            );
        } else if let Some(d) = unmapped.first() {
            skip(
                "personas (departments)",
                &format!(
                    "Apollo has no department that matches {d}, so the search by seniority and \
                     department takes every department"
                ),
            );
        } else {
            let mut departments: Vec<String> = Vec::new();
            for d in by_role.iter().flat_map(|p| &p.departments) {
                if let Some(name) = apollo_department(*d) {
                    push_unique(&mut departments, name);
                }
            }
            filters.insert(
                "person_department_or_subdepartments".into(),
                json!(departments),
            );
            pushed_any = true;
        }
        if by_role.len() > 1 && pushed_any {
            skip(
                "personas (pairs)",
                "the personas' seniorities and departments are combined in one search (any of \
                 the seniorities in any of the departments); which pairs belong together is \
                 checked after import",
            );
        }
        searches.push(CompiledSearch {
            label: format!("personas by seniority and department ({})", names(&by_role)),
            filters: with_common(filters),
        });
    }
    if icp.personas.is_empty() {
        searches.push(CompiledSearch {
            label: "everyone at the matching companies (the ICP has no personas)".to_string(),
            filters: common.clone(),
        });
    } else {
        push(
            "personas",
            format!(
                "person_titles, person_seniorities and person_department_or_subdepartments in \
                 {} search{}; Apollo also returns similar titles, so the persona is checked \
                 again after import",
                searches.len(),
                if searches.len() == 1 { "" } else { "es" }
            ),
        );
    }

    for signal in &icp.signals {
        skip(
            &format!("signals.{}", signal.kind),
            "behavioural signals are seen on our own properties, not in Apollo",
        );
    }
    for intent in &icp.intent {
        skip(
            &format!("intent.{}", toml_key(&intent.topic)),
            "third-party intent is not a People API Search filter",
        );
    }
    let e = &icp.exclusions;
    if !e.domains.is_empty() {
        skip(
            "exclusions.domains",
            "People API Search documents no filter that excludes employers' domains",
        );
    }
    if !e.competitors.is_empty() {
        skip(
            "exclusions.competitors",
            "People API Search documents no filter that excludes employers' domains",
        );
    }
    if e.existing_customers {
        skip(
            "exclusions.existing_customers",
            "who is a customer is known to the CRM, not to Apollo",
        );
    }

    Ok(CompiledQuery {
        source: SOURCE.to_string(),
        segment: icp.segment.clone(),
        searches,
        pushed_down: pushed,
        not_pushed_down: not_pushed,
    })
}

// ---------------------------------------------------------------------------------------------
// Running a query

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
            if let Some(status) = &self.report.rate_limit {
                for (left, window) in [(status.hourly_left, "hourly"), (status.daily_left, "daily")]
                {
                    if left == Some(0) {
                        return Ok(Outcome::Stop(StopReason::RateLimited {
                            detail: format!("Apollo's {window} allowance of requests is used up"),
                        }));
                    }
                }
            }
            self.pacer
                .acquire(&mut self.report.waits, self.minute_used_up)
                .await;
            // Waited out; only a newer answer's headers can say the minute is used up again.
            self.minute_used_up = false;
            self.report.requests += 1;
            let sent = self
                .search
                .client
                .post(self.search.url())
                .header("x-api-key", self.search.key.secret())
                .header("Cache-Control", "no-cache")
                .header("Accept", "application/json")
                .json(body)
                .send()
                .await;
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    return Err(SearchError::Transport {
                        source_name: SOURCE.into(),
                        search: label.into(),
                        page,
                        message: error_chain(&e),
                    });
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            let limits = rate_limit_status(&headers);
            if limits != RateLimitStatus::default() {
                self.minute_used_up = limits.minute_left == Some(0);
                self.report.rate_limit = Some(limits);
            }
            let text = response.text().await.map_err(|e| SearchError::Transport {
                source_name: SOURCE.into(),
                search: label.into(),
                page,
                message: error_chain(&e),
            })?;
            let message = || error_message(&text);
            match status {
                s if s.is_success() => {
                    return match serde_json::from_str::<PageBody>(&text) {
                        Ok(answer) if answer.people.is_none() && answer.contacts.is_none() => {
                            Err(self.malformed(label, page, "it has no `people` array", &text))
                        }
                        Ok(answer) => Ok(Outcome::Page(answer)),
                        Err(e) => Err(self.malformed(label, page, &e.to_string(), &text)),
                    };
                }
                StatusCode::UNAUTHORIZED => {
                    return Err(SearchError::Unauthorized {
                        source_name: SOURCE.into(),
                        variable: self.search.key.variable().to_string(),
                        message: message(),
                    });
                }
                StatusCode::FORBIDDEN => {
                    return Err(SearchError::Forbidden {
                        source_name: SOURCE.into(),
                        message: format!(
                            "{} (People API Search needs a master API key, or a key whose \
                             scope includes {})",
                            message(),
                            self.search.config.endpoint.path()
                        ),
                    });
                }
                StatusCode::UNPROCESSABLE_ENTITY => {
                    return Err(SearchError::InvalidQuery {
                        source_name: SOURCE.into(),
                        message: message(),
                    });
                }
                s if s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error() => {
                    if attempt >= self.budget.max_retries {
                        if s.is_server_error() {
                            return Err(SearchError::Http {
                                source_name: SOURCE.into(),
                                search: label.into(),
                                page,
                                status: s.as_u16(),
                                message: format!(
                                    "{} (after {} retries)",
                                    message(),
                                    self.budget.max_retries
                                ),
                            });
                        }
                        return Ok(Outcome::Stop(StopReason::RateLimited {
                            detail: format!(
                                "still refused after {} retries of {label}, page {page}: {}",
                                self.budget.max_retries,
                                message()
                            ),
                        }));
                    }
                    let retry_after = (s == StatusCode::TOO_MANY_REQUESTS)
                        .then(|| retry_after(&headers))
                        .flatten();
                    let (reason, wait) = match retry_after {
                        Some(wait) => (WaitReason::RetryAfter, wait),
                        None => (WaitReason::Backoff, backoff(attempt)),
                    };
                    if wait > self.budget.max_backoff {
                        if reason == WaitReason::RetryAfter {
                            return Ok(Outcome::Stop(StopReason::RateLimited {
                                detail: format!(
                                    "Apollo asked to wait {} s, longer than the budget's {} s: {}",
                                    wait.as_secs(),
                                    self.budget.max_backoff.as_secs(),
                                    message()
                                ),
                            }));
                        }
                        self.pacer
                            .sleep(&mut self.report.waits, reason, self.budget.max_backoff)
                            .await;
                    } else {
                        self.pacer.sleep(&mut self.report.waits, reason, wait).await;
                    }
                    attempt += 1;
                }
                s => {
                    return Err(SearchError::Http {
                        source_name: SOURCE.into(),
                        search: label.into(),
                        page,
                        status: s.as_u16(),
                        message: message(),
                    });
                }
            }
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

/// An error answer's message: the `error` or `message` of a JSON body, else its text, on
/// one line and not too long.
fn error_message(text: &str) -> String {
    let from_json = serde_json::from_str::<Value>(text).ok().and_then(|v| {
        ["error", "message"]
            .into_iter()
            .find_map(|k| v.get(k).and_then(Value::as_str).map(str::to_string))
    });
    let message = from_json.unwrap_or_else(|| text.to_string());
    let one_line: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None if one_line.is_empty() => "no message".to_string(),
        None => one_line,
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        message.push_str(": ");
        message.push_str(&e.to_string());
        source = e.source();
    }
    message
}

/// Apollo's placeholder for an e-mail the plan has not unlocked.
const LOCKED_EMAIL: &str = "email_not_unlocked@";

/// One Apollo person as a flat JSON object: its own keys, the organization's under
/// `organization.`, the run's under `apollo.` (which search found it, when it was fetched,
/// whether Apollo listed it as a saved contact). `observed_at` is when Apollo last refreshed
/// the person, else when the run fetched it.
pub fn flatten(
    person: &Map<String, Value>,
    kind: &str,
    search: &str,
    fetched_at: Timestamp,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in person {
        match (key.as_str(), value) {
            ("organization" | "account", Value::Object(org)) => {
                let prefix = if key == "organization" {
                    "organization"
                } else {
                    "account"
                };
                for (k, v) in org {
                    if !v.is_null() {
                        out.insert(format!("{prefix}.{k}"), v.clone());
                    }
                }
            }
            ("email", Value::String(email)) if email.starts_with(LOCKED_EMAIL) => {}
            (_, Value::Null) => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    // A saved contact carries its company under `account`; the mapping reads
    // `organization.`.
    for key in [
        "name",
        "primary_domain",
        "website_url",
        "phone",
        "linkedin_url",
    ] {
        let account = format!("account.{key}");
        let organization = format!("organization.{key}");
        if !out.contains_key(&organization)
            && let Some(v) = out.get(&account).cloned()
        {
            out.insert(organization, v);
        }
    }
    if !out.contains_key("organization.name")
        && let Some(name) = person.get("organization_name").filter(|v| v.is_string())
    {
        out.insert("organization.name".into(), name.clone());
    }
    if !out.contains_key("organization.phone")
        && let Some(number) = person
            .get("organization")
            .and_then(|o| o.get("primary_phone"))
            .and_then(|p| p.get("sanitized_number").or_else(|| p.get("number")))
            .filter(|v| v.is_string())
    {
        out.insert("organization.phone".into(), number.clone());
    }
    let observed = person
        .get("last_refreshed_at")
        .or_else(|| person.get("updated_at"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| fetched_at.to_string());
    out.insert("observed_at".into(), json!(observed));
    out.insert("apollo.kind".into(), json!(kind));
    out.insert("apollo.search".into(), json!(search));
    out.insert("apollo.fetched_at".into(), json!(fetched_at.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn technology_uids_follow_apollos_rule() {
        let mut config = ApolloConfig::default();
        assert_eq!(
            technology_uid("Google Analytics", &config),
            "google_analytics"
        );
        assert_eq!(technology_uid("WordPress.org", &config), "wordpress_org");
        config
            .technology_uids
            .insert("Google Tag Manager".into(), "gtm".into());
        assert_eq!(technology_uid("google tag manager", &config), "gtm");
    }

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
