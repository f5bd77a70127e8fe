//! The three source files: which people each source knows, and how each source renders a
//! person, with the defects of that kind of export.
//!
//! About 37% of people appear in two or three sources. Each row carries its own random
//! stream, so a row renders identically in its source file and in the dedupe benchmark.
//! The defects, by source:
//! - Apollo: e-mails unavailable for ~18% of rows and guessed for ~10% (half of those with
//!   the wrong pattern); phone numbers with Apollo's leading apostrophe; employee counts that
//!   are estimates; lowercase industries.
//! - Sales Navigator: no e-mail or phone at all; credentials and emoji in names ("Chen,
//!   MBA"); headlines in job titles; LinkedIn's newer industry names; headcount ranges;
//!   metro-area locations; a company domain for only three rows in four.
//! - HubSpot: hand-typed values: typos, case noise in names and e-mails, free-form
//!   websites, phone formats and country names, legal-form variants, missing fields,
//!   duplicate contacts made from personal e-mail addresses, quoted commas, and one job
//!   title with an embedded newline.
//!
//! Everywhere: ~5% of rows are stale (observed more than 12 months before `now`); for people
//! who changed jobs, a stale row shows the previous employer, title and e-mail.

use jiff::Timestamp;
use serde::Serialize;

use crate::DemoWorld;
use crate::catalog::{self, City, Country, Title};
use crate::rng::{Rng, mix};
use crate::text;
use crate::time::{self, DAY};
use crate::world::{Company, CompanyId, EmailPattern, Person, PersonId};

const STREAM_ROWS: u64 = 10;
const STREAM_SHUFFLE: u64 = 11;
const STREAM_ACCOUNT: u64 = 12;
const STREAM_FUNDING: u64 = 13;

/// One of the three demo sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Apollo,
    SalesNavigator,
    HubSpot,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Apollo, Source::SalesNavigator, Source::HubSpot];

    /// The file's path relative to the demo directory.
    pub fn file(self) -> &'static str {
        match self {
            Source::Apollo => "sources/apollo_people.csv",
            Source::SalesNavigator => "sources/salesnav_leads.csv",
            Source::HubSpot => "sources/hubspot_contacts.csv",
        }
    }

    /// A short key, used in benchmark record ids ("apollo:17").
    pub fn key(self) -> &'static str {
        match self {
            Source::Apollo => "apollo",
            Source::SalesNavigator => "salesnav",
            Source::HubSpot => "hubspot",
        }
    }

    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Source::Apollo => APOLLO_HEADERS,
            Source::SalesNavigator => SALESNAV_HEADERS,
            Source::HubSpot => HUBSPOT_HEADERS,
        }
    }

    /// The field separator: Sales Navigator export tools write semicolons (for Excel in
    /// European locales), the others commas.
    pub fn delimiter(self) -> u8 {
        match self {
            Source::SalesNavigator => b';',
            _ => b',',
        }
    }

    /// The column holding the source's own record id, if it has one.
    pub fn record_id_column(self) -> Option<&'static str> {
        match self {
            Source::Apollo => Some("Apollo Contact Id"),
            Source::SalesNavigator => None,
            Source::HubSpot => Some("Record ID"),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

pub(crate) const APOLLO_HEADERS: &[&str] = &[
    "First Name",
    "Last Name",
    "Title",
    "Company",
    "Company Name for Emails",
    "Email",
    "Email Status",
    "Primary Email Last Verified At",
    "Seniority",
    "Departments",
    "Contact Owner",
    "Work Direct Phone",
    "Mobile Phone",
    "Corporate Phone",
    "Stage",
    "Lists",
    "# Employees",
    "Industry",
    "Keywords",
    "Person Linkedin Url",
    "Website",
    "Company Linkedin Url",
    "City",
    "State",
    "Country",
    "Company City",
    "Company State",
    "Company Country",
    "Company Phone",
    "Technologies",
    "Annual Revenue",
    "Total Funding",
    "Latest Funding",
    "Last Raised At",
    "Apollo Contact Id",
    "Apollo Account Id",
];

pub(crate) const SALESNAV_HEADERS: &[&str] = &[
    "First Name",
    "Last Name",
    "Full Name",
    "Job Title",
    "Company Name",
    "Company Domain",
    "Company LinkedIn URL",
    "Profile URL",
    "Sales Navigator URL",
    "Location",
    "Industry",
    "Company Headcount",
    "Date Added",
];

pub(crate) const HUBSPOT_HEADERS: &[&str] = &[
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Job Title",
    "Company Name",
    "Website URL",
    "Country/Region",
    "State/Region",
    "City",
    "Lifecycle Stage",
    "Lead Status",
    "Create Date",
    "Last Activity Date",
    "Contact owner",
];

/// One data row of a source file and the truth behind it.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    pub source: Source,
    /// 1-based data row in the source file (the header is row 0; a quoted field with a
    /// newline does not start a new row).
    pub row: u32,
    pub person_id: PersonId,
    /// The employer as this row shows it: the previous one in a mover's stale row.
    pub company_id: CompanyId,
    /// Observed more than 12 months before `now`.
    pub stale: bool,
    /// A duplicate contact created from the person's personal e-mail address.
    pub personal_email: bool,
    pub observed_at: Timestamp,
    #[serde(skip)]
    pub(crate) seed: u64,
}

