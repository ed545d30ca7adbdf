// npm run bench, part 2 (issue #24): the "felt speed" of cognito-wasm against aws-amplify 6 and
// amazon-cognito-identity-js 6.3. Each app is a real page served over HTTP as a CDN would
// (gzip -9, immutable assets, no-cache HTML), loaded in Chromium under CDP network and CPU
// throttling, against the emulator. The page itself records performance.now() (ms since
// navigation start) when its awaited call resolves:
//   - time to signed in: a cold page load whose script signs in with USER_SRP_AUTH;
//   - returning user, time to session: tokens already in localStorage, HTTP cache cold and warm.
// Runs are interleaved (the app order rotates each round), so machine load hits every app alike;
// figures are medians (min–max) and ratios against Amplify measured in the same run.
// Prints a markdown table; every raw sample goes to bench/felt-speed.json.
//
//   node bench/felt-speed.mjs          (needs pkg/ and target/release/cognito-emulator built;
//   BENCH_FELT_RUNS=5 (rounds)          scripts/bench.sh builds both)
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createPool, emulator } from '../tests/node/emulator.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PKG = join(ROOT, 'pkg');
const DIST = join(ROOT, 'bench/dist/felt');
const RUNS = Number(process.env.BENCH_FELT_RUNS || 5);
const log = (...a) => console.error('[felt-speed]', ...a);

// The apps (columns). Both cognito-wasm columns run the same script; only the page head differs.
const APPS = [
  { id: 'cognito-wasm', title: 'cognito-wasm', script: 'cognito-wasm', hints: true },
  { id: 'cognito-wasm-no-hints', title: 'cognito-wasm without hints', script: 'cognito-wasm', hints: false },
  { id: 'amplify', title: 'aws-amplify 6', script: 'amplify' },
  { id: 'identity-js', title: 'identity-js 6.3', script: 'identity-js' },
];
const BASELINE = 'amplify';

// Throttling profiles. Throughputs are in bytes/s (Mbit/s = 10^6 bit/s); latency is added to
// every request the page makes, the emulator's included.
const mbit = (m) => (m * 1e6) / 8;
const PROFILES = {
  phone: { latency: 150, downloadThroughput: mbit(1.6), uploadThroughput: mbit(0.75), cpu: 4, label: '150 ms, 1.6/0.75 Mbit/s, CPU ×4' },
  desktop: { latency: 20, downloadThroughput: mbit(30), uploadThroughput: mbit(30), cpu: 1, label: '20 ms, 30 Mbit/s, CPU ×1' },
};

// Scenarios (rows) and their goals: cognito-wasm's median at most this many times Amplify's.
const SCENARIOS = {
  signIn: { title: 'time to signed in (SRP)', goal: { phone: 0.7, desktop: 0.6 } },
  sessionCold: { title: 'returning user, time to session, HTTP cache cold', goal: { phone: 1.0, desktop: 1.0 } },
  sessionWarm: { title: 'returning user, time to session, HTTP cache warm', goal: { phone: 1.0, desktop: 1.0 } },
};

const SIGNIN_USER = { username: 'felt-signin', password: 'Passw0rd!felt' };
const RETURNING_USER = { username: 'felt-returning', password: 'Passw0rd!felt' };

// ---------------------------------------------------------------------------------------------
// The pages and what they load.

/** pkg/parts.json (the package in parts), or what today's single-file package amounts to. */
async function readParts() {
  const file = join(PKG, 'parts.json');
  if (!existsSync(file)) return { main: ['cognito_wasm.js', 'cognito_wasm_bg.wasm'], parts: {}, fromFile: false };
  return { ...JSON.parse(await readFile(file, 'utf8')), fromFile: true };
}

/** The preload hints a page's head carries for these pkg/ files. */
function hintTags(files) {
  return files.map((f) =>
    f.endsWith('.js')
      ? `<link rel="modulepreload" href="/pkg/${f}">`
      : `<link rel="preload" as="fetch" type="application/wasm" crossorigin href="/pkg/${f}">`,
  );
}

/** Which pkg/ files each cognito-wasm page hints: a returning user's page `main`, the sign-in
 *  page `main` and the sign-in part. */
function hintedFiles(parts, page) {
  return page === 'signin' ? [...parts.main, ...(parts.parts.signIn || [])] : [...parts.main];
}

