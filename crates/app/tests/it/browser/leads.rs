//! The leads page in the browser: scored leads sorted by score, narrowed to a stage, each
//! row opening its contact, on a desktop and on a phone.

use leadgate::config::ScoringConfig;
use leadgate::engine::{engagement, gates, model, scoring};
use leadgate_core::audit::Actor;
use leadgate_core::discovery::prospect::ListStatus;
use leadgate_core::engagement::{KindChoice, PagePolicy};
use leadgate_core::gate::Request;
use leadgate_core::scoring::rules;
use leadgate_store::discovery as stored;
use leadgate_store::models::ModelOrigin;
use serde_json::json;

use super::{Browser, start_time};
use crate::support::{Backend, TestServer, open_sample_review_of};

const CARD: &str = r#"
base_points = 180
[scale]
points_to_double_odds = 20
even_odds_score = 200

[[terms]]
bins = { feature = "seniority", type = "categorical", categories = ["vp", "director"] }
points = [0, 20, 10, -5]

[[terms]]
bins = { feature = "pricing_page_visit_7d", type = "numeric", cuts = [1, 2], whole = true }
points = [0, 0, 8, 25]

[[terms]]
bins = { feature = "employees", type = "numeric", cuts = [100, 500], whole = true }
points = [0, -5, 6, 2]
"#;

/// Twelve VP Sales at companies of 60, 200 or 800 people.
fn sheet() -> String {
    let sizes = [60, 200, 800];
    (0..12)
        .map(|i| {
            format!(
                "Lead{i:02},Zed,l{i}@firm{i}.com,VP Sales,Firm{i:02},firm{i}.com,Computer Software,{},40000000,Salesforce,US,\n",
                sizes[i % 3]
            )
        })
        .collect()
}

/// The rows of the leads table, each as its cells' text.
async fn table(browser: &Browser) -> Vec<Vec<String>> {
    let rows = browser
        .run(
            "return [...document.querySelectorAll('table.leads tbody tr')].map(r => \
             [...r.cells].map(c => c.innerText.trim()));",
        )
        .await;
    serde_json::from_value(rows).unwrap()
}

fn score_of(row: &[String]) -> i64 {
    row[2].split_whitespace().next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_sort_by_score_and_narrow_to_a_stage() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    let now = start_time();
    open_sample_review_of(&server, now, &sheet()).await;
    let store = &server.store;
    let mut conn = store.conn().await.unwrap();
    let list = stored::lists(&mut conn).await.unwrap().remove(0);
    stored::set_list_status(&mut conn, list.id, ListStatus::Approved)
        .await
        .unwrap();
    drop(conn);
    // Leads 0–3 looked at pricing: 0 and 1 twice this week, 2 and 3 once.
    let dir = tempfile::tempdir().unwrap();
    let visits = dir.path().join("visits.csv");
    let day = |d: i64| (now - jiff::SignedDuration::from_hours(24 * d)).to_string();
    let mut text = String::from("at,kind,email,url\n");
    for (i, days) in [(0, 1), (0, 2), (1, 1), (1, 3), (2, 2), (3, 4)] {
        text.push_str(&format!(
            "{},page_view,l{i}@firm{i}.com,/pricing\n",
            day(days)
        ));
    }
    std::fs::write(&visits, text).unwrap();
    engagement::import_file(store, &visits, KindChoice::Auto, &Actor::System, None, now)
        .await
        .unwrap();
    let card = rules::parse(CARD, "rules.toml").unwrap();
    let proposed = model::propose(
        store,
        "ada",
        model::Draft {
            version: "r-1".into(),
            origin: ModelOrigin::Rules,
            artifact: json!({ "scorecard": card }),
            report: json!({}),
            warnings: Vec::new(),
        },
        now,
    )
    .await
    .unwrap();
    let approve = Request::Approve {
        role: None,
        note: None,
    };
    gates::decide(store, proposed.gate.id, "otto", approve, now)
        .await
        .unwrap();
    let config = ScoringConfig {
        threshold: Some(210),
        ..ScoringConfig::default()
    };
    let run = scoring::run(store, &config, &PagePolicy::default(), now)
        .await
        .unwrap();
    assert!(run.outreach > 0 && run.nurture > 0, "{run:?}");
    let Some(browser) = Browser::start().await else {
        return;
    };

    // The page opens highest score first.
    browser.resize(1400, 1000).await;
    browser.sign_in(&server, "otto").await;
    browser.goto(&server.at("/leads")).await;
    let rows = table(&browser).await;
    assert_eq!(rows.len(), run.scored);
    let scores: Vec<i64> = rows.iter().map(|r| score_of(r)).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(
        rows[0][6].contains("pricing visits in 7 days"),
        "{:?}",
        rows[0]
    );
    browser.screenshot("leads").await;

    // Sorting by score again turns the order round.
    browser.click("th[aria-sort='descending'] a").await;
    browser.wait_for("th[aria-sort='ascending']").await;
    let scores: Vec<i64> = table(&browser).await.iter().map(|r| score_of(r)).collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");

    // Narrowed to nurture, only leads below the threshold are left.
    browser
        .run("document.querySelector('#f-stage').value = 'nurture'; document.querySelector('form[role=search]').submit(); return 0;")
        .await;
    browser
        .wait_for("#f-stage option[value='nurture'][selected]")
        .await;
    let nurtured = table(&browser).await;
    assert_eq!(nurtured.len(), run.nurture);
    assert!(
        nurtured
            .iter()
            .all(|r| r[3] == "nurture" && score_of(r) < 210),
        "{nurtured:?}"
    );

    // The pipeline's funnel counts the same leads, and those qualified for outreach.
    browser.goto(&server.at("/pipeline")).await;
    let count = |label: &str| {
        format!(
            "return document.querySelector('#pipeline-chart [data-label=\"{label}\"]').dataset.value;"
        )
    };
    assert_eq!(
        browser.run(&count("Leads scored")).await,
        run.scored.to_string()
    );
    assert_eq!(
        browser.run(&count("Qualified for outreach")).await,
        run.outreach.to_string()
    );
    browser.goto(&server.at("/leads?stage=nurture")).await;

    // A row opens its contact.
    browser.click("table.leads tbody tr a").await;
    browser.wait_for("main h1").await;
    assert!(browser.text("main h1").await.contains("Zed"));

    // On a phone the page fits the screen; the table scrolls within itself.
    browser.resize(390, 844).await;
    browser.goto(&server.at("/leads")).await;
    assert!(
        !browser.overflows().await,
        "the leads page fits a phone: {}",
        browser.overflowing().await
    );
    browser.screenshot("leads-phone").await;
}
