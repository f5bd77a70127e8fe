//! A trained model version: the card and everything a reviewer needs to judge it before it
//! scores live — what it was trained on (rows, conversions, base rate, the features and the
//! columns left out, with why), how it did on rows it did not see (cross-validation with the
//! pooled out-of-fold probabilities, the out-of-time check when there is a time column),
//! and the training share of each bin (in the card) for stability against the next version.
//!
//! Its id is `m-YYYYMMDD-xxxxxx`: the training date, passed in, and six hex digits of a hash
//! of its content (the card and its figures, not the fit times), so the same history and
//! settings give the same id on the same day, and a different card never shares one.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::boost::Config;
use super::cv::{self, CrossValidation, OutOfTime};
use super::scorecard::{Scale, Scorecard};
use super::table::{HistoryTable, TableError, Values};

/// How to train: the learner's settings, the card's scale, and the folds.
#[derive(Debug, Clone, PartialEq)]
pub struct Training {
    pub config: Config,
    pub scale: Scale,
    /// A fold id per row (from a benchmark's split), or `None` for seeded stratified folds.
    pub folds: Option<Vec<usize>>,
    pub k: usize,
}

impl Default for Training {
    fn default() -> Training {
        Training {
            config: Config::default(),
            scale: Scale::default(),
            folds: None,
            k: 5,
        }
    }
}

/// A feature of the card and how it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub missing: usize,
}

/// A column that is no feature, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    pub column: String,
    pub reason: String,
}

/// What the version was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub history: String,
    pub label: String,
    pub positive: String,
    pub time_column: Option<String>,
    pub rows: usize,
    pub conversions: usize,
    pub base_rate: f64,
    pub features: Vec<Feature>,
    pub skipped: Vec<Skipped>,
    pub pairs: usize,
    pub seed: u64,
    /// `stratified` (seeded, k folds) or `given` (a fold id per row from outside).
    pub folds: String,
}

/// A trained version, as stored in `models/<version>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelVersion {
    pub version: String,
    pub trained_on: Date,
    pub summary: Summary,
    pub cross_validation: CrossValidation,
    pub out_of_time: Option<OutOfTime>,
    pub scorecard: Scorecard,
}

/// Learns the card from every row, cross-validates, and checks out of time; `seconds`
/// reads a stopwatch for the fit times.
pub fn train(
    table: &HistoryTable,
    training: &Training,
    trained_on: Date,
    seconds: &dyn Fn() -> f64,
) -> Result<ModelVersion, TableError> {
    let conversions = table.conversions();
    let least = conversions.min(table.rows() - conversions);
    if least < training.k.max(2) {
        return Err(TableError::File {
            origin: table.origin.clone(),
            message: format!(
                "{conversions} of {} rows converted: {}-fold cross-validation needs at least {} of each outcome",
                table.rows(),
                training.k,
                training.k.max(2)
            ),
        });
    }
    let folds = match &training.folds {
        Some(folds) if folds.len() != table.rows() => {
            return Err(TableError::File {
                origin: table.origin.clone(),
                message: format!(
                    "the folds give {} rows, the history has {}",
                    folds.len(),
                    table.rows()
                ),
            });
        }
        Some(folds) => folds.clone(),
        None => cv::stratified_folds(&table.outcomes, training.k, training.config.seed),
    };
    let config = &training.config;
    let cross_validation = cv::cross_validate(table, &folds, config, training.scale, seconds);
    let out_of_time = cv::out_of_time(table, config, training.scale);
    let rows: Vec<usize> = (0..table.rows()).collect();
    let learned = super::boost::learn(table, &rows, config);
    let scorecard = Scorecard::from_learned(&learned, table, &rows, training.scale);
    let summary = Summary {
        history: table.origin.clone(),
        label: table.label.clone(),
        positive: table.positive.clone(),
        time_column: table.time.as_ref().map(|(name, _)| name.clone()),
        rows: table.rows(),
        conversions: table.conversions(),
        base_rate: table.conversions() as f64 / table.rows().max(1) as f64,
        features: table
            .columns
            .iter()
            .map(|c| {
                let (kind, missing) = match &c.values {
                    Values::Numeric(v) => ("numeric", v.iter().filter(|x| x.is_none()).count()),
                    Values::Categorical(v) => {
                        ("categorical", v.iter().filter(|x| x.is_none()).count())
                    }
                };
                Feature {
                    name: c.name.clone(),
                    kind: kind.to_string(),
                    missing,
                }
            })
            .collect(),
        skipped: table
            .skipped
            .iter()
            .map(|(column, reason)| Skipped {
                column: column.clone(),
                reason: reason.clone(),
            })
            .collect(),
        pairs: config.pairs,
        seed: config.seed,
        folds: if training.folds.is_some() {
            "given"
        } else {
            "stratified"
        }
        .to_string(),
    };
    let mut version = ModelVersion {
        version: String::new(),
        trained_on,
        summary,
        cross_validation,
        out_of_time,
        scorecard,
    };
    version.version = version_id(&version);
    Ok(version)
}

