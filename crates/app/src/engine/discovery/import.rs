//! Importing a source: every row of a file (or of a search run) becomes a record with its
//! facts, in one transaction, so that an import lands whole or not at all.
//!
//! A row joins a known contact when it carries the same source record id (the same source
//! seen again), the same e-mail address (not a role account) or the same LinkedIn profile
//! as a record already stored or read earlier in the file: that row is *merged*, and the
//! merge is recorded with the key that matched, so it can be explained and undone. Any other
//! row starts a new contact: it is *stored*. Rows that cannot be read, or name nobody, are
//! *rejected* with their row number and reason, and written to a CSV the user can fix and
//! import again; the report counts them by reason ("493 rows: no usable identity: …"). The
//! rows of a person erased at their request (an erasure hash of the address or profile is
//! on the suppression list) are rejected too, and not written anywhere.
//! `rows_read = stored + merged + rejected` always.
//!
//! A file that would store nothing — not text, a header that can name nobody, no rows — is
//! refused when it is opened, before the transaction: no import, audit entry, event or
//! reject file is written, and the error ([`Error::Invalid`]) says why.
//!
//! The reading and normalising run on a thread of their own and hand batches of rows (as
//! the JSON the store inserts in bulk) to the writer, so the two cores share the work.

use std::fs::File;
use std::io::{BufWriter, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::Timestamp;
use leadgate_connectors::import::{
    self, Import, ImportOptions, Original, ProspectRecord, RejectWriter,
};
use leadgate_core::audit::{Action, Actor, Subject};
use leadgate_core::discovery::compliance::{Erasures, SuppressionKind};
use leadgate_core::event::EventKind;
use leadgate_store::Store;
use leadgate_store::discovery::{
    self as stored, Batch, ContactBatch, ImportRow, Merge, MergeBatch, NewRecord, RecordBatch,
};
use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::facts::{Keys, keys_of, write_facts};
use crate::engine::{Error, Result, emit, record};

/// Rows per bulk insert.
const BATCH_ROWS: usize = 2_000;
/// Rejected rows listed in the report itself (all of them are in the reject file).
const REPORTED_REJECTS: usize = 1_000;

/// Why the row of an erased person is refused.
pub const ERASED: &str = "the person was erased at their request (GDPR Art. 17): not stored";

/// What to import and how.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub path: PathBuf,
    /// The source's name: `apollo`, `salesnav`, `hubspot`, a list's name …
    pub source: String,
    pub options: ImportOptions,
    /// How the columns were named, for the record: a preset's name or `mapping:FILE`.
    pub format: String,
    pub actor: Actor,
    /// Where the report and the reject file are written.
    pub reports_dir: PathBuf,
}

/// Counters a progress bar reads while the import runs.
#[derive(Debug, Default)]
pub struct Progress {
    pub bytes_total: AtomicU64,
    pub bytes_read: AtomicU64,
    pub rows: AtomicU64,
}

/// A rejected row as the report lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejectedLine {
    pub row: u64,
    pub line: u64,
    pub reason: String,
}

/// Rows rejected for one reason, counted: what a report shows instead of a line a row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejections {
    /// The reason the rows share, without any row's own values.
    pub reason: String,
    pub rows: u64,
    /// The first of them (row numbers), up to [`FIRST_ROWS`].
    pub first_rows: Vec<u64>,
}

/// Row numbers a [`Rejections`] lists.
pub const FIRST_ROWS: usize = 5;

/// The rejections of an import by reason, most rows first (ties in the order met).
#[derive(Default)]
struct RejectionTally(Vec<Rejections>);

impl RejectionTally {
    fn add(&mut self, reason: String, row: u64) {
        let at = match self.0.iter().position(|r| r.reason == reason) {
            Some(at) => at,
            None => {
                self.0.push(Rejections {
                    reason,
                    rows: 0,
                    first_rows: Vec::new(),
                });
                self.0.len() - 1
            }
        };
        let group = &mut self.0[at];
        group.rows += 1;
        if group.first_rows.len() < FIRST_ROWS {
            group.first_rows.push(row);
        }
    }

