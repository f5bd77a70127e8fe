//! `leadgate model …`: the scoring model. `train` and `predict` work from files with no
//! workspace needed, so that sales ops can try a history export before anything is set up;
//! `propose` (or `train --as`) hands a version to the workspace as a draft behind its
//! calibration gate, `list` and `report` show the versions and their evidence, `restore`
//! brings back the version the live one replaced. The learning, the card, the report and the
//! lifecycle are in `leadgate_core::scoring` and the engine; here are only the files, the
//! stopwatch, the date and the printing. Bad input (a file that cannot be read as a
//! history, a missing column, words in a number column) is exit code 2 with the file, row
//! and column named.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use leadgate_core::scoring::boost::Config;
use leadgate_core::scoring::join::{self, Joined};
use leadgate_core::scoring::rules;
use leadgate_core::scoring::scorecard::Scorecard;
use leadgate_core::scoring::simplify::Readable;
use leadgate_core::scoring::table::{HistoryTable, RawTable, TableSpec};
use leadgate_core::scoring::version::{self, ModelVersion, Training};
use serde::Serialize;

use leadgate_core::scoring::report::{self, CalibrationReport, ReportInput};
use leadgate_core::scoring::review::Evidence;

use super::{print_json, print_table, show_time, time_zone};
use crate::cli::{ModelCommand, ModelPredictArgs, ModelTrainArgs};
use crate::engine;
use crate::workspace::Workspace;

