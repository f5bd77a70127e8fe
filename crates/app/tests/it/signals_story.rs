//! Behavioural and intent signals, on both backends: a file of engagement and intent
//! imported with every row accounted for, an ICP signal criterion passing for the contact
//! whose pricing visits are in the window and failing for one whose are not; the same
//! checks over `POST /api/events`, all or nothing; and the CLI naming each rejected row.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use leadgate::engine::engagement;
use leadgate::engine::people;
use leadgate::workspace::Workspace;
use leadgate_core::audit::Actor;
use leadgate_core::engagement::KindChoice;
use leadgate_core::role::Role;
use leadgate_store::discovery as stored;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Backend, TestServer, TestWorkspace};

on_both_backends!(
    a_signal_criterion_passes_for_the_contact_with_the_visits,
    signal_criterion_story
);
on_both_backends!(the_api_stores_a_good_batch_and_names_a_bad_item, api_story);
on_both_backends!(the_cli_names_every_rejected_row, cli_story);

fn now() -> Timestamp {
    "2026-11-30T09:00:00Z".parse().unwrap()
}

fn days_ago(days: i64) -> String {
    (now() - SignedDuration::from_hours(24 * days)).to_string()
}

/// Companies of 50 to 1,000 people whose contact looked at pricing twice within a week,
/// researching lead routing helps.
const SIGNAL_ICP: &str = r#"
segment = "Mid-market SaaS"
rationale = "Sales leaders who are looking at our pricing now."
[firmographics]
employees = { min = 50, max = 1000 }
[[personas]]
name = "Sales leader"
titles = ["VP Sales"]
[[signals]]
kind = "pricing_page_visit"
within_days = 7
min_count = 2
required = true
[[intent]]
topic = "lead routing"
min_score = 60
within_days = 21
"#;

const PEOPLE: &str =
    "first_name,last_name,email,title,company_name,company_domain,employees,country
Ann,Small,ann@small.io,VP Sales,Small,small.io,60,US
Cy,Mid,cy@mid.io,VP Sales,Mid,mid.io,300,US
";

async fn live_icp(workspace: &Workspace) {
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
    crate::support::live_icp(&workspace.store, SIGNAL_ICP, now()).await;
}

/// Each contact's criteria by last name: criterion → (outcome, reason), and its standing.
async fn criteria(
    workspace: &Workspace,
) -> BTreeMap<String, (String, BTreeMap<String, (String, String)>)> {
    let mut conn = workspace.store.conn().await.unwrap();
    let list = stored::lists(&mut conn).await.unwrap()[0].id;
    stored::prospects(&mut conn, list, None)
        .await
        .unwrap()
        .into_iter()
        .map(|p| {
            let name = p.profile["person"]["last_name"]["value"]
                .as_str()
                .unwrap()
                .to_string();
            let criteria = p.evaluation["icp"]["criteria"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    let text = |k: &str| c[k].as_str().unwrap().to_string();
                    (text("criterion"), (text("outcome"), text("reason")))
                })
                .collect();
            (name, (p.status.as_str().to_string(), criteria))
        })
        .collect()
}

async fn signal_criterion_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    // Arrange: a live ICP that requires two pricing visits within 7 days; Ann visited twice
    // this week (once anonymously from her company's network counts for her account), Cy
    // once this week and once 10 days ago; one row is not readable.
    let workspace = ws.init(now()).await;
    live_icp(&workspace).await;
    let events = ws.write(
        "engagement.csv",
        &format!(
            "Timestamp,Kind,Email,Domain,URL,Topic,Score\n\
             {a},page_view,Ann@Small.io,,https://www.small-site.example/pricing?x=1,,\n\
             {b},page_view,,small.io,/plans/,,\n\
             {b},page_view,ann@small.io,,/pricing-faq,,\n\
             {b},page_view,cy@mid.io,,/pricing,,\n\
             {c},page_view,cy@mid.io,,/pricing,,\n\
             {a},intent,,small.io,,Lead Routing,82\n\
             {a},intent,,mid.io,,lead routing,140\n",
            a = days_ago(1),
            b = days_ago(3),
            c = days_ago(10),
        ),
    );

    // Act: import the events, then the people; the worker runs discovery.
    let report = engagement::import_file(
        &workspace.store,
        &events,
        KindChoice::Auto,
        &Actor::Person("otto".into()),
        None,
        now(),
    )
    .await
    .unwrap();
    let again = engagement::import_file(
        &workspace.store,
        &events,
        KindChoice::Auto,
        &Actor::Person("otto".into()),
        None,
        now(),
    )
    .await
    .unwrap();
    let people_file = ws.write("people.csv", PEOPLE);
    crate::support::import_sheet(
        &workspace.store,
        people_file,
        ws.path().join("imports"),
        now(),
    )
    .await;
    workspace
        .worker("test")
        .drain(&workspace.store, now())
        .await
        .unwrap();

    // Assert: every row accounted for, the bad one by row and column; nothing twice.
    assert_eq!(
        (
            report.rows_read,
            report.engagement,
            report.intent,
            report.rejected
        ),
        (7, 5, 1, 1),
        "{report:?}"
    );
    assert_eq!(report.rejected_rows[0].row, 7);
    assert_eq!(report.rejected_rows[0].column, "Score");
    assert!(report.rejected_rows[0].reason.contains("140"), "{report:?}");
    assert_eq!((again.stored, again.duplicates, again.rejected), (0, 6, 1));

    // Assert: Ann passes the signal with her two visits (and her company's intent); Cy's
    // visit 10 days ago is outside the window, so the required signal fails and drops him.
    let seen = criteria(&workspace).await;
    let (ann_standing, ann) = &seen["Small"];
    assert_eq!(ann_standing, "admitted", "{ann:?}");
    assert_eq!(
        ann["signals.pricing_page_visit"],
        (
            "pass".to_string(),
            "seen 2 times in the last 7 days (needs 2)".to_string()
        )
    );
    assert_eq!(ann["intent.\"lead routing\""].0, "pass", "{ann:?}");
    let (cy_standing, cy) = &seen["Mid"];
    assert_eq!(cy_standing, "dropped", "{cy:?}");
    assert_eq!(
        cy["signals.pricing_page_visit"],
        (
            "fail".to_string(),
            "seen once in the last 7 days, needs 2".to_string()
        )
    );
    assert_eq!(
        cy["intent.\"lead routing\""].1,
        "not observed in the last 21 days"
    );

    // Assert: each import is in the audit log with its counts.
    let mut conn = workspace.store.conn().await.unwrap();
    let imports = leadgate_store::engagement::imports(&mut conn)
        .await
        .unwrap();
    assert_eq!(imports.len(), 2);
    let filter = leadgate_store::audit::AuditFilter {
        subject: None,
        actor: Some("otto"),
        action: Some("engagement.imported"),
        before_seq: None,
        limit: 10,
    };
    let audited = leadgate_store::audit::list(&mut conn, &filter)
        .await
        .unwrap();
    assert_eq!(audited.len(), 2);
    let entry = audited.last().expect("audited");
    let inputs: Value = serde_json::from_str(&entry.inputs).unwrap();
    assert_eq!(inputs["rows_read"], 7);
    assert_eq!(inputs["rejected"], 1);
}

