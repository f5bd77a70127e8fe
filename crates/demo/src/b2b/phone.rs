//! Telephone numbers for the B2B contact generator: a numbering that never gives two
//! people or two companies the same number (so that a shared number in the output always
//! means a shared line, such as a company's switchboard), mobile ranges per country, and
//! the ways exports write a number: Apollo's international form, and the free forms that
//! people type into a CRM ("(512) 555-0143", "089 1234560", "+49 (0)89 123456-214",
//! "0044 161 496 0123", with or without an extension).
//!
//! North American numbers use the 555 exchange of the city's area codes (overlays
//! included) and British ones start with Ofcom's drama prefixes, as in the demo world, so
//! that few generated numbers could reach a real line; when a range is full, a number
//! falls back to random digits.

use std::collections::HashSet;

use crate::catalog::{City, Country};
use crate::rng::Rng;

/// A number as its plan splits it.
#[derive(Debug, Clone)]
pub(crate) struct Phone {
    pub country: &'static Country,
    /// Area code or mobile prefix without the trunk prefix; "" where the plan has none.
    pub area: String,
    /// The subscriber number.
    pub sub: String,
    /// Where a German-style extension starts in `sub` ("123456-214"); 0 for none.
    pub ext_at: usize,
}

impl Phone {
    fn nanp(&self) -> bool {
        self.country.calling_code == "1"
    }

    /// "+15125550143"
    pub(crate) fn e164(&self) -> String {
        format!("+{}{}{}", self.country.calling_code, self.area, self.sub)
    }

    /// "+1 512-555-0143", "+49 89 123456-214", "+91 98765 43210".
    pub(crate) fn international(&self) -> String {
        if self.nanp() {
            let (a, b) = self.sub.split_at(3.min(self.sub.len()));
            return format!("+1 {}-{a}-{b}", self.area);
        }
        let sub = self.grouped();
        if self.area.is_empty() {
            format!("+{} {sub}", self.country.calling_code)
        } else {
            format!("+{} {} {sub}", self.country.calling_code, self.area)
        }
    }

    /// "(512) 555-0143", "089 123456-214", "6123 4567".
    pub(crate) fn national(&self) -> String {
        if self.nanp() {
            let (a, b) = self.sub.split_at(3.min(self.sub.len()));
            return format!("({}) {a}-{b}", self.area);
        }
        let sub = self.grouped();
        if self.area.is_empty() {
            sub
        } else {
            format!("{}{} {sub}", self.country.trunk, self.area)
        }
    }

    /// How Apollo exports a number: its international form, now and then in E.164 or
    /// with the apostrophe that keeps a spreadsheet from reading it as a formula.
    pub(crate) fn apollo(&self, rng: &mut Rng) -> String {
        match rng.below(100) {
            0..=79 => self.international(),
            80..=91 => self.e164(),
            _ => format!("'{}", self.international()),
        }
    }

    /// The ways people type a number into a CRM.
    pub(crate) fn typed(&self, rng: &mut Rng) -> String {
        let nanp = self.nanp();
        let cc = self.country.calling_code;
        match rng.below(100) {
            0..=29 => self.international(),
            30..=64 => self.national(),
            65..=74 => self.e164(),
            75..=84 if nanp => {
                let (a, b) = self.sub.split_at(3.min(self.sub.len()));
                format!("{}.{a}.{b}", self.area)
            }
            75..=84 if self.country.trunk == "0" && !self.area.is_empty() => {
                format!("+{cc} (0){} {}", self.area, self.grouped())
            }
            85..=92 if nanp => {
                let (a, b) = self.sub.split_at(3.min(self.sub.len()));
                format!("1-{}-{a}-{b}", self.area)
            }
            85..=92 => format!("00{cc} {} {}", self.area, self.sub).replace("  ", " "),
            _ => {
                let digits: String = self
                    .national()
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                digits
            }
        }
    }

    /// A switchboard number typed with the person's extension after it.
    pub(crate) fn typed_with_extension(&self, extension: u16, rng: &mut Rng) -> String {
        let number = self.typed(rng);
        match rng.below(3) {
            0 => format!("{number} ext. {extension}"),
            1 => format!("{number} x{extension}"),
            _ => format!("{number} ext {extension}"),
        }
    }

    fn grouped(&self) -> String {
        if self.ext_at > 0 {
            let (base, ext) = self.sub.split_at(self.ext_at);
            return format!("{base}-{ext}");
        }
        let s = self.sub.as_str();
        match s.len() {
            6 => format!("{} {}", &s[..3], &s[3..]),
            7 => format!("{} {}", &s[..3], &s[3..]),
            8 => format!("{} {}", &s[..4], &s[4..]),
            9 => format!("{} {} {}", &s[..3], &s[3..6], &s[6..]),
            10 => format!("{} {}", &s[..5], &s[5..]),
            _ => s.to_string(),
        }
    }
}

