//! Stored lead outcomes and the evidence of model reviews. Outcomes are appended, never
//! updated: the same kind on the same day for the same lead is one outcome, so that a CRM
//! export imported twice records nothing twice ([`insert`] says whether it was new). A
//! review's evidence is kept with the gate it was opened for.

use jiff::Timestamp;
use jiff::civil::Date;
use leadgate_core::scoring::outcome::{Amount, Currency, NewOutcome, OutcomeKind};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::{Result, StoreError, micros, parse_stored, timestamp};

/// Where an outcome came from: a person, or a row of a CRM export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutcomeSource {
    Person,
    CrmImport { file: String, row: i64 },
}

/// One recorded outcome of a lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub id: i64,
    /// The lead's contact id.
    pub lead: i64,
    pub kind: OutcomeKind,
    pub on: Date,
    pub amount: Option<Amount>,
    pub reason: String,
    pub source: OutcomeSource,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

const COLUMNS: &str = "id, contact_id, kind, occurred_on, amount_minor, currency, reason, source, \
     source_file, source_row, recorded_by, recorded_at FROM lead_outcomes";

fn outcome(row: &AnyRow) -> Result<Outcome> {
    let id: i64 = row.try_get("id")?;
    let at = |column: &str| format!("lead_outcomes row {id}: {column}");
    let amount = match (
        row.try_get::<Option<i64>, _>("amount_minor")?,
        row.try_get::<Option<String>, _>("currency")?,
    ) {
        (Some(minor), Some(code)) => Some(Amount {
            minor,
            currency: Currency::parse(&code)
                .map_err(|e| StoreError::Corrupt(format!("{}: {e}", at("currency"))))?,
        }),
        _ => None,
    };
    let source = match row.try_get::<String, _>("source")?.as_str() {
        "person" => OutcomeSource::Person,
        "crm_import" => OutcomeSource::CrmImport {
            file: row
                .try_get::<Option<String>, _>("source_file")?
                .unwrap_or_default(),
            row: row
                .try_get::<Option<i64>, _>("source_row")?
                .unwrap_or_default(),
        },
        other => {
            return Err(StoreError::Corrupt(format!(
                "{}: unknown source `{other}`",
                at("source")
            )));
        }
    };
    Ok(Outcome {
        id,
        lead: row.try_get("contact_id")?,
        kind: parse_stored(&at("kind"), &row.try_get::<String, _>("kind")?)?,
        on: parse_stored(
            &at("occurred_on"),
            &row.try_get::<String, _>("occurred_on")?,
        )?,
        amount,
        reason: row.try_get("reason")?,
        source,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: timestamp(row.try_get("recorded_at")?)?,
    })
}

/// Appends an outcome; `None` when the lead already has one of this kind on this day.
pub async fn insert(
    conn: &mut AnyConnection,
    lead: i64,
    new: &NewOutcome,
    source: &OutcomeSource,
    recorded_by: &str,
    at: Timestamp,
) -> Result<Option<Outcome>> {
    let (file, row) = match source {
        OutcomeSource::Person => (None, None),
        OutcomeSource::CrmImport { file, row } => (Some(file.as_str()), Some(*row)),
    };
    let done = sqlx::query(
        "INSERT INTO lead_outcomes (contact_id, kind, occurred_on, amount_minor, currency, reason,
             source, source_file, source_row, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT DO NOTHING",
    )
    .bind(lead)
    .bind(new.kind.as_str())
    .bind(new.on.to_string())
    .bind(new.amount.map(|a| a.minor))
    .bind(new.amount.map(|a| a.currency.to_string()))
    .bind(&new.reason)
    .bind(match source {
        OutcomeSource::Person => "person",
        OutcomeSource::CrmImport { .. } => "crm_import",
    })
    .bind(file)
    .bind(row)
    .bind(recorded_by)
    .bind(micros(at))
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    let sql = format!("SELECT {COLUMNS} WHERE contact_id = $1 AND kind = $2 AND occurred_on = $3");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(lead)
        .bind(new.kind.as_str())
        .bind(new.on.to_string())
        .fetch_one(conn)
        .await?;
    outcome(&row).map(Some)
}

/// A lead's outcomes, oldest first.
pub async fn of_lead(conn: &mut AnyConnection, lead: i64) -> Result<Vec<Outcome>> {
    let sql = format!("SELECT {COLUMNS} WHERE contact_id = $1 ORDER BY occurred_on, id");
    sqlx::query(AssertSqlSafe(sql))
        .bind(lead)
        .fetch_all(conn)
        .await?
        .iter()
        .map(outcome)
        .collect()
}

