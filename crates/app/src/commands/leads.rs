//! `leadgate leads`: the scoring run, where every lead stands — its score, its fit and
//! engagement parts, its stage and the reasons in points — for people or as JSON, and what
//! happened to it afterwards: outcomes recorded by a person or re-imported from a CRM export.

use std::process::ExitCode;

use jiff::Timestamp;
use leadgate_core::scoring::lead::LeadStage;
use leadgate_core::scoring::outcome::{Amount, Currency, NewOutcome, OutcomeKind};
use leadgate_store::leads::LeadScore;
use leadgate_store::outcomes::OutcomeSource;
use serde::Serialize;

use super::{print_json, time_zone};
use crate::cli::{LeadsCommand, OutcomesCommand};
use crate::engine::{Error, outcomes, scoring};
use crate::workspace::Workspace;

/// A lead as `leads list --json` prints it.
#[derive(Debug, Serialize)]
struct LeadRow<'a> {
    id: i64,
    score: i64,
    stage: LeadStage,
    name: &'a str,
    email: &'a str,
    company: &'a str,
    probability: f64,
    fit: i64,
    engagement: i64,
    model: i64,
    reasons: &'a serde_json::Value,
    scored_at: Timestamp,
}

impl<'a> LeadRow<'a> {
    fn of(lead: &'a LeadScore) -> Self {
        LeadRow {
            id: lead.contact_id,
            score: lead.score,
            stage: lead.stage,
            name: &lead.name,
            email: &lead.email,
            company: &lead.company,
            probability: lead.probability,
            fit: lead.fit,
            engagement: lead.engagement,
            model: lead.model_id,
            reasons: &lead.reasons,
            scored_at: lead.scored_at,
        }
    }
}

