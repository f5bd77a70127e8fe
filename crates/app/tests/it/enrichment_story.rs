//! Enrichment in a workspace, on both backends: the contacts of an approved list enriched
//! from files, their facts stored as records with the provider as source and its
//! observed_at, and a second run within the TTL buying nothing; providers that time out,
//! answer garbage or cost more than the budget leaves, each recorded with its reason in
//! `enrich costs`, the waterfall falling through to the next provider and the budget never
//! exceeded. HTTP providers answer from a loopback server; nothing sleeps (the one timeout
//! is 50 ms against a server that never answers).

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use jiff::{SignedDuration, Timestamp};
use leadgate::engine::enrichment::{self, RunReport};
use leadgate::engine::people;
use leadgate::workspace::Workspace;
use leadgate_connectors::enrich::Enrichment;
use leadgate_connectors::enrich::config::{BuildContext, EnrichmentConfig};
use leadgate_connectors::search::{BoxFuture, Sleeper};
use leadgate_core::audit::Actor;
use leadgate_core::discovery::prospect::ListStatus;
use leadgate_core::enrichment::{Credits, FailureKind};
use leadgate_core::role::Role;
use leadgate_store::discovery as stored;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, TestWorkspace};

on_both_backends!(
    a_file_run_stores_facts_and_a_second_run_buys_nothing,
    file_story
);
on_both_backends!(
    failing_providers_are_recorded_and_the_budget_holds,
    failure_story
);

fn now() -> Timestamp {
    "2026-12-01T09:00:00Z".parse().unwrap()
}

/// A sleeper that does not wait: retries and rate limits pass at once.
struct NoWait;

