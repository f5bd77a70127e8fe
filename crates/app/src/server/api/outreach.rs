//! Stage 4 over HTTP: the inbound webhook for replies. A mail provider's inbound route (or a
//! script reading a mailbox) posts each message as it came in, raw (RFC 5322); leadgate
//! classifies it and has its effects, as `leadgate replies import` does.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::engine::outreach::replies::{self, Received};
use crate::server::auth::Principal;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::state::AppState;

/// The largest message the webhook takes: replies, not attachments.
pub const MAX_REPLY_BYTES: usize = 2 * 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receive_reply))
}

/// What a reply was and what it did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyView {
    pub id: i64,
    /// The reply's own Message-ID (or `sha256:` of its bytes when it had none).
    pub message_id: String,
    /// bounce_hard, bounce_soft, auto_reply, opt_out, referral, not_interested, positive,
    /// unclassified.
    pub kind: String,
    /// The header or phrase that decided, in words.
    pub evidence: String,
    /// The lead it answers, when the e-mail it answers was found.
    pub lead: Option<i64>,
    /// The outbox message it answers.
    pub message: Option<i64>,
    /// What it did, in words.
    pub effects: Vec<String>,
    /// True when this reply had been received before: nothing was done again.
    pub seen_before: bool,
}

impl From<Received> for ReplyView {
    fn from(r: Received) -> Self {
        ReplyView {
            id: r.reply.id,
            message_id: r.reply.message_id,
            kind: r.reply.kind.as_str().to_string(),
            evidence: r.reply.evidence,
            lead: r.reply.contact_id,
            message: r.reply.outbox_id,
            effects: r.reply.effects,
            seen_before: r.seen_before,
        }
    }
}

/// Receive a reply (the inbound webhook).
///
/// The body is one message exactly as received (`message/rfc822`), at most 2 MiB. It is
/// classified — bounce, automatic reply, opt-out, referral, no, yes, or for a person — and
/// has its effects: a hard bounce or an opt-out suppresses the address, any person's reply
/// stops the lead's sequence, interest emits `PositiveReply`. The same message posted again
/// is answered with what it did the first time (`seen_before`), and does nothing.
#[utoipa::path(post, path = "/api/replies", tag = "outreach",
    security(("bearer" = []), ("session" = [])),
    request_body(content = String, content_type = "message/rfc822", description = "The message as received"),
    responses(
        (status = 201, description = "Read and acted on", body = ReplyView),
        (status = 200, description = "Received before: nothing done again", body = ReplyView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "A session without the CSRF token", body = ErrorBody),
        (status = 422, description = "Not an e-mail message, or too large", body = ErrorBody),
    ))]
async fn receive_reply(
    State(state): State<AppState>,
    _principal: Principal,
    body: Bytes,
) -> Result<(StatusCode, Json<ReplyView>), ApiError> {
    if body.len() > MAX_REPLY_BYTES {
        return Err(ApiError::invalid(format!(
            "the message is {} bytes: the webhook takes replies of at most {MAX_REPLY_BYTES}",
            body.len()
        )));
    }
    let received = replies::receive(state.store(), &body, "webhook", state.now()).await?;
    let status = if received.seen_before {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(received.into())))
}
