// @aws-amplify/auth 6.x: its own SRP utilities, as its signIn uses them for one sign-in.
import { getAuthenticationHelper, getNowString, getSignatureString } from '../../node_modules/@aws-amplify/auth/dist/esm/providers/cognito/utils/srp/index.mjs';
import BigInteger from '../../node_modules/@aws-amplify/auth/dist/esm/providers/cognito/utils/srp/BigInteger/BigInteger.mjs';

export async function srp({ poolName, username, password, saltHex, bHex, secretBlock }) {
  const h = await getAuthenticationHelper(poolName);
  const hkdf = await h.getPasswordAuthenticationKey({ username, password, serverBValue: new BigInteger(bHex, 16), salt: new BigInteger(saltHex, 16) });
  return getSignatureString({ userPoolName: poolName, username, challengeParameters: { SECRET_BLOCK: secretBlock }, dateNow: getNowString(), hkdf });
}