/** A page: its hints, its configuration (a JSON data block, so the scripts stay static files)
 *  and its own module script. */
function pageHtml(app, page, parts, cfg) {
  const hints = app.hints ? hintTags(hintedFiles(parts, page)) : [];
  const ext = app.script === 'cognito-wasm' ? 'js' : 'mjs';
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>felt speed</title>',
    ...hints,
    `<script type="application/json" id="felt-config">${JSON.stringify(cfg)}</script>`,
    `<script type="module" src="/app/${app.script}-${page}.${ext}"></script>`,
    '</head><body></body></html>',
  ].join('\n');
}

/** The peer pages' scripts, each bundled alone (esbuild --bundle --minify, esm, browser, its
 *  default target: current browsers), as an app's build would; cognito-wasm's page scripts are served as they are. */
async function buildPeerScripts() {
  await mkdir(DIST, { recursive: true });
  const out = {};
  for (const name of ['amplify-signin', 'amplify-session', 'identity-js-signin', 'identity-js-session']) {
    await build({
      entryPoints: [join(ROOT, `bench/felt/${name}.mjs`)],
      outfile: join(DIST, `${name}.mjs`),
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
      logLevel: 'error',
    });
    out[`/app/${name}.mjs`] = join(DIST, `${name}.mjs`);
  }
  for (const page of ['signin', 'session']) out[`/app/cognito-wasm-${page}.js`] = join(ROOT, `bench/felt/cognito-wasm-${page}.js`);
  return out;
}

async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

// ---------------------------------------------------------------------------------------------
// The static server: every file gzip -9 ahead of time, as a CDN serves it.

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json', '.ts': 'text/plain', '.md': 'text/markdown' };
const IMMUTABLE = 'public, max-age=31536000, immutable'; // versioned CDN assets

function served(body, type, cacheControl) {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { gz: gzipSync(body, { level: 9 }), type, cacheControl, etag };
}

/** path → what is served there: pkg/ as built, the app scripts, the pages (no-cache). */
async function siteFiles(scripts, pages) {
  const site = new Map();
  for (const f of await listFiles(PKG)) {
    const path = `/pkg/${relative(PKG, f)}`;
    site.set(path, served(await readFile(f), TYPES[extname(f)] || 'application/octet-stream', IMMUTABLE));
  }
  for (const [path, f] of Object.entries(scripts)) site.set(path, served(await readFile(f), 'text/javascript', IMMUTABLE));
  for (const [path, html] of Object.entries(pages)) site.set(path, served(Buffer.from(html), 'text/html; charset=utf-8', 'no-cache'));
  return site;
}

