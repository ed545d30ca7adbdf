//! A WebAuthn relying party (W3C Web Authentication Level 3) behind Cognito's passkey operations.
//!
//! ```text
//! registration (§7.1): StartWebAuthnRegistration → PublicKeyCredentialCreationOptionsJSON
//!   → navigator.credentials.create → CompleteWebAuthnRegistration(RegistrationResponseJSON)
//! authentication (§7.2): WEB_AUTHN challenge, CREDENTIAL_REQUEST_OPTIONS
//!   → navigator.credentials.get → CREDENTIAL = AuthenticationResponseJSON
//! ```
//! Checks, in the spec's order:
//! * clientDataJSON: `type` is `webauthn.create` / `webauthn.get`, `challenge` is the one issued
//!   (single use, expiring), `origin` is allowed and inside the RP ID.
//! * authenticatorData = rpIdHash (32) ‖ flags (1) ‖ signCount (4, big-endian) ‖
//!   attestedCredentialData (registration) ‖ extensions; rpIdHash = SHA-256(rpId); flags UP
//!   (bit 0) always, UV (bit 2) when the pool requires user verification, AT (bit 6) on
//!   registration. attestedCredentialData = aaguid (16) ‖ L (2) ‖ credentialId (L) ‖
//!   credentialPublicKey (a COSE_Key, RFC 9052 §7: EC2 P-256 with alg -7 = ES256, or RSA with
//!   alg -257 = RS256, RFC 8812 §2).
//! * attestationObject (CBOR `{fmt, attStmt, authData}`, §6.5): `none` (empty attStmt) or `packed`
//!   self attestation (§8.2: `alg` is the credential's, `sig` over authenticatorData ‖
//!   SHA-256(clientDataJSON) verifies with the credential key). Other formats, and packed with
//!   an x5c chain, are refused as not supported.
//! * assertion signature over authenticatorData ‖ SHA-256(clientDataJSON) with the stored key
//!   (ES256 signatures are DER, RFC 3279 §2.2.3); signCount: 0 is always accepted (many passkey
//!   providers always send 0), a non-zero count must exceed the stored one (§6.1.1).

use crate::error::{fail, invalid_param, not_authorized, ApiError, ApiResult, Exception};
use ciborium::Value as Cbor;
use cognito_proto::codec::{base64_decode, base64url_encode};
use cognito_proto::crypto::sha256;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A registered passkey.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Passkey {
    /// The credential id, base64url.
    pub id: String,
    /// The COSE_Key as registered.
    pub public_key: Vec<u8>,
    pub sign_count: u32,
    pub transports: Vec<String>,
    pub attachment: Option<String>,
    pub name: String,
    pub rp_id: String,
    pub created: i64,
}

/// What a ceremony is checked against.
pub struct Expect<'a> {
    /// base64url, as issued in the options.
    pub challenge: &'a str,
    pub rp_id: &'a str,
    /// Origins allowed to run the ceremony (`scheme://host[:port]`).
    pub origins: &'a [String],
    pub user_verification_required: bool,
}

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;
pub const ES256: i64 = -7;
pub const RS256: i64 = -257;

fn bad(m: impl Into<String>) -> ApiError {
    invalid_param(m)
}

/// base64url (padded or not; `base64_decode` reads both alphabets).
pub fn b64(s: &str) -> Option<Vec<u8>> {
    base64_decode(s)
}

fn field<'a>(v: &'a Value, path: &str) -> ApiResult<&'a str> {
    let mut cur = v;
    for p in path.split('.') {
        cur = cur.get(p).ok_or_else(|| bad(format!("Credential.{path} is required")))?;
    }
    cur.as_str().ok_or_else(|| bad(format!("Credential.{path} must be a string")))
}

fn bytes_of(v: &Value, path: &str) -> ApiResult<Vec<u8>> {
    b64(field(v, path)?).ok_or_else(|| bad(format!("Credential.{path} is not base64url")))
}

/// The origin of a URL-like string (`scheme://authority`), without path.
fn origin_host(origin: &str) -> Option<&str> {
    let rest = origin.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host =
        if authority.starts_with('[') { authority.split(']').next()?.trim_start_matches('[') } else { authority.split(':').next()? };
    Some(host)
}

