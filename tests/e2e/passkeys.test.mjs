// Passkeys and passwordless sign-in in headless Chromium with real WebAuthn: a CDP virtual
// authenticator (ctap2, internal, resident keys, user verification) against the emulator's
// relying party, on http://localhost (Chromium refuses an IP address as RP ID). Register, list,
// sign in with WEB_AUTHN in one call, delete; SELECT_CHALLENGE with an e-mail code; passwordless
// sign-up → confirm → autoSignIn; a ceremony without an authenticator. Cross-checked with
// relying-party and browser code nobody here wrote: @simplewebauthn/server verifies what the
// SDK sent, and @simplewebauthn/browser registers and signs in against the emulator's API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { verifyRegistrationResponse, verifyAuthenticationResponse } from '@simplewebauthn/server';
import { launch, site, sdk, call, totp } from './support.mjs';
import { lastCode } from '../node/emulator.mjs';

let browser;
let simpleBrowser;
before(async () => {
  browser = await launch();
  const out = await build({
    stdin: { contents: "export { startRegistration, startAuthentication } from '@simplewebauthn/browser';", resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'SimpleWebAuthnBrowser',
    platform: 'browser',
    logLevel: 'error',
  });
  simpleBrowser = out.outputFiles[0].text;
});
after(async () => {
  await browser?.close();
});

const USER = { username: 'pk', password: 'Passw0rd!', attributes: { email: 'pk@example.com', email_verified: 'true', name: 'Pat Key' } };

/** A pool with passkeys and e-mail codes, a page on http://localhost:<port> with the SDK, and a
 * virtual authenticator. */
async function start({ timeoutMs = 60_000, authenticator = true, pool: extra = {}, webAuthn = {}, users = [USER] } = {}) {
  const s = await site({});
  const origin = `http://localhost:${new URL(s.origin).port}`;
  const { createPool } = await import('../node/emulator.mjs');
  const pool = await createPool({
    signInPolicy: { allowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'WEB_AUTHN'] },
    webAuthn: { relyingPartyId: 'localhost', allowedOrigins: [origin], timeoutMs, ...webAuthn },
    users,
    ...extra,
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${origin}/__test__/app`);
  const config = { userPoolId: pool.userPoolId, clientId: pool.clientId, endpoint: `${s.base}/` };
  await sdk(page, config);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  let authenticatorId;
  if (authenticator) {
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    }));
  }
  // Every cognito-idp request the page sends, in order, with its answer (`settled()` waits for
  // the answers).
  const traffic = [];
  page.on('request', (req) => {
    const target = req.headers()['x-amz-target'];
    if (!target) return;
    const entry = { op: target.split('.').pop(), request: JSON.parse(req.postData() || '{}') };
    entry.ready = req
      .response()
      .then((r) => r && r.json())
      .then((a) => (entry.answer = a))
      .catch(() => {});
    traffic.push(entry);
  });
  const settled = () => Promise.all(traffic.map((t) => t.ready));
  return { ...s, origin, pool, page, context, cdp, authenticatorId, config, traffic, settled };
}

const signIn = (auth, arg) => auth.signIn(arg);

test('register a passkey, list it, sign in with it in one call, delete it; @simplewebauthn/server verifies what the SDK sent', async () => {
  const { page, cdp, authenticatorId, traffic, settled, origin } = await start();
  assert.equal((await call(page, (auth) => auth.isPasskeySupported())).value, true);
  assert.deepEqual((await call(page, signIn, { username: 'pk', password: 'Passw0rd!' })).value, { signedIn: true });
  const reg = await call(page, (auth) => auth.registerPasskey());
  assert.ok(reg.ok, reg.message);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(Buffer.from(credentials[0].credentialId, 'base64').toString('base64url'), reg.value.credentialId);
  assert.equal(credentials[0].isResidentCredential, true);
  const list = (await call(page, (auth) => auth.listPasskeys())).value;
  assert.equal(list.length, 1);
  assert.equal(list[0].credentialId, reg.value.credentialId);
  assert.equal(list[0].relyingPartyId, 'localhost');
  assert.ok(list[0].transports.includes('internal'));
  const factors = (await call(page, (auth) => auth.fetchAuthFactors())).value;
  assert.deepEqual(factors.configured, ['PASSWORD', 'WEB_AUTHN', 'EMAIL_OTP']);

  // The relying party nobody here wrote accepts the RegistrationResponseJSON the SDK sent.
  await settled();
  const start_ = traffic.find((t) => t.op === 'StartWebAuthnRegistration');
  const complete = traffic.find((t) => t.op === 'CompleteWebAuthnRegistration');
  const verified = await verifyRegistrationResponse({
    response: complete.request.Credential,
    expectedChallenge: start_.answer.CredentialCreationOptions.challenge,
    expectedOrigin: origin,
    expectedRPID: 'localhost',
    requireUserVerification: true,
  });
  assert.equal(verified.verified, true);
  assert.equal(verified.registrationInfo.credential.id, reg.value.credentialId);

  // Sign out; sign in with the passkey: one call, signed in.
  await call(page, (auth) => auth.signOut());
  await settled();
  const before = traffic.length;
  const r = await call(page, signIn, { username: 'pk', flow: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' });
  assert.deepEqual(r.value, { signedIn: true }, r.message);
  await settled();
  assert.deepEqual(traffic.slice(before).map((t) => t.op), ['InitiateAuth', 'RespondToAuthChallenge']);
  assert.equal((await call(page, (auth) => auth.currentUser())).value.username, 'pk');
  // ... and it verifies the AuthenticationResponseJSON the SDK sent, with the registered key.
  const [init, answer] = traffic.slice(before);
  const options = JSON.parse(init.answer.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
  const assertion = JSON.parse(answer.request.ChallengeResponses.CREDENTIAL);
  const checked = await verifyAuthenticationResponse({
    response: assertion,
    expectedChallenge: options.challenge,
    expectedOrigin: origin,
    expectedRPID: 'localhost',
    credential: verified.registrationInfo.credential,
    requireUserVerification: true,
  });
  assert.equal(checked.verified, true);
  assert.ok(assertion.response.userHandle && assertion.authenticatorAttachment === 'platform');

  // Registering again from the same authenticator: it already holds this user's passkey.
  const again = await call(page, (auth) => auth.registerPasskey());
  assert.deepEqual([again.name, again.code], ['PasskeyError', 'AlreadyRegistered']);

  // Delete it: Cognito no longer offers it, even when preferred.
  assert.ok((await call(page, (auth, id) => auth.deletePasskey({ credentialId: id }), reg.value.credentialId)).ok);
  assert.deepEqual((await call(page, (auth) => auth.listPasskeys())).value, []);
  await call(page, (auth) => auth.signOut());
  const after = await call(page, signIn, { username: 'pk', flow: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' });
  assert.equal(after.value.signedIn, false);
  assert.deepEqual(after.value.nextStep.availableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
  // The virtual authenticator holds only a few resident credentials: leave none behind.
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
});

test('SELECT_CHALLENGE → EMAIL_OTP with the code from the outbox → signed in; the step survives a reload', async () => {
  const { page, pool, config } = await start();
  const r = await call(page, signIn, { username: 'pk', flow: 'USER_AUTH' });
  assert.equal(r.value.nextStep.challenge, 'SELECT_CHALLENGE');
  assert.deepEqual(r.value.nextStep.availableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
  await page.reload();
  await sdk(page, config);
  const pending = (await call(page, (auth) => auth.getPendingSignIn())).value;
  assert.equal(pending.challenge, 'SELECT_CHALLENGE');
  const step = await call(page, (auth) => auth.confirmSignIn({ factor: 'EMAIL_OTP' }));
  assert.equal(step.value.nextStep.challenge, 'EMAIL_OTP');
  const code = await lastCode(pool.userPoolId, 'pk');
  assert.match(code, /^\d{8}$/);
  assert.deepEqual((await call(page, (auth, c) => auth.confirmSignIn({ code: c }), code)).value, { signedIn: true });
});

test('passwordless sign-up → confirm → autoSignIn, then a passkey for the new user', async () => {
  const { page, pool } = await start();
  const up = await call(page, (auth) => auth.signUp({ username: 'nopw', attributes: { email: 'nopw@example.com' }, autoSignIn: true }));
  assert.equal(up.value.userConfirmed, false, up.message);
  const code = await lastCode(pool.userPoolId, 'nopw');
  assert.deepEqual((await call(page, (auth, c) => auth.confirmSignUp({ username: 'nopw', code: c }), code)).value, { confirmed: true, autoSignIn: true });
  const events = [];
  await page.exposeFunction('seen', (e) => events.push(e));
  await page.evaluate(() => window.auth.onAuthEvent((e) => window.seen(`${e.type}${e.error ? ` (${e.error.name}: ${e.error.message})` : ''}`)));
  assert.deepEqual((await call(page, (auth) => auth.autoSignIn())).value, { signedIn: true });
  // The tokens' signatures were checked in the background (the keys were not yet at hand): give
  // that check time to end; it must not have refused them.
  await page.waitForTimeout(300);
  assert.deepEqual(events, ['signedIn']);
  const reg = await call(page, (auth) => auth.registerPasskey());
  assert.ok(reg.ok, reg.message);
  await call(page, (auth) => auth.signOut());
  assert.deepEqual((await call(page, signIn, { username: 'nopw', flow: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' })).value, { signedIn: true });
});

test('a ceremony with no authenticator: PasskeyError, the session untouched, nothing pending', async () => {
  const { page } = await start({ timeoutMs: 1500, authenticator: false });
  assert.deepEqual((await call(page, signIn, { username: 'pk', password: 'Passw0rd!' })).value, { signedIn: true });
  const t0 = Date.now();
  const r = await call(page, (auth) => auth.registerPasskey());
  assert.equal(r.name, 'PasskeyError');
  assert.ok(['NotAllowed', 'Failed'].includes(r.code), r.code);
  assert.ok(r.isError && r.retryable === false);
  assert.ok(Date.now() - t0 < 1500 + 6000, 'the ceremony is given up on');
  const s = await call(page, (auth) => auth.getSession());
  assert.equal(s.value?.username, 'pk', 'still signed in');
  await call(page, (auth) => auth.signOut());
  // Sign-in by passkey for a user without one: Cognito does not offer it (no ceremony at all).
  const pick = await call(page, signIn, { username: 'pk', flow: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' });
  assert.equal(pick.value.nextStep.challenge, 'SELECT_CHALLENGE');
  // Choosing WEB_AUTHN anyway is refused by Cognito, the step stays.
  const no = await call(page, (auth) => auth.confirmSignIn({ factor: 'WEB_AUTHN' }));
  assert.equal(no.name, 'InvalidParameterException');
  assert.equal((await call(page, (auth) => auth.getPendingSignIn())).value.challenge, 'SELECT_CHALLENGE');
});

test('@simplewebauthn/browser registers and signs in against the emulator\'s API', async () => {
  const { page, config } = await start();
  assert.deepEqual((await call(page, signIn, { username: 'pk', password: 'Passw0rd!' })).value, { signedIn: true });
  await page.addScriptTag({ content: simpleBrowser });
  const result = await page.evaluate(async ({ endpoint, clientId }) => {
    const api = (op, body) =>
      fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${op}` },
        body: JSON.stringify(body),
      }).then((r) => r.json());
    const { accessToken } = await window.auth.getSession();
    const { CredentialCreationOptions } = await api('StartWebAuthnRegistration', { AccessToken: accessToken });
    const reg = await SimpleWebAuthnBrowser.startRegistration({ optionsJSON: CredentialCreationOptions });
    const done = await api('CompleteWebAuthnRegistration', { AccessToken: accessToken, Credential: reg });
    const init = await api('InitiateAuth', { AuthFlow: 'USER_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'pk', PREFERRED_CHALLENGE: 'WEB_AUTHN' } });
    const auth = await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: JSON.parse(init.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS) });
    const tokens = await api('RespondToAuthChallenge', {
      ChallengeName: 'WEB_AUTHN',
      ClientId: clientId,
      Session: init.Session,
      ChallengeResponses: { USERNAME: 'pk', CREDENTIAL: JSON.stringify(auth) },
    });
    return { done, signedIn: !!tokens.AuthenticationResult?.AccessToken, id: reg.id };
  }, config);
  assert.deepEqual(result.done, {});
  assert.equal(result.signedIn, true);
  // The SDK lists the passkey registered by the other library.
  assert.equal((await call(page, (auth) => auth.listPasskeys())).value[0].credentialId, result.id);
});

