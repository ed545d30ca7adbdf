//! The control endpoints under `/_emulator/` (emulator/README.md, "The /_emulator/ endpoints"),
//! served to local origins only (`policy.rs`):
//!
//! ```text
//! GET    health                         {"ok": true}
//! GET    config                         the ready line
//! POST   pools                          a pool config → its ids
//! DELETE pools/{id}
//! POST   pools/{id}/clock               {"advanceSeconds": n} | {"offsetSeconds": n}
//! POST   pools/{id}/rotate-keys         {"keepOld": bool}
//! POST   identity-pools                 an identity pool config → its id
//! GET    messages?poolId=&username=     what Cognito would have e-mailed or texted
//! GET    triggers?poolId=               Lambda trigger invocations
//! GET    stats?poolId=                  requests per operation (this run)
//! GET    quotas?poolId=                 the request-rate quotas in force
//! POST   faults / DELETE faults         inject errors or delays
//! POST   prune                          remove what has expired now (also done every 30 s)
//! ```
//! Also here: the state the emulator starts with (`initial_state`) and its ready line.

use crate::config::{Config, IdentityPoolConfig, PoolConfig};
use crate::error::ApiResult;
use crate::http::{json_response, query_param, Answer};
use crate::shared::Tx;
use crate::staging::Staging;
use crate::state::*;
use crate::store::Store;
use crate::tokens::Key;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::Path;

fn bad(m: impl Into<String>) -> Answer {
    json_response(400, &json!({"message": m.into()}))
}

fn ok(v: Value) -> Answer {
    json_response(200, &v)
}

/// A JSON body (`{}` when empty).
fn body_of<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(if body.is_empty() { b"{}" } else { body }).map_err(|e| e.to_string())
}

/// One control request.
pub fn handle(tx: &mut Tx, base: &str, method: &str, path: &str, query: &str, body: &[u8]) -> Answer {
    let parts: Vec<&str> = path.trim_start_matches("/_emulator/").split('/').collect();
    match (method, parts.as_slice()) {
        ("GET", ["health"]) => ok(json!({"ok": true})),
        ("GET", ["config"]) => ok(ready_info(tx, base)),
        ("GET", ["triggers"]) => {
            let pool = query_param(query, "poolId");
            let log: Vec<&crate::lambda::Invocation> =
                tx.runtime.trigger_log.iter().filter(|i| pool.as_ref().is_none_or(|p| *p == i.pool_id)).collect();
            ok(json!(log))
        }
        ("POST", ["pools"]) => add_pool(tx, base, body),
        ("POST", ["identity-pools"]) => match body_of::<IdentityPoolConfig>(body) {
            Ok(cfg) => tx
                .add_identity_pool(cfg)
                .map_or_else(|e| bad(e.message), |id| ok(json!({"identityPoolId": id, "identityEndpoint": format!("{base}/")}))),
            Err(e) => bad(format!("invalid identity pool config: {e}")),
        },
        ("DELETE", ["pools", id]) => {
            tx.remove_pool(id);
            ok(json!({}))
        }
        ("POST", ["pools", id, "clock"]) => clock(tx, id, body),
        ("POST", ["pools", id, "rotate-keys"]) => rotate_keys(tx, id, body).unwrap_or_else(|e| bad(e.message)),
        ("GET", ["messages"]) => messages(tx, query),
        ("GET", ["stats"]) => {
            ok(json!(tx.runtime.stats.get(&query_param(query, "poolId").unwrap_or_default()).cloned().unwrap_or_default()))
        }
        ("GET", ["quotas"]) => ok(json!(query_param(query, "poolId").map_or(&tx.quotas, |p| tx.quotas_of(&p)))),
        ("POST", ["faults"]) => match body_of::<Fault>(body) {
            Ok(f) => {
                tx.runtime.faults.push(f);
                ok(json!({"queued": tx.runtime.faults.len()}))
            }
            Err(e) => bad(format!("invalid fault: {e}")),
        },
        ("POST", ["prune"]) => {
            tx.prune();
            ok(json!({}))
        }
        ("DELETE", ["faults"]) => {
            tx.runtime.faults.clear();
            ok(json!({}))
        }
        _ => json_response(404, &json!({"message": "Not Found"})),
    }
}