    fn into_sorted(mut self) -> Vec<Rejections> {
        // A stable sort keeps reasons with as many rows in the order they were met.
        self.0.sort_by_key(|r| std::cmp::Reverse(r.rows));
        self.0
    }
}

/// The account of one import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    pub import_id: i64,
    pub source: String,
    pub file: String,
    pub format: String,
    pub encoding: String,
    pub delimiter: Option<String>,
    pub rows_read: u64,
    pub stored: u64,
    pub merged: u64,
    pub rejected: u64,
    pub blank_lines: u64,
    pub warnings: u64,
    pub notices: Vec<String>,
    /// The rejected rows counted by reason, most first.
    pub rejections: Vec<Rejections>,
    /// The first rejected rows (all of them are in `reject_file`).
    pub rejected_rows: Vec<RejectedLine>,
    pub reject_file: Option<String>,
    pub report_file: String,
    /// An earlier import of the same bytes from the same source.
    pub same_file_as_import: Option<i64>,
    pub observed_at_default: Timestamp,
}

/// What matches a new row to a contact already known.
#[derive(Default)]
struct KeyIndex {
    /// Source → its record id → contact.
    by_source_id: FxHashMap<Box<str>, FxHashMap<Box<str>, i64>>,
    by_email: FxHashMap<Box<str>, i64>,
    by_linkedin: FxHashMap<Box<str>, i64>,
}

impl KeyIndex {
    fn insert(
        &mut self,
        source: &str,
        keys: (Option<&str>, Option<&str>, Option<&str>),
        contact: i64,
    ) {
        let (source_id, email, linkedin) = keys;
        if let Some(id) = source_id {
            let ids = match self.by_source_id.get_mut(source) {
                Some(ids) => ids,
                None => self.by_source_id.entry(source.into()).or_default(),
            };
            ids.entry(id.into()).or_insert(contact);
        }
        if let Some(e) = email {
            self.by_email.entry(e.into()).or_insert(contact);
        }
        if let Some(l) = linkedin {
            self.by_linkedin.entry(l.into()).or_insert(contact);
        }
    }

    /// The contact a row's keys name, and which key: the source's own id first, then the
    /// e-mail address, then the profile.
    fn find(
        &self,
        source: &str,
        keys: (Option<&str>, Option<&str>, Option<&str>),
    ) -> Option<(i64, &'static str, String)> {
        let (source_id, email, linkedin) = keys;
        if let Some(id) = source_id
            && let Some(&c) = self.by_source_id.get(source).and_then(|ids| ids.get(id))
        {
            return Some((c, "source_record_id", id.to_string()));
        }
        if let Some(e) = email
            && let Some(&c) = self.by_email.get(e)
        {
            return Some((c, "email", e.to_string()));
        }
        if let Some(l) = linkedin
            && let Some(&c) = self.by_linkedin.get(l)
        {
            return Some((c, "linkedin", l.to_string()));
        }
        None
    }
}

/// One batch for the writer: contacts first, then the records that point at them, then the
/// merges.
struct Chunk {
    contacts: Option<Batch>,
    records: Batch,
    merges: Option<Batch>,
}

/// What the reading thread counted.
struct RowsRead {
    summary: import::ReadSummary,
    stored: u64,
    merged: u64,
    /// Rows of people erased at their request, refused (and counted as rejected).
    erased: u64,
    /// Rows that could not be read and name an erased person: rejected by the reader, not
    /// written to the reject file.
    withheld_rejects: u64,
    rejected_rows: Vec<RejectedLine>,
    rejections: RejectionTally,
}

