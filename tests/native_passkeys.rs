//! Passwordless sign-in and passkeys natively, over `TestEnv` with the emulator's software
//! authenticator as the browser's passkey: register, list, sign in with WEB_AUTHN in one call,
//! delete; SELECT_CHALLENGE answered with each factor (e-mail code, password, SRP, passkey);
//! a failed ceremony stores nothing; passwordless sign-up → confirm → autoSignIn.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/env.rs"]
mod env;

use cognito_emulator::authenticator::Authenticator;
use cognito_wasm::client::*;
use cognito_wasm::proto::challenge::{Answer, Factor, NextStep};
use cognito_wasm::proto::error::{ErrorKind, PasskeyCode};
use cognito_wasm::proto::types::{Password, Username};
use env::{srp_input, World, PASSKEY_ORIGIN};
#[path = "support/totp.rs"]
mod totp_impl;
use serde_json::json;
use std::rc::Rc;

fn pool() -> (Rc<World>, serde_json::Value) {
    World::new(json!({
        "signInPolicy": {"allowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]},
        "webAuthn": {"relyingPartyId": "localhost", "allowedOrigins": [PASSKEY_ORIGIN]},
        "users": [{"username": "pk", "password": "Passw0rd!", "attributes": {"email": "pk@example.com", "email_verified": "true"}}],
    }))
}

fn user_auth(preferred: Option<Factor>, password: Option<&str>) -> SignInInput {
    SignInInput { username: Username::new("pk"), password: password.map(Password::new), flow: Flow::UserAuth(preferred), client_metadata: vec![], add_account: false }
}

fn srp() -> SignInInput {
    srp_input("pk", "Passw0rd!")
}

fn next(o: SignInOutcome) -> NextStep {
    match o {
        SignInOutcome::Next(p) => p.step,
        SignInOutcome::SignedIn => panic!("signed in, a step was expected"),
    }
}

fn passkey_code(e: &cognito_wasm::proto::Error) -> Option<PasskeyCode> {
    match e.kind() {
        ErrorKind::Passkey(c) => Some(*c),
        _ => None,
    }
}

/// Signed in by SRP, with a passkey registered from this browser.
fn with_passkey() -> (Rc<World>, serde_json::Value, Rc<Client<env::TestEnv>>, String) {
    let (w, o) = pool();
    let a = w.tab(&o);
    *w.authenticator.borrow_mut() = Some(Authenticator::es256());
    let c = a.clone();
    let id = w.run(async move {
        c.sign_in(srp()).await.unwrap();
        c.register_passkey().await.unwrap()
    });
    (w, o, a, id)
}

#[test]
fn register_list_sign_in_with_a_passkey_in_one_call_and_delete_it() {
    let (w, _, a, id) = with_passkey();
    assert_eq!(Some(id.clone()), w.authenticator.borrow().as_ref().map(|x| cognito_wasm::proto::codec::base64url_encode(&x.id)));
    let c = a.clone();
    let (list, factors) = w.run(async move { (c.list_passkeys().await.unwrap(), c.fetch_auth_factors().await.unwrap()) });
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].credential_id, id);
    assert_eq!((list[0].relying_party_id.as_deref(), list[0].authenticator_attachment.as_deref()), (Some("localhost"), Some("platform")));
    assert_eq!(list[0].transports, ["internal", "hybrid"]);
    assert!(list[0].created_at.is_some());
    assert_eq!(factors.configured, ["PASSWORD", "WEB_AUTHN", "EMAIL_OTP"]);
    // A second registration from the same authenticator: it already holds one.
    let c = a.clone();
    let e = w.run(async move { c.register_passkey().await.unwrap_err() });
    assert_eq!((e.name(), passkey_code(&e)), ("PasskeyError", Some(PasskeyCode::AlreadyRegistered)));

    // Sign out, sign in with the passkey: one call, no step shown.
    let c = a.clone();
    let before = w.count("RespondToAuthChallenge");
    let out = w.run(async move {
        c.sign_out(false, false).await.unwrap();
        c.sign_in(user_auth(Some(Factor::WebAuthn), None)).await.unwrap()
    });
    assert_eq!(out, SignInOutcome::SignedIn);
    assert_eq!(w.count("RespondToAuthChallenge") - before, 1, "the assertion, as CREDENTIAL");
    let sent = w.requests.borrow().last().cloned().unwrap();
    let body: serde_json::Value = serde_json::from_str(sent.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["ChallengeName"], "WEB_AUTHN");
    let credential: serde_json::Value = serde_json::from_str(body["ChallengeResponses"]["CREDENTIAL"].as_str().unwrap()).unwrap();
    assert_eq!((credential["id"].as_str(), credential["type"].as_str()), (Some(id.as_str()), Some("public-key")));
    assert!(credential["response"]["userHandle"].is_string() && credential["response"]["signature"].is_string());

    // Delete it: the preference for WEB_AUTHN now gets the choice, without it.
    let c = a.clone();
    let id2 = id.clone();
    let step = w.run(async move {
        c.delete_passkey(&id2).await.unwrap();
        assert!(c.list_passkeys().await.unwrap().is_empty());
        c.sign_out(false, false).await.unwrap();
        c.sign_in(user_auth(Some(Factor::WebAuthn), None)).await.unwrap()
    });
    assert_eq!(next(step), NextStep::SelectChallenge { available: vec![Factor::Password, Factor::PasswordSrp, Factor::EmailOtp] });
}

