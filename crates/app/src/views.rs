//! What people and scripts see: the JSON shapes of gates, ICP versions, people, audit entries,
//! events, jobs and the workspace status. The CLI's `--json` and the HTTP API print the same
//! structs, so the two never drift apart, and the API's OpenAPI schemas are derived from them.
//!
//! Domain enums (roles, gate kinds, statuses) keep their serde spelling; their schemas list
//! the values from the domain's own `ALL` lists rather than copying them here.

use leadgate_core::discovery::prospect::{ListStatus, Standing};
use std::collections::BTreeMap;

use jiff::Timestamp;
use leadgate_core::audit::{Actor, AuditEntry};
use leadgate_core::discovery::field::Field;
use leadgate_core::discovery::freshness::{Freshness, FreshnessCheck};
use leadgate_core::discovery::prospect::{Profile, ProspectVerdict};
use leadgate_core::gate::{Decision, GateKind, GateStatus, Verdict};
use leadgate_core::role::Role;
use leadgate_store::discovery::ProspectList;
use leadgate_store::events::Event;
use leadgate_store::gates::{Gate, GateFilter};
use leadgate_store::icp::{IcpStatus, IcpVersion};
use leadgate_store::jobs::Job;
use leadgate_store::people::Person;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};

use crate::workspace::Workspace;

fn string_enum(description: &str, values: Vec<&'static str>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
}

pub(crate) fn role_schema() -> impl Into<RefOr<Schema>> {
    string_enum(
        "A role a person holds.",
        Role::ALL.iter().map(|r| r.as_str()).collect(),
    )
}

pub(crate) fn roles_schema() -> impl Into<RefOr<Schema>> {
    ArrayBuilder::new().items(string_enum(
        "A role a person holds.",
        Role::ALL.iter().map(|r| r.as_str()).collect(),
    ))
}

pub(crate) fn gate_kind_schema() -> impl Into<RefOr<Schema>> {
    string_enum(
        "What the gate checks; the kind fixes the roles it needs.",
        GateKind::ALL.iter().map(|k| k.as_str()).collect(),
    )
}

pub(crate) fn standing_schema() -> impl Into<RefOr<Schema>> {
    string_enum(
        "Where the contact stands on the list.",
        Standing::ALL.iter().map(|s| s.as_str()).collect(),
    )
}

pub(crate) fn list_status_schema() -> impl Into<RefOr<Schema>> {
    string_enum(
        "Where the list stands.",
        ListStatus::ALL.iter().map(|s| s.as_str()).collect(),
    )
}

pub(crate) fn export_format_schema() -> impl Into<RefOr<Schema>> {
    string_enum(
        "The file layout: a CRM's import (`hubspot`, `salesforce`) or leadgate's own field names (`csv`).",
        leadgate_core::discovery::export::ExportFormat::ALL
            .iter()
            .map(|f| f.as_str())
            .collect(),
    )
}

pub(crate) fn gate_status_schema() -> impl Into<RefOr<Schema>> {
    string_enum(
        "Where the gate stands.",
        GateStatus::ALL.iter().map(|s| s.as_str()).collect(),
    )
}

fn verdict_schema() -> impl Into<RefOr<Schema>> {
    string_enum(
        "approve or reject",
        Verdict::ALL.iter().map(|v| v.as_str()).collect(),
    )
}

fn icp_status_schema() -> impl Into<RefOr<Schema>> {
    string_enum(
        "Where the version stands in its lifecycle.",
        IcpStatus::ALL.iter().map(|s| s.as_str()).collect(),
    )
}

/// One person's decision on a gate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    pub person: String,
    #[schema(schema_with = role_schema)]
    pub role: Role,
    #[schema(schema_with = verdict_schema)]
    pub verdict: leadgate_core::gate::Verdict,
    /// The note of an approval or the reason of a rejection.
    pub note: Option<String>,
    pub at: Timestamp,
}

impl From<&Decision> for DecisionView {
    fn from(d: &Decision) -> Self {
        DecisionView {
            person: d.person.clone(),
            role: d.role,
            verdict: d.verdict,
            note: d.note.clone(),
            at: d.at,
        }
    }
}

