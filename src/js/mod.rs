//! The `#[wasm_bindgen]` facade: convert, call, convert. Options and results cross as plain
//! objects (JSON on the Rust side, shaped by [`convert`]); every rejection is a real `Error`
//! with `name`, `message` and `retryable`.
//!
//! The methods are declared once, in `types.d.ts` (`build.rs` turns the declarations into
//! [`Method`]). The asynchronous ones share one export, [`CognitoAuth::call`], which takes the
//! method's index (`methods.js` puts the methods on the prototype) and hands the call to the
//! part of the package that carries it ([`parts`]): the returning user's page needs only the
//! main module; sign-in, account management and the rest are fetched on first use.

pub mod convert;
mod methods;
mod parts;

pub use methods::{Method, Part, DECLARED, METHODS};

use crate::client::{nodrop, AuthEvent, Client};
use crate::web::{text_to_js, to_text, WebEnv};
use cognito_proto::config::Config;
use cognito_proto::error::{Error, ErrorKind};
use cognito_proto::json::{Json, Raw};
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

/// A method's work, ending in its result as JSON text: runs to completion (a JS Promise waits
/// on it and nothing cancels it).
pub(crate) type Task = Pin<Box<dyn Future<Output = Result<String, Error>>>>;

/// Boxes a method's future without the drop code for its suspended states (see `nodrop`): one
/// driver for every method, so one copy of the Promise glue in the wasm.
pub(crate) fn text_task<F: Future<Output = Result<String, Error>> + 'static>(f: F) -> Task {
    Box::pin(nodrop(f))
}

/// `text_task` for a flow whose result is a tree.
pub(crate) fn task<F: Future<Output = Result<Json, Error>> + 'static>(f: F) -> Task {
    text_task(async move { f.await.map(|v| v.to_text()) })
}

fn run(f: impl Future<Output = Result<String, Error>> + 'static) -> Promise {
    future_to_promise(async move { f.await.map(|v| text_to_js(&v)).map_err(|e| js_error(&e)) })
}

/// The app's `onAuthEvent` listeners, with ids that are never reused (an old unsubscribe must
/// not remove a newer listener).
#[derive(Default)]
pub(crate) struct Listeners {
    next_id: Cell<u32>,
    list: RefCell<Vec<(u32, Function)>>,
}

impl Listeners {
    fn emit(&self, event: &AuthEvent) {
        let ev = text_to_js(&convert::auth_event(event));
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
    client: Rc<Client<WebEnv>>,
    listeners: Rc<Listeners>,
}

#[wasm_bindgen]
impl CognitoAuth {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "CognitoAuthOptions")] options: JsValue) -> Result<CognitoAuth, JsValue> {
        Self::create(&options).map_err(|e| js_error(&e))
    }

    /// The one entry point behind every asynchronous method: `src/js/methods.js` installs
    /// `signIn`, `getSession`, ... on the prototype, each calling this with its own index in
    /// [`METHODS`]. One export and one copy of the Promise glue instead of one per method.
    #[wasm_bindgen(js_name = __call, skip_typescript)]
    pub fn call(&self, method: u32, input: JsValue) -> Promise {
        let m = METHODS.get(method as usize).copied().ok_or_else(|| Error::config("CognitoAuth has no such method"));
        match m.and_then(|m| Ok((m, to_text(&input)?))) {
            Ok((m, input)) => run(parts::run(self.client.clone(), m, input)),
            Err(e) => Promise::reject(&js_error(&e)),
        }
    }

    /// The signed-in user from the ID token, synchronously, or null.
    #[wasm_bindgen(js_name = currentUser, unchecked_return_type = "CurrentUser | null")]
    pub fn current_user(&self) -> JsValue {
        self.client.current_user().map(|u| text_to_js(&convert::current_user(&u))).unwrap_or(JsValue::NULL)
    }

    /// Whether this page can use passkeys: a secure context (https, or http://localhost) with
    /// WebAuthn.
    #[wasm_bindgen(js_name = isPasskeySupported)]
    pub fn is_passkey_supported(&self) -> bool {
        crate::web::passkeys_supported()
    }

    /// Calls `listener(event)` for signedIn, signedOut, tokenRefresh, tokenRefreshFailure and
    /// accountSwitched, in this tab and from other tabs, and for credentialsRefresh,
    /// credentialsRefreshFailure and retrying in this tab. Returns the function that
    /// unsubscribes.
    #[wasm_bindgen(js_name = onAuthEvent, unchecked_return_type = "() => void")]
    pub fn on_auth_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: AuthEvent) => void")] listener: JsValue,
    ) -> Result<JsValue, JsValue> {
        let f: Function = listener.dyn_into().map_err(|_| js_error(&Error::config("onAuthEvent needs a function")))?;
        let listeners = &self.listeners;
        let id = listeners.next_id.get().wrapping_add(1);
        listeners.next_id.set(id);
        listeners.list.borrow_mut().push((id, f));
        let weak = Rc::downgrade(listeners);
        let off = Closure::<dyn FnMut()>::new(move || {
            if let Some(l) = weak.upgrade() {
                l.list.borrow_mut().retain(|(i, _)| *i != id);
            }
        });
        Ok(off.into_js_value())
    }
}

impl CognitoAuth {
    fn create(options: &JsValue) -> Result<CognitoAuth, Error> {
        let storage = Reflect::get(options, &JsValue::from_str("storage")).unwrap_or(JsValue::UNDEFINED);
        let custom = storage.is_object().then_some(storage);
        let text = to_text(options)?;
        let options = Raw::parse(&text).map_err(|_| Error::config("options cannot be read"))?;
        let mut cfg = Config::from_options(options, custom.is_some())?;
        if cfg.device_name.is_none() {
            cfg.device_name = crate::web::user_agent().map(|ua| ua.chars().take(200).collect());
        }
        let env = WebEnv::new(&cfg, custom)?;
        let listeners = Rc::new(Listeners::default());
        let weak = Rc::downgrade(&listeners);
        env.on_event(Box::new(move |e| {
            if let Some(l) = weak.upgrade() {
                l.emit(e);
            }
        }));
        let client = Client::new_rc(cfg, env);
        WebEnv::listen(&client);
        Ok(CognitoAuth { client, listeners })
    }

    /// The client behind this object (for the browser suites).
    pub fn client(&self) -> &Rc<Client<WebEnv>> {
        &self.client
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
    use cognito_proto::types::*;
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
