#!/usr/bin/env bash
# The test command: services up, then every test of the workspace (unit, contract suites on
# SQLite/PostgreSQL and embedded/Redis, the pipeline, the binary end to end), then the
# classifier's score on the labelled dev set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
cargo build --workspace --bins --locked
cargo test --workspace --locked
bash scripts/score.sh
