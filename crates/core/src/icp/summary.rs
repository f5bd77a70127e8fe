//! An ICP in words: what each section asks of a prospect, and what a new version changes.
//!
//! The people who approve an ICP read it on a page, not in TOML, and they decide on the
//! difference from the live version. [`of`] turns a document into one short rule per
//! criterion, grouped by section; [`changes`] turns the [`diff`](super::diff()) that
//! `leadgate icp diff` prints into rows that name the criterion in words and show values as
//! a person reads them (country names, "C-level executive", "$5M"). The rows are labelled
//! through [`criterion_label`], the mapping the verdicts use, so a criterion has one name
//! everywhere; no row shows a key of the document.

use super::diff::{Change, ChangeKind, changed_lines, diff};
use super::document::{
    Bounds, Department, IcpDocument, IntentIndicator, KeyPath, Persona, Seniority, Signal,
};
use super::evaluate::{criterion_label, grouped};
use crate::discovery::normalize::country::english_name;

/// The parts of an ICP, in the order the page shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Firmographics,
    Technographics,
    Personas,
    Signals,
    Intent,
    Exclusions,
    MayBeUnknown,
}

impl Section {
    /// The section's heading.
    pub fn label(self) -> &'static str {
        match self {
            Section::Firmographics => "Firmographics",
            Section::Technographics => "Technographics",
            Section::Personas => "Personas",
            Section::Signals => "Behavioural signals",
            Section::Intent => "Intent",
            Section::Exclusions => "Exclusions",
            Section::MayBeUnknown => "May be unknown",
        }
    }

    /// The section's anchor on the page.
    pub fn id(self) -> &'static str {
        match self {
            Section::Firmographics => "firmographics",
            Section::Technographics => "technographics",
            Section::Personas => "personas",
            Section::Signals => "signals",
            Section::Intent => "intent",
            Section::Exclusions => "exclusions",
            Section::MayBeUnknown => "may-be-unknown",
        }
    }
}

/// The criteria of an ICP in words, section by section; sections the ICP leaves empty are
/// left out.
#[derive(Debug, Clone, PartialEq)]
pub struct IcpSummary {
    pub sections: Vec<SummarySection>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SummarySection {
    pub section: Section,
    pub rows: Vec<SummaryRow>,
}

/// One criterion as a rule: `employee count` — `50 to 1,000 employees`.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// The criterion's name in verdicts (`firmographics.employees`), for links and tests.
    pub criterion: String,
    /// What the rule is about: the criterion's label, or a persona's name.
    pub label: String,
    /// The rule, as a short phrase.
    pub rule: String,
    /// False for signals and intent topics that are reported but never decide the fit.
    pub required: bool,
}

impl SummaryRow {
    /// A word on rules that do not decide the fit.
    pub fn note(&self) -> Option<&'static str> {
        (!self.required).then_some("optional: shown, but does not decide the fit")
    }
}

/// The criteria of `icp`, one rule each.
pub fn of(icp: &IcpDocument) -> IcpSummary {
    let mut sections = vec![
        SummarySection {
            section: Section::Firmographics,
            rows: firmographics(icp),
        },
        SummarySection {
            section: Section::Technographics,
            rows: technographics(icp),
        },
        SummarySection {
            section: Section::Personas,
            rows: icp.personas.iter().map(persona_row).collect(),
        },
        SummarySection {
            section: Section::Signals,
            rows: icp.signals.iter().map(signal_row).collect(),
        },
        SummarySection {
            section: Section::Intent,
            rows: icp.intent.iter().map(intent_row).collect(),
        },
        SummarySection {
            section: Section::Exclusions,
            rows: exclusions(icp),
        },
        SummarySection {
            section: Section::MayBeUnknown,
            rows: icp
                .accept_unknown
                .iter()
                .map(|name| row(name, "may be unknown: a prospect is not held back for it"))
                .collect(),
        },
    ];
    sections.retain(|s| !s.rows.is_empty());
    IcpSummary { sections }
}

/// A required criterion's row, labelled by the criterion.
fn row(criterion: &str, rule: impl Into<String>) -> SummaryRow {
    SummaryRow {
        criterion: criterion.to_string(),
        label: criterion_label(criterion),
        rule: rule.into(),
        required: true,
    }
}

