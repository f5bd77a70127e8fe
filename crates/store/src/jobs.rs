//! The durable job queue, in the workspace's own database.
//!
//! A job is claimed with a lease: claiming marks it running until `locked_until`, and a job
//! whose worker died is claimed again once its lease lapses. On PostgreSQL, claimers use
//! `FOR UPDATE SKIP LOCKED` so several worker processes never take the same job; on SQLite
//! the claim is one statement under the database's write lock. Enqueueing is idempotent: a
//! job's idempotency key is unique, so a trigger that fires twice queues its work once.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, micros, opt_timestamp, timestamp};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub idempotency_key: String,
    pub state: String,
    pub attempts: i64,
    pub run_at: Timestamp,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub event_id: Option<i64>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, kind, payload, idempotency_key, state, attempts, run_at, locked_by, last_error, \
     event_id, created_at, finished_at";

fn job(row: AnyRow) -> Result<Job> {
    let payload: String = row.try_get("payload")?;
    Ok(Job {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| crate::StoreError::Corrupt(format!("job payload: {e}")))?,
        idempotency_key: row.try_get("idempotency_key")?,
        state: row.try_get("state")?,
        attempts: row.try_get("attempts")?,
        run_at: timestamp(row.try_get("run_at")?)?,
        locked_by: row.try_get("locked_by")?,
        last_error: row.try_get("last_error")?,
        event_id: row.try_get("event_id")?,
        created_at: timestamp(row.try_get("created_at")?)?,
        finished_at: opt_timestamp(row.try_get("finished_at")?)?,
    })
}

pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: &'a serde_json::Value,
    pub idempotency_key: &'a str,
    /// What the job works on. A job with a subject joins a queued job of the same kind and
    /// subject rather than queuing again: the queued one, when it runs, sees what this one
    /// would.
    pub subject: Option<&'a str>,
    pub run_at: Timestamp,
    pub event_id: Option<i64>,
}

