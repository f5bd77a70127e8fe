//! The scoring run, on both backends: with no live model scoring is refused with the way
//! out; a hand-written rules card over the lead vocabulary, proposed by one sales-ops person
//! and approved by another, splits the admitted prospects into outreach and nurture by the
//! threshold, with fit and engagement points that add up to the score and the top three
//! reasons; new engagement rescores only the lead it touches, and `LeadQualified` is
//! announced once per lead and model version; events posted to the API rescore their lead,
//! which `GET /api/leads` shows; and the demo's CRM history trains a card live leads fit.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use leadgate::config::ScoringConfig;
use leadgate::engine::{Error, engagement, gates, model, scoring};
use leadgate::workspace::Workspace;
use leadgate_core::audit::Actor;
use leadgate_core::discovery::prospect::ListStatus;
use leadgate_core::engagement::{KindChoice, PagePolicy};
use leadgate_core::event::EventKind;
use leadgate_core::gate::Request;
use leadgate_core::scoring::lead::LeadStage;
use leadgate_core::scoring::rules;
use leadgate_store::models::ModelOrigin;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, TestWorkspace};

on_both_backends!(
    leads_split_by_threshold_and_an_event_rescores_only_its_lead,
    scoring_story
);

fn now() -> Timestamp {
    "2027-03-01T09:00:00Z".parse().unwrap()
}

fn days_ago(days: i64) -> String {
    (now() - SignedDuration::from_hours(24 * days)).to_string()
}

use crate::support::SALES_ICP as ICP;

const PEOPLE: &str =
    "first_name,last_name,email,title,company_name,company_domain,employees,country
Ann,Small,ann@small.io,VP Sales,Small,small.io,60,US
Bo,Big,bo@big.io,Sales Manager,Big,big.io,500,US
Cy,Mid,cy@mid.io,VP Sales,Mid,mid.io,300,US
Dee,Tiny,dee@tiny.io,Sales Manager,Tiny,tiny.io,40,US
";

/// 170 points to start; a VP +20, a manager −5; two pricing visits in a week +25, one +8;
/// 200 people or more +4, fewer −3.
const CARD: &str = r#"
base_points = 170
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
bins = { feature = "employees", type = "numeric", cuts = [200], whole = true }
points = [0, -3, 4]
"#;

const THRESHOLD: i64 = 190;

async fn rules_card_live(workspace: &Workspace) {
    // The way a team without history starts: `model propose rules.toml`.
    let card = rules::parse(CARD, "rules.toml").unwrap();
    let proposed = model::propose_rules(&workspace.store, "otto", &card, now())
        .await
        .unwrap();
    assert!(
        proposed.version.version.starts_with("r-"),
        "{:?}",
        proposed.version
    );
    assert_eq!(proposed.version.origin, ModelOrigin::Rules);
    // Not measured on any history: the report carries the points, no figures, no warnings.
    assert!(proposed.gate.warnings.is_empty(), "{:?}", proposed.gate);
    assert_eq!(proposed.version.roc_auc(), None);
    let approve = Request::Approve {
        role: None,
        note: None,
    };
    gates::decide(&workspace.store, proposed.gate.id, "olga", approve, now())
        .await
        .unwrap();
}

/// Each lead's score and stage, by e-mail address.
async fn standings(workspace: &Workspace) -> BTreeMap<String, (i64, LeadStage)> {
    scoring::list(&workspace.store, None)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.email.clone(), (l.score, l.stage)))
        .collect()
}

async fn qualified_events(workspace: &Workspace) -> usize {
    let mut conn = workspace.store.conn().await.unwrap();
    leadgate_store::events::list(&mut conn, None, 1000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == EventKind::LeadQualified)
        .count()
}

