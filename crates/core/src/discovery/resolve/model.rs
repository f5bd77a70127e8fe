//! The Fellegi–Sunter model: for each comparison level, m (how often true matches fall in
//! it) and u (how often non-matches do). A pair's match weight is the sum over comparisons
//! of log2(m/u) for its levels; with the prior odds λ/(1−λ) of a candidate pair being a
//! match it gives the match probability.
//!
//! Estimated without labels, as Splink does: u from a seeded random sample of record pairs
//! (almost all of which are non-matches), then λ and m by expectation–maximisation over the
//! candidate pairs, starting from a prior that agreement is likely among matches. EM runs
//! on the distinct comparison vectors with their counts, so it costs little however many
//! pairs there are. Term-frequency adjustment reads an agreeing level's weight against how
//! common the values are ([`Comparison::tf_adjustment`]), so agreeing on "smith" weighs
//! less than on "szczepański", and on a company of 300 people less than on one of 3.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::blocking::{Pair, Rule, compile_rules};
use super::compare::{Comparison, Gamma, gamma, level_of};
#[cfg(doc)]
use super::config::TrainingSpec;
use super::config::{Mode, ResolveConfig};
use super::table::{FxMap, Table};

/// The estimated parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// The expected share of matches among the candidate pairs.
    pub lambda: f64,
    /// The prior probability that two records drawn at random are a match: the expected
    /// number of matches (λ × candidate pairs, since blocking is built to keep nearly all
    /// of them) over all pairs. Weights are log2(m/u) with u from random pairs, so this is
    /// the prior they are calibrated against, as in Splink; using λ instead would count the
    /// agreement on the blocking key twice.
    pub prior: f64,
    /// Per comparison, per level (index 0 = null, unused): m and u.
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    /// EM iterations run, over all rounds.
    pub iterations: usize,
    /// What training checked, and what it warns of.
    pub training: TrainingReport,
}

/// The checks made of a trained model: EM without labels can settle on a wrong world
/// ("same company, same person") when the training pairs are dominated by non-matches
/// that agree on much, and such a model merges everyone it was wrong about. A model that
/// fails a check is not used: the run falls back to the safe defaults (agreeing is
/// likely among matches, disagreeing unlikely) and says so in `warnings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingReport {
    /// In plain words, each problem found; empty when training looked sound.
    pub warnings: Vec<String>,
    /// The learnt m was replaced by the safe defaults.
    pub fell_back: bool,
    /// Candidate pairs of the setup's deterministic rules
    /// ([`TrainingSpec::deterministic`]): nearly all of them are matches, so they are a
    /// floor under the number of matches that needs no model.
    pub sure_pairs: usize,
    /// The matches the model expects among the candidates.
    pub expected_matches: f64,
}

/// The learnt m of every level of one comparison beside u and the weight, for people to
/// read what the model believes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonWeights {
    pub comparison: String,
    pub levels: Vec<LevelWeight>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelWeight {
    pub level: String,
    pub m: f64,
    pub u: f64,
    /// log2(m/u), before any term-frequency adjustment.
    pub weight: f64,
}

/// A small deterministic generator (SplitMix64) for the u sample.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

/// Level counts per comparison.
fn level_counts(
    comparisons: &[Comparison],
    gammas: impl Iterator<Item = (Gamma, f64)>,
) -> Vec<Vec<f64>> {
    let mut counts: Vec<Vec<f64>> = comparisons
        .iter()
        .map(|c| vec![0.0; c.level_count()])
        .collect();
    for (g, w) in gammas {
        for (c, row) in counts.iter_mut().enumerate() {
            row[level_of(g, c) as usize] += w;
        }
    }
    counts
}

/// Turns level counts into probabilities over the non-null levels, with a small
/// pseudo-count so that no level has probability 0.
fn normalise(counts: &[Vec<f64>], pseudo: f64) -> Vec<Vec<f64>> {
    counts
        .iter()
        .map(|row| {
            let levels = row.len() - 1;
            let total: f64 = row[1..].iter().sum::<f64>() + pseudo * levels as f64;
            let mut p = vec![0.0; row.len()];
            for l in 1..row.len() {
                p[l] = (row[l] + pseudo) / total.max(f64::MIN_POSITIVE);
            }
            p
        })
        .collect()
}

