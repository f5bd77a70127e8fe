//! Stage 2's rows: imports, records (one observation of one contact by one source, its facts
//! kept whole), contacts, merges with their evidence, suppressions, prospect lists and the
//! sample items of their review gates.
//!
//! Discovery writes in bulk (a million rows is an ordinary import), so rows are gathered in a
//! [`Batch`] of a few thousand and written together: on SQLite bound to prepared multi-row
//! inserts, on PostgreSQL as one JSON array the server unpacks (`json_array_elements`). Ids
//! are handed out by the caller from [`next_ids`] while it holds the discovery lock
//! ([`lock`]), so a batch needs no RETURNING and two writers never race.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use leadgate_core::discovery::compliance::SuppressionKind;
use leadgate_core::discovery::prospect::{ListStatus, ProspectColumns, Standing};
use leadgate_core::discovery::sample::ReviewVerdict;

use crate::{
    Backend, Result, StoreError, backend_of, micros, opt_timestamp, parse_stored, timestamp,
};

/// Takes the discovery lock for the rest of the caller's write transaction. On SQLite the
/// write transaction already holds the database's only write lock.
pub async fn lock(conn: &mut AnyConnection) -> Result<()> {
    let sql = format!(
        "SELECT id FROM discovery_lock WHERE id = 1{}",
        backend_of(conn).lock_row()
    );
    sqlx::query(AssertSqlSafe(sql)).fetch_one(conn).await?;
    Ok(())
}

/// Pages SQLite keeps in memory for a connection that writes in bulk, in KiB (64 MiB): the
/// indexes of a million records stay cached instead of being written out and read back in
/// the middle of the transaction.
const BULK_CACHE_KIB: u32 = 64 * 1024;

/// Prepares a connection for a bulk write (an import): a larger page cache on SQLite. The
/// setting lasts for the connection; [`end_bulk_writes`] gives the memory back.
pub async fn begin_bulk_writes(conn: &mut AnyConnection) -> Result<()> {
    set_cache(conn, BULK_CACHE_KIB).await
}

/// Returns a connection to SQLite's default page cache (2 MiB) after a bulk write.
pub async fn end_bulk_writes(conn: &mut AnyConnection) -> Result<()> {
    set_cache(conn, 2 * 1024).await
}

async fn set_cache(conn: &mut AnyConnection, kib: u32) -> Result<()> {
    if matches!(backend_of(conn), Backend::Sqlite) {
        sqlx::query(AssertSqlSafe(format!("PRAGMA cache_size = -{kib}")))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The next free id of each discovery table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextIds {
    pub import: i64,
    pub contact: i64,
    pub record: i64,
    pub merge: i64,
    pub list: i64,
}

/// The next free ids. Call under [`lock`].
pub async fn next_ids(conn: &mut AnyConnection) -> Result<NextIds> {
    let row = sqlx::query(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM imports) + 1,
                (SELECT COALESCE(MAX(id), 0) FROM contacts) + 1,
                (SELECT COALESCE(MAX(id), 0) FROM records) + 1,
                (SELECT COALESCE(MAX(id), 0) FROM merges) + 1,
                (SELECT COALESCE(MAX(id), 0) FROM prospect_lists) + 1",
    )
    .fetch_one(conn)
    .await?;
    Ok(NextIds {
        import: row.try_get(0)?,
        contact: row.try_get(1)?,
        record: row.try_get(2)?,
        merge: row.try_get(3)?,
        list: row.try_get(4)?,
    })
}

/// A column of a bulk insert: how its values are sent and read.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Text,
    Real,
    /// A JSON value kept as its text.
    Json,
}

/// Rows per statement on SQLite: 200 rows of ten columns are 2,000 parameters, well under
/// SQLite's limit of 32,766.
const SQLITE_ROWS_PER_STATEMENT: usize = 200;

