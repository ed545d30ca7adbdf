//! `TestEnv`: the flows' [`Env`] for native tests, deterministic and in virtual time.
//!
//! * One [`World`] is one browser: a virtual clock, a localStorage every tab shares, Web Locks,
//!   a BroadcastChannel, and the network.
//! * The network is the emulator in process (`cognito_emulator::InProcess`, on the same virtual
//!   clock), with [`Rule`]s in front of it: delay an answer, replace it, fail it, never answer.
//! * [`World::run`] drives any number of futures (tabs) on one thread: it runs them until none
//!   can go on, delivers the broadcasts between tabs, then moves the clock to the next timer —
//!   a sleep of 4 s costs nothing, and the order of events is always the same.
#![allow(dead_code)]

use cognito_emulator::authenticator::Authenticator;
use cognito_emulator::server::{Answer, Request};
use cognito_emulator::InProcess;
use cognito_wasm::client::{AuthEvent, Client, Env, Flow, SignInInput};
use cognito_wasm::proto::config::Config;
use cognito_wasm::proto::error::Error;
use cognito_wasm::proto::http::{HttpRequest, HttpResponse};
use cognito_wasm::proto::jwt::Jwk;
use cognito_wasm::proto::types::{Password, Username};
use cognito_wasm::proto::webauthn::{self, PasskeyCredential, PasskeyOptions};
use futures::executor::{LocalPool, LocalSpawner};
use futures::task::LocalSpawnExt;
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

/// 2026-01-01T00:00:00Z: every run starts at the same instant.
pub const EPOCH_MS: f64 = 1_767_225_600_000.0;
/// The origin of the tabs' passkey ceremonies (passkeys need a domain: localhost).
pub const PASSKEY_ORIGIN: &str = "http://localhost:5173";
/// What the network adds to every answer unless a rule says otherwise.
pub const LATENCY_MS: u32 = 5;

/// A storage write on its way to the other tabs: (visible at, from tab, key, value or removal).
type InFlight = (f64, usize, String, Option<String>);

