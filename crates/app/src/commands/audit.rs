//! `leadgate audit`: read and verify the tamper-evident log.

use std::process::ExitCode;

use leadgate_store::audit::{self, AuditFilter};
use serde_json::json;

use super::{print_json, print_table, show_time, time_zone};
use crate::cli::{AuditArgs, AuditCommand};
use crate::views::AuditEntryView;
use crate::workspace::Workspace;

pub async fn run(workspace: &Workspace, args: AuditArgs) -> anyhow::Result<ExitCode> {
    let mut conn = workspace.store.conn().await?;
    if let Some(AuditCommand::Verify { json }) = args.command {
        let outcome = audit::verify(&mut conn).await?;
        return Ok(match outcome {
            Ok(verified) => {
                if json {
                    print_json(
                        &json!({ "intact": true, "entries": verified.entries, "head_hash": verified.head_hash }),
                    )?;
                } else {
                    println!(
                        "The audit log is intact: {} entries, head {}.",
                        verified.entries, verified.head_hash
                    );
                }
                ExitCode::SUCCESS
            }
            Err(broken) => {
                if json {
                    print_json(&json!({ "intact": false, "broken": broken.to_string() }))?;
                } else {
                    eprintln!("error: the audit log is broken: {broken}");
                }
                ExitCode::from(3)
            }
        });
    }
    let entries = audit::list(
        &mut conn,
        &AuditFilter {
            subject: args.subject.as_deref(),
            actor: args.actor.as_deref(),
            action: None,
            before_seq: None,
            limit: args.limit.max(1),
        },
    )
    .await?;
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
