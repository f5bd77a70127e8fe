//! Stage 5's clock from the command line: `leadgate sla explain` gives the deadline of a lead
//! on a rep's calendar from `[[handoff.reps]]` — hours, zone, public holidays, days off, the
//! class's policy — with each step of the computation; a calendar can be tried before anyone
//! is configured with it; a mistake in the configuration names its line and key.

use crate::support::{Backend, TestWorkspace};

const REPS: &str = r#"
[handoff.sla]
warm = "4h"

[[handoff.reps]]
name = "rosa"
time_zone = "America/New_York"
hours = "Mo-Fr 09:00-17:00; PH off"
public_holidays = "US"

[[handoff.reps]]
name = "jonas"
time_zone = "Europe/Berlin"
hours = "Mo-Th 08:00-12:00,13:00-17:00; Fr 08:00-14:00; PH off"
public_holidays = "DE-BY"
days_off = ["2027-06-07..2027-06-11"]
"#;

#[tokio::test]
async fn sla_explain_gives_each_rep_s_deadline_and_how_it_was_reached() {
    let Some(ws) = TestWorkspace::new(Backend::Sqlite).await else {
        return;
    };
    ws.write("leadgate.toml", REPS);
    let explain = |args: &[&str]| {
        let mut all = vec!["sla", "explain"];
        all.extend_from_slice(args);
        all.push("--json");
        ws.leadgate(&all).ok().json()
    };

    // Rosa: an MQL on the eve of Thanksgiving at 16:00 is due at 17:00 that day; a warm lead
    // has 4 business hours, which run over Thanksgiving into Friday.
    let mql = explain(&["--rep", "rosa", "--at", "2027-11-24T21:00:00Z"]);
    let warm = explain(&[
        "--rep",
        "rosa",
        "--at",
        "2027-11-24T21:00:00Z",
        "--class",
        "warm",
    ]);
    assert_eq!(mql["deadline"], "2027-11-24T17:00:00-05:00");
    assert_eq!(warm["deadline"], "2027-11-26T12:00:00-05:00");
    assert_eq!(warm["business_minutes"], 240);
    let steps = warm["steps"].to_string();
    assert!(steps.contains("Thanksgiving, a public holiday"), "{steps}");

    // Jonas, in Bavaria: Fronleichnam, a lunch break, a short Friday, a week off.
    let corpus_christi = explain(&["--rep", "jonas", "--at", "2027-05-27T09:00:00+02:00"]);
    assert_eq!(corpus_christi["deadline"], "2027-05-28T14:00:00+02:00");
    let lunch = explain(&[
        "--rep",
        "jonas",
        "--at",
        "2027-05-25T11:00:00+02:00",
        "--class",
        "warm",
    ]);
    assert_eq!(
        lunch["deadline"], "2027-05-25T16:00:00+02:00",
        "an hour before lunch, three after"
    );
    let away = explain(&["--rep", "jonas", "--at", "2027-06-07T10:00:00+02:00"]);
    assert_eq!(away["starts"], "2027-06-14T08:00:00+02:00");
    assert!(away["steps"].to_string().contains("a day off"), "{away}");

    // A local time is read in the rep's zone.
    let local = explain(&["--rep", "rosa", "--at", "2027-11-24T16:00"]);
    assert_eq!(local["arrived"], "2027-11-24T16:00:00-05:00");

    // For people: the deadline and the steps.
    let shown = ws
        .leadgate(&[
            "sla",
            "explain",
            "--rep",
            "rosa",
            "--at",
            "2027-11-24T21:00:00Z",
            "--class",
            "warm",
        ])
        .ok()
        .stdout();
    assert!(
        shown.starts_with("Deadline 2027-11-26T12:00:00-05:00 (warm lead: acknowledge within 4 h of business time)."),
        "{shown}"
    );

    // A calendar tried before anyone has it, across New York's change of clocks.
    let tried = explain(&[
        "--calendar",
        "Mo-Su 00:00-24:00",
        "--tz",
        "America/New_York",
        "--at",
        "2027-03-13T12:00:00-05:00",
        "--class",
        "warm",
    ]);
    assert_eq!(tried["deadline"], "2027-03-13T16:00:00-05:00");
    let scotland = explain(&[
        "--calendar",
        "Mo-Fr 09:00-17:00; PH off",
        "--tz",
        "Europe/London",
        "--country",
        "GB",
        "--region",
        "SCT",
        "--at",
        "2027-11-30T10:00:00Z",
    ]);
    assert_eq!(
        scotland["deadline"], "2027-12-01T17:00:00+00:00",
        "St Andrew's Day"
    );

    // Mistakes are named.
    ws.leadgate(&["sla", "explain", "--rep", "nobody"])
        .fails_with("no rep \"nobody\" in [[handoff.reps]] (there are: rosa, jonas)");
    ws.leadgate(&[
        "sla",
        "explain",
        "--calendar",
        "Mo-Fx 09:00-17:00",
        "--tz",
        "Europe/Berlin",
    ])
    .fails_with("`Fx` is not a day");
    ws.leadgate(&[
        "sla",
        "explain",
        "--calendar",
        "Mo-Fr 09:00-17:00",
        "--tz",
        "Europe/Berlin",
        "--country",
        "DE",
        "--region",
        "XX",
    ])
    .fails_with("\"XX\" is not a region of Germany");
    ws.write(
        "leadgate.toml",
        &REPS.replace("Mo-Fr 09:00-17:00; PH off", "Mo-Fr 9-17"),
    );
    ws.leadgate(&["sla", "explain", "--rep", "rosa"])
        .fails_with(
            "leadgate.toml:8:9: key `handoff.reps[0].hours`: \"Mo-Fr 9-17\": `9` is not a time",
        );
}

