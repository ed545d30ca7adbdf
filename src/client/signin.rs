//! Sign-in: USER_SRP_AUTH, USER_PASSWORD_AUTH, CUSTOM_AUTH (with or without SRP), USER_AUTH
//! (choice-based: passwords, one-time codes, passkeys), auto sign-in after sign-up, and the
//! challenge loop (the `InitiateAuth` and `RespondToAuthChallenge` API
//! references; SRP as in `cognito_proto::srp`).
//!
//! ```text
//! signIn ─▶ InitiateAuth ─▶ PASSWORD_VERIFIER ─▶ claim (USER_ID_FOR_SRP, server-corrected TIMESTAMP)
//!        ─▶ DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER      answered here, never shown to the app
//!        ─▶ WEB_AUTHN → navigator.credentials.get → CREDENTIAL   answered here too
//!        ─▶ SELECT_CHALLENGE (AvailableChallenges)          shown; confirmSignIn({factor}) answers
//!           ANSWER (+ PASSWORD | SRP_A → PASSWORD_VERIFIER)
//!        ─▶ NEW_PASSWORD_REQUIRED | SMS_MFA | EMAIL_OTP | SOFTWARE_TOKEN_MFA | SELECT_MFA_TYPE
//!           | MFA_SETUP | CUSTOM_CHALLENGE                  stored (survives a reload, 3 min),
//!                                                           returned as a NextStep → confirmSignIn
//!        ─▶ tokens → verified → stored → NewDeviceMetadata → ConfirmDevice → "signedIn"
//! ```

use super::store::{SignInMethod, StoredDevice};
use super::{nodrop, Client, Env, EventKind, Flow, Metadata, PendingStep, SignInInput, SignInOutcome};
use cognito_proto::api::{self, AuthStep, Challenge, Tokens, TotpAuth};
use cognito_proto::challenge::{self, Answer, ChallengeName, Factor, NextStep, TotpSetup};
use cognito_proto::codec::has;
use cognito_proto::error::{Error, ErrorKind, Exception};
use cognito_proto::json::Json;
use cognito_proto::session::{self, AutoSignIn, Pending, Session, CHALLENGE_TTL_MS};
use cognito_proto::srp::{self, ClientEphemeral, DeviceSecrets, SrpTimestamp, VerifierChallenge};
use cognito_proto::types::*;
use cognito_proto::webauthn;

/// Cognito did not know the remembered device we sent (ResourceNotFoundException naming a
/// device): amazon-cognito-identity-js drops it and signs in again without it, and so do we.
fn device_unknown(e: &Error) -> bool {
    e.is(&Exception::ResourceNotFound) && has(&e.message().to_ascii_lowercase(), "device")
}

impl<E: Env> Client<E> {
    /// At idle time (after the sign-in part loads, and after each sign-in): the table for `g`,
    /// a slice at a time, then the next `A = g^a`, so that neither is on a sign-in's critical
    /// path (a sign-in that comes first does without them).
    pub fn prepare_soon(&self) {
        let Some(me) = self.me() else { return };
        self.env.spawn(Box::pin(async move {
            loop {
                me.env.idle().await;
                if srp::warm_step() {
                    break;
                }
            }
            me.env.idle().await;
            me.prepare();
        }));
    }

    /// Opens the connection to the user-pool endpoint ahead of a sign-in (the page loaded the
    /// sign-in part early): on a phone, TCP and TLS are two round trips the first request then
    /// does not wait for.
    pub fn preconnect(&self) {
        self.env.preconnect(&self.cfg.endpoint);
    }

