// The demo: every capability of cognito-wasm on one page, against the local emulator by
// default (config.json, written by `npm start`, says which pool; without it, the emulator's
// default pool on 127.0.0.1:9229 is assumed).
import init, { CognitoAuth } from '../pkg/cognito_wasm.js';
import { drawQr } from './qr.js';

const $ = (id) => document.getElementById(id);
const here = `${location.origin}/`;
const DEFAULTS = {
  userPoolId: 'us-east-1_Emulator1',
  clientId: '3n4b5urk1ft4fl3mg5e62d9ado',
  endpoint: 'http://127.0.0.1:9229/',
  hostedUi: { domain: 'http://127.0.0.1:9229', redirectSignIn: here, redirectSignOut: here, allowedReturnPaths: ['/', '/index.html', '/global.html', '/account/*'] },
  emulator: 'http://127.0.0.1:9229/',
};

// ---------------------------------------------------------------------------------------------
// Output helpers: results as text, errors by name with their message.

function show(id, text, kind = 'ok') {
  const el = $(id);
  el.textContent = text;
  el.className = `out ${kind}`;
}

function showError(id, e) {
  const name = e && e.name ? e.name : 'Error';
  const msg = e && e.message ? e.message : String(e);
  show(id, `${name}: ${msg}${e && e.retryable ? ' (retryable)' : ''}`, 'error');
}

async function act(id, fn) {
  try {
    const text = await fn();
    if (text !== undefined) show(id, text);
  } catch (e) {
    showError(id, e);
  }
  await refreshUi();
}

const decode = (jwt) => {
  try {
    const p = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(decodeURIComponent(escape(atob(p))));
  } catch {
    return null;
  }
};

// ---------------------------------------------------------------------------------------------

await init();
const cfg = (await fetch('config.json', { cache: 'no-store' }).then((r) => (r.ok ? r.json() : null)).catch(() => null)) || DEFAULTS;
const { emulator, ...options } = cfg;
const auth = new CognitoAuth({ ...options, appName: 'cognito-wasm demo' });
window.auth = auth; // for the console
// The sign-in part gets ready while the visitor reads (compiled, its SRP values computed at
// idle time); the other parts load on their first use.
if (!auth.currentUser()) auth.preload('signIn').catch(() => {});
$('config').textContent = `pool ${options.userPoolId} · client ${options.clientId} · ${options.endpoint || 'public endpoint'}`;

let session = null;

async function refreshUi() {
  const user = auth.currentUser();
  $('status').textContent = user ? `Signed in as ${user.username}` : 'Signed out';
  $('status').className = `status ${user ? 'in' : 'outside'}`;
  try {
    session = user ? await auth.getSession({}) : null;
  } catch (e) {
    session = null;
    showError('session-out', e);
  }
  $('session-user').textContent = session ? session.username : '—';
  $('id-claims').textContent = session ? JSON.stringify(decode(session.idToken), null, 2) : '';
  $('access-claims').textContent = session ? JSON.stringify(decode(session.accessToken), null, 2) : '';
  tick();
  await renderAccounts();
}

// --- several accounts -----------------------------------------------------------------------

/** The signed-in accounts, each with a switch and (the current one) a sign-out. */
async function renderAccounts() {
  const list = await auth.listAccounts().catch(() => []);
  $('accounts').replaceChildren(...list.map((a) => {
    const li = document.createElement('li');
    li.dataset.username = a.username;
    if (a.current) li.dataset.current = 'true';
    const name = document.createElement('span');
    name.textContent = `${a.current ? '● ' : ''}${a.username}${a.email ? ` <${a.email}>` : ''}`;
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = a.current ? 'Sign out' : 'Switch';
    b.addEventListener('click', () => act('accounts-out', async () => {
      if (a.current) {
        await auth.signOut({ redirect: false });
        return `${a.username} signed out.`;
      }
      await auth.switchAccount(a.username);
      return `Now acting as ${a.username}.`;
    }));
    li.append(name, ' ', b);
    return li;
  }));
}
$('accounts-signout-all').addEventListener('click', () => act('accounts-out', async () => {
  await auth.signOut({ allAccounts: true, redirect: false });
  return 'Every account signed out.';
}));