#[test]
fn select_challenge_answered_with_each_factor() {
    let (w, o, _, _) = with_passkey();
    for (factor, password) in [(Factor::EmailOtp, None), (Factor::Password, Some("Passw0rd!")), (Factor::PasswordSrp, Some("Passw0rd!")), (Factor::WebAuthn, None)] {
        let b = w.tab(&o);
        let c = b.clone();
        let w2 = w.clone();
        let out = w.run(async move {
            let _ = c.sign_out(false, false).await;
            let step = next(c.sign_in(user_auth(None, None)).await.unwrap());
            assert_eq!(step, NextStep::SelectChallenge { available: vec![Factor::Password, Factor::PasswordSrp, Factor::WebAuthn, Factor::EmailOtp] });
            // The step is stored like any other: a reload shows it again.
            assert_eq!(c.pending_sign_in().await.unwrap().step, step);
            let out = c.confirm_sign_in(Answer::Factor(factor, password.map(Password::new)), &vec![]).await.unwrap();
            match factor {
                Factor::EmailOtp => {
                    let NextStep::EmailOtp { delivery } = next(out) else { panic!("an e-mail code step") };
                    assert_eq!(delivery.medium.as_deref(), Some("EMAIL"));
                    let code = w2.last_code("pk");
                    assert_eq!(code.len(), 8);
                    c.confirm_sign_in(Answer::Code { code, device_name: None }, &vec![]).await.unwrap()
                }
                _ => out,
            }
        });
        assert_eq!(out, SignInOutcome::SignedIn, "{factor:?}");
    }
    // PASSWORD without the password: refused by the SDK, the step stays.
    let b = w.tab(&o);
    let c = b.clone();
    let e = w.run(async move {
        let _ = c.sign_out(false, false).await;
        c.sign_in(user_auth(None, None)).await.unwrap();
        let e = c.confirm_sign_in(Answer::Factor(Factor::Password, None), &vec![]).await.unwrap_err();
        assert!(c.pending_sign_in().await.is_some());
        e
    });
    assert_eq!(e.name(), "ConfigError");
}

