//! Stage 2 on the command line: `import`, `discover`, `merge`, `review sample` and
//! `suppress`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, bail};
use jiff::Timestamp;
use leadgate_connectors::import::{Columns, ImportOptions, Mapping, Preset, parse_delimiter};
use leadgate_core::audit::Actor;
use leadgate_core::discovery::compliance::SuppressionKind;
use leadgate_core::discovery::export::ExportFormat;
use leadgate_core::discovery::prospect::Standing;
use leadgate_core::discovery::sample::ReviewVerdict;
use leadgate_store::discovery as stored;
use serde_json::Value;

use super::{print_json, print_table, show_time, time_zone};
use crate::cli::{
    CustomersCommand, DiscoverCommand, ImportArgs, MergeCommand, ReviewCommand, SearchArgs,
    SuppressCommand,
};
use crate::engine::discovery::{
    self, import::Progress, review::ItemDecision, suppress::Suppressed,
};
use crate::engine::person;
use crate::views::{ListView, ProspectLine};
use crate::workspace::Workspace;

pub async fn import(
    workspace: &Workspace,
    args: ImportArgs,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let columns = match (&args.format, &args.mapping) {
        (Some(f), _) => Columns::Preset(f.parse::<Preset>()?),
        (None, Some(m)) => Columns::Mapping(Mapping::load(m)?),
        (None, None) => Columns::Auto,
    };
    let format = match (&args.format, &args.mapping) {
        (Some(f), _) => f.clone(),
        (None, Some(m)) => format!("mapping:{}", m.display()),
        (None, None) => "auto".to_string(),
    };
    let observed_at = args
        .observed_at
        .as_deref()
        .map(|text| parse_day_or_time(text, workspace))
        .transpose()?;
    let delimiter = match args.delimiter.as_deref() {
        Some(d) => Some(
            parse_delimiter(d).with_context(|| format!("--delimiter {d:?}: use , ; tab or |"))?,
        ),
        None => None,
    };
    let actor = match &args.person {
        Some(name) => {
            let mut conn = workspace.store.conn().await?;
            person(&mut conn, name).await?;
            Actor::Person(name.clone())
        }
        None => Actor::System,
    };
    let request = discovery::import::ImportRequest {
        path: args.file.clone(),
        source: args.source.clone(),
        options: ImportOptions {
            columns,
            delimiter,
            observed_at,
            ..Default::default()
        },
        format,
        actor,
        reports_dir: workspace.dir.join("imports"),
    };
    let progress = Arc::new(Progress::default());
    let bar = (!args.json && std::io::stderr().is_terminal()).then(|| {
        let progress = progress.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                draw_progress(&progress);
            }
        })
    });
    let report =
        discovery::import::import_file(&workspace.store, &request, Some(progress.clone()), now)
            .await;
    if let Some(bar) = bar {
        bar.abort();
        eprint!("\r\x1b[K");
    }
    let report = match report {
        Ok(report) => report,
        // A file that cannot be imported as it is — not text, no column that names a
        // person, no rows, a row that does not parse — is the caller's to fix, and says so
        // with the exit code that bad input has.
        Err(e @ crate::engine::Error::Invalid(_)) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    if args.json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Imported {} as import {} from source `{}` ({}, {}{}).",
        report.file,
        report.import_id,
        report.source,
        report.format,
        report.encoding,
        report
            .delimiter
            .as_deref()
            .map(|d| format!(", delimiter {d}"))
            .unwrap_or_default()
    );
    println!(
        "Rows read {}: stored {} (new contacts), merged {} (same e-mail, profile or source id as a known contact), rejected {}.",
        report.rows_read, report.stored, report.merged, report.rejected
    );
    if let Some(earlier) = report.same_file_as_import {
        println!(
            "These are the same bytes as import {earlier}: its rows were merged into the contacts they made."
        );
    }
    for notice in &report.notices {
        println!("Notice: {notice}");
    }
    if report.warnings > 0 {
        println!(
            "{} value(s) did not normalise and were kept as the file had them (see the report).",
            report.warnings
        );
    }
    if !report.rejections.is_empty() {
        println!("Rejected rows, by reason:");
        for r in &report.rejections {
            let rows: Vec<String> = r.first_rows.iter().map(u64::to_string).collect();
            let more = if r.rows > r.first_rows.len() as u64 {
                ", …"
            } else {
                ""
            };
            let (count, label) = match r.rows {
                1 => ("1 row".to_string(), "row"),
                n => (format!("{n} rows"), "rows"),
            };
            println!(
                "  {count}: {} ({label} {}{more})",
                r.reason,
                rows.join(", ")
            );
        }
    }
    if let Some(file) = &report.reject_file {
        println!("The rejected rows are in {file}: fix them there and import that file again.");
    }
    println!("Report: {}", report.report_file);
    Ok(ExitCode::SUCCESS)
}

fn draw_progress(p: &Progress) {
    let total = p.bytes_total.load(Ordering::Relaxed).max(1);
    let read = p.bytes_read.load(Ordering::Relaxed).min(total);
    let rows = p.rows.load(Ordering::Relaxed);
    let width = 30;
    let filled = (read as f64 / total as f64 * width as f64) as usize;
    eprint!(
        "\r[{}{}] {:>3}%  {} rows",
        "#".repeat(filled),
        " ".repeat(width - filled),
        read * 100 / total,
        rows
    );
    let _ = std::io::stderr().flush();
}

