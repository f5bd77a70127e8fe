//! Stage 4's pages: the sequences with where each variant stands at its gate, and a
//! variant's page, where the reviewer reads its first message as it would go to its first
//! lead — every personalised claim marked and linked to the fact it rests on, with the
//! fact's source, record and age — with the linter's and the compliance checks' findings,
//! the notice and footer leadgate adds, and the gate's panel.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use leadgate_core::audit::Subject;
use leadgate_core::gate::{GateKind, GateStatus, Verdict};
use leadgate_core::outreach::compose::Rendered;
use leadgate_core::outreach::enrollment::{OutboxStatus, VariantStatus};
use leadgate_core::outreach::lint::{Part as LintPart, Severity};
use leadgate_core::outreach::reply::ReplyKind;
use leadgate_store::gates::{self as stored_gates, GateFilter};
use serde::Deserialize;

use super::bars;
use super::gates::GatePanel;
use super::table::{Header, PageQuery};
use super::{Layout, PageError, Pages, page, show_time};
use crate::engine::outreach::sequences;
use crate::engine::outreach::{ModelOpener, Part, StepPreview};
use crate::server::auth::Principal;
use crate::server::state::AppState;
use crate::views::{fact_label, fact_value};

pub fn routes() -> Pages {
    Pages::new()
        .route("/outreach", get(list))
        .route("/outreach/variants/{id}", get(show))
        .route("/outreach/outbox", get(outbox))
        .route("/outreach/outbox/{id}/release", post(release))
}

/// One variant of one stored sequence version: a row of the sequences table.
pub struct VariantRow {
    pub id: i64,
    pub sequence: String,
    pub version: i64,
    pub variant: String,
    pub author: String,
    pub added: String,
    pub added_iso: String,
    added_key: i64,
    pub status: VariantStatus,
    pub leads: i64,
    pub gate: Option<i64>,
}

/// The columns the table sorts by: key, label, numeric.
const COLUMNS: [(&str, &str, bool); 7] = [
    ("sequence", "Sequence", false),
    ("version", "Version", true),
    ("variant", "Variant", false),
    ("author", "Author", false),
    ("added", "Added", false),
    ("status", "Standing", false),
    ("leads", "Leads", true),
];

/// Waiting for a decision first: what a reviewer is here for.
fn status_rank(status: VariantStatus) -> u8 {
    match status {
        VariantStatus::InReview => 0,
        VariantStatus::Approved => 1,
        VariantStatus::Waiting => 2,
        VariantStatus::Rejected => 3,
    }
}

fn sort_rows(rows: &mut [VariantRow], key: &str, descending: bool) {
    rows.sort_by(|a, b| {
        let by = match key {
            "sequence" => a.sequence.cmp(&b.sequence),
            "version" => a.version.cmp(&b.version),
            "variant" => a.variant.cmp(&b.variant),
            "author" => a.author.cmp(&b.author),
            "added" => a.added_key.cmp(&b.added_key),
            "leads" => a.leads.cmp(&b.leads),
            _ => status_rank(a.status).cmp(&status_rank(b.status)),
        };
        let by = if descending { by.reverse() } else { by };
        by.then(a.sequence.cmp(&b.sequence))
            .then(b.version.cmp(&a.version))
            .then(a.variant.cmp(&b.variant))
    });
}

#[derive(Deserialize)]
struct Order {
    sort: Option<String>,
    dir: Option<String>,
}

#[derive(Template)]
#[template(path = "outreach.html")]
struct ListPage {
    layout: Layout,
    headers: Vec<Header>,
    rows: Vec<VariantRow>,
}

