//! The only code that touches the browser: fetch, Storage, WebCrypto, Web Locks,
//! BroadcastChannel, timers, location/history. It implements [`Env`] for the flows.
//! Everything uses globals that exist in windows and workers alike (`fetch`, `setTimeout`,
//! `crypto`, `navigator.locks`), except navigation.

use crate::client::{AuthEvent, Client, Env};
use cognito_proto::api::{HttpRequest, HttpResponse};
use cognito_proto::codec::{url_decode, url_encode};
use cognito_proto::config::{Config, CookieOptions, StorageKind};
use cognito_proto::error::Error;
use cognito_proto::json::{itoa, Json};
use cognito_proto::jwt::Jwk;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{BroadcastChannel, MessageEvent, Request, RequestCache, RequestCredentials, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(req: &Request) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = importKey, catch)]
    fn import_key(format: &str, key: &JsValue, alg: &JsValue, extractable: bool, usages: &Array) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = verify, catch)]
    fn subtle_verify(alg: &str, key: &JsValue, signature: &Uint8Array, data: &Uint8Array) -> Result<Promise, JsValue>;

    /// `AbortSignal.timeout(ms)`: aborts a fetch (and the reading of its body) or a lock request
    /// after `ms`.
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout)]
    fn abort_after(ms: u32) -> JsValue;

    /// `navigator.locks` (typed here: web-sys marks the Web Locks API unstable).
    type LockManager;
    #[wasm_bindgen(method, js_name = request)]
    fn request(this: &LockManager, name: &str, options: &JsValue, callback: &JsValue) -> Promise;
}

/// The text of a thrown JS value.
pub fn js_message(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return err.message().into();
    }
    e.as_string().unwrap_or_else(|| "unknown error".into())
}

/// JS value → JSON (functions and undefined are dropped, as JSON.stringify does).
pub fn to_json(v: &JsValue) -> Result<Json, Error> {
    if v.is_undefined() || v.is_null() {
        return Ok(Json::Obj(vec![]));
    }
    let text = js_sys::JSON::stringify(v).map_err(|e| Error::config(String::from("options cannot be read: ") + &js_message(&e)))?;
    let text: String = text.into();
    Json::parse(&text).map_err(|_| Error::config("options cannot be read"))
}

/// JSON → a plain JS value.
pub fn to_js(v: &Json) -> JsValue {
    js_sys::JSON::parse(&v.to_text()).unwrap_or(JsValue::NULL)
}

