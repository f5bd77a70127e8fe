//! A CSV file read whole as a raw table: the header and every row's cells as text, with no
//! mapping to prospect fields and no row rejected for a missing identity. Entity resolution
//! (`leadgate dedupe`) reads files this way: it needs every row, in input order, and
//! compares columns the importers' records do not carry.
//!
//! The bytes go through the importers' own decoding (UTF-8 with or without a BOM, UTF-16
//! LE/BE, Windows-1252 per row as a fallback, sniffed delimiter, CR-only line ends), so a
//! file reads the same here as in `leadgate import`. The cells live in one text buffer with
//! one end offset per cell: a million rows of fourteen columns are one allocation of text
//! and one of offsets, not fourteen million strings.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use super::columns::{ColumnMap, Field, Preset, detect};
use super::decode::{self, Decoded, Encoding, RowDecoding, Utf16Reader, decode_field};
use super::report::Notice;
use super::{CrToLf, PREFIX, TrailingNewline, Watched, is_blank, last_field, read_prefix, sniff};

/// What the caller knows about the file; left out, it is sniffed.
#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    pub delimiter: Option<u8>,
    pub encoding: Option<Encoding>,
}

/// A file that could not be read as a table: what is wrong, with the file and the row.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: line {line}: {source}")]
    Read {
        path: String,
        line: u64,
        source: io::Error,
    },
    #[error("{path}: the file is empty: no header row")]
    NoHeader { path: String },
    #[error(
        "{path}: row {row} (line {line}): {found} fields where the header has {expected}: a \
         value with an unquoted delimiter? Quote that value or remove the surplus fields"
    )]
    TooManyFields {
        path: String,
        row: u64,
        line: u64,
        found: usize,
        expected: usize,
    },
    #[error("{path}: more than 4 GiB of cell text: split the file")]
    TooLarge { path: String },
}

/// The header and the rows of one file.
#[derive(Debug, Clone)]
pub struct RawTable {
    path: String,
    header: Vec<String>,
    text: String,
    /// End offset in `text` of each cell, row by row, `header.len()` cells a row.
    ends: Vec<u32>,
    /// Per row, the physical line where it starts (1-based).
    lines: Vec<u64>,
    pub encoding: Encoding,
    pub delimiter: u8,
    /// Decoding notices (a Windows-1252 fallback, invalid UTF-16) and short rows.
    pub notices: Vec<Notice>,
    pub blank_lines: u64,
}

impl RawTable {
    /// The name the file was opened with.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The header's column names, trimmed.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The number of data rows.
    pub fn rows(&self) -> usize {
        self.ends.len() / self.header.len().max(1)
    }

    /// Cell `column` of data row `row` (both 0-based); a short row's missing cells are "".
    pub fn cell(&self, row: usize, column: usize) -> &str {
        let i = row * self.header.len() + column;
        let start = match i {
            0 => 0,
            i => self.ends[i - 1] as usize,
        };
        &self.text[start..self.ends[i] as usize]
    }

    /// The physical line (1-based) where data row `row` (0-based) starts.
    pub fn line(&self, row: usize) -> u64 {
        self.lines.get(row).copied().unwrap_or(0)
    }

    /// The index of the column named `name` (trimmed, exact).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The header with each column an import preset recognises renamed to its field's
    /// snake_case name ([`Field::key`]: "First Name" → `first_name`, "Person Linkedin Url"
    /// → `linkedin_url`, "Record ID" → `id`), so that one comparison setup reads exports of
    /// every vendor. The preset is the one [`detect`] picks. Where several columns may
    /// fill one field, the first gets the name; columns no preset knows keep theirs.
    pub fn field_header(&self) -> (Preset, Vec<String>) {
        let preset = detect(&self.header);
        let map = ColumnMap::for_preset(&self.header, preset);
        let mut names = self.header.clone();
        for field in Field::ALL {
            if let Some(&column) = map.by_field[field.index()].first() {
                let key = field.key();
                // A column already named for the field elsewhere keeps the name.
                if !self.header.iter().any(|h| h == key) {
                    names[column] = key.to_string();
                }
            }
        }
        (preset, names)
    }
}

/// Reads a CSV file whole.
pub fn read_table(path: &Path, options: &TableOptions) -> Result<RawTable, TableError> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|source| TableError::Io {
        path: name.clone(),
        source,
    })?;
    read_table_from(file, &name, options)
}

