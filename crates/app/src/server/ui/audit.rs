//! The audit log page: newest entries first, filters, and the chain's status.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use leadgate_store::audit::{self, AuditFilter};
use serde::Deserialize;

use super::{Layout, PageError, Pages, page, show_time};
use crate::server::auth::Principal;
use crate::server::state::AppState;

const PAGE: i64 = 100;

pub fn routes() -> Pages {
    Pages::new().route("/audit", get(show))
}

pub struct EntryRow {
    pub seq: i64,
    pub at: String,
    pub at_iso: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub inputs: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    chain_ok: bool,
    chain_entries: i64,
    chain_head: String,
    chain_error: String,
    filter_subject: String,
    filter_actor: String,
    filter_action: String,
    entries: Vec<EntryRow>,
    older: Option<String>,
}

#[derive(Deserialize, Default)]
struct Filters {
    subject: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    before: Option<i64>,
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Query(filters): Query<Filters>,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "audit").await?;
    let mut conn = state.store().conn().await?;
    let entries = audit::list(
        &mut conn,
        &AuditFilter {
            subject: non_empty(&filters.subject),
            actor: non_empty(&filters.actor),
            action: non_empty(&filters.action),
            before_seq: filters.before,
            limit: PAGE,
        },
    )
    .await?;
    let verified = audit::verify(&mut conn).await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten()
        .map(|seq| {
            let mut query = vec![format!("before={seq}")];
            for (key, value) in [
                ("subject", &filters.subject),
                ("actor", &filters.actor),
                ("action", &filters.action),
            ] {
                if let Some(value) = non_empty(value) {
                    query.push(format!("{key}={}", urlencode(value)));
                }
            }
            format!("/audit?{}", query.join("&"))
        });
    let (chain_ok, chain_entries, chain_head, chain_error) = match verified {
        Ok(v) => (true, v.entries, v.head_hash, String::new()),
        Err(broken) => (false, 0, String::new(), broken.to_string()),
    };
    let rows = entries
        .into_iter()
        .map(|e| EntryRow {
            seq: e.seq,
            at: show_time(&state, e.at),
            at_iso: e.at.to_string(),
            actor: e.actor.to_string(),
            action: e.action,
            subject: e.subject,
            inputs: e.inputs,
        })
        .collect();
    page(
        StatusCode::OK,
        &AuditPage {
            layout,
            chain_ok,
            chain_entries,
            chain_head,
            chain_error,
            filter_subject: filters.subject.unwrap_or_default(),
            filter_actor: filters.actor.unwrap_or_default(),
            filter_action: filters.action.unwrap_or_default(),
            entries: rows,
            older,
        },
    )
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
