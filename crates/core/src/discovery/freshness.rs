//! Facts age: a title or an e-mail address observed a year ago is often no longer true. This
//! module says how old a fact is and what that means for it, under a [`FreshnessPolicy`]:
//! fresh, stale (flag it for refresh: the 90-day refresh trigger) or expired (contact data
//! left out of lists by default, because mailing a year-old address mostly reaches someone
//! who has moved on, and holding stale personal data sits badly with GDPR's accuracy
//! principle).
//!
//! Age is counted in whole days elapsed, 24-hour days, rounded down: an observation made 90
//! days and 23 hours ago is 90 days old. A fact is stale once its age is *more than*
//! `refresh_after_days` and expired once it is more than `exclude_after_days`; so with the
//! defaults a fact is still fresh on day 90 and stale on day 91, and still stale on day 365
//! and expired on day 366. The day is the policy's unit, so the verdict and the age shown
//! beside it always agree ("observed 91 days ago; refresh after 90"). The clock is a
//! parameter: `now` is passed in.

use serde::{Deserialize, Serialize};

use super::compliance::PolicyError;

const SECONDS_PER_DAY: i64 = 86_400;

/// When facts are refreshed and when contact data is left out (`[discovery.freshness]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FreshnessPolicy {
    /// A fact older than this many days is stale: it stays in use and is flagged for
    /// refresh. Default 90.
    pub refresh_after_days: u32,
    /// Contact data older than this many days is expired: excluded from lists by default.
    /// Default 365. At least `refresh_after_days`.
    pub exclude_after_days: u32,
}

impl Default for FreshnessPolicy {
    fn default() -> Self {
        FreshnessPolicy {
            refresh_after_days: 90,
            exclude_after_days: 365,
        }
    }
}

/// What a fact's age means for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    /// At most `refresh_after_days` old.
    Fresh,
    /// Older than `refresh_after_days`: still used, flagged for refresh.
    Stale,
    /// Older than `exclude_after_days`: contact data is excluded by default.
    Expired,
}

/// The verdict on one observation, with its age and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreshnessCheck {
    pub freshness: Freshness,
    /// Whole days between the observation and `now`; 0 for an observation in the future.
    pub age_days: i64,
    /// "observed 120 days ago; refresh after 90".
    pub reason: String,
}

impl FreshnessCheck {
    /// Whether the fact should be fetched again (stale or expired).
    pub fn needs_refresh(&self) -> bool {
        self.freshness != Freshness::Fresh
    }

    /// Whether contact data resting on this fact is excluded by default.
    pub fn is_expired(&self) -> bool {
        self.freshness == Freshness::Expired
    }
}

impl FreshnessPolicy {
    /// How fresh an observation made at `observed_at` is at `now`.
    ///
    /// An observation after `now` (a source whose clock or export date is off) is fresh
    /// with age 0, and the reason says that it lies in the future: the fact is not
    /// penalised for the file's mistake, but the mistake is visible.
    pub fn check(&self, observed_at: jiff::Timestamp, now: jiff::Timestamp) -> FreshnessCheck {
        let elapsed = now.as_second() - observed_at.as_second();
        if elapsed < 0 {
            return FreshnessCheck {
                freshness: Freshness::Fresh,
                age_days: 0,
                reason: format!(
                    "observed {observed_at}, {} in the future (the source's date is off); \
                     treated as just observed",
                    in_words(-elapsed)
                ),
            };
        }
        let age_days = elapsed / SECONDS_PER_DAY;
        let ago = days(age_days);
        let (freshness, reason) = if age_days > i64::from(self.exclude_after_days) {
            (
                Freshness::Expired,
                format!(
                    "observed {ago} ago; contact data is excluded after {}",
                    self.exclude_after_days
                ),
            )
        } else if age_days > i64::from(self.refresh_after_days) {
            (
                Freshness::Stale,
                format!(
                    "observed {ago} ago; refresh after {}",
                    self.refresh_after_days
                ),
            )
        } else {
            (
                Freshness::Fresh,
                format!(
                    "observed {ago} ago; refresh after {}",
                    self.refresh_after_days
                ),
            )
        };
        FreshnessCheck {
            freshness,
            age_days,
            reason,
        }
    }

    /// Checks that the policy makes sense: expiry cannot come before the refresh flag, or
    /// facts would be dropped without ever being flagged for refresh.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.exclude_after_days < self.refresh_after_days {
            return Err(PolicyError::new(
                "exclude_after_days",
                format!(
                    "{} is less than refresh_after_days ({}): contact data would be excluded \
                     before it is flagged for refresh",
                    self.exclude_after_days, self.refresh_after_days
                ),
            ));
        }
        Ok(())
    }
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

fn in_words(seconds: i64) -> String {
    if seconds < SECONDS_PER_DAY {
        "less than a day".to_string()
    } else {
        days(seconds / SECONDS_PER_DAY)
    }
}

#[cfg(test)]
mod tests {
    use jiff::{SignedDuration, Timestamp};
    use proptest::prelude::*;

    use super::*;

    fn now() -> Timestamp {
        "2026-12-01T06:00:00Z".parse().unwrap()
    }

    fn ago(seconds: i64) -> Timestamp {
        now() - SignedDuration::from_secs(seconds)
    }

    const DAY: i64 = SECONDS_PER_DAY;

