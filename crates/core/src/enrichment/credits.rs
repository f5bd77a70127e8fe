//! Credits: what a provider charges for a call, what a run may spend. Kept in thousandths
//! of a credit, so that a budget of 10 is never exceeded by ten calls at 0.1 that a float
//! would add up to 1.0000000000000002 — or not quite reach.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of credits, to the thousandth. Written and read as a number (`1`, `0.25`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Credits(u64);

impl Credits {
    pub const ZERO: Credits = Credits(0);

    pub const fn whole(credits: u64) -> Credits {
        Credits(credits.saturating_mul(1000))
    }

    pub const fn from_thousandths(thousandths: u64) -> Credits {
        Credits(thousandths)
    }

    pub const fn thousandths(self) -> u64 {
        self.0
    }

    /// A number of credits as people write it: not negative, at most three decimals.
    pub fn from_number(n: f64) -> Result<Credits, String> {
        if !n.is_finite() || n < 0.0 {
            return Err(format!("{n} is not an amount of credits (0 or more)"));
        }
        let thousandths = (n * 1000.0).round();
        if (thousandths - n * 1000.0).abs() > 1e-6 {
            return Err(format!("{n} has more than three decimals"));
        }
        if thousandths > 1e15 {
            return Err(format!("{n} is too large an amount of credits"));
        }
        Ok(Credits(thousandths as u64))
    }

    pub fn saturating_add(self, other: Credits) -> Credits {
        Credits(self.0.saturating_add(other.0))
    }

    pub fn saturating_sub(self, other: Credits) -> Credits {
        Credits(self.0.saturating_sub(other.0))
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// As a number of credits (`0.25`), for a report or an API; exact to the thousandth.
    pub fn as_number(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl fmt::Display for Credits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, part) = (self.0 / 1000, self.0 % 1000);
        if part == 0 {
            write!(f, "{whole}")
        } else {
            let decimals = format!("{part:03}");
            write!(f, "{whole}.{}", decimals.trim_end_matches('0'))
        }
    }
}

impl std::iter::Sum for Credits {
    fn sum<I: Iterator<Item = Credits>>(iter: I) -> Credits {
        iter.fold(Credits::ZERO, Credits::saturating_add)
    }
}

impl Serialize for Credits {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(1000) {
            serializer.serialize_u64(self.0 / 1000)
        } else {
            serializer.serialize_f64(self.0 as f64 / 1000.0)
        }
    }
}

impl<'de> Deserialize<'de> for Credits {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Credits, D::Error> {
        let n = f64::deserialize(deserializer)?;
        Credits::from_number(n).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_tenths_make_exactly_one() {
        let tenth = Credits::from_number(0.1).unwrap();
        let total: Credits = std::iter::repeat_n(tenth, 10).sum();
        assert_eq!(total, Credits::whole(1));
    }

    #[test]
    fn credits_read_and_show_as_people_write_them() {
        assert_eq!(Credits::from_number(2.0).unwrap().to_string(), "2");
        assert_eq!(Credits::from_number(0.25).unwrap().to_string(), "0.25");
        assert!(Credits::from_number(-1.0).is_err());
        assert!(
            Credits::from_number(0.0001)
                .unwrap_err()
                .contains("three decimals")
        );
        let json = serde_json::to_string(&[Credits::whole(3), Credits::from_thousandths(1500)]);
        assert_eq!(json.unwrap(), "[3,1.5]");
        let back: Credits = serde_json::from_str("1.5").unwrap();
        assert_eq!(back, Credits::from_thousandths(1500));
    }
}
