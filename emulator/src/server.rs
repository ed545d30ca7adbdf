//! HTTP: routing by method and path over plain values ([`Request`] in, [`Answer`] out), CORS on
//! every answer, bounded request bodies, and the data file persisted after changes. Axum only
//! appears at the edge ([`handle`]); [`respond`] is the same server without sockets, for the
//! SDK's native tests (`InProcess` in lib.rs).
//!
//! Test endpoints under `/_emulator/` (documented in README.md):
//! `POST /_emulator/pools` (a pool config → ids), `DELETE /_emulator/pools/{id}`,
//! `POST /_emulator/pools/{id}/clock` (`{"advanceSeconds": n}`), `POST /_emulator/pools/{id}/rotate-keys`
//! (`{"keepOld": bool}`), `GET /_emulator/messages?poolId=&username=`, `GET /_emulator/stats?poolId=`,
//! `POST /_emulator/faults` / `DELETE /_emulator/faults`, `GET /_emulator/config`.

use crate::api::dispatch;
use crate::config::{Config, PoolConfig};
use crate::hosted::{self, Reply};
use crate::request::{issuer, Ctx};
use crate::state::{Db, Fault};
use crate::tokens::Key;
use crate::util::*;
use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, Response, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Largest request body accepted (Cognito's own limit is far below this for every operation).
const MAX_BODY: usize = 256 * 1024;
/// A body over `MAX_BODY` is still read up to this size before the 413 goes out: answering while
/// the client is still writing resets the connection and the client sees a transport error
/// instead of `RequestEntityTooLargeException`.
const DRAIN_BODY: usize = 16 * 1024 * 1024;

pub struct App {
    pub db: Mutex<Db>,
    pub base: String,
    pub data: Option<PathBuf>,
}

/// What the emulator prints when ready (camelCase, the SDK's config names).
pub fn ready_info(db: &Db, base: &str) -> Value {
    let Some(pool) = db.pools.values().next() else { return json!({"endpoint": format!("{base}/")}) };
    let client = pool.clients.values().next();
    json!({
        "endpoint": format!("{base}/"),
        "userPoolId": pool.config.id,
        "clientId": client.map(|c| c.id.clone()),
        "issuer": format!("{base}/{}", pool.config.id),
        "hostedUiDomain": base,
        "redirectSignIn": client.and_then(|c| c.callback_urls.first().cloned()),
        "redirectSignOut": client.and_then(|c| c.logout_urls.first().cloned()),
        "identityPoolId": db.identity_pools.keys().next(),
    })
}

fn lock(app: &App) -> std::sync::MutexGuard<'_, Db> {
    // A poisoned lock means a handler panicked mid-update; the data is still the best we have.
    app.db.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn save(app: &App, db: &Db) {
    let Some(path) = &app.data else { return };
    let tmp = path.with_extension("tmp");
    match serde_json::to_vec(db) {
        Ok(bytes) => {
            if std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path)).is_err() {
                eprintln!("cognito-emulator: could not write {}", path.display());
            }
        }
        Err(e) => eprintln!("cognito-emulator: could not serialize state: {e}"),
    }
}

/// An HTTP request, reduced to what the emulator reads.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub ip: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// An HTTP answer as a value.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// A `delayMs` fault: send this answer that much later.
    pub delay_ms: Option<u64>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn set(&mut self, name: &str, value: String) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value));
    }
}

pub fn response(status: u16, content_type: &str, body: impl Into<Vec<u8>>, headers: &[(String, String)]) -> Answer {
    let mut h = vec![];
    if !content_type.is_empty() {
        h.push(("Content-Type".to_string(), content_type.to_string()));
    }
    h.extend_from_slice(headers);
    Answer { status, headers: h, body: body.into(), delay_ms: None }
}

pub fn json_response(status: u16, v: &Value) -> Answer {
    response(status, "application/json", v.to_string(), &[])
}

