//! The engine's settings, as `leadgate.toml` gives them (`config` composes them into the
//! file's sections): the engine reads nothing else of the application.

use std::collections::BTreeMap;
use std::path::PathBuf;

use leadgate_core::scoring::outcome::{DEFAULT_CONVERSION, OutcomeKind};

use serde::Deserialize;

/// Stage 2: how sources are read, resolved and checked, and how the sample is reviewed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryConfig {
    /// Sources from the most to the least trusted: a resolved contact shows each field from
    /// the most trusted source that has it, then the newest observation.
    #[serde(default = "default_trust")]
    pub trust: Vec<String>,
    /// The match probability at or above which two records are one person; empty: the
    /// built-in B2B contacts setup's own threshold.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// A comparison setup file (TOML) instead of the built-in B2B contacts setup.
    #[serde(default)]
    pub resolve_config: Option<PathBuf>,
    #[serde(default)]
    pub freshness: leadgate_core::discovery::freshness::FreshnessPolicy,
    #[serde(default)]
    pub compliance: leadgate_core::discovery::compliance::CompliancePolicy,
    #[serde(default)]
    pub sample: leadgate_core::discovery::sample::SamplePolicy,
    /// Files imported by the worker when an ICP goes live (the demo lists its exports here).
    #[serde(default)]
    pub sources: Vec<SourceFile>,
    /// Apollo's People Search API, for `leadgate discover search --source apollo`.
    #[serde(default)]
    pub apollo: leadgate_connectors::search::apollo::ApolloConfig,
    /// Page views that are signals of their own (`pricing_page_visit`), by URL pattern; the
    /// ICP's `[[signals]]` name them. Set, it replaces the default pricing-page rule.
    #[serde(default)]
    pub pages: leadgate_core::engagement::PagePolicy,
}

impl Default for DiscoveryConfig {
    fn default() -> Self {
        DiscoveryConfig {
            trust: default_trust(),
            threshold: None,
            resolve_config: None,
            freshness: Default::default(),
            compliance: Default::default(),
            sample: Default::default(),
            sources: Vec::new(),
            apollo: Default::default(),
            pages: Default::default(),
        }
    }
}

/// A source file the worker imports when an ICP goes live, unless its bytes were imported
/// from that source before.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// Relative to the workspace.
    pub file: PathBuf,
    pub source: String,
    /// apollo | salesnav | hubspot | salesforce | generic; empty: recognised from the header.
    #[serde(default)]
    pub format: Option<String>,
}

fn default_trust() -> Vec<String> {
    ["hubspot", "salesforce", "apollo", "salesnav"]
        .map(String::from)
        .to_vec()
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// How long an idle worker waits before it looks for work again.
    #[serde(default = "default_poll_ms")]
    pub poll_interval_ms: u64,
    /// How long a claimed job stays with its worker before another may take it over.
    #[serde(default = "default_lease_secs")]
    pub lease_secs: u64,
    /// Attempts before a failing job is set aside as dead.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Jobs a worker runs at once (`leadgate serve`'s and `leadgate worker run`'s).
    #[serde(default = "default_concurrency")]
    pub concurrency: u32,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            poll_interval_ms: default_poll_ms(),
            lease_secs: default_lease_secs(),
            max_attempts: default_max_attempts(),
            concurrency: default_concurrency(),
        }
    }
}

fn default_poll_ms() -> u64 {
    500
}
fn default_lease_secs() -> u64 {
    300
}
fn default_max_attempts() -> u32 {
    5
}
fn default_concurrency() -> u32 {
    4
}

