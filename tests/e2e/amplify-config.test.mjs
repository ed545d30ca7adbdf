// CognitoAuth.fromAmplifyConfig on real-shaped Amplify files (tests/fixtures/amplify: a Gen 2
// amplify_outputs.json and a Gen 1 aws-exports.js as the Amplify CLI writes them, with the test
// pool's ids and this server's port put in), and Amplify v6's Amplify.configure object, in
// Chromium: the options it makes sign in against the emulator and build the hosted-UI URL from
// the file's domain, redirect (the one on this page's origin) and scopes; fields it cannot carry
// over are ConfigErrors that name them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, site, sdk, call } from './support.mjs';

const FIX = new URL('../fixtures/amplify/', import.meta.url);
let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const USER = { username: 'amp', password: 'Passw0rd!', attributes: { email: 'amp@example.com', email_verified: 'true' } };

async function start() {
  const s = await site({ users: [USER] });
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${s.origin}__test__/page`);
  await sdk(page, s.config());
  const fill = (text) => text.replaceAll('PORT', String(s.server.port)).replaceAll('us-east-1_Emulator1', s.pool.userPoolId).replaceAll('3n4b5urk1ft4fl3mg5e62d9ado', s.pool.clientId);
  const gen2 = JSON.parse(fill(readFileSync(new URL('amplify_outputs.json', FIX), 'utf8')));
  const gen1src = fill(readFileSync(new URL('aws-exports.js', FIX), 'utf8'));
  const gen1 = (await import(`data:text/javascript;base64,${Buffer.from(gen1src).toString('base64')}`)).default;
  return { s, page, gen2, gen1 };
}

/** fromAmplifyConfig in the page, then a sign-in and the authorize URL. */
const useIt = async (page, config, endpoint) =>
  call(page, async (_, [config, endpoint]) => {
    const a = window.sdk.CognitoAuth.fromAmplifyConfig(config, { endpoint, storage: 'memory' });
    const url = new URL(await a.authorizeUrl());
    const r = await a.signIn({ username: 'amp', password: 'Passw0rd!' });
    return { signedIn: r.signedIn, user: a.currentUser().username, origin: url.origin, path: url.pathname, redirect: url.searchParams.get('redirect_uri'), scope: url.searchParams.get('scope'), client: url.searchParams.get('client_id') };
  }, [config, endpoint]);

test('Gen 2 amplify_outputs.json, Gen 1 aws-exports.js and Amplify.configure options', async () => {
  const { s, page, gen2, gen1 } = await start();
  const endpoint = s.config().endpoint;
  for (const config of [gen2, gen1]) {
    const r = await useIt(page, config, endpoint);
    assert.equal(r.ok, true, JSON.stringify(r));
    const v = r.value;
    assert.equal(v.signedIn, true);
    assert.equal(v.user, 'amp');
    assert.match(v.origin, /^https:\/\/example-(demo|dev)\.auth\.us-east-1\.amazoncognito\.com$/);
    assert.equal(v.path, '/oauth2/authorize');
    assert.equal(v.redirect, `${s.origin}__test__/callback`, 'the redirect on this origin, not the first listed');
    assert.equal(v.scope, 'phone email openid profile aws.cognito.signin.user.admin');
    assert.equal(v.client, s.pool.clientId);
  }
  const v6 = {
    Auth: {
      Cognito: {
        userPoolId: s.pool.userPoolId,
        userPoolClientId: s.pool.clientId,
        loginWith: { oauth: { domain: 'login.example.com', scopes: ['openid', 'email'], redirectSignIn: [`${s.origin}__test__/callback`], redirectSignOut: [s.origin], responseType: 'code' }, email: true },
      },
    },
  };
  const r = await useIt(page, v6, endpoint);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.deepEqual([r.value.origin, r.value.scope, r.value.signedIn], ['https://login.example.com', 'openid email', true]);
  await s.server.close();
});

test('fields it cannot carry over are ConfigErrors naming them', async () => {
  const { s, page, gen2, gen1 } = await start();
  const bad = [
    [{ ...gen2, auth: { ...gen2.auth, oauth: { ...gen2.auth.oauth, response_type: 'token' } } }, /auth\.oauth\.response_type "token" is not supported/],
    [{ ...gen2, auth: { ...gen2.auth, user_pool_client_id: undefined } }, /auth\.user_pool_client_id is missing/],
    [{ ...gen2, auth: { ...gen2.auth, cookie_storage: {} } }, /auth\.cookie_storage has no cognito-wasm equivalent/],
    [{ ...gen2, auth: { ...gen2.auth, oauth: { ...gen2.auth.oauth, redirect_sign_in_uri: ['myapp://'] } } }, /auth\.oauth\.redirect_sign_in_uri has no http\(s\) URL/],
    [{ ...gen1, aws_user_pools_endpoint: 'https://proxy.example.com' }, /aws_user_pools_endpoint has no cognito-wasm equivalent/],
    [{ ...gen1, oauth: { ...gen1.oauth, responseType: 'token' } }, /oauth\.responseType "token" is not supported/],
    [{ ...gen1, oauth: { ...gen1.oauth, redirectSignIn: 'myapp://' } }, /oauth\.redirectSignIn has no http\(s\) URL/],
    [{ Auth: { Cognito: { userPoolId: s.pool.userPoolId } } }, /Auth\.Cognito\.userPoolClientId is missing/],
    [{ storage: {} }, /config has no user pool id/],
    [null, /config has no user pool id/],
  ];
  for (const [config, re] of bad) {
    const r = await call(page, (_, c) => {
      window.sdk.CognitoAuth.fromAmplifyConfig(c);
    }, config);
    assert.equal(r.ok, false, `${JSON.stringify(config)?.slice(0, 80)} should fail`);
    assert.equal(r.name, 'ConfigError');
    assert.equal(r.isError, true);
    assert.match(r.message, re);
  }
  // The SDK's own checks still apply to what it maps (a malformed pool id).
  const r = await call(page, (_, c) => window.sdk.CognitoAuth.fromAmplifyConfig(c) && null, { ...gen2, auth: { ...gen2.auth, user_pool_id: 'nope' } });
  assert.equal(r.name, 'ConfigError');
  await s.server.close();
});