/// Imports a file: reads, normalises, matches and stores every row, and records the import
/// in the audit log with an event that starts discovery.
pub async fn import_file(
    store: &Store,
    request: &ImportRequest,
    progress: Option<Arc<Progress>>,
    now: Timestamp,
) -> Result<ImportReport> {
    let path = request.path.clone();
    let file_name = path.display().to_string();
    if let Some(p) = &progress {
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        p.bytes_total.store(size, Ordering::Relaxed);
    }
    let mut options = request.options.clone();
    options.observed_at = Some(options.observed_at.unwrap_or(now));
    // Open before the transaction: a file that cannot be read changes nothing.
    let reader = import::open(&path, &options).map_err(|e| Error::Invalid(e.to_string()))?;
    import_rows(store, request, reader, file_name, progress, now).await
}

/// Imports rows that are already being read — a file, or the people a search source found —
/// under `origin` (what the report calls them). The bytes read are hashed as they go by, so
/// that the same bytes imported again are recognised.
pub async fn import_rows(
    store: &Store,
    request: &ImportRequest,
    reader: Import,
    file_name: String,
    progress: Option<Arc<Progress>>,
    now: Timestamp,
) -> Result<ImportReport> {
    let observed_default = request.options.observed_at.unwrap_or(now);
    let mut tx = store.begin().await?;
    stored::lock(&mut tx).await?;
    stored::begin_bulk_writes(&mut tx).await?;
    let ids = stored::next_ids(&mut tx).await?;
    let (index, erasures) = known_people(&mut tx).await?;
    let import_id = ids.import;
    stored::insert_import(&mut tx, &import_row(request, import_id, &file_name, now)).await?;

    std::fs::create_dir_all(&request.reports_dir).map_err(|e| {
        Error::Invalid(format!(
            "cannot create {}: {e}",
            request.reports_dir.display()
        ))
    })?;
    let reject_path = request.reports_dir.join(format!(
        "import-{import_id}-rejected{}",
        reject_extension(&reader)
    ));
    let report_path = request
        .reports_dir
        .join(format!("import-{import_id}-report.json"));

    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Chunk>(4);
    let source = request.source.clone();
    let reject_file = reject_path.clone();
    let reading = tokio::task::spawn_blocking(move || {
        read_rows(
            reader,
            &source,
            import_id,
            (ids.contact, ids.record, ids.merge),
            index,
            &erasures,
            &reject_file,
            progress,
            now,
            sender,
        )
    });
    let mut written: Result<()> = Ok(());
    while let Some(chunk) = receiver.recv().await {
        if written.is_err() {
            continue;
        }
        written = write_chunk(&mut tx, &chunk).await;
    }
    let read = match reading.await {
        Ok(read) => read,
        Err(e) => Err(Error::Internal(format!("the import stopped: {e}"))),
    };
    // The connection goes back to the pool with its usual cache, whatever happened.
    let restored = stored::end_bulk_writes(&mut tx).await.map_err(Error::from);
    let written = written.and(restored);
    let read = match (read, written) {
        (Ok(read), Ok(())) => read,
        (Err(e), _) | (_, Err(e)) => {
            tx.rollback().await?;
            let _ = std::fs::remove_file(&reject_path);
            return Err(e);
        }
    };

    let summary = &read.summary;
    let Some(content_hash) = summary.content_sha256.clone() else {
        tx.rollback().await?;
        let _ = std::fs::remove_file(&reject_path);
        return Err(Error::Invalid(format!(
            "{file_name}: the input was not read to its end"
        )));
    };
    let same_file = stored::imported_before(&mut tx, &request.source, &content_hash).await?;
    let report = ImportReport {
        import_id,
        source: request.source.clone(),
        file: file_name.clone(),
        format: request.format.clone(),
        encoding: summary.encoding.to_string(),
        delimiter: summary.delimiter.map(delimiter_name),
        rows_read: summary.rows_read,
        stored: read.stored,
        merged: read.merged,
        rejected: summary.rejected + read.erased,
        blank_lines: summary.blank_lines,
        warnings: summary.warnings,
        notices: summary.notices.iter().map(ToString::to_string).collect(),
        rejections: read.rejections.into_sorted(),
        rejected_rows: read.rejected_rows,
        reject_file: (summary.rejected > read.withheld_rejects)
            .then(|| reject_path.display().to_string()),
        report_file: report_path.display().to_string(),
        same_file_as_import: same_file,
        observed_at_default: observed_default,
    };
    if summary.rejected == read.withheld_rejects {
        let _ = std::fs::remove_file(&reject_path);
    }
    debug_assert_eq!(
        report.rows_read,
        report.stored + report.merged + report.rejected
    );
    let report_json = serde_json::to_value(&report).map_err(|e| Error::Internal(e.to_string()))?;
    finish_import(&mut tx, request, &report, &report_json, content_hash, now).await?;
    tx.commit().await?;
    std::fs::write(
        &report_path,
        serde_json::to_string_pretty(&report_json).unwrap_or_default(),
    )
    .map_err(|e| Error::file(&report_path, format!("cannot write it: {e}")))?;
    Ok(report)
}

