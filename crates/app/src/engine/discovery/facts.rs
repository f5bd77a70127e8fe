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
//!
//! A million-row import writes a million of these, so they are written as JSON text in one
//! pass over borrowed values, keys in byte order (the order a JSON map reads back in), with no
//! tree of values built and dropped per row.

use std::borrow::Cow;

use leadgate_connectors::import::{ProspectRecord, Range, Value};

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

/// One value of a record's facts.
enum Fact<'a> {
    Text(Cow<'a, str>),
    Flag(bool),
    List(&'a [String]),
    /// A confidence between 0 and 1.
    Share(f64),
    Object(Vec<(&'a str, Fact<'a>)>),
}

/// The facts of an accepted row, appended to `out` as a JSON object.
pub fn write_facts(record: &ProspectRecord, out: &mut String) {
    let mut facts: Vec<(&str, Fact)> = Vec::with_capacity(32);
    let mut raw: Vec<(&str, Fact)> = Vec::new();
    let p = &record.person;
    let c = &record.company;

    let given = p
        .given_name
        .as_deref()
        .or_else(|| p.name.as_ref().map(|n| n.given()));
    let family = p
        .family_name
        .as_deref()
        .or_else(|| p.name.as_ref().map(|n| n.family()));
    put(&mut facts, "first_name", given);
    put(&mut facts, "last_name", family);
    put(&mut facts, "full_name", p.full_name.as_deref());
    typed(&mut facts, &mut raw, "email", p.email.as_ref(), |e| {
        e.as_str().into()
    });
    typed(&mut facts, &mut raw, "phone", p.phone.as_ref(), |v| {
        v.as_str().into()
    });
    typed(
        &mut facts,
        &mut raw,
        "mobile_phone",
        p.mobile_phone.as_ref(),
        |v| v.as_str().into(),
    );
    put(&mut facts, "title", p.title.as_deref());
    put(&mut facts, "seniority", p.seniority.map(|s| s.as_str()));
    put(&mut facts, "department", p.department.map(|d| d.as_str()));
    typed(
        &mut facts,
        &mut raw,
        "linkedin_url",
        p.linkedin.as_ref(),
        |v| v.as_str().into(),
    );
    put(&mut facts, "city", p.city.as_deref());
    put(&mut facts, "region", p.region.as_deref());
    put(&mut facts, "location", p.location.as_deref());
    typed(&mut facts, &mut raw, "country", p.country.as_ref(), |v| {
        v.as_str().into()
    });

    typed(&mut facts, &mut raw, "company_name", c.name.as_ref(), |v| {
        v.as_str().into()
    });
    typed(
        &mut facts,
        &mut raw,
        "company_domain",
        c.domain.as_ref(),
        |v| v.as_str().into(),
    );
    put(&mut facts, "website", c.website.as_deref());
    put(&mut facts, "industry", c.industry.as_deref());
    typed(
        &mut facts,
        &mut raw,
        "employees",
        c.employees.as_ref(),
        |r| range_text(*r).into(),
    );
    typed(&mut facts, &mut raw, "revenue", c.revenue.as_ref(), |r| {
        range_text(*r).into()
    });
    if !c.technologies.is_empty() {
        facts.push(("technologies", Fact::List(&c.technologies)));
    }
    typed(
        &mut facts,
        &mut raw,
        "company_phone",
        c.phone.as_ref(),
        |v| v.as_str().into(),
    );
    typed(
        &mut facts,
        &mut raw,
        "company_country",
        c.country.as_ref(),
        |v| v.as_str().into(),
    );
    put(
        &mut facts,
        "company_linkedin_url",
        c.linkedin_url.as_deref(),
    );

    let flags = ExtraFlags::of(&record.extra);
    let has_email = facts.iter().any(|(k, _)| *k == "email");
    if has_email
        && flags.email_status.is_some_and(|s| {
            ["extrapolated", "guessed", "unverified", "likely to engage"]
                .iter()
                .any(|doubt| s.eq_ignore_ascii_case(doubt))
        })
    {
        facts.push((
            "confidence",
            Fact::Object(vec![("email", Fact::Share(0.5))]),
        ));
    }
    if flags.opted_out {
        facts.push(("email_opt_out", Fact::Flag(true)));
    }
    if flags.customer {
        facts.push(("is_customer", Fact::Flag(true)));
    }
    if !raw.is_empty() {
        facts.push(("raw", Fact::Object(raw)));
    }
    if !record.extra.is_empty() {
        let extra = record
            .extra
            .iter()
            .map(|(column, value)| (&**column, Fact::Text(value.as_str().into())))
            .collect();
        facts.push(("extra", Fact::Object(extra)));
    }
    write_object(out, facts);
}

fn write_object<'a>(out: &mut String, mut entries: Vec<(&'a str, Fact<'a>)>) {
    entries.sort_by(|a, b| a.0.cmp(b.0));
    // A column named twice keeps its first value, as a map would keep one.
    entries.dedup_by(|later, earlier| later.0 == earlier.0);
    out.push('{');
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, key);
        out.push(':');
        match value {
            Fact::Text(text) => write_string(out, &text),
            Fact::Flag(flag) => out.push_str(if flag { "true" } else { "false" }),
            Fact::Share(share) => out.push_str(&share.to_string()),
            Fact::List(items) => {
                out.push('[');
                for (j, item) in items.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    write_string(out, item);
                }
                out.push(']');
            }
            Fact::Object(inner) => write_object(out, inner),
        }
    }
    out.push('}');
}

