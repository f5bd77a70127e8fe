//! Enrichment (stage 3) as stored rows: each run with its budget and what it spent, the
//! ledger of each provider in each run, the problems of a run (calls that failed, calls
//! passed over for the budget, values refused — each with its reason, never an answer's
//! body), and the cache of what each provider said of each subject, a value or a miss, with
//! when. The facts themselves are stored as records of the contacts by the engine
//! (`discovery::write_records`), where every reader of facts already looks.
//!
//! Subjects are named by key: `company:DOMAIN` for a company, `contact:ID` for a contact.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use leadgate_core::enrichment::{
    Cache, Credits, EnrichField, Fact, FailureKind, Ledger, PastMiss, ProviderLedger,
};
use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::{Result, StoreError, micros, opt_timestamp, parse_stored, timestamp};

/// The longest reason kept, in characters: a reason, not a body.
pub const MAX_REASON: usize = 500;

/// Subjects per `IN (…)` list of binds.
const CHUNK: usize = 400;

leadgate_core::values! {
    /// Where a run stands.
    pub enum RunStatus("enrichment run status") {
        /// Started; its calls are being made.
        Running = "running" / "running",
        /// Done: its ledger is complete.
        Finished = "finished" / "finished",
    }
}

/// One enrichment run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnrichmentRun {
    pub id: i64,
    pub actor: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// No limit when `None`.
    pub budget: Option<Credits>,
    pub spent: Credits,
    pub status: RunStatus,
    /// The ledger's totals (subjects, fields wanted, filled, unfilled).
    pub summary: Value,
}

/// Starts a run (nothing spent yet) and gives its id.
pub async fn insert_run(
    conn: &mut AnyConnection,
    actor: &str,
    budget: Option<Credits>,
    at: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO enrichment_runs (actor, started_at, finished_at, budget, spent, status, summary) \
         VALUES ($1, $2, NULL, $3, 0, $4, '{}') RETURNING id",
    )
    .bind(actor)
    .bind(micros(at))
    .bind(budget.map(thousandths))
    .bind(RunStatus::Running.as_str())
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

fn thousandths(c: Credits) -> i64 {
    i64::try_from(c.thousandths()).unwrap_or(i64::MAX)
}

fn credits(what: &str, n: i64) -> Result<Credits> {
    u64::try_from(n)
        .map(Credits::from_thousandths)
        .map_err(|_| StoreError::Corrupt(format!("{what}: {n} is not an amount of credits")))
}

