#!/usr/bin/env bash
# Builds pkg/: the package in parts (src/js/parts).
#   1. the release wasm with the crate feature `split` (each part's entry point a split point),
#      linked with its relocations (--emit-relocs), which the splitter reads;
#   2. wasm-split-cli (wasm_split_cli_support, the version in scripts/bootstrap.sh) moves each
#      part, and everything only it reaches, into a module of its own (target/split/split_*.wasm,
#      code two parts share into target/split/chunk_*.wasm) and leaves the main module;
#   3. wasm-bindgen makes the main module's ES module glue (--target web), keeping the exports
#      the parts import (memory, the function table: --keep-lld-exports);
#   4. every module is optimised with a current wasm-opt (npm binaryen; Debian's 108 breaks
#      externref tables), the main module's import/export names shortened;
#   5. scripts/finish-pkg.mjs names the parts (cognito_wasm_<part>.wasm), writes the loader that
#      fetches them, adds the methods, minifies, makes the script-tag build (global
#      CognitoWasm), pkg/parts.json, integrity.json and the npm package.json.
#
# Size: with a nightly toolchain that has rust-src (scripts/bootstrap.sh installs one), std is
# rebuilt with panic=immediate-abort, which drops the panic messages and their formatting code
# (about 12 KB gzipped), and -Zlocation-detail=none drops the source paths that panic
# locations would carry (0.6 KB; nothing prints them once panics abort). Without one, or if
# that build fails, the stable build is used and this script says so; the package works the
# same either way.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# COGNITO_NIGHTLY: the toolchain(s) to try; "none" builds with stable only. The pinned nightly
# is in scripts/nightly-toolchain (bootstrap.sh installs the same one).
NIGHTLIES=${COGNITO_NIGHTLY:-$(cat scripts/nightly-toolchain) nightly}
# PKG_DIR: where the package goes (default pkg/). PKG_FEATURES: crate features added to the
# package's own (`heap`: the crate's allocator; `split`: the parts); `bench` adds the srpClaim
# export for npm run bench (scripts/bench.sh builds that into target/pkg-bench).
PKG_DIR=${PKG_DIR:-pkg}
FEATURES="heap,split${PKG_FEATURES:+,$PKG_FEATURES}"
export PKG_DIR

# LLVM's inliner at opt-level "z" still copies small callees into their callers; a threshold of
# 0 (and no MIR inlining) keeps them shared: 0.5 KB gzipped. -100 (no inlining at all) is 16 KB
# worse. --emit-relocs keeps the relocations the splitter reads to know what refers to what.
LINK="-Clink-arg=--emit-relocs"
# wasm SIMD (simd128: Chrome 91, Firefox 89, Safari 16.4, Node 16.4) for the SRP kernel
# (mont3072/src/simd.rs: 2x faster products). .cargo/config.toml sets it for other wasm builds
# (wasm-pack test); RUSTFLAGS here replaces that, so it is repeated.
SIMD="-Ctarget-feature=+simd128"
INLINING="-Zinline-mir=no -Cllvm-args=-inline-threshold=0"

small_build() {
  local tc
  for tc in $NIGHTLIES; do
    [ "$tc" = none ] && return 1
    local sysroot
    sysroot=$(rustup run "$tc" rustc --print sysroot 2>/dev/null) || continue
    [ -d "$sysroot/lib/rustlib/src/rust/library" ] || continue
    if RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none $INLINING $LINK $SIMD" cargo "+$tc" build --release --target wasm32-unknown-unknown \
      -p cognito-wasm --features "$FEATURES" -Z build-std=std,panic_abort --target-dir target/small --quiet; then
      echo "[build-pkg] std rebuilt with panic=immediate-abort ($tc)" >&2
      wasm=target/small/wasm32-unknown-unknown/release/cognito_wasm.wasm
      return 0
    fi
  done
  return 1
}

if ! small_build; then
  echo "[build-pkg] no nightly toolchain with rust-src: stable build (about 12 KB gzipped larger)" >&2
  RUSTFLAGS="$LINK $SIMD" cargo build --release --target wasm32-unknown-unknown -p cognito-wasm --features "$FEATURES" --quiet
  wasm=target/wasm32-unknown-unknown/release/cognito_wasm.wasm
fi

split=target/split
rm -rf "$split" "$PKG_DIR"
wasm-split-cli "$wasm" "$split" --out-name cognito_wasm
# Kept for scripts/size-report.mjs (npm run size): the main module and the parts, unoptimised.
[ "$PKG_DIR" = pkg ] && rm -rf target/pkg-input && cp -r "$split" target/pkg-input
wasm-bindgen --target web --keep-lld-exports --out-dir "$PKG_DIR" --out-name cognito_wasm "$split/cognito_wasm.wasm"
# The wasm features the package uses, for binaryen (one list: finish-pkg.mjs and size-report.mjs
# read it too).
features=$(cat scripts/wasm-features)
# -Os rather than -Oz, and what holds for the main module (its memory is its own, zero-filled
# at start, and its first KB is never used: the stack sits below the data and never gets that
# deep): 0.8 KB gzipped less than plain -Oz. (--traps-never-happen would be 0.1 KB more, but a
# trap is how a bug stops here: it must stay a trap.)
node_modules/.bin/wasm-opt "$PKG_DIR/cognito_wasm_bg.wasm" -Os --converge --low-memory-unused --zero-filled-memory --strip-debug --strip-producers $features -o "$PKG_DIR/cognito_wasm_bg.wasm"
# Short import/export names (wasm-bindgen's carry hashes and type paths); finish-pkg.mjs applies
# the printed map to the glue and the loader.
node_modules/.bin/wasm-opt "$PKG_DIR/cognito_wasm_bg.wasm" --minify-imports-and-exports-and-modules $features \
  -o "$PKG_DIR/cognito_wasm_bg.wasm" > target/wasm-names.json
# The parts import memory and the function table: their memory is the main module's, written
# by then, so only the generic optimisations apply.
for f in "$split"/split_*.wasm "$split"/chunk_*.wasm; do
  [ -e "$f" ] || continue
  node_modules/.bin/wasm-opt "$f" -Os --converge --strip-debug --strip-producers $features -o "$PKG_DIR/$(basename "$f")"
done
cp LICENSE "$PKG_DIR/"
node scripts/finish-pkg.mjs target/wasm-names.json "$split/__wasm_split.js"
