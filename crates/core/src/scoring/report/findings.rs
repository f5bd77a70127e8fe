//! The sign-off warnings of a calibration report, as data. Each check is one small function
//! with its limit here, so the gate page, the CLI and the API show the same findings and a
//! test pins each limit on both sides. A warning (shown red) means approval needs a written
//! reason; a note is worth reading but asks nothing.
//!
//! The limits: the out-of-time ROC AUC more than 0.03 below the cross-validated one (random
//! folds flatter a flexible model; the newest window is what it will meet); score PSI above
//! 0.25 between the training window and the newest one; mean predicted conversion more than
//! 20 % (relative) away from the observed rate; a feature's PSI against the previous version
//! above 0.25 (a note from 0.1); and fewer than 1,000 leads or 120 conversions to learn from.
//! A measured value within 1e-9 of a limit counts as at the limit, so 0.80 − 0.77 (which is
//! 0.0300000000000000266 in floating point) does not trip a limit of 0.03.

use serde::{Deserialize, Serialize};

use super::text::{count, pct, prob};
use super::{
    Basis, CalibrationReport, DriftStatus, PSI_MODERATE, PSI_SHIFTED, Performance, Sufficiency,
};

/// The largest acceptable drop from cross-validated to out-of-time ROC AUC.
pub const MAX_AUC_DROP: f64 = 0.03;
/// The largest acceptable PSI between training-window and newest-window scores.
pub const MAX_SCORE_PSI: f64 = 0.25;
/// The largest acceptable relative gap between mean predicted and observed conversion.
pub const MAX_CALIBRATION_GAP: f64 = 0.20;

/// Tolerance for comparing a measured value with a limit.
const TOLERANCE: f64 = 1e-9;

/// One thing the approver should know before signing off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    /// The feature a drift finding is about.
    pub subject: Option<String>,
    /// One line: what was measured against what limit.
    pub title: String,
    /// What it means and what to do, in plain words.
    pub detail: String,
    /// The measured value compared with `limit`, when there is one number to compare.
    pub measured: Option<f64>,
    pub limit: Option<f64>,
}

crate::values! {
    /// What a finding is about.
    pub enum FindingKind("finding kind") {
        OutOfTimeAucDrop = "out_of_time_auc_drop" / "out-of-time AUC drop",
        ScoreDrift = "score_drift" / "score drift",
        CalibrationGap = "calibration_gap" / "calibration gap",
        FeatureDrift = "feature_drift" / "feature drift",
        DataSufficiency = "data_sufficiency" / "data sufficiency",
    }
}

crate::values! {
    /// How serious a finding is.
    pub enum Severity("finding severity") {
        /// Shown red; approval needs a written reason.
        Warning = "warning" / "warning",
        /// Worth reading; asks nothing.
        Note = "note" / "note",
    }
}

/// Whether `value` is above `limit`, beyond floating-point noise.
pub(super) fn exceeds(value: f64, limit: f64) -> bool {
    value > limit + TOLERANCE
}

/// All findings of a report, warnings first.
pub(super) fn findings(report: &CalibrationReport) -> Vec<Finding> {
    let mut found = Vec::new();
    found.extend(sufficiency_finding(&report.sufficiency));
    if let Some(oot) = &report.out_of_time
        && let (Some(cv), Some(test)) = (report.cross_validated.roc_auc, oot.test.roc_auc)
    {
        found.extend(auc_drop_finding(cv, test));
    }
    if let Some(oot) = &report.out_of_time {
        found.extend(score_psi_finding(oot.score_psi));
    }
    found.extend(calibration_finding(
        report.decision_performance(),
        report.decision_basis,
    ));
    if let Some(drift) = &report.feature_drift {
        for feature in &drift.features {
            if let Some(psi) = feature.psi {
                found.extend(feature_psi_finding(&feature.name, psi));
            }
        }
    }
    // Stable: warnings first, each group in check order.
    found.sort_by_key(|f| f.severity);
    found
}

/// A warning when the out-of-time AUC is more than 0.03 below the cross-validated AUC.
pub fn auc_drop_finding(cross_validated_auc: f64, out_of_time_auc: f64) -> Option<Finding> {
    let drop = cross_validated_auc - out_of_time_auc;
    exceeds(drop, MAX_AUC_DROP).then(|| Finding {
        kind: FindingKind::OutOfTimeAucDrop,
        severity: Severity::Warning,
        subject: None,
        title: format!(
            "Out-of-time ROC AUC {} is {} below the cross-validated {} (limit {})",
            prob(out_of_time_auc),
            prob(drop),
            prob(cross_validated_auc),
            prob(MAX_AUC_DROP)
        ),
        detail: "The model ranks the newest leads worse than the shuffled history suggests: \
                 what converts has changed, or the model learned patterns of the past. Expect \
                 the live ranking to be closer to the out-of-time figure. Retrain on recent \
                 history, or approve with a reason."
            .to_string(),
        measured: Some(drop),
        limit: Some(MAX_AUC_DROP),
    })
}

