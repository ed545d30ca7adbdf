//! The HTTP surface: bad input never panics and gets Cognito's errors; CORS; injected faults;
//! the CLI (ready line, --port 0, --data persistence across restarts).

mod common;
use common::*;
use serde_json::{json, Value};
use std::process::Command;

#[test]
fn malformed_requests_get_named_errors() {
    let (_, client) = pool_default();
    let f = expect_err(raw("SignUp", "{not json", "application/x-amz-json-1.1"), "SerializationException");
    assert_eq!(f.status, 400);
    expect_err(raw("SignUp", "[1,2]", "application/x-amz-json-1.1"), "SerializationException");
    expect_err(raw("SignUp", "", "application/x-amz-json-1.1"), "SerializationException");
    // As Cognito answers an unknown X-Amz-Target: HTTP 400, not 404.
    let f = expect_err(call("NoSuchOperation", json!({})), "UnknownOperationException");
    assert_eq!(f.status, 400);
    expect_err(raw("SignUp", "{}", "text/plain"), "UnknownOperationException");
    let f = expect_err(call("SignUp", json!({"ClientId": client})), "InvalidParameterException");
    assert!(f.message.contains("'username'"), "{}", f.message);
    expect_err(call("SignUp", json!({"ClientId": client, "Username": 42, "Password": "x"})), "SerializationException");
    expect_err(
        call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": "nope"})),
        "SerializationException",
    );
    let huge = format!("{{\"ClientId\":\"{}\"}}", "x".repeat(400_000));
    let f = expect_err(raw("SignUp", &huge, "application/x-amz-json-1.1"), "RequestEntityTooLargeException");
    assert_eq!(f.status, 413);
    // Missing target header.
    match ureq::post(&format!("{}/", base())).set("Content-Type", "application/x-amz-json-1.1").send_string("{}") {
        Err(ureq::Error::Status(400, r)) => assert_eq!(r.header("x-amzn-errortype"), Some("UnknownOperationException:")),
        other => panic!("{other:?}"),
    }
    // The server is still fine.
    assert!(srp_sign_in(&pool_default().0, &pool_default().1, "alice", "x").is_err());
    assert_eq!(get_json("/_emulator/health")["ok"], true);
}

#[test]
fn cors_on_every_answer() {
    let r = ureq::request("OPTIONS", &format!("{}/", base()))
        .set("Origin", "http://127.0.0.1:8080")
        .set("Access-Control-Request-Method", "POST")
        .set("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent")
        .call()
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("http://127.0.0.1:8080"));
    assert!(r.header("access-control-allow-headers").unwrap().contains("x-amz-target"));
    assert!(r.header("access-control-allow-methods").unwrap().contains("POST"));
    let e = ureq::post(&format!("{}/", base()))
        .set("Origin", "http://example.test")
        .set("Content-Type", "application/x-amz-json-1.1")
        .set("X-Amz-Target", "AWSCognitoIdentityProviderService.GetUser")
        .send_string("{\"AccessToken\":\"x\"}");
    let Err(ureq::Error::Status(400, r)) = e else { panic!("expected 400") };
    assert_eq!(r.header("access-control-allow-origin"), Some("http://example.test"));
    assert!(r.header("access-control-expose-headers").unwrap().contains("x-amzn-ErrorType"));
}

#[test]
fn injected_faults() {
    let (pool, client) = pool_default();
    // Scoped to this test's pool: the other tests of this file run at the same time.
    post_json("/_emulator/faults", json!({"target": "InitiateAuth", "poolId": pool, "count": 2, "exception": "TooManyRequestsException"}));
    let (r, _) = srp_init(&client, "alice", &[]);
    expect_err(r, "TooManyRequestsException");
    let (r, _) = srp_init(&client, "alice", &[]);
    expect_err(r, "TooManyRequestsException");
    assert!(srp_sign_in(&pool, &client, "alice", "Passw0rd!").is_ok());
    post_json("/_emulator/faults", json!({"target": "GetUser", "exception": "InternalErrorException"}));
    let f = expect_err(call("GetUser", json!({"AccessToken": "x"})), "InternalErrorException");
    assert_eq!(f.status, 500);
    // A fault for another pool leaves this one alone.
    post_json(
        "/_emulator/faults",
        json!({"target": "InitiateAuth", "poolId": "us-east-1_Elsewhere", "exception": "TooManyRequestsException"}),
    );
    assert!(srp_init(&client, "alice", &[]).0.is_ok());
}