fn firmographics(icp: &IcpDocument) -> Vec<SummaryRow> {
    let f = &icp.firmographics;
    let mut rows = Vec::new();
    if let Some(bounds) = &f.employees {
        let rule = format!("{} employees", range(bounds, |n| grouped(*n)));
        rows.push(row("firmographics.employees", rule));
    }
    if !f.industries.is_empty() {
        rows.push(row("firmographics.industries", either(&f.industries)));
    }
    if !f.countries.is_empty() || !f.regions.is_empty() {
        let places: Vec<String> = f
            .countries
            .iter()
            .map(|c| country(c))
            .chain(f.regions.iter().map(|r| r.as_str().to_string()))
            .collect();
        rows.push(row(
            "firmographics.location",
            format!("based in {}", either(&places)),
        ));
    }
    if let Some(bounds) = &f.revenue_usd {
        let rule = format!("{} a year", range(bounds, |n| money(*n)));
        rows.push(row("firmographics.revenue_usd", rule));
    }
    if let Some(bounds) = &f.headcount_growth_pct {
        let rule = format!("{} a year", range(bounds, |g| percent(*g)));
        rows.push(row("firmographics.headcount_growth_pct", rule));
    }
    rows
}

fn technographics(icp: &IcpDocument) -> Vec<SummaryRow> {
    let t = &icp.technographics;
    let mut rows = Vec::new();
    if !t.any.is_empty() {
        rows.push(row(
            "technographics.any",
            format!("uses {}", either(&t.any)),
        ));
    }
    if !t.all.is_empty() {
        rows.push(row("technographics.all", format!("uses {}", all(&t.all))));
    }
    if !t.none.is_empty() {
        let rule = format!("does not use {}", either(&t.none));
        rows.push(row("technographics.none", rule));
    }
    rows
}

fn persona_row(persona: &Persona) -> SummaryRow {
    SummaryRow {
        criterion: "personas".to_string(),
        label: persona.name.clone(),
        rule: persona_rule(persona),
        required: true,
    }
}

/// Who matches a persona, as [`evaluate`](super::evaluate()) decides it: a title, or a
/// seniority in a department.
fn persona_rule(persona: &Persona) -> String {
    let Persona {
        name: _,
        titles,
        seniority,
        departments,
    } = persona;
    let mut routes = Vec::new();
    if !titles.is_empty() {
        routes.push(format!("a title such as {}", either(titles)));
    }
    let levels: Vec<&str> = seniority.iter().map(|s| s.label()).collect();
    let teams: Vec<&str> = departments.iter().map(|d| d.label()).collect();
    match (levels.is_empty(), teams.is_empty()) {
        (false, false) => routes.push(format!(
            "{} {} in {}",
            article(levels[0]),
            either(&levels),
            either(&teams)
        )),
        (false, true) => routes.push(format!("{} {}", article(levels[0]), either(&levels))),
        (true, false) => routes.push(format!("anyone in {}", either(&teams))),
        (true, true) => {}
    }
    routes.join("; or ")
}

fn signal_row(signal: &Signal) -> SummaryRow {
    let criterion = KeyPath::default()
        .key("signals")
        .key(&signal.kind)
        .to_string();
    SummaryRow {
        label: criterion_label(&criterion),
        criterion,
        rule: signal_rule(signal),
        required: signal.required,
    }
}

fn signal_rule(signal: &Signal) -> String {
    let times = match signal.min_count {
        1 => "at least once".to_string(),
        n => format!("at least {n} times"),
    };
    format!("seen {times} in the last {}", days(signal.within_days))
}

fn intent_row(indicator: &IntentIndicator) -> SummaryRow {
    let criterion = KeyPath::default()
        .key("intent")
        .key(&indicator.topic)
        .to_string();
    SummaryRow {
        label: criterion_label(&criterion),
        criterion,
        rule: intent_rule(indicator),
        required: indicator.required,
    }
}

fn intent_rule(indicator: &IntentIndicator) -> String {
    format!(
        "a score of {} or more in the last {}",
        indicator.min_score,
        days(indicator.within_days)
    )
}