/// What a rule does to the requests it matches.
#[derive(Clone, Debug)]
pub enum Action {
    /// The emulator answers, `ms` later (it acts at once: a slow network, not a slow server).
    Delay(u32),
    /// This answer instead of the emulator's.
    Reply(u16, String),
    /// This answer instead of the emulator's, `ms` later.
    ReplyAfter(u32, u16, String),
    /// A Cognito exception instead of the emulator's answer.
    Exception(&'static str, u16),
    /// No answer at all: a network error (offline, reset).
    Fail(&'static str),
    /// Never answers.
    Hang,
}

/// A rule in front of the emulator: the next `times` requests whose target (the
/// `X-Amz-Target` operation, or a URL path such as `/oauth2/token`) contains `matches`.
#[derive(Clone, Debug)]
pub struct Rule {
    pub matches: String,
    pub times: u32,
    pub action: Action,
}

impl Rule {
    pub fn new(matches: &str, times: u32, action: Action) -> Rule {
        Rule { matches: matches.to_string(), times, action }
    }
}

#[derive(Default)]
struct Lock {
    held: bool,
    waiting: VecDeque<Waker>,
}

pub struct World {
    now: Rc<Cell<f64>>,
    timers: RefCell<BinaryHeap<Reverse<(u64, u64)>>>,
    wakers: RefCell<HashMap<u64, Waker>>,
    next_timer: Cell<u64>,
    /// localStorage as each tab sees it: a tab's own writes at once, the others' writes
    /// `storage_lag_ms` later (in Chromium one page's write can reach another tens of ms late).
    views: RefCell<Vec<BTreeMap<String, String>>>,
    /// Writes on their way to the other tabs: (visible at, from tab, key, value or removal).
    in_flight: RefCell<Vec<InFlight>>,
    pub storage_lag_ms: Cell<u32>,
    /// The storage refuses longer values (a cookie store's 4 KB, a full quota) when set.
    pub max_value_len: Cell<Option<usize>>,
    /// The passkey of this browser (the emulator's software authenticator); none: every
    /// ceremony fails as a browser's does when the user cancels (NotAllowedError).
    pub authenticator: RefCell<Option<Authenticator>>,
    /// The page's origin, as passkey ceremonies report it.
    pub origin: RefCell<String>,
    locks: RefCell<HashMap<String, Lock>>,
    pub emulator: InProcess,
    pub rules: RefCell<Vec<Rule>>,
    /// Other origins that reach the emulator too (`https://cognito-idp.us-east-1.amazonaws.com`,
    /// say: a config without `endpoint`).
    pub aliases: RefCell<Vec<String>>,
    /// Every request the tabs sent, in order.
    pub requests: RefCell<Vec<HttpRequest>>,
    /// Broadcasts on their way: (delivered at, from tab, message).
    outbox: RefCell<VecDeque<(f64, usize, String)>>,
    /// How long a BroadcastChannel message takes to reach the other tabs.
    pub broadcast_lag_ms: Cell<u32>,
    tabs: RefCell<Vec<Weak<Client<TestEnv>>>>,
    rng: Cell<u64>,
    /// The executor: the tabs' calls and the tasks they spawn (a background refresh) live on
    /// across `run` calls.
    pool: RefCell<LocalPool>,
    spawner: LocalSpawner,
}

impl World {
    /// A world with the emulator's default configuration plus `pool` (a pool config, as
    /// `POST /_emulator/pools` takes it). Returns the world and the new pool's CognitoAuth
    /// options (`userPoolId`, `clientId`, `endpoint`).
    pub fn new(pool: serde_json::Value) -> (Rc<World>, serde_json::Value) {
        let now = Rc::new(Cell::new(EPOCH_MS));
        let clock = now.clone();
        cognito_emulator::util::set_thread_clock(Some(Rc::new(move || (clock.get() / 1000.0) as i64)));
        let emulator = InProcess::new(cognito_emulator::config::Config::default()).expect("emulator");
        let executor = LocalPool::new();
        let spawner = executor.spawner();
        let world = Rc::new(World {
            now,
            timers: RefCell::default(),
            wakers: RefCell::default(),
            next_timer: Cell::new(0),
            views: RefCell::new(vec![BTreeMap::new()]),
            in_flight: RefCell::default(),
            storage_lag_ms: Cell::new(0),
            max_value_len: Cell::new(None),
            authenticator: RefCell::new(None),
            origin: RefCell::new(PASSKEY_ORIGIN.to_string()),
            locks: RefCell::default(),
            emulator,
            rules: RefCell::default(),
            aliases: RefCell::default(),
            requests: RefCell::default(),
            outbox: RefCell::default(),
            broadcast_lag_ms: Cell::new(0),
            tabs: RefCell::default(),
            rng: Cell::new(0x9e37_79b9_7f4a_7c15),
            pool: RefCell::new(executor),
            spawner,
        });
        let created = world.emulator_call("POST", "/_emulator/pools", &pool.to_string());
        assert_eq!(created.status, 200, "pool config refused: {}", String::from_utf8_lossy(&created.body));
        let v: serde_json::Value = serde_json::from_slice(&created.body).expect("pool ids");
        let options = serde_json::json!({
            "userPoolId": v["userPoolId"],
            "clientId": v["clientId"],
            "endpoint": format!("{}/", InProcess::BASE),
        });
        (world, options)
    }

    pub fn now_ms(&self) -> f64 {
        self.now.get()
    }

    /// localStorage once every write has arrived (what a new tab would see).
    pub fn storage(&self) -> BTreeMap<String, String> {
        self.settle();
        let mut all = self.views.borrow()[0].clone();
        for (_, _, k, v) in self.in_flight.borrow().iter() {
            match v {
                Some(v) => all.insert(k.clone(), v.clone()),
                None => all.remove(k),
            };
        }
        all
    }

    /// Writes a value into every tab's storage at once (test set-up).
    pub fn store(&self, key: &str, value: Option<&str>) {
        for view in self.views.borrow_mut().iter_mut() {
            match value {
                Some(v) => view.insert(key.to_string(), v.to_string()),
                None => view.remove(key),
            };
        }
    }

    /// Applies the writes that have reached the other tabs by now.
    fn settle(&self) {
        let now = self.now.get();
        let mut in_flight = self.in_flight.borrow_mut();
        let mut views = self.views.borrow_mut();
        in_flight.retain(|(at, from, k, v)| {
            if *at > now {
                return true;
            }
            for (i, view) in views.iter_mut().enumerate() {
                if i != *from {
                    match v {
                        Some(v) => view.insert(k.clone(), v.clone()),
                        None => view.remove(k),
                    };
                }
            }
            false
        });
    }

    fn write(&self, tab: usize, key: &str, value: Option<&str>) {
        self.settle();
        let lag = self.storage_lag_ms.get();
        let mut views = self.views.borrow_mut();
        for (i, view) in views.iter_mut().enumerate() {
            if i == tab || lag == 0 {
                match value {
                    Some(v) => view.insert(key.to_string(), v.to_string()),
                    None => view.remove(key),
                };
            }
        }
        if lag > 0 {
            self.in_flight.borrow_mut().push((self.now.get() + lag as f64, tab, key.to_string(), value.map(String::from)));
            // A timer, so that the clock moves on to the moment the write arrives.
            let id = self.next_timer.get();
            self.next_timer.set(id + 1);
            self.timers.borrow_mut().push(Reverse(((self.now.get() + lag as f64).ceil() as u64, id)));
        }
    }

    fn read(&self, tab: usize, key: &str) -> Option<String> {
        self.settle();
        self.views.borrow()[tab].get(key).cloned()
    }

    /// Moves the clock (the emulator's too).
    pub fn advance(&self, ms: f64) {
        self.now.set(self.now.get() + ms);
    }

    /// A new tab with these CognitoAuth options.
    pub fn tab(self: &Rc<World>, options: &serde_json::Value) -> Rc<Client<TestEnv>> {
        let text = options.to_string();
        let cfg = Config::from_options(cognito_proto::json::Raw::parse(&text).expect("options"), false).expect("valid options");
        let id = self.tabs.borrow().len();
        if id > 0 {
            // A new tab sees what has arrived.
            let first = self.storage();
            self.views.borrow_mut().push(first);
        }
        let env = TestEnv { world: self.clone(), id, events: RefCell::default(), navigations: RefCell::default(), url: RefCell::default() };
        let client = Client::new_rc(cfg, env);
        self.tabs.borrow_mut().push(Rc::downgrade(&client));
        client
    }

    /// Adds a rule in front of the emulator.
    pub fn rule(&self, matches: &str, times: u32, action: Action) {
        self.rules.borrow_mut().push(Rule::new(matches, times, action));
    }

    /// A request straight to the emulator (test set-up), outside the tabs' network.
    pub fn emulator_call(&self, method: &str, path_and_query: &str, body: &str) -> Answer {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        self.emulator.handle(&Request {
            method: method.into(),
            path: path.into(),
            query: query.into(),
            headers: vec![],
            body: body.as_bytes().to_vec(),
            ip: "127.0.0.1".into(),
        })
    }

    /// A cognito-idp operation straight to the emulator (admin set-up).
    pub fn admin(&self, op: &str, body: serde_json::Value) -> serde_json::Value {
        let a = self.emulator.handle(&Request {
            method: "POST".into(),
            path: "/".into(),
            query: String::new(),
            headers: vec![
                ("content-type".into(), "application/x-amz-json-1.1".into()),
                ("x-amz-target".into(), format!("AWSCognitoIdentityProviderService.{op}")),
            ],
            body: body.to_string().into_bytes(),
            ip: "127.0.0.1".into(),
        });
        serde_json::from_slice(&a.body).unwrap_or_default()
    }

    /// The last code the emulator sent to `username`.
    pub fn last_code(&self, username: &str) -> String {
        let db = self.emulator.db();
        db.messages.iter().rev().find(|m| m.username == username || m.destination == username).map(|m| m.code.clone()).expect("a message")
    }

    /// Requests whose target contains `what`.
    pub fn count(&self, what: &str) -> usize {
        self.requests.borrow().iter().filter(|r| target(r).contains(what)).count()
    }

    /// Requests whose body contains `what`.
    pub fn count_body(&self, what: &str) -> usize {
        self.requests.borrow().iter().filter(|r| r.body.as_deref().is_some_and(|b| b.contains(what))).count()
    }

    fn sleep_until(self: &Rc<World>, deadline: f64) -> Sleep {
        Sleep { world: self.clone(), deadline: deadline.ceil() as u64, id: None }
    }

    fn random_u64(&self) -> u64 {
        // xorshift64*: deterministic.
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn take_rule(&self, req: &HttpRequest) -> Option<Action> {
        let t = target(req);
        let mut rules = self.rules.borrow_mut();
        let i = rules.iter().position(|r| r.times > 0 && t.contains(&r.matches))?;
        rules[i].times -= 1;
        let action = rules[i].action.clone();
        if rules[i].times == 0 {
            rules.remove(i);
        }
        Some(action)
    }

    fn answer(&self, req: &HttpRequest) -> Result<HttpResponse, Error> {
        let aliases = self.aliases.borrow();
        let origins = std::iter::once(InProcess::BASE).chain(aliases.iter().map(String::as_str));
        let Some(rest) = origins.filter_map(|o| req.url.strip_prefix(o)).next() else {
            return Err(Error::network(String::from("cannot reach ") + &req.url));
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let a = self.emulator.handle(&Request {
            method: req.method.to_string(),
            path: if path.is_empty() { "/".into() } else { path.into() },
            query: query.into(),
            // As a browser sends them: the request's headers, the app's, and Host.
            headers: req
                .headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .chain(req.extra_headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())))
                .chain(std::iter::once((
                    "host".to_string(),
                    req.url.split("://").nth(1).unwrap_or("").split('/').next().unwrap_or("").to_string(),
                )))
                .collect(),
            body: req.body.clone().unwrap_or_default().into_bytes(),
            ip: "127.0.0.1".into(),
        });
        Ok(HttpResponse {
            status: a.status,
            body: String::from_utf8_lossy(&a.body).into_owned(),
            error_type: a.header("x-amzn-ErrorType").map(String::from),
            cache_control: a.header("cache-control").map(String::from),
            date_secs: a.header("date").and_then(cognito_proto::time::parse_http_date),
        })
    }

    /// Runs `futures` (one per tab, say) until all are done; returns their results in order.
    /// Tasks they spawned may still be pending: the next run goes on with them.
    pub fn run_all<T: 'static>(self: &Rc<World>, futures: Vec<Pin<Box<dyn Future<Output = T>>>>) -> Vec<T> {
        let slots: Vec<Rc<RefCell<Option<T>>>> = futures.iter().map(|_| Rc::new(RefCell::new(None))).collect();
        for (f, slot) in futures.into_iter().zip(&slots) {
            let slot = slot.clone();
            self.spawner.spawn_local(async move { *slot.borrow_mut() = Some(f.await) }).expect("spawn");
        }
        loop {
            self.pool.borrow_mut().run_until_stalled();
            if self.deliver_broadcasts() {
                continue;
            }
            if slots.iter().all(|s| s.borrow().is_some()) {
                break;
            }
            let next = self.timers.borrow_mut().pop();
            let Some(Reverse((deadline, id))) = next else {
                panic!("stalled: tasks are waiting with no timer and no message to wake them");
            };
            if (deadline as f64) > self.now.get() {
                self.now.set(deadline as f64);
            }
            if let Some(w) = self.wakers.borrow_mut().remove(&id) {
                w.wake();
            }
        }
        slots.into_iter().map(|s| s.borrow_mut().take().expect("done")).collect()
    }

    pub fn run<T: 'static>(self: &Rc<World>, f: impl Future<Output = T> + 'static) -> T {
        self.run_all(vec![Box::pin(f)]).pop().expect("one result")
    }

