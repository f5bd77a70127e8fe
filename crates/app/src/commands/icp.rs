//! `leadgate icp …`: stage 1, the Ideal Customer Profile.

use std::process::ExitCode;

use anyhow::Context;
use jiff::Timestamp;
use leadgate_core::icp;
use serde_json::json;

use super::{print_json, print_table, show_time, time_zone};
use crate::cli::IcpCommand;
use crate::engine::icp as engine_icp;
use crate::views::IcpVersionView;
use crate::workspace::Workspace;

pub async fn run(
    workspace: &Workspace,
    command: IcpCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let store = &workspace.store;
    let tz = time_zone(workspace);
    match command {
        IcpCommand::Propose { file, person } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let origin = file.display().to_string();
            let proposed = engine_icp::propose(store, &person, &text, &origin, now).await?;
            let v = &proposed.version;
            println!(
                "Proposed {} v{} (ICP version {}).",
                v.segment, v.version, v.id
            );
            if proposed.new_segment {
                println!(
                    "This is the first ICP of the segment `{}`: a new market segment.",
                    v.segment
                );
            }
            if let Some((live, diff)) = &proposed.against_live {
                println!("Changes against the live version v{}:", live.version);
                print!("{diff}");
            }
            println!(
                "Gate {} is open: it needs a sales_lead and a marketing_lead approval, from two different people.",
                proposed.gate.id
            );
            println!("  leadgate gate approve {} --as NAME", proposed.gate.id);
        }
        IcpCommand::List { json } => {
            let mut conn = store.conn().await?;
            let all = leadgate_store::icp::list(&mut conn).await?;
            if json {
                print_json(&all.iter().map(IcpVersionView::from).collect::<Vec<_>>())?;
            } else if all.is_empty() {
                println!("No ICP yet: propose one with `leadgate icp propose FILE --as NAME`.");
            } else {
                let rows: Vec<Vec<String>> = all
                    .iter()
                    .map(|v| {
                        vec![
                            v.id.to_string(),
                            v.segment.clone(),
                            format!("v{}", v.version),
                            v.status.to_string(),
                            v.proposed_by.clone(),
                            show_time(v.proposed_at, &tz),
                            v.live_at
                                .map(|t| show_time(t, &tz))
                                .unwrap_or_else(|| "-".into()),
                        ]
                    })
                    .collect();
                print_table(
                    &[
                        "ID",
                        "SEGMENT",
                        "VERSION",
                        "STATUS",
                        "PROPOSED BY",
                        "PROPOSED",
                        "LIVE SINCE",
                    ],
                    &rows,
                );
            }
        }
        IcpCommand::Show {
            version,
            json,
            toml,
        } => {
            let mut conn = store.conn().await?;
            let found = engine_icp::resolve(&mut conn, version.as_deref()).await?;
            if toml {
                print!("{}", found.source_text);
            } else if json {
                print_json(&IcpVersionView::from(&found))?;
            } else {
                println!(
                    "{} v{} (ICP version {}) — {}",
                    found.segment, found.version, found.id, found.status
                );
                println!(
                    "Proposed by {} at {}",
                    found.proposed_by,
                    show_time(found.proposed_at, &tz)
                );
                if let Some(live) = found.live_at {
                    println!("Live since {}", show_time(live, &tz));
                }
                if let Some(closed) = found.closed_at {
                    println!("Closed at {}", show_time(closed, &tz));
                }
                println!();
                print!("{}", found.source_text);
            }
        }
        IcpCommand::Diff { a, b, json } => {
            let mut conn = store.conn().await?;
            let old = engine_icp::resolve(&mut conn, Some(&a)).await?;
            let new = engine_icp::resolve(&mut conn, Some(&b)).await?;
            let diff = icp::diff(&engine_icp::document(&old)?, &engine_icp::document(&new)?);
            if json {
                print_json(&json!({ "from": old.id, "to": new.id, "diff": diff }))?;
            } else if diff.is_empty() {
                println!(
                    "{} v{} and {} v{} are the same.",
                    old.segment, old.version, new.segment, new.version
                );
            } else {
                println!(
                    "From {} v{} to {} v{}:",
                    old.segment, old.version, new.segment, new.version
                );
                print!("{diff}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