function tick() {
  if (!session) {
    $('session-countdown').textContent = '—';
    return;
  }
  const s = Math.max(0, Math.round((session.expiresAt - Date.now()) / 1000));
  $('session-countdown').textContent = `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}
setInterval(tick, 1000);

// --- events from this tab and the others ------------------------------------------------------

auth.onAuthEvent((e) => {
  const li = document.createElement('li');
  const when = new Date().toLocaleTimeString();
  const retry = e.retry ? ` ${e.retry.operation}, attempt ${e.retry.attempt} in ${e.retry.delayMs} ms` : '';
  li.textContent = `${when} ${e.type}${retry}${e.username ? ` (${e.username})` : ''}${e.fromOtherTab ? ' — from another tab' : ''}${e.error ? ` — ${e.error.name}: ${e.error.message}` : ''}`;
  li.dataset.type = e.type;
  if (e.fromOtherTab) li.dataset.other = 'true';
  $('events').prepend(li);
  if (e.type !== 'retrying') refreshUi();
});

// The emulator's request-rate quotas (npm start runs it with --quotas default): a burst of
// GetUser calls past the pool's UserRead rate. The throttled ones come back as
// TooManyRequestsException, and the SDK retries them after a pause: the event log shows each.
$('burst').addEventListener('click', () => act('burst-out', async () => {
  if (!session) throw Object.assign(new Error('sign in first (GetUser needs an access token)'), { name: 'InvalidStateError' });
  const quotas = emulator ? await fetch(`${emulator}_emulator/quotas?poolId=${encodeURIComponent(options.userPoolId)}`, { cache: 'no-store' }).then((r) => r.json()) : {};
  const rate = quotas.UserRead;
  if (!rate) return 'Quotas are off in this emulator: start it with --quotas default (npm start does).';
  const n = Math.min(400, rate * 2);
  const results = await Promise.allSettled(Array.from({ length: n }, () => auth.getUserAttributes()));
  const failed = results.filter((r) => r.status === 'rejected');
  const names = [...new Set(failed.map((r) => r.reason.name))].join(', ');
  return `${n} GetUser calls at once (UserRead: ${rate}/s): ${n - failed.length} answered${failed.length ? `, ${failed.length} failed after every retry (${names})` : ''}.`;
}));

// --- sign-up ---------------------------------------------------------------------------------

let lastSignUp = sessionStorage.getItem('demo.signup') || '';

$('signup-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  act('signup-out', async () => {
    lastSignUp = f.get('username');
    sessionStorage.setItem('demo.signup', lastSignUp);
    const r = await auth.signUp({
      username: lastSignUp,
      password: f.get('password') || undefined,
      attributes: { email: f.get('email') },
      autoSignIn: f.get('autoSignIn') === 'on',
      // For the pool's customMessage trigger: where the confirmation link should point.
      clientMetadata: { linkBase: here },
    });
    const d = r.codeDelivery;
    return `Signed up (${r.userSub}). ${d ? `Code sent by ${d.deliveryMedium} to ${d.destination} — see the inbox.` : ''}`;
  });
});

async function afterConfirm(r) {
  if (r.autoSignIn) {
    const s = await auth.autoSignIn();
    return s.signedIn ? 'Confirmed and signed in automatically.' : renderChallenge(s.nextStep);
  }
  return 'Confirmed. You can sign in now.';
}

$('confirm-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  act('signup-out', async () => afterConfirm(await auth.confirmSignUp({ username: lastSignUp || $('signup-username').value, code: $('confirm-code').value })));
});

$('resend').addEventListener('click', () =>
  act('signup-out', async () => {
    const r = await auth.resendSignUpCode({ username: lastSignUp || $('signup-username').value });
    return `New code sent to ${r.codeDelivery?.destination}.`;
  }),
);

// --- the emulator's inbox and Lambda trigger log --------------------------------------------------

/** Polls one of the emulator's lists (`/_emulator/<what>?poolId=`) into `<ol id=listId>`: the
 * latest 8, newest first, each `<b>title</b> detail / code`, redrawn only when `key` changes. */
function pollList(what, listId, key, item, after = () => {}) {
  const poll = async () => {
    if (!emulator) return;
    try {
      const all = await fetch(`${emulator}_emulator/${what}?poolId=${encodeURIComponent(options.userPoolId)}`, { cache: 'no-store' }).then((r) => r.json());
      const list = $(listId);
      const latest = all.slice(-8).reverse();
      const k = key(all, latest);
      if (list.dataset.key === k) return;
      list.dataset.key = k;
      list.replaceChildren(
        ...latest.map((x) => {
          const li = document.createElement('li');
          li.innerHTML = `<b></b> <span class="dest"></span><br><code class="code"></code>`;
          const [title, detail, code] = item(x, li);
          li.querySelector('b').textContent = title;
          li.querySelector('.dest').textContent = detail;
          li.querySelector('.code').textContent = code;
          return li;
        }),
      );
      after(all);
    } catch {
      /* the emulator may not be running: the page works without these panels */
    }
  };
  setInterval(poll, 1500);
  poll();
}

// Codes and links Cognito would send; a link confirms the sign-up.
pollList('messages', 'inbox', (_, latest) => latest.map((m) => m.id).join(), (m, li) => {
  if (m.link) {
    const b = document.createElement('button');
    b.textContent = 'Open link';
    b.className = 'link';
    b.addEventListener('click', () => act('signup-out', async () => afterConfirm(await auth.confirmSignUpFromLink(m.link))));
    li.append(' ', b);
  }
  return [m.kind.replace(/_/g, ' ').toLowerCase(), `${m.medium} to ${m.destination}`, m.code];
});

// The pool's Lambda triggers as the emulator ran them (the panel shows once there are some).
pollList(
  'triggers',
  'triggers',
  (all) => `${all.length}`,
  (i, li) => {
    li.dataset.outcome = i.outcome;
    return [i.triggerSource, `${i.userName} · ${i.durationMs} ms`, i.outcome];
  },
  (all) => ($('panel-triggers').hidden = all.length === 0),
);

// --- sign-in and challenges --------------------------------------------------------------------

function field(name, label, type = 'text', value = '') {
  const l = document.createElement('label');
  l.textContent = label;
  const i = document.createElement('input');
  i.name = name;
  i.type = type;
  i.value = value;
  i.id = `challenge-${name.replace(/[^a-z0-9]/gi, '-')}`;
  l.append(i);
  return l;
}

function renderChallenge(step) {
  const form = $('challenge-form');
  const fields = $('challenge-fields');
  form.hidden = false;
  form.dataset.challenge = step.challenge;
  $('totp-qr').hidden = true;
  $('totp-secret').hidden = true;
  fields.replaceChildren();
  const titles = {
    NEW_PASSWORD_REQUIRED: 'Choose a new password',
    SMS_MFA: 'Enter the code we texted you',
    SMS_OTP: 'Enter the code we texted you',
    EMAIL_OTP: 'Enter the code we e-mailed you',
    SOFTWARE_TOKEN_MFA: 'Enter the code from your authenticator app',
    SELECT_MFA_TYPE: 'How should we verify it is you?',
    MFA_SETUP: 'Set up multi-factor authentication',
    CUSTOM_CHALLENGE: 'Answer the challenge',
    SELECT_CHALLENGE: 'How do you want to sign in?',
  };
  $('challenge-title').textContent = titles[step.challenge] || step.challenge;
  let info = '';
  switch (step.challenge) {
    case 'NEW_PASSWORD_REQUIRED':
      fields.append(field('newPassword', 'New password', 'password'));
      for (const a of step.requiredAttributes) fields.append(field(`attr:${a}`, a));
      break;
    case 'SMS_MFA':
    case 'SMS_OTP':
    case 'EMAIL_OTP':
      info = `Sent by ${step.codeDeliveryDetails.deliveryMedium} to ${step.codeDeliveryDetails.destination}.`;
      fields.append(field('code', 'Code'));
      break;
    case 'SOFTWARE_TOKEN_MFA':
      info = step.friendlyDeviceName ? `Authenticator: ${step.friendlyDeviceName}` : '';
      fields.append(field('code', 'Code'));
      break;
    case 'SELECT_MFA_TYPE': {
      const l = document.createElement('label');
      l.textContent = 'Method';
      const s = document.createElement('select');
      s.name = 'mfaType';
      s.id = 'challenge-mfaType';
      for (const t of step.allowedMfaTypes) s.add(new Option(t, t));
      l.append(s);
      fields.append(l);
      break;
    }
    case 'MFA_SETUP':
      if (step.totpSetup) {
        drawQr($('totp-qr'), step.totpSetup.uri, 4);
        $('totp-qr').hidden = false;
        $('totp-secret').textContent = step.totpSetup.secretCode;
        $('totp-secret').hidden = false;
        info = 'Scan the code with an authenticator app and enter its 6 digits.';
        fields.append(field('code', 'Code from the app'));
      }
      if (step.allowedMfaTypes.includes('EMAIL_OTP')) fields.append(field('email', 'Or receive codes by e-mail at', 'email'));
      break;
    case 'CUSTOM_CHALLENGE':
      info = step.parameters.question || JSON.stringify(step.parameters);
      fields.append(field('answer', 'Answer'));
      break;
    case 'SELECT_CHALLENGE': {
      const l = document.createElement('label');
      l.textContent = 'Sign in with';
      const s = document.createElement('select');
      s.name = 'factor';
      s.id = 'challenge-factor';
      const names = { PASSWORD: 'Password', PASSWORD_SRP: 'Password (SRP)', EMAIL_OTP: 'Code by e-mail', SMS_OTP: 'Code by SMS', WEB_AUTHN: 'Passkey' };
      for (const t of step.availableChallenges) s.add(new Option(names[t] || t, t));
      l.append(s);
      fields.append(l, field('password', 'Password (for the password choices)', 'password'));
      break;
    }
    default:
      info = JSON.stringify(step);
  }
  $('challenge-info').textContent = info;
  return `Next step: ${step.challenge}`;
}

function finishSignIn(r) {
  if (r.signedIn) {
    $('challenge-form').hidden = true;
    return 'Signed in.';
  }
  return renderChallenge(r.nextStep);
}

$('signin-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const flow = f.get('flow');
  const preferredChallenge = flow === 'USER_AUTH' ? f.get('preferredChallenge') || undefined : undefined;
  const addAccount = f.get('addAccount') === 'on';
  act('signin-out', async () => finishSignIn(await auth.signIn({ username: f.get('username'), password: f.get('password') || undefined, flow, preferredChallenge, addAccount })));
});

$('challenge-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const input = {};
  const attributes = {};
  for (const [k, v] of new FormData(ev.target)) {
    if (!v) continue;
    if (k.startsWith('attr:')) attributes[k.slice(5)] = v;
    else input[k] = v;
  }
  if (Object.keys(attributes).length) input.attributes = attributes;
  if (input.email) delete input.code;
  act('signin-out', async () => finishSignIn(await auth.confirmSignIn(input)));
});

// --- passkeys and passwordless sign-in ---------------------------------------------------------

{
  const onIp = /^\d+\.\d+\.\d+\.\d+$|^\[/.test(location.hostname);
  const local = new URL(location.href);
  local.hostname = 'localhost';
  $('passkey-localhost').href = local.href;
  $('passkey-hint').hidden = !onIp && auth.isPasskeySupported();
}
const passkeyUser = () => $('signin-username').value || auth.currentUser()?.username || '';

$('passkey-signin').addEventListener('click', () =>
  act('passkey-out', async () => finishSignIn(await auth.signIn({ username: passkeyUser(), flow: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' }))),
);
$('email-signin').addEventListener('click', () =>
  act('passkey-out', async () => finishSignIn(await auth.signIn({ username: passkeyUser(), flow: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' }))),
);

async function listPasskeys() {
  const list = await auth.listPasskeys();
  $('passkeys').replaceChildren(
    ...list.map((p) => {
      const li = document.createElement('li');
      li.textContent = `${p.friendlyName || 'Passkey'} · ${p.authenticatorAttachment || 'any'} · ${p.createdAt ? new Date(p.createdAt * 1000).toLocaleString() : ''} `;
      const b = document.createElement('button');
      b.textContent = 'Delete';
      b.className = 'link';
      b.dataset.credentialId = p.credentialId;
      b.addEventListener('click', () =>
        act('passkey-out', async () => {
          await auth.deletePasskey({ credentialId: p.credentialId });
          await listPasskeys();
          return 'Passkey deleted.';
        }),
      );
      li.append(b);
      return li;
    }),
  );
  return `${list.length} passkey${list.length === 1 ? '' : 's'}.`;
}

$('passkey-register').addEventListener('click', () =>
  act('passkey-out', async () => {
    const r = await auth.registerPasskey();
    await listPasskeys();
    return `Passkey added (${r.credentialId.slice(0, 12)}…).`;
  }),
);
$('passkey-list').addEventListener('click', () => act('passkey-out', listPasskeys));

// --- AWS credentials (a package built with the aws feature) ------------------------------------

let awsCreds = null;
const hasAws = Boolean(options.identityPoolId);
$('aws-hint').hidden = !!hasAws;
for (const id of ['aws-get', 'aws-call']) $(id).disabled = !hasAws;

function awsTick() {
  if (!awsCreds) return;
  const s = Math.max(0, Math.round((awsCreds.expiration - Date.now()) / 1000));
  $('aws-countdown').textContent = `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}
