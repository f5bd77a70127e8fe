//! The engine driven directly with an injected clock: the quarterly review trigger, the job
//! queue's idempotency, leases and concurrent workers.

use jiff::{SignedDuration, Timestamp};
use leadgate::config::WorkerConfig;
use leadgate::engine::worker::{Step, Worker};
use leadgate::engine::{gates, icp, people};
use leadgate_core::audit::{Actor, Subject};
use leadgate_core::gate::{GateKind, Request};
use leadgate_core::icp::SAMPLE_ICP;
use leadgate_core::role::Role;
use leadgate_store::Store;
use leadgate_store::jobs::{self, NewJob};

use crate::on_both_backends;
use crate::support::{Backend, TestWorkspace, open_gates};

on_both_backends!(quarterly_review, quarterly_review_story);
on_both_backends!(queue_is_idempotent_and_leased, queue_story);
on_both_backends!(
    concurrent_workers_run_each_job_once,
    concurrent_workers_story
);

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

async fn leads(store: &Store, now: Timestamp) {
    for (name, role) in [
        ("sam", Role::SalesLead),
        ("mia", Role::MarketingLead),
        ("otto", Role::SalesOps),
    ] {
        people::add(
            store,
            &Actor::System,
            name,
            &format!("{name}@example.com"),
            vec![role],
            now,
        )
        .await
        .unwrap();
    }
}

async fn approve_both(store: &Store, gate: i64, now: Timestamp) {
    for name in ["sam", "mia"] {
        gates::decide(
            store,
            gate,
            name,
            Request::Approve {
                role: None,
                note: None,
            },
            now,
        )
        .await
        .unwrap();
    }
}

async fn quarterly_review_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    let live_at = t("2027-01-04T09:00:00Z");
    let workspace = ws.init(live_at).await;
    let store = &workspace.store;
    leads(store, live_at).await;
    let proposed = icp::propose(store, "otto", SAMPLE_ICP, "icp.toml", live_at)
        .await
        .unwrap();
    approve_both(store, proposed.gate.id, live_at).await;
    let worker = workspace.worker("w1");
    // Going live starts discovery at once (no sources yet: it finds nothing to list).
    worker.drain(store, live_at).await.unwrap();

    // Nothing is due the day before the review.
    assert_eq!(
        worker.step(store, live_at + days(89)).await.unwrap(),
        Step::Idle
    );
    assert!(open_gates(store, GateKind::IcpReview).await.is_empty());

    // Ninety days after going live, the review gate opens — once, however often the worker looks.
    let due = live_at + days(90);
    assert!(
        matches!(worker.step(store, due).await.unwrap(), Step::Ran { ref kind, .. } if kind == "icp.open_review")
    );
    assert_eq!(worker.step(store, due + days(1)).await.unwrap(), Step::Idle);
    let reviews = open_gates(store, GateKind::IcpReview).await;
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].subject, Subject::Icp(proposed.version.id));

    // Reaffirming it schedules the next review ninety days after the reaffirmation.
    let reaffirmed_at = due + days(3);
    approve_both(store, reviews[0].id, reaffirmed_at).await;
    assert_eq!(
        worker.step(store, reaffirmed_at + days(89)).await.unwrap(),
        Step::Idle
    );
    assert!(matches!(
        worker.step(store, reaffirmed_at + days(90)).await.unwrap(),
        Step::Ran { .. }
    ));
    assert_eq!(open_gates(store, GateKind::IcpReview).await.len(), 1);

    // A version superseded before its review is due needs no review: the job runs and opens nothing.
    let v2 = icp::propose(
        store,
        "otto",
        &SAMPLE_ICP.replace("max = 1000", "max = 1500"),
        "v2.toml",
        reaffirmed_at + days(91),
    )
    .await
    .unwrap();
    approve_both(store, v2.gate.id, reaffirmed_at + days(92)).await;
    assert!(
        open_gates(store, GateKind::IcpReview).await.is_empty(),
        "the old version's open review is cancelled when it is superseded"
    );
}

