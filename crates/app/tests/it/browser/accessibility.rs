//! Every page checked by axe-core in the test's Chromium: no serious or critical violation.
//!
//! axe-core is the rule engine browsers' own accessibility audits use; it checks what a
//! template review misses — contrast as rendered, controls without a name, landmarks. It is
//! not vendored: `.ci/run` installs a pinned version with npm and names its `axe.min.js` in
//! `LEADGATE_AXE_JS`. Locally the test skips loudly without it; under `CI=true` it fails.

use std::path::PathBuf;

use serde_json::Value;

use super::{Browser, pages_to_read, start_time};
use crate::support::{Backend, TestServer, open_sample_review};

/// The widths a page is checked at: a desktop and a phone.
const SIZES: [(u32, u32); 2] = [(1400, 1000), (390, 844)];

/// axe's source, from `LEADGATE_AXE_JS`; `None` (after a loud message) outside CI.
pub(super) fn axe_source() -> Option<String> {
    let missing = match std::env::var_os("LEADGATE_AXE_JS").map(PathBuf::from) {
        None => "LEADGATE_AXE_JS is not set".to_string(),
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(source) => return Some(source),
            Err(e) => format!("no axe-core at LEADGATE_AXE_JS={} ({e})", path.display()),
        },
    };
    crate::skip::skip(
        &missing,
        "npm install --prefix target/ci-npm axe-core and set LEADGATE_AXE_JS to its \
         axe.min.js (.ci/run does both)",
    );
    None
}

/// Runs axe on the page the browser shows, at each of [`SIZES`], and returns one line per
/// serious or critical violation: the page, the size, the rule, its help and the elements.
pub(super) async fn serious_violations(browser: &Browser, axe: &str, page: &str) -> Vec<String> {
    browser.wait_for("main").await;
    browser
        .run(&format!("{axe}\n;return typeof axe;"))
        .await
        .as_str()
        .filter(|kind| *kind == "object")
        .unwrap_or_else(|| panic!("axe did not load on {page}"));
    let mut found = Vec::new();
    for (width, height) in SIZES {
        browser.resize(width, height).await;
        // Two frames: the page's resize handlers (app.js) have run and the layout is new.
        browser
            .run_async(
                "const done = arguments[arguments.length - 1];
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            )
            .await;
        let violations = browser
            .run_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document).then(r => done(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                     targets: v.nodes.map(n => n.target.flat().join(' ')) }))),
                   e => done({ error: String(e) }));",
            )
            .await;
        let Some(violations) = violations.as_array() else {
            panic!("axe failed on {page}: {violations}");
        };
        for v in violations {
            let targets: Vec<&str> = v["targets"]
                .as_array()
                .map(|all| all.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            found.push(format!(
                "{page} at {width}×{height}: {} ({}) {}: {}",
                v["id"].as_str().unwrap_or_default(),
                v["impact"].as_str().unwrap_or_default(),
                v["help"].as_str().unwrap_or_default(),
                targets.join(", ")
            ));
        }
    }
    found
}

/// Every page a person can open — with an ICP live, a list built and its sample review
/// open, a scoring model and a sequence variant waiting at their gates, as admin — plus sign-in, a missing page and a
/// Privacy dry run's answer: axe finds no serious or critical violation on any, at desktop
/// or phone width.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_no_serious_violation_on_any_page() {
    let Some(axe) = axe_source() else {
        return;
    };
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    let gate = open_sample_review(&server, start_time()).await;
    crate::models_api_story::propose_warned_model(&server.store, start_time()).await;
    approve_list_and_score(&server, start_time()).await;
    crate::support::variant_in_review(&server.store, start_time()).await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let mut found = Vec::new();

    browser.goto(&server.at("/sign-in")).await;
    found.extend(serious_violations(&browser, &axe, "/sign-in").await);

    browser.sign_in(&server, "ada").await;
    let pages = pages_to_read(&server, gate).await;
    for page in pages.iter().map(String::as_str).chain(["/nothing"]) {
        browser.goto(&server.at(page)).await;
        found.extend(serious_violations(&browser, &axe, page).await);
    }

    browser.goto(&server.at("/privacy")).await;
    browser.type_into("#email", "ann3@firm3.com").await;
    browser.type_into("#reason", "her e-mail to privacy@").await;
    browser
        .click("form[action='/privacy'] button.dry-run")
        .await;
    browser.wait_for("#dry-run-h").await;
    found.extend(serious_violations(&browser, &axe, "/privacy (dry run)").await);

    assert!(pages.len() >= 9, "the pages were walked: {pages:?}");
    assert!(
        found.is_empty(),
        "axe found {} serious or critical violation(s):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Passes the sample review's list without reviewing it (stage 2's story) and scores its
/// leads into outreach through a rules card ada proposes and otto approves, so that a
/// sequence can be written for one of them.
async fn approve_list_and_score(server: &TestServer, now: jiff::Timestamp) {
    use leadgate_core::discovery::prospect::ListStatus;
    let mut conn = server.store.conn().await.unwrap();
    let list = leadgate_store::discovery::lists(&mut conn).await.unwrap()[0].id;
    leadgate_store::discovery::set_list_status(&mut conn, list, ListStatus::Approved)
        .await
        .unwrap();
    drop(conn);
    crate::support::score_into_outreach(&server.store, "ada", "otto", now).await;
}