    /// Lets time pass until `ms` from now, running whatever is due meanwhile (background tasks,
    /// writes reaching the other tabs).
    pub fn idle(self: &Rc<World>, ms: u32) {
        let w = self.clone();
        let until = self.now_ms() + ms as f64;
        self.run(async move { w.sleep_until(until).await });
    }

    /// Hands the broadcasts sent so far to the other tabs; `true` when there were any.
    fn deliver_broadcasts(&self) -> bool {
        let mut any = false;
        loop {
            let due = self.outbox.borrow().front().is_some_and(|(at, _, _)| *at <= self.now.get());
            if !due {
                return any;
            }
            let Some((_, from, msg)) = self.outbox.borrow_mut().pop_front() else { return any };
            any = true;
            let tabs: Vec<_> = self.tabs.borrow().iter().enumerate().filter(|(i, _)| *i != from).filter_map(|(_, t)| t.upgrade()).collect();
            for t in tabs {
                t.on_broadcast(&msg);
            }
        }
    }
}

/// An SRP sign-in of `username` with `password`: no client metadata, not an added account.
pub fn srp_input(username: &str, password: &str) -> SignInInput {
    SignInInput { username: Username::new(username), password: Some(Password::new(password)), flow: Flow::Srp, client_metadata: vec![], add_account: false }
}

