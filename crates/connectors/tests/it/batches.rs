//! `Import::next_batch` normalises on two threads; it must hand out exactly what the
//! iterator does (items, row and line numbers, rejections, notices, totals) whatever the
//! batch size, including where a batch splits between the threads.

use jiff::Timestamp;
use leadgate_connectors::import::{ImportOptions, ProspectRecord, ReadSummary, RejectedRow, open};
use leadgate_demo::{DemoConfig, Source, generate, write_files};

use crate::support::temp_file;

type Items = Vec<Result<ProspectRecord, RejectedRow>>;

fn by_iterator(path: &std::path::Path, options: &ImportOptions) -> (Items, ReadSummary) {
    let mut import = open(path, options).unwrap();
    let items: Items = (&mut import).collect();
    (items, import.finish().unwrap())
}

fn by_batches(
    path: &std::path::Path,
    options: &ImportOptions,
    size: usize,
) -> (Items, ReadSummary) {
    let mut import = open(path, options).unwrap();
    let mut items = Vec::new();
    loop {
        let batch = import.next_batch(size);
        assert!(batch.len() <= size);
        let done = batch.len() < size;
        items.extend(batch);
        // The totals so far cover exactly the rows handed out.
        assert_eq!(import.summary().rows_read, items.len() as u64);
        if done {
            break;
        }
    }
    assert!(import.next_batch(size).is_empty());
    (items, import.finish().unwrap())
}

#[test]
fn batches_of_any_size_equal_the_iterator_on_the_demo_sources() {
    // Arrange
    let now: Timestamp = "2026-01-15T12:00:00Z".parse().unwrap();
    let world = generate(&DemoConfig { seed: 11, scale: 1 }, now);
    let dir = tempfile::tempdir().unwrap();
    write_files(&world, dir.path()).unwrap();
    let options = ImportOptions {
        observed_at: Some(now),
        ..ImportOptions::default()
    };

    for source in [Source::Apollo, Source::SalesNavigator, Source::HubSpot] {
        let path = dir.path().join(source.file());
        let (want, want_summary) = by_iterator(&path, &options);
        assert!(want.len() > 200, "{source:?}: a file too small to split");
        for size in [1, 63, 64, 65, 1000, 100_000] {
            // Act
            let (got, summary) = by_batches(&path, &options, size);

            // Assert
            assert_eq!(summary, want_summary, "{source:?} batches of {size}");
            assert_eq!(got.len(), want.len(), "{source:?} batches of {size}");
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g, w, "{source:?} batches of {size}");
            }
        }
    }
}

#[test]
fn a_batch_keeps_blank_lines_rejections_and_the_first_fallback_notice_in_file_order() {
    // Arrange: 150 rows, blank lines among them, a row with too many fields, a row with no
    // identity, and two rows in Windows-1252 (the notice must name the first, which falls
    // in the second half of a batch of 200).
    let mut text = b"Email,First Name,Last Name,Company\n".to_vec();
    for i in 1..=150u32 {
        match i {
            20 | 90 => text.extend_from_slice(b"\n , ,\n"),
            _ => {}
        }
        let line = match i {
            30 => format!("x{i}@example.com,A,B,C,surplus\n").into_bytes(),
            40 => b",Ann,,\n".to_vec(),
            120 | 140 => {
                let mut l = format!("p{i}@example.com,Jos").into_bytes();
                l.push(0xE9); // é in Windows-1252
                l.extend_from_slice(b",Doe,Acme\n");
                l
            }
            _ => format!("p{i}@example.com,Ann,Lee,Acme {}\n", i % 7).into_bytes(),
        };
        text.extend_from_slice(&line);
    }
    let file = temp_file("mixed.csv", &text);
    let options = ImportOptions::default();
    let (want, want_summary) = by_iterator(&file.path, &options);

    // Act
    let (got, summary) = by_batches(&file.path, &options, 200);

    // Assert
    assert_eq!(got, want);
    assert_eq!(summary, want_summary);
    assert_eq!(
        (summary.rows_read, summary.rejected, summary.blank_lines),
        (150, 2, 4)
    );
    let notice = &summary.notices[0];
    let first_fallback = want
        .iter()
        .flatten()
        .find(|r| r.person.given_name.as_deref() == Some("José"))
        .unwrap();
    assert_eq!(notice.row, Some(first_fallback.row));
    assert_eq!(notice.line, Some(first_fallback.line));
}

#[test]
fn json_lines_batches_equal_the_iterator() {
    // Arrange: keys appear as the file goes on, which grows the header.
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&format!(
            "{{\"email\":\"p{i}@example.com\",\"first_name\":\"Ann\""
        ));
        if i > 150 {
            text.push_str(&format!(",\"note_{}\":\"n\"", i % 3));
        }
        text.push_str("}\n");
    }
    let file = temp_file("people.jsonl", text.as_bytes());
    let options = ImportOptions::default();
    let (want, want_summary) = by_iterator(&file.path, &options);

    // Act
    let (got, summary) = by_batches(&file.path, &options, 128);

    // Assert
    assert_eq!(got, want);
    assert_eq!(summary, want_summary);
    assert_eq!(summary.rows_read, 300);
}
