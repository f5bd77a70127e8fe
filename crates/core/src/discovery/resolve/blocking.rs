//! Blocking: which pairs of records are compared at all. Comparing every pair of a million
//! records is 5 · 10¹¹ comparisons; a blocking rule pairs only records that agree exactly
//! on its fields (same e-mail; same last name at the same domain). The candidate pairs are
//! the union over the rules, each pair once: a pair is produced by the first rule that
//! pairs it, and later rules skip it by checking the earlier rules' keys, so no set of seen
//! pairs is kept.

use rayon::prelude::*;

use super::compare::edit_distance_at_most;
use super::config::{Mode, ResolveConfig};
use super::table::{FxHasher, Table};
use std::hash::Hasher;

/// A candidate pair of record indices, `a < b`.
pub type Pair = (u32, u32);

/// What blocking produced.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// The distinct candidate pairs, ordered by rule and then by block.
    pub pairs: Vec<Pair>,
    /// Per rule: the new pairs it added and the blocks it skipped for their size.
    pub per_rule: Vec<RuleStats>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleStats {
    pub fields: Vec<String>,
    pub pairs: usize,
    pub skipped_blocks: usize,
    pub skipped_records: usize,
}

pub(crate) struct Rule {
    pub(crate) columns: Vec<usize>,
    /// 1: values within one edit pair (one column only); 0: equal values.
    edits: u8,
    /// For a rule with edits: values held by more records than this pair nothing.
    cap: usize,
}

impl Rule {
    /// The key of record `r` under this rule, or `None` if a field is missing.
    fn key(&self, table: &Table, r: usize) -> Option<u64> {
        let mut h = FxHasher::default();
        for &c in &self.columns {
            match table.columns[c].ids[r] {
                0 => return None,
                id => h.write_u32(id),
            }
        }
        // A final mix so that keys of one field spread over the whole range.
        Some(mix(h.finish()))
    }

    /// Whether the rule pairs records `a` and `b` (for a rule on equal values, if their
    /// block was not skipped for its size: the caller knows that).
    pub(crate) fn agree(&self, table: &Table, a: usize, b: usize) -> bool {
        self.agree_ids(table, table.ids_of(a), table.ids_of(b))
    }

    /// [`Rule::agree`] on the value ids of the two records.
    pub(crate) fn agree_ids(&self, table: &Table, ia: &[u32], ib: &[u32]) -> bool {
        if self.edits == 0 {
            return self.columns.iter().all(|&c| ia[c] != 0 && ia[c] == ib[c]);
        }
        let c = self.columns[0];
        let column = &table.columns[c];
        let held = |id: u32| id != 0 && column.counts[id as usize - 1] as usize <= self.cap;
        let (ia, ib) = (ia[c], ib[c]);
        held(ia)
            && held(ib)
            && (ia == ib
                || edit_distance_at_most(
                    &column.values[ia as usize - 1],
                    &column.values[ib as usize - 1],
                    1,
                ))
    }
}

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x
}

/// Rules on equal values of the listed fields (training rounds).
pub(crate) fn compile_rules(rules: &[Vec<String>], table: &Table) -> Vec<Rule> {
    rules
        .iter()
        .map(|fields| compile_rule(fields, 0, 0, table))
        .collect()
}

fn compile_rule(fields: &[String], edits: u8, cap: usize, table: &Table) -> Rule {
    Rule {
        columns: fields
            .iter()
            .filter_map(|f| table.column_index(f))
            .collect(),
        edits,
        cap,
    }
}

