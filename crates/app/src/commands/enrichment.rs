//! `leadgate enrich run` and `leadgate enrich costs`: the workspace's `[enrichment]` read
//! strictly and built into providers (an error names the key, or the provider and what it
//! lacks), the run made by `engine::enrichment`, and its account printed — what was filled
//! and from where, what was not and why, every problem with its reason, the credits.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use jiff::Timestamp;
use leadgate_connectors::enrich::Enrichment;
use leadgate_connectors::enrich::config::{BuildContext, EnrichmentConfig};
use leadgate_core::audit::Actor;
use leadgate_core::enrichment::Credits;

use super::{print_json, print_table};
use crate::cli::EnrichCommand;
use crate::config;
use crate::engine::{Error, enrichment, person};
use crate::workspace::Workspace;

/// Lines of each list printed (all are in `--json`).
const PRINTED: usize = 30;

pub async fn run(
    workspace: &Workspace,
    command: EnrichCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    match command {
        EnrichCommand::Run {
            budget,
            person: who,
            json,
        } => enrich(workspace, budget, who, json, now).await,
        EnrichCommand::Costs { run, json } => costs(workspace, run, json).await,
    }
}

/// The workspace's providers, built: `[enrichment]` parsed strictly from leadgate.toml, the
/// files read and the keys taken from the environment.
pub(crate) fn providers(workspace: &Workspace) -> anyhow::Result<Enrichment> {
    let path = workspace.dir.join(config::FILE_NAME);
    if workspace.config.enrichment.is_none() {
        bail!(
            "{} has no [enrichment] section: add one with at least one [[enrichment.providers]] (see docs/enrichment.md)",
            path.display()
        );
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    build(&text, &path, &workspace.dir)
}

fn build(text: &str, path: &Path, dir: &Path) -> anyhow::Result<Enrichment> {
    let parsed = EnrichmentConfig::parse(text, &path.display().to_string())?;
    if parsed.providers.is_empty() {
        bail!(
            "{}: key `enrichment.providers`: no provider is configured; add an [[enrichment.providers]] section (see docs/enrichment.md)",
            path.display()
        );
    }
    let clock = crate::clock::system()?;
    let context = BuildContext::from_env(
        dir,
        Arc::new(move || clock()),
        Arc::new(leadgate_connectors::search::TokioSleeper),
    );
    let built = parsed
        .build(&context)
        .map_err(|e| anyhow::anyhow!("{}: key `enrichment.providers`: {e}", path.display()))?;
    for bad in built.bad_rows.iter().take(5) {
        eprintln!("warning: {bad}");
    }
    if built.bad_rows.len() > 5 {
        eprintln!(
            "warning: … and {} more values left out of enrichment files",
            built.bad_rows.len() - 5
        );
    }
    Ok(built.enrichment)
}

async fn enrich(
    workspace: &Workspace,
    budget: Option<f64>,
    who: Option<String>,
    json: bool,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let budget = match budget.map(Credits::from_number).transpose() {
        Ok(budget) => budget,
        Err(e) => {
            eprintln!("error: --budget: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let enrichment = providers(workspace)?;
    let actor = match &who {
        Some(name) => {
            let mut conn = workspace.store.conn().await?;
            person(&mut conn, name).await?;
            Actor::Person(name.clone())
        }
        None => Actor::System,
    };
    let report = match enrichment::run(&workspace.store, &enrichment, &actor, budget, now).await {
        Ok(report) => report,
        Err(e @ (Error::Invalid(_) | Error::Conflict(_))) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    if json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let l = &report.ledger;
    println!(
        "Enrichment run {}: {} contact(s) ({} from the refresh queue) and {} compan{}.",
        report.run_id,
        report.contacts,
        report.from_refresh_queue,
        report.companies,
        if report.companies == 1 { "y" } else { "ies" }
    );
    println!(
        "Fields wanted {}: filled by a provider {}, from the cache {}, not filled {}.",
        l.fields_wanted, l.fields_from_providers, l.fields_from_cache, l.fields_unfilled
    );
    let bought: Vec<_> = report.filled.iter().filter(|f| !f.from_cache).collect();
    if !bought.is_empty() {
        println!("\nFilled:");
        let rows: Vec<Vec<String>> = bought
            .iter()
            .take(PRINTED)
            .map(|f| {
                vec![
                    f.subject.clone(),
                    f.field.to_string(),
                    shorten(&f.value.to_string()),
                    f.provider.clone(),
                    f.observed_at.strftime("%Y-%m-%d").to_string(),
                ]
            })
            .collect();
        print_table(
            &["subject", "field", "value", "provider", "observed"],
            &rows,
        );
        more(bought.len());
    }
    if !report.unfilled.is_empty() {
        println!("\nNot filled:");
        for m in report.unfilled.iter().take(PRINTED) {
            println!("  {} {}: {}", m.subject, m.field, m.reasons.join("; "));
        }
        more(report.unfilled.len());
    }
    if !report.problems.is_empty() {
        println!("\nProblems (recorded; the run went on):");
        for p in report.problems.iter().take(PRINTED) {
            println!(
                "  {} {} [{}] {}: {}",
                p.subject,
                p.provider,
                p.fields.join(","),
                p.kind,
                p.reason
            );
        }
        more(report.problems.len());
    }
    println!();
    print_ledger(&l.providers);
    println!(
        "Credits spent {}{}. {} record(s) of facts stored; {} refresh queue entr{} cleared.",
        report.spent,
        match report.left {
            Some(left) => format!(", left {left} of {}", report.budget.unwrap_or_default()),
            None => " (no budget)".to_string(),
        },
        report.records_stored,
        report.refresh_cleared,
        if report.refresh_cleared == 1 {
            "y"
        } else {
            "ies"
        }
    );
    println!(
        "The costs: `leadgate enrich costs --run {}`.",
        report.run_id
    );
    Ok(ExitCode::SUCCESS)
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(48) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

fn more(total: usize) {
    if total > PRINTED {
        println!("  … and {} more (`--json` lists them).", total - PRINTED);
    }
}

fn print_ledger(lines: &[leadgate_core::enrichment::ProviderLedger]) {
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|p| {
            let failures: Vec<String> = p
                .failures
                .iter()
                .map(|(kind, n)| format!("{kind} {n}"))
                .collect();
            vec![
                p.provider.clone(),
                p.calls.to_string(),
                p.hits.to_string(),
                p.misses.to_string(),
                if failures.is_empty() {
                    "0".into()
                } else {
                    failures.join(", ")
                },
                p.values_rejected.to_string(),
                p.skipped_for_budget.to_string(),
                p.skipped_recent_miss.to_string(),
                p.credits.to_string(),
            ]
        })
        .collect();
    print_table(
        &[
            "provider",
            "calls",
            "hits",
            "misses",
            "failures",
            "refused values",
            "over budget",
            "recent miss",
            "credits",
        ],
        &rows,
    );
}

async fn costs(workspace: &Workspace, run: Option<i64>, json: bool) -> anyhow::Result<ExitCode> {
    let costs = match enrichment::costs(&workspace.store, run).await {
        Ok(costs) => costs,
        Err(e @ Error::NotFound(_)) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    if json {
        print_json(&costs)?;
        return Ok(ExitCode::SUCCESS);
    }
    if costs.runs.is_empty() {
        println!("No enrichment run yet (`leadgate enrich run`).");
        return Ok(ExitCode::SUCCESS);
    }
    for r in &costs.runs {
        println!(
            "Run {} by {} at {} ({}): spent {} of {}.",
            r.run.id,
            r.run.actor,
            r.run.started_at.strftime("%Y-%m-%d %H:%M UTC"),
            r.run.status,
            r.run.spent,
            r.run
                .budget
                .map_or("no budget".to_string(), |b| format!("a budget of {b}"))
        );
        print_ledger(&r.providers);
        for p in r.problems.iter().take(PRINTED) {
            println!(
                "  {} {} [{}] {}: {}",
                p.subject,
                p.provider,
                p.fields.join(","),
                p.kind,
                p.reason
            );
        }
        more(r.problems.len());
        println!();
    }
    println!("Totals:");
    let rows: Vec<Vec<String>> = costs
        .totals
        .iter()
        .map(|t| {
            vec![
                t.provider.clone(),
                t.calls.to_string(),
                t.hits.to_string(),
                t.misses.to_string(),
                t.failures.to_string(),
                t.skipped_for_budget.to_string(),
                t.credits.to_string(),
            ]
        })
        .collect();
    print_table(
        &[
            "provider",
            "calls",
            "hits",
            "misses",
            "failures",
            "over budget",
            "credits",
        ],
        &rows,
    );
    println!("Credits spent: {}.", costs.spent);
    Ok(ExitCode::SUCCESS)
}
