//! The ICP pages in the browser: the criteria in words, the diff, proposing from the web.

use leadgate::engine::{gates, icp};
use leadgate_core::gate::Request;
use leadgate_core::icp::{IcpDocument, SAMPLE_ICP};
use leadgate_store::audit::AuditFilter;
use serde_json::{Value, json};

use super::{Browser, start_time};
use crate::support::{Backend, TestServer};

/// Replaces `from` with `to` in the form's text, as a person editing it would.
async fn edit(browser: &Browser, from: &str, to: &str) -> String {
    let script = format!(
        "const t = document.querySelector('#toml'); \
         if (!t.value.includes({from})) {{ return null; }} \
         t.value = t.value.replace({from}, {to}); return t.value;",
        from = json!(from),
        to = json!(to),
    );
    let edited = browser.run(&script).await;
    edited
        .as_str()
        .unwrap_or_else(|| panic!("`{from}` is not in the form's text"))
        .to_string()
}

async fn form_text(browser: &Browser) -> String {
    let text = browser
        .run("return document.querySelector('#toml').value;")
        .await;
    text.as_str().unwrap_or_default().to_string()
}

/// The HTTP status the page was answered with.
async fn status(browser: &Browser) -> Value {
    browser
        .run("return performance.getEntriesByType('navigation')[0].responseStatus;")
        .await
}

/// Screenshots at desktop and phone sizes, scrolled to `at` when given; nothing may scroll
/// sideways at either size.
async fn screenshots(browser: &Browser, name: &str, at: Option<&str>) {
    for (width, height, size) in [(1400, 1000, "desktop"), (390, 844, "phone")] {
        browser.resize(width, height).await;
        if let Some(css) = at {
            let script = format!("document.querySelector({}).scrollIntoView();", json!(css));
            browser.run(&script).await;
        }
        assert!(
            !browser.overflows().await,
            "{name} scrolls sideways at {width}×{height}"
        );
        browser.screenshot(&format!("{name}-{size}")).await;
    }
    browser.resize(1400, 1000).await;
}

async fn submit(browser: &Browser) {
    browser.click("form.icp-propose button[type=submit]").await;
}

