//! Pairwise comparison: the setup's comparisons compiled against a table, and the string
//! and number similarities behind the levels. A pair's comparison vector holds one level
//! per comparison, 4 bits each, packed in a `u64`: 0 is null (a field missing), `1..=n` the
//! first level that held, `n + 1` "else" (none held).

use super::config::{ComparisonSpec, LevelSpec, ResolveConfig};
use super::names::{near_name, same_person_name};
use super::table::Table;

/// A comparison vector: 4 bits per comparison.
pub type Gamma = u64;

/// The level of comparison `c` in a comparison vector.
pub fn level_of(gamma: Gamma, c: usize) -> u8 {
    ((gamma >> (4 * c)) & 0xF) as u8
}

#[derive(Debug, Clone)]
enum Test {
    Exact,
    JaroWinkler(f64),
    Edits(u32),
    Words(f64),
    LeadingWords,
    Numeric(f64),
    Days(u32),
    /// Swapped with the comparison's own column.
    Swapped(usize),
    /// The level's column (an e-mail local part) spelled from the given and family name
    /// columns of the other record.
    NameInEmail {
        given: usize,
        family: usize,
    },
    /// The level's column (a domain) of one record spells the other record's company
    /// column.
    DomainSpellsCompany(usize),
    /// The names in the given and family columns are one name ([`same_person_name`]).
    Nickname {
        given: usize,
        family: usize,
    },
    /// One part of the two names equal, the other one edit off ([`near_name`]).
    NearName {
        given: usize,
        family: usize,
    },
    /// Both records have a name in the given and family columns, and they are not one.
    NamesDiffer {
        given: usize,
        family: usize,
    },
}

#[derive(Debug, Clone)]
struct Level {
    column: usize,
    test: Test,
    /// For a term-frequency adjusted level: the chance that two random records agree on
    /// `column` (Σ f² over its values), the scale the values' own frequencies are read
    /// against.
    tf_base: Option<f64>,
}

/// One comparison, compiled against a table's columns.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub name: String,
    /// The column of the comparison's own field.
    pub column: usize,
    /// Labels of the levels, 1-based as in the vector (`labels[0]` is "null", the last is
    /// "else").
    pub labels: Vec<String>,
    /// Whether the exact level on `column` is adjusted by term frequency.
    pub tf_adjust: bool,
    /// Whether the field names one entity ([`ComparisonSpec::identifier`]).
    pub identifier: bool,
    /// Whether a shared value is no evidence ([`ComparisonSpec::personal`]).
    pub personal: bool,
    /// The 1-based level that is the exact match on `column`, if there is one.
    pub exact_level: Option<u8>,
    levels: Vec<Level>,
    /// The largest edit distance any level tests: computing further is wasted.
    edit_bound: usize,
}

impl Comparison {
    /// The columns this comparison reads.
    pub(crate) fn columns(&self) -> Vec<usize> {
        let mut cols: Vec<usize> = std::iter::once(self.column)
            .chain(self.levels.iter().map(|l| l.column))
            .collect();
        cols.sort_unstable();
        cols.dedup();
        cols
    }

    /// Whether level `l` (1-based) is evidence of disagreement: "else", or "names differ".
    pub fn disagrees(&self, l: u8) -> bool {
        l as usize == self.levels.len() + 1
            || (l as usize)
                .checked_sub(1)
                .and_then(|i| self.levels.get(i))
                .is_some_and(|level| matches!(level.test, Test::NamesDiffer { .. }))
    }

    /// How many levels the vector can hold for this comparison: null, each level, else.
    pub fn level_count(&self) -> usize {
        self.levels.len() + 2
    }

