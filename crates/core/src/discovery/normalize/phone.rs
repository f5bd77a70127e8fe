//! Phone numbers in E.164 form (`+14165550171`), read with Google's libphonenumber
//! metadata (the `phonenumber` crate): national formats are read in the default region the
//! caller names (the contact's country, or the workspace's), international ones anywhere.
//! Plain numbers (digits, spaces, `-`, `.`, parentheses, a leading `+`) are read by
//! [`phone_fast`] without the library's regexes, with the library's result; the rest by
//! the library.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use phonenumber::Mode;

use super::{CountryCode, ParseError, phone_fast};

/// A phone number in E.164: `+`, the country calling code and the national number, digits
/// only. Extensions are dropped: they do not identify a line across sources.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    /// Reads a number as people type it: `'+1 416-555-0171` (with Excel's apostrophe),
    /// `(512) 555-0143`, `0049 30 1234567`, `+44 (0)20 7946 0123`, `93 566 0108 ext. 12`.
    /// A number without a country code is read in `default_region`; without one it must
    /// start with `+` or `00`.
    pub fn parse(text: &str, default_region: Option<CountryCode>) -> Result<Phone, ParseError> {
        let err = |reason| ParseError::new("phone number", text, reason);
        let trimmed = text.trim().trim_start_matches(['\'', '"', '=']).trim();
        let digits = trimmed.chars().filter(char::is_ascii_digit).count();
        if digits < 5 {
            return Err(err("fewer than 5 digits"));
        }
        if digits > 20 {
            return Err(err("more than 20 digits"));
        }
        if trimmed
            .chars()
            .any(|c| c.is_alphabetic() && !is_extension_letter(c))
        {
            return Err(err("letters in the number"));
        }
        let international = trimmed.starts_with('+') || trimmed.starts_with("00");
        let region = match default_region {
            Some(code) => phonenumber::country::Id::from_str(code.as_str()).ok(),
            None if international => None,
            None => return Err(err("no country code and no default region")),
        };
        let input = match trimmed.strip_prefix("00") {
            Some(rest) => Cow::Owned(format!("+{rest}")),
            None => Cow::Borrowed(trimmed),
        };
        let e164 = match phone_fast::parse(&input, region) {
            Some(e164) => e164,
            None => phonenumber::parse(region, &input)
                .map_err(|_| err("not a phone number"))?
                .format()
                .mode(Mode::E164)
                .to_string(),
        };
        if !(8..=16).contains(&e164.len()) {
            return Err(err("not a phone number"));
        }
        Ok(Phone(e164))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_extension_letter(c: char) -> bool {
    "extEXTnN.".contains(c)
}

impl AsRef<str> for Phone {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn us() -> Option<CountryCode> {
        Some(CountryCode::parse("US").unwrap())
    }

    #[test]
    fn common_formats_become_e164() {
        let de = Some(CountryCode::parse("DE").unwrap());
        let es = Some(CountryCode::parse("ES").unwrap());
        for (input, region, want) in [
            ("'+1 416-555-0171", None, "+14165550171"),
            ("(512) 555-0143", us(), "+15125550143"),
            ("512.555.0143 ext. 12", us(), "+15125550143"),
            ("+44 (0)20 7946 0123", None, "+442079460123"),
            ("0049 30 1234567", None, "+49301234567"),
            ("030 1234567", de, "+49301234567"),
            ("93 566 0108", es, "+34935660108"),
            ("+35391708566", us(), "+35391708566"),
        ] {
            assert_eq!(
                Phone::parse(input, region).unwrap().as_str(),
                want,
                "{input}"
            );
        }
    }

    #[test]
    fn what_is_not_a_number_says_why() {
        assert_eq!(
            Phone::parse("123", us()).unwrap_err().reason,
            "fewer than 5 digits"
        );
        assert_eq!(
            Phone::parse("call me 5125550143", us()).unwrap_err().reason,
            "letters in the number"
        );
        assert_eq!(
            Phone::parse("512 555 0143", None).unwrap_err().reason,
            "no country code and no default region"
        );
    }

    proptest! {
        #[test]
        fn normalising_twice_changes_nothing(n in 2_000_000_000u64..9_999_999_999) {
            if let Ok(phone) = Phone::parse(&n.to_string(), us()) {
                prop_assert_eq!(Phone::parse(phone.as_str(), None).unwrap(), phone);
            }
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,30}") {
            let _ = Phone::parse(&text, us());
        }
    }
}
