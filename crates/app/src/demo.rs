//! `leadgate demo`: a workspace with the demo company's people and the sample ICP, stopped at
//! the first gate with plain words about what waits and the exact commands to go on — or,
//! with `--walkthrough`, the demo people's decisions played at every gate, narrated. Then it
//! serves the workspace (API and worker) and prints a sign-in for each role, unless
//! `--no-serve`.
//!
//! Each stage extends the walkthrough through its own gate. The decisions it plays are
//! recorded in the audit log as those people's, exactly as if they had typed them.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use jiff::Timestamp;
use leadgate_core::audit::Actor;
use leadgate_core::gate::{GateKind, GateStatus, Request};
use leadgate_core::icp::SAMPLE_ICP;
use leadgate_core::role::Role;
use leadgate_store::gates::{self, GateFilter};

use crate::cli::DemoArgs;
use crate::config;
use crate::engine::{auth, gates as engine_gates, icp as engine_icp, people};
use crate::server::Application;
use crate::workspace::Workspace;

/// The demo company's people: one or more per role. (name, full name, roles)
pub const PEOPLE: &[(&str, &str, &[Role])] = &[
    ("ada", "Ada Okafor", &[Role::Admin]),
    ("sam", "Sam Rivera", &[Role::SalesLead]),
    ("mia", "Mia Chen", &[Role::MarketingLead]),
    ("otto", "Otto Lindqvist", &[Role::SalesOps]),
    ("rita", "Rita Alves", &[Role::Reviewer]),
    ("ravi", "Ravi Menon", &[Role::Rep]),
    ("rosa", "Rosa Jiménez", &[Role::Rep]),
];

pub const DEMO_DOMAIN: &str = "routewise.example";

/// Where `leadgate demo` builds its workspace unless told otherwise (keep in step with cli.rs).
pub const DEFAULT_DIR: &str = "leadgate-demo";

pub async fn run(args: &DemoArgs, now: Timestamp) -> anyhow::Result<ExitCode> {
    let dir = args.dir.as_path();
    let binary = binary_name();
    let prefix = format!("{binary} -w {}", shell_word(&dir.display().to_string()));
    let walkthrough_command = if args.dir == Path::new(DEFAULT_DIR) {
        format!("{binary} demo --walkthrough")
    } else {
        format!(
            "{binary} demo --walkthrough --dir {}",
            shell_word(&dir.display().to_string())
        )
    };
    let workspace = if dir.join(config::FILE_NAME).exists() {
        println!(
            "The demo workspace in {} exists already; carrying on from where it is.",
            dir.display()
        );
        println!("(Remove that directory to build it afresh.)\n");
        Workspace::open(dir, now).await?
    } else {
        build(dir, args, now).await?
    };
    if args.walkthrough {
        walkthrough(&workspace, &prefix, now).await?;
    } else {
        explain_waiting(&workspace, &prefix, &walkthrough_command).await?;
    }
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    serve(workspace, &args.bind).await
}

/// The demo password of a demo person: printed, deterministic — it is a demo.
pub fn demo_password(name: &str) -> String {
    format!("demo-{name}")
}

