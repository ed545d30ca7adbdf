//! The `#[wasm_bindgen]` facade: convert, call, convert. Options and results cross as plain
//! objects (JSON on the Rust side, shaped by [`convert`]); every rejection is a real `Error`
//! with `name`, `message` and `retryable`. The asynchronous methods share one export,
//! [`CognitoAuth::call`], which dispatches on the method's JS name (`methods.js` puts the
//! methods on the prototype), so the wasm holds one copy of the Promise glue. The TypeScript
//! declarations are in `types.d.ts`.

pub mod convert;

use crate::client::{AuthEvent, Client};
use crate::web::{to_js, to_json, WebEnv};
use cognito_proto::config::Config;
use cognito_proto::error::{Error, ErrorKind};
use cognito_proto::json::Json;
use cognito_proto::types::*;
use core::cell::{Cell, RefCell};
use js_sys::{Function, Promise, Reflect};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");

/// The AWS-credentials methods (feature `aws`), merged into the `CognitoAuth` interface.
#[cfg(feature = "aws")]
#[wasm_bindgen(typescript_custom_section)]
const AWS_TYPES: &'static str = include_str!("aws.d.ts");

/// An `Error` whose `name` is the Cognito exception or SDK error name.
pub fn js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.message());
    err.set_name(e.name());
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&err, &JsValue::from_str(k), &v);
    };
    set("retryable", JsValue::from_bool(e.retryable()));
    match e.kind() {
        ErrorKind::TokenVerification(check) => set("check", JsValue::from_str(check.as_str())),
        ErrorKind::OAuth { error } => set("code", JsValue::from_str(error)),
        ErrorKind::Passkey(code) => set("code", JsValue::from_str(code.as_str())),
        ErrorKind::Service { status, .. } => set("status", JsValue::from_f64(*status as f64)),
        _ => {}
    }
    err.into()
}

type Task = Pin<Box<dyn Future<Output = Result<Json, Error>>>>;

/// A task's future, boxed, and never dropped in a suspended state: each one runs to completion
/// (a JS Promise waits on it and nothing cancels it), and an async block that has returned has
/// already dropped everything it held. So the drop code for every suspended state of every flow
/// (the compiler cannot know it is never used) is left out of the wasm.
fn task<F: Future<Output = Result<Json, Error>> + 'static>(f: F) -> Task {
    Box::pin(RunsToCompletion(core::mem::ManuallyDrop::new(f)))
}

struct RunsToCompletion<F>(core::mem::ManuallyDrop<F>);

impl<F: Future> Future for RunsToCompletion<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut core::task::Context<'_>) -> core::task::Poll<F::Output> {
        // SAFETY: a structural projection: the inner future is never moved out of the box that
        // pins it (ManuallyDrop<F> is F in place), and it is never dropped.
        unsafe { self.map_unchecked_mut(|s| &mut *s.0) }.poll(cx)
    }
}

/// One (type-erased) driver for every method: a single copy of the Promise glue in the wasm.
fn run(f: Task) -> Promise {
    future_to_promise(async move { f.await.map(|v| to_js(&v)).map_err(|e| js_error(&e)) })
}

/// The app's `onAuthEvent` listeners, with ids that are never reused (an old unsubscribe must
/// not remove a newer listener).
#[derive(Default)]
struct Listeners {
    next_id: Cell<u32>,
    list: RefCell<Vec<(u32, Function)>>,
}

impl Listeners {
    fn emit(&self, event: &AuthEvent) {
        let ev = to_js(&convert::auth_event(event));
        // A copy: a listener may subscribe or unsubscribe while we call them.
        let listeners: Vec<Function> = self.list.borrow().iter().map(|(_, f)| f.clone()).collect();
        for f in listeners {
            // A throwing listener must not break the SDK or the other listeners.
            let _ = f.call1(&JsValue::NULL, &ev);
        }
    }
}

/// Amazon Cognito sign-in for the browser. See README.md for every method.
#[wasm_bindgen]
pub struct CognitoAuth {
    inner: Rc<Client<WebEnv>>,
    listeners: Rc<Listeners>,
}