/// A gate: the stored gate plus what it still needs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GateView {
    pub id: i64,
    #[schema(schema_with = gate_kind_schema)]
    pub kind: GateKind,
    /// The kind in plain words.
    pub title: String,
    /// What the gate decides about: `icp:3`.
    pub subject: String,
    pub summary: String,
    #[schema(schema_with = gate_status_schema)]
    pub status: GateStatus,
    #[schema(schema_with = roles_schema)]
    pub required_roles: Vec<Role>,
    /// Required roles that no approval covers yet.
    #[schema(schema_with = roles_schema)]
    pub pending_roles: Vec<Role>,
    /// Who made what the gate reviews, null when the machine made it: that person never
    /// decides it.
    pub maker: Option<String>,
    /// What the gate's evidence warns of, in words: an approval over them needs a written
    /// note.
    pub warnings: Vec<String>,
    pub decisions: Vec<DecisionView>,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
}

impl From<&Gate> for GateView {
    fn from(gate: &Gate) -> Self {
        GateView {
            id: gate.id,
            kind: gate.kind,
            title: gate.kind.title().to_string(),
            subject: gate.subject.to_string(),
            summary: gate.summary.clone(),
            status: gate.status,
            required_roles: gate.required_roles.clone(),
            maker: gate.maker.clone(),
            warnings: gate.warnings.clone(),
            pending_roles: gate.state().pending_roles(),
            decisions: gate.decisions.iter().map(DecisionView::from).collect(),
            opened_at: gate.opened_at,
            closed_at: gate.closed_at,
        }
    }
}

/// A version of a segment's Ideal Customer Profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IcpVersionView {
    /// Workspace-wide id.
    pub id: i64,
    pub segment: String,
    /// Version within the segment, from 1.
    pub version: i64,
    #[schema(schema_with = icp_status_schema)]
    pub status: IcpStatus,
    pub proposed_by: String,
    pub proposed_at: Timestamp,
    pub live_at: Option<Timestamp>,
    pub reviewed_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub superseded_by: Option<i64>,
    pub content_hash: String,
    /// The parsed document (see docs/icp.md for its keys).
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
}

impl From<&IcpVersion> for IcpVersionView {
    fn from(v: &IcpVersion) -> Self {
        IcpVersionView {
            id: v.id,
            segment: v.segment.clone(),
            version: v.version,
            status: v.status,
            proposed_by: v.proposed_by.clone(),
            proposed_at: v.proposed_at,
            live_at: v.live_at,
            reviewed_at: v.reviewed_at,
            closed_at: v.closed_at,
            superseded_by: v.superseded_by,
            content_hash: v.content_hash.clone(),
            document: v.document.clone(),
        }
    }
}

/// A person and the roles they hold.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    /// What they type after `--as`.
    pub name: String,
    pub email: String,
    #[schema(schema_with = roles_schema)]
    pub roles: Vec<Role>,
    pub created_at: Timestamp,
    /// False once an admin deactivated them.
    pub active: bool,
    /// When they were deactivated, while they are.
    pub deactivated_at: Option<Timestamp>,
}

impl From<&Person> for PersonView {
    fn from(p: &Person) -> Self {
        PersonView {
            name: p.name.clone(),
            email: p.email.clone(),
            roles: p.roles.clone(),
            created_at: p.created_at,
            active: p.is_active(),
            deactivated_at: p.deactivated_at,
        }
    }
}

/// Who did something: a person, the system (`leadgate`) or a model.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActorView {
    /// person, system or model
    pub kind: String,
    pub name: String,
}

impl From<&Actor> for ActorView {
    fn from(a: &Actor) -> Self {
        ActorView {
            kind: a.kind().to_string(),
            name: a.name().to_string(),
        }
    }
}

/// An entry of the hash-chained audit log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    pub actor: ActorView,
    /// A dotted verb: `icp.proposed`, `gate.approved`, `gate.decide.refused`.
    pub action: String,
    pub subject: String,
    /// The inputs as JSON text, exactly as hashed.
    pub inputs: String,
    pub at: Timestamp,
    pub prev_hash: String,
    pub hash: String,
}

