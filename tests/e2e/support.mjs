// Playwright (playwright-core driving Debian's Chromium; no browser download) plus the static
// server and the emulator, for the end-to-end suites.
import { chromium } from 'playwright-core';
import { after } from 'node:test';
import { mkdirSync, readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, strictCsp } from '../../scripts/serve.mjs';
import { createPool, emulator } from '../node/emulator.mjs';

export const OUT = new URL('../../test-output/', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

// Servers a test did not get to close (it failed first) would keep the suite from exiting:
// close them when the file's tests are done, so a failure fails instead of hanging.
const open = new Set();
after(() => Promise.all([...open].map((s) => s.close())));

export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', ...extraArgs],
  });
}

/** A static server for www/ and pkg/ (plus /__test__/ blank pages) and a pool whose hosted-UI
 * callbacks point at it. */
export async function site(poolConfig = {}, { clientExtra = {}, pkgDir, csp = false, files = {} } = {}) {
  let config = {};
  const base0 = await emulator();
  const started = await startServer({ port: 0, config: () => config, testPages: true, pkgDir, csp: csp ? strictCsp(base0) : null, files });
  const server = { ...started, close: () => (open.delete(server), started.close()) };
  open.add(server);
  const origin = server.url; // ends with '/'
  const callbacks = [origin, `${origin}__test__/callback`, `${origin}global.html`, `${origin}examples/multipage/login.html`];
  const pool = await createPool({
    identityProviders: [{ name: 'Google', providerType: 'Google', attributeMapping: { email: 'email', name: 'name' } }],
    ...poolConfig,
    clients: [
      {
        callbackUrls: callbacks,
        logoutUrls: [origin, `${origin}__test__/signed-out`, `${origin}examples/multipage/login.html`],
        supportedIdentityProviders: ['COGNITO', 'Google'],
        explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_USER_AUTH'],
        ...clientExtra,
      },
    ],
  });
  const base = await emulator();
  config = {
    userPoolId: pool.userPoolId,
    clientId: pool.clientId,
    endpoint: `${base}/`,
    hostedUi: {
      domain: base,
      redirectSignIn: `${origin}__test__/callback`,
      redirectSignOut: `${origin}__test__/signed-out`,
      allowedReturnPaths: ['/', '/account/*', '/index.html'],
    },
    emulator: `${base}/`,
  };
  return { server, origin, pool, base, config: () => config, setConfig: (c) => (config = c) };
}

/** Loads the SDK into a page and makes `window.auth` from the given options. */
export async function sdk(page, options) {
  await page.evaluate(async (opts) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default();
    window.sdk = m;
    window.auth = new m.CognitoAuth(opts);
  }, options);
}

/** Runs `fn(auth, arg)` in the page; returns {ok, value} or {ok: false, name, message, ...}. */
export async function call(page, fn, arg) {
  return page.evaluate(
    async ([src, a]) => {
      try {
        const f = new Function('auth', 'arg', `return (${src})(auth, arg)`);
        return { ok: true, value: await f(window.auth, a) };
      } catch (e) {
        return { ok: false, name: e.name, message: e.message, retryable: e.retryable, code: e.code, check: e.check, isError: e instanceof Error };
      }
    },
    [fn.toString(), arg],
  );
}

export async function messages(poolId, username) {
  const base = await emulator();
  return fetch(`${base}/_emulator/messages?poolId=${poolId}&username=${encodeURIComponent(username)}`).then((r) => r.json());
}

/** The example Lambda triggers `npm start` gives the demo pool (emulator/examples/triggers/
 * triggers.json, its `./` and `../` paths resolved as `cognito-emulator --triggers` does). */
export function exampleTriggers() {
  const file = fileURLToPath(new URL('../../emulator/examples/triggers/triggers.json', import.meta.url));
  const t = JSON.parse(readFileSync(file, 'utf8'));
  for (const v of Object.values(t)) {
    v.command = v.command.map((a) => (a.startsWith('./') || a.startsWith('../') ? join(dirname(file), a) : a));
  }
  return t;
}

export async function triggerLog(poolId) {
  const base = await emulator();
  return fetch(`${base}/_emulator/triggers?poolId=${poolId}`).then((r) => r.json());
}

/** A page that records everything it reports: console errors (a refused script, a 404, an
 * uncaught error) and Content-Security-Policy violations. `page.check()` throws if any
 * happened. Failed API calls (an expected NotAuthorizedException is a 400, which Chromium logs
 * as "Failed to load resource") are not problems; anything else from the page's origin is. */
export async function strictPage(context) {
  const page = await context.newPage();
  const problems = [];
  const api = await emulator();
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/^Failed to load resource/.test(m.text()) && (m.location().url || '').startsWith(api)) return;
    problems.push(`${m.text()} (${m.location().url || 'no url'})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.check = () => {
    if (problems.length) throw new Error(`the page reported:\n${problems.join('\n')}`);
  };
  return page;
}

/** The RFC 6238 code (SHA-1, 30 s, 6 digits) of a base32 TOTP secret at `unix` seconds. */
export function totp(secret, unix = Math.floor(Date.now() / 1000)) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unix / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[19] & 15;
  return String(((h.readUInt32BE(o) & 0x7fffffff) % 1e6)).padStart(6, '0');
}