fn api_error(e: &ApiError) -> Answer {
    let body = json!({"__type": e.name, "message": e.message});
    response(
        e.status,
        "application/x-amz-json-1.1",
        body.to_string(),
        &[
            ("x-amzn-RequestId".into(), uuid()),
            ("x-amzn-ErrorType".into(), format!("{}:", e.name)),
            ("x-amzn-ErrorMessage".into(), e.message.replace(['\r', '\n'], " ")),
        ],
    )
}

fn reply(r: Reply) -> Answer {
    match r {
        Reply::Html(status, html, headers) => response(status, "text/html; charset=utf-8", html, &headers),
        Reply::Redirect(location, mut headers) => {
            headers.push(("Location".into(), location));
            headers.push(("Cache-Control".into(), "no-store".into()));
            response(302, "", vec![], &headers)
        }
        Reply::Json(status, v, mut headers) => {
            headers.push(("Cache-Control".into(), "no-store".into()));
            response(status, "application/json", v.to_string(), &headers)
        }
        Reply::Empty(status) => response(status, "", vec![], &[]),
    }
}

fn query_param(query: &str, k: &str) -> Option<String> {
    cognito_proto::codec::form_decode(query).into_iter().find(|(a, _)| a == k).map(|(_, v)| v)
}

fn add_cors(a: &mut Answer, origin: Option<&str>) {
    a.set("Access-Control-Allow-Origin", origin.filter(|o| HeaderValue::from_str(o).is_ok()).unwrap_or("*").to_string());
    a.set("Vary", "Origin".into());
    a.set("Access-Control-Expose-Headers", "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date,Cache-Control".into());
}

fn preflight(req: &Request) -> Answer {
    let req_headers = req
        .header("access-control-request-headers")
        .unwrap_or("content-type, x-amz-target, x-amz-user-agent, cache-control, authorization")
        .to_string();
    response(
        204,
        "",
        vec![],
        &[
            ("Access-Control-Allow-Methods".into(), "POST, GET, PUT, DELETE, HEAD, PATCH, OPTIONS".into()),
            ("Access-Control-Allow-Headers".into(), req_headers),
            ("Access-Control-Max-Age".into(), "600".into()),
        ],
    )
}

