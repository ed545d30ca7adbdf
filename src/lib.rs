//! # cognito-wasm
//!
//! Amazon Cognito user-pool sign-in for the browser, compiled to WebAssembly: SRP
//! (USER_SRP_AUTH) and the user-pool API called directly against the Cognito JSON endpoint,
//! hosted-UI sign-in with PKCE, token storage, refresh and verification.
//!
//! Three layers, one direction, held by crate boundaries:
//!
//! * [`cognito_proto`] (re-exported as [`proto`]) — the pure protocol core: SRP, requests and
//!   answers as values, PKCE and state, JWT checks, session decisions. No I/O, no browser.
//! * [`client`] — the flows (sign-in and every challenge, refresh across tabs, sign-out, the
//!   hosted UI, the account calls), written once over the [`client::Env`] trait: the browser in
//!   production, a scripted test environment in `cargo test`.
//! * `web` — the only module that touches the browser (fetch, Storage, WebCrypto, Web Locks,
//!   BroadcastChannel); and `js` — the `#[wasm_bindgen]` facade: convert, call, convert.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub use cognito_proto as proto;

pub mod client;
pub mod heap;
pub mod js;
pub mod web;