/// Stage 4: who the messages come from.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutreachConfig {
    /// The name, title, company and postal address a template names as `sender.*`.
    #[serde(default)]
    pub sender: leadgate_core::outreach::compose::Sender,
    /// Which channels a lead gets: `expected_deal_size`, `small_deal_below`,
    /// `linkedin_seniorities`, `linkedin_min_employees`.
    #[serde(default)]
    pub plan: leadgate_core::outreach::plan::PlanRules,
    /// The mailboxes e-mail goes from (`[[outreach.mailboxes]]`): a lead's e-mails all go
    /// from one, the one that had sent the fewest that day when its first was queued.
    #[serde(default)]
    pub mailboxes: Vec<MailboxConfig>,
    /// When e-mail goes, in the prospect's time zone: `start_hour`, `end_hour`,
    /// `jitter_minutes` (9, 17 and 45 by default).
    #[serde(default)]
    pub window: leadgate_core::outreach::window::SendWindow,
    /// A name server to ask (`IP:PORT`) instead of the system's, for the check of each
    /// sending domain's SPF, DKIM and DMARC records before sending through a relay.
    #[serde(default)]
    pub dns_server: Option<String>,
    /// A language model that writes each message's `{{ opener }}` from the lead's facts
    /// (`[outreach.writer]`; none by default). What it writes is used only if it passes the
    /// claims check; otherwise the template's own opener is.
    #[serde(default)]
    pub writer: Option<WriterConfig>,
}

/// An OpenAI-compatible chat endpoint: a hosted API, or Ollama, vLLM or llama.cpp's server
/// on this machine.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriterConfig {
    /// Up to and including the API version: `http://127.0.0.1:11434/v1` for Ollama.
    pub base_url: String,
    pub model: String,
    /// The environment variable holding the key, when the endpoint needs one; never the
    /// key itself.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// How long one answer may take (20 seconds by default); past it, the template's opener.
    #[serde(default = "default_writer_timeout")]
    pub timeout_seconds: u64,
}

fn default_writer_timeout() -> u64 {
    20
}

/// A mailbox e-mail is sent from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxConfig {
    /// The From address; its domain is the sending domain leadgate signs for (DKIM).
    pub address: String,
    /// The From name; default `[outreach.sender] name`.
    #[serde(default)]
    pub name: Option<String>,
    /// The most e-mails it sends a day (the workspace's day): 50 by default, well under what
    /// a new mailbox can send without harming its reputation.
    #[serde(default = "default_daily_cap")]
    pub daily_cap: u32,
    /// The relay it sends through. Without one, every message lands, signed, as an `.eml`
    /// file in the workspace's `outbox/` folder and nothing leaves the machine.
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
    /// Links in its e-mails go through the server's redirect, so that clicks count as
    /// engagement (on by default; there is no open pixel: it harms deliverability).
    #[serde(default = "default_true")]
    pub track_clicks: bool,
    /// Before it sends through its relay, the sending domain's published SPF, DKIM and DMARC
    /// records are checked, and nothing is sent until they are right (on by default). Turn it
    /// off only for a relay inside your own network whose mail never reaches the internet.
    #[serde(default = "default_true")]
    pub check_dns: bool,
    /// Where its replies arrive, read over IMAP by `leadgate replies poll` (none by default:
    /// replies are then read from files or the webhook).
    #[serde(default)]
    pub imap: Option<ImapConfig>,
}

/// A mailbox's IMAP server, read without changing anything a person sees.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    pub host: String,
    #[serde(default = "default_imap_port")]
    pub port: u16,
    /// `tls` (default) or `none` (a server on this machine only).
    #[serde(default = "default_imap_tls")]
    pub tls: String,
    /// Default: the mailbox's address.
    #[serde(default)]
    pub username: Option<String>,
    /// The environment variable holding the password; never the password itself.
    pub password_env: String,
    /// The folder replies arrive in.
    #[serde(default = "default_imap_folder")]
    pub folder: String,
    /// A PEM file of CA certificates to trust instead of the web's roots (a server with a
    /// certificate from the team's own CA).
    #[serde(default)]
    pub ca_file: Option<std::path::PathBuf>,
    /// How long one read may take (30 seconds by default).
    #[serde(default = "default_imap_timeout")]
    pub timeout_seconds: u64,
}

fn default_imap_port() -> u16 {
    993
}

fn default_imap_tls() -> String {
    "tls".to_string()
}

fn default_imap_folder() -> String {
    "INBOX".to_string()
}

fn default_imap_timeout() -> u64 {
    30
}

fn default_true() -> bool {
    true
}

fn default_daily_cap() -> u32 {
    50
}