/// Otto (sales ops) proposes a new version of the live ICP in the browser: a mistake first,
/// answered as the CLI answers it, then the fix, which lands on the new version's page with
/// its criteria in words and its changes against the live version. A file works the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proposing_an_icp_from_the_web() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    // Version 1 of the sample is live: ada proposed it, the two leads approved it.
    let live = icp::propose(&server.store, "ada", SAMPLE_ICP, "icp.toml", start_time())
        .await
        .unwrap();
    for name in ["sam", "mia"] {
        let approve = Request::Approve {
            role: None,
            note: None,
        };
        gates::decide(&server.store, live.gate.id, name, approve, start_time())
            .await
            .unwrap();
    }
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.resize(1400, 1000).await;

    // The form starts from the live version's text.
    browser.sign_in(&server, "otto").await;
    browser.click("nav a[href='/icp']").await;
    browser.click("a[href='/icp/propose']").await;
    browser.wait_for("textarea#toml").await;
    assert_eq!(form_text(&browser).await, SAMPLE_ICP);

    // A maximum below the minimum: refused with the CLI's line, the text kept.
    let wrong = edit(
        &browser,
        "employees = { min = 50, max = 1000 }",
        "employees = { min = 50, max = 10 }",
    )
    .await;
    submit(&browser).await;
    browser.wait_for("#propose-error").await;
    let expected = IcpDocument::parse(&wrong, "icp.toml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        expected,
        "icp.toml:21:21: key `firmographics.employees.min`: must not exceed max (10)"
    );
    assert_eq!(browser.text("#propose-error-line").await, expected);
    assert_eq!(status(&browser).await, json!(422));
    assert_eq!(form_text(&browser).await, wrong, "the text is kept");
    screenshots(&browser, "icp-propose-error", None).await;

    // Fixed — and a country added — it is proposed, and the page shows what it changes.
    edit(&browser, "max = 10 }", "max = 2000 }").await;
    edit(&browser, "\"DK\"]", "\"DK\", \"AU\"]").await;
    submit(&browser).await;
    browser.wait_for("#changes").await;
    assert!(browser.url().await.ends_with("/icp/2?proposed=1"));
    let flash = browser.text("p.flash").await;
    assert!(
        flash.contains("You proposed version 2 of Mid-market SaaS"),
        "{flash}"
    );
    let changes = browser
        .run("return [...document.querySelectorAll('#changes li')].map(li => li.innerText);")
        .await;
    assert_eq!(
        changes,
        json!([
            "CHANGED employee count (maximum) from 1,000 to 2,000",
            "ADDED company country (countries): Australia",
        ])
    );
    assert!(
        browser
            .text("#changes")
            .await
            .contains("2 changes: 1 added, 1 changed")
    );
    let summary = browser.text("#summary").await;
    for rule in [
        "50 to 2,000 employees",
        "based in United States, Canada, United Kingdom, Ireland, Germany, Netherlands, France, Sweden, Denmark or Australia",
        "does not use LeanData or Chili Piper",
        "a C-level executive, VP or director in sales",
        "not an existing customer",
    ] {
        assert!(summary.contains(rule), "`{rule}` in {summary}");
    }
    assert_eq!(
        browser
            .run("return document.querySelector('details.icp-document').open;")
            .await,
        json!(false),
        "the TOML is folded"
    );
    // Otto made this version: the gate is open, and not his to decide.
    let panel = browser.text(".gate-panel").await;
    assert!(panel.contains("four-eyes"), "{panel}");
    assert!(
        browser
            .find_all(".gate-panel button.approve")
            .await
            .is_empty()
    );
    screenshots(&browser, "icp-proposed", None).await;
    // Unfolded, the document wraps its lines rather than hiding them behind a scrollbar.
    browser.click("details.icp-document summary").await;
    screenshots(&browser, "icp-document", Some("details.icp-document")).await;

    // The engine did it: the version, its gate with otto as maker, the refusal on record.
    let mut conn = server.store.conn().await.unwrap();
    let version = leadgate_store::icp::get(&mut conn, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(version.proposed_by, "otto");
    assert!(version.source_text.contains("max = 2000"));
    let gate = leadgate_store::gates::list(&mut conn, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.subject.to_string() == "icp:2")
        .expect("the new version's gate");
    assert_eq!(gate.maker.as_deref(), Some("otto"));
    let refused = leadgate_store::audit::list(
        &mut conn,
        &AuditFilter {
            action: Some("icp.propose.refused"),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(refused.len(), 1);
    let inputs: Value = serde_json::from_str(&refused[0].inputs).unwrap();
    assert_eq!(inputs["refused"], json!(expected));
    assert_eq!(inputs["file"], json!("icp.toml"));

    // A file, uploaded: its name is in the error, and its text comes back to be fixed.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("enterprise.toml");
    let enterprise = SAMPLE_ICP
        .replace("Mid-market SaaS", "Enterprise fintech")
        .replace("\"GB\"", "\"UK\"");
    std::fs::write(&file, &enterprise).unwrap();
    browser.goto(&server.at("/icp/propose")).await;
    browser
        .type_into("#file", &file.display().to_string())
        .await;
    submit(&browser).await;
    browser.wait_for("#propose-error").await;
    let line = browser.text("#propose-error-line").await;
    assert_eq!(
        line,
        IcpDocument::parse(&enterprise, "enterprise.toml")
            .unwrap_err()
            .to_string()
    );
    assert!(line.starts_with("enterprise.toml:"), "{line}");
    assert_eq!(form_text(&browser).await, enterprise);
    std::fs::write(&file, enterprise.replace("\"UK\"", "\"GB\"")).unwrap();
    browser
        .type_into("#file", &file.display().to_string())
        .await;
    submit(&browser).await;
    browser.wait_for("#summary").await;
    assert!(browser.text("h1").await.contains("Enterprise fintech"));
    assert!(
        browser.find_all("#changes").await.is_empty(),
        "a new segment has no live version to differ from"
    );

    // The list: every version of both segments, with the way to propose another.
    browser.goto(&server.at("/icp")).await;
    browser.wait_for("main table").await;
    assert_eq!(browser.find_all("main tbody tr").await.len(), 3);
    screenshots(&browser, "icp-list", None).await;

    // Without the session's CSRF token, a multipart post is refused.
    let forged = browser
        .run_async(
            "const done = arguments[arguments.length - 1];
             const form = new FormData(); form.append('toml', 'segment = \"x\"');
             fetch('/icp/propose', { method: 'POST', body: form })
               .then(r => done(r.status), e => done(String(e)));",
        )
        .await;
    assert_eq!(forged, json!(403));

    // A rep reads the ICP but is not offered the form.
    browser.sign_out().await;
    browser.sign_in(&server, "ravi").await;
    browser.goto(&server.at("/icp")).await;
    browser.wait_for("main table").await;
    assert!(browser.find_all("a[href='/icp/propose']").await.is_empty());
    browser.goto(&server.at("/icp/propose")).await;
    browser.wait_for("main h1").await;
    assert!(browser.find_all("textarea#toml").await.is_empty());
    assert!(browser.text("main").await.contains("sales ops"));
}
