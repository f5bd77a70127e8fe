//! The fields enrichment fills, and the one reading of each: whatever a file or an API sends
//! for a field, it is stored in one shape, or refused with the reason. A headcount is a
//! whole number whether it came as `1200`, `1200.0` or `"1,200"`; a funding date is
//! `YYYY-MM-DD` whether it came as a date or as an ISO timestamp; a tech stack is a list
//! whether it came as an array or as `"HubSpot; Salesforce"`. An empty value (`null`, `""`,
//! `[]`) is no value, not an error.
//!
//! | field | of | stored as |
//! |---|---|---|
//! | `funding_stage` | company | text: `"Series B"` |
//! | `funding_date` | company | date of the latest round: `"2026-03-02"` |
//! | `headcount` | company | whole number ≥ 0 |
//! | `headcount_growth_pct` | company | percent over twelve months, −100 to 1000: `12.5` |
//! | `open_roles` | company | whole number ≥ 0 |
//! | `layoffs` | company | list of `{"date": "2026-01-15", "count": 40}` (`count` optional) |
//! | `tech_stack` | company | list of names: `["HubSpot", "Salesforce"]` |
//! | `news` | company | list of `{"url": "https://…", "date": "2026-02-01", "headline": "…"}` |
//! | `seniority` | contact | one of `c_level`, `vp`, `director`, `manager`, `senior`, `entry` |
//! | `role_start_date` | contact | date the contact's current role began (tenure) |

use jiff::civil::Date;
use serde_json::{Map, Value, json};

use crate::icp::{GROWTH_PCT_RANGE, Seniority};

crate::values! {
    /// A field an enrichment provider can fill. Its name ([`EnrichField::as_str`]) is the
    /// key of facts, of configuration (`fields = ["headcount"]`) and of file columns.
    pub enum EnrichField("enrichment field") {
        FundingStage = "funding_stage" / "funding stage",
        FundingDate = "funding_date" / "date of the latest funding round",
        Headcount = "headcount" / "headcount",
        HeadcountGrowthPct = "headcount_growth_pct" / "headcount growth over 12 months (%)",
        OpenRoles = "open_roles" / "open roles",
        Layoffs = "layoffs" / "layoffs",
        TechStack = "tech_stack" / "tech stack",
        News = "news" / "news",
        Description = "description" / "company description",
        Seniority = "seniority" / "seniority",
        RoleStartDate = "role_start_date" / "start of the current role",
    }
}

crate::values! {
    /// What a field describes, and so what it is looked up by: a company by its domain, a
    /// contact by e-mail (or LinkedIn).
    pub enum SubjectKind("subject kind") {
        Company = "company" / "company",
        Contact = "contact" / "contact",
    }
}

/// The longest text kept in a text value or a headline, in characters.
const MAX_TEXT: usize = 500;
/// The largest headcount or number of open roles believed.
const MAX_COUNT: u64 = 10_000_000;

impl EnrichField {
    pub fn subject(self) -> SubjectKind {
        match self {
            EnrichField::Seniority | EnrichField::RoleStartDate => SubjectKind::Contact,
            _ => SubjectKind::Company,
        }
    }

    /// `value` in the field's one shape; `Ok(None)` for an empty value; `Err` with the
    /// reason for a value that does not fit ("`"lots"` is not a whole number").
    pub fn read(self, value: &Value) -> Result<Option<Value>, String> {
        if is_empty(value) {
            return Ok(None);
        }
        let read = match self {
            EnrichField::FundingStage | EnrichField::Description => text(value).map(Value::String),
            EnrichField::FundingDate | EnrichField::RoleStartDate => {
                date(value).map(|d| Value::String(d.to_string()))
            }
            EnrichField::Headcount | EnrichField::OpenRoles => count(value).map(Value::from),
            EnrichField::HeadcountGrowthPct => percent(value).map(Value::from),
            EnrichField::Layoffs => list(value, layoff),
            EnrichField::TechStack => names(value),
            EnrichField::News => list(value, news_item),
            EnrichField::Seniority => seniority(value).map(|s| Value::String(s.as_str().into())),
        };
        read.map(Some)
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A value as it appears in a reason: JSON, cut short.
pub(crate) fn shown(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

fn text(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) if s.trim().chars().count() <= MAX_TEXT => Ok(s.trim().to_string()),
        Value::String(_) => Err(format!("is longer than {MAX_TEXT} characters")),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("{} is not text", shown(other))),
    }
}