    /// The level of records `a` and `b`.
    pub fn level(&self, table: &Table, a: usize, b: usize) -> u8 {
        if (self.personal || self.identifier) && self.shared_value(table, a, b).is_some() {
            return 0;
        }
        let mut applicable = false;
        // Levels often test one column at falling thresholds: compute each measure once.
        let mut memo = Memo::default();
        for (i, level) in self.levels.iter().enumerate() {
            match self.holds(level, table, a, b, &mut memo) {
                Some(true) => return i as u8 + 1,
                Some(false) => applicable = true,
                None => {}
            }
        }
        if applicable {
            self.levels.len() as u8 + 1
        } else {
            0
        }
    }

    /// For a personal comparison, the value of record `a` or `b` that people whose names
    /// contradict share: neither record then has a value that is its own, and the
    /// comparison is null.
    pub fn shared_value<'t>(&self, table: &'t Table, a: usize, b: usize) -> Option<&'t str> {
        let column = &table.columns[self.column];
        [a, b].into_iter().find_map(|r| {
            let id = table.ids_of(r)[self.column];
            column
                .is_shared(id)
                .then(|| &*column.values[id as usize - 1])
        })
    }

    /// The term-frequency adjustment of level `l` (1-based) for records `a` and `b`, in
    /// bits: log2 of the level's base over the more frequent of the two values, as Splink
    /// adjusts (an exact level's two values are one); for two different values, never
    /// above 0. Bounded to ±10 bits so that one very rare or very common value cannot
    /// decide alone; 0 for a level without adjustment.
    pub fn tf_adjustment(&self, table: &Table, l: u8, a: usize, b: usize) -> f64 {
        let Some(level) = (l as usize).checked_sub(1).and_then(|i| self.levels.get(i)) else {
            return 0.0;
        };
        let Some(base) = level.tf_base else {
            return 0.0;
        };
        let column = &table.columns[level.column];
        let (ia, ib) = (table.ids_of(a)[level.column], table.ids_of(b)[level.column]);
        let f = column.frequency(ia).max(column.frequency(ib));
        if f <= 0.0 {
            return 0.0;
        }
        let adjustment = (base / f).log2().clamp(-10.0, 10.0);
        // Two different values agree only as far as the level says: that one of them is
        // rare does not make their likeness rarer ("xiaoyu lu" and "xiaoyu luo"), so a
        // fuzzy level only loses weight for common values.
        match ia == ib {
            true => adjustment,
            false => adjustment.min(0.0),
        }
    }

    /// Whether `level` holds for records `a` and `b`, or `None` when it does not apply (a
    /// field it reads is missing).
    fn holds(
        &self,
        level: &Level,
        table: &Table,
        a: usize,
        b: usize,
        memo: &mut Memo,
    ) -> Option<bool> {
        match &level.test {
            Test::NameInEmail { given, family } => {
                let local = &table.columns[level.column];
                let (g, f) = (&table.columns[*given], &table.columns[*family]);
                let mut applicable = false;
                for (x, y) in [(a, b), (b, a)] {
                    // Only for a record without a name of its own: between two named
                    // records the name levels above have spoken.
                    let unnamed = g.get(x).is_none() || f.get(x).is_none();
                    if let (true, Some(local), Some(g), Some(f)) =
                        (unnamed, local.get(x), g.get(y), f.get(y))
                    {
                        applicable = true;
                        if name_in_email(local, g, f) {
                            return Some(true);
                        }
                    }
                }
                return applicable.then_some(false);
            }
            Test::DomainSpellsCompany(company) => {
                let (d, c) = (&table.columns[level.column], &table.columns[*company]);
                let mut applicable = false;
                for (x, y) in [(a, b), (b, a)] {
                    if let (Some(domain), Some(company)) = (d.get(x), c.get(y)) {
                        applicable = true;
                        if domain_spells_company(domain, company) {
                            return Some(true);
                        }
                    }
                }
                return applicable.then_some(false);
            }
            Test::Nickname { given, family }
            | Test::NearName { given, family }
            | Test::NamesDiffer { given, family } => {
                let (g, f) = (&table.columns[*given], &table.columns[*family]);
                let name = |r| Some((g.get(r)?, f.get(r)?));
                let (x, y) = (name(a)?, name(b)?);
                let same = *memo.same_name.get_or_insert_with(|| same_person_name(x, y));
                return Some(match level.test {
                    Test::Nickname { .. } => same,
                    Test::NearName { .. } => near_name(x, y),
                    _ => !same,
                });
            }
            Test::Swapped(own) => {
                let (x, y) = (&table.columns[*own], &table.columns[level.column]);
                let (xa, ya, xb, yb) = (x.get(a)?, y.get(a)?, x.get(b)?, y.get(b)?);
                return Some(xa == yb && ya == xb && xa != ya);
            }
            _ => {}
        }
        let col = &table.columns[level.column];
        let (ia, ib) = (table.ids_of(a)[level.column], table.ids_of(b)[level.column]);
        if ia == 0 || ib == 0 {
            return None;
        }
        if ia == ib {
            return Some(true);
        }
        let (va, vb) = (&*col.values[ia as usize - 1], &*col.values[ib as usize - 1]);
        Some(match level.test {
            Test::Exact
            | Test::Swapped(_)
            | Test::NameInEmail { .. }
            | Test::DomainSpellsCompany(_)
            | Test::Nickname { .. }
            | Test::NearName { .. }
            | Test::NamesDiffer { .. } => false,
            Test::JaroWinkler(min) => {
                // (column, value, whether the value is exact or only an upper bound)
                match memo.jaro_winkler {
                    Some((c, sim, _)) if c == level.column && sim < min => false,
                    Some((c, sim, true)) if c == level.column => sim >= min,
                    _ => {
                        let bound = jaro_winkler_bound(va, vb);
                        if bound < min {
                            memo.jaro_winkler = Some((level.column, bound, false));
                            false
                        } else {
                            let sim = jaro_winkler(va, vb);
                            memo.jaro_winkler = Some((level.column, sim, true));
                            sim >= min
                        }
                    }
                }
            }
            Test::Edits(max) => {
                let distance = match memo.edits {
                    Some((c, d)) if c == level.column => d,
                    _ => {
                        let d = edit_distance_bounded(va, vb, self.edit_bound);
                        memo.edits = Some((level.column, d));
                        d
                    }
                };
                distance <= max as usize
            }
            Test::Words(min) => word_overlap(va, vb) >= min,
            Test::LeadingWords => leading_words(va, vb),
            Test::Numeric(max) => match (va.parse::<f64>(), vb.parse::<f64>()) {
                (Ok(x), Ok(y)) => (x - y).abs() <= max,
                _ => false,
            },
            Test::Days(max) => match (day_number(va), day_number(vb)) {
                (Some(x), Some(y)) => x.abs_diff(y) <= u64::from(max),
                _ => false,
            },
        })
    }
}

