//! Apollo's people as the importer reads them: each person flattened into one JSON object
//! keyed by Apollo's own field paths, and the mapping from those keys to the fields.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::import::{Field, Mapping};

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
