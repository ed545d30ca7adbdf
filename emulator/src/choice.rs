//! Choice-based sign-in (InitiateAuth USER_AUTH, the developer guide's "Authentication flows":
//! "Choice-based authentication"): PREFERRED_CHALLENGE, or SELECT_CHALLENGE with
//! AvailableChallenges; then PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP or WEB_AUTHN.

use crate::codes::send_mfa_code;
use crate::config::MfaFactor;
use crate::error::*;
use crate::shared::Tx;
use crate::signin::{
    after_first_factor, challenge, fail_sign_in, known_user, locked, open_session, password_matches, srp_start, Flow, Params,
};
use crate::state::*;
use crate::util::random_bytes;
use serde_json::{json, Value};

pub fn user_auth_start(tx: &mut Tx, f: &Flow, params: &Params) -> ApiResult<Value> {
    let username = known_user(tx, f.pool, params.need("USERNAME")?)?;
    locked(tx, f.pool, &username)?;
    crate::triggers::pre_authentication(tx, f.call, f.pool, &username, false)?;
    let pl = tx.pool(f.pool)?;
    let available = crate::passkeys::first_factors(pl, pl.user(&username)?);
    if available.is_empty() {
        return Err(not_authorized("The user has no sign-in factor that this user pool allows."));
    }
    let device = params.get("DEVICE_KEY").map(String::from);
    match params.get("PREFERRED_CHALLENGE") {
        Some(c) if available.contains(&c) => start_factor(tx, f, &username, c, params, device),
        // No preference, or one this user cannot use: the user chooses.
        _ => {
            let available: Vec<String> = available.into_iter().map(String::from).collect();
            let session = open_session(tx, f, &username, device, Awaiting::SelectChallenge { available: available.clone() });
            let mut v = challenge("SELECT_CHALLENGE", Some(session), json!({"USERNAME": username}));
            v["AvailableChallenges"] = json!(available);
            Ok(v)
        }
    }
}

/// Starts (or, with PASSWORD, completes) one first factor of USER_AUTH. `params` are the
/// InitiateAuth AuthParameters or the SELECT_CHALLENGE ChallengeResponses.
pub fn start_factor(tx: &mut Tx, f: &Flow, username: &str, factor: &str, params: &Params, device: Option<String>) -> ApiResult<Value> {
    match factor {
        "PASSWORD" => {
            if !password_matches(tx, f.pool, username, params.need("PASSWORD")?)? {
                return Err(fail_sign_in(tx, f.pool, username));
            }
            after_first_factor(tx, f, username, device, false)
        }
        "PASSWORD_SRP" => srp_start(tx, f, params, false, false),
        "EMAIL_OTP" | "SMS_OTP" => {
            let sms = factor == "SMS_OTP";
            let (code, params) = send_mfa_code(tx, f.call, f.pool, username, if sms { MfaFactor::Sms } else { MfaFactor::Email }, None)?;
            let session = open_session(tx, f, username, device, Awaiting::OtpSignIn { sms, code, attempts: 0 });
            Ok(challenge(factor, Some(session), params))
        }
        _ => {
            let pl = tx.pool(f.pool)?;
            let (cfg, u) = (&pl.config.web_authn, pl.user(username)?);
            let challenge_b64 = cognito_proto::codec::base64url_encode(&random_bytes::<32>());
            let uv = crate::passkey_mfa::user_verification(pl, u);
            let options = crate::webauthn::request_options(&challenge_b64, &cfg.relying_party_id, &u.passkeys, uv, cfg.timeout_ms);
            let session = open_session(tx, f, username, device, Awaiting::WebAuthn { challenge: challenge_b64 });
            Ok(challenge("WEB_AUTHN", Some(session), json!({"USERNAME": username, "CREDENTIAL_REQUEST_OPTIONS": options.to_string()})))
        }
    }
}