#[test]
fn preferred_password_and_srp_sign_in_directly() {
    let (w, o) = pool();
    for f in [Factor::Password, Factor::PasswordSrp] {
        let a = w.tab(&o);
        let c = a.clone();
        assert_eq!(w.run(async move { c.sign_in(user_auth(Some(f), Some("Passw0rd!"))).await.unwrap() }), SignInOutcome::SignedIn);
        let c = a.clone();
        w.run(async move { c.sign_out(false, false).await.unwrap() });
    }
    let a = w.tab(&o);
    let c = a.clone();
    let e = w.run(async move { c.sign_in(user_auth(Some(Factor::PasswordSrp), Some("wrong"))).await.unwrap_err() });
    assert_eq!(e.name(), "NotAuthorizedException");
}

#[test]
fn a_failed_ceremony_stores_nothing_and_leaves_the_session_alone() {
    let (w, o, a, _) = with_passkey();
    // Registration with the authenticator gone: PasskeyError, still signed in.
    let held = w.authenticator.borrow_mut().take();
    let c = a.clone();
    let (e, still) = w.run(async move { (c.register_passkey().await.unwrap_err(), c.load_session().await.is_some()) });
    assert_eq!(passkey_code(&e), Some(PasskeyCode::NotAllowed));
    assert!(e.message().contains("does not say which"));
    assert!(still, "the session is untouched");
    // Sign-in with the authenticator gone: nothing stored, nothing pending.
    let c = a.clone();
    let e = w.run(async move {
        c.sign_out(false, false).await.unwrap();
        c.sign_in(user_auth(Some(Factor::WebAuthn), None)).await.unwrap_err()
    });
    assert_eq!((e.name(), passkey_code(&e)), ("PasskeyError", Some(PasskeyCode::NotAllowed)));
    let c = a.clone();
    assert!(w.run(async move { c.pending_sign_in().await.is_none() && c.load_session().await.is_none() }));
    // A wrong origin (the page is not where the pool allows passkeys): Cognito refuses.
    *w.authenticator.borrow_mut() = held;
    *w.origin.borrow_mut() = "http://localhost:1".into();
    let b = w.tab(&o);
    let c = b.clone();
    let e = w.run(async move { c.sign_in(user_auth(Some(Factor::WebAuthn), None)).await.unwrap_err() });
    assert_eq!(e.name(), "NotAuthorizedException");
}

#[test]
fn passwordless_sign_up_confirm_and_auto_sign_in() {
    let (w, o) = pool();
    let a = w.tab(&o);
    let c = a.clone();
    let w2 = w.clone();
    let out = w.run(async move {
        let r = c
            .sign_up(SignUpInput {
                username: Username::new("nopw"),
                password: None,
                attributes: vec![("email".into(), "nopw@example.com".into())],
                auto_sign_in: true,
                client_metadata: vec![],
            })
            .await
            .unwrap();
        assert!(!r.user_confirmed);
        let code = w2.last_code("nopw");
        assert!(c.confirm_sign_up(&Username::new("nopw"), &code, &vec![]).await.unwrap().auto_sign_in);
        c.auto_sign_in(&vec![]).await.unwrap()
    });
    assert_eq!(out, SignInOutcome::SignedIn);
    assert_eq!(a.current_user().unwrap().username, "nopw");
}

