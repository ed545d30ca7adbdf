//! The sign-in flows natively, over `TestEnv` (virtual time, the emulator in process): every
//! challenge, remembered devices and the forget-and-retry path, retries and backoff. The same
//! flows run in Chromium in tests/challenges.rs; here they run in milliseconds and
//! deterministically.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/env.rs"]
mod env;
#[path = "support/totp.rs"]
mod totp_impl;

use cognito_wasm::client::*;
use cognito_wasm::proto::challenge::{Answer, MfaType, NextStep};
use cognito_wasm::proto::json::Raw;
use cognito_wasm::proto::types::{Password, Username};
use env::{srp_input, Action, World};
use serde_json::json;
use totp_impl::totp;

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn code(c: &str) -> Answer {
    Answer::Code { code: c.to_string(), device_name: None }
}

fn next(o: SignInOutcome) -> NextStep {
    match o {
        SignInOutcome::Next(p) => p.step,
        SignInOutcome::SignedIn => panic!("signed in, a step was expected"),
    }
}

fn now_unix(w: &World) -> i64 {
    (w.now_ms() / 1000.0) as i64
}

#[test]
fn srp_sign_in_stores_the_session_and_names_errors() {
    let (w, o) = World::new(json!({"users": [{"username": "alice", "password": "Passw0rd!", "attributes": {"email": "a@example.com"}}]}));
    let a = w.tab(&o);
    let c = a.clone();
    let e = w.run(async move { c.sign_in(srp_input("alice", "wrong")).await.unwrap_err() });
    assert_eq!((e.name(), e.message().as_str()), ("NotAuthorizedException", "Incorrect username or password."));
    let c = a.clone();
    assert_eq!(w.run(async move { c.sign_in(srp_input("alice", "Passw0rd!")).await.unwrap() }), SignInOutcome::SignedIn);
    assert_eq!(w.count("InitiateAuth"), 2);
    assert_eq!(w.count("RespondToAuthChallenge"), 2);
    assert!(w.storage().contains_key(&format!("CognitoIdentityServiceProvider.{}.alice.idToken", o["clientId"].as_str().unwrap())));
    let u = a.current_user().expect("signed in");
    let email = Raw::parse(&u.attributes).unwrap().str("email");
    assert_eq!((u.username.as_str(), email.as_deref()), ("alice", Some("a@example.com")));
    let events: Vec<EventKind> = a.env.events.borrow().iter().map(|e| e.kind).collect();
    assert_eq!(events, [EventKind::SignedIn]);
    // Signed in: a second sign-in is refused without a request.
    let c = a.clone();
    let e = w.run(async move { c.sign_in(srp_input("alice", "Passw0rd!")).await.unwrap_err() });
    assert_eq!(e.name(), "InvalidStateError");
    assert_eq!(w.count("InitiateAuth"), 2);
}

