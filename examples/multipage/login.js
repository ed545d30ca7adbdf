// The sign-in page: password sign-in and every step a pool may ask for after it, sign-up with
// its confirmation code, password reset, the hosted UI and social providers, and passkeys when
// the browser has them. Signed in, it goes back to the page that sent the user here.
import { auth, hasHostedUi, $, say, sayError, nextPage } from './auth.js';

const panels = ['signin', 'challenge', 'signup', 'forgot'];
function show(panel) {
  for (const p of panels) $(p).hidden = p !== panel;
}
const done = () => location.assign(nextPage());
// "Add another account" (the account switcher): sign in beside the accounts already signed in.
const addAccount = new URLSearchParams(location.search).get('add') === '1';

async function run(fn) {
  say('msg', '');
  try {
    await fn();
  } catch (e) {
    sayError('msg', e);
  }
}

// --- a redirect back from the hosted UI, a sign-in in progress, or already signed in -----------

const params = new URLSearchParams(location.search);
if (params.has('state') && (params.has('code') || params.has('error'))) {
  await run(async () => {
    const r = await auth.handleRedirectCallback();
    location.assign(r.returnTo);
  });
} else if (auth.currentUser() && !addAccount) {
  done();
} else {
  if (addAccount) $('signin-title').textContent = 'Add another account';
  // The sign-in part (fetched ahead by the page's preload hints) gets ready while the user
  // types: compiled, and its SRP values computed at idle time.
  auth.preload('signIn').catch(() => {});
  const pending = await auth.getPendingSignIn();
  if (pending) step(pending);
}

// --- sign-in ------------------------------------------------------------------------------------

$('signin-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  run(async () => result(await auth.signIn({ username: $('username').value, password: $('password').value, addAccount })));
});

function result(r) {
  if (r.signedIn) return done();
  step(r.nextStep);
}

const field = (label, name, attrs = {}) => {
  const l = document.createElement('label');
  l.textContent = label + ' ';
  const i = document.createElement('input');
  Object.assign(i, { name, id: `challenge-${name}`, required: true, ...attrs });
  l.append(i);
  return l;
};
const choice = (label, name, values) => {
  const l = document.createElement('label');
  l.textContent = label + ' ';
  const s = document.createElement('select');
  Object.assign(s, { name, id: `challenge-${name}` });
  for (const v of values) s.append(new Option(v, v));
  l.append(s);
  return l;
};

// What each step asks, and how its form answers it.
const STEPS = {
  SMS_MFA: (s) => ['Enter the code we texted you', `Sent to ${s.codeDeliveryDetails.destination}.`, [field('Code', 'code', { inputMode: 'numeric', autocomplete: 'one-time-code' })], (f) => ({ code: f.code })],
  SMS_OTP: (s) => STEPS.SMS_MFA(s),
  EMAIL_OTP: (s) => ['Enter the code we e-mailed you', `Sent to ${s.codeDeliveryDetails.destination}.`, [field('Code', 'code', { inputMode: 'numeric', autocomplete: 'one-time-code' })], (f) => ({ code: f.code })],
  SOFTWARE_TOKEN_MFA: (s) => ['Enter the code from your authenticator app', s.friendlyDeviceName || '', [field('Code', 'code', { inputMode: 'numeric', autocomplete: 'one-time-code' })], (f) => ({ code: f.code })],
  NEW_PASSWORD_REQUIRED: (s) => [
    'Choose a new password',
    'Your password must be changed before you continue.',
    [field('New password', 'newPassword', { type: 'password', autocomplete: 'new-password' }), ...s.requiredAttributes.map((a) => field(a, `attr-${a}`))],
    (f) => ({ newPassword: f.newPassword, attributes: Object.fromEntries(s.requiredAttributes.map((a) => [a, f[`attr-${a}`]])) }),
  ],
  SELECT_MFA_TYPE: (s) => ['How should we check it is you?', '', [choice('Method', 'mfaType', s.allowedMfaTypes)], (f) => ({ mfaType: f.mfaType })],
  MFA_SETUP: (s) =>
    s.totpSetup
      ? ['Set up your authenticator app', `Add this key to the app: ${s.totpSetup.secretCode}`, [field('Code from the app', 'code', { inputMode: 'numeric' })], (f) => ({ code: f.code })]
      : s.allowedMfaTypes.includes('EMAIL_OTP')
        ? ['Add an e-mail address for sign-in codes', '', [field('E-mail', 'email', { type: 'email' })], (f) => ({ email: f.email })]
        : ['Set up two-step verification', '', [choice('Method', 'mfaType', s.allowedMfaTypes)], (f) => ({ mfaType: f.mfaType })],
  CUSTOM_CHALLENGE: (s) => ['One more question', s.parameters.question || '', [field('Answer', 'answer')], (f) => ({ answer: f.answer })],
  SELECT_CHALLENGE: (s) => [
    'How do you want to sign in?',
    '',
    [choice('Sign in with', 'factor', s.availableChallenges), field('Password (for PASSWORD)', 'password', { type: 'password', required: false })],
    (f) => ({ factor: f.factor, ...(f.password && { password: f.password }) }),
  ],
};