/// clientDataJSON checks shared by both ceremonies; returns the raw bytes.
fn check_client_data(
    raw: &[u8],
    kind: &str,
    e: &Expect,
    on_origin: fn(String) -> ApiError,
    on_challenge: fn() -> ApiError,
) -> ApiResult<()> {
    let c: Value = serde_json::from_slice(raw).map_err(|_| bad("clientDataJSON is not JSON"))?;
    if c["type"] != kind {
        return Err(bad(format!("clientDataJSON.type must be {kind}")));
    }
    let given = c["challenge"].as_str().and_then(b64);
    if given.is_none() || given != b64(e.challenge) {
        return Err(on_challenge());
    }
    let origin = c["origin"].as_str().unwrap_or_default();
    let host = origin_host(origin).unwrap_or_default();
    let inside_rp = host == e.rp_id || host.ends_with(&format!(".{}", e.rp_id));
    if !inside_rp || !e.origins.iter().any(|o| o.trim_end_matches('/') == origin) {
        return Err(on_origin(format!("Origin {origin} is not allowed for relying party {}", e.rp_id)));
    }
    Ok(())
}

/// The parsed authenticatorData.
pub struct AuthData<'a> {
    pub flags: u8,
    pub sign_count: u32,
    /// Registration: (credential id, COSE key bytes).
    pub attested: Option<(Vec<u8>, Vec<u8>)>,
    pub raw: &'a [u8],
}

pub fn parse_auth_data(raw: &[u8]) -> ApiResult<AuthData<'_>> {
    if raw.len() < 37 {
        return Err(bad("authenticatorData is too short"));
    }
    let flags = raw[32];
    let sign_count = u32::from_be_bytes([raw[33], raw[34], raw[35], raw[36]]);
    let mut attested = None;
    if flags & AT != 0 {
        let rest = &raw[37..];
        if rest.len() < 18 {
            return Err(bad("attestedCredentialData is too short"));
        }
        let len = u16::from_be_bytes([rest[16], rest[17]]) as usize;
        let id = rest.get(18..18 + len).ok_or_else(|| bad("credentialId is cut short"))?.to_vec();
        let key_and_more = &rest[18 + len..];
        let mut cursor = std::io::Cursor::new(key_and_more);
        let _: Cbor = ciborium::from_reader(&mut cursor).map_err(|_| bad("credentialPublicKey is not CBOR"))?;
        let used = cursor.position() as usize;
        attested = Some((id, key_and_more[..used].to_vec()));
    }
    Ok(AuthData { flags, sign_count, attested, raw })
}

fn check_rp_and_flags(a: &AuthData, e: &Expect, mismatch: fn(String) -> ApiError) -> ApiResult<()> {
    if a.raw[..32] != sha256(&[e.rp_id.as_bytes()]) {
        return Err(mismatch(format!("The authenticator data is not for relying party {}", e.rp_id)));
    }
    if a.flags & UP == 0 {
        return Err(bad("The user was not present (UP flag clear)"));
    }
    if e.user_verification_required && a.flags & UV == 0 {
        return Err(bad("User verification is required (UV flag clear)"));
    }
    Ok(())
}

/// A COSE_Key's algorithm and a verifier for it.
pub enum PublicKey {
    Es256(p256::ecdsa::VerifyingKey),
    Rs256(rsa::RsaPublicKey),
}

fn cose_get(m: &[(Cbor, Cbor)], k: i64) -> Option<&Cbor> {
    m.iter().find(|(key, _)| key.as_integer().is_some_and(|i| i128::from(i) == k as i128)).map(|(_, v)| v)
}

fn cose_int(m: &[(Cbor, Cbor)], k: i64) -> Option<i64> {
    cose_get(m, k)?.as_integer().and_then(|i| i64::try_from(i128::from(i)).ok())
}

fn cose_bytes(m: &[(Cbor, Cbor)], k: i64) -> Option<&[u8]> {
    cose_get(m, k)?.as_bytes().map(Vec::as_slice)
}

pub fn parse_cose_key(bytes: &[u8]) -> ApiResult<PublicKey> {
    let unsupported = || fail(Exception::WebAuthnCredentialNotSupported, "Only ES256 (P-256) and RS256 credential keys are supported");
    let v: Cbor = ciborium::from_reader(bytes).map_err(|_| bad("credentialPublicKey is not CBOR"))?;
    let m = v.as_map().ok_or_else(|| bad("credentialPublicKey is not a COSE_Key map"))?;
    match (cose_int(m, 1), cose_int(m, 3)) {
        // kty EC2, alg ES256, crv P-256, x, y.
        (Some(2), Some(ES256)) if cose_int(m, -1) == Some(1) => {
            let (x, y) = (cose_bytes(m, -2).ok_or_else(unsupported)?, cose_bytes(m, -3).ok_or_else(unsupported)?);
            if x.len() != 32 || y.len() != 32 {
                return Err(bad("EC2 key coordinates must be 32 bytes"));
            }
            let sec1 = [&[4u8][..], x, y].concat();
            p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map(PublicKey::Es256).map_err(|_| bad("EC2 key is not on P-256"))
        }
        // kty RSA, alg RS256, n, e.
        (Some(3), Some(RS256)) => {
            let (n, e) = (cose_bytes(m, -1).ok_or_else(unsupported)?, cose_bytes(m, -2).ok_or_else(unsupported)?);
            rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(n), rsa::BigUint::from_bytes_be(e))
                .map(PublicKey::Rs256)
                .map_err(|_| bad("RSA key is not usable"))
        }
        _ => Err(unsupported()),
    }
}

