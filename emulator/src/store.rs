//! Persistence for `--data FILE`: a SQLite database (rusqlite with the bundled SQLite, so no
//! system library), in WAL mode, written row by row, one transaction per change.
//!
//! ```text
//! a request changes the state (Table marks the rows; Changes the rest)
//!   → before the state is let go: the changed rows as statements (staging.rs), queued in order
//!   → before the answer: committed, one transaction per change, together with any other queued
//!     ones (a group commit, shared.rs); the disk is never waited on while the state is held
//! kill -9 at any moment: every answered change is in the WAL (synchronous=NORMAL: a commit is
//!   written before it returns; durable across a process crash, not necessarily a power cut)
//! the WAL is copied into the database and emptied every 64 changes (by the one writer, so it
//!   stays small under any load; wal_autocheckpoint is off), and by a thread of its own once the
//!   emulator is idle; freed pages go back to the file system (auto_vacuum=INCREMENTAL)
//! ```
//! A data file of the JSON format of earlier versions is imported on first start (`legacy.rs`).

use crate::staging::{region_prefix, Clients, Staged, Staging, DEFAULT_SCOPES};
use crate::state::*;
use crate::table::Table;
use crate::tokens::StoredKey;
use crate::util::format_uuid;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS keys (seq INTEGER PRIMARY KEY, kid TEXT NOT NULL, pkcs8 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pools (id TEXT PRIMARY KEY, settings TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS clients (ref INTEGER PRIMARY KEY, pool TEXT NOT NULL, client TEXT NOT NULL, UNIQUE (pool, client));
CREATE TABLE IF NOT EXISTS users (pool TEXT NOT NULL, username TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (pool, username)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS codes (pool TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (pool, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices (id INTEGER PRIMARY KEY, key NOT NULL UNIQUE, client INTEGER NOT NULL, username NOT NULL,
  group_key TEXT NOT NULL, salt TEXT, verifier TEXT, name TEXT, remembered INTEGER NOT NULL, created INTEGER NOT NULL,
  modified INTEGER NOT NULL, last_auth INTEGER NOT NULL, last_ip TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_tokens (id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, client INTEGER NOT NULL,
  username NOT NULL, device, origin NOT NULL, auth_time INTEGER NOT NULL, expires INTEGER NOT NULL, revoked INTEGER NOT NULL,
  rotated_at INTEGER, scopes TEXT, hosted INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS revoked (origin TEXT PRIMARY KEY, until INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identity_pools (id TEXT PRIMARY KEY, config TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS identities (pool TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (pool, id)) WITHOUT ROWID;
";

/// Changes between two checkpoints (the WAL holds at most about this many).
const CHECKPOINT_EVERY: u64 = 64;

/// The SQLite database behind `--data`.
pub struct Store {
    conn: Connection,
    /// Commits so far (the idle thread empties the WAL once they stop).
    commits: Arc<AtomicU64>,
    /// Changes committed since the WAL was last emptied.
    since_checkpoint: u64,
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn sql_err(e: rusqlite::Error) -> String {
    format!("data file: {e}")
}

fn connect(path: &Path) -> Result<Connection, String> {
    let conn = Connection::open(path).map_err(sql_err)?;
    conn.busy_timeout(Duration::from_secs(10)).map_err(sql_err)?;
    Ok(conn)
}

impl Store {
    /// Opens (or creates) the database at `path` and loads it. `path` may also hold a JSON data
    /// file of the earlier format: it is imported first (kept beside it as `<path>.bak`).
    pub fn open(path: &Path) -> Result<(Store, Staging, Db), String> {
        if crate::legacy::is_json(path)? {
            import(path)?;
        }
        let store = Store::open_sqlite(path)?;
        let mut staging = Staging::default();
        let db = store.load(&mut staging).map_err(sql_err)?;
        store.start_checkpoints(path);
        Ok((store, staging, db))
    }

    /// Creates a database at `path` holding `db` (every row of it marked), and closes it.
    fn write_new(path: &Path, db: &mut Db) -> Result<(), String> {
        let mut store = Store::open_sqlite(path)?;
        if let Some(set) = Staging::default().stage(db)? {
            store.commit(&set)?;
        }
        store.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").map_err(sql_err)
    }

    fn open_sqlite(path: &Path) -> Result<Store, String> {
        let conn = connect(path)?;
        // page_size and auto_vacuum only take effect before the first table exists.
        conn.execute_batch("PRAGMA page_size=1024; PRAGMA auto_vacuum=INCREMENTAL;").map_err(sql_err)?;
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=0;")
            .map_err(sql_err)?;
        conn.execute_batch(SCHEMA).map_err(sql_err)?;
        Ok(Store { conn, commits: Arc::new(AtomicU64::new(0)), since_checkpoint: 0, stop: Arc::new(AtomicBool::new(false)) })
    }

    /// A thread that empties the WAL (TRUNCATE) once the emulator has been idle for a while:
    /// the file then holds only the database.
    fn start_checkpoints(&self, path: &Path) {
        let (path, commits, stop) = (path.to_path_buf(), self.commits.clone(), self.stop.clone());
        std::thread::spawn(move || {
            let Ok(conn) = connect(&path) else { return };
            let (mut seen, mut emptied) = (u64::MAX, 0);
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(500));
                let now = commits.load(Ordering::Relaxed);
                if now == seen && now != emptied {
                    let done = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0));
                    if done == Ok(0) {
                        emptied = now;
                    }
                }
                seen = now;
            }
        });
    }

    fn load(&self, staging: &mut Staging) -> rusqlite::Result<Db> {
        let mut db = Db::default();
        let clients: Vec<(i64, String, String)> =
            self.rows("SELECT ref, pool, client FROM clients", |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        for (r, pool, client) in clients {
            staging.clients.known(r, pool, client);
        }
        db.keys = self.rows("SELECT kid, pkcs8 FROM keys ORDER BY seq", |r| Ok(StoredKey { kid: r.get(0)?, pkcs8: r.get(1)? }))?;
        for (id, settings) in self.rows("SELECT id, settings FROM pools", |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let header: PoolSettings = from_json(&settings)?;
            db.pools.insert(id, Pool::from_settings(header));
        }
        self.load_pool_rows(&mut db, &staging.clients)?;
        self.load_identity_pools(&mut db)?;
        let tokens = self.rows(
            "SELECT hash, client, username, device, origin, auth_time, expires, revoked, rotated_at, scopes, hosted FROM refresh_tokens",
            |r| token_row(&staging.clients, r),
        )?;
        db.refresh_tokens = tokens.into_iter().flatten().collect();
        db.revoked_origins = self.rows("SELECT origin, until FROM revoked", |r| Ok((r.get(0)?, r.get(1)?)))?.into_iter().collect();
        for data in self.rows("SELECT data FROM messages ORDER BY id", |r| r.get::<_, String>(0))? {
            db.messages.push(from_json(&data)?);
        }
        let next: Option<i64> = self.conn.query_row("SELECT value FROM meta WHERE key='next_message'", [], |r| r.get(0)).optional()?;
        db.next_message = next.unwrap_or(0).max(0) as u64;
        db.changes.keys_saved = db.keys.len();
        db.changes.messages_saved = db.next_message;
        Ok(db)
    }

    fn rows<T>(&self, sql: &str, f: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>) -> rusqlite::Result<Vec<T>> {
        let mut st = self.conn.prepare(sql)?;
        let rows = st.query_map([], f)?;
        rows.collect()
    }

    fn load_pool_rows(&self, db: &mut Db, clients: &Clients) -> rusqlite::Result<()> {
        let mut users = group(self.rows("SELECT pool, username, data FROM users", json_row::<User>)?);
        let mut codes = group(self.rows("SELECT pool, key, data FROM codes", json_row::<Code>)?);
        let devices = self.rows(
            "SELECT key, client, username, group_key, salt, verifier, name, remembered, created, modified, last_auth, last_ip FROM devices",
            |r| device_row(clients, r),
        )?;
        let mut devices = group(devices.into_iter().flatten().collect());
        for (id, pool) in db.pools.iter_mut() {
            pool.users = users.remove(id).unwrap_or_default().into_iter().collect();
            pool.codes = codes.remove(id).unwrap_or_default().into_iter().collect();
            pool.devices = devices.remove(id).unwrap_or_default().into_iter().collect();
        }
        Ok(())
    }

    fn load_identity_pools(&self, db: &mut Db) -> rusqlite::Result<()> {
        let mut identities = group(self.rows("SELECT pool, id, data FROM identities", json_row::<Identity>)?);
        for (id, config) in self.rows("SELECT id, config FROM identity_pools", |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let config = from_json(&config)?;
            let identities: Table<String, Identity> = identities.remove(&id).unwrap_or_default().into_iter().collect();
            db.identity_pools.insert(id, IdentityPool { config, identities });
        }
        Ok(())
    }
}

/// A device row: (pool, (key, device)); none when its app client is unknown.
fn device_row(clients: &Clients, r: &rusqlite::Row) -> rusqlite::Result<Option<(String, String, Device)>> {
    let Some((pool, client)) = clients.names.get(&r.get::<_, i64>(1)?) else { return Ok(None) };
    let key = id_text(r.get_ref(0)?, &region_prefix(pool))?;
    let d = Device {
        key: key.clone(),
        group_key: r.get(3)?,
        username: id_text(r.get_ref(2)?, "")?,
        client_id: client.clone(),
        salt_hex: r.get(4)?,
        verifier_hex: r.get(5)?,
        name: r.get(6)?,
        remembered: r.get(7)?,
        created: r.get(8)?,
        modified: r.get(9)?,
        last_auth: r.get(10)?,
        last_ip: r.get(11)?,
    };
    Ok(Some((pool.clone(), key, d)))
}

/// A refresh token row; none when its app client is unknown.
fn token_row(clients: &Clients, r: &rusqlite::Row) -> rusqlite::Result<Option<(TokenHash, RefreshRecord)>> {
    let Some((pool, client)) = clients.names.get(&r.get::<_, i64>(1)?) else { return Ok(None) };
    let hash: Vec<u8> = r.get(0)?;
    let Ok(hash) = <[u8; 16]>::try_from(hash.as_slice()) else { return Ok(None) };
    let device = match r.get_ref(3)? {
        ValueRef::Null => None,
        v => Some(id_text(v, &region_prefix(pool))?),
    };
    let scopes: Option<String> = r.get(9)?;
    let record = RefreshRecord {
        pool: pool.clone(),
        client: client.clone(),
        username: id_text(r.get_ref(2)?, "")?,
        device_key: device,
        origin_jti: id_text(r.get_ref(4)?, "")?,
        auth_time: r.get(5)?,
        expires: r.get(6)?,
        revoked: r.get(7)?,
        rotated_at: r.get(8)?,
        scopes: scopes.as_deref().unwrap_or(DEFAULT_SCOPES).split(' ').filter(|s| !s.is_empty()).map(String::from).collect(),
        hosted: r.get(10)?,
    };
    Ok(Some((TokenHash(hash), record)))
}

/// `<path><suffix>`.
fn sibling(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// Imports the JSON data file at `path`:
///
/// ```text
/// read it (legacy.rs) → every row into FILE.importing (SQLite, one transaction)
///   → copy FILE to FILE.bak → rename FILE.importing over FILE (atomic)
/// a crash before the rename leaves FILE as it was: the next start imports again
/// ```
fn import(path: &Path) -> Result<(), String> {
    let mut db = crate::legacy::read(path)?;
    let tmp = sibling(path, ".importing");
    for leftover in [tmp.clone(), sibling(&tmp, "-wal"), sibling(&tmp, "-shm")] {
        let _ = std::fs::remove_file(leftover);
    }
    Store::write_new(&tmp, &mut db)?;
    std::fs::copy(path, sibling(path, ".bak")).map_err(|e| format!("cannot keep a copy of {}: {e}", path.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot replace {}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Saving

// ---------------------------------------------------------------------------------------------
// Writing

impl Store {
    /// Writes one change: its statements in one transaction (nothing of it when it fails);
    /// every `CHECKPOINT_EVERY` changes, the WAL is then copied into the database and emptied.
    pub fn commit(&mut self, set: &Staged) -> Result<(), String> {
        let tx = self.conn.unchecked_transaction().map_err(sql_err)?;
        for st in &set.statements {
            let mut prepared = tx.prepare_cached(st.sql).map_err(sql_err)?;
            prepared.execute(rusqlite::params_from_iter(st.params.iter())).map_err(sql_err)?;
        }
        tx.commit().map_err(sql_err)?;
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.since_checkpoint += 1;
        if self.since_checkpoint >= CHECKPOINT_EVERY {
            let _ = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            self.since_checkpoint = 0;
        }
        Ok(())
    }

    /// Frees the pages deleted rows left (after pruning).
    pub fn vacuum(&self) {
        let _ = self.conn.execute_batch("PRAGMA incremental_vacuum;");
    }
}

// ---------------------------------------------------------------------------------------------
// Reading rows

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> rusqlite::Result<T> {
    serde_json::from_str(s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// `(pool, key, JSON data)` rows.
fn json_row<T: serde::de::DeserializeOwned>(r: &rusqlite::Row) -> rusqlite::Result<(String, String, T)> {
    Ok((r.get(0)?, r.get(1)?, from_json(&r.get::<_, String>(2)?)?))
}

/// Rows by pool.
fn group<T>(rows: Vec<(String, String, T)>) -> BTreeMap<String, Vec<(String, T)>> {
    let mut out: BTreeMap<String, Vec<(String, T)>> = BTreeMap::new();
    for (pool, key, v) in rows {
        out.entry(pool).or_default().push((key, v));
    }
    out
}

fn id_text(v: ValueRef, prefix: &str) -> rusqlite::Result<String> {
    match v {
        ValueRef::Blob(b) if b.len() == 16 => Ok(format!("{prefix}{}", format_uuid(b))),
        ValueRef::Text(t) => Ok(String::from_utf8_lossy(t).into_owned()),
        other => Err(rusqlite::Error::InvalidColumnType(0, "id".into(), other.data_type())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staging::id_value;
    use rusqlite::types::Value;

    #[test]
    fn ids_round_trip_compactly_or_as_text() {
        let u = crate::util::uuid();
        assert!(matches!(id_value(&u, ""), Value::Blob(ref b) if b.len() == 16));
        let key = format!("eu-west-1_{u}");
        let v = id_value(&key, "eu-west-1_");
        let back = match &v {
            Value::Blob(b) => id_text(ValueRef::Blob(b), "eu-west-1_").unwrap(),
            _ => panic!("compact"),
        };
        assert_eq!(back, key);
        for odd in ["demo", "ABCDEF00-0000-4000-8000-000000000000", "", "x_y"] {
            assert_eq!(id_value(odd, ""), Value::Text(odd.to_string()));
        }
        assert_eq!(region_prefix("us-east-1_Emulator1"), "us-east-1_");
    }
}
