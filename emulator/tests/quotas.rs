//! Request-rate quotas over HTTP, against the binary started with `--quotas default`: the
//! Developer Guide's table is in force, a burst past one category is answered
//! TooManyRequestsException "Rate exceeded" as Cognito answers it, and the other categories
//! still answer.

mod common;
use common::{call_at, start_binary};
use serde_json::{json, Value};
use std::time::Instant;

/// The answer: Ok(body), or Err((status, __type, message, x-amzn-ErrorType)).
fn call(endpoint: &str, op: &str, body: Value) -> Result<Value, (u16, String, String, String)> {
    call_at(endpoint, op, body).map_err(|f| (f.status, f.name, f.message, f.error_type_header.unwrap_or_default()))
}

#[test]
fn a_burst_past_one_category_is_throttled_and_the_others_still_answer() {
    let e = start_binary(&["--quotas", "default"]);
    let (ready, endpoint) = (&e.ready, e.endpoint.as_str());
    let (pool, client) = (ready["userPoolId"].as_str().unwrap(), ready["clientId"].as_str().unwrap());
    let quotas: Value =
        serde_json::from_str(&ureq::get(&format!("{endpoint}_emulator/quotas?poolId={pool}")).call().unwrap().into_string().unwrap())
            .unwrap();
    assert_eq!(quotas["UserAuthentication"], 120);
    assert_eq!(quotas["UserPoolRead"], 15);
    assert_eq!(quotas["UserCreation"], 50);

    // DescribeUserPool is UserPoolRead: 15 requests per second. A burst of 60.
    let started = Instant::now();
    let answers: Vec<_> = (0..60).map(|_| call(endpoint, "DescribeUserPool", json!({"UserPoolId": pool}))).collect();
    let seconds = started.elapsed().as_secs_f64();
    let admitted = answers.iter().filter(|a| a.is_ok()).count();
    assert!(admitted >= 15, "the first second's worth is admitted: {admitted}");
    assert!((admitted as f64) <= 15.0 + (seconds * 15.0).ceil() + 1.0, "{admitted} admitted in {seconds:.2} s");
    let refused = answers.iter().find_map(|a| a.as_ref().err()).expect("some are throttled");
    assert_eq!(*refused, (400, "TooManyRequestsException".into(), "Rate exceeded".into(), "TooManyRequestsException:".into()));

    // Right after it, other categories answer: UserAuthentication, UserCreation, UserRead.
    let params = json!({"USERNAME": "demo", "PASSWORD": "Passw0rd!"});
    let signed =
        call(endpoint, "InitiateAuth", json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params})).unwrap();
    let access = signed["AuthenticationResult"]["AccessToken"].as_str().unwrap();
    assert_eq!(call(endpoint, "GetUser", json!({"AccessToken": access})).unwrap()["Username"], "demo");
    let up = json!({"ClientId": client, "Username": "burst", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "b@example.com"}]});
    assert!(call(endpoint, "SignUp", up).is_ok());
    // And UserPoolRead itself again, a second later.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(call(endpoint, "DescribeUserPool", json!({"UserPoolId": pool})).is_ok());
}

#[test]
fn quotas_are_off_by_default_and_one_category_can_be_set() {
    let e = start_binary(&["--quota", "UserRead=2"]);
    let (ready, endpoint) = (&e.ready, e.endpoint.as_str());
    let (pool, client) = (ready["userPoolId"].as_str().unwrap(), ready["clientId"].as_str().unwrap());
    // Without --quotas default, only the category given is limited.
    for _ in 0..40 {
        call(endpoint, "DescribeUserPool", json!({"UserPoolId": pool})).unwrap();
    }
    let params = json!({"USERNAME": "demo", "PASSWORD": "Passw0rd!"});
    let signed =
        call(endpoint, "InitiateAuth", json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params})).unwrap();
    let access = signed["AuthenticationResult"]["AccessToken"].as_str().unwrap();
    let reads: Vec<_> = (0..10).map(|_| call(endpoint, "GetUser", json!({"AccessToken": access}))).collect();
    assert!(reads.iter().any(|r| matches!(r, Err((400, name, _, _)) if name == "TooManyRequestsException")));
    assert!(reads[0].is_ok());
}