/// Measures computed for one pair, kept while its levels are tried.
#[derive(Default)]
struct Memo {
    /// (column, similarity, whether it is exact or only an upper bound)
    jaro_winkler: Option<(usize, f64, bool)>,
    /// (column, bounded edit distance)
    edits: Option<(usize, usize)>,
    /// Whether the two records' names are one ([`same_person_name`]): the `nickname`
    /// and `names_differ` levels read it both.
    same_name: Option<bool>,
}

/// Compiles the comparisons of `config` against `table`'s columns.
pub fn compile(config: &ResolveConfig, table: &Table) -> Vec<Comparison> {
    config
        .comparisons
        .iter()
        .map(|spec| compile_one(spec, table))
        .collect()
}

fn compile_one(spec: &ComparisonSpec, table: &Table) -> Comparison {
    // `check` has made sure the fields exist; a table built from the same setup has them.
    let column = table.column_index(&spec.field).unwrap_or(0);
    let levels: Vec<Level> = spec
        .levels
        .iter()
        .map(|l| {
            let mut level = compile_level(l, column, table);
            if spec.tf_adjust && level.reads_one_value() {
                level.tf_base = Some(agreement_by_chance(&table.columns[level.column]));
            }
            level
        })
        .collect();
    let exact_level = levels
        .iter()
        .position(|l| l.column == column && matches!(l.test, Test::Exact))
        .map(|i| i as u8 + 1);
    let edit_bound = levels
        .iter()
        .filter_map(|l| match l.test {
            Test::Edits(max) => Some(max as usize),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let mut labels = vec!["null".to_string()];
    labels.extend(spec.levels.iter().map(|l| l.label(&spec.field)));
    labels.push("else".to_string());
    Comparison {
        name: spec.name.clone(),
        column,
        labels,
        tf_adjust: spec.tf_adjust,
        identifier: spec.identifier,
        personal: spec.personal,
        exact_level,
        levels,
        edit_bound,
    }
}

/// Σ f² over a column's values: the chance that two random records with a value hold the
/// same one.
fn agreement_by_chance(column: &super::table::Column) -> f64 {
    let present = f64::from(column.present.max(1));
    column
        .counts
        .iter()
        .map(|&k| (f64::from(k) / present).powi(2))
        .sum::<f64>()
        .max(1e-9)
}

impl Level {
    /// Whether the level compares one value of each record, so that how common the values
    /// are says how much agreeing on them is worth.
    fn reads_one_value(&self) -> bool {
        matches!(
            self.test,
            Test::Exact
                | Test::JaroWinkler(_)
                | Test::Edits(_)
                | Test::Words(_)
                | Test::LeadingWords
                | Test::Nickname { .. }
                | Test::NearName { .. }
        )
    }
}

fn compile_level(level: &LevelSpec, column: usize, table: &Table) -> Level {
    Level {
        tf_base: None,
        column: level
            .field()
            .and_then(|f| table.column_index(f))
            .unwrap_or(column),
        test: match *level {
            LevelSpec::Exact { .. } => Test::Exact,
            LevelSpec::JaroWinkler { min, .. } => Test::JaroWinkler(min),
            LevelSpec::Levenshtein { max, .. } => Test::Edits(max),
            LevelSpec::TokenOverlap { min, .. } => Test::Words(min),
            LevelSpec::LeadingWords { .. } => Test::LeadingWords,
            LevelSpec::Numeric { max, .. } => Test::Numeric(max),
            LevelSpec::Date { max_days, .. } => Test::Days(max_days),
            LevelSpec::Swapped { .. } => Test::Swapped(column),
            LevelSpec::NameInEmail {
                ref given,
                ref family,
                ..
            } => Test::NameInEmail {
                given: table.column_index(given).unwrap_or(column),
                family: table.column_index(family).unwrap_or(column),
            },
            LevelSpec::DomainSpellsCompany { ref company, .. } => {
                Test::DomainSpellsCompany(table.column_index(company).unwrap_or(column))
            }
            LevelSpec::Nickname {
                ref given,
                ref family,
            } => Test::Nickname {
                given: table.column_index(given).unwrap_or(column),
                family: table.column_index(family).unwrap_or(column),
            },
            LevelSpec::NearName {
                ref given,
                ref family,
            } => Test::NearName {
                given: table.column_index(given).unwrap_or(column),
                family: table.column_index(family).unwrap_or(column),
            },
            LevelSpec::NamesDiffer {
                ref given,
                ref family,
            } => Test::NamesDiffer {
                given: table.column_index(given).unwrap_or(column),
                family: table.column_index(family).unwrap_or(column),
            },
        },
    }
}

/// Whether the shorter of two space-separated values is the leading words of the longer
/// ("golden pine", "golden pine cloud"); equal values are not.
pub fn leading_words(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    !short.is_empty()
        && long.len() > short.len()
        && long.starts_with(short)
        && long.as_bytes()[short.len()] == b' '
}

/// The ASCII letters of `text`, lower-cased, with German transliterations folded both ways
/// alike ("mueller" and "muller" both become "muller"), into `out`; returns their count, 0
/// when they do not fit.
fn letters(text: &str, out: &mut [u8; 64]) -> usize {
    let mut n = 0;
    for b in text.bytes() {
        let b = b.to_ascii_lowercase();
        if !b.is_ascii_lowercase() {
            continue;
        }
        if b == b'e' && n > 0 && matches!(out[n - 1], b'a' | b'o' | b'u') {
            continue;
        }
        if n == out.len() {
            return 0;
        }
        out[n] = b;
        n += 1;
    }
    n
}

/// Whether a registrable domain spells a company name (see
/// [`LevelSpec::DomainSpellsCompany`]): its first label, without digits, the usual
/// `get`/`try`/`use`/`join` prefix or `hq`/`app` suffix, is the company's leading words
/// joined (`and` left out) — `kitepoint.ie` and "kitepoint systems", `getnovaworks.com` and
/// "novaworks", `adamsjackson.co.uk` and "adams and jackson digital".
pub fn domain_spells_company(domain: &str, company: &str) -> bool {
    let label = domain.split('.').next().unwrap_or("");
    let mut buf = [0u8; 64];
    let n = letters(label, &mut buf);
    let label = &buf[..n];
    // The leading words joined, folded as one (a word's end and the next one's start fold
    // together, as they do in the label).
    let mut words = String::new();
    let mut brand = [0u8; 64];
    for word in company.split(' ').filter(|w| !w.is_empty() && *w != "and") {
        words.push_str(word);
        let len = letters(&words, &mut brand);
        if len == 0 || len > label.len() {
            break;
        }
        if len < 3 {
            continue;
        }
        let brand = &brand[..len];
        for prefix in [&b""[..], b"get", b"try", b"use", b"join"] {
            for suffix in [&b""[..], b"hq", b"app"] {
                if label.len() == prefix.len() + brand.len() + suffix.len()
                    && label.starts_with(prefix)
                    && label[prefix.len()..].starts_with(brand)
                    && label.ends_with(suffix)
                {
                    return true;
                }
            }
        }
    }
    false
}

/// Whether an e-mail local part is spelled from a given and a family name in one of the
/// usual company patterns (see [`LevelSpec::NameInEmail`]).
pub fn name_in_email(local: &str, given: &str, family: &str) -> bool {
    let (mut l, mut g, mut f) = ([0u8; 64], [0u8; 64], [0u8; 64]);
    let (nl, ng, nf) = (
        letters(local, &mut l),
        letters(given, &mut g),
        letters(family, &mut f),
    );
    if nl < 2 || ng == 0 || nf == 0 {
        return false;
    }
    let (l, g, f) = (&l[..nl], &g[..ng], &f[..nf]);
    let joined =
        |x: &[u8], y: &[u8]| l.len() == x.len() + y.len() && l.starts_with(x) && l.ends_with(y);
    joined(g, f)
        || joined(&g[..1], f)
        || joined(g, &f[..1])
        || joined(f, g)
        || joined(f, &g[..1])
        || (l == g && ng >= 3)
}

/// The comparison vector of records `a` and `b`.
pub fn gamma(comparisons: &[Comparison], table: &Table, a: usize, b: usize) -> Gamma {
    comparisons.iter().enumerate().fold(0, |g, (c, cmp)| {
        g | (u64::from(cmp.level(table, a, b)) << (4 * c))
    })
}

/// An upper bound of [`jaro_winkler`] that costs one pass over each string: the matching
/// characters are at most the characters the two strings share (counted in 64 buckets),
/// and transpositions only lower the score. Random pairs of names fail it, so most pairs
/// never run the full algorithm.
pub fn jaro_winkler_bound(a: &str, b: &str) -> f64 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut counts = [0i16; 64];
    for &x in a {
        counts[(x & 63) as usize] += 1;
    }
    let mut shared = 0usize;
    for &x in b {
        let slot = &mut counts[(x & 63) as usize];
        if *slot > 0 {
            *slot -= 1;
            shared += 1;
        }
    }
    // Bytes of multi-byte characters are counted one by one: still an upper bound on the
    // shared characters, over the byte lengths; scale to character lengths conservatively.
    let (la, lb) = (a.len() as f64, b.len() as f64);
    let m = shared as f64;
    if m == 0.0 {
        return 0.0;
    }
    let jaro = if a.is_ascii() && b.is_ascii() {
        ((m / la + m / lb + 1.0) / 3.0).min(1.0)
    } else {
        1.0
    };
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}

/// Jaro–Winkler similarity (prefix scale 0.1, prefix up to 4), on bytes for ASCII and on
/// characters otherwise. 1 for equal strings, 0 when either is empty.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.is_ascii() && b.is_ascii() {
        jw(a.as_bytes(), b.as_bytes())
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        jw(&a, &b)
    }
}

