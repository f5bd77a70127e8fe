#!/usr/bin/env bash
# Rescoring one lead after one event: the demo workspace (built with --walkthrough, so a
# model is live and the leads are scored), SQLite, release build. The hidden command
# `leads rescore-bench` stores one pricing-page view of a lead per run (not timed), then
# times the path an import takes to the lead's new score — `rescore_import`: the leads
# the import touched, the live card, the lead's reads and features, its score row, the
# audit entry, the commit — and, apart, the reads and computation alone (`features_at`).
# Prints median, p90 and slowest in microseconds. The lead starts with the events the demo
# gave it and gains one per run, so the median run reads about RUNS/2 more.
#   bench/rescore_one.sh [RUNS]     (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
cargo build --release -p leadgate --bin leadgate --quiet
leadgate=target/release/leadgate
ws=target/bench-rescore/demo
# A fresh workspace every time: each run adds one event to the lead, and a lead that kept
# the events of earlier runs would be measured with hundreds more than it had.
rm -rf "$ws"
mkdir -p target/bench-rescore
"$leadgate" demo --walkthrough --no-serve --dir "$ws" > target/bench-rescore/demo.log
lead=$("$leadgate" -w "$ws" leads list --json |
  python3 -c 'import json,sys; print(next(l["id"] for l in json.load(sys.stdin) if l["email"]))')
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "leads: $("$leadgate" -w "$ws" leads list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'), rescoring lead $lead, $runs runs"
"$leadgate" -w "$ws" leads rescore-bench --contact "$lead" --runs "$runs"
