//! Public holidays by country and region, from rules (`holidays.toml` beside this file):
//! fixed dates, the Nth weekday of a month, days after Easter, and one-off dates, each with
//! the regions and years it holds in; and a country's rule for a holiday that falls on a
//! weekend (the United States observe it on the Friday before or the Monday after; the
//! United Kingdom on the next weekday that is not already a holiday).
//!
//! Countries: the United States (federal holidays), the United Kingdom (England, Wales,
//! Scotland, Northern Ireland), Germany (the sixteen Länder) and France (metropolitan). A
//! calendar of another country has no public holidays but the ones a team lists itself.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::Deserialize;

/// One public holiday: its date (the day it is observed on) and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: Date,
    pub name: String,
    /// Observed on `date` in place of the weekend day it fell on.
    pub observed: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rules {
    countries: BTreeMap<String, Country>,
    holidays: Vec<Rule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Country {
    name: String,
    #[serde(default)]
    observed: Option<String>,
    #[serde(default)]
    regions: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    country: String,
    name: String,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    month: Option<i8>,
    #[serde(default)]
    weekday: Option<String>,
    #[serde(default)]
    nth: Option<i8>,
    /// With `nth = -1`: the last such weekday before this day of the month.
    #[serde(default)]
    before_day: Option<i8>,
    #[serde(default)]
    easter: Option<i32>,
    #[serde(default)]
    dates: Vec<String>,
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    since: Option<i16>,
    #[serde(default)]
    until: Option<i16>,
    #[serde(default)]
    except: Vec<i16>,
}

fn rules() -> &'static Rules {
    static RULES: LazyLock<Rules> = LazyLock::new(|| {
        // Part of the program; its own test reads every rule, so a mistake fails the build's
        // tests, not a user's run.
        toml::from_str(include_str!("holidays.toml")).unwrap_or(Rules {
            countries: BTreeMap::new(),
            holidays: Vec::new(),
        })
    });
    &RULES
}

/// The countries with public holidays, as (code, name, regions).
pub fn countries() -> Vec<(&'static str, &'static str, &'static [String])> {
    rules()
        .countries
        .iter()
        .map(|(code, c)| (code.as_str(), c.name.as_str(), c.regions.as_slice()))
        .collect()
}

