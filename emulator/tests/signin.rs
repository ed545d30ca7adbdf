//! Sign-in over HTTP: SRP (strict), password, account states, NEW_PASSWORD_REQUIRED, refresh and
//! rotation, revocation, MFA (TOTP, e-mail, SMS, selection, set-up), custom auth, devices.

mod common;
use cognito_proto::srp::*;
use cognito_proto::types::*;
use common::*;
use serde_json::{json, Value};

fn respond(client: &str, name: &str, session: &Value, responses: Value) -> Result<Value, Failure> {
    let mut body = json!({"ClientId": client, "ChallengeName": name, "ChallengeResponses": responses});
    if let Some(s) = session.as_str() {
        body["Session"] = json!(s);
    }
    call("RespondToAuthChallenge", body)
}

fn jwks_key(pool: &str, kid: &str) -> rsa::RsaPublicKey {
    let jwks = get_json(&format!("/{pool}/.well-known/jwks.json"));
    let k = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid).expect("kid in JWKS");
    assert_eq!(k["alg"], "RS256");
    assert_eq!(k["kty"], "RSA");
    let n = rsa::BigUint::from_bytes_be(&cognito_proto::codec::base64_decode(k["n"].as_str().unwrap()).unwrap());
    let e = rsa::BigUint::from_bytes_be(&cognito_proto::codec::base64_decode(k["e"].as_str().unwrap()).unwrap());
    rsa::RsaPublicKey::new(n, e).unwrap()
}

fn verify_rs256(pool: &str, jwt: &str) {
    use rsa::signature::Verifier;
    let parts: Vec<&str> = jwt.split('.').collect();
    let header: Value = serde_json::from_slice(&cognito_proto::codec::base64_decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    let key = jwks_key(pool, header["kid"].as_str().unwrap());
    let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
    let sig = rsa::pkcs1v15::Signature::try_from(cognito_proto::codec::base64_decode(parts[2]).unwrap().as_slice()).unwrap();
    vk.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig).expect("signature verifies against the JWKS");
}

#[test]
fn srp_sign_in_issues_cognito_shaped_tokens() {
    let (pool, client) = pool_default();
    let r = srp_sign_in(&pool, &client, "alice", "Passw0rd!").unwrap();
    let t = &r["AuthenticationResult"];
    assert_eq!(t["TokenType"], "Bearer");
    assert_eq!(t["ExpiresIn"], 3600);
    assert_eq!(t["RefreshToken"].as_str().unwrap().split('.').count(), 5, "JWE-shaped refresh token");
    let id = claims(t["IdToken"].as_str().unwrap());
    let access = claims(t["AccessToken"].as_str().unwrap());
    let iss = format!("{}/{pool}", base());
    assert_eq!(id["iss"], iss);
    assert_eq!(access["iss"], iss);
    assert_eq!(id["token_use"], "id");
    assert_eq!(access["token_use"], "access");
    assert_eq!(id["aud"], client);
    assert_eq!(access["client_id"], client);
    assert!(access.get("aud").is_none());
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(access["username"], "alice");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], true, "verified flags are JSON booleans in ID tokens");
    assert_eq!(id["origin_jti"], access["origin_jti"]);
    assert_eq!(id["sub"], access["sub"]);
    assert_eq!(id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(), 3600);
    verify_rs256(&pool, t["IdToken"].as_str().unwrap());
    verify_rs256(&pool, t["AccessToken"].as_str().unwrap());
    let h = |jwt: &str| claims(&format!("x.{}", jwt.split('.').next().unwrap()));
    assert_ne!(
        h(t["IdToken"].as_str().unwrap())["kid"],
        h(t["AccessToken"].as_str().unwrap())["kid"],
        "ID and access tokens use different keys"
    );

    let disc = get_json(&format!("/{pool}/.well-known/openid-configuration"));
    assert_eq!(disc["issuer"], iss);
    assert_eq!(disc["jwks_uri"], format!("{iss}/.well-known/jwks.json"));
    assert_eq!(disc["token_endpoint"], format!("{}/oauth2/token", base()));
    let resp = ureq::get(&format!("{}/{pool}/.well-known/jwks.json", base())).call().unwrap();
    assert!(resp.header("cache-control").unwrap().contains("max-age="));
}

#[test]
fn wrong_password_unknown_user_and_lockout() {
    let (pool, client) = pool_default();
    let f = expect_err(srp_sign_in(&pool, &client, "alice", "Wr0ng!pass"), "NotAuthorizedException");
    assert_eq!(f.message, "Incorrect username or password.");
    assert_eq!(f.status, 400);
    assert_eq!(f.error_type_header.as_deref(), Some("NotAuthorizedException:"));
    let (r, _) = srp_init(&client, "nobody", &[]);
    expect_err(r, "UserNotFoundException");
    for _ in 0..4 {
        expect_err(srp_sign_in(&pool, &client, "alice", "Wr0ng!pass"), "NotAuthorizedException");
    }
    let f = expect_err(srp_sign_in(&pool, &client, "alice", "Passw0rd!"), "NotAuthorizedException");
    assert_eq!(f.message, "Password attempts exceeded");
}