/// Decides which sources know each person, marks stale rows, and numbers each file's rows
/// in a shuffled order. Returns all Apollo rows, then Sales Navigator, then HubSpot.
pub(crate) fn assign(seed: u64, people: &[Person], now: Timestamp) -> Vec<SourceRow> {
    let base = time::base_second(now);
    let mut by_source: [Vec<SourceRow>; 3] = [
        Vec::with_capacity(people.len()),
        Vec::with_capacity(people.len() / 2),
        Vec::with_capacity(people.len() / 2),
    ];
    for person in people {
        let mut rng = Rng::derive(seed, STREAM_ROWS, u64::from(person.id.0));
        let set: &[Source] = match rng.below(100) {
            0..=62 => match rng.below(100) {
                0..=44 => &[Source::Apollo],
                45..=74 => &[Source::SalesNavigator],
                _ => &[Source::HubSpot],
            },
            63..=90 => match rng.below(100) {
                0..=39 => &[Source::Apollo, Source::SalesNavigator],
                40..=74 => &[Source::Apollo, Source::HubSpot],
                _ => &[Source::SalesNavigator, Source::HubSpot],
            },
            _ => &Source::ALL,
        };
        let old_job_row = person.previous.as_ref().map(|_| rng.index(set.len()));
        for (i, &source) in set.iter().enumerate() {
            let moved = old_job_row == Some(i);
            let stale = moved || rng.chance(0.015);
            let company_id = match (&person.previous, moved) {
                (Some(p), true) => p.company_id,
                _ => person.company_id,
            };
            let observed_at = observed(&mut rng, base, stale);
            by_source[source.index()].push(SourceRow {
                source,
                row: 0,
                person_id: person.id,
                company_id,
                stale,
                personal_email: false,
                observed_at,
                seed: rng.next_u64(),
            });
        }
        if set.contains(&Source::HubSpot) && rng.chance(0.025) {
            let observed_at = observed(&mut rng, base, false);
            by_source[Source::HubSpot.index()].push(SourceRow {
                source: Source::HubSpot,
                row: 0,
                person_id: person.id,
                company_id: person.company_id,
                stale: false,
                personal_email: true,
                observed_at,
                seed: rng.next_u64(),
            });
        }
    }
    let mut rows = Vec::with_capacity(by_source.iter().map(Vec::len).sum());
    for (i, mut list) in by_source.into_iter().enumerate() {
        Rng::derive(seed, STREAM_SHUFFLE, i as u64).shuffle(&mut list);
        for (n, row) in list.iter_mut().enumerate() {
            row.row = n as u32 + 1;
        }
        rows.append(&mut list);
    }
    rows
}

