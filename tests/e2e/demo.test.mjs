// The demo page end to end in headless Chromium (Playwright + Debian's Chromium): sign-up and
// confirmation from the inbox, SRP sign-in, TOTP set-up from the QR code, refresh, global
// sign-out, a hosted-UI round trip, events across tabs, a two-tab refresh, the script-tag page,
// and a phone-sized screen. Screenshots of the main panels go to test-output/.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { launch, site, OUT, exampleTriggers, triggerLog, strictPage, totp } from './support.mjs';
import { messages } from '../node/emulator.mjs';
import { stats } from '../node/emulator.mjs';

let browser;
afterEach(() => {
  // No console error, no CSP violation, on any page the test opened.
  for (const p of pages.splice(0)) p.check();
});
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const DEMO_USER = { username: 'demo', password: 'Passw0rd!', attributes: { email: 'demo@example.com', email_verified: 'true', name: 'Demo User' } };

/** The demo's pool: callbacks at the demo's own root, as `npm start` configures it. */
// The demo pages are served with the strict CSP of scripts/serve.mjs (as npm start serves them),
// and every test ends by checking that no page reported a console error or a CSP violation.
async function demoSite(poolConfig) {
  const s = await site(poolConfig, { csp: true });
  const c = s.config();
  s.setConfig({ ...c, hostedUi: { ...c.hostedUi, redirectSignIn: s.origin, redirectSignOut: s.origin } });
  return s;
}

const pages = [];
async function openDemo(context, origin) {
  const page = await strictPage(context);
  pages.push(page);
  const missing = [];
  page.on('response', (r) => r.status() === 404 && missing.push(r.url()));
  await page.goto(origin);
  await page.waitForSelector('body[data-ready=true]');
  await page.waitForLoadState('networkidle');
  // Nothing the page loads is missing (a favicon included: no 404 in the console).
  assert.deepEqual(missing, []);
  return page;
}

async function shot(page, panel, name) {
  await page.locator(`#${panel}`).screenshot({ path: `${OUT}demo-${name}.png` });
}

/** Reads the QR code drawn on a canvas and decodes it (proves it is scannable). */
async function readQr(page, canvasId) {
  const { w, h, data } = await page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    return { w: c.width, h: c.height, data: Array.from(d.data) };
  }, canvasId);
  const r = jsQR(new Uint8ClampedArray(data), w, h);
  assert.ok(r, 'the QR code decodes');
  return r.data;
}

async function waitText(page, selector, re) {
  await page.waitForFunction(([s, src]) => new RegExp(src).test(document.querySelector(s)?.textContent || ''), [selector, re.source], { timeout: 10_000 });
}

