//! Generates the demo files: `cargo run --release -p leadgate-demo --example generate --
//! <dir> [seed] [scale]`. Prints the file list with row counts and the time taken; used to
//! measure generation at large scales (run it under `/usr/bin/time -v` for peak memory).

use std::path::PathBuf;
use std::time::Instant;

use leadgate_demo::{DemoConfig, generate, thousands, write_files};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "demo-data".to_string()));
    let seed = args
        .next()
        .map_or(42, |s| s.parse().expect("seed is a number"));
    let scale = args
        .next()
        .map_or(1, |s| s.parse().expect("scale is a number"));
    // A fixed date keeps runs comparable; the CLI passes the real `now`.
    let now: jiff::Timestamp = "2025-06-30T12:00:00Z".parse().expect("valid timestamp");

    let started = Instant::now();
    let world = generate(&DemoConfig { seed, scale }, now);
    let generated = started.elapsed();
    let files = write_files(&world, &dir)?;
    let written = started.elapsed() - generated;

    println!("{}", files.summary());
    for f in &files.files {
        println!("{:>12}  {}", thousands(f.rows), f.relative);
    }
    println!("generated in {generated:.2?}, written in {written:.2?}");
    Ok(())
}