/// The candidate pairs of `table` under the setup's blocking rules.
pub fn candidates(config: &ResolveConfig, table: &Table) -> Candidates {
    let fields: Vec<Vec<String>> = config
        .blocking
        .iter()
        .map(|r| r.fields().to_vec())
        .collect();
    let rules: Vec<Rule> = config
        .blocking
        .iter()
        .map(|r| {
            let cap = r.max_block_size(config.max_block_size);
            compile_rule(r.fields(), r.edits(), cap, table)
        })
        .collect();
    let link = config.mode == Mode::Link;
    let mut out = Candidates::default();
    // Per earlier rule, whether each record is in a block the rule paired: a pair that
    // agrees on an earlier rule was produced by it only if their block was not skipped for
    // its size (a shared switchboard number must not hide two colleagues' rows of one
    // person from the name rules).
    let mut paired: Vec<Vec<bool>> = Vec::with_capacity(rules.len());
    for (k, rule) in rules.iter().enumerate() {
        let earlier: Vec<(&Rule, &Vec<bool>)> = rules[..k].iter().zip(&paired).collect();
        let produced_earlier = |a: u32, b: u32| {
            earlier
                .iter()
                .any(|(r, paired)| paired[a as usize] && r.agree(table, a as usize, b as usize))
        };
        if rule.edits > 0 {
            let (new_pairs, in_block, mut stats) =
                near_value_pairs(table, rule, link, &produced_earlier);
            stats.fields.clone_from(&fields[k]);
            out.pairs.extend(new_pairs);
            out.per_rule.push(stats);
            paired.push(in_block);
            continue;
        }
        let mut keyed: Vec<(u64, u32)> = (0..table.len())
            .into_par_iter()
            .filter_map(|r| rule.key(table, r).map(|key| (key, r as u32)))
            .collect();
        keyed.par_sort_unstable();
        let mut blocks: Vec<(usize, usize)> = Vec::new();
        let mut stats = RuleStats {
            fields: fields[k].clone(),
            ..RuleStats::default()
        };
        let mut start = 0;
        while start < keyed.len() {
            let mut end = start + 1;
            while end < keyed.len() && keyed[end].0 == keyed[start].0 {
                end += 1;
            }
            let size = end - start;
            if size > config.blocking[k].max_block_size(config.max_block_size) {
                stats.skipped_blocks += 1;
                stats.skipped_records += size;
            } else if size > 1 {
                blocks.push((start, end));
            }
            start = end;
        }
        let mut in_block = vec![false; table.len()];
        for &(s, e) in &blocks {
            for &(_, r) in &keyed[s..e] {
                in_block[r as usize] = true;
            }
        }
        let new_pairs: Vec<Pair> = blocks
            .par_iter()
            .flat_map_iter(|&(s, e)| {
                let block = &keyed[s..e];
                let mut pairs = Vec::new();
                for i in 0..block.len() {
                    for j in i + 1..block.len() {
                        let (a, b) = (block[i].1, block[j].1);
                        let (a, b) = (a.min(b), a.max(b));
                        if link && table.dataset[a as usize] == table.dataset[b as usize] {
                            continue;
                        }
                        if produced_earlier(a, b) {
                            continue;
                        }
                        pairs.push((a, b));
                    }
                }
                pairs
            })
            .collect();
        stats.pairs = new_pairs.len();
        out.pairs.extend(new_pairs);
        out.per_rule.push(stats);
        paired.push(in_block);
    }
    out
}