/// Closes a run: what it spent, its totals and a ledger line per provider.
pub async fn finish_run(
    conn: &mut AnyConnection,
    run_id: i64,
    ledger: &Ledger,
    at: Timestamp,
) -> Result<()> {
    let summary = serde_json::json!({
        "subjects": ledger.subjects,
        "fields_wanted": ledger.fields_wanted,
        "fields_from_cache": ledger.fields_from_cache,
        "fields_from_providers": ledger.fields_from_providers,
        "fields_unfilled": ledger.fields_unfilled,
    });
    sqlx::query(
        "UPDATE enrichment_runs SET finished_at = $1, spent = $2, status = $3, summary = $4 \
         WHERE id = $5",
    )
    .bind(micros(at))
    .bind(thousandths(ledger.spent))
    .bind(RunStatus::Finished.as_str())
    .bind(summary.to_string())
    .bind(run_id)
    .execute(&mut *conn)
    .await?;
    for (position, line) in ledger.providers.iter().enumerate() {
        let failures: BTreeMap<&str, u64> = line
            .failures
            .iter()
            .map(|(kind, n)| (kind.as_str(), *n))
            .collect();
        sqlx::query(
            "INSERT INTO enrichment_ledger (run_id, provider, position, calls, requests, credits, \
             hits, misses, failures, values_rejected, skipped_budget, skipped_recent_miss, \
             skipped_refused, not_asked, refused) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(run_id)
        .bind(&line.provider)
        .bind(position as i64)
        .bind(count(line.calls))
        .bind(count(line.requests))
        .bind(thousandths(line.credits))
        .bind(count(line.hits))
        .bind(count(line.misses))
        .bind(serde_json::to_string(&failures).unwrap_or_else(|_| "{}".into()))
        .bind(count(line.values_rejected))
        .bind(count(line.skipped_for_budget))
        .bind(count(line.skipped_recent_miss))
        .bind(count(line.skipped_refused))
        .bind(count(line.not_asked))
        .bind(line.refused.as_deref().map(bounded))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn bounded(text: &str) -> String {
    match text.char_indices().nth(MAX_REASON) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

const RUN_COLUMNS: &str =
    "id, actor, started_at, finished_at, budget, spent, status, summary FROM enrichment_runs";

fn run_row(row: &AnyRow) -> Result<EnrichmentRun> {
    let id: i64 = row.try_get("id")?;
    let summary: String = row.try_get("summary")?;
    Ok(EnrichmentRun {
        id,
        actor: row.try_get("actor")?,
        started_at: timestamp(row.try_get("started_at")?)?,
        finished_at: opt_timestamp(row.try_get("finished_at")?)?,
        budget: row
            .try_get::<Option<i64>, _>("budget")?
            .map(|b| credits(&format!("enrichment run {id}: budget"), b))
            .transpose()?,
        spent: credits(
            &format!("enrichment run {id}: spent"),
            row.try_get("spent")?,
        )?,
        status: parse_stored(
            &format!("enrichment run {id}: status"),
            &row.try_get::<String, _>("status")?,
        )?,
        summary: serde_json::from_str(&summary)
            .map_err(|e| StoreError::Corrupt(format!("enrichment run {id}: summary: {e}")))?,
    })
}

/// Every run, newest first.
pub async fn runs(conn: &mut AnyConnection) -> Result<Vec<EnrichmentRun>> {
    let sql = format!("SELECT {RUN_COLUMNS} ORDER BY id DESC");
    sqlx::query(AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?
        .iter()
        .map(run_row)
        .collect()
}

pub async fn get_run(conn: &mut AnyConnection, id: i64) -> Result<Option<EnrichmentRun>> {
    let sql = format!("SELECT {RUN_COLUMNS} WHERE id = $1");
    sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(run_row)
        .transpose()
}

/// One provider's line of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerLine {
    pub run_id: i64,
    #[serde(flatten)]
    pub line: ProviderLedger,
}

/// The ledger lines of one run, or of every run (`None`): by run, then waterfall order.
pub async fn ledger(conn: &mut AnyConnection, run_id: Option<i64>) -> Result<Vec<LedgerLine>> {
    sqlx::query(
        "SELECT run_id, provider, calls, requests, credits, hits, misses, failures, \
         values_rejected, skipped_budget, skipped_recent_miss, skipped_refused, not_asked, refused \
         FROM enrichment_ledger WHERE ($1 IS NULL OR run_id = $1) ORDER BY run_id, position",
    )
    .bind(run_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        let run_id: i64 = row.try_get(0)?;
        let provider: String = row.try_get(1)?;
        let what = format!("enrichment ledger (run {run_id}, {provider})");
        let n = |i: usize| -> Result<u64> {
            let v: i64 = row.try_get(i)?;
            u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("{what}: {v} < 0")))
        };
        let failures: String = row.try_get(7)?;
        let failures: BTreeMap<String, u64> = serde_json::from_str(&failures)
            .map_err(|e| StoreError::Corrupt(format!("{what}: failures: {e}")))?;
        let failures = failures
            .into_iter()
            .map(|(kind, n)| Ok((parse_stored::<FailureKind>(&what, &kind)?, n)))
            .collect::<Result<BTreeMap<_, _>>>()?;
        Ok(LedgerLine {
            run_id,
            line: ProviderLedger {
                calls: n(2)?,
                requests: n(3)?,
                credits: credits(&what, row.try_get(4)?)?,
                hits: n(5)?,
                misses: n(6)?,
                failures,
                values_rejected: n(8)?,
                skipped_for_budget: n(9)?,
                skipped_recent_miss: n(10)?,
                skipped_refused: n(11)?,
                not_asked: n(12)?,
                refused: row.try_get(13)?,
                provider,
            },
        })
    })
    .collect()
}

/// Something that went wrong, or was left undone, in a run: a failed call, a call passed
/// over for the budget, a value refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `company:DOMAIN` or `contact:ID`.
    pub subject: String,
    pub provider: String,
    /// A failure kind (`timeout`, `http_status`, `unparseable`, `rate_limited`,
    /// `unreachable`), `rejected` (a value refused) or `skipped_budget`.
    pub kind: String,
    pub fields: Vec<String>,
    pub status: Option<u16>,
    /// In words; cut to [`MAX_REASON`] characters when stored.
    pub reason: String,
    /// A refused value, as sent, cut short.
    pub value: Option<String>,
}

