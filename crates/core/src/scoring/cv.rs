//! How well a learned card does on rows it did not see. Stratified k-fold cross-validation
//! (seeded; or folds given from outside, so that a benchmark compares on the very same
//! split as its peers) gives each fold's ROC AUC, PR AUC, Brier and log loss, and pools the
//! out-of-fold probabilities for the calibration report. Random folds flatter flexible
//! models when the world drifts, so with a time column there is also an out-of-time check:
//! train on the older part, test on the newest window.
//!
//! Every probability here is the card's: the fold's model is turned into whole points and
//! the probability read from the score, exactly as it will score live. Fit times come from
//! a stopwatch the caller passes in (no clock is read here).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::boost::{Config, learn};
use super::metrics;
use super::rng::Rng;
use super::scorecard::{Scale, Scorecard};
use super::table::HistoryTable;

/// One fold's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fold {
    pub fold: usize,
    pub rows: usize,
    pub roc_auc: f64,
    pub pr_auc: f64,
    pub brier: f64,
    pub log_loss: f64,
    pub fit_seconds: f64,
}

/// Cross-validation: per fold, their means, and the pooled out-of-fold probabilities with
/// the outcomes, in the rows' order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    pub folds: Vec<Fold>,
    pub roc_auc: f64,
    pub pr_auc: f64,
    pub brier: f64,
    pub log_loss: f64,
    /// Expected calibration error of the pooled probabilities (10 equal-count bins).
    pub ece: f64,
    pub fit_seconds: f64,
    pub probabilities: Vec<f64>,
    pub outcomes: Vec<bool>,
}

/// The out-of-time check: the two windows and the newest window's probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutOfTime {
    pub time_column: String,
    pub train_from: Date,
    pub train_to: Date,
    pub test_from: Date,
    pub test_to: Date,
    pub train_rows: usize,
    pub test_rows: usize,
    pub roc_auc: f64,
    pub brier: f64,
    pub probabilities: Vec<f64>,
    pub outcomes: Vec<bool>,
    /// The same card's probabilities on its own training window: the baseline the newest
    /// window's scores are compared with (score PSI).
    #[serde(default)]
    pub train_probabilities: Vec<f64>,
}

/// The share of the rows, newest first, that the out-of-time window holds.
pub const OUT_OF_TIME_SHARE: f64 = 0.2;

/// A fold (`0..k`) for every row, each fold with the same share of conversions.
pub fn stratified_folds(outcomes: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = Rng::new(seed);
    let mut folds = vec![0; outcomes.len()];
    for class in [true, false] {
        let mut members: Vec<usize> = (0..outcomes.len())
            .filter(|&i| outcomes[i] == class)
            .collect();
        rng.shuffle(&mut members);
        for (i, &row) in members.iter().enumerate() {
            folds[row] = i % k.max(1);
        }
    }
    folds
}

/// Learns a card from `rows` and returns it with the probabilities it gives `test` rows.
pub fn fit_and_score(
    table: &HistoryTable,
    rows: &[usize],
    test: &[usize],
    config: &Config,
    scale: Scale,
) -> (Scorecard, Vec<f64>) {
    let learned = learn(table, rows, config);
    let card = Scorecard::from_learned(&learned, table, rows, scale);
    let probabilities = probabilities(&card, table, test);
    (card, probabilities)
}

/// The card's probability for each of `rows`.
pub fn probabilities(card: &Scorecard, table: &HistoryTable, rows: &[usize]) -> Vec<f64> {
    let cells = card.cells_of_table(table, rows);
    let mut row = vec![0; cells.len()];
    (0..rows.len())
        .map(|r| {
            for (slot, term) in row.iter_mut().zip(&cells) {
                *slot = term[r];
            }
            card.probability(card.total(&row))
        })
        .collect()
}

