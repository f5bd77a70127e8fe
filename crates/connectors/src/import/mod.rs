//! File importers: the exports of Apollo, LinkedIn Sales Navigator (through the usual export
//! tools), HubSpot, Salesforce and any CSV or JSON Lines file with a mapping, read as a
//! stream of [`ProspectRecord`]s with raw and normalised values, and an exact account of
//! every row.
//!
//! ```no_run
//! use leadgate_connectors::import::{ImportOptions, RejectWriter, open};
//!
//! let mut import = open("apollo_people.csv".as_ref(), &ImportOptions::default())?;
//! let mut rejects = RejectWriter::for_import(Vec::new(), &import)?;
//! for item in &mut import {
//!     match item {
//!         Ok(record) => { /* store its facts */ }
//!         Err(rejected) => rejects.write(&rejected)?,
//!     }
//! }
//! let summary = import.finish()?;
//! assert_eq!(summary.rows_read, summary.accepted + summary.rejected);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **Reading.** The file streams: a 64 KiB prefix is read to decide the encoding, the file
//! format and the delimiter, then rows are parsed one at a time, so memory does not grow
//! with the file. Encodings: UTF-8 with or without a BOM, UTF-16 LE/BE (with a BOM, or
//! recognised by its zero bytes), and Windows-1252 for rows that are not valid UTF-8 (a
//! notice names the first such row and its first bad byte). CSV delimiters `,` `;` tab `|`
//! are sniffed ([`sniff`]) unless given. Quoted fields may hold delimiters, doubled quotes
//! and line breaks. JSON Lines files (`.jsonl`, `.ndjson`, or a first character `{`) hold
//! one object per line; keys are columns.
//!
//! **Row numbers.** Every row, record, rejection and notice carries `row`, the 1-based data
//! row (the header is row 0; blank lines are not rows; a quoted line break does not start a
//! row), and `line`, the 1-based physical line where the row starts. For JSON Lines the
//! header is implicit, so `row` counts the non-blank lines and `line` is the line.
//!
//! **Ragged rows.** A row with fewer fields than the header is kept: the missing fields are
//! empty, and the record has a warning. A row with more fields is kept when the surplus
//! fields are all empty (spreadsheets pad rows with delimiters); when one is not, the row
//! is rejected ([`RejectReason::TooManyFields`]): an unquoted delimiter inside a value has
//! shifted every field after it, so none can be trusted.
//!
//! **Blank lines** (empty, only spaces, or only delimiters) are skipped and counted in
//! [`ReadSummary::blank_lines`]; they are not rows.
//!
//! **Line endings** LF, CRLF and (classic Mac) CR are read alike. A CR at the very end of a
//! row's last field is taken for the CR of a CRLF line end and dropped, even inside quotes.
//!
//! **Windows-1252** is decided per row: a row whose bytes are valid UTF-8 is read as UTF-8.
//! Windows-1252 text that happens to be valid UTF-8 (rare in real text: "Â®", "é€€") is
//! therefore read as UTF-8 unless the encoding is given.
//!
//! **Rejection.** A row is rejected only when it cannot be read (too many fields, invalid
//! JSON, not an object) or has no usable identity: no valid e-mail, no valid LinkedIn
//! profile URL, and not both a person's name and a company (name or domain). A value that
//! does not normalise is kept raw with a [`RowWarning`].
//!
//! **Refusal.** A file that would only give rejections is refused whole, before a row is
//! handed out, with an [`ImportError`] that names it: one that is not text (a NUL byte or
//! many control characters in its first 64 KiB: a program, an image, a zipped workbook),
//! a CSV file whose header has no column that can name a person (no e-mail, no LinkedIn
//! URL, not a name with a company; the error lists the header and the names the preset
//! knows) or whose mapping maps none, and — for files opened with [`open`] — a file with
//! no rows: empty, only blank lines, or a header alone. A stream read with
//! [`Import::from_reader`] may hold no rows: a search that found nobody is an empty import.

