// Real networks in headless Chromium: the SDK reaches the emulator through a misbehaving proxy
// (a Node HTTP server in front of it) that, per X-Amz-Target, accepts and never answers, sends
// headers and stalls the body, resets the connection mid-body, or answers after twice the
// timeout. Every call settles within its bound with a named error, and no tokens are lost or
// left behind. Also: a refresh slowed down in one page while another signs out; a page closed
// in the middle of a refresh releases its Web Lock; cookie storage shared by sub-domains and
// read by a server, and its 4 KB refusal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { launch, site, sdk, call } from './support.mjs';
import { emulator, fault } from '../node/emulator.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await Promise.all([...proxies].map((p) => p.close()));
});

const USERS = { users: [{ username: 'alice', password: 'Passw0rd!' }] };
const TIMEOUT = 1500;
const proxies = new Set();

/** A proxy in front of the emulator; `misbehave(target, mode, times)` makes the next `times`
 * requests for the X-Amz-Target operation `target` go wrong. */
async function badProxy() {
  const base = new URL(await emulator());
  const plan = [];
  const seen = [];
  const held = new Set();
  const forward = (req, body, res) => {
    const up = http.request({ host: base.hostname, port: base.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    up.end(body);
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] || '').split('.').pop();
      if (req.method === 'POST') seen.push(target);
      const i = plan.findIndex((p) => p.target === target && p.times > 0);
      if (req.method !== 'POST' || i < 0) return forward(req, body, res);
      plan[i].times -= 1;
      const cors = { 'access-control-allow-origin': req.headers.origin || '*', 'content-type': 'application/x-amz-json-1.1' };
      held.add(res.socket);
      switch (plan[i].mode) {
        case 'hang': // accepted, never answered
          return;
        case 'stall-body': // headers and the start of a body, then nothing
          res.writeHead(200, { ...cors, 'content-length': '4000' });
          res.write('{"AuthenticationResult":{"AccessToken":"');
          return;
        case 'reset': // the start of a body, then a TCP reset
          res.writeHead(200, { ...cors, 'content-length': '4000' });
          res.write('{"ChallengeName":"PASSWORD_VER', () => setTimeout(() => res.socket.resetAndDestroy(), 50));
          return;
        case 'late': // the real answer, after twice the timeout
          return setTimeout(() => forward(req, body, res), 2 * TIMEOUT);
      }
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const p = {
    endpoint: `http://127.0.0.1:${server.address().port}/`,
    seen,
    misbehave: (target, mode, times = 1) => plan.push({ target, mode, times }),
    close: () => {
      for (const s of held) s.destroy();
      server.closeAllConnections?.();
      return new Promise((r) => server.close(r));
    },
  };
  proxies.add(p);
  return p;
}

async function start(extra = {}, poolConfig = USERS) {
  const s = await site(poolConfig);
  const proxy = await badProxy();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${s.origin}__test__/app`);
  const config = { ...s.config(), endpoint: proxy.endpoint, issuer: `${s.base}/${s.pool.userPoolId}`, requestTimeoutMs: TIMEOUT, ...extra };
  await sdk(page, config);
  return { ...s, proxy, context, page, sdkConfig: config };
}

/** Runs the call in the page and measures how long it took to settle (wall clock, ms). */
async function timed(page, fn, arg) {
  const t0 = Date.now();
  const r = await call(page, fn, arg);
  return { ...r, took: Date.now() - t0 };
}

const storedTokens = (page) =>
  page.evaluate(() => Object.keys(localStorage).filter((k) => /Token$|LastAuthUser$/.test(k)));

const signIn = (auth) => auth.signIn({ username: 'alice', password: 'Passw0rd!' });

for (const mode of ['hang', 'stall-body']) {
  test(`a server that ${mode === 'hang' ? 'accepts and never answers' : 'sends headers and stalls the body'}: NetworkError after each attempt's timeout, retries bounded`, async () => {
    const { page, proxy } = await start({ maxRetries: 1 });
    proxy.misbehave('InitiateAuth', mode, 2);
    const r = await timed(page, signIn);
    assert.equal(r.ok, false);
    assert.deepEqual([r.name, r.retryable], ['NetworkError', true]);
    assert.match(r.message, /within 1500 ms \(requestTimeoutMs\)/);
    assert.deepEqual(proxy.seen, ['InitiateAuth', 'InitiateAuth'], 'one retry (maxRetries: 1), safe for InitiateAuth');
    // Two timeouts and one backoff (at most 250 ms), plus the page round trip.
    assert.ok(r.took >= 2 * TIMEOUT && r.took < 2 * TIMEOUT + 2000, `settled after ${r.took} ms`);
    assert.deepEqual(await storedTokens(page), []);
    // The network is back: the same page signs in.
    assert.deepEqual((await call(page, signIn)).value, { signedIn: true });
  });
}