/// What a request is for: the JSON API operation, or the URL path.
pub fn target(r: &HttpRequest) -> String {
    match r.headers.iter().find(|(k, _)| *k == "X-Amz-Target") {
        Some((_, v)) => v.rsplit('.').next().unwrap_or("").to_string(),
        None => r.url.split_once("://").map(|(_, rest)| rest[rest.find('/').unwrap_or(rest.len())..].to_string()).unwrap_or_default(),
    }
}

/// A virtual-time sleep: pending until the clock reaches `deadline`.
struct Sleep {
    world: Rc<World>,
    deadline: u64,
    id: Option<u64>,
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.world.now.get() >= self.deadline as f64 {
            return Poll::Ready(());
        }
        let id = match self.id {
            Some(id) => id,
            None => {
                let id = self.world.next_timer.get();
                self.world.next_timer.set(id + 1);
                self.world.timers.borrow_mut().push(Reverse((self.deadline, id)));
                self.id = Some(id);
                id
            }
        };
        self.world.wakers.borrow_mut().insert(id, cx.waker().clone());
        Poll::Pending
    }
}

/// Holds a Web Lock of the world until dropped.
pub struct Guard {
    world: Rc<World>,
    name: String,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let waiting = {
            let mut locks = self.world.locks.borrow_mut();
            let l = locks.entry(self.name.clone()).or_default();
            l.held = false;
            std::mem::take(&mut l.waiting)
        };
        for w in waiting {
            w.wake();
        }
    }
}