/// The comparison vectors of about `u_sample_pairs` random record pairs, or more for a large
/// table ([`TrainingSpec::u_sample_pairs_per_record`]) (across the two
/// data sets in link mode): every pair among a seeded random sample of records. Pairs of a
/// sample of k records are random pairs, and comparing them touches only k records, which
/// stay in the processor's cache; drawing each pair's two records anywhere in a large table
/// made the u estimate the slowest step, waiting on memory.
fn random_gammas(config: &ResolveConfig, table: &Table, comparisons: &[Comparison]) -> Vec<Gamma> {
    let n = table.len();
    let mut rng = SplitMix(config.training.seed);
    let mut shuffled: Vec<u32> = (0..n as u32).collect();
    let sample = |shuffled: &mut Vec<u32>, rng: &mut SplitMix, k: usize| {
        let k = k.min(shuffled.len());
        for i in 0..k {
            let j = i + rng.below(shuffled.len() - i);
            shuffled.swap(i, j);
        }
        shuffled[..k].to_vec()
    };
    let wanted = (config.training.u_sample_pairs as f64)
        .max(config.training.u_sample_pairs_per_record * n as f64);
    let (left, right): (Vec<u32>, Vec<u32>) = match config.mode {
        Mode::Dedupe => {
            let k = (2.0 * wanted).sqrt().ceil() as usize + 1;
            let s = sample(&mut shuffled, &mut rng, k);
            (s.clone(), s)
        }
        Mode::Link => {
            let k = wanted.sqrt().ceil() as usize;
            shuffled.retain(|&r| table.dataset[r as usize] == 0);
            let l = sample(&mut shuffled, &mut rng, k);
            shuffled = (0..n as u32)
                .filter(|&r| table.dataset[r as usize] != 0)
                .collect();
            let r = sample(&mut shuffled, &mut rng, k);
            (l, r)
        }
    };
    let dedupe = config.mode == Mode::Dedupe;
    (0..left.len())
        .into_par_iter()
        .flat_map_iter(|i| {
            let a = left[i] as usize;
            let from = if dedupe { i + 1 } else { 0 };
            right[from.min(right.len())..]
                .iter()
                .map(move |&b| gamma(comparisons, table, a, b as usize))
        })
        .collect()
}

/// The comparison vectors of the candidate pairs, in parallel.
pub fn compare_pairs(comparisons: &[Comparison], table: &Table, pairs: &[Pair]) -> Vec<Gamma> {
    pairs
        .par_iter()
        .map(|&(a, b)| gamma(comparisons, table, a as usize, b as usize))
        .collect()
}

/// Runs EM over `patterns` (distinct comparison vectors with their counts) with u fixed,
/// updating m of the `active` comparisons only. Returns, per comparison, the expected
/// number of matches it was observed (not null) in, and the iterations run.
fn em(
    patterns: &[(Gamma, f64)],
    active: &[bool],
    m: &mut [Vec<f64>],
    u: &[Vec<f64>],
    max_iterations: usize,
) -> (Vec<f64>, usize) {
    let mut observed = vec![0.0; m.len()];
    let mut lambda: f64 = 0.5;
    let mut iterations = 0;
    for _ in 0..max_iterations {
        iterations += 1;
        let mut m_counts: Vec<Vec<f64>> = m.iter().map(|r| vec![0.0; r.len()]).collect();
        let (mut matched, mut total) = (0.0, 0.0);
        for &(g, count) in patterns {
            let mut log_odds = (lambda / (1.0 - lambda)).ln();
            for c in 0..m.len() {
                let l = level_of(g, c) as usize;
                if active[c] && l != 0 {
                    log_odds += (m[c][l] / u[c][l]).ln();
                }
            }
            let p = 1.0 / (1.0 + (-log_odds).exp());
            matched += p * count;
            total += count;
            for (c, row) in m_counts.iter_mut().enumerate() {
                row[level_of(g, c) as usize] += p * count;
            }
        }
        for (c, row) in m_counts.iter().enumerate() {
            observed[c] = row[1..].iter().sum();
        }
        let new_m = normalise(&m_counts, 0.01);
        let new_lambda = (matched / total.max(1.0)).clamp(1e-9, 1.0 - 1e-9);
        let mut change = (new_lambda - lambda).abs();
        for c in (0..m.len()).filter(|&c| active[c]) {
            for l in 1..m[c].len() {
                change = change.max((m[c][l] - new_m[c][l]).abs());
            }
            m[c].clone_from(&new_m[c]);
        }
        lambda = new_lambda;
        if change < 1e-6 {
            break;
        }
    }
    (observed, iterations)
}