/// The axum edge: reads the request (bounded), answers with [`respond`], holds a delayed
/// answer back without holding the database.
pub async fn handle(State(app): State<Arc<App>>, req: axum::http::Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "127.0.0.1".into());
    let headers = parts.headers.iter().filter_map(|(k, v)| Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_string()))).collect();
    let mut request = Request {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers,
        body: vec![],
        ip,
    };
    let answer = match to_bytes(body, DRAIN_BODY).await.ok().filter(|b| b.len() <= MAX_BODY) {
        None => {
            let mut a = api_error(&ApiError {
                name: "RequestEntityTooLargeException".into(),
                message: format!("Request body exceeds {MAX_BODY} bytes"),
                status: 413,
            });
            add_cors(&mut a, request.header("origin"));
            a
        }
        Some(bytes) => {
            request.body = bytes.to_vec();
            respond(&app, &request)
        }
    };
    if let Some(ms) = answer.delay_ms {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    let mut b = Response::builder().status(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (k, v) in &answer.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(Body::from(answer.body)).unwrap_or_else(|_| Response::new(Body::empty()))
}

/// One request, answered (without sockets: the same code behind [`handle`] and `InProcess`).
pub fn respond(app: &App, req: &Request) -> Answer {
    let mut answer = if req.method == "OPTIONS" { preflight(req) } else { route(app, req) };
    add_cors(&mut answer, req.header("origin"));
    answer
}

fn route(app: &App, r: &Request) -> Answer {
    let (method, path, query, body) = (r.method.as_str(), r.path.as_str(), r.query.as_str(), r.body.as_slice());
    let ctx = Ctx { base: app.base.clone(), ip: r.ip.clone() };
    let ctx = &ctx;
    let text = String::from_utf8_lossy(body);
    let cookies = r.header("cookie").unwrap_or("");
    let auth = r.header("authorization");
    let mut db = lock(app);
    // What the trigger events of this request carry (json_api sets the operation's own).
    db.runtime.call_metadata = None;
    db.runtime.call_op = None;
    db.runtime.token_source = None;
    db.runtime.message_subject = None;
    db.runtime.call_client = [query, &*text]
        .iter()
        .find_map(|q| cognito_proto::codec::form_decode(q).into_iter().find(|(k, _)| k == "client_id").map(|(_, v)| v));
    let get = method == "GET" || method == "HEAD";
    let resp = match (method, path) {
        ("POST", "/") => json_api(&mut db, r, ctx),
        ("GET", "/") => json_response(200, &ready_info(&db, &app.base)),
        ("GET", "/oauth2/authorize") => reply(hosted::authorize(&mut db, ctx, query, cookies)),
        ("GET", "/login") => reply(hosted::login_get(&db, query)),
        ("POST", "/login") => reply(hosted::login_post(&mut db, ctx, query, &text)),
        ("GET", "/signup") => reply(hosted::signup_get(&db, query, None)),
        ("POST", "/signup") => reply(hosted::signup_post(&mut db, ctx, query, &text)),
        ("GET", "/forgotPassword") => reply(hosted::forgot_get(&db, query, None)),
        ("POST", "/forgotPassword") => reply(hosted::forgot_post(&mut db, ctx, query, &text)),
        ("GET", "/confirmUser") => reply(hosted::confirm_user(&mut db, ctx, query)),
        ("GET", "/error") => reply(hosted::error_page(query)),
        ("GET", "/logout") => reply(hosted::logout(&mut db, query, cookies)),
        ("POST", "/oauth2/token") => reply(hosted::token(&mut db, ctx, r.header("content-type").unwrap_or(""), auth, &text)),
        ("GET" | "POST", "/oauth2/userInfo") => reply(hosted::user_info(&db, ctx, auth)),
        ("POST", "/oauth2/revoke") => reply(hosted::revoke(&mut db, auth, &text)),
        (m, p) if p.starts_with("/_emulator/idp/") => {
            let provider = cognito_proto::codec::url_decode(&p["/_emulator/idp/".len()..]).unwrap_or_default();
            if m == "POST" {
                reply(hosted::idp_post(&mut db, ctx, &provider, query, &text))
            } else {
                reply(hosted::idp_get(&db, &provider, query))
            }
        }
        (_, p) if p.starts_with("/_emulator/aws/") => crate::aws::handle(&mut db, r),
        (m, p) if p.starts_with("/_emulator/") => test_endpoint(app, &mut db, m, p, query, body),
        ("GET", p) if p.ends_with("/.well-known/jwks.json") => {
            let pool = p.trim_end_matches("/.well-known/jwks.json").trim_start_matches('/');
            db.count(pool, "jwks");
            jwks(&db, pool)
        }
        ("GET", p) if p.ends_with("/.well-known/openid-configuration") => {
            discovery(&db, ctx, p.trim_end_matches("/.well-known/openid-configuration").trim_start_matches('/'))
        }
        _ => json_response(404, &json!({"message": "Not Found"})),
    };
    if !get {
        save(app, &db);
    }
    let mut resp = resp;
    // The Date header follows the pool's clock, so a test that moves a pool's clock looks, to a
    // client, like a device clock that is off.
    if let Some(now) = pool_for_request(&db, path, query, body).and_then(|p| db.pools.get(&p)).map(|p| p.now()) {
        resp.set("Date", cognito_proto::time::format_http_date(now));
    }
    resp
}

/// Which pool a request concerns (for its clock), when it can be told.
fn pool_for_request(db: &Db, path: &str, query: &str, body: &[u8]) -> Option<String> {
    if let Some(rest) = path.strip_prefix('/') {
        if let Some((pool, tail)) = rest.split_once('/') {
            if tail.starts_with(".well-known/") {
                return Some(pool.to_string());
            }
        }
    }
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        if let Some(c) = v["ClientId"].as_str() {
            return db.find_client(c).map(|(p, _)| p.config.id.clone());
        }
        if let Some(p) = v["UserPoolId"].as_str() {
            return Some(p.to_string());
        }
        if let Some(t) = v["AccessToken"].as_str() {
            return crate::tokens::peek_claims(t)?["iss"].as_str()?.rsplit('/').next().map(String::from);
        }
    }
    let form = cognito_proto::codec::form_decode(&String::from_utf8_lossy(body));
    let q = cognito_proto::codec::form_decode(query);
    let client = form.iter().chain(q.iter()).find(|(k, _)| k == "client_id").map(|(_, v)| v.clone())?;
    db.find_client(&client).map(|(p, _)| p.config.id.clone())
}

