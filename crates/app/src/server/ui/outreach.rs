//! Stage 4's pages: the sequences with where each variant stands at its gate, and a
//! variant's page, where the reviewer reads its first message as it would go to its first
//! lead — every personalised claim marked and linked to the fact it rests on, with the
//! fact's source, record and age — with the linter's and the compliance checks' findings,
//! the notice and footer leadgate adds, and the gate's panel.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use leadgate_core::audit::Subject;
use leadgate_core::gate::{GateKind, GateStatus, Verdict};
use leadgate_core::outreach::compose::Rendered;
use leadgate_core::outreach::enrollment::VariantStatus;
use leadgate_core::outreach::lint::{Part as LintPart, Severity};
use leadgate_store::gates::{self as stored_gates, GateFilter};
use serde::Deserialize;

use super::gates::GatePanel;
use super::table::{Header, PageQuery};
use super::{Layout, PageError, Pages, page, show_time};
use crate::engine::outreach::sequences;
use crate::engine::outreach::{Part, StepPreview};
use crate::server::auth::Principal;
use crate::server::state::AppState;
use crate::views::{fact_label, fact_value};

pub fn routes() -> Pages {
    Pages::new()
        .route("/outreach", get(list))
        .route("/outreach/variants/{id}", get(show))
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
        },
    )
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
