#!/usr/bin/env bash
# Entity resolution on the grid of synthetic B2B contact files: `leadgate dedupe` beside
# Splink 5 (DuckDB) on every variant of leadgate-demo's B2B generator (baseline, many
# colleagues, shared switchboards, e-mail patterns, full-name-only CRM rows, nicknames,
# swapped names, job movers, sparse rows, company naming, everything at once), each file
# with known truth, at each size.
#
#   bench/er_grid.sh [--variants a,b,...] [ROWS ...]      (default sizes: 20000 200000)
#
# For every size and variant it generates the file (cached under target/er-grid/files/),
# runs leadgate and Splink (2 threads) under /usr/bin/time -v (wall time, peak memory),
# scores both with bench/pairwise.py (pairwise precision, recall, F1, largest predicted
# cluster), prints one Markdown table per size and saves it as target/er-grid/results-ROWS.md,
# with a line per variant on whether leadgate meets its targets: precision >= 0.98, F1 at
# least Splink's, at least 5x faster, largest cluster at most the largest true cluster + 2.
#
# Environment: LEADGATE_BIN runs a leadgate binary built already (default: build
# target/release/leadgate); SEED (default 42) seeds the generator; SPLINK_SCRIPT overrides
# bench/splink_grid.py. Splink is installed with pip into a virtual environment under
# target/ when it is missing. Heavy jobs run one at a time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/target/er-grid"
venv="$root/target/splink-venv"
splink_script="${SPLINK_SCRIPT:-$root/bench/splink_grid.py}"
seed="${SEED:-42}"
splink_threads=2

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

only=""
sizes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --variants) only="${2:?--variants needs a list}"; shift 2 ;;
    --variants=*) only="${1#--variants=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    *) sizes+=("$1"); shift ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(20000 200000)
mkdir -p "$work/files"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import splink, duckdb' 2>/dev/null; then
  echo "== installing Splink into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet splink==5.0.0 duckdb pandas pyarrow
fi
"$venv/bin/python" -c 'import splink, duckdb; print("splink", splink.__version__, "duckdb", duckdb.__version__)'

echo "== building the B2B generator"
cargo build --release --quiet -p leadgate-demo --example b2b --manifest-path "$root/Cargo.toml"
generator="$root/target/release/examples/b2b"
generator_id="$(sha256sum "$generator" | cut -c1-16)"

leadgate="${LEADGATE_BIN:-}"
if [ -z "$leadgate" ]; then
  echo "== building leadgate (release)"
  cargo build --release --quiet -p leadgate --bin leadgate --manifest-path "$root/Cargo.toml"
  leadgate="$root/target/release/leadgate"
fi

all_variants="$("$generator" --list | awk '{print $1}')"
if [ -n "$only" ]; then
  variants="$(echo "$only" | tr ',' '\n')"
  for v in $variants; do
    echo "$all_variants" | grep -qx "$v" || { echo "unknown variant $v; one of: $(echo $all_variants)" >&2; exit 2; }
  done
else
  variants="$all_variants"
fi

# Runs a command with its output in $log; leaves wall seconds and peak RSS (MB) in $wall, $rss.
measure() {
  local log="$1"; shift
  if ! /usr/bin/time -v -o "$log.time" "$@" > "$log" 2>&1; then
    echo "failed: $*" >&2; tail -20 "$log" >&2; exit 1
  fi
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log.time")
}

# The cached file of a variant and size, regenerated when the generator changed.
generate() {
  local variant="$1" rows="$2"
  file="$work/files/$variant-$rows-s$seed.csv"
  local stats="$file.stats"
  if [ -f "$file" ] && [ -f "$stats" ] && grep -qx "generator=$generator_id" "$stats"; then
    return
  fi
  "$generator" "$file" "$variant" "$rows" "$seed" > "$stats.tmp"
  echo "generator=$generator_id" >> "$stats.tmp"
  mv "$stats.tmp" "$stats"
}

stat_of() { awk -F= -v k="$2" '$1 == k {print $2}' "$1.stats"; }