mod columns;
mod decode;
mod mapping;
mod normalise;
mod record;
mod report;
pub mod sniff;
mod table;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use jiff::Timestamp;
use leadgate_core::discovery::normalize::CountryCode;
use sha2::{Digest, Sha256};

pub use columns::{Columns, Field, Preset, REASON_COLUMN, ROW_COLUMN, UnknownPreset, detect};
pub use decode::{Encoding, UnknownEncoding};
pub use mapping::{Mapping, MappingError, parse_delimiter};
pub use record::{CompanyFields, PersonFields, ProspectRecord, Range, RowWarning, Value};
pub use report::{
    FileFormat, Notice, Original, ReadSummary, RejectReason, RejectWriter, RejectedRow,
    Unidentified, scrub_reject_file,
};
pub use table::{RawTable, TableError, TableOptions, read_table, read_table_from};

use columns::ColumnMap;
use decode::{
    Decoded, OpenError, PREFIX, RowDecoding, Text, Utf16Watch, decode_field, fallback_notice,
    open_text,
};
use normalise::RecordBuilder;

/// What the caller knows about the file. Everything is optional: left out, it is sniffed
/// from the file (or taken from the mapping file, when it says).
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub columns: Columns,
    pub file_format: Option<FileFormat>,
    pub delimiter: Option<u8>,
    pub encoding: Option<Encoding>,
    /// When the data was observed, for rows without a date of their own.
    pub observed_at: Option<Timestamp>,
    /// The region for phone numbers written without a country code, when the row has no
    /// country.
    pub default_country: Option<CountryCode>,
}

/// An import that could not start, or stopped: the file cannot be read, has no header, or
/// does not have a column its mapping names. Rows that are merely bad are [`RejectedRow`]s.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: line {line}: {source}")]
    Read {
        path: String,
        line: u64,
        source: io::Error,
    },
    /// The first block of the file is not text; the offset of the byte that shows it.
    #[error(
        "{path}: not a text file: binary content at byte {offset}; import a CSV or JSON \
         Lines export (save a workbook as CSV)"
    )]
    NotText { path: String, offset: u64 },
    #[error("{path}: the file is empty: no header row")]
    NoHeader { path: String },
    /// A JSON Lines file with no line of content.
    #[error("{path}: the file is empty: no JSON object in it")]
    Empty { path: String },
    /// A CSV file with a header and no row after it (blank lines are not rows).
    #[error("{path}: no rows after the header ({header}): nothing to import")]
    NoRows { path: String, header: String },
    /// No column of the header can name a person, so every row would be rejected.
    #[error(
        "{path}: no column names a person, so every row would be rejected: the header is \
         {header}; {needs}"
    )]
    NoIdentityColumn {
        path: String,
        header: String,
        /// What the header needs, in the names the preset or the mapping reads.
        needs: String,
    },
    #[error(
        "{path}: the mapping names column {column:?} for {field}, which the file does not \
         have; its columns are: {available}"
    )]
    MissingColumn {
        path: String,
        field: Field,
        column: String,
        available: String,
    },
    #[error("{path}: {source}")]
    Mapping { path: String, source: MappingError },
}

impl Mapping {
    /// Reads a mapping file; errors name the file and the line.
    pub fn load(path: &Path) -> Result<Mapping, ImportError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
            path: name.clone(),
            source,
        })?;
        Mapping::parse(&text).map_err(|source| ImportError::Mapping { path: name, source })
    }
}

/// Opens a file for import. The file format is JSON Lines for `.jsonl`, `.ndjson` and
/// `.jsonlines` names, else sniffed. Besides what [`Import::from_reader`] refuses, a file
/// with no rows is refused: an import of it would store nothing.
pub fn open(path: &Path, options: &ImportOptions) -> Result<Import, ImportError> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|source| ImportError::Io {
        path: name.clone(),
        source,
    })?;
    let mut options = options.clone();
    if options.file_format.is_none() {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if matches!(ext.as_str(), "jsonl" | "ndjson" | "jsonlines") {
            options.file_format = Some(FileFormat::JsonLines);
        }
    }
    let import = Import::from_reader(file, &name, &options)?;
    if !import.has_rows {
        return Err(match import.rows {
            Rows::Csv { .. } => ImportError::NoRows {
                path: name,
                header: import.header.join(", "),
            },
            Rows::JsonLines { .. } => ImportError::Empty { path: name },
        });
    }
    Ok(import)
}