setInterval(awsTick, 1000);

async function showCredentials() {
  awsCreds = await auth.getCredentials();
  $('aws-identity').textContent = awsCreds ? awsCreds.identityId : '—';
  $('aws-kind').textContent = awsCreds ? (awsCreds.authenticated ? 'signed-in user' : 'guest') : 'none';
  awsTick();
  return awsCreds ? `Credentials ${awsCreds.accessKeyId.slice(0, 8)}… for ${awsCreds.authenticated ? 'the signed-in user' : 'a guest'}.` : 'No credentials (signed out, no guest access).';
}

$('aws-get').addEventListener('click', () => act('aws-out', showCredentials));
$('aws-call').addEventListener('click', () =>
  act('aws-out', async () => {
    // The emulator's SigV4-verifying stand-in for an IAM-protected API Gateway.
    const r = await auth.fetchSigned(`${emulator}_emulator/aws/execute-api/demo/hello`, { method: 'POST', body: JSON.stringify({ from: 'the demo' }), headers: { 'content-type': 'application/json' } }, { service: 'execute-api', region: 'us-east-1' });
    $('aws-result').textContent = JSON.stringify(await r.json(), null, 2);
    await showCredentials();
    return `HTTP ${r.status} from the signed call.`;
  }),
);

// --- hosted UI ---------------------------------------------------------------------------------

