//! The JSON data file of earlier versions (`--data FILE` rewrote the whole state as one JSON
//! document), read into the state so that `store.rs` can import it on first start: nothing a
//! user had is lost. Refresh tokens were kept by value; they are kept by hash from here on.

use crate::config::{ClientConfig, IdentityPoolConfig, PoolConfig};
use crate::state::*;
use crate::tokens::StoredKey;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

#[derive(Deserialize)]
struct LegacyPool {
    config: PoolConfig,
    clients: BTreeMap<String, ClientConfig>,
    users: BTreeMap<String, User>,
    devices: BTreeMap<String, Device>,
    codes: BTreeMap<String, Code>,
    clock_offset: i64,
    id_kid: String,
    access_kid: String,
    jwks_kids: Vec<String>,
}

#[derive(Deserialize)]
struct LegacyIdentityPool {
    config: IdentityPoolConfig,
    identities: BTreeMap<String, Identity>,
}

#[derive(Deserialize)]
struct LegacyDb {
    pools: BTreeMap<String, LegacyPool>,
    #[serde(default)]
    identity_pools: BTreeMap<String, LegacyIdentityPool>,
    keys: Vec<StoredKey>,
    refresh_tokens: HashMap<String, RefreshRecord>,
    revoked_origins: Vec<String>,
    messages: Vec<Message>,
    next_message: u64,
}

/// Whether `path` holds a JSON data file (SQLite files start with "SQLite format 3").
pub fn is_json(path: &Path) -> Result<bool, String> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// The state in the JSON data file at `path`, every row marked to be written.
pub fn read(path: &Path) -> Result<Db, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let legacy: LegacyDb = serde_json::from_slice(&bytes).map_err(|e| format!("{} is not an emulator data file: {e}", path.display()))?;
    Ok(into_db(legacy))
}

/// The state, every row marked to be written.
fn into_db(l: LegacyDb) -> Db {
    let mut db = Db { keys: l.keys, messages: l.messages, next_message: l.next_message, ..Db::default() };
    for (id, p) in l.pools {
        let header = PoolSettings {
            config: p.config,
            clients: p.clients,
            clock_offset: p.clock_offset,
            id_kid: p.id_kid,
            access_kid: p.access_kid,
            jwks_kids: p.jwks_kids,
        };
        let mut pool = Pool::from_settings(header);
        for (k, v) in p.users {
            pool.users.insert(k, v);
        }
        for (k, v) in p.devices {
            pool.devices.insert(k, v);
        }
        for (k, v) in p.codes {
            pool.codes.insert(k, v);
        }
        db.changes.pools_replaced.insert(id.clone());
        db.pools.insert(id, pool);
    }
    for (id, p) in l.identity_pools {
        db.identity_pools.insert(id.clone(), IdentityPool { config: p.config, identities: p.identities.into_iter().collect() });
        db.changes.identity_pools.insert(id);
    }
    for (token, r) in l.refresh_tokens {
        db.refresh_tokens.insert(TokenHash::of(&token), r);
    }
    // The old file kept revoked families for ever: keep each while an access token of it may
    // still be valid.
    let longest = db.pools.values().map(Pool::longest_access_token).max().unwrap_or(0).max(86_400);
    let until = crate::util::system_now() + longest;
    for o in l.revoked_origins {
        db.revoked_origins.insert(o, until);
    }
    db
}
