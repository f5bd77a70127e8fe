//! `leadgate sequence`: stage 4's sequences. `check FILE` reads and checks a sequence file
//! (no workspace needed); `check FILE --lead ID` writes it for a lead of the workspace from
//! that lead's facts, each personalised claim marked `[text](n)` and fact n listed with its
//! source, record and date.

use std::path::Path;
use std::process::ExitCode;

use jiff::Timestamp;
use leadgate_core::outreach::compose::Rendered;
use leadgate_core::outreach::lint::Part as LintPart;
use leadgate_core::outreach::sequence::Sequence;

use super::{open, print_json, show_time, time_zone};
use crate::cli::SequenceCommand;
use crate::engine::Error;
use crate::engine::outreach::{self, Part};

pub async fn run(dir: &Path, command: SequenceCommand, now: Timestamp) -> anyhow::Result<ExitCode> {
    let (file, lead, json) = match command {
        SequenceCommand::Check { file, lead, json } => (file, lead, json),
        SequenceCommand::Plan {
            lead,
            sequence,
            json,
        } => return plan(dir, lead, sequence.as_deref(), json, now).await,
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return Ok(ExitCode::from(2));
        }
    };
    let sequence = match Sequence::parse(&text, &file.display().to_string()) {
        Ok(sequence) => sequence,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let Some(lead) = lead else {
        if json {
            print_json(&sequence)?;
        } else {
            print_outline(&sequence);
        }
        return Ok(ExitCode::SUCCESS);
    };
    let workspace = open(dir, now).await?;
    let sender = &workspace.config.outreach.sender;
    let preview = match outreach::preview(&workspace.store, &sequence, lead, sender, now).await {
        Ok(preview) => preview,
        Err(e @ Error::NotFound(_)) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    if json {
        print_json(&preview)?;
    } else {
        let tz = time_zone(&workspace);
        println!(
            "Sequence \"{}\" written for lead {} from its {} facts.",
            preview.sequence,
            preview.lead,
            preview.facts.len()
        );
        let mut cited = std::collections::BTreeSet::new();
        for step in &preview.steps {
            println!();
            println!(
                "Step {} · {} · variant {} · {}",
                step.step,
                step.channel.label(),
                step.variant,
                after(step.delay_days, step.when.as_ref())
            );
            for (label, part) in [
                ("Subject", step.subject.as_ref()),
                ("Body", Some(&step.body)),
            ] {
                let Some(part) = part else { continue };
                match part {
                    Part::Written(rendered) => {
                        cited.extend(rendered.rests_on.iter().copied());
                        println!("{label}: {}", marked(rendered));
                    }
                    Part::Unwritten { why } => {
                        println!("{label}: cannot be written for this lead — {why}");
                    }
                }
            }
            for (label, text) in [("Notice", &step.notice), ("Footer", &step.footer)] {
                if let Some(text) = text {
                    println!("{label} (added by leadgate): {text}");
                }
            }
            for finding in &step.findings {
                let (part, start, end) = (finding.part, finding.start, finding.end);
                let text = match (part, step.subject.as_ref(), &step.body) {
                    (LintPart::Subject, Some(Part::Written(s)), _) => s.text.as_str(),
                    (_, _, Part::Written(b)) => b.text.as_str(),
                    _ => "",
                };
                let quoted = text
                    .get(start..end)
                    .filter(|q| q.len() <= 60 && q.len() < text.len());
                println!(
                    "  {} · {}{}: {}",
                    finding.severity.label(),
                    finding.rule.label(),
                    quoted
                        .map(|q| format!(" in the {} at \"{q}\"", part.label()))
                        .unwrap_or_default(),
                    finding.message
                );
            }
        }
        if !cited.is_empty() {
            println!();
            println!("Facts cited:");
            for i in cited {
                let fact = &preview.facts[i];
                let record = fact
                    .record
                    .map(|r| format!(", record {r}"))
                    .unwrap_or_default();
                let seen = fact
                    .observed_at
                    .map(|t| format!(", seen {}", show_time(t, &tz)))
                    .unwrap_or_default();
                println!(
                    "  ({}) {} = {} — {}{record}{seen}",
                    i + 1,
                    fact.field,
                    fact.value,
                    fact.source
                );
            }
        }
    }
    let unwritten = preview.steps.iter().filter(|s| !s.is_written()).count();
    let blocked = preview
        .steps
        .iter()
        .filter(|s| s.is_written() && !s.is_sendable())
        .count();
    if unwritten > 0 {
        eprintln!(
            "{unwritten} of {} steps and variants cannot be written for lead {lead}: each names \
             the fact it lacks (guard it with `{{% if lead.FIELD is defined %}}`, or enrich the \
             lead).",
            preview.steps.len()
        );
    }
    if blocked > 0 {
        eprintln!(
            "{blocked} of {} steps and variants are blocked by the copy linter: each blocking \
             finding is listed under its step.",
            preview.steps.len()
        );
    }
    if unwritten + blocked > 0 {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// When a step comes: after how many business days, and on what the prospect did.
fn after(days: u32, when: Option<&leadgate_core::outreach::sequence::When>) -> String {
    let wait = match days {
        0 => "at the start".to_string(),
        1 => "1 business day after the step before".to_string(),
        n => format!("{n} business days after the step before"),
    };
    match when {
        Some(w) if w.at_least > 1 => format!(
            "{wait}, if the prospect {} {} times",
            w.event.label(),
            w.at_least
        ),
        Some(w) => format!("{wait}, if the prospect {}", w.event.label()),
        None => wait,
    }
}

/// The text with each claim as `[text](n)`, n its fact's number in the list.
fn marked(rendered: &Rendered) -> String {
    let text = &rendered.text;
    let mut out = String::with_capacity(text.len() + 8 * rendered.claims.len());
    let mut at = 0;
    for claim in &rendered.claims {
        out.push_str(&text[at..claim.start]);
        out.push('[');
        out.push_str(&text[claim.start..claim.end]);
        out.push_str(&format!("]({})", claim.fact + 1));
        at = claim.end;
    }
    out.push_str(&text[at..]);
    out
}

fn print_outline(sequence: &Sequence) {
    let variants: usize = sequence.steps.iter().map(|s| 1 + s.variants.len()).sum();
    println!(
        "Sequence \"{}\": {} steps, {variants} variants — every template reads only facts a \
         lead can have.",
        sequence.name,
        sequence.steps.len()
    );
    for (i, step) in sequence.steps.iter().enumerate() {
        println!(
            "  {}. {} · {}{}",
            i + 1,
            step.channel.label(),
            after(step.delay_days, step.when.as_ref()),
            if step.variants.is_empty() {
                String::new()
            } else {
                format!(
                    " · variants A, {}",
                    step.variants
                        .iter()
                        .map(|v| v.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
    }
}

/// `sequence plan LEAD [--sequence FILE]`.
async fn plan(
    dir: &Path,
    lead: i64,
    sequence: Option<&Path>,
    json: bool,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let sequence = match sequence {
        None => None,
        Some(path) => {
            let parsed = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|text| {
                    Sequence::parse(&text, &path.display().to_string()).map_err(|e| e.to_string())
                });
            match parsed {
                Ok(sequence) => Some(sequence),
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
    };
    let workspace = open(dir, now).await?;
    let facts = match outreach::lead_facts(&workspace.store, lead).await {
        Ok(facts) => facts,
        Err(e @ Error::NotFound(_)) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    let plan = leadgate_core::outreach::plan::plan(&facts, &workspace.config.outreach.plan);
    let steps = sequence.as_ref().map(|s| plan.steps(s));
    if json {
        print_json(&serde_json::json!({ "lead": lead, "plan": plan, "steps": steps }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut channels = vec!["e-mail"];
    if plan.linkedin {
        channels.push("LinkedIn");
    }
    if plan.calls {
        channels.push("calls");
    }
    println!("Lead {lead} gets {}.", channels.join(", "));
    for decision in &plan.decisions {
        println!("  {} — {}", decision.rule, decision.said);
    }
    if let (Some(sequence), Some(steps)) = (&sequence, &steps) {
        for (i, step) in sequence.steps.iter().enumerate() {
            let kept = steps.contains(&(i + 1));
            println!(
                "  step {} · {} · {}",
                i + 1,
                step.channel.label(),
                if kept { "kept" } else { "left out" }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
