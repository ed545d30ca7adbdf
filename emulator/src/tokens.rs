//! RS256 signing keys, JWT issue and verification, JWKS (the developer guide's "Understanding
//! user pool JSON web tokens").
//! ID and access tokens are signed with different keys, like Cognito's.

use cognito_proto::codec::{base64_decode, base64_encode, base64url_encode};
use cognito_proto::crypto::sha256;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha256;

/// A key as persisted: its `kid` and PKCS#8 DER, base64.
#[derive(Clone, Serialize, Deserialize)]
pub struct StoredKey {
    pub kid: String,
    pub pkcs8: String,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoredKey {{ kid: {}, pkcs8: [redacted] }}", self.kid)
    }
}

/// A signing key; its signer and verifier are made once, so signing clones nothing and runs on
/// any thread, outside the state's lock. Signatures are made with ring (RSA in assembly: several
/// times faster than the pure-Rust `rsa` crate, which still generates keys and verifies).
#[derive(Clone)]
pub struct Key {
    pub kid: String,
    private: RsaPrivateKey,
    signer: std::sync::Arc<ring::signature::RsaKeyPair>,
    verifier: VerifyingKey<Sha256>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key {{ kid: {}, private: [redacted] }}", self.kid)
    }
}

impl Key {
    pub fn generate() -> Result<Key, String> {
        let private = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).map_err(|e| e.to_string())?;
        // Cognito's kids are 44-character standard base64 (with '+', '/', '='): keep that shape.
        let kid = base64_encode(&sha256(&[&private.n().to_bytes_be()]));
        Key::new(kid, private)
    }

    fn new(kid: String, private: RsaPrivateKey) -> Result<Key, String> {
        let der = private.to_pkcs8_der().map_err(|e| e.to_string())?;
        let signer = ring::signature::RsaKeyPair::from_pkcs8(der.as_bytes()).map_err(|e| format!("signing key: {e}"))?;
        let verifier = VerifyingKey::<Sha256>::new(RsaPublicKey::from(&private));
        Ok(Key { kid, private, signer: std::sync::Arc::new(signer), verifier })
    }

    pub fn to_stored(&self) -> Result<StoredKey, String> {
        let der = self.private.to_pkcs8_der().map_err(|e| e.to_string())?;
        Ok(StoredKey { kid: self.kid.clone(), pkcs8: base64_encode(der.as_bytes()) })
    }

    pub fn from_stored(s: &StoredKey) -> Result<Key, String> {
        let der = base64_decode(&s.pkcs8).ok_or("bad key encoding")?;
        let private = RsaPrivateKey::from_pkcs8_der(&der).map_err(|e| e.to_string())?;
        Key::new(s.kid.clone(), private)
    }

    pub fn jwk(&self) -> Value {
        let public = RsaPublicKey::from(&self.private);
        json!({
            "alg": "RS256",
            "e": base64url_encode(&public.e().to_bytes_be()),
            "kid": self.kid,
            "kty": "RSA",
            "n": base64url_encode(&public.n().to_bytes_be()),
            "use": "sig",
        })
    }

    /// A compact JWS: `{"kid","alg":"RS256"}.payload.signature` (RSASSA-PKCS1-v1_5 with SHA-256).
    pub fn sign(&self, claims: &Value) -> Result<String, String> {
        let header = json!({"kid": self.kid, "alg": "RS256"});
        let signing_input =
            format!("{}.{}", base64url_encode(header.to_string().as_bytes()), base64url_encode(claims.to_string().as_bytes()));
        let mut sig = vec![0u8; self.signer.public().modulus_len()];
        let rng = ring::rand::SystemRandom::new();
        self.signer
            .sign(&ring::signature::RSA_PKCS1_SHA256, &rng, signing_input.as_bytes(), &mut sig)
            .map_err(|e| format!("signing failed: {e}"))?;
        Ok(format!("{signing_input}.{}", base64url_encode(&sig)))
    }

    /// Checks the signature; returns the claims.
    pub fn verify(&self, jwt: &str) -> Option<Value> {
        let mut parts = jwt.split('.');
        let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let sig = Signature::try_from(base64_decode(s)?.as_slice()).ok()?;
        self.verifier.verify(format!("{h}.{p}").as_bytes(), &sig).ok()?;
        serde_json::from_slice(&base64_decode(p)?).ok()
    }
}

/// The `kid` in a JWT's header, without checking anything.
pub fn header_kid(jwt: &str) -> Option<String> {
    let h = jwt.split('.').next()?;
    let v: Value = serde_json::from_slice(&base64_decode(h)?).ok()?;
    v.get("kid")?.as_str().map(String::from)
}

/// The claims of a JWT, without checking anything (for the emulator's own bookkeeping).
pub fn peek_claims(jwt: &str) -> Option<Value> {
    let p = jwt.split('.').nth(1)?;
    serde_json::from_slice(&base64_decode(p)?).ok()
}

/// OIDC `at_hash`: base64url of the left half of SHA-256 of the access token.
pub fn at_hash(access_token: &str) -> String {
    base64url_encode(&sha256(&[access_token.as_bytes()])[..16])
}

/// An opaque refresh token shaped like Cognito's (five dot-separated parts, JWE header), so a
/// client that wrongly decodes it is caught.
pub fn refresh_token() -> String {
    let header = base64url_encode(br#"{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}"#);
    format!(
        "{header}.{}.{}.{}.{}",
        crate::util::opaque_token(256),
        crate::util::opaque_token(12),
        crate::util::opaque_token(96),
        crate::util::opaque_token(16)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_round_trip_and_tamper() {
        let k = Key::generate().unwrap();
        assert_eq!(k.kid.len(), 44);
        let jwt = k.sign(&json!({"sub": "x", "n": 1})).unwrap();
        assert_eq!(jwt.split('.').count(), 3);
        assert_eq!(k.verify(&jwt).unwrap()["sub"], "x");
        assert_eq!(header_kid(&jwt).unwrap(), k.kid);
        let mut parts: Vec<&str> = jwt.split('.').collect();
        let forged = base64url_encode(br#"{"sub":"y","n":1}"#);
        parts[1] = &forged;
        assert!(k.verify(&parts.join(".")).is_none());
        let restored = Key::from_stored(&k.to_stored().unwrap()).unwrap();
        assert!(restored.verify(&jwt).is_some());
        assert_eq!(refresh_token().split('.').count(), 5);
    }
}
