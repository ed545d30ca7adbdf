//! Account operations: sign-up and confirmation, passwords, attributes, MFA settings and
//! remembered devices. Each is one request built by `cognito_proto::api`; calls that need the
//! user's access token go through `as_user` (refreshing first when needed).

use super::{
    nodrop, Client, ConfirmSignUpOutcome, DeviceInfo, Env, EventKind, Metadata, MfaChoice, MfaPreference, MfaPreferenceUpdate, SignUpInput,
    SignUpOutcome,
};
use cognito_proto::api::{self, TotpAuth};
use cognito_proto::challenge::{CodeDelivery, MfaType, TotpSetup};
use cognito_proto::error::{Error, Exception};
use cognito_proto::json::Json;
use cognito_proto::session::{self, AutoSignIn, Session, CHALLENGE_TTL_MS};
use cognito_proto::types::*;
use core::future::Future;
use core::pin::Pin;

/// A signed-in call's answer and the session it used.
pub(crate) type UserCall = Result<(Json, Session), Error>;

/// ListDevices pages are read at most this many times (60 devices each, Cognito's maximum).
const DEVICE_PAGES: usize = 20;
const DEVICES_PER_PAGE: u32 = 60;

/// How long `signUp({autoSignIn: true})` remembers the intent before `confirmSignUp`.
const AUTO_SIGN_IN_INTENT_MS: f64 = 24.0 * 3600.0 * 1000.0;

impl<E: Env> Client<E> {
    /// `signUp({username, password, attributes, autoSignIn})`.
    pub async fn sign_up(&self, input: SignUpInput) -> Result<SignUpOutcome, Error> {
        let req = api::sign_up(self.app(), &input.username, input.password.as_ref(), &input.attributes).with_metadata(&input.client_metadata);
        let v = nodrop(self.send_json(&req)).await?;
        if input.auto_sign_in {
            // Remember the intent (no password is stored): confirmSignUp supplies the Session.
            let rec = AutoSignIn {
                username: input.username.as_str().to_string(),
                session: None,
                expires_at_ms: self.env.now_ms() + AUTO_SIGN_IN_INTENT_MS,
            };
            nodrop(self.put(&session::auto_sign_in_key(&self.cfg.client_id), &rec.to_json())).await?;
        }
        Ok(SignUpOutcome {
            user_confirmed: v.get("UserConfirmed").and_then(Json::as_bool).unwrap_or(false),
            user_sub: v.str("UserSub").map(String::from),
            code_delivery: CodeDelivery::from_details(v.get("CodeDeliveryDetails")),
        })
    }

    /// `confirmSignUp({username, code})`.
    pub async fn confirm_sign_up(&self, user: &Username, code: &str, meta: &Metadata) -> Result<ConfirmSignUpOutcome, Error> {
        let v = nodrop(self.send_json(&api::confirm_sign_up(self.app(), user, code).with_metadata(meta))).await?;
        let key = session::auto_sign_in_key(&self.cfg.client_id);
        let wanted = self.env.get(&key).await.and_then(|t| AutoSignIn::from_json(&t)).filter(|r| r.username == user.as_str());
        let auto = match (wanted, v.str("Session")) {
            (Some(mut r), Some(s)) => {
                r.session = Some(AuthSession::new(s));
                r.expires_at_ms = self.env.now_ms() + CHALLENGE_TTL_MS;
                nodrop(self.put(&key, &r.to_json())).await?;
                true
            }
            _ => false,
        };
        Ok(ConfirmSignUpOutcome { auto_sign_in: auto })
    }

    /// `confirmSignUpFromLink(url)`: username and code from an e-mailed link.
    pub async fn confirm_sign_up_from_link(&self, url: &str, meta: &Metadata) -> Result<ConfirmSignUpOutcome, Error> {
        let (u, c) = api::confirmation_link(url).ok_or_else(|| {
            Error::config("the link carries no username and code (expected ?username=…&code=… or ?user_name=…&confirmation_code=…)")
        })?;
        nodrop(self.confirm_sign_up(&Username::new(u), &c, meta)).await
    }

    pub async fn resend_sign_up_code(&self, user: &Username, meta: &Metadata) -> Result<Option<CodeDelivery>, Error> {
        let v = nodrop(self.send_json(&api::resend_confirmation_code(self.app(), user).with_metadata(meta))).await?;
        Ok(CodeDelivery::from_details(v.get("CodeDeliveryDetails")))
    }

    pub async fn forgot_password(&self, user: &Username, meta: &Metadata) -> Result<Option<CodeDelivery>, Error> {
        let v = nodrop(self.send_json(&api::forgot_password(self.app(), user).with_metadata(meta))).await?;
        Ok(CodeDelivery::from_details(v.get("CodeDeliveryDetails")))
    }

