#!/usr/bin/env bash
# Benchmark: the gate inbox API (GET /api/gates?for=me with a bearer token) under load from a
# second process on loopback, on SQLite and on PostgreSQL. Not a test: it prints figures for
# docs/benchmarks.md.
#
#   bench/inbox.sh                 # both backends
#   BACKENDS=sqlite bench/inbox.sh # one
#
# Load: wrk with a Lua delay per connection holds a fixed rate (CONNECTIONS × 1000/DELAY_MS
# requests/s at most: 16 × 1000/10 = 1,600/s), then an unthrottled pass shows the ceiling.
# PostgreSQL: a fresh schema in database `test` on 127.0.0.1:5432 (user postgres), dropped after.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS="${BACKENDS:-sqlite postgres}"
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-16}"
DELAY_MS="${DELAY_MS:-10}"
PORT="${PORT:-18181}"
PG_URL="${LEADGATE_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
export PGOPTIONS="--client-min-messages=warning"

if ! command -v wrk >/dev/null; then
  echo "Installing wrk (Debian package)…"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

cargo build --release -p leadgate --quiet
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac
bin="$target_dir/release/leadgate"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "${schema:-}" ]; then psql -q "$PG_URL" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/throttle.lua" <<LUA
function delay() return $DELAY_MS end
LUA

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
# The demo's people and ICP; its workspace is SQLite, so the PostgreSQL run rebuilds the same.
"$bin" demo --dir "$work/demo" --no-serve >/dev/null

for backend in $BACKENDS; do
  ws="$work/$backend"
  schema=""
  case "$backend" in
    sqlite) "$bin" init "$ws" --name bench >/dev/null ;;
    postgres)
      schema="lg_bench_$$"
      psql -q "$PG_URL" -c "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
      "$bin" init "$ws" --name bench --database-url "$PG_URL?options[search_path]=$schema" >/dev/null ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  "$bin" -w "$ws" user add sam --email sam@bench.example --role sales_lead >/dev/null
  "$bin" -w "$ws" user add mia --email mia@bench.example --role marketing_lead >/dev/null
  "$bin" -w "$ws" user add otto --email otto@bench.example --role sales_ops >/dev/null
  # A few segments, so the inbox holds several gates.
  for n in 1 2 3 4 5; do
    sed "s/^segment = .*/segment = \"Bench segment $n\"/" "$work/demo/icp.toml" > "$work/icp$n.toml"
    "$bin" -w "$ws" icp propose "$work/icp$n.toml" --as otto >/dev/null
  done
  token=$("$bin" -w "$ws" token create --as sam --name bench 2>/dev/null)

  LEADGATE_LOG=warn "$bin" -w "$ws" serve --bind "127.0.0.1:$PORT" 2>"$work/$backend.log" &
  server_pid=$!
  for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
    sleep 0.2
  done
  url="http://127.0.0.1:$PORT/api/gates?for=me"
  items=$(curl -sf -H "Authorization: Bearer $token" "$url" | grep -o '"id":' | wc -l)
  echo
  echo "== $backend: GET /api/gates?for=me ($items gates in the inbox)"
  wrk -t2 -c"$CONNECTIONS" -d5s -H "Authorization: Bearer $token" "$url" >/dev/null # warm-up
  echo "-- fixed rate: $CONNECTIONS connections, ${DELAY_MS} ms between requests on each (≤ $((CONNECTIONS * 1000 / DELAY_MS)) req/s), $DURATION"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/throttle.lua" \
    -H "Authorization: Bearer $token" "$url" | grep -E "Requests/sec|99%|90%|50%|Non-2xx|Socket errors|requests in"
  echo "-- unthrottled: $CONNECTIONS connections, $DURATION"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency \
    -H "Authorization: Bearer $token" "$url" | grep -E "Requests/sec|99%|90%|50%|Non-2xx|Socket errors|requests in"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=""
  if [ -n "$schema" ]; then psql -q "$PG_URL" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null; schema=""; fi
done
