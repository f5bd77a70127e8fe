//! The report's input read from a trained version: the pooled out-of-fold predictions, the
//! folds, the out-of-time window, the training share of every bin, and the card's points —
//! so that what sales ops reads is measured from the very card that will score.

use super::{
    BinShare, Evaluation, FeatureShares, FoldMetrics, OutOfTimeInput, PointsRow, PointsTerm,
    PreviousVersion, ReportInput, Window,
};
use crate::scoring::scorecard::{Scorecard, Term};
use crate::scoring::version::ModelVersion;

/// The share of training rows per bin of every single-feature term of `card`.
pub fn feature_shares(card: &Scorecard) -> Vec<FeatureShares> {
    card.terms
        .iter()
        .filter(|term| term.with.is_none())
        .map(|term| FeatureShares {
            name: term.bins.feature.clone(),
            bins: term
                .bins
                .labels()
                .into_iter()
                .zip(term.shares.iter().copied().chain(std::iter::repeat(0.0)))
                .map(|(label, share)| BinShare { label, share })
                .collect(),
        })
        .collect()
}

/// The points table of `card` as the report shows it.
pub fn points_of(card: &Scorecard) -> Vec<PointsTerm> {
    card.terms.iter().map(points_term).collect()
}

fn points_term(term: &Term) -> PointsTerm {
    match &term.with {
        None => PointsTerm::Main {
            feature: term.bins.feature.clone(),
            rows: term
                .bins
                .labels()
                .into_iter()
                .enumerate()
                .map(|(i, label)| PointsRow {
                    label,
                    points: term.points_at(i) as f64,
                    share: term.shares.get(i).copied().unwrap_or(0.0),
                })
                .collect(),
        },
        Some(with) => PointsTerm::Pair {
            a: term.bins.feature.clone(),
            b: with.feature.clone(),
            a_labels: term.bins.labels(),
            b_labels: with.labels(),
            points: term
                .table
                .iter()
                .map(|row| row.iter().map(|&p| p as f64).collect())
                .collect(),
        },
    }
}

impl ReportInput {
    /// The input of `version`'s report, trained by `trained_by` and handed in at
    /// `trained_at`, with feature drift against `previous` (the live version it would
    /// replace) and the threshold table's capacity row.
    pub fn of_version(
        version: &ModelVersion,
        trained_at: jiff::Timestamp,
        trained_by: Option<&str>,
        previous: Option<&ModelVersion>,
        capacity: Option<u64>,
    ) -> ReportInput {
        let cv = &version.cross_validation;
        ReportInput {
            version: version.version.clone(),
            trained_at,
            trained_by: trained_by.map(str::to_string),
            training_rows: version.summary.rows as u64,
            training_conversions: version.summary.conversions as u64,
            cross_validated: Evaluation {
                probabilities: cv.probabilities.clone(),
                labels: cv.outcomes.clone(),
            },
            folds: cv
                .folds
                .iter()
                .map(|f| FoldMetrics {
                    fold: f.fold as u32 + 1,
                    rows: f.rows as u64,
                    roc_auc: f.roc_auc.is_finite().then_some(f.roc_auc),
                    brier: f.brier,
                    log_loss: f.log_loss,
                    fit_seconds: f.fit_seconds,
                })
                .collect(),
            out_of_time: version.out_of_time.as_ref().map(|oot| OutOfTimeInput {
                train_window: Window {
                    from: oot.train_from.to_string(),
                    to: oot.train_to.to_string(),
                },
                test_window: Window {
                    from: oot.test_from.to_string(),
                    to: oot.test_to.to_string(),
                },
                test: Evaluation {
                    probabilities: oot.probabilities.clone(),
                    labels: oot.outcomes.clone(),
                },
                train_scores: oot.train_probabilities.clone(),
            }),
            features: feature_shares(&version.scorecard),
            previous: previous.map(|p| PreviousVersion {
                version: p.version.clone(),
                features: feature_shares(&p.scorecard),
            }),
            points: points_of(&version.scorecard),
            capacity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::boost::Config;
    use crate::scoring::boost::tests::synthetic;
    use crate::scoring::report::build;
    use crate::scoring::version::{Training, train};

    #[test]
    fn the_report_of_a_trained_version_measures_its_own_card() {
        // Arrange: a learnable synthetic history with a time column.
        let mut table = synthetic(3000, 3);
        let start = jiff::civil::date(2024, 1, 1);
        let dates: Vec<jiff::civil::Date> = (0..3000)
            .map(|i| start.checked_add(jiff::Span::new().days(i / 20)).unwrap())
            .collect();
        table.time = Some(("created_at".into(), dates));
        let training = Training {
            config: Config {
                pairs: 1,
                ..Config::default()
            },
            k: 3,
            ..Training::default()
        };
        let version = train(&table, &training, start, &|| 0.0).unwrap();
        let at: jiff::Timestamp = "2026-12-04T10:00:00Z".parse().unwrap();

        // Act
        let input = ReportInput::of_version(&version, at, Some("tia"), Some(&version), Some(100));
        let report = build(&input);

        // Assert: the figures are the version's; the previous version being this one, no
        // feature drifted; the out-of-time block has its baseline.
        assert_eq!(input.folds.len(), 3);
        assert_eq!(input.folds[0].fold, 1);
        let oot = input
            .out_of_time
            .as_ref()
            .expect("a time column gives an out-of-time block");
        assert_eq!(
            oot.train_scores.len(),
            version.out_of_time.as_ref().unwrap().train_rows
        );
        assert!(
            (report.cross_validated.roc_auc.unwrap() - version.cross_validation.roc_auc).abs()
                < 0.02
        );
        let shares: f64 = input.features[0].bins.iter().map(|b| b.share).sum();
        assert!((shares - 1.0).abs() < 1e-6, "shares sum to {shares}");
        assert_eq!(input.points.len(), version.scorecard.terms.len());
        let json = serde_json::to_string(&report).unwrap();
        assert!(json.contains("\"out_of_time\""));
    }
}
