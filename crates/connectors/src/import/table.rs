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
use std::io::{self, Read};
use std::path::Path;

use super::columns::{ColumnMap, Field, Preset};
use super::decode::{
    Decoded, Encoding, OpenError, RowDecoding, decode_field, fallback_notice, open_text,
};
use super::report::Notice;
use super::{csv_reader, decode_header, is_blank, last_field};

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
    #[error("{path}: not a text file: binary content at byte {offset}; save it as CSV")]
    NotText { path: String, offset: u64 },
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
    /// snake_case name ([`Field::as_str`]: "First Name" → `first_name`, "Person Linkedin
    /// Url" → `linkedin_url`, "Record ID" → `id`), so that one comparison setup reads exports
    /// of every vendor. The preset is the one [`detect`](super::detect) picks, as an import
    /// picks it. Where several columns may fill one field, the first gets the name; columns
    /// no preset knows keep theirs.
    pub fn field_header(&self) -> (Preset, Vec<String>) {
        let (map, preset) = ColumnMap::by_preset(&self.header, None);
        let mut names = self.header.clone();
        for &field in Field::ALL {
            if let Some(&column) = map.by_field[field.index()].first() {
                let key = field.as_str();
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
    input: R,
    name: &str,
    options: &TableOptions,
) -> Result<RawTable, TableError> {
    let text = open_text(input, options.encoding).map_err(|e| match e {
        OpenError::Io(source) => TableError::Io {
            path: name.to_string(),
            source,
        },
        OpenError::Binary(offset) => TableError::NotText {
            path: name.to_string(),
            offset,
        },
    })?;
    let delimiter = text.delimiter(options.delimiter);
    let (encoding, decoding, utf16) = (text.encoding, text.decoding, text.utf16_watch());
    let mut reader = csv_reader(text.into_stream(), delimiter, 1 << 20);
    let mut record = csv::ByteRecord::new();
    let mut blank_lines = 0;
    let header = loop {
        if next_record(&mut reader, &mut record, name)?.is_none() {
            return Err(TableError::NoHeader {
                path: name.to_string(),
            });
        }
        if !is_blank(&record) {
            break decode_header(&record, decoding).0;
        }
        blank_lines += 1;
    };
    let mut table = RawTable {
        path: name.to_string(),
        header,
        text: String::new(),
        ends: Vec::new(),
        lines: Vec::new(),
        encoding,
        delimiter,
        notices: Vec::new(),
        blank_lines,
    };
    let mut rows = RowsRead {
        decoding,
        count: 0,
        short: 0,
        fell_back: false,
    };
    while let Some(line) = next_record(&mut reader, &mut record, name)? {
        if is_blank(&record) {
            table.blank_lines += 1;
        } else {
            table.push_row(&record, line, &mut rows)?;
        }
    }
    if rows.short > 0 {
        table.notices.push(Notice {
            row: None,
            line: None,
            message: format!(
                "{} rows have fewer fields than the header; their missing fields are empty",
                rows.short
            ),
        });
    }
    table.notices.extend(utf16.notice());
    Ok(table)
}

/// Reads the next record into `record`: the physical line where it starts, or `None` at the
/// end of the input.
fn next_record(
    reader: &mut csv::Reader<Box<dyn Read + Send>>,
    record: &mut csv::ByteRecord,
    name: &str,
) -> Result<Option<u64>, TableError> {
    let more = reader
        .read_byte_record(record)
        .map_err(|e| TableError::Read {
            path: name.to_string(),
            line: e.position().map_or(0, |p| p.line()),
            source: io::Error::other(e),
        })?;
    // The record ends with the line break the reader stopped after.
    let inside = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
    Ok(more.then(|| reader.position().line().saturating_sub(inside + 1).max(1)))
}

/// The account of the data rows read so far.
struct RowsRead {
    decoding: RowDecoding,
    /// Data rows read (the 1-based number of the last one).
    count: u64,
    /// Rows with fewer fields than the header.
    short: u64,
    /// A row was not valid UTF-8 (only the first one has a notice).
    fell_back: bool,
}

impl RawTable {
    /// Appends a data row's cells, decoded; a short row's missing cells are empty.
    fn push_row(
        &mut self,
        record: &csv::ByteRecord,
        line: u64,
        rows: &mut RowsRead,
    ) -> Result<(), TableError> {
        rows.count += 1;
        let width = self.header.len();
        let fields = record.len();
        if fields > width && (width..fields).any(|i| !record[i].iter().all(u8::is_ascii_whitespace))
        {
            return Err(TableError::TooManyFields {
                path: self.path.clone(),
                row: rows.count,
                line,
                found: fields,
                expected: width,
            });
        }
        if fields < width {
            rows.short += 1;
        }
        let last = fields - 1;
        let whole = match rows.decoding {
            RowDecoding::Windows1252 => None,
            _ => std::str::from_utf8(record.as_slice()).ok(),
        };
        for i in 0..width.min(fields) {
            match whole {
                Some(text) => {
                    let cell = &text[record.range(i).unwrap_or(0..0)];
                    let cell = if i == last {
                        cell.strip_suffix('\r').unwrap_or(cell)
                    } else {
                        cell
                    };
                    self.text.push_str(cell);
                }
                None => {
                    let field = if i == last {
                        last_field(&record[i])
                    } else {
                        &record[i]
                    };
                    let (text, found) = decode_field(field, rows.decoding);
                    if let (Decoded::NotUtf8 { byte }, false) = (found, rows.fell_back) {
                        rows.fell_back = true;
                        self.note_fallback(rows, line, byte);
                    }
                    self.text.push_str(&text);
                }
            }
            let end = u32::try_from(self.text.len()).map_err(|_| TableError::TooLarge {
                path: self.path.clone(),
            })?;
            self.ends.push(end);
        }
        for _ in fields..width {
            self.ends.push(self.text.len() as u32);
        }
        self.lines.push(line);
        Ok(())
    }

    fn note_fallback(&mut self, rows: &RowsRead, line: u64, byte: u8) {
        self.notices
            .push(fallback_notice(rows.decoding, rows.count, line, byte));
        if rows.decoding == RowDecoding::Utf8WithFallback {
            self.encoding = Encoding::Windows1252;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: Vec<u8>) -> Result<RawTable, TableError> {
        read_table_from(
            std::io::Cursor::new(bytes),
            "people.csv",
            &TableOptions::default(),
        )
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
    fn a_binary_file_is_not_a_table() {
        let err = read(b"PK\x03\x04\x14\0\x06\0".to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "people.csv: not a text file: binary content at byte 5; save it as CSV"
        );
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
