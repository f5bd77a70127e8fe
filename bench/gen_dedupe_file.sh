#!/usr/bin/env bash
# Writes the demo generator's dedupe benchmark file (one row per source record, with the
# true person id): bench/gen_dedupe_file.sh OUT.csv SCALE [SEED].
# Scale 30 is about 100,000 records, scale 300 about 1,000,000. A small crate under
# target/ calls leadgate-demo's `write_dedupe_benchmark`, so the file is exactly what the
# demo's sources hold, typos and gaps included.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$1"; scale="$2"; seed="${3:-42}"
gen="$root/target/bench-gen"
mkdir -p "$gen/src"
cat > "$gen/Cargo.toml" <<TOML
[package]
name = "bench-gen"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
leadgate-demo = { path = "$root/crates/demo" }
jiff = "0.2"
TOML
cat > "$gen/src/main.rs" <<'RS'
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, scale, seed) = (&args[0], args[1].parse().unwrap(), args[2].parse().unwrap());
    // A fixed date keeps files comparable between runs.
    let now: jiff::Timestamp = "2025-06-30T12:00:00Z".parse().unwrap();
    let config = leadgate_demo::DemoConfig { seed, scale };
    let rows = leadgate_demo::write_dedupe_benchmark(&config, now, std::path::Path::new(out))
        .unwrap_or_else(|e| panic!("{out}: {e}"));
    eprintln!("{rows} records written to {out} (seed {seed}, scale {scale})");
}
RS
[ -f "$gen/Cargo.lock" ] || cp "$root/Cargo.lock" "$gen/Cargo.lock"
cargo run --quiet --release --manifest-path "$gen/Cargo.toml" -- "$out" "$scale" "$seed"
