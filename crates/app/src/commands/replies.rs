//! `leadgate replies import|poll|list`: replies to outreach read from files or from the
//! sending mailboxes over IMAP, and what they did.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use jiff::Timestamp;
use leadgate_core::outreach::reply::ReplyKind;

use super::{print_json, print_table, show_time, time_zone};
use crate::cli::RepliesCommand;
use crate::engine::outreach::{inbox, replies};
use crate::workspace::Workspace;

pub async fn run(
    workspace: &Workspace,
    command: RepliesCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    match command {
        RepliesCommand::Import { paths, json } => import(workspace, &paths, json, now).await,
        RepliesCommand::Poll { json } => poll(workspace, json, now).await,
        RepliesCommand::List { kind, json } => {
            let kind = kind
                .map(|k| k.parse::<ReplyKind>())
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let mut conn = workspace.store.conn().await?;
            let list = leadgate_store::outreach::replies(&mut conn, kind).await?;
            if json {
                print_json(&list)?;
                return Ok(ExitCode::SUCCESS);
            }
            if list.is_empty() {
                println!(
                    "No reply read yet: `leadgate replies import FILE|DIR`, or POST /api/replies."
                );
                return Ok(ExitCode::SUCCESS);
            }
            let tz = time_zone(workspace);
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        show_time(r.received_at, &tz),
                        r.kind.label().to_string(),
                        r.contact_id.map(|c| c.to_string()).unwrap_or_default(),
                        r.from_address.clone().unwrap_or_default(),
                        r.effects.join("; "),
                    ]
                })
                .collect();
            print_table(
                &["ID", "RECEIVED", "KIND", "LEAD", "FROM", "EFFECTS"],
                &rows,
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The message files under `path`: the file itself, or the files of a directory and of its
/// `new/` and `cur/` (a maildir), sorted by name.
fn message_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for dir in [path.to_path_buf(), path.join("new"), path.join("cur")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

async fn import(
    workspace: &Workspace,
    paths: &[PathBuf],
    json: bool,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let mut results = Vec::new();
    let mut failed = 0;
    for path in paths {
        let files = match message_files(path) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                failed += 1;
                continue;
            }
        };
        for file in files {
            let raw = match std::fs::read(&file) {
                Ok(raw) => raw,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", file.display());
                    failed += 1;
                    continue;
                }
            };
            match replies::receive(&workspace.store, &raw, "file", now).await {
                Ok(received) => {
                    if !json {
                        let r = &received.reply;
                        println!(
                            "{}: {}{} — {}{}",
                            file.display(),
                            r.kind.label(),
                            r.contact_id
                                .map(|c| format!(" from lead {c}"))
                                .unwrap_or_default(),
                            r.evidence,
                            if received.seen_before {
                                " (read before: nothing done again)".to_string()
                            } else if r.effects.is_empty() {
                                String::new()
                            } else {
                                format!("; {}", r.effects.join("; "))
                            }
                        );
                    }
                    results.push(received);
                }
                Err(crate::engine::Error::Invalid(why)) => {
                    eprintln!("error: {}: {why}", file.display());
                    failed += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    if json {
        print_json(&results)?;
    } else {
        println!("{} replies read, {failed} files not.", results.len());
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn poll(workspace: &Workspace, json: bool, now: Timestamp) -> anyhow::Result<ExitCode> {
    let outreach = &workspace.config.outreach;
    if outreach.mailboxes.iter().all(|m| m.imap.is_none()) {
        eprintln!(
            "error: no mailbox to read: add an [outreach.mailboxes.imap] section (host, \
             password_env) under a mailbox in leadgate.toml"
        );
        return Ok(ExitCode::from(2));
    }
    let secret = |name: &str| std::env::var(name).ok();
    let report = inbox::poll(&workspace.store, outreach, &secret, now).await?;
    if json {
        print_json(&report)?;
    } else {
        for polled in &report {
            if let Some(error) = &polled.error {
                println!("{}: not read — {error}", polled.mailbox);
                continue;
            }
            let fresh = polled.replies.iter().filter(|r| !r.seen_before).count();
            println!(
                "{}: {} new message(s); {fresh} reply(ies) kept, {} read before, {} not an \
                 answer to our e-mails (left alone), {} not an e-mail{}",
                polled.mailbox,
                polled.read,
                polled.replies.len() - fresh,
                polled.not_ours,
                polled.unreadable.len(),
                if polled.more {
                    "; more wait for the next poll"
                } else {
                    ""
                }
            );
            for received in polled.replies.iter().filter(|r| !r.seen_before) {
                let r = &received.reply;
                println!(
                    "  {}{} — {}{}",
                    r.kind.label(),
                    r.contact_id
                        .map(|c| format!(" from lead {c}"))
                        .unwrap_or_default(),
                    r.evidence,
                    if r.effects.is_empty() {
                        String::new()
                    } else {
                        format!("; {}", r.effects.join("; "))
                    }
                );
            }
            for why in &polled.unreadable {
                println!("  not an e-mail: {why}");
            }
        }
    }
    Ok(if report.iter().any(|p| p.error.is_some()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
