//! `leadgate events import`: engagement and intent from a file, with every rejected row
//! named as `FILE:ROW:COLUMN: reason` (see `engine::engagement`).

use std::process::ExitCode;

use jiff::Timestamp;
use leadgate_core::audit::Actor;
use leadgate_core::engagement::KindChoice;

use super::print_json;
use crate::cli::EventsCommand;
use crate::engine::{Error, engagement, person, scoring};
use crate::workspace::Workspace;

/// Rejected rows printed (all are in `--json` and the stored report, up to its limit).
const PRINTED_REJECTS: usize = 20;

pub async fn run(
    workspace: &Workspace,
    command: EventsCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let EventsCommand::Import {
        file,
        kind,
        person: who,
        json,
    } = command;
    let choice: KindChoice = match kind.parse() {
        Ok(choice) => choice,
        Err(e) => {
            eprintln!("error: --kind: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let actor = match &who {
        Some(name) => {
            let mut conn = workspace.store.conn().await?;
            person(&mut conn, name).await?;
            Actor::Person(name.clone())
        }
        None => Actor::System,
    };
    let intent = crate::engine::handoff::intent::IntentCheck {
        rules: &workspace.config.handoff.intent,
        pages: &workspace.config.discovery.pages,
    };
    let report =
        match engagement::import_file(&workspace.store, &file, choice, &actor, Some(&intent), now)
            .await
        {
            Ok(report) => report,
            // A file that stores nothing is the caller's to fix: the exit code of bad input.
            Err(e @ (Error::Invalid(_) | Error::File { .. })) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(2));
            }
            Err(e) => return Err(e.into()),
        };
    // New engagement moves the scores of the leads it touches, and only theirs.
    let config = &workspace.config;
    let rescored = scoring::rescore_import(
        &workspace.store,
        &config.scoring,
        &config.discovery.pages,
        report.import_id,
        now,
    )
    .await;
    if json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Imported {} as engagement import {} ({}, rows read as {}).",
        report.origin, report.import_id, report.format, report.kind
    );
    println!(
        "Rows read {}: stored {} ({} engagement, {} intent), already stored {}, rejected {}.",
        report.rows_read,
        report.stored,
        report.engagement,
        report.intent,
        report.duplicates,
        report.rejected
    );
    match rescored {
        Ok(Some(run)) => println!(
            "Rescored {} lead(s) it touched with model {}: {} in outreach, {} in nurture.",
            run.scored, run.version, run.outreach, run.nurture
        ),
        Ok(None) => {}
        Err(e) => eprintln!("warning: the leads it touches were not rescored: {e}"),
    }
    for r in report.rejected_rows.iter().take(PRINTED_REJECTS) {
        println!(
            "  {}:{}:{}: {} (line {})",
            report.origin, r.row, r.column, r.reason, r.line
        );
    }
    if report.rejected as usize > PRINTED_REJECTS {
        println!(
            "  … and {} more (`--json` lists them).",
            report.rejected as usize - PRINTED_REJECTS
        );
    }
    println!(
        "The next discovery run reads them (`leadgate discover run`, or the next source import)."
    );
    Ok(ExitCode::SUCCESS)
}