#[test]
fn delayed_answers_are_carried_out_then_held_back() {
    pool_default();
    post_json("/_emulator/faults", json!({"target": "ListDevices", "delayMs": 400}));
    let started = std::time::Instant::now();
    // Answered as usual (a bad token), only later.
    expect_err(call("ListDevices", json!({"AccessToken": "x"})), "NotAuthorizedException");
    assert!(started.elapsed() >= std::time::Duration::from_millis(400), "{:?}", started.elapsed());
}

fn cli_call(endpoint: &str, op: &str, body: Value) -> Result<Value, u16> {
    match ureq::post(endpoint)
        .set("Content-Type", "application/x-amz-json-1.1")
        .set("X-Amz-Target", &format!("AWSCognitoIdentityProviderService.{op}"))
        .send_string(&body.to_string())
    {
        Ok(r) => Ok(serde_json::from_str(&r.into_string().unwrap()).unwrap()),
        Err(ureq::Error::Status(s, _)) => Err(s),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn cli_ready_line_defaults_and_persistence() {
    let dir = std::env::temp_dir().join(format!("cognito-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("state.json");
    let _ = std::fs::remove_file(&data);
    let child = start_binary(&["--data", data.to_str().unwrap()]);
    let ready = child.ready.clone();
    for k in ["endpoint", "userPoolId", "clientId", "issuer", "hostedUiDomain", "redirectSignIn", "redirectSignOut"] {
        assert!(ready[k].is_string(), "ready line has {k}: {ready}");
    }
    assert_eq!(ready["userPoolId"], "us-east-1_Emulator1");
    assert_eq!(ready["redirectSignIn"], "http://127.0.0.1:8080/");
    let endpoint = ready["endpoint"].as_str().unwrap().to_string();
    assert!(endpoint.starts_with("http://127.0.0.1:"));
    assert_eq!(ready["issuer"], format!("{}{}", endpoint, "us-east-1_Emulator1"));
    let client = ready["clientId"].as_str().unwrap().to_string();
    cli_call(&endpoint, "SignUp", json!({"ClientId": client, "Username": "persisted", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "p@example.com"}]})).unwrap();
    let pw = cli_call(
        &endpoint,
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "demo", "PASSWORD": "Passw0rd!"}}),
    )
    .unwrap();
    let t = &pw["AuthenticationResult"];
    let rt = t["RefreshToken"].as_str().unwrap().to_string();
    // The demo pool tracks devices: the refresh token is bound to a confirmed device.
    let meta = &t["NewDeviceMetadata"];
    let key = cognito_proto::types::DeviceKey::new(meta["DeviceKey"].as_str().unwrap());
    let group = cognito_proto::types::DeviceGroupKey::new(meta["DeviceGroupKey"].as_str().unwrap());
    let secrets = cognito_proto::srp::DeviceSecrets::from_random(
        &group,
        &key,
        &cognito_emulator::util::random_bytes(),
        &cognito_emulator::util::random_bytes(),
    );
    cli_call(&endpoint, "ConfirmDevice", json!({"AccessToken": t["AccessToken"], "DeviceKey": key.as_str(), "DeviceSecretVerifierConfig": {"PasswordVerifier": secrets.password_verifier, "Salt": secrets.salt}})).unwrap();
    drop(child);
    assert!(data.exists());
    assert!(!data.with_extension("tmp").exists(), "atomic write leaves no temp file");

    let child = start_binary(&["--data", data.to_str().unwrap()]);
    let ready2 = child.ready.clone();
    let endpoint2 = ready2["endpoint"].as_str().unwrap();
    // The user survived: signing up again collides; the refresh token still works.
    assert_eq!(cli_call(endpoint2, "SignUp", json!({"ClientId": client, "Username": "persisted", "Password": "Passw0rd!"})), Err(400));
    assert_eq!(cli_call(endpoint2, "GetTokensFromRefreshToken", json!({"ClientId": client, "RefreshToken": rt})), Err(400));
    let r = cli_call(endpoint2, "GetTokensFromRefreshToken", json!({"ClientId": client, "RefreshToken": rt, "DeviceKey": key.as_str()}))
        .unwrap();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    drop(child);

    // A config file.
    let cfg = dir.join("config.json");
    std::fs::write(&cfg, r#"{"pools":[{"id":"eu-west-1_FromFile","clients":[{"id":"fileclient"}]}]}"#).unwrap();
    let child = start_binary(&["--config", cfg.to_str().unwrap()]);
    let ready3 = child.ready.clone();
    assert_eq!(ready3["userPoolId"], "eu-west-1_FromFile");
    assert_eq!(ready3["clientId"], "fileclient");
    drop(child);
    let bad = Command::new(env!("CARGO_BIN_EXE_cognito-emulator")).args(["--port", "nope"]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--port"));
    let _ = std::fs::remove_dir_all(&dir);
}
