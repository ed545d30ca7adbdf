//! Test client: a real emulator on a free port, spoken to over HTTP (ureq), with the SDK's own
//! SRP client math for sign-ins.
#![allow(dead_code)]

use cognito_proto::srp::*;
use cognito_proto::types::*;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// One emulator per test binary (tests create their own pools, so they do not interfere).
pub fn base() -> &'static str {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| cognito_emulator::spawn(cognito_emulator::config::Config::default()).expect("emulator starts").0)
}

/// The emulator binary on a free port, started with `args`; killed when dropped (also when an
/// assertion fails).
pub struct Binary {
    pub child: std::process::Child,
    /// The ready line.
    pub ready: Value,
    pub endpoint: String,
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_binary(args: &[&str]) -> Binary {
    use std::io::BufRead;
    let bin = env!("CARGO_BIN_EXE_cognito-emulator");
    let mut child = std::process::Command::new(bin).args(["--port", "0"]).args(args).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("ready line {line:?}: {e}"));
    let endpoint = ready["endpoint"].as_str().unwrap_or_default().to_string();
    Binary { child, ready, endpoint }
}

pub struct Failure {
    pub status: u16,
    pub name: String,
    pub message: String,
    pub error_type_header: Option<String>,
}

impl std::fmt::Debug for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.name, self.message)
    }
}

/// Calls `AWSCognitoIdentityProviderService.<op>`.
pub fn call(op: &str, body: Value) -> Result<Value, Failure> {
    raw(op, &body.to_string(), "application/x-amz-json-1.1")
}

pub fn raw(op: &str, body: &str, content_type: &str) -> Result<Value, Failure> {
    raw_at(&format!("{}/", base()), op, body, content_type)
}

/// Calls `AWSCognitoIdentityProviderService.<op>` of the emulator at `endpoint`.
pub fn call_at(endpoint: &str, op: &str, body: Value) -> Result<Value, Failure> {
    raw_at(endpoint, op, &body.to_string(), "application/x-amz-json-1.1")
}

pub fn raw_at(endpoint: &str, op: &str, body: &str, content_type: &str) -> Result<Value, Failure> {
    let r = ureq::post(endpoint)
        .set("Content-Type", content_type)
        .set("X-Amz-Target", &format!("AWSCognitoIdentityProviderService.{op}"))
        .send_string(body);
    match r {
        Ok(resp) => {
            assert_eq!(resp.header("content-type"), Some("application/x-amz-json-1.1"));
            assert!(resp.header("x-amzn-requestid").is_some());
            Ok(serde_json::from_str(&resp.into_string().unwrap()).unwrap())
        }
        Err(ureq::Error::Status(status, resp)) => {
            let header = resp.header("x-amzn-errortype").map(String::from);
            let v: Value = serde_json::from_str(&resp.into_string().unwrap()).unwrap();
            Err(Failure {
                status,
                name: v["__type"].as_str().unwrap_or("").into(),
                message: v["message"].as_str().unwrap_or("").into(),
                error_type_header: header,
            })
        }
        // No answer (the emulator was killed): status 0.
        Err(e) => Err(Failure { status: 0, name: "TransportError".into(), message: e.to_string(), error_type_header: None }),
    }
}

pub fn expect_err(r: Result<Value, Failure>, name: &str) -> Failure {
    match r {
        Ok(v) => panic!("expected {name}, got success {v}"),
        Err(f) => {
            assert_eq!(f.name, name, "{f:?}");
            assert_eq!(f.status, if name == "InternalErrorException" { 500 } else { f.status });
            f
        }
    }
}

pub fn get_json(path: &str) -> Value {
    serde_json::from_str(&ureq::get(&format!("{}{path}", base())).call().unwrap().into_string().unwrap()).unwrap()
}

pub fn post_json(path: &str, body: Value) -> Value {
    serde_json::from_str(&ureq::post(&format!("{}{path}", base())).send_string(&body.to_string()).unwrap().into_string().unwrap()).unwrap()
}