/// A date, or the date part of an ISO 8601 timestamp (`2023-08-01T00:00:00.000+00:00`).
fn date(value: &Value) -> Result<Date, String> {
    let bad = || format!("{} is not a date (YYYY-MM-DD)", shown(value));
    let Value::String(s) = value else {
        return Err(bad());
    };
    let s = s.trim();
    let day = match s.get(..10) {
        Some(day) if s.len() == 10 || matches!(s.as_bytes()[10], b'T' | b't' | b' ') => day,
        _ => return Err(bad()),
    };
    day.parse::<Date>().map_err(|_| bad())
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let s: String = s
                .trim()
                .trim_end_matches('%')
                .chars()
                .filter(|c| !matches!(c, ',' | '_' | ' '))
                .collect();
            s.parse::<f64>().ok().filter(|n| n.is_finite())
        }
        _ => None,
    }
}

fn count(value: &Value) -> Result<u64, String> {
    let bad = || format!("{} is not a whole number", shown(value));
    let n = number(value).ok_or_else(bad)?;
    if n.fract() != 0.0 {
        return Err(bad());
    }
    if n < 0.0 {
        return Err(format!("{} is negative", shown(value)));
    }
    if n > MAX_COUNT as f64 {
        return Err(format!("{} is more than {MAX_COUNT}", shown(value)));
    }
    Ok(n as u64)
}

fn percent(value: &Value) -> Result<f64, String> {
    let n = number(value).ok_or_else(|| format!("{} is not a number", shown(value)))?;
    if !GROWTH_PCT_RANGE.contains(&n) {
        return Err(format!(
            "{n} is outside {} to {} percent",
            GROWTH_PCT_RANGE.start(),
            GROWTH_PCT_RANGE.end()
        ));
    }
    Ok(n)
}

/// A list of items; a single item stands for a list of one.
fn list(value: &Value, item: fn(&Value) -> Result<Value, String>) -> Result<Value, String> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let read: Result<Vec<Value>, String> = items
        .iter()
        .enumerate()
        .map(|(i, v)| item(v).map_err(|e| format!("item {}: {e}", i + 1)))
        .collect();
    Ok(Value::Array(read?))
}

fn object(value: &Value) -> Result<&Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("{} is not an object", shown(value)))
}

fn layoff(value: &Value) -> Result<Value, String> {
    // A bare date is a layoff on that day, size unknown.
    if value.is_string() {
        return Ok(json!({ "date": date(value)?.to_string() }));
    }
    let o = object(value)?;
    let day = date(o.get("date").unwrap_or(&Value::Null)).map_err(|e| format!("date: {e}"))?;
    let mut out = json!({ "date": day.to_string() });
    if let Some(n) = o.get("count").filter(|v| !is_empty(v)) {
        out["count"] = count(n).map_err(|e| format!("count: {e}"))?.into();
    }
    Ok(out)
}

fn news_item(value: &Value) -> Result<Value, String> {
    let o = object(value)?;
    let url = match o.get("url") {
        Some(Value::String(u))
            if (u.starts_with("https://") || u.starts_with("http://")) && !u.contains(' ') =>
        {
            u.clone()
        }
        other => {
            let got = other.map_or("nothing".to_string(), shown);
            return Err(format!("url: {got} is not an http(s) URL"));
        }
    };
    let day = date(o.get("date").unwrap_or(&Value::Null)).map_err(|e| format!("date: {e}"))?;
    let headline = match o.get("headline") {
        Some(h) if !is_empty(h) => text(h).map_err(|e| format!("headline: {e}"))?,
        _ => return Err("headline: missing".to_string()),
    };
    Ok(json!({ "url": url, "date": day.to_string(), "headline": headline }))
}

/// Names from an array of text, or from one text separated by `;` (or `,` when it has no
/// `;`); each name once, in the order given.
fn names(value: &Value) -> Result<Value, String> {
    let raw: Vec<String> = match value {
        Value::Array(items) => items
            .iter()
            .filter(|v| !is_empty(v))
            .map(text)
            .collect::<Result<_, _>>()?,
        Value::String(s) => {
            let separator = if s.contains(';') { ';' } else { ',' };
            s.split(separator).map(|n| n.trim().to_string()).collect()
        }
        other => return Err(format!("{} is not a list of names", shown(other))),
    };
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<Value> = raw
        .into_iter()
        .filter(|n| !n.is_empty() && seen.insert(n.to_lowercase()))
        .map(Value::String)
        .collect();
    Ok(Value::Array(unique))
}

