//! Phone numbers in E.164 form (`+14165550171`), read with Google's libphonenumber
//! metadata (the `phonenumber` crate): national formats are read in the default region the
//! caller names (the contact's country, or the workspace's), international ones anywhere.
//! Plain numbers (digits, spaces, `-`, `.`, parentheses, a leading `+`) are read by
//! [`phone_fast`] without the library's regexes, with the library's result; the rest by
//! the library.
//!
//! The library takes a national prefix ("0", "1", "8") off by the rules of the region it is
//! given, even when the number names another country: in the United States "+33 1 23 45 67
//! 89" (Paris) lost its "1", and without a region "+7 800 555 35 35" lost its "8". So a
//! number that carries its country code is read by its own country's rules, whatever the
//! default region, and a result is kept only when reading it again gives it back: what
//! `parse` returns reads as itself. A number of a length no number of its country has
//! ("+7800000": Russian numbers have ten digits) is refused, as libphonenumber's
//! `isPossibleNumber` refuses it.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use phonenumber::Mode;
use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;

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
        let input = match trimmed.strip_prefix("00") {
            Some(rest) => Cow::Owned(format!("+{rest}")),
            None => Cow::Borrowed(trimmed),
        };
        let first = match default_region {
            _ if international => read_international(&input),
            Some(code) => read_national(&input, Id::from_str(code.as_str()).ok()),
            None => return Err(err("no country code and no default region")),
        };
        let e164 = first
            .and_then(settled)
            .ok_or_else(|| err("not a phone number"))?;
        check_length(&e164).map_err(err)?;
        if !(8..=16).contains(&e164.len()) {
            return Err(err("not a phone number"));
        }
        Ok(Phone(e164))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The E.164 form the library gives `input` read in `region`, by the fast path where it
/// answers.
fn read(input: &str, region: Option<Id>) -> Option<String> {
    phone_fast::parse(input, region).or_else(|| {
        let number = phonenumber::parse(region, input).ok()?;
        Some(number.format().mode(Mode::E164).to_string())
    })
}

/// A number written with `+`, by its own country's rules as libphonenumber's reference
/// implementation applies them: a national prefix after the country code ("+44 (0)20 …")
/// is taken off unless the number is valid with it and not without it ("+7 812 …", St
/// Petersburg). The library takes it off whenever the number begins with it, so both
/// readings are made and, where they differ, the valid one kept.
fn read_international(input: &str) -> Option<String> {
    let own = read(input, countries(calling_code(input)?).main);
    if own.as_deref() == Some(input) {
        // E.164 already: read as written it is itself or nothing.
        return own;
    }
    let as_written = read(input, Some(*AS_WRITTEN));
    match (own, as_written) {
        (Some(own), Some(as_written)) if own != as_written => {
            Some(match is_valid(&as_written) && !is_valid(&own) {
                true => as_written,
                false => own,
            })
        }
        (own, as_written) => own.or(as_written),
    }
}

/// A number without `+`, read in the default region. Two readings of the library are
/// corrected by reading the number again as the `+` number it is: one dialled with the
/// region's international prefix ("011 33 1 23 45 67 89" in the United States), which the
/// library reads by the region's rules and not its own country's, and one whose national
/// prefix is followed by the same digits again ("8 812 …" in Russia), which the library
/// takes off twice.
fn read_national(input: &str, region: Option<Id>) -> Option<String> {
    let first = read(input, region)?;
    let Some(meta) = region.and_then(|r| DATABASE.by_id(r.as_ref())) else {
        return Some(first);
    };
    let code = meta.country_code();
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let international = if calling_code(&first) != Some(code) {
        meta.international_prefix()
            .and_then(|idd| idd.find(&digits))
            .filter(|idd| idd.start() == 0)
            .and_then(|idd| after_digits(input, idd.end()))
            .map(|rest| format!("+{rest}"))
    } else {
        meta.national_prefix()
            .filter(|p| {
                digits
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.starts_with(p))
            })
            .and_then(|p| after_digits(input, p.len()))
            .map(|rest| format!("+{code} {rest}"))
    };
    international
        .and_then(|number| read_international(&number))
        .or(Some(first))
}

/// The text after the first `n` digits of `input`.
fn after_digits(input: &str, n: usize) -> Option<&str> {
    match n {
        0 => Some(input),
        n => {
            let (at, c) = input
                .char_indices()
                .filter(|(_, c)| c.is_ascii_digit())
                .nth(n - 1)?;
            Some(&input[at + c.len_utf8()..])
        }
    }
}