function step(s) {
  const make = STEPS[s.challenge];
  if (!make) return say('msg', `This sign-in needs a step this page does not know: ${s.challenge}`, false);
  const [title, hint, fields, answer] = make(s);
  $('challenge-title').textContent = title;
  $('challenge-hint').textContent = hint;
  $('challenge-fields').replaceChildren(...fields);
  $('challenge').dataset.challenge = s.challenge;
  $('challenge-form').onsubmit = (ev) => {
    ev.preventDefault();
    const f = Object.fromEntries(new FormData(ev.target));
    run(async () => result(await auth.confirmSignIn(answer(f))));
  };
  show('challenge');
  $('challenge-fields').querySelector('input, select')?.focus();
}

// --- passkeys, the hosted UI and social providers --------------------------------------------

if (auth.isPasskeySupported()) {
  $('passkey').hidden = false;
  $('passkey').addEventListener('click', () =>
    run(async () => {
      if (!$('username').value) throw Object.assign(new Error('enter your username first'), { name: 'Username needed' });
      result(await auth.signIn({ username: $('username').value, flow: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN', addAccount }));
    }),
  );
}
if (hasHostedUi) {
  $('hosted').hidden = false;
  for (const b of $('hosted').querySelectorAll('button')) {
    b.addEventListener('click', () => run(() => auth.signInWithRedirect({ provider: b.dataset.provider, returnTo: nextPage(), addAccount })));
  }
}

// --- sign-up and password reset ------------------------------------------------------------

$('to-signup').addEventListener('click', (ev) => (ev.preventDefault(), show('signup')));
$('to-forgot').addEventListener('click', (ev) => (ev.preventDefault(), show('forgot')));

$('signup-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  run(async () => {
    const r = await auth.signUp({ username: $('signup-username').value, password: $('signup-password').value, attributes: { email: $('signup-email').value }, autoSignIn: true });
    if (r.userConfirmed) return show('signin'), say('msg', 'Account ready: sign in.');
    $('signup-form').hidden = true;
    $('confirm-form').hidden = false;
    say('msg', `We sent a code to ${r.codeDelivery?.destination}.`);
  });
});
$('confirm-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  run(async () => {
    const r = await auth.confirmSignUp({ username: $('signup-username').value, code: $('confirm-code').value });
    if (r.autoSignIn) return result(await auth.autoSignIn());
    show('signin');
    say('msg', 'Account confirmed: sign in.');
  });
});

$('forgot-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  run(async () => {
    const r = await auth.forgotPassword({ username: $('forgot-username').value });
    $('forgot-form').hidden = true;
    $('reset-form').hidden = false;
    say('msg', `We sent a code to ${r.codeDelivery?.destination}.`);
  });
});
$('reset-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  run(async () => {
    await auth.confirmForgotPassword({ username: $('forgot-username').value, code: $('reset-code').value, newPassword: $('reset-password').value });
    $('username').value = $('forgot-username').value;
    show('signin');
    say('msg', 'Password changed: sign in with the new one.');
  });
});

document.body.dataset.ready = 'true';
