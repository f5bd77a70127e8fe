//! A rep's working calendar: an IANA time zone, weekly hours ([`super::hours`]), the public
//! holidays of a country and region ([`super::holidays`]) when the hours say `PH off`, and
//! personal days off. It answers what SLA clocks ask: when the rep is next open, where a
//! budget of open time runs out, how much open time lies between two instants, and when a
//! business day closes — always in the rep's own zone, across daylight-saving changes.
//!
//! Hours are local times. On the day clocks go forward, a local time that does not exist
//! (02:30 in New York) opens at the moment of the change; on the day they go back, a local
//! time that happens twice is its first occurrence. An open hour is an hour of real time:
//! `00:00-24:00` on a day clocks go forward is 23 hours long.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use super::holidays;
use super::hours::WeeklyHours;

/// An IANA time zone with its name, read from a configuration by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    pub name: String,
    pub tz: TimeZone,
}

impl Zone {
    pub fn get(name: &str) -> Result<Zone, String> {
        TimeZone::get(name.trim())
            .map(|tz| Zone {
                name: name.trim().to_string(),
                tz,
            })
            .map_err(|_| format!("{name:?} is not an IANA time zone (e.g. Europe/Berlin)"))
    }
}

impl<'de> serde::Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Zone::get(&name).map_err(serde::de::Error::custom)
    }
}

/// Whose public holidays: a country (ISO 3166-1, `US`) or a country's region (ISO 3166-2,
/// `DE-BY`, `GB-SCT`), one leadgate knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayPlace {
    pub country: String,
    pub region: Option<String>,
}

impl HolidayPlace {
    pub fn parse(code: &str) -> Result<HolidayPlace, String> {
        let code = code.trim().to_ascii_uppercase();
        let (country, region) = match code.split_once('-') {
            Some((c, r)) => (c.to_string(), Some(r.to_string())),
            None => (code.clone(), None),
        };
        holidays::check(&country, region.as_deref())?;
        Ok(HolidayPlace { country, region })
    }
}

impl std::fmt::Display for HolidayPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.region {
            Some(r) => write!(f, "{}-{r}", self.country),
            None => f.write_str(&self.country),
        }
    }
}

impl<'de> serde::Deserialize<'de> for HolidayPlace {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        HolidayPlace::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// A day off or an inclusive range of them, read as `2027-12-24` or
/// `2027-08-02..2027-08-13`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaysOff {
    pub from: Date,
    pub to: Date,
}

impl<'de> serde::Deserialize<'de> for DaysOff {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_days_off(&text)
            .map(|(from, to)| DaysOff { from, to })
            .map_err(serde::de::Error::custom)
    }
}

/// Days off as a team writes them: `2027-12-24`, or `2027-08-02..2027-08-13` (inclusive).
pub fn parse_days_off(text: &str) -> Result<(Date, Date), String> {
    let bad = || format!("{text:?} is not a day off: write 2027-12-24 or 2027-08-02..2027-08-13");
    let (from, to) = text.split_once("..").unwrap_or((text, text));
    let from: Date = from.trim().parse().map_err(|_| bad())?;
    let to: Date = to.trim().parse().map_err(|_| bad())?;
    if to < from {
        return Err(format!("{text:?} ends before it starts"));
    }
    Ok((from, to))
}

/// How far ahead an open moment is looked for before a calendar is called never open.
const SEARCH_DAYS: i32 = 3 * 366;

/// A working calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub zone: TimeZone,
    /// The zone's IANA name, for people.
    pub zone_name: String,
    pub hours: WeeklyHours,
    /// Whose public holidays close the calendar (with `PH off`): ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// The country's region (ISO 3166-2 without the country: `BY`, `SCT`).
    pub region: Option<String>,
    /// Personal days off, inclusive ranges of local dates.
    pub days_off: Vec<(Date, Date)>,
}

/// Why a day has no open hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    /// The weekly hours have none that day.
    Weekly,
    /// A public holiday, by name.
    Holiday(String),
    /// A personal day off.
    DayOff,
}

impl Closed {
    /// The reason in words, for an explanation.
    pub fn describe(&self) -> String {
        match self {
            Closed::Weekly => "no hours that day".to_string(),
            Closed::Holiday(name) => format!("{name}, a public holiday"),
            Closed::DayOff => "a day off".to_string(),
        }
    }
}

/// A local time the calendar had to move: it did not exist that day (clocks went forward).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub date: Date,
    pub time: Time,
    /// The moment it was taken as: the change of clocks.
    pub taken_as: Timestamp,
}

