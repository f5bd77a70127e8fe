//! `leadgate demo`: a workspace with the demo company's people and the sample ICP, stopped at
//! the first gate with plain words about what waits and the exact commands to go on — or,
//! with `--walkthrough`, the demo people's decisions played at every gate, narrated. Then it
//! serves the workspace (API and worker) and prints a sign-in for each role, unless
//! `--no-serve`.
//!
//! Each stage extends the walkthrough through its own gate. The decisions it plays are
//! recorded in the audit log as those people's, exactly as if they had typed them.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use jiff::Timestamp;
use leadgate_core::audit::{Actor, Subject};
use leadgate_core::discovery::sample::ReviewVerdict;
use leadgate_core::gate::{GateKind, GateStatus, Request};
use leadgate_core::icp::SAMPLE_ICP;
use leadgate_core::role::Role;
use leadgate_store::gates::{self, GateFilter};

mod handoff;

use crate::cli::DemoArgs;
use crate::config;
use crate::engine::discovery::review::{self, ItemDecision};
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

/// Routewise's postal address: the footer of every e-mail carries it.
const DEMO_ADDRESS: &str =
    "Routewise Ltd, 12 Harbour Street, Leith, Edinburgh EH6 6PL, United Kingdom";

/// The demo's outreach sequence, written into the workspace: the example every newcomer
/// reads in docs/outreach.md.
const DEMO_SEQUENCE: &str = include_str!("../../../../../examples/outreach/hiring.toml");
const DEMO_SEQUENCE_FILE: &str = "sequence-hiring.toml";

/// The demo's CRM history of past leads and their outcomes, under data/: what the scoring
/// model is trained on.
pub const LEAD_HISTORY: &str = "crm/lead_history.csv";

