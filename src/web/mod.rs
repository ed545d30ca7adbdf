//! The only code that touches the browser: fetch, Storage, WebCrypto, Web Locks,
//! BroadcastChannel, WebAuthn, timers, location/history. It implements [`Env`] for the flows.
//! The plain browser calls (fetch, Web Locks, WebAuthn, WebCrypto) are in its JS half,
//! `browser.js`; every decision about what they return is taken here.
//! Everything uses globals that exist in windows and workers alike (`fetch`, `setTimeout`,
//! `crypto`, `navigator.locks`), except navigation.

use crate::client::{AuthEvent, Client, Env, JwksCaches};
use cognito_proto::api::{HttpRequest, HttpResponse};
use cognito_proto::codec::{url_decode, url_encode};
use cognito_proto::config::{Config, CookieOptions, StorageKind};
use cognito_proto::error::Error;
use cognito_proto::json::{itoa, string_array, Json, Raw, Writer};
use cognito_proto::jwt::Jwk;
use cognito_proto::webauthn::{self, PasskeyCredential, PasskeyOptions};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The JS half of this module (`browser.js`): the browser calls that are plumbing.
#[wasm_bindgen(module = "/src/web/browser.js")]
extern "C" {
    #[wasm_bindgen(js_name = fetchText)]
    fn fetch_text(url: &str, method: &str, headers: &str, body: Option<String>, timeout_ms: u32, no_store: bool) -> Promise;
    fn lock(name: &str, wait_ms: u32) -> Promise;
    #[wasm_bindgen(js_name = passkey)]
    fn passkey_ceremony(create: bool, public_key: &JsValue, timeout_ms: u32) -> Promise;
    #[wasm_bindgen(js_name = hmacSha256)]
    fn hmac_sha256_js(key: &[u8], message: &[u8]) -> Promise;
    #[wasm_bindgen(js_name = verifyRs256)]
    fn verify_rs256_js(n: &str, e: &str, signature: &[u8], data: &[u8]) -> Promise;
    #[wasm_bindgen(js_name = fillRandom, catch)]
    fn fill_random(buffer: &mut [u8]) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = storeGetAll)]
    fn store_get_all(store: &JsValue, keys: &str) -> Promise;
    #[wasm_bindgen(js_name = storeSetAll)]
    fn store_set_all(store: &JsValue, pairs: &str) -> Promise;
    #[wasm_bindgen(js_name = storeRemoveAll)]
    fn store_remove_all(store: &JsValue, keys: &str) -> Promise;
    #[wasm_bindgen(js_name = storeGetSync)]
    fn store_get_sync(store: &JsValue, key: &str) -> JsValue;
    #[wasm_bindgen(js_name = openChannel)]
    fn open_channel(name: &str, on_message: &JsValue) -> JsValue;
    fn post(channel: &JsValue, message: &JsValue);
    #[wasm_bindgen(js_name = closeChannel)]
    fn close_channel(channel: &JsValue);
    #[wasm_bindgen(js_name = sleep)]
    fn sleep_ms(ms: u32) -> Promise;
    #[wasm_bindgen(js_name = idle)]
    fn idle_js() -> Promise;
    #[wasm_bindgen(js_name = preconnect)]
    fn preconnect_js(url: &str);
    #[wasm_bindgen(js_name = userAgent)]
    pub fn user_agent() -> Option<String>;
    fn cookies() -> Option<String>;
    #[wasm_bindgen(js_name = setCookie)]
    fn set_cookie(cookie: &str);
    #[wasm_bindgen(js_name = isHttps)]
    fn is_https() -> bool;
    #[wasm_bindgen(js_name = currentUrl)]
    fn current_url_js() -> Option<String>;
    #[wasm_bindgen(js_name = navigate, catch)]
    fn navigate_js(url: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = replaceUrl)]
    fn replace_url_js(url: &str);
    #[wasm_bindgen(js_name = passkeysSupported, catch)]
    fn passkeys_supported_js() -> Result<bool, JsValue>;
}

/// A secure context with WebAuthn (`PublicKeyCredential`, `navigator.credentials`).
pub fn passkeys_supported() -> bool {
    passkeys_supported_js().unwrap_or(false)
}