#[test]
fn every_challenge_until_signed_in() {
    let (w, o) = World::new(json!({
        "mfaConfiguration": "OPTIONAL",
        "requiredAttributes": ["name"],
        "customAuth": {"challenges": [{"question": "2+2?", "answer": "4"}, {"question": "Capital of France?", "answer": "Paris"}], "maxAttempts": 2},
        "users": [
            {"username": "newhire", "temporaryPassword": "TempPassw0rd!", "attributes": {"email": "n@example.com", "name": "N"}},
            {"username": "sms", "password": "Passw0rd!", "mfa": ["SMS_MFA"], "attributes": {"phone_number": "+15550001111", "name": "S"}},
            {"username": "mail", "password": "Passw0rd!", "mfa": ["EMAIL_OTP"], "attributes": {"email": "m@example.com", "email_verified": "true", "name": "M"}},
            {"username": "both", "password": "Passw0rd!", "mfa": ["SMS_MFA", "EMAIL_OTP"], "attributes": {"email": "b@example.com", "email_verified": "true", "phone_number": "+15550002222", "name": "B"}},
            {"username": "app", "password": "Passw0rd!", "totpSecret": SECRET, "attributes": {"name": "A"}},
            {"username": "quiz", "password": "Passw0rd!", "attributes": {"name": "Q"}}
        ]
    }));
    let a = w.tab(&o);
    let step = |w: &std::rc::Rc<World>, f: std::pin::Pin<Box<dyn std::future::Future<Output = SignInOutcome>>>| w.run(f);

    // NEW_PASSWORD_REQUIRED, then signed in; sign out for the next user.
    let c = a.clone();
    let s = next(step(&w, Box::pin(async move { c.sign_in(srp_input("newhire", "TempPassw0rd!")).await.unwrap() })));
    assert!(matches!(&s, NextStep::NewPasswordRequired { user_attributes, .. } if user_attributes.str("email") == Some("n@example.com")));
    let c = a.clone();
    let np = Answer::NewPassword { password: Password::new("N3wPassw0rd!"), attributes: vec![] };
    assert_eq!(step(&w, Box::pin(async move { c.confirm_sign_in(np, &vec![]).await.unwrap() })), SignInOutcome::SignedIn);
    let sign_out = |w: &std::rc::Rc<World>| {
        let c = a.clone();
        w.run(async move { c.sign_out(false, false).await.unwrap() });
    };
    sign_out(&w);

    // SMS_MFA with the texted code (a wrong one first: the step survives it).
    let c = a.clone();
    let s = next(step(&w, Box::pin(async move { c.sign_in(srp_input("sms", "Passw0rd!")).await.unwrap() })));
    let NextStep::SmsMfa { delivery } = s else { panic!("{s:?}") };
    assert_eq!((delivery.destination.as_deref(), delivery.medium.as_deref()), (Some("+*******1111"), Some("SMS")));
    let c = a.clone();
    let e = w.run(async move { c.confirm_sign_in(code("000000"), &vec![]).await.unwrap_err() });
    assert_eq!(e.name(), "CodeMismatchException");
    let (c, sent) = (a.clone(), w.last_code("sms"));
    assert_eq!(w.run(async move { c.confirm_sign_in(code(&sent), &vec![]).await.unwrap() }), SignInOutcome::SignedIn);
    sign_out(&w);

    // EMAIL_OTP: 8 digits.
    let c = a.clone();
    assert!(matches!(
        next(step(&w, Box::pin(async move { c.sign_in(srp_input("mail", "Passw0rd!")).await.unwrap() }))),
        NextStep::EmailOtp { .. }
    ));
    let sent = w.last_code("mail");
    assert_eq!(sent.len(), 8);
    let c = a.clone();
    assert_eq!(w.run(async move { c.confirm_sign_in(code(&sent), &vec![]).await.unwrap() }), SignInOutcome::SignedIn);
    sign_out(&w);

    // SELECT_MFA_TYPE → EMAIL_OTP.
    let c = a.clone();
    let s = next(step(&w, Box::pin(async move { c.sign_in(srp_input("both", "Passw0rd!")).await.unwrap() })));
    assert_eq!(s, NextStep::SelectMfaType { allowed: vec![MfaType::Sms, MfaType::Email] });
    let c = a.clone();
    assert!(matches!(
        w.run(async move { next(c.confirm_sign_in(Answer::MfaType(MfaType::Email), &vec![]).await.unwrap()) }),
        NextStep::EmailOtp { .. }
    ));
    let (c, sent) = (a.clone(), w.last_code("both"));
    assert_eq!(w.run(async move { c.confirm_sign_in(code(&sent), &vec![]).await.unwrap() }), SignInOutcome::SignedIn);
    sign_out(&w);

    // SOFTWARE_TOKEN_MFA with a code computed from the virtual clock.
    let c = a.clone();
    assert!(matches!(
        next(step(&w, Box::pin(async move { c.sign_in(srp_input("app", "Passw0rd!")).await.unwrap() }))),
        NextStep::SoftwareTokenMfa { .. }
    ));
    let (c, t) = (a.clone(), totp(SECRET, now_unix(&w)));
    assert_eq!(w.run(async move { c.confirm_sign_in(code(&t), &vec![]).await.unwrap() }), SignInOutcome::SignedIn);
    sign_out(&w);

    // CUSTOM_CHALLENGE, two rounds, starting without SRP; a wrong answer keeps the round.
    let c = a.clone();
    let custom = SignInInput { username: Username::new("quiz"), password: None, flow: Flow::CustomWithoutSrp, client_metadata: vec![], add_account: false };
    let s = next(step(&w, Box::pin(async move { c.sign_in(custom).await.unwrap() })));
    assert!(matches!(&s, NextStep::CustomChallenge { parameters } if parameters.iter().any(|(k, v)| k == "question" && v == "2+2?")));
    let c = a.clone();
    let s = w.run(async move { next(c.confirm_sign_in(Answer::Custom("5".into()), &vec![]).await.unwrap()) });
    assert!(matches!(&s, NextStep::CustomChallenge { parameters } if parameters.iter().any(|(k, v)| k == "attemptsLeft" && v == "1")));
    let c = a.clone();
    let s = w.run(async move { next(c.confirm_sign_in(Answer::Custom("4".into()), &vec![]).await.unwrap()) });
    assert!(
        matches!(&s, NextStep::CustomChallenge { parameters } if parameters.iter().any(|(k, v)| k == "question" && v == "Capital of France?"))
    );
    let c = a.clone();
    assert_eq!(w.run(async move { c.confirm_sign_in(Answer::Custom("Paris".into()), &vec![]).await.unwrap() }), SignInOutcome::SignedIn);
    // Wrong kinds of answer are the SDK's own ConfigError, sent nowhere.
    sign_out(&w);
    let c = a.clone();
    next(step(&w, Box::pin(async move { c.sign_in(srp_input("sms", "Passw0rd!")).await.unwrap() })));
    let before = w.count("RespondToAuthChallenge");
    let c = a.clone();
    let e = w.run(async move { c.confirm_sign_in(Answer::Custom("4".into()), &vec![]).await.unwrap_err() });
    assert_eq!(e.name(), "ConfigError");
    assert_eq!(w.count("RespondToAuthChallenge"), before);
}

