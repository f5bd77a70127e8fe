//! Outbound webhooks: every handoff is also POSTed to each `[[handoff.webhooks]]` — the task
//! and the lead record as JSON for a team's CRM or automation (n8n, Zapier, a HubSpot or
//! Salesforce flow), or a Slack-compatible message — so they can mirror it.
//!
//! A delivery is stored with the task, in its transaction, and sent by a job: a failed
//! attempt (no answer, or not a 2xx) is retried with the job queue's back-off (30 s, 1 min,
//! 2 min, …) up to the worker's attempts; each attempt's HTTP status or error is kept, and
//! a person can read the log and send any delivery again (`leadgate webhooks list|replay`).
//!
//! **Signature.** With a secret, each request carries `X-Leadgate-Signature: t=UNIX,v1=HEX`
//! where HEX is HMAC-SHA256 over `UNIX.BODY` with the secret (the scheme Stripe's webhooks
//! use): a receiver recomputes it and refuses a body that differs or a time too old to be
//! fresh. `X-Leadgate-Event` names the event and `X-Leadgate-Delivery` the delivery, so a
//! receiver that gets one twice can tell.

use std::time::Duration;

use hmac::{KeyInit, Mac};
use jiff::Timestamp;
use leadgate_store::Store;
use leadgate_store::handoff::{self as stored, Delivery, Task};
use leadgate_store::jobs::NewJob;
use serde_json::json;

use super::super::settings::HandoffConfig;
use super::super::{Conn, Error, Result};

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The job kind that sends one delivery.
pub const JOB: &str = "handoff.deliver";

/// Stores a delivery of `event` about `task` for each configured webhook and queues its
/// sending, in the caller's transaction: the task and the lead record as JSON, or `text` for
/// a Slack-compatible webhook.
pub async fn queue(
    conn: &mut Conn,
    config: &HandoffConfig,
    task: &Task,
    event: &str,
    text: &str,
    now: Timestamp,
) -> Result<()> {
    for hook in &config.webhooks {
        let body = match hook.format.as_str() {
            "slack" => json!({ "text": text }).to_string(),
            _ => json!({
                "event": event,
                "task": task,
                "lead": task.record,
                "manager": config.manager,
            })
            .to_string(),
        };
        let id = stored::insert_delivery(conn, task.id, &hook.url, &hook.format, event, &body, now)
            .await?;
        enqueue(conn, id, 0, now).await?;
    }
    Ok(())
}

async fn enqueue(conn: &mut Conn, delivery: i64, round: i64, now: Timestamp) -> Result<()> {
    let payload = json!({ "delivery": delivery });
    leadgate_store::jobs::enqueue(
        conn,
        &NewJob {
            kind: JOB,
            payload: &payload,
            idempotency_key: &format!("{JOB}:{delivery}:{round}"),
            subject: None,
            run_at: now,
            event_id: None,
        },
        now,
    )
    .await?;
    Ok(())
}

/// The signature header's value for `body` at `at` with `secret`.
pub fn signature(secret: &str, at: Timestamp, body: &str) -> String {
    let t = at.as_second();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Sends delivery `id` once. Delivered: done. Failed: kept in the log, and an error (so the
/// job is tried again) while attempts remain of `max_attempts`; after the last, marked
/// failed for a person to replay.
pub async fn send(
    store: &Store,
    config: &HandoffConfig,
    secret: &(dyn Fn(&str) -> Option<String> + Send + Sync),
    id: i64,
    max_attempts: i64,
    now: Timestamp,
) -> Result<()> {
    let delivery: Delivery = {
        let mut conn = store.conn().await?;
        stored::delivery_by_id(&mut conn, id)
            .await?
            .ok_or_else(|| Error::corrupt(format!("no webhook delivery {id}")))?
    };
    if delivery.status != "pending" {
        return Ok(());
    }
    let hook = config.webhooks.iter().find(|h| h.url == delivery.url);
    let key = match hook.and_then(|h| h.secret_env.as_deref()) {
        Some(variable) => Some(secret(variable).filter(|s| !s.is_empty()).ok_or_else(|| {
            Error::Invalid(format!(
                "webhook {}: the environment variable {variable} (secret_env) is not set",
                delivery.url
            ))
        })?),
        None => None,
    };
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("leadgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Internal(format!("the HTTP client cannot start: {e}")))?;
    let mut request = client
        .post(&delivery.url)
        .header("Content-Type", "application/json")
        .header("X-Leadgate-Event", &delivery.event)
        .header("X-Leadgate-Delivery", delivery.id.to_string())
        .body(delivery.body.clone());
    if let Some(key) = &key {
        request = request.header("X-Leadgate-Signature", signature(key, now, &delivery.body));
    }
    let (http_status, error) = match request.send().await {
        Ok(response) if response.status().is_success() => {
            (Some(i64::from(response.status().as_u16())), None)
        }
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            let short: String = text.chars().take(200).collect();
            (
                Some(i64::from(status)),
                Some(format!("HTTP {status}: {short}")),
            )
        }
        Err(e) => (None, Some(format!("no answer: {e}"))),
    };
    let last = delivery.attempts + 1 >= max_attempts;
    let status = match (&error, last) {
        (None, _) => "delivered",
        (Some(_), true) => "failed",
        (Some(_), false) => "pending",
    };
    let mut conn = store.conn().await?;
    stored::record_attempt(&mut conn, id, status, http_status, error.as_deref(), now).await?;
    match error {
        Some(why) if !last => Err(Error::Invalid(format!(
            "webhook {} (delivery {id}): {why}; tried again later",
            delivery.url
        ))),
        _ => Ok(()),
    }
}

/// Sends delivery `id` again, as `by` asks: pending, and queued now.
pub async fn replay(store: &Store, id: i64, by: &str, now: Timestamp) -> Result<Delivery> {
    use leadgate_core::audit::{Action, Actor, Subject};
    let mut tx = store.begin().await?;
    super::super::person(&mut tx, by).await?;
    let delivery = stored::delivery_by_id(&mut tx, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no webhook delivery {id}")))?;
    stored::reset_delivery(&mut tx, id).await?;
    enqueue(&mut tx, id, delivery.attempts + 1, now).await?;
    super::super::record(
        &mut tx,
        &Actor::Person(by.to_string()),
        Action::WebhookReplayed,
        &Subject::Task(delivery.task_id),
        json!({ "delivery": id, "url": delivery.url }),
        now,
    )
    .await?;
    let again = stored::delivery_by_id(&mut tx, id)
        .await?
        .ok_or_else(|| Error::corrupt(format!("delivery {id} vanished")))?;
    tx.commit().await?;
    Ok(again)
}