/// Whether libphonenumber knows `e164` as a number of some type (fixed line, mobile, …).
fn is_valid(e164: &str) -> bool {
    phonenumber::parse(Some(*AS_WRITTEN), e164).is_ok_and(|n| phonenumber::is_valid(&n))
}

/// A region in whose rules a `+` number reads as written: it has no national prefix, and
/// its international prefix (`00`) cannot begin a country code.
static AS_WRITTEN: LazyLock<Id> = LazyLock::new(|| {
    DATABASE
        .iter()
        .filter(|m| m.national_prefix().is_none() && m.national_prefix_for_parsing().is_none())
        .filter(|m| m.international_prefix().is_some_and(|p| p.as_str() == "00"))
        .filter_map(|m| Id::from_str(m.id()).ok())
        .min_by_key(|id| id.as_ref().to_string())
        .expect("the metadata has regions without a national prefix")
});

/// `e164` once reading it again changes nothing, so that what `parse` returns reads as
/// itself (each round takes off at most one prefix, so a few rounds settle any number);
/// `None` when it does not settle or stops reading.
fn settled(mut e164: String) -> Option<String> {
    for _ in 0..3 {
        let again = read_international(&e164)?;
        if again == e164 {
            return Some(e164);
        }
        e164 = again;
    }
    None
}

/// The country calling code a `+` number begins with: codes are prefix-free, so the first
/// one to three digits that form a code in use.
fn calling_code(international: &str) -> Option<u16> {
    let digits = international.strip_prefix('+')?;
    let mut code = 0u16;
    for c in digits.chars().filter(char::is_ascii_digit).take(3) {
        code = code * 10 + c.to_digit(10)? as u16;
        if code == 0 {
            return None;
        }
        if countries(code).in_use {
            return Some(code);
        }
    }
    None
}

/// Refuses a number whose national part has a length no number of its country has, as
/// libphonenumber's `isPossibleNumber` does (by the lengths of the code's main region).
fn check_length(e164: &str) -> Result<(), &'static str> {
    let code = calling_code(e164).ok_or("not a phone number")?;
    let national = e164.len() - 1 - code.to_string().len();
    match countries(code).lengths.as_slice() {
        [] => Ok(()),
        [shortest, ..] if national < *shortest => Err("too short for a number of its country"),
        [.., longest] if national > *longest => Err("too long for a number of its country"),
        lengths if !lengths.contains(&national) => Err("a length no number of its country has"),
        _ => Ok(()),
    }
}

/// What the metadata says of one country calling code.
struct Countries {
    in_use: bool,
    /// The region whose rules the code's numbers are read by (the United States for +1);
    /// `None` for the non-geographic codes (+800, +882, …).
    main: Option<Id>,
    /// The lengths of the main region's national numbers of any type (fixed line, mobile,
    /// toll free, …), ascending. The metadata leaves the general descriptor's list empty.
    lengths: Vec<usize>,
}

static COUNTRIES: LazyLock<Vec<Countries>> = LazyLock::new(|| {
    (0..1000u16)
        .map(|code| {
            let metas = DATABASE.by_code(&code).unwrap_or_default();
            let mut lengths: Vec<usize> = metas.first().map_or(Vec::new(), |main| {
                let d = main.descriptors();
                [
                    d.fixed_line(),
                    d.mobile(),
                    d.toll_free(),
                    d.premium_rate(),
                    d.shared_cost(),
                    d.personal_number(),
                    d.voip(),
                    d.pager(),
                    d.uan(),
                    d.voicemail(),
                ]
                .into_iter()
                .flatten()
                .flat_map(|d| d.possible_length())
                .map(|&l| usize::from(l))
                .collect()
            });
            lengths.sort_unstable();
            lengths.dedup();
            Countries {
                in_use: !metas.is_empty(),
                main: metas.first().and_then(|m| Id::from_str(m.id()).ok()),
                lengths,
            }
        })
        .collect()
});

