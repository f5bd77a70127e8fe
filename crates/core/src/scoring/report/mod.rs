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
//! ([`Finding`]) are data here, so the gate, the CLI and the web page show the same ones.
//! Renderers: [`CalibrationReport::to_text`] for the CLI, [`svg`] for the charts and
//! [`CalibrationReport::to_html`] for one standalone page.

mod findings;
mod html;
mod measure;
pub mod of_version;
mod sections;
pub mod svg;
mod text;

use serde::{Deserialize, Serialize};

use super::metrics::{self, ReliabilityBin};
use measure::{feature_drift, sufficiency, thresholds};

pub use measure::{
    MIN_CONVERSIONS, MIN_ROWS, PSI_MODERATE, PSI_SHIFTED, hanley_mcneil, performance,
};

pub use sections::{Part, Section};
pub use text::Table;

pub use findings::{
    Finding, FindingKind, MAX_AUC_DROP, MAX_CALIBRATION_GAP, MAX_SCORE_PSI, Severity,
    auc_drop_finding, calibration_finding, feature_psi_finding, score_psi_finding,
    sufficiency_finding,
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

#[cfg(test)]
mod tests;