crate::on_both_backends!(
    route_explain_names_the_rule_that_takes_a_lead_and_why_the_others_did_not,
    route_story
);

const ROUTING: &str = r#"
account_owners = "owners.csv"

[[handoff.reps]]
name = "rosa"
time_zone = "America/New_York"
public_holidays = "US"
booking_link = "https://cal.routewise.example/rosa"

[[handoff.reps]]
name = "jonas"
time_zone = "Europe/Berlin"
public_holidays = "DE-BY"

[[handoff.reps]]
name = "lena"
time_zone = "Europe/Berlin"
public_holidays = "DE-BE"

[handoff.routing]
fallback = "queue"

[[handoff.routing.rules]]
name = "Owned accounts"
strategy = "account_owner"

[[handoff.routing.rules]]
name = "Big DACH"
when = { country = ["DE", "AT", "CH"], employees_min = 200 }
strategy = "round_robin"
reps = { jonas = 2, lena = 1 }

[[handoff.routing.rules]]
name = "North America"
when = { country = ["US", "CA"] }
strategy = "rep"
rep = "rosa"
"#;

const PEOPLE: &str =
    "first_name,last_name,email,title,company_name,company_domain,employees,country
Ann,Small,ann@small.io,VP Sales,Small & Sons,small.io,60,US
Cy,Mid,cy@mid.ch,VP Sales,Mid,mid.ch,300,CH
Di,Owned,di@owned.fr,VP Sales,Owned,owned.fr,300,FR
Ed,Far,ed@far.jp,VP Sales,Far,far.jp,300,JP
";

async fn route_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    let now: jiff::Timestamp = "2027-03-02T10:00:00Z".parse().unwrap();
    let workspace = handoff_workspace(&ws, now, &[], ROUTING).await;
    let config = ws.path().join("leadgate.toml");
    let lead_of = |email: &'static str| {
        let store = workspace.store.clone();
        async move { lead_id(&store, email).await.to_string() }
    };
    let explain = |lead: &str| {
        ws.leadgate(&[
            "route",
            "explain",
            lead,
            "--at",
            "2027-03-02T10:00:00Z",
            "--json",
        ])
        .ok()
        .json()
    };

    // Act
    let ann = explain(&lead_of("ann@small.io").await);
    let cy = explain(&lead_of("cy@mid.ch").await);
    let di = explain(&lead_of("di@owned.fr").await);
    let ed = explain(&lead_of("ed@far.jp").await);

    // Assert: each goes by the first rule that takes it, and says why the others did not.
    assert_eq!(
        ann["assignee"],
        serde_json::json!({"to": "rep", "name": "rosa"})
    );
    assert_eq!(ann["rule"], "North America");
    assert_eq!(
        ann["considered"][1]["why"],
        "country US is not one of DE, AT, CH"
    );
    assert_eq!(cy["assignee"]["name"], "jonas", "weight 2 goes first: {cy}");
    assert_eq!(cy["rule"], "Big DACH");
    assert_eq!(di["assignee"]["name"], "lena", "{di}");
    assert_eq!(di["rule"], "Owned accounts");
    assert_eq!(di["account_owner"], "lena");
    assert_eq!(ed["assignee"], serde_json::json!({"to": "queue"}));
    assert!(ed["rule"].is_null());

    // For people, and mistakes named.
    let shown = ws
        .leadgate(&[
            "route",
            "explain",
            &lead_of("ann@small.io").await,
            "--at",
            "2027-03-02T10:00:00Z",
        ])
        .ok()
        .stdout();
    assert!(
        shown.contains("goes to rosa, by rule \"North America\""),
        "{shown}"
    );
    assert!(
        shown.contains("1. Owned accounts — did not: the company has no owner"),
        "{shown}"
    );
    ws.write("owners.csv", "domain,owner\nowned.fr,\n");
    ws.leadgate(&["route", "explain", &lead_of("di@owned.fr").await])
        .fails_with("owners.csv: row 2: a domain and an owner are both needed");
    let broken = std::fs::read_to_string(&config).unwrap().replace(
        "reps = { jonas = 2, lena = 1 }",
        "reps = { jonas = 2, otto = 1 }",
    );
    ws.write("leadgate.toml", &broken);
    ws.leadgate(&["route", "explain", "1"])
        .fails_with("rule \"Big DACH\": \"otto\" is not a rep of [[handoff.reps]]");
}