async fn scoring_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    // Arrange: four admitted prospects; Ann looked at pricing twice this week.
    let workspace = ws.init(now()).await;
    crate::support::admitted_list(&ws, &workspace, ICP, PEOPLE, now()).await;
    let visits = ws.write(
        "visits.csv",
        &format!(
            "at,kind,email,url\n{a},page_view,ann@small.io,/pricing\n{b},page_view,ann@small.io,/pricing\n",
            a = days_ago(1),
            b = days_ago(3),
        ),
    );
    let otto = Actor::Person("otto".into());
    engagement::import_file(
        &workspace.store,
        &visits,
        KindChoice::Auto,
        &otto,
        None,
        now(),
    )
    .await
    .unwrap();
    let config = ScoringConfig {
        threshold: Some(THRESHOLD),
        ..ScoringConfig::default()
    };
    let pages = PagePolicy::default();

    // Act + Assert: with no live model, scoring is refused and says what to do.
    let refused = scoring::run(&workspace.store, &config, &pages, now()).await;
    let Err(Error::Conflict(why)) = refused else {
        panic!("scoring without a live model must be refused: {refused:?}");
    };
    assert!(why.starts_with("no scoring model is live: "), "{why}");

    // Act: a rules card goes live through sales ops, and the leads are scored.
    rules_card_live(&workspace).await;
    let run = scoring::run(&workspace.store, &config, &pages, now())
        .await
        .unwrap();

    // Assert: the threshold splits them; points add up; reasons are the top three.
    assert_eq!(
        (run.scored, run.outreach, run.nurture),
        (4, 2, 2),
        "{run:?}"
    );
    let seen = standings(&workspace).await;
    assert_eq!(
        seen["ann@small.io"],
        (170 + 20 + 25 - 3, LeadStage::Outreach)
    );
    assert_eq!(seen["cy@mid.io"], (170 + 20 + 4, LeadStage::Outreach));
    assert_eq!(seen["bo@big.io"], (170 - 5 + 4, LeadStage::Nurture));
    assert_eq!(seen["dee@tiny.io"], (170 - 5 - 3, LeadStage::Nurture));
    for lead in scoring::list(&workspace.store, None).await.unwrap() {
        assert_eq!(lead.fit + lead.engagement, lead.score, "{lead:?}");
        let points: Vec<i64> = lead
            .reasons
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["points"].as_i64().unwrap())
            .collect();
        assert_eq!(points.len(), 3);
        assert!(
            points.windows(2).all(|w| w[0].abs() >= w[1].abs()),
            "{points:?}"
        );
    }
    let ann = scoring::list(&workspace.store, Some(LeadStage::Outreach))
        .await
        .unwrap();
    let ann = ann.iter().find(|l| l.email == "ann@small.io").unwrap();
    assert_eq!(ann.engagement, 25);
    assert_eq!(ann.reasons[0]["term"], "pricing_page_visit_7d");
    assert_eq!(qualified_events(&workspace).await, 2);

    // Act: Bo looks at pricing twice; importing it rescores Bo and no one else.
    let bo_visits = ws.write(
        "bo.csv",
        &format!(
            "at,kind,email,url\n{a},page_view,bo@big.io,/pricing\n{b},page_view,bo@big.io,/plans\n",
            a = days_ago(0),
            b = days_ago(2),
        ),
    );
    let later = now() + SignedDuration::from_hours(1);
    let report = engagement::import_file(
        &workspace.store,
        &bo_visits,
        KindChoice::Auto,
        &otto,
        None,
        later,
    )
    .await
    .unwrap();
    let rescored =
        scoring::rescore_import(&workspace.store, &config, &pages, report.import_id, later)
            .await
            .unwrap()
            .expect("Bo is a lead");

    // Assert: Bo alone moved to outreach, with a history of two scores; qualified once.
    assert_eq!((rescored.scored, rescored.outreach), (1, 1), "{rescored:?}");
    let seen = standings(&workspace).await;
    assert_eq!(seen["bo@big.io"], (170 - 5 + 4 + 25, LeadStage::Outreach));
    let mut histories = BTreeMap::new();
    for lead in scoring::list(&workspace.store, None).await.unwrap() {
        let detail = scoring::detail(&workspace.store, lead.contact_id)
            .await
            .unwrap();
        histories.insert(lead.email.clone(), detail.history.len());
        assert!(
            detail
                .facts
                .iter()
                .any(|f| f.field == "title" && f.source == "sheet")
        );
    }
    assert_eq!(histories["bo@big.io"], 2);
    assert_eq!(histories["ann@small.io"], 1);
    assert_eq!(histories["cy@mid.io"], 1);
    assert_eq!(qualified_events(&workspace).await, 3);

    // Act + Assert: scoring everyone again announces nobody twice.
    scoring::run(&workspace.store, &config, &pages, later)
        .await
        .unwrap();
    assert_eq!(qualified_events(&workspace).await, 3);

    // Act: Bo asks to be erased. Assert: no score of his is left to show his name and
    // address, and the next run does not bring him back as a lead.
    let erased = leadgate::engine::discovery::erase::erase(
        &workspace.store,
        &leadgate::engine::discovery::erase::Request::email("bo@big.io"),
        "otto",
        "request of 2026-12-02",
        false,
        later,
    )
    .await
    .unwrap();
    assert!(erased.derived >= 2, "his two scores at least: {erased:?}");
    let left = scoring::list(&workspace.store, None).await.unwrap();
    assert!(
        left.iter()
            .all(|l| l.email != "bo@big.io" && l.name != "Bo Big"),
        "{left:?}"
    );
    assert_eq!(left.len(), 3, "Ann, Cy and Dee: {left:?}");
    scoring::run(&workspace.store, &config, &pages, later)
        .await
        .unwrap();
    let left = scoring::list(&workspace.store, None).await.unwrap();
    assert!(left.iter().all(|l| l.email != "bo@big.io"), "{left:?}");
}

