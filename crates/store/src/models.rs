//! Stored scoring model versions. A version's artifact (the points scorecard and what it was
//! trained on) and its calibration report are immutable once proposed; only its lifecycle
//! status, the times of its transitions and the count of its reviews change. Which moves are
//! allowed is `leadgate_core::scoring::lifecycle`; the engine decides when they happen.

use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use leadgate_core::scoring::scorecard::Scorecard;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, micros, opt_timestamp, parse_stored, timestamp};

pub use leadgate_core::scoring::lifecycle::{ModelOrigin, ModelStatus};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelVersion {
    /// Workspace-wide id: `model show 3`.
    pub id: i64,
    /// The version's name: `m-20261204-ab12cd`.
    pub version: String,
    pub origin: ModelOrigin,
    pub status: ModelStatus,
    /// Who trained or wrote it; they never approve it.
    pub made_by: String,
    pub made_at: Timestamp,
    pub artifact: serde_json::Value,
    pub report: serde_json::Value,
    pub live_at: Option<Timestamp>,
    pub retired_at: Option<Timestamp>,
    /// The version that was live when this one went live: what a restore brings back.
    pub replaced: Option<i64>,
    /// Reviews this version passed while live (30 days, 60 days, then quarterly).
    pub reviews_done: i64,
}

impl ModelVersion {
    /// The cross-validated ROC AUC its calibration report measured, if it has one (a rules
    /// card proposed without history has none).
    pub fn roc_auc(&self) -> Option<f64> {
        self.report
            .pointer("/cross_validated/roc_auc")
            .and_then(serde_json::Value::as_f64)
    }

    /// The conversion rate of the history it was trained on, from its report.
    pub fn base_rate(&self) -> Option<f64> {
        self.report
            .pointer("/sufficiency/base_rate")
            .and_then(serde_json::Value::as_f64)
    }
}

const COLUMNS: &str = "id, version, origin, status, made_by, made_at, artifact, report, live_at, \
     retired_at, replaced, reviews_done FROM model_versions";

fn json_column(row: &AnyRow, id: i64, name: &str) -> Result<serde_json::Value> {
    let text: String = row.try_get(name)?;
    serde_json::from_str(&text)
        .map_err(|e| StoreError::Corrupt(format!("model_versions row {id}: {name}: {e}")))
}

fn version(row: AnyRow) -> Result<ModelVersion> {
    let id: i64 = row.try_get("id")?;
    let at = |column: &str| format!("model_versions row {id}: {column}");
    Ok(ModelVersion {
        id,
        version: row.try_get("version")?,
        origin: parse_stored(&at("origin"), &row.try_get::<String, _>("origin")?)?,
        status: parse_stored(&at("status"), &row.try_get::<String, _>("status")?)?,
        made_by: row.try_get("made_by")?,
        made_at: timestamp(row.try_get("made_at")?)?,
        artifact: json_column(&row, id, "artifact")?,
        report: json_column(&row, id, "report")?,
        live_at: opt_timestamp(row.try_get("live_at")?)?,
        retired_at: opt_timestamp(row.try_get("retired_at")?)?,
        replaced: row.try_get("replaced")?,
        reviews_done: row.try_get("reviews_done")?,
    })
}

pub struct NewModelVersion<'a> {
    pub version: &'a str,
    pub origin: ModelOrigin,
    pub made_by: &'a str,
    pub made_at: Timestamp,
    pub artifact: &'a serde_json::Value,
    pub report: &'a serde_json::Value,
}

