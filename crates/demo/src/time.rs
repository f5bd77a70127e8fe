//! Date arithmetic and the date formats of the exported files. Dates are computed from the
//! caller's `now` and formatted here with plain integer arithmetic (the proleptic Gregorian
//! calendar, UTC), so that the output never depends on a formatter's version or a time zone
//! database.

use jiff::Timestamp;

pub(crate) const DAY: i64 = 86_400;

/// `now` truncated to whole seconds, the base of every generated date.
pub(crate) fn base_second(now: Timestamp) -> i64 {
    now.as_second()
}

pub(crate) fn at(second: i64) -> Timestamp {
    Timestamp::from_second(second).expect("generated dates stay within jiff's range")
}

/// Days since 1970-01-01 → (year, month, day); Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

struct Parts {
    y: i64,
    mo: u32,
    d: u32,
    h: i64,
    mi: i64,
    s: i64,
}

fn parts(ts: Timestamp) -> Parts {
    let secs = ts.as_second();
    let days = secs.div_euclid(DAY);
    let rem = secs.rem_euclid(DAY);
    let (y, mo, d) = civil_from_days(days);
    Parts {
        y,
        mo,
        d,
        h: rem / 3600,
        mi: rem % 3600 / 60,
        s: rem % 60,
    }
}

/// `2025-03-14`
pub(crate) fn date(ts: Timestamp) -> String {
    let p = parts(ts);
    format!("{:04}-{:02}-{:02}", p.y, p.mo, p.d)
}

/// `2025-03-14 09:31` (HubSpot's export format).
pub(crate) fn date_minutes(ts: Timestamp) -> String {
    let p = parts(ts);
    format!("{:04}-{:02}-{:02} {:02}:{:02}", p.y, p.mo, p.d, p.h, p.mi)
}

/// `2025-03-14T09:31:07Z` (RFC 3339, UTC, whole seconds).
pub(crate) fn rfc3339(ts: Timestamp) -> String {
    let p = parts(ts);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        p.y, p.mo, p.d, p.h, p.mi, p.s
    )
}

/// `2025-03-14T09:31:07+00:00` (Apollo's timestamp columns).
pub(crate) fn rfc3339_offset(ts: Timestamp) -> String {
    let p = parts(ts);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        p.y, p.mo, p.d, p.h, p.mi, p.s
    )
}

/// The second at which the ISO week containing `second` began (Monday 00:00 UTC).
pub(crate) fn week_start(second: i64) -> i64 {
    let days = second.div_euclid(DAY);
    // 1970-01-01 was a Thursday, three days after a Monday.
    let since_monday = (days + 3).rem_euclid(7);
    (days - since_monday) * DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_jiff() {
        for secs in [
            0i64,
            951_782_400,
            1_700_000_000,
            1_709_164_800,
            4_102_444_799,
        ] {
            let ts = at(secs);
            assert_eq!(rfc3339(ts), ts.to_string());
            assert_eq!(date(ts), ts.strftime("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        let monday = week_start(1_700_000_000); // Tue 2023-11-14
        assert_eq!(date(at(monday)), "2023-11-13");
        assert_eq!(week_start(monday), monday);
    }
}
