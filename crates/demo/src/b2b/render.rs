//! How each export writes a person: one CSV row per planned row, rendered from the truth
//! with that source's habits and the defects the knobs switch on.
//!
//! - crm (a HubSpot or Salesforce contact export): names as a rep typed them, in any case;
//!   a work address, now and then a personal one; the company as the rep spelled it; a
//!   website sometimes; phone numbers in any format; rarely a LinkedIn URL.
//! - apollo (an Apollo.io people export): diacritics often stripped; work address, title,
//!   company, domain and website, a phone in international form, a LinkedIn URL.
//! - linkedin (a Sales Navigator lead list): names with credentials or pronouns, a headline
//!   for a title, a location such as "Greater Boston" instead of a city; no address, no
//!   phone.
//!
//! Every row has its own random stream, keyed by person, source and copy, so a row's text
//! does not depend on the order the rows are written in.

use crate::b2b::Knobs;
use crate::b2b::names::Names;
use crate::b2b::population::{Company, Job, Person, Population, RowSpec, Source, with_legal};
use crate::catalog::{self, City, Country, Title};
use crate::rng::Rng;
use crate::text;

const STREAM_ROW: u64 = 104;

/// The columns of the file, in order.
pub const B2B_COLUMNS: [&str; 15] = [
    "record_id",
    "source",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "company_name",
    "company_domain",
    "website",
    "title",
    "phone",
    "linkedin_url",
    "city",
    "location",
    "true_id",
];

/// The fields of one row, named.
#[derive(Default)]
struct Fields {
    first: String,
    last: String,
    full: String,
    email: String,
    company_name: String,
    company_domain: String,
    website: String,
    title: String,
    phone: String,
    linkedin_url: String,
    city: String,
    location: String,
}

/// How often a source's names carry a typo, lose their diacritics, or change case.
struct NameNoise {
    typo: f64,
    fold: f64,
    case: f64,
}

fn name_noise(source: Source, copy: u8) -> NameNoise {
    match source {
        // A second CRM entry for the same person is usually a mistyped one.
        Source::Crm if copy > 0 => NameNoise {
            typo: 0.35,
            fold: 0.10,
            case: 0.15,
        },
        Source::Crm => NameNoise {
            typo: 0.03,
            fold: 0.10,
            case: 0.10,
        },
        Source::Apollo => NameNoise {
            typo: 0.01,
            fold: 0.35,
            case: 0.01,
        },
        Source::LinkedIn => NameNoise {
            typo: 0.005,
            fold: 0.03,
            case: 0.02,
        },
    }
}

/// Renders rows from the truth.
pub(crate) struct Renderer<'a> {
    pub seed: u64,
    pub knobs: &'a Knobs,
    pub names: &'a Names,
    pub population: &'a Population,
}

/// A draw that consumes nothing when its knob is off, so that turning one knob on does
/// not reshuffle what the others produce.
fn knob(rng: &mut Rng, share: f64) -> bool {
    share > 0.0 && rng.chance(share)
}

