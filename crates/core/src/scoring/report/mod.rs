//! The calibration report of a trained scoring model: what sales ops reads before approving
//! a version at its `model_calibration` gate. A model that ranks well can still promise
//! twice the conversions it delivers, or have been measured on folds that flatter it, so the
//! report shows ranking (ROC AUC, PR AUC), the probabilities themselves (Brier beside the
//! Brier of always predicting the base rate, log loss, a reliability table with Wilson
//! intervals, ECE), what a threshold means in leads (lift by decile, a threshold table with
//! the row that fits sales capacity), an out-of-time test when the history has a time
//! column, drift of every feature against the previous version, and the points themselves.
//!
//! The report is built from neutral inputs ([`ReportInput`]): held-out probabilities and
//! labels, per-feature bin shares and the points table, so it does not depend on how the
//! model was learned. [`build`] is pure and deterministic. The sign-off warnings
//! ([`findings`]) are data here, so the gate, the CLI and the web page show the same ones.
//! Renderers: [`CalibrationReport::to_text`] for the CLI, [`svg`] for the charts and
//! [`CalibrationReport::to_html`] for one standalone page.

mod findings;
mod html;
pub mod svg;
mod text;

use serde::{Deserialize, Serialize};

use super::metrics::{self, ReliabilityBin, Z_95};

pub use findings::{
    Finding, FindingKind, Severity, auc_drop_finding, calibration_finding, feature_psi_finding,
    score_psi_finding, sufficiency_finding,
};

/// Bins of the reliability table and groups of the lift table.
pub const RELIABILITY_BINS: usize = 10;
/// Groups of the lift table (deciles).
pub const LIFT_GROUPS: usize = 10;

/// Held-out predictions: a probability and the outcome of each lead the model did not
/// learn from (pooled out-of-fold predictions, or an out-of-time test window).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub probabilities: Vec<f64>,
    pub labels: Vec<bool>,
}

/// The figures of one cross-validation fold, as the learner measured them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldMetrics {
    /// 1-based fold number.
    pub fold: u32,
    /// Leads in the held-out part of the fold.
    pub rows: u64,
    pub roc_auc: Option<f64>,
    pub brier: f64,
    pub log_loss: f64,
    /// Seconds the fit of this fold took.
    pub fit_seconds: f64,
}

/// A stretch of the history's time column, as its values read ("2024-01-01" … "2024-06-30").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub from: String,
    pub to: String,
}

/// The out-of-time test: a model trained on the older part of the history, scored on the
/// newest window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutOfTimeInput {
    pub train_window: Window,
    pub test_window: Window,
    /// Predictions and outcomes on the newest window.
    pub test: Evaluation,
    /// The same model's scores on its own training window, the baseline of score PSI.
    pub train_scores: Vec<f64>,
}

/// One feature's distribution over its bins or categories in a version's training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureShares {
    pub name: String,
    pub bins: Vec<BinShare>,
}

/// A bin's label ("10–49 employees", "missing") and its share of the training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinShare {
    pub label: String,
    pub share: f64,
}

/// The version this one would replace, for feature drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousVersion {
    pub version: String,
    pub features: Vec<FeatureShares>,
}

/// One row of a main term's points: the bin, its points and its share of training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointsRow {
    pub label: String,
    pub points: f64,
    pub share: f64,
}

/// A term of the points scorecard: one feature's points per bin, or a pair's two-way table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PointsTerm {
    Main {
        feature: String,
        rows: Vec<PointsRow>,
    },
    /// `points[i][j]` is the points of `a_labels[i]` together with `b_labels[j]`.
    Pair {
        a: String,
        b: String,
        a_labels: Vec<String>,
        b_labels: Vec<String>,
        points: Vec<Vec<f64>>,
    },
}

/// Everything the report is built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    pub version: String,
    pub trained_at: jiff::Timestamp,
    pub trained_by: Option<String>,
    /// Leads and conversions in the training window.
    pub training_rows: u64,
    pub training_conversions: u64,
    /// Pooled out-of-fold predictions of cross-validation.
    pub cross_validated: Evaluation,
    pub folds: Vec<FoldMetrics>,
    pub out_of_time: Option<OutOfTimeInput>,
    /// This version's training shares per feature.
    pub features: Vec<FeatureShares>,
    pub previous: Option<PreviousVersion>,
    pub points: Vec<PointsTerm>,
    /// Leads sales can take in the period the threshold table covers (the out-of-time
    /// window when there is one, else the whole evaluated history).
    pub capacity: Option<u64>,
}

/// The calibration report of one version. Field names are stable: the JSON of
/// `leadgate model report --json` and the stored report use them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    pub version: String,
    pub trained_at: jiff::Timestamp,
    pub trained_by: Option<String>,
    pub sufficiency: Sufficiency,
    /// Figures on the pooled out-of-fold predictions.
    pub cross_validated: Performance,
    pub folds: Vec<FoldMetrics>,
    pub out_of_time: Option<OutOfTime>,
    /// Which predictions the threshold table and the calibration warning use.
    pub decision_basis: Basis,
    pub thresholds: Vec<ThresholdRow>,
    pub capacity: Option<u64>,
    pub feature_drift: Option<FeatureDrift>,
    pub points: Vec<PointsTerm>,
    /// Warnings and notes for the sign-off, most serious first.
    pub findings: Vec<Finding>,
}