fn json_api(db: &mut Db, r: &Request, ctx: &Ctx) -> Answer {
    let target = r.header("x-amz-target").unwrap_or("");
    let identity = target.strip_prefix("AWSCognitoIdentityService.");
    let Some(op) = target.strip_prefix("AWSCognitoIdentityProviderService.").or(identity) else {
        return api_error(&err("UnknownOperationException", "Missing or unknown X-Amz-Target"));
    };
    let ct = r.header("content-type").unwrap_or("");
    if !ct.starts_with("application/x-amz-json-1.1") && !ct.starts_with("application/x-amz-json-1.0") {
        return api_error(&err("UnknownOperationException", "Content-Type must be application/x-amz-json-1.1"));
    }
    let value: Value = match serde_json::from_slice(&r.body) {
        Ok(v) => v,
        Err(_) => return api_error(&err("SerializationException", "Start of structure or map found where not expected / malformed JSON")),
    };
    // Injected faults (tests of retry, error handling and races), for any pool or one.
    let pool = pool_for_request(db, &r.path, &r.query, &r.body);
    let mut delay = None;
    let matches = |f: &Fault| (f.target.is_empty() || f.target == op) && f.pool_id.as_ref().is_none_or(|p| pool.as_ref() == Some(p));
    if let Some(i) = db.runtime.faults.iter().position(matches) {
        let f = &mut db.runtime.faults[i];
        let mut e = err(&f.exception, "Injected fault");
        if let Some(s) = f.status {
            e.status = s;
        }
        delay = f.delay_ms;
        f.count = f.count.saturating_sub(1);
        if f.count == 0 {
            db.runtime.faults.remove(i);
        }
        if delay.is_none() {
            return api_error(&e);
        }
    }
    db.runtime.call_metadata = value.get("ClientMetadata").filter(|m| m.is_object()).cloned();
    db.runtime.call_client = value["ClientId"].as_str().map(String::from);
    db.runtime.call_op = Some(op.to_string());
    db.runtime.token_source = None;
    let result = if identity.is_some() { crate::identity::dispatch(db, op, &value, ctx) } else { dispatch(db, op, &value, ctx) };
    db.runtime.call_metadata = None;
    db.runtime.call_client = None;
    db.runtime.call_op = None;
    let mut resp = match result {
        Ok(v) => response(200, "application/x-amz-json-1.1", v.to_string(), &[("x-amzn-RequestId".into(), uuid())]),
        Err(e) => api_error(&e),
    };
    // Carried out now; the answer goes out later (without holding the database).
    resp.delay_ms = delay;
    resp
}

fn jwks(db: &Db, pool_id: &str) -> Answer {
    let Some(pool) = db.pools.get(pool_id) else { return json_response(404, &json!({"message": "User pool not found"})) };
    let keys: Vec<Value> = pool.jwks_kids.iter().filter_map(|k| db.runtime.keys.get(k)).map(Key::jwk).collect();
    response(200, "application/json", json!({"keys": keys}).to_string(), &[("Cache-Control".into(), "public, max-age=3600".into())])
}