#[test]
fn prevent_user_existence_errors_simulates_a_challenge() {
    let (pool, client) = new_pool(json!({"preventUserExistenceErrors": true, "users": [{"username": "bob", "password": "Passw0rd!"}]}));
    let (r1, _) = srp_init(&client, "ghost", &[]);
    let (r2, _) = srp_init(&client, "ghost", &[]);
    let (r1, r2) = (r1.unwrap(), r2.unwrap());
    assert_eq!(r1["ChallengeName"], "PASSWORD_VERIFIER");
    assert_eq!(r1["ChallengeParameters"]["SALT"], r2["ChallengeParameters"]["SALT"], "stable fake salt");
    let f = expect_err(srp_sign_in(&pool, &client, "ghost", "Whatever1!"), "NotAuthorizedException");
    assert_eq!(f.message, "Incorrect username or password.");
}

/// Moves the pool's clock to the 5th of next month (a one-digit day), same time of day.
fn move_to_single_digit_day(pool: &str) -> i64 {
    let now = now_unix();
    let mut t = now;
    while SrpTimestamp::from_unix(t).as_str().split(' ').nth(2) != Some("5") {
        t += 86_400;
    }
    advance(pool, t - now);
    t
}

#[test]
fn srp_is_strict_about_timestamp_secret_block_and_signature() {
    let (pool, client) = pool_default();
    let now = move_to_single_digit_day(&pool);
    let attempt = |unix: i64, edit: &dyn Fn(&mut Value)| {
        let (init, eph) = srp_init(&client, "alice", &[]);
        let init = init.unwrap();
        let mut resp = verifier_response(&pool, &init, &eph, "Passw0rd!", unix);
        edit(&mut resp);
        respond(&client, "PASSWORD_VERIFIER", &Value::Null, resp)
    };
    // Within the skew window: fine (on the pool's clock).
    assert!(attempt(now - 120, &|_| {}).is_ok());
    assert!(attempt(now + 120, &|_| {}).is_ok());
    // Outside it (the default window is 5 minutes).
    expect_err(attempt(now - 600, &|_| {}), "NotAuthorizedException");
    expect_err(attempt(now_unix(), &|_| {}), "NotAuthorizedException");
    // A zero-padded day, and a wrong weekday, each with a claim correctly signed over that text.
    let good = SrpTimestamp::from_unix(now);
    let mut parts: Vec<String> = good.as_str().split(' ').map(String::from).collect();
    assert_eq!(parts[2], "5");
    parts[2] = "05".into();
    let padded = parts.join(" ");
    let mut w: Vec<String> = good.as_str().split(' ').map(String::from).collect();
    w[0] = if w[0] == "Mon" { "Tue".into() } else { "Mon".into() };
    let weekday = w.join(" ");
    for bad in [padded, weekday, good.as_str().to_string()] {
        let (init, eph) = srp_init(&client, "alice", &[]);
        let init = init.unwrap();
        let p = &init["ChallengeParameters"];
        let ch = VerifierChallenge::from_params(|k| p[k].as_str()).unwrap();
        let ts = SrpTimestamp::from_string(&bad);
        let claim =
            password_claim(&eph, &UserPoolId::parse(&pool).unwrap(), &UserIdForSrp::new("alice"), &Password::new("Passw0rd!"), &ch, &ts)
                .unwrap();
        let r = respond(
            &client,
            "PASSWORD_VERIFIER",
            &Value::Null,
            json!({"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": ch.secret_block.as_str(), "TIMESTAMP": bad, "PASSWORD_CLAIM_SIGNATURE": claim.signature}),
        );
        if bad == good.as_str() {
            assert!(r.is_ok(), "the well-formed timestamp is accepted: {r:?}");
        } else {
            expect_err(r, "NotAuthorizedException");
        }
    }
    // Tampered signature.
    expect_err(
        attempt(now, &|r| r["PASSWORD_CLAIM_SIGNATURE"] = json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
        "NotAuthorizedException",
    );
    // The SECRET_BLOCK is single use.
    let (init, eph) = srp_init(&client, "alice", &[]);
    let resp = verifier_response(&pool, &init.unwrap(), &eph, "Passw0rd!", now);
    assert!(respond(&client, "PASSWORD_VERIFIER", &Value::Null, resp.clone()).is_ok());
    expect_err(respond(&client, "PASSWORD_VERIFIER", &Value::Null, resp), "NotAuthorizedException");
    // Bad SRP_A.
    let n_hex = unpadded_hex(&mont::N.to_be_bytes());
    let r = call(
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"USERNAME": "alice", "SRP_A": n_hex}}),
    );
    expect_err(r, "InvalidParameterException");
    let r = call(
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"USERNAME": "alice", "SRP_A": "f".repeat(5000)}}),
    );
    expect_err(r, "InvalidParameterException");
}

#[test]
fn secret_block_is_bound_to_its_client() {
    let (pool, client) = pool_default();
    let (init, eph) = srp_init(&client, "alice", &[]);
    let resp = verifier_response(&pool, &init.unwrap(), &eph, "Passw0rd!", now_unix());
    let (_, foreign) = pool_default();
    let r = respond(&foreign, "PASSWORD_VERIFIER", &Value::Null, resp);
    expect_err(r, "NotAuthorizedException");
}

#[test]
fn skewed_clock_breaks_srp_like_cognito() {
    let (pool, client) = new_pool(json!({"srpTimestampSkewSeconds": 60, "users": [{"username": "sk", "password": "Passw0rd!"}]}));
    let (init, eph) = srp_init(&client, "sk", &[]);
    let resp = verifier_response(&pool, &init.unwrap(), &eph, "Passw0rd!", now_unix() + 120);
    expect_err(respond(&client, "PASSWORD_VERIFIER", &Value::Null, resp), "NotAuthorizedException");
}

