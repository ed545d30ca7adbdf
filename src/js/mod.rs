//! The `#[wasm_bindgen]` facade: convert, call, convert. Options and results cross as plain
//! objects (JSON on the Rust side); every rejection is a real `Error` with `name`, `message`
//! and `retryable`. The TypeScript declarations are in `types.d.ts`.

use crate::client::{Client, SignInInput};
use crate::config::Config;
use crate::error::Error;
use crate::json::Json;
use crate::web::{to_js, to_json, WebEnv};
use js_sys::{Function, Promise, Reflect};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &Function, ms: i32) -> JsValue;
}

/// An `Error` whose `name` is the Cognito exception or SDK error name.
pub fn js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.message());
    err.set_name(e.name());
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&err, &JsValue::from_str(k), &v);
    };
    set("retryable", JsValue::from_bool(e.retryable()));
    match e {
        Error::TokenVerification { check, .. } => set("check", JsValue::from_str(check.as_str())),
        Error::OAuth { error, .. } => set("code", JsValue::from_str(error)),
        Error::Service { status, .. } => set("status", JsValue::from_f64(*status as f64)),
        _ => {}
    }
    err.into()
}

type Task = Pin<Box<dyn Future<Output = Result<Json, Error>>>>;

/// One (type-erased) driver for every method: a single copy of the Promise glue in the wasm.
fn run_boxed(f: Task) -> Promise {
    future_to_promise(async move { f.await.map(|v| to_js(&v)).map_err(|e| js_error(&e)) })
}

fn run(f: impl Future<Output = Result<Json, Error>> + 'static) -> Promise {
    run_boxed(Box::pin(f))
}

fn session_json(s: Option<crate::session::Session>) -> Json {
    match s {
        None => Json::Null,
        Some(s) => Json::object([
            ("username", Json::from(s.username.as_str())),
            ("idToken", Json::from(s.id_token.expose())),
            ("accessToken", Json::from(s.access_token.expose())),
            ("expiresAt", Json::int(s.expires_at_ms() as i64)),
        ]),
    }
}

/// Amazon Cognito sign-in for the browser. See README.md for every method.
#[wasm_bindgen]
pub struct CognitoAuth {
    inner: Rc<Client<WebEnv>>,
}