impl From<&AuditEntry> for AuditEntryView {
    fn from(e: &AuditEntry) -> Self {
        AuditEntryView {
            seq: e.seq,
            actor: ActorView::from(&e.actor),
            action: e.action.clone(),
            subject: e.subject.clone(),
            inputs: e.inputs.clone(),
            at: e.at,
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }
}

/// A domain event: what happened that starts the next work.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    /// IcpProposed, IcpApproved, …
    #[schema(value_type = String)]
    pub kind: leadgate_core::event::EventKind,
    pub subject: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub at: Timestamp,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> Self {
        EventView {
            id: e.id,
            kind: e.kind,
            subject: e.subject.clone(),
            payload: e.payload.clone(),
            at: e.at,
        }
    }
}

/// A job in the durable queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobView {
    pub id: i64,
    pub kind: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub idempotency_key: String,
    /// queued, running, done or dead
    pub state: String,
    pub attempts: i64,
    pub run_at: Timestamp,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub event_id: Option<i64>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

impl From<&Job> for JobView {
    fn from(j: &Job) -> Self {
        JobView {
            id: j.id,
            kind: j.kind.clone(),
            payload: j.payload.clone(),
            idempotency_key: j.idempotency_key.clone(),
            state: j.state.clone(),
            attempts: j.attempts,
            run_at: j.run_at,
            locked_by: j.locked_by.clone(),
            last_error: j.last_error.clone(),
            event_id: j.event_id,
            created_at: j.created_at,
            finished_at: j.finished_at,
        }
    }
}

/// A live ICP version, as the status lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveIcp {
    pub id: i64,
    pub segment: String,
    pub version: i64,
}

/// What is waiting in the workspace.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusView {
    pub workspace: String,
    /// sqlite or postgres
    pub database: String,
    pub open_gates: Vec<GateView>,
    /// Jobs by state: queued (due), scheduled (due later), running, done, dead.
    pub jobs: BTreeMap<String, i64>,
    pub live_icps: Vec<LiveIcp>,
}

impl StatusView {
    pub async fn read(workspace: &Workspace, now: Timestamp) -> leadgate_store::Result<StatusView> {
        let mut conn = workspace.store.conn().await?;
        let open = leadgate_store::gates::list(
            &mut conn,
            &GateFilter {
                status: Some(GateStatus::Open),
                ..Default::default()
            },
        )
        .await?;
        let jobs = leadgate_store::jobs::depth(&mut conn, now).await?;
        let icps = leadgate_store::icp::list(&mut conn).await?;
        Ok(StatusView {
            workspace: workspace.config.name.clone(),
            database: workspace.store.backend().name().to_string(),
            open_gates: open.iter().map(GateView::from).collect(),
            jobs: jobs.into_iter().collect(),
            live_icps: icps
                .iter()
                .filter(|v| v.status == IcpStatus::Live)
                .map(|v| LiveIcp {
                    id: v.id,
                    segment: v.segment.clone(),
                    version: v.version,
                })
                .collect(),
        })
    }
}

/// One prospect as a line of a table, for the CLI's `discover show` and the list page: who,
/// at which company, from which source, and why it was dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct ProspectLine {
    pub contact_id: i64,
    pub status: String,
    /// The standing in words ("needs data").
    pub status_label: String,
    pub name: String,
    pub title: String,
    pub company: String,
    pub email: String,
    pub domain: String,
    /// The country's English name ("Canada"), or the code a table does not name.
    pub country: String,
    /// The seniority in words ("VP", "C-level executive").
    pub seniority: String,
    pub source: String,
    /// The reasons a dropped prospect was dropped, the criteria whose data a prospect
    /// that needs data waits for, or the criteria an admitted prospect meets, in words.
    pub reasons: String,
    /// For a prospect in use whose facts are stale: how old, in words ("observed 200 days
    /// ago; refresh after 90"); it is queued for refresh.
    pub stale: Option<String>,
}