pub async fn run(
    workspace_dir: &Path,
    command: ModelCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let outcome = match command {
        ModelCommand::Train(args) => match train(workspace_dir, &args, now).await? {
            Ok(version) => match &args.person {
                Some(person) => {
                    let workspace = Workspace::open(workspace_dir, now).await?;
                    let proposed = engine::model::propose_trained(
                        &workspace.store,
                        person,
                        &version,
                        args.capacity,
                        now,
                    )
                    .await?;
                    print_proposed(&proposed);
                    Ok(Ok(()))
                }
                None => Ok(Ok(())),
            },
            Err(e) => Ok(Err(e)),
        },
        ModelCommand::Predict(args) => predict(&args),
        ModelCommand::Propose {
            model,
            person,
            capacity,
            models,
        } => propose(workspace_dir, &model, &person, capacity, &models, now).await,
        ModelCommand::List { json } => {
            list(&Workspace::open(workspace_dir, now).await?, json).await
        }
        ModelCommand::Report {
            version,
            html,
            json,
            models,
        } => {
            report(
                workspace_dir,
                version.as_deref(),
                html.as_deref(),
                json,
                &models,
                now,
            )
            .await
        }
        ModelCommand::Review { version, json } => {
            let workspace = Workspace::open(workspace_dir, now).await?;
            let review = engine::model::review(
                &workspace.store,
                version.as_deref(),
                &workspace.config.scoring,
                now,
            )
            .await?;
            if json {
                print_json(&review)?;
            } else {
                println!(
                    "Review of scoring model {} (computed {}):",
                    review.version,
                    show_time(now, &time_zone(&workspace))
                );
                print_evidence(&review.evidence);
                for opened in &review.opened {
                    let why = if opened.reason.is_empty() {
                        "on its date".to_string()
                    } else {
                        format!("early: {}", opened.reason)
                    };
                    println!("Review gate {} opened {why}.", opened.gate_id);
                }
            }
            Ok(Ok(()))
        }
        ModelCommand::Restore { person } => {
            let workspace = Workspace::open(workspace_dir, now).await?;
            let restored = engine::model::restore(&workspace.store, &person, now).await?;
            println!(
                "Model {} is live again; the version it had replaced scores no more.",
                restored.version
            );
            Ok(Ok(()))
        }
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
    /// With --workspace-features: what the workspace added.
    #[serde(skip_serializing_if = "Option::is_none")]
    workspace: Option<&'a WorkspaceJoin>,
}

/// How a history was joined with the workspace's leads.
#[derive(Serialize)]
struct WorkspaceJoin {
    /// The key column: each row's e-mail address.
    key: String,
    /// The time column each row's features are taken at; `None`: now.
    as_of: Option<String>,
    #[serde(flatten)]
    joined: Joined,
}

async fn train(
    workspace_dir: &Path,
    args: &ModelTrainArgs,
    now: Timestamp,
) -> anyhow::Result<Result<ModelVersion, BadInput>> {
    let text = read(&args.history)?;
    let mut spec = TableSpec {
        label: args.label.clone(),
        positive: args.positive.clone(),
        time: args.time.clone(),
        exclude: args.exclude.clone(),
    };
    let mut raw = match RawTable::parse(&text, &origin(&args.history)) {
        Ok(raw) => raw,
        Err(e) => return Ok(Err(bad(e))),
    };
    let joined = if args.workspace_features {
        let workspace = Workspace::open(workspace_dir, now).await?;
        match join_workspace(&workspace, &mut raw, args, now).await? {
            Ok(joined) => {
                // The address says who the lead is, never how likely it is to convert.
                spec.exclude.push(joined.key.clone());
                Some(joined)
            }
            Err(e) => return Ok(Err(e)),
        }
    } else {
        None
    };
    if let Some(path) = &args.joined {
        write_table(path, &raw)?;
    }
    let table = match HistoryTable::from_raw(&raw, &spec) {
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
            readable: Readable {
                max_bins: args.max_bins,
                max_pair_bins: args.max_pair_bins,
                min_share: args.min_bin_share,
                refit_passes: args.refit_passes,
            },
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
        print_json(&train_view(&version, &path, joined.as_ref()))?;
    } else {
        if let Some(joined) = &joined {
            print_join(joined);
        }
        print_training(&version, &path);
    }
    if let Some(joined) = joined.as_ref().filter(|j| j.joined.few()) {
        eprintln!(
            "warning: only {} of {} history rows matched a workspace contact by `{}`: the \
             workspace's features are missing on the others, so the card learns little \
             about them",
            joined.joined.joined, joined.joined.rows, joined.key
        );
    }
    Ok(Ok(version))
}

/// Adds to `raw` the workspace's features of each row's lead, as of the row's time (or
/// now, without --time): the key column found (or --key), each row's address looked up.
async fn join_workspace(
    workspace: &Workspace,
    raw: &mut RawTable,
    args: &ModelTrainArgs,
    now: Timestamp,
) -> anyhow::Result<Result<WorkspaceJoin, BadInput>> {
    let key = match join::key_column(raw, args.key.as_deref()) {
        Ok(Some(key)) => key,
        Ok(None) => {
            return Ok(Err(BadInput(format!(
                "{}: --workspace-features finds each row's lead by its e-mail address, and no \
                 column is named like one (email, e-mail, email_address); name it with --key",
                raw.origin
            ))));
        }
        Err(e) => return Ok(Err(bad(e))),
    };
    let times = match &args.time {
        Some(name) => match raw.column(name).and_then(|at| join::row_times(raw, at)) {
            Ok(times) => times,
            Err(e) => return Ok(Err(bad(e))),
        },
        None => vec![now; raw.rows.len()],
    };
    let keys = join::row_keys(raw, key);
    let people: Vec<(String, Timestamp)> = keys
        .iter()
        .zip(&times)
        .filter_map(|(k, at)| k.clone().map(|k| (k, *at)))
        .collect();
    let mut conn = workspace.store.conn().await?;
    let pages = &workspace.config.discovery.pages;
    let mut found = engine::scoring::features_of_people(&mut conn, pages, &people)
        .await?
        .into_iter();
    let per_row: Vec<_> = keys
        .iter()
        .map(|k| k.as_ref().and_then(|_| found.next().flatten()))
        .collect();
    let joined = match join::join_features(raw, &per_row) {
        Ok(joined) => joined,
        Err(e) => return Ok(Err(bad(e))),
    };
    Ok(Ok(WorkspaceJoin {
        key: raw.headers[key].clone(),
        as_of: args.time.clone(),
        joined,
    }))
}

fn print_join(join: &WorkspaceJoin) {
    let j = &join.joined;
    let when = match &join.as_of {
        Some(column) => format!(
            "as of each row's `{column}` (facts observed by then, signals in windows ending then)"
        ),
        None => "as of now: there is no --time column, so a lead's features may include what \
                 happened after its outcome"
            .to_string(),
    };
    println!(
        "Joined {} of {} rows with workspace contacts by `{}`, {when}; {} matched none.",
        j.joined, j.rows, join.key, j.unmatched
    );
    if j.added.is_empty() {
        println!("The workspace added no feature.");
    } else {
        println!("The workspace added: {}.", j.added.join(", "));
    }
    if !j.kept_from_file.is_empty() {
        println!(
            "The file's own columns kept over the workspace's: {}.",
            j.kept_from_file.join(", ")
        );
    }
}

/// The history as trained on, with the workspace's columns: what the card learned from.
fn write_table(path: &Path, raw: &RawTable) -> anyhow::Result<()> {
    let mut out =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    out.write_record(&raw.headers)?;
    for row in &raw.rows {
        out.write_record(row)?;
    }
    out.flush()?;
    Ok(())
}

fn train_view<'a>(
    version: &'a ModelVersion,
    path: &Path,
    workspace: Option<&'a WorkspaceJoin>,
) -> TrainView<'a> {
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
        workspace,
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
    let started = Instant::now();
    let text = read(&args.input)?;
    let read_seconds = started.elapsed().as_secs_f64();
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let written = card
        .write_scores(&text, &origin(&args.input), &mut out)
        .and_then(|rows| out.flush().map(|()| rows));
    // No half-written scores file is left behind to be mistaken for a whole one.
    let discard = |out: std::io::BufWriter<std::fs::File>| {
        drop(out);
        let _ = std::fs::remove_file(&args.out);
    };
    let count = match written {
        Ok(Ok(count)) => count,
        Ok(Err(e)) => {
            discard(out);
            return Ok(Err(bad(e)));
        }
        Err(e) => {
            discard(out);
            return Err(
                anyhow::Error::new(e).context(format!("cannot write {}", args.out.display()))
            );
        }
    };
    println!("Scored {count} rows into {}.", args.out.display());
    if args.timing {
        let total = started.elapsed().as_secs_f64();
        eprintln!(
            "timing: {total:.3} s from reading the file to the last score written: reading \
             {read_seconds:.3} s, parsing, binning, scoring and writing the rows {:.3} s \
             (the card's loading and the process start are not included)",
            total - read_seconds
        );
    }
    Ok(Ok(()))
}

