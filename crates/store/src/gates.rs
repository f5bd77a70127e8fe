//! Gates and their decisions as stored rows. Whether a decision is allowed is decided in
//! `leadgate_core::gate`; this module only reads and writes what was decided.

use jiff::Timestamp;
use leadgate_core::audit::Subject;
use leadgate_core::gate::{Decision, GateKind, GateState, GateStatus};
use leadgate_core::role::Role;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::people::parse_roles;
use crate::{Result, micros, opt_timestamp, parse_stored, timestamp};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gate {
    pub id: i64,
    pub kind: GateKind,
    pub subject: Subject,
    pub status: GateStatus,
    pub required_roles: Vec<Role>,
    pub summary: String,
    /// Who made what the gate reviews (the proposer of an ICP version); `None` when the
    /// machine made it. That person never decides the gate.
    pub maker: Option<String>,
    /// What the gate's evidence warns of, in words: approving over them needs a reason.
    pub warnings: Vec<String>,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub decisions: Vec<Decision>,
}

impl Gate {
    pub fn state(&self) -> GateState {
        GateState {
            kind: self.kind,
            status: self.status,
            required_roles: self.required_roles.clone(),
            maker: self.maker.clone(),
            warnings: self.warnings.clone(),
            decisions: self.decisions.clone(),
        }
    }
}

const COLUMNS: &str = "id, kind, subject, status, required_roles, summary, maker, warnings, opened_at, closed_at FROM gates";

fn gate(row: &AnyRow) -> Result<Gate> {
    let id: i64 = row.try_get("id")?;
    let column = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
    Ok(Gate {
        id,
        kind: parse_stored(&format!("gates row {id}: kind"), &column("kind")?)?,
        subject: parse_stored(&format!("gates row {id}: subject"), &column("subject")?)?,
        status: parse_stored(&format!("gates row {id}: status"), &column("status")?)?,
        required_roles: parse_roles(&row.try_get::<String, _>("required_roles")?)?,
        summary: row.try_get("summary")?,
        maker: row.try_get("maker")?,
        warnings: serde_json::from_str(&row.try_get::<String, _>("warnings")?)
            .map_err(|e| crate::StoreError::Corrupt(format!("gates row {id}: warnings: {e}")))?,
        opened_at: timestamp(row.try_get("opened_at")?)?,
        closed_at: opt_timestamp(row.try_get("closed_at")?)?,
        decisions: Vec::new(),
    })
}

fn decision(row: &AnyRow) -> Result<(i64, Decision)> {
    let gate_id: i64 = row.try_get("gate_id")?;
    let person: String = row.try_get("person")?;
    let at = |column: &str| format!("gate_decisions row (gate {gate_id}, {person}): {column}");
    Ok((
        gate_id,
        Decision {
            role: parse_stored(&at("role"), &row.try_get::<String, _>("role")?)?,
            verdict: parse_stored(&at("verdict"), &row.try_get::<String, _>("verdict")?)?,
            person,
            note: row.try_get("note")?,
            at: timestamp(row.try_get("at")?)?,
        },
    ))
}