impl From<&leadgate_store::discovery::Prospect> for ProspectLine {
    fn from(p: &leadgate_store::discovery::Prospect) -> Self {
        let profile = ProfileView::deserialize(&p.profile).unwrap_or_default();
        let field = |of: &Profile, field: Field| {
            of.get(field.as_str())
                .map_or_else(String::new, |s| s.value.clone())
        };
        let person = |f: Field| field(&profile.person, f);
        let full = person(Field::FullName);
        let name = name_for_display(
            if full.is_empty() {
                format!("{} {}", person(Field::FirstName), person(Field::LastName))
            } else {
                full
            }
            .trim(),
        );
        let evaluation = EvaluationView::deserialize(&p.evaluation).unwrap_or_default();
        let verdict = ProspectVerdict::deserialize(&p.evaluation);
        let reasons = if p.status == Standing::NeedsData {
            let mut waiting: Vec<String> = evaluation
                .unknown
                .iter()
                .map(|c| leadgate_core::icp::criterion_label(c))
                .collect();
            waiting.dedup();
            format!("waits for: {}", waiting.join(", "))
        } else {
            match &verdict {
                Ok(v) if p.status == Standing::Admitted => fit_in_words(v),
                Ok(v) => reasons_in_words(v).join("; "),
                Err(_) => evaluation.reasons.join("; "),
            }
        };
        let country = &p.columns.country;
        ProspectLine {
            contact_id: p.contact_id,
            status: p.status.as_str().to_string(),
            status_label: p.status.label().to_string(),
            name,
            title: person(Field::Title),
            company: field(&profile.company, Field::CompanyName),
            email: p.columns.email.clone(),
            domain: p.columns.domain.clone(),
            country: country_name(country),
            seniority: fact_value("seniority", &p.columns.seniority),
            source: p.primary_source.clone(),
            reasons,
            stale: evaluation
                .freshness
                .filter(|f| p.status != Standing::Dropped && f.freshness == Freshness::Stale)
                .map(|f| f.reason),
        }
    }
}

/// A prospect list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListView {
    pub id: i64,
    /// The ICP segment the list was built for.
    pub segment: String,
    /// The ICP version that admitted its prospects.
    pub icp_version_id: i64,
    #[schema(schema_with = crate::views::list_status_schema)]
    pub status: ListStatus,
    /// The list of the segment's previous version, which this one is compared with.
    pub previous_list_id: Option<i64>,
    pub created_at: Timestamp,
    pub admitted: i64,
    /// Contacts waiting for data a required ICP criterion needs.
    pub needs_data: i64,
    pub dropped: i64,
    /// Contacts still in use whose facts are stale (older than the refresh age), queued for
    /// refresh.
    pub stale: i64,
    /// The sample-review gate the list waits on, once opened.
    pub gate_id: Option<i64>,
    /// Everything the run recorded about the list: counts per reason and source, and the
    /// change against the previous version.
    #[schema(value_type = Object)]
    pub summary: Value,
}

impl From<&ProspectList> for ListView {
    fn from(list: &ProspectList) -> Self {
        let counts = ListCounts::deserialize(&list.summary).unwrap_or_default();
        ListView {
            id: list.id,
            segment: list.segment.clone(),
            icp_version_id: list.icp_version_id,
            status: list.status,
            previous_list_id: list.previous_list_id,
            created_at: list.created_at,
            admitted: counts.admitted,
            needs_data: counts.needs_data,
            dropped: counts.dropped,
            stale: counts.stale,
            gate_id: counts.gate_id,
            summary: list.summary.clone(),
        }
    }
}

/// Why a contact was dropped, a sentence per reason in words a person says: the ICP
/// criterion by its label ("employee count: 12 employees, …"), the age of its data, the
/// compliance block. The stored reasons keep the criterion's id for scripts.
pub fn reasons_in_words(verdict: &ProspectVerdict) -> Vec<String> {
    let mut reasons: Vec<String> = verdict
        .icp
        .criteria
        .iter()
        .filter(|c| c.required && c.outcome == leadgate_core::icp::Outcome::Fail)
        .map(|c| {
            format!(
                "{}: {}",
                leadgate_core::icp::criterion_label(&c.criterion),
                c.reason
            )
        })
        .collect();
    if verdict.freshness.freshness == Freshness::Expired {
        reasons.push(verdict.freshness.reason.clone());
    }
    if let Some(block) = &verdict.compliance.blocked {
        reasons.push(block.reason.clone());
    }
    reasons
}

