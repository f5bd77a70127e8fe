//! The Handoff page in the browser: a lead that answered with interest waits on its rep's
//! page as a card with the business time left; another rep cannot acknowledge it; its rep
//! presses Acknowledge, and the SLA charts count it in time. axe finds no serious violation
//! on the page with a task or with its charts.

use std::time::Duration;

use leadgate_core::audit::Subject;
use leadgate_core::event::EventKind;

use super::{Browser, start_time};
use crate::support::{Backend, TestServer};

/// Ravi and Rosa work New York hours; every lead goes to Rosa.
const HANDOFF: &str = r#"
[handoff]
manager = "sam"

[[handoff.reps]]
name = "ravi"
time_zone = "America/New_York"

[[handoff.reps]]
name = "rosa"
time_zone = "America/New_York"

[[handoff.routing.rules]]
name = "Everyone"
strategy = "rep"
rep = "rosa"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_acknowledges_her_task_on_the_handoff_page() {
    let now = start_time();
    let Some(server) = TestServer::start_configured(Backend::Sqlite, now, false, HANDOFF).await
    else {
        return;
    };
    let store = &server.store;
    server.add_rep("rosa", now).await;
    let lead = server.scored_lead(now).await;
    // The lead answers with interest; the server's worker hands it to Rosa.
    let mut tx = store.begin().await.unwrap();
    leadgate::engine::emit(
        &mut tx,
        EventKind::PositiveReply,
        &Subject::Lead(lead),
        serde_json::json!({ "reply": 1 }),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let task = task_of(&server, lead).await;
    let Some(browser) = Browser::start().await else {
        return;
    };

    // Ravi sees the open task in the table, but no card and no button: it is not his.
    browser.sign_in(&server, "ravi").await;
    browser.goto(&server.at("/handoff")).await;
    browser.wait_for("#main h1").await;
    assert!(browser.find_all(".task-card").await.is_empty());
    assert_eq!(
        browser.text("table tbody tr td[data-label='Rep']").await,
        "rosa"
    );
    browser.sign_out().await;

    // Rosa's card shows the business time left; she acknowledges it.
    browser.sign_in(&server, "rosa").await;
    browser.goto(&server.at("/handoff")).await;
    browser.wait_for(".task-card").await;
    let card = browser.text(".task-card").await;
    assert!(card.contains("of business time"), "{card}");
    assert!(card.contains("positive reply"), "{card}");
    let axe = super::accessibility::axe_source();
    let mut found = Vec::new();
    if let Some(axe) = &axe {
        found.extend(
            super::accessibility::serious_violations(&browser, axe, "/handoff (a task)").await,
        );
        browser.resize(1400, 1000).await;
    }
    browser
        .click(&format!(
            "form[action='/handoff/tasks/{task}/ack'] button[type=submit]"
        ))
        .await;
    browser.wait_for("#ack-chart").await;
    assert_eq!(browser.text("#mine-h").await, "Your tasks (0)");
    let chart = browser.text("#sla-chart").await;
    assert!(chart.contains("rosa"), "{chart}");
    browser.screenshot("handoff-acknowledged").await;
    if let Some(axe) = &axe {
        found.extend(
            super::accessibility::serious_violations(&browser, axe, "/handoff (SLA charts)").await,
        );
    }
    assert!(found.is_empty(), "axe: {}", found.join("\n"));

    // Rosa books a meeting with the lead, on the same page: it is the lead's outcome, and
    // the pipeline's funnel counts it, each stage with its share of the one before.
    browser.wait_for("#taken-h").await;
    browser
        .click(&format!(
            "form[action='/handoff/tasks/{task}/outcome'] button[type=submit]"
        ))
        .await;
    browser.wait_for(".outcomes li").await;
    let recorded = browser.text(".outcomes li").await;
    assert!(
        recorded.starts_with("meeting booked on 2027-01-04"),
        "{recorded}"
    );
    browser.goto(&server.at("/pipeline")).await;
    browser.wait_for("#pipeline-chart").await;
    let rows = browser
        .run(
            "return Object.fromEntries([...document.querySelectorAll('main table tbody tr')].map(r => \
             [r.cells[0].textContent.trim(), [r.cells[1].textContent.trim(), r.cells[2].textContent.trim()]]));",
        )
        .await;
    for (stage, count, share) in [
        ("Handed to sales", "1", ""),
        ("Tasks waiting for their rep", "0", ""),
        ("Acknowledged by a rep", "1", "100 %"),
        ("Meeting booked", "1", "100 %"),
        ("Opportunity opened", "0", "0 %"),
        ("Won", "0", ""),
    ] {
        assert_eq!(
            rows[stage],
            serde_json::json!([count, share]),
            "{stage}: {rows}"
        );
    }

    let mut conn = store.conn().await.unwrap();
    let outcomes = leadgate_store::outcomes::of_lead(&mut conn, lead)
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].recorded_by, "rosa");
    let done = leadgate_store::handoff::task_by_id(&mut conn, task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.acknowledged_by.as_deref(), Some("rosa"));
}

/// The id of the task the server's worker makes for `lead`, once it has.
pub(crate) async fn task_of(server: &TestServer, lead: i64) -> i64 {
    for _ in 0..400 {
        let mut conn = server.store.conn().await.unwrap();
        if let Some(task) = leadgate_store::handoff::open_task_of(&mut conn, lead)
            .await
            .unwrap()
        {
            return task.id;
        }
        drop(conn);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the server's worker made no task for lead {lead}");
}