/// `m-YYYYMMDD-` and six hex digits of the hash of the version's content without its fit
/// times.
pub fn version_id(version: &ModelVersion) -> String {
    let mut content = version.clone();
    content.version = String::new();
    content.cross_validation.fit_seconds = 0.0;
    for fold in &mut content.cross_validation.folds {
        fold.fit_seconds = 0.0;
    }
    let bytes = serde_json::to_vec(&content).unwrap_or_default();
    let hash = Sha256::digest(&bytes);
    format!(
        "m-{}-{}",
        version.trained_on.strftime("%Y%m%d"),
        &hex::encode(hash)[..6]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::boost::tests::synthetic;

    fn training() -> Training {
        Training {
            config: Config {
                pairs: 2,
                ..Config::default()
            },
            k: 3,
            ..Training::default()
        }
    }

    #[test]
    fn training_twice_with_one_seed_gives_the_same_version() {
        let table = synthetic(2000, 9);
        let day = jiff::civil::date(2026, 12, 4);

        let first = train(&table, &training(), day, &|| 0.0).unwrap();
        let second = train(&table, &training(), day, &|| 0.0).unwrap();

        assert_eq!(
            serde_json::to_string(&first).unwrap(),
            serde_json::to_string(&second).unwrap()
        );
        assert!(first.version.starts_with("m-20261204-"));
        assert_eq!(first.version.len(), "m-20261204-".len() + 6);
    }

    #[test]
    fn a_history_with_too_few_conversions_to_validate_is_refused() {
        let mut table = synthetic(100, 9);
        for (i, outcome) in table.outcomes.iter_mut().enumerate() {
            *outcome = i < 3;
        }

        let error = train(
            &table,
            &Training::default(),
            jiff::civil::date(2026, 1, 2),
            &|| 0.0,
        );

        assert_eq!(
            error.unwrap_err().to_string(),
            "synthetic: 3 of 100 rows converted: 5-fold cross-validation needs at least 5 of each outcome"
        );
    }

    #[test]
    fn another_seed_gives_another_version() {
        let table = synthetic(2000, 9);
        let day = jiff::civil::date(2026, 12, 4);
        let mut other = training();
        other.config.seed = 1;

        let first = train(&table, &training(), day, &|| 0.0).unwrap();
        let second = train(&table, &other, day, &|| 0.0).unwrap();

        assert_ne!(first.version, second.version);
    }

    #[test]
    fn the_stored_version_reads_back_as_written() {
        let table = synthetic(1000, 9);
        let version = train(&table, &training(), jiff::civil::date(2026, 1, 2), &|| 0.0).unwrap();

        let json = serde_json::to_string(&version).unwrap();
        let back: ModelVersion = serde_json::from_str(&json).unwrap();

        assert_eq!(back.scorecard, version.scorecard);
        assert_eq!(back.summary, version.summary);
    }
}