impl Renderer<'_> {
    pub(crate) fn row(&self, record_id: usize, spec: RowSpec) -> [String; 15] {
        let mut rng = Rng::derive(self.seed, STREAM_ROW, spec.key());
        let person = &self.population.people[spec.person as usize];
        let job = match &person.previous {
            Some(previous) if spec.stale => previous,
            _ => &person.job,
        };
        let company = &self.population.companies[job.company as usize];
        let mut f = Fields::default();
        self.names(&mut rng, person, spec, &mut f);
        match spec.source {
            Source::Crm => self.crm(&mut rng, person, job, company, spec, &mut f),
            Source::Apollo => self.apollo(&mut rng, person, job, company, spec, &mut f),
            Source::LinkedIn => self.linkedin(&mut rng, person, job, company, &mut f),
        }
        [
            record_id.to_string(),
            spec.source.label().to_string(),
            f.first,
            f.last,
            f.full,
            f.email,
            f.company_name,
            f.company_domain,
            f.website,
            f.title,
            f.phone,
            f.linkedin_url,
            f.city,
            f.location,
            format!("P{:07}", spec.person),
        ]
    }

    /// First and last name (and the full name where a source has one), with nicknames,
    /// transliterations, noise and swaps.
    fn names(&self, rng: &mut Rng, person: &Person, spec: RowSpec, f: &mut Fields) {
        let knobs = self.knobs;
        let mut first = person.known_as().to_string();
        if let Some(nickname) = person.nickname
            && knob(rng, knobs.nicknames)
        {
            first = if person.goes_by_nickname {
                person.first.clone()
            } else {
                nickname.to_string()
            };
        }
        let mut last = person.last.clone();
        if knob(rng, knobs.transliterations) {
            let respelt_first = self.names.respell(&first, person.heritage, rng);
            let respelt_last = self.names.respell(&last, person.heritage, rng);
            match (respelt_first, respelt_last) {
                (Some(a), Some(b)) => {
                    if rng.chance(0.5) {
                        first = a;
                    } else {
                        last = b;
                    }
                }
                (Some(a), None) => first = a,
                (None, Some(b)) => last = b,
                (None, None) => {}
            }
        }
        let noise = name_noise(spec.source, spec.copy);
        first = noisy(rng, &first, &noise);
        last = noisy(rng, &last, &noise);
        if spec.source == Source::Crm {
            // Caps lock or a lower-case import hits the whole record.
            match rng.below(100) {
                0..=5 => (first, last) = (first.to_uppercase(), last.to_uppercase()),
                6..=9 => (first, last) = (first.to_lowercase(), last.to_lowercase()),
                _ => {}
            }
        }
        let swap_share = match spec.source {
            Source::LinkedIn => knobs.name_swaps / 4.0,
            _ => knobs.name_swaps,
        };
        if knob(rng, swap_share) {
            std::mem::swap(&mut first, &mut last);
        }
        match spec.source {
            Source::LinkedIn => {
                if rng.chance(0.08) {
                    let flair = *rng.pick(catalog::NAME_FLAIR);
                    last.push_str(flair);
                }
                f.full = format!("{first} {last}");
            }
            Source::Crm if knob(rng, knobs.full_name_only) => {
                f.full = if person.heritage.family_name_first() && rng.chance(0.3) {
                    format!("{last} {first}")
                } else if rng.chance(0.25) {
                    format!("{last}, {first}")
                } else {
                    format!("{first} {last}")
                };
                return;
            }
            _ => {}
        }
        f.first = first;
        f.last = last;
    }

    fn crm(
        &self,
        rng: &mut Rng,
        person: &Person,
        job: &Job,
        company: &Company,
        spec: RowSpec,
        f: &mut Fields,
    ) {
        let sparse = self.knobs.missing_fields;
        let duplicate = spec.copy > 0;
        let personal = if duplicate { 0.4 } else { 0.08 };
        f.email = if spec.stale || !rng.chance(personal) {
            job.email.clone()
        } else {
            person.personal_email.clone()
        };
        if rng.chance(0.03) {
            f.email = text::email_case_noise(&f.email, rng);
        }
        if (sparse && rng.chance(0.3)) || (duplicate && rng.chance(0.2)) {
            f.email.clear();
        }
        if sparse && !f.email.is_empty() && rng.chance(0.06) {
            // Contacts created from an inbound e-mail: no name at all.
            f.first.clear();
            f.last.clear();
            f.full.clear();
        }
        f.company_name = self.company_name(rng, company, Source::Crm);
        if sparse && rng.chance(0.05) {
            f.company_name.clear();
        }
        let domain = shown_domain(rng, company);
        if rng.chance(if sparse { 0.15 } else { 0.4 }) {
            f.company_domain = domain.to_string();
        }
        if rng.chance(if sparse { 0.1 } else { 0.3 }) {
            f.website = typed_website(rng, domain);
        }
        f.title = title(rng, job.title, Source::Crm);
        if rng.chance(if sparse { 0.3 } else { 0.03 }) {
            f.title.clear();
        }
        let no_phone =
            rng.chance(if sparse { 0.4 } else { 0.04 }) || (duplicate && rng.chance(0.3));
        if !no_phone {
            f.phone = self.phone(rng, person, job, company, spec);
        }
        if rng.chance(if sparse { 0.02 } else { 0.05 }) {
            f.linkedin_url = if rng.chance(0.5) {
                format!("linkedin.com/in/{}", person.slug)
            } else {
                format!("https://www.linkedin.com/in/{}/", person.slug)
            };
        }
        let city = if spec.stale && rng.chance(0.5) {
            company.city
        } else {
            person.city
        };
        if !rng.chance(if sparse { 0.3 } else { 0.03 }) {
            f.city = match rng.below(100) {
                0..=19 if !city.local.is_empty() => city.local.to_string(),
                20..=24 => city.name.to_lowercase(),
                _ => city.name.to_string(),
            };
        }
    }

    fn apollo(
        &self,
        rng: &mut Rng,
        person: &Person,
        job: &Job,
        company: &Company,
        spec: RowSpec,
        f: &mut Fields,
    ) {
        let sparse = self.knobs.missing_fields;
        if !rng.chance(if sparse { 0.3 } else { 0.03 }) {
            f.email = job.email.clone();
        }
        f.company_name = self.company_name(rng, company, Source::Apollo);
        let domain = shown_domain(rng, company);
        if rng.chance(if sparse { 0.4 } else { 0.7 }) {
            f.company_domain = domain.to_string();
        }
        if rng.chance(if sparse { 0.8 } else { 0.95 }) {
            f.website = format!("http://www.{domain}");
        }
        if !rng.chance(if sparse { 0.15 } else { 0.01 }) {
            f.title = title(rng, job.title, Source::Apollo);
        }
        if !rng.chance(if sparse { 0.5 } else { 0.02 }) {
            f.phone = self.phone(rng, person, job, company, spec);
        }
        if rng.chance(if sparse { 0.65 } else { 0.9 }) {
            f.linkedin_url = format!("http://www.linkedin.com/in/{}", person.slug);
        }
        let city = if spec.stale {
            company.city
        } else {
            person.city
        };
        if !rng.chance(if sparse { 0.2 } else { 0.01 }) {
            f.city = city.name.to_string();
        }
    }

    fn linkedin(
        &self,
        rng: &mut Rng,
        person: &Person,
        job: &Job,
        company: &Company,
        f: &mut Fields,
    ) {
        let sparse = self.knobs.missing_fields;
        f.company_name = self.company_name(rng, company, Source::LinkedIn);
        if !rng.chance(if sparse { 0.1 } else { 0.01 }) {
            f.title = title(rng, job.title, Source::LinkedIn);
        }
        f.linkedin_url = match rng.below(100) {
            0..=79 => format!("https://www.linkedin.com/in/{}", person.slug),
            80..=89 => format!("https://www.linkedin.com/in/{}/", person.slug),
            _ => format!(
                "https://{}.linkedin.com/in/{}",
                person.country.code.to_lowercase(),
                person.slug
            ),
        };
        if !(sparse && rng.chance(0.15)) {
            f.location = linkedin_location(rng, person.country, person.city);
        }
    }

    /// The number a row carries: the company switchboard (when phones are shared), a
    /// mobile, or the person's direct line, in the source's format.
    fn phone(
        &self,
        rng: &mut Rng,
        person: &Person,
        job: &Job,
        company: &Company,
        spec: RowSpec,
    ) -> String {
        let crm = spec.source == Source::Crm;
        if knob(rng, self.knobs.shared_phone) {
            let board = &company.switchboard;
            return if !crm {
                board.apollo(rng)
            } else if rng.chance(0.1) {
                board.typed_with_extension(job.extension, rng)
            } else {
                board.typed(rng)
            };
        }
        let number = match &person.mobile {
            Some(mobile) if !spec.stale && rng.chance(0.25) => mobile,
            _ => &job.direct,
        };
        if crm {
            number.typed(rng)
        } else {
            number.apollo(rng)
        }
    }

    fn company_name(&self, rng: &mut Rng, company: &Company, source: Source) -> String {
        if !self.knobs.company_naming {
            return company.name.clone();
        }
        match source {
            Source::LinkedIn if rng.chance(0.9) => company.page_name.clone(),
            Source::LinkedIn => company.name.clone(),
            Source::Apollo => match rng.below(100) {
                0..=69 => company.page_name.clone(),
                70..=89 => company.name.clone(),
                _ => company.brand.clone(),
            },
            Source::Crm => typed_company(rng, company),
        }
    }
}