/// A workspace whose admitted leads are [`PEOPLE`], with `reps` as people of the workspace
/// and `handoff` (the keys of `[handoff]` and its tables) in its leadgate.toml, reopened so
/// that its configuration is read.
async fn handoff_workspace(
    ws: &TestWorkspace,
    now: jiff::Timestamp,
    reps: &[&str],
    handoff: &str,
) -> leadgate::workspace::Workspace {
    let workspace = ws.init(now).await;
    crate::support::admitted_list(ws, &workspace, crate::support::SALES_ICP, PEOPLE, now).await;
    for rep in reps {
        leadgate::engine::people::add(
            &workspace.store,
            &leadgate_core::audit::Actor::System,
            rep,
            &format!("{rep}@routewise.example"),
            vec![leadgate_core::role::Role::Rep],
            now,
        )
        .await
        .unwrap();
    }
    let text = std::fs::read_to_string(ws.path().join("leadgate.toml")).unwrap();
    ws.write(
        "leadgate.toml",
        &format!("{text}\n[handoff]\n{}", handoff.trim_start()),
    );
    ws.write("owners.csv", "domain,owner\nowned.fr,lena\n");
    leadgate::workspace::Workspace::open(ws.path(), now)
        .await
        .unwrap()
}

/// The contact id of the lead with `email`.
async fn lead_id(store: &leadgate_store::Store, email: &str) -> i64 {
    let mut conn = store.conn().await.unwrap();
    leadgate_store::discovery::leads(&mut conn, None)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.columns.email == email)
        .unwrap_or_else(|| panic!("{email} is not a lead"))
        .contact_id
}

