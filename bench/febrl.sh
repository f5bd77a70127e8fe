#!/usr/bin/env bash
# Entity-resolution quality on the FEBRL benchmarks: `leadgate dedupe` (release) on FEBRL3
# (deduplicate one file) and FEBRL4 (link 4a with 4b), then pairwise precision, recall and
# F1 against the truth in rec_id (rec-N-org and rec-N-dup-K are person N).
#   bench/febrl.sh [DATA_DIR]    (default: ../shared/data/er/febrl beside the repository)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data/er/febrl}"
out="$root/target/bench-febrl"
mkdir -p "$out"
cargo build --release --quiet -p leadgate --bin leadgate --manifest-path "$root/Cargo.toml"
leadgate="$root/target/release/leadgate"

# FEBRL4 is a link of two files without duplicates inside either: the built-in FEBRL setup
# in link mode.
{ echo 'mode = "link"'; cat "$root/crates/core/src/discovery/resolve/presets/febrl.toml"; } > "$out/febrl_link.toml"

echo "== FEBRL3: deduplicate dataset3.csv"
"$leadgate" dedupe "$data/dataset3.csv" --config febrl --id-column rec_id --out "$out/febrl3.csv"
python3 "$root/bench/pairwise.py" "$out/febrl3.csv" "$data/dataset3.csv"

echo "== FEBRL4: link dataset4a.csv with dataset4b.csv"
"$leadgate" dedupe "$data/dataset4a.csv" "$data/dataset4b.csv" --config "$out/febrl_link.toml" \
  --id-column rec_id --out "$out/febrl4.csv"
python3 "$root/bench/pairwise.py" "$out/febrl4.csv" "$data/dataset4a.csv" "$data/dataset4b.csv"