    pub async fn confirm_forgot_password(
        &self,
        user: &Username,
        code: &str,
        new_password: &Password,
        meta: &Metadata,
    ) -> Result<(), Error> {
        nodrop(self.send(&api::confirm_forgot_password(self.app(), user, code, new_password).with_metadata(meta))).await?;
        Ok(())
    }

    /// Runs a signed-in request; a missing admin scope is explained. Boxed and not generic: one
    /// copy in the wasm for the account calls (about 2 KB gzipped less than one per call).
    pub(crate) fn as_user<'a>(&'a self, build: &'a dyn Fn(&AccessToken) -> api::ApiRequest) -> Pin<Box<dyn Future<Output = UserCall> + 'a>> {
        Box::pin(async move {
            let s = nodrop(self.signed_in()).await?;
            let req = build(&s.access_token);
            match nodrop(self.send_json(&req)).await {
                Ok(v) => Ok((v, s)),
                Err(e) => Err(self.explain_scope(e, &s)),
            }
        })
    }

    pub async fn change_password(&self, old: &Password, new: &Password) -> Result<(), Error> {
        nodrop(self.as_user(&|t| api::change_password(t, old, new))).await?;
        Ok(())
    }

    /// `getUserAttributes()`: the user's attributes from GetUser.
    pub async fn get_user_attributes(&self) -> Result<Vec<(String, String)>, Error> {
        let (v, _) = nodrop(self.as_user(&api::get_user)).await?;
        Ok(api::attributes(v.get("UserAttributes")))
    }

    /// Changed e-mail or phone numbers get a code: where each went.
    pub async fn update_user_attributes(&self, attrs: &[(String, String)], meta: &Metadata) -> Result<Vec<CodeDelivery>, Error> {
        let (v, _) = nodrop(self.as_user(&|t| api::update_user_attributes(t, attrs).with_metadata(meta))).await?;
        let list = v.get("CodeDeliveryDetailsList").and_then(Json::as_array).unwrap_or(&[]);
        Ok(list.iter().filter_map(|d| CodeDelivery::from_details(Some(d))).collect())
    }

    pub async fn verify_user_attribute(&self, name: &str, code: &str) -> Result<(), Error> {
        nodrop(self.as_user(&|t| api::verify_user_attribute(t, name, code))).await?;
        Ok(())
    }

    pub async fn send_user_attribute_verification_code(&self, name: &str, meta: &Metadata) -> Result<Option<CodeDelivery>, Error> {
        let (v, _) = nodrop(self.as_user(&|t| api::get_user_attribute_verification_code(t, name).with_metadata(meta))).await?;
        Ok(CodeDelivery::from_details(v.get("CodeDeliveryDetails")))
    }

    pub async fn delete_user_attributes(&self, names: &[String]) -> Result<(), Error> {
        nodrop(self.as_user(&|t| api::delete_user_attributes(t, names))).await?;
        Ok(())
    }

    /// Deletes the user, then signs out locally.
    pub async fn delete_user(&self) -> Result<(), Error> {
        let (_, s) = nodrop(self.as_user(&api::delete_user)).await?;
        nodrop(self.forget_local_device(&s.username)).await;
        nodrop(self.clear_local(Some(&s))).await;
        nodrop(self.after_sign_out(&s.username)).await;
        self.announce(EventKind::SignedOut, Some(&s), None);
        Ok(())
    }

    /// `setUpTotp({issuer})`: the secret and its `otpauth://` URI for a QR code.
    pub async fn set_up_totp(&self, issuer: Option<String>) -> Result<TotpSetup, Error> {
        let (v, s) = nodrop(self.as_user(&|t| api::associate_software_token(TotpAuth::Access(t)))).await?;
        let secret = v.str("SecretCode").ok_or_else(|| Error::protocol("AssociateSoftwareToken answer without SecretCode"))?;
        let issuer = issuer.unwrap_or_else(|| self.totp_issuer());
        let account = s.id_claims().str("email").unwrap_or_else(|| s.username.clone());
        Ok(TotpSetup { secret_code: secret.to_string(), uri: cognito_proto::oauth::totp_uri(&issuer, &account, secret) })
    }

    /// `verifyTotpSetup({code, deviceName})`.
    pub async fn verify_totp_setup(&self, code: &str, device_name: Option<&str>) -> Result<(), Error> {
        let (v, _) = nodrop(self.as_user(&|t| api::verify_software_token(TotpAuth::Access(t), code, device_name))).await?;
        if v.str("Status") != Some("SUCCESS") {
            return Err(Error::service(Exception::EnableSoftwareTokenMfa, "the code was not accepted"));
        }
        Ok(())
    }

