//! What a live lead is scored on: one vocabulary of feature names that a points card reads
//! for a prospect, each computed here from the contact's and its company's stored facts and
//! from its engagement and intent signals, at `now`. A card learned from a CRM history
//! export can score live leads only when the export's columns carry these names, so the
//! vocabulary is a contract between the history file and the workspace — and a card that
//! reads a name outside it is refused ([`unknown_features`]) rather than silently scoring
//! every lead as "missing".
//!
//! Fit (who the lead is), from facts; an empty value is missing:
//!
//! | feature | from | value |
//! |---|---|---|
//! | `seniority` | the contact's `seniority` | `c_level`, `vp`, `director`, `manager`, `senior`, `entry` |
//! | `department` | the contact's `department` | text |
//! | `country` | the contact's `country`, else the company's | ISO code |
//! | `industry` | the company's `industry` | LinkedIn's name (`Computer Software`), however spelled |
//! | `employees` | the company's `employees` (a range's midpoint) | number |
//! | `funding_stage` | enrichment | text (`Series B`) |
//! | `days_since_funding` | enrichment's `funding_date` | days before `now` |
//! | `headcount` | enrichment | number |
//! | `headcount_growth_pct` | enrichment | percent over twelve months |
//! | `open_roles` | enrichment | number |
//! | `layoffs_12m` | enrichment's `layoffs` | rounds dated within 365 days of `now` |
//! | `tenure_months` | enrichment's `role_start_date` | whole months in the role |
//! | `tech_stack_count` | enrichment's `tech_stack` and the company's `technologies` | number of tools |
//! | `has_<tool>` | the same stack | `yes` / `no` (`has_salesforce`, `has_hubspot`) |
//!
//! Engagement (what the lead did), from signals in windows ending at `now`, every repeat
//! counted (two pricing visits in a week is 2), named as
//! [`signal_counts`](crate::engagement::signal_counts) names them; a lead with no signals
//! counts 0, not missing:
//!
//! | feature | counts |
//! |---|---|
//! | `pricing_page_visit_7d`, `pricing_page_visit_30d` | pricing page views |
//! | `page_view_30d` | page views |
//! | `email_open_30d`, `email_click_30d`, `email_reply_30d` | e-mail opens, clicks, replies |
//! | `webinar_attended_90d`, `content_download_90d` | webinars, downloads |
//! | `trial_signup_90d`, `demo_request_90d` | trial sign-ups, demo requests |
//! | `intent_max_30d` | the highest third-party intent score of any topic in 30 days (missing when none) |
//!
//! A score splits into its **fit** part (the base points and the fit terms) and its
//! **engagement** part (the engagement terms; a pair is engagement when either of its
//! features is), and its reasons are the three terms with the most points either way.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::Value;

use super::scorecard::{Layout, Reason, Scorecard};
use crate::engagement::{Window, count_within};
use crate::icp::{IntentObservation, SignalObservation};

/// Whether a feature says who the lead is or what it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    Fit,
    Engagement,
}

/// One name of the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feature {
    pub name: &'static str,
    pub kind: FeatureKind,
}

const fn fit(name: &'static str) -> Feature {
    Feature {
        name,
        kind: FeatureKind::Fit,
    }
}

const fn engaged(name: &'static str) -> Feature {
    Feature {
        name,
        kind: FeatureKind::Engagement,
    }
}

/// The prefix of the `has_<tool>` features: whether the tool is in the company's stack.
pub const HAS_PREFIX: &str = "has_";

/// Signal counts: the feature, the signal kind counted and the window in days.
const COUNTS: &[(&str, &str, u32)] = &[
    ("pricing_page_visit_7d", "pricing_page_visit", 7),
    ("pricing_page_visit_30d", "pricing_page_visit", 30),
    ("page_view_30d", "page_view", 30),
    ("email_open_30d", "email_open", 30),
    ("email_click_30d", "email_click", 30),
    ("email_reply_30d", "email_reply", 30),
    ("webinar_attended_90d", "webinar_attended", 90),
    ("content_download_90d", "content_download", 90),
    ("trial_signup_90d", "trial_signup", 90),
    ("demo_request_90d", "demo_request", 90),
];

