//! Sessions natively, over `TestEnv`: single-flight refresh in a tab and across tabs (the Web
//! Lock and the hand-off by broadcast), sign-out racing a refresh, transient and definitive
//! refresh failures, JWKS refetch and its cool-down. Virtual time: an hour passes in no time.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/env.rs"]
mod env;

use cognito_wasm::client::*;
use env::{srp_input, Action, World};
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

type Task<T> = Pin<Box<dyn Future<Output = T>>>;

fn signed_in(users: serde_json::Value) -> (Rc<World>, serde_json::Value, Rc<Client<env::TestEnv>>) {
    let (w, o) = World::new(json!({"users": users}));
    let a = w.tab(&o);
    let c = a.clone();
    let input = srp_input("alice", "Passw0rd!");
    assert_eq!(w.run(async move { c.sign_in(input).await.unwrap() }), SignInOutcome::SignedIn);
    (w, o, a)
}

fn alice() -> serde_json::Value {
    json!([{"username": "alice", "password": "Passw0rd!"}])
}

/// An hour and a bit: the tokens (1 h) need a refresh.
const HOUR_MS: f64 = 3_600_000.0;

#[test]
fn concurrent_get_sessions_in_a_tab_make_one_refresh() {
    let (w, _, a) = signed_in(alice());
    let c = a.clone();
    let before = w.run(async move { c.load_session().await.unwrap() });
    w.advance(HOUR_MS - 30_000.0);
    let tasks: Vec<Task<String>> = (0..20)
        .map(|_| {
            let c = a.clone();
            Box::pin(async move { c.get_session(false).await.unwrap().unwrap().access_token.expose().to_string() }) as Task<String>
        })
        .collect();
    let tokens = w.run_all(tasks);
    assert_eq!(w.count("InitiateAuth"), 2, "the sign-in and one refresh");
    assert!(tokens.iter().all(|t| *t == tokens[0]) && tokens[0] != before.access_token.expose());
    let kinds: Vec<EventKind> = a.env.events.borrow().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::SignedIn, EventKind::TokenRefresh]);
}

#[test]
fn two_tabs_refresh_once_and_the_waiting_tab_takes_the_other_tabs_tokens() {
    let (w, o, a) = signed_in(alice());
    let b = w.tab(&o);
    w.advance(HOUR_MS - 30_000.0);
    // A's refresh is slow; B asks meanwhile and waits for the lock. A's storage writes reach B
    // 200 ms late (as in Chromium): B takes A's tokens from its broadcast, without a refresh
    // of its own and without waiting for the storage.
    w.storage_lag_ms.set(200);
    w.rule("InitiateAuth", 1, Action::Delay(800));
    let (ca, cb) = (a.clone(), b.clone());
    let tasks: Vec<Task<String>> = vec![
        Box::pin(async move { ca.get_session(false).await.unwrap().unwrap().access_token.expose().to_string() }),
        Box::pin(async move { cb.get_session(false).await.unwrap().unwrap().access_token.expose().to_string() }),
    ];
    let t = w.run_all(tasks);
    assert_eq!(t[0], t[1]);
    assert_eq!(w.count("InitiateAuth"), 2, "the sign-in and one refresh for both tabs");
    let b_events: Vec<(EventKind, bool)> = b.env.events.borrow().iter().map(|e| (e.kind, e.from_other_tab)).collect();
    assert_eq!(b_events, [(EventKind::TokenRefresh, true)]);
}

#[test]
fn without_the_broadcast_the_waiting_tab_polls_storage_then_refreshes_itself() {
    // The hand-off window is bounded: when the other tab's tokens arrive neither by broadcast
    // (none was sent: it crashed mid-refresh) nor by storage within the window, the waiting tab
    // refreshes itself once.
    let (w, o, a) = signed_in(alice());
    let b = w.tab(&o);
    w.advance(HOUR_MS - 30_000.0);
    // A's refresh gets no answer, on every attempt.
    w.rule("InitiateAuth", 4, Action::Fail("connection reset"));
    let (ca, cb) = (a.clone(), b.clone());
    let tasks: Vec<Task<bool>> = vec![
        Box::pin(async move { ca.get_session(false).await.unwrap().is_some() }),
        Box::pin(async move { cb.get_session(false).await.unwrap().is_some() }),
    ];
    assert_eq!(w.run_all(tasks), [true, true], "still-valid tokens for both");
    assert_eq!(w.count("InitiateAuth"), 1 + 4 + 1, "A's attempts, then B's own refresh");
}

