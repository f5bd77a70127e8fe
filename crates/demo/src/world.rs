//! The true world behind the demo files: companies with their firmographics and stack, and
//! the people who work there. Sources, CRM history and events are all views of this truth,
//! rendered with defects; tests of later stages compare what they resolve against it.
//!
//! About 40% of companies are planned to fit the demo ICP; the others are planned to miss it
//! on one or two criteria (wrong industry, too small or too large, wrong country, a
//! competitor's tool, no CRM the ICP accepts, slow growth, or an unknown stack). `fits_icp` is
//! then computed from the generated values, so it is the generator's own reading of the ICP
//! (`crates/core/src/icp/sample.toml`), not the plan.

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;

use crate::catalog::{self, City, Country, Culture, Industry, Persona, Title};
use crate::rng::Rng;
use crate::text;

pub(crate) const STREAM_COMPANY: u64 = 1;
pub(crate) const STREAM_PEOPLE: u64 = 2;
pub(crate) const STREAM_LAYOUT: u64 = 3;

/// A company's identity in the demo truth, shown as `C000042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CompanyId(pub u32);

impl fmt::Display for CompanyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C{:06}", self.0)
    }
}

/// A person's identity in the demo truth, shown as `P0000042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PersonId(pub u32);

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{:07}", self.0)
    }
}

/// One reason a company falls outside the demo ICP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IcpMiss {
    /// Not one of the ICP's three industries.
    Industry,
    /// Fewer than 50 employees.
    TooSmall,
    /// More than 1,000 employees.
    TooLarge,
    /// Not in the ICP's nine countries.
    Country,
    /// Revenue outside $5M–$250M.
    Revenue,
    /// Headcount growth below 5%.
    Growth,
    /// Neither Salesforce nor HubSpot in the stack.
    NoCrm,
    /// LeanData or Chili Piper in the stack.
    CompetitorTool,
    /// No technographic data at all, so the stack cannot be confirmed. leadgate-core's
    /// `icp::evaluate` calls such a company undetermined rather than not fit; here it counts
    /// as not (known to be) fitting.
    UnknownStack,
    /// The company is itself a competitor (an ICP exclusion).
    Competitor,
}

impl IcpMiss {
    pub fn label(self) -> &'static str {
        match self {
            IcpMiss::Industry => "industry",
            IcpMiss::TooSmall => "too_small",
            IcpMiss::TooLarge => "too_large",
            IcpMiss::Country => "country",
            IcpMiss::Revenue => "revenue",
            IcpMiss::Growth => "growth",
            IcpMiss::NoCrm => "no_crm",
            IcpMiss::CompetitorTool => "competitor_tool",
            IcpMiss::UnknownStack => "unknown_stack",
            IcpMiss::Competitor => "competitor",
        }
    }
}

/// How a company forms its employees' e-mail addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailPattern {
    FirstDotLast,
    FirstInitialLast,
    First,
    FirstLast,
    FirstUnderscoreLast,
    FirstLastInitial,
}

impl EmailPattern {
    pub(crate) fn local_part(self, first: &str, last: &str, german: bool) -> String {
        let f = text::handle(first, german);
        let l = text::handle(last, german);
        let fi = f.chars().next().map(String::from).unwrap_or_default();
        let li = l.chars().next().map(String::from).unwrap_or_default();
        match self {
            EmailPattern::FirstDotLast => format!("{f}.{l}"),
            EmailPattern::FirstInitialLast => format!("{fi}{l}"),
            EmailPattern::First => f,
            EmailPattern::FirstLast => format!("{f}{l}"),
            EmailPattern::FirstUnderscoreLast => format!("{f}_{l}"),
            EmailPattern::FirstLastInitial => format!("{f}{li}"),
        }
    }
}

const EMAIL_PATTERNS: &[(EmailPattern, u32)] = &[
    (EmailPattern::FirstDotLast, 45),
    (EmailPattern::FirstInitialLast, 20),
    (EmailPattern::First, 10),
    (EmailPattern::FirstLast, 12),
    (EmailPattern::FirstUnderscoreLast, 5),
    (EmailPattern::FirstLastInitial, 8),
];