/// Hands out numbers and remembers them: no two calls return numbers whose last nine
/// digits agree, so two numbers that look alike after any formatting are the same line.
pub(crate) struct Numbering {
    used: HashSet<u64>,
}

/// Tries at the realistic (fictional) range before a number falls back to random digits.
const TRIES: usize = 24;

impl Numbering {
    pub(crate) fn new() -> Numbering {
        Numbering {
            used: HashSet::new(),
        }
    }

    /// A direct line in the city's area.
    pub(crate) fn landline(
        &mut self,
        rng: &mut Rng,
        country: &'static Country,
        city: &City,
    ) -> Phone {
        let (prefix, random) = template(city.number);
        let area = area_code(rng, country, city);
        self.unique(rng, country, area, &prefix, random, "")
    }

    /// A company's main number: it ends in 0 (German ones in -0, with direct lines as
    /// extensions of the same base).
    pub(crate) fn switchboard(
        &mut self,
        rng: &mut Rng,
        country: &'static Country,
        city: &City,
    ) -> Phone {
        let (prefix, random) = template(city.number);
        let area = area_code(rng, country, city);
        if country.code == "DE" {
            let mut phone = self.unique(rng, country, area, &prefix, random.saturating_sub(2), "0");
            phone.ext_at = phone.sub.len() - 1;
            return phone;
        }
        self.unique(rng, country, area, &prefix, random.saturating_sub(1), "0")
    }

    /// A direct line that is an extension of a German switchboard ("123456-214"), or an
    /// ordinary direct line elsewhere.
    pub(crate) fn direct(&mut self, rng: &mut Rng, board: &Phone, city: &City) -> Phone {
        if board.ext_at == 0 {
            return self.landline(rng, board.country, city);
        }
        let base = &board.sub[..board.ext_at];
        for _ in 0..TRIES {
            let ext = rng.range(10, 999).to_string();
            let phone = Phone {
                country: board.country,
                area: board.area.clone(),
                sub: format!("{base}{ext}"),
                ext_at: board.ext_at,
            };
            if self.claim(&phone) {
                return phone;
            }
        }
        self.landline(rng, board.country, city)
    }

    /// A mobile number in the country's mobile ranges.
    pub(crate) fn mobile(
        &mut self,
        rng: &mut Rng,
        country: &'static Country,
        city: &City,
    ) -> Phone {
        let (area, prefix, random): (String, String, usize) = match country.code {
            "US" | "CA" => (area_code(rng, country, city).to_string(), "555".into(), 4),
            "GB" => ("7700".into(), "9".into(), 5),
            "IE" => (
                format!("8{}", rng.pick(&["3", "5", "6", "7", "9"])),
                String::new(),
                7,
            ),
            "DE" => (
                rng.pick(&[
                    "151", "152", "160", "170", "171", "172", "176", "177", "179",
                ])
                .to_string(),
                String::new(),
                7,
            ),
            "NL" | "ES" => ("6".into(), String::new(), 8),
            "FR" => (rng.pick(&["6", "7"]).to_string(), String::new(), 8),
            "SE" => (
                rng.pick(&["70", "72", "73", "76"]).to_string(),
                String::new(),
                7,
            ),
            "DK" => (
                String::new(),
                rng.pick(&["2", "3", "4", "5"]).to_string(),
                7,
            ),
            "AU" => ("4".into(), String::new(), 8),
            "IN" => (String::new(), rng.pick(&["9", "8", "7"]).to_string(), 9),
            "IT" => (format!("3{}", rng.range(20, 49)), String::new(), 7),
            "PL" => (
                String::new(),
                rng.pick(&["5", "6", "7", "8"]).to_string(),
                8,
            ),
            "BR" => (city.area.to_string(), "9".into(), 8),
            "SG" => (String::new(), rng.pick(&["8", "9"]).to_string(), 7),
            _ => return self.landline(rng, country, city),
        };
        self.unique(rng, country, &area, &prefix, random, "")
    }