for (const b of $('providers').querySelectorAll('button')) {
  b.addEventListener('click', () => act('hosted-out', () => auth.signInWithRedirect({ provider: b.dataset.provider, returnTo: $('hosted-return').value || '/' }).then(() => 'Redirecting…')));
}

// --- session -----------------------------------------------------------------------------------

$('session-refresh').addEventListener('click', () => act('session-out', async () => {
  const s = await auth.getSession({ forceRefresh: true });
  return s ? `Refreshed; expires ${new Date(s.expiresAt).toLocaleTimeString()}.` : 'Signed out.';
}));

for (const [id, key] of [['session-verify-id', 'idToken'], ['session-verify-access', 'accessToken']]) {
  $(id).addEventListener('click', () => act('session-out', async () => {
    if (!session) throw Object.assign(new Error('not signed in'), { name: 'InvalidStateError' });
    const c = await auth.verifyToken(session[key]);
    return `${key}: signature, issuer, audience and expiry verified (token_use ${c.token_use}).`;
  }));
}

// --- attributes --------------------------------------------------------------------------------

async function loadAttributes() {
  const a = await auth.getUserAttributes();
  $('attrs').replaceChildren(...Object.entries(a).flatMap(([k, v]) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    return [dt, dd];
  }));
  return `${Object.keys(a).length} attributes.`;
}

