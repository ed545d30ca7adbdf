//! HTTP: routing by method and path over plain values ([`Request`] in, [`Answer`] out), the
//! browser policy (`policy.rs`: the Host header, local origins for `/_emulator/`), CORS on every
//! answer, bounded request bodies, injected faults and request-rate quotas.
//!
//! ```text
//! axum (handle) → the body, bounded → spawn_blocking(respond): requests run side by side
//!   respond: Host allowed? → OPTIONS: preflight | route → CORS
//!   route: the state held (Tx) for this request; a trigger, a signature or an SRP
//!          exponentiation lets it go while it runs (shared.rs); saved before the answer
//! ```
//! [`respond`] is the same server without sockets, for the SDK's native tests (`InProcess` in
//! lib.rs).

use crate::call::Call;
use crate::error::*;
use crate::hosted::{self, Reply};
use crate::http::{api_error, api_ok, json_response, response};
pub use crate::http::{Answer, Request};
use crate::policy::Policy;
use crate::shared::{Shared, Tx};
use crate::state::Db;
use crate::tokens::Key;
use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, Response, StatusCode};
use cognito_proto::api::Op;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;

/// Largest request body accepted (Cognito's own limit is far below this for every operation).
const MAX_BODY: usize = 256 * 1024;
/// A body over `MAX_BODY` is still read up to this size before the 413 goes out: answering while
/// the client is still writing resets the connection and the client sees a transport error
/// instead of `RequestEntityTooLargeException`.
const DRAIN_BODY: usize = 16 * 1024 * 1024;

pub struct App {
    pub db: Shared,
    pub base: String,
    pub policy: Policy,
}

