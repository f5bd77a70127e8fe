//! From a resolved contact's records to its place on a prospect list: the profile a reviewer
//! reads (each field's value with the record, source and time it came from), the company it
//! works for, and the verdict of the ICP, freshness and compliance checks with a reason for
//! each. Pure: the application loads the records and stores the outcome.
//!
//! A contact is **dropped** when a required ICP criterion fails, its newest observation is
//! expired, or it has no lawful basis to be contacted, and every reason is listed: the ICP
//! criteria that failed (an existing customer or an excluded domain among them), the age of
//! its data, the compliance block. Otherwise it **needs data** when a required criterion
//! cannot be decided from its facts and the ICP does not accept that criterion unknown
//! (`accept_unknown`) — unknown is not a pass — and is **admitted** when nothing holds it.
//!
//! The company a contact works for is found through [`super::company`]: a record joins
//! its employer by domain, work address, LinkedIn page or name, so the facts of the
//! company are those of every record that names it.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::compliance::{Assessment, CompliancePolicy, ContactContext, SuppressionList, assess};
use super::customers::CustomerAccounts;
use super::field::Field;
use super::freshness::{Freshness, FreshnessCheck, FreshnessPolicy};
use super::industry::canonical_industry;
use super::normalize::{CountryCode, Domain, Email};
use super::resolve::{SourcedRecord, Survivor, survive};
use crate::engagement::{ContactSignals, SignalIndex};
use crate::icp::{
    CompanyFacts, ContactFacts, Evaluation, IcpDocument, Outcome, ProspectFacts as IcpProspect,
    evaluate,
};

/// One record of a contact, as stored.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    pub record_id: i64,
    pub source: &'a str,
    pub observed_at: Timestamp,
    pub facts: &'a Map<String, Value>,
}

impl<'a> Observation<'a> {
    /// The record's value of `field`, if it has one.
    fn fact(&self, field: Field) -> Option<&'a Value> {
        self.facts.get(field.as_str())
    }
}

/// The fields that describe the person, with the seniority and department the importer
/// reads from the title.
pub const PERSON_FIELDS: &[&str] = &[
    Field::FirstName.as_str(),
    Field::LastName.as_str(),
    Field::FullName.as_str(),
    Field::Email.as_str(),
    Field::Phone.as_str(),
    Field::MobilePhone.as_str(),
    Field::Title.as_str(),
    "seniority",
    "department",
    Field::LinkedinUrl.as_str(),
    Field::City.as_str(),
    Field::Region.as_str(),
    Field::Location.as_str(),
    Field::Country.as_str(),
];

