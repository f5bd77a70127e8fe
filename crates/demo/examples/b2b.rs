//! Writes one synthetic B2B contact file of the benchmark grid:
//! `cargo run --release -p leadgate-demo --example b2b -- OUT.csv VARIANT ROWS [SEED]`, or
//! `--list` for the variant names and their knobs. Prints what the file holds, one
//! `key=value` per line, for the benchmark script to read.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use leadgate_demo::{B2bConfig, thousands, variants, write_b2b_file};

const USAGE: &str = "usage: b2b OUT.csv VARIANT ROWS [SEED]   |   b2b --list";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--list") {
        for (name, knobs) in variants() {
            println!("{name:<16} {}", knobs.describe());
        }
        return ExitCode::SUCCESS;
    }
    let [out, variant, rows, rest @ ..] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Some((_, knobs)) = variants().into_iter().find(|(name, _)| name == variant) else {
        let names: Vec<&str> = variants().iter().map(|(n, _)| *n).collect();
        eprintln!("unknown variant {variant:?}; one of: {}", names.join(", "));
        return ExitCode::from(2);
    };
    let Ok(rows) = rows.replace('_', "").parse::<usize>() else {
        eprintln!("ROWS must be a number, not {rows:?}\n{USAGE}");
        return ExitCode::from(2);
    };
    let seed = match rest.first().map(|s| s.parse::<u64>()) {
        None => 42,
        Some(Ok(seed)) => seed,
        Some(Err(_)) => {
            eprintln!("SEED must be a number\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let started = Instant::now();
    let config = B2bConfig { seed, rows, knobs };
    let stats = match write_b2b_file(&config, &PathBuf::from(out)) {
        Ok(stats) => stats,
        Err(e) => {
            eprintln!("{out}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("variant={variant}");
    println!("knobs={}", knobs.describe());
    println!("seed={seed}");
    println!("rows={}", stats.rows);
    println!("people={}", stats.people);
    println!("companies={}", stats.companies);
    println!("largest_company={}", stats.largest_company);
    println!("true_pairs={}", stats.true_pairs);
    println!("largest_true_cluster={}", stats.largest_true_cluster);
    eprintln!(
        "wrote {} rows to {out} in {:.2?}",
        thousands(stats.rows),
        started.elapsed()
    );
    ExitCode::SUCCESS
}