#[wasm_bindgen]
impl CognitoAuth {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "CognitoAuthOptions")] options: JsValue) -> Result<CognitoAuth, JsValue> {
        let storage = Reflect::get(&options, &JsValue::from_str("storage")).unwrap_or(JsValue::UNDEFINED);
        let custom = storage.is_object().then_some(storage);
        let json = to_json(&options).map_err(|e| js_error(&e))?;
        let mut cfg = Config::from_json(&json, custom.is_some()).map_err(|e| js_error(&e))?;
        if cfg.device_name.is_none() {
            cfg.device_name = crate::web::user_agent().map(|ua| ua.chars().take(200).collect());
        }
        let env = WebEnv::new(&cfg, custom).map_err(|e| js_error(&e))?;
        let listeners = Rc::new(Listeners::default());
        let weak = Rc::downgrade(&listeners);
        env.on_event(Box::new(move |e| {
            if let Some(l) = weak.upgrade() {
                l.emit(e);
            }
        }));
        let client = Client::new_rc(cfg, env);
        WebEnv::listen(&client);
        let auth = CognitoAuth { inner: client, listeners };
        auth.prepare_soon();
        Ok(auth)
    }

    /// Computes the next SRP value off the critical path (the next task, not this one).
    fn prepare_soon(&self) {
        let weak = Rc::downgrade(&self.inner);
        let cb = Closure::once_into_js(move || {
            if let Some(c) = weak.upgrade() {
                c.prepare();
            }
        });
        crate::web::later(&cb);
    }

    /// The one entry point behind every asynchronous method: `src/js/methods.js` installs
    /// `signIn`, `getSession`, ... on the prototype, each calling this with its own name. One
    /// export and one copy of the Promise glue instead of one per method.
    #[wasm_bindgen(js_name = __call, skip_typescript)]
    pub fn call(&self, method: &str, input: JsValue) -> Promise {
        match self.task(method, &input) {
            Ok(task) => run(task),
            Err(e) => Promise::reject(&js_error(&e)),
        }
    }

    /// The signed-in user from the ID token, synchronously, or null.
    #[wasm_bindgen(js_name = currentUser, unchecked_return_type = "CurrentUser | null")]
    pub fn current_user(&self) -> JsValue {
        self.inner.current_user().map(|u| to_js(&convert::current_user(&u))).unwrap_or(JsValue::NULL)
    }

    /// Whether this page can use passkeys: a secure context (https, or http://localhost) with
    /// WebAuthn.
    #[wasm_bindgen(js_name = isPasskeySupported)]
    pub fn is_passkey_supported(&self) -> bool {
        crate::web::passkeys_supported()
    }

    /// Calls `listener(event)` for signedIn, signedOut, tokenRefresh and tokenRefreshFailure,
    /// in this tab and from other tabs. Returns the function that unsubscribes.
    #[wasm_bindgen(js_name = onAuthEvent, unchecked_return_type = "() => void")]
    pub fn on_auth_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: AuthEvent) => void")] listener: JsValue,
    ) -> Result<JsValue, JsValue> {
        let f: Function = listener.dyn_into().map_err(|_| js_error(&Error::config("onAuthEvent needs a function")))?;
        let id = self.listeners.next_id.get().wrapping_add(1);
        self.listeners.next_id.set(id);
        self.listeners.list.borrow_mut().push((id, f));
        let weak = Rc::downgrade(&self.listeners);
        let off = Closure::<dyn FnMut()>::new(move || {
            if let Some(l) = weak.upgrade() {
                l.list.borrow_mut().retain(|(i, _)| *i != id);
            }
        });
        Ok(off.into_js_value())
    }
}

