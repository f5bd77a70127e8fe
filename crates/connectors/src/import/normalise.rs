//! One row's text values become a [`ProspectRecord`]: each field's column is looked up in
//! the [`ColumnMap`], its text trimmed, and normalised with `leadgate-core`'s types. A value
//! that does not normalise is kept raw with a warning; a row is rejected only when it has no
//! usable identity.
//!
//! Company-level values (company name, domain, country, company phone) and job titles repeat
//! across the rows of an export, and some normalisers are costly (title classification and
//! phone numbers take microseconds), so their results are remembered in small bounded
//! caches: memory stays flat however long the file is.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use leadgate_core::discovery::normalize::{
    CompanyName, CountryCode, Domain, Email, LinkedInUrl, ParseError, PersonName, Phone,
    classify_title,
};
use leadgate_core::icp::{Department, Seniority};

use super::columns::{ColumnMap, Field};
use super::record::{CompanyFields, PersonFields, ProspectRecord, Range, RowWarning, Value};
use super::report::{RejectReason, Unidentified};

/// Entries a cache holds before it starts over.
const CACHE_LIMIT: usize = 1 << 16;

/// A memo of a pure function of a string, cleared when it reaches [`CACHE_LIMIT`]
/// entries. Lookups do not allocate; only a miss copies the key.
struct Cache<V> {
    map: HashMap<Box<str>, V, BuildHasherDefault<FxHasher>>,
}

impl<V: Clone> Cache<V> {
    fn new() -> Self {
        Cache {
            map: HashMap::default(),
        }
    }

    fn get_or(&mut self, key: &str, make: impl FnOnce(&str) -> V) -> V {
        if let Some(v) = self.map.get(key) {
            return v.clone();
        }
        if self.map.len() >= CACHE_LIMIT {
            self.map.clear();
        }
        let v = make(key);
        self.map.insert(Box::from(key), v.clone());
        v
    }
}

/// The multiply-rotate hash of rustc (FxHash): keys here are short strings from the file
/// itself, where SipHash's flooding resistance buys nothing and costs a third of a lookup.
#[derive(Default, Clone, Copy)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

type Parsed<T> = Result<T, String>;

struct Caches {
    titles: Cache<Option<(Seniority, Department)>>,
    countries: Cache<Parsed<CountryCode>>,
    companies: Cache<Parsed<CompanyName>>,
    domains: Cache<Parsed<Domain>>,
    /// A company phone, with the region it was read in.
    company_phones: Cache<(Option<CountryCode>, Parsed<Phone>)>,
}

/// How rows become records: the column map and the caller's defaults.
pub(crate) struct RecordBuilder {
    pub(crate) map: ColumnMap,
    default_observed_at: Option<Timestamp>,
    default_country: Option<CountryCode>,
    date_formats: Vec<String>,
    caches: Caches,
    /// The columns that filled a field in the current row.
    used: UsedColumns,
}

/// The columns that filled a field in the current row: a flag per column for the lookup,
/// and the list of flags set, to clear them.
struct UsedColumns {
    flags: Vec<bool>,
    list: Vec<usize>,
}

impl UsedColumns {
    fn reset(&mut self, columns: usize) {
        for &i in &self.list {
            self.flags[i] = false;
        }
        self.list.clear();
        self.flags.resize(columns, false);
    }

    fn mark(&mut self, column: usize) {
        self.flags[column] = true;
        self.list.push(column);
    }
}

fn message(e: ParseError) -> String {
    e.to_string()
}

impl RecordBuilder {
    pub(crate) fn new(
        map: ColumnMap,
        default_observed_at: Option<Timestamp>,
        default_country: Option<CountryCode>,
        date_formats: Vec<String>,
    ) -> Self {
        RecordBuilder {
            map,
            default_observed_at,
            default_country,
            date_formats,
            caches: Caches {
                titles: Cache::new(),
                countries: Cache::new(),
                companies: Cache::new(),
                domains: Cache::new(),
                company_phones: Cache::new(),
            },
            used: UsedColumns {
                flags: Vec::new(),
                list: Vec::with_capacity(Field::ALL.len()),
            },
        }
    }

