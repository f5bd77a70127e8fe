#!/usr/bin/env bash
# The scoring model against its peers on public conversion data (UCI Bank Marketing without
# `duration`, UCI Online Shoppers Intention): logistic regression, EBM additive, EBM with
# pairs (interpret's default), LightGBM, and `leadgate model train` additive and with 10
# pairs, all on the SAME folds — 5-fold StratifiedKFold(shuffle=True, random_state=0),
# exported by the Python side one fold number per row and read by `--folds` — one thread.
# Prints one table: mean ROC AUC, PR AUC, Brier over the folds, ECE of the pooled
# out-of-fold probabilities (10 equal-count bins), fit seconds per fold.
#   bench/scoring.sh [DATA_DIR]    (default: ../shared/data/scoring beside the repository)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data/scoring}"
out="$root/target/bench-scoring"
venv="$root/target/scoring-venv"
mkdir -p "$out"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import interpret, lightgbm, sklearn, pandas' 2>/dev/null; then
  echo "== installing interpret, LightGBM, scikit-learn and pandas into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet interpret-core==0.7.8 lightgbm scikit-learn pandas
fi
cargo build --release --quiet -p leadgate --bin leadgate --manifest-path "$root/Cargo.toml"
leadgate="${CARGO_TARGET_DIR:-$root/target}/release/leadgate"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
export OMP_NUM_THREADS=1

run() { # NAME FILE ARGS...
  local name="$1" file="$2"; shift 2
  echo "== $name: baselines (this takes minutes: EBM fits one thread)"
  "$venv/bin/python" "$root/bench/scoring_baselines.py" run "$file" "$name" "$out/$name"
  for pairs in 0 10; do
    local which=pairs; [ "$pairs" = 0 ] && which=additive
    echo "== $name: leadgate, $which"
    "$leadgate" model train --history "$file" "$@" --folds "$out/$name/folds.txt" \
      --pairs "$pairs" --models "$out/models" --json > "$out/$name/leadgate_$which.json"
  done
}

run bank "$data/bank-full.csv" --label y --positive yes --exclude duration
run shoppers "$data/online_shoppers_intention.csv" --label Revenue --positive 1

"$venv/bin/python" "$root/bench/scoring_baselines.py" table "$out/bank" "$out/shoppers"