/// Whether leadgate knows `country`'s holidays, and `region` (if given) is one of its
/// regions: the reason when not.
pub fn check(country: &str, region: Option<&str>) -> Result<(), String> {
    let known = || {
        rules()
            .countries
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(found) = rules().countries.get(&country.to_ascii_uppercase()) else {
        return Err(format!(
            "leadgate knows no public holidays of {country:?} (it knows {}); list the team's own days off instead",
            known()
        ));
    };
    match region {
        Some(region) if !found.regions.iter().any(|r| r.eq_ignore_ascii_case(region)) => {
            Err(if found.regions.is_empty() {
                format!("{} has no regions in leadgate's holidays", found.name)
            } else {
                format!(
                    "{region:?} is not a region of {} (one of {})",
                    found.name,
                    found.regions.join(", ")
                )
            })
        }
        _ => Ok(()),
    }
}

/// The public holidays of `country` (ISO 3166-1 alpha-2) and, if given, its `region` (the
/// ISO 3166-2 code without the country: `BY`, `SCT`) that are observed in `year`, by date.
/// Without a region, only the holidays of the whole country.
pub fn of_year(country: &str, region: Option<&str>, year: i16) -> Vec<Holiday> {
    remembered(country, region, year).to_vec()
}

/// A year's holidays, worked out once per country, region and year: a calendar asks of
/// every day it walks, and an SLA deadline walks days for each lead routed.
fn remembered(country: &str, region: Option<&str>, year: i16) -> Arc<[Holiday]> {
    type Key = (String, Option<String>, i16);
    static YEARS: LazyLock<Mutex<HashMap<Key, Arc<[Holiday]>>>> = LazyLock::new(Mutex::default);
    let key = (
        country.to_ascii_uppercase(),
        region.map(str::to_ascii_uppercase),
        year,
    );
    // A poisoned lock only means another thread panicked mid-insert; the map is still whole.
    let mut years = YEARS.lock().unwrap_or_else(|e| e.into_inner());
    years
        .entry(key)
        .or_insert_with(|| work_out(country, region, year).into())
        .clone()
}

fn work_out(country: &str, region: Option<&str>, year: i16) -> Vec<Holiday> {
    let country = country.to_ascii_uppercase();
    let Some(known) = rules().countries.get(&country) else {
        return Vec::new();
    };
    // A holiday of the next year may be observed in this one (New Year's Day on a Saturday,
    // in the United States), and one of the year before in this one (Boxing Day on a
    // Sunday, in the United Kingdom).
    let mut all = Vec::new();
    for y in [year - 1, year, year + 1] {
        let actual: Vec<(Date, &str)> = rules()
            .holidays
            .iter()
            .filter(|r| r.country == country)
            .filter(|r| {
                r.regions.is_empty()
                    || region.is_some_and(|g| r.regions.iter().any(|x| x.eq_ignore_ascii_case(g)))
            })
            .flat_map(|r| {
                dates_of(r, y)
                    .into_iter()
                    .map(move |d| (d, r.name.as_str()))
            })
            .collect();
        all.extend(observe(known.observed.as_deref(), actual));
    }
    all.retain(|h: &Holiday| h.date.year() == year);
    all.sort_by_key(|h| h.date);
    all.dedup_by(|a, b| a.date == b.date && a.name == b.name);
    all
}

/// The holiday on `date`, if there is one.
pub fn on(country: &str, region: Option<&str>, date: Date) -> Option<Holiday> {
    remembered(country, region, date.year())
        .iter()
        .find(|h| h.date == date)
        .cloned()
}

/// The days a rule falls on in `year` (before any weekend rule).
fn dates_of(rule: &Rule, year: i16) -> Vec<Date> {
    if rule.since.is_some_and(|s| year < s)
        || rule.until.is_some_and(|u| year > u)
        || rule.except.contains(&year)
    {
        return Vec::new();
    }
    if !rule.dates.is_empty() {
        return rule
            .dates
            .iter()
            .filter_map(|d| d.parse::<Date>().ok())
            .filter(|d| d.year() == year)
            .collect();
    }
    let date = if let Some(fixed) = &rule.fixed {
        fixed
            .split_once('-')
            .and_then(|(m, d)| Some((m.parse().ok()?, d.parse().ok()?)))
            .and_then(|(m, d)| Date::new(year, m, d).ok())
    } else if let Some(days) = rule.easter {
        easter(year).checked_add(days.days()).ok()
    } else if let (Some(month), Some(weekday), Some(nth)) = (
        rule.month,
        rule.weekday.as_deref().and_then(weekday),
        rule.nth,
    ) {
        match rule.before_day {
            Some(day) => Date::new(year, month, day)
                .ok()
                .and_then(|limit| limit.nth_weekday(-1, weekday).ok()),
            None => Date::new(year, month, 1)
                .ok()
                .and_then(|first| first.nth_weekday_of_month(nth, weekday).ok()),
        }
    } else {
        None
    };
    date.into_iter().collect()
}

/// The weekend rule of a country applied to its holidays of one year.
fn observe(rule: Option<&str>, mut actual: Vec<(Date, &str)>) -> Vec<Holiday> {
    actual.sort_by_key(|(d, _)| *d);
    let weekend = |d: Date| matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
    let mut out: Vec<Holiday> = actual
        .iter()
        .map(|(date, name)| Holiday {
            date: *date,
            name: (*name).to_string(),
            observed: false,
        })
        .collect();
    match rule {
        Some("us") => {
            for (date, name) in &actual {
                let moved = match date.weekday() {
                    Weekday::Saturday => date.yesterday().ok(),
                    Weekday::Sunday => date.tomorrow().ok(),
                    _ => None,
                };
                if let Some(moved) = moved {
                    out.push(Holiday {
                        date: moved,
                        name: format!("{name} (observed)"),
                        observed: true,
                    });
                }
            }
        }
        Some("gb") => {
            let mut taken: Vec<Date> = actual
                .iter()
                .map(|(d, _)| *d)
                .filter(|d| !weekend(*d))
                .collect();
            for (date, name) in actual.iter().filter(|(d, _)| weekend(*d)) {
                let mut day = *date;
                while weekend(day) || taken.contains(&day) {
                    match day.tomorrow() {
                        Ok(next) => day = next,
                        Err(_) => break,
                    }
                }
                taken.push(day);
                out.push(Holiday {
                    date: day,
                    name: format!("{name} (substitute day)"),
                    observed: true,
                });
            }
        }
        _ => {}
    }
    out
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name {
        "mon" => Weekday::Monday,
        "tue" => Weekday::Tuesday,
        "wed" => Weekday::Wednesday,
        "thu" => Weekday::Thursday,
        "fri" => Weekday::Friday,
        "sat" => Weekday::Saturday,
        "sun" => Weekday::Sunday,
        _ => return None,
    })
}

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian algorithm,
/// "Meeus/Jones/Butcher").
pub fn easter(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // Always March or April, day 1–31.
    Date::new(year, month as i8, day as i8).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(country: &str, region: Option<&str>, year: i16) -> Vec<String> {
        of_year(country, region, year)
            .into_iter()
            .map(|h| h.date.to_string())
            .collect()
    }

    #[test]
    fn every_rule_reads_and_names_a_known_country_and_region() {
        let rules = rules();
        assert_eq!(rules.countries.len(), 4);
        for rule in &rules.holidays {
            let country = rules.countries.get(&rule.country).unwrap();
            for region in &rule.regions {
                assert!(country.regions.contains(region), "{}: {region}", rule.name);
            }
            let kinds = [
                rule.fixed.is_some(),
                rule.easter.is_some(),
                rule.nth.is_some(),
                !rule.dates.is_empty(),
            ];
            assert_eq!(kinds.iter().filter(|k| **k).count(), 1, "{}", rule.name);
            assert!(
                (2000..=2040).any(|y| !dates_of(rule, y).is_empty()),
                "{} never falls",
                rule.name
            );
        }
    }

    #[test]
    fn easter_falls_where_the_tables_put_it() {
        for (year, day) in [
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2027, "2027-03-28"),
            (2038, "2038-04-25"),
        ] {
            assert_eq!(easter(year).to_string(), day);
        }
    }

    #[test]
    fn thanksgiving_and_an_observed_new_year_in_the_united_states() {
        let us = dates("US", None, 2027);
        assert!(us.contains(&"2027-11-25".to_string()), "{us:?}");
        // 2028-01-01 is a Saturday: observed on Friday 2027-12-31.
        assert!(us.contains(&"2027-12-31".to_string()), "{us:?}");
    }

    #[test]
    fn german_holidays_depend_on_the_land() {
        let corpus_christi = "2027-05-27".to_string();
        assert!(dates("DE", Some("BY"), 2027).contains(&corpus_christi));
        assert!(!dates("DE", Some("BE"), 2027).contains(&corpus_christi));
        assert!(!dates("DE", None, 2027).contains(&corpus_christi));
        // Buß- und Bettag: the Wednesday before 23 November, in Saxony only.
        assert!(dates("DE", Some("SN"), 2027).contains(&"2027-11-17".to_string()));
        assert!(dates("DE", Some("SN"), 2026).contains(&"2026-11-18".to_string()));
    }

    #[test]
    fn british_substitute_days_take_the_next_free_weekday() {
        // Christmas 2027 is a Saturday and Boxing Day a Sunday: Monday 27 and Tuesday 28.
        let gb = dates("GB", Some("ENG"), 2027);
        assert!(gb.contains(&"2027-12-27".to_string()), "{gb:?}");
        assert!(gb.contains(&"2027-12-28".to_string()), "{gb:?}");
    }

    #[test]
    fn an_unknown_country_or_region_is_named() {
        assert!(check("DE", Some("BY")).is_ok());
        assert!(check("de", None).is_ok());
        assert!(check("DE", Some("XX")).unwrap_err().contains("BW, BY"));
        assert!(check("ZZ", None).unwrap_err().contains("DE, FR, GB, US"));
    }
}
