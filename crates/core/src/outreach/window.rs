//! When a touch goes: a step's delay counts business days (Monday to Friday) in the
//! prospect's time zone, and an e-mail goes only inside the send window there — 09:00 to
//! 17:00 on a weekday by default — at a minute spread by a jitter the message's own key
//! decides, so that a batch does not leave at one instant and the same message always gets
//! the same minute. Time is always a parameter.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, Zoned};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The hours e-mail goes out in the prospect's time zone, and the most it is spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SendWindow {
    /// The first hour of the window (0–23), local to the prospect.
    pub start_hour: i8,
    /// The hour the window closes (1–24).
    pub end_hour: i8,
    /// Up to how many minutes a message is spread after its due time.
    pub jitter_minutes: i64,
}

impl Default for SendWindow {
    fn default() -> Self {
        SendWindow {
            start_hour: 9,
            end_hour: 17,
            jitter_minutes: 45,
        }
    }
}

/// Whether a day is a business day: Monday to Friday. (Public holidays come with stage 5's
/// calendars.)
pub fn is_business_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The day `days` business days after `date` (0: `date` itself, moved to the next business
/// day if it is not one).
pub fn add_business_days(date: Date, days: u32) -> Date {
    let mut day = date;
    while !is_business_day(day) {
        day = day.tomorrow().unwrap_or(day);
    }
    let mut left = days;
    while left > 0 {
        day = day.tomorrow().unwrap_or(day);
        if is_business_day(day) {
            left -= 1;
        }
    }
    day
}

/// The time zone of a prospect's country (ISO 3166 alpha-2), for the countries with one
/// zone or a clear business centre; `None` for the rest (the workspace's zone is used).
pub fn country_zone(country: &str) -> Option<&'static str> {
    let zone = match country.trim().to_ascii_uppercase().as_str() {
        "GB" | "UK" => "Europe/London",
        "IE" => "Europe/Dublin",
        "PT" => "Europe/Lisbon",
        "FR" => "Europe/Paris",
        "DE" => "Europe/Berlin",
        "NL" => "Europe/Amsterdam",
        "BE" => "Europe/Brussels",
        "LU" => "Europe/Luxembourg",
        "CH" => "Europe/Zurich",
        "AT" => "Europe/Vienna",
        "IT" => "Europe/Rome",
        "ES" => "Europe/Madrid",
        "DK" => "Europe/Copenhagen",
        "SE" => "Europe/Stockholm",
        "NO" => "Europe/Oslo",
        "FI" => "Europe/Helsinki",
        "PL" => "Europe/Warsaw",
        "CZ" => "Europe/Prague",
        "EE" => "Europe/Tallinn",
        "GR" => "Europe/Athens",
        "IL" => "Asia/Jerusalem",
        "AE" => "Asia/Dubai",
        "IN" => "Asia/Kolkata",
        "SG" => "Asia/Singapore",
        "JP" => "Asia/Tokyo",
        "NZ" => "Pacific/Auckland",
        // Several zones: the main business centre.
        "US" => "America/New_York",
        "CA" => "America/Toronto",
        "BR" => "America/Sao_Paulo",
        "MX" => "America/Mexico_City",
        "AU" => "Australia/Sydney",
        _ => return None,
    };
    Some(zone)
}

/// The minutes of jitter for the message keyed `key`: the same key, the same minutes.
pub fn jitter(key: &str, window: &SendWindow) -> SignedDuration {
    let span = window.jitter_minutes.max(0);
    if span == 0 {
        return SignedDuration::ZERO;
    }
    let hash = Sha256::digest(key.as_bytes());
    let n = u64::from_be_bytes([
        hash[0], hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7],
    ]);
    SignedDuration::from_mins((n % (span as u64 + 1)) as i64)
}

/// The first moment at or after `at` inside the window in `zone`.
pub fn next_opening(at: Timestamp, zone: &TimeZone, window: &SendWindow) -> Timestamp {
    let local = at.to_zoned(zone.clone());
    let start = Time::constant(window.start_hour.clamp(0, 23), 0, 0, 0);
    let end_hour = window
        .end_hour
        .clamp(window.start_hour.clamp(0, 23) + 1, 24);
    let inside = is_business_day(local.date())
        && local.time() >= start
        && (end_hour == 24 || local.time() < Time::constant(end_hour, 0, 0, 0));
    if inside {
        return at;
    }
    let mut day = local.date();
    if local.time() >= start {
        day = day.tomorrow().unwrap_or(day);
    }
    let day = add_business_days(day, 0);
    opening_of(day, start, zone).unwrap_or(at)
}