/// Stores a proposed version as a draft. Returns `None` when a version of that name exists:
/// the same artifact proposed twice.
pub async fn insert(
    conn: &mut AnyConnection,
    new: &NewModelVersion<'_>,
) -> Result<Option<ModelVersion>> {
    let id: Option<i64> = sqlx::query(
        "INSERT INTO model_versions (version, origin, status, made_by, made_at, artifact, report)
         VALUES ($1, $2, 'draft', $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(new.version)
    .bind(new.origin.as_str())
    .bind(new.made_by)
    .bind(micros(new.made_at))
    .bind(new.artifact.to_string())
    .bind(new.report.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .map(|row| row.try_get(0))
    .transpose()?;
    match id {
        Some(id) => get(conn, id).await,
        None => Ok(None),
    }
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<ModelVersion>> {
    let sql = format!("SELECT {COLUMNS} WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(version)
        .transpose()
}

/// A version by its name (`m-20261204-ab12cd`) or its id written as a number.
pub async fn find(conn: &mut AnyConnection, name_or_id: &str) -> Result<Option<ModelVersion>> {
    if let Ok(id) = name_or_id.parse::<i64>() {
        return get(conn, id).await;
    }
    let sql = format!("SELECT {COLUMNS} WHERE version = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(name_or_id)
        .fetch_optional(conn)
        .await?
        .map(version)
        .transpose()
}

/// The version that scores now, if any.
pub async fn live(conn: &mut AnyConnection) -> Result<Option<ModelVersion>> {
    let sql = format!("SELECT {COLUMNS} WHERE status = 'live' ORDER BY id DESC");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_optional(conn)
        .await?
        .map(version)
        .transpose()
}

/// The live version's id, name and card, or none when no version is live. A version's
/// artifact never changes, so its card is read and parsed once per store ([`CardCache`]):
/// after that, finding the live version is one small query, which matters because every
/// rescore after an event asks.
pub async fn live_scorecard(
    conn: &mut AnyConnection,
    cache: &CardCache,
) -> Result<Option<(i64, String, Arc<Scorecard>)>> {
    #[derive(serde::Deserialize)]
    struct OnlyCard {
        scorecard: Scorecard,
    }
    let Some(row) = sqlx::query(
        "SELECT id, version FROM model_versions WHERE status = 'live' ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let id: i64 = row.try_get("id")?;
    let version: String = row.try_get("version")?;
    if let Some(card) = cache.get(id, &version) {
        return Ok(Some((id, version, card)));
    }
    let text: String = sqlx::query("SELECT artifact FROM model_versions WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    let card: OnlyCard = serde_json::from_str(&text).map_err(|e| {
        StoreError::Corrupt(format!(
            "model_versions row {id}: artifact's scorecard: {e}"
        ))
    })?;
    let card = Arc::new(card.scorecard);
    cache.put(id, &version, Arc::clone(&card));
    Ok(Some((id, version, card)))
}

/// The card of the version last found live, kept by its id and name. Shared by the clones
/// of a [`crate::Store`]; a version made live elsewhere (another process) is seen at the
/// next ask, since the live version's id is always read.
#[derive(Debug, Default)]
pub struct CardCache(Mutex<Option<(i64, String, Arc<Scorecard>)>>);

impl CardCache {
    fn get(&self, id: i64, version: &str) -> Option<Arc<Scorecard>> {
        let held = self.0.lock().ok()?;
        held.as_ref()
            .filter(|(i, v, _)| *i == id && v == version)
            .map(|(_, _, card)| Arc::clone(card))
    }

    fn put(&self, id: i64, version: &str, card: Arc<Scorecard>) {
        if let Ok(mut held) = self.0.lock() {
            *held = Some((id, version.to_string(), card));
        }
    }
}

/// Every version, newest first.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<ModelVersion>> {
    let sql = format!("SELECT {COLUMNS} ORDER BY id DESC");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(version)
        .collect()
}

/// Moves a version to `status` at `now`. Going live records the time and the version it
/// replaces; retiring records the time.
pub async fn transition(
    conn: &mut AnyConnection,
    id: i64,
    status: ModelStatus,
    replaced: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    let sql = match status {
        ModelStatus::Live => {
            "UPDATE model_versions SET status = $1, live_at = $2, retired_at = NULL, \
             replaced = COALESCE($3, replaced), reviews_done = 0 WHERE id = $4"
        }
        _ => {
            "UPDATE model_versions SET status = $1, retired_at = $2, \
              replaced = COALESCE($3, replaced) WHERE id = $4"
        }
    };
    sqlx::query(sql)
        .bind(status.as_str())
        .bind(micros(now))
        .bind(replaced)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts a passed review of the live version.
pub async fn mark_reviewed(conn: &mut AnyConnection, id: i64) -> Result<i64> {
    sqlx::query("UPDATE model_versions SET reviews_done = reviews_done + 1 WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(
        sqlx::query("SELECT reviews_done FROM model_versions WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?
            .try_get(0)?,
    )
}
