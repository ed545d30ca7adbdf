//! The server side of Cognito SRP (feature `server`), for the emulator and for the property
//! tests that hold the client to the protocol. SRP-6a as RFC 5054 §2.5 and the SRP design
//! paper define it, with Cognito's hashing of §`super`:
//!
//! ```text
//! v = g^x mod N                       stored per user (or per remembered device)
//! B = (k·v + g^b) mod N               b: at least 256 random bits; B mod N ≠ 0
//! u = H(pad(A) | pad(B))              reject A mod N = 0 and u = 0
//! S = (A·v^u)^b mod N
//! K, signature: as on the client; compared in constant time
//! ```

use super::mont::{self, U3072};
use super::{claim_signature, compute_u, compute_x, hkdf_key, k, Salt, SecretBlock, SrpA, SrpB, SrpError, SrpTimestamp};
use crate::crypto::ct_eq;
use crate::prelude::*;

/// `v = g^x mod N` with `x = H(pad(salt) | H(prefix | userId | ":" | password))`.
pub fn verifier(salt: &Salt, prefix: &str, user_id: &str, password: &str) -> U3072 {
    super::g_pow(&compute_x(salt, prefix, user_id, password))
}

/// The server's ephemeral pair `(b, B)`.
#[derive(Clone)]
pub struct ServerEphemeral {
    b: Vec<u8>,
    public: SrpB,
}

impl core::fmt::Debug for ServerEphemeral {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ServerEphemeral { b: [redacted], .. }")
    }
}

impl ServerEphemeral {
    /// `B = (k·v + g^b) mod N` for a given `b`.
    pub fn new(b: &[u8], v: &U3072) -> Result<Self, SrpError> {
        let big_b = mont::add_mod(&mont::mul_mod(&k(), &v.reduce()), &super::g_pow(b));
        if big_b.is_zero() {
            return Err(SrpError::BModNZero);
        }
        Ok(ServerEphemeral { b: b.to_vec(), public: SrpB(big_b) })
    }

    /// `b` from 32 random bytes (the caller's CSPRNG), top bit set: a full 256 bits.
    pub fn from_random(mut b: [u8; 32], v: &U3072) -> Result<Self, SrpError> {
        b[0] |= 0x80;
        Self::new(&b, v)
    }

    pub fn public(&self) -> &SrpB {
        &self.public
    }

    /// `S = (A·v^u)^b mod N`.
    pub fn premaster(&self, a: &SrpA, v: &U3072, u: &[u8; 32]) -> U3072 {
        let base = mont::mul_mod(&a.0.reduce(), &mont::pow(&v.reduce(), u));
        mont::pow(&base, &self.b)
    }

    /// The signature the client must send, computed from this side's view.
    pub fn expected_signature(
        &self,
        a: &SrpA,
        v: &U3072,
        prefix: &str,
        user_id: &str,
        block: &SecretBlock,
        ts: &SrpTimestamp,
    ) -> Result<String, SrpError> {
        let u = compute_u(a, &self.public)?;
        let key = hkdf_key(&u, &self.premaster(a, v, &u));
        Ok(claim_signature(&key, prefix, user_id, block, ts))
    }

    /// Checks a PASSWORD_CLAIM_SIGNATURE in constant time.
    #[allow(clippy::too_many_arguments)]
    pub fn verify(
        &self,
        a: &SrpA,
        v: &U3072,
        prefix: &str,
        user_id: &str,
        block: &SecretBlock,
        ts: &SrpTimestamp,
        signature: &str,
    ) -> Result<bool, SrpError> {
        let expected = self.expected_signature(a, v, prefix, user_id, block, ts)?;
        Ok(ct_eq(expected.as_bytes(), signature.as_bytes()))
    }
}
