#!/usr/bin/env bash
# npm start: set up, build pkg/, start the emulator (default pool, ready for the demo) and
# serve the demo on http://127.0.0.1:8080/. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/build-pkg.sh
cargo build -p cognito-emulator --release

EMULATOR_PORT="${EMULATOR_PORT:-9229}"
# The emulator's default app client lists http://127.0.0.1:8080/ as its callback URL.
WEB_PORT=8080
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

# The demo pool runs the example Lambda triggers (custom message link, legacy-user migration,
# a token claim): emulator/examples/triggers/.
./target/release/cognito-emulator --port "$EMULATOR_PORT" --triggers emulator/examples/triggers/triggers.json --quotas default &
pids+=($!)
node scripts/wait-for.mjs "http://127.0.0.1:$EMULATOR_PORT/_emulator/health"
node scripts/serve.mjs --port "$WEB_PORT" --emulator "http://127.0.0.1:$EMULATOR_PORT/" &
pids+=($!)
sleep 0.5
echo
echo "  Demo:      http://127.0.0.1:$WEB_PORT/"
echo "  Script tag: http://127.0.0.1:$WEB_PORT/global.html"
echo "  Example app: http://127.0.0.1:$WEB_PORT/examples/multipage/login.html"
echo "  Passkeys:  http://localhost:$WEB_PORT/   (passkeys need a domain, not an IP address)"
echo "  Emulator:  http://127.0.0.1:$EMULATOR_PORT/   (demo user: demo / Passw0rd!; legacy users migrated on first sign-in: ada, grace / Legacy1!pw)"
echo "  Ctrl-C to stop."
wait
