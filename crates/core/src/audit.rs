//! The audit log's hash chain: what an entry is, how its hash is computed, and how a chain is
//! verified. Storage appends entries; this module is the single definition of their integrity.
//!
//! Each entry's hash covers its own fields and the previous entry's hash, so altering or
//! removing any stored entry breaks every link after it. Fields are length-prefixed before
//! hashing so that no two different entries can serialise to the same bytes.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that stands before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something: a named person, the system itself, or a model.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Actor {
    Person(String),
    System,
    Model(String),
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Person(_) => "person",
            Actor::System => "system",
            Actor::Model(_) => "model",
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Actor::Person(name) | Actor::Model(name) => name,
            Actor::System => "leadgate",
        }
    }

    /// Rebuilds an actor from its stored kind and name.
    pub fn from_parts(kind: &str, name: &str) -> Result<Self, String> {
        match kind {
            "person" => Ok(Actor::Person(name.to_string())),
            "system" if name == "leadgate" => Ok(Actor::System),
            "system" => Err(format!("the system actor is `leadgate`, not `{name}`")),
            "model" => Ok(Actor::Model(name.to_string())),
            other => Err(format!("unknown actor kind `{other}`")),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind(), self.name())
    }
}

impl FromStr for Actor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, name) = s.split_once(':').unwrap_or(("person", s));
        Actor::from_parts(kind, name)
    }
}

crate::values! {
    /// What an audit entry records was done.
    pub enum Action("audit action") {
        GateOpened = "gate.opened" / "gate opened",
        GateApproved = "gate.approved" / "gate approved",
        GateRejected = "gate.rejected" / "gate rejected",
        GateCancelled = "gate.cancelled" / "gate cancelled",
        IcpProposed = "icp.proposed" / "ICP proposed",
        IcpLive = "icp.live" / "ICP went live",
        IcpRejected = "icp.rejected" / "ICP rejected",
        IcpReaffirmed = "icp.reaffirmed" / "ICP reaffirmed",
        IcpRevisionRequested = "icp.revision_requested" / "ICP revision requested",
        IcpSuperseded = "icp.superseded" / "ICP superseded",
        IcpWithdrawn = "icp.withdrawn" / "ICP withdrawn",
        ModelProposed = "model.proposed" / "scoring model proposed",
        ModelLive = "model.live" / "scoring model went live",
        ModelRejected = "model.rejected" / "scoring model rejected",
        ModelRetired = "model.retired" / "scoring model retired",
        ModelRestored = "model.restored" / "scoring model restored",
        ModelReaffirmed = "model.reaffirmed" / "scoring model reaffirmed",
        ModelRetrainRequested = "model.retrain_requested" / "scoring model retraining requested",
        LeadsScored = "leads.scored" / "leads scored",
        OutcomeRecorded = "lead.outcome_recorded" / "lead outcome recorded",
        OutcomesImported = "lead.outcomes_imported" / "lead outcomes imported",
        SequenceAdded = "sequence.added" / "sequence added",
        LeadEnrolled = "lead.enrolled" / "lead enrolled in a sequence",
        VariantApproved = "variant.approved" / "sequence variant approved",
        VariantRejected = "variant.rejected" / "sequence variant rejected",
        MessageSent = "message.sent" / "message sent",
        MessageHeld = "message.held" / "message held after a stop",
        MessageReleased = "message.released" / "held message released",
        MessageCancelled = "message.cancelled" / "message cancelled",
        MessageFailed = "message.failed" / "message refused by the relay",
        DkimKeyCreated = "dkim.key_created" / "DKIM key created",
        ReplyReceived = "reply.received" / "reply received",
        ClickIgnored = "click.ignored" / "a machine's click ignored",
        LeadRouted = "lead.routed" / "lead routed to a rep",
        TaskAcknowledged = "task.acknowledged" / "task acknowledged by its rep",
        WebhookReplayed = "webhook.replayed" / "webhook delivery sent again",
        TaskReminded = "task.reminded" / "rep reminded of a task",
        SlaBreached = "sla.breached" / "SLA missed: escalated",
        ModelReviewOpenedEarly = "model.review_opened_early" / "scoring model review opened early",
        SourceImported = "source.imported" / "source imported",
        CustomersImported = "customers.imported" / "customers imported",
        EngagementImported = "engagement.imported" / "engagement and intent imported",
        EnrichmentRan = "enrichment.ran" / "enrichment run",
        DiscoveryResolved = "discovery.resolved" / "contacts resolved",
        ListBuilt = "discovery.list_built" / "prospect list built",
        ListApproved = "list.approved" / "prospect list approved",
        ListRejected = "list.rejected" / "prospect list rejected",
        ListExported = "discovery.list_exported" / "prospect list exported",
        SampleReviewed = "sample.reviewed" / "sample reviewed",
        MergeQuestioned = "merge.questioned" / "merges questioned",
        MergeKept = "merge.kept" / "merge kept",
        MergeUndone = "merge.undone" / "merge undone",
        ContactErased = "contact.erased" / "contact erased",
        SuppressionAdded = "suppression.added" / "suppression added",
        UserAdded = "user.added" / "person added",
        UserRolesChanged = "user.roles_changed" / "roles changed",
        UserDeactivated = "user.deactivated" / "person deactivated",
        UserReactivated = "user.reactivated" / "person reactivated",
        UserPasswordSet = "user.password_set" / "password set",
        SignInLinkIssued = "auth.link_issued" / "sign-in link issued",
        SignedIn = "auth.signed_in" / "signed in",
        SignedOut = "auth.signed_out" / "signed out",
        TokenCreated = "token.created" / "API token created",
        TokenRevoked = "token.revoked" / "API token revoked",
        TokenUsed = "token.used" / "API token first used",
    }
}

