//! The hosted UI and OAuth endpoints over HTTP: authorize validation, PKCE, the sign-in page,
//! code exchange, userInfo, refresh, revoke, logout, social providers, hosted MFA and sign-up.

mod common;
use cognito_proto::codec::{base64url_encode, form_decode, form_encode, url_encode};
use cognito_proto::crypto::sha256;
use common::*;
use serde_json::{json, Value};

const CB: &str = "http://127.0.0.1:8080/callback";

struct Resp {
    status: u16,
    location: Option<String>,
    cookie: Option<String>,
    body: String,
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().redirects(0).build()
}

fn get(path: &str, cookie: Option<&str>) -> Resp {
    let mut r = agent().get(&format!("{}{path}", base()));
    if let Some(c) = cookie {
        r = r.set("Cookie", c);
    }
    to_resp(r.call())
}

fn post_form(path: &str, form: &[(&str, &str)], headers: &[(&str, &str)]) -> Resp {
    let mut r = agent().post(&format!("{}{path}", base())).set("Content-Type", "application/x-www-form-urlencoded");
    for (k, v) in headers {
        r = r.set(k, v);
    }
    to_resp(r.send_string(&form_encode(form)))
}

fn to_resp(r: Result<ureq::Response, ureq::Error>) -> Resp {
    let resp = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    Resp {
        status: resp.status(),
        location: resp.header("location").map(String::from),
        cookie: resp.header("set-cookie").map(|c| c.split(';').next().unwrap().to_string()),
        body: resp.into_string().unwrap_or_default(),
    }
}

fn query_of(url: &str) -> Vec<(String, String)> {
    form_decode(url.split_once('?').map(|x| x.1).unwrap_or(""))
}

fn q<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
}

fn hosted_pool(extra: Value) -> (String, String) {
    let mut cfg = json!({
        "identityProviders": [{"name": "Google", "providerType": "Google", "attributeMapping": {"email": "email", "name": "name"}}],
        "clients": [{"callbackUrls": [CB], "logoutUrls": ["http://127.0.0.1:8080/bye"], "supportedIdentityProviders": ["COGNITO", "Google"]}],
        "users": [{"username": "alice", "password": "Passw0rd!", "attributes": {"email": "alice@example.com", "email_verified": "true", "name": "Alice"}}]
    });
    if let (Some(c), Some(e)) = (cfg.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            c.insert(k.clone(), v.clone());
        }
    }
    new_pool(cfg)
}

struct Pkce {
    verifier: String,
    challenge: String,
}

fn pkce() -> Pkce {
    let verifier = base64url_encode(&cognito_proto::crypto::sha256(&[now_unix().to_string().as_bytes(), b"pkce"]));
    let challenge = base64url_encode(&sha256(&[verifier.as_bytes()]));
    Pkce { verifier, challenge }
}

fn authorize_url(client: &str, p: &Pkce, extra: &[(&str, &str)]) -> String {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", CB),
        ("state", "st-123"),
        ("scope", "openid email profile aws.cognito.signin.user.admin"),
        ("code_challenge", p.challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("nonce", "n-456"),
    ];
    params.extend_from_slice(extra);
    format!("/oauth2/authorize?{}", form_encode(&params))
}

/// authorize → /login → POST credentials → redirect with code. Returns (code, cookie).
fn login(client: &str, p: &Pkce, user: &str, password: &str) -> (String, String) {
    let a = get(&authorize_url(client, p, &[]), None);
    assert_eq!(a.status, 302);
    let login_path = a.location.unwrap();
    assert!(login_path.starts_with("/login?"), "{login_path}");
    let page = get(&login_path, None);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("name=\"username\"") && page.body.contains("name=\"password\""));
    let r = post_form(&login_path, &[("username", user), ("password", password)], &[]);
    assert_eq!(r.status, 302, "{}", r.body);
    let loc = r.location.unwrap();
    assert!(loc.starts_with(CB), "{loc}");
    let qs = query_of(&loc);
    assert_eq!(q(&qs, "state"), Some("st-123"));
    (q(&qs, "code").unwrap().to_string(), r.cookie.unwrap())
}