    pub async fn sign_in(&self, input: SignInInput) -> Result<SignInOutcome, Error> {
        if input.add_account {
            nodrop(self.check_room(Some(input.username.as_str()))).await?;
        } else if let Some(s) = nodrop(self.load_session()).await {
            return Err(Error::invalid_state(
                String::from("already signed in as ") + &s.username + "; call signOut() first, or signIn({ addAccount: true }) to add another account",
            ));
        }
        self.env.remove(&session::pending_key(&self.cfg.client_id)).await;
        self.prefetch_jwks();
        if let StoredDevice::Partial = nodrop(self.stored_device(input.username.as_str())).await {
            // Half a device is no device.
            nodrop(self.forget_local_device(input.username.as_str())).await;
        }
        let first = nodrop(self.start_sign_in(&input, true)).await;
        // User migration: Cognito runs userMigration only when it sees the password.
        if let (Err(e), Flow::Srp, true) = (&first, input.flow, self.cfg.migrate_users) {
            if e.is(&Exception::UserNotFound) {
                let retry = SignInInput { flow: Flow::Password, ..input };
                return nodrop(self.start_sign_in(&retry, true)).await?.ok_or_else(|| Error::invalid_state("device sign-in failed"));
            }
        }
        match first {
            // A remembered device the pool no longer knows: drop it and sign in without it.
            Ok(None) => nodrop(self.start_sign_in(&input, false)).await?.ok_or_else(|| Error::invalid_state("device sign-in failed twice")),
            Err(e) if device_unknown(&e) => {
                nodrop(self.forget_local_device(input.username.as_str())).await;
                nodrop(self.start_sign_in(&input, false)).await?.ok_or_else(|| Error::invalid_state("device sign-in failed twice"))
            }
            other => other?.ok_or_else(|| Error::invalid_state("device sign-in failed")),
        }
    }

    /// `Ok(None)`: the stored device was unknown to Cognito and has been forgotten; retry.
    async fn start_sign_in(&self, input: &SignInInput, use_device: bool) -> Result<Option<SignInOutcome>, Error> {
        let typed = input.username.as_str();
        let meta = &input.client_metadata;
        let device = if use_device { nodrop(self.device_of(typed)).await.map(|d| d.key) } else { None };
        let app = self.app();
        let password = || input.password.as_ref().ok_or_else(|| Error::config("password is required"));
        let srp = matches!(input.flow, Flow::Srp | Flow::CustomWithSrp | Flow::UserAuth(Some(Factor::PasswordSrp)));
        let eph = if srp { Some(self.take_ephemeral()?) } else { None };
        let a = eph.as_ref().map(|e| e.public().to_hex()).unwrap_or_default();
        let d = device.as_ref();
        let req = match input.flow {
            Flow::Srp => api::initiate_srp(app, &input.username, &a, d),
            Flow::CustomWithSrp => api::initiate_custom(app, &input.username, Some(&a), d),
            Flow::Password => api::initiate_password(app, &input.username, password()?, d),
            Flow::CustomWithoutSrp => api::initiate_custom(app, &input.username, None, d),
            Flow::UserAuth(pref) => {
                let mut extra = vec![];
                if let Some(f) = pref {
                    extra.push(("PREFERRED_CHALLENGE", f.as_str()));
                    match f {
                        Factor::Password => extra.push(("PASSWORD", password()?.expose())),
                        Factor::PasswordSrp => extra.push(("SRP_A", a.as_str())),
                        _ => {}
                    }
                }
                api::initiate_user_auth(app, &input.username, &extra, None, d)
            }
        }
        .with_metadata(meta);
        let step = api::parse_auth(nodrop(self.send(&req)).await?.raw())?;
        nodrop(self.after_first_answer(step, eph.as_ref(), input.password.as_ref(), typed, use_device, meta)).await
    }