fn countries(code: u16) -> &'static Countries {
    &COUNTRIES[usize::from(code)]
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
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, RngSeed, TestRunner};

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

    /// The library takes a national prefix off by the default region's rules: in the United
    /// States "+33 1 …" lost its "1", and in Russia "+7 812 …" its "8".
    #[test]
    fn a_number_reads_by_its_own_countrys_rules_whatever_the_default_region() {
        let ru = Some(CountryCode::parse("RU").unwrap());
        for (input, want) in [
            ("+33 1 23 45 67 89", "+33123456789"),
            ("+44 1632 960000", "+441632960000"),
            ("+36 1 234 5678", "+3612345678"),
            ("+7 812 123 45 67", "+78121234567"),
            ("+7 800 555 35 35", "+78005553535"),
            ("+44 (0)20 7946 0123", "+442079460123"),
        ] {
            for region in [us(), ru, None] {
                let phone = Phone::parse(input, region).unwrap();
                assert_eq!(phone.as_str(), want, "{input} in {region:?}");
            }
        }
        for (input, region, want) in [
            ("011 33 1 23 45 67 89", us(), "+33123456789"),
            ("8 812 123 45 67", ru, "+78121234567"),
            ("8 800 555 35 35", ru, "+78005553535"),
            ("8 (495) 123-45-67", ru, "+74951234567"),
        ] {
            assert_eq!(
                Phone::parse(input, region).unwrap().as_str(),
                want,
                "{input}"
            );
        }
    }

    /// Found by `whatever_reads_is_international_and_reads_back_as_itself`: "+7800000" read
    /// as itself in the United States and as nothing without a region. No Russian number
    /// has six digits.
    #[test]
    fn a_number_no_number_of_its_country_is_as_long_as_is_refused() {
        for (input, region, reason) in [
            ("+7800000", us(), "too short for a number of its country"),
            ("+7800000", None, "too short for a number of its country"),
            ("555-0143", us(), "too short for a number of its country"),
            (
                "+1 512 555 01430",
                None,
                "too long for a number of its country",
            ),
        ] {
            assert_eq!(
                Phone::parse(input, region).unwrap_err().reason,
                reason,
                "{input}"
            );
        }
    }

    /// Text that is mostly a phone number as people type it, in the United States or with
    /// a country code, and now and then any text at all.
    fn number_text() -> impl Strategy<Value = String> {
        let typed = (
            prop::sample::select(vec![
                "", "", "+1 ", "1-", "+44 ", "+44 (0)", "+49 ", "0049 ", "+33 ", "+7 ", "8 ",
                "+353 ", "011 44 ", "+36 ", "'",
            ]),
            "[2-9][0-9]{2}",
            "[ .-]?",
            "[0-9]{3}",
            "[ .-]?",
            "[0-9]{4}",
            "( ext\\. [0-9]{1,4})?",
        )
            .prop_map(|(a, b, c, d, e, f, g)| format!("{a}{b}{c}{d}{e}{f}{g}"));
        prop_oneof![
            1 => "\\PC{0,30}",
            1 => "\\+?[0-9 ()./-]{7,18}",
            4 => typed,
        ]
    }

    #[test]
    fn most_generated_numbers_read() {
        let mut runner = TestRunner::deterministic();
        let strategy = number_text();
        let read = (0..1000)
            .filter(|_| {
                let text = strategy.new_tree(&mut runner).unwrap().current();
                Phone::parse(&text, us()).is_ok()
            })
            .count();
        assert!(read >= 500, "{read} of 1000 generated numbers read");
    }

    proptest! {
        // One seed, so that a run finds what every run finds; PROPTEST_CASES sets how many.
        #![proptest_config(ProptestConfig {
            rng_algorithm: RngAlgorithm::ChaCha,
            rng_seed: RngSeed::Fixed(0x1EAD_6A7E),
            ..ProptestConfig::default()
        })]

        #[test]
        fn normalising_twice_changes_nothing(n in 2_000_000_000u64..9_999_999_999) {
            // Every ten-digit number that does not begin with 0 or 1 is a US number.
            let phone = Phone::parse(&n.to_string(), us()).unwrap();
            prop_assert_eq!(phone.as_str(), format!("+1{n}"));
            prop_assert_eq!(Phone::parse(phone.as_str(), None).unwrap(), phone);
        }

        #[test]
        fn whatever_reads_is_international_and_reads_back_as_itself(text in number_text()) {
            if let Ok(phone) = Phone::parse(&text, us()) {
                prop_assert!(phone.as_str().starts_with('+'), "{}", phone.as_str());
                prop_assert!(phone.as_str()[1..].bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(Phone::parse(phone.as_str(), None).unwrap(), phone.clone());
                let de = Some(CountryCode::parse("DE").unwrap());
                prop_assert_eq!(Phone::parse(phone.as_str(), de).unwrap(), phone);
            }
        }
    }
}
