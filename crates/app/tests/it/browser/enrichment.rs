//! The enrichment page in the browser: two runs' books, the second over budget, read as a
//! RevOps person reads them — the providers' chart, the runs against their budgets, and the
//! problems of a run with their reasons — on a desktop and on a phone.

use std::sync::Arc;

use leadgate::engine::enrichment;
use leadgate_connectors::enrich::config::{BuildContext, EnrichmentConfig};
use leadgate_connectors::search::{BoxFuture, Sleeper};
use leadgate_core::audit::Actor;
use leadgate_core::discovery::prospect::ListStatus;
use leadgate_core::enrichment::Credits;
use leadgate_store::discovery as stored;

use super::{Browser, start_time};
use crate::support::{Backend, TestServer, open_sample_review_of};

/// A sleeper that does not wait.
struct NoWait;

impl Sleeper for NoWait {
    fn sleep(&self, _: std::time::Duration) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

/// One company sheet that charges a credit a call.
const PROVIDERS: &str = r#"
[enrichment]
cache_ttl_days = 90

[[enrichment.providers]]
name = "company_sheet"
kind = "file"
path = "companies.csv"
cost = 1
fields = ["funding_stage", "headcount", "open_roles"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_books_of_each_run_read_against_its_budget() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    let now = start_time();
    // Arrange: three VP Sales at three companies on an approved list; the sheet knows two of
    // the companies. The first run may spend 1 credit, so it passes over two companies; the
    // second has no budget and buys the rest.
    let rows: String = (0..3)
        .map(|i| format!("Lead{i},Zed,l{i}@firm{i}.com,VP Sales,Firm{i},firm{i}.com,Computer Software,200,40000000,Salesforce,US,\n"))
        .collect();
    open_sample_review_of(&server, now, &rows).await;
    let store = &server.store;
    let mut conn = store.conn().await.unwrap();
    let list = stored::lists(&mut conn).await.unwrap().remove(0);
    stored::set_list_status(&mut conn, list.id, ListStatus::Approved)
        .await
        .unwrap();
    drop(conn);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("companies.csv"),
        "domain,observed_at,funding_stage,headcount,open_roles\n\
         firm0.com,2026-11-20,Series B,180,7\n\
         firm1.com,2026-11-20,Seed,40,2\n",
    )
    .unwrap();
    let context = BuildContext {
        base_dir: dir.path().to_path_buf(),
        env: Arc::new(|_| None),
        clock: Arc::new(start_time),
        sleeper: Arc::new(NoWait),
    };
    let providers = EnrichmentConfig::parse(PROVIDERS, "leadgate.toml")
        .unwrap()
        .build(&context)
        .unwrap()
        .enrichment;
    let first = enrichment::run(
        store,
        &providers,
        &Actor::Person("otto".into()),
        Some(Credits::whole(1)),
        now,
    )
    .await
    .unwrap();
    let second = enrichment::run(store, &providers, &Actor::Person("otto".into()), None, now)
        .await
        .unwrap();
    assert!(!first.problems.is_empty(), "{first:?}");

    // The API gives the same books: one run's, or every run's with the totals.
    let token = server.token("otto").await;
    let get = |path: String| server.client.get(server.at(&path)).bearer_auth(&token);
    let one: serde_json::Value = get(format!("/api/enrichment/costs?run={}", first.run_id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["runs"].as_array().unwrap().len(), 1, "{one}");
    assert_eq!(one["runs"][0]["budget"], 1.0, "{one}");
    assert_eq!(one["runs"][0]["spent"], 1.0, "{one}");
    assert_eq!(
        one["runs"][0]["problems"][0]["kind"], "skipped_budget",
        "{one}"
    );
    let all: serde_json::Value = get("/api/enrichment/costs".into())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["spent"], 3.0, "{all}");
    assert_eq!(all["totals"][0]["provider"], "company_sheet", "{all}");
    let missing = get("/api/enrichment/costs?run=99".into())
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let Some(browser) = Browser::start().await else {
        return;
    };

    // Act: otto opens the page.
    browser.resize(1400, 1000).await;
    browser.sign_in(&server, "otto").await;
    browser.goto(&server.at("/enrichment")).await;

    // Assert: the newest run first, each against its budget; the newest run's books shown.
    let runs = browser
        .run(
            "return [...document.querySelectorAll('table.enrichment-runs tbody tr')].map(r => \
             [...r.cells].map(c => c.innerText.trim()));",
        )
        .await;
    let runs: Vec<Vec<String>> = serde_json::from_value(runs).unwrap();
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(runs[0][0], second.run_id.to_string(), "{runs:?}");
    assert_eq!(runs[1][3], "1", "the first run's budget: {runs:?}");
    assert_eq!(runs[1][4], "1", "and it spent no more: {runs:?}");
    assert_eq!(runs[0][3], "none", "{runs:?}");
    let chart = browser.find_all("#providers-chart .provider-row").await;
    assert_eq!(chart.len(), 1, "one provider, one bar");
    assert!(
        browser
            .text("h2#books")
            .await
            .contains(&second.run_id.to_string())
    );
    browser.screenshot("enrichment").await;

    // The first run's problems: the companies passed over for the budget, in words.
    browser
        .click(&format!(
            "table.enrichment-runs a[href*='run={}']",
            first.run_id
        ))
        .await;
    browser
        .wait_for(&format!("tr.current a[href*='run={}']", first.run_id))
        .await;
    let problems = browser.text("table.enrichment-problems").await;
    assert!(
        problems.contains("passed over for the budget"),
        "{problems}"
    );
    assert!(!problems.contains("skipped_budget"), "{problems}");
    assert!(!problems.contains("company:"), "{problems}");

    // On a phone the page does not scroll sideways.
    browser.resize(390, 844).await;
    assert!(
        !browser.overflows().await,
        "{}",
        browser.overflowing().await
    );
    browser.screenshot("enrichment-phone").await;
}
