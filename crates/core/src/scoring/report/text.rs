//! The calibration report as plain text for the terminal (`leadgate model report VERSION`):
//! warnings first, because they decide whether approval needs a reason, then each block as
//! an aligned table with a line saying how to read it. Written for a RevOps reader, so rates
//! are percentages and every figure has its comparison beside it (Brier beside the
//! base-rate Brier, out-of-time AUC beside the cross-validated one).
//!
//! The tables are built once as [`Table`]s, which the HTML page renders too, so the two
//! renderers cannot disagree on a figure.

use std::fmt::Write as _;

use super::{
    Basis, CalibrationReport, DriftStatus, FeatureDrift, Finding, OutOfTime, Performance,
    PointsTerm, Severity,
};
use crate::scoring::metrics::ReliabilityBin;

/// A table of a report block: headers, cells as displayed, and the rows to highlight.
#[derive(Debug, Clone)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Per row: whether it is the marked one (the threshold that fits capacity).
    pub marked: Vec<bool>,
}

impl Table {
    /// Whether column `i` holds figures (right-aligned): every cell a number, a rate, a
    /// range of them, or a placeholder. The first column names the row.
    pub fn is_figures(&self, i: usize) -> bool {
        i > 0
            && self.rows.iter().all(|row| {
                row.get(i).is_none_or(|cell| {
                    cell == "n/a"
                        || cell
                            .chars()
                            .all(|c| c.is_ascii_digit() || ".,+-%* to".contains(c))
                })
            })
    }

    fn new(headers: &[&str], rows: Vec<Vec<String>>) -> Table {
        let marked = vec![false; rows.len()];
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows,
            marked,
        }
    }
}

impl CalibrationReport {
    /// The report as aligned plain text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Calibration report: model {}", self.version);
        let _ = writeln!(out, "{}", self.trained_line());

        section(&mut out, "Warnings");
        for line in self.warning_lead() {
            let _ = writeln!(out, "  {line}");
        }
        for finding in &self.findings {
            let mark = match finding.severity {
                Severity::Warning => "!",
                Severity::Note => "Note:",
            };
            let _ = writeln!(out, "  {mark} {}", finding.title);
            wrap(&mut out, &finding.detail, "    ");
        }

        section(&mut out, "Training data");
        for line in self.data_lines() {
            wrap(&mut out, &line, "  ");
        }

