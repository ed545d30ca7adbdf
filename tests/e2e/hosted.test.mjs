// Hosted UI in headless Chromium with real navigation through the emulator's pages: the PKCE
// round trip (Cognito page and a social provider), the state's nonce and return path, replays,
// tampering, expiry, OAuth errors, a second tab, and sign-out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, site, sdk, call } from './support.mjs';
import { emulator } from '../node/emulator.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const USERS = { users: [{ username: 'alice', password: 'Passw0rd!', attributes: { email: 'alice@example.com', email_verified: 'true', name: 'Alice' } }] };

async function start(poolConfig = USERS, opts = {}) {
  const s = await site(poolConfig, opts);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${s.origin}__test__/app`);
  const config = { ...s.config(), ...(opts.sdk || {}) };
  if (opts.hostedUi) config.hostedUi = { ...config.hostedUi, ...opts.hostedUi };
  await sdk(page, config);
  return { ...s, context, page, sdkConfig: config };
}

/** Goes to the authorize URL, signs in on the emulator's page, waits for the callback. */
async function hostedSignIn(page, url, username = 'alice', password = 'Passw0rd!') {
  await page.goto(url);
  await page.waitForURL(/\/login\?/);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(/__test__\/callback/), page.click('button[type=submit]')]);
  return page.url();
}

test('full round trip through the hosted sign-in page, with a return path', async () => {
  const { page, sdkConfig, server, context } = await start();
  const url = (await call(page, (auth) => auth.authorizeUrl({ returnTo: '/account/orders?id=7' }))).value;
  assert.match(url, /code_challenge_method=S256/);
  assert.match(url, /identity_provider=COGNITO/);
  const callbackUrl = await hostedSignIn(page, url);
  assert.match(callbackUrl, /[?&]code=/);
  await sdk(page, sdkConfig); // the callback page loads the SDK like any page
  const r = await call(page, (auth) => auth.handleRedirectCallback());
  assert.deepEqual(r, { ok: true, value: { signedIn: true, returnTo: '/account/orders?id=7' } });
  assert.doesNotMatch(page.url(), /code=|state=/, 'code and state are removed from the address bar');
  const user = await call(page, (auth) => auth.currentUser());
  assert.equal(user.value.username, 'alice');
  assert.equal(user.value.attributes.email, 'alice@example.com');
  // Hosted-UI tokens carry the default scopes, including the one the user API needs.
  const attrs = await call(page, (auth) => auth.getUserAttributes());
  assert.equal(attrs.value.name, 'Alice');
  // Replaying the same callback fails: the transaction was used.
  const replay = await call(page, (auth, u) => auth.handleRedirectCallback(u), callbackUrl);
  assert.equal(replay.name, 'InvalidStateError');
  assert.ok(replay.isError);
  await context.close();
  await server.close();
});

test('a second handleRedirectCallback while the first runs shares its result (React StrictMode)', async () => {
  const { page, sdkConfig, server, context } = await start();
  const url = (await call(page, (auth) => auth.authorizeUrl({ returnTo: '/account/orders' }))).value;
  const callbackUrl = await hostedSignIn(page, url);
  await sdk(page, sdkConfig);
  // As StrictMode's double effect does it: twice in a row, the second after the first has
  // cleaned the address bar; then once more with the callback URL given explicitly.
  const both = await call(page, (auth, u) => Promise.all([auth.handleRedirectCallback(), auth.handleRedirectCallback(), auth.handleRedirectCallback(u)]), callbackUrl);
  const expected = { signedIn: true, returnTo: '/account/orders' };
  assert.deepEqual(both, { ok: true, value: [expected, expected, expected] });
  const stats = await fetch(`${await emulator()}/_emulator/stats?poolId=${sdkConfig.userPoolId}`).then((r) => r.json());
  assert.equal(stats['oauth2/token:authorization_code'], 1, `one code exchange: ${JSON.stringify(stats)}`);
  assert.equal((await call(page, (auth) => auth.currentUser())).value.username, 'alice');
  // Once it is over, the used callback is refused as before, and the session stays.
  const replay = await call(page, (auth, u) => auth.handleRedirectCallback(u), callbackUrl);
  assert.equal(replay.name, 'InvalidStateError');
  assert.equal((await call(page, (auth) => auth.currentUser())).value.username, 'alice');
  await context.close();
  await server.close();
});

test('a social provider through its consent page', async () => {
  const { page, sdkConfig, server, context } = await start();
  const url = (await call(page, (auth) => auth.authorizeUrl({ provider: 'Google', returnTo: '/' }))).value;
  await page.goto(url);
  await page.waitForURL(/_emulator\/idp\/Google/);
  await page.fill('#email', 'gina@example.com');
  await page.fill('#sub', 'g-777');
  await Promise.all([page.waitForURL(/__test__\/callback/), page.click('button[type=submit][value=submit]')]);
  await sdk(page, sdkConfig);
  const r = await call(page, (auth) => auth.handleRedirectCallback());
  assert.equal(r.ok, true, JSON.stringify(r));
  const user = await call(page, (auth) => auth.currentUser());
  assert.equal(user.value.username, 'Google_g-777');
  assert.equal(user.value.attributes.email, 'gina@example.com');
  // Cancelling at the provider comes back as a named OAuth error.
  const url2 = (await call(page, (auth) => auth.authorizeUrl({ provider: 'Google' }))).value;
  await page.goto(url2);
  await Promise.all([page.waitForURL(/__test__\/callback/), page.click('#cancel')]);
  await sdk(page, sdkConfig);
  const e = await call(page, (auth) => auth.handleRedirectCallback());
  assert.equal(e.name, 'OAuthError');
  assert.equal(e.code, 'access_denied');
  await context.close();
  await server.close();
});

test('missing, altered, foreign, expired and replayed state are refused', async () => {
  const { page, origin, sdkConfig, server, context, pool } = await start();
  const cb = `${origin}__test__/callback`;
  const expectState = async (url, why) => {
    const r = await call(page, (auth, u) => auth.handleRedirectCallback(u), url);
    assert.equal(r.name, 'InvalidStateError', `${why}: ${JSON.stringify(r)}`);
  };
  await expectState(`${cb}?code=abc`, 'missing');
  await expectState(`${cb}?code=abc&state=garbage!!`, 'garbage');
  // Foreign: a well-formed state this browser never issued.
  const foreign = Buffer.from(JSON.stringify({ n: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', r: '/' })).toString('base64url');
  await expectState(`${cb}?code=abc&state=${foreign}`, 'foreign');
  // Altered: a real state whose return path was changed.
  const url = (await call(page, (auth) => auth.authorizeUrl({ returnTo: '/account/a' }))).value;
  const state = new URL(url).searchParams.get('state');
  const decoded = JSON.parse(Buffer.from(state, 'base64url').toString());
  const altered = Buffer.from(JSON.stringify({ ...decoded, r: '/account/b' })).toString('base64url');
  await expectState(`${cb}?code=abc&state=${altered}`, 'altered');
  await expectState(`${cb}?code=abc&state=${state}`, 'used by the altered attempt');
  // Expired: the stored transaction is past its 10 minutes.
  const url2 = (await call(page, (auth) => auth.authorizeUrl({}))).value;
  const state2 = new URL(url2).searchParams.get('state');
  const nonce2 = JSON.parse(Buffer.from(state2, 'base64url').toString()).n;
  await page.evaluate(([k]) => {
    const t = JSON.parse(localStorage.getItem(k));
    t.expiresAt = Date.now() - 1;
    localStorage.setItem(k, JSON.stringify(t));
  }, [`CognitoIdentityServiceProvider.${pool.clientId}.oauth.${nonce2}`]);
  await expectState(`${cb}?code=abc&state=${state2}`, 'expired');
  await context.close();
  await server.close();
});

test('open redirects are refused, asked for or smuggled', async () => {
  const { page, origin, server, context, pool } = await start();
  const bad = [
    'https://evil.example/',
    '//evil.example/account/x',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    '%2F%2Fevil.example',
    '%252F%252Fevil.example',
    '/%5Cevil.example',
    'java%0ascript:alert(1)',
    '/not-allowed',
    `${origin.replace('127.0.0.1', 'localhost')}account/x`,
  ];
  for (const returnTo of bad) {
    const r = await call(page, (auth, rt) => auth.authorizeUrl({ returnTo: rt }), returnTo);
    assert.equal(r.name, 'InvalidReturnPathError', `${returnTo}: ${JSON.stringify(r)}`);
  }
  const same = await call(page, (auth, rt) => auth.authorizeUrl({ returnTo: rt }), `${origin}account/ok`);
  assert.equal(same.ok, true, 'a same-origin URL reduces to its path');
  // Smuggled: both the state and the stored transaction say //evil (as if storage was
  // tampered with); the callback still checks the allow-list.
  const url = (await call(page, (auth) => auth.authorizeUrl({ returnTo: '/account/x' }))).value;
  const state = new URL(url).searchParams.get('state');
  const { n } = JSON.parse(Buffer.from(state, 'base64url').toString());
  await page.evaluate(([k]) => {
    const t = JSON.parse(localStorage.getItem(k));
    t.returnTo = '//evil.example';
    localStorage.setItem(k, JSON.stringify(t));
  }, [`CognitoIdentityServiceProvider.${pool.clientId}.oauth.${n}`]);
  const evil = Buffer.from(JSON.stringify({ n, r: '//evil.example' })).toString('base64url');
  const r = await call(page, (auth, u) => auth.handleRedirectCallback(u), `${origin}__test__/callback?code=x&state=${evil}`);
  assert.equal(r.name, 'InvalidReturnPathError');
  await context.close();
  await server.close();
});

test('an OAuth error redirect becomes a named error; the emulator refuses a code without its verifier', async () => {
  const { page, sdkConfig, server, context, base, origin } = await start();
  // prompt=none without a hosted session: error=login_required comes back to the app.
  const url = (await call(page, (auth) => auth.authorizeUrl({ prompt: 'none' }))).value;
  await page.goto(url);
  await page.waitForURL(/__test__\/callback\?error=login_required/);
  await sdk(page, sdkConfig);
  const e = await call(page, (auth) => auth.handleRedirectCallback());
  assert.equal(e.name, 'OAuthError');
  assert.equal(e.code, 'login_required');
  // A code exchanged without the PKCE verifier, from the browser: invalid_grant.
  const url2 = (await call(page, (auth) => auth.authorizeUrl({}))).value;
  const cb = await hostedSignIn(page, url2);
  const code = new URL(cb).searchParams.get('code');
  const status = await page.evaluate(
    async ([b, code, clientId, redirect]) => {
      const r = await fetch(`${b}/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: clientId, redirect_uri: redirect }),
      });
      return [r.status, (await r.json()).error];
    },
    [base, code, sdkConfig.clientId, `${origin}__test__/callback`],
  );
  assert.deepEqual(status, [400, 'invalid_grant']);
  await context.close();
  await server.close();
});

