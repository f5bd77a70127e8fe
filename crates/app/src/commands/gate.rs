//! `leadgate gate …`: what waits, the evidence, and the decisions.

use std::process::ExitCode;

use jiff::Timestamp;
use leadgate_core::audit::Subject;
use leadgate_core::gate::{self, Decider, GateStatus, Request};
use leadgate_core::role::Role;
use leadgate_store::gates::{self, Gate, GateFilter};

use super::{print_json, print_table, roles_text, show_time, time_zone};
use crate::cli::GateCommand;
use crate::engine::{self, gates as engine_gates};
use crate::views::GateView;
use crate::workspace::Workspace;

pub async fn run(
    workspace: &Workspace,
    command: GateCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let store = &workspace.store;
    let tz = time_zone(workspace);
    match command {
        GateCommand::List {
            all,
            for_person,
            json,
        } => {
            let mut conn = store.conn().await?;
            let filter = GateFilter {
                status: (!all || for_person.is_some()).then_some(GateStatus::Open),
                ..Default::default()
            };
            let mut list = gates::list(&mut conn, &filter).await?;
            if let Some(name) = &for_person {
                let person = engine::person(&mut conn, name).await?;
                list.retain(|g| {
                    gate::may_decide(
                        &g.state(),
                        Decider {
                            person: &person.name,
                            roles: &person.roles,
                        },
                    )
                });
            }
            if json {
                print_json(&list.iter().map(GateView::from).collect::<Vec<_>>())?;
            } else if list.is_empty() {
                println!(
                    "{}",
                    if all {
                        "No gates yet."
                    } else {
                        "No gate is waiting."
                    }
                );
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|g| {
                        vec![
                            g.id.to_string(),
                            g.kind.title().to_string(),
                            g.summary.clone(),
                            g.status.to_string(),
                            if g.status == GateStatus::Open {
                                roles_text(&g.state().pending_roles())
                            } else {
                                "-".into()
                            },
                            show_time(g.opened_at, &tz),
                        ]
                    })
                    .collect();
                print_table(
                    &["ID", "GATE", "SUBJECT", "STATUS", "NEEDS", "OPENED"],
                    &rows,
                );
            }
        }
        GateCommand::Show { id, json } => {
            let mut conn = store.conn().await?;
            let found = gates::get(&mut conn, id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no gate {id} (see `leadgate gate list --all`)"))?;
            if json {
                print_json(&GateView::from(&found))?;
            } else {
                print_gate(&found, &tz);
                if let Some(review) = engine::model::review_of_gate(store, found.id).await? {
                    println!();
                    super::model::print_stored_review(&review);
                }
                match &found.subject {
                    Subject::Icp(version) => {
                        println!("\nSee the document with `leadgate icp show {version}`.")
                    }
                    Subject::Model(version) => {
                        println!(
                            "\nSee the calibration report with `leadgate model report {version}`."
                        )
                    }
                    Subject::Variant(_) => {
                        let variant =
                            engine::outreach::sequences::variant_of_gate(&mut conn, &found).await?;
                        match engine::outreach::sequences::sample(&variant)? {
                            Some(sample) => {
                                println!(
                                    "\nThe first message of variant {}, written for lead {}, as it would go:\n",
                                    variant.name, sample.lead
                                );
                                super::outreach::print_preview(&sample, &tz);
                            }
                            None => println!("\nVariant {} has no lead yet.", variant.name),
                        }
                    }
                    _ => {}
                }
            }
        }
        GateCommand::Approve {
            id,
            person,
            role,
            note,
        } => {
            let role = role
                .map(|r| r.parse::<Role>())
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let decided =
                engine_gates::decide(store, id, &person, Request::Approve { role, note }, now)
                    .await?;
            report_decision(&decided, &person);
        }
        GateCommand::Reject { id, person, reason } => {
            let decided =
                engine_gates::decide(store, id, &person, Request::Reject { reason }, now).await?;
            report_decision(&decided, &person);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_gate(gate: &Gate, tz: &jiff::tz::TimeZone) {
    println!("Gate {} — {}", gate.id, gate.kind.title());
    println!("Subject:  {} ({})", gate.summary, gate.subject);
    if let Some(maker) = &gate.maker {
        println!("Made by:  {maker} (who never decides it)");
    }
    println!("Status:   {}", gate.status);
    for warning in &gate.warnings {
        println!("WARNING:  {warning}");
    }
    if !gate.warnings.is_empty() && gate.status == GateStatus::Open {
        println!("          An approval over a warning needs a written reason (--note).");
    }
    println!("Opened:   {}", show_time(gate.opened_at, tz));
    if let Some(closed) = gate.closed_at {
        println!("Closed:   {}", show_time(closed, tz));
    }
    println!(
        "Needs:    {} approval from {}, each from a different person",
        roles_text(&gate.required_roles),
        if gate.required_roles.len() > 1 {
            "each role"
        } else {
            "that role"
        }
    );
    if gate.decisions.is_empty() {
        println!("Decisions: none yet");
    } else {
        println!("Decisions:");
        for d in &gate.decisions {
            let note = d
                .note
                .as_deref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default();
            println!(
                "  {} {} as {} at {}{note}",
                d.person,
                d.verdict.as_str(),
                d.role,
                show_time(d.at, tz)
            );
        }
    }
    if gate.status == GateStatus::Open {
        println!("Waiting for: {}", roles_text(&gate.state().pending_roles()));
    }
}

fn report_decision(gate: &Gate, person: &str) {
    match gate.status {
        GateStatus::Open => println!(
            "Recorded {person}'s approval on gate {}. Still waiting for: {}.",
            gate.id,
            roles_text(&gate.state().pending_roles())
        ),
        GateStatus::Approved => {
            println!("Gate {} is approved: {}.", gate.id, approved_effect(gate))
        }
        GateStatus::Rejected => {
            println!("Gate {} is rejected: {}.", gate.id, rejected_effect(gate))
        }
        GateStatus::Cancelled => println!("Gate {} is cancelled.", gate.id),
    }
}

fn approved_effect(gate: &Gate) -> &'static str {
    match gate.kind {
        leadgate_core::gate::GateKind::IcpApproval => {
            "the ICP version is live and the segment's previous version is superseded"
        }
        leadgate_core::gate::GateKind::IcpReview => {
            "the live ICP is reaffirmed; the next review is due in 90 days"
        }
        leadgate_core::gate::GateKind::SampleReview => "the prospect list moves on to enrichment",
        leadgate_core::gate::GateKind::ModelCalibration => {
            "the model version scores live and the one before it is retired (`leadgate model restore` brings it back)"
        }
        leadgate_core::gate::GateKind::ModelReview => {
            "the live model is reaffirmed; its next review is scheduled"
        }
        leadgate_core::gate::GateKind::VariantApproval => {
            "the variant's messages may be sent, as long as they are the approved text"
        }
    }
}

fn rejected_effect(gate: &Gate) -> &'static str {
    match gate.kind {
        leadgate_core::gate::GateKind::IcpApproval => "the ICP version will never go live",
        leadgate_core::gate::GateKind::IcpReview => {
            "the version stays live until a new proposal is approved; the request for one is on record"
        }
        leadgate_core::gate::GateKind::SampleReview => {
            "the prospect list stops here; fix the sources the error rates point at and run discovery again"
        }
        leadgate_core::gate::GateKind::ModelCalibration => "the model version will never score",
        leadgate_core::gate::GateKind::ModelReview => {
            "the version keeps scoring until a retrained one is approved; the request for one is on record"
        }
        leadgate_core::gate::GateKind::VariantApproval => {
            "nothing of the variant is ever sent and its leads leave it; add a new version of the sequence"
        }
    }
}