/// A name with a source's noise: a typo, lost diacritics, or odd case.
fn noisy(rng: &mut Rng, name: &str, noise: &NameNoise) -> String {
    let roll = rng.unit();
    if roll < noise.typo {
        text::typo(name, rng)
    } else if roll < noise.typo + noise.fold {
        text::ascii_fold(name, false)
    } else if roll < noise.typo + noise.fold + noise.case {
        text::case_noise(name, rng)
    } else {
        name.to_string()
    }
}

fn title(rng: &mut Rng, t: &Title, source: Source) -> String {
    let variant = |rng: &mut Rng| {
        if t.variants.is_empty() {
            t.title.to_string()
        } else {
            rng.pick(t.variants).to_string()
        }
    };
    match source {
        Source::Crm => {
            let s = if rng.chance(0.55) {
                t.title.to_string()
            } else {
                variant(rng)
            };
            if rng.chance(0.04) {
                s.to_lowercase()
            } else {
                s
            }
        }
        Source::Apollo => {
            if rng.chance(0.8) {
                t.title.to_string()
            } else {
                variant(rng)
            }
        }
        Source::LinkedIn => {
            let mut s = if rng.chance(0.5) {
                t.title.to_string()
            } else {
                variant(rng)
            };
            if rng.chance(0.08) {
                let flair = *rng.pick(catalog::TITLE_FLAIR);
                s.push_str(flair);
            }
            s
        }
    }
}

