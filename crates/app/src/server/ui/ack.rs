//! The one-click acknowledge page of a handoff alert: `GET /ack/{token}` asks — what the
//! task is, for whom, by when — and its button `POST`s to the same address, which
//! acknowledges the task as the rep the alert was sent to (the stage's gate, through
//! `engine::handoff::acknowledge`). No session: the token is the rep's word. A GET never
//! acts, because mail scanners and previews follow links.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use leadgate_core::handoff::sla::show_duration;

use super::{Layout, PageError, Pages, page, show_time};
use crate::engine::handoff;
use crate::server::state::AppState;

pub fn public_routes() -> Pages {
    Pages::new().route("/ack/{token}", get(ask).post(acknowledge))
}

#[derive(Template)]
#[template(path = "ack.html")]
struct AckPage {
    layout: Layout,
    task: i64,
    rep: String,
    lead: String,
    why: String,
    due: String,
    /// After the POST: how long it took, in business time, and whether inside the SLA.
    done: Option<(String, bool)>,
}

async fn ask(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let (task, rep) = handoff::ack_link_task(state.store(), &token, state.now()).await?;
    page(StatusCode::OK, &AckPage::of(&state, &task, rep, None))
}

async fn acknowledge(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let now = state.now();
    let task = handoff::acknowledge_by_link(
        state.store(),
        &state.workspace().config.handoff,
        &token,
        now,
    )
    .await?;
    let took = show_duration(jiff::SignedDuration::from_mins(
        task.ack_minutes.unwrap_or(0),
    ));
    let rep = task.acknowledged_by.clone().unwrap_or_default();
    let done = Some((took, now <= task.due_at));
    page(StatusCode::OK, &AckPage::of(&state, &task, rep, done))
}

impl AckPage {
    fn of(
        state: &AppState,
        task: &leadgate_store::handoff::Task,
        rep: String,
        done: Option<(String, bool)>,
    ) -> AckPage {
        AckPage {
            layout: Layout::anonymous(state),
            task: task.id,
            lead: lead_of(task),
            why: format!("{} · {}", task.class.label(), task.signal.replace('_', " ")),
            due: show_time(state, task.due_at),
            rep,
            done,
        }
    }
}

fn lead_of(task: &leadgate_store::handoff::Task) -> String {
    let text = |key: &str| task.record[key].as_str().unwrap_or_default();
    format!("{} ({})", text("name"), text("company"))
}