fn jw<T: PartialEq + Copy + Default>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // Short strings (nearly all names) use buffers on the stack: this runs for millions of
    // pairs.
    const STACK: usize = 64;
    if b.len() <= STACK {
        let mut b_used = [false; STACK];
        let mut a_matched = [T::default(); STACK];
        jaro_core(a, b, &mut b_used[..b.len()], &mut a_matched[..a.len()])
    } else {
        let mut b_used = vec![false; b.len()];
        let mut a_matched = vec![T::default(); a.len()];
        jaro_core(a, b, &mut b_used, &mut a_matched)
    }
}

fn jaro_core<T: PartialEq + Copy>(
    a: &[T],
    b: &[T],
    b_used: &mut [bool],
    a_matched: &mut [T],
) -> f64 {
    let window = (b.len() / 2).saturating_sub(1);
    let mut m = 0;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_used[j] && b[j] == ca {
                b_used[j] = true;
                a_matched[m] = ca;
                m += 1;
                break;
            }
        }
    }
    if m == 0 {
        return 0.0;
    }
    let b_matched = b
        .iter()
        .zip(b_used.iter())
        .filter(|(_, u)| **u)
        .map(|(c, _)| *c);
    let transpositions = a_matched[..m]
        .iter()
        .zip(b_matched)
        .filter(|(x, y)| **x != *y)
        .count()
        / 2;
    let m = m as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64) / m) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}

