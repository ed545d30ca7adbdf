//! Sign-in: USER_SRP_AUTH, USER_PASSWORD_AUTH, CUSTOM_AUTH (with or without SRP), auto sign-in
//! after sign-up, and the challenge loop (protocol reference §1.4, §2, §4).
//!
//! ```text
//! signIn ─▶ InitiateAuth ─▶ PASSWORD_VERIFIER ─▶ claim (USER_ID_FOR_SRP, server-corrected TIMESTAMP)
//!        ─▶ DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER      answered here, never shown to the app
//!        ─▶ NEW_PASSWORD_REQUIRED | SMS_MFA | EMAIL_OTP | SOFTWARE_TOKEN_MFA | SELECT_MFA_TYPE
//!           | MFA_SETUP | CUSTOM_CHALLENGE                  stored (survives a reload, 3 min),
//!                                                           returned as nextStep → confirmSignIn
//!        ─▶ tokens → verified → stored → NewDeviceMetadata → ConfirmDevice → "signedIn"
//! ```

use super::{required, Client, Env};
use cognito_proto::api::{self, AuthStep, Challenge, Tokens, TotpAuth};
use cognito_proto::error::Error;
use cognito_proto::json::Json;
use cognito_proto::jwt::TokenUse;
use cognito_proto::session::{self, AutoSignIn, Pending, Session, CHALLENGE_TTL_MS};
use cognito_proto::srp::{self, ClientEphemeral, DeviceSecrets, SrpTimestamp, VerifierChallenge};
use cognito_proto::types::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Srp,
    Password,
    CustomWithSrp,
    CustomWithoutSrp,
}

#[derive(Clone, Debug)]
pub struct SignInInput {
    pub username: Username,
    pub password: Option<Password>,
    pub flow: Flow,
}

impl SignInInput {
    /// `{username, password, flow}`; flow defaults to USER_SRP_AUTH.
    pub fn from_json(v: &Json) -> Result<Self, Error> {
        let username = required(v, "username")?;
        let flow = match v.str("flow").unwrap_or("USER_SRP_AUTH") {
            "USER_SRP_AUTH" => Flow::Srp,
            "USER_PASSWORD_AUTH" => Flow::Password,
            "CUSTOM_WITH_SRP" => Flow::CustomWithSrp,
            "CUSTOM_WITHOUT_SRP" | "CUSTOM_AUTH" => Flow::CustomWithoutSrp,
            other => {
                return Err(Error::config(
                    String::from("flow \"")
                        + other
                        + "\" is not one of USER_SRP_AUTH, USER_PASSWORD_AUTH, CUSTOM_WITH_SRP, CUSTOM_WITHOUT_SRP",
                ))
            }
        };
        let password = match flow {
            Flow::CustomWithoutSrp => None,
            _ => Some(Password::new(required(v, "password")?)),
        };
        Ok(SignInInput { username: Username::new(username), password, flow })
    }
}

/// A remembered device: key, group key, random password.
pub(crate) struct Device {
    pub key: DeviceKey,
    pub group: DeviceGroupKey,
    pub password: DevicePassword,
}

/// Sign-in errors after which the stored challenge cannot be answered again.
fn ends_pending(e: &Error) -> bool {
    ["NotAuthorizedException", "ExpiredCodeException", "UserNotFoundException", "ResourceNotFoundException"].iter().any(|n| e.is(n))
}

fn device_unknown(e: &Error) -> bool {
    e.is("ResourceNotFoundException") && e.message().to_ascii_lowercase().contains("device")
}

impl<E: Env> Client<E> {
    pub async fn sign_in(&self, input: SignInInput) -> Result<Json, Error> {
        if let Some(s) = self.load_session().await {
            return Err(Error::invalid_state(String::from("already signed in as ") + &s.username + "; call signOut() first"));
        }
        self.env.remove(&session::pending_key(&self.cfg.client_id)).await;
        match self.start_sign_in(&input, true).await {
            // A remembered device the pool no longer knows: drop it and sign in without it
            // (amazon-cognito-identity-js does the same).
            Ok(None) => self.start_sign_in(&input, false).await?.ok_or_else(|| Error::invalid_state("device sign-in failed twice")),
            Err(e) if device_unknown(&e) => {
                self.forget_local_device(input.username.as_str()).await;
                self.start_sign_in(&input, false).await?.ok_or_else(|| Error::invalid_state("device sign-in failed twice"))
            }
            other => other?.ok_or_else(|| Error::invalid_state("device sign-in failed")),
        }
    }

