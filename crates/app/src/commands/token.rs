//! `leadgate token …`: API tokens for machines.

use std::process::ExitCode;

use jiff::Timestamp;
use leadgate_core::audit::Actor;

use super::{print_json, print_table, show_time, time_zone};
use crate::cli::TokenCommand;
use crate::engine::auth;
use crate::workspace::Workspace;

pub async fn run(
    workspace: &Workspace,
    command: TokenCommand,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let store = &workspace.store;
    match command {
        TokenCommand::Create { person, label } => {
            let (token, secret) =
                auth::create_token(store, &Actor::System, &person, &label, now).await?;
            eprintln!(
                "Created token {} acting as {}. It is shown once; keep it secret:",
                token.id, token.person
            );
            println!("{secret}");
            eprintln!(
                "Use it as `Authorization: Bearer …`; revoke it with `leadgate token revoke {}`.",
                token.id
            );
        }
        TokenCommand::List { json } => {
            let mut conn = store.conn().await?;
            let tokens = leadgate_store::credentials::list_tokens(&mut conn).await?;
            if json {
                print_json(&tokens)?;
            } else if tokens.is_empty() {
                println!("No tokens yet: create one with `leadgate token create --as NAME`.");
            } else {
                let tz = time_zone(workspace);
                let when = |t: Option<Timestamp>| {
                    t.map(|t| show_time(t, &tz)).unwrap_or_else(|| "-".into())
                };
                let rows: Vec<Vec<String>> = tokens
                    .iter()
                    .map(|t| {
                        vec![
                            t.id.to_string(),
                            t.person.clone(),
                            t.label.clone(),
                            show_time(t.created_at, &tz),
                            when(t.last_used_at),
                            when(t.revoked_at),
                        ]
                    })
                    .collect();
                print_table(
                    &["ID", "AS", "NAME", "CREATED", "LAST USED", "REVOKED"],
                    &rows,
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let token = auth::revoke_token(store, &Actor::System, id, now).await?;
            println!(
                "Revoked token {} ({} acting as {}).",
                token.id,
                if token.label.is_empty() {
                    "unnamed"
                } else {
                    &token.label
                },
                token.person
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