test('a connection reset mid-body is a NetworkError at once, not after the timeout', async () => {
  const { page, proxy } = await start({ maxRetries: 0 });
  proxy.misbehave('InitiateAuth', 'reset');
  const r = await timed(page, signIn);
  assert.deepEqual([r.name, r.retryable], ['NetworkError', true]);
  assert.ok(r.took < TIMEOUT, `settled after ${r.took} ms`);
  assert.deepEqual(await storedTokens(page), []);
});

test('an answer after twice the timeout: the call has settled, a late answer changes nothing, a non-repeatable call says it may have reached Cognito', async () => {
  const { page, proxy, sdkConfig } = await start({ maxRetries: 0 });
  // Sign-in: given up after the timeout; the answer arriving later stores no tokens.
  proxy.misbehave('InitiateAuth', 'late');
  const r = await timed(page, signIn);
  assert.deepEqual([r.name, r.retryable], ['NetworkError', true]);
  assert.ok(r.took < TIMEOUT + 1000, `settled after ${r.took} ms`);
  await page.waitForTimeout(2 * TIMEOUT + 500);
  assert.deepEqual(await storedTokens(page), []);
  assert.equal((await call(page, (auth) => auth.getSession())).value, null);
  // Sign-up is not safe to repeat: one attempt even with retries allowed, and the error says why.
  await sdk(page, { ...sdkConfig, maxRetries: 3 });
  proxy.misbehave('SignUp', 'late');
  const before = proxy.seen.length;
  const u = await call(page, (auth) => auth.signUp({ username: 'bob', password: 'Passw0rd!' }));
  assert.equal(u.name, 'NetworkError');
  assert.match(u.message, /not repeated/);
  assert.match(u.message, /may have reached Cognito/);
  assert.deepEqual(proxy.seen.slice(before), ['SignUp']);
  // It did reach Cognito (the late answer was real): signing up again says so.
  await page.waitForTimeout(2 * TIMEOUT + 500);
  const again = await call(page, (auth) => auth.signUp({ username: 'bob', password: 'Passw0rd!' }));
  assert.equal(again.name, 'UsernameExistsException');
});


/** Two pages of one browser context (shared storage, BroadcastChannel, Web Locks). */
async function twoPages(s) {
  const context = await browser.newContext();
  const pages = [await context.newPage(), await context.newPage()];
  for (const p of pages) await p.goto(`${s.origin}__test__/app`);
  return { context, pages };
}