/// Rows as they come out of the file.
enum Rows {
    Csv {
        reader: csv::Reader<Box<dyn Read + Send>>,
        record: csv::ByteRecord,
        /// `record` holds the first row, read ahead to know that there is one; its line.
        pending: Option<u64>,
        /// The records of the batch being read ([`Import::next_batch`]), reused.
        batch: Vec<csv::ByteRecord>,
    },
    JsonLines {
        reader: BufReader<Box<dyn Read + Send>>,
        buf: Vec<u8>,
        line: u64,
        /// Column name → index in the header, growing as keys appear.
        index: HashMap<String, usize>,
    },
}

/// A running import: an iterator over the rows, each accepted or rejected, that keeps the
/// [`ReadSummary`]. After the last row, [`Import::finish`] gives the summary, or the error
/// that ended the reading early.
pub struct Import {
    path: String,
    rows: Rows,
    header: Vec<String>,
    builder: RecordBuilder,
    /// The second thread's builder for [`Import::next_batch`], made at the first batch.
    helper: Option<RecordBuilder>,
    decoding: RowDecoding,
    summary: ReadSummary,
    row: u64,
    error: Option<ImportError>,
    fell_back: bool,
    utf16: Utf16Watch,
    bytes_read: Arc<AtomicU64>,
    digest: Arc<OnceLock<String>>,
    /// The file has a row (CSV: the first was read ahead; JSON Lines: a line of content).
    has_rows: bool,
}

