//! Passkeys: WebAuthn's JSON forms as Cognito sends and takes them (W3C Web Authentication
//! Level 3, §5.1.8 toJSON and §5.4/§5.5 the options JSON dictionaries).
//!
//! ```text
//! StartWebAuthnRegistration → CredentialCreationOptions (PublicKeyCredentialCreationOptionsJSON)
//!   challenge, user.id, excludeCredentials[].id: base64url → bytes   → navigator.credentials.create
//!   ← RegistrationResponseJSON {id, rawId, type, response {clientDataJSON, attestationObject,
//!       authenticatorData, transports, publicKey, publicKeyAlgorithm}, authenticatorAttachment,
//!       clientExtensionResults}                                      → CompleteWebAuthnRegistration
//! WEB_AUTHN challenge → CREDENTIAL_REQUEST_OPTIONS (PublicKeyCredentialRequestOptionsJSON, a string)
//!   challenge, allowCredentials[].id: base64url → bytes              → navigator.credentials.get
//!   ← AuthenticationResponseJSON {id, rawId, type, response {clientDataJSON, authenticatorData,
//!       signature, userHandle}, authenticatorAttachment, clientExtensionResults} → CREDENTIAL (a string)
//! ```
//! Bytes travel as base64url without padding (RFC 4648 §5; §10's vectors: "foobar" → `Zm9vYmFy`,
//! "fo" → `Zm8`). Other members of the options (`hints`, `attestationFormats`, `extensions`, an
//! empty `user.displayName`) pass through to the browser untouched. Failures of the ceremony
//! become `PasskeyError` with a [`PasskeyCode`] ([`failure`], from the DOMException's name).

use crate::codec::{base64_decode, base64url_encode};
use crate::error::{Error, ErrorKind, PasskeyCode};
use crate::json::Json;
use crate::prelude::*;

/// Options for one ceremony, ready for the browser: the document, and its base64url members
/// decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct PasskeyOptions {
    /// The options as Cognito sent them; the web layer replaces the members below by bytes.
    pub doc: Json,
    pub challenge: Vec<u8>,
    /// Creation only: `user.id` (the user handle).
    pub user_id: Option<Vec<u8>>,
    /// The ids of `excludeCredentials` (creation) or `allowCredentials` (request), in order.
    pub credential_ids: Vec<Vec<u8>>,
    /// The ceremony is given up after this long: the options' `timeout` (default 5 minutes,
    /// at most 10) and a few seconds for the browser to say so itself.
    pub timeout_ms: u32,
}

impl PasskeyOptions {
    /// `navigator.credentials.create` (else `.get`).
    pub fn creating(&self) -> bool {
        self.user_id.is_some()
    }
    /// The member holding the credential list.
    pub fn list_key(&self) -> &'static str {
        if self.creating() {
            "excludeCredentials"
        } else {
            "allowCredentials"
        }
    }
}

fn invalid(what: &str) -> Error {
    Error::new(ErrorKind::Passkey(PasskeyCode::InvalidOptions), String::from("the passkey options from Cognito are unusable: ") + what)
}

fn bytes(doc: &Json, key: &str, name: &str) -> Result<Vec<u8>, Error> {
    doc.str(key).and_then(base64_decode).ok_or_else(|| invalid(&(String::from(name) + " is not base64url")))
}

/// The ceremony's options from Cognito's document: for a registration (`creating`) or an
/// assertion. Refuses (InvalidOptions) what no browser could use, so the page never sees a
/// TypeError.
pub fn options(doc: &Json, creating: bool) -> Result<PasskeyOptions, Error> {
    if doc.as_object().is_none() {
        return Err(invalid("not a JSON object"));
    }
    let mut doc = doc.clone();
    let challenge = bytes(&doc, "challenge", "challenge")?;
    let user_id = match doc.get("user").cloned().filter(|_| creating) {
        None if creating => return Err(invalid("user is required")),
        None => None,
        Some(mut user) => {
            if doc.get("rp").and_then(Json::as_object).is_none() || doc.get("pubKeyCredParams").and_then(Json::as_array).is_none() {
                return Err(invalid("rp and pubKeyCredParams are required"));
            }
            let id = bytes(&user, "id", "user.id")?;
            if user.str("name").is_none() {
                return Err(invalid("user.name is required"));
            }
            // The dictionary requires displayName; Cognito may leave it out or empty.
            if user.str("displayName").is_none() {
                user.set("displayName", Json::from(""));
                doc.set("user", user);
            }
            Some(id)
        }
    };
    let list_key = if user_id.is_some() { "excludeCredentials" } else { "allowCredentials" };
    let mut credential_ids = vec![];
    match doc.get(list_key) {
        None | Some(Json::Null) => {}
        Some(Json::Arr(list)) => {
            for c in list {
                credential_ids.push(bytes(c, "id", list_key)?);
            }
        }
        Some(_) => return Err(invalid("the credential list is not an array")),
    }
    let timeout = doc.get("timeout").and_then(Json::as_i64).filter(|t| *t > 0).unwrap_or(300_000).min(600_000);
    Ok(PasskeyOptions { doc, challenge, user_id, credential_ids, timeout_ms: timeout as u32 + 5_000 })
}

