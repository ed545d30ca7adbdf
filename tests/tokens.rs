//! Tokens in headless Chromium against the emulator: storage layouts, refresh that never races
//! (50 concurrent callers, two clients sharing storage), rotation, definitive vs transient
//! failures, verification (signature, issuer, audience, expiry, key rotation) and garbage in
//! storage.
#![cfg(target_arch = "wasm32")]

mod common;
use common::*;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Tokens live 30 s and the SDK refreshes 60 s early: every getSession needs a refresh.
const SHORT: &str = r#"{"tokenValidity":{"idTokenSeconds":30,"accessTokenSeconds":30,"refreshTokenSeconds":86400},"users":[{"username":"t","password":"Passw0rd!","attributes":{"email":"t@example.com","email_verified":"true"}}]}"#;

fn local() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn key(p: &Pool, rest: &str) -> String {
    format!("CognitoIdentityServiceProvider.{}.{rest}", p.client)
}

async fn all(promises: Vec<Promise>) -> Vec<JsValue> {
    let arr: Array = promises.into_iter().collect();
    Array::from(&JsFuture::from(Promise::all(&arr)).await.unwrap()).iter().collect()
}

#[wasm_bindgen_test]
async fn amplify_compatible_local_storage_layout() {
    let p = pool(SHORT).await;
    let a = auth(&p, r#"{"storage":"localStorage"}"#);
    ok(a.sign_in(obj(r#"{"username":"t","password":"Passw0rd!"}"#))).await;
    let s = local();
    assert_eq!(s.get_item(&key(&p, "LastAuthUser")).unwrap().as_deref(), Some("t"));
    for k in ["idToken", "accessToken", "refreshToken", "clockDrift"] {
        assert!(s.get_item(&key(&p, &format!("t.{k}"))).unwrap().is_some(), "{k}");
    }
    // A second instance (another page of the app) sees the same session.
    let b = auth(&p, r#"{"storage":"localStorage"}"#);
    assert_eq!(get_str(&b.current_user(), "username"), "t");
    ok(a.sign_out(Some(obj("{}")))).await;
    assert!(s.get_item(&key(&p, "LastAuthUser")).unwrap().is_none());
    assert!(s.get_item(&key(&p, "t.idToken")).unwrap().is_none());
}

#[wasm_bindgen_test]
async fn fifty_concurrent_get_sessions_make_one_refresh() {
    let p = pool(SHORT).await;
    let a = auth(&p, "{}");
    ok(a.sign_in(obj(r#"{"username":"t","password":"Passw0rd!"}"#))).await;
    assert_eq!(stat(&p, "refresh").await, 0.0);
    let results = all((0..50).map(|_| a.get_session(Some(obj("{}")))).collect()).await;
    assert_eq!(stat(&p, "refresh").await, 1.0, "one refresh for 50 callers");
    let first = get_str(&results[0], "accessToken");
    assert!(results.iter().all(|r| get_str(r, "accessToken") == first));
}

#[wasm_bindgen_test]
async fn two_clients_sharing_storage_make_one_refresh() {
    let p = pool(r#"{"users":[{"username":"t","password":"Passw0rd!"}]}"#).await;
    let a = auth(&p, r#"{"storage":"localStorage"}"#);
    let b = auth(&p, r#"{"storage":"localStorage"}"#);
    ok(a.sign_in(obj(r#"{"username":"t","password":"Passw0rd!"}"#))).await;
    // Make the stored tokens look nearly expired to both (as if the server clock had run
    // an hour ahead of this one); refreshed tokens get a correct drift and are fresh.
    local().set_item(&key(&p, "t.clockDrift"), "-3590").unwrap();
    let r = all(vec![
        a.get_session(Some(obj("{}"))),
        b.get_session(Some(obj("{}"))),
        a.get_session(Some(obj("{}"))),
        b.get_session(Some(obj("{}"))),
    ])
    .await;
    assert_eq!(stat(&p, "refresh").await, 1.0, "the Web Lock serialises, the second re-reads");
    assert_eq!(get_str(&r[0], "accessToken"), get_str(&r[1], "accessToken"));
    ok(a.sign_out(Some(obj("{}")))).await;
}

#[wasm_bindgen_test]
async fn events_in_this_tab_and_from_the_other() {
    let p = pool(SHORT).await;
    let a = auth(&p, r#"{"storage":"localStorage"}"#);
    let b = auth(&p, r#"{"storage":"localStorage"}"#);
    let seen_a = Array::new();
    let seen_b = Array::new();
    let push = |arr: &Array| {
        let arr = arr.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            arr.push(&JsValue::from_str(&format!(
                "{}{}",
                get_str(&e, "type"),
                if get(&e, "fromOtherTab").is_truthy() { "@other" } else { "" }
            )));
        })
        .into_js_value()
    };
    let _off_a = a.on_auth_event(push(&seen_a)).unwrap();
    let off_b = b.on_auth_event(push(&seen_b)).unwrap();
    ok(a.sign_in(obj(r#"{"username":"t","password":"Passw0rd!"}"#))).await;
    ok(a.get_session(Some(obj(r#"{"forceRefresh":true}"#)))).await;
    ok(a.sign_out(Some(obj("{}")))).await;
    sleep(100).await;
    let list = |arr: &Array| arr.iter().map(|v| v.as_string().unwrap()).collect::<Vec<_>>();
    assert_eq!(list(&seen_a), vec!["signedIn", "tokenRefresh", "signedOut"]);
    assert_eq!(list(&seen_b), vec!["signedIn@other", "tokenRefresh@other", "signedOut@other"]);
    // Unsubscribing stops delivery.
    js_sys::Function::from(off_b).call0(&JsValue::NULL).unwrap();
    ok(a.sign_in(obj(r#"{"username":"t","password":"Passw0rd!"}"#))).await;
    sleep(100).await;
    assert_eq!(seen_b.length(), 3);
    assert_eq!(seen_a.length(), 4);
}

/// A sign-out in one client while another sharing its storage refreshes (Web Locks, as two
/// tabs). The emulator holds back the first call's answer, so the second starts while the first
/// is in flight: whichever comes first, both end signed out and storage stays empty.
#[wasm_bindgen_test]
async fn sign_out_racing_a_refresh_in_another_tab_ends_signed_out() {
    let p = pool(SHORT).await;
    let a = auth(&p, r#"{"storage":"localStorage"}"#);
    let b = auth(&p, r#"{"storage":"localStorage"}"#);
    for refresh_first in [true, false] {
        ok(a.sign_in(obj(r#"{"username":"t","password":"Passw0rd!"}"#))).await;
        let refresh = || a.get_session(Some(obj(r#"{"forceRefresh":true}"#)));
        let sign_out = || b.sign_out(Some(obj(r#"{"redirect":false}"#)));
        let (first, second) = if refresh_first {
            slow_answer("InitiateAuth", 300).await;
            let first = refresh();
            sleep(60).await;
            (first, sign_out())
        } else {
            slow_answer("RevokeToken", 300).await;
            let first = sign_out();
            sleep(60).await;
            (first, refresh())
        };
        let both: Array = [first, second].into_iter().collect();
        JsFuture::from(Promise::all_settled(&both)).await.unwrap();
        sleep(100).await;
        let order = if refresh_first { "refresh first" } else { "sign-out first" };
        assert_eq!(local().get_item(&key(&p, "LastAuthUser")).unwrap(), None, "{order}: storage holds a session again");
        assert!(ok(a.get_session(Some(obj("{}")))).await.is_null(), "{order}: the refreshing tab is signed in again");
        assert!(ok(b.get_session(Some(obj("{}")))).await.is_null(), "{order}: the signing-out tab is signed in again");
    }
}

#[wasm_bindgen_test]
async fn rotation_uses_get_tokens_from_refresh_token_and_stores_the_new_one() {
    let p = pool(r#"{"clients":[{"refreshTokenRotation":true}],"users":[{"username":"r","password":"Passw0rd!"}]}"#).await;
    let a = auth(&p, r#"{"storage":"localStorage","refreshTokenRotation":true}"#);
    ok(a.sign_in(obj(r#"{"username":"r","password":"Passw0rd!"}"#))).await;
    let rt_key = key(&p, "r.refreshToken");
    let before = local().get_item(&rt_key).unwrap().unwrap();
    ok(a.get_session(Some(obj(r#"{"forceRefresh":true}"#)))).await;
    let after = local().get_item(&rt_key).unwrap().unwrap();
    assert_ne!(before, after, "the rotated refresh token is stored");
    advance(&p, 5).await;
    ok(a.get_session(Some(obj(r#"{"forceRefresh":true}"#)))).await;
    assert_eq!(stat(&p, "refresh").await, 2.0);
    // The old token is dead: a client still holding it is signed out (RefreshTokenReuseException).
    local().set_item(&rt_key, &before).unwrap();
    let e = err(a.get_session(Some(obj(r#"{"forceRefresh":true}"#)))).await;
    assert_eq!(name_of(&e), "RefreshTokenReuseException");
    assert!(ok(a.get_session(Some(obj("{}")))).await.is_null(), "definitive failures clear the session");
}

#[wasm_bindgen_test]
async fn transient_failures_keep_tokens_definitive_ones_clear_them() {
    let p = pool(r#"{"users":[{"username":"k","password":"Passw0rd!"}]}"#).await;
    let a = auth(&p, r#"{"maxRetries":0}"#);
    ok(a.sign_in(obj(r#"{"username":"k","password":"Passw0rd!"}"#))).await;
    let failures = Array::new();
    let elsewhere = Array::new();
    let other_tab = auth(&p, "{}");
    let e2 = elsewhere.clone();
    let _off_other = other_tab
        .on_auth_event(
            Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                if get_str(&e, "type") == "tokenRefreshFailure" && get(&e, "fromOtherTab").is_truthy() {
                    e2.push(&get(&get(&e, "error"), "name"));
                }
            })
            .into_js_value(),
        )
        .unwrap();
    let f = failures.clone();
    let _off = a
        .on_auth_event(
            Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                if get_str(&e, "type") == "tokenRefreshFailure" {
                    f.push(&get(&get(&e, "error"), "name"));
                }
            })
            .into_js_value(),
        )
        .unwrap();
    for exc in ["InternalErrorException", "TooManyRequestsException"] {
        fault("InitiateAuth", exc, 1).await;
        let e = err(a.get_session(Some(obj(r#"{"forceRefresh":true}"#)))).await;
        assert_eq!(name_of(&e), exc);
        assert_eq!(get(&e, "retryable").as_bool(), Some(true));
        assert!(!ok(a.get_session(Some(obj("{}")))).await.is_null(), "{exc}: tokens kept");
    }
    // Revoked elsewhere: the next refresh is refused for good and the session ends.
    let s = ok(a.get_session(Some(obj("{}")))).await;
    admin("GlobalSignOut", &format!(r#"{{"AccessToken":"{}"}}"#, get_str(&s, "accessToken"))).await;
    let e = err(a.get_session(Some(obj(r#"{"forceRefresh":true}"#)))).await;
    assert_eq!(name_of(&e), "NotAuthorizedException");
    assert!(ok(a.get_session(Some(obj("{}")))).await.is_null());
    assert!(a.current_user().is_null());
    let names: Vec<String> = failures.iter().map(|v| v.as_string().unwrap()).collect();
    assert_eq!(names, vec!["InternalErrorException", "TooManyRequestsException", "NotAuthorizedException"]);
    sleep(50).await;
    let there: Vec<String> = elsewhere.iter().map(|v| v.as_string().unwrap()).collect();
    assert_eq!(there, names, "every tab hears about refresh failures");
}

#[wasm_bindgen_test]
async fn verify_token_checks_everything() {
    let created = http("POST", "/_emulator/pools", Some(r#"{"clients":[{},{}],"users":[{"username":"v","password":"Passw0rd!"}]}"#)).await;
    let clients = Array::from(&get(&created, "clients"));
    let p = Pool { id: get_str(&created, "userPoolId"), client: get_str(&clients.get(0), "clientId") };
    let second_client = get_str(&clients.get(1), "clientId");
    let a = auth(&p, "{}");
    ok(a.sign_in(obj(r#"{"username":"v","password":"Passw0rd!"}"#))).await;
    let s = ok(a.get_session(Some(obj("{}")))).await;
    let (id, at) = (get_str(&s, "idToken"), get_str(&s, "accessToken"));
    let claims = ok(a.verify_token(id.clone())).await;
    assert_eq!(get_str(&claims, "token_use"), "id");
    assert_eq!(get_str(&ok(a.verify_token(at.clone())).await, "username"), "v");

    let check = |e: &JsValue| get(e, "check").as_string().unwrap_or_default();
    // Tampered payload (the right issuer, so the signature is what gives it away), same signature.
    let parts: Vec<&str> = id.split('.').collect();
    let iss = get_str(&claims, "iss");
    let forged = format!(r#"{{"sub":"x","token_use":"id","aud":"x","iss":"{iss}","exp":9999999999,"iat":1}}"#);
    let forged_payload = cognito_wasm::proto::codec::base64url_encode(forged.as_bytes());
    let e = err(a.verify_token(format!("{}.{}.{}", parts[0], forged_payload, parts[2]))).await;
    assert_eq!((name_of(&e), check(&e)), ("TokenVerificationError".into(), "signature".into()));
    let e = err(a.verify_token("not-a-jwt".into())).await;
    assert_eq!(check(&e), "malformed");
    // Wrong audience: another app client of the same pool.
    let other = auth(&Pool { id: p.id.clone(), client: second_client }, "{}");
    assert_eq!(check(&err(other.verify_token(id.clone())).await), "aud");
    assert_eq!(check(&err(other.verify_token(at.clone())).await), "client_id");
    // Wrong issuer: a client configured for another pool.
    let q = pool("{}").await;
    let wrong_iss = cognito_wasm::js::CognitoAuth::new(obj(&format!(
        r#"{{"userPoolId":"{}","clientId":"{}","endpoint":"{EMULATOR}/","storage":"memory"}}"#,
        q.id, p.client
    )))
    .unwrap();
    assert_eq!(check(&err(wrong_iss.verify_token(id.clone())).await), "iss");
    // Expired: the pool's clock moves past exp; the client learns the server's time from the
    // Date header of its next answer (any answer, even an error).
    advance(&p, 7200).await;
    err(a.forgot_password(obj(r#"{"username":"v"}"#))).await;
    assert_eq!(check(&err(a.verify_token(at.clone())).await), "exp");
}

#[wasm_bindgen_test]
async fn key_rotation_is_followed_and_unknown_kids_are_refused() {
    let p = pool(r#"{"users":[{"username":"k","password":"Passw0rd!"}]}"#).await;
    let a = auth(&p, "{}");
    ok(a.sign_in(obj(r#"{"username":"k","password":"Passw0rd!"}"#))).await;
    let old = get_str(&ok(a.get_session(Some(obj("{}")))).await, "idToken");
    // New keys: tokens issued from now on carry a kid the cached JWKS does not have; the
    // sign-in verifies them by refetching the JWKS past the HTTP cache.
    http("POST", &format!("/_emulator/pools/{}/rotate-keys", p.id), Some(r#"{"keepOld":true}"#)).await;
    ok(a.sign_out(Some(obj("{}")))).await;
    let fetches = stat(&p, "jwks").await;
    ok(a.sign_in(obj(r#"{"username":"k","password":"Passw0rd!"}"#))).await;
    // The cached keys lack the new kid, so the signatures are checked in the background (the
    // sign-in does not wait on the JWKS): give that refetch time to reach the emulator.
    let mut seen = stat(&p, "jwks").await;
    for _ in 0..30 {
        if seen > fetches {
            break;
        }
        sleep(100).await;
        seen = stat(&p, "jwks").await;
    }
    sleep(300).await;
    assert_eq!(stat(&p, "jwks").await, fetches + 1.0, "one refetch for the new kid");
    let new = get_str(&ok(a.get_session(Some(obj("{}")))).await, "idToken");
    assert!(new.len() > 100, "the background check kept the tokens (the new kid verified)");
    assert_ne!(old.split('.').next(), new.split('.').next(), "a different kid");
    ok(a.verify_token(old.clone())).await;
    // Kids that are in no JWKS: refused, and a burst of them costs one refetch at most.
    let fetches = stat(&p, "jwks").await;
    let parts: Vec<&str> = new.split('.').collect();
    for i in 0..5 {
        let header = cognito_wasm::proto::codec::base64url_encode(format!(r#"{{"kid":"forged-{i}","alg":"RS256"}}"#).as_bytes());
        let e = err(a.verify_token(format!("{header}.{}.{}", parts[1], parts[2]))).await;
        assert_eq!(get(&e, "check").as_string().as_deref(), Some("kid"));
    }
    assert!(stat(&p, "jwks").await <= fetches + 1.0, "no refetch storm");
}

#[wasm_bindgen_test]
async fn a_skewed_device_clock_still_signs_in_and_refreshes_sanely() {
    // The pool's clock runs 20 minutes ahead of this browser's: TIMESTAMP follows the server's
    // Date header, and token expiry is judged with the drift measured from iat.
    let p = pool(r#"{"users":[{"username":"c","password":"Passw0rd!"}]}"#).await;
    advance(&p, 1200).await;
    let a = auth(&p, "{}");
    ok(a.sign_in(obj(r#"{"username":"c","password":"Passw0rd!"}"#))).await;
    let s = ok(a.get_session(Some(obj("{}")))).await;
    let expires = get(&s, "expiresAt").as_f64().unwrap();
    let now = js_sys::Date::now();
    assert!(expires > now + 3_400_000.0 && expires < now + 3_700_000.0, "expiry in local time: {}", expires - now);
    assert_eq!(stat(&p, "refresh").await, 0.0, "no refresh storm from the skew");
}

#[wasm_bindgen_test]
async fn garbage_in_every_storage_key_reads_as_signed_out() {
    let p = pool(r#"{"users":[{"username":"g","password":"Passw0rd!"}]}"#).await;
    let s = local();
    for (k, v) in [
        ("LastAuthUser", "g"),
        ("g.idToken", "eyJ.garbage.x"),
        ("g.accessToken", "%%%"),
        ("g.refreshToken", ""),
        ("g.clockDrift", "NaN"),
        ("g.deviceKey", "dk"),
        ("pendingSignIn", "{not json"),
        ("autoSignIn", "[]"),
        ("oauth.index", "7"),
    ] {
        s.set_item(&key(&p, k), v).unwrap();
    }
    let a = auth(&p, r#"{"storage":"localStorage"}"#);
    assert!(a.current_user().is_null());
    assert!(ok(a.get_session(Some(obj("{}")))).await.is_null());
    assert!(s.get_item(&key(&p, "LastAuthUser")).unwrap().is_none(), "cleaned up");
    assert!(s.get_item(&key(&p, "g.idToken")).unwrap().is_none());
    assert_eq!(name_of(&err(a.confirm_sign_in(obj(r#"{"code":"1"}"#))).await), "InvalidStateError");
    assert!(s.get_item(&key(&p, "pendingSignIn")).unwrap().is_none());
    assert_eq!(name_of(&err(a.auto_sign_in()).await), "InvalidStateError");
    // Half a device is no device: sign-in works and cleans it.
    ok(a.sign_in(obj(r#"{"username":"g","password":"Passw0rd!"}"#))).await;
    assert!(s.get_item(&key(&p, "g.deviceKey")).unwrap().is_none());
    // Truncated tokens after sign-in.
    let id = s.get_item(&key(&p, "g.idToken")).unwrap().unwrap();
    s.set_item(&key(&p, "g.idToken"), &id[..id.len() / 2]).unwrap();
    assert!(ok(a.get_session(Some(obj("{}")))).await.is_null());
    // Tokens of another user stored under this name.
    ok(a.sign_in(obj(r#"{"username":"g","password":"Passw0rd!"}"#))).await;
    let id = s.get_item(&key(&p, "g.idToken")).unwrap().unwrap();
    s.set_item(&key(&p, "LastAuthUser"), "mallory").unwrap();
    s.set_item(&key(&p, "mallory.idToken"), &id).unwrap();
    s.set_item(&key(&p, "mallory.accessToken"), &s.get_item(&key(&p, "g.accessToken")).unwrap().unwrap()).unwrap();
    assert!(ok(a.get_session(Some(obj("{}")))).await.is_null(), "tokens must belong to the user they are stored under");
}

#[wasm_bindgen_test]
async fn custom_async_storage() {
    let p = pool(r#"{"users":[{"username":"c","password":"Passw0rd!"}]}"#).await;
    let store = js_sys::Function::new_no_args(
        "const m = new Map(); const wait = (v) => new Promise(r => setTimeout(() => r(v), 1));
         return { map: m, getItem: (k) => wait(m.has(k) ? m.get(k) : null), setItem: (k, v) => wait(void m.set(k, v)), removeItem: (k) => wait(void m.delete(k)) };",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let opts = obj(&format!(r#"{{"userPoolId":"{}","clientId":"{}","endpoint":"{EMULATOR}/"}}"#, p.id, p.client));
    js_sys::Reflect::set(&opts, &"storage".into(), &store).unwrap();
    let a = cognito_wasm::js::CognitoAuth::new(opts).unwrap();
    ok(a.sign_in(obj(r#"{"username":"c","password":"Passw0rd!"}"#))).await;
    let map: js_sys::Map = get(&store, "map").into();
    assert_eq!(map.get(&key(&p, "LastAuthUser").into()).as_string().as_deref(), Some("c"));
    assert_eq!(get_str(&a.current_user(), "username"), "c", "currentUser works from memory with async storage");
    assert_eq!(get_str(&ok(a.get_session(Some(obj("{}")))).await, "username"), "c");
    ok(a.sign_out(Some(obj("{}")))).await;
    assert!(map.get(&key(&p, "c.accessToken").into()).is_undefined());
}