/// Reads a CSV table from any reader; `name` names it in errors.
pub fn read_table_from<R: Read + Send + 'static>(
    mut input: R,
    name: &str,
    options: &TableOptions,
) -> Result<RawTable, TableError> {
    let io_err = |source| TableError::Io {
        path: name.to_string(),
        source,
    };
    let mut prefix = read_prefix(&mut input, PREFIX).map_err(io_err)?;
    let complete = prefix.len() < PREFIX;
    let (encoding, bom) = match options.encoding {
        Some(e) => (e, decode::bom_len(e, &prefix)),
        None => decode::sniff_encoding(&prefix),
    };
    prefix.drain(..bom);
    let utf16_seen = Arc::new(AtomicU64::new(u64::MAX));
    let (text_prefix, rest, text_complete): (Vec<u8>, Box<dyn Read + Send>, bool) = match encoding {
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let mut decoded = Watched {
                inner: Utf16Reader::new(
                    Cursor::new(prefix).chain(input),
                    encoding == Encoding::Utf16Be,
                ),
                seen: utf16_seen.clone(),
            };
            let text_prefix = read_prefix(&mut decoded, PREFIX).map_err(io_err)?;
            let text_complete = text_prefix.len() < PREFIX;
            (text_prefix, Box::new(decoded), text_complete)
        }
        _ => (prefix, Box::new(input), complete),
    };
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| sniff::sniff_delimiter(&text_prefix, text_complete));
    let cr_only = text_prefix.contains(&b'\r') && !text_prefix.contains(&b'\n');
    let stream: Box<dyn Read + Send> = Box::new(Cursor::new(text_prefix).chain(rest));
    let stream: Box<dyn Read + Send> = if cr_only {
        Box::new(CrToLf(stream))
    } else {
        stream
    };
    let decoding = match (encoding, options.encoding) {
        (Encoding::Windows1252, _) => RowDecoding::Windows1252,
        (Encoding::Utf16Le | Encoding::Utf16Be, _) | (_, Some(_)) => RowDecoding::Utf8Lossy,
        (_, None) => RowDecoding::Utf8WithFallback,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(1 << 20)
        .from_reader(TrailingNewline {
            inner: stream,
            last: 0,
            done: false,
        });

    let mut table = RawTable {
        path: name.to_string(),
        header: Vec::new(),
        text: String::new(),
        ends: Vec::new(),
        lines: Vec::new(),
        encoding,
        delimiter,
        notices: Vec::new(),
        blank_lines: 0,
    };
    let mut record = csv::ByteRecord::new();
    let mut have_header = false;
    let mut row = 0u64;
    let mut fell_back = false;
    let mut short_rows = 0u64;
    loop {
        let ok = reader
            .read_byte_record(&mut record)
            .map_err(|e| TableError::Read {
                path: name.to_string(),
                line: e.position().map_or(0, |p| p.line()),
                source: io::Error::other(e),
            })?;
        if !ok {
            break;
        }
        // The record ends with the line break the reader stopped after.
        let inside = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
        let line = reader.position().line().saturating_sub(inside + 1).max(1);
        if is_blank(&record) {
            table.blank_lines += 1;
            continue;
        }
        if !have_header {
            let last = record.len() - 1;
            table.header = record
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let f = if i == last { last_field(f) } else { f };
                    let text = decode_field(f, decoding).0;
                    text.trim().trim_start_matches('\u{feff}').to_string()
                })
                .collect();
            have_header = true;
            continue;
        }
        row += 1;
        let width = table.header.len();
        let fields = record.len();
        if fields > width && (width..fields).any(|i| !record[i].iter().all(u8::is_ascii_whitespace))
        {
            return Err(TableError::TooManyFields {
                path: name.to_string(),
                row,
                line,
                found: fields,
                expected: width,
            });
        }
        if fields < width {
            short_rows += 1;
        }
        let last = fields - 1;
        let whole = match decoding {
            RowDecoding::Windows1252 => None,
            _ => std::str::from_utf8(record.as_slice()).ok(),
        };
        for i in 0..width.min(fields) {
            match whole {
                Some(text) => {
                    let range = record.range(i).unwrap_or(0..0);
                    let cell = &text[range];
                    let cell = if i == last {
                        cell.strip_suffix('\r').unwrap_or(cell)
                    } else {
                        cell
                    };
                    table.text.push_str(cell);
                }
                None => {
                    let f = if i == last {
                        last_field(&record[i])
                    } else {
                        &record[i]
                    };
                    let (text, found) = decode_field(f, decoding);
                    if let (Decoded::NotUtf8 { byte }, false) = (found, fell_back) {
                        fell_back = true;
                        table
                            .notices
                            .push(fallback_notice(decoding, row, line, byte));
                        if decoding == RowDecoding::Utf8WithFallback {
                            table.encoding = Encoding::Windows1252;
                        }
                    }
                    table.text.push_str(&text);
                }
            }
            let end = u32::try_from(table.text.len()).map_err(|_| TableError::TooLarge {
                path: name.to_string(),
            })?;
            table.ends.push(end);
        }
        for _ in fields..width {
            table.ends.push(table.text.len() as u32);
        }
        table.lines.push(line);
    }
    if !have_header {
        return Err(TableError::NoHeader {
            path: name.to_string(),
        });
    }
    if short_rows > 0 {
        table.notices.push(Notice {
            row: None,
            line: None,
            message: format!(
                "{short_rows} rows have fewer fields than the header; their missing fields \
                 are empty"
            ),
        });
    }
    let offset = utf16_seen.load(std::sync::atomic::Ordering::Relaxed);
    if offset != u64::MAX {
        table.notices.push(Notice {
            row: None,
            line: None,
            message: format!("invalid UTF-16 near byte {offset}: replaced with U+FFFD"),
        });
    }
    Ok(table)
}

