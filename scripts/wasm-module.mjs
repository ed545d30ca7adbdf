// The little of the wasm binary format the build scripts read: scripts/finish-pkg.mjs (the
// import module's name) and scripts/size-report.mjs (function bodies and names); and the wasm
// features binaryen's tools are told the package uses (scripts/wasm-features, which
// scripts/build-pkg.sh reads too).
import { readFileSync } from 'node:fs';

export const WASM_FEATURES = readFileSync(new URL('./wasm-features', import.meta.url), 'utf8').trim().split(/\s+/);

/** A module's import module names, function bodies with their names (from the name section)
 * and its other sections (not code, not custom). */
export function readModule(b) {
  let p = 8;
  const leb = () => { let r = 0, s = 0, x; do { x = b[p++]; r |= (x & 0x7f) << s; s += 7; } while (x & 0x80); return r >>> 0; };
  const skipLimits = () => { const f = leb(); leb(); if (f & 1) leb(); };
  let imports = 0;
  const bodies = [], names = new Map(), sections = [], importModules = [];
  while (p < b.length) {
    const id = b[p++], len = leb(), start = p, end = p + len;
    if (id === 2) {
      for (let n = leb(), i = 0; i < n; i++) {
        const ml = leb();
        importModules.push(b.subarray(p, p + ml).toString('utf8'));
        p += ml;
        const fl = leb(); // field name
        p += fl;
        const kind = b[p++];
        if (kind === 0) { leb(); imports++; } else if (kind === 1) { p++; skipLimits(); } else if (kind === 2) skipLimits(); else if (kind === 3) p += 2;
      }
    } else if (id === 10) {
      for (let n = leb(), i = 0; i < n; i++) { const l = leb(); bodies.push(b.subarray(p, p + l)); p += l; }
    } else if (id === 0) {
      const nl = leb(), name = b.subarray(p, p + nl).toString(); p += nl;
      while (name === 'name' && p < end) {
        const sub = b[p++], sl = leb(), se = p + sl;
        if (sub === 1) for (let n = leb(), i = 0; i < n; i++) { const idx = leb(), l = leb(); names.set(idx, b.subarray(p, p + l).toString()); p += l; }
        p = se;
      }
    }
    if (id !== 0 && id !== 10) sections.push(b.subarray(start, end));
    p = end;
  }
  return { importModules, bodies: bodies.map((body, i) => ({ body, name: names.get(i + imports) ?? '' })), sections };
}
