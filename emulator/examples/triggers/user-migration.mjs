// userMigration Lambda trigger: users of a legacy system (legacy-users.json, passwords stored as
// salted SHA-256, as an old system might) move into the pool on their first sign-in, keeping
// their password, and on "forgot password" without it. An unchanged Lambda handler (see
// triggers.json for how the emulator runs it).
//
// Cognito calls it only when it sees the password: USER_PASSWORD_AUTH and the hosted UI's
// password form. With SRP it cannot; the SDK's `migrateUsers: true` retries an SRP sign-in that
// failed with UserNotFoundException once with USER_PASSWORD_AUTH.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

const LEGACY = JSON.parse(readFileSync(new URL('./legacy-users.json', import.meta.url), 'utf8'));

const matches = (user, password) => {
  const got = createHash('sha256').update(user.salt + password).digest();
  return timingSafeEqual(got, Buffer.from(user.sha256, 'hex'));
};

export const handler = async (event) => {
  const { triggerSource, request, userName } = event;
  const user = LEGACY.find((u) => u.username === userName.toLowerCase() || u.email === userName.toLowerCase());
  if (!user) return event; // not a legacy user either: Cognito answers UserNotFoundException
  if (triggerSource === 'UserMigration_Authentication') {
    if (!matches(user, request.password)) throw new Error('Incorrect username or password');
    event.response.finalUserStatus = 'CONFIRMED';
  } else {
    event.response.finalUserStatus = 'RESET_REQUIRED';
  }
  event.response.userAttributes = { email: user.email, email_verified: 'true', name: user.name };
  event.response.messageAction = 'SUPPRESS';
  return event;
};
