//! Countries as ISO 3166-1 alpha-2 codes, read from what sources write: a code (`de`,
//! `DEU`), a name in English or the local language ("Germany", "Deutschland"), a common
//! alias ("USA", "UK", "Holland"), or a location string ("Austin, Texas, United States",
//! "Greater Munich Metropolitan Area, Germany", "Austin, TX").

use std::fmt;

use super::ParseError;
use super::fold::fold_words;
use crate::icp::is_country_code;

/// Alpha-3 codes and names (folded: lower case, no diacritics or punctuation) of the
/// countries B2B data mostly holds: the Americas, Europe, the Middle East, Asia–Pacific and
/// the larger African markets. Every assigned alpha-2 code is read too (from
/// [`crate::icp::ISO_COUNTRY_CODES`]); names and alpha-3 codes of the countries not listed
/// here are not.
const COUNTRIES: &[(&str, &str, &[&str])] = &[
    ("AE", "ARE", &["united arab emirates", "uae"]),
    ("AR", "ARG", &["argentina"]),
    ("AT", "AUT", &["austria", "osterreich"]),
    ("AU", "AUS", &["australia"]),
    ("BD", "BGD", &["bangladesh"]),
    ("BE", "BEL", &["belgium", "belgie", "belgique", "belgien"]),
    ("BG", "BGR", &["bulgaria"]),
    ("BR", "BRA", &["brazil", "brasil"]),
    ("CA", "CAN", &["canada"]),
    (
        "CH",
        "CHE",
        &["switzerland", "schweiz", "suisse", "svizzera"],
    ),
    ("CL", "CHL", &["chile"]),
    ("CN", "CHN", &["china", "people s republic of china", "prc"]),
    ("CO", "COL", &["colombia"]),
    ("CR", "CRI", &["costa rica"]),
    ("CY", "CYP", &["cyprus"]),
    ("CZ", "CZE", &["czech republic", "czechia", "cesko"]),
    (
        "DE",
        "DEU",
        &["germany", "deutschland", "allemagne", "alemania"],
    ),
    ("DK", "DNK", &["denmark", "danmark"]),
    ("EE", "EST", &["estonia", "eesti"]),
    ("EG", "EGY", &["egypt"]),
    ("ES", "ESP", &["spain", "espana"]),
    ("FI", "FIN", &["finland", "suomi"]),
    ("FR", "FRA", &["france"]),
    (
        "GB",
        "GBR",
        &[
            "united kingdom",
            "uk",
            "great britain",
            "britain",
            "england",
            "scotland",
            "wales",
            "northern ireland",
        ],
    ),
    ("GR", "GRC", &["greece", "hellas"]),
    ("HK", "HKG", &["hong kong"]),
    ("HR", "HRV", &["croatia", "hrvatska"]),
    ("HU", "HUN", &["hungary", "magyarorszag"]),
    ("ID", "IDN", &["indonesia"]),
    ("IE", "IRL", &["ireland", "eire", "republic of ireland"]),
    ("IL", "ISR", &["israel"]),
    ("IN", "IND", &["india"]),
    ("IS", "ISL", &["iceland", "island"]),
    ("IT", "ITA", &["italy", "italia"]),
    ("JP", "JPN", &["japan"]),
    ("KE", "KEN", &["kenya"]),
    ("KR", "KOR", &["south korea", "korea", "republic of korea"]),
    ("LT", "LTU", &["lithuania", "lietuva"]),
    ("LU", "LUX", &["luxembourg"]),
    ("LV", "LVA", &["latvia", "latvija"]),
    ("MA", "MAR", &["morocco"]),
    ("MT", "MLT", &["malta"]),
    ("MX", "MEX", &["mexico"]),
    ("MY", "MYS", &["malaysia"]),
    ("NG", "NGA", &["nigeria"]),
    (
        "NL",
        "NLD",
        &["netherlands", "the netherlands", "nederland", "holland"],
    ),
    ("NO", "NOR", &["norway", "norge"]),
    ("NZ", "NZL", &["new zealand"]),
    ("PE", "PER", &["peru"]),
    ("PH", "PHL", &["philippines"]),
    ("PK", "PAK", &["pakistan"]),
    ("PL", "POL", &["poland", "polska"]),
    ("PT", "PRT", &["portugal"]),
    ("RO", "ROU", &["romania"]),
    ("RS", "SRB", &["serbia"]),
    ("RU", "RUS", &["russia", "russian federation"]),
    ("SA", "SAU", &["saudi arabia"]),
    ("SE", "SWE", &["sweden", "sverige"]),
    ("SG", "SGP", &["singapore"]),
    ("SI", "SVN", &["slovenia"]),
    ("SK", "SVK", &["slovakia"]),
    ("TH", "THA", &["thailand"]),
    ("TR", "TUR", &["turkey", "turkiye"]),
    ("TW", "TWN", &["taiwan"]),
    ("UA", "UKR", &["ukraine"]),
    (
        "US",
        "USA",
        &[
            "united states",
            "united states of america",
            "us",
            "usa",
            "america",
            "u s",
            "u s a",
        ],
    ),
    ("UY", "URY", &["uruguay"]),
    ("VN", "VNM", &["vietnam", "viet nam"]),
    ("ZA", "ZAF", &["south africa"]),
];

