//! SLA deadlines in business time: by when a rep must acknowledge a lead, from the moment it
//! arrived, on the rep's calendar. The clock runs only while the rep is open: a lead that
//! arrives after hours starts it at the next opening. A policy per lead class says how much
//! time the rep has — by the end of the same business day, of the next one, or a number of
//! business hours — and a reminder falls at 75 % of the business time allowed. Every
//! deadline comes with its explanation, step by step, so a team can check its calendars.

use jiff::{SignedDuration, Timestamp, Zoned};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;

crate::values! {
    /// What kind of lead a rep is handed, which decides the time allowed.
    pub enum LeadClass("lead class") {
        /// Marketing-qualified: the score crossed the routing threshold.
        Mql = "mql" / "MQL",
        /// A positive reply or a strong intent signal.
        Warm = "warm" / "warm lead",
    }
}

/// How much time a policy allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Budget {
    /// Until the close of the business day `days_after` business days after the day the
    /// clock starts (0: that same day).
    EndOfDay { days_after: u32 },
    /// A number of business minutes.
    BusinessMinutes { minutes: u32 },
}

impl Budget {
    /// The process's defaults: an MQL by the end of the same business day, a warm lead by
    /// the end of the next.
    pub fn default_for(class: LeadClass) -> Budget {
        match class {
            LeadClass::Mql => Budget::EndOfDay { days_after: 0 },
            LeadClass::Warm => Budget::EndOfDay { days_after: 1 },
        }
    }

    /// Reads a policy as a team writes it: `end_of_day`, `end_of_next_day`, `end_of_day+N`,
    /// or business time `4h`, `90m`, `1h30m`.
    pub fn parse(text: &str) -> Result<Budget, String> {
        let text = text.trim();
        match text {
            "end_of_day" => return Ok(Budget::EndOfDay { days_after: 0 }),
            "end_of_next_day" => return Ok(Budget::EndOfDay { days_after: 1 }),
            _ => {}
        }
        if let Some(n) = text.strip_prefix("end_of_day+") {
            return n
                .parse()
                .map(|days_after| Budget::EndOfDay { days_after })
                .map_err(|_| {
                    format!("{text:?}: write end_of_day+N with N a whole number of days")
                });
        }
        let bad = || {
            format!(
                "{text:?} is not an SLA: write end_of_day, end_of_next_day, end_of_day+N, or business time like 4h, 90m, 1h30m"
            )
        };
        let (hours, rest) = match text.split_once('h') {
            Some((h, rest)) => (h.parse::<u32>().map_err(|_| bad())?, rest),
            None => (0, text),
        };
        let minutes = match rest.strip_suffix('m') {
            Some(m) => m.parse::<u32>().map_err(|_| bad())?,
            None if rest.is_empty() => 0,
            None => return Err(bad()),
        };
        let total = hours * 60 + minutes;
        if total == 0 {
            return Err(bad());
        }
        Ok(Budget::BusinessMinutes { minutes: total })
    }

    /// The policy in words.
    pub fn describe(self) -> String {
        match self {
            Budget::EndOfDay { days_after: 0 } => "by the end of the same business day".into(),
            Budget::EndOfDay { days_after: 1 } => "by the end of the next business day".into(),
            Budget::EndOfDay { days_after } => {
                format!("by the end of the business day {days_after} business days later")
            }
            Budget::BusinessMinutes { minutes } => {
                format!(
                    "within {} of business time",
                    show_duration(minutes_of(minutes))
                )
            }
        }
    }
}

/// A policy as `leadgate.toml` writes it: `mql = "end_of_day"`, `warm = "4h"`.
pub fn deserialize_budget<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Budget, D::Error> {
    let text = String::deserialize(d)?;
    Budget::parse(&text).map_err(serde::de::Error::custom)
}

fn minutes_of(minutes: u32) -> SignedDuration {
    SignedDuration::from_mins(i64::from(minutes))
}

/// A deadline and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub arrived: Timestamp,
    /// When the clock started: the arrival, or the next opening after it.
    pub starts: Timestamp,
    pub deadline: Timestamp,
    /// When a reminder goes: at 75 % of the business time allowed.
    pub remind: Timestamp,
    /// The business time between the start and the deadline.
    pub business: SignedDuration,
    /// The computation in words, one step a line, times in the calendar's zone.
    pub steps: Vec<String>,
}

/// The share of the business time allowed after which the rep is reminded.
pub const REMIND_AT: f64 = 0.75;

