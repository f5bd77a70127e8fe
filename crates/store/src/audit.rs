//! The audit log: appended inside the transaction of the change it records, read in pages,
//! and verified against the hash chain defined in `leadgate_core::audit`.

use leadgate_core::audit::{
    Actor, AuditEntry, ChainBreak, GENESIS_HASH, NewAuditEntry, verify_run,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, micros, timestamp};

fn entry(row: AnyRow) -> Result<AuditEntry> {
    let kind: String = row.try_get("actor_kind")?;
    let name: String = row.try_get("actor_name")?;
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        actor: Actor::from_parts(&kind, &name).map_err(StoreError::Corrupt)?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        inputs: row.try_get("inputs")?,
        at: timestamp(row.try_get("at")?)?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const COLUMNS: &str =
    "seq, actor_kind, actor_name, action, subject, inputs, at, prev_hash, hash FROM audit_log";

/// Appends an entry after the chain's head. Call inside a write transaction: the head row is
/// locked until it commits, so concurrent appenders form one chain.
pub async fn append(conn: &mut AnyConnection, new: NewAuditEntry) -> Result<AuditEntry> {
    let lock = crate::backend_of(conn).lock_row();
    let head = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT seq, hash FROM audit_head WHERE id = 1{lock}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    let (seq, prev): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
    let chained = AuditEntry::chain(new, seq + 1, &prev);
    sqlx::query(
        "INSERT INTO audit_log (seq, actor_kind, actor_name, action, subject, inputs, at, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(chained.seq)
    .bind(chained.actor.kind())
    .bind(chained.actor.name())
    .bind(&chained.action)
    .bind(&chained.subject)
    .bind(&chained.inputs)
    .bind(micros(chained.at))
    .bind(&chained.prev_hash)
    .bind(&chained.hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(chained.seq)
        .bind(&chained.hash)
        .execute(conn)
        .await?;
    Ok(chained)
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    /// Entries about this subject (`icp:3`), or whose subject starts with it and a colon
    /// (`icp` matches every ICP version).
    pub subject: Option<&'a str>,
    pub actor: Option<&'a str>,
    pub action: Option<&'a str>,
    /// Entries before this seq, for paging backwards from the newest.
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// Entries matching the filter, newest first.
pub async fn list(conn: &mut AnyConnection, filter: &AuditFilter<'_>) -> Result<Vec<AuditEntry>> {
    let prefix = filter.subject.map(|s| format!("{s}:%"));
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE ($1 IS NULL OR subject = $1 OR subject LIKE $2)
         AND ($3 IS NULL OR actor_name = $3) AND ($4 IS NULL OR action = $4)
         AND ($5 IS NULL OR seq < $5) ORDER BY seq DESC LIMIT $6"
    )))
    .bind(filter.subject)
    .bind(prefix)
    .bind(filter.actor)
    .bind(filter.action)
    .bind(filter.before_seq)
    .bind(filter.limit)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(entry)
    .collect()
}

/// The newest `limit` entries about any of `subjects` (`lead:7`, `task:3`), newest first:
/// one lead's trail across the records that concern it.
pub async fn about(
    conn: &mut AnyConnection,
    subjects: &[String],
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (2..subjects.len() + 2).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT {COLUMNS} WHERE subject IN ({}) ORDER BY seq DESC LIMIT $1",
        marks.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit);
    for subject in subjects {
        query = query.bind(subject);
    }
    query
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(entry)
        .collect()
}

/// The outcome of verifying the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: i64,
    pub head_hash: String,
}

/// Walks the whole chain in pages and checks every link and the head.
pub async fn verify(conn: &mut AnyConnection) -> Result<Result<Verified, ChainBreak>> {
    const PAGE: i64 = 5_000;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let (head_seq, head_hash): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
    let mut next_seq = 1;
    let mut prev = GENESIS_HASH.to_string();
    loop {
        let page: Vec<AuditEntry> = match sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} WHERE seq >= $1 ORDER BY seq LIMIT $2"
        )))
        .bind(next_seq)
        .bind(PAGE)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| {
            // A row that no longer decodes was altered in place: name it.
            let seq: i64 = row.try_get("seq").map_err(Err)?;
            entry(row)
                .map_err(|_| ChainBreak::Altered { seq })
                .map_err(Ok)
        })
        .collect::<Result<Vec<_>, Result<ChainBreak, sqlx::Error>>>()
        {
            Ok(page) => page,
            Err(Ok(broken)) => return Ok(Err(broken)),
            Err(Err(e)) => return Err(e.into()),
        };
        let Some(last) = page.last() else { break };
        if let Err(broken) = verify_run(&page, next_seq, &prev) {
            return Ok(Err(broken));
        }
        next_seq = last.seq + 1;
        prev = last.hash.clone();
    }
    let last = next_seq - 1;
    if last != head_seq {
        return Ok(Err(ChainBreak::Truncated {
            last,
            head: head_seq,
        }));
    }
    if prev != head_hash {
        return Ok(Err(ChainBreak::Unlinked { seq: last }));
    }
    Ok(Ok(Verified {
        entries: last,
        head_hash,
    }))
}

/// The chain's head: the last entry's seq (0 for an empty log) and hash.
pub async fn head(conn: &mut AnyConnection) -> Result<(i64, String)> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok((head.try_get(0)?, head.try_get(1)?))
}

/// The stored hashes of the entries at `seqs`, and the last stored entry's seq: what
/// anchors are checked against.
pub async fn hashes_at(
    conn: &mut AnyConnection,
    seqs: &[i64],
) -> Result<(std::collections::HashMap<i64, String>, i64)> {
    let mut found = std::collections::HashMap::new();
    // Sequence numbers are numbers we hold, so they are written into the statement; a long
    // anchor file is read in chunks.
    for chunk in seqs.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!("SELECT seq, hash FROM audit_log WHERE seq IN ({list})");
        for row in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *conn)
            .await?
        {
            found.insert(row.try_get(0)?, row.try_get(1)?);
        }
    }
    let last: Option<i64> = sqlx::query("SELECT MAX(seq) FROM audit_log")
        .fetch_one(conn)
        .await?
        .try_get(0)?;
    Ok((found, last.unwrap_or(0)))
}
