//! From a resolved contact's records to its place on a prospect list: the profile a reviewer
//! reads (each field's value with the record, source and time it came from), the company it
//! works for, and the verdict of the ICP, freshness and compliance checks with a reason for
//! each. Pure: the application loads the records and stores the outcome.
//!
//! A contact is **admitted** when no required ICP criterion fails (criteria the facts cannot
//! decide yet are listed as unknown, for enrichment to settle), its newest observation is not
//! expired, and it has a lawful basis to be contacted. Otherwise it is **dropped**, and every
//! reason is listed: the ICP criteria that failed (an existing customer or an excluded domain
//! among them), the age of its data, the compliance block.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::compliance::{Assessment, CompliancePolicy, ContactContext, SuppressionList, assess};
use super::freshness::{Freshness, FreshnessCheck, FreshnessPolicy};
use super::industry::canonical_industry;
use super::normalize::{CountryCode, Domain, Email};
use super::resolve::{SourcedRecord, Survivor, survive};
use crate::icp::{
    CompanyFacts, ContactFacts, Evaluation, IcpDocument, Outcome, Prospect as IcpProspect, evaluate,
};

/// One record of a contact, as stored.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    pub record_id: i64,
    pub source: &'a str,
    pub observed_at: Timestamp,
    pub facts: &'a Map<String, Value>,
}

/// The fields that describe the person.
pub const PERSON_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "full_name",
    "email",
    "phone",
    "mobile_phone",
    "title",
    "seniority",
    "department",
    "linkedin_url",
    "city",
    "region",
    "location",
    "country",
];

/// The fields that describe the company.
pub const COMPANY_FIELDS: &[&str] = &[
    "company_name",
    "company_domain",
    "website",
    "industry",
    "employees",
    "revenue",
    "technologies",
    "company_phone",
    "company_country",
    "company_linkedin_url",
];

/// Each field's chosen value with where it came from.
pub type Profile = BTreeMap<String, Survivor>;

/// A fact as survivorship compares it: text (a list is joined with ", ").
fn fact_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn sourced(observations: &[Observation<'_>], fields: &[&str]) -> Vec<SourcedRecord> {
    observations
        .iter()
        .map(|o| SourcedRecord {
            record_id: o.record_id.to_string(),
            source: o.source.to_string(),
            observed_at: o.observed_at,
            values: fields
                .iter()
                .filter_map(|f| Some((f.to_string(), fact_text(o.facts.get(*f)?)?)))
                .collect(),
        })
        .collect()
}

/// The person's profile: most trusted source first, then the newest observation.
pub fn person_profile(observations: &[Observation<'_>], trust: &[&str]) -> Profile {
    survive(&sourced(observations, PERSON_FIELDS), trust)
}

/// The company's profile from the records of everyone known to work there.
pub fn company_profile(observations: &[Observation<'_>], trust: &[&str]) -> Profile {
    survive(&sourced(observations, COMPANY_FIELDS), trust)
}

/// The key that groups records by company: the registrable domain, else the folded name.
pub fn company_key(facts: &Map<String, Value>) -> Option<String> {
    if let Some(domain) = facts.get("company_domain").and_then(Value::as_str) {
        return Some(domain.to_string());
    }
    facts
        .get("company_name")
        .and_then(Value::as_str)
        .map(crate::discovery::normalize::company_key_of)
        .filter(|k| !k.is_empty())
        .map(|k| format!("name:{k}"))
}

/// Whether the contact or company is an existing customer, from any record.
pub fn any_flag(observations: &[Observation<'_>], flag: &str) -> bool {
    observations
        .iter()
        .any(|o| o.facts.get(flag).and_then(Value::as_bool) == Some(true))
}

/// The sources a contact's records come from, most trusted first.
pub fn sources_of(observations: &[Observation<'_>], trust: &[&str]) -> Vec<String> {
    let rank = |s: &str| trust.iter().position(|t| *t == s).unwrap_or(trust.len());
    let mut sources: Vec<&str> = observations.iter().map(|o| o.source).collect();
    sources.sort_by_key(|s| (rank(s), s.to_string()));
    sources.dedup();
    sources.into_iter().map(str::to_string).collect()
}

/// Where the contact stands on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Admitted,
    Dropped,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Admitted => "admitted",
            Standing::Dropped => "dropped",
        }
    }
}

/// The verdict on one contact, with every reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProspectVerdict {
    pub standing: Standing,
    /// Why it was dropped (empty when admitted): one line per reason.
    pub reasons: Vec<String>,
    /// The ICP criteria the facts cannot decide yet.
    pub unknown: Vec<String>,
    pub icp: Evaluation,
    pub freshness: FreshnessCheck,
    pub compliance: Assessment,
}

/// The rules a list is built by.
#[derive(Debug, Clone, Default)]
pub struct ListRules<'a> {
    pub freshness: FreshnessPolicy,
    pub compliance: CompliancePolicy,
    pub suppressions: Option<&'a SuppressionList>,
}

