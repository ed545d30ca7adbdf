// Completes pkg/ after wasm-split-cli, wasm-bindgen and wasm-opt (scripts/build-pkg.sh): the
// glue's renamed imports/exports, the parts' files (cognito_wasm_<part>.wasm) and the loader
// that fetches them, types that compile without esnext.disposable, the async methods (from the
// declarations), minification, the script-tag build (pkg/cognito_wasm.global.js, global
// `CognitoWasm`, finds its files next to itself), the aws module, pkg/parts.json (the files of
// each part: what a page's preload hints name), integrity.json, the npm package.json and the
// README.
//   node scripts/finish-pkg.mjs <wasm-opt's name map> <wasm-split-cli's __wasm_split.js>
import { readFileSync, writeFileSync, copyFileSync, existsSync, rmSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { readModule, WASM_FEATURES as FEATURES } from './wasm-module.mjs';
import { declaredMethods, wasmMethods } from './methods.mjs';

const cargo = readFileSync('Cargo.toml', 'utf8');
const field = (k) => (cargo.match(new RegExp(`^${k} = "([^"]*)"`, 'm')) || [])[1];

// The wasm's imports and exports were renamed (scripts/build-pkg.sh prints the map): rename them
// in the glue too. Every name must be found, or the build stops.
const namesFile = process.argv[2];
const splitLoader = process.argv[3];
// The package directory (scripts/build-pkg.sh: PKG_DIR, default pkg).
const DIR = process.env.PKG_DIR || 'pkg';
const at = (f) => `${DIR}/${f}`;
if (namesFile && existsSync(namesFile)) {
  const names = JSON.parse(readFileSync(namesFile, 'utf8'));
  let g = readFileSync(at('cognito_wasm.js'), 'utf8');
  const swap = (re, to, what) => {
    const n = (g.match(re) || []).length;
    if (n === 0) throw new Error(`finish-pkg: ${what} not found in the glue`);
    g = g.replace(re, to);
  };
  // wasm-bindgen's own imports (./cognito_wasm_bg.js: import0) are functions in the glue; a JS
  // snippet's functions that need no conversion are imported by the wasm straight from the
  // snippet module (import1, ...). wasm-opt merged them all into one short module name: its
  // functions are import0's, renamed, plus the snippets', added to import0 under their new names.
  const own = './cognito_wasm_bg.js';
  const esc = (t) => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  if (!names.imports.some(([m]) => m === own)) throw new Error(`finish-pkg: no imports from ${own}`);
  if (new Set(readModule(readFileSync(at('cognito_wasm_bg.wasm'))).importModules).size !== 1) throw new Error('finish-pkg: expected one import module');
  swap(new RegExp(`"${esc(own)}": import0`, 'g'), `"${importModule(at('cognito_wasm_bg.wasm'))}": import0`, 'the import module');
  for (const [m, from, to] of names.imports) {
    if (m === own) {
      swap(new RegExp(`\\b${from}: function`, 'g'), `${JSON.stringify(to)}: function`, `import ${from}`);
      continue;
    }
    const ns = (g.match(new RegExp(`"${esc(m)}": (import\\d+),`)) || [])[1];
    if (!ns) throw new Error(`finish-pkg: the glue does not import ${m}`);
    swap(/\n    return \{\n        __proto__: null,/, `\n    import0[${JSON.stringify(to)}] = ${ns}.${from};$&`, `snippet import ${from}`);
  }
  for (const m of new Set(names.imports.map(([m]) => m).filter((m) => m !== own))) {
    swap(new RegExp(`\\n *"${esc(m)}": import\\d+,`), '', `the module entry of ${m}`);
  }
  for (const [from, to] of names.exports) {
    if (!g.includes(`wasm.${from}`)) continue; // exported but unused by the glue
    swap(new RegExp(`\\bwasm\\.${from}\\b`, 'g'), `wasm[${JSON.stringify(to)}]`, `export ${from}`);
  }
  writeFileSync(at('cognito_wasm.js'), g);
  let t = readFileSync(at('cognito_wasm_bg.wasm.d.ts'), 'utf8');
  for (const [from, to] of names.exports) {
    if (!/^[A-Za-z_$][\w$]*$/.test(to)) throw new Error(`finish-pkg: export name ${to} is not an identifier`);
    t = t.replace(new RegExp(`\\bconst ${from}:`), `const ${to}:`);
  }
  writeFileSync(at('cognito_wasm_bg.wasm.d.ts'), t);
}

// wasm-bindgen declares `[Symbol.dispose]()` on the class, which only type-checks where the
// app's TypeScript lib includes esnext.disposable: with the usual `lib: ["es2022", "dom"]` and
// skipLibCheck off, the package's own types would fail to compile. The method stays in the JS
// (where Symbol.dispose exists); only its declaration goes. `free()` remains typed.
{
  const d = readFileSync(at('cognito_wasm.d.ts'), 'utf8');
  writeFileSync(at('cognito_wasm.d.ts'), d.replace(/^[ \t]*\[Symbol\.dispose\]\(\): void;\r?\n/gm, ''));
}

/** The module name of a wasm file's imports (they all share one). */
function importModule(file) {
  const [module] = readModule(readFileSync(file)).importModules;
  if (module === undefined) throw new Error(`finish-pkg: ${file} has no imports`);
  return module;
}

// The parts: wasm-split-cli wrote a loader naming each part's module, the shared chunks each
// needs, and what they import from the main module. Its structure is read here; the loader
// that ships is src/js/loader.js (a bounded fetch, retried after a failure, no console noise),
// with the parts renamed cognito_wasm_<part>.wasm and cognito_wasm_chunk<N>.wasm.
const camel = (snake) => snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const parts = readParts(readFileSync(splitLoader, 'utf8'));
const groups = mergeGroups(parts);
for (const [part, g] of Object.entries(groups)) mergeModules(g.files, at(`cognito_wasm_${part}.wasm`));
for (const g of Object.values(groups)) for (const f of g.files) rmSync(at(f), { force: true });

/** The parts in wasm-split-cli's loader: `export const __wasm_split_load_<part> =
 * wrapAsyncCb(makeLoad(<fetch of "./split_<part>.wasm"> | <an empty part>, [__chunk_N, …]))`,
 * `const __chunk_N = makeLoad(<fetch of "./chunk_N.wasm">, [])`, and the main module's exports
 * the parts import (`const { memory, … } = initSync(…)`). Anything else stops the build: the
 * splitter's version is pinned (scripts/bootstrap.sh), so a change of its output is a change
 * to review. */
function readParts(js) {
  const shared = /const \{ ([\w, ]*) \} = initSync\(undefined, undefined\);/.exec(js);
  if (!shared) fail("the splitter's loader has no shared imports");
  const chunks = {};
  for (const [, n, file] of js.matchAll(/const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/(chunk_\d+)\.wasm"/g)) chunks[n] = file;
  const loaders = {};
  const re = /export const (__wasm_split_load_(\w+)) = wrapAsyncCb\(makeLoad\((\(\) => async \(_imp\) => \(\{\}\)|\(\) => \{\s*const src = fetch\(new URL\("\.\/(split_\w+)\.wasm"[\s\S]*?\n\}\n), \[([\w, ]*)\]\)\);/g;
  for (const [, name, part, , file, deps] of js.matchAll(re)) {
    loaders[name] = { part: camel(part), file: file || null, deps: deps.split(',').map((d) => d.trim()).filter(Boolean).map((d) => chunks[d] || fail(`unknown chunk ${d}`)) };
  }
  const exported = (js.match(/^export const /gm) || []).length;
  if (!exported || exported !== Object.keys(loaders).length) fail(`read ${Object.keys(loaders).length} of the splitter's ${exported} part loaders`);
  return { shared: shared[1].split(',').map((n) => n.trim()).filter(Boolean), loaders };
}

function fail(why) {
  throw new Error(`finish-pkg: ${why}`);
}

/** Which files become each module. Every part is one module; the code two or more parts share
 * (the splitter's chunks) is one more, `shared`, which each part that needs any of it loads
 * too: two files per part at most, whatever combination of parts a page uses, and never two
 * copies of a chunk (a second copy would write its data into memory again). */
function mergeGroups({ loaders }) {
  const chunks = [...new Set(Object.values(loaders).flatMap((l) => l.deps))].sort();
  const groups = {};
  for (const l of Object.values(loaders)) groups[l.part] = { files: l.file ? [`${l.file}.wasm`] : [], needs: l.deps.length ? ['shared'] : [] };
  if (chunks.length) groups.shared = { files: chunks.map((c) => `${c}.wasm`), needs: [] };
  return groups;
}

/** Merges a part's modules into one with binaryen's wasm-merge. Each imports the main module's
 * memory, function table and globals from `__wasm_split`; a small hub module, merged first
 * under that name, re-provides them from `main` (what the loader passes), so the merged module
 * imports each once. Then the usual optimisation. */
function mergeModules(files, out) {
  const bin = 'node_modules/.bin/';
  if (!files.length) {
    writeFileSync(out, Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    return;
  }
  const imports = new Map();
  for (const f of files) {
    const text = execFileSync(`${bin}wasm-dis`, [at(f)], { encoding: 'utf8', maxBuffer: 1 << 28 });
    for (const [, name, kind, rest] of text.matchAll(/\(import "__wasm_split" "([^"]+)" \((memory|table|global) \$\S+ ([^)]*\)?)\)\)/g)) {
      const prev = imports.get(name);
      // Limits: the largest minimum any module asks for.
      if (!prev || (kind !== 'global' && parseInt(rest) > parseInt(prev.rest))) imports.set(name, { kind, rest });
    }
  }
  const hub = [...imports].map(([name, { kind, rest }], i) => `(import "main" ${JSON.stringify(name)} (${kind} $i${i} ${rest}))\n(export ${JSON.stringify(name)} (${kind} $i${i}))`);
  const dir = mkdtempSync(join(tmpdir(), 'cognito-merge-'));
  try {
    writeFileSync(join(dir, 'hub.wat'), `(module\n${hub.join('\n')}\n)\n`);
    execFileSync(`${bin}wasm-as`, [join(dir, 'hub.wat'), ...FEATURES, '-o', join(dir, 'hub.wasm')]);
    const args = [join(dir, 'hub.wasm'), '__wasm_split', ...files.flatMap((f, i) => [at(f), `m${i}`])];
    execFileSync(`${bin}wasm-merge`, [...args, ...FEATURES, '-o', join(dir, 'merged.wasm')]);
    execFileSync(`${bin}wasm-opt`, [join(dir, 'merged.wasm'), '-Os', '--converge', '--strip-debug', '--strip-producers', ...FEATURES, '-o', out]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The JS half of the aws part (signRequest, fetchSigned, presignUrl), imported on their first
// use; built first, for its hash in the loader.
buildSync({ entryPoints: ['src/js/aws.js'], outfile: at('cognito_wasm_aws.js'), format: 'esm', minify: true, logLevel: 'error' });

// The loader that ships: the modules with the parts each needs loaded first, and the main
// module's export names (shortened by wasm-opt) of what the parts import.
const fileOf = (part) => `cognito_wasm_${part}.wasm`;
// Each part's modules: its own first, then those it needs loaded before it.
const partModules = Object.fromEntries(Object.entries(groups).filter(([p]) => p !== 'shared').map(([p, g]) => [p, [fileOf(p), ...g.needs.map(fileOf)]]));
{
  const names = namesFile && existsSync(namesFile) ? JSON.parse(readFileSync(namesFile, 'utf8')) : { exports: [] };
  const renamed = Object.fromEntries(names.exports);
  const sharedNames = Object.fromEntries(parts.shared.map((n) => [n, renamed[n] || n]));
  const integrity = Object.fromEntries([...new Set([...Object.values(partModules).flat(), 'cognito_wasm_aws.js'])].map((f) => [f, sri(f)]));
  const template = readFileSync('src/js/loader.js', 'utf8');
  const filled = template
    .replace('/*@parts*/ {}', JSON.stringify(partModules))
    .replace('/*@shared*/ {}', JSON.stringify(sharedNames))
    .replace('/*@integrity*/ {}', JSON.stringify(integrity));
  if ([...filled.matchAll(/\/\*@\w+\*\//g)].length) fail('src/js/loader.js has a placeholder this script does not fill');
  if (filled === template) fail('src/js/loader.js lost its placeholders');
  writeFileSync(at('__wasm_split.js'), filled);
}

/** The Subresource Integrity value (sha384) of a file of the package, as it is now. */
function sri(f) {
  return 'sha384-' + createHash('sha384').update(readFileSync(at(f))).digest('base64');
}

// The main module is fetched with its integrity too (a page that pins the script pins it).
{
  const g = readFileSync(at('cognito_wasm.js'), 'utf8');
  const from = "module_or_path = new URL('cognito_wasm_bg.wasm', import.meta.url);";
  if (!g.includes(from)) fail('the glue no longer fetches cognito_wasm_bg.wasm as expected');
  writeFileSync(at('cognito_wasm.js'), g.replace(from, `module_or_path = fetch(new URL('cognito_wasm_bg.wasm', import.meta.url), { integrity: ${JSON.stringify(sri('cognito_wasm_bg.wasm'))} });`));
}

// The asynchronous methods go on the prototype (src/js/methods.js, with the declarations' list),
// then the module is minified in place with a source map: the glue is part of what every page
// downloads.
const methods = declaredMethods();
{
  const glue = readFileSync(at('cognito_wasm.js'), 'utf8');
  const js = readFileSync('src/js/methods.js', 'utf8');
  if (!js.includes('/*@methods*/ []')) fail('src/js/methods.js lost its /*@methods*/ placeholder');
  for (const m of methods.filter((m) => m.js)) {
    if (!new RegExp(`'${m.name}'`).test(js)) fail(`${m.name} is declared @js, but src/js/methods.js does not define it`);
  }
  writeFileSync(at('cognito_wasm.js'), glue + '\n' + js.replace('/*@methods*/ []', JSON.stringify(wasmMethods(methods))));
}
buildSync({
  entryPoints: [at('cognito_wasm.js')],
  outfile: at('cognito_wasm.js'),
  allowOverwrite: true,
  format: 'esm',
  // Takes in the JS half of src/web (wasm-bindgen copies it to snippets/) and the loader: one
  // file to load. (node:fs is the loader's way to read the parts in Node only.)
  bundle: true,
  external: ['node:*'],
  minify: true,
  sourcemap: true,
  sourcesContent: true,
  logLevel: 'error',
});

buildSync({
  entryPoints: [at('cognito_wasm.js')],
  outfile: at('cognito_wasm.global.js'),
  bundle: true,
  format: 'iife',
  globalName: 'CognitoWasm',
  minify: true,
  external: ['node:*'],
  // The ES module finds its files with import.meta.url; a classic script uses its own src.
  define: { 'import.meta.url': '__cognitoWasmBase' },
  banner: {
    js: 'var __cognitoWasmBase=(typeof document!=="undefined"&&document.currentScript&&document.currentScript.src)||(typeof location!=="undefined"?location.href:"");',
  },
  logLevel: 'error',
});


rmSync(at('snippets'), { recursive: true, force: true });
rmSync(at('__wasm_split.js'), { force: true });

// pkg/parts.json: the files each part needs (its own module first, then the modules it needs
// loaded first), and the main module's. A page's preload hints name what its path needs
// (README, "Preload hints").
const partFiles = { main: ['cognito_wasm.js', 'cognito_wasm_bg.wasm'], parts: { ...partModules } };
partFiles.parts.aws = ['cognito_wasm_aws.js', ...(partFiles.parts.aws || [])];
for (const m of methods) {
  if (m.part !== 'main' && !partFiles.parts[m.part]) fail(`no module for the ${m.part} part (${m.name})`);
}
writeFileSync(at('parts.json'), JSON.stringify(partFiles, null, 2) + '\n');

const wasmFiles = [...new Set(['cognito_wasm_bg.wasm', ...Object.values(partFiles.parts).flat().filter((f) => f.endsWith('.wasm'))])];
const jsFiles = ['cognito_wasm.js', 'cognito_wasm.global.js', 'cognito_wasm_aws.js'];
const pkg = {
  name: 'cognito-wasm',
  version: field('version'),
  description: field('description'),
  license: field('license'),
  repository: { type: 'git', url: field('repository') },
  keywords: ['cognito', 'srp', 'auth', 'oauth', 'pkce', 'wasm'],
  type: 'module',
  main: 'cognito_wasm.js',
  module: 'cognito_wasm.js',
  types: 'cognito_wasm.d.ts',
  exports: {
    '.': { types: './cognito_wasm.d.ts', default: './cognito_wasm.js' },
    './global': './cognito_wasm.global.js',
    './parts.json': './parts.json',
  },
  files: [...wasmFiles, ...jsFiles, 'cognito_wasm.js.map', 'cognito_wasm.d.ts', 'cognito_wasm_bg.wasm.d.ts', 'parts.json', 'integrity.json', 'README.md'],
  sideEffects: false,
};
for (const f of [...wasmFiles, 'cognito_wasm_aws.js']) pkg.exports[`./${f}`] = `./${f}`;
// Subresource Integrity: the sha384 of each file a page loads from a CDN (a script tag's
// `integrity`, and fetch's or a preload hint's for the .wasm files), written after the files
// are final.
const integrity = Object.fromEntries([...jsFiles, ...wasmFiles].map((f) => [f, sri(f)]));
writeFileSync(at('integrity.json'), JSON.stringify(integrity, null, 2) + '\n');
pkg.exports['./integrity.json'] = './integrity.json';
writeFileSync(at('package.json'), JSON.stringify(pkg, null, 2) + '\n');
if (existsSync('README.md')) copyFileSync('README.md', at('README.md'));
console.log(`${DIR}/ ready: cognito-wasm@${pkg.version}, parts: ${Object.keys(partFiles.parts).join(', ')}`);