/// The lead answers with interest at `at`: the event the reply reader emits.
async fn positive_reply(store: &leadgate_store::Store, lead: i64, at: jiff::Timestamp) {
    let mut tx = store.begin().await.unwrap();
    leadgate::engine::emit(
        &mut tx,
        leadgate_core::event::EventKind::PositiveReply,
        &leadgate_core::audit::Subject::Lead(lead),
        serde_json::json!({ "reply": 1 }),
        at,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

crate::on_both_backends!(
    a_positive_reply_becomes_a_task_for_the_right_rep_acknowledged_only_by_them,
    task_story
);

async fn task_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    // Tuesday 2027-03-02, 10:00 in New York.
    let now: jiff::Timestamp = "2027-03-02T15:00:00Z".parse().unwrap();
    let workspace = handoff_workspace(&ws, now, &["rosa", "jonas", "lena"], ROUTING).await;
    let store = &workspace.store;
    let ann = lead_id(store, "ann@small.io").await;

    // Act: Ann answers with interest; the worker runs what the event triggered. She answers
    // again an hour later: her task is still open, so nothing new.
    positive_reply(store, ann, now).await;
    workspace.worker("test").drain(store, now).await.unwrap();
    let later = now + jiff::SignedDuration::from_hours(1);
    positive_reply(store, ann, later).await;
    workspace.worker("test").drain(store, later).await.unwrap();

    // Assert: one task, Rosa's, by the North America rule, due by the end of the next
    // business day in New York (a warm lead), with Ann's record.
    let tasks = ws
        .leadgate_at(&["tasks", "list", "--json"], Some("2027-03-02T16:00:00Z"))
        .ok()
        .json();
    let tasks = tasks.as_array().unwrap();
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    let task = &tasks[0];
    assert_eq!(task["rep"], "rosa");
    assert_eq!(task["rule"], "North America");
    assert_eq!(task["class"], "warm");
    assert_eq!(task["signal"], "positive_reply");
    assert_eq!(task["due_at"], "2027-03-03T22:00:00Z");
    assert_eq!(task["record"]["email"], "ann@small.io");
    assert_eq!(task["record"]["company"], "Small & Sons");
    let id = task["id"].as_i64().unwrap().to_string();
    let jonas = ws
        .leadgate_at(
            &["tasks", "list", "--as", "jonas"],
            Some("2027-03-02T16:00:00Z"),
        )
        .ok()
        .stdout();
    assert!(jonas.contains("No open task for jonas"), "{jonas}");
    let rosa = ws
        .leadgate_at(
            &["tasks", "list", "--as", "rosa"],
            Some("2027-03-02T16:00:00Z"),
        )
        .ok()
        .stdout();
    assert!(rosa.contains("14 h of business time left"), "{rosa}");

    // The gate: Jonas may not acknowledge Rosa's lead; Rosa does, an hour and a half in.
    ws.leadgate_at(
        &["tasks", "ack", &id, "--as", "jonas"],
        Some("2027-03-02T16:30:00Z"),
    )
    .fails_with(&format!(
        "task {id} is rosa's: only the rep a lead went to acknowledges it"
    ));
    let acked = ws
        .leadgate_at(
            &["tasks", "ack", &id, "--as", "rosa", "--json"],
            Some("2027-03-02T16:30:00Z"),
        )
        .ok()
        .json();
    assert_eq!(acked["status"], "acknowledged");
    assert_eq!(acked["ack_minutes"], 90);
    ws.leadgate_at(
        &["tasks", "ack", &id, "--as", "rosa"],
        Some("2027-03-02T16:31:00Z"),
    )
    .fails_with("was acknowledged already, by rosa");
    let report = ws
        .leadgate_at(&["sla", "report", "--json"], Some("2027-03-02T17:00:00Z"))
        .ok()
        .json();
    let rosa = report
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rep"] == "rosa" && l["class"] == "warm")
        .unwrap()
        .clone();
    assert_eq!(
        (rosa["judged"].as_i64(), rosa["in_time"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(rosa["compliance"], 1.0);
    assert_eq!(rosa["median_minutes"], 90);

    // The audit log shows the chain: routed with its reasons, the refusal, the acknowledgement.
    let audit = ws
        .leadgate(&["audit", "--subject", &format!("task:{id}"), "--json"])
        .ok()
        .json();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "lead.routed",
        "task.acknowledge.refused",
        "task.acknowledged",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

crate::on_both_backends!(
    each_handoff_goes_to_the_webhooks_signed_retried_and_replayable,
    webhook_story
);

/// A loopback receiver: keeps each request's path, headers and body; answers 500 to the
/// first `fail_first` requests to /crm.
async fn receiver(
    fail_first: usize,
) -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<(String, axum::http::HeaderMap, String)>>>,
) {
    use axum::extract::{Path, State};
    use axum::http::{HeaderMap, StatusCode};
    type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, HeaderMap, String)>>>;
    let seen: Seen = Default::default();
    let app = axum::Router::new()
        .route(
            "/{path}",
            axum::routing::post(
                move |State(seen): State<Seen>,
                      Path(path): Path<String>,
                      headers: HeaderMap,
                      body: String| async move {
                    let mut seen = seen.lock().unwrap();
                    seen.push((path.clone(), headers, body));
                    let crm = seen.iter().filter(|(p, _, _)| p == "crm").count();
                    if path == "crm" && crm <= fail_first {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::OK
                    }
                },
            ),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), seen)
}

async fn webhook_story(backend: Backend) {
    use hmac::{KeyInit, Mac};

    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    let now: jiff::Timestamp = "2027-03-02T15:00:00Z".parse().unwrap();
    let (base, seen) = receiver(1).await;
    let hooks = format!(
        "{ROUTING}\n[[handoff.webhooks]]\nurl = \"{base}/crm\"\nsecret_env = \"HOOK_SECRET\"\n\n\
         [[handoff.webhooks]]\nurl = \"{base}/slack\"\nformat = \"slack\"\n"
    );
    let workspace = handoff_workspace(&ws, now, &["rosa", "jonas", "lena"], &hooks).await;
    let store = &workspace.store;
    let ann = lead_id(store, "ann@small.io").await;
    let mut worker = workspace.worker("test");
    worker.secrets = leadgate::engine::worker::Secrets(std::sync::Arc::new(|name: &str| {
        (name == "HOOK_SECRET").then(|| "s3cret".to_string())
    }));

    // Act: Ann answers with interest; the CRM's endpoint fails once, then takes it.
    positive_reply(store, ann, now).await;
    worker.drain(store, now).await.unwrap();
    let retried = now + jiff::SignedDuration::from_secs(31);
    worker.drain(store, retried).await.unwrap();

    // Assert: Slack got the message; the CRM got the task and the lead twice, the second
    // accepted, each signed over its body.
    let requests = seen.lock().unwrap().clone();
    let slack: Vec<_> = requests.iter().filter(|(p, _, _)| p == "slack").collect();
    let crm: Vec<_> = requests.iter().filter(|(p, _, _)| p == "crm").collect();
    assert_eq!((slack.len(), crm.len()), (1, 2), "{requests:?}");
    let text: serde_json::Value = serde_json::from_str(&slack[0].2).unwrap();
    assert!(
        text["text"]
            .as_str()
            .unwrap()
            .starts_with("New warm lead for rosa: Ann Small (Small & Sons) — positive_reply. Acknowledge by Wed 2027-03-03 17:00 EST"),
        "{text}"
    );
    let (_, headers, body) = crm[1];
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["event"], "lead.routed");
    assert_eq!(payload["task"]["rep"], "rosa");
    assert_eq!(payload["lead"]["email"], "ann@small.io");
    assert_eq!(
        payload["lead"]["booking_link"],
        "https://cal.routewise.example/rosa"
    );
    assert!(
        text["text"]
            .as_str()
            .unwrap()
            .ends_with("Booking link: https://cal.routewise.example/rosa"),
        "{text}"
    );
    assert_eq!(headers["x-leadgate-event"], "lead.routed");
    let signature = headers["x-leadgate-signature"].to_str().unwrap();
    let (t, v1) = signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    assert_eq!(
        v1,
        hex::encode(mac.finalize().into_bytes()),
        "the signature verifies"
    );
    assert!(
        slack[0].1.get("x-leadgate-signature").is_none(),
        "no secret, no signature"
    );

    // The log: two attempts on the CRM's delivery, the first one's failure kept.
    let log = ws.leadgate(&["webhooks", "list", "--json"]).ok().json();
    let crm_log = log
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["url"].as_str().unwrap().ends_with("/crm"))
        .unwrap()
        .clone();
    assert_eq!(crm_log["status"], "delivered");
    assert_eq!(crm_log["attempts"], 2);
    assert_eq!(crm_log["last_status"], 200);

    // A person sends it again; the worker delivers it a third time.
    let id = crm_log["id"].as_i64().unwrap().to_string();
    ws.leadgate(&["webhooks", "replay", &id, "--as", "otto"])
        .ok();
    let replayed = retried + jiff::SignedDuration::from_secs(5);
    worker.drain(store, replayed).await.unwrap();
    let crm_requests = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(p, _, _)| p == "crm")
        .count();
    assert_eq!(crm_requests, 3);
    ws.leadgate(&["webhooks", "replay", "999", "--as", "otto"])
        .fails_with("no webhook delivery 999");
}