test('a slow refresh in one page while another reads the session and signs out: both settle in bounded time, nothing is left', async () => {
  const s = await site(USERS);
  const { pages: [a, b] } = await twoPages(s);
  await sdk(a, { ...s.config(), requestTimeoutMs: 30_000, maxRetries: 0 });
  await sdk(b, { ...s.config(), requestTimeoutMs: TIMEOUT, maxRetries: 0 });
  assert.deepEqual((await call(a, signIn)).value, { signedIn: true });
  // A's refresh is carried out at once and answered after 4 s: A holds the refresh lock 4 s.
  assert.ok((await fault(s.pool.userPoolId, { target: 'InitiateAuth', delayMs: 4000 })).ok);
  const aRefresh = timed(a, (auth) => auth.getSession({ forceRefresh: true }));
  await b.waitForTimeout(300);
  const read = await timed(b, (auth) => auth.getSession());
  assert.ok(read.ok && read.value.accessToken, 'B reads the still-valid session');
  assert.ok(read.took < 1000, `B's getSession took ${read.took} ms`);
  const out = await timed(b, (auth) => auth.signOut());
  assert.ok(out.ok, out.message);
  // B waits for the lock at most its timeout, then signs out without it.
  assert.ok(out.took < TIMEOUT + 1500, `B's signOut took ${out.took} ms`);
  const ra = await aRefresh;
  assert.ok(ra.ok, ra.message);
  assert.ok(ra.took < 4000 + 2000, `A's getSession took ${ra.took} ms`);
  // A's late answer stores nothing that outlives the sign-out, in either page.
  await a.waitForTimeout(500);
  assert.deepEqual(await storedTokens(a), []);
  for (const p of [a, b]) assert.equal((await call(p, (auth) => auth.getSession())).value, null);
});

test('a page closed in the middle of a refresh releases the refresh lock: the other page refreshes at once', async () => {
  const s = await site(USERS);
  const { pages: [a, b] } = await twoPages(s);
  await sdk(a, s.config());
  await sdk(b, s.config());
  assert.deepEqual((await call(a, signIn)).value, { signedIn: true });
  const before = (await call(b, (auth) => auth.getSession())).value.accessToken;
  assert.ok((await fault(s.pool.userPoolId, { target: 'InitiateAuth', delayMs: 10_000 })).ok);
  call(a, (auth) => auth.getSession({ forceRefresh: true })).catch(() => {}); // the page closes under it
  await a.waitForTimeout(500);
  await a.close();
  // Were A's lock kept, B would wait for it up to its 15 s timeout.
  const r = await timed(b, (auth) => auth.getSession({ forceRefresh: true }));
  assert.ok(r.ok, r.message);
  assert.notEqual(r.value.accessToken, before, 'B refreshed');
  assert.ok(r.took < 3000, `B's refresh took ${r.took} ms`);
});

