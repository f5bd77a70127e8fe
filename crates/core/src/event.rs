//! Domain events: the facts of the process that start the next piece of work. Events are rows
//! in the store; the engine's triggers map each kind to the jobs it starts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The first proposal of a segment that had none: the trigger "new market segment entered".
    SegmentEntered,
    /// A new ICP version was proposed; its approval gate is open.
    IcpProposed,
    /// Both leads approved an ICP version; it is live and the previous one is superseded.
    IcpApproved,
    /// An ICP version was rejected with a reason and will never go live.
    IcpRejected,
    /// A live ICP version reached its quarterly review date; the review gate is open.
    IcpReviewDue,
    /// The quarterly review reaffirmed the live version; the next review is due in 90 days.
    IcpReaffirmed,
    /// The quarterly review asked for a new proposal; the version stays live until one is approved.
    IcpRevisionRequested,
    /// A source file or a source search run was imported: its rows are facts now.
    SourceImported,
    /// Discovery built a prospect list for a live ICP version; its sample-review gate is open.
    ProspectListBuilt,
    /// The sample of a prospect list passed review: the list moves on to enrichment.
    SampleApproved,
    /// The sample of a prospect list failed review: the list stops, with the error rates.
    SampleRejected,
    /// An enrichment run finished: its facts are stored and its ledger is complete.
    EnrichmentRan,
    /// A scoring model version was trained or written and proposed; its calibration gate is
    /// open.
    ModelProposed,
    /// Sales ops approved a model version's calibration: it scores live, the one before it
    /// is retired, and its 30- and 60-day reviews are scheduled.
    ModelApproved,
    /// A model version was rejected at its calibration gate and will never score.
    ModelRejected,
    /// A live model version reached a review date; its review gate is open.
    ModelReviewDue,
    /// A review reaffirmed the live model version; the next review is scheduled.
    ModelReaffirmed,
    /// A review asked for retraining; the version keeps scoring until a new one is approved.
    ModelRetrainRequested,
    /// The live model version was withdrawn and the one it replaced scores again.
    ModelRestored,
    /// A scored lead reached the live model's threshold: it joins the outreach queue. Once
    /// per lead and model version, however often it is rescored.
    LeadQualified,
    /// An outcome was recorded on a lead (a meeting, an opportunity, won, lost,
    /// disqualified), by a person or from a CRM export: model reviews read them.
    OutcomeRecorded,
    /// A reviewer approved the first message of a sequence variant: its messages may be sent.
    VariantApproved,
    /// A reviewer rejected the first message of a sequence variant: its leads leave it, and a
    /// new version of the sequence is needed.
    VariantRejected,
    /// An e-mail of a sequence was accepted by the transport (the relay, or the outbox
    /// folder).
    MessageSent,
    /// A reply to outreach was read and classified, and had its effects (a bounce or an
    /// opt-out suppressed the address; a person's reply stopped the sequence).
    ReplyReceived,
    /// A prospect answered with interest: the handoff stage routes the lead to a rep.
    PositiveReply,
    /// New engagement made a lead fire an intent trigger of `[handoff.intent]` (pricing
    /// clicks, a demo request, a high-intent download): the payload names the signal and
    /// why, and the handoff stage routes the lead as a warm lead.
    IntentShown,
    /// A lead was routed: a task waits for its rep (or in the queue), with its SLA deadline.
    LeadRouted,
    /// A rep acknowledged a lead's task: the handoff gate passed.
    TaskAcknowledged,
    /// A task's SLA deadline passed unacknowledged: the manager is told, the lead reassigned.
    SlaBreached,
}

impl EventKind {
    pub const ALL: [EventKind; 30] = [
        EventKind::SegmentEntered,
        EventKind::IcpProposed,
        EventKind::IcpApproved,
        EventKind::IcpRejected,
        EventKind::IcpReviewDue,
        EventKind::IcpReaffirmed,
        EventKind::IcpRevisionRequested,
        EventKind::SourceImported,
        EventKind::ProspectListBuilt,
        EventKind::SampleApproved,
        EventKind::SampleRejected,
        EventKind::EnrichmentRan,
        EventKind::ModelProposed,
        EventKind::ModelApproved,
        EventKind::ModelRejected,
        EventKind::ModelReviewDue,
        EventKind::ModelReaffirmed,
        EventKind::ModelRetrainRequested,
        EventKind::ModelRestored,
        EventKind::LeadQualified,
        EventKind::OutcomeRecorded,
        EventKind::VariantApproved,
        EventKind::VariantRejected,
        EventKind::MessageSent,
        EventKind::ReplyReceived,
        EventKind::PositiveReply,
        EventKind::IntentShown,
        EventKind::LeadRouted,
        EventKind::TaskAcknowledged,
        EventKind::SlaBreached,
    ];

    /// The event's name as stored and shown: `IcpApproved`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SegmentEntered => "SegmentEntered",
            EventKind::IcpProposed => "IcpProposed",
            EventKind::IcpApproved => "IcpApproved",
            EventKind::IcpRejected => "IcpRejected",
            EventKind::IcpReviewDue => "IcpReviewDue",
            EventKind::IcpReaffirmed => "IcpReaffirmed",
            EventKind::IcpRevisionRequested => "IcpRevisionRequested",
            EventKind::SourceImported => "SourceImported",
            EventKind::ProspectListBuilt => "ProspectListBuilt",
            EventKind::SampleApproved => "SampleApproved",
            EventKind::SampleRejected => "SampleRejected",
            EventKind::EnrichmentRan => "EnrichmentRan",
            EventKind::ModelProposed => "ModelProposed",
            EventKind::ModelApproved => "ModelApproved",
            EventKind::ModelRejected => "ModelRejected",
            EventKind::ModelReviewDue => "ModelReviewDue",
            EventKind::ModelReaffirmed => "ModelReaffirmed",
            EventKind::ModelRetrainRequested => "ModelRetrainRequested",
            EventKind::ModelRestored => "ModelRestored",
            EventKind::LeadQualified => "LeadQualified",
            EventKind::OutcomeRecorded => "OutcomeRecorded",
            EventKind::VariantApproved => "VariantApproved",
            EventKind::VariantRejected => "VariantRejected",
            EventKind::MessageSent => "MessageSent",
            EventKind::ReplyReceived => "ReplyReceived",
            EventKind::PositiveReply => "PositiveReply",
            EventKind::IntentShown => "IntentShown",
            EventKind::LeadRouted => "LeadRouted",
            EventKind::TaskAcknowledged => "TaskAcknowledged",
            EventKind::SlaBreached => "SlaBreached",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown event kind `{s}`"))
    }
}
