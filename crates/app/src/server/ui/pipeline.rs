//! The pipeline as a funnel, from discovered to won: the live ICP segments, the records imported, the
//! contacts they resolve into and the prospects admitted, to those whose sample review
//! passed, and on to the leads the live scoring model scored and those it qualified for
//! outreach — real counts from the store, with the gates that wait drawn between the stages
//! and linked to them. Widths follow a logarithmic scale so that a stage of 2 and the next
//! of 200,000 both read; the numbers beside them are exact, and a table repeats them for
//! screen readers. Then outreach and handoff: the leads in a sequence, e-mailed, handed to
//! sales, acknowledged by their rep (with the tasks that wait at that gate), and the
//! outcomes reached — meeting, opportunity, won — each with its share of the stage before.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use leadgate_core::discovery::prospect::ListStatus;
use leadgate_core::gate::GateKind;
use leadgate_core::scoring::lead::LeadStage;
use leadgate_store::discovery::{self as stored, ProspectList};
use leadgate_store::gates::Gate;
use leadgate_store::icp::IcpStatus;

use super::{Layout, PageError, Pages, gates::href, open_gates, page};
use crate::server::auth::Principal;
use crate::server::state::AppState;
use crate::views::ListView;

pub fn routes() -> Pages {
    Pages::new().route("/pipeline", get(show))
}

/// One row of the funnel: a stage's count, or the gates of one kind that wait.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub label: &'static str,
    pub value: i64,
    pub gate: bool,
    /// What the chart writes beside the marker or bar.
    pub caption: String,
    /// Where the row's items are: a page, or the one gate that waits.
    pub href: Option<String>,
    /// A stage's share of the stage before it (`12 %`), when it is a part of it.
    pub conversion: Option<String>,
}

/// The funnel's counts, read from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    pub steps: Vec<Step>,
}

impl Funnel {
    /// Counts every stage and the open gates between them.
    pub async fn load(state: &AppState) -> Result<Funnel, PageError> {
        let open = open_gates(state).await?;
        let mut conn = state.store().conn().await?;
        let versions = leadgate_store::icp::list(&mut conn).await?;
        let totals = stored::totals(&mut conn).await?;
        let current = current_lists(stored::lists(&mut conn).await?);
        let live = versions
            .iter()
            .filter(|v| v.status == IcpStatus::Live)
            .count();
        let admitted: i64 = current.iter().map(|l| l.admitted).sum();
        let leads = leadgate_store::leads::current(&mut conn, None).await?;
        let scored = leads.len() as i64;
        let outreach = leads
            .iter()
            .filter(|l| l.stage == LeadStage::Outreach)
            .count() as i64;
        let approved: i64 = current
            .iter()
            .filter(|l| l.status == ListStatus::Approved)
            .map(|l| l.admitted)
            .sum();
        let later = leadgate_store::handoff::later_stages(&mut conn).await?;
        let stage = |label, value: i64, href: &str| Step {
            label,
            value,
            gate: false,
            caption: value.to_string(),
            href: Some(href.to_string()),
            conversion: None,
        };
        let waiting = |label, kind: GateKind| gate_step(label, &open, kind);
        let tasks_waiting = Step {
            label: "Tasks waiting for their rep",
            value: later.open_tasks,
            gate: true,
            caption: match later.open_tasks {
                0 => "none waiting at the rep's acknowledgement".to_string(),
                n => format!("{n} waiting at the rep's acknowledgement"),
            },
            href: (later.open_tasks > 0).then(|| "/handoff".to_string()),
            conversion: None,
        };
        let mut steps = vec![
            stage("Live ICP segments", live as i64, "/icp"),
            waiting("ICP approvals waiting", GateKind::IcpApproval),
            waiting("ICP reviews due", GateKind::IcpReview),
            stage("Records imported", totals.records, "/lists"),
            stage("Contacts resolved", totals.contacts, "/lists"),
            stage("Prospects admitted", admitted, "/lists"),
            waiting("Sample reviews waiting", GateKind::SampleReview),
            stage("Approved for enrichment", approved, "/lists"),
            waiting(
                "Scoring model approvals waiting",
                GateKind::ModelCalibration,
            ),
            stage("Leads scored", scored, "/leads"),
            waiting("Scoring model reviews due", GateKind::ModelReview),
            stage("Qualified for outreach", outreach, "/leads?stage=outreach"),
            stage("In a sequence", later.enrolled, "/outreach"),
            stage("E-mailed", later.emailed, "/outbox"),
            stage("Handed to sales", later.handed_off, "/handoff"),
            tasks_waiting,
            stage("Acknowledged by a rep", later.acknowledged, "/handoff"),
            stage("Meeting booked", later.meetings, "/leads"),
            stage("Opportunity opened", later.opportunities, "/leads"),
            stage("Won", later.won, "/leads"),
        ];
        convert(&mut steps);
        Ok(Funnel { steps })
    }
}

