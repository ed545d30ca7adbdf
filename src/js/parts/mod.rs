//! The package in parts. The main module carries what a returning user's page needs (the
//! stored session, refresh, events, the cross-tab lock and broadcast); every other part is a
//! module of its own, fetched and compiled on the first call of one of its methods (or on
//! `preload`), then kept.
//!
//! Each part's entry point below is a split point (`wasm_split_helpers::wasm_split`, with the
//! crate feature `split`, which the package build turns on): `scripts/build-pkg.sh` runs
//! `wasm-split-cli` over the linked wasm, which moves each entry point and everything only it
//! reaches (its flows, protocol code and data) into that part's module; code two parts share
//! goes into a shared chunk fetched with either. Calling an entry point fetches its module
//! first. All parts share one memory, so they share the client's state: one session, one
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
mod sign_out;
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

/// A part's module could not be fetched or compiled.
pub(crate) struct LoadFailed;

#[cfg(all(feature = "split", target_arch = "wasm32"))]
impl From<wasm_split_helpers::SplitLoaderError> for LoadFailed {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        LoadFailed
    }
}

/// An entry point's answer: the part's task (or why it could not start), boxed so that it
/// crosses the split as one pointer.
type Entered = Result<Box<Result<Task, Error>>, LoadFailed>;

/// Declares each part's entry point: a split point in the package build.
macro_rules! entry_points {
    ($($entry:ident: $module:ident),* $(,)?) => {$(
        #[cfg_attr(all(feature = "split", target_arch = "wasm32"), wasm_split_helpers::wasm_split($module, fallible))]
        fn $entry(call: Box<PartCall>) -> Entered {
            Ok(Box::new($module::enter(*call)))
        }
    )*};
}

entry_points! {
    enter_sign_in: sign_in,
    enter_sign_out: sign_out,
    enter_account: account,
    enter_hosted: hosted,
    enter_verify: verify,
    enter_aws: aws,
}

/// Calls a part's entry point: awaited (its module is fetched first) in the package build, a
/// plain call otherwise.
macro_rules! call_entry {
    ($entry:ident($call:expr)) => {{
        #[cfg(all(feature = "split", target_arch = "wasm32"))]
        let entered = $entry($call).await;
        #[cfg(not(all(feature = "split", target_arch = "wasm32")))]
        let entered = $entry($call);
        entered
    }};
}

/// The part's task for a call, its module fetched first if need be.
async fn enter(part: Part, call: PartCall) -> Result<Task, Error> {
    let call = Box::new(call);
    let entered = match part {
        Part::Main => return main::enter(*call),
        Part::SignIn => call_entry!(enter_sign_in(call)),
        Part::SignOut => call_entry!(enter_sign_out(call)),
        Part::Account => call_entry!(enter_account(call)),
        Part::Hosted => call_entry!(enter_hosted(call)),
        Part::Verify => call_entry!(enter_verify(call)),
        Part::Aws => call_entry!(enter_aws(call)),
    };
    match entered {
        Ok(task) => *task,
        Err(LoadFailed) => Err(Error::network(
            String::from("cannot load the ")
                + part.name()
                + " part of cognito-wasm (its .wasm file, next to cognito_wasm.js, could not be fetched or compiled): try again",
        )),
    }
}

/// Runs a method in its part.
pub(crate) async fn run(c: Shared, m: Method, input: String) -> Result<String, Error> {
    enter(m.part(), PartCall { c, method: Some(m), input }).await?.await
}

/// Fetches a part and lets it get ready (`preload`).
pub(crate) async fn warm(c: Shared, part: Part) -> Result<(), Error> {
    enter(part, PartCall { c, method: None, input: String::new() }).await?.await.map(|_| ())
}

/// A call that reached the wrong part: a bug (the dispatch above sends each method to its own).
pub(crate) fn misrouted() -> Result<Task, Error> {
    Err(Error::invalid_state("a method reached the wrong part of cognito-wasm"))
}

/// The task of a part that has nothing to get ready.
pub(crate) fn ready() -> Result<Task, Error> {
    Ok(super::text_task(async { Ok(String::from("null")) }))
}
