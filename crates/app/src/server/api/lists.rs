//! Prospect lists: what each discovery run built for an ICP version, and the prospects on
//! each with the resolved profile (every field with its source, record and age) and the
//! evaluation (a reason per ICP criterion, freshness, compliance). What `leadgate discover
//! lists` and `show` print, for the tools a team already has; and an approved list's
//! admitted prospects as a CSV download for a CRM's importer (`leadgate discover export`).

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use leadgate_core::discovery::export::ExportFormat;
use leadgate_core::discovery::prospect::Standing;
use leadgate_store::discovery as stored;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Page, limit, next_url, slice};
use crate::engine::discovery::export::{self, export_to};
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiPath, ApiQuery, ErrorBody};
use crate::server::state::AppState;
pub use crate::views::ListView;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_lists))
        .routes(routes!(show_list))
        .routes(routes!(list_prospects))
        .routes(routes!(export_list))
}

/// One contact's place on a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProspectView {
    pub contact_id: i64,
    #[schema(schema_with = crate::views::standing_schema)]
    pub status: Standing,
    /// The source of most of the profile's fields.
    pub primary_source: String,
    /// Every field of the resolved prospect with its value, source, record and time of
    /// observation.
    #[schema(value_type = Object)]
    pub profile: Value,
    /// The ICP criteria with their reasons, freshness and compliance; for a dropped
    /// prospect, why.
    #[schema(value_type = Object)]
    pub evaluation: Value,
}

impl From<stored::Prospect> for ProspectView {
    fn from(p: stored::Prospect) -> Self {
        ProspectView {
            contact_id: p.contact_id,
            status: p.status,
            primary_source: p.primary_source,
            profile: p.profile,
            evaluation: p.evaluation,
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListsQuery {
    pub offset: Option<i64>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
}

/// Prospect lists, newest first.
#[utoipa::path(get, path = "/api/lists", tag = "discovery",
    security(("bearer" = []), ("session" = [])),
    params(ListsQuery),
    responses(
        (status = 200, description = "OK", body = Page<ListView>),
        (status = 401, description = "No valid session or token", body = ErrorBody),
    ))]
async fn list_lists(
    State(state): State<AppState>,
    _: Principal,
    ApiQuery(query): ApiQuery<ListsQuery>,
) -> Result<Json<Page<ListView>>, ApiError> {
    let mut conn = state.store().conn().await?;
    let lists: Vec<ListView> = stored::lists(&mut conn)
        .await?
        .iter()
        .map(ListView::from)
        .collect();
    let (limit, offset) = (limit(query.limit), query.offset.unwrap_or(0).max(0));
    let (items, more) = slice(&lists, offset, limit);
    let next = more
        .then(|| {
            next_url(
                "/api/lists",
                &ListsQuery {
                    offset: Some(offset + limit),
                    limit: Some(limit),
                },
            )
        })
        .flatten();
    Ok(Json(Page { items, next }))
}

/// One prospect list.
#[utoipa::path(get, path = "/api/lists/{id}", tag = "discovery",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The list's id")),
    responses(
        (status = 200, description = "OK", body = ListView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No list with this id", body = ErrorBody),
    ))]
async fn show_list(
    State(state): State<AppState>,
    _: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ListView>, ApiError> {
    let mut conn = state.store().conn().await?;
    let list = stored::get_list(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no list {id}")))?;
    Ok(Json(ListView::from(&list)))
}

/// A prospect status filter as asked (a [`Standing`]: `admitted`, `needs_data`, `dropped`;
/// empty or absent for all), or why it is not one.
pub fn prospect_status(asked: Option<&str>) -> Result<Option<Standing>, String> {
    match asked.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse::<Standing>().map(Some),
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProspectsQuery {
    /// Only prospects with this status.
    #[param(schema_with = crate::views::standing_schema)]
    pub status: Option<String>,
    /// Prospects after this contact id: the cursor of the next page.
    pub after: Option<i64>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
}

/// The prospects on a list, by contact id.
#[utoipa::path(get, path = "/api/lists/{id}/prospects", tag = "discovery",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The list's id"), ProspectsQuery),
    responses(
        (status = 200, description = "OK", body = Page<ProspectView>),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No list with this id", body = ErrorBody),
        (status = 422, description = "Invalid input: an unknown status", body = ErrorBody),
    ))]
async fn list_prospects(
    State(state): State<AppState>,
    _: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<ProspectsQuery>,
) -> Result<Json<Page<ProspectView>>, ApiError> {
    let status = prospect_status(query.status.as_deref())
        .map_err(|why| ApiError::invalid(format!("status: {why}")))?;
    let limit = limit(query.limit);
    let mut conn = state.store().conn().await?;
    if stored::get_list(&mut conn, id).await?.is_none() {
        return Err(ApiError::not_found(format!("no list {id}")));
    }
    let after = query.after.unwrap_or(0);
    let mut prospects = stored::prospects_page(&mut conn, id, status, after, limit + 1).await?;
    let more = prospects.len() as i64 > limit;
    prospects.truncate(usize::try_from(limit).unwrap_or(0));
    let next = match (more, prospects.last()) {
        (true, Some(last)) => next_url(
            &format!("/api/lists/{id}/prospects"),
            &ProspectsQuery {
                status: status.map(|s| s.as_str().to_string()),
                after: Some(last.contact_id),
                limit: Some(limit),
            },
        ),
        _ => None,
    };
    Ok(Json(Page {
        items: prospects.into_iter().map(ProspectView::from).collect(),
        next,
    }))
}

#[derive(Debug, Clone, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// The file layout (default `csv`).
    #[param(schema_with = crate::views::export_format_schema)]
    pub format: Option<String>,
}

/// An approved list's admitted prospects as a CSV file for a CRM's importer.
///
/// UTF-8 with a header row, in the columns HubSpot's contact import or Salesforce's lead
/// import map on, or under leadgate's own field names. Only an approved list is exported;
/// the export is audited as the caller (`discovery.list_exported`, with the format and the
/// number of rows).
#[utoipa::path(get, path = "/api/lists/{id}/export", tag = "discovery",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The list's id"), ExportQuery),
    responses(
        (status = 200, description = "The file, as an attachment", content_type = "text/csv",
            body = String,
            headers(("Content-Disposition" = String,
                description = "`attachment; filename=\"list-ID-FORMAT.csv\"`"))),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "The caller was deactivated", body = ErrorBody),
        (status = 404, description = "No list with this id", body = ErrorBody),
        (status = 409, description = "The list is not approved (in review, rejected, superseded or empty)", body = ErrorBody),
        (status = 422, description = "Invalid input: an unknown format", body = ErrorBody),
    ))]
async fn export_list(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let format: ExportFormat = match query.format.as_deref().map(str::trim) {
        None | Some("") => ExportFormat::Csv,
        Some(asked) => asked
            .parse()
            .map_err(|why| ApiError::invalid(format!("format: {why}")))?,
    };
    let file = format.file_name(id);
    let request = export::Request {
        list_id: id,
        format,
        by: &principal.person.name,
        file: &file,
    };
    let (_, body) = export_to(state.store(), &request, Vec::new(), state.now()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response())
}
