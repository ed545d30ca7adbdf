#!/usr/bin/env bash
# npm run bench: builds pkg/ and the emulator (release), then bench/run.mjs (CPU, size) and
# bench/felt-speed.mjs (page loads under throttling against Amplify and identity-js, issue #24).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PATH="$HOME/.cargo/bin:$PATH"
# pkg/ is what users get (its size is reported); target/pkg-bench is the same build plus the
# srpClaim export (feature bench) that times SRP alone.
bash scripts/build-pkg.sh
PKG_DIR=target/pkg-bench PKG_FEATURES=bench bash scripts/build-pkg.sh
cargo build -p cognito-emulator --release
node bench/run.mjs
node bench/felt-speed.mjs
# Where the bytes go (bench/size.json).
node scripts/size-report.mjs
