//! Shared fixtures: a fixed `now`, the seed-42 world and its files (built once per test
//! run), and a tiny RFC 4180 reader to check the writer's output independently.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jiff::Timestamp;
use leadgate_demo::{DemoConfig, DemoFiles, DemoWorld, generate, write_files};

pub fn now() -> Timestamp {
    "2025-06-30T12:00:00Z".parse().unwrap()
}

pub fn world() -> &'static DemoWorld {
    static WORLD: OnceLock<DemoWorld> = OnceLock::new();
    WORLD.get_or_init(|| generate(&DemoConfig { seed: 42, scale: 1 }, now()))
}

/// The seed-42 files, written once under Cargo's per-target temporary directory.
pub fn files() -> &'static DemoFiles {
    static FILES: OnceLock<DemoFiles> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("leadgate-demo-seed42");
        write_files(world(), &dir).expect("demo files are written")
    })
}

pub fn path(relative: &str) -> PathBuf {
    files().dir.join(relative)
}

/// Parses a whole CSV file: quoted fields may hold the delimiter, doubled quotes and line
/// breaks; a leading byte-order mark is skipped; records end with LF or CRLF.
pub fn read_csv(path: &Path, delimiter: char) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    parse_csv(text.strip_prefix('\u{feff}').unwrap_or(&text), delimiter)
}

pub fn parse_csv(text: &str, delimiter: char) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            '"' => panic!("a quote inside an unquoted field: {field:?}"),
            c if c == delimiter => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_field_start = true;
            }
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    assert!(!quoted, "file ends inside a quoted field");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// Area under the ROC curve of `scores` for the binary `labels` (ties count half).
pub fn auc(scores: &[f64], labels: &[bool]) -> f64 {
    let mut pairs: Vec<(f64, bool)> = scores.iter().copied().zip(labels.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = labels.iter().filter(|l| **l).count() as f64;
    let negatives = labels.len() as f64 - positives;
    // Sum of positive ranks (average ranks for ties), Mann–Whitney.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        while j < pairs.len() && pairs[j].0 == pairs[i].0 {
            j += 1;
        }
        let avg_rank = (i + j + 1) as f64 / 2.0;
        rank_sum += pairs[i..j].iter().filter(|p| p.1).count() as f64 * avg_rank;
        i = j;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

#[test]
fn the_test_reader_handles_quotes_newlines_and_crlf() {
    let rows = parse_csv("a,\"b,c\",\"d\"\"e\"\r\n\"x\ny\",,z\n", ',');
    assert_eq!(rows, vec![vec!["a", "b,c", "d\"e"], vec!["x\ny", "", "z"]]);
}

#[test]
fn auc_of_a_perfect_and_a_useless_score() {
    assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]), 1.0);
    assert_eq!(auc(&[0.5, 0.5, 0.5, 0.5], &[false, true, false, true]), 0.5);
}