/// Checks each comparison's learnt m against u: its strongest level must be evidence for
/// a match (m > u) and matches must agree on it more often than random pairs. A comparison that fails
/// either says the model learnt that disagreeing records are the same entity; the whole
/// model then falls back to the safe defaults. A middle level with m ≤ u weighs nothing
/// (m is set to u) rather than counting agreement against a match.
fn check_levels(
    comparisons: &[Comparison],
    mut m: Vec<Vec<f64>>,
    u: &[Vec<f64>],
    prior_m: &[Vec<f64>],
    report: &mut TrainingReport,
) -> Vec<Vec<f64>> {
    for (c, cmp) in comparisons.iter().enumerate() {
        let last = cmp.level_count() - 1;
        // A bit either way is noise (a title that says nothing learns m ≈ u); a level
        // that says the opposite of what it means is a model of another world.
        if m[c][1] * 2.0 <= u[c][1] {
            report.warnings.push(format!(
                "records that agree on {} at its strongest level ({}) came out as less likely \
                 to match than two records drawn at random (m {:.3} ≤ u {:.3})",
                cmp.name, cmp.labels[1], m[c][1], u[c][1]
            ));
            report.fell_back = true;
        }
        // Matches must agree more often than random pairs do. Measured as agreement rates
        // (the agreeing levels' m and u summed), since u of "else" is near 1 for any field
        // that tells records apart and a ratio near 1 hides a model that has it backwards.
        let agreeing = || (1..=last).filter(|&l| !cmp.disagrees(l as u8));
        let agree_m: f64 = agreeing().map(|l| m[c][l]).sum();
        let agree_u: f64 = agreeing().map(|l| u[c][l]).sum();
        if agree_u >= 1e-4 && agree_m * 2.0 <= agree_u {
            report.warnings.push(format!(
                "matching records came out as agreeing on {} less often than two records \
                 drawn at random ({:.2}% against {:.2}%): the model learnt that records \
                 that differ in {} are the same entity",
                cmp.name,
                100.0 * agree_m,
                100.0 * agree_u,
                cmp.name
            ));
            report.fell_back = true;
        }
        // A weaker agreement is still agreement: never evidence against a match.
        for l in agreeing().skip(1) {
            if m[c][l] < u[c][l] {
                m[c][l] = u[c][l];
            }
        }
    }
    if report.fell_back {
        return prior_m.to_vec();
    }
    m
}

/// No level weighs more than a comparison's first, strongest level: a level random pairs
/// seldom reach (names one typo apart) gets a u near 0 from the sample, and with it more
/// weight than exact agreement, which no one means. Its u is raised until its weight is
/// the first level's.
fn cap_levels(comparisons: &[Comparison], m: &[Vec<f64>], u: &mut [Vec<f64>]) {
    for (c, cmp) in comparisons.iter().enumerate() {
        let last = cmp.level_count() - 1;
        let top = m[c][1] / u[c][1];
        for l in 2..last {
            if m[c][l] / u[c][l] > top {
                u[c][l] = m[c][l] / top;
            }
        }
    }
}

/// The prior probability of a match between two random records, and the matches expected
/// among the candidates, by fixed point: the expected matches over all pairs is the prior
/// the candidates' weights are read against.
fn expected_matches(
    patterns: &[(Gamma, f64)],
    m: &[Vec<f64>],
    u: &[Vec<f64>],
    candidates: usize,
    all_pairs: f64,
) -> (f64, f64) {
    let weights: Vec<(f64, f64)> = patterns
        .iter()
        .map(|&(g, count)| {
            let w: f64 = (0..m.len())
                .map(|c| match level_of(g, c) as usize {
                    0 => 0.0,
                    l => (m[c][l] / u[c][l]).ln(),
                })
                .sum();
            (w, count)
        })
        .collect();
    let mut prior = (candidates as f64 * 0.5 / all_pairs).clamp(1e-12, 0.5);
    let mut expected = 0.0;
    for _ in 0..100 {
        let log_odds = (prior / (1.0 - prior)).ln();
        expected = weights
            .iter()
            .map(|&(w, count)| count / (1.0 + (-(log_odds + w)).exp()))
            .sum::<f64>();
        let next = (expected / all_pairs).clamp(1e-12, 0.5);
        let done = (next - prior).abs() <= prior * 1e-6;
        prior = next;
        if done {
            break;
        }
    }
    (prior, expected)
}

