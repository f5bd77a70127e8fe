//! The accounting of an import: every row read is either accepted (a
//! [`ProspectRecord`](super::ProspectRecord)) or rejected (a [`RejectedRow`] with its reason),
//! so that `rows_read = accepted + rejected` always holds; and a writer that puts the
//! rejected rows in a file the user can fix and import again.

use std::fmt;
use std::io::{self, Write};

use super::columns::{Preset, REASON_COLUMN, ROW_COLUMN};
use super::decode::Encoding;

/// Why a row was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectReason {
    /// Neither a valid e-mail, nor a LinkedIn profile URL, nor a name with a company; the
    /// detail says what each of those fields held, `lacking` what rows like it share.
    NoIdentity {
        detail: String,
        lacking: Unidentified,
    },
    /// More fields than the header has, and some of the surplus are not empty: a value with
    /// an unquoted delimiter has shifted the row, so no field can be trusted.
    TooManyFields { found: usize, expected: usize },
    /// A JSON Lines line that is not JSON.
    InvalidJson { message: String },
    /// A JSON Lines line that is JSON but not an object.
    NotAnObject,
}

/// Why a row names nobody, in the words the rows that share it share: what a summary of an
/// import's rejections counts. The first that applies, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unidentified {
    /// The e-mail is there and is not an address.
    EmailMalformed,
    /// The LinkedIn URL is there and is not a profile's.
    LinkedinMalformed,
    /// A name, and no company (name or domain) that reads beside it.
    NameWithoutCompany,
    /// Name columns hold something that does not read as a name.
    NameUnreadable,
    /// No e-mail, no LinkedIn URL and no name.
    Nothing,
}

impl fmt::Display for Unidentified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unidentified::EmailMalformed => "e-mail address malformed",
            Unidentified::LinkedinMalformed => "LinkedIn profile URL malformed",
            Unidentified::NameWithoutCompany => "a name without a company",
            Unidentified::NameUnreadable => "the name does not read",
            Unidentified::Nothing => "no e-mail, LinkedIn URL or name",
        })
    }
}

impl RejectReason {
    /// The reason without any row's own values, so that rows rejected alike are counted
    /// together: "no usable identity: e-mail address malformed".
    pub fn summary(&self) -> String {
        match self {
            RejectReason::NoIdentity { lacking, .. } => format!("no usable identity: {lacking}"),
            RejectReason::TooManyFields { .. } => {
                "more fields than the header has: a value with an unquoted delimiter?".to_string()
            }
            RejectReason::InvalidJson { .. } => "not valid JSON".to_string(),
            RejectReason::NotAnObject => "not a JSON object".to_string(),
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::NoIdentity { detail, .. } => write!(
                f,
                "no usable identity (needs an e-mail, a LinkedIn profile URL, or a name and a \
                 company): {detail}"
            ),
            RejectReason::TooManyFields { found, expected } => write!(
                f,
                "{found} fields where the header has {expected}: a value with an unquoted \
                 delimiter? Quote that value or remove the surplus fields"
            ),
            RejectReason::InvalidJson { message } => write!(f, "not valid JSON: {message}"),
            RejectReason::NotAnObject => f.write_str("not a JSON object"),
        }
    }
}

/// The row as the file had it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Original {
    /// A CSV row's fields, decoded, as many as the row had.
    Fields(Vec<String>),
    /// A JSON Lines line, decoded, without its line break.
    Line(String),
}

/// A row that was read and not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// 1-based data row; see [`ProspectRecord::row`](super::ProspectRecord::row).
    pub row: u64,
    /// 1-based physical line where the row starts.
    pub line: u64,
    pub reason: RejectReason,
    pub original: Original,
}

impl fmt::Display for RejectedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {} (line {}): {}", self.row, self.line, self.reason)
    }
}

/// A note about the file as a whole (its encoding, its columns), not about one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The data row it concerns, if one (0 is the header).
    pub row: Option<u64>,
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, self.line) {
            (Some(row), Some(line)) => write!(f, "row {row} (line {line}): ")?,
            (Some(row), None) => write!(f, "row {row}: ")?,
            (None, Some(line)) => write!(f, "line {line}: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

/// CSV (any of the four delimiters) or JSON Lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    Csv,
    JsonLines,
}

impl FileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::JsonLines => "jsonl",
        }
    }
}

/// The totals of one import. `rows_read == accepted + rejected` holds at every point of
/// the iteration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadSummary {
    pub rows_read: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Lines with no content (empty, only spaces, or only delimiters): not rows.
    pub blank_lines: u64,
    /// Warnings on the accepted rows' values, added up.
    pub warnings: u64,
    /// Notes on the file as a whole.
    pub notices: Vec<Notice>,
    pub format: FileFormat,
    /// The encoding the file was read in: `windows-1252` when some rows fell back to it.
    pub encoding: Encoding,
    /// The field delimiter of a CSV file.
    pub delimiter: Option<u8>,
    /// The preset that named the columns; `None` when a mapping file did.
    pub preset: Option<Preset>,
    /// SHA-256 of the bytes read, in hex, once the input has been read to its end.
    pub content_sha256: Option<String>,
}

impl ReadSummary {
    pub(crate) fn new(format: FileFormat, encoding: Encoding, delimiter: Option<u8>) -> Self {
        ReadSummary {
            rows_read: 0,
            accepted: 0,
            rejected: 0,
            blank_lines: 0,
            warnings: 0,
            notices: Vec::new(),
            format,
            encoding,
            delimiter,
            content_sha256: None,
            preset: None,
        }
    }
}