/// Counts the bytes read from the input, for progress bars.
/// and hashes them (SHA-256), so that the same bytes imported again are recognised without
/// reading the file twice.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
    hasher: Sha256,
    /// The hash, once the input has been read to its end.
    digest: Arc<OnceLock<String>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        if n == 0 && !buf.is_empty() {
            let hasher = std::mem::take(&mut self.hasher);
            let _ = self.digest.set(hex::encode(hasher.finalize()));
        } else {
            self.hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// An import moves to another thread whole (a CLI may read on one and draw progress on
/// another).
const _: () = {
    const fn send<T: Send>() {}
    send::<Import>();
    send::<ProspectRecord>();
};

impl Import {
    /// Starts an import from any reader; `name` names it in errors and notices. Input that
    /// is not text, and a CSV header that can name nobody, are refused here.
    pub fn from_reader<R: Read + Send + 'static>(
        input: R,
        name: &str,
        options: &ImportOptions,
    ) -> Result<Import, ImportError> {
        let bytes_read = Arc::new(AtomicU64::new(0));
        let digest = Arc::new(OnceLock::new());
        let input = Counting {
            inner: input,
            count: bytes_read.clone(),
            hasher: Sha256::new(),
            digest: digest.clone(),
        };
        let path = name.to_string();
        let mapping = options.columns.mapping();
        let text = open_text(input, options.encoding.or(mapping.and_then(|m| m.encoding)))
            .map_err(|e| match e {
                OpenError::Io(source) => ImportError::Io {
                    path: path.clone(),
                    source,
                },
                OpenError::Binary(offset) => ImportError::NotText {
                    path: path.clone(),
                    offset,
                },
            })?;
        let format = options.file_format.unwrap_or_else(|| text.sniff_format());
        let (encoding, decoding, utf16) = (text.encoding, text.decoding, text.utf16_watch());
        let delimiter = (format == FileFormat::Csv)
            .then(|| text.delimiter(options.delimiter.or(mapping.and_then(|m| m.delimiter))));
        let opened = match delimiter {
            Some(delimiter) => open_csv(text, delimiter, &path)?,
            None => open_json_lines(text, mapping),
        };
        let (map, preset) =
            ColumnMap::resolve(&opened.header, &options.columns).map_err(|(field, column)| {
                ImportError::MissingColumn {
                    path: path.clone(),
                    field,
                    column,
                    available: opened.header.join(", "),
                }
            })?;

        // JSON Lines without a mapping may name its people in keys its first object lacks.
        if (format == FileFormat::Csv || mapping.is_some()) && !map.identifies_people() {
            return Err(ImportError::NoIdentityColumn {
                path,
                header: opened.header.join(", "),
                needs: columns::identity_columns(&options.columns, preset),
            });
        }

        let mut summary = ReadSummary::new(format, encoding, delimiter);
        summary.preset = preset;
        summary.blank_lines = opened.blank_lines;
        if let Some((line, byte)) = opened.header_fallback {
            if decoding == RowDecoding::Utf8WithFallback {
                summary.encoding = Encoding::Windows1252;
            }
            summary
                .notices
                .push(fallback_notice(decoding, 0, line, byte));
        }
        Ok(Import {
            path,
            rows: opened.rows,
            header: opened.header,
            builder: record_builder(map, preset, mapping, options),
            helper: None,
            decoding,
            summary,
            row: 0,
            error: None,
            fell_back: opened.header_fallback.is_some(),
            utf16,
            bytes_read,
            digest,
            has_rows: opened.has_rows,
        })
    }

    /// The header: the CSV's first non-blank row, or the JSON keys seen so far.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The totals so far.
    pub fn summary(&self) -> &ReadSummary {
        &self.summary
    }

    /// The name the import was opened with (the path).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Bytes of the input read so far: for a progress bar against the file's size. The
    /// reading runs up to 64 KiB ahead of the rows handed out.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// The totals, after the rows have been iterated; or the error that ended the reading
    /// before the end of the file.
    pub fn finish(mut self) -> Result<ReadSummary, ImportError> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        if let Some(notice) = self.utf16.notice() {
            self.summary.notices.push(notice);
        }
        self.summary.content_sha256 = self.digest.get().cloned();
        Ok(self.summary)
    }

    fn note_fallback(&mut self, row: u64, line: u64, byte: u8) {
        if self.fell_back {
            return;
        }
        self.fell_back = true;
        if self.decoding == RowDecoding::Utf8WithFallback {
            self.summary.encoding = Encoding::Windows1252;
        }
        self.summary
            .notices
            .push(fallback_notice(self.decoding, row, line, byte));
    }

    fn next_csv(&mut self) -> Option<Result<ProspectRecord, RejectedRow>> {
        let Rows::Csv {
            reader,
            record,
            pending,
            ..
        } = &mut self.rows
        else {
            unreachable!("called for CSV files only");
        };
        let line = match pending.take() {
            Some(line) => line,
            None => match read_record(reader, record, &mut self.summary.blank_lines) {
                Ok(Some(line)) => line,
                Ok(None) => return None,
                Err(e) => {
                    self.error = Some(read_error(&self.path, e));
                    return None;
                }
            },
        };
        self.row += 1;
        let built = build_csv_row(
            &mut self.builder,
            self.header.len(),
            self.decoding,
            record,
            self.row,
            line,
        );
        Some(self.hand_out(built))
    }

    /// Up to `max` rows in file order, fewer only at the end of the file (or where a read
    /// error stops it; [`Import::finish`] gives that error): the same items, numbers,
    /// notices and totals as `max` calls of `next`, with a CSV batch normalised on two
    /// threads. Memory grows with `max`, not with the file.
    ///
    /// Measure before choosing it over the iterator: on a shared 2-core machine with no
    /// idle core it was slower (HubSpot demo: 1.6 CPU-seconds for batches of 256 against
    /// 1.1 for the iterator), most of the difference in glibc's allocator freeing and
    /// reusing a whole batch of records at once rather than one record at a time.
    pub fn next_batch(&mut self, max: usize) -> Vec<Result<ProspectRecord, RejectedRow>> {
        if matches!(self.rows, Rows::JsonLines { .. }) {
            return self.by_ref().take(max).collect();
        }
        let Rows::Csv {
            reader,
            batch,
            record,
            pending,
        } = &mut self.rows
        else {
            unreachable!("JSON Lines are handled above");
        };
        let mut places = Vec::with_capacity(max.min(1 << 16));
        if max > 0
            && let Some(line) = pending.take()
        {
            batch.resize_with(batch.len().max(1), csv::ByteRecord::new);
            std::mem::swap(&mut batch[0], record);
            self.row += 1;
            places.push((self.row, line));
        }
        while places.len() < max {
            if batch.len() == places.len() {
                batch.push(csv::ByteRecord::new());
            }
            match read_record(
                reader,
                &mut batch[places.len()],
                &mut self.summary.blank_lines,
            ) {
                Ok(Some(line)) => {
                    self.row += 1;
                    places.push((self.row, line));
                }
                Ok(None) => break,
                Err(e) => {
                    let error = read_error(&self.path, e);
                    self.error = Some(error);
                    break;
                }
            }
        }
        let Rows::Csv { batch, .. } = &self.rows else {
            unreachable!("CSV rows");
        };
        let records = &batch[..places.len()];
        // Below this a second thread costs more than it saves.
        let half = if places.len() >= 64 {
            places.len() / 2
        } else {
            places.len()
        };
        let (width, decoding) = (self.header.len(), self.decoding);
        let builder = &mut self.builder;
        let helper = self.helper.get_or_insert_with(|| builder.fork());
        let build =
            |builder: &mut RecordBuilder, records: &[csv::ByteRecord], places: &[(u64, u64)]| {
                records
                    .iter()
                    .zip(places)
                    .map(|(record, &(row, line))| {
                        build_csv_row(builder, width, decoding, record, row, line)
                    })
                    .collect::<Vec<_>>()
            };
        let (mut built, rest) = std::thread::scope(|scope| {
            let second = (half < records.len())
                .then(|| scope.spawn(|| build(helper, &records[half..], &places[half..])));
            let first = build(builder, &records[..half], &places[..half]);
            let rest = second.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            (first, rest)
        });
        built.extend(rest.into_iter().flatten());
        built.into_iter().map(|b| self.hand_out(b)).collect()
    }

    /// Notes a row's fall-back decoding and counts it, in file order.
    fn hand_out(&mut self, built: BuiltRow) -> Result<ProspectRecord, RejectedRow> {
        if let Some(byte) = built.not_utf8 {
            let (row, line) = match &built.item {
                Ok(r) => (r.row, r.line),
                Err(r) => (r.row, r.line),
            };
            self.note_fallback(row, line, byte);
        }
        self.count(built.item)
    }

    fn next_json(&mut self) -> Option<Result<ProspectRecord, RejectedRow>> {
        loop {
            let Rows::JsonLines {
                reader,
                buf,
                line,
                index,
            } = &mut self.rows
            else {
                unreachable!("called for JSON Lines files only");
            };
            buf.clear();
            match reader.read_until(b'\n', buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(source) => {
                    self.error = Some(ImportError::Read {
                        path: self.path.clone(),
                        line: *line + 1,
                        source,
                    });
                    return None;
                }
            }
            *line += 1;
            let line = *line;
            let bytes = buf.trim_ascii();
            if bytes.is_empty() {
                self.summary.blank_lines += 1;
                continue;
            }
            self.row += 1;
            let row = self.row;
            let (text, found) = decode_field(bytes, self.decoding);
            let text = text.into_owned();
            let parsed: Result<serde_json::Value, _> = serde_json::from_str(&text);
            let item = match parsed {
                Err(e) => Err(RejectReason::InvalidJson {
                    message: e.to_string(),
                }),
                Ok(serde_json::Value::Object(object)) => {
                    let mut values: Vec<Cow<'_, str>> = vec![Cow::Borrowed(""); self.header.len()];
                    for (key, value) in object {
                        let i = match index.get(&key) {
                            Some(&i) => i,
                            None => {
                                let i = self.header.len();
                                self.builder.map.add_column(&key, self.summary.preset);
                                self.header.push(key.clone());
                                index.insert(key, i);
                                values.push(Cow::Borrowed(""));
                                i
                            }
                        };
                        values[i] = Cow::Owned(json_text(value));
                    }
                    self.builder.build(row, line, &values)
                }
                Ok(_) => Err(RejectReason::NotAnObject),
            };
            let item = item.map_err(|reason| RejectedRow {
                row,
                line,
                reason,
                original: Original::Line(text),
            });
            if let Decoded::NotUtf8 { byte } = found {
                self.note_fallback(row, line, byte);
            }
            return Some(self.count(item));
        }
    }

    fn count(
        &mut self,
        item: Result<ProspectRecord, RejectedRow>,
    ) -> Result<ProspectRecord, RejectedRow> {
        self.summary.rows_read += 1;
        match &item {
            Ok(record) => {
                self.summary.accepted += 1;
                self.summary.warnings += record.warnings.len() as u64;
            }
            Err(_) => self.summary.rejected += 1,
        }
        item
    }
}

