#!/usr/bin/env bash
# Scores `livesell classify` on the labelled dev set (../shared/data) and fails below the targets.
# usage: scripts/score.sh [MIN_INTENT_ACC MIN_CLAIM_F1]   (default: 0.93 / 0.88, the rules-alone targets)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${LIVESELL_DATA_DIR:-../shared/data}
if [ ! -f "$data/comments-dev.jsonl" ]; then
  echo "score.sh: $data/comments-dev.jsonl not found; skipping the classifier score" >&2
  exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cargo run --quiet --locked --bin livesell -- classify --catalog "$data/catalog.json" "$data/comments-dev.jsonl" > "$out"
python3 "$data/score.py" "$data/comments-dev.jsonl" "$out" "${1:-0.93}" "${2:-0.88}"