#[test]
fn mfa_setup_by_totp_and_by_email() {
    let (w, o) = World::new(
        json!({"mfaConfiguration": "ON", "users": [{"username": "t", "password": "Passw0rd!"}, {"username": "e", "password": "Passw0rd!"}]}),
    );
    let a = w.tab(&json!({"appName": "Demo App", "userPoolId": o["userPoolId"], "clientId": o["clientId"], "endpoint": o["endpoint"]}));
    let c = a.clone();
    let s = w.run(async move { next(c.sign_in(srp_input("t", "Passw0rd!")).await.unwrap()) });
    let NextStep::MfaSetup { allowed, totp: Some(setup) } = s else { panic!("{s:?}") };
    assert_eq!(allowed, [MfaType::Totp, MfaType::Email]);
    assert!(setup.uri.starts_with("otpauth://totp/Demo%20App:t?secret="), "{}", setup.uri);
    let (c, t) = (a.clone(), totp(&setup.secret_code, now_unix(&w)));
    let answer = Answer::Code { code: t, device_name: Some("phone".into()) };
    assert_eq!(w.run(async move { c.confirm_sign_in(answer, &vec![]).await.unwrap() }), SignInOutcome::SignedIn);
    assert_eq!(w.count("AssociateSoftwareToken"), 1);
    assert_eq!(w.count("VerifySoftwareToken"), 1);
    let c = a.clone();
    w.run(async move { c.sign_out(false, false).await.unwrap() });

    let c = a.clone();
    assert!(matches!(w.run(async move { next(c.sign_in(srp_input("e", "Passw0rd!")).await.unwrap()) }), NextStep::MfaSetup { .. }));
    let c = a.clone();
    let s = w.run(async move { next(c.confirm_sign_in(Answer::Email("e@example.com".into()), &vec![]).await.unwrap()) });
    assert!(matches!(s, NextStep::EmailOtp { .. }));
    let (c, sent) = (a.clone(), w.last_code("e"));
    assert_eq!(w.run(async move { c.confirm_sign_in(code(&sent), &vec![]).await.unwrap() }), SignInOutcome::SignedIn);
    let c = a.clone();
    let pref = w.run(async move { c.fetch_mfa_preference().await.unwrap() });
    assert_eq!(pref, MfaPreference { enabled: vec![MfaType::Email], preferred: Some(MfaType::Email), web_authn: false });
}