crate::values! {
    /// What someone tried to do. A refused attempt is audited as `<attempt>.refused`, with
    /// the reason, so that the log shows who was stopped at a gate and why.
    pub enum Attempt("attempted action") {
        AddUser = "user.add" / "add a person",
        ChangeRoles = "user.roles" / "change roles",
        Deactivate = "user.deactivate" / "deactivate a person",
        Reactivate = "user.reactivate" / "reactivate a person",
        SetPassword = "user.password" / "set a password",
        SignIn = "auth.sign_in" / "sign in",
        CheckCsrf = "auth.csrf" / "send a form",
        Authenticate = "auth.credentials" / "use credentials",
        CreateToken = "token.create" / "create an API token",
        ProposeIcp = "icp.propose" / "propose an ICP version",
        ProposeModel = "model.propose" / "propose a scoring model",
        RestoreModel = "model.restore" / "restore the previous scoring model",
        DecideGate = "gate.decide" / "decide a gate",
        ReviewSample = "sample.review" / "review a sample",
        KeepMerge = "merge.keep" / "keep a merge",
        UndoMerge = "merge.undo" / "undo a merge",
        EraseContact = "contact.erase" / "erase a contact",
        ExportList = "discovery.list_export" / "export a prospect list",
        RecordOutcome = "lead.outcome" / "record a lead outcome",
        AddSequence = "sequence.add" / "add a sequence",
        Enroll = "lead.enroll" / "enroll leads in a sequence",
        ReleaseMessage = "message.release" / "release a held message",
        AcknowledgeTask = "task.acknowledge" / "acknowledge a lead's task",
    }
}

impl Attempt {
    /// How the audit log names the attempt when it was refused.
    pub fn refused(self) -> String {
        format!("{}.refused", self.as_str())
    }
}

