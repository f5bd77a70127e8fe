//! Stored ICP versions. A version is immutable once proposed; only its lifecycle status and
//! the times of its transitions change.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, micros, opt_timestamp, parse_stored, timestamp};

pub use leadgate_core::icp::IcpStatus;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IcpVersion {
    /// Workspace-wide id: `icp show 3`.
    pub id: i64,
    pub segment: String,
    /// Version within the segment, from 1.
    pub version: i64,
    pub status: IcpStatus,
    pub source_text: String,
    pub document: serde_json::Value,
    pub content_hash: String,
    pub proposed_by: String,
    pub proposed_at: Timestamp,
    pub live_at: Option<Timestamp>,
    pub reviewed_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub superseded_by: Option<i64>,
}

const COLUMNS: &str = "id, segment, version, status, source_text, document, content_hash, proposed_by, \
     proposed_at, live_at, reviewed_at, closed_at, superseded_by FROM icp_versions";

fn version(row: AnyRow) -> Result<IcpVersion> {
    let document: String = row.try_get("document")?;
    let id: i64 = row.try_get("id")?;
    Ok(IcpVersion {
        id,
        segment: row.try_get("segment")?,
        version: row.try_get("version")?,
        status: parse_stored(
            &format!("icp_versions row {id}: status"),
            &row.try_get::<String, _>("status")?,
        )?,
        source_text: row.try_get("source_text")?,
        document: serde_json::from_str(&document)
            .map_err(|e| crate::StoreError::Corrupt(format!("ICP document: {e}")))?,
        content_hash: row.try_get("content_hash")?,
        proposed_by: row.try_get("proposed_by")?,
        proposed_at: timestamp(row.try_get("proposed_at")?)?,
        live_at: opt_timestamp(row.try_get("live_at")?)?,
        reviewed_at: opt_timestamp(row.try_get("reviewed_at")?)?,
        closed_at: opt_timestamp(row.try_get("closed_at")?)?,
        superseded_by: row.try_get("superseded_by")?,
    })
}

pub struct NewIcpVersion<'a> {
    pub segment: &'a str,
    pub source_text: &'a str,
    pub document: &'a serde_json::Value,
    pub content_hash: &'a str,
    pub proposed_by: &'a str,
    pub proposed_at: Timestamp,
}

/// Stores a proposal as the segment's next version.
pub async fn insert(conn: &mut AnyConnection, new: &NewIcpVersion<'_>) -> Result<IcpVersion> {
    let next: i64 =
        sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 FROM icp_versions WHERE segment = $1")
            .bind(new.segment)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
    let id: i64 = sqlx::query(
        "INSERT INTO icp_versions (segment, version, status, source_text, document, content_hash, proposed_by, proposed_at)
         VALUES ($1, $2, 'proposed', $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.segment)
    .bind(next)
    .bind(new.source_text)
    .bind(new.document.to_string())
    .bind(new.content_hash)
    .bind(new.proposed_by)
    .bind(micros(new.proposed_at))
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    get(conn, id)
        .await?
        .ok_or_else(|| crate::StoreError::Corrupt(format!("ICP version {id} vanished")))
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<IcpVersion>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(version)
    .transpose()
}

pub async fn by_segment_version(
    conn: &mut AnyConnection,
    segment: &str,
    number: i64,
) -> Result<Option<IcpVersion>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE segment = $1 AND version = $2"
    )))
    .bind(segment)
    .bind(number)
    .fetch_optional(conn)
    .await?
    .map(version)
    .transpose()
}

pub async fn live(conn: &mut AnyConnection, segment: &str) -> Result<Option<IcpVersion>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE segment = $1 AND status = 'live'"
    )))
    .bind(segment)
    .fetch_optional(conn)
    .await?
    .map(version)
    .transpose()
}

/// Every version, by segment then version.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<IcpVersion>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} ORDER BY segment, version"
    )))
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(version)
    .collect()
}

/// Live versions that went live, or were last reaffirmed, at `went_live_before` or earlier:
/// those whose quarterly review is due.
pub async fn live_reviewed_before(
    conn: &mut AnyConnection,
    went_live_before: Timestamp,
) -> Result<Vec<IcpVersion>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE status = 'live' AND COALESCE(reviewed_at, live_at) <= $1 ORDER BY id"
    )))
    .bind(micros(went_live_before))
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(version)
    .collect()
}

/// Moves a version to `status` at `now`, recording the transition's time.
pub async fn transition(
    conn: &mut AnyConnection,
    id: i64,
    status: IcpStatus,
    superseded_by: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    let at = micros(now);
    let sql = if status == IcpStatus::Live {
        "UPDATE icp_versions SET status = $1, live_at = $2, superseded_by = $3 WHERE id = $4"
    } else {
        "UPDATE icp_versions SET status = $1, closed_at = $2, superseded_by = $3 WHERE id = $4"
    };
    sqlx::query(sql)
        .bind(status.as_str())
        .bind(at)
        .bind(superseded_by)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that the quarterly review reaffirmed the version at `now`.
pub async fn mark_reviewed(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE icp_versions SET reviewed_at = $1 WHERE id = $2")
        .bind(micros(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
