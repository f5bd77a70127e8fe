//! The truth behind a B2B contact file: companies, the people who work there (and, for
//! people who changed jobs, where they worked before), and which source knows each person
//! how many times. The file's rows are views of this truth, rendered in `render`.
//!
//! People are made company by company until the requested number of rows is reached, so
//! generation is linear in the size of the file and a file of N rows has exactly N rows.

use std::collections::HashSet;

use crate::b2b::Knobs;
use crate::b2b::names::{DIASPORA, Heritage, Names};
use crate::b2b::phone::{Numbering, Phone};
use crate::catalog::{self, City, Country, Title};
use crate::rng::Rng;
use crate::text;

const STREAM_COMPANY: u64 = 101;
const STREAM_PERSON: u64 = 102;
const STREAM_SOURCES: u64 = 103;

/// The largest company when `colleagues` is on; the smallest is one person.
pub(crate) const MAX_COMPANY: u32 = 300;
/// The largest company when it is off.
pub(crate) const SMALL_COMPANY: u32 = 8;

/// One of the three exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Crm,
    Apollo,
    LinkedIn,
}

impl Source {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Source::Crm => "crm",
            Source::Apollo => "apollo",
            Source::LinkedIn => "linkedin",
        }
    }
}

/// How a company forms its employees' addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EmailPattern {
    /// jane.doe
    FirstDotLast,
    /// jdoe
    InitialLast,
    /// janed
    FirstInitial,
    /// jane
    First,
    /// j.doe
    InitialDotLast,
    /// jane_doe
    FirstUnderscoreLast,
}

const EMAIL_PATTERNS: &[(EmailPattern, u32)] = &[
    (EmailPattern::FirstDotLast, 40),
    (EmailPattern::InitialLast, 20),
    (EmailPattern::FirstInitial, 8),
    (EmailPattern::First, 10),
    (EmailPattern::InitialDotLast, 12),
    (EmailPattern::FirstUnderscoreLast, 10),
];

impl EmailPattern {
    fn local_part(self, first: &str, last: &str, german: bool) -> String {
        let f = text::handle(first, german);
        let l = text::handle(last, german);
        let fi: String = f.chars().take(1).collect();
        let li: String = l.chars().take(1).collect();
        match self {
            EmailPattern::FirstDotLast => format!("{f}.{l}"),
            EmailPattern::InitialLast => format!("{fi}{l}"),
            EmailPattern::FirstInitial => format!("{f}{li}"),
            EmailPattern::First => f,
            EmailPattern::InitialDotLast => format!("{fi}.{l}"),
            EmailPattern::FirstUnderscoreLast => format!("{f}_{l}"),
        }
    }
}

/// A company as it really is.
#[derive(Debug)]
pub(crate) struct Company {
    /// The name without legal form: "Brightloop Analytics".
    pub name: String,
    /// The name without its industry word: "Brightloop".
    pub brand: String,
    /// "GmbH", "Inc.", or "" for none.
    pub legal: &'static str,
    pub domain: String,
    /// A second domain some rows show (a regional or marketing site), when company naming
    /// varies.
    pub alt_domain: Option<String>,
    /// The name of its LinkedIn page, which Apollo copies.
    pub page_name: String,
    pub country: &'static Country,
    pub city: &'static City,
    pub switchboard: Phone,
    pub pattern: EmailPattern,
    /// The people of the file who work here now.
    pub staff: u32,
}

/// A job: at which company, as what, and the address and line that came with it.
#[derive(Debug)]
pub(crate) struct Job {
    pub company: u32,
    pub title: &'static Title,
    pub email: String,
    pub direct: Phone,
    /// The person's extension on the company switchboard.
    pub extension: u16,
}

/// A person as they really are.
#[derive(Debug)]
pub(crate) struct Person {
    pub heritage: Heritage,
    /// The formal first name.
    pub first: String,
    /// The short form the person is also known by, when nicknames are on.
    pub nickname: Option<&'static str>,
    /// The person goes by the nickname (it is in their address and on their profile).
    pub goes_by_nickname: bool,
    pub last: String,
    pub city: &'static City,
    pub country: &'static Country,
    pub job: Job,
    /// The job before this one, which one stale row still shows.
    pub previous: Option<Job>,
    pub mobile: Option<Phone>,
    pub personal_email: String,
    /// The LinkedIn profile handle.
    pub slug: String,
}

