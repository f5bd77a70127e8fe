//! Stage 5's tables: the handoff tasks — each lead routed to a rep or the queue, with its
//! SLA deadline, the routing's reasons and the lead's record — and the counts routing reads.

use jiff::Timestamp;
use leadgate_core::handoff::sla::LeadClass;
use leadgate_core::handoff::task::TaskStatus;
use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::{Result, StoreError, micros, opt_timestamp, parse_stored, timestamp};

/// One handoff task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub id: i64,
    pub contact_id: i64,
    /// The rep it waits for; none while it waits in the queue.
    pub rep: Option<String>,
    pub status: TaskStatus,
    pub class: LeadClass,
    pub signal: String,
    /// The routing rule that decided, none for the fallback.
    pub rule: Option<String>,
    /// The routing decision and its reasons.
    pub routing: Value,
    /// The lead as the rep gets it: source, score, engagement, last contact.
    pub record: Value,
    pub trigger_event: i64,
    pub created_at: Timestamp,
    /// When the SLA clock started (the next opening of the rep's hours).
    pub starts_at: Timestamp,
    pub due_at: Timestamp,
    pub remind_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub acknowledged_by: Option<String>,
    /// Business minutes from the start to the acknowledgement.
    pub ack_minutes: Option<i64>,
    /// When its rep was reminded (at 75 % of the time allowed).
    pub reminded_at: Option<Timestamp>,
    /// When its deadline passed unacknowledged.
    pub breached_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, contact_id, rep, status, class, signal, rule, routing, record, \
     trigger_event, created_at, starts_at, due_at, remind_at, acknowledged_at, acknowledged_by, \
     ack_minutes, reminded_at, breached_at FROM handoff_tasks";

fn task(row: &AnyRow) -> Result<Task> {
    let json = |name: &str| -> Result<Value> {
        let text: String = row.try_get(name)?;
        serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("handoff task {name}: {e}")))
    };
    Ok(Task {
        id: row.try_get("id")?,
        contact_id: row.try_get("contact_id")?,
        rep: row.try_get("rep")?,
        status: parse_stored("task status", &row.try_get::<String, _>("status")?)?,
        class: parse_stored("lead class", &row.try_get::<String, _>("class")?)?,
        signal: row.try_get("signal")?,
        rule: row.try_get("rule")?,
        routing: json("routing")?,
        record: json("record")?,
        trigger_event: row.try_get("trigger_event")?,
        created_at: timestamp(row.try_get("created_at")?)?,
        starts_at: timestamp(row.try_get("starts_at")?)?,
        due_at: timestamp(row.try_get("due_at")?)?,
        remind_at: timestamp(row.try_get("remind_at")?)?,
        acknowledged_at: opt_timestamp(row.try_get("acknowledged_at")?)?,
        acknowledged_by: row.try_get("acknowledged_by")?,
        ack_minutes: row.try_get("ack_minutes")?,
        reminded_at: opt_timestamp(row.try_get("reminded_at")?)?,
        breached_at: opt_timestamp(row.try_get("breached_at")?)?,
    })
}

/// Stores a new open task; `None` when its trigger already made one, or the lead already
/// has an open task.
pub async fn insert_task(conn: &mut AnyConnection, new: &Task) -> Result<Option<i64>> {
    let row = sqlx::query(
        "INSERT INTO handoff_tasks (contact_id, rep, status, class, signal, rule, routing, record, \
         trigger_event, created_at, starts_at, due_at, remind_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(new.contact_id)
    .bind(new.rep.as_deref())
    .bind(TaskStatus::Open.as_str())
    .bind(new.class.as_str())
    .bind(&new.signal)
    .bind(new.rule.as_deref())
    .bind(new.routing.to_string())
    .bind(new.record.to_string())
    .bind(new.trigger_event)
    .bind(micros(new.created_at))
    .bind(micros(new.starts_at))
    .bind(micros(new.due_at))
    .bind(micros(new.remind_at))
    .fetch_optional(conn)
    .await?;
    row.map(|r| r.try_get(0).map_err(Into::into)).transpose()
}

/// A task by id.
pub async fn task_by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<Task>> {
    sqlx::query(AssertSqlSafe(format!("SELECT {COLUMNS} WHERE id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(task)
        .transpose()
}

/// The task a trigger made, if it made one.
pub async fn task_of_trigger(conn: &mut AnyConnection, event: i64) -> Result<Option<Task>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE trigger_event = $1"
    )))
    .bind(event)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(task)
    .transpose()
}

/// The lead's open task, if it has one.
pub async fn open_task_of(conn: &mut AnyConnection, contact: i64) -> Result<Option<Task>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE contact_id = $1 AND status = $2"
    )))
    .bind(contact)
    .bind(TaskStatus::Open.as_str())
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(task)
    .transpose()
}

