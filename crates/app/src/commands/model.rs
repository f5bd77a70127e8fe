//! `leadgate model train` and `leadgate model predict`: the scoring model from files, with
//! no workspace needed, so that sales ops can try a history export before anything is set
//! up. The learning, the card and its checks are in `leadgate_core::scoring`; here are only
//! the files, the stopwatch, the date and the printing. Bad input (a file that cannot be
//! read as a history, a missing column, words in a number column) is exit code 2 with the
//! file, row and column named.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use leadgate_core::scoring::boost::Config;
use leadgate_core::scoring::rules;
use leadgate_core::scoring::scorecard::Scorecard;
use leadgate_core::scoring::table::{HistoryTable, RawTable, TableSpec};
use leadgate_core::scoring::version::{self, ModelVersion, Training};
use serde::Serialize;

use super::print_json;
use crate::cli::{ModelCommand, ModelPredictArgs, ModelTrainArgs};

pub fn run(command: ModelCommand, now: Timestamp) -> anyhow::Result<ExitCode> {
    let outcome = match command {
        ModelCommand::Train(args) => train(&args, now),
        ModelCommand::Predict(args) => predict(&args),
    };
    match outcome {
        Ok(Ok(())) => Ok(ExitCode::SUCCESS),
        Ok(Err(BadInput(message))) => {
            eprintln!("error: {message}");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e),
    }
}

/// Input the person has to fix: printed as it is, exit code 2.
struct BadInput(String);

type Outcome = anyhow::Result<Result<(), BadInput>>;

fn bad(error: impl std::fmt::Display) -> BadInput {
    BadInput(error.to_string())
}

/// What `model train --json` prints: the version, where it is, and the held-out figures.
#[derive(Serialize)]
struct TrainView<'a> {
    version: &'a str,
    path: String,
    rows: usize,
    conversions: usize,
    base_rate: f64,
    terms: usize,
    /// The mean over the cross-validation folds.
    roc_auc: f64,
    pr_auc: f64,
    brier: f64,
    log_loss: f64,
    /// Of the pooled out-of-fold probabilities.
    ece: f64,
    fit_seconds: f64,
    folds: usize,
    out_of_time_roc_auc: Option<f64>,
}

fn train(args: &ModelTrainArgs, now: Timestamp) -> Outcome {
    let text = read(&args.history)?;
    let spec = TableSpec {
        label: args.label.clone(),
        positive: args.positive.clone(),
        time: args.time.clone(),
        exclude: args.exclude.clone(),
    };
    let table = match HistoryTable::parse(&text, &origin(&args.history), &spec) {
        Ok(table) => table,
        Err(e) => return Ok(Err(bad(e))),
    };
    let folds = match args.folds.as_deref().map(read_folds).transpose()? {
        Some(Err(e)) => return Ok(Err(e)),
        Some(Ok(folds)) => Some(folds),
        None => None,
    };
    let training = Training {
        config: Config {
            pairs: args.pairs,
            seed: args.seed,
            ..Config::default()
        },
        folds,
        ..Training::default()
    };
    let trained_on = now.to_zoned(TimeZone::UTC).date();
    let start = Instant::now();
    let stopwatch = || start.elapsed().as_secs_f64();
    let version = match version::train(&table, &training, trained_on, &stopwatch) {
        Ok(version) => version,
        Err(e) => return Ok(Err(bad(e))),
    };
    let path = write_version(&args.models, &version)?;
    if args.json {
        print_json(&train_view(&version, &path))?;
    } else {
        print_training(&version, &path);
    }
    Ok(Ok(()))
}

fn train_view<'a>(version: &'a ModelVersion, path: &Path) -> TrainView<'a> {
    let cv = &version.cross_validation;
    TrainView {
        version: &version.version,
        path: path.display().to_string(),
        rows: version.summary.rows,
        conversions: version.summary.conversions,
        base_rate: version.summary.base_rate,
        terms: version.scorecard.terms.len(),
        roc_auc: cv.roc_auc,
        pr_auc: cv.pr_auc,
        brier: cv.brier,
        log_loss: cv.log_loss,
        ece: cv.ece,
        fit_seconds: cv.fit_seconds,
        folds: cv.folds.len(),
        out_of_time_roc_auc: version.out_of_time.as_ref().map(|o| o.roc_auc),
    }
}

