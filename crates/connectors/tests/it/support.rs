//! Test inputs: CSV text written with any delimiter, encoded in any of the encodings the
//! importers read, and written to temporary files.

use std::path::PathBuf;

use leadgate_connectors::import::{
    Encoding, ImportOptions, ProspectRecord, ReadSummary, RejectedRow, open,
};

pub const ENCODINGS: [Encoding; 5] = [
    Encoding::Utf8,
    Encoding::Utf8Bom,
    Encoding::Utf16Le,
    Encoding::Utf16Be,
    Encoding::Windows1252,
];

pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// `text` in `encoding`, with the byte-order mark the encoding's writers put first.
pub fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [&[0xEF, 0xBB, 0xBF], text.as_bytes()].concat(),
        Encoding::Utf16Le => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        Encoding::Utf16Be => [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
        Encoding::Windows1252 => {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
            assert!(!unmappable, "test text not in Windows-1252: {text:?}");
            bytes.into_owned()
        }
    }
}

/// One CSV field, quoted when it holds the delimiter, a quote or a line break.
pub fn field(value: &str, delimiter: u8) -> String {
    let d = char::from(delimiter);
    if value.contains([d, '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A CSV line (without its line break).
pub fn line(values: &[&str], delimiter: u8) -> String {
    values
        .iter()
        .map(|v| field(v, delimiter))
        .collect::<Vec<_>>()
        .join(&char::from(delimiter).to_string())
}

/// A file in a temporary directory that lives as long as the value.
pub struct TempFile {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn temp_file(name: &str, bytes: &[u8]) -> TempFile {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    TempFile { _dir: dir, path }
}

/// Everything one import gave.
pub struct Outcome {
    pub accepted: Vec<ProspectRecord>,
    pub rejected: Vec<RejectedRow>,
    pub summary: ReadSummary,
    pub header: Vec<String>,
}

/// Imports a file and checks the accounting invariant.
pub fn import_file(path: &std::path::Path, options: &ImportOptions) -> Outcome {
    let mut import = open(path, options).unwrap();
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for item in &mut import {
        match item {
            Ok(record) => accepted.push(record),
            Err(row) => rejected.push(row),
        }
    }
    let header = import.header().to_vec();
    let summary = import.finish().unwrap();
    assert_eq!(summary.rows_read, summary.accepted + summary.rejected);
    assert_eq!(summary.accepted, accepted.len() as u64);
    assert_eq!(summary.rejected, rejected.len() as u64);
    Outcome {
        accepted,
        rejected,
        summary,
        header,
    }
}

/// Imports bytes written to a temporary file named `name`.
pub fn import_bytes(name: &str, bytes: &[u8], options: &ImportOptions) -> Outcome {
    let file = temp_file(name, bytes);
    import_file(&file.path, options)
}

/// The extra value of a column in a record.
pub fn extra<'a>(record: &'a ProspectRecord, column: &str) -> Option<&'a str> {
    record
        .extra
        .iter()
        .find(|(c, _)| c.as_ref() == column)
        .map(|(_, v)| v.as_str())
}
