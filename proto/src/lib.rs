//! # cognito-proto
//!
//! The pure protocol core of cognito-wasm: everything about talking to Amazon Cognito that can
//! be decided without doing I/O. Time, randomness and stored values come in as arguments, and
//! requests go out as values, so all of it is tested natively with `cargo test` (and the same
//! code runs in the browser, in the emulator and in the tests).
//!
//! * [`srp`] — Cognito's SRP-6a (client, remembered device, TIMESTAMP; the server half behind
//!   the `server` feature);
//! * [`api`] — one request builder per `cognito-idp` operation and one parser for answers and
//!   errors; [`http`] — requests and answers as data;
//! * [`challenge`] — challenge names, the step a page shows, the responses to an answer;
//! * [`jwt`] — decoding, claim checks, JWKS cache decisions; [`session`] — storage layout,
//!   refresh decisions, records that survive a reload; [`oauth`] — PKCE, `state`, the hosted-UI
//!   endpoints;
//! * [`webauthn`] — passkey options for the browser and the credential JSON back; [`sigv4`] —
//!   AWS Signature Version 4 for calls with an identity pool's credentials;
//! * [`config`] and [`url`] — the SDK's options, validated;
//! * [`codec`], [`crypto`], [`json`], [`time`], [`types`], [`error`] — the building blocks.
//!
//! No wasm-bindgen, js-sys or web-sys here, and no `std`: the crate cannot reach the browser
//! (or the network, or a clock), which is what keeps the layering honest.
#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

extern crate alloc;

/// What `std`'s prelude would give every module.
#[allow(unused_imports)] // in `cargo test` std's prelude has them too
pub(crate) mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

pub mod api;
pub mod challenge;
pub mod codec;
pub mod config;
pub mod crypto;
pub mod error;
pub mod http;
pub mod json;
pub mod jwt;
pub mod oauth;
pub mod session;
pub mod sigv4;
pub mod srp;
pub mod time;
pub mod types;
pub mod url;
pub mod webauthn;

pub use error::Error;
