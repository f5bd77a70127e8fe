//! The ICP document: its types, its strict TOML reader and its canonical TOML writer.
//!
//! People write an ICP by hand and two leads sign it off, so the reader is strict: every
//! table denies unknown keys, and every value is checked for meaning (ranges, ISO country
//! codes, seniorities, duplicates, domain syntax) after it has its type. Every error names the
//! file, the line and column and the dotted key, on one line. Positions come from the spans
//! the `toml` crate keeps: serde errors carry one, and for errors found after deserialising,
//! a second, spanned parse ([`toml::de::DeTable`]) maps the key path back to the text.
//! [`IcpDocument::to_toml`] writes one canonical layout, so that `parse(to_toml(d)) == d`
//! for every valid document.

use std::collections::HashSet;
use std::fmt;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

pub use crate::toml_error::{KeyPath, TomlError, toml_key};

// The valid country codes are those of leadgate's one country table.
pub use crate::discovery::normalize::country::{ISO_COUNTRY_CODES, is_country_code};

/// The longest segment name, in characters: it is a label in lists and inboxes.
pub const MAX_SEGMENT_CHARS: usize = 80;
/// The longest look-back window of a signal or intent indicator, in days.
pub const MAX_WITHIN_DAYS: u32 = 365;
/// Headcount growth bounds are percentages within this range.
pub const GROWTH_PCT_RANGE: RangeInclusive<f64> = -100.0..=1000.0;

/// One segment's Ideal Customer Profile: who we sell to, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IcpDocument {
    /// The segment's name (non-empty, one line, at most [`MAX_SEGMENT_CHARS`] characters).
    /// Each segment has its own version history.
    pub segment: String,
    /// Why this is the profile, in free text, for the people who approve it.
    pub rationale: String,
    #[serde(default)]
    pub firmographics: Firmographics,
    #[serde(default)]
    pub technographics: Technographics,
    #[serde(default)]
    pub personas: Vec<Persona>,
    /// Behavioural signals seen on our own properties.
    #[serde(default)]
    pub signals: Vec<Signal>,
    /// Third-party intent topics.
    #[serde(default)]
    pub intent: Vec<IntentIndicator>,
    #[serde(default)]
    pub exclusions: Exclusions,
    /// Required criteria a contact may pass while its facts leave them unknown, by the
    /// criterion's name (`firmographics.headcount_growth_pct`). Any other required criterion
    /// the facts cannot decide holds the contact back until the data is there.
    #[serde(default)]
    pub accept_unknown: Vec<String>,
}

/// What the company is: size, industry, place, revenue and growth. An empty list or an
/// absent range sets no condition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Firmographics {
    /// Number of employees (both bounds inclusive, not negative).
    pub employees: Option<Bounds<i64>>,
    /// Industry names, compared case-insensitively.
    pub industries: Vec<String>,
    /// ISO 3166-1 alpha-2 codes, upper case (`GB` for the United Kingdom).
    pub countries: Vec<String>,
    /// Named groups of countries; a company's country may be in `countries` or in a region.
    pub regions: Vec<Region>,
    /// Annual revenue in US dollars (both bounds inclusive, not negative).
    pub revenue_usd: Option<Bounds<i64>>,
    /// Year-on-year headcount growth in percent, within [`GROWTH_PCT_RANGE`].
    pub headcount_growth_pct: Option<Bounds<f64>>,
}

/// An inclusive range with optional ends; at least one end is set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a range such as { min = 50, max = 1000 }"
)]
pub struct Bounds<T> {
    #[serde(default)]
    pub min: Option<T>,
    #[serde(default)]
    pub max: Option<T>,
}

impl<T: PartialOrd + Copy> Bounds<T> {
    /// Whether `value` lies within the range, both ends included.
    pub fn contains(&self, value: T) -> bool {
        self.min.is_none_or(|min| value >= min) && self.max.is_none_or(|max| value <= max)
    }
}

/// The company's stack. Tool names are compared case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Technographics {
    /// At least one of these is in the stack.
    pub any: Vec<String>,
    /// All of these are in the stack.
    pub all: Vec<String>,
    /// None of these is in the stack.
    pub none: Vec<String>,
}

/// A kind of person we sell to. A contact matches a persona when its title contains one of
/// `titles`, or when its seniority and department meet the persona's `seniority` and
/// `departments` (see [`evaluate`](crate::icp::evaluate()) for the exact rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// Unique among the ICP's personas (case-insensitively).
    pub name: String,
    #[serde(default)]
    pub titles: Vec<String>,
    #[serde(default)]
    pub seniority: Vec<Seniority>,
    #[serde(default)]
    pub departments: Vec<Department>,
}

/// A behavioural signal: `kind` seen at least `min_count` times in the last `within_days`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signal {
    /// snake_case, unique among the ICP's signals, e.g. `pricing_page_visit`.
    pub kind: String,
    /// 1 to [`MAX_WITHIN_DAYS`].
    pub within_days: u32,
    /// At least 1; 1 when omitted.
    #[serde(default = "one")]
    pub min_count: u32,
    /// A required signal decides the verdict; an optional one only informs it.
    #[serde(default)]
    pub required: bool,
}

/// A third-party intent topic: a score of at least `min_score` in the last `within_days`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentIndicator {
    /// Unique among the ICP's intent topics (case-insensitively).
    pub topic: String,
    /// 0 to 100.
    pub min_score: u8,
    /// 1 to [`MAX_WITHIN_DAYS`].
    pub within_days: u32,
    #[serde(default)]
    pub required: bool,
}

/// Who is never a fit, whatever else holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Exclusions {
    /// Domains (and their subdomains) that are never prospects.
    pub domains: Vec<String>,
    /// Competitors' domains (and their subdomains).
    pub competitors: Vec<String>,
    /// Whether existing customers are excluded; true when omitted.
    pub existing_customers: bool,
}

impl Default for Exclusions {
    fn default() -> Self {
        Exclusions {
            domains: Vec::new(),
            competitors: Vec::new(),
            existing_customers: true,
        }
    }
}

fn one() -> u32 {
    1
}

/// How senior a person is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seniority {
    CLevel,
    Vp,
    Director,
    Manager,
    Senior,
    Entry,
}

