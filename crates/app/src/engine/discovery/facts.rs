//! What one imported row is stored as: its facts. A record's facts are a JSON object of field
//! → value, the values normalised where the importer could (`email` lower-cased, `phone` in
//! E.164, `country` an ISO code, `company_domain` the registrable domain); `raw` keeps the
//! text of the file where it differs from the value, `confidence` marks values the source
//! itself doubts (Apollo's guessed addresses), and `extra` holds every other column the file
//! had, under its own name. Source and time of observation belong to the record, so every
//! fact has them.
//!
//! Field names are the importers' field keys (`first_name`, `company_domain`, …), which are
//! also the column names the entity-resolution presets read.

use leadgate_connectors::import::{ProspectRecord, Range, Value};
use serde_json::{Map, Value as Json, json};

/// The keys a record is matched on at import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys {
    pub source_record_id: Option<String>,
    /// The normalised address, unless it is a role account (info@, sales@): a shared inbox
    /// names no one person.
    pub email: Option<String>,
    /// The profile slug.
    pub linkedin: Option<String>,
}

/// The facts of an accepted row, as a JSON object.
pub fn facts_of(record: &ProspectRecord) -> Map<String, Json> {
    let mut facts = Map::new();
    let mut raw = Map::new();
    let mut confidence = Map::new();
    let p = &record.person;
    let c = &record.company;

    let given = p
        .given_name
        .clone()
        .or_else(|| p.name.as_ref().map(|n| n.given().to_string()));
    let family = p
        .family_name
        .clone()
        .or_else(|| p.name.as_ref().map(|n| n.family().to_string()));
    put(&mut facts, "first_name", given.as_deref());
    put(&mut facts, "last_name", family.as_deref());
    put(&mut facts, "full_name", p.full_name.as_deref());
    typed(&mut facts, &mut raw, "email", p.email.as_ref(), |e| {
        e.as_str().to_string()
    });
    typed(&mut facts, &mut raw, "phone", p.phone.as_ref(), |v| {
        v.as_str().to_string()
    });
    typed(
        &mut facts,
        &mut raw,
        "mobile_phone",
        p.mobile_phone.as_ref(),
        |v| v.as_str().to_string(),
    );
    put(&mut facts, "title", p.title.as_deref());
    put(&mut facts, "seniority", p.seniority.map(|s| s.as_str()));
    put(&mut facts, "department", p.department.map(|d| d.as_str()));
    typed(
        &mut facts,
        &mut raw,
        "linkedin_url",
        p.linkedin.as_ref(),
        |v| v.as_str().to_string(),
    );
    put(&mut facts, "city", p.city.as_deref());
    put(&mut facts, "region", p.region.as_deref());
    put(&mut facts, "location", p.location.as_deref());
    typed(&mut facts, &mut raw, "country", p.country.as_ref(), |v| {
        v.as_str().to_string()
    });

    typed(&mut facts, &mut raw, "company_name", c.name.as_ref(), |v| {
        v.as_str().to_string()
    });
    typed(
        &mut facts,
        &mut raw,
        "company_domain",
        c.domain.as_ref(),
        |v| v.as_str().to_string(),
    );
    put(&mut facts, "website", c.website.as_deref());
    put(&mut facts, "industry", c.industry.as_deref());
    typed(
        &mut facts,
        &mut raw,
        "employees",
        c.employees.as_ref(),
        |r| range_text(*r),
    );
    typed(&mut facts, &mut raw, "revenue", c.revenue.as_ref(), |r| {
        range_text(*r)
    });
    if !c.technologies.is_empty() {
        facts.insert("technologies".into(), json!(c.technologies));
    }
    typed(
        &mut facts,
        &mut raw,
        "company_phone",
        c.phone.as_ref(),
        |v| v.as_str().to_string(),
    );
    typed(
        &mut facts,
        &mut raw,
        "company_country",
        c.country.as_ref(),
        |v| v.as_str().to_string(),
    );
    put(
        &mut facts,
        "company_linkedin_url",
        c.linkedin_url.as_deref(),
    );

    let mut extra = Map::new();
    for (column, value) in &record.extra {
        extra.insert(column.to_string(), Json::String(value.clone()));
    }
    if let Some(status) = email_status(&extra)
        && facts.contains_key("email")
        && matches!(
            status.as_str(),
            "extrapolated" | "guessed" | "unverified" | "likely to engage"
        )
    {
        confidence.insert("email".into(), json!(0.5));
    }
    if opted_out(&extra) {
        facts.insert("email_opt_out".into(), Json::Bool(true));
    }
    if is_customer(&extra) {
        facts.insert("is_customer".into(), Json::Bool(true));
    }
    if !raw.is_empty() {
        facts.insert("raw".into(), Json::Object(raw));
    }
    if !confidence.is_empty() {
        facts.insert("confidence".into(), Json::Object(confidence));
    }
    if !extra.is_empty() {
        facts.insert("extra".into(), Json::Object(extra));
    }
    facts
}