fn exclusions(icp: &IcpDocument) -> Vec<SummaryRow> {
    let e = &icp.exclusions;
    let mut rows = Vec::new();
    if !e.domains.is_empty() {
        let rule = format!("not {}, nor a subdomain", either(&e.domains));
        rows.push(row("exclusions.domains", rule));
    }
    if !e.competitors.is_empty() {
        let rule = format!(
            "not a competitor: {}, nor a subdomain",
            either(&e.competitors)
        );
        rows.push(row("exclusions.competitors", rule));
    }
    let rule = if e.existing_customers {
        "not an existing customer"
    } else {
        "existing customers may be prospects too"
    };
    rows.push(row("exclusions.existing_customers", rule));
    rows
}

/// One change from the live version to a proposed one, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    pub kind: ChangeKind,
    /// What changed: `employee count (maximum)`, `persona Sales leader (titles)`.
    pub label: String,
    /// The value before, as a person reads it; absent for an addition.
    pub before: Option<String>,
    /// The value after; absent for a removal.
    pub after: Option<String>,
}

/// The changes from `old` to `new` — the same as [`diff`](super::diff()) finds, in the
/// same order — each in words. A changed rationale shows only its changed lines.
pub fn changes(old: &IcpDocument, new: &IcpDocument) -> Vec<ChangeRow> {
    diff(old, new)
        .changes
        .iter()
        .map(|change| in_words(change, old, new))
        .collect()
}

/// How the values of a key read.
#[derive(Clone, Copy)]
enum Value {
    Text,
    Count,
    Money,
    Percent,
    YesNo,
    Countries,
    Seniorities,
    Departments,
    Criteria,
    Signals,
    Intents,
}

fn in_words(change: &Change, old: &IcpDocument, new: &IcpDocument) -> ChangeRow {
    let path = change.path.as_str();
    let (label, value) = what_changed(path, old, new);
    let word = |text: &Option<String>| text.as_deref().map(|t| show(value, t));
    let (mut before, mut after) = (word(&change.old), word(&change.new));
    if let Some(rule) = element_rule(path, change.kind, old, new) {
        match change.kind {
            ChangeKind::Added => after = Some(rule),
            ChangeKind::Removed => before = Some(rule),
            ChangeKind::Changed => {}
        }
    }
    if path == "rationale" {
        let lines = changed_lines(&old.rationale, &new.rationale);
        let side = |sign: char| {
            let text: Vec<&str> = lines
                .iter()
                .filter(|(s, line)| *s == sign && !line.trim().is_empty())
                .map(|(_, line)| line.trim())
                .collect();
            (!text.is_empty()).then(|| text.join(" "))
        };
        (before, after) = (side('-'), side('+'));
    }
    ChangeRow {
        kind: change.kind,
        label,
        before,
        after,
    }
}

/// The label of the key at `path` and how its values read.
fn what_changed(path: &str, old: &IcpDocument, new: &IcpDocument) -> (String, Value) {
    let fixed = match path {
        "segment" => Some(("segment name".to_string(), Value::Text)),
        "rationale" => Some(("rationale".to_string(), Value::Text)),
        "accept_unknown" => Some(("may be unknown".to_string(), Value::Criteria)),
        "personas" => Some(("order of the personas".to_string(), Value::Text)),
        "signals" => Some(("order of the signals".to_string(), Value::Signals)),
        "intent" => Some(("order of the intent topics".to_string(), Value::Intents)),
        _ => None,
    };
    if let Some(fixed) = fixed {
        return fixed;
    }
    if let Some(found) = firmographic(path) {
        return found;
    }
    let labelled = |criterion: &str, detail: &str, value| {
        (format!("{} ({detail})", criterion_label(criterion)), value)
    };
    match path {
        "technographics.any" => return labelled(path, "uses one of", Value::Text),
        "technographics.all" => return labelled(path, "uses all of", Value::Text),
        "technographics.none" => return labelled(path, "uses none of", Value::Text),
        "exclusions.domains" => return labelled(path, "excluded domains", Value::Text),
        "exclusions.competitors" => return labelled(path, "competitors", Value::Text),
        "exclusions.existing_customers" => {
            return labelled(path, "existing customers excluded", Value::YesNo);
        }
        _ => {}
    }
    let personas = old.personas.iter().chain(&new.personas);
    if let Some((persona, rest)) = element(path, "personas", personas, |p| &p.name) {
        let label = format!("persona {}", persona.name);
        return match rest {
            "titles" => (format!("{label} (titles)"), Value::Text),
            "seniority" => (format!("{label} (seniority)"), Value::Seniorities),
            "departments" => (format!("{label} (departments)"), Value::Departments),
            _ => (label, Value::Text),
        };
    }
    let signals = old.signals.iter().chain(&new.signals);
    if let Some((signal, rest)) = element(path, "signals", signals, |s| &s.kind) {
        let criterion = KeyPath::default().key("signals").key(&signal.kind);
        return detail(&criterion.to_string(), rest);
    }
    let intent = old.intent.iter().chain(&new.intent);
    if let Some((indicator, rest)) = element(path, "intent", intent, |i| &i.topic) {
        let criterion = KeyPath::default().key("intent").key(&indicator.topic);
        return detail(&criterion.to_string(), rest);
    }
    (path.replace('_', " "), Value::Text)
}