async fn serve(workspace: Workspace, bind: &str) -> anyhow::Result<ExitCode> {
    let app = Application::build(workspace, bind, crate::clock::system()?)
        .await
        .context(
            "cannot start the demo server (another one running? pick a port with --bind, or pass --no-serve)",
        )?;
    let url = app.url();
    println!("\nThe leadgate server is running at {url} — Ctrl-C stops it.");
    println!("Sign in as one person per role (email / password):");
    let rows: Vec<Vec<String>> = PEOPLE
        .iter()
        .map(|(name, full, roles)| {
            vec![
                format!("  {name}@{DEMO_DOMAIN}"),
                demo_password(name),
                format!(
                    "{full}, {}",
                    roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join("+")
                ),
            ]
        })
        .collect();
    crate::commands::print_table(&["  EMAIL", "PASSWORD", "WHO"], &rows);
    println!("\nTo approve the demo ICP in the browser, as two different people:");
    println!(
        "  1. Open {url}/sign-in and sign in as sam@{DEMO_DOMAIN} (password demo-sam), the sales lead."
    );
    println!(
        "  2. \"My gates\" lists the ICP approval: open it, read the document, press Approve."
    );
    println!(
        "  3. Sign out (top right), sign in as mia@{DEMO_DOMAIN} (password demo-mia), the marketing lead, and approve too."
    );
    println!(
        "  The ICP is then live; the Audit log page shows every step and that the chain is intact."
    );
    println!(
        "Machines use the JSON API, described at {url}/api/openapi.json (tokens: `leadgate token create --as NAME`)."
    );
    app.run_until(crate::commands::shutdown_signal()).await?;
    println!("Stopped.");
    Ok(ExitCode::SUCCESS)
}

