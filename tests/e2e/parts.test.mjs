// The package in parts, in Chromium: a returning user's page fetches the main module only, a
// sign-in page the sign-in part too (each file once, its preload hints used), a part that
// cannot be fetched is a retryable NetworkError that the next call recovers from, and a part
// whose bytes differ from its SRI hash is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, site, sdk, call, strictPage } from './support.mjs';

const PAGE = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>page</title><body>page</body>';
const PARTS = JSON.parse(readFileSync(new URL('../../pkg/parts.json', import.meta.url), 'utf8'));
const USERS = { users: [{ username: 'ann', password: 'Passw0rd!', attributes: { email: 'ann@example.com' } }] };
let browser;
before(async () => (browser = await launch()));
after(() => browser.close());

/** The /pkg/ files a page fetched, in order. */
function pkgRequests(page, origin) {
  const seen = [];
  page.on('request', (r) => r.url().startsWith(`${origin}pkg/`) && seen.push(r.url().slice(`${origin}pkg/`.length)));
  return seen;
}

/** The page's <link rel="preconnect"> elements. */
const preconnects = (page) =>
  page.evaluate(() => [...document.querySelectorAll('link[rel=preconnect]')].map((l) => ({ href: l.href, crossOrigin: l.crossOrigin })));

test("a returning user's page fetches the main module only; the first sign-in fetches its part", async () => {
  const s = await site(USERS, { files: { '/__test__/page.html': PAGE } });
  const ctx = await browser.newContext();
  const page = await strictPage(ctx);
  const seen = pkgRequests(page, s.origin);
  await page.goto(`${s.origin}__test__/page.html`);
  await sdk(page, s.config());
  assert.equal((await call(page, (a) => a.signIn({ username: 'ann', password: 'Passw0rd!' }))).value.signedIn, true);
  assert.deepEqual(seen.sort(), [...PARTS.main, ...PARTS.parts.signIn].sort(), 'sign-in: the main module and the sign-in part');
  // A returning user's page (a new page, the tokens in storage): the main module, nothing else.
  const again = await strictPage(ctx);
  const seen2 = pkgRequests(again, s.origin);
  await again.goto(`${s.origin}__test__/page.html`);
  await sdk(again, s.config());
  const session = await call(again, (a) => a.getSession());
  assert.equal(session.value.username, 'ann');
  assert.deepEqual(seen2.sort(), [...PARTS.main].sort());
  assert.deepEqual(await preconnects(again), [], 'a returning user opens no connection ahead');
  page.check();
  again.check();
  await ctx.close();
  await s.server.close();
});

test('a login page with the preload hints fetches each file once, and preload readies the sign-in part', async () => {
  const hints = [...PARTS.main, ...PARTS.parts.signIn]
    .map((f) => (f.endsWith('.js') ? `<link rel="modulepreload" href="/pkg/${f}">` : `<link rel="preload" as="fetch" type="application/wasm" crossorigin href="/pkg/${f}">`))
    .join('');
  const s = await site(USERS, { files: { '/__test__/login.html': `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>login</title>${hints}<body>login</body>` } });
  const ctx = await browser.newContext();
  const page = await strictPage(ctx);
  const seen = pkgRequests(page, s.origin);
  await page.goto(`${s.origin}__test__/login.html`);
  await sdk(page, s.config());
  assert.equal((await call(page, (a) => a.preload('signIn'))).ok, true);
  // A sign-in is coming: the connection to the user-pool endpoint opens now, once.
  const endpoint = new URL(s.config().endpoint).origin;
  assert.deepEqual(await preconnects(page), [{ href: `${endpoint}/`, crossOrigin: 'anonymous' }]);
  assert.equal((await call(page, (a) => a.preload('signIn'))).ok, true);
  assert.equal((await preconnects(page)).length, 1);
  const r = await call(page, (a) => a.signIn({ username: 'ann', password: 'Passw0rd!' }));
  assert.equal(r.value.signedIn, true);
  // Every file once: the hints' fetches were the ones the page used.
  assert.deepEqual(seen.slice().sort(), [...PARTS.main, ...PARTS.parts.signIn].sort());
  const bad = await call(page, (a) => a.preload('everything'));
  assert.equal(bad.name, 'ConfigError');
  page.check();
  await ctx.close();
  await s.server.close();
});

test('a part that cannot be fetched is a retryable NetworkError; the next call fetches it again', async () => {
  const s = await site(USERS, { files: { '/__test__/page.html': PAGE } });
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${s.origin}__test__/page.html`);
  await sdk(page, s.config());
  assert.equal((await call(page, (a) => a.signIn({ username: 'ann', password: 'Passw0rd!' }))).value.signedIn, true);
  const account = PARTS.parts.account[0];
  await page.route(`**/pkg/${account}`, (route) => route.abort('connectionreset'));
  const e = await call(page, (a) => a.getUserAttributes());
  assert.equal(e.ok, false);
  assert.equal(e.name, 'NetworkError');
  assert.equal(e.retryable, true);
  assert.match(e.message, /cannot load the account part/);
  await page.unroute(`**/pkg/${account}`);
  const attrs = await call(page, (a) => a.getUserAttributes());
  assert.equal(attrs.value.email, 'ann@example.com');
  // The session went on meanwhile.
  assert.equal((await call(page, (a) => a.getSession())).value.username, 'ann');
  await ctx.close();
  await s.server.close();
});

test('a part whose bytes are not those of its SRI hash is refused, and nothing is signed in', async () => {
  const signIn = PARTS.parts.signIn[0];
  const bytes = readFileSync(new URL(`../../pkg/${signIn}`, import.meta.url));
  const tampered = Buffer.from(bytes);
  tampered[tampered.length - 1] ^= 1;
  const s = await site(USERS, { files: { [`/pkg/${signIn}`]: tampered, '/__test__/page.html': PAGE } });
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${s.origin}__test__/page.html`);
  await sdk(page, s.config());
  const e = await call(page, (a) => a.signIn({ username: 'ann', password: 'Passw0rd!' }));
  assert.equal(e.name, 'NetworkError');
  assert.match(e.message, /cannot load the signIn part/);
  assert.equal((await call(page, (a) => a.getSession())).value, null);
  await ctx.close();
  await s.server.close();
});

test("the aws part's JS module is verified too: a tampered one is refused, the real one loads", async () => {
  const file = 'cognito_wasm_aws.js';
  const text = readFileSync(new URL(`../../pkg/${file}`, import.meta.url), 'utf8');
  const presign = (a) => a.presignUrl('https://bucket.s3.us-east-1.amazonaws.com/k', { service: 's3', region: 'us-east-1' });
  for (const [body, expect] of [
    [text.replace('e3b0c442', 'e3b0c443'), (e) => e.name === 'NetworkError' && /cannot load the aws part.*integrity/.test(e.message) && e.retryable],
    // Untouched, it loads; without an identity pool the call is then a ConfigError.
    [text, (e) => e.name === 'ConfigError' && /identityPoolId/.test(e.message)],
  ]) {
    const s = await site(USERS, { files: { [`/pkg/${file}`]: body, '/__test__/page.html': PAGE } });
    const ctx = await browser.newContext();
    const page = await strictPage(ctx);
    await page.goto(`${s.origin}__test__/page.html`);
    await sdk(page, s.config());
    const e = await call(page, presign);
    assert.ok(expect(e), JSON.stringify(e));
    if (body === text) page.check(); // no CSP violation, no console error
    await ctx.close();
    await s.server.close();
  }
});