fn fallback_notice(decoding: RowDecoding, row: u64, line: u64, byte: u8) -> Notice {
    let message = match decoding {
        RowDecoding::Utf8WithFallback => format!(
            "byte 0x{byte:02X} is not UTF-8: this row and every other row that is not valid \
             UTF-8 were read as Windows-1252"
        ),
        _ => format!("byte 0x{byte:02X} is not UTF-8: replaced with U+FFFD"),
    };
    Notice {
        row: Some(row),
        line: Some(line),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: Vec<u8>) -> Result<RawTable, TableError> {
        read_table_from(Cursor::new(bytes), "people.csv", &TableOptions::default())
    }

    #[test]
    fn rows_keep_every_cell_in_order() {
        // Arrange
        let csv = "id;First Name;Email\r\n1;Jane;\"jane;doe@acme.com\"\r\n\r\n2;Ren\u{e9}\r\n";

        // Act
        let table = read(csv.as_bytes().to_vec()).unwrap();

        // Assert
        assert_eq!(table.delimiter, b';');
        assert_eq!(table.header(), ["id", "First Name", "Email"]);
        assert_eq!(table.rows(), 2);
        assert_eq!(table.cell(0, 2), "jane;doe@acme.com");
        assert_eq!(table.cell(1, 1), "Ren\u{e9}");
        assert_eq!(table.cell(1, 2), "");
        assert_eq!(table.line(1), 4);
        assert_eq!(table.blank_lines, 1);
    }

    #[test]
    fn utf16_and_windows_1252_decode_as_in_the_importers() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "name\nZo\u{eb}\n".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        let table = read(utf16).unwrap();
        assert_eq!(table.encoding, Encoding::Utf16Le);
        assert_eq!(table.cell(0, 0), "Zo\u{eb}");

        let cp1252 = b"name\nZo\xEB\n".to_vec();
        let table = read(cp1252).unwrap();
        assert_eq!(table.cell(0, 0), "Zo\u{eb}");
        assert_eq!(table.encoding, Encoding::Windows1252);
        assert_eq!(table.notices[0].row, Some(1));
    }

    #[test]
    fn a_shifted_row_names_its_row_and_line() {
        let err = read(b"a,b\n1,2\n3,4,5\n".to_vec()).unwrap_err().to_string();
        assert!(
            err.contains("people.csv: row 2 (line 3): 3 fields"),
            "{err}"
        );
        assert!(matches!(read(Vec::new()), Err(TableError::NoHeader { .. })));
    }

    #[test]
    fn preset_headers_become_field_names() {
        let header = b"Apollo Contact Id,First Name,Last Name,Person Linkedin Url,Custom\n";
        let table = read(header.to_vec()).unwrap();
        let (preset, names) = table.field_header();
        assert_eq!(preset, Preset::Apollo);
        assert_eq!(
            names,
            ["id", "first_name", "last_name", "linkedin_url", "Custom"]
        );
        let generic = read(b"First Name,E-mail,Custom\n".to_vec()).unwrap();
        assert_eq!(generic.field_header().1, ["first_name", "email", "Custom"]);
    }
}