#[test]
fn a_remembered_device_skips_mfa_and_an_unknown_one_is_forgotten_and_retried() {
    let (w, o) = World::new(json!({
        "deviceTracking": "ALWAYS", "mfaConfiguration": "OPTIONAL",
        "users": [{"username": "d", "password": "Passw0rd!", "mfa": ["EMAIL_OTP"], "attributes": {"email": "d@example.com", "email_verified": "true"}}]
    }));
    let a = w.tab(&o);
    let c = a.clone();
    assert!(matches!(w.run(async move { next(c.sign_in(srp_input("d", "Passw0rd!")).await.unwrap()) }), NextStep::EmailOtp { .. }));
    let (c, sent) = (a.clone(), w.last_code("d"));
    assert_eq!(w.run(async move { c.confirm_sign_in(code(&sent), &vec![]).await.unwrap() }), SignInOutcome::SignedIn);
    assert_eq!(w.count("ConfirmDevice"), 1);
    let client = o["clientId"].as_str().unwrap().to_string();
    let key = w.storage()[&format!("CognitoIdentityServiceProvider.{client}.d.deviceKey")].clone();
    let c = a.clone();
    let devices = w.run(async move { c.fetch_devices().await.unwrap() });
    assert_eq!((devices.len(), devices[0].key.as_str(), devices[0].current), (1, key.as_str(), true));
    let c = a.clone();
    w.run(async move { c.sign_out(false, false).await.unwrap() });

    // The device answers DEVICE_SRP_AUTH itself: no MFA step this time.
    let c = a.clone();
    assert_eq!(w.run(async move { c.sign_in(srp_input("d", "Passw0rd!")).await.unwrap() }), SignInOutcome::SignedIn);
    assert_eq!(
        w.count("RespondToAuthChallenge"),
        5,
        "PASSWORD_VERIFIER, EMAIL_OTP, PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER"
    );
    let c = a.clone();
    w.run(async move { c.sign_out(false, false).await.unwrap() });

    // The pool forgets the device (an admin, another browser): the next sign-in drops the stored
    // device and signs in again without it, in the same call.
    let pool = o["userPoolId"].as_str().unwrap().to_string();
    w.emulator.db().pools.get_mut(&pool).unwrap().devices.clear();
    let initiate = w.count("InitiateAuth");
    let c = a.clone();
    assert!(matches!(w.run(async move { next(c.sign_in(srp_input("d", "Passw0rd!")).await.unwrap()) }), NextStep::EmailOtp { .. }));
    assert_eq!(w.count("InitiateAuth") - initiate, 2, "one attempt with the device, one without");
    assert!(!w.storage().contains_key(&format!("CognitoIdentityServiceProvider.{client}.d.deviceKey")));

    // Half a stored device is no device: removed before signing in, never sent.
    let c = a.clone();
    let (c2, sent) = (a.clone(), w.last_code("d"));
    w.run(async move { c2.confirm_sign_in(code(&sent), &vec![]).await.unwrap() });
    w.run(async move { c.sign_out(false, false).await.unwrap() });
    w.store(&format!("CognitoIdentityServiceProvider.{client}.d.randomPasswordKey"), None);
    let c = a.clone();
    w.run(async move { c.sign_in(srp_input("d", "Passw0rd!")).await.unwrap() });
    let first = w.requests.borrow().iter().rev().find(|r| env::target(r) == "InitiateAuth").unwrap().body.clone().unwrap();
    assert!(!first.contains("DEVICE_KEY"), "{first}");
    assert!(!w.storage().contains_key(&format!("CognitoIdentityServiceProvider.{client}.d.deviceKey")));
}