impl Seniority {
    pub const ALL: [Seniority; 6] = [
        Seniority::CLevel,
        Seniority::Vp,
        Seniority::Director,
        Seniority::Manager,
        Seniority::Senior,
        Seniority::Entry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Seniority::CLevel => "c_level",
            Seniority::Vp => "vp",
            Seniority::Director => "director",
            Seniority::Manager => "manager",
            Seniority::Senior => "senior",
            Seniority::Entry => "entry",
        }
    }

    /// The seniority in words, as a kind of person: "a VP, director or manager".
    pub fn label(self) -> &'static str {
        match self {
            Seniority::CLevel => "C-level executive",
            Seniority::Vp => "VP",
            Seniority::Director => "director",
            Seniority::Manager => "manager",
            Seniority::Senior => "senior individual contributor",
            Seniority::Entry => "entry-level employee",
        }
    }

    /// Reads a seniority as providers write it: case, spaces and hyphens do not matter
    /// (`C-Level`, `c level` and `c_level` are all [`Seniority::CLevel`]).
    pub fn from_loose(text: &str) -> Option<Seniority> {
        let wanted = loose_key(text);
        Seniority::ALL.into_iter().find(|s| s.as_str() == wanted)
    }
}

impl fmt::Display for Seniority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of the company a person works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Department {
    Sales,
    Marketing,
    Operations,
    Engineering,
    Product,
    Finance,
    Hr,
    It,
    CustomerSuccess,
    Executive,
    Legal,
    Other,
}

impl Department {
    pub const ALL: [Department; 12] = [
        Department::Sales,
        Department::Marketing,
        Department::Operations,
        Department::Engineering,
        Department::Product,
        Department::Finance,
        Department::Hr,
        Department::It,
        Department::CustomerSuccess,
        Department::Executive,
        Department::Legal,
        Department::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Department::Sales => "sales",
            Department::Marketing => "marketing",
            Department::Operations => "operations",
            Department::Engineering => "engineering",
            Department::Product => "product",
            Department::Finance => "finance",
            Department::Hr => "hr",
            Department::It => "it",
            Department::CustomerSuccess => "customer_success",
            Department::Executive => "executive",
            Department::Legal => "legal",
            Department::Other => "other",
        }
    }

    /// The department in words: "in operations or customer success".
    pub fn label(self) -> &'static str {
        match self {
            Department::Sales => "sales",
            Department::Marketing => "marketing",
            Department::Operations => "operations",
            Department::Engineering => "engineering",
            Department::Product => "product",
            Department::Finance => "finance",
            Department::Hr => "HR",
            Department::It => "IT",
            Department::CustomerSuccess => "customer success",
            Department::Executive => "the executive team",
            Department::Legal => "legal",
            Department::Other => "another department",
        }
    }

    /// Reads a department as providers write it (`Customer Success` is
    /// [`Department::CustomerSuccess`]).
    pub fn from_loose(text: &str) -> Option<Department> {
        let wanted = loose_key(text);
        Department::ALL.into_iter().find(|d| d.as_str() == wanted)
    }
}

impl fmt::Display for Department {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn loose_key(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// A named group of countries, as sales teams carve up the world. Each region is a fixed
/// list of ISO codes ([`Region::countries`]):
///
/// - `NA`: the United States and Canada.
/// - `LATAM`: Mexico, Central and South America and the Caribbean.
/// - `EMEA`: Europe, the Caucasus, the Middle East and Africa.
/// - `APAC`: East, South-East, South and Central Asia, Australia, New Zealand and Oceania.
/// - `EU`: the 27 member states of the European Union.
/// - `EEA`: the EU and Iceland, Liechtenstein and Norway.
/// - `DACH`: Germany, Austria and Switzerland.
/// - `Nordics`: Denmark, Finland, Iceland, Norway and Sweden.
/// - `Benelux`: Belgium, the Netherlands and Luxembourg.
/// - `UKI`: the United Kingdom and Ireland.
/// - `ANZ`: Australia and New Zealand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Region {
    #[serde(rename = "NA")]
    NorthAmerica,
    #[serde(rename = "LATAM")]
    Latam,
    #[serde(rename = "EMEA")]
    Emea,
    #[serde(rename = "APAC")]
    Apac,
    #[serde(rename = "EU")]
    Eu,
    #[serde(rename = "EEA")]
    Eea,
    #[serde(rename = "DACH")]
    Dach,
    #[serde(rename = "Nordics")]
    Nordics,
    #[serde(rename = "Benelux")]
    Benelux,
    #[serde(rename = "UKI")]
    Uki,
    #[serde(rename = "ANZ")]
    Anz,
}

const EU: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];
const EEA: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
];
/// Mexico, Central America, South America, then the Caribbean.
const LATAM: &[&str] = &[
    "MX", "BZ", "CR", "GT", "HN", "NI", "PA", "SV", "AR", "BO", "BR", "CL", "CO", "EC", "FK", "GF",
    "GY", "PE", "PY", "SR", "UY", "VE", "AG", "AI", "AW", "BB", "BL", "BQ", "BS", "CU", "CW", "DM",
    "DO", "GD", "GP", "HT", "JM", "KN", "KY", "LC", "MF", "MQ", "MS", "PR", "SX", "TC", "TT", "VC",
    "VG", "VI",
];
/// Europe, then the Caucasus, the Middle East and Africa.
const EMEA: &[&str] = &[
    "AD", "AL", "AT", "AX", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI",
    "FO", "FR", "GB", "GG", "GI", "GR", "HR", "HU", "IE", "IM", "IS", "IT", "JE", "LI", "LT", "LU",
    "LV", "MC", "MD", "ME", "MK", "MT", "NL", "NO", "PL", "PT", "RO", "RS", "RU", "SE", "SI", "SJ",
    "SK", "SM", "UA", "VA", "AM", "AZ", "GE", "AE", "BH", "IL", "IQ", "IR", "JO", "KW", "LB", "OM",
    "PS", "QA", "SA", "SY", "TR", "YE", "AO", "BF", "BI", "BJ", "BW", "CD", "CF", "CG", "CI", "CM",
    "CV", "DJ", "DZ", "EG", "EH", "ER", "ET", "GA", "GH", "GM", "GN", "GQ", "GW", "KE", "KM", "LR",
    "LS", "LY", "MA", "MG", "ML", "MR", "MU", "MW", "MZ", "NA", "NE", "NG", "RE", "RW", "SC", "SD",
    "SH", "SL", "SN", "SO", "SS", "ST", "SZ", "TD", "TG", "TN", "TZ", "UG", "YT", "ZA", "ZM", "ZW",
];
/// East Asia, then South-East, South and Central Asia, then Oceania.
const APAC: &[&str] = &[
    "CN", "HK", "JP", "KP", "KR", "MN", "MO", "TW", "BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG",
    "TH", "TL", "VN", "AF", "BD", "BT", "IN", "LK", "MV", "NP", "PK", "KG", "KZ", "TJ", "TM", "UZ",
    "AS", "AU", "CC", "CK", "CX", "FJ", "FM", "GU", "KI", "MH", "MP", "NC", "NF", "NR", "NU", "NZ",
    "PF", "PG", "PN", "PW", "SB", "TK", "TO", "TV", "VU", "WF", "WS",
];

