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
use leadgate_core::discovery::prospect::{ListStatus, Standing, drop_kind_label};
use leadgate_store::discovery::{self as stored, ProspectList, ProspectQuery, ProspectSort};
use serde::Deserialize;

use super::table::{Header, PageQuery, Pager, page_size};
use super::{Layout, PageError, Pages, page, show_time};
use crate::server::api::lists::{ListView, prospect_status};
use crate::server::auth::Principal;
use crate::server::state::AppState;
use crate::views::{ProspectLine, country_name};

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
    headers: Vec<Header>,
    lists: Vec<ListRow>,
}

/// The order the lists page was asked for.
#[derive(Deserialize, Default)]
struct Order {
    sort: Option<String>,
    dir: Option<String>,
}

/// The lists page's columns: the key its links carry, the header, whether it is a count.
const LIST_COLUMNS: &[(&str, &str, bool)] = &[
    ("list", "List", false),
    ("segment", "Segment", false),
    ("icp", "ICP version", false),
    ("status", "Status", false),
    ("admitted", "Admitted", true),
    ("needs_data", "Needs data", true),
    ("dropped", "Dropped", true),
    ("stale", "Stale", true),
];

async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(order): Query<Order>,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "lists").await?;
    let mut conn = state.store().conn().await?;
    let mut lists: Vec<ListRow> = stored::lists(&mut conn)
        .await?
        .iter()
        .map(|l| row(&state, l))
        .collect();
    // Newest first unless asked otherwise.
    let key = LIST_COLUMNS
        .iter()
        .map(|(key, _, _)| *key)
        .find(|k| Some(*k) == order.sort.as_deref())
        .unwrap_or("list");
    let descending = match order.dir.as_deref() {
        Some(dir) => dir == "desc",
        None => key == "list",
    };
    lists.sort_by(|a, b| {
        let by = match key {
            "segment" => a.segment.cmp(&b.segment),
            "icp" => a.icp_version_id.cmp(&b.icp_version_id),
            "status" => a.status_label.cmp(b.status_label),
            "admitted" => a.admitted.cmp(&b.admitted),
            "needs_data" => a.needs_data.cmp(&b.needs_data),
            "dropped" => a.dropped.cmp(&b.dropped),
            "stale" => a.stale.cmp(&b.stale),
            _ => a.id.cmp(&b.id),
        };
        let by = if descending { by.reverse() } else { by };
        by.then(b.id.cmp(&a.id))
    });
    let query = PageQuery::new(
        "/lists",
        &[
            ("sort", key.to_string()),
            ("dir", if descending { "desc" } else { "asc" }.to_string()),
        ],
    );
    let headers = LIST_COLUMNS
        .iter()
        .map(|(key, label, numeric)| Header {
            numeric: *numeric,
            ..Header::sorting(label, key, &query)
        })
        .collect();
    page(
        StatusCode::OK,
        &ListsPage {
            layout,
            headers,
            lists,
        },
    )
}

/// What the list page was asked for: every key optional, as links and the filter form send
/// them. Numbers arrive as text so that a mistyped one falls back instead of failing.
#[derive(Deserialize, Default)]
struct Filter {
    status: Option<String>,
    country: Option<String>,
    source: Option<String>,
    reason: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<String>,
    size: Option<String>,
}

impl Filter {
    fn text(value: &Option<String>) -> String {
        value.as_deref().map(str::trim).unwrap_or("").to_string()
    }

    /// The page's query as asked, the base of every link its table draws.
    fn query(&self, id: i64, sort: &str) -> PageQuery {
        PageQuery::new(
            format!("/lists/{id}"),
            &[
                ("status", Filter::text(&self.status)),
                ("country", Filter::text(&self.country)),
                ("source", Filter::text(&self.source)),
                ("reason", Filter::text(&self.reason)),
                ("q", Filter::text(&self.q)),
                ("sort", sort.to_string()),
                ("dir", Filter::text(&self.dir)),
                ("size", Filter::text(&self.size)),
            ],
        )
    }
}

/// The columns the list sorts by: the key its links carry, the header, the store's column.
const SORTS: &[(&str, &str, ProspectSort)] = &[
    ("name", "Name", ProspectSort::Name),
    ("status", "Status", ProspectSort::Status),
    ("email", "E-mail", ProspectSort::Email),
    ("company", "Company", ProspectSort::Company),
    ("domain", "Domain", ProspectSort::Domain),
    ("country", "Country", ProspectSort::Country),
    ("seniority", "Seniority", ProspectSort::Seniority),
    ("source", "Source", ProspectSort::Source),
    ("reason", "Why", ProspectSort::DropKind),
];