/// Whether the optimal-string-alignment distance (insertions, deletions, substitutions,
/// adjacent transpositions) between `a` and `b` is at most `max`.
pub fn edit_distance_at_most(a: &str, b: &str, max: u32) -> bool {
    a.chars().count().abs_diff(b.chars().count()) <= max as usize
        && edit_distance(a, b) <= max as usize
}

/// The optimal-string-alignment distance between `a` and `b`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    edit_distance_bounded(a, b, usize::MAX)
}

/// The optimal-string-alignment distance, or some value above `bound` as soon as the
/// distance is known to exceed it.
fn edit_distance_bounded(a: &str, b: &str, bound: usize) -> usize {
    if a.is_ascii() && b.is_ascii() {
        if a.len().abs_diff(b.len()) > bound {
            return bound.saturating_add(1);
        }
        return osa_distance(a.as_bytes(), b.as_bytes(), bound);
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    osa_distance(&a, &b, bound)
}

pub(crate) fn osa_distance<T: PartialEq>(a: &[T], b: &[T], bound: usize) -> usize {
    const STACK: usize = 48;
    let w = b.len() + 1;
    if w <= STACK {
        let (mut p2, mut p1, mut c) = ([0usize; STACK], [0usize; STACK], [0usize; STACK]);
        osa_rows(a, b, bound, &mut p2[..w], &mut p1[..w], &mut c[..w])
    } else {
        osa_rows(
            a,
            b,
            bound,
            &mut vec![0; w],
            &mut vec![0; w],
            &mut vec![0; w],
        )
    }
}

fn osa_rows<'r, T: PartialEq>(
    a: &[T],
    b: &[T],
    bound: usize,
    mut prev2: &'r mut [usize],
    mut prev: &'r mut [usize],
    mut cur: &'r mut [usize],
) -> usize {
    for (j, p) in prev.iter_mut().enumerate() {
        *p = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        // Distances along a row never fall again: once the whole row is past the bound,
        // so is the answer.
        if cur.iter().all(|&d| d > bound) {
            return bound.saturating_add(1);
        }
        let old = prev2;
        prev2 = prev;
        prev = cur;
        cur = old;
    }
    prev[b.len()]
}

