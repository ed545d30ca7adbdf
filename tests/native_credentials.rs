//! AWS credentials from an identity pool natively, over `TestEnv`: a guest who
//! signs in keeps the identity; concurrent callers share one request; the cache and its renewal
//! 5 minutes before expiry; sign-out in another tab drops them; another user gets another
//! identity; requests signed with them pass the emulator's SigV4 check.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/env.rs"]
mod env;

use cognito_wasm::client::*;
use cognito_wasm::proto::http::HttpRequest;
use env::{srp_input, World};
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

type Task<T> = Pin<Box<dyn Future<Output = T>>>;

fn input(user: &str) -> SignInInput {
    srp_input(user, "Passw0rd!")
}

/// A user pool with two users and an identity pool trusting it; the tab options.
fn world(guests: bool) -> (Rc<World>, serde_json::Value) {
    let (w, mut o) = World::new(json!({"users": [{"username": "ann", "password": "Passw0rd!"}, {"username": "bo", "password": "Passw0rd!"}]}));
    let ip = w.emulator_call(
        "POST",
        "/_emulator/identity-pools",
        &json!({"allowUnauthenticatedIdentities": true, "providers": [{"userPoolId": o["userPoolId"], "clientId": o["clientId"]}]}).to_string(),
    );
    let ip: serde_json::Value = serde_json::from_slice(&ip.body).unwrap();
    o["identityPoolId"] = ip["identityPoolId"].clone();
    o["identityEndpoint"] = json!(format!("{}/", cognito_emulator::InProcess::BASE));
    o["allowGuestAccess"] = json!(guests);
    (w, o)
}

fn creds(w: &Rc<World>, c: &Rc<Client<env::TestEnv>>) -> Option<Credentials> {
    let c = c.clone();
    w.run(async move { c.get_credentials(false).await.unwrap() })
}

#[test]
fn a_guest_who_signs_in_keeps_the_identity_and_sign_out_starts_a_new_guest() {
    let (w, o) = world(true);
    let a = w.tab(&o);
    let guest = creds(&w, &a).unwrap();
    assert!(!guest.authenticated && guest.aws.access_key_id.starts_with("ASIA"));
    let c = a.clone();
    w.run(async move { c.sign_in(input("ann")).await.unwrap() });
    let ann = creds(&w, &a).unwrap();
    assert!(ann.authenticated);
    assert_eq!(ann.identity_id, guest.identity_id, "the guest identity is linked, not replaced");
    assert_ne!(ann.aws.access_key_id, guest.aws.access_key_id, "a new sign-in never reuses the guest's credentials");
    assert_eq!(w.count("GetId"), 1);
    // Sign out: the user's identity is not reused as a guest's.
    let c = a.clone();
    w.run(async move { c.sign_out(false, false).await.unwrap() });
    let guest2 = creds(&w, &a).unwrap();
    assert!(!guest2.authenticated);
    assert_ne!(guest2.identity_id, ann.identity_id);
    // Another user: another identity; ann again: ann's.
    let c = a.clone();
    w.run(async move { c.sign_in(input("bo")).await.unwrap() });
    let bo = creds(&w, &a).unwrap();
    assert_eq!(bo.identity_id, guest2.identity_id, "bo links the new guest identity");
    let c = a.clone();
    w.run(async move {
        c.sign_out(false, false).await.unwrap();
        c.sign_in(input("ann")).await.unwrap();
    });
    assert_eq!(creds(&w, &a).unwrap().identity_id, ann.identity_id, "a login that owns an identity answers with it");
    let kinds: Vec<EventKind> = a.env.events.borrow().iter().map(|e| e.kind).filter(|k| *k == EventKind::CredentialsRefresh).collect();
    assert_eq!(kinds.len(), 5);
}

