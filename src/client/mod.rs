//! The SDK's flows, written once against [`Env`]: the browser (`web::WebEnv`) in production, a
//! scripted environment with a virtual clock in `cargo test` (`tests/support/env.rs`). Every
//! request is built by `cognito_proto::api` / `oauth`, sent by [`Client::send`] (the one place
//! that calls `Env::fetch` for the JSON API, with bounded jittered retries), and every decision
//! about tokens is taken by `cognito_proto::session` / `jwt` given `now`.
//!
//! Inputs and results are the Rust types of [`model`]; the JS names and shapes live in
//! `js::convert`. Submodules: `signin` (sign-in and its challenges), `tokens` (getSession,
//! refresh, sign-out, the cross-tab hand-off), `store` (what is kept in storage, and how it is
//! read back), `verify` (JWT signatures and the JWKS cache), `account` (sign-up, passwords,
//! attributes, MFA, devices), `passkeys` (registering, listing and deleting passkeys; sign-in
//! with one is in `signin`), `credentials` (AWS credentials from an identity pool, and SigV4
//! signing with them: the aws part), `hosted` (redirect sign-in), `accounts` (several accounts:
//! the list, switching), `sign_out`.

mod account;
mod accounts;
mod credentials;
mod hosted;
pub mod model;
mod passkeys;
mod sign_out;
mod signin;
mod store;
mod tokens;
mod verify;

pub use model::*;
pub use sign_out::SignOutOutcome;

use cognito_proto::api::{self, ApiRequest, HttpRequest, HttpResponse};
use cognito_proto::config::Config;
use cognito_proto::error::{Error, ErrorKind, Exception};
use cognito_proto::json::Json;
use cognito_proto::jwt::{Jwk, JwksCache};
use cognito_proto::srp::{ClientEphemeral, PRIVATE_BYTES};
use cognito_proto::webauthn::{PasskeyCredential, PasskeyOptions};
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::rc::Rc;

/// What the flows need from the outside world. Time, randomness, storage, HTTP, cross-tab
/// coordination and RSA all come in here, so the flows themselves stay testable.
#[allow(async_fn_in_trait)]
pub trait Env: 'static {
    /// Released when dropped.
    type Guard;
    /// Performs one HTTP request: a complete answer, or `Error::Network` (offline, reset, CORS,
    /// or no complete answer within `req.timeout_ms`, the body included).
    async fn fetch(&self, req: &HttpRequest) -> Result<HttpResponse, Error>;
    /// Milliseconds since the epoch, local clock.
    fn now_ms(&self) -> f64;
    async fn sleep(&self, ms: u32);
    /// Resolves once the page is idle (soon at the latest): for work kept off the critical
    /// path, in slices short enough not to delay input.
    async fn idle(&self);
    /// A hint that requests to `url` will follow soon: open the connection (DNS, TCP, TLS) now.
    fn preconnect(&self, _url: &str) {}
    /// Fills `buf` from a CSPRNG.
    fn random(&self, buf: &mut [u8]) -> Result<(), Error>;
    /// Reads never fail: an unreadable store reads as empty.
    async fn get(&self, key: &str) -> Option<String>;
    async fn set(&self, key: &str, value: &str) -> Result<(), Error>;
    async fn remove(&self, key: &str);
    /// Several reads at once (one wait for an asynchronous store), in the keys' order.
    async fn get_all(&self, keys: &[String]) -> Vec<Option<String>> {
        let mut values = Vec::with_capacity(keys.len());
        for k in keys {
            values.push(self.get(k).await);
        }
        values
    }
    /// Several writes in order, stopping at the first the storage refuses (its error).
    async fn set_all(&self, pairs: &[(String, String)]) -> Result<(), Error> {
        for (k, v) in pairs {
            self.set(k, v).await?;
        }
        Ok(())
    }
    async fn remove_all(&self, keys: &[String]) {
        for k in keys {
            self.remove(k).await;
        }
    }
    /// A synchronous read when the storage allows it (`None` for async custom storage).
    fn get_sync(&self, key: &str) -> Option<Option<String>>;
    /// An exclusive lock shared by every tab of this origin, waited for at most `wait_ms`:
    /// `Some((guard, waited))`, or `None` when another tab held it all that time. A tab that is
    /// closed releases its locks.
    async fn lock(&self, name: &str, wait_ms: u32) -> Result<Option<(Self::Guard, bool)>, Error>;
    /// Runs a task on its own (a refresh that goes on after its first caller stopped waiting).
    fn spawn(&self, task: Pin<Box<dyn Future<Output = ()>>>);
    /// Tell the other tabs (JSON text of `tokens::announce`'s shape).
    fn broadcast(&self, message: &str);
    /// Tell this tab's listeners.
    fn emit(&self, event: &AuthEvent);
    /// HMAC-SHA256 (a confidential client's `SECRET_HASH` on a refresh): WebCrypto in the
    /// browser, so that the main module carries no SHA-256 of its own.
    async fn hmac_sha256(&self, key: &[u8], message: &[u8]) -> Result<Vec<u8>, Error>;
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    async fn verify_rs256(&self, key: &Jwk, input: &[u8], signature: &[u8]) -> Result<bool, Error>;
    /// A passkey ceremony (`navigator.credentials.create` when the options are a registration,
    /// else `.get`), given up after `options.timeout_ms`: the browser's credential, or a
    /// PasskeyError.
    async fn passkey(&self, options: &PasskeyOptions) -> Result<PasskeyCredential, Error>;
    /// Navigate the page (hosted UI).
    fn navigate(&self, url: &str) -> Result<(), Error>;
    /// The page's URL, and replacing it without a reload.
    fn current_url(&self) -> Option<String>;
    fn replace_url(&self, url: &str);
    /// The JWKS caches (one per issuer) this client uses. A page shares one between its clients
    /// (keys are public, and a second `CognitoAuth` need not fetch them again); by default each
    /// client has its own.
    fn jwks_caches(&self) -> JwksCaches {
        JwksCaches::default()
    }
}

