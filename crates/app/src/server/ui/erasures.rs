//! The privacy page: erasing a person at their request (GDPR Art. 17), for an admin or sales
//! ops — a dry run first, then the erasure, through `engine::discovery::erase`, the path
//! of `leadgate erase` and `POST /api/erasures`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use axum::routing::get;

use super::{Layout, PageError, Pages, page};
use crate::engine::discovery::erase::{self, ErasedPerson, Erasure, erase, may_erase};
use crate::server::auth::Principal;
use crate::server::state::AppState;
use crate::views::name_for_display;

/// The page is named for its place in the navigation, Privacy; `/erasures`, its old path,
/// still leads there (a 308 keeps a form's POST a POST).
pub fn routes() -> Pages {
    Pages::new()
        .route("/privacy", get(show).post(submit))
        .route("/erasures", get(to_privacy).post(to_privacy))
}

async fn to_privacy() -> Redirect {
    Redirect::permanent("/privacy")
}

#[derive(Template)]
#[template(path = "erasures.html")]
struct ErasurePage {
    layout: Layout,
    may_erase: bool,
    email: String,
    reason: String,
    outcome: Option<Erasure>,
    /// The people a dry run would erase, named for reading.
    people: Vec<PersonLine>,
    error: Option<String>,
}

/// A person a dry run would erase, as the page shows them.
struct PersonLine {
    name: String,
    email: String,
    contact: i64,
    records: u64,
}

impl PersonLine {
    fn of(person: &ErasedPerson) -> PersonLine {
        PersonLine {
            name: person
                .name
                .as_deref()
                .map_or_else(|| "–".to_string(), name_for_display),
            email: person.email.clone().unwrap_or_else(|| "–".to_string()),
            contact: person.contact,
            records: person.records,
        }
    }
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
        people: outcome
            .iter()
            .flat_map(|done| done.people.iter().map(PersonLine::of))
            .collect(),
        outcome,
        error,
    };
    page(status, &view)
}

#[derive(Debug, Default)]
struct ErasureForm {
    email: String,
    reason: String,
    /// Checked for a dry run.
    dry_run: bool,
    /// Records a dry run listed as not matched that the person ticked to erase too.
    records: Vec<i64>,
}

impl ErasureForm {
    /// The form's fields; `record` repeats, one per ticked box.
    fn read(fields: Vec<(String, String)>) -> Result<ErasureForm, String> {
        let mut form = ErasureForm::default();
        for (name, value) in fields {
            match name.as_str() {
                "email" => form.email = value.trim().to_string(),
                "reason" => form.reason = value.trim().to_string(),
                "dry_run" => form.dry_run = true,
                "record" => form.records.push(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| format!("record {value:?} is not a record id"))?,
                ),
                _ => {}
            }
        }
        Ok(form)
    }
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
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = match ErasureForm::read(fields) {
        Ok(form) => form,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let form = ErasureForm::default();
            return render(&state, &principal, form, None, Some(e), status).await;
        }
    };
    let request = erase::Request {
        email: form.email.clone(),
        records: form.records.clone(),
        ..erase::Request::default()
    };
    let outcome = erase(
        state.store(),
        &request,
        &principal.person.name,
        &form.reason,
        form.dry_run,
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