/// A warning when the newest window's scores have moved away from the training window's.
pub fn score_psi_finding(score_psi: f64) -> Option<Finding> {
    exceeds(score_psi, MAX_SCORE_PSI).then(|| Finding {
        kind: FindingKind::ScoreDrift,
        severity: Severity::Warning,
        subject: None,
        title: format!(
            "Score PSI {} between the training window and the newest window (limit {})",
            prob(score_psi),
            prob(MAX_SCORE_PSI)
        ),
        detail: "The newest leads get noticeably different scores from the ones the model \
                 learned on: the mix of leads has changed. A threshold chosen on the history \
                 will send a different number of leads to outreach than it did there."
            .to_string(),
        measured: Some(score_psi),
        limit: Some(MAX_SCORE_PSI),
    })
}

/// A warning when the mean predicted conversion is more than 20 % (relative) away from
/// the observed rate of the same leads. With no observed conversion any positive
/// prediction is out of bounds.
pub fn calibration_finding(performance: &Performance, basis: Basis) -> Option<Finding> {
    let (predicted, observed) = (performance.mean_predicted, performance.base_rate);
    if performance.rows == 0 {
        return None;
    }
    let gap = if observed > 0.0 {
        Some((predicted - observed).abs() / observed)
    } else {
        None
    };
    let out = match gap {
        Some(gap) => exceeds(gap, MAX_CALIBRATION_GAP),
        None => predicted > TOLERANCE,
    };
    let window = match basis {
        Basis::OutOfTime => "the newest window",
        Basis::CrossValidated => "the held-out folds",
    };
    let direction = if predicted > observed {
        "promises more conversions than happened: outreach volume planned on it will \
         disappoint"
    } else {
        "promises fewer conversions than happened: good leads may be left in nurture"
    };
    out.then(|| Finding {
        kind: FindingKind::CalibrationGap,
        severity: Severity::Warning,
        subject: None,
        title: match gap {
            Some(gap) => format!(
                "Mean predicted conversion {} against {} observed on {window}: {} apart \
                 (limit {})",
                pct(predicted),
                pct(observed),
                pct(gap),
                pct(MAX_CALIBRATION_GAP)
            ),
            None => format!(
                "Mean predicted conversion {} on {window}, where no lead converted",
                pct(predicted)
            ),
        },
        detail: format!(
            "The model {direction}. Read the probabilities as a ranking only, or retrain \
             on recent history."
        ),
        measured: gap,
        limit: Some(MAX_CALIBRATION_GAP),
    })
}

/// A warning when a feature's PSI against the previous version is above 0.25, a note
/// above 0.1.
pub fn feature_psi_finding(feature: &str, psi: f64) -> Option<Finding> {
    let (severity, limit) = match super::measure::drift_status(psi) {
        DriftStatus::Shifted => (Severity::Warning, PSI_SHIFTED),
        DriftStatus::Moderate => (Severity::Note, PSI_MODERATE),
        _ => return None,
    };
    let detail = match severity {
        Severity::Warning => {
            "Its distribution has shifted a lot since the previous version: check that the \
             field still means the same thing (a new source, a changed picklist, a broken \
             import) before trusting its points."
        }
        Severity::Note => {
            "Its distribution has moved somewhat since the previous version; worth a look \
             at its points table."
        }
    };
    Some(Finding {
        kind: FindingKind::FeatureDrift,
        severity,
        subject: Some(feature.to_string()),
        title: format!(
            "Feature \"{feature}\": PSI {} against the previous version (limit {})",
            prob(psi),
            prob(limit)
        ),
        detail: detail.to_string(),
        measured: Some(psi),
        limit: Some(limit),
    })
}

/// A warning when the model learned from fewer than 1,000 leads or 120 conversions, with
/// how wide the uncertainty of its figures is.
pub fn sufficiency_finding(sufficiency: &Sufficiency) -> Option<Finding> {
    if sufficiency.sufficient {
        return None;
    }
    let (low, high) = sufficiency.base_rate_interval;
    let auc = sufficiency
        .roc_auc_interval
        .map(|(l, h)| format!(" and the ROC AUC anywhere from {} to {}", prob(l), prob(h)))
        .unwrap_or_default();
    Some(Finding {
        kind: FindingKind::DataSufficiency,
        severity: Severity::Warning,
        subject: None,
        title: format!(
            "Too little history: {} leads and {} conversions (needs at least {} and {})",
            count(sufficiency.rows),
            count(sufficiency.conversions),
            count(sufficiency.min_rows),
            count(sufficiency.min_conversions)
        ),
        detail: format!(
            "With this little data the true conversion rate could be anywhere from {} to \
             {}{auc} (95% intervals), so the learned points are mostly noise. Use the \
             rule-based points model until the CRM history holds enough leads and \
             conversions, then train again.",
            pct(low),
            pct(high)
        ),
        measured: None,
        limit: None,
    })
}
