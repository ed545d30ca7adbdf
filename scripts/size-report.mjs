// npm run size: what each path of a page loads (gzip -9 of every JS and wasm file it fetches),
// checked against the size gates, and where the main module's bytes go.
//
// Paths (pkg/parts.json lists the files of the main module and of each part):
//   returning  a returning user's page: the main module (stored session, refresh, events, the
//              cross-tab lock and broadcast)
//   signIn     an SRP sign-in from a cold page: the main module and the sign-in part
//   every      every part, AWS credentials included
// Two limits per path. TARGETS are issue #24's budgets (30/60/120 KB); the package does not meet
// them yet (README, "Performance and size", says why and what it would take). GATES are what the
// package measures today plus about 1 KB: a ratchet, so that no change makes a path heavier
// unnoticed. Over a gate, this script fails, and with it npm test: the sizes are deterministic
// for a toolchain, so this is a gate, not a timed test. Lower a gate when a change saves bytes.
//
// Where the bytes go: the main module as the splitter left it (target/pkg-input/cognito_wasm.wasm),
// through the same wasm-bindgen and wasm-opt steps but with the function names kept, summed by
// crate and SDK module. The gzip column compresses each group's function bodies on their own:
// an estimate of what the group costs (the module is compressed at once, so the column does not
// add up exactly to the total). A function inlined into another counts for the one it was
// inlined into. Prints tables and writes bench/size.json.
//
//   node scripts/size-report.mjs [--json out.json]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readModule, WASM_FEATURES as FEATURES } from './wasm-module.mjs';

/** The budgets of issue #24, gzip -9 bytes (not met yet: reported, not enforced). */
export const TARGETS = { returning: 30 * 1024, signIn: 60 * 1024, every: 120 * 1024 };
/** The gates npm test enforces, gzip -9 bytes: today's sizes plus about 1 KB (raised once, by
 * #26: several accounts and passkey MFA cost 1.7 KB on a returning user's page, 5.8 KB on a
 * sign-in, 10.7 KB in all). */
export const GATES = { returning: 58.5 * 1024, signIn: 110 * 1024, every: 160 * 1024 };

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const out = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : 'bench/size.json';
const pkgDir = process.env.PKG_DIR || 'pkg';
const kb = (n) => (n / 1024).toFixed(1); // KiB, as bench/run.mjs prints them

/** The files of each path, and their gzip sizes. */
export function paths(dir = pkgDir) {
  const parts = JSON.parse(readFileSync(join(dir, 'parts.json'), 'utf8'));
  const every = [...new Set([...parts.main, ...Object.values(parts.parts).flat()])];
  const files = { returning: parts.main, signIn: [...parts.main, ...parts.parts.signIn], every };
  const size = Object.fromEntries(every.map((f) => [f, gzipSync(readFileSync(join(dir, f)), { level: 9 }).length]));
  return { parts, files, size, total: (p) => files[p].reduce((a, f) => a + size[f], 0) };
}