    /// A builder with the same columns and defaults and empty caches, for a second thread:
    /// the caches only remember pure functions, so both build the same records.
    pub(crate) fn fork(&self) -> RecordBuilder {
        RecordBuilder::new(
            self.map.clone(),
            self.default_observed_at,
            self.default_country,
            self.date_formats.clone(),
        )
    }

    /// Builds the record of one row from its values (aligned with the columns; a short row
    /// has fewer).
    pub(crate) fn build(
        &mut self,
        row: u64,
        line: u64,
        values: &[Cow<'_, str>],
    ) -> Result<ProspectRecord, RejectReason> {
        self.used.reset(self.map.names.len());
        let mut b = Row {
            map: &self.map,
            values,
            used: &mut self.used,
            warnings: Vec::new(),
        };

        let source_record_id = b.get(Field::RecordId).map(|(_, v)| v.to_string());
        let (observed_at, observed_in_row) = match b.get(Field::ObservedAt) {
            Some((column, raw)) => match parse_date(raw, &self.date_formats) {
                Ok(ts) => (Some(ts), true),
                Err(reason) => {
                    b.warn(Field::ObservedAt, column, reason);
                    (self.default_observed_at, false)
                }
            },
            None => (self.default_observed_at, false),
        };

        let mut person = PersonFields::default();
        let given = b.get(Field::FirstName);
        let family = b.get(Field::LastName);
        let full = b.get(Field::FullName);
        person.name = person_name(&mut b, given, family, full);
        person.given_name = given.map(|(_, v)| v.to_string());
        person.family_name = family.map(|(_, v)| v.to_string());
        person.full_name = full.map(|(_, v)| v.to_string());

        person.email = b.parse(Field::Email, |raw| Email::parse(raw).map_err(message));
        person.linkedin = b.parse(Field::LinkedinUrl, |raw| {
            LinkedInUrl::parse(raw).map_err(message)
        });
        let countries = &mut self.caches.countries;
        person.country = b.parse(Field::Country, |raw| {
            countries.get_or(raw, |k| CountryCode::parse(k).map_err(message))
        });
        person.city = b.get(Field::City).map(|(_, v)| v.to_string());
        person.region = b.get(Field::Region).map(|(_, v)| v.to_string());
        if let Some((_, location)) = b.get(Field::Location) {
            read_location(&mut person, location, countries);
        }
        let person_region = person
            .country
            .as_ref()
            .and_then(|c| c.value)
            .or(self.default_country);
        person.phone = b.parse(Field::Phone, |raw| {
            Phone::parse(raw, person_region).map_err(message)
        });
        person.mobile_phone = b.parse(Field::MobilePhone, |raw| {
            Phone::parse(raw, person_region).map_err(message)
        });
        if let Some((_, title)) = b.get(Field::Title) {
            let class = self.caches.titles.get_or(title, classify_title);
            person.title = Some(title.to_string());
            person.seniority = class.map(|(s, _)| s);
            person.department = class.map(|(_, d)| d);
        }

        let mut company = CompanyFields::default();
        let companies = &mut self.caches.companies;
        company.name = b.parse(Field::CompanyName, |raw| {
            companies.get_or(raw, |k| CompanyName::parse(k).map_err(message))
        });
        let domains = &mut self.caches.domains;
        let mut domain_of = |raw: &str| domains.get_or(raw, |k| Domain::parse(k).map_err(message));
        company.domain = b.parse(Field::CompanyDomain, &mut domain_of);
        company.website = b.get(Field::Website).map(|(_, v)| v.to_string());
        if company.domain.as_ref().is_none_or(|d| d.value.is_none()) {
            let from_site = b.parse(Field::Website, &mut domain_of);
            if from_site.is_some() {
                company.domain = from_site;
            }
        }
        company.industry = b.get(Field::Industry).map(|(_, v)| v.to_string());
        company.employees = b.parse(Field::Employees, |raw| {
            Range::parse(raw).map_err(|why| format!("not a headcount {raw:?}: {why}"))
        });
        company.revenue = b.parse(Field::Revenue, |raw| {
            Range::parse(raw).map_err(|why| format!("not an amount {raw:?}: {why}"))
        });
        if let Some((_, tech)) = b.get(Field::Technologies) {
            company.technologies = tech
                .split([',', ';', '|'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect();
        }
        company.country = b.parse(Field::CompanyCountry, |raw| {
            countries.get_or(raw, |k| CountryCode::parse(k).map_err(message))
        });
        let company_region = company
            .country
            .as_ref()
            .and_then(|c| c.value)
            .or(person_region);
        let phones = &mut self.caches.company_phones;
        company.phone = b.parse(Field::CompanyPhone, |raw| {
            let read = |k: &str| {
                (
                    company_region,
                    Phone::parse(k, company_region).map_err(message),
                )
            };
            let (region, phone) = phones.get_or(raw, read);
            if region == company_region {
                return phone;
            }
            let fresh = read(raw);
            phones.map.insert(Box::from(raw), fresh.clone());
            fresh.1
        });
        company.linkedin_url = b.get(Field::CompanyLinkedinUrl).map(|(_, v)| v.to_string());

        if let Some(reason) = missing_identity(&person, &company) {
            return Err(reason);
        }
        let warnings = std::mem::take(&mut b.warnings);
        let extra = self.extras(values);
        Ok(ProspectRecord {
            row,
            line,
            source_record_id,
            observed_at,
            observed_in_row,
            person,
            company,
            extra,
            warnings,
        })
    }

    /// The non-empty values of columns that filled no field in this row.
    fn extras(&self, values: &[Cow<'_, str>]) -> Vec<(std::sync::Arc<str>, String)> {
        let mut extra = Vec::new();
        for (i, value) in values.iter().enumerate().take(self.map.names.len()) {
            if self.map.ignored[i] || (self.map.mapped[i] && self.used.flags[i]) {
                continue;
            }
            let v = value.trim();
            if !v.is_empty() {
                extra.push((self.map.names[i].clone(), v.to_string()));
            }
        }
        extra
    }
}

/// One row being read: its values, the columns used so far, the warnings so far.
struct Row<'a, 'v> {
    map: &'a ColumnMap,
    values: &'a [Cow<'v, str>],
    used: &'a mut UsedColumns,
    warnings: Vec<RowWarning>,
}

impl<'a> Row<'a, '_> {
    /// The first non-empty value among the field's columns, trimmed, with its column.
    fn get(&mut self, field: Field) -> Option<(usize, &'a str)> {
        let map: &'a ColumnMap = self.map;
        let values: &'a [Cow<'_, str>] = self.values;
        for &i in &map.by_field[field.index()] {
            let Some(value) = values.get(i) else {
                continue;
            };
            let v = value.as_ref().trim();
            if !v.is_empty() {
                self.used.mark(i);
                return Some((i, v));
            }
        }
        None
    }

    /// The field's value: the first of its non-empty columns whose text normalises; when
    /// none does, the first non-empty text, without a value, and a warning. Columns tried
    /// and not taken stay extras.
    fn parse<T>(
        &mut self,
        field: Field,
        mut parse: impl FnMut(&str) -> Result<T, String>,
    ) -> Option<Value<T>> {
        let map: &'a ColumnMap = self.map;
        let values: &'a [Cow<'_, str>] = self.values;
        let mut failed: Option<(usize, &str, String)> = None;
        for &i in &map.by_field[field.index()] {
            let Some(value) = values.get(i) else {
                continue;
            };
            let raw = value.as_ref().trim();
            if raw.is_empty() {
                continue;
            }
            match parse(raw) {
                Ok(v) => {
                    self.used.mark(i);
                    return Some(Value {
                        raw: raw.to_string(),
                        value: Some(v),
                    });
                }
                Err(reason) => {
                    if failed.is_none() {
                        failed = Some((i, raw, reason));
                    }
                }
            }
        }
        let (column, raw, reason) = failed?;
        self.used.mark(column);
        self.warn(field, column, reason);
        Some(Value {
            raw: raw.to_string(),
            value: None,
        })
    }