/// `crypto.getRandomValues`.
pub fn random(buf: &mut [u8]) -> Result<(), Error> {
    fill_random(buf).map_err(|_| Error::config("crypto.getRandomValues is not available"))
}

/// The text of a thrown JS value.
pub fn js_message(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return err.message().into();
    }
    e.as_string().unwrap_or_else(|| "unknown error".into())
}

/// JS value → JSON text (`JSON.stringify`: functions and undefined are dropped); `{}` for
/// undefined and null.
pub fn to_text(v: &JsValue) -> Result<String, Error> {
    if v.is_undefined() || v.is_null() {
        return Ok(String::from("{}"));
    }
    let text = js_sys::JSON::stringify(v).map_err(|e| Error::config(String::from("options cannot be read: ") + &js_message(&e)))?;
    Ok(text.into())
}

/// JSON text → a plain JS value.
pub fn text_to_js(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or(JsValue::NULL)
}

/// JSON → a plain JS value.
pub fn to_js(v: &Json) -> JsValue {
    text_to_js(&v.to_text())
}

fn global() -> Object {
    js_sys::global()
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

enum Store {
    /// localStorage, sessionStorage or the app's `{getItem, setItem, removeItem}`.
    Object(JsValue),
    Cookie(CookieOptions),
    /// A handful of keys: a vector is enough (and a tenth of a BTreeMap's code).
    Memory(RefCell<Vec<(String, String)>>),
}

/// Holds a Web Lock until dropped.
pub struct LockGuard(Option<Function>);

impl Drop for LockGuard {
    fn drop(&mut self) {
        if let Some(release) = self.0.take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

type MessageHandler = Closure<dyn FnMut(JsValue)>;
/// Where this tab's events go (the facade's listeners).
type EventSink = Box<dyn Fn(&AuthEvent)>;

pub struct WebEnv {
    store: Store,
    /// The BroadcastChannel `cognito-wasm.<clientId>` (opened by `listen`).
    channel: RefCell<Option<JsValue>>,
    channel_name: String,
    on_message: RefCell<Option<MessageHandler>>,
    on_event: RefCell<Option<EventSink>>,
}

impl WebEnv {
    /// `custom` is the app's `{getItem, setItem, removeItem}` object when `storage` is one.
    pub fn new(cfg: &Config, custom: Option<JsValue>) -> Result<WebEnv, Error> {
        let web = |name: &str| -> Result<Store, Error> {
            // Reading localStorage can throw (disabled storage); absent in workers and Node.
            match Reflect::get(&global(), &JsValue::from_str(name)) {
                Ok(s) if s.is_object() => Ok(Store::Object(s)),
                _ => Err(Error::config(String::from(name) + " is not available here: choose storage: 'memory' or a custom store")),
            }
        };
        let store = match (cfg.storage.clone(), custom) {
            (StorageKind::Cookie(o), _) => Store::Cookie(o),
            (StorageKind::Custom, Some(obj)) => {
                for f in ["getItem", "setItem", "removeItem"] {
                    if !get(&obj, f).is_function() {
                        return Err(Error::config(String::from("storage.") + f + " must be a function"));
                    }
                }
                Store::Object(obj)
            }
            (StorageKind::Custom, None) => return Err(Error::config("storage object missing")),
            (StorageKind::LocalStorage, _) => web("localStorage")?,
            (StorageKind::SessionStorage, _) => web("sessionStorage")?,
            (StorageKind::Memory, _) => Store::Memory(RefCell::new(Vec::new())),
        };
        Ok(WebEnv {
            store,
            channel: RefCell::new(None),
            channel_name: String::from("cognito-wasm.") + cfg.client_id.as_str(),
            on_message: RefCell::new(None),
            on_event: RefCell::new(None),
        })
    }

    /// Where `emit` delivers this tab's events.
    pub fn on_event(&self, sink: EventSink) {
        *self.on_event.borrow_mut() = Some(sink);
    }

    /// Delivers other tabs' messages to the client (held weakly: no cycle).
    pub fn listen(client: &Rc<Client<WebEnv>>) {
        let weak: Weak<Client<WebEnv>> = Rc::downgrade(client);
        let cb = Closure::<dyn FnMut(JsValue)>::new(move |data: JsValue| {
            let (Some(c), Some(msg)) = (weak.upgrade(), data.as_string()) else { return };
            c.on_broadcast(&msg);
        });
        let ch = open_channel(&client.env.channel_name, cb.as_ref());
        if ch.is_object() {
            *client.env.channel.borrow_mut() = Some(ch);
            *client.env.on_message.borrow_mut() = Some(cb);
        }
    }

}

impl Drop for WebEnv {
    fn drop(&mut self) {
        if let Some(ch) = self.channel.borrow().as_ref() {
            close_channel(ch);
        }
    }
}

fn memory_get(m: &RefCell<Vec<(String, String)>>, key: &str) -> Option<String> {
    m.borrow().iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// The longest cookie browsers keep (name, `=` and value).
const MAX_COOKIE: usize = 4096;


/// A value of `document.cookie` (names and values percent-encoded, as js-cookie, which Amplify's
/// CookieStorage uses, writes them for these keys and tokens).
fn cookie_get(key: &str) -> Option<String> {
    let all = cookies()?;
    let name = url_encode(key);
    all.split(';').find_map(|c| c.trim().strip_prefix(name.as_str())?.strip_prefix('=').and_then(url_decode))
}

/// Writes (or, with `None`, expires) a cookie; refuses what a browser would drop silently.
fn cookie_set(o: &CookieOptions, key: &str, value: Option<&str>) -> Result<(), Error> {
    let pair = url_encode(key) + "=" + &value.map(url_encode).unwrap_or_default();
    if pair.len() > MAX_COOKIE {
        return Err(Error::storage(
            String::from("the cookie for ")
                + key
                + " would be "
                + &itoa(pair.len() as i64)
                + " bytes; browsers keep at most 4096 per cookie: use localStorage or a custom store for this pool's tokens",
        ));
    }
    let mut c = pair + "; Path=" + &o.path + "; SameSite=" + &o.same_site;
    if let Some(d) = &o.domain {
        c = c + "; Domain=" + d;
    }
    c += match value {
        Some(_) => "; Max-Age=",
        None => "; Max-Age=0",
    };
    if value.is_some() {
        c += &itoa(o.expires_days * 86_400);
    }
    if o.secure.unwrap_or_else(is_https) {
        c += "; Secure";
    }
    set_cookie(&c);
    if value.is_some() && cookie_get(key).as_deref() != value {
        return Err(Error::storage(
            String::from("the browser refused the cookie for ")
                + key
                + " (is storage.cookie.domain this site's domain or a parent of it? secure on http?)",
        ));
    }
    Ok(())
}


thread_local! {
    /// The page's JWKS caches, shared by its clients.
    static JWKS: JwksCaches = JwksCaches::default();
}

impl Env for WebEnv {
    type Guard = LockGuard;

    fn jwks_caches(&self) -> JwksCaches {
        JWKS.with(Rc::clone)
    }

    async fn fetch(&self, req: &HttpRequest) -> Result<HttpResponse, Error> {
        let mut headers = Writer::object();
        for (k, v) in req.headers.iter().map(|(k, v)| (*k, v)).chain(req.extra_headers.iter().map(|(k, v)| (k.as_str(), v))) {
            headers.str(k, v);
        }
        // One deadline for the whole exchange, the body included: a server that accepts and never
        // answers, or sends headers and then stalls, is given up on.
        let answer = JsFuture::from(fetch_text(&req.url, req.method, &headers.end(), req.body.clone(), req.timeout_ms, req.bypass_cache)).await;
        let a = answer.map_err(|e| {
            let cut = get(&e, "cut");
            let (e, what) = if cut.is_object() { (cut, "the answer was cut off: ") } else { (e, "cannot reach (offline, blocked by CORS, or a wrong endpoint?) ") };
            let timed_out = get(&e, "name").as_string().is_some_and(|n| n == "TimeoutError" || n == "AbortError");
            Error::network(if timed_out {
                String::from("no answer from ") + &req.url + " within " + &itoa(req.timeout_ms as i64) + " ms (requestTimeoutMs)"
            } else {
                String::from(what) + &req.url + ": " + &js_message(&e)
            })
        })?;
        let text = |k: &str| get(&a, k).as_string();
        Ok(HttpResponse {
            status: get(&a, "status").as_f64().unwrap_or(0.0) as u16,
            body: text("body").unwrap_or_default(),
            error_type: text("errorType"),
            cache_control: text("cacheControl"),
            date_secs: get(&a, "date").as_f64().filter(|d| d.is_finite()).map(|d| (d / 1000.0) as i64),
        })
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    async fn sleep(&self, ms: u32) {
        let _ = JsFuture::from(sleep_ms(ms)).await;
    }

    async fn idle(&self) {
        let _ = JsFuture::from(idle_js()).await;
    }

    fn preconnect(&self, url: &str) {
        preconnect_js(url);
    }

    fn random(&self, buf: &mut [u8]) -> Result<(), Error> {
        random(buf)
    }

    async fn get(&self, key: &str) -> Option<String> {
        self.get_all(&[key.to_string()]).await.pop().flatten()
    }

    async fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        self.set_all(&[(key.to_string(), value.to_string())]).await
    }

    async fn remove(&self, key: &str) {
        self.remove_all(&[key.to_string()]).await
    }

    async fn get_all(&self, keys: &[String]) -> Vec<Option<String>> {
        match &self.store {
            Store::Object(o) => {
                let text = JsFuture::from(store_get_all(o, &string_array(keys.iter().map(String::as_str)))).await.ok().and_then(|v| v.as_string());
                let values = text.as_deref().and_then(|t| Raw::parse(t).ok());
                let mut v: Vec<Option<String>> = values.map(|a| a.items().map(Raw::as_str).collect()).unwrap_or_default();
                v.resize(keys.len(), None);
                v
            }
            Store::Cookie(_) => keys.iter().map(|k| cookie_get(k)).collect(),
            Store::Memory(m) => keys.iter().map(|k| memory_get(m, k)).collect(),
        }
    }

    async fn set_all(&self, pairs: &[(String, String)]) -> Result<(), Error> {
        match &self.store {
            Store::Object(o) => {
                let pairs: Vec<String> = pairs.iter().map(|(k, v)| string_array([k.as_str(), v.as_str()])).collect();
                let pairs = String::from("[") + &pairs.join(",") + "]";
                JsFuture::from(store_set_all(o, &pairs)).await.map(|_| ()).map_err(|e| {
                    let key = get(&e, "key").as_string().unwrap_or_default();
                    Error::storage(String::from("storage refused to save ") + &key + ": " + &js_message(&get(&e, "error")))
                })
            }
            Store::Cookie(o) => pairs.iter().try_for_each(|(k, v)| cookie_set(o, k, Some(v))),
            Store::Memory(m) => {
                let mut m = m.borrow_mut();
                for (k, v) in pairs {
                    m.retain(|(key, _)| key != k);
                    m.push((k.clone(), v.clone()));
                }
                Ok(())
            }
        }
    }

    async fn remove_all(&self, keys: &[String]) {
        match &self.store {
            Store::Object(o) => {
                let _ = JsFuture::from(store_remove_all(o, &string_array(keys.iter().map(String::as_str)))).await;
            }
            Store::Cookie(o) => keys.iter().for_each(|k| drop(cookie_set(o, k, None))),
            Store::Memory(m) => m.borrow_mut().retain(|(k, _)| !keys.contains(k)),
        }
    }

    fn get_sync(&self, key: &str) -> Option<Option<String>> {
        match &self.store {
            Store::Object(o) => {
                let v = store_get_sync(o, key);
                if v.is_null() {
                    Some(None)
                } else {
                    v.as_string().map(Some) // undefined: not synchronous
                }
            }
            Store::Cookie(_) => Some(cookie_get(key)),
            Store::Memory(m) => Some(memory_get(m, key)),
        }
    }

    async fn lock(&self, name: &str, wait_ms: u32) -> Result<Option<(LockGuard, bool)>, Error> {
        let g = JsFuture::from(lock(name, wait_ms)).await.map_err(|e| Error::invalid_state(String::from("Web Lock failed: ") + &js_message(&e)))?;
        if !g.is_object() {
            return Ok(None);
        }
        let release = get(&g, "release").dyn_into::<Function>().ok();
        Ok(Some((LockGuard(release), get(&g, "waited").is_truthy())))
    }

    fn spawn(&self, task: core::pin::Pin<Box<dyn core::future::Future<Output = ()>>>) {
        wasm_bindgen_futures::spawn_local(task);
    }

    fn broadcast(&self, message: &str) {
        if let Some(ch) = self.channel.borrow().as_ref() {
            post(ch, &JsValue::from_str(message));
        }
    }

    fn emit(&self, event: &AuthEvent) {
        if let Some(sink) = self.on_event.borrow().as_ref() {
            sink(event);
        }
    }

    async fn hmac_sha256(&self, key: &[u8], message: &[u8]) -> Result<Vec<u8>, Error> {
        let mac = JsFuture::from(hmac_sha256_js(key, message)).await.map_err(|e| Error::config(String::from("WebCrypto HMAC: ") + &js_message(&e)))?;
        Ok(Uint8Array::new(&mac).to_vec())
    }

    async fn verify_rs256(&self, key: &Jwk, input: &[u8], signature: &[u8]) -> Result<bool, Error> {
        let ok = JsFuture::from(verify_rs256_js(&key.n, &key.e, signature, input)).await.map_err(|e| {
            Error::token(cognito_proto::error::TokenCheck::Signature, String::from("WebCrypto: ") + &js_message(&e))
        })?;
        Ok(ok.is_truthy())
    }

    async fn passkey(&self, o: &PasskeyOptions) -> Result<PasskeyCredential, Error> {
        let creating = o.creating();
        if !passkeys_supported() {
            return Err(webauthn::failure("NotSupportedError", "passkeys need a secure context (https, or http://localhost) with WebAuthn", creating));
        }
        // The options document, with its base64url members as bytes.
        let pk = to_js(&o.doc);
        let bytes = |obj: &JsValue, k: &str, b: &[u8]| {
            let _ = Reflect::set(obj, &JsValue::from_str(k), &Uint8Array::from(b));
        };
        bytes(&pk, "challenge", &o.challenge);
        if let Some(id) = &o.user_id {
            bytes(&get(&pk, "user"), "id", id);
        }
        let list = get(&pk, o.list_key());
        for (i, id) in o.credential_ids.iter().enumerate() {
            bytes(&Reflect::get_u32(&list, i as u32).unwrap_or(JsValue::UNDEFINED), "id", id);
        }
        let c = JsFuture::from(passkey_ceremony(creating, &pk, o.timeout_ms))
            .await
            .map_err(|e| webauthn::failure(&get(&e, "name").as_string().unwrap_or_default(), &js_message(&e), creating))?;
        let at = |k: &str| get(&c, k);
        let data = |k: &str| at(k).dyn_into::<Uint8Array>().ok().map(|a| a.to_vec());
        Ok(PasskeyCredential {
            id: at("id").as_string().unwrap_or_default(),
            raw_id: data("rawId").unwrap_or_default(),
            attachment: at("attachment").as_string(),
            extensions: at("extensions").as_string().and_then(|t| Json::parse(&t).ok()).unwrap_or_default(),
            client_data: data("clientDataJSON").unwrap_or_default(),
            authenticator_data: data("authenticatorData").unwrap_or_default(),
            attestation_object: data("attestationObject").unwrap_or_default(),
            transports: at("transports").dyn_into::<Array>().map(|a| a.iter().filter_map(|t| t.as_string()).collect()).unwrap_or_default(),
            public_key: data("publicKey"),
            public_key_alg: at("publicKeyAlgorithm").as_f64().map(|a| a as i64),
            signature: data("signature").unwrap_or_default(),
            user_handle: data("userHandle"),
        })
    }

    fn navigate(&self, url: &str) -> Result<(), Error> {
        navigate_js(url).map_err(|e| Error::config(String::from("cannot navigate: ") + &js_message(&e)))
    }

    fn current_url(&self) -> Option<String> {
        current_url_js()
    }

    fn replace_url(&self, url: &str) {
        replace_url_js(url);
    }
}