/// Jaccard overlap of the space-separated words of `a` and `b` (0 when both are empty).
pub fn word_overlap(a: &str, b: &str) -> f64 {
    // Without allocating: names, companies and titles have a handful of words.
    const MOST: usize = 16;
    let words = |text: &'_ str| -> ([usize; MOST], [usize; MOST], usize) {
        let (mut starts, mut ends, mut n) = ([0; MOST], [0; MOST], 0);
        let mut start = None;
        for (i, byte) in text.bytes().chain(std::iter::once(b' ')).enumerate() {
            match (byte == b' ', start) {
                (false, None) => start = Some(i),
                (true, Some(s)) => {
                    let w = &text[s..i];
                    if n < MOST && !(0..n).any(|k| &text[starts[k]..ends[k]] == w) {
                        starts[n] = s;
                        ends[n] = i;
                        n += 1;
                    }
                    start = None;
                }
                _ => {}
            }
        }
        (starts, ends, n)
    };
    let (sa, ea, na) = words(a);
    let (sb, eb, nb) = words(b);
    let common = (0..na)
        .filter(|&i| (0..nb).any(|j| a[sa[i]..ea[i]] == b[sb[j]..eb[j]]))
        .count();
    let union = na + nb - common;
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

/// Days since 0000-03-01 of a `YYYYMMDD` or `YYYY-MM-DD` date, if it is one.
fn day_number(text: &str) -> Option<i64> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 8 {
        return None;
    }
    let y: i64 = digits[..4].parse().ok()?;
    let m: i64 = digits[4..6].parse().ok()?;
    let d: i64 = digits[6..].parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_matches_the_reference_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-3);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler("", "abc"), 0.0);
        assert_eq!(jaro_winkler("müller", "müller"), 1.0);
        assert!(jaro_winkler("müller", "muller") > 0.85);
    }

    #[test]
    fn the_bound_is_never_below_the_similarity() {
        for (a, b) in [
            ("martha", "marhta"),
            ("dwayne", "duane"),
            ("dixon", "dicksonx"),
            ("jane doe", "john smith"),
            ("müller", "muller"),
            ("a", "b"),
        ] {
            assert!(
                jaro_winkler_bound(a, b) + 1e-12 >= jaro_winkler(a, b),
                "{a} {b}"
            );
        }
    }

    #[test]
    fn addresses_are_read_against_names_in_the_usual_patterns() {
        for local in [
            "jane.doe",
            "janedoe",
            "jane_doe",
            "jdoe",
            "janed",
            "jane",
            "doe.jane",
            "doej",
            "jane.doe2",
        ] {
            assert!(name_in_email(local, "jane", "doe"), "{local}");
        }
        assert!(name_in_email("juergen.mueller", "jurgen", "muller"));
        assert!(name_in_email("zoe.obrien", "zoe", "o'brien"));
        for local in ["john.doe", "jd", "doe", "janedoex", "info"] {
            assert!(!name_in_email(local, "jane", "doe"), "{local}");
        }
    }

    #[test]
    fn a_record_known_by_its_address_alone_fits_the_named_record() {
        // Arrange: row 0 has only `jdoe@`; row 1 is Jane Doe; row 2 is John Roe.
        let config = ResolveConfig::b2b_contacts();
        let rows = [
            ["", "", "jdoe@acme.com"],
            ["Jane", "Doe", ""],
            ["John", "Roe", ""],
        ];
        let header = ["first_name", "last_name", "email"];
        let table = Table::build(&config, &header, rows.len(), |r, c| rows[r][c], |_| 0);
        let comparisons = compile(&config, &table);
        let name = comparisons.iter().position(|c| c.name == "name").unwrap();
        let label = |a, b| {
            let g = gamma(&comparisons, &table, a, b);
            comparisons[name].labels[level_of(g, name) as usize].clone()
        };

        // Act, Assert
        assert_eq!(label(0, 1), "email_local fits the name");
        assert_eq!(label(1, 0), "email_local fits the name");
        assert_eq!(label(0, 2), "else");
        assert_eq!(label(1, 2), "names differ");
    }

    #[test]
    fn a_company_is_named_with_and_without_its_descriptor() {
        assert!(leading_words("golden pine", "golden pine cloud"));
        assert!(leading_words("steni it", "steni"));
        assert!(
            !leading_words("golden pine", "golden pine"),
            "equal is exact"
        );
        assert!(!leading_words("golden", "goldens pine"), "whole words only");
        assert!(!leading_words("pine cloud", "golden pine cloud"));
        assert!(!leading_words("", "golden"));
    }

    #[test]
    fn a_domain_spells_the_company_it_belongs_to() {
        for (domain, company) in [
            ("kitepoint.ie", "kitepoint systems"),
            ("getnovaworks.com", "novaworks"),
            ("adamsjackson.co.uk", "adams and jackson digital"),
            ("stoneridgeengineering.com", "stone ridge engineering"),
            ("irongatehq.io", "irongate agency"),
            ("tryquillapp.com", "quill"),
            ("muellerbau.de", "muller bau"),
            ("bauengel.de", "bau engel"),
            ("acme.com", "acme widgets and bolts"),
            ("syncpath2.io", "syncpath"),
        ] {
            assert!(domain_spells_company(domain, company), "{domain} {company}");
        }
        for (domain, company) in [
            ("kitepoint.ie", "kite"),
            ("stoneridge.com", "stone"),
            ("novaworks.com", "nova"),
            ("ab.com", "ab"),
            ("getnovaworks.com", "get"),
        ] {
            assert!(
                !domain_spells_company(domain, company),
                "{domain} {company}"
            );
        }
    }

    #[test]
    fn a_company_known_by_name_meets_one_known_by_domain() {
        // Arrange: 0 knows the domain only; 1 the company's name only, which 0's domain
        // spells; 2 another company's name; 3 both, as 0's colleague would.
        let config = ResolveConfig::b2b_contacts();
        let rows = [
            ["jane@kitepoint.ie", ""],
            ["", "Kitepoint Systems Ltd"],
            ["", "Harbour Lights"],
            ["omar@kitepoint.ie", "Kitepoint Systems"],
        ];
        let header = ["email", "company_name"];
        let table = Table::build(&config, &header, rows.len(), |r, c| rows[r][c], |_| 0);
        let comparisons = compile(&config, &table);
        let employer = comparisons
            .iter()
            .position(|c| c.name == "employer")
            .unwrap();
        let label = |a, b| {
            let g = gamma(&comparisons, &table, a, b);
            comparisons[employer].labels[level_of(g, employer) as usize].clone()
        };

        // Act, Assert
        assert_eq!(label(0, 1), "spells company");
        assert_eq!(label(1, 0), "spells company");
        assert_eq!(label(0, 2), "else");
        assert_eq!(label(0, 3), "exact");
        assert_eq!(label(1, 3), "company exact");
        assert_eq!(label(2, 3), "else");
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert!(edit_distance_at_most("19560409", "19560490", 1));
        assert!(edit_distance_at_most("kitten", "sitten", 1));
        assert!(!edit_distance_at_most("kitten", "sitting", 2));
        assert!(edit_distance_at_most("kitten", "sitting", 3));
    }

    #[test]
    fn words_and_dates() {
        assert_eq!(
            word_overlap("marketing ops manager", "marketing operations manager"),
            0.5
        );
        assert_eq!(
            day_number("20240301").unwrap() - day_number("20240229").unwrap(),
            1
        );
        assert_eq!(day_number("2024-13-01"), None);
    }
}