    fn warn(&mut self, field: Field, column: usize, message: String) {
        self.warnings.push(RowWarning {
            field: Some(field),
            column: Some(self.map.names[column].clone()),
            message,
        });
    }
}

/// The person's name from the given and family names, else from the full name. A given
/// name with a space and no family name ("Jane Doe" typed into First Name) is read as a
/// full name.
fn person_name(
    b: &mut Row<'_, '_>,
    given: Option<(usize, &str)>,
    family: Option<(usize, &str)>,
    full: Option<(usize, &str)>,
) -> Option<PersonName> {
    let from_parts = match (given, family) {
        (None, None) => None,
        (Some((_, g)), None) if g.contains(' ') => Some(PersonName::parse(g)),
        (g, f) => Some(PersonName::from_parts(
            g.map_or("", |(_, v)| v),
            f.map_or("", |(_, v)| v),
        )),
    };
    match (from_parts, full) {
        (Some(Ok(name)), _) => Some(name),
        (Some(Err(_)), Some((column, text))) | (None, Some((column, text))) => {
            match PersonName::parse(text) {
                Ok(name) => Some(name),
                Err(e) => {
                    b.warn(Field::FullName, column, e.to_string());
                    None
                }
            }
        }
        (Some(Err(e)), None) => {
            let (field, column) = match (given, family) {
                (Some((c, _)), _) => (Field::FirstName, c),
                (None, Some((c, _))) => (Field::LastName, c),
                (None, None) => unreachable!("a name from parts has a part"),
            };
            b.warn(field, column, e.to_string());
            None
        }
        (None, None) => None,
    }
}