/// Tasks, soonest due first: of one rep (or, with `queue`, those in the queue too), of one
/// status.
pub async fn tasks(
    conn: &mut AnyConnection,
    rep: Option<&str>,
    with_queue: bool,
    status: Option<TaskStatus>,
) -> Result<Vec<Task>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE ($1 IS NULL OR rep = $1 OR ($2 AND rep IS NULL)) \
         AND ($3 IS NULL OR status = $3) ORDER BY due_at, id"
    )))
    .bind(rep)
    .bind(with_queue)
    .bind(status.map(TaskStatus::as_str))
    .fetch_all(conn)
    .await?
    .iter()
    .map(task)
    .collect()
}

/// Marks an open task acknowledged by `by` (who takes it, for a task in the queue); false
/// when it was not open any more.
pub async fn acknowledge(
    conn: &mut AnyConnection,
    id: i64,
    by: &str,
    at: Timestamp,
    minutes: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE handoff_tasks SET status = $1, acknowledged_at = $2, acknowledged_by = $3, \
         ack_minutes = $4, rep = COALESCE(rep, $3) WHERE id = $5 AND status = $6",
    )
    .bind(TaskStatus::Acknowledged.as_str())
    .bind(micros(at))
    .bind(by)
    .bind(minutes)
    .bind(id)
    .bind(TaskStatus::Open.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records that an open task's rep was reminded; false when it was not open or was
/// reminded before.
pub async fn mark_reminded(conn: &mut AnyConnection, id: i64, at: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE handoff_tasks SET reminded_at = $1 WHERE id = $2 AND status = $3 AND reminded_at IS NULL",
    )
    .bind(micros(at))
    .bind(id)
    .bind(TaskStatus::Open.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records that an open task's deadline passed; with `reassign`, closes it as reassigned.
/// False when it was not open.
pub async fn mark_breached(
    conn: &mut AnyConnection,
    id: i64,
    at: Timestamp,
    reassign: bool,
) -> Result<bool> {
    let status = if reassign {
        TaskStatus::Reassigned
    } else {
        TaskStatus::Open
    };
    let done = sqlx::query(
        "UPDATE handoff_tasks SET breached_at = $1, status = $2 \
         WHERE id = $3 AND status = $4 AND breached_at IS NULL",
    )
    .bind(micros(at))
    .bind(status.as_str())
    .bind(id)
    .bind(TaskStatus::Open.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The leads `rep` took, by the rule that gave them: (rule, all time, since `day_start`,
/// since `week_start`) — what routing's fair counters and caps read, one query a rep.
pub async fn rule_counts(
    conn: &mut AnyConnection,
    rep: &str,
    day_start: Timestamp,
    week_start: Timestamp,
) -> Result<Vec<(String, i64, i64, i64)>> {
    sqlx::query(
        "SELECT rule, COUNT(*), \
         SUM(CASE WHEN created_at >= $2 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN created_at >= $3 THEN 1 ELSE 0 END) \
         FROM handoff_tasks WHERE rep = $1 AND rule IS NOT NULL GROUP BY rule",
    )
    .bind(rep)
    .bind(micros(day_start))
    .bind(micros(week_start))
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        Ok((
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
        ))
    })
    .collect()
}

/// One delivery of a handoff to a webhook, with its last attempt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub task_id: i64,
    pub url: String,
    /// `json` (the task and the lead record) or `slack` (a Slack-compatible message).
    pub format: String,
    pub event: String,
    /// Exactly what is POSTed, and signed.
    pub body: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub last_attempt_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
}

const DELIVERY_COLUMNS: &str = "id, task_id, url, format, event, body, status, attempts, \
     last_status, last_error, created_at, last_attempt_at, delivered_at FROM webhook_deliveries";

fn delivery(row: &AnyRow) -> Result<Delivery> {
    Ok(Delivery {
        id: row.try_get("id")?,
        task_id: row.try_get("task_id")?,
        url: row.try_get("url")?,
        format: row.try_get("format")?,
        event: row.try_get("event")?,
        body: row.try_get("body")?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        last_status: row.try_get("last_status")?,
        last_error: row.try_get("last_error")?,
        created_at: timestamp(row.try_get("created_at")?)?,
        last_attempt_at: opt_timestamp(row.try_get("last_attempt_at")?)?,
        delivered_at: opt_timestamp(row.try_get("delivered_at")?)?,
    })
}

/// Stores a pending delivery; its id.
pub async fn insert_delivery(
    conn: &mut AnyConnection,
    task: i64,
    url: &str,
    format: &str,
    event: &str,
    body: &str,
    at: Timestamp,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO webhook_deliveries (task_id, url, format, event, body, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id",
    )
    .bind(task)
    .bind(url)
    .bind(format)
    .bind(event)
    .bind(body)
    .bind(micros(at))
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

pub async fn delivery_by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<Delivery>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {DELIVERY_COLUMNS} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(delivery)
    .transpose()
}

/// Deliveries, newest first (of one task).
pub async fn deliveries(conn: &mut AnyConnection, task: Option<i64>) -> Result<Vec<Delivery>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {DELIVERY_COLUMNS} WHERE ($1 IS NULL OR task_id = $1) ORDER BY id DESC"
    )))
    .bind(task)
    .fetch_all(conn)
    .await?
    .iter()
    .map(delivery)
    .collect()
}