/// The card of a version id (in `models`), of a version's JSON, or of a TOML rules file.
fn load_card(model: &str, models: &Path) -> anyhow::Result<Result<Scorecard, BadInput>> {
    let path = match model_path(model, models) {
        Ok(path) => path,
        Err(e) => return Ok(Err(e)),
    };
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

fn print_proposed(proposed: &engine::model::Proposed) {
    println!(
        "Proposed {} in the workspace: a draft until sales ops approves it at gate {} (`leadgate gate show {}`).",
        proposed.version.version, proposed.gate.id, proposed.gate.id
    );
    for warning in &proposed.gate.warnings {
        println!("WARNING: {warning}");
    }
    if !proposed.gate.warnings.is_empty() {
        println!("An approval over these warnings needs a written reason (--note).");
    }
}

async fn propose(
    workspace_dir: &Path,
    model: &str,
    person: &str,
    capacity: Option<u64>,
    models: &Path,
    now: Timestamp,
) -> Outcome {
    let path = match model_path(model, models) {
        Ok(path) => path,
        Err(e) => return Ok(Err(e)),
    };
    let text = read(&path)?;
    let workspace = Workspace::open(workspace_dir, now).await?;
    let store = &workspace.store;
    let proposed = if path.extension().is_some_and(|e| e == "toml") {
        let card = match rules::parse(&text, &origin(&path)) {
            Ok(card) => card,
            Err(e) => return Ok(Err(bad(e))),
        };
        engine::model::propose_rules(store, person, &card, now).await?
    } else {
        let version = match serde_json::from_str::<ModelVersion>(&text) {
            Ok(version) => version,
            Err(e) => {
                return Ok(Err(BadInput(format!(
                    "{}: not a model version: {e}",
                    path.display()
                ))));
            }
        };
        engine::model::propose_trained(store, person, &version, capacity, now).await?
    };
    print_proposed(&proposed);
    Ok(Ok(()))
}

async fn list(workspace: &Workspace, json: bool) -> Outcome {
    let mut conn = workspace.store.conn().await?;
    let versions = leadgate_store::models::list(&mut conn).await?;
    if json {
        print_json(&versions.iter().map(ModelRow::of).collect::<Vec<_>>())?;
        return Ok(Ok(()));
    }
    if versions.is_empty() {
        println!(
            "No model version yet: train one with `leadgate model train --history FILE --as NAME`, or propose a rules card."
        );
        return Ok(Ok(()));
    }
    let tz = time_zone(workspace);
    let rows: Vec<Vec<String>> = versions
        .iter()
        .map(|v| {
            let row = ModelRow::of(v);
            vec![
                v.id.to_string(),
                v.version.clone(),
                v.status.label().to_string(),
                v.origin.label().to_string(),
                v.made_by.clone(),
                show_time(v.made_at, &tz),
                row.roc_auc.map_or("-".into(), |a| format!("{a:.3}")),
                v.live_at.map_or("-".into(), |t| show_time(t, &tz)),
            ]
        })
        .collect();
    print_table(
        &[
            "ID",
            "VERSION",
            "STATUS",
            "MADE",
            "BY",
            "AT",
            "ROC AUC",
            "LIVE SINCE",
        ],
        &rows,
    );
    Ok(Ok(()))
}

/// A version as `model list --json` shows it.
#[derive(Serialize)]
struct ModelRow<'a> {
    id: i64,
    version: &'a str,
    status: &'a str,
    origin: &'a str,
    made_by: &'a str,
    made_at: Timestamp,
    live_at: Option<Timestamp>,
    roc_auc: Option<f64>,
}

