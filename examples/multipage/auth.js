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

/**
 * The header's account switcher (several accounts, like Gmail): the signed-in accounts, a switch
 * to each, "Add another account" (the login page with ?add=1) and "Sign out" of the current one
 * (the most recently used other account takes over). Every tab of the site follows a switch.
 */
export async function accountMenu(el) {
  const list = await auth.listAccounts();
  const current = list.find((a) => a.current);
  const menu = document.createElement('details');
  menu.className = 'accounts';
  const summary = document.createElement('summary');
  summary.id = 'who';
  summary.textContent = current ? current.username : 'Accounts';
  const items = list.filter((a) => !a.current).map((a) => {
    const b = Object.assign(document.createElement('button'), { type: 'button', className: 'secondary', textContent: `Switch to ${a.username}` });
    b.dataset.switch = a.username;
    b.addEventListener('click', () => auth.switchAccount(a.username).catch((e) => sayError('msg', e)));
    return b;
  });
  const add = Object.assign(document.createElement('a'), { id: 'add-account', href: `login.html?add=1&next=${encodeURIComponent(location.pathname)}`, textContent: 'Add another account' });
  const out = Object.assign(document.createElement('button'), { type: 'button', id: 'signout-current', className: 'secondary', textContent: `Sign out ${current ? current.username : ''}` });
  out.addEventListener('click', () => auth.signOut().catch((e) => sayError('msg', e)));
  menu.append(summary, ...items, add, out);
  el.replaceChildren(menu);
}
