//! Account operations: sign-up and confirmation, passwords, attributes, MFA settings and
//! remembered devices. Each is one request built by `api`; calls that need the user's access
//! token go through `signed_in()` (refreshing first when needed).

use super::{required, Client, Env};
use cognito_proto::api::{self, code_delivery, TotpAuth};
use cognito_proto::codec::form_decode;
use cognito_proto::error::Error;
use cognito_proto::json::Json;
use cognito_proto::session::{self, AutoSignIn, Session, CHALLENGE_TTL_MS};
use cognito_proto::types::*;
use core::future::Future;
use core::pin::Pin;

/// A signed-in call's answer and the session it used.
type UserCall = Result<(Json, Session), Error>;

/// One factor's setting in `updateMfaPreference`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaChoice {
    Enabled,
    Disabled,
    Preferred,
    NotPreferred,
}

impl MfaChoice {
    fn parse(v: Option<&Json>, name: &str) -> Result<Option<MfaChoice>, Error> {
        match v.and_then(Json::as_str) {
            None => Ok(None),
            Some("ENABLED") => Ok(Some(MfaChoice::Enabled)),
            Some("DISABLED") => Ok(Some(MfaChoice::Disabled)),
            Some("PREFERRED") => Ok(Some(MfaChoice::Preferred)),
            Some("NOT_PREFERRED") => Ok(Some(MfaChoice::NotPreferred)),
            Some(_) => Err(Error::config(String::from(name) + " must be ENABLED, DISABLED, PREFERRED or NOT_PREFERRED")),
        }
    }
}

fn attributes(v: Option<&Json>) -> Result<Vec<(String, String)>, Error> {
    let mut out = vec![];
    for (k, v) in v.and_then(Json::as_object).unwrap_or(&[]) {
        let v = v.as_str().ok_or_else(|| Error::config(String::from("attribute ") + k + " must be a string"))?;
        out.push((k.clone(), v.to_string()));
    }
    Ok(out)
}

fn done() -> Json {
    Json::Obj(vec![])
}

impl<E: Env> Client<E> {
    /// `signUp({username, password, attributes, autoSignIn})`.
    pub async fn sign_up(&self, input: &Json) -> Result<Json, Error> {
        let user = Username::new(required(input, "username")?);
        let password = Password::new(required(input, "password")?);
        let attrs = attributes(input.get("attributes"))?;
        let v = self.send(&api::sign_up(self.app(), &user, &password, &attrs)).await?;
        let key = session::auto_sign_in_key(&self.cfg.client_id);
        if input.get("autoSignIn").and_then(Json::as_bool) == Some(true) {
            // Remember the intent (no password is stored): confirmSignUp supplies the Session.
            let rec = AutoSignIn { username: user.as_str().to_string(), session: None, expires_at_ms: self.env.now_ms() + 86_400_000.0 };
            self.put(&key, &rec.to_json()).await?;
        }
        Ok(Json::object(vec![
            ("userConfirmed", Json::Bool(v.get("UserConfirmed").and_then(Json::as_bool).unwrap_or(false))),
            ("userSub", Json::from(v.str("UserSub"))),
            ("codeDelivery", code_delivery(v.get("CodeDeliveryDetails"))),
        ]))
    }

    /// `confirmSignUp({username, code})`.
    pub async fn confirm_sign_up(&self, input: &Json) -> Result<Json, Error> {
        let user = Username::new(required(input, "username")?);
        let code = required(input, "code")?;
        let v = self.send(&api::confirm_sign_up(self.app(), &user, code)).await?;
        let key = session::auto_sign_in_key(&self.cfg.client_id);
        let wanted = self.env.get(&key).await.and_then(|t| AutoSignIn::from_json(&t)).filter(|r| r.username == user.as_str());
        let auto = match (wanted, v.str("Session")) {
            (Some(mut r), Some(s)) => {
                r.session = Some(AuthSession::new(s));
                r.expires_at_ms = self.env.now_ms() + CHALLENGE_TTL_MS;
                self.put(&key, &r.to_json()).await?;
                true
            }
            _ => false,
        };
        Ok(Json::object(vec![("confirmed", Json::Bool(true)), ("autoSignIn", Json::Bool(auto))]))
    }

