//! The account part: sign-up, passwords, attributes, deleting the user, MFA set-up and
//! preferences, remembered devices, passkey management.

use super::super::convert as cv;
use super::super::methods::{account::Method, Method as AnyMethod};
use super::super::{task, Task};
use super::{ready, PartCall};
use cognito_proto::error::Error;
use cognito_proto::json::Json;
use cognito_proto::types::*;

pub(super) fn enter(call: PartCall) -> Result<Task, Error> {
    let (input, meta) = (call.json(), call.metadata());
    let PartCall { c, method, .. } = call;
    let m = match method {
        Some(AnyMethod::Account(m)) => m,
        Some(_) => return super::misrouted(),
        None => return ready(),
    };
    let meta = meta?;
    Ok(match m {
        Method::SignUp => {
            let input = cv::sign_up_input(&input, meta.clone())?;
            task(async move { Ok(cv::sign_up_outcome(&c.sign_up(input).await?)) })
        }
        Method::ConfirmSignUp => {
            let (user, code) = (cv::username(&input)?, cv::required(&input, "code")?.to_string());
            task(async move { Ok(cv::confirm_sign_up_outcome(c.confirm_sign_up(&user, &code, &meta).await?)) })
        }
        Method::ConfirmSignUpFromLink => {
            let url = input.as_str().ok_or_else(|| Error::config("confirmSignUpFromLink needs the link's URL"))?.to_string();
            task(async move { Ok(cv::confirm_sign_up_outcome(c.confirm_sign_up_from_link(&url, &Vec::new()).await?)) })
        }
        Method::ResendSignUpCode => {
            let user = cv::username(&input)?;
            task(async move { Ok(cv::code_delivery_result(c.resend_sign_up_code(&user, &meta).await?.as_ref())) })
        }
        Method::ForgotPassword => {
            let user = cv::username(&input)?;
            task(async move { Ok(cv::code_delivery_result(c.forgot_password(&user, &meta).await?.as_ref())) })
        }
        Method::ConfirmForgotPassword => {
            let (user, code) = (cv::username(&input)?, cv::required(&input, "code")?.to_string());
            let pw = Password::new(cv::required(&input, "newPassword")?);
            task(async move { c.confirm_forgot_password(&user, &code, &pw, &meta).await.map(|()| cv::done()) })
        }
        Method::ChangePassword => {
            let old = Password::new(cv::required(&input, "oldPassword")?);
            let new = Password::new(cv::required(&input, "newPassword")?);
            task(async move { c.change_password(&old, &new).await.map(|()| cv::done()) })
        }
        Method::GetUserAttributes => task(async move { Ok(cv::attributes_out(&c.get_user_attributes().await?)) }),
        Method::UpdateUserAttributes => {
            let attrs = cv::attributes_in(input.get("attributes"))?;
            if attrs.is_empty() {
                return Err(Error::config("attributes is required: { attributes: { name: value } }"));
            }
            task(async move { Ok(cv::code_deliveries(&c.update_user_attributes(&attrs, &meta).await?)) })
        }
        Method::VerifyUserAttribute => {
            let name = cv::required(&input, "attributeName")?.to_string();
            let code = cv::required(&input, "code")?.to_string();
            task(async move { c.verify_user_attribute(&name, &code).await.map(|()| cv::done()) })
        }
        Method::SendUserAttributeVerificationCode => {
            let name = cv::required(&input, "attributeName")?.to_string();
            task(async move { Ok(cv::code_delivery_result(c.send_user_attribute_verification_code(&name, &meta).await?.as_ref())) })
        }
        Method::DeleteUserAttributes => {
            let names: Vec<String> = input
                .get("attributeNames")
                .and_then(Json::as_array)
                .ok_or_else(|| Error::config("attributeNames is required: an array of attribute names"))?
                .iter()
                .filter_map(|n| n.as_str().map(String::from))
                .collect();
            task(async move { c.delete_user_attributes(&names).await.map(|()| cv::done()) })
        }
        Method::DeleteUser => task(async move { c.delete_user().await.map(|()| cv::done()) }),
        Method::SetUpTotp => {
            let issuer = input.str("issuer").map(String::from);
            task(async move { Ok(cv::totp(&c.set_up_totp(issuer).await?)) })
        }
        Method::VerifyTotpSetup => {
            let code = cv::required(&input, "code")?.to_string();
            let name = input.str("deviceName").map(String::from);
            task(async move { c.verify_totp_setup(&code, name.as_deref()).await.map(|()| cv::done()) })
        }
        Method::UpdateMfaPreference => {
            let u = cv::mfa_update(&input)?;
            task(async move { c.update_mfa_preference(u).await.map(|()| cv::done()) })
        }
        Method::FetchMfaPreference => task(async move { Ok(cv::mfa_preference(&c.fetch_mfa_preference().await?)) }),
        Method::RememberDevice => task(async move { c.remember_device().await.map(|()| cv::done()) }),
        Method::ForgetDevice => {
            let key = input.str("deviceKey").map(DeviceKey::new);
            task(async move { c.forget_device(key).await.map(|()| cv::done()) })
        }
        Method::FetchDevices => task(async move { Ok(cv::devices(&c.fetch_devices().await?)) }),
        Method::RegisterPasskey => {
            task(async move { Ok(Json::object(vec![("credentialId", Json::Str(c.register_passkey().await?))])) })
        }
        Method::ListPasskeys => task(async move { Ok(cv::passkeys(&c.list_passkeys().await?)) }),
        Method::DeletePasskey => {
            let id = cv::required(&input, "credentialId")?.to_string();
            task(async move { c.delete_passkey(&id).await.map(|()| cv::done()) })
        }
        Method::FetchAuthFactors => task(async move { Ok(cv::auth_factors(&c.fetch_auth_factors().await?)) }),
    })
}
