//! Records in the columnar, interned form the engine works on: one column of value ids per
//! field (0 = missing), each distinct prepared value stored once with its count. Comparing
//! two values for equality is comparing two integers, and each distinct raw value is
//! prepared once however often it occurs.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use super::config::{Prepare, ResolveConfig};
use super::names::PersonNames;
use crate::discovery::normalize::{
    CountryCode, Domain, Email, LinkedInUrl, PersonName, company_key_of, fold_words,
};

/// A small, fast, non-cryptographic hasher (the Fx hash of rustc) for interning: the keys
/// are our own data, so hash flooding is not a concern, and SipHash would be most of the
/// cost of building a table.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits, which pick the bucket, depending on the low
        // input bits only: "P0001892" and "P0002274" would share a bucket. A final
        // avalanche (MurmurHash3's) spreads every input bit over the whole hash.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// One field of every record.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    /// Per record: the value's id, or 0 when the record has no value.
    pub ids: Vec<u32>,
    /// The distinct values; id `i` is `values[i - 1]`.
    pub values: Vec<Box<str>>,
    /// How many records hold each value (same indexing as `values`).
    pub counts: Vec<u32>,
    /// Records with a value.
    pub present: u32,
    /// For the field of a personal comparison ([`super::ComparisonSpec::personal`]), one
    /// bit per value (id `i` is bit `i - 1`): held by records whose names contradict, a
    /// company's line or a team's inbox. Bits, not bools: every compared pair reads two,
    /// from anywhere in a million values. Empty for other fields.
    pub shared: Vec<u64>,
}

impl Column {
    /// The value of record `r`, if any.
    pub fn get(&self, r: usize) -> Option<&str> {
        match self.ids.get(r).copied().unwrap_or(0) {
            0 => None,
            id => self.values.get(id as usize - 1).map(|v| &**v),
        }
    }

    /// Whether value `id` is shared by people whose names contradict.
    pub fn is_shared(&self, id: u32) -> bool {
        let Some(i) = (id as usize).checked_sub(1) else {
            return false;
        };
        self.shared
            .get(i / 64)
            .is_some_and(|word| word >> (i % 64) & 1 == 1)
    }

    /// The share of records with a value that hold value `id` (0 for none).
    pub fn frequency(&self, id: u32) -> f64 {
        match id {
            0 => 0.0,
            id => f64::from(self.counts[id as usize - 1]) / f64::from(self.present.max(1)),
        }
    }
}

/// The records to resolve, one [`Column`] per configured field.
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Per record, the data set it came from (always 0 in dedupe mode; 0 or 1 in link mode).
    pub dataset: Vec<u8>,
    /// The same ids record by record (`packed[r * columns.len() + c]`): comparing a pair
    /// reads every field of two records, and one cache line per record beats one per field
    /// when the table is far larger than the cache.
    packed: Vec<u32>,
    /// The person name of every record, when the setup names its fields
    /// ([`super::NamesSpec`]); empty otherwise.
    pub names: PersonNames,
}

