//! The figures of a report, computed from held-out predictions: ranking and calibration
//! ([`performance`]), lift by decile, the threshold table with the row that fits sales
//! capacity, data sufficiency with the Hanley–McNeil interval of the AUC, and feature drift
//! against the previous version. Pure functions over slices; the report's types live in
//! the parent module, the sign-off limits in `findings`.

use super::{
    DriftStatus, Evaluation, FeatureDrift, FeaturePsi, FeatureShares, LIFT_GROUPS, LiftRow,
    Performance, PreviousVersion, RELIABILITY_BINS, ReportInput, Sufficiency, ThresholdRow,
    findings,
};
use crate::scoring::metrics::{self, Z_95};

/// The ranking and calibration figures of one set of held-out predictions.
pub fn performance(evaluation: &Evaluation) -> Performance {
    let (p, y) = paired(evaluation);
    let rows = p.len() as u64;
    let conversions = y.iter().filter(|&&l| l).count() as u64;
    let base_rate = ratio(conversions, rows);
    Performance {
        rows,
        conversions,
        base_rate,
        mean_predicted: if p.is_empty() {
            0.0
        } else {
            p.iter().sum::<f64>() / p.len() as f64
        },
        roc_auc: metrics::roc_auc(p, y),
        pr_auc: metrics::pr_auc(p, y),
        brier: finite_or_zero(metrics::brier(p, y)),
        base_rate_brier: base_rate * (1.0 - base_rate),
        log_loss: finite_or_zero(metrics::log_loss(p, y)),
        ece: metrics::ece(p, y, RELIABILITY_BINS),
        reliability: metrics::reliability(p, y, RELIABILITY_BINS),
        lift: lift(p, y, base_rate),
    }
}

/// The minimums below which a trained model is not trusted over the rule-based one
/// (Salesforce Einstein's rule for its lead scoring).
pub const MIN_ROWS: u64 = 1_000;
pub const MIN_CONVERSIONS: u64 = 120;

pub(super) fn sufficiency(input: &ReportInput, cross_validated: &Performance) -> Sufficiency {
    let rows = input.training_rows;
    let conversions = input.training_conversions.min(rows);
    let positives = cross_validated.conversions;
    let negatives = cross_validated.rows - positives;
    Sufficiency {
        rows,
        conversions,
        min_rows: MIN_ROWS,
        min_conversions: MIN_CONVERSIONS,
        sufficient: rows >= MIN_ROWS && conversions >= MIN_CONVERSIONS,
        base_rate: ratio(conversions, rows),
        base_rate_interval: metrics::wilson(conversions, rows, Z_95),
        roc_auc_interval: cross_validated
            .roc_auc
            .map(|auc| hanley_mcneil(auc, positives, negatives)),
    }
}

/// The Hanley–McNeil (1982) 95% interval of an AUC measured on `positives` and
/// `negatives` leads: closed form, so the report needs no resampling and stays
/// deterministic. It is wide when conversions are few, which is the point of showing it.
pub fn hanley_mcneil(auc: f64, positives: u64, negatives: u64) -> (f64, f64) {
    if positives == 0 || negatives == 0 {
        return (0.0, 1.0);
    }
    let (n1, n0) = (positives as f64, negatives as f64);
    let q1 = auc / (2.0 - auc);
    let q2 = 2.0 * auc * auc / (1.0 + auc);
    let variance =
        (auc * (1.0 - auc) + (n1 - 1.0) * (q1 - auc * auc) + (n0 - 1.0) * (q2 - auc * auc))
            / (n1 * n0);
    let half = Z_95 * variance.max(0.0).sqrt();
    ((auc - half).clamp(0.0, 1.0), (auc + half).clamp(0.0, 1.0))
}

/// Leads ranked by probability, best first, in ten equal-count groups.
pub(super) fn lift(p: &[f64], y: &[bool], base_rate: f64) -> Vec<LiftRow> {
    let n = p.len();
    let groups = LIFT_GROUPS.min(n);
    let total_conversions = y.iter().filter(|&&l| l).count() as u64;
    let order = descending_order(p);
    let mut cumulative_conversions = 0u64;
    (0..groups)
        .map(|g| {
            let (start, end) = (g * n / groups, (g + 1) * n / groups);
            let members = &order[start..end];
            let count = members.len() as u64;
            let conversions = members.iter().filter(|&&i| y[i]).count() as u64;
            cumulative_conversions += conversions;
            let conversion_rate = ratio(conversions, count);
            LiftRow {
                decile: g as u32 + 1,
                count,
                conversions,
                conversion_rate,
                lift: if base_rate > 0.0 {
                    conversion_rate / base_rate
                } else {
                    0.0
                },
                cumulative_lead_share: ratio(end as u64, n as u64),
                cumulative_conversion_share: ratio(cumulative_conversions, total_conversions),
            }
        })
        .collect()
}

