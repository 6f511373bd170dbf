#!/usr/bin/env bash
# The test command: services and deployment tools up (installed when missing, cached per machine),
# then every test of the workspace (unit; port contracts on SQLite/PostgreSQL, embedded/Redis/Upstash
# REST; the pipeline; the binary end to end; each Lambda under `cargo lambda watch`; the Worker under
# `wrangler dev`), clippy with warnings as errors, the classifier's scores, and the deploy build
# (cfn-lint, cargo lambda build, wrangler deploy --dry-run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
LIVESELL_TOOLS_JOBS=${LIVESELL_TOOLS_JOBS:-$(nproc)} LIVESELL_TOOLS_NICE=${LIVESELL_TOOLS_NICE:-0} bash infra/install-tools.sh
cargo build --workspace --bins --locked
bash infra/build-worker.sh
cargo test --workspace --locked
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings
bash scripts/score.sh
bash infra/deploy-build.sh