/// The input columns a setup needs that the header lacks. They are read as empty.
pub fn missing_columns(config: &ResolveConfig, header: &[&str]) -> Vec<String> {
    let mut missing: Vec<String> = config
        .fields
        .iter()
        .flat_map(|f| &f.from)
        .flat_map(|s| std::iter::once(&s.column).chain(&s.with))
        .filter(|c| !header.iter().any(|h| h.trim() == c.as_str()))
        .cloned()
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

impl Table {
    /// Builds the table for `config` from `rows` input records whose cell `(row, column)` is
    /// `cell(row, column)`, columns indexed as in `header`, and whose data set is
    /// `dataset(row)`. Columns the setup names but the header lacks are read as empty
    /// ([`missing_columns`] lists them). Fields are prepared in parallel.
    pub fn build<'a, C, D>(
        config: &ResolveConfig,
        header: &[&str],
        rows: usize,
        cell: C,
        dataset: D,
    ) -> Table
    where
        C: Fn(usize, usize) -> &'a str + Sync,
        D: Fn(usize) -> u8,
    {
        let position = |name: &str| header.iter().position(|h| h.trim() == name);
        let columns: Vec<Column> = config
            .fields
            .par_iter()
            .map(|field| {
                let sources: Vec<(Vec<usize>, Prepare)> = field
                    .from
                    .iter()
                    .filter_map(|s| {
                        let mut cols = vec![position(&s.column)?];
                        cols.extend(s.with.iter().filter_map(|c| position(c)));
                        Some((cols, s.prepare))
                    })
                    .collect();
                build_column(&field.name, &sources, rows, &cell)
            })
            .collect();
        let mut table = Table::from_columns(columns, (0..rows).map(dataset).collect());
        table.read_names(config);
        table
    }

    /// Reads the records' person names and marks the shared values of the personal
    /// comparisons' fields (see [`ResolveConfig::names`]).
    fn read_names(&mut self, config: &ResolveConfig) {
        let Some(spec) = &config.names else {
            return;
        };
        let (Some(given), Some(family)) = (
            self.column_index(&spec.given),
            self.column_index(&spec.family),
        ) else {
            return;
        };
        self.names = PersonNames::build(&self.columns, given, family);
        let personal: Vec<usize> = config
            .comparisons
            .iter()
            .filter(|c| c.personal || c.identifier)
            .filter_map(|c| self.column_index(&c.field))
            .collect();
        let shared: Vec<(usize, Vec<u64>)> = personal
            .par_iter()
            .map(|&c| (c, self.names.shared_values(&self.columns, c)))
            .collect();
        for (c, bits) in shared {
            self.columns[c].shared = bits;
        }
    }

    /// Whether the names of records `a` and `b` contradict.
    pub fn names_contradict(&self, a: usize, b: usize) -> bool {
        let of = &self.names.of;
        match (of.get(a), of.get(b)) {
            (Some(&x), Some(&y)) => self.names.contradict(&self.columns, x, y),
            _ => false,
        }
    }

    /// A table from prepared columns (each as long as `dataset`).
    pub fn from_columns(columns: Vec<Column>, dataset: Vec<u8>) -> Table {
        let width = columns.len();
        let mut packed = vec![0u32; dataset.len() * width];
        for (c, column) in columns.iter().enumerate() {
            for (r, &id) in column.ids.iter().enumerate().take(dataset.len()) {
                packed[r * width + c] = id;
            }
        }
        Table {
            columns,
            dataset,
            packed,
            names: PersonNames::default(),
        }
    }

    /// The value ids of record `r`, one per column.
    #[inline]
    pub(crate) fn ids_of(&self, r: usize) -> &[u32] {
        let width = self.columns.len();
        &self.packed[r * width..(r + 1) * width]
    }

    pub fn len(&self) -> usize {
        self.dataset.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dataset.is_empty()
    }

    /// The column of a field by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub(crate) fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

fn build_column<'a, C>(
    name: &str,
    sources: &[(Vec<usize>, Prepare)],
    rows: usize,
    cell: &C,
) -> Column
where
    C: Fn(usize, usize) -> &'a str + Sync,
{
    const NONE: u32 = u32::MAX;
    // Raw value → prepared id, per source. Repeated raw values (names, companies, titles)
    // are prepared once; for nearly unique ones (e-mail addresses, profile URLs) the cache
    // only costs, so a source stops caching when its first rows show few repeats.
    const PROBE: usize = 20_000;
    let mut raw_cache: Vec<FxMap<&'a str, u32>> = vec![FxMap::default(); sources.len()];
    let mut joined_cache: Vec<FxMap<String, u32>> = vec![FxMap::default(); sources.len()];
    let mut caching = vec![true; sources.len()];
    let mut lookups = vec![(0usize, 0usize); sources.len()];
    let mut interned: FxMap<Box<str>, u32> = FxMap::default();
    let mut counts: Vec<u32> = Vec::new();
    let mut ids = Vec::with_capacity(rows);
    let mut present = 0u32;
    let mut joined = String::new();
    for r in 0..rows {
        let mut id = 0;
        for (s, (cols, prepare)) in sources.iter().enumerate() {
            let mut intern = |value: Option<String>| match value {
                None => NONE,
                Some(value) => match interned.get(value.as_str()) {
                    Some(&id) => id,
                    None => {
                        counts.push(0);
                        let id = counts.len() as u32;
                        interned.insert(value.into_boxed_str(), id);
                        id
                    }
                },
            };
            let raw: &str = if let [col] = cols.as_slice() {
                cell(r, *col)
            } else {
                joined.clear();
                for &c in cols {
                    let part = cell(r, c).trim();
                    if !part.is_empty() {
                        if !joined.is_empty() {
                            joined.push(' ');
                        }
                        joined.push_str(part);
                    }
                }
                &joined
            };
            if raw.trim().is_empty() {
                continue;
            }
            let found = if !caching[s] {
                intern(prepare_value(raw, *prepare))
            } else {
                let hit = if cols.len() == 1 {
                    raw_cache[s].get(raw).copied()
                } else {
                    joined_cache[s].get(raw).copied()
                };
                lookups[s].0 += 1;
                match hit {
                    Some(id) => {
                        lookups[s].1 += 1;
                        id
                    }
                    None => {
                        let id = intern(prepare_value(raw, *prepare));
                        if cols.len() == 1 {
                            raw_cache[s].insert(cell(r, cols[0]), id);
                        } else {
                            joined_cache[s].insert(raw.to_string(), id);
                        }
                        id
                    }
                }
            };
            if caching[s] && lookups[s].0 == PROBE && lookups[s].1 < PROBE / 5 {
                caching[s] = false;
                raw_cache[s] = FxMap::default();
                joined_cache[s] = FxMap::default();
            }
            if found != NONE {
                id = found;
                break;
            }
        }
        if id != 0 {
            counts[id as usize - 1] += 1;
            present += 1;
        }
        ids.push(id);
    }
    let mut values: Vec<Box<str>> = vec![Box::default(); counts.len()];
    for (value, id) in interned {
        values[id as usize - 1] = value;
    }
    Column {
        name: name.to_string(),
        ids,
        values,
        counts,
        present,
        shared: Vec::new(),
    }
}