/// The window's opening on `day` in `zone` (a start in a DST gap moves forward).
fn opening_of(day: Date, start: Time, zone: &TimeZone) -> Option<Timestamp> {
    day.to_datetime(start)
        .to_zoned(zone.clone())
        .ok()
        .map(|z: Zoned| z.timestamp())
}

/// When a step goes: `delay_days` business days after `after` (the enrollment, or the step
/// before it went) in the prospect's zone, at the window's opening that day or later, plus
/// the message's jitter (kept inside the window).
pub fn due(
    after: Timestamp,
    delay_days: u32,
    zone: &TimeZone,
    window: &SendWindow,
    key: &str,
) -> Timestamp {
    let base = if delay_days == 0 {
        next_opening(after, zone, window)
    } else {
        let local = after.to_zoned(zone.clone());
        let day = add_business_days(local.date(), delay_days);
        let start = Time::constant(window.start_hour.clamp(0, 23), 0, 0, 0);
        opening_of(day, start, zone).unwrap_or(after)
    };
    let spread = base.saturating_add(jitter(key, window)).unwrap_or(base);
    // Jitter never pushes a message past the window's close: it waits for the next opening.
    next_opening(spread, zone, window)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    const NO_JITTER: SendWindow = SendWindow {
        start_hour: 9,
        end_hour: 17,
        jitter_minutes: 0,
    };

    #[test]
    fn business_days_skip_the_weekend() {
        let friday = jiff::civil::date(2027, 3, 5);
        assert_eq!(add_business_days(friday, 1), jiff::civil::date(2027, 3, 8));
        assert_eq!(add_business_days(friday, 0), friday);
        let saturday = jiff::civil::date(2027, 3, 6);
        assert_eq!(
            add_business_days(saturday, 0),
            jiff::civil::date(2027, 3, 8)
        );
        assert_eq!(
            add_business_days(saturday, 2),
            jiff::civil::date(2027, 3, 10)
        );
    }

    #[test]
    fn an_email_waits_for_the_window_in_the_prospects_zone() {
        let berlin = zone("Europe/Berlin");
        // 07:30 UTC on a Monday is 08:30 in Berlin: it waits for 09:00 there.
        assert_eq!(
            next_opening(at("2027-03-01T07:30:00Z"), &berlin, &NO_JITTER),
            at("2027-03-01T08:00:00Z")
        );
        // Inside the window: at once.
        assert_eq!(
            next_opening(at("2027-03-01T10:00:00Z"), &berlin, &NO_JITTER),
            at("2027-03-01T10:00:00Z")
        );
        // Friday 17:30 in New York: Monday 09:00 there.
        assert_eq!(
            next_opening(
                at("2027-03-05T22:30:00Z"),
                &zone("America/New_York"),
                &NO_JITTER
            ),
            at("2027-03-08T14:00:00Z")
        );
    }

    #[test]
    fn a_follow_up_counts_business_days_and_opens_at_the_window() {
        let london = zone("Europe/London");
        // Sent Thursday 10:00; two business days later is Monday, at 09:00.
        let due = due(
            at("2027-03-04T10:00:00Z"),
            2,
            &london,
            &NO_JITTER,
            "message",
        );
        assert_eq!(due, at("2027-03-08T09:00:00Z"));
    }

    #[test]
    fn jitter_is_the_messages_own_and_stays_inside_the_window() {
        let window = SendWindow::default();
        let utc = TimeZone::UTC;
        let a = jitter("lead-1-step-1", &window);
        assert_eq!(a, jitter("lead-1-step-1", &window));
        let spread: std::collections::BTreeSet<i64> = (0..50)
            .map(|i| jitter(&format!("lead-{i}"), &window).as_mins())
            .collect();
        assert!(spread.len() > 10, "{spread:?}");
        assert!(spread.iter().all(|m| (0..=45).contains(m)));
        // Due at 16:50: a jitter past 17:00 moves to the next morning's opening.
        for i in 0..50 {
            let key = format!("lead-{i}");
            let when = due(at("2027-03-01T16:50:00Z"), 0, &utc, &window, &key);
            let local = when.to_zoned(utc.clone());
            assert!(
                local.hour() >= 9 && local.hour() < 17,
                "{key}: {when} is outside the window"
            );
        }
    }

    #[test]
    fn countries_with_one_business_zone_have_it() {
        assert_eq!(country_zone("de"), Some("Europe/Berlin"));
        assert_eq!(country_zone("US"), Some("America/New_York"));
        assert_eq!(country_zone("ZZ"), None);
        for code in ["GB", "FR", "DE", "US", "AU", "JP", "IN"] {
            assert!(TimeZone::get(country_zone(code).unwrap()).is_ok(), "{code}");
        }
    }
}
