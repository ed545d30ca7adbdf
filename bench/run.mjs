// npm run bench: cognito-wasm vs amazon-cognito-identity-js 6.x vs @aws-amplify/auth 6.x in one
// headless Chromium page, against one emulator, in one run. Prints a table and writes
// bench/results.json. Every figure is a median (with the spread) or a direct measurement from
// this run; the targets are ratios against the peers measured here.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { createServer } from 'node:http';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createPool, emulator } from '../tests/node/emulator.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'bench/dist');
const RUNS = Number(process.env.BENCH_RUNS || 25);
const log = (...a) => console.error('[bench]', ...a);

// 1. Peer bundles (esbuild, minified, for the browser).
await mkdir(DIST, { recursive: true });
const entries = ['identity-js-srp', 'amplify-srp', 'identity-js-signin', 'amplify-signin'];
for (const e of entries) {
  await build({
    entryPoints: [join(ROOT, `bench/peers/${e}.mjs`)],
    outfile: join(DIST, `${e}.js`),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    logLevel: 'error',
  });
}
const gz = async (f) => gzipSync(await readFile(f), { level: 9 }).length;
const size = {
  'cognito-wasm': (await gz(join(ROOT, 'pkg/cognito_wasm_bg.wasm'))) + (await gz(join(ROOT, 'pkg/cognito_wasm.js'))),
  'amazon-cognito-identity-js': await gz(join(DIST, 'identity-js-signin.js')),
  '@aws-amplify/auth': await gz(join(DIST, 'amplify-signin.js')),
};

// 2. The emulator and a pool with one user (SRP, no MFA, no device tracking).
const base = await emulator();
const pool = await createPool({ users: [{ username: 'bench', password: 'Passw0rd!' }] });
const opts = { userPoolId: pool.userPoolId, clientId: pool.clientId, endpoint: `${base}/`, username: 'bench', password: 'Passw0rd!' };

// 3. A page to run in.
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  const file = path.startsWith('/pkg/') ? join(ROOT, 'target/pkg-bench', path.slice(5)) : path.startsWith('/dist/') ? join(DIST, path.slice(6)) : null;
  try {
    if (!file) {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      return res.end('<!doctype html><meta charset="utf-8"><title>bench</title>');
    }
    const body = await readFile(file);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
});

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { median: q(0.5), p10: q(0.1), p90: q(0.9), min: s[0], max: s[s.length - 1], runs: s.length };
}

const page = await browser.newPage();
await page.goto(origin);
await page.evaluate(async () => {
  const m = await import('/pkg/cognito_wasm.js');
  await m.default();
  window.ours = m;
  window.idjs = await import('/dist/identity-js-srp.js');
  window.amp = await import('/dist/amplify-srp.js');
  window.idjsSignIn = await import('/dist/identity-js-signin.js');
  window.ampSignIn = await import('/dist/amplify-signin.js');
});

// 4. SRP client CPU per sign-in: A plus the password claim, same server values for all three.
const V = {
  poolName: pool.userPoolId.split('_')[1],
  poolId: pool.userPoolId,
  username: 'bench',
  password: 'Passw0rd!',
  saltHex: 'c3d1a5e7f90b2d4f6a8c0e1f3a5b7c9d',
  bHex: 'b6589653' + 'a5'.repeat(380),
  secretBlock: 'MoOFXI6d4b5/H1DWK+C52qnUztC0+mV/rL9ya/oJ8Cw24OLE/YAMVMGZIvcA',
};
log(`SRP CPU, ${RUNS} runs each`);
const srp = await page.evaluate(
  async ([v, runs]) => {
    const impls = {
      'cognito-wasm': () => window.ours.srpClaim(v.poolId, v.username, v.password, v.saltHex, v.bHex, v.secretBlock),
      'amazon-cognito-identity-js': () => window.idjs.srp(v),
      '@aws-amplify/auth': () => window.amp.srp(v),
    };
    const out = {};
    for (const [name, f] of Object.entries(impls)) {
      for (let i = 0; i < 3; i++) await f(); // warm-up (JIT, tier-up)
      const times = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await f();
        times.push(performance.now() - t0);
      }
      out[name] = times;
    }
    return out;
  },
  [V, RUNS],
);