/// An SMTP relay.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `starttls` (default), `tls`, or `none` (a relay on this machine only).
    #[serde(default = "default_smtp_tls")]
    pub tls: String,
    #[serde(default)]
    pub username: Option<String>,
    /// The environment variable holding the password; never the password itself.
    #[serde(default)]
    pub password_env: Option<String>,
}

fn default_smtp_port() -> u16 {
    587
}

fn default_smtp_tls() -> String {
    "starttls".to_string()
}

/// Stage 3's scoring run: which leads go to outreach, and what counts as a conversion when a
/// review measures the live version against the outcomes recorded on its leads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringConfig {
    /// The score at or above which a lead goes to outreach (and `LeadQualified` is emitted);
    /// below it, nurture. Unset: the live card's even-odds score (200 on the default scale),
    /// where its probability of converting is one half.
    #[serde(default)]
    pub threshold: Option<i64>,
    /// The score at or above which a lead that reaches outreach is also handed to a rep at
    /// once, as an MQL (stage 5's routing threshold). Unset: only replies hand leads off.
    #[serde(default)]
    pub route_threshold: Option<i64>,
    /// The outcomes that count as a conversion in a review. Default: an opportunity opened
    /// or a deal won — what the CRM history's `converted` column means.
    #[serde(default = "default_conversion")]
    pub conversion: Vec<OutcomeKind>,
    /// CRM stage words beyond the built-in mapping, for `leadgate leads outcomes import`:
    /// `"Verbal Commit" = "opportunity_opened"`.
    #[serde(default)]
    pub crm_stages: BTreeMap<String, OutcomeKind>,
}

impl Default for ScoringConfig {
    fn default() -> Self {
        ScoringConfig {
            threshold: None,
            route_threshold: None,
            conversion: default_conversion(),
            crm_stages: BTreeMap::new(),
        }
    }
}

fn default_conversion() -> Vec<OutcomeKind> {
    DEFAULT_CONVERSION.to_vec()
}

/// Stage 5, handoff: the reps leads go to and the time they have to acknowledge one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffConfig {
    /// How long a rep has to acknowledge a lead, by class (`[handoff.sla]`).
    #[serde(default)]
    pub sla: SlaPolicies,
    /// Each rep's working calendar (`[[handoff.reps]]`).
    #[serde(default)]
    pub reps: Vec<RepConfig>,
    /// Who hears of a missed deadline (a person of the workspace): named in the breach's
    /// notification and audit entry.
    #[serde(default)]
    pub manager: Option<String>,
    /// Who gets which lead (`[handoff.routing]`, `[[handoff.routing.rules]]`).
    #[serde(default)]
    pub routing: leadgate_core::handoff::routing::Routing,
    /// A CSV of the CRM's account owners (`domain,owner`), for the `account_owner` strategy;
    /// relative to the workspace.
    #[serde(default)]
    pub account_owners: Option<std::path::PathBuf>,
    /// Where each handoff is also sent (`[[handoff.webhooks]]`): a team's CRM or automation
    /// (JSON, signed), or a Slack-compatible incoming webhook.
    #[serde(default)]
    pub webhooks: Vec<WebhookConfig>,
    /// Which engagement hands a lead off at once (`[handoff.intent]`): pricing clicks, a
    /// demo request, a high-intent download.
    #[serde(default)]
    pub intent: leadgate_core::handoff::intent::IntentRules,
    /// Whether reps (and the manager, of a breach) are also told by e-mail, with a one-click
    /// acknowledge link: on by default whenever there is a mailbox to send from.
    #[serde(default = "default_true")]
    pub email_alerts: bool,
    /// The `[[outreach.mailboxes]]` address alerts go from; the first mailbox by default.
    #[serde(default)]
    pub alerts_from: Option<String>,
    /// Resolved when the configuration is read: how alerts go, or none.
    #[serde(skip)]
    pub alert_mail: Option<AlertMail>,
}

impl Default for HandoffConfig {
    fn default() -> Self {
        HandoffConfig {
            sla: SlaPolicies::default(),
            reps: Vec::new(),
            manager: None,
            routing: Default::default(),
            account_owners: None,
            webhooks: Vec::new(),
            intent: Default::default(),
            email_alerts: true,
            alerts_from: None,
            alert_mail: None,
        }
    }
}