/// Reads a free-text location ("City, Region, Country", "Region, Country", "Country", or a
/// metro area) into the country, and the city and region when the file has no columns for
/// them. A location without a recognisable country sets none.
fn read_location(
    person: &mut PersonFields,
    location: &str,
    countries: &mut Cache<Parsed<CountryCode>>,
) {
    person.location = Some(location.to_string());
    let parts: Vec<&str> = location
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if person.country.is_none()
        && let Ok(code) = countries.get_or(location, |k| CountryCode::parse(k).map_err(message))
    {
        person.country = Some(Value {
            raw: location.to_string(),
            value: Some(code),
        });
    }
    match parts.as_slice() {
        [city, region, _, ..] => {
            person.city.get_or_insert_with(|| city.to_string());
            person.region.get_or_insert_with(|| region.to_string());
        }
        [region, _country] => {
            person.region.get_or_insert_with(|| region.to_string());
        }
        _ => {}
    }
}

/// `None` when the record has an identity; else the rejection, with what each identity
/// field held.
fn missing_identity(person: &PersonFields, company: &CompanyFields) -> Option<RejectReason> {
    let has_email = person.email.as_ref().is_some_and(|v| v.value.is_some());
    let has_linkedin = person.linkedin.as_ref().is_some_and(|v| v.value.is_some());
    let has_company = company.name.as_ref().is_some_and(|v| v.value.is_some())
        || company.domain.as_ref().is_some_and(|v| v.value.is_some());
    if has_email || has_linkedin || (person.name.is_some() && has_company) {
        return None;
    }
    // The reason goes into import reports, which are kept: it says what state the person's
    // own fields are in, never their values (the reject file beside it holds the row to fix,
    // and an erasure scrubs that file). A company's name is not the person's, and is quoted.
    fn person_state<T>(value: &Option<Value<T>>) -> &'static str {
        match value {
            None => "empty",
            Some(Value { value: None, .. }) => "does not read",
            Some(_) => "given",
        }
    }
    fn company_state<T>(value: &Option<Value<T>>) -> String {
        match value {
            None => "empty".to_string(),
            Some(Value { raw, value: None }) => format!("{raw:?} does not read"),
            Some(Value { raw, .. }) => format!("{raw:?}"),
        }
    }
    let name = match &person.name {
        Some(_) => "given",
        None => match (&person.given_name, &person.family_name, &person.full_name) {
            (None, None, None) => "empty",
            _ => "does not read",
        },
    };
    let lacking = if matches!(person.email, Some(Value { value: None, .. })) {
        Unidentified::EmailMalformed
    } else if matches!(person.linkedin, Some(Value { value: None, .. })) {
        Unidentified::LinkedinMalformed
    } else if person.name.is_some() {
        Unidentified::NameWithoutCompany
    } else if person.given_name.is_none()
        && person.family_name.is_none()
        && person.full_name.is_none()
    {
        Unidentified::Nothing
    } else {
        Unidentified::NameUnreadable
    };
    let company = match (&company.name, &company.domain) {
        (None, None) => "empty".to_string(),
        (Some(n), _) => company_state(&Some(n.clone())),
        (None, d) => company_state(d),
    };
    let detail = format!(
        "email {}, linkedin_url {}, name {name}, company_name {company}",
        person_state(&person.email),
        person_state(&person.linkedin),
    );
    Some(RejectReason::NoIdentity { detail, lacking })
}