/// What an admitted prospect fits the ICP on: the criteria it passes, in words, once each
/// ("fits on employee count, industry, title, seniority or department").
pub fn fit_in_words(verdict: &ProspectVerdict) -> String {
    let mut met: Vec<String> = Vec::new();
    for c in &verdict.icp.criteria {
        let label = leadgate_core::icp::criterion_label(&c.criterion);
        // Not being excluded is not a reason to fit.
        let exclusion = c.criterion.starts_with("exclusions.");
        if c.outcome == leadgate_core::icp::Outcome::Pass && !exclusion && !met.contains(&label) {
            met.push(label);
        }
    }
    if met.is_empty() {
        return String::new();
    }
    format!("fits on {}", met.join(", "))
}

/// A prospect's stored profile (`{"person": …, "company": …}`), typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ProfileView {
    person: Profile,
    company: Profile,
}

/// What a prospect line reads of a stored verdict (`ProspectVerdict`), typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EvaluationView {
    reasons: Vec<String>,
    unknown: Vec<String>,
    freshness: Option<FreshnessCheck>,
}

/// The counts a list's stored summary keeps, typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListCounts {
    admitted: i64,
    needs_data: i64,
    dropped: i64,
    stale: i64,
    gate_id: Option<i64>,
}

/// A fact's name as a person reads it: the record field's label ("job title"), or the name
/// with its underscores as spaces for a fact no field names (seniority, department).
pub fn fact_label(name: &str) -> String {
    name.parse::<leadgate_core::discovery::field::Field>()
        .map_or_else(|_| name.replace('_', " "), |f| f.label().to_string())
}

/// A fact's value as a person reads it: revenue as money ("$73.5M", "$5M–$10M"); the
/// seniority and department the importer reads from a title in words ("C-level executive",
/// "customer success"); anything else as the source gave it.
pub fn fact_value(name: &str, value: &str) -> String {
    use leadgate_core::icp::{Department, Seniority};
    if name == "seniority"
        && let Some(seniority) = Seniority::from_loose(value)
    {
        return seniority.label().to_string();
    }
    if name == "department"
        && let Some(department) = Department::from_loose(value)
    {
        return department.label().to_string();
    }
    if name == "revenue" {
        let parts: Option<Vec<String>> = value
            .split('-')
            .map(|p| p.trim().parse::<f64>().ok().map(money))
            .collect();
        if let Some(parts) = parts.filter(|p| !p.is_empty() && p.len() <= 2) {
            return parts.join("–");
        }
    }
    value.to_string()
}

/// A country code as a person reads it: "US" → "United States"; a code with no name as it is.
pub fn country_name(code: &str) -> String {
    leadgate_core::discovery::normalize::country::english_name(code)
        .map_or_else(|| code.to_string(), str::to_string)
}

/// How one ICP criterion came out for a prospect, in words.
pub fn outcome_label(outcome: leadgate_core::icp::Outcome) -> &'static str {
    use leadgate_core::icp::Outcome;
    match outcome {
        Outcome::Pass => "met",
        Outcome::Fail => "not met",
        Outcome::Unknown => "not known",
    }
}

/// How a prospect fits the ICP, all criteria taken together, in words.
pub fn fit_label(fit: leadgate_core::icp::IcpFit) -> &'static str {
    use leadgate_core::icp::IcpFit;
    match fit {
        IcpFit::Fit => "fits",
        IcpFit::NotFit => "does not fit",
        IcpFit::Undetermined => "cannot tell yet",
    }
}

/// Why a contact may be e-mailed, in words.
pub fn lawful_basis_label(
    basis: leadgate_core::discovery::compliance::LawfulBasis,
) -> &'static str {
    use leadgate_core::discovery::compliance::LawfulBasis;
    match basis {
        LawfulBasis::LegitimateInterest => "legitimate interest",
        LawfulBasis::Consent => "consent",
        LawfulBasis::ImpliedConsent => "implied consent",
        LawfulBasis::OptOutRegime => "no opt-in needed (opt-out)",
    }
}