/// The people the store knows: each record's keys with its contact, and the erased.
async fn known_people(conn: &mut leadgate_store::Conn) -> Result<(KeyIndex, Erasures)> {
    let mut index = KeyIndex::default();
    for k in stored::record_keys(conn).await? {
        index.insert(
            &k.source,
            (
                k.source_record_id.as_deref(),
                k.email.as_deref(),
                k.linkedin.as_deref(),
            ),
            k.contact_id,
        );
    }
    // People erased at their request come back with the next export: their rows are
    // refused here, before anything about them is stored.
    let mut erasures = Erasures::default();
    for s in stored::suppressions(conn).await? {
        if s.kind == SuppressionKind::Erasure {
            erasures.add(&s.value);
        }
    }
    Ok((index, erasures))
}

/// The import's row as it starts: nothing read yet.
fn import_row(request: &ImportRequest, id: i64, origin: &str, now: Timestamp) -> ImportRow {
    ImportRow {
        id,
        source: request.source.clone(),
        origin: origin.to_string(),
        format: request.format.clone(),
        content_hash: String::new(),
        imported_by: request.actor.name().to_string(),
        at: now,
        rows_read: 0,
        stored: 0,
        merged: 0,
        rejected: 0,
        report: json!({}),
    }
}

/// Completes the import's row with its report, audits the import and emits the event that
/// starts discovery.
async fn finish_import(
    conn: &mut leadgate_store::Conn,
    request: &ImportRequest,
    report: &ImportReport,
    report_json: &Value,
    content_hash: String,
    now: Timestamp,
) -> Result<()> {
    let row = ImportRow {
        content_hash,
        rows_read: report.rows_read as i64,
        stored: report.stored as i64,
        merged: report.merged as i64,
        rejected: report.rejected as i64,
        report: report_json.clone(),
        ..import_row(request, report.import_id, &report.file, now)
    };
    stored::finish_import(conn, &row).await?;
    let subject = Subject::Import(report.import_id);
    let totals = json!({
        "import": report.import_id,
        "source": request.source,
        "file": report.file,
        "rows_read": report.rows_read,
        "stored": report.stored,
        "merged": report.merged,
        "rejected": report.rejected,
    });
    record(
        conn,
        &request.actor,
        Action::SourceImported,
        &subject,
        totals.clone(),
        now,
    )
    .await?;
    emit(conn, EventKind::SourceImported, &subject, totals, now).await?;
    Ok(())
}

async fn write_chunk(conn: &mut leadgate_store::Conn, chunk: &Chunk) -> Result<()> {
    if let Some(contacts) = &chunk.contacts {
        stored::write_contacts(conn, contacts).await?;
    }
    stored::write_records(conn, &chunk.records).await?;
    if let Some(merges) = &chunk.merges {
        stored::write_merges(conn, merges).await?;
    }
    Ok(())
}