crate::on_both_backends!(
    a_missed_deadline_reminds_then_escalates_and_reassigns_the_lead,
    breach_story
);

const US_TEAM: &str = r#"
manager = "otto"

[[handoff.reps]]
name = "ned"
time_zone = "America/New_York"
public_holidays = "US"

[[handoff.reps]]
name = "rosa"
time_zone = "America/New_York"
public_holidays = "US"

[[handoff.routing.rules]]
name = "US team"
strategy = "round_robin"
reps = { ned = 1, rosa = 1 }
"#;

async fn breach_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    // Tuesday 2027-03-02, 10:00 in New York.
    let now: jiff::Timestamp = "2027-03-02T15:00:00Z".parse().unwrap();
    let workspace = handoff_workspace(&ws, now, &["ned", "rosa"], US_TEAM).await;
    let store = &workspace.store;
    let ann = lead_id(store, "ann@small.io").await;
    positive_reply(store, ann, now).await;
    let worker = workspace.worker("test");
    let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();

    // Act: the worker runs as the clock moves: the routing now, the reminder at 75 % of the
    // business time (Wednesday 13:15 in New York), the deadline (Wednesday 17:00).
    worker.drain(store, now).await.unwrap();
    worker
        .drain(store, at("2027-03-03T18:16:00Z"))
        .await
        .unwrap();
    let reminded = ws.leadgate(&["tasks", "list", "--json"]).ok().json();
    worker
        .drain(store, at("2027-03-03T22:00:01Z"))
        .await
        .unwrap();

    // Assert: Ned got it (first by name at equal shares) and was reminded; at the deadline
    // the breach was recorded, the manager named, and the lead went to Rosa, Ned passed over,
    // on a fresh deadline: the end of Friday, the next business day after Thursday's start.
    assert_eq!(reminded[0]["rep"], "ned");
    assert_eq!(reminded[0]["reminded_at"], "2027-03-03T18:16:00Z");
    assert_eq!(reminded[0]["remind_at"], "2027-03-03T18:15:00Z");
    let all = ws
        .leadgate(&["tasks", "list", "--all", "--json"])
        .ok()
        .json();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    let first = all.iter().find(|t| t["rep"] == "ned").unwrap();
    let second = all.iter().find(|t| t["rep"] == "rosa").unwrap();
    assert_eq!(first["status"], "reassigned");
    assert_eq!(first["breached_at"], "2027-03-03T22:00:01Z");
    assert_eq!(second["status"], "open");
    assert_eq!(second["due_at"], "2027-03-05T22:00:00Z");
    let skipped = second["routing"]["detail"].to_string();
    assert!(
        skipped.contains("ned: skipped, passed over (let the SLA of this lead pass"),
        "{skipped}"
    );
    let audit = ws
        .leadgate(&[
            "audit",
            "--subject",
            &format!("task:{}", first["id"]),
            "--json",
        ])
        .ok()
        .json();
    let breach = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "sla.breached")
        .expect("the breach is audited");
    let inputs: serde_json::Value =
        serde_json::from_str(breach["inputs"].as_str().unwrap()).unwrap();
    assert_eq!(inputs["manager"], "otto");
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "task.reminded"),
        "{audit}"
    );
    let report = ws
        .leadgate_at(&["sla", "report"], Some("2027-03-04T14:00:00Z"))
        .ok()
        .stdout();
    let ned_line = report
        .lines()
        .find(|l| l.starts_with("ned "))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(ned_line.contains(" 0 %"), "a missed deadline: {ned_line}");
    // Ned may not acknowledge a lead that left him.
    ws.leadgate_at(
        &["tasks", "ack", &first["id"].to_string(), "--as", "ned"],
        Some("2027-03-04T14:00:00Z"),
    )
    .fails_with("was acknowledged already");
}