$('attrs-load').addEventListener('click', () => act('attrs-out', loadAttributes));
$('attr-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  act('attrs-out', async () => {
    const r = await auth.updateUserAttributes({ attributes: { [$('attr-name').value]: $('attr-value').value } });
    await loadAttributes();
    return r.codeDeliveries.length ? `Updated; verification code sent to ${r.codeDeliveries[0].destination}.` : 'Updated.';
  });
});
$('attr-delete').addEventListener('click', () => act('attrs-out', async () => {
  await auth.deleteUserAttributes({ attributeNames: [$('attr-name').value] });
  await loadAttributes();
  return 'Deleted.';
}));
$('verify-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  act('attrs-out', async () => {
    await auth.verifyUserAttribute({ attributeName: 'email', code: $('attr-code').value });
    await loadAttributes();
    return 'Email verified.';
  });
});
$('attr-send').addEventListener('click', () => act('attrs-out', async () => `Code sent to ${(await auth.sendUserAttributeVerificationCode({ attributeName: 'email' })).codeDelivery?.destination}.`));

// --- passwords ---------------------------------------------------------------------------------

$('change-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  act('password-out', async () => {
    await auth.changePassword({ oldPassword: $('pw-old').value, newPassword: $('pw-new').value });
    return 'Password changed.';
  });
});
$('forgot-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  act('password-out', async () => `Reset code sent to ${(await auth.forgotPassword({ username: $('forgot-username').value })).codeDelivery?.destination}.`);
});
$('reset-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  act('password-out', async () => {
    await auth.confirmForgotPassword({ username: $('forgot-username').value, code: $('reset-code').value, newPassword: $('reset-password').value });
    return 'Password reset: sign in with the new one.';
  });
});