pub async fn run(
    workspace: &Workspace,
    command: LeadsCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    match command {
        LeadsCommand::Score { json } => score(workspace, json, now).await,
        LeadsCommand::List { stage, json } => {
            let stage = match stage.as_deref().map(str::parse::<LeadStage>).transpose() {
                Ok(stage) => stage,
                Err(e) => {
                    eprintln!("error: --stage: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            list(workspace, stage, json).await
        }
        LeadsCommand::Show { id, json } => show(workspace, id, json).await,
        LeadsCommand::Outcome {
            id,
            kind,
            on,
            amount,
            currency,
            reason,
            person,
            json,
        } => {
            let tz = time_zone(workspace);
            let new = match read_outcome(&kind, on.as_deref(), amount, currency, reason, || {
                now.to_zoned(tz.clone()).date()
            }) {
                Ok(new) => new,
                Err(message) => {
                    eprintln!("error: {message}");
                    return Ok(ExitCode::from(2));
                }
            };
            let recorded =
                match outcomes::record_outcome(&workspace.store, &person, id, new, now).await {
                    Ok(recorded) => recorded,
                    Err(
                        e @ (Error::NotFound(_)
                        | Error::Conflict(_)
                        | Error::Forbidden(_)
                        | Error::UnknownPerson(_)),
                    ) => {
                        eprintln!("error: {e}");
                        return Ok(ExitCode::from(1));
                    }
                    Err(e) => return Err(e.into()),
                };
            if json {
                print_json(&recorded)?;
            } else {
                println!(
                    "Recorded on lead {id}: {} on {}{} (outcome {}).",
                    recorded.kind.label(),
                    recorded.on,
                    amount_text(recorded.amount),
                    recorded.id
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        LeadsCommand::Outcomes(OutcomesCommand::Import {
            file,
            map,
            currency,
            person,
            json,
        }) => {
            import_outcomes(
                workspace,
                &file,
                &map,
                currency.as_deref(),
                &person,
                json,
                now,
            )
            .await
        }
        LeadsCommand::RescoreBench { contact, runs } => {
            super::rescore_bench::run(workspace, contact, runs, now).await
        }
    }
}

/// An outcome from the command line: the kind, the day (default today), amount and reason.
fn read_outcome(
    kind: &str,
    on: Option<&str>,
    amount: Option<String>,
    currency: Option<String>,
    reason: Option<String>,
    today: impl Fn() -> jiff::civil::Date,
) -> Result<NewOutcome, String> {
    let kind: OutcomeKind = kind.parse()?;
    let on = match on {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("--on: `{text}` is not a date (like 2026-11-30)"))?,
        None => today(),
    };
    NewOutcome::parse(
        kind,
        on,
        amount.as_deref(),
        currency.as_deref(),
        reason.as_deref(),
    )
    .map_err(|e| format!("--{e}"))
}

fn amount_text(amount: Option<Amount>) -> String {
    amount.map(|a| format!(", {a}")).unwrap_or_default()
}

async fn import_outcomes(
    workspace: &Workspace,
    file: &std::path::Path,
    map: &[String],
    currency: Option<&str>,
    person: &str,
    json: bool,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let currency = match currency.map(Currency::parse).transpose() {
        Ok(currency) => currency,
        Err(message) => {
            eprintln!("error: --currency: {message}");
            return Ok(ExitCode::from(2));
        }
    };
    let mut extra: Vec<(String, OutcomeKind)> = workspace
        .config
        .scoring
        .crm_stages
        .iter()
        .map(|(w, k)| (w.clone(), *k))
        .collect();
    for entry in map {
        let parsed = entry
            .split_once('=')
            .ok_or_else(|| format!("--map `{entry}`: write WORD=KIND, like 'Verbal Commit=won'"))
            .and_then(|(w, k)| {
                k.parse::<OutcomeKind>()
                    .map(|k| (w.trim().to_string(), k))
                    .map_err(|e| format!("--map `{entry}`: {e}"))
            });
        match parsed {
            Ok(pair) => extra.push(pair),
            Err(message) => {
                eprintln!("error: {message}");
                return Ok(ExitCode::from(2));
            }
        }
    }
    let tally = match outcomes::import(&workspace.store, person, file, &extra, currency, now).await
    {
        Ok(tally) => tally,
        Err(e @ Error::File { .. }) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(e @ (Error::Forbidden(_) | Error::UnknownPerson(_))) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    if json {
        print_json(&tally)?;
    } else {
        println!(
            "{}: {} row(s): {} recorded, {} already recorded, {} at a stage before any outcome, \
             {} with no such lead, {} bad.",
            tally.file,
            tally.rows,
            tally.recorded,
            tally.already,
            tally.no_outcome,
            tally.no_such_lead.len(),
            tally.bad.len()
        );
        for note in &tally.no_such_lead {
            println!("  row {}: {}", note.row, note.message);
        }
        for note in &tally.bad {
            if note.column.is_empty() {
                println!("  row {}: {}", note.row, note.message);
            } else {
                println!(
                    "  row {}, column {}: {}",
                    note.row, note.column, note.message
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn score(workspace: &Workspace, json: bool, now: Timestamp) -> anyhow::Result<ExitCode> {
    let config = &workspace.config;
    let run = match scoring::run(
        &workspace.store,
        &config.scoring,
        &config.discovery.pages,
        now,
    )
    .await
    {
        Ok(run) => run,
        Err(e @ (Error::Conflict(_) | Error::Invalid(_))) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    if json {
        print_json(&run)?;
    } else {
        println!(
            "Scored {} lead(s) with model {} (threshold {}): {} in outreach, {} in nurture; {} newly qualified.",
            run.scored, run.version, run.threshold, run.outreach, run.nurture, run.qualified
        );
        println!("Next: `leadgate leads list --stage outreach`.");
    }
    Ok(ExitCode::SUCCESS)
}

fn reasons_text(reasons: &serde_json::Value) -> String {
    reasons
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            format!(
                "{} {}: {:+}",
                r["term"].as_str().unwrap_or_default(),
                r["bin"].as_str().unwrap_or_default(),
                r["points"].as_i64().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

async fn list(
    workspace: &Workspace,
    stage: Option<LeadStage>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let leads = scoring::list(&workspace.store, stage).await?;
    if json {
        print_json(&leads.iter().map(LeadRow::of).collect::<Vec<_>>())?;
        return Ok(ExitCode::SUCCESS);
    }
    if leads.is_empty() {
        println!("No scored leads (`leadgate leads score` scores them with the live model).");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>6}  {:>5}  {:<8}  {:<24}  {:<24}  reasons",
        "id", "score", "stage", "name", "company"
    );
    for lead in &leads {
        println!(
            "{:>6}  {:>5}  {:<8}  {:<24}  {:<24}  {}",
            lead.contact_id,
            lead.score,
            lead.stage.as_str(),
            clip(&lead.name, 24),
            clip(&lead.company, 24),
            reasons_text(&lead.reasons)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

async fn show(workspace: &Workspace, id: i64, json: bool) -> anyhow::Result<ExitCode> {
    let detail = match scoring::detail(&workspace.store, id).await {
        Ok(detail) => detail,
        Err(e @ Error::NotFound(_)) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    if json {
        print_json(&detail)?;
        return Ok(ExitCode::SUCCESS);
    }
    let tz = time_zone(workspace);
    let day = |at: Timestamp| at.to_zoned(tz.clone()).date().to_string();
    let c = &detail.current;
    println!("Lead {} — {} ({}), {}", id, c.name, c.email, c.company);
    println!(
        "Score {} ({:.0} % to convert): fit {}, engagement {}; stage {} (model {}, scored {}).",
        c.score,
        c.probability * 100.0,
        c.fit,
        c.engagement,
        c.stage.as_str(),
        c.model_id,
        day(c.scored_at)
    );
    println!("Reasons:");
    for r in c.reasons.as_array().into_iter().flatten() {
        println!(
            "  {:+5}  {} = {}",
            r["points"].as_i64().unwrap_or_default(),
            r["term"].as_str().unwrap_or_default(),
            r["bin"].as_str().unwrap_or_default()
        );
    }
    println!("Facts:");
    for f in &detail.facts {
        println!(
            "  {:<8} {:<20} {:<30} {} {}",
            f.of,
            f.field,
            clip(&f.value, 30),
            f.source,
            f.observed_at.map(day).unwrap_or_default()
        );
    }
    println!("Outcomes:");
    if detail.outcomes.is_empty() {
        println!("  none recorded (`leadgate leads outcome {id} KIND --as NAME`)");
    }
    for o in &detail.outcomes {
        let source = match &o.source {
            OutcomeSource::Person => "recorded".to_string(),
            OutcomeSource::CrmImport { file, row } => format!("from {file} row {row}"),
        };
        let reason = if o.reason.is_empty() {
            String::new()
        } else {
            format!(" — {}", o.reason)
        };
        println!(
            "  {}  {:<20}{}{reason} ({source} by {})",
            o.on,
            o.kind.label(),
            amount_text(o.amount),
            o.recorded_by
        );
    }
    println!("History:");
    for h in &detail.history {
        println!(
            "  {}  {:>5}  {:<8}  model {}",
            day(h.scored_at),
            h.score,
            h.stage.as_str(),
            h.model_id
        );
    }
    Ok(ExitCode::SUCCESS)
}