/// The axum edge: reads the request (bounded), answers with [`respond`] on the blocking pool,
/// holds a delayed answer back without holding anything.
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
            let mut a = api_error(&fail(Exception::RequestEntityTooLarge, format!("Request body exceeds {MAX_BODY} bytes")));
            add_cors(&mut a, request.header("origin"));
            a
        }
        Some(bytes) => {
            request.body = bytes.to_vec();
            let app = app.clone();
            tokio::task::spawn_blocking(move || respond(&app, &request))
                .await
                .unwrap_or_else(|_| api_error(&internal("the request failed")))
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

/// Whether a path is a control endpoint (local origins only). The emulated identity providers'
/// pages belong to the hosted UI, the SigV4 services to the APIs: both open to every origin.
fn is_control(path: &str) -> bool {
    path.starts_with("/_emulator/") && !path.starts_with("/_emulator/idp/") && !path.starts_with("/_emulator/aws/")
}

fn refused(why: &str) -> Answer {
    json_response(403, &json!({"message": why}))
}

/// One request, answered (without sockets: the same code behind [`handle`] and `InProcess`).
pub fn respond(app: &App, req: &Request) -> Answer {
    if !app.policy.host_allowed(req.header("host")) {
        return refused("This Host is not the emulator's: start it with --allow-host NAME to reach it by that name");
    }
    let origin = req.header("origin");
    let control = is_control(&req.path);
    if let (true, Some(o)) = (control, origin) {
        if !app.policy.control_origin_allowed(o) {
            return refused(
                "The /_emulator/ endpoints answer local pages only: start the emulator with --allow-origin ORIGIN to allow this one",
            );
        }
    }
    let mut answer = if req.method == "OPTIONS" { preflight(req) } else { route(app, req) };
    add_cors(&mut answer, origin);
    answer
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
    let headers = [
        ("Access-Control-Allow-Methods".into(), "POST, GET, PUT, DELETE, HEAD, PATCH, OPTIONS".into()),
        ("Access-Control-Allow-Headers".into(), req_headers),
        ("Access-Control-Max-Age".into(), "600".into()),
    ];
    response(204, "", vec![], &headers)
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

/// The call of a hosted-UI or OAuth request: its app client is the `client_id` it names.
fn hosted_call(app: &App, r: &Request, text: &str) -> Call {
    let client = [r.query.as_str(), text].iter().find_map(|q| crate::http::query_param(q, "client_id"));
    Call { base: app.base.clone(), ip: r.ip.clone(), op: None, client, metadata: None }
}

fn route(app: &App, r: &Request) -> Answer {
    let mut tx = app.db.begin();
    let mut answer = route_in(app, &mut tx, r);
    // The Date header follows the pool's clock, so a test that moves a pool's clock looks, to a
    // client, like a device clock that is off.
    if let Some(now) = pool_for_request(&tx, &r.path, &r.query, &r.body).and_then(|p| tx.pools.get(&p)).map(|p| p.now()) {
        answer.set("Date", cognito_proto::time::format_http_date(now));
    }
    match tx.finish() {
        Ok(()) => answer,
        Err(e) => api_error(&internal(format!("The change could not be saved: {e}"))),
    }
}

fn route_in(app: &App, tx: &mut Tx, r: &Request) -> Answer {
    let (method, path, query) = (r.method.as_str(), r.path.as_str(), r.query.as_str());
    let text = String::from_utf8_lossy(&r.body).into_owned();
    let (cookies, auth) = (r.header("cookie").unwrap_or(""), r.header("authorization"));
    let call = hosted_call(app, r, &text);
    match (method, path) {
        ("POST", "/") => json_api(tx, &call, r),
        ("GET", "/") => json_response(200, &crate::control::ready_info(tx, &app.base)),
        ("GET", "/oauth2/authorize") => reply(hosted::authorize(tx, &call, query, cookies)),
        ("GET", "/login") => reply(hosted::login_get(tx, query)),
        ("POST", "/login") => reply(hosted::login_post(tx, &call, query, &text)),
        ("GET", "/signup") => reply(hosted::signup_get(tx, query, None)),
        ("POST", "/signup") => reply(hosted::signup_post(tx, &call, query, &text)),
        ("GET", "/forgotPassword") => reply(hosted::forgot_get(tx, query, None)),
        ("POST", "/forgotPassword") => reply(hosted::forgot_post(tx, &call, query, &text)),
        ("GET", "/confirmUser") => reply(hosted::confirm_user(tx, &call, query)),
        ("GET", "/error") => reply(hosted::error_page(query)),
        ("GET", "/logout") => reply(hosted::logout(tx, query, cookies)),
        ("POST", "/oauth2/token") => reply(hosted::token(tx, &call, r.header("content-type").unwrap_or(""), auth, &text)),
        ("GET" | "POST", "/oauth2/userInfo") => reply(hosted::user_info(tx, &call, auth)),
        ("POST", "/oauth2/revoke") => reply(hosted::revoke(tx, auth, &text)),
        (m, p) if p.starts_with("/_emulator/idp/") => {
            let provider = cognito_proto::codec::url_decode(&p["/_emulator/idp/".len()..]).unwrap_or_default();
            match m {
                "POST" => reply(hosted::idp_post(tx, &call, &provider, query, &text)),
                _ => reply(hosted::idp_get(tx, &provider, query)),
            }
        }
        (_, p) if p.starts_with("/_emulator/aws/") => crate::aws::handle(tx, r),
        (m, p) if p.starts_with("/_emulator/") => crate::control::handle(tx, &app.base, m, p, query, &r.body),
        ("GET", p) if p.ends_with("/.well-known/jwks.json") => {
            let pool = p.trim_end_matches("/.well-known/jwks.json").trim_start_matches('/');
            tx.count(pool, "jwks");
            jwks(tx, pool)
        }
        ("GET", p) if p.ends_with("/.well-known/openid-configuration") => {
            discovery(tx, &app.base, p.trim_end_matches("/.well-known/openid-configuration").trim_start_matches('/'))
        }
        _ => json_response(404, &json!({"message": "Not Found"})),
    }
}

/// Which pool a request concerns (for its clock, faults and quotas), when it can be told.
fn pool_for_request(db: &Db, path: &str, query: &str, body: &[u8]) -> Option<String> {
    if let Some((pool, tail)) = path.strip_prefix('/').and_then(|rest| rest.split_once('/')) {
        if tail.starts_with(".well-known/") {
            return Some(pool.to_string());
        }
    }
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        if let Some(c) = v["ClientId"].as_str() {
            return db.find_client(c).map(|(p, _)| p.config.id.clone());
        }
        for id in ["UserPoolId", "IdentityPoolId"] {
            if let Some(p) = v[id].as_str() {
                return Some(p.to_string());
            }
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

/// An injected fault for this call, if one matches: its error, or a delay for the answer.
fn take_fault(db: &mut Db, op: Op, pool: Option<&str>) -> Result<Option<u64>, ApiError> {
    let matches = |f: &crate::state::Fault| f.target.is_none_or(|t| t == op) && f.pool_id.as_deref().is_none_or(|p| pool == Some(p));
    let Some(i) = db.runtime.faults.iter().position(matches) else { return Ok(None) };
    let f = &mut db.runtime.faults[i];
    let mut e = fail(f.exception.clone(), "Injected fault");
    if let Some(s) = f.status {
        e.status = s;
    }
    let delay = f.delay_ms;
    f.count = f.count.saturating_sub(1);
    if f.count == 0 {
        db.runtime.faults.remove(i);
    }
    delay.map(Some).ok_or(e)
}

/// Counts the call against its pool's quotas: TooManyRequestsException past them.
fn check_quota(db: &mut Db, op: Op, pool: Option<&str>, body: &Value) -> ApiResult<()> {
    let Some(pool) = pool else { return Ok(()) };
    let rates = db.quotas_of(pool).clone();
    if rates.is_empty() {
        return Ok(());
    }
    let request = crate::quotas::Request { op, challenge: body["ChallengeName"].as_str() };
    match db.runtime.limiter.admit(pool, &rates, &request, std::time::Instant::now()) {
        true => Ok(()),
        false => Err(fail(Exception::TooManyRequests, "Rate exceeded")),
    }
}

fn json_api(tx: &mut Tx, call: &Call, r: &Request) -> Answer {
    let op = match crate::api::operation(r.header("x-amz-target").unwrap_or("")) {
        Ok(op) => op,
        Err(e) => return api_error(&e),
    };
    let ct = r.header("content-type").unwrap_or("");
    if !ct.starts_with("application/x-amz-json-1.1") && !ct.starts_with("application/x-amz-json-1.0") {
        return api_error(&fail(Exception::UnknownOperation, "Content-Type must be application/x-amz-json-1.1"));
    }
    let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
        return api_error(&fail(Exception::Serialization, "Start of structure or map found where not expected / malformed JSON"));
    };
    // Injected faults (tests of retry, error handling and races), for any pool or one.
    let pool = pool_for_request(tx, &r.path, &r.query, &r.body);
    let delay = match take_fault(tx, op, pool.as_deref()).and_then(|d| check_quota(tx, op, pool.as_deref(), &body).map(|_| d)) {
        Ok(d) => d,
        Err(e) => return api_error(&e),
    };
    let call = Call {
        op: Some(op),
        client: body["ClientId"].as_str().map(String::from),
        metadata: body.get("ClientMetadata").and_then(Value::as_object).cloned(),
        ..call.clone()
    };
    let mut answer = match crate::api::dispatch(tx, &call, op, body) {
        Ok(v) => api_ok(&v),
        Err(e) => api_error(&e),
    };
    // Carried out now; the answer goes out later (without holding the state).
    answer.delay_ms = delay;
    answer
}

fn jwks(db: &Db, pool_id: &str) -> Answer {
    let Some(pool) = db.pools.get(pool_id) else { return json_response(404, &json!({"message": "User pool not found"})) };
    let keys: Vec<Value> = pool.jwks_kids.iter().filter_map(|k| db.runtime.keys.get(k)).map(|k| Key::jwk(k)).collect();
    response(200, "application/json", json!({"keys": keys}).to_string(), &[("Cache-Control".into(), "public, max-age=3600".into())])
}

fn discovery(db: &Db, base: &str, pool_id: &str) -> Answer {
    if !db.pools.contains_key(pool_id) {
        return json_response(404, &json!({"message": "User pool not found"}));
    }
    let iss = db.issuer(base, pool_id);
    json_response(
        200,
        &json!({
            "issuer": iss,
            "jwks_uri": format!("{iss}/.well-known/jwks.json"),
            "authorization_endpoint": format!("{base}/oauth2/authorize"),
            "token_endpoint": format!("{base}/oauth2/token"),
            "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
            "end_session_endpoint": format!("{base}/logout"),
            "revocation_endpoint": format!("{base}/oauth2/revoke"),
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }),
    )
}