fn exchange(client: &str, code: &str, verifier: Option<&str>) -> Resp {
    let mut f = vec![("grant_type", "authorization_code"), ("client_id", client), ("code", code), ("redirect_uri", CB)];
    if let Some(v) = verifier {
        f.push(("code_verifier", v));
    }
    post_form("/oauth2/token", &f, &[])
}

#[test]
fn code_flow_with_pkce_round_trip() {
    let (pool, client) = hosted_pool(json!({}));
    let p = pkce();
    let (code, cookie) = login(&client, &p, "alice", "Passw0rd!");
    // Without the verifier, or with a wrong one: refused.
    let (code_b, _) = login(&client, &pkce_other(), "alice", "Passw0rd!");
    let r = exchange(&client, &code_b, None);
    assert_eq!(r.status, 400);
    assert_eq!(serde_json::from_str::<Value>(&r.body).unwrap()["error"], "invalid_grant");
    let r = exchange(&client, &code, Some("wrong-verifier-wrong-verifier-wrong-verifier-00"));
    assert_eq!(serde_json::from_str::<Value>(&r.body).unwrap()["error"], "invalid_grant");
    // A failed exchange still uses the code up.
    assert_eq!(serde_json::from_str::<Value>(&exchange(&client, &code, Some(&p.verifier)).body).unwrap()["error"], "invalid_grant");
    let (code, _) = login(&client, &p, "alice", "Passw0rd!");
    let r = exchange(&client, &code, Some(&p.verifier));
    assert_eq!(r.status, 200, "{}", r.body);
    let t: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    let id = claims(t["id_token"].as_str().unwrap());
    assert_eq!(id["nonce"], "n-456");
    assert_eq!(id["at_hash"], base64url_encode(&sha256(&[t["access_token"].as_str().unwrap().as_bytes()])[..16]));
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["name"], "Alice");
    let access = claims(t["access_token"].as_str().unwrap());
    assert_eq!(access["scope"], "openid email profile aws.cognito.signin.user.admin");
    // Single use.
    assert_eq!(serde_json::from_str::<Value>(&exchange(&client, &code, Some(&p.verifier)).body).unwrap()["error"], "invalid_grant");
    // The access token works with the user API (it has the admin scope) and with userInfo.
    assert!(call("GetUser", json!({"AccessToken": t["access_token"]})).is_ok());
    let ui = agent()
        .get(&format!("{}/oauth2/userInfo", base()))
        .set("Authorization", &format!("Bearer {}", t["access_token"].as_str().unwrap()))
        .call()
        .unwrap();
    let ui: Value = serde_json::from_str(&ui.into_string().unwrap()).unwrap();
    assert_eq!(ui["username"], "alice");
    assert_eq!(ui["email_verified"], "true", "userInfo returns verified flags as strings");
    // SSO: a second authorize with the session cookie needs no password; prompt=login forces it.
    let again = get(&authorize_url(&client, &p, &[]), Some(&cookie));
    assert!(again.location.unwrap().starts_with(CB));
    let forced = get(&authorize_url(&client, &p, &[("prompt", "login")]), Some(&cookie));
    assert!(forced.location.unwrap().starts_with("/login?"));
    let none = get(&authorize_url(&client, &p, &[("prompt", "none")]), None);
    assert_eq!(q(&query_of(&none.location.unwrap()), "error"), Some("login_required"));
    // Refresh at the token endpoint; then revoke.
    let rt = t["refresh_token"].as_str().unwrap();
    let r = post_form("/oauth2/token", &[("grant_type", "refresh_token"), ("client_id", &client), ("refresh_token", rt)], &[]);
    let n: Value = serde_json::from_str(&r.body).unwrap();
    assert!(n["access_token"].is_string() && n.get("refresh_token").is_none());
    assert_eq!(claims(n["access_token"].as_str().unwrap())["scope"], access["scope"]);
    assert_eq!(post_form("/oauth2/revoke", &[("token", rt), ("client_id", &client)], &[]).status, 200);
    let r = post_form("/oauth2/token", &[("grant_type", "refresh_token"), ("client_id", &client), ("refresh_token", rt)], &[]);
    assert_eq!(serde_json::from_str::<Value>(&r.body).unwrap()["error"], "invalid_grant");
    let _ = pool;
}

