//! `leadgate audit`: read and verify the tamper-evident log.

use std::process::ExitCode;

use anyhow::Context;
use leadgate_core::audit::Anchor;
use leadgate_store::audit::{self, AuditFilter};
use serde_json::json;

use super::{print_json, print_table, show_time, time_zone};
use crate::cli::{AuditArgs, AuditCommand};
use crate::engine::audit as engine_audit;
use crate::views::AuditEntryView;
use crate::workspace::Workspace;

pub async fn run(
    workspace: &Workspace,
    args: AuditArgs,
    now: jiff::Timestamp,
) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(AuditCommand::Verify { anchors, json }) => {
            return verify(workspace, anchors.as_deref(), json).await;
        }
        Some(AuditCommand::Anchor { json }) => {
            let targets = workspace
                .config
                .audit
                .targets(&workspace.dir, &workspace.config.name);
            let anchor = engine_audit::anchor(&workspace.store, &targets, now).await?;
            if json {
                print_json(&anchor)?;
            } else {
                println!(
                    "Audit anchor: entry {}, hash {}, at {}.",
                    anchor.seq, anchor.hash, anchor.at
                );
                match &targets.file {
                    Some(file) => println!("Appended to {}.", file.display()),
                    None => println!(
                        "Keep this line outside the database (or set [audit] anchor_file); \
                         `leadgate audit verify --anchors FILE` checks the chain against it."
                    ),
                }
                if let Some(url) = &targets.webhook {
                    println!("Sent to {url}.");
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        None => {}
    }
    let mut conn = workspace.store.conn().await?;
    let entries = match args.lead {
        Some(lead) => {
            let subjects = lead_subjects(&mut conn, lead).await?;
            let mut entries = audit::about(&mut conn, &subjects, args.limit.max(1)).await?;
            if let Some(actor) = &args.actor {
                entries.retain(|e| e.actor.name() == actor);
            }
            entries
        }
        None => {
            audit::list(
                &mut conn,
                &AuditFilter {
                    subject: args.subject.as_deref(),
                    actor: args.actor.as_deref(),
                    action: None,
                    before_seq: None,
                    limit: args.limit.max(1),
                },
            )
            .await?
        }
    };
    if args.json {
        print_json(&entries.iter().map(AuditEntryView::from).collect::<Vec<_>>())?;
        return Ok(ExitCode::SUCCESS);
    }
    let tz = time_zone(workspace);
    let rows: Vec<Vec<String>> = entries
        .iter()
        .rev()
        .map(|e| {
            vec![
                e.seq.to_string(),
                show_time(e.at, &tz),
                e.actor.to_string(),
                e.action.clone(),
                e.subject.clone(),
                e.inputs.clone(),
            ]
        })
        .collect();
    print_table(
        &["SEQ", "AT", "ACTOR", "ACTION", "SUBJECT", "INPUTS"],
        &rows,
    );
    Ok(ExitCode::SUCCESS)
}

/// The subjects of one lead's trail: the lead, each reply it sent, each task it became.
async fn lead_subjects(conn: &mut leadgate_store::Conn, lead: i64) -> anyhow::Result<Vec<String>> {
    use leadgate_core::audit::Subject;
    let mut subjects = vec![Subject::Lead(lead).to_string()];
    for reply in leadgate_store::outreach::replies(conn, None).await? {
        if reply.contact_id == Some(lead) {
            subjects.push(Subject::Reply(reply.id).to_string());
        }
    }
    for task in leadgate_store::handoff::tasks(conn, None, false, None).await? {
        if task.contact_id == lead {
            subjects.push(Subject::Task(task.id).to_string());
        }
    }
    Ok(subjects)
}

/// `audit verify [--anchors FILE]`: the chain, then the anchors.
async fn verify(
    workspace: &Workspace,
    anchors_file: Option<&std::path::Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let mut conn = workspace.store.conn().await?;
    let outcome = audit::verify(&mut conn).await?;
    drop(conn);
    let verified = match outcome {
        Ok(verified) => verified,
        Err(broken) => {
            if json {
                print_json(&json!({ "intact": false, "broken": broken.to_string() }))?;
            } else {
                eprintln!("error: the audit log is broken: {broken}");
            }
            return Ok(ExitCode::from(3));
        }
    };
    let mut anchored = None;
    if let Some(path) = anchors_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the audit anchors {}", path.display()))?;
        let anchors =
            Anchor::parse_file(&text, &path.display().to_string()).map_err(anyhow::Error::msg)?;
        match engine_audit::check(&workspace.store, &anchors).await? {
            Ok(n) => anchored = Some(n),
            Err(broken) => {
                if json {
                    print_json(&json!({
                        "intact": false,
                        "entries": verified.entries,
                        "broken": broken.to_string(),
                    }))?;
                } else {
                    eprintln!(
                        "error: the audit log's hashes link up, but it was rewritten: {broken}"
                    );
                }
                return Ok(ExitCode::from(3));
            }
        }
    }
    if json {
        print_json(&json!({
            "intact": true,
            "entries": verified.entries,
            "head_hash": verified.head_hash,
            "anchors_checked": anchored,
        }))?;
    } else {
        println!(
            "The audit log is intact: {} entries, head {}.",
            verified.entries, verified.head_hash
        );
        if let Some(n) = anchored {
            println!("It reaches every one of the {n} recorded anchors.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