/// Appends `text` as a JSON string, escaped as RFC 8259 requires and no more.
fn write_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(offset) = bytes[start..]
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
    {
        let at = start + offset;
        out.push_str(&text[start..at]);
        match bytes[at] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            control => out.push_str(&format!("\\u{control:04x}")),
        }
        start = at + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
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

fn put<'a>(facts: &mut Vec<(&'a str, Fact<'a>)>, key: &'a str, value: Option<&'a str>) {
    if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
        facts.push((key, Fact::Text(v.into())));
    }
}

/// A typed value: its normalised text as the fact, and the file's text in `raw` when the
/// two differ (or when it did not normalise, so nothing is lost).
fn typed<'a, T>(
    facts: &mut Vec<(&'a str, Fact<'a>)>,
    raw: &mut Vec<(&'a str, Fact<'a>)>,
    key: &'a str,
    value: Option<&'a Value<T>>,
    text: impl Fn(&'a T) -> Cow<'a, str>,
) {
    let Some(value) = value else { return };
    match value.get() {
        Some(v) => {
            let normalised = text(v);
            if normalised != value.raw {
                raw.push((key, Fact::Text(value.raw.as_str().into())));
            }
            facts.push((key, Fact::Text(normalised)));
        }
        None if !value.raw.trim().is_empty() => {
            raw.push((key, Fact::Text(value.raw.as_str().into())));
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

/// What a record's other columns say about consent, customers and the e-mail's quality,
/// read in one pass over them.
#[derive(Debug, Default, PartialEq)]
struct ExtraFlags<'a> {
    email_status: Option<&'a str>,
    /// An opt-out column as HubSpot, Salesforce and most sheets name it, holding a yes.
    opted_out: bool,
    /// A CRM lifecycle stage that says the company buys from us already.
    customer: bool,
}

const EMAIL_STATUS_COLUMNS: &[&str] = &["email status", "email_status"];
const OPT_OUT_COLUMNS: &[&str] = &[
    "unsubscribed from all email",
    "email opt out",
    "hasoptedoutofemail",
    "email_opt_out",
    "opted out of email",
    "unsubscribed",
];
const LIFECYCLE_COLUMNS: &[&str] = &[
    "lifecycle stage",
    "lifecyclestage",
    "lifecycle_stage",
    "type",
];

impl<'a> ExtraFlags<'a> {
    fn of<C: AsRef<str>>(extra: &'a [(C, String)]) -> ExtraFlags<'a> {
        let named = |column: &str, names: &[&str]| {
            let column = column.trim();
            names.iter().any(|n| column.eq_ignore_ascii_case(n))
        };
        // The first column of each kind decides, as the file lists them.
        let (mut status, mut opt_out, mut lifecycle) = (None, None, None);
        for (column, value) in extra {
            let column = column.as_ref();
            if status.is_none() && named(column, EMAIL_STATUS_COLUMNS) {
                status = Some(value.trim());
            } else if opt_out.is_none() && named(column, OPT_OUT_COLUMNS) {
                opt_out = Some(is_yes(value));
            } else if lifecycle.is_none() && named(column, LIFECYCLE_COLUMNS) {
                let stage = value.trim();
                lifecycle = Some(
                    stage.eq_ignore_ascii_case("customer")
                        || stage.eq_ignore_ascii_case("evangelist"),
                );
            }
        }
        ExtraFlags {
            email_status: status,
            opted_out: opt_out.unwrap_or(false),
            customer: lifecycle.unwrap_or(false),
        }
    }
}

fn is_yes(value: &str) -> bool {
    let value = value.trim();
    ["true", "yes", "y", "1", "x"]
        .iter()
        .any(|yes| value.eq_ignore_ascii_case(yes))
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
        let mut extra = vec![
            (" Lifecycle Stage", "Customer".to_string()),
            ("Unsubscribed from all email", "Yes".to_string()),
            ("Email Status", " Guessed ".to_string()),
        ];
        let flags = ExtraFlags::of(&extra);
        assert!(flags.customer && flags.opted_out);
        assert_eq!(flags.email_status, Some("Guessed"));
        extra[0].1 = "Lead".into();
        extra[1].1 = "no".into();
        assert_eq!(
            ExtraFlags::of(&extra),
            ExtraFlags {
                email_status: Some("Guessed"),
                ..ExtraFlags::default()
            }
        );
    }

    #[test]
    fn strings_are_escaped_as_json_requires() {
        let mut out = String::new();
        write_string(&mut out, "Zoë \"Z\" O'Brien\\\n\t\u{1}/ — 東京");
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, "Zoë \"Z\" O'Brien\\\n\t\u{1}/ — 東京");
        assert_eq!(out, r#""Zoë \"Z\" O'Brien\\\n\t\u0001/ — 東京""#);
    }

    #[test]
    fn objects_are_written_in_key_order_with_nested_values() {
        let mut out = String::new();
        let tech = vec!["HubSpot".to_string(), "Okta".to_string()];
        write_object(
            &mut out,
            vec![
                ("title", Fact::Text("VP \"Sales\"".into())),
                (
                    "extra",
                    Fact::Object(vec![
                        ("b", Fact::Text("2".into())),
                        ("A", Fact::Text("1".into())),
                    ]),
                ),
                ("technologies", Fact::List(&tech)),
                (
                    "confidence",
                    Fact::Object(vec![("email", Fact::Share(0.5))]),
                ),
                ("email_opt_out", Fact::Flag(true)),
                ("title", Fact::Text("a second title column".into())),
            ],
        );
        assert_eq!(
            out,
            r#"{"confidence":{"email":0.5},"email_opt_out":true,"extra":{"A":"1","b":"2"},"technologies":["HubSpot","Okta"],"title":"VP \"Sales\""}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["extra"]["b"], "2");
    }
}
