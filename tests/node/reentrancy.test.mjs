// The release package in Node (memory storage, and an asynchronous custom store) against the
// emulator, used the way apps use it and the way that would break a Rust module that holds
// borrows across calls: listeners that call back into the SDK synchronously, unsubscribe
// themselves or throw, and calls that overlap. In the wasm a panic aborts the module, so after
// every scenario the SDK must still work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPool, emulator, messages, lastCode } from './emulator.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { initSync, CognitoAuth } = await import(`${ROOT}/pkg/cognito_wasm.js`);
initSync({ module: readFileSync(`${ROOT}/pkg/cognito_wasm_bg.wasm`) });

const USER = { username: 'r1', password: 'Passw0rd!' };

/** An app's own store whose every operation is a Promise settled a little later (IndexedDB-like). */
function asyncStore() {
  const m = new Map();
  const later = (v) => new Promise((r) => setTimeout(() => r(v), 1));
  return {
    map: m,
    getItem: (k) => later(m.has(k) ? m.get(k) : null),
    setItem: (k, v) => later(void m.set(k, String(v))),
    removeItem: (k) => later(void m.delete(k)),
  };
}

async function setup(storage = 'memory') {
  const base = await emulator();
  const { userPoolId, clientId } = await createPool({ users: [{ ...USER, attributes: { email: 'r1@example.com' } }] });
  return new CognitoAuth({ userPoolId, clientId, endpoint: `${base}/`, storage });
}

const tick = () => new Promise((r) => setTimeout(r, 20));

test('listeners may call back into the SDK, unsubscribe themselves and throw', async () => {
  const auth = await setup();
  const seen = [];
  // Throws on every event: must not stop the others or the SDK.
  auth.onAuthEvent(() => {
    throw new Error('listener bug');
  });
  // Reads the user synchronously and asks for the session from inside the event.
  const sessions = [];
  auth.onAuthEvent((e) => {
    seen.push([e.type, auth.currentUser()?.username ?? null]);
    sessions.push(auth.getSession());
  });
  // Unsubscribes itself on the first event.
  let onceCalls = 0;
  const off = auth.onAuthEvent(() => {
    onceCalls++;
    off();
  });
  // Signs out as soon as it is signed in (a "kick out" rule), from inside the event.
  const signOuts = [];
  const offKick = auth.onAuthEvent((e) => {
    if (e.type === 'signedIn') signOuts.push(auth.signOut({ redirect: false }));
  });

  assert.deepEqual(await auth.signIn(USER), { signedIn: true });
  await Promise.all(signOuts);
  await tick();
  const got = await Promise.allSettled(sessions);
  assert.ok(got.every((g) => g.status === 'fulfilled'), `getSession from a listener: ${JSON.stringify(got.map((g) => g.reason?.name))}`);
  assert.deepEqual(seen, [['signedIn', 'r1'], ['signedOut', null]]);
  assert.equal(onceCalls, 1, 'a listener that unsubscribed inside its call is not called again');
  offKick();

  // Still alive and consistent afterwards.
  assert.equal(await auth.getSession(), null);
  assert.deepEqual(await auth.signIn(USER), { signedIn: true });
  assert.equal(auth.currentUser().username, 'r1');
  assert.equal((await auth.getSession()).username, 'r1');
  off(); // a second unsubscribe is harmless
});

for (const kind of ['memory', 'an async store']) test(`overlapping calls neither trap the module nor lose a session (${kind})`, async () => {
  const auth = await setup(kind === 'memory' ? 'memory' : asyncStore());
  // Two sign-ins at once: one wins, the other fails with a named error or also succeeds.
  const both = await Promise.allSettled([auth.signIn(USER), auth.signIn(USER)]);
  assert.ok(both.some((r) => r.status === 'fulfilled' && r.value.signedIn), JSON.stringify(both));
  for (const r of both) if (r.status === 'rejected') assert.ok(r.reason instanceof Error && r.reason.name, String(r.reason));
  // Many refreshes and reads interleaved with attribute calls.
  const calls = [];
  for (let i = 0; i < 5; i++) {
    calls.push(auth.getSession({ forceRefresh: i % 2 === 0 }), auth.getUserAttributes(), auth.getSession());
  }
  const results = await Promise.allSettled(calls);
  const failed = results.filter((r) => r.status === 'rejected').map((r) => `${r.reason.name}: ${r.reason.message}`);
  assert.deepEqual(failed, []);
  assert.equal(results[1].value.email, 'r1@example.com');
  // And the module still works.
  await auth.signOut({ redirect: false });
  assert.deepEqual(await auth.signIn(USER), { signedIn: true });
});