impl Iterator for Import {
    type Item = Result<ProspectRecord, RejectedRow>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.rows {
            Rows::Csv { .. } => self.next_csv(),
            Rows::JsonLines { .. } => self.next_json(),
        }
    }
}

impl<W: Write> RejectWriter<W> {
    /// The writer that fits an import: CSV with the import's header and delimiter, or JSON
    /// Lines.
    pub fn for_import(out: W, import: &Import) -> io::Result<Self> {
        let summary = import.summary();
        match summary.format {
            FileFormat::Csv => RejectWriter::csv(
                out,
                import.header(),
                summary.delimiter.unwrap_or(b','),
                summary.encoding != Encoding::Utf8,
            ),
            FileFormat::JsonLines => Ok(RejectWriter::json_lines(out)),
        }
    }
}

impl Columns {
    fn mapping(&self) -> Option<&Mapping> {
        match self {
            Columns::Mapping(m) => Some(m),
            _ => None,
        }
    }
}

/// A file's rows, ready to read, and its header.
struct Opened {
    rows: Rows,
    header: Vec<String>,
    /// The line of a header that was not valid UTF-8, and its first bad byte.
    header_fallback: Option<(u64, u8)>,
    /// Blank lines read so far (between the header and the first row).
    blank_lines: u64,
    has_rows: bool,
}