/// Stores the problems of a run.
pub async fn insert_problems(
    conn: &mut AnyConnection,
    run_id: i64,
    problems: &[Problem],
) -> Result<()> {
    for p in problems {
        sqlx::query(
            "INSERT INTO enrichment_problems (run_id, subject, provider, kind, fields, status, \
             reason, value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(run_id)
        .bind(&p.subject)
        .bind(&p.provider)
        .bind(&p.kind)
        .bind(p.fields.join(","))
        .bind(p.status.map(i64::from))
        .bind(bounded(&p.reason))
        .bind(p.value.as_deref().map(bounded))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The problems of a run, in the order they happened.
pub async fn problems(conn: &mut AnyConnection, run_id: i64) -> Result<Vec<Problem>> {
    sqlx::query(
        "SELECT subject, provider, kind, fields, status, reason, value FROM enrichment_problems \
         WHERE run_id = $1 ORDER BY id",
    )
    .bind(run_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        let fields: String = row.try_get(3)?;
        let status: Option<i64> = row.try_get(4)?;
        Ok(Problem {
            subject: row.try_get(0)?,
            provider: row.try_get(1)?,
            kind: row.try_get(2)?,
            fields: fields
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect(),
            status: status.and_then(|s| u16::try_from(s).ok()),
            reason: row.try_get(5)?,
            value: row.try_get(6)?,
        })
    })
    .collect()
}

/// What the providers said of each subject, by key: the waterfall's [`Cache`].
pub async fn cache_of(
    conn: &mut AnyConnection,
    subjects: &[String],
) -> Result<HashMap<String, Cache>> {
    let mut caches: HashMap<String, Cache> = HashMap::new();
    // A miss of several fields at one time is one past miss, as the waterfall noted it.
    let mut misses: BTreeMap<(String, String, i64), Vec<EnrichField>> = BTreeMap::new();
    for chunk in subjects.chunks(CHUNK) {
        let binds: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT subject, field, provider, value, observed_at FROM enrichment_cache \
             WHERE subject IN ({}) ORDER BY subject, provider, field",
            binds.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for s in chunk {
            query = query.bind(s);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let subject: String = row.try_get(0)?;
            let field: String = row.try_get(1)?;
            let provider: String = row.try_get(2)?;
            let value: Option<String> = row.try_get(3)?;
            let at: i64 = row.try_get(4)?;
            let what = format!("enrichment cache ({subject}, {field}, {provider})");
            let field: EnrichField = parse_stored(&what, &field)?;
            match value {
                Some(text) => {
                    let value: Value = serde_json::from_str(&text)
                        .map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))?;
                    caches.entry(subject).or_default().facts.push(Fact {
                        field,
                        value,
                        source: provider,
                        observed_at: timestamp(at)?,
                    });
                }
                None => misses
                    .entry((subject, provider, at))
                    .or_default()
                    .push(field),
            }
        }
    }
    for ((subject, provider, at), fields) in misses {
        caches.entry(subject).or_default().misses.push(PastMiss {
            provider,
            fields,
            observed_at: timestamp(at)?,
        });
    }
    Ok(caches)
}

