//! Scoring a file of leads (`model predict`): one line out per row in, in order — the
//! probability with six decimals, the score, and the points of every term.
//!
//! A million leads should take about a second, so the work is split the way it can be on a
//! small machine: one thread reads the CSV (reading is sequential — a quoted field may hold
//! a line break, so the text cannot be cut at arbitrary lines), handing batches of rows to
//! as many threads as there are cores, which bin, score and format them into bytes; the
//! caller's thread writes the batches out in the order they were read. Rows are read into
//! reused byte records and scored into reused buffers, so a row allocates nothing.
//!
//! A row that cannot be scored stops the run with the error [`Scorecard::score_rows`] gives
//! for it (the row and column, counted from the first row under the header); the rows
//! before it have been written, and the caller discards the file.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread;

use super::scorecard::{Layout, Scorecard};
use super::table::{CsvText, TableError};

/// Rows per batch handed to a scoring thread: large enough that handing over is rare, small
/// enough that every thread has work until the end.
const BATCH_ROWS: usize = 2048;

/// Rows read, with where they start in the file.
struct Batch {
    index: usize,
    /// The file's row (from 0) of the first record.
    first_row: usize,
    records: Vec<csv::ByteRecord>,
    len: usize,
}

/// A batch scored: its lines, or the first row of it that could not be scored.
struct Scored {
    index: usize,
    lines: Result<(Vec<u8>, usize), TableError>,
    records: Vec<csv::ByteRecord>,
}

impl Scorecard {
    /// Writes the header (`probability,score,points <term>…`) and one line per row of the
    /// CSV `text`, in order; returns how many rows were scored. See the module's notes.
    pub fn write_scores(
        &self,
        text: &str,
        origin: &str,
        out: &mut impl Write,
    ) -> io::Result<Result<usize, TableError>> {
        let csv = match CsvText::open(text, origin) {
            Ok(csv) => csv,
            Err(e) => return Ok(Err(e)),
        };
        let layout = match self.layout_of_file(&csv.headers, origin) {
            Ok(layout) => layout,
            Err(e) => return Ok(Err(e)),
        };
        let mut header = csv::Writer::from_writer(&mut *out);
        let mut names = vec!["probability".to_string(), "score".to_string()];
        names.extend(self.terms.iter().map(|t| format!("points {}", t.name())));
        header.write_record(&names)?;
        header.flush()?;
        drop(header);

        let workers = thread::available_parallelism().map_or(1, |n| n.get());
        thread::scope(|scope| {
            let (work, todo) = sync_channel::<Batch>(2 * workers);
            let (done, scored) = channel::<Scored>();
            let (spent, reuse) = channel::<Vec<csv::ByteRecord>>();
            let todo = Arc::new(Mutex::new(todo));
            {
                let (csv, done) = (&csv, done.clone());
                scope.spawn(move || read_batches(csv, &work, &reuse, &done));
            }
            for _ in 0..workers {
                let (todo, done, csv, layout) = (Arc::clone(&todo), done.clone(), &csv, &layout);
                scope.spawn(move || score_batches(self, csv, layout, &todo, &done));
            }
            drop(done);
            write_in_order(&scored, &spent, out)
        })
    }
}

/// Reads the rows into batches until the end of the text, a row that cannot be read (sent
/// as the batch's error), or no one scoring any more.
fn read_batches(
    csv: &CsvText<'_>,
    work: &SyncSender<Batch>,
    reuse: &Receiver<Vec<csv::ByteRecord>>,
    done: &std::sync::mpsc::Sender<Scored>,
) {
    let mut reader = csv.reader();
    let (mut index, mut row) = (0, 0);
    loop {
        let mut records = reuse.try_recv().unwrap_or_default();
        records.resize_with(BATCH_ROWS, csv::ByteRecord::new);
        let (mut len, mut unreadable) = (0, None);
        while len < BATCH_ROWS {
            match reader.read_byte_record(&mut records[len]) {
                Ok(true) => len += 1,
                Ok(false) => break,
                Err(e) => {
                    unreadable = Some(csv.row_error(row + len, &e.to_string()));
                    break;
                }
            }
        }
        let full = len == BATCH_ROWS;
        // The rows read go out first; then, if one could not be read, its error.
        if len > 0 {
            let batch = Batch {
                index,
                first_row: row,
                records: std::mem::take(&mut records),
                len,
            };
            if work.send(batch).is_err() {
                return;
            }
            index += 1;
            row += len;
        }
        if let Some(error) = unreadable {
            let _ = done.send(Scored {
                index,
                lines: Err(error),
                records,
            });
            return;
        }
        if !full {
            return;
        }
    }
}