#[test]
fn alias_and_email_as_username() {
    let (pool, client) = pool_default();
    let (init, _) = srp_init(&client, "ALICE@example.com", &[]);
    assert_eq!(init.unwrap()["ChallengeParameters"]["USER_ID_FOR_SRP"], "alice", "alias resolves, case-insensitively");
    assert!(srp_sign_in(&pool, &client, "alice@example.com", "Passw0rd!").unwrap()["AuthenticationResult"].is_object());

    let (pool2, client2) = new_pool(json!({"usernameAttributes": ["email"], "aliasAttributes": []}));
    let su = call("SignUp", json!({"ClientId": client2, "Username": "carol@example.com", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "carol@example.com"}]})).unwrap();
    let sub = su["UserSub"].as_str().unwrap();
    let code = last_code(&pool2, sub);
    call("ConfirmSignUp", json!({"ClientId": client2, "Username": "carol@example.com", "ConfirmationCode": code})).unwrap();
    let (init, _) = srp_init(&client2, "carol@example.com", &[]);
    assert_eq!(init.unwrap()["ChallengeParameters"]["USER_ID_FOR_SRP"], sub, "canonical username is the UUID");
    let t = tokens(&pool2, &client2, "carol@example.com", "Passw0rd!");
    assert_eq!(claims(t["AccessToken"].as_str().unwrap())["username"], sub);
    expect_err(
        call("SignUp", json!({"ClientId": client2, "Username": "not-an-email", "Password": "Passw0rd!"})),
        "InvalidParameterException",
    );
}

#[test]
fn client_secret_hash_at_each_step() {
    let secret = "1ab2cd3ef4gh5ij6kl7mn8op9qr0st1uv2wx3yz4ab5cd6ef7gh8";
    let (pool, client) = new_pool(json!({
        "clients": [{"secret": secret, "explicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
        "users": [{"username": "bob", "password": "Passw0rd!", "attributes": {"email": "bob@example.com", "email_verified": "true"}}]
    }));
    let sh = |u: &str| cognito_proto::crypto::secret_hash(secret, u, &client);
    let (r, _) = srp_init(&client, "bob", &[]);
    assert!(expect_err(r, "NotAuthorizedException").message.contains("SECRET_HASH was not received"));
    let (r, _) = srp_init(&client, "bob", &[("SECRET_HASH", &sh("someone"))]);
    assert!(expect_err(r, "NotAuthorizedException").message.contains("Unable to verify secret hash"));
    // Typed alias at InitiateAuth, canonical name at PASSWORD_VERIFIER.
    let (init, eph) = srp_init(&client, "bob@example.com", &[("SECRET_HASH", &sh("bob@example.com"))]);
    let init = init.unwrap();
    let mut resp = verifier_response(&pool, &init, &eph, "Passw0rd!", now_unix());
    resp["SECRET_HASH"] = json!(sh("bob@example.com"));
    expect_err(respond(&client, "PASSWORD_VERIFIER", &Value::Null, resp.clone()), "NotAuthorizedException");
    let (init, eph) = srp_init(&client, "bob@example.com", &[("SECRET_HASH", &sh("bob@example.com"))]);
    let mut resp = verifier_response(&pool, &init.unwrap(), &eph, "Passw0rd!", now_unix());
    resp["SECRET_HASH"] = json!(sh("bob"));
    let t = respond(&client, "PASSWORD_VERIFIER", &Value::Null, resp).unwrap()["AuthenticationResult"].clone();
    // Refresh: SECRET_HASH over the canonical username.
    let rt = t["RefreshToken"].as_str().unwrap();
    let r = call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": rt}}));
    expect_err(r, "NotAuthorizedException");
    let r = call(
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": rt, "SECRET_HASH": sh("bob")}}),
    );
    assert!(r.unwrap()["AuthenticationResult"]["AccessToken"].is_string());
    // GetTokensFromRefreshToken takes the raw secret.
    expect_err(call("GetTokensFromRefreshToken", json!({"ClientId": client, "RefreshToken": rt})), "NotAuthorizedException");
    assert!(call("GetTokensFromRefreshToken", json!({"ClientId": client, "RefreshToken": rt, "ClientSecret": secret})).is_ok());
}

#[test]
fn user_password_auth_needs_the_flow_enabled() {
    let (_, client) = pool_default();
    let r = call(
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
    );
    assert_eq!(expect_err(r, "InvalidParameterException").message, "USER_PASSWORD_AUTH flow not enabled for this client");
    let (_, client) = new_pool(
        json!({"clients": [{"explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}], "users": [{"username": "u", "password": "Passw0rd!"}]}),
    );
    let ok = call(
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "u", "PASSWORD": "Passw0rd!"}}),
    )
    .unwrap();
    assert!(ok["AuthenticationResult"]["IdToken"].is_string());
    let r = call(
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "u", "PASSWORD": "nope"}}),
    );
    expect_err(r, "NotAuthorizedException");
    let (r, _) = srp_init(&client, "u", &[]);
    expect_err(r, "InvalidParameterException");
    expect_err(
        call("InitiateAuth", json!({"ClientId": "nope", "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {}})),
        "ResourceNotFoundException",
    );
    expect_err(call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "MAGIC", "AuthParameters": {}})), "InvalidParameterException");
}

