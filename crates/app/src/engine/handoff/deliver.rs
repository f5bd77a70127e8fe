//! Outbound webhooks and e-mail alerts: every handoff is also POSTed to each
//! `[[handoff.webhooks]]` — the task and the lead record as JSON for a team's CRM or
//! automation (n8n, Zapier, a HubSpot or Salesforce flow), or a Slack-compatible message — so
//! they can mirror it; and its rep is told by e-mail, with a one-click acknowledge link
//! (`/ack/TOKEN`), from the alerts mailbox. Both are deliveries in the same log.
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
    if let Some(alert) = email_alert(conn, config, task, event, text).await? {
        let id = stored::insert_delivery(
            conn,
            task.id,
            &format!("mailto:{}", alert.to),
            EMAIL,
            event,
            &json!(alert).to_string(),
            now,
        )
        .await?;
        enqueue(conn, id, 0, now).await?;
    }
    Ok(())
}

/// The format of an e-mail alert in the delivery log.
pub const EMAIL: &str = "email";

/// Where a one-click acknowledge link goes in an alert's text; each sending puts a fresh
/// link there, so the log never holds one.
const ACK_LINK: &str = "{ack_link}";

/// How long an acknowledge link works.
pub const ACK_LINK_DAYS: i64 = 14;

/// An e-mail alert as the delivery log keeps it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct EmailAlert {
    to: String,
    subject: String,
    text: String,
}

/// The e-mail alert of `event` about `task`, when alerts go by e-mail and its reader has an
/// address: the rep (or, of a breach, the manager). A new task and a reminder carry the
/// one-click acknowledge link.
async fn email_alert(
    conn: &mut Conn,
    config: &HandoffConfig,
    task: &Task,
    event: &str,
    text: &str,
) -> Result<Option<EmailAlert>> {
    let Some(mail) = &config.alert_mail else {
        return Ok(None);
    };
    let (reader, with_link) = match event {
        "sla.breached" => (config.manager.as_deref(), false),
        _ => (task.rep.as_deref(), true),
    };
    let Some(reader) = reader else {
        return Ok(None);
    };
    let Some(person) = leadgate_store::people::get(conn, reader).await? else {
        return Ok(None);
    };
    let who = format!(
        "{} ({})",
        task.record["name"].as_str().unwrap_or("a lead"),
        task.record["company"].as_str().unwrap_or_default()
    );
    let subject = match event {
        "lead.routed" => format!("New {}: {who}", task.class.label()),
        "task.reminder" => format!("Reminder: {who} waits for you"),
        "sla.breached" => format!("SLA missed: {who}"),
        other => format!("{other}: {who}"),
    };
    let mut body = format!("{text}\n");
    if with_link {
        body.push_str(&format!(
            "\nAcknowledge it with one click: {ACK_LINK}\n(the link asks before it acts, and works for {ACK_LINK_DAYS} days)\n"
        ));
    }
    body.push_str(&format!(
        "\nEvery open task, with its SLA: {}/handoff\n",
        mail.public_url
    ));
    Ok(Some(EmailAlert {
        to: person.email.to_string(),
        subject,
        text: body,
    }))
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

/// The one HTTP client of the deliveries: made once (its TLS roots read once), its
/// connections kept and reused.
fn client() -> Result<&'static reqwest::Client> {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    if let Some(client) = CLIENT.get() {
        return Ok(client);
    }
    let made = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("leadgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Internal(format!("the HTTP client cannot start: {e}")))?;
    Ok(CLIENT.get_or_init(|| made))
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
    let (http_status, error) = if delivery.format == EMAIL {
        (None, send_email(store, config, &delivery, now).await.err())
    } else {
        post(config, secret, &delivery, now).await?
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
            "{} (delivery {id}): {why}; tried again later",
            delivery.url
        ))),
        _ => Ok(()),
    }
}

/// POSTs a webhook delivery once: the HTTP status, and the error when it failed.
async fn post(
    config: &HandoffConfig,
    secret: &(dyn Fn(&str) -> Option<String> + Send + Sync),
    delivery: &Delivery,
    now: Timestamp,
) -> Result<(Option<i64>, Option<String>)> {
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
    let mut request = client()?
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
    Ok((http_status, error))
}

/// Sends an e-mail alert once, from the alerts mailbox, with a fresh acknowledge link in
/// place of the placeholder; the error in words when it did not go.
async fn send_email(
    store: &Store,
    config: &HandoffConfig,
    delivery: &Delivery,
    now: Timestamp,
) -> std::result::Result<(), String> {
    let mail = config.alert_mail.as_ref().ok_or_else(|| {
        "e-mail alerts are off now (no [[outreach.mailboxes]], or email_alerts = false)".to_string()
    })?;
    let alert: EmailAlert = serde_json::from_str(&delivery.body)
        .map_err(|e| format!("the stored alert cannot be read: {e}"))?;
    let mut text = alert.text.clone();
    if text.contains(ACK_LINK) {
        let task = {
            let mut conn = store.conn().await.map_err(|e| e.to_string())?;
            stored::task_by_id(&mut conn, delivery.task_id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no task {}", delivery.task_id))?
        };
        let link = match task.rep.as_deref() {
            Some(rep) => {
                let token = super::issue_ack_link(store, task.id, rep, now)
                    .await
                    .map_err(|e| e.to_string())?;
                format!("{}/ack/{token}", mail.public_url)
            }
            None => format!("{}/handoff", mail.public_url),
        };
        text = text.replace(ACK_LINK, &link);
    }
    let from = &mail.mailbox.address;
    let domain = from.rsplit_once('@').map_or("", |(_, d)| d);
    let key = crate::engine::outreach::send::dkim_key(store, domain, now)
        .await
        .map_err(|e| e.to_string())?;
    let message_id = format!(
        "lg-alert-{}-{}@{domain}",
        delivery.id,
        delivery.attempts + 1
    );
    // The RSA signature is a millisecond or two of CPU: made off the async threads, so that
    // the requests and the other jobs go on meanwhile.
    let (from_address, to, subject, id) = (
        from.clone(),
        alert.to.clone(),
        alert.subject.clone(),
        message_id.clone(),
    );
    let bytes = tokio::task::spawn_blocking(move || {
        leadgate_connectors::mail::build_notice(
            &leadgate_connectors::mail::Notice {
                from_name: "leadgate",
                from_address: &from_address,
                to_address: &to,
                subject: &subject,
                text: &text,
                message_id: &id,
                date: now,
            },
            Some(&key),
        )
        .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| format!("the alert was not signed: {e}"))??;
    let transport = crate::engine::outreach::send::transport(&mail.mailbox, &mail.outbox_dir)
        .map_err(|e| e.to_string())?;
    transport
        .send(from, &alert.to, &message_id, &bytes)
        .await
        .map_err(|e| e.to_string())
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
