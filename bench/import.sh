#!/usr/bin/env bash
# Import speed: the demo generator's Apollo export (about 950,000 rows at scale 716) imported
# into a fresh SQLite workspace by a release build, timed with /usr/bin/time -v.
#   bench/import.sh [SCALE] [SOURCE]     SOURCE: apollo (default), salesnav or hubspot
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-716}
source=${2:-apollo}
case "$source" in
  apollo) file=apollo_people.csv ;;
  salesnav) file=salesnav_leads.csv ;;
  hubspot) file=hubspot_contacts.csv ;;
  *) echo "unknown source $source" >&2; exit 2 ;;
esac
cargo build --release -p leadgate --bin leadgate --quiet
cargo build --release -p leadgate-demo --example generate --quiet
data=target/bench-import/data-$scale
if [ ! -f "$data/sources/$file" ]; then
  target/release/examples/generate "$data" 42 "$scale" >/dev/null
fi
ws=target/bench-import/ws
rm -rf "$ws"
target/release/leadgate init "$ws" >/dev/null
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v target/release/leadgate -w "$ws" import "$data/sources/$file" --source "$source" --json \
  > target/bench-import/report.json 2> target/bench-import/time.txt
python3 - <<'PY'
import json, re
r = json.load(open("target/bench-import/report.json"))
t = open("target/bench-import/time.txt").read()
wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", t).group(1)
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
parts = [float(x) for x in wall.split(":")]
secs = parts[-1] + 60 * (parts[-2] if len(parts) > 1 else 0) + 3600 * (parts[-3] if len(parts) > 2 else 0)
print(f"rows_read {r['rows_read']}  stored {r['stored']}  merged {r['merged']}  rejected {r['rejected']}")
print(f"wall {secs:.1f} s  ({r['rows_read'] / secs:,.0f} rows/s)  peak RSS {rss / 1024:.0f} MB")
PY
