// Completes pkg/ after wasm-bindgen and wasm-opt (scripts/build-pkg.sh): the glue's renamed
// imports/exports, types that compile without esnext.disposable, the async methods, minification, the script-tag build
// (pkg/cognito_wasm.global.js, global `CognitoWasm`, finds the .wasm next to itself), the npm
// package.json and the README.
import { readFileSync, writeFileSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { readModule } from './wasm-module.mjs';

const cargo = readFileSync('Cargo.toml', 'utf8');
const field = (k) => (cargo.match(new RegExp(`^${k} = "([^"]*)"`, 'm')) || [])[1];

// The wasm's imports and exports were renamed (scripts/build-pkg.sh prints the map): rename them
// in the glue too. Every name must be found, or the build stops.
const namesFile = process.argv[2];
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

// The asynchronous methods go on the prototype (src/js/methods.js), then the module is
// minified in place with a source map: the glue is part of what every page downloads.
const glue = readFileSync(at('cognito_wasm.js'), 'utf8');
if (!glue.includes('cognito-wasm: async methods')) {
  // The AWS-credentials methods only in a build with the crate feature `aws`.
  const aws = (process.env.PKG_FEATURES || '').split(',').includes('aws') ? '\n' + readFileSync('src/js/aws.js', 'utf8') : '';
  writeFileSync(at('cognito_wasm.js'), glue + '\n' + readFileSync('src/js/methods.js', 'utf8') + aws);
}
buildSync({
  entryPoints: [at('cognito_wasm.js')],
  outfile: at('cognito_wasm.js'),
  allowOverwrite: true,
  format: 'esm',
  // Takes in the JS half of src/web (wasm-bindgen copies it to snippets/): one file to load.
  bundle: true,
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
  // The ES module finds its .wasm with import.meta.url; a classic script uses its own src.
  define: { 'import.meta.url': '__cognitoWasmBase' },
  banner: {
    js: 'var __cognitoWasmBase=(typeof document!=="undefined"&&document.currentScript&&document.currentScript.src)||(typeof location!=="undefined"?location.href:"");',
  },
  logLevel: 'error',
});

rmSync(at('snippets'), { recursive: true, force: true });

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
    './cognito_wasm_bg.wasm': './cognito_wasm_bg.wasm',
  },
  files: ['cognito_wasm_bg.wasm', 'cognito_wasm.js', 'cognito_wasm.js.map', 'cognito_wasm.d.ts', 'cognito_wasm_bg.wasm.d.ts', 'cognito_wasm.global.js', 'integrity.json', 'README.md'],
  sideEffects: false,
};
// Subresource Integrity: the sha384 of each file a page loads from a CDN (a script tag's
// `integrity`, and fetch's for the .wasm), written after the files are final.
const integrity = {};
for (const f of ['cognito_wasm.js', 'cognito_wasm.global.js', 'cognito_wasm_bg.wasm']) {
  integrity[f] = 'sha384-' + createHash('sha384').update(readFileSync(at(f))).digest('base64');
}
writeFileSync(at('integrity.json'), JSON.stringify(integrity, null, 2) + '\n');
pkg.exports['./integrity.json'] = './integrity.json';
writeFileSync(at('package.json'), JSON.stringify(pkg, null, 2) + '\n');
if (existsSync('README.md')) copyFileSync('README.md', at('README.md'));
console.log(`${DIR}/ ready: cognito-wasm@${pkg.version}`);
