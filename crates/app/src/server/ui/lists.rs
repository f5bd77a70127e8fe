//! The prospect-list pages: every list a discovery run built, and one list's prospects —
//! admitted or dropped, each with its source and, when dropped, why — with the link to the
//! list's sample review, and, once the list is approved, its download for a CRM's importer.
//! What `leadgate discover lists`, `show` and `export` do.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use leadgate_core::discovery::export::ExportFormat;
use leadgate_core::discovery::prospect::{ListStatus, Standing};
use leadgate_store::discovery::{self as stored, ProspectList};
use serde::Deserialize;

use super::{Layout, PageError, Pages, page, show_time};
use crate::server::api::lists::{ListView, prospect_status};
use crate::server::auth::Principal;
use crate::server::state::AppState;
use crate::views::ProspectLine;

/// Prospects on one page of a list.
const PAGE: i64 = 100;

pub fn routes() -> Pages {
    Pages::new()
        .route("/lists", get(list))
        .route("/lists/{id}", get(show))
}

pub struct ListRow {
    pub id: i64,
    pub segment: String,
    pub icp_version_id: i64,
    pub status: String,
    /// The status in plain words.
    pub status_label: &'static str,
    pub admitted: i64,
    pub needs_data: i64,
    pub dropped: i64,
    pub stale: i64,
    pub gate_id: Option<i64>,
    pub built: String,
}

/// The list as the API shows it (one reading of its summary), with its time for people.
fn row(state: &AppState, list: &ProspectList) -> ListRow {
    let view = ListView::from(list);
    ListRow {
        id: view.id,
        segment: view.segment,
        icp_version_id: view.icp_version_id,
        status: view.status.as_str().to_string(),
        status_label: view.status.label(),
        admitted: view.admitted,
        needs_data: view.needs_data,
        dropped: view.dropped,
        stale: view.stale,
        gate_id: view.gate_id,
        built: show_time(state, view.created_at),
    }
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    layout: Layout,
    lists: Vec<ListRow>,
}

async fn list(State(state): State<AppState>, principal: Principal) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "lists").await?;
    let mut conn = state.store().conn().await?;
    let lists = stored::lists(&mut conn)
        .await?
        .iter()
        .map(|l| row(&state, l))
        .collect();
    page(StatusCode::OK, &ListsPage { layout, lists })
}

#[derive(Deserialize)]
struct Filter {
    status: Option<String>,
    after: Option<i64>,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    layout: Layout,
    list: ListRow,
    /// "" or a standing (`admitted`, `needs_data`, `dropped`).
    status: String,
    /// The filter in words, for "No prospect that … on this list".
    status_words: &'static str,
    prospects: Vec<ProspectLine>,
    /// The query of the next page, when there is one.
    next: Option<String>,
    /// The layouts the list can be downloaded in: none until it is approved.
    exports: Vec<ExportChoice>,
}

/// A layout the list's download form offers.
struct ExportChoice {
    format: &'static str,
    label: &'static str,
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(filter): Query<Filter>,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "lists").await?;
    // The page opens on the admitted prospects: what the list is for. `all` shows every one.
    let asked = match filter.status.as_deref().map(str::trim) {
        None | Some("") => Some("admitted"),
        Some("all") => None,
        other => other,
    };
    let status = prospect_status(asked).map_err(|why| PageError {
        status: StatusCode::BAD_REQUEST,
        message: format!("status {why}"),
    })?;
    let mut conn = state.store().conn().await?;
    let found = stored::get_list(&mut conn, id)
        .await?
        .ok_or_else(|| PageError {
            status: StatusCode::NOT_FOUND,
            message: format!("no list {id}"),
        })?;
    let mut prospects =
        stored::prospects_page(&mut conn, id, status, filter.after.unwrap_or(0), PAGE + 1).await?;
    let more = prospects.len() as i64 > PAGE;
    prospects.truncate(PAGE as usize);
    let next = match (more, prospects.last()) {
        (true, Some(last)) => Some(format!(
            "status={}&after={}",
            status.map_or("all", Standing::as_str),
            last.contact_id
        )),
        _ => None,
    };
    let page_view = ListPage {
        layout,
        list: row(&state, &found),
        status: status.map_or("", Standing::as_str).to_string(),
        status_words: match status {
            Some(Standing::Admitted) => "is admitted",
            Some(Standing::NeedsData) => "needs data",
            Some(Standing::Dropped) => "is dropped",
            None => "",
        },
        prospects: prospects.iter().map(ProspectLine::from).collect(),
        next,
        exports: if found.status == ListStatus::Approved {
            ExportFormat::ALL
                .iter()
                .map(|f| ExportChoice {
                    format: f.as_str(),
                    label: f.label(),
                })
                .collect()
        } else {
            Vec::new()
        },
    };
    page(StatusCode::OK, &page_view)
}