/// A company as it really is.
#[derive(Debug, Clone, Serialize)]
pub struct Company {
    pub id: CompanyId,
    /// The canonical name, without legal form ("Brightloop Analytics").
    pub name: String,
    /// The name with its legal form ("Brightloop Analytics, Inc."), as registries write it.
    pub legal_name: String,
    /// The bare registrable domain ("brightloop.io").
    pub domain: String,
    /// LinkedIn's classic industry label, the vocabulary of the ICP.
    pub industry: &'static str,
    /// ISO 3166-1 alpha-2.
    pub country: &'static str,
    pub city: &'static str,
    pub region: &'static str,
    pub employees: u32,
    pub revenue_usd: u64,
    /// Year-on-year headcount growth in percent, one decimal.
    pub headcount_growth_pct: f64,
    /// The detected stack; empty when nothing is known about it (an unknown stack, not a
    /// known-empty one).
    pub technologies: Vec<&'static str>,
    /// Switchboard number, E.164.
    pub phone: String,
    pub linkedin_url: String,
    pub email_pattern: EmailPattern,
    /// Has closed-won business in the CRM history.
    pub is_customer: bool,
    /// Sells a competing lead-routing product.
    pub is_competitor: bool,
    /// The generator's reading of the demo ICP (firmographics, technographics, competitor
    /// exclusion); being a customer does not change it.
    pub fits_icp: bool,
    pub icp_misses: Vec<IcpMiss>,
    /// Actively evaluating a lead-routing product now: the driver of recent pricing-page
    /// visits, webinar sign-ups and high intent scores.
    pub in_market: bool,
    #[serde(skip)]
    pub(crate) country_ref: &'static Country,
    #[serde(skip)]
    pub(crate) industry_ref: &'static Industry,
    #[serde(skip)]
    pub(crate) city_ref: &'static City,
}

/// The job a person held before their current one, still visible in stale source rows.
#[derive(Debug, Clone, Serialize)]
pub struct PreviousJob {
    pub company_id: CompanyId,
    pub title: &'static str,
    pub email: String,
    #[serde(skip)]
    pub(crate) title_ref: &'static Title,
}

/// A person as they really are.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: PersonId,
    pub company_id: CompanyId,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub title: &'static str,
    /// In the ICP's vocabulary: c_level, vp, director, manager, senior, entry.
    pub seniority: &'static str,
    /// sales, operations, marketing, engineering, finance, executive, customer_success,
    /// product or hr.
    pub department: &'static str,
    pub persona: Option<Persona>,
    pub email: String,
    /// Direct line, E.164.
    pub phone: String,
    pub linkedin_url: String,
    /// ISO 3166-1 alpha-2 of where the person lives (not always the company's country).
    pub country: &'static str,
    pub city: &'static str,
    pub region: &'static str,
    /// Set for people who changed company in the last two years.
    pub previous: Option<Box<PreviousJob>>,
    #[serde(skip)]
    pub(crate) title_ref: &'static Title,
    #[serde(skip)]
    pub(crate) country_ref: &'static Country,
    #[serde(skip)]
    pub(crate) city_ref: &'static City,
}

/// Builds companies with globally unique names, domains and LinkedIn pages; shared by the
/// discovery world and the CRM's past accounts so that the two never collide.
pub(crate) struct CompanyFactory {
    seed: u64,
    names: HashSet<String>,
    domains: HashSet<String>,
    slugs: HashSet<String>,
}

const FIT_SHARE: f64 = 0.40;

const MISS_WEIGHTS: &[(IcpMiss, u32)] = &[
    (IcpMiss::Industry, 34),
    (IcpMiss::TooSmall, 14),
    (IcpMiss::TooLarge, 9),
    (IcpMiss::Country, 16),
    (IcpMiss::CompetitorTool, 9),
    (IcpMiss::NoCrm, 9),
    (IcpMiss::Growth, 5),
    (IcpMiss::UnknownStack, 4),
];

impl CompanyFactory {
    pub(crate) fn new(seed: u64) -> Self {
        CompanyFactory {
            seed,
            names: HashSet::new(),
            domains: HashSet::new(),
            slugs: HashSet::new(),
        }
    }

