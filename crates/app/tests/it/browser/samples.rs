//! The sample review in the browser: cards that lead with the person, a mistake on the way
//! that loses nothing, verdicts saved as they are given, and the gate decided only by the
//! reviewer's last, separate step. Without JavaScript the same page is one form.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Browser, sign_in_plainly, start_time};
use crate::support::{Backend, TestServer, open_sample_review};

/// Waits (a little) until the text of `css` contains `needed`, as after an htmx swap. The
/// element is found and read in one script: a swap between a WebDriver find and read would
/// leave a stale reference.
async fn wait_for_text(browser: &Browser, css: &str, needed: &str) {
    let script = format!(
        "const e = document.querySelector({}); return e ? e.innerText : '';",
        serde_json::to_string(css).unwrap()
    );
    let mut seen = String::new();
    for _ in 0..200 {
        seen = browser
            .run(&script)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string();
        if seen.contains(needed) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("`{css}` never said {needed:?}; it says {seen:?}");
}

async fn is_checked(browser: &Browser, css: &str) -> bool {
    browser
        .run(&format!(
            "return document.querySelector(\"{css}\").checked;"
        ))
        .await
        == json!(true)
}

/// The words on the page that look like identifiers (`no_match`, `company_name`).
async fn internal_names(browser: &Browser) -> Value {
    browser
        .run("return (document.body.innerText.match(/\\b[a-z]+_[a-z_]+\\b/g) || []);")
        .await
}

/// Looks at the page at a desktop's and a phone's size, scrolled to `css`: nothing scrolls
/// sideways, and a screenshot of each for a person to look at.
async fn look_at(browser: &Browser, name: &str, css: &str) {
    for (width, height, suffix) in [(1400, 1000, ""), (390, 844, "-phone")] {
        browser.resize(width, height).await;
        assert!(
            !browser.overflows().await,
            "{name} scrolls sideways at {width}×{height}"
        );
        browser
            .run(&format!(
                "document.querySelector(\"{css}\").scrollIntoView();"
            ))
            .await;
        browser.screenshot(&format!("{name}{suffix}")).await;
    }
    browser.resize(1400, 1000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sample_review_done_with_a_mistake_on_the_way_loses_nothing() {
    // Arrange: four admitted prospects sampled, rita the reviewer.
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    let gate = open_sample_review(&server, start_time()).await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.sign_in(&server, "rita").await;
    browser.click(&format!("a[href='/samples/{gate}']")).await;
    browser.wait_for("#record-4").await;

    // Each card leads with the person, then the verdict, then the fields in groups.
    let name = browser.text("#record-1 h2").await;
    assert!(name.starts_with("Ann") && name.contains(" Lee"), "{name}");
    let headline = browser.text("#record-1 .sample-headline").await;
    for part in ["VP Sales", "Firm", "United States"] {
        assert!(headline.contains(part), "{part} in {headline:?}");
    }
    let order = browser
        .run(
            "const card = document.querySelector('#record-1');\
             const [who, verdict, groups] = ['header', 'fieldset', '.sample-groups']\
               .map(s => card.querySelector(s).getBoundingClientRect().top);\
             return who < verdict && verdict < groups;",
        )
        .await;
    assert_eq!(order, json!(true), "name, then verdict, then fields");
    let groups = browser
        .run("return [...document.querySelectorAll('#record-1 .sample-group h3')].map(h => h.textContent);")
        .await;
    assert_eq!(
        groups,
        json!(["Person", "Company", "ICP fit", "Compliance"])
    );
    assert_eq!(internal_names(&browser).await, json!([]));
    wait_for_text(&browser, "#sample-progress", "0 of 4 decided").await;
    look_at(&browser, "sample", "h1").await;
    look_at(&browser, "sample-card", "#record-1").await;

    // Act: a match, saved as it is given.
    browser.click("#verdict-1-match").await;
    wait_for_text(&browser, "#sample-progress", "1 of 4 decided").await;
    wait_for_text(&browser, "#record-1 .sample-saved", "Saved: match").await;

    // A mistake: no match without a reason. Choosing it saves nothing yet; Save refuses it.
    browser.click("#verdict-2-no").await;
    browser.click("#save-2").await;
    browser.wait_for("#reason-2[aria-invalid='true']").await;
    let described = browser
        .run(
            "const input = document.querySelector('#reason-2');\
             return document.getElementById(input.getAttribute('aria-describedby')).textContent;",
        )
        .await;
    assert!(
        described.as_str().unwrap_or_default().contains("reason"),
        "the error is linked to the field: {described}"
    );
    assert!(
        is_checked(&browser, "#verdict-2-no").await,
        "the choice is kept"
    );
    assert!(
        is_checked(&browser, "#verdict-1-match").await,
        "the other choice is kept"
    );
    assert!(
        browser
            .text("#sample-progress")
            .await
            .contains("1 of 4 decided")
    );
    assert_eq!(
        browser.run("return document.activeElement.id;").await,
        json!("reason-2"),
        "the reason field has the focus"
    );
    assert_eq!(internal_names(&browser).await, json!([]));
    look_at(&browser, "sample-mistake", "#record-2").await;

    // Put right: the reason given, saved.
    browser
        .type_into("#reason-2", "not a software company")
        .await;
    browser.click("#save-2").await;
    wait_for_text(&browser, "#sample-progress", "2 of 4 decided").await;
    wait_for_text(&browser, "#record-2 .sample-saved", "Saved: no match").await;
    assert!(
        browser
            .find_all("#record-2 [aria-invalid]")
            .await
            .is_empty()
    );

    // Nothing is lost: the page loaded again shows both verdicts and the reason.
    browser.goto(&server.at(&format!("/samples/{gate}"))).await;
    browser.wait_for("#record-4").await;
    assert!(is_checked(&browser, "#verdict-1-match").await);
    assert!(is_checked(&browser, "#verdict-2-no").await);
    assert_eq!(
        browser
            .run("return document.querySelector('#reason-2').value;")
            .await,
        json!("not a software company")
    );

    // Saving is not deciding: a change of mind is still possible, and the last verdict
    // leaves the gate open until the reviewer decides it.
    browser.click("#verdict-2-match").await;
    wait_for_text(&browser, "#record-2 .sample-saved", "Saved: match").await;
    for position in [3, 4] {
        browser.click(&format!("#verdict-{position}-match")).await;
        wait_for_text(
            &browser,
            "#sample-progress",
            &format!("{position} of 4 decided"),
        )
        .await;
    }
    assert!(browser.text("h1").await.contains("open"));
    browser
        .click("#sample-progress button[name='decide']")
        .await;
    browser.wait_for("p.flash").await;

    // Assert: the gate decided by the reviewer's own step, the list approved.
    assert!(browser.text("h1").await.contains("approved"));
    assert!(browser.text("#outcome-h + p").await.contains("4 of 4"));
    assert!(browser.find_all("input[type='radio']").await.is_empty());
    assert_eq!(internal_names(&browser).await, json!([]));
    look_at(&browser, "sample-decided", "h1").await;
}

/// Every field of every sampled record with its source and age, data shown as text, from
/// the inbox's link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_review_page_shows_provenance_and_takes_the_verdicts() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    let gate = open_sample_review(&server, start_time()).await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.sign_in(&server, "rita").await;
    browser.goto(&server.at("/")).await;
    let inbox = browser.run("return document.body.innerText;").await;
    assert!(
        !browser
            .find_all(&format!("a[href='/samples/{gate}']"))
            .await
            .is_empty(),
        "the inbox links the sample review: {inbox}"
    );
    browser.click(&format!("a[href='/samples/{gate}']")).await;
    browser.wait_for(".sample-card").await;
    assert_eq!(
        browser.run("return window.__pwned === undefined;").await,
        json!(true)
    );
    let rows = browser
        .run(
            "return [...document.querySelectorAll('.sample-group')]\
             .filter(g => ['Person', 'Company'].includes(g.querySelector('h3').textContent))\
             .flatMap(g => [...g.querySelectorAll('dl > div')])\
             .map(r => [r.querySelector('dt').textContent, r.querySelector('.sample-value').textContent,\
                        r.querySelector('.sample-source').textContent, r.querySelector('time').textContent]);",
        )
        .await;
    let rows = rows.as_array().unwrap();
    assert!(rows.len() >= 4 * 8, "every field is shown: {rows:?}");
    for row in rows {
        let cells: Vec<&str> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert!(
            cells[2].starts_with("sheet, record"),
            "a source on every field: {cells:?}"
        );
        assert!(
            cells[3].starts_with("observed"),
            "an age on every field: {cells:?}"
        );
        assert!(!cells[0].contains('_'), "a label in words: {cells:?}");
    }
    assert!(
        rows.iter()
            .any(|r| r[1].as_str().unwrap().contains("<script>")),
        "data shows as text"
    );
    for position in 1..=4 {
        browser
            .click(&format!("input[name='verdict_{position}'][value='match']"))
            .await;
        wait_for_text(
            &browser,
            "#sample-progress",
            &format!("{position} of 4 decided"),
        )
        .await;
    }
    browser.click("form button[type='submit'].approve").await;
    browser.wait_for("p.flash").await;
    assert!(browser.text("h1").await.contains("approved"));

    // The list it reviewed, from the main navigation: approved, its four prospects shown.
    browser.click("nav a[href='/lists']").await;
    browser.wait_for("tbody a[href^='/lists/']").await;
    assert!(browser.text("tbody").await.contains("approved"));
    browser.click("tbody a[href^='/lists/']").await;
    browser.wait_for("table.prospects").await;
    let names = browser
        .run("return [...document.querySelectorAll('table.prospects tbody tr')].map(r => r.cells[0].querySelector('a').textContent);")
        .await;
    assert_eq!(
        names,
        json!(["Ann0 Lee0", "Ann1 Lee1", "Ann2 Lee2", "Ann3 Lee3"])
    );
    browser.screenshot("prospect-list").await;

    // Sales ops erases one of them from the Privacy page: a dry run first, then for real.
    browser.sign_out().await;
    browser.sign_in(&server, "otto").await;
    browser.click("nav a[href='/privacy']").await;
    browser.wait_for("form[action='/privacy']").await;
    browser.type_into("#email", "ann3@firm3.com").await;
    browser.type_into("#reason", "her e-mail to privacy@").await;
    browser
        .click("form[action='/privacy'] button.dry-run")
        .await;
    browser.wait_for("#dry-run-h").await;
    browser.resize(1400, 1000).await;
    browser.screenshot("privacy-dry-run").await;
    browser.click("form[action='/privacy'] button.reject").await;
    browser.wait_for("#erased-h").await;
    assert!(
        browser
            .text("section.gate-panel")
            .await
            .contains("1 record(s)")
    );
}

/// The sample as the API reports it: the gate's status and each record's verdict.
async fn stored(
    server: &TestServer,
    client: &reqwest::Client,
    cookie: &str,
    gate: i64,
) -> (String, Vec<Value>) {
    let sample: Value = client
        .get(server.at(&format!("/api/samples/{gate}")))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let verdicts = sample["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["verdict"].clone())
        .collect();
    (
        sample["gate"]["status"].as_str().unwrap().to_string(),
        verdicts,
    )
}

#[tokio::test]
async fn without_javascript_a_mistake_keeps_every_other_choice_and_decides_nothing() {
    // Arrange
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    let gate = open_sample_review(&server, start_time()).await;
    let page = format!("/samples/{gate}");
    let (client, cookie, csrf) = sign_in_plainly(&server, "rita", &page).await;
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("csrf_token", csrf.clone())];
        form.extend(fields.into_iter().map(|(k, v)| (k, v.to_string())));
        client
            .post(server.at(&page))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };

    // Act: three choices, one of them a no match without a reason.
    let answer = post(vec![
        ("verdict_1", "match"),
        ("verdict_2", "no_match"),
        ("reason_2", " "),
        ("verdict_3", "match"),
        ("reason_3", "fine"),
        ("save", "all"),
    ])
    .await
    .unwrap();

    // Assert: 422, the faulty card marked and pointed at, every choice still on the page,
    // the valid ones saved.
    assert_eq!(answer.status().as_u16(), 422);
    let body = answer.text().await.unwrap();
    for kept in [
        "id=\"verdict-1-match\" name=\"verdict_1\" value=\"match\" checked",
        "id=\"verdict-2-no\" name=\"verdict_2\" value=\"no_match\" checked",
        "id=\"verdict-3-match\" name=\"verdict_3\" value=\"match\" checked",
        "name=\"reason_3\" type=\"text\" maxlength=\"500\" value=\"fine\"",
        "aria-invalid=\"true\" aria-describedby=\"reason-2-error\"",
        "id=\"reason-2-error\"",
        "<a href=\"#reason-2\">Ann",
        " (record 2): Say why it does not match",
        "2 verdicts saved",
    ] {
        assert!(body.contains(kept), "{kept} in {body}");
    }
    let (status, verdicts) = stored(&server, &client, &cookie, gate).await;
    assert_eq!(status, "open");
    assert_eq!(
        verdicts,
        [json!("match"), json!(null), json!("match"), json!(null)]
    );

    // With htmx one card is saved at a time and comes back with the progress line; a
    // mistake is answered in the card, its status in a header.
    let card = client
        .post(server.at(&format!("/samples/{gate}/records/2")))
        .header("cookie", &cookie)
        .header("hx-request", "true")
        .form(&[("csrf_token", csrf.as_str()), ("verdict_2", "no_match")])
        .send()
        .await
        .unwrap();
    assert_eq!(card.headers()["x-leadgate-status"], "422");
    let fragment = card.text().await.unwrap();
    assert!(fragment.contains("id=\"record-2\""), "{fragment}");
    assert!(fragment.contains("aria-invalid=\"true\""), "{fragment}");
    assert!(fragment.contains("hx-swap-oob"), "{fragment}");
    assert!(fragment.contains("2 of 4</strong> decided"), "{fragment}");
    assert!(!fragment.contains("<html"), "a fragment, not a page");

    // Every record saved: the gate stays open until the reviewer decides.
    let all = vec![
        ("verdict_1", "match"),
        ("verdict_2", "match"),
        ("verdict_3", "match"),
        ("verdict_4", "match"),
    ];
    let mut save = all.clone();
    save.push(("save", "4"));
    let saved = post(save).await.unwrap();
    assert_eq!(saved.status().as_u16(), 303);
    assert_eq!(
        saved.headers()["location"],
        format!("/samples/{gate}?saved=4#record-4").as_str()
    );
    assert_eq!(stored(&server, &client, &cookie, gate).await.0, "open");
    let decide_button = client
        .get(server.at(&page))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(decide_button.contains("name=\"decide\""));

    let mut decide = all;
    decide.push(("decide", "1"));
    let decided = post(decide).await.unwrap();
    assert_eq!(decided.status().as_u16(), 303);
    assert_eq!(
        decided.headers()["location"],
        format!("/samples/{gate}?decided=1").as_str()
    );
    assert_eq!(stored(&server, &client, &cookie, gate).await.0, "approved");
}

#[tokio::test]
async fn only_a_reviewer_sees_the_controls_and_a_forged_verdict_is_refused() {
    // Arrange: sam leads sales; he is no reviewer.
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    let gate = open_sample_review(&server, start_time()).await;
    let page = format!("/samples/{gate}");
    let (client, cookie, csrf) = sign_in_plainly(&server, "sam", &page).await;

    // Act
    let shown = client
        .get(server.at(&page))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let forged = client
        .post(server.at(&format!("/samples/{gate}/records/1")))
        .header("cookie", &cookie)
        .header("hx-request", "true")
        .form(&[("csrf_token", csrf.as_str()), ("verdict_1", "match")])
        .send()
        .await
        .unwrap();

    // Assert
    assert!(!shown.contains("name=\"verdict_1\""), "no controls for sam");
    assert!(shown.contains("Only a reviewer can mark these records."));
    assert_eq!(forged.headers()["x-leadgate-status"], "403");
    let card = forged.text().await.unwrap();
    assert!(
        card.contains("class=\"error sample-refusal\" role=\"alert\""),
        "{card}"
    );
    let (status, verdicts) = stored(&server, &client, &cookie, gate).await;
    assert_eq!(status, "open");
    assert!(
        verdicts.iter().all(Value::is_null),
        "nothing saved: {verdicts:?}"
    );
}
