//! `leadgate user …`

use std::process::ExitCode;

use jiff::Timestamp;
use leadgate_core::audit::Actor;
use leadgate_core::role::parse_role_list;

use super::{print_json, print_table, show_time, time_zone};
use crate::cli::UserCommand;
use crate::engine::{auth, people};
use crate::views::PersonView;
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
            let token =
                auth::issue_link(&workspace.store, &Actor::System, &person.name, now).await?;
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
            println!(
                "Sign-in link for {} (works once, for 24 hours): {}",
                person.name,
                workspace.config.sign_in_link(&token)
            );
        }
        UserCommand::Passwd { name } => {
            let password = read_password(&name)?;
            auth::set_password(&workspace.store, &Actor::System, &name, &password, now).await?;
            println!("Set the password of {name}.");
        }
        UserCommand::Link { name } => {
            let token = auth::issue_link(&workspace.store, &Actor::System, &name, now).await?;
            println!(
                "Sign-in link for {name} (works once, for 24 hours): {}",
                workspace.config.sign_in_link(&token)
            );
        }
        UserCommand::Roles {
            name,
            add,
            remove,
            admin,
        } => {
            let parse = |roles: Vec<String>| match roles.is_empty() {
                true => Ok(Vec::new()),
                false => parse_role_list(&roles.join(",")),
            };
            let (add, remove) = (parse(add)?, parse(remove)?);
            let change = people::Change::Roles { add, remove };
            let changed = people::change(&workspace.store, &admin, &name, change, now).await?;
            println!(
                "{} now holds {}.",
                changed.person.name,
                roles_of(&changed.person)
            );
            warn(&changed.warnings);
        }
        UserCommand::Deactivate { name, admin } => {
            let changed = people::change(
                &workspace.store,
                &admin,
                &name,
                people::Change::Deactivate,
                now,
            )
            .await?;
            println!(
                "Deactivated {}: their sessions ended and their tokens no longer work; their \
                 past decisions stay in the audit log.",
                changed.person.name
            );
            warn(&changed.warnings);
        }
        UserCommand::Reactivate { name, admin } => {
            let changed = people::change(
                &workspace.store,
                &admin,
                &name,
                people::Change::Reactivate,
                now,
            )
            .await?;
            println!(
                "Reactivated {} ({}); they sign in anew.",
                changed.person.name,
                roles_of(&changed.person)
            );
        }
        UserCommand::List { json } => {
            let mut conn = workspace.store.conn().await?;
            let everyone = leadgate_store::people::list(&mut conn).await?;
            if json {
                print_json(&everyone.iter().map(PersonView::from).collect::<Vec<_>>())?;
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
                            p.deactivated_at.map_or("active".to_string(), |at| {
                                format!("deactivated {}", show_time(at, &tz))
                            }),
                        ]
                    })
                    .collect();
                print_table(&["NAME", "EMAIL", "ROLES", "ADDED", "STATUS"], &rows);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn roles_of(person: &leadgate_store::people::Person) -> String {
    person
        .roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each warning on its own line, on stderr, where a script's reader looks for trouble.
fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

/// The new password: one line from stdin when it is not a terminal (scripts), else typed
/// twice at a prompt with echo turned off (by `stty`, where there is one).
fn read_password(name: &str) -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    let read_line = || -> anyhow::Result<String> {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\n', '\r']).to_string())
    };
    if !stdin.is_terminal() {
        let password = read_line()?;
        if password.is_empty() {
            anyhow::bail!("no password on stdin (give it as one line)");
        }
        return Ok(password);
    }
    let echo = |on: bool| {
        let _ = std::process::Command::new("stty")
            .arg(if on { "echo" } else { "-echo" })
            .stdin(std::process::Stdio::inherit())
            .status();
    };
    let ask = |prompt: &str| -> anyhow::Result<String> {
        eprint!("{prompt}");
        std::io::stderr().flush()?;
        echo(false);
        let line = read_line();
        echo(true);
        eprintln!();
        line
    };
    let first = ask(&format!("New password for {name}: "))?;
    let second = ask("Again: ")?;
    if first != second {
        anyhow::bail!("the two passwords differ; nothing changed");
    }
    Ok(first)
}
