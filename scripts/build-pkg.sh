#!/usr/bin/env bash
# Builds pkg/: the ES module (wasm-pack --target web), optimised with a current wasm-opt
# (npm binaryen; Debian's 108 breaks externref tables), a script-tag build (global
# CognitoWasm), and the npm package.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
wasm-pack build --target web --release --out-dir pkg --out-name cognito_wasm 2>&1 | grep -v "^\[INFO\]: ⬇️\|^\[WARN\]: ⚠️   origin crate has no README" || true
test -f pkg/cognito_wasm_bg.wasm
node_modules/.bin/wasm-opt pkg/cognito_wasm_bg.wasm -Oz --converge --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
  --enable-mutable-globals --enable-multivalue -o pkg/cognito_wasm_bg.wasm
node scripts/finish-pkg.mjs