async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(order): Query<Order>,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "outreach").await?;
    let mut rows = Vec::new();
    for version in sequences::list(state.store()).await? {
        let s = &version.sequence;
        for v in version.variants {
            rows.push(VariantRow {
                id: v.id,
                sequence: s.name.clone(),
                version: s.version,
                variant: v.name,
                author: s.author.clone(),
                added: show_time(&state, s.added_at),
                added_iso: s.added_at.to_string(),
                added_key: s.added_at.as_microsecond(),
                status: v.status,
                leads: v.enrolled,
                gate: v.gate_id,
            });
        }
    }
    let key = COLUMNS
        .iter()
        .map(|(key, _, _)| *key)
        .find(|k| Some(*k) == order.sort.as_deref())
        .unwrap_or("status");
    let descending = order.dir.as_deref() == Some("desc");
    sort_rows(&mut rows, key, descending);
    let query = PageQuery::new(
        "/outreach",
        &[
            ("sort", key.to_string()),
            ("dir", if descending { "desc" } else { "asc" }.to_string()),
        ],
    );
    let headers = COLUMNS
        .iter()
        .map(|(key, label, numeric)| Header {
            numeric: *numeric,
            ..Header::sorting(label, key, &query)
        })
        .collect();
    page(
        StatusCode::OK,
        &ListPage {
            layout,
            headers,
            rows,
        },
    )
}

/// A stretch of a written text: a claim links to its fact's row.
pub struct Segment {
    pub text: String,
    /// The fact's number in the facts table (from 1), for a claim.
    pub fact: Option<usize>,
}

/// A written text cut at its claims.
fn segments(rendered: &Rendered) -> Vec<Segment> {
    let text = &rendered.text;
    let mut out = Vec::new();
    let mut at = 0;
    for claim in &rendered.claims {
        let (Some(before), Some(claimed)) =
            (text.get(at..claim.start), text.get(claim.start..claim.end))
        else {
            continue;
        };
        if !before.is_empty() {
            out.push(Segment {
                text: before.to_string(),
                fact: None,
            });
        }
        out.push(Segment {
            text: claimed.to_string(),
            fact: Some(claim.fact + 1),
        });
        at = claim.end;
    }
    out.push(Segment {
        text: text.get(at..).unwrap_or_default().to_string(),
        fact: None,
    });
    out
}

/// A subject or body as the page shows it.
pub enum PartView {
    Written(Vec<Segment>),
    Unwritten(String),
}

fn part_view(part: &Part) -> PartView {
    match part {
        Part::Written(rendered) => PartView::Written(segments(rendered)),
        Part::Unwritten { why } => PartView::Unwritten(why.clone()),
    }
}

/// A finding in words, with the words it is about.
pub struct FindingView {
    pub severity: Severity,
    pub rule: &'static str,
    pub message: String,
    pub quoted: Option<String>,
    pub part: &'static str,
}

/// One step of the sample as the reviewer reads it.
pub struct StepView {
    pub step: usize,
    pub variant: String,
    pub channel: &'static str,
    pub timing: String,
    pub subject: Option<PartView>,
    pub body: PartView,
    pub notice: Option<String>,
    pub footer: Option<String>,
    pub findings: Vec<FindingView>,
}

/// When a step comes, in words.
fn timing(step: &StepPreview) -> String {
    let wait = match step.delay_days {
        0 => "At the start".to_string(),
        1 => "1 business day after the step before".to_string(),
        n => format!("{n} business days after the step before"),
    };
    match &step.when {
        Some(w) if w.at_least > 1 => {
            format!(
                "{wait}, if the prospect {} {} times",
                w.event.label(),
                w.at_least
            )
        }
        Some(w) => format!("{wait}, if the prospect {}", w.event.label()),
        None => wait,
    }
}