test('the demo: sign-up, inbox, confirmation, SRP sign-in, TOTP, refresh, global sign-out, hosted UI', async () => {
  const s = await demoSite({ mfaConfiguration: 'OPTIONAL', users: [DEMO_USER] });
  const context = await browser.newContext();
  const page = await openDemo(context, s.origin);
  await waitText(page, '#status', /Signed out/);

  // Sign up; the code appears in the inbox panel; confirm with it (auto sign-in follows).
  const user = `u${Date.now()}`;
  await page.fill('#signup-username', user);
  await page.fill('#signup-email', `${user}@example.com`);
  await page.fill('#signup-password', 'Passw0rd!');
  await page.click('#signup-submit');
  await waitText(page, '#signup-out', /Signed up/);
  await page.waitForSelector('#inbox li');
  const code = (await page.textContent('#inbox li .code')).trim();
  assert.match(code, /^\d{6}$/);
  await shot(page, 'panel-signup', 'signup');
  await shot(page, 'panel-inbox', 'inbox');
  await page.fill('#confirm-code', code);
  await page.click('#confirm-submit');
  await waitText(page, '#signup-out', /Confirmed and signed in automatically/);
  await waitText(page, '#status', new RegExp(`Signed in as ${user}`));
  await page.click('#signout-local');
  await waitText(page, '#status', /Signed out/);

  // SRP sign-in through the form.
  await page.fill('#signin-username', 'demo');
  await page.fill('#signin-password', 'Passw0rd!');
  await page.click('#signin-submit');
  await waitText(page, '#status', /Signed in as demo/);
  await shot(page, 'panel-signin', 'signin');
  await waitText(page, '#id-claims', /"cognito:username": "demo"/);
  await shot(page, 'panel-session', 'session');

  // TOTP set-up from the QR code.
  await page.click('#totp-setup');
  await page.waitForSelector('#setup-qr:not([hidden])');
  const uri = await readQr(page, 'setup-qr');
  assert.match(uri, /^otpauth:\/\/totp\/cognito-wasm%20demo:demo%40example\.com\?secret=[A-Z2-7]+&issuer=/);
  const secret = new URL(uri).searchParams.get('secret');
  await page.fill('#totp-code', totp(secret));
  await page.click('#totp-verify');
  await waitText(page, '#mfa-out', /verified and preferred/);
  await shot(page, 'panel-mfa', 'mfa');

  // Refresh on demand.
  const before = (await stats(s.pool.userPoolId)).refresh || 0;
  await page.click('#session-refresh');
  await waitText(page, '#session-out', /Refreshed/);
  assert.equal((await stats(s.pool.userPoolId)).refresh, before + 1);
  await page.click('#session-verify-id');
  await waitText(page, '#session-out', /verified/);

  // Attributes.
  await page.click('#attrs-load');
  await waitText(page, '#attrs', /Demo User/);
  await shot(page, 'panel-attributes', 'attributes');

  // Global sign-out; the next sign-in asks for the TOTP code (the step UI).
  await shot(page, 'panel-password', 'password');
  await shot(page, 'panel-signout', 'signout');
  await page.click('#signout-global');
  await waitText(page, '#signout-out', /Signed out everywhere/);
  await waitText(page, '#status', /Signed out/);
  await page.fill('#signin-username', 'demo');
  await page.fill('#signin-password', 'Passw0rd!');
  await page.click('#signin-submit');
  await waitText(page, '#challenge-title', /authenticator/);
  await page.fill('#challenge-code', totp(secret));
  await page.click('#challenge-submit');
  await waitText(page, '#status', /Signed in as demo/);
  await page.click('#signout-local');
  await waitText(page, '#status', /Signed out/);

  // A wrong password shows the error by name.
  await page.fill('#signin-password', 'wrong');
  await page.click('#signin-submit');
  await waitText(page, '#signin-out', /NotAuthorizedException: Incorrect username or password\./);

  // Hosted UI round trip: button → the emulator's page → back to the demo, signed in.
  await page.fill('#hosted-return', '/index.html');
  await Promise.all([page.waitForURL(/\/login\?/), page.click('#hosted-cognito')]);
  await page.fill('#username', user);
  await page.fill('#password', 'Passw0rd!');
  await Promise.all([page.waitForURL((u) => u.origin + '/' === s.origin || u.href.startsWith(s.origin)), page.click('button[type=submit]')]);
  await page.waitForSelector('body[data-ready=true]');
  await waitText(page, '#hosted-out', /Signed in through the hosted UI; return path \/index\.html/);
  await waitText(page, '#status', new RegExp(`Signed in as ${user}`));
  assert.doesNotMatch(page.url(), /code=/);
  await shot(page, 'panel-hosted', 'hosted');
  await shot(page, 'panel-events', 'events');
  await context.close();
  await s.server.close();
});

test('events reach the other tab, and two tabs refresh once', async () => {
  const s = await demoSite({ users: [DEMO_USER] });
  const context = await browser.newContext();
  const one = await openDemo(context, s.origin);
  const two = await openDemo(context, s.origin);
  await one.fill('#signin-username', 'demo');
  await one.fill('#signin-password', 'Passw0rd!');
  await one.click('#signin-submit');
  await waitText(one, '#status', /Signed in as demo/);
  await two.waitForSelector('#events li[data-other][data-type=signedIn]');

  // Make the stored tokens look stale to both tabs, then ask both for the session at once.
  const clientId = s.pool.clientId;
  await one.evaluate((c) => localStorage.setItem(`CognitoIdentityServiceProvider.${c}.demo.clockDrift`, '-3590'), clientId);
  const before = (await stats(s.pool.userPoolId)).refresh || 0;
  const [a, b] = await Promise.all([one.evaluate(() => window.auth.getSession({})), two.evaluate(() => window.auth.getSession({}))]);
  assert.equal(a.accessToken, b.accessToken);
  assert.equal((await stats(s.pool.userPoolId)).refresh, before + 1, 'one refresh across two tabs');
  await two.waitForSelector('#events li[data-other][data-type=tokenRefresh], #events li[data-type=tokenRefresh]');
  await context.close();
  await s.server.close();
});

