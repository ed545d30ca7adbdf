// Shared by the pages of this example: one CognitoAuth for the site, created from the options
// the server gives at /config.json (`npm start` writes them for the local emulator; a real site
// puts its pool, client and hosted-UI domain here instead), with this example's own redirect
// pages. No bundler: the pages import ../../pkg/ directly, as a site would import its copy.
import init, { CognitoAuth } from '../../pkg/cognito_wasm.js';

await init();
const base = new URL('./', import.meta.url);
const cfg = await fetch('/config.json', { cache: 'no-store' }).then((r) => (r.ok ? r.json() : {}));
const { emulator, hostedUi, ...options } = cfg;
export const auth = new CognitoAuth({
  ...options,
  ...(hostedUi && {
    hostedUi: {
      ...hostedUi,
      redirectSignIn: new URL('login.html', base).href,
      redirectSignOut: new URL('login.html', base).href,
      allowedReturnPaths: [`${base.pathname}*`],
    },
  }),
});
export const hasHostedUi = Boolean(hostedUi);

export const $ = (id) => document.getElementById(id);

/** Shows a result, or an error by its name (Cognito's exception names, or the SDK's). */
export function say(id, text, ok = true) {
  const el = $(id);
  el.textContent = text;
  el.className = `msg ${ok ? 'ok' : 'error'}`;
  el.hidden = !text;
}
export const sayError = (id, e) => say(id, `${e.name}: ${e.message}`, false);

/** Where to go after signing in: the page that sent the user here (same site only). */
export function nextPage() {
  const next = new URLSearchParams(location.search).get('next');
  const url = next && new URL(next, location.href);
  return url && url.origin === location.origin ? url.pathname + url.search : new URL('account.html', base).pathname;
}
