//! Routing: which rep a lead goes to, by rules a team writes in order — the first that
//! matches decides — each decision explained, the rules that did not match with why not.
//!
//! ```toml
//! [handoff.routing]
//! fallback = "queue"               # or "nurture", or a rep: the owner of last resort
//!
//! [[handoff.routing.rules]]
//! name = "Accounts we own"
//! strategy = "account_owner"       # the company's owner, when it has one
//!
//! [[handoff.routing.rules]]
//! name = "DACH"
//! when = { country = ["DE", "AT", "CH"], employees_min = 200 }
//! strategy = "round_robin"
//! reps = { jonas = 2, lena = 1 }   # weights
//! cap_per_day = 8
//!
//! [[handoff.routing.rules]]
//! name = "Everything else"
//! strategy = "rep"
//! rep = "rosa"
//! ```
//!
//! **Conditions** (`when`, all must hold): `country` (a list), `industry` (a list, any
//! word), `employees_min`/`employees_max`, `score_min`, `class` (`mql`, `warm`), `signal`
//! (what triggered the handoff: `positive_reply`, `pricing_clicks`, `demo_request`,
//! `high_intent_download`, `score`). A lead without the fact a condition reads does not
//! match it.
//!
//! **Strategies.** `account_owner`: the owner of the lead's company (from the CRM), or no
//! match when it has none. `rep`: one named rep — a territory. `round_robin`: weighted and
//! fair over the rule's history — the next lead goes to the rep furthest below their share
//! (leads so far ÷ weight), ties by name — among the reps who are under their daily and
//! weekly caps and available (below). `nurture`: nobody — the lead goes back to nurture
//! (a founder alone may route what they cannot take).
//!
//! **Availability.** A rep on a day off or a public holiday today is skipped, and so is a
//! rep whose working hours would not start before another candidate's deadline for the same
//! lead: giving it to them would miss an SLA someone else can meet. A named rep or an
//! account owner who is away is still chosen when nobody else is in their rule — with the
//! reason shown — since the account is theirs; a round robin with nobody available matches
//! nothing and the next rule is tried.
//!
//! **Fallback.** A lead no rule takes goes to the queue every rep sees (`queue`), back to
//! nurture (`nurture`), or to a named owner of last resort.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::sla::{self, Budget, LeadClass};

/// What routing knows of a lead.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lead {
    pub country: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<f64>,
    pub score: Option<f64>,
    pub class: Option<LeadClass>,
    /// What triggered the handoff.
    pub signal: Option<String>,
    /// The rep who owns the lead's company, from the CRM.
    pub account_owner: Option<String>,
}

/// The conditions of a rule; all must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub country: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub industry: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees_max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<LeadClass>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signal: Vec<String>,
}

crate::values! {
    /// How a rule picks its rep.
    pub enum Strategy("routing strategy") {
        AccountOwner = "account_owner" / "the account's owner",
        Rep = "rep" / "a named rep",
        RoundRobin = "round_robin" / "weighted round robin",
        Nurture = "nurture" / "back to nurture",
    }
}

/// One routing rule.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    #[serde(default)]
    pub when: When,
    pub strategy: Strategy,
    /// `strategy = "rep"`: who.
    #[serde(default)]
    pub rep: Option<String>,
    /// `strategy = "round_robin"`: each rep's weight (a positive whole number).
    #[serde(default)]
    pub reps: BTreeMap<String, u32>,
    /// `round_robin`: the most leads a rep takes from this rule in a day (their day).
    #[serde(default)]
    pub cap_per_day: Option<u32>,
    /// `round_robin`: the most in a week (Monday to Sunday, their week).
    #[serde(default)]
    pub cap_per_week: Option<u32>,
}

/// Where a lead goes when no rule takes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Fallback {
    /// The queue every rep sees.
    #[default]
    Queue,
    Nurture,
    /// The owner of last resort.
    Rep(String),
}