fn firmographic(path: &str) -> Option<(String, Value)> {
    let rest = path.strip_prefix("firmographics.")?;
    let (key, end) = rest.split_once('.').unwrap_or((rest, ""));
    let (criterion, detail, value) = match key {
        "employees" => ("firmographics.employees", "", Value::Count),
        "industries" => ("firmographics.industries", "", Value::Text),
        "countries" => ("firmographics.location", "countries", Value::Countries),
        "regions" => ("firmographics.location", "regions", Value::Text),
        "revenue_usd" => ("firmographics.revenue_usd", "", Value::Money),
        "headcount_growth_pct" => ("firmographics.headcount_growth_pct", "", Value::Percent),
        _ => return None,
    };
    let detail = match end {
        "min" => "minimum",
        "max" => "maximum",
        _ => detail,
    };
    let label = criterion_label(criterion);
    Some(match detail {
        "" => (label, value),
        detail => (format!("{label} ({detail})"), value),
    })
}

/// A field of a signal or an intent topic.
fn detail(criterion: &str, rest: &str) -> (String, Value) {
    let label = criterion_label(criterion);
    let (detail, value) = match rest {
        "within_days" => ("days looked back", Value::Text),
        "min_count" => ("times seen", Value::Text),
        "min_score" => ("least score", Value::Text),
        "required" => ("decides the fit", Value::YesNo),
        _ => return (label, Value::Text),
    };
    (format!("{label} ({detail})"), value)
}

/// The element of a keyed list that `path` is in, and the rest of the path after it
/// (empty when the path is the element itself).
fn element<'d, 'p, T: 'd>(
    path: &'p str,
    list: &str,
    mut items: impl Iterator<Item = &'d T>,
    key: fn(&T) -> &str,
) -> Option<(&'d T, &'p str)> {
    items.find_map(|item| {
        let prefix = KeyPath::default().key(list).key(key(item)).to_string();
        let rest = path.strip_prefix(prefix.as_str())?;
        match rest {
            "" => Some((item, rest)),
            _ => rest.strip_prefix('.').map(|rest| (item, rest)),
        }
    })
}

/// An added or removed persona, signal or intent topic is shown as its rule.
fn element_rule(
    path: &str,
    kind: ChangeKind,
    old: &IcpDocument,
    new: &IcpDocument,
) -> Option<String> {
    let doc = match kind {
        ChangeKind::Added => new,
        ChangeKind::Removed => old,
        ChangeKind::Changed => return None,
    };
    let whole = |list: &str, key: &str| KeyPath::default().key(list).key(key).to_string() == path;
    if let Some(p) = doc.personas.iter().find(|p| whole("personas", &p.name)) {
        return Some(persona_rule(p));
    }
    if let Some(s) = doc.signals.iter().find(|s| whole("signals", &s.kind)) {
        let rule = signal_rule(s);
        return Some(optional(rule, s.required));
    }
    if let Some(i) = doc.intent.iter().find(|i| whole("intent", &i.topic)) {
        return Some(optional(intent_rule(i), i.required));
    }
    None
}

