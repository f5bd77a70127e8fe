//! How well a prospect fits an ICP, criterion by criterion, with the reason for each.
//!
//! Discovery filters on the verdict and scoring reads the criteria, so both must be honest
//! about missing data: every criterion passes, fails, or is unknown because the prospect's
//! facts do not say. A criterion exists only for what the ICP specifies. The verdict is
//! [`IcpFit::NotFit`] when a required criterion fails, [`IcpFit::Fit`] when every required
//! criterion passes or is unknown and listed in the ICP's `accept_unknown`, and
//! [`IcpFit::Undetermined`] otherwise; optional criteria (signals and intent not marked
//! `required`) are reported but never change it.
//!
//! [`evaluate`] lists the criteria and the rule of each.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::engagement::{Window, count_within};

use super::document::{
    Bounds, Department, IcpDocument, IntentIndicator, KeyPath, Persona, Region, Seniority, Signal,
    is_country_code,
};

/// What is known about a prospect. Every fact may be missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProspectFacts {
    pub company: CompanyFacts,
    pub contact: Option<ContactFacts>,
    pub signals: Vec<SignalObservation>,
    pub intent: Vec<IntentObservation>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompanyFacts {
    pub domain: Option<String>,
    pub name: Option<String>,
    pub employees: Option<u32>,
    pub industry: Option<String>,
    /// ISO 3166-1 alpha-2, any case.
    pub country: Option<String>,
    pub revenue_usd: Option<u64>,
    pub headcount_growth_pct: Option<f64>,
    /// The known stack; `Some(vec![])` means the stack is known to hold none of interest.
    pub technologies: Option<Vec<String>>,
    pub is_customer: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactFacts {
    pub title: Option<String>,
    /// A [`Seniority`] name; case, spaces and hyphens do not matter.
    pub seniority: Option<String>,
    /// A [`Department`] name; case, spaces and hyphens do not matter.
    pub department: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalObservation {
    pub kind: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentObservation {
    pub topic: String,
    pub score: u8,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub verdict: IcpFit,
    pub criteria: Vec<CriterionResult>,
}

/// How a prospect fits the ICP, all criteria taken together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IcpFit {
    Fit,
    NotFit,
    Undetermined,
}

impl IcpFit {
    /// The verdict the criteria imply: a failed required criterion is `NotFit`; all required
    /// criteria passed (or unknown where the ICP accepts it) is `Fit`; anything else is
    /// `Undetermined`.
    pub fn from_criteria(criteria: &[CriterionResult]) -> IcpFit {
        let required = || criteria.iter().filter(|c| c.required);
        if required().any(|c| c.outcome == Outcome::Fail) {
            IcpFit::NotFit
        } else if required().all(|c| c.outcome == Outcome::Pass || c.unknown_accepted) {
            IcpFit::Fit
        } else {
            IcpFit::Undetermined
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionResult {
    /// The criterion's name, e.g. `firmographics.employees` or `signals.pricing_page_visit`.
    pub criterion: String,
    pub outcome: Outcome,
    pub required: bool,
    /// Why, in plain words: `212 employees is within 50–1000`.
    pub reason: String,
    /// Unknown, and the ICP accepts it unknown (`accept_unknown`): it does not hold the
    /// prospect back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unknown_accepted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    Unknown,
}

/// Evaluates `prospect` against `icp` at the time `now`.
///
/// The criteria, in this order, and their names:
///
/// - `firmographics.employees`, `firmographics.revenue_usd`, `firmographics.headcount_growth_pct`:
///   the value lies within the range, ends included.
/// - `firmographics.industries`: the industry equals one of the ICP's, ignoring case.
/// - `firmographics.location`: the company's country is in `countries` or in one of `regions`.
/// - `technographics.any`, `.all`, `.none`: tool names compared ignoring case.
/// - `personas`: the contact matches at least one persona. A contact matches a persona when
///   (a) the persona lists titles and one of them appears in the contact's title as whole
///   words, ignoring case and punctuation (`VP Sales` is in `Senior VP, Sales EMEA`), or
///   (b) the persona lists seniority or departments, and the contact's seniority is one of the
///   persona's (when it lists any) and its department is one of the persona's (when it lists
///   any). Missing contact facts make a route unknown rather than failed, so the criterion is
///   unknown when no persona matches and some persona might with the missing facts, and
///   always unknown without a contact.
/// - `signals.<kind>`: the number of observations of the kind with
///   `now - within_days ≤ at ≤ now` is at least `min_count`.
/// - `intent.<topic>`: an observation of the topic in the same window scores at least
///   `min_score`.
/// - `exclusions.domains`, `exclusions.competitors`: the company's domain is not a listed
///   domain nor a subdomain of one (lower-cased; a scheme, path, port and `www.` are ignored).
/// - `exclusions.existing_customers`: the company is not a customer.
///
/// A required criterion that is unknown and named in the ICP's `accept_unknown` is marked
/// `unknown_accepted`.
///
/// Every criterion is required except signals and intent topics not marked `required`:
/// those are reported with `required: false`, and when not observed (enough) their outcome
/// is unknown, never failed. A missing fact makes a criterion unknown. Names with spaces are
/// quoted as in TOML: `intent."lead routing"`.
pub fn evaluate(icp: &IcpDocument, prospect: &ProspectFacts, now: Timestamp) -> Evaluation {
    let mut out = Criteria::default();
    let company = &prospect.company;
    let firmographics = &icp.firmographics;

    if let Some(bounds) = &firmographics.employees {
        let value = company.employees.map(i64::from);
        let describe = |n: i64| format!("{n} employees");
        let result = range(value, bounds, describe, |n| n.to_string(), "employee count");
        out.required("firmographics.employees", result);
    }
    if !firmographics.industries.is_empty() {
        out.required(
            "firmographics.industries",
            industry(company.industry.as_deref(), &firmographics.industries),
        );
    }
    if !firmographics.countries.is_empty() || !firmographics.regions.is_empty() {
        out.required(
            "firmographics.location",
            location(
                company.country.as_deref(),
                &firmographics.countries,
                &firmographics.regions,
            ),
        );
    }
    if let Some(bounds) = &firmographics.revenue_usd {
        let value = company
            .revenue_usd
            .map(|r| i64::try_from(r).unwrap_or(i64::MAX));
        let describe = |n: i64| format!("revenue of {} USD", grouped(n));
        let result = range(value, bounds, describe, grouped, "revenue");
        out.required("firmographics.revenue_usd", result);
    }
    if let Some(bounds) = &firmographics.headcount_growth_pct {
        let value = company.headcount_growth_pct.filter(|g| g.is_finite());
        let describe = |g: f64| format!("headcount growth of {g}%");
        let result = range(
            value,
            bounds,
            describe,
            |g| format!("{g}%"),
            "headcount growth",
        );
        out.required("firmographics.headcount_growth_pct", result);
    }

    let technographics = &icp.technographics;
    let stack = company.technologies.as_deref();
    if !technographics.any.is_empty() {
        out.required("technographics.any", uses_any(stack, &technographics.any));
    }
    if !technographics.all.is_empty() {
        out.required("technographics.all", uses_all(stack, &technographics.all));
    }
    if !technographics.none.is_empty() {
        out.required(
            "technographics.none",
            uses_none(stack, &technographics.none),
        );
    }

    if !icp.personas.is_empty() {
        out.required(
            "personas",
            personas(prospect.contact.as_ref(), &icp.personas),
        );
    }

    for wanted in &icp.signals {
        let name = KeyPath::default()
            .key("signals")
            .key(&wanted.kind)
            .to_string();
        let (outcome, reason) = signal(wanted, &prospect.signals, now);
        out.push(name, outcome, wanted.required, reason);
    }
    for wanted in &icp.intent {
        let name = KeyPath::default()
            .key("intent")
            .key(&wanted.topic)
            .to_string();
        let (outcome, reason) = intent(wanted, &prospect.intent, now);
        out.push(name, outcome, wanted.required, reason);
    }

    let exclusions = &icp.exclusions;
    let domain = company.domain.as_deref().and_then(normalize_domain);
    if !exclusions.domains.is_empty() {
        out.required(
            "exclusions.domains",
            excluded(domain.as_deref(), &exclusions.domains, "an excluded domain"),
        );
    }
    if !exclusions.competitors.is_empty() {
        out.required(
            "exclusions.competitors",
            excluded(domain.as_deref(), &exclusions.competitors, "a competitor"),
        );
    }
    if exclusions.existing_customers {
        let result = match company.is_customer {
            Some(true) => (Outcome::Fail, "is an existing customer".to_string()),
            Some(false) => (Outcome::Pass, "is not a customer".to_string()),
            None => (Outcome::Unknown, "customer status unknown".to_string()),
        };
        out.required("exclusions.existing_customers", result);
    }

    for criterion in &mut out.criteria {
        criterion.unknown_accepted = criterion.required
            && criterion.outcome == Outcome::Unknown
            && icp.accept_unknown.contains(&criterion.criterion);
    }
    let verdict = IcpFit::from_criteria(&out.criteria);
    Evaluation {
        verdict,
        criteria: out.criteria,
    }
}

/// What a criterion is about, in the words of the people who read lists: the fact it needs
/// (`firmographics.revenue_usd` is "revenue", the three technographics criteria are all
/// "technology stack").
pub fn criterion_label(criterion: &str) -> String {
    let fixed = match criterion {
        "firmographics.employees" => "employee count",
        "firmographics.industries" => "industry",
        "firmographics.location" => "company country",
        "firmographics.revenue_usd" => "revenue",
        "firmographics.headcount_growth_pct" => "headcount growth",
        "technographics.any" | "technographics.all" | "technographics.none" => "technology stack",
        "personas" => "title, seniority or department",
        "exclusions.domains" | "exclusions.competitors" => "company domain",
        "exclusions.existing_customers" => "customer status",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    if let Some(kind) = criterion.strip_prefix("signals.") {
        return kind.replace('_', " ");
    }
    if let Some(topic) = criterion.strip_prefix("intent.") {
        return format!("intent on {}", topic.trim_matches('"'));
    }
    criterion.to_string()
}

/// The criteria `icp` defines, each as it reads for a prospect of whom nothing is known: the
/// names that `accept_unknown` and the reasons of a verdict use.
pub fn criteria_of(icp: &IcpDocument) -> Vec<CriterionResult> {
    evaluate(icp, &ProspectFacts::default(), Timestamp::UNIX_EPOCH).criteria
}

#[derive(Default)]
struct Criteria {
    criteria: Vec<CriterionResult>,
}

impl Criteria {
    fn push(&mut self, criterion: String, outcome: Outcome, required: bool, reason: String) {
        self.criteria.push(CriterionResult {
            criterion,
            outcome,
            required,
            reason,
            unknown_accepted: false,
        });
    }

    fn required(&mut self, criterion: &str, (outcome, reason): (Outcome, String)) {
        self.push(criterion.to_string(), outcome, true, reason);
    }
}

/// `value` against an inclusive range. `describe` words the prospect's value ("212
/// employees"), `show` a bound ("50"); `what` names the fact when it is missing.
fn range<T: PartialOrd + Copy>(
    value: Option<T>,
    bounds: &Bounds<T>,
    describe: impl Fn(T) -> String,
    show: impl Fn(T) -> String,
    what: &str,
) -> (Outcome, String) {
    let Some(value) = value else {
        return (Outcome::Unknown, format!("{what} unknown"));
    };
    let described = describe(value);
    if let Some(min) = bounds.min
        && value < min
    {
        let reason = format!("{described} is below the minimum of {}", show(min));
        return (Outcome::Fail, reason);
    }
    if let Some(max) = bounds.max
        && value > max
    {
        let reason = format!("{described} is above the maximum of {}", show(max));
        return (Outcome::Fail, reason);
    }
    let within = match (bounds.min, bounds.max) {
        (Some(min), Some(max)) => format!("within {}–{}", show(min), show(max)),
        (Some(min), None) => format!("at least {}", show(min)),
        (None, Some(max)) => format!("at most {}", show(max)),
        (None, None) => "within any range".to_string(),
    };
    (Outcome::Pass, format!("{described} is {within}"))
}

fn industry(industry: Option<&str>, industries: &[String]) -> (Outcome, String) {
    let Some(industry) = industry.map(str::trim).filter(|i| !i.is_empty()) else {
        return (Outcome::Unknown, "industry unknown".to_string());
    };
    if industries.iter().any(|i| same_text(i, industry)) {
        (
            Outcome::Pass,
            format!("industry {industry} is in the profile"),
        )
    } else {
        (
            Outcome::Fail,
            format!("industry {industry} is not in {}", listed(industries)),
        )
    }
}

fn location(country: Option<&str>, countries: &[String], regions: &[Region]) -> (Outcome, String) {
    let Some(raw) = country.map(str::trim).filter(|c| !c.is_empty()) else {
        return (Outcome::Unknown, "country unknown".to_string());
    };
    let code = raw.to_ascii_uppercase();
    if !is_country_code(&code) {
        return (
            Outcome::Unknown,
            format!("country `{raw}` is not an ISO 3166-1 alpha-2 code"),
        );
    }
    if countries.contains(&code) {
        return (
            Outcome::Pass,
            format!("country {code} is in the profile's countries"),
        );
    }
    if let Some(region) = regions.iter().find(|r| r.contains(&code)) {
        return (
            Outcome::Pass,
            format!("country {code} is in region {region}"),
        );
    }
    let places = match (countries.is_empty(), regions.is_empty()) {
        (false, true) => listed(countries),
        (true, false) => format!("regions {}", listed(regions)),
        _ => format!("{} or regions {}", listed(countries), listed(regions)),
    };
    (Outcome::Fail, format!("country {code} is not in {places}"))
}

fn uses_any(stack: Option<&[String]>, tools: &[String]) -> (Outcome, String) {
    let Some(stack) = stack else {
        return (Outcome::Unknown, "technology stack unknown".to_string());
    };
    let used = in_stack(stack, tools, true);
    if used.is_empty() {
        (Outcome::Fail, format!("uses none of {}", listed(tools)))
    } else {
        (Outcome::Pass, format!("uses {}", listed(&used)))
    }
}

fn uses_all(stack: Option<&[String]>, tools: &[String]) -> (Outcome, String) {
    let Some(stack) = stack else {
        return (Outcome::Unknown, "technology stack unknown".to_string());
    };
    let missing = in_stack(stack, tools, false);
    if missing.is_empty() {
        (Outcome::Pass, format!("uses all of {}", listed(tools)))
    } else {
        (Outcome::Fail, format!("does not use {}", listed(&missing)))
    }
}

fn uses_none(stack: Option<&[String]>, tools: &[String]) -> (Outcome, String) {
    let Some(stack) = stack else {
        return (Outcome::Unknown, "technology stack unknown".to_string());
    };
    let used = in_stack(stack, tools, true);
    if used.is_empty() {
        (Outcome::Pass, format!("uses none of {}", listed(tools)))
    } else {
        (
            Outcome::Fail,
            format!("uses {}, which the profile excludes", listed(&used)),
        )
    }
}

/// The ICP's tools that are (`present`) or are not in the stack, as the ICP spells them.
fn in_stack<'t>(stack: &[String], tools: &'t [String], present: bool) -> Vec<&'t String> {
    tools
        .iter()
        .filter(|tool| stack.iter().any(|s| same_text(s, tool)) == present)
        .collect()
}

/// Three-valued "or": any pass passes, else any unknown is unknown, else it fails.
fn any_of(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
    outcomes
        .into_iter()
        .fold(Outcome::Fail, |acc, o| match (acc, o) {
            (Outcome::Pass, _) | (_, Outcome::Pass) => Outcome::Pass,
            (Outcome::Unknown, _) | (_, Outcome::Unknown) => Outcome::Unknown,
            _ => Outcome::Fail,
        })
}

/// Three-valued "and": any failure fails, else any unknown is unknown, else it passes.
fn all_of(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
    outcomes
        .into_iter()
        .fold(Outcome::Pass, |acc, o| match (acc, o) {
            (Outcome::Fail, _) | (_, Outcome::Fail) => Outcome::Fail,
            (Outcome::Unknown, _) | (_, Outcome::Unknown) => Outcome::Unknown,
            _ => Outcome::Pass,
        })
}

fn personas(contact: Option<&ContactFacts>, personas: &[Persona]) -> (Outcome, String) {
    let Some(contact) = contact else {
        return (Outcome::Unknown, "no contact".to_string());
    };
    let title = contact
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let seniority_text = contact
        .seniority
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let department_text = contact
        .department
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let seniority = seniority_text.map(Seniority::from_loose);
    let department = department_text.map(Department::from_loose);

    let mut outcomes = Vec::new();
    for persona in personas {
        if let Some(title) = title
            && let Some(matched) = persona.titles.iter().find(|t| title_contains(title, t))
        {
            return (
                Outcome::Pass,
                format!(
                    "title \"{title}\" matches persona {} ({matched})",
                    persona.name
                ),
            );
        }
        let by_title = match (title, persona.titles.is_empty()) {
            (_, true) | (Some(_), false) => Outcome::Fail,
            (None, false) => Outcome::Unknown,
        };
        let by_role = if persona.seniority.is_empty() && persona.departments.is_empty() {
            Outcome::Fail
        } else {
            all_of([
                listed_in(seniority, &persona.seniority),
                listed_in(department, &persona.departments),
            ])
        };
        if by_role == Outcome::Pass {
            let role = [seniority_text, department_text]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
            return (
                Outcome::Pass,
                format!("{} matches persona {}", role.join(" in "), persona.name),
            );
        }
        outcomes.push(any_of([by_title, by_role]));
    }

    let mut facts: Vec<String> = Vec::new();
    if let Some(title) = title {
        facts.push(format!("title \"{title}\""));
    }
    if let Some(seniority) = seniority_text {
        facts.push(format!("seniority {seniority}"));
    }
    if let Some(department) = department_text {
        facts.push(format!("department {department}"));
    }
    if title.is_none() && seniority_text.is_none() {
        return (
            Outcome::Unknown,
            "the contact's title and seniority are unknown".to_string(),
        );
    }
    match any_of(outcomes) {
        Outcome::Fail => (
            Outcome::Fail,
            format!("{} matches no persona", facts.join(", ")),
        ),
        _ => (
            Outcome::Unknown,
            format!(
                "{} matches no persona so far; more contact facts are needed",
                facts.join(", ")
            ),
        ),
    }
}

/// Whether a contact's fact meets a persona's list: passes when the list is empty (no
/// condition), unknown when the fact is missing, fails when it is unrecognised or not listed.
fn listed_in<T: PartialEq>(fact: Option<Option<T>>, wanted: &[T]) -> Outcome {
    match fact {
        _ if wanted.is_empty() => Outcome::Pass,
        None => Outcome::Unknown,
        Some(Some(value)) if wanted.contains(&value) => Outcome::Pass,
        Some(_) => Outcome::Fail,
    }
}

/// Whether `wanted`'s words appear, in order and adjacent, among `title`'s words, ignoring
/// case and punctuation.
fn title_contains(title: &str, wanted: &str) -> bool {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (title, wanted) = (words(title), words(wanted));
    !wanted.is_empty() && title.windows(wanted.len()).any(|w| w == wanted.as_slice())
}

/// The start of the look-back window: `within_days` days of 24 hours before `now`.
fn signal(wanted: &Signal, seen: &[SignalObservation], now: Timestamp) -> (Outcome, String) {
    let count = count_within(seen, &wanted.kind, Window::days(wanted.within_days), now);
    let window = format!("in the last {} days", wanted.within_days);
    let needed = usize::try_from(wanted.min_count).unwrap_or(usize::MAX);
    let missing = if wanted.required {
        Outcome::Fail
    } else {
        Outcome::Unknown
    };
    if count >= needed {
        let reason = format!("seen {} {window} (needs {needed})", times(count));
        (Outcome::Pass, reason)
    } else if count == 0 {
        (missing, format!("not observed {window}"))
    } else {
        (
            missing,
            format!("seen {} {window}, needs {needed}", times(count)),
        )
    }
}

fn times(count: usize) -> String {
    if count == 1 {
        "once".to_string()
    } else {
        format!("{count} times")
    }
}

fn intent(
    wanted: &IntentIndicator,
    seen: &[IntentObservation],
    now: Timestamp,
) -> (Outcome, String) {
    let span = Window::days(wanted.within_days);
    let best = seen
        .iter()
        .filter(|o| same_text(&o.topic, &wanted.topic) && span.contains(o.at, now))
        .map(|o| o.score)
        .max();
    let window = format!("in the last {} days", wanted.within_days);
    let missing = if wanted.required {
        Outcome::Fail
    } else {
        Outcome::Unknown
    };
    match best {
        None => (missing, format!("not observed {window}")),
        Some(score) if score >= wanted.min_score => (
            Outcome::Pass,
            format!("best score {score} {window} reaches {}", wanted.min_score),
        ),
        Some(score) => (
            missing,
            format!("best score {score} {window} is below {}", wanted.min_score),
        ),
    }
}

fn excluded(domain: Option<&str>, listed: &[String], what: &str) -> (Outcome, String) {
    let Some(domain) = domain else {
        return (Outcome::Unknown, "domain unknown".to_string());
    };
    let hit = listed.iter().filter_map(|d| normalize_domain(d)).find(|d| {
        domain == d
            || domain
                .strip_suffix(d.as_str())
                .is_some_and(|rest| rest.ends_with('.'))
    });
    match hit {
        Some(hit) => (Outcome::Fail, format!("domain {domain} is {what} ({hit})")),
        None => (Outcome::Pass, format!("domain {domain} is not {what}")),
    }
}

/// A domain as compared with exclusions: trimmed, lower case, without scheme, path, port,
/// trailing dot and a leading `www.`. `None` when nothing is left.
pub fn normalize_domain(text: &str) -> Option<String> {
    let text = text.trim().to_lowercase();
    let text = text
        .split_once("://")
        .map_or(text.as_str(), |(_, rest)| rest);
    let host = text.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or_default();
    let host = host.trim_end_matches('.');
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then(|| host.to_string())
}

fn same_text(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// `US, CA, GB, IE, DE and 4 more`: a list for a reason, cut short.
fn listed<T: std::fmt::Display>(items: &[T]) -> String {
    const SHOWN: usize = 5;
    let shown: Vec<String> = items.iter().take(SHOWN).map(|i| i.to_string()).collect();
    match items.len() {
        n if n > SHOWN => format!("{} and {} more", shown.join(", "), n - SHOWN),
        _ => shown.join(", "),
    }
}

/// `12,000,000`.
pub(super) fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::{RngAlgorithm, RngSeed};

    use jiff::SignedDuration;

    use super::*;
    use crate::icp::{SAMPLE_ICP, strategies};

    fn sample() -> IcpDocument {
        IcpDocument::parse(SAMPLE_ICP, "sample.toml").expect("the sample is valid")
    }

    fn now() -> Timestamp {
        strategies::now()
    }

    fn days_ago(days: i64) -> Timestamp {
        now()
            .checked_sub(SignedDuration::from_hours(24 * days))
            .expect("in range")
    }

    /// A prospect that meets every required criterion of the sample.
    fn good_prospect() -> ProspectFacts {
        ProspectFacts {
            company: CompanyFacts {
                domain: Some("acme.io".into()),
                name: Some("Acme".into()),
                employees: Some(212),
                industry: Some("internet".into()),
                country: Some("US".into()),
                revenue_usd: Some(12_000_000),
                headcount_growth_pct: Some(12.5),
                technologies: Some(vec!["salesforce".into(), "Gong".into()]),
                is_customer: Some(false),
            },
            contact: Some(ContactFacts {
                title: Some("Senior VP, Sales EMEA".into()),
                seniority: Some("vp".into()),
                department: Some("sales".into()),
                country: Some("GB".into()),
            }),
            signals: Vec::new(),
            intent: Vec::new(),
        }
    }

    fn criterion<'e>(evaluation: &'e Evaluation, name: &str) -> &'e CriterionResult {
        evaluation
            .criteria
            .iter()
            .find(|c| c.criterion == name)
            .unwrap_or_else(|| panic!("no criterion {name} in {evaluation:#?}"))
    }

    fn outcome_and_reason(
        icp: &IcpDocument,
        prospect: &ProspectFacts,
        name: &str,
    ) -> (Outcome, String) {
        let evaluation = evaluate(icp, prospect, now());
        let result = criterion(&evaluation, name);
        (result.outcome, result.reason.clone())
    }

    fn pass(reason: &str) -> (Outcome, String) {
        (Outcome::Pass, reason.to_string())
    }

    fn fail(reason: &str) -> (Outcome, String) {
        (Outcome::Fail, reason.to_string())
    }

    fn unknown(reason: &str) -> (Outcome, String) {
        (Outcome::Unknown, reason.to_string())
    }

    #[test]
    fn unknown_holds_the_verdict_unless_the_icp_accepts_it_unknown() {
        let mut prospect = good_prospect();
        prospect.company.headcount_growth_pct = None;
        prospect.company.revenue_usd = None;
        let mut icp = sample();
        icp.accept_unknown = vec!["firmographics.headcount_growth_pct".into()];

        let evaluation = evaluate(&icp, &prospect, now());
        assert_eq!(
            evaluation.verdict,
            IcpFit::Undetermined,
            "revenue is unknown"
        );
        let growth = criterion(&evaluation, "firmographics.headcount_growth_pct");
        assert!(growth.outcome == Outcome::Unknown && growth.unknown_accepted);
        assert!(!criterion(&evaluation, "firmographics.revenue_usd").unknown_accepted);

        prospect.company.revenue_usd = Some(12_000_000);
        assert_eq!(evaluate(&icp, &prospect, now()).verdict, IcpFit::Fit);
        icp.accept_unknown.clear();
        assert_eq!(
            evaluate(&icp, &prospect, now()).verdict,
            IcpFit::Undetermined
        );
    }

    #[test]
    fn a_prospect_that_meets_every_required_criterion_fits() {
        let evaluation = evaluate(&sample(), &good_prospect(), now());

        assert_eq!(evaluation.verdict, IcpFit::Fit);
        let names: Vec<&str> = evaluation
            .criteria
            .iter()
            .map(|c| c.criterion.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "firmographics.employees",
                "firmographics.industries",
                "firmographics.location",
                "firmographics.revenue_usd",
                "firmographics.headcount_growth_pct",
                "technographics.any",
                "technographics.none",
                "personas",
                "signals.pricing_page_visit",
                "signals.webinar_attended",
                "intent.\"lead routing\"",
                "intent.\"sales automation\"",
                "exclusions.domains",
                "exclusions.competitors",
                "exclusions.existing_customers",
            ]
        );
        let optional = criterion(&evaluation, "signals.pricing_page_visit");
        assert_eq!(
            (optional.outcome, optional.required),
            (Outcome::Unknown, false)
        );
        assert_eq!(optional.reason, "not observed in the last 30 days");
    }

    #[test]
    fn only_what_the_profile_specifies_is_a_criterion() {
        let icp =
            IcpDocument::parse("segment = \"S\"\nrationale = \"R\"\n", "icp.toml").expect("valid");

        let evaluation = evaluate(&icp, &ProspectFacts::default(), now());

        let names: Vec<&str> = evaluation
            .criteria
            .iter()
            .map(|c| c.criterion.as_str())
            .collect();
        assert_eq!(names, ["exclusions.existing_customers"]);
        assert_eq!(evaluation.verdict, IcpFit::Undetermined);
    }

    #[test]
    fn employees() {
        let icp = sample();
        let with = |employees| {
            let mut p = good_prospect();
            p.company.employees = employees;
            outcome_and_reason(&icp, &p, "firmographics.employees")
        };

        assert_eq!(with(Some(212)), pass("212 employees is within 50–1000"));
        assert_eq!(with(Some(50)), pass("50 employees is within 50–1000"));
        assert_eq!(with(Some(1000)), pass("1000 employees is within 50–1000"));
        assert_eq!(
            with(Some(30)),
            fail("30 employees is below the minimum of 50")
        );
        assert_eq!(
            with(Some(1001)),
            fail("1001 employees is above the maximum of 1000")
        );
        assert_eq!(with(None), unknown("employee count unknown"));
    }

    #[test]
    fn revenue_and_growth() {
        let icp = sample();
        let mut p = good_prospect();
        assert_eq!(
            outcome_and_reason(&icp, &p, "firmographics.revenue_usd"),
            pass("revenue of 12,000,000 USD is within 5,000,000–250,000,000")
        );
        assert_eq!(
            outcome_and_reason(&icp, &p, "firmographics.headcount_growth_pct"),
            pass("headcount growth of 12.5% is at least 5%")
        );

        p.company.revenue_usd = Some(u64::MAX);
        p.company.headcount_growth_pct = Some(-3.0);
        assert_eq!(
            outcome_and_reason(&icp, &p, "firmographics.revenue_usd"),
            fail("revenue of 9,223,372,036,854,775,807 USD is above the maximum of 250,000,000")
        );
        assert_eq!(
            outcome_and_reason(&icp, &p, "firmographics.headcount_growth_pct"),
            fail("headcount growth of -3% is below the minimum of 5%")
        );

        p.company.revenue_usd = None;
        p.company.headcount_growth_pct = Some(f64::NAN);
        assert_eq!(
            outcome_and_reason(&icp, &p, "firmographics.revenue_usd"),
            unknown("revenue unknown")
        );
        assert_eq!(
            outcome_and_reason(&icp, &p, "firmographics.headcount_growth_pct"),
            unknown("headcount growth unknown")
        );
    }

    #[test]
    fn industry_is_compared_ignoring_case() {
        let icp = sample();
        let with = |industry: Option<&str>| {
            let mut p = good_prospect();
            p.company.industry = industry.map(str::to_string);
            outcome_and_reason(&icp, &p, "firmographics.industries")
        };

        assert_eq!(
            with(Some("COMPUTER SOFTWARE")),
            pass("industry COMPUTER SOFTWARE is in the profile")
        );
        assert_eq!(
            with(Some("Retail")),
            fail(
                "industry Retail is not in Computer Software, Internet, Information Technology and Services"
            )
        );
        assert_eq!(with(Some(" ")), unknown("industry unknown"));
        assert_eq!(with(None), unknown("industry unknown"));
    }

    #[test]
    fn location_by_country_or_region() {
        let mut icp = sample();
        let with = |icp: &IcpDocument, country: Option<&str>| {
            let mut p = good_prospect();
            p.company.country = country.map(str::to_string);
            outcome_and_reason(icp, &p, "firmographics.location")
        };

        assert_eq!(
            with(&icp, Some("gb")),
            pass("country GB is in the profile's countries")
        );
        assert_eq!(
            with(&icp, Some("BR")),
            fail("country BR is not in US, CA, GB, IE, DE and 4 more")
        );
        assert_eq!(
            with(&icp, Some("Brazil")),
            unknown("country `Brazil` is not an ISO 3166-1 alpha-2 code")
        );
        assert_eq!(with(&icp, None), unknown("country unknown"));

        icp.firmographics.regions = vec![Region::Dach];
        assert_eq!(with(&icp, Some("AT")), pass("country AT is in region DACH"));
        assert_eq!(
            with(&icp, Some("BR")),
            fail("country BR is not in US, CA, GB, IE, DE and 4 more or regions DACH")
        );
        icp.firmographics.countries.clear();
        assert_eq!(
            with(&icp, Some("BR")),
            fail("country BR is not in regions DACH")
        );
    }

    #[test]
    fn technographics() {
        let mut icp = sample();
        icp.technographics.all = vec!["Gong".into(), "Outreach".into()];
        let with = |stack: Option<&[&str]>| {
            let mut p = good_prospect();
            p.company.technologies = stack.map(|s| s.iter().map(|t| t.to_string()).collect());
            let evaluation = evaluate(&icp, &p, now());
            [
                "technographics.any",
                "technographics.all",
                "technographics.none",
            ]
            .map(|name| {
                let c = criterion(&evaluation, name);
                (c.outcome, c.reason.clone())
            })
        };

        assert_eq!(
            with(Some(&["HUBSPOT", "gong", "outreach"])),
            [
                pass("uses HubSpot"),
                pass("uses all of Gong, Outreach"),
                pass("uses none of LeanData, Chili Piper"),
            ]
        );
        assert_eq!(
            with(Some(&["Pipedrive", "Gong", "chili piper"])),
            [
                fail("uses none of Salesforce, HubSpot"),
                fail("does not use Outreach"),
                fail("uses Chili Piper, which the profile excludes"),
            ]
        );
        let stack_unknown = unknown("technology stack unknown");
        assert_eq!(
            with(None),
            [stack_unknown.clone(), stack_unknown.clone(), stack_unknown]
        );
    }

    #[test]
    fn personas_by_title_or_by_seniority_and_department() {
        let icp = sample();
        let with = |title: Option<&str>, seniority: Option<&str>, department: Option<&str>| {
            let mut p = good_prospect();
            p.contact = Some(ContactFacts {
                title: title.map(str::to_string),
                seniority: seniority.map(str::to_string),
                department: department.map(str::to_string),
                country: None,
            });
            outcome_and_reason(&icp, &p, "personas")
        };

        assert_eq!(
            with(Some("Senior VP, Sales EMEA"), None, None),
            pass("title \"Senior VP, Sales EMEA\" matches persona Sales leader (VP Sales)")
        );
        assert_eq!(
            with(Some("Founder"), Some("Director"), Some("Operations")),
            pass("Director in Operations matches persona Revenue operations leader")
        );
        assert_eq!(
            with(Some("Office Manager"), Some("manager"), Some("hr")),
            fail("title \"Office Manager\", seniority manager, department hr matches no persona")
        );
        assert_eq!(
            with(
                Some("Microsoft VP Salesforce admin"),
                Some("intern"),
                Some("it")
            ),
            fail(
                "title \"Microsoft VP Salesforce admin\", seniority intern, department it \
                 matches no persona"
            )
        );
        assert_eq!(
            with(Some("Office Manager"), Some("vp"), None),
            unknown(
                "title \"Office Manager\", seniority vp matches no persona so far; more contact facts are needed"
            )
        );
        assert_eq!(
            with(None, None, Some("sales")),
            unknown("the contact's title and seniority are unknown")
        );

        let mut p = good_prospect();
        p.contact = None;
        assert_eq!(
            outcome_and_reason(&icp, &p, "personas"),
            unknown("no contact")
        );
    }

    #[test]
    fn a_persona_of_departments_only_matches_by_department() {
        let mut icp = sample();
        icp.personas = vec![Persona {
            name: "Anyone in finance".into(),
            titles: Vec::new(),
            seniority: Vec::new(),
            departments: vec![Department::Finance],
        }];
        let mut p = good_prospect();
        p.contact = Some(ContactFacts {
            department: Some("Finance".into()),
            ..ContactFacts::default()
        });

        assert_eq!(
            outcome_and_reason(&icp, &p, "personas"),
            pass("Finance matches persona Anyone in finance")
        );
    }

    fn seen(kind: &str, at: Timestamp) -> SignalObservation {
        SignalObservation {
            kind: kind.into(),
            at,
        }
    }

    #[test]
    fn a_signal_counts_inside_its_window_ends_included() {
        let mut icp = sample();
        icp.signals[0].required = true;
        let with = |at: Timestamp| {
            let mut p = good_prospect();
            p.signals = vec![seen("pricing_page_visit", at)];
            outcome_and_reason(&icp, &p, "signals.pricing_page_visit")
        };
        let one_second = SignedDuration::from_secs(1);

        assert_eq!(
            with(days_ago(30)),
            pass("seen once in the last 30 days (needs 1)")
        );
        assert_eq!(with(now()), pass("seen once in the last 30 days (needs 1)"));
        let before = days_ago(30).checked_sub(one_second).expect("in range");
        assert_eq!(with(before), fail("not observed in the last 30 days"));
        let after = now().checked_add(one_second).expect("in range");
        assert_eq!(with(after), fail("not observed in the last 30 days"));
    }

    #[test]
    fn a_signal_needs_its_minimum_count() {
        let mut icp = sample();
        icp.signals[1].min_count = 2;
        let mut p = good_prospect();
        p.signals = vec![
            seen("webinar_attended", days_ago(3)),
            seen("pricing_page_visit", days_ago(3)),
        ];

        assert_eq!(
            outcome_and_reason(&icp, &p, "signals.webinar_attended"),
            unknown("seen once in the last 90 days, needs 2")
        );
        icp.signals[1].required = true;
        assert_eq!(
            outcome_and_reason(&icp, &p, "signals.webinar_attended"),
            fail("seen once in the last 90 days, needs 2")
        );
        p.signals.push(seen("webinar_attended", days_ago(80)));
        assert_eq!(
            outcome_and_reason(&icp, &p, "signals.webinar_attended"),
            pass("seen 2 times in the last 90 days (needs 2)")
        );
        assert_eq!(evaluate(&icp, &p, now()).verdict, IcpFit::Fit);
    }

    #[test]
    fn intent_needs_a_score_inside_the_window() {
        let mut icp = sample();
        let name = "intent.\"lead routing\"";
        let with = |icp: &IcpDocument, observations: &[(u8, i64)]| {
            let mut p = good_prospect();
            p.intent = observations
                .iter()
                .map(|&(score, days)| IntentObservation {
                    topic: "Lead Routing".into(),
                    score,
                    at: days_ago(days),
                })
                .collect();
            outcome_and_reason(icp, &p, name)
        };

        assert_eq!(
            with(&icp, &[(60, 21)]),
            pass("best score 60 in the last 21 days reaches 60")
        );
        assert_eq!(
            with(&icp, &[(90, 22), (59, 1)]),
            unknown("best score 59 in the last 21 days is below 60")
        );
        assert_eq!(with(&icp, &[]), unknown("not observed in the last 21 days"));
        icp.intent[0].required = true;
        assert_eq!(
            with(&icp, &[(90, 22)]),
            fail("not observed in the last 21 days")
        );
    }

    #[test]
    fn exclusions_match_domains_and_their_subdomains() {
        let icp = sample();
        let with = |domain: Option<&str>| {
            let mut p = good_prospect();
            p.company.domain = domain.map(str::to_string);
            let evaluation = evaluate(&icp, &p, now());
            let domains = criterion(&evaluation, "exclusions.domains");
            let competitors = criterion(&evaluation, "exclusions.competitors");
            (
                evaluation.verdict,
                (domains.outcome, domains.reason.clone()),
                (competitors.outcome, competitors.reason.clone()),
            )
        };

        assert_eq!(
            with(Some("https://WWW.Example.com/pricing")),
            (
                IcpFit::NotFit,
                fail("domain example.com is an excluded domain (example.com)"),
                pass("domain example.com is not a competitor"),
            )
        );
        assert_eq!(
            with(Some("eu.app.leandata.com")).2,
            fail("domain eu.app.leandata.com is a competitor (leandata.com)")
        );
        assert_eq!(
            with(Some("notexample.com")).1,
            pass("domain notexample.com is not an excluded domain")
        );
        assert_eq!(
            with(None),
            (
                IcpFit::Undetermined,
                unknown("domain unknown"),
                unknown("domain unknown")
            )
        );
    }

    #[test]
    fn existing_customers_are_excluded_unless_the_profile_says_otherwise() {
        let mut icp = sample();
        let mut p = good_prospect();
        p.company.is_customer = Some(true);

        let evaluation = evaluate(&icp, &p, now());
        assert_eq!(evaluation.verdict, IcpFit::NotFit);
        let result = criterion(&evaluation, "exclusions.existing_customers");
        assert_eq!((result.outcome, result.required), (Outcome::Fail, true));
        assert_eq!(result.reason, "is an existing customer");

        icp.exclusions.existing_customers = false;
        let evaluation = evaluate(&icp, &p, now());
        assert_eq!(evaluation.verdict, IcpFit::Fit);
        assert!(
            evaluation
                .criteria
                .iter()
                .all(|c| c.criterion != "exclusions.existing_customers")
        );
    }

    #[test]
    fn an_unknown_required_criterion_leaves_the_verdict_open() {
        let mut p = good_prospect();
        p.company.employees = None;

        assert_eq!(evaluate(&sample(), &p, now()).verdict, IcpFit::Undetermined);

        p.company.country = Some("BR".into());
        assert_eq!(evaluate(&sample(), &p, now()).verdict, IcpFit::NotFit);
    }

    #[test]
    fn domains_are_normalised() {
        assert_eq!(
            normalize_domain(" HTTPS://www.Acme.io:443/x?y "),
            Some("acme.io".into())
        );
        assert_eq!(
            normalize_domain("user@mail.acme.io"),
            Some("mail.acme.io".into())
        );
        assert_eq!(normalize_domain("acme.io."), Some("acme.io".into()));
        assert_eq!(normalize_domain("https://"), None);
    }

    #[test]
    fn the_evaluation_serialises_in_snake_case() {
        let evaluation = evaluate(&sample(), &good_prospect(), now());

        let json = serde_json::to_value(&evaluation).expect("serialisable");

        assert_eq!(json["verdict"], "fit");
        assert_eq!(json["criteria"][0]["outcome"], "pass");
        let back: Evaluation = serde_json::from_value(json).expect("deserialisable");
        assert_eq!(back, evaluation);
    }

    proptest! {
        // One seed, so that a run finds what every run finds; PROPTEST_CASES sets how many.
        #![proptest_config(ProptestConfig {
            rng_algorithm: RngAlgorithm::ChaCha,
            rng_seed: RngSeed::Fixed(0x1EAD_6A7E),
            ..ProptestConfig::default()
        })]

        #[test]
        fn the_verdict_follows_the_criteria((icp, prospect) in strategies::document_and_prospect()) {
            let evaluation = evaluate(&icp, &prospect, now());

            let required = || evaluation.criteria.iter().filter(|c| c.required);
            let expected = if required().any(|c| c.outcome == Outcome::Fail) {
                IcpFit::NotFit
            } else if required().all(|c| {
                c.outcome == Outcome::Pass
                    || (c.outcome == Outcome::Unknown && icp.accept_unknown.contains(&c.criterion))
            }) {
                IcpFit::Fit
            } else {
                IcpFit::Undetermined
            };
            prop_assert_eq!(evaluation.verdict, expected);
            for c in &evaluation.criteria {
                prop_assert!(c.required || c.outcome != Outcome::Fail, "{:?}", c);
                prop_assert_eq!(
                    c.unknown_accepted,
                    c.required
                        && c.outcome == Outcome::Unknown
                        && icp.accept_unknown.contains(&c.criterion)
                );
                prop_assert!(!c.reason.is_empty());
            }
            let optional = icp.signals.iter().filter(|s| !s.required).count()
                + icp.intent.iter().filter(|i| !i.required).count();
            prop_assert_eq!(evaluation.criteria.iter().filter(|c| !c.required).count(), optional);
        }

        #[test]
        fn an_excluded_domain_is_never_a_fit(
            (mut icp, mut prospect) in strategies::document_and_prospect(),
            domain in strategies::domain(),
            subdomain in prop::option::of("[a-z]{1,8}"),
            as_competitor in any::<bool>(),
        ) {
            let written = match &subdomain {
                Some(sub) => format!("https://{sub}.{}/about", domain.to_uppercase()),
                None => domain.clone(),
            };
            prospect.company.domain = Some(written);
            let list = if as_competitor {
                &mut icp.exclusions.competitors
            } else {
                &mut icp.exclusions.domains
            };
            list.push(domain);

            let evaluation = evaluate(&icp, &prospect, now());

            prop_assert_eq!(evaluation.verdict, IcpFit::NotFit);
        }

        #[test]
        fn at_any_time_the_same_criteria_are_judged_and_the_verdict_follows_them(
            (icp, prospect) in strategies::document_and_prospect(),
            seconds in prop_oneof![Just(Timestamp::MIN.as_second()), Just(Timestamp::MAX.as_second()), any::<i64>()],
        ) {
            let at = Timestamp::from_second(seconds).unwrap_or(Timestamp::MIN);

            let evaluation = evaluate(&icp, &prospect, at);

            let judged = |e: &Evaluation| {
                e.criteria.iter().map(|c| (c.criterion.clone(), c.required)).collect::<Vec<_>>()
            };
            prop_assert_eq!(judged(&evaluation), judged(&evaluate(&icp, &prospect, now())));
            prop_assert_eq!(evaluation.verdict, IcpFit::from_criteria(&evaluation.criteria));
            prop_assert!(evaluation.criteria.iter().all(|c| !c.reason.is_empty()));
        }
    }
}
