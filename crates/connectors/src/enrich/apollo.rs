//! Apollo's enrichment endpoints as configurations of the [HTTP provider](super::http),
//! written from Apollo's public API documentation ("Organization Enrichment", "People
//! Enrichment", "API Pricing and Credits"). The key goes in the `X-Api-Key` header, as for
//! the People Search connector ([`crate::search::apollo`]), from `APOLLO_API_KEY` unless
//! the configuration names another variable.
//!
//! **Organization enrichment.** `GET {base}/organizations/enrich?domain=acme.com` answers
//! `{"organization": {…}}`; an unknown domain answers without an organization (not found).
//! Read: `latest_funding_stage`, `latest_funding_round_date`, `estimated_num_employees`,
//! `organization_headcount_twelve_month_growth` (a fraction: × 100 for a percentage),
//! `technology_names` and `short_description` (prose: a message's model writer may read it,
//! but no claim may rest on it).
//!
//! **People enrichment.** `POST {base}/people/match` with the person in query parameters
//! (`email`, `linkedin_url`, `first_name`, `last_name`, `name`, `domain`,
//! `organization_name`; personal e-mails and phone numbers not revealed) answers
//! `{"person": {…}}`, or `{"person": null}` without a match. Read: `seniority` (Apollo's
//! words: `c_suite`, `founder`, `vp`, `head`, …) and the start date of the first entry of
//! `employment_history`, which Apollo lists current position first.
//!
//! **Credits.** Both endpoints consume credits per record enriched when data is returned:
//! the presets are charged per hit, one credit by default.

use std::time::Duration;

use leadgate_core::enrichment::EnrichField;

use super::http::{Auth, Charge, HttpSpec, Mapping, Method};
pub use crate::search::apollo::{DEFAULT_BASE_URL, DEFAULT_KEY_VARIABLE};

fn map(field: EnrichField, pointer: &str, scale: Option<f64>) -> Mapping {
    Mapping {
        field,
        pointer: pointer.to_string(),
        scale,
    }
}

fn apollo_spec(url: String, key_variable: &str, map: Vec<Mapping>) -> HttpSpec {
    let mut spec = HttpSpec::new(url, map);
    spec.auth = Some(Auth {
        header: "X-Api-Key".to_string(),
        env: key_variable.to_string(),
        prefix: String::new(),
    });
    spec.headers = vec![("Cache-Control".to_string(), "no-cache".to_string())];
    spec.charge = Charge::PerHit;
    spec.timeout = Duration::from_secs(30);
    spec
}

/// Organization enrichment by domain.
pub fn organization(base_url: &str, key_variable: &str) -> HttpSpec {
    let url = format!(
        "{}/organizations/enrich?domain={{domain}}",
        base_url.trim_end_matches('/')
    );
    let mut spec = apollo_spec(
        url,
        key_variable,
        vec![
            map(
                EnrichField::FundingStage,
                "/organization/latest_funding_stage",
                None,
            ),
            map(
                EnrichField::FundingDate,
                "/organization/latest_funding_round_date",
                None,
            ),
            map(
                EnrichField::Headcount,
                "/organization/estimated_num_employees",
                None,
            ),
            map(
                EnrichField::HeadcountGrowthPct,
                "/organization/organization_headcount_twelve_month_growth",
                Some(100.0),
            ),
            map(
                EnrichField::TechStack,
                "/organization/technology_names",
                None,
            ),
            map(
                EnrichField::Description,
                "/organization/short_description",
                None,
            ),
        ],
    );
    spec.found = Some("/organization".to_string());
    spec
}

/// People enrichment (`people/match`) by e-mail, LinkedIn URL or name and domain.
pub fn people(base_url: &str, key_variable: &str) -> HttpSpec {
    let url = format!("{}/people/match", base_url.trim_end_matches('/'));
    let mut spec = apollo_spec(
        url,
        key_variable,
        vec![
            map(EnrichField::Seniority, "/person/seniority", None),
            map(
                EnrichField::RoleStartDate,
                "/person/employment_history/0/start_date",
                None,
            ),
        ],
    );
    spec.method = Method::Post;
    spec.query = [
        ("email", "{email}"),
        ("linkedin_url", "{linkedin_url}"),
        ("first_name", "{first_name}"),
        ("last_name", "{last_name}"),
        ("domain", "{domain}"),
        ("organization_name", "{company_name}"),
        ("reveal_personal_emails", "false"),
        ("reveal_phone_number", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    spec.needs_one_of = ["email", "linkedin_url", "first_name", "last_name"]
        .map(String::from)
        .to_vec();
    spec.found = Some("/person".to_string());
    spec
}
