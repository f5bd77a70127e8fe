//! The workspace configuration, `leadgate.toml`: parsed strictly (an unknown key is an error
//! that names the key and its line) and written by `leadgate init` with every key documented.

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub const FILE_NAME: &str = "leadgate.toml";
pub const DEFAULT_DATABASE: &str = "sqlite:leadgate.db";
/// Where `leadgate serve` listens unless told otherwise.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

// The engine owns its settings; the file composes them.
pub use crate::engine::settings::{
    DiscoveryConfig, HandoffConfig, OutreachConfig, ScoringConfig, SourceFile, WorkerConfig,
};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Shown in the review UI and in reports.
    #[serde(default = "default_name")]
    pub name: String,
    /// `sqlite:PATH` (relative to the workspace) or `postgres://USER@HOST:PORT/DB`.
    #[serde(default = "default_database")]
    pub database_url: String,
    /// IANA time zone for dates people read and for business hours.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    #[serde(default)]
    pub worker: WorkerConfig,
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub discovery: DiscoveryConfig,
    #[serde(default)]
    pub scoring: ScoringConfig,
    #[serde(default)]
    pub outreach: OutreachConfig,
    #[serde(default)]
    pub handoff: HandoffConfig,
    #[serde(default)]
    pub audit: AuditConfig,
    /// Stage 3's providers, budget and cache: kept as written here and read strictly by
    /// `leadgate_connectors::enrich::config::EnrichmentConfig` (errors name the key).
    #[serde(default)]
    pub enrichment: Option<toml::Table>,
}

/// Anchoring the audit chain outside the database (`leadgate audit anchor`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// A file each anchor is appended to, best on another machine or volume (a path relative
    /// to the workspace, or absolute).
    #[serde(default)]
    pub anchor_file: Option<String>,
    /// A URL each anchor is POSTed to as JSON (Slack-compatible).
    #[serde(default)]
    pub anchor_webhook: Option<String>,
    /// How often `leadgate serve` anchors, in minutes, when a file or webhook is set
    /// (default 60).
    #[serde(default)]
    pub anchor_every_minutes: Option<u64>,
}

impl AuditConfig {
    /// The anchor targets, with a relative file resolved against the workspace `dir`.
    pub fn targets(
        &self,
        dir: &std::path::Path,
        workspace: &str,
    ) -> crate::engine::audit::AnchorTargets {
        crate::engine::audit::AnchorTargets {
            file: self.anchor_file.as_ref().map(|f| dir.join(f)),
            webhook: self.anchor_webhook.clone(),
            workspace: workspace.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Where `leadgate serve` listens unless `--bind` says otherwise: IP:PORT.
    #[serde(default = "default_bind")]
    pub bind: String,
    /// The address people reach the server at, for the sign-in links leadgate prints.
    #[serde(default = "default_public_url")]
    pub public_url: String,
    /// Mark session cookies `Secure` on every response, not only when a proxy in front says
    /// the request came over TLS (X-Forwarded-Proto: https).
    #[serde(default)]
    pub secure_cookies: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: default_bind(),
            public_url: default_public_url(),
            secure_cookies: false,
        }
    }
}

fn default_name() -> String {
    "leadgate".to_string()
}
fn default_database() -> String {
    DEFAULT_DATABASE.to_string()
}
fn default_time_zone() -> String {
    "UTC".to_string()
}
fn default_bind() -> String {
    DEFAULT_BIND.to_string()
}
fn default_public_url() -> String {
    format!("http://{DEFAULT_BIND}")
}

/// A configuration error, one line: `leadgate.toml:4:1: key `databse_url`: unknown key …`.
#[derive(Debug, thiserror::Error)]
#[error("{path}{position}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub position: String,
    pub message: String,
}

