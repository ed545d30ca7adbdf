//! Passkeys as MFA (Cognito, 2026-04): the pool's `WebAuthnConfiguration.FactorConfiguration`,
//! the user's `WebAuthnMfaSettings`, and what they change in choice-based sign-in (USER_AUTH).
//!
//! ```text
//! passkey MFA on     pool FactorConfiguration = MULTI_FACTOR_WITH_USER_VERIFICATION
//!                    and the user's WebAuthnMfaSettings.Enabled
//! MFA applies        pool MfaConfiguration ON, or an MFA factor of the user's (OPTIONAL)
//! USER_AUTH offers   where MFA applies: PASSWORD, PASSWORD_SRP, and WEB_AUTHN only with
//!                    passkey MFA on (never EMAIL_OTP / SMS_OTP)
//! WEB_AUTHN answer   passkey MFA on: the UV flag is required (NotAuthorizedException without
//!                    it, and the session is spent), and a verified assertion gets the tokens
//!                    with no second factor
//! Enabled = true     InvalidParameterException unless the pool is
//!                    MULTI_FACTOR_WITH_USER_VERIFICATION and the user keeps another MFA factor
//! ```
//!
//! Sources, the Amazon Cognito user pools API reference
//! (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/>):
//! * WebAuthnConfigurationType, `FactorConfiguration`: "When set to
//!   `MULTI_FACTOR_WITH_USER_VERIFICATION`, passkey authentication with user verification
//!   satisfies MFA requirements. When set to `SINGLE_FACTOR` or not set, passkeys are a single
//!   authentication factor." A member of SetUserPoolMfaConfig and GetUserPoolMfaConfig.
//! * WebAuthnMfaSettingsType: only `Enabled`, no `PreferredMfa` ("passkey MFA applies only when
//!   passkey is the first authentication factor"). "When activated, the user's passkey
//!   authentication requires user verification, and passkey sign-in is available when MFA is
//!   required. The user must also have at least one other MFA method such as SMS, TOTP, or email
//!   activated to prevent account lockout."
//! * SetUserMFAPreference / AdminSetUserMFAPreference, `WebAuthnMfaSettings`: "To activate this
//!   setting, the `FactorConfiguration` of your user pool `WebAuthnConfiguration` must be
//!   `MULTI_FACTOR_WITH_USER_VERIFICATION`." Neither page names the exception for either
//!   refusal: InvalidParameterException is used (OperationNotEnabledException, "not available
//!   ... for the current user pool configuration", is the other candidate of the error list).
//! * GetUserAuthFactors, `ConfiguredUserAuthFactors`: "`SOFTWARE_TOKEN` can only be used as an
//!   MFA factor. ... `WEB_AUTHN` is available as an MFA factor only when passkey MFA is enabled at
//!   the user pool level" (`SOFTWARE_TOKEN` joined AuthFactorType in the 2026-07 model).
//! * GetUser / AdminGetUser, `UserMFASettingList`: "The possible values in this list are
//!   `SMS_MFA`, `EMAIL_OTP`, and `SOFTWARE_TOKEN_MFA`": passkey MFA is not reported there.
//!
//! And the Developer Guide, "Authentication flows", the passkey section
//! (<https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html#amazon-cognito-user-pools-authentication-flow-methods-passkey>)
//! with "Adding MFA to a user pool" (`user-pool-settings-mfa.html`): passwordless first factors
//! are not offered where MFA applies; a passkey satisfies MFA only with
//! `MULTI_FACTOR_WITH_USER_VERIFICATION` (and user verification), and is never a second factor
//! after a password. So with passkey MFA off, WEB_AUTHN under MFA is not offered at all.

use crate::config::{FactorConfiguration, MfaConfiguration};
use crate::error::*;
use crate::state::{Pool, User};

/// The pool counts a verified passkey sign-in as MFA.
pub fn multi_factor(pool: &Pool) -> bool {
    pool.config.web_authn.factor_configuration == FactorConfiguration::MultiFactorWithUserVerification
}

/// Passkey MFA is on for this user: the pool's setting and the user's.
pub fn on(pool: &Pool, u: &User) -> bool {
    multi_factor(pool) && u.web_authn_mfa
}

/// MFA applies to this user's sign-in: required by the pool, or configured by the user.
pub fn mfa_applies(pool: &Pool, u: &User) -> bool {
    pool.config.mfa_configuration == MfaConfiguration::On || !u.mfa_factors(&pool.config).is_empty()
}

/// The assertion must carry user verification: the pool requires it, or passkey MFA is on.
pub fn user_verification_required(pool: &Pool, u: &User) -> bool {
    crate::passkeys::user_verification_required(pool) || on(pool, u)
}

/// `userVerification` of this user's request options: the pool's, or `required`.
pub fn user_verification<'a>(pool: &'a Pool, u: &User) -> &'a str {
    if on(pool, u) {
        "required"
    } else {
        &pool.config.web_authn.user_verification
    }
}

/// `WebAuthnMfaSettings.Enabled = true` needs a pool with `MULTI_FACTOR_WITH_USER_VERIFICATION`.
pub fn check_enable(pool: &Pool) -> ApiResult<()> {
    if multi_factor(pool) {
        return Ok(());
    }
    Err(invalid_param(
        "Passkey MFA can't be activated: the user pool's WebAuthnConfiguration.FactorConfiguration must be MULTI_FACTOR_WITH_USER_VERIFICATION",
    ))
}

/// With passkey MFA on, the user keeps another MFA method (checked on the user as a
/// SetUserMFAPreference would leave them).
pub fn check_other_factor(pool: &Pool, after: &User) -> ApiResult<()> {
    if !on(pool, after) || !after.mfa_factors(&pool.config).is_empty() {
        return Ok(());
    }
    Err(invalid_param(
        "Passkey MFA requires at least one other MFA method (SMS, TOTP or email) activated for the user, to prevent account lockout",
    ))
}