fn step_view(step: &StepPreview) -> StepView {
    let text_of = |part: LintPart| match (part, step.subject.as_ref(), &step.body) {
        (LintPart::Subject, Some(Part::Written(s)), _) => s.text.as_str(),
        (LintPart::Body, _, Part::Written(b)) => b.text.as_str(),
        _ => "",
    };
    StepView {
        step: step.step,
        variant: step.variant.clone(),
        channel: step.channel.label(),
        timing: timing(step),
        subject: step.subject.as_ref().map(part_view),
        body: part_view(&step.body),
        notice: step.notice.clone(),
        footer: step.footer.clone(),
        findings: step
            .findings
            .iter()
            .map(|f| {
                let text = text_of(f.part);
                FindingView {
                    severity: f.severity,
                    rule: f.rule.label(),
                    message: f.message.clone(),
                    quoted: text
                        .get(f.start..f.end)
                        .filter(|q| !q.is_empty() && q.len() <= 80 && q.len() < text.len())
                        .map(str::to_string),
                    part: f.part.label(),
                }
            })
            .collect(),
    }
}

/// A fact the sample cites, numbered as its claims link to it.
pub struct FactRow {
    pub number: usize,
    pub field: String,
    pub value: String,
    pub source: String,
    pub record: Option<i64>,
    pub seen: String,
    pub seen_iso: String,
}

#[derive(Template)]
#[template(path = "variant.html")]
struct VariantPage {
    layout: Layout,
    sequence: String,
    version: i64,
    author: String,
    variant: String,
    status: VariantStatus,
    digest: String,
    lead: Option<i64>,
    steps: Vec<StepView>,
    facts: Vec<FactRow>,
    panels: Vec<GatePanel>,
    writer: Option<WriterView>,
}

/// What the model writer did for the sample lead, in words; a rejected answer is shown, so
/// the reviewer sees what was kept out.
pub struct WriterView {
    pub line: String,
    pub rejected: Option<String>,
}

fn writer_view(writer: &ModelOpener) -> WriterView {
    WriterView {
        line: writer.describe(),
        rejected: match writer {
            ModelOpener::Rejected { answer, .. } => Some(answer.clone()),
            _ => None,
        },
    }
}

#[derive(Deserialize)]
struct Shown {
    decided: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let mut layout = Layout::for_person(&state, &principal, "outreach").await?;
    let mut conn = state.store().conn().await?;
    let not_found = || PageError {
        status: StatusCode::NOT_FOUND,
        message: format!("no sequence variant {id}"),
    };
    let variant = leadgate_store::outreach::variant(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let sequence = leadgate_store::outreach::sequence(&mut conn, variant.sequence_id)
        .await?
        .ok_or_else(not_found)?;
    let subject = Subject::Variant(id).to_string();
    let mut gates = stored_gates::list(
        &mut conn,
        &GateFilter {
            kind: Some(GateKind::VariantApproval),
            subject: Some(&subject),
            ..Default::default()
        },
    )
    .await?;
    drop(conn);
    gates.sort_by_key(|g| (g.status != GateStatus::Open, -g.id));
    layout.flash = Verdict::ALL
        .iter()
        .find(|v| shown.decided.as_deref() == Some(v.label()))
        .map(|v| match (v, variant.status) {
            (Verdict::Approve, VariantStatus::Approved) => format!(
                "Your approval is recorded: variant {} may be sent, as this very text.",
                variant.name
            ),
            (Verdict::Approve, _) => "Your approval is recorded.".to_string(),
            (Verdict::Reject, _) => format!(
                "Your rejection is recorded: nothing of variant {} is sent, and its leads left it.",
                variant.name
            ),
        });
    let sample = sequences::sample(&variant)?;
    let writer = sample
        .as_ref()
        .and_then(|s| s.writer.as_ref())
        .map(writer_view);
    let (steps, facts) = match &sample {
        None => (Vec::new(), Vec::new()),
        Some(sample) => {
            let mut cited = std::collections::BTreeSet::new();
            for step in &sample.steps {
                for part in [step.subject.as_ref(), Some(&step.body)]
                    .into_iter()
                    .flatten()
                {
                    if let Part::Written(rendered) = part {
                        cited.extend(rendered.claims.iter().map(|c| c.fact));
                    }
                }
            }
            let facts = cited
                .into_iter()
                .filter_map(|i| sample.facts.get(i).map(|f| (i, f)))
                .map(|(i, f)| FactRow {
                    number: i + 1,
                    field: fact_label(&f.field),
                    value: fact_value(&f.field, &f.value),
                    source: f.source.clone(),
                    record: f.record,
                    seen: f
                        .observed_at
                        .map(|t| show_time(&state, t))
                        .unwrap_or_default(),
                    seen_iso: f.observed_at.map(|t| t.to_string()).unwrap_or_default(),
                })
                .collect();
            (sample.steps.iter().map(step_view).collect(), facts)
        }
    };
    let panels = gates
        .iter()
        .map(|g| GatePanel::new(&state, g, &principal, None))
        .collect();
    page(
        StatusCode::OK,
        &VariantPage {
            layout,
            sequence: sequence.name,
            version: sequence.version,
            author: sequence.author,
            variant: variant.name,
            status: variant.status,
            digest: variant.digest.chars().take(12).collect(),
            lead: variant.sample_contact,
            steps,
            facts,
            panels,
            writer,
        },
    )
}

/// One step of one sequence version in the outbox: where its touches stand and what came
/// back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepRow {
    pub sequence: String,
    pub version: i64,
    pub step: i64,
    pub channel: &'static str,
    pub queued: i64,
    pub sent: i64,
    pub held: i64,
    pub tasks: i64,
    pub cancelled: i64,
    pub failed: i64,
    pub bounced: i64,
    pub auto_replies: i64,
    pub opted_out: i64,
    /// A person answered (interested, not, a referral, or for a person to read).
    pub replied: i64,
    pub positive: i64,
}