/// A credential as the browser returned it (`PublicKeyCredential` and its response), bytes as
/// bytes. Registration fills `attestation_object`, `transports` and the public key; an
/// assertion fills `signature` and `user_handle`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PasskeyCredential {
    /// The browser's `id` (base64url of `raw_id`); computed when empty.
    pub id: String,
    pub raw_id: Vec<u8>,
    pub attachment: Option<String>,
    /// `getClientExtensionResults()`.
    pub extensions: Json,
    pub client_data: Vec<u8>,
    pub authenticator_data: Vec<u8>,
    pub attestation_object: Vec<u8>,
    pub transports: Vec<String>,
    pub public_key: Option<Vec<u8>>,
    pub public_key_alg: Option<i64>,
    pub signature: Vec<u8>,
    pub user_handle: Option<Vec<u8>>,
}

fn b64(v: &[u8]) -> Json {
    Json::Str(base64url_encode(v))
}

/// RegistrationResponseJSON (registration) or AuthenticationResponseJSON (an assertion: when
/// there is no attestation object).
pub fn credential_json(c: &PasskeyCredential) -> Json {
    let mut r = vec![("clientDataJSON", b64(&c.client_data)), ("authenticatorData", b64(&c.authenticator_data))];
    if c.attestation_object.is_empty() {
        r.push(("signature", b64(&c.signature)));
        if let Some(h) = &c.user_handle {
            r.push(("userHandle", b64(h)));
        }
    } else {
        r.push(("attestationObject", b64(&c.attestation_object)));
        r.push(("transports", Json::Arr(c.transports.iter().map(|t| Json::from(t.as_str())).collect())));
        if let Some(k) = &c.public_key {
            r.push(("publicKey", b64(k)));
        }
        if let Some(a) = c.public_key_alg {
            r.push(("publicKeyAlgorithm", Json::int(a)));
        }
    }
    let id = if c.id.is_empty() { base64url_encode(&c.raw_id) } else { c.id.clone() };
    let ext = if c.extensions.as_object().is_some() { c.extensions.clone() } else { Json::Obj(vec![]) };
    let mut m = vec![("id", Json::Str(id)), ("rawId", b64(&c.raw_id)), ("type", Json::from("public-key")), ("response", Json::object(r))];
    if let Some(a) = &c.attachment {
        m.push(("authenticatorAttachment", Json::from(a.as_str())));
    }
    m.push(("clientExtensionResults", ext));
    Json::object(m)
}