/// Per candidate pair, which rules pair it, one bit each: bit `i` for training rule `i`,
/// bit `16 + j` for deterministic rule `j` when the values it agrees on are not shared.
/// One pass over the pairs for every rule: each pass reads both records of every pair
/// from anywhere in the table, so passes cost memory traffic, not comparisons.
fn rule_masks(
    table: &Table,
    training: &[Rule],
    deterministic: &[Rule],
    pairs: &[Pair],
) -> Vec<u32> {
    let unshared = |rule: &Rule, ids: &[u32]| {
        rule.columns
            .iter()
            .all(|&c| !table.columns[c].is_shared(ids[c]))
    };
    pairs
        .par_iter()
        .map(|&(a, b)| {
            let (ia, ib) = (table.ids_of(a as usize), table.ids_of(b as usize));
            let mut mask = 0u32;
            for (i, rule) in training.iter().enumerate().take(16) {
                if rule.agree_ids(table, ia, ib) {
                    mask |= 1 << i;
                }
            }
            for (j, rule) in deterministic.iter().enumerate().take(16) {
                if rule.agree_ids(table, ia, ib) && unshared(rule, ia) {
                    mask |= 1 << (16 + j);
                }
            }
            mask
        })
        .collect()
}

/// Counts the distinct comparison vectors of the pairs whose rule mask has a bit of
/// `want` (every pair when `want` is 0), with the comparisons outside `active` set to
/// null.
fn patterns_of(gammas: &[Gamma], masks: &[u32], want: u32, active: &[bool]) -> Vec<(Gamma, f64)> {
    let mask: Gamma = active
        .iter()
        .enumerate()
        .filter(|(_, a)| **a)
        .fold(0, |m, (c, _)| m | (0xF << (4 * c)));
    let counts = gammas
        .par_iter()
        .zip(masks)
        .fold(
            FxMap::default,
            |mut map: FxMap<Gamma, f64>, (&g, &rules)| {
                if want == 0 || rules & want != 0 {
                    *map.entry(g & mask).or_insert(0.0) += 1.0;
                }
                map
            },
        )
        .reduce(FxMap::default, |mut x, y| {
            for (g, n) in y {
                *x.entry(g).or_insert(0.0) += n;
            }
            x
        });
    let mut patterns: Vec<(Gamma, f64)> = counts.into_iter().collect();
    patterns.sort_unstable_by_key(|p| p.0);
    patterns
}

/// u of every level from a seeded random sample of record pairs; for an identifier's exact
/// level at most the chance of one agreeing pair of different records in the table.
fn random_pair_u(
    config: &ResolveConfig,
    table: &Table,
    comparisons: &[Comparison],
) -> Vec<Vec<f64>> {
    let random = random_gammas(config, table, comparisons);
    let u_counts = level_counts(comparisons, random.iter().map(|&g| (g, 1.0)));
    let mut u = normalise(&u_counts, 0.001);
    for (c, cmp) in comparisons.iter().enumerate() {
        if let (true, Some(exact)) = (cmp.identifier, cmp.exact_level) {
            // At most one agreeing pair of different records among all pairs of
            // records that have the field.
            let present = f64::from(table.columns[cmp.column].present.max(2));
            let floor = 2.0 / (present * (present - 1.0));
            let l = exact as usize;
            u[c][l] = u[c][l].min(floor);
        }
    }
    u
}

