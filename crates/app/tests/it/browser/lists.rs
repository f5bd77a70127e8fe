//! The prospect-list pages in the browser: sort, filter, search, pages, the contact page,
//! and the download of an approved list.

use leadgate::config::DiscoveryConfig;
use leadgate::engine::discovery::review::{ItemDecision, review};
use leadgate_core::discovery::prospect::Standing;
use leadgate_core::discovery::sample::ReviewVerdict;
use leadgate_store::discovery as stored;
use serde_json::Value;

use super::{Browser, start_time};
use crate::support::{Backend, TestServer, open_sample_review_of};

/// 100 people at 100 companies: half in the US, a quarter in the UK and a quarter in Canada
/// (where CASL leaves no lawful basis to e-mail them); every tenth company (all American)
/// has 12 employees, too few for the sample ICP.
fn sheet() -> String {
    let countries = ["US", "GB", "US", "CA"];
    (0..100)
        .map(|i| {
            let employees = if i % 10 == 0 { 12 } else { 200 };
            format!(
                "Person{i:02},Zed,p{i}@company{i}.com,VP Sales,Company{i:02},company{i}.com,Computer Software,{employees},40000000,Salesforce,{},\n",
                countries[i % 4]
            )
        })
        .chain(std::iter::once(
            // Person01 again, from a later row with a newer title: merged at import.
            "Person01,Zed,p1@company1.com,Head of Sales,Company01,company1.com,Computer Software,200,40000000,Salesforce,GB,\n".to_string(),
        ))
        .collect()
}