/// The domain a row shows: the company's own, or its second domain now and then.
fn shown_domain<'a>(rng: &mut Rng, company: &'a Company) -> &'a str {
    match &company.alt_domain {
        Some(alt) if rng.chance(0.4) => alt,
        _ => &company.domain,
    }
}

fn typed_website(rng: &mut Rng, domain: &str) -> String {
    match rng.below(5) {
        0 => format!("www.{domain}"),
        1 => format!("https://www.{domain}"),
        2 => domain.to_string(),
        3 => format!("http://{domain}/"),
        _ => format!("https://{domain}/"),
    }
}

/// How a sales rep types a company's name when sources disagree on naming.
fn typed_company(rng: &mut Rng, c: &Company) -> String {
    match rng.below(100) {
        0..=29 => c.name.clone(),
        30..=44 => format!("{}{}", c.name, legal_variant(rng, c.legal)),
        45..=56 if c.brand != c.name => c.brand.clone(),
        45..=56 => format!("{}{}", c.name, legal_variant(rng, c.legal)),
        57..=62 => with_legal(&c.name, c.legal).to_uppercase(),
        63..=67 => c.name.to_lowercase(),
        68..=73 => format!(
            "{}{}",
            c.name,
            rng.pick(&[" (Account)", " - HQ", " EMEA", " [old]", " (Parent)"])
        ),
        74..=79 => c.domain.clone(),
        80..=84 => text::typo(&c.name, rng),
        85..=89 => format!(
            "{}{}",
            c.brand,
            rng.pick(&[" Corporation", " Corp", " Group", " Co.", " Holdings"])
        ),
        90..=94 => format!("{} {}", c.brand, country_label(c.country)),
        _ if c.name.contains(" & ") => c.name.replace(" & ", " and "),
        _ => initials(&c.name).unwrap_or_else(|| c.name.clone()),
    }
}

