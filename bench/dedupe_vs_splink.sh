#!/usr/bin/env bash
# `leadgate dedupe` beside Splink 5 (DuckDB) on the same B2B file, end to end: read,
# normalise, block, score, cluster, write. One run of each, wall time and peak memory
# (/usr/bin/time -v when present), the ratio, and each tool's pairwise precision/recall/F1
# against the generator's truth.
#   bench/dedupe_vs_splink.sh [SCALE] [SEED]    (scale 300: about 1,000,000 records)
# Splink is installed with pip into a virtual environment under target/; the Splink setup
# is shared/bench/splink_b2b.py beside the repository (SPLINK_SCRIPT overrides), run with
# as many threads as the machine has cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scale="${1:-300}"; seed="${2:-42}"
work="$root/target/bench-dedupe"
venv="$root/target/splink-venv"
splink_script="${SPLINK_SCRIPT:-$root/../shared/bench/splink_b2b.py}"
threads="$(nproc)"
mkdir -p "$work"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import splink, duckdb' 2>/dev/null; then
  echo "== installing Splink into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet splink==5.0.0 duckdb pandas pyarrow
fi
"$venv/bin/python" -c 'import splink, duckdb; print("splink", splink.__version__, "duckdb", duckdb.__version__)'

file="$work/demo_s${scale}_seed${seed}.csv"
if [ ! -f "$file" ]; then
  echo "== generating the demo benchmark file (scale $scale, seed $seed)"
  "$root/bench/gen_dedupe_file.sh" "$work/raw.csv" "$scale" "$seed"
  # Splink's setup wants integer record ids: number the rows, keep everything else.
  python3 - "$work/raw.csv" "$file" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as src, open(sys.argv[2], "w", newline="", encoding="utf-8") as dst:
    r, w = csv.reader(src), csv.writer(dst, lineterminator="\n")
    header = next(r); w.writerow(header)
    for i, row in enumerate(r, 1):
        row[0] = str(i); w.writerow(row)
PY
  rm -f "$work/raw.csv"
fi
echo "input: $file ($(du -h "$file" | cut -f1))"

# LEADGATE_BIN runs a binary built already instead of building one.
leadgate="${LEADGATE_BIN:-}"
if [ -z "$leadgate" ]; then
  echo "== building leadgate (release)"
  cargo build --release --quiet -p leadgate --bin leadgate --manifest-path "$root/Cargo.toml"
  leadgate="$root/target/release/leadgate"
fi

# Runs a command, prints its output, and leaves wall seconds and peak RSS (MB) in $wall, $rss.
measure() {
  local log="$1"; shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$log.time" "$@" > "$log" 2>&1 || { cat "$log"; exit 1; }
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log.time")
  else
    local t0; t0=$(date +%s.%N)
    "$@" > "$log" 2>&1 || { cat "$log"; exit 1; }
    wall=$(echo "$(date +%s.%N) - $t0" | bc); rss="?"
  fi
  cat "$log"
}

echo "== leadgate dedupe"
measure "$work/leadgate.log" "$leadgate" dedupe "$file" --out "$work/leadgate_clusters.csv"
lg_wall=$wall; lg_rss=$rss

echo "== Splink 5 + DuckDB ($threads threads)"
measure "$work/splink.log" "$venv/bin/python" "$splink_script" "$file" --out "$work/splink_clusters.csv" --threads "$threads"
sp_wall=$wall; sp_rss=$rss

echo "== quality (pairwise, after clustering)"
printf 'leadgate: '; python3 "$root/bench/pairwise.py" "$work/leadgate_clusters.csv" "$file"
printf 'splink:   '; python3 "$root/bench/pairwise.py" "$work/splink_clusters.csv" "$file"

echo "== result"
printf 'leadgate dedupe: %6.2f s wall, %s MB peak RSS\n' "$lg_wall" "$lg_rss"
printf 'splink + duckdb: %6.2f s wall, %s MB peak RSS\n' "$sp_wall" "$sp_rss"
awk -v a="$sp_wall" -v b="$lg_wall" 'BEGIN { printf "leadgate is %.1fx faster\n", a / b }'