    /// `Ok(None)`: the stored device was unknown to Cognito and has been forgotten; retry.
    async fn start_sign_in(&self, input: &SignInInput, use_device: bool) -> Result<Option<Json>, Error> {
        let typed = input.username.as_str();
        let device = if use_device { self.device_of(typed).await.map(|d| d.key) } else { None };
        let app = self.app();
        match input.flow {
            Flow::Srp | Flow::CustomWithSrp => {
                let eph = self.take_ephemeral()?;
                let a = eph.public().to_hex();
                let req = if input.flow == Flow::Srp {
                    api::initiate_srp(app, &input.username, &a, device.as_ref())
                } else {
                    api::initiate_custom(app, &input.username, Some(&a), device.as_ref())
                };
                let step = api::parse_auth(&self.send(&req).await?)?;
                let AuthStep::Challenge(ch) = step else {
                    return Err(Error::network("Cognito skipped PASSWORD_VERIFIER"));
                };
                if ch.name != "PASSWORD_VERIFIER" {
                    return self.drive(AuthStep::Challenge(ch), typed.to_string()).await.map(Some);
                }
                let password = input.password.as_ref().ok_or_else(|| Error::config("password is required"))?;
                match self.answer_password_verifier(&ch, &eph, password, use_device).await? {
                    Some((step, user)) => self.drive(step, user).await.map(Some),
                    None => Ok(None),
                }
            }
            Flow::Password => {
                let password = input.password.as_ref().ok_or_else(|| Error::config("password is required"))?;
                let step = api::parse_auth(&self.send(&api::initiate_password(app, &input.username, password, device.as_ref())).await?)?;
                self.drive(step, typed.to_string()).await.map(Some)
            }
            Flow::CustomWithoutSrp => {
                let step = api::parse_auth(&self.send(&api::initiate_custom(app, &input.username, None, device.as_ref())).await?)?;
                self.drive(step, typed.to_string()).await.map(Some)
            }
        }
    }

    /// PASSWORD_VERIFIER: the claim over USER_ID_FOR_SRP, answered with that name (and its
    /// SECRET_HASH and remembered device). `None` when Cognito did not know our device.
    async fn answer_password_verifier(
        &self,
        ch: &Challenge,
        eph: &ClientEphemeral,
        password: &Password,
        use_device: bool,
    ) -> Result<Option<(AuthStep, String)>, Error> {
        let user = UserIdForSrp::new(
            ch.param("USER_ID_FOR_SRP").or(ch.param("USERNAME")).ok_or(srp::SrpError::MissingParameter("USER_ID_FOR_SRP"))?,
        );
        let vc = VerifierChallenge::from_params(|k| ch.param(k))?;
        let ts = SrpTimestamp::from_unix((self.server_now_ms() / 1000.0) as i64);
        let claim = srp::password_claim(eph, &self.cfg.pool, &user, password, &vc, &ts)?;
        let device = if use_device { self.device_of(user.as_str()).await.map(|d| d.key) } else { None };
        let req = api::respond(
            self.app(),
            "PASSWORD_VERIFIER",
            user.as_str(),
            ch.session.as_ref(),
            &[
                ("PASSWORD_CLAIM_SECRET_BLOCK", vc.secret_block.as_str()),
                ("TIMESTAMP", ts.as_str()),
                ("PASSWORD_CLAIM_SIGNATURE", &claim.signature),
            ],
            device.as_ref(),
        );
        match self.send(&req).await {
            Err(e) if device.is_some() && device_unknown(&e) => {
                self.forget_local_device(user.as_str()).await;
                Ok(None)
            }
            Err(e) => Err(e),
            Ok(v) => Ok(Some((api::parse_auth(&v)?, user.as_str().to_string()))),
        }
    }