impl CognitoAuth {
    /// The work of `method` (a JS method name) on its argument.
    fn task(&self, method: &str, raw: &JsValue) -> Result<Task, Error> {
        let c = self.inner.clone();
        let input = to_json(raw)?;
        // Methods whose argument is a string: the URL or the token.
        let text = || input.as_str().map(String::from);
        let need_text = |what: &str| text().ok_or_else(|| Error::config(String::from(method) + " needs " + what));
        use self::convert as cv;
        let t: Task = match method {
            "signIn" => {
                let input = cv::sign_in_input(&input)?;
                let me = CognitoAuth { inner: c.clone(), listeners: self.listeners.clone() };
                task(async move {
                    let r = c.sign_in(input).await;
                    me.prepare_soon();
                    Ok(cv::sign_in_outcome(&r?))
                })
            }
            "confirmSignIn" => {
                let (answer, meta) = (cv::answer(&input)?, cv::metadata(&input)?);
                task(async move { Ok(cv::sign_in_outcome(&c.confirm_sign_in(answer, &meta).await?)) })
            }
            "getPendingSignIn" => task(async move { Ok(c.pending_sign_in().await.map_or(Json::Null, |p| cv::next_step(&p))) }),
            "autoSignIn" => {
                let meta = cv::metadata(&input)?;
                task(async move { Ok(cv::sign_in_outcome(&c.auto_sign_in(&meta).await?)) })
            }
            "getSession" => {
                let force = input.get("forceRefresh").and_then(Json::as_bool).unwrap_or(false);
                let meta = cv::metadata(&input)?;
                task(async move { Ok(cv::session(c.get_session_with(force, &meta).await?.as_ref())) })
            }
            "signOut" => {
                let global = input.get("global").and_then(Json::as_bool).unwrap_or(false);
                let redirect = input.get("redirect").and_then(Json::as_bool).unwrap_or(true);
                task(async move { Ok(cv::sign_out_outcome(c.sign_out(global, redirect).await?)) })
            }
            "signUp" => {
                let input = cv::sign_up_input(&input)?;
                task(async move { Ok(cv::sign_up_outcome(&c.sign_up(input).await?)) })
            }
            "confirmSignUp" => {
                let user = cv::username(&input)?;
                let code = cv::required(&input, "code")?.to_string();
                let meta = cv::metadata(&input)?;
                task(async move { Ok(cv::confirm_sign_up_outcome(c.confirm_sign_up(&user, &code, &meta).await?)) })
            }
            "confirmSignUpFromLink" => {
                let url = need_text("the link's URL")?;
                task(async move { Ok(cv::confirm_sign_up_outcome(c.confirm_sign_up_from_link(&url, &Vec::new()).await?)) })
            }
            "resendSignUpCode" => {
                let (user, meta) = (cv::username(&input)?, cv::metadata(&input)?);
                task(async move { Ok(cv::code_delivery_result(c.resend_sign_up_code(&user, &meta).await?.as_ref())) })
            }
            "forgotPassword" => {
                let (user, meta) = (cv::username(&input)?, cv::metadata(&input)?);
                task(async move { Ok(cv::code_delivery_result(c.forgot_password(&user, &meta).await?.as_ref())) })
            }
            "confirmForgotPassword" => {
                let user = cv::username(&input)?;
                let code = cv::required(&input, "code")?.to_string();
                let pw = Password::new(cv::required(&input, "newPassword")?);
                let meta = cv::metadata(&input)?;
                task(async move {
                    c.confirm_forgot_password(&user, &code, &pw, &meta).await?;
                    Ok(cv::done())
                })
            }
            "changePassword" => {
                let old = Password::new(cv::required(&input, "oldPassword")?);
                let new = Password::new(cv::required(&input, "newPassword")?);
                task(async move {
                    c.change_password(&old, &new).await?;
                    Ok(cv::done())
                })
            }
            "getUserAttributes" => task(async move { Ok(cv::attributes_out(&c.get_user_attributes().await?)) }),
            "updateUserAttributes" => {
                let attrs = cv::attributes_in(input.get("attributes"))?;
                if attrs.is_empty() {
                    return Err(Error::config("attributes is required: { attributes: { name: value } }"));
                }
                let meta = cv::metadata(&input)?;
                task(async move { Ok(cv::code_deliveries(&c.update_user_attributes(&attrs, &meta).await?)) })
            }
            "verifyUserAttribute" => {
                let name = cv::required(&input, "attributeName")?.to_string();
                let code = cv::required(&input, "code")?.to_string();
                task(async move {
                    c.verify_user_attribute(&name, &code).await?;
                    Ok(cv::done())
                })
            }
            "sendUserAttributeVerificationCode" => {
                let name = cv::required(&input, "attributeName")?.to_string();
                let meta = cv::metadata(&input)?;
                task(async move { Ok(cv::code_delivery_result(c.send_user_attribute_verification_code(&name, &meta).await?.as_ref())) })
            }
            "deleteUserAttributes" => {
                let names: Vec<String> = input
                    .get("attributeNames")
                    .and_then(Json::as_array)
                    .ok_or_else(|| Error::config("attributeNames is required: an array of attribute names"))?
                    .iter()
                    .filter_map(|n| n.as_str().map(String::from))
                    .collect();
                task(async move {
                    c.delete_user_attributes(&names).await?;
                    Ok(cv::done())
                })
            }
            "deleteUser" => task(async move {
                c.delete_user().await?;
                Ok(cv::done())
            }),
            "setUpTotp" => {
                let issuer = input.str("issuer").map(String::from);
                task(async move { Ok(cv::totp(&c.set_up_totp(issuer).await?)) })
            }
            "verifyTotpSetup" => {
                let code = cv::required(&input, "code")?.to_string();
                let name = input.str("deviceName").map(String::from);
                task(async move {
                    c.verify_totp_setup(&code, name.as_deref()).await?;
                    Ok(cv::done())
                })
            }
            "updateMfaPreference" => {
                let u = cv::mfa_update(&input)?;
                task(async move {
                    c.update_mfa_preference(u).await?;
                    Ok(cv::done())
                })
            }
            "fetchMfaPreference" => task(async move { Ok(cv::mfa_preference(&c.fetch_mfa_preference().await?)) }),
            "rememberDevice" => task(async move {
                c.remember_device().await?;
                Ok(cv::done())
            }),
            "forgetDevice" => {
                let key = input.str("deviceKey").map(DeviceKey::new);
                task(async move {
                    c.forget_device(key).await?;
                    Ok(cv::done())
                })
            }
            "fetchDevices" => task(async move { Ok(cv::devices(&c.fetch_devices().await?)) }),
            "registerPasskey" => {
                task(async move { Ok(Json::object(vec![("credentialId", Json::Str(c.register_passkey().await?))])) })
            }
            "listPasskeys" => task(async move { Ok(cv::passkeys(&c.list_passkeys().await?)) }),
            "deletePasskey" => {
                let id = cv::required(&input, "credentialId")?.to_string();
                task(async move {
                    c.delete_passkey(&id).await?;
                    Ok(cv::done())
                })
            }
            "fetchAuthFactors" => task(async move { Ok(cv::auth_factors(&c.fetch_auth_factors().await?)) }),
            #[cfg(feature = "aws")]
            "getCredentials" => {
                let force = input.get("forceRefresh").and_then(Json::as_bool).unwrap_or(false);
                task(async move { Ok(cv::credentials(c.get_credentials(force).await?.as_ref())) })
            }
            // Called by aws.js's signRequest, fetchSigned and presignUrl (which hash the body).
            #[cfg(feature = "aws")]
            "signRequest" | "presignUrl" => {
                let r = cv::sign_input(&input, method == "presignUrl")?;
                task(async move { Ok(cv::signed_request(&c.sign_request(&r).await?)) })
            }
            "signInWithRedirect" => {
                let (return_to, opts) = cv::authorize(&input);
                task(async move {
                    c.sign_in_with_redirect(return_to.as_deref(), &opts).await?;
                    Ok(Json::object(vec![("redirecting", Json::Bool(true))]))
                })
            }
            "authorizeUrl" => {
                let (return_to, opts) = cv::authorize(&input);
                task(async move { Ok(Json::Str(c.authorize_url(return_to.as_deref(), &opts).await?)) })
            }
            "handleRedirectCallback" => {
                let url = text();
                task(async move { Ok(cv::redirect_outcome(&c.handle_redirect_callback(url).await?)) })
            }
            "verifyToken" => {
                let jwt = need_text("a JWT")?;
                task(async move { c.verify(&jwt, None, None).await })
            }
            _ => return Err(Error::config(String::from("CognitoAuth has no method ") + method)),
        };
        Ok(t)
    }
}

