//! Who may talk to the emulator from a browser, over HTTP: the Cognito APIs answer every
//! origin, as Cognito's do; the `/_emulator/` control endpoints only local pages (and those
//! allowed with --allow-origin), refusing the rest before doing anything; a Host header that is
//! not the emulator's (DNS rebinding) is refused everywhere.

mod common;
use common::*;
use serde_json::json;

/// A request from a page at `origin` (None: no Origin header, as curl or a test sends).
fn from(method: &str, path: &str, origin: Option<&str>, host: Option<&str>, body: &str) -> (u16, Option<String>, String) {
    let mut r = ureq::request(method, &format!("{}{path}", base()));
    if let Some(o) = origin {
        r = r.set("Origin", o);
    }
    if let Some(h) = host {
        r = r.set("Host", h);
    }
    if path == "/" {
        r = r.set("Content-Type", "application/x-amz-json-1.1").set("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool");
    }
    let (status, resp) = match r.send_string(body) {
        Ok(resp) => (resp.status(), resp),
        Err(ureq::Error::Status(s, resp)) => (s, resp),
        Err(e) => panic!("{e}"),
    };
    let cors = resp.header("access-control-allow-origin").map(String::from);
    (status, cors, resp.into_string().unwrap_or_default())
}

#[test]
fn a_foreign_origin_is_refused_the_control_endpoints_and_local_pages_are_not() {
    let (pool, _) = pool_default();
    let evil = Some("https://evil.example");
    // Reading the codes and temporary passwords: refused, with no CORS grant.
    let (status, cors, _) = from("GET", &format!("/_emulator/messages?poolId={pool}"), evil, None, "");
    assert_eq!((status, cors), (403, None));
    let (status, cors, _) = from("OPTIONS", "/_emulator/pools", evil, None, "");
    assert_eq!((status, cors), (403, None));
    // A fault posted from there is not queued: the next call of this pool goes through.
    let fault = json!({"target": "DescribeUserPool", "poolId": pool, "exception": "InternalErrorException"}).to_string();
    assert_eq!(from("POST", "/_emulator/faults", evil, None, &fault).0, 403);
    assert!(call("DescribeUserPool", json!({"UserPoolId": pool})).is_ok());
    assert_eq!(from("POST", "/_emulator/pools", Some("null"), None, "{}").0, 403);

    // Local pages, any port: served, with CORS.
    for local in ["http://localhost:8080", "http://127.0.0.1:5173", "http://[::1]:3000"] {
        let (status, cors, body) = from("GET", &format!("/_emulator/messages?poolId={pool}"), Some(local), None, "");
        assert_eq!((status, cors.as_deref()), (200, Some(local)), "{local}: {body}");
    }
    // No Origin at all (curl, a test, a back end): served.
    assert_eq!(from("GET", "/_emulator/health", None, None, "").0, 200);

    // The Cognito APIs stay open to every origin, as Cognito's are.
    let (status, cors, _) = from("POST", "/", evil, None, &json!({"UserPoolId": pool}).to_string());
    assert_eq!((status, cors.as_deref()), (200, Some("https://evil.example")));
    let (status, cors, _) = from("GET", &format!("/{pool}/.well-known/jwks.json"), evil, None, "");
    assert_eq!((status, cors.as_deref()), (200, Some("https://evil.example")));
}

#[test]
fn a_host_that_is_not_the_emulators_is_refused() {
    let (pool, _) = pool_default();
    let port = base().rsplit(':').next().unwrap().to_string();
    // A page of rebind.attacker.test whose name now resolves to 127.0.0.1.
    let rebound = format!("rebind.attacker.test:{port}");
    assert_eq!(from("GET", &format!("/{pool}/.well-known/jwks.json"), None, Some(&rebound), "").0, 403);
    assert_eq!(from("GET", "/_emulator/messages", None, Some(&rebound), "").0, 403);
    for good in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        assert_eq!(from("GET", &format!("/{pool}/.well-known/jwks.json"), None, Some(&good), "").0, 200, "{good}");
    }
}

#[test]
fn allow_origin_and_allow_host_widen_the_rules() {
    let e = start_binary(&["--allow-origin", "https://app.example.com", "--allow-host", "emulator"]);
    let endpoint = e.endpoint.as_str();
    let port = endpoint.trim_end_matches('/').rsplit(':').next().unwrap();
    let get = |origin: &str, host: String| match ureq::get(&format!("{endpoint}_emulator/health"))
        .set("Origin", origin)
        .set("Host", &host)
        .call()
    {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(s, _)) => s,
        Err(e) => panic!("{e}"),
    };
    let statuses = (
        get("https://app.example.com", format!("127.0.0.1:{port}")),
        get("https://other.example.com", format!("127.0.0.1:{port}")),
        get("http://localhost:1", format!("emulator:{port}")),
    );
    assert_eq!(statuses, (200, 403, 200));
}