/// The rows the page's prospect table shows, each as its cells' text.
async fn table(browser: &Browser) -> Vec<Vec<String>> {
    let rows = browser
        .run(
            "return [...document.querySelectorAll('table.prospects tbody tr')].map(r => \
             [...r.cells].map(c => c.textContent.trim()));",
        )
        .await;
    serde_json::from_value(rows).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_sorts_filters_searches_pages_and_downloads() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    let gate = open_sample_review_of(&server, start_time(), &sheet()).await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let mut conn = server.store.conn().await.unwrap();
    let list = stored::lists(&mut conn).await.unwrap().remove(0);
    let admitted = stored::prospects(&mut conn, list.id, Some(Standing::Admitted))
        .await
        .unwrap();
    let all = stored::prospects(&mut conn, list.id, None).await.unwrap();
    let kinds: std::collections::BTreeMap<String, usize> =
        all.iter().fold(Default::default(), |mut m, p| {
            *m.entry(format!("{:?} {}", p.status, p.columns.drop_kind))
                .or_default() += 1;
            m
        });
    assert_eq!(
        kinds.values().copied().collect::<Vec<_>>(),
        [65, 10, 25],
        "{kinds:?}"
    );

    // The lists, newest first, sortable by any count.
    browser.sign_in(&server, "otto").await;
    browser.goto(&server.at("/lists")).await;
    assert!(
        browser
            .text("th[aria-sort='descending']")
            .await
            .to_lowercase()
            .starts_with("list")
    );
    browser.click("th a[href*='sort=admitted']").await;
    browser.wait_for("th[aria-sort='ascending']").await;
    assert!(
        browser
            .text("th[aria-sort='ascending']")
            .await
            .to_lowercase()
            .starts_with("admitted")
    );

    // A list opens on the admitted, sorted by name, 50 a page.
    browser
        .goto(&server.at(&format!("/lists/{}", list.id)))
        .await;
    let pager = browser.text("nav.pager span").await;
    assert_eq!(pager, "1–50 of 65 prospects · page 1 of 2");
    let first = table(&browser).await;
    assert_eq!(first.len(), 50);
    assert!(first[0][0].starts_with("Person01 Zed"), "{:?}", first[0]);
    assert_eq!(first[0][2], "p1@company1.com");
    assert_eq!(first[0][5], "United Kingdom");

    // Sorting by name again turns the order round.
    browser.click("th[aria-sort='ascending'] a").await;
    browser.wait_for("th[aria-sort='descending']").await;
    assert!(table(&browser).await[0][0].starts_with("Person98 Zed"));

    // Filter by country (the form keeps the order), then search.
    browser
        .run("document.querySelector('#f-country').value = 'GB'; document.querySelector('form[role=search]').submit(); return 0;")
        .await;
    browser
        .wait_for("#f-country option[value='GB'][selected]")
        .await;
    let british = table(&browser).await;
    let expected = admitted
        .iter()
        .filter(|p| p.columns.country == "GB")
        .count();
    assert_eq!(british.len(), expected);
    assert!(
        british.iter().all(|r| r[5] == "United Kingdom"),
        "{british:?}"
    );
    assert!(british[0][0] > british[1][0], "still by name, descending");
    browser
        .goto(&server.at(&format!("/lists/{}", list.id)))
        .await;
    browser.type_into("#f-q", "COMPANY05").await;
    browser
        .run("document.querySelector('form[role=search]').submit(); return 0;")
        .await;
    browser.wait_for("#f-q[value='COMPANY05']").await;
    let found = table(&browser).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0][0].starts_with("Person05"));

    // The dropped, with their reason in words, filtered by it; 25 a page.
    browser
        .goto(&server.at(&format!("/lists/{}?status=dropped", list.id)))
        .await;
    let reasons = browser.text("#f-reason").await;
    assert!(
        reasons.contains("company size outside the ICP (10)")
            && reasons.contains("no lawful basis to e-mail (25)"),
        "{reasons}"
    );
    assert_eq!(table(&browser).await.len(), 35);
    browser
        .run("document.querySelector('#f-reason').value = 'ICP firmographics.employees'; document.querySelector('form[role=search]').submit(); return 0;")
        .await;
    browser.wait_for("#f-reason option[selected]").await;
    let dropped = table(&browser).await;
    assert_eq!(dropped.len(), 10);
    assert!(dropped[0][8].contains("employee count"), "{:?}", dropped[0]);
    browser
        .goto(&server.at(&format!("/lists/{}?size=25", list.id)))
        .await;
    assert_eq!(
        browser.text("nav.pager span").await,
        "1–25 of 65 prospects · page 1 of 3"
    );
    browser.click("a[rel='next']").await;
    browser.wait_for("a[rel='prev']").await;
    assert_eq!(table(&browser).await.len(), 25);

    // A name leads to the contact's page: its facts, with their source, and its list; and
    // the merge of its two rows, which a person can undo there.
    browser
        .goto(&server.at(&format!("/lists/{}", list.id)))
        .await;
    browser.click("table.prospects tbody tr a").await;
    browser.wait_for("h2").await;
    let page = browser.text("main").await;
    assert!(page.starts_with("Person01 Zed"), "{page}");
    assert!(
        page.contains("Head of Sales") && page.contains("VP Sales"),
        "{page}"
    );
    assert!(page.contains(&format!("List {}", list.id)), "{page}");
    assert!(page.contains("Same email at import"), "{page}");
    // The list uses the trusted, newest title: one of the two is marked in use.
    let titles = browser
        .run(
            "return [...document.querySelectorAll('main tr')].filter(r => \
             r.cells[0].textContent.trim() === 'job title').map(r => \
             [r.cells[1].textContent.trim(), r.cells[4].textContent.trim()]);",
        )
        .await;
    let in_use: Vec<&Value> = titles
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t[1] == "in use")
        .collect();
    assert_eq!(in_use.len(), 1, "{titles}");
    assert!(!browser.overflows().await);
    browser.screenshot("contact").await;
    browser.click("section.merge button").await;
    browser.wait_for("p.flash").await;
    let page = browser.text("main").await;
    assert!(page.contains("Undone by otto"), "{page}");
    assert!(page.contains("otto, merge undone"), "{page}");
    assert!(browser.find_all("section.merge button").await.is_empty());

    // Approved, the list downloads in HubSpot's columns, one row per admitted prospect.
    let items = stored::sample_items(&mut conn, gate).await.unwrap();
    let all_match: Vec<ItemDecision> = items
        .iter()
        .map(|i| ItemDecision {
            position: i.position,
            verdict: ReviewVerdict::Match,
            reason: None,
        })
        .collect();
    let config = DiscoveryConfig::default();
    review(
        &server.store,
        &config,
        gate,
        "rita",
        &all_match,
        start_time(),
    )
    .await
    .unwrap();
    browser
        .goto(&server.at(&format!("/lists/{}", list.id)))
        .await;
    let csv: Value = browser
        .run_async(
            "const done = arguments[0]; const f = document.querySelector('form[action$=export]'); \
             f.querySelector('select').value = 'hubspot'; \
             fetch(f.action + '?' + new URLSearchParams(new FormData(f))).then(r => r.text()).then(done);",
        )
        .await;
    let csv = csv.as_str().unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("First Name,Last Name,Email"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 1 + admitted.len());
    browser.resize(390, 844).await;
    browser
        .goto(&server.at(&format!("/lists/{}", list.id)))
        .await;
    assert!(
        !browser.overflows().await,
        "the list fits a phone: {}",
        browser.overflowing().await
    );
    browser.screenshot("list-phone").await;
    browser.resize(1400, 1000).await;
    browser
        .goto(&server.at(&format!("/lists/{}", list.id)))
        .await;
    browser.screenshot("list").await;
}
