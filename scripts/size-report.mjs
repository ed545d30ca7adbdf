// npm run size: where the bytes of the package's wasm go, and the size budget.
//
// The budget: wasm + JS glue of pkg/, each gzip -9, at most BUDGET bytes (110 KB with every
// feature). Over it, this script fails, and with it npm test: the size is deterministic for a
// toolchain, so this is a gate, not a timed test.
//
// Takes the wasm that scripts/build-pkg.sh started from (target/pkg-input.wasm), runs the same
// wasm-bindgen and wasm-opt -Oz steps but keeps the function names, and sums the code by
// crate and SDK module. The gzip column compresses each group's function bodies on their own:
// an estimate of what the group costs in the package (the whole module is compressed at once,
// so the column does not add up exactly to the total). A function inlined into another counts
// for the one it was inlined into: protocol code inlined into a flow counts as flow. Prints a
// table and writes bench/size.json.
//
//   node scripts/size-report.mjs [raw.wasm] [--json out.json]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readModule } from './wasm-module.mjs';

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const out = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : 'bench/size.json';
const input = args[0] ?? 'target/pkg-input.wasm';
if (!existsSync(input)) {
  console.error(`size-report: ${input} is missing; run npm run build first`);
  process.exit(2);
}

const FEATURES = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-reference-types',
  '--enable-sign-ext', '--enable-mutable-globals', '--enable-multivalue'];
const dir = mkdtempSync(join(tmpdir(), 'cognito-size-'));
let wasm;
try {
  execFileSync('wasm-bindgen', ['--target', 'web', '--out-dir', dir, '--out-name', 'm', input], { stdio: 'inherit' });
  execFileSync('node_modules/.bin/wasm-opt', [join(dir, 'm_bg.wasm'), '-Oz', '--converge', '-g', ...FEATURES, '-o', join(dir, 'g.wasm')], { stdio: 'inherit' });
  wasm = readFileSync(join(dir, 'g.wasm'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const LAYERS = [
  ['flows', 'async flows, JS facade, browser I/O'],
  ['protocol', 'protocol: requests, JSON, config, tokens, OAuth, sessions'],
  ['srp', 'SRP and crypto: Montgomery kernel, SHA-256, HMAC'],
  ['runtime', 'Rust runtime and wasm-bindgen: core, alloc, allocator, glue'],
];
const MODULE_LAYER = {
  client: 'flows', js: 'flows', web: 'flows',
  srp: 'srp', crypto: 'srp', mont3072: 'srp', sha2: 'srp', hmac: 'srp', digest: 'srp', block_buffer: 'srp', getrandom: 'srp',
  wasm_bindgen_futures: 'flows', 'js_sys::futures': 'flows', heap: 'runtime',
};

/** The crate (and SDK module) a function belongs to, from its demangled name. */
export function owner(name) {
  let n = name.replace(/\[[0-9a-f]+\]/g, '');
  // Drop glue belongs to what it drops.
  const drop = n.match(/drop_glue::<(.*)>$/);
  if (drop) n = drop[1];
  // JS-visible shims that wasm-bindgen generates for the exports.
  if (/^cognitoauth_|^__wbg_cognitoauth/.test(n)) return 'js';
  if (/^srpClaim/.test(n)) return 'srp';
  // Generic code instantiated for an SDK type counts for that SDK module; the protocol core's
  // modules (cognito_proto::srp, ::api, ...) count as themselves.
  const sdk = n.match(/cognito_(?:wasm|proto)::([a-z_0-9]+)/);
  if (sdk) return sdk[1];
  if (/js_sys::futures/.test(n)) return 'js_sys::futures';
  const crate = n.replace(/^<+/, '').match(/^([a-z_0-9]+)::/);
  return crate ? crate[1] : 'other';
}

const { bodies, sections } = readModule(wasm);
const gz = (parts) => (parts.length ? gzipSync(Buffer.concat(parts), { level: 9 }).length : 0);
const groups = new Map();
for (const { body, name } of bodies) {
  const o = owner(name);
  const g = groups.get(o) ?? { parts: [], raw: 0 };
  g.parts.push(body);
  g.raw += body.length;
  groups.set(o, g);
}
const layerOf = (o) => MODULE_LAYER[o] ?? (['core', 'alloc', 'std', 'wasm_bindgen', 'js_sys', 'web_sys', 'compiler_builtins', 'other'].includes(o) ? 'runtime' : 'protocol');
const rows = [...groups].map(([o, g]) => ({ owner: o, layer: layerOf(o), raw: g.raw, gzip: gz(g.parts) })).sort((a, b) => b.raw - a.raw);
const layers = LAYERS.map(([id, what]) => {
  const parts = bodies.filter((f) => layerOf(owner(f.name)) === id).map((f) => f.body);
  return { layer: id, what, raw: parts.reduce((a, x) => a + x.length, 0), gzip: gz(parts) };
});
const code = bodies.reduce((a, f) => a + f.body.length, 0);
const report = {
  input,
  codeBytes: code,
  codeGzip: gz(bodies.map((f) => f.body)),
  otherSectionsGzip: gz(sections),
  moduleGzip: gzipSync(wasm, { level: 9 }).length,
  layers,
  modules: rows,
};
// The report is only as good as the names: stop if they are missing or unrecognised.
if (rows.reduce((a, r) => a + r.raw, 0) !== code) throw new Error('size-report: groups do not cover the code');
for (const l of layers) if (!l.raw) throw new Error(`size-report: nothing attributed to "${l.layer}" (names missing?)`);
const unnamed = groups.get('other')?.raw ?? 0;
if (unnamed > code / 10) throw new Error(`size-report: ${unnamed} bytes of code have no recognisable owner`);

const kb = (n) => (n / 1024).toFixed(1); // KiB, as bench/run.mjs prints them
const BUDGET = 110 * 1024;
const pkgDir = process.env.PKG_DIR || 'pkg';
const pkgWasm = gzipSync(readFileSync(join(pkgDir, 'cognito_wasm_bg.wasm')), { level: 9 }).length;
const pkgGlue = gzipSync(readFileSync(join(pkgDir, 'cognito_wasm.js')), { level: 9 }).length;
report.package = { wasmGzip: pkgWasm, glueGzip: pkgGlue, total: pkgWasm + pkgGlue, budget: BUDGET };
console.log(`package: ${kb(pkgWasm + pkgGlue)} KB gzip -9 (wasm ${kb(pkgWasm)} + glue ${kb(pkgGlue)}) of the ${kb(BUDGET)} KB budget\n`);
console.log(`code ${kb(code)} KB (${kb(report.codeGzip)} KB gzipped); data, imports, tables ${kb(report.otherSectionsGzip)} KB gzipped\n`);
console.log('| layer | code KB | gzip KB |\n| --- | ---: | ---: |');
for (const l of layers) console.log(`| ${l.what} | ${kb(l.raw)} | ${kb(l.gzip)} |`);
console.log('\n| crate or SDK module | layer | code KB | gzip KB |\n| --- | --- | ---: | ---: |');
for (const r of rows.filter((r) => r.raw >= 500)) console.log(`| ${r.owner} | ${r.layer} | ${kb(r.raw)} | ${kb(r.gzip)} |`);
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
console.log(`\nwrote ${out}`);
if (pkgWasm + pkgGlue > BUDGET) {
  console.error(`size-report: the package is ${pkgWasm + pkgGlue} bytes gzipped, over the budget of ${BUDGET} (110 KB): a feature must pay for what it adds`);
  process.exit(1);
}