async fn api_story(backend: Backend) {
    let Some(server) = TestServer::start(backend, now(), false).await else {
        return;
    };
    let token = server.token("otto").await;
    let post = |body: Value| {
        server
            .client
            .post(server.at("/api/events"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let good = json!([
        {"kind": "page_view", "at": days_ago(1), "email": "ann@small.io", "url": "/pricing"},
        {"kind": "email_reply", "at": days_ago(2), "email": "ann@small.io", "detail": "Q4 launch"},
        {"kind": "intent", "at": days_ago(7), "domain": "small.io", "topic": "lead routing", "score": 77},
    ]);

    // A bad item stops the batch and is named by index and field.
    let mut bad = good.clone();
    bad[1]["at"] = json!("yesterday-ish");
    let response = post(bad).await.unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["details"], json!({"index": 1, "field": "at"}));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("events[1].at: `yesterday-ish` is not a time"),
        "{body}"
    );
    let unknown_field = post(json!([{"kind": "page_view", "at": days_ago(1), "page": "/x"}]))
        .await
        .unwrap();
    assert_eq!(unknown_field.status(), 422);
    let mut conn = server.store.conn().await.unwrap();
    assert!(
        leadgate_store::engagement::imports(&mut conn)
            .await
            .unwrap()
            .is_empty(),
        "nothing of a refused batch is stored"
    );

    // A good batch is stored; sent again, it is recognised.
    let response = post(good.clone()).await.unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (&body["items"], &body["engagement"], &body["intent"]),
        (&json!(3), &json!(2), &json!(1)),
        "{body}"
    );
    let again: Value = post(good).await.unwrap().json().await.unwrap();
    assert_eq!(
        (&again["stored"], &again["duplicates"]),
        (&json!(0), &json!(3))
    );
    let from = now() - SignedDuration::from_hours(24 * 30);
    let ann = leadgate_core::discovery::normalize::Email::parse("ann@small.io").unwrap();
    let stored =
        leadgate_store::engagement::engagement_of(&mut conn, Some(&ann), None, from, now())
            .await
            .unwrap();
    assert_eq!(stored.len(), 2);

    // Domain events are listed at their own path.
    let listed = server
        .client
        .get(server.at("/api/domain-events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
}

async fn cli_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    ws.init(now()).await;
    let at = Some("2026-11-30T09:00:00Z");
    let file = ws.write(
        "webinar.jsonl",
        "{\"at\":\"2026-11-20\",\"email\":\"ann@small.io\",\"webinar\":\"Routing 101\"}\n\
         {\"at\":\"2026-11-20\",\"email\":\"not an address\"}\n\
         {\"at\":\"2027-01-01\",\"email\":\"cy@mid.io\"}\n",
    );
    let name = file.display().to_string();

    // A file of one kind, named on the command line: the good row stored, each bad one
    // named as FILE:ROW:COLUMN.
    let run = ws
        .leadgate_at(
            &["events", "import", &name, "--kind", "webinar_attended"],
            at,
        )
        .ok();
    let out = run.stdout();
    assert!(out.contains("Rows read 3: stored 1"), "{out}");
    assert!(out.contains(&format!("{name}:2:email: ")), "{out}");
    assert!(
        out.contains(&format!(
            "{name}:3:at: 2027-01-01T00:00:00Z is in the future"
        )),
        "{out}"
    );

    // Read row by row, the file has no kind: nothing to store, exit 2.
    let run = ws.leadgate_at(&["events", "import", &name], at);
    assert_eq!(run.0.status.code(), Some(2));
    let run = run.fails_with("nothing to import: every row was rejected");
    assert!(
        run.stderr().contains("column kind: missing"),
        "{}",
        run.stderr()
    );

    // An unknown --kind is refused before anything is read.
    let run = ws.leadgate_at(&["events", "import", &name, "--kind", "visit"], at);
    assert_eq!(run.0.status.code(), Some(2));
    run.fails_with("unknown kind `visit`");
}
