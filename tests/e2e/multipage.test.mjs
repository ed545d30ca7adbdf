// examples/multipage, the app-shaped example, walked end to end in Chromium against the emulator,
// served with the strict Content-Security-Policy of scripts/serve.mjs (default-src 'self';
// script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' <emulator>). Every page of every test
// must report no console error and no CSP violation.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, site, strictPage } from './support.mjs';
import { lastCode } from '../node/emulator.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());
const pages = [];
afterEach(() => {
  for (const p of pages.splice(0)) p.check();
});

const POOL = {
  mfaConfiguration: 'OPTIONAL',
  users: [
    { username: 'pat', password: 'Passw0rd!', attributes: { email: 'pat@example.com', email_verified: 'true', name: 'Pat Example' } },
    { username: 'newhire', temporaryPassword: 'TempPassw0rd!', attributes: { email: 'new@example.com', email_verified: 'true' } },
    { username: 'mfa', password: 'Passw0rd!', mfa: ['EMAIL_OTP'], attributes: { email: 'mfa@example.com', email_verified: 'true' } },
  ],
};

async function start() {
  const s = await site(POOL, { csp: true });
  const context = await browser.newContext();
  const open = async (path) => {
    const page = await strictPage(context);
    pages.push(page);
    await page.goto(`${s.origin}examples/multipage/${path}`);
    return page;
  };
  // The pages first (a page still loading its favicon from a closed server would report it).
  const finish = async () => {
    await context.close();
    await s.server.close();
  };
  return { s, context, open, finish, app: `${s.origin}examples/multipage/` };
}

const ready = (page) => page.waitForSelector('body[data-ready=true]');
const text = (page, sel, re) => page.waitForFunction(([s, src]) => new RegExp(src).test(document.querySelector(s)?.textContent || ''), [sel, re.source], { timeout: 10_000 });

async function signIn(page, username, password) {
  await ready(page);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#signin-submit');
}

test('a protected page, sign-in with a challenge, attributes, password change, sign-out in every tab', async () => {
  const { s, open, finish, app } = await start();
  // Signed out: the account page sends the user to the login page, which brings them back.
  const page = await open('account.html');
  await page.waitForURL(`${app}login.html?next=%2Fexamples%2Fmultipage%2Faccount.html`);
  await ready(page);
  assert.equal(await page.isVisible('#hosted'), true, 'hosted UI and social buttons');
  await signIn(page, 'newhire', 'TempPassw0rd!');
  // NEW_PASSWORD_REQUIRED, through the page's one challenge form.
  await page.waitForSelector('#challenge:not([hidden])');
  assert.equal(await page.getAttribute('#challenge', 'data-challenge'), 'NEW_PASSWORD_REQUIRED');
  await page.fill('#challenge-newPassword', 'Brand-n3w-pass');
  await page.click('#challenge-submit');
  await page.waitForURL(`${app}account.html`);
  await ready(page);
  await text(page, '#who', /newhire/);
  await text(page, 'dd[data-attribute=email]', /new@example\.com/);

  // Change the password, and sign in with the new one in a second tab.
  await page.fill('#old-password', 'Brand-n3w-pass');
  await page.fill('#new-password', 'Another-n3w-pass');
  await page.click('#password-submit');
  await text(page, '#msg', /Password changed/);
  const second = await open('account.html');
  await ready(second);
  await text(second, '#who', /newhire/);
  // Signing out in one tab takes the other to the login page too.
  await page.click('#signout');
  await page.waitForURL(/login\.html/);
  await second.waitForURL(/login\.html/);
  await signIn(second, 'newhire', 'Brand-n3w-pass');
  await text(second, '#msg', /NotAuthorizedException: Incorrect username or password/);
  await signIn(second, 'newhire', 'Another-n3w-pass');
  await second.waitForURL(`${app}account.html`);
  await ready(second);
  await second.click('#signout-all');
  await second.waitForURL(/login\.html/);
  await finish();
});

// Issue #26: the header's account switcher. Add a second account from the account page, switch
// back from the menu (a second tab follows), sign out the current one (the other takes over,
// no trip to the login page), then the last one (to the login page).
test("the header's account switcher: add an account, switch, sign out one", async () => {
  const { s, open, finish, app } = await start();
  const page = await open('login.html');
  await signIn(page, 'pat', 'Passw0rd!');
  await page.waitForURL(`${app}account.html`);
  await ready(page);
  await text(page, '#who', /pat/);
  await page.click('#who');
  await page.click('#add-account');
  await page.waitForURL(/login\.html\?add=1/);
  await text(page, '#signin-title', /Add another account/);
  await signIn(page, 'mfa', 'Passw0rd!');
  await page.waitForSelector('#challenge:not([hidden])');
  await page.fill('#challenge-code', await lastCode(s.pool.userPoolId, 'mfa'));
  await page.click('#challenge-submit');
  await page.waitForURL(`${app}account.html`);
  await ready(page);
  await text(page, '#who', /mfa/);
  await text(page, 'dd[data-attribute=email]', /mfa@example\.com/);
  const second = await open('account.html');
  await ready(second);
  await text(second, '#who', /mfa/);
  // Switch to pat from the menu: both tabs show pat.
  await page.click('#who');
  await page.click('button[data-switch=pat]');
  await text(page, 'dd[data-attribute=email]', /pat@example\.com/);
  await text(second, 'dd[data-attribute=email]', /pat@example\.com/);
  // Sign pat out: mfa takes over, in both tabs, without the login page.
  await page.click('#who');
  await page.click('#signout-current');
  await text(page, 'dd[data-attribute=email]', /mfa@example\.com/);
  await text(second, '#who', /mfa/);
  assert.match(page.url(), /account\.html$/);
  // The last one: to the login page.
  await page.click('#who');
  await page.click('#signout-current');
  await page.waitForURL(/login\.html/);
  await second.waitForURL(/login\.html/);
  await finish();
});