/// The demo's source exports: (file in data/sources, source name, preset).
pub const DEMO_SOURCES: &[(&str, &str, &str)] = &[
    ("apollo_people.csv", "apollo", "apollo"),
    ("salesnav_leads.csv", "salesnav", "salesnav"),
    ("hubspot_contacts.csv", "hubspot", "hubspot"),
];

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
    super::print_table(&["  EMAIL", "PASSWORD", "WHO"], &rows);
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
    app.run_until(super::shutdown_signal()).await?;
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
    let workspace =
        Workspace::init(dir, "Routewise (demo)", args.database_url.as_deref(), now).await?;
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
    let enrichment_files = leadgate_demo::write_enrichment(&world, &data_dir)
        .with_context(|| format!("cannot write the sample data to {}", data_dir.display()))?;
    println!(
        "Enrichment sheets in {}: {} companies ({}) and {} people ({}), read by two file providers of [enrichment].",
        data_dir.display(),
        thousands(enrichment_files.companies),
        leadgate_demo::ENRICHMENT_COMPANIES,
        thousands(enrichment_files.people),
        leadgate_demo::ENRICHMENT_PEOPLE,
    );
    let history = leadgate_demo::history::write(&data_dir.join(LEAD_HISTORY), args.seed, now)
        .with_context(|| format!("cannot write the sample data to {}", data_dir.display()))?;
    println!(
        "A CRM history of {} past leads ({} converted) in data/{LEAD_HISTORY}, to train the scoring model on.",
        thousands(history.rows),
        thousands(history.conversions),
    );
    // The exports are the workspace's configured sources: the worker imports them when an
    // ICP goes live, and discovery builds the first prospect list from them.
    let config_path = dir.join(config::FILE_NAME);
    let mut text = std::fs::read_to_string(&config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    for (file, source, format) in DEMO_SOURCES {
        text.push_str(&format!(
            "\n[[discovery.sources]]\nfile = \"data/sources/{file}\"\nsource = \"{source}\"\nformat = \"{format}\"\n"
        ));
    }
    // The enrichment sheets are the workspace's providers: `enrich run` reads them.
    text.push_str(&format!(
        "\n[[enrichment.providers]]\nname = \"research_sheet\"\nkind = \"file\"\norder = 1\npath = \"data/{}\"\nfields = [\"funding_stage\", \"funding_date\", \"headcount\", \"headcount_growth_pct\", \"open_roles\", \"tech_stack\"]\n\
         \n[[enrichment.providers]]\nname = \"people_sheet\"\nkind = \"file\"\norder = 2\npath = \"data/{}\"\nfields = [\"seniority\", \"role_start_date\"]\n",
        leadgate_demo::ENRICHMENT_COMPANIES,
        leadgate_demo::ENRICHMENT_PEOPLE,
    ));
    // Who takes the leads that answer: the reps' calendars and the routing rules.
    text.push_str(handoff::CONFIG);
    // Who the outreach is from: Ravi, a rep, at Routewise's postal address; his mailbox has
    // no relay, so every message lands in outbox/ and nothing leaves the machine.
    text.push_str(&format!(
        "\n[outreach.sender]\nname = \"Ravi Menon\"\ntitle = \"Account Executive\"\ncompany = \"Routewise\"\naddress = \"{DEMO_ADDRESS}\"\n\
         \n[[outreach.mailboxes]]\naddress = \"ravi@{DEMO_DOMAIN}\"\ndaily_cap = 50\n"
    ));
    std::fs::write(&config_path, &text)
        .with_context(|| format!("cannot write {}", config_path.display()))?;
    let sequence_path = dir.join(DEMO_SEQUENCE_FILE);
    std::fs::write(&sequence_path, DEMO_SEQUENCE)
        .with_context(|| format!("cannot write {}", sequence_path.display()))?;
    let mut workspace = workspace;
    workspace.config = config::Config::parse(&text, &config_path)?;
    // The CRM's deal history names the customers, whose people are not prospects.
    let customers = crate::engine::discovery::customers::import(
        &workspace.store,
        &data_dir.join("crm/deal_history.csv"),
        "crm",
        "otto",
        now,
    )
    .await?;
    println!(
        "Otto imported the CRM's deal history as the customer accounts: {} won deals name {} customers.",
        customers.customer_rows, customers.accounts
    );
    // Engagement on Routewise's own site and e-mail, and third-party intent: the ICP's
    // signals and intent criteria read them when discovery judges each contact.
    for file in ["events/engagement.jsonl", "events/intent.jsonl"] {
        let report = crate::engine::engagement::import_file(
            &workspace.store,
            &data_dir.join(file),
            leadgate_core::engagement::KindChoice::Auto,
            &Actor::Person("otto".to_string()),
            None,
            now,
        )
        .await?;
        println!(
            "Otto imported data/{file} (`leadgate events import`): {} rows, {} engagement and {} intent records stored, {} rejected.",
            thousands(report.rows_read as usize),
            thousands(report.engagement as usize),
            thousands(report.intent as usize),
            report.rejected
        );
    }
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
                if let Subject::Icp(version) = &gate.subject {
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
                println!(
                    "Once it is approved, the server's worker (or `{prefix} worker --once`) imports the three exports and builds the first prospect list."
                );
            }
            GateKind::SampleReview => {
                println!(
                    "A reviewer marks each of the sampled records match or no match; the list moves on when enough match. In the demo, rita is the reviewer."
                );
                println!("  {prefix} review sample {} --show", gate.id);
                println!("  {prefix} review sample {} --as rita", gate.id);
            }
            GateKind::ModelCalibration | GateKind::ModelReview => {
                println!(
                    "Sales ops checks the scoring model's calibration report, never the person who trained it."
                );
                println!("  {prefix} gate show {}", gate.id);
                println!("  {prefix} gate approve {} --as NAME --note \"…\"", gate.id);
            }
            GateKind::VariantApproval => {
                println!(
                    "A reviewer who did not write the sequence reads its first message, every personalised claim beside its fact. In the demo, rita is the reviewer."
                );
                println!("  {prefix} gate show {}", gate.id);
                println!("  {prefix} gate approve {} --as rita", gate.id);
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
        if gate.kind == GateKind::SampleReview {
            review_sample(workspace, gate, now).await?;
            continue;
        }
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
                GateKind::ModelCalibration => {
                    format!("{full}: calibration checked against last quarter's pipeline")
                }
                GateKind::ModelReview => format!("{full}: scores still match what converts"),
                GateKind::VariantApproval => {
                    format!("{full}: every claim checked against its fact; voice and footer fine")
                }
                GateKind::SampleReview => unreachable!("decided record by record above"),
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
        if let Subject::Icp(id) = gate.subject {
            let mut conn = workspace.store.conn().await?;
            if let Some(v) = leadgate_store::icp::get(&mut conn, id).await? {
                println!(
                    "  → {} v{} is {}: the event IcpApproved starts what comes next, and its quarterly review is due in 90 days.",
                    v.segment, v.version, v.status
                );
            }
            drop(conn);
            discover(workspace, now).await?;
        }
    }
    if enrich(workspace, now).await? {
        score(workspace, prefix, now).await?;
        outreach(workspace, prefix, now).await?;
        handoff::walkthrough(workspace, prefix, now).await?;
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
        "Stages 1 (ICP), 2 (discovery), 3 (enrichment and scoring) and 4 (outreach) are built; stage 5 (handoff to sales) routes, times and gates each lead (the README says what is not finished)."
    );
    Ok(())
}