/// One sign-in's client-side SRP work — a fresh `A = g^a` and the PASSWORD_VERIFIER claim over
/// the given server values — returning the claim signature. For `npm run bench` only (feature
/// `bench`): the package does not carry it.
#[cfg(feature = "bench")]
#[wasm_bindgen(js_name = srpClaim)]
pub fn srp_claim(
    user_pool_id: &str,
    user_id: &str,
    password: &str,
    salt_hex: &str,
    srp_b_hex: &str,
    secret_block: &str,
) -> Result<String, JsValue> {
    use cognito_proto::srp::*;
    let run = || -> Result<String, Error> {
        let pool = UserPoolId::parse(user_pool_id)?;
        let mut a = [0u8; PRIVATE_BYTES];
        crate::web::random(&mut a)?;
        let eph = ClientEphemeral::from_random(a)?;
        let ch = VerifierChallenge {
            salt: Salt::from_hex(salt_hex)?,
            srp_b: SrpB::from_hex(srp_b_hex)?,
            secret_block: SecretBlock::from_base64(secret_block)?,
        };
        let ts = SrpTimestamp::from_unix((js_sys::Date::now() / 1000.0) as i64);
        Ok(password_claim(&eph, &pool, &UserIdForSrp::new(user_id), &Password::new(password), &ch, &ts)?.signature)
    };
    run().map_err(|e| js_error(&e))
}