impl<'de> Deserialize<'de> for Fallback {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(match text.trim() {
            "queue" => Fallback::Queue,
            "nurture" => Fallback::Nurture,
            rep => Fallback::Rep(rep.to_string()),
        })
    }
}

/// A team's routing: its rules in order and its fallback.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routing {
    #[serde(default)]
    pub fallback: Fallback,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

impl Routing {
    /// What is wrong with the rules, naming the rule: a strategy without its reps, a weight
    /// of 0, a rep who is not one of `reps`.
    pub fn check(&self, reps: &[&str]) -> Result<(), String> {
        let known = |name: &str, rule: &str| {
            if reps.contains(&name) {
                Ok(())
            } else {
                Err(format!(
                    "rule {rule:?}: {name:?} is not a rep of [[handoff.reps]] ({})",
                    reps.join(", ")
                ))
            }
        };
        for rule in &self.rules {
            match rule.strategy {
                Strategy::Rep => match &rule.rep {
                    Some(rep) => known(rep, &rule.name)?,
                    None => {
                        return Err(format!(
                            "rule {:?}: strategy \"rep\" needs rep = \"NAME\"",
                            rule.name
                        ));
                    }
                },
                Strategy::RoundRobin => {
                    if rule.reps.is_empty() {
                        return Err(format!(
                            "rule {:?}: strategy \"round_robin\" needs reps = {{ name = weight, … }}",
                            rule.name
                        ));
                    }
                    for (rep, weight) in &rule.reps {
                        known(rep, &rule.name)?;
                        if *weight == 0 {
                            return Err(format!(
                                "rule {:?}: {rep:?} has weight 0: leave them out instead",
                                rule.name
                            ));
                        }
                    }
                }
                Strategy::AccountOwner | Strategy::Nurture => {}
            }
        }
        if let Fallback::Rep(rep) = &self.fallback {
            known(rep, "fallback")?;
        }
        Ok(())
    }
}

/// A rep as routing sees them at the moment: their calendar and how many leads they took.
#[derive(Debug, Clone)]
pub struct RepState<'a> {
    pub name: &'a str,
    pub calendar: &'a Calendar,
    /// Leads this rep took from each rule, all time (the round robin's fair counters).
    pub by_rule: BTreeMap<String, u64>,
    /// Leads taken from each rule today and this week, in the rep's own days.
    pub today: BTreeMap<String, u32>,
    pub this_week: BTreeMap<String, u32>,
    /// Why this rep may not have this lead, when they may not (they let its SLA pass).
    pub passed_over: Option<String>,
}

/// Where a lead goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Assignee {
    Rep { name: String },
    Queue,
    Nurture,
}

/// One rule as routing read it for a lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Considered {
    pub rule: String,
    pub matched: bool,
    /// Why it matched or did not, in words.
    pub why: String,
}

/// A routing decision and its reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Routed {
    pub assignee: Assignee,
    /// The rule that decided, or none for the fallback.
    pub rule: Option<String>,
    /// Every rule read, in order, up to the one that decided.
    pub considered: Vec<Considered>,
    /// How the rep was picked within the rule (weights, counts, caps, who was skipped).
    pub detail: Vec<String>,
}