/// Thresholds at the top 10 %, 20 % … 100 % of leads, plus the one that fits capacity.
pub(super) fn thresholds(evaluation: &Evaluation, capacity: Option<u64>) -> Vec<ThresholdRow> {
    let (p, y) = paired(evaluation);
    let n = p.len();
    if n == 0 {
        return Vec::new();
    }
    let order = descending_order(p);
    let mut cut_ranks: Vec<usize> = (1..=10).map(|k| (k * n).div_ceil(10)).collect();
    let capacity_rank = capacity.map(|c| capacity_rank(p, &order, c));
    if let Some(Some(rank)) = capacity_rank {
        cut_ranks.push(rank);
    }
    // A threshold is the score of the lead at a rank; ties pull in every lead with that score.
    let mut thresholds: Vec<f64> = cut_ranks.iter().map(|&r| p[order[r - 1]]).collect();
    thresholds.sort_by(|a, b| b.total_cmp(a));
    thresholds.dedup_by(|a, b| a.total_cmp(b).is_eq());
    let capacity_threshold = capacity_rank.flatten().map(|r| p[order[r - 1]]);

    let total_conversions = y.iter().filter(|&&l| l).count() as u64;
    thresholds
        .into_iter()
        .map(|threshold| {
            let outreach = order.partition_point(|&i| p[i].total_cmp(&threshold).is_ge());
            let converted = order[..outreach].iter().filter(|&&i| y[i]).count() as u64;
            let left = (n - outreach) as u64;
            ThresholdRow {
                threshold,
                outreach: outreach as u64,
                outreach_share: ratio(outreach as u64, n as u64),
                precision: ratio(converted, outreach as u64),
                recall: ratio(converted, total_conversions),
                nurture_conversion_rate: (left > 0)
                    .then(|| ratio(total_conversions - converted, left)),
                fits_capacity: capacity_threshold.is_some_and(|c| c.total_cmp(&threshold).is_eq()),
            }
        })
        .collect()
}

/// The rank (1-based) of the lowest score whose leads, ties included, still fit `capacity`;
/// `None` when even the top score's ties exceed it.
fn capacity_rank(p: &[f64], order: &[usize], capacity: u64) -> Option<usize> {
    let capacity = usize::try_from(capacity)
        .unwrap_or(usize::MAX)
        .min(order.len());
    if capacity == 0 {
        return None;
    }
    // Walk down from the capacity-th lead while the lead below it has the same score.
    let mut rank = capacity;
    while rank < order.len() && p[order[rank]].total_cmp(&p[order[rank - 1]]).is_eq() {
        rank -= 1;
        if rank == 0 {
            return None;
        }
    }
    Some(rank)
}

pub(super) fn feature_drift(current: &[FeatureShares], previous: &PreviousVersion) -> FeatureDrift {
    let mut features: Vec<FeaturePsi> = current
        .iter()
        .map(
            |feature| match previous.features.iter().find(|f| f.name == feature.name) {
                Some(before) => {
                    let psi = feature_psi(before, feature);
                    FeaturePsi {
                        name: feature.name.clone(),
                        psi: Some(psi),
                        status: drift_status(psi),
                    }
                }
                None => FeaturePsi {
                    name: feature.name.clone(),
                    psi: None,
                    status: DriftStatus::New,
                },
            },
        )
        .collect();
    features.extend(
        previous
            .features
            .iter()
            .filter(|before| current.iter().all(|f| f.name != before.name))
            .map(|before| FeaturePsi {
                name: before.name.clone(),
                psi: None,
                status: DriftStatus::Dropped,
            }),
    );
    FeatureDrift {
        previous_version: previous.version.clone(),
        features,
    }
}

/// PSI over the union of the two versions' bin labels; a label one version lacks has share 0.
fn feature_psi(before: &FeatureShares, now: &FeatureShares) -> f64 {
    let mut labels: Vec<&str> = before.bins.iter().map(|b| b.label.as_str()).collect();
    for bin in &now.bins {
        if !labels.contains(&bin.label.as_str()) {
            labels.push(&bin.label);
        }
    }
    let share = |f: &FeatureShares, label: &str| {
        f.bins
            .iter()
            .filter(|b| b.label == label)
            .map(|b| b.share)
            .sum::<f64>()
    };
    let expected: Vec<f64> = labels.iter().map(|l| share(before, l)).collect();
    let actual: Vec<f64> = labels.iter().map(|l| share(now, l)).collect();
    metrics::psi(&expected, &actual)
}

/// PSI limits for feature drift: above the first a note, above the second a warning.
pub const PSI_MODERATE: f64 = 0.1;
pub const PSI_SHIFTED: f64 = 0.25;

pub(super) fn drift_status(psi: f64) -> DriftStatus {
    if findings::exceeds(psi, PSI_SHIFTED) {
        DriftStatus::Shifted
    } else if findings::exceeds(psi, PSI_MODERATE) {
        DriftStatus::Moderate
    } else {
        DriftStatus::Stable
    }
}

/// The probabilities and labels that pair up (the shorter length of the two).
fn paired(evaluation: &Evaluation) -> (&[f64], &[bool]) {
    let n = evaluation.probabilities.len().min(evaluation.labels.len());
    (&evaluation.probabilities[..n], &evaluation.labels[..n])
}

/// Indices by probability, highest first, ties in input order.
fn descending_order(p: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    order
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}