fn observed(rng: &mut Rng, base: i64, stale: bool) -> Timestamp {
    let days = if stale {
        rng.range(380, 900)
    } else {
        rng.range(1, 330)
    };
    time::at(base - i64::from(days) * DAY - i64::from(rng.range(0, 86_399)))
}

/// The source's own id for a row: Apollo's 24-hex contact id, HubSpot's numeric record id
/// (increasing with the row number), nothing for Sales Navigator.
pub(crate) fn record_id(seed: u64, row: &SourceRow) -> Option<String> {
    match row.source {
        Source::Apollo => Some(format!(
            "{}{}",
            text::hex((row.observed_at.as_second() as u64) >> 4, 8),
            text::hex(mix(row.seed ^ 0xA90_110), 16)
        )),
        Source::SalesNavigator => None,
        Source::HubSpot => {
            let jitter = mix(seed ^ u64::from(row.row)) % 200;
            Some((30_100_000_000 + u64::from(row.row) * 211 + jitter).to_string())
        }
    }
}

/// Renders one row's fields in the order of its source's headers; "" is a missing value.
pub(crate) fn render(world: &DemoWorld, row: &SourceRow) -> Vec<String> {
    let person = &world.people[row.person_id.0 as usize];
    let company = world.company(row.company_id);
    let (title, email) = match &person.previous {
        Some(p) if p.company_id == row.company_id => (p.title_ref, p.email.clone()),
        _ => (person.title_ref, person.email.clone()),
    };
    let mut ctx = Ctx {
        seed: world.config.seed,
        rng: Rng::new(row.seed),
        row,
        person,
        company,
        title,
        email,
    };
    match row.source {
        Source::Apollo => ctx.apollo(),
        Source::SalesNavigator => ctx.salesnav(),
        Source::HubSpot => ctx.hubspot(),
    }
}

struct Ctx<'a> {
    seed: u64,
    rng: Rng,
    row: &'a SourceRow,
    person: &'a Person,
    company: &'a Company,
    title: &'static Title,
    email: String,
}