impl Sleeper for NoWait {
    fn sleep(&self, _: std::time::Duration) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

fn build(ws: &TestWorkspace, toml: &str) -> Enrichment {
    let config = EnrichmentConfig::parse(toml, "leadgate.toml").unwrap();
    let context = BuildContext {
        base_dir: ws.path().to_path_buf(),
        env: Arc::new(|_| None),
        clock: Arc::new(now),
        sleeper: Arc::new(NoWait),
    };
    config.build(&context).unwrap().enrichment
}

/// Three VP Sales at two companies (firm0.com has two), on a list whose sample passed; Cy's
/// data is seven months old, so he waits in the refresh queue as stale.
async fn approved_list(ws: &TestWorkspace) -> Workspace {
    let workspace = ws.init(now()).await;
    for (name, role) in [
        ("sam", Role::SalesLead),
        ("mia", Role::MarketingLead),
        ("otto", Role::SalesOps),
    ] {
        people::add(
            &workspace.store,
            &Actor::System,
            name,
            &format!("{name}@example.com"),
            vec![role],
            now(),
        )
        .await
        .unwrap();
    }
    crate::support::live_icp(&workspace.store, leadgate_core::icp::SAMPLE_ICP, now()).await;
    let sheet = ws.write(
        "people.csv",
        "first_name,last_name,email,title,company_name,company_domain,industry,employees,revenue,technologies,country,region,observed_at\n\
         Ann,Lee,ann@firm0.com,VP Sales,Firm0,firm0.com,Computer Software,200,40000000,Salesforce,US,Texas,2026-11-25\n\
         Bob,Ray,bob@firm0.com,VP Sales,Firm0,firm0.com,Computer Software,200,40000000,Salesforce,US,Texas,2026-11-25\n\
         Cy,Orr,cy@firm1.com,VP Sales,Firm1,firm1.com,Computer Software,300,40000000,Salesforce,US,Texas,2026-05-01\n",
    );
    crate::support::import_sheet(&workspace.store, sheet, ws.path().join("imports"), now()).await;
    workspace
        .worker("test")
        .drain(&workspace.store, now())
        .await
        .unwrap();
    // The sample review is discovery's story; here the list has passed it.
    let mut conn = workspace.store.conn().await.unwrap();
    let list = stored::lists(&mut conn).await.unwrap()[0].id;
    stored::set_list_status(&mut conn, list, ListStatus::Approved)
        .await
        .unwrap();
    workspace
}

const FILES: &str = r#"
[enrichment]
cache_ttl_days = 90

[[enrichment.providers]]
name = "company_sheet"
kind = "file"
path = "companies.csv"
fields = ["funding_stage", "funding_date", "headcount", "headcount_growth_pct", "open_roles", "tech_stack"]

[[enrichment.providers]]
name = "people_sheet"
kind = "file"
path = "contacts.csv"
fields = ["seniority", "role_start_date"]
"#;

async fn records_of(workspace: &Workspace, email: &str) -> Vec<stored::Record> {
    let mut conn = workspace.store.conn().await.unwrap();
    let contact = stored::contacts_with_email(&mut conn, email).await.unwrap()[0];
    stored::records_of(&mut conn, &[contact]).await.unwrap()
}

async fn file_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    // Arrange: a list of three contacts at two companies; a company sheet with both
    // companies and a people sheet that knows Ann and Cy, not Bob.
    let workspace = approved_list(&ws).await;
    ws.write(
        "companies.csv",
        "domain,observed_at,funding_stage,funding_date,headcount,headcount_growth_pct,open_roles,tech_stack\n\
         firm0.com,2026-11-20,Series B,2026-03-02,180,12.5,7,HubSpot;Gong\n\
         firm1.com,2026-11-20,Seed,2025-10-01,40,,2,Salesforce\n",
    );
    ws.write(
        "contacts.csv",
        "email,observed_at,seniority,role_start_date\n\
         ann@firm0.com,2026-11-25,vp,2024-02-01\n\
         cy@firm1.com,2026-11-25,vp,2023-07-15\n",
    );
    let providers = build(&ws, FILES);
    let queued = stored::refresh_queue(&mut workspace.store.conn().await.unwrap())
        .await
        .unwrap();
    let cy =
        stored::contacts_with_email(&mut workspace.store.conn().await.unwrap(), "cy@firm1.com")
            .await
            .unwrap()[0];
    assert_eq!(
        queued
            .iter()
            .map(|q| (q.contact_id, q.reason.as_str()))
            .collect::<Vec<_>>(),
        [(cy, "stale")]
    );

    // Act
    let first = enrichment::run(&workspace.store, &providers, &Actor::System, None, now())
        .await
        .unwrap();
    let records_after_first = stored::totals(&mut workspace.store.conn().await.unwrap())
        .await
        .unwrap()
        .records;
    let later = now() + SignedDuration::from_hours(24 * 10);
    let second = enrichment::run(&workspace.store, &providers, &Actor::System, None, later)
        .await
        .unwrap();