async fn queue_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    let now = t("2027-02-01T12:00:00Z");
    let workspace = ws.init(now).await;
    let store = &workspace.store;
    let payload = serde_json::json!({ "icp_version": 999 });
    let job = NewJob {
        kind: "icp.open_review",
        payload: &payload,
        idempotency_key: "icp.open_review:999:1",
        subject: None,
        run_at: now,
        event_id: None,
    };
    let mut conn = store.conn().await.unwrap();
    let first = jobs::enqueue(&mut conn, &job, now).await.unwrap();
    let again = jobs::enqueue(&mut conn, &job, now).await.unwrap();
    assert!(first.is_some());
    assert_eq!(again, None, "the same idempotency key queues once");

    // A claimed job whose worker vanished is claimed again once its lease lapses.
    let lease = SignedDuration::from_secs(60);
    let claimed = jobs::claim(&mut conn, "dead-worker", now, lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        jobs::claim(&mut conn, "w2", now + SignedDuration::from_secs(30), lease)
            .await
            .unwrap(),
        None
    );
    let retaken = jobs::claim(&mut conn, "w2", now + SignedDuration::from_secs(61), lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(retaken.id, claimed.id);
    assert_eq!(retaken.attempts, 2);
    assert!(
        !jobs::complete(&mut conn, claimed.id, "dead-worker", now)
            .await
            .unwrap(),
        "the old lease holder cannot complete it"
    );
    assert!(
        jobs::complete(&mut conn, claimed.id, "w2", now)
            .await
            .unwrap()
    );

    // Triggers for a subject whose job still waits join it; once it runs, a new one queues.
    let run = |key: &'static str| NewJob {
        kind: "discovery.run",
        payload: &payload,
        idempotency_key: key,
        subject: Some("discovery"),
        run_at: now,
        event_id: None,
    };
    let waiting = jobs::enqueue(&mut conn, &run("run:1"), now).await.unwrap();
    assert!(waiting.is_some());
    assert_eq!(
        jobs::enqueue(&mut conn, &run("run:2"), now).await.unwrap(),
        None,
        "a second trigger joins the queued run"
    );
    let running = jobs::claim(&mut conn, "w3", now, lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Some(running.id), waiting);
    let after = jobs::enqueue(&mut conn, &run("run:3"), now).await.unwrap();
    assert!(
        after.is_some(),
        "a trigger after the run started queues another: the running one may not see it"
    );
    assert!(
        jobs::complete(&mut conn, running.id, "w3", now)
            .await
            .unwrap()
    );
    let next = jobs::claim(&mut conn, "w3", now, lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Some(next.id), after);
    assert!(jobs::complete(&mut conn, next.id, "w3", now).await.unwrap());
    drop(conn);

    // A job that fails is retried later, then set aside as dead after max_attempts.
    let bad = serde_json::json!({});
    let mut conn = store.conn().await.unwrap();
    jobs::enqueue(
        &mut conn,
        &NewJob {
            kind: "icp.open_review",
            payload: &bad,
            idempotency_key: "bad",
            subject: None,
            run_at: now,
            event_id: None,
        },
        now,
    )
    .await
    .unwrap();
    drop(conn);
    let worker = Worker::new(
        "w3",
        &WorkerConfig {
            max_attempts: 2,
            ..WorkerConfig::default()
        },
    );
    let Step::Failed {
        retry_at: Some(retry_at),
        ..
    } = worker.step(store, now).await.unwrap()
    else {
        panic!("the first failure is retried");
    };
    assert_eq!(
        worker.step(store, now).await.unwrap(),
        Step::Idle,
        "not before its retry time"
    );
    let Step::Failed {
        retry_at: None,
        error,
        ..
    } = worker.step(store, retry_at).await.unwrap()
    else {
        panic!("the second failure is final");
    };
    assert!(error.contains("icp_version"), "{error}");
    let mut conn = store.conn().await.unwrap();
    let depth = jobs::depth(&mut conn, retry_at).await.unwrap();
    assert!(depth.contains(&("dead".to_string(), 1)), "{depth:?}");

    // A job due months from now is scheduled, not work waiting; once due, it is queued.
    let later = retry_at + days(90);
    jobs::enqueue(
        &mut conn,
        &NewJob {
            kind: "icp.open_review",
            payload: &bad,
            idempotency_key: "review-in-90-days",
            subject: None,
            run_at: later,
            event_id: None,
        },
        retry_at,
    )
    .await
    .unwrap();
    let depth = jobs::depth(&mut conn, retry_at).await.unwrap();
    assert!(depth.contains(&("scheduled".to_string(), 1)), "{depth:?}");
    assert!(!depth.iter().any(|(s, _)| s == "queued"), "{depth:?}");
    let depth = jobs::depth(&mut conn, later).await.unwrap();
    assert!(depth.contains(&("queued".to_string(), 1)), "{depth:?}");
}

async fn concurrent_workers_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    let now = t("2027-03-01T08:00:00Z");
    let workspace = ws.init(now).await;
    let store = workspace.store.clone();
    let mut conn = store.conn().await.unwrap();
    let payload = serde_json::json!({ "icp_version": 12345 });
    const JOBS: usize = 40;
    for i in 0..JOBS {
        let key = format!("k{i}");
        jobs::enqueue(
            &mut conn,
            &NewJob {
                kind: "icp.open_review",
                payload: &payload,
                idempotency_key: &key,
                subject: None,
                run_at: now,
                event_id: None,
            },
            now,
        )
        .await
        .unwrap();
    }
    drop(conn);
    let mut handles = Vec::new();
    for w in 0..4 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let worker = Worker::new(format!("w{w}"), &WorkerConfig::default());
            let mut ran = Vec::new();
            loop {
                match worker.step(&store, now).await.unwrap() {
                    Step::Idle => break,
                    Step::Ran { job, .. } => ran.push(job),
                    other => panic!("unexpected {other:?}"),
                }
            }
            ran
        }));
    }
    let mut all = Vec::new();
    for handle in handles {
        all.extend(handle.await.unwrap());
    }
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(before, JOBS, "every job ran");
    assert_eq!(all.len(), JOBS, "and none twice");
}