fn pkce_other() -> Pkce {
    let verifier = base64url_encode(&sha256(&[b"another verifier"]));
    let challenge = base64url_encode(&sha256(&[verifier.as_bytes()]));
    Pkce { verifier, challenge }
}

#[test]
fn authorize_validation() {
    let (_, client) = hosted_pool(json!({}));
    let p = pkce();
    // Unknown client / redirect mismatch: the emulator's own error page, never the app.
    let r = get(&format!("/oauth2/authorize?response_type=code&client_id=nope&redirect_uri={}", url_encode(CB)), None);
    assert!(r.location.unwrap().starts_with("/error?error=invalid_client"));
    let r = get(
        &format!("/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={}", url_encode("http://evil.example/cb")),
        None,
    );
    let loc = r.location.unwrap();
    assert!(loc.starts_with("/error?error=redirect_mismatch"), "{loc}");
    assert_eq!(get(&loc, None).status, 400);
    let r =
        get(&format!("/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={}", url_encode(&format!("{CB}/extra"))), None);
    assert!(r.location.unwrap().starts_with("/error?error=redirect_mismatch"), "exact match only");
    // PKCE is required for this public client; only S256.
    let r = get(&format!("/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={}&state=s1", url_encode(CB)), None);
    let qs = query_of(&r.location.unwrap());
    assert_eq!(q(&qs, "error"), Some("invalid_request"));
    assert_eq!(q(&qs, "state"), Some("s1"));
    let r = get(&authorize_url(&client, &p, &[("code_challenge_method", "plain")]).replace("code_challenge_method=S256&", ""), None);
    assert_eq!(q(&query_of(&r.location.unwrap()), "error"), Some("invalid_request"));
    let r = get(&format!("/oauth2/authorize?client_id={client}&redirect_uri={}", url_encode(CB)), None);
    assert_eq!(q(&query_of(&r.location.unwrap()), "error"), Some("invalid_request"));
    let r = get(&format!("/oauth2/authorize?response_type=token&client_id={client}&redirect_uri={}", url_encode(CB)), None);
    assert_eq!(q(&query_of(&r.location.unwrap()), "error"), Some("unauthorized_client"));
    let r = get(&authorize_url(&client, &p, &[("identity_provider", "Twitter")]), None);
    assert_eq!(q(&query_of(&r.location.unwrap()), "error"), Some("invalid_request"));
    // lang reaches the page.
    let fr = get(&authorize_url(&client, &p, &[("lang", "fr")]), None).location.unwrap();
    assert!(get(&fr, None).body.contains(r#"<html lang="fr">"#));
    // Wrong password re-renders the page with the error.
    let a = get(&authorize_url(&client, &p, &[("login_hint", "alice")]), None).location.unwrap();
    let page = get(&a, None);
    assert!(page.body.contains("value=\"alice\""), "login_hint pre-fills the username");
    let r = post_form(&a, &[("username", "alice"), ("password", "nope")], &[]);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Incorrect username or password."));
}

#[test]
fn social_provider_consent_creates_a_federated_user() {
    let (pool, client) = hosted_pool(json!({}));
    let p = pkce();
    let r = get(&authorize_url(&client, &p, &[("identity_provider", "Google")]), None);
    let consent = r.location.unwrap();
    assert!(consent.starts_with("/_emulator/idp/Google?"), "{consent}");
    let page = get(&consent, None);
    assert!(page.body.contains("Sign in with Google"));
    let r = post_form(&consent, &[("email", "g@example.com"), ("name", "Gee"), ("sub", "g-42"), ("action", "submit")], &[]);
    let loc = r.location.unwrap();
    let code = q(&query_of(&loc), "code").unwrap().to_string();
    let t: Value = serde_json::from_str(&exchange(&client, &code, Some(&p.verifier)).body).unwrap();
    let id = claims(t["id_token"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "Google_g-42");
    assert_eq!(id["email"], "g@example.com");
    assert_eq!(id["identities"][0]["providerName"], "Google");
    let u = call("AdminGetUser", json!({"UserPoolId": pool, "Username": "Google_g-42"})).unwrap();
    assert_eq!(u["UserStatus"], "EXTERNAL_PROVIDER");
    // Cancel at the provider → access_denied at the app, with the state.
    let r = post_form(&consent, &[("action", "cancel")], &[]);
    let qs = query_of(&r.location.unwrap());
    assert_eq!(q(&qs, "error"), Some("access_denied"));
    assert_eq!(q(&qs, "state"), Some("st-123"));
}

#[test]
fn hosted_tokens_without_admin_scope_cannot_call_the_user_api() {
    let (_, client) = hosted_pool(json!({}));
    let p = pkce();
    let a = get(
        &authorize_url(&client, &p, &[]).replace("+aws.cognito.signin.user.admin", "").replace("%20aws.cognito.signin.user.admin", ""),
        None,
    );
    let login_path = a.location.unwrap();
    let r = post_form(&login_path, &[("username", "alice"), ("password", "Passw0rd!")], &[]);
    let code = q(&query_of(&r.location.unwrap()), "code").unwrap().to_string();
    let t: Value = serde_json::from_str(&exchange(&client, &code, Some(&p.verifier)).body).unwrap();
    assert_eq!(claims(t["access_token"].as_str().unwrap())["scope"], "openid email profile");
    let f = expect_err(call("GetUser", json!({"AccessToken": t["access_token"]})), "NotAuthorizedException");
    assert_eq!(f.message, "Access Token does not have required scopes");
    // An API token has no openid scope: userInfo refuses it.
    let (pool, client2) = pool_default();
    let api = tokens(&pool, &client2, "alice", "Passw0rd!");
    let r = agent()
        .get(&format!("{}/oauth2/userInfo", base()))
        .set("Authorization", &format!("Bearer {}", api["AccessToken"].as_str().unwrap()))
        .call();
    assert!(matches!(r, Err(ureq::Error::Status(401, _))));
}

#[test]
fn logout_and_confidential_clients() {
    let secret = "s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t";
    let (_, client) =
        hosted_pool(json!({"clients": [{"secret": secret, "callbackUrls": [CB], "logoutUrls": ["http://127.0.0.1:8080/bye"]}]}));
    // A confidential client may skip PKCE; the code exchange needs its secret (Basic auth).
    let a = get(&format!("/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={}&scope=openid", url_encode(CB)), None);
    let login_path = a.location.unwrap();
    let r = post_form(&login_path, &[("username", "alice"), ("password", "Passw0rd!")], &[]);
    let cookie = r.cookie.clone().unwrap();
    let code = q(&query_of(&r.location.unwrap()), "code").unwrap().to_string();
    let f = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", CB)];
    let bad = post_form(
        "/oauth2/token",
        &f,
        &[("Authorization", &format!("Basic {}", cognito_proto::codec::base64_encode(format!("{client}:wrong").as_bytes())))],
    );
    assert_eq!(bad.status, 401);
    assert_eq!(serde_json::from_str::<Value>(&bad.body).unwrap()["error"], "invalid_client");
    let ok = post_form(
        "/oauth2/token",
        &f,
        &[("Authorization", &format!("Basic {}", cognito_proto::codec::base64_encode(format!("{client}:{secret}").as_bytes())))],
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    let t: Value = serde_json::from_str(&ok.body).unwrap();
    assert!(t["id_token"].is_string());
    // Logout: registered logout_uri only; the session cookie is cleared.
    let out = get(&format!("/logout?client_id={client}&logout_uri={}", url_encode("http://127.0.0.1:8080/bye")), Some(&cookie));
    assert_eq!(out.location.as_deref(), Some("http://127.0.0.1:8080/bye"));
    assert!(out.cookie.unwrap().ends_with('='));
    let again = get(
        &format!("/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={}&scope=openid", url_encode(CB)),
        Some(&cookie),
    );
    assert!(again.location.unwrap().starts_with("/login?"), "the hosted session ended");
    let bad = get(&format!("/logout?client_id={client}&logout_uri={}", url_encode("http://evil.example/")), None);
    assert!(bad.location.unwrap().starts_with("/error?error=redirect_mismatch"));
}

#[test]
fn hosted_pages_for_new_password_mfa_and_sign_up() {
    let (pool, client) = hosted_pool(json!({
        "mfaConfiguration": "OPTIONAL",
        "users": [
            {"username": "temp", "temporaryPassword": "TempPassw0rd!", "attributes": {"email": "temp@example.com"}},
            {"username": "totp", "password": "Passw0rd!", "totpSecret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}
        ]
    }));
    let p = pkce();
    let login_path = get(&authorize_url(&client, &p, &[]), None).location.unwrap();
    let r = post_form(&login_path, &[("username", "temp"), ("password", "TempPassw0rd!")], &[]);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("new_password"));
    let flow = extract_hidden(&r.body, "flow");
    let r2 = post_form(&login_path, &[("flow", &flow), ("step", "NEW_PASSWORD"), ("new_password", "weak")], &[]);
    assert!(r2.body.contains("Password did not conform"));
    let flow = extract_hidden(&r2.body, "flow");
    let r3 = post_form(&login_path, &[("flow", &flow), ("step", "NEW_PASSWORD"), ("new_password", "N3w!Passw0rd")], &[]);
    assert!(r3.location.unwrap().starts_with(CB));

    let r = post_form(&login_path, &[("username", "totp"), ("password", "Passw0rd!")], &[]);
    assert!(r.body.contains("authenticator"));
    let flow = extract_hidden(&r.body, "flow");
    let r2 = post_form(
        &login_path,
        &[("flow", &flow), ("step", "SOFTWARE_TOKEN_MFA"), ("code", &totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", now_unix()))],
        &[],
    );
    assert!(r2.location.unwrap().starts_with(CB));

    // Sign-up page → confirmation page → back to the app.
    let signup = login_path.replacen("/login?", "/signup?", 1);
    assert_eq!(get(&signup, None).status, 200);
    let r = post_form(&signup, &[("username", "newbie"), ("email", "newbie@example.com"), ("password", "Passw0rd!")], &[]);
    assert!(r.body.contains("Confirm your account"), "{}", r.body);
    let flow = extract_hidden(&r.body, "flow");
    let code = last_code(&pool, "newbie");
    let r2 = post_form(&login_path, &[("flow", &flow), ("step", "CONFIRM"), ("code", &code)], &[]);
    assert!(r2.location.unwrap().starts_with(CB));

    // Forgot-password pages.
    let forgot = login_path.replacen("/login?", "/forgotPassword?", 1);
    let r = post_form(&forgot, &[("username", "newbie")], &[]);
    assert!(r.body.contains("Reset your password"));
    let r2 = post_form(&forgot, &[("username", "newbie"), ("code", &last_code(&pool, "newbie")), ("password", "An0ther!pass")], &[]);
    assert_eq!(r2.status, 200);
    assert!(srp_sign_in(&pool, &client, "newbie", "An0ther!pass").is_ok());

    // The e-mailed confirmation link.
    call("SignUp", json!({"ClientId": client, "Username": "linked", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "l@example.com"}]})).unwrap();
    let link = format!("/confirmUser?client_id={client}&user_name=linked&confirmation_code={}", last_code(&pool, "linked"));
    assert!(get(&link, None).body.contains("confirmed"));
    assert!(srp_sign_in(&pool, &client, "linked", "Passw0rd!").is_ok());
}

fn extract_hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no hidden {name} in {html}")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

fn trigger_log(pool: &str) -> Vec<String> {
    get_json(&format!("/_emulator/triggers?poolId={pool}"))
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["triggerSource"].as_str().unwrap().to_string())
        .collect()
}

fn node_trigger() -> Value {
    let dir = env!("CARGO_MANIFEST_DIR");
    json!({"command": ["node", format!("{dir}/adapters/lambda_adapter.mjs"), format!("{dir}/tests/fixtures/triggers.mjs")]})
}

/// Cognito's rule: a first federated sign-in is a sign-up (preSignUp ExternalProvider, then
/// postConfirmation), not an authentication; later ones fire postAuthentication.
#[test]
fn triggers_on_federated_and_hosted_password_sign_in() {
    let t = node_trigger();
    let (pool, client) = hosted_pool(json!({"triggers": {
        "preSignUp": t, "postConfirmation": t, "preAuthentication": t, "postAuthentication": t,
        "preTokenGeneration": t, "userMigration": t,
    }}));
    let social = || {
        let p = pkce();
        let r = get(&authorize_url(&client, &p, &[("identity_provider", "Google")]), None);
        let consent = r.location.unwrap();
        let r = post_form(&consent, &[("email", "fed@example.com"), ("name", "Fed"), ("sub", "f-1"), ("action", "submit")], &[]);
        let code = q(&query_of(&r.location.unwrap()), "code").unwrap().to_string();
        let t: Value = serde_json::from_str(&exchange(&client, &code, Some(&p.verifier)).body).unwrap();
        claims(t["id_token"].as_str().unwrap())
    };
    let id = social();
    assert_eq!(trigger_log(&pool), ["PreSignUp_ExternalProvider", "PostConfirmation_ConfirmSignUp", "TokenGeneration_HostedAuth"]);
    assert_eq!(id["token_source"], "TokenGeneration_HostedAuth");
    assert_eq!(id["tier"], "gold");
    let e = &get_json(&format!("/_emulator/triggers?poolId={pool}"))[0]["event"];
    assert_eq!(e["userName"], "Google_f-1");
    assert_eq!(e["request"]["userAttributes"]["email"], "fed@example.com");
    social();
    assert_eq!(trigger_log(&pool)[3..], ["PostAuthentication_Authentication", "TokenGeneration_HostedAuth"]);

    // The hosted password form migrates an unknown user (it has the password), then signs in.
    let p = pkce();
    let (code, _) = login(&client, &p, "legacy", "Legacy1!pw");
    let log = trigger_log(&pool);
    assert_eq!(log[5..], ["UserMigration_Authentication", "PostAuthentication_Authentication"]);
    let t: Value = serde_json::from_str(&exchange(&client, &code, Some(&p.verifier)).body).unwrap();
    assert_eq!(claims(t["id_token"].as_str().unwrap())["email"], "overridden@example.com");
    // The login page shows a trigger's refusal with its message.
    let (pool2, client2) = hosted_pool(json!({"triggers": {"preAuthentication": node_trigger()},
        "users": [{"username": "throws", "password": "Passw0rd!"}]}));
    let a = get(&authorize_url(&client2, &pkce(), &[]), None);
    let r = post_form(&a.location.unwrap(), &[("username", "throws"), ("password", "Passw0rd!")], &[]);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("PreAuthentication failed with error Refused throws at PreAuthentication_Authentication."), "{}", r.body);
    assert_eq!(trigger_log(&pool2), ["PreAuthentication_Authentication"]);
}
