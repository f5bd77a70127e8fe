//! Domain events as stored rows: the record of what happened that starts the next work.

use jiff::Timestamp;
use leadgate_core::event::EventKind;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, micros, parse_stored, timestamp};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    pub kind: EventKind,
    pub subject: String,
    pub payload: serde_json::Value,
    pub at: Timestamp,
}

fn event(row: AnyRow) -> Result<Event> {
    let payload: String = row.try_get("payload")?;
    let id: i64 = row.try_get("id")?;
    Ok(Event {
        id,
        kind: parse_stored(
            &format!("events row {id}: kind"),
            &row.try_get::<String, _>("kind")?,
        )?,
        subject: row.try_get("subject")?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| crate::StoreError::Corrupt(format!("event payload: {e}")))?,
        at: timestamp(row.try_get("at")?)?,
    })
}

pub async fn insert(
    conn: &mut AnyConnection,
    kind: EventKind,
    subject: &str,
    payload: &serde_json::Value,
    at: Timestamp,
) -> Result<Event> {
    let id: i64 = sqlx::query(
        "INSERT INTO events (kind, subject, payload, at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(kind.as_str())
    .bind(subject)
    .bind(payload.to_string())
    .bind(micros(at))
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    Ok(Event {
        id,
        kind,
        subject: subject.to_string(),
        payload: payload.clone(),
        at,
    })
}

/// The newest events, optionally only those about one subject.
pub async fn list(
    conn: &mut AnyConnection,
    subject: Option<&str>,
    limit: i64,
) -> Result<Vec<Event>> {
    page(conn, subject, None, None, limit).await
}

/// A page of events, newest first: about one subject and of one kind when given, and before
/// the event id `before` (the cursor of the previous page).
pub async fn page(
    conn: &mut AnyConnection,
    subject: Option<&str>,
    kind: Option<EventKind>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Event>> {
    sqlx::query(
        "SELECT id, kind, subject, payload, at FROM events
         WHERE ($1 IS NULL OR subject = $1) AND ($2 IS NULL OR kind = $2) AND ($3 IS NULL OR id < $3)
         ORDER BY id DESC LIMIT $4",
    )
    .bind(subject)
    .bind(kind.map(|k| k.as_str()))
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(event)
    .collect()
}
