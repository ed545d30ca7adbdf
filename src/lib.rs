//! # cognito-wasm
//!
//! Amazon Cognito user-pool sign-in for the browser, compiled to WebAssembly: SRP
//! (USER_SRP_AUTH) and the user-pool API called directly against the Cognito JSON endpoint,
//! hosted-UI sign-in with PKCE, token storage, refresh and verification.
//!
//! Three layers, one direction:
//!
//! * pure protocol code — [`srp`], [`json`], [`codec`], [`crypto`], [`types`], [`error`] — takes
//!   time, randomness and storage as arguments and is tested natively with `cargo test`;
//! * `web` — the only module touching browser APIs (fetch, Storage, WebCrypto, Web Locks);
//! * `js` — the `#[wasm_bindgen]` facade: convert, call, convert.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod codec;
pub mod crypto;
pub mod error;
pub mod heap;
pub mod json;
pub mod srp;
pub mod time;
pub mod types;

pub use error::Error;
pub mod api;
pub mod client;
pub mod config;
pub mod js;
pub mod jwt;
pub mod oauth;
pub mod session;
pub mod web;