/// The keys of an accepted row.
pub fn keys_of(record: &ProspectRecord) -> Keys {
    Keys {
        source_record_id: record.source_record_id.clone().filter(|s| !s.is_empty()),
        email: record
            .person
            .email
            .as_ref()
            .and_then(Value::get)
            .filter(|e| !e.is_role_account())
            .map(|e| e.as_str().to_string()),
        linkedin: record
            .person
            .linkedin
            .as_ref()
            .and_then(Value::get)
            .map(|l| l.slug().to_string()),
    }
}

fn put(facts: &mut Map<String, Json>, key: &str, value: Option<&str>) {
    if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
        facts.insert(key.into(), Json::String(v.to_string()));
    }
}

/// A typed value: its normalised text as the fact, and the file's text in `raw` when the
/// two differ (or when it did not normalise, so nothing is lost).
fn typed<T>(
    facts: &mut Map<String, Json>,
    raw: &mut Map<String, Json>,
    key: &str,
    value: Option<&Value<T>>,
    text: impl Fn(&T) -> String,
) {
    let Some(value) = value else { return };
    match value.get() {
        Some(v) => {
            let normalised = text(v);
            if normalised != value.raw {
                raw.insert(key.into(), Json::String(value.raw.clone()));
            }
            facts.insert(key.into(), Json::String(normalised));
        }
        None if !value.raw.trim().is_empty() => {
            raw.insert(key.into(), Json::String(value.raw.clone()));
        }
        None => {}
    }
}

/// "51-200", "10001+", "48".
pub fn range_text(r: Range) -> String {
    match r.max {
        Some(max) if max == r.min => r.min.to_string(),
        Some(max) => format!("{}-{max}", r.min),
        None => format!("{}+", r.min),
    }
}

/// Reads back a range written by [`range_text`]: its midpoint.
pub fn range_midpoint(text: &str) -> Option<u64> {
    Range::parse(text).ok().map(Range::midpoint)
}

fn extra_value<'a>(extra: &'a Map<String, Json>, names: &[&str]) -> Option<&'a str> {
    extra.iter().find_map(|(k, v)| {
        let key = k.trim().to_ascii_lowercase();
        names
            .iter()
            .any(|n| key == *n)
            .then(|| v.as_str())
            .flatten()
    })
}

fn email_status(extra: &Map<String, Json>) -> Option<String> {
    extra_value(extra, &["email status", "email_status"]).map(|s| s.trim().to_ascii_lowercase())
}

/// An opt-out column as HubSpot, Salesforce and most sheets name it, holding a yes.
fn opted_out(extra: &Map<String, Json>) -> bool {
    extra_value(
        extra,
        &[
            "unsubscribed from all email",
            "email opt out",
            "hasoptedoutofemail",
            "email_opt_out",
            "opted out of email",
            "unsubscribed",
        ],
    )
    .is_some_and(is_yes)
}

/// A CRM lifecycle stage that says the company buys from us already.
fn is_customer(extra: &Map<String, Json>) -> bool {
    extra_value(
        extra,
        &[
            "lifecycle stage",
            "lifecyclestage",
            "lifecycle_stage",
            "type",
        ],
    )
    .is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "customer" | "evangelist"
        )
    })
}

fn is_yes(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "true" | "yes" | "y" | "1" | "x"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_round_trip_as_text() {
        let r = |min, max| Range { min, max };
        assert_eq!(range_text(r(51, Some(200))), "51-200");
        assert_eq!(range_text(r(48, Some(48))), "48");
        assert_eq!(range_text(r(10_001, None)), "10001+");
        assert_eq!(range_midpoint("51-200"), Some(125));
        assert_eq!(range_midpoint("10001+"), Some(10_001));
    }

    #[test]
    fn crm_columns_become_flags() {
        let mut extra = Map::new();
        extra.insert("Lifecycle Stage".into(), json!("Customer"));
        extra.insert("Unsubscribed from all email".into(), json!("Yes"));
        assert!(is_customer(&extra));
        assert!(opted_out(&extra));
        extra.insert("Lifecycle Stage".into(), json!("Lead"));
        assert!(!is_customer(&extra));
    }
}
