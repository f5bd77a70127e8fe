//! `leadgate send …`, `leadgate outreach preview` and `leadgate sender dns`: stage 4's
//! outbox, one message as it would go, and the DNS records of the sending domains.

use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;
use leadgate_core::outreach::enrollment::OutboxStatus;

use super::{print_json, print_table, show_time, time_zone};
use crate::cli::{OutreachCommand, SendCommand, SenderCommand};
use crate::engine::outreach::send::{self, Release, Sending};
use crate::workspace::Workspace;

/// What sending needs from the workspace.
pub(crate) fn sending(workspace: &Workspace) -> Sending<'_> {
    Sending {
        outreach: &workspace.config.outreach,
        pages: &workspace.config.discovery.pages,
        public_url: &workspace.config.server.public_url,
        outbox_dir: workspace.dir.join("outbox"),
        zone: time_zone(workspace),
    }
}

pub async fn run(
    workspace: &Workspace,
    command: SendCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let store = &workspace.store;
    match command {
        SendCommand::Run { dry_run, json } => {
            let report = send::run(store, &sending(workspace), dry_run, now).await?;
            if json {
                print_json(&report)?;
                return Ok(ExitCode::SUCCESS);
            }
            let verb = if dry_run { "would queue" } else { "queued" };
            println!(
                "{verb} {} e-mails and {} tasks; sent {}; held {}; cancelled {}; failed {}; {} over their mailbox's daily cap; {} leads not due yet; {} waiting for their variant's approval; {} sequences finished.",
                report.queued,
                report.tasks,
                report.sent,
                report.held,
                report.cancelled,
                report.failed,
                report.over_cap,
                report.not_due,
                report.waiting_for_approval,
                report.finished,
            );
            if report.recovered > 0 {
                println!(
                    "{} messages a stopped sender left were found delivered.",
                    report.recovered
                );
            }
            for note in &report.notes {
                println!("  {note}");
            }
            if workspace
                .config
                .outreach
                .mailboxes
                .iter()
                .any(|m| m.smtp.is_none())
                && !dry_run
            {
                println!(
                    "Mailboxes without an [outreach.mailboxes.smtp] relay write each message to {} — nothing leaves the machine.",
                    workspace.dir.join("outbox").display()
                );
            }
        }
        SendCommand::List { status, json } => {
            let status = status
                .map(|s| s.parse::<OutboxStatus>())
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let mut conn = store.conn().await?;
            let rows = leadgate_store::outreach::outbox(&mut conn, status).await?;
            if json {
                print_json(&rows)?;
                return Ok(ExitCode::SUCCESS);
            }
            if rows.is_empty() {
                println!("The outbox is empty.");
                return Ok(ExitCode::SUCCESS);
            }
            let tz = time_zone(workspace);
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.contact_id.to_string(),
                        r.step.to_string(),
                        r.channel.label().to_string(),
                        r.status.label().to_string(),
                        show_time(r.due_at, &tz),
                        r.sent_at.map(|t| show_time(t, &tz)).unwrap_or_default(),
                        r.subject.clone().unwrap_or_default(),
                        r.note.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(
                &[
                    "ID", "LEAD", "STEP", "CHANNEL", "STANDING", "DUE", "SENT", "SUBJECT", "NOTE",
                ],
                &table,
            );
        }
        SendCommand::Release {
            id,
            sent,
            resend: _,
            person,
        } => {
            let how = if sent { Release::Sent } else { Release::Resend };
            let row = send::release(store, id, how, &person, now).await?;
            println!("Message {id} is {} now.", row.status.label());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One domain's check, for `--json`.
#[derive(serde::Serialize)]
struct CheckView {
    domain: String,
    passes: bool,
    error: Option<String>,
    findings: Vec<FindingView>,
}

#[derive(serde::Serialize)]
struct FindingView {
    record: &'static str,
    ok: bool,
    name: String,
    said: String,
}

/// `sender check [--json]`.
async fn check(workspace: &Workspace, json: bool, now: Timestamp) -> anyhow::Result<ExitCode> {
    let outreach = &workspace.config.outreach;
    let mut views: Vec<CheckView> = Vec::new();
    for mailbox in &outreach.mailboxes {
        let Some((_, domain)) = mailbox.address.rsplit_once('@') else {
            anyhow::bail!(
                "[[outreach.mailboxes]] address {:?} is not an e-mail address",
                mailbox.address
            );
        };
        let domain = domain.to_ascii_lowercase();
        if views.iter().any(|v| v.domain == domain) {
            continue;
        }
        let checked = send::check_domain(&workspace.store, outreach, mailbox, &domain, now).await?;
        views.push(match checked {
            Ok(check) => CheckView {
                passes: check.passes(),
                error: None,
                findings: check
                    .findings
                    .into_iter()
                    .map(|f| FindingView {
                        record: f.record,
                        ok: f.ok,
                        name: f.name,
                        said: f.said,
                    })
                    .collect(),
                domain,
            },
            Err(e) => CheckView {
                domain,
                passes: false,
                error: Some(e.to_string()),
                findings: Vec::new(),
            },
        });
    }
    let passes = views.iter().all(|v| v.passes);
    if json {
        print_json(&views)?;
    } else if views.is_empty() {
        println!(
            "No sending domain: add [[outreach.mailboxes]] address = \"you@your-domain\" to leadgate.toml."
        );
    } else {
        for v in &views {
            let verdict = if v.passes {
                "ready to send"
            } else {
                "not ready: nothing goes through a relay from it"
            };
            println!("{}: {verdict}", v.domain);
            if let Some(error) = &v.error {
                println!("  {error}");
            }
            for f in &v.findings {
                let mark = if f.ok { "ok  " } else { "FAIL" };
                println!("  {mark} {} ({}): {}", f.record, f.name, f.said);
            }
        }
    }
    Ok(if passes {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `outreach preview LEAD --step N --format eml|text`.
pub async fn preview(
    workspace: &Workspace,
    command: OutreachCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let OutreachCommand::Preview { lead, step, format } = command;
    let message = send::preview(&workspace.store, &sending(workspace), lead, step, now).await?;
    let mut out = std::io::stdout().lock();
    match format.as_str() {
        "eml" => out.write_all(&message.eml)?,
        "text" => out.write_all(message.text.as_bytes())?,
        other => anyhow::bail!("--format {other}: use eml or text"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `sender dns [--json]` and `sender check [--json]`.
pub async fn dns(
    workspace: &Workspace,
    command: SenderCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let json = match command {
        SenderCommand::Dns { json } => json,
        SenderCommand::Check { json } => return check(workspace, json, now).await,
    };
    let records = send::dns_records(&workspace.store, &workspace.config.outreach, now).await?;
    if json {
        print_json(&records)?;
        return Ok(ExitCode::SUCCESS);
    }
    if records.is_empty() {
        println!(
            "No sending domain: add [[outreach.mailboxes]] address = \"you@your-domain\" to leadgate.toml."
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("Publish these records in each sending domain's DNS (TXT records):");
    for r in &records {
        println!("\n{} {}\n  {}\n  ({})", r.name, r.kind, r.value, r.why);
    }
    Ok(ExitCode::SUCCESS)
}