async fn build(dir: &Path, args: &DemoArgs, now: Timestamp) -> anyhow::Result<Workspace> {
    if dir.exists()
        && dir
            .read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    {
        anyhow::bail!(
            "{} exists and is not a leadgate workspace; choose another place with --dir DIR",
            dir.display()
        );
    }
    let workspace = Workspace::init(dir, "Routewise (demo)", None, now).await?;
    println!(
        "Building the demo workspace of Routewise, a company that sells lead routing, in {} (seed {}, scale {}).",
        dir.display(),
        args.seed,
        args.scale
    );
    for (name, _, roles) in PEOPLE {
        people::add(
            &workspace.store,
            &Actor::System,
            name,
            &format!("{name}@{DEMO_DOMAIN}"),
            roles.to_vec(),
            now,
        )
        .await?;
        auth::set_password(
            &workspace.store,
            &Actor::System,
            name,
            &demo_password(name),
            now,
        )
        .await?;
    }
    println!(
        "People: {}.",
        PEOPLE
            .iter()
            .map(|(name, full, roles)| format!(
                "{name} ({full}, {})",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join("+")
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let world = leadgate_demo::generate(
        &leadgate_demo::DemoConfig {
            seed: args.seed,
            scale: args.scale,
        },
        now,
    );
    let data_dir = dir.join("data");
    let files = leadgate_demo::write_files(&world, &data_dir)
        .with_context(|| format!("cannot write the sample data to {}", data_dir.display()))?;
    println!(
        "Sample data in {}: {} at {} companies, {} past deals in the CRM history, {} engagement and {} intent events (data/README.md says what is in each file).",
        data_dir.display(),
        files.summary(),
        thousands(files.companies),
        thousands(files.deals),
        thousands(world.engagement.len()),
        thousands(world.intent.len()),
    );
    let icp_path = dir.join("icp.toml");
    std::fs::write(&icp_path, SAMPLE_ICP)
        .with_context(|| format!("cannot write {}", icp_path.display()))?;
    let proposed =
        engine_icp::propose(&workspace.store, "otto", SAMPLE_ICP, "icp.toml", now).await?;
    println!(
        "Otto (sales ops) proposed the ICP of the segment `{}` from icp.toml; gate {} is open.",
        proposed.version.segment, proposed.gate.id
    );
    Ok(workspace)
}

/// How a newcomer runs leadgate from here: through cargo when the demo was started that way.
fn binary_name() -> &'static str {
    if std::env::var_os("CARGO_MANIFEST_DIR").is_some() {
        "cargo run --release --"
    } else {
        "leadgate"
    }
}

/// 12345 → "12,345".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn shell_word(word: &str) -> String {
    if word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

async fn open_gates(workspace: &Workspace) -> anyhow::Result<Vec<gates::Gate>> {
    let mut conn = workspace.store.conn().await?;
    Ok(gates::list(
        &mut conn,
        &GateFilter {
            status: Some(GateStatus::Open),
            ..Default::default()
        },
    )
    .await?)
}

async fn explain_waiting(
    workspace: &Workspace,
    prefix: &str,
    walkthrough: &str,
) -> anyhow::Result<()> {
    let open = open_gates(workspace).await?;
    println!();
    if open.is_empty() {
        println!("Nothing is waiting at a gate. See what happened with `{prefix} audit`.");
        return Ok(());
    }
    for gate in &open {
        let pending = gate.state().pending_roles();
        println!(
            "Waiting: gate {} — {} of {}.",
            gate.id,
            gate.kind.title(),
            gate.summary
        );
        match gate.kind {
            GateKind::IcpApproval | GateKind::IcpReview => {
                println!(
                    "It needs {} — two different people. In the demo, sam is the sales lead and mia the marketing lead.",
                    pending
                        .iter()
                        .map(|r| format!("a {r} approval"))
                        .collect::<Vec<_>>()
                        .join(" and ")
                );
                println!("\nRead the document, then decide:");
                if let Some(version) = engine_icp::parse_subject(&gate.subject) {
                    println!("  {prefix} icp show {version}");
                }
                println!("  {prefix} gate show {}", gate.id);
                for role in &pending {
                    let who = PEOPLE
                        .iter()
                        .find(|(_, _, roles)| roles.contains(role))
                        .map_or("NAME", |(name, _, _)| name);
                    println!("  {prefix} gate approve {} --as {who}", gate.id);
                }
                println!(
                    "(or `{prefix} gate reject {} --as NAME --reason \"…\"`)",
                    gate.id
                );
            }
        }
    }
    println!("\nThen check the record: `{prefix} audit` and `{prefix} audit verify`.");
    println!("Or watch the demo people decide at every gate: `{walkthrough}`.");
    Ok(())
}

async fn walkthrough(workspace: &Workspace, prefix: &str, now: Timestamp) -> anyhow::Result<()> {
    println!("\nWalkthrough: the demo people decide at every gate.\n");
    loop {
        let open = open_gates(workspace).await?;
        let Some(gate) = open.first() else { break };
        println!(
            "Gate {} — {} of {}.",
            gate.id,
            gate.kind.title(),
            gate.summary
        );
        for role in gate.state().pending_roles() {
            let Some((name, full, _)) = PEOPLE.iter().find(|(_, _, roles)| roles.contains(&role))
            else {
                anyhow::bail!("the demo has nobody with the role {role}");
            };
            let note = match gate.kind {
                GateKind::IcpApproval => {
                    format!("{full}: matches what we see in the {role} pipeline")
                }
                GateKind::IcpReview => format!("{full}: still true this quarter"),
            };
            let decided = engine_gates::decide(
                &workspace.store,
                gate.id,
                name,
                Request::Approve {
                    role: Some(role),
                    note: Some(note),
                },
                now,
            )
            .await?;
            println!(
                "  {full} ({name}, {role}) approves.{}",
                if decided.status == GateStatus::Approved {
                    " The gate is approved."
                } else {
                    ""
                }
            );
        }
        if let Some(id) = engine_icp::parse_subject(&gate.subject) {
            let mut conn = workspace.store.conn().await?;
            if let Some(v) = leadgate_store::icp::get(&mut conn, id).await? {
                println!(
                    "  → {} v{} is {}: the event IcpApproved starts what comes next, and its quarterly review is due in 90 days.",
                    v.segment, v.version, v.status
                );
            }
        }
    }
    let mut conn = workspace.store.conn().await?;
    let verified = leadgate_store::audit::verify(&mut conn).await?;
    match verified {
        Ok(v) => println!(
            "\nThe audit log records every step: {} entries, chain intact (`{prefix} audit`).",
            v.entries
        ),
        Err(broken) => println!("\nThe audit log is broken: {broken}"),
    }
    println!(
        "Stage 1 (ICP) is all that is built so far; discovery, enrichment and scoring, outreach and handoff come next."
    );
    Ok(())
}