/// Reads a date: RFC 3339 with an offset, an ISO date-time or date (taken as UTC), or one
/// of `formats` (jiff strftime layouts; a layout without an offset is UTC).
pub(crate) fn parse_date(raw: &str, formats: &[String]) -> Result<Timestamp, String> {
    let text = raw.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>()
        && let Ok(zoned) = dt.to_zoned(TimeZone::UTC)
    {
        return Ok(zoned.timestamp());
    }
    for format in formats {
        let Ok(tm) = jiff::fmt::strtime::parse(format.as_str(), text) else {
            continue;
        };
        if tm.offset().is_some()
            && let Ok(ts) = tm.to_timestamp()
        {
            return Ok(ts);
        }
        let civil = tm.to_datetime().or_else(|_| {
            tm.to_date()
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        });
        if let Ok(dt) = civil
            && let Ok(zoned) = dt.to_zoned(TimeZone::UTC)
        {
            return Ok(zoned.timestamp());
        }
    }
    let expected = if formats.is_empty() {
        "an ISO 8601 date or date-time".to_string()
    } else {
        format!("an ISO 8601 date or the layout {}", formats.join(" or "))
    };
    Err(format!("not a date {text:?}: expected {expected}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_the_exports() {
        let ts = |s: &str| parse_date(s, &[]).unwrap().to_string();
        assert_eq!(ts("2025-05-19T16:23:05+00:00"), "2025-05-19T16:23:05Z");
        assert_eq!(ts("2025-06-09 17:46"), "2025-06-09T17:46:00Z");
        assert_eq!(ts("2026-07-16"), "2026-07-16T00:00:00Z");
        let us = vec!["%m/%d/%Y, %I:%M %p".to_string(), "%m/%d/%Y".to_string()];
        assert_eq!(
            parse_date("3/14/2025", &us).unwrap().to_string(),
            "2025-03-14T00:00:00Z"
        );
        assert_eq!(
            parse_date("3/14/2025, 9:31 PM", &us).unwrap().to_string(),
            "2025-03-14T21:31:00Z"
        );
        assert!(parse_date("yesterday", &[]).is_err());
    }
}