#[test]
fn account_states_after_the_proof() {
    let (pool, client) = new_pool(json!({"users": [
        {"username": "unconf", "password": "Passw0rd!", "status": "UNCONFIRMED"},
        {"username": "reset", "password": "Passw0rd!", "status": "RESET_REQUIRED"},
        {"username": "off", "password": "Passw0rd!", "enabled": false},
    ]}));
    expect_err(srp_sign_in(&pool, &client, "unconf", "Passw0rd!"), "UserNotConfirmedException");
    expect_err(srp_sign_in(&pool, &client, "reset", "Passw0rd!"), "PasswordResetRequiredException");
    assert_eq!(expect_err(srp_sign_in(&pool, &client, "off", "Passw0rd!"), "NotAuthorizedException").message, "User is disabled.");
    // The state is not revealed without the password.
    assert_eq!(
        expect_err(srp_sign_in(&pool, &client, "unconf", "Wr0ng!pass"), "NotAuthorizedException").message,
        "Incorrect username or password."
    );
}

#[test]
fn new_password_required() {
    let (pool, client) = new_pool(
        json!({"requiredAttributes": ["name"], "users": [{"username": "nh", "temporaryPassword": "TempPassw0rd!", "attributes": {"email": "nh@example.com"}}]}),
    );
    let r = srp_sign_in(&pool, &client, "nh", "TempPassw0rd!").unwrap();
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let params = &r["ChallengeParameters"];
    let required: Vec<String> = serde_json::from_str(params["requiredAttributes"].as_str().unwrap()).unwrap();
    assert_eq!(required, vec!["userAttributes.name"]);
    let attrs: Value = serde_json::from_str(params["userAttributes"].as_str().unwrap()).unwrap();
    assert_eq!(attrs["email"], "nh@example.com");
    let s = &r["Session"];
    let f = expect_err(
        respond(&client, "NEW_PASSWORD_REQUIRED", s, json!({"USERNAME": "nh", "NEW_PASSWORD": "short"})),
        "InvalidPasswordException",
    );
    assert!(f.message.starts_with("Password did not conform with policy"));
    expect_err(
        respond(&client, "NEW_PASSWORD_REQUIRED", s, json!({"USERNAME": "nh", "NEW_PASSWORD": "N3w!Password"})),
        "InvalidParameterException",
    );
    let done = respond(
        &client,
        "NEW_PASSWORD_REQUIRED",
        s,
        json!({"USERNAME": "nh", "NEW_PASSWORD": "N3w!Password", "userAttributes.name": "New Hire"}),
    )
    .unwrap();
    assert_eq!(claims(done["AuthenticationResult"]["IdToken"].as_str().unwrap())["name"], "New Hire");
    assert!(srp_sign_in(&pool, &client, "nh", "N3w!Password").unwrap()["AuthenticationResult"].is_object());
    expect_err(srp_sign_in(&pool, &client, "nh", "TempPassw0rd!"), "NotAuthorizedException");
}

#[test]
fn refresh_and_rotation_and_revocation() {
    let (pool, client) = pool_default();
    let t = tokens(&pool, &client, "alice", "Passw0rd!");
    let rt = t["RefreshToken"].as_str().unwrap();
    advance(&pool, 60);
    let r = call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": rt}}))
        .unwrap();
    let n = &r["AuthenticationResult"];
    assert!(n.get("RefreshToken").is_none(), "no new refresh token without rotation");
    let (old, new) = (claims(t["AccessToken"].as_str().unwrap()), claims(n["AccessToken"].as_str().unwrap()));
    assert_eq!(old["origin_jti"], new["origin_jti"]);
    assert_eq!(old["auth_time"], new["auth_time"]);
    assert!(new["iat"].as_i64().unwrap() >= old["iat"].as_i64().unwrap() + 60);
    assert_eq!(stats(&pool)["refresh"], 1);
    let g = call("GetTokensFromRefreshToken", json!({"ClientId": client, "RefreshToken": rt})).unwrap();
    assert!(g["AuthenticationResult"].get("RefreshToken").is_none());
    assert_eq!(stats(&pool)["refresh"], 2);
    expect_err(
        call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": "garbage"}})),
        "NotAuthorizedException",
    );

    // RevokeToken: the refresh token and the tokens derived from it stop working.
    call("GetUser", json!({"AccessToken": n["AccessToken"]})).unwrap();
    call("RevokeToken", json!({"ClientId": client, "Token": rt})).unwrap();
    expect_err(
        call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": rt}})),
        "NotAuthorizedException",
    );
    assert_eq!(
        expect_err(call("GetUser", json!({"AccessToken": n["AccessToken"]})), "NotAuthorizedException").message,
        "Access Token has been revoked"
    );
    expect_err(call("RevokeToken", json!({"ClientId": client, "Token": t["AccessToken"]})), "UnsupportedTokenTypeException");

    // Expired refresh token.
    let t2 = tokens(&pool, &client, "alice", "Passw0rd!");
    advance(&pool, 31 * 86_400);
    expect_err(
        call("GetTokensFromRefreshToken", json!({"ClientId": client, "RefreshToken": t2["RefreshToken"]})),
        "NotAuthorizedException",
    );

    // Rotation.
    let (pool, client) =
        new_pool(json!({"clients": [{"refreshTokenRotation": true}], "users": [{"username": "r", "password": "Passw0rd!"}]}));
    let t = tokens(&pool, &client, "r", "Passw0rd!");
    let rt = t["RefreshToken"].as_str().unwrap();
    expect_err(
        call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": rt}})),
        "InvalidParameterException",
    );
    let g = call("GetTokensFromRefreshToken", json!({"ClientId": client, "RefreshToken": rt})).unwrap();
    let rt2 = g["AuthenticationResult"]["RefreshToken"].as_str().unwrap();
    assert_ne!(rt, rt2);
    advance(&pool, 5);
    expect_err(call("GetTokensFromRefreshToken", json!({"ClientId": client, "RefreshToken": rt})), "RefreshTokenReuseException");
    assert!(call("GetTokensFromRefreshToken", json!({"ClientId": client, "RefreshToken": rt2})).is_ok());
}