/// Cross-validates over `folds` (a fold id per row); `seconds` reads a stopwatch.
pub fn cross_validate(
    table: &HistoryTable,
    folds: &[usize],
    config: &Config,
    scale: Scale,
    seconds: &dyn Fn() -> f64,
) -> CrossValidation {
    let k = folds.iter().max().map_or(0, |m| m + 1);
    let mut pooled = vec![0.0; table.rows()];
    let mut results = Vec::new();
    for fold in 0..k {
        let (test, train): (Vec<usize>, Vec<usize>) =
            (0..table.rows()).partition(|&r| folds[r] == fold);
        if test.is_empty() || train.is_empty() {
            continue;
        }
        let start = seconds();
        let (_, probabilities) = fit_and_score(table, &train, &test, config, scale);
        let fit_seconds = seconds() - start;
        let outcomes: Vec<bool> = test.iter().map(|&r| table.outcomes[r]).collect();
        for (&r, &p) in test.iter().zip(&probabilities) {
            pooled[r] = p;
        }
        results.push(Fold {
            fold,
            rows: test.len(),
            roc_auc: metrics::roc_auc(&probabilities, &outcomes).unwrap_or(f64::NAN),
            pr_auc: metrics::pr_auc(&probabilities, &outcomes).unwrap_or(f64::NAN),
            brier: metrics::brier(&probabilities, &outcomes),
            log_loss: metrics::log_loss(&probabilities, &outcomes),
            fit_seconds,
        });
    }
    let mean =
        |f: fn(&Fold) -> f64| results.iter().map(f).sum::<f64>() / results.len().max(1) as f64;
    CrossValidation {
        roc_auc: mean(|f| f.roc_auc),
        pr_auc: mean(|f| f.pr_auc),
        brier: mean(|f| f.brier),
        log_loss: mean(|f| f.log_loss),
        fit_seconds: mean(|f| f.fit_seconds),
        ece: metrics::ece(&pooled, &table.outcomes, 10),
        folds: results,
        probabilities: pooled,
        outcomes: table.outcomes.clone(),
    }
}

/// Trains on the older rows and tests on the newest [`OUT_OF_TIME_SHARE`] (a date is never
/// split between the two), when the table has a time column and both windows have rows.
pub fn out_of_time(table: &HistoryTable, config: &Config, scale: Scale) -> Option<OutOfTime> {
    let (name, dates) = table.time.as_ref()?;
    let mut order: Vec<usize> = (0..table.rows()).collect();
    order.sort_by_key(|&r| (dates[r], r));
    let first_test = order.len() - (order.len() as f64 * OUT_OF_TIME_SHARE).round() as usize;
    let cutoff = dates[*order.get(first_test)?];
    let (test, train): (Vec<usize>, Vec<usize>) = order.iter().partition(|&&r| dates[r] >= cutoff);
    let outcomes: Vec<bool> = test.iter().map(|&r| table.outcomes[r]).collect();
    if train.is_empty() || !outcomes.contains(&true) || !outcomes.contains(&false) {
        return None;
    }
    let (card, probabilities) = fit_and_score(table, &train, &test, config, scale);
    let train_probabilities = self::probabilities(&card, table, &train);
    Some(OutOfTime {
        time_column: name.clone(),
        train_from: dates[train[0]],
        train_to: dates[*train.last()?],
        test_from: dates[test[0]],
        test_to: dates[*test.last()?],
        train_rows: train.len(),
        test_rows: test.len(),
        roc_auc: metrics::roc_auc(&probabilities, &outcomes).unwrap_or(f64::NAN),
        brier: metrics::brier(&probabilities, &outcomes),
        probabilities,
        outcomes,
        train_probabilities,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::boost::tests::synthetic;

    #[test]
    fn stratified_folds_share_the_conversions_evenly() {
        let outcomes: Vec<bool> = (0..1000).map(|i| i % 4 == 0).collect();

        let folds = stratified_folds(&outcomes, 5, 0);

        for fold in 0..5 {
            let members: Vec<usize> = (0..1000).filter(|&r| folds[r] == fold).collect();
            assert_eq!(members.len(), 200);
            assert_eq!(members.iter().filter(|&&r| outcomes[r]).count(), 50);
        }
    }

    #[test]
    fn cross_validation_ranks_a_learnable_shape_well_on_unseen_rows() {
        let table = synthetic(4000, 2);
        let folds = stratified_folds(&table.outcomes, 3, 0);
        let config = Config {
            pairs: 0,
            ..Config::default()
        };

        let cv = cross_validate(&table, &folds, &config, Scale::default(), &|| 0.0);

        assert_eq!(cv.folds.len(), 3);
        assert!(cv.roc_auc > 0.75, "auc {}", cv.roc_auc);
        assert!(cv.ece < 0.05, "ece {}", cv.ece);
        assert_eq!(cv.probabilities.len(), 4000);
    }

    #[test]
    fn the_out_of_time_window_is_the_newest_fifth() {
        let mut table = synthetic(1000, 4);
        let start = jiff::civil::date(2024, 1, 1);
        let dates: Vec<Date> = (0..1000)
            .map(|i| start.checked_add(jiff::Span::new().days(i / 10)).unwrap())
            .collect();
        table.time = Some(("at".into(), dates));

        let oot = out_of_time(
            &table,
            &Config {
                pairs: 0,
                ..Config::default()
            },
            Scale::default(),
        )
        .unwrap();

        assert_eq!(oot.test_rows, 200);
        assert_eq!(oot.test_from, jiff::civil::date(2024, 3, 21));
        assert_eq!(oot.train_to, jiff::civil::date(2024, 3, 20));
    }
}