crate::on_both_backends!(
    a_score_at_the_routing_threshold_hands_the_lead_off_as_an_mql,
    score_story
);

async fn score_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    let now: jiff::Timestamp = "2027-03-02T15:00:00Z".parse().unwrap();
    let workspace = handoff_workspace(&ws, now, &["ned", "rosa"], US_TEAM).await;
    // The test's card gives 200 points, and 5 more from 200 employees: the routing threshold
    // of 205 takes the companies of 300 and leaves Ann's of 60 with outreach.
    let scoring = leadgate::engine::settings::ScoringConfig {
        threshold: Some(0),
        route_threshold: Some(205),
        ..Default::default()
    };

    // Act: the leads are scored into outreach; the worker runs what that triggered.
    crate::support::score_into_outreach_with(&workspace.store, "otto", "olga", &scoring, now).await;
    workspace
        .worker("test")
        .drain(&workspace.store, now)
        .await
        .unwrap();

    // Assert: each lead over the routing threshold has its task, as an MQL; Ann has none.
    let tasks = ws.leadgate(&["tasks", "list", "--json"]).ok().json();
    let tasks = tasks.as_array().unwrap();
    let companies: std::collections::BTreeSet<&str> = tasks
        .iter()
        .map(|t| t["record"]["company"].as_str().unwrap())
        .collect();
    assert_eq!(
        companies,
        ["Far", "Mid", "Owned"].into_iter().collect(),
        "{tasks:?}"
    );
    for task in tasks {
        assert_eq!(task["class"], "mql");
        assert_eq!(task["signal"], "score");
        assert_eq!(task["rule"], "US team");
    }
}

crate::on_both_backends!(
    pricing_clicks_and_a_demo_request_hand_a_lead_off_as_warm,
    intent_story
);