    /// A company planned to fit the ICP or to miss it; `index` selects its random stream.
    pub(crate) fn company(&mut self, id: CompanyId, index: u64) -> Company {
        let mut rng = Rng::derive(self.seed, STREAM_COMPANY, index);
        let mut plan: Vec<IcpMiss> = Vec::new();
        if !rng.chance(FIT_SHARE) {
            plan.push(*rng.weighted(MISS_WEIGHTS));
            if rng.chance(0.25) {
                let second = *rng.weighted(MISS_WEIGHTS);
                let conflicting = matches!(
                    (plan[0], second),
                    (IcpMiss::TooSmall, IcpMiss::TooLarge) | (IcpMiss::TooLarge, IcpMiss::TooSmall)
                );
                if !plan.contains(&second) && !conflicting {
                    plan.push(second);
                }
            }
        }
        let planned_fit = plan.is_empty();

        let industry = pick_industry(&mut rng, !plan.contains(&IcpMiss::Industry));
        let country = pick_country(&mut rng, !plan.contains(&IcpMiss::Country));
        let city = rng.pick(country.cities);
        let employees = pick_employees(&mut rng, &plan);
        let (lo, hi) = industry.revenue_per_employee;
        let per_employee = u64::from(rng.range(lo, hi)) * 1000;
        let revenue_usd = (u64::from(employees) * per_employee).div_ceil(100_000) * 100_000;
        let growth_tenths = if plan.contains(&IcpMiss::Growth) {
            rng.range(0, 199) as i32 - 150
        } else {
            let (glo, ghi) = industry.growth;
            let glo = if planned_fit { glo.max(5) } else { glo };
            glo * 10 + rng.range(0, ((ghi - glo) * 10) as u32) as i32
        };
        let technologies = pick_stack(&mut rng, &plan);

        let (name, legal_name, domain) = self.identity(&mut rng, industry, country);
        let linkedin_url = self.linkedin_url(&mut rng, &name);
        let phone = phone_number(&mut rng, country, city, true);

        let mut company = Company {
            id,
            name,
            legal_name,
            domain,
            industry: industry.name,
            country: country.code,
            city: city.name,
            region: city.region,
            employees,
            revenue_usd,
            headcount_growth_pct: f64::from(growth_tenths) / 10.0,
            technologies,
            phone,
            linkedin_url,
            email_pattern: *rng.weighted(EMAIL_PATTERNS),
            is_customer: false,
            is_competitor: false,
            fits_icp: false,
            icp_misses: Vec::new(),
            in_market: false,
            country_ref: country,
            industry_ref: industry,
            city_ref: city,
        };
        company.icp_misses = icp_misses(&company);
        company.fits_icp = company.icp_misses.is_empty();
        company.in_market = rng.chance(if company.fits_icp { 0.35 } else { 0.10 });
        company
    }

    /// One of the two lead-routing vendors the ICP excludes by domain. They appear in the
    /// world and in the events (they do look at our pricing page), but no people are
    /// invented for them because they are real companies.
    pub(crate) fn competitor(&mut self, id: CompanyId, which: usize) -> Company {
        let (name, domain, slug, employees) = [
            ("LeanData", "leandata.com", "leandata", 240),
            ("Chili Piper", "chilipiper.com", "chili-piper", 180),
        ][which];
        let country = &catalog::COUNTRIES[0];
        let industry = &catalog::INDUSTRIES[0];
        let city = &country.cities[1];
        let mut rng = Rng::derive(self.seed, STREAM_COMPANY, u64::MAX - which as u64);
        self.names.insert(name.to_lowercase());
        self.domains.insert(domain.to_string());
        self.slugs.insert(slug.to_string());
        let mut company = Company {
            id,
            name: name.to_string(),
            legal_name: format!("{name}, Inc."),
            domain: domain.to_string(),
            industry: industry.name,
            country: country.code,
            city: city.name,
            region: city.region,
            employees,
            revenue_usd: u64::from(employees) * 150_000,
            headcount_growth_pct: 8.0,
            technologies: vec!["Salesforce", "Slack", "Google Analytics"],
            phone: phone_number(&mut rng, country, city, true),
            linkedin_url: format!("https://www.linkedin.com/company/{slug}"),
            email_pattern: EmailPattern::FirstDotLast,
            is_customer: false,
            is_competitor: true,
            fits_icp: false,
            icp_misses: Vec::new(),
            in_market: false,
            country_ref: country,
            industry_ref: industry,
            city_ref: city,
        };
        company.icp_misses = icp_misses(&company);
        company
    }

