// The React recipe of docs/react.md: its use-auth.jsx, taken from the document unchanged, bundled
// with esbuild and React from npm (dev dependencies only) into a small app in StrictMode, which
// signs in (a wrong password first), follows a sign-out made in another tab, and signs out, in
// Chromium against the emulator, under the strict CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { launch, site, strictPage, OUT } from './support.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const APP = `
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { AuthProvider, useAuth } from './use-auth.jsx';

function Account() {
  const { auth, loading, user, session } = useAuth();
  const [error, setError] = useState(null);
  if (loading) return <p id="loading">Loading…</p>;
  if (!user) {
    const signIn = (ev) => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      auth.signIn({ username: f.get('username'), password: f.get('password') }).then(() => setError(null), setError);
    };
    return (
      <form id="form" onSubmit={signIn}>
        <input id="username" name="username" /> <input id="password" name="password" type="password" /> <button id="submit">Sign in</button>
        {error && <p id="error">{error.name}: {error.message}</p>}
      </form>
    );
  }
  return <p><span id="user">{user.username}</span> <span id="expires">{session ? 'session' : 'no session'}</span> <button id="signout" onClick={() => auth.signOut()}>Sign out</button></p>;
}

export function start(auth) {
  createRoot(document.getElementById('root')).render(<StrictMode><AuthProvider auth={auth}><Account /></AuthProvider></StrictMode>);
}
`;

async function bundle() {
  const doc = readFileSync(new URL('../../docs/react.md', import.meta.url), 'utf8');
  const hook = doc.match(/```jsx file=use-auth\.jsx\n([\s\S]*?)```/)[1];
  const dir = `${OUT}react/`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}use-auth.jsx`, hook);
  writeFileSync(`${dir}app.jsx`, APP);
  const out = await build({
    entryPoints: [`${dir}app.jsx`],
    bundle: true,
    write: false,
    format: 'esm',
    jsx: 'automatic',
    nodePaths: [new URL('../../node_modules', import.meta.url).pathname],
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'error',
  });
  return out.outputFiles[0].text;
}

test('useAuth from docs/react.md signs in and out in a React app', async () => {
  const code = await bundle();
  const main = `import init, { CognitoAuth } from '/pkg/cognito_wasm.js'; import { start } from '/react/app.js';
await init(); const cfg = await (await fetch('/config.json')).json();
start(new CognitoAuth({ userPoolId: cfg.userPoolId, clientId: cfg.clientId, endpoint: cfg.endpoint }));`;
  // The app's page, its entry module and the bundle, served by the site under the strict CSP.
  const files = {
    '/react/': '<!doctype html><meta charset="utf-8"><title>react</title><link rel="icon" href="/favicon.svg"><div id="root"></div><script type="module" src="/react/main.js"></script>',
    '/react/main.js': main,
    '/react/app.js': code,
  };
  const s = await site({ users: [{ username: 'rea', password: 'Passw0rd!', attributes: { email: 'r@example.com', email_verified: 'true' } }] }, { csp: true, files });
  const context = await browser.newContext();
  const page = await strictPage(context);
  await page.goto(`${s.origin}react/`);
  await page.waitForSelector('#form');
  await page.fill('#username', 'rea');
  await page.fill('#password', 'wrong');
  await page.click('#submit');
  await page.waitForSelector('#error');
  assert.match(await page.textContent('#error'), /^NotAuthorizedException: Incorrect username or password/);
  await page.fill('#password', 'Passw0rd!');
  await page.click('#submit');
  await page.waitForSelector('#user');
  assert.equal(await page.textContent('#user'), 'rea');
  assert.equal(await page.textContent('#expires'), 'session');
  // A second tab is signed in too; signing out there re-renders this one (the signedOut event).
  const other = await strictPage(context);
  await other.goto(`${s.origin}react/`);
  await other.waitForSelector('#signout');
  await other.click('#signout');
  await page.waitForSelector('#form');
  await other.waitForSelector('#form');
  page.check();
  other.check();
  await context.close();
  await s.server.close();
});
