//! Real networks and real deployments, natively over `TestEnv`: every call settles in bounded
//! (virtual) time when the network stops answering; retries stay bounded and never replay what
//! may have been consumed; a refresh stuck in one tab blocks no other tab past the timeout and
//! leaves no tokens behind; the updated issuer; the hosted-UI exchange keeps the old session
//! until it succeeds; the app's headers and ClientMetadata reach Cognito.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/env.rs"]
mod env;

use cognito_wasm::client::*;
use cognito_wasm::proto::challenge::Answer;
use cognito_wasm::proto::oauth::AuthorizeOptions;
use env::{srp_input, Action, World};
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

type Task<T> = Pin<Box<dyn Future<Output = T>>>;

const HOUR_MS: f64 = 3_600_000.0;
const TIMEOUT: u32 = 1_000;

fn input(user: &str) -> SignInInput {
    srp_input(user, "Passw0rd!")
}

fn with(o: &serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    let mut o = o.clone();
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    o
}

fn alice_pool(extra: serde_json::Value) -> (Rc<World>, serde_json::Value) {
    let mut pool = json!({"users": [
        {"username": "alice", "password": "Passw0rd!", "mfa": ["EMAIL_OTP"], "attributes": {"email": "a@example.com", "email_verified": "true"}},
        {"username": "bob", "password": "Passw0rd!"}
    ]});
    for (k, v) in extra.as_object().unwrap() {
        pool[k] = v.clone();
    }
    World::new(pool)
}

fn sign_in(w: &Rc<World>, c: &Rc<Client<env::TestEnv>>, user: &str) {
    let c = c.clone();
    let user = user.to_string();
    assert_eq!(w.run(async move { c.sign_in(input(&user)).await.unwrap() }), SignInOutcome::SignedIn);
}

#[test]
fn a_server_that_never_answers_is_given_up_within_the_timeout_and_retries_stay_bounded() {
    let (w, o) = alice_pool(json!({}));
    for (retries, attempts) in [(0u32, 1usize), (2, 3)] {
        let a = w.tab(&with(&o, json!({"requestTimeoutMs": TIMEOUT, "maxRetries": retries})));
        w.rule("InitiateAuth", 10, Action::Hang);
        let start = w.now_ms();
        let before = w.count("InitiateAuth");
        let c = a.clone();
        let e = w.run(async move { c.sign_in(input("bob")).await.unwrap_err() });
        let took = w.now_ms() - start;
        assert_eq!((e.name(), e.retryable()), ("NetworkError", true));
        assert!(e.message().contains("within 1000 ms (requestTimeoutMs)"), "{}", e.message());
        assert_eq!(w.count("InitiateAuth") - before, attempts, "InitiateAuth is safe to repeat: maxRetries more");
        // Each attempt waits out the timeout; the backoffs between them are at most 250 and 500 ms.
        let bound = attempts as f64 * TIMEOUT as f64 + 750.0;
        assert!(took >= attempts as f64 * TIMEOUT as f64 && took <= bound, "{took} ms, bound {bound}");
        w.rules.borrow_mut().clear();
    }
}

#[test]
fn a_timed_out_challenge_answer_is_not_replayed_and_the_step_is_kept() {
    let (w, o) = alice_pool(json!({"mfaConfiguration": "OPTIONAL"}));
    let a = w.tab(&with(&o, json!({"requestTimeoutMs": TIMEOUT})));
    let c = a.clone();
    assert!(matches!(w.run(async move { c.sign_in(input("alice")).await.unwrap() }), SignInOutcome::Next(_)));
    let code = w.last_code("alice");
    w.rule("RespondToAuthChallenge", 1, Action::Hang);
    let before = w.count("RespondToAuthChallenge");
    let (c, k) = (a.clone(), code.clone());
    let e = w.run(async move { c.confirm_sign_in(Answer::Code { code: k, device_name: None }, &vec![]).await.unwrap_err() });
    assert_eq!(e.name(), "NetworkError");
    assert!(e.message().contains("RespondToAuthChallenge was not repeated"), "{}", e.message());
    assert!(e.message().contains("call confirmSignIn again"), "{}", e.message());
    assert_eq!(w.count("RespondToAuthChallenge") - before, 1, "a challenge answer is sent once");
    // The step survived: answering again works (the hung request never reached the emulator).
    let c = a.clone();
    assert!(w.run(async move { c.pending_sign_in().await }).is_some());
    let c = a.clone();
    assert_eq!(
        w.run(async move { c.confirm_sign_in(Answer::Code { code, device_name: None }, &vec![]).await.unwrap() }),
        SignInOutcome::SignedIn
    );
}