/// What an audit entry, an event or a gate is about, spelled `kind:id` in the log.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    Gate(i64),
    Icp(i64),
    /// A scoring model version.
    Model(i64),
    List(i64),
    Import(i64),
    Merge(i64),
    Token(i64),
    /// A person, by name.
    User(String),
    /// The customer accounts of one CRM source.
    Customers(String),
    /// One import of engagement and intent (a file or an API call).
    EngagementImport(i64),
    /// One enrichment run.
    EnrichmentRun(i64),
    /// A lead, by its contact id.
    Lead(i64),
    /// A stored sequence version.
    Sequence(i64),
    /// One variant of a stored sequence version (its row id).
    Variant(i64),
    /// One touch in the outbox (its row id).
    Message(i64),
    /// A sending domain (its DKIM keys).
    SendingDomain(String),
    /// A reply to outreach (its row id).
    Reply(i64),
    /// A handoff task: a lead given to a rep (its row id).
    Task(i64),
    /// An erasure, by the hash of the erased address (never the address).
    Erasure(String),
    /// A suppressed address (by its erasure hash) or domain.
    Suppression(String),
    /// Discovery as a whole: a run's resolution.
    Discovery,
    /// ICP versions not yet stored (a refused proposal).
    Icps,
    /// Scoring model versions as a whole (a refused proposal or restore).
    Models,
    /// Leads as a whole (an import of outcomes).
    Leads,
    /// Sequences not yet stored (a refused addition).
    Sequences,
    /// People not yet added (a refused addition).
    People,
    /// Tokens not yet created (a refused creation).
    Tokens,
    /// A sign-in that names nobody.
    Auth,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Gate(id) => write!(f, "gate:{id}"),
            Subject::Icp(id) => write!(f, "icp:{id}"),
            Subject::Model(id) => write!(f, "model:{id}"),
            Subject::List(id) => write!(f, "list:{id}"),
            Subject::Import(id) => write!(f, "import:{id}"),
            Subject::Merge(id) => write!(f, "merge:{id}"),
            Subject::Token(id) => write!(f, "token:{id}"),
            Subject::User(name) => write!(f, "user:{name}"),
            Subject::Customers(source) => write!(f, "customers:{source}"),
            Subject::EngagementImport(id) => write!(f, "engagement_import:{id}"),
            Subject::EnrichmentRun(id) => write!(f, "enrichment_run:{id}"),
            Subject::Lead(id) => write!(f, "lead:{id}"),
            Subject::Sequence(id) => write!(f, "sequence:{id}"),
            Subject::Variant(id) => write!(f, "variant:{id}"),
            Subject::Message(id) => write!(f, "message:{id}"),
            Subject::SendingDomain(domain) => write!(f, "sending_domain:{domain}"),
            Subject::Reply(id) => write!(f, "reply:{id}"),
            Subject::Task(id) => write!(f, "task:{id}"),
            Subject::Erasure(hash) => write!(f, "erasure:{hash}"),
            Subject::Suppression(value) => write!(f, "suppression:{value}"),
            Subject::Discovery => f.write_str("discovery"),
            Subject::Icps => f.write_str("icp"),
            Subject::Models => f.write_str("model"),
            Subject::Leads => f.write_str("lead"),
            Subject::Sequences => f.write_str("sequence"),
            Subject::People => f.write_str("user"),
            Subject::Tokens => f.write_str("token"),
            Subject::Auth => f.write_str("auth"),
        }
    }
}

