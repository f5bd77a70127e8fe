//! The report's blocks in reading order, each with its heading, its sentences, its charts
//! and its tables, ready to draw. The standalone HTML page and the review UI's model page
//! both render these, so the two show the same blocks in the same order with the same
//! figures; only the frame around them (a mailed file, or a page with a decision panel)
//! differs. The warnings are not a section: each renderer puts them first in its own way.

use super::CalibrationReport;
use super::svg::Chart;
use super::text::{
    DRIFT_HINT, LIFT_HINT, POINTS_HINT, RELIABILITY_HINT, Table, drift_table, drift_title,
    performance_table, points_table, reliability_table, term_title,
};

/// One block of the report: "Training data", "Thresholds (on the newest window)", ….
#[derive(Debug, Clone)]
pub struct Section {
    /// Unique within the report: usable as an HTML id.
    pub id: &'static str,
    pub title: String,
    /// Sentences that say what the block shows and how to read it.
    pub lines: Vec<String>,
    pub parts: Vec<Part>,
}

/// A piece of a section: a sub-heading (one points term, the folds), charts and a table.
#[derive(Debug, Clone, Default)]
pub struct Part {
    pub title: Option<String>,
    pub charts: Vec<Chart>,
    pub table: Option<Table>,
}

impl Part {
    fn table(table: Table) -> Part {
        Part {
            table: Some(table),
            ..Part::default()
        }
    }
}

impl CalibrationReport {
    /// The sentence above the findings: how many warnings, and whether approval needs a
    /// written reason.
    pub fn findings_lead(&self) -> String {
        self.warning_lead().join(" ")
    }

    /// Every block of the report after the warnings, in reading order.
    pub fn sections(&self) -> Vec<Section> {
        let charts = self.charts();
        let chart = |id: &str| charts.iter().filter(|c| c.id == id).cloned().collect();
        let mut sections = vec![Section {
            id: "training-data",
            title: "Training data".to_string(),
            lines: self.data_lines(),
            parts: Vec::new(),
        }];

        let mut parts = vec![Part::table(performance_table(
            &self.cross_validated,
            self.sufficiency.roc_auc_interval,
        ))];
        if !self.folds.is_empty() {
            parts.push(Part {
                title: Some("Folds".to_string()),
                ..Part::table(self.folds_table())
            });
        }
        sections.push(Section {
            id: "cross-validated",
            title: self.cross_validated_title(),
            lines: Vec::new(),
            parts,
        });

        if !self.cross_validated.reliability.is_empty() {
            sections.push(Section {
                id: "reliability",
                title: "Reliability, cross-validated".to_string(),
                lines: vec![RELIABILITY_HINT.to_string()],
                parts: vec![Part {
                    charts: chart("chart-reliability"),
                    ..Part::table(reliability_table(&self.cross_validated.reliability))
                }],
            });
        }
        if !self.cross_validated.lift.is_empty() {
            let mut charts: Vec<Chart> = chart("chart-gains");
            charts.extend(chart("chart-lift"));
            sections.push(Section {
                id: "lift",
                title: "Lift and cumulative gains by decile".to_string(),
                lines: vec![LIFT_HINT.to_string()],
                parts: vec![Part {
                    charts,
                    ..Part::table(self.lift_table())
                }],
            });
        }
        if !self.thresholds.is_empty() {
            sections.push(Section {
                id: "thresholds",
                title: self.thresholds_title(),
                lines: self.threshold_lines(),
                parts: vec![Part::table(self.thresholds_table())],
            });
        }
        if let Some(oot) = &self.out_of_time {
            let mut parts = vec![Part::table(performance_table(&oot.test, None))];
            if !oot.test.reliability.is_empty() {
                parts.push(Part {
                    charts: chart("chart-reliability-oot"),
                    ..Part::table(reliability_table(&oot.test.reliability))
                });
            }
            sections.push(Section {
                id: "out-of-time",
                title: "Out-of-time test".to_string(),
                lines: self.out_of_time_lines(oot),
                parts,
            });
        }
        if let Some(drift) = &self.feature_drift {
            sections.push(Section {
                id: "feature-drift",
                title: drift_title(drift),
                lines: vec![DRIFT_HINT.to_string()],
                parts: vec![Part::table(drift_table(drift))],
            });
        }
        if !self.points.is_empty() {
            let parts = self
                .points
                .iter()
                .enumerate()
                .map(|(i, term)| Part {
                    title: Some(term_title(term)),
                    charts: chart(&format!("chart-points-{}", i + 1)),
                    ..Part::table(points_table(term))
                })
                .collect();
            sections.push(Section {
                id: "points",
                title: "Points".to_string(),
                lines: vec![POINTS_HINT.to_string()],
                parts,
            });
        }
        sections
    }
}