// Issue #25: the emulator's request-rate quotas, and the SDK backing off. The pool's own UserRead
// rate is 4/s; the demo's burst button sends 8 GetUser calls at once. The emulator throttles the
// excess (TooManyRequestsException), the SDK pauses and tries again (at most maxRetries = 3
// times), and the event log shows each pause. Every throttled answer is followed by exactly one
// announced retry, or is the last of a call's four attempts.
test('the demo shows the SDK backing off when the emulator throttles a burst', async () => {
  const s = await demoSite({ users: [DEMO_USER], quotas: { UserRead: 4 } });
  const context = await browser.newContext();
  const page = await openDemo(context, s.origin);
  await page.fill('#signin-username', 'demo');
  await page.fill('#signin-password', 'Passw0rd!');
  await page.click('#signin-submit');
  await waitText(page, '#status', /Signed in as demo/);
  const gets = [];
  page.on('response', (r) => r.request().headers()['x-amz-target']?.endsWith('.GetUser') && gets.push(r.status()));
  await page.click('#burst');
  await waitText(page, '#burst-out', /8 GetUser calls at once \(UserRead: 4\/s\): \d+ answered/);
  const out = await page.textContent('#burst-out');
  const answered = Number(out.match(/(\d+) answered/)[1]);
  const failed = Number(out.match(/(\d+) failed after every retry \(TooManyRequestsException\)/)?.[1] ?? 0);
  assert.equal(answered + failed, 8, out);
  assert.ok(answered >= 4, out);
  const retries = await page.$$eval('#events li[data-type=retrying]', (l) => l.map((li) => li.textContent));
  assert.ok(retries.length >= 4, `the calls past the quota were retried: ${retries.length}`);
  for (const r of retries) assert.match(r, /retrying GetUser, attempt [234] in \d+ ms — TooManyRequestsException: Rate exceeded/);
  assert.equal(gets.filter((st) => st === 200).length, answered);
  assert.equal(gets.filter((st) => st === 400).length, retries.length + failed, "each throttled answer: one retry, or a call's last attempt");
  await shot(page, 'panel-events', 'backoff');
  await context.close();
  await s.server.close();
});

// Issue #26: the demo's account switcher. Two accounts signed in (the second with "Add as another
// account"), a switch from the list (the other tab follows), the current one signed out (the
// other takes over), and the passkey-MFA switch refused with Cognito's exception, explained, for
// a user with no other MFA method.
test("the demo's account switcher: add an account, switch, sign out one; passkey MFA needs another method", async () => {
  const second = { username: 'second', password: 'Passw0rd!', attributes: { email: 'second@example.com' } };
  const s = await demoSite({ users: [DEMO_USER, second], webAuthn: { factorConfiguration: 'MULTI_FACTOR_WITH_USER_VERIFICATION' } });
  const context = await browser.newContext();
  const page = await openDemo(context, s.origin);
  const other = await openDemo(context, s.origin);
  for (const [u, add] of [['demo', false], ['second', true]]) {
    await page.fill('#signin-username', u);
    await page.fill('#signin-password', 'Passw0rd!');
    await page.setChecked('#signin-add', add);
    await page.click('#signin-submit');
    await waitText(page, '#status', new RegExp(`Signed in as ${u}`));
  }
  await page.waitForSelector('#accounts li[data-username=demo] >> text=Switch');
  assert.deepEqual(await page.$$eval('#accounts li', (l) => l.map((li) => [li.dataset.username, !!li.dataset.current])), [['demo', false], ['second', true]]);
  await shot(page, 'panel-accounts', 'accounts');
  await page.click('#accounts li[data-username=demo] button');
  await waitText(page, '#status', /Signed in as demo/);
  await waitText(other, '#status', /Signed in as demo/);
  await other.waitForSelector('#events li[data-type=accountSwitched][data-other]');
  // Passkey MFA for demo, who has no other MFA method: Cognito refuses, the SDK says why.
  await page.click('#mfa-passkey-on');
  await waitText(page, '#mfa-out', /InvalidParameterException.*passkey MFA needs another MFA method/);
  // Signing out the current one (demo): second takes over, in both tabs.
  await page.click('#accounts li[data-username=demo] button');
  await waitText(page, '#status', /Signed in as second/);
  await waitText(other, '#status', /Signed in as second/);
  assert.deepEqual(await page.$$eval('#accounts li', (l) => l.map((li) => li.dataset.username)), ['second']);
  await page.click('#accounts-signout-all');
  await waitText(page, '#status', /Signed out/);
  await waitText(other, '#status', /Signed out/);
  await context.close();
  await s.server.close();
});