on_both_backends!(segments_live_side_by_side, segments_story);

/// Each segment has its own versions and its own live version; entering a new segment is
/// the event SegmentEntered, and approving one segment leaves the other untouched.
async fn segments_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    let now = t("2027-01-04T09:00:00Z");
    let workspace = ws.init(now).await;
    let store = &workspace.store;
    leads(store, now).await;
    let fintech = SAMPLE_ICP.replace(
        "segment = \"Mid-market SaaS\"",
        "segment = \"Enterprise fintech\"",
    );

    let saas = icp::propose(store, "otto", SAMPLE_ICP, "saas.toml", now)
        .await
        .unwrap();
    let fin = icp::propose(store, "otto", &fintech, "fintech.toml", now)
        .await
        .unwrap();
    assert!(saas.new_segment && fin.new_segment);
    assert_eq!(
        fin.version.version, 1,
        "each segment counts its own versions"
    );
    approve_both(store, saas.gate.id, now).await;
    approve_both(store, fin.gate.id, now).await;
    let saas2 = icp::propose(
        store,
        "otto",
        &SAMPLE_ICP.replace("max = 1000", "max = 900"),
        "saas2.toml",
        now,
    )
    .await
    .unwrap();
    assert!(!saas2.new_segment);
    assert!(
        saas2.against_live.is_some(),
        "the diff is against the segment's live version"
    );
    approve_both(store, saas2.gate.id, now).await;

    let mut conn = store.conn().await.unwrap();
    let live_saas = leadgate_store::icp::live(&mut conn, "Mid-market SaaS")
        .await
        .unwrap()
        .unwrap();
    let live_fin = leadgate_store::icp::live(&mut conn, "Enterprise fintech")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(live_saas.version, 2);
    assert_eq!(
        live_fin.version, 1,
        "the other segment's live version is untouched"
    );
    let entered = leadgate_store::events::list(&mut conn, None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == leadgate_core::event::EventKind::SegmentEntered)
        .count();
    assert_eq!(entered, 2);
    let err = icp::resolve(&mut conn, None).await.unwrap_err();
    assert!(err.to_string().contains("several segments"), "{err}");
    assert_eq!(
        icp::resolve(&mut conn, Some("Enterprise fintech"))
            .await
            .unwrap()
            .id,
        live_fin.id
    );
    assert_eq!(
        icp::resolve(&mut conn, Some("mid-market saas@1"))
            .await
            .unwrap()
            .version,
        1
    );
}

on_both_backends!(scores_written_meanwhile_are_found, scored_since_story);

/// A rescore reads a lead before it takes the write lock; `scored_since` says which leads
/// someone else scored in between, so that those are read again under the lock.
async fn scored_since_story(backend: Backend) {
    use leadgate_core::scoring::lead::LeadStage;
    use leadgate_store::leads::{self, NewLeadScore};

    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    let now = t("2027-03-01T08:00:00Z");
    let workspace = ws.init(now).await;
    let store = workspace.store.clone();
    let score = |contact_id| NewLeadScore {
        id: 0,
        contact_id,
        model_id: 1,
        score: 50,
        probability: 0.5,
        fit: 40,
        engagement: 10,
        stage: LeadStage::Nurture,
        reasons: serde_json::json!([]),
        name: String::new(),
        email: String::new(),
        company: String::new(),
        scored_at: now,
    };
    let mut conn = store.conn().await.unwrap();
    assert_eq!(leads::newest_score_id(&mut conn).await.unwrap(), 0);
    leads::insert(&mut conn, &score(7)).await.unwrap();
    let mark = leads::newest_score_id(&mut conn).await.unwrap();
    assert!(mark > 0);
    assert_eq!(
        leads::scored_since(&mut conn, mark, &[3, 7, 9])
            .await
            .unwrap(),
        Vec::<i64>::new(),
        "nothing scored after the mark"
    );
    // Meanwhile, another rescore scores 9 and 11, and 7 again.
    for contact in [9, 11, 7] {
        leads::insert(&mut conn, &score(contact)).await.unwrap();
    }
    assert_eq!(
        leads::scored_since(&mut conn, mark, &[3, 7, 9])
            .await
            .unwrap(),
        vec![7, 9],
        "of the leads read, those scored since, in order"
    );
}