fn parse_day_or_time(text: &str, workspace: &Workspace) -> anyhow::Result<Timestamp> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let date: jiff::civil::Date = text.parse().with_context(|| {
        format!("--observed-at {text:?}: use a date (2026-11-30) or an RFC 3339 time")
    })?;
    Ok(date.to_zoned(time_zone(workspace))?.timestamp())
}

pub async fn discover(
    workspace: &Workspace,
    command: DiscoverCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    match command {
        DiscoverCommand::Run {
            segment,
            dry_run,
            json,
        } => discover_run(workspace, segment, dry_run, json, now).await,
        DiscoverCommand::Search(args) => discover_search(workspace, args, now).await,
        DiscoverCommand::RefreshQueue { json } => discover_refresh_queue(workspace, json).await,
        DiscoverCommand::Lists { json } => discover_lists(workspace, json).await,
        DiscoverCommand::Show {
            list,
            status,
            limit,
            json,
        } => discover_show(workspace, list, status, limit, json).await,
        DiscoverCommand::Contact { id, json } => discover_contact(workspace, id, json, now).await,
        DiscoverCommand::Imports { json } => discover_imports(workspace, json).await,
        DiscoverCommand::Export {
            list,
            format,
            out,
            person: by,
            json,
        } => discover_export(workspace, list, &format, &out, &by, json, now).await,
    }
}

