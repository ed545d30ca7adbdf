//! Hashing primitives (SHA-256, HMAC-SHA256), Cognito's SECRET_HASH and constant-time equality.
//! Pure functions over bytes; the browser's WebCrypto is only used for RSA (see `web::crypto`).

use crate::prelude::*;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::codec::base64_encode;

/// SHA-256 over the concatenation of `parts`.
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// HMAC-SHA256 with `key` over the concatenation of `parts`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail; the fallback keeps
    // library code free of `expect`.
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// `SECRET_HASH = base64(HMAC(key = clientSecret, msg = username || clientId))`
/// (the "Computing secret hash values" page of the Cognito developer guide). `username` is the
/// USERNAME sent in the same request.
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    base64_encode(&hmac_sha256(client_secret.as_bytes(), &[secret_hash_message(username, client_id).as_bytes()]))
}

/// The message of `SECRET_HASH`'s HMAC: `username || clientId`.
pub fn secret_hash_message(username: &str, client_id: &str) -> String {
    String::from(username) + client_id
}

/// Equality whose running time depends only on the lengths, not on where the inputs differ.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    // black_box keeps the optimiser from turning the fold into an early exit.
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::hex_encode;

    #[test]
    fn sha256_and_hmac_known_answers() {
        assert_eq!(hex_encode(&sha256(&[b"a", b"bc"])), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        // RFC 4231 test case 2.
        assert_eq!(
            hex_encode(&hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"])),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn constant_time_eq() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
        assert!(ct_eq(b"", b""));
    }
}