#[test]
fn get_session_on_a_stalled_network_returns_valid_tokens_fast_and_refreshes_in_the_background() {
    let (w, o) = alice_pool(json!({}));
    let a = w.tab(&with(&o, json!({"requestTimeoutMs": 5_000, "maxRetries": 0})));
    sign_in(&w, &a, "bob");
    let c = a.clone();
    let old = w.run(async move { c.load_session().await.unwrap() }).access_token.expose().to_string();
    // Inside the refresh margin, still valid: the refresh stalls (answered after 8 s).
    w.advance(HOUR_MS - 30_000.0);
    w.rule("InitiateAuth", 1, Action::Delay(8_000));
    let start = w.now_ms();
    let c = a.clone();
    let s = w.run(async move { c.get_session(false).await.unwrap().unwrap() });
    assert_eq!(s.access_token.expose(), old, "the tokens it had");
    assert_eq!(w.now_ms() - start, 3_000.0, "waited VALID_TOKENS_WAIT_MS, not the request timeout");
    // The refresh went on without its caller; its request timed out after 5 s and failed.
    w.idle(10_000);
    assert_eq!(a.env.events.borrow().last().map(|e| e.kind), Some(EventKind::TokenRefreshFailure));
    // A later call on a working network refreshes.
    let c = a.clone();
    assert_ne!(w.run(async move { c.get_session(false).await.unwrap().unwrap() }).access_token.expose(), old);

    // Expired tokens: the caller waits at most the request timeout, then a retryable error; the
    // tokens are kept for the next try.
    w.advance(HOUR_MS + 1_000.0);
    w.rule("InitiateAuth", 1, Action::Hang);
    let start = w.now_ms();
    let c = a.clone();
    let e = w.run(async move { c.get_session(false).await.unwrap_err() });
    assert_eq!((e.name(), e.retryable()), ("NetworkError", true));
    assert!(w.now_ms() - start <= 5_000.0, "{}", w.now_ms() - start);
    assert!(w.storage().keys().any(|k| k.ends_with(".bob.refreshToken")), "nothing lost");
}

#[test]
fn a_stuck_refresh_in_one_tab_blocks_no_other_tab_past_the_timeout_and_leaves_nothing_behind() {
    let (w, o) = alice_pool(json!({}));
    // Tab A gives requests 30 s; tab B 1 s. A's refresh is carried out at once and answered after
    // 3 s, so A holds the refresh lock for 3 s; A's broadcasts take 1.5 s to reach B and back.
    let a = w.tab(&with(&o, json!({"requestTimeoutMs": 30_000, "maxRetries": 0})));
    let b = w.tab(&with(&o, json!({"requestTimeoutMs": TIMEOUT, "maxRetries": 0})));
    sign_in(&w, &a, "bob");
    w.advance(HOUR_MS - 30_000.0);
    w.broadcast_lag_ms.set(1_500);
    w.rule("InitiateAuth", 1, Action::Delay(3_000));
    let ca = a.clone();
    let a_refresh: Task<bool> = Box::pin(async move { ca.get_session(false).await.is_ok() });
    // B, meanwhile: its getSession waits at most its timeout and returns the valid tokens; its
    // signOut waits for the lock at most its timeout, then goes ahead without it.
    let (w2, cb) = (w.clone(), b.clone());
    let b_calls: Task<bool> = Box::pin(async move {
        env::sleep(&w2, 100).await;
        let start = w2.now_ms();
        assert!(cb.get_session(false).await.unwrap().is_some());
        assert!(w2.now_ms() - start <= TIMEOUT as f64, "getSession waited {} ms", w2.now_ms() - start);
        let start = w2.now_ms();
        cb.sign_out(false, false).await.unwrap();
        assert!(w2.now_ms() - start <= TIMEOUT as f64 + 100.0, "signOut waited {} ms", w2.now_ms() - start);
        true
    });
    assert_eq!(w.run_all(vec![a_refresh, b_calls]), [true, true]);
    // A's answer came after B had cleared the storage, and before B's broadcast reached A: A
    // stored its tokens, then heard of the sign-out, and took them back.
    w.idle(5_000);
    let left: Vec<String> = w.storage().keys().filter(|k| k.contains("Token") || k.ends_with("LastAuthUser")).cloned().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    for tab in [&a, &b] {
        let c = tab.clone();
        assert!(w.run(async move { c.get_session(false).await.unwrap() }).is_none());
    }
}

