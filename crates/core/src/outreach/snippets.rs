//! The snippet library: openers keyed by the signal a lead's facts show — a funding round,
//! a new role, hiring, the tools it runs. A template says `{{ opener }}` and gets the first
//! snippet, in the library's order, whose signal the lead shows now; its words about the
//! lead are claims citing their facts like any other. A lead that shows none has no
//! opener, and a template guards it: `{% if opener is defined %}{{ opener }} {% endif %}`.
//!
//! The built-in library is `snippets.toml` beside this file, in the format a team's own
//! would take. Which signal a lead shows is decided here, from the facts and the time:
//!
//! | signal | shown when |
//! |---|---|
//! | `funding_round` | `funding_stage` is known and `funding_date` is within the last 365 days |
//! | `new_role` | `role_start_date` is within the last 180 days |
//! | `hiring` | `open_roles` is 3 or more |
//! | `tech_stack` | `tech_stack` (or `technologies`) is known |
//!
//! Job changes and content the prospect consumed are signals of the process too; they need
//! facts leadgate does not keep yet (the previous employer; engagement as facts).

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use super::compose::{Fact, newest_known};

crate::values! {
    /// What a lead's facts show that an opener can speak to.
    pub enum Signal("signal") {
        FundingRound = "funding_round" / "a recent funding round",
        NewRole = "new_role" / "a new role",
        Hiring = "hiring" / "hiring",
        TechStack = "tech_stack" / "the tools it runs",
    }
}

/// One opener: the signal it speaks to, and its template.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snippet {
    pub signal: Signal,
    pub text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Library {
    snippets: Vec<Snippet>,
}

/// The built-in snippets, in the order they are tried; read once per process.
pub fn builtin() -> &'static [Snippet] {
    static BUILTIN: LazyLock<Vec<Snippet>> = LazyLock::new(|| {
        // The file is part of the program and its test reads it: a mistake in it fails the
        // build's tests, not a user's run.
        toml::from_str::<Library>(include_str!("snippets.toml"))
            .map(|l| l.snippets)
            .unwrap_or_default()
    });
    &BUILTIN
}

/// Days within which a funding round and a new role are news.
pub const FUNDING_NEWS_DAYS: i64 = 365;
pub const NEW_ROLE_DAYS: i64 = 180;
/// Open roles from which a company is hiring.
pub const HIRING_OPEN_ROLES: f64 = 3.0;

/// Whether the facts show `signal` at `now`.
pub fn shows(signal: Signal, facts: &[Fact], now: Timestamp) -> bool {
    evidence(signal, facts, now).is_some()
}

/// The facts (indices) that show `signal` at `now`, or none when they do not: what an
/// opener speaking to it rests on, beyond what its words print.
pub fn evidence(signal: Signal, facts: &[Fact], now: Timestamp) -> Option<Vec<usize>> {
    let newest = |field: &str| newest_known(facts, field);
    let recent = |field: &str, days: i64| {
        let (i, value) = newest(field)?;
        let date: Date = value.get(..10).unwrap_or(value).parse().ok()?;
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        let ago = i64::from(date.until(today).ok()?.get_days());
        (0..=days).contains(&ago).then_some(i)
    };
    match signal {
        Signal::FundingRound => {
            let (stage, _) = newest("funding_stage")?;
            Some(vec![stage, recent("funding_date", FUNDING_NEWS_DAYS)?])
        }
        Signal::NewRole => Some(vec![recent("role_start_date", NEW_ROLE_DAYS)?]),
        Signal::Hiring => {
            let (i, value) = newest("open_roles")?;
            let roles: f64 = value.parse().ok()?;
            (roles >= HIRING_OPEN_ROLES).then(|| vec![i])
        }
        Signal::TechStack => {
            let (i, _) = newest("tech_stack").or_else(|| newest("technologies"))?;
            Some(vec![i])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outreach::compose::tests::fact;

    fn now() -> Timestamp {
        "2027-03-01T09:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_builtin_library_reads_and_speaks_to_every_signal() {
        let library = builtin();

        for signal in Signal::ALL {
            assert!(
                library.iter().any(|s| s.signal == *signal),
                "no snippet for {signal}"
            );
        }
        for snippet in library {
            assert_eq!(
                super::super::sequence::check_template(&snippet.text),
                Ok(())
            );
        }
    }

    #[test]
    fn signals_are_news_only_while_they_are_recent() {
        let funded = |date: &str| {
            vec![
                fact("funding_stage", "Series B"),
                fact("funding_date", date),
            ]
        };

        assert!(shows(Signal::FundingRound, &funded("2026-11-02"), now()));
        assert!(!shows(Signal::FundingRound, &funded("2025-11-02"), now()));
        assert!(
            !shows(Signal::FundingRound, &funded("2027-06-01"), now()),
            "not in the future"
        );
        assert!(shows(
            Signal::NewRole,
            &[fact("role_start_date", "2027-01-15")],
            now()
        ));
        assert!(!shows(
            Signal::NewRole,
            &[fact("role_start_date", "2026-01-15")],
            now()
        ));
        assert!(shows(Signal::Hiring, &[fact("open_roles", "29")], now()));
        assert!(!shows(Signal::Hiring, &[fact("open_roles", "2")], now()));
        assert!(shows(
            Signal::TechStack,
            &[fact("technologies", "HubSpot")],
            now()
        ));
        assert!(!shows(Signal::TechStack, &[], now()));
    }
}
