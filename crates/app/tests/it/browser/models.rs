//! The scoring model pages in the browser: the versions table, one version's report with
//! its charts drawn and its warnings in red, and the decision panel refusing a bare approval
//! over a warning in place (the typed text kept) until a reasoned one makes the version live,
//! and its review, once open, as a table on the same page.

use leadgate::config::ScoringConfig;
use leadgate::engine::{gates, model};
use leadgate_core::gate::Request;
use leadgate_store::models::ModelStatus;
use serde_json::json;

use super::{Browser, sign_in_plainly, start_time};
use crate::models_api_story::{add_model_maker, sample_draft};
use crate::support::{Backend, TestServer};

/// The report's charts: how many, and how many have a box a person can see.
async fn drawn_charts(browser: &Browser) -> (u64, u64) {
    let counted = browser
        .run(
            "const all = [...document.querySelectorAll('.model-chart svg')]; \
             return [all.length, all.filter(s => { const r = s.getBoundingClientRect(); \
             return r.width > 0 && r.height > 0; }).length];",
        )
        .await;
    (
        counted[0].as_u64().unwrap_or_default(),
        counted[1].as_u64().unwrap_or_default(),
    )
}

/// Screenshots at desktop and phone sizes, each with every chart drawn and nothing
/// scrolling sideways.
async fn screenshots(browser: &Browser, name: &str) {
    for (width, height, size) in [(1400, 1000, "desktop"), (390, 844, "phone")] {
        browser.resize(width, height).await;
        if name == "model" {
            let (charts, drawn) = drawn_charts(browser).await;
            assert!(charts >= 5, "the report's charts are on the page: {charts}");
            assert_eq!(drawn, charts, "every chart has a box at {width}×{height}");
        }
        assert!(
            !browser.overflows().await,
            "{name} scrolls sideways at {width}×{height}: {}",
            browser.overflowing().await
        );
        browser.run("window.scrollTo(0, 0); return 0;").await;
        browser.screenshot(&format!("{name}-{size}")).await;
        if name == "model" {
            for block in ["reliability", "thresholds", "points"] {
                let script =
                    format!("document.getElementById('{block}').scrollIntoView(); return 0;");
                browser.run(&script).await;
                browser.screenshot(&format!("{name}-{block}-{size}")).await;
            }
        }
    }
    browser.resize(1400, 1000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_ops_approves_a_warned_model_only_with_a_reason() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    // A plain version is live already; tia's drifted one waits for otto.
    let store = &server.store;
    add_model_maker(store, start_time()).await;
    let plain = sample_draft("m-plain", "tia", false, start_time());
    let plain = model::propose(store, "tia", plain, start_time())
        .await
        .unwrap();
    let approve = Request::Approve {
        role: None,
        note: None,
    };
    gates::decide(store, plain.gate.id, "otto", approve, start_time())
        .await
        .unwrap();
    let drifted = sample_draft("m-drifted", "tia", true, start_time());
    let proposed = model::propose(store, "tia", drifted, start_time())
        .await
        .unwrap();
    let (id, gate) = (proposed.version.id, proposed.gate.id);
    let Some(browser) = Browser::start().await else {
        return;
    };

    // The versions table: the draft, its warnings counted.
    browser.sign_in(&server, "otto").await;
    browser.goto(&server.at("/models")).await;
    browser.wait_for("table.model-versions").await;
    let table = browser.text("table.model-versions").await;
    assert!(
        table.contains("m-drifted") && table.contains("draft"),
        "{table}"
    );
    screenshots(&browser, "models").await;

    // The inbox leads to the version's page, to its decision panel.
    browser.goto(&server.at("/")).await;
    browser.click("#my-gates a").await;
    browser.wait_for(&format!("#gate-{gate}")).await;
    assert!(browser.url().await.contains(&format!("/models/{id}")));
    let warnings = browser.text(".model-warnings").await;
    assert!(
        warnings.contains("approving this version needs a written reason"),
        "{warnings}"
    );
    let red = browser
        .run("return getComputedStyle(document.querySelector('.model-warnings')).borderTopColor;")
        .await;
    assert_eq!(red, json!("rgb(164, 14, 38)"), "the warning panel is red");
    for block in [
        "Headline figures",
        "Thresholds",
        "Out-of-time test",
        "Feature drift",
        "Points",
    ] {
        assert!(
            browser.text("main").await.contains(block),
            "`{block}` on the page"
        );
    }
    assert!(
        browser
            .text("tr.marked")
            .await
            .contains("fits sales capacity"),
        "the capacity row is marked in words"
    );
    screenshots(&browser, "model").await;

    // A bare approval (only blanks typed) is refused in the panel; the text stays.
    browser.type_into(&format!("#note-{gate}"), "   ").await;
    browser.click(&format!("#gate-{gate} button.approve")).await;
    browser.wait_for(&format!("#gate-{gate} p.error")).await;
    let refusal = browser.text(&format!("#gate-{gate} p.error")).await;
    assert!(refusal.contains("write a reason"), "{refusal}");
    let mut conn = server.store.conn().await.unwrap();
    let undecided = leadgate_store::gates::get(&mut conn, gate)
        .await
        .unwrap()
        .unwrap();
    assert!(undecided.decisions.is_empty(), "the server refused it");
    drop(conn);
    let kept = browser
        .run(&format!(
            "return document.querySelector('#note-{gate}').value;"
        ))
        .await;
    assert_eq!(kept, json!("   "), "the typed text is kept");
    assert!(browser.url().await.contains(&format!("/models/{id}")));
    browser.resize(390, 844).await;
    browser
        .run(&format!(
            "document.querySelector('#gate-{gate}').scrollIntoView(); return 0;"
        ))
        .await;
    browser.screenshot("model-refused-phone").await;
    browser.resize(1400, 1000).await;

    // With a reason, the version goes live and the page says so.
    browser
        .run(&format!(
            "document.querySelector('#note-{gate}').value = ''; return 0;"
        ))
        .await;
    browser
        .type_into(
            &format!("#note-{gate}"),
            "the spring campaign shifted the mix",
        )
        .await;
    browser.click(&format!("#gate-{gate} button.approve")).await;
    browser.wait_for("p.flash").await;
    let flash = browser.text("p.flash").await;
    assert!(flash.contains("is live"), "{flash}");
    let mut conn = server.store.conn().await.unwrap();
    let version = leadgate_store::models::get(&mut conn, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(version.status, ModelStatus::Live);
    drop(conn);

    // Its 30-day review opens: the page shows the review table and says there is too
    // little to judge yet (nothing was scored).
    let mut tx = server.store.begin().await.unwrap();
    let due = start_time() + jiff::SignedDuration::from_hours(24 * 30);
    model::open_review(&mut tx, id, 0, &ScoringConfig::default(), due)
        .await
        .unwrap()
        .expect("the review opens");
    tx.commit().await.unwrap();
    browser.goto(&server.at(&format!("/models/{id}"))).await;
    browser.wait_for("#review .review-advice").await;
    let review = browser.text("#review").await;
    assert!(
        review.contains("Too few outcomes to judge") && review.contains("scored no lead yet"),
        "{review}"
    );
    assert!(
        browser.find_all("#review table").await.is_empty(),
        "no empty table of bands"
    );

    // It replaced the plain version. A rep sees no restore button, and a forged restore
    // with the rep's own session and CSRF token is refused.
    let page = format!("/models/{id}");
    let (rep, cookie, csrf) = sign_in_plainly(&server, "ravi", &page).await;
    let body = rep
        .get(server.at(&page))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("m-drifted") && !body.contains("model-restore"));
    let forged = rep
        .post(server.at("/models/restore"))
        .header("cookie", &cookie)
        .form(&[("csrf_token", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    // Otto can bring the plain version back in one step.
    browser.resize(1400, 1000).await;
    browser.run("window.scrollTo(0, 0); return 0;").await;
    browser.screenshot("model-live-desktop").await;
    browser.click("form.model-restore button").await;
    let back = format!("a[href='/models/{}/report.html']", plain.version.id);
    browser.wait_for(&back).await;
    let flash = browser.text("p.flash").await;
    assert!(flash.contains("m-plain is live again"), "{flash}");
    let mut conn = server.store.conn().await.unwrap();
    let live = leadgate_store::models::live(&mut conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(live.version, "m-plain");
    drop(conn);
    browser.goto(&server.at(&format!("/models/{id}"))).await;
    browser.wait_for("main h1").await;

    // The standalone report opens from the page.
    browser
        .click(&format!("a[href='/models/{id}/report.html']"))
        .await;
    browser.wait_for("main h1").await;
    assert!(browser.text("h1").await.contains("m-drifted"));
}
