#!/usr/bin/env bash
# Installs what building and testing need — only what is missing, so a second run is quick.
#   rust wasm32 target · (optional) a nightly with rust-src · wasm-bindgen-cli (the exact version in Cargo.lock) · wasm-pack ·
#   wasm-split-cli (the package's parts) ·
#   Debian's chromium + chromium-driver · npm dev dependencies (incl. a current wasm-opt)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
log() { echo "[bootstrap] $*"; }
t0=$(date +%s)

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Optional, for a smaller package: a nightly with rust-src lets scripts/build-pkg.sh rebuild std
# with panic=immediate-abort. Best effort: without it the package is built with stable.
nightly=$(cat scripts/nightly-toolchain)
has_src() { local r; r=$(rustup run "$1" rustc --print sysroot 2>/dev/null) && [ -d "$r/lib/rustlib/src/rust/library" ]; }
if ! has_src "$nightly" && ! has_src nightly; then
  if rustup run nightly rustc --version >/dev/null 2>&1; then
    log "adding rust-src to the nightly toolchain"
    rustup component add rust-src --toolchain nightly || log "could not add rust-src: the package will be built with stable"
  else
    log "installing $nightly with rust-src (smaller package)"
    rustup toolchain install "$nightly" --profile minimal --component rust-src || log "could not install $nightly: the package will be built with stable"
  fi
fi

# The CLI must match the wasm-bindgen crate exactly (pinned in Cargo.toml, resolved in Cargo.lock).
wb_version=$(awk -F'"' '$0=="name = \"wasm-bindgen\"" {getline; print $2; exit}' Cargo.lock)
if [ -z "$wb_version" ]; then echo "cannot read the wasm-bindgen version from Cargo.lock" >&2; exit 1; fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb_version\$" || ! command -v wasm-bindgen-test-runner >/dev/null; then
  log "installing wasm-bindgen-cli $wb_version (about 4 minutes)"
  # --locked fails offline here (its lockfile wants an unserved crate version): exact version, unlocked.
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

if ! command -v wasm-pack >/dev/null; then
  log "installing wasm-pack (about 4 minutes)"
  cargo install wasm-pack
fi

# The module splitter behind the package's parts (scripts/build-pkg.sh): wasm-split-cli of the
# wasm_split_cli_support crate, at the version the build was made with.
split_version=0.2.4
if ! wasm-split-cli --help >/dev/null 2>&1 || [ "$(cat "$HOME/.cargo/wasm-split-cli.version" 2>/dev/null)" != "$split_version" ]; then
  log "installing wasm-split-cli $split_version (about 3 minutes)"
  cargo install wasm_split_cli_support --version "$split_version" --features build-binary --force
  echo "$split_version" > "$HOME/.cargo/wasm-split-cli.version"
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  log "installing chromium and chromium-driver from Debian"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Python 3 runs the Python Lambda adapter in the emulator's trigger tests.
if ! command -v python3 >/dev/null; then
  log "installing python3 from Debian"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3 >/dev/null
fi

# npm ci when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dev dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

log "ready in $(( $(date +%s) - t0 ))s"