/// Passkeys as MFA (issue #26; API reference: WebAuthnMfaSettingsType, WebAuthnConfigurationType,
/// SetUserMFAPreference, GetUserAuthFactors): in a pool whose FactorConfiguration is
/// MULTI_FACTOR_WITH_USER_VERIFICATION and MFA is required, a user with TOTP turns passkey MFA on;
/// a passkey sign-in with user verification then needs no second factor, one without it is
/// refused and nobody is signed in. A user with no other MFA method is refused (Cognito's
/// exception, explained); fetchAuthFactors lists SOFTWARE_TOKEN.
#[test]
fn passkey_mfa_a_verified_passkey_is_the_second_factor_and_nothing_else_is() {
    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let (w, o) = World::new(json!({
        "mfaConfiguration": "ON",
        "mfaMethods": ["SOFTWARE_TOKEN_MFA"],
        "signInPolicy": {"allowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]},
        "webAuthn": {"relyingPartyId": "localhost", "allowedOrigins": [PASSKEY_ORIGIN], "factorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION"},
        "users": [
            {"username": "pk", "password": "Passw0rd!", "totpSecret": SECRET, "attributes": {"email": "pk@example.com", "email_verified": "true"}},
            {"username": "plain", "password": "Passw0rd!", "attributes": {"email": "plain@example.com", "email_verified": "true"}},
        ],
    }));
    let a = w.tab(&o);
    *w.authenticator.borrow_mut() = Some(Authenticator::es256());
    let totp_now = |w: &World| totp_impl::totp(SECRET, (w.now_ms() / 1000.0) as i64);
    let c = a.clone();
    let code = totp_now(&w);
    let (before, factors) = w.run(async move {
        assert!(matches!(next(c.sign_in(srp()).await.unwrap()), NextStep::SoftwareTokenMfa { .. }));
        c.confirm_sign_in(Answer::Code { code, device_name: None }, &vec![]).await.unwrap();
        c.register_passkey().await.unwrap();
        (c.fetch_mfa_preference().await.unwrap(), c.fetch_auth_factors().await.unwrap())
    });
    assert!(!before.web_authn);
    assert!(factors.configured.contains(&"SOFTWARE_TOKEN".to_string()), "{:?}", factors.configured);
    assert!(!factors.configured.contains(&"WEB_AUTHN".to_string()), "under MFA, not offered while passkey MFA is off");
    let c = a.clone();
    let on = MfaPreferenceUpdate { web_authn: Some(true), ..Default::default() };
    let pref = w.run(async move {
        c.update_mfa_preference(on).await.unwrap();
        c.fetch_mfa_preference().await.unwrap()
    });
    assert!(pref.web_authn && pref.enabled == [cognito_wasm::proto::challenge::MfaType::Totp]);

    // Signed out, a passkey sign-in with user verification: tokens, no second factor.
    let c = a.clone();
    w.run(async move {
        c.sign_out(false, false).await.unwrap();
        assert_eq!(c.sign_in(user_auth(Some(Factor::WebAuthn), None)).await.unwrap(), SignInOutcome::SignedIn);
        c.sign_out(false, false).await.unwrap();
    });
    // Without user verification (UP only): refused, nothing stored, still signed out.
    w.authenticator.borrow_mut().as_mut().unwrap().flags = 0x01;
    let c = a.clone();
    let (e, s) = w.run(async move { (c.sign_in(user_auth(Some(Factor::WebAuthn), None)).await.unwrap_err(), c.get_session(false).await.unwrap()) });
    assert_eq!(e.name(), "NotAuthorizedException");
    assert!(s.is_none());

    // A user with no other MFA method cannot turn it on (MFA optional here, so that one can
    // sign in without any): Cognito's exception, and the SDK says why; nothing changes.
    let (w, o) = World::new(json!({
        "mfaConfiguration": "OPTIONAL",
        "mfaMethods": ["SOFTWARE_TOKEN_MFA"],
        "signInPolicy": {"allowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]},
        "webAuthn": {"relyingPartyId": "localhost", "allowedOrigins": [PASSKEY_ORIGIN], "factorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION"},
        "users": [{"username": "pk", "password": "Passw0rd!"}],
    }));
    let b = w.tab(&o);
    let c = b.clone();
    let (e, pref) = w.run(async move {
        c.sign_in(srp()).await.unwrap();
        let e = c.update_mfa_preference(MfaPreferenceUpdate { web_authn: Some(true), ..Default::default() }).await.unwrap_err();
        (e, c.fetch_mfa_preference().await.unwrap())
    });
    assert_eq!(e.name(), "InvalidParameterException");
    assert!(e.message().contains("passkey MFA needs another MFA method"), "{}", e.message());
    assert!(!pref.web_authn && pref.enabled.is_empty());
}