/// Every outcome of the leads a model version scored, oldest first.
pub async fn of_model(conn: &mut AnyConnection, model_id: i64) -> Result<Vec<Outcome>> {
    let sql = format!(
        "SELECT {COLUMNS} WHERE contact_id IN
             (SELECT contact_id FROM lead_scores WHERE model_id = $1)
         ORDER BY contact_id, occurred_on, id"
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(model_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(outcome)
        .collect()
}

/// The leads (contact ids) by the address they were scored under, lower-case.
pub async fn leads_by_email(
    conn: &mut AnyConnection,
) -> Result<std::collections::HashMap<String, i64>> {
    let mut out = std::collections::HashMap::new();
    for row in sqlx::query(
        "SELECT LOWER(email), contact_id FROM lead_scores WHERE email <> ''
         GROUP BY LOWER(email), contact_id",
    )
    .fetch_all(conn)
    .await?
    {
        out.entry(row.try_get::<String, _>(0)?)
            .or_insert(row.try_get::<i64, _>(1)?);
    }
    Ok(out)
}

/// How a model version first scored each lead: (contact, score, probability, scored_at).
pub async fn first_scorings(
    conn: &mut AnyConnection,
    model_id: i64,
) -> Result<Vec<(i64, i64, f64, Timestamp)>> {
    sqlx::query(
        "SELECT contact_id, score, probability, scored_at FROM lead_scores WHERE id IN
             (SELECT MIN(id) FROM lead_scores WHERE model_id = $1 GROUP BY contact_id)
         ORDER BY contact_id",
    )
    .bind(model_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        Ok((
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            timestamp(row.try_get(3)?)?,
        ))
    })
    .collect()
}

/// The probabilities of the leads whose newest scoring is by this model version.
pub async fn current_probabilities(conn: &mut AnyConnection, model_id: i64) -> Result<Vec<f64>> {
    sqlx::query(
        "SELECT probability FROM lead_scores WHERE model_id = $1 AND id IN
             (SELECT MAX(id) FROM lead_scores GROUP BY contact_id)",
    )
    .bind(model_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| Ok(row.try_get(0)?))
    .collect()
}

/// The probabilities of the first scoring run of `model_id`: its leads as they stood when it
/// went live, the baseline its drift is measured against.
pub async fn first_run_probabilities(conn: &mut AnyConnection, model_id: i64) -> Result<Vec<f64>> {
    sqlx::query(
        "SELECT probability FROM lead_scores WHERE model_id = $1 AND scored_at =
             (SELECT MIN(scored_at) FROM lead_scores WHERE model_id = $1)",
    )
    .bind(model_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| Ok(row.try_get(0)?))
    .collect()
}

/// A review's stored evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredReview {
    pub gate_id: i64,
    pub model_id: i64,
    /// Why the review opened before its date; empty when it opened on its date.
    pub reason: String,
    pub evidence: serde_json::Value,
    pub computed_at: Timestamp,
}

fn review(row: &AnyRow) -> Result<StoredReview> {
    let gate_id: i64 = row.try_get("gate_id")?;
    let text: String = row.try_get("evidence")?;
    Ok(StoredReview {
        gate_id,
        model_id: row.try_get("model_id")?,
        reason: row.try_get("reason")?,
        evidence: serde_json::from_str(&text).map_err(|e| {
            StoreError::Corrupt(format!("model_reviews row {gate_id}: evidence: {e}"))
        })?,
        computed_at: timestamp(row.try_get("computed_at")?)?,
    })
}

/// Keeps a review's evidence with its gate.
pub async fn insert_review(conn: &mut AnyConnection, review: &StoredReview) -> Result<()> {
    sqlx::query(
        "INSERT INTO model_reviews (gate_id, model_id, reason, evidence, computed_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(review.gate_id)
    .bind(review.model_id)
    .bind(&review.reason)
    .bind(review.evidence.to_string())
    .bind(micros(review.computed_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The evidence a review gate was opened with.
pub async fn review_of_gate(
    conn: &mut AnyConnection,
    gate_id: i64,
) -> Result<Option<StoredReview>> {
    sqlx::query(
        "SELECT gate_id, model_id, reason, evidence, computed_at FROM model_reviews
         WHERE gate_id = $1",
    )
    .bind(gate_id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(review)
    .transpose()
}

/// A version's reviews, newest first.
pub async fn reviews_of_model(
    conn: &mut AnyConnection,
    model_id: i64,
) -> Result<Vec<StoredReview>> {
    sqlx::query(
        "SELECT gate_id, model_id, reason, evidence, computed_at FROM model_reviews
         WHERE model_id = $1 ORDER BY gate_id DESC",
    )
    .bind(model_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(review)
    .collect()
}
