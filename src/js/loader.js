/*! cognito-wasm: parts */
// Fetches the modules of a part of the package (methods.js calls `loadPart` before a part's
// first call). A part's module imports the main module's memory, function table and globals,
// and fills its own slots of the table when it is instantiated; the module of the code the
// parts share is instantiated alongside. Each module is fetched once, with its Subresource
// Integrity hash; a failed fetch is forgotten, so the next call tries again.
//
// scripts/finish-pkg.mjs fills in the modules of each part, their hashes, and the main module's
// (shortened) export names of what the parts import, from what wasm-split-cli wrote.
import { initSync } from './cognito_wasm.js';

const PARTS = /*@parts*/ {};
const SHARED = /*@shared*/ {};
// The sha384 of each module: a page that pins this script pins them.
const INTEGRITY = /*@integrity*/ {};
// The bound on fetching one module.
const FETCH_TIMEOUT_MS = 60000;

let shared;
function imports() {
  if (!shared) {
    const main = initSync();
    shared = { main: {} };
    for (const [name, exported] of Object.entries(SHARED)) shared.main[name] = main[exported];
  }
  return shared;
}

const modules = new Map();
/** Fetches and instantiates one module, once. */
function instantiate(file) {
  let loading = modules.get(file);
  if (!loading) {
    const url = new URL(file, import.meta.url);
    loading = (url.protocol === 'file:' ? fromFile(url) : fromNetwork(url, file)).then(
      (r) =>
        // instantiateStreaming needs application/wasm; other servers (and files) take the plain path.
        r instanceof Response && (r.headers.get('content-type') || '').startsWith('application/wasm')
          ? WebAssembly.instantiateStreaming(r, imports())
          : (r instanceof Response ? r.arrayBuffer() : Promise.resolve(r)).then((b) => WebAssembly.instantiate(b, imports())),
    );
    loading.catch(() => modules.delete(file));
    modules.set(file, loading);
  }
  return loading;
}

function fromNetwork(url, file) {
  return fetch(url, { integrity: INTEGRITY[file], signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) }).then((r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status} for ${r.url}`);
    return r;
  });
}

/** Node (the package used from a file, as `initSync({module})` is): the bytes next to this file. */
function fromFile(url) {
  return import('node:fs/promises').then((fs) => fs.readFile(url));
}

/**
 * A JS module of the package (the aws part's), verified like the wasm: a `modulepreload` link
 * with its hash puts it in the page's module map, and `import()` then takes it from there. (A
 * page's own modulepreload hint of the file should carry the same `integrity`.)
 */
export function importVerified(file) {
  const url = new URL(file, import.meta.url).href;
  if (typeof document === 'undefined' || url.startsWith('file:')) return import(url);
  return new Promise((ok, fail) => {
    const link = Object.assign(document.createElement('link'), { rel: 'modulepreload', href: url, integrity: INTEGRITY[file] || '' });
    link.crossOrigin = 'anonymous';
    link.onload = () => ok(import(url));
    link.onerror = () => {
      link.remove();
      fail(new Error(`${file} could not be fetched, or failed its integrity check`));
    };
    document.head.append(link);
  });
}

/** A part's modules, all at once (each fills only its own slots, so the order does not matter). */
export function loadPart(part) {
  return Promise.all((PARTS[part] || []).map(instantiate));
}