/// Writes rejected rows so that the user can fix them and import the file again.
///
/// For CSV: the original header and the row's original values, then `_row` (the row number
/// in the imported file) and `_reason`, with the imported file's delimiter, in UTF-8 (with a
/// byte-order mark when the imported file was not plain UTF-8, so that Excel reads it
/// right). A short row is padded to the header's width; a long row keeps all its values, so
/// its `_row` and `_reason` land past the header until the row is fixed. For JSON Lines:
/// each rejected object with `_row` and `_reason` added first, or `{"_row", "_reason",
/// "_line"}` around a line that was not an object. The importers ignore `_row` and `_reason`
/// columns, so a fixed file imports cleanly.
pub struct RejectWriter<W: Write> {
    out: Out<W>,
    width: usize,
}

enum Out<W: Write> {
    Csv(Box<csv::Writer<W>>),
    JsonLines(W),
}

impl<W: Write> RejectWriter<W> {
    /// A CSV writer for rows of a file with this `header` and `delimiter`.
    pub fn csv(mut out: W, header: &[String], delimiter: u8, bom: bool) -> io::Result<Self> {
        if bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_writer(out);
        let mut first: Vec<&str> = header.iter().map(String::as_str).collect();
        first.extend([ROW_COLUMN, REASON_COLUMN]);
        writer.write_record(&first)?;
        Ok(RejectWriter {
            out: Out::Csv(Box::new(writer)),
            width: header.len(),
        })
    }

    pub fn json_lines(out: W) -> Self {
        RejectWriter {
            out: Out::JsonLines(out),
            width: 0,
        }
    }

    pub fn write(&mut self, rejected: &RejectedRow) -> io::Result<()> {
        let reason = rejected.reason.to_string();
        let row = rejected.row.to_string();
        match (&mut self.out, &rejected.original) {
            (Out::Csv(w), Original::Fields(fields)) => {
                let mut record: Vec<&str> = fields.iter().map(String::as_str).collect();
                while record.len() < self.width {
                    record.push("");
                }
                record.push(&row);
                record.push(&reason);
                w.write_record(&record)?;
            }
            (Out::Csv(w), Original::Line(line)) => {
                let mut record = vec![line.as_str()];
                while record.len() < self.width {
                    record.push("");
                }
                record.push(&row);
                record.push(&reason);
                w.write_record(&record)?;
            }
            (Out::JsonLines(w), original) => {
                let text = match original {
                    Original::Line(line) => line.clone(),
                    Original::Fields(fields) => fields.join(","),
                };
                let head = format!(
                    "{{\"{ROW_COLUMN}\":{},\"{REASON_COLUMN}\":{}",
                    rejected.row,
                    serde_json::Value::String(reason)
                );
                let trimmed = text.trim();
                let is_object = matches!(rejected.reason, RejectReason::NoIdentity { .. })
                    && trimmed.starts_with('{');
                if is_object {
                    let rest = trimmed[1..].trim_start();
                    let sep = if rest.starts_with('}') { "" } else { "," };
                    writeln!(w, "{head}{sep}{rest}")?;
                } else {
                    writeln!(w, "{head},\"_line\":{}}}", serde_json::Value::String(text))?;
                }
            }
        }
        Ok(())
    }

    /// Flushes and returns the output.
    pub fn finish(self) -> io::Result<W> {
        match self.out {
            Out::Csv(w) => w.into_inner().map_err(|e| e.into_error()),
            Out::JsonLines(mut w) => {
                w.flush()?;
                Ok(w)
            }
        }
    }
}

/// Removes from a reject file (as [`RejectWriter`] wrote it, CSV or JSON Lines) every
/// rejected row in which `needle` occurs, in any case: a person erased at their request
/// leaves no row behind in the files written for fixing. The file is rewritten through a
/// temporary file beside it, so it is whole or unchanged. Returns the rows removed.
pub fn scrub_reject_file(path: &std::path::Path, needle: &str) -> io::Result<usize> {
    let text = std::fs::read_to_string(path)?;
    let needle = needle.to_lowercase();
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text.as_str()),
    };
    let header = body.lines().next().unwrap_or("");
    let csv_delimiter = header
        .trim_end()
        .strip_suffix(REASON_COLUMN)
        .and_then(|h| h.chars().last())
        .filter(|_| header.contains(ROW_COLUMN))
        .and_then(|d| u8::try_from(d).ok());
    let mut removed = 0;
    let mut out: Vec<u8> = bom.as_bytes().to_vec();
    match csv_delimiter {
        Some(delimiter) => {
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .has_headers(false)
                .from_reader(body.as_bytes());
            let mut writer = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .from_writer(&mut out);
            for (i, record) in reader.records().enumerate() {
                let record = record.map_err(io::Error::other)?;
                if i > 0 && record.iter().any(|f| f.to_lowercase().contains(&needle)) {
                    removed += 1;
                    continue;
                }
                writer.write_record(&record)?;
            }
            writer.flush()?;
        }
        None => {
            for line in body.lines() {
                if line.to_lowercase().contains(&needle) {
                    removed += 1;
                } else {
                    out.extend_from_slice(line.as_bytes());
                    out.push(b'\n');
                }
            }
        }
    }
    if removed > 0 {
        let temporary = path.with_extension("scrub");
        std::fs::write(&temporary, &out)?;
        std::fs::rename(&temporary, path)?;
    }
    Ok(removed)
}