/// The window of `intent_max_30d`.
const INTENT_DAYS: u32 = 30;
/// The window of `layoffs_12m`.
const LAYOFF_DAYS: i64 = 365;

/// Every fixed name of the vocabulary (the `has_<tool>` family aside), fit first.
pub const FEATURES: &[Feature] = &[
    fit("seniority"),
    fit("department"),
    fit("country"),
    fit("industry"),
    fit("employees"),
    fit("funding_stage"),
    fit("days_since_funding"),
    fit("headcount"),
    fit("headcount_growth_pct"),
    fit("open_roles"),
    fit("layoffs_12m"),
    fit("tenure_months"),
    fit("tech_stack_count"),
    engaged("pricing_page_visit_7d"),
    engaged("pricing_page_visit_30d"),
    engaged("page_view_30d"),
    engaged("email_open_30d"),
    engaged("email_click_30d"),
    engaged("email_reply_30d"),
    engaged("webinar_attended_90d"),
    engaged("content_download_90d"),
    engaged("trial_signup_90d"),
    engaged("demo_request_90d"),
    engaged("intent_max_30d"),
];

/// The kind of a feature name, or `None` when the vocabulary has no such name.
pub fn kind_of(name: &str) -> Option<FeatureKind> {
    if let Some(tool) = name.strip_prefix(HAS_PREFIX)
        && !tool.is_empty()
    {
        return Some(FeatureKind::Fit);
    }
    FEATURES.iter().find(|f| f.name == name).map(|f| f.kind)
}

/// A feature's name in words, for pages and reports: `pricing_page_visit_7d` is "pricing
/// page visits in 7 days", `has_salesforce` is "uses salesforce"; a pair is both, joined
/// by "×"; a name outside the vocabulary is shown with spaces for underscores.
pub fn feature_label(name: &str) -> String {
    if let Some((a, b)) = name.split_once(" × ") {
        return format!("{} × {}", feature_label(a), feature_label(b));
    }
    let words = match name {
        "seniority" => "seniority",
        "department" => "department",
        "country" => "country",
        "industry" => "industry",
        "employees" => "employees",
        "funding_stage" => "funding stage",
        "days_since_funding" => "days since funding",
        "headcount" => "headcount",
        "headcount_growth_pct" => "headcount growth (%)",
        "open_roles" => "open roles",
        "layoffs_12m" => "layoffs in 12 months",
        "tenure_months" => "months in role",
        "tech_stack_count" => "tools in stack",
        "pricing_page_visit_7d" => "pricing visits in 7 days",
        "pricing_page_visit_30d" => "pricing visits in 30 days",
        "page_view_30d" => "page views in 30 days",
        "email_open_30d" => "e-mails opened in 30 days",
        "email_click_30d" => "e-mail clicks in 30 days",
        "email_reply_30d" => "e-mail replies in 30 days",
        "webinar_attended_90d" => "webinars in 90 days",
        "content_download_90d" => "downloads in 90 days",
        "trial_signup_90d" => "trials in 90 days",
        "demo_request_90d" => "demo requests in 90 days",
        "intent_max_30d" => "intent score in 30 days",
        other => {
            return match other.strip_prefix(HAS_PREFIX) {
                Some(tool) if !tool.is_empty() => format!("uses {}", tool.replace('_', " ")),
                _ => other.replace('_', " "),
            };
        }
    };
    words.to_string()
}

/// The features a card reads that the vocabulary lacks, each once, in the card's order:
/// a card with any cannot score live leads.
pub fn unknown_features(card: &Scorecard) -> Vec<String> {
    let mut unknown: Vec<String> = Vec::new();
    let names = card
        .terms
        .iter()
        .flat_map(|t| std::iter::once(&t.bins).chain(t.with.as_ref()))
        .map(|b| b.feature.as_str());
    for name in names {
        if kind_of(name).is_none() && !unknown.iter().any(|u| u == name) {
            unknown.push(name.to_string());
        }
    }
    unknown
}