/// Takes batches until there are none, scoring each into its lines.
fn score_batches(
    card: &Scorecard,
    csv: &CsvText<'_>,
    layout: &Layout,
    todo: &Mutex<Receiver<Batch>>,
    done: &std::sync::mpsc::Sender<Scored>,
) {
    let mut cells = Vec::with_capacity(card.terms.len());
    loop {
        // The lock is held only to take a batch; a poisoned lock means a thread panicked,
        // and the others stop.
        let batch = match todo.lock() {
            Ok(todo) => todo.recv(),
            Err(_) => return,
        };
        let Ok(batch) = batch else { return };
        let lines = score_batch(card, csv, layout, &batch, &mut cells);
        let scored = Scored {
            index: batch.index,
            lines,
            records: batch.records,
        };
        if done.send(scored).is_err() {
            return;
        }
    }
}

fn score_batch(
    card: &Scorecard,
    csv: &CsvText<'_>,
    layout: &Layout,
    batch: &Batch,
    cells: &mut Vec<u32>,
) -> Result<(Vec<u8>, usize), TableError> {
    // About 4 bytes a term and 16 for the probability and score.
    let mut lines = Vec::with_capacity(batch.len * (16 + 4 * card.terms.len()));
    for (k, record) in batch.records[..batch.len].iter().enumerate() {
        let row = batch.first_row + k;
        csv.check_width(record.len(), row)?;
        // The text is UTF-8 and the reader splits it only at ASCII bytes, so every field
        // is UTF-8 too.
        let field = |at: usize| {
            record
                .get(at)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or("")
        };
        card.cells_into(layout, field, cells)
            .map_err(|(at, message)| TableError::Cell {
                origin: csv.origin.clone(),
                row: row + 1,
                column: csv.headers[at].clone(),
                message,
            })?;
        let score = card.total(cells);
        push_probability(&mut lines, card.probability(score));
        lines.push(b',');
        push_integer(&mut lines, score);
        for (term, &cell) in card.terms.iter().zip(cells.iter()) {
            lines.push(b',');
            push_integer(&mut lines, term.points_at(cell as usize));
        }
        lines.push(b'\n');
    }
    Ok((lines, batch.len))
}

/// Writes the scored batches in the order they were read; the first error, in that order,
/// ends the run.
fn write_in_order(
    scored: &Receiver<Scored>,
    spent: &std::sync::mpsc::Sender<Vec<csv::ByteRecord>>,
    out: &mut impl Write,
) -> io::Result<Result<usize, TableError>> {
    let (mut waiting, mut next, mut rows) = (BTreeMap::new(), 0, 0);
    for batch in scored {
        waiting.insert(batch.index, batch);
        while let Some(batch) = waiting.remove(&next) {
            match batch.lines {
                Ok((lines, len)) => {
                    out.write_all(&lines)?;
                    rows += len;
                }
                Err(e) => return Ok(Err(e)),
            }
            // The reader may be gone already; then there is nothing to reuse the rows for.
            let _ = spent.send(batch.records);
            next += 1;
        }
    }
    Ok(Ok(rows))
}

/// `p` with six decimals, as `{:.6}` writes a probability, without the formatter's cost
/// (it rounds half away from zero where `{:.6}` rounds the exact binary value; the two
/// differ only on a tie, by one in the sixth decimal).
fn push_probability(out: &mut Vec<u8>, p: f64) {
    let millionths = (p * 1e6).round();
    if !(0.0..=1e6).contains(&millionths) {
        let _ = write!(out, "{p:.6}");
        return;
    }
    let millionths = millionths as u64;
    push_integer(out, (millionths / 1_000_000) as i64);
    out.push(b'.');
    let fraction = millionths % 1_000_000;
    let mut digits = [b'0'; 6];
    let mut rest = fraction;
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    out.extend_from_slice(&digits);
}