fn optional(rule: String, required: bool) -> String {
    if required {
        rule
    } else {
        format!("{rule} (optional)")
    }
}

/// A value of the document as a person reads it; a list (an order change) word by word.
fn show(value: Value, text: &str) -> String {
    let each = |f: &dyn Fn(&str) -> String| text.split(", ").map(f).collect::<Vec<_>>().join(", ");
    match value {
        Value::Text => text.to_string(),
        Value::Count => number(text, |n| grouped(n as i64)),
        Value::Money => number(text, |n| money(n as i64)),
        Value::Percent => number(text, percent),
        Value::YesNo => match text {
            "true" => "yes".to_string(),
            "false" => "no".to_string(),
            other => other.to_string(),
        },
        Value::Countries => each(&country),
        Value::Seniorities => each(&|s| {
            Seniority::from_loose(s).map_or_else(|| s.to_string(), |s| s.label().to_string())
        }),
        Value::Departments => each(&|d| {
            Department::from_loose(d).map_or_else(|| d.to_string(), |d| d.label().to_string())
        }),
        Value::Criteria => each(&criterion_label),
        Value::Signals => {
            each(&|kind| criterion_label(&KeyPath::default().key("signals").key(kind).to_string()))
        }
        Value::Intents => {
            each(&|topic| criterion_label(&KeyPath::default().key("intent").key(topic).to_string()))
        }
    }
}

/// A number of the document in its unit; `{}` (a range with no ends) is no limit.
fn number(text: &str, unit: impl Fn(f64) -> String) -> String {
    match text.parse::<f64>() {
        Ok(n) => unit(n),
        Err(_) if text == "{}" => "no limit".to_string(),
        Err(_) => text.to_string(),
    }
}

/// `50 to 1,000`, `at least 50`, `at most 1,000`.
fn range<T>(bounds: &Bounds<T>, show: impl Fn(&T) -> String) -> String {
    match (&bounds.min, &bounds.max) {
        (Some(min), Some(max)) => format!("{} to {}", show(min), show(max)),
        (Some(min), None) => format!("at least {}", show(min)),
        (None, Some(max)) => format!("at most {}", show(max)),
        (None, None) => "any number of".to_string(),
    }
}

/// `A`, `A or B`, `A, B or C`.
fn either<S: AsRef<str>>(items: &[S]) -> String {
    joined(items, "or")
}

/// `A`, `A and B`, `A, B and C`.
fn all<S: AsRef<str>>(items: &[S]) -> String {
    joined(items, "and")
}

fn joined<S: AsRef<str>>(items: &[S], last: &str) -> String {
    match items {
        [] => String::new(),
        [only] => only.as_ref().to_string(),
        [init @ .., end] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} {last} {}", init.join(", "), end.as_ref())
        }
    }
}

/// `a VP`, `an entry-level employee`.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn country(code: &str) -> String {
    english_name(code).unwrap_or(code).to_string()
}

fn days(n: u32) -> String {
    match n {
        1 => "day".to_string(),
        n => format!("{n} days"),
    }
}

