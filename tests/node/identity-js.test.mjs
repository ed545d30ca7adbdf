// The real amazon-cognito-identity-js (unmodified, in Node) against the emulator: sign-up,
// confirmation, SRP sign-in, refresh, and a refused wrong password. If the emulator's SRP
// disagreed with the JS SDK by one byte, sign-in would fail here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthenticationDetails, CognitoUser, CognitoUserAttribute, CognitoUserPool } from 'amazon-cognito-identity-js';
import { createPool, emulator, lastCode } from './emulator.mjs';

const promisify = (fn) => new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));

function signIn(user, username, password) {
  return new Promise((resolve, reject) =>
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
    }),
  );
}

test('amazon-cognito-identity-js signs up, confirms, signs in by SRP and refreshes', async () => {
  const base = await emulator();
  const { userPoolId, clientId } = await createPool({ aliasAttributes: ['email'] });
  const pool = new CognitoUserPool({ UserPoolId: userPoolId, ClientId: clientId, endpoint: `${base}/` });
  const username = `js${Date.now()}`;
  const signUp = await promisify((cb) =>
    pool.signUp(username, 'Passw0rd!', [new CognitoUserAttribute({ Name: 'email', Value: `${username}@example.com` })], null, cb),
  );
  assert.equal(signUp.userConfirmed, false);
  assert.match(signUp.userSub, /^[0-9a-f-]{36}$/);

  const user = new CognitoUser({ Username: username, Pool: pool });
  await assert.rejects(promisify((cb) => user.confirmRegistration('000000', true, cb)), (e) => e.code === 'CodeMismatchException');
  const code = await lastCode(userPoolId, username);
  await promisify((cb) => user.confirmRegistration(code, true, cb));

  const session = await signIn(user, username, 'Passw0rd!');
  assert.ok(session.isValid());
  const access = session.getAccessToken().decodePayload();
  assert.equal(access.username, username);
  assert.equal(access.token_use, 'access');
  assert.equal(session.getIdToken().decodePayload().iss, `${base}/${userPoolId}`);

  // Sign in again by alias: identity-js switches to USER_ID_FOR_SRP itself.
  const byAlias = new CognitoUser({ Username: `${username}@example.com`, Pool: pool });
  const s2 = await signIn(byAlias, `${username}@example.com`, 'Passw0rd!');
  assert.equal(s2.getAccessToken().decodePayload().username, username);

  const refreshed = await promisify((cb) => user.refreshSession(session.getRefreshToken(), cb));
  assert.equal(refreshed.getAccessToken().decodePayload().origin_jti, access.origin_jti);
  assert.notEqual(refreshed.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());

  const attrs = await promisify((cb) => user.getUserAttributes(cb));
  assert.equal(attrs.find((a) => a.Name === 'email').Value, `${username}@example.com`);
});

test('amazon-cognito-identity-js is refused with a wrong password', async () => {
  const base = await emulator();
  const { userPoolId, clientId } = await createPool({ users: [{ username: 'eve', password: 'Passw0rd!' }] });
  const pool = new CognitoUserPool({ UserPoolId: userPoolId, ClientId: clientId, endpoint: `${base}/` });
  const user = new CognitoUser({ Username: 'eve', Pool: pool });
  await assert.rejects(signIn(user, 'eve', 'Wrong!pass1'), (e) => e.code === 'NotAuthorizedException' && e.message === 'Incorrect username or password.');
  const ok = await signIn(new CognitoUser({ Username: 'eve', Pool: pool }), 'eve', 'Passw0rd!');
  assert.ok(ok.isValid());
});