        section(&mut out, &self.cross_validated_title());
        render(
            &mut out,
            &performance_table(&self.cross_validated, self.sufficiency.roc_auc_interval),
        );
        if !self.folds.is_empty() {
            section(&mut out, "Folds");
            render(&mut out, &self.folds_table());
        }
        if !self.cross_validated.reliability.is_empty() {
            section(
                &mut out,
                "Reliability, cross-validated (10 equal-count bins)",
            );
            wrap(&mut out, RELIABILITY_HINT, "  ");
            render(
                &mut out,
                &reliability_table(&self.cross_validated.reliability),
            );
        }
        if !self.cross_validated.lift.is_empty() {
            section(&mut out, "Lift by decile (best-scored tenth first)");
            wrap(&mut out, LIFT_HINT, "  ");
            render(&mut out, &self.lift_table());
        }
        if !self.thresholds.is_empty() {
            section(&mut out, &self.thresholds_title());
            for line in self.threshold_lines() {
                let _ = writeln!(out, "  {line}");
            }
            render(&mut out, &self.thresholds_table());
        }
        if let Some(oot) = &self.out_of_time {
            section(&mut out, "Out-of-time test");
            for line in self.out_of_time_lines(oot) {
                let _ = writeln!(out, "  {line}");
            }
            render(&mut out, &performance_table(&oot.test, None));
            if !oot.test.reliability.is_empty() {
                section(&mut out, "Reliability, newest window");
                render(&mut out, &reliability_table(&oot.test.reliability));
            }
        }
        if let Some(drift) = &self.feature_drift {
            section(&mut out, &drift_title(drift));
            wrap(&mut out, DRIFT_HINT, "  ");
            render(&mut out, &drift_table(drift));
        }
        if !self.points.is_empty() {
            section(&mut out, "Points");
            wrap(&mut out, POINTS_HINT, "  ");
            for term in &self.points {
                let _ = writeln!(out, "\n  {}", term_title(term));
                render(&mut out, &points_table(term));
            }
        }
        out
    }

    pub(super) fn trained_line(&self) -> String {
        let by = self
            .trained_by
            .as_deref()
            .map(|who| format!(" by {who}"))
            .unwrap_or_default();
        format!("Trained {}{by}", self.trained_at)
    }

    /// The sentence above the findings.
    pub(super) fn warning_lead(&self) -> Vec<String> {
        let warnings = self.warnings().count();
        let line = if warnings == 0 {
            "None: approval needs no written reason.".to_string()
        } else {
            format!(
                "{warnings} warning{}: approving this version needs a written reason.",
                if warnings == 1 { "" } else { "s" }
            )
        };
        vec![line]
    }

    pub(super) fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
    }

    pub(super) fn data_lines(&self) -> Vec<String> {
        let s = &self.sufficiency;
        let verdict = if s.sufficient {
            "this history has enough"
        } else {
            "this history has too few, so use the rule-based model"
        };
        vec![
            format!(
                "{} leads, {} conversions: base rate {} (95% interval {} to {}).",
                count(s.rows),
                count(s.conversions),
                pct(s.base_rate),
                pct(s.base_rate_interval.0),
                pct(s.base_rate_interval.1)
            ),
            format!(
                "A model needs at least {} leads and {} conversions to learn from: {verdict}.",
                count(s.min_rows),
                count(s.min_conversions)
            ),
        ]
    }

    pub(super) fn cross_validated_title(&self) -> String {
        format!(
            "Cross-validated ({} folds, pooled held-out predictions)",
            self.folds.len()
        )
    }

    pub(super) fn folds_table(&self) -> Table {
        let mut rows: Vec<Vec<String>> = self
            .folds
            .iter()
            .map(|f| {
                vec![
                    f.fold.to_string(),
                    count(f.rows),
                    opt_prob(f.roc_auc),
                    prob(f.brier),
                    prob(f.log_loss),
                    format!("{:.2}", f.fit_seconds),
                ]
            })
            .collect();
        if self.folds.len() > 1 {
            let n = self.folds.len() as f64;
            let mean =
                |f: fn(&super::FoldMetrics) -> f64| self.folds.iter().map(f).sum::<f64>() / n;
            let aucs: Vec<f64> = self.folds.iter().filter_map(|f| f.roc_auc).collect();
            rows.push(vec![
                "mean".to_string(),
                String::new(),
                if aucs.is_empty() {
                    "n/a".to_string()
                } else {
                    prob(aucs.iter().sum::<f64>() / aucs.len() as f64)
                },
                prob(mean(|f| f.brier)),
                prob(mean(|f| f.log_loss)),
                format!("{:.2}", mean(|f| f.fit_seconds)),
            ]);
        }
        Table::new(
            &["fold", "leads", "ROC AUC", "Brier", "log loss", "fit s"],
            rows,
        )
    }

    pub(super) fn lift_table(&self) -> Table {
        let rows = self
            .cross_validated
            .lift
            .iter()
            .map(|r| {
                vec![
                    r.decile.to_string(),
                    count(r.count),
                    count(r.conversions),
                    pct(r.conversion_rate),
                    format!("{:.2}", r.lift),
                    pct(r.cumulative_lead_share),
                    pct(r.cumulative_conversion_share),
                ]
            })
            .collect();
        Table::new(
            &[
                "decile",
                "leads",
                "conversions",
                "rate",
                "lift",
                "cum. leads",
                "cum. conversions",
            ],
            rows,
        )
    }

    pub(super) fn thresholds_title(&self) -> String {
        let basis = match self.decision_basis {
            Basis::OutOfTime => "on the newest window",
            Basis::CrossValidated => "on the held-out folds",
        };
        format!("Thresholds ({basis})")
    }

    pub(super) fn threshold_lines(&self) -> Vec<String> {
        let mut lines = vec![
            "Leads at or above the threshold go to outreach, the rest to nurture.".to_string(),
        ];
        lines.push(match self.capacity {
            Some(capacity) if self.thresholds.iter().any(|t| t.fits_capacity) => format!(
                "Sales capacity: {} leads; the row marked * sends the most leads that fit.",
                count(capacity)
            ),
            Some(capacity) => format!(
                "Sales capacity: {} leads; even the top score's leads exceed it.",
                count(capacity)
            ),
            None => "No sales capacity given.".to_string(),
        });
        lines
    }

    pub(super) fn thresholds_table(&self) -> Table {
        let rows = self
            .thresholds
            .iter()
            .map(|row| {
                vec![
                    prob(row.threshold),
                    count(row.outreach),
                    pct(row.outreach_share),
                    pct(row.precision),
                    pct(row.recall),
                    row.nurture_conversion_rate
                        .map_or_else(|| "-".to_string(), pct),
                    if row.fits_capacity { "*" } else { "" }.to_string(),
                ]
            })
            .collect();
        let mut table = Table::new(
            &[
                "threshold",
                "outreach",
                "share",
                "precision",
                "recall",
                "nurture rate",
                "fits",
            ],
            rows,
        );
        table.marked = self.thresholds.iter().map(|t| t.fits_capacity).collect();
        table
    }

    pub(super) fn out_of_time_lines(&self, oot: &OutOfTime) -> Vec<String> {
        let drop = oot
            .roc_auc_drop
            .map(|d| {
                format!(
                    " (cross-validated {}, drop {})",
                    opt_prob(self.cross_validated.roc_auc),
                    prob(d)
                )
            })
            .unwrap_or_default();
        vec![
            format!(
                "Trained on {} to {}, tested on the newest window {} to {}.",
                oot.train_window.from,
                oot.train_window.to,
                oot.test_window.from,
                oot.test_window.to
            ),
            format!("ROC AUC {}{drop}.", opt_prob(oot.test.roc_auc)),
            format!(
                "Mean predicted {} against {} observed; score PSI {} against the training window.",
                pct(oot.test.mean_predicted),
                pct(oot.test.base_rate),
                prob(oot.score_psi)
            ),
        ]
    }
}