// 5. End-to-end signIn latency against the emulator, and the longest main-thread task during it
//    (a MessageChannel ticker: the largest gap between ticks is the longest task).
log(`signIn latency, ${RUNS} runs each`);
const e2e = await page.evaluate(
  async ([o, runs]) => {
    const ours = new window.ours.CognitoAuth({ userPoolId: o.userPoolId, clientId: o.clientId, endpoint: o.endpoint, storage: 'memory' });
    const impls = {
      'cognito-wasm': { run: () => ours.signIn({ username: o.username, password: o.password }), after: () => ours.signOut() },
      'amazon-cognito-identity-js': { run: () => window.idjsSignIn.signIn(o), after: async () => {} },
      '@aws-amplify/auth': { run: () => window.ampSignIn.signIn(o), after: () => window.ampSignIn.after() },
    };
    const ticker = () => {
      const ch = new MessageChannel();
      let last = performance.now();
      let max = 0;
      let on = true;
      ch.port1.onmessage = () => {
        const now = performance.now();
        max = Math.max(max, now - last);
        last = now;
        if (on) ch.port2.postMessage(0);
      };
      ch.port2.postMessage(0);
      return () => {
        on = false;
        return max;
      };
    };
    const out = {};
    for (const [name, f] of Object.entries(impls)) {
      for (let i = 0; i < 2; i++) {
        await f.run();
        await f.after();
      }
      const times = [];
      const longest = [];
      for (let i = 0; i < runs; i++) {
        const stop = ticker();
        const t0 = performance.now();
        await f.run();
        times.push(performance.now() - t0);
        longest.push(stop());
        await f.after();
      }
      out[name] = { times, longest };
    }
    return out;
  },
  [opts, RUNS],
);

// 6. wasm compile + instantiate, each in a fresh page (cold); and the first SRP sign-in of a page,
//    which also builds the fixed-base table for g = 2 (once per page; CognitoAuth builds it at idle).
log('instantiate and first sign-in, 10 fresh pages');
const inst = [];
const firstSrp = [];
for (let i = 0; i < 10; i++) {
  const p = await browser.newPage();
  await p.goto(origin);
  const [t, first] = await p.evaluate(async (v) => {
    const m = await import('/pkg/cognito_wasm.js');
    const bytes = await fetch('/pkg/cognito_wasm_bg.wasm').then((r) => r.arrayBuffer());
    const t0 = performance.now();
    await m.default({ module_or_path: bytes });
    const t1 = performance.now();
    m.srpClaim(v.poolId, v.username, v.password, v.saltHex, v.bHex, v.secretBlock);
    return [t1 - t0, performance.now() - t1];
  }, V);
  inst.push(t);
  firstSrp.push(first);
  await p.close();
}
await browser.close();
server.close();

// 7. Results.
const result = {
  date: new Date().toISOString(),
  runs: RUNS,
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
  srpCpuMs: Object.fromEntries(Object.entries(srp).map(([k, v]) => [k, stats(v)])),
  signInMs: Object.fromEntries(Object.entries(e2e).map(([k, v]) => [k, stats(v.times)])),
  longestTaskDuringSignInMs: Object.fromEntries(Object.entries(e2e).map(([k, v]) => [k, Math.max(...v.longest)])),
  gzipBytes: size,
  instantiateMs: stats(inst),
  firstSrpInPageMs: stats(firstSrp),
};
const ratio = result.srpCpuMs['amazon-cognito-identity-js'].median / result.srpCpuMs['cognito-wasm'].median;
result.targets = {
  srpCpuAtMostOneFifteenthOfIdentityJs: { ratio: Number(ratio.toFixed(1)), pass: ratio >= 15 },
  gzipAtMost35KB: { bytes: size['cognito-wasm'], pass: size['cognito-wasm'] <= 35 * 1024 },
  instantiateAtMost10ms: { ms: Number(result.instantiateMs.median.toFixed(2)), pass: result.instantiateMs.median <= 10 },
  noTaskOver50msDuringSignIn: { ms: Number(result.longestTaskDuringSignInMs['cognito-wasm'].toFixed(1)), pass: result.longestTaskDuringSignInMs['cognito-wasm'] <= 50 },
};
await writeFile(join(ROOT, 'bench/results.json'), JSON.stringify(result, null, 2) + '\n');

const f1 = (x) => x.toFixed(1);
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const names = ['cognito-wasm', 'amazon-cognito-identity-js', '@aws-amplify/auth'];
const rows = [
  ['', ...names],
  ['SRP CPU per sign-in, median ms (p10–p90)', ...names.map((n) => `${f1(result.srpCpuMs[n].median)} (${f1(result.srpCpuMs[n].p10)}–${f1(result.srpCpuMs[n].p90)})`)],
  ['signIn against the emulator, median ms (p10–p90)', ...names.map((n) => `${f1(result.signInMs[n].median)} (${f1(result.signInMs[n].p10)}–${f1(result.signInMs[n].p90)})`)],
  ['longest main-thread task during signIn, ms', ...names.map((n) => f1(result.longestTaskDuringSignInMs[n]))],
  ['gzip -9 size (wasm + JS glue / minified bundle)', ...names.map((n) => kb(size[n]))],
  ['wasm compile + instantiate, median ms', f1(result.instantiateMs.median), '–', '–'],
  ['first SRP sign-in of a page (builds the g table), median ms', f1(result.firstSrpInPageMs.median), '–', '–'],
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(line(rows[0]));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
rows.slice(1).forEach((r) => console.log(line(r)));
console.log();
for (const [k, v] of Object.entries(result.targets)) console.log(`${v.pass ? 'PASS' : 'MISS'} ${k}: ${JSON.stringify(v)}`);
process.exit(0);