impl StepRow {
    /// Replies from people per e-mail sent, in words.
    pub fn reply_rate(&self) -> String {
        if self.sent == 0 {
            return "—".to_string();
        }
        format!("{:.1}%", 100.0 * self.replied as f64 / self.sent as f64)
    }
}

/// The row of a sequence version's step, added when it is not there yet.
fn row_of(rows: &mut Vec<StepRow>, sequence: &str, version: i64, step: i64) -> usize {
    match rows
        .iter()
        .position(|r| r.sequence == sequence && r.version == version && r.step == step)
    {
        Some(i) => i,
        None => {
            rows.push(StepRow {
                sequence: sequence.to_string(),
                version,
                step,
                ..StepRow::default()
            });
            rows.len() - 1
        }
    }
}

/// The outbox's figures by sequence version and step, from the store's tallies.
fn step_rows(
    tally: &[leadgate_store::outreach::StepTally],
    replies: &[(String, i64, i64, ReplyKind, i64)],
) -> Vec<StepRow> {
    let mut rows: Vec<StepRow> = Vec::new();
    for t in tally {
        let i = row_of(&mut rows, &t.sequence, t.version, t.step);
        let row = &mut rows[i];
        row.channel = t.channel.label();
        let slot = match t.status {
            OutboxStatus::Queued | OutboxStatus::Sending => &mut row.queued,
            OutboxStatus::Sent => &mut row.sent,
            OutboxStatus::Held => &mut row.held,
            OutboxStatus::Task => &mut row.tasks,
            OutboxStatus::Cancelled => &mut row.cancelled,
            OutboxStatus::Failed => &mut row.failed,
        };
        *slot += t.count;
    }
    for (sequence, version, step, kind, count) in replies {
        let i = row_of(&mut rows, sequence, *version, *step);
        let row = &mut rows[i];
        match kind {
            ReplyKind::BounceHard | ReplyKind::BounceSoft => row.bounced += count,
            ReplyKind::AutoReply => row.auto_replies += count,
            ReplyKind::OptOut => row.opted_out += count,
            ReplyKind::Positive => {
                row.positive += count;
                row.replied += count;
            }
            ReplyKind::NotInterested | ReplyKind::Referral | ReplyKind::Unclassified => {
                row.replied += count
            }
        }
    }
    rows
}