impl PublicKey {
    pub fn alg(&self) -> i64 {
        match self {
            PublicKey::Es256(_) => ES256,
            PublicKey::Rs256(_) => RS256,
        }
    }

    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier;
        match self {
            PublicKey::Es256(k) => p256::ecdsa::DerSignature::try_from(sig).is_ok_and(|s| k.verify(msg, &s).is_ok()),
            PublicKey::Rs256(k) => {
                let v = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.clone());
                rsa::pkcs1v15::Signature::try_from(sig).is_ok_and(|s| v.verify(msg, &s).is_ok())
            }
        }
    }
}

/// Verifies a RegistrationResponseJSON; returns the new passkey (id, key, counter, transports,
/// attachment; the caller names and dates it).
pub fn verify_registration(credential: &Value, e: &Expect) -> ApiResult<Passkey> {
    if credential["type"] != "public-key" {
        return Err(bad("Credential.type must be public-key"));
    }
    let raw_id = bytes_of(credential, "rawId")?;
    if b64(field(credential, "id")?) != Some(raw_id.clone()) {
        return Err(bad("Credential.id and rawId differ"));
    }
    let client_data = bytes_of(credential, "response.clientDataJSON")?;
    check_client_data(
        &client_data,
        "webauthn.create",
        e,
        |m| fail(Exception::WebAuthnOriginNotAllowed, m),
        || fail(Exception::WebAuthnChallengeNotFound, "The registration challenge is unknown, used or expired"),
    )?;
    let att = bytes_of(credential, "response.attestationObject")?;
    let obj: Cbor = ciborium::from_reader(att.as_slice()).map_err(|_| bad("attestationObject is not CBOR"))?;
    let m = obj.as_map().ok_or_else(|| bad("attestationObject is not a map"))?;
    let get = |k: &str| m.iter().find(|(key, _)| key.as_text() == Some(k)).map(|(_, v)| v);
    let fmt = get("fmt").and_then(Cbor::as_text).ok_or_else(|| bad("attestationObject.fmt is missing"))?;
    let auth_data = get("authData").and_then(Cbor::as_bytes).ok_or_else(|| bad("attestationObject.authData is missing"))?;
    let stmt = get("attStmt").and_then(Cbor::as_map).ok_or_else(|| bad("attestationObject.attStmt is missing"))?;
    let a = parse_auth_data(auth_data)?;
    check_rp_and_flags(&a, e, |m| fail(Exception::WebAuthnRelyingPartyMismatch, m))?;
    let (cred_id, cose) = a.attested.clone().ok_or_else(|| bad("No attested credential data (AT flag clear)"))?;
    if cred_id != raw_id {
        return Err(bad("The attested credential id is not the credential's rawId"));
    }
    let key = parse_cose_key(&cose)?;
    let stmt_get = |k: &str| stmt.iter().find(|(key, _)| key.as_text() == Some(k)).map(|(_, v)| v);
    match fmt {
        "none" if stmt.is_empty() => {}
        "packed" if stmt_get("x5c").is_none() => {
            let alg = stmt_get("alg").and_then(Cbor::as_integer).map(i128::from);
            if alg != Some(key.alg() as i128) {
                return Err(bad("packed self attestation: alg is not the credential key's"));
            }
            let sig = stmt_get("sig").and_then(Cbor::as_bytes).ok_or_else(|| bad("packed attestation without sig"))?;
            let signed = [auth_data, &sha256(&[&client_data])[..]].concat();
            if !key.verify(&signed, sig) {
                return Err(bad("packed self attestation: the signature does not verify"));
            }
        }
        _ => {
            return Err(fail(
                Exception::WebAuthnCredentialNotSupported,
                format!("Attestation format {fmt} is not supported here (none and packed self attestation are)"),
            ))
        }
    }
    let transports = credential["response"]["transports"]
        .as_array()
        .map(|t| t.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default();
    Ok(Passkey {
        id: base64url_encode(&raw_id),
        public_key: cose,
        sign_count: a.sign_count,
        transports,
        attachment: credential["authenticatorAttachment"].as_str().map(String::from),
        name: String::new(),
        rp_id: e.rp_id.to_string(),
        created: 0,
    })
}

/// Verifies an AuthenticationResponseJSON against the user's passkeys and `user_handle` (the
/// `user.id` the passkeys were registered with); returns the index of the passkey used and its
/// new signature counter. Every refusal is Cognito's NotAuthorizedException.
pub fn verify_assertion(credential: &Value, e: &Expect, passkeys: &[Passkey], user_handle: &[u8]) -> ApiResult<(usize, u32)> {
    let refuse = |why: &str| not_authorized(format!("Authentication failed: {why}"));
    let id = b64(field(credential, "rawId").or_else(|_| field(credential, "id"))?).ok_or_else(|| refuse("rawId is not base64url"))?;
    let i = passkeys.iter().position(|p| b64(&p.id).as_deref() == Some(&id[..])).ok_or_else(|| refuse("unknown credential"))?;
    if let Some(h) = credential["response"]["userHandle"].as_str().filter(|h| !h.is_empty()) {
        if b64(h).as_deref() != Some(user_handle) {
            return Err(refuse("the userHandle is another user's"));
        }
    }
    let client_data = bytes_of(credential, "response.clientDataJSON").map_err(|_| refuse("clientDataJSON missing"))?;
    check_client_data(&client_data, "webauthn.get", e, not_authorized, || {
        not_authorized("Authentication failed: the challenge is not the one issued")
    })
    .map_err(|x| if x.is(&Exception::InvalidParameter) { refuse(&x.message) } else { x })?;
    let auth_data = bytes_of(credential, "response.authenticatorData").map_err(|_| refuse("authenticatorData missing"))?;
    let a = parse_auth_data(&auth_data).map_err(|x| refuse(&x.message))?;
    check_rp_and_flags(&a, e, not_authorized).map_err(|x| if x.is(&Exception::InvalidParameter) { refuse(&x.message) } else { x })?;
    let sig = bytes_of(credential, "response.signature").map_err(|_| refuse("signature missing"))?;
    let key = parse_cose_key(&passkeys[i].public_key).map_err(|x| refuse(&x.message))?;
    let signed = [&auth_data[..], &sha256(&[&client_data])[..]].concat();
    if !key.verify(&signed, &sig) {
        return Err(refuse("the signature does not verify"));
    }
    let stored = passkeys[i].sign_count;
    if a.sign_count != 0 && a.sign_count <= stored {
        return Err(refuse("the signature counter did not increase (a cloned authenticator?)"));
    }
    Ok((i, a.sign_count))
}

/// PublicKeyCredentialCreationOptionsJSON for StartWebAuthnRegistration.
#[allow(clippy::too_many_arguments)]
pub fn creation_options(
    challenge: &str,
    rp_id: &str,
    rp_name: &str,
    user_handle: &[u8],
    username: &str,
    display_name: &str,
    existing: &[Passkey],
    user_verification: &str,
    timeout_ms: u32,
) -> Value {
    json!({
        "rp": {"id": rp_id, "name": rp_name},
        "user": {"id": base64url_encode(user_handle), "name": username, "displayName": display_name},
        "challenge": challenge,
        "pubKeyCredParams": [{"type": "public-key", "alg": ES256}, {"type": "public-key", "alg": RS256}],
        "timeout": timeout_ms,
        "excludeCredentials": existing.iter().map(|p| json!({"type": "public-key", "id": p.id, "transports": p.transports})).collect::<Vec<_>>(),
        "authenticatorSelection": {"residentKey": "required", "requireResidentKey": true, "userVerification": user_verification},
        "hints": [],
        "attestation": "none",
        "extensions": {"credProps": true},
    })
}

/// PublicKeyCredentialRequestOptionsJSON for the WEB_AUTHN challenge.
pub fn request_options(challenge: &str, rp_id: &str, passkeys: &[Passkey], user_verification: &str, timeout_ms: u32) -> Value {
    json!({
        "challenge": challenge,
        "timeout": timeout_ms,
        "rpId": rp_id,
        "allowCredentials": passkeys.iter().map(|p| json!({"type": "public-key", "id": p.id, "transports": p.transports})).collect::<Vec<_>>(),
        "userVerification": user_verification,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_hosts() {
        assert_eq!(origin_host("http://localhost:8080"), Some("localhost"));
        assert_eq!(origin_host("https://app.example.com/x"), Some("app.example.com"));
        assert_eq!(origin_host("http://[::1]:80"), Some("::1"));
        assert_eq!(origin_host("localhost"), None);
    }

    #[test]
    fn short_or_cut_authenticator_data_is_refused() {
        assert!(parse_auth_data(&[0; 36]).is_err());
        let mut d = vec![0u8; 37];
        d[32] = AT;
        d.extend([0u8; 16]);
        d.extend([0, 40]);
        d.extend([1u8; 10]);
        assert!(parse_auth_data(&d).is_err());
    }
}
