//! The state behind one lock, and how a request holds it: [`Tx`] is the lock, held while the
//! request reads and changes the state. Anything slow runs with the lock let go
//! ([`Tx::unlocked`]: a Lambda trigger, an RS256 signature, an SRP exponentiation), so no request
//! waits on another's trigger or signature. Letting go saves first: every change is written
//! (one transaction) before another request can see it, and before the answer goes out.

use crate::state::Db;
use crate::store::Store;
use parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
use std::ops::{Deref, DerefMut};

/// The state and the database it is saved to (none in memory).
struct Held {
    db: Db,
    store: Option<Store>,
}

/// The state, shared by every request.
pub struct Shared {
    held: Mutex<Held>,
}

impl Shared {
    pub fn new(db: Db, store: Option<Store>) -> Shared {
        Shared { held: Mutex::new(Held { db, store }) }
    }

    /// Holds the state for one request.
    pub fn begin(&self) -> Tx<'_> {
        Tx { guard: self.held.lock(), failure: None }
    }

    /// The state as it is, for a test's set-up and checks (no saving).
    pub fn raw(&self) -> MappedMutexGuard<'_, Db> {
        MutexGuard::map(self.held.lock(), |h| &mut h.db)
    }

    /// Gives the pages deleted rows left back to the file system.
    pub fn vacuum(&self) {
        if let Some(store) = self.held.lock().store.as_ref() {
            store.vacuum();
        }
    }
}

/// The state, held by one request.
pub struct Tx<'a> {
    guard: MutexGuard<'a, Held>,
    /// A save that failed: the request must not answer as if its change were kept.
    failure: Option<String>,
}

impl Tx<'_> {
    /// Runs `f` with the state let go (saved first), then takes it back. What was read before
    /// may have changed meanwhile: look it up again.
    pub fn unlocked<T>(&mut self, f: impl FnOnce() -> T) -> T {
        self.save();
        MutexGuard::unlocked(&mut self.guard, f)
    }

    /// Writes the changes so far (with `--data`).
    pub fn save(&mut self) {
        let held = &mut *self.guard;
        let Some(store) = held.store.as_mut() else { return };
        if let Err(e) = store.save(&mut held.db) {
            self.failure = Some(e);
        }
    }

    /// Saves; `Err` when some change of this request could not be written.
    pub fn finish(mut self) -> Result<(), String> {
        self.save();
        match self.failure.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.guard.db
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut Db {
        &mut self.guard.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        self.save();
    }
}
