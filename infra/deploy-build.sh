#!/usr/bin/env bash
# The deploy build: every Lambda bootstrap (cargo lambda, provided.al2023 x86_64), the Worker bundle
# (wasm32), and the checks that both descriptors deploy: cfn-lint on template.yaml, and
# `wrangler deploy --dry-run` with the bundle size checked against Workers' limit. Installs the tools
# first (cached per machine). Prints bootstrap sizes, cold-start init times and the bundle size.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${LIVESELL_TOOLS:-/opt/livesell-tools}
bash infra/install-tools.sh
export PATH="$tools/bin:$PATH"

echo "== cfn-lint template.yaml" >&2
cfn-lint template.yaml

echo "== cargo lambda build --release --compiler cargo" >&2
start=$(date +%s)
cargo lambda build --release --compiler cargo --locked \
  --bin ingest --bin health --bin filter --bin intent --bin reserve --bin respond --bin sweep
echo "lambda build: $(( $(date +%s) - start )) s" >&2

echo "== wrangler deploy --dry-run (runs infra/build-worker.sh)" >&2
start=$(date +%s)
out=$(WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false WRANGLER_HIDE_BANNER=true \
  wrangler deploy --dry-run --outdir target/wrangler-dist 2>&1) || { echo "$out" >&2; exit 1; }
echo "worker build + bundle: $(( $(date +%s) - start )) s" >&2
upload=$(echo "$out" | grep -o 'Total Upload: .*' | tail -n 1)
echo "worker bundle: ${upload:-unknown}" >&2
gzip_kib=$(echo "$upload" | sed -n 's/.*gzip: \([0-9.]*\) KiB.*/\1/p')
[ -n "$gzip_kib" ] || { echo "$out" >&2; echo "deploy-build.sh: could not read the bundle size" >&2; exit 1; }
# Workers' limit on the compressed script: 3 MiB on the free plan (10 MiB paid). Stay under the lower.
awk -v k="$gzip_kib" 'BEGIN { exit !(k < 3072) }' || { echo "deploy-build.sh: bundle ${gzip_kib} KiB gzip is over 3 MiB" >&2; exit 1; }

echo "== bootstrap sizes and init times (process start → runtime ready)" >&2
python3 infra/lambda-init.py target/lambda 5