/// Mia (marketing lead) stores the demo's sequence; otto enrolls the leads of the outreach
/// stage; each variant's first message waits at its gate until rita (reviewer) reads it and
/// approves — mia, its author, may not. As `leadgate sequence add`, `sequence enroll` and
/// `gate approve` do.
async fn outreach(workspace: &Workspace, prefix: &str, now: Timestamp) -> anyhow::Result<()> {
    use crate::engine::outreach::sequences::{self, Enrolled};
    let added = sequences::add(
        &workspace.store,
        "mia",
        DEMO_SEQUENCE,
        DEMO_SEQUENCE_FILE,
        now,
    )
    .await?;
    let name = added.version.sequence.name.clone();
    println!(
        "Mia (marketing lead) stored the sequence \"{name}\" from {DEMO_SEQUENCE_FILE} (`{prefix} sequence add {DEMO_SEQUENCE_FILE} --as mia`): variants {}.",
        added
            .version
            .variants
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let outcomes = sequences::enroll(
        &workspace.store,
        &name,
        None,
        "otto",
        &workspace.config.outreach,
        now,
    )
    .await?;
    let enrolled = outcomes
        .iter()
        .filter(|o| matches!(o, Enrolled::Enrolled { .. }))
        .count();
    let gates: Vec<i64> = outcomes
        .iter()
        .filter_map(|o| match o {
            Enrolled::Enrolled { gate, .. } => *gate,
            Enrolled::Skipped { .. } => None,
        })
        .collect();
    println!(
        "  → otto enrolled {enrolled} of the {} outreach leads (`{prefix} sequence enroll \"{name}\" --as otto`); the first message of each variant waits at gates {}.",
        outcomes.len(),
        gates
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" and ")
    );
    for gate in gates {
        let refused = engine_gates::decide(
            &workspace.store,
            gate,
            "mia",
            Request::Approve {
                role: None,
                note: None,
            },
            now,
        )
        .await;
        let decided = engine_gates::decide(
            &workspace.store,
            gate,
            "rita",
            Request::Approve {
                role: None,
                note: Some(
                    "Rita Alves: every claim checked against its fact; voice and footer fine"
                        .to_string(),
                ),
            },
            now,
        )
        .await?;
        anyhow::ensure!(
            refused.is_err(),
            "mia approved gate {gate}, the first message of her own sequence"
        );
        println!(
            "  → rita (reviewer) read gate {gate}'s message, each personalised word beside its fact (`{prefix} gate show {gate}`), and approved it{}; mia, who wrote it, could not.",
            if decided.status == GateStatus::Approved {
                ""
            } else {
                " (still open)"
            },
        );
    }
    let report = crate::engine::outreach::send::run(
        &workspace.store,
        &super::send::sending(workspace),
        false,
        now,
    )
    .await?;
    println!(
        "  → the sender ran (`{prefix} send run`): {} e-mails written, DKIM-signed and sent into {} (Ravi's mailbox has no relay: nothing leaves the machine); {} leads wait for business hours in their own time zone (`{prefix} send list`, `{prefix} sender dns`).",
        report.sent,
        workspace.dir.join("outbox").display(),
        report.not_due,
    );
    if let Some(lead) = outcomes.iter().find_map(|o| match o {
        Enrolled::Enrolled { lead, .. } => Some(*lead),
        Enrolled::Skipped { .. } => None,
    }) {
        println!(
            "  → lead {lead}'s first e-mail exactly as it goes, headers and signature included: `{prefix} outreach preview {lead} --step 1`."
        );
    }
    Ok(())
}

/// Once a list has passed its sample review, otto enriches its contacts from the demo's
/// research sheets, as `leadgate enrich run` does.
async fn enrich(workspace: &Workspace, now: Timestamp) -> anyhow::Result<bool> {
    let mut conn = workspace.store.conn().await?;
    let approved = leadgate_store::discovery::lists(&mut conn)
        .await?
        .iter()
        .any(|l| l.status == leadgate_core::discovery::prospect::ListStatus::Approved);
    drop(conn);
    if !approved {
        println!("No list passed its sample review, so nothing is enriched.");
        return Ok(false);
    }
    let providers = super::enrichment::providers(workspace)?;
    let report = crate::engine::enrichment::run(
        &workspace.store,
        &providers,
        &Actor::Person("otto".to_string()),
        None,
        now,
    )
    .await?;
    let l = &report.ledger;
    println!(
        "Otto enriched the approved list (`leadgate enrich run`, run {}): {} contacts and {} companies; {} fields filled, {} not, {} problems; {} credits spent.",
        report.run_id,
        thousands(report.contacts as usize),
        thousands(report.companies as usize),
        thousands(l.fields_from_providers as usize),
        thousands(l.fields_unfilled as usize),
        report.problems.len(),
        report.spent,
    );
    println!(
        "  → {} records of facts stored with their provider as source; the costs: `leadgate enrich costs --run {}`.",
        thousands(report.records_stored as usize),
        report.run_id
    );
    Ok(true)
}

