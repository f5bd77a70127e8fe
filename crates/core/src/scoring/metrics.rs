//! How good a conversion model's probabilities are, measured on held-out leads. The
//! calibration report, the cross-validation of the learner and the sign-off warnings all
//! read the same numbers, so they are computed once, here: ranking (ROC AUC, average
//! precision), accuracy of the probabilities themselves (Brier score, log loss, the
//! reliability table and its expected calibration error), the uncertainty of a rate (the
//! Wilson interval) and drift between two populations (the population stability index).
//!
//! The definitions follow scikit-learn where it has one, so a figure here can be checked
//! against a Python notebook: ties in ROC AUC are averaged (the Mann–Whitney statistic),
//! average precision is the step sum Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct thresholds, log loss
//! clips probabilities to [1e-15, 1 − 1e-15]. Every function takes parallel slices of
//! scores (or probabilities) and labels; if their lengths differ only the pairs both have
//! are used. None of them panics: an undefined figure is `None` (or NaN for a mean of
//! nothing), never a crash.

use serde::{Deserialize, Serialize};

/// Probabilities are clipped to `[EPS, 1 − EPS]` before taking logarithms, as scikit-learn does.
const LOG_LOSS_EPS: f64 = 1e-15;

/// A share below this is raised to it before PSI takes its logarithm: an empty bin on one
/// side would otherwise make the index infinite.
const PSI_SHARE_FLOOR: f64 = 1e-4;

/// The z of a two-sided 95 % interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Area under the ROC curve: the probability that a randomly chosen converted lead scores
/// above a randomly chosen non-converted one, ties counting one half (Mann–Whitney U over
/// average ranks). `None` when the labels hold only one class (or nothing). O(n log n).
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let n = scores.len().min(labels.len());
    let positives = labels[..n].iter().filter(|&&y| y).count();
    let negatives = n - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let order = ascending_order(&scores[..n]);
    // Sum of the (1-based, tie-averaged) ranks of the positives.
    let mut positive_rank_sum = 0.0;
    let mut start = 0;
    while start < n {
        let end = tie_group_end(&order, scores, start);
        let average_rank = (start + 1 + end) as f64 / 2.0;
        let group_positives = order[start..end].iter().filter(|&&i| labels[i]).count();
        positive_rank_sum += average_rank * group_positives as f64;
        start = end;
    }
    let p = positives as f64;
    let u = positive_rank_sum - p * (p + 1.0) / 2.0;
    Some(u / (p * negatives as f64))
}

/// Average precision, as scikit-learn's `average_precision_score` computes it: walk the
/// distinct score thresholds from the highest down and add each step in recall times the
/// precision at that threshold. Tied scores enter together. `None` when there is no
/// positive label (recall is undefined).
pub fn pr_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let n = scores.len().min(labels.len());
    let positives = labels[..n].iter().filter(|&&y| y).count();
    if positives == 0 {
        return None;
    }
    let mut order = ascending_order(&scores[..n]);
    order.reverse();
    let mut average_precision = 0.0;
    let mut true_positives = 0usize;
    let mut previous_recall = 0.0;
    let mut start = 0;
    while start < n {
        let end = tie_group_end(&order, scores, start);
        true_positives += order[start..end].iter().filter(|&&i| labels[i]).count();
        let precision = true_positives as f64 / end as f64;
        let recall = true_positives as f64 / positives as f64;
        average_precision += (recall - previous_recall) * precision;
        previous_recall = recall;
        start = end;
    }
    Some(average_precision)
}

/// Brier score: the mean squared difference between the probability and the outcome
/// (1 converted, 0 not). 0 is perfect; always predicting the base rate p̄ scores p̄(1 − p̄).
/// NaN for empty input.
pub fn brier(probabilities: &[f64], labels: &[bool]) -> f64 {
    mean(probabilities.iter().zip(labels).map(|(&p, &y)| {
        let d = p - f64::from(u8::from(y));
        d * d
    }))
}

/// Log loss (cross-entropy) in nats, probabilities clipped to [1e-15, 1 − 1e-15] so a
/// confident mistake costs about 34.5 rather than infinity. NaN for empty input.
pub fn log_loss(probabilities: &[f64], labels: &[bool]) -> f64 {
    mean(probabilities.iter().zip(labels).map(|(&p, &y)| {
        let p = p.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
        if y { -p.ln() } else { -(1.0 - p).ln() }
    }))
}