    /// `confirmSignUpFromLink(url)`: username and code from an e-mailed link
    /// (`username`/`user_name` and `code`/`confirmation_code`).
    pub async fn confirm_sign_up_from_link(&self, url: &str) -> Result<Json, Error> {
        let query = url.split_once('?').map(|x| x.1).unwrap_or("");
        let query = query.split('#').next().unwrap_or("");
        let pairs = form_decode(query);
        let get = |names: &[&str]| pairs.iter().find(|(k, _)| names.contains(&k.as_str())).map(|(_, v)| v.clone());
        let (Some(u), Some(c)) = (get(&["username", "user_name"]), get(&["code", "confirmation_code"])) else {
            return Err(Error::config(
                "the link carries no username and code (expected ?username=…&code=… or ?user_name=…&confirmation_code=…)",
            ));
        };
        self.confirm_sign_up(&Json::object(vec![("username", Json::from(u)), ("code", Json::from(c))])).await
    }

    pub async fn resend_sign_up_code(&self, input: &Json) -> Result<Json, Error> {
        let user = Username::new(required(input, "username")?);
        let v = self.send(&api::resend_confirmation_code(self.app(), &user)).await?;
        Ok(Json::object(vec![("codeDelivery", code_delivery(v.get("CodeDeliveryDetails")))]))
    }

    pub async fn forgot_password(&self, input: &Json) -> Result<Json, Error> {
        let user = Username::new(required(input, "username")?);
        let v = self.send(&api::forgot_password(self.app(), &user)).await?;
        Ok(Json::object(vec![("codeDelivery", code_delivery(v.get("CodeDeliveryDetails")))]))
    }

    pub async fn confirm_forgot_password(&self, input: &Json) -> Result<Json, Error> {
        let user = Username::new(required(input, "username")?);
        let code = required(input, "code")?;
        let pw = Password::new(required(input, "newPassword")?);
        self.send(&api::confirm_forgot_password(self.app(), &user, code, &pw)).await?;
        Ok(done())
    }

    /// Runs a signed-in request; a missing admin scope is explained. Boxed and not generic: one
    /// copy in the wasm for the ten account calls (about 2 KB gzipped less than one per call).
    fn as_user<'a>(&'a self, build: &'a dyn Fn(&AccessToken) -> api::ApiRequest) -> Pin<Box<dyn Future<Output = UserCall> + 'a>> {
        Box::pin(async move {
            let s = self.signed_in().await?;
            let req = build(&s.access_token);
            match self.send(&req).await {
                Ok(v) => Ok((v, s)),
                Err(e) => Err(self.explain_scope(e, &s)),
            }
        })
    }

    pub async fn change_password(&self, input: &Json) -> Result<Json, Error> {
        let old = Password::new(required(input, "oldPassword")?);
        let new = Password::new(required(input, "newPassword")?);
        self.as_user(&|t| api::change_password(t, &old, &new)).await?;
        Ok(done())
    }

    /// `getUserAttributes()` → `{name: value}` from GetUser.
    pub async fn get_user_attributes(&self) -> Result<Json, Error> {
        let (v, _) = self.as_user(&api::get_user).await?;
        Ok(api::attributes_object(v.get("UserAttributes")))
    }