    /// A unique canonical name, its legal form, and a unique domain.
    fn identity(
        &mut self,
        rng: &mut Rng,
        industry: &Industry,
        country: &'static Country,
    ) -> (String, String, String) {
        let culture = rng.weighted(country.cultures);
        let mut attempt = 0;
        let (name, brand) = loop {
            // After a collision, draw from the large space of invented words only, so that
            // the small spaces of compound and two-word brands do not slow large worlds.
            let (brand, joined_brand) = brand_name(rng, culture, attempt > 0);
            attempt += 1;
            let descriptor = *rng.pick(industry.descriptors);
            let name = if descriptor.is_empty() {
                brand
            } else {
                format!("{brand} {descriptor}")
            };
            if self.names.insert(name.to_lowercase()) {
                break (name, joined_brand);
            }
        };
        let suffix = *rng.weighted(country.legal);
        let legal_name = if suffix.is_empty() {
            name.clone()
        } else if suffix == "Inc." && rng.chance(0.3) {
            format!("{name}, Inc.")
        } else {
            format!("{name} {suffix}")
        };

        let tld = *rng.weighted(country.tlds);
        let base = text::handle(&brand, culture.german);
        for i in 0..8 {
            let candidate = match i {
                0 => format!("{base}{tld}"),
                1 => format!("{}{tld}", text::handle(&name, culture.german)),
                2 => format!("get{base}{tld}"),
                3 => format!("{base}hq{tld}"),
                4 => format!("try{base}{tld}"),
                5 => format!("{base}app{tld}"),
                6 => format!("{base}.com"),
                _ => format!("{}.com", text::handle(&name, culture.german)),
            };
            if !self.domains.contains(&candidate) {
                self.domains.insert(candidate.clone());
                return (name, legal_name, candidate);
            }
        }
        loop {
            let candidate = format!("{base}{}{tld}", rng.range(2, 999));
            if !self.domains.contains(&candidate) {
                self.domains.insert(candidate.clone());
                return (name, legal_name, candidate);
            }
        }
    }

    fn linkedin_url(&mut self, rng: &mut Rng, name: &str) -> String {
        let mut slug = text::slug(name);
        while !self.slugs.insert(slug.clone()) {
            slug = format!("{}-{}", text::slug(name), rng.range(1, 9999));
        }
        format!("https://www.linkedin.com/company/{slug}")
    }
}

fn pick_industry(rng: &mut Rng, icp: bool) -> &'static Industry {
    let pool: Vec<(usize, u32)> = catalog::INDUSTRIES
        .iter()
        .enumerate()
        .filter(|(_, i)| i.icp == icp)
        .map(|(n, i)| (n, i.weight))
        .collect();
    &catalog::INDUSTRIES[*rng.weighted(&pool)]
}

pub(crate) fn pick_country(rng: &mut Rng, icp: bool) -> &'static Country {
    let pool: Vec<(usize, u32)> = catalog::COUNTRIES
        .iter()
        .enumerate()
        .filter(|(_, c)| c.icp == icp)
        .map(|(n, c)| (n, c.weight))
        .collect();
    &catalog::COUNTRIES[*rng.weighted(&pool)]
}

fn pick_employees(rng: &mut Rng, plan: &[IcpMiss]) -> u32 {
    if plan.contains(&IcpMiss::TooSmall) {
        return if rng.chance(0.1) {
            49
        } else {
            rng.range(8, 48)
        };
    }
    if plan.contains(&IcpMiss::TooLarge) {
        return match rng.below(20) {
            0..=1 => 1001,
            2..=11 => rng.range(1001, 2500),
            12..=17 => rng.range(2501, 10_000),
            _ => rng.range(10_001, 50_000),
        };
    }
    match rng.below(100) {
        0..=2 => 50,
        3..=4 => 1000,
        5..=54 => rng.range(50, 200),
        55..=84 => rng.range(201, 500),
        _ => rng.range(501, 1000),
    }
}