/// Ada trains the scoring model on the demo's CRM history and proposes it; otto (sales ops)
/// reads the calibration report and approves it — ada may not; then the enriched prospects
/// are scored into outreach and nurture, as `leadgate model train --as`, `leadgate gate
/// approve` and `leadgate leads score` do.
async fn score(workspace: &Workspace, prefix: &str, now: Timestamp) -> anyhow::Result<()> {
    use leadgate_core::scoring::{table, version};
    let path = workspace.dir.join("data").join(LEAD_HISTORY);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let spec = table::TableSpec {
        label: Some("converted".into()),
        positive: Some("yes".into()),
        time: Some("created_at".into()),
        exclude: Vec::new(),
    };
    let history = table::HistoryTable::parse(&text, &format!("data/{LEAD_HISTORY}"), &spec)?;
    let trained_on = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let trained = version::train(&history, &version::Training::default(), trained_on, &|| 0.0)?;
    let proposed =
        crate::engine::model::propose_trained(&workspace.store, "ada", &trained, Some(100), now)
            .await?;
    let cv = &trained.cross_validation;
    println!(
        "\nAda trained scoring model {} on the CRM history (`{prefix} model train --history {} --time created_at --as ada`): {} terms, cross-validated ROC AUC {:.3}; it waits at gate {} for sales ops.",
        trained.version,
        path.display(),
        trained.scorecard.terms.len(),
        cv.roc_auc,
        proposed.gate.id
    );
    for warning in &proposed.gate.warnings {
        println!("  ! {warning}");
    }
    let note = if proposed.gate.warnings.is_empty() {
        "Otto Lindqvist: lift and calibration hold on the newest window".to_string()
    } else {
        "Otto Lindqvist: the warnings are read; the newest window still ranks well and sales knows the mix changed".to_string()
    };
    engine_gates::decide(
        &workspace.store,
        proposed.gate.id,
        "otto",
        Request::Approve {
            role: Some(Role::SalesOps),
            note: Some(note),
        },
        now,
    )
    .await?;
    println!(
        "  → otto (sales ops) read the report (`{prefix} model report {}`) and approved it; ada, who trained it, could not.",
        trained.version
    );
    let config = &workspace.config;
    let run = crate::engine::scoring::run(
        &workspace.store,
        &config.scoring,
        &config.discovery.pages,
        now,
    )
    .await?;
    println!(
        "  → scored {} leads with {} at threshold {}: {} to outreach, {} to nurture (`{prefix} leads list`).",
        thousands(run.scored),
        run.version,
        run.threshold,
        thousands(run.outreach),
        thousands(run.nurture)
    );
    Ok(())
}

/// Runs the jobs the ICP's approval queued, as the server's worker would: the sources are
/// imported and discovery builds the prospect list.
async fn discover(workspace: &Workspace, now: Timestamp) -> anyhow::Result<()> {
    let worker = workspace.worker("demo-walkthrough");
    worker.drain(&workspace.store, now).await?;
    let mut conn = workspace.store.conn().await?;
    for i in leadgate_store::discovery::imports(&mut conn).await? {
        println!(
            "  → imported {} ({}): {} rows read, {} stored, {} merged, {} rejected.",
            i.origin, i.source, i.rows_read, i.stored, i.merged, i.rejected
        );
    }
    if let Some(list) = leadgate_store::discovery::lists(&mut conn).await?.first() {
        println!(
            "  → discovery resolved the sources into contacts and built list {} for {}: {} admitted, {} waiting for data, {} dropped.",
            list.id,
            list.segment,
            list.summary["admitted"],
            list.summary["needs_data"],
            list.summary["dropped"]
        );
    }
    Ok(())
}

