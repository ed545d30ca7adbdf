//! # cognito-emulator
//!
//! A local Amazon Cognito user-pool server for development and tests: the `cognito-idp` JSON API
//! with strict server-side SRP, RS256 ID/access tokens with JWKS and OIDC discovery, and a hosted
//! UI with PKCE and emulated social providers. See README.md ("The emulator").
//!
//! Layout, each module depending only on those above it:
//!
//! * `config` (the JSON config file), `state` (the data model), `util`, `tokens` (keys, JWTs);
//! * `request` (reading a JSON API body), `access` (who calls: client secret, access token),
//!   `codes` (one-time codes and the messages carrying them), `issue` (tokens and refresh);
//! * `auth` (InitiateAuth, RespondToAuthChallenge: the sign-in state machine), `api` (every other
//!   operation), `hosted` (OAuth endpoints and the hosted pages);
//! * `server` (HTTP routing, CORS, test endpoints), and this file (binding, serving, and an
//!   in-process emulator for the SDK's native tests).

pub mod access;
pub mod api;
pub mod auth;
pub mod authenticator;
pub mod aws;
pub mod codes;
pub mod config;
pub mod hosted;
pub mod identity;
pub mod issue;
pub mod passkeys;
pub mod request;
pub mod server;
pub mod state;
pub mod tokens;
pub mod triggers;
pub mod util;
pub mod webauthn;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub struct Options {
    pub host: String,
    pub port: u16,
    pub config: config::Config,
    pub data: Option<PathBuf>,
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
    let db = server::initial_state(&opts.config, opts.data.as_ref())?;
    let ready = server::ready_info(&db, &base);
    let app = Arc::new(server::App { db: Mutex::new(db), base, data: opts.data });
    server::save(&app, &app.db.lock().unwrap_or_else(|e| e.into_inner()));
    Ok(Bound { listener, app, ready })
}

pub async fn serve(b: Bound) -> Result<(), String> {
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
            match bind(Options { host: "127.0.0.1".into(), port: 0, config, data: None }).await {
                Ok(b) => {
                    b.app.db.lock().unwrap_or_else(|e| e.into_inner()).runtime.quiet = true;
                    let base = b.app.base.clone();
                    let _ = tx.send(Ok((base, b.ready.clone())));
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
        static KEYS: std::sync::OnceLock<Result<(tokens::StoredKey, tokens::StoredKey), String>> = std::sync::OnceLock::new();
        let stored = KEYS.get_or_init(|| Ok((tokens::Key::generate()?.to_stored()?, tokens::Key::generate()?.to_stored()?))).clone()?;
        let keys = (tokens::Key::from_stored(&stored.0)?, tokens::Key::from_stored(&stored.1)?);
        let mut db = server::initial_state_with(&config, None, Some(keys))?;
        db.runtime.quiet = true;
        let ready = server::ready_info(&db, Self::BASE);
        Ok(InProcess { app: Arc::new(server::App { db: Mutex::new(db), base: Self::BASE.into(), data: None }), ready })
    }

    pub fn handle(&self, req: &server::Request) -> server::Answer {
        server::respond(&self.app, req)
    }

    /// The database, for a test's set-up and checks (messages sent, counters, devices).
    pub fn db(&self) -> std::sync::MutexGuard<'_, state::Db> {
        self.app.db.lock().unwrap_or_else(|e| e.into_inner())
    }
}
