#!/usr/bin/env bash
# Builds the Cloudflare Worker (functions/edge) for wasm32 with Debian's rustc 1.96 and build-std
# (../shared/WORKER-BUILD.md): the rustup toolchain has no wasm32 std and can't fetch one here.
# Output: functions/edge/build/ (worker/shim.mjs + the .wasm), which wrangler.toml points at.
# Tools come from infra/install-tools.sh; nothing is downloaded during the build.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tools=${LIVESELL_TOOLS:-/opt/livesell-tools}
for t in worker-build wasm-bindgen esbuild wasm-opt; do
  [ -x "$tools/bin/$t" ] || { echo "build-worker.sh: $tools/bin/$t missing; run infra/install-tools.sh" >&2; exit 1; }
done
[ -x /usr/bin/rustc ] && /usr/bin/rustc --print sysroot >/dev/null || { echo "build-worker.sh: Debian's rustc-web is missing; run infra/install-tools.sh" >&2; exit 1; }

# Debian's compiler and cargo, not rustup's shims; the wrapper answers worker-build's
# `--print target-libdir` check, which build-std can't satisfy.
export PATH="$tools/wasm-rustc:/usr/bin:/bin:/usr/sbin:/sbin"
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
# Its own target dir under target/: another compiler, so it must not share fingerprints with the host builds.
export CARGO_TARGET_DIR="$repo/target/wasm"
# wasm-bindgen reads the target_features section that stripping would remove; wasm-opt shrinks it instead.
export CARGO_PROFILE_RELEASE_STRIP=false
export WASM_BINDGEN_BIN="$tools/bin/wasm-bindgen" ESBUILD_BIN="$tools/bin/esbuild" WASM_OPT_BIN="$tools/bin/wasm-opt"
cd "$repo/functions/edge"
exec "$tools/bin/worker-build" --release