/// Routes `lead`, arriving at `now` with SLA `budget`, by `routing` among `reps`.
pub fn route(
    routing: &Routing,
    lead: &Lead,
    reps: &[RepState<'_>],
    budget: Budget,
    now: Timestamp,
) -> Routed {
    let mut considered = Vec::new();
    for rule in &routing.rules {
        if let Err(why) = conditions(&rule.when, lead) {
            considered.push(Considered {
                rule: rule.name.clone(),
                matched: false,
                why,
            });
            continue;
        }
        let picked = match rule.strategy {
            Strategy::Nurture => Ok((
                Assignee::Nurture,
                vec!["the rule sends it back to nurture".to_string()],
            )),
            Strategy::AccountOwner => match &lead.account_owner {
                None => Err("the company has no owner".to_string()),
                Some(owner) => match reps.iter().find(|r| r.name == owner) {
                    None => Err(format!(
                        "the company's owner {owner:?} is not a rep of [[handoff.reps]]"
                    )),
                    Some(RepState {
                        passed_over: Some(why),
                        ..
                    }) => Err(format!("the company's owner {owner} is passed over: {why}")),
                    Some(_) => Ok(named(owner, reps, now, "owns the account")),
                },
            },
            Strategy::Rep => match rule.rep.as_deref() {
                None => Err("the rule names no rep".to_string()),
                Some(rep) => match reps.iter().find(|r| r.name == rep) {
                    None => Err(format!("{rep:?} is not a rep of [[handoff.reps]]")),
                    Some(RepState {
                        passed_over: Some(why),
                        ..
                    }) => Err(format!("{rep} is passed over: {why}")),
                    Some(_) => Ok(named(rep, reps, now, "the rule's rep")),
                },
            },
            Strategy::RoundRobin => round_robin(rule, reps, budget, now),
        };
        match picked {
            Ok((assignee, detail)) => {
                considered.push(Considered {
                    rule: rule.name.clone(),
                    matched: true,
                    why: describe_when(&rule.when),
                });
                return Routed {
                    assignee,
                    rule: Some(rule.name.clone()),
                    considered,
                    detail,
                };
            }
            Err(why) => considered.push(Considered {
                rule: rule.name.clone(),
                matched: false,
                why,
            }),
        }
    }
    let (assignee, detail) = match &routing.fallback {
        Fallback::Queue => (
            Assignee::Queue,
            "no rule took it: it waits in the queue every rep sees".to_string(),
        ),
        Fallback::Nurture => (
            Assignee::Nurture,
            "no rule took it: back to nurture".to_string(),
        ),
        Fallback::Rep(rep) => (
            Assignee::Rep { name: rep.clone() },
            format!("no rule took it: to {rep}, the owner of last resort"),
        ),
    };
    Routed {
        assignee,
        rule: None,
        considered,
        detail: vec![detail],
    }
}

/// A named rep, chosen even when away (the account or the territory is theirs), saying so.
fn named(rep: &str, reps: &[RepState<'_>], now: Timestamp, role: &str) -> (Assignee, Vec<String>) {
    let mut detail = vec![format!("{rep}: {role}")];
    if let Some(state) = reps.iter().find(|r| r.name == rep)
        && let Some(why) = away(state, now)
    {
        detail.push(format!("{rep} is away ({why}): the lead waits for them"));
    }
    (
        Assignee::Rep {
            name: rep.to_string(),
        },
        detail,
    )
}

/// Why a rep is away today, if they are: a day off or a public holiday.
fn away(rep: &RepState<'_>, now: Timestamp) -> Option<String> {
    let today = rep.calendar.date_of(now);
    match rep.calendar.closed(today) {
        Some(closed @ (super::calendar::Closed::DayOff | super::calendar::Closed::Holiday(_))) => {
            Some(closed.describe())
        }
        _ => None,
    }
}

/// The round robin's pick, or why it has nobody.
fn round_robin(
    rule: &Rule,
    reps: &[RepState<'_>],
    budget: Budget,
    now: Timestamp,
) -> Result<(Assignee, Vec<String>), String> {
    let mut detail = Vec::new();
    let mut candidates: Vec<(&RepState<'_>, u32, Timestamp)> = Vec::new();
    for (name, weight) in &rule.reps {
        let Some(rep) = reps.iter().find(|r| r.name == name) else {
            detail.push(format!("{name}: skipped, not a rep of [[handoff.reps]]"));
            continue;
        };
        if let Some(why) = &rep.passed_over {
            detail.push(format!("{name}: skipped, passed over ({why})"));
            continue;
        }
        let today = rep.today.get(&rule.name).copied().unwrap_or(0);
        let week = rep.this_week.get(&rule.name).copied().unwrap_or(0);
        if let Some(cap) = rule.cap_per_day.filter(|cap| today >= *cap) {
            detail.push(format!("{name}: skipped, took {today} today (cap {cap})"));
            continue;
        }
        if let Some(cap) = rule.cap_per_week.filter(|cap| week >= *cap) {
            detail.push(format!(
                "{name}: skipped, took {week} this week (cap {cap})"
            ));
            continue;
        }
        if let Some(why) = away(rep, now) {
            detail.push(format!("{name}: skipped, away ({why})"));
            continue;
        }
        let Some(due) = sla::deadline(rep.calendar, now, budget) else {
            detail.push(format!("{name}: skipped, their calendar is never open"));
            continue;
        };
        candidates.push((rep, *weight, due.deadline));
    }
    // Skip whoever would not even start before another candidate's deadline.
    if let Some(earliest) = candidates.iter().map(|(_, _, due)| *due).min() {
        candidates.retain(|(rep, _, _)| {
            let starts = rep.calendar.next_open(now);
            let keep = starts.is_some_and(|s| s < earliest);
            if !keep {
                detail.push(format!(
                    "{}: skipped, outside working hours until after another rep's deadline ({})",
                    rep.name, earliest
                ));
            }
            keep
        });
    }
    let chosen = candidates.iter().min_by(|(a, wa, _), (b, wb, _)| {
        let share = |r: &RepState<'_>, w: u32| {
            (r.by_rule.get(&rule.name).copied().unwrap_or(0) as f64 + 1.0) / f64::from(w)
        };
        share(a, *wa)
            .total_cmp(&share(b, *wb))
            .then_with(|| a.name.cmp(b.name))
    });
    match chosen {
        None => Err(format!(
            "nobody of the round robin can take it{}",
            if detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", detail.join("; "))
            }
        )),
        Some((rep, weight, _)) => {
            for (r, w, _) in &candidates {
                detail.push(format!(
                    "{}: weight {w}, {} lead(s) from this rule so far",
                    r.name,
                    r.by_rule.get(&rule.name).copied().unwrap_or(0)
                ));
            }
            detail.push(format!(
                "{} is furthest below their share (weight {weight})",
                rep.name
            ));
            Ok((
                Assignee::Rep {
                    name: rep.name.to_string(),
                },
                detail,
            ))
        }
    }
}

/// Whether the lead meets the conditions, or the first it fails, in words.
fn conditions(when: &When, lead: &Lead) -> Result<(), String> {
    let lacks = |what: &str| Err(format!("the lead has no {what}"));
    if !when.country.is_empty() {
        let Some(country) = &lead.country else {
            return lacks("country");
        };
        if !when.country.iter().any(|c| c.eq_ignore_ascii_case(country)) {
            return Err(format!(
                "country {country} is not one of {}",
                when.country.join(", ")
            ));
        }
    }
    if !when.industry.is_empty() {
        let Some(industry) = &lead.industry else {
            return lacks("industry");
        };
        let lower = industry.to_lowercase();
        if !when
            .industry
            .iter()
            .any(|i| lower.contains(&i.to_lowercase()))
        {
            return Err(format!(
                "industry {industry:?} is not one of {}",
                when.industry.join(", ")
            ));
        }
    }
    if when.employees_min.is_some() || when.employees_max.is_some() {
        let Some(n) = lead.employees else {
            return lacks("employee count");
        };
        if let Some(min) = when.employees_min.filter(|min| n < *min) {
            return Err(format!("{n} employees, fewer than {min}"));
        }
        if let Some(max) = when.employees_max.filter(|max| n > *max) {
            return Err(format!("{n} employees, more than {max}"));
        }
    }
    if let Some(min) = when.score_min {
        let Some(score) = lead.score else {
            return lacks("score");
        };
        if score < min {
            return Err(format!("score {score} is under {min}"));
        }
    }
    if let Some(class) = when.class
        && lead.class != Some(class)
    {
        return Err(format!("not a {} lead", class.label()));
    }
    if !when.signal.is_empty() {
        let Some(signal) = &lead.signal else {
            return lacks("signal");
        };
        if !when.signal.contains(signal) {
            return Err(format!(
                "signal {signal} is not one of {}",
                when.signal.join(", ")
            ));
        }
    }
    Ok(())
}

/// A rule's conditions in words, for a rule that matched.
fn describe_when(when: &When) -> String {
    let mut parts = Vec::new();
    if !when.country.is_empty() {
        parts.push(format!("country in {}", when.country.join(", ")));
    }
    if !when.industry.is_empty() {
        parts.push(format!("industry {}", when.industry.join(" or ")));
    }
    if let Some(min) = when.employees_min {
        parts.push(format!("at least {min} employees"));
    }
    if let Some(max) = when.employees_max {
        parts.push(format!("at most {max} employees"));
    }
    if let Some(min) = when.score_min {
        parts.push(format!("score at least {min}"));
    }
    if let Some(class) = when.class {
        parts.push(format!("a {} lead", class.label()));
    }
    if !when.signal.is_empty() {
        parts.push(format!("signal {}", when.signal.join(" or ")));
    }
    if parts.is_empty() {
        "no conditions: every lead".to_string()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handoff::calendar::tests::calendar;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const MQL: Budget = Budget::EndOfDay { days_after: 0 };

    fn routing(text: &str) -> Routing {
        toml::from_str(text).unwrap()
    }

    fn state<'a>(name: &'a str, calendar: &'a Calendar) -> RepState<'a> {
        RepState {
            name,
            calendar,
            by_rule: BTreeMap::new(),
            today: BTreeMap::new(),
            this_week: BTreeMap::new(),
            passed_over: None,
        }
    }

    const RULES: &str = r#"
fallback = "queue"

[[rules]]
name = "Owned accounts"
strategy = "account_owner"

[[rules]]
name = "DACH"
when = { country = ["DE", "AT", "CH"], employees_min = 200 }
strategy = "round_robin"
reps = { jonas = 2, lena = 1 }
cap_per_day = 2

[[rules]]
name = "US"
when = { country = ["US"] }
strategy = "rep"
rep = "rosa"
"#;

    #[test]
    fn the_first_matching_rule_decides_and_the_others_say_why_not() {
        let berlin = calendar("Mo-Fr 09:00-17:00", "Europe/Berlin", None, None);
        let ny = calendar("Mo-Fr 09:00-17:00", "America/New_York", None, None);
        let reps = [
            state("jonas", &berlin),
            state("lena", &berlin),
            state("rosa", &ny),
        ];
        let lead = Lead {
            country: Some("US".into()),
            employees: Some(50.0),
            ..Default::default()
        };

        let routed = route(
            &routing(RULES),
            &lead,
            &reps,
            MQL,
            at("2027-03-02T15:00:00Z"),
        );

        assert_eq!(
            routed.assignee,
            Assignee::Rep {
                name: "rosa".into()
            }
        );
        assert_eq!(routed.rule.as_deref(), Some("US"));
        let whys: Vec<&str> = routed.considered.iter().map(|c| c.why.as_str()).collect();
        assert_eq!(
            whys,
            [
                "the company has no owner",
                "country US is not one of DE, AT, CH",
                "country in US"
            ]
        );
    }

    #[test]
    fn an_account_s_owner_comes_first() {
        let berlin = calendar("Mo-Fr 09:00-17:00", "Europe/Berlin", None, None);
        let reps = [
            state("jonas", &berlin),
            state("lena", &berlin),
            state("rosa", &berlin),
        ];
        let lead = Lead {
            country: Some("DE".into()),
            employees: Some(500.0),
            account_owner: Some("lena".into()),
            ..Default::default()
        };

        let routed = route(
            &routing(RULES),
            &lead,
            &reps,
            MQL,
            at("2027-03-02T10:00:00Z"),
        );

        assert_eq!(
            routed.assignee,
            Assignee::Rep {
                name: "lena".into()
            }
        );
        assert_eq!(routed.rule.as_deref(), Some("Owned accounts"));
    }

    #[test]
    fn weights_are_honoured_over_ten_thousand_leads() {
        let cal = calendar("Mo-Su 00:00-24:00", "UTC", None, None);
        let rules = routing(
            r#"
[[rules]]
name = "All"
strategy = "round_robin"
reps = { a = 5, b = 3, c = 2 }
"#,
        );
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for i in 0..10_000 {
            let reps: Vec<RepState<'_>> = ["a", "b", "c"]
                .into_iter()
                .map(|name| RepState {
                    by_rule: BTreeMap::from([(
                        "All".to_string(),
                        counts.get(name).copied().unwrap_or(0),
                    )]),
                    ..state(name, &cal)
                })
                .collect();
            let now = at("2027-03-01T00:00:00Z") + jiff::SignedDuration::from_mins(i);
            let Assignee::Rep { name } = route(&rules, &Lead::default(), &reps, MQL, now).assignee
            else {
                panic!("a round robin with open reps picks one");
            };
            let name = ["a", "b", "c"].into_iter().find(|n| *n == name).unwrap();
            *counts.entry(name).or_default() += 1;
        }
        for (name, weight) in [("a", 0.5), ("b", 0.3), ("c", 0.2)] {
            let share = counts[name] as f64 / 10_000.0;
            assert!(
                (share - weight).abs() < 0.02,
                "{name}: {share} for weight {weight}"
            );
        }
    }

    #[test]
    fn caps_days_off_and_closed_hours_move_the_lead_on() {
        let berlin = calendar("Mo-Fr 09:00-17:00", "Europe/Berlin", None, None);
        let mut away = calendar("Mo-Fr 09:00-17:00", "Europe/Berlin", None, None);
        away.days_off = vec![("2027-03-02".parse().unwrap(), "2027-03-02".parse().unwrap())];
        let lead = Lead {
            country: Some("DE".into()),
            employees: Some(500.0),
            ..Default::default()
        };
        let now = at("2027-03-02T10:00:00Z");

        // Jonas is capped today, Lena is on a day off: the round robin has nobody, and the
        // lead falls through to the queue with the reasons.
        let mut jonas = state("jonas", &berlin);
        jonas.today.insert("DACH".into(), 2);
        let lena = state("lena", &away);
        let routed = route(&routing(RULES), &lead, &[jonas, lena], MQL, now);
        assert_eq!(routed.assignee, Assignee::Queue);
        let dach = &routed.considered[1].why;
        assert!(dach.contains("took 2 today (cap 2)"), "{dach}");
        assert!(dach.contains("away (a day off)"), "{dach}");

        // At 09:00 in Berlin, Tokyo has just closed and opens after Berlin's day ends: the
        // rep there is skipped for the one in Berlin, though Berlin has had more leads.
        let tokyo = calendar("Mo-Fr 09:00-17:00", "Asia/Tokyo", None, None);
        let rules = routing(
            r#"
[[rules]]
name = "Any"
strategy = "round_robin"
reps = { early = 1, late = 1 }
"#,
        );
        let mut early = state("early", &berlin);
        early.by_rule.insert("Any".into(), 10);
        let late = state("late", &tokyo);
        let routed = route(
            &rules,
            &lead,
            &[early, late],
            MQL,
            at("2027-03-02T08:00:00Z"),
        );
        assert_eq!(
            routed.assignee,
            Assignee::Rep {
                name: "early".into()
            }
        );
        assert!(
            routed
                .detail
                .iter()
                .any(|d| d.starts_with("late: skipped, outside working hours")),
            "{:?}",
            routed.detail
        );
    }

    #[test]
    fn rules_that_cannot_work_are_named() {
        let bad = routing(
            r#"
[[rules]]
name = "Broken"
strategy = "round_robin"
reps = { jonas = 0 }
"#,
        );
        assert!(bad.check(&["jonas"]).unwrap_err().contains("weight 0"));
        let unknown = routing(
            r#"
fallback = "otto"
"#,
        );
        assert!(
            unknown
                .check(&["jonas"])
                .unwrap_err()
                .contains("\"otto\" is not a rep")
        );
        assert!(routing(RULES).check(&["jonas", "lena", "rosa"]).is_ok());
    }
}