#[test]
fn tokens_of_the_updated_issuer_verify_with_the_default_config() {
    // A pool whose tokens carry the updated issuer, reached the way a real pool is: no endpoint
    // and no issuer in the options.
    let pool = "us-east-1_Updated1";
    let (w, o) = alice_pool(json!({"id": pool, "issuer": format!("https://issuer-cognito-idp.us-east-1.amazonaws.com/{pool}")}));
    w.aliases.borrow_mut().push("https://cognito-idp.us-east-1.amazonaws.com".into());
    w.aliases.borrow_mut().push("https://issuer-cognito-idp.us-east-1.amazonaws.com".into());
    let a = w.tab(&json!({"userPoolId": pool, "clientId": o["clientId"]}));
    sign_in(&w, &a, "bob");
    // The sign-in fetched the original form's JWKS alongside its first request (the pool's
    // form is not known before a token names it), then, in the background, the updated form's,
    // which the tokens name: their signatures verify, so the session stays.
    w.idle(5_000);
    let jwks: Vec<String> = w.requests.borrow().iter().filter(|r| r.url.ends_with("jwks.json")).map(|r| r.url.clone()).collect();
    assert_eq!(
        jwks,
        [
            format!("https://cognito-idp.us-east-1.amazonaws.com/{pool}/.well-known/jwks.json"),
            format!("https://issuer-cognito-idp.us-east-1.amazonaws.com/{pool}/.well-known/jwks.json")
        ]
    );
    // The original form verifies too (the same pool's other issuer)…
    let c = a.clone();
    let s = w.run(async move { c.load_session().await.unwrap() });
    assert_eq!(s.id_claims().str("iss"), Some(format!("https://issuer-cognito-idp.us-east-1.amazonaws.com/{pool}")));
    // …and another pool's does not.
    let b = w.tab(&json!({"userPoolId": "us-east-1_Other1", "clientId": o["clientId"]}));
    let (c, t) = (b.clone(), s.id_token.expose().to_string());
    let e = w.run(async move { c.verify(&t).await.unwrap_err() });
    assert_eq!(e.name(), "TokenVerificationError");
}

/// The hosted UI's sign-in page, filled in: returns the callback URL with its code.
fn hosted_login(w: &World, authorize_url: &str, user: &str) -> String {
    let rest = authorize_url.strip_prefix(cognito_emulator::InProcess::BASE).unwrap();
    let a = w.emulator_call("GET", rest, "");
    let login = a.header("location").unwrap().to_string();
    let a = w.emulator_call("POST", &login, &format!("username={user}&password=Passw0rd%21"));
    assert_eq!(a.status, 302, "{}", String::from_utf8_lossy(&a.body));
    a.header("location").unwrap().to_string()
}