/// The fields that describe the company.
pub const COMPANY_FIELDS: &[&str] = &[
    Field::CompanyName.as_str(),
    Field::CompanyDomain.as_str(),
    Field::Website.as_str(),
    Field::Industry.as_str(),
    Field::Employees.as_str(),
    Field::Revenue.as_str(),
    Field::Technologies.as_str(),
    Field::CompanyPhone.as_str(),
    Field::CompanyCountry.as_str(),
    Field::CompanyLinkedinUrl.as_str(),
    // Filled by enrichment (stage 3): the ICP's growth criterion reads it.
    "headcount_growth_pct",
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

/// The company's profile from the records of everyone known to work there. Its
/// technologies are every tool any of those records names, the chosen record's first: a
/// stack is a set that each export sees part of, and a tool one source saw (a competitor's
/// router the ICP excludes) is not undone by another source that missed it.
pub fn company_profile(observations: &[Observation<'_>], trust: &[&str]) -> Profile {
    let mut profile = survive(&sourced(observations, COMPANY_FIELDS), trust);
    if let Some(chosen) = profile.get_mut(Field::Technologies.as_str()) {
        let mut tools: Vec<String> = split_list(&chosen.value);
        let mut ranked: Vec<&Observation<'_>> = observations.iter().collect();
        ranked.sort_by_key(|o| {
            (
                trust_rank(trust, o.source),
                std::cmp::Reverse(o.observed_at),
            )
        });
        for o in ranked {
            let Some(seen) = o.fact(Field::Technologies).and_then(fact_text) else {
                continue;
            };
            for tool in split_list(&seen) {
                if !tools.iter().any(|t| t.eq_ignore_ascii_case(&tool)) {
                    tools.push(tool);
                }
            }
        }
        chosen.value = tools.join(", ");
    }
    profile
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn trust_rank(trust: &[&str], source: &str) -> usize {
    trust
        .iter()
        .position(|t| *t == source)
        .unwrap_or(trust.len())
}

/// The company a contact works for now, among the companies of its records
/// ([`super::company::resolve_companies`]): the one of its most trusted record, the newest
/// among equals — the rule the profile's fields are chosen by. A record of an earlier job
/// loses to a newer one from the same source.
pub fn current_employer(
    observations: &[Observation<'_>],
    company_of: impl Fn(&Observation<'_>) -> Option<usize>,
    trust: &[&str],
) -> Option<usize> {
    observations
        .iter()
        .filter_map(|o| Some((o, company_of(o)?)))
        .min_by_key(|(o, _)| {
            (
                trust_rank(trust, o.source),
                std::cmp::Reverse(o.observed_at),
            )
        })
        .map(|(_, company)| company)
}

/// Whether the contact or company is an existing customer, from any record.
pub fn any_flag(observations: &[Observation<'_>], flag: &str) -> bool {
    observations
        .iter()
        .any(|o| o.facts.get(flag).and_then(Value::as_bool) == Some(true))
}

/// The sources a contact's records come from, most trusted first.
pub fn sources_of(observations: &[Observation<'_>], trust: &[&str]) -> Vec<String> {
    let mut sources: Vec<&str> = observations.iter().map(|o| o.source).collect();
    sources.sort_by_key(|s| (trust_rank(trust, s), s.to_string()));
    sources.dedup();
    sources.into_iter().map(str::to_string).collect()
}

crate::values! {
    /// Where the contact stands on the list.
    pub enum Standing("prospect standing") {
        /// Nothing holds it back: it goes on with the list.
        Admitted = "admitted" / "admitted",
        /// No rule drops it, but a required ICP criterion cannot be decided from its facts
        /// (and the ICP does not accept it unknown): it waits for the data, never admitted
        /// blind.
        NeedsData = "needs_data" / "needs data",
        /// A rule drops it, with the reasons.
        Dropped = "dropped" / "dropped",
    }
}

crate::values! {
    /// Where a prospect list stands.
    pub enum ListStatus("list status") {
        /// Built; its sample review is open.
        InReview = "in_review" / "in review",
        /// Its sample review passed: it goes on to enrichment.
        Approved = "approved" / "approved",
        /// Its sample review failed.
        Rejected = "rejected" / "rejected",
        /// A newer list of the segment replaced it before it was reviewed.
        Superseded = "superseded" / "superseded",
        /// Nothing was admitted: there is nothing to review.
        Empty = "empty" / "empty",
    }
}

/// The verdict on one contact, with every reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProspectVerdict {
    pub standing: Standing,
    /// Why it was dropped (empty unless dropped): one line per reason.
    pub reasons: Vec<String>,
    /// The required ICP criteria the facts cannot decide yet and the ICP does not accept
    /// unknown: what a contact that needs data waits for.
    pub unknown: Vec<String>,
    pub icp: Evaluation,
    pub freshness: FreshnessCheck,
    pub compliance: Assessment,
}

impl ProspectVerdict {
    /// The kind of the first reason the contact was dropped for, as the list's summary
    /// counts them: `ICP <criterion>`, `freshness` or `compliance`; none unless dropped.
    pub fn drop_kind(&self) -> Option<String> {
        if self.standing != Standing::Dropped {
            return None;
        }
        if let Some(c) = self
            .icp
            .criteria
            .iter()
            .find(|c| c.required && c.outcome == Outcome::Fail)
        {
            return Some(format!("ICP {}", c.criterion));
        }
        if self.freshness.freshness == Freshness::Expired {
            return Some("freshness".to_string());
        }
        self.compliance
            .blocked
            .as_ref()
            .map(|_| "compliance".to_string())
    }
}

/// What a list is searched, filtered and sorted by, read from a prospect's profile and
/// verdict. The store keeps these beside the profile as columns it can index; the profile
/// stays the record of what the sources said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProspectColumns {
    /// The full name, or the first and last names joined.
    pub name: String,
    pub email: String,
    pub domain: String,
    pub company: String,
    /// The contact's country, or its company's when the person's is unknown.
    pub country: String,
    pub seniority: String,
    /// [`ProspectVerdict::drop_kind`]: empty unless dropped.
    pub drop_kind: String,
}

impl ProspectColumns {
    pub fn of(person: &Profile, company: &Profile, verdict: &ProspectVerdict) -> ProspectColumns {
        fn value<'p>(of: &'p Profile, name: &str) -> &'p str {
            of.get(name).map_or("", |s| s.value.as_str())
        }
        let full = value(person, Field::FullName.as_str());
        let name = if full.trim().is_empty() {
            format!(
                "{} {}",
                value(person, Field::FirstName.as_str()),
                value(person, Field::LastName.as_str())
            )
        } else {
            full.to_string()
        };
        let country = match value(person, Field::Country.as_str()) {
            "" => value(company, Field::CompanyCountry.as_str()),
            own => own,
        };
        ProspectColumns {
            name: name.trim().to_string(),
            email: value(person, Field::Email.as_str()).to_string(),
            domain: value(company, Field::CompanyDomain.as_str()).to_string(),
            company: value(company, Field::CompanyName.as_str()).to_string(),
            country: country.to_string(),
            seniority: value(person, "seniority").to_string(),
            drop_kind: verdict.drop_kind().unwrap_or_default(),
        }
    }

    /// What a search matches: the name, e-mail, company and domain, lower-cased.
    pub fn search_text(&self) -> String {
        [&self.name, &self.email, &self.company, &self.domain]
            .map(|s| s.to_lowercase())
            .join(" ")
    }
}

/// A [`ProspectVerdict::drop_kind`] as a person says it: "works at an existing customer",
/// "company size outside the ICP", "facts too old to use".
pub fn drop_kind_label(kind: &str) -> String {
    let fixed = match kind {
        "ICP exclusions.existing_customers" => "works at an existing customer",
        "ICP exclusions.competitors" => "works at a competitor",
        "ICP exclusions.domains" => "company on the excluded list",
        "ICP firmographics.employees" => "company size outside the ICP",
        "ICP firmographics.industries" => "industry outside the ICP",
        "ICP firmographics.location" => "company country outside the ICP",
        "ICP firmographics.revenue_usd" => "revenue outside the ICP",
        "ICP personas" => "role outside the ICP's personas",
        "freshness" => "facts too old to use",
        "compliance" => "no lawful basis to e-mail",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    match kind.strip_prefix("ICP ") {
        Some(criterion) => format!(
            "fails the ICP on {}",
            crate::icp::criterion_label(criterion)
        ),
        None => kind.replace('_', " "),
    }
}

/// The rules a list is built by.
#[derive(Debug, Clone, Default)]
pub struct ListRules<'a> {
    pub freshness: FreshnessPolicy,
    pub compliance: CompliancePolicy,
    pub suppressions: Option<&'a SuppressionList>,
    /// The accounts the CRM says are customers, beside what the records say themselves.
    pub customers: Option<&'a CustomerAccounts>,
    /// Engagement and intent, for the ICP's `[[signals]]` and `[[intent]]` criteria; without
    /// it every signal reads "not observed".
    pub signals: Option<&'a SignalIndex>,
}

/// The engagement of the contact (by every address its records give) and of its account
/// (by every domain its company's records give), with the account's intent.
fn contact_signals(
    index: &SignalIndex,
    observations: &[Observation<'_>],
    person: &Profile,
    company: &Profile,
    company_observations: &[Observation<'_>],
) -> ContactSignals {
    let emails: Vec<Email> = observations
        .iter()
        .filter_map(|o| o.fact(Field::Email).and_then(Value::as_str))
        .chain(person.get(Field::Email.as_str()).map(|s| s.value.as_str()))
        .filter_map(|e| Email::parse(e).ok())
        .collect();
    let domains: Vec<Domain> = company_observations
        .iter()
        .filter_map(|o| o.fact(Field::CompanyDomain).and_then(Value::as_str))
        .chain(
            company
                .get(Field::CompanyDomain.as_str())
                .map(|s| s.value.as_str()),
        )
        .filter_map(|d| Domain::parse(d).ok())
        .collect();
    index.for_contact(
        emails.iter().map(Email::as_str),
        domains.iter().map(Domain::as_str),
    )
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
    let text = |p: &Profile, f: Field| p.get(f.as_str()).map(|s| s.value.clone());
    // A customer by its own records (a CRM contact's lifecycle stage) or by the CRM's
    // accounts (any domain the company's records give it).
    let profile_domain = text(company, Field::CompanyDomain);
    let is_customer = any_flag(company_observations, "is_customer")
        || rules.customers.is_some_and(|customers| {
            company_observations
                .iter()
                .filter_map(|o| o.fact(Field::CompanyDomain).and_then(Value::as_str))
                .chain(profile_domain.as_deref())
                .filter_map(|d| Domain::parse(d).ok())
                .any(|d| customers.covers(&d))
        });
    let country = text(company, Field::CompanyCountry).or_else(|| text(person, Field::Country));
    let technologies = text(company, Field::Technologies).map(|t| split_list(&t));
    let industry =
        text(company, Field::Industry).map(|i| canonical_industry(&i).map_or(i, str::to_string));
    let prospect = IcpProspect {
        company: CompanyFacts {
            domain: text(company, Field::CompanyDomain),
            name: text(company, Field::CompanyName),
            employees: text(company, Field::Employees)
                .and_then(|e| midpoint(&e))
                .and_then(|n| u32::try_from(n).ok()),
            industry,
            country,
            revenue_usd: text(company, Field::Revenue).and_then(|r| midpoint(&r)),
            headcount_growth_pct: company
                .get("headcount_growth_pct")
                .and_then(|s| s.value.trim().trim_end_matches('%').parse::<f64>().ok())
                .filter(|g| g.is_finite()),
            technologies,
            is_customer: Some(is_customer),
        },
        contact: Some(ContactFacts {
            title: text(person, Field::Title),
            seniority: person.get("seniority").map(|s| s.value.clone()),
            department: person.get("department").map(|s| s.value.clone()),
            country: text(person, Field::Country),
        }),
        signals: Vec::new(),
        intent: Vec::new(),
    };
    let prospect = match rules.signals {
        Some(index) => {
            let seen = contact_signals(index, observations, person, company, company_observations);
            IcpProspect {
                signals: seen.signals,
                intent: seen.intent,
                ..prospect
            }
        }
        None => prospect,
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
        .filter_map(|o| o.fact(Field::Email).and_then(Value::as_str))
        .filter_map(|e| Email::parse(e).ok())
        .collect();
    let domains: Vec<Domain> = observations
        .iter()
        .filter_map(|o| o.fact(Field::CompanyDomain).and_then(Value::as_str))
        .filter_map(|d| Domain::parse(d).ok())
        .collect();
    let person_country = text(person, Field::Country).and_then(|c| CountryCode::parse(&c).ok());
    let empty = SuppressionList::new();
    let compliance = assess(
        &ContactContext {
            country: person_country.as_ref(),
            region: person.get(Field::Region.as_str()).map(|s| s.value.as_str()),
            emails: &emails,
            domains: &domains,
            consent: any_flag(observations, "email_consent"),
            existing_relationship: is_customer,
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
        .filter(|c| c.required && c.outcome == Outcome::Unknown && !c.unknown_accepted)
        .map(|c| c.criterion.clone())
        .collect::<Vec<_>>();
    ProspectVerdict {
        standing: if !reasons.is_empty() {
            Standing::Dropped
        } else if !unknown.is_empty() {
            Standing::NeedsData
        } else {
            Standing::Admitted
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
    fn a_customer_is_dropped_and_its_columns_say_so_in_words() {
        // Arrange: a CRM row of a customer's employee, and the sample ICP, which excludes
        // existing customers.
        let crm = facts(
            json!({"first_name": "Jane", "last_name": "Roe", "email": "jane@acme.com",
            "seniority": "vp", "country": "", "company_name": "Acme", "company_domain": "acme.com",
            "company_country": "CA", "employees": "120", "is_customer": true}),
        );
        let now: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        let obs = [Observation {
            record_id: 1,
            source: "hubspot",
            observed_at: now,
            facts: &crm,
        }];
        let icp = crate::icp::IcpDocument::parse(crate::icp::SAMPLE_ICP, "sample.toml").unwrap();
        let person = person_profile(&obs, &["hubspot"]);
        let company = company_profile(&obs, &["hubspot"]);
        let verdict = judge(
            &icp,
            &obs,
            &person,
            &company,
            &obs,
            &ListRules::default(),
            now,
        );

        // Act
        let columns = ProspectColumns::of(&person, &company, &verdict);

        // Assert: the first reason is the customer exclusion, and the company's country
        // stands in for the person's unknown one.
        assert_eq!(verdict.standing, Standing::Dropped);
        assert_eq!(columns.name, "Jane Roe");
        assert_eq!(columns.country, "CA");
        assert_eq!(columns.seniority, "vp");
        assert_eq!(columns.drop_kind, "ICP exclusions.existing_customers");
        assert_eq!(
            drop_kind_label(&columns.drop_kind),
            "works at an existing customer"
        );
        assert_eq!(
            columns.search_text(),
            "jane roe jane@acme.com acme acme.com"
        );
        assert_eq!(
            drop_kind_label("ICP signals.job_change"),
            "fails the ICP on job change"
        );
    }

    #[test]
    fn enriched_headcount_growth_is_judged_by_the_icp_growth_criterion() {
        // Arrange: the sample ICP wants 5 % growth or more and accepts it unknown; the same
        // fitting contact, once with no growth fact, once enriched with 2 %, once with 12 %.
        let now: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        let icp = crate::icp::IcpDocument::parse(crate::icp::SAMPLE_ICP, "sample.toml").unwrap();
        let standing = |growth: Option<&str>| {
            let mut row = json!({"first_name": "Jane", "last_name": "Roe", "email": "jane@acme.com",
                "seniority": "vp", "department": "sales", "country": "US", "company_name": "Acme",
                "company_domain": "acme.com", "company_country": "US", "employees": "120",
                "industry": "Software"});
            if let Some(growth) = growth {
                row["headcount_growth_pct"] = json!(growth);
            }
            let row = facts(row);
            let obs = [Observation {
                record_id: 1,
                source: "enrichment",
                observed_at: now,
                facts: &row,
            }];
            let person = person_profile(&obs, &["enrichment"]);
            let company = company_profile(&obs, &["enrichment"]);
            let verdict = judge(
                &icp,
                &obs,
                &person,
                &company,
                &obs,
                &ListRules::default(),
                now,
            );
            (
                verdict.standing,
                ProspectColumns::of(&person, &company, &verdict).drop_kind,
            )
        };

        // Act
        let unknown = standing(None);
        let slow = standing(Some("2"));
        let growing = standing(Some("12.5"));

        // Assert: unknown growth holds nobody back, but a known 2 % fails the ICP.
        assert_ne!(unknown.0, Standing::Dropped, "{unknown:?}");
        assert_eq!(slow.0, Standing::Dropped, "{slow:?}");
        assert!(slow.1.contains("headcount_growth_pct"), "{slow:?}");
        assert_eq!(growing.0, unknown.0, "{growing:?}");
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
        assert_eq!(midpoint("51-200"), Some(125));
    }

    #[test]
    fn a_tool_one_record_saw_stays_in_the_stack_and_the_employer_is_the_trusted_record() {
        // Arrange: two Apollo rows of one company, the newer missing a tool the older saw;
        // a person whose CRM row is at the new employer and an older row at the old one.
        let newer = facts(json!({"technologies": ["Salesforce", "Okta"]}));
        let older = facts(json!({"technologies": ["Salesforce", "Chili Piper"]}));
        let t1: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let t2: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        let company = [
            Observation {
                record_id: 1,
                source: "apollo",
                observed_at: t2,
                facts: &newer,
            },
            Observation {
                record_id: 2,
                source: "apollo",
                observed_at: t1,
                facts: &older,
            },
        ];

        // Act
        let profile = company_profile(&company, &["hubspot", "apollo"]);
        let employer = current_employer(
            &company,
            |o| Some(if o.record_id == 1 { 7 } else { 3 }),
            &["hubspot", "apollo"],
        );

        // Assert
        assert_eq!(
            profile["technologies"].value,
            "Salesforce, Okta, Chili Piper"
        );
        assert_eq!(profile["technologies"].record_id, "1");
        assert_eq!(employer, Some(7), "the newer record of the same source");
        assert_eq!(
            current_employer(&company, |_| None, &["apollo"]),
            None,
            "records that name no employer"
        );
    }
}