test('the demo\'s passkey panel: add a passkey, list it, sign in with it, sign in with an e-mail code, delete it', async () => {
  const s = await site({});
  const origin = `http://localhost:${new URL(s.origin).port}`;
  const { createPool } = await import('../node/emulator.mjs');
  const pool = await createPool({
    signInPolicy: { allowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'WEB_AUTHN'] },
    webAuthn: { relyingPartyId: 'localhost', allowedOrigins: [origin] },
    users: [USER],
  });
  s.setConfig({ userPoolId: pool.userPoolId, clientId: pool.clientId, endpoint: `${s.base}/`, emulator: `${s.base}/` });
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  await page.goto(`${origin}/`);
  await page.waitForSelector('body[data-ready=true]');
  assert.equal(await page.isHidden('#passkey-hint'), true, 'on localhost the page needs no hint');
  const out = (re) => page.waitForFunction((src) => new RegExp(src).test(document.querySelector('#passkey-out').textContent), re.source, { timeout: 10_000 });
  await page.fill('#signin-username', 'pk');
  await page.fill('#signin-password', 'Passw0rd!');
  await page.click('#signin-submit');
  await page.waitForFunction(() => /Signed in as pk/.test(document.querySelector('#status').textContent));
  await page.click('#passkey-register');
  await out(/Passkey added/);
  await page.click('#passkey-list');
  await out(/1 passkey\./);
  await page.locator('#panel-passkeys').screenshot({ path: `${(await import('./support.mjs')).OUT}demo-passkeys.png` });
  await page.click('#signout-local');
  await page.waitForFunction(() => /Signed out/.test(document.querySelector('#status').textContent));
  await page.fill('#signin-password', '');
  await page.click('#passkey-signin');
  await out(/Signed in\./);
  await page.waitForFunction(() => /Signed in as pk/.test(document.querySelector('#status').textContent));
  await page.click('#signout-local');
  await page.waitForFunction(() => /Signed out/.test(document.querySelector('#status').textContent));
  // An e-mail code: the code step appears in the sign-in panel, the code in the inbox.
  await page.click('#email-signin');
  await out(/Next step: EMAIL_OTP/);
  const code = await lastCode(pool.userPoolId, 'pk');
  await page.fill('#challenge-code', code);
  await page.click('#challenge-submit');
  await page.waitForFunction(() => /Signed in as pk/.test(document.querySelector('#status').textContent));
  await page.click('#passkey-list');
  await out(/1 passkey\./);
  await page.click('#passkeys button');
  await out(/Passkey deleted/);
  assert.equal(await page.locator('#passkeys li').count(), 0);
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
});

