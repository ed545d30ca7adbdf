//! A software authenticator for tests (a stand-in for a browser's WebAuthn and a passkey): one
//! credential with a P-256 or RSA key, CBOR attestation objects with `none` or `packed` self
//! attestation, assertions signed over authenticatorData ‖ SHA-256(clientDataJSON). It yields
//! the browser's credential (`cognito_proto::webauthn::PasskeyCredential`), so tests send it
//! exactly as the SDK does. Not used by the server itself.

use crate::util::{random_bytes, uuid};
use ciborium::Value as Cbor;
use cognito_proto::codec::base64url_encode;
use cognito_proto::crypto::sha256;
use cognito_proto::json::Json;
use cognito_proto::webauthn::PasskeyCredential;
use p256::ecdsa::signature::Signer;

pub enum Key {
    Es256(p256::ecdsa::SigningKey),
    Rs256(Box<rsa::RsaPrivateKey>),
}

pub struct Authenticator {
    pub key: Key,
    pub id: Vec<u8>,
    /// The signature counter it reports next.
    pub count: u32,
    /// The flags it sets: UP | UV by default.
    pub flags: u8,
    /// The user handle of the credential (registration's `user.id`).
    pub user_handle: Vec<u8>,
}

fn cbor(v: &Cbor) -> Vec<u8> {
    let mut out = vec![];
    // Writing into a Vec cannot fail.
    let _ = ciborium::into_writer(v, &mut out);
    out
}

fn int(i: i64) -> Cbor {
    Cbor::Integer(i.into())
}

fn text(s: &str) -> Cbor {
    Cbor::Text(s.into())
}

impl Authenticator {
    pub fn es256() -> Authenticator {
        let mut seed = random_bytes::<32>();
        seed[0] |= 1;
        let key = p256::ecdsa::SigningKey::from_slice(&sha256(&[&seed]))
            .unwrap_or_else(|_| p256::ecdsa::SigningKey::from_slice(&[7; 32]).expect("a valid scalar"));
        Authenticator { key: Key::Es256(key), id: sha256(&[uuid().as_bytes()])[..16].to_vec(), count: 0, flags: 0x05, user_handle: vec![] }
    }

    pub fn rs256() -> Authenticator {
        let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("an RSA key");
        Authenticator {
            key: Key::Rs256(Box::new(key)),
            id: sha256(&[uuid().as_bytes()])[..20].to_vec(),
            count: 0,
            flags: 0x05,
            user_handle: vec![],
        }
    }

    /// The COSE_Key of the credential (RFC 9052 §7; EC2 P-256 ES256 or RSA RS256).
    pub fn cose(&self) -> Vec<u8> {
        match &self.key {
            Key::Es256(k) => {
                let p = k.verifying_key().to_encoded_point(false);
                let coord = |c: Option<&p256::FieldBytes>| Cbor::Bytes(c.map(|c| c.to_vec()).unwrap_or_default());
                cbor(&Cbor::Map(vec![
                    (int(1), int(2)),
                    (int(3), int(-7)),
                    (int(-1), int(1)),
                    (int(-2), coord(p.x())),
                    (int(-3), coord(p.y())),
                ]))
            }
            Key::Rs256(k) => {
                use rsa::traits::PublicKeyParts;
                cbor(&Cbor::Map(vec![
                    (int(1), int(3)),
                    (int(3), int(-257)),
                    (int(-1), Cbor::Bytes(k.n().to_bytes_be())),
                    (int(-2), Cbor::Bytes(k.e().to_bytes_be())),
                ]))
            }
        }
    }

    pub fn alg(&self) -> i64 {
        match self.key {
            Key::Es256(_) => -7,
            Key::Rs256(_) => -257,
        }
    }

    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        match &self.key {
            Key::Es256(k) => {
                let s: p256::ecdsa::Signature = k.sign(msg);
                s.to_der().as_bytes().to_vec()
            }
            Key::Rs256(k) => {
                use rsa::signature::SignatureEncoding;
                rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**k).clone()).sign(msg).to_vec()
            }
        }
    }

    fn auth_data(&self, rp_id: &str, attested: bool) -> Vec<u8> {
        let mut d = sha256(&[rp_id.as_bytes()]).to_vec();
        d.push(self.flags | if attested { 0x40 } else { 0 });
        d.extend(self.count.to_be_bytes());
        if attested {
            d.extend([0u8; 16]);
            d.extend((self.id.len() as u16).to_be_bytes());
            d.extend(&self.id);
            d.extend(self.cose());
        }
        d
    }

    fn client_data(kind: &str, challenge: &[u8], origin: &str) -> Vec<u8> {
        Json::object(vec![
            ("type", Json::from(kind)),
            ("challenge", Json::Str(base64url_encode(challenge))),
            ("origin", Json::from(origin)),
            ("crossOrigin", Json::Bool(false)),
        ])
        .to_text()
        .into_bytes()
    }

    /// `navigator.credentials.create` for `challenge`, as `origin` for `rp_id`, with attestation
    /// `fmt` (`none` or `packed` self attestation; any other name is sent as it is).
    pub fn register(&mut self, challenge: &[u8], origin: &str, rp_id: &str, fmt: &str) -> PasskeyCredential {
        let cd = Self::client_data("webauthn.create", challenge, origin);
        let ad = self.auth_data(rp_id, true);
        let stmt = if fmt == "packed" {
            let sig = self.sign(&[&ad[..], &sha256(&[&cd])[..]].concat());
            Cbor::Map(vec![(text("alg"), int(self.alg())), (text("sig"), Cbor::Bytes(sig))])
        } else {
            Cbor::Map(vec![])
        };
        let att = cbor(&Cbor::Map(vec![(text("fmt"), text(fmt)), (text("attStmt"), stmt), (text("authData"), Cbor::Bytes(ad.clone()))]));
        PasskeyCredential {
            id: base64url_encode(&self.id),
            raw_id: self.id.clone(),
            attachment: Some("platform".into()),
            extensions: Json::parse(r#"{"credProps":{"rk":true}}"#).unwrap_or_default(),
            client_data: cd,
            authenticator_data: ad,
            attestation_object: att,
            transports: vec!["internal".into(), "hybrid".into()],
            public_key: None,
            public_key_alg: Some(self.alg()),
            ..Default::default()
        }
    }

    /// `navigator.credentials.get` for `challenge`, as `origin` for `rp_id`.
    pub fn assert(&mut self, challenge: &[u8], origin: &str, rp_id: &str) -> PasskeyCredential {
        let cd = Self::client_data("webauthn.get", challenge, origin);
        let ad = self.auth_data(rp_id, false);
        let sig = self.sign(&[&ad[..], &sha256(&[&cd])[..]].concat());
        PasskeyCredential {
            id: base64url_encode(&self.id),
            raw_id: self.id.clone(),
            attachment: Some("platform".into()),
            extensions: Json::Obj(vec![]),
            client_data: cd,
            authenticator_data: ad,
            signature: sig,
            user_handle: Some(self.user_handle.clone()).filter(|h| !h.is_empty()),
            ..Default::default()
        }
    }
}
