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

use super::{open, print_json, print_table, show_time, time_zone};
use crate::cli::SequenceCommand;
use crate::engine::Error;
use crate::engine::outreach::sequences::{self, Enrolled};
use crate::engine::outreach::{self, Part};

pub async fn run(dir: &Path, command: SequenceCommand, now: Timestamp) -> anyhow::Result<ExitCode> {
    let (file, lead, json) = match command {
        SequenceCommand::Check { file, lead, json } => (file, lead, json),
        SequenceCommand::Plan {
            lead,
            sequence,
            json,
        } => return plan(dir, lead, sequence.as_deref(), json, now).await,
        SequenceCommand::Add { file, person, json } => {
            return add(dir, &file, &person, json, now).await;
        }
        SequenceCommand::List { json } => return list(dir, json, now).await,
        SequenceCommand::Compare { name, json } => return compare(dir, &name, json, now).await,
        SequenceCommand::Enroll {
            name,
            lead,
            person,
            json,
        } => return enroll(dir, &name, &lead, &person, json, now).await,
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
    let config = &workspace.config.outreach;
    let preview = match outreach::preview(&workspace.store, &sequence, lead, config, now).await {
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
        print_preview(&preview, &time_zone(&workspace));
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

/// A preview for people: each step with its claims marked `[text](n)`, the notice and footer
/// leadgate adds, the findings, and the facts cited, numbered.
pub(crate) fn print_preview(preview: &outreach::Preview, tz: &jiff::tz::TimeZone) {
    println!(
        "Sequence \"{}\" written for lead {} from its {} facts.",
        preview.sequence,
        preview.lead,
        preview.facts.len()
    );
    if let Some(writer) = &preview.writer {
        println!("Opener: {}.", writer.describe());
    }
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
                .map(|t| format!(", seen {}", show_time(t, tz)))
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

/// `sequence add FILE --as NAME`.
async fn add(
    dir: &Path,
    file: &Path,
    person: &str,
    json: bool,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return Ok(ExitCode::from(2));
        }
    };
    let workspace = open(dir, now).await?;
    let origin = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let added = sequences::add(&workspace.store, person, &text, &origin, now).await?;
    if json {
        print_json(&added)?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = &added.version.sequence;
    if added.new {
        println!(
            "Stored \"{}\" version {} by {}: variants {}. Each variant's first message waits at \
             a gate for a reviewer who is not {} once its first lead is enrolled \
             (`leadgate sequence enroll \"{}\" --as NAME`).",
            s.name,
            s.version,
            s.author,
            added
                .version
                .variants
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            s.author,
            s.name
        );
    } else {
        println!(
            "\"{}\" version {} is this very text already: nothing stored.",
            s.name, s.version
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `sequence list`.
async fn list(dir: &Path, json: bool, now: Timestamp) -> anyhow::Result<ExitCode> {
    let workspace = open(dir, now).await?;
    let versions = sequences::list(&workspace.store).await?;
    if json {
        print_json(&versions)?;
        return Ok(ExitCode::SUCCESS);
    }
    if versions.is_empty() {
        println!("No sequence is stored yet: `leadgate sequence add FILE --as NAME`.");
        return Ok(ExitCode::SUCCESS);
    }
    let tz = time_zone(&workspace);
    let mut rows = Vec::new();
    for version in &versions {
        for variant in &version.variants {
            rows.push(vec![
                version.sequence.name.clone(),
                version.sequence.version.to_string(),
                version.sequence.author.clone(),
                show_time(version.sequence.added_at, &tz),
                variant.name.clone(),
                variant.status.label().to_string(),
                variant.gate_id.map(|g| g.to_string()).unwrap_or_default(),
                variant.enrolled.to_string(),
            ]);
        }
    }
    print_table(
        &[
            "sequence", "version", "author", "added", "variant", "standing", "gate", "leads",
        ],
        &rows,
    );
    Ok(ExitCode::SUCCESS)
}

/// `sequence compare NAME`.
async fn compare(dir: &Path, name: &str, json: bool, now: Timestamp) -> anyhow::Result<ExitCode> {
    let workspace = open(dir, now).await?;
    let compared = sequences::compare(&workspace.store, name).await?;
    if json {
        print_json(&compared)?;
        return Ok(ExitCode::SUCCESS);
    }
    for variant in &compared.tallies {
        println!(
            "Variant {}: {} leads sent an e-mail, {} interested, {} meetings.",
            variant.0, variant.1.sent, variant.1.positive_replies, variant.1.meetings
        );
    }
    if compared.comparisons.is_empty() {
        println!("\"{name}\" has one variant: nothing to compare.");
    }
    for (variant, comparisons) in &compared.comparisons {
        for c in comparisons {
            println!(
                "A against {variant}, {}: {}",
                c.outcome.replace('_', " "),
                c.said
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `sequence enroll NAME [--lead ID]… --as NAME`.
async fn enroll(
    dir: &Path,
    name: &str,
    leads: &[i64],
    person: &str,
    json: bool,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let workspace = open(dir, now).await?;
    let leads = (!leads.is_empty()).then_some(leads);
    let outcomes = sequences::enroll(
        &workspace.store,
        name,
        leads,
        person,
        &workspace.config.outreach,
        now,
    )
    .await?;
    if json {
        print_json(&outcomes)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut enrolled = 0;
    for outcome in &outcomes {
        match outcome {
            Enrolled::Enrolled {
                lead,
                variant,
                steps,
                gate,
            } => {
                enrolled += 1;
                let steps = steps
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                match gate {
                    Some(gate) => println!(
                        "Lead {lead}: variant {variant}, steps {steps} — its first message waits \
                         at gate {gate} (`leadgate gate show {gate}`)."
                    ),
                    None => println!("Lead {lead}: variant {variant}, steps {steps}."),
                }
            }
            Enrolled::Skipped { lead, why } => println!("Lead {lead}: not enrolled — {why}."),
        }
    }
    println!(
        "{enrolled} of {} leads enrolled in \"{name}\".",
        outcomes.len()
    );
    Ok(ExitCode::SUCCESS)
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