fn global() -> Object {
    js_sys::global()
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

/// A promise and its resolve function.
fn deferred() -> (Promise, Function) {
    let mut resolve = None;
    let p = Promise::new(&mut |res, _| resolve = Some(res));
    (p, resolve.unwrap_or_else(|| Function::new_no_args("")))
}

enum Store {
    Web(web_sys::Storage),
    Cookie(CookieOptions),
    /// A handful of keys: a vector is enough (and a tenth of a BTreeMap's code).
    Memory(RefCell<Vec<(String, String)>>),
    Custom(JsValue),
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

type MessageHandler = Closure<dyn FnMut(MessageEvent)>;
/// Where this tab's events go (the facade's listeners).
type EventSink = Box<dyn Fn(&AuthEvent)>;

pub struct WebEnv {
    store: Store,
    channel: Option<BroadcastChannel>,
    on_message: RefCell<Option<MessageHandler>>,
    on_event: RefCell<Option<EventSink>>,
}

impl WebEnv {
    /// `custom` is the app's `{getItem, setItem, removeItem}` object when `storage` is one.
    pub fn new(cfg: &Config, custom: Option<JsValue>) -> Result<WebEnv, Error> {
        let web = |name: &str| -> Result<Store, Error> {
            match get(&global(), name).dyn_into::<web_sys::Storage>() {
                Ok(s) => Ok(Store::Web(s)),
                Err(_) => Err(Error::config(String::from(name) + " is not available here: choose storage: 'memory' or a custom store")),
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
                Store::Custom(obj)
            }
            (StorageKind::Custom, None) => return Err(Error::config("storage object missing")),
            (StorageKind::LocalStorage, _) => web("localStorage")?,
            (StorageKind::SessionStorage, _) => web("sessionStorage")?,
            (StorageKind::Memory, _) => Store::Memory(RefCell::new(Vec::new())),
        };
        let channel = BroadcastChannel::new(&(String::from("cognito-wasm.") + cfg.client_id.as_str())).ok();
        // Node keeps a process alive while a channel is open; unref() (Node only) lets it exit.
        if let Some(ch) = &channel {
            if let Ok(f) = get(ch, "unref").dyn_into::<Function>() {
                let _ = f.call0(ch);
            }
        }
        Ok(WebEnv { store, channel, on_message: RefCell::new(None), on_event: RefCell::new(None) })
    }

    /// Where `emit` delivers this tab's events.
    pub fn on_event(&self, sink: EventSink) {
        *self.on_event.borrow_mut() = Some(sink);
    }

    /// Delivers other tabs' messages to the client (held weakly: no cycle).
    pub fn listen(client: &Rc<Client<WebEnv>>) {
        let Some(ch) = &client.env.channel else { return };
        let weak: Weak<Client<WebEnv>> = Rc::downgrade(client);
        let cb = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let (Some(c), Ok(msg)) = (weak.upgrade(), to_json(&ev.data())) else { return };
            c.on_broadcast(&msg);
        });
        ch.set_onmessage(Some(cb.as_ref().unchecked_ref()));
        *client.env.on_message.borrow_mut() = Some(cb);
    }

    async fn call_custom(obj: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
        let f: Function = get(obj, method).dyn_into()?;
        let r = match args.len() {
            1 => f.call1(obj, args[0])?,
            _ => f.call2(obj, args[0], args[1])?,
        };
        // Sync or Promise-returning stores alike.
        if r.has_type::<Promise>() || r.dyn_ref::<Object>().is_some_and(|o| get(o, "then").is_function()) {
            JsFuture::from(Promise::resolve(&r)).await
        } else {
            Ok(r)
        }
    }
}

impl Drop for WebEnv {
    fn drop(&mut self) {
        if let Some(ch) = &self.channel {
            ch.set_onmessage(None);
            ch.close();
        }
    }
}