    // Assert: Cy, waiting in the refresh queue, and his company go first, and the fresh
    // facts take him off the queue.
    assert_eq!(first.from_refresh_queue, 1);
    assert_eq!(first.filled[0].subject, "company:firm1.com");
    assert_eq!(first.refresh_cleared, 1);
    assert!(
        stored::refresh_queue(&mut workspace.store.conn().await.unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    // Each company bought once, though firm0.com has two people on the list.
    let line = |r: &RunReport, name: &str| {
        r.ledger
            .providers
            .iter()
            .find(|p| p.provider == name)
            .unwrap()
            .clone()
    };
    assert_eq!(first.companies, 2);
    assert_eq!(line(&first, "company_sheet").calls, 2);
    assert_eq!(line(&first, "company_sheet").hits, 2);
    assert_eq!(
        (
            line(&first, "people_sheet").hits,
            line(&first, "people_sheet").misses
        ),
        (2, 1),
        "Bob is not in the people sheet"
    );
    // Ann's facts are records of her contact, from the provider, as it observed them; the
    // company's with each of its people.
    let ann = records_of(&workspace, "ann@firm0.com").await;
    let company = ann
        .iter()
        .find(|r| r.source == "company_sheet")
        .expect("a record of the company sheet");
    assert_eq!(
        company.observed_at,
        "2026-11-20T00:00:00Z".parse::<Timestamp>().unwrap()
    );
    assert_eq!(company.facts["funding_stage"], json!("Series B"));
    assert_eq!(company.facts["headcount"], json!(180));
    assert_eq!(company.facts["employees"], json!("180"));
    assert_eq!(company.facts["technologies"], json!(["HubSpot", "Gong"]));
    assert_eq!(company.facts["company_domain"], json!("firm0.com"));
    let person = ann.iter().find(|r| r.source == "people_sheet").unwrap();
    assert_eq!(person.facts["seniority"], json!("vp"));
    assert_eq!(person.facts["role_start_date"], json!("2024-02-01"));
    let bob = records_of(&workspace, "bob@firm0.com").await;
    assert!(bob.iter().any(|r| r.source == "company_sheet"));
    assert!(!bob.iter().any(|r| r.source == "people_sheet"));

    // The second run, ten days later, takes every value from the cache and does not ask
    // again about Bob: no call, no credit, no new record.
    for p in &second.ledger.providers {
        assert_eq!(p.calls, 0, "{} was called again", p.provider);
    }
    assert_eq!(second.ledger.fields_from_providers, 0);
    assert_eq!(
        second.ledger.fields_from_cache,
        first.ledger.fields_from_providers
    );
    assert_eq!(line(&second, "people_sheet").skipped_recent_miss, 1);
    assert_eq!(second.records_stored, 0);
    let records_after_second = stored::totals(&mut workspace.store.conn().await.unwrap())
        .await
        .unwrap()
        .records;
    assert_eq!(records_after_first, records_after_second);

    // The audit log and the costs name both runs.
    let costs = enrichment::costs(&workspace.store, None).await.unwrap();
    assert_eq!(costs.runs.len(), 2);
    assert_eq!(costs.runs[0].run.id, second.run_id);
    let out = ws.leadgate(&["audit", "--json"]).ok().stdout();
    assert!(out.contains("enrichment.ran"), "{out}");
}

/// A loopback API: `/slow` never answers, `/garbage` answers HTML, `/pricey` answers well
/// (and must never be asked).
async fn api() -> String {
    let app = Router::new()
        .route("/slow", get(std::future::pending::<&'static str>))
        .route(
            "/garbage",
            get(|| async { ([("content-type", "application/json")], "<html>oops</html>") }),
        )
        .route(
            "/pricey",
            get(|| async {
                (
                    [("content-type", "application/json")],
                    r#"{"employees": 999}"#,
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn failing(base: &str) -> String {
    format!(
        r#"
[enrichment]
budget = 1

[[enrichment.providers]]
name = "slow_api"
kind = "http"
url = "{base}/slow?domain={{domain}}"
cost = 0.5
timeout_secs = 0.05
retries = 0
fields = ["headcount"]
[enrichment.providers.map]
headcount = "/employees"

[[enrichment.providers]]
name = "garbage_api"
kind = "http"
url = "{base}/garbage?domain={{domain}}"
cost = 0.5
retries = 0
fields = ["headcount"]
[enrichment.providers.map]
headcount = "/employees"

[[enrichment.providers]]
name = "pricey_api"
kind = "http"
url = "{base}/pricey?domain={{domain}}"
cost = 5
fields = ["headcount"]
[enrichment.providers.map]
headcount = "/employees"

[[enrichment.providers]]
name = "sheet"
kind = "file"
path = "companies.csv"
fields = ["headcount"]
"#
    )
}

async fn failure_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    // Arrange: before the sheet, an API that times out, one that answers garbage (and
    // charges for it), and one that costs more than the whole budget of 1 credit.
    let workspace = approved_list(&ws).await;
    ws.write(
        "companies.csv",
        "domain,observed_at,headcount\nfirm0.com,2026-11-20,180\nfirm1.com,2026-11-20,40\n",
    );
    let base = api().await;
    let providers = build(&ws, &failing(&base));

    // Act
    let report = enrichment::run(&workspace.store, &providers, &Actor::System, None, now())
        .await
        .unwrap();

    // Assert: the budget holds, each provider's failures are counted by kind, and the
    // sheet filled what the APIs did not.
    assert_eq!(report.budget, Some(Credits::whole(1)));
    assert!(report.spent <= Credits::whole(1), "spent {}", report.spent);
    let line = |name: &str| {
        report
            .ledger
            .providers
            .iter()
            .find(|p| p.provider == name)
            .unwrap()
            .clone()
    };
    assert_eq!(line("slow_api").failures[&FailureKind::Timeout], 2);
    assert_eq!(line("garbage_api").failures[&FailureKind::Unparseable], 2);
    assert_eq!(line("pricey_api").calls, 0);
    assert_eq!(line("pricey_api").skipped_for_budget, 2);
    assert_eq!(line("sheet").hits, 2);
    let headcounts: Vec<(String, String)> = report
        .filled
        .iter()
        .map(|f| (f.subject.clone(), f.provider.clone()))
        .collect();
    assert_eq!(
        headcounts,
        [
            // Cy's company first: he waits in the refresh queue.
            ("company:firm1.com".to_string(), "sheet".to_string()),
            ("company:firm0.com".to_string(), "sheet".to_string())
        ]
    );

    // The costs keep a record of each problem with its reason, and the CLI prints them.
    let costs = enrichment::costs(&workspace.store, Some(report.run_id))
        .await
        .unwrap();
    let problems = &costs.runs[0].problems;
    let of = |kind: &str| problems.iter().filter(|p| p.kind == kind).count();
    assert_eq!(
        (of("timeout"), of("unparseable"), of("skipped_budget")),
        (2, 2, 2),
        "{problems:#?}"
    );
    let timeout = problems.iter().find(|p| p.kind == "timeout").unwrap();
    assert!(timeout.reason.contains("no answer within"), "{timeout:?}");
    let skipped = problems
        .iter()
        .find(|p| p.kind == "skipped_budget")
        .unwrap();
    assert!(skipped.reason.contains("costs 5 credits"), "{skipped:?}");
    assert_eq!(costs.spent, report.spent);

    let run_id = report.run_id.to_string();
    let out = ws
        .leadgate(&["enrich", "costs", "--run", &run_id])
        .ok()
        .stdout();
    for needle in [
        "slow_api",
        "timeout",
        "unparseable",
        "skipped_budget",
        "pricey_api",
    ] {
        assert!(out.contains(needle), "`{needle}` missing:\n{out}");
    }
    let json = ws.leadgate(&["enrich", "costs", "--json"]).ok().json();
    assert_eq!(json["runs"][0]["id"], json!(report.run_id));

    // Without a provider in leadgate.toml, `enrich run` says which key to add; a misspelt
    // key is named with its line; a provider whose key is not in the environment is named.
    ws.leadgate(&["enrich", "run"])
        .fails_with("key `enrichment.providers`");
    let config = std::fs::read_to_string(ws.path().join("leadgate.toml")).unwrap();
    let apollo = "\n[[enrichment.providers]]\nname = \"apollo_org\"\nkind = \"apollo_organization\"\napi_key_env = \"LEADGATE_TEST_NO_SUCH_KEY\"\n";
    ws.write("leadgate.toml", &format!("{config}{apollo}cots = 1\n"));
    ws.leadgate(&["enrich", "run"])
        .fails_with("key `enrichment.providers[0].cots`: unknown key");
    ws.write("leadgate.toml", &format!("{config}{apollo}"));
    ws.leadgate(&["enrich", "run"])
        .fails_with("LEADGATE_TEST_NO_SUCH_KEY");
}