async function serve(site) {
  const server = createServer((req, res) => {
    const f = site.get(new URL(req.url, 'http://x').pathname);
    if (!f) return res.writeHead(404).end();
    const headers = { 'Content-Type': f.type, 'Cache-Control': f.cacheControl, ETag: f.etag, Vary: 'Accept-Encoding' };
    // The no-cache HTML is revalidated on a warm load, as a CDN would answer it.
    if (req.headers['if-none-match'] === f.etag) return res.writeHead(304, headers).end();
    res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': f.gz.length }).end(f.gz);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

// ---------------------------------------------------------------------------------------------
// The emulator: one pool, a user to sign in and a returning user with stored tokens.

async function setUpPool() {
  const base = await emulator();
  const pool = await createPool({
    // Tokens outlive the run, so no returning-user page ever refreshes (each would read and
    // return the stored tokens).
    tokenValidity: { idTokenSeconds: 86_400, accessTokenSeconds: 86_400, refreshTokenSeconds: 30 * 86_400 },
    // USER_PASSWORD_AUTH only to mint the returning user's tokens from Node; every page uses SRP.
    clients: [{ explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'] }],
    users: [SIGNIN_USER, RETURNING_USER],
  });
  const r = await fetch(`${base}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
    body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: pool.clientId, AuthParameters: { USERNAME: RETURNING_USER.username, PASSWORD: RETURNING_USER.password } }),
  });
  const tokens = (await r.json()).AuthenticationResult;
  if (!tokens?.AccessToken) throw new Error(`could not mint the returning user's tokens (HTTP ${r.status})`);
  return { endpoint: `${base}/`, userPoolId: pool.userPoolId, clientId: pool.clientId, tokens };
}

/** Runs in the page before its scripts (an init script): the keys all three SDKs read. */
function seedTokens({ origin, clientId, username, tokens }) {
  if (location.origin !== origin) return; // about:blank has no storage
  const k = `CognitoIdentityServiceProvider.${clientId}`;
  localStorage.setItem(`${k}.LastAuthUser`, username);
  localStorage.setItem(`${k}.${username}.idToken`, tokens.IdToken);
  localStorage.setItem(`${k}.${username}.accessToken`, tokens.AccessToken);
  localStorage.setItem(`${k}.${username}.refreshToken`, tokens.RefreshToken);
  localStorage.setItem(`${k}.${username}.clockDrift`, '0');
}

// ---------------------------------------------------------------------------------------------
// One measured page load.

/** A new tab throttled before it navigates (CDP on the page's own session, so the emulator's
 *  requests are throttled too). */
async function throttledPage(context, profile) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const { latency, downloadThroughput, uploadThroughput, cpu } = profile;
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency, downloadThroughput, uploadThroughput });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
  return page;
}

/** Navigates, waits for the page's own result (window.felt) and reads it with what the page
 *  stored and loaded. The time is the page's: polling only decides when the harness looks. */
async function loadPage(page, url, clientId) {
  await page.goto(url, { waitUntil: 'commit', timeout: 120_000 });
  await page.waitForFunction(() => window.felt, null, { polling: 50, timeout: 120_000 });
  return page.evaluate(pageResult, clientId);
}

/** In the page: its result, the session it stored, and its resource timing. */
function pageResult(clientId) {
  const key = `CognitoIdentityServiceProvider.${clientId}`;
  const last = localStorage.getItem(`${key}.LastAuthUser`);
  const access = last && localStorage.getItem(`${key}.${last}.accessToken`);
  const claims = access ? JSON.parse(atob(access.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) : null;
  const own = location.origin;
  const round = (x) => Math.round(x * 10) / 10;
  const resources = performance.getEntriesByType('resource').map((e) => ({
    url: e.name.startsWith(own) ? e.name.slice(own.length) : e.name,
    initiator: e.initiatorType,
    start: round(e.startTime),
    end: round(e.responseEnd),
    transferSize: e.transferSize,
    bodySize: e.encodedBodySize,
  }));
  const nav = performance.getEntriesByType('navigation')[0];
  return { ...window.felt, stored: { lastAuthUser: last, accessTokenUser: claims?.username ?? null }, html: { end: round(nav.responseEnd), transferSize: nav.transferSize }, resources };
}

/** The page's own JS and wasm requested before its result. */
const ownAssets = (r) => r.resources.filter((e) => e.url.startsWith('/') && /\.(m?js|wasm)$/.test(e.url) && e.start <= r.t);

// The bench fails rather than report a number for a run that did not do its job.
function checkSignedIn(r, app) {
  if (r.error) throw new Error(`${app.id}: sign-in failed: ${r.error}`);
  if (r.signedIn !== true) throw new Error(`${app.id}: sign-in did not finish: ${r.step}`);
  if (r.stored.accessTokenUser !== SIGNIN_USER.username) throw new Error(`${app.id}: stored session is ${JSON.stringify(r.stored)}, not ${SIGNIN_USER.username}'s`);
}

function checkSession(r, app) {
  if (r.error) throw new Error(`${app.id}: getSession failed: ${r.error}`);
  if (r.username !== RETURNING_USER.username) throw new Error(`${app.id}: session is ${r.username}'s, not ${RETURNING_USER.username}'s`);
}

/** A cold load fetched every asset over the network; a warm one none (immutable, cached). A file
 *  requested twice is a hint the page did not use (its request did not match the preload). */
function checkCache(r, app, warm) {
  const assets = ownAssets(r);
  if (!assets.length) throw new Error(`${app.id}: no JS or wasm in the page's resource timing`);
  const urls = [...new Set(assets.map((e) => e.url))];
  const twice = urls.filter((u) => assets.filter((e) => e.url === u).length > 1);
  if (twice.length) log(`warning: ${app.id} requested ${twice.join(', ')} twice (an unused preload hint?)`);
  const fetched = urls.filter((u) => assets.some((e) => e.url === u && e.transferSize > 0));
  if (warm && fetched.length) throw new Error(`${app.id}: warm load fetched ${fetched.join(', ')} from the network`);
  if (!warm && fetched.length < urls.length) throw new Error(`${app.id}: cold load found ${urls.filter((u) => !fetched.includes(u)).join(', ')} in the cache`);
}

// ---------------------------------------------------------------------------------------------
// The three scenarios.

/** Time to signed in: a new browser context (empty HTTP cache, empty storage: signed out). */
async function runSignIn(env, app, profile) {
  const context = await env.browser.newContext();
  try {
    const page = await throttledPage(context, profile);
    const r = await loadPage(page, env.url(app, 'signin'), env.clientId);
    checkSignedIn(r, app);
    checkCache(r, app, false);
    return r;
  } finally {
    await context.close();
  }
}

/** Returning user: stored tokens; cold = a new context, warm = the page loaded once before in
 *  the same context (unthrottled, then closed), then measured in a new tab. */
async function runSession(env, app, profile, warm) {
  const context = await env.browser.newContext();
  try {
    await context.addInitScript(seedTokens, env.seed);
    if (warm) {
      const first = await context.newPage();
      checkSession(await loadPage(first, env.url(app, 'session'), env.clientId), app);
      await first.waitForLoadState('networkidle'); // anything the page fetches late is cached too
      await first.close();
    }
    const page = await throttledPage(context, profile);
    const r = await loadPage(page, env.url(app, 'session'), env.clientId);
    checkSession(r, app);
    checkCache(r, app, warm);
    return r;
  } finally {
    await context.close();
  }
}

function runScenario(env, scenario, app, profile) {
  if (scenario === 'signIn') return runSignIn(env, app, profile);
  return runSession(env, app, profile, scenario === 'sessionWarm');
}

// ---------------------------------------------------------------------------------------------
// Rounds, figures, output.

const sum = (xs) => xs.reduce((a, b) => a + b, 0);

function sample(round, profile, scenario, app, r) {
  const assets = ownAssets(r);
  return {
    round, profile, scenario, app: app.id,
    ms: Math.round(r.t * 10) / 10,
    bytes: sum(assets.map((e) => e.bodySize)), // gzip bodies of the page's JS + wasm
    transferred: sum(assets.map((e) => e.transferSize)) + r.html.transferSize, // from the network, headers and HTML included
    html: r.html,
    resources: r.resources,
  };
}

/** Each round: both profiles, every scenario, every app, the app order rotated by the round so
 *  that no app always goes first. */
async function measureRounds(env) {
  const samples = [];
  for (let round = 0; round < RUNS; round++) {
    const order = APPS.map((_, i) => APPS[(i + round) % APPS.length]);
    for (const profile of Object.keys(PROFILES)) {
      for (const scenario of Object.keys(SCENARIOS)) {
        for (const app of order) samples.push(sample(round, profile, scenario, app, await runScenario(env, scenario, app, PROFILES[profile])));
      }
    }
    log(`round ${round + 1}/${RUNS} done`);
  }
  return samples;
}

/** An unrecorded pass over every page and scenario: fails fast before the long run, and warms
 *  the server, the emulator and the browser. */
async function checkPass(env) {
  for (const scenario of Object.keys(SCENARIOS)) for (const app of APPS) await runScenario(env, scenario, app, PROFILES.desktop);
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

/** The table's rows: the timings per profile with their goal ratio, then the bytes per page. */
function summarize(samples) {
  const of = (pred, key) => Object.fromEntries(APPS.map((a) => [a.id, stats(samples.filter((s) => s.app === a.id && pred(s)).map((s) => s[key]))]));
  const rows = [];
  for (const [pid, profile] of Object.entries(PROFILES)) {
    for (const [sid, sc] of Object.entries(SCENARIOS)) {
      const cells = of((s) => s.profile === pid && s.scenario === sid, 'ms');
      const ratio = cells['cognito-wasm'].median / cells[BASELINE].median;
      rows.push({ title: `${pid} (${profile.label}): ${sc.title}, ms`, unit: 'ms', cells, ratio, goal: sc.goal[pid], met: ratio <= sc.goal[pid] });
    }
  }
  // Bytes are the same on every cold load of a page; the cold scenarios give them.
  for (const [sid, title] of [['signIn', 'the sign-in page'], ['sessionCold', "a returning user's page"]]) {
    const cells = of((s) => s.scenario === sid, 'bytes');
    rows.push({ title: `bytes ${title} loads (JS + wasm, gzip -9)`, unit: 'bytes', cells, ratio: cells['cognito-wasm'].median / cells[BASELINE].median });
  }
  return rows;
}

function markdownTable(rows) {
  const cell = (st, unit) => {
    if (unit === 'bytes') return `${(st.median / 1024).toFixed(1)} KB${st.min !== st.max ? ` (${(st.min / 1024).toFixed(1)}–${(st.max / 1024).toFixed(1)})` : ''}`;
    return `${Math.round(st.median)} (${Math.round(st.min)}–${Math.round(st.max)})`;
  };
  const head = ['', ...APPS.map((a) => a.title), 'cognito-wasm / Amplify', 'goal met?'];
  const body = rows.map((r) => [
    r.title,
    ...APPS.map((a) => cell(r.cells[a.id], r.unit)),
    `${r.ratio.toFixed(2)}×`,
    r.goal === undefined ? '–' : `${r.met ? 'yes' : 'no'} (≤ ${r.goal.toFixed(1)}×)`,
  ]);
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
}

/** bench/felt-speed.json: the summary readable, then one raw sample a line. */
function resultJson({ samples, ...head }) {
  const top = JSON.stringify(head, null, 2);
  return `${top.slice(0, -2)},\n  "samples": [\n${samples.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]\n}\n`;
}

async function main() {
  if (!existsSync(join(PKG, 'cognito_wasm.js'))) throw new Error('pkg/ is not built: run bash scripts/build-pkg.sh');
  const parts = await readParts();
  // A renamed part would silently drop the sign-in page's hints: say so.
  if (parts.fromFile && !parts.parts.signIn) log('warning: pkg/parts.json has no "signIn" part; the sign-in page hints main only');
  const scripts = await buildPeerScripts();
  const pool = await setUpPool();
  const pages = {};
  for (const app of APPS) {
    for (const page of ['signin', 'session']) {
      const user = page === 'signin' ? SIGNIN_USER : { username: RETURNING_USER.username };
      pages[`/pages/${app.id}-${page}.html`] = pageHtml(app, page, parts, { userPoolId: pool.userPoolId, clientId: pool.clientId, endpoint: pool.endpoint, ...user });
    }
  }
  const { server, origin } = await serve(await siteFiles(scripts, pages));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  const env = {
    browser,
    clientId: pool.clientId,
    url: (app, page) => `${origin}/pages/${app.id}-${page}.html`,
    seed: { origin, clientId: pool.clientId, username: RETURNING_USER.username, tokens: pool.tokens },
  };
  try {
    log(`Chromium ${browser.version()}; pkg ${parts.fromFile ? 'in parts (parts.json)' : 'in one file (no parts.json)'}`);
    log(`hints: sign-in page ${hintedFiles(parts, 'signin').join(' ')}; returning user's page ${hintedFiles(parts, 'session').join(' ')}`);
    log('checking every page once');
    await checkPass(env);
    log(`${RUNS} rounds`);
    const loadBefore = loadavg()[0];
    const samples = await measureRounds(env);
    const load = { cores: availableParallelism(), before: loadBefore, after: loadavg()[0] };
    const rows = summarize(samples);
    const result = {
      date: new Date().toISOString(),
      chromium: browser.version(),
      rounds: RUNS,
      load,
      profiles: PROFILES,
      parts,
      hints: { signin: hintedFiles(parts, 'signin'), session: hintedFiles(parts, 'session') },
      summary: rows,
      samples,
    };
    await writeFile(join(ROOT, 'bench/felt-speed.json'), resultJson(result));
    console.log(`Felt speed, Chromium ${browser.version()}, medians (min–max) of ${RUNS} interleaved runs; pkg ${parts.fromFile ? 'in parts' : 'in one file'}\n`);
    console.log(markdownTable(rows));
    // Interleaving shares out the load, but not evenly: CPU-heavy pages (JS SRP) suffer more
    // from a busy machine than network-bound ones, so the ratios move. Say when that was so.
    if (Math.max(load.before, load.after) > load.cores) {
      console.log(`\nThe machine was busy (load average ${load.before.toFixed(1)} before, ${load.after.toFixed(1)} after, on ${load.cores} cores): the figures are noisy; rerun on a quiet machine.`);
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error('[felt-speed] FAILED:', e);
    process.exit(1);
  },
);