/// The Wilson score interval for a rate of `successes` out of `trials` at normal quantile
/// `z` (1.96 for 95 %, see [`Z_95`]). Unlike p̂ ± z·SE it stays inside [0, 1] and is honest
/// at small counts: 0 out of 10 gives (0, 0.28), not (0, 0). No trials give (0, 1); more
/// successes than trials are counted as `trials`.
pub fn wilson(successes: u64, trials: u64, z: f64) -> (f64, f64) {
    if trials == 0 {
        return (0.0, 1.0);
    }
    let n = trials as f64;
    let p = successes.min(trials) as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half_width = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    (
        (centre - half_width).clamp(0.0, 1.0),
        (centre + half_width).clamp(0.0, 1.0),
    )
}

/// One row of the reliability table: a group of leads with similar predicted probability,
/// what was predicted for them on average and how many actually converted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// Leads in the bin.
    pub count: u64,
    /// Leads in the bin that converted.
    pub conversions: u64,
    /// Lowest and highest predicted probability in the bin.
    pub min_predicted: f64,
    pub max_predicted: f64,
    /// Mean predicted probability.
    pub mean_predicted: f64,
    /// Share of the bin that converted.
    pub observed_rate: f64,
    /// Wilson 95 % interval of `observed_rate`.
    pub observed_low: f64,
    pub observed_high: f64,
}

/// The reliability table over `bins` equal-count bins: leads sorted by probability and cut
/// into groups whose sizes differ by at most one (fewer bins when there are fewer leads
/// than bins). Equal counts rather than equal widths, because a conversion model's
/// probabilities crowd near the base rate and fixed-width bins would leave most of them in
/// one or two rows. Leads with the same probability may straddle a cut; the order among
/// them is their input order, so the table is reproducible.
pub fn reliability(probabilities: &[f64], labels: &[bool], bins: usize) -> Vec<ReliabilityBin> {
    let n = probabilities.len().min(labels.len());
    let bins = bins.min(n);
    if bins == 0 {
        return Vec::new();
    }
    let order = ascending_order(&probabilities[..n]);
    (0..bins)
        .map(|b| {
            let members = &order[b * n / bins..(b + 1) * n / bins];
            let count = members.len() as u64;
            let conversions = members.iter().filter(|&&i| labels[i]).count() as u64;
            let (observed_low, observed_high) = wilson(conversions, count, Z_95);
            ReliabilityBin {
                count,
                conversions,
                min_predicted: probabilities[members[0]],
                max_predicted: probabilities[members[members.len() - 1]],
                mean_predicted: mean(members.iter().map(|&i| probabilities[i])),
                observed_rate: conversions as f64 / count as f64,
                observed_low,
                observed_high,
            }
        })
        .collect()
}

/// Expected calibration error: the mean gap between predicted and observed conversion over
/// the equal-count bins of [`reliability`], each bin weighted by its share of the leads.
/// 0 for empty input.
pub fn ece(probabilities: &[f64], labels: &[bool], bins: usize) -> f64 {
    let table = reliability(probabilities, labels, bins);
    let total: u64 = table.iter().map(|b| b.count).sum();
    if total == 0 {
        return 0.0;
    }
    table
        .iter()
        .map(|b| b.count as f64 / total as f64 * (b.mean_predicted - b.observed_rate).abs())
        .sum()
}

/// Population stability index between two distributions over the same bins, given as
/// shares: Σ (actual − expected) · ln(actual / expected), each share floored at 1e-4.
/// Below 0.1 is usually read as stable, 0.1–0.25 as a moderate shift, above 0.25 as a
/// shift worth acting on. A bin missing from the shorter slice counts as share 0.
pub fn psi(expected_shares: &[f64], actual_shares: &[f64]) -> f64 {
    let len = expected_shares.len().max(actual_shares.len());
    (0..len)
        .map(|i| {
            let e = expected_shares
                .get(i)
                .copied()
                .unwrap_or(0.0)
                .max(PSI_SHARE_FLOOR);
            let a = actual_shares
                .get(i)
                .copied()
                .unwrap_or(0.0)
                .max(PSI_SHARE_FLOOR);
            (a - e) * (a / e).ln()
        })
        .sum()
}