/// A CSV file past its header (the first non-blank row), with its first row read ahead.
fn open_csv(text: Text, delimiter: u8, path: &str) -> Result<Opened, ImportError> {
    let decoding = text.decoding;
    let mut reader = csv_reader(text.into_stream(), delimiter, PREFIX);
    let mut record = csv::ByteRecord::new();
    // Blank lines before the header are skipped without being counted.
    let mut blank_before_header = 0;
    let line = match read_record(&mut reader, &mut record, &mut blank_before_header) {
        Ok(Some(line)) => line,
        Ok(None) => {
            return Err(ImportError::NoHeader {
                path: path.to_string(),
            });
        }
        Err(e) => return Err(read_error(path, e)),
    };
    let (header, bad) = decode_header(&record, decoding);
    let mut blank_lines = 0;
    let pending =
        read_record(&mut reader, &mut record, &mut blank_lines).map_err(|e| read_error(path, e))?;
    Ok(Opened {
        rows: Rows::Csv {
            reader,
            record,
            pending,
            batch: Vec::new(),
        },
        header,
        header_fallback: bad.map(|byte| (line, byte)),
        blank_lines,
        has_rows: pending.is_some(),
    })
}

/// A JSON Lines file, whose header is the keys of its first object. A mapping's columns are
/// in the header from the start: a key the first object lacks may come later, and is not a
/// missing column.
fn open_json_lines(text: Text, mapping: Option<&Mapping>) -> Opened {
    let mut header = first_object_keys(text.prefix());
    for (_, column) in mapping.map_or(&[][..], |m| &m.columns) {
        if !header.contains(column) {
            header.push(column.clone());
        }
    }
    let index = header
        .iter()
        .enumerate()
        .map(|(i, key)| (key.clone(), i))
        .collect();
    let has_rows = text.has_content();
    Opened {
        rows: Rows::JsonLines {
            reader: BufReader::with_capacity(PREFIX, text.into_stream()),
            buf: Vec::with_capacity(1024),
            line: 0,
            index,
        },
        header,
        header_fallback: None,
        blank_lines: 0,
        has_rows,
    }
}