/// The deadline for a lead that `arrived`, under `budget`, on `calendar`; `None` when the
/// calendar is never open.
pub fn deadline(calendar: &Calendar, arrived: Timestamp, budget: Budget) -> Option<Deadline> {
    let show = |t: Timestamp| local(calendar, t);
    let mut steps = vec![format!(
        "Arrived {} (the rep's zone, {}).",
        show(arrived),
        calendar.zone_name
    )];
    let starts = calendar.next_open(arrived)?;
    if starts == arrived {
        steps.push(format!(
            "The rep is open then ({}): the clock starts at once.",
            calendar.hours
        ));
    } else {
        let today = calendar.date_of(arrived);
        let why = match calendar.closed(today) {
            Some(closed) => format!("{} is closed: {}", today, closed.describe()),
            None => format!("outside the hours {}", calendar.hours),
        };
        steps.push(format!(
            "Not open then ({why}); the clock starts at the next opening, {}.",
            show(starts)
        ));
        for (date, closed) in calendar.closed_between(arrived, starts) {
            if date != today {
                steps.push(passed_over(date, &closed));
            }
        }
    }
    let deadline = match budget {
        Budget::EndOfDay { days_after } => {
            let (close, passed) = calendar.close_of_day(starts, days_after)?;
            for (date, closed) in passed {
                steps.push(passed_over(date, &closed));
            }
            close
        }
        Budget::BusinessMinutes { minutes } => {
            let due = calendar.add_open(starts, minutes_of(minutes))?;
            for (date, closed) in calendar.closed_between(starts, due) {
                steps.push(passed_over(date, &closed));
            }
            due
        }
    };
    let business = calendar.open_between(starts, deadline);
    steps.push(format!(
        "Policy: acknowledge {} → deadline {}, {} of business time after the start.",
        budget.describe(),
        show(deadline),
        show_duration(business)
    ));
    let share = SignedDuration::from_secs_f64(business.as_secs_f64() * REMIND_AT);
    let remind = calendar.add_open(starts, share).unwrap_or(deadline);
    steps.push(format!("Reminder at 75 % of it: {}.", show(remind)));
    let mut notes = Vec::new();
    let mut date = calendar.date_of(arrived);
    while date <= calendar.date_of(deadline) {
        for skipped in calendar.openings(date).1 {
            notes.push(format!(
                "  {} {} did not exist on {} (clocks went forward): taken as {}.",
                skipped.time.strftime("%H:%M"),
                calendar.zone_name,
                skipped.date,
                show(skipped.taken_as)
            ));
        }
        let Ok(next) = date.tomorrow() else { break };
        date = next;
    }
    steps.extend(notes);
    Some(Deadline {
        arrived,
        starts,
        deadline,
        remind,
        business,
        steps,
    })
}

/// A closed day the clock passed over, in words.
fn passed_over(date: jiff::civil::Date, closed: &super::calendar::Closed) -> String {
    format!(
        "  {} passed over: {}.",
        date.strftime("%a %Y-%m-%d"),
        closed.describe()
    )
}

/// An instant as a person reads it in the calendar's zone: `Fri 2027-11-26 11:00 EST`.
pub fn local(calendar: &Calendar, at: Timestamp) -> String {
    let zoned: Zoned = at.to_zoned(calendar.zone.clone());
    zoned.strftime("%a %Y-%m-%d %H:%M %Z").to_string()
}

