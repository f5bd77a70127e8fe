//! The JSON API, one module per area. Each module has a `routes()` returning an
//! `OpenApiRouter`: its handlers are served and described in the OpenAPI document by the same
//! `routes!` line, so a served route cannot be missing from the document.
//!
//! Lists are pages: `limit` (default 50, at most 500) and either `offset` or a cursor; every
//! page says where the `next` one is (a path with its query), or null on the last.

pub mod audit;
pub mod domain_events;
pub mod engagement;
pub mod enrichment;
pub mod erasures;
pub mod gates;
pub mod handoff;
pub mod icp;
pub mod leads;
pub mod lists;
pub mod models;
pub mod outreach;
pub mod samples;
pub mod session;
pub mod status;
pub mod users;

use serde::Serialize;
use utoipa::ToSchema;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// The path and query of the next page, or null when this is the last.
    pub next: Option<String>,
}

pub fn limit(asked: Option<i64>) -> i64 {
    asked.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// `path?query` from the serialisable query of the next page.
pub fn next_url<Q: Serialize>(path: &str, query: &Q) -> Option<String> {
    serde_urlencoded::to_string(query)
        .ok()
        .map(|q| format!("{path}?{q}"))
}

/// An in-memory page of a list already read whole (short lists: people, ICP versions).
pub fn slice<T: Clone>(all: &[T], offset: i64, limit: i64) -> (Vec<T>, bool) {
    let start = usize::try_from(offset.max(0))
        .unwrap_or(usize::MAX)
        .min(all.len());
    let end = start
        .saturating_add(usize::try_from(limit).unwrap_or(0))
        .min(all.len());
    (all[start..end].to_vec(), end < all.len())
}