pub(super) const RELIABILITY_HINT: &str =
    "Well calibrated: each bin's predicted rate lies inside its observed 95% interval.";
pub(super) const LIFT_HINT: &str = "Lift 3.00 means three times the base rate; \"cum. \
    conversions\" is the share of all conversions in this decile and the ones above it.";
pub(super) const DRIFT_HINT: &str =
    "PSI up to 0.10 is stable, 0.10 to 0.25 a moderate shift, above 0.25 a shift to check.";
pub(super) const POINTS_HINT: &str =
    "A lead's score is the sum of the points of its bins, one per term.";

pub(super) fn performance_table(p: &Performance, auc_interval: Option<(f64, f64)>) -> Table {
    let interval = auc_interval
        .map(|(l, h)| format!("95% interval {} to {}; ", prob(l), prob(h)))
        .unwrap_or_default();
    let rows = vec![
        vec![
            "leads".to_string(),
            count(p.rows),
            format!(
                "{} conversions, base rate {}",
                count(p.conversions),
                pct(p.base_rate)
            ),
        ],
        vec![
            "ROC AUC".to_string(),
            opt_prob(p.roc_auc),
            format!("{interval}0.5 is chance, 1 is perfect ranking"),
        ],
        vec![
            "PR AUC".to_string(),
            opt_prob(p.pr_auc),
            format!("chance is the base rate, {}", prob(p.base_rate)),
        ],
        vec![
            "Brier".to_string(),
            prob(p.brier),
            format!(
                "base-rate Brier {}; lower is better",
                prob(p.base_rate_brier)
            ),
        ],
        vec![
            "log loss".to_string(),
            prob(p.log_loss),
            "lower is better".to_string(),
        ],
        vec![
            "ECE".to_string(),
            prob(p.ece),
            "average gap between predicted and observed; 0.02 or less is good".to_string(),
        ],
        vec![
            "mean predicted".to_string(),
            pct(p.mean_predicted),
            format!("observed {}", pct(p.base_rate)),
        ],
    ];
    Table::new(&["figure", "value", "how to read it"], rows)
}