test('cookie storage: two sub-domains share one session, a server verifies the ID token from the cookies, Amplify\'s CookieStorage reads and writes the same cookies, a token over 4 KB is refused', async () => {
  const { build } = await import('esbuild');
  const { createPublicKey, createVerify } = await import('node:crypto');
  const big = { username: 'carol', password: 'Passw0rd!', attributes: { 'custom:notes': 'n'.repeat(4000) } };
  const s = await site({ users: [...USERS.users, big] });
  const port = new URL(s.origin).port;
  const origins = ['app', 'shop'].map((h) => `http://${h}.example.test:${port}`);
  // A server of the app (api.example.test) that signs its users in from the cookies alone.
  const api = http.createServer(async (req, res) => {
    const jar = Object.fromEntries((req.headers.cookie || '').split('; ').filter(Boolean).map((c) => c.split('=').map(decodeURIComponent)));
    const prefix = `CognitoIdentityServiceProvider.${s.pool.clientId}`;
    const user = jar[`${prefix}.LastAuthUser`];
    const jwt = user && jar[`${prefix}.${user}.idToken`];
    if (!jwt) return res.writeHead(401).end('{}');
    const [h, p, sig] = jwt.split('.');
    const { kid } = JSON.parse(Buffer.from(h, 'base64url'));
    const jwks = await fetch(`${s.base}/${s.pool.userPoolId}/.well-known/jwks.json`).then((r) => r.json());
    const key = createPublicKey({ key: jwks.keys.find((k) => k.kid === kid), format: 'jwk' });
    const valid = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(key, Buffer.from(sig, 'base64url'));
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ valid, username: claims['cognito:username'], aud: claims.aud }));
  });
  await new Promise((r) => api.listen(0, '127.0.0.1', r));
  const hosts = origins.map((o) => new URL(o).host).concat(`api.example.test:${api.address().port}`);
  const b = await launch(['--host-resolver-rules=MAP *.example.test 127.0.0.1', `--unsafely-treat-insecure-origin-as-secure=${origins.join(',')}`]);
  try {
    const context = await b.newContext();
    const [app, shop] = [await context.newPage(), await context.newPage()];
    await app.goto(`${origins[0]}/__test__/app`);
    await shop.goto(`${origins[1]}/__test__/app`);
    const config = { ...s.config(), storage: { cookie: { domain: 'example.test' } } };
    delete config.hostedUi;
    for (const p of [app, shop]) await sdk(p, config);
    assert.deepEqual((await call(app, signIn)).value, { signedIn: true });
    // The other sub-domain has the session, from the cookies.
    const there = await call(shop, (auth) => auth.getSession());
    assert.equal(there.value?.username, 'alice');
    const cookies = await context.cookies();
    const id = cookies.find((c) => decodeURIComponent(c.name).endsWith('.alice.idToken'));
    assert.deepEqual([id.domain, id.path, id.sameSite, id.secure], ['.example.test', '/', 'Lax', false]);
    // The server reads and verifies the ID token from the request's cookies.
    const me = await shop.goto(`http://${hosts[2]}/me`);
    assert.deepEqual(await me.json(), { valid: true, username: 'alice', aud: s.pool.clientId });
    await shop.goto(`${origins[1]}/__test__/app`);
    await sdk(shop, config);

    // Amplify's CookieStorage (js-cookie) reads the same values, and what it writes we read.
    const amplify = await build({ stdin: { contents: "export { CookieStorage } from '@aws-amplify/core';", resolveDir: process.cwd(), loader: 'js' }, bundle: true, write: false, format: 'iife', globalName: 'AmplifyCore', platform: 'browser', logLevel: 'error' });
    await shop.addScriptTag({ content: amplify.outputFiles[0].text });
    const idKey = `CognitoIdentityServiceProvider.${s.pool.clientId}.alice.idToken`;
    const theirs = await shop.evaluate((k) => new AmplifyCore.CookieStorage({ domain: 'example.test', secure: false }).getItem(k), idKey);
    assert.equal(theirs, there.value.idToken);
    const session = there.value;
    await call(shop, (auth) => auth.signOut({ redirect: false }));
    assert.deepEqual((await context.cookies()).filter((c) => /Token|LastAuthUser/.test(decodeURIComponent(c.name))), [], 'sign-out expires the cookies');
    await shop.evaluate(async ([cid, s]) => {
      const st = new AmplifyCore.CookieStorage({ domain: 'example.test', secure: false });
      const p = `CognitoIdentityServiceProvider.${cid}`;
      await st.setItem(`${p}.LastAuthUser`, 'alice');
      await st.setItem(`${p}.alice.idToken`, s.idToken);
      await st.setItem(`${p}.alice.accessToken`, s.accessToken);
    }, [s.pool.clientId, session]);
    const migrated = await call(app, (auth) => auth.getSession());
    assert.equal(migrated.value?.accessToken, session.accessToken, 'a session written by Amplify is read');

    // An ID token that does not fit in a cookie: StorageError, and no half session.
    await call(app, (auth) => auth.signOut({ redirect: false }));
    const r = await call(app, (auth) => auth.signIn({ username: 'carol', password: 'Passw0rd!' }));
    assert.equal(r.name, 'StorageError');
    assert.match(r.message, /4096/);
    assert.deepEqual((await context.cookies()).map((c) => decodeURIComponent(c.name)).filter((n) => n.includes('CognitoIdentityServiceProvider')), []);
  } finally {
    await b.close();
    await new Promise((r) => api.close(r));
  }
});