/// PSI of two samples of scores: the expected sample's quantile cut points split both into
/// `bins` bins (deciles for 10; fewer when the expected sample has tied cut points), each
/// bin `(cut₋, cut₊]`, and [`psi`] compares the shares. 0 when either sample is empty or
/// `bins` is below 2.
pub fn score_psi(expected: &[f64], actual: &[f64], bins: usize) -> f64 {
    if expected.is_empty() || actual.is_empty() || bins < 2 {
        return 0.0;
    }
    let mut sorted = expected.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    // The last value of each equal-count group but the top one.
    let mut cuts: Vec<f64> = (1..bins)
        .filter_map(|k| (k * n / bins).checked_sub(1).map(|i| sorted[i]))
        .collect();
    cuts.dedup_by(|a, b| a.total_cmp(b).is_eq());
    let shares = |sample: &[f64]| {
        let mut counts = vec![0u64; cuts.len() + 1];
        for &x in sample {
            counts[cuts.partition_point(|c| c.total_cmp(&x).is_lt())] += 1;
        }
        counts
            .into_iter()
            .map(|c| c as f64 / sample.len() as f64)
            .collect::<Vec<_>>()
    };
    psi(&shares(expected), &shares(actual))
}

/// Indices of `values` sorted ascending (NaN last, by `total_cmp`), ties in input order.
fn ascending_order(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    order
}

