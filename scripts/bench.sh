#!/usr/bin/env bash
# npm run bench: builds pkg/ and the emulator (release), then bench/run.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/build-pkg.sh
cargo build -p cognito-emulator --release
node bench/run.mjs
# Where the bytes go (bench/size.json).
node scripts/size-report.mjs
