#!/usr/bin/env bash
# npm test: every test of the project.
#   1. cargo test (the protocol core with the SRP vectors, the SDK's flows over a test Env, the
#      emulator over HTTP)
#   2. wasm-pack test --headless --chrome: the protocol core in Chromium (same vectors, 32-bit
#      wasm codegen), then the SDK in Chromium against a running emulator
#   3. pkg/ release build (the size gates of each path) + Node suites:
#      amazon-cognito-identity-js against the emulator, Playwright end-to-end tests of the demo,
#      the script-tag build, the npm package, passkeys, bad networks, AWS credentials.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"
mkdir -p test-output

step() { echo; echo "=== $* ==="; }

step "README's method table is the declarations' (scripts/methods.mjs --check)"
node scripts/methods.mjs --check

step "native tests (cargo test --workspace)"
cargo test --workspace

step "emulator for the browser tests"
cargo build -p cognito-emulator --release
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
./target/release/cognito-emulator --port "$port" > test-output/emulator.log 2>&1 &
emulator_pid=$!
trap 'kill $emulator_pid 2>/dev/null || true' EXIT
node scripts/wait-for.mjs "http://127.0.0.1:$port/_emulator/health"
export COGNITO_EMULATOR="http://127.0.0.1:$port"
echo "emulator at $COGNITO_EMULATOR"

step "browser tests (wasm-pack test --headless --chrome)"
wasm-pack test --headless --chrome proto
# The suites run on the package's allocator (feature heap), as the package does.
wasm-pack test --headless --chrome -- --features heap

step "release build of pkg/ (the package in parts) and its size gates"
bash scripts/build-pkg.sh
node scripts/size-report.mjs --json test-output/size.json

step "Node suites (node --test)"
# A hung test fails after 3 minutes instead of holding CI until its limit.
node --test --test-timeout=180000 --test-reporter=spec tests/node/ tests/e2e/
