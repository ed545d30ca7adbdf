//! Persistence for `--data FILE`: a SQLite database (rusqlite with the bundled SQLite, so no
//! system library), written row by row, one transaction per change, in WAL mode.
//!
//! ```text
//! a request changes the state (Table marks the rows; Changes the rest)
//!   → before the lock is let go (the answer, or a trigger or signature that runs unlocked):
//!     Store::save writes exactly the changed rows in one transaction, then the answer goes out
//! kill -9 at any moment: every answered change is in the WAL (synchronous=NORMAL: a commit is
//!   written before it returns; durable across a process crash, not necessarily a power cut)
//! the WAL is copied into the database and emptied every 64 commits (by the one writer, so it
//!   stays small under any load; wal_autocheckpoint is off), and by a thread of its own once the
//!   emulator is idle; freed pages go back to the file system (auto_vacuum=INCREMENTAL)
//! ```
//! Rows are small where they are many: a refresh token is its SHA-256 (first 16 bytes; the token
//! itself is never stored) and its record, with UUIDs as 16 bytes and the pool and app client as
//! a number; devices likewise. Users, codes, pools and messages are JSON. A data file of the
//! JSON format of earlier versions is imported on first start (`legacy.rs`).

use crate::state::*;
use crate::table::Table;
use crate::tokens::StoredKey;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::collections::{BTreeMap, HashMap};
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

/// Commits between two checkpoints (the WAL holds at most about this many changes).
const CHECKPOINT_EVERY: u64 = 64;

/// The scopes of an API sign-in's tokens (stored as NULL).
const DEFAULT_SCOPES: &str = "aws.cognito.signin.user.admin";

/// The SQLite database behind `--data`.
pub struct Store {
    conn: Connection,
    clients: Clients,
    /// Commits so far (the idle thread empties the WAL once they stop).
    commits: Arc<AtomicU64>,
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
    pub fn open(path: &Path) -> Result<(Store, Db), String> {
        if crate::legacy::is_json(path)? {
            import(path)?;
        }
        let mut store = Store::open_sqlite(path)?;
        let db = store.load().map_err(sql_err)?;
        store.start_checkpoints(path);
        Ok((store, db))
    }

    /// Creates a database at `path` holding `db` (every row of it marked), and closes it.
    pub fn write_new(path: &Path, db: &mut Db) -> Result<(), String> {
        let mut store = Store::open_sqlite(path)?;
        store.save(db)?;
        store.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").map_err(sql_err)
    }