impl Region {
    pub const ALL: [Region; 11] = [
        Region::NorthAmerica,
        Region::Latam,
        Region::Emea,
        Region::Apac,
        Region::Eu,
        Region::Eea,
        Region::Dach,
        Region::Nordics,
        Region::Benelux,
        Region::Uki,
        Region::Anz,
    ];

    /// The name written in an ICP, e.g. `EMEA`.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::NorthAmerica => "NA",
            Region::Latam => "LATAM",
            Region::Emea => "EMEA",
            Region::Apac => "APAC",
            Region::Eu => "EU",
            Region::Eea => "EEA",
            Region::Dach => "DACH",
            Region::Nordics => "Nordics",
            Region::Benelux => "Benelux",
            Region::Uki => "UKI",
            Region::Anz => "ANZ",
        }
    }

    /// The ISO 3166-1 alpha-2 codes of the region's countries and territories.
    pub fn countries(self) -> &'static [&'static str] {
        match self {
            Region::NorthAmerica => &["US", "CA"],
            Region::Latam => LATAM,
            Region::Emea => EMEA,
            Region::Apac => APAC,
            Region::Eu => EU,
            Region::Eea => EEA,
            Region::Dach => &["DE", "AT", "CH"],
            Region::Nordics => &["DK", "FI", "IS", "NO", "SE"],
            Region::Benelux => &["BE", "NL", "LU"],
            Region::Uki => &["GB", "IE"],
            Region::Anz => &["AU", "NZ"],
        }
    }

    pub fn contains(self, country: &str) -> bool {
        self.countries().contains(&country)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `text` is a domain name as an ICP lists it: two or more dot-separated labels of
/// ASCII letters, digits and inner hyphens, each at most 63 characters, at most 253 in all,
/// with a top-level label that is not all digits. No scheme, path, port or trailing dot.
pub fn is_domain_name(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    text.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

/// An ICP that could not be read: where, which key, and what was wrong, on one line
/// (`icp.toml:12:3: key `firmographics.employees.min`: must not exceed max (1000)`); see
/// [`TomlError`].
pub type IcpError = TomlError;

impl IcpDocument {
    /// Reads and checks an ICP written in TOML. `origin` names the text in errors (usually
    /// the file name).
    pub fn parse(text: &str, origin: &str) -> Result<IcpDocument, IcpError> {
        let document: IcpDocument =
            toml::from_str(text).map_err(|error| TomlError::from_de(&error, text, origin))?;
        match first_problem(&document) {
            None => Ok(document),
            Some(problem) => Err(TomlError::at(text, origin, &problem.path, problem.message)),
        }
    }

    /// Checks a document that did not come from text (for instance one received as JSON):
    /// the same rules as [`IcpDocument::parse`], with errors that carry no position.
    pub fn validate(&self, origin: &str) -> Result<(), IcpError> {
        match first_problem(self) {
            None => Ok(()),
            Some(problem) => Err(TomlError::unplaced(origin, &problem.path, problem.message)),
        }
    }

    pub fn segment(&self) -> &str {
        &self.segment
    }

    /// The document in canonical TOML: sections in a fixed order, empty lists, absent ranges
    /// and empty sections left out, defaults of signals and intent written out. Comments are
    /// not kept. For every document that [`IcpDocument::validate`] accepts,
    /// `IcpDocument::parse(&d.to_toml(), _) == Ok(d)`.
    pub fn to_toml(&self) -> String {
        let IcpDocument {
            segment,
            rationale,
            firmographics,
            technographics,
            personas,
            signals,
            intent,
            exclusions,
            accept_unknown,
        } = self;
        let mut out = Writer::default();
        out.value("segment", string(segment));
        out.value("rationale", string(rationale));
        out.list("accept_unknown", accept_unknown);

        if *firmographics != Firmographics::default() {
            let Firmographics {
                employees,
                industries,
                countries,
                regions,
                revenue_usd,
                headcount_growth_pct,
            } = firmographics;
            out.header("[firmographics]");
            out.bounds("employees", employees, |n| n.to_string());
            out.list("industries", industries);
            out.list("countries", countries);
            out.list("regions", regions.iter().map(|r| r.as_str()));
            out.bounds("revenue_usd", revenue_usd, |n| n.to_string());
            out.bounds("headcount_growth_pct", headcount_growth_pct, |n| {
                toml::Value::Float(n).to_string()
            });
        }

        if *technographics != Technographics::default() {
            let Technographics { any, all, none } = technographics;
            out.header("[technographics]");
            out.list("any", any);
            out.list("all", all);
            out.list("none", none);
        }

        for persona in personas {
            let Persona {
                name,
                titles,
                seniority,
                departments,
            } = persona;
            out.header("[[personas]]");
            out.value("name", string(name));
            out.list("titles", titles);
            out.list("seniority", seniority.iter().map(|s| s.as_str()));
            out.list("departments", departments.iter().map(|d| d.as_str()));
        }

        for signal in signals {
            let Signal {
                kind,
                within_days,
                min_count,
                required,
            } = signal;
            out.header("[[signals]]");
            out.value("kind", string(kind));
            out.value("within_days", within_days.to_string());
            out.value("min_count", min_count.to_string());
            out.value("required", required.to_string());
        }

        for indicator in intent {
            let IntentIndicator {
                topic,
                min_score,
                within_days,
                required,
            } = indicator;
            out.header("[[intent]]");
            out.value("topic", string(topic));
            out.value("min_score", min_score.to_string());
            out.value("within_days", within_days.to_string());
            out.value("required", required.to_string());
        }

        if *exclusions != Exclusions::default() {
            let Exclusions {
                domains,
                competitors,
                existing_customers,
            } = exclusions;
            out.header("[exclusions]");
            out.list("domains", domains);
            out.list("competitors", competitors);
            out.value("existing_customers", existing_customers.to_string());
        }
        out.text
    }
}

/// Arrays longer than this are written one element a line.
const LINE_WIDTH: usize = 100;

#[derive(Default)]
struct Writer {
    text: String,
}

impl Writer {
    fn header(&mut self, header: &str) {
        self.text.push('\n');
        self.text.push_str(header);
        self.text.push('\n');
    }

    fn value(&mut self, key: &str, value: String) {
        self.text.push_str(key);
        self.text.push_str(" = ");
        self.text.push_str(&value);
        self.text.push('\n');
    }

    fn list<S: AsRef<str>>(&mut self, key: &str, items: impl IntoIterator<Item = S>) {
        let items: Vec<String> = items.into_iter().map(|s| string(s.as_ref())).collect();
        if items.is_empty() {
            return;
        }
        let inline = format!("[{}]", items.join(", "));
        if key.len() + 3 + inline.len() <= LINE_WIDTH {
            self.value(key, inline);
        } else {
            let lines: String = items.iter().map(|i| format!("    {i},\n")).collect();
            self.value(key, format!("[\n{lines}]"));
        }
    }

    fn bounds<T: Copy>(
        &mut self,
        key: &str,
        bounds: &Option<Bounds<T>>,
        show: impl Fn(T) -> String,
    ) {
        let Some(Bounds { min, max }) = bounds else {
            return;
        };
        let parts: Vec<String> = [("min", min), ("max", max)]
            .into_iter()
            .filter_map(|(name, end)| end.map(|v| format!("{name} = {}", show(v))))
            .collect();
        if parts.is_empty() {
            self.value(key, "{}".to_string());
        } else {
            self.value(key, format!("{{ {} }}", parts.join(", ")));
        }
    }
}

/// A TOML string literal; the `toml` writer picks the quoting that keeps the text exact.
fn string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

// ---------------------------------------------------------------------------------------------
// Checks of meaning

/// Something wrong with a value that has the right type, found after deserialising.
struct Problem {
    path: KeyPath,
    message: String,
}

fn first_problem(document: &IcpDocument) -> Option<Problem> {
    let mut checks = Checks::default();
    checks.document(document);
    checks.problems.into_iter().next()
}

#[derive(Default)]
struct Checks {
    problems: Vec<Problem>,
}

impl Checks {
    fn fail(&mut self, path: KeyPath, message: impl Into<String>) {
        self.problems.push(Problem {
            path,
            message: message.into(),
        });
    }

    fn document(&mut self, document: &IcpDocument) {
        let IcpDocument {
            segment,
            rationale,
            firmographics,
            technographics,
            personas,
            signals,
            intent,
            exclusions,
            accept_unknown,
        } = document;
        let root = KeyPath::default();

        self.line(root.key("segment"), segment);
        let chars = segment.chars().count();
        if chars > MAX_SEGMENT_CHARS {
            self.fail(
                root.key("segment"),
                format!("must be at most {MAX_SEGMENT_CHARS} characters (it has {chars})"),
            );
        }
        if rationale.trim().is_empty() {
            self.fail(root.key("rationale"), "must not be empty");
        }

        self.firmographics(&root.key("firmographics"), firmographics);
        self.technographics(&root.key("technographics"), technographics);
        self.personas(&root.key("personas"), personas);
        self.signals(&root.key("signals"), signals);
        self.intent(&root.key("intent"), intent);
        self.exclusions(&root.key("exclusions"), exclusions);
        self.accept_unknown(&root.key("accept_unknown"), document, accept_unknown);
    }

    /// Every name is a required criterion this document defines.
    fn accept_unknown(&mut self, path: &KeyPath, document: &IcpDocument, names: &[String]) {
        self.unique(path, names, |n| n.clone());
        let criteria = crate::icp::criteria_of(document);
        for (i, name) in names.iter().enumerate() {
            match criteria.iter().find(|c| c.criterion == *name) {
                Some(c) if c.required => {}
                Some(_) => self.fail(
                    path.index(i),
                    format!(
                        "`{name}` is optional: an optional criterion never holds a contact back"
                    ),
                ),
                None => {
                    let known: Vec<&str> = criteria
                        .iter()
                        .filter(|c| c.required)
                        .map(|c| c.criterion.as_str())
                        .collect();
                    self.fail(
                        path.index(i),
                        format!(
                            "`{name}` is not a criterion of this ICP (its required criteria: {})",
                            known.join(", ")
                        ),
                    );
                }
            }
        }
    }

    fn firmographics(&mut self, path: &KeyPath, firmographics: &Firmographics) {
        let Firmographics {
            employees,
            industries,
            countries,
            regions,
            revenue_usd,
            headcount_growth_pct,
        } = firmographics;
        let not_negative = (|n: i64| n >= 0, "must not be negative");
        self.bounds(&path.key("employees"), employees, not_negative);
        self.texts(&path.key("industries"), industries);
        let countries_path = path.key("countries");
        self.unique(&countries_path, countries, |c| c.to_string());
        for (i, code) in countries.iter().enumerate() {
            if !is_country_code(code) {
                self.fail(countries_path.index(i), unknown_country(code));
            }
        }
        self.unique(&path.key("regions"), regions, |r| r.as_str().to_string());
        self.bounds(&path.key("revenue_usd"), revenue_usd, not_negative);
        let growth = (
            |pct: f64| GROWTH_PCT_RANGE.contains(&pct),
            "must be between -100 and 1000",
        );
        self.bounds(
            &path.key("headcount_growth_pct"),
            headcount_growth_pct,
            growth,
        );
    }

    fn technographics(&mut self, path: &KeyPath, technographics: &Technographics) {
        let Technographics { any, all, none } = technographics;
        self.texts(&path.key("any"), any);
        self.texts(&path.key("all"), all);
        self.texts(&path.key("none"), none);
        for (i, tool) in none.iter().enumerate() {
            let wanted = [("any", any), ("all", all)];
            for (list, tools) in wanted {
                if tools
                    .iter()
                    .any(|t| t.to_lowercase() == tool.to_lowercase())
                {
                    self.fail(
                        path.key("none").index(i),
                        format!("`{tool}` is also in technographics.{list}"),
                    );
                }
            }
        }
    }

    fn personas(&mut self, path: &KeyPath, personas: &[Persona]) {
        self.unique_by_key(path, personas, ("persona", "name"), |p| {
            p.name.to_lowercase()
        });
        for (i, persona) in personas.iter().enumerate() {
            let Persona {
                name,
                titles,
                seniority,
                departments,
            } = persona;
            let path = path.index(i);
            self.line(path.key("name"), name);
            self.texts(&path.key("titles"), titles);
            self.unique(&path.key("seniority"), seniority, |s| {
                s.as_str().to_string()
            });
            self.unique(&path.key("departments"), departments, |d| {
                d.as_str().to_string()
            });
            if titles.is_empty() && seniority.is_empty() && departments.is_empty() {
                self.fail(path, "a persona needs titles, seniority or departments");
            }
        }
    }

    fn signals(&mut self, path: &KeyPath, signals: &[Signal]) {
        self.unique_by_key(path, signals, ("signal", "kind"), |s| s.kind.clone());
        for (i, signal) in signals.iter().enumerate() {
            let Signal {
                kind,
                within_days,
                min_count,
                required: _,
            } = signal;
            let path = path.index(i);
            if !is_snake_case(kind) {
                self.fail(
                    path.key("kind"),
                    format!("`{kind}` is not snake_case (like `pricing_page_visit`)"),
                );
            }
            self.within_days(path.key("within_days"), *within_days);
            if *min_count < 1 {
                self.fail(path.key("min_count"), "must be at least 1");
            }
        }
    }

    fn intent(&mut self, path: &KeyPath, intent: &[IntentIndicator]) {
        self.unique_by_key(path, intent, ("intent topic", "topic"), |i| {
            i.topic.to_lowercase()
        });
        for (i, indicator) in intent.iter().enumerate() {
            let IntentIndicator {
                topic,
                min_score,
                within_days,
                required: _,
            } = indicator;
            let path = path.index(i);
            self.line(path.key("topic"), topic);
            if *min_score > 100 {
                self.fail(path.key("min_score"), "must be between 0 and 100");
            }
            self.within_days(path.key("within_days"), *within_days);
        }
    }

    fn exclusions(&mut self, path: &KeyPath, exclusions: &Exclusions) {
        let Exclusions {
            domains,
            competitors,
            existing_customers: _,
        } = exclusions;
        for (key, list) in [("domains", domains), ("competitors", competitors)] {
            let path = path.key(key);
            self.unique(&path, list, |d| d.to_lowercase());
            for (i, domain) in list.iter().enumerate() {
                if !is_domain_name(domain) {
                    self.fail(
                        path.index(i),
                        format!("`{domain}` is not a domain name (write it like `example.com`)"),
                    );
                }
            }
        }
    }

    fn within_days(&mut self, path: KeyPath, days: u32) {
        if !(1..=MAX_WITHIN_DAYS).contains(&days) {
            self.fail(path, format!("must be between 1 and {MAX_WITHIN_DAYS}"));
        }
    }

    /// A range with at least one end, each end allowed by `rule`, and min ≤ max.
    fn bounds<T: PartialOrd + Copy + fmt::Display>(
        &mut self,
        path: &KeyPath,
        bounds: &Option<Bounds<T>>,
        (allowed, rule): (impl Fn(T) -> bool, &str),
    ) {
        let Some(Bounds { min, max }) = bounds else {
            return;
        };
        if min.is_none() && max.is_none() {
            self.fail(path.clone(), "set min, max or both");
        }
        for (end, value) in [("min", min), ("max", max)] {
            if let Some(value) = value
                && !allowed(*value)
            {
                self.fail(path.key(end), rule);
            }
        }
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            self.fail(path.key("min"), format!("must not exceed max ({max})"));
        }
    }

    /// A one-line, trimmed, non-empty text.
    fn line(&mut self, path: KeyPath, text: &str) {
        if text.trim().is_empty() {
            self.fail(path, "must not be empty");
        } else if text.trim() != text {
            self.fail(path, "must not start or end with white space");
        } else if text.chars().any(char::is_control) {
            self.fail(path, "must be one line, without control characters");
        }
    }

    /// A list of one-line texts, unique case-insensitively.
    fn texts(&mut self, path: &KeyPath, texts: &[String]) {
        for (i, text) in texts.iter().enumerate() {
            self.line(path.index(i), text);
        }
        self.unique(path, texts, |t| t.to_lowercase());
    }

    fn unique<T: fmt::Display>(&mut self, path: &KeyPath, items: &[T], key: impl Fn(&T) -> String) {
        let mut seen = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            if !seen.insert(key(item)) {
                self.fail(path.index(i), format!("`{item}` is listed twice"));
            }
        }
    }

    /// Items of an array of tables whose `field` must be unique; `noun` names one item.
    fn unique_by_key<T>(
        &mut self,
        path: &KeyPath,
        items: &[T],
        (noun, field): (&str, &str),
        key: impl Fn(&T) -> String,
    ) {
        let mut seen = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let key = key(item);
            if !key.is_empty() && !seen.insert(key) {
                self.fail(
                    path.index(i).key(field),
                    format!("another {noun} has the same {field}"),
                );
            }
        }
    }
}