// --- MFA and devices ---------------------------------------------------------------------------

$('totp-setup').addEventListener('click', () => act('mfa-out', async () => {
  const t = await auth.setUpTotp({ issuer: 'cognito-wasm demo' });
  drawQr($('setup-qr'), t.uri, 4);
  $('setup-qr').hidden = false;
  $('setup-secret').textContent = t.secretCode;
  return 'Scan the code, then enter a code from the app.';
}));
$('totp-verify-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  act('mfa-out', async () => {
    await auth.verifyTotpSetup({ code: $('totp-code').value, deviceName: 'Demo authenticator' });
    await auth.updateMfaPreference({ totp: 'PREFERRED' });
    return 'Authenticator verified and preferred.';
  });
});
$('mfa-email-on').addEventListener('click', () => act('mfa-out', async () => {
  await auth.updateMfaPreference({ email: 'ENABLED' });
  return 'E-mail codes enabled.';
}));
$('mfa-off').addEventListener('click', () => act('mfa-out', async () => {
  await auth.updateMfaPreference({ totp: 'DISABLED', email: 'DISABLED' });
  return 'MFA disabled.';
}));
$('mfa-load').addEventListener('click', () => act('mfa-out', async () => {
  const p = await auth.fetchMfaPreference();
  return `Enabled: ${p.enabled.join(', ') || 'none'}; preferred: ${p.preferred || 'none'}; passkey as MFA: ${p.webAuthn}.`;
}));
for (const [id, webAuthn] of [['mfa-passkey-on', 'enabled'], ['mfa-passkey-off', 'disabled']]) {
  $(id).addEventListener('click', () => act('mfa-out', async () => {
    await auth.updateMfaPreference({ webAuthn });
    return webAuthn === 'enabled' ? 'Passkey MFA on: a passkey sign-in with user verification now counts as MFA.' : 'Passkey MFA off.';
  }));
}
$('device-remember').addEventListener('click', () => act('mfa-out', async () => {
  await auth.rememberDevice();
  return 'This device is remembered: MFA is skipped here next time.';
}));
$('device-forget').addEventListener('click', () => act('mfa-out', async () => {
  await auth.forgetDevice({});
  return 'This device was forgotten.';
}));
$('devices-load').addEventListener('click', () => act('mfa-out', async () => {
  const list = await auth.fetchDevices();
  $('devices').replaceChildren(...list.map((d) => {
    const li = document.createElement('li');
    li.textContent = `${d.current ? '★ ' : ''}${d.name || d.deviceKey} — ${d.attributes.device_status || ''}`;
    return li;
  }));
  return `${list.length} device(s).`;
}));

// --- sign-out ----------------------------------------------------------------------------------

$('signout-local').addEventListener('click', () => act('signout-out', async () => {
  await auth.signOut({});
  return 'Signed out.';
}));
$('signout-global').addEventListener('click', () => act('signout-out', async () => {
  await auth.signOut({ global: true });
  return 'Signed out everywhere: every session of this user was revoked.';
}));
$('delete-user').addEventListener('click', () => act('signout-out', async () => {
  await auth.deleteUser();
  return 'Account deleted.';
}));

// --- start-up: a redirect coming back, or a sign-in waiting for its next step -----------------

const query = new URLSearchParams(location.search);
if (query.has('username') && query.has('code') && !query.has('state')) {
  // A confirmation link from the sign-up e-mail (the pool's customMessage trigger).
  await act('signup-out', async () => {
    const r = await auth.confirmSignUpFromLink(location.href);
    history.replaceState(null, '', location.pathname);
    return afterConfirm(r);
  });
} else if (/[?&#](code|error)=/.test(location.href)) {
  await act('hosted-out', async () => {
    const r = await auth.handleRedirectCallback();
    return `Signed in through the hosted UI; return path ${r.returnTo}`;
  });
}
const pending = await auth.getPendingSignIn();
if (pending) show('signin-out', renderChallenge(pending));
await refreshUi();
document.body.dataset.ready = 'true';