impl Ctx<'_> {
    fn apollo(&mut self) -> Vec<String> {
        let rng = &mut self.rng;
        let p = self.person;
        let c = self.company;
        let first = name_variant(rng, p.first_name, 0.015, 0.03, 0.0);
        let last = name_variant(rng, p.last_name, 0.015, 0.03, 0.0);
        let title = if rng.chance(0.2) {
            (*rng.pick(self.title.variants)).to_string()
        } else {
            self.title.title.to_string()
        };
        let company_name = match rng.below(100) {
            0..=24 => c.legal_name.clone(),
            25..=27 => and_swap(&c.name),
            28..=29 => text::typo(&c.name, rng),
            _ => c.name.clone(),
        };
        let (email, status) = self.apollo_email();
        let verified_at = if status == "Verified" {
            time::rfc3339_offset(self.row.observed_at)
        } else {
            String::new()
        };
        let owner = if self.rng.chance(0.4) {
            owner_email(self.rng.pick::<&str>(catalog::CONTACT_OWNERS))
        } else {
            String::new()
        };
        let [work_phone, mobile_phone, corporate_phone] = self.apollo_phones();
        let rng = &mut self.rng;
        let stage = (*rng.weighted(catalog::APOLLO_STAGES)).to_string();
        let lists = if rng.chance(0.6) {
            (*rng.pick(catalog::APOLLO_LISTS)).to_string()
        } else {
            String::new()
        };
        let employees = if rng.chance(0.04) {
            String::new()
        } else {
            let spread = f64::from(rng.range(0, 160)) / 1000.0 - 0.08;
            let estimate = (f64::from(c.employees) * (1.0 + spread)).round().max(1.0);
            format!("{estimate}")
        };
        let keywords = {
            let mut kws: Vec<&str> = Vec::new();
            for _ in 0..rng.range(3, 6) {
                let k = *rng.pick(c.industry_ref.keywords);
                if !kws.contains(&k) {
                    kws.push(k);
                }
            }
            kws.join(", ")
        };
        let person_linkedin = if rng.chance(0.92) {
            p.linkedin_url.replacen("https://", "http://", 1)
        } else {
            String::new()
        };
        let website = if rng.chance(0.95) {
            format!("http://www.{}", c.domain)
        } else {
            String::new()
        };
        let company_linkedin = c.linkedin_url.replacen("https://", "http://", 1);
        let (city, state) = if rng.chance(0.9) {
            (p.city.to_string(), p.region.to_string())
        } else {
            (String::new(), String::new())
        };
        let technologies = {
            let detected: Vec<&str> = c
                .technologies
                .iter()
                .copied()
                .filter(|_| rng.chance(0.85))
                .collect();
            detected.join(", ")
        };
        let revenue = if rng.chance(0.75) {
            c.revenue_usd.to_string()
        } else {
            String::new()
        };
        let (total_funding, latest_funding, last_raised) = funding(self.seed, c);
        vec![
            first,
            last,
            title,
            company_name,
            c.name.clone(),
            email,
            status.to_string(),
            verified_at,
            self.title.apollo_seniority.to_string(),
            self.title.apollo_departments.to_string(),
            owner,
            work_phone,
            mobile_phone,
            corporate_phone,
            stage,
            lists,
            employees,
            c.industry_ref.apollo.to_string(),
            keywords,
            person_linkedin,
            website,
            company_linkedin,
            city,
            state,
            p.country_ref.name.to_string(),
            c.city.to_string(),
            c.region.to_string(),
            c.country_ref.name.to_string(),
            format!(
                "'{}",
                phone_international(&c.phone, c.country_ref, c.city_ref)
            ),
            technologies,
            revenue,
            total_funding,
            latest_funding,
            last_raised,
            record_id(self.seed, self.row).unwrap_or_default(),
            account_id(self.seed, c.id),
        ]
    }

    /// Apollo's e-mail and its status: verified, guessed from a pattern, or none.
    fn apollo_email(&mut self) -> (String, &'static str) {
        let rng = &mut self.rng;
        let p = self.person;
        let c = self.company;
        let moved = self.row.company_id != p.company_id;
        let (email, status) = if moved {
            (self.email.clone(), "Verified")
        } else {
            match rng.below(100) {
                0..=71 => (self.email.clone(), "Verified"),
                72..=81 => {
                    let pattern = if rng.chance(0.5) {
                        c.email_pattern
                    } else {
                        *rng.pick(&[
                            EmailPattern::FirstDotLast,
                            EmailPattern::FirstInitialLast,
                            EmailPattern::FirstLast,
                        ])
                    };
                    let german = c.country == "DE";
                    let local = pattern.local_part(p.first_name, p.last_name, german);
                    (format!("{local}@{}", c.domain), "Extrapolated")
                }
                _ => (String::new(), "Unavailable"),
            }
        };
        let email = if !email.is_empty() && rng.chance(0.01) {
            text::email_case_noise(&email, rng)
        } else {
            email
        };
        (email, status)
    }

    /// Apollo's work, mobile and corporate phones, each sometimes missing.
    fn apollo_phones(&mut self) -> [String; 3] {
        let rng = &mut self.rng;
        let p = self.person;
        let c = self.company;
        let work_phone = if rng.chance(0.35) {
            format!(
                "'{}",
                phone_international(&p.phone, p.country_ref, p.city_ref)
            )
        } else {
            String::new()
        };
        let mobile_phone = if rng.chance(0.12) {
            let mut r = Rng::new(mix(self.row.seed ^ 0x30B1));
            let mobile = mobile_number(&mut r, p.country_ref, p.city_ref);
            format!(
                "'{}",
                phone_international(&mobile, p.country_ref, p.city_ref)
            )
        } else {
            String::new()
        };
        let corporate_phone = if rng.chance(0.6) {
            format!(
                "'{}",
                phone_international(&c.phone, c.country_ref, c.city_ref)
            )
        } else {
            String::new()
        };
        [work_phone, mobile_phone, corporate_phone]
    }

    fn salesnav(&mut self) -> Vec<String> {
        let rng = &mut self.rng;
        let p = self.person;
        let c = self.company;
        let first = name_variant(rng, p.first_name, 0.01, 0.0, 0.015);
        let mut last = name_variant(rng, p.last_name, 0.01, 0.0, 0.015);
        if rng.chance(0.05) {
            last.push_str(rng.pick::<&str>(catalog::NAME_FLAIR));
        }
        let full = format!("{first} {last}");
        let base_title = if rng.chance(0.35) {
            *rng.pick(self.title.variants)
        } else {
            self.title.title
        };
        let title = match rng.below(100) {
            0..=7 => format!("{base_title}{}", rng.pick(catalog::TITLE_FLAIR)),
            8..=11 => format!("{base_title} @ {}", c.name),
            12..=14 => format!("{base_title} at {}", c.name),
            _ => base_title.to_string(),
        };
        let company_name = match rng.below(100) {
            0..=7 => c.legal_name.clone(),
            8..=11 => and_swap(&c.name),
            12 => text::typo(&c.name, rng),
            _ => c.name.clone(),
        };
        let domain = match rng.below(100) {
            0..=24 => String::new(),
            25..=31 => format!("www.{}", c.domain),
            _ => c.domain.clone(),
        };
        let company_linkedin = if rng.chance(0.1) {
            format!(
                "https://www.linkedin.com/company/{}",
                1_000_000 + mix(self.seed ^ u64::from(c.id.0)) % 89_000_000
            )
        } else {
            c.linkedin_url.clone()
        };
        let profile = if rng.chance(0.3) {
            format!("{}/", p.linkedin_url)
        } else {
            p.linkedin_url.clone()
        };
        let sales_nav_url = {
            const ALPHABET: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let id: String = (0..34)
                .map(|_| char::from(ALPHABET[rng.index(ALPHABET.len())]))
                .collect();
            let tail: String = (0..4)
                .map(|_| char::from(ALPHABET[rng.index(26)]))
                .collect();
            format!("https://www.linkedin.com/sales/lead/ACwAA{id},NAME_SEARCH,{tail}")
        };
        let location = linkedin_location(rng, p.country_ref, p.city_ref);
        let industry = if rng.chance(0.95) {
            c.industry_ref.linkedin.to_string()
        } else {
            String::new()
        };
        vec![
            first,
            last,
            full,
            title,
            company_name,
            domain,
            company_linkedin,
            profile,
            sales_nav_url,
            location,
            industry,
            headcount_range(c.employees).to_string(),
            time::date(self.row.observed_at),
        ]
    }

    fn hubspot(&mut self) -> Vec<String> {
        let rng = &mut self.rng;
        let p = self.person;
        let c = self.company;
        let (first, last) = match rng.below(100) {
            0..=2 => (String::new(), String::new()),
            3 => (format!("{} {}", p.first_name, p.last_name), String::new()),
            _ => (
                name_variant(rng, p.first_name, 0.05, 0.04, 0.03),
                name_variant(rng, p.last_name, 0.05, 0.04, 0.03),
            ),
        };
        let email = if self.row.personal_email {
            let local = match rng.below(3) {
                0 => format!(
                    "{}.{}",
                    text::handle(p.first_name, false),
                    text::handle(p.last_name, false)
                ),
                1 => format!(
                    "{}{}{}",
                    text::handle(p.first_name, false),
                    text::handle(p.last_name, false),
                    rng.range(1, 99)
                ),
                _ => format!(
                    "{}{}",
                    text::handle(p.first_name, false)
                        .chars()
                        .next()
                        .unwrap_or('x'),
                    text::handle(p.last_name, false)
                ),
            };
            format!("{local}@{}", rng.pick(catalog::PERSONAL_EMAIL_DOMAINS))
        } else if rng.chance(0.97) {
            self.email.clone()
        } else {
            String::new()
        };
        let email = if !email.is_empty() && rng.chance(0.08) {
            text::email_case_noise(&email, rng)
        } else {
            email
        };
        let phone = if rng.chance(0.55) {
            phone_free_form(rng, &p.phone, p.country_ref, p.city_ref)
        } else {
            String::new()
        };
        let embedded_newline = self.row.row % 1000 == 41;
        let title = if embedded_newline {
            format!("{}\nEMEA & APAC", self.title.title)
        } else {
            match rng.below(100) {
                0..=19 => String::new(),
                20..=44 => (*rng.pick(self.title.variants)).to_string(),
                45..=49 => self.title.title.to_lowercase(),
                _ => self.title.title.to_string(),
            }
        };
        let company_name = match rng.below(100) {
            0..=7 => String::new(),
            8..=22 => suffix_variant(rng, &c.name, &c.legal_name),
            23..=26 => c.name.to_lowercase(),
            27..=32 => text::typo(&c.name, rng),
            33..=38 => and_swap(&c.name),
            39..=44 => without_descriptor(c),
            _ => c.name.clone(),
        };
        let website = match rng.below(100) {
            0..=19 => String::new(),
            20..=44 => c.domain.clone(),
            45..=59 => format!("www.{}", c.domain),
            60..=71 => format!("https://{}", c.domain),
            72..=83 => format!("https://www.{}/", c.domain),
            84..=91 => format!("http://{}", c.domain),
            92..=95 => format!("https://www.{}/en-us", c.domain),
            _ => capitalise_domain(&c.domain),
        };
        let country = if rng.chance(0.85) {
            (*rng.pick(p.country_ref.aliases)).to_string()
        } else {
            String::new()
        };
        let state = if rng.chance(0.55) {
            p.region.to_string()
        } else {
            String::new()
        };
        let city = match rng.below(100) {
            0..=34 => String::new(),
            35..=49 if !p.city_ref.local.is_empty() => p.city_ref.local.to_string(),
            50..=52 => p.city.to_uppercase(),
            _ => p.city.to_string(),
        };
        let lifecycle = if c.is_customer && rng.chance(0.85) {
            "Customer"
        } else {
            *rng.weighted(catalog::LIFECYCLE_STAGES)
        };
        let lead_status = *rng.weighted(catalog::LEAD_STATUSES);
        let observed = self.row.observed_at.as_second();
        let created =
            observed - i64::from(rng.range(0, 500)) * DAY - i64::from(rng.range(0, 86_399));
        let last_activity = if rng.chance(0.85) {
            time::date_minutes(self.row.observed_at)
        } else {
            String::new()
        };
        let owner = if rng.chance(0.7) {
            (*rng.pick(catalog::CONTACT_OWNERS)).to_string()
        } else {
            String::new()
        };
        vec![
            record_id(self.seed, self.row).unwrap_or_default(),
            first,
            last,
            email,
            phone,
            title,
            company_name,
            website,
            country,
            state,
            city,
            lifecycle.to_string(),
            lead_status.to_string(),
            time::date_minutes(time::at(created)),
            last_activity,
            owner,
        ]
    }
}