for (const kind of ['memory', 'an async store']) test(`a sign-out racing a refresh ends signed out, whichever starts first (${kind})`, async () => {
  const store = kind === 'memory' ? 'memory' : asyncStore();
  const auth = await setup(store);
  const orders = {
    'refresh, then sign-out': () => [auth.getSession({ forceRefresh: true }), auth.signOut({ redirect: false })],
    'sign-out, then refresh': () => [auth.signOut({ redirect: false }), auth.getSession({ forceRefresh: true })],
    'refresh, sign-out, refresh': () => [
      auth.getSession({ forceRefresh: true }),
      auth.signOut({ redirect: false }),
      auth.getSession({ forceRefresh: true }),
    ],
  };
  for (const [order, race] of Object.entries(orders)) {
    for (let i = 0; i < 6; i++) {
      assert.deepEqual(await auth.signIn(USER), { signedIn: true });
      const settled = await Promise.allSettled(race());
      const refreshed = settled.filter((r) => r.status === 'fulfilled' && r.value && r.value.accessToken);
      await tick();
      assert.equal(await auth.getSession(), null, `${order} #${i}: signed back in (refresh results: ${refreshed.length})`);
      assert.equal(auth.currentUser(), null, `${order} #${i}`);
      for (const r of settled) if (r.status === 'rejected') assert.ok(r.reason.name, `${order}: ${r.reason}`);
      if (store.map) assert.deepEqual([...store.map.keys()].filter((k) => !k.includes('.oauth.')), [], `${order} #${i}: keys left behind`);
    }
  }
});

test('a double click on sign-in or on the code shares one call and its result', async () => {
  const base = await emulator();
  const { userPoolId, clientId } = await createPool({
    mfaConfiguration: 'OPTIONAL',
    users: [{ username: 'm', password: 'Passw0rd!', mfa: ['EMAIL_OTP'], attributes: { email: 'm@example.com', email_verified: 'true' } }],
  });
  const auth = new CognitoAuth({ userPoolId, clientId, endpoint: `${base}/`, storage: 'memory' });
  const signedIn = [];
  auth.onAuthEvent((e) => e.type === 'signedIn' && signedIn.push(e.username));
  for (let round = 0; round < 3; round++) {
    const before = (await messages(userPoolId, 'm')).length;
    const creds = { username: 'm', password: 'Passw0rd!' };
    const [a, b] = await Promise.all([auth.signIn(creds), auth.signIn({ ...creds })]);
    assert.deepEqual(a, b);
    assert.equal(a.nextStep.challenge, 'EMAIL_OTP');
    assert.equal((await messages(userPoolId, 'm')).length, before + 1, 'one sign-in, one code sent');
    const code = await lastCode(userPoolId, 'm');
    const both = await Promise.allSettled([auth.confirmSignIn({ code }), auth.confirmSignIn({ code })]);
    assert.deepEqual(both.map((r) => r.status === 'fulfilled' ? r.value : `${r.reason.name}: ${r.reason.message}`), [{ signedIn: true }, { signedIn: true }]);
    assert.equal((await auth.getSession()).username, 'm');
    await auth.signOut({ redirect: false });
  }
  assert.deepEqual(signedIn, ['m', 'm', 'm'], 'one signedIn event per sign-in');
  // Different answers are not merged: a wrong code and the right one, at once.
  await auth.signIn({ username: 'm', password: 'Passw0rd!' });
  const code = await lastCode(userPoolId, 'm');
  const mixed = await Promise.allSettled([auth.confirmSignIn({ code: '000000' }), auth.confirmSignIn({ code })]);
  assert.equal(mixed[0].status, 'rejected');
  assert.ok(mixed[0].reason.name.endsWith('Exception'), mixed[0].reason.name);
});

test('methods called with the wrong receiver or arguments reject instead of trapping', async () => {
  const auth = await setup();
  const { signIn } = auth;
  // A detached method rejects (it does not throw) with a named error.
  let p;
  assert.doesNotThrow(() => { p = signIn(USER); });
  await assert.rejects(p, (e) => e.name === 'ConfigError' && /detached/.test(e.message) && e.retryable === false);
  await assert.rejects(() => signIn.call({}, USER), (e) => e.name === 'ConfigError');
  await assert.rejects(() => auth.signIn(), (e) => e.name === 'ConfigError');
  await assert.rejects(() => auth.signIn({ username: 'r1', password: 12 }), (e) => typeof e.name === 'string');
  await assert.rejects(() => auth.verifyToken(42), (e) => e.name === 'ConfigError');
  const loop = { username: 'r1' };
  loop.self = loop;
  await assert.rejects(() => auth.signIn(loop), (e) => e.name === 'ConfigError' && e.retryable === false);
  assert.throws(() => auth.onAuthEvent('nope'), (e) => e.name === 'ConfigError');
  assert.deepEqual(await auth.signIn(USER), { signedIn: true });
});

test('after free() the methods reject with InvalidStateError', async () => {
  const auth = await setup();
  assert.deepEqual(await auth.signIn(USER), { signedIn: true });
  auth.free();
  let p;
  assert.doesNotThrow(() => { p = auth.getSession(); });
  await assert.rejects(p, (e) => e.name === 'InvalidStateError' && /free\(\)/.test(e.message));
  // A new instance on the same page still works.
  const again = await setup();
  assert.deepEqual(await again.signIn(USER), { signedIn: true });
});
