//! # cognito-emulator
//!
//! A local Amazon Cognito user-pool server for development and tests: the `cognito-idp` JSON API
//! with strict server-side SRP, RS256 ID/access tokens with JWKS and OIDC discovery, and a hosted
//! UI with PKCE and emulated social providers. See README.md ("The emulator").
//!
//! Layout: `config` (the JSON config file), `state` (data model), `api` (JSON operations),
//! `auth` (sign-in state machine), `tokens` (keys, JWTs), `hosted` (OAuth endpoints and pages),
//! `server` (HTTP routing, CORS, test endpoints), `util`.

pub mod api;
pub mod auth;
pub mod config;
pub mod hosted;
pub mod server;
pub mod state;
pub mod tokens;
pub mod util;

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