pub(super) fn reliability_table(bins: &[ReliabilityBin]) -> Table {
    let rows = bins
        .iter()
        .enumerate()
        .map(|(i, b)| {
            vec![
                (i + 1).to_string(),
                count(b.count),
                pct(b.mean_predicted),
                pct(b.observed_rate),
                format!("{} to {}", pct(b.observed_low), pct(b.observed_high)),
            ]
        })
        .collect();
    Table::new(
        &["bin", "leads", "predicted", "observed", "95% interval"],
        rows,
    )
}

pub(super) fn drift_title(drift: &FeatureDrift) -> String {
    format!("Feature drift against version {}", drift.previous_version)
}

pub(super) fn drift_table(drift: &FeatureDrift) -> Table {
    let rows = drift
        .features
        .iter()
        .map(|f| {
            vec![
                f.name.clone(),
                opt_prob(f.psi),
                match f.status {
                    DriftStatus::Stable => "stable",
                    DriftStatus::Moderate => "moderate shift",
                    DriftStatus::Shifted => "SHIFTED",
                    DriftStatus::New => "new in this version",
                    DriftStatus::Dropped => "dropped in this version",
                }
                .to_string(),
            ]
        })
        .collect();
    Table::new(&["feature", "PSI", "status"], rows)
}

pub(super) fn term_title(term: &PointsTerm) -> String {
    match term {
        PointsTerm::Main { feature, .. } => feature.clone(),
        PointsTerm::Pair { a, b, .. } => format!("{a} × {b}"),
    }
}

pub(super) fn points_table(term: &PointsTerm) -> Table {
    match term {
        PointsTerm::Main { rows, .. } => Table::new(
            &["bin", "points", "leads"],
            rows.iter()
                .map(|r| vec![r.label.clone(), points(r.points), pct(r.share)])
                .collect(),
        ),
        PointsTerm::Pair {
            a,
            b,
            a_labels,
            b_labels,
            points: grid,
        } => {
            let corner = format!("{a} \\ {b}");
            let mut headers = vec![corner.as_str()];
            headers.extend(b_labels.iter().map(String::as_str));
            let rows = a_labels
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    let mut row = vec![label.clone()];
                    row.extend((0..b_labels.len()).map(|j| {
                        grid.get(i)
                            .and_then(|r| r.get(j))
                            .map_or_else(|| "-".to_string(), |&p| points(p))
                    }));
                    row
                })
                .collect();
            Table::new(&headers, rows)
        }
    }
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}");
}

/// An aligned table: figures right-aligned, words and the first column left-aligned.
fn render(out: &mut String, table: &Table) {
    let mut widths: Vec<usize> = table.headers.iter().map(|h| h.chars().count()).collect();
    for row in &table.rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let right: Vec<bool> = (0..widths.len()).map(|i| table.is_figures(i)).collect();
    let line = |cells: &[String]| {
        let mut text = String::from("  ");
        for (i, w) in widths.iter().enumerate() {
            let cell = cells.get(i).map_or("", String::as_str);
            let pad = " ".repeat(w.saturating_sub(cell.chars().count()));
            if i > 0 {
                text.push_str("  ");
            }
            if right[i] {
                text.push_str(&pad);
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&pad);
            }
        }
        text.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(&table.headers));
    for row in &table.rows {
        let _ = writeln!(out, "{}", line(row));
    }
}

/// Wraps `text` at about 88 columns, each line after `indent`.
fn wrap(out: &mut String, text: &str, indent: &str) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > 88 {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
}

/// A count with thousands separators: 12,345.
pub(super) fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate as a percentage with one decimal: 12.3%.
pub(super) fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A figure on a 0–1 scale (AUC, Brier, PSI) with three decimals.
pub(super) fn prob(x: f64) -> String {
    format!("{x:.3}")
}

fn opt_prob(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_string(), prob)
}

/// Points with a sign, whole when they are whole: +18, -2.5, 0.
pub(super) fn points(x: f64) -> String {
    if x.abs() < 0.05 {
        "0".to_string()
    } else if (x - x.round()).abs() < 1e-9 {
        format!("{:+}", x.round() as i64)
    } else {
        format!("{x:+.1}")
    }
}