/// A seniority as leadgate names it, or as Apollo does (`c_suite`, `founder`, `head`, …).
fn seniority(value: &Value) -> Result<Seniority, String> {
    let bad = || {
        format!(
            "{} is not a seniority (c_level, vp, director, manager, senior, entry)",
            shown(value)
        )
    };
    let Value::String(s) = value else {
        return Err(bad());
    };
    if let Some(found) = Seniority::from_loose(s) {
        return Ok(found);
    }
    match s.trim().to_lowercase().as_str() {
        "owner" | "founder" | "c_suite" | "c-suite" | "partner" | "cxo" => Ok(Seniority::CLevel),
        "head" => Ok(Seniority::Director),
        "intern" => Ok(Seniority::Entry),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(field: EnrichField, value: Value) -> Result<Option<Value>, String> {
        field.read(&value)
    }

    #[test]
    fn counts_read_from_numbers_and_written_numbers() {
        assert_eq!(
            read(EnrichField::Headcount, json!(1200)),
            Ok(Some(json!(1200)))
        );
        assert_eq!(
            read(EnrichField::Headcount, json!("1,200")),
            Ok(Some(json!(1200)))
        );
        assert_eq!(
            read(EnrichField::OpenRoles, json!(12.0)),
            Ok(Some(json!(12)))
        );
        assert_eq!(
            read(EnrichField::Headcount, json!("lots")),
            Err("\"lots\" is not a whole number".to_string())
        );
        assert!(
            read(EnrichField::Headcount, json!(-3))
                .unwrap_err()
                .contains("negative")
        );
        assert_eq!(read(EnrichField::Headcount, json!(null)), Ok(None));
    }

    #[test]
    fn dates_read_from_dates_and_timestamps() {
        let field = EnrichField::FundingDate;
        assert_eq!(
            read(field, json!("2024-03-01")),
            Ok(Some(json!("2024-03-01")))
        );
        assert_eq!(
            read(field, json!("2023-08-01T00:00:00.000+00:00")),
            Ok(Some(json!("2023-08-01")))
        );
        assert!(read(field, json!("2024-13-01")).is_err());
        assert!(read(field, json!("01/03/2024")).is_err());
        assert!(read(field, json!(20240301)).is_err());
    }

    #[test]
    fn growth_is_a_percentage_in_the_icp_s_range() {
        let field = EnrichField::HeadcountGrowthPct;
        assert_eq!(read(field, json!("12.5%")), Ok(Some(json!(12.5))));
        assert!(read(field, json!(5000)).unwrap_err().contains("outside"));
    }

    #[test]
    fn lists_read_from_arrays_and_separated_text() {
        assert_eq!(
            read(EnrichField::TechStack, json!("HubSpot; Salesforce;hubspot")),
            Ok(Some(json!(["HubSpot", "Salesforce"])))
        );
        assert_eq!(
            read(EnrichField::TechStack, json!(["Segment", "", "Looker"])),
            Ok(Some(json!(["Segment", "Looker"])))
        );
        assert_eq!(
            read(EnrichField::Layoffs, json!("2026-01-15")),
            Ok(Some(json!([{ "date": "2026-01-15" }])))
        );
        assert_eq!(
            read(
                EnrichField::Layoffs,
                json!([{ "date": "2026-01-15", "count": "40" }])
            ),
            Ok(Some(json!([{ "date": "2026-01-15", "count": 40 }])))
        );
    }

    #[test]
    fn news_items_need_a_url_a_date_and_a_headline() {
        let good = json!({"url": "https://news.example/a", "date": "2026-02-01T10:00:00Z", "headline": " Raises B "});
        assert_eq!(
            read(EnrichField::News, good),
            Ok(Some(
                json!([{"url": "https://news.example/a", "date": "2026-02-01", "headline": "Raises B"}])
            ))
        );
        let bad = json!([{"url": "news.example/a", "date": "2026-02-01", "headline": "x"}]);
        assert_eq!(
            read(EnrichField::News, bad),
            Err("item 1: url: \"news.example/a\" is not an http(s) URL".to_string())
        );
    }

    #[test]
    fn seniorities_read_leadgate_s_and_apollo_s_words() {
        assert_eq!(
            read(EnrichField::Seniority, json!("VP")),
            Ok(Some(json!("vp")))
        );
        assert_eq!(
            read(EnrichField::Seniority, json!("c_suite")),
            Ok(Some(json!("c_level")))
        );
        assert_eq!(
            read(EnrichField::Seniority, json!("head")),
            Ok(Some(json!("director")))
        );
        assert!(read(EnrichField::Seniority, json!("wizard")).is_err());
    }

    #[test]
    fn each_field_describes_a_company_or_a_contact() {
        assert_eq!(EnrichField::Headcount.subject(), SubjectKind::Company);
        assert_eq!(EnrichField::RoleStartDate.subject(), SubjectKind::Contact);
        assert_eq!("tech_stack".parse(), Ok(EnrichField::TechStack));
    }
}
