//! The scoring model over the API, on both backends: the versions listed and one shown with
//! its report and gate; approving over a warning needs a note; restoring the previous version
//! is refused for a rep and done for sales ops. Also the versions the browser tests show: a
//! real calibration report built from a small synthetic history, so pages draw real charts.

use jiff::Timestamp;
use leadgate::engine::{model, people};
use leadgate_core::audit::Actor;
use leadgate_core::role::Role;
use leadgate_core::scoring::report::{
    self, BinShare, Evaluation, FeatureShares, FoldMetrics, OutOfTimeInput, PointsRow, PointsTerm,
    PreviousVersion, ReportInput, Severity, Window,
};
use leadgate_store::Store;
use leadgate_store::models::ModelOrigin;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Backend, TestServer};

on_both_backends!(
    models_are_read_and_restored_through_the_api,
    models_api_story
);

/// `n` leads whose conversion chance rises with their probability, labelled by a fixed
/// pseudo-random sequence; `shift` raises the observed rate above the predicted one.
fn evaluation(n: u32, shift: f64) -> Evaluation {
    let (mut probabilities, mut labels) = (Vec::new(), Vec::new());
    for i in 0..n {
        let x = f64::from(i) / f64::from(n);
        let p = (0.02 + 0.5 * x * x).min(0.99);
        let draw = f64::from((i * 7919 + 13) % 101) / 101.0;
        probabilities.push(p);
        labels.push(draw < p + shift);
    }
    Evaluation {
        probabilities,
        labels,
    }
}

fn shares(name: &str, bins: &[(&str, f64)]) -> FeatureShares {
    FeatureShares {
        name: name.to_string(),
        bins: bins
            .iter()
            .map(|&(label, share)| BinShare {
                label: label.to_string(),
                share,
            })
            .collect(),
    }
}

fn points(rows: &[(&str, f64, f64)]) -> Vec<PointsRow> {
    rows.iter()
        .map(|&(label, points, share)| PointsRow {
            label: label.to_string(),
            points,
            share,
        })
        .collect()
}

/// A version's draft with a real calibration report: 1,200 leads, two folds, a scorecard
/// of two features and one pair. `drifted` makes the newest window convert far above the
/// predictions and the industry mix move, which the report warns of.
pub(crate) fn sample_draft(
    version: &str,
    maker: &str,
    drifted: bool,
    at: Timestamp,
) -> model::Draft {
    let cross_validated = evaluation(1200, 0.0);
    let conversions = cross_validated.labels.iter().filter(|&&y| y).count() as u64;
    let industry_now: &[(&str, f64)] = if drifted {
        &[("software", 0.2), ("retail", 0.5), ("other", 0.3)]
    } else {
        &[("software", 0.5), ("retail", 0.3), ("other", 0.2)]
    };
    let input = ReportInput {
        version: version.to_string(),
        trained_at: at,
        trained_by: Some(maker.to_string()),
        training_rows: 1200,
        training_conversions: conversions,
        folds: (1..=2)
            .map(|fold| FoldMetrics {
                fold,
                rows: 600,
                roc_auc: Some(0.80 + f64::from(fold) / 100.0),
                brier: 0.15,
                log_loss: 0.45,
                fit_seconds: 0.25,
            })
            .collect(),
        out_of_time: Some(OutOfTimeInput {
            train_window: Window {
                from: "2025-01-01".into(),
                to: "2025-12-31".into(),
            },
            test_window: Window {
                from: "2026-01-01".into(),
                to: "2026-03-31".into(),
            },
            train_scores: cross_validated.probabilities.clone(),
            test: evaluation(300, if drifted { 0.2 } else { 0.0 }),
        }),
        cross_validated,
        features: vec![
            shares("industry", industry_now),
            shares("employees", &[("1 to 49", 0.4), ("50 or more", 0.6)]),
        ],
        previous: Some(PreviousVersion {
            version: "the previous version".into(),
            features: vec![
                shares(
                    "industry",
                    &[("software", 0.5), ("retail", 0.3), ("other", 0.2)],
                ),
                shares("employees", &[("1 to 49", 0.45), ("50 or more", 0.55)]),
            ],
        }),
        points: vec![
            PointsTerm::Main {
                feature: "pricing page visits in 7 days".into(),
                rows: points(&[
                    ("none", -6.0, 0.7),
                    ("once", 4.0, 0.2),
                    ("twice or more", 18.0, 0.1),
                ]),
            },
            PointsTerm::Main {
                feature: "industry".into(),
                rows: points(&[
                    ("software", 9.0, 0.5),
                    ("retail", -3.0, 0.3),
                    ("other", 0.0, 0.2),
                ]),
            },
            PointsTerm::Pair {
                a: "industry".into(),
                b: "employees".into(),
                a_labels: vec!["software".into(), "retail".into()],
                b_labels: vec!["1 to 49".into(), "50 or more".into()],
                points: vec![vec![-2.0, 3.0], vec![1.0, -1.5]],
            },
        ],
        capacity: Some(60),
    };
    let built = report::build(&input);
    let warnings = built
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| f.title.clone())
        .collect();
    model::Draft {
        version: version.to_string(),
        origin: ModelOrigin::Trained,
        artifact: json!({ "terms": [] }),
        report: serde_json::to_value(&built).expect("the report serialises"),
        warnings,
    }
}

