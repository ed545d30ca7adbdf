#!/usr/bin/env bash
# Fuzzes the parsers of data the SDK does not control (cargo fuzz, libFuzzer; not part of CI):
#   json      the JSON reader, with a print/parse round trip
#   jwt       token decoding, the claims checks, JWKS and Cache-Control, stored sessions
#   callback  the hosted-UI callback URL, its state and the return path (never off-origin)
#   storage   stored records: pending step, auto sign-in, OAuth transaction, session
#   answers   Cognito and OAuth answers (body, x-amzn-ErrorType) and the Date header
#   webauthn  passkey option documents (creation and request options)
# Usage: bash scripts/fuzz.sh [seconds per target, default 600] [target ...]
# Two targets run at a time (one per core). The corpus grows in fuzz/corpus/ (not committed;
# seeds in fuzz/seeds/); a crash is saved in fuzz/artifacts/<target>/ and fails the script.
# The executions and corpus size per target go to fuzz/results.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
secs="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json jwt callback storage answers webauthn)
nightly="$(cat scripts/nightly-toolchain)"
rustup toolchain list | grep -q "^$nightly" || rustup toolchain install "$nightly" --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
cd fuzz
for t in "${targets[@]}"; do cargo "+$nightly" fuzz build --release "$t"; done

run() {
  local t="$1"
  mkdir -p "corpus/$t"
  cargo "+$nightly" fuzz run --release "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$secs" -max_len=16384 -timeout=10 -print_final_stats=1 > "out-$t.log" 2>&1
}
pids=()
fail=0
for t in "${targets[@]}"; do
  run "$t" & pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}" || fail=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || fail=1; done

# One line per target in results.txt (a run of some targets updates theirs).
touch results.txt
for t in "${targets[@]}"; do
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "out-$t.log" | grep -o '[0-9]*$' || echo '?')
  crashes=$(ls "artifacts/$t" 2>/dev/null | wc -l)
  line="$t: $runs inputs in ${secs} s, corpus $(ls "corpus/$t" | wc -l), crashes $crashes ($(date -u +%Y-%m-%d))"
  { grep -v "^$t: " results.txt || true; echo "$line"; } | sort > results.tmp && mv results.tmp results.txt
  echo "$line"
done
[ "$fail" = 0 ] || { echo "a target failed: see fuzz/out-<target>.log and fuzz/artifacts/"; exit 1; }