    /// Runs the challenge loop until tokens or a step the app must answer.
    pub(crate) async fn drive(&self, step: AuthStep, mut username: String) -> Result<Json, Error> {
        let mut step = step;
        loop {
            match step {
                AuthStep::Tokens(t) => {
                    let s = self.finish(t, false, None, None).await?;
                    self.env.remove(&session::pending_key(&self.cfg.client_id)).await;
                    self.env.remove(&session::auto_sign_in_key(&self.cfg.client_id)).await;
                    self.announce("signedIn", Some(&s), None);
                    return Ok(Json::object(vec![("signedIn", Json::Bool(true))]));
                }
                AuthStep::Challenge(ch) => {
                    if let Some(u) = ch.param("USER_ID_FOR_SRP").or(ch.param("USERNAME")).filter(|u| !u.is_empty()) {
                        username = u.to_string();
                    }
                    match ch.name.as_str() {
                        "DEVICE_SRP_AUTH" => step = self.device_srp(&ch, &username).await?,
                        "MFA_SETUP" => return self.mfa_setup(ch, username).await,
                        _ => return self.store_pending(ch, username, None).await,
                    }
                }
            }
        }
    }

    /// DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER with the remembered device's secrets.
    async fn device_srp(&self, ch: &Challenge, username: &str) -> Result<AuthStep, Error> {
        let d = self
            .device_of(username)
            .await
            .ok_or_else(|| Error::invalid_state("Cognito asked for the remembered device, but its secrets are not in storage"))?;
        let eph = self.new_ephemeral()?;
        let a = eph.public().to_hex();
        let req = api::respond(self.app(), "DEVICE_SRP_AUTH", username, ch.session.as_ref(), &[("SRP_A", &a)], Some(&d.key));
        let AuthStep::Challenge(dv) = api::parse_auth(&self.send(&req).await?)? else {
            return Err(Error::network("Cognito skipped DEVICE_PASSWORD_VERIFIER"));
        };
        let vc = VerifierChallenge::from_params(|k| dv.param(k))?;
        let ts = SrpTimestamp::from_unix((self.server_now_ms() / 1000.0) as i64);
        let claim = srp::device_claim(&eph, &d.group, &d.key, &d.password, &vc, &ts)?;
        let req = api::respond(
            self.app(),
            "DEVICE_PASSWORD_VERIFIER",
            username,
            dv.session.as_ref(),
            &[
                ("PASSWORD_CLAIM_SECRET_BLOCK", vc.secret_block.as_str()),
                ("TIMESTAMP", ts.as_str()),
                ("PASSWORD_CLAIM_SIGNATURE", &claim.signature),
            ],
            Some(&d.key),
        );
        api::parse_auth(&self.send(&req).await?)
    }

    /// MFA_SETUP: when TOTP may be set up, associate a secret right away so the page can show
    /// its QR code.
    async fn mfa_setup(&self, mut ch: Challenge, username: String) -> Result<Json, Error> {
        let can = ch.param("MFAS_CAN_SETUP").unwrap_or("");
        if !can.contains("SOFTWARE_TOKEN_MFA") {
            return self.store_pending(ch, username, None).await;
        }
        let session = ch.session.clone().ok_or_else(|| Error::network("MFA_SETUP without a Session"))?;
        let r = self.send(&api::associate_software_token(TotpAuth::Session(&session))).await?;
        let secret = r.str("SecretCode").ok_or_else(|| Error::network("AssociateSoftwareToken without SecretCode"))?.to_string();
        if let Some(s) = r.str("Session") {
            ch.session = Some(AuthSession::new(s));
        }
        self.store_pending(ch, username, Some(secret)).await
    }

    async fn store_pending(&self, ch: Challenge, username: String, totp_secret: Option<String>) -> Result<Json, Error> {
        let p = Pending {
            username,
            challenge: ch.name,
            session: ch.session,
            params: ch.params,
            expires_at_ms: self.env.now_ms() + CHALLENGE_TTL_MS,
            totp_secret,
        };
        self.put(&session::pending_key(&self.cfg.client_id), &p.to_json()).await?;
        Ok(Json::object(vec![("signedIn", Json::Bool(false)), ("nextStep", self.next_step(&p))]))
    }