/// Judges one contact against the ICP, the freshness policy and the compliance rules.
pub fn judge(
    icp: &IcpDocument,
    observations: &[Observation<'_>],
    person: &Profile,
    company: &Profile,
    company_observations: &[Observation<'_>],
    rules: &ListRules<'_>,
    now: Timestamp,
) -> ProspectVerdict {
    let text = |p: &Profile, f: &str| p.get(f).map(|s| s.value.clone());
    let country = text(company, "company_country").or_else(|| text(person, "country"));
    let technologies = text(company, "technologies").map(|t| {
        t.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    });
    let industry =
        text(company, "industry").map(|i| canonical_industry(&i).map_or(i, str::to_string));
    let prospect = IcpProspect {
        company: CompanyFacts {
            domain: text(company, "company_domain"),
            name: text(company, "company_name"),
            employees: text(company, "employees")
                .and_then(|e| midpoint(&e))
                .and_then(|n| u32::try_from(n).ok()),
            industry,
            country,
            revenue_usd: text(company, "revenue").and_then(|r| midpoint(&r)),
            headcount_growth_pct: None,
            technologies,
            is_customer: Some(any_flag(company_observations, "is_customer")),
        },
        contact: Some(ContactFacts {
            title: text(person, "title"),
            seniority: text(person, "seniority"),
            department: text(person, "department"),
            country: text(person, "country"),
        }),
        signals: Vec::new(),
        intent: Vec::new(),
    };
    let icp_evaluation = evaluate(icp, &prospect, now);

    let newest = observations
        .iter()
        .map(|o| o.observed_at)
        .max()
        .unwrap_or(now);
    let freshness = rules.freshness.check(newest, now);

    let emails: Vec<Email> = observations
        .iter()
        .filter_map(|o| o.facts.get("email").and_then(Value::as_str))
        .filter_map(|e| Email::parse(e).ok())
        .collect();
    let domains: Vec<Domain> = observations
        .iter()
        .filter_map(|o| o.facts.get("company_domain").and_then(Value::as_str))
        .filter_map(|d| Domain::parse(d).ok())
        .collect();
    let person_country = text(person, "country").and_then(|c| CountryCode::parse(&c).ok());
    let empty = SuppressionList::new();
    let compliance = assess(
        &ContactContext {
            country: person_country.as_ref(),
            region: person.get("region").map(|s| s.value.as_str()),
            emails: &emails,
            domains: &domains,
            consent: any_flag(observations, "email_consent"),
            existing_relationship: any_flag(company_observations, "is_customer"),
            opted_out: any_flag(observations, "email_opt_out"),
        },
        rules.suppressions.unwrap_or(&empty),
        &rules.compliance,
    );

    let mut reasons: Vec<String> = icp_evaluation
        .criteria
        .iter()
        .filter(|c| c.required && c.outcome == Outcome::Fail)
        .map(|c| format!("ICP {}: {}", c.criterion, c.reason))
        .collect();
    if freshness.freshness == Freshness::Expired {
        reasons.push(format!("freshness: {}", freshness.reason));
    }
    if let Some(block) = &compliance.blocked {
        reasons.push(format!("compliance: {}", block.reason));
    }
    let unknown = icp_evaluation
        .criteria
        .iter()
        .filter(|c| c.required && c.outcome == Outcome::Unknown)
        .map(|c| c.criterion.clone())
        .collect();
    ProspectVerdict {
        standing: if reasons.is_empty() {
            Standing::Admitted
        } else {
            Standing::Dropped
        },
        reasons,
        unknown,
        icp: icp_evaluation,
        freshness,
        compliance,
    }
}

fn midpoint(text: &str) -> Option<u64> {
    let text = text.trim();
    if let Some(open) = text.strip_suffix('+') {
        return open.parse().ok();
    }
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b): (u64, u64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            Some(a + b.saturating_sub(a) / 2)
        }
        None => text.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!("test facts are objects"),
        }
    }

    #[test]
    fn the_profile_takes_the_trusted_source_and_the_company_every_colleague() {
        // Arrange
        let apollo = facts(json!({"first_name": "Jane", "title": "VP Sales",
            "company_domain": "acme.com", "technologies": ["Salesforce", "Gong"], "employees": "120"}));
        let crm = facts(json!({"first_name": "Jane", "title": "Head of Sales",
            "company_domain": "acme.com", "is_customer": true}));
        let t1: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let t2: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        let obs = [
            Observation {
                record_id: 1,
                source: "apollo",
                observed_at: t2,
                facts: &apollo,
            },
            Observation {
                record_id: 2,
                source: "hubspot",
                observed_at: t1,
                facts: &crm,
            },
        ];

        // Act
        let person = person_profile(&obs, &["hubspot", "apollo"]);
        let company = company_profile(&obs, &["hubspot", "apollo"]);

        // Assert
        assert_eq!(person["title"].value, "Head of Sales");
        assert_eq!(person["title"].source, "hubspot");
        assert_eq!(company["technologies"].value, "Salesforce, Gong");
        assert_eq!(company["technologies"].record_id, "1");
        assert!(any_flag(&obs, "is_customer"));
        assert_eq!(
            sources_of(&obs, &["hubspot", "apollo"]),
            ["hubspot", "apollo"]
        );
        assert_eq!(company_key(&apollo).as_deref(), Some("acme.com"));
        assert_eq!(midpoint("51-200"), Some(125));
    }
}
