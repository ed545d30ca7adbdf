#!/usr/bin/env bash
# Builds pkg/: the release wasm, its ES module glue (wasm-bindgen --target web), optimised with
# a current wasm-opt (npm binaryen; Debian's 108 breaks externref tables), then
# scripts/finish-pkg.mjs adds the methods, minifies, makes the script-tag build (global
# CognitoWasm) and the npm package.json.
#
# Size: with a nightly toolchain that has rust-src (scripts/bootstrap.sh installs one), std is
# rebuilt with panic=immediate-abort, which drops the panic messages and their formatting code
# (about 12 KB gzipped), and -Zlocation-detail=none drops the source paths that panic
# locations would carry (0.6 KB; nothing prints them once panics abort). Without one, or if
# that build fails, the stable build is used and this script says so; the package works the
# same either way. Then the import and export names are shortened (about 3.5 KB).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# COGNITO_NIGHTLY: the toolchain(s) to try; "none" builds with stable only. The pinned nightly
# is in scripts/nightly-toolchain (bootstrap.sh installs the same one).
NIGHTLIES=${COGNITO_NIGHTLY:-$(cat scripts/nightly-toolchain) nightly}
# PKG_DIR: where the package goes (default pkg/). PKG_FEATURES: the crate features of the build;
# the package always has the crate's own allocator (`heap`); `bench` adds the srpClaim export
# for npm run bench (scripts/bench.sh builds that into target/pkg-bench); `aws` the
# AWS-credentials methods (scripts/test.sh builds that into target/pkg-aws).
PKG_DIR=${PKG_DIR:-pkg}
PKG_FEATURES=${PKG_FEATURES:-heap}
export PKG_DIR PKG_FEATURES

# LLVM's inliner at opt-level "z" still copies small callees into their callers; a threshold of
# 0 (and no MIR inlining) keeps them shared: 0.5 KB gzipped. -100 (no inlining at all) is 16 KB
# worse.
INLINING="-Zinline-mir=no -Cllvm-args=-inline-threshold=0"

small_build() {
  local tc
  for tc in $NIGHTLIES; do
    [ "$tc" = none ] && return 1
    local sysroot
    sysroot=$(rustup run "$tc" rustc --print sysroot 2>/dev/null) || continue
    [ -d "$sysroot/lib/rustlib/src/rust/library" ] || continue
    if RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none $INLINING" cargo "+$tc" build --release --target wasm32-unknown-unknown \
      -p cognito-wasm --features "$PKG_FEATURES" -Z build-std=std,panic_abort --target-dir target/small --quiet; then
      echo "[build-pkg] std rebuilt with panic=immediate-abort ($tc)" >&2
      wasm=target/small/wasm32-unknown-unknown/release/cognito_wasm.wasm
      return 0
    fi
  done
  return 1
}

if ! small_build; then
  echo "[build-pkg] no nightly toolchain with rust-src: stable build (about 12 KB gzipped larger)" >&2
  cargo build --release --target wasm32-unknown-unknown -p cognito-wasm --features "$PKG_FEATURES" --quiet
  wasm=target/wasm32-unknown-unknown/release/cognito_wasm.wasm
fi

# Kept for scripts/size-report.mjs (npm run size).
[ "$PKG_DIR" = pkg ] && cp "$wasm" target/pkg-input.wasm
rm -rf "$PKG_DIR"
wasm-bindgen --target web --out-dir "$PKG_DIR" --out-name cognito_wasm "$wasm"
features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext --enable-mutable-globals --enable-multivalue"
# -Os rather than -Oz, and what holds for this module (its memory is its own, zero-filled at
# start, and its first KB is never used: the stack sits below the data and never gets that
# deep): 0.8 KB gzipped less than plain -Oz. (--traps-never-happen would be 0.1 KB more, but a
# trap is how a bug stops here: it must stay a trap.)
node_modules/.bin/wasm-opt "$PKG_DIR/cognito_wasm_bg.wasm" -Os --converge --low-memory-unused --zero-filled-memory --strip-debug --strip-producers $features -o "$PKG_DIR/cognito_wasm_bg.wasm"
# Short import/export names (wasm-bindgen's carry hashes and type paths); finish-pkg.mjs applies
# the printed map to the glue.
node_modules/.bin/wasm-opt "$PKG_DIR/cognito_wasm_bg.wasm" --minify-imports-and-exports-and-modules $features \
  -o "$PKG_DIR/cognito_wasm_bg.wasm" > target/wasm-names.json
cp LICENSE "$PKG_DIR/"
node scripts/finish-pkg.mjs target/wasm-names.json
