//! Reading and normalising speed of the file importers: one thread (the iterator), and
//! two (`Import::next_batch`).
//!
//! `cargo run --release -p leadgate-connectors --example read_bench -- [SCALE] [SOURCE] [DIR] [MODE] [BATCH]`
//! writes the demo's source files at SCALE (default 100) to a temporary directory, then
//! imports one of them (apollo, salesnav or hubspot; default apollo) and prints rows read,
//! accepted and rejected, the time, and rows per second, for the iterator and for batches
//! of BATCH rows (default 1024) normalised on two threads. Generating the files is not timed.
//! With a third argument DIR, the files are written there and reused by later runs.
//! MODE `iter` or `batch` runs only that reading (to time or profile one alone); by
//! default both run, and the two must give the same totals. The rows per CPU-second of
//! `iter` (user time under `/usr/bin/time`) is the one-core figure on a shared machine.
//! For scale on a shared machine it also times a bare pass of the `csv` crate over the same
//! file (byte records, no decoding, no normalisation): the floor any importer stands on.

use std::path::Path;
use std::time::Instant;

use jiff::Timestamp;
use leadgate_connectors::import::{ImportOptions, ReadSummary, open};
use leadgate_demo::{DemoConfig, Source, generate, write_files};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let scale: u32 = args.next().map_or(Ok(100), |s| s.parse())?;
    let source = match args.next().as_deref() {
        None | Some("apollo") => Source::Apollo,
        Some("salesnav") => Source::SalesNavigator,
        Some("hubspot") => Source::HubSpot,
        Some(other) => return Err(format!("unknown source {other:?}").into()),
    };
    let now: Timestamp = "2026-01-15T12:00:00Z".parse()?;
    let temp = tempfile::tempdir()?;
    let dir = args.next().map_or(temp.path().to_path_buf(), Into::into);
    let mode = args.next().unwrap_or_else(|| "all".to_string());
    let batch: usize = args.next().map_or(Ok(1024), |s| s.parse())?;
    if !matches!(mode.as_str(), "all" | "iter" | "batch") {
        return Err(format!("unknown mode {mode:?}: all, iter or batch").into());
    }
    let path = dir.join(source.file());
    if !path.exists() {
        let world = generate(&DemoConfig { seed: 42, scale }, now);
        write_files(&world, &dir)?;
    }
    let bytes = std::fs::metadata(&path)?.len();
    let options = ImportOptions {
        observed_at: Some(now),
        ..ImportOptions::default()
    };

    let mut summaries = Vec::new();
    if mode != "batch" {
        let (summary, secs) = timed(|| by_iterator(&path, &options))?;
        print_summary(&source, &summary, bytes);
        println!(
            "one thread (iterator): {secs:.3} s, {:.0} rows/s, {:.1} MB/s",
            summary.rows_read as f64 / secs,
            bytes as f64 / 1e6 / secs
        );
        summaries.push(summary);
    }
    if mode != "iter" {
        let (summary, secs) = timed(|| by_batches(&path, &options, batch))?;
        if summaries.is_empty() {
            print_summary(&source, &summary, bytes);
        }
        println!(
            "two threads (next_batch of {batch}): {secs:.3} s, {:.0} rows/s",
            summary.rows_read as f64 / secs
        );
        summaries.push(summary);
    }
    if summaries.windows(2).any(|w| w[0] != w[1]) {
        return Err("the batches and the iterator disagree".into());
    }
    if mode == "all" {
        let (rows, secs) = timed(|| bare_csv(&path))?;
        println!(
            "bare csv pass: {secs:.3} s, {:.0} rows/s",
            rows as f64 / secs
        );
    }
    Ok(())
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn timed<T>(run: impl FnOnce() -> Result<T>) -> Result<(T, f64)> {
    let start = Instant::now();
    let out = run()?;
    Ok((out, start.elapsed().as_secs_f64()))
}

fn by_iterator(path: &Path, options: &ImportOptions) -> Result<ReadSummary> {
    let mut import = open(path, options)?;
    let mut fields = 0usize;
    for record in (&mut import).flatten() {
        fields += record.extra.len() + usize::from(record.person.email.is_some());
    }
    std::hint::black_box(fields);
    Ok(import.finish()?)
}

fn by_batches(path: &Path, options: &ImportOptions, size: usize) -> Result<ReadSummary> {
    let mut import = open(path, options)?;
    let mut fields = 0usize;
    loop {
        let batch = import.next_batch(size);
        if batch.is_empty() {
            break;
        }
        for record in batch.into_iter().flatten() {
            fields += record.extra.len() + usize::from(record.person.email.is_some());
        }
    }
    std::hint::black_box(fields);
    Ok(import.finish()?)
}

fn bare_csv(path: &Path) -> Result<u64> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)?;
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    while reader.read_byte_record(&mut record)? {
        rows += 1;
    }
    Ok(rows)
}

fn print_summary(source: &Source, summary: &ReadSummary, bytes: u64) {
    println!(
        "{}: {} rows ({:.1} MB), {} accepted, {} rejected, {} warnings, preset {}",
        source.file(),
        summary.rows_read,
        bytes as f64 / 1e6,
        summary.accepted,
        summary.rejected,
        summary.warnings,
        summary.preset.map_or("mapping", |p| p.as_str()),
    );
}
