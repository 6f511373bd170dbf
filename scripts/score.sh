#!/usr/bin/env bash
# Scores `livesell classify` on the labelled dev set (tests/data/dev, a copy of ../shared/data kept in
# the repository) against the rules-alone targets, then on our own labelled sets
# (tests/data/classifier) as regression guards. Fails when any of its data is missing.
# usage: scripts/score.sh [MIN_INTENT_ACC MIN_CLAIM_F1]   (default: 0.93 / 0.88, the rules-alone targets)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${LIVESELL_DATA_DIR:-tests/data/dev}
for f in "$data/comments-dev.jsonl" "$data/catalog.json" "$data/score.py"; do
  [ -f "$f" ] || { echo "score.sh: $f not found: the classifier gate can't run" >&2; exit 1; }
done
ls tests/data/classifier/*.jsonl >/dev/null 2>&1 || { echo "score.sh: no tests/data/classifier/*.jsonl" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
score() { # score LABELLED MIN_ACC MIN_F1: prints the score line, fails below either minimum
  cargo run --quiet --locked --bin livesell -- classify --catalog "$data/catalog.json" "$1" > "$out"
  local line rc=0
  line=$(python3 "$data/score.py" "$1" "$out" "$2" "$3") || rc=$?
  echo "$(basename "$1"): $(echo "$line" | tail -n 1)"
  return "$rc"
}
score "$data/comments-dev.jsonl" "${1:-0.93}" "${2:-0.88}"
for f in tests/data/classifier/*.jsonl; do
  score "$f" 0.98 0.98
done
