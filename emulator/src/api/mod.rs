//! The JSON APIs: one function per `X-Amz-Target` operation (`cognito_proto::api::Op`), with the
//! members and errors of the Amazon Cognito user pools API reference (and the identity pools
//! API reference for `AWSCognitoIdentityService`). Each reads its typed input
//! (`request::parse`), decides over the state and answers; sign-in lives in `auth.rs`,
//! `challenges.rs` and `choice.rs`, passkeys in `passkeys.rs` (as MFA: `passkey_mfa.rs`), the
//! pool's MFA settings in `pool_mfa.rs`, identity pools in `identity.rs`.

mod account;
mod admin;
mod devices;
mod pool_mfa;
mod signup;

use crate::call::Call;
use crate::error::*;
use crate::request::parse;
use crate::shared::Tx;
use cognito_proto::api::Op;
use serde_json::Value;

/// Runs one operation.
pub fn dispatch(tx: &mut Tx, call: &Call, op: Op, body: Value) -> ApiResult<Value> {
    if !body.is_object() {
        return Err(fail(Exception::Serialization, "Request body must be a JSON object"));
    }
    match op {
        Op::InitiateAuth => crate::auth::initiate_auth(tx, call, body),
        Op::RespondToAuthChallenge => crate::challenges::respond_to_auth_challenge(tx, call, body),
        Op::GetTokensFromRefreshToken => crate::auth::get_tokens_from_refresh_token(tx, call, body),
        Op::AssociateSoftwareToken => crate::challenges::associate_software_token(tx, call, body),
        Op::VerifySoftwareToken => crate::challenges::verify_software_token(tx, call, body),
        Op::RevokeToken => account::revoke_token(tx, parse(body)?),
        Op::SignUp => signup::sign_up(tx, call, parse(body)?),
        Op::ConfirmSignUp => signup::confirm_sign_up(tx, call, parse(body)?),
        Op::ResendConfirmationCode => signup::resend_confirmation_code(tx, call, parse(body)?),
        Op::ForgotPassword => signup::forgot_password(tx, call, parse(body)?),
        Op::ConfirmForgotPassword => signup::confirm_forgot_password(tx, call, parse(body)?),
        Op::ChangePassword => signup::change_password(tx, call, parse(body)?),
        Op::GetUser => account::get_user(tx, call, parse(body)?),
        Op::UpdateUserAttributes => account::update_user_attributes(tx, call, parse(body)?),
        Op::DeleteUserAttributes => account::delete_user_attributes(tx, call, parse(body)?),
        Op::GetUserAttributeVerificationCode => account::get_user_attribute_verification_code(tx, call, parse(body)?),
        Op::VerifyUserAttribute => account::verify_user_attribute(tx, call, parse(body)?),
        Op::DeleteUser => account::delete_user(tx, call, parse(body)?),
        Op::GlobalSignOut => account::global_sign_out(tx, call, parse(body)?),
        Op::SetUserMFAPreference => account::set_user_mfa_preference(tx, call, parse(body)?),
        Op::ConfirmDevice => devices::confirm_device(tx, call, parse(body)?),
        Op::ForgetDevice => devices::forget_device(tx, call, parse(body)?),
        Op::ListDevices => devices::list_devices(tx, call, parse(body)?),
        Op::GetDevice => devices::get_device(tx, call, parse(body)?),
        Op::UpdateDeviceStatus => devices::update_device_status(tx, call, parse(body)?),
        Op::StartWebAuthnRegistration => crate::passkeys::start_registration(tx, call, parse(body)?),
        Op::CompleteWebAuthnRegistration => crate::passkeys::complete_registration(tx, call, parse(body)?),
        Op::ListWebAuthnCredentials => crate::passkeys::list(tx, call, parse(body)?),
        Op::DeleteWebAuthnCredential => crate::passkeys::delete(tx, call, parse(body)?),
        Op::GetUserAuthFactors => crate::passkeys::get_user_auth_factors(tx, call, parse(body)?),
        Op::SetUserPoolMfaConfig => pool_mfa::set(tx, parse(body)?),
        Op::GetUserPoolMfaConfig => pool_mfa::get(tx, parse(body)?),
        Op::GetId | Op::GetCredentialsForIdentity | Op::GetOpenIdToken | Op::UnlinkIdentity | Op::DescribeIdentity => {
            crate::identity::dispatch(tx, call, op, body)
        }
        admin_op => admin::dispatch(tx, call, admin_op, body),
    }
}

/// `AWSCognitoIdentityProviderService.<Op>` or `AWSCognitoIdentityService.<Op>`, each service
/// with its own operations.
pub fn operation(target: &str) -> ApiResult<Op> {
    let (service, name) = target.split_once('.').unwrap_or(("", ""));
    let op = Op::parse(name).filter(|op| match service {
        "AWSCognitoIdentityProviderService" => !op.identity(),
        "AWSCognitoIdentityService" => op.identity(),
        _ => false,
    });
    op.ok_or_else(|| {
        if service.is_empty() {
            fail(Exception::UnknownOperation, "Missing or unknown X-Amz-Target")
        } else {
            // As the AWS JSON protocol answers it: HTTP 400, never a 404.
            fail(Exception::UnknownOperation, format!("Unknown operation: {target}"))
        }
    })
}
