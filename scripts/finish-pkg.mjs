// Completes pkg/ after wasm-pack: the npm package.json, the README, and the script-tag build
// (pkg/cognito_wasm.global.js, global `CognitoWasm`, finds the .wasm next to itself).
import { readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { buildSync } from 'esbuild';

const cargo = readFileSync('Cargo.toml', 'utf8');
const field = (k) => (cargo.match(new RegExp(`^${k} = "([^"]*)"`, 'm')) || [])[1];

// The asynchronous methods go on the prototype (src/js/methods.js), then the module is
// minified in place with a source map: the glue is part of what every page downloads.
const glue = readFileSync('pkg/cognito_wasm.js', 'utf8');
if (!glue.includes('cognito-wasm: async methods')) {
  writeFileSync('pkg/cognito_wasm.js', glue + '\n' + readFileSync('src/js/methods.js', 'utf8'));
}
buildSync({
  entryPoints: ['pkg/cognito_wasm.js'],
  outfile: 'pkg/cognito_wasm.js',
  allowOverwrite: true,
  format: 'esm',
  minify: true,
  sourcemap: true,
  sourcesContent: true,
  logLevel: 'error',
});

buildSync({
  entryPoints: ['pkg/cognito_wasm.js'],
  outfile: 'pkg/cognito_wasm.global.js',
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
  files: ['cognito_wasm_bg.wasm', 'cognito_wasm.js', 'cognito_wasm.js.map', 'cognito_wasm.d.ts', 'cognito_wasm_bg.wasm.d.ts', 'cognito_wasm.global.js', 'README.md'],
  sideEffects: false,
};
writeFileSync('pkg/package.json', JSON.stringify(pkg, null, 2) + '\n');
if (existsSync('README.md')) copyFileSync('README.md', 'pkg/README.md');
console.log(`pkg/ ready: cognito-wasm@${pkg.version}`);