/// Each step's touches as one stacked bar — replied, sent without a reply, bounced, queued,
/// held, cancelled or failed — on one scale. The table repeats the figures.
fn outbox_chart(rows: &[StepRow]) -> String {
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let bars: Vec<bars::Bar> = rows
        .iter()
        .filter(|r| r.tasks == 0)
        .map(|r| {
            let parts = vec![
                bars::Part {
                    n: count(r.replied + r.opted_out),
                    words: "replied",
                    class: "part-replied",
                },
                bars::Part {
                    n: count(r.sent - r.replied - r.opted_out - r.bounced),
                    words: "sent, no reply yet",
                    class: "part-sent",
                },
                bars::Part {
                    n: count(r.bounced),
                    words: "bounced",
                    class: "part-bounced",
                },
                bars::Part {
                    n: count(r.queued),
                    words: "queued",
                    class: "part-queued",
                },
                bars::Part {
                    n: count(r.held),
                    words: "held for a person",
                    class: "part-held",
                },
                bars::Part {
                    n: count(r.cancelled + r.failed),
                    words: "cancelled or failed",
                    class: "part-stopped",
                },
            ];
            let label = format!("{} v{} · step {}", r.sequence, r.version, r.step);
            let words: Vec<String> = parts
                .iter()
                .map(|p| format!("{} {}", p.n, p.words))
                .collect();
            bars::Bar {
                described: format!("{label}: {}", words.join(", ")),
                label,
                parts,
                value: None,
            }
        })
        .collect();
    bars::draw(
        &bars::Chart {
            id: "outbox-chart",
            class: "outbox",
            row_class: "step-row",
            title: "E-mails by step",
            headers: None,
            label_right: 190.0,
            bar_left: 198.0,
            bar_right: 600.0,
            legend: &[
                ("replied", "part-replied"),
                ("sent, no reply yet", "part-sent"),
                ("bounced", "part-bounced"),
                ("queued", "part-queued"),
                ("held", "part-held"),
                ("cancelled or failed", "part-stopped"),
            ],
            legend_left: 8.0,
        },
        &bars,
    )
}

/// A message a stopped sender left half-sent, for a person to check and release.
pub struct HeldRow {
    pub id: i64,
    pub lead: i64,
    pub step: i64,
    pub recipient: String,
    pub subject: String,
    pub message_id: String,
    pub since: String,
    pub since_iso: String,
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    layout: Layout,
    headers: Vec<Header>,
    rows: Vec<StepRow>,
    chart: String,
    held: Vec<HeldRow>,
    may_release: bool,
}

const OUTBOX_COLUMNS: [(&str, &str, bool); 9] = [
    ("sequence", "Sequence", false),
    ("step", "Step", true),
    ("queued", "Queued", true),
    ("sent", "Sent", true),
    ("held", "Held", true),
    ("bounced", "Bounced", true),
    ("replied", "Replied", true),
    ("positive", "Interested", true),
    ("opted_out", "Opted out", true),
];

fn sort_steps(rows: &mut [StepRow], key: &str, descending: bool) {
    rows.sort_by(|a, b| {
        let by = match key {
            "step" => a.step.cmp(&b.step),
            "queued" => a.queued.cmp(&b.queued),
            "sent" => a.sent.cmp(&b.sent),
            "held" => a.held.cmp(&b.held),
            "bounced" => a.bounced.cmp(&b.bounced),
            "replied" => a.replied.cmp(&b.replied),
            "positive" => a.positive.cmp(&b.positive),
            "opted_out" => a.opted_out.cmp(&b.opted_out),
            _ => a
                .sequence
                .cmp(&b.sequence)
                .then(b.version.cmp(&a.version))
                .then(a.step.cmp(&b.step)),
        };
        if descending { by.reverse() } else { by }
    });
}