impl Config {
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            // Located and keyed the one way hand-written TOML errors are in leadgate.
            let located = leadgate_core::toml_error::TomlError::from_de(
                &e,
                text,
                &path.display().to_string(),
            );
            let position = match (located.line, located.column) {
                (Some(line), Some(column)) => format!(":{line}:{column}"),
                _ => String::new(),
            };
            ConfigError {
                path: path.display().to_string(),
                position,
                message: match &located.key {
                    Some(key) => format!("key `{key}`: {}", located.message),
                    None => located.message.clone(),
                },
            }
        })?;
        config.validate(text, path)?;
        config.handoff.alert_mail = config.alert_mail(path);
        Ok(config)
    }

    /// How handoff alerts go by e-mail: from `[handoff] alerts_from` (checked to be a mailbox
    /// by [`Config::validate`]) or the first mailbox; none when turned off or there is none.
    fn alert_mail(&self, path: &Path) -> Option<crate::engine::settings::AlertMail> {
        if !self.handoff.email_alerts {
            return None;
        }
        let mailboxes = &self.outreach.mailboxes;
        let mailbox = match &self.handoff.alerts_from {
            Some(from) => mailboxes
                .iter()
                .find(|m| m.address.eq_ignore_ascii_case(from))?,
            None => mailboxes.first()?,
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        Some(crate::engine::settings::AlertMail {
            mailbox: mailbox.clone(),
            public_url: self.server.public_url.trim_end_matches('/').to_string(),
            outbox_dir: dir.join("outbox"),
        })
    }

    fn validate(&self, text: &str, path: &Path) -> Result<(), ConfigError> {
        let fail = |key: &str, message: String| {
            let position = text
                .find(&format!("{key} "))
                .or_else(|| text.find(&format!("{key}=")))
                .map(|at| {
                    let (line, column) = line_column(text, at);
                    format!(":{line}:{column}")
                })
                .unwrap_or_default();
            Err(ConfigError {
                path: path.display().to_string(),
                position,
                message: format!("key `{key}`: {message}"),
            })
        };
        if jiff::tz::TimeZone::get(&self.time_zone).is_err() {
            return fail(
                "time_zone",
                format!(
                    "`{}` is not an IANA time zone (e.g. Europe/Berlin)",
                    self.time_zone
                ),
            );
        }
        if leadgate_store::Backend::from_url(&self.database_url).is_err() {
            return fail(
                "database_url",
                format!(
                    "`{}` is neither sqlite:PATH nor postgres://…",
                    self.database_url
                ),
            );
        }
        if let Some(t) = self.discovery.threshold
            && !(t > 0.0 && t < 1.0)
        {
            return fail(
                "threshold",
                "must be between 0 and 1, exclusive".to_string(),
            );
        }
        let reps: Vec<&str> = self.handoff.reps.iter().map(|r| r.name.as_str()).collect();
        if let Err(why) = self.handoff.routing.check(&reps) {
            return fail("rules", why);
        }
        if let Some(from) = &self.handoff.alerts_from
            && !self
                .outreach
                .mailboxes
                .iter()
                .any(|m| m.address.eq_ignore_ascii_case(from))
        {
            return fail(
                "alerts_from",
                format!("`{from}` is not the address of one of [[outreach.mailboxes]]"),
            );
        }
        if self.worker.max_attempts == 0 {
            return fail("max_attempts", "must be at least 1".to_string());
        }
        if self.server.bind.parse::<std::net::SocketAddr>().is_err() {
            return fail(
                "bind",
                format!(
                    "`{}` is not IP:PORT (e.g. 127.0.0.1:8080)",
                    self.server.bind
                ),
            );
        }
        let url = &self.server.public_url;
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || url.trim_end_matches('/').contains(char::is_whitespace)
        {
            return fail(
                "public_url",
                format!("`{url}` is not an http:// or https:// URL"),
            );
        }
        Ok(())
    }

    /// The one-time sign-in link for a token from `engine::auth::issue_link`.
    pub fn sign_in_link(&self, token: &str) -> String {
        format!(
            "{}/sign-in/link/{token}",
            self.server.public_url.trim_end_matches('/')
        )
    }

    /// The URL to connect to: a relative SQLite path is resolved against the workspace.
    pub fn resolved_database_url(&self, workspace: &Path) -> String {
        match self.database_url.strip_prefix("sqlite:") {
            Some(rest) => {
                let path = rest.trim_start_matches("//");
                let path = PathBuf::from(path.split('?').next().unwrap_or(path));
                let path = if path.is_absolute() {
                    path
                } else {
                    workspace.join(path)
                };
                leadgate_store::sqlite_url(&path)
            }
            None => self.database_url.clone(),
        }
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The file `leadgate init` writes: every key, documented, with its default.
pub fn template(name: &str, database_url: &str) -> String {
    format!(
        r#"# leadgate workspace configuration. Every key is listed with its default; an unknown
# key is an error, so a typo never passes silently.

# The workspace's name, shown in the review UI and in reports.
name = {name:?}

# Where the workspace keeps its data.
#   sqlite:PATH                        an embedded SQLite file; PATH is relative to this
#                                      directory (the default, nothing to install)
#   postgres://USER@HOST:PORT/DATABASE a PostgreSQL database, for teams and for several
#                                      workers sharing one queue
database_url = {database_url:?}

# The IANA time zone people work in: dates in reports, schedules and business hours.
time_zone = "UTC"

[worker]
# How long an idle worker waits before it looks for due work again, in milliseconds.
poll_interval_ms = 500
# How long a job stays with the worker that claimed it, in seconds. A worker that dies
# mid-job loses it after this long, and another worker runs it again.
lease_secs = 300
# How many times a failing job is tried (with growing pauses) before it is set aside as dead.
max_attempts = 5
# How many jobs a worker runs at once: while one waits on a webhook's answer, another
# routes the next lead.
concurrency = 4

[server]
# Where `leadgate serve` listens (IP:PORT) unless --bind says otherwise. Keep it on loopback
# behind a TLS proxy when people reach it over a network.
bind = "127.0.0.1:8080"
# The address people open in their browser; sign-in links printed by `leadgate user add`
# start with it. Set it to the proxy's https:// address when there is one.
public_url = "http://127.0.0.1:8080"
# Mark session cookies Secure on every response. Without it they are Secure only when the
# proxy says the request came over TLS (header X-Forwarded-Proto: https).
secure_cookies = false

[discovery]
# Sources from the most to the least trusted. A resolved contact shows each field from the
# most trusted source that has it, and among equally trusted ones the newest observation.
trust = ["hubspot", "salesforce", "apollo", "salesnav"]
# The match probability at or above which two records are one person (0-1). Unset: the
# built-in B2B setup's threshold (0.8). `resolve_config = "FILE"` replaces the whole setup.
# threshold = 0.8

[discovery.freshness]
# Facts older than this many days are flagged for refresh.
refresh_after_days = 90
# Contact data older than this many days is left off prospect lists.
exclude_after_days = 365

[discovery.compliance]
# Countries where e-mail to a business contact needs prior consent (Germany, UWG section 7).
consent_required_countries = ["DE"]
# What to do with a contact whose country is unknown: "block" (no basis can be recorded)
# or "treat_as_gdpr".
unknown_country = "block"

[discovery.sample]
# Records drawn at random (stratified by source) for the reviewer to check.
size = 10
# The share of the sample that must match for the list to move on: 0.9 is 9 of 10.
pass_rate = 0.9

[discovery.apollo]
# Apollo's People Search API (`leadgate discover search --source apollo`). The key is read
# from this environment variable, never from this file.
api_key_env = "APOLLO_API_KEY"
# "api_search" (People API Search: no credits, needs a master key) or "mixed_people_search".
endpoint = "api_search"
timeout_secs = 30

# Page views that count as signals of their own, by URL pattern (`leadgate events import`
# stores the URL; the ICP's [[signals]] name the signal). A pattern is compared with the
# URL's path, `*` stands for anything, and it matches the whole path or the path up to a
# `/`: "/pricing" matches /pricing and /pricing/teams, not /pricing-faq. Rules set here
# replace this default one.
[[discovery.pages]]
signal = "pricing_page_visit"
patterns = ["/pricing", "/plans", "*/pricing", "*/plans"]

# Files the worker imports when an ICP goes live (each once per content):
# [[discovery.sources]]
# file = "exports/apollo_people.csv"
# source = "apollo"
# format = "apollo"

[scoring]
# The score at or above which a scored lead goes to outreach (LeadQualified); below it, the
# lead is nurtured. Unset: the live model's even-odds score (200 on the default scale: 20
# points double the odds), where a lead is as likely to convert as not. Set it from the
# threshold table of the model's report, to the row that fits sales capacity.
# threshold = 200
# The score at or above which a lead that reaches outreach is also handed to a rep at once,
# as an MQL (stage 5; docs/handoff.md). Unset: only positive replies hand leads off.
# route_threshold = 300
#
# What a model review counts as a conversion among the outcomes recorded on leads
# (`leadgate leads outcome`, `leadgate leads outcomes import`): opportunity_opened and won by
# default — the step a CRM history's `converted` column marks. Also: meeting_booked, lost,
# disqualified.
# conversion = ["opportunity_opened", "won"]
#
# CRM stage words beyond the built-in HubSpot and Salesforce ones, for outcome imports.
# crm_stages = {{ "Verbal Commit" = "opportunity_opened" }}

# Stage 4, outreach (`leadgate sequence …`, `leadgate send run`): who writes, from which
# mailboxes, and when. See docs/outreach.md.
# [outreach]
# dns_server = "192.0.2.53:53"        # ask this name server about sending domains, not the system's
#
# [outreach.sender]
# name = "Ravi Menon"                 # what templates print as sender.name, …
# title = "Account Executive"
# company = "Routewise"
# address = "12 Harbour Street, Edinburgh EH6 6PL"   # every e-mail's footer carries it
#
# [[outreach.mailboxes]]
# address = "ravi@routewise.example"  # the From address; its domain is signed for (DKIM)
# daily_cap = 50                      # e-mails a day; without [..smtp] they land in outbox/
# track_clicks = true                 # links go through the server's redirect
# check_dns = true                    # SPF, DKIM and DMARC checked before sending via the relay
#
# [outreach.mailboxes.smtp]           # send through a relay
# host = "smtp.example.com"
# port = 587
# tls = "starttls"                    # starttls | tls | none
# username = "ravi@routewise.example"
# password_env = "LEADGATE_SMTP_PASSWORD"
#
# [outreach.mailboxes.imap]           # read its replies: `leadgate replies poll`
# host = "imap.example.com"
# port = 993
# tls = "tls"                         # tls | none (a server on this machine only)
# username = "ravi@routewise.example" # default: the mailbox's address
# password_env = "LEADGATE_IMAP_PASSWORD"
# folder = "INBOX"
#
# [outreach.window]                   # when e-mail goes, in the prospect's time zone
# start_hour = 9
# end_hour = 17
# jitter_minutes = 45
#
# [outreach.plan]                     # which channels a lead gets
# expected_deal_size = 25000          # under small_deal_below: no call steps
# small_deal_below = 10000
#
# [outreach.writer]                   # a model writes {{{{ opener }}}}; used only if every claim checks
# base_url = "http://127.0.0.1:11434/v1"   # any OpenAI-compatible endpoint (here: Ollama)
# model = "llama3.1"
# api_key_env = "OPENAI_API_KEY"      # only for an endpoint that needs a key
# timeout_seconds = 20

# Stage 5, handoff (`leadgate sla explain`): how long a rep has to acknowledge a lead, in
# business time on their own calendar. See docs/handoff.md.
# [handoff]
# manager = "otto"                    # told of every missed deadline
# email_alerts = true                 # reps told by e-mail too (from the first mailbox, or alerts_from)
# account_owners = "crm/account-owners.csv"   # domain,owner — for the account_owner rule
#
# [handoff.sla]
# mql = "end_of_day"                  # end_of_day, end_of_next_day, end_of_day+N, or 4h, 90m
# warm = "end_of_next_day"            # a positive reply or a strong intent signal
# on_breach = "reassign"             # at a missed deadline: reassign, or only "escalate"
#
# [handoff.intent]                    # engagement that hands a lead off at once, as warm
# pricing_clicks = {{ at_least = 2, within_days = 7 }}   # pricing visits or links clicked; 0: off
# demo_request = true                 # a new demo request
# downloads = ["roi-calculator"]      # words in a download's link or title that mean intent
# fresh_days = 3                      # how recent a request or download must be
#
# [[handoff.reps]]
# name = "ravi"                       # a person of this workspace
# time_zone = "Europe/London"
# hours = "Mo-Fr 09:00-17:30; PH off" # opening-hours syntax; PH off: closed on public holidays
# public_holidays = "GB-SCT"          # US, GB, GB-ENG, GB-SCT, GB-WLS, GB-NIR, FR, DE, DE-BY, …
# days_off = ["2027-08-02..2027-08-13", "2027-12-24"]
# booking_link = "https://cal.example.com/ravi"
#
# [[handoff.webhooks]]                # each handoff POSTed here: signed JSON, or format = "slack"
# url = "https://n8n.example.com/webhook/leadgate"
# secret_env = "LEADGATE_WEBHOOK_SECRET"

# Stage 3, enrichment (`leadgate enrich run`, `leadgate enrich costs`): the providers asked for
# funding, headcount and its growth, open roles, layoffs, tech stack, news (per company
# domain) and seniority and tenure (per contact), in order, field by field; the first value
# wins. See docs/enrichment.md.
[enrichment]
# Credits one run may spend; never exceeded: a call whose cost would cross it is not made
# and is recorded. Leave it out for no limit; `enrich run --budget N` overrides it.
budget = 100
# A value younger than this many days is used without a call, and a provider that had
# nothing is not asked again before then (the freshness rule's refresh age).
cache_ttl_days = 90

# Providers, asked in `order` (lower first; without one, as listed). Keys of every kind:
#   name    the source its facts carry (lower-case letters, digits, _ and -)
#   kind    file | http | apollo_organization | apollo_people
#   order   its place in the waterfall
#   fields  the fields it is asked for (default: every field it can give): funding_stage,
#           funding_date, headcount, headcount_growth_pct, open_roles, layoffs, tech_stack,
#           news, seniority, role_start_date
#   cost    credits a call costs (default 0 for a file, 1 for Apollo; required for http)
#
# A file you already have (CSV or JSON Lines, keyed by `domain` or `email`):
# [[enrichment.providers]]
# name = "research_sheet"
# kind = "file"
# order = 1
# path = "enrichment/companies.csv"   # relative to this directory
# format = "csv"                      # or "jsonl"; default: by the file's extension
#
# Apollo's organization or people enrichment (the key is read from the variable named):
# [[enrichment.providers]]
# name = "apollo_org"
# kind = "apollo_organization"        # or apollo_people
# order = 2
# api_key_env = "APOLLO_API_KEY"
# rate_limit = "50/minute"
# timeout_secs = 10
# retries = 3                         # after a 429 or a 5xx, with back-off
# backoff_secs = 1                    # the first wait, doubled each retry
# max_retry_wait_secs = 60            # a longer Retry-After is a failure, not a wait
# charge = "per_hit"                  # or per_call
# base_url = "https://api.apollo.io"  # for a proxy
#
# Any JSON API (fields mapped by JSON pointer):
# [[enrichment.providers]]
# name = "firmo_api"
# kind = "http"
# order = 3
# url = "https://api.firmo.example/v1/companies?domain={{domain}}"
# method = "GET"                      # or POST
# auth = {{ header = "Authorization", env = "FIRMO_API_KEY", prefix = "Bearer " }}
# headers = {{ Accept = "application/json" }}   # fixed, not secret
# query = {{ name = "{{company_name}}" }}         # added when the placeholder is known
# needs_one_of = ["domain"]                   # placeholders of which one must be known
# found = "/company"                  # empty or absent there: not found
# cost = 0.5
# charge = "per_call"
# rate_limit = "5/second"
# timeout_secs = 10
# retries = 3
# backoff_secs = 1
# max_retry_wait_secs = 60
# [enrichment.providers.map]
# headcount = "/company/employees"
# headcount_growth_pct = {{ pointer = "/company/growth_12m", scale = 100 }}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_to_the_defaults() {
        let text = template("acme", DEFAULT_DATABASE);
        let config = Config::parse(&text, Path::new("leadgate.toml")).unwrap();
        assert_eq!(config.name, "acme");
        assert_eq!(config.worker, WorkerConfig::default());
        assert_eq!(config.server, ServerConfig::default());
        assert_eq!(config.discovery, DiscoveryConfig::default());
        assert_eq!(config.scoring, ScoringConfig::default());
        assert_eq!(config.outreach, OutreachConfig::default());
    }

    #[test]
    fn the_template_s_handoff_examples_read_once_uncommented() {
        let text = template("acme", DEFAULT_DATABASE);
        let start = text.find("# [handoff]\n").unwrap();
        let end = text.find("# Stage 3, enrichment").unwrap();
        let uncommented: String = text[start..end]
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .map(|l| format!("{l}\n"))
            .collect();
        let config = Config::parse(&uncommented, Path::new("leadgate.toml")).unwrap();
        let rep = &config.handoff.reps[0];
        assert_eq!(rep.time_zone.name, "Europe/London");
        assert_eq!(rep.public_holidays.as_ref().unwrap().to_string(), "GB-SCT");
        assert_eq!(rep.days_off.len(), 2);
        assert_eq!(
            config.handoff.sla,
            crate::engine::settings::SlaPolicies::default()
        );
        assert_eq!(config.handoff.intent.downloads, ["roi-calculator"]);
        assert_eq!(config.handoff.intent.pricing_clicks.at_least, 2);
    }

    #[test]
    fn the_template_s_outreach_examples_read_once_uncommented() {
        let text = template("acme", DEFAULT_DATABASE);
        let start = text.find("# [outreach]").unwrap();
        let end = text.find("# Stage 5, handoff").unwrap();
        let uncommented: String = text[start..end]
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .map(|l| format!("{l}\n"))
            .collect();
        let config = Config::parse(&uncommented, Path::new("leadgate.toml")).unwrap();
        let mailbox = &config.outreach.mailboxes[0];
        assert_eq!(mailbox.daily_cap, 50);
        assert_eq!(mailbox.smtp.as_ref().unwrap().port, 587);
        assert_eq!(config.outreach.window.end_hour, 17);
        assert_eq!(config.outreach.sender.name, "Ravi Menon");
        assert_eq!(config.outreach.dns_server.as_deref(), Some("192.0.2.53:53"));
        assert!(mailbox.track_clicks && mailbox.check_dns);
        let imap = mailbox.imap.as_ref().unwrap();
        assert_eq!((imap.port, imap.folder.as_str()), (993, "INBOX"));
        let writer = config.outreach.writer.unwrap();
        assert_eq!(
            (writer.model.as_str(), writer.timeout_seconds),
            ("llama3.1", 20)
        );
    }

    #[test]
    fn the_template_s_enrichment_section_reads_strictly_and_its_examples_too() {
        let text = template("acme", DEFAULT_DATABASE);
        let enrichment =
            leadgate_connectors::enrich::config::EnrichmentConfig::parse(&text, "leadgate.toml")
                .unwrap();
        assert_eq!(
            enrichment.budget,
            Some(leadgate_core::enrichment::Credits::whole(100))
        );
        assert_eq!(enrichment.cache_ttl_days, 90);
        assert!(enrichment.providers.is_empty());
        // Every commented example provider is a valid configuration once uncommented.
        let start = text.find("# [[enrichment.providers]]").unwrap();
        let examples: String = text[start..]
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| {
                l.starts_with('[') || l.split_once(" = ").is_some_and(|(k, _)| !k.contains(' '))
            })
            .collect::<Vec<_>>()
            .join("\n");
        let uncommented = format!("[enrichment]\n{examples}");
        let parsed = leadgate_connectors::enrich::config::EnrichmentConfig::parse(
            &uncommented,
            "leadgate.toml",
        )
        .unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        assert_eq!(parsed.providers.len(), 3);
    }

    #[test]
    fn the_enrichment_guide_s_example_is_a_valid_configuration() {
        let guide = include_str!("../../../docs/enrichment.md");
        let start = guide.find("```toml\n").unwrap() + "```toml\n".len();
        let example = &guide[start..start + guide[start..].find("```").unwrap()];
        let parsed =
            leadgate_connectors::enrich::config::EnrichmentConfig::parse(example, "guide").unwrap();
        let names: Vec<&str> = parsed.providers.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["research_sheet", "apollo_org", "apollo_people", "firmo_api"]
        );
    }

    #[test]
    fn a_bad_public_url_is_refused_with_its_line() {
        let text = "[server]\npublic_url = \"ftp://x\"\n";
        let err = Config::parse(text, Path::new("leadgate.toml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "leadgate.toml:2:1: key `public_url`: `ftp://x` is not an http:// or https:// URL"
        );
    }

    #[test]
    fn an_unknown_key_names_the_key_and_its_line() {
        let text = "name = \"acme\"\n\ndatabse_url = \"sqlite:x.db\"\n";
        let err = Config::parse(text, Path::new("leadgate.toml")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("leadgate.toml:3:1: key `databse_url`: unknown key"),
            "{message}"
        );
        assert!(!message.contains('\n'));
    }

    #[test]
    fn a_bad_time_zone_is_refused_with_its_line() {
        let text = "name = \"acme\"\ntime_zone = \"Mars/Olympus\"\n";
        let err = Config::parse(text, Path::new("w/leadgate.toml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "w/leadgate.toml:2:1: key `time_zone`: `Mars/Olympus` is not an IANA time zone (e.g. Europe/Berlin)"
        );
    }

    #[test]
    fn relative_sqlite_paths_resolve_against_the_workspace() {
        let config = Config::parse("", Path::new("leadgate.toml")).unwrap();
        assert_eq!(
            config.resolved_database_url(Path::new("/w")),
            "sqlite:///w/leadgate.db?mode=rwc"
        );
    }
}