// Passkeys as MFA (issue #26). API reference, WebAuthnMfaSettingsType: "When activated, the
// user's passkey authentication requires user verification, and passkey sign-in is available
// when MFA is required"; WebAuthnConfigurationType: with MULTI_FACTOR_WITH_USER_VERIFICATION
// "passkey authentication with user verification satisfies MFA requirements". A pool with MFA
// required and a user with TOTP: with passkey MFA on, a passkey sign-in with user verification
// gives tokens and no second factor; the same authenticator without user verification is
// refused, and the page stays signed out.
test('passkey MFA: a verified passkey signs in without a second factor, an unverified one is refused', async () => {
  const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const t = await start({
    pool: { mfaConfiguration: 'ON', mfaMethods: ['SOFTWARE_TOKEN_MFA'] },
    webAuthn: { factorConfiguration: 'MULTI_FACTOR_WITH_USER_VERIFICATION' },
    users: [{ ...USER, totpSecret: SECRET }],
  });
  try {
    const first = await call(t.page, signIn, { username: 'pk', password: 'Passw0rd!' });
    assert.equal(first.value?.nextStep?.challenge, 'SOFTWARE_TOKEN_MFA', JSON.stringify(first));
    assert.deepEqual((await call(t.page, (a, code) => a.confirmSignIn({ code }), totp(SECRET))).value, { signedIn: true });
    assert.ok((await call(t.page, (a) => a.registerPasskey())).ok);
    assert.equal((await call(t.page, (a) => a.fetchMfaPreference())).value.webAuthn, 'disabled');
    assert.ok((await call(t.page, (a) => a.updateMfaPreference({ webAuthn: 'enabled' }))).ok);
    const pref = (await call(t.page, (a) => a.fetchMfaPreference())).value;
    assert.deepEqual(pref, { enabled: ['TOTP'], preferred: 'TOTP', webAuthn: 'enabled' });
    assert.ok((await call(t.page, (a) => a.fetchAuthFactors())).value.configured.includes('SOFTWARE_TOKEN'));
    await call(t.page, (a) => a.signOut());

    // With user verification: signed in by the passkey alone.
    const before = t.traffic.length;
    assert.deepEqual((await call(t.page, signIn, { username: 'pk', flow: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' })).value, { signedIn: true });
    await t.settled();
    const ops = t.traffic.slice(before).map((x) => x.op);
    assert.deepEqual(ops.slice(0, 2), ['InitiateAuth', 'RespondToAuthChallenge'], 'no second-factor step');
    assert.equal(t.traffic.slice(before)[0].answer.ChallengeName, 'WEB_AUTHN');
    const options = JSON.parse(t.traffic.slice(before)[0].answer.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
    assert.equal(options.userVerification, 'required');
    await call(t.page, (a) => a.signOut());

    // The same authenticator, no longer verifying the user: refused, still signed out.
    await t.cdp.send('WebAuthn.setUserVerified', { authenticatorId: t.authenticatorId, isUserVerified: false });
    const r = await call(t.page, signIn, { username: 'pk', flow: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' });
    assert.equal(r.ok, false);
    assert.match(`${r.name} ${r.message}`, /NotAuthorizedException|PasskeyError/);
    assert.equal((await call(t.page, (a) => a.getSession())).value, null);
  } finally {
    await t.context.close();
    await t.server.close();
  }
});
