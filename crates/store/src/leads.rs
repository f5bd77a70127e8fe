//! Stored lead scores: every scoring of a lead appends a row, so a lead's newest row is where
//! it stands (its score, parts, stage and reasons under the live model) and the rows before
//! it are its history, which `leads show` lists. That a lead qualified for outreach under a
//! model version is kept apart, so the `LeadQualified` event is emitted once per lead and
//! version however often the lead is rescored.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::{Result, StoreError, micros, parse_stored, timestamp};

pub use leadgate_core::scoring::lead::LeadStage;

/// One scoring of one lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadScore {
    pub id: i64,
    pub contact_id: i64,
    pub model_id: i64,
    pub score: i64,
    pub probability: f64,
    pub fit: i64,
    pub engagement: i64,
    pub stage: LeadStage,
    /// The top three terms: `[{term, bin, points}]`.
    pub reasons: serde_json::Value,
    pub name: String,
    pub email: String,
    pub company: String,
    pub scored_at: Timestamp,
}

/// A scoring to store (its id is given by the store).
pub type NewLeadScore = LeadScore;

const COLUMNS: &str = "id, contact_id, model_id, score, probability, fit, engagement, stage, \
     reasons, name, email, company, scored_at FROM lead_scores";

fn lead(row: &AnyRow) -> Result<LeadScore> {
    let id: i64 = row.try_get("id")?;
    let reasons: String = row.try_get("reasons")?;
    Ok(LeadScore {
        id,
        contact_id: row.try_get("contact_id")?,
        model_id: row.try_get("model_id")?,
        score: row.try_get("score")?,
        probability: row.try_get("probability")?,
        fit: row.try_get("fit")?,
        engagement: row.try_get("engagement")?,
        stage: parse_stored(
            &format!("lead_scores row {id}: stage"),
            &row.try_get::<String, _>("stage")?,
        )?,
        reasons: serde_json::from_str(&reasons)
            .map_err(|e| StoreError::Corrupt(format!("lead_scores row {id}: reasons: {e}")))?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        company: row.try_get("company")?,
        scored_at: timestamp(row.try_get("scored_at")?)?,
    })
}

/// Appends a scoring of a lead.
/// The newest score's id (0 before any): a mark to ask, later, which leads were scored
/// since ([`scored_since`]).
pub async fn newest_score_id(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query("SELECT COALESCE(MAX(id), 0) FROM lead_scores")
        .fetch_one(conn)
        .await?
        .try_get(0)?)
}

/// Which of `contacts` were scored after the score `mark`, in order.
pub async fn scored_since(
    conn: &mut AnyConnection,
    mark: i64,
    contacts: &[i64],
) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT DISTINCT contact_id FROM lead_scores WHERE id > $1 ORDER BY contact_id",
    )
    .bind(mark)
    .fetch_all(conn)
    .await?;
    let mut moved = Vec::new();
    for row in rows {
        let contact: i64 = row.try_get(0)?;
        if contacts.binary_search(&contact).is_ok() {
            moved.push(contact);
        }
    }
    Ok(moved)
}

pub async fn insert(conn: &mut AnyConnection, new: &NewLeadScore) -> Result<()> {
    sqlx::query(
        "INSERT INTO lead_scores (contact_id, model_id, score, probability, fit, engagement, stage,
             reasons, name, email, company, scored_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(new.contact_id)
    .bind(new.model_id)
    .bind(new.score)
    .bind(new.probability)
    .bind(new.fit)
    .bind(new.engagement)
    .bind(new.stage.as_str())
    .bind(new.reasons.to_string())
    .bind(&new.name)
    .bind(&new.email)
    .bind(&new.company)
    .bind(micros(new.scored_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Where every lead stands: its newest scoring, optionally of one stage, highest score first
/// (then by contact).
pub async fn current(conn: &mut AnyConnection, stage: Option<LeadStage>) -> Result<Vec<LeadScore>> {
    let sql = format!(
        "SELECT {COLUMNS} WHERE id IN (SELECT MAX(id) FROM lead_scores GROUP BY contact_id)
         AND ($1 IS NULL OR stage = $1) ORDER BY score DESC, contact_id"
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(stage.map(LeadStage::as_str))
        .fetch_all(conn)
        .await?
        .iter()
        .map(lead)
        .collect()
}

/// Every scoring of one lead, newest first.
pub async fn history(conn: &mut AnyConnection, contact_id: i64) -> Result<Vec<LeadScore>> {
    let sql = format!("SELECT {COLUMNS} WHERE contact_id = $1 ORDER BY id DESC");
    sqlx::query(AssertSqlSafe(sql))
        .bind(contact_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(lead)
        .collect()
}

/// Records that a lead qualified under a model version; `false` when it had already.
pub async fn qualify(
    conn: &mut AnyConnection,
    contact_id: i64,
    model_id: i64,
    at: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO lead_qualifications (contact_id, model_id, qualified_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(contact_id)
    .bind(model_id)
    .bind(micros(at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The addresses and domains an engagement import's records name: whose leads it touches.
pub async fn touched_by_import(
    conn: &mut AnyConnection,
    import_id: i64,
) -> Result<(
    std::collections::HashSet<String>,
    std::collections::HashSet<String>,
)> {
    let mut emails = std::collections::HashSet::new();
    let mut domains = std::collections::HashSet::new();
    // One statement: this runs after every event posted.
    for row in sqlx::query(
        "SELECT email, domain FROM engagement WHERE import_id = $1 \
         UNION ALL SELECT '', domain FROM intent_scores WHERE import_id = $1",
    )
    .bind(import_id)
    .fetch_all(&mut *conn)
    .await?
    {
        let email: String = row.try_get(0)?;
        let domain: String = row.try_get(1)?;
        if email.is_empty() {
            domains.insert(domain);
        } else {
            emails.insert(email);
        }
    }
    domains.remove("");
    Ok((emails, domains))
}

/// Removes every score, qualification and outcome of `contacts`, in the caller's
/// transaction: an erasure's part here, since a score row copies the person's name, address
/// and company, and an outcome's reason may quote them. What is left of a contact is scored
/// again by the next run. Returns the rows removed.
pub async fn erase_contacts(conn: &mut AnyConnection, contacts: &[i64]) -> Result<u64> {
    let mut removed = 0;
    for chunk in contacts.chunks(500) {
        let list = crate::discovery::id_list(chunk);
        removed += sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM lead_scores WHERE contact_id IN ({list})"
        )))
        .execute(&mut *conn)
        .await?
        .rows_affected();
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM lead_qualifications WHERE contact_id IN ({list})"
        )))
        .execute(&mut *conn)
        .await?;
        removed += sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM lead_outcomes WHERE contact_id IN ({list})"
        )))
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(removed)
}
