//! # cognito-emulator
//!
//! A local Amazon Cognito user-pool server for development and tests: the `cognito-idp` JSON API
//! with strict server-side SRP, RS256 ID/access tokens with JWKS and OIDC discovery, a hosted UI
//! with PKCE and emulated social providers, Lambda triggers, identity pools, request-rate quotas
//! and persistence. See emulator/README.md.
//!
//! Layout, each module depending only on those above it (no circles):
//!
//! * `util`, `error` (Cognito's exceptions, from `cognito_proto`), `config` (the config file,
//!   trigger configuration included), `quotas`, `tokens` (keys, JWTs), `http` (requests and
//!   answers as values), `policy` (Host and Origin rules), `lambda` (calling a handler),
//!   `webauthn`, `authenticator`;
//! * `table`, `session`, `state` (the data model), `legacy` (the old JSON file), `staging`
//!   (changes as SQL statements), `store` (SQLite), `shared` (the lock, let go around slow work,
//!   and the group commit), `call` (the per-call context), `request` (typed inputs);
//! * `access` (who calls), `triggers`, `codes`, `issue` (tokens and refresh);
//! * `signin` (the sign-in state machine), `choice`, `auth`, `challenges` (sign-in),
//!   `passkeys`, `identity`, `api` (every operation),
//!   `hosted` (OAuth endpoints and the hosted pages), `aws` (SigV4 services), `control` (the
//!   `/_emulator/` endpoints);
//! * `server` (HTTP routing, CORS, faults, quotas), and this file (binding, serving, pruning, and
//!   an in-process emulator for the SDK's native tests).

pub mod access;
pub mod api;
pub mod auth;
pub mod authenticator;
pub mod aws;
pub mod call;
pub mod challenges;
pub mod choice;
pub mod codes;
pub mod config;
pub mod control;
pub mod error;
pub mod hosted;
pub mod http;
pub mod identity;
pub mod issue;
pub mod lambda;
pub mod legacy;
pub mod passkey_mfa;
pub mod passkeys;
pub mod policy;
pub mod quotas;
pub mod request;
pub mod server;
pub mod session;
pub mod shared;
pub mod signin;
pub mod staging;
pub mod state;
pub mod store;
pub mod table;
pub mod tokens;
pub mod triggers;
pub mod util;
pub mod webauthn;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How often expired tokens, codes and sessions are removed.
const PRUNE_EVERY: Duration = Duration::from_secs(30);

pub struct Options {
    pub host: String,
    pub port: u16,
    pub config: config::Config,
    pub data: Option<PathBuf>,
    /// Origins besides the local ones allowed to use `/_emulator/` (`--allow-origin`).
    pub allow_origins: Vec<String>,
    /// Host names besides local ones the emulator answers to (`--allow-host`).
    pub allow_hosts: Vec<String>,
}

impl Options {
    pub fn new(config: config::Config) -> Options {
        Options { host: "127.0.0.1".into(), port: 9229, config, data: None, allow_origins: vec![], allow_hosts: vec![] }
    }
}

/// A bound, not yet serving emulator.
pub struct Bound {
    pub listener: tokio::net::TcpListener,
    pub app: Arc<server::App>,
    pub ready: serde_json::Value,
}

pub async fn bind(opts: Options) -> Result<Bound, String> {
    let listener = tokio::net::TcpListener::bind((opts.host.as_str(), opts.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.host, opts.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let host = if addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { addr.ip().to_string() };
    let base = format!("http://{host}:{}", addr.port());
    let (config, data) = (opts.config, opts.data);
    let (mut db, store) =
        tokio::task::spawn_blocking(move || control::initial_state(&config, data.as_deref(), None)).await.map_err(|e| e.to_string())??;
    db.prune();
    let ready = control::ready_info(&db, &base);
    let mut allow_hosts = opts.allow_hosts;
    allow_hosts.push(opts.host);
    let policy = policy::Policy { allow_origins: opts.allow_origins, allow_hosts, any_host: false };
    let app = Arc::new(server::App { db: shared::Shared::new(db, store), base, policy });
    Ok(Bound { listener, app, ready })
}

/// Removes what has expired, now and then (saved like any change).
async fn prune_now_and_then(app: Arc<server::App>) {
    loop {
        tokio::time::sleep(PRUNE_EVERY).await;
        let app = app.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let mut tx = app.db.begin();
            tx.prune();
            let _ = tx.finish();
            app.db.vacuum();
        })
        .await;
    }
}

pub async fn serve(b: Bound) -> Result<(), String> {
    tokio::spawn(prune_now_and_then(b.app.clone()));
    let router = axum::Router::new().fallback(server::handle).with_state(b.app);
    axum::serve(b.listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

/// Starts an emulator on a free port in a background thread (for tests). Returns its base URL
/// (`http://127.0.0.1:PORT`) and the ready line.
pub fn spawn(config: config::Config) -> Result<(String, serde_json::Value), String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                let _ = tx.send(Err(e.to_string()));
                return;
            }
        };
        rt.block_on(async move {
            match bind(Options { port: 0, ..Options::new(config) }).await {
                Ok(b) => {
                    b.app.db.raw().runtime.quiet = true;
                    let _ = tx.send(Ok((b.app.base.clone(), b.ready.clone())));
                    let _ = serve(b).await;
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                }
            }
        });
    });
    rx.recv().map_err(|e| e.to_string())?
}

/// An emulator without sockets, for native tests of the SDK: each request is answered by the
/// same code as over HTTP ([`server::respond`]), on the calling thread, and `util::system_now`
/// can follow the test's virtual clock (`util::set_thread_clock`).
pub struct InProcess {
    pub app: Arc<server::App>,
    pub ready: serde_json::Value,
}

impl InProcess {
    /// The origin it answers as (never bound: nothing listens there).
    pub const BASE: &'static str = "http://127.0.0.1:1";

    pub fn new(config: config::Config) -> Result<InProcess, String> {
        type Pair = Result<(tokens::StoredKey, tokens::StoredKey), String>;
        static KEYS: std::sync::OnceLock<Pair> = std::sync::OnceLock::new();
        let stored = KEYS.get_or_init(|| Ok((tokens::Key::generate()?.to_stored()?, tokens::Key::generate()?.to_stored()?))).clone()?;
        let keys = (tokens::Key::from_stored(&stored.0)?, tokens::Key::from_stored(&stored.1)?);
        let (mut db, _) = control::initial_state(&config, None, Some(keys))?;
        db.runtime.quiet = true;
        let ready = control::ready_info(&db, Self::BASE);
        let policy = policy::Policy { any_host: true, ..policy::Policy::default() };
        let app = server::App { db: shared::Shared::new(db, None), base: Self::BASE.into(), policy };
        Ok(InProcess { app: Arc::new(app), ready })
    }

    pub fn handle(&self, req: &server::Request) -> server::Answer {
        server::respond(&self.app, req)
    }

    /// The state, for a test's set-up and checks (messages sent, counters, devices).
    pub fn db(&self) -> parking_lot::MappedMutexGuard<'_, state::Db> {
        self.app.db.raw()
    }
}