    #[test]
    fn day_90_is_fresh_and_day_91_is_stale() {
        // Arrange
        let policy = FreshnessPolicy::default();

        // Act
        let last_fresh = policy.check(ago(91 * DAY - 1), now());
        let first_stale = policy.check(ago(91 * DAY), now());

        // Assert
        assert_eq!(last_fresh.freshness, Freshness::Fresh);
        assert_eq!(last_fresh.age_days, 90);
        assert_eq!(last_fresh.reason, "observed 90 days ago; refresh after 90");
        assert_eq!(first_stale.freshness, Freshness::Stale);
        assert_eq!(first_stale.age_days, 91);
        assert_eq!(first_stale.reason, "observed 91 days ago; refresh after 90");
        assert!(first_stale.needs_refresh() && !first_stale.is_expired());
    }

    #[test]
    fn day_365_is_stale_and_day_366_is_expired() {
        let policy = FreshnessPolicy::default();

        let last_stale = policy.check(ago(366 * DAY - 1), now());
        let first_expired = policy.check(ago(366 * DAY), now());

        assert_eq!(last_stale.freshness, Freshness::Stale);
        assert_eq!(last_stale.age_days, 365);
        assert_eq!(first_expired.freshness, Freshness::Expired);
        assert_eq!(
            first_expired.reason,
            "observed 366 days ago; contact data is excluded after 365"
        );
        assert!(first_expired.is_expired() && first_expired.needs_refresh());
    }

    #[test]
    fn an_observation_now_or_a_day_ago_is_fresh() {
        let policy = FreshnessPolicy::default();

        let same_instant = policy.check(now(), now());
        let yesterday = policy.check(ago(DAY), now());

        assert_eq!(same_instant.freshness, Freshness::Fresh);
        assert_eq!(same_instant.reason, "observed 0 days ago; refresh after 90");
        assert_eq!(yesterday.reason, "observed 1 day ago; refresh after 90");
    }

    #[test]
    fn an_observation_in_the_future_is_fresh_with_age_zero_and_says_so() {
        let policy = FreshnessPolicy::default();

        let check = policy.check(ago(-3 * DAY - 5), now());
        let soon = policy.check(ago(-5), now());

        assert_eq!(check.freshness, Freshness::Fresh);
        assert_eq!(check.age_days, 0);
        assert_eq!(
            check.reason,
            "observed 2026-12-04T06:00:05Z, 3 days in the future (the source's date is off); \
             treated as just observed"
        );
        assert!(soon.reason.contains("less than a day in the future"));
    }

    #[test]
    fn a_zero_day_policy_flags_everything_a_day_old() {
        let policy = FreshnessPolicy {
            refresh_after_days: 0,
            exclude_after_days: 0,
        };

        assert_eq!(
            policy.check(ago(DAY - 1), now()).freshness,
            Freshness::Fresh
        );
        assert_eq!(policy.check(ago(DAY), now()).freshness, Freshness::Expired);
    }

    #[test]
    fn policy_reads_from_toml_with_defaults_and_refuses_unknown_keys() {
        let partial: FreshnessPolicy = toml::from_str("refresh_after_days = 30").unwrap();
        assert_eq!(partial.refresh_after_days, 30);
        assert_eq!(partial.exclude_after_days, 365);
        let err = toml::from_str::<FreshnessPolicy>("refresh_days = 30").unwrap_err();
        assert!(err.to_string().contains("refresh_days"), "{err}");
    }

    #[test]
    fn expiry_before_refresh_is_refused_with_the_key() {
        let policy = FreshnessPolicy {
            refresh_after_days: 90,
            exclude_after_days: 30,
        };

        let err = policy.validate().unwrap_err();

        assert_eq!(err.key, "exclude_after_days");
        assert!(err.to_string().contains("30 is less than"), "{err}");
        assert!(FreshnessPolicy::default().validate().is_ok());
    }

    #[test]
    fn verdicts_are_stored_in_snake_case() {
        let check = FreshnessPolicy::default().check(ago(100 * DAY), now());
        let json = serde_json::to_value(&check).unwrap();
        assert_eq!(json["freshness"], "stale");
        assert_eq!(json["age_days"], 100);
    }

    proptest! {
        #[test]
        fn the_verdict_follows_the_whole_day_age(
            elapsed in -1_000 * DAY..2_000 * DAY,
            refresh in 0u32..400,
            extra in 0u32..400,
        ) {
            let policy = FreshnessPolicy { refresh_after_days: refresh, exclude_after_days: refresh + extra };
            let check = policy.check(ago(elapsed), now());
            let age = elapsed.max(0) / DAY;
            prop_assert_eq!(check.age_days, age);
            let want = if age > i64::from(refresh + extra) {
                Freshness::Expired
            } else if age > i64::from(refresh) {
                Freshness::Stale
            } else {
                Freshness::Fresh
            };
            prop_assert_eq!(check.freshness, want);
        }

        #[test]
        fn older_is_never_fresher(a in 0..2_000 * DAY, b in 0..2_000 * DAY) {
            let policy = FreshnessPolicy::default();
            let rank = |f: Freshness| match f { Freshness::Fresh => 0, Freshness::Stale => 1, Freshness::Expired => 2 };
            let (young, old) = (a.min(b), a.max(b));
            prop_assert!(
                rank(policy.check(ago(young), now()).freshness) <= rank(policy.check(ago(old), now()).freshness)
            );
        }
    }
}