#[test]
fn a_failed_code_exchange_keeps_the_session_and_a_good_one_replaces_it() {
    let (w, o) = alice_pool(json!({"clients": [{
        "secret": "s3cr3t:with+odd/chars",
        "callbackUrls": ["https://app.example/cb"],
        "explicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    }]}));
    let secret = w.emulator.db().pools.values().next().unwrap().clients.values().next().unwrap().secret.clone().unwrap();
    let base = cognito_emulator::InProcess::BASE;
    let a = w.tab(&with(&o, json!({"clientSecret": secret, "hostedUi": {"domain": base, "redirectSignIn": "https://app.example/cb"}})));
    sign_in(&w, &a, "bob");
    // A callback whose code was already used: the exchange fails, bob is still signed in.
    let c = a.clone();
    let url = w.run(async move { c.authorize_url(None, &AuthorizeOptions::default(), false).await.unwrap() });
    let callback = hosted_login(&w, &url, "alice");
    let code = callback.split("code=").nth(1).unwrap().split('&').next().unwrap().to_string();
    w.emulator.db().runtime.auth_codes.remove(&code);
    let c = a.clone();
    let e = w.run(async move { c.handle_redirect_callback(Some(callback)).await.unwrap_err() });
    assert_eq!(e.name(), "OAuthError");
    assert_eq!(a.current_user().map(|u| u.username), Some("bob".into()), "a failed exchange signs nobody out");
    // A good one: alice is signed in, bob's tokens are gone, the other tabs are told. The secret
    // went as RFC 6749 §2.3.1 Basic auth (each part form-encoded), which the emulator decodes.
    let listener = w.tab(&o);
    let c = a.clone();
    let url = w.run(async move { c.authorize_url(None, &AuthorizeOptions::default(), false).await.unwrap() });
    let callback = hosted_login(&w, &url, "alice");
    let c = a.clone();
    w.run(async move { c.handle_redirect_callback(Some(callback)).await.unwrap() });
    assert_eq!(a.current_user().map(|u| u.username), Some("alice".into()));
    assert!(!w.storage().keys().any(|k| k.contains(".bob.")), "{:?}", w.storage().keys().collect::<Vec<_>>());
    let told: Vec<(EventKind, Option<String>)> = listener.env.events.borrow().iter().map(|e| (e.kind, e.username.clone())).collect();
    assert_eq!(told, [(EventKind::SignedIn, Some("alice".to_string()))]);
    let token = w.requests.borrow().iter().rev().find(|r| r.url.ends_with("/oauth2/token")).unwrap().clone();
    let auth = token.headers.iter().find(|(k, _)| *k == "Authorization").unwrap().1.clone();
    let decoded = String::from_utf8(cognito_wasm::proto::codec::base64_decode(auth.strip_prefix("Basic ").unwrap()).unwrap()).unwrap();
    assert_eq!(decoded.split_once(':').unwrap().1, "s3cr3t%3Awith%2Bodd%2Fchars");
}

#[test]
fn the_apps_headers_and_client_metadata_reach_cognito() {
    let (w, o) = alice_pool(json!({}));
    let a = w.tab(&with(&o, json!({"headers": {"X-Proxy-Key": "k1"}})));
    let c = a.clone();
    let mut i = input("bob");
    i.client_metadata = vec![("campaign".into(), "spring".into())];
    w.run(async move { c.sign_in(i).await.unwrap() });
    let reqs = w.requests.borrow().clone();
    for r in reqs.iter().filter(|r| env::target(r) == "InitiateAuth" || env::target(r) == "RespondToAuthChallenge") {
        assert!(r.extra_headers.iter().any(|(k, v)| k == "X-Proxy-Key" && v == "k1"));
        assert!(r.body.as_deref().unwrap().contains(r#""ClientMetadata":{"campaign":"spring"}"#), "{:?}", r.body);
    }
    // Not on the JWKS (a public document: no custom headers, no preflight).
    assert!(reqs.iter().filter(|r| r.url.ends_with("jwks.json")).all(|r| r.extra_headers.is_empty()));
    assert!(reqs.iter().all(|r| r.timeout_ms == 15_000), "the default requestTimeoutMs on every request");
}

#[test]
fn a_storage_that_refuses_a_token_keeps_no_half_session() {
    let (w, o) = alice_pool(json!({}));
    let a = w.tab(&o);
    // Room for the user name, not for a token (a cookie store with a 4 KB cap and a big ID token).
    w.max_value_len.set(Some(200));
    let c = a.clone();
    let e = w.run(async move { c.sign_in(input("bob")).await.unwrap_err() });
    assert_eq!((e.name(), e.retryable()), ("StorageError", false));
    let left: Vec<String> = w.storage().into_keys().filter(|k| k.starts_with("CognitoIdentityServiceProvider.")).collect();
    assert!(left.is_empty(), "half a session left behind: {left:?}");
    let c = a.clone();
    assert!(w.run(async move { c.get_session(false).await.unwrap() }).is_none());
    // With room, the same tab signs in.
    w.max_value_len.set(None);
    sign_in(&w, &a, "bob");
}
