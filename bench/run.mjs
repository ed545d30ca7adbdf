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
import { paths } from '../scripts/size-report.mjs';

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
// What a page loads to sign in with SRP: the main module and the sign-in part (pkg/parts.json),
// each file once, as npm run size counts them.
const pkgPaths = paths(join(ROOT, 'pkg'));
const signInFiles = [...new Set(pkgPaths.files.signIn)];
const ours = signInFiles.reduce((a, f) => a + pkgPaths.size[f], 0);
const size = {
  'cognito-wasm': ours,
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

/** A CDP session on page `p` and a reader of its renderer's main-thread CPU so far, in seconds
 * (Performance.getMetrics TaskDuration). */
async function taskDuration(p) {
  const session = await p.context().newCDPSession(p);
  await session.send('Performance.enable', { timeDomain: 'timeTicks' });
  const seconds = async () => (await session.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  return { session, seconds };
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

// 5. End-to-end signIn against the emulator, a fresh client each time (new CognitoAuth, new
//    CognitoUserPool + CognitoUser, Amplify configured once as an app does): the latency, the
//    renderer's main-thread CPU (CDP Performance.getMetrics TaskDuration, read before the call and
//    after a 150 ms settle, so background work the call started is counted: cognito-wasm checks
//    the token signatures then), and the longest main-thread task (a MessageChannel ticker: the
//    largest gap between ticks).
log(`signIn latency and main-thread CPU, ${RUNS} runs each`);
const { seconds: taskSeconds } = await taskDuration(page);
await page.evaluate((o) => {
  window.benchImpls = {
    'cognito-wasm': {
      run: async () => {
        const a = new window.ours.CognitoAuth({ userPoolId: o.userPoolId, clientId: o.clientId, endpoint: o.endpoint, storage: 'memory' });
        window.lastAuth = a;
        await a.signIn({ username: o.username, password: o.password });
      },
      after: () => window.lastAuth.signOut(),
    },
    'amazon-cognito-identity-js': { run: () => window.idjsSignIn.signIn(o), after: async () => {} },
    '@aws-amplify/auth': { run: () => window.ampSignIn.signIn(o), after: () => window.ampSignIn.after() },
  };
  window.startTicker = () => {
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
    window.stopTicker = () => {
      on = false;
      return max;
    };
  };
}, opts);
const settle = () => new Promise((ok) => setTimeout(ok, 150));
const e2e = {};
for (const name of Object.keys(size)) {
  // The ticker's own tasks would count as CPU, so CPU is read in runs without it.
  const one = async (tick) => {
    const cpu0 = await taskSeconds();
    const ms = await page.evaluate(
      async ([n, t]) => {
        if (t) window.startTicker();
        const t0 = performance.now();
        await window.benchImpls[n].run();
        return performance.now() - t0;
      },
      [name, tick],
    );
    await settle();
    const cpu = ((await taskSeconds()) - cpu0) * 1000;
    const longest = tick ? await page.evaluate(() => window.stopTicker()) : 0;
    await page.evaluate((n) => window.benchImpls[n].after(), name);
    return { ms, cpu, longest };
  };
  for (let i = 0; i < 2; i++) await one(false); // warm-up (JIT, the g table, HTTP keep-alive)
  const runs = [];
  const cpuRuns = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await one(true));
    cpuRuns.push(await one(false));
  }
  e2e[name] = { times: runs.map((r) => r.ms), cpu: cpuRuns.map((r) => r.cpu), longest: runs.map((r) => r.longest) };
}

// 5b. The first sign-in of a page, the one a user feels: a fresh page each time, main-thread CPU
//     of the signIn call alone. cognito-wasm twice: signIn straight after construction, and after
//     preload('signIn') and a second of idle time (what a login page gets while the user types;
//     the sign-in part is then loaded and the g table and A are ready).
log('first sign-in of a page, 8 fresh pages per variant');
const firstSignIn = { 'cognito-wasm, no preload': [], 'cognito-wasm, preload + idle': [], 'amazon-cognito-identity-js': [], '@aws-amplify/auth': [] };
for (let i = 0; i < 8; i++) {
  for (const variant of Object.keys(firstSignIn)) {
    const p = await browser.newPage();
    await p.goto(origin);
    const { session: c, seconds: secs } = await taskDuration(p);
    await p.evaluate(
      async ([v, o]) => {
        if (v.startsWith('cognito-wasm')) {
          const m = await import('/pkg/cognito_wasm.js');
          await m.default();
          window.first = new m.CognitoAuth({ userPoolId: o.userPoolId, clientId: o.clientId, endpoint: o.endpoint, storage: 'memory' });
          if (v.endsWith('idle')) {
            await window.first.preload('signIn');
            await new Promise((ok) => setTimeout(ok, 1000));
          }
          window.firstRun = () => window.first.signIn({ username: o.username, password: o.password });
        } else {
          const m = await import(v === '@aws-amplify/auth' ? '/dist/amplify-signin.js' : '/dist/identity-js-signin.js');
          window.firstRun = () => m.signIn(o);
        }
      },
      [variant, opts],
    );
    const cpu0 = await secs();
    await p.evaluate(() => window.firstRun());
    await settle();
    firstSignIn[variant].push(((await secs()) - cpu0) * 1000);
    await p.evaluate(() => localStorage.clear()); // Amplify keeps its tokens there
    await c.detach();
    await p.close();
  }
}

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
  signInMainThreadCpuMs: Object.fromEntries(Object.entries(e2e).map(([k, v]) => [k, stats(v.cpu)])),
  firstSignInMainThreadCpuMs: Object.fromEntries(Object.entries(firstSignIn).map(([k, v]) => [k, stats(v)])),
  longestTaskDuringSignInMs: Object.fromEntries(Object.entries(e2e).map(([k, v]) => [k, Math.max(...v.longest)])),
  signInFiles,
  gzipBytes: size,
  instantiateMs: stats(inst),
  firstSrpInPageMs: stats(firstSrp),
};
const ratio = result.srpCpuMs['amazon-cognito-identity-js'].median / result.srpCpuMs['cognito-wasm'].median;
result.targets = {
  srpCpuAtMostOneFifteenthOfIdentityJs: { ratio: Number(ratio.toFixed(1)), pass: ratio >= 15 },
  signInCpuAtMostOneFifteenthOfIdentityJs: {
    ratio: Number((result.signInMainThreadCpuMs['amazon-cognito-identity-js'].median / result.signInMainThreadCpuMs['cognito-wasm'].median).toFixed(1)),
    pass: result.signInMainThreadCpuMs['amazon-cognito-identity-js'].median >= 15 * result.signInMainThreadCpuMs['cognito-wasm'].median,
  },
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
  ['main-thread CPU per signIn, fresh client, median ms (p10–p90)', ...names.map((n) => `${f1(result.signInMainThreadCpuMs[n].median)} (${f1(result.signInMainThreadCpuMs[n].p10)}–${f1(result.signInMainThreadCpuMs[n].p90)})`)],
  ['first signIn of a page, main-thread CPU, median ms', `${f1(result.firstSignInMainThreadCpuMs['cognito-wasm, no preload'].median)} (after preload + idle: ${f1(result.firstSignInMainThreadCpuMs['cognito-wasm, preload + idle'].median)})`, f1(result.firstSignInMainThreadCpuMs['amazon-cognito-identity-js'].median), f1(result.firstSignInMainThreadCpuMs['@aws-amplify/auth'].median)],
  ['longest main-thread task during signIn, ms', ...names.map((n) => f1(result.longestTaskDuringSignInMs[n]))],
  ['gzip -9, what an SRP sign-in loads (main + signIn parts / minified bundle)', ...names.map((n) => kb(size[n]))],
  ['wasm compile + instantiate, median ms', f1(result.instantiateMs.median), '–', '–'],
  ['first SRP math of a page (builds the g table), median ms', f1(result.firstSrpInPageMs.median), '–', '–'],
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(line(rows[0]));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
rows.slice(1).forEach((r) => console.log(line(r)));
console.log();
for (const [k, v] of Object.entries(result.targets)) console.log(`${v.pass ? 'PASS' : 'MISS'} ${k}: ${JSON.stringify(v)}`);
process.exit(0);
