//! Identity pools and the SigV4-verifying endpoint over HTTP: guest and authenticated
//! identities, linking a guest on sign-in, Cognito's refusals; requests signed with the issued
//! credentials (cognito_proto::sigv4) accepted, and tampered, expired or foreign ones refused with
//! each service's own error shape.

mod common;
use cognito_proto::sigv4::{self, AwsCredentials, Signable, EMPTY_PAYLOAD};
use common::*;
use serde_json::{json, Value};

fn identity(op: &str, body: Value) -> Result<Value, Failure> {
    let r = ureq::post(&format!("{}/", base()))
        .set("Content-Type", "application/x-amz-json-1.1")
        .set("X-Amz-Target", &format!("AWSCognitoIdentityService.{op}"))
        .send_string(&body.to_string());
    match r {
        Ok(resp) => Ok(resp.into_json().unwrap()),
        Err(ureq::Error::Status(status, resp)) => {
            let v: Value = resp.into_json().unwrap_or(json!({}));
            Err(Failure {
                status,
                name: v["__type"].as_str().unwrap_or("").into(),
                message: v["message"].as_str().unwrap_or("").into(),
                error_type_header: None,
            })
        }
        Err(e) => panic!("{e}"),
    }
}

/// A user pool with a user, and an identity pool trusting its client.
fn pools(extra: Value) -> (String, String, String) {
    let (pool, client) =
        new_pool(json!({"users": [{"username": "ann", "password": "Passw0rd!"}, {"username": "bo", "password": "Passw0rd!"}]}));
    let mut cfg = json!({"allowUnauthenticatedIdentities": true, "providers": [{"userPoolId": pool, "clientId": client}]});
    for (k, v) in extra.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    let id = post_json("/_emulator/identity-pools", cfg)["identityPoolId"].as_str().unwrap().to_string();
    (pool, client, id)
}

fn logins(pool: &str, client: &str, user: &str) -> Value {
    let id_token = tokens(pool, client, user, "Passw0rd!")["IdToken"].as_str().unwrap().to_string();
    let iss = claims(&id_token)["iss"].as_str().unwrap().to_string();
    json!({ iss.split_once("://").unwrap().1: id_token })
}

fn creds(id: &str, logins: Option<&Value>) -> Result<Value, Failure> {
    let mut body = json!({"IdentityId": id});
    if let Some(l) = logins {
        body["Logins"] = l.clone();
    }
    identity("GetCredentialsForIdentity", body)
}

