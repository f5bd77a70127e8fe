//! What one accepted row becomes: a [`ProspectRecord`] with, for every field, the raw text
//! of the file and the normalised value that `leadgate-core`'s types made of it. A value
//! that does not normalise keeps its raw text, has no normalised value, and leaves a
//! [`RowWarning`] naming the field and the column; it never rejects the row.

use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;
use leadgate_core::discovery::normalize::{
    CompanyName, CountryCode, Domain, Email, LinkedInUrl, PersonName, Phone,
};
use leadgate_core::icp::{Department, Seniority};

use super::columns::Field;

/// A field's text as the file had it (trimmed), and its normalised value: `None` when the
/// text did not normalise (the row's warnings say why).
#[derive(Debug, Clone, PartialEq)]
pub struct Value<T> {
    pub raw: String,
    pub value: Option<T>,
}

impl<T> Value<T> {
    /// The normalised value, if the raw text gave one.
    pub fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }
}

/// One accepted row of an export.
#[derive(Debug, Clone, PartialEq)]
pub struct ProspectRecord {
    /// 1-based data row: the header is row 0, blank lines are not rows, and a quoted field
    /// with line breaks does not start a new row (the row number a spreadsheet shows, less
    /// one for the header, when the file has no blank lines).
    pub row: u64,
    /// 1-based physical line of the file where the row starts.
    pub line: u64,
    /// The source's own id for the record (Apollo contact id, HubSpot record id, …).
    pub source_record_id: Option<String>,
    /// When the data was observed: the row's own date when the file has one and it reads,
    /// else the caller's default.
    pub observed_at: Option<Timestamp>,
    /// `observed_at` came from the row, not from the caller's default.
    pub observed_in_row: bool,
    pub person: PersonFields,
    pub company: CompanyFields,
    /// Non-empty values of the columns no field took, with their column names.
    pub extra: Vec<(Arc<str>, String)>,
    pub warnings: Vec<RowWarning>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonFields {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub full_name: Option<String>,
    /// From the given and family names when the file splits them, else from the full name.
    pub name: Option<PersonName>,
    pub email: Option<Value<Email>>,
    pub phone: Option<Value<Phone>>,
    pub mobile_phone: Option<Value<Phone>>,
    pub title: Option<String>,
    pub seniority: Option<Seniority>,
    pub department: Option<Department>,
    pub linkedin: Option<Value<LinkedInUrl>>,
    pub city: Option<String>,
    pub region: Option<String>,
    /// A free-text location as the file gave it ("Toronto, Ontario, Canada").
    pub location: Option<String>,
    pub country: Option<Value<CountryCode>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompanyFields {
    pub name: Option<Value<CompanyName>>,
    /// From the company-domain column, else from the website.
    pub domain: Option<Value<Domain>>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<Value<Range>>,
    /// Annual revenue, in the file's currency units.
    pub revenue: Option<Value<Range>>,
    pub technologies: Vec<String>,
    pub phone: Option<Value<Phone>>,
    pub country: Option<Value<CountryCode>>,
    pub linkedin_url: Option<String>,
}

/// Something in a row that did not read as it should; the row is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowWarning {
    /// The field, when the warning is about one value.
    pub field: Option<Field>,
    /// The column the value came from.
    pub column: Option<Arc<str>>,
    pub message: String,
}

impl fmt::Display for RowWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.field, &self.column) {
            (Some(field), Some(column)) => write!(f, "{field} (column {column:?}): ")?,
            (Some(field), None) => write!(f, "{field}: ")?,
            _ => {}
        }
        f.write_str(&self.message)
    }
}

/// A count or an amount that exports give as a number ("1,234", "5400000", "$5.4M") or a
/// range ("51-200", "10001+", "$10M - $50M"). `max` is `None` for an open range; a single
/// number has `min == max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub min: u64,
    pub max: Option<u64>,
}

impl Range {
    /// The middle of a closed range; the lower bound of an open one.
    pub fn midpoint(self) -> u64 {
        match self.max {
            Some(max) => self.min + (max - self.min) / 2,
            None => self.min,
        }
    }

    /// Reads a number or range: thousands separators (`,` `.` `'` and spaces between digit
    /// groups), a currency sign, the suffixes K, M, B (and "mil", "bn"), and `-`, `–` or
    /// "to" between the bounds; a trailing `+` is open-ended.
    pub fn parse(text: &str) -> Result<Range, &'static str> {
        let text = text.trim();
        // Most values are plain digits ("48", "5400000").
        if (1..=19).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
            let n = text.parse().map_err(|_| "not a number")?;
            return Ok(Range {
                min: n,
                max: Some(n),
            });
        }
        if let Some(open) = text.strip_suffix('+') {
            let min = parse_amount(open)?;
            return Ok(Range { min, max: None });
        }
        let parts: Vec<&str> = if let Some((a, b)) = text.split_once(" to ") {
            vec![a, b]
        } else {
            split_range(text)
        };
        match parts.as_slice() {
            [one] => {
                let n = parse_amount(one)?;
                Ok(Range {
                    min: n,
                    max: Some(n),
                })
            }
            [a, b] => {
                let (mut min, max) = (parse_amount(a)?, parse_amount(b)?);
                // "$10-50M": the suffix of the upper bound applies to both.
                if min < max && max >= 1000 && min < 1000 && !has_suffix(a) && has_suffix(b) {
                    min *= suffix_factor(b);
                }
                if min > max {
                    return Err("the lower bound is above the upper bound");
                }
                Ok(Range {
                    min,
                    max: Some(max),
                })
            }
            _ => Err("not a number or a range"),
        }
    }
}

