#!/usr/bin/env bash
# The API against its own OpenAPI document, by a fuzzer: schemathesis 4 generates requests for
# every operation of /api/openapi.json and checks that none gets a server error and every
# response matches the schema the document gives for its status. It runs as the demo's admin
# (a bearer token) against a walked-through demo workspace, so lists, gates and samples exist.
#   bench/schemathesis.sh [MAX_EXAMPLES]     (default 100 per operation)
# LEADGATE_BIN names the binary to drive (default: the debug build, built here if missing);
# SCHEMATHESIS names the fuzzer (default: one installed in target/schemathesis-venv by pip).
# Exits non-zero when schemathesis reports anything. `.ci/run` runs it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
examples="${1:-100}"

leadgate="${LEADGATE_BIN:-$root/target/debug/leadgate}"
if [ ! -x "$leadgate" ]; then
  cargo build --quiet -p leadgate --bin leadgate --manifest-path "$root/Cargo.toml"
fi
schemathesis="${SCHEMATHESIS:-}"
if [ -z "$schemathesis" ]; then
  venv="$root/target/schemathesis-venv"
  if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "schemathesis>=4,<5"
  fi
  schemathesis="$venv/bin/schemathesis"
fi

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

ws="$work/demo"
"$leadgate" demo --dir "$ws" --walkthrough --no-serve >"$work/demo.log" 2>&1 \
  || { cat "$work/demo.log"; exit 1; }
token="$("$leadgate" --workspace "$ws" token create --as ada --name schemathesis 2>/dev/null)"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
"$leadgate" --workspace "$ws" serve --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null || { cat "$work/server.log"; exit 1; }

echo "== schemathesis: every operation of $base/api/openapi.json as the demo admin ($examples examples each)"
status=0
# From the scratch directory: schemathesis keeps a cache of what it found where it runs.
(cd "$work" && SCHEMATHESIS_HOOKS="$root/bench/schemathesis_hooks.py" "$schemathesis" run "$base/api/openapi.json" \
  --checks not_a_server_error,response_schema_conformance \
  --header "Authorization: Bearer $token" \
  --max-examples "$examples" \
  --seed 1 \
  --no-color \
  --suppress-health-check all) \
  || status=$?
if [ "$status" -ne 0 ]; then
  echo "-- the server's log:" >&2
  grep -iE "error|panic" "$work/server.log" | tail -20 >&2 || true
fi
exit "$status"