#[test]
fn sign_out_racing_a_slow_refresh_ends_signed_out_with_nothing_left() {
    for sign_out_first in [false, true] {
        let (w, o, a) = signed_in(alice());
        let b = w.tab(&o);
        w.advance(HOUR_MS - 30_000.0);
        w.rule("InitiateAuth", 1, Action::Delay(1_000));
        let (ca, cb) = (a.clone(), b.clone());
        let refresh: Task<Option<String>> =
            Box::pin(async move { ca.get_session(false).await.ok().flatten().map(|s| s.access_token.expose().to_string()) });
        let sign_out: Task<Option<String>> = Box::pin(async move {
            cb.sign_out(false, false).await.unwrap();
            None
        });
        let tasks = if sign_out_first { vec![sign_out, refresh] } else { vec![refresh, sign_out] };
        w.run_all(tasks);
        let keys: Vec<String> = w.storage().keys().cloned().collect();
        assert!(keys.iter().all(|k| !k.contains("Token") && !k.ends_with("LastAuthUser")), "left behind: {keys:?}");
        for tab in [&a, &b] {
            let c = tab.clone();
            assert!(w.run(async move { c.get_session(false).await.unwrap() }).is_none());
        }
        assert_eq!(w.count("RevokeToken"), 1);
    }
}

#[test]
fn transient_refresh_failures_keep_valid_tokens_and_definitive_ones_sign_out() {
    let (w, _, a) = signed_in(alice());
    w.advance(HOUR_MS - 30_000.0);
    // Offline: the still-valid tokens are returned, the failure is an event.
    w.rule("InitiateAuth", 4, Action::Fail("offline"));
    let c = a.clone();
    let s = w.run(async move { c.get_session(false).await.unwrap() });
    assert!(s.is_some());
    assert_eq!(w.count("InitiateAuth"), 1 + 4, "one attempt and three retries");
    assert_eq!(a.env.events.borrow().last().map(|e| e.kind), Some(EventKind::TokenRefreshFailure));
    // Revoked elsewhere: NotAuthorizedException ends the session.
    w.rule("InitiateAuth", 1, Action::Exception("NotAuthorizedException", 400));
    let c = a.clone();
    let e = w.run(async move { c.get_session(false).await.unwrap_err() });
    assert_eq!(e.name(), "NotAuthorizedException");
    let kinds: Vec<EventKind> = a.env.events.borrow().iter().rev().take(2).map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::SignedOut, EventKind::TokenRefreshFailure]);
    let c = a.clone();
    assert!(w.run(async move { c.get_session(false).await.unwrap() }).is_none());
}