/// A fresh pool (see emulator/src/config.rs for the fields). Returns (pool id, client id).
pub fn new_pool(cfg: Value) -> (String, String) {
    let v = post_json("/_emulator/pools", cfg);
    (v["userPoolId"].as_str().unwrap().into(), v["clientId"].as_str().unwrap().into())
}

pub fn pool_default() -> (String, String) {
    new_pool(
        json!({"users": [{"username": "alice", "password": "Passw0rd!", "attributes": {"email": "alice@example.com", "email_verified": "true"}}]}),
    )
}

pub fn advance(pool: &str, seconds: i64) {
    post_json(&format!("/_emulator/pools/{pool}/clock"), json!({"advanceSeconds": seconds}));
}

pub fn messages(pool: &str, username: &str) -> Vec<Value> {
    get_json(&format!("/_emulator/messages?poolId={pool}&username={}", cognito_proto::codec::url_encode(username)))
        .as_array()
        .unwrap()
        .clone()
}

pub fn last_code(pool: &str, username: &str) -> String {
    messages(pool, username).last().expect("a message")["code"].as_str().unwrap().into()
}

pub fn stats(pool: &str) -> Value {
    get_json(&format!("/_emulator/stats?poolId={pool}"))
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// InitiateAuth USER_SRP_AUTH; returns the PASSWORD_VERIFIER response and the ephemeral.
pub fn srp_init(client: &str, username: &str, extra: &[(&str, &str)]) -> (Result<Value, Failure>, ClientEphemeral) {
    let eph = ClientEphemeral::from_random(cognito_emulator::util::random_bytes()).unwrap();
    let mut params = json!({"USERNAME": username, "SRP_A": eph.public().to_hex()});
    for (k, v) in extra {
        params[*k] = json!(v);
    }
    (call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": params})), eph)
}

/// The ChallengeResponses for PASSWORD_VERIFIER, at a given clock.
pub fn verifier_response(pool: &str, challenge: &Value, eph: &ClientEphemeral, password: &str, unix: i64) -> Value {
    let p = &challenge["ChallengeParameters"];
    let ch = VerifierChallenge::from_params(|k| p[k].as_str()).unwrap();
    let user = UserIdForSrp::new(p["USER_ID_FOR_SRP"].as_str().unwrap());
    let ts = SrpTimestamp::from_unix(unix);
    let claim = password_claim(eph, &UserPoolId::parse(pool).unwrap(), &user, &Password::new(password), &ch, &ts).unwrap();
    json!({
        "USERNAME": user.as_str(),
        "PASSWORD_CLAIM_SECRET_BLOCK": ch.secret_block.as_str(),
        "TIMESTAMP": ts.as_str(),
        "PASSWORD_CLAIM_SIGNATURE": claim.signature,
    })
}

/// A complete SRP sign-in; returns the response to the PASSWORD_VERIFIER step.
pub fn srp_sign_in(pool: &str, client: &str, username: &str, password: &str) -> Result<Value, Failure> {
    let (init, eph) = srp_init(client, username, &[]);
    let init = init?;
    assert_eq!(init["ChallengeName"], "PASSWORD_VERIFIER");
    let responses = verifier_response(pool, &init, &eph, password, now_unix());
    call("RespondToAuthChallenge", json!({"ClientId": client, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": responses}))
}

pub fn tokens(pool: &str, client: &str, username: &str, password: &str) -> Value {
    let r = srp_sign_in(pool, client, username, password).unwrap();
    assert!(r["AuthenticationResult"].is_object(), "{r}");
    r["AuthenticationResult"].clone()
}

pub fn claims(jwt: &str) -> Value {
    let p = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&cognito_proto::codec::base64_decode(p).unwrap()).unwrap()
}

#[path = "../../../tests/support/totp.rs"]
mod totp_impl;
#[allow(unused_imports)]
pub use totp_impl::totp;
