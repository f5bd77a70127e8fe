//! `leadgate sla explain`: a lead's SLA deadline on a rep's calendar, and how it was reached;
//! `leadgate route explain`: where a lead would go, and why.

use std::path::Path;
use std::process::ExitCode;

use jiff::Timestamp;
use jiff::civil::DateTime;
use leadgate_core::handoff::sla::LeadClass;

use super::{print_json, print_table};
use crate::cli::{RouteCommand, SlaCommand, TasksCommand, WebhooksCommand};
use crate::config::HandoffConfig;
use crate::engine::handoff;
use crate::workspace::Workspace;

pub fn sla(dir: &Path, command: SlaCommand, now: Timestamp) -> anyhow::Result<ExitCode> {
    let SlaCommand::Explain {
        rep,
        calendar,
        tz,
        country,
        region,
        at,
        class,
        json,
    } = command
    else {
        anyhow::bail!("`sla report` reads the workspace's tasks");
    };
    let class: LeadClass = match class.parse() {
        Ok(class) => class,
        Err(e) => {
            eprintln!("error: --class: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let (calendar, config) = match (&rep, &calendar) {
        (Some(rep), _) => {
            let config = Workspace::read_config(dir)?.handoff;
            match handoff::calendar_of(&config, rep) {
                Ok(calendar) => (calendar, config),
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        (None, Some(hours)) => {
            // A tried calendar needs no workspace; its policies are the workspace's if there
            // is one here, else the process's defaults.
            let config = Workspace::read_config(dir)
                .map(|c| c.handoff)
                .unwrap_or_else(|_| HandoffConfig::default());
            let zone = tz.as_deref().unwrap_or_default();
            match handoff::trial_calendar(hours, zone, country.as_deref(), region.as_deref()) {
                Ok(calendar) => (calendar, config),
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        (None, None) => {
            eprintln!("error: say whose calendar: --rep NAME, or --calendar HOURS --tz ZONE");
            return Ok(ExitCode::from(2));
        }
    };
    let arrived = match at.as_deref() {
        None => now,
        Some(text) => match arrival(text, &calendar.zone) {
            Ok(at) => at,
            Err(e) => {
                eprintln!("error: --at {e}");
                return Ok(ExitCode::from(2));
            }
        },
    };
    let explained = match handoff::explain(&calendar, &config, class, arrived) {
        Ok(explained) => explained,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if json {
        print_json(&explained)?;
    } else {
        println!(
            "Deadline {} ({}: acknowledge {}).",
            explained.deadline,
            class.label(),
            explained.policy.describe()
        );
        for step in &explained.steps {
            println!("{step}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An arrival: an instant (RFC 3339 with an offset or Z), or a local time in `zone`.
fn arrival(text: &str, zone: &jiff::tz::TimeZone) -> Result<Timestamp, String> {
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    let local: DateTime = text.parse().map_err(|_| {
        format!("{text:?} is not a time: write 2027-11-24T15:00:00Z, 2027-11-24T10:00:00-05:00, or a local 2027-11-24T10:00")
    })?;
    local
        .to_zoned(zone.clone())
        .map(|z| z.timestamp())
        .map_err(|e| format!("{text:?}: {e}"))
}

pub async fn route(
    workspace: &Workspace,
    command: RouteCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    use leadgate_core::handoff::routing::Assignee;

    let RouteCommand::Explain {
        lead,
        class,
        signal,
        at,
        json,
    } = command;
    let class: LeadClass = match class.parse() {
        Ok(class) => class,
        Err(e) => {
            eprintln!("error: --class: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let at = match at.as_deref().map(str::parse::<Timestamp>).transpose() {
        Ok(at) => at.unwrap_or(now),
        Err(e) => {
            eprintln!("error: --at: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let explained = match handoff::route_explain(
        &workspace.store,
        &workspace.config.handoff,
        &workspace.dir,
        lead,
        class,
        &signal,
        at,
    )
    .await
    {
        Ok(explained) => explained,
        Err(e @ (crate::engine::Error::NotFound(_) | crate::engine::Error::File { .. })) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    if json {
        print_json(&explained)?;
        return Ok(ExitCode::SUCCESS);
    }
    let to = match &explained.routed.assignee {
        Assignee::Rep { name } => name.clone(),
        Assignee::Queue => "the queue every rep sees".to_string(),
        Assignee::Nurture => "nurture".to_string(),
    };
    let by = explained
        .routed
        .rule
        .as_deref()
        .map(|r| format!("by rule \"{r}\""))
        .unwrap_or_else(|| "by the fallback".to_string());
    println!(
        "Lead {lead} ({}, {}) goes to {to}, {by}.",
        class.label(),
        signal
    );
    let seen = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".to_string());
    println!(
        "Read as: country {}, industry {}, employees {}, score {}, account owner {}.",
        seen(&explained.country),
        seen(&explained.industry),
        explained
            .employees
            .map_or("unknown".to_string(), |n| n.to_string()),
        explained
            .score
            .map_or("unknown".to_string(), |n| n.to_string()),
        explained
            .account_owner
            .clone()
            .unwrap_or_else(|| "none".to_string()),
    );
    for (i, rule) in explained.routed.considered.iter().enumerate() {
        println!(
            "  {}. {} — {}: {}",
            i + 1,
            rule.rule,
            if rule.matched { "took it" } else { "did not" },
            rule.why
        );
    }
    for line in &explained.routed.detail {
        println!("  {line}");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn tasks(
    workspace: &Workspace,
    command: TasksCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    use leadgate_core::handoff::sla::show_duration;
    use leadgate_core::handoff::task::TaskStatus;

    let config = &workspace.config.handoff;
    match command {
        TasksCommand::List { by, all, json } => {
            let status = (!all).then_some(TaskStatus::Open);
            let list = {
                let mut conn = workspace.store.conn().await?;
                leadgate_store::handoff::tasks(&mut conn, by.as_deref(), by.is_some(), status)
                    .await?
            };
            if json {
                print_json(&list)?;
                return Ok(ExitCode::SUCCESS);
            }
            if list.is_empty() {
                println!(
                    "No open task{}.",
                    by.map(|b| format!(" for {b}")).unwrap_or_default()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|t| {
                    let calendar = t
                        .rep
                        .as_deref()
                        .and_then(|r| handoff::calendar_of(config, r).ok());
                    let left = match (&t.status, &calendar) {
                        (TaskStatus::Acknowledged, _) => format!(
                            "acknowledged by {} after {}",
                            t.acknowledged_by.as_deref().unwrap_or("?"),
                            show_duration(jiff::SignedDuration::from_mins(
                                t.ack_minutes.unwrap_or(0)
                            ))
                        ),
                        (_, _) if now > t.due_at => "OVERDUE".to_string(),
                        (_, Some(calendar)) => format!(
                            "{} of business time left",
                            show_duration(calendar.open_between(now.max(t.starts_at), t.due_at))
                        ),
                        (_, None) => "in the queue".to_string(),
                    };
                    vec![
                        t.id.to_string(),
                        t.contact_id.to_string(),
                        t.record["name"].as_str().unwrap_or_default().to_string(),
                        t.record["company"].as_str().unwrap_or_default().to_string(),
                        t.rep.clone().unwrap_or_else(|| "(queue)".to_string()),
                        format!("{} · {}", t.class.label(), t.signal),
                        t.due_at.to_string(),
                        left,
                    ]
                })
                .collect();
            print_table(
                &[
                    "TASK", "LEAD", "NAME", "COMPANY", "REP", "WHY", "DUE", "SLA",
                ],
                &rows,
            );
            Ok(ExitCode::SUCCESS)
        }
        TasksCommand::Ack { id, by, json } => {
            match handoff::acknowledge(&workspace.store, config, id, &by, now).await {
                Ok(task) => {
                    if json {
                        print_json(&task)?;
                    } else {
                        let within = if now <= task.due_at {
                            "inside"
                        } else {
                            "after"
                        };
                        println!(
                            "Task {id} acknowledged by {by}: lead {} is yours, {} of business time after the clock started, {within} the SLA.",
                            task.contact_id,
                            show_duration(jiff::SignedDuration::from_mins(
                                task.ack_minutes.unwrap_or(0)
                            ))
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(
                    e @ (crate::engine::Error::Forbidden(_)
                    | crate::engine::Error::NotFound(_)
                    | crate::engine::Error::Conflict(_)
                    | crate::engine::Error::UnknownPerson(_)),
                ) => {
                    eprintln!("error: {e}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

pub async fn webhooks(
    workspace: &Workspace,
    command: WebhooksCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    match command {
        WebhooksCommand::List { task, json } => {
            let list = {
                let mut conn = workspace.store.conn().await?;
                leadgate_store::handoff::deliveries(&mut conn, task).await?
            };
            if json {
                print_json(&list)?;
                return Ok(ExitCode::SUCCESS);
            }
            if list.is_empty() {
                println!(
                    "No webhook delivery yet: add [[handoff.webhooks]] url = \"…\" to leadgate.toml."
                );
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|d| {
                    vec![
                        d.id.to_string(),
                        d.task_id.to_string(),
                        d.url.clone(),
                        d.format.clone(),
                        d.status.clone(),
                        d.attempts.to_string(),
                        d.last_status.map(|s| s.to_string()).unwrap_or_default(),
                        d.last_error.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(
                &[
                    "ID",
                    "TASK",
                    "URL",
                    "FORMAT",
                    "STATUS",
                    "ATTEMPTS",
                    "HTTP",
                    "LAST ERROR",
                ],
                &rows,
            );
            Ok(ExitCode::SUCCESS)
        }
        WebhooksCommand::Replay { id, by } => {
            match handoff::deliver::replay(&workspace.store, id, &by, now).await {
                Ok(d) => {
                    println!(
                        "Delivery {id} to {} is queued again: the worker sends it at its next step (`leadgate worker`, or the server).",
                        d.url
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(
                    e @ (crate::engine::Error::NotFound(_)
                    | crate::engine::Error::UnknownPerson(_)
                    | crate::engine::Error::Forbidden(_)),
                ) => {
                    eprintln!("error: {e}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

pub async fn sla_report(
    workspace: &Workspace,
    json: bool,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let lines = handoff::sla_report(&workspace.store, now).await?;
    if json {
        print_json(&lines)?;
        return Ok(ExitCode::SUCCESS);
    }
    if lines.is_empty() {
        println!(
            "No task to judge yet: a task counts once it is acknowledged or past its deadline."
        );
        return Ok(ExitCode::SUCCESS);
    }
    let minutes = |m: Option<i64>| {
        m.map(|m| leadgate_core::handoff::sla::show_duration(jiff::SignedDuration::from_mins(m)))
            .unwrap_or_else(|| "—".to_string())
    };
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.rep.clone(),
                l.class.map_or("all".to_string(), |c| c.label().to_string()),
                l.judged.to_string(),
                l.in_time.to_string(),
                l.late.to_string(),
                l.compliance
                    .map(|c| format!("{:.0} %", c * 100.0))
                    .unwrap_or_default(),
                minutes(l.median_minutes),
                minutes(l.p90_minutes),
            ]
        })
        .collect();
    print_table(
        &[
            "REP",
            "CLASS",
            "TASKS",
            "IN TIME",
            "LATE",
            "COMPLIANCE",
            "MEDIAN",
            "P90",
        ],
        &rows,
    );
    println!("Times are business time from the start of the clock to the acknowledgement.");
    Ok(ExitCode::SUCCESS)
}