/// Queues a job unless one with the same idempotency key exists, or one of the same kind and
/// subject still waits (the new one joins it). Returns its id when queued.
///
/// The join reads, then inserts, in the caller's transaction: on SQLite writes are
/// serialised, so it is exact; on PostgreSQL two triggers at the same instant may both
/// queue, and the worker skips a run that a newer queued one makes redundant.
pub async fn enqueue(
    conn: &mut AnyConnection,
    new: &NewJob<'_>,
    now: Timestamp,
) -> Result<Option<i64>> {
    if let Some(subject) = new.subject {
        let waiting = sqlx::query(
            "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND subject = $2 AND state = 'queued'",
        )
        .bind(new.kind)
        .bind(subject)
        .fetch_one(&mut *conn)
        .await?;
        if waiting.try_get::<i64, _>(0)? > 0 {
            return Ok(None);
        }
    }
    Ok(sqlx::query(
        "INSERT INTO jobs (kind, payload, idempotency_key, subject, state, run_at, event_id, \
         created_at) VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7) \
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(new.kind)
    .bind(new.payload.to_string())
    .bind(new.idempotency_key)
    .bind(new.subject)
    .bind(micros(new.run_at))
    .bind(new.event_id)
    .bind(micros(now))
    .fetch_optional(conn)
    .await?
    .map(|row| row.try_get(0))
    .transpose()?)
}

/// Claims the next job that is due, or one whose lease lapsed, for `worker` until
/// `now + lease`. Commit the claim before running the job so other workers see it.
///
/// A lapsed lease is taken first; then the queued job due soonest. Each is its own lookup
/// on `jobs_ready` (state, run_at, id), read in order: one query that asked for either, in
/// one order, sorted every due job at each claim, and a backlog made every claim slower.
pub async fn claim(
    conn: &mut AnyConnection,
    worker: &str,
    now: Timestamp,
    lease: SignedDuration,
) -> Result<Option<Job>> {
    let skip_locked = crate::backend_of(conn).skip_locked();
    let until = now.saturating_add(lease).unwrap_or(now);
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2
         WHERE id = COALESCE(
             (SELECT id FROM jobs WHERE state = 'running' AND locked_until < $3
              ORDER BY locked_until, id LIMIT 1{skip_locked}),
             (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3
              ORDER BY run_at, id LIMIT 1{skip_locked}))
         RETURNING {COLUMNS}"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(worker)
        .bind(micros(until))
        .bind(micros(now))
        .fetch_optional(conn)
        .await?
        .map(job)
        .transpose()
}

/// Marks a claimed job done. Returns false when `worker` no longer holds it (its lease lapsed
/// and another worker took it over): the caller must then roll back the job's effects.
pub async fn complete(
    conn: &mut AnyConnection,
    id: i64,
    worker: &str,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'done', finished_at = $1, locked_until = NULL, last_error = NULL
         WHERE id = $2 AND state = 'running' AND locked_by = $3",
    )
    .bind(micros(now))
    .bind(id)
    .bind(worker)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed attempt: the job runs again at `retry_at`, or is dead when that is None.
pub async fn fail(
    conn: &mut AnyConnection,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<()> {
    let (state, run_at, finished) = match retry_at {
        Some(at) => ("queued", Some(micros(at)), None),
        None => ("dead", None, Some(micros(now))),
    };
    sqlx::query(
        "UPDATE jobs SET state = $1, run_at = COALESCE($2, run_at), finished_at = $3, last_error = $4,
         locked_by = NULL, locked_until = NULL WHERE id = $5 AND locked_by = $6",
    )
    .bind(state)
    .bind(run_at)
    .bind(finished)
    .bind(error)
    .bind(id)
    .bind(worker)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the queued jobs with these idempotency keys done without running them: their work
/// no longer applies (a task's reminder and deadline once its rep has acknowledged it).
/// Returns how many were waiting.
pub async fn retire(conn: &mut AnyConnection, keys: &[&str], now: Timestamp) -> Result<u64> {
    let mut retired = 0;
    for key in keys {
        retired += sqlx::query(
            "UPDATE jobs SET state = 'done', finished_at = $1, last_error = NULL \
             WHERE idempotency_key = $2 AND state = 'queued'",
        )
        .bind(micros(now))
        .bind(*key)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(retired)
}

/// Hands a claimed job back untouched (graceful shutdown): it is queued again at once.
pub async fn release(conn: &mut AnyConnection, id: i64, worker: &str) -> Result<()> {
    sqlx::query(
        "UPDATE jobs SET state = 'queued', attempts = attempts - 1, locked_by = NULL, locked_until = NULL
         WHERE id = $1 AND locked_by = $2 AND state = 'running'",
    )
    .bind(id)
    .bind(worker)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<Job>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM jobs WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(job)
    .transpose()
}

/// Jobs, newest first, optionally in one state; `before` (a job id) pages backwards.
pub async fn list(
    conn: &mut AnyConnection,
    state: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Job>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM jobs WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3"
    )))
    .bind(state)
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(job)
    .collect()
}

/// How many jobs are in each state at `now`, for status pages and metrics. A queued job
/// whose time has not come (a quarterly review months away) is `scheduled`, not `queued`:
/// it is no work waiting.
pub async fn depth(conn: &mut AnyConnection, now: Timestamp) -> Result<Vec<(String, i64)>> {
    sqlx::query(
        "SELECT CASE WHEN state = 'queued' AND run_at > $1 THEN 'scheduled' ELSE state END, \
         COUNT(*) FROM jobs GROUP BY 1 ORDER BY 1",
    )
    .bind(micros(now))
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
    .collect()
}

/// Whether a job of one of these kinds newer than `id` is waiting: work that the newer job
/// will do anyway can be skipped.
pub async fn newer_queued(conn: &mut AnyConnection, kinds: &[&str], id: i64) -> Result<bool> {
    for kind in kinds {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND id > $2 AND state = 'queued'",
        )
        .bind(*kind)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        if row.try_get::<i64, _>(0)? > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}
