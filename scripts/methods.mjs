// The JS API's methods, read from their one list: the `CognitoAuth` interface of
// src/js/types.d.ts, in declaration order (overloads once), each with its part (`@part`) and
// whether JS implements it (`@js`). build.rs reads the same declarations by the same rules for
// the wasm side; the index of a wasm method (one that is not `@js`) is its position among them.
import { readFileSync } from 'node:fs';

export function declaredMethods(file = 'src/js/types.d.ts') {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('export interface CognitoAuth {');
  if (start < 0) throw new Error(`${file}: no CognitoAuth interface`);
  const body = text.slice(start, text.indexOf('\n}', start));
  const methods = [];
  let doc = '';
  for (const line of body.split('\n').slice(1)) {
    const t = line.trim();
    if (t.startsWith('/**') || t.startsWith('*')) {
      doc += t + '\n';
      continue;
    }
    const m = /^ {2}([a-z][A-Za-z0-9]*)\((.*)\): Promise<(.*)>;$/.exec(line);
    if (!m) continue;
    if (methods.at(-1)?.name === m[1]) {
      doc = '';
      continue;
    }
    const part = /@part\s+([A-Za-z0-9]+)/.exec(doc);
    if (!part) throw new Error(`${file}: ${m[1]} has no @part tag`);
    const text = doc.replace(/^\/\*\*|\*\/$|^\*\s?/gm, '').replace(/@part\s+\w+|@js\b/g, '').replace(/\s+/g, ' ').trim();
    methods.push({ name: m[1], part: part[1], js: /@js\b/.test(doc), params: m[2], result: m[3], doc: text });
    doc = '';
  }
  return methods;
}

/** The wasm methods, as [name, index, part] (the index CognitoAuth.__call takes). */
export function wasmMethods(methods = declaredMethods()) {
  return methods.filter((m) => !m.js).map((m, i) => [m.name, i, m.part]);
}

const START = '<!-- methods: generated from src/js/types.d.ts by scripts/methods.mjs; do not edit -->';
const END = '<!-- /methods -->';

/** The README's table of the asynchronous methods, from the declarations. */
export function readmeTable(methods = declaredMethods()) {
  const esc = (t) => t.replace(/\|/g, '\\|');
  const rows = methods.map((m) => `| \`${esc(m.name + '(' + m.params + ')')}\` → \`${esc(m.result)}\` | ${m.part} | ${esc(m.doc)} |`);
  return [START, '| method | part | |', '| --- | --- | --- |', ...rows, END].join('\n');
}

/** README.md with its method table as the declarations give it. */
export function withTable(readme, table = readmeTable()) {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error('README.md has no generated method table (the methods: markers)');
  return readme.slice(0, a) + table + readme.slice(b + END.length);
}

// node scripts/methods.mjs --write-readme: rewrites README.md's method table.
// node scripts/methods.mjs --check: fails when README.md's table is not what the declarations give
// (npm test runs it).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const { writeFileSync } = await import('node:fs');
  const readme = readFileSync('README.md', 'utf8');
  if (process.argv.includes('--write-readme')) writeFileSync('README.md', withTable(readme));
  else if (process.argv.includes('--check') && withTable(readme) !== readme) {
    console.error('README.md: the method table differs from src/js/types.d.ts; run node scripts/methods.mjs --write-readme');
    process.exit(1);
  }
}