/// How e-mail alerts go: from a mailbox of `[[outreach.mailboxes]]` (through its relay, or as
/// files in the outbox folder), with links to the server at `public_url`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertMail {
    pub mailbox: MailboxConfig,
    pub public_url: String,
    pub outbox_dir: std::path::PathBuf,
}

/// An outbound webhook.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// `json` (default): the task and the lead record; `slack`: a Slack-compatible message.
    #[serde(default = "default_webhook_format")]
    pub format: String,
    /// The environment variable holding the secret the body is signed with (HMAC-SHA256 in
    /// the `X-Leadgate-Signature` header); unsigned without one.
    #[serde(default)]
    pub secret_env: Option<String>,
}

fn default_webhook_format() -> String {
    "json".to_string()
}

/// The SLA of each lead class: `end_of_day`, `end_of_next_day`, `end_of_day+N`, or business
/// time (`4h`, `90m`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicies {
    /// A lead whose score crossed the routing threshold: by the end of the same business day.
    #[serde(
        default = "default_mql_sla",
        deserialize_with = "leadgate_core::handoff::sla::deserialize_budget"
    )]
    pub mql: leadgate_core::handoff::sla::Budget,
    /// A positive reply or a strong intent signal: by the end of the next business day.
    #[serde(
        default = "default_warm_sla",
        deserialize_with = "leadgate_core::handoff::sla::deserialize_budget"
    )]
    pub warm: leadgate_core::handoff::sla::Budget,
    /// What a missed deadline does beyond telling the manager: `reassign` (default: the
    /// rules route the lead again, its rep passed over, on a fresh deadline) or `escalate`
    /// (the task stays with its rep).
    #[serde(default = "default_on_breach")]
    pub on_breach: String,
}

fn default_on_breach() -> String {
    "reassign".to_string()
}

impl Default for SlaPolicies {
    fn default() -> Self {
        SlaPolicies {
            mql: default_mql_sla(),
            warm: default_warm_sla(),
            on_breach: default_on_breach(),
        }
    }
}

impl SlaPolicies {
    pub fn of(
        &self,
        class: leadgate_core::handoff::sla::LeadClass,
    ) -> leadgate_core::handoff::sla::Budget {
        match class {
            leadgate_core::handoff::sla::LeadClass::Mql => self.mql,
            leadgate_core::handoff::sla::LeadClass::Warm => self.warm,
        }
    }
}

fn default_mql_sla() -> leadgate_core::handoff::sla::Budget {
    leadgate_core::handoff::sla::Budget::default_for(leadgate_core::handoff::sla::LeadClass::Mql)
}

fn default_warm_sla() -> leadgate_core::handoff::sla::Budget {
    leadgate_core::handoff::sla::Budget::default_for(leadgate_core::handoff::sla::LeadClass::Warm)
}

/// A rep's working calendar.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepConfig {
    /// The person of the workspace (`leadgate user list`).
    pub name: String,
    /// IANA time zone: `America/New_York`.
    pub time_zone: leadgate_core::handoff::calendar::Zone,
    /// Weekly hours in opening-hours syntax: `Mo-Fr 09:00-17:30; PH off`.
    #[serde(default = "default_rep_hours")]
    pub hours: leadgate_core::handoff::hours::WeeklyHours,
    /// Whose public holidays close the calendar (with `PH off`): `US`, `DE-BY`, `GB-SCT`.
    #[serde(default)]
    pub public_holidays: Option<leadgate_core::handoff::calendar::HolidayPlace>,
    /// Personal days off: `"2027-12-24"`, `"2027-08-02..2027-08-13"`.
    #[serde(default)]
    pub days_off: Vec<leadgate_core::handoff::calendar::DaysOff>,
    /// A calendar link (any booking page) the rep's alerts and tasks carry.
    #[serde(default)]
    pub booking_link: Option<String>,
}

fn default_rep_hours() -> leadgate_core::handoff::hours::WeeklyHours {
    leadgate_core::handoff::hours::WeeklyHours::parse("Mo-Fr 09:00-17:00; PH off")
        .expect("the default hours read")
}