/// Records one attempt: its HTTP status or error, and where the delivery stands after it.
pub async fn record_attempt(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    http_status: Option<i64>,
    error: Option<&str>,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, status = $1, last_status = $2, \
         last_error = $3, last_attempt_at = $4, \
         delivered_at = CASE WHEN $1 = 'delivered' THEN $4 ELSE delivered_at END WHERE id = $5",
    )
    .bind(status)
    .bind(http_status)
    .bind(error)
    .bind(micros(at))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets a delivery pending again, for a person's replay.
pub async fn reset_delivery(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE webhook_deliveries SET status = 'pending' WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A one-click acknowledge link, by its token's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AckLink {
    pub task_id: i64,
    pub rep: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

/// Keeps a new acknowledge link's digest: it acknowledges `task` as `rep` until `expires_at`.
pub async fn insert_ack_link(
    conn: &mut AnyConnection,
    digest: &str,
    task: i64,
    rep: &str,
    issued_at: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ack_links (digest, task_id, rep, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(digest)
    .bind(task)
    .bind(rep)
    .bind(micros(issued_at))
    .bind(micros(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The acknowledge link of a token's digest.
pub async fn ack_link(conn: &mut AnyConnection, digest: &str) -> Result<Option<AckLink>> {
    sqlx::query(
        "SELECT task_id, rep, issued_at, expires_at, used_at FROM ack_links WHERE digest = $1",
    )
    .bind(digest)
    .fetch_optional(conn)
    .await?
    .map(|row| {
        Ok(AckLink {
            task_id: row.try_get("task_id")?,
            rep: row.try_get("rep")?,
            issued_at: timestamp(row.try_get("issued_at")?)?,
            expires_at: timestamp(row.try_get("expires_at")?)?,
            used_at: opt_timestamp(row.try_get("used_at")?)?,
        })
    })
    .transpose()
}

/// Marks an acknowledge link used.
pub async fn use_ack_link(conn: &mut AnyConnection, digest: &str, at: Timestamp) -> Result<()> {
    sqlx::query("UPDATE ack_links SET used_at = $1 WHERE digest = $2 AND used_at IS NULL")
        .bind(micros(at))
        .bind(digest)
        .execute(conn)
        .await?;
    Ok(())
}

/// The later stages of the pipeline, each in distinct leads: enrolled in a sequence, sent an
/// e-mail, handed to sales, acknowledged by a rep, and each outcome reached — a lead that
/// won also counts as having had its meeting and its opportunity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LaterStages {
    pub enrolled: i64,
    pub emailed: i64,
    pub handed_off: i64,
    /// Tasks waiting for their rep: the stage's gate.
    pub open_tasks: i64,
    pub acknowledged: i64,
    pub meetings: i64,
    pub opportunities: i64,
    pub won: i64,
}

pub async fn later_stages(conn: &mut AnyConnection) -> Result<LaterStages> {
    use leadgate_core::outreach::enrollment::OutboxStatus;
    use leadgate_core::outreach::sequence::Channel;
    use leadgate_core::scoring::outcome::OutcomeKind;
    let kinds = |kinds: &[OutcomeKind]| {
        kinds
            .iter()
            .map(|k| format!("'{}'", k.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let won = [OutcomeKind::Won];
    let opportunities = [OutcomeKind::OpportunityOpened, OutcomeKind::Won];
    let meetings = [
        OutcomeKind::MeetingBooked,
        OutcomeKind::OpportunityOpened,
        OutcomeKind::Won,
    ];
    let outcomes = |of: &[OutcomeKind]| {
        format!(
            "SELECT COUNT(DISTINCT contact_id) FROM lead_outcomes WHERE kind IN ({})",
            kinds(of)
        )
    };
    let tasks = |status: TaskStatus, what: &str| {
        format!(
            "SELECT COUNT({what}) FROM handoff_tasks WHERE status = '{}'",
            status.as_str()
        )
    };
    Ok(LaterStages {
        enrolled: count(conn, "SELECT COUNT(DISTINCT contact_id) FROM enrollments".into()).await?,
        emailed: count(
            conn,
            format!(
                "SELECT COUNT(DISTINCT contact_id) FROM outbox WHERE status = '{}' AND channel = '{}'",
                OutboxStatus::Sent.as_str(),
                Channel::Email.as_str()
            ),
        )
        .await?,
        handed_off: count(conn, "SELECT COUNT(DISTINCT contact_id) FROM handoff_tasks".into())
            .await?,
        open_tasks: count(conn, tasks(TaskStatus::Open, "*")).await?,
        acknowledged: count(conn, tasks(TaskStatus::Acknowledged, "DISTINCT contact_id")).await?,
        meetings: count(conn, outcomes(&meetings)).await?,
        opportunities: count(conn, outcomes(&opportunities)).await?,
        won: count(conn, outcomes(&won)).await?,
    })
}

/// The one number a `SELECT COUNT(…)` answers.
async fn count(conn: &mut AnyConnection, sql: String) -> Result<i64> {
    Ok(sqlx::query(AssertSqlSafe(sql))
        .fetch_one(conn)
        .await?
        .try_get::<i64, _>(0)?)
}