#[test]
fn throttling_is_retried_with_bounded_backoff_and_unsafe_calls_are_not_repeated() {
    let (w, o) = World::new(json!({"users": [{"username": "alice", "password": "Passw0rd!"}]}));
    let a = w.tab(&o);
    w.rule("InitiateAuth", 2, Action::Exception("TooManyRequestsException", 400));
    let start = w.now_ms();
    let c = a.clone();
    assert_eq!(w.run(async move { c.sign_in(srp_input("alice", "Passw0rd!")).await.unwrap() }), SignInOutcome::SignedIn);
    assert_eq!(w.count("InitiateAuth"), 3);
    // Full jitter: each wait is within [50, 250·2^attempt] ms, and time moved by no more.
    let waited = w.now_ms() - start;
    assert!((100.0..=250.0 + 500.0 + 1000.0).contains(&waited), "{waited} ms");
    // Each pause is announced (the demo's event log shows it): which call, which attempt, how long.
    let retries: Vec<_> = a.env.events.borrow().iter().filter(|e| e.kind == EventKind::Retrying).map(|e| (e.retry, e.error.clone().map(|x| x.0))).collect();
    assert_eq!(retries.len(), 2);
    let paused: u32 = retries.iter().map(|(r, _)| r.map_or(0, |r| r.2)).sum();
    // (the rest of the time: the three requests themselves)
    assert!((0.0..=50.0).contains(&(waited - paused as f64)), "the announced pauses ({paused} ms) are the pauses taken ({waited} ms)");
    for (i, (r, name)) in retries.iter().enumerate() {
        let (op, attempt, _) = r.expect("retry details");
        assert_eq!((op, attempt, name.as_deref()), ("InitiateAuth", i as u32 + 2, Some("TooManyRequestsException")));
    }
    let c = a.clone();
    w.run(async move { c.sign_out(false, false).await.unwrap() });

    // A 5xx on RespondToAuthChallenge may have been carried out: not repeated.
    w.rule("RespondToAuthChallenge", 1, Action::Exception("InternalErrorException", 500));
    let c = a.clone();
    let e = w.run(async move { c.sign_in(srp_input("alice", "Passw0rd!")).await.unwrap_err() });
    assert_eq!((e.name(), e.retryable()), ("InternalErrorException", true));
    assert_eq!(w.count("RespondToAuthChallenge"), 2);
    // maxRetries bounds everything.
    w.rule("InitiateAuth", 10, Action::Exception("TooManyRequestsException", 400));
    let c = a.clone();
    let e = w.run(async move { c.sign_in(srp_input("alice", "Passw0rd!")).await.unwrap_err() });
    assert_eq!(e.name(), "TooManyRequestsException");
    assert_eq!(w.count("InitiateAuth"), 3 + 1 + 4, "one attempt plus maxRetries (3)");
}

/// User migration: with `migrateUsers`, an SRP sign-in of a user the pool does not know is
/// tried once more with USER_PASSWORD_AUTH, where the pool's userMigration trigger (the Node
/// fixture of the emulator's trigger tests) sees the password and creates the user; the next
/// sign-in is plain SRP. Without the option the UserNotFoundException stands.
#[test]
fn migrate_users_retries_once_with_the_password_flow() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/emulator");
    let trigger = json!({"command": ["node", format!("{dir}/adapters/lambda_adapter.mjs"), format!("{dir}/tests/fixtures/triggers.mjs")]});
    let (w, o) = World::new(json!({
        "triggers": {"userMigration": trigger},
        "clients": [{"explicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
    }));
    let plain = w.tab(&o);
    let e = w.run(async move { plain.sign_in(srp_input("legacy", "Legacy1!pw")).await.unwrap_err() });
    assert_eq!(e.name(), "UserNotFoundException");
    assert_eq!(w.count_body("\"USER_PASSWORD_AUTH\""), 0);
    let mut opts = o.clone();
    opts["migrateUsers"] = json!(true);
    let a = w.tab(&opts);
    // A wrong legacy password: the trigger's error, after exactly one retry.
    let c = a.clone();
    let e = w.run(async move { c.sign_in(srp_input("legacy", "wrong")).await.unwrap_err() });
    assert_eq!((e.name(), e.message().as_str()), ("UserLambdaValidationException", "UserMigration failed with error Bad password."));
    assert_eq!(w.count_body("\"USER_PASSWORD_AUTH\""), 1);
    let c = a.clone();
    assert_eq!(w.run(async move { c.sign_in(srp_input("legacy", "Legacy1!pw")).await.unwrap() }), SignInOutcome::SignedIn);
    assert_eq!(w.count_body("\"USER_PASSWORD_AUTH\""), 2);
    assert_eq!(Raw::parse(&a.current_user().unwrap().attributes).unwrap().str("email").as_deref(), Some("legacy@example.com"));
    let c = a.clone();
    w.run(async move { c.sign_out(false, false).await.unwrap() });
    let c = a.clone();
    assert_eq!(w.run(async move { c.sign_in(srp_input("legacy", "Legacy1!pw")).await.unwrap() }), SignInOutcome::SignedIn);
    assert_eq!(w.count_body("\"USER_PASSWORD_AUTH\""), 2, "once migrated, SRP");
    // A wrong password of a known user is not retried.
    let c = a.clone();
    w.run(async move { c.sign_out(false, false).await.unwrap() });
    let c = a.clone();
    assert_eq!(w.run(async move { c.sign_in(srp_input("legacy", "nope")).await.unwrap_err() }).name(), "NotAuthorizedException");
    assert_eq!(w.count_body("\"USER_PASSWORD_AUTH\""), 2);
}
