//! `leadgate user …`

use std::process::ExitCode;

use jiff::Timestamp;
use leadgate_core::audit::Actor;
use leadgate_core::role::parse_role_list;

use super::{print_json, print_table, show_time, time_zone};
use crate::cli::UserCommand;
use crate::engine::people;
use crate::workspace::Workspace;

pub async fn run(
    workspace: &Workspace,
    command: UserCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add { name, email, roles } => {
            let roles = parse_role_list(&roles)?;
            let person =
                people::add(&workspace.store, &Actor::System, &name, &email, roles, now).await?;
            println!(
                "Added {} <{}> as {}.",
                person.name,
                person.email,
                person
                    .roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        UserCommand::List { json } => {
            let mut conn = workspace.store.conn().await?;
            let everyone = leadgate_store::people::list(&mut conn).await?;
            if json {
                print_json(&everyone)?;
            } else if everyone.is_empty() {
                println!(
                    "No people yet: add one with `leadgate user add NAME --email EMAIL --role ROLE`."
                );
            } else {
                let tz = time_zone(workspace);
                let rows: Vec<Vec<String>> = everyone
                    .iter()
                    .map(|p| {
                        vec![
                            p.name.clone(),
                            p.email.clone(),
                            p.roles
                                .iter()
                                .map(|r| r.as_str())
                                .collect::<Vec<_>>()
                                .join(","),
                            show_time(p.created_at, &tz),
                        ]
                    })
                    .collect();
                print_table(&["NAME", "EMAIL", "ROLES", "ADDED"], &rows);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