/// Remembers what providers said of `subject` in run `run_id`: each fact (the first of a
/// field and provider), and each miss. A newer word of a provider on a field replaces the
/// older one.
pub async fn remember(
    conn: &mut AnyConnection,
    run_id: i64,
    subject: &str,
    facts: &[Fact],
    misses: &[PastMiss],
) -> Result<()> {
    let mut rows: Vec<(EnrichField, &str, Option<String>, Timestamp)> = Vec::new();
    for f in facts {
        if !rows
            .iter()
            .any(|(field, provider, _, _)| *field == f.field && *provider == f.source)
        {
            rows.push((f.field, &f.source, Some(f.value.to_string()), f.observed_at));
        }
    }
    for m in misses {
        for &field in &m.fields {
            rows.push((field, &m.provider, None, m.observed_at));
        }
    }
    for (field, provider, value, at) in rows {
        sqlx::query(
            "INSERT INTO enrichment_cache (subject, field, provider, value, observed_at, run_id) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (subject, field, provider) DO UPDATE SET value = excluded.value, \
             observed_at = excluded.observed_at, run_id = excluded.run_id",
        )
        .bind(subject)
        .bind(field.as_str())
        .bind(provider)
        .bind(value)
        .bind(micros(at))
        .bind(run_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A contact on an approved prospect list, as enrichment looks it up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListedContact {
    pub contact_id: i64,
    /// Normalised, or empty.
    pub email: String,
    /// The company's registrable domain, or empty.
    pub domain: String,
    /// The profile the list shows (each field's value with its source).
    pub profile: Value,
}

/// The contacts of approved prospect lists that are not dropped, each once (from its newest
/// list), by contact id.
pub async fn listed_contacts(conn: &mut AnyConnection) -> Result<Vec<ListedContact>> {
    let rows = sqlx::query(
        "SELECT p.contact_id, p.email, p.domain, p.profile FROM prospects p \
         JOIN prospect_lists l ON l.id = p.list_id \
         WHERE l.status = 'approved' AND p.status <> 'dropped' \
         ORDER BY p.contact_id, p.list_id DESC",
    )
    .fetch_all(conn)
    .await?;
    let mut out: Vec<ListedContact> = Vec::new();
    for row in rows {
        let contact_id: i64 = row.try_get(0)?;
        if out.last().is_some_and(|c| c.contact_id == contact_id) {
            continue;
        }
        let profile: String = row.try_get(3)?;
        out.push(ListedContact {
            contact_id,
            email: row.try_get(1)?,
            domain: row.try_get(2)?,
            profile: serde_json::from_str(&profile).map_err(|e| {
                StoreError::Corrupt(format!("prospect (contact {contact_id}): profile: {e}"))
            })?,
        });
    }
    Ok(out)
}

/// Takes a contact off the refresh queue for one reason (`stale`, `needs_data`).
pub async fn clear_refresh(conn: &mut AnyConnection, contact_id: i64, reason: &str) -> Result<()> {
    sqlx::query("DELETE FROM refresh_queue WHERE contact_id = $1 AND reason = $2")
        .bind(contact_id)
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes what enrichment keeps under `contacts` besides their records (which an erasure
/// deletes as records): the cached values and misses of `contact:ID` and the problems
/// recorded about them, whose reasons and refused values may quote the person. Company
/// subjects stay: they are about the company. Returns the rows removed.
pub async fn erase_contacts(conn: &mut AnyConnection, contacts: &[i64]) -> Result<u64> {
    let mut removed = 0;
    for id in contacts {
        let subject = format!("contact:{id}");
        for table in ["enrichment_cache", "enrichment_problems"] {
            removed += sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE subject = $1"
            )))
            .bind(&subject)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        }
    }
    Ok(removed)
}
