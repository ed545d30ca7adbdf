// amazon-cognito-identity-js 6.x: its own SRP code, exactly as CognitoUser uses it for one sign-in
// (A, then the password key and the claim signature).
import { AuthenticationHelper, DateHelper } from 'amazon-cognito-identity-js';
import BigInteger from 'amazon-cognito-identity-js/es/BigInteger';
import { Sha256 } from '@aws-crypto/sha256-js';
import { Buffer } from 'buffer';

export async function srp({ poolName, username, password, saltHex, bHex, secretBlock }) {
  const h = new AuthenticationHelper(poolName);
  await new Promise((ok, fail) => h.getLargeAValue((e, A) => (e ? fail(e) : ok(A))));
  const hkdf = await new Promise((ok, fail) =>
    h.getPasswordAuthenticationKey(username, password, new BigInteger(bHex, 16), new BigInteger(saltHex, 16), (e, k) => (e ? fail(e) : ok(k))),
  );
  const msg = Buffer.concat([Buffer.from(poolName, 'utf8'), Buffer.from(username, 'utf8'), Buffer.from(secretBlock, 'base64'), Buffer.from(new DateHelper().getNowString(), 'utf8')]);
  const hash = new Sha256(hkdf);
  hash.update(msg);
  return Buffer.from(hash.digestSync()).toString('base64');
}