/// A method taking one options object (wasm-bindgen expands attributes, not macros, inside
/// an impl: each method gets an impl block of its own).
macro_rules! method {
    ($js:literal, $param:literal, $ret:literal, $name:ident, |$c:ident, $input:ident| $body:expr) => {
        #[wasm_bindgen]
        impl CognitoAuth {
            #[wasm_bindgen(js_name = $js, unchecked_return_type = $ret)]
            pub fn $name(&self, #[wasm_bindgen(unchecked_param_type = $param)] $input: JsValue) -> Promise {
                let $c = self.inner.clone();
                run(async move {
                    let $input = to_json(&$input)?;
                    $body
                })
            }
        }
    };
    (optional $js:literal, $param:literal, $ret:literal, $name:ident, |$c:ident, $input:ident| $body:expr) => {
        #[wasm_bindgen]
        impl CognitoAuth {
            #[wasm_bindgen(js_name = $js, unchecked_return_type = $ret)]
            pub fn $name(&self, #[wasm_bindgen(unchecked_param_type = $param)] $input: Option<JsValue>) -> Promise {
                let $c = self.inner.clone();
                run(async move {
                    let $input = to_json(&$input.unwrap_or(JsValue::UNDEFINED))?;
                    $body
                })
            }
        }
    };
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
            cfg.device_name = web_sys::window().and_then(|w| w.navigator().user_agent().ok()).map(|ua| ua.chars().take(200).collect());
        }
        let env = WebEnv::new(&cfg, custom).map_err(|e| js_error(&e))?;
        let client = Rc::new(Client::new(cfg, env));
        WebEnv::listen(&client);
        let auth = CognitoAuth { inner: client };
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
        set_timeout(cb.unchecked_ref(), 0);
    }

    #[wasm_bindgen(js_name = signIn, unchecked_return_type = "Promise<SignInResult>")]
    pub fn sign_in(&self, #[wasm_bindgen(unchecked_param_type = "SignInOptions")] input: JsValue) -> Promise {
        let c = self.inner.clone();
        let me = CognitoAuth { inner: c.clone() };
        run(async move {
            let input = SignInInput::from_json(&to_json(&input)?)?;
            let r = c.sign_in(input).await;
            me.prepare_soon();
            r
        })
    }

    #[wasm_bindgen(js_name = getSession, unchecked_return_type = "Promise<Session | null>")]
    pub fn get_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ forceRefresh?: boolean } | void")] input: Option<JsValue>,
    ) -> Promise {
        let c = self.inner.clone();
        run(async move {
            let force = to_json(&input.unwrap_or(JsValue::UNDEFINED))?.get("forceRefresh").and_then(Json::as_bool).unwrap_or(false);
            Ok(session_json(c.get_session(force).await?))
        })
    }

    #[wasm_bindgen(js_name = signOut, unchecked_return_type = "Promise<{ redirecting?: true }>")]
    pub fn sign_out(&self, #[wasm_bindgen(unchecked_param_type = "SignOutOptions | void")] input: Option<JsValue>) -> Promise {
        let c = self.inner.clone();
        run(async move {
            let o = to_json(&input.unwrap_or(JsValue::UNDEFINED))?;
            c.sign_out(o.get("global").and_then(Json::as_bool).unwrap_or(false), o.get("redirect").and_then(Json::as_bool).unwrap_or(true))
                .await
        })
    }

    #[wasm_bindgen(js_name = autoSignIn, unchecked_return_type = "Promise<SignInResult>")]
    pub fn auto_sign_in(&self) -> Promise {
        let c = self.inner.clone();
        run(async move { c.auto_sign_in().await })
    }

    /// The sign-in step waiting for `confirmSignIn` (also after a reload), or null.
    #[wasm_bindgen(js_name = getPendingSignIn, unchecked_return_type = "Promise<NextStep | null>")]
    pub fn get_pending_sign_in(&self) -> Promise {
        let c = self.inner.clone();
        run(async move { Ok(c.pending_step().await.unwrap_or(Json::Null)) })
    }

    #[wasm_bindgen(js_name = getUserAttributes, unchecked_return_type = "Promise<Record<string, string>>")]
    pub fn get_user_attributes(&self) -> Promise {
        let c = self.inner.clone();
        run(async move { c.get_user_attributes().await })
    }

    #[wasm_bindgen(js_name = deleteUser, unchecked_return_type = "Promise<{}>")]
    pub fn delete_user(&self) -> Promise {
        let c = self.inner.clone();
        run(async move { c.delete_user().await })
    }

    #[wasm_bindgen(js_name = fetchMfaPreference, unchecked_return_type = "Promise<MfaPreference>")]
    pub fn fetch_mfa_preference(&self) -> Promise {
        let c = self.inner.clone();
        run(async move { c.fetch_mfa_preference().await })
    }

    #[wasm_bindgen(js_name = rememberDevice, unchecked_return_type = "Promise<{}>")]
    pub fn remember_device(&self) -> Promise {
        let c = self.inner.clone();
        run(async move { c.remember_device().await })
    }

    #[wasm_bindgen(js_name = fetchDevices, unchecked_return_type = "Promise<Device[]>")]
    pub fn fetch_devices(&self) -> Promise {
        let c = self.inner.clone();
        run(async move { c.fetch_devices().await })
    }

    #[wasm_bindgen(js_name = confirmSignUpFromLink, unchecked_return_type = "Promise<ConfirmSignUpResult>")]
    pub fn confirm_sign_up_from_link(&self, url: String) -> Promise {
        let c = self.inner.clone();
        run(async move { c.confirm_sign_up_from_link(&url).await })
    }

    #[wasm_bindgen(js_name = handleRedirectCallback, unchecked_return_type = "Promise<RedirectResult>")]
    pub fn handle_redirect_callback(&self, url: Option<String>) -> Promise {
        let c = self.inner.clone();
        run(async move { c.handle_redirect_callback(url).await })
    }

    /// Verifies a Cognito JWT (signature with the issuer's JWKS, iss, token_use, audience,
    /// expiry) and returns its claims.
    #[wasm_bindgen(js_name = verifyToken, unchecked_return_type = "Promise<Record<string, unknown>>")]
    pub fn verify_token(&self, jwt: String) -> Promise {
        let c = self.inner.clone();
        run(async move { c.verify(&jwt, None, None).await })
    }

    /// The signed-in user from the ID token, synchronously, or null.
    #[wasm_bindgen(js_name = currentUser, unchecked_return_type = "CurrentUser | null")]
    pub fn current_user(&self) -> JsValue {
        self.inner.current_user().map(|u| to_js(&u)).unwrap_or(JsValue::NULL)
    }

    /// Calls `listener(event)` for signedIn, signedOut, tokenRefresh and tokenRefreshFailure,
    /// in this tab and from other tabs. Returns the function that unsubscribes.
    #[wasm_bindgen(js_name = onAuthEvent, unchecked_return_type = "() => void")]
    pub fn on_auth_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: AuthEvent) => void")] listener: JsValue,
    ) -> Result<JsValue, JsValue> {
        let f: Function = listener.dyn_into().map_err(|_| js_error(&Error::config("onAuthEvent needs a function")))?;
        let listeners = self.inner.env.listeners.clone();
        let id = listeners.borrow().iter().map(|(i, _)| *i).max().unwrap_or(0) + 1;
        listeners.borrow_mut().push((id, f));
        let weak = Rc::downgrade(&listeners);
        let off = Closure::<dyn FnMut()>::new(move || {
            if let Some(l) = weak.upgrade() {
                l.borrow_mut().retain(|(i, _)| *i != id);
            }
        });
        Ok(off.into_js_value())
    }
}