    fn open_sqlite(path: &Path) -> Result<Store, String> {
        let conn = connect(path)?;
        // page_size and auto_vacuum only take effect before the first table exists.
        conn.execute_batch("PRAGMA page_size=1024; PRAGMA auto_vacuum=INCREMENTAL;").map_err(sql_err)?;
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=0;")
            .map_err(sql_err)?;
        conn.execute_batch(SCHEMA).map_err(sql_err)?;
        Ok(Store { conn, clients: Clients::default(), commits: Arc::new(AtomicU64::new(0)), stop: Arc::new(AtomicBool::new(false)) })
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

    fn load(&mut self) -> rusqlite::Result<Db> {
        let mut db = Db::default();
        self.load_clients()?;
        db.keys = self.rows("SELECT kid, pkcs8 FROM keys ORDER BY seq", |r| Ok(StoredKey { kid: r.get(0)?, pkcs8: r.get(1)? }))?;
        for (id, settings) in self.rows("SELECT id, settings FROM pools", |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let header: PoolSettings = from_json(&settings)?;
            db.pools.insert(id, Pool::from_settings(header));
        }
        self.load_pool_rows(&mut db)?;
        self.load_identity_pools(&mut db)?;
        let tokens = self.rows(
            "SELECT hash, client, username, device, origin, auth_time, expires, revoked, rotated_at, scopes, hosted FROM refresh_tokens",
            |r| self.token_row(r),
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

    fn load_clients(&mut self) -> rusqlite::Result<()> {
        let rows: Vec<(i64, String, String)> =
            self.rows("SELECT ref, pool, client FROM clients", |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        for (r, pool, client) in rows {
            self.clients.names.insert(r, (pool.clone(), client.clone()));
            self.clients.refs.insert((pool, client), r);
        }
        Ok(())
    }

    fn load_pool_rows(&self, db: &mut Db) -> rusqlite::Result<()> {
        let mut users = group(self.rows("SELECT pool, username, data FROM users", json_row::<User>)?);
        let mut codes = group(self.rows("SELECT pool, key, data FROM codes", json_row::<Code>)?);
        let devices = self.rows(
            "SELECT key, client, username, group_key, salt, verifier, name, remembered, created, modified, last_auth, last_ip FROM devices",
            |r| self.device_row(r),
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

    /// A device row: (pool, (key, device)); none when its app client is unknown.
    fn device_row(&self, r: &rusqlite::Row) -> rusqlite::Result<Option<(String, String, Device)>> {
        let Some((pool, client)) = self.clients.names.get(&r.get::<_, i64>(1)?) else { return Ok(None) };
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
    fn token_row(&self, r: &rusqlite::Row) -> rusqlite::Result<Option<(TokenHash, RefreshRecord)>> {
        let Some((pool, client)) = self.clients.names.get(&r.get::<_, i64>(1)?) else { return Ok(None) };
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

/// (pool, client) ↔ the number standing for them in token and device rows.
#[derive(Default)]
struct Clients {
    refs: HashMap<(String, String), i64>,
    names: HashMap<i64, (String, String)>,
}

impl Clients {
    fn id(&mut self, tx: &Transaction, pool: &str, client: &str) -> rusqlite::Result<i64> {
        if let Some(r) = self.refs.get(&(pool.to_string(), client.to_string())) {
            return Ok(*r);
        }
        tx.execute("INSERT INTO clients (pool, client) VALUES (?1, ?2)", params![pool, client])?;
        let r = tx.last_insert_rowid();
        self.refs.insert((pool.into(), client.into()), r);
        self.names.insert(r, (pool.into(), client.into()));
        Ok(r)
    }
}

/// What one save writes: the marks taken out of the state (put back if the write fails).
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

    /// Marks everything again (the write failed).
    fn restore(self, db: &mut Db) {
        db.changes.pools_replaced.extend(self.pools_replaced);
        db.changes.pool_settings.extend(self.pool_settings);
        db.changes.identity_pools.extend(self.identity_pools);
        db.refresh_tokens.mark(self.tokens);
        db.revoked_origins.mark(self.revoked);
        remark(&mut db.pools, self.users, |p| &mut p.users);
        remark(&mut db.pools, self.devices, |p| &mut p.devices);
        remark(&mut db.pools, self.codes, |p| &mut p.codes);
        for (id, keys) in self.identities {
            if let Some(p) = db.identity_pools.get_mut(&id) {
                p.identities.mark(keys);
            }
        }
    }
}

/// Marks the rows of one table of each pool again.
fn remark<V>(pools: &mut BTreeMap<String, Pool>, rows: Vec<(String, Vec<String>)>, table: impl Fn(&mut Pool) -> &mut Table<String, V>) {
    for (id, keys) in rows {
        if let Some(p) = pools.get_mut(&id) {
            table(p).mark(keys);
        }
    }
}

impl Store {
    /// Writes what changed since the last save, in one transaction. When it fails nothing is
    /// written and the changes stay marked (the next save tries them again).
    pub fn save(&mut self, db: &mut Db) -> Result<(), String> {
        let batch = Batch::take(db);
        if batch.is_empty(db) {
            return Ok(());
        }
        match self.write(db, &batch) {
            Ok(()) => {
                db.changes.keys_saved = db.keys.len();
                db.changes.messages_saved = db.next_message;
                let n = self.commits.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_multiple_of(CHECKPOINT_EVERY) {
                    // The only writer, holding the state: nothing waits on this but the state's
                    // next user, and the WAL stays small under any load.
                    let _ = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                }
                Ok(())
            }
            Err(e) => {
                batch.restore(db);
                Err(sql_err(e))
            }
        }
    }

    fn write(&mut self, db: &Db, b: &Batch) -> rusqlite::Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        let w = &mut Writer { tx: &tx, clients: &mut self.clients };
        for id in &b.pools_replaced {
            w.replace_pool(id, db.pools.get(id))?;
        }
        for id in b.pool_settings.iter().filter(|id| !b.pools_replaced.contains(*id)) {
            if let Some(p) = db.pools.get(id) {
                w.settings(id, p)?;
            }
        }
        w.pool_rows(db, b)?;
        w.identity_pools(db, b)?;
        w.tokens(db, &b.tokens)?;
        w.revoked(db, &b.revoked)?;
        w.keys_and_messages(db, b)?;
        drop(tx.commit());
        Ok(())
    }

    /// Frees the pages deleted rows left (after pruning).
    pub fn vacuum(&self) {
        let _ = self.conn.execute_batch("PRAGMA incremental_vacuum;");
    }
}

struct Writer<'a> {
    tx: &'a Transaction<'a>,
    clients: &'a mut Clients,
}

impl Writer<'_> {
    /// One statement (compiled once per connection).
    fn run(&self, sql: &str, p: impl rusqlite::Params) -> rusqlite::Result<usize> {
        self.tx.prepare_cached(sql)?.execute(p)
    }

    fn replace_pool(&mut self, id: &str, pool: Option<&Pool>) -> rusqlite::Result<()> {
        let tx = self.tx;
        for table in ["pools WHERE id", "users WHERE pool", "codes WHERE pool"] {
            tx.execute(&format!("DELETE FROM {table} = ?1"), params![id])?;
        }
        tx.execute("DELETE FROM devices WHERE client IN (SELECT ref FROM clients WHERE pool = ?1)", params![id])?;
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

    fn settings(&mut self, id: &str, p: &Pool) -> rusqlite::Result<()> {
        self.run("INSERT OR REPLACE INTO pools (id, settings) VALUES (?1, ?2)", params![id, to_json(&p.settings)?])?;
        Ok(())
    }

    fn pool_rows(&mut self, db: &Db, b: &Batch) -> rusqlite::Result<()> {
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

    fn user(&mut self, pool: &str, u: Option<&User>, name: &str) -> rusqlite::Result<()> {
        match u {
            Some(u) => {
                self.run("INSERT OR REPLACE INTO users (pool, username, data) VALUES (?1, ?2, ?3)", params![pool, name, to_json(u)?])
            }
            None => self.run("DELETE FROM users WHERE pool = ?1 AND username = ?2", params![pool, name]),
        }
        .map(drop)
    }

    fn code(&mut self, pool: &str, key: &str, c: Option<&Code>) -> rusqlite::Result<()> {
        match c {
            Some(c) => self.run("INSERT OR REPLACE INTO codes (pool, key, data) VALUES (?1, ?2, ?3)", params![pool, key, to_json(c)?]),
            None => self.run("DELETE FROM codes WHERE pool = ?1 AND key = ?2", params![pool, key]),
        }
        .map(drop)
    }

    fn device(&mut self, pool: &str, key: &str, d: Option<&Device>) -> rusqlite::Result<()> {
        let stored_key = id_value(key, &region_prefix(pool));
        let Some(d) = d else {
            return self.run("DELETE FROM devices WHERE key = ?1", params![stored_key]).map(drop);
        };
        let client = self.clients.id(self.tx, pool, &d.client_id)?;
        self.tx
            .execute(
                "INSERT OR REPLACE INTO devices (key, client, username, group_key, salt, verifier, name, remembered, created, modified, last_auth, last_ip)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
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

    fn identity_pools(&mut self, db: &Db, b: &Batch) -> rusqlite::Result<()> {
        for id in &b.identity_pools {
            self.run("DELETE FROM identity_pools WHERE id = ?1", params![id])?;
            self.run("DELETE FROM identities WHERE pool = ?1", params![id])?;
            let Some(p) = db.identity_pools.get(id) else { continue };
            self.run("INSERT INTO identity_pools (id, config) VALUES (?1, ?2)", params![id, to_json(&p.config)?])?;
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

    fn identity(&mut self, pool: &str, id: &str, i: Option<&Identity>) -> rusqlite::Result<()> {
        match i {
            Some(i) => self.run("INSERT OR REPLACE INTO identities (pool, id, data) VALUES (?1, ?2, ?3)", params![pool, id, to_json(i)?]),
            None => self.run("DELETE FROM identities WHERE pool = ?1 AND id = ?2", params![pool, id]),
        }
        .map(drop)
    }

    fn tokens(&mut self, db: &Db, hashes: &[TokenHash]) -> rusqlite::Result<()> {
        for h in hashes {
            let Some(r) = db.refresh_tokens.get(h) else {
                self.run("DELETE FROM refresh_tokens WHERE hash = ?1", params![&h.0[..]])?;
                continue;
            };
            let client = self.clients.id(self.tx, &r.pool, &r.client)?;
            let scopes = Some(r.scopes.join(" ")).filter(|s| s != DEFAULT_SCOPES);
            let device = r.device_key.as_deref().map(|k| id_value(k, &region_prefix(&r.pool)));
            self.run(
                "INSERT OR REPLACE INTO refresh_tokens (hash, client, username, device, origin, auth_time, expires, revoked, rotated_at, scopes, hosted)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    &h.0[..],
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

    fn revoked(&mut self, db: &Db, origins: &[String]) -> rusqlite::Result<()> {
        for o in origins {
            match db.revoked_origins.get(o) {
                Some(until) => self.run("INSERT OR REPLACE INTO revoked (origin, until) VALUES (?1, ?2)", params![o, until])?,
                None => self.run("DELETE FROM revoked WHERE origin = ?1", params![o])?,
            };
        }
        Ok(())
    }

    fn keys_and_messages(&mut self, db: &Db, b: &Batch) -> rusqlite::Result<()> {
        for (i, k) in db.keys.iter().enumerate().skip(b.keys_from) {
            self.run("INSERT OR REPLACE INTO keys (seq, kid, pkcs8) VALUES (?1, ?2, ?3)", params![i as i64, k.kid, k.pkcs8])?;
        }
        if b.messages_from == db.next_message {
            return Ok(());
        }
        for m in db.messages.iter().filter(|m| m.id > b.messages_from) {
            self.run("INSERT OR REPLACE INTO messages (id, data) VALUES (?1, ?2)", params![m.id as i64, to_json(m)?])?;
        }
        let first = db.messages.first().map(|m| m.id).unwrap_or(db.next_message + 1);
        self.run("DELETE FROM messages WHERE id < ?1", params![first as i64])?;
        self.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_message', ?1)", params![db.next_message as i64])?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Encodings

fn to_json<T: serde::Serialize>(v: &T) -> rusqlite::Result<String> {
    serde_json::to_string(v).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

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

/// `us-east-1_` for a pool `us-east-1_Abc` (device keys start with their pool's region).
fn region_prefix(pool: &str) -> String {
    format!("{}_", pool.split('_').next().unwrap_or(""))
}

/// `prefix` followed by a UUID is stored as the UUID's 16 bytes; anything else as text.
fn id_value(s: &str, prefix: &str) -> Value {
    match s.strip_prefix(prefix).and_then(uuid_bytes) {
        Some(b) => Value::Blob(b.to_vec()),
        None => Value::Text(s.to_string()),
    }
}

fn id_text(v: ValueRef, prefix: &str) -> rusqlite::Result<String> {
    match v {
        ValueRef::Blob(b) if b.len() == 16 => Ok(format!("{prefix}{}", format_uuid(b))),
        ValueRef::Text(t) => Ok(String::from_utf8_lossy(t).into_owned()),
        other => Err(rusqlite::Error::InvalidColumnType(0, "id".into(), other.data_type())),
    }
}

fn format_uuid(b: &[u8]) -> String {
    let h = cognito_proto::codec::hex_encode(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// The 16 bytes of a lowercase canonical UUID (only what prints back the same).
fn uuid_bytes(s: &str) -> Option<[u8; 16]> {
    if s.len() != 36 {
        return None;
    }
    let bytes = cognito_proto::codec::hex_decode(&s.replace('-', ""))?;
    let b: [u8; 16] = bytes.try_into().ok()?;
    (format_uuid(&b) == s).then_some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

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
