//! Triggers: which jobs each event starts. Time-based triggers are jobs too — a trigger may
//! queue a job to run at a later time (the quarterly ICP review runs 90 days after the event
//! that made a version live or reaffirmed it), and the worker takes it up once `now` reaches
//! it. So "schedules" need no clock of their own: they are due jobs.

use jiff::Timestamp;
use leadgate_core::audit::Subject;
use leadgate_core::event::EventKind;
use leadgate_core::schedule::{icp_review_due, model_review_due};
use leadgate_store::events::Event;
use leadgate_store::jobs::NewJob;
use serde_json::{Value, json};

/// The kinds of work the worker knows how to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Opens the quarterly review gate of a live ICP version.
    IcpOpenReview,
    /// Imports the workspace's configured source files, then runs discovery.
    DiscoverySync,
    /// Resolves every record and builds a prospect list per live ICP version.
    DiscoveryRun,
    /// Opens the next review gate (30 days, 60 days, then quarterly) of a live model version.
    ModelOpenReview,
    /// Routes a lead to a rep and makes its task (stage 5's handoff).
    HandoffRoute,
    /// Sends one handoff to an outbound webhook.
    HandoffDeliver,
    /// Reminds a task's rep at 75 % of the time allowed.
    HandoffRemind,
    /// At a task's deadline: if unacknowledged, escalates and reassigns it.
    HandoffBreach,
}

impl JobKind {
    pub const ALL: [JobKind; 8] = [
        JobKind::IcpOpenReview,
        JobKind::DiscoverySync,
        JobKind::DiscoveryRun,
        JobKind::ModelOpenReview,
        JobKind::HandoffRoute,
        JobKind::HandoffDeliver,
        JobKind::HandoffRemind,
        JobKind::HandoffBreach,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::IcpOpenReview => "icp.open_review",
            JobKind::DiscoverySync => "discovery.sync",
            JobKind::DiscoveryRun => "discovery.run",
            JobKind::ModelOpenReview => "model.open_review",
            JobKind::HandoffRoute => "handoff.route",
            JobKind::HandoffDeliver => super::handoff::deliver::JOB,
            JobKind::HandoffRemind => "handoff.remind",
            JobKind::HandoffBreach => "handoff.breach",
        }
    }

    pub fn parse(s: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A job a trigger asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSpec {
    pub kind: JobKind,
    pub payload: Value,
    /// Unique per piece of work, so a trigger that fires twice queues it once.
    pub idempotency_key: String,
    /// What the job works on: a trigger whose job of the same kind and subject still waits
    /// joins it (three imports and an ICP approval queue one discovery run, not four).
    pub subject: Option<String>,
    pub run_at: Timestamp,
}

impl JobSpec {
    pub fn as_new(&self, event_id: i64) -> NewJob<'_> {
        NewJob {
            kind: self.kind.as_str(),
            payload: &self.payload,
            idempotency_key: &self.idempotency_key,
            subject: self.subject.as_deref(),
            run_at: self.run_at,
            event_id: Some(event_id),
        }
    }
}

