//! Passkeys as MFA (issue #26), over HTTP against the emulator, with the emulator's software
//! authenticator making assertions with and without user verification. Each test names the page
//! of the Amazon Cognito user pools API reference
//! (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/>) or of the
//! Developer Guide whose rule it checks; the rules are collected in `src/passkey_mfa.rs`.

mod common;
use cognito_emulator::authenticator::Authenticator;
use cognito_proto::codec::base64_decode;
use cognito_proto::webauthn::credential_json;
use common::*;
use serde_json::{json, Value};

const ORIGIN: &str = "http://localhost:5173";
const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const MULTI: &str = "MULTI_FACTOR_WITH_USER_VERIFICATION";
const SINGLE: &str = "SINGLE_FACTOR";
/// authenticatorData flags: user present, and user present + user verified.
const UP: u8 = 0x01;
const UP_UV: u8 = 0x05;

/// A pool with passwords, e-mail codes and passkeys as first factors, TOTP and e-mail MFA, and
/// the users `pk` (TOTP MFA on when `totp`) and `plain` (no MFA).
fn pool(mfa: &str, factor: &str, totp: bool) -> (String, String) {
    let mut pk = json!({"username": "pk", "password": "Passw0rd!", "attributes": {"email": "pk@example.com", "email_verified": "true"}});
    if totp {
        pk["totpSecret"] = json!(SECRET);
    }
    new_pool(json!({
        "mfaConfiguration": mfa,
        "mfaMethods": ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"],
        "signInPolicy": {"allowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]},
        "webAuthn": {"relyingPartyId": "localhost", "allowedOrigins": [ORIGIN], "factorConfiguration": factor},
        "users": [pk, {"username": "plain", "password": "Passw0rd!", "attributes": {"email": "plain@example.com", "email_verified": "true"}}],
    }))
}

/// A password (SRP) sign-in, answering SOFTWARE_TOKEN_MFA when asked: the access token.
fn access_token(pool: &str, client: &str, username: &str) -> String {
    let mut r = srp_sign_in(pool, client, username, "Passw0rd!").unwrap();
    if r["ChallengeName"] == "SOFTWARE_TOKEN_MFA" {
        let responses = json!({"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": totp(SECRET, now_unix())});
        r = call(
            "RespondToAuthChallenge",
            json!({"ClientId": client, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": r["Session"], "ChallengeResponses": responses}),
        )
        .unwrap();
    }
    r["AuthenticationResult"]["AccessToken"].as_str().unwrap_or_else(|| panic!("tokens: {r}")).to_string()
}

/// The user's passkey: registered with the access token, asserting as the user (handle = sub).
struct Passkey {
    a: Authenticator,
}

fn b64(s: &str) -> Vec<u8> {
    base64_decode(s).expect("base64url")
}

fn as_value(c: &cognito_proto::webauthn::PasskeyCredential) -> Value {
    serde_json::from_str(&credential_json(c).to_text()).unwrap()
}

impl Passkey {
    fn register(token: &str) -> Passkey {
        let mut a = Authenticator::es256();
        a.user_handle = claims(token)["sub"].as_str().unwrap().as_bytes().to_vec();
        let o = call("StartWebAuthnRegistration", json!({"AccessToken": token})).unwrap()["CredentialCreationOptions"].clone();
        let cred = as_value(&a.register(&b64(o["challenge"].as_str().unwrap()), ORIGIN, "localhost", "none"));
        call("CompleteWebAuthnRegistration", json!({"AccessToken": token, "Credential": cred})).unwrap();
        Passkey { a }
    }

    /// An assertion for the request options, with these authenticatorData flags.
    fn assert(&mut self, options: &Value, flags: u8) -> String {
        self.a.flags = flags;
        as_value(&self.a.assert(&b64(options["challenge"].as_str().unwrap()), ORIGIN, "localhost")).to_string()
    }
}

fn user_auth(client: &str, preferred: Option<&str>) -> Value {
    let mut params = json!({"USERNAME": "pk"});
    if let Some(p) = preferred {
        params["PREFERRED_CHALLENGE"] = json!(p);
    }
    call("InitiateAuth", json!({"AuthFlow": "USER_AUTH", "ClientId": client, "AuthParameters": params})).unwrap()
}

fn respond(client: &str, name: &str, session: &Value, responses: Value) -> Result<Value, Failure> {
    call("RespondToAuthChallenge", json!({"ClientId": client, "ChallengeName": name, "Session": session, "ChallengeResponses": responses}))
}

fn request_options(challenge: &Value) -> Value {
    assert_eq!(challenge["ChallengeName"], "WEB_AUTHN", "{challenge}");
    serde_json::from_str(challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"].as_str().unwrap()).unwrap()
}

fn answer(client: &str, challenge: &Value, credential: &str) -> Result<Value, Failure> {
    respond(client, "WEB_AUTHN", &challenge["Session"], json!({"USERNAME": "pk", "CREDENTIAL": credential}))
}

fn set_preference(token: &str, settings: Value) -> Result<Value, Failure> {
    let mut body = settings;
    body["AccessToken"] = json!(token);
    call("SetUserMFAPreference", body)
}

fn passkey_mfa(token: &str, enabled: bool) -> Result<Value, Failure> {
    set_preference(token, json!({"WebAuthnMfaSettings": {"Enabled": enabled}}))
}

fn set_pool_factor(pool: &str, factor: &str) -> Value {
    call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool, "WebAuthnConfiguration": {"RelyingPartyId": "localhost", "FactorConfiguration": factor}}),
    )
    .unwrap()
}

fn factors(token: &str) -> Value {
    call("GetUserAuthFactors", json!({"AccessToken": token})).unwrap()["ConfiguredUserAuthFactors"].clone()
}

fn tokens_issued(pool: &str) -> u64 {
    stats(pool)["tokensIssued"].as_u64().unwrap_or(0)
}

/// WebAuthnConfigurationType ("When set to SINGLE_FACTOR or not set, passkeys are a single
/// authentication factor"), SetUserPoolMfaConfig and GetUserPoolMfaConfig: the pool setting,
/// from the pool config or the API, read back; a value outside the enum is refused.
#[test]
fn the_pool_factor_configuration_is_set_and_read_back() {
    let (p, _) = pool("OPTIONAL", SINGLE, false);
    let get = || call("GetUserPoolMfaConfig", json!({"UserPoolId": p})).unwrap();
    let g = get();
    assert_eq!(g["WebAuthnConfiguration"]["FactorConfiguration"], SINGLE, "{g}");
    assert_eq!(g["MfaConfiguration"], "OPTIONAL");
    assert_eq!(g["SoftwareTokenMfaConfiguration"]["Enabled"], true);

    let s = set_pool_factor(&p, MULTI);
    assert_eq!(s["WebAuthnConfiguration"]["FactorConfiguration"], MULTI, "{s}");
    let g = get();
    assert_eq!(
        g["WebAuthnConfiguration"],
        json!({"RelyingPartyId": "localhost", "UserVerification": "preferred", "FactorConfiguration": MULTI})
    );
    assert_eq!(g["MfaConfiguration"], "OPTIONAL", "a member left out keeps its value");

    let bad = call("SetUserPoolMfaConfig", json!({"UserPoolId": p, "WebAuthnConfiguration": {"FactorConfiguration": "MULTI_FACTOR"}}));
    assert!(expect_err(bad, "InvalidParameterException").message.contains("factorConfiguration"));
    assert_eq!(get()["WebAuthnConfiguration"]["FactorConfiguration"], MULTI, "a refused change changes nothing");

    // "or not set": a WebAuthnConfiguration without FactorConfiguration is single-factor.
    call("SetUserPoolMfaConfig", json!({"UserPoolId": p, "WebAuthnConfiguration": {"RelyingPartyId": "localhost"}})).unwrap();
    assert_eq!(get()["WebAuthnConfiguration"]["FactorConfiguration"], SINGLE);

    let (p2, _) = pool("ON", MULTI, true);
    let g = call("GetUserPoolMfaConfig", json!({"UserPoolId": p2})).unwrap();
    assert_eq!(g["WebAuthnConfiguration"]["FactorConfiguration"], MULTI, "from POST /_emulator/pools: {g}");
    assert_eq!(g["MfaConfiguration"], "ON");
    expect_err(call("GetUserPoolMfaConfig", json!({"UserPoolId": "us-east-1_Nope"})), "ResourceNotFoundException");
}

/// SetUserMFAPreference, WebAuthnMfaSettings: "To activate this setting, the FactorConfiguration
/// of your user pool WebAuthnConfiguration must be MULTI_FACTOR_WITH_USER_VERIFICATION."
/// Turning it off is always allowed.
#[test]
fn passkey_mfa_needs_a_multi_factor_pool() {
    let (p, client) = pool("OPTIONAL", SINGLE, true);
    let token = access_token(&p, &client, "pk");
    Passkey::register(&token);
    let e = expect_err(passkey_mfa(&token, true), "InvalidParameterException");
    assert!(e.message.contains("MULTI_FACTOR_WITH_USER_VERIFICATION"), "{e:?}");
    assert_eq!(factors(&token), json!(["PASSWORD", "SOFTWARE_TOKEN"]), "refused: passkey MFA stays off");
    passkey_mfa(&token, false).unwrap();

    set_pool_factor(&p, MULTI);
    passkey_mfa(&token, true).unwrap();
    assert_eq!(factors(&token), json!(["PASSWORD", "WEB_AUTHN", "SOFTWARE_TOKEN"]));
}

/// WebAuthnMfaSettingsType: "The user must also have at least one other MFA method such as SMS,
/// TOTP, or email activated to prevent account lockout." Checked on the user as the request
/// would leave them, by SetUserMFAPreference and AdminSetUserMFAPreference alike; a refused
/// request changes nothing.
#[test]
fn passkey_mfa_needs_another_mfa_method() {
    let (p, client) = pool("OPTIONAL", MULTI, true);
    let plain = access_token(&p, &client, "plain");
    let e = expect_err(passkey_mfa(&plain, true), "InvalidParameterException");
    assert!(e.message.contains("other MFA method"), "{e:?}");
    let admin = json!({"UserPoolId": p, "Username": "plain", "WebAuthnMfaSettings": {"Enabled": true}});
    expect_err(call("AdminSetUserMFAPreference", admin), "InvalidParameterException");

    let token = access_token(&p, &client, "pk");
    let totp_off = json!({"Enabled": false, "PreferredMfa": false});
    let both = json!({"SoftwareTokenMfaSettings": totp_off, "WebAuthnMfaSettings": {"Enabled": true}});
    expect_err(set_preference(&token, both), "InvalidParameterException");
    let u = call("GetUser", json!({"AccessToken": token})).unwrap();
    assert_eq!(u["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]), "the refused request left TOTP on: {u}");

    passkey_mfa(&token, true).unwrap();
    // Turning the last other method off while passkey MFA is on: refused too.
    expect_err(set_preference(&token, json!({"SoftwareTokenMfaSettings": totp_off})), "InvalidParameterException");
    // Both off together: allowed.
    set_preference(&token, json!({"SoftwareTokenMfaSettings": totp_off, "WebAuthnMfaSettings": {"Enabled": false}})).unwrap();
    let admin =
        json!({"UserPoolId": p, "Username": "pk", "SoftwareTokenMfaSettings": {"Enabled": true}, "WebAuthnMfaSettings": {"Enabled": true}});
    call("AdminSetUserMFAPreference", admin).unwrap();
}

/// GetUser and AdminGetUser, UserMFASettingList: "The possible values in this list are SMS_MFA,
/// EMAIL_OTP, and SOFTWARE_TOKEN_MFA"; WebAuthnMfaSettingsType has no PreferredMfa. Passkey MFA
/// shows in neither.
#[test]
fn get_user_does_not_report_passkey_mfa() {
    let (p, client) = pool("OPTIONAL", MULTI, true);
    let token = access_token(&p, &client, "pk");
    passkey_mfa(&token, true).unwrap();
    let u = call("GetUser", json!({"AccessToken": token})).unwrap();
    assert_eq!(u["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]), "{u}");
    assert_eq!(u["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
    let a = call("AdminGetUser", json!({"UserPoolId": p, "Username": "pk"})).unwrap();
    assert_eq!(a["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]), "{a}");
    assert_eq!(a["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
    assert!(!u.to_string().contains("WEB_AUTHN") && !a.to_string().contains("WEB_AUTHN"));
}

/// WebAuthnConfigurationType (MULTI_FACTOR_WITH_USER_VERIFICATION: "passkey authentication with
/// user verification satisfies MFA requirements") and WebAuthnMfaSettingsType ("passkey sign-in
/// is available when MFA is required"): MFA required, PREFERRED_CHALLENGE=WEB_AUTHN, the options
/// ask for user verification, a verified assertion gets the tokens with no second factor. A
/// password sign-in still asks for TOTP: the passkey is not a second factor.
#[test]
fn required_mfa_a_verified_passkey_signs_in_without_a_second_factor() {
    let (p, client) = pool("ON", MULTI, true);
    let token = access_token(&p, &client, "pk");
    let mut key = Passkey::register(&token);
    passkey_mfa(&token, true).unwrap();

    let c = user_auth(&client, Some("WEB_AUTHN"));
    let options = request_options(&c);
    assert_eq!(options["userVerification"], "required", "{options}");
    let before = tokens_issued(&p);
    let r = answer(&client, &c, &key.assert(&options, UP_UV)).unwrap();
    assert!(r.get("ChallengeName").is_none(), "no second factor: {r}");
    let access = r["AuthenticationResult"]["AccessToken"].as_str().unwrap();
    assert_eq!(claims(access)["username"], "pk");
    assert_eq!(tokens_issued(&p), before + 1);

    let pw = srp_sign_in(&p, &client, "pk", "Passw0rd!").unwrap();
    assert_eq!(pw["ChallengeName"], "SOFTWARE_TOKEN_MFA", "{pw}");
}

/// WebAuthnMfaSettingsType, with SELECT_CHALLENGE: under required MFA AvailableChallenges offers
/// WEB_AUTHN (and no e-mail code), and ANSWER=WEB_AUTHN leads to the same tokens.
#[test]
fn required_mfa_select_challenge_offers_the_passkey() {
    let (p, client) = pool("ON", MULTI, true);
    let token = access_token(&p, &client, "pk");
    let mut key = Passkey::register(&token);
    passkey_mfa(&token, true).unwrap();

    let s = user_auth(&client, None);
    assert_eq!(s["ChallengeName"], "SELECT_CHALLENGE", "{s}");
    assert_eq!(s["AvailableChallenges"], json!(["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]));
    let c = respond(&client, "SELECT_CHALLENGE", &s["Session"], json!({"USERNAME": "pk", "ANSWER": "WEB_AUTHN"})).unwrap();
    let options = request_options(&c);
    let r = answer(&client, &c, &key.assert(&options, UP_UV)).unwrap();
    assert!(r["AuthenticationResult"]["IdToken"].is_string(), "{r}");
}

/// WebAuthnMfaSettingsType: "When activated, the user's passkey authentication requires user
/// verification." The pool's UserVerification stays `preferred`; an assertion without the UV flag
/// is NotAuthorizedException, issues no tokens, and spends the session. A user without passkey
/// MFA, in a pool without MFA, still signs in without UV (the control).
#[test]
fn without_user_verification_the_passkey_is_refused() {
    let (p, client) = pool("ON", MULTI, true);
    let token = access_token(&p, &client, "pk");
    let mut key = Passkey::register(&token);
    passkey_mfa(&token, true).unwrap();
    let uv = call("GetUserPoolMfaConfig", json!({"UserPoolId": p})).unwrap()["WebAuthnConfiguration"]["UserVerification"].clone();
    assert_eq!(uv, "preferred");

    let before = tokens_issued(&p);
    let c = user_auth(&client, Some("WEB_AUTHN"));
    let options = request_options(&c);
    let e = expect_err(answer(&client, &c, &key.assert(&options, UP)), "NotAuthorizedException");
    assert!(e.message.contains("User verification"), "{e:?}");
    assert_eq!(tokens_issued(&p), before, "no tokens");
    // The session is spent: not even a verified assertion of the same challenge gets through.
    expect_err(answer(&client, &c, &key.assert(&options, UP_UV)), "NotAuthorizedException");
    assert_eq!(tokens_issued(&p), before);
    let c = user_auth(&client, Some("WEB_AUTHN"));
    answer(&client, &c, &key.assert(&request_options(&c), UP_UV)).unwrap();

    let (p2, client2) = pool("OFF", SINGLE, false);
    let token2 = access_token(&p2, &client2, "pk");
    let mut key2 = Passkey::register(&token2);
    let c = user_auth(&client2, Some("WEB_AUTHN"));
    let options = request_options(&c);
    assert_eq!(options["userVerification"], "preferred");
    answer(&client2, &c, &key2.assert(&options, UP)).unwrap();
}

/// WebAuthnMfaSettingsType in a pool with optional MFA: a user with TOTP MFA is offered passwords
/// only until passkey MFA is on; then a verified passkey needs no TOTP code.
#[test]
fn optional_mfa_a_user_with_totp_signs_in_with_the_passkey_alone() {
    let (p, client) = pool("OPTIONAL", MULTI, true);
    let token = access_token(&p, &client, "pk");
    let mut key = Passkey::register(&token);
    let s = user_auth(&client, Some("WEB_AUTHN"));
    assert_eq!(s["ChallengeName"], "SELECT_CHALLENGE", "{s}");
    assert_eq!(s["AvailableChallenges"], json!(["PASSWORD", "PASSWORD_SRP"]));

    passkey_mfa(&token, true).unwrap();
    let c = user_auth(&client, Some("WEB_AUTHN"));
    let r = answer(&client, &c, &key.assert(&request_options(&c), UP_UV)).unwrap();
    assert!(r.get("ChallengeName").is_none(), "no SOFTWARE_TOKEN_MFA: {r}");
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
}

/// Developer Guide, "Authentication flows", the passkey section
/// (amazon-cognito-user-pools-authentication-flow-methods.html#amazon-cognito-user-pools-authentication-flow-methods-passkey),
/// with "Adding MFA to a user pool" (user-pool-settings-mfa.html), and GetUserAuthFactors
/// ("WEB_AUTHN is available as an MFA factor only when passkey MFA is enabled at the user pool
/// level"): under required MFA, without passkey MFA (a SINGLE_FACTOR pool, or the user's setting
/// off), WEB_AUTHN is not offered: PREFERRED_CHALLENGE=WEB_AUTHN gets SELECT_CHALLENGE with the
/// passwords only, and answering it with WEB_AUTHN is refused.
#[test]
fn required_mfa_without_passkey_mfa_does_not_offer_the_passkey() {
    let (p, client) = pool("ON", SINGLE, true);
    let token = access_token(&p, &client, "pk");
    Passkey::register(&token);
    let not_offered = |token: &str| {
        let s = user_auth(&client, Some("WEB_AUTHN"));
        assert_eq!(s["ChallengeName"], "SELECT_CHALLENGE", "{s}");
        assert_eq!(s["AvailableChallenges"], json!(["PASSWORD", "PASSWORD_SRP"]));
        let r = respond(&client, "SELECT_CHALLENGE", &s["Session"], json!({"USERNAME": "pk", "ANSWER": "WEB_AUTHN"}));
        expect_err(r, "InvalidParameterException");
        assert_eq!(factors(token), json!(["PASSWORD", "SOFTWARE_TOKEN"]));
    };
    // A SINGLE_FACTOR pool: and passkey MFA cannot be turned on.
    not_offered(&token);
    expect_err(passkey_mfa(&token, true), "InvalidParameterException");
    // MULTI_FACTOR_WITH_USER_VERIFICATION, the user's setting off.
    set_pool_factor(&p, MULTI);
    not_offered(&token);
    // On, then the pool back to SINGLE_FACTOR: the user's setting no longer counts.
    passkey_mfa(&token, true).unwrap();
    assert_eq!(user_auth(&client, Some("WEB_AUTHN"))["ChallengeName"], "WEB_AUTHN");
    set_pool_factor(&p, SINGLE);
    not_offered(&token);
}

/// GetUserAuthFactors, ConfiguredUserAuthFactors: "SOFTWARE_TOKEN can only be used as an MFA
/// factor" (AuthFactorType since 2026-07): listed once the user has TOTP MFA, after the first
/// factors.
#[test]
fn get_user_auth_factors_lists_software_token() {
    let (p, client) = pool("OPTIONAL", SINGLE, false);
    let token = access_token(&p, &client, "plain");
    assert_eq!(factors(&token), json!(["PASSWORD", "EMAIL_OTP"]));
    let secret = call("AssociateSoftwareToken", json!({"AccessToken": token})).unwrap()["SecretCode"].as_str().unwrap().to_string();
    let v = call("VerifySoftwareToken", json!({"AccessToken": token, "UserCode": totp(&secret, now_unix())})).unwrap();
    assert_eq!(v["Status"], "SUCCESS");
    set_preference(&token, json!({"SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}})).unwrap();
    // With MFA the e-mail code is no longer a first factor; TOTP is listed as the MFA factor.
    assert_eq!(factors(&token), json!(["PASSWORD", "SOFTWARE_TOKEN"]));
}