/// How much data the model learned from, and how uncertain that leaves its figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sufficiency {
    pub rows: u64,
    pub conversions: u64,
    pub min_rows: u64,
    pub min_conversions: u64,
    /// At least `min_rows` leads and `min_conversions` conversions.
    pub sufficient: bool,
    pub base_rate: f64,
    /// Wilson 95% interval of the base rate.
    pub base_rate_interval: (f64, f64),
    /// Hanley–McNeil 95% interval of the cross-validated ROC AUC.
    pub roc_auc_interval: Option<(f64, f64)>,
}

/// Ranking and calibration figures of one set of held-out predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Performance {
    pub rows: u64,
    pub conversions: u64,
    /// Observed conversion rate.
    pub base_rate: f64,
    pub mean_predicted: f64,
    pub roc_auc: Option<f64>,
    pub pr_auc: Option<f64>,
    pub brier: f64,
    /// The Brier score of predicting the base rate for everyone: p̄(1 − p̄).
    pub base_rate_brier: f64,
    pub log_loss: f64,
    pub ece: f64,
    pub reliability: Vec<ReliabilityBin>,
    pub lift: Vec<LiftRow>,
}

/// One decile of leads ranked by score, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiftRow {
    /// 1 is the top-scored tenth.
    pub decile: u32,
    pub count: u64,
    pub conversions: u64,
    pub conversion_rate: f64,
    /// Conversion rate over the base rate.
    pub lift: f64,
    /// Share of all leads in this decile and the ones above it.
    pub cumulative_lead_share: f64,
    /// Share of all conversions in this decile and the ones above it (cumulative gains).
    pub cumulative_conversion_share: f64,
}

/// What sending every lead at or above `threshold` to outreach would have meant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdRow {
    pub threshold: f64,
    /// Leads at or above the threshold.
    pub outreach: u64,
    pub outreach_share: f64,
    /// Share of the outreach leads that converted.
    pub precision: f64,
    /// Share of all conversions that the outreach leads hold.
    pub recall: f64,
    /// Conversion rate of the leads left in nurture; `None` when none are left.
    pub nurture_conversion_rate: Option<f64>,
    /// The row that sends the most leads sales capacity can take.
    pub fits_capacity: bool,
}

/// Which held-out predictions a block was computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    CrossValidated,
    OutOfTime,
}

/// The out-of-time test and how it compares with cross-validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutOfTime {
    pub train_window: Window,
    pub test_window: Window,
    pub test: Performance,
    /// Cross-validated AUC minus out-of-time AUC (positive: worse on the newest window).
    pub roc_auc_drop: Option<f64>,
    /// PSI of the test window's scores against the training window's.
    pub score_psi: f64,
}

/// Feature distributions against the previous version's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureDrift {
    pub previous_version: String,
    pub features: Vec<FeaturePsi>,
}

/// One feature's PSI against the previous version; `None` when only one version has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeaturePsi {
    pub name: String,
    pub psi: Option<f64>,
    pub status: DriftStatus,
}

/// How far a feature's distribution moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftStatus {
    /// PSI at most 0.1.
    Stable,
    /// PSI above 0.1 and at most 0.25.
    Moderate,
    /// PSI above 0.25.
    Shifted,
    /// Only this version has the feature.
    New,
    /// Only the previous version had it.
    Dropped,
}

/// Builds the report. Pure: the same input gives the same report.
pub fn build(input: &ReportInput) -> CalibrationReport {
    let cross_validated = performance(&input.cross_validated);
    let sufficiency = sufficiency(input, &cross_validated);
    let out_of_time = input.out_of_time.as_ref().map(|oot| {
        let test = performance(&oot.test);
        OutOfTime {
            train_window: oot.train_window.clone(),
            test_window: oot.test_window.clone(),
            roc_auc_drop: cross_validated
                .roc_auc
                .zip(test.roc_auc)
                .map(|(cv, t)| cv - t),
            score_psi: metrics::score_psi(&oot.train_scores, &oot.test.probabilities, 10),
            test,
        }
    });
    let (decision_basis, decision) = match &input.out_of_time {
        Some(oot) => (Basis::OutOfTime, &oot.test),
        None => (Basis::CrossValidated, &input.cross_validated),
    };
    let feature_drift = input
        .previous
        .as_ref()
        .map(|previous| feature_drift(&input.features, previous));

    let mut report = CalibrationReport {
        version: input.version.clone(),
        trained_at: input.trained_at,
        trained_by: input.trained_by.clone(),
        sufficiency,
        cross_validated,
        folds: input.folds.clone(),
        out_of_time,
        decision_basis,
        thresholds: thresholds(decision, input.capacity),
        capacity: input.capacity,
        feature_drift,
        points: input.points.clone(),
        findings: Vec::new(),
    };
    report.findings = findings::findings(&report);
    report
}

impl CalibrationReport {
    /// Whether approving this version needs a written reason: any warning.
    pub fn needs_reason(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == Severity::Warning)
    }

    /// The figures the calibration check reads: the out-of-time test when there is one.
    pub fn decision_performance(&self) -> &Performance {
        match (&self.out_of_time, self.decision_basis) {
            (Some(oot), Basis::OutOfTime) => &oot.test,
            _ => &self.cross_validated,
        }
    }
}

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

fn sufficiency(input: &ReportInput, cross_validated: &Performance) -> Sufficiency {
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
fn lift(p: &[f64], y: &[bool], base_rate: f64) -> Vec<LiftRow> {
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
fn thresholds(evaluation: &Evaluation, capacity: Option<u64>) -> Vec<ThresholdRow> {
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

fn feature_drift(current: &[FeatureShares], previous: &PreviousVersion) -> FeatureDrift {
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

fn drift_status(psi: f64) -> DriftStatus {
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

#[cfg(test)]
mod tests;
