//! A provider's rate limit as a token bucket: `calls` per `period`, with a burst of at most
//! `calls`. Time comes from the injected [`Clock`] and waits go through the [`Sleeper`], so a
//! test runs a thousand rate-limited calls without waiting (the search connector's clock and
//! sleeper, shared).

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;

use crate::search::{Clock, Sleeper};

/// `calls` per `period`, as written in configuration: `"5/second"`, `"50/minute"`,
/// `"600/hour"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub calls: u32,
    pub period: Duration,
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<RateLimit, String> {
        let bad = || {
            format!(
                "{text:?} is not a rate limit: write calls per second, minute or hour, e.g. \"50/minute\""
            )
        };
        let (calls, unit) = text.split_once('/').ok_or_else(bad)?;
        let calls: u32 = calls.trim().parse().map_err(|_| bad())?;
        if calls == 0 {
            return Err(format!("{text:?} allows no call at all"));
        }
        let period = match unit.trim() {
            "second" | "s" => Duration::from_secs(1),
            "minute" | "min" => Duration::from_secs(60),
            "hour" | "h" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        Ok(RateLimit { calls, period })
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.period.as_secs() {
            1 => "second",
            60 => "minute",
            3600 => "hour",
            s => return write!(f, "{}/{s}s", self.calls),
        };
        write!(f, "{}/{unit}", self.calls)
    }
}

/// The bucket's arithmetic, by timestamps: no clock, no waiting.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    limit: RateLimit,
    tokens: f64,
    at: Option<Timestamp>,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(limit: RateLimit) -> TokenBucket {
        TokenBucket {
            limit,
            tokens: f64::from(limit.calls),
            at: None,
        }
    }

    /// Takes a token at `now`, or says how long until one is there.
    pub fn take(&mut self, now: Timestamp) -> Result<(), Duration> {
        let capacity = f64::from(self.limit.calls);
        let per_token = self.limit.period.as_secs_f64() / capacity;
        if let Some(at) = self.at {
            let elapsed = now.duration_since(at).as_secs_f64().max(0.0);
            self.tokens = (self.tokens + elapsed / per_token).min(capacity);
        }
        self.at = Some(now);
        if self.tokens >= 1.0 - 1e-9 {
            self.tokens = (self.tokens - 1.0).max(0.0);
            Ok(())
        } else {
            let wait = (1.0 - self.tokens) * per_token;
            Err(Duration::from_secs_f64(wait).max(Duration::from_millis(1)))
        }
    }
}

/// A token bucket shared by a provider's concurrent calls, waiting on the injected time.
pub struct Limiter {
    bucket: Mutex<TokenBucket>,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleeper>,
}

impl Limiter {
    pub fn new(limit: RateLimit, clock: Arc<dyn Clock>, sleeper: Arc<dyn Sleeper>) -> Limiter {
        Limiter {
            bucket: Mutex::new(TokenBucket::new(limit)),
            clock,
            sleeper,
        }
    }

    /// Waits until a call may start; the time waited.
    pub async fn acquire(&self) -> Duration {
        let mut waited = Duration::ZERO;
        loop {
            let now = self.clock.now();
            let taken = self
                .bucket
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take(now);
            match taken {
                Ok(()) => return waited,
                Err(wait) => {
                    waited += wait;
                    self.sleeper.sleep(wait).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;

    fn t0() -> Timestamp {
        "2026-12-01T09:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_full_bucket_allows_a_burst_then_one_call_per_interval() {
        let mut bucket = TokenBucket::new("2/second".parse().unwrap());

        assert_eq!(bucket.take(t0()), Ok(()));
        assert_eq!(bucket.take(t0()), Ok(()));
        assert_eq!(bucket.take(t0()), Err(Duration::from_millis(500)));
        let later = t0() + SignedDuration::from_millis(500);
        assert_eq!(bucket.take(later), Ok(()));
        assert!(bucket.take(later).is_err());
    }

    #[test]
    fn rate_limits_read_as_people_write_them() {
        let limit: RateLimit = "50/minute".parse().unwrap();
        assert_eq!((limit.calls, limit.period), (50, Duration::from_secs(60)));
        assert_eq!(limit.to_string(), "50/minute");
        assert!(
            "0/second"
                .parse::<RateLimit>()
                .unwrap_err()
                .contains("no call")
        );
        assert!("fast".parse::<RateLimit>().is_err());
    }

    #[test]
    fn a_thousand_calls_at_ten_a_second_take_a_hundred_seconds_of_fake_time() {
        let mut bucket = TokenBucket::new("10/second".parse().unwrap());
        let mut now = t0();
        for _ in 0..1000 {
            while let Err(wait) = bucket.take(now) {
                now += SignedDuration::try_from(wait).unwrap();
            }
        }
        let elapsed = now.duration_since(t0()).as_secs_f64();
        assert!((98.9..=99.1).contains(&elapsed), "{elapsed}");
    }
}
