//! Reading and normalising speed of the file importers, single-threaded.
//!
//! `cargo run --release -p leadgate-connectors --example read_bench -- [SCALE] [SOURCE]`
//! writes the demo's source files at SCALE (default 100) to a temporary directory, then
//! imports one of them (apollo, salesnav or hubspot; default apollo) and prints rows read,
//! accepted and rejected, the time, and rows per second. Generating the files is not timed.
//! With a third argument DIR, the files are written there and reused by later runs.
//! For scale on a shared machine it also times a bare pass of the `csv` crate over the same
//! file (byte records, no decoding, no normalisation): the floor any importer stands on.

use std::time::Instant;

use jiff::Timestamp;
use leadgate_connectors::import::{ImportOptions, open};
use leadgate_demo::{DemoConfig, Source, generate, write_files};

fn main() -> Result<(), Box<dyn std::error::Error>> {
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
    let start = Instant::now();
    let mut import = open(&path, &options)?;
    let mut fields = 0usize;
    for record in (&mut import).flatten() {
        fields += record.extra.len() + usize::from(record.person.email.is_some());
    }
    let summary = import.finish()?;
    let secs = start.elapsed().as_secs_f64();
    std::hint::black_box(fields);

    let start = Instant::now();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(&path)?;
    let mut record = csv::ByteRecord::new();
    let mut bare_rows = 0u64;
    while reader.read_byte_record(&mut record)? {
        bare_rows += 1;
    }
    let bare_secs = start.elapsed().as_secs_f64();

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
    println!(
        "{:.3} s, {:.0} rows/s, {:.1} MB/s",
        secs,
        summary.rows_read as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
    println!(
        "bare csv pass: {:.3} s, {:.0} rows/s",
        bare_secs,
        bare_rows as f64 / bare_secs
    );
    Ok(())
}