/// US states and Canadian provinces by name and postal abbreviation, for locations that end
/// in one ("Austin, TX", "Toronto, Ontario").
const SUBDIVISIONS: &[(&str, &[&str])] = &[
    (
        "US",
        &[
            "alabama",
            "alaska",
            "arizona",
            "arkansas",
            "california",
            "colorado",
            "connecticut",
            "delaware",
            "florida",
            "georgia",
            "hawaii",
            "idaho",
            "illinois",
            "indiana",
            "iowa",
            "kansas",
            "kentucky",
            "louisiana",
            "maine",
            "maryland",
            "massachusetts",
            "michigan",
            "minnesota",
            "mississippi",
            "missouri",
            "montana",
            "nebraska",
            "nevada",
            "new hampshire",
            "new jersey",
            "new mexico",
            "new york",
            "north carolina",
            "north dakota",
            "ohio",
            "oklahoma",
            "oregon",
            "pennsylvania",
            "rhode island",
            "south carolina",
            "south dakota",
            "tennessee",
            "texas",
            "utah",
            "vermont",
            "virginia",
            "washington",
            "west virginia",
            "wisconsin",
            "wyoming",
            "district of columbia",
            "dc",
            "al",
            "ak",
            "az",
            "ar",
            "ca",
            "co",
            "ct",
            "fl",
            "ga",
            "hi",
            "ia",
            "il",
            "ks",
            "ky",
            "la",
            "ma",
            "md",
            "me",
            "mi",
            "mn",
            "mo",
            "ms",
            "mt",
            "nc",
            "nd",
            "ne",
            "nh",
            "nj",
            "nm",
            "nv",
            "ny",
            "oh",
            "ok",
            "or",
            "pa",
            "ri",
            "sc",
            "sd",
            "tn",
            "tx",
            "ut",
            "va",
            "vt",
            "wa",
            "wi",
            "wv",
            "wy",
        ],
    ),
    (
        "CA",
        &[
            "ontario",
            "quebec",
            "british columbia",
            "alberta",
            "manitoba",
            "saskatchewan",
            "nova scotia",
            "new brunswick",
            "newfoundland and labrador",
            "prince edward island",
            "on",
            "qc",
            "bc",
            "ab",
            "mb",
            "sk",
            "ns",
            "nb",
            "nl",
            "pe",
        ],
    ),
];

/// An ISO 3166-1 alpha-2 country code, upper case (`GB` for the United Kingdom).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Reads a code, a name or a location string; see the module documentation. In a
    /// location, the parts are tried from the last to the first, and a part that names a US
    /// state or a Canadian province gives that country ("Georgia" is the state).
    pub fn parse(text: &str) -> Result<CountryCode, ParseError> {
        let err = |reason| ParseError::new("country", text, reason);
        if text.trim().is_empty() {
            return Err(err("empty"));
        }
        if let Some(code) = CountryCode::from_part(text) {
            return Ok(code);
        }
        let parts: Vec<&str> = text.split([',', '/', '|']).collect();
        if parts.len() > 1 {
            for part in parts.iter().rev() {
                if let Some(code) = CountryCode::from_part(part) {
                    return Ok(code);
                }
            }
            for part in parts.iter().rev() {
                if let Some(code) = subdivision(part) {
                    return Ok(code);
                }
            }
        }
        Err(err(
            "not a country code, country name or location with a country",
        ))
    }

    fn from_part(text: &str) -> Option<CountryCode> {
        let key = fold_words(text);
        let key = key
            .trim_start_matches("greater ")
            .trim_end_matches(" area")
            .trim_end_matches(" metropolitan");
        if key.len() == 2 {
            let upper = key.to_ascii_uppercase();
            if upper == "UK" {
                return Some(CountryCode(*b"GB"));
            }
            return is_country_code(&upper)
                .then(|| CountryCode([upper.as_bytes()[0], upper.as_bytes()[1]]));
        }
        COUNTRIES
            .iter()
            .find(|(_, alpha3, names)| {
                (key.len() == 3 && key.eq_ignore_ascii_case(alpha3)) || names.contains(&key)
            })
            .map(|(alpha2, _, _)| CountryCode([alpha2.as_bytes()[0], alpha2.as_bytes()[1]]))
    }

    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII upper-case letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("ZZ")
    }
}

fn subdivision(text: &str) -> Option<CountryCode> {
    let key = fold_words(text);
    SUBDIVISIONS
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(code, _)| CountryCode([code.as_bytes()[0], code.as_bytes()[1]]))
}

impl AsRef<str> for CountryCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn code(text: &str) -> String {
        CountryCode::parse(text).unwrap().to_string()
    }

    #[test]
    fn codes_names_aliases_and_locations() {
        for (input, want) in [
            ("de", "DE"),
            ("DEU", "DE"),
            ("Deutschland", "DE"),
            ("United States", "US"),
            ("USA", "US"),
            ("U.S.A.", "US"),
            ("UK", "GB"),
            ("United Kingdom", "GB"),
            ("Österreich", "AT"),
            ("España", "ES"),
            ("Austin, Texas, United States", "US"),
            ("Greater Munich Metropolitan Area, Germany", "DE"),
            ("Austin, TX", "US"),
            ("Toronto, Ontario", "CA"),
            ("Lille, Hauts-de-France, France", "FR"),
        ] {
            assert_eq!(code(input), want, "{input}");
        }
    }

    #[test]
    fn unknown_places_say_so() {
        assert!(CountryCode::parse("").is_err());
        assert!(CountryCode::parse("Atlantis").is_err());
        assert!(CountryCode::parse("XX").is_err());
    }

    proptest! {
        #[test]
        fn normalising_twice_changes_nothing(i in 0usize..249) {
            let alpha2 = crate::icp::ISO_COUNTRY_CODES[i];
            let parsed = CountryCode::parse(&alpha2.to_lowercase()).unwrap();
            prop_assert_eq!(parsed.as_str(), alpha2);
            prop_assert_eq!(CountryCode::parse(parsed.as_str()).unwrap(), parsed);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,40}") {
            let _ = CountryCode::parse(&text);
        }
    }
}