impl<'a> ModelRow<'a> {
    fn of(v: &'a leadgate_store::models::ModelVersion) -> ModelRow<'a> {
        ModelRow {
            id: v.id,
            version: &v.version,
            status: v.status.as_str(),
            origin: v.origin.as_str(),
            made_by: &v.made_by,
            made_at: v.made_at,
            live_at: v.live_at,
            roc_auc: v.roc_auc(),
        }
    }
}

async fn report(
    workspace_dir: &Path,
    version: Option<&str>,
    html: Option<&Path>,
    json: bool,
    models: &Path,
    now: Timestamp,
) -> Outcome {
    let in_workspace = workspace_dir.join(crate::config::FILE_NAME).is_file();
    let report: CalibrationReport = if in_workspace {
        let workspace = Workspace::open(workspace_dir, now).await?;
        let mut conn = workspace.store.conn().await?;
        let stored = engine::model::resolve(&mut conn, version).await?;
        serde_json::from_value(stored.report.clone()).with_context(|| {
            format!(
                "the stored report of model {} does not read",
                stored.version
            )
        })?
    } else {
        let Some(version) = version else {
            return Ok(Err(BadInput(
                "name a version (or its JSON file): there is no workspace here to take the newest from".into(),
            )));
        };
        let path = match model_path(version, models) {
            Ok(path) => path,
            Err(e) => return Ok(Err(e)),
        };
        let trained = match serde_json::from_str::<ModelVersion>(&read(&path)?) {
            Ok(trained) => trained,
            Err(e) => {
                return Ok(Err(BadInput(format!(
                    "{}: not a model version: {e}",
                    path.display()
                ))));
            }
        };
        let trained_at = trained
            .trained_on
            .to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(now);
        report::build(&ReportInput::of_version(
            &trained, trained_at, None, None, None,
        ))
    };
    if let Some(path) = html {
        std::fs::write(path, report.to_html())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if json {
        print_json(&report)?;
    } else {
        print!("{}", report.to_text());
        if let Some(path) = html {
            println!("Wrote the report with its charts to {}.", path.display());
        }
    }
    Ok(Ok(()))
}

/// The file of a version id (in `models`), or `model` itself when it is a file.
fn model_path(model: &str, models: &Path) -> Result<PathBuf, BadInput> {
    let path = if Path::new(model).is_file() {
        PathBuf::from(model)
    } else {
        models.join(format!("{model}.json"))
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(BadInput(format!(
            "no model `{model}`: neither a file nor {}",
            path.display()
        )))
    }
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// A review's table, its two rates and its advice, as `model review` and `gate show` print
/// them.
pub(crate) fn print_evidence(e: &Evidence) {
    let conversion: Vec<&str> = e.conversion.iter().map(|k| k.label()).collect();
    println!(
        "{} lead(s) scored; {} scored {} or more days ago are judged, {} younger are not yet. \
         A conversion is: {}.",
        e.leads,
        e.judged,
        e.mature_after_days,
        e.young,
        conversion.join(" or ")
    );
    let rows: Vec<Vec<String>> = e
        .bands
        .iter()
        .map(|b| {
            vec![
                b.band.to_string(),
                format!("{}–{}", b.score_low, b.score_high),
                b.leads.to_string(),
                b.judged.to_string(),
                b.mean_predicted.map(pct).unwrap_or_else(|| "–".into()),
                b.with_outcome.to_string(),
                b.conversions.to_string(),
                b.observed_rate.map(pct).unwrap_or_else(|| "–".into()),
                format!("{}–{}", pct(b.observed_low), pct(b.observed_high)),
                if b.off { "OFF".into() } else { String::new() },
            ]
        })
        .collect();
    print_table(
        &[
            "band",
            "scores",
            "leads",
            "judged",
            "predicted",
            "with outcome",
            "converted",
            "observed",
            "95 % interval",
            "",
        ],
        &rows,
    );
    let rate = |r: &leadgate_core::scoring::review::Rate| match r.rate {
        Some(x) => format!("{} ({} of {})", pct(x), r.conversions, r.leads),
        None => "no judged lead".to_string(),
    };
    println!(
        "At the threshold {}: outreach converted {}; nurture {}.",
        e.threshold,
        rate(&e.outreach),
        rate(&e.nurture)
    );
    for warning in &e.warnings {
        println!("WARNING: {warning}");
    }
    println!("{}", e.advice);
}

/// The evidence a review gate was opened with.
pub(crate) fn print_stored_review(review: &leadgate_store::outcomes::StoredReview) {
    if !review.reason.is_empty() {
        println!("Opened early: {}.", review.reason);
    }
    match serde_json::from_value::<Evidence>(review.evidence.clone()) {
        Ok(e) => print_evidence(&e),
        Err(e) => println!("(the review's evidence does not read: {e})"),
    }
}