/// `8 h`, `2 h 30 min`, `45 min`.
pub fn show_duration(d: SignedDuration) -> String {
    let minutes = d.as_secs() / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handoff::calendar::tests::calendar;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn due(cal: &Calendar, arrived: &str, budget: Budget) -> Deadline {
        deadline(cal, at(arrived), budget).unwrap()
    }

    const MQL: Budget = Budget::EndOfDay { days_after: 0 };
    const WARM: Budget = Budget::EndOfDay { days_after: 1 };

    #[test]
    fn an_mql_after_hours_is_due_by_the_close_of_the_next_open_day() {
        let cal = calendar(
            "Mo-Fr 09:00-17:30; PH off",
            "America/New_York",
            Some("US"),
            None,
        );

        // Friday 2027-01-08 19:00 EST.
        let late = due(&cal, "2027-01-09T00:00:00Z", MQL);

        assert_eq!(late.starts.to_string(), "2027-01-11T14:00:00Z");
        assert_eq!(late.deadline.to_string(), "2027-01-11T22:30:00Z");
        assert_eq!(late.business, SignedDuration::from_mins(8 * 60 + 30));
        assert!(
            late.steps[1].contains("outside the hours"),
            "{:?}",
            late.steps
        );
    }

    #[test]
    fn a_warm_lead_on_the_eve_of_thanksgiving_skips_the_holiday() {
        let cal = calendar(
            "Mo-Fr 09:00-17:00; PH off",
            "America/New_York",
            Some("US"),
            None,
        );

        // Wednesday 2027-11-24 10:00 EST; next business day is Friday.
        let warm = due(&cal, "2027-11-24T15:00:00Z", WARM);

        assert_eq!(warm.deadline.to_string(), "2027-11-26T22:00:00Z");
        assert!(
            warm.steps
                .iter()
                .any(|s| s.contains("Thanksgiving, a public holiday")),
            "{:?}",
            warm.steps
        );
    }

    #[test]
    fn a_german_regional_holiday_closes_only_its_land() {
        // Thursday 2027-05-27 is Fronleichnam in Bavaria, not in Berlin.
        let bavaria = calendar(
            "Mo-Fr 09:00-17:00; PH off",
            "Europe/Berlin",
            Some("DE"),
            Some("BY"),
        );
        let berlin = calendar(
            "Mo-Fr 09:00-17:00; PH off",
            "Europe/Berlin",
            Some("DE"),
            Some("BE"),
        );
        let arrived = "2027-05-27T08:00:00Z";

        assert_eq!(
            due(&bavaria, arrived, MQL).deadline.to_string(),
            "2027-05-28T15:00:00Z"
        );
        assert_eq!(
            due(&berlin, arrived, MQL).deadline.to_string(),
            "2027-05-27T15:00:00Z"
        );
    }

    #[test]
    fn business_hours_run_across_both_changes_of_clocks() {
        let ny = calendar("Mo-Su 00:00-24:00", "America/New_York", None, None);
        let berlin = calendar("Mo-Su 00:00-24:00", "Europe/Berlin", None, None);
        let day = Budget::BusinessMinutes { minutes: 24 * 60 };

        // Across the spring change a day of business time is 24 real hours, whatever the clocks say.
        let spring = due(&ny, "2027-03-13T17:00:00Z", day);
        let autumn = due(&berlin, "2027-10-30T10:00:00Z", day);

        assert_eq!(spring.deadline.to_string(), "2027-03-14T17:00:00Z");
        assert_eq!(autumn.deadline.to_string(), "2027-10-31T10:00:00Z");
        // And "the end of the day" is the local end of the day.
        let eod = due(&berlin, "2027-10-31T06:00:00Z", MQL);
        assert_eq!(eod.deadline.to_string(), "2027-10-31T23:00:00Z");
    }

    #[test]
    fn a_lead_and_a_rep_in_different_zones_meet_on_the_rep_s_clock() {
        let london = calendar("Mo-Fr 09:00-17:00", "Europe/London", None, None);

        // 10:00 Tuesday in Tokyo is 01:00 Tuesday in London: the clock starts at 09:00.
        let from_tokyo: Timestamp = "2027-02-09T10:00:00+09:00".parse::<Timestamp>().unwrap();
        let d = deadline(
            &london,
            from_tokyo,
            Budget::BusinessMinutes { minutes: 120 },
        )
        .unwrap();

        assert_eq!(d.starts.to_string(), "2027-02-09T09:00:00Z");
        assert_eq!(d.deadline.to_string(), "2027-02-09T11:00:00Z");
        assert_eq!(d.remind.to_string(), "2027-02-09T10:30:00Z");
    }

    #[test]
    fn policies_read_as_teams_write_them() {
        assert_eq!(Budget::parse("end_of_day"), Ok(MQL));
        assert_eq!(Budget::parse("end_of_next_day"), Ok(WARM));
        assert_eq!(
            Budget::parse("end_of_day+2"),
            Ok(Budget::EndOfDay { days_after: 2 })
        );
        assert_eq!(
            Budget::parse("4h"),
            Ok(Budget::BusinessMinutes { minutes: 240 })
        );
        assert_eq!(
            Budget::parse("1h30m"),
            Ok(Budget::BusinessMinutes { minutes: 90 })
        );
        assert_eq!(
            Budget::parse("45m"),
            Ok(Budget::BusinessMinutes { minutes: 45 })
        );
        for bad in ["", "0h", "soon", "4 hours", "h"] {
            assert!(Budget::parse(bad).is_err(), "{bad}");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn calendars() -> Vec<Calendar> {
            vec![
                calendar(
                    "Mo-Fr 09:00-17:30; PH off",
                    "America/New_York",
                    Some("US"),
                    None,
                ),
                calendar(
                    "Mo-Th 08:00-12:00,13:00-17:00; Fr 08:00-14:00; PH off",
                    "Europe/Berlin",
                    Some("DE"),
                    Some("BY"),
                ),
                calendar("Mo-Su 00:00-24:00", "Europe/London", None, None),
                calendar(
                    "Su 02:30-04:00; We 23:00-24:00",
                    "America/New_York",
                    None,
                    None,
                ),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            #[test]
            fn a_deadline_never_precedes_arrival_and_more_budget_is_never_earlier(
                which in 0usize..4,
                secs in 1_798_761_600i64..1_893_456_000i64,
                minutes in 1u32..5_000,
                more in 0u32..5_000,
                days in 0u32..4,
            ) {
                let cal = &calendars()[which];
                let arrived = Timestamp::from_second(secs).unwrap();
                let small = deadline(cal, arrived, Budget::BusinessMinutes { minutes }).unwrap();
                let large = deadline(cal, arrived, Budget::BusinessMinutes { minutes: minutes + more }).unwrap();
                prop_assert!(small.deadline >= arrived);
                prop_assert!(small.starts >= arrived);
                prop_assert!(small.remind <= small.deadline);
                prop_assert!(large.deadline >= small.deadline);
                prop_assert_eq!(small.business, SignedDuration::from_mins(i64::from(minutes)));
                let eod = deadline(cal, arrived, Budget::EndOfDay { days_after: days }).unwrap();
                let later = deadline(cal, arrived, Budget::EndOfDay { days_after: days + 1 }).unwrap();
                prop_assert!(eod.deadline >= arrived);
                prop_assert!(later.deadline > eod.deadline);
            }
        }
    }
}