fn pick_stack(rng: &mut Rng, plan: &[IcpMiss]) -> Vec<&'static str> {
    if plan.contains(&IcpMiss::UnknownStack) {
        return Vec::new();
    }
    let mut stack: Vec<&'static str> = Vec::new();
    let icp_crm = |rng: &mut Rng, stack: &mut Vec<&'static str>| match rng.below(100) {
        0..=57 => stack.push("Salesforce"),
        58..=91 => stack.push("HubSpot"),
        _ => stack.extend(["Salesforce", "HubSpot"]),
    };
    if plan.contains(&IcpMiss::NoCrm) {
        if rng.chance(0.8) {
            stack.push(*rng.pick(catalog::OTHER_CRMS));
        }
    } else if plan.is_empty() || plan.contains(&IcpMiss::CompetitorTool) || rng.chance(0.7) {
        icp_crm(rng, &mut stack);
    } else {
        stack.push(*rng.pick(catalog::OTHER_CRMS));
    }
    if plan.contains(&IcpMiss::CompetitorTool) || (!plan.is_empty() && rng.chance(0.06)) {
        stack.push(*rng.pick(catalog::COMPETITOR_TOOLS));
    }
    for _ in 0..rng.range(2, 6) {
        let tool = *rng.pick(catalog::OTHER_TOOLS);
        if !stack.contains(&tool) {
            stack.push(tool);
        }
    }
    stack
}

/// A brand and the form of it that goes into a domain ("Harper & Lowe" → "Harper Lowe").
fn brand_name(rng: &mut Rng, culture: &Culture, invented_only: bool) -> (String, String) {
    let kind = if invented_only { 50 } else { rng.below(100) };
    match kind {
        0..=44 => {
            let b = format!(
                "{}{}",
                rng.pick(catalog::BRAND_HEADS),
                rng.pick(catalog::BRAND_TAILS)
            );
            (b.clone(), b)
        }
        45..=74 => {
            let mut w = String::new();
            w.push_str(rng.pick::<&str>(catalog::ONSETS));
            w.push_str(rng.pick::<&str>(catalog::VOWELS));
            w.push_str(rng.pick::<&str>(catalog::ONSETS));
            w.push_str(rng.pick::<&str>(catalog::VOWELS));
            w.push_str(rng.pick::<&str>(catalog::CODAS));
            let mut cs = w.chars();
            let b: String = match cs.next() {
                Some(f) => f.to_uppercase().chain(cs).collect(),
                None => w,
            };
            (b.clone(), b)
        }
        75..=86 => {
            let b = format!(
                "{} {}",
                rng.pick(catalog::PLACE_ADJECTIVES),
                rng.pick(catalog::PLACE_NOUNS)
            );
            (b.clone(), b)
        }
        _ => {
            let a = *rng.pick(culture.last);
            let mut b = *rng.pick(culture.last);
            if a == b {
                b = *rng.pick(catalog::ANGLO.last);
            }
            (format!("{a} & {b}"), format!("{a} {b}"))
        }
    }
}

/// A phone number in E.164 for `city`. Switchboard numbers end in 00 where the numbering
/// plan allows, as they do in practice.
pub(crate) fn phone_number(rng: &mut Rng, country: &Country, city: &City, main: bool) -> String {
    let mut digits = String::with_capacity(16);
    digits.push('+');
    digits.push_str(country.calling_code);
    digits.push_str(city.area);
    let hashes = city.number.chars().filter(|c| *c == '#').count();
    let mut seen = 0;
    for c in city.number.chars() {
        if c == '#' {
            seen += 1;
            let d = if main && seen + 2 > hashes && hashes > 3 {
                0
            } else {
                rng.below(10)
            };
            digits.push(char::from(b'0' + d as u8));
        } else {
            digits.push(c);
        }
    }
    digits
}