fn unknown_country(code: &str) -> String {
    let upper = code.to_ascii_uppercase();
    if upper == "UK" {
        format!("`{code}` is not an ISO 3166-1 alpha-2 country code (the United Kingdom is `GB`)")
    } else if upper != code && is_country_code(&upper) {
        format!("country codes are upper case: `{upper}`")
    } else {
        format!("`{code}` is not an ISO 3166-1 alpha-2 country code")
    }
}

/// `pricing_page_visit`: lower-case ASCII words of letters and digits joined by `_`,
/// starting with a letter.
pub fn is_snake_case(text: &str) -> bool {
    text.len() <= 64
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && text.split('_').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::{RngAlgorithm, RngSeed};

    use super::*;
    use crate::icp::SAMPLE_ICP;
    use crate::icp::strategies;

    const HEAD: &str = "segment = \"Mid-market SaaS\"\nrationale = \"Why.\"\n";

    /// The one-line error for a document made of `HEAD` and `rest`.
    fn error_of(rest: &str) -> String {
        let text = format!("{HEAD}{rest}");
        match IcpDocument::parse(&text, "icp.toml") {
            Ok(document) => panic!("expected an error, parsed {document:?}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn the_sample_parses() {
        let icp = IcpDocument::parse(SAMPLE_ICP, "sample.toml").expect("the sample is valid");

        assert_eq!(icp.segment(), "Mid-market SaaS");
        let employees = icp.firmographics.employees.expect("employees");
        assert_eq!((employees.min, employees.max), (Some(50), Some(1000)));
        assert_eq!(icp.firmographics.countries.len(), 9);
        let growth = icp.firmographics.headcount_growth_pct.expect("growth");
        assert_eq!((growth.min, growth.max), (Some(5.0), None));
        assert_eq!(icp.technographics.none, ["LeanData", "Chili Piper"]);
        assert_eq!(
            icp.personas[1].seniority,
            [Seniority::CLevel, Seniority::Vp, Seniority::Director]
        );
        assert_eq!(icp.signals[0].min_count, 1);
        assert!(!icp.intent[0].required);
        assert!(icp.exclusions.existing_customers);
        assert!(icp.rationale.starts_with("Our best customers"));
    }

    #[test]
    fn the_sample_round_trips_through_canonical_toml() {
        let icp = IcpDocument::parse(SAMPLE_ICP, "sample.toml").expect("the sample is valid");

        let written = icp.to_toml();

        assert_eq!(
            IcpDocument::parse(&written, "written.toml"),
            Ok(icp.clone())
        );
        assert_eq!(
            written,
            IcpDocument::parse(&written, "w")
                .map(|d| d.to_toml())
                .unwrap_or_default()
        );
        assert!(written.contains("employees = { min = 50, max = 1000 }\n"));
        assert!(written.contains("\n[[personas]]\nname = \"Sales leader\"\n"));
    }

    #[test]
    fn omitted_sections_take_their_defaults() {
        let icp = IcpDocument::parse(HEAD, "icp.toml").expect("segment and rationale suffice");

        assert_eq!(icp.firmographics, Firmographics::default());
        assert!(icp.personas.is_empty() && icp.signals.is_empty() && icp.intent.is_empty());
        assert!(
            icp.exclusions.existing_customers,
            "existing customers are excluded by default"
        );
        assert_eq!(
            icp.to_toml(),
            "segment = \"Mid-market SaaS\"\nrationale = \"Why.\"\n"
        );
    }

    #[test]
    fn signal_and_intent_defaults() {
        let rest = "[[signals]]\nkind = \"demo_request\"\nwithin_days = 7\n\
                    [[intent]]\ntopic = \"crm\"\nmin_score = 50\nwithin_days = 14\n";
        let icp = IcpDocument::parse(&format!("{HEAD}{rest}"), "icp.toml").expect("valid");

        assert_eq!(icp.signals[0].min_count, 1);
        assert!(!icp.signals[0].required);
        assert!(!icp.intent[0].required);
    }

    #[test]
    fn accept_unknown_names_required_criteria_of_the_document() {
        let rest = "accept_unknown = [\"firmographics.employees\"]\n\
                    [firmographics]\nemployees = { min = 50 }\n\
                    [[signals]]\nkind = \"demo_request\"\nwithin_days = 7\n";
        let icp = IcpDocument::parse(&format!("{HEAD}{rest}"), "icp.toml").expect("valid");
        assert_eq!(icp.accept_unknown, ["firmographics.employees"]);
        assert_eq!(IcpDocument::parse(&icp.to_toml(), "again"), Ok(icp));

        let absent = error_of("accept_unknown = [\"firmographics.revenue_usd\"]\n");
        assert!(
            absent.contains("key `accept_unknown[0]`")
                && absent.contains("is not a criterion of this ICP"),
            "{absent}"
        );
        let optional = error_of(
            "accept_unknown = [\"signals.demo_request\"]\n\
             [[signals]]\nkind = \"demo_request\"\nwithin_days = 7\n",
        );
        assert!(optional.contains("is optional"), "{optional}");
    }

    #[test]
    fn a_semantic_error_names_file_line_column_and_key() {
        let message = error_of("\n[firmographics]\nemployees = { min = 2000, max = 1000 }\n");

        assert_eq!(
            message,
            "icp.toml:5:21: key `firmographics.employees.min`: must not exceed max (1000)"
        );
    }

    #[test]
    fn an_unknown_key_is_named_with_its_position() {
        assert_eq!(
            error_of("[firmographics]\nemployees = { min = 1, avg = 3 }\n"),
            "icp.toml:4:24: key `firmographics.employees.avg`: unknown key, expected `min` or `max`"
        );
        assert!(
            error_of("colour = \"red\"\n")
                .starts_with("icp.toml:3:1: key `colour`: unknown key, expected one of `segment`")
        );
    }

    #[test]
    fn a_type_error_names_the_key() {
        assert_eq!(
            error_of("[[signals]]\nkind = \"p\"\nwithin_days = \"a month\"\n"),
            "icp.toml:5:15: key `signals[0].within_days`: invalid type: string \"a month\", \
             expected a whole number from 0 to 4294967295"
        );
        assert_eq!(
            error_of("[firmographics]\nemployees = \"many\"\n"),
            "icp.toml:4:13: key `firmographics.employees`: invalid type: string \"many\", \
             expected a range such as { min = 50, max = 1000 }"
        );
    }

    #[test]
    fn an_unknown_seniority_points_at_the_element() {
        assert_eq!(
            error_of("[[personas]]\nname = \"A\"\nseniority = [\"vp\", \"cto\"]\n"),
            "icp.toml:5:20: key `personas[0].seniority[1]`: unknown value `cto`, expected one \
             of `c_level`, `vp`, `director`, `manager`, `senior`, `entry`"
        );
    }

    #[test]
    fn country_codes_are_checked_against_iso_3166() {
        assert_eq!(
            error_of("[firmographics]\ncountries = [\"US\", \"XX\"]\n"),
            "icp.toml:4:20: key `firmographics.countries[1]`: `XX` is not an ISO 3166-1 alpha-2 \
             country code"
        );
        assert!(
            error_of("[firmographics]\ncountries = [\"UK\"]\n")
                .ends_with("(the United Kingdom is `GB`)")
        );
        assert!(
            error_of("[firmographics]\ncountries = [\"de\"]\n")
                .ends_with("country codes are upper case: `DE`")
        );
    }

    #[test]
    fn a_missing_key_is_required() {
        let missing_segment = IcpDocument::parse("rationale = \"Why.\"\n", "icp.toml");
        assert_eq!(
            missing_segment.map_err(|e| e.to_string()),
            Err("icp.toml: key `segment`: is required".to_string())
        );
        assert_eq!(
            error_of("[[personas]]\ntitles = [\"CFO\"]\n"),
            "icp.toml:3:1: key `personas[0].name`: is required"
        );
    }

    #[test]
    fn each_kind_of_semantic_error_is_located() {
        let cases = [
            (
                "[firmographics]\nemployees = { min = -1 }\n",
                "4:21",
                "firmographics.employees.min",
                "must not be negative",
            ),
            (
                "[firmographics]\nemployees = {}\n",
                "4:13",
                "firmographics.employees",
                "set min, max or both",
            ),
            (
                "[firmographics]\nrevenue_usd = { max = -5 }\n",
                "4:23",
                "firmographics.revenue_usd.max",
                "must not be negative",
            ),
            (
                "[firmographics]\nheadcount_growth_pct = { max = 2000.5 }\n",
                "4:32",
                "firmographics.headcount_growth_pct.max",
                "must be between -100 and 1000",
            ),
            (
                "[firmographics]\nindustries = [\"Internet\", \"\"]\n",
                "4:27",
                "firmographics.industries[1]",
                "must not be empty",
            ),
            (
                "[firmographics]\nindustries = [\"Internet\", \"internet\"]\n",
                "4:27",
                "firmographics.industries[1]",
                "`internet` is listed twice",
            ),
            (
                "[firmographics]\nregions = [\"EU\", \"EU\"]\n",
                "4:18",
                "firmographics.regions[1]",
                "`EU` is listed twice",
            ),
            (
                "[technographics]\nany = [\"HubSpot\"]\nnone = [\"hubspot\"]\n",
                "5:9",
                "technographics.none[0]",
                "`hubspot` is also in technographics.any",
            ),
            (
                "[technographics]\nall = [\" Gong\"]\n",
                "4:8",
                "technographics.all[0]",
                "must not start or end with white space",
            ),
            (
                "[[personas]]\nname = \"A\"\ntitles = [\"x\"]\n[[personas]]\nname = \"a\"\ntitles = [\"y\"]\n",
                "7:8",
                "personas[1].name",
                "another persona has the same name",
            ),
            (
                "[[personas]]\nname = \"A\"\n",
                "3:1",
                "personas[0]",
                "a persona needs titles, seniority or departments",
            ),
            (
                "[[personas]]\nname = \"A\"\ndepartments = [\"hr\", \"hr\"]\n",
                "5:22",
                "personas[0].departments[1]",
                "`hr` is listed twice",
            ),
            (
                "[[signals]]\nkind = \"Pricing page\"\nwithin_days = 30\n",
                "4:8",
                "signals[0].kind",
                "`Pricing page` is not snake_case (like `pricing_page_visit`)",
            ),
            (
                "[[signals]]\nkind = \"p\"\nwithin_days = 0\n",
                "5:15",
                "signals[0].within_days",
                "must be between 1 and 365",
            ),
            (
                "[[signals]]\nkind = \"p\"\nwithin_days = 366\n",
                "5:15",
                "signals[0].within_days",
                "must be between 1 and 365",
            ),
            (
                "[[signals]]\nkind = \"p\"\nwithin_days = 30\nmin_count = 0\n",
                "6:13",
                "signals[0].min_count",
                "must be at least 1",
            ),
            (
                "[[signals]]\nkind = \"p\"\nwithin_days = 3\n[[signals]]\nkind = \"p\"\nwithin_days = 4\n",
                "7:8",
                "signals[1].kind",
                "another signal has the same kind",
            ),
            (
                "[[intent]]\ntopic = \"t\"\nmin_score = 101\nwithin_days = 3\n",
                "5:13",
                "intent[0].min_score",
                "must be between 0 and 100",
            ),
            (
                "[[intent]]\ntopic = \"t\\nu\"\nmin_score = 1\nwithin_days = 3\n",
                "4:9",
                "intent[0].topic",
                "must be one line, without control characters",
            ),
            (
                "[exclusions]\ndomains = [\"https://acme.com/\"]\n",
                "4:12",
                "exclusions.domains[0]",
                "`https://acme.com/` is not a domain name (write it like `example.com`)",
            ),
            (
                "[exclusions]\ncompetitors = [\"a.com\", \"A.com\"]\n",
                "4:25",
                "exclusions.competitors[1]",
                "`A.com` is listed twice",
            ),
        ];
        for (rest, position, key, message) in cases {
            let expected = format!("icp.toml:{position}: key `{key}`: {message}");

            let actual = error_of(rest);

            assert_eq!(actual, expected, "for {rest:?}");
        }
    }

    #[test]
    fn segment_and_rationale_are_checked() {
        let long = format!("segment = \"{}\"\nrationale = \"x\"\n", "x".repeat(81));
        let blank = "segment = \"x\"\nrationale = \"\"\"\n  \n\"\"\"\n";
        let cases = [
            (
                long.as_str(),
                "icp.toml:1:11: key `segment`: must be at most 80 characters (it has 81)",
            ),
            (
                "segment = \"\"\nrationale = \"x\"\n",
                "icp.toml:1:11: key `segment`: must not be empty",
            ),
            (blank, "icp.toml:2:13: key `rationale`: must not be empty"),
        ];
        for (text, expected) in cases {
            let actual = IcpDocument::parse(text, "icp.toml").map_err(|e| e.to_string());

            assert_eq!(actual, Err(expected.to_string()));
        }
    }

    #[test]
    fn syntax_errors_keep_their_position() {
        let duplicate = IcpDocument::parse(
            "segment = \"a\"\nrationale = \"b\"\nsegment = \"c\"\n",
            "icp.toml",
        );
        assert_eq!(
            duplicate.map_err(|e| e.to_string()),
            Err("icp.toml:3:1: key `segment`: duplicate key".to_string())
        );

        let unclosed = IcpDocument::parse(&format!("{HEAD}[exclusions\n"), "icp.toml");
        let error = unclosed.expect_err("an unclosed header is a syntax error");
        assert_eq!((error.line, error.key.as_deref()), (Some(3), None));
        assert!(!error.to_string().contains('\n'));
    }

    #[test]
    fn control_characters_in_values_stay_on_the_error_line() {
        let text = format!("{HEAD}[firmographics]\ncountries = [\"U\\nS\"]\n");

        let error = IcpDocument::parse(&text, "icp.toml").expect_err("a bad code");

        assert_eq!(
            error.to_string(),
            "icp.toml:4:14: key `firmographics.countries[0]`: `U\\nS` is not an ISO 3166-1 \
             alpha-2 country code"
        );
        let unknown = IcpDocument::parse(&format!("{HEAD}\"a\\nb\" = 1\n"), "icp.toml");
        assert_eq!(
            unknown.map_err(|e| e.key),
            Err(Some("\"a\\nb\"".to_string()))
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "segment = \"Café\"\nrationale = \"x\"\n[[signals]]\nkind = \"p\"\nwithin_days = 0 # é\n";
        let error = IcpDocument::parse(text, "icp.toml").expect_err("within_days 0");
        assert_eq!((error.line, error.column), (Some(5), Some(15)));

        assert_eq!(crate::toml_error::line_and_column("é\né", 5), (2, 2));
        assert_eq!(
            crate::toml_error::line_and_column("éa", 1),
            (1, 1),
            "inside a character: its start"
        );
    }

    #[test]
    fn validate_reports_without_a_position() {
        let mut icp = IcpDocument::parse(SAMPLE_ICP, "sample.toml").expect("the sample is valid");
        icp.personas[1].titles.push(String::new());

        let error = icp.validate("api").expect_err("an empty title");

        assert_eq!(
            error.to_string(),
            "api: key `personas[1].titles[3]`: must not be empty"
        );
    }

    #[test]
    fn keys_that_are_not_bare_are_quoted() {
        let path = KeyPath::default()
            .key("personas")
            .key("Sales leader")
            .key("titles");
        assert_eq!(path.to_string(), "personas.\"Sales leader\".titles");
    }

    #[test]
    fn the_country_list_and_regions_agree() {
        assert!(
            ISO_COUNTRY_CODES.windows(2).all(|w| w[0] < w[1]),
            "sorted and unique"
        );
        for region in Region::ALL {
            let countries = region.countries();
            for code in countries {
                assert!(is_country_code(code), "{region}: {code}");
            }
            let unique: HashSet<_> = countries.iter().collect();
            assert_eq!(
                unique.len(),
                countries.len(),
                "{region} lists a country twice"
            );
            let written = toml::Value::try_from(region).map(|v| v.as_str().map(str::to_string));
            assert_eq!(written, Ok(Some(region.as_str().to_string())));
        }
        assert_eq!(Region::Eu.countries().len(), 27);
        let big = [
            Region::NorthAmerica,
            Region::Latam,
            Region::Emea,
            Region::Apac,
        ];
        for (i, a) in big.iter().enumerate() {
            for b in &big[i + 1..] {
                let shared: Vec<_> = a.countries().iter().filter(|c| b.contains(c)).collect();
                assert!(shared.is_empty(), "{a} and {b} share {shared:?}");
            }
        }
        assert!(
            Region::Eea
                .countries()
                .iter()
                .all(|c| Region::Eu.contains(c) || ["IS", "LI", "NO"].contains(c))
        );
    }

    #[test]
    fn enum_names_match_their_serde_names() {
        for seniority in Seniority::ALL {
            let written = toml::Value::try_from(seniority).map(|v| v.as_str().map(str::to_string));
            assert_eq!(written, Ok(Some(seniority.as_str().to_string())));
        }
        for department in Department::ALL {
            let written = toml::Value::try_from(department).map(|v| v.as_str().map(str::to_string));
            assert_eq!(written, Ok(Some(department.as_str().to_string())));
        }
        assert_eq!(Seniority::from_loose(" C-Level "), Some(Seniority::CLevel));
        assert_eq!(
            Department::from_loose("Customer Success"),
            Some(Department::CustomerSuccess)
        );
        assert_eq!(Seniority::from_loose("intern"), None);
    }

    #[test]
    fn domain_names() {
        for good in ["example.com", "a.b.co.uk", "xn--bcher-kva.de", "my-site.io"] {
            assert!(is_domain_name(good), "{good}");
        }
        for bad in [
            "example",
            "https://example.com",
            "example.com/",
            "-a.com",
            "a..com",
            "1.2.3.4",
            "a b.com",
            "",
        ] {
            assert!(!is_domain_name(bad), "{bad}");
        }
    }

    proptest! {
        // One seed, so that a run finds what every run finds; PROPTEST_CASES sets how many.
        #![proptest_config(ProptestConfig {
            rng_algorithm: RngAlgorithm::ChaCha,
            rng_seed: RngSeed::Fixed(0x1EAD_6A7E),
            ..ProptestConfig::default()
        })]

        #[test]
        fn canonical_toml_round_trips(document in strategies::document()) {
            prop_assert_eq!(document.validate("generated"), Ok(()));

            let written = document.to_toml();

            prop_assert_eq!(IcpDocument::parse(&written, "written.toml"), Ok(document));
        }

        #[test]
        fn json_round_trips(document in strategies::document()) {
            let json = serde_json::to_value(&document);

            let back = json.and_then(serde_json::from_value::<IcpDocument>);

            prop_assert_eq!(back.ok(), Some(document));
        }

        #[test]
        fn noise_is_refused_in_one_line_that_names_the_file(text in "\\PC{0,200}") {
            match IcpDocument::parse(&text, "noise.toml") {
                Ok(document) => {
                    let written = document.to_toml();
                    prop_assert_eq!(IcpDocument::parse(&written, "written.toml"), Ok(document));
                }
                Err(error) => {
                    let message = error.to_string();
                    prop_assert!(message.starts_with("noise.toml"), "{}", message);
                    prop_assert!(!message.contains('\n'), "{}", message);
                }
            }
        }

        #[test]
        fn errors_are_one_line(
            document in strategies::document(),
            cut in 0usize..2000,
        ) {
            let written = document.to_toml();
            let mut end = cut.min(written.len());
            while !written.is_char_boundary(end) {
                end -= 1;
            }

            if let Err(error) = IcpDocument::parse(&written[..end], "cut.toml") {
                prop_assert!(!error.to_string().contains('\n'), "{}", error);
            }
        }
    }
}
