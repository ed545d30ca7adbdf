#!/usr/bin/env bash
# npm test: every test of the project.
#   1. cargo test (the protocol core with the SRP vectors, the SDK's flows over a test Env, the
#      emulator over HTTP)
#   2. wasm-pack test --headless --chrome: the protocol core in Chromium (same vectors, 32-bit
#      wasm codegen), then the SDK in Chromium against a running emulator
#   3. pkg/ release build (and target/pkg-aws, with the AWS-credentials feature) + Node suites:
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

step "native tests (cargo test --workspace)"
cargo test --workspace
# The AWS-credentials flows (crate feature `aws`, not in the default package).
cargo test -p cognito-wasm --features aws --lib --test native_credentials

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

step "release build of pkg/"
bash scripts/build-pkg.sh
node scripts/size-report.mjs --json test-output/size.json
# The package with AWS credentials (feature aws), for tests/e2e/credentials.test.mjs.
PKG_DIR=target/pkg-aws PKG_FEATURES=heap,aws bash scripts/build-pkg.sh
node -e 'const z=require("zlib"),f=require("fs"),g=(p)=>z.gzipSync(f.readFileSync(p),{level:9}).length;console.log("target/pkg-aws (feature aws): "+((g("target/pkg-aws/cognito_wasm_bg.wasm")+g("target/pkg-aws/cognito_wasm.js"))/1024).toFixed(1)+" KB gzip -9 (not the published package)")'

step "Node suites (node --test)"
# A hung test fails after 3 minutes instead of holding CI until its limit.
node --test --test-timeout=180000 --test-reporter=spec tests/node/ tests/e2e/
