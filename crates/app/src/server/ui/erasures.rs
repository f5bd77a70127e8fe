//! The privacy page: erasing a person at their request (GDPR Art. 17), for an admin or sales
//! ops — a dry run first, then the erasure, through `engine::discovery::erase`, the path
//! of `leadgate erase` and `POST /api/erasures`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::{Layout, PageError, page};
use crate::engine::discovery::erase::{Erasure, erase, may_erase};
use crate::server::auth::Principal;
use crate::server::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/erasures", get(show).post(submit))
}

#[derive(Template)]
#[template(path = "erasures.html")]
struct ErasurePage {
    layout: Layout,
    may_erase: bool,
    email: String,
    reason: String,
    outcome: Option<Erasure>,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    principal: &Principal,
    form: ErasureForm,
    outcome: Option<Erasure>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(state, principal, "privacy").await?;
    let view = ErasurePage {
        layout,
        may_erase: may_erase(&principal.person.roles),
        email: form.email,
        reason: form.reason,
        outcome,
        error,
    };
    page(status, &view)
}

#[derive(Debug, Default, Deserialize)]
struct ErasureForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    reason: String,
    /// Present (checked) for a dry run.
    dry_run: Option<String>,
}

async fn show(State(state): State<AppState>, principal: Principal) -> Result<Response, PageError> {
    render(
        &state,
        &principal,
        ErasureForm::default(),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    Form(form): Form<ErasureForm>,
) -> Result<Response, PageError> {
    let outcome = erase(
        state.store(),
        form.email.trim(),
        &principal.person.name,
        form.reason.trim(),
        form.dry_run.is_some(),
        state.now(),
    )
    .await;
    match outcome {
        Ok(done) => {
            // After an erasure the form is cleared; after a dry run it stays for the real one.
            let form = if done.dry_run {
                form
            } else {
                ErasureForm::default()
            };
            render(&state, &principal, form, Some(done), None, StatusCode::OK).await
        }
        Err(e) => {
            let refusal = PageError::from(e);
            render(
                &state,
                &principal,
                form,
                None,
                Some(refusal.message),
                refusal.status,
            )
            .await
        }
    }
}
