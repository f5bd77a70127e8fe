//! A rep's weekly hours in the opening-hours syntax teams already know from maps
//! (OpenStreetMap's `opening_hours`), the subset a working week needs:
//!
//! ```text
//! Mo-Fr 09:00-17:30
//! Mo-Th 08:00-12:00,13:00-17:00; Fr 08:00-14:00; PH off
//! Mo,We,Fr 10:00-16:00; Sa off
//! ```
//!
//! Rules are separated by `;` and read in order; a later rule for a day replaces an earlier
//! one (as in the full syntax). A rule is days (`Mo`…`Su`, ranges `Mo-Fr` that may wrap,
//! lists `Mo,We`), then time ranges (`09:00-17:30`, several with commas) or `off`. `PH off`
//! closes public holidays (of the calendar's country and region); `PH` with hours is not
//! supported — a rep works a holiday by leaving `PH off` out. A range may end at `24:00`,
//! not past midnight: a night shift is two ranges on two days.

use std::fmt;

use jiff::civil::{Time, Weekday};

/// Open hours for each day of the week, Monday first, each day's ranges in order and apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyHours {
    days: [Vec<Range>; 7],
    /// `PH off`: public holidays are closed.
    pub holidays_off: bool,
    text: String,
}

/// One open range of a day, from `start` to `end` (`end` None for `24:00`, midnight after).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub start: Time,
    pub end: Option<Time>,
}

/// Why a text is not weekly hours, with the rule it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?}: {why}")]
pub struct HoursError {
    pub text: String,
    pub why: String,
}

const DAY_NAMES: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

impl WeeklyHours {
    /// Reads weekly hours (see the module docs).
    pub fn parse(text: &str) -> Result<WeeklyHours, HoursError> {
        let error = |rule: &str, why: String| HoursError {
            text: rule.trim().to_string(),
            why,
        };
        let mut days: [Vec<Range>; 7] = Default::default();
        let mut holidays_off = false;
        let mut any = false;
        for rule in text.split(';') {
            let rule = rule.trim();
            if rule.is_empty() {
                continue;
            }
            any = true;
            let (selector, rest) = rule.split_once(char::is_whitespace).unwrap_or((rule, ""));
            let rest = rest.trim();
            if selector == "PH" {
                if rest != "off" {
                    return Err(error(
                        rule,
                        "only `PH off` is supported: leave it out for a rep who works on public holidays"
                            .to_string(),
                    ));
                }
                holidays_off = true;
                continue;
            }
            let chosen = weekdays(selector).map_err(|why| error(rule, why))?;
            let ranges = if rest == "off" || rest == "closed" {
                Vec::new()
            } else if rest.is_empty() {
                return Err(error(
                    rule,
                    "hours are missing: write `09:00-17:00` or `off`".to_string(),
                ));
            } else {
                ranges(rest).map_err(|why| error(rule, why))?
            };
            for day in chosen {
                days[day].clone_from(&ranges);
            }
        }
        if !any {
            return Err(error(
                text,
                "no hours: write e.g. `Mo-Fr 09:00-17:00; PH off`".to_string(),
            ));
        }
        Ok(WeeklyHours {
            days,
            holidays_off,
            text: text.trim().to_string(),
        })
    }

    /// The open ranges of `weekday`.
    pub fn of(&self, weekday: Weekday) -> &[Range] {
        &self.days[usize::from(weekday.to_monday_zero_offset().unsigned_abs())]
    }

    /// The text it was read from.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl<'de> serde::Deserialize<'de> for WeeklyHours {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        WeeklyHours::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for WeeklyHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The days (0 = Monday) a selector names: `Mo`, `Mo-Fr`, `Sa-Mo`, `Mo,We,Fr`, `Mo-We,Fr`.
fn weekdays(selector: &str) -> Result<Vec<usize>, String> {
    let index = |name: &str| {
        DAY_NAMES
            .iter()
            .position(|d| *d == name)
            .ok_or_else(|| format!("`{name}` is not a day: write Mo, Tu, We, Th, Fr, Sa or Su"))
    };
    let mut out = Vec::new();
    for part in selector.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (index(from)?, index(to)?);
                let mut day = from;
                loop {
                    out.push(day);
                    if day == to {
                        break;
                    }
                    day = (day + 1) % 7;
                }
            }
            None => out.push(index(part)?),
        }
    }
    Ok(out)
}