impl Calendar {
    /// A calendar of `hours` in `zone`, closed on the public holidays of `holidays` when the
    /// hours say `PH off`, and on `days_off`.
    pub fn new(
        zone: &Zone,
        hours: WeeklyHours,
        holidays: Option<&HolidayPlace>,
        days_off: Vec<(Date, Date)>,
    ) -> Calendar {
        Calendar {
            zone: zone.tz.clone(),
            zone_name: zone.name.clone(),
            hours,
            country: holidays.map(|h| h.country.clone()),
            region: holidays.and_then(|h| h.region.clone()),
            days_off,
        }
    }

    /// Why `date` has no open hours, or `None` when it has some.
    pub fn closed(&self, date: Date) -> Option<Closed> {
        if self
            .days_off
            .iter()
            .any(|(from, to)| *from <= date && date <= *to)
        {
            return Some(Closed::DayOff);
        }
        if self.hours.holidays_off
            && let Some(country) = &self.country
            && let Some(holiday) = holidays::on(country, self.region.as_deref(), date)
        {
            return Some(Closed::Holiday(holiday.name));
        }
        self.hours
            .of(date.weekday())
            .is_empty()
            .then_some(Closed::Weekly)
    }

    /// The open intervals of local `date`, as instants `[start, end)`, in order; with the
    /// local times that did not exist that day.
    pub fn openings(&self, date: Date) -> (Vec<(Timestamp, Timestamp)>, Vec<Skipped>) {
        let mut out = Vec::new();
        let mut skipped = Vec::new();
        if self.closed(date).is_some() {
            return (out, skipped);
        }
        for range in self.hours.of(date.weekday()) {
            let start = self.instant(date, range.start, &mut skipped);
            let end = match range.end {
                Some(end) => self.instant(date, end, &mut skipped),
                None => match date.tomorrow() {
                    Ok(next) => self.instant(next, Time::midnight(), &mut skipped),
                    Err(_) => continue,
                },
            };
            if let (Some(start), Some(end)) = (start, end)
                && end > start
            {
                out.push((start, end));
            }
        }
        (out, skipped)
    }

    /// The instant of a local time on a local date in the calendar's zone.
    fn instant(&self, date: Date, time: Time, skipped: &mut Vec<Skipped>) -> Option<Timestamp> {
        let ambiguous = self
            .zone
            .to_ambiguous_timestamp(DateTime::from_parts(date, time));
        match ambiguous.offset() {
            AmbiguousOffset::Gap { .. } => {
                // Opens at the change of clocks: the first instant after the earlier reading.
                let earlier = ambiguous.earlier().ok()?;
                let change = self.zone.following(earlier).next()?.timestamp();
                skipped.push(Skipped {
                    date,
                    time,
                    taken_as: change,
                });
                Some(change)
            }
            _ => ambiguous.compatible().ok(),
        }
    }

    /// The local date of an instant.
    pub fn date_of(&self, at: Timestamp) -> Date {
        at.to_zoned(self.zone.clone()).date()
    }

    /// The instant a local day starts (its first instant, where clocks jump at midnight).
    pub fn start_of(&self, day: Date) -> Timestamp {
        day.to_zoned(self.zone.clone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MIN)
    }