/// Engagement that raises a hand: the second pricing visit of the week (a visit, then a
/// pricing link clicked in an e-mail) hands Ann to Rosa; her third visit adds nothing; Cy's
/// demo request hands him off too, and an old one found in a late import does not.
async fn intent_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    // Tuesday 2027-03-02, 10:00 in New York.
    let now: jiff::Timestamp = "2027-03-02T15:00:00Z".parse().unwrap();
    let workspace = handoff_workspace(&ws, now, &["rosa", "jonas", "lena"], ROUTING).await;
    let store = &workspace.store;
    let (ann, cy) = (
        lead_id(store, "ann@small.io").await,
        lead_id(store, "cy@mid.ch").await,
    );
    let import = |name: &str, lines: &[&str], at: &str| {
        let file = ws.write(name, &format!("{}\n", lines.join("\n")));
        ws.leadgate_at(
            &["events", "import", file.to_str().unwrap(), "--json"],
            Some(at),
        )
        .ok();
        ws.leadgate_at(&["worker", "--once"], Some(at)).ok();
    };
    let tasks = || {
        ws.leadgate_at(
            &["tasks", "list", "--all", "--json"],
            Some("2027-03-02T18:00:00Z"),
        )
        .ok()
        .json()
        .as_array()
        .unwrap()
        .clone()
    };

    // Act and assert: one pricing visit is interest, not yet a hand raised.
    import(
        "visit.jsonl",
        &[
            r#"{"kind":"page_view","email":"ann@small.io","url":"https://routewise.example/pricing","at":"2027-03-01T14:00:00Z"}"#,
        ],
        "2027-03-02T15:00:00Z",
    );
    assert!(tasks().is_empty());
    // The pricing link in an e-mail, clicked the next day: the second in a week.
    import(
        "click.jsonl",
        &[
            r#"{"kind":"email_click","email":"ann@small.io","url":"https://routewise.example/pricing?utm_source=mail","at":"2027-03-02T15:05:00Z"}"#,
        ],
        "2027-03-02T15:10:00Z",
    );
    let after_click = tasks();
    assert_eq!(after_click.len(), 1, "{after_click:?}");
    assert_eq!(after_click[0]["contact_id"], ann);
    assert_eq!(after_click[0]["signal"], "pricing_clicks");
    assert_eq!(after_click[0]["class"], "warm");
    assert_eq!(after_click[0]["rep"], "rosa");
    let id = after_click[0]["id"].as_i64().unwrap().to_string();
    ws.leadgate_at(
        &["tasks", "ack", &id, "--as", "rosa"],
        Some("2027-03-02T15:30:00Z"),
    )
    .ok();
    // A third visit, after Rosa took the lead: the threshold was crossed already.
    import(
        "again.jsonl",
        &[
            r#"{"kind":"page_view","email":"ann@small.io","url":"https://routewise.example/pricing/enterprise","at":"2027-03-02T16:00:00Z"}"#,
        ],
        "2027-03-02T16:05:00Z",
    );
    assert_eq!(tasks().len(), 1);
    // Cy's demo request from a month ago, found in a late import, is not a hand raised
    // today; today's is.
    import(
        "old-demo.jsonl",
        &[r#"{"kind":"demo_request","email":"cy@mid.ch","at":"2027-02-01T09:00:00Z"}"#],
        "2027-03-02T16:10:00Z",
    );
    assert_eq!(tasks().len(), 1);
    import(
        "demo.jsonl",
        &[
            r#"{"kind":"demo_request","email":"cy@mid.ch","detail":"Book a demo form","at":"2027-03-02T16:15:00Z"}"#,
        ],
        "2027-03-02T16:20:00Z",
    );
    let all = tasks();
    let cy_task = all
        .iter()
        .find(|t| t["contact_id"] == cy)
        .unwrap_or_else(|| panic!("no task for Cy: {all:?}"));
    assert_eq!(cy_task["signal"], "demo_request");
    assert_eq!(cy_task["rule"], "Big DACH", "{cy_task}");

    // The audit log says why: the event's reason is in the routing's trigger.
    let events = {
        let mut conn = store.conn().await.unwrap();
        leadgate_store::events::list(&mut conn, None, 100)
            .await
            .unwrap()
    };
    let shown: Vec<&str> = events
        .iter()
        .filter(|e| e.kind == leadgate_core::event::EventKind::IntentShown)
        .filter_map(|e| e.payload["why"].as_str())
        .collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(
        shown
            .iter()
            .any(|w| w.starts_with("2 pricing page visits or pricing links clicked within 7 days")),
        "{shown:?}"
    );
}