/// tia, a second sales ops person, who trains the models; otto (sales ops) decides them.
pub(crate) async fn add_model_maker(store: &Store, at: Timestamp) {
    people::add(
        store,
        &Actor::System,
        "tia",
        "tia@example.com",
        vec![Role::SalesOps],
        at,
    )
    .await
    .expect("add tia");
}

/// Model 1, `m-drifted`: tia's draft whose report warns, its calibration gate open.
pub(crate) async fn propose_warned_model(store: &Store, at: Timestamp) -> model::Proposed {
    add_model_maker(store, at).await;
    model::propose(store, "tia", sample_draft("m-drifted", "tia", true, at), at)
        .await
        .expect("propose a model")
}

fn t0() -> Timestamp {
    "2027-01-04T09:00:00Z".parse().unwrap()
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

async fn models_api_story(backend: Backend) {
    // Arrange: tia proposes a plain version and a drifted one; otto decides, ravi sells.
    let Some(server) = TestServer::start(backend, t0(), false).await else {
        return;
    };
    add_model_maker(&server.store, t0()).await;
    let plain = model::propose(
        &server.store,
        "tia",
        sample_draft("m-plain", "tia", false, t0()),
        t0(),
    )
    .await
    .unwrap();
    assert!(plain.gate.warnings.is_empty(), "{:?}", plain.gate.warnings);
    let drifted = model::propose(
        &server.store,
        "tia",
        sample_draft("m-drifted", "tia", true, t0()),
        t0(),
    )
    .await
    .unwrap();
    assert!(
        !drifted.gate.warnings.is_empty(),
        "the drifted report warns"
    );
    let (otto, ravi) = (server.token("otto").await, server.token("ravi").await);
    let get = |path: &str, token: &str| server.client.get(server.at(path)).bearer_auth(token);
    let post = |path: &str, token: &str| server.client.post(server.at(path)).bearer_auth(token);

    // Act + Assert: both listed, newest first, with their headline figures.
    let list = json_of(get("/api/models", &ravi).send().await.unwrap()).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    assert_eq!(items[0]["version"], "m-drifted");
    assert_eq!(items[0]["status"], "draft");
    assert!(items[0]["roc_auc"].as_f64().unwrap() > 0.5, "{list}");
    assert!(list["next"].is_null());

    // One version by name: its report, its gate and what the gate warns of.
    let shown = json_of(get("/api/models/m-drifted", &ravi).send().await.unwrap()).await;
    assert_eq!(shown["id"], drifted.version.id);
    assert_eq!(shown["gate_id"], drifted.gate.id);
    assert_eq!(shown["warnings"], json!(drifted.gate.warnings));
    assert_eq!(shown["report"]["version"], "m-drifted");
    assert!(shown["report"]["findings"].as_array().unwrap().len() >= 2);
    let missing = get("/api/models/m-none", &ravi).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(
        json_of(missing).await["error"]["message"]
            .as_str()
            .unwrap()
            .contains("m-none")
    );

    // Nothing replaced anything yet: a restore has nothing to bring back.
    let approve = |gate: i64, note: Option<&str>| {
        post(&format!("/api/gates/{gate}/approve"), &otto).json(&json!({ "note": note }))
    };
    assert_eq!(
        approve(plain.gate.id, None).send().await.unwrap().status(),
        StatusCode::OK
    );
    let nothing = post("/api/models/restore", &otto).send().await.unwrap();
    assert_eq!(nothing.status(), StatusCode::CONFLICT);

    // The drifted version goes live over its warnings only with a note.
    let bare = approve(drifted.gate.id, None).send().await.unwrap();
    assert_eq!(bare.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let reasoned = approve(drifted.gate.id, Some("the spring campaign shifted the mix"));
    assert_eq!(reasoned.send().await.unwrap().status(), StatusCode::OK);
    let live = json_of(get("/api/models/m-drifted", &ravi).send().await.unwrap()).await;
    assert_eq!(live["status"], "live");
    assert_eq!(live["replaced"], plain.version.id);

    // A rep may not restore; sales ops may, and the plain version is live again.
    let refused = post("/api/models/restore", &ravi).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body = json_of(refused).await;
    assert!(
        body["error"]["message"].as_str().unwrap().contains("ravi"),
        "{body}"
    );
    let restored = post("/api/models/restore", &otto).send().await.unwrap();
    assert_eq!(restored.status(), StatusCode::OK);
    let restored = json_of(restored).await;
    assert_eq!(restored["version"], "m-plain");
    assert_eq!(restored["status"], "live");
    let after = json_of(get("/api/models", &ravi).send().await.unwrap()).await;
    let status_of = |name: &str| {
        after["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["version"] == name)
            .map(|m| m["status"].clone())
    };
    assert_eq!(status_of("m-drifted"), Some(json!("retired")));
    assert_eq!(status_of("m-plain"), Some(json!("live")));
}