test('the script-tag page signs in with the global build', async () => {
  const s = await demoSite({ users: [DEMO_USER] });
  const context = await browser.newContext();
  const page = await strictPage(context);
  pages.push(page);
  await page.goto(`${s.origin}global.html`);
  await page.waitForSelector('body[data-ready=true]');
  assert.equal(await page.evaluate(() => typeof window.CognitoWasm.CognitoAuth), 'function');
  await page.click('#submit');
  await waitText(page, '#status', /Signed in as demo/);
  await page.locator('#panel-global').screenshot({ path: `${OUT}demo-script-tag.png` });
  await context.close();
  await s.server.close();
});

test('usable on a phone-sized screen', async () => {
  const s = await demoSite({ users: [DEMO_USER] });
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await openDemo(context, s.origin);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px)`);
  await page.fill('#signin-username', 'demo');
  await page.fill('#signin-password', 'Passw0rd!');
  await page.tap('#signin-submit');
  await waitText(page, '#status', /Signed in as demo/);
  await page.screenshot({ path: `${OUT}demo-phone.png` });
  await context.close();
  await s.server.close();
});

// The example Lambda triggers of `npm start`, run by the emulator: the sign-up e-mail's link
// opens the demo, which confirms with confirmSignUpFromLink and signs in automatically; a
// legacy user signs in with SRP and is migrated (migrateUsers retries with USER_PASSWORD_AUTH);
// the preTokenGeneration claim is in currentUser().
test('the demo with Lambda triggers: a confirmation link, a migrated legacy user, a token claim', async () => {
  const s = await demoSite({ triggers: exampleTriggers(), users: [DEMO_USER] });
  s.setConfig({ ...s.config(), migrateUsers: true });
  const context = await browser.newContext();
  const page = await openDemo(context, s.origin);
  const user = `l${Date.now()}`;
  await page.fill('#signup-username', user);
  await page.fill('#signup-email', `${user}@example.com`);
  await page.fill('#signup-password', 'Passw0rd!');
  await page.click('#signup-submit');
  await waitText(page, '#signup-out', /Signed up/);
  const [m] = await messages(s.pool.userPoolId, user);
  assert.equal(m.subject, 'Confirm your account');
  assert.equal(m.link, `${s.origin}?username=${user}&code=${m.code}`);
  assert.ok(m.text.includes(m.link));
  await waitText(page, '#triggers', /CustomMessage_SignUp/);
  // The link, opened as a reader of the e-mail would.
  await page.goto(m.link);
  await page.waitForSelector('body[data-ready=true]');
  await waitText(page, '#signup-out', /Confirmed and signed in automatically/);
  await waitText(page, '#status', new RegExp(`Signed in as ${user}`));
  assert.equal(new URL(page.url()).search, '', 'the code leaves the address bar');
  const me = await page.evaluate(() => window.auth.currentUser());
  assert.equal(me.attributes.plan, 'free');
  await page.click('#signout-local');
  await waitText(page, '#status', /Signed out/);

  // A legacy user: unknown to the pool until this sign-in (SRP, then the password flow once).
  await page.fill('#signin-username', 'ada');
  await page.fill('#signin-password', 'Legacy1!pw');
  await page.click('#signin-submit');
  await waitText(page, '#status', /Signed in as ada/);
  const ada = await page.evaluate(() => window.auth.currentUser());
  assert.equal(ada.attributes.email, 'ada@legacy.example');
  assert.equal(ada.attributes.plan, 'legacy');
  await waitText(page, '#id-claims', /"plan": "legacy"/);
  await waitText(page, '#triggers', /UserMigration_Authentication/);
  await shot(page, 'panel-triggers', 'triggers');
  await page.click('#signout-local');
  await waitText(page, '#status', /Signed out/);
  // Migrated once: the next sign-in is SRP alone, and a wrong legacy password says so.
  const before = (await triggerLog(s.pool.userPoolId)).filter((i) => i.triggerSource.startsWith('UserMigration')).length;
  await page.fill('#signin-password', 'Legacy1!pw');
  await page.click('#signin-submit');
  await waitText(page, '#status', /Signed in as ada/);
  await page.click('#signout-local');
  await waitText(page, '#status', /Signed out/);
  await page.fill('#signin-username', 'grace');
  await page.fill('#signin-password', 'wrong');
  await page.click('#signin-submit');
  await waitText(page, '#signin-out', /UserLambdaValidationException: UserMigration failed with error Incorrect username or password\./);
  const log = await triggerLog(s.pool.userPoolId);
  assert.equal(log.filter((i) => i.triggerSource.startsWith('UserMigration')).length, before + 1);
  await context.close();
});