impl Person {
    /// The first name the person goes by.
    pub(crate) fn known_as(&self) -> &str {
        match self.nickname {
            Some(n) if self.goes_by_nickname => n,
            _ => &self.first,
        }
    }
}

/// One row of the file before it is rendered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowSpec {
    pub person: u32,
    pub source: Source,
    /// 0 for the first row of this person in this source; 1, 2 for duplicates in the CRM.
    pub copy: u8,
    /// The row shows the previous job.
    pub stale: bool,
}

impl RowSpec {
    /// A key for the row's own random stream.
    pub(crate) fn key(&self) -> u64 {
        (u64::from(self.person) << 4) | ((self.source as u64) << 2) | u64::from(self.copy)
    }
}

/// The truth and the unrendered rows of one file.
pub(crate) struct Population {
    pub companies: Vec<Company>,
    pub people: Vec<Person>,
    /// In generation order, person by person; the caller shuffles them.
    pub rows: Vec<RowSpec>,
}

/// Country weights of the contact base: a seller based in North America and Europe with
/// customers in India, Brazil, Australia and Singapore.
const COUNTRY_WEIGHTS: &[(&str, u32)] = &[
    ("US", 34),
    ("GB", 10),
    ("DE", 11),
    ("IN", 10),
    ("FR", 5),
    ("NL", 4),
    ("ES", 4),
    ("CA", 4),
    ("AU", 4),
    ("BR", 3),
    ("IT", 3),
    ("IE", 2),
    ("SE", 2),
    ("PL", 2),
    ("DK", 1),
    ("SG", 2),
];

/// Which sources know a person: about 45% are in one, 40% in two, 15% in all three.
const SOURCE_SETS: &[(u8, u32)] = &[
    (0b001, 18),
    (0b010, 15),
    (0b100, 12),
    (0b011, 17),
    (0b101, 8),
    (0b110, 15),
    (0b111, 15),
];

/// Builds the truth for `rows` rows.
pub(crate) fn populate(seed: u64, rows: usize, knobs: &Knobs, names: &Names) -> Population {
    let mut builder = Builder {
        seed,
        knobs,
        names,
        countries: COUNTRY_WEIGHTS
            .iter()
            .map(|(code, w)| (country(code), *w))
            .collect(),
        titles: catalog::TITLES
            .iter()
            .map(|t| t.weight)
            .enumerate()
            .collect(),
        industries: catalog::INDUSTRIES
            .iter()
            .map(|i| i.weight)
            .enumerate()
            .collect(),
        numbering: Numbering::new(),
        company_names: HashSet::new(),
        domains: HashSet::new(),
        locals: Vec::new(),
        personal: HashSet::new(),
        slugs: HashSet::new(),
        population: Population {
            companies: Vec::new(),
            people: Vec::with_capacity(rows * 3 / 5),
            rows: Vec::with_capacity(rows),
        },
    };
    let mut budget = rows;
    let mut index = 0u64;
    while budget > 0 {
        let mut rng = Rng::derive(seed, STREAM_COMPANY, index);
        index += 1;
        let size = company_size(&mut rng, knobs.colleagues);
        let company = builder.company(&mut rng);
        builder.population.companies.push(company);
        builder.locals.push(HashSet::new());
        let mut c_levels = Vec::new();
        for _ in 0..size {
            if budget == 0 {
                break;
            }
            let id = builder.population.people.len() as u32;
            let person = builder.person(id, &mut c_levels);
            let moved = person.previous.is_some();
            builder.population.people.push(person);
            budget -= builder.plan_rows(id, moved, budget);
        }
    }
    builder.population
}

struct Builder<'a> {
    seed: u64,
    knobs: &'a Knobs,
    names: &'a Names,
    countries: Vec<(&'static Country, u32)>,
    titles: Vec<(usize, u32)>,
    industries: Vec<(usize, u32)>,
    numbering: Numbering,
    company_names: HashSet<String>,
    domains: HashSet<String>,
    /// The e-mail local parts taken at each company.
    locals: Vec<HashSet<String>>,
    personal: HashSet<String>,
    slugs: HashSet<String>,
    population: Population,
}