#[test]
fn one_request_for_concurrent_callers_cached_until_five_minutes_before_expiry() {
    let (w, o) = world(false);
    let a = w.tab(&o);
    assert!(creds(&w, &a).is_none(), "signed out without guest access: none");
    let c = a.clone();
    w.run(async move { c.sign_in(input("ann")).await.unwrap() });
    let tasks: Vec<Task<String>> = (0..20)
        .map(|_| {
            let c = a.clone();
            Box::pin(async move { c.get_credentials(false).await.unwrap().unwrap().aws.access_key_id }) as Task<String>
        })
        .collect();
    let keys = w.run_all(tasks);
    assert!(keys.iter().all(|k| *k == keys[0]));
    assert_eq!(w.count("GetCredentialsForIdentity"), 1);
    // 54 minutes later: still cached; 56 minutes later: renewed (and the user-pool tokens, due
    // by then, are refreshed first).
    w.advance(54.0 * 60_000.0);
    assert_eq!(creds(&w, &a).unwrap().aws.access_key_id, keys[0]);
    w.advance(2.0 * 60_000.0);
    let renewed = creds(&w, &a).unwrap();
    assert_ne!(renewed.aws.access_key_id, keys[0]);
    assert_eq!(w.count("GetCredentialsForIdentity"), 2);
    // forceRefresh: a new request.
    let c = a.clone();
    w.run(async move { c.get_credentials(true).await.unwrap() });
    assert_eq!(w.count("GetCredentialsForIdentity"), 3);
}

#[test]
fn sign_out_in_another_tab_drops_the_credentials_here() {
    let (w, o) = world(false);
    let (a, b) = (w.tab(&o), w.tab(&o));
    let c = a.clone();
    w.run(async move { c.sign_in(input("ann")).await.unwrap() });
    assert!(creds(&w, &a).unwrap().authenticated);
    let cb = b.clone();
    w.run(async move { cb.sign_out(false, false).await.unwrap() });
    w.idle(1_000);
    assert!(creds(&w, &a).is_none(), "no credentials once signed out anywhere");
}

#[test]
fn the_pool_refusing_guests_is_its_error_and_signed_requests_pass_the_sigv4_check() {
    let (w, mut o) = world(true);
    // The identity pool refuses guests although the SDK allows them: Cognito's error.
    let ip = w.emulator_call("POST", "/_emulator/identity-pools", &json!({"providers": [{"userPoolId": o["userPoolId"], "clientId": o["clientId"]}]}).to_string());
    let strict = o.clone();
    o["identityPoolId"] = serde_json::from_slice::<serde_json::Value>(&ip.body).unwrap()["identityPoolId"].clone();
    let a = w.tab(&o);
    let c = a.clone();
    let e = w.run(async move { c.get_credentials(false).await.unwrap_err() });
    assert_eq!((e.name(), e.retryable()), ("NotAuthorizedException", false));
    assert_eq!(a.env.events.borrow().last().map(|e| e.kind), Some(EventKind::CredentialsRefreshFailure));

    // Signed with the credentials, through the tab's network, to the emulator's SigV4 endpoint.
    let b = w.tab(&strict);
    let base = cognito_emulator::InProcess::BASE;
    let sign = |method: &str, url: String, tamper: bool| {
        let c = b.clone();
        let w2 = w.clone();
        let method = method.to_string();
        w.run(async move {
            let signed = c
                .sign_request(&SignInput {
                    url,
                    method: method.clone(),
                    headers: vec![("content-type".into(), "application/json".into())],
                    payload_hash: cognito_wasm::proto::sigv4::EMPTY_PAYLOAD.into(),
                    service: "execute-api".into(),
                    region: "us-east-1".into(),
                    expires_in: None,
                })
                .await
                .unwrap();
            let mut req = HttpRequest::new(Box::leak(method.into_boxed_str()), signed.url, vec![], None);
            req.extra_headers = signed.headers.iter().map(|(k, v)| (k.clone(), if tamper && k == "authorization" { v.replace("Signature=", "Signature=1") } else { v.clone() })).collect();
            let _ = &w2;
            c.env.fetch(&req).await.unwrap()
        })
    };
    let ok = sign("GET", format!("{base}/_emulator/aws/execute-api/prod/items?b=2&a=1"), false);
    assert_eq!(ok.status, 200, "{}", ok.body);
    let v: serde_json::Value = serde_json::from_str(&ok.body).unwrap();
    assert_eq!(v["authenticated"], false);
    let bad = sign("GET", format!("{base}/_emulator/aws/execute-api/prod/items"), true);
    assert_eq!((bad.status, bad.error_type.as_deref().map(|t| t.split(':').next().unwrap())), (403, Some("InvalidSignatureException")));
}