fn discovery(db: &Db, ctx: &Ctx, pool_id: &str) -> Answer {
    if !db.pools.contains_key(pool_id) {
        return json_response(404, &json!({"message": "User pool not found"}));
    }
    let iss = issuer(db, ctx, pool_id);
    let b = &ctx.base;
    json_response(
        200,
        &json!({
            "issuer": iss,
            "jwks_uri": format!("{iss}/.well-known/jwks.json"),
            "authorization_endpoint": format!("{b}/oauth2/authorize"),
            "token_endpoint": format!("{b}/oauth2/token"),
            "userinfo_endpoint": format!("{b}/oauth2/userInfo"),
            "end_session_endpoint": format!("{b}/logout"),
            "revocation_endpoint": format!("{b}/oauth2/revoke"),
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }),
    )
}

fn test_endpoint(app: &App, db: &mut Db, method: &str, path: &str, query: &str, body: &[u8]) -> Answer {
    let parts: Vec<&str> = path.trim_start_matches("/_emulator/").split('/').collect();
    let bad = |m: String| json_response(400, &json!({"message": m}));
    match (method, parts.as_slice()) {
        ("GET", ["health"]) => json_response(200, &json!({"ok": true})),
        ("GET", ["triggers"]) => {
            let pool = cognito_proto::codec::form_decode(query).into_iter().find(|(k, _)| k == "poolId").map(|(_, v)| v);
            let list: Vec<&crate::triggers::Invocation> =
                db.runtime.trigger_log.iter().filter(|i| pool.as_ref().is_none_or(|p| *p == i.pool_id)).collect();
            json_response(200, &json!(list))
        }
        ("GET", ["config"]) => json_response(200, &ready_info(db, &app.base)),
        ("POST", ["pools"]) => {
            let cfg: PoolConfig = match serde_json::from_slice(if body.is_empty() { b"{}" } else { body }) {
                Ok(c) => c,
                Err(e) => return bad(format!("invalid pool config: {e}")),
            };
            let (id_kid, access_kid) = (db.keys[0].kid.clone(), db.keys[1].kid.clone());
            match db.add_pool(cfg, &id_kid, &access_kid) {
                Ok(id) => {
                    let pool = &db.pools[&id];
                    let clients: Vec<Value> = pool.clients.values().map(|c| json!({"clientId": c.id, "clientSecret": c.secret})).collect();
                    json_response(
                        200,
                        &json!({
                            "userPoolId": id,
                            "clientId": pool.clients.keys().next(),
                            "clients": clients,
                            "endpoint": format!("{}/", app.base),
                            "issuer": format!("{}/{id}", app.base),
                            "hostedUiDomain": app.base,
                        }),
                    )
                }
                Err(e) => bad(e.message),
            }
        }
        ("POST", ["identity-pools"]) => {
            let cfg: crate::config::IdentityPoolConfig = match serde_json::from_slice(if body.is_empty() { b"{}" } else { body }) {
                Ok(c) => c,
                Err(e) => return bad(format!("invalid identity pool config: {e}")),
            };
            match db.add_identity_pool(cfg) {
                Ok(id) => json_response(200, &json!({"identityPoolId": id, "identityEndpoint": format!("{}/", app.base)})),
                Err(e) => bad(e.message),
            }
        }
        ("DELETE", ["pools", id]) => {
            db.pools.remove(*id);
            json_response(200, &json!({}))
        }
        ("POST", ["pools", id, "clock"]) => {
            let v: Value = serde_json::from_slice(body).unwrap_or(json!({}));
            let Some(pool) = db.pools.get_mut(*id) else { return bad("no such pool".into()) };
            if let Some(s) = v["advanceSeconds"].as_i64() {
                pool.clock_offset += s;
            }
            if let Some(s) = v["offsetSeconds"].as_i64() {
                pool.clock_offset = s;
            }
            json_response(200, &json!({"offsetSeconds": pool.clock_offset, "now": pool.now()}))
        }
        ("POST", ["pools", id, "rotate-keys"]) => {
            let v: Value = serde_json::from_slice(body).unwrap_or(json!({}));
            if !db.pools.contains_key(*id) {
                return bad("no such pool".into());
            }
            let (Ok(k1), Ok(k2)) = (Key::generate(), Key::generate()) else { return bad("key generation failed".into()) };
            let (Ok(id_kid), Ok(access_kid)) = (db.add_key(k1), db.add_key(k2)) else { return bad("key storage failed".into()) };
            let Some(pool) = db.pools.get_mut(*id) else { return bad("no such pool".into()) };
            if !v["keepOld"].as_bool().unwrap_or(true) {
                pool.jwks_kids.clear();
            }
            pool.id_kid = id_kid.clone();
            pool.access_kid = access_kid.clone();
            pool.jwks_kids.push(id_kid.clone());
            pool.jwks_kids.push(access_kid.clone());
            json_response(200, &json!({"idKid": id_kid, "accessKid": access_kid, "jwksKids": pool.jwks_kids}))
        }
        ("GET", ["messages"]) => {
            let pool = query_param(query, "poolId");
            let user = query_param(query, "username");
            let msgs: Vec<&crate::state::Message> = db
                .messages
                .iter()
                .filter(|m| pool.as_ref().is_none_or(|p| &m.pool_id == p))
                .filter(|m| user.as_ref().is_none_or(|u| &m.username == u || &m.destination == u))
                .collect();
            json_response(200, &json!(msgs))
        }
        ("GET", ["stats"]) => {
            let pool = query_param(query, "poolId").unwrap_or_default();
            json_response(200, &json!(db.stats.get(&pool).cloned().unwrap_or_default()))
        }
        ("POST", ["faults"]) => match serde_json::from_slice::<Fault>(body) {
            Ok(f) => {
                db.runtime.faults.push(f);
                json_response(200, &json!({"queued": db.runtime.faults.len()}))
            }
            Err(e) => bad(format!("invalid fault: {e}")),
        },
        ("DELETE", ["faults"]) => {
            db.runtime.faults.clear();
            json_response(200, &json!({}))
        }
        _ => json_response(404, &json!({"message": "Not Found"})),
    }
}