#[test]
fn global_sign_out_revokes_everything() {
    let (pool, client) = pool_default();
    let a = tokens(&pool, &client, "alice", "Passw0rd!");
    let b = tokens(&pool, &client, "alice", "Passw0rd!");
    call("GlobalSignOut", json!({"AccessToken": a["AccessToken"]})).unwrap();
    for t in [&a, &b] {
        expect_err(call("GetUser", json!({"AccessToken": t["AccessToken"]})), "NotAuthorizedException");
        expect_err(
            call("GetTokensFromRefreshToken", json!({"ClientId": client, "RefreshToken": t["RefreshToken"]})),
            "NotAuthorizedException",
        );
    }
    assert!(tokens(&pool, &client, "alice", "Passw0rd!")["AccessToken"].is_string());
}

fn mfa_pool(mode: &str) -> (String, String) {
    new_pool(json!({"mfaConfiguration": mode, "users": [
        {"username": "m", "password": "Passw0rd!", "attributes": {"email": "m@example.com", "email_verified": "true", "phone_number": "+15550001111", "phone_number_verified": "true"}}
    ]}))
}

#[test]
fn totp_set_up_and_sign_in() {
    let (pool, client) = mfa_pool("OPTIONAL");
    let t = tokens(&pool, &client, "m", "Passw0rd!");
    let at = t["AccessToken"].as_str().unwrap();
    // TOTP cannot be enabled before it is verified.
    expect_err(
        call("SetUserMFAPreference", json!({"AccessToken": at, "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}})),
        "InvalidParameterException",
    );
    let secret = call("AssociateSoftwareToken", json!({"AccessToken": at})).unwrap()["SecretCode"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 32);
    expect_err(call("VerifySoftwareToken", json!({"AccessToken": at, "UserCode": "000000"})), "EnableSoftwareTokenMFAException");
    let ok = call("VerifySoftwareToken", json!({"AccessToken": at, "UserCode": totp(&secret, now_unix()), "FriendlyDeviceName": "phone"}))
        .unwrap();
    assert_eq!(ok["Status"], "SUCCESS");
    call("SetUserMFAPreference", json!({"AccessToken": at, "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}})).unwrap();
    let u = call("GetUser", json!({"AccessToken": at})).unwrap();
    assert_eq!(u["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(u["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));

    let r = srp_sign_in(&pool, &client, "m", "Passw0rd!").unwrap();
    assert_eq!(r["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(r["ChallengeParameters"]["FRIENDLY_DEVICE_NAME"], "phone");
    let s = &r["Session"];
    expect_err(
        respond(&client, "SOFTWARE_TOKEN_MFA", s, json!({"USERNAME": "m", "SOFTWARE_TOKEN_MFA_CODE": "123456"})),
        "CodeMismatchException",
    );
    let done =
        respond(&client, "SOFTWARE_TOKEN_MFA", s, json!({"USERNAME": "m", "SOFTWARE_TOKEN_MFA_CODE": totp(&secret, now_unix())})).unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());

    // Three wrong codes end the session; an expired session says so.
    let r = srp_sign_in(&pool, &client, "m", "Passw0rd!").unwrap();
    let s = &r["Session"];
    for _ in 0..2 {
        expect_err(
            respond(&client, "SOFTWARE_TOKEN_MFA", s, json!({"USERNAME": "m", "SOFTWARE_TOKEN_MFA_CODE": "999999"})),
            "CodeMismatchException",
        );
    }
    expect_err(
        respond(&client, "SOFTWARE_TOKEN_MFA", s, json!({"USERNAME": "m", "SOFTWARE_TOKEN_MFA_CODE": "999999"})),
        "NotAuthorizedException",
    );
    expect_err(
        respond(&client, "SOFTWARE_TOKEN_MFA", s, json!({"USERNAME": "m", "SOFTWARE_TOKEN_MFA_CODE": totp(&secret, now_unix())})),
        "NotAuthorizedException",
    );
    let r = srp_sign_in(&pool, &client, "m", "Passw0rd!").unwrap();
    advance(&pool, 181);
    let f = expect_err(
        respond(
            &client,
            "SOFTWARE_TOKEN_MFA",
            &r["Session"],
            json!({"USERNAME": "m", "SOFTWARE_TOKEN_MFA_CODE": totp(&secret, now_unix() + 181)}),
        ),
        "NotAuthorizedException",
    );
    assert!(f.message.contains("expired"));
}

#[test]
fn email_and_sms_codes_and_selection() {
    let (pool, client) = mfa_pool("OPTIONAL");
    let t = tokens(&pool, &client, "m", "Passw0rd!");
    let at = t["AccessToken"].as_str().unwrap();
    call("SetUserMFAPreference", json!({"AccessToken": at, "EmailMfaSettings": {"Enabled": true}, "SMSMfaSettings": {"Enabled": true}}))
        .unwrap();
    let r = srp_sign_in(&pool, &client, "m", "Passw0rd!").unwrap();
    assert_eq!(r["ChallengeName"], "SELECT_MFA_TYPE");
    let can: Vec<String> = serde_json::from_str(r["ChallengeParameters"]["MFAS_CAN_CHOOSE"].as_str().unwrap()).unwrap();
    assert_eq!(can, vec!["SMS_MFA", "EMAIL_OTP"]);
    let e = respond(&client, "SELECT_MFA_TYPE", &r["Session"], json!({"USERNAME": "m", "ANSWER": "EMAIL_OTP"})).unwrap();
    assert_eq!(e["ChallengeName"], "EMAIL_OTP");
    assert_eq!(e["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert_eq!(e["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"], "m***@e***");
    let code = last_code(&pool, "m");
    let done = respond(&client, "EMAIL_OTP", &e["Session"], json!({"USERNAME": "m", "EMAIL_OTP_CODE": code})).unwrap();
    assert!(done["AuthenticationResult"].is_object());
    let r = srp_sign_in(&pool, &client, "m", "Passw0rd!").unwrap();
    let sms = respond(&client, "SELECT_MFA_TYPE", &r["Session"], json!({"USERNAME": "m", "ANSWER": "SMS_MFA"})).unwrap();
    assert_eq!(sms["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
    let m = messages(&pool, "m");
    assert_eq!(m.last().unwrap()["medium"], "SMS");
    assert_eq!(m.last().unwrap()["destination"], "+15550001111");
    let done = respond(&client, "SMS_MFA", &sms["Session"], json!({"USERNAME": "m", "SMS_MFA_CODE": last_code(&pool, "m")})).unwrap();
    assert!(done["AuthenticationResult"].is_object());
}

#[test]
fn mfa_setup_when_required() {
    let (pool, client) = mfa_pool("ON");
    let r = srp_sign_in(&pool, &client, "m", "Passw0rd!").unwrap();
    assert_eq!(r["ChallengeName"], "MFA_SETUP");
    let can: Vec<String> = serde_json::from_str(r["ChallengeParameters"]["MFAS_CAN_SETUP"].as_str().unwrap()).unwrap();
    assert!(can.contains(&"SOFTWARE_TOKEN_MFA".to_string()));
    expect_err(respond(&client, "MFA_SETUP", &r["Session"], json!({"USERNAME": "m"})), "InvalidParameterException");
    let a = call("AssociateSoftwareToken", json!({"Session": r["Session"]})).unwrap();
    let secret = a["SecretCode"].as_str().unwrap();
    let v = call("VerifySoftwareToken", json!({"Session": a["Session"], "UserCode": totp(secret, now_unix())})).unwrap();
    assert_eq!(v["Status"], "SUCCESS");
    let done = respond(&client, "MFA_SETUP", &v["Session"], json!({"USERNAME": "m"})).unwrap();
    assert!(done["AuthenticationResult"].is_object());
    let next = srp_sign_in(&pool, &client, "m", "Passw0rd!").unwrap();
    assert_eq!(next["ChallengeName"], "SOFTWARE_TOKEN_MFA");

    // E-mail set-up through MFA_SETUP.
    let (pool, client) = new_pool(json!({"mfaConfiguration": "ON", "users": [{"username": "e", "password": "Passw0rd!"}]}));
    let r = srp_sign_in(&pool, &client, "e", "Passw0rd!").unwrap();
    let e = respond(&client, "MFA_SETUP", &r["Session"], json!({"USERNAME": "e", "EMAIL": "e@example.com"})).unwrap();
    assert_eq!(e["ChallengeName"], "EMAIL_OTP");
    let done = respond(&client, "EMAIL_OTP", &e["Session"], json!({"USERNAME": "e", "EMAIL_OTP_CODE": last_code(&pool, "e")})).unwrap();
    assert_eq!(claims(done["AuthenticationResult"]["IdToken"].as_str().unwrap())["email"], "e@example.com");
    assert_eq!(srp_sign_in(&pool, &client, "e", "Passw0rd!").unwrap()["ChallengeName"], "EMAIL_OTP");
}

#[test]
fn custom_auth_rounds() {
    let (pool, client) = new_pool(json!({
        "customAuth": {"challenges": [{"question": "2+2?", "answer": "4"}, {"question": "Capital of France?", "answer": "Paris"}], "maxAttempts": 2},
        "users": [{"username": "c", "password": "Passw0rd!"}]
    }));
    let start =
        || call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "CUSTOM_AUTH", "AuthParameters": {"USERNAME": "c"}})).unwrap();
    let r = start();
    assert_eq!(r["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(r["ChallengeParameters"]["question"], "2+2?");
    let wrong = respond(&client, "CUSTOM_CHALLENGE", &r["Session"], json!({"USERNAME": "c", "ANSWER": "5"})).unwrap();
    assert_eq!(wrong["ChallengeParameters"]["question"], "2+2?");
    assert_eq!(wrong["ChallengeParameters"]["attemptsLeft"], "1");
    let r2 = respond(&client, "CUSTOM_CHALLENGE", &wrong["Session"], json!({"USERNAME": "c", "ANSWER": "4"})).unwrap();
    assert_eq!(r2["ChallengeParameters"]["question"], "Capital of France?");
    let done = respond(&client, "CUSTOM_CHALLENGE", &r2["Session"], json!({"USERNAME": "c", "ANSWER": "Paris"})).unwrap();
    assert!(done["AuthenticationResult"].is_object());
    // Too many wrong answers.
    let r = start();
    let w = respond(&client, "CUSTOM_CHALLENGE", &r["Session"], json!({"USERNAME": "c", "ANSWER": "1"})).unwrap();
    expect_err(respond(&client, "CUSTOM_CHALLENGE", &w["Session"], json!({"USERNAME": "c", "ANSWER": "1"})), "NotAuthorizedException");
    // CUSTOM_AUTH with SRP first.
    let eph = ClientEphemeral::from_random(cognito_emulator::util::random_bytes()).unwrap();
    let init = call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "CUSTOM_AUTH", "AuthParameters": {"USERNAME": "c", "CHALLENGE_NAME": "SRP_A", "SRP_A": eph.public().to_hex()}})).unwrap();
    assert_eq!(init["ChallengeName"], "PASSWORD_VERIFIER");
    let resp = verifier_response(&pool, &init, &eph, "Passw0rd!", now_unix());
    let c = respond(&client, "PASSWORD_VERIFIER", &Value::Null, resp).unwrap();
    assert_eq!(c["ChallengeName"], "CUSTOM_CHALLENGE");
}

fn confirm_device(pool: &str, access: &str, meta: &Value) -> (DeviceKey, DeviceGroupKey, DevicePassword, Value) {
    let key = DeviceKey::new(meta["DeviceKey"].as_str().unwrap());
    let group = DeviceGroupKey::new(meta["DeviceGroupKey"].as_str().unwrap());
    assert!(key.as_str().starts_with(pool.split('_').next().unwrap()));
    let secrets =
        DeviceSecrets::from_random(&group, &key, &cognito_emulator::util::random_bytes(), &cognito_emulator::util::random_bytes());
    let r = call(
        "ConfirmDevice",
        json!({"AccessToken": access, "DeviceKey": key.as_str(), "DeviceName": "test browser",
               "DeviceSecretVerifierConfig": {"PasswordVerifier": secrets.password_verifier, "Salt": secrets.salt}}),
    )
    .unwrap();
    (key, group, secrets.password, r)
}

fn device_sign_in(
    pool: &str,
    client: &str,
    user: &str,
    password: &str,
    key: &DeviceKey,
    group: &DeviceGroupKey,
    dpw: &DevicePassword,
) -> Result<Value, Failure> {
    let (init, eph) = srp_init(client, user, &[("DEVICE_KEY", key.as_str())]);
    let mut resp = verifier_response(pool, &init?, &eph, password, now_unix());
    resp["DEVICE_KEY"] = json!(key.as_str());
    let r = respond(client, "PASSWORD_VERIFIER", &Value::Null, resp)?;
    if r["ChallengeName"] != "DEVICE_SRP_AUTH" {
        return Ok(r);
    }
    let eph2 = ClientEphemeral::from_random(cognito_emulator::util::random_bytes()).unwrap();
    let d = respond(
        client,
        "DEVICE_SRP_AUTH",
        &r["Session"],
        json!({"USERNAME": user, "DEVICE_KEY": key.as_str(), "SRP_A": eph2.public().to_hex()}),
    )?;
    assert_eq!(d["ChallengeName"], "DEVICE_PASSWORD_VERIFIER");
    let p = &d["ChallengeParameters"];
    let ch = VerifierChallenge::from_params(|k| p[k].as_str()).unwrap();
    let ts = SrpTimestamp::from_unix(now_unix());
    let claim = device_claim(&eph2, group, key, dpw, &ch, &ts).unwrap();
    respond(
        client,
        "DEVICE_PASSWORD_VERIFIER",
        &d["Session"],
        json!({"USERNAME": user, "DEVICE_KEY": key.as_str(), "PASSWORD_CLAIM_SECRET_BLOCK": ch.secret_block.as_str(), "TIMESTAMP": ts.as_str(), "PASSWORD_CLAIM_SIGNATURE": claim.signature}),
    )
}

#[test]
fn remembered_device_skips_mfa_and_binds_refresh() {
    let (pool, client) = new_pool(json!({"deviceTracking": "ALWAYS", "mfaConfiguration": "OPTIONAL", "users": [
        {"username": "d", "password": "Passw0rd!", "mfa": ["EMAIL_OTP"], "attributes": {"email": "d@example.com", "email_verified": "true"}}
    ]}));
    let r = srp_sign_in(&pool, &client, "d", "Passw0rd!").unwrap();
    assert_eq!(r["ChallengeName"], "EMAIL_OTP");
    let done = respond(&client, "EMAIL_OTP", &r["Session"], json!({"USERNAME": "d", "EMAIL_OTP_CODE": last_code(&pool, "d")})).unwrap();
    let t = &done["AuthenticationResult"];
    let meta = &t["NewDeviceMetadata"];
    assert!(meta["DeviceKey"].is_string(), "{t}");
    assert_eq!(claims(t["AccessToken"].as_str().unwrap())["device_key"], meta["DeviceKey"]);
    let (key, group, dpw, conf) = confirm_device(&pool, t["AccessToken"].as_str().unwrap(), meta);
    assert_eq!(conf["UserConfirmationNecessary"], false);
    let list = call("ListDevices", json!({"AccessToken": t["AccessToken"]})).unwrap();
    let dev = &list["Devices"][0];
    assert_eq!(dev["DeviceKey"], key.as_str());
    assert!(dev["DeviceAttributes"].as_array().unwrap().iter().any(|a| a["Name"] == "device_name" && a["Value"] == "test browser"));
    assert!(call("GetDevice", json!({"AccessToken": t["AccessToken"], "DeviceKey": key.as_str()})).unwrap()["Device"].is_object());

    // Refresh must name the device.
    let rt = t["RefreshToken"].as_str().unwrap();
    expect_err(
        call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": rt}})),
        "NotAuthorizedException",
    );
    assert!(call(
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": rt, "DEVICE_KEY": key.as_str()}})
    )
    .is_ok());
    assert!(call("GetTokensFromRefreshToken", json!({"ClientId": client, "RefreshToken": rt, "DeviceKey": key.as_str()})).is_ok());

    // Next sign-in: device SRP instead of the e-mail code, and no new device.
    let before = messages(&pool, "d").len();
    let d = device_sign_in(&pool, &client, "d", "Passw0rd!", &key, &group, &dpw).unwrap();
    assert!(d["AuthenticationResult"]["AccessToken"].is_string(), "{d}");
    assert!(d["AuthenticationResult"].get("NewDeviceMetadata").is_none());
    assert_eq!(messages(&pool, "d").len(), before, "no MFA code was sent");
    // A wrong device password fails.
    let bad = device_sign_in(&pool, &client, "d", "Passw0rd!", &key, &group, &DevicePassword::new("wrong"));
    expect_err(bad, "NotAuthorizedException");

    // Forgetting the device: its refresh tokens and its key stop working.
    call("ForgetDevice", json!({"AccessToken": d["AuthenticationResult"]["AccessToken"], "DeviceKey": key.as_str()})).unwrap();
    expect_err(
        call("GetTokensFromRefreshToken", json!({"ClientId": client, "RefreshToken": rt, "DeviceKey": key.as_str()})),
        "NotAuthorizedException",
    );
    let f = expect_err(device_sign_in(&pool, &client, "d", "Passw0rd!", &key, &group, &dpw), "ResourceNotFoundException");
    assert!(f.message.contains("Device"));
}

#[test]
fn device_opt_in_needs_update_device_status() {
    let (pool, client) = new_pool(json!({"deviceTracking": "USER_OPT_IN", "users": [{"username": "o", "password": "Passw0rd!"}]}));
    let t = tokens(&pool, &client, "o", "Passw0rd!");
    let (key, group, dpw, conf) = confirm_device(&pool, t["AccessToken"].as_str().unwrap(), &t["NewDeviceMetadata"]);
    assert_eq!(conf["UserConfirmationNecessary"], true);
    // Not remembered: no device SRP, plain tokens.
    let r = device_sign_in(&pool, &client, "o", "Passw0rd!", &key, &group, &dpw).unwrap();
    assert!(r["AuthenticationResult"].is_object());
    call("UpdateDeviceStatus", json!({"AccessToken": t["AccessToken"], "DeviceKey": key.as_str(), "DeviceRememberedStatus": "remembered"}))
        .unwrap();
    let (init, eph) = srp_init(&client, "o", &[("DEVICE_KEY", key.as_str())]);
    let mut resp = verifier_response(&pool, &init.unwrap(), &eph, "Passw0rd!", now_unix());
    resp["DEVICE_KEY"] = json!(key.as_str());
    assert_eq!(respond(&client, "PASSWORD_VERIFIER", &Value::Null, resp).unwrap()["ChallengeName"], "DEVICE_SRP_AUTH");
    expect_err(
        call(
            "UpdateDeviceStatus",
            json!({"AccessToken": t["AccessToken"], "DeviceKey": "us-east-1_nope", "DeviceRememberedStatus": "remembered"}),
        ),
        "ResourceNotFoundException",
    );
}

#[test]
fn auto_sign_in_with_the_confirm_sign_up_session() {
    let (pool, client) = new_pool(json!({}));
    call("SignUp", json!({"ClientId": client, "Username": "auto", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "auto@example.com"}]})).unwrap();
    let c = call("ConfirmSignUp", json!({"ClientId": client, "Username": "auto", "ConfirmationCode": last_code(&pool, "auto")})).unwrap();
    let session = c["Session"].as_str().unwrap();
    expect_err(
        call(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_AUTH", "AuthParameters": {"USERNAME": "someone"}, "Session": session}),
        ),
        "NotAuthorizedException",
    );
    call("SignUp", json!({"ClientId": client, "Username": "auto2", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "auto2@example.com"}]})).unwrap();
    let c = call("ConfirmSignUp", json!({"ClientId": client, "Username": "auto2", "ConfirmationCode": last_code(&pool, "auto2")})).unwrap();
    let r = call(
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_AUTH", "AuthParameters": {"USERNAME": "auto2"}, "Session": c["Session"]}),
    )
    .unwrap();
    assert_eq!(claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap())["cognito:username"], "auto2");
    expect_err(
        call(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_AUTH", "AuthParameters": {"USERNAME": "auto2"}, "Session": c["Session"]}),
        ),
        "NotAuthorizedException",
    );
}