/// The legal form as people type it (" Inc", ", Inc.", " GMBH"); a form the company does
/// not have when it has none.
fn legal_variant(rng: &mut Rng, legal: &str) -> &'static str {
    let options: &[&'static str] = match legal {
        "Inc." => &[" Inc", " Inc.", ", Inc.", ", Inc", " INC", " Incorporated"],
        "LLC" => &[" LLC", ", LLC", " L.L.C.", " llc"],
        "Corp." => &[" Corp", " Corporation", " Corp."],
        "Ltd" | "Ltd." | "Limited" => &[" Ltd", " Ltd.", " Limited", " LTD"],
        "GmbH" => &[" GmbH", " Gmbh", " GMBH"],
        "GmbH & Co. KG" => &[" GmbH & Co. KG", " GmbH & Co KG", " GmbH"],
        "B.V." => &[" B.V.", " BV", " B.V"],
        "N.V." => &[" N.V.", " NV"],
        "AB" => &[" AB", " Aktiebolag"],
        "Pty Ltd" => &[" Pty Ltd", " Pty. Ltd.", " PTY LTD"],
        "Pvt. Ltd." | "Private Limited" => &[
            " Pvt Ltd",
            " Pvt. Ltd.",
            " Private Limited",
            " Pvt. Limited",
        ],
        "S.L." => &[" S.L.", " SL"],
        "S.A." => &[" S.A.", " SA"],
        "SAS" => &[" SAS", " S.A.S."],
        "S.r.l." => &[" S.r.l.", " Srl", " SRL"],
        "S.p.A." => &[" S.p.A.", " SpA"],
        "Sp. z o.o." => &[" Sp. z o.o.", " sp. z o.o."],
        "Ltda." => &[" Ltda.", " Ltda", " LTDA"],
        "Pte. Ltd." => &[" Pte. Ltd.", " Pte Ltd"],
        "ApS" => &[" ApS"],
        "A/S" => &[" A/S"],
        "plc" => &[" plc", " PLC"],
        "AG" => &[" AG"],
        "SE" => &[" SE"],
        "SA" => &[" SA", " S.A."],
        "SARL" => &[" SARL", " S.A.R.L."],
        "DAC" => &[" DAC"],
        _ => &[" Inc", " Ltd", " Group", " Corp"],
    };
    options[rng.index(options.len())]
}

fn country_label(country: &Country) -> &'static str {
    match country.code {
        "GB" => "UK",
        "US" => "USA",
        _ => country.name,
    }
}

/// "Blue Harbor Analytics" → "BHA"; none for one-word names.
fn initials(name: &str) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    (words.len() >= 2).then(|| {
        words
            .iter()
            .filter_map(|w| w.chars().next())
            .flat_map(char::to_uppercase)
            .collect()
    })
}

/// "Munich, Bavaria, Germany", "Greater Munich Metropolitan Area", "Bavaria, Germany",
/// "Germany".
fn linkedin_location(rng: &mut Rng, country: &Country, city: &City) -> String {
    match rng.below(100) {
        0..=59 if city.region == city.name || city.region.is_empty() => {
            format!("{}, {}", city.name, country.name)
        }
        0..=59 => format!("{}, {}, {}", city.name, city.region, country.name),
        60..=84 if !city.metro.is_empty() => city.metro.to_string(),
        60..=92 if !city.region.is_empty() => format!("{}, {}", city.region, country.name),
        _ => country.name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_several_words() {
        assert_eq!(initials("Blue Harbor Analytics").as_deref(), Some("BHA"));
        assert_eq!(initials("Brightloop"), None);
    }

    #[test]
    fn legal_variants_keep_the_form() {
        let mut rng = Rng::new(2);
        for _ in 0..50 {
            let v = legal_variant(&mut rng, "GmbH");
            assert!(v.to_lowercase().contains("gmbh"), "{v}");
        }
    }
}