/// A name as a source spells it: mostly right, sometimes with a typo, without its
/// diacritics, or in the wrong case.
fn name_variant(rng: &mut Rng, name: &str, typo: f64, fold: f64, case: f64) -> String {
    let roll = rng.unit();
    if roll < typo {
        text::typo(name, rng)
    } else if roll < typo + fold {
        text::ascii_fold(name, false)
    } else if roll < typo + fold + case {
        text::case_noise(name, rng)
    } else {
        name.to_string()
    }
}

/// "Harper & Lowe" ↔ "Harper and Lowe"; other names are returned unchanged.
fn and_swap(name: &str) -> String {
    if name.contains(" & ") {
        name.replace(" & ", " and ")
    } else {
        name.replace(" and ", " & ")
    }
}

/// The name with a hand-typed spelling of its legal form ("Brightloop Inc", "Kestrel Ltd.").
fn suffix_variant(rng: &mut Rng, name: &str, legal_name: &str) -> String {
    let suffix = legal_name
        .strip_prefix(name)
        .unwrap_or("")
        .trim_start_matches([',', ' ']);
    let options: &[&str] = match suffix {
        "Inc." => &[" Inc", " Inc.", ", Inc.", ", Inc", " INC"],
        "LLC" => &[" LLC", ", LLC", " L.L.C.", " llc"],
        "Corp." => &[" Corp", " Corporation", " Corp."],
        "Ltd" | "Ltd." => &[" Ltd", " Ltd.", " Limited", " LTD"],
        "Limited" => &[" Ltd", " Ltd.", " Limited"],
        "GmbH" => &[" GmbH", " Gmbh", " GMBH"],
        "B.V." => &[" B.V.", " BV", " B.V"],
        "AB" => &[" AB", " Aktiebolag"],
        "Pty Ltd" => &[" Pty Ltd", " Pty. Ltd.", " PTY LTD"],
        "" => &[" Inc", " Ltd", " Group"],
        _ => return legal_name.to_string(),
    };
    format!("{name}{}", rng.pick(options))
}

