//! The state behind one lock, and how a request holds it: [`Tx`] is the lock, held while the
//! request reads and changes the state. Anything slow runs with the lock let go
//! ([`Tx::unlocked`] for a Lambda trigger, [`Tx::compute`] for an RS256 signature, an SRP
//! exponentiation or a key), so no request waits on another's trigger or signature.
//!
//! ```text
//! with --data, a group commit:
//!   letting the state go (the answer, a trigger, a computation): the changes so far become
//!     statements (staging.rs), queued in the order they were made
//!   before the answer: everything queued until then is committed, each change in a transaction
//!     of its own (by this request, or by one that got to the database first); then the answer
//! ```
//! So every change is committed before the answer that follows it, and before the answer of any
//! request that saw it; and the disk (a commit, a checkpoint) is never waited on while the state
//! is held.

use crate::staging::{Staged, Staging};
use crate::state::Db;
use crate::store::Store;
use parking_lot::{Condvar, MappedMutexGuard, Mutex, MutexGuard};
use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

/// The state, and (with `--data`) what turns its changes into statements.
struct Held {
    db: Db,
    staging: Option<Staging>,
}

/// The database side: the queue of staged changes, and the store that commits them.
struct Persist {
    queue: Mutex<VecDeque<Staged>>,
    /// The store, and the last staged set it committed.
    store: Mutex<(Store, u64)>,
}

/// The state, shared by every request.
pub struct Shared {
    held: Mutex<Held>,
    persist: Option<Persist>,
}

impl Shared {
    /// The state; with a store, saved through it (`staging` from `Store::open`).
    pub fn new(db: Db, store: Option<(Store, Staging)>) -> Shared {
        let (persist, staging) = match store {
            Some((store, staging)) => {
                // What was staged before (the start-up's changes) is committed.
                let committed = staging.staged;
                (Some(Persist { queue: Mutex::new(VecDeque::new()), store: Mutex::new((store, committed)) }), Some(staging))
            }
            None => (None, None),
        };
        Shared { held: Mutex::new(Held { db, staging }), persist }
    }

    /// Holds the state for one request.
    pub fn begin(&self) -> Tx<'_> {
        Tx { shared: self, guard: self.held.lock(), failure: None }
    }

    /// The state as it is, for a test's set-up and checks (no saving).
    pub fn raw(&self) -> MappedMutexGuard<'_, Db> {
        MutexGuard::map(self.held.lock(), |h| &mut h.db)
    }

    /// Gives the pages deleted rows left back to the file system.
    pub fn vacuum(&self) {
        if let Some(p) = &self.persist {
            p.store.lock().0.vacuum();
        }
    }

    /// Commits everything staged up to `seen` (and whatever else is queued), unless another
    /// request has already.
    fn commit_through(&self, seen: u64) -> Result<(), String> {
        let Some(p) = &self.persist else { return Ok(()) };
        let mut store = p.store.lock();
        if store.1 >= seen {
            return Ok(());
        }
        let mut sets: VecDeque<Staged> = std::mem::take(&mut *p.queue.lock());
        while let Some(set) = sets.pop_front() {
            if let Err(e) = store.0.commit(&set) {
                // Kept, in order, for the next commit.
                let mut q = p.queue.lock();
                for s in sets.into_iter().rev().chain([set]) {
                    q.push_front(s);
                }
                return Err(e);
            }
            store.1 = set.seq;
        }
        Ok(())
    }
}

/// Lets at most as many computations run at once as there are cores, first come first served:
/// a request's crypto then runs at full speed instead of sharing the cores with every other
/// request's, so answers come in the order requests came (a narrow latency spread under load).
struct Gate {
    /// (next ticket to hand out, next ticket to start, computations running)
    state: Mutex<(u64, u64, usize)>,
    turn: Condvar,
    width: usize,
}

impl Gate {
    fn get() -> &'static Gate {
        static GATE: OnceLock<Gate> = OnceLock::new();
        GATE.get_or_init(|| Gate {
            state: Mutex::new((0, 0, 0)),
            turn: Condvar::new(),
            width: std::thread::available_parallelism().map_or(2, |n| n.get()),
        })
    }

    fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        let mut s = self.state.lock();
        let ticket = s.0;
        s.0 += 1;
        while s.1 != ticket || s.2 >= self.width {
            self.turn.wait(&mut s);
        }
        s.1 += 1;
        s.2 += 1;
        drop(s);
        self.turn.notify_all();
        let out = f();
        self.state.lock().2 -= 1;
        self.turn.notify_all();
        out
    }
}

/// The state, held by one request. (Dropped without `finish`, its changes stay marked: the next
/// request stages them.)
pub struct Tx<'a> {
    shared: &'a Shared,
    guard: MutexGuard<'a, Held>,
    /// A change that could not be staged: the request must not answer as if it were kept.
    failure: Option<String>,
}

impl Tx<'_> {
    /// Runs `f` with the state let go (its changes staged first), then takes it back. What was
    /// read before may have changed meanwhile: look it up again.
    pub fn unlocked<T>(&mut self, f: impl FnOnce() -> T) -> T {
        self.stage();
        MutexGuard::unlocked(&mut self.guard, f)
    }

    /// Runs a computation (a signature, an SRP exponentiation, a key) with the state let go,
    /// one per core at a time, in the order asked.
    pub fn compute<T>(&mut self, f: impl FnOnce() -> T) -> T {
        self.unlocked(|| Gate::get().run(f))
    }

    /// Queues the changes so far as statements (with `--data`).
    fn stage(&mut self) {
        let Some(p) = &self.shared.persist else { return };
        let held = &mut *self.guard;
        let Some(staging) = held.staging.as_mut() else { return };
        match staging.stage(&mut held.db) {
            Ok(Some(set)) => p.queue.lock().push_back(set),
            Ok(None) => {}
            Err(e) => self.failure = Some(e),
        }
    }

    /// Lets the state go and commits every change this request may have seen; `Err` when one
    /// could not be written.
    pub fn finish(mut self) -> Result<(), String> {
        self.stage();
        let seen = self.guard.staging.as_ref().map_or(0, |s| s.staged);
        let Tx { shared, guard, failure } = self;
        drop(guard);
        let committed = shared.commit_through(seen);
        match failure {
            Some(e) => Err(e),
            None => committed,
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