/// Each stage's share of the stage before it (gates between are skipped), where it is a
/// part of that stage: records to contacts is a merge, not a conversion.
fn convert(steps: &mut [Step]) {
    let mut before: Option<i64> = None;
    for step in steps.iter_mut().filter(|s| !s.gate) {
        if let Some(previous) = before
            && previous > 0
            && step.value <= previous
        {
            let share = step.value as f64 / previous as f64 * 100.0;
            step.conversion = Some(if share > 0.0 && share < 1.0 {
                "<1 %".to_string()
            } else {
                format!("{share:.0} %")
            });
        }
        before = Some(step.value);
    }
}

/// The gates of one kind that wait: linked to the gate when there is one, else the inbox.
fn gate_step(label: &'static str, open: &[Gate], kind: GateKind) -> Step {
    let of_kind: Vec<&Gate> = open.iter().filter(|g| g.kind == kind).collect();
    let caption = match of_kind.len() {
        0 => format!("none waiting at the {}", kind.title()),
        n => format!("{n} waiting at the {}", kind.title()),
    };
    Step {
        label,
        value: of_kind.len() as i64,
        gate: true,
        caption,
        href: match of_kind.as_slice() {
            [] => None,
            [one] => Some(href(one)),
            _ => Some("/".to_string()),
        },
        conversion: None,
    }
}

/// Each segment's current list: its newest that a newer one has not superseded.
fn current_lists(lists: Vec<ProspectList>) -> Vec<ListView> {
    let mut newest: BTreeMap<String, ProspectList> = BTreeMap::new();
    for list in lists {
        if list.status == ListStatus::Superseded {
            continue;
        }
        match newest.get(&list.segment) {
            Some(kept) if kept.id > list.id => {}
            _ => {
                newest.insert(list.segment.clone(), list);
            }
        }
    }
    newest.values().map(ListView::from).collect()
}

/// A drawn row of the funnel.
pub struct Bar {
    pub step: Step,
    pub y: usize,
    pub x: usize,
    pub width: usize,
}

/// The funnel drawn as SVG: stages as bars centred on one axis, gates as markers between.
pub struct Chart {
    pub width: usize,
    pub height: usize,
    /// The centre of the bars.
    pub axis: usize,
    pub value_x: usize,
    pub description: String,
    pub bars: Vec<Bar>,
}

const ROW: usize = 34;
const PLOT_WIDTH: usize = 440;
const LABEL_WIDTH: usize = 210;

impl Chart {
    pub fn new(funnel: &Funnel) -> Chart {
        let max = funnel
            .steps
            .iter()
            .filter(|s| !s.gate)
            .map(|s| s.value)
            .max()
            .unwrap_or(0)
            .max(1);
        let axis = LABEL_WIDTH + PLOT_WIDTH / 2;
        let description = funnel
            .steps
            .iter()
            .map(|s| format!("{}: {}", s.label, s.value))
            .collect::<Vec<_>>()
            .join("; ");
        let bars = funnel
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let width = if step.gate {
                    0
                } else {
                    scaled(step.value, max, PLOT_WIDTH)
                };
                Bar {
                    step: step.clone(),
                    y: i * ROW + 6,
                    x: axis - width / 2,
                    width,
                }
            })
            .collect::<Vec<_>>();
        Chart {
            width: LABEL_WIDTH + PLOT_WIDTH + 90,
            height: bars.len() * ROW + 10,
            axis,
            value_x: LABEL_WIDTH + PLOT_WIDTH + 12,
            description,
            bars,
        }
    }
}

/// The width of `value` on a logarithmic scale where `max` fills `full`; anything above
/// zero is at least visible.
fn scaled(value: i64, max: i64, full: usize) -> usize {
    if value <= 0 {
        return 2;
    }
    let share = ((value as f64) + 1.0).ln() / ((max as f64) + 1.0).ln();
    ((share * full as f64).round() as usize).clamp(6, full)
}

#[derive(Template)]
#[template(path = "pipeline.html")]
struct PipelinePage {
    layout: Layout,
    chart: Chart,
}

async fn show(State(state): State<AppState>, principal: Principal) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "pipeline").await?;
    let funnel = Funnel::load(&state).await?;
    page(
        StatusCode::OK,
        &PipelinePage {
            layout,
            chart: Chart::new(&funnel),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_and_two_hundred_thousand_both_read_on_the_scale() {
        let full = 440;
        let big = scaled(200_000, 200_000, full);
        let small = scaled(2, 200_000, full);
        assert_eq!(big, full);
        assert!(small >= 30, "a stage of 2 is visible: {small}");
        assert!(small < big / 5, "and clearly smaller: {small}");
        assert_eq!(scaled(0, 200_000, full), 2);
    }
}