/// What builds the records of the resolved columns: dates in the mapping's format or the
/// preset's besides ISO 8601, and phone numbers without a country code read in the default
/// country the caller gives, else the mapping's.
fn record_builder(
    map: ColumnMap,
    preset: Option<Preset>,
    mapping: Option<&Mapping>,
    options: &ImportOptions,
) -> RecordBuilder {
    let mut date_formats: Vec<String> = mapping
        .and_then(|m| m.date_format.clone())
        .into_iter()
        .collect();
    if let Some(p) = preset {
        date_formats.extend(p.date_formats().iter().map(|f| f.to_string()));
    }
    let default_country = options
        .default_country
        .or(mapping.and_then(|m| m.default_country));
    RecordBuilder::new(map, options.observed_at, default_country, date_formats)
}

/// A CSV reader over a text stream, for the importers and the raw tables alike: the header
/// is read as a record, rows may have any number of fields, and every row ends with LF.
pub(crate) fn csv_reader(
    stream: Box<dyn Read + Send>,
    delimiter: u8,
    buffer: usize,
) -> csv::Reader<Box<dyn Read + Send>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        // LF ends a record; the CR of a CRLF stays on the last field and is taken off there
        // (`last_field`). This keeps the parser's line count exact (see `start_line`).
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(buffer)
        .from_reader(Box::new(TrailingNewline {
            inner: stream,
            last: 0,
            done: false,
        }))
}

/// A header row's column names, trimmed and without a stray BOM, and the first byte that
/// was not UTF-8.
pub(crate) fn decode_header(
    record: &csv::ByteRecord,
    decoding: RowDecoding,
) -> (Vec<String>, Option<u8>) {
    let (fields, bad) = decode_record(record, decoding);
    let header = fields
        .iter()
        .map(|text| text.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    (header, bad)
}

/// A record's fields decoded one by one, the last without its line end, and the first
/// byte that was not UTF-8.
fn decode_record(
    record: &csv::ByteRecord,
    decoding: RowDecoding,
) -> (Vec<Cow<'_, str>>, Option<u8>) {
    let mut bad = None;
    let last = record.len().saturating_sub(1);
    let fields = record
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let field = if i == last { last_field(field) } else { field };
            let (text, found) = decode_field(field, decoding);
            if let (Decoded::NotUtf8 { byte }, None) = (found, bad) {
                bad = Some(byte);
            }
            text
        })
        .collect();
    (fields, bad)
}

fn read_error(path: &str, e: csv::Error) -> ImportError {
    ImportError::Read {
        path: path.to_string(),
        line: e.position().map_or(0, |p| p.line()),
        source: io::Error::other(e),
    }
}

/// The 1-based line where `record` starts, and the empty lines the parser skipped before
/// it added to `blank`. The parser skips empty lines without a trace and reports a record
/// at the line where it resumed, before those lines; the line it stops at after the record
/// is exact. Every record ends with a line break ([`TrailingNewline`] adds one at the end
/// of the file), so the record starts the lines of its own fields' line breaks, plus one,
/// before that.
fn start_line<R: Read>(
    reader: &csv::Reader<R>,
    record: &csv::ByteRecord,
    resume: u64,
    blank: &mut u64,
) -> u64 {
    let inside = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
    let after = reader.position().line();
    let start = after.saturating_sub(inside + 1).max(resume);
    *blank += start - resume;
    start
}

/// A row normalised, and the first byte that was not UTF-8 when the row fell back to
/// another decoding.
struct BuiltRow {
    item: Result<ProspectRecord, RejectedRow>,
    not_utf8: Option<u8>,
}