#[test]
fn guests_sign_in_and_keep_their_identity() {
    let (pool, client, ip) = pools(json!({}));
    let guest = identity("GetId", json!({"IdentityPoolId": ip})).unwrap()["IdentityId"].as_str().unwrap().to_string();
    assert!(guest.starts_with("us-east-1:") && guest.len() == 46, "{guest}");
    let c = creds(&guest, None).unwrap();
    assert_eq!(c["IdentityId"], guest);
    assert!(c["Credentials"]["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(c["Credentials"]["Expiration"].as_i64().unwrap() > now_unix() + 3000);
    // Signing in: the guest identity with the login becomes authenticated (GetId would make a new one).
    let ann = logins(&pool, &client, "ann");
    assert_eq!(creds(&guest, Some(&ann)).unwrap()["IdentityId"], guest);
    assert_eq!(identity("GetId", json!({"IdentityPoolId": ip, "Logins": ann})).unwrap()["IdentityId"], guest);
    // Now authenticated: without its login it is refused.
    assert!(expect_err(creds(&guest, None), "NotAuthorizedException").message.contains("Logins don't match"));
    // Another guest signing in as ann gets ann's identity, and that guest is retired.
    let other = identity("GetId", json!({"IdentityPoolId": ip})).unwrap()["IdentityId"].as_str().unwrap().to_string();
    assert_eq!(creds(&other, Some(&ann)).unwrap()["IdentityId"], guest);
    expect_err(creds(&other, None), "ResourceNotFoundException");
    // A different user: a different identity.
    let bo = logins(&pool, &client, "bo");
    let bo_id = identity("GetId", json!({"IdentityPoolId": ip, "Logins": bo})).unwrap()["IdentityId"].as_str().unwrap().to_string();
    assert_ne!(bo_id, guest);
    expect_err(creds(&guest, Some(&bo)), "NotAuthorizedException");
    let d = identity("DescribeIdentity", json!({"IdentityId": guest})).unwrap();
    assert_eq!(d["Logins"].as_array().unwrap().len(), 1);
    let t = identity("GetOpenIdToken", json!({"IdentityId": guest, "Logins": ann})).unwrap();
    assert_eq!(claims(t["Token"].as_str().unwrap())["sub"], guest);
}

#[test]
fn refusals() {
    let (pool, client, ip) = pools(json!({"allowUnauthenticatedIdentities": false}));
    assert!(expect_err(identity("GetId", json!({"IdentityPoolId": ip})), "NotAuthorizedException")
        .message
        .contains("Unauthenticated access"));
    expect_err(identity("GetId", json!({"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000"})), "ResourceNotFoundException");
    // A tampered token, an access token, a provider the pool does not trust.
    let good = logins(&pool, &client, "ann");
    let (provider, token) = good.as_object().unwrap().iter().next().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).unwrap();
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    parts[2] = parts[2].chars().rev().collect();
    expect_err(identity("GetId", json!({"IdentityPoolId": ip, "Logins": {provider.clone(): parts.join(".")}})), "NotAuthorizedException");
    let access = tokens(&pool, &client, "ann", "Passw0rd!")["AccessToken"].as_str().unwrap().to_string();
    expect_err(identity("GetId", json!({"IdentityPoolId": ip, "Logins": {provider.clone(): access}})), "NotAuthorizedException");
    expect_err(identity("GetId", json!({"IdentityPoolId": ip, "Logins": {"accounts.google.com": token}})), "NotAuthorizedException");
    // No authenticated role: the pool's configuration error.
    let (pool2, client2, ip2) = pools(json!({"authenticatedRoleArn": ""}));
    let l = logins(&pool2, &client2, "ann");
    let id = identity("GetId", json!({"IdentityPoolId": ip2, "Logins": l})).unwrap()["IdentityId"].as_str().unwrap().to_string();
    expect_err(creds(&id, Some(&l)), "InvalidIdentityPoolConfigurationException");
}

fn issued(ip: &str) -> (AwsCredentials, String) {
    let id = identity("GetId", json!({"IdentityPoolId": ip})).unwrap()["IdentityId"].as_str().unwrap().to_string();
    let c = creds(&id, None).unwrap()["Credentials"].clone();
    (
        AwsCredentials {
            access_key_id: c["AccessKeyId"].as_str().unwrap().into(),
            secret_access_key: c["SecretKey"].as_str().unwrap().into(),
            session_token: Some(c["SessionToken"].as_str().unwrap().into()),
        },
        id,
    )
}

/// Sends a request signed for `service`; (status, body, x-amzn-ErrorType).
fn signed(
    c: &AwsCredentials,
    service: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    tamper: bool,
) -> (u16, String, Option<String>) {
    let host = base().trim_start_matches("http://").to_string();
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let hash = cognito_proto::codec::hex_encode(&cognito_proto::crypto::sha256(&[body]));
    let r = Signable { method, host: &host, path, query, headers: &[], payload_hash: if body.is_empty() { EMPTY_PAYLOAD } else { &hash } };
    let s = sigv4::sign(&r, c, "us-east-1", service, now_unix());
    let url = if s.query.is_empty() { format!("{}{path}", base()) } else { format!("{}{path}?{}", base(), s.query) };
    let mut req = ureq::request(method, &url);
    for (k, v) in &s.headers {
        if k == "host" {
            continue;
        }
        let v = if tamper && k == "authorization" { v.replace("Signature=", "Signature=0") } else { v.clone() };
        req = req.set(k, &v);
    }
    let out = if body.is_empty() { req.call() } else { req.send_bytes(body) };
    match out {
        Ok(r) => (r.status(), r.into_string().unwrap(), None),
        Err(ureq::Error::Status(s, r)) => {
            let t = r.header("x-amzn-ErrorType").map(String::from);
            (s, r.into_string().unwrap(), t)
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn signed_requests_are_verified_like_aws() {
    let (_, _, ip) = pools(json!({}));
    let (c, id) = issued(&ip);
    let (status, body, _) = signed(&c, "execute-api", "POST", "/_emulator/aws/execute-api/prod/items?b=2&a=%2B1", b"{\"x\":1}", false);
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((v["identityId"].as_str(), v["authenticated"].as_bool()), (Some(id.as_str()), Some(false)));
    // A tampered signature; a key nobody issued; another service in the scope.
    let (status, _, t) = signed(&c, "execute-api", "GET", "/_emulator/aws/execute-api/prod/items", b"", true);
    assert_eq!((status, t.unwrap().split(':').next().unwrap()), (403, "InvalidSignatureException"));
    let stranger = AwsCredentials { access_key_id: "ASIANOBODY".into(), ..c.clone() };
    let (status, _, t) = signed(&stranger, "execute-api", "GET", "/_emulator/aws/execute-api/x", b"", false);
    assert_eq!((status, t.unwrap().split(':').next().unwrap()), (403, "UnrecognizedClientException"));
    let (status, _, _) = signed(&c, "lambda", "GET", "/_emulator/aws/execute-api/x", b"", false);
    assert_eq!(status, 403);
    // S3: PUT then GET, errors in XML; a presigned GET.
    let (status, body, _) = signed(&c, "s3", "PUT", "/_emulator/aws/s3/bucket/my%20cat.txt", b"meow", false);
    assert_eq!(status, 200, "{body}");
    let (status, body, _) = signed(&c, "s3", "GET", "/_emulator/aws/s3/bucket/my%20cat.txt", b"", false);
    assert_eq!((status, body.as_str()), (200, "meow"));
    let (status, body, _) = signed(&c, "s3", "GET", "/_emulator/aws/s3/bucket/my%20cat.txt", b"", true);
    assert!(status == 403 && body.contains("<Code>SignatureDoesNotMatch</Code>"), "{body}");
    let host = base().trim_start_matches("http://").to_string();
    let q = sigv4::presign(
        &Signable { method: "GET", host: &host, path: "/_emulator/aws/s3/bucket/my%20cat.txt", query: "", headers: &[], payload_hash: "" },
        &c,
        "us-east-1",
        "s3",
        now_unix(),
        60,
    );
    let r = ureq::get(&format!("{}/_emulator/aws/s3/bucket/my%20cat.txt?{q}", base())).call().unwrap();
    assert_eq!(r.into_string().unwrap(), "meow");
    let bad = q.replace("X-Amz-Signature=", "X-Amz-Signature=f");
    match ureq::get(&format!("{}/_emulator/aws/s3/bucket/my%20cat.txt?{bad}", base())).call() {
        Err(ureq::Error::Status(403, r)) => assert!(r.into_string().unwrap().contains("SignatureDoesNotMatch")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn expired_credentials_are_refused() {
    let (_, _, ip) = pools(json!({"credentialsSeconds": 1}));
    let (c, _) = issued(&ip);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // Pruning (every 30 s, or asked for) keeps expired credentials: still ExpiredToken, as AWS
    // answers, not an unknown key.
    post_json("/_emulator/prune", json!({}));
    let (status, body, _) = signed(&c, "s3", "GET", "/_emulator/aws/s3/b/k", b"", false);
    assert!(status == 400 && body.contains("<Code>ExpiredToken</Code>"), "{body}");
    let (status, _, t) = signed(&c, "execute-api", "GET", "/_emulator/aws/execute-api/k", b"", false);
    assert_eq!((status, t.unwrap().split(':').next().unwrap()), (403, "ExpiredTokenException"));
}