    /// After the answer that started a password sign-in: with SRP begun, PASSWORD_VERIFIER is
    /// answered here (tokens without it are not Cognito's); anything else goes on in `drive`.
    /// `None` when Cognito did not know our remembered device.
    async fn after_first_answer(
        &self,
        step: AuthStep,
        eph: Option<&ClientEphemeral>,
        password: Option<&Password>,
        typed: &str,
        use_device: bool,
        meta: &Metadata,
    ) -> Result<Option<SignInOutcome>, Error> {
        match (step, eph) {
            (AuthStep::Tokens(_), Some(_)) => {
                Err(Error::protocol("Cognito skipped PASSWORD_VERIFIER: the SRP sign-in was answered with tokens"))
            }
            (AuthStep::Challenge(ch), Some(eph)) if ch.name == ChallengeName::PasswordVerifier => {
                let password = password.ok_or_else(|| Error::config("password is required"))?;
                match nodrop(self.answer_password_verifier(&ch, eph, password, use_device, meta)).await? {
                    Some((step, user)) => nodrop(self.drive(step, user, meta)).await.map(Some),
                    None => Ok(None),
                }
            }
            (step, _) => nodrop(self.drive(step, typed.to_string(), meta)).await.map(Some),
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
        meta: &Metadata,
    ) -> Result<Option<(AuthStep, String)>, Error> {
        let user = UserIdForSrp::new(
            ch.param("USER_ID_FOR_SRP").or(ch.param("USERNAME")).ok_or(srp::SrpError::MissingParameter("USER_ID_FOR_SRP"))?,
        );
        let vc = VerifierChallenge::from_params(|k| ch.param(k))?;
        let ts = SrpTimestamp::from_unix((self.server_now_ms() / 1000.0) as i64);
        let claim = srp::password_claim(eph, &self.cfg.pool, &user, password, &vc, &ts)?;
        let device = if use_device { nodrop(self.device_of(user.as_str())).await.map(|d| d.key) } else { None };
        let req = api::respond(
            self.app(),
            &ChallengeName::PasswordVerifier,
            user.as_str(),
            ch.session.as_ref(),
            &[
                ("PASSWORD_CLAIM_SECRET_BLOCK", vc.secret_block.as_str()),
                ("TIMESTAMP", ts.as_str()),
                ("PASSWORD_CLAIM_SIGNATURE", &claim.signature),
            ],
            device.as_ref(),
        )
        .with_metadata(meta);
        match nodrop(self.send(&req)).await {
            Err(e) if device.is_some() && device_unknown(&e) => {
                nodrop(self.forget_local_device(user.as_str())).await;
                Ok(None)
            }
            Err(e) => Err(e),
            Ok(v) => Ok(Some((api::parse_auth(v.raw())?, user.as_str().to_string()))),
        }
    }

    /// Runs the challenge loop until tokens or a step the app must answer.
    pub(crate) async fn drive(&self, step: AuthStep, mut username: String, meta: &Metadata) -> Result<SignInOutcome, Error> {
        let mut step = step;
        loop {
            match step {
                AuthStep::Tokens(t) => {
                    let s = nodrop(self.finish_sign_in(&t, SignInMethod::Api, None, None)).await?;
                    // NewDeviceMetadata comes with JSON API sign-ins only (not the hosted UI's).
                    if let Some((key, group)) = &t.new_device {
                        nodrop(self.confirm_new_device(&s.username, &t.access_token, key, group)).await;
                    }
                    self.env.remove(&session::pending_key(&self.cfg.client_id)).await;
                    self.env.remove(&session::auto_sign_in_key(&self.cfg.client_id)).await;
                    self.announce(EventKind::SignedIn, Some(&s), None);
                    return Ok(SignInOutcome::SignedIn);
                }
                AuthStep::Challenge(ch) => {
                    if let Some(u) = ch.param("USER_ID_FOR_SRP").or(ch.param("USERNAME")).filter(|u| !u.is_empty()) {
                        username = u.to_string();
                    }
                    match ch.name {
                        ChallengeName::DeviceSrpAuth => step = nodrop(self.device_srp(&ch, &username, meta)).await?,
                        ChallengeName::WebAuthn => step = nodrop(self.passkey_assertion(&ch, &username, meta)).await?,
                        ChallengeName::MfaSetup => return nodrop(self.mfa_setup(ch, username)).await,
                        _ => return nodrop(self.store_pending(ch, username, None)).await,
                    }
                }
            }
        }
    }

    /// DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER with the remembered device's secrets.
    async fn device_srp(&self, ch: &Challenge, username: &str, meta: &Metadata) -> Result<AuthStep, Error> {
        let d = self
            .device_of(username)
            .await
            .ok_or_else(|| Error::invalid_state("Cognito asked for the remembered device, but its secrets are not in storage"))?;
        let eph = self.new_ephemeral()?;
        let a = eph.public().to_hex();
        let req = api::respond(self.app(), &ChallengeName::DeviceSrpAuth, username, ch.session.as_ref(), &[("SRP_A", &a)], Some(&d.key))
            .with_metadata(meta);
        let AuthStep::Challenge(dv) = api::parse_auth(nodrop(self.send(&req)).await?.raw())? else {
            return Err(Error::protocol("Cognito skipped DEVICE_PASSWORD_VERIFIER"));
        };
        let vc = VerifierChallenge::from_params(|k| dv.param(k))?;
        let ts = SrpTimestamp::from_unix((self.server_now_ms() / 1000.0) as i64);
        let claim = srp::device_claim(&eph, &d.group, &d.key, &d.password, &vc, &ts)?;
        let req = api::respond(
            self.app(),
            &ChallengeName::DevicePasswordVerifier,
            username,
            dv.session.as_ref(),
            &[
                ("PASSWORD_CLAIM_SECRET_BLOCK", vc.secret_block.as_str()),
                ("TIMESTAMP", ts.as_str()),
                ("PASSWORD_CLAIM_SIGNATURE", &claim.signature),
            ],
            Some(&d.key),
        )
        .with_metadata(meta);
        api::parse_auth(nodrop(self.send(&req)).await?.raw())
    }

    /// WEB_AUTHN: the browser's assertion for the challenge's request options, as CREDENTIAL.
    /// A failed ceremony (PasskeyError) ends the sign-in: nothing is stored.
    async fn passkey_assertion(&self, ch: &Challenge, username: &str, meta: &Metadata) -> Result<AuthStep, Error> {
        let doc = ch
            .param("CREDENTIAL_REQUEST_OPTIONS")
            .and_then(|t| Json::parse(t).ok())
            .ok_or_else(|| Error::protocol("WEB_AUTHN challenge without readable CREDENTIAL_REQUEST_OPTIONS"))?;
        let credential = nodrop(self.env.passkey(&webauthn::options(&doc, false)?)).await?;
        let text = webauthn::credential_json(&credential).to_text();
        let device = nodrop(self.device_of(username)).await.map(|d| d.key);
        let req =
            api::respond(self.app(), &ChallengeName::WebAuthn, username, ch.session.as_ref(), &[("CREDENTIAL", &text)], device.as_ref())
                .with_metadata(meta);
        api::parse_auth(nodrop(self.send(&req)).await?.raw())
    }

    /// MFA_SETUP: when TOTP may be set up, associate a secret right away so the page can show
    /// its QR code.
    async fn mfa_setup(&self, mut ch: Challenge, username: String) -> Result<SignInOutcome, Error> {
        let can = ch.param("MFAS_CAN_SETUP").unwrap_or("");
        if !has(can, "SOFTWARE_TOKEN_MFA") {
            return nodrop(self.store_pending(ch, username, None)).await;
        }
        let session = ch.session.clone().ok_or_else(|| Error::protocol("MFA_SETUP challenge without a Session"))?;
        let r = nodrop(self.send_json(&api::associate_software_token(TotpAuth::Session(&session)))).await?;
        let secret = r.str("SecretCode").ok_or_else(|| Error::protocol("AssociateSoftwareToken answer without SecretCode"))?.to_string();
        if let Some(s) = r.str("Session") {
            ch.session = Some(AuthSession::new(s));
        }
        nodrop(self.store_pending(ch, username, Some(secret))).await
    }

    async fn store_pending(&self, ch: Challenge, username: String, totp_secret: Option<String>) -> Result<SignInOutcome, Error> {
        let p = Pending {
            username,
            challenge: ch.name.as_str().to_string(),
            session: ch.session,
            params: ch.params,
            expires_at_ms: self.env.now_ms() + CHALLENGE_TTL_MS,
            totp_secret,
        };
        nodrop(self.put(&session::pending_key(&self.cfg.client_id), &p.to_json())).await?;
        Ok(SignInOutcome::Next(self.pending_step(&p)))
    }

    /// The issuer shown by authenticator apps: `appName`, else the pool name.
    pub(crate) fn totp_issuer(&self) -> String {
        self.cfg.app_name.clone().unwrap_or_else(|| self.cfg.pool.pool_name().to_string())
    }

    /// What the page needs to show for a stored step.
    fn pending_step(&self, p: &Pending) -> PendingStep {
        let totp = p.totp_secret.as_ref().map(|secret| TotpSetup {
            secret_code: secret.clone(),
            uri: cognito_proto::oauth::totp_uri(&self.totp_issuer(), &p.username, secret),
        });
        PendingStep { step: NextStep::of(&ChallengeName::parse(&p.challenge), &p.params, totp), expires_at_ms: p.expires_at_ms }
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
    pub async fn pending_sign_in(&self) -> Option<PendingStep> {
        nodrop(self.load_pending()).await.ok().map(|p| self.pending_step(&p))
    }

    /// Answers the stored challenge.
    pub async fn confirm_sign_in(&self, answer: Answer, meta: &Metadata) -> Result<SignInOutcome, Error> {
        let mut p = nodrop(self.load_pending()).await?;
        self.prefetch_jwks();
        let name = ChallengeName::parse(&p.challenge);
        let device = nodrop(self.device_of(&p.username)).await.map(|d| d.key);
        let responses = challenge::responses(&name, &answer)?;
        if let (ChallengeName::MfaSetup, Answer::Code { code, device_name }) = (&name, &answer) {
            // TOTP: verify the code for the secret associated with this sign-in; the answer is
            // then the Session VerifySoftwareToken returns.
            let session = p.session.clone().ok_or_else(|| Error::invalid_state("MFA_SETUP without a Session"))?;
            let device_name = device_name.as_deref().or(self.cfg.device_name.as_deref());
            let r = nodrop(self.send_json(&api::verify_software_token(TotpAuth::Session(&session), code, device_name))).await?;
            if r.str("Status") != Some("SUCCESS") {
                return Err(Error::service(Exception::EnableSoftwareTokenMfa, "the code was not accepted"));
            }
            if let Some(s) = r.str("Session") {
                p.session = Some(AuthSession::new(s));
                nodrop(self.put(&session::pending_key(&self.cfg.client_id), &p.to_json())).await?;
            }
        }
        // SELECT_CHALLENGE with PASSWORD_SRP: SRP starts with this answer.
        let (eph, password) = match &answer {
            Answer::Factor(Factor::PasswordSrp, pw) => (Some(self.take_ephemeral()?), pw.as_ref()),
            _ => (None, None),
        };
        let a = eph.as_ref().map(|e| e.public().to_hex());
        let mut refs: Vec<(&str, &str)> = responses.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        if let Some(a) = &a {
            refs.push(("SRP_A", a));
        }
        let req = api::respond(self.app(), &name, &p.username, p.session.as_ref(), &refs, device.as_ref()).with_metadata(meta);
        match nodrop(self.send(&req)).await {
            Err(e) if *e.kind() == ErrorKind::Network => {
                // No answer: the answer may or may not have reached Cognito. The step is kept.
                Err(e.explain(|m| {
                    m + ". The step is kept: call confirmSignIn again; if Cognito then answers NotAuthorizedException (its session was used), start again with signIn"
                }))
            }
            Err(e) => {
                if e.exception().is_some_and(Exception::ends_pending) {
                    self.env.remove(&session::pending_key(&self.cfg.client_id)).await;
                }
                Err(e)
            }
            Ok(v) => {
                self.env.remove(&session::pending_key(&self.cfg.client_id)).await;
                nodrop(self.after_first_answer(api::parse_auth(v.raw())?, eph.as_ref(), password, &p.username, true, meta)).await?.ok_or_else(
                    || Error::invalid_state("the remembered device was unknown to Cognito and has been forgotten: call signIn again"),
                )
            }
        }
    }

    /// Signs in with the Session ConfirmSignUp returned (stored, so it survives a reload).
    pub async fn auto_sign_in(&self, meta: &Metadata) -> Result<SignInOutcome, Error> {
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
        self.prefetch_jwks();
        let user = Username::new(rec.username.clone());
        let r = nodrop(self.send(&api::initiate_user_auth(self.app(), &user, &[], Some(&session), None).with_metadata(meta))).await;
        self.env.remove(&key).await;
        nodrop(self.drive(api::parse_auth(r?.raw())?, rec.username, meta)).await
    }

    /// Keeps the tokens of a sign-in (the JSON API, or the hosted UI's callback): their
    /// signatures checked first when the issuer's keys are at hand (they were fetched alongside
    /// the first request), else right after, in the background (see `verify`).
    /// They join the signed-in accounts as the current one (`replaces`: the account they take
    /// the place of, see `keep_signed_in`).
    pub(crate) async fn finish_sign_in(&self, t: &Tokens, method: SignInMethod, nonce: Option<&str>, replaces: Option<&str>) -> Result<Session, Error> {
        let later = self.cfg.verify_tokens && nodrop(self.verify_if_keys_at_hand(t)).await?;
        let s = nodrop(self.keep_signed_in(t, method, nonce, replaces)).await?;
        if later {
            self.verify_later(&s);
        }
        Ok(s)
    }

    /// ConfirmDevice with a fresh verifier; the device is kept only when Cognito accepts it
    /// (a failure leaves the sign-in intact, as in Amplify).
    async fn confirm_new_device(&self, username: &str, access: &AccessToken, key: &DeviceKey, group: &DeviceGroupKey) {
        let (Ok(pw), Ok(salt)) = (self.random_bytes::<40>(), self.random_bytes::<16>()) else { return };
        let secrets = DeviceSecrets::from_random(group, key, &pw, &salt);
        let name = self.cfg.device_name.clone();
        let req = api::confirm_device(access, key, &secrets.password_verifier, &secrets.salt, name.as_deref());
        if nodrop(self.send(&req)).await.is_ok() {
            nodrop(self.save_device(username, key, group, &secrets.password)).await;
        }
    }
}