/// A JWKS cache per accepted issuer, shareable between clients.
pub type JwksCaches = Rc<RefCell<Vec<(String, JwksCache)>>>;

/// A future polled to completion, without the drop code for its suspended states (see
/// [`nodrop`]).
pub(crate) struct RunsToCompletion<F> {
    future: core::mem::ManuallyDrop<F>,
    done: bool,
}

impl<F: Future> Future for RunsToCompletion<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: a structural projection: the inner future is never moved out of the pinned
        // wrapper (ManuallyDrop<F> is F in place), and it is never dropped (see `Drop`).
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut *this.future) };
        let r = future.poll(cx);
        this.done |= r.is_ready();
        r
    }
}

impl<F> Drop for RunsToCompletion<F> {
    /// The invariant of `nodrop`: dropping a wrapped future before it completed would free a
    /// pinned future without running its destructor, which `Pin` forbids; so that never happens
    /// silently, it stops the program instead (a trap in the wasm). No flow does it.
    fn drop(&mut self) {
        if !self.done {
            std::process::abort();
        }
    }
}

/// Awaits `f` without the drop code for its suspended states: the flows always run to
/// completion (a JS Promise waits on each and nothing cancels them), and that code (a few KB of
/// the wasm) would never run. Invariants: the wrapper is polled until it completes before it
/// is dropped (else the program aborts, see `Drop`), and `f` holds nothing once it has
/// completed (true of async blocks and fns: they drop what they hold when they return), since
/// it is not dropped then either. So never pass one to [`first`], which drops the loser.
pub(crate) fn nodrop<F: Future>(f: F) -> RunsToCompletion<F> {
    RunsToCompletion { future: core::mem::ManuallyDrop::new(f), done: false }
}

/// Which of two futures finished first.
pub(crate) enum First<A, B> {
    A(A),
    B(B),
}

/// Runs two futures until one finishes; the other is dropped (so neither may be a `nodrop`
/// one). For bounded waits: a refresh against a timer.
pub(crate) async fn first<A: Future, B: Future>(a: A, b: B) -> First<A::Output, B::Output> {
    let (mut a, mut b) = (core::pin::pin!(a), core::pin::pin!(b));
    core::future::poll_fn(|cx| {
        if let Poll::Ready(v) = a.as_mut().poll(cx) {
            return Poll::Ready(First::A(v));
        }
        b.as_mut().poll(cx).map(First::B)
    })
    .await
}