/// One tab of a [`World`].
pub struct TestEnv {
    pub world: Rc<World>,
    pub id: usize,
    /// What this tab's listeners heard.
    pub events: RefCell<Vec<AuthEvent>>,
    /// Where the page was sent (hosted UI).
    pub navigations: RefCell<Vec<String>>,
    pub url: RefCell<Option<String>>,
}

impl Env for TestEnv {
    type Guard = Guard;

    async fn fetch(&self, req: &HttpRequest) -> Result<HttpResponse, Error> {
        // As in the browser: no complete answer within the timeout is a NetworkError then.
        let timeout = if req.timeout_ms == 0 { u32::MAX } else { req.timeout_ms };
        let deadline = self.world.now_ms() + timeout as f64;
        let answer = self.answer_in_time(req);
        let expired = self.world.sleep_until(deadline);
        futures::pin_mut!(answer, expired);
        match futures::future::select(answer, expired).await {
            futures::future::Either::Left((r, _)) => r,
            futures::future::Either::Right(_) => {
                Err(Error::network(format!("no answer from {} within {} ms (requestTimeoutMs)", req.url, req.timeout_ms)))
            }
        }
    }

    fn now_ms(&self) -> f64 {
        self.world.now_ms()
    }

    async fn sleep(&self, ms: u32) {
        let deadline = self.world.now_ms() + ms as f64;
        self.world.sleep_until(deadline).await
    }