fn print_training(version: &ModelVersion, path: &Path) {
    let (summary, cv) = (&version.summary, &version.cross_validation);
    println!(
        "Trained {} on {}: {} rows, {} conversions ({:.1} %), {} features, {} terms.",
        version.version,
        summary.history,
        summary.rows,
        summary.conversions,
        100.0 * summary.base_rate,
        summary.features.len(),
        version.scorecard.terms.len()
    );
    println!(
        "Cross-validated over {} folds: ROC AUC {:.3}, PR AUC {:.3}, Brier {:.4}, log loss {:.4}, ECE {:.4}; {:.2} s to fit a fold.",
        cv.folds.len(),
        cv.roc_auc,
        cv.pr_auc,
        cv.brier,
        cv.log_loss,
        cv.ece,
        cv.fit_seconds
    );
    if let Some(oot) = &version.out_of_time {
        println!(
            "Out of time: trained on {} to {}, tested on {} to {} ({} rows): ROC AUC {:.3}, Brier {:.4}.",
            oot.train_from,
            oot.train_to,
            oot.test_from,
            oot.test_to,
            oot.test_rows,
            oot.roc_auc,
            oot.brier
        );
    }
    for skipped in &summary.skipped {
        println!("Not a feature: {} ({}).", skipped.column, skipped.reason);
    }
    println!("Wrote {}.", path.display());
}

fn predict(args: &ModelPredictArgs) -> Outcome {
    let card = match load_card(&args.model, &args.models)? {
        Ok(card) => card,
        Err(e) => return Ok(Err(e)),
    };
    let text = read(&args.input)?;
    let scored =
        match RawTable::parse(&text, &origin(&args.input)).and_then(|raw| card.score_rows(&raw)) {
            Ok(scored) => scored,
            Err(e) => return Ok(Err(bad(e))),
        };
    let mut out = csv::Writer::from_path(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let mut header = vec!["probability".to_string(), "score".to_string()];
    header.extend(card.terms.iter().map(|t| format!("points {}", t.name())));
    out.write_record(&header)?;
    for row in &scored {
        let mut record = vec![format!("{:.6}", row.probability), row.score.to_string()];
        record.extend(row.points.iter().map(i64::to_string));
        out.write_record(&record)?;
    }
    out.flush()?;
    println!("Scored {} rows into {}.", scored.len(), args.out.display());
    Ok(Ok(()))
}

/// The card of a version id (in `models`), of a version's JSON, or of a TOML rules file.
fn load_card(model: &str, models: &Path) -> anyhow::Result<Result<Scorecard, BadInput>> {
    let path = if Path::new(model).is_file() {
        PathBuf::from(model)
    } else {
        models.join(format!("{model}.json"))
    };
    if !path.is_file() {
        return Ok(Err(BadInput(format!(
            "no model `{model}`: neither a file nor {}",
            path.display()
        ))));
    }
    let text = read(&path)?;
    if path.extension().is_some_and(|e| e == "toml") {
        return Ok(rules::parse(&text, &origin(&path)).map_err(bad));
    }
    Ok(serde_json::from_str::<ModelVersion>(&text)
        .map(|v| v.scorecard)
        .map_err(|e| BadInput(format!("{}: not a model version: {e}", path.display()))))
}

fn read_folds(path: &Path) -> anyhow::Result<Result<Vec<usize>, BadInput>> {
    let text = read(path)?;
    let mut folds = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if (i == 0 && line == "fold") || line.is_empty() {
            continue;
        }
        match line.parse() {
            Ok(fold) => folds.push(fold),
            Err(_) => {
                return Ok(Err(BadInput(format!(
                    "{}:{}: `{line}` is not a fold number",
                    path.display(),
                    i + 1
                ))));
            }
        }
    }
    Ok(Ok(folds))
}

fn write_version(dir: &Path, version: &ModelVersion) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("{}.json", version.version));
    std::fs::write(&path, serde_json::to_string_pretty(version)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn origin(path: &Path) -> String {
    path.display().to_string()
}
