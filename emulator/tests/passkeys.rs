//! Passkeys and choice-based sign-in over HTTP: a software authenticator (P-256 or RSA keys,
//! CBOR attestation objects, `none` and `packed` self attestation) registers and signs in
//! against the emulator's relying party, and every check refuses what it must: wrong origin,
//! wrong RP ID, a replayed or foreign challenge, a tampered signature, a counter going
//! backwards, user verification required but absent. USER_AUTH: PREFERRED_CHALLENGE,
//! SELECT_CHALLENGE with AvailableChallenges, e-mail codes, passwords, passwordless sign-up.

mod common;
use ciborium::Value as Cbor;
use cognito_emulator::authenticator::{Authenticator as Soft, Key};
use cognito_proto::codec::base64url_encode;
use cognito_proto::webauthn::credential_json;
use common::*;
use serde_json::{json, Value};

const ORIGIN: &str = "http://localhost:5173";

fn b64(s: &str) -> Vec<u8> {
    cognito_proto::codec::base64_decode(s).expect("base64url")
}

fn cbor(v: &Cbor) -> Vec<u8> {
    let mut out = vec![];
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

/// The emulator's software authenticator, its credentials sent as the SDK sends them
/// (`cognito_proto::webauthn::credential_json`).
struct Authenticator(Soft);

impl std::ops::Deref for Authenticator {
    type Target = Soft;
    fn deref(&self) -> &Soft {
        &self.0
    }
}
impl std::ops::DerefMut for Authenticator {
    fn deref_mut(&mut self) -> &mut Soft {
        &mut self.0
    }
}

fn as_value(c: &cognito_proto::webauthn::PasskeyCredential) -> Value {
    serde_json::from_str(&credential_json(c).to_text()).unwrap()
}

impl Authenticator {
    fn es256() -> Authenticator {
        Authenticator(Soft::es256())
    }
    fn rs256() -> Authenticator {
        Authenticator(Soft::rs256())
    }
    fn register(&mut self, options: &Value, origin: &str, rp_id: &str, fmt: &str) -> Value {
        as_value(&self.0.register(&b64(options["challenge"].as_str().unwrap()), origin, rp_id, fmt))
    }
    fn assert(&mut self, options: &Value, origin: &str, rp_id: &str, user_handle: &str) -> Value {
        self.0.user_handle = b64(user_handle);
        as_value(&self.0.assert(&b64(options["challenge"].as_str().unwrap()), origin, rp_id))
    }
}

fn passkey_pool(extra: Value) -> (String, String) {
    let mut cfg = json!({
        "signInPolicy": {"allowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]},
        "webAuthn": {"relyingPartyId": "localhost", "allowedOrigins": [ORIGIN]},
        "users": [{"username": "pk", "password": "Passw0rd!", "attributes": {"email": "pk@example.com", "email_verified": "true", "name": "Pat Key"}}],
    });
    for (k, v) in extra.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    new_pool(cfg)
}

fn start(token: &str) -> Value {
    call("StartWebAuthnRegistration", json!({"AccessToken": token})).unwrap()["CredentialCreationOptions"].clone()
}

fn complete(token: &str, credential: Value) -> Result<Value, Failure> {
    call("CompleteWebAuthnRegistration", json!({"AccessToken": token, "Credential": credential}))
}

/// InitiateAuth USER_AUTH preferring WEB_AUTHN: the session and the request options.
fn web_authn_challenge(client: &str) -> (String, Value) {
    let r = call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": client, "AuthParameters": {"USERNAME": "pk", "PREFERRED_CHALLENGE": "WEB_AUTHN"}}),
    )
    .unwrap();
    assert_eq!(r["ChallengeName"], "WEB_AUTHN", "{r}");
    let options: Value = serde_json::from_str(r["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"].as_str().unwrap()).unwrap();
    (r["Session"].as_str().unwrap().to_string(), options)
}

fn answer_web_authn(client: &str, session: &str, credential: &Value) -> Result<Value, Failure> {
    call(
        "RespondToAuthChallenge",
        json!({"ChallengeName": "WEB_AUTHN", "ClientId": client, "Session": session, "ChallengeResponses": {"USERNAME": "pk", "CREDENTIAL": credential.to_string()}}),
    )
}

fn registered(fmt: &str, mut a: Authenticator) -> (String, String, String, Authenticator, Value) {
    let (pool, client) = passkey_pool(json!({}));
    let token = tokens(&pool, &client, "pk", "Passw0rd!")["AccessToken"].as_str().unwrap().to_string();
    let options = start(&token);
    let cred = a.register(&options, ORIGIN, "localhost", fmt);
    complete(&token, cred).unwrap();
    (pool, client, token, a, options)
}

#[test]
fn register_list_sign_in_and_delete_a_passkey() {
    let (pool, client) = passkey_pool(json!({}));
    let token = tokens(&pool, &client, "pk", "Passw0rd!")["AccessToken"].as_str().unwrap().to_string();
    let options = start(&token);
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["user"]["name"], "pk");
    assert_eq!(options["user"]["displayName"], "Pat Key");
    assert_eq!(b64(options["challenge"].as_str().unwrap()).len(), 32);
    assert_eq!(options["pubKeyCredParams"], json!([{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}]));
    assert_eq!(options["excludeCredentials"], json!([]));
    let mut a = Authenticator::es256();
    complete(&token, a.register(&options, ORIGIN, "localhost", "none")).unwrap();

    let list = call("ListWebAuthnCredentials", json!({"AccessToken": token})).unwrap();
    let creds = list["Credentials"].as_array().unwrap();
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0]["CredentialId"], base64url_encode(&a.id));
    assert_eq!(creds[0]["RelyingPartyId"], "localhost");
    assert_eq!(creds[0]["AuthenticatorAttachment"], "platform");
    assert_eq!(creds[0]["AuthenticatorTransports"], json!(["internal", "hybrid"]));
    assert!(creds[0]["CreatedAt"].as_i64().unwrap() > 1_700_000_000);
    assert!(list.get("NextToken").is_none());
    // A second registration excludes the first credential.
    assert_eq!(start(&token)["excludeCredentials"][0]["id"], base64url_encode(&a.id));
    let factors = call("GetUserAuthFactors", json!({"AccessToken": token})).unwrap();
    assert_eq!(factors["ConfiguredUserAuthFactors"], json!(["PASSWORD", "WEB_AUTHN", "EMAIL_OTP"]));
    assert_eq!(factors["Username"], "pk");

    // Sign in with it: USER_AUTH, WEB_AUTHN, one assertion.
    let (session, req) = web_authn_challenge(&client);
    assert_eq!(req["rpId"], "localhost");
    assert_eq!(req["allowCredentials"][0]["id"], base64url_encode(&a.id));
    let sub = claims(tokens(&pool, &client, "pk", "Passw0rd!")["IdToken"].as_str().unwrap())["sub"].as_str().unwrap().to_string();
    let handle = base64url_encode(sub.as_bytes());
    a.count = 1;
    let r = answer_web_authn(&client, &session, &a.assert(&req, ORIGIN, "localhost", &handle)).unwrap();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string(), "{r}");

    // Delete it: WEB_AUTHN is no longer offered, a preference for it gets the choice instead.
    call("DeleteWebAuthnCredential", json!({"AccessToken": token, "CredentialId": base64url_encode(&a.id)})).unwrap();
    expect_err(
        call("DeleteWebAuthnCredential", json!({"AccessToken": token, "CredentialId": base64url_encode(&a.id)})),
        "ResourceNotFoundException",
    );
    let r = call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": client, "AuthParameters": {"USERNAME": "pk", "PREFERRED_CHALLENGE": "WEB_AUTHN"}}),
    )
    .unwrap();
    assert_eq!(r["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(r["AvailableChallenges"], json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]));
}

#[test]
fn registration_refusals() {
    let (pool, client) = passkey_pool(json!({}));
    let token = tokens(&pool, &client, "pk", "Passw0rd!")["AccessToken"].as_str().unwrap().to_string();
    let mut a = Authenticator::es256();
    let cases: Vec<(&str, Box<dyn Fn(&mut Authenticator, &Value) -> Value>)> = vec![
        ("WebAuthnOriginNotAllowedException", Box::new(|a, o| a.register(o, "http://localhost:9999", "localhost", "none"))),
        ("WebAuthnOriginNotAllowedException", Box::new(|a, o| a.register(o, "https://evil.example", "localhost", "none"))),
        ("WebAuthnRelyingPartyMismatchException", Box::new(|a, o| a.register(o, ORIGIN, "example.com", "none"))),
        (
            "WebAuthnChallengeNotFoundException",
            Box::new(|a, o| {
                let mut o = o.clone();
                o["challenge"] = json!(base64url_encode(&[9u8; 32]));
                a.register(&o, ORIGIN, "localhost", "none")
            }),
        ),
        ("WebAuthnCredentialNotSupportedException", Box::new(|a, o| a.register(o, ORIGIN, "localhost", "fido-u2f"))),
        (
            "InvalidParameterException",
            Box::new(|a, o| {
                // packed self attestation whose signature is over something else.
                let mut c = a.register(o, ORIGIN, "localhost", "packed");
                let att = b64(c["response"]["attestationObject"].as_str().unwrap());
                let mut v: Cbor = ciborium::from_reader(att.as_slice()).unwrap();
                if let Cbor::Map(m) = &mut v {
                    if let Cbor::Map(stmt) = &mut m[1].1 {
                        if let Cbor::Bytes(sig) = &mut stmt[1].1 {
                            let n = sig.len() - 3;
                            sig[n] ^= 1;
                        }
                    }
                }
                c["response"]["attestationObject"] = json!(base64url_encode(&cbor(&v)));
                c
            }),
        ),
        (
            "InvalidParameterException",
            Box::new(|a, o| {
                let mut a2 = Authenticator(Soft {
                    key: Key::Es256(p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap()),
                    id: a.id.clone(),
                    count: 0,
                    flags: 0x00,
                    user_handle: vec![],
                });
                a2.register(o, ORIGIN, "localhost", "none")
            }),
        ),
    ];
    for (want, make) in cases {
        let options = start(&token);
        let cred = make(&mut a, &options);
        let f = expect_err(complete(&token, cred), want);
        assert!(!f.message.is_empty());
    }
    // A replayed completion: the challenge was used.
    let options = start(&token);
    let cred = a.register(&options, ORIGIN, "localhost", "packed");
    complete(&token, cred.clone()).unwrap();
    expect_err(complete(&token, cred), "WebAuthnChallengeNotFoundException");
    // The challenge expires.
    let options = start(&token);
    advance(&pool, 301);
    let token2 = token.clone(); // still valid: tokens last an hour
    expect_err(
        complete(&token2, Authenticator::es256().register(&options, ORIGIN, "localhost", "none")),
        "WebAuthnChallengeNotFoundException",
    );
    // Only one credential got in.
    assert_eq!(call("ListWebAuthnCredentials", json!({"AccessToken": token2})).unwrap()["Credentials"].as_array().unwrap().len(), 1);
}

#[test]
fn sign_in_refusals_and_the_counter() {
    let (pool, client, _, mut a, _) = registered("packed", Authenticator::es256());
    let sub = claims(tokens(&pool, &client, "pk", "Passw0rd!")["IdToken"].as_str().unwrap())["sub"].as_str().unwrap().to_string();
    let handle = base64url_encode(sub.as_bytes());
    // Counter 0 is accepted every time (many passkey providers never count).
    for _ in 0..2 {
        let (s, o) = web_authn_challenge(&client);
        answer_web_authn(&client, &s, &a.assert(&o, ORIGIN, "localhost", &handle)).unwrap();
    }
    a.count = 5;
    let (s, o) = web_authn_challenge(&client);
    let good = a.assert(&o, ORIGIN, "localhost", &handle);
    answer_web_authn(&client, &s, &good).unwrap();
    // Replayed: the session (and its challenge) is used; a new session has another challenge.
    expect_err(answer_web_authn(&client, &s, &good), "NotAuthorizedException");
    let (s2, _) = web_authn_challenge(&client);
    expect_err(answer_web_authn(&client, &s2, &good), "NotAuthorizedException");
    // The counter goes backwards (a cloned authenticator): refused.
    a.count = 4;
    let (s, o) = web_authn_challenge(&client);
    assert!(expect_err(answer_web_authn(&client, &s, &a.assert(&o, ORIGIN, "localhost", &handle)), "NotAuthorizedException")
        .message
        .contains("counter"));
    a.count = 6;
    // Tampered signature, wrong origin, wrong RP ID, another user's handle.
    let (s, o) = web_authn_challenge(&client);
    let mut c = a.assert(&o, ORIGIN, "localhost", &handle);
    let mut sig = b64(c["response"]["signature"].as_str().unwrap());
    let n = sig.len() - 2;
    sig[n] ^= 0x40;
    c["response"]["signature"] = json!(base64url_encode(&sig));
    expect_err(answer_web_authn(&client, &s, &c), "NotAuthorizedException");
    for (origin, rp, h) in
        [("http://localhost:1", "localhost", handle.as_str()), (ORIGIN, "127.0.0.1", handle.as_str()), (ORIGIN, "localhost", "b3RoZXI")]
    {
        let (s, o) = web_authn_challenge(&client);
        expect_err(answer_web_authn(&client, &s, &a.assert(&o, origin, rp, h)), "NotAuthorizedException");
    }
    // Still good after all that.
    let (s, o) = web_authn_challenge(&client);
    a.count = 7;
    answer_web_authn(&client, &s, &a.assert(&o, ORIGIN, "localhost", &handle)).unwrap();
}

#[test]
fn user_verification_required_but_absent_is_refused() {
    let (pool, client) =
        passkey_pool(json!({"webAuthn": {"relyingPartyId": "localhost", "allowedOrigins": [ORIGIN], "userVerification": "required"}}));
    let token = tokens(&pool, &client, "pk", "Passw0rd!")["AccessToken"].as_str().unwrap().to_string();
    let mut a = Authenticator::es256();
    a.flags = 0x01; // present, not verified
    let o = start(&token);
    assert_eq!(o["authenticatorSelection"]["userVerification"], "required");
    expect_err(complete(&token, a.register(&o, ORIGIN, "localhost", "none")), "InvalidParameterException");
    a.flags = 0x05;
    complete(&token, a.register(&start(&token), ORIGIN, "localhost", "none")).unwrap();
    let sub = claims(tokens(&pool, &client, "pk", "Passw0rd!")["IdToken"].as_str().unwrap())["sub"].as_str().unwrap().to_string();
    let (s, o) = web_authn_challenge(&client);
    a.flags = 0x01;
    expect_err(
        answer_web_authn(&client, &s, &a.assert(&o, ORIGIN, "localhost", &base64url_encode(sub.as_bytes()))),
        "NotAuthorizedException",
    );
}

#[test]
fn rs256_credentials_register_and_sign_in() {
    let (pool, client, _, mut a, _) = registered("packed", Authenticator::rs256());
    let sub = claims(tokens(&pool, &client, "pk", "Passw0rd!")["IdToken"].as_str().unwrap())["sub"].as_str().unwrap().to_string();
    let (s, o) = web_authn_challenge(&client);
    let r = answer_web_authn(&client, &s, &a.assert(&o, ORIGIN, "localhost", &base64url_encode(sub.as_bytes()))).unwrap();
    assert!(r["AuthenticationResult"]["IdToken"].is_string());
}

#[test]
fn select_challenge_email_code_password_and_srp() {
    let (pool, client) = passkey_pool(json!({}));
    let init = |extra: Value| {
        let mut params = json!({"USERNAME": "pk"});
        for (k, v) in extra.as_object().unwrap() {
            params[k] = v.clone();
        }
        call("InitiateAuth", json!({"AuthFlow": "USER_AUTH", "ClientId": client, "AuthParameters": params}))
    };
    let r = init(json!({})).unwrap();
    assert_eq!(r["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(r["AvailableChallenges"], json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]));
    let respond = |name: &str, session: &str, responses: Value| {
        let mut rs = json!({"USERNAME": "pk"});
        for (k, v) in responses.as_object().unwrap() {
            rs[k] = v.clone();
        }
        call("RespondToAuthChallenge", json!({"ChallengeName": name, "ClientId": client, "Session": session, "ChallengeResponses": rs}))
    };
    let session = r["Session"].as_str().unwrap();
    // Not on offer: refused, the choice stays open.
    expect_err(respond("SELECT_CHALLENGE", session, json!({"ANSWER": "WEB_AUTHN"})), "InvalidParameterException");
    let c = respond("SELECT_CHALLENGE", session, json!({"ANSWER": "EMAIL_OTP"})).unwrap();
    assert_eq!(c["ChallengeName"], "EMAIL_OTP");
    assert_eq!(c["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    let code = last_code(&pool, "pk");
    assert_eq!(code.len(), 8, "e-mail sign-in codes have 8 digits");
    let s = c["Session"].as_str().unwrap();
    expect_err(respond("EMAIL_OTP", s, json!({"EMAIL_OTP_CODE": "00000000"})), "CodeMismatchException");
    let t = respond("EMAIL_OTP", s, json!({"EMAIL_OTP_CODE": code})).unwrap();
    assert!(t["AuthenticationResult"]["AccessToken"].is_string());

    // PASSWORD in one request, preferred or chosen.
    let t = init(json!({"PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Passw0rd!"})).unwrap();
    assert!(t["AuthenticationResult"]["AccessToken"].is_string());
    expect_err(init(json!({"PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "wrong"})), "NotAuthorizedException");
    let r = init(json!({})).unwrap();
    let t = respond("SELECT_CHALLENGE", r["Session"].as_str().unwrap(), json!({"ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!"})).unwrap();
    assert!(t["AuthenticationResult"]["AccessToken"].is_string());
    // PASSWORD_SRP: SRP_A with the preference, then the usual PASSWORD_VERIFIER.
    let (_, eph) = srp_init(&client, "pk", &[]);
    let r = init(json!({"PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": eph.public().to_hex()})).unwrap();
    assert_eq!(r["ChallengeName"], "PASSWORD_VERIFIER");
    let answer = verifier_response(&pool, &r, &eph, "Passw0rd!", now_unix());
    let mut body = json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": client, "ChallengeResponses": answer});
    body["ChallengeResponses"]["USERNAME"] = json!("pk");
    assert!(call("RespondToAuthChallenge", body).unwrap()["AuthenticationResult"]["AccessToken"].is_string());
}

#[test]
fn factors_the_pool_or_client_does_not_allow() {
    // A pool without passkeys: registration is not enabled; WEB_AUTHN never offered.
    let (pool, client) = new_pool(json!({"users": [{"username": "pk", "password": "Passw0rd!"}]}));
    let token = tokens(&pool, &client, "pk", "Passw0rd!")["AccessToken"].as_str().unwrap().to_string();
    expect_err(call("StartWebAuthnRegistration", json!({"AccessToken": token})), "WebAuthnNotEnabledException");
    expect_err(complete(&token, json!({})), "WebAuthnChallengeNotFoundException");
    // A client without ALLOW_USER_AUTH.
    let (_, c2) = new_pool(
        json!({"clients": [{"explicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]}], "users": [{"username": "pk", "password": "Passw0rd!"}]}),
    );
    let f = expect_err(
        call("InitiateAuth", json!({"AuthFlow": "USER_AUTH", "ClientId": c2, "AuthParameters": {"USERNAME": "pk"}})),
        "InvalidParameterException",
    );
    assert!(f.message.contains("USER_AUTH"));
    // A user with MFA is offered passwords only.
    let (_, c3) = passkey_pool(
        json!({"mfaConfiguration": "OPTIONAL", "users": [{"username": "pk", "password": "Passw0rd!", "mfa": ["EMAIL_OTP"], "attributes": {"email": "pk@example.com", "email_verified": "true"}}]}),
    );
    let r = call("InitiateAuth", json!({"AuthFlow": "USER_AUTH", "ClientId": c3, "AuthParameters": {"USERNAME": "pk"}})).unwrap();
    assert_eq!(r["AvailableChallenges"], json!(["PASSWORD", "PASSWORD_SRP"]));
}

#[test]
fn passwordless_sign_up_confirm_and_sign_in() {
    let (pool, client) = passkey_pool(json!({}));
    let r =
        call("SignUp", json!({"ClientId": client, "Username": "nopw", "UserAttributes": [{"Name": "email", "Value": "nopw@example.com"}]}))
            .unwrap();
    assert_eq!(r["UserConfirmed"], false);
    let code = last_code(&pool, "nopw");
    let session = call("ConfirmSignUp", json!({"ClientId": client, "Username": "nopw", "ConfirmationCode": code})).unwrap()["Session"]
        .as_str()
        .unwrap()
        .to_string();
    let t = call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": client, "Session": session, "AuthParameters": {"USERNAME": "nopw"}}),
    )
    .unwrap();
    assert!(t["AuthenticationResult"]["AccessToken"].is_string());
    // Later: e-mail codes only (no password to offer).
    let r = call("InitiateAuth", json!({"AuthFlow": "USER_AUTH", "ClientId": client, "AuthParameters": {"USERNAME": "nopw"}})).unwrap();
    assert_eq!(r["AvailableChallenges"], json!(["EMAIL_OTP"]));
    // A pool with passwords only still requires one.
    let (_, c2) = new_pool(json!({}));
    expect_err(
        call("SignUp", json!({"ClientId": c2, "Username": "nopw", "UserAttributes": [{"Name": "email", "Value": "n@example.com"}]})),
        "InvalidParameterException",
    );
}

#[test]
fn an_allowed_origin_outside_the_rp_id_is_still_refused() {
    // A misconfigured pool: the origin is on the list but not inside the RP ID (browsers would
    // refuse the ceremony too).
    let (pool, client) =
        passkey_pool(json!({"webAuthn": {"relyingPartyId": "localhost", "allowedOrigins": ["http://other.test:1", ORIGIN]}}));
    let token = tokens(&pool, &client, "pk", "Passw0rd!")["AccessToken"].as_str().unwrap().to_string();
    let mut a = Authenticator::es256();
    expect_err(
        complete(&token, a.register(&start(&token), "http://other.test:1", "localhost", "none")),
        "WebAuthnOriginNotAllowedException",
    );
    complete(&token, a.register(&start(&token), ORIGIN, "localhost", "none")).unwrap();
}
