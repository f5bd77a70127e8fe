//! The people page: everyone signed in sees who holds which role and who was deactivated;
//! an admin changes roles and deactivates or reactivates people, through
//! `engine::people::change`, the path of `leadgate user roles|deactivate|reactivate` and
//! `POST /api/users/{name}/…`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use leadgate_core::role::{Role, parse_role_list};
use serde::Deserialize;

use super::{Layout, PageError, Pages, page, show_time};
use crate::engine::people::{self, Change};
use crate::server::auth::Principal;
use crate::server::state::AppState;

pub fn routes() -> Pages {
    Pages::new()
        .route("/people", get(show))
        .route("/people/{name}", post(submit))
}

pub struct PersonRow {
    pub name: String,
    pub email: String,
    pub roles: String,
    pub added: String,
    pub active: bool,
    pub status: String,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    layout: Layout,
    is_admin: bool,
    people: Vec<PersonRow>,
    all_roles: Vec<Role>,
    notice: Option<String>,
    warnings: Vec<String>,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    principal: &Principal,
    outcome: Result<(String, Vec<String>), PageError>,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(state, principal, "people").await?;
    let mut conn = state.store().conn().await?;
    let people = leadgate_store::people::list(&mut conn)
        .await?
        .iter()
        .map(|p| PersonRow {
            name: p.name.clone(),
            email: p.email.clone(),
            roles: p
                .roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
            added: show_time(state, p.created_at),
            active: p.is_active(),
            status: p.deactivated_at.map_or("active".to_string(), |at| {
                format!("deactivated {}", show_time(state, at))
            }),
        })
        .collect();
    let (status, notice, warnings, error) = match outcome {
        Ok((notice, warnings)) => (StatusCode::OK, Some(notice), warnings, None),
        Err(e) => (e.status, None, Vec::new(), Some(e.message)),
    };
    let view = PeoplePage {
        layout,
        is_admin: principal.person.roles.contains(&Role::Admin),
        people,
        all_roles: Role::ALL.to_vec(),
        notice: notice.filter(|n| !n.is_empty()),
        warnings,
        error,
    };
    page(status, &view)
}

async fn show(State(state): State<AppState>, principal: Principal) -> Result<Response, PageError> {
    render(&state, &principal, Ok((String::new(), Vec::new()))).await
}

#[derive(Debug, Deserialize)]
struct ChangeForm {
    /// `roles`, `deactivate` or `reactivate`.
    action: String,
    /// With `roles`: the role to add or remove.
    #[serde(default)]
    role: String,
    /// With `roles`: `add` or `remove`.
    #[serde(default)]
    how: String,
}

async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    Path(name): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, PageError> {
    let change = match form.action.as_str() {
        "deactivate" => Ok(Change::Deactivate),
        "reactivate" => Ok(Change::Reactivate),
        "roles" => parse_role_list(&form.role)
            .map_err(|e| e.to_string())
            .and_then(|roles| match form.how.as_str() {
                "add" => Ok(Change::Roles {
                    add: roles,
                    remove: Vec::new(),
                }),
                "remove" => Ok(Change::Roles {
                    add: Vec::new(),
                    remove: roles,
                }),
                other => Err(format!("`{other}` is neither add nor remove")),
            }),
        other => Err(format!("`{other}` is not a change to a person")),
    };
    let outcome = match change {
        Err(message) => Err(PageError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message,
        }),
        Ok(change) => people::change(
            state.store(),
            &principal.person.name,
            &name,
            change.clone(),
            state.now(),
        )
        .await
        .map(|done| {
            let what = match change {
                Change::Roles { .. } => format!(
                    "{} now holds {}.",
                    done.person.name,
                    done.person
                        .roles
                        .iter()
                        .map(|r| r.label())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Change::Deactivate => format!(
                    "Deactivated {}: their sessions ended and their tokens stopped working.",
                    done.person.name
                ),
                Change::Reactivate => format!("Reactivated {}.", done.person.name),
            };
            (what, done.warnings)
        })
        .map_err(PageError::from),
    };
    render(&state, &principal, outcome).await
}