    pub async fn update_user_attributes(&self, input: &Json) -> Result<Json, Error> {
        let attrs = attributes(input.get("attributes"))?;
        if attrs.is_empty() {
            return Err(Error::service("InvalidParameterException", "attributes is required: { attributes: { name: value } }"));
        }
        let (v, _) = self.as_user(&|t| api::update_user_attributes(t, &attrs)).await?;
        let list: Vec<Json> =
            v.get("CodeDeliveryDetailsList").and_then(Json::as_array).unwrap_or(&[]).iter().map(|d| code_delivery(Some(d))).collect();
        Ok(Json::object(vec![("codeDeliveries", Json::Arr(list))]))
    }

    pub async fn verify_user_attribute(&self, input: &Json) -> Result<Json, Error> {
        let name = required(input, "attributeName")?;
        let code = required(input, "code")?;
        self.as_user(&|t| api::verify_user_attribute(t, name, code)).await?;
        Ok(done())
    }

    pub async fn send_user_attribute_verification_code(&self, input: &Json) -> Result<Json, Error> {
        let name = required(input, "attributeName")?;
        let (v, _) = self.as_user(&|t| api::get_user_attribute_verification_code(t, name)).await?;
        Ok(Json::object(vec![("codeDelivery", code_delivery(v.get("CodeDeliveryDetails")))]))
    }

    pub async fn delete_user_attributes(&self, input: &Json) -> Result<Json, Error> {
        let names: Vec<String> = input
            .get("attributeNames")
            .and_then(Json::as_array)
            .ok_or_else(|| Error::service("InvalidParameterException", "attributeNames is required"))?
            .iter()
            .filter_map(|n| n.as_str().map(String::from))
            .collect();
        self.as_user(&|t| api::delete_user_attributes(t, &names)).await?;
        Ok(done())
    }

    /// Deletes the user, then signs out locally.
    pub async fn delete_user(&self) -> Result<Json, Error> {
        let (_, s) = self.as_user(&api::delete_user).await?;
        self.forget_local_device(&s.username).await;
        self.clear_local(Some(&s)).await;
        self.announce("signedOut", Some(&s), None);
        Ok(done())
    }

    /// `setUpTotp({issuer})` → `{secretCode, uri}` (otpauth:// for a QR code).
    pub async fn set_up_totp(&self, input: &Json) -> Result<Json, Error> {
        let (v, s) = self.as_user(&|t| api::associate_software_token(TotpAuth::Access(t))).await?;
        let secret = v.str("SecretCode").ok_or_else(|| Error::network("AssociateSoftwareToken without SecretCode"))?;
        let issuer =
            input.str("issuer").map(String::from).or(self.cfg.app_name.clone()).unwrap_or_else(|| self.cfg.pool.pool_name().to_string());
        let account = s.id_claims.str("email").unwrap_or(&s.username).to_string();
        Ok(Json::object(vec![
            ("secretCode", Json::from(secret)),
            ("uri", Json::Str(cognito_proto::oauth::totp_uri(&issuer, &account, secret))),
        ]))
    }

    /// `verifyTotpSetup({code, deviceName})`.
    pub async fn verify_totp_setup(&self, input: &Json) -> Result<Json, Error> {
        let code = required(input, "code")?;
        let name = input.str("deviceName");
        let (v, _) = self.as_user(&|t| api::verify_software_token(TotpAuth::Access(t), code, name)).await?;
        if v.str("Status") != Some("SUCCESS") {
            return Err(Error::service("EnableSoftwareTokenMFAException", "the code was not accepted"));
        }
        Ok(done())
    }

    /// `updateMfaPreference({sms, totp, email})`, each ENABLED | DISABLED | PREFERRED | NOT_PREFERRED.
    pub async fn update_mfa_preference(&self, input: &Json) -> Result<Json, Error> {
        let sms = MfaChoice::parse(input.get("sms"), "sms")?;
        let totp = MfaChoice::parse(input.get("totp"), "totp")?;
        let email = MfaChoice::parse(input.get("email"), "email")?;
        let enabled = |c: Option<MfaChoice>| c.map(|c| c != MfaChoice::Disabled);
        let preferred =
            [("SMS", sms), ("TOTP", totp), ("EMAIL", email)].into_iter().find(|(_, c)| *c == Some(MfaChoice::Preferred)).map(|(f, _)| f);
        self.as_user(&|t| api::set_user_mfa_preference(t, enabled(sms), enabled(totp), enabled(email), preferred)).await?;
        Ok(done())
    }

