//! The hosted UI and OAuth 2.0 endpoints (the developer guide's "User pool endpoints and managed
//! login reference", RFC 6749, RFC 7636), on the emulator's origin:
//! `/oauth2/authorize`, `/login`, `/signup`, `/forgotPassword`, `/confirmUser`, an emulated
//! consent page per social provider, `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`,
//! `/logout`, `/error`.
//!
//! ```text
//! /oauth2/authorize → validate (client, redirect URI, PKCE, scopes) → a session cookie? done
//!   → /login (pages.rs renders, login.rs answers: password, new password, confirmation, MFA)
//!   → complete: a code (or tokens, implicit) back to the redirect URI
//! /oauth2/token (oauth.rs): authorization_code (PKCE checked) | refresh_token
//! ```
//! Redirect URIs match exactly; public clients must use PKCE with S256; codes are single use
//! and live 5 minutes; the sign-in page sets a 1-hour session cookie so a second authorize
//! round trip does not prompt again (unless `prompt=login`).

mod common;
mod grant;
mod login;
mod oauth;
mod pages;

pub use common::{validate, Authorize, Reply, SESSION_COOKIE};
pub use grant::{authorize, error_page};
pub use login::{confirm_user, forgot_post, idp_post, login_get, login_post, signup_post};
pub use oauth::{logout, revoke, token, user_info};
pub use pages::{forgot_get, idp_get, signup_get};