fn split_range(text: &str) -> Vec<&str> {
    // A leading minus is not a range; `-` and `–` between two bounds are.
    let start = text.chars().next().map_or(0, char::len_utf8);
    for sep in ['–', '—', '-'] {
        if let Some(i) = text[start..].find(sep) {
            let i = i + start;
            return vec![&text[..i], &text[i + sep.len_utf8()..]];
        }
    }
    vec![text]
}

fn has_suffix(text: &str) -> bool {
    suffix_factor(text) != 1
}

fn suffix_factor(text: &str) -> u64 {
    let lower = text.trim().to_ascii_lowercase();
    let letters: String = lower
        .trim_end_matches('.')
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    match letters.as_str() {
        "k" | "thousand" => 1_000,
        "m" | "mm" | "mil" | "mn" | "million" => 1_000_000,
        "b" | "bn" | "billion" => 1_000_000_000,
        _ => 1,
    }
}

fn parse_amount(text: &str) -> Result<u64, &'static str> {
    let t = text
        .trim()
        .trim_start_matches(['$', '€', '£', '¥'])
        .trim_start_matches("USD")
        .trim_start_matches("EUR")
        .trim();
    let factor = suffix_factor(t);
    let number = t.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '.' || c == ' ');
    if number.is_empty() {
        return Err("no digits");
    }
    if !number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '\'' | ' ' | '\u{a0}'))
    {
        return Err("not a number");
    }
    let (int_part, frac) = split_decimal(number, factor > 1);
    let int: u64 = int_part.parse().map_err(|_| "not a number")?;
    let mut value = int.checked_mul(factor).ok_or("too large")?;
    if !frac.is_empty() && factor > 1 {
        let digits = frac.len().min(9) as u32;
        let f: u64 = frac[..digits as usize]
            .parse()
            .map_err(|_| "not a number")?;
        value += f * factor / 10u64.pow(digits);
    }
    Ok(value)
}

/// The integer digits and the decimal digits of a number with grouping separators. With a
/// suffix ("5.4M", "1,5M") the last `.` or `,` is a decimal point; without one, `,` and `.`
/// followed by exactly three digits are grouping ("1,234", "1.234.567"), and a `.` before
/// other digit counts is a decimal point whose fraction is dropped (`"1234.50"`).
fn split_decimal(number: &str, has_suffix: bool) -> (String, String) {
    let last_sep = number.rfind([',', '.']);
    let (int, frac) = match last_sep {
        Some(i) => {
            let after = &number[i + 1..];
            let decimal = has_suffix || after.chars().filter(char::is_ascii_digit).count() != 3;
            if decimal {
                (&number[..i], after)
            } else {
                (number, "")
            }
        }
        None => (number, ""),
    };
    (
        int.chars().filter(char::is_ascii_digit).collect(),
        frac.chars().filter(char::is_ascii_digit).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(min: u64, max: Option<u64>) -> Range {
        Range { min, max }
    }

    #[test]
    fn headcounts() {
        assert_eq!(Range::parse("51-200"), Ok(r(51, Some(200))));
        assert_eq!(Range::parse("51-200").unwrap().midpoint(), 125);
        assert_eq!(Range::parse("10001+"), Ok(r(10_001, None)));
        assert_eq!(Range::parse("10,001+").unwrap().midpoint(), 10_001);
        assert_eq!(Range::parse("1,234"), Ok(r(1234, Some(1234))));
        assert_eq!(Range::parse("48"), Ok(r(48, Some(48))));
        assert_eq!(Range::parse("11 to 50"), Ok(r(11, Some(50))));
        assert_eq!(Range::parse("1.234.567"), Ok(r(1_234_567, Some(1_234_567))));
    }

    #[test]
    fn revenues() {
        assert_eq!(Range::parse("5400000"), Ok(r(5_400_000, Some(5_400_000))));
        assert_eq!(Range::parse("$5.4M"), Ok(r(5_400_000, Some(5_400_000))));
        assert_eq!(
            Range::parse("$10M - $50M"),
            Ok(r(10_000_000, Some(50_000_000)))
        );
        assert_eq!(Range::parse("$10-50M"), Ok(r(10_000_000, Some(50_000_000))));
        assert_eq!(
            Range::parse("1.2B"),
            Ok(r(1_200_000_000, Some(1_200_000_000)))
        );
        assert_eq!(Range::parse("250K"), Ok(r(250_000, Some(250_000))));
        assert_eq!(Range::parse("1234.50"), Ok(r(1234, Some(1234))));
    }

    #[test]
    fn nonsense_is_refused() {
        assert!(Range::parse("lots").is_err());
        assert!(Range::parse("").is_err());
        assert!(Range::parse("200-51").is_err());
        assert!(Range::parse("-5").is_err());
    }
}