/// The PasskeyError for a failed ceremony, from the DOMException's `name` (WebAuthn §5.1.3 and
/// §5.1.4 list which the browser throws when). `creating`: InvalidStateError means this
/// authenticator already holds a passkey of the user (an `excludeCredentials` match).
pub fn failure(dom_name: &str, message: &str, creating: bool) -> Error {
    let (code, what) = match dom_name {
        "NotAllowedError" | "AbortError" | "TimeoutError" => (
            PasskeyCode::NotAllowed,
            "the passkey request did not complete: the user cancelled it, it timed out, or no passkey on this device matches (the browser does not say which)",
        ),
        "InvalidStateError" if creating => (PasskeyCode::AlreadyRegistered, "this authenticator already holds a passkey for this user"),
        "SecurityError" => (
            PasskeyCode::RelyingPartyMismatch,
            "this page may not use the relying party ID (it must be the page's domain or a parent of it: not an IP address)",
        ),
        "NotSupportedError" => (PasskeyCode::NotSupported, "no authenticator here supports the requested passkey"),
        "TypeError" | "DataError" | "SyntaxError" => (PasskeyCode::InvalidOptions, "the browser refused the passkey options"),
        _ => (PasskeyCode::Failed, "the passkey request failed"),
    };
    Error::new(ErrorKind::Passkey(code), String::from(what) + " (" + dom_name + ": " + message + ")")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(s: &str) -> Json {
        Json::parse(s).unwrap()
    }

    #[test]
    fn rfc4648_base64url_vectors() {
        // RFC 4648 §10, in the URL-safe alphabet without padding (§5).
        for (plain, enc) in [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64url_encode(plain.as_bytes()), enc);
            assert_eq!(base64_decode(enc).unwrap(), plain.as_bytes());
        }
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn creation_options_decode_and_pass_level_3_members_through() {
        let o = options(&j(r#"{"rp":{"id":"localhost","name":"p"},"user":{"id":"dXNlcg","name":"pk","displayName":""},
            "challenge":"Zm9vYmFy","pubKeyCredParams":[{"type":"public-key","alg":-7}],"timeout":60000,
            "excludeCredentials":[{"type":"public-key","id":"AQI","transports":["internal"]}],
            "hints":["client-device"],"attestation":"none","attestationFormats":["packed"],"extensions":{"credProps":true}}"#), true)
        .unwrap();
        assert!(o.creating());
        assert_eq!(o.challenge, b"foobar");
        assert_eq!(o.user_id.as_deref(), Some(&b"user"[..]));
        assert_eq!(o.credential_ids, [vec![1u8, 2]]);
        assert_eq!((o.list_key(), o.timeout_ms), ("excludeCredentials", 65_000));
        assert_eq!(o.doc.get("hints"), Some(&j(r#"["client-device"]"#)));
        assert_eq!(o.doc.get("user").and_then(|u| u.str("displayName")), Some(""));
        // displayName absent: added, empty.
        let o = options(&j(r#"{"rp":{"name":"p"},"user":{"id":"AA","name":"pk"},"challenge":"AA","pubKeyCredParams":[]}"#), true).unwrap();
        assert_eq!(o.doc.get("user").and_then(|u| u.str("displayName")), Some(""));
        assert_eq!(o.timeout_ms, 305_000);
    }

    #[test]
    fn request_options_and_refusals() {
        let o = options(&j(r#"{"challenge":"AAEC","rpId":"localhost","allowCredentials":[{"type":"public-key","id":"-_8"}],"userVerification":"preferred"}"#), false)
            .unwrap();
        assert!(!o.creating());
        assert_eq!((o.challenge.as_slice(), o.list_key()), (&[0u8, 1, 2][..], "allowCredentials"));
        assert_eq!(o.credential_ids, [vec![0xfb, 0xff]]);
        // A `user` in request options is not a registration.
        assert!(!options(&j(r#"{"challenge":"AA","user":{"id":"AA","name":"n"}}"#), false).unwrap().creating());
        for (bad, creating) in [
            (r#"[]"#, false),
            (r#"{"rpId":"x"}"#, false),
            (r#"{"challenge":"not base64!"}"#, false),
            (r#"{"challenge":"AA","allowCredentials":{"id":"AA"}}"#, false),
            (r#"{"challenge":"AA","allowCredentials":[{"type":"public-key"}]}"#, false),
            (r#"{"challenge":"AA","rp":{"name":"p"},"pubKeyCredParams":[]}"#, true),
            (r#"{"challenge":"AA","user":{"id":"AA","name":"n"}}"#, true),
            (r#"{"challenge":"AA","rp":{},"pubKeyCredParams":[],"user":{"name":"n"}}"#, true),
            (r#"{"challenge":"AA","rp":{},"pubKeyCredParams":[],"user":{"id":"AA"}}"#, true),
        ] {
            let e = options(&j(bad), creating).unwrap_err();
            assert_eq!((e.name(), e.kind()), ("PasskeyError", &ErrorKind::Passkey(PasskeyCode::InvalidOptions)), "{bad}");
        }
    }

    #[test]
    fn registration_and_authentication_json_shapes() {
        let reg = PasskeyCredential {
            raw_id: vec![1, 2, 3],
            attachment: Some("platform".into()),
            extensions: j(r#"{"credProps":{"rk":true}}"#),
            client_data: b"{}".to_vec(),
            authenticator_data: vec![9],
            attestation_object: vec![0xa0],
            transports: vec!["internal".into(), "hybrid".into()],
            public_key: Some(vec![4]),
            public_key_alg: Some(-7),
            ..Default::default()
        };
        assert_eq!(
            credential_json(&reg).to_text(),
            r#"{"id":"AQID","rawId":"AQID","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"CQ","attestationObject":"oA","transports":["internal","hybrid"],"publicKey":"BA","publicKeyAlgorithm":-7},"authenticatorAttachment":"platform","clientExtensionResults":{"credProps":{"rk":true}}}"#
        );
        let auth = PasskeyCredential {
            id: "AQID".into(),
            raw_id: vec![1, 2, 3],
            client_data: b"{}".to_vec(),
            authenticator_data: vec![9],
            signature: vec![0x30],
            user_handle: Some(b"u".to_vec()),
            extensions: Json::Null,
            ..Default::default()
        };
        assert_eq!(
            credential_json(&auth).to_text(),
            r#"{"id":"AQID","rawId":"AQID","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"CQ","signature":"MA","userHandle":"dQ"},"clientExtensionResults":{}}"#
        );
    }

    #[test]
    fn dom_exceptions_become_passkey_codes() {
        let code = |n: &str, c: bool| match failure(n, "m", c).kind() {
            ErrorKind::Passkey(p) => p.as_str(),
            _ => "?",
        };
        assert_eq!(code("NotAllowedError", false), "NotAllowed");
        assert_eq!(code("TimeoutError", true), "NotAllowed");
        assert_eq!(code("InvalidStateError", true), "AlreadyRegistered");
        assert_eq!(code("InvalidStateError", false), "Failed");
        assert_eq!(code("SecurityError", false), "RelyingPartyMismatch");
        assert_eq!(code("NotSupportedError", true), "NotSupported");
        assert_eq!(code("TypeError", true), "InvalidOptions");
        assert_eq!(code("UnknownError", true), "Failed");
        let e = failure("NotAllowedError", "The operation either timed out or was not allowed.", false);
        assert!(e.message().contains("does not say which") && e.message().ends_with("was not allowed.)"));
        assert!(!e.retryable());
    }
}
