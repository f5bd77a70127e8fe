//! People: anyone signed in may list them; adding one needs the role `admin`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
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
    OpenApiRouter::new().routes(routes!(list_users, add_user))
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
            "user.add",
            &format!("user:{}", body.name),
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