/// A row matched to its contact, on its way from the reading stage to the storing stage.
struct Matched {
    row: ProspectRecord,
    keys: Keys,
    record_id: i64,
    contact_id: i64,
    /// Set when the row joined a known contact: the merge's id, and the key that matched
    /// with its value. Otherwise the row starts the contact.
    joined: Option<(i64, &'static str, String)>,
}

/// Reads the rows in two stages on two threads: this one reads, normalises and matches each
/// row to a contact (in file order, as matching needs), and a second one writes each row's
/// facts and gathers the batches the writer inserts.
#[allow(clippy::too_many_arguments)]
fn read_rows(
    mut reader: Import,
    source: &str,
    import_id: i64,
    (mut next_contact, mut next_record, mut next_merge): (i64, i64, i64),
    mut index: KeyIndex,
    erasures: &Erasures,
    reject_path: &Path,
    progress: Option<Arc<Progress>>,
    now: Timestamp,
    sender: tokio::sync::mpsc::Sender<Chunk>,
) -> Result<RowsRead> {
    let reject_out = File::create(reject_path)
        .map_err(|e| Error::file(reject_path, format!("cannot create it: {e}")))?;
    let mut rejects = RejectWriter::for_import(BufWriter::new(reject_out), &reader)
        .map_err(|e| Error::file(reject_path, e))?;
    let (mut stored_rows, mut merged_rows, mut erased_rows) = (0u64, 0u64, 0u64);
    // Rows that could not be read and name an erased person: counted, never written.
    let mut withheld_rejects = 0u64;
    let mut rejected_rows = Vec::new();
    let mut rejections = RejectionTally::default();
    let (to_store, matched) = std::sync::mpsc::sync_channel::<Vec<Matched>>(2);
    std::thread::scope(|scope| {
        let storing = scope.spawn(|| store_rows(matched, source, import_id, now, sender));
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        let reading = || -> Result<()> {
            while let Some(item) = reader.next() {
                if let Some(p) = &progress {
                    p.rows.fetch_add(1, Ordering::Relaxed);
                }
                let row = match item {
                    Ok(row) => row,
                    Err(rejected) => {
                        let erased = match &rejected.original {
                            Original::Fields(fields) => {
                                fields.iter().any(|f| erasures.covers_text(f))
                            }
                            Original::Line(line) => erasures.covers_text(line),
                        };
                        if erased {
                            withheld_rejects += 1;
                            rejections.add(ERASED.to_string(), rejected.row);
                        } else {
                            rejects
                                .write(&rejected)
                                .map_err(|e| Error::file(reject_path, e))?;
                            rejections.add(rejected.reason.summary(), rejected.row);
                        }
                        if rejected_rows.len() < REPORTED_REJECTS {
                            rejected_rows.push(RejectedLine {
                                row: rejected.row,
                                line: rejected.line,
                                reason: if erased {
                                    ERASED.to_string()
                                } else {
                                    rejected.reason.to_string()
                                },
                            });
                        }
                        continue;
                    }
                };
                let keys = keys_of(&row);
                if erasures.covers(keys.email.as_deref(), keys.linkedin.as_deref()) {
                    // Rejected, and not written to the reject file: nothing of the row is
                    // kept but its number.
                    erased_rows += 1;
                    rejections.add(ERASED.to_string(), row.row);
                    if rejected_rows.len() < REPORTED_REJECTS {
                        rejected_rows.push(RejectedLine {
                            row: row.row,
                            line: row.line,
                            reason: ERASED.to_string(),
                        });
                    }
                    continue;
                }
                let key_refs = (
                    keys.source_record_id.as_deref(),
                    keys.email.as_deref(),
                    keys.linkedin.as_deref(),
                );
                let record_id = next_record;
                next_record += 1;
                let (contact_id, joined) = match index.find(source, key_refs) {
                    Some((contact, key, value)) => {
                        merged_rows += 1;
                        next_merge += 1;
                        (contact, Some((next_merge - 1, key, value)))
                    }
                    None => {
                        stored_rows += 1;
                        next_contact += 1;
                        (next_contact - 1, None)
                    }
                };
                index.insert(source, key_refs, contact_id);
                batch.push(Matched {
                    row,
                    keys,
                    record_id,
                    contact_id,
                    joined,
                });
                if batch.len() >= BATCH_ROWS {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
                    to_store.send(full).map_err(|_| writer_stopped())?;
                    if let Some(p) = &progress {
                        p.bytes_read.store(reader.bytes_read(), Ordering::Relaxed);
                    }
                }
            }
            if !batch.is_empty() {
                to_store.send(batch).map_err(|_| writer_stopped())?;
            }
            Ok(())
        };
        let read = reading();
        drop(to_store);
        let stored = storing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // The storing stage's error says why the reading stopped, when it stopped first.
        stored.and(read)
    })?;
    if let Some(p) = &progress {
        p.bytes_read.store(reader.bytes_read(), Ordering::Relaxed);
    }
    rejects.finish().map_err(|e| Error::file(reject_path, e))?;
    let summary = reader.finish().map_err(|e| Error::Invalid(e.to_string()))?;
    Ok(RowsRead {
        summary,
        stored: stored_rows,
        merged: merged_rows,
        erased: erased_rows,
        withheld_rejects,
        rejected_rows,
        rejections,
    })
}

/// The storing stage: each matched row's facts, its record, its new contact or its key
/// merge, gathered into the batches the writer inserts.
fn store_rows(
    matched: std::sync::mpsc::Receiver<Vec<Matched>>,
    source: &str,
    import_id: i64,
    now: Timestamp,
    sender: tokio::sync::mpsc::Sender<Chunk>,
) -> Result<()> {
    let mut contacts = ContactBatch::default();
    let mut records = RecordBatch::default();
    let mut merges = MergeBatch::default();
    let mut facts_text = String::new();
    for batch in matched {
        for m in batch {
            match &m.joined {
                Some((merge_id, key, value)) => merges.push(&Merge {
                    id: *merge_id,
                    into_contact: m.contact_id,
                    from_contact: None,
                    records: vec![m.record_id],
                    method: "key".into(),
                    probability: None,
                    explanation: json!({ "key": key, "value": value, "row": m.row.row, "source": source }),
                    actor: "system".into(),
                    at: now,
                    undone_at: None,
                    undone_by: None,
                    questioned: None,
                    kept: None,
                }),
                None => contacts.push(m.contact_id, now),
            }
            facts_text.clear();
            write_facts(&m.row, &mut facts_text);
            records.push(&NewRecord {
                id: m.record_id,
                import_id,
                contact_id: m.contact_id,
                source,
                source_record_id: m.keys.source_record_id.as_deref(),
                row_number: m.row.row as i64,
                observed_at: m.row.observed_at.unwrap_or(now),
                email: m.keys.email.as_deref(),
                linkedin: m.keys.linkedin.as_deref(),
                facts: &facts_text,
            });
        }
        let chunk = Chunk {
            contacts: (!contacts.is_empty()).then(|| contacts.take()),
            records: records.take(),
            merges: (!merges.is_empty()).then(|| merges.take()),
        };
        sender.blocking_send(chunk).map_err(|_| writer_stopped())?;
    }
    Ok(())
}

fn writer_stopped() -> Error {
    Error::Internal("the database writer stopped".into())
}

fn reject_extension(reader: &Import) -> &'static str {
    match reader.summary().format {
        import::FileFormat::Csv => ".csv",
        import::FileFormat::JsonLines => ".jsonl",
    }
}

fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        other => (other as char).to_string(),
    }
}

/// The SHA-256 of a file, streamed.
pub fn file_hash(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::file(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::file(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}