    /// `updateMfaPreference({sms, totp, email})`.
    pub async fn update_mfa_preference(&self, u: MfaPreferenceUpdate) -> Result<(), Error> {
        let enabled = |c: Option<MfaChoice>| c.map(|c| c != MfaChoice::Disabled);
        let preferred = [("SMS", u.sms), ("TOTP", u.totp), ("EMAIL", u.email)]
            .into_iter()
            .find(|(_, c)| *c == Some(MfaChoice::Preferred))
            .map(|(f, _)| f);
        let r = nodrop(self.as_user(&|t| api::set_user_mfa_preference(t, enabled(u.sms), enabled(u.totp), enabled(u.email), preferred, u.web_authn))).await;
        r.map(|_| ()).map_err(|e| match e.exception() {
            Some(Exception::InvalidParameter) if u.web_authn == Some(true) => e.explain(|m| {
                m + " — passkey MFA needs another MFA method (SMS, TOTP or e-mail) turned on for the user, so that nobody is locked out, and the pool's WebAuthnConfiguration.FactorConfiguration set to MULTI_FACTOR_WITH_USER_VERIFICATION"
            }),
            _ => e,
        })
    }

    /// `fetchMfaPreference()` from GetUser's `UserMFASettingList` and `PreferredMfaSetting`.
    pub async fn fetch_mfa_preference(&self) -> Result<MfaPreference, Error> {
        let (v, _) = nodrop(self.as_user(&api::get_user)).await?;
        let enabled: Vec<MfaType> = v
            .get("UserMFASettingList")
            .and_then(Json::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|m| m.as_str().and_then(MfaType::parse))
            .collect();
        // Only a user with another MFA method can have passkey MFA on: then ask which factors
        // are available to them.
        let web_authn = !enabled.is_empty() && nodrop(self.fetch_auth_factors()).await?.configured.iter().any(|x| x == "WEB_AUTHN");
        Ok(MfaPreference { enabled, preferred: v.str("PreferredMfaSetting").and_then(MfaType::parse), web_authn })
    }

    /// `rememberDevice()`: marks this browser's device as remembered (skips MFA next time).
    pub async fn remember_device(&self) -> Result<(), Error> {
        let s = nodrop(self.signed_in()).await?;
        let d = self
            .device_of(&s.username)
            .await
            .ok_or_else(|| Error::invalid_state("no device is tracked for this browser (device tracking off in the pool?)"))?;
        nodrop(self.as_user(&|t| api::update_device_status(t, &d.key, true))).await?;
        Ok(())
    }

    /// `forgetDevice({deviceKey})`: this browser's device by default.
    pub async fn forget_device(&self, key: Option<DeviceKey>) -> Result<(), Error> {
        let s = nodrop(self.signed_in()).await?;
        let own = nodrop(self.device_of(&s.username)).await.map(|d| d.key);
        let key = match key {
            Some(k) => k,
            None => own.clone().ok_or_else(|| Error::invalid_state("no device is tracked for this browser"))?,
        };
        nodrop(self.as_user(&|t| api::forget_device(t, &key))).await?;
        if own.is_some_and(|o| o == key) {
            nodrop(self.forget_local_device(&s.username)).await;
        }
        Ok(())
    }

    /// `fetchDevices()`: every page of ListDevices.
    pub async fn fetch_devices(&self) -> Result<Vec<DeviceInfo>, Error> {
        let s = nodrop(self.signed_in()).await?;
        let own = nodrop(self.device_of(&s.username)).await.map(|d| d.key.as_str().to_string());
        let mut out = vec![];
        let mut page: Option<String> = None;
        for _ in 0..DEVICE_PAGES {
            let (v, _) = nodrop(self.as_user(&|t| api::list_devices(t, DEVICES_PER_PAGE, page.as_deref()))).await?;
            for d in v.get("Devices").and_then(Json::as_array).unwrap_or(&[]) {
                let attributes = api::attributes(d.get("DeviceAttributes"));
                let key = d.str("DeviceKey").unwrap_or("").to_string();
                let date = |k: &str| match d.get(k) {
                    Some(Json::Num(n)) => Some(n.clone()),
                    _ => None,
                };
                out.push(DeviceInfo {
                    name: attributes.iter().find(|(k, _)| k == "device_name").map(|(_, v)| v.clone()),
                    current: own.as_deref() == Some(key.as_str()),
                    created_at: date("DeviceCreateDate"),
                    last_modified_at: date("DeviceLastModifiedDate"),
                    last_authenticated_at: date("DeviceLastAuthenticatedDate"),
                    key,
                    attributes,
                });
            }
            page = v.str("PaginationToken").map(String::from);
            if page.is_none() {
                break;
            }
        }
        Ok(out)
    }
}