/// Prior m: matches mostly agree on the strongest level, rarely fall in "else".
fn prior_m_of(comparisons: &[Comparison]) -> Vec<Vec<f64>> {
    comparisons
        .iter()
        .map(|cmp| {
            // Agreeing levels share 0.95, halving from the strongest down; the levels
            // of disagreement ("else", "names differ") share 0.05.
            let n = cmp.level_count();
            let agreeing: Vec<usize> = (1..n).filter(|&l| !cmp.disagrees(l as u8)).collect();
            let against = (n - 1 - agreeing.len()) as f64;
            let scale: f64 = (0..agreeing.len()).map(|i| 0.5f64.powi(i as i32)).sum();
            let mut row = vec![0.0; n];
            for (l, p) in row.iter_mut().enumerate().skip(1) {
                *p = match agreeing.iter().position(|&a| a == l) {
                    Some(i) => 0.95 * 0.5f64.powi(i as i32) / scale,
                    None => 0.05 / against,
                };
            }
            row
        })
        .collect()
}

impl Model {
    /// Estimates the model without labels:
    ///
    /// 1. u of every level from a seeded random sample of record pairs (for an identifier's
    ///    exact level, the chance of one agreeing pair of different records in the table).
    /// 2. m by EM in rounds, one per training rule (by default the blocking rules), as
    ///    Splink trains: a round takes the
    ///    candidate pairs that agree on the rule's fields and leaves out the comparisons
    ///    that read those fields (they agree by construction, so they say nothing there).
    ///    Among such pairs the non-matches agree on the other fields about as often as
    ///    random pairs, which is what fixing u assumes. Each comparison's m is the mean of
    ///    its rounds, weighted by the matches each round saw it in. (One EM over all candidates with u fixed would make the candidate
    ///    non-matches look like matches, since they agree on a blocking key far more often
    ///    than random pairs do.)
    /// 3. The prior: the expected number of matches among the candidates under the
    ///    estimated m and u, over all pairs, found by fixed-point iteration.
    pub fn train(
        config: &ResolveConfig,
        table: &Table,
        comparisons: &[Comparison],
        pairs: &[Pair],
        gammas: &[Gamma],
    ) -> Model {
        let mut u = random_pair_u(config, table, comparisons);
        let prior_m = prior_m_of(comparisons);

        let training_rules: Vec<Vec<String>> = match config.training.rules.is_empty() {
            true => config
                .blocking
                .iter()
                .map(|r| r.fields().to_vec())
                .collect(),
            false => config.training.rules.clone(),
        };
        let rules = compile_rules(&training_rules, table);
        let deterministic = &config.training.deterministic;
        let masks = rule_masks(table, &rules, &compile_rules(deterministic, table), pairs);
        let comparison_columns: Vec<Vec<usize>> = comparisons.iter().map(|c| c.columns()).collect();
        let mut report = TrainingReport::default();
        let mut m_sum: Vec<Vec<f64>> = prior_m.iter().map(|r| vec![0.0; r.len()]).collect();
        let mut evidence = vec![0.0f64; comparisons.len()];
        let mut iterations = 0;
        for (i, (rule, fields)) in rules.iter().zip(&training_rules).enumerate().take(16) {
            let active: Vec<bool> = comparison_columns
                .iter()
                .map(|cols| !cols.iter().any(|c| rule.columns.contains(c)))
                .collect();
            if !active.iter().any(|a| *a) {
                continue;
            }
            let patterns = patterns_of(gammas, &masks, 1 << i, &active);
            let pair_count: f64 = patterns.iter().map(|p| p.1).sum();
            if pair_count < 10.0 {
                continue;
            }
            let mut m = prior_m.clone();
            let (observed, its) = em(
                &patterns,
                &active,
                &mut m,
                &u,
                config.training.max_iterations,
            );
            iterations += its;
            if its >= config.training.max_iterations {
                report.warnings.push(format!(
                    "training on pairs that share {} did not settle in {its} rounds of \
                     estimation; its estimates are less certain",
                    fields.join(" and ")
                ));
            }
            for c in (0..comparisons.len()).filter(|&c| active[c]) {
                for l in 1..m[c].len() {
                    m_sum[c][l] += m[c][l] * observed[c];
                }
                evidence[c] += observed[c];
            }
        }
        // Each round's m counts by how many matches it saw the comparison in: a round where
        // a field is nearly always missing says little about it.
        let m: Vec<Vec<f64>> = (0..comparisons.len())
            .map(|c| match evidence[c] {
                e if e < 1.0 => prior_m[c].clone(),
                e => m_sum[c].iter().map(|x| x / e).collect(),
            })
            .collect();
        let mut m = check_levels(comparisons, m, &u, &prior_m, &mut report);
        cap_levels(comparisons, &m, &mut u);

        let all_pairs = match config.mode {
            Mode::Dedupe => (table.len() as f64) * (table.len() as f64 - 1.0) / 2.0,
            Mode::Link => {
                let left = table.dataset.iter().filter(|&&d| d == 0).count() as f64;
                left * (table.len() as f64 - left)
            }
        }
        .max(1.0);
        let everything = vec![true; comparisons.len()];
        let patterns = patterns_of(gammas, &masks, 0, &everything);
        let (mut prior, mut expected) = expected_matches(&patterns, &m, &u, pairs.len(), all_pairs);
        report.sure_pairs = masks.par_iter().filter(|&&m| m >> 16 != 0).count();
        let ratio = config.training.max_matches_per_sure_pair;
        let bound = ratio * report.sure_pairs as f64 + table.len() as f64 / 100.0;
        if !report.fell_back && !deterministic.is_empty() && expected > bound {
            report.warnings.push(format!(
                "the trained model expects {expected:.0} matches among the candidate pairs, \
                 where the rules that need no model ({}) find {}: it would merge records \
                 that only look alike",
                deterministic
                    .iter()
                    .map(|r| r.join(" + "))
                    .collect::<Vec<_>>()
                    .join(", "),
                report.sure_pairs
            ));
            report.fell_back = true;
            m = prior_m.clone();
            (prior, expected) = expected_matches(&patterns, &m, &u, pairs.len(), all_pairs);
        }
        if report.fell_back {
            report.warnings.push(
                "training settled on a model that cannot be right, so it was not used: the \
                 run uses safe defaults (agreeing is likely among matches, disagreeing \
                 unlikely), which merge less; check the setup's training rules"
                    .to_string(),
            );
        }
        report.expected_matches = expected;
        Model {
            lambda: expected / (pairs.len().max(1) as f64),
            prior,
            m,
            u,
            iterations,
            training: report,
        }
    }