    fn unique(
        &mut self,
        rng: &mut Rng,
        country: &'static Country,
        area: &str,
        prefix: &str,
        random: usize,
        suffix: &str,
    ) -> Phone {
        let mut attempt = 0;
        loop {
            // After many collisions the fixed prefix goes: the fictional ranges are small.
            let (prefix, random) = if attempt < TRIES {
                (prefix, random)
            } else {
                ("", prefix.len() + random)
            };
            let mut sub = String::with_capacity(prefix.len() + random + suffix.len());
            sub.push_str(prefix);
            for i in 0..random {
                // A subscriber number does not start with 0 or 1.
                let d = if i == 0 && prefix.is_empty() {
                    2 + rng.below(8)
                } else {
                    rng.below(10)
                };
                sub.push(char::from(b'0' + d as u8));
            }
            sub.push_str(suffix);
            let phone = Phone {
                country,
                area: area.to_string(),
                sub,
                ext_at: 0,
            };
            if self.claim(&phone) {
                return phone;
            }
            attempt += 1;
        }
    }

    fn claim(&mut self, phone: &Phone) -> bool {
        self.used.insert(last_nine(&phone.e164()))
    }
}

/// One of the city's area codes: North American cities have overlays, and the 555
/// exchange of one area code holds only 10,000 numbers.
fn area_code(rng: &mut Rng, country: &Country, city: &City) -> &'static str {
    if country.calling_code != "1" {
        return city.area;
    }
    let overlays: &[&'static str] = match city.area {
        "512" => &["737"],
        "415" => &["628"],
        "212" => &["646", "917", "332"],
        "617" => &["857"],
        "312" => &["872", "773"],
        "303" => &["720"],
        "206" => &["564"],
        "404" => &["470", "678"],
        "919" => &["984"],
        "801" => &["385"],
        "612" => &["952", "763"],
        "305" => &["786"],
        "416" => &["647", "437"],
        "604" => &["778", "236"],
        "514" => &["438"],
        "613" => &["343"],
        "403" => &["587", "825"],
        "519" => &["226", "548"],
        _ => &[],
    };
    let i = rng.index(overlays.len() + 1);
    if i == 0 { city.area } else { overlays[i - 1] }
}

/// The last nine digits of a number, the part that survives every way of writing it.
fn last_nine(number: &str) -> u64 {
    let digits: Vec<u8> = number.bytes().filter(u8::is_ascii_digit).collect();
    let start = digits.len().saturating_sub(9);
    digits[start..]
        .iter()
        .fold(0, |acc, d| acc * 10 + u64::from(d - b'0'))
}

/// The catalog's subscriber pattern ("55501##") as a fixed prefix of at most three digits
/// and a count of random digits ("555", 4): the catalog's fictional ranges hold only a
/// hundred numbers, a contact base needs thousands.
fn template(pattern: &str) -> (String, usize) {
    let fixed: String = pattern
        .chars()
        .take_while(char::is_ascii_digit)
        .take(3)
        .collect();
    (fixed.clone(), pattern.len() - fixed.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::COUNTRIES;

    fn country(code: &str) -> &'static Country {
        COUNTRIES.iter().find(|c| c.code == code).unwrap()
    }

    #[test]
    fn formats_follow_the_national_plans() {
        let us = country("US");
        let phone = Phone {
            country: us,
            area: "512".into(),
            sub: "5550143".into(),
            ext_at: 0,
        };
        assert_eq!(phone.international(), "+1 512-555-0143");
        assert_eq!(phone.national(), "(512) 555-0143");
        assert_eq!(phone.e164(), "+15125550143");
        let de = Phone {
            country: country("DE"),
            area: "89".into(),
            sub: "123456214".into(),
            ext_at: 6,
        };
        assert_eq!(de.international(), "+49 89 123456-214");
        assert_eq!(de.national(), "089 123456-214");
    }

    #[test]
    fn numbers_never_repeat() {
        let mut numbering = Numbering::new();
        let mut rng = Rng::new(5);
        let us = country("US");
        let city = &us.cities[0];
        let mut seen = HashSet::new();
        // Far more numbers than the 555 range of one area code holds.
        for _ in 0..20_000 {
            assert!(seen.insert(numbering.landline(&mut rng, us, city).e164()));
        }
    }

    #[test]
    fn german_direct_lines_extend_the_switchboard() {
        let mut numbering = Numbering::new();
        let mut rng = Rng::new(9);
        let de = country("DE");
        let city = &de.cities[1];
        let board = numbering.switchboard(&mut rng, de, city);
        let direct = numbering.direct(&mut rng, &board, city);
        assert!(board.sub.ends_with('0'));
        assert_eq!(board.sub[..board.ext_at], direct.sub[..direct.ext_at]);
        assert_ne!(board.e164(), direct.e164());
    }

    #[test]
    fn last_nine_digits_ignore_formatting() {
        assert_eq!(last_nine("+1 (512) 555-0143"), 125_550_143);
        assert_eq!(last_nine("512.555.0143"), 125_550_143);
    }
}