/// 5000000 → "$5M", 2500000 → "$2.5M", 1200 → "$1.2K", 950 → "$950".
fn money(amount: i64) -> String {
    let value = amount as f64;
    let (scaled, unit) = match value.abs() {
        a if a >= 1e9 => (value / 1e9, "B"),
        a if a >= 1e6 => (value / 1e6, "M"),
        a if a >= 1e3 => (value / 1e3, "K"),
        _ => (value, ""),
    };
    let text = format!("{scaled:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("${text}{unit}")
}

fn percent(value: f64) -> String {
    format!("{value}%")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::icp::{SAMPLE_ICP, criteria_of, strategies};

    fn sample() -> IcpDocument {
        IcpDocument::parse(SAMPLE_ICP, "sample.toml").expect("the sample is valid")
    }

    /// Each row as `Section | label | rule`.
    fn rows(summary: &IcpSummary) -> Vec<String> {
        summary
            .sections
            .iter()
            .flat_map(|s| {
                s.rows
                    .iter()
                    .map(move |r| format!("{} | {} | {}", s.section.label(), r.label, r.rule))
            })
            .collect()
    }

    fn words(changes: &[ChangeRow]) -> Vec<String> {
        changes
            .iter()
            .map(|c| {
                format!(
                    "{} {}: {} → {}",
                    c.kind.label(),
                    c.label,
                    c.before.as_deref().unwrap_or("-"),
                    c.after.as_deref().unwrap_or("-")
                )
            })
            .collect()
    }

    /// The words of `text` that look like a key of the document: `min_count`, `c_level`.
    fn snake_case_words(text: &str) -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .filter(|w| {
                let inner = w.trim_matches('_');
                inner.contains('_') && inner.starts_with(|c: char| c.is_ascii_lowercase())
            })
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_sample_reads_as_one_rule_per_criterion() {
        let icp = sample();

        let summary = of(&icp);

        assert_eq!(
            rows(&summary),
            [
                "Firmographics | employee count | 50 to 1,000 employees",
                "Firmographics | industry | Computer Software, Internet or Information \
                 Technology and Services",
                "Firmographics | company country | based in United States, Canada, United \
                 Kingdom, Ireland, Germany, Netherlands, France, Sweden or Denmark",
                "Firmographics | revenue | $5M to $250M a year",
                "Firmographics | headcount growth | at least 5% a year",
                "Technographics | technology stack | uses Salesforce or HubSpot",
                "Technographics | technology stack | does not use LeanData or Chili Piper",
                "Personas | Revenue operations leader | a title such as VP Revenue Operations, \
                 Head of Revenue Operations, Director of Sales Operations or RevOps Manager; or \
                 a VP, director or manager in operations or sales",
                "Personas | Sales leader | a title such as VP Sales, Chief Revenue Officer or \
                 Head of Sales; or a C-level executive, VP or director in sales",
                "Behavioural signals | pricing page visit | seen at least once in the last 30 days",
                "Behavioural signals | webinar attended | seen at least once in the last 90 days",
                "Intent | intent on lead routing | a score of 60 or more in the last 21 days",
                "Intent | intent on sales automation | a score of 70 or more in the last 21 days",
                "Exclusions | company domain | not example.com, nor a subdomain",
                "Exclusions | company domain | not a competitor: leandata.com or \
                 chilipiper.com, nor a subdomain",
                "Exclusions | customer status | not an existing customer",
                "May be unknown | headcount growth | may be unknown: a prospect is not held \
                 back for it",
            ]
        );
        let signal = &summary.sections[3].rows[0];
        assert_eq!(signal.criterion, "signals.pricing_page_visit");
        assert_eq!(
            signal.note(),
            Some("optional: shown, but does not decide the fit")
        );
        assert_eq!(summary.sections[0].rows[0].note(), None);
    }

    #[test]
    fn a_persona_matches_by_title_or_by_seniority_in_a_department() {
        let persona = |titles: &[&str], seniority: &[Seniority], departments: &[Department]| {
            persona_rule(&Persona {
                name: "P".into(),
                titles: titles.iter().map(|t| t.to_string()).collect(),
                seniority: seniority.to_vec(),
                departments: departments.to_vec(),
            })
        };

        assert_eq!(persona(&["CFO"], &[], &[]), "a title such as CFO");
        assert_eq!(
            persona(&[], &[Seniority::Entry], &[]),
            "an entry-level employee"
        );
        assert_eq!(
            persona(&[], &[], &[Department::CustomerSuccess, Department::It]),
            "anyone in customer success or IT"
        );
        assert_eq!(
            persona(&[], &[Seniority::CLevel], &[Department::Executive]),
            "a C-level executive in the executive team"
        );
    }

    #[test]
    fn an_empty_section_is_left_out_and_existing_customers_may_be_let_in() {
        let mut icp = sample();
        icp.technographics = Default::default();
        icp.exclusions.existing_customers = false;

        let summary = of(&icp);

        let sections: Vec<&str> = summary.sections.iter().map(|s| s.section.label()).collect();
        assert!(!sections.contains(&"Technographics"), "{sections:?}");
        assert!(rows(&summary).contains(
            &"Exclusions | customer status | existing customers may be prospects too".to_string()
        ));
    }

    #[test]
    fn changes_name_the_criterion_and_show_values_in_words() {
        let old = sample();
        let mut new = old.clone();
        new.firmographics.employees = Some(Bounds {
            min: Some(50),
            max: Some(2000),
        });
        new.firmographics.countries.push("AU".into());
        new.firmographics.revenue_usd = Some(Bounds {
            min: Some(2_500_000),
            max: Some(250_000_000),
        });
        new.technographics.none.retain(|t| t != "Chili Piper");
        new.firmographics.headcount_growth_pct = None;
        new.personas[1].seniority.push(Seniority::Senior);
        new.signals[0].within_days = 14;
        new.signals[1].required = true;
        new.exclusions.existing_customers = false;
        new.accept_unknown.clear();

        let changes = changes(&old, &new);

        assert_eq!(
            words(&changes),
            [
                "changed employee count (maximum): 1,000 → 2,000",
                "added company country (countries): - → Australia",
                "changed revenue (minimum): $5M → $2.5M",
                "removed headcount growth (minimum): 5% → -",
                "removed technology stack (uses none of): Chili Piper → -",
                "added persona Sales leader (seniority): - → senior individual contributor",
                "changed pricing page visit (days looked back): 30 → 14",
                "changed webinar attended (decides the fit): no → yes",
                "changed customer status (existing customers excluded): yes → no",
                "removed may be unknown: headcount growth → -",
            ]
        );
        assert_eq!(changes.len(), diff(&old, &new).changes.len());
    }

    #[test]
    fn an_added_or_removed_element_shows_its_rule() {
        let old = sample();
        let mut new = old.clone();
        new.personas.remove(0);
        new.signals.push(Signal {
            kind: "demo_requested".into(),
            within_days: 7,
            min_count: 2,
            required: true,
        });
        new.intent.pop();
        new.signals.swap(0, 1);

        let changes = changes(&old, &new);

        assert_eq!(
            words(&changes),
            [
                "removed persona Revenue operations leader: a title such as VP Revenue \
                 Operations, Head of Revenue Operations, Director of Sales Operations or RevOps \
                 Manager; or a VP, director or manager in operations or sales → -",
                "added demo requested: - → seen at least 2 times in the last 7 days",
                "changed order of the signals: pricing page visit, webinar attended → webinar \
                 attended, pricing page visit",
                "removed intent on sales automation: a score of 70 or more in the last 21 days \
                 (optional) → -",
            ]
        );
    }

    #[test]
    fn a_changed_rationale_shows_only_its_changed_lines() {
        let mut old = sample();
        old.rationale = "First line.\nSecond line.\nThird line.\n".into();
        let mut new = old.clone();
        new.rationale = "First line.\nA new second line.\nThird line.\nA fourth.\n".into();

        let changes = changes(&old, &new);

        assert_eq!(
            words(&changes),
            ["changed rationale: Second line. → A new second line. A fourth."]
        );
    }

    proptest! {
        #[test]
        fn every_criterion_the_evaluation_applies_has_a_rule(icp in strategies::document()) {
            let summary = of(&icp);

            for criterion in criteria_of(&icp) {
                prop_assert!(
                    summary.sections.iter().flat_map(|s| &s.rows).any(|r| r.criterion == criterion.criterion),
                    "no rule for {}", criterion.criterion
                );
            }
        }

        #[test]
        fn no_summary_or_change_shows_a_key_of_the_document(
            a in strategies::document(),
            b in strategies::document(),
        ) {
            let summary = of(&a);
            let changes = changes(&a, &b);

            let texts = summary
                .sections
                .iter()
                .flat_map(|s| &s.rows)
                .flat_map(|r| [r.label.clone(), r.rule.clone()])
                .chain(changes.iter().flat_map(|c| {
                    [Some(c.label.clone()), c.before.clone(), c.after.clone()]
                        .into_iter()
                        .flatten()
                }));
            for text in texts {
                prop_assert!(snake_case_words(&text).is_empty(), "{text}");
            }
            prop_assert_eq!(changes.len(), diff(&a, &b).changes.len());
        }
    }
}