    async fn idle(&self) {
        self.sleep(0).await
    }

    fn random(&self, buf: &mut [u8]) -> Result<(), Error> {
        for chunk in buf.chunks_mut(8) {
            let r = self.world.random_u64().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
        Ok(())
    }

    async fn get(&self, key: &str) -> Option<String> {
        self.world.read(self.id, key)
    }

    async fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        if self.world.max_value_len.get().is_some_and(|max| value.len() > max) {
            return Err(Error::storage(String::from("the value for ") + key + " is too long"));
        }
        self.world.write(self.id, key, Some(value));
        Ok(())
    }

    async fn remove(&self, key: &str) {
        self.world.write(self.id, key, None);
    }

    fn get_sync(&self, key: &str) -> Option<Option<String>> {
        Some(self.world.read(self.id, key))
    }

    async fn lock(&self, name: &str, wait_ms: u32) -> Result<Option<(Guard, bool)>, Error> {
        let mut waited = false;
        let acquire = std::future::poll_fn(|cx| {
            let mut locks = self.world.locks.borrow_mut();
            let l = locks.entry(name.to_string()).or_default();
            if l.held {
                waited = true;
                l.waiting.push_back(cx.waker().clone());
                Poll::Pending
            } else {
                l.held = true;
                Poll::Ready(())
            }
        });
        let give_up = self.world.sleep_until(self.world.now_ms() + wait_ms as f64);
        futures::pin_mut!(acquire, give_up);
        match futures::future::select(acquire, give_up).await {
            futures::future::Either::Left(_) => Ok(Some((Guard { world: self.world.clone(), name: name.to_string() }, waited))),
            futures::future::Either::Right(_) => Ok(None),
        }
    }

    fn spawn(&self, task: Pin<Box<dyn Future<Output = ()>>>) {
        self.world.spawner.spawn_local(task).expect("spawn");
    }
    fn broadcast(&self, message: &str) {
        let at = self.world.now_ms() + self.world.broadcast_lag_ms.get() as f64;
        self.world.outbox.borrow_mut().push_back((at, self.id, message.to_string()));
        if self.world.broadcast_lag_ms.get() > 0 {
            // A timer, so that the clock moves on to the moment the message arrives.
            let id = self.world.next_timer.get();
            self.world.next_timer.set(id + 1);
            self.world.timers.borrow_mut().push(Reverse((at.ceil() as u64, id)));
        }
    }

    fn emit(&self, event: &AuthEvent) {
        self.events.borrow_mut().push(event.clone());
    }

    async fn hmac_sha256(&self, key: &[u8], message: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(cognito_proto::crypto::hmac_sha256(key, &[message]).to_vec())
    }

