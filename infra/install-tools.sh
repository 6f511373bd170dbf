#!/usr/bin/env bash
# Install livesell's deployment tools from the package registries into one per-machine cache root,
# skipping whatever is already there, so CI on the same machine pays for them once.
#
#   infra/install-tools.sh                 # installs into /opt/livesell-tools
#   LIVESELL_TOOLS=/some/dir infra/install-tools.sh
#   export PATH="${LIVESELL_TOOLS:-/opt/livesell-tools}/bin:$PATH"
#
# What lands where ($ROOT = ${LIVESELL_TOOLS:-/opt/livesell-tools}):
#   $ROOT/venv                 python venv: cargo-lambda, cfn-lint (PyPI)
#   $ROOT/node                 npm prefix: wrangler@4, esbuild, binaryen (wasm-opt), playwright-core
#                              (drives Debian's chromium in the return-page browser test)
#   $ROOT/bin                  cargo-lambda, cfn-lint, wrangler, esbuild, wasm-opt (symlinks) and
#                              wasm-bindgen, worker-build (cargo install --root $ROOT)
#   $ROOT/wasm-rustc/rustc     rustc wrapper for worker-build with -Z build-std (see
#                              shared WORKER-BUILD.md): put $ROOT/wasm-rustc FIRST in PATH for the
#                              wasm build only
#   Debian: rustc-web cargo-web rust-web-src rust-web-llvm lld-22 (/usr/bin/rustc 1.96, LLVM 22),
#           chromium (/usr/bin/chromium, for the browser test; never a downloaded browser)
#
# Knobs (environment):
#   WASM_BINDGEN_VERSION   wasm-bindgen-cli version (default below; must match Cargo.lock)
#   WORKER_BUILD_VERSION   worker-build version (default 0.8.7, = the `worker` crate version)
#   LIVESELL_TOOLS_JOBS    cargo install -j (default 1)      LIVESELL_TOOLS_NICE  nice level (default 19)
#   HOST_CARGO             cargo for host tools (default ~/.cargo/bin/cargo, else cargo in PATH)
#   CARGO_TARGET_DIR       honoured by cargo install (default: a temporary dir cargo removes)
#   PYTHON                 python for the venv (default python3)
set -euo pipefail

ROOT="${LIVESELL_TOOLS:-/opt/livesell-tools}"
# MUST equal the version of the `wasm-bindgen` package in the workspace Cargo.lock (what
# `worker = "0.8.7"` resolves to): worker-build refuses/downloads otherwise. Check with
#   grep -A1 'name = "wasm-bindgen"$' Cargo.lock
WASM_BINDGEN_VERSION="${WASM_BINDGEN_VERSION:-0.2.130}"
WORKER_BUILD_VERSION="${WORKER_BUILD_VERSION:-0.8.7}"
JOBS="${LIVESELL_TOOLS_JOBS:-1}"
NICE="${LIVESELL_TOOLS_NICE:-19}"
PYTHON="${PYTHON:-python3}"
APT_PACKAGES=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22 chromium)
NPM_PACKAGES=(wrangler@4 esbuild binaryen playwright-core@1)