/// Prepares one raw value; `None` when it does not parse or is empty after preparation.
pub fn prepare_value(raw: &str, prepare: Prepare) -> Option<String> {
    let raw = raw.trim();
    let value = match prepare {
        Prepare::Raw => raw.to_string(),
        Prepare::Text => fold_words(raw),
        Prepare::Name => PersonName::from_parts(raw, "")
            .ok()
            .map(|n| n.given_key())?,
        Prepare::Person => PersonName::parse(raw).ok()?.match_key(),
        Prepare::PersonWords => {
            let key = PersonName::parse(raw).ok()?.match_key();
            let mut words: Vec<&str> = key.split(' ').collect();
            words.sort_unstable();
            words.join(" ")
        }
        Prepare::GivenOfFull => PersonName::parse(raw).ok().map(|n| n.given_key())?,
        Prepare::FamilyOfFull => PersonName::parse(raw).ok().map(|n| n.family_key())?,
        Prepare::Email => Email::parse(raw).ok()?.as_str().to_string(),
        Prepare::EmailLocal => Email::parse(raw).ok()?.local_base().to_string(),
        Prepare::Domain => {
            if raw.contains('@') && !raw.contains('/') {
                let email = Email::parse(raw).ok()?;
                if email.is_personal_provider() {
                    return None;
                }
                email.domain().as_str().to_string()
            } else {
                Domain::parse(raw).ok()?.as_str().to_string()
            }
        }
        Prepare::Company => company_key_of(raw),
        Prepare::CompanyWord => {
            let key = company_key_of(raw);
            let word = key.split(' ').next().unwrap_or_default();
            if word.chars().count() < 3 {
                return None;
            }
            word.to_string()
        }
        Prepare::PhoneDigits => {
            let head = raw
                .split(|c: char| c.is_alphabetic())
                .next()
                .unwrap_or_default();
            let digits: String = head.chars().filter(char::is_ascii_digit).collect();
            if digits.len() < 7 {
                return None;
            }
            digits[digits.len().saturating_sub(9)..].to_string()
        }
        Prepare::Linkedin => LinkedInUrl::parse(raw).ok()?.slug().to_string(),
        Prepare::Country => CountryCode::parse(raw).ok()?.as_str().to_string(),
        Prepare::City => {
            let first = raw.split(',').next().unwrap_or_default();
            let folded = fold_words(first);
            let city = folded.strip_prefix("greater ").unwrap_or(&folded);
            let city = city.strip_suffix(" metropolitan area").unwrap_or(city);
            let city = city.strip_suffix(" bay area").unwrap_or(city);
            let city = city.strip_suffix(" area").unwrap_or(city);
            // A location that starts with a country or a region ("Ireland", "Texas, United
            // States") names no city.
            if CountryCode::parse(city).is_ok() || is_region(city) {
                return None;
            }
            city.to_string()
        }
        Prepare::Digits => raw.chars().filter(char::is_ascii_digit).collect(),
        Prepare::Initial => {
            let text = match raw.split_once('@') {
                Some((local, _)) => local,
                None => raw,
            };
            fold_words(text)
                .chars()
                .find(|c| c.is_alphabetic())
                .map(String::from)?
        }
        Prepare::EmailGiven | Prepare::EmailFamily | Prepare::EmailPerson => {
            let email = Email::parse(raw).ok()?;
            let local = email.local_base();
            let (given, family) = local.split_once(['.', '_', '-'])?;
            let (given, family) = (fold_words(given), fold_words(family));
            // "j.doe" has no given name to speak of; digits are not names.
            let is_name = |p: &str| p.chars().count() >= 2 && p.chars().all(char::is_alphabetic);
            if !is_name(&given) || !is_name(&family) {
                return None;
            }
            match prepare {
                Prepare::EmailGiven => given,
                Prepare::EmailFamily => family,
                _ => format!("{given} {family}"),
            }
        }
    };
    (!value.is_empty()).then_some(value)
}