/// `n` in decimal, without the formatter's cost.
fn push_integer(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut rest = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::table::RawTable;

    fn card() -> Scorecard {
        crate::scoring::rules::parse(
            include_str!("../../../../examples/scoring/rules.toml"),
            "rules.toml",
        )
        .unwrap()
    }

    fn written(card: &Scorecard, text: &str) -> (String, Result<usize, TableError>) {
        let mut out = Vec::new();
        let rows = card.write_scores(text, "in.csv", &mut out).unwrap();
        (String::from_utf8(out).unwrap(), rows)
    }

    /// A file of `rows` leads over several batches, with quoted fields holding the
    /// delimiter and a line break.
    fn leads(rows: usize) -> String {
        let industries = [
            "\"Computer Software\"",
            "\"Retail, Wholesale\"",
            "\"Banking\nand more\"",
            "",
        ];
        let mut text = String::from("industry,employees,pricing_page_visit_7d,seniority\n");
        for i in 0..rows {
            text.push_str(&format!(
                "{},{},{},{}\n",
                industries[i % industries.len()],
                (i * 37) % 5000,
                i % 4,
                ["vp", "manager", "", "c_level"][i % 4]
            ));
        }
        text
    }

    #[test]
    fn every_row_is_written_in_order_as_the_whole_table_scores_it() {
        let card = card();
        let text = leads(3 * BATCH_ROWS + 17);

        let (out, rows) = written(&card, &text);

        let whole = card
            .score_rows(&RawTable::parse(&text, "in.csv").unwrap())
            .unwrap();
        assert_eq!(rows.unwrap(), whole.len());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "probability,score,points employees,points industry,points pricing_page_visit_7d,points seniority"
        );
        assert_eq!(lines.len(), whole.len() + 1);
        for (line, scored) in lines[1..].iter().zip(&whole) {
            let fields: Vec<&str> = line.split(',').collect();
            let probability: f64 = fields[0].parse().unwrap();
            assert!((probability - scored.probability).abs() <= 5e-7, "{line}");
            assert_eq!(fields[1], scored.score.to_string());
            let points: Vec<i64> = fields[2..].iter().map(|p| p.parse().unwrap()).collect();
            assert_eq!(points, scored.points);
        }
    }

    #[test]
    fn the_first_bad_row_in_file_order_is_named_however_the_batches_finish() {
        let card = card();
        let mut text = leads(2 * BATCH_ROWS + 5);
        // Two bad rows in later batches: the first in the file is the one named.
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines.push("Retail,many,1,vp".into());
        lines.push("Retail,12,1".into());
        text = lines.join("\n");
        let rows_before = card
            .score_rows(&RawTable::parse(&leads(2 * BATCH_ROWS + 5), "in.csv").unwrap())
            .unwrap()
            .len();

        let (_, error) = written(&card, &text);
        let (_, short) = written(&card, &format!("{}\nRetail,12,1\n", leads(10).trim_end()));

        assert_eq!(
            error.unwrap_err().to_string(),
            format!(
                "in.csv:{}:employees: `many` is not a number",
                rows_before + 1
            )
        );
        assert_eq!(
            short.unwrap_err().to_string(),
            "in.csv: row 11: 3 fields where the header has 4 columns"
        );
    }

    #[test]
    fn a_column_the_card_reads_must_be_in_the_file() {
        let (out, error) = written(&card(), "industry,employees\nsoftware,300\n");

        assert!(out.is_empty());
        assert!(
            error
                .unwrap_err()
                .to_string()
                .contains("pricing_page_visit_7d"),
            "the missing column is named"
        );
    }

    #[test]
    fn numbers_are_written_as_the_formatter_writes_them() {
        for p in [0.0, 1.0, 0.5, 0.123_456_4, 0.999_999_6, 1e-9, 0.031_25] {
            let mut out = Vec::new();
            push_probability(&mut out, p);
            assert_eq!(String::from_utf8(out).unwrap(), format!("{p:.6}"));
        }
        for n in [0, 7, -7, 10, 1234567890, i64::MIN, i64::MAX] {
            let mut out = Vec::new();
            push_integer(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }
}