/// The demo's CRM history is written in the lead vocabulary: a card trained on it reads only
/// names live leads have, ranks well short of perfectly, and the newer leads convert more.
#[test]
fn a_card_trained_on_the_demo_history_can_score_live_leads() {
    use leadgate_core::scoring::lead::unknown_features;
    use leadgate_core::scoring::table::{HistoryTable, TableSpec};
    use leadgate_core::scoring::version::{Training, train};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.csv");
    let written = leadgate_demo::history::write(&path, 11, now()).unwrap();
    assert!(written.conversions >= 120, "{written:?}");
    let text = std::fs::read_to_string(&path).unwrap();
    let spec = TableSpec {
        label: Some("converted".into()),
        positive: Some("yes".into()),
        time: Some("created_at".into()),
        exclude: Vec::new(),
    };
    let table = HistoryTable::parse(&text, "history.csv", &spec).unwrap();
    let version = train(
        &table,
        &Training::default(),
        now().to_zoned(jiff::tz::TimeZone::UTC).date(),
        &|| 0.0,
    )
    .unwrap();
    assert!(unknown_features(&version.scorecard).is_empty());
    let auc = version.cross_validation.roc_auc;
    eprintln!("demo history: {written:?}, cross-validated ROC AUC {auc:.3}");
    assert!((0.7..0.95).contains(&auc), "ROC AUC {auc}");
}

on_both_backends!(
    posted_events_rescore_their_lead_and_the_api_shows_it,
    api_story
);

async fn api_story(backend: Backend) {
    use crate::support::{TestServer, open_sample_review_of};

    let Some(server) = TestServer::start(backend, now(), false).await else {
        return;
    };
    // Arrange: three admitted VP Sales on an approved list, scored by a live rules card.
    let rows: String = (0..3)
        .map(|i| format!("Lead{i},Zed,l{i}@firm{i}.com,VP Sales,Firm{i},firm{i}.com,Computer Software,200,40000000,Salesforce,US,\n"))
        .collect();
    open_sample_review_of(&server, now(), &rows).await;
    let store = &server.store;
    let mut conn = store.conn().await.unwrap();
    let list = leadgate_store::discovery::lists(&mut conn).await.unwrap()[0].id;
    leadgate_store::discovery::set_list_status(&mut conn, list, ListStatus::Approved)
        .await
        .unwrap();
    drop(conn);
    let card = rules::parse(CARD, "rules.toml").unwrap();
    let draft = model::Draft {
        version: "r-api".into(),
        origin: ModelOrigin::Rules,
        artifact: json!({ "scorecard": card }),
        report: json!({}),
        warnings: Vec::new(),
    };
    let proposed = model::propose(store, "ada", draft, now()).await.unwrap();
    let approve = Request::Approve {
        role: None,
        note: None,
    };
    gates::decide(store, proposed.gate.id, "otto", approve, now())
        .await
        .unwrap();
    let first = scoring::run(
        store,
        &ScoringConfig::default(),
        &PagePolicy::default(),
        now(),
    )
    .await
    .unwrap();
    // 170 + 20 (a VP) + 4 (200 people) = 194: below the even-odds 200, all nurtured.
    assert_eq!((first.scored, first.nurture), (3, 3), "{first:?}");
    let token = server.token("otto").await;
    let get = |path: String| {
        let request = server
            .client
            .get(server.at(&path))
            .bearer_auth(&token)
            .send();
        async move {
            request
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let leads = get("/api/leads".into()).await;
    let id_of = |email: &str| {
        leads["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["email"] == email)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (l0, l1) = (id_of("l0@firm0.com"), id_of("l1@firm1.com"));

    // Act: two pricing visits of Lead0 arrive over the API.
    let response = server
        .client
        .post(server.at("/api/events"))
        .bearer_auth(&token)
        .json(&json!([
            {"kind": "page_view", "at": days_ago(1), "email": "l0@firm0.com", "url": "/pricing"},
            {"kind": "page_view", "at": days_ago(2), "email": "l0@firm0.com", "url": "/pricing"},
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);

    // Assert: Lead0 was rescored with its visits into outreach; Lead1 was not touched.
    let zero = get(format!("/api/leads/{l0}")).await;
    assert_eq!(zero["history"].as_array().unwrap().len(), 2, "{zero}");
    assert_eq!(zero["lead"]["score"], 170 + 20 + 25 + 4);
    assert_eq!(zero["lead"]["engagement"], 25);
    assert_eq!(zero["lead"]["stage"], "outreach");
    let one = get(format!("/api/leads/{l1}")).await;
    assert_eq!(one["history"].as_array().unwrap().len(), 1, "{one}");
    let outreach = get("/api/leads?stage=outreach".into()).await;
    assert_eq!(outreach["items"].as_array().unwrap().len(), 1, "{outreach}");
    assert_eq!(outreach["items"][0]["id"], l0);
    let missing = server
        .client
        .get(server.at("/api/leads/999999"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}