/// What the lead's features are computed from: the contact's facts, its company's, and its
/// signals.
#[derive(Debug, Clone, Copy)]
pub struct LeadInputs<'a> {
    pub person: &'a BTreeMap<String, Value>,
    pub company: &'a BTreeMap<String, Value>,
    pub signals: &'a [SignalObservation],
    pub intent: &'a [IntentObservation],
}

/// The company's industry by its LinkedIn (V1) name, however the source spelled it
/// ("computer software", "COMPUTER_SOFTWARE" and "Computer Software" are one industry); an
/// industry the table does not know is kept as written.
fn industry_of(lead: &LeadInputs<'_>) -> String {
    let written = lead.company.get("industry").map_or(String::new(), text_of);
    crate::discovery::industry::canonical_industry(&written).map_or(written, str::to_string)
}

/// Every feature of the vocabulary for one lead at `now`, by name (an empty value is
/// missing), followed by `has_<tool>` = `yes` for each tool of its stack.
pub fn features_of(lead: &LeadInputs<'_>, now: Timestamp) -> Vec<(String, String)> {
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let text =
        |facts: &BTreeMap<String, Value>, key: &str| facts.get(key).map_or(String::new(), text_of);
    let person_or_company = |key: &str| {
        let v = text(lead.person, key);
        if v.is_empty() {
            text(lead.company, key)
        } else {
            v
        }
    };
    let number = |key: &str| {
        person_or_company(key)
            .parse::<f64>()
            .ok()
            .map_or(String::new(), format_number)
    };
    let stack = stack_of(lead);
    let country = {
        let c = text(lead.person, "country");
        if c.is_empty() {
            text(lead.company, "company_country")
        } else {
            c
        }
    };
    let mut out: Vec<(String, String)> = vec![
        ("seniority".into(), text(lead.person, "seniority")),
        ("department".into(), text(lead.person, "department")),
        ("country".into(), country),
        ("industry".into(), industry_of(lead)),
        (
            "employees".into(),
            range_midpoint(&text(lead.company, "employees")).map_or(String::new(), format_number),
        ),
        ("funding_stage".into(), person_or_company("funding_stage")),
        (
            "days_since_funding".into(),
            days_before(&person_or_company("funding_date"), today)
                .map_or(String::new(), |d| d.to_string()),
        ),
        ("headcount".into(), number("headcount")),
        (
            "headcount_growth_pct".into(),
            number("headcount_growth_pct"),
        ),
        ("open_roles".into(), number("open_roles")),
        (
            "layoffs_12m".into(),
            layoffs_within(lead, today).map_or(String::new(), |n| n.to_string()),
        ),
        (
            "tenure_months".into(),
            days_before(&person_or_company("role_start_date"), today)
                .map_or(String::new(), |d| (d * 12 / 365).to_string()),
        ),
        (
            "tech_stack_count".into(),
            if stack.is_empty() {
                String::new()
            } else {
                stack.len().to_string()
            },
        ),
    ];
    for &(name, kind, days) in COUNTS {
        let n = count_within(lead.signals, kind, Window::days(days), now);
        out.push((name.into(), n.to_string()));
    }
    let intent = lead
        .intent
        .iter()
        .filter(|i| Window::days(INTENT_DAYS).contains(i.at, now))
        .map(|i| i.score)
        .max();
    out.push((
        "intent_max_30d".into(),
        intent.map_or(String::new(), |s| s.to_string()),
    ));
    for tool in &stack {
        out.push((format!("{HAS_PREFIX}{tool}"), "yes".into()));
    }
    out
}