test('an e-mail code step, sign-up with confirmation, password reset', async () => {
  const { s, open, finish, app } = await start();
  const page = await open('login.html');
  await signIn(page, 'mfa', 'Passw0rd!');
  await page.waitForSelector('#challenge[data-challenge=EMAIL_OTP]:not([hidden])');
  await text(page, '#challenge-hint', /m\*\*\*@e\*\*\*/);
  await page.fill('#challenge-code', await lastCode(s.pool.userPoolId, 'mfa'));
  await page.click('#challenge-submit');
  await page.waitForURL(`${app}account.html`);
  await ready(page);
  await page.click('#signout');
  await page.waitForURL(/login\.html/);

  // Sign up, confirm with the e-mailed code, signed in automatically.
  await ready(page);
  await page.click('#to-signup');
  const user = `u${Date.now()}`;
  await page.fill('#signup-username', user);
  await page.fill('#signup-email', `${user}@example.com`);
  await page.fill('#signup-password', 'Passw0rd!');
  await page.click('#signup-submit');
  await text(page, '#msg', /We sent a code to/);
  await page.fill('#confirm-code', await lastCode(s.pool.userPoolId, user));
  await page.click('#confirm-submit');
  await page.waitForURL(`${app}account.html`);
  await ready(page);
  await text(page, '#who', new RegExp(user));
  await page.click('#signout');
  await page.waitForURL(/login\.html/);

  // Forgot password → code → new password → sign in with it.
  await ready(page);
  await page.click('#to-forgot');
  await page.fill('#forgot-username', 'pat');
  await page.click('#forgot-submit');
  await text(page, '#msg', /We sent a code to p\*\*\*@e\*\*\*/);
  await page.fill('#reset-code', await lastCode(s.pool.userPoolId, 'pat'));
  await page.fill('#reset-password', 'Res3t-password');
  await page.click('#reset-submit');
  await text(page, '#msg', /Password changed/);
  await page.fill('#password', 'Res3t-password');
  await page.click('#signin-submit');
  await page.waitForURL(`${app}account.html`);
  await finish();
});

test('social sign-in through the hosted UI comes back to the page that asked', async () => {
  const { s, open, finish, app } = await start();
  const page = await open('account.html');
  await page.waitForURL(/login\.html\?next=/);
  await ready(page);
  await page.click('#hosted button[data-provider=Google]');
  // The emulator's consent page for Google (its own origin, not under this site's CSP).
  await page.waitForURL(/\/_emulator\/idp\/Google/);
  await page.fill('input[name=email]', 'social@example.com');
  await page.fill('input[name=sub]', 'g-77');
  await page.click('button[value=submit]');
  await page.waitForURL(`${app}account.html`);
  await ready(page);
  await text(page, '#who', /Google_g-77/);
  await text(page, 'dd[data-attribute=email]', /social@example\.com/);
  await finish();
});

// Subresource Integrity for the script-tag build: pkg/integrity.json has the sha384 of each
// file; the script tag carries it, and the .wasm is fetched with it. A wrong hash is refused.
test('the script-tag build loads with Subresource Integrity, and a wrong hash is refused', async () => {
  const { readFileSync } = await import('node:fs');
  const sri = JSON.parse(readFileSync(new URL('../../pkg/integrity.json', import.meta.url), 'utf8'));
  const s = await site(POOL, { csp: true });
  // Not a strict page: the refused script is a console error, by design.
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${s.origin}__test__/sri`);
  const load = (integrity) =>
    page.evaluate(
      (integrity) =>
        new Promise((ok) => {
          const el = document.createElement('script');
          Object.assign(el, { src: '/pkg/cognito_wasm.global.js', integrity, crossOrigin: 'anonymous' });
          el.onload = () => ok('loaded');
          el.onerror = () => ok('refused');
          document.head.append(el);
        }),
      integrity,
    );
  assert.equal(await load('sha384-' + 'A'.repeat(64)), 'refused');
  assert.equal(await load(sri['cognito_wasm.global.js']), 'loaded');
  const r = await page.evaluate(
    async ([wasm, cfg]) => {
      await window.CognitoWasm.default({ module_or_path: fetch('/pkg/cognito_wasm_bg.wasm', { integrity: wasm }) });
      const auth = new window.CognitoWasm.CognitoAuth({ userPoolId: cfg.userPoolId, clientId: cfg.clientId, endpoint: cfg.endpoint, storage: 'memory' });
      return (await auth.signIn({ username: 'pat', password: 'Passw0rd!' })).signedIn;
    },
    [sri['cognito_wasm_bg.wasm'], s.config()],
  );
  assert.equal(r, true);
  await s.server.close();
});