/// Reads the next non-blank record into `record`, counting the blank lines before it;
/// its starting line, or `None` at the end of the input.
fn read_record<R: Read>(
    reader: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
    blank: &mut u64,
) -> Result<Option<u64>, csv::Error> {
    loop {
        let resume = reader.position().line();
        if !reader.read_byte_record(record)? {
            return Ok(None);
        }
        let line = start_line(reader, record, resume, blank);
        if is_blank(record) {
            *blank += 1;
            continue;
        }
        return Ok(Some(line));
    }
}

/// Decodes one CSV record and normalises it: a record, or the rejection of the row.
fn build_csv_row(
    builder: &mut RecordBuilder,
    width: usize,
    decoding: RowDecoding,
    record: &csv::ByteRecord,
    row: u64,
    line: u64,
) -> BuiltRow {
    let (values, bad) = match utf8_fields(record, decoding) {
        Some(values) => (values, None),
        None => decode_record(record, decoding),
    };
    let outcome = if values.len() > width && values[width..].iter().any(|v| !v.trim().is_empty()) {
        Err(RejectReason::TooManyFields {
            found: values.len(),
            expected: width,
        })
    } else {
        builder.build(row, line, &values).map(|mut rec| {
            if values.len() < width {
                rec.warnings.push(RowWarning {
                    field: None,
                    column: None,
                    message: format!(
                        "the row has {} of the header's {width} fields; the missing ones are \
                         empty",
                        values.len()
                    ),
                });
            }
            rec
        })
    };
    let item = outcome.map_err(|reason| RejectedRow {
        row,
        line,
        reason,
        original: Original::Fields(values.iter().map(|v| v.to_string()).collect()),
    });
    BuiltRow {
        item,
        not_utf8: bad,
    }
}

/// Ends the stream with a line break when the file does not, so that the last record is
/// terminated like every other.
struct TrailingNewline<R> {
    inner: R,
    last: u8,
    done: bool,
}

impl<R: Read> Read for TrailingNewline<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.last = buf[n - 1];
            return Ok(n);
        }
        self.done = true;
        if self.last != b'\n' && self.last != 0 {
            buf[0] = b'\n';
            return Ok(1);
        }
        Ok(0)
    }
}

/// The fields of a record that is valid UTF-8 as a whole, borrowed: one validation per
/// row instead of one per field. `None` when the record needs decoding field by field.
fn utf8_fields(record: &csv::ByteRecord, decoding: RowDecoding) -> Option<Vec<Cow<'_, str>>> {
    if decoding == RowDecoding::Windows1252 {
        return None;
    }
    let text = std::str::from_utf8(record.as_slice()).ok()?;
    let last = record.len().checked_sub(1)?;
    let mut values = Vec::with_capacity(record.len());
    for i in 0..record.len() {
        let field = text.get(record.range(i)?)?;
        let field = if i == last {
            field.strip_suffix('\r').unwrap_or(field)
        } else {
            field
        };
        values.push(Cow::Borrowed(field));
    }
    Some(values)
}

/// The last field of a record without the CR of a CRLF line ending.
fn last_field(field: &[u8]) -> &[u8] {
    field.strip_suffix(b"\r").unwrap_or(field)
}

fn is_blank(record: &csv::ByteRecord) -> bool {
    record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
}

/// A JSON value as the text of a column: strings as they are, numbers and booleans as JSON
/// writes them, null as empty, arrays of scalars joined with ", ", other values as JSON.
fn json_text(value: serde_json::Value) -> String {
    use serde_json::Value as J;
    match value {
        J::Null => String::new(),
        J::String(s) => s,
        J::Bool(b) => b.to_string(),
        J::Number(n) => n.to_string(),
        J::Array(items) if items.iter().all(|v| !v.is_array() && !v.is_object()) => items
            .into_iter()
            .map(json_text)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The keys of the first JSON object among the first lines, in the file's order of lines
/// (keys sorted within the object); empty when none parses.
fn first_object_keys(prefix: &[u8]) -> Vec<String> {
    for line in prefix.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(line) {
            return object.keys().cloned().collect();
        }
        break;
    }
    Vec::new()
}