/// Opens a gate on what `maker` made (`None`: the machine). Returns `None` when a gate of
/// this kind is already open on the subject.
pub async fn open(
    conn: &mut AnyConnection,
    kind: GateKind,
    subject: &Subject,
    summary: &str,
    maker: Option<&str>,
    now: Timestamp,
) -> Result<Option<Gate>> {
    let roles = kind.required_roles();
    let roles_text = roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let id: Option<i64> = sqlx::query(
        "INSERT INTO gates (kind, subject, status, required_roles, summary, maker, opened_at)
         VALUES ($1, $2, 'open', $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(kind.as_str())
    .bind(subject.to_string())
    .bind(roles_text)
    .bind(summary)
    .bind(maker)
    .bind(micros(now))
    .fetch_optional(conn)
    .await?
    .map(|row| row.try_get(0))
    .transpose()?;
    Ok(id.map(|id| Gate {
        id,
        kind,
        subject: subject.clone(),
        status: GateStatus::Open,
        required_roles: roles,
        summary: summary.to_string(),
        maker: maker.map(str::to_string),
        warnings: Vec::new(),
        opened_at: now,
        closed_at: None,
        decisions: Vec::new(),
    }))
}

/// Records what the evidence of an open gate warns of: approving it then needs a reason.
pub async fn set_warnings(
    conn: &mut AnyConnection,
    gate_id: i64,
    warnings: &[String],
) -> Result<()> {
    let text = serde_json::to_string(warnings)
        .map_err(|e| crate::StoreError::Corrupt(format!("gate {gate_id}: warnings: {e}")))?;
    sqlx::query("UPDATE gates SET warnings = $1 WHERE id = $2")
        .bind(text)
        .bind(gate_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// One gate with its decisions. Inside a write transaction on PostgreSQL the row is locked, so
/// two people deciding at the same moment are applied one after the other.
pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<Gate>> {
    let lock = crate::backend_of(conn).lock_row();
    let sql = format!("SELECT {COLUMNS} WHERE id = $1{lock}");
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let mut found = gate(&row)?;
    found.decisions = sqlx::query(
        "SELECT gate_id, person, role, verdict, note, at FROM gate_decisions WHERE gate_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| decision(row).map(|(_, d)| d))
    .collect::<Result<_>>()?;
    Ok(Some(found))
}

#[derive(Debug, Clone, Default)]
pub struct GateFilter<'a> {
    pub status: Option<GateStatus>,
    pub kind: Option<GateKind>,
    pub subject: Option<&'a str>,
    pub limit: Option<i64>,
    pub offset: i64,
}

/// Gates matching the filter, oldest first, each with its decisions.
pub async fn list(conn: &mut AnyConnection, filter: &GateFilter<'_>) -> Result<Vec<Gate>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR kind = $2)
         AND ($3 IS NULL OR subject = $3) ORDER BY opened_at, id LIMIT $4 OFFSET $5"
    )))
    .bind(filter.status.map(|s| s.as_str()))
    .bind(filter.kind.map(|k| k.as_str()))
    .bind(filter.subject)
    .bind(filter.limit.unwrap_or(i64::MAX))
    .bind(filter.offset)
    .fetch_all(&mut *conn)
    .await?;
    let mut gates: Vec<Gate> = rows.iter().map(gate).collect::<Result<_>>()?;
    let (Some(first), Some(last)) = (
        gates.iter().map(|g| g.id).min(),
        gates.iter().map(|g| g.id).max(),
    ) else {
        return Ok(gates);
    };
    let decisions = sqlx::query(
        "SELECT gate_id, person, role, verdict, note, at FROM gate_decisions
         WHERE gate_id BETWEEN $1 AND $2 ORDER BY id",
    )
    .bind(first)
    .bind(last)
    .fetch_all(conn)
    .await?;
    for row in &decisions {
        let (gate_id, decided) = decision(row)?;
        if let Some(g) = gates.iter_mut().find(|g| g.id == gate_id) {
            g.decisions.push(decided);
        }
    }
    Ok(gates)
}

pub async fn count(conn: &mut AnyConnection, status: GateStatus) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM gates WHERE status = $1")
        .bind(status.as_str())
        .fetch_one(conn)
        .await?
        .try_get(0)?)
}

/// Records a decision and the status it leaves the gate in.
pub async fn record_decision(
    conn: &mut AnyConnection,
    gate_id: i64,
    decision: &Decision,
    status: GateStatus,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO gate_decisions (gate_id, person, role, verdict, note, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(gate_id)
    .bind(&decision.person)
    .bind(decision.role.as_str())
    .bind(decision.verdict.as_str())
    .bind(decision.note.as_deref())
    .bind(micros(decision.at))
    .execute(&mut *conn)
    .await?;
    set_status(conn, gate_id, status, decision.at).await
}

/// Sets a gate's status; a status other than open also closes it.
pub async fn set_status(
    conn: &mut AnyConnection,
    gate_id: i64,
    status: GateStatus,
    now: Timestamp,
) -> Result<()> {
    let closed_at = (status != GateStatus::Open).then(|| micros(now));
    sqlx::query("UPDATE gates SET status = $1, closed_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(closed_at)
        .bind(gate_id)
        .execute(conn)
        .await?;
    Ok(())
}