    /// `fetchMfaPreference()` → `{enabled: [...], preferred}`.
    pub async fn fetch_mfa_preference(&self) -> Result<Json, Error> {
        let (v, _) = self.as_user(&api::get_user).await?;
        fn map(m: &str) -> &str {
            match m {
                "SMS_MFA" => "SMS",
                "SOFTWARE_TOKEN_MFA" => "TOTP",
                "EMAIL_OTP" => "EMAIL",
                other => other,
            }
        }
        let enabled: Vec<Json> = v
            .get("UserMFASettingList")
            .and_then(Json::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|m| m.as_str().map(|m| Json::from(map(m))))
            .collect();
        Ok(Json::object(vec![("enabled", Json::Arr(enabled)), ("preferred", Json::from(v.str("PreferredMfaSetting").map(map)))]))
    }

    /// `rememberDevice()`: marks this browser's device as remembered (skips MFA next time).
    pub async fn remember_device(&self) -> Result<Json, Error> {
        let s = self.signed_in().await?;
        let d = self
            .device_of(&s.username)
            .await
            .ok_or_else(|| Error::invalid_state("no device is tracked for this browser (device tracking off in the pool?)"))?;
        self.as_user(&|t| api::update_device_status(t, &d.key, true)).await?;
        Ok(done())
    }

    /// `forgetDevice({deviceKey})`: this browser's device by default.
    pub async fn forget_device(&self, input: &Json) -> Result<Json, Error> {
        let s = self.signed_in().await?;
        let own = self.device_of(&s.username).await.map(|d| d.key);
        let key = match input.str("deviceKey") {
            Some(k) => DeviceKey::new(k),
            None => own.clone().ok_or_else(|| Error::invalid_state("no device is tracked for this browser"))?,
        };
        self.as_user(&|t| api::forget_device(t, &key)).await?;
        if own.is_some_and(|o| o == key) {
            self.forget_local_device(&s.username).await;
        }
        Ok(done())
    }

    /// `fetchDevices()` → `[{deviceKey, name, attributes, createdAt, lastModifiedAt,
    /// lastAuthenticatedAt, current}]` (all pages).
    pub async fn fetch_devices(&self) -> Result<Json, Error> {
        let s = self.signed_in().await?;
        let own = self.device_of(&s.username).await.map(|d| d.key.as_str().to_string());
        let mut out = vec![];
        let mut page: Option<String> = None;
        for _ in 0..20 {
            let (v, _) = self.as_user(&|t| api::list_devices(t, 60, page.as_deref())).await?;
            for d in v.get("Devices").and_then(Json::as_array).unwrap_or(&[]) {
                let attrs = api::attributes_object(d.get("DeviceAttributes"));
                let key = d.str("DeviceKey").unwrap_or("");
                out.push(Json::object(vec![
                    ("deviceKey", Json::from(key)),
                    ("name", attrs.get("device_name").cloned().unwrap_or(Json::Null)),
                    ("current", Json::Bool(own.as_deref() == Some(key))),
                    ("attributes", attrs.clone()),
                    ("createdAt", d.get("DeviceCreateDate").cloned().unwrap_or(Json::Null)),
                    ("lastModifiedAt", d.get("DeviceLastModifiedDate").cloned().unwrap_or(Json::Null)),
                    ("lastAuthenticatedAt", d.get("DeviceLastAuthenticatedDate").cloned().unwrap_or(Json::Null)),
                ]));
            }
            page = v.str("PaginationToken").map(String::from);
            if page.is_none() {
                break;
            }
        }
        Ok(Json::Arr(out))
    }
}