method!("signUp", "SignUpOptions", "Promise<SignUpResult>", sign_up, |c, input| c.sign_up(&input).await);
method!("confirmSignUp", "{ username: string; code: string }", "Promise<ConfirmSignUpResult>", confirm_sign_up, |c, input| c
    .confirm_sign_up(&input)
    .await);
method!("resendSignUpCode", "{ username: string }", "Promise<CodeDeliveryResult>", resend_sign_up_code, |c, input| c
    .resend_sign_up_code(&input)
    .await);
method!("forgotPassword", "{ username: string }", "Promise<CodeDeliveryResult>", forgot_password, |c, input| c
    .forgot_password(&input)
    .await);
method!(
    "confirmForgotPassword",
    "{ username: string; code: string; newPassword: string }",
    "Promise<{}>",
    confirm_forgot_password,
    |c, input| c.confirm_forgot_password(&input).await
);
method!("changePassword", "{ oldPassword: string; newPassword: string }", "Promise<{}>", change_password, |c, input| c
    .change_password(&input)
    .await);
method!(
    "updateUserAttributes",
    "{ attributes: Record<string, string> }",
    "Promise<UpdateAttributesResult>",
    update_user_attributes,
    |c, input| c.update_user_attributes(&input).await
);
method!("verifyUserAttribute", "{ attributeName: string; code: string }", "Promise<{}>", verify_user_attribute, |c, input| c
    .verify_user_attribute(&input)
    .await);
method!(
    "sendUserAttributeVerificationCode",
    "{ attributeName: string }",
    "Promise<CodeDeliveryResult>",
    send_user_attribute_verification_code,
    |c, input| c.send_user_attribute_verification_code(&input).await
);
method!("deleteUserAttributes", "{ attributeNames: string[] }", "Promise<{}>", delete_user_attributes, |c, input| c
    .delete_user_attributes(&input)
    .await);
method!("confirmSignIn", "ConfirmSignInOptions", "Promise<SignInResult>", confirm_sign_in, |c, input| c.confirm_sign_in(&input).await);
method!(optional "setUpTotp", "{ issuer?: string } | void", "Promise<TotpSetup>", set_up_totp, |c, input| c.set_up_totp(&input).await);
method!("verifyTotpSetup", "{ code: string; deviceName?: string }", "Promise<{}>", verify_totp_setup, |c, input| c
    .verify_totp_setup(&input)
    .await);
method!("updateMfaPreference", "MfaPreferenceUpdate", "Promise<{}>", update_mfa_preference, |c, input| c
    .update_mfa_preference(&input)
    .await);
method!(optional "forgetDevice", "{ deviceKey?: string } | void", "Promise<{}>", forget_device, |c, input| c.forget_device(&input).await);
method!(optional "signInWithRedirect", "AuthorizeOptions | void", "Promise<{ redirecting: true }>", sign_in_with_redirect, |c, input| c.sign_in_with_redirect(&input).await);
method!(optional "authorizeUrl", "AuthorizeOptions | void", "Promise<string>", authorize_url, |c, input| c.authorize_url(&input).await.map(Json::Str));

/// One sign-in's client-side SRP work — a fresh `A = g^a` and the PASSWORD_VERIFIER claim over
/// the given server values — returning the claim signature. For benchmarks and diagnostics.
#[wasm_bindgen(js_name = srpClaim)]
pub fn srp_claim(
    user_pool_id: &str,
    user_id: &str,
    password: &str,
    salt_hex: &str,
    srp_b_hex: &str,
    secret_block: &str,
) -> Result<String, JsValue> {
    use crate::srp::*;
    use crate::types::*;
    let run = || -> Result<String, Error> {
        let pool = UserPoolId::parse(user_pool_id)?;
        let eph = ClientEphemeral::generate()?;
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