/// The value of each of `headers` among `features`: a `has_<tool>` not listed is `no` when
/// the stack is known, missing when not; a name not there is missing.
pub fn row_for(features: &[(String, String)], headers: &[String]) -> Vec<String> {
    let stack_known = features
        .iter()
        .any(|(n, v)| n == "tech_stack_count" && !v.is_empty());
    headers
        .iter()
        .map(|h| match features.iter().find(|(n, _)| n == h) {
            Some((_, v)) => v.clone(),
            None if h.starts_with(HAS_PREFIX) && stack_known => "no".into(),
            None => String::new(),
        })
        .collect()
}

/// A tool's name as a feature reads it: lower case, runs of other characters as `_`
/// (`Google Analytics` → `google_analytics`).
pub fn tool_key(tool: &str) -> String {
    let mut key = String::new();
    for c in tool.trim().chars() {
        if c.is_alphanumeric() {
            key.extend(c.to_lowercase());
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    key.trim_end_matches('_').to_string()
}

fn stack_of(lead: &LeadInputs<'_>) -> BTreeSet<String> {
    let mut tools = BTreeSet::new();
    for facts in [lead.company, lead.person] {
        for key in ["tech_stack", "technologies"] {
            match facts.get(key) {
                Some(Value::Array(items)) => {
                    tools.extend(items.iter().filter_map(Value::as_str).map(tool_key));
                }
                Some(Value::String(s)) => {
                    tools.extend(s.split([',', ';']).map(tool_key));
                }
                _ => {}
            }
        }
    }
    tools.retain(|t| !t.is_empty());
    tools
}

/// Layoff rounds dated within a year of `today`: a list of `{date, count}`, or a number.
fn layoffs_within(lead: &LeadInputs<'_>, today: Date) -> Option<usize> {
    let value = lead
        .company
        .get("layoffs")
        .or_else(|| lead.person.get("layoffs"))?;
    match value {
        Value::Array(rounds) => Some(
            rounds
                .iter()
                .filter_map(|r| r.get("date").and_then(Value::as_str))
                .filter_map(|d| days_before(d, today))
                .filter(|&d| (0..=LAYOFF_DAYS).contains(&d))
                .count(),
        ),
        other => text_of(other).parse().ok(),
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        // A survivor as a prospect's profile stores it: its value.
        Value::Object(o) => o.get("value").map_or(String::new(), text_of),
        Value::Null => String::new(),
    }
}

/// Days from a `YYYY-MM-DD` date (or the date of a timestamp) to `today`.
fn days_before(text: &str, today: Date) -> Option<i64> {
    let day: Date = text.get(..10)?.parse().ok()?;
    Some(i64::from(today.since(day).ok()?.get_days()))
}

/// A company size as stored: `1200`, `1,200`, `51-200` (its midpoint) or `10000+`.
fn range_midpoint(text: &str) -> Option<f64> {
    let clean: String = text
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    if let Some(low) = clean.strip_suffix('+') {
        return low.parse().ok();
    }
    match clean.split_once(['-', '–']) {
        Some((a, b)) => Some((a.parse::<f64>().ok()? + b.parse::<f64>().ok()?) / 2.0),
        None => clean.parse().ok(),
    }
}

fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

crate::values! {
    /// Where a scored lead goes.
    pub enum LeadStage("lead stage") {
        /// At or above the threshold: the outreach queue.
        Outreach = "outreach" / "outreach",
        /// Below the threshold: nurture until its score rises.
        Nurture = "nurture" / "nurture",
    }
}

impl LeadStage {
    /// The stage of a score: outreach at or above `threshold`.
    pub fn of(score: i64, threshold: i64) -> LeadStage {
        if score >= threshold {
            LeadStage::Outreach
        } else {
            LeadStage::Nurture
        }
    }
}

/// A lead's score, split into its parts, with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadScore {
    pub score: i64,
    pub probability: f64,
    /// The base points and the fit terms' points.
    pub fit: i64,
    /// The engagement terms' points: `fit + engagement = score`.
    pub engagement: i64,
    /// The three terms with the most points either way, largest first.
    pub reasons: Vec<Reason>,
}

/// How many reasons a lead shows.
pub const TOP_REASONS: usize = 3;

/// Scores one lead's feature row (laid out by `layout`, as [`row_for`] gives it).
pub fn score_lead(card: &Scorecard, layout: &Layout, row: &[String]) -> Result<LeadScore, String> {
    let cells = card
        .cells_of_row(layout, row)
        .map_err(|(_, message)| message)?;
    let (score, reasons) = card.explain(&cells);
    let mut fit = card.base_points;
    let mut engagement = 0;
    for (term, reason) in card.terms.iter().zip(&reasons) {
        let engaged = std::iter::once(&term.bins)
            .chain(term.with.as_ref())
            .any(|b| kind_of(&b.feature) == Some(FeatureKind::Engagement));
        if engaged {
            engagement += reason.points;
        } else {
            fit += reason.points;
        }
    }
    let mut top = reasons;
    // Stable: ties keep the card's order.
    top.sort_by_key(|r| std::cmp::Reverse(r.points.abs()));
    top.truncate(TOP_REASONS);
    Ok(LeadScore {
        score,
        probability: card.probability(score),
        fit,
        engagement,
        reasons: top,
    })
}

/// The column names a card reads, each once, in the card's order.
pub fn columns_of(card: &Scorecard) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for term in &card.terms {
        for b in std::iter::once(&term.bins).chain(term.with.as_ref()) {
            if !names.contains(&b.feature) {
                names.push(b.feature.clone());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::rules;
    use jiff::SignedDuration;
    use serde_json::json;

    fn now() -> Timestamp {
        "2026-12-01T12:00:00Z".parse().unwrap()
    }

    fn days_ago(days: i64) -> Timestamp {
        now() - SignedDuration::from_hours(days * 24)
    }

    fn facts(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn value<'a>(features: &'a [(String, String)], name: &str) -> &'a str {
        &features.iter().find(|(n, _)| n == name).unwrap().1
    }

    const CARD: &str = r#"
base_points = 150
[scale]
points_to_double_odds = 20
even_odds_score = 200

[[terms]]
bins = { feature = "seniority", type = "categorical", categories = ["vp", "director"] }
points = [0, 20, 10, -5]
[[terms]]
bins = { feature = "pricing_page_visit_7d", type = "numeric", cuts = [1, 2], whole = true }
points = [0, 0, 8, 18]
[[terms]]
bins = { feature = "employees", type = "numeric", cuts = [200], whole = true }
points = [0, -3, 4]
"#;

    #[test]
    fn pricing_visited_twice_in_7_days_is_the_feature_value_2() {
        let signals: Vec<SignalObservation> = [1, 5, 20]
            .iter()
            .map(|&d| SignalObservation {
                kind: "pricing_page_visit".into(),
                at: days_ago(d),
            })
            .collect();
        let empty = BTreeMap::new();
        let features = features_of(
            &LeadInputs {
                person: &empty,
                company: &empty,
                signals: &signals,
                intent: &[],
            },
            now(),
        );
        assert_eq!(value(&features, "pricing_page_visit_7d"), "2");
        assert_eq!(value(&features, "pricing_page_visit_30d"), "3");
        assert_eq!(value(&features, "demo_request_90d"), "0");
        assert_eq!(
            value(&features, "intent_max_30d"),
            "",
            "no intent is missing, not 0"
        );
        assert_eq!(value(&features, "seniority"), "");
    }

    #[test]
    fn facts_become_fit_features_at_now() {
        let person = facts(&[
            ("seniority", json!("vp")),
            ("country", json!("DE")),
            ("role_start_date", json!("2025-12-01")),
        ]);
        let company = facts(&[
            ("employees", json!("51-200")),
            ("industry", json!("information technology & services")),
            ("funding_date", json!("2026-11-01")),
            ("headcount_growth_pct", json!(12.5)),
            ("tech_stack", json!(["HubSpot", "Google Analytics"])),
            (
                "layoffs",
                json!([{ "date": "2026-06-01" }, { "date": "2024-01-01" }]),
            ),
        ]);
        let intent = [
            IntentObservation {
                topic: "crm".into(),
                score: 70,
                at: days_ago(3),
            },
            IntentObservation {
                topic: "routing".into(),
                score: 90,
                at: days_ago(45),
            },
        ];
        let features = features_of(
            &LeadInputs {
                person: &person,
                company: &company,
                signals: &[],
                intent: &intent,
            },
            now(),
        );
        assert_eq!(value(&features, "employees"), "125.5");
        assert_eq!(
            value(&features, "industry"),
            "Information Technology and Services",
            "Apollo's spelling, read as LinkedIn's name"
        );
        assert_eq!(value(&features, "days_since_funding"), "30");
        assert_eq!(value(&features, "tenure_months"), "12");
        assert_eq!(value(&features, "headcount_growth_pct"), "12.5");
        assert_eq!(value(&features, "layoffs_12m"), "1");
        assert_eq!(value(&features, "tech_stack_count"), "2");
        assert_eq!(value(&features, "has_google_analytics"), "yes");
        assert_eq!(
            value(&features, "intent_max_30d"),
            "70",
            "the 90 is older than 30 days"
        );
        let row = row_for(
            &features,
            &["has_salesforce".into(), "country".into(), "nope".into()],
        );
        assert_eq!(row, ["no", "DE", ""]);
    }

    #[test]
    fn a_card_reading_a_name_outside_the_vocabulary_is_named() {
        let mut card = rules::parse(CARD, "card.toml").unwrap();
        card.terms[2].bins.feature = "age".into();
        assert_eq!(unknown_features(&card), ["age"]);
        card.terms[2].bins.feature = "has_salesforce".into();
        assert!(unknown_features(&card).is_empty());
    }

    #[test]
    fn fit_and_engagement_add_up_to_the_score_and_reasons_are_the_top_three() {
        let card = rules::parse(CARD, "card.toml").unwrap();
        let columns = columns_of(&card);
        let layout = card.layout(&columns).unwrap();
        let features = vec![
            ("seniority".to_string(), "vp".to_string()),
            ("pricing_page_visit_7d".to_string(), "2".to_string()),
            ("employees".to_string(), "50".to_string()),
        ];
        let scored = score_lead(&card, &layout, &row_for(&features, &columns)).unwrap();
        assert_eq!(scored.score, 150 + 20 + 18 - 3);
        assert_eq!(scored.fit, 150 + 20 - 3);
        assert_eq!(scored.engagement, 18);
        assert_eq!(scored.fit + scored.engagement, scored.score);
        let points: Vec<i64> = scored.reasons.iter().map(|r| r.points).collect();
        assert_eq!(points, [20, 18, -3]);
        assert_eq!(scored.probability, card.probability(scored.score));
    }

    #[test]
    fn every_name_of_the_vocabulary_reads_as_words() {
        for f in FEATURES {
            assert!(!feature_label(f.name).contains('_'), "{}", f.name);
        }
        assert_eq!(
            feature_label("has_google_analytics"),
            "uses google analytics"
        );
        assert_eq!(
            feature_label("seniority × pricing_page_visit_7d"),
            "seniority × pricing visits in 7 days"
        );
    }

    #[test]
    fn the_threshold_itself_is_outreach() {
        assert_eq!(LeadStage::of(180, 180), LeadStage::Outreach);
        assert_eq!(LeadStage::of(179, 180), LeadStage::Nurture);
    }

    #[test]
    fn words_in_a_number_feature_are_an_error_not_a_panic() {
        let card = rules::parse(CARD, "card.toml").unwrap();
        let columns = columns_of(&card);
        let layout = card.layout(&columns).unwrap();
        let row = vec!["vp".into(), "lots".into(), "".into()];
        assert!(score_lead(&card, &layout, &row).is_err());
    }
}