async fn outbox(
    State(state): State<AppState>,
    principal: Principal,
    Query(order): Query<Order>,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "outbox").await?;
    let mut conn = state.store().conn().await?;
    let tally = leadgate_store::outreach::outbox_tally(&mut conn).await?;
    let replies = leadgate_store::outreach::reply_tally(&mut conn).await?;
    let held = leadgate_store::outreach::outbox(&mut conn, Some(OutboxStatus::Held)).await?;
    drop(conn);
    let mut rows = step_rows(&tally, &replies);
    let chart = outbox_chart(&rows);
    let key = OUTBOX_COLUMNS
        .iter()
        .map(|(key, _, _)| *key)
        .find(|k| Some(*k) == order.sort.as_deref())
        .unwrap_or("sequence");
    let descending = order.dir.as_deref() == Some("desc");
    sort_steps(&mut rows, key, descending);
    let query = PageQuery::new(
        "/outreach/outbox",
        &[
            ("sort", key.to_string()),
            ("dir", if descending { "desc" } else { "asc" }.to_string()),
        ],
    );
    let headers = OUTBOX_COLUMNS
        .iter()
        .map(|(key, label, numeric)| Header {
            numeric: *numeric,
            ..Header::sorting(label, key, &query)
        })
        .collect();
    let held = held
        .into_iter()
        .map(|r| HeldRow {
            id: r.id,
            lead: r.contact_id,
            step: r.step,
            recipient: r.recipient.unwrap_or_default(),
            subject: r.subject.unwrap_or_default(),
            message_id: r.message_id,
            since: r
                .sending_at
                .map(|t| show_time(&state, t))
                .unwrap_or_default(),
            since_iso: r.sending_at.map(|t| t.to_string()).unwrap_or_default(),
        })
        .collect();
    let may_release = principal
        .person
        .roles
        .iter()
        .any(|r| crate::engine::outreach::send::RELEASERS.contains(r));
    page(
        StatusCode::OK,
        &OutboxPage {
            layout,
            headers,
            rows,
            chart,
            held,
            may_release,
        },
    )
}

#[derive(Deserialize)]
struct ReleaseForm {
    /// `sent` or `resend`.
    how: String,
}

/// Releases a held message as the signed-in person (the engine checks who may).
async fn release(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Form(form): Form<ReleaseForm>,
) -> Result<Response, PageError> {
    let how = match form.how.as_str() {
        "sent" => crate::engine::outreach::send::Release::Sent,
        "resend" => crate::engine::outreach::send::Release::Resend,
        other => {
            return Err(PageError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message: format!("`{other}` is neither sent nor resend"),
            });
        }
    };
    crate::engine::outreach::send::release(
        state.store(),
        id,
        how,
        &principal.person.name,
        state.now(),
    )
    .await?;
    let to = HeaderValue::from_static("/outreach/outbox");
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadgate_core::outreach::compose::Claim;

    #[test]
    fn a_text_is_cut_at_its_claims_and_each_claim_keeps_its_fact() {
        let rendered = Rendered {
            text: "Hi Ann, Small & Sons is hiring.".into(),
            claims: vec![
                Claim {
                    start: 3,
                    end: 6,
                    fact: 0,
                },
                Claim {
                    start: 8,
                    end: 20,
                    fact: 4,
                },
            ],
            rests_on: Default::default(),
            opener: None,
            written_by: None,
        };

        let cut: Vec<(String, Option<usize>)> = segments(&rendered)
            .into_iter()
            .map(|s| (s.text, s.fact))
            .collect();

        assert_eq!(
            cut,
            [
                ("Hi ".to_string(), None),
                ("Ann".to_string(), Some(1)),
                (", ".to_string(), None),
                ("Small & Sons".to_string(), Some(5)),
                (" is hiring.".to_string(), None),
            ]
        );
    }
}