/// The generator's reading of the sample ICP for one company.
pub(crate) fn icp_misses(c: &Company) -> Vec<IcpMiss> {
    let mut misses = Vec::new();
    if c.is_competitor {
        misses.push(IcpMiss::Competitor);
    }
    if !c.industry_ref.icp {
        misses.push(IcpMiss::Industry);
    }
    if c.employees < 50 {
        misses.push(IcpMiss::TooSmall);
    }
    if c.employees > 1000 {
        misses.push(IcpMiss::TooLarge);
    }
    if !c.country_ref.icp {
        misses.push(IcpMiss::Country);
    }
    if !(5_000_000..=250_000_000).contains(&c.revenue_usd) {
        misses.push(IcpMiss::Revenue);
    }
    if c.headcount_growth_pct < 5.0 {
        misses.push(IcpMiss::Growth);
    }
    if c.technologies.is_empty() {
        misses.push(IcpMiss::UnknownStack);
    } else {
        if !c.technologies.iter().any(|t| catalog::ICP_CRMS.contains(t)) {
            misses.push(IcpMiss::NoCrm);
        }
        if c.technologies
            .iter()
            .any(|t| catalog::COMPETITOR_TOOLS.contains(t))
        {
            misses.push(IcpMiss::CompetitorTool);
        }
    }
    misses
}

/// How many people of a company the sources know about.
fn people_count(rng: &mut Rng, employees: u32) -> u32 {
    match employees {
        0..=49 => rng.range(1, 4),
        50..=200 => rng.range(2, 7),
        201..=1000 => rng.range(3, 7),
        _ => rng.range(3, 8),
    }
}

/// Title weights in catalog order, computed once per run.
fn title_weights() -> Vec<(usize, u32)> {
    catalog::TITLES
        .iter()
        .map(|t| t.weight)
        .enumerate()
        .collect()
}

fn pick_title(
    rng: &mut Rng,
    weights: &[(usize, u32)],
    taken_c_level: &mut Vec<&'static str>,
) -> &'static Title {
    for _ in 0..8 {
        let t = &catalog::TITLES[*rng.weighted(weights)];
        if t.seniority != "c_level" || !taken_c_level.contains(&t.title) {
            if t.seniority == "c_level" {
                taken_c_level.push(t.title);
            }
            return t;
        }
    }
    &catalog::TITLES[17]
}

/// A bijection on u32 (multiply by odd constants, xor-shift), so that LinkedIn handles made
/// from it never collide.
fn scramble(id: u32, seed: u64) -> u32 {
    let mut x = id ^ (seed as u32);
    x = x.wrapping_mul(0x9E37_79B1);
    x ^= x >> 16;
    x = x.wrapping_mul(0x85EB_CA6B);
    x ^= x >> 13;
    x
}

