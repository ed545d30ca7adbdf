//! SetUserPoolMfaConfig and GetUserPoolMfaConfig (IAM-authenticated in Cognito; open here, as the
//! other admin operations): the pool's MFA mode, its MFA methods, and its `WebAuthnConfiguration`
//! with `FactorConfiguration` (API reference, SetUserPoolMfaConfig, GetUserPoolMfaConfig,
//! WebAuthnConfigurationType; what the setting does is `passkey_mfa.rs`).
//!
//! ```text
//! SetUserPoolMfaConfig {UserPoolId, MfaConfiguration?, SoftwareTokenMfaConfiguration? {Enabled},
//!   SmsMfaConfiguration?, EmailMfaConfiguration?,
//!   WebAuthnConfiguration? {RelyingPartyId?, UserVerification?, FactorConfiguration?}}
//!   → the configuration as GetUserPoolMfaConfig answers it
//! ```
//! A member left out keeps the pool's value, except inside `WebAuthnConfiguration`:
//! `FactorConfiguration` left out is `SINGLE_FACTOR` ("When set to `SINGLE_FACTOR` or not set,
//! passkeys are a single authentication factor") and `UserVerification` left out is `preferred`.
//! An SMS or e-mail block turns that method on (their message templates are not kept).
//! Values outside an enum are InvalidParameterException, as Cognito's member validation answers.

use crate::config::{FactorConfiguration, MfaConfiguration, MfaFactor, PoolConfig};
use crate::error::*;
use crate::shared::Tx;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPoolMfa {
    user_pool_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetPoolMfa {
    user_pool_id: String,
    mfa_configuration: Option<String>,
    software_token_mfa_configuration: Option<SoftwareToken>,
    sms_mfa_configuration: Option<Value>,
    email_mfa_configuration: Option<Value>,
    web_authn_configuration: Option<WebAuthnIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SoftwareToken {
    #[serde(default)]
    enabled: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WebAuthnIn {
    relying_party_id: Option<String>,
    user_verification: Option<String>,
    factor_configuration: Option<String>,
}

/// Cognito's validation error for a value outside a member's enum.
fn not_in_enum(member: &str, value: &str, allowed: &str) -> ApiError {
    invalid_param(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{allowed}]"
    ))
}

/// One of an enum's wire values.
fn enum_value<T: DeserializeOwned>(member: &str, value: &str, allowed: &str) -> ApiResult<T> {
    serde_json::from_value(json!(value)).map_err(|_| not_in_enum(member, value, allowed))
}

pub fn get(tx: &mut Tx, r: GetPoolMfa) -> ApiResult<Value> {
    Ok(config_json(&tx.pool(&r.user_pool_id)?.config))
}

pub fn set(tx: &mut Tx, r: SetPoolMfa) -> ApiResult<Value> {
    let mut cfg = tx.pool(&r.user_pool_id)?.config.clone();
    apply(&mut cfg, r.mfa_configuration.as_deref(), &r)?;
    if let Some(w) = &r.web_authn_configuration {
        apply_web_authn(&mut cfg, w)?;
    }
    if cfg.mfa_configuration != MfaConfiguration::Off && cfg.mfa_methods.is_empty() {
        return Err(invalid_param("At least one MFA method must be enabled when MfaConfiguration is ON or OPTIONAL"));
    }
    let out = config_json(&cfg);
    tx.pool_settings_mut(&r.user_pool_id)?.config = cfg;
    Ok(out)
}

/// The MFA mode and methods of the request.
fn apply(cfg: &mut PoolConfig, mode: Option<&str>, r: &SetPoolMfa) -> ApiResult<()> {
    if let Some(m) = mode {
        cfg.mfa_configuration = enum_value("mfaConfiguration", m, "OFF, ON, OPTIONAL")?;
    }
    let mut switch = |factor: MfaFactor, on: Option<bool>| match on {
        Some(true) if !cfg.mfa_methods.contains(&factor) => cfg.mfa_methods.push(factor),
        Some(false) => cfg.mfa_methods.retain(|m| *m != factor),
        _ => {}
    };
    switch(MfaFactor::Totp, r.software_token_mfa_configuration.as_ref().map(|s| s.enabled));
    switch(MfaFactor::Sms, r.sms_mfa_configuration.as_ref().map(|_| true));
    switch(MfaFactor::Email, r.email_mfa_configuration.as_ref().map(|_| true));
    Ok(())
}

fn apply_web_authn(cfg: &mut PoolConfig, w: &WebAuthnIn) -> ApiResult<()> {
    let factor = match w.factor_configuration.as_deref() {
        None => FactorConfiguration::SingleFactor,
        Some(f) => enum_value("webAuthnConfiguration.factorConfiguration", f, "SINGLE_FACTOR, MULTI_FACTOR_WITH_USER_VERIFICATION")?,
    };
    let uv = w.user_verification.as_deref().unwrap_or("preferred");
    if !matches!(uv, "required" | "preferred") {
        return Err(not_in_enum("webAuthnConfiguration.userVerification", uv, "required, preferred"));
    }
    if let Some(rp) = &w.relying_party_id {
        if rp.is_empty() || rp.len() > 127 {
            return Err(invalid_param("RelyingPartyId must be 1 to 127 characters long"));
        }
        cfg.web_authn.relying_party_id = rp.clone();
    }
    cfg.web_authn.user_verification = uv.to_string();
    cfg.web_authn.factor_configuration = factor;
    Ok(())
}

/// GetUserPoolMfaConfig's answer (and SetUserPoolMfaConfig's).
fn config_json(cfg: &PoolConfig) -> Value {
    let has = |m: MfaFactor| cfg.mfa_methods.contains(&m);
    let w = &cfg.web_authn;
    let mut out = json!({
        "MfaConfiguration": cfg.mfa_configuration,
        "SoftwareTokenMfaConfiguration": {"Enabled": has(MfaFactor::Totp)},
        "WebAuthnConfiguration": {
            "RelyingPartyId": w.relying_party_id,
            "UserVerification": w.user_verification,
            "FactorConfiguration": w.factor_configuration.as_str(),
        },
    });
    if has(MfaFactor::Sms) {
        out["SmsMfaConfiguration"] = json!({"SmsAuthenticationMessage": cfg.messages.mfa});
    }
    if has(MfaFactor::Email) {
        out["EmailMfaConfiguration"] = json!({"Message": cfg.messages.mfa});
    }
    out
}
