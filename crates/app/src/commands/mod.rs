//! The CLI's commands: each parses what a person typed, calls the engine, and prints a table
//! for people or JSON (`--json`) for scripts.

mod audit;
pub mod dedupe;
pub mod demo;
mod discovery;
mod engagement;
mod enrichment;
mod gate;
mod handoff;
mod icp;
mod leads;
mod model;
mod outreach;
mod replies;
mod rescore_bench;
mod send;
mod token;
mod user;

use std::path::Path;
use std::process::ExitCode;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::cli::{Cli, Command};
use crate::clock;
use crate::engine::worker;
use crate::server::Application;
use crate::workspace::Workspace;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let now = clock::now()?;
    match cli.command {
        Command::Init {
            dir,
            name,
            database_url,
        } => {
            let dir = dir.unwrap_or(cli.workspace);
            let workspace = Workspace::init(&dir, &name, database_url.as_deref(), now).await?;
            println!(
                "Created the workspace `{name}` in {} ({} database).",
                dir.display(),
                workspace.store.backend().name()
            );
            println!("Next: add people with `leadgate user add NAME --email EMAIL --role ROLE`.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => demo::run(&args, now).await,
        Command::Model(command) => model::run(&cli.workspace, command, now).await,
        Command::Sequence(command) => outreach::run(&cli.workspace, command, now).await,
        Command::Send(command) => send::run(&open(&cli.workspace, now).await?, command, now).await,
        Command::Outreach(command) => {
            send::preview(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Sender(command) => {
            send::dns(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Replies(command) => {
            replies::run(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Sla(crate::cli::SlaCommand::Report { json }) => {
            handoff::sla_report(&open(&cli.workspace, now).await?, json, now).await
        }
        Command::Sla(command) => handoff::sla(&cli.workspace, command, now),
        Command::Webhooks(command) => {
            handoff::webhooks(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Tasks(command) => {
            handoff::tasks(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Route(command) => {
            handoff::route(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Status { json } => status(&open(&cli.workspace, now).await?, json, now).await,
        Command::User(command) => user::run(&open(&cli.workspace, now).await?, command, now).await,
        Command::Icp(command) => icp::run(&open(&cli.workspace, now).await?, command, now).await,
        Command::Gate(command) => gate::run(&open(&cli.workspace, now).await?, command, now).await,
        Command::Audit(args) => audit::run(&open(&cli.workspace, now).await?, args, now).await,
        Command::Import(args) => {
            discovery::import(&open(&cli.workspace, now).await?, args, now).await
        }
        Command::Discover(command) => {
            discovery::discover(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Merge(command) => {
            discovery::merge(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Review(command) => {
            discovery::review(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Suppress(command) => {
            discovery::suppress(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Events(command) => {
            engagement::run(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Leads(command) => {
            leads::run(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Enrich(command) => {
            enrichment::run(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Customers(command) => {
            discovery::customers(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Erase {
            email,
            linkedin,
            source_id,
            record,
            reason,
            person,
            dry_run,
            json,
        } => {
            let workspace = open(&cli.workspace, now).await?;
            let request = crate::engine::discovery::erase::Request {
                email,
                linkedin,
                source_ids: source_id,
                records: record,
            };
            discovery::erase(&workspace, &request, &reason, &person, dry_run, json, now).await
        }
        Command::Token(command) => {
            token::run(&open(&cli.workspace, now).await?, command, now).await
        }
        Command::Serve { bind } => {
            let workspace = open(&cli.workspace, now).await?;
            let bind = bind.unwrap_or_else(|| workspace.config.server.bind.clone());
            serve(workspace, &bind).await
        }
        Command::Worker { once } => run_worker(&open(&cli.workspace, now).await?, once, now).await,
        Command::Dedupe(args) => dedupe::run(&args),
    }
}

async fn open(dir: &Path, now: Timestamp) -> anyhow::Result<Workspace> {
    Workspace::open(dir, now).await
}

async fn run_worker(workspace: &Workspace, once: bool, now: Timestamp) -> anyhow::Result<ExitCode> {
    let id = format!("worker-{}", std::process::id());
    let worker = workspace.worker(id);
    if once {
        let done = worker.drain(&workspace.store, now).await?;
        println!("Ran {done} due job(s).");
        // What the jobs led to, and who goes next.
        let mut conn = workspace.store.conn().await?;
        print_segments(&mut conn).await?;
        print_waiting(&mut conn, &time_zone(workspace)).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    eprintln!("Worker running; Ctrl-C stops it after the job in hand.");
    let poll = std::time::Duration::from_millis(workspace.config.worker.poll_interval_ms);
    // A worker of its own process is woken by nothing but its poll: the server's requests
    // ring their own worker.
    let never = std::sync::Arc::new(tokio::sync::Notify::new());
    let loops = workspace.config.worker.concurrency as usize;
    worker::run_loops(
        &worker,
        loops,
        &workspace.store,
        poll,
        clock::now,
        never,
        stop,
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the server (API and job worker) until Ctrl-C or SIGTERM.
pub async fn serve(workspace: Workspace, bind: &str) -> anyhow::Result<ExitCode> {
    let name = workspace.config.name.clone();
    let app = Application::build(workspace, bind, clock::system()?).await?;
    eprintln!(
        "Serving `{name}` at {} (API described at {}/api/openapi.json); Ctrl-C stops it.",
        app.url(),
        app.url()
    );
    app.run_until(shutdown_signal()).await?;
    eprintln!("Stopped.");
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

async fn status(workspace: &Workspace, json: bool, now: Timestamp) -> anyhow::Result<ExitCode> {
    if json {
        print_json(&crate::views::StatusView::read(workspace, now).await?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut conn = workspace.store.conn().await?;
    let tz = time_zone(workspace);
    println!(
        "Workspace `{}` ({} database)",
        workspace.config.name,
        workspace.store.backend().name()
    );
    print_segments(&mut conn).await?;
    print_waiting(&mut conn, &tz).await?;
    print_open_tasks(&mut conn, &tz).await?;
    let queue = leadgate_store::jobs::depth(&mut conn, now).await?;
    let queued: Vec<String> = queue.iter().map(|(s, n)| format!("{n} {s}")).collect();
    println!(
        "Jobs: {}",
        if queued.is_empty() {
            "none".to_string()
        } else {
            queued.join(", ")
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// The open gates, each with what it needs and the command that decides it.
async fn print_waiting(conn: &mut leadgate_store::Conn, tz: &TimeZone) -> anyhow::Result<()> {
    let open = leadgate_store::gates::list(
        conn,
        &leadgate_store::gates::GateFilter {
            status: Some(leadgate_core::gate::GateStatus::Open),
            ..Default::default()
        },
    )
    .await?;
    if open.is_empty() {
        println!("No gate is waiting.");
        return Ok(());
    }
    println!("Waiting at {} gate(s):", open.len());
    for gate in &open {
        let pending = gate.state().pending_roles();
        println!(
            "  gate {} — {}: {} (opened {}; needs {})",
            gate.id,
            gate.kind.title(),
            gate.summary,
            show_time(gate.opened_at, tz),
            roles_text(&pending)
        );
        let who = crate::engine::gates::deciders(conn, gate).await?;
        println!("    next: {}", next_command(gate, &who));
    }
    Ok(())
}

/// The handoff tasks waiting for their rep's acknowledgement (stage 5's gate), soonest due
/// first, each with the command that acknowledges it.
async fn print_open_tasks(conn: &mut leadgate_store::Conn, tz: &TimeZone) -> anyhow::Result<()> {
    let open = leadgate_store::handoff::tasks(
        conn,
        None,
        false,
        Some(leadgate_core::handoff::task::TaskStatus::Open),
    )
    .await?;
    if open.is_empty() {
        return Ok(());
    }
    println!(
        "Waiting for a rep's acknowledgement: {} task(s):",
        open.len()
    );
    for task in &open {
        let rep = task.rep.as_deref();
        println!(
            "  task {} — lead {} ({}), {}; due {}",
            task.id,
            task.contact_id,
            task.record["name"].as_str().unwrap_or_default(),
            rep.map_or("in the queue".to_string(), |r| format!("for {r}")),
            show_time(task.due_at, tz),
        );
        println!(
            "    next: leadgate tasks ack {} --as {}",
            task.id,
            rep.unwrap_or("REP")
        );
    }
    Ok(())
}

/// Per segment: its live ICP version and where its newest prospect list stands.
async fn print_segments(conn: &mut leadgate_store::Conn) -> anyhow::Result<()> {
    let icps = leadgate_store::icp::list(conn).await?;
    let lists = leadgate_store::discovery::lists(conn).await?;
    let mut segments: Vec<&str> = icps.iter().map(|v| v.segment.as_str()).collect();
    segments.sort();
    segments.dedup();
    if segments.is_empty() {
        println!("No ICP yet: propose one with `leadgate icp propose FILE --as NAME`.");
    }
    for segment in segments {
        let live = icps
            .iter()
            .find(|v| v.segment == segment && v.status == leadgate_store::icp::IcpStatus::Live);
        let icp = live.map_or("no live ICP version".to_string(), |v| {
            format!("ICP v{} live", v.version)
        });
        // Lists come newest first: the segment's current one is the first not superseded.
        let list = lists
            .iter()
            .find(|l| {
                l.segment == segment
                    && l.status != leadgate_core::discovery::prospect::ListStatus::Superseded
            })
            .map(crate::views::ListView::from);
        let list = list.map_or("no prospect list yet".to_string(), |l| {
            format!(
                "list {} {}: {} admitted, {} need data, {} dropped",
                l.id,
                l.status.label(),
                l.admitted,
                l.needs_data,
                l.dropped
            )
        });
        println!("Segment {segment}: {icp}; {list}.");
    }
    Ok(())
}

/// The command that decides `gate`, for the people who may: what to type next.
fn next_command(gate: &leadgate_store::gates::Gate, who: &[String]) -> String {
    use leadgate_core::gate::GateKind;
    let Some(first) = who.first() else {
        let roles = roles_text(&gate.state().pending_roles());
        return format!("nobody here may decide it yet: add a person with the role {roles}");
    };
    let command = match gate.kind {
        GateKind::SampleReview => format!("leadgate review sample {} --as {first}", gate.id),
        GateKind::IcpApproval
        | GateKind::IcpReview
        | GateKind::ModelCalibration
        | GateKind::ModelReview
        | GateKind::VariantApproval => {
            format!("leadgate gate approve {} --as {first}", gate.id)
        }
    };
    match who {
        [_] => command,
        _ => format!("{command}   (may decide: {})", who.join(", ")),
    }
}

pub(crate) fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub(crate) fn time_zone(workspace: &Workspace) -> TimeZone {
    TimeZone::get(&workspace.config.time_zone).unwrap_or(TimeZone::UTC)
}

/// A time as people read it, in the workspace's time zone: `2026-11-27 09:15 CET`.
pub(crate) fn show_time(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

pub(crate) fn roles_text(roles: &[leadgate_core::role::Role]) -> String {
    if roles.is_empty() {
        return "nothing more".to_string();
    }
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Prints rows as a plain aligned table.
pub(crate) fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<width$}", width = widths[i]))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}
