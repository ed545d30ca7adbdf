//! The package in parts. The main module carries what a returning user's page needs (the
//! stored session, refresh, events, the cross-tab lock and broadcast); every other part is a
//! module of its own, fetched and compiled on the first call of one of its methods (or on
//! `preload`), then kept.
//!
//! Each part's entry point below is a split point (with the crate feature `split`, which the
//! package build turns on): `scripts/build-pkg.sh` runs `wasm-split-cli` over the linked wasm,
//! which moves each entry point and everything only it reaches (its flows, protocol code and
//! data) into that part's module; the code parts share goes into one more module, fetched with
//! any of them. The facade (methods.js) fetches a part's modules before the part's first call. All parts share one memory, so they share the client's state: one session, one
//! refresh in flight, one set of listeners. Without the feature (native tests, the browser
//! suites) the entry points are plain functions and everything is one module.
//!
//! Each part's dispatch (`enter` in its file) is an exhaustive `match` on that part's generated
//! method enum: a declared method without an implementation does not compile.

mod account;
mod aws;
mod hosted;
mod main;
mod sign_in;
mod accounts;
mod verify;

use super::methods::{Method, Part};
use super::Task;
use crate::client::Client;
use crate::web::WebEnv;
use cognito_proto::error::Error;
use cognito_proto::json::{Json, Raw};
use std::rc::Rc;

/// The client a part works with.
pub(crate) type Shared = Rc<Client<WebEnv>>;

/// What a part is asked to do: run one of its methods, or (`method: None`) get ready
/// (`preload`).
pub(crate) struct PartCall {
    pub c: Shared,
    pub method: Option<Method>,
    /// The method's argument, as JSON text.
    pub input: String,
}

impl PartCall {
    /// The argument as a tree (it is `JSON.stringify`'s output, so it parses).
    pub fn json(&self) -> Json {
        Json::parse(&self.input).unwrap_or_default()
    }

    /// The argument's `clientMetadata`.
    pub fn metadata(&self) -> Result<crate::client::Metadata, Error> {
        super::convert::metadata(Raw::parse(&self.input).unwrap_or(Raw::parse("{}").map_err(|_| Error::config("no input"))?))
    }
}

/// A part's task, or why it could not start: one pointer across the split.
type Entered = Box<Result<Task, Error>>;

/// Declares each part's entry point. In the package build (crate feature `split`) it is a
/// split point as `wasm-split-cli` finds them (the convention of `wasm_split_helpers`' macro,
/// whose version marker this crate links): an import
/// `__wasm_split_00<module>00_import_<32 hex>_…` from the placeholder module, which the splitter
/// rewires to the matching export `__wasm_split_00<module>00_export_<32 hex>_…` moved into the
/// part's module, and the part's loader `__wasm_split_load_<module>`, which the splitter points
/// at the loader the package ships (src/js/loader.js). Written out here rather than with the
/// macro, whose runtime (async-once-cell, Arc, Mutex, a future per part) would sit in the main
/// module: one small `Load` future serves every part instead. Elsewhere (native tests, the
/// browser suites) an entry point is a plain call and everything is one module.
macro_rules! entry_points {
    ($($part:ident => $module:ident: $id:literal),* $(,)?) => {
        /// Calls a part's entry point (its module must be loaded).
        fn call_entry(part: Part, call: Box<PartCall>) -> Entered {
            match part {
                Part::Main => Box::new(main::enter(*call)),
                $(Part::$part => entry::$module::call(call),)*
            }
        }

        #[cfg(all(feature = "split", target_arch = "wasm32"))]
        #[allow(improper_ctypes, improper_ctypes_definitions)]
        mod entry {
            $(
                pub(super) mod $module {
                    use super::super::{Entered, PartCall};

                    #[link(wasm_import_module = "__wasm_split_placeholder__")]
                    extern "C" {
                        #[link_name = concat!("__wasm_split_00", stringify!($module), "00_import_", $id, "_enter")]
                        fn import(call: Box<PartCall>) -> Entered;
                    }

                    #[export_name = concat!("__wasm_split_00", stringify!($module), "00_export_", $id, "_enter")]
                    extern "C" fn export(call: Box<PartCall>) -> Entered {
                        Box::new(super::super::$module::enter(*call))
                    }

                    pub(in super::super) fn call(call: Box<PartCall>) -> Entered {
                        // SAFETY: the splitter replaces this import by `export` above, moved into
                        // the part's module; `run` calls here only once that module is
                        // instantiated (`loaded`).
                        unsafe { import(call) }
                    }
                }
            )*

        }

        #[cfg(not(all(feature = "split", target_arch = "wasm32")))]
        mod entry {
            $(pub(super) mod $module {
                use super::super::{Entered, PartCall};
                // Boxed as across the split (one pointer), so both builds share the signature.
                #[allow(clippy::boxed_local)]
                pub(in super::super) fn call(call: Box<PartCall>) -> Entered {
                    Box::new(super::super::$module::enter(*call))
                }
            })*
        }
    };
}

entry_points! {
    SignIn => sign_in: "5369676e496e00000000000000000000",
    Accounts => accounts: "4163636f756e74730000000000000000",
    Account => account: "4163636f756e74000000000000000000",
    Hosted => hosted: "486f7374656400000000000000000000",
    Verify => verify: "56657269667900000000000000000000",
    Aws => aws: "41777300000000000000000000000000",
}

/// Which parts' modules are instantiated: the facade (methods.js) fetches a part's module
/// (src/js/loader.js) before its first call and then says so with `preload`; a call that comes
/// without that is refused instead of reaching an empty slot of the function table.
struct Loaded(core::cell::Cell<u32>);
// SAFETY: the wasm has one thread; native builds have no parts to load (everything is linked).
unsafe impl Sync for Loaded {}
static LOADED: Loaded = Loaded(core::cell::Cell::new(0));

fn is_loaded(part: Part) -> bool {
    !cfg!(all(feature = "split", target_arch = "wasm32")) || part == Part::Main || LOADED.0.get() & (1 << part as u32) != 0
}

/// The part's task for a call.
fn enter(part: Part, call: PartCall) -> Result<Task, Error> {
    if !is_loaded(part) {
        return Err(Error::network(String::from("the ") + part.name() + " part of cognito-wasm is not loaded: call preload('" + part.name() + "')"));
    }
    *call_entry(part, Box::new(call))
}

/// Runs a method in its part.
pub(crate) async fn run(c: Shared, m: Method, input: String) -> Result<String, Error> {
    enter(m.part(), PartCall { c, method: Some(m), input })?.await
}

/// A part's module was instantiated (`preload`, which the facade calls once it has fetched it):
/// its methods may run, and it gets ready.
pub(crate) fn warm(c: Shared, part: Part) -> Result<Task, Error> {
    LOADED.0.set(LOADED.0.get() | 1 << part as u32);
    enter(part, PartCall { c, method: None, input: String::new() })
}

/// A call that reached the wrong part: a bug (the dispatch above sends each method to its own).
pub(crate) fn misrouted() -> Result<Task, Error> {
    Err(Error::invalid_state("a method reached the wrong part of cognito-wasm"))
}

/// The task of a part that has nothing to get ready.
pub(crate) fn ready() -> Result<Task, Error> {
    Ok(super::text_task(async { Ok(String::from("null")) }))
}