/// Everyone the sources will mention, company by company. Companies with no people
/// (competitors) are skipped.
pub(crate) fn people(seed: u64, companies: &[Company]) -> Vec<Person> {
    let mut people = Vec::with_capacity(companies.len() * 5);
    let weights = title_weights();
    let ordinary: Vec<usize> = (0..companies.len())
        .filter(|&i| !companies[i].is_competitor)
        .collect();
    for company in companies.iter().filter(|c| !c.is_competitor) {
        let mut rng = Rng::derive(seed, STREAM_PEOPLE, u64::from(company.id.0));
        let count = people_count(&mut rng, company.employees);
        let mut c_level = Vec::new();
        let mut locals: Vec<String> = Vec::new();
        for _ in 0..count {
            let id = PersonId(people.len() as u32);
            let title = pick_title(&mut rng, &weights, &mut c_level);
            let (country, city) = match rng.below(100) {
                0..=74 => (company.country_ref, company.city_ref),
                75..=89 => (company.country_ref, rng.pick(company.country_ref.cities)),
                _ => {
                    let icp = rng.chance(0.6);
                    let c = pick_country(&mut rng, icp);
                    (c, rng.pick(c.cities))
                }
            };
            let culture = rng.weighted(country.cultures);
            let first = *rng.pick(culture.first);
            let last = *rng.pick(culture.last);
            let german = company.country == "DE" || culture.german;
            let mut local = company.email_pattern.local_part(first, last, german);
            if locals.contains(&local) {
                local = format!("{local}{}", locals.len() + 1);
            }
            locals.push(local.clone());
            let email = format!("{local}@{}", company.domain);
            let phone = phone_number(&mut rng, country, city, false);
            let linkedin_url = format!(
                "https://www.linkedin.com/in/{}-{}",
                text::slug(&format!("{first} {last}")),
                text::hex(u64::from(scramble(id.0, seed)), 8)
            );
            let previous = if rng.chance(0.05) && ordinary.len() > 1 {
                let mut other = ordinary[rng.index(ordinary.len())];
                if other == company.id.0 as usize {
                    other = ordinary[(ordinary.iter().position(|&o| o == other).unwrap_or(0) + 1)
                        % ordinary.len()];
                }
                let old = &companies[other];
                let old_title = pick_title(&mut rng, &weights, &mut Vec::new());
                let old_german = old.country == "DE" || culture.german;
                Some(Box::new(PreviousJob {
                    company_id: old.id,
                    title: old_title.title,
                    title_ref: old_title,
                    email: format!(
                        "{}@{}",
                        old.email_pattern.local_part(first, last, old_german),
                        old.domain
                    ),
                }))
            } else {
                None
            };
            people.push(Person {
                id,
                company_id: company.id,
                first_name: first,
                last_name: last,
                title: title.title,
                seniority: title.seniority,
                department: title.department,
                persona: title.persona,
                email,
                phone,
                linkedin_url,
                country: country.code,
                city: city.name,
                region: city.region,
                previous,
                title_ref: title,
                country_ref: country,
                city_ref: city,
            });
        }
    }
    people
}

/// The world's companies: `count` of them, two of which are the ICP's named competitors,
/// placed at seeded positions.
pub(crate) fn companies(factory: &mut CompanyFactory, seed: u64, count: u32) -> Vec<Company> {
    let mut layout = Rng::derive(seed, STREAM_LAYOUT, 0);
    let first = layout.below(u64::from(count)) as u32;
    let mut second = layout.below(u64::from(count)) as u32;
    if second == first {
        second = (first + 1) % count;
    }
    (0..count)
        .map(|i| {
            let id = CompanyId(i);
            if i == first {
                factory.competitor(id, 0)
            } else if i == second {
                factory.competitor(id, 1)
            } else {
                factory.company(id, u64::from(i))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planned_fits_come_out_as_fits() {
        let mut factory = CompanyFactory::new(9);
        let companies: Vec<Company> = (0..400)
            .map(|i| factory.company(CompanyId(i), u64::from(i)))
            .collect();
        let fit = companies.iter().filter(|c| c.fits_icp).count();
        assert!((120..=200).contains(&fit), "fit {fit} of 400");
        for c in &companies {
            assert_eq!(c.fits_icp, icp_misses(c).is_empty());
        }
    }

    #[test]
    fn names_and_domains_are_unique() {
        let mut factory = CompanyFactory::new(1);
        let companies: Vec<Company> = (0..3000)
            .map(|i| factory.company(CompanyId(i), u64::from(i)))
            .collect();
        let names: HashSet<&str> = companies.iter().map(|c| c.name.as_str()).collect();
        let domains: HashSet<&str> = companies.iter().map(|c| c.domain.as_str()).collect();
        assert_eq!(names.len(), companies.len());
        assert_eq!(domains.len(), companies.len());
    }

    #[test]
    fn email_patterns_fold_names() {
        let p = EmailPattern::FirstDotLast.local_part("Zoë", "O'Brien", false);
        assert_eq!(p, "zoe.obrien");
        let p = EmailPattern::FirstInitialLast.local_part("Jürgen", "Müller", true);
        assert_eq!(p, "jmueller");
    }

    #[test]
    fn scramble_is_injective_on_a_range() {
        let seen: HashSet<u32> = (0..100_000).map(|i| scramble(i, 42)).collect();
        assert_eq!(seen.len(), 100_000);
    }
}