/// The end (exclusive) of the run of equal values starting at `start` in `order`.
fn tie_group_end(order: &[usize], values: &[f64], start: usize) -> usize {
    let value = values[order[start]];
    let mut end = start + 1;
    while end < order.len() && values[order[end]].total_cmp(&value).is_eq() {
        end += 1;
    }
    end
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0u64), |(s, c), v| (s + v, c + 1));
    if count == 0 {
        f64::NAN
    } else {
        sum / count as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 1e-9,
            "expected {expected}, got {actual}"
        );
    }

    #[test]
    fn roc_auc_counts_ordered_pairs() {
        // scikit-learn's docs example: y = [0,0,1,1], s = [0.1,0.4,0.35,0.8] → 0.75.
        // Pairs (pos, neg): 0.35>0.1 ✓, 0.35>0.4 ✗, 0.8>0.1 ✓, 0.8>0.4 ✓ → 3/4.
        let auc = roc_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]);
        close(auc.unwrap(), 0.75);
    }

    #[test]
    fn roc_auc_counts_a_tie_as_half_a_pair() {
        // Positives 0.5, 0.9; negatives 0.5, 0.1. Pairs: (0.5,0.5) tie → ½, (0.5,0.1) 1,
        // (0.9,0.5) 1, (0.9,0.1) 1 → 3.5/4 = 0.875.
        let auc = roc_auc(&[0.5, 0.9, 0.5, 0.1], &[true, true, false, false]);
        close(auc.unwrap(), 0.875);
        // All scores equal: every pair a tie → 0.5.
        close(
            roc_auc(&[0.3; 4], &[true, false, true, false]).unwrap(),
            0.5,
        );
    }

    #[test]
    fn roc_auc_is_none_for_one_class_or_nothing() {
        assert_eq!(roc_auc(&[0.2, 0.7], &[true, true]), None);
        assert_eq!(roc_auc(&[0.2, 0.7], &[false, false]), None);
        assert_eq!(roc_auc(&[], &[]), None);
    }

    #[test]
    fn roc_auc_of_a_perfectly_reversed_ranking_is_zero() {
        close(
            roc_auc(&[0.9, 0.8, 0.2, 0.1], &[false, false, true, true]).unwrap(),
            0.0,
        );
    }

    proptest::proptest! {
        /// The rank formula agrees with counting every (converted, not converted) pair,
        /// including ties, on small integer-valued scores that tie often.
        #[test]
        fn roc_auc_equals_the_pair_count(
            pairs in proptest::collection::vec((0u8..6, proptest::bool::ANY), 0..40)
        ) {
            let scores: Vec<f64> = pairs.iter().map(|&(s, _)| f64::from(s)).collect();
            let labels: Vec<bool> = pairs.iter().map(|&(_, y)| y).collect();
            let mut wins = 0.0;
            let mut total = 0.0;
            for (i, &yi) in labels.iter().enumerate() {
                for (j, &yj) in labels.iter().enumerate() {
                    if yi && !yj {
                        total += 1.0;
                        if scores[i] > scores[j] {
                            wins += 1.0;
                        } else if scores[i] == scores[j] {
                            wins += 0.5;
                        }
                    }
                }
            }
            let expected = (total > 0.0).then(|| wins / total);
            let actual = roc_auc(&scores, &labels);
            proptest::prop_assert_eq!(actual.is_some(), expected.is_some());
            if let (Some(a), Some(e)) = (actual, expected) {
                proptest::prop_assert!((a - e).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn pr_auc_matches_scikit_learns_average_precision() {
        // scikit-learn's docs example: y = [0,0,1,1], s = [0.1,0.4,0.35,0.8] → 0.8333….
        // Descending: 0.8 (pos) P=1 R=½; 0.4 (neg) P=½ R=½; 0.35 (pos) P=⅔ R=1; 0.1 (neg).
        // AP = ½·1 + 0·½ + ½·⅔ + 0 = 5/6.
        let ap = pr_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]);
        close(ap.unwrap(), 5.0 / 6.0);
    }

    #[test]
    fn pr_auc_takes_tied_scores_as_one_threshold() {
        // s = [0.9, 0.5, 0.5, 0.1], y = [1, 1, 0, 1]. Threshold 0.9: P=1, R=⅓.
        // Threshold 0.5 (two leads enter together): TP=2 of 3 → P=⅔, R=⅔.
        // Threshold 0.1: TP=3 of 4 → P=¾, R=1. AP = ⅓·1 + ⅓·⅔ + ⅓·¾ = 29/36.
        let ap = pr_auc(&[0.9, 0.5, 0.5, 0.1], &[true, true, false, true]);
        close(ap.unwrap(), 29.0 / 36.0);
    }

    #[test]
    fn pr_auc_is_none_without_positives_and_one_with_only_positives() {
        assert_eq!(pr_auc(&[0.2, 0.7], &[false, false]), None);
        assert_eq!(pr_auc(&[], &[]), None);
        close(pr_auc(&[0.2, 0.7], &[true, true]).unwrap(), 1.0);
    }

    #[test]
    fn brier_and_log_loss_by_hand() {
        // p = [0.9, 0.2, 0.6], y = [1, 0, 0].
        // Brier = (0.01 + 0.04 + 0.36) / 3 = 0.41 / 3.
        // Log loss = −(ln 0.9 + ln 0.8 + ln 0.4) / 3.
        let p = [0.9, 0.2, 0.6];
        let y = [true, false, false];
        close(brier(&p, &y), 0.41 / 3.0);
        close(
            log_loss(&p, &y),
            -(0.9f64.ln() + 0.8f64.ln() + 0.4f64.ln()) / 3.0,
        );
    }

    #[test]
    fn log_loss_clips_a_certain_mistake() {
        // p = 0 for a conversion: −ln(1e-15) = 34.538776…
        close(log_loss(&[0.0], &[true]), -(1e-15f64).ln());
        assert!(log_loss(&[1.0], &[false]).is_finite());
    }

    #[test]
    fn means_of_nothing_are_nan_not_a_panic() {
        assert!(brier(&[], &[]).is_nan());
        assert!(log_loss(&[], &[]).is_nan());
    }

    #[test]
    fn wilson_interval_by_hand() {
        // 5 of 10 at z = 1.96: z²/n = 0.38416, so the centre is (0.5 + 0.19208)/1.38416 = 0.5
        // and the half width 1.96·√(0.025 + 0.009604)/1.38416 = 0.26341: (0.23659, 0.76341).
        let (low, high) = wilson(5, 10, 1.96);
        assert!((low - 0.236_593).abs() < 1e-5, "{low}");
        assert!((high - 0.763_407).abs() < 1e-5, "{high}");
    }

    #[test]
    fn wilson_interval_at_zero_successes_is_not_a_point() {
        // 0 of 10: low 0, high = z²/n / (1 + z²/n) = 0.38416/1.38416 = 0.27754.
        let (low, high) = wilson(0, 10, 1.96);
        close(low, 0.0);
        assert!((high - 0.277_54).abs() < 1e-5, "{high}");
        assert_eq!(wilson(0, 0, 1.96), (0.0, 1.0));
        assert_eq!(wilson(12, 10, 1.96), wilson(10, 10, 1.96));
    }

    #[test]
    fn reliability_cuts_equal_count_bins_in_probability_order() {
        // Five leads into two bins: sizes 2 and 3 (cuts at 5·1/2 = 2).
        let p = [0.9, 0.1, 0.8, 0.2, 0.7];
        let y = [true, false, false, false, true];
        let table = reliability(&p, &y, 2);
        assert_eq!(table.len(), 2);
        assert_eq!(table[0].count, 2);
        close(table[0].mean_predicted, 0.15);
        close(table[0].observed_rate, 0.0);
        assert_eq!(table[1].count, 3);
        assert_eq!(table[1].conversions, 2);
        close(table[1].mean_predicted, 0.8);
        close(table[1].observed_rate, 2.0 / 3.0);
        assert_eq!((table[1].min_predicted, table[1].max_predicted), (0.7, 0.9));
        let (low, high) = wilson(2, 3, Z_95);
        assert_eq!((table[1].observed_low, table[1].observed_high), (low, high));
    }

    #[test]
    fn reliability_never_makes_empty_bins() {
        assert_eq!(reliability(&[0.5, 0.6], &[true, false], 10).len(), 2);
        assert!(reliability(&[], &[], 10).is_empty());
        assert!(reliability(&[0.5], &[true], 0).is_empty());
    }

    #[test]
    fn ece_weights_each_bin_by_its_count() {
        // Bins as above: |0.15 − 0|·2/5 + |0.8 − ⅔|·3/5 = 0.06 + 0.08 = 0.14.
        let p = [0.9, 0.1, 0.8, 0.2, 0.7];
        let y = [true, false, false, false, true];
        close(ece(&p, &y, 2), 0.14);
        close(ece(&[], &[], 10), 0.0);
    }

    #[test]
    fn psi_by_hand_and_floored() {
        // (0.6−0.5)·ln(0.6/0.5) + (0.4−0.5)·ln(0.4/0.5) = 0.1·0.18232 + 0.1·0.22314.
        close(
            psi(&[0.5, 0.5], &[0.6, 0.4]),
            0.1 * (1.2f64).ln() + 0.1 * (1.25f64).ln(),
        );
        close(psi(&[0.3, 0.7], &[0.3, 0.7]), 0.0);
        // An empty bin is floored at 1e-4, not infinite.
        let shifted = psi(&[0.5, 0.5], &[1.0, 0.0]);
        close(
            shifted,
            0.5 * (1.0f64 / 0.5).ln() + (1e-4 - 0.5) * (1e-4f64 / 0.5).ln(),
        );
    }

    #[test]
    fn score_psi_is_zero_for_the_same_sample_and_grows_with_a_shift() {
        let expected: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0).collect();
        close(score_psi(&expected, &expected, 10), 0.0);
        // Every actual score above the expected top decile's lower cut: all in the top bin.
        // Shares: expected 0.1 each; actual [0 ×9 → 1e-4, 1.0].
        let actual = vec![0.995; 50];
        let by_hand = 9.0 * (1e-4 - 0.1) * (1e-4f64 / 0.1).ln() + 0.9 * (10.0f64).ln();
        close(score_psi(&expected, &actual, 10), by_hand);
    }

    #[test]
    fn score_psi_merges_tied_cut_points() {
        // Half the expected sample ties at 0.5: the cuts below it collapse into one.
        let mut expected = vec![0.5; 50];
        expected.extend((0..50).map(|i| 0.6 + f64::from(i) / 200.0));
        close(score_psi(&expected, &expected, 10), 0.0);
        assert_eq!(score_psi(&[], &[0.1], 10), 0.0);
        assert_eq!(score_psi(&[0.1], &[], 10), 0.0);
    }
}