    async fn verify_rs256(&self, key: &Jwk, input: &[u8], signature: &[u8]) -> Result<bool, Error> {
        use rsa::pkcs1v15::{Signature, VerifyingKey};
        use rsa::signature::Verifier;
        let b = |s: &str| cognito_wasm::proto::codec::base64_decode(s).unwrap_or_default();
        let Ok(public) = rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(&b(&key.n)), rsa::BigUint::from_bytes_be(&b(&key.e))) else {
            return Ok(false);
        };
        let Ok(sig) = Signature::try_from(signature) else { return Ok(false) };
        Ok(VerifyingKey::<sha2::Sha256>::new(public).verify(input, &sig).is_ok())
    }

    /// The software authenticator as a browser with one passkey: create refuses a credential
    /// it already holds (excludeCredentials), get refuses when its credential is not allowed.
    async fn passkey(&self, o: &PasskeyOptions) -> Result<PasskeyCredential, Error> {
        let mut held = self.world.authenticator.borrow_mut();
        let creating = o.creating();
        let Some(a) = held.as_mut() else {
            return Err(webauthn::failure("NotAllowedError", "The operation either timed out or was not allowed.", creating));
        };
        let origin = self.world.origin.borrow().clone();
        if creating {
            if o.credential_ids.contains(&a.id) {
                return Err(webauthn::failure("InvalidStateError", "The authenticator was previously registered.", creating));
            }
            a.user_handle = o.user_id.clone().unwrap_or_default();
            let rp = o.doc.get("rp").and_then(|r| r.str("id")).unwrap_or("localhost").to_string();
            Ok(a.register(&o.challenge, &origin, &rp, "packed"))
        } else {
            if !o.credential_ids.is_empty() && !o.credential_ids.contains(&a.id) {
                return Err(webauthn::failure("NotAllowedError", "The operation either timed out or was not allowed.", creating));
            }
            a.count += 1;
            let rp = o.doc.str("rpId").unwrap_or("localhost").to_string();
            Ok(a.assert(&o.challenge, &origin, &rp))
        }
    }

    fn navigate(&self, url: &str) -> Result<(), Error> {
        self.navigations.borrow_mut().push(url.to_string());
        Ok(())
    }

    fn current_url(&self) -> Option<String> {
        self.url.borrow().clone()
    }

    fn replace_url(&self, url: &str) {
        *self.url.borrow_mut() = Some(url.to_string());
    }
}

impl TestEnv {
    /// The network's answer (rules first, then the emulator), as long as it takes.
    async fn answer_in_time(&self, req: &HttpRequest) -> Result<HttpResponse, Error> {
        self.world.requests.borrow_mut().push(req.clone());
        let start = self.world.now_ms();
        match self.world.take_rule(req) {
            None => {
                let r = self.world.answer(req);
                self.world.sleep_until(start + LATENCY_MS as f64).await;
                r
            }
            Some(Action::Delay(ms)) => {
                let r = self.world.answer(req);
                self.world.sleep_until(start + ms as f64).await;
                r
            }
            Some(Action::Reply(status, body)) => {
                self.world.sleep_until(start + LATENCY_MS as f64).await;
                Ok(HttpResponse { status, body, ..Default::default() })
            }
            Some(Action::ReplyAfter(ms, status, body)) => {
                self.world.sleep_until(start + ms as f64).await;
                Ok(HttpResponse { status, body, ..Default::default() })
            }
            Some(Action::Exception(name, status)) => {
                self.world.sleep_until(start + LATENCY_MS as f64).await;
                let body = serde_json::json!({"__type": name, "message": "injected"}).to_string();
                Ok(HttpResponse { status, body, error_type: Some(format!("{name}:")), ..Default::default() })
            }
            Some(Action::Fail(why)) => {
                self.world.sleep_until(start + LATENCY_MS as f64).await;
                Err(Error::network(why))
            }
            Some(Action::Hang) => {
                std::future::pending::<()>().await;
                unreachable!()
            }
        }
    }
}

/// Waits `ms` of virtual time (for a test's own steps between the tabs' calls).
pub async fn sleep(world: &Rc<World>, ms: u32) {
    let deadline = world.now_ms() + ms as f64;
    world.sleep_until(deadline).await
}
