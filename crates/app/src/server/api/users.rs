//! People: anyone signed in may list them; adding one needs the role `admin`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use leadgate_core::audit::{Attempt, Subject};
use leadgate_core::role::{Role, parse_role_list};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Page, limit, next_url, slice};
use crate::engine::{auth as engine_auth, people};
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::server::state::AppState;
use crate::views::PersonView;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, add_user))
        .routes(routes!(change_roles))
        .routes(routes!(deactivate_user))
        .routes(routes!(reactivate_user))
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersQuery {
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
    /// Skip this many.
    pub offset: Option<i64>,
}

/// People and their roles, by name.
#[utoipa::path(get, path = "/api/users", tag = "users",
    security(("bearer" = []), ("session" = [])),
    params(UsersQuery),
    responses((status = 200, description = "OK", body = Page<PersonView>), (status = 401, description = "No valid session or token", body = ErrorBody)))]
async fn list_users(
    State(state): State<AppState>,
    _: Principal,
    ApiQuery(query): ApiQuery<UsersQuery>,
) -> Result<Json<Page<PersonView>>, ApiError> {
    let mut conn = state.store().conn().await?;
    let everyone = leadgate_store::people::list(&mut conn).await?;
    let (limit, offset) = (limit(query.limit), query.offset.unwrap_or(0).max(0));
    let (page, more) = slice(&everyone, offset, limit);
    let next = more
        .then(|| {
            next_url(
                "/api/users",
                &UsersQuery {
                    limit: Some(limit),
                    offset: Some(offset + limit),
                },
            )
        })
        .flatten();
    Ok(Json(Page {
        items: page.iter().map(PersonView::from).collect(),
        next,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// What they type after `--as`.
    pub name: String,
    pub email: String,
    /// admin, sales_lead, marketing_lead, sales_ops, reviewer, rep
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AddedUser {
    pub person: PersonView,
    /// A one-time sign-in link for them, valid for 24 hours.
    pub sign_in_link: String,
}

/// Add a person (admin only). The answer holds a one-time sign-in link to pass on to them.
#[utoipa::path(post, path = "/api/users", tag = "users",
    security(("bearer" = []), ("session" = [])),
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = AddedUser),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not an admin, or a missing CSRF token", body = ErrorBody),
        (status = 409, description = "The name or email is taken", body = ErrorBody),
        (status = 422, description = "Invalid input", body = ErrorBody),
    ))]
async fn add_user(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(body): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<AddedUser>), ApiError> {
    principal
        .require_role(
            &state,
            Role::Admin,
            Attempt::AddUser,
            &Subject::User(body.name.to_string()),
        )
        .await?;
    let roles =
        parse_role_list(&body.roles.join(",")).map_err(|e| ApiError::invalid(e.to_string()))?;
    let now = state.now();
    let actor = principal.actor();
    let person = people::add(state.store(), &actor, &body.name, &body.email, roles, now).await?;
    let token = engine_auth::issue_link(state.store(), &actor, &person.name, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(AddedUser {
            person: PersonView::from(&person),
            sign_in_link: state.workspace().config.sign_in_link(&token),
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// Roles to give: admin, sales_lead, marketing_lead, sales_ops, reviewer, rep.
    #[serde(default)]
    pub add: Vec<String>,
    /// Roles to take away.
    #[serde(default)]
    pub remove: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangedUser {
    pub person: PersonView,
    /// Open gates that now wait on a role no active person who may decide them holds.
    pub warnings: Vec<String>,
}

/// Give a person roles or take roles away (admin only; the last active admin keeps the role).
#[utoipa::path(post, path = "/api/users/{name}/roles", tag = "users",
    security(("bearer" = []), ("session" = [])),
    params(("name" = String, Path, description = "The person")),
    request_body = RoleChange,
    responses(
        (status = 200, description = "Changed", body = ChangedUser),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not an admin, or a missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such person", body = ErrorBody),
        (status = 409, description = "It would leave no active admin", body = ErrorBody),
        (status = 422, description = "Invalid input", body = ErrorBody),
    ))]
async fn change_roles(
    State(state): State<AppState>,
    principal: Principal,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<RoleChange>,
) -> Result<Json<ChangedUser>, ApiError> {
    let parse = |roles: &[String]| match roles {
        [] => Ok(Vec::new()),
        some => parse_role_list(&some.join(",")).map_err(|e| ApiError::invalid(e.to_string())),
    };
    let change = people::Change::Roles {
        add: parse(&body.add)?,
        remove: parse(&body.remove)?,
    };
    changed(&state, &principal, &name, change).await
}

/// Deactivate someone who left (admin only): their sessions and tokens stop at once.
#[utoipa::path(post, path = "/api/users/{name}/deactivate", tag = "users",
    security(("bearer" = []), ("session" = [])),
    params(("name" = String, Path, description = "The person")),
    responses(
        (status = 200, description = "Deactivated", body = ChangedUser),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not an admin, or a missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such person", body = ErrorBody),
        (status = 409, description = "Deactivated already, or the last active admin", body = ErrorBody),
    ))]
async fn deactivate_user(
    State(state): State<AppState>,
    principal: Principal,
    Path(name): Path<String>,
) -> Result<Json<ChangedUser>, ApiError> {
    changed(&state, &principal, &name, people::Change::Deactivate).await
}

/// Let a deactivated person act again (admin only).
#[utoipa::path(post, path = "/api/users/{name}/reactivate", tag = "users",
    security(("bearer" = []), ("session" = [])),
    params(("name" = String, Path, description = "The person")),
    responses(
        (status = 200, description = "Reactivated", body = ChangedUser),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not an admin, or a missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such person", body = ErrorBody),
        (status = 409, description = "Active already", body = ErrorBody),
    ))]
async fn reactivate_user(
    State(state): State<AppState>,
    principal: Principal,
    Path(name): Path<String>,
) -> Result<Json<ChangedUser>, ApiError> {
    changed(&state, &principal, &name, people::Change::Reactivate).await
}

async fn changed(
    state: &AppState,
    principal: &Principal,
    name: &str,
    change: people::Change,
) -> Result<Json<ChangedUser>, ApiError> {
    let done = people::change(
        state.store(),
        &principal.person.name,
        name,
        change,
        state.now(),
    )
    .await?;
    Ok(Json(ChangedUser {
        person: PersonView::from(&done.person),
        warnings: done.warnings,
    }))
}
