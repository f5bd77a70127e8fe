//! The one-click unsubscribe page (RFC 8058): `POST /unsubscribe/{token}` — what a mail
//! client sends for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and what the page's
//! button sends — puts the address on the suppression list at once, with no session, no
//! cookie and no redirect. `GET` only asks (link scanners follow links; they must not
//! unsubscribe anyone).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use super::{Layout, PageError, Pages, page};
use crate::engine::outreach;
use crate::server::state::AppState;

pub fn public_routes() -> Pages {
    Pages::new().route("/unsubscribe/{token}", get(ask).post(unsubscribe))
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    layout: Layout,
    /// The address, masked.
    shown: String,
    /// After the POST: whether it was unsubscribed already.
    done: Option<bool>,
}

async fn ask(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let shown = outreach::unsubscribe_address(&state.workspace().store, &token).await?;
    page(
        StatusCode::OK,
        &UnsubscribePage {
            layout: Layout::anonymous(&state),
            shown,
            done: None,
        },
    )
}

async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let done = outreach::unsubscribe(&state.workspace().store, &token, state.now()).await?;
    page(
        StatusCode::OK,
        &UnsubscribePage {
            layout: Layout::anonymous(&state),
            shown: done.shown,
            done: Some(done.already),
        },
    )
}