/// Whether a folded location part is a region rather than a city: a US state, a
/// Canadian province, or a region name sources put first ("Central Denmark Region").
fn is_region(text: &str) -> bool {
    text.ends_with(" region")
        || text.ends_with(" province")
        || text.ends_with(" state")
        || CountryCode::parse(&format!("x, {text}"))
            .is_ok_and(|c| c.as_str() == "US" || c.as_str() == "CA")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_prepared_by_kind() {
        let p = |raw, kind| prepare_value(raw, kind);
        assert_eq!(
            p(" Heather HARRIS ", Prepare::FamilyOfFull).as_deref(),
            Some("harris")
        );
        assert_eq!(
            p("Wei Chen, MBA", Prepare::GivenOfFull).as_deref(),
            Some("wei")
        );
        assert_eq!(p("Chen, MBA", Prepare::Name).as_deref(), Some("chen"));
        assert_eq!(p("jane@gmail.com", Prepare::Domain), None);
        assert_eq!(
            p("Jane@Acme.co.uk", Prepare::Domain).as_deref(),
            Some("acme.co.uk")
        );
        assert_eq!(
            p("https://www.acme.com/en-us", Prepare::Domain).as_deref(),
            Some("acme.com")
        );
        assert_eq!(
            p("'+1 416-555-0171", Prepare::PhoneDigits).as_deref(),
            Some("165550171")
        );
        assert_eq!(
            p("416 555 0171 ext. 12", Prepare::PhoneDigits).as_deref(),
            Some("165550171")
        );
        assert_eq!(
            p("Greater Boston Area", Prepare::City).as_deref(),
            Some("boston")
        );
        assert_eq!(
            p("Austin, Texas, United States", Prepare::City).as_deref(),
            Some("austin")
        );
        assert_eq!(p("Acme GmbH", Prepare::Company).as_deref(), Some("acme"));
        assert_eq!(p("---", Prepare::Text), None);
        assert_eq!(
            p("Jane.Doe@acme.com", Prepare::EmailGiven).as_deref(),
            Some("jane")
        );
        assert_eq!(
            p("jane_doe@acme.com", Prepare::EmailFamily).as_deref(),
            Some("doe")
        );
        assert_eq!(p("j.doe@acme.com", Prepare::EmailGiven), None);
        assert_eq!(p("jdoe@acme.com", Prepare::EmailFamily), None);
        assert_eq!(p("jane.doe2@acme.com", Prepare::EmailPerson), None);
        assert_eq!(
            p("Jane.Doe@acme.com", Prepare::EmailPerson).as_deref(),
            Some("jane doe")
        );
        assert_eq!(p("jdoe@acme.com", Prepare::Initial).as_deref(), Some("j"));
        assert_eq!(p("Élodie", Prepare::Initial).as_deref(), Some("e"));
    }

    #[test]
    fn equal_prepared_values_share_one_id() {
        let config = ResolveConfig::b2b_contacts();
        let rows = [["Jane", "Acme Inc."], ["JANE", "ACME"], ["", "Beta"]];
        let header = ["first_name", "company_name"];
        let table = Table::build(&config, &header, rows.len(), |r, c| rows[r][c], |_| 0);
        let first = table.column("first_name").unwrap();
        assert_eq!(first.ids, vec![1, 1, 0]);
        assert_eq!(first.present, 2);
        let company = table.column("company").unwrap();
        assert_eq!(company.ids, vec![1, 1, 2]);
        assert_eq!(company.get(2), Some("beta"));
        assert!(table.column("email").unwrap().ids.iter().all(|&id| id == 0));
    }
}
