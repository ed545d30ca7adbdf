//! The state behind one lock, and how a request holds it: [`Tx`] is the lock, held while the
//! request reads and changes the state. Anything slow runs with the lock let go
//! ([`Tx::unlocked`]: a Lambda trigger, an RS256 signature, an SRP exponentiation), so no request
//! waits on another's trigger or signature. Letting go saves first: every change is written
//! (one transaction) before another request can see it, and before the answer goes out.

use crate::state::Db;
use parking_lot::{Mutex, MutexGuard};
use std::ops::{Deref, DerefMut};

/// The state, shared by every request.
pub struct Shared {
    db: Mutex<Db>,
}

impl Shared {
    pub fn new(db: Db) -> Shared {
        Shared { db: Mutex::new(db) }
    }

    /// Holds the state for one request.
    pub fn begin(&self) -> Tx<'_> {
        Tx { guard: self.db.lock(), failure: None }
    }

    /// The state as it is, for a test's set-up and checks (no saving).
    pub fn raw(&self) -> MutexGuard<'_, Db> {
        self.db.lock()
    }
}

/// The state, held by one request.
pub struct Tx<'a> {
    guard: MutexGuard<'a, Db>,
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
        let db = &mut *self.guard;
        let Some(mut store) = db.store.take() else { return };
        if let Err(e) = store.save(db) {
            self.failure = Some(e);
        }
        db.store = Some(store);
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
        &self.guard
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut Db {
        &mut self.guard
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        self.save();
    }
}