for rows in "${sizes[@]}"; do
  runs="$work/runs/$rows"
  mkdir -p "$runs"
  results="$runs/results.jsonl"
  : > "$results"
  for variant in $variants; do
    echo "== $variant, $rows rows"
    generate "$variant" "$rows"
    out="$runs/$variant"
    mkdir -p "$out"

    measure "$out/leadgate.log" "$leadgate" dedupe "$file" --id-column record_id --out "$out/leadgate_clusters.csv"
    lg_wall=$wall; lg_rss=$rss
    python3 "$root/bench/pairwise.py" "$out/leadgate_clusters.csv" "$file" --json "$out/leadgate.json" | sed 's/^/  leadgate: /'

    measure "$out/splink.log" "$venv/bin/python" "$splink_script" "$file" --out "$out/splink_clusters.csv" --threads "$splink_threads"
    sp_wall=$wall; sp_rss=$rss
    python3 "$root/bench/pairwise.py" "$out/splink_clusters.csv" "$file" --json "$out/splink.json" | sed 's/^/  splink:   /'

    python3 - "$results" "$variant" "$rows" "$(stat_of "$file" true_pairs)" "$(stat_of "$file" largest_true_cluster)" \
      "$(stat_of "$file" largest_company)" "$out/leadgate.json" "$lg_wall" "$lg_rss" "$out/splink.json" "$sp_wall" "$sp_rss" <<'PY'
import json, sys
results, variant, rows, pairs, largest_true, largest_company, lg, lg_wall, lg_rss, sp, sp_wall, sp_rss = sys.argv[1:]
with open(results, "a", encoding="utf-8") as f:
    f.write(json.dumps({
        "variant": variant, "rows": int(rows), "true_pairs": int(pairs),
        "largest_true_cluster": int(largest_true), "largest_company": int(largest_company),
        "leadgate": {**json.load(open(lg)), "seconds": float(lg_wall), "mb": int(lg_rss)},
        "splink": {**json.load(open(sp)), "seconds": float(sp_wall), "mb": int(sp_rss)},
    }) + "\n")
PY
  done

  python3 - "$results" "$work/results-$rows.md" "$seed" <<'PY'
import json, sys
results, out, seed = sys.argv[1:]
runs = [json.loads(line) for line in open(results, encoding="utf-8")]
lines = [
    f"Entity resolution on the B2B grid, {runs[0]['rows']:,} rows per file (seed {seed}).",
    "",
    "| variant | rows | true pairs | largest true cluster | leadgate P / R / F1 | leadgate largest cluster "
    "| leadgate s | leadgate MB | Splink P / R / F1 | Splink largest cluster | Splink s | speed ratio |",
    "|---|---:|---:|---:|---|---:|---:|---:|---|---:|---:|---:|",
]
verdicts = []
for r in runs:
    lg, sp = r["leadgate"], r["splink"]
    ratio = sp["seconds"] / lg["seconds"] if lg["seconds"] > 0 else float("inf")
    lines.append(
        f"| {r['variant']} | {r['rows']:,} | {r['true_pairs']:,} | {r['largest_true_cluster']} "
        f"| {lg['precision']:.3f} / {lg['recall']:.3f} / {lg['f1']:.3f} | {lg['largest_cluster']} "
        f"| {lg['seconds']:.2f} | {lg['mb']} "
        f"| {sp['precision']:.3f} / {sp['recall']:.3f} / {sp['f1']:.3f} | {sp['largest_cluster']} "
        f"| {sp['seconds']:.2f} | {ratio:.1f}x |")
    checks = [
        (lg["precision"] >= 0.98, f"precision {lg['precision']:.3f} >= 0.98"),
        (lg["f1"] >= sp["f1"], f"F1 {lg['f1']:.3f} >= Splink's {sp['f1']:.3f}"),
        (ratio >= 5, f"{ratio:.1f}x >= 5x faster"),
        (lg["largest_cluster"] <= r["largest_true_cluster"] + 2,
         f"largest cluster {lg['largest_cluster']} <= {r['largest_true_cluster']} + 2"),
    ]
    met = sum(ok for ok, _ in checks)
    verdict = "meets all targets" if met == len(checks) else f"meets {met} of {len(checks)} targets"
    verdicts.append(f"- {r['variant']}: leadgate {verdict}: "
                    + "; ".join(f"{text} {'yes' if ok else 'NO'}" for ok, text in checks))
text = "\n".join(lines + [""] + verdicts) + "\n"
open(out, "w", encoding="utf-8").write(text)
print()
print(text)
print(f"saved {out}")
PY
done
