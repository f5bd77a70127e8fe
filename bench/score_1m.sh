#!/usr/bin/env bash
# Scoring speed: `leadgate model predict` (release build) on 1,000,000 leads, end to end,
# against issue 14's "scoring 1,000,000 leads takes under 2 s". The input is the UCI Bank
# Marketing file's rows repeated until there are a million (every row a real lead's
# fields; deterministic, no sampling), scored with a card trained on that file with the
# default 10 pairs. Prints the wall time of the whole command (process start, reading the
# card and the file, parsing, binning, scoring, writing the CSV of scores and points) and
# the command's own `--timing` line, which splits it into reading the file, parsing and
# binning and scoring the rows, and writing.
#   bench/score_1m.sh [DATA_DIR]    (default: ../shared/data/scoring beside the repository)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data/scoring}"
target="${CARGO_TARGET_DIR:-$root/target}"
out="$target/bench-score-1m"
rows=1000000
mkdir -p "$out"

cargo build --release --quiet -p leadgate --bin leadgate --manifest-path "$root/Cargo.toml"
leadgate="$target/release/leadgate"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"

input="$out/leads.csv"
if [ ! -f "$input" ] || [ "$(($(wc -l < "$input") - 1))" != "$rows" ]; then
  echo "== writing $rows leads (bank rows repeated) to $input"
  awk -v rows="$rows" 'NR == 1 { print; next } { body[n++] = $0 }
    END { for (i = 0; i < rows; i++) print body[i % n] }' "$data/bank-full.csv" > "$input"
fi
echo "== input: $(($(wc -l < "$input") - 1)) rows, $(du -m "$input" | cut -f1) MB"

"$leadgate" model train --history "$data/bank-full.csv" --label y --positive yes \
  --exclude duration --models "$out/models" --json > "$out/train.json"
version="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$out/train.json" | head -1)"
echo "== card: $version ($(grep -o '"terms":[^,]*' "$out/train.json" || true))"

for run in 1 2 3; do
  start=$(date +%s.%N)
  "$leadgate" model predict --model "$version" --models "$out/models" --input "$input" \
    --out "$out/scores.csv" --timing
  end=$(date +%s.%N)
  echo "== run $run: end to end $(echo "$end - $start" | bc) s"
done
echo "== output: $(($(wc -l < "$out/scores.csv") - 1)) rows, $(head -1 "$out/scores.csv" | tr ',' '\n' | wc -l) columns"