/// The jobs an event starts. Later stages add their rows here.
pub fn jobs_for(event: &Event) -> Vec<JobSpec> {
    match event.kind {
        EventKind::IcpApproved | EventKind::IcpReaffirmed | EventKind::IcpRevisionRequested => {
            let Some(version) = event.payload.get("icp_version").and_then(Value::as_i64) else {
                return Vec::new();
            };
            let due = icp_review_due(event.at);
            let mut jobs = vec![JobSpec {
                kind: JobKind::IcpOpenReview,
                payload: json!({ "icp_version": version, "due": due.to_string() }),
                idempotency_key: format!("icp.open_review:{version}:{}", due.as_microsecond()),
                subject: None,
                run_at: due,
            }];
            // A version that goes live starts discovery: its prospects are (re)evaluated.
            if event.kind == EventKind::IcpApproved {
                jobs.push(JobSpec {
                    kind: JobKind::DiscoverySync,
                    payload: json!({ "icp_version": version }),
                    idempotency_key: format!("discovery.sync:{version}"),
                    subject: Some(Subject::Discovery.to_string()),
                    run_at: event.at,
                });
            }
            jobs
        }
        EventKind::SourceImported => vec![JobSpec {
            kind: JobKind::DiscoveryRun,
            payload: json!({ "event": event.id }),
            idempotency_key: format!("discovery.run:{}", event.id),
            subject: Some(Subject::Discovery.to_string()),
            run_at: event.at,
        }],
        // A version that went live (approved, or restored) or passed a review: its next
        // review falls due, counted from when it went live.
        EventKind::ModelApproved
        | EventKind::ModelRestored
        | EventKind::ModelReaffirmed
        | EventKind::ModelRetrainRequested => model_review_job(event).into_iter().collect(),
        // A lead reached outreach with a score at the routing threshold: an MQL, handed to a
        // rep at once (scoring says so in the event: `route`).
        EventKind::LeadQualified => {
            let routed = event.payload.get("route").and_then(Value::as_bool) == Some(true);
            match event.payload.get("contact").and_then(Value::as_i64) {
                Some(lead) if routed => vec![JobSpec {
                    kind: JobKind::HandoffRoute,
                    payload: json!({ "lead": lead, "class": "mql", "signal": "score", "event": event.id }),
                    idempotency_key: format!("handoff.route:{}", event.id),
                    subject: None,
                    run_at: event.at,
                }],
                _ => Vec::new(),
            }
        }
        // A prospect answered with interest: a warm lead, handed to a rep at once.
        EventKind::PositiveReply => handoff_job(event, "warm", "positive_reply")
            .into_iter()
            .collect(),
        // Engagement fired an intent trigger: a warm lead too, by the signal the event names.
        EventKind::IntentShown => match event.payload.get("signal").and_then(Value::as_str) {
            Some(signal) => handoff_job(event, "warm", signal).into_iter().collect(),
            None => Vec::new(),
        },
        EventKind::SegmentEntered
        | EventKind::IcpProposed
        | EventKind::IcpRejected
        | EventKind::IcpReviewDue
        | EventKind::ProspectListBuilt
        | EventKind::SampleApproved
        | EventKind::SampleRejected
        | EventKind::EnrichmentRan
        | EventKind::ModelProposed
        | EventKind::ModelRejected
        | EventKind::ModelReviewDue
        | EventKind::OutcomeRecorded
        | EventKind::VariantApproved
        | EventKind::VariantRejected
        | EventKind::MessageSent
        | EventKind::ReplyReceived
        | EventKind::LeadRouted
        | EventKind::TaskAcknowledged
        | EventKind::SlaBreached => Vec::new(),
    }
}

/// The job that hands the lead an event is about to a rep.
fn handoff_job(event: &Event, class: &str, signal: &str) -> Option<JobSpec> {
    let lead = match event.subject.parse::<Subject>().ok()? {
        Subject::Lead(lead) => lead,
        _ => return None,
    };
    Some(JobSpec {
        kind: JobKind::HandoffRoute,
        payload: json!({ "lead": lead, "class": class, "signal": signal, "event": event.id }),
        idempotency_key: format!("handoff.route:{}", event.id),
        subject: None,
        run_at: event.at,
    })
}

/// The job that opens the next review of the model version an event is about.
fn model_review_job(event: &Event) -> Option<JobSpec> {
    let model = event.payload.get("model").and_then(Value::as_i64)?;
    let reviews_done = event.payload.get("reviews_done").and_then(Value::as_i64)?;
    let live_at: Timestamp = event.payload.get("live_at")?.as_str()?.parse().ok()?;
    let due = model_review_due(live_at, u32::try_from(reviews_done).ok()?);
    Some(JobSpec {
        kind: JobKind::ModelOpenReview,
        payload: json!({ "model": model, "reviews_done": reviews_done, "due": due.to_string() }),
        idempotency_key: format!("model.open_review:{model}:{}", due.as_microsecond()),
        subject: None,
        run_at: due,
    })
}