/** The main module with names, optimised as the package's is. */
function namedMain(input) {
  const dir = mkdtempSync(join(tmpdir(), 'cognito-size-'));
  try {
    execFileSync('wasm-bindgen', ['--target', 'web', '--keep-lld-exports', '--out-dir', dir, '--out-name', 'm', input], { stdio: 'inherit' });
    execFileSync('node_modules/.bin/wasm-opt', [join(dir, 'm_bg.wasm'), '-Os', '--converge', '--low-memory-unused', '--zero-filled-memory', '-g', ...FEATURES, '-o', join(dir, 'g.wasm')], { stdio: 'inherit' });
    return readFileSync(join(dir, 'g.wasm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LAYERS = [
  ['flows', 'async flows, JS facade, browser I/O'],
  ['protocol', 'protocol: requests, JSON, config, tokens, sessions'],
  ['runtime', 'Rust runtime and wasm-bindgen: core, alloc, allocator, futures, glue'],
];
const MODULE_LAYER = { client: 'flows', js: 'flows', web: 'flows' };
const RUNTIME = ['core', 'alloc', 'std', 'wasm_bindgen', 'js_sys', 'js_sys::futures', 'compiler_builtins', 'heap', '__rustc', 'other'];

/** The crate (and SDK module) a function belongs to, from its demangled name. */
export function owner(name) {
  let n = name.replace(/\[[0-9a-f]+\]/g, '');
  // Drop glue belongs to what it drops.
  const drop = n.match(/drop_glue::<(.*)>$/);
  if (drop) n = drop[1];
  // JS-visible shims that wasm-bindgen generates for the exports.
  if (/^cognitoauth_|^__wbg_cognitoauth/.test(n)) return 'js';
  // Generic code instantiated for an SDK type counts for that SDK module; the protocol core's
  // modules (cognito_proto::api, ::session, ...) count as themselves.
  const sdk = n.match(/cognito_(?:wasm|proto)::([a-z_0-9]+)/);
  if (sdk) return sdk[1];
  if (/js_sys::futures/.test(n)) return 'js_sys::futures';
  const crate = n.replace(/^<+/, '').match(/^([a-z_0-9]+)::/);
  return crate ? crate[1] : 'other';
}

function breakdown(wasm) {
  const { bodies, sections } = readModule(wasm);
  const gz = (parts) => (parts.length ? gzipSync(Buffer.concat(parts), { level: 9 }).length : 0);
  const layerOf = (o) => MODULE_LAYER[o] ?? (RUNTIME.includes(o) ? 'runtime' : 'protocol');
  const groups = new Map();
  for (const { body, name } of bodies) {
    const o = owner(name);
    groups.set(o, [...(groups.get(o) ?? []), body]);
  }
  const code = bodies.reduce((a, f) => a + f.body.length, 0);
  // The report is only as good as the names: stop if they are missing.
  if ((groups.get('other') ?? []).reduce((a, b) => a + b.length, 0) > code / 4) throw new Error('size-report: most of the code has no recognisable owner (names missing?)');
  return {
    codeBytes: code,
    codeGzip: gz(bodies.map((f) => f.body)),
    otherSectionsGzip: gz(sections),
    layers: LAYERS.map(([id, what]) => {
      const parts = bodies.filter((f) => layerOf(owner(f.name)) === id).map((f) => f.body);
      return { layer: id, what, raw: parts.reduce((a, x) => a + x.length, 0), gzip: gz(parts) };
    }),
    modules: [...groups].map(([o, parts]) => ({ owner: o, layer: layerOf(o), raw: parts.reduce((a, x) => a + x.length, 0), gzip: gz(parts) })).sort((a, b) => b.raw - a.raw),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const p = paths();
  const report = { paths: {}, gates: GATES, targets: TARGETS, files: p.size };
  console.log('| path | files | gzip -9 KB | gate KB | | target KB (#24) | |\n| --- | --- | ---: | ---: | --- | ---: | --- |');
  let over = [];
  for (const path of Object.keys(GATES)) {
    const total = p.total(path);
    report.paths[path] = { files: p.files[path], total };
    const ok = total <= GATES[path];
    if (!ok) over.push(`${path}: ${total} bytes > ${GATES[path]}`);
    const met = total <= TARGETS[path];
    console.log(`| ${path} | ${p.files[path].length} | ${kb(total)} | ${kb(GATES[path])} | ${ok ? 'holds' : 'OVER'} | ${kb(TARGETS[path])} | ${met ? 'met' : 'not met'} |`);
  }
  console.log('\n| file | gzip -9 KB |\n| --- | ---: |');
  for (const [f, n] of Object.entries(p.size)) console.log(`| ${f} | ${kb(n)} |`);
  const input = 'target/pkg-input/cognito_wasm.wasm';
  if (existsSync(input)) {
    report.main = breakdown(namedMain(input));
    console.log(`\nmain module: code ${kb(report.main.codeBytes)} KB (${kb(report.main.codeGzip)} KB gzipped); data, imports, tables ${kb(report.main.otherSectionsGzip)} KB gzipped\n`);
    console.log('| layer | code KB | gzip KB |\n| --- | ---: | ---: |');
    for (const l of report.main.layers) console.log(`| ${l.what} | ${kb(l.raw)} | ${kb(l.gzip)} |`);
    console.log('\n| crate or SDK module | layer | code KB | gzip KB |\n| --- | --- | ---: | ---: |');
    for (const r of report.main.modules.filter((r) => r.raw >= 500)) console.log(`| ${r.owner} | ${r.layer} | ${kb(r.raw)} | ${kb(r.gzip)} |`);
  }
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nwrote ${out}`);
  if (over.length) {
    console.error(`size-report: over the gate (a feature must pay for what it adds, on the path that needs it):\n  ${over.join('\n  ')}`);
    process.exit(1);
  }
}