/// A value to filter by, with its words and how many prospects of the list have it.
struct Choice {
    value: String,
    label: String,
    count: i64,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    layout: Layout,
    list: ListRow,
    /// "" (all) or a standing (`admitted`, `needs_data`, `dropped`).
    status: String,
    /// The filters as asked, to keep them in the form.
    country: String,
    source: String,
    reason: String,
    search: String,
    sort: String,
    dir: String,
    /// The status in words, for "No prospect on this list is dropped".
    status_words: &'static str,
    /// Whether anything beyond the status narrows the list.
    narrowed: bool,
    statuses: Vec<Choice>,
    countries: Vec<Choice>,
    sources: Vec<Choice>,
    reasons: Vec<Choice>,
    headers: Vec<Header>,
    prospects: Vec<ProspectLine>,
    pager: Pager,
    /// The page without the narrowing filters, for "show every …".
    clear: String,
    /// The layouts the list can be downloaded in: none until it is approved.
    exports: Vec<ExportChoice>,
}

/// A layout the list's download form offers.
struct ExportChoice {
    format: &'static str,
    label: &'static str,
}

fn choices(values: &[(String, i64)], label: impl Fn(&str) -> String) -> Vec<Choice> {
    values
        .iter()
        .map(|(value, count)| Choice {
            value: value.clone(),
            label: label(value),
            count: *count,
        })
        .collect()
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
    // Sorted by name unless asked otherwise; an unknown column sorts by name too.
    let (sort_key, sort) = SORTS
        .iter()
        .find(|(key, _, _)| Some(*key) == filter.sort.as_deref().map(str::trim))
        .map_or(("name", ProspectSort::Name), |(key, _, sort)| (*key, *sort));
    let query = filter.query(id, sort_key);
    let size = page_size(filter.size.as_deref().and_then(|s| s.trim().parse().ok()));
    let page_asked: i64 = filter
        .page
        .as_deref()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(1);
    let (country, source, reason, search) = (
        Filter::text(&filter.country),
        Filter::text(&filter.source),
        Filter::text(&filter.reason),
        Filter::text(&filter.q),
    );
    let optional = |s: &str| (!s.is_empty()).then_some(s.to_string());
    let (country_opt, source_opt, reason_opt, search_opt) = (
        optional(&country),
        optional(&source),
        optional(&reason),
        optional(&search),
    );
    let mut request = ProspectQuery {
        list_id: id,
        status,
        country: country_opt.as_deref(),
        source: source_opt.as_deref(),
        drop_kind: reason_opt.as_deref(),
        search: search_opt.as_deref(),
        sort,
        descending: query.get("dir") == "desc",
        offset: (page_asked.max(1) - 1) * size,
        limit: size,
    };
    let mut result = stored::find_prospects(&mut conn, &request).await?;
    let pager = Pager::new(&query, page_asked, size, result.total);
    if pager.offset(size) != request.offset {
        // Asked past the last page: show the last.
        request.offset = pager.offset(size);
        result = stored::find_prospects(&mut conn, &request).await?;
    }
    let facets = stored::prospect_facets(&mut conn, id).await?;
    let view = ListView::from(&found);
    let statuses = [
        ("admitted", Standing::Admitted.label(), view.admitted),
        ("needs_data", Standing::NeedsData.label(), view.needs_data),
        ("dropped", Standing::Dropped.label(), view.dropped),
        ("all", "all", view.admitted + view.needs_data + view.dropped),
    ]
    .into_iter()
    .map(|(value, label, count)| Choice {
        value: value.to_string(),
        label: label.to_string(),
        count,
    })
    .collect();
    let headers = SORTS
        .iter()
        .map(|(key, label, _)| Header::sorting(label, key, &query))
        .collect();
    let page_view = ListPage {
        layout,
        list: row(&state, &found),
        status: status.map_or("", Standing::as_str).to_string(),
        status_words: match status {
            Some(Standing::Admitted) => "is admitted",
            Some(Standing::NeedsData) => "needs data",
            Some(Standing::Dropped) => "is dropped",
            None => "exists",
        },
        narrowed: !(country.is_empty()
            && source.is_empty()
            && reason.is_empty()
            && search.is_empty()),
        clear: PageQuery::new(
            format!("/lists/{id}"),
            &[("status", Filter::text(&filter.status))],
        )
        .with(&[]),
        country,
        source,
        reason,
        search,
        sort: sort_key.to_string(),
        dir: query.get("dir").to_string(),
        statuses,
        countries: choices(&facets.countries, country_name),
        sources: choices(&facets.sources, str::to_string),
        reasons: choices(&facets.drop_kinds, drop_kind_label),
        headers,
        prospects: result.prospects.iter().map(ProspectLine::from).collect(),
        pager,
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
