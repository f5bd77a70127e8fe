//! Blocking: which pairs of records are compared at all. Comparing every pair of a million
//! records is 5 · 10¹¹ comparisons; a blocking rule pairs only records that agree exactly
//! on its fields (same e-mail; same last name at the same domain). The candidate pairs are
//! the union over the rules, each pair once: a pair is produced by the first rule that
//! pairs it, and later rules skip it by checking the earlier rules' keys, so no set of seen
//! pairs is kept.

use rayon::prelude::*;

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

    pub(crate) fn agree(&self, table: &Table, a: usize, b: usize) -> bool {
        let (ia, ib) = (table.ids_of(a), table.ids_of(b));
        self.columns.iter().all(|&c| ia[c] != 0 && ia[c] == ib[c])
    }
}

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x
}

pub(crate) fn compile_rules(rules: &[Vec<String>], table: &Table) -> Vec<Rule> {
    rules
        .iter()
        .map(|fields| Rule {
            columns: fields
                .iter()
                .filter_map(|f| table.column_index(f))
                .collect(),
        })
        .collect()
}

/// The candidate pairs of `table` under the setup's blocking rules.
pub fn candidates(config: &ResolveConfig, table: &Table) -> Candidates {
    let fields: Vec<Vec<String>> = config
        .blocking
        .iter()
        .map(|r| r.fields().to_vec())
        .collect();
    let rules = compile_rules(&fields, table);
    let mut out = Candidates::default();
    // Per earlier rule, whether each record is in a block the rule paired: a pair that
    // agrees on an earlier rule was produced by it only if their block was not skipped for
    // its size (a shared switchboard number must not hide two colleagues' rows of one
    // person from the name rules).
    let mut paired: Vec<Vec<bool>> = Vec::with_capacity(rules.len());
    for (k, rule) in rules.iter().enumerate() {
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
        let earlier: Vec<(&Rule, &Vec<bool>)> = rules[..k].iter().zip(&paired).collect();
        let link = config.mode == Mode::Link;
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
                        if earlier.iter().any(|(r, paired)| {
                            paired[a as usize] && r.agree(table, a as usize, b as usize)
                        }) {
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