/// Version of the SDK.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[cfg(test)]
mod tests {
    /// The names `methods.js` installs, the names `task` dispatches and the methods the
    /// TypeScript interface declares are the same set.
    #[test]
    fn methods_js_dispatch_and_types_agree() {
        let js = String::from(include_str!("methods.js")) + if cfg!(feature = "aws") { include_str!("aws.js") } else { "" };
        let js = js.as_str();
        let mut installed: Vec<&str> = vec![];
        for part in js.split("for (const m of [").skip(1) {
            installed.extend(part[..part.find("])").unwrap()].split('\'').skip(1).step_by(2));
        }
        let src = include_str!("mod.rs");
        let dispatch = &src[src.find("let t: Task = match method {").unwrap()..src.find("CognitoAuth has no method").unwrap()];
        // Every name of an arm (`"a" | "b" => …`), but those of a feature this build lacks.
        let mut arms: Vec<&str> = vec![];
        let mut skip = false;
        for l in dispatch.lines().map(str::trim) {
            if l == "#[cfg(feature = \"aws\")]" {
                skip = !cfg!(feature = "aws");
            } else if l.starts_with('"') && l.contains("=>") {
                if !skip {
                    arms.extend(l.split("=>").next().unwrap_or("").split('"').skip(1).step_by(2));
                }
                skip = false;
            }
        }
        let dts = String::from(include_str!("types.d.ts")) + if cfg!(feature = "aws") { include_str!("aws.d.ts") } else { "" };
        // The members of every `export interface CognitoAuth { … }` block (aws.d.ts adds one).
        let declared: Vec<&str> = dts
            .split("export interface CognitoAuth {")
            .skip(1)
            .flat_map(|block| block[..block.find("\n}").unwrap()].lines())
            .filter_map(|l| l.strip_prefix("  ").filter(|l| !l.starts_with([' ', '/', '*'])))
            .filter_map(|l| l.split('(').next())
            .collect();
        fn sorted<'a>(v: &[&'a str]) -> Vec<&'a str> {
            let mut v = v.to_vec();
            v.sort();
            v
        }
        // Methods written in methods.js itself; the wasm methods they call.
        let own: Vec<&str> = js.split("define('").skip(1).filter_map(|r| r.split('\'').next()).collect();
        let called: Vec<&str> = js.split("__call('").skip(1).filter_map(|r| r.split('\'').next()).collect();
        if cfg!(feature = "aws") {
            assert_eq!(own, ["signRequest", "fetchSigned", "presignUrl"]);
            assert_eq!(installed.len(), 35, "{installed:?}");
        } else {
            assert!(own.is_empty() && called.is_empty());
            assert_eq!(installed.len(), 34, "{installed:?}");
        }
        let mut wasm = installed.clone();
        for c in called {
            if !wasm.contains(&c) {
                wasm.push(c);
            }
        }
        assert_eq!(sorted(&wasm), sorted(&arms));
        let mut all = installed.clone();
        all.extend(&own);
        // Overloads declare a method more than once.
        let mut declared = sorted(&declared);
        declared.dedup();
        assert_eq!(sorted(&all), declared);
    }
}