impl FromStr for Subject {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let id = |text: &str| {
            text.parse::<i64>()
                .map_err(|_| format!("subject `{s}`: `{text}` is not an id"))
        };
        Ok(match s.split_once(':') {
            Some(("gate", rest)) => Subject::Gate(id(rest)?),
            Some(("icp", rest)) => Subject::Icp(id(rest)?),
            Some(("model", rest)) => Subject::Model(id(rest)?),
            Some(("list", rest)) => Subject::List(id(rest)?),
            Some(("import", rest)) => Subject::Import(id(rest)?),
            Some(("merge", rest)) => Subject::Merge(id(rest)?),
            Some(("token", rest)) => Subject::Token(id(rest)?),
            Some(("user", rest)) => Subject::User(rest.to_string()),
            Some(("customers", rest)) => Subject::Customers(rest.to_string()),
            Some(("engagement_import", rest)) => Subject::EngagementImport(id(rest)?),
            Some(("enrichment_run", rest)) => Subject::EnrichmentRun(id(rest)?),
            Some(("lead", rest)) => Subject::Lead(id(rest)?),
            Some(("sequence", rest)) => Subject::Sequence(id(rest)?),
            Some(("variant", rest)) => Subject::Variant(id(rest)?),
            Some(("message", rest)) => Subject::Message(id(rest)?),
            Some(("sending_domain", rest)) => Subject::SendingDomain(rest.to_string()),
            Some(("reply", rest)) => Subject::Reply(id(rest)?),
            Some(("task", rest)) => Subject::Task(id(rest)?),
            Some(("erasure", rest)) => Subject::Erasure(rest.to_string()),
            Some(("suppression", rest)) => Subject::Suppression(rest.to_string()),
            None if s == "discovery" => Subject::Discovery,
            None if s == "icp" => Subject::Icps,
            None if s == "model" => Subject::Models,
            None if s == "lead" => Subject::Leads,
            None if s == "sequence" => Subject::Sequences,
            None if s == "user" => Subject::People,
            None if s == "token" => Subject::Tokens,
            None if s == "auth" => Subject::Auth,
            _ => return Err(format!("unknown subject `{s}`")),
        })
    }
}

impl Subject {
    /// The subject in words, for pages and tables: "gate 3", "prospect list 12".
    pub fn describe(&self) -> String {
        match self {
            Subject::Gate(id) => format!("gate {id}"),
            Subject::Icp(id) => format!("ICP version {id}"),
            Subject::Model(id) => format!("scoring model {id}"),
            Subject::List(id) => format!("prospect list {id}"),
            Subject::Import(id) => format!("import {id}"),
            Subject::Merge(id) => format!("merge {id}"),
            Subject::Token(id) => format!("API token {id}"),
            Subject::User(name) => format!("person {name}"),
            Subject::Customers(source) => format!("customer accounts from {source}"),
            Subject::EngagementImport(id) => format!("engagement import {id}"),
            Subject::EnrichmentRun(id) => format!("enrichment run {id}"),
            Subject::Lead(id) => format!("lead {id}"),
            Subject::Sequence(id) => format!("sequence {id}"),
            Subject::Variant(id) => format!("sequence variant {id}"),
            Subject::Message(id) => format!("outbox message {id}"),
            Subject::SendingDomain(domain) => format!("sending domain {domain}"),
            Subject::Reply(id) => format!("reply {id}"),
            Subject::Task(id) => format!("task {id}"),
            Subject::Erasure(_) => "an erased person".to_string(),
            Subject::Suppression(value) => match value.split_once(':') {
                Some(("domain", domain)) => format!("suppressed domain {domain}"),
                _ => "a suppressed address".to_string(),
            },
            Subject::Discovery => "discovery".to_string(),
            Subject::Icps => "ICP versions".to_string(),
            Subject::Models => "scoring models".to_string(),
            Subject::Leads => "leads".to_string(),
            Subject::Sequences => "sequences".to_string(),
            Subject::People => "people".to_string(),
            Subject::Tokens => "API tokens".to_string(),
            Subject::Auth => "sign-in".to_string(),
        }
    }
}

/// A stored action in words: an [`Action`]'s label, or "refused: " and an [`Attempt`]'s;
/// an action this version does not know (an older one's) as it was stored.
pub fn describe_action(action: &str) -> String {
    if let Ok(done) = action.parse::<Action>() {
        return done.label().to_string();
    }
    match action.strip_suffix(".refused").map(str::parse::<Attempt>) {
        Some(Ok(attempt)) => format!("refused: {}", attempt.label()),
        _ => action.to_string(),
    }
}

impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// An entry as it is about to be appended: everything but its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    pub actor: Actor,
    /// What was done, as a dotted verb: `icp.proposed`, `gate.approved`, `gate.refused`.
    pub action: String,
    /// What it was done to: `icp:3`, `gate:7`, `user:dana`.
    pub subject: String,
    /// A summary of the inputs, as JSON text exactly as stored (and hashed).
    pub inputs: String,
    pub at: Timestamp,
}

/// An entry in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub actor: Actor,
    pub action: String,
    pub subject: String,
    pub inputs: String,
    pub at: Timestamp,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// Places a new entry after the entry `seq - 1` whose hash is `prev_hash`.
    pub fn chain(entry: NewAuditEntry, seq: i64, prev_hash: &str) -> AuditEntry {
        let mut chained = AuditEntry {
            seq,
            actor: entry.actor,
            action: entry.action,
            subject: entry.subject,
            inputs: entry.inputs,
            at: entry.at,
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
        };
        chained.hash = chained.compute_hash();
        chained
    }

    /// The hash this entry's fields call for, whatever is stored in `hash`.
    pub fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        let seq = self.seq.to_string();
        let at = self.at.as_microsecond().to_string();
        for field in [
            seq.as_str(),
            self.actor.kind(),
            self.actor.name(),
            &self.action,
            &self.subject,
            &self.inputs,
            at.as_str(),
            &self.prev_hash,
        ] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// The first place where a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit entry {seq}: its contents do not match its hash (altered)")]
    Altered { seq: i64 },
    #[error(
        "audit entry {seq}: it does not follow the entry before it (an entry before it was altered or removed)"
    )]
    Unlinked { seq: i64 },
    #[error("audit entry {expected} is missing (removed); the next stored entry is {found}")]
    Missing { expected: i64, found: i64 },
    #[error(
        "the chain ends at entry {last} but its head records entry {head} (entries at the end were removed)"
    )]
    Truncated { last: i64, head: i64 },
}

/// Verifies a run of entries that starts at `first_seq` after `prev_hash`. Feed a long chain in
/// pages by passing each page's last hash and next seq on.
pub fn verify_run(
    entries: &[AuditEntry],
    first_seq: i64,
    prev_hash: &str,
) -> Result<(), ChainBreak> {
    let mut prev = prev_hash;
    for (expected_seq, entry) in (first_seq..).zip(entries) {
        if entry.seq != expected_seq {
            return Err(ChainBreak::Missing {
                expected: expected_seq,
                found: entry.seq,
            });
        }
        if entry.compute_hash() != entry.hash {
            return Err(ChainBreak::Altered { seq: entry.seq });
        }
        if entry.prev_hash != prev {
            return Err(ChainBreak::Unlinked { seq: entry.seq });
        }
        prev = &entry.hash;
    }
    Ok(())
}

/// The chain's head written down outside the database: the entry count (the head's seq),
/// the head's hash and when it was taken. A database writer can rewrite history and the
/// head together, but not the anchors already handed to a file elsewhere or a webhook, so a
/// stored chain that no longer reaches a recorded anchor was rewritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    pub at: Timestamp,
}

impl Anchor {
    /// One line of an anchor file: JSON, newline-terminated.
    pub fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }

    /// The anchors of a file's text, one JSON object per line (blank lines skipped), or the
    /// first line that is not one, named by `origin` and its line number.
    pub fn parse_file(text: &str, origin: &str) -> Result<Vec<Anchor>, String> {
        text.lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| {
                serde_json::from_str::<Anchor>(line)
                    .map_err(|e| format!("{origin}:{}: not an audit anchor ({e})", i + 1))
            })
            .collect()
    }
}