/// Runs futures side by side until every one has finished; their outputs in order. Nothing is
/// dropped before it completes, so `nodrop` futures may be passed.
pub(crate) async fn all<F: Future + Unpin>(mut fs: Vec<F>) -> Vec<F::Output> {
    let mut out: Vec<Option<F::Output>> = fs.iter().map(|_| None).collect();
    core::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, o) in fs.iter_mut().zip(out.iter_mut()).filter(|(_, o)| o.is_none()) {
            match Pin::new(f).poll(cx) {
                Poll::Ready(v) => *o = Some(v),
                Poll::Pending => pending = true,
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

/// A value computed once for every caller waiting on it (one refresh for N callers).
pub(crate) struct Flight<T: Clone> {
    state: Rc<RefCell<(Option<T>, Vec<Waker>)>>,
}

impl<T: Clone> Clone for Flight<T> {
    fn clone(&self) -> Self {
        Flight { state: self.state.clone() }
    }
}

impl<T: Clone> Flight<T> {
    pub fn new() -> Self {
        Flight { state: Rc::new(RefCell::new((None, Vec::new()))) }
    }
    pub fn finish(&self, value: T) {
        let wakers = {
            let mut s = self.state.borrow_mut();
            s.0 = Some(value);
            core::mem::take(&mut s.1)
        };
        for w in wakers {
            w.wake();
        }
    }
}

impl<T: Clone> Future for Flight<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut s = self.state.borrow_mut();
        match &s.0 {
            Some(v) => Poll::Ready(v.clone()),
            None => {
                s.1.push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

type RefreshResult = Result<Option<Session>, Error>;

pub struct Client<E: Env> {
    pub cfg: Config,
    pub env: E,
    /// This client, for the tasks it spawns (see [`Client::new_rc`]).
    me: RefCell<std::rc::Weak<Client<E>>>,
    /// The access token this tab stored last (see `tokens::on_broadcast`).
    stored_access: RefCell<Option<String>>,
    /// A JWKS cache per accepted issuer (see [`Env::jwks_caches`]).
    jwks: JwksCaches,
    /// Server clock minus local clock (ms), learned from `Date` headers.
    server_offset_ms: Cell<f64>,
    /// The refresh running in this tab, per account.
    refreshing: RefCell<Vec<(String, Flight<RefreshResult>)>>,
    prepared: RefCell<Option<ClientEphemeral>>,
    /// The last session this tab stored or heard of (other tabs broadcast theirs).
    latest: RefCell<Option<Session>>,
    /// When another tab last said who is current (a sign-in, a switch, a sign-out), and who:
    /// for a moment this tab's storage may not show it yet (see `store::load_session`).
    told: RefCell<Option<(f64, Option<String>)>>,
    /// Sign-outs seen by this tab (its own and other tabs'), of any account (AWS credentials
    /// fetched across one are not kept) and per account: a refresh that started before its
    /// account signed out must not store its tokens, that would sign the user back in.
    sign_outs: Cell<u32>,
    account_sign_outs: RefCell<Vec<(String, u32)>>,
    /// AWS credentials, for the user they were fetched for (None: a guest).
    credentials: RefCell<Option<(Option<String>, Credentials)>>,
    fetching_credentials: RefCell<Option<Flight<()>>>,
}

impl<E: Env + 'static> Client<E> {
    /// A client that can run tasks of its own (a background refresh): the flows' entry point.
    pub fn new_rc(cfg: Config, env: E) -> Rc<Self> {
        let c = Rc::new(Client::new(cfg, env));
        *c.me.borrow_mut() = Rc::downgrade(&c);
        c
    }
}

impl<E: Env> Client<E> {
    pub fn new(cfg: Config, env: E) -> Self {
        Client {
            cfg,
            jwks: env.jwks_caches(),
            env,
            me: RefCell::new(std::rc::Weak::new()),
            stored_access: RefCell::new(None),
            server_offset_ms: Cell::new(0.0),
            refreshing: RefCell::new(Vec::new()),
            prepared: RefCell::new(None),
            latest: RefCell::new(None),
            told: RefCell::new(None),
            sign_outs: Cell::new(0),
            account_sign_outs: RefCell::new(Vec::new()),
            credentials: RefCell::new(None),
            fetching_credentials: RefCell::new(None),
        }
    }

    pub(crate) fn app(&self) -> api::AppClient<'_> {
        api::AppClient { id: &self.cfg.client_id, secret: self.cfg.client_secret.as_ref() }
    }

    /// The server's clock (local clock corrected by what `Date` headers said), ms.
    pub fn server_now_ms(&self) -> f64 {
        self.env.now_ms() + self.server_offset_ms.get()
    }

    fn learn_clock(&self, resp: &HttpResponse) {
        if let Some(server) = resp.date_secs {
            let offset = server as f64 * 1000.0 - self.env.now_ms();
            // Date has one-second resolution: only trust a clear difference.
            self.server_offset_ms.set(if offset.abs() > 2000.0 { offset } else { 0.0 });
        }
    }

    /// Full-jitter exponential backoff: random in [50, min(4000, 250·2^attempt)] ms.
    fn backoff_ms(&self, attempt: u32) -> u32 {
        let cap = (250u32 << attempt.min(4)).min(4000);
        let mut b = [0u8; 2];
        let r = if self.env.random(&mut b).is_ok() { u16::from_le_bytes(b) as u32 } else { 0x8000 };
        50 + r * cap.saturating_sub(50) / 0xffff
    }

    /// The one place that sends JSON API requests. Retries throttling always, and network
    /// failures / 5xx only for operations that are safe to repeat; at most `maxRetries` times.
    /// Each attempt is bounded by `requestTimeoutMs`.
    pub async fn send(&self, req: &ApiRequest) -> Result<api::Answer, Error> {
        self.send_with(req, self.cfg.max_retries).await
    }

    /// `send`, the answer as a tree (for flows that walk it).
    pub async fn send_json(&self, req: &ApiRequest) -> Result<Json, Error> {
        Ok(nodrop(self.send(req)).await?.json())
    }

    /// `send` with another retry budget (0: one attempt, for best-effort calls).
    pub(crate) async fn send_with(&self, req: &ApiRequest, max_retries: u32) -> Result<api::Answer, Error> {
        nodrop(self.send_to(&self.cfg.endpoint, req, max_retries)).await
    }

    /// `send` to another endpoint (the identity pool's).
    pub(crate) async fn send_to(&self, endpoint: &str, req: &ApiRequest, max_retries: u32) -> Result<api::Answer, Error> {
        let mut http = req.to_http(endpoint);
        self.prepare_request(&mut http);
        let mut attempt = 0;
        loop {
            let result = match self.env.fetch(&http).await {
                Ok(resp) => {
                    self.learn_clock(&resp);
                    api::check(&resp)
                }
                Err(e) => Err(e),
            };
            match result {
                Err(e) if attempt < max_retries && retry_allowed(&e, req.op) => {
                    let pause = self.backoff_ms(attempt);
                    attempt += 1;
                    let error = Some((e.name().to_string(), e.message()));
                    let retry = Some((req.op.name(), attempt + 1, pause));
                    self.env.emit(&AuthEvent { kind: EventKind::Retrying, username: None, error, from_other_tab: false, retry });
                    self.env.sleep(pause).await;
                }
                Err(e) if *e.kind() == ErrorKind::Network && !req.op.idempotent() => {
                    // Not repeated: the request may have been carried out.
                    return Err(e.explain(|m| m + "; " + req.op.name() + " was not repeated: it may have reached Cognito"));
                }
                other => return other,
            }
        }
    }

    /// The request timeout, and the app's extra headers on requests to Cognito.
    fn prepare_request(&self, http: &mut HttpRequest) {
        http.timeout_ms = self.cfg.request_timeout_ms;
        for (k, v) in &self.cfg.headers {
            http.extra_headers.push((k.clone(), v.clone()));
        }
    }

    /// A fetch outside the JSON API: the hosted-UI endpoints (`to_cognito`: with the app's
    /// headers) and the JWKS. Only answers that cannot come from the HTTP cache teach the clock:
    /// a cached JWKS carries a stale Date.
    pub(crate) async fn fetch(&self, req: &HttpRequest, to_cognito: bool) -> Result<HttpResponse, Error> {
        let mut req = req.clone();
        req.timeout_ms = self.cfg.request_timeout_ms;
        if to_cognito {
            self.prepare_request(&mut req);
        }
        let r = self.env.fetch(&req).await?;
        if req.bypass_cache {
            self.learn_clock(&r);
        }
        Ok(r)
    }

    /// This client as an `Rc`, for a task of its own (`None` when made without `new_rc`).
    pub(crate) fn me(&self) -> Option<Rc<Client<E>>> {
        self.me.borrow().upgrade()
    }

    pub(crate) fn random_bytes<const N: usize>(&self) -> Result<[u8; N], Error> {
        let mut b = [0u8; N];
        self.env.random(&mut b)?;
        Ok(b)
    }

    /// A random URL-safe string of `n` bytes of entropy.
    pub(crate) fn random_token(&self, n: usize) -> Result<String, Error> {
        let mut b = vec![0u8; n];
        self.env.random(&mut b)?;
        Ok(cognito_proto::codec::base64url_encode(&b))
    }

    /// A fresh SRP ephemeral `(a, A)` from the environment's CSPRNG.
    pub(crate) fn new_ephemeral(&self) -> Result<ClientEphemeral, Error> {
        Ok(ClientEphemeral::from_random(self.random_bytes::<PRIVATE_BYTES>()?)?)
    }

    /// Computes an SRP ephemeral ahead of the next sign-in (call at idle time).
    pub(crate) fn prepare(&self) {
        if self.prepared.borrow().is_none() {
            if let Ok(e) = self.new_ephemeral() {
                *self.prepared.borrow_mut() = Some(e);
            }
        }
    }

    pub(crate) fn take_ephemeral(&self) -> Result<ClientEphemeral, Error> {
        let prepared = self.prepared.borrow_mut().take();
        match prepared {
            Some(e) => Ok(e),
            None => self.new_ephemeral(),
        }
    }
}

fn retry_allowed(e: &Error, op: api::Op) -> bool {
    if e.is(&Exception::TooManyRequests) {
        return true;
    }
    let transient = *e.kind() == ErrorKind::Network || e.retryable();
    transient && op.idempotent()
}