/// The brand without the industry word ("Brightloop" for "Brightloop Analytics"), as people
/// shorten company names.
fn without_descriptor(c: &Company) -> String {
    match c.name.rsplit_once(' ') {
        Some((brand, last)) if c.industry_ref.descriptors.contains(&last) => brand.to_string(),
        _ => c.name.clone(),
    }
}

fn capitalise_domain(domain: &str) -> String {
    let mut cs = domain.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

fn owner_email(name: &str) -> String {
    let mut parts = name.split(' ');
    let first = text::handle(parts.next().unwrap_or(""), false);
    let last = text::handle(parts.next().unwrap_or(""), false);
    format!("{first}.{last}@{}", catalog::OWNER_EMAIL_DOMAIN)
}

/// Apollo's account id for a company: stable across rows.
fn account_id(seed: u64, company: CompanyId) -> String {
    let mut rng = Rng::derive(seed, STREAM_ACCOUNT, u64::from(company.0));
    format!(
        "{}{}",
        text::hex(0x5f00_0000 + rng.below(0x0100_0000), 8),
        text::hex(rng.next_u64(), 16)
    )
}

/// Funding facts Apollo shows for a company (total, latest round, date), stable across rows.
pub(crate) fn funding(seed: u64, c: &Company) -> (String, String, String) {
    let mut rng = Rng::derive(seed, STREAM_FUNDING, u64::from(c.id.0));
    if !rng.chance(0.4) {
        return (String::new(), String::new(), String::new());
    }
    let total = u64::from(rng.range(2, 400)) * 500_000;
    let round = *rng.pick(catalog::FUNDING_ROUNDS);
    // Funding dates are anchored to the company, not to `now`: a fixed 2019–2025 window.
    let raised = 1_546_300_800 + i64::from(rng.range(0, 2500)) * DAY;
    (
        total.to_string(),
        round.to_string(),
        time::date(time::at(raised)),
    )
}

fn headcount_range(employees: u32) -> &'static str {
    match employees {
        0..=10 => "1-10",
        11..=50 => "11-50",
        51..=200 => "51-200",
        201..=500 => "201-500",
        501..=1000 => "501-1000",
        1001..=5000 => "1001-5000",
        5001..=10_000 => "5001-10000",
        _ => "10001+",
    }
}