#[test]
fn a_rotated_key_is_refetched_once_bypassing_the_http_cache_and_unknown_kids_cool_down() {
    let (w, o, a) = signed_in(alice());
    assert_eq!(w.count("jwks.json"), 1);
    let pool = o["userPoolId"].as_str().unwrap().to_string();
    let r = w.emulator_call("POST", &format!("/_emulator/pools/{pool}/rotate-keys"), r#"{"keepOld":true}"#);
    assert_eq!(r.status, 200);
    // The refreshed tokens are signed with the new keys. A refresh takes them on their claims
    // (straight from Cognito over TLS: no JWKS); verifying one refetches once, past the HTTP
    // cache.
    let c = a.clone();
    let s = w.run(async move { c.get_session(true).await.unwrap().unwrap() });
    assert_eq!(w.count("jwks.json"), 1);
    let (c, t) = (a.clone(), s.id_token.expose().to_string());
    w.run(async move { c.verify(&t).await.unwrap() });
    let jwks: Vec<bool> = w.requests.borrow().iter().filter(|r| env::target(r).ends_with("jwks.json")).map(|r| r.bypass_cache).collect();
    assert_eq!(jwks, [false, true]);
    // A token of this pool naming a kid nobody has: refused; a second one within the cool-down
    // does not refetch again.
    let iss = format!("{}/{pool}", cognito_emulator::InProcess::BASE);
    let forged = |kid: &str| {
        let b = |s: String| cognito_wasm::proto::codec::base64url_encode(s.as_bytes());
        format!("{}.{}.c2ln", b(format!(r#"{{"kid":"{kid}","alg":"RS256"}}"#)), b(format!(r#"{{"iss":"{iss}"}}"#)))
    };
    // One naming another issuer is refused before anything is fetched: a token cannot say where
    // its keys are.
    let (c, t) = (
        a.clone(),
        forged("k").replace(
            &cognito_wasm::proto::codec::base64url_encode(format!(r#"{{"iss":"{iss}"}}"#).as_bytes()),
            &cognito_wasm::proto::codec::base64url_encode(br#"{"iss":"https://evil.example/p"}"#),
        ),
    );
    let e = w.run(async move { c.verify(&t).await.unwrap_err() });
    assert_eq!(e.message(), format!("iss is not this pool's issuer ({iss})"));
    assert_eq!(w.count("jwks.json"), 2);
    for (kid, expected) in [("forged-1", 3), ("forged-2", 3)] {
        let (c, t) = (a.clone(), forged(kid));
        let e = w.run(async move { c.verify(&t).await.unwrap_err() });
        assert_eq!(e.name(), "TokenVerificationError");
        assert_eq!(w.count("jwks.json"), expected, "{kid}");
    }
    w.advance(31_000.0);
    let (c, t) = (a.clone(), forged("forged-3"));
    w.run(async move { c.verify(&t).await.unwrap_err() });
    assert_eq!(w.count("jwks.json"), 4, "after the cool-down, one refetch again");
}

/// A sign-in whose token signatures the issuer's keys refuse (here: a JWKS whose modulus was
/// altered, as a key substituted in transit would be) keeps nothing. With the keys at hand when
/// the tokens arrive (the JWKS fetched alongside InitiateAuth) the sign-in is refused before
/// anything is stored; with the keys arriving later, the sign-in resolves at once and the check
/// runs in the background: the tokens are then removed and `signedOut` says why.
#[test]
fn a_sign_in_whose_signatures_are_refused_keeps_nothing() {
    let (w, o) = World::new(json!({"users": alice()}));
    let pool = o["userPoolId"].as_str().unwrap().to_string();
    let jwks = w.emulator_call("GET", &format!("/{pool}/.well-known/jwks.json"), "");
    let mut v: serde_json::Value = serde_json::from_slice(&jwks.body).unwrap();
    let n = v["keys"][0]["n"].as_str().unwrap().to_string();
    let flipped = if n.as_bytes()[10] == b'A' { 'B' } else { 'A' };
    v["keys"][0]["n"] = json!(format!("{}{}{}", &n[..10], flipped, &n[11..]));
    let forged = v.to_string();
    let tokens_stored = |w: &World| w.storage().keys().filter(|k| k.ends_with("Token")).count();
    let input = || srp_input("alice", "Passw0rd!");

    // Keys at hand: refused before anything is kept.
    let a = w.tab(&o);
    w.rule("jwks.json", 5, Action::Reply(200, forged.clone()));
    let c = a.clone();
    let e = w.run(async move { c.sign_in(input()).await.unwrap_err() });
    assert_eq!(e.name(), "TokenVerificationError");
    assert_eq!(e.kind(), &cognito_wasm::proto::error::ErrorKind::TokenVerification(cognito_wasm::proto::error::TokenCheck::Signature));
    assert_eq!(tokens_stored(&w), 0);
    assert!(a.env.events.borrow().iter().all(|e| e.kind != EventKind::SignedIn));

    // Keys later (a fresh page: its own JWKS cache): signed in without waiting, then undone.
    let b = w.tab(&o);
    w.rules.borrow_mut().clear();
    w.rule("jwks.json", 5, Action::ReplyAfter(3_000, 200, forged));
    let (c, start) = (b.clone(), w.now_ms());
    assert_eq!(w.run(async move { c.sign_in(input()).await.unwrap() }), SignInOutcome::SignedIn);
    assert!(w.now_ms() - start < 3_000.0, "the sign-in did not wait for the JWKS");
    assert!(tokens_stored(&w) >= 2);
    w.idle(5_000);
    assert_eq!(tokens_stored(&w), 0, "the refused tokens are gone: {:?}", w.storage());
    let c = b.clone();
    assert!(w.run(async move { c.get_session(false).await.unwrap() }).is_none());
    let last = b.env.events.borrow().last().cloned().unwrap();
    assert_eq!((last.kind, last.error.as_ref().map(|e| e.0.as_str())), (EventKind::SignedOut, Some("TokenVerificationError")));
}