/// 73500000 → "$73.5M", 1200 → "$1.2K", 950 → "$950".
fn money(amount: f64) -> String {
    let (scaled, unit) = match amount.abs() {
        a if a >= 1e9 => (amount / 1e9, "B"),
        a if a >= 1e6 => (amount / 1e6, "M"),
        a if a >= 1e3 => (amount / 1e3, "K"),
        _ => (amount, ""),
    };
    let text = format!("{scaled:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("${text}{unit}")
}

/// A person's name for display: pronouns in brackets dropped ("(she/her)"), a word in
/// capitals set in the usual case ("SCOTT Young" → "Scott Young"). The stored value keeps
/// what the source wrote.
pub fn name_for_display(raw: &str) -> String {
    let mut kept = String::new();
    let mut rest = raw;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|c| open + c) else {
            break;
        };
        let inside = &rest[open + 1..close];
        kept.push_str(&rest[..open]);
        if !(inside.contains('/') && inside.chars().all(|c| c.is_alphabetic() || c == '/')) {
            kept.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    kept.push_str(rest);
    kept.split_whitespace()
        .map(|word| {
            let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
            if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
                usual_case(word)
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "O'NEIL-SMITH" → "O'Neil-Smith": a capital after the start, an apostrophe or a hyphen.
fn usual_case(word: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in word.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = matches!(c, '\'' | '’' | '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_people_write_them() {
        assert_eq!(name_for_display("SCOTT Young (she/her)"), "Scott Young");
        assert_eq!(name_for_display("Mary O'NEIL-SMITH"), "Mary O'Neil-Smith");
        assert_eq!(name_for_display("Ann Lee (Acme)"), "Ann Lee (Acme)");
        assert_eq!(name_for_display("J. R. Smith"), "J. R. Smith");
    }

    #[test]
    fn a_dropped_contact_says_why_in_words() {
        use leadgate_core::discovery::list::draft;
        use leadgate_core::discovery::prospect::{ListRules, Observation};
        use leadgate_core::icp::IcpDocument;
        let icp = IcpDocument::parse(
            "segment = \"t\"\nrationale = \"r\"\n[firmographics]\nemployees = { min = 50, max = 1000 }\n",
            "t.toml",
        )
        .unwrap();
        let facts = serde_json::json!({"email": "a@small.com", "company_domain": "small.com",
            "employees": "12", "country": "US"});
        let now: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        let observation = Observation {
            record_id: 1,
            source: "sheet",
            observed_at: now,
            facts: facts.as_object().unwrap(),
        };
        let list = draft(
            &icp,
            &[(1, observation)],
            &ListRules::default(),
            &[],
            None,
            now,
        );
        let reasons = reasons_in_words(&list.prospects[0].verdict);
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(reasons[0].starts_with("employee count: "), "{reasons:?}");
        assert!(!reasons[0].contains("firmographics"), "{reasons:?}");
    }

    #[test]
    fn revenue_reads_as_money() {
        assert_eq!(fact_value("revenue", "73500000"), "$73.5M");
        assert_eq!(fact_value("revenue", "5000000-10000000"), "$5M–$10M");
        assert_eq!(fact_value("revenue", "unknown"), "unknown");
        assert_eq!(fact_value("title", "73500000"), "73500000");
        assert_eq!(fact_label("company_domain"), "company domain");
        assert_eq!(fact_label("title"), "job title");
    }

    #[test]
    fn what_the_importer_reads_from_a_title_reads_in_words() {
        assert_eq!(fact_value("seniority", "c_level"), "C-level executive");
        assert_eq!(
            fact_value("department", "customer_success"),
            "customer success"
        );
        assert_eq!(fact_value("department", "Sales"), "sales");
        assert_eq!(fact_value("department", "astrology"), "astrology");
        assert_eq!(
            fit_label(leadgate_core::icp::IcpFit::NotFit),
            "does not fit"
        );
        assert_eq!(country_name("DE"), "Germany");
        assert_eq!(country_name("XX"), "XX");
    }
}