/// Rosa is told of her lead by e-mail — signed, from the alerts mailbox (no relay here: the
/// outbox folder) — with a one-click link: opening it only asks; its button acknowledges the
/// task as Rosa, once. The delivery log keeps the alert without the link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_e_mail_carries_a_one_click_acknowledge_link() {
    let now: jiff::Timestamp = "2027-03-02T15:00:00Z".parse().unwrap();
    let settings = "[handoff]\nmanager = \"sam\"\n\n[[handoff.reps]]\nname = \"rosa\"\n\
        time_zone = \"America/New_York\"\n\n[[handoff.routing.rules]]\nname = \"Everyone\"\n\
        strategy = \"rep\"\nrep = \"rosa\"\n\n[[outreach.mailboxes]]\naddress = \"leads@routewise.example\"\n";
    let Some(server) =
        crate::support::TestServer::start_configured(Backend::Sqlite, now, false, settings).await
    else {
        return;
    };
    server.add_rep("rosa", now).await;
    let lead = server.scored_lead(now).await;
    positive_reply(&server.store, lead, now).await;
    let task = crate::browser::handoff::task_of(&server, lead).await;

    // The alert lands in the outbox once the server's worker has sent it.
    let outbox = server.dir().join("outbox");
    let mut eml = String::new();
    for _ in 0..400 {
        if let Some(file) = std::fs::read_dir(&outbox)
            .into_iter()
            .flatten()
            .flatten()
            .find(|f| f.file_name().to_string_lossy().starts_with("lg-alert-"))
        {
            eml = std::fs::read_to_string(file.path()).unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(eml.contains("To: rosa@example.com"), "{eml}");
    assert!(eml.contains("Subject: New warm lead: "), "{eml}");
    assert!(eml.contains("DKIM-Signature: "), "{eml}");
    assert!(
        !eml.contains("List-Unsubscribe"),
        "an alert is not a campaign: {eml}"
    );
    // The body is quoted-printable, as a mail client decodes it: soft line breaks joined.
    let body = eml.replace("=\r\n", "").replace("=\n", "");
    let token = body
        .split("/ack/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no acknowledge link in {eml}"))
        .to_string();

    // Opening the link only asks; the button acknowledges, as Rosa; a second press and a
    // link leadgate did not issue are refused.
    let asked = server
        .client
        .get(server.at(&format!("/ack/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 200, "{eml}");
    assert!(
        asked
            .text()
            .await
            .unwrap()
            .contains(&format!("Acknowledge task {task}"))
    );
    let open = {
        let mut conn = server.store.conn().await.unwrap();
        leadgate_store::handoff::task_by_id(&mut conn, task)
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(open.status.as_str(), "open", "a GET never acts");
    server.advance(jiff::SignedDuration::from_mins(20));
    let pressed = server
        .client
        .post(server.at(&format!("/ack/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(pressed.status(), 200);
    assert!(pressed.text().await.unwrap().contains("is acknowledged"));
    let again = server
        .client
        .post(server.at(&format!("/ack/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let unknown = server
        .client
        .get(server.at("/ack/not-one-of-ours"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    let mut conn = server.store.conn().await.unwrap();
    let done = leadgate_store::handoff::task_by_id(&mut conn, task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.acknowledged_by.as_deref(), Some("rosa"));
    let acked = leadgate_store::audit::list(
        &mut conn,
        &leadgate_store::audit::AuditFilter {
            action: Some("task.acknowledged"),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(acked[0].actor.name(), "rosa");
    let deliveries = leadgate_store::handoff::deliveries(&mut conn, Some(task))
        .await
        .unwrap();
    let alert = deliveries
        .iter()
        .find(|d| d.url == "mailto:rosa@example.com")
        .unwrap_or_else(|| panic!("{deliveries:?}"));
    assert_eq!(alert.status, "delivered");
    assert!(alert.body.contains("{ack_link}") && !alert.body.contains(&token));
}

/// A demo request posted to the API is a task and a delivered alert well under a second
/// later, though the worker polls only once a minute: the request wakes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_request_over_the_api_wakes_the_worker_at_once() {
    let now: jiff::Timestamp = "2027-03-02T15:00:00Z".parse().unwrap();
    let settings = "\n[handoff]\n\n[[handoff.reps]]\nname = \"rosa\"\ntime_zone = \"America/New_York\"\n\n\
        [[handoff.routing.rules]]\nname = \"Everyone\"\nstrategy = \"rep\"\nrep = \"rosa\"\n";
    let Some(server) =
        crate::support::TestServer::start_editing(Backend::Sqlite, now, false, &|text| {
            format!(
                "{}{settings}",
                text.replace("poll_interval_ms = 500", "poll_interval_ms = 60000")
            )
        })
        .await
    else {
        return;
    };
    server.add_rep("rosa", now).await;
    let lead = server.scored_lead(now).await;
    let email = {
        let mut conn = server.store.conn().await.unwrap();
        leadgate_store::discovery::leads(&mut conn, None)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.contact_id == lead)
            .unwrap()
            .columns
            .email
    };
    let token = server.token("otto").await;
    // Let the worker go idle on its minute-long poll first.
    tokio::task::yield_now().await;

    let posted = std::time::Instant::now();
    let response = server
        .client
        .post(server.at("/api/events"))
        .bearer_auth(&token)
        .json(&serde_json::json!([{
            "kind": "demo_request",
            "email": email,
            "at": "2027-03-02T14:59:00Z",
        }]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let task = crate::browser::handoff::task_of(&server, lead).await;
    let waited = posted.elapsed();

    assert!(
        waited < std::time::Duration::from_secs(5),
        "the task took {waited:?}: the worker waited for its poll"
    );
    let mut conn = server.store.conn().await.unwrap();
    let made = leadgate_store::handoff::task_by_id(&mut conn, task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(made.signal, "demo_request");
    assert_eq!(made.rep.as_deref(), Some("rosa"));
}
