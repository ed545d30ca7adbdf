//! The user's side of PASSWORD_VERIFIER: the ephemeral `(a, A)` and the claim.
//!
//! ```text
//! A = g^a mod N
//! S = (B - k·g^x)^(a + u·x) mod N
//! K = HKDF-SHA256(pad(S), pad(u), "Caldera Derived Key")[..16]
//! PASSWORD_CLAIM_SIGNATURE = base64(HMAC(K, poolName | USER_ID_FOR_SRP | SECRET_BLOCK | TIMESTAMP))
//! ```
//! Pinned by the Cognito sign-in cases in `tests/vectors/srp-vectors.json` (every intermediate).

use super::{
    add_be, claim_signature, compute_u, compute_x, g_pow, hkdf_key, k, mont, mul_be, SrpA, SrpB, SrpError, SrpTimestamp, VerifierChallenge,
    PRIVATE_BYTES,
};
use crate::prelude::*;
use crate::types::{Password, UserIdForSrp, UserPoolId};
use mont::U3072;

/// The client's ephemeral key pair `(a, A = g^a mod N)`.
#[derive(Clone)]
pub struct ClientEphemeral {
    a: Vec<u8>,
    public: SrpA,
}

impl core::fmt::Debug for ClientEphemeral {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ClientEphemeral { a: [redacted], .. }")
    }
}

impl ClientEphemeral {
    /// `A = g^a mod N` from a given private value (big-endian).
    pub fn from_private(a: &[u8]) -> Result<Self, SrpError> {
        let start = a.iter().position(|&b| b != 0).unwrap_or(a.len());
        let a = &a[start..];
        if a.is_empty() || a == [1] {
            return Err(SrpError::WeakPrivateValue);
        }
        let public = g_pow(a);
        Ok(ClientEphemeral { a: a.to_vec(), public: SrpA(public) })
    }

    /// A fresh `a` from [`PRIVATE_BYTES`] random bytes (the caller's CSPRNG: `Env::random`
    /// in the SDK), top bit set so that it is exactly 288 bits long; then `A`.
    pub fn from_random(mut bytes: [u8; PRIVATE_BYTES]) -> Result<Self, SrpError> {
        bytes[0] |= 0x80;
        Self::from_private(&bytes)
    }

    pub fn public(&self) -> &SrpA {
        &self.public
    }
}

/// `a + u·x` as big-endian bytes (the exponent of S; not reduced).
fn client_exponent(a: &[u8], u: &[u8; 32], x: &[u8; 32]) -> Vec<u8> {
    let ux = mul_be(u, x);
    add_be(a, &ux)
}

/// `S = (B - k·g^x)^(a + u·x) mod N` (the base reduced mod N first: it is usually negative).
pub fn client_premaster(eph: &ClientEphemeral, b: &SrpB, u: &[u8; 32], x: &[u8; 32]) -> U3072 {
    let kgx = mont::mul_mod(&k(), &g_pow(x));
    let base = mont::sub_mod(&b.0.reduce(), &kgx);
    mont::pow(&base, &client_exponent(&eph.a, u, x))
}

/// The result of answering a verifier challenge. Intermediates are kept for the vector tests
/// and are redacted in `Debug`.
#[derive(Clone)]
pub struct Claim {
    pub signature: String,
    pub u: [u8; 32],
    pub x: [u8; 32],
    pub s: U3072,
    pub key: [u8; 16],
}

impl core::fmt::Debug for Claim {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Claim { signature: ")?;
        f.write_str(&self.signature)?;
        f.write_str(", .. }")
    }
}

pub(crate) fn claim(
    eph: &ClientEphemeral,
    prefix: &str,
    user_id: &str,
    password: &str,
    ch: &VerifierChallenge,
    ts: &SrpTimestamp,
) -> Result<Claim, SrpError> {
    let u = compute_u(&eph.public, &ch.srp_b)?;
    let x = compute_x(&ch.salt, prefix, user_id, password);
    let s = client_premaster(eph, &ch.srp_b, &u, &x);
    let key = hkdf_key(&u, &s);
    let signature = claim_signature(&key, prefix, user_id, &ch.secret_block, ts);
    Ok(Claim { signature, u, x, s, key })
}

/// PASSWORD_VERIFIER: the claim over the pool name and USER_ID_FOR_SRP.
pub fn password_claim(
    eph: &ClientEphemeral,
    pool: &UserPoolId,
    user: &UserIdForSrp,
    password: &Password,
    ch: &VerifierChallenge,
    ts: &SrpTimestamp,
) -> Result<Claim, SrpError> {
    claim(eph, pool.pool_name(), user.as_str(), password.expose(), ch, ts)
}
