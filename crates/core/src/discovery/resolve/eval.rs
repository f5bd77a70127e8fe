//! Measuring a resolution against known truth: pairwise precision, recall and F1 over the
//! pairs of records put in one cluster, and the recall of blocking (the share of true pairs
//! that are candidates at all, an upper bound on the recall of everything after it).

use serde::{Deserialize, Serialize};

use super::blocking::Pair;
use super::table::FxMap;

/// Pairwise quality.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairScores {
    pub true_pairs: u64,
    pub predicted_pairs: u64,
    pub correct_pairs: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl PairScores {
    fn new(true_pairs: u64, predicted_pairs: u64, correct_pairs: u64) -> PairScores {
        let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        let precision = ratio(correct_pairs, predicted_pairs);
        let recall = ratio(correct_pairs, true_pairs);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        PairScores {
            true_pairs,
            predicted_pairs,
            correct_pairs,
            precision,
            recall,
            f1,
        }
    }
}

/// Pairwise scores of `predicted` cluster ids against `truth` entity ids, one of each per
/// record. With `dataset` (link mode) only pairs across data sets count.
pub fn pairwise_scores(predicted: &[u32], truth: &[u32], dataset: Option<&[u8]>) -> PairScores {
    let n = predicted.len().min(truth.len());
    let side = |r: usize| dataset.map_or(0, |d| d.get(r).copied().unwrap_or(0) as usize);
    // Counts per cluster, per true entity and per (cluster, entity) cell, each split by
    // data set so that link mode counts only cross pairs.
    let mut by_pred: FxMap<u32, [u64; 2]> = FxMap::default();
    let mut by_truth: FxMap<u32, [u64; 2]> = FxMap::default();
    let mut by_cell: FxMap<(u32, u32), [u64; 2]> = FxMap::default();
    for r in 0..n {
        let s = side(r).min(1);
        by_pred.entry(predicted[r]).or_default()[s] += 1;
        by_truth.entry(truth[r]).or_default()[s] += 1;
        by_cell.entry((predicted[r], truth[r])).or_default()[s] += 1;
    }
    let pairs = |c: &[u64; 2]| {
        if dataset.is_some() {
            c[0] * c[1]
        } else {
            let k = c[0] + c[1];
            k * k.saturating_sub(1) / 2
        }
    };
    PairScores::new(
        by_truth.values().map(pairs).sum(),
        by_pred.values().map(pairs).sum(),
        by_cell.values().map(pairs).sum(),
    )
}

/// Scores of a set of predicted pairs (say, every candidate above the threshold, before
/// clustering) against `truth`.
pub fn pair_list_scores(pairs: &[Pair], truth: &[u32], dataset: Option<&[u8]>) -> PairScores {
    let total = pairwise_scores(truth, truth, dataset).true_pairs;
    let correct = pairs
        .iter()
        .filter(|&&(a, b)| truth.get(a as usize) == truth.get(b as usize))
        .count() as u64;
    PairScores::new(total, pairs.len() as u64, correct)
}

/// The share of true pairs that are among `candidates` (the recall of blocking).
pub fn candidate_recall(candidates: &[Pair], truth: &[u32], dataset: Option<&[u8]>) -> f64 {
    pair_list_scores(candidates, truth, dataset).recall
}

/// Maps entity labels (strings) to dense ids, for [`pairwise_scores`].
pub fn label_ids<S: AsRef<str>>(labels: &[S]) -> Vec<u32> {
    let mut ids: FxMap<&str, u32> = FxMap::default();
    labels
        .iter()
        .map(|l| {
            let next = ids.len() as u32;
            *ids.entry(l.as_ref()).or_insert(next)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_scores_count_pairs_within_clusters() {
        // truth: {0,1,2}, {3}; predicted: {0,1}, {2,3}
        let s = pairwise_scores(&[0, 0, 1, 1], &[7, 7, 7, 8], None);
        assert_eq!(
            (s.true_pairs, s.predicted_pairs, s.correct_pairs),
            (3, 2, 1)
        );
        assert_eq!(s.precision, 0.5);
        let link = pairwise_scores(&[0, 0, 1, 1], &[7, 7, 8, 8], Some(&[0, 1, 0, 1]));
        assert_eq!((link.true_pairs, link.correct_pairs), (2, 2));
        assert_eq!(candidate_recall(&[(0, 1)], &[7, 7, 7, 8], None), 1.0 / 3.0);
        assert_eq!(label_ids(&["a", "b", "a"]), vec![0, 1, 0]);
    }
}