impl Builder<'_> {
    fn company(&mut self, rng: &mut Rng) -> Company {
        let country = *rng.weighted(&self.countries);
        let city = rng.pick(country.cities);
        let culture = *rng.weighted(country.cultures);
        let culture = Heritage::of(culture);
        let industry = &catalog::INDUSTRIES[*rng.weighted(&self.industries)];
        let mut attempt = 0;
        let (brand, name) = loop {
            // After a collision, draw from the large space of invented words only.
            let brand = brand_name(rng, self.names, culture, attempt > 0);
            attempt += 1;
            let descriptor = *rng.pick(industry.descriptors);
            let name = if descriptor.is_empty() {
                brand.clone()
            } else {
                format!("{brand} {descriptor}")
            };
            if self.company_names.insert(name.to_lowercase()) {
                break (brand, name);
            }
        };
        let legal = *rng.weighted(country.legal);
        let german = country.code == "DE";
        let domain = self.domain(rng, country, &brand, &name, german);
        let alt_domain = (self.knobs.company_naming && rng.chance(0.2))
            .then(|| self.alt_domain(rng, &domain))
            .flatten();
        let page_name = match rng.below(100) {
            0..=69 => name.clone(),
            70..=94 if !legal.is_empty() => with_legal(&name, legal),
            _ if brand != name => brand.clone(),
            _ => name.clone(),
        };
        let switchboard = self.numbering.switchboard(rng, country, city);
        let pattern = if self.knobs.email_patterns {
            *rng.weighted(EMAIL_PATTERNS)
        } else {
            EmailPattern::FirstDotLast
        };
        Company {
            name,
            brand,
            legal,
            domain,
            alt_domain,
            page_name,
            country,
            city,
            switchboard,
            pattern,
            staff: 0,
        }
    }

    /// "cloudflow.de", "alpineconsulting.com", or with a number when those are taken
    /// ("alpineconsulting432.com").
    fn domain(
        &mut self,
        rng: &mut Rng,
        country: &Country,
        brand: &str,
        name: &str,
        german: bool,
    ) -> String {
        let tld = if country.code == "IN" && rng.chance(0.25) {
            ".co.in"
        } else {
            *rng.weighted(country.tlds)
        };
        let base = if rng.chance(0.35) {
            text::handle(name, german)
        } else {
            text::handle(brand, german)
        };
        let first = format!("{base}{tld}");
        if self.domains.insert(first.clone()) {
            return first;
        }
        loop {
            let candidate = format!("{base}{}{tld}", rng.range(2, 999));
            if self.domains.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    /// A second domain of the same company: its .com beside a country domain, or a
    /// marketing domain ("getbrightloop.io").
    fn alt_domain(&mut self, rng: &mut Rng, domain: &str) -> Option<String> {
        let (base, tld) = domain.split_once('.')?;
        let candidate = match rng.below(3) {
            0 if tld != "com" => format!("{base}.com"),
            0 | 1 => format!("get{base}.{tld}"),
            _ => format!("{base}hq.{tld}"),
        };
        self.domains.insert(candidate.clone()).then_some(candidate)
    }

    /// One person of the newest company, with the job before this one when they moved.
    fn person(&mut self, id: u32, c_levels: &mut Vec<&'static str>) -> Person {
        let mut rng = Rng::derive(self.seed, STREAM_PERSON, u64::from(id));
        let company_index = self.population.companies.len() as u32 - 1;
        let (company_country, company_city) = {
            let c = &self.population.companies[company_index as usize];
            (c.country, c.city)
        };
        let (country, city) = match rng.below(100) {
            0..=74 => (company_country, company_city),
            75..=94 => (company_country, rng.pick(company_country.cities)),
            _ => {
                let c = *rng.weighted(&self.countries);
                (c, rng.pick(c.cities))
            }
        };
        let heritage = if rng.chance(0.12) {
            *rng.weighted(DIASPORA)
        } else {
            let culture = *rng.weighted(country.cultures);
            Heritage::of(culture)
        };
        let (first, last) = self.names.draw(&mut rng, heritage);
        let nicknames = self.names.nicknames(&first);
        let nickname =
            (self.knobs.nicknames > 0.0 && !nicknames.is_empty()).then(|| *rng.pick(nicknames));
        let goes_by_nickname = nickname.is_some() && rng.chance(0.4);
        let known_as = match nickname {
            Some(n) if goes_by_nickname => n.to_string(),
            _ => first.clone(),
        };
        let title = self.title(&mut rng, c_levels);
        let job = self.job(&mut rng, company_index, title, &known_as, &last, heritage);
        let mover =
            self.knobs.job_movers > 0.0 && company_index > 0 && rng.chance(self.knobs.job_movers);
        let previous = mover.then(|| {
            let old = rng.index(company_index as usize) as u32;
            let title = self.title(&mut rng, &mut Vec::new());
            self.job(&mut rng, old, title, &known_as, &last, heritage)
        });
        let mobile = rng
            .chance(0.5)
            .then(|| self.numbering.mobile(&mut rng, country, city));
        let personal_email = self.personal_email(&mut rng, &known_as, &last);
        let slug = self.slug(&mut rng, &known_as, &last);
        self.population.companies[company_index as usize].staff += 1;
        Person {
            heritage,
            first,
            nickname,
            goes_by_nickname,
            last,
            city,
            country,
            job,
            previous,
            mobile,
            personal_email,
            slug,
        }
    }

    /// Plans the rows of person `id` (at most `budget`): which sources know them, CRM
    /// duplicates, and, for a mover, which row still shows the old job. Returns how many
    /// rows were planned.
    fn plan_rows(&mut self, id: u32, moved: bool, budget: usize) -> usize {
        let mut rng = Rng::derive(self.seed, STREAM_SOURCES, u64::from(id));
        let mut mask = *rng.weighted(SOURCE_SETS);
        if moved && mask.count_ones() == 1 {
            // A move shows only where two sources disagree about it.
            mask |= if mask == 0b100 { 0b001 } else { 0b100 };
        }
        let crm_copies = if mask & 1 == 0 {
            0
        } else {
            match rng.below(100) {
                0 => 2,
                1..=5 => 1,
                _ => 0,
            }
        };
        // The CRM is the source that goes stale; without it, Apollo's row does.
        let stale_source = match (moved, mask & 1 != 0) {
            (false, _) => None,
            (true, true) => Some(Source::Crm),
            (true, false) => Some(Source::Apollo),
        };
        let mut planned = Vec::with_capacity(5);
        if mask & 0b001 != 0 {
            planned.extend((0..=crm_copies).map(|copy| (Source::Crm, copy)));
        }
        if mask & 0b010 != 0 {
            planned.push((Source::Apollo, 0));
        }
        if mask & 0b100 != 0 {
            planned.push((Source::LinkedIn, 0));
        }
        planned.truncate(budget);
        let count = planned.len();
        self.population
            .rows
            .extend(planned.into_iter().map(|(source, copy)| RowSpec {
                person: id,
                source,
                copy,
                stale: copy == 0 && stale_source == Some(source),
            }));
        count
    }

    /// A title; a company has one of each C-level role.
    fn title(&self, rng: &mut Rng, c_levels: &mut Vec<&'static str>) -> &'static Title {
        for _ in 0..8 {
            let t = &catalog::TITLES[*rng.weighted(&self.titles)];
            if t.seniority != "c_level" || !c_levels.contains(&t.title) {
                if t.seniority == "c_level" {
                    c_levels.push(t.title);
                }
                return t;
            }
        }
        catalog::TITLES
            .iter()
            .find(|t| t.seniority == "entry")
            .unwrap_or(&catalog::TITLES[0])
    }

    fn job(
        &mut self,
        rng: &mut Rng,
        company: u32,
        title: &'static Title,
        first: &str,
        last: &str,
        heritage: Heritage,
    ) -> Job {
        let c = &self.population.companies[company as usize];
        let german = c.country.code == "DE" || heritage.german();
        let base = c.pattern.local_part(first, last, german);
        let taken = &mut self.locals[company as usize];
        let mut local = base.clone();
        let mut n = 2;
        while !taken.insert(local.clone()) {
            local = format!("{base}{n}");
            n += 1;
        }
        let email = format!("{local}@{}", c.domain);
        let (board, city) = (c.switchboard.clone(), c.city);
        let direct = self.numbering.direct(rng, &board, city);
        Job {
            company,
            title,
            email,
            direct,
            extension: rng.range(100, 899) as u16,
        }
    }

    fn personal_email(&mut self, rng: &mut Rng, first: &str, last: &str) -> String {
        let f = text::handle(first, false);
        let l = text::handle(last, false);
        let domain = rng.pick(&[
            "gmail.com",
            "gmail.com",
            "gmail.com",
            "outlook.com",
            "yahoo.com",
            "hotmail.com",
            "icloud.com",
        ]);
        let mut local = match rng.below(4) {
            0 => format!("{f}.{l}"),
            1 => format!("{f}{l}"),
            2 => format!("{f}{l}{}", rng.range(70, 99)),
            _ => format!("{}{l}", &f[..f.len().min(1)]),
        };
        while !self.personal.insert(format!("{local}@{domain}")) {
            local = format!("{local}{}", rng.below(10));
        }
        format!("{local}@{domain}")
    }

    /// "jane-doe-4a1b2c3d", or a vanity handle ("janedoe", "jdoe") where it is free.
    fn slug(&mut self, rng: &mut Rng, first: &str, last: &str) -> String {
        let f = text::handle(first, false);
        let l = text::handle(last, false);
        let vanity = match rng.below(100) {
            0..=54 => None,
            55..=69 => Some(format!("{f}{l}")),
            70..=84 => Some(format!("{f}-{l}")),
            _ => Some(format!("{}{l}", &f[..f.len().min(1)])),
        };
        if let Some(v) = vanity
            && self.slugs.insert(v.clone())
        {
            return v;
        }
        loop {
            let s = format!(
                "{}-{}",
                text::slug(&format!("{first} {last}")),
                text::hex(rng.next_u64(), 8)
            );
            if self.slugs.insert(s.clone()) {
                return s;
            }
        }
    }
}

fn country(code: &str) -> &'static Country {
    catalog::COUNTRIES
        .iter()
        .find(|c| c.code == code)
        .expect("the country is in the catalog")
}

/// People per company. Off: 1–8. On: a Zipf-like tail, P(size ≥ k) ≈ 1/k up to 300, so
/// half the companies have one person in the file and one in 150 has more than 100.
pub(crate) fn company_size(rng: &mut Rng, colleagues: bool) -> u32 {
    if !colleagues {
        return rng.range(1, SMALL_COMPANY);
    }
    let floor = 1.0 / f64::from(MAX_COMPANY);
    let u = floor + (1.0 - floor) * (1.0 - rng.unit());
    ((1.0 / u) as u32).clamp(1, MAX_COMPANY)
}

/// "Brightloop Analytics GmbH", "Brightloop Analytics, Inc.".
pub(crate) fn with_legal(name: &str, legal: &str) -> String {
    if legal == "Inc." {
        format!("{name}, Inc.")
    } else {
        format!("{name} {legal}")
    }
}

/// A brand: a compound word ("Cobaltforge"), an invented word ("Velora"), a two-word place
/// name ("Blue Harbor") or two surnames ("Harper & Lowe").
fn brand_name(rng: &mut Rng, names: &Names, culture: Heritage, invented_only: bool) -> String {
    let kind = if invented_only { 50 } else { rng.below(100) };
    match kind {
        0..=39 => format!(
            "{}{}",
            rng.pick(catalog::BRAND_HEADS),
            rng.pick(catalog::BRAND_TAILS)
        ),
        40..=79 => {
            let mut w = String::new();
            w.push_str(rng.pick::<&str>(catalog::ONSETS));
            w.push_str(rng.pick::<&str>(catalog::VOWELS));
            w.push_str(rng.pick::<&str>(catalog::ONSETS));
            w.push_str(rng.pick::<&str>(catalog::VOWELS));
            w.push_str(rng.pick::<&str>(catalog::CODAS));
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().chain(cs).collect(),
                None => w,
            }
        }
        80..=89 => format!(
            "{} {}",
            rng.pick(catalog::PLACE_ADJECTIVES),
            rng.pick(catalog::PLACE_NOUNS)
        ),
        _ => {
            let (_, a) = names.draw(rng, culture);
            let (_, b) = names.draw(rng, culture);
            format!("{a} & {b}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_sizes_have_a_heavy_tail_only_when_colleagues_are_on() {
        let mut rng = Rng::new(3);
        let off: Vec<u32> = (0..20_000).map(|_| company_size(&mut rng, false)).collect();
        let on: Vec<u32> = (0..20_000).map(|_| company_size(&mut rng, true)).collect();
        assert!(off.iter().all(|s| (1..=SMALL_COMPANY).contains(s)));
        assert!(on.iter().all(|s| (1..=MAX_COMPANY).contains(s)));
        let ones = on.iter().filter(|s| **s == 1).count();
        let large = on.iter().filter(|s| **s > 100).count();
        assert!((9_000..11_000).contains(&ones), "{ones} companies of one");
        assert!((60..250).contains(&large), "{large} companies over 100");
    }

    #[test]
    fn email_patterns_fold_names() {
        let p = EmailPattern::InitialDotLast.local_part("Jürgen", "Müller", true);
        assert_eq!(p, "j.mueller");
        let p = EmailPattern::FirstUnderscoreLast.local_part("Zoë", "van den Berg", false);
        assert_eq!(p, "zoe_vandenberg");
    }
}
