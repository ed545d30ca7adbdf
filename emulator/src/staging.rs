//! Turning the state's changes into SQL statements for `store.rs`: the rows a request marked
//! (`Table`, `Changes`), read under the state's lock and written out as owned statements, so the
//! disk is never touched while the state is held. Rows are small where they are many: a refresh
//! token is the first 16 bytes of its SHA-256 (the token itself is never stored) and its record,
//! with UUIDs as 16 bytes and the pool and app client as a number; devices likewise. Users, codes,
//! pools and messages are JSON.

use crate::state::*;
use crate::table::Table;
use crate::util::format_uuid;
use rusqlite::types::Value;
use std::collections::HashMap;

/// A parameter, owned (a statement outlives the state it was read from).
fn owned(v: &dyn rusqlite::ToSql) -> Value {
    match v.to_sql() {
        Ok(rusqlite::types::ToSqlOutput::Owned(v)) => v,
        Ok(rusqlite::types::ToSqlOutput::Borrowed(r)) => Value::try_from(r).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// Owned SQL parameters.
macro_rules! vals {
    ($($v:expr),* $(,)?) => { vec![$(owned(&$v)),*] };
}

/// The scopes of an API sign-in's tokens (stored as NULL).
pub const DEFAULT_SCOPES: &str = "aws.cognito.signin.user.admin";

/// One statement with its parameters.
pub struct Statement {
    pub sql: &'static str,
    pub params: Vec<Value>,
}

/// The statements of one request's changes, numbered in the order they were made.
pub struct Staged {
    pub seq: u64,
    pub statements: Vec<Statement>,
}

/// What turns changes into statements: the numbers of (pool, client) pairs, and the count of
/// sets staged so far.
#[derive(Default)]
pub struct Staging {
    pub clients: Clients,
    pub staged: u64,
}

impl Staging {
    /// The statements for what changed since the last call; none when nothing did.
    pub fn stage(&mut self, db: &mut Db) -> Result<Option<Staged>, String> {
        let b = Batch::take(db);
        if b.is_empty(db) {
            return Ok(None);
        }
        let mut w = Writer { out: vec![], clients: &mut self.clients };
        for id in &b.pools_replaced {
            w.replace_pool(id, db.pools.get(id))?;
        }
        for id in b.pool_settings.iter().filter(|id| !b.pools_replaced.contains(*id)) {
            if let Some(p) = db.pools.get(id) {
                w.settings(id, p)?;
            }
        }
        w.pool_rows(db, &b)?;
        w.identity_pools(db, &b)?;
        w.tokens(db, &b.tokens)?;
        w.revoked(db, &b.revoked)?;
        w.keys_and_messages(db, &b)?;
        db.changes.keys_saved = db.keys.len();
        db.changes.messages_saved = db.next_message;
        self.staged += 1;
        Ok(Some(Staged { seq: self.staged, statements: w.out }))
    }
}

/// (pool, client) ↔ the number standing for them in token and device rows.
#[derive(Default)]
pub struct Clients {
    refs: HashMap<(String, String), i64>,
    pub names: HashMap<i64, (String, String)>,
}

impl Clients {
    pub fn known(&mut self, r: i64, pool: String, client: String) {
        self.names.insert(r, (pool.clone(), client.clone()));
        self.refs.insert((pool, client), r);
    }

    /// The number of (pool, client), made (and its row written) the first time.
    fn id(&mut self, out: &mut Vec<Statement>, pool: &str, client: &str) -> i64 {
        if let Some(r) = self.refs.get(&(pool.to_string(), client.to_string())) {
            return *r;
        }
        let r = self.names.keys().max().map_or(1, |m| m + 1);
        out.push(Statement { sql: "INSERT INTO clients (ref, pool, client) VALUES (?1, ?2, ?3)", params: vals![r, pool, client] });
        self.known(r, pool.to_string(), client.to_string());
        r
    }
}

/// What one save writes: the marks taken out of the state.
#[derive(Default)]
struct Batch {
    pools_replaced: std::collections::BTreeSet<String>,
    pool_settings: std::collections::BTreeSet<String>,
    identity_pools: std::collections::BTreeSet<String>,
    users: Vec<(String, Vec<String>)>,
    devices: Vec<(String, Vec<String>)>,
    codes: Vec<(String, Vec<String>)>,
    identities: Vec<(String, Vec<String>)>,
    tokens: Vec<TokenHash>,
    revoked: Vec<String>,
    keys_from: usize,
    messages_from: u64,
}

fn taken<K: Ord + Clone, V>(t: &mut Table<K, V>) -> Vec<K> {
    t.take_changed().into_iter().collect()
}

impl Batch {
    fn take(db: &mut Db) -> Batch {
        let mut b = Batch {
            pools_replaced: std::mem::take(&mut db.changes.pools_replaced),
            pool_settings: std::mem::take(&mut db.changes.pool_settings),
            identity_pools: std::mem::take(&mut db.changes.identity_pools),
            tokens: taken(&mut db.refresh_tokens),
            revoked: taken(&mut db.revoked_origins),
            keys_from: db.changes.keys_saved,
            messages_from: db.changes.messages_saved,
            ..Batch::default()
        };
        for (id, p) in db.pools.iter_mut() {
            b.users.push((id.clone(), taken(&mut p.users)));
            b.devices.push((id.clone(), taken(&mut p.devices)));
            b.codes.push((id.clone(), taken(&mut p.codes)));
        }
        for (id, p) in db.identity_pools.iter_mut() {
            b.identities.push((id.clone(), taken(&mut p.identities)));
        }
        b
    }

    fn is_empty(&self, db: &Db) -> bool {
        let rows = |v: &Vec<(String, Vec<String>)>| v.iter().all(|(_, k)| k.is_empty());
        self.pools_replaced.is_empty()
            && self.pool_settings.is_empty()
            && self.identity_pools.is_empty()
            && self.tokens.is_empty()
            && self.revoked.is_empty()
            && rows(&self.users)
            && rows(&self.devices)
            && rows(&self.codes)
            && rows(&self.identities)
            && self.keys_from == db.keys.len()
            && self.messages_from == db.next_message
    }
}

/// Turns changed rows into statements.
struct Writer<'a> {
    out: Vec<Statement>,
    clients: &'a mut Clients,
}

impl Writer<'_> {
    fn run(&mut self, sql: &'static str, params: Vec<Value>) -> Result<(), String> {
        self.out.push(Statement { sql, params });
        Ok(())
    }

    fn replace_pool(&mut self, id: &str, pool: Option<&Pool>) -> Result<(), String> {
        self.run("DELETE FROM pools WHERE id = ?1", vals![id])?;
        self.run("DELETE FROM users WHERE pool = ?1", vals![id])?;
        self.run("DELETE FROM codes WHERE pool = ?1", vals![id])?;
        self.run("DELETE FROM devices WHERE client IN (SELECT ref FROM clients WHERE pool = ?1)", vals![id])?;
        let Some(p) = pool else { return Ok(()) };
        self.settings(id, p)?;
        for u in p.users.values() {
            self.user(id, Some(u), &u.username)?;
        }
        for (k, c) in p.codes.iter() {
            self.code(id, k, Some(c))?;
        }
        for (k, d) in p.devices.iter() {
            self.device(id, k, Some(d))?;
        }
        Ok(())
    }

    fn settings(&mut self, id: &str, p: &Pool) -> Result<(), String> {
        self.run("INSERT OR REPLACE INTO pools (id, settings) VALUES (?1, ?2)", vals![id, to_json(&p.settings)?])?;
        Ok(())
    }

    fn pool_rows(&mut self, db: &Db, b: &Batch) -> Result<(), String> {
        let live = |id: &String| db.pools.get(id).filter(|_| !b.pools_replaced.contains(id));
        for (id, keys) in &b.users {
            let Some(p) = live(id) else { continue };
            for k in keys {
                self.user(id, p.users.get(k), k)?;
            }
        }
        for (id, keys) in &b.codes {
            let Some(p) = live(id) else { continue };
            for k in keys {
                self.code(id, k, p.codes.get(k))?;
            }
        }
        for (id, keys) in &b.devices {
            let Some(p) = live(id) else { continue };
            for k in keys {
                self.device(id, k, p.devices.get(k))?;
            }
        }
        Ok(())
    }

    fn user(&mut self, pool: &str, u: Option<&User>, name: &str) -> Result<(), String> {
        match u {
            Some(u) => self.run("INSERT OR REPLACE INTO users (pool, username, data) VALUES (?1, ?2, ?3)", vals![pool, name, to_json(u)?]),
            None => self.run("DELETE FROM users WHERE pool = ?1 AND username = ?2", vals![pool, name]),
        }
        .map(drop)
    }

    fn code(&mut self, pool: &str, key: &str, c: Option<&Code>) -> Result<(), String> {
        match c {
            Some(c) => self.run("INSERT OR REPLACE INTO codes (pool, key, data) VALUES (?1, ?2, ?3)", vals![pool, key, to_json(c)?]),
            None => self.run("DELETE FROM codes WHERE pool = ?1 AND key = ?2", vals![pool, key]),
        }
        .map(drop)
    }

    fn device(&mut self, pool: &str, key: &str, d: Option<&Device>) -> Result<(), String> {
        let stored_key = id_value(key, &region_prefix(pool));
        let Some(d) = d else {
            return self.run("DELETE FROM devices WHERE key = ?1", vals![stored_key]).map(drop);
        };
        let client = self.clients.id(&mut self.out, pool, &d.client_id);
        self
            .run(
                "INSERT OR REPLACE INTO devices (key, client, username, group_key, salt, verifier, name, remembered, created, modified, last_auth, last_ip)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                vals![
                    stored_key,
                    client,
                    id_value(&d.username, ""),
                    d.group_key,
                    d.salt_hex,
                    d.verifier_hex,
                    d.name,
                    d.remembered,
                    d.created,
                    d.modified,
                    d.last_auth,
                    d.last_ip
                ],
            )
            .map(drop)
    }

    fn identity_pools(&mut self, db: &Db, b: &Batch) -> Result<(), String> {
        for id in &b.identity_pools {
            self.run("DELETE FROM identity_pools WHERE id = ?1", vals![id])?;
            self.run("DELETE FROM identities WHERE pool = ?1", vals![id])?;
            let Some(p) = db.identity_pools.get(id) else { continue };
            self.run("INSERT INTO identity_pools (id, config) VALUES (?1, ?2)", vals![id, to_json(&p.config)?])?;
            for k in p.identities.keys() {
                self.identity(id, k, p.identities.get(k))?;
            }
        }
        for (id, keys) in &b.identities {
            let Some(p) = db.identity_pools.get(id).filter(|_| !b.identity_pools.contains(id)) else { continue };
            for k in keys {
                self.identity(id, k, p.identities.get(k))?;
            }
        }
        Ok(())
    }

    fn identity(&mut self, pool: &str, id: &str, i: Option<&Identity>) -> Result<(), String> {
        match i {
            Some(i) => self.run("INSERT OR REPLACE INTO identities (pool, id, data) VALUES (?1, ?2, ?3)", vals![pool, id, to_json(i)?]),
            None => self.run("DELETE FROM identities WHERE pool = ?1 AND id = ?2", vals![pool, id]),
        }
        .map(drop)
    }

    fn tokens(&mut self, db: &Db, hashes: &[TokenHash]) -> Result<(), String> {
        for h in hashes {
            let Some(r) = db.refresh_tokens.get(h) else {
                self.run("DELETE FROM refresh_tokens WHERE hash = ?1", vals![h.0.to_vec()])?;
                continue;
            };
            let client = self.clients.id(&mut self.out, &r.pool, &r.client);
            let scopes = Some(r.scopes.join(" ")).filter(|s| s != DEFAULT_SCOPES);
            let device = r.device_key.as_deref().map(|k| id_value(k, &region_prefix(&r.pool)));
            self.run(
                "INSERT OR REPLACE INTO refresh_tokens (hash, client, username, device, origin, auth_time, expires, revoked, rotated_at, scopes, hosted)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                vals![
                    h.0.to_vec(),
                    client,
                    id_value(&r.username, ""),
                    device,
                    id_value(&r.origin_jti, ""),
                    r.auth_time,
                    r.expires,
                    r.revoked,
                    r.rotated_at,
                    scopes,
                    r.hosted
                ],
            )?;
        }
        Ok(())
    }

    fn revoked(&mut self, db: &Db, origins: &[String]) -> Result<(), String> {
        for o in origins {
            match db.revoked_origins.get(o) {
                Some(until) => self.run("INSERT OR REPLACE INTO revoked (origin, until) VALUES (?1, ?2)", vals![o, until])?,
                None => self.run("DELETE FROM revoked WHERE origin = ?1", vals![o])?,
            };
        }
        Ok(())
    }

    fn keys_and_messages(&mut self, db: &Db, b: &Batch) -> Result<(), String> {
        for (i, k) in db.keys.iter().enumerate().skip(b.keys_from) {
            self.run(
                "INSERT OR REPLACE INTO keys (seq, kid, pkcs8) VALUES (?1, ?2, ?3)",
                vals![i as i64, k.kid.as_str(), k.pkcs8.as_str()],
            )?;
        }
        if b.messages_from == db.next_message {
            return Ok(());
        }
        for m in db.messages.iter().filter(|m| m.id > b.messages_from) {
            self.run("INSERT OR REPLACE INTO messages (id, data) VALUES (?1, ?2)", vals![m.id as i64, to_json(m)?])?;
        }
        let first = db.messages.first().map(|m| m.id).unwrap_or(db.next_message + 1);
        self.run("DELETE FROM messages WHERE id < ?1", vals![first as i64])?;
        self.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_message', ?1)", vals![db.next_message as i64])?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Encodings

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| e.to_string())
}

/// `us-east-1_` for a pool `us-east-1_Abc` (device keys start with their pool's region).
pub fn region_prefix(pool: &str) -> String {
    format!("{}_", pool.split('_').next().unwrap_or(""))
}

/// `prefix` followed by a UUID is stored as the UUID's 16 bytes; anything else as text.
pub fn id_value(s: &str, prefix: &str) -> Value {
    match s.strip_prefix(prefix).and_then(uuid_bytes) {
        Some(b) => Value::Blob(b.to_vec()),
        None => Value::Text(s.to_string()),
    }
}

/// The 16 bytes of a lowercase canonical UUID (only what prints back the same).
pub fn uuid_bytes(s: &str) -> Option<[u8; 16]> {
    if s.len() != 36 {
        return None;
    }
    let bytes = cognito_proto::codec::hex_decode(&s.replace('-', ""))?;
    let b: [u8; 16] = bytes.try_into().ok()?;
    (format_uuid(&b) == s).then_some(b)
}