START=$(date +%s)
log() { printf '[install-tools] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

if ! mkdir -p "$ROOT" 2>/dev/null || [ ! -w "$ROOT" ]; then
  log "creating $ROOT with sudo"
  "${SUDO[@]}" mkdir -p "$ROOT"
  "${SUDO[@]}" chown "$(id -u):$(id -g)" "$ROOT"
fi
mkdir -p "$ROOT/bin"

# One installer at a time per root (CI jobs on the same machine share it).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$ROOT/.install.lock"
  flock 9
fi

# ln -sfn only when the link is missing or points elsewhere.
link() { # link TARGET NAME
  local target=$1 name=$2
  [ -e "$target" ] || die "$target missing"
  if [ "$(readlink "$ROOT/bin/$name" 2>/dev/null || true)" != "$target" ]; then
    ln -sfn "$target" "$ROOT/bin/$name"
    log "linked $ROOT/bin/$name -> $target"
  fi
}

# ---------------------------------------------------------------- 1. PyPI: cargo-lambda, cfn-lint
if [ -x "$ROOT/venv/bin/cargo-lambda" ] && [ -x "$ROOT/venv/bin/cfn-lint" ] \
   && "$ROOT/venv/bin/python" -c '' 2>/dev/null; then
  log "skip: cargo-lambda, cfn-lint (venv at $ROOT/venv)"
else
  log "install: cargo-lambda, cfn-lint into $ROOT/venv (pip)"
  [ -x "$ROOT/venv/bin/python" ] && "$ROOT/venv/bin/python" -c '' 2>/dev/null \
    || "$PYTHON" -m venv --clear "$ROOT/venv"
  "$ROOT/venv/bin/python" -m pip install --quiet --disable-pip-version-check cargo-lambda cfn-lint >&2
fi
link "$ROOT/venv/bin/cargo-lambda" cargo-lambda
link "$ROOT/venv/bin/cfn-lint" cfn-lint

# ---------------------------------------------------------------- 2. Debian: the wasm compiler
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in "${APT_PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  log "skip: apt ${APT_PACKAGES[*]}"
else
  log "install: apt ${missing[*]}"
  # All five together: without lld-22 the rust-lld link dangles; keep recommends (rust-web-llvm).
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

# ---------------------------------------------------------------- 3. npm: wrangler, esbuild, wasm-opt
NODE_BIN="$ROOT/node/node_modules/.bin"
if [ -e "$NODE_BIN/wrangler" ] && [ -e "$NODE_BIN/esbuild" ] && [ -e "$NODE_BIN/wasm-opt" ] \
   && [ -e "$ROOT/node/node_modules/playwright-core/package.json" ]; then
  log "skip: npm ${NPM_PACKAGES[*]} ($ROOT/node)"
else
  log "install: npm ${NPM_PACKAGES[*]} into $ROOT/node"
  mkdir -p "$ROOT/node"
  npm --prefix "$ROOT/node" i --no-audit --no-fund --loglevel=error "${NPM_PACKAGES[@]}" >&2
fi
link "$NODE_BIN/wrangler" wrangler
link "$NODE_BIN/esbuild" esbuild
link "$NODE_BIN/wasm-opt" wasm-opt

# ---------------------------------------------------------------- 4. cargo install: host tools
if [ -n "${HOST_CARGO:-}" ]; then :
elif [ -x "$HOME/.cargo/bin/cargo" ]; then HOST_CARGO="$HOME/.cargo/bin/cargo"
else HOST_CARGO="$(command -v cargo || true)"; fi

has_version() { # has_version BIN VERSION: BIN --version prints VERSION as a word
  local out
  out=$("$ROOT/bin/$1" --version 2>/dev/null) || return 1
  [[ " $out " =~ [[:space:]]v?${2//./\\.}[[:space:]] ]]
}

cargo_tool() { # cargo_tool CRATE BIN VERSION
  local crate=$1 bin=$2 version=$3
  if has_version "$bin" "$version"; then
    log "skip: $crate $version"
    return
  fi
  [ -n "$HOST_CARGO" ] || die "no cargo found for installing $crate"
  log "install: $crate $version (cargo install -j $JOBS, nice $NICE; takes minutes)"
  # Host build with the host toolchain: run outside any project (no .cargo/config.toml with
  # build-std), drop the wasm build's variables, keep the host cargo's own rustc first in PATH.
  ( cd / && env -u RUSTC -u RUSTDOC -u RUSTC_BOOTSTRAP -u CARGO_BUILD_TARGET -u RUSTFLAGS \
      PATH="$(dirname "$HOST_CARGO"):$PATH" \
      nice -n "$NICE" "$HOST_CARGO" install "$crate" --version "$version" --root "$ROOT" \
        --force -j "$JOBS" ) >&2
  has_version "$bin" "$version" || die "$bin --version does not report $version after install"
}
# NOT --locked: the published lockfiles of these versions do not build on every toolchain.
cargo_tool wasm-bindgen-cli wasm-bindgen "$WASM_BINDGEN_VERSION"
cargo_tool worker-build worker-build "$WORKER_BUILD_VERSION"

# ---------------------------------------------------------------- 5. rustc wrapper for worker-build
# worker-build checks that `rustc --target wasm32-unknown-unknown --print target-libdir` names an
# existing directory, which is not so with -Z build-std. This wrapper answers that one query with an
# existing empty directory and hands everything else to Debian's /usr/bin/rustc.
mkdir -p "$ROOT/wasm-rustc/empty-target-libdir"
wrapper=$(cat <<'EOF'
#!/bin/sh
# Generated by infra/install-tools.sh: put this directory first in PATH for worker-build only.
real="${LIVESELL_REAL_RUSTC:-/usr/bin/rustc}"
case " $* " in
  *" --print target-libdir "*|*" --print=target-libdir "*)
    case " $* " in
      *" --target wasm32-"*|*" --target=wasm32-"*)
        echo "$(dirname "$(readlink -f "$0")")/empty-target-libdir"
        exit 0 ;;
    esac ;;
esac
exec "$real" "$@"
EOF
)
if [ "$(cat "$ROOT/wasm-rustc/rustc" 2>/dev/null || true)" = "$wrapper" ]; then
  log "skip: rustc wrapper ($ROOT/wasm-rustc/rustc)"
else
  log "install: rustc wrapper $ROOT/wasm-rustc/rustc"
  printf '%s\n' "$wrapper" > "$ROOT/wasm-rustc/rustc.tmp"
  chmod 755 "$ROOT/wasm-rustc/rustc.tmp"
  mv "$ROOT/wasm-rustc/rustc.tmp" "$ROOT/wasm-rustc/rustc"
fi

# ---------------------------------------------------------------- versions
ver() { # ver LABEL CMD...
  local out
  out=$(WRANGLER_SEND_METRICS=false "${@:2}" 2>&1 | grep -v '^\s*$' | head -n 1) || true
  printf '  %-14s %s\n' "$1" "${out:-MISSING}" >&2
}
log "versions (root $ROOT, $(( $(date +%s) - START ))s):"
ver cargo-lambda "$ROOT/bin/cargo-lambda" lambda --version
ver cfn-lint     "$ROOT/bin/cfn-lint" --version
ver wrangler     "$ROOT/bin/wrangler" --version
ver esbuild      "$ROOT/bin/esbuild" --version
ver wasm-opt     "$ROOT/bin/wasm-opt" --version
ver wasm-bindgen "$ROOT/bin/wasm-bindgen" --version
ver worker-build "$ROOT/bin/worker-build" --version
ver rustc-web    /usr/bin/rustc --version
ver cargo-web    /usr/bin/cargo --version
ver rust-lld     /usr/bin/rust-lld -flavor wasm --version
ver wasm-rustc   "$ROOT/wasm-rustc/rustc" --target wasm32-unknown-unknown --print target-libdir