/// The pairs of a rule with one edit on its one column: records whose values are equal or
/// one edit apart, each value held by at most the rule's cap of records. Works on the
/// distinct values: each value and each of its one-letter deletions is a key, two values
/// sharing a key are at most two edits apart (and every pair one edit apart shares one),
/// so the values sharing a key are checked and the near ones paired, then their records.
/// Returns the new pairs, which records the rule pairs, and the rule's figures.
fn near_value_pairs(
    table: &Table,
    rule: &Rule,
    link: bool,
    produced_earlier: &(dyn Fn(u32, u32) -> bool + Sync),
) -> (Vec<Pair>, Vec<bool>, RuleStats) {
    let column = &table.columns[rule.columns[0]];
    let mut stats = RuleStats::default();
    let held: Vec<bool> = column
        .counts
        .iter()
        .map(|&n| n as usize <= rule.cap)
        .collect();
    for &n in column.counts.iter().filter(|&&n| n as usize > rule.cap) {
        stats.skipped_blocks += 1;
        stats.skipped_records += n as usize;
    }
    let mut keyed: Vec<(u64, u32)> = (0..column.values.len())
        .into_par_iter()
        .filter(|&v| held[v])
        .flat_map_iter(|v| {
            let value = &column.values[v];
            let mut keys = vec![hash_str(value)];
            let mut shorter = String::with_capacity(value.len());
            for (i, c) in value.char_indices() {
                shorter.clear();
                shorter.push_str(&value[..i]);
                shorter.push_str(&value[i + c.len_utf8()..]);
                keys.push(hash_str(&shorter));
            }
            keys.sort_unstable();
            keys.dedup();
            keys.into_iter().map(move |k| (k, v as u32))
        })
        .collect();
    keyed.par_sort_unstable();
    // Value pairs (indices into `values`), `x <= y`; `(x, x)` pairs a value's own records.
    let mut near: Vec<(u32, u32)> = (0..column.values.len() as u32)
        .filter(|&v| held[v as usize] && column.counts[v as usize] > 1)
        .map(|v| (v, v))
        .collect();
    let mut start = 0;
    while start < keyed.len() {
        let mut end = start + 1;
        while end < keyed.len() && keyed[end].0 == keyed[start].0 {
            end += 1;
        }
        for i in start..end {
            for j in i + 1..end {
                let (x, y) = (keyed[i].1, keyed[j].1);
                if edit_distance_at_most(&column.values[x as usize], &column.values[y as usize], 1)
                {
                    near.push((x.min(y), x.max(y)));
                }
            }
        }
        start = end;
    }
    near.par_sort_unstable();
    near.dedup();
    // The records of each value, grouped (counting sort by value id).
    let mut offsets = vec![0u32; column.values.len() + 1];
    for (v, &n) in column.counts.iter().enumerate() {
        offsets[v + 1] = offsets[v] + n;
    }
    let mut fill = offsets.clone();
    let mut records = vec![0u32; offsets[column.values.len()] as usize];
    for (r, &id) in column.ids.iter().enumerate() {
        if id != 0 {
            let v = id as usize - 1;
            records[fill[v] as usize] = r as u32;
            fill[v] += 1;
        }
    }
    let of = |v: u32| &records[offsets[v as usize] as usize..offsets[v as usize + 1] as usize];
    let mut in_block = vec![false; table.len()];
    for &(x, y) in &near {
        for &r in of(x).iter().chain(of(y)) {
            in_block[r as usize] = true;
        }
    }
    let pairs: Vec<Pair> = near
        .par_iter()
        .flat_map_iter(|&(x, y)| {
            let (rx, ry) = (of(x), of(y));
            let mut pairs = Vec::new();
            for (i, &a) in rx.iter().enumerate() {
                let others = if x == y { &ry[i + 1..] } else { ry };
                for &b in others {
                    let (a, b) = (a.min(b), a.max(b));
                    if link && table.dataset[a as usize] == table.dataset[b as usize] {
                        continue;
                    }
                    if !produced_earlier(a, b) {
                        pairs.push((a, b));
                    }
                }
            }
            pairs
        })
        .collect();
    stats.pairs = pairs.len();
    (pairs, in_block, stats)
}

