//! Engagement and intent as stored rows (core's `engagement` module): each batch an
//! engagement import with its report, the records it stored, and the queries that read them
//! back by window, by person and by account. Not the domain `events` table.
//!
//! A record already stored (same time, kind, person, account, URL and detail; for intent:
//! domain, topic and time) is skipped by the table's unique key, so importing the same file
//! again stores nothing and the import counts those rows as duplicates.

use std::collections::HashMap;

use jiff::Timestamp;
use leadgate_core::discovery::normalize::{Domain, Email};
use leadgate_core::engagement::{Engagement, IntentScore};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::{Result, StoreError, micros, parse_stored, timestamp};

/// Rows per multi-row insert: 7 parameters each stays well under both backends' limits.
const CHUNK: usize = 500;

/// One import of engagement and intent (a file or an API call), with its counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngagementImport {
    pub id: i64,
    pub origin: String,
    pub imported_by: String,
    pub at: Timestamp,
    pub rows_read: i64,
    pub stored: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub report: serde_json::Value,
}

/// Starts an import's row (nothing counted yet) and gives its id.
pub async fn insert_import(
    conn: &mut AnyConnection,
    origin: &str,
    imported_by: &str,
    at: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO engagement_imports \
         (origin, imported_by, at, rows_read, stored, duplicates, rejected, report) \
         VALUES ($1, $2, $3, 0, 0, 0, 0, '{}') RETURNING id",
    )
    .bind(origin)
    .bind(imported_by)
    .bind(micros(at))
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// Completes an import's row with its counts and report.
pub async fn finish_import(conn: &mut AnyConnection, import: &EngagementImport) -> Result<()> {
    sqlx::query(
        "UPDATE engagement_imports SET rows_read = $1, stored = $2, duplicates = $3, \
         rejected = $4, report = $5 WHERE id = $6",
    )
    .bind(import.rows_read)
    .bind(import.stored)
    .bind(import.duplicates)
    .bind(import.rejected)
    .bind(import.report.to_string())
    .bind(import.id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every import, newest first.
pub async fn imports(conn: &mut AnyConnection) -> Result<Vec<EngagementImport>> {
    sqlx::query(
        "SELECT id, origin, imported_by, at, rows_read, stored, duplicates, rejected, report \
         FROM engagement_imports ORDER BY id DESC",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        let report: String = row.try_get(8)?;
        Ok(EngagementImport {
            id: row.try_get(0)?,
            origin: row.try_get(1)?,
            imported_by: row.try_get(2)?,
            at: timestamp(row.try_get(3)?)?,
            rows_read: row.try_get(4)?,
            stored: row.try_get(5)?,
            duplicates: row.try_get(6)?,
            rejected: row.try_get(7)?,
            report: serde_json::from_str(&report)
                .map_err(|e| StoreError::Corrupt(format!("engagement import report: {e}")))?,
        })
    })
    .collect()
}

fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Stores engagement records of `import_id`; gives how many were new.
pub async fn insert_engagement(
    conn: &mut AnyConnection,
    import_id: i64,
    records: &[Engagement],
) -> Result<u64> {
    let mut stored = 0;
    for chunk in records.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO engagement (import_id, kind, email, domain, url, detail, at) VALUES {} \
             ON CONFLICT (at, kind, email, domain, url, detail) DO NOTHING",
            placeholders(chunk.len(), 7)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for e in chunk {
            query = query
                .bind(import_id)
                .bind(e.kind.as_str())
                .bind(e.email.as_ref().map_or("", Email::as_str).to_string())
                .bind(e.domain.as_ref().map_or("", Domain::as_str).to_string())
                .bind(e.url.clone().unwrap_or_default())
                .bind(e.detail.clone().unwrap_or_default())
                .bind(micros(e.at));
        }
        stored += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(stored)
}

/// Stores intent scores of `import_id`; gives how many were new.
pub async fn insert_intent(
    conn: &mut AnyConnection,
    import_id: i64,
    scores: &[IntentScore],
) -> Result<u64> {
    let mut stored = 0;
    for chunk in scores.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO intent_scores (import_id, domain, topic, score, at) VALUES {} \
             ON CONFLICT (domain, topic, at) DO NOTHING",
            placeholders(chunk.len(), 5)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for s in chunk {
            query = query
                .bind(import_id)
                .bind(s.domain.as_str().to_string())
                .bind(s.topic.clone())
                .bind(i64::from(s.score))
                .bind(micros(s.at));
        }
        stored += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(stored)
}

const ENGAGEMENT_COLUMNS: &str = "kind, email, domain, url, detail, at";

/// Stored addresses and domains, checked once each: they were normalised when written, and
/// the rows of one read repeat a few of them many times (a lead's whole history is one
/// address), while checking one costs more than decoding the rest of its row.
#[derive(Default)]
struct Keys {
    emails: HashMap<String, Email>,
    domains: HashMap<String, Domain>,
}

impl Keys {
    fn email(&mut self, text: String) -> Result<Email> {
        if let Some(email) = self.emails.get(&text) {
            return Ok(email.clone());
        }
        let email = Email::parse(&text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.emails.insert(text, email.clone());
        Ok(email)
    }

    fn domain(&mut self, text: String) -> Result<Domain> {
        if let Some(domain) = self.domains.get(&text) {
            return Ok(domain.clone());
        }
        let domain = Domain::parse(&text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.domains.insert(text, domain.clone());
        Ok(domain)
    }
}

fn engagement_row(row: &AnyRow, keys: &mut Keys) -> Result<Engagement> {
    let text = |i: usize| -> Result<Option<String>> { Ok(nonempty(row.try_get(i)?)) };
    let kind: String = row.try_get(0)?;
    Ok(Engagement {
        kind: parse_stored("engagement kind", &kind)?,
        email: text(1)?.map(|e| keys.email(e)).transpose()?,
        domain: text(2)?.map(|d| keys.domain(d)).transpose()?,
        url: text(3)?,
        detail: text(4)?,
        at: timestamp(row.try_get(5)?)?,
    })
}

fn intent_row(row: &AnyRow, keys: &mut Keys) -> Result<IntentScore> {
    let score: i64 = row.try_get(2)?;
    Ok(IntentScore {
        domain: keys.domain(row.try_get(0)?)?,
        topic: row.try_get(1)?,
        score: u8::try_from(score)
            .map_err(|_| StoreError::Corrupt(format!("intent score {score}")))?,
        at: timestamp(row.try_get(3)?)?,
    })
}

/// Every engagement record with `from ≤ at ≤ to`, oldest first.
pub async fn engagement_between(
    conn: &mut AnyConnection,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Engagement>> {
    let sql = format!(
        "SELECT {ENGAGEMENT_COLUMNS} FROM engagement WHERE at >= $1 AND at <= $2 ORDER BY at, id"
    );
    let mut parsed = Keys::default();
    sqlx::query(AssertSqlSafe(sql))
        .bind(micros(from))
        .bind(micros(to))
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| engagement_row(row, &mut parsed))
        .collect()
}

/// The engagement of one person (by address) or, without one, of one account's anonymous
/// visitors, with `from ≤ at ≤ to`, oldest first.
pub async fn engagement_of(
    conn: &mut AnyConnection,
    email: Option<&Email>,
    domain: Option<&Domain>,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Engagement>> {
    let (filter, key) = match (email, domain) {
        (Some(e), _) => ("email = $3", e.as_str()),
        (None, Some(d)) => ("email = '' AND domain = $3", d.as_str()),
        (None, None) => return Ok(Vec::new()),
    };
    let sql = format!(
        "SELECT {ENGAGEMENT_COLUMNS} FROM engagement WHERE at >= $1 AND at <= $2 AND {filter} \
         ORDER BY at, id"
    );
    let mut parsed = Keys::default();
    sqlx::query(AssertSqlSafe(sql))
        .bind(micros(from))
        .bind(micros(to))
        .bind(key.to_string())
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| engagement_row(row, &mut parsed))
        .collect()
}

/// The engagement of some people (by address) and of the anonymous visitors of some
/// accounts (by domain), with `from ≤ at ≤ to`, oldest first: what the leads of a rescore
/// need, read through the address and domain indexes rather than the whole window.
///
/// The rows come back as one JSON array per statement rather than a row per event: this
/// runs on every rescore after an event, a hot lead has hundreds of events in the window,
/// and handing rows over one at a time from the database driver cost more than the rest of
/// the rescore.
pub async fn engagement_of_keys(
    conn: &mut AnyConnection,
    emails: &[String],
    domains: &[String],
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Engagement>> {
    type Stored = (String, String, String, String, String, i64, i64);
    let aggregate = match crate::backend_of(conn) {
        crate::Backend::Sqlite => {
            "json_group_array(json_array(kind, email, domain, url, detail, at, id))"
        }
        crate::Backend::Postgres => {
            "COALESCE(json_agg(json_build_array(kind, email, domain, url, detail, at, id)), '[]')::text"
        }
    };
    let (emails, domains): (Vec<&[String]>, Vec<&[String]>) = (
        emails.chunks(CHUNK).collect(),
        domains.chunks(CHUNK).collect(),
    );
    let mut parsed = Keys::default();
    let mut out = Vec::new();
    for i in 0..emails.len().max(domains.len()) {
        let emails = emails.get(i).copied().unwrap_or_default();
        let domains = domains.get(i).copied().unwrap_or_default();
        let mut filters = Vec::new();
        if !emails.is_empty() {
            filters.push(format!("email IN ({})", key_placeholders(3, emails.len())));
        }
        if !domains.is_empty() {
            filters.push(format!(
                "(email = '' AND domain IN ({}))",
                key_placeholders(3 + emails.len(), domains.len())
            ));
        }
        let sql = format!(
            "SELECT {aggregate} FROM engagement WHERE at >= $1 AND at <= $2 AND ({})",
            filters.join(" OR ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(micros(from))
            .bind(micros(to));
        for key in emails.iter().chain(domains) {
            query = query.bind(key.as_str());
        }
        let text: String = query.fetch_one(&mut *conn).await?.try_get(0)?;
        let rows: Vec<Stored> = serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("engagement of a rescore: {e}")))?;
        for (kind, email, domain, url, detail, at, id) in rows {
            let engagement = Engagement {
                kind: parse_stored("engagement kind", &kind)?,
                email: nonempty(email).map(|e| parsed.email(e)).transpose()?,
                domain: nonempty(domain).map(|d| parsed.domain(d)).transpose()?,
                url: nonempty(url),
                detail: nonempty(detail),
                at: timestamp(at)?,
            };
            out.push((engagement, id));
        }
    }
    out.sort_by_key(|(e, id)| (e.at, *id));
    Ok(out.into_iter().map(|(e, _)| e).collect())
}

/// Stored text, with the empty string for none.
fn nonempty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// The intent scores of some domains with `from ≤ at ≤ to`, oldest first.
pub async fn intent_of_domains(
    conn: &mut AnyConnection,
    domains: &[String],
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<IntentScore>> {
    let mut parsed = Keys::default();
    let mut out = Vec::new();
    for chunk in domains.chunks(CHUNK) {
        let sql = format!(
            "SELECT domain, topic, score, at, id FROM intent_scores \
             WHERE at >= $1 AND at <= $2 AND domain IN ({})",
            key_placeholders(3, chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(micros(from))
            .bind(micros(to));
        for key in chunk {
            query = query.bind(key.as_str());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let id: i64 = row.try_get(4)?;
            out.push((intent_row(&row, &mut parsed)?, id));
        }
    }
    out.sort_by_key(|(s, id)| (s.at, *id));
    Ok(out.into_iter().map(|(s, _)| s).collect())
}

/// `$first, …`: `count` keys bound from position `first` (after a window's two ends, 3).
fn key_placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every intent score with `from ≤ at ≤ to`, oldest first; of one domain when given.
pub async fn intent_between(
    conn: &mut AnyConnection,
    domain: Option<&Domain>,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<IntentScore>> {
    let filter = if domain.is_some() {
        " AND domain = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT domain, topic, score, at FROM intent_scores WHERE at >= $1 AND at <= $2{filter} \
         ORDER BY at, id"
    );
    let mut parsed = Keys::default();
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(micros(from))
        .bind(micros(to));
    if let Some(d) = domain {
        query = query.bind(d.as_str().to_string());
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| intent_row(row, &mut parsed))
        .collect()
}

/// Deletes everything recorded of one person (an erasure at their request); gives how many.
pub async fn erase_person(conn: &mut AnyConnection, email: &Email) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM engagement WHERE email = $1")
        .bind(email.as_str().to_string())
        .execute(conn)
        .await?
        .rows_affected())
}