fn linkedin_location(rng: &mut Rng, country: &Country, city: &City) -> String {
    match rng.below(100) {
        0..=64 if city.region == city.name => format!("{}, {}", city.name, country.name),
        0..=64 => format!("{}, {}, {}", city.name, city.region, country.name),
        65..=84 if !city.metro.is_empty() => city.metro.to_string(),
        65..=89 => format!("{}, {}", city.region, country.name),
        _ => country.name.to_string(),
    }
}

/// Splits an E.164 number into (area, subscriber) using the plan it was made from.
fn split_number<'a>(e164: &'a str, country: &Country, city: &City) -> (&'a str, &'a str) {
    let rest = &e164[1 + country.calling_code.len()..];
    let area_len = city.area.len().min(rest.len());
    rest.split_at(area_len)
}

fn group(sub: &str, nanp: bool) -> String {
    let sep = if nanp { "-" } else { " " };
    match sub.len() {
        6 => format!("{} {}", &sub[..3], &sub[3..]),
        7 => format!("{}{sep}{}", &sub[..3], &sub[3..]),
        8 => format!("{} {}", &sub[..4], &sub[4..]),
        _ => sub.to_string(),
    }
}

/// "+1 512-555-0143", "+44 20 7946 0123".
fn phone_international(e164: &str, country: &Country, city: &City) -> String {
    let nanp = country.calling_code == "1";
    let (area, sub) = split_number(e164, country, city);
    if nanp {
        format!("+1 {area}-{}", group(sub, true))
    } else if area.is_empty() {
        format!("+{} {}", country.calling_code, group(sub, false))
    } else {
        format!("+{} {area} {}", country.calling_code, group(sub, false))
    }
}

