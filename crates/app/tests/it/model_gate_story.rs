//! The scoring model's gate driven through the engine with an injected clock: a proposed
//! version waits for sales ops, never its trainer; warnings need a written reason; approval
//! makes it the one live version, its reviews fall due at 30 and 60 days and then
//! quarterly; a newer version retires it, and one restore brings it back.

use jiff::{SignedDuration, Timestamp};
use leadgate::engine::worker::Step;
use leadgate::engine::{Error, gates, model, people};
use leadgate_core::audit::Actor;
use leadgate_core::gate::{GateKind, Request};
use leadgate_core::role::Role;
use leadgate_store::Store;
use leadgate_store::models::{ModelOrigin, ModelStatus};
use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, TestWorkspace, open_gates};

on_both_backends!(
    a_model_goes_live_only_through_sales_ops_and_is_reviewed,
    lifecycle_story
);
on_both_backends!(
    a_version_trained_from_the_cli_waits_for_sales_ops,
    cli_story
);

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

fn draft(version: &str, warnings: &[&str]) -> model::Draft {
    model::Draft {
        version: version.to_string(),
        origin: ModelOrigin::Trained,
        artifact: json!({ "terms": [] }),
        report: json!({ "roc_auc": 0.79 }),
        warnings: warnings.iter().map(|w| w.to_string()).collect(),
    }
}

fn approve(note: Option<&str>) -> Request {
    Request::Approve {
        role: None,
        note: note.map(str::to_string),
    }
}

async fn status_of(store: &Store, version: &str) -> ModelStatus {
    let mut conn = store.conn().await.unwrap();
    leadgate_store::models::find(&mut conn, version)
        .await
        .unwrap()
        .unwrap()
        .status
}

