// Several accounts in one browser (issue #26), in Chromium against the emulator: two accounts
// across two tabs (a sign-in, a switch and a sign-out in one tab are what the other sees), a
// switch while a refresh is in flight (the refresh finishes for its account and the switch
// stands), cookie storage with two accounts, and the peers reading the same storage:
// amazon-cognito-identity-js's getCurrentUser and Amplify's fetchAuthSession see the current
// account's tokens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { launch, site, sdk, call } from './support.mjs';
import { fault } from '../node/emulator.mjs';

const USERS = { users: ['alice', 'bob', 'carol'].map((u) => ({ username: u, password: 'Passw0rd!', attributes: { email: `${u}@example.com` } })) };
const signIn = (auth, [username, addAccount]) => auth.signIn({ username, password: 'Passw0rd!', addAccount });
const current = (auth) => auth.getSession().then((s) => s && s.username);
const listed = (auth) => auth.listAccounts().then((l) => l.map((a) => `${a.username}${a.current ? '*' : ''}`));

let browser;
before(async () => (browser = await launch()));
after(() => browser.close());

/** A page of the site with the SDK and an event log (`window.events`). */
async function tab(context, s, config = s.config()) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${s.origin}__test__/app`);
  await sdk(page, config);
  await page.evaluate(() => {
    window.events = [];
    window.auth.onAuthEvent((e) => window.events.push(`${e.type}:${e.username}${e.fromOtherTab ? ':other' : ''}`));
  });
  return page;
}

const events = (page) => page.evaluate(() => window.events.splice(0));

async function waitFor(page, fn, what) {
  await page.waitForFunction(fn, undefined, { timeout: 10_000 }).catch(() => assert.fail(`timed out waiting for ${what}`));
}

test('two accounts across two tabs: add, switch and sign out one; every tab follows', async () => {
  const s = await site(USERS);
  const context = await browser.newContext();
  const [one, two] = [await tab(context, s), await tab(context, s)];
  assert.deepEqual((await call(one, signIn, ['alice'])).value, { signedIn: true });
  const refused = await call(two, signIn, ['bob']);
  assert.equal(refused.name, 'InvalidStateError');
  assert.deepEqual((await call(two, signIn, ['bob', true])).value, { signedIn: true });
  await waitFor(one, () => window.events.includes('signedIn:bob:other'), "tab one hearing bob's sign-in");
  assert.equal((await call(one, current)).value, 'bob');
  assert.deepEqual((await call(one, listed)).value, ['alice', 'bob*']);

  // A switch in tab one is what tab two sees, at once (the tokens come with the message).
  const alice = (await call(one, (a) => a.listAccounts())).value.find((x) => x.username === 'alice');
  assert.equal(alice.email, 'alice@example.com');
  assert.equal((await call(one, (a, sub) => a.switchAccount(sub), alice.sub)).value.username, 'alice');
  await waitFor(two, () => window.events.includes('accountSwitched:alice:other'), 'tab two hearing the switch');
  assert.equal((await call(two, current)).value, 'alice');
  assert.deepEqual((await call(two, (a) => a.getUserAttributes().then((x) => x.email))).value, 'alice@example.com');

  // Sign-out in tab two ends alice only; bob (the most recent other) is current everywhere.
  await events(one);
  await call(two, (a) => a.signOut());
  await waitFor(one, () => window.events.includes('signedOut:alice:other'), 'tab one hearing alice sign out');
  // The switch comes first: at "signedOut" the current account is already bob.
  assert.deepEqual(await events(one), ['accountSwitched:bob:other', 'signedOut:alice:other']);
  assert.equal((await call(one, current)).value, 'bob');
  assert.deepEqual((await call(one, listed)).value, ['bob*']);
  // The limit: maxAccounts 5 by default; here a tab with 2.
  const small = await tab(context, s, { ...s.config(), maxAccounts: 2 });
  assert.deepEqual((await call(small, signIn, ['alice', true])).value, { signedIn: true });
  const over = await call(small, signIn, ['carol', true]);
  assert.deepEqual([over.name, over.retryable], ['AccountLimitError', false]);
  assert.deepEqual((await call(one, listed)).value, ['bob', 'alice*']);
  await context.close();
  await s.server.close();
});

test('a switch while a refresh is in flight: the refresh finishes for its account, the switch stands', async () => {
  const s = await site(USERS);
  const context = await browser.newContext();
  const page = await tab(context, s);
  await call(page, signIn, ['alice']);
  await call(page, signIn, ['bob', true]);
  await call(page, (a) => a.switchAccount('alice'));
  const prefix = `CognitoIdentityServiceProvider.${s.pool.clientId}`;
  // Alice's tokens look an hour old; her refresh answer will take 1.5 s to arrive.
  await page.evaluate((p) => localStorage.setItem(`${p}.alice.clockDrift`, '-3590'), prefix);
  await fault(s.pool.userPoolId, { target: 'InitiateAuth', delayMs: 1500, count: 1 });
  const old = await page.evaluate((p) => localStorage.getItem(`${p}.alice.accessToken`), prefix);
  const result = await page.evaluate(async () => {
    const refreshing = window.auth.getSession({ forceRefresh: true });
    await new Promise((r) => setTimeout(r, 200));
    const switched = await window.auth.switchAccount('bob');
    const during = (await window.auth.getSession()).username;
    const done = await refreshing;
    return { switched: switched.username, during, refreshed: done.username, token: done.accessToken, after: (await window.auth.getSession()).username };
  });
  assert.deepEqual([result.switched, result.during, result.refreshed, result.after], ['bob', 'bob', 'alice', 'bob']);
  assert.notEqual(result.token, old, "alice's refresh went through");
  const stored = await page.evaluate((p) => [localStorage.getItem(`${p}.alice.accessToken`), localStorage.getItem(`${p}.LastAuthUser`)], prefix);
  assert.deepEqual(stored, [result.token, 'bob'], "alice's new tokens under her name; bob still current");
  await context.close();
  await s.server.close();
});

test('cookie storage with two accounts; identity-js and Amplify read the current account', async () => {
  const s = await site(USERS);
  const port = new URL(s.origin).port;
  const origin = `http://app.example.test:${port}`;
  const b = await launch(['--host-resolver-rules=MAP *.example.test 127.0.0.1', `--unsafely-treat-insecure-origin-as-secure=${origin}`]);
  try {
    const context = await b.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/__test__/app`);
    const config = { ...s.config(), storage: { cookie: { domain: 'example.test' } } };
    delete config.hostedUi;
    await sdk(page, config);
    await call(page, signIn, ['alice']);
    await call(page, signIn, ['bob', true]);
    const names = async () => (await context.cookies()).map((c) => decodeURIComponent(c.name)).filter((n) => n.includes('CognitoIdentityServiceProvider'));
    const jar = await names();
    for (const u of ['alice', 'bob']) for (const k of ['idToken', 'accessToken', 'refreshToken']) assert.ok(jar.some((n) => n.endsWith(`.${u}.${k}`)), `${u}.${k}: ${jar}`);
    assert.ok(jar.some((n) => n.endsWith('.accounts')) && jar.some((n) => n.endsWith('.LastAuthUser')));
    assert.ok((await context.cookies()).every((c) => c.name.length + c.value.length <= 4096));

    // The peers, from the same cookies: Amplify's CookieStorage; identity-js over a cookie
    // store (its CookieStorage takes the same values).
    const bundle = await build({
      stdin: {
        contents: "export { CookieStorage } from '@aws-amplify/core'; export { CognitoUserPool, CookieStorage as IdjsCookieStorage } from 'amazon-cognito-identity-js';",
        resolveDir: process.cwd(),
        loader: 'js',
      },
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'Peers',
      platform: 'browser',
      define: { global: 'globalThis' },
      logLevel: 'error',
    });
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const peers = () =>
      page.evaluate(async ([pool, client]) => {
        const p = `CognitoIdentityServiceProvider.${client}`;
        const amplify = new window.Peers.CookieStorage({ domain: 'example.test', secure: false });
        const user = await amplify.getItem(`${p}.LastAuthUser`);
        const amplifyId = await amplify.getItem(`${p}.${user}.idToken`);
        const idjs = new window.Peers.CognitoUserPool({ UserPoolId: pool, ClientId: client, Storage: new window.Peers.IdjsCookieStorage({ domain: 'example.test', secure: false }) });
        const session = await new Promise((ok, fail) => idjs.getCurrentUser().getSession((e, s) => (e ? fail(e) : ok(s))));
        return { user, amplifyId, idjsUser: idjs.getCurrentUser().getUsername(), idjsId: session.getIdToken().getJwtToken() };
      }, [s.pool.userPoolId, s.pool.clientId]);
    const ours = async () => (await call(page, (a) => a.getSession())).value;
    let p = await peers();
    let mine = await ours();
    assert.deepEqual([p.user, p.idjsUser, p.amplifyId, p.idjsId], ['bob', 'bob', mine.idToken, mine.idToken]);
    await call(page, (a) => a.switchAccount('alice'));
    p = await peers();
    mine = await ours();
    assert.deepEqual([p.user, p.idjsUser, p.amplifyId, p.idjsId], ['alice', 'alice', mine.idToken, mine.idToken]);
    // Signing alice out expires her cookies; bob's stay, and he is current.
    await call(page, (a) => a.signOut({ redirect: false }));
    const left = await names();
    assert.ok(!left.some((n) => n.includes('.alice.') && n.endsWith('Token')), `${left}`);
    assert.ok(left.some((n) => n.endsWith('.bob.accessToken')));
    assert.equal((await peers()).user, 'bob');
  } finally {
    await b.close();
    await s.server.close();
  }
});