/// The ways people type phone numbers into a CRM.
fn phone_free_form(rng: &mut Rng, e164: &str, country: &Country, city: &City) -> String {
    let nanp = country.calling_code == "1";
    let (area, sub) = split_number(e164, country, city);
    let mut out = match rng.below(100) {
        0..=29 => phone_international(e164, country, city),
        30..=69 if nanp => format!("({area}) {}", group(sub, true)),
        30..=69 => format!("{}{area} {}", country.trunk, group(sub, false)),
        70..=84 => e164.to_string(),
        _ if nanp => format!(
            "{area}.{}.{}",
            &sub[..3.min(sub.len())],
            &sub[3.min(sub.len())..]
        ),
        _ => format!("00{}{area}{sub}", country.calling_code),
    };
    if rng.chance(0.05) {
        out.push_str(&format!(" ext. {}", rng.range(100, 499)));
    }
    out
}

/// A mobile number in the person's country (UK numbers in Ofcom's 07700 900xxx drama range,
/// North American ones in 555-01xx).
fn mobile_number(rng: &mut Rng, country: &Country, city: &City) -> String {
    match country.code {
        "GB" => format!("+447700900{:03}", rng.below(1000)),
        _ => crate::world::phone_number(rng, country, city, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> &'static Country {
        &catalog::COUNTRIES[0]
    }

    #[test]
    fn phone_formats() {
        let c = us();
        let city = &c.cities[0];
        assert_eq!(
            phone_international("+15125550143", c, city),
            "+1 512-555-0143"
        );
        let gb = &catalog::COUNTRIES[2];
        assert_eq!(
            phone_international("+442079460123", gb, &gb.cities[0]),
            "+44 20 7946 0123"
        );
    }

    #[test]
    fn and_swap_goes_both_ways() {
        assert_eq!(and_swap("Harper & Lowe"), "Harper and Lowe");
        assert_eq!(and_swap("Harper and Lowe"), "Harper & Lowe");
        assert_eq!(and_swap("Brightloop"), "Brightloop");
    }

    #[test]
    fn headcount_ranges_follow_linkedin() {
        assert_eq!(headcount_range(50), "11-50");
        assert_eq!(headcount_range(51), "51-200");
        assert_eq!(headcount_range(1000), "501-1000");
        assert_eq!(headcount_range(20_000), "10001+");
    }

    #[test]
    fn suffix_variants_keep_the_name() {
        let mut rng = Rng::new(1);
        for _ in 0..20 {
            let v = suffix_variant(&mut rng, "Brightloop", "Brightloop, Inc.");
            assert!(v.starts_with("Brightloop") && v.len() > "Brightloop".len());
        }
    }
}