    /// The first instant at or after `at` when the calendar is open, or `None` if it is
    /// never open in the next three years.
    pub fn next_open(&self, at: Timestamp) -> Option<Timestamp> {
        let mut date = self.date_of(at).yesterday().ok()?;
        for _ in 0..SEARCH_DAYS {
            for (start, end) in self.openings(date).0 {
                if end > at {
                    return Some(start.max(at));
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// Where `budget` of open time, counted from `start`, runs out.
    pub fn add_open(&self, start: Timestamp, budget: SignedDuration) -> Option<Timestamp> {
        let mut left = budget;
        let mut date = self.date_of(start).yesterday().ok()?;
        for _ in 0..SEARCH_DAYS {
            for (open, close) in self.openings(date).0 {
                if close <= start {
                    continue;
                }
                let from = open.max(start);
                let here = close.duration_since(from);
                if here >= left {
                    return from.checked_add(left).ok();
                }
                left -= here;
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// The open time between `from` and `to`.
    pub fn open_between(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        let mut total = SignedDuration::ZERO;
        if to <= from {
            return total;
        }
        let (Ok(mut date), last) = (self.date_of(from).yesterday(), self.date_of(to)) else {
            return total;
        };
        while date <= last {
            for (open, close) in self.openings(date).0 {
                let (a, b) = (open.max(from), close.min(to));
                if b > a {
                    total += b.duration_since(a);
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        total
    }

    /// When the business day closes that is `days_after` open days after the local day of
    /// `open_at` (0: that day itself), with the days passed over as closed and why.
    pub fn close_of_day(
        &self,
        open_at: Timestamp,
        days_after: u32,
    ) -> Option<(Timestamp, Vec<(Date, Closed)>)> {
        let mut date = self.date_of(open_at);
        let mut passed = Vec::new();
        let mut left = days_after;
        for _ in 0..SEARCH_DAYS {
            let (openings, _) = self.openings(date);
            match openings.last() {
                Some((_, close)) if left == 0 => return Some((*close, passed)),
                Some(_) => left -= 1,
                None => {
                    if let Some(why) = self.closed(date) {
                        passed.push((date, why));
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// The days between the local days of `from` and `to` (inclusive) that have no open
    /// hours, and why.
    pub fn closed_between(&self, from: Timestamp, to: Timestamp) -> Vec<(Date, Closed)> {
        let mut out = Vec::new();
        let (mut date, last) = (self.date_of(from), self.date_of(to));
        while date <= last {
            if let Some(why) = self.closed(date) {
                out.push((date, why));
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A calendar of `hours` in `zone`, with the holidays of `country` and `region`.
    pub(crate) fn calendar(
        hours: &str,
        zone: &str,
        country: Option<&str>,
        region: Option<&str>,
    ) -> Calendar {
        Calendar {
            zone: TimeZone::get(zone).unwrap(),
            zone_name: zone.to_string(),
            hours: WeeklyHours::parse(hours).unwrap(),
            country: country.map(str::to_string),
            region: region.map(str::to_string),
            days_off: Vec::new(),
        }
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn after_hours_and_on_weekends_the_next_opening_is_monday_morning() {
        let cal = calendar("Mo-Fr 09:00-17:00", "America/New_York", None, None);

        // Friday 18:00 EST → Monday 09:00 EST.
        let friday_evening = at("2027-01-08T23:00:00Z");
        assert_eq!(
            cal.next_open(friday_evening).unwrap().to_string(),
            "2027-01-11T14:00:00Z"
        );
        // Inside hours: now.
        let tuesday_noon = at("2027-01-12T17:00:00Z");
        assert_eq!(cal.next_open(tuesday_noon).unwrap(), tuesday_noon);
    }

    #[test]
    fn open_time_is_real_time_across_the_change_of_clocks() {
        let cal = calendar("Mo-Su 00:00-24:00", "Europe/Berlin", None, None);
        let day = |d: &str| {
            let (open, _) = cal.openings(d.parse().unwrap());
            open.iter()
                .map(|(a, b)| b.duration_since(*a).as_hours())
                .sum::<i64>()
        };

        assert_eq!(day("2027-03-28"), 23, "clocks go forward");
        assert_eq!(day("2027-10-31"), 25, "clocks go back");
        assert_eq!(day("2027-06-01"), 24);
    }

    #[test]
    fn a_local_time_that_does_not_exist_opens_at_the_change_of_clocks() {
        // 2027-03-14: New York's clocks jump from 02:00 to 03:00.
        let cal = calendar("Su 02:30-04:00", "America/New_York", None, None);

        let (open, skipped) = cal.openings("2027-03-14".parse().unwrap());

        assert_eq!(
            open,
            [(at("2027-03-14T07:00:00Z"), at("2027-03-14T08:00:00Z"))]
        );
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].taken_as, at("2027-03-14T07:00:00Z"));
    }

    #[test]
    fn a_budget_runs_over_closed_days_and_holidays() {
        let cal = calendar(
            "Mo-Fr 09:00-17:00; PH off",
            "America/New_York",
            Some("US"),
            None,
        );
        // Wednesday before Thanksgiving 2027, 15:00 EST; 4 business hours.
        let start = at("2027-11-24T20:00:00Z");

        let due = cal.add_open(start, SignedDuration::from_hours(4)).unwrap();

        // 2 h on Wednesday; Thursday is Thanksgiving; 2 h into Friday: 11:00 EST.
        assert_eq!(due.to_string(), "2027-11-26T16:00:00Z");
        assert_eq!(cal.open_between(start, due), SignedDuration::from_hours(4));
        let closed = cal.closed_between(start, due);
        assert_eq!(
            closed,
            [(
                "2027-11-25".parse().unwrap(),
                Closed::Holiday("Thanksgiving".into())
            )]
        );
    }

    #[test]
    fn a_day_off_closes_the_calendar_like_a_holiday() {
        let mut cal = calendar("Mo-Fr 09:00-17:00", "Europe/Berlin", None, None);
        cal.days_off = vec![("2027-06-07".parse().unwrap(), "2027-06-11".parse().unwrap())];

        let next = cal.next_open(at("2027-06-07T08:00:00Z")).unwrap();

        assert_eq!(next.to_string(), "2027-06-14T07:00:00Z");
    }
}
