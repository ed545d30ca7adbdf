/*! cognito-wasm: parts */
// Fetches a part of the package on its first use. The main module imports one function per
// part from here (`__wasm_split_load_<part>`, named by wasm_split_helpers' split points); the
// wasm calls it with a callback (an index in the function table) and a pointer, and this calls
// the callback back with whether the part is ready. A part is a module that imports the main
// module's memory, function table and globals and fills its own slots of the table when it is
// instantiated; the shared chunks it needs are instantiated first. A failed fetch is forgotten,
// so the next call tries again.
//
// scripts/finish-pkg.mjs fills in the modules (file → the files it needs first) and the main
// module's (shortened) export names of what the parts import, from what wasm-split-cli wrote.
// Each part is one module (scripts/finish-pkg.mjs merges in the code it shares with others), so
// a page's path is a handful of files.
import { initSync } from './cognito_wasm.js';

const MODULES = /*@modules*/ {};
const SHARED = /*@shared*/ {};
// The sha384 of each module (Subresource Integrity): a page that pins this script pins them.
const INTEGRITY = /*@integrity*/ {};
// The bound on fetching one part; the wasm's own wait is requestTimeoutMs.
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
/** Fetches and instantiates one module, once (a failure is forgotten: the next call tries again). */
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

/** A part: its module and the modules holding code it shares with others, all at once (each
 * fills only its own slots of the table, so the order does not matter). */
const load = (file) => Promise.all([file, ...MODULES[file]].map(instantiate));

/** The function the wasm imports for a part. */
function loader(file) {
  return (callback, data) =>
    load(file)
      .then(() => true, () => false)
      .then((ready) => imports().main.__indirect_function_table.get(callback)(data, ready));
}

/*@loaders*/
