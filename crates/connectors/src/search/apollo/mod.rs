//! Apollo's People API Search as a [`SearchSource`](super::SearchSource), written from
//! Apollo's public API documentation ("People API Search", "Rate Limits", "API Pricing and
//! Credits").
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
//! Apollo's own field paths (`organization.primary_domain`), and [`mapping()`] names the
//! field each key fills; everything else is kept as an extra of the record. Apollo shows at
//! most 50,000 results of a search (500 pages of 100).
//!
//! **Limits.** Apollo counts requests per minute, hour and day in fixed windows and says so
//! in headers (`x-minute-requests-left`, `x-hourly-requests-left`, `x-daily-requests-left`,
//! `x-rate-limit-minute`, …); past a limit it answers 429. A 429 is retried after its
//! `Retry-After` when it sends one, else with exponential back-off, both bounded by the
//! [`Budget`](super::Budget). A used-up hourly or daily allowance stops the run with the
//! pages so far.
//!
//! **Credits.** The People API Search consumes no credits; the older People Search
//! (`mixed_people/search`, [`Endpoint::MixedPeopleSearch`]) consumes one export credit per
//! page that returns people. A run asks for a page only when its worst-case cost fits the
//! credit budget.
//!
//! The module is in three parts: [`compile()`] turns an ICP into the filters, one step per
//! section of the ICP; the client ([`ApolloSearch`]) pages through the answers within the
//! budget; [`flatten`] and [`mapping()`] turn each person into a line the importer reads.

mod client;
mod compile;
mod mapping;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use client::ApolloSearch;
pub use compile::{apollo_department, apollo_seniorities, compile};
pub use mapping::{flatten, mapping};

/// Apollo's API, as its documentation names it.
pub const DEFAULT_BASE_URL: &str = "https://api.apollo.io/api/v1";
/// The environment variable the key is read from unless the configuration names another.
pub const DEFAULT_KEY_VARIABLE: &str = "APOLLO_API_KEY";
/// Apollo shows no page past this one of a search.
pub const DISPLAY_LIMIT_PAGES: u32 = 500;
/// The largest page Apollo serves.
pub const MAX_PER_PAGE: u32 = 100;
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