async fn lifecycle_story(backend: Backend) {
    // Arrange: tia trains models, olga checks them, sam sells.
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    let start = t("2027-02-01T09:00:00Z");
    let workspace = ws.init(start).await;
    let store = &workspace.store;
    for (name, role) in [
        ("tia", Role::SalesOps),
        ("olga", Role::SalesOps),
        ("sam", Role::SalesLead),
    ] {
        let email = format!("{name}@example.com");
        people::add(store, &Actor::System, name, &email, vec![role], start)
            .await
            .unwrap();
    }

    // A sales lead may not propose a model; the refusal is audited.
    let refused = model::propose(store, "sam", draft("m-1", &[]), start).await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");

    // tia proposes a version whose report warns of drift: it is a draft behind a gate.
    let first = model::propose(store, "tia", draft("m-1", &["score PSI 0.31"]), start)
        .await
        .unwrap();
    assert_eq!(first.version.status, ModelStatus::Draft);
    assert_eq!(first.gate.kind, GateKind::ModelCalibration);
    assert_eq!(first.gate.required_roles, vec![Role::SalesOps]);
    let again = model::propose(store, "tia", draft("m-1", &[]), start).await;
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");

    // Act + Assert: the trainer may not approve; olga may, but not without a reason.
    let by_trainer = gates::decide(store, first.gate.id, "tia", approve(Some("fine")), start).await;
    assert!(
        matches!(by_trainer, Err(Error::Forbidden(_))),
        "{by_trainer:?}"
    );
    let bare = gates::decide(store, first.gate.id, "olga", approve(None), start).await;
    let Err(Error::Invalid(why)) = bare else {
        panic!("a bare approval over a warning must be refused: {bare:?}");
    };
    assert!(
        why.contains("score PSI 0.31") && why.contains("reason"),
        "{why}"
    );
    let live_at = start + days(1);
    gates::decide(
        store,
        first.gate.id,
        "olga",
        approve(Some("spring campaign shifted the mix")),
        live_at,
    )
    .await
    .unwrap();
    assert_eq!(status_of(store, "m-1").await, ModelStatus::Live);

    // Its reviews fall due at 30 and 60 days, and not a day before.
    let worker = workspace.worker("w1");
    assert_eq!(
        worker.step(store, live_at + days(29)).await.unwrap(),
        Step::Idle
    );
    assert!(matches!(
        worker.step(store, live_at + days(30)).await.unwrap(),
        Step::Ran { ref kind, .. } if kind == "model.open_review"
    ));
    let reviews = open_gates(store, GateKind::ModelReview).await;
    assert_eq!(reviews.len(), 1);
    assert!(
        reviews[0].summary.contains("30-day"),
        "{}",
        reviews[0].summary
    );
    let by_trainer = gates::decide(
        store,
        reviews[0].id,
        "tia",
        approve(None),
        live_at + days(31),
    )
    .await;
    assert!(
        matches!(by_trainer, Err(Error::Forbidden(_))),
        "the trainer reviews nothing of theirs"
    );
    gates::decide(
        store,
        reviews[0].id,
        "olga",
        approve(None),
        live_at + days(31),
    )
    .await
    .unwrap();
    assert_eq!(
        worker.step(store, live_at + days(59)).await.unwrap(),
        Step::Idle
    );
    assert!(matches!(
        worker.step(store, live_at + days(60)).await.unwrap(),
        Step::Ran { .. }
    ));
    let reviews = open_gates(store, GateKind::ModelReview).await;
    assert!(
        reviews[0].summary.contains("60-day"),
        "{}",
        reviews[0].summary
    );

    // A second version goes live: the first is retired and its open review cancelled.
    let second = model::propose(store, "tia", draft("m-2", &[]), live_at + days(61))
        .await
        .unwrap();
    gates::decide(
        store,
        second.gate.id,
        "olga",
        approve(None),
        live_at + days(62),
    )
    .await
    .unwrap();
    assert_eq!(status_of(store, "m-1").await, ModelStatus::Retired);
    assert_eq!(status_of(store, "m-2").await, ModelStatus::Live);
    assert!(open_gates(store, GateKind::ModelReview).await.is_empty());

    // One restore brings the first back; a sales lead may not do it.
    let refused = model::restore(store, "sam", live_at + days(63)).await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    let restored = model::restore(store, "olga", live_at + days(63))
        .await
        .unwrap();
    assert_eq!(restored.version, "m-1");
    assert_eq!(status_of(store, "m-1").await, ModelStatus::Live);
    assert_eq!(status_of(store, "m-2").await, ModelStatus::Retired);
    let nothing_left = model::restore(store, "olga", live_at + days(64)).await;
    assert!(
        matches!(nothing_left, Err(Error::Conflict(_))),
        "m-1 replaced no earlier version: {nothing_left:?}"
    );

    // The log tells the story, refusals included.
    let mut conn = store.conn().await.unwrap();
    let filter = leadgate_store::audit::AuditFilter {
        subject: Some("model"),
        limit: 100,
        ..Default::default()
    };
    let actions: Vec<String> = leadgate_store::audit::list(&mut conn, &filter)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for expected in [
        "model.propose.refused",
        "model.proposed",
        "model.live",
        "model.retired",
        "model.restore.refused",
        "model.restored",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
}

async fn cli_story(backend: Backend) {
    // Arrange: ada (admin) trains, otto (sales ops) decides; a history of 2,000 leads.
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    let start = t("2026-12-04T09:00:00Z");
    let workspace = ws.init(start).await;
    for (name, role) in [("ada", Role::Admin), ("otto", Role::SalesOps)] {
        let email = format!("{name}@example.com");
        people::add(
            &workspace.store,
            &Actor::System,
            name,
            &email,
            vec![role],
            start,
        )
        .await
        .unwrap();
    }
    let history_text = crate::model_story::history(2000);
    ws.write("foreign.csv", &history_text);
    ws.write(
        "history.csv",
        &history_text.replacen("pricing_visits", "pricing_page_visit_30d", 1),
    );
    let models = ws.path().join("models");
    let history = ws.path().join("history.csv");
    let now = Some("2026-12-04T10:00:00Z");

    // A card over a column no live lead has is refused at the proposal, naming it.
    let foreign = ws.path().join("foreign.csv");
    ws.leadgate_at(
        &[
            "model",
            "train",
            "--history",
            foreign.to_str().unwrap(),
            "--exclude",
            "lead_id",
            "--pairs",
            "0",
            "--models",
            models.to_str().unwrap(),
            "--as",
            "ada",
        ],
        now,
    )
    .fails_with("reads pricing_visits");

    // Act: train and propose in one command.
    let trained = ws
        .leadgate_at(
            &[
                "model",
                "train",
                "--history",
                history.to_str().unwrap(),
                "--label",
                "converted",
                "--positive",
                "yes",
                "--exclude",
                "lead_id",
                "--pairs",
                "2",
                "--models",
                models.to_str().unwrap(),
                "--as",
                "ada",
                "--capacity",
                "300",
            ],
            now,
        )
        .ok();

    // Assert: a draft behind a calibration gate that ada may not decide and otto may.
    assert!(
        trained.stdout().contains("Proposed m-"),
        "{}",
        trained.stdout()
    );
    let listed = ws
        .leadgate_at(&["model", "list", "--json"], now)
        .ok()
        .json();
    assert_eq!(listed[0]["status"], "draft", "{listed}");
    assert!(listed[0]["roc_auc"].as_f64().unwrap() > 0.6, "{listed}");
    let report = ws
        .leadgate_at(&["model", "report", "--json"], now)
        .ok()
        .json();
    assert_eq!(report["capacity"], 300, "{report}");
    assert!(report["thresholds"].as_array().unwrap().len() > 3);
    let html = ws.path().join("report.html");
    let text = ws
        .leadgate_at(&["model", "report", "--html", html.to_str().unwrap()], now)
        .ok()
        .stdout();
    assert!(text.contains("ROC AUC"), "{text}");
    assert!(std::fs::read_to_string(&html).unwrap().contains("<svg"));
    let gate = ws.leadgate_at(&["gate", "list", "--json"], now).ok().json()[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    ws.leadgate_at(
        &["gate", "approve", &gate, "--as", "ada", "--note", "mine"],
        now,
    )
    .fails_with("four-eyes");
    ws.leadgate_at(
        &[
            "gate",
            "approve",
            &gate,
            "--as",
            "otto",
            "--note",
            "checked the lift",
        ],
        now,
    )
    .ok();
    let listed = ws
        .leadgate_at(&["model", "list", "--json"], now)
        .ok()
        .json();
    assert_eq!(listed[0]["status"], "live", "{listed}");
    ws.leadgate_at(&["model", "restore", "--as", "otto"], now)
        .fails_with("replaced no earlier version");

    // A team without history proposes the rules card the examples ship: a draft of its own,
    // named r-…, with its points and no measured figures, behind a gate of its own.
    let rules = ws.write(
        "rules.toml",
        include_str!("../../../../examples/scoring/rules.toml"),
    );
    let proposed = ws
        .leadgate_at(
            &["model", "propose", rules.to_str().unwrap(), "--as", "otto"],
            now,
        )
        .ok()
        .stdout();
    assert!(proposed.contains("Proposed r-"), "{proposed}");
    let listed = ws
        .leadgate_at(&["model", "list", "--json"], now)
        .ok()
        .json();
    assert_eq!(listed[0]["origin"], "rules", "{listed}");
    assert_eq!(listed[0]["status"], "draft", "{listed}");
    assert_eq!(listed[0]["roc_auc"], serde_json::Value::Null, "{listed}");
    assert_eq!(listed[1]["status"], "live", "{listed}");
}