    /// Every comparison's levels with their m, u and weight, for people to read.
    pub fn weights(&self, comparisons: &[Comparison]) -> Vec<ComparisonWeights> {
        comparisons
            .iter()
            .enumerate()
            .map(|(c, cmp)| ComparisonWeights {
                comparison: cmp.name.clone(),
                levels: (1..cmp.level_count())
                    .map(|l| LevelWeight {
                        level: cmp.labels.get(l).cloned().unwrap_or_default(),
                        m: self.m[c][l],
                        u: self.u[c][l],
                        weight: self.level_weight(c, l as u8),
                    })
                    .collect(),
            })
            .collect()
    }

    /// The log2 Bayes factor of level `l` of comparison `c` (0 for null).
    pub fn level_weight(&self, c: usize, l: u8) -> f64 {
        match l {
            0 => 0.0,
            l => (self.m[c][l as usize] / self.u[c][l as usize]).log2(),
        }
    }

    /// The weight a comparison adds for records `a` and `b` at level `l`, with the
    /// term-frequency adjustment of the values they agree on
    /// ([`Comparison::tf_adjustment`]).
    pub fn weight(
        &self,
        comparisons: &[Comparison],
        table: &Table,
        c: usize,
        l: u8,
        (a, b): (usize, usize),
    ) -> f64 {
        self.level_weight(c, l) + comparisons[c].tf_adjustment(table, l, a, b)
    }

    /// The total match weight of a pair (log2 Bayes factor, without the prior).
    pub fn pair_weight(
        &self,
        comparisons: &[Comparison],
        table: &Table,
        g: Gamma,
        pair: (usize, usize),
    ) -> f64 {
        (0..comparisons.len())
            .map(|c| self.weight(comparisons, table, c, level_of(g, c), pair))
            .sum()
    }

    /// log2 of the prior odds of a match.
    pub fn prior_weight(&self) -> f64 {
        (self.prior / (1.0 - self.prior)).log2()
    }

    /// The match probability of a pair of total weight `weight`.
    pub fn probability(&self, weight: f64) -> f64 {
        let log2_odds = self.prior_weight() + weight;
        1.0 / (1.0 + (-log2_odds).exp2())
    }
}
