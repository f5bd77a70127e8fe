//! The command line: one subcommand group per stage and per gate.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use leadgate_core::scoring::simplify::Readable;

#[derive(Debug, Parser)]
#[command(
    name = "leadgate",
    version,
    about = "B2B lead generation as trigger → action → gate, with gates nobody can skip.",
    long_about = None,
)]
pub struct Cli {
    /// The workspace directory (holds leadgate.toml).
    #[arg(
        long,
        short = 'w',
        global = true,
        env = "LEADGATE_WORKSPACE",
        default_value = "."
    )]
    pub workspace: PathBuf,
    /// More log output (-v info, -vv debug). Logs go to stderr.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a workspace: leadgate.toml (every key documented) and its database.
    Init {
        /// Directory to create it in (default: the --workspace directory).
        dir: Option<PathBuf>,
        /// The workspace's name.
        #[arg(long, default_value = "leadgate")]
        name: String,
        /// Use this database instead of the embedded SQLite file (postgres://…).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Build a demo workspace with realistic sample data and stop at the first gate.
    Demo(DemoArgs),
    /// What is waiting in the workspace: open gates and queued work.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// People and their roles.
    #[command(subcommand)]
    User(UserCommand),
    /// Stage 1: the Ideal Customer Profile of each segment.
    #[command(subcommand)]
    Icp(IcpCommand),
    /// Gates: list what waits, show the evidence, approve or reject.
    #[command(subcommand)]
    Gate(GateCommand),
    /// Stage 2: import a source file (CSV or JSON Lines) as facts with provenance.
    Import(ImportArgs),
    /// Stage 2: resolve every source into contacts and build a prospect list per live ICP.
    #[command(subcommand)]
    Discover(DiscoverCommand),
    /// Merges of contacts: why two records were taken for one person, and undoing it.
    #[command(subcommand)]
    Merge(MergeCommand),
    /// Gates that are decided record by record: the sample review of a prospect list.
    #[command(subcommand)]
    Review(ReviewCommand),
    /// The suppression list: addresses and domains that are never contacted.
    #[command(subcommand)]
    Suppress(SuppressCommand),
    /// Behavioural and intent signals: page views, e-mail opens, clicks and replies, webinars,
    /// downloads, trials, demo requests, and third-party intent scores per domain.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Stage 3: scored leads — who goes to outreach, who is nurtured, and why, in points.
    #[command(subcommand)]
    Leads(LeadsCommand),
    /// Existing customers, from the CRM's accounts or deals: their people are not prospects.
    #[command(subcommand)]
    Customers(CustomersCommand),
    /// Stage 3: enrich the contacts of approved prospect lists, and their companies, through
    /// the providers of `[enrichment]` in leadgate.toml; what each run cost.
    #[command(subcommand)]
    Enrich(EnrichCommand),
    /// Erase a person at their request (GDPR Art. 17): the records that carry the
    /// request's own address, profile or source id are deleted with their facts and merges;
    /// only hashes stay, so that no later import brings them back. Other records merged
    /// with the person are listed, not erased: run with --dry-run first.
    Erase {
        /// The person's e-mail address.
        email: String,
        /// A LinkedIn profile URL the person gave (repeatable).
        #[arg(long, value_name = "URL")]
        linkedin: Vec<String>,
        /// A source's id of the person, as SOURCE:ID (repeatable).
        #[arg(long = "source-id", value_name = "SOURCE:ID")]
        source_id: Vec<String>,
        /// A record a dry run listed as merged with the person but not matched by the
        /// request, which you decided to erase too (repeatable).
        #[arg(long = "record", value_name = "ID")]
        record: Vec<i64>,
        /// The request this answers ("email of 2027-01-04 to privacy@"). It is kept in the
        /// audit log: not the person's name or address.
        #[arg(long)]
        reason: String,
        /// An admin or sales ops.
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
        /// Show what would be erased; nothing changes.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// The tamper-evident audit log.
    Audit(AuditArgs),
    /// Run the HTTP API and the job worker until Ctrl-C or SIGTERM.
    Serve {
        /// IP:PORT to listen on (default: `[server] bind` in leadgate.toml, 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// API tokens for machines: each acts as one person, with that person's roles.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Run queued and due jobs (quarterly reviews, later stages' work).
    Worker {
        /// Run every job that is due now, then exit.
        #[arg(long)]
        once: bool,
    },
    /// Resolve duplicate records of CSV files (or link two) and write record_id,cluster_id.
    Dedupe(DedupeArgs),
    /// Stage 3: the scoring model — a points card learned from a CRM history export (train
    /// and predict need no workspace), proposed in a workspace for sales ops to approve.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Stage 4: outreach sequences — 3 to 5 touches written in TOML, checked, and rendered
    /// for a lead from its facts alone, every claim citing the fact it rests on.
    #[command(subcommand)]
    Sequence(SequenceCommand),
    /// Stage 4: the outbox — queue what is due for the enrolled leads and send it, signed,
    /// inside each mailbox's daily cap and the prospect's business hours.
    #[command(subcommand)]
    Send(SendCommand),
    /// Stage 4: one lead's messages as they would go.
    #[command(subcommand)]
    Outreach(OutreachCommand),
    /// Stage 4: the sending domains: the DNS records to publish (SPF, DKIM, DMARC).
    #[command(subcommand)]
    Sender(SenderCommand),
    /// Stage 4: replies to outreach — bounces, automatic replies, opt-outs, and people's
    /// answers — read, classified and acted on.
    #[command(subcommand)]
    Replies(RepliesCommand),
    /// Stage 5: SLA deadlines in business time, on each rep's calendar.
    #[command(subcommand)]
    Sla(SlaCommand),
    /// Stage 5: which rep a lead goes to, by the rules of [handoff.routing].
    #[command(subcommand)]
    Route(RouteCommand),
    /// Stage 5: the leads handed to reps, each a task with its SLA deadline; a rep's
    /// acknowledgement is the gate of the handoff.
    #[command(subcommand)]
    Tasks(TasksCommand),
    /// Stage 5: each handoff sent to the outbound webhooks, with every attempt; send one again.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// The deliveries, newest first: where, what, how each attempt ended.
    List {
        /// Only those of one task.
        #[arg(long)]
        task: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Send a delivery again (the worker sends it at its next step).
    Replay {
        id: i64,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        by: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// Open tasks, soonest due first, with the business time left: a rep's own and the
    /// queue's with --as, everyone's without.
    List {
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        by: Option<String>,
        /// Acknowledged tasks too.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Acknowledge a lead's task: only its rep may (any rep, for one in the queue).
    Ack {
        id: i64,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        by: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RouteCommand {
    /// Which rep a lead would go to now, by which rule, and why each rule before it did not
    /// take it: conditions, the account's owner, weights, caps, days off, working hours.
    Explain {
        /// The lead (its contact id, as `leadgate leads list` shows it).
        lead: i64,
        /// mql (the score crossed the routing threshold) or warm (a positive reply, strong
        /// intent).
        #[arg(long, default_value = "mql")]
        class: String,
        /// What triggered the handoff: score, positive_reply, pricing_clicks, demo_request,
        /// high_intent_download.
        #[arg(long, default_value = "score")]
        signal: String,
        /// When: RFC 3339 (2027-11-24T15:00:00Z). Default: now.
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SlaCommand {
    /// How reps keep their deadlines: by rep and by lead class, the share of leads
    /// acknowledged in time, and the median and 90th percentile of the business time it took.
    Report {
        #[arg(long)]
        json: bool,
    },
    /// The deadline by which a lead arriving at a moment must be acknowledged, and how it
    /// was computed: the rep's hours, time zone, public holidays and days off, the policy of
    /// the lead's class ([handoff.sla]). Try a calendar before anyone is configured with it
    /// with --calendar, --tz and --country.
    Explain {
        /// A rep of [[handoff.reps]] in leadgate.toml.
        #[arg(
            long,
            conflicts_with = "calendar",
            required_unless_present = "calendar"
        )]
        rep: Option<String>,
        /// Weekly hours to try, in opening-hours syntax: 'Mo-Fr 09:00-17:00; PH off'.
        #[arg(long, requires = "tz")]
        calendar: Option<String>,
        /// The tried calendar's IANA time zone: America/New_York.
        #[arg(long)]
        tz: Option<String>,
        /// Whose public holidays close the tried calendar (with `PH off`): US, GB, DE, FR.
        #[arg(long)]
        country: Option<String>,
        /// The country's region: BY (Bavaria), SCT (Scotland).
        #[arg(long, requires = "country")]
        region: Option<String>,
        /// When the lead arrived: RFC 3339 (2027-11-24T15:00:00Z, …+01:00), or a local time
        /// in the rep's zone (2027-11-24T10:00). Default: now.
        #[arg(long)]
        at: Option<String>,
        /// mql (the score crossed the routing threshold) or warm (a positive reply, strong
        /// intent).
        #[arg(long, default_value = "mql")]
        class: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RepliesCommand {
    /// Read replies from files: .eml files, or directories of them (a maildir's new/ and
    /// cur/ included). Each is classified and has its effects: a hard bounce or an opt-out
    /// suppresses the address, a person's reply stops the sequence, interest emits
    /// PositiveReply. A reply read before does nothing again.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Read replies from the sending mailboxes over IMAP: each mailbox with an
    /// [outreach.mailboxes.imap] section, from where the last poll stopped. Only answers to
    /// our e-mails are kept and acted on; the mailbox is read-only to leadgate (nothing is
    /// marked read). Run it every few minutes (cron, a systemd timer).
    Poll {
        #[arg(long)]
        json: bool,
    },
    /// The replies read, newest first, with what each was and did.
    List {
        /// Only this kind: bounce_hard, bounce_soft, auto_reply, opt_out, referral,
        /// not_interested, positive or unclassified.
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SendCommand {
    /// Queue each enrolled lead's due step (an e-mail written, checked and DKIM-signed; a
    /// LinkedIn or call step as a task for the rep) and send the queued e-mails: through the
    /// mailbox's SMTP relay, or as .eml files in the workspace's outbox/ folder when it has
    /// none. A message a stopped sender left half-sent is held for a person, never resent.
    Run {
        /// Say what would be queued; write and send nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// The outbox: every touch with where it stands (queued, sent, held, cancelled, failed,
    /// task), by due time.
    List {
        /// Only this standing: queued, sending, sent, held, cancelled, failed or task.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Release a held message after checking its Message-ID in the relay's log or the Sent
    /// folder: --sent when it went, --resend when it did not.
    Release {
        id: i64,
        #[arg(long, conflicts_with = "resend", required_unless_present = "resend")]
        sent: bool,
        #[arg(long)]
        resend: bool,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutreachCommand {
    /// Write step N of an enrolled lead's sequence exactly as it would be sent: with
    /// --format eml, the whole message with its headers, DKIM-signed.
    Preview {
        /// The lead (contact id).
        lead: i64,
        #[arg(long, default_value_t = 1)]
        step: usize,
        /// `eml` (the message as sent) or `text` (the body).
        #[arg(long, default_value = "eml")]
        format: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SenderCommand {
    /// The DNS records each sending domain must publish: SPF, DKIM (its key is made and kept
    /// by leadgate) and DMARC. JSON: an array of {name, type, value}.
    Dns {
        #[arg(long)]
        json: bool,
    },
    /// Ask DNS whether each sending domain publishes them right: SPF (passing for the relay
    /// when it is an address), the DKIM key leadgate signs with, and DMARC. Exits 1 when a
    /// domain fails: sending through its relay waits until it passes.
    Check {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SequenceCommand {
    /// Check a sequence file (steps, channels, delays, variants, and every template's
    /// variables); with --lead, write every step and variant for that lead from its facts,
    /// each personalised claim marked and listed with the fact it cites. Exits 1 when a step
    /// cannot be written for the lead (a fact it names is missing), 2 when the file is wrong.
    Check {
        file: PathBuf,
        /// A lead (contact id) to write the sequence for.
        #[arg(long, value_name = "ID")]
        lead: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Which channels a lead gets and why, by the rules of [outreach.plan]: no call steps for
    /// a deal under the small-deal size, LinkedIn steps for a senior buyer at a company over
    /// the size; with --sequence, which of its steps the lead gets.
    Plan {
        /// The lead (contact id).
        lead: i64,
        #[arg(long, value_name = "FILE")]
        sequence: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Store a sequence file in the workspace as a new version of its sequence (the same text
    /// as the newest version stores nothing). You are its author: a reviewer who is not you
    /// approves each variant's first message before any of it is sent.
    Add {
        file: PathBuf,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
        #[arg(long)]
        json: bool,
    },
    /// The stored sequences: each version, its variants, where each stands at its gate, and
    /// how many leads are in it.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Compare each variant of the newest version of a sequence with variant A on what
    /// matters — leads who answered with interest, and meetings booked — with Fisher's exact
    /// test (two-sided); never on opens. No call under 30 leads a variant or at p ≥ 0.05.
    Compare {
        /// The sequence's name.
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Enroll leads in the newest version of a sequence: the leads given with --lead, or every
    /// lead in the outreach stage. Each gets its channel plan's steps in the variant with the
    /// fewest leads that can be written for it in full; a variant's first lead opens its
    /// first-message gate. Leads in a sequence already, or that no variant can be written
    /// for, are listed with the reason.
    Enroll {
        /// The sequence's name.
        name: String,
        /// A lead (contact id); repeatable. Default: every lead in the outreach stage.
        #[arg(long, value_name = "ID")]
        lead: Vec<i64>,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Learn a points card from a history file (CSV: one row per lead, an outcome column,
    /// other columns as candidate features), cross-validate it, and write the version to
    /// DIR/<version>.json.
    Train(Box<ModelTrainArgs>),
    /// Score the rows of a file with a version (or a hand-written TOML card) and write one
    /// row per input row, in order: probability, score, and the points of every term.
    Predict(ModelPredictArgs),
    /// Propose a trained version (its JSON, or its id in --models) or a hand-written TOML
    /// rules card in the workspace: it is a draft until sales ops approves it at its
    /// calibration gate.
    Propose {
        /// A version id (read from DIR/<version>.json), or the path of a version's JSON or of
        /// a TOML rules card.
        model: String,
        /// Who proposes it (sales ops or admin); they never approve it.
        #[arg(long = "as", value_name = "NAME")]
        person: String,
        /// Leads sales can take: the threshold table marks the row that fits.
        #[arg(long, value_name = "LEADS")]
        capacity: Option<u64>,
        /// Where versions are read from.
        #[arg(long, value_name = "DIR", default_value = "models")]
        models: PathBuf,
    },
    /// The workspace's model versions: which is live, which wait at their gate.
    List {
        #[arg(long)]
        json: bool,
    },
    /// A version's calibration report: figures, reliability, lift, thresholds, out-of-time
    /// check, drift, the points table and the warnings.
    Report {
        /// A version of the workspace (name or id), or, outside a workspace, a version id in
        /// --models or the path of a version's JSON. Default: the newest in the workspace.
        version: Option<String>,
        /// Also write the report as one HTML page with its charts.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Where versions are read from outside a workspace.
        #[arg(long, value_name = "DIR", default_value = "models")]
        models: PathBuf,
    },
    /// What happened to the leads a version scored, against what it predicted: by score
    /// quintile, leads, mean predicted probability, outcomes, observed conversion with its
    /// Wilson 95 % interval; the threshold's precision, the conversion left in nurture, and
    /// what to adjust. Computed now; without a version, the live one.
    Review {
        /// The version's name or id (default: the live one).
        version: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Withdraw the live version and make the one it replaced live again.
    Restore {
        /// Who restores (sales ops or admin).
        #[arg(long = "as", value_name = "NAME")]
        person: String,
    },
}

#[derive(Debug, Args)]
pub struct ModelTrainArgs {
    /// The history export (CSV separated by commas, semicolons or tabs).
    #[arg(long, value_name = "FILE")]
    pub history: PathBuf,
    /// The outcome column (default: a two-valued column named like label, converted, won,
    /// y or revenue).
    #[arg(long, value_name = "COLUMN")]
    pub label: Option<String>,
    /// The outcome value that means converted (default: yes, 1, true, won …).
    #[arg(long, value_name = "VALUE")]
    pub positive: Option<String>,
    /// A date column: adds the out-of-time check (train on the older 80 %, test on the
    /// newest 20 %).
    #[arg(long, value_name = "COLUMN")]
    pub time: Option<String>,
    /// Columns to leave out, comma-separated (ids, or what is known only after the outcome).
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Pairwise terms to add, at most (0: a purely additive card).
    #[arg(long, default_value_t = 10)]
    pub pairs: usize,
    /// Bins per number on the card, besides missing: the learned fine bins are merged into
    /// at most this many ranges, losing the least (0: keep the fine bins).
    #[arg(long, value_name = "N", default_value_t = Readable::default().max_bins)]
    pub max_bins: usize,
    /// Ranges per number of a pair's table, besides missing (0: keep the fine bins).
    #[arg(long, value_name = "N", default_value_t = Readable::default().max_pair_bins)]
    pub max_pair_bins: usize,
    /// The least share of the rows a range of a number must hold.
    #[arg(long, value_name = "SHARE", default_value_t = Readable::default().min_share, hide = true)]
    pub min_bin_share: f64,
    /// Newton passes over the history on the merged bins (0: keep the averaged logits).
    #[arg(long, value_name = "N", default_value_t = Readable::default().refit_passes, hide = true)]
    pub refit_passes: usize,
    /// The seed of the folds and of the inner validation split.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Cross-validation folds from a file: one fold number (from 0) per history row, one
    /// per line, with an optional header line `fold` (a benchmark's split).
    #[arg(long, value_name = "FILE")]
    pub folds: Option<PathBuf>,
    /// Inside a workspace: add to each history row whose e-mail address is a workspace
    /// contact the lead's features (facts, enrichment, engagement and intent) as the store
    /// knew them at the row's --time (now without one); the file's own columns win.
    #[arg(long)]
    pub workspace_features: bool,
    /// With --workspace-features: the column of each row's e-mail address (default: the
    /// column named email, e-mail or email_address). Never a feature.
    #[arg(long, value_name = "COLUMN", requires = "workspace_features")]
    pub key: Option<String>,
    /// Also write the history as trained on, the workspace's columns included, to FILE.
    #[arg(long, value_name = "FILE")]
    pub joined: Option<PathBuf>,
    /// Where versions are written.
    #[arg(long, value_name = "DIR", default_value = "models")]
    pub models: PathBuf,
    /// Also propose the version in the workspace, as this person (`model propose`).
    #[arg(long = "as", value_name = "NAME")]
    pub person: Option<String>,
    /// With --as: leads sales can take, marked in the threshold table.
    #[arg(long, value_name = "LEADS")]
    pub capacity: Option<u64>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ModelPredictArgs {
    /// A version id (read from DIR/<version>.json), or the path of a version's JSON or of a
    /// hand-written TOML card.
    #[arg(long, value_name = "VERSION|PATH")]
    pub model: String,
    /// The rows to score (CSV with the card's feature columns).
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Where to write the scores (CSV).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Where versions are read from.
    #[arg(long, value_name = "DIR", default_value = "models")]
    pub models: PathBuf,
    /// Print to stderr how long reading, scoring and writing took.
    #[arg(long)]
    pub timing: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to build the demo workspace.
    #[arg(long, default_value = "leadgate-demo")]
    pub dir: PathBuf,
    /// Seed of the sample data: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Multiplies the sample data (1 = 500 companies, about 2,000 people).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub scale: u32,
    /// Play the demo people's decisions at every gate, narrating each step.
    #[arg(long)]
    pub walkthrough: bool,
    /// Build (or walk through) the demo and stop, without starting the server.
    #[arg(long)]
    pub no_serve: bool,
    /// IP:PORT the demo's server listens on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Build the demo in this database (an empty postgres://… one) instead of the embedded
    /// SQLite file.
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person with one or more roles.
    Add {
        name: String,
        #[arg(long)]
        email: String,
        /// Comma-separated: admin, sales_lead, marketing_lead, sales_ops, reviewer, rep.
        #[arg(long = "role", value_name = "ROLE[,ROLE…]")]
        roles: String,
    },
    /// List people and their roles.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set a person's password for signing in to the server (read from stdin when it is not
    /// a terminal; prompted for, without echo, when it is).
    Passwd { name: String },
    /// Print a new one-time sign-in link for a person (valid 24 hours).
    Link { name: String },
    /// Give a person roles or take roles away (an admin's change, audited under their name).
    Roles {
        name: String,
        /// Roles to add, comma-separated or repeated.
        #[arg(long, value_name = "ROLE[,ROLE…]")]
        add: Vec<String>,
        /// Roles to take away, comma-separated or repeated.
        #[arg(long, value_name = "ROLE[,ROLE…]")]
        remove: Vec<String>,
        /// The admin making the change.
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "ADMIN")]
        admin: String,
    },
    /// Deactivate someone who left: their sessions and tokens stop at once, their past
    /// decisions stay in the audit log under their name.
    Deactivate {
        name: String,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "ADMIN")]
        admin: String,
    },
    /// Let a deactivated person act again.
    Reactivate {
        name: String,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "ADMIN")]
        admin: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; it is printed once and only its hash is kept.
    Create {
        /// The person the token acts as.
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
        /// What the token is for, e.g. the machine that holds it.
        #[arg(long = "name", value_name = "LABEL", default_value = "")]
        label: String,
    },
    /// Every token: who it acts as, when it was last used, whether it is revoked.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token at once.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum IcpCommand {
    /// Propose a new version of a segment's ICP from a TOML file; opens its approval gate.
    Propose {
        file: PathBuf,
        /// The person proposing.
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
    },
    /// Every version of every segment, with its status.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One version: `3` (its id), `"SEGMENT@2"`, or `SEGMENT` (its live version).
    Show {
        version: Option<String>,
        #[arg(long, conflicts_with = "toml")]
        json: bool,
        /// Print the document exactly as proposed (it can be proposed again unchanged).
        #[arg(long)]
        toml: bool,
    },
    /// What changed from version A to version B.
    Diff {
        a: String,
        b: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum GateCommand {
    /// Gates, oldest first (default: the open ones).
    List {
        /// Every gate, whatever its status.
        #[arg(long)]
        all: bool,
        /// Only gates this person can decide now.
        #[arg(long = "for", value_name = "NAME")]
        for_person: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One gate: its subject, who has decided what, and what it still needs.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Approve a gate as one of your roles.
    Approve {
        id: i64,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
        /// The role this approval fills, when you hold several the gate needs.
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Reject a gate, with the reason; this closes it.
    Reject {
        id: i64,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export to import: CSV (any of , ; tab | as delimiter, UTF-8, UTF-16 or
    /// Windows-1252) or JSON Lines.
    pub file: PathBuf,
    /// The source's name, as the trust order and the reports name it: apollo, salesnav,
    /// hubspot, a list's name …
    #[arg(long)]
    pub source: String,
    /// The export's column preset (default: recognised from the header).
    #[arg(long, value_parser = ["apollo", "salesnav", "hubspot", "salesforce", "generic"], conflicts_with = "mapping")]
    pub format: Option<String>,
    /// A mapping file (TOML) naming the file's columns for each field.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// When the data was observed (YYYY-MM-DD or RFC 3339), for rows without a date.
    #[arg(long)]
    pub observed_at: Option<String>,
    /// The field delimiter, when sniffing guesses wrong: `,` `;` `tab` `|`.
    #[arg(long)]
    pub delimiter: Option<String>,
    /// The person importing (default: the system).
    #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
    pub person: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum DiscoverCommand {
    /// Resolve all records, evaluate them against each live ICP, and open the sample gate.
    Run {
        /// Only this segment's list.
        #[arg(long)]
        segment: Option<String>,
        /// Show the merges and the lists it would make, and change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Search a source's API for the live ICP and import what it finds (Apollo People Search).
    Search(SearchArgs),
    /// The prospect lists, newest first.
    Lists {
        #[arg(long)]
        json: bool,
    },
    /// Contacts queued for fresh data — stale facts, or data a required ICP criterion needs —
    /// oldest first; `leadgate enrich run` takes these contacts first.
    RefreshQueue {
        #[arg(long)]
        json: bool,
    },
    /// One list: its counts, the change against the previous list, and its prospects.
    Show {
        list: i64,
        /// Only prospects with this standing.
        #[arg(long, value_parser = standing_values())]
        status: Option<String>,
        /// How many prospects to print.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// One contact: every field with its source and age, and the records behind it.
    Contact {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// The imports, oldest first, with their totals.
    Imports {
        #[arg(long)]
        json: bool,
    },
    /// Write an approved list's admitted prospects as a CSV file for a CRM's importer
    /// (HubSpot contacts, Salesforce leads) or with leadgate's own field names.
    Export {
        list: i64,
        /// The columns: HubSpot's contact properties, Salesforce's lead fields, or leadgate's.
        #[arg(long, value_parser = export_format_values())]
        format: String,
        /// The file to write (replaced if it exists).
        #[arg(long)]
        out: PathBuf,
        /// The person exporting, who is named in the audit log.
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MergeCommand {
    /// The newest merges.
    List {
        /// Only merges made at import (`key`) or by entity resolution (`model`).
        #[arg(long, value_parser = ["key", "model"])]
        method: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Why the records of a merge were taken for one person: each comparison and its weight.
    Explain {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Undo a merge: its records become a contact of their own again, never merged back.
    Undo {
        id: i64,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
    },
    /// Merges that entity resolution would no longer make, with the reason: undo or keep each.
    Review {
        #[arg(long)]
        json: bool,
    },
    /// Keep a questioned merge: its records stay one contact and it is not questioned again.
    Keep {
        id: i64,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Mark each sampled record of a prospect list match or no match (interactive on a
    /// terminal; `--decisions FILE` for scripts).
    Sample {
        gate: i64,
        /// Who reviews (not needed to `--show` the sample).
        #[arg(
            long = "as",
            env = "LEADGATE_AS",
            value_name = "NAME",
            required_unless_present = "show"
        )]
        person: Option<String>,
        /// A CSV with the columns position,verdict,reason (verdict: match or no_match; a
        /// no_match needs a reason).
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// Print the sample and stop.
        #[arg(long)]
        show: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SuppressCommand {
    /// Suppress an e-mail address or a whole domain.
    Add {
        /// An e-mail address or a domain (acme.com).
        value: String,
        #[arg(long)]
        reason: String,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
    },
    /// The suppression list.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Import a file of engagement and intent (CSV or JSON Lines): columns at, kind, email or
    /// domain, url, detail; intent rows domain, topic, score. Rows that cannot be read are
    /// rejected with their row, column and reason; the rest are stored. The next discovery
    /// run reads them.
    Import {
        file: PathBuf,
        /// What each row is: `auto` (the row's kind column; a row with a topic and no kind
        /// is intent), `intent`, or an engagement kind for a file without a kind column
        /// (page_view, email_open, email_click, email_reply, webinar_attended,
        /// content_download, trial_signup, demo_request).
        #[arg(long, default_value = "auto")]
        kind: String,
        /// The person importing (default: the system).
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum LeadsCommand {
    /// Score every admitted prospect of the approved lists with the live model: at or above
    /// `[scoring] threshold` a lead goes to outreach, below it to nurture.
    Score {
        #[arg(long)]
        json: bool,
    },
    /// Where every lead stands, highest score first.
    List {
        /// Only leads of this stage: outreach or nurture.
        #[arg(long)]
        stage: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One lead: its facts with their sources, its score's reasons in points, its history,
    /// and its outcomes.
    Show {
        /// The lead's id (its contact's).
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Record what happened to a lead: meeting_booked, opportunity_opened, won, lost (with a
    /// --reason) or disqualified (with a --reason). Reps, sales leads, sales ops and admins
    /// may record.
    Outcome {
        /// The lead's id (its contact's).
        id: i64,
        /// meeting_booked | opportunity_opened | won | lost | disqualified
        kind: String,
        /// The day it happened (YYYY-MM-DD; default: today).
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        /// The deal's amount, for an opportunity, a win or a loss: 12500 or 12500.50.
        #[arg(long)]
        amount: Option<String>,
        /// The amount's currency (ISO 4217: EUR, USD, …).
        #[arg(long)]
        currency: Option<String>,
        /// Why, in words: required for lost and disqualified.
        #[arg(long)]
        reason: Option<String>,
        /// Who records it.
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
        #[arg(long)]
        json: bool,
    },
    /// Outcomes from a CRM export.
    #[command(subcommand)]
    Outcomes(OutcomesCommand),
    /// Times rescoring one lead after one event, as JSON (`bench/rescore_one.sh`): each run
    /// stores a pricing-page view of the lead, then rescores what it touched.
    #[command(hide = true)]
    RescoreBench {
        /// The lead's id (its contact's); it needs an e-mail address.
        #[arg(long)]
        contact: i64,
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutcomesCommand {
    /// Re-import outcomes from a CRM export (CSV) keyed by e-mail: an e-mail column, a
    /// stage column (HubSpot lifecycle or deal stages, Salesforce opportunity stages or lead
    /// statuses, or leadgate's own kinds) and a date column; amount, currency and reason
    /// when present (a loss without a reason is recorded as having none in the export).
    /// Every row is accounted for; a re-import records nothing twice.
    Import {
        file: PathBuf,
        /// More stage words: `--map 'Verbal Commit=opportunity_opened'` (repeatable; adds to
        /// `[scoring] crm_stages`).
        #[arg(long, value_name = "WORD=KIND")]
        map: Vec<String>,
        /// The currency of amounts on rows without one (an export with no currency column).
        #[arg(long, value_name = "CODE")]
        currency: Option<String>,
        /// Who records them.
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EnrichCommand {
    /// Enrich the contacts of approved lists (those in the refresh queue first) and their
    /// companies: the providers are asked field by field in order, a value younger than the
    /// cache's TTL is not bought again, and the budget is never exceeded. Prints what was
    /// filled and from which provider, what was not and why, every failure with its reason,
    /// and the credits spent and left.
    Run {
        /// Credits this run may spend (default: `budget` of [enrichment]).
        #[arg(long)]
        budget: Option<f64>,
        /// The person running it (default: the system).
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The cost ledger: per run and provider, the calls, hits, misses, failures by kind,
    /// calls passed over for the budget, and credits; with the totals.
    Costs {
        /// One run (default: every run, newest first).
        #[arg(long = "run", value_name = "ID")]
        run: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CustomersCommand {
    /// Import an export of the CRM's accounts or deals (CSV with a domain column; with an
    /// outcome or stage column, only won rows count). It replaces what the same source gave
    /// before, and discovery runs again.
    Import {
        file: PathBuf,
        /// The CRM it comes from; each source's accounts are replaced on its next import.
        #[arg(long, default_value = "crm")]
        source: String,
        #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
        person: String,
        #[arg(long)]
        json: bool,
    },
    /// Every customer account, by domain.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    /// Only entries about this subject (`icp:3`, `gate:1`, or `icp` for all ICP versions).
    #[arg(long)]
    pub subject: Option<String>,
    /// One lead's whole trail: entries about the lead, its replies and its handoff tasks —
    /// reply, routing, reminders, breaches, acknowledgement.
    #[arg(long, value_name = "LEAD", conflicts_with = "subject")]
    pub lead: Option<i64>,
    /// Only entries by this actor.
    #[arg(long)]
    pub actor: Option<String>,
    /// How many of the newest entries.
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole hash chain; exits non-zero naming the first broken entry.
    Verify {
        /// Also check the chain against anchors recorded outside the database (a file that
        /// `audit anchor` appended to): a chain rewritten with its hashes fails here.
        #[arg(long, value_name = "FILE")]
        anchors: Option<std::path::PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Print the chain's head (entry count, hash, time) as an anchor, and append it to the
    /// configured anchor file and POST it to the configured webhook (`[audit]`).
    Anchor {
        #[arg(long)]
        json: bool,
    },
}

/// The prospect standings `--status` takes: the spellings of `Standing`.
fn standing_values() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        leadgate_core::discovery::prospect::Standing::ALL
            .iter()
            .map(|s| s.as_str()),
    )
}

/// The layouts `discover export --format` takes: the spellings of `ExportFormat`.
fn export_format_values() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        leadgate_core::discovery::export::ExportFormat::ALL
            .iter()
            .map(|f| f.as_str()),
    )
}

/// Arguments of `leadgate dedupe`.
#[derive(Debug, Args)]
pub struct DedupeArgs {
    /// The CSV file to deduplicate, or two files to link (with a setup in `mode = "link"`).
    #[arg(required = true, num_args = 1..=2)]
    pub files: Vec<PathBuf>,
    /// A comparison setup: a TOML file, or a built-in one (`contacts`, `companies`,
    /// `febrl`). Default: `contacts`.
    #[arg(long)]
    pub config: Option<String>,
    /// The column that identifies a record in the output. Default: a column named `id` or
    /// `record_id`, else the record's position in the input (1-based).
    #[arg(long)]
    pub id_column: Option<String>,
    /// Where to write `record_id,cluster_id`.
    #[arg(long)]
    pub out: PathBuf,
    /// Match probability at or above which two records link (overrides the setup's).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `leadgate discover search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The search source: apollo.
    #[arg(long, value_parser = ["apollo"])]
    pub source: String,
    /// The segment whose live ICP to search for (needed when several are live).
    #[arg(long)]
    pub segment: Option<String>,
    /// Pages fetched at most.
    #[arg(long, default_value_t = 10)]
    pub max_pages: u32,
    /// Credits spent at most (People API Search spends none).
    #[arg(long, default_value_t = 0)]
    pub max_credits: u64,
    /// Results per page (Apollo's maximum is 100).
    #[arg(long, default_value_t = 100)]
    pub per_page: u32,
    /// Show the compiled filters, and what the source cannot filter on, and stop.
    #[arg(long)]
    pub compile_only: bool,
    #[arg(long = "as", env = "LEADGATE_AS", value_name = "NAME")]
    pub person: Option<String>,
    #[arg(long)]
    pub json: bool,
}
