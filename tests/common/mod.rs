//! Helpers for the browser suites: they run in headless Chromium (wasm-bindgen-test) against
//! the real emulator over HTTP. The emulator's address comes from COGNITO_EMULATOR at compile
//! time (scripts/test.sh starts one); every test makes its own pool through the emulator's
//! test API, so suites do not interfere.
#![allow(dead_code)]

use cognito_wasm::js::CognitoAuth;
use js_sys::{Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

pub const EMULATOR: &str = match option_env!("COGNITO_EMULATOR") {
    Some(e) => e,
    None => "http://127.0.0.1:9230",
};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_with_str_and_init(url: &str, init: &JsValue) -> Promise;
}

pub fn obj(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or_else(|_| panic!("bad test JSON: {json}"))
}

pub fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap()
}

pub fn get_str(v: &JsValue, k: &str) -> String {
    get(v, k).as_string().unwrap_or_else(|| panic!("{k} is not a string in {}", stringify(v)))
}

pub fn stringify(v: &JsValue) -> String {
    JSON::stringify(v).map(String::from).unwrap_or_else(|_| "?".into())
}

/// Calls the emulator's HTTP API and parses the JSON answer.
pub async fn http(method: &str, path: &str, body: Option<&str>) -> JsValue {
    let mut init = format!(r#"{{"method":"{method}""#);
    if let Some(b) = body {
        init.push_str(&format!(r#","body":{}"#, JSON::stringify(&JsValue::from_str(b)).unwrap().as_string().unwrap()));
    }
    init.push('}');
    let resp: web_sys::Response =
        JsFuture::from(fetch_with_str_and_init(&format!("{EMULATOR}{path}"), &obj(&init))).await.unwrap().dyn_into().unwrap();
    JsFuture::from(resp.json().unwrap()).await.unwrap()
}

/// A cognito-idp call made directly (admin operations for test set-up).
pub async fn admin(op: &str, body: &str) -> JsValue {
    let init = obj(&format!(
        r#"{{"method":"POST","headers":{{"Content-Type":"application/x-amz-json-1.1","X-Amz-Target":"AWSCognitoIdentityProviderService.{op}"}},"body":{}}}"#,
        JSON::stringify(&JsValue::from_str(body)).unwrap().as_string().unwrap()
    ));
    let resp: web_sys::Response =
        JsFuture::from(fetch_with_str_and_init(&format!("{EMULATOR}/"), &init)).await.unwrap().dyn_into().unwrap();
    JsFuture::from(resp.json().unwrap()).await.unwrap()
}

pub struct Pool {
    pub id: String,
    pub client: String,
}

/// A fresh pool from a config (emulator/src/config.rs).
pub async fn pool(cfg: &str) -> Pool {
    let v = http("POST", "/_emulator/pools", Some(cfg)).await;
    Pool { id: get_str(&v, "userPoolId"), client: get_str(&v, "clientId") }
}

pub async fn advance(pool: &Pool, secs: i64) {
    http("POST", &format!("/_emulator/pools/{}/clock", pool.id), Some(&format!(r#"{{"advanceSeconds":{secs}}}"#))).await;
}

pub async fn messages(pool: &Pool, user: &str) -> Vec<JsValue> {
    let v = http("GET", &format!("/_emulator/messages?poolId={}&username={}", pool.id, js_sys::encode_uri_component(user)), None).await;
    js_sys::Array::from(&v).iter().collect()
}

pub async fn last_code(pool: &Pool, user: &str) -> String {
    let m = messages(pool, user).await;
    get_str(m.last().expect("a delivered message"), "code")
}

/// Counters the emulator keeps per pool (e.g. "refresh").
pub async fn stat(pool: &Pool, key: &str) -> f64 {
    get(&http("GET", &format!("/_emulator/stats?poolId={}", pool.id), None).await, key).as_f64().unwrap_or(0.0)
}

pub async fn fault(target: &str, exception: &str, count: u32) {
    http("POST", "/_emulator/faults", Some(&format!(r#"{{"target":"{target}","exception":"{exception}","count":{count}}}"#))).await;
}

/// The next call of `target` is carried out at once and answered `ms` later.
pub async fn slow_answer(target: &str, ms: u32) {
    http("POST", "/_emulator/faults", Some(&format!(r#"{{"target":"{target}","delayMs":{ms}}}"#))).await;
}

/// `new CognitoAuth({...})` for a pool, with extra options merged in.
pub fn auth(pool: &Pool, extra: &str) -> CognitoAuth {
    let base = format!(r#"{{"userPoolId":"{}","clientId":"{}","endpoint":"{EMULATOR}/","storage":"memory"}}"#, pool.id, pool.client);
    let opts = obj(&base);
    let extra = obj(extra);
    js_sys::Object::assign(opts.unchecked_ref::<js_sys::Object>(), extra.unchecked_ref::<js_sys::Object>());
    CognitoAuth::new(opts).unwrap_or_else(|e| panic!("CognitoAuth: {}", describe(&e)))
}

pub fn describe(e: &JsValue) -> String {
    format!("{}: {}", get(e, "name").as_string().unwrap_or_default(), get(e, "message").as_string().unwrap_or_default())
}

/// Awaits a method's Promise; panics with the error's name and message on rejection.
pub async fn ok(p: Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) => panic!("rejected with {}", describe(&e)),
    }
}

/// Awaits a Promise that must reject; returns the Error (checked to be a real Error).
pub async fn err(p: Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => panic!("expected a rejection, got {}", stringify(&v)),
        Err(e) => {
            assert!(e.is_instance_of::<js_sys::Error>(), "rejections are Error objects");
            assert!(get(&e, "retryable").as_bool().is_some(), "every error says whether it is retryable");
            e
        }
    }
}

pub fn name_of(e: &JsValue) -> String {
    get(e, "name").as_string().unwrap_or_default()
}

pub fn message_of(e: &JsValue) -> String {
    get(e, "message").as_string().unwrap_or_default()
}

/// A unique name for this test run.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", (js_sys::Math::random() * 1e9) as u64)
}

#[path = "../support/totp.rs"]
mod totp_impl;
#[allow(unused_imports)]
pub use totp_impl::totp;

pub fn now_unix() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

pub async fn sleep(ms: i32) {
    let p = Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Forwarding methods, one per JS name: `(options)`, `(Option<options>)` or `()`.
macro_rules! forward {
    ($($rust:ident: $js:literal $kind:ident;)*) => {
        $(forward!(@ $kind $rust $js);)*
    };
    (@ obj $rust:ident $js:literal) => {
        fn $rust(&self, o: JsValue) -> Promise {
            self.m($js, o)
        }
    };
    (@ opt $rust:ident $js:literal) => {
        fn $rust(&self, o: Option<JsValue>) -> Promise {
            self.m($js, o.unwrap_or(JsValue::UNDEFINED))
        }
    };
    (@ none $rust:ident $js:literal) => {
        fn $rust(&self) -> Promise {
            self.m($js, JsValue::UNDEFINED)
        }
    };
}

/// The JS method names, as Rust calls: each goes through `CognitoAuth::call`, the entry point
/// the package's JS methods use (src/js/methods.js), so the suites exercise the same dispatch.
pub trait Methods {
    fn m(&self, name: &str, input: JsValue) -> Promise;
    fn confirm_sign_up_from_link(&self, url: String) -> Promise {
        self.m("confirmSignUpFromLink", url.into())
    }
    fn handle_redirect_callback(&self, url: Option<String>) -> Promise {
        self.m("handleRedirectCallback", url.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))
    }
    fn verify_token(&self, jwt: String) -> Promise {
        self.m("verifyToken", jwt.into())
    }
    forward! {
        sign_in: "signIn" obj;
        get_session: "getSession" opt;
        sign_out: "signOut" opt;
        auto_sign_in: "autoSignIn" none;
        get_pending_sign_in: "getPendingSignIn" none;
        get_user_attributes: "getUserAttributes" none;
        delete_user: "deleteUser" none;
        fetch_mfa_preference: "fetchMfaPreference" none;
        remember_device: "rememberDevice" none;
        fetch_devices: "fetchDevices" none;
        sign_up: "signUp" obj;
        confirm_sign_up: "confirmSignUp" obj;
        resend_sign_up_code: "resendSignUpCode" obj;
        forgot_password: "forgotPassword" obj;
        confirm_forgot_password: "confirmForgotPassword" obj;
        change_password: "changePassword" obj;
        update_user_attributes: "updateUserAttributes" obj;
        verify_user_attribute: "verifyUserAttribute" obj;
        send_user_attribute_verification_code: "sendUserAttributeVerificationCode" obj;
        delete_user_attributes: "deleteUserAttributes" obj;
        confirm_sign_in: "confirmSignIn" obj;
        set_up_totp: "setUpTotp" opt;
        verify_totp_setup: "verifyTotpSetup" obj;
        update_mfa_preference: "updateMfaPreference" obj;
        forget_device: "forgetDevice" opt;
    }
}

impl Methods for CognitoAuth {
    fn m(&self, name: &str, input: JsValue) -> Promise {
        let method = cognito_wasm::js::Method::parse(name).unwrap_or_else(|| panic!("no method {name}"));
        self.call(method.index(), input)
    }
}