fn memory_get(m: &RefCell<Vec<(String, String)>>, key: &str) -> Option<String> {
    m.borrow().iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// The longest cookie browsers keep (name, `=` and value).
const MAX_COOKIE: usize = 4096;

fn document() -> JsValue {
    get(&global(), "document")
}

/// A value of `document.cookie` (names and values percent-encoded, as js-cookie, which Amplify's
/// CookieStorage uses, writes them for these keys and tokens).
fn cookie_get(key: &str) -> Option<String> {
    let all = get(&document(), "cookie").as_string()?;
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
    let https = get(&get(&global(), "location"), "protocol").as_string().as_deref() == Some("https:");
    if o.secure.unwrap_or(https) {
        c += "; Secure";
    }
    let _ = Reflect::set(&document(), &JsValue::from_str("cookie"), &JsValue::from_str(&c));
    if value.is_some() && cookie_get(key).as_deref() != value {
        return Err(Error::storage(
            String::from("the browser refused the cookie for ")
                + key
                + " (is storage.cookie.domain this site's domain or a parent of it? secure on http?)",
        ));
    }
    Ok(())
}

fn lock_manager() -> Option<LockManager> {
    let locks = get(&get(&global(), "navigator"), "locks");
    (!locks.is_undefined() && !locks.is_null()).then(|| locks.unchecked_into())
}

fn header(r: &Response, name: &str) -> Option<String> {
    r.headers().get(name).ok().flatten()
}

impl Env for WebEnv {
    type Guard = LockGuard;

    async fn fetch(&self, req: &HttpRequest) -> Result<HttpResponse, Error> {
        let init = RequestInit::new();
        init.set_method(req.method);
        init.set_credentials(RequestCredentials::Omit);
        if req.bypass_cache {
            init.set_cache(RequestCache::NoStore);
        }
        let headers = web_sys::Headers::new().map_err(|e| Error::config(js_message(&e)))?;
        for (k, v) in req.headers.iter().map(|(k, v)| (*k, v)).chain(req.extra_headers.iter().map(|(k, v)| (k.as_str(), v))) {
            headers.append(k, v).map_err(|e| Error::config(js_message(&e)))?;
        }
        init.set_headers(&headers);
        if let Some(b) = &req.body {
            init.set_body(&JsValue::from_str(b));
        }
        // One deadline for the whole exchange, the body included: a server that accepts and never
        // answers, or sends headers and then stalls, is given up on.
        if req.timeout_ms > 0 {
            let _ = Reflect::set(&init, &JsValue::from_str("signal"), &abort_after(req.timeout_ms));
        }
        let failed = |e: JsValue, what: &str| {
            let timed_out = get(&e, "name").as_string().is_some_and(|n| n == "TimeoutError" || n == "AbortError");
            Error::network(if timed_out {
                String::from("no answer from ") + &req.url + " within " + &itoa(req.timeout_ms as i64) + " ms (requestTimeoutMs)"
            } else {
                String::from(what) + &req.url + ": " + &js_message(&e)
            })
        };
        let request = Request::new_with_str_and_init(&req.url, &init).map_err(|e| Error::config(js_message(&e)))?;
        let resp: Response = JsFuture::from(global_fetch(&request))
            .await
            .map_err(|e| failed(e, "cannot reach (offline, blocked by CORS, or a wrong endpoint?) "))?
            .dyn_into()
            .map_err(|_| Error::network("fetch returned something that is not a Response"))?;
        let text = resp.text().map_err(|e| Error::network(js_message(&e)))?;
        let body = JsFuture::from(text).await.map_err(|e| failed(e, "the answer was cut off: "))?;
        Ok(HttpResponse {
            status: resp.status(),
            body: body.as_string().unwrap_or_default(),
            error_type: header(&resp, "x-amzn-errortype"),
            cache_control: header(&resp, "cache-control"),
            date: header(&resp, "date"),
        })
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    async fn sleep(&self, ms: u32) {
        let (p, resolve) = deferred();
        set_timeout(&resolve, ms as i32);
        let _ = JsFuture::from(p).await;
    }

    fn random(&self, buf: &mut [u8]) -> Result<(), Error> {
        getrandom::getrandom(buf).map_err(|_| Error::config("crypto.getRandomValues is not available"))
    }

    async fn get(&self, key: &str) -> Option<String> {
        match &self.store {
            Store::Web(s) => s.get_item(key).ok().flatten(),
            Store::Cookie(_) => cookie_get(key),
            Store::Memory(m) => memory_get(m, key),
            Store::Custom(o) => Self::call_custom(o, "getItem", &[&JsValue::from_str(key)]).await.ok().and_then(|v| v.as_string()),
        }
    }

    async fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        let fail = |e: JsValue| Error::storage(String::from("storage refused to save ") + key + ": " + &js_message(&e));
        match &self.store {
            Store::Web(s) => s.set_item(key, value).map_err(fail),
            Store::Cookie(o) => cookie_set(o, key, Some(value)),
            Store::Memory(m) => {
                let mut m = m.borrow_mut();
                m.retain(|(k, _)| k != key);
                m.push((key.to_string(), value.to_string()));
                Ok(())
            }
            Store::Custom(o) => {
                Self::call_custom(o, "setItem", &[&JsValue::from_str(key), &JsValue::from_str(value)]).await.map(|_| ()).map_err(fail)
            }
        }
    }

    async fn remove(&self, key: &str) {
        match &self.store {
            Store::Web(s) => {
                let _ = s.remove_item(key);
            }
            Store::Cookie(o) => {
                let _ = cookie_set(o, key, None);
            }
            Store::Memory(m) => m.borrow_mut().retain(|(k, _)| k != key),
            Store::Custom(o) => {
                let _ = Self::call_custom(o, "removeItem", &[&JsValue::from_str(key)]).await;
            }
        }
    }

    fn get_sync(&self, key: &str) -> Option<Option<String>> {
        match &self.store {
            Store::Web(s) => Some(s.get_item(key).ok().flatten()),
            Store::Cookie(_) => Some(cookie_get(key)),
            Store::Memory(m) => Some(memory_get(m, key)),
            Store::Custom(o) => {
                let f: Function = get(o, "getItem").dyn_into().ok()?;
                let v = f.call1(o, &JsValue::from_str(key)).ok()?;
                if v.is_null() || v.is_undefined() {
                    Some(None)
                } else {
                    v.as_string().map(Some) // a Promise: not synchronous
                }
            }
        }
    }

    async fn lock(&self, name: &str, wait_ms: u32) -> Result<Option<(LockGuard, bool)>, Error> {
        let Some(locks) = lock_manager() else {
            // No Web Locks (very old browsers, some workers): one tab's refresh is still single.
            return Ok(Some((LockGuard(None), false)));
        };
        for wait in [false, true] {
            let (granted, on_granted) = deferred();
            let (release, release_now) = deferred();
            let not_granted = on_granted.clone();
            let cb = Closure::once_into_js(move |lock: JsValue| -> JsValue {
                let held = !lock.is_null();
                let _ = on_granted.call1(&JsValue::NULL, &JsValue::from_bool(held));
                // Returning this promise keeps the lock until the guard resolves it.
                if held {
                    release.into()
                } else {
                    JsValue::UNDEFINED
                }
            });
            let opts = Object::new();
            let _ = Reflect::set(
                &opts,
                &JsValue::from_str(if wait { "signal" } else { "ifAvailable" }),
                &if wait { abort_after(wait_ms) } else { JsValue::TRUE },
            );
            // Not granted in time: the request rejects (its callback never runs).
            let gave_up = Closure::once_into_js(move |_: JsValue| {
                let _ = not_granted.call1(&JsValue::NULL, &JsValue::FALSE);
            });
            let request = locks.request(name, &opts, &cb);
            if let Ok(catch) = get(&request, "catch").dyn_into::<Function>() {
                let _ = catch.call1(&request, &gave_up);
            }
            let held =
                JsFuture::from(granted).await.map_err(|e| Error::invalid_state(String::from("Web Lock failed: ") + &js_message(&e)))?;
            if held.is_truthy() {
                return Ok(Some((LockGuard(Some(release_now)), wait)));
            }
        }
        Ok(None)
    }

    fn spawn(&self, task: core::pin::Pin<Box<dyn core::future::Future<Output = ()>>>) {
        wasm_bindgen_futures::spawn_local(task);
    }

    fn broadcast(&self, message: &Json) {
        if let Some(ch) = &self.channel {
            let _ = ch.post_message(&to_js(message));
        }
    }

    fn emit(&self, event: &AuthEvent) {
        if let Some(sink) = self.on_event.borrow().as_ref() {
            sink(event);
        }
    }

    async fn verify_rs256(&self, key: &Jwk, input: &[u8], signature: &[u8]) -> Result<bool, Error> {
        let fail = |e: JsValue| Error::token(cognito_proto::error::TokenCheck::Signature, String::from("WebCrypto: ") + &js_message(&e));
        let jwk = to_js(&Json::object(vec![
            ("kty", Json::from("RSA")),
            ("n", Json::from(key.n.as_str())),
            ("e", Json::from(key.e.as_str())),
            ("alg", Json::from("RS256")),
            ("ext", Json::Bool(true)),
        ]));
        let alg = to_js(&Json::object(vec![("name", Json::from("RSASSA-PKCS1-v1_5")), ("hash", Json::from("SHA-256"))]));
        let usages = Array::of1(&JsValue::from_str("verify"));
        let k = JsFuture::from(import_key("jwk", &jwk, &alg, false, &usages).map_err(fail)?).await.map_err(fail)?;
        let ok =
            JsFuture::from(subtle_verify("RSASSA-PKCS1-v1_5", &k, &Uint8Array::from(signature), &Uint8Array::from(input)).map_err(fail)?)
                .await
                .map_err(fail)?;
        Ok(ok.is_truthy())
    }

    fn navigate(&self, url: &str) -> Result<(), Error> {
        let w = web_sys::window().ok_or_else(|| Error::config("navigation needs a window"))?;
        w.location().assign(url).map_err(|e| Error::config(js_message(&e)))
    }

    fn current_url(&self) -> Option<String> {
        web_sys::window()?.location().href().ok()
    }

    fn replace_url(&self, url: &str) {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(url));
        }
    }
}