/// Rita reviews the sample as a careful reviewer with the truth tables at hand would: a
/// record that joins two different people, or whose company the facts show outside the ICP,
/// does not match.
async fn review_sample(
    workspace: &Workspace,
    gate: &gates::Gate,
    now: Timestamp,
) -> anyhow::Result<()> {
    let truth = DemoTruth::read(&workspace.dir.join("data/truth"))?;
    let mut conn = workspace.store.conn().await?;
    let items = leadgate_store::discovery::sample_items(&mut conn, gate.id).await?;
    let mut decisions = Vec::new();
    for item in &items {
        let records = leadgate_store::discovery::records_of(&mut conn, &[item.contact_id]).await?;
        let (verdict, reason) = truth.judge(&records);
        println!(
            "  record {} (contact {}, {}): {}{}",
            item.position,
            item.contact_id,
            item.stratum,
            verdict.label(),
            reason
                .as_deref()
                .map(|r| format!(" — {r}"))
                .unwrap_or_default()
        );
        decisions.push(ItemDecision {
            position: item.position,
            verdict,
            reason,
        });
    }
    drop(conn);
    let progress = review::review(
        &workspace.store,
        &workspace.config.discovery,
        gate.id,
        "rita",
        &decisions,
        now,
    )
    .await?;
    if let Some(o) = progress.outcome {
        println!(
            "  Rita Alves (rita, reviewer): {} of {} match, {} needed — the gate is {}.{}",
            o.matches,
            o.reviewed,
            o.required,
            progress.gate.status,
            if o.passed {
                " The list moves on to enrichment (stage 3)."
            } else {
                " The list stops; the error rates per source say what to fix."
            }
        );
    }
    Ok(())
}

/// The demo's truth tables: which person each source row is, and how each company stands
/// against the ICP.
struct DemoTruth {
    person_of_row: HashMap<(String, i64), String>,
    company_of_row: HashMap<(String, i64), String>,
    /// Company → the ICP criteria it misses that sources carry facts for; customer flag.
    company: HashMap<String, (Vec<String>, bool)>,
}

impl DemoTruth {
    fn read(dir: &Path) -> anyhow::Result<DemoTruth> {
        let rows = |file: &str| -> anyhow::Result<Vec<HashMap<String, String>>> {
            let path = dir.join(file);
            let mut reader = csv::Reader::from_path(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let header = reader.headers()?.clone();
            reader
                .records()
                .map(|r| {
                    let r = r?;
                    Ok(header
                        .iter()
                        .zip(r.iter())
                        .map(|(h, v)| (h.to_string(), v.to_string()))
                        .collect())
                })
                .collect()
        };
        let mut truth = DemoTruth {
            person_of_row: HashMap::new(),
            company_of_row: HashMap::new(),
            company: HashMap::new(),
        };
        for r in rows("people.csv")? {
            let file = r["file"].trim_start_matches("sources/").to_string();
            let source = DEMO_SOURCES
                .iter()
                .find(|(f, _, _)| *f == file)
                .map_or(file.clone(), |(_, s, _)| s.to_string());
            let row: i64 = r["row"].parse().unwrap_or(0);
            truth
                .person_of_row
                .insert((source.clone(), row), r["person_id"].clone());
            truth
                .company_of_row
                .insert((source, row), r["company_id"].clone());
        }
        const CHECKABLE: &[&str] = &[
            "industry",
            "too_small",
            "too_large",
            "country",
            "revenue",
            "no_crm",
            "competitor_tool",
            "competitor",
        ];
        for r in rows("companies.csv")? {
            let misses = r["icp_misses"]
                .split(';')
                .filter(|m| CHECKABLE.contains(m))
                .map(str::to_string)
                .collect();
            truth.company.insert(
                r["company_id"].clone(),
                (misses, r["is_customer"] == "true"),
            );
        }
        Ok(truth)
    }

    fn judge(
        &self,
        records: &[leadgate_store::discovery::Record],
    ) -> (ReviewVerdict, Option<String>) {
        let key = |r: &leadgate_store::discovery::Record| (r.source.clone(), r.row_number);
        let mut people: Vec<&String> = records
            .iter()
            .filter_map(|r| self.person_of_row.get(&key(r)))
            .collect();
        people.sort();
        people.dedup();
        if people.len() > 1 {
            return (
                ReviewVerdict::NoMatch,
                Some("two different people merged".to_string()),
            );
        }
        let newest = records.iter().max_by_key(|r| r.observed_at);
        let company = newest
            .and_then(|r| self.company_of_row.get(&key(r)))
            .and_then(|c| self.company.get(c));
        match company {
            Some((_, true)) => (
                ReviewVerdict::NoMatch,
                Some("already a customer".to_string()),
            ),
            Some((misses, false)) if !misses.is_empty() => (
                ReviewVerdict::NoMatch,
                Some(format!("company outside the ICP: {}", misses.join(", "))),
            ),
            _ => (ReviewVerdict::Match, None),
        }
    }
}