/// A pool from its config: built (seed users' verifiers) with the state let go.
fn add_pool(tx: &mut Tx, base: &str, body: &[u8]) -> Answer {
    let cfg: PoolConfig = match body_of(body) {
        Ok(c) => c,
        Err(e) => return bad(format!("invalid pool config: {e}")),
    };
    let (id_kid, access_kid) = match tx.default_kids() {
        Ok(k) => k,
        Err(e) => return bad(e.message),
    };
    let built = tx.compute(move || Pool::build(cfg, &id_kid, &access_kid));
    let id = match built.and_then(|p| tx.insert_pool(p)) {
        Ok(id) => id,
        Err(e) => return bad(e.message),
    };
    let Some(pool) = tx.pools.get(&id) else { return bad("the pool is gone") };
    let clients: Vec<Value> = pool.clients.values().map(|c| json!({"clientId": c.id, "clientSecret": c.secret})).collect();
    ok(json!({
        "userPoolId": id,
        "clientId": pool.clients.keys().next(),
        "clients": clients,
        "endpoint": format!("{base}/"),
        "issuer": format!("{base}/{id}"),
        "hostedUiDomain": base,
    }))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Clock {
    advance_seconds: Option<i64>,
    offset_seconds: Option<i64>,
}

fn clock(tx: &mut Tx, id: &str, body: &[u8]) -> Answer {
    let c: Clock = body_of(body).unwrap_or_default();
    let Ok(pool) = tx.pool_settings_mut(id) else { return bad("no such pool") };
    if let Some(s) = c.advance_seconds {
        pool.clock_offset += s;
    }
    if let Some(s) = c.offset_seconds {
        pool.clock_offset = s;
    }
    ok(json!({"offsetSeconds": pool.clock_offset, "now": pool.now()}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Rotate {
    keep_old: bool,
}

impl Default for Rotate {
    fn default() -> Self {
        Rotate { keep_old: true }
    }
}

/// New signing keys for a pool (generated with the state let go: RSA key generation is slow).
fn rotate_keys(tx: &mut Tx, id: &str, body: &[u8]) -> ApiResult<Answer> {
    let r: Rotate = body_of(body).unwrap_or_default();
    tx.pool(id)?;
    let keys = tx.compute(|| Key::generate().and_then(|a| Ok((a, Key::generate()?))));
    let (k1, k2) = keys.map_err(crate::error::internal)?;
    let id_kid = tx.add_key(k1).map_err(crate::error::internal)?;
    let access_kid = tx.add_key(k2).map_err(crate::error::internal)?;
    let pool = tx.pool_settings_mut(id)?;
    if !r.keep_old {
        pool.jwks_kids.clear();
    }
    pool.id_kid = id_kid.clone();
    pool.access_kid = access_kid.clone();
    pool.jwks_kids.push(id_kid.clone());
    pool.jwks_kids.push(access_kid.clone());
    Ok(ok(json!({"idKid": id_kid, "accessKid": access_kid, "jwksKids": pool.jwks_kids})))
}

fn messages(db: &Db, query: &str) -> Answer {
    let pool = query_param(query, "poolId");
    let user = query_param(query, "username");
    let msgs: Vec<&Message> = db
        .messages
        .iter()
        .filter(|m| pool.as_ref().is_none_or(|p| &m.pool_id == p))
        .filter(|m| user.as_ref().is_none_or(|u| &m.username == u || &m.destination == u))
        .collect();
    ok(json!(msgs))
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

/// The state the emulator starts with: the data file's (`--data`, SQLite; created from the
/// config the first time), or the config's. Signing keys are made where there are none (tests
/// pass one pair: RSA key generation is the slowest thing the emulator does).
pub fn initial_state(config: &Config, data: Option<&Path>, keys: Option<(Key, Key)>) -> Result<(Db, Option<(Store, Staging)>), String> {
    let (store, mut db) = match data {
        Some(path) => {
            let (store, staging, db) = Store::open(path)?;
            (Some((store, staging)), db)
        }
        None => (None, Db::default()),
    };
    for k in &db.keys {
        let key = Key::from_stored(k)?;
        db.runtime.keys.insert(key.kid.clone(), std::sync::Arc::new(key));
    }
    db.quotas = config.quotas.clone();
    if db.keys.len() < 2 {
        let (id_key, access_key) = match keys {
            Some(k) => k,
            None => (Key::generate()?, Key::generate()?),
        };
        let (id_kid, access_kid) = (db.add_key(id_key)?, db.add_key(access_key)?);
        for p in &config.pools {
            let pool = Pool::build(p.clone(), &id_kid, &access_kid).map_err(|e| format!("pool {}: {}", p.id, e.message))?;
            db.insert_pool(pool).map_err(|e| format!("pool {}: {}", p.id, e.message))?;
        }
        for p in &config.identity_pools {
            db.add_identity_pool(p.clone()).map_err(|e| format!("identity pool {}: {}", p.id, e.message))?;
        }
    }
    let mut store = store;
    if let Some((store, staging)) = store.as_mut() {
        if let Some(set) = staging.stage(&mut db)? {
            store.commit(&set)?;
        }
    }
    Ok((db, store))
}