/// `leadgate discover export`: an approved list's admitted prospects, written to a file.
async fn discover_export(
    workspace: &Workspace,
    list: i64,
    format: &str,
    out: &Path,
    by: &str,
    json: bool,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let format: ExportFormat = format.parse().map_err(anyhow::Error::msg)?;
    let exported =
        discovery::export::export_file(&workspace.store, list, format, by, out, now).await?;
    if json {
        print_json(&exported)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Exported list {list} as {} ({}): {} admitted prospect(s) to {}.",
        format.label(),
        format.as_str(),
        exported.rows,
        out.display()
    );
    if exported.incomplete > 0 {
        println!(
            "{} row(s) lack {}, which the importer needs: it will refuse them.",
            exported.incomplete,
            exported.missing.join(" or ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `leadgate discover run`: resolve, evaluate and build the lists (or show what would change).
async fn discover_run(
    workspace: &Workspace,
    segment: Option<String>,
    dry_run: bool,
    json: bool,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let setup = discovery::resolve_config(&workspace.config.discovery, &workspace.dir)?;
    let outcome = discovery::run::run(
        &workspace.store,
        &workspace.config.discovery,
        &setup,
        segment.as_deref(),
        dry_run,
        now,
    )
    .await?;
    if json {
        print_json(&outcome)?;
        return Ok(ExitCode::SUCCESS);
    }
    let verb = if dry_run { "would merge" } else { "merged" };
    println!(
        "{} records: {} contacts before, {} after; entity resolution {verb} {} pair(s) of contacts{}.",
        outcome.records,
        outcome.contacts_before,
        outcome.contacts_after,
        outcome.merges.len(),
        if outcome.refused_by_undo > 0 {
            format!(
                " ({} link(s) refused: a person undid those merges before)",
                outcome.refused_by_undo
            )
        } else {
            String::new()
        }
    );
    if dry_run {
        for m in outcome.merges.iter().take(20) {
            println!(
                "  contact {} ← contact {} (p = {:.3}): {}",
                m.into_contact,
                m.from_contact,
                m.probability,
                evidence_line(&m.explanation)
            );
        }
        if outcome.merges.len() > 20 {
            println!(
                "  … and {} more (--json lists all).",
                outcome.merges.len() - 20
            );
        }
    }
    for warning in &outcome.training_warnings {
        println!("Warning: {warning}.");
    }
    if !outcome.questioned.is_empty() {
        println!(
            "{} earlier merge(s) the model would no longer make{}: see `leadgate merge review`.",
            outcome.questioned.len(),
            if dry_run {
                ""
            } else {
                " are listed for review"
            }
        );
    }
    if outcome.lists.is_empty() {
        println!("No live ICP: no prospect list was built (approve an ICP first).");
    }
    for l in &outcome.lists {
        println!(
            "{} v{}: {} admitted, {} waiting for data, {} dropped{}.",
            l.segment,
            l.icp_version,
            l.admitted,
            l.needs_data,
            l.dropped,
            if l.dropped_by_reason.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    l.dropped_by_reason
                        .iter()
                        .map(|(k, n)| format!("{n} {k}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
        if l.newly_admitted > 0 || !l.newly_dropped.is_empty() {
            println!(
                "  Against the previous list: {} newly admitted, {} newly dropped.",
                l.newly_admitted,
                l.newly_dropped.len()
            );
            for (contact, reasons) in l.newly_dropped.iter().take(10) {
                println!("    contact {contact}: {}", reasons.join("; "));
            }
        }
        match (l.list_id, l.gate_id) {
            (Some(list), Some(gate)) => println!(
                "  List {list} is waiting at gate {gate}, a sample review of {} records: `leadgate review sample {gate} --as NAME`.",
                l.sample.len()
            ),
            _ => println!("  (dry run: nothing was stored)"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `leadgate discover search`: search a source for the live ICP and import what it finds.
async fn discover_search(
    workspace: &Workspace,
    args: SearchArgs,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let SearchArgs {
        source: _,
        segment,
        max_pages,
        max_credits,
        per_page,
        compile_only,
        person: by,
        json,
    } = args;
    let actor = match &by {
        Some(name) => {
            let mut conn = workspace.store.conn().await?;
            person(&mut conn, name).await?;
            Actor::Person(name.clone())
        }
        None => Actor::System,
    };
    let config = workspace.config.discovery.apollo.clone();
    if compile_only {
        let document = discovery::live_document(&workspace.store, segment.as_deref()).await?;
        let query = leadgate_connectors::search::apollo::compile(&document, &config)?;
        if json {
            print_json(&query)?;
        } else {
            println!("{query}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let clock = crate::clock::system()?;
    let apollo = leadgate_connectors::search::apollo::ApolloSearch::from_env(
        config,
        Arc::new(move || clock()),
        Arc::new(leadgate_connectors::search::TokioSleeper),
    )?;
    let budget = leadgate_connectors::search::Budget {
        per_page,
        max_pages,
        max_credits,
        ..Default::default()
    };
    let searched = discovery::search(
        &workspace.store,
        &apollo,
        segment.as_deref(),
        &budget,
        actor,
        &workspace.dir.join("imports"),
        now,
    )
    .await?;
    if json {
        print_json(&searched)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", searched.query);
    let report = &searched.report;
    println!(
        "{} request(s), {} page(s), {} people ({} found twice), {} credit(s) used; stopped: {:?}.",
        report.requests,
        report.pages,
        report.people_received,
        report.duplicates,
        report.credits_used,
        report.stop
    );
    if let Some(error) = &searched.error {
        println!("The search stopped early: {error}");
    }
    let i = &searched.import;
    println!(
        "Imported as import {}: rows read {}, stored {}, merged {}, rejected {}.",
        i.import_id, i.rows_read, i.stored, i.merged, i.rejected
    );
    Ok(ExitCode::SUCCESS)
}

/// `leadgate discover refresh-queue`: the contacts waiting for fresh data.
async fn discover_refresh_queue(workspace: &Workspace, json: bool) -> anyhow::Result<ExitCode> {
    let tz = time_zone(workspace);
    let mut conn = workspace.store.conn().await?;
    let queue = stored::refresh_queue(&mut conn).await?;
    if json {
        print_json(&queue)?;
        return Ok(ExitCode::SUCCESS);
    }
    if queue.is_empty() {
        println!("No contact waits for fresh data.");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = queue
        .iter()
        .map(|r| {
            vec![
                r.contact_id.to_string(),
                r.reason.replace('_', " "),
                r.detail.clone(),
                show_time(r.queued_at, &tz),
            ]
        })
        .collect();
    print_table(&["CONTACT", "WHY", "DETAIL", "QUEUED"], &rows);
    println!(
        "{} contact(s) queued. `leadgate enrich run` enriches them first.",
        queue
            .iter()
            .map(|r| r.contact_id)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `leadgate discover lists`: the prospect lists, newest first.
async fn discover_lists(workspace: &Workspace, json: bool) -> anyhow::Result<ExitCode> {
    let tz = time_zone(workspace);
    let mut conn = workspace.store.conn().await?;
    let lists = stored::lists(&mut conn).await?;
    if json {
        print_json(&lists)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = lists
        .iter()
        .map(|l| {
            let l = ListView::from(l);
            vec![
                l.id.to_string(),
                l.segment.clone(),
                l.icp_version_id.to_string(),
                l.status.label().to_string(),
                l.admitted.to_string(),
                l.needs_data.to_string(),
                l.dropped.to_string(),
                l.stale.to_string(),
                l.gate_id.map_or(String::new(), |g| g.to_string()),
                show_time(l.created_at, &tz),
            ]
        })
        .collect();
    print_table(
        &[
            "LIST",
            "SEGMENT",
            "ICP",
            "STATUS",
            "ADMITTED",
            "NEEDS DATA",
            "DROPPED",
            "STALE",
            "GATE",
            "BUILT",
        ],
        &rows,
    );
    Ok(ExitCode::SUCCESS)
}

/// `leadgate discover show`: one list, its counts, its change and its prospects.
async fn discover_show(
    workspace: &Workspace,
    list: i64,
    status: Option<String>,
    limit: usize,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let mut conn = workspace.store.conn().await?;
    let found = stored::get_list(&mut conn, list)
        .await?
        .with_context(|| format!("no list {list} (see `leadgate discover lists`)"))?;
    let status = status
        .as_deref()
        .map(str::parse::<Standing>)
        .transpose()
        .map_err(|e| anyhow::anyhow!(e))?;
    if json {
        let prospects = stored::prospects(&mut conn, list, status).await?;
        print_json(&serde_json::json!({ "list": found, "prospects": prospects }))?;
        return Ok(ExitCode::SUCCESS);
    }
    // The first page only: a list may hold a hundred thousand prospects.
    let page = i64::try_from(limit).unwrap_or(i64::MAX);
    let prospects = stored::prospects_page(&mut conn, list, status, 0, page).await?;
    let counts = ListView::from(&found);
    println!(
        "List {} of {} (ICP version {}), {}: {} admitted, {} waiting for data, {} dropped.",
        found.id,
        found.segment,
        found.icp_version_id,
        found.status,
        counts.admitted,
        counts.needs_data,
        counts.dropped
    );
    let rows: Vec<Vec<String>> = prospects
        .iter()
        .map(|p| {
            let line = ProspectLine::from(p);
            vec![
                line.contact_id.to_string(),
                line.status,
                line.name,
                line.title,
                line.company,
                line.source,
                line.reasons,
            ]
        })
        .collect();
    print_table(
        &[
            "CONTACT",
            "STATUS",
            "NAME",
            "TITLE",
            "COMPANY",
            "SOURCE",
            "WHY DROPPED",
        ],
        &rows,
    );
    let total = match status {
        Some(Standing::Admitted) => counts.admitted,
        Some(Standing::NeedsData) => counts.needs_data,
        Some(Standing::Dropped) => counts.dropped,
        None => counts.admitted + counts.needs_data + counts.dropped,
    };
    let more = usize::try_from(total)
        .unwrap_or(0)
        .saturating_sub(prospects.len());
    if more > 0 {
        println!("… {more} more (--limit, --json).");
    }
    Ok(ExitCode::SUCCESS)
}

/// `leadgate discover contact`: one contact, every field with its source and age.
async fn discover_contact(
    workspace: &Workspace,
    id: i64,
    json: bool,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let mut conn = workspace.store.conn().await?;
    let contact = stored::contact(&mut conn, id)
        .await?
        .with_context(|| format!("no contact {id}"))?;
    let records = stored::records_of(&mut conn, &[id]).await?;
    if json {
        print_json(&serde_json::json!({ "contact": contact, "records": records }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(into) = contact.merged_into {
        println!("Contact {id} was merged into contact {into}.");
    }
    if contact.status == stored::ContactStatus::Erased.as_str() {
        println!(
            "Contact {id} was erased at the person's request: nothing about them is kept (see `leadgate audit --subject erasure`)."
        );
        return Ok(ExitCode::SUCCESS);
    }
    let trust: Vec<&str> = workspace
        .config
        .discovery
        .trust
        .iter()
        .map(String::as_str)
        .collect();
    let observations: Vec<_> = records
        .iter()
        .map(|r| leadgate_core::discovery::prospect::Observation {
            record_id: r.id,
            source: &r.source,
            observed_at: r.observed_at,
            facts: &r.facts,
        })
        .collect();
    let mut profile = leadgate_core::discovery::prospect::person_profile(&observations, &trust);
    profile.extend(leadgate_core::discovery::prospect::company_profile(
        &observations,
        &trust,
    ));
    println!("Contact {id}: {} record(s).", records.len());
    let rows: Vec<Vec<String>> = profile
        .iter()
        .map(|(field, s)| {
            vec![
                field.clone(),
                s.value.clone(),
                s.source.clone(),
                format!("record {}", s.record_id),
                age(s.observed_at, now),
            ]
        })
        .collect();
    print_table(&["FIELD", "VALUE", "SOURCE", "FROM", "AGE"], &rows);
    Ok(ExitCode::SUCCESS)
}

/// `leadgate discover imports`: every import with its accounting.
async fn discover_imports(workspace: &Workspace, json: bool) -> anyhow::Result<ExitCode> {
    let tz = time_zone(workspace);
    let mut conn = workspace.store.conn().await?;
    let imports = stored::imports(&mut conn).await?;
    if json {
        print_json(&imports)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = imports
        .iter()
        .map(|i| {
            vec![
                i.id.to_string(),
                i.source.clone(),
                i.origin.clone(),
                i.rows_read.to_string(),
                i.stored.to_string(),
                i.merged.to_string(),
                i.rejected.to_string(),
                i.imported_by.clone(),
                show_time(i.at, &tz),
            ]
        })
        .collect();
    print_table(
        &[
            "IMPORT", "SOURCE", "FILE", "READ", "STORED", "MERGED", "REJECTED", "BY", "AT",
        ],
        &rows,
    );
    Ok(ExitCode::SUCCESS)
}

/// "3 days", "14 months".
fn age(at: Timestamp, now: Timestamp) -> String {
    let days = now.duration_since(at).as_hours() / 24;
    match days {
        d if d < 1 => "today".to_string(),
        1 => "1 day".to_string(),
        d if d < 90 => format!("{d} days"),
        d => format!("{} months", d / 30),
    }
}

fn evidence_line(explanation: &Value) -> String {
    explanation["evidence"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter(|x| x["level"].as_str().is_some_and(|l| l != "null"))
                .map(|x| {
                    format!(
                        "{} {} ({:+.1})",
                        x["comparison"].as_str().unwrap_or(""),
                        x["level"].as_str().unwrap_or(""),
                        x["weight"].as_f64().unwrap_or(0.0)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

pub async fn merge(
    workspace: &Workspace,
    command: MergeCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    match command {
        MergeCommand::List {
            method,
            limit,
            json,
        } => merge_list(workspace, method.as_deref(), limit, json).await,
        MergeCommand::Explain { id, json } => merge_explain(workspace, id, json).await,
        MergeCommand::Review { json } => merge_review(workspace, json).await,
        MergeCommand::Keep { id, person } => {
            discovery::merge::keep(&workspace.store, id, &person, now).await?;
            println!(
                "Merge {id} kept: its records stay one contact, and it will not be questioned again."
            );
            Ok(ExitCode::SUCCESS)
        }
        MergeCommand::Undo { id, person } => {
            let undone = discovery::merge::undo(&workspace.store, id, &person, now).await?;
            println!(
                "Merge {id} undone: {} record(s) moved from contact {} to contact {}; the two will not be merged again.",
                undone.records_moved, undone.from_contact, undone.restored_contact
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `merge list`: the newest merges, entity resolution's and import's.
async fn merge_list(
    workspace: &Workspace,
    method: Option<&str>,
    limit: i64,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let tz = time_zone(workspace);
    let mut conn = workspace.store.conn().await?;
    let merges = stored::recent_merges(&mut conn, method, limit).await?;
    if json {
        print_json(&merges)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = merges
        .iter()
        .map(|m| {
            vec![
                m.id.to_string(),
                m.method.clone(),
                m.into_contact.to_string(),
                m.from_contact
                    .map_or("new row".to_string(), |c| c.to_string()),
                m.records.len().to_string(),
                m.probability.map_or(String::new(), |p| format!("{p:.3}")),
                if m.undone_at.is_some() { "undone" } else { "" }.to_string(),
                show_time(m.at, &tz),
            ]
        })
        .collect();
    print_table(
        &["MERGE", "METHOD", "INTO", "FROM", "RECORDS", "P", "", "AT"],
        &rows,
    );
    Ok(ExitCode::SUCCESS)
}

/// `merge explain`: why a merge was made, comparison by comparison, and its records.
async fn merge_explain(workspace: &Workspace, id: i64, json: bool) -> anyhow::Result<ExitCode> {
    let tz = time_zone(workspace);
    let explained = discovery::merge::explain(&workspace.store, id).await?;
    if json {
        print_json(&explained)?;
        return Ok(ExitCode::SUCCESS);
    }
    let m = &explained.merge;
    println!(
        "Merge {id}: {} record(s) joined contact {}{} on {}{}.",
        m.records.len(),
        m.into_contact,
        m.from_contact
            .map(|c| format!(" from contact {c}"))
            .unwrap_or_default(),
        show_time(m.at, &tz),
        m.undone_at
            .map(|at| format!(
                " — undone by {} on {}",
                m.undone_by.as_deref().unwrap_or("?"),
                show_time(at, &tz)
            ))
            .unwrap_or_default()
    );
    match m.method.as_str() {
        "key" => println!(
            "At import: the row's {} `{}` is a known contact's.",
            m.explanation["key"].as_str().unwrap_or("key"),
            m.explanation["value"].as_str().unwrap_or("")
        ),
        _ => {
            println!(
                "Entity resolution: match probability {:.4} (weight {:+.2} over a prior of {:+.2}), from these comparisons:",
                m.explanation["probability"].as_f64().unwrap_or(0.0),
                m.explanation["weight"].as_f64().unwrap_or(0.0),
                m.explanation["prior_weight"].as_f64().unwrap_or(0.0)
            );
            let rows: Vec<Vec<String>> = m.explanation["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    vec![
                        // Indented under the line above, as the header is.
                        format!("  {}", e["comparison"].as_str().unwrap_or("")),
                        e["level"].as_str().unwrap_or("").to_string(),
                        format!("{:+.2}", e["weight"].as_f64().unwrap_or(0.0)),
                    ]
                })
                .collect();
            print_table(&["  COMPARISON", "LEVEL", "WEIGHT"], &rows);
            if let Some(why) = m.explanation["name_override"].as_str() {
                println!("The names disagree, but the merge stands: {why}.");
            }
            if let Some(model) = explained.model.as_ref().and_then(Value::as_array) {
                println!(
                    "What the model of that run believed, level by level (weight = log2 m/u):"
                );
                let rows: Vec<Vec<String>> = model
                    .iter()
                    .flat_map(|c| {
                        let name = c["comparison"].as_str().unwrap_or("").to_string();
                        c["levels"].as_array().into_iter().flatten().map(move |l| {
                            vec![
                                format!("  {name}"),
                                l["level"].as_str().unwrap_or("").to_string(),
                                format!("{:.4}", l["m"].as_f64().unwrap_or(0.0)),
                                format!("{:.2e}", l["u"].as_f64().unwrap_or(0.0)),
                                format!("{:+.2}", l["weight"].as_f64().unwrap_or(0.0)),
                            ]
                        })
                    })
                    .collect();
                print_table(&["  COMPARISON", "LEVEL", "M", "U", "WEIGHT"], &rows);
            }
        }
    }
    if let Some(q) = &m.questioned {
        println!("Questioned on {}: {}.", show_time(q.at, &tz), q.reason);
    }
    if let Some(k) = &m.kept {
        println!("Kept by {} on {}.", k.by, show_time(k.at, &tz));
    }
    println!("Records:");
    for r in &explained.records {
        println!(
            "  record {} — {} row {}, observed {}: {}",
            r.id,
            r.source,
            r.row_number,
            show_time(r.observed_at, &tz),
            summary_of(&r.facts)
        );
    }
    if m.undone_at.is_none() {
        println!("Undo it with `leadgate merge undo {id} --as NAME`.");
    }
    Ok(ExitCode::SUCCESS)
}

/// `merge review`: the standing merges the current model would not make.
async fn merge_review(workspace: &Workspace, json: bool) -> anyhow::Result<ExitCode> {
    let tz = time_zone(workspace);
    let merges = discovery::merge::questioned(&workspace.store).await?;
    if json {
        print_json(&merges)?;
        return Ok(ExitCode::SUCCESS);
    }
    if merges.is_empty() {
        println!(
            "No merge is questioned: entity resolution would make every standing merge again."
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = merges
        .iter()
        .map(|m| {
            vec![
                m.id.to_string(),
                m.into_contact.to_string(),
                m.from_contact.map_or(String::new(), |c| c.to_string()),
                m.questioned
                    .as_ref()
                    .map_or(String::new(), |q| show_time(q.at, &tz)),
                m.questioned
                    .as_ref()
                    .map_or(String::new(), |q| q.reason.clone()),
            ]
        })
        .collect();
    print_table(&["MERGE", "INTO", "FROM", "QUESTIONED", "WHY"], &rows);
    println!(
        "{} merge(s) the model would no longer make. Read one with `leadgate merge explain ID`, \
         then `leadgate merge undo ID --as NAME` or `leadgate merge keep ID --as NAME`.",
        merges.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn summary_of(facts: &serde_json::Map<String, Value>) -> String {
    [
        "first_name",
        "last_name",
        "email",
        "title",
        "company_name",
        "linkedin_url",
    ]
    .iter()
    .filter_map(|f| facts.get(*f).and_then(Value::as_str))
    .collect::<Vec<_>>()
    .join(", ")
}

pub async fn review(
    workspace: &Workspace,
    command: ReviewCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let ReviewCommand::Sample {
        gate,
        person,
        decisions,
        show,
        json,
    } = command;
    let mut conn = workspace.store.conn().await?;
    let items = stored::sample_items(&mut conn, gate).await?;
    if items.is_empty() {
        bail!("gate {gate} has no sample (see `leadgate gate list`)");
    }
    let list_id = items[0].list_id;
    let mut prospects = Vec::new();
    for item in &items {
        prospects.push(stored::prospect_of(&mut conn, list_id, item.contact_id).await?);
    }
    drop(conn);
    if show {
        if json {
            print_json(&serde_json::json!({ "items": items, "prospects": prospects }))?;
        } else {
            for (item, p) in items.iter().zip(&prospects) {
                print_item(item, p.as_ref(), now);
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(person) = person else {
        bail!("who reviews? pass --as NAME (only --show needs no name)");
    };
    let decided: Vec<ItemDecision> = match &decisions {
        Some(file) => read_decisions(file)?,
        None if std::io::stdin().is_terminal() => {
            let mut out = Vec::new();
            let stdin = std::io::stdin();
            for (item, p) in items.iter().zip(&prospects) {
                if item.verdict.is_some() {
                    continue;
                }
                print_item(item, p.as_ref(), now);
                let verdict = loop {
                    print!("Does record {} match the ICP? [y/n] ", item.position);
                    std::io::stdout().flush()?;
                    let mut line = String::new();
                    stdin.lock().read_line(&mut line)?;
                    match line.parse::<ReviewVerdict>() {
                        Ok(verdict) => break verdict,
                        Err(_) => println!("Answer y or n."),
                    }
                };
                let reason = if verdict == ReviewVerdict::NoMatch {
                    loop {
                        print!("Why not? ");
                        std::io::stdout().flush()?;
                        let mut line = String::new();
                        stdin.lock().read_line(&mut line)?;
                        if !line.trim().is_empty() {
                            break Some(line.trim().to_string());
                        }
                    }
                } else {
                    None
                };
                out.push(ItemDecision {
                    position: item.position,
                    verdict,
                    reason,
                });
            }
            out
        }
        None => bail!(
            "no terminal to ask on: pass --decisions FILE (CSV: position,verdict,reason), or --show to print the sample"
        ),
    };
    let progress = discovery::review::review(
        &workspace.store,
        &workspace.config.discovery,
        gate,
        &person,
        &decided,
        now,
    )
    .await?;
    if json {
        print_json(&progress)?;
        return Ok(ExitCode::SUCCESS);
    }
    let reviewed = progress
        .items
        .iter()
        .filter(|i| i.verdict.is_some())
        .count();
    match &progress.outcome {
        None => println!(
            "{reviewed} of {} sampled records reviewed; gate {gate} stays open until all are.",
            progress.items.len()
        ),
        Some(o) => {
            println!(
                "{} of {} sampled records match ({} needed): gate {gate} is {}.",
                o.matches, o.reviewed, o.required, progress.gate.status
            );
            if !o.passed {
                for s in &o.by_source {
                    println!(
                        "  {}: {} of {} no match ({:.0}%)",
                        s.source,
                        s.no_match,
                        s.reviewed,
                        s.error_rate * 100.0
                    );
                }
                for r in &o.by_reason {
                    println!("  reason: {} ×{}", r.reason, r.count);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_item(item: &stored::SampleItem, prospect: Option<&stored::Prospect>, now: Timestamp) {
    println!(
        "\nRecord {} — contact {} (source {}){}",
        item.position,
        item.contact_id,
        item.stratum,
        item.verdict
            .map(|v| format!(
                ": {} by {}",
                v.label(),
                item.reviewer.as_deref().unwrap_or("?")
            ))
            .unwrap_or_default()
    );
    let Some(p) = prospect else { return };
    for part in ["person", "company"] {
        if let Some(fields) = p.profile[part].as_object() {
            for (name, s) in fields {
                let at = s["observed_at"]
                    .as_str()
                    .and_then(|t| t.parse::<Timestamp>().ok());
                println!(
                    "  {:<22} {:<40} {} ({})",
                    crate::views::fact_label(name),
                    crate::views::fact_value(name, s["value"].as_str().unwrap_or("")),
                    s["source"].as_str().unwrap_or(""),
                    at.map(|at| age(at, now)).unwrap_or_default()
                );
            }
        }
    }
    for c in p.evaluation["icp"]["criteria"]
        .as_array()
        .into_iter()
        .flatten()
    {
        println!(
            "  ICP {:<34} {:<8} {}",
            c["criterion"].as_str().unwrap_or(""),
            c["outcome"].as_str().unwrap_or(""),
            c["reason"].as_str().unwrap_or("")
        );
    }
    println!(
        "  compliance: {}",
        p.evaluation["compliance"]["reason"].as_str().unwrap_or("")
    );
}

/// Reads `position,verdict,reason` rows (a header row is optional).
fn read_decisions(path: &Path) -> anyhow::Result<Vec<ItemDecision>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.with_context(|| format!("{}: row {}", path.display(), i + 1))?;
        let cell = |n: usize| row.get(n).map(str::trim).unwrap_or("");
        if i == 0 && cell(0).eq_ignore_ascii_case("position") {
            continue;
        }
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let position: i64 = cell(0).parse().with_context(|| {
            format!(
                "{}: line {}: position {:?} is not a number",
                path.display(),
                i + 1,
                cell(0)
            )
        })?;
        let verdict = match cell(1).parse::<ReviewVerdict>() {
            Ok(verdict) => verdict,
            Err(_) => bail!(
                "{}: line {}: verdict {:?} is neither match nor no_match",
                path.display(),
                i + 1,
                cell(1)
            ),
        };
        let reason = Some(cell(2).to_string()).filter(|r| !r.is_empty());
        out.push(ItemDecision {
            position,
            verdict,
            reason,
        });
    }
    Ok(out)
}

pub async fn erase(
    workspace: &Workspace,
    request: &crate::engine::discovery::erase::Request,
    reason: &str,
    by: &str,
    dry_run: bool,
    json: bool,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let done =
        crate::engine::discovery::erase::erase(&workspace.store, request, by, reason, dry_run, now)
            .await?;
    if json {
        print_json(&done)?;
        return Ok(ExitCode::SUCCESS);
    }
    if done.erased.is_empty() {
        println!(
            "No record carries {} (or the other keys given).",
            request.email
        );
    } else {
        println!(
            "{} {} record(s) with their facts, {} merge(s) quoting them{}:",
            if dry_run { "Would erase" } else { "Erased" },
            done.records,
            done.merges,
            if dry_run {
                String::new()
            } else {
                format!(
                    ", {} place(s) on prospect lists, {} engagement record(s), {} lead score(s) \
                     and enrichment entries about them",
                    done.prospects, done.engagement, done.derived
                )
            }
        );
        let rows: Vec<Vec<String>> = done
            .erased
            .iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.contact.to_string(),
                    r.source.clone(),
                    r.matched_by.label().to_string(),
                ]
            })
            .collect();
        print_table(&["RECORD", "CONTACT", "SOURCE", "MATCHED BY"], &rows);
        if !done.people.is_empty() {
            println!(
                "{} it would erase (check that this is who asked):",
                if done.people.len() == 1 {
                    "The person"
                } else {
                    "The people"
                }
            );
            let rows: Vec<Vec<String>> = done
                .people
                .iter()
                .map(|p| {
                    vec![
                        p.name
                            .as_deref()
                            .map_or_else(|| "-".into(), crate::views::name_for_display),
                        p.email.clone().unwrap_or_else(|| "-".into()),
                        p.contact.to_string(),
                        p.records.to_string(),
                    ]
                })
                .collect();
            print_table(&["NAME", "EMAIL", "CONTACT", "RECORDS"], &rows);
        }
        if !done.contacts.is_empty() {
            let ids: Vec<String> = done.contacts.iter().map(i64::to_string).collect();
            println!(
                "Contact(s) {} {} nothing left and {} marked erased.",
                ids.join(", "),
                if dry_run { "would have" } else { "have" },
                if dry_run { "would be" } else { "are" }
            );
        }
    }
    if !done.not_matched.is_empty() {
        println!(
            "\nMerged with this person, not matched by the request — {} (decide: add --record ID to erase one too):",
            if dry_run {
                "would be left as they are"
            } else {
                "left as they are"
            }
        );
        let rows: Vec<Vec<String>> = done
            .not_matched
            .iter()
            .map(|r| {
                let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
                vec![
                    r.id.to_string(),
                    r.contact.to_string(),
                    r.source.clone(),
                    or_dash(&r.name),
                    or_dash(&r.email),
                    or_dash(&r.linkedin),
                ]
            })
            .collect();
        print_table(
            &["RECORD", "CONTACT", "SOURCE", "NAME", "EMAIL", "LINKEDIN"],
            &rows,
        );
    }
    if dry_run {
        println!("Nothing changed (--dry-run).");
        return Ok(ExitCode::SUCCESS);
    }
    if done.reject_rows > 0 {
        println!(
            "Removed {} row(s) with the address from the reject files of earlier imports.",
            done.reject_rows
        );
    }
    println!(
        "Kept: the hash {} of the address{} on the suppression list, so that no import stores the person again and no sequence mails them.",
        done.hash,
        match done.profiles {
            0 => String::new(),
            n => format!(" and of {n} LinkedIn profile(s)"),
        }
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn customers(
    workspace: &Workspace,
    command: CustomersCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    match command {
        CustomersCommand::Import {
            file,
            source,
            person: by,
            json,
        } => {
            let report =
                discovery::customers::import(&workspace.store, &file, &source, &by, now).await?;
            if json {
                print_json(&report)?;
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "Imported the customer accounts of {} from source `{source}` (domain from `{}`{}).",
                report.file,
                report.domain_column,
                report
                    .outcome_column
                    .as_ref()
                    .map_or(String::from("; every row is a customer"), |c| format!(
                        "; won rows by `{c}`"
                    ))
            );
            println!(
                "Rows read {}: {} name a customer ({} accounts), {} not won, {} rejected. {} account(s) of `{source}` before were replaced.",
                report.rows_read,
                report.customer_rows,
                report.accounts,
                report.not_won,
                report.rejected,
                report.replaced
            );
            for r in &report.rejected_rows {
                println!("  row {} (line {}): {}", r.row, r.line, r.reason);
            }
            println!(
                "Their people are not prospects (the ICP's exclusions.existing_customers); discovery runs again (`leadgate worker --once`)."
            );
            Ok(ExitCode::SUCCESS)
        }
        CustomersCommand::List { json } => {
            let mut conn = workspace.store.conn().await?;
            let accounts = stored::customer_accounts(&mut conn).await?;
            if json {
                print_json(&accounts)?;
                return Ok(ExitCode::SUCCESS);
            }
            if accounts.is_empty() {
                println!(
                    "No customer accounts: import the CRM's with `leadgate customers import FILE --as NAME`."
                );
                return Ok(ExitCode::SUCCESS);
            }
            let tz = time_zone(workspace);
            let rows: Vec<Vec<String>> = accounts
                .iter()
                .map(|a| {
                    vec![
                        a.domain.clone(),
                        a.name.clone().unwrap_or_default(),
                        a.source.clone(),
                        show_time(a.imported_at, &tz),
                    ]
                })
                .collect();
            print_table(&["DOMAIN", "NAME", "SOURCE", "IMPORTED"], &rows);
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub async fn suppress(
    workspace: &Workspace,
    command: SuppressCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    match command {
        SuppressCommand::Add {
            value,
            reason,
            person: by,
        } => {
            let suppressed =
                discovery::suppress::add(&workspace.store, &by, &value, &reason, now).await?;
            let Suppressed {
                kind,
                value: normalised,
                added,
            } = suppressed;
            println!(
                "{} {normalised} is suppressed{}: never contacted, whatever the sources say.",
                if kind == SuppressionKind::Email {
                    "The address"
                } else {
                    "The domain"
                },
                if added { "" } else { " (it was already)" }
            );
            Ok(ExitCode::SUCCESS)
        }
        SuppressCommand::List { json } => {
            let mut conn = workspace.store.conn().await?;
            let list = stored::suppressions(&mut conn).await?;
            if json {
                print_json(&list)?;
                return Ok(ExitCode::SUCCESS);
            }
            let tz = time_zone(workspace);
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|s| {
                    vec![
                        s.kind.as_str().to_string(),
                        s.value.clone(),
                        s.reason.clone(),
                        s.added_by.clone(),
                        show_time(s.added_at, &tz),
                    ]
                })
                .collect();
            print_table(&["KIND", "VALUE", "REASON", "BY", "ADDED"], &rows);
            Ok(ExitCode::SUCCESS)
        }
    }
}