/// Inserts the rows of `batch` (values in the order of `columns`).
///
/// On SQLite the values are bound to a prepared `INSERT … VALUES (…), (…)` of many rows, so
/// nothing is parsed on the way in. On PostgreSQL the batch goes as one JSON array of arrays
/// that the server unpacks (`json_array_elements`): one statement and one parameter per
/// batch, and the unpacking is done on the server's core, not ours.
async fn bulk_insert(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[(&str, Kind)],
    batch: &Batch,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    debug_assert_eq!(batch.cells.len(), batch.rows * columns.len());
    let names = columns
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ");
    match backend_of(conn) {
        Backend::Sqlite => {
            let width = columns.len();
            let row_marks = format!("({})", vec!["?"; width].join(", "));
            let statement = |rows: usize| {
                let values = vec![row_marks.as_str(); rows].join(", ");
                format!("INSERT INTO {table} ({names}) VALUES {values}")
            };
            let full = statement(SQLITE_ROWS_PER_STATEMENT);
            let single = statement(1);
            let mut chunks = batch.cells.chunks_exact(width * SQLITE_ROWS_PER_STATEMENT);
            for chunk in chunks.by_ref() {
                batch
                    .bind(sqlx::query(AssertSqlSafe(full.as_str())), chunk)
                    .execute(&mut *conn)
                    .await?;
            }
            for row in chunks.remainder().chunks_exact(width) {
                batch
                    .bind(sqlx::query(AssertSqlSafe(single.as_str())), row)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Backend::Postgres => {
            let values = columns
                .iter()
                .enumerate()
                .map(|(i, (_, kind))| match kind {
                    Kind::Int => format!("(e->>{i})::BIGINT"),
                    Kind::Real => format!("(e->>{i})::DOUBLE PRECISION"),
                    Kind::Text | Kind::Json => format!("e->>{i}"),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO {table} ({names}) SELECT {values} FROM json_array_elements($1::json) AS e"
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(batch.to_json(columns))
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

/// One value of a batch.
#[derive(Debug, Clone, Copy)]
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    /// A span of the batch's text.
    Text(u32, u32),
}

/// Rows of one table gathered for a bulk insert: the values of each row in column order, their
/// text kept end to end in one buffer, so gathering a row allocates nothing.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    text: String,
    cells: Vec<Cell>,
    rows: usize,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Bytes of text gathered.
    pub fn size(&self) -> usize {
        self.text.len()
    }

    fn int(&mut self, value: i64) {
        self.cells.push(Cell::Int(value));
    }

    fn opt_int(&mut self, value: Option<i64>) {
        self.cells.push(value.map_or(Cell::Null, Cell::Int));
    }

    fn opt_real(&mut self, value: Option<f64>) {
        self.cells.push(value.map_or(Cell::Null, Cell::Real));
    }

    fn opt_text(&mut self, value: Option<&str>) {
        match value {
            Some(v) => self.text(v),
            None => self.cells.push(Cell::Null),
        }
    }

    fn text(&mut self, value: &str) {
        let start = self.text.len();
        self.text.push_str(value);
        self.cells
            .push(Cell::Text(start as u32, self.text.len() as u32));
    }

    fn end_row(&mut self) {
        self.rows += 1;
    }

    /// The rows gathered, leaving the batch empty with room for as many again.
    fn take(&mut self) -> Batch {
        let room = Batch {
            text: String::with_capacity(self.text.len()),
            cells: Vec::with_capacity(self.cells.len()),
            rows: 0,
        };
        std::mem::replace(self, room)
    }

    fn span(&self, start: u32, end: u32) -> &str {
        &self.text[start as usize..end as usize]
    }

    fn bind<'q>(
        &'q self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
        cells: &[Cell],
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        for cell in cells {
            query = match *cell {
                Cell::Null => query.bind(None::<i64>),
                Cell::Int(v) => query.bind(v),
                Cell::Real(v) => query.bind(v),
                Cell::Text(start, end) => query.bind(self.span(start, end)),
            };
        }
        query
    }

    /// The rows as a JSON array of arrays; values of JSON columns go in as JSON.
    fn to_json(&self, columns: &[(&str, Kind)]) -> String {
        let mut out = String::with_capacity(self.text.len() + self.cells.len() * 4 + 16);
        out.push('[');
        for (r, row) in self.cells.chunks_exact(columns.len()).enumerate() {
            out.push_str(if r == 0 { "[" } else { ",[" });
            for (i, (cell, (_, kind))) in row.iter().zip(columns).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match (*cell, kind) {
                    (Cell::Null, _) => out.push_str("null"),
                    (Cell::Int(v), _) => out.push_str(&v.to_string()),
                    (Cell::Real(v), _) if v.is_finite() => out.push_str(&v.to_string()),
                    (Cell::Real(_), _) => out.push_str("null"),
                    (Cell::Text(s, e), Kind::Json) => out.push_str(self.span(s, e)),
                    (Cell::Text(s, e), _) => push_json_string(&mut out, self.span(s, e)),
                }
            }
            out.push(']');
        }
        out.push(']');
        out
    }
}

/// Appends `value` as a JSON string literal.
fn push_json_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------- imports

/// An import's totals and report, stored when it commits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportRow {
    pub id: i64,
    pub source: String,
    pub origin: String,
    pub format: String,
    pub content_hash: String,
    pub imported_by: String,
    pub at: Timestamp,
    pub rows_read: i64,
    pub stored: i64,
    pub merged: i64,
    pub rejected: i64,
    /// The whole report as JSON.
    pub report: serde_json::Value,
}

pub async fn insert_import(conn: &mut AnyConnection, import: &ImportRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO imports (id, source, origin, format, content_hash, imported_by, at, rows_read, stored, merged, rejected, report)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(import.id)
    .bind(&import.source)
    .bind(&import.origin)
    .bind(&import.format)
    .bind(&import.content_hash)
    .bind(&import.imported_by)
    .bind(micros(import.at))
    .bind(import.rows_read)
    .bind(import.stored)
    .bind(import.merged)
    .bind(import.rejected)
    .bind(import.report.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

fn import_row(row: &AnyRow) -> Result<ImportRow> {
    let report: String = row.try_get("report")?;
    Ok(ImportRow {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        origin: row.try_get("origin")?,
        format: row.try_get("format")?,
        content_hash: row.try_get("content_hash")?,
        imported_by: row.try_get("imported_by")?,
        at: timestamp(row.try_get("at")?)?,
        rows_read: row.try_get("rows_read")?,
        stored: row.try_get("stored")?,
        merged: row.try_get("merged")?,
        rejected: row.try_get("rejected")?,
        report: parse_json("import report", &report)?,
    })
}

const IMPORT_COLUMNS: &str = "id, source, origin, format, content_hash, imported_by, at, rows_read, stored, merged, rejected, report FROM imports";

/// Every import, oldest first.
pub async fn imports(conn: &mut AnyConnection) -> Result<Vec<ImportRow>> {
    let sql = format!("SELECT {IMPORT_COLUMNS} ORDER BY id");
    sqlx::query(AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?
        .iter()
        .map(import_row)
        .collect()
}

/// Whether a file with these bytes was imported already from this source.
pub async fn imported_before(
    conn: &mut AnyConnection,
    source: &str,
    content_hash: &str,
) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT id FROM imports WHERE source = $1 AND content_hash = $2")
        .bind(source)
        .bind(content_hash)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

// ---------------------------------------------------------------- contacts and records

/// Contacts gathered for a bulk insert: their ids.
#[derive(Debug, Default)]
pub struct ContactBatch(Batch);

impl ContactBatch {
    pub fn push(&mut self, id: i64, now: Timestamp) {
        let b = &mut self.0;
        b.int(id);
        b.text("active");
        b.int(micros(now));
        b.end_row();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The rows gathered, leaving the batch empty, for [`write_contacts`].
    pub fn take(&mut self) -> Batch {
        self.0.take()
    }
}

/// One record for a bulk insert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord<'a> {
    pub id: i64,
    pub import_id: i64,
    pub contact_id: i64,
    pub source: &'a str,
    pub source_record_id: Option<&'a str>,
    pub row_number: i64,
    pub observed_at: Timestamp,
    pub email: Option<&'a str>,
    pub linkedin: Option<&'a str>,
    /// The facts as a JSON object's text.
    pub facts: &'a str,
}

/// Records gathered for a bulk insert.
#[derive(Debug, Default)]
pub struct RecordBatch(Batch);

impl RecordBatch {
    pub fn push(&mut self, r: &NewRecord<'_>) {
        let b = &mut self.0;
        b.int(r.id);
        b.int(r.import_id);
        b.int(r.contact_id);
        b.text(r.source);
        b.opt_text(r.source_record_id);
        b.int(r.row_number);
        b.int(micros(r.observed_at));
        b.opt_text(r.email);
        b.opt_text(r.linkedin);
        b.text(r.facts);
        b.end_row();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn size(&self) -> usize {
        self.0.size()
    }

    /// The rows gathered, leaving the batch empty: to hand to [`write_records`] on another
    /// task.
    pub fn take(&mut self) -> Batch {
        self.0.take()
    }
}

/// Inserts a batch taken from a [`RecordBatch`].
pub async fn write_records(conn: &mut AnyConnection, batch: &Batch) -> Result<()> {
    bulk_insert(
        conn,
        "records",
        &[
            ("id", Kind::Int),
            ("import_id", Kind::Int),
            ("contact_id", Kind::Int),
            ("source", Kind::Text),
            ("source_record_id", Kind::Text),
            ("row_number", Kind::Int),
            ("observed_at", Kind::Int),
            ("email", Kind::Text),
            ("linkedin", Kind::Text),
            ("facts", Kind::Json),
        ],
        batch,
    )
    .await
}

/// Inserts a batch taken from a [`ContactBatch`] on another task.
pub async fn write_contacts(conn: &mut AnyConnection, batch: &Batch) -> Result<()> {
    bulk_insert(
        conn,
        "contacts",
        &[
            ("id", Kind::Int),
            ("status", Kind::Text),
            ("created_at", Kind::Int),
        ],
        batch,
    )
    .await
}

/// The identifying keys of one stored record, for matching new rows against what is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordKeys {
    pub contact_id: i64,
    pub source: String,
    pub source_record_id: Option<String>,
    pub email: Option<String>,
    pub linkedin: Option<String>,
}

/// The keys of every record.
pub async fn record_keys(conn: &mut AnyConnection) -> Result<Vec<RecordKeys>> {
    sqlx::query("SELECT contact_id, source, source_record_id, email, linkedin FROM records")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| {
            Ok(RecordKeys {
                contact_id: row.try_get(0)?,
                source: row.try_get(1)?,
                source_record_id: row.try_get(2)?,
                email: row.try_get(3)?,
                linkedin: row.try_get(4)?,
            })
        })
        .collect()
}

/// A stored record with its facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    pub id: i64,
    pub import_id: i64,
    pub contact_id: i64,
    pub source: String,
    pub source_record_id: Option<String>,
    pub row_number: i64,
    pub observed_at: Timestamp,
    pub email: Option<String>,
    pub linkedin: Option<String>,
    pub facts: serde_json::Map<String, serde_json::Value>,
}

const RECORD_COLUMNS: &str = "id, import_id, contact_id, source, source_record_id, row_number, observed_at, email, linkedin, facts FROM records";

fn record(row: &AnyRow) -> Result<Record> {
    let facts: String = row.try_get("facts")?;
    let id: i64 = row.try_get("id")?;
    let facts = match parse_json(&format!("record {id} facts"), &facts)? {
        serde_json::Value::Object(map) => map,
        _ => {
            return Err(StoreError::Corrupt(format!(
                "record {id}: facts are not an object"
            )));
        }
    };
    Ok(Record {
        id,
        import_id: row.try_get("import_id")?,
        contact_id: row.try_get("contact_id")?,
        source: row.try_get("source")?,
        source_record_id: row.try_get("source_record_id")?,
        row_number: row.try_get("row_number")?,
        observed_at: timestamp(row.try_get("observed_at")?)?,
        email: row.try_get("email")?,
        linkedin: row.try_get("linkedin")?,
        facts,
    })
}

/// Every record, in id order.
pub async fn records(conn: &mut AnyConnection) -> Result<Vec<Record>> {
    records_where(conn, "TRUE").await
}

/// The records of some contacts, in id order.
pub async fn records_of(conn: &mut AnyConnection, contacts: &[i64]) -> Result<Vec<Record>> {
    if contacts.is_empty() {
        return Ok(Vec::new());
    }
    records_where(conn, &format!("contact_id IN ({})", id_list(contacts))).await
}

/// Records by id, in id order.
pub async fn records_by_id(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Record>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    records_where(conn, &format!("id IN ({})", id_list(ids))).await
}

/// The records a condition built from our own ids selects, in id order.
async fn records_where(conn: &mut AnyConnection, condition: &str) -> Result<Vec<Record>> {
    let sql = format!("SELECT {RECORD_COLUMNS} WHERE {condition} ORDER BY id");
    sqlx::query(AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?
        .iter()
        .map(record)
        .collect()
}

/// Ids are numbers we hold, so they are written into the statement (a list of binds
/// would be as many parameters).
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// A key a record carries of its own: what an erasure request can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKey<'a> {
    /// A normalised e-mail address.
    Email(&'a str),
    /// A LinkedIn profile's slug.
    Linkedin(&'a str),
    /// A source's own id of the record.
    SourceId { source: &'a str, id: &'a str },
}

/// The records that carry this key themselves (not through a merge), in id order.
pub async fn records_with_key(conn: &mut AnyConnection, key: RecordKey<'_>) -> Result<Vec<Record>> {
    let (condition, binds) = match key {
        RecordKey::Email(email) => ("email = $1", vec![email]),
        RecordKey::Linkedin(slug) => ("linkedin = $1", vec![slug]),
        RecordKey::SourceId { source, id } => {
            ("source = $1 AND source_record_id = $2", vec![source, id])
        }
    };
    let sql = format!("SELECT {RECORD_COLUMNS} WHERE {condition} ORDER BY id");
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for value in binds {
        query = query.bind(value);
    }
    query.fetch_all(conn).await?.iter().map(record).collect()
}

/// The contacts holding a record with this normalised address.
pub async fn contacts_with_email(conn: &mut AnyConnection, email: &str) -> Result<Vec<i64>> {
    sqlx::query("SELECT DISTINCT contact_id FROM records WHERE email = $1 ORDER BY contact_id")
        .bind(email)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok(row.try_get(0)?))
        .collect()
}

/// These contacts and every contact merged into them, directly or through others.
pub async fn with_merged_contacts(conn: &mut AnyConnection, roots: &[i64]) -> Result<Vec<i64>> {
    let mut all: Vec<i64> = roots.to_vec();
    let mut frontier: Vec<i64> = roots.to_vec();
    while !frontier.is_empty() {
        let mut found = Vec::new();
        for chunk in frontier.chunks(500) {
            let sql = format!(
                "SELECT id FROM contacts WHERE merged_into IN ({})",
                id_list(chunk)
            );
            for row in sqlx::query(AssertSqlSafe(sql))
                .fetch_all(&mut *conn)
                .await?
            {
                let id: i64 = row.try_get(0)?;
                if !all.contains(&id) {
                    found.push(id);
                }
            }
        }
        all.extend(&found);
        frontier = found;
    }
    all.sort_unstable();
    Ok(all)
}

/// What [`erase_records`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ErasedRows {
    pub records: u64,
    pub merges: u64,
    pub prospects: u64,
    pub cannot_links: u64,
}

/// What one erasure removes, by id: chosen by the engine from the request's evidence.
#[derive(Debug, Clone, Default)]
pub struct ErasedIds<'a> {
    /// The records deleted, with every fact.
    pub records: &'a [i64],
    /// The merges deleted: their evidence quotes the records' values.
    pub merges: &'a [i64],
    /// Contacts that lose their places on prospect lists (whose profiles were built from the
    /// records): every contact that held one of them.
    pub touched: &'a [i64],
    /// Contacts with nothing left: marked erased, their pairs said to be different people
    /// removed. Sample items keep only the contact id and the reviewer's verdict, and stay.
    pub whole: &'a [i64],
}

/// Removes what an erasure names, in the caller's transaction.
pub async fn erase_records(conn: &mut AnyConnection, ids: &ErasedIds<'_>) -> Result<ErasedRows> {
    let mut erased = ErasedRows::default();
    let run = |sql: String| sqlx::query(AssertSqlSafe(sql));
    for chunk in ids.records.chunks(500) {
        let list = id_list(chunk);
        erased.records += run(format!("DELETE FROM records WHERE id IN ({list})"))
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    for chunk in ids.merges.chunks(500) {
        let list = id_list(chunk);
        erased.merges += run(format!("DELETE FROM merges WHERE id IN ({list})"))
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    for chunk in ids.touched.chunks(500) {
        let list = id_list(chunk);
        erased.prospects += run(format!(
            "DELETE FROM prospects WHERE contact_id IN ({list})"
        ))
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    for chunk in ids.whole.chunks(500) {
        let list = id_list(chunk);
        erased.cannot_links += run(format!(
            "DELETE FROM cannot_link WHERE a IN ({list}) OR b IN ({list})"
        ))
        .execute(&mut *conn)
        .await?
        .rows_affected();
        run(format!(
            "UPDATE contacts SET status = 'erased', merged_into = NULL WHERE id IN ({list})"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(erased)
}

/// Moves records to another contact.
pub async fn move_records(conn: &mut AnyConnection, ids: &[i64], to_contact: i64) -> Result<()> {
    for chunk in ids.chunks(500) {
        let list = id_list(chunk);
        let sql = format!("UPDATE records SET contact_id = $1 WHERE id IN ({list})");
        sqlx::query(AssertSqlSafe(sql))
            .bind(to_contact)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    Active,
    Merged,
    /// Erased at the person's request: the row stays so that lists, gates and the audit
    /// log still name a contact, with nothing about the person left.
    Erased,
}

impl ContactStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Active => "active",
            ContactStatus::Merged => "merged",
            ContactStatus::Erased => "erased",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    pub id: i64,
    pub status: String,
    pub merged_into: Option<i64>,
    pub created_at: Timestamp,
}

pub async fn contact(conn: &mut AnyConnection, id: i64) -> Result<Option<Contact>> {
    let row = sqlx::query("SELECT id, status, merged_into, created_at FROM contacts WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|row| {
        Ok(Contact {
            id: row.try_get(0)?,
            status: row.try_get(1)?,
            merged_into: row.try_get(2)?,
            created_at: timestamp(row.try_get(3)?)?,
        })
    })
    .transpose()
}

/// Inserts one contact.
pub async fn insert_contact(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO contacts (id, status, created_at) VALUES ($1, 'active', $2)")
        .bind(id)
        .bind(micros(now))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_contact_status(
    conn: &mut AnyConnection,
    id: i64,
    status: ContactStatus,
    merged_into: Option<i64>,
) -> Result<()> {
    sqlx::query("UPDATE contacts SET status = $1, merged_into = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(merged_into)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- merges

/// A merge: records that moved into a contact, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Merge {
    pub id: i64,
    pub into_contact: i64,
    pub from_contact: Option<i64>,
    pub records: Vec<i64>,
    /// `key` (at import: the same e-mail, profile or source id) or `model` (entity resolution).
    pub method: String,
    pub probability: Option<f64>,
    pub explanation: serde_json::Value,
    pub actor: String,
    pub at: Timestamp,
    pub undone_at: Option<Timestamp>,
    pub undone_by: Option<String>,
    /// Set when a later run of entity resolution would not make this merge.
    pub questioned: Option<Questioned>,
    /// Set when a person looked at the questioned merge and kept it.
    pub kept: Option<Kept>,
}

/// Why entity resolution would no longer make a merge, and since when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Questioned {
    pub at: Timestamp,
    pub reason: String,
}

/// Who kept a questioned merge, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kept {
    pub by: String,
    pub at: Timestamp,
}

/// Merges gathered for a bulk insert.
#[derive(Debug, Default)]
pub struct MergeBatch(Batch);

impl MergeBatch {
    pub fn push(&mut self, m: &Merge) {
        let b = &mut self.0;
        b.int(m.id);
        b.int(m.into_contact);
        b.opt_int(m.from_contact);
        b.text(&serde_json::Value::from(m.records.clone()).to_string());
        b.text(&m.method);
        b.opt_real(m.probability.filter(|p| p.is_finite()));
        b.text(&m.explanation.to_string());
        b.text(&m.actor);
        b.int(micros(m.at));
        b.end_row();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn take(&mut self) -> Batch {
        self.0.take()
    }
}

/// Inserts a batch taken from a [`MergeBatch`].
pub async fn write_merges(conn: &mut AnyConnection, batch: &Batch) -> Result<()> {
    bulk_insert(
        conn,
        "merges",
        &[
            ("id", Kind::Int),
            ("into_contact", Kind::Int),
            ("from_contact", Kind::Int),
            ("records", Kind::Json),
            ("method", Kind::Text),
            ("probability", Kind::Real),
            ("explanation", Kind::Json),
            ("actor", Kind::Text),
            ("at", Kind::Int),
        ],
        batch,
    )
    .await
}

const MERGE_COLUMNS: &str = "id, into_contact, from_contact, records, method, probability, explanation, actor, at, undone_at, undone_by, questioned_at, questioned_reason, kept_at, kept_by FROM merges";

fn merge(row: &AnyRow) -> Result<Merge> {
    let id: i64 = row.try_get("id")?;
    let records: String = row.try_get("records")?;
    let records: Vec<i64> = serde_json::from_str(&records)
        .map_err(|e| StoreError::Corrupt(format!("merge {id} records: {e}")))?;
    let explanation: String = row.try_get("explanation")?;
    Ok(Merge {
        id,
        into_contact: row.try_get("into_contact")?,
        from_contact: row.try_get("from_contact")?,
        records,
        method: row.try_get("method")?,
        probability: row.try_get("probability")?,
        explanation: parse_json(&format!("merge {id} explanation"), &explanation)?,
        actor: row.try_get("actor")?,
        at: timestamp(row.try_get("at")?)?,
        undone_at: opt_timestamp(row.try_get("undone_at")?)?,
        undone_by: row.try_get("undone_by")?,
        questioned: match opt_timestamp(row.try_get("questioned_at")?)? {
            Some(at) => Some(Questioned {
                at,
                reason: row
                    .try_get::<Option<String>, _>("questioned_reason")?
                    .unwrap_or_default(),
            }),
            None => None,
        },
        kept: match opt_timestamp(row.try_get("kept_at")?)? {
            Some(at) => Some(Kept {
                at,
                by: row
                    .try_get::<Option<String>, _>("kept_by")?
                    .unwrap_or_default(),
            }),
            None => None,
        },
    })
}

pub async fn get_merge(conn: &mut AnyConnection, id: i64) -> Result<Option<Merge>> {
    let sql = format!("SELECT {MERGE_COLUMNS} WHERE id = $1");
    sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(merge)
        .transpose()
}

/// The merges into or out of these contacts, in id order.
pub async fn merges_of_contacts(conn: &mut AnyConnection, contacts: &[i64]) -> Result<Vec<Merge>> {
    let mut merges = Vec::new();
    for chunk in contacts.chunks(500) {
        let list = id_list(chunk);
        let sql = format!(
            "SELECT {MERGE_COLUMNS} WHERE into_contact IN ({list}) OR from_contact IN ({list}) \
             ORDER BY id"
        );
        for row in sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&mut *conn)
            .await?
        {
            merges.push(merge(&row)?);
        }
    }
    merges.sort_by_key(|m| m.id);
    merges.dedup_by_key(|m| m.id);
    Ok(merges)
}

/// The newest merges, newest first.
pub async fn recent_merges(
    conn: &mut AnyConnection,
    method: Option<&str>,
    limit: i64,
) -> Result<Vec<Merge>> {
    let sql = format!(
        "SELECT {MERGE_COLUMNS} WHERE ($1 IS NULL OR method = $1) ORDER BY id DESC LIMIT $2"
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(method)
        .bind(limit)
        .fetch_all(conn)
        .await?
        .iter()
        .map(merge)
        .collect()
}

/// The merges entity resolution made that stand: not undone, not kept by a person after
/// being questioned. A run checks each against its own clustering.
pub async fn standing_model_merges(conn: &mut AnyConnection) -> Result<Vec<Merge>> {
    let sql = format!(
        "SELECT {MERGE_COLUMNS} WHERE method = 'model' AND undone_at IS NULL AND kept_at IS NULL \
         ORDER BY id"
    );
    sqlx::query(AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?
        .iter()
        .map(merge)
        .collect()
}

/// Marks merges as questioned, each with its reason, unless questioned already. Returns
/// how many were newly questioned.
pub async fn question_merges(
    conn: &mut AnyConnection,
    reasons: &[(i64, String)],
    at: Timestamp,
) -> Result<usize> {
    let mut questioned = 0;
    for (id, reason) in reasons {
        questioned += sqlx::query(
            "UPDATE merges SET questioned_at = $1, questioned_reason = $2 \
             WHERE id = $3 AND questioned_at IS NULL",
        )
        .bind(micros(at))
        .bind(reason)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected() as usize;
    }
    Ok(questioned)
}

/// The questioned merges that wait for a person: neither undone nor kept.
pub async fn questioned_merges(conn: &mut AnyConnection) -> Result<Vec<Merge>> {
    let sql = format!(
        "SELECT {MERGE_COLUMNS} WHERE questioned_at IS NOT NULL AND undone_at IS NULL \
         AND kept_at IS NULL ORDER BY id"
    );
    sqlx::query(AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?
        .iter()
        .map(merge)
        .collect()
}

/// A person keeps a questioned merge: it is not questioned again.
pub async fn mark_merge_kept(
    conn: &mut AnyConnection,
    id: i64,
    by: &str,
    at: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE merges SET kept_at = $1, kept_by = $2 WHERE id = $3")
        .bind(micros(at))
        .bind(by)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_merge_undone(
    conn: &mut AnyConnection,
    id: i64,
    by: &str,
    at: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE merges SET undone_at = $1, undone_by = $2 WHERE id = $3")
        .bind(micros(at))
        .bind(by)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that two contacts are different people: they are never merged again.
pub async fn insert_cannot_link(
    conn: &mut AnyConnection,
    a: i64,
    b: i64,
    merge_id: i64,
) -> Result<()> {
    let (a, b) = (a.min(b), a.max(b));
    sqlx::query(
        "INSERT INTO cannot_link (a, b, merge_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(a)
    .bind(b)
    .bind(merge_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn cannot_links(conn: &mut AnyConnection) -> Result<Vec<(i64, i64)>> {
    sqlx::query("SELECT a, b FROM cannot_link")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}

// ---------------------------------------------------------------- suppressions

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub value: String,
    pub reason: String,
    pub added_by: String,
    pub added_at: Timestamp,
}

/// Adds a suppression; false when it was there already.
pub async fn add_suppression(conn: &mut AnyConnection, s: &Suppression) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO suppressions (kind, value, reason, added_by, added_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING",
    )
    .bind(s.kind.as_str())
    .bind(&s.value)
    .bind(&s.reason)
    .bind(&s.added_by)
    .bind(micros(s.added_at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a suppression; false when there was none.
pub async fn remove_suppression(
    conn: &mut AnyConnection,
    kind: SuppressionKind,
    value: &str,
) -> Result<bool> {
    let done = sqlx::query("DELETE FROM suppressions WHERE kind = $1 AND value = $2")
        .bind(kind.as_str())
        .bind(value)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn suppressions(conn: &mut AnyConnection) -> Result<Vec<Suppression>> {
    sqlx::query(
        "SELECT kind, value, reason, added_by, added_at FROM suppressions ORDER BY kind, value",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        let value: String = row.try_get(1)?;
        Ok(Suppression {
            kind: parse_stored(
                &format!("suppressions row `{value}`: kind"),
                &row.try_get::<String, _>(0)?,
            )?,
            value,
            reason: row.try_get(2)?,
            added_by: row.try_get(3)?,
            added_at: timestamp(row.try_get(4)?)?,
        })
    })
    .collect()
}

// ---------------------------------------------------------------- prospect lists

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProspectList {
    pub id: i64,
    pub segment: String,
    pub icp_version_id: i64,
    pub status: ListStatus,
    pub previous_list_id: Option<i64>,
    pub created_at: Timestamp,
    pub summary: serde_json::Value,
}

pub async fn insert_list(conn: &mut AnyConnection, list: &ProspectList) -> Result<()> {
    sqlx::query(
        "INSERT INTO prospect_lists (id, segment, icp_version_id, status, previous_list_id, created_at, summary)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(list.id)
    .bind(&list.segment)
    .bind(list.icp_version_id)
    .bind(list.status.as_str())
    .bind(list.previous_list_id)
    .bind(micros(list.created_at))
    .bind(list.summary.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

const LIST_COLUMNS: &str = "id, segment, icp_version_id, status, previous_list_id, created_at, summary FROM prospect_lists";

fn list(row: &AnyRow) -> Result<ProspectList> {
    let id: i64 = row.try_get("id")?;
    let summary: String = row.try_get("summary")?;
    Ok(ProspectList {
        id,
        segment: row.try_get("segment")?,
        icp_version_id: row.try_get("icp_version_id")?,
        status: parse_stored(
            &format!("prospect_lists row {id}: status"),
            &row.try_get::<String, _>("status")?,
        )?,
        previous_list_id: row.try_get("previous_list_id")?,
        created_at: timestamp(row.try_get("created_at")?)?,
        summary: parse_json(&format!("list {id} summary"), &summary)?,
    })
}

pub async fn get_list(conn: &mut AnyConnection, id: i64) -> Result<Option<ProspectList>> {
    let sql = format!("SELECT {LIST_COLUMNS} WHERE id = $1");
    sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(list)
        .transpose()
}

/// Every list, newest first.
pub async fn lists(conn: &mut AnyConnection) -> Result<Vec<ProspectList>> {
    let sql = format!("SELECT {LIST_COLUMNS} ORDER BY id DESC");
    sqlx::query(AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?
        .iter()
        .map(list)
        .collect()
}

/// Replaces a list's summary (the run's outcome, once its gate is open).
pub async fn set_list_summary(
    conn: &mut AnyConnection,
    id: i64,
    summary: &serde_json::Value,
) -> Result<()> {
    sqlx::query("UPDATE prospect_lists SET summary = $1 WHERE id = $2")
        .bind(summary.to_string())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_list_status(conn: &mut AnyConnection, id: i64, status: ListStatus) -> Result<()> {
    sqlx::query("UPDATE prospect_lists SET status = $1 WHERE id = $2")
        .bind(status.as_str())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// One contact's place on a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prospect {
    pub list_id: i64,
    pub contact_id: i64,
    pub status: Standing,
    pub primary_source: String,
    pub profile: serde_json::Value,
    pub evaluation: serde_json::Value,
    /// What the list is searched, filtered and sorted by, read from the profile and verdict.
    pub columns: ProspectColumns,
}

/// Prospects gathered for a bulk insert.
#[derive(Debug, Default)]
pub struct ProspectBatch(Batch);

impl ProspectBatch {
    pub fn push(&mut self, p: &Prospect) {
        let b = &mut self.0;
        b.int(p.list_id);
        b.int(p.contact_id);
        b.text(p.status.as_str());
        b.text(&p.primary_source);
        b.text(&p.profile.to_string());
        b.text(&p.evaluation.to_string());
        let c = &p.columns;
        for text in [
            &c.name,
            &c.email,
            &c.domain,
            &c.company,
            &c.country,
            &c.seniority,
            &c.drop_kind,
        ] {
            b.text(text);
        }
        b.text(&c.search_text());
        b.end_row();
    }

    pub fn size(&self) -> usize {
        self.0.size()
    }

    /// The rows gathered, leaving the batch empty, for [`write_prospects`].
    pub fn take(&mut self) -> Batch {
        self.0.take()
    }
}

/// Inserts a batch taken from a [`ProspectBatch`].
pub async fn write_prospects(conn: &mut AnyConnection, batch: &Batch) -> Result<()> {
    bulk_insert(
        conn,
        "prospects",
        &[
            ("list_id", Kind::Int),
            ("contact_id", Kind::Int),
            ("status", Kind::Text),
            ("primary_source", Kind::Text),
            ("profile", Kind::Json),
            ("evaluation", Kind::Json),
            ("name", Kind::Text),
            ("email", Kind::Text),
            ("domain", Kind::Text),
            ("company", Kind::Text),
            ("country", Kind::Text),
            ("seniority", Kind::Text),
            ("drop_kind", Kind::Text),
            ("search", Kind::Text),
        ],
        batch,
    )
    .await
}

const PROSPECT_COLUMNS: &str = "list_id, contact_id, status, primary_source, profile, evaluation,
    name, email, domain, company, country, seniority, drop_kind FROM prospects";

fn prospect(row: &AnyRow) -> Result<Prospect> {
    let contact_id: i64 = row.try_get("contact_id")?;
    let profile: String = row.try_get("profile")?;
    let evaluation: String = row.try_get("evaluation")?;
    Ok(Prospect {
        list_id: row.try_get("list_id")?,
        contact_id,
        status: parse_stored(
            &format!("prospects row (contact {contact_id}): status"),
            &row.try_get::<String, _>("status")?,
        )?,
        primary_source: row.try_get("primary_source")?,
        profile: parse_json(&format!("prospect {contact_id} profile"), &profile)?,
        evaluation: parse_json(&format!("prospect {contact_id} evaluation"), &evaluation)?,
        columns: ProspectColumns {
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            domain: row.try_get("domain")?,
            company: row.try_get("company")?,
            country: row.try_get("country")?,
            seniority: row.try_get("seniority")?,
            drop_kind: row.try_get("drop_kind")?,
        },
    })
}

/// The prospects of a list, optionally of one status, by contact id.
pub async fn prospects(
    conn: &mut AnyConnection,
    list_id: i64,
    status: Option<Standing>,
) -> Result<Vec<Prospect>> {
    let sql = format!(
        "SELECT {PROSPECT_COLUMNS} WHERE list_id = $1 AND ($2 IS NULL OR status = $2) ORDER BY contact_id"
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(list_id)
        .bind(status.map(Standing::as_str))
        .fetch_all(conn)
        .await?
        .iter()
        .map(prospect)
        .collect()
}

/// How much discovery holds: records imported, and the contacts they resolve into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub records: i64,
    pub contacts: i64,
}

/// The [`Totals`], counted.
pub async fn totals(conn: &mut AnyConnection) -> Result<Totals> {
    let row = sqlx::query("SELECT COUNT(*), COUNT(DISTINCT contact_id) FROM records")
        .fetch_one(conn)
        .await?;
    Ok(Totals {
        records: row.try_get(0)?,
        contacts: row.try_get(1)?,
    })
}

/// Where each contact stands on a list, without its profile and verdict: what a new list
/// compares itself with.
pub async fn standings(conn: &mut AnyConnection, list_id: i64) -> Result<Vec<(i64, Standing)>> {
    sqlx::query("SELECT contact_id, status FROM prospects WHERE list_id = $1")
        .bind(list_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| {
            let contact_id: i64 = row.try_get(0)?;
            let status = parse_stored(
                &format!("prospects row (list {list_id}, contact {contact_id}): status"),
                &row.try_get::<String, _>(1)?,
            )?;
            Ok((contact_id, status))
        })
        .collect()
}

/// A page of a list's prospects, optionally of one status, by contact id: at most `limit`
/// of those after contact `after`.
pub async fn prospects_page(
    conn: &mut AnyConnection,
    list_id: i64,
    status: Option<Standing>,
    after: i64,
    limit: i64,
) -> Result<Vec<Prospect>> {
    let sql = format!(
        "SELECT {PROSPECT_COLUMNS} WHERE list_id = $1 AND ($2 IS NULL OR status = $2) AND contact_id > $3
         ORDER BY contact_id LIMIT $4"
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(list_id)
        .bind(status.map(Standing::as_str))
        .bind(after)
        .bind(limit)
        .fetch_all(conn)
        .await?
        .iter()
        .map(prospect)
        .collect()
}

/// A column a list's prospects can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProspectSort {
    #[default]
    Contact,
    Name,
    Email,
    Domain,
    Company,
    Country,
    Seniority,
    Status,
    Source,
    DropKind,
}

impl ProspectSort {
    fn column(self) -> &'static str {
        match self {
            ProspectSort::Contact => "contact_id",
            ProspectSort::Name => "name",
            ProspectSort::Email => "email",
            ProspectSort::Domain => "domain",
            ProspectSort::Company => "company",
            ProspectSort::Country => "country",
            ProspectSort::Seniority => "seniority",
            ProspectSort::Status => "status",
            ProspectSort::Source => "primary_source",
            ProspectSort::DropKind => "drop_kind",
        }
    }
}

/// Which of a list's prospects to show, in what order, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct ProspectQuery<'a> {
    pub list_id: i64,
    pub status: Option<Standing>,
    pub country: Option<&'a str>,
    pub source: Option<&'a str>,
    pub drop_kind: Option<&'a str>,
    /// Words the name, e-mail, company or domain contains, in any case.
    pub search: Option<&'a str>,
    pub sort: ProspectSort,
    pub descending: bool,
    pub offset: i64,
    pub limit: i64,
}

/// One page of a [`ProspectQuery`], with how many prospects match it in all.
#[derive(Debug, Clone, Default)]
pub struct ProspectPage {
    pub prospects: Vec<Prospect>,
    pub total: i64,
}

/// The prospects a query asks for. Empty values sort last whichever the direction, and
/// ties go by contact id, so a page is the same each time it is read.
pub async fn find_prospects(
    conn: &mut AnyConnection,
    query: &ProspectQuery<'_>,
) -> Result<ProspectPage> {
    let pattern = query.search.map(|s| {
        let escaped = s
            .trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    let filter = "list_id = $1 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR country = $3)
        AND ($4 IS NULL OR primary_source = $4) AND ($5 IS NULL OR drop_kind = $5)
        AND ($6 IS NULL OR search LIKE $6 ESCAPE '\\')";
    let column = query.sort.column();
    let direction = if query.descending { "DESC" } else { "ASC" };
    let order = match query.sort {
        ProspectSort::Contact => format!("contact_id {direction}"),
        _ => format!("({column} = '') ASC, {column} {direction}, contact_id ASC"),
    };
    let sql =
        format!("SELECT {PROSPECT_COLUMNS} WHERE {filter} ORDER BY {order} LIMIT $7 OFFSET $8");
    let bind = |sql: String| {
        sqlx::query(AssertSqlSafe(sql))
            .bind(query.list_id)
            .bind(query.status.map(Standing::as_str))
            .bind(query.country)
            .bind(query.source)
            .bind(query.drop_kind)
            .bind(pattern.clone())
    };
    let prospects = bind(sql)
        .bind(query.limit)
        .bind(query.offset)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(prospect)
        .collect::<Result<Vec<_>>>()?;
    let total: i64 = bind(format!("SELECT COUNT(*) FROM prospects WHERE {filter}"))
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    Ok(ProspectPage { prospects, total })
}

/// The values a list's prospects can be filtered by, each with how many prospects have it,
/// most first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProspectFacets {
    pub countries: Vec<(String, i64)>,
    pub sources: Vec<(String, i64)>,
    pub drop_kinds: Vec<(String, i64)>,
}

pub async fn prospect_facets(conn: &mut AnyConnection, list_id: i64) -> Result<ProspectFacets> {
    Ok(ProspectFacets {
        countries: facet(conn, list_id, "country").await?,
        sources: facet(conn, list_id, "primary_source").await?,
        drop_kinds: facet(conn, list_id, "drop_kind").await?,
    })
}

/// The values of `column` on list `list_id`, each with its count, most first.
async fn facet(
    conn: &mut AnyConnection,
    list_id: i64,
    column: &'static str,
) -> Result<Vec<(String, i64)>> {
    let sql = format!(
        "SELECT {column}, COUNT(*) AS n FROM prospects WHERE list_id = $1 AND {column} <> ''
         GROUP BY {column} ORDER BY n DESC, {column}"
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(list_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}

/// Every list a contact is on, the newest list first.
pub async fn prospects_of_contact(
    conn: &mut AnyConnection,
    contact_id: i64,
) -> Result<Vec<Prospect>> {
    let sql = format!("SELECT {PROSPECT_COLUMNS} WHERE contact_id = $1 ORDER BY list_id DESC");
    sqlx::query(AssertSqlSafe(sql))
        .bind(contact_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(prospect)
        .collect()
}

pub async fn prospect_of(
    conn: &mut AnyConnection,
    list_id: i64,
    contact_id: i64,
) -> Result<Option<Prospect>> {
    let sql = format!("SELECT {PROSPECT_COLUMNS} WHERE list_id = $1 AND contact_id = $2");
    sqlx::query(AssertSqlSafe(sql))
        .bind(list_id)
        .bind(contact_id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(prospect)
        .transpose()
}

/// The leads: the admitted prospects of approved lists, each contact once (from its newest
/// such list), by contact id; only those of `contacts` when given. What scoring reads,
/// whether for the whole workspace or for the few leads an event touched.
pub async fn leads(conn: &mut AnyConnection, contacts: Option<&[i64]>) -> Result<Vec<Prospect>> {
    let only = match contacts {
        Some([]) => return Ok(Vec::new()),
        Some(ids) => format!(" AND contact_id IN ({})", id_list(ids)),
        None => String::new(),
    };
    let sql = format!(
        "SELECT {PROSPECT_COLUMNS} WHERE status = $1 AND list_id IN \
         (SELECT id FROM prospect_lists WHERE status = $2){only} \
         ORDER BY contact_id, list_id DESC"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(Standing::Admitted.as_str())
        .bind(ListStatus::Approved.as_str())
        .fetch_all(conn)
        .await?;
    newest_per_contact(&rows)
}

/// The contacts among the leads (as [`leads`] reads them) whose address is one of `emails`
/// or whose company's domain is one of `domains`, by id: whom new engagement touches.
pub async fn leads_with_keys(
    conn: &mut AnyConnection,
    emails: &[String],
    domains: &[String],
) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for (column, keys) in [("email", emails), ("domain", domains)] {
        ids.extend(
            leads_by(conn, column, keys)
                .await?
                .into_iter()
                .map(|(id, _)| id),
        );
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The leads (admitted prospects of approved lists) whose `column` (email or domain) is one
/// of `keys`, with that key: (contact id, key).
async fn leads_by(
    conn: &mut AnyConnection,
    column: &'static str,
    keys: &[String],
) -> Result<Vec<(i64, String)>> {
    let mut found = Vec::new();
    for chunk in keys.chunks(EMAILS_PER_QUERY) {
        let binds: Vec<String> = (3..3 + chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT DISTINCT contact_id, {column} FROM prospects WHERE status = $1 AND list_id IN \
             (SELECT id FROM prospect_lists WHERE status = $2) AND {column} IN ({})",
            binds.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(Standing::Admitted.as_str())
            .bind(ListStatus::Approved.as_str());
        for key in chunk {
            query = query.bind(key.as_str());
        }
        for row in query.fetch_all(&mut *conn).await? {
            found.push((row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?));
        }
    }
    Ok(found)
}

/// The leads (admitted prospects of approved lists) whose address is one of `emails`, with
/// that address: (contact id, e-mail), each pair once.
pub async fn leads_with_emails(
    conn: &mut AnyConnection,
    emails: &[String],
) -> Result<Vec<(i64, String)>> {
    let mut found = leads_by(conn, "email", emails).await?;
    found.sort();
    found.dedup();
    Ok(found)
}

/// The prospects whose address is one of `emails` (normalised), each contact once (from
/// its newest list, whatever the list's or the prospect's standing), by contact id: the
/// people a CRM history names.
pub async fn prospects_with_emails(
    conn: &mut AnyConnection,
    emails: &[String],
) -> Result<Vec<Prospect>> {
    let mut rows = Vec::new();
    for chunk in emails.chunks(EMAILS_PER_QUERY) {
        let binds: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {PROSPECT_COLUMNS} WHERE email IN ({}) ORDER BY contact_id, list_id DESC",
            binds.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for email in chunk {
            query = query.bind(email.as_str());
        }
        rows.extend(query.fetch_all(&mut *conn).await?);
    }
    let mut out = newest_per_contact(&rows)?;
    out.sort_by_key(|p| p.contact_id);
    out.dedup_by_key(|p| p.contact_id);
    Ok(out)
}

/// Addresses bound per statement: well under both backends' parameter limits.
const EMAILS_PER_QUERY: usize = 500;

/// Rows ordered by contact and newest list first, as one prospect per contact.
fn newest_per_contact(rows: &[AnyRow]) -> Result<Vec<Prospect>> {
    let mut out: Vec<Prospect> = Vec::new();
    for row in rows {
        let contact_id: i64 = row.try_get("contact_id")?;
        if out.last().is_some_and(|p| p.contact_id == contact_id) {
            continue;
        }
        out.push(prospect(row)?);
    }
    Ok(out)
}

// ---------------------------------------------------------------- sample review

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleItem {
    pub gate_id: i64,
    pub position: i64,
    pub list_id: i64,
    pub contact_id: i64,
    pub stratum: String,
    /// Once reviewed.
    pub verdict: Option<ReviewVerdict>,
    pub reason: Option<String>,
    pub reviewer: Option<String>,
    pub at: Option<Timestamp>,
}

pub async fn insert_sample_item(conn: &mut AnyConnection, item: &SampleItem) -> Result<()> {
    sqlx::query(
        "INSERT INTO sample_items (gate_id, position, list_id, contact_id, stratum) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(item.gate_id)
    .bind(item.position)
    .bind(item.list_id)
    .bind(item.contact_id)
    .bind(&item.stratum)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn sample_items(conn: &mut AnyConnection, gate_id: i64) -> Result<Vec<SampleItem>> {
    sqlx::query(
        "SELECT gate_id, position, list_id, contact_id, stratum, verdict, reason, reviewer, at
         FROM sample_items WHERE gate_id = $1 ORDER BY position",
    )
    .bind(gate_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        let (gate_id, position): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        let verdict: Option<String> = row.try_get(5)?;
        Ok(SampleItem {
            gate_id,
            position,
            list_id: row.try_get(2)?,
            contact_id: row.try_get(3)?,
            stratum: row.try_get(4)?,
            verdict: verdict
                .map(|v| {
                    parse_stored(
                        &format!("sample_items row (gate {gate_id}, position {position}): verdict"),
                        &v,
                    )
                })
                .transpose()?,
            reason: row.try_get(6)?,
            reviewer: row.try_get(7)?,
            at: opt_timestamp(row.try_get(8)?)?,
        })
    })
    .collect()
}

pub async fn record_sample_verdict(
    conn: &mut AnyConnection,
    gate_id: i64,
    position: i64,
    verdict: ReviewVerdict,
    reason: Option<&str>,
    reviewer: &str,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE sample_items SET verdict = $1, reason = $2, reviewer = $3, at = $4
         WHERE gate_id = $5 AND position = $6",
    )
    .bind(verdict.as_str())
    .bind(reason)
    .bind(reviewer)
    .bind(micros(at))
    .bind(gate_id)
    .bind(position)
    .execute(conn)
    .await?;
    Ok(())
}

fn parse_json(what: &str, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// Sets an import's totals, report and content hash once its rows are in (the hash is known
/// only when the input has been read to its end).
pub async fn finish_import(conn: &mut AnyConnection, import: &ImportRow) -> Result<()> {
    sqlx::query(
        "UPDATE imports SET content_hash = $1, rows_read = $2, stored = $3, merged = $4, rejected = $5, report = $6 WHERE id = $7",
    )
    .bind(&import.content_hash)
    .bind(import.rows_read)
    .bind(import.stored)
    .bind(import.merged)
    .bind(import.rejected)
    .bind(import.report.to_string())
    .bind(import.id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves records to contacts in bulk: `(record id, contact id)` pairs.
pub async fn reassign_records(conn: &mut AnyConnection, moves: &[(i64, i64)]) -> Result<()> {
    for chunk in moves.chunks(5_000) {
        let batch = serde_json::to_string(chunk)
            .map_err(|e| StoreError::Corrupt(format!("record moves: {e}")))?;
        let sql = match backend_of(conn) {
            Backend::Sqlite => {
                "UPDATE records SET contact_id = json_extract(j.value, '$[1]')
                 FROM json_each($1) AS j WHERE records.id = json_extract(j.value, '$[0]')"
            }
            Backend::Postgres => {
                "UPDATE records SET contact_id = (e->>1)::BIGINT
                 FROM json_array_elements($1::json) AS e WHERE records.id = (e->>0)::BIGINT"
            }
        };
        sqlx::query(sql).bind(batch).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Marks contacts merged into others in bulk: `(contact id, merged into)` pairs.
pub async fn mark_contacts_merged(conn: &mut AnyConnection, merged: &[(i64, i64)]) -> Result<()> {
    for chunk in merged.chunks(5_000) {
        let batch = serde_json::to_string(chunk)
            .map_err(|e| StoreError::Corrupt(format!("contact merges: {e}")))?;
        let sql = match backend_of(conn) {
            Backend::Sqlite => {
                "UPDATE contacts SET status = 'merged', merged_into = json_extract(j.value, '$[1]')
                 FROM json_each($1) AS j WHERE contacts.id = json_extract(j.value, '$[0]')"
            }
            Backend::Postgres => {
                "UPDATE contacts SET status = 'merged', merged_into = (e->>1)::BIGINT
                 FROM json_array_elements($1::json) AS e WHERE contacts.id = (e->>0)::BIGINT"
            }
        };
        sqlx::query(sql).bind(batch).execute(&mut *conn).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- refresh queue

/// A contact waiting for fresh data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefreshRequest {
    pub contact_id: i64,
    /// `stale` (facts older than the refresh age) or `needs_data` (a required ICP criterion
    /// the facts cannot decide).
    pub reason: String,
    /// In words: how old the facts are, or the data the contact waits for.
    pub detail: String,
    /// When the contact was first queued for this reason.
    pub queued_at: Timestamp,
}

/// Puts what a discovery run found in the queue, keeping when each contact that was already
/// queued for the same reason was first queued. A run of every live ICP (`whole`) replaces
/// the queue; a run of one segment only adds to it.
pub async fn replace_refresh_queue(
    conn: &mut AnyConnection,
    requests: &[RefreshRequest],
    whole: bool,
) -> Result<()> {
    let earlier: HashMap<(i64, String), Timestamp> = refresh_queue(conn)
        .await?
        .into_iter()
        .map(|r| ((r.contact_id, r.reason), r.queued_at))
        .collect();
    if whole {
        sqlx::query("DELETE FROM refresh_queue")
            .execute(&mut *conn)
            .await?;
    }
    for chunk in requests.chunks(250) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, ${})",
                    4 * i + 1,
                    4 * i + 2,
                    4 * i + 3,
                    4 * i + 4
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO refresh_queue (contact_id, reason, detail, queued_at) VALUES {} \
             ON CONFLICT (contact_id, reason) DO NOTHING",
            values.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for r in chunk {
            let queued_at = earlier
                .get(&(r.contact_id, r.reason.clone()))
                .copied()
                .unwrap_or(r.queued_at);
            query = query
                .bind(r.contact_id)
                .bind(r.reason.clone())
                .bind(r.detail.clone())
                .bind(micros(queued_at));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The refresh queue, oldest first.
pub async fn refresh_queue(conn: &mut AnyConnection) -> Result<Vec<RefreshRequest>> {
    sqlx::query(
        "SELECT contact_id, reason, detail, queued_at FROM refresh_queue \
         ORDER BY queued_at, contact_id, reason",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        Ok(RefreshRequest {
            contact_id: row.try_get(0)?,
            reason: row.try_get(1)?,
            detail: row.try_get(2)?,
            queued_at: timestamp(row.try_get(3)?)?,
        })
    })
    .collect()
}

// ---------------------------------------------------------------- customer accounts

/// An account a CRM says is a customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerAccount {
    pub source: String,
    /// The registrable domain.
    pub domain: String,
    pub name: Option<String>,
    pub imported_at: Timestamp,
    pub imported_by: String,
}

/// Replaces one source's customer accounts with these; how many there were before.
pub async fn replace_customer_accounts(
    conn: &mut AnyConnection,
    source: &str,
    accounts: &[CustomerAccount],
) -> Result<u64> {
    let before = sqlx::query("DELETE FROM customer_accounts WHERE source = $1")
        .bind(source)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    for chunk in accounts.chunks(200) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let n = 5 * i;
                format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO customer_accounts (source, domain, name, imported_at, imported_by) \
             VALUES {} ON CONFLICT (source, domain) DO NOTHING",
            values.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for a in chunk {
            query = query
                .bind(a.source.clone())
                .bind(a.domain.clone())
                .bind(a.name.clone())
                .bind(micros(a.imported_at))
                .bind(a.imported_by.clone());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(before)
}

/// Every customer account, by domain.
pub async fn customer_accounts(conn: &mut AnyConnection) -> Result<Vec<CustomerAccount>> {
    sqlx::query(
        "SELECT source, domain, name, imported_at, imported_by FROM customer_accounts \
         ORDER BY domain, source",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        Ok(CustomerAccount {
            source: row.try_get(0)?,
            domain: row.try_get(1)?,
            name: row.try_get(2)?,
            imported_at: timestamp(row.try_get(3)?)?,
            imported_by: row.try_get(4)?,
        })
    })
    .collect()
}