test('the callback can be handled in a second tab of the same browser', async () => {
  const { page, context, sdkConfig, server } = await start();
  const url = (await call(page, (auth) => auth.authorizeUrl({ returnTo: '/account/tab' }))).value;
  const callbackUrl = await hostedSignIn(page, url);
  const second = await context.newPage();
  await second.goto(callbackUrl);
  await sdk(second, sdkConfig);
  const r = await call(second, (auth) => auth.handleRedirectCallback());
  assert.deepEqual(r.value, { signedIn: true, returnTo: '/account/tab' });
  await context.close();
  await server.close();
});

test('hosted sign-out revokes, clears and goes through /logout; redirect:false only clears', async () => {
  const { page, sdkConfig, server, context, base } = await start();
  await hostedSignIn(page, (await call(page, (auth) => auth.authorizeUrl({}))).value);
  await sdk(page, sdkConfig);
  await call(page, (auth) => auth.handleRedirectCallback());
  const refresh = await page.evaluate(([c]) => localStorage.getItem(`CognitoIdentityServiceProvider.${c}.alice.refreshToken`), [sdkConfig.clientId]);
  assert.ok(refresh);
  // A refresh at /oauth2/token keeps the hosted scopes.
  const s = await call(page, (auth) => auth.getSession({ forceRefresh: true }));
  assert.equal(s.ok, true, JSON.stringify(s));
  await Promise.all([page.waitForURL(/__test__\/signed-out/), call(page, (auth) => auth.signOut())]);
  const stillSignedIn = await page.evaluate(([c]) => localStorage.getItem(`CognitoIdentityServiceProvider.${c}.LastAuthUser`), [sdkConfig.clientId]);
  assert.equal(stillSignedIn, null);
  const after = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, client_id: sdkConfig.clientId }),
  }).then((r) => r.json());
  assert.equal(after.error, 'invalid_grant', 'the refresh token was revoked');
  // The hosted session cookie is gone too: authorize asks for the password again.
  await sdk(page, sdkConfig);
  await page.goto((await call(page, (auth) => auth.authorizeUrl({}))).value);
  await page.waitForURL(/\/login\?/);
  // redirect:false
  await page.fill('#username', 'alice');
  await page.fill('#password', 'Passw0rd!');
  await Promise.all([page.waitForURL(/__test__\/callback/), page.click('button[type=submit]')]);
  await sdk(page, sdkConfig);
  await call(page, (auth) => auth.handleRedirectCallback());
  const r = await call(page, (auth) => auth.signOut({ redirect: false }));
  assert.deepEqual(r.value, {});
  assert.match(page.url(), /__test__\/callback/);
  assert.equal((await call(page, (auth) => auth.currentUser())).value, null);
  await context.close();
  await server.close();
});

test('without aws.cognito.signin.user.admin the error says so', async () => {
  const { page, sdkConfig, server, context } = await start(USERS, { hostedUi: { scopes: ['openid', 'email', 'profile'] } });
  await hostedSignIn(page, (await call(page, (auth) => auth.authorizeUrl({}))).value);
  await sdk(page, sdkConfig);
  assert.equal((await call(page, (auth) => auth.handleRedirectCallback())).ok, true);
  const e = await call(page, (auth) => auth.getUserAttributes());
  assert.equal(e.name, 'NotAuthorizedException');
  assert.match(e.message, /aws\.cognito\.signin\.user\.admin/);
  const g = await call(page, (auth) => auth.signOut({ global: true }));
  assert.equal(g.name, 'NotAuthorizedException');
  assert.match(g.message, /aws\.cognito\.signin\.user\.admin/);
  await context.close();
  await server.close();
});