fn hash_str(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    mix(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_in_a_skipped_block_is_still_paired_by_a_later_rule() {
        // Arrange: 25 rows share a switchboard number (over the phone rule's limit of 20);
        // rows 0 and 1 are one person at one domain.
        let config = ResolveConfig::b2b_contacts();
        let mut rows: Vec<[String; 4]> = (0..25)
            .map(|i| {
                [
                    format!("Given{i}"),
                    format!("Family{i}"),
                    "+1 416 555 0100".to_string(),
                    "acme.com".to_string(),
                ]
            })
            .collect();
        rows[1][1] = rows[0][1].clone();
        let header = ["first_name", "last_name", "phone", "website"];
        let table = Table::build(&config, &header, rows.len(), |r, c| &rows[r][c], |_| 0);

        // Act
        let found = candidates(&config, &table);

        // Assert
        assert!(
            found.pairs.contains(&(0, 1)),
            "last_name + domain pairs them"
        );
        let phone = found
            .per_rule
            .iter()
            .find(|r| r.fields == ["phone"])
            .unwrap();
        assert_eq!((phone.pairs, phone.skipped_blocks), (0, 1));
    }

    /// 400 records with short words over three letters (so that many are one edit apart)
    /// and a city each.
    fn near_words() -> Vec<[String; 2]> {
        let mut x: u64 = 7;
        let mut next = |n: u64| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 33) % n
        };
        (0..400)
            .map(|_| {
                let len = 3 + next(3);
                let word: String = (0..len)
                    .map(|_| ["a", "b", "c"][next(3) as usize])
                    .collect();
                [word, ["oslo", "rome"][next(2) as usize].to_string()]
            })
            .collect()
    }

    #[test]
    fn a_rule_with_one_edit_pairs_exactly_the_near_values_once() {
        // Arrange: the edit rule between two exact rules, so that both directions of
        // "an earlier rule paired it" are exercised.
        let config = ResolveConfig::parse(
            r#"
            blocking = [
              { fields = ["city"], max_block_size = 3 },
              { fields = ["word"], max_block_size = 4, edits = 1 },
              ["word", "city"],
            ]
            [[fields]]
            name = "word"
            from = [{ column = "word" }]
            [[fields]]
            name = "city"
            from = [{ column = "city" }]
            [[comparisons]]
            name = "word"
            field = "word"
            levels = [{ kind = "exact" }]
            "#,
        )
        .unwrap();
        let rows = near_words();
        let table = Table::build(
            &config,
            &["word", "city"],
            rows.len(),
            |r, c| &rows[r][c],
            |_| 0,
        );
        let count = |w: &str| rows.iter().filter(|r| r[0] == w).count();

        // Act
        let found = candidates(&config, &table);

        // Assert: the union of the rules, by brute force (the city blocks hold 200 records,
        // over the cap of 3, so the city rule pairs nothing).
        let mut expected = Vec::new();
        for a in 0..rows.len() {
            for b in a + 1..rows.len() {
                let (wa, wb) = (&rows[a][0], &rows[b][0]);
                let near = count(wa) <= 4 && count(wb) <= 4 && edit_distance_at_most(wa, wb, 1);
                let same = wa == wb && rows[a][1] == rows[b][1];
                if near || same {
                    expected.push((a as u32, b as u32));
                }
            }
        }
        let mut pairs = found.pairs.clone();
        pairs.sort_unstable();
        let distinct = pairs.len();
        pairs.dedup();
        assert_eq!(distinct, pairs.len(), "each pair once");
        assert_eq!(pairs, expected);
        let near = &found.per_rule[1];
        assert!(near.pairs > 0 && near.skipped_blocks > 0, "{near:?}");
        assert!(found.per_rule[2].pairs > 0, "{:?}", found.per_rule[2]);
    }

    #[test]
    fn rules_pair_agreeing_records_once() {
        // Arrange: 0 and 1 share an e-mail, a name and a domain; 2 shares the name and the
        // domain; 3 shares nothing.
        let config = ResolveConfig::b2b_contacts();
        let rows = [
            ["Jane", "Doe", "jane@acme.com", ""],
            ["Jane", "Doe", "JANE@acme.com", ""],
            ["Jane", "Doe", "", "https://www.acme.com/"],
            ["Omar", "Saleh", "", ""],
        ];
        let header = ["first_name", "last_name", "email", "website"];
        let table = Table::build(&config, &header, rows.len(), |r, c| rows[r][c], |_| 0);

        // Act
        let found = candidates(&config, &table);

        // Assert
        let mut pairs = found.pairs.clone();
        pairs.sort_unstable();
        assert_eq!(pairs, vec![(0, 1), (0, 2), (1, 2)]);
        assert_eq!(found.per_rule[0].pairs, 1, "the e-mail rule pairs 0 and 1");
    }
}
