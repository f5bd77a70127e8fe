//! `leadgate sla explain`: a lead's SLA deadline on a rep's calendar, and how it was reached.

use std::path::Path;
use std::process::ExitCode;

use jiff::Timestamp;
use jiff::civil::DateTime;
use leadgate_core::handoff::sla::LeadClass;

use super::print_json;
use crate::cli::SlaCommand;
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
    } = command;
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