/// Time ranges: `09:00-12:00,13:00-17:30`, in order, not overlapping.
fn ranges(text: &str) -> Result<Vec<Range>, String> {
    let mut out: Vec<Range> = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let (from, to) = part
            .split_once('-')
            .ok_or_else(|| format!("`{part}` is not a time range: write 09:00-17:30"))?;
        let start =
            clock(from)?.ok_or_else(|| format!("`{from}`: a range cannot start at 24:00"))?;
        let end = clock(to)?;
        if end.is_some_and(|end| end <= start) {
            return Err(format!(
                "`{part}` ends before it starts: a range cannot cross midnight (split it over two days)"
            ));
        }
        if let Some(last) = out.last()
            && last.end.is_none_or(|end| end > start)
        {
            return Err(format!("`{part}` overlaps the range before it"));
        }
        out.push(Range { start, end });
    }
    Ok(out)
}

/// `HH:MM`, or `24:00` (None: midnight at the end of the day).
fn clock(text: &str) -> Result<Option<Time>, String> {
    let text = text.trim();
    let bad = || format!("`{text}` is not a time: write HH:MM, 00:00 to 24:00");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if (h, m) == (24, 0) {
        return Ok(None);
    }
    Time::new(h, m, 0, 0).map(Some).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(h: i8, m: i8) -> Time {
        Time::new(h, m, 0, 0).unwrap()
    }

    #[test]
    fn a_working_week_reads_with_later_rules_replacing_earlier_ones() {
        let hours =
            WeeklyHours::parse("Mo-Fr 09:00-12:00,13:00-17:30; Fr 09:00-14:00; Sa off; PH off")
                .unwrap();

        assert_eq!(
            hours.of(Weekday::Monday),
            [
                Range {
                    start: hm(9, 0),
                    end: Some(hm(12, 0))
                },
                Range {
                    start: hm(13, 0),
                    end: Some(hm(17, 30))
                }
            ]
        );
        assert_eq!(hours.of(Weekday::Friday).len(), 1);
        assert!(hours.of(Weekday::Saturday).is_empty());
        assert!(hours.of(Weekday::Sunday).is_empty());
        assert!(hours.holidays_off);
    }

    #[test]
    fn ranges_of_days_may_wrap_and_a_day_may_run_to_midnight() {
        let hours = WeeklyHours::parse("Sa-Mo 00:00-24:00").unwrap();

        for day in [Weekday::Saturday, Weekday::Sunday, Weekday::Monday] {
            assert_eq!(
                hours.of(day),
                [Range {
                    start: hm(0, 0),
                    end: None
                }]
            );
        }
        assert!(hours.of(Weekday::Tuesday).is_empty());
        assert!(!hours.holidays_off);
    }

    #[test]
    fn a_mistake_names_the_rule_and_what_is_wrong() {
        for (text, why) in [
            ("Mo-Fx 09:00-17:00", "`Fx` is not a day"),
            ("Mo-Fr 9:00-17:00", "`9:00` is not a time"),
            ("Mo-Fr 22:00-02:00", "cannot cross midnight"),
            ("Mo-Fr 09:00-12:00,11:00-13:00", "overlaps"),
            ("Mo-Fr", "hours are missing"),
            ("PH 10:00-12:00", "only `PH off`"),
            ("", "no hours"),
        ] {
            let error = WeeklyHours::parse(text).unwrap_err();
            assert!(error.why.contains(why), "{text}: {error}");
        }
    }
}