/// Where the stored chain and a recorded anchor part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorBreak {
    #[error(
        "the chain no longer reaches the anchor of entry {seq} taken at {at}: it ends at entry \
         {last} (entries were removed)"
    )]
    Cut { seq: i64, at: Timestamp, last: i64 },
    #[error(
        "audit entry {seq} differs from its anchor taken at {at} (stored hash {stored}, anchored \
         {anchored}): the chain was rewritten at or before entry {seq}, after entry {since}, \
         the last anchor it still reaches"
    )]
    Rewritten {
        seq: i64,
        at: Timestamp,
        stored: String,
        anchored: String,
        since: i64,
    },
}

/// Checks anchors against the stored chain, whose hash at a seq `hash_at` gives and whose
/// last entry is `last`. The earliest anchor that no longer matches is named, with the
/// last matching anchor before it, so the rewrite lies between the two.
pub fn check_anchors(
    anchors: &[Anchor],
    last: i64,
    hash_at: impl Fn(i64) -> Option<String>,
) -> Result<usize, AnchorBreak> {
    let mut sorted: Vec<&Anchor> = anchors.iter().collect();
    sorted.sort_by_key(|a| (a.seq, a.at));
    let mut since = 0;
    for anchor in sorted {
        if anchor.seq == 0 {
            continue;
        }
        let Some(stored) = hash_at(anchor.seq).filter(|_| anchor.seq <= last) else {
            return Err(AnchorBreak::Cut {
                seq: anchor.seq,
                at: anchor.at,
                last,
            });
        };
        if stored != anchor.hash {
            return Err(AnchorBreak::Rewritten {
                seq: anchor.seq,
                at: anchor.at,
                stored,
                anchored: anchor.hash.clone(),
                since,
            });
        }
        since = anchor.seq;
    }
    Ok(anchors.len())
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_subject_reads_back_as_it_is_written() {
        let subjects = [
            Subject::Gate(3),
            Subject::Icp(1),
            Subject::List(12),
            Subject::Import(4),
            Subject::Merge(9),
            Subject::Token(2),
            Subject::User("ada".into()),
            Subject::Customers("hubspot".into()),
            Subject::Erasure("ab12".into()),
            Subject::Suppression("domain:acme.com".into()),
            Subject::Discovery,
            Subject::Icps,
            Subject::People,
            Subject::Tokens,
            Subject::Auth,
        ];
        for subject in subjects {
            assert_eq!(
                subject.to_string().parse(),
                Ok(subject.clone()),
                "{subject}"
            );
        }
        assert_eq!(
            "gate:x".parse::<Subject>(),
            Err("subject `gate:x`: `x` is not an id".to_string())
        );
        assert!("contact".parse::<Subject>().is_err());
    }

    #[test]
    fn actions_read_as_words() {
        assert_eq!(describe_action("gate.approved"), "gate approved");
        assert_eq!(
            describe_action("gate.decide.refused"),
            "refused: decide a gate"
        );
        assert_eq!(describe_action("legacy.thing"), "legacy.thing");
        assert_eq!(Subject::List(4).describe(), "prospect list 4");
    }

    use super::*;

    fn chain_of(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for seq in 1..=n {
            let prev = out
                .last()
                .map_or(GENESIS_HASH.to_string(), |e| e.hash.clone());
            out.push(AuditEntry::chain(
                NewAuditEntry {
                    actor: Actor::Person("dana".into()),
                    action: "gate.approved".into(),
                    subject: format!("gate:{seq}"),
                    inputs: "{}".into(),
                    at: Timestamp::from_second(1_800_000_000 + seq).unwrap(),
                },
                seq,
                &prev,
            ));
        }
        out
    }

    #[test]
    fn anchors_catch_a_chain_rewritten_with_its_hashes() {
        // Arrange: anchors after entries 2 and 4, then entry 3 rewritten and every later hash
        // recomputed, as someone who can write the database would.
        let chain = chain_of(5);
        let anchor = |e: &AuditEntry| Anchor {
            seq: e.seq,
            hash: e.hash.clone(),
            at: e.at,
        };
        let anchors = [anchor(&chain[1]), anchor(&chain[3])];
        let text: String = anchors.iter().map(Anchor::to_line).collect();
        let mut forged: Vec<AuditEntry> = Vec::new();
        for e in &chain {
            let prev = forged
                .last()
                .map_or(GENESIS_HASH.to_string(), |p| p.hash.clone());
            let subject = if e.seq == 3 {
                "gate:99".into()
            } else {
                e.subject.clone()
            };
            forged.push(AuditEntry::chain(
                NewAuditEntry {
                    actor: e.actor.clone(),
                    action: e.action.clone(),
                    subject,
                    inputs: e.inputs.clone(),
                    at: e.at,
                },
                e.seq,
                &prev,
            ));
        }
        let hash_in = |c: &[AuditEntry]| {
            let c = c.to_vec();
            move |seq: i64| c.iter().find(|e| e.seq == seq).map(|e| e.hash.clone())
        };

        // Act
        let read = Anchor::parse_file(&text, "anchors.jsonl").unwrap();
        let intact = check_anchors(&read, 5, hash_in(&chain));
        let rewritten = check_anchors(&read, 5, hash_in(&forged));
        let cut = check_anchors(&read, 3, hash_in(&chain[..3]));

        // Assert
        assert_eq!(
            verify_run(&forged, 1, GENESIS_HASH),
            Ok(()),
            "plain verify passes"
        );
        assert_eq!(intact, Ok(2));
        assert!(
            matches!(
                rewritten,
                Err(AnchorBreak::Rewritten {
                    seq: 4,
                    since: 2,
                    ..
                })
            ),
            "{rewritten:?}"
        );
        assert!(
            matches!(
                cut,
                Err(AnchorBreak::Cut {
                    seq: 4,
                    last: 3,
                    ..
                })
            ),
            "{cut:?}"
        );
        assert_eq!(
            Anchor::parse_file("\n{\"seq\": 1}\n", "a.jsonl").unwrap_err(),
            "a.jsonl:2: not an audit anchor (missing field `hash` at line 1 column 10)"
        );
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_run(&chain_of(5), 1, GENESIS_HASH), Ok(()));
    }

    #[test]
    fn an_altered_entry_is_named() {
        let mut chain = chain_of(5);
        chain[2].subject = "gate:99".into();
        assert_eq!(
            verify_run(&chain, 1, GENESIS_HASH),
            Err(ChainBreak::Altered { seq: 3 })
        );
    }

    #[test]
    fn a_rehashed_forgery_breaks_the_next_link() {
        let mut chain = chain_of(5);
        chain[2].actor = Actor::Person("mallory".into());
        chain[2].hash = chain[2].compute_hash();
        assert_eq!(
            verify_run(&chain, 1, GENESIS_HASH),
            Err(ChainBreak::Unlinked { seq: 4 })
        );
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut chain = chain_of(5);
        chain.remove(1);
        assert_eq!(
            verify_run(&chain, 1, GENESIS_HASH),
            Err(ChainBreak::Missing {
                expected: 2,
                found: 3
            })
        );
    }

    #[test]
    fn fields_cannot_bleed_into_each_other() {
        let a = AuditEntry::chain(
            NewAuditEntry {
                actor: Actor::Person("ab".into()),
                action: "c".into(),
                subject: "s".into(),
                inputs: "{}".into(),
                at: Timestamp::UNIX_EPOCH,
            },
            1,
            GENESIS_HASH,
        );
        let b = AuditEntry::chain(
            NewAuditEntry {
                actor: Actor::Person("a".into()),
                action: "bc".into(),
                subject: "s".into(),
                inputs: "{}".into(),
                at: Timestamp::UNIX_EPOCH,
            },
            1,
            GENESIS_HASH,
        );
        assert_ne!(a.hash, b.hash);
    }
}