/// Loads the data file (when it exists) or builds the state from the config, and makes sure
/// signing keys exist.
pub fn initial_state(config: &Config, data: Option<&PathBuf>) -> Result<Db, String> {
    initial_state_with(config, data, None)
}

/// As [`initial_state`], with the signing keys given (tests reuse one pair: RSA key generation
/// is the slowest thing the emulator does).
pub fn initial_state_with(config: &Config, data: Option<&PathBuf>, keys: Option<(Key, Key)>) -> Result<Db, String> {
    if let Some(path) = data {
        if path.exists() {
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let mut db: Db = serde_json::from_slice(&bytes).map_err(|e| format!("{} is not an emulator data file: {e}", path.display()))?;
            db.load_keys()?;
            if db.keys.len() >= 2 {
                return Ok(db);
            }
        }
    }
    let mut db = Db::default();
    let (id_key, access_key) = match keys {
        Some(k) => k,
        None => (Key::generate()?, Key::generate()?),
    };
    let id_kid = db.add_key(id_key)?;
    let access_kid = db.add_key(access_key)?;
    for p in &config.pools {
        db.add_pool(p.clone(), &id_kid, &access_kid).map_err(|e| format!("pool {}: {}", p.id, e.message))?;
    }
    for p in &config.identity_pools {
        db.add_identity_pool(p.clone()).map_err(|e| format!("identity pool {}: {}", p.id, e.message))?;
    }
    Ok(db)
}