    /// What the page needs to show for a step.
    fn next_step(&self, p: &Pending) -> Json {
        let parse = |k: &str| p.param(k).and_then(|t| Json::parse(t).ok());
        let mut m = vec![("challenge", Json::from(p.challenge.as_str()))];
        match p.challenge.as_str() {
            "NEW_PASSWORD_REQUIRED" => {
                let req: Vec<Json> = parse("requiredAttributes")
                    .and_then(|v| v.as_array().map(|a| a.to_vec()))
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|x| x.as_str().map(|s| Json::from(s.trim_start_matches("userAttributes."))))
                    .collect();
                m.push(("requiredAttributes", Json::Arr(req)));
                m.push(("userAttributes", parse("userAttributes").unwrap_or(Json::Obj(vec![]))));
            }
            "SMS_MFA" | "EMAIL_OTP" | "SMS_OTP" => {
                m.push((
                    "codeDeliveryDetails",
                    Json::object(vec![
                        ("destination", Json::from(p.param("CODE_DELIVERY_DESTINATION"))),
                        ("deliveryMedium", Json::from(p.param("CODE_DELIVERY_DELIVERY_MEDIUM"))),
                    ]),
                ));
            }
            "SOFTWARE_TOKEN_MFA" => {
                if let Some(n) = p.param("FRIENDLY_DEVICE_NAME").filter(|n| !n.is_empty()) {
                    m.push(("friendlyDeviceName", Json::from(n)));
                }
            }
            "SELECT_MFA_TYPE" => m.push(("allowedMfaTypes", parse("MFAS_CAN_CHOOSE").unwrap_or(Json::Arr(vec![])))),
            "MFA_SETUP" => {
                m.push(("allowedMfaTypes", parse("MFAS_CAN_SETUP").unwrap_or(Json::Arr(vec![]))));
                if let Some(secret) = &p.totp_secret {
                    let issuer = self.cfg.app_name.clone().unwrap_or_else(|| self.cfg.pool.pool_name().to_string());
                    m.push((
                        "totpSetup",
                        Json::object(vec![
                            ("secretCode", Json::from(secret.as_str())),
                            ("uri", Json::Str(cognito_proto::oauth::totp_uri(&issuer, &p.username, secret))),
                        ]),
                    ));
                }
            }
            _ => {
                let params =
                    p.params.iter().filter(|(k, _)| k != "USERNAME" && k != "USER_ID_FOR_SRP").map(|(k, v)| (k.as_str(), v.as_str()));
                m.push(("parameters", Json::string_map(params)));
            }
        }
        m.push(("expiresAt", Json::int(p.expires_at_ms as i64)));
        Json::object(m)
    }

    async fn load_pending(&self) -> Result<Pending, Error> {
        let key = session::pending_key(&self.cfg.client_id);
        let Some(text) = self.env.get(&key).await else {
            return Err(Error::invalid_state("no sign-in is waiting for an answer: call signIn first"));
        };
        let Some(p) = Pending::from_json(&text) else {
            self.env.remove(&key).await;
            return Err(Error::invalid_state("the stored sign-in step was unreadable and has been cleared: call signIn again"));
        };
        if self.env.now_ms() >= p.expires_at_ms {
            self.env.remove(&key).await;
            return Err(Error::invalid_state("the sign-in expired (Cognito allows 3 minutes between steps): call signIn again"));
        }
        Ok(p)
    }

    /// The step waiting for an answer, if any (e.g. after a reload).
    pub async fn pending_step(&self) -> Option<Json> {
        self.load_pending().await.ok().map(|p| self.next_step(&p))
    }

    /// Answers the stored challenge.
    pub async fn confirm_sign_in(&self, input: &Json) -> Result<Json, Error> {
        let mut p = self.load_pending().await?;
        let device = self.device_of(&p.username).await.map(|d| d.key);
        let text = |k: &str| input.str(k).filter(|s| !s.is_empty());
        let mut responses: Vec<(String, String)> = vec![];
        let code = |field: &str| -> Result<(String, String), Error> { Ok((field.to_string(), required(input, "code")?.to_string())) };
        match p.challenge.as_str() {
            "NEW_PASSWORD_REQUIRED" => {
                responses.push(("NEW_PASSWORD".into(), required(input, "newPassword")?.into()));
                for (k, v) in input.get("attributes").and_then(Json::as_object).unwrap_or(&[]) {
                    let v = v.as_str().ok_or_else(|| Error::config("attributes must map names to strings"))?;
                    responses.push((String::from("userAttributes.") + k, v.to_string()));
                }
            }
            "SMS_MFA" => responses.push(code("SMS_MFA_CODE")?),
            "SMS_OTP" => responses.push(code("SMS_OTP_CODE")?),
            "EMAIL_OTP" => responses.push(code("EMAIL_OTP_CODE")?),
            "SOFTWARE_TOKEN_MFA" => responses.push(code("SOFTWARE_TOKEN_MFA_CODE")?),
            "SELECT_MFA_TYPE" => {
                let t = match required(input, "mfaType")? {
                    "SMS" | "SMS_MFA" => "SMS_MFA",
                    "EMAIL" | "EMAIL_OTP" | "EMAIL_MFA" => "EMAIL_OTP",
                    "TOTP" | "SOFTWARE_TOKEN_MFA" => "SOFTWARE_TOKEN_MFA",
                    other => {
                        return Err(Error::service(
                            "InvalidParameterException",
                            &(String::from("mfaType ") + other + " is not SMS, EMAIL or TOTP"),
                        ))
                    }
                };
                responses.push(("ANSWER".into(), t.into()));
            }
            "CUSTOM_CHALLENGE" => responses.push(("ANSWER".into(), required(input, "answer")?.into())),
            "MFA_SETUP" => {
                if let Some(email) = text("email") {
                    responses.push(("EMAIL".into(), email.into()));
                } else {
                    // TOTP: verify the code for the secret associated with this sign-in.
                    let code = required(input, "code")?;
                    let session = p.session.clone().ok_or_else(|| Error::invalid_state("MFA_SETUP without a Session"))?;
                    let device_name = text("deviceName").or(self.cfg.device_name.as_deref());
                    let r = self.send(&api::verify_software_token(TotpAuth::Session(&session), code, device_name)).await?;
                    if r.str("Status") != Some("SUCCESS") {
                        return Err(Error::service("EnableSoftwareTokenMFAException", "the code was not accepted"));
                    }
                    if let Some(s) = r.str("Session") {
                        p.session = Some(AuthSession::new(s));
                        self.put(&session::pending_key(&self.cfg.client_id), &p.to_json()).await?;
                    }
                }
            }
            _ => {
                for (k, v) in input.get("challengeResponses").and_then(Json::as_object).unwrap_or(&[]) {
                    responses.push((k.clone(), v.as_str().unwrap_or("").to_string()));
                }
            }
        }
        let refs: Vec<(&str, &str)> = responses.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let req = api::respond(self.app(), &p.challenge, &p.username, p.session.as_ref(), &refs, device.as_ref());
        match self.send(&req).await {
            Err(e) => {
                if ends_pending(&e) {
                    self.env.remove(&session::pending_key(&self.cfg.client_id)).await;
                }
                Err(e)
            }
            Ok(v) => {
                self.env.remove(&session::pending_key(&self.cfg.client_id)).await;
                self.drive(api::parse_auth(&v)?, p.username).await
            }
        }
    }

    /// Signs in with the Session ConfirmSignUp returned (stored, so it survives a reload).
    pub async fn auto_sign_in(&self) -> Result<Json, Error> {
        let key = session::auto_sign_in_key(&self.cfg.client_id);
        let rec = self.env.get(&key).await.and_then(|t| AutoSignIn::from_json(&t));
        let Some(rec) = rec.filter(|r| r.session.is_some()) else {
            self.env.remove(&key).await;
            return Err(Error::invalid_state(
                "no confirmed sign-up is waiting to sign in: call signUp with autoSignIn: true, then confirmSignUp",
            ));
        };
        if self.env.now_ms() >= rec.expires_at_ms {
            self.env.remove(&key).await;
            return Err(Error::invalid_state("the auto sign-in expired: call signIn"));
        }
        let session = rec.session.clone().ok_or_else(|| Error::invalid_state("no auto sign-in session"))?;
        let user = Username::new(rec.username.clone());
        let r = self.send(&api::initiate_auto_sign_in(self.app(), &user, &session)).await;
        self.env.remove(&key).await;
        self.drive(api::parse_auth(&r?)?, rec.username).await
    }

    /// Verifies and stores the tokens of any sign-in or refresh; confirms a new device. A
    /// refresh passes the sign-out count it started with: after a sign-out since, nothing is
    /// stored (InvalidStateError).
    pub(crate) async fn finish(&self, t: Tokens, hosted: bool, nonce: Option<&str>, sign_outs: Option<u32>) -> Result<Session, Error> {
        if self.cfg.verify_tokens {
            self.verify(t.id_token.expose(), Some(TokenUse::Id), nonce).await?;
            self.verify(t.access_token.expose(), Some(TokenUse::Access), None).await?;
        } else if let Some(n) = nonce {
            // Even unverified, a hosted-UI ID token must answer our request.
            if cognito_proto::jwt::decode(t.id_token.expose())?.claims.str("nonce") != Some(n) {
                return Err(Error::token(cognito_proto::error::TokenCheck::Nonce, "nonce does not match the sign-in request"));
            }
        }
        let access = cognito_proto::jwt::decode(t.access_token.expose())?.claims;
        let username = access
            .str("username")
            .ok_or_else(|| Error::token(cognito_proto::error::TokenCheck::Malformed, "access token without username"))?
            .to_string();
        let iat = access.get("iat").and_then(Json::as_i64).unwrap_or(0);
        let drift = session::clock_drift_secs(iat, self.env.now_ms());
        if sign_outs.is_some_and(|n| n != self.sign_outs()) {
            return Err(Error::invalid_state("signed out while the session was being refreshed"));
        }
        let k = self.user_keys(&username);
        self.put(&session::last_user_key(&self.cfg.client_id), &username).await?;
        self.put(&k.id_token(), t.id_token.expose()).await?;
        self.put(&k.access_token(), t.access_token.expose()).await?;
        if let Some(r) = &t.refresh_token {
            self.put(&k.refresh_token(), r.expose()).await?;
        }
        self.put(&k.clock_drift(), &session::secs_text(drift)).await?;
        self.put(&k.sign_in_method(), if hosted { "hostedUI" } else { "api" }).await?;
        if let Some((key, group)) = &t.new_device {
            self.confirm_new_device(&username, &t.access_token, key, group).await;
        }
        let s = Session::from_stored(
            &username,
            Some(t.id_token.expose()),
            Some(t.access_token.expose()),
            t.refresh_token.as_ref().map(|r| r.expose()),
            Some(&session::secs_text(drift)),
            Some(if hosted { "hostedUI" } else { "api" }),
        )
        .ok_or_else(|| Error::token(cognito_proto::error::TokenCheck::Malformed, "the tokens do not belong together"))?;
        self.set_latest(Some(s.clone()));
        Ok(s)
    }

    /// ConfirmDevice with a fresh verifier; the device is kept only when Cognito accepts it
    /// (a failure leaves the sign-in intact, as in Amplify).
    async fn confirm_new_device(&self, username: &str, access: &AccessToken, key: &DeviceKey, group: &DeviceGroupKey) {
        let (Ok(pw), Ok(salt)) = (self.random_bytes::<40>(), self.random_bytes::<16>()) else { return };
        let secrets = DeviceSecrets::from_random(group, key, &pw, &salt);
        let name = self.cfg.device_name.clone();
        let req = api::confirm_device(access, key, &secrets.password_verifier, &secrets.salt, name.as_deref());
        if self.send(&req).await.is_ok() {
            let k = self.user_keys(username);
            let _ = self.put(&k.device_key(), key.as_str()).await;
            let _ = self.put(&k.device_group_key(), group.as_str()).await;
            let _ = self.put(&k.device_password(), secrets.password.expose()).await;
        }
    }

    pub(crate) async fn device_of(&self, username: &str) -> Option<Device> {
        let k = self.user_keys(username);
        let key = self.env.get(&k.device_key()).await?;
        let group = self.env.get(&k.device_group_key()).await;
        let password = self.env.get(&k.device_password()).await;
        match (group, password) {
            (Some(g), Some(p)) if !key.is_empty() && !g.is_empty() && !p.is_empty() => {
                Some(Device { key: DeviceKey::new(key), group: DeviceGroupKey::new(g), password: DevicePassword::new(p) })
            }
            _ => {
                // Half a device is no device.
                self.forget_local_device(username).await;
                None
            }
        }
    }

    pub(crate) async fn forget_local_device(&self, username: &str) {
        for key in self.user_keys(username).device_keys() {
            self.env.remove(&key).await;
        }
    }

    /// Local event and cross-tab message (the message carries the new tokens so other tabs can
    /// use them before their storage shows them).
    pub(crate) fn announce(&self, kind: &str, s: Option<&Session>, error: Option<&Error>) {
        let username = s.map(|s| s.username.as_str());
        let mut ev = Json::object(vec![("type", Json::from(kind)), ("username", Json::from(username))]);
        if let Some(e) = error {
            ev.set("error", super::error_json(e));
        }
        self.env.emit(&ev);
        if let Some(s) = s.filter(|_| kind == "signedIn" || kind == "tokenRefresh") {
            ev.set("idToken", Json::from(s.id_token.expose()));
            ev.set("accessToken", Json::from(s.access_token.expose()));
            ev.set("clockDrift", Json::int(s.clock_drift_ms / 1000));
        }
        self.env.broadcast(&ev);
    }
}
