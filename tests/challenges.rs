//! Every sign-in challenge in headless Chromium against the emulator: NEW_PASSWORD_REQUIRED,
//! TOTP (real RFC 6238 codes from the shared secret), e-mail and SMS codes, MFA selection and
//! set-up, custom auth over several rounds, remembered devices, auto sign-in, and sign-ins
//! that survive a reload or expire.
#![cfg(target_arch = "wasm32")]

mod common;
use common::*;
use js_sys::Array;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn step(r: &wasm_bindgen::JsValue) -> wasm_bindgen::JsValue {
    assert_eq!(get(r, "signedIn").as_bool(), Some(false), "expected a next step: {}", stringify(r));
    get(r, "nextStep")
}

fn signed_in(r: &wasm_bindgen::JsValue) {
    assert_eq!(get(r, "signedIn").as_bool(), Some(true), "expected signedIn: {}", stringify(r));
}

fn strings(v: &wasm_bindgen::JsValue) -> Vec<String> {
    Array::from(v).iter().map(|x| x.as_string().unwrap()).collect()
}

#[wasm_bindgen_test]
async fn new_password_required_with_required_attributes() {
    let p = pool(r#"{"requiredAttributes":["name"],"users":[{"username":"nh","temporaryPassword":"TempPassw0rd!","attributes":{"email":"nh@example.com"}}]}"#).await;
    let a = auth(&p, "{}");
    let s = step(&ok(a.sign_in(obj(r#"{"username":"nh","password":"TempPassw0rd!"}"#))).await);
    assert_eq!(get_str(&s, "challenge"), "NEW_PASSWORD_REQUIRED");
    assert_eq!(strings(&get(&s, "requiredAttributes")), vec!["name"]);
    assert_eq!(get_str(&get(&s, "userAttributes"), "email"), "nh@example.com");
    assert!(get(&s, "expiresAt").as_f64().unwrap() > js_sys::Date::now());
    // A weak password is refused and the step stays answerable.
    assert_eq!(name_of(&err(a.confirm_sign_in(obj(r#"{"newPassword":"weak"}"#))).await), "InvalidPasswordException");
    assert_eq!(name_of(&err(a.confirm_sign_in(obj(r#"{"newPassword":"N3w!Passw0rd"}"#))).await), "InvalidParameterException");
    signed_in(&ok(a.confirm_sign_in(obj(r#"{"newPassword":"N3w!Passw0rd","attributes":{"name":"New Hire"}}"#))).await);
    assert_eq!(get_str(&get(&a.current_user(), "attributes"), "name"), "New Hire");
    assert_eq!(name_of(&err(a.confirm_sign_in(obj(r#"{"code":"1"}"#))).await), "InvalidStateError", "nothing is pending any more");
}

#[wasm_bindgen_test]
async fn totp_sign_in_with_real_codes() {
    let p =
        pool(&format!(r#"{{"mfaConfiguration":"OPTIONAL","users":[{{"username":"m","password":"Passw0rd!","totpSecret":"{SECRET}"}}]}}"#))
            .await;
    let a = auth(&p, "{}");
    let s = step(&ok(a.sign_in(obj(r#"{"username":"m","password":"Passw0rd!"}"#))).await);
    assert_eq!(get_str(&s, "challenge"), "SOFTWARE_TOKEN_MFA");
    let wrong = if totp(SECRET, now_unix()) == "000000" { "111111" } else { "000000" };
    assert_eq!(name_of(&err(a.confirm_sign_in(obj(&format!(r#"{{"code":"{wrong}"}}"#)))).await), "CodeMismatchException");
    let code = totp(SECRET, now_unix());
    signed_in(&ok(a.confirm_sign_in(obj(&format!(r#"{{"code":"{code}"}}"#)))).await);
}

#[wasm_bindgen_test]
async fn too_many_wrong_codes_end_the_attempt_and_a_new_one_works() {
    let p =
        pool(&format!(r#"{{"mfaConfiguration":"OPTIONAL","users":[{{"username":"m","password":"Passw0rd!","totpSecret":"{SECRET}"}}]}}"#))
            .await;
    let a = auth(&p, "{}");
    step(&ok(a.sign_in(obj(r#"{"username":"m","password":"Passw0rd!"}"#))).await);
    let wrong = if totp(SECRET, now_unix()) == "000000" { "111111" } else { "000000" };
    for _ in 0..2 {
        assert_eq!(name_of(&err(a.confirm_sign_in(obj(&format!(r#"{{"code":"{wrong}"}}"#)))).await), "CodeMismatchException");
    }
    assert_eq!(name_of(&err(a.confirm_sign_in(obj(&format!(r#"{{"code":"{wrong}"}}"#)))).await), "NotAuthorizedException");
    assert!(ok(a.get_pending_sign_in()).await.is_null(), "the dead attempt was cleared");
    step(&ok(a.sign_in(obj(r#"{"username":"m","password":"Passw0rd!"}"#))).await);
    signed_in(&ok(a.confirm_sign_in(obj(&format!(r#"{{"code":"{}"}}"#, totp(SECRET, now_unix()))))).await);
}

#[wasm_bindgen_test]
async fn select_mfa_type_then_email_and_sms_codes() {
    let p = pool(r#"{"mfaConfiguration":"OPTIONAL","users":[{"username":"m","password":"Passw0rd!","mfa":["SMS_MFA","EMAIL_OTP"],"attributes":{"email":"m@example.com","email_verified":"true","phone_number":"+15550001111"}}]}"#).await;
    let a = auth(&p, "{}");
    let s = step(&ok(a.sign_in(obj(r#"{"username":"m","password":"Passw0rd!"}"#))).await);
    assert_eq!(get_str(&s, "challenge"), "SELECT_MFA_TYPE");
    assert_eq!(strings(&get(&s, "allowedMfaTypes")), vec!["SMS_MFA", "EMAIL_OTP"]);
    // Refused by the SDK itself: a ConfigError, not a made-up Cognito exception.
    assert_eq!(name_of(&err(a.confirm_sign_in(obj(r#"{"mfaType":"FAX"}"#))).await), "ConfigError");
    let s = step(&ok(a.confirm_sign_in(obj(r#"{"mfaType":"EMAIL"}"#))).await);
    assert_eq!(get_str(&s, "challenge"), "EMAIL_OTP");
    let d = get(&s, "codeDeliveryDetails");
    assert_eq!((get_str(&d, "deliveryMedium"), get_str(&d, "destination")), ("EMAIL".into(), "m***@e***".into()));
    signed_in(&ok(a.confirm_sign_in(obj(&format!(r#"{{"code":"{}"}}"#, last_code(&p, "m").await)))).await);
    ok(a.sign_out(Some(obj("{}")))).await;
    step(&ok(a.sign_in(obj(r#"{"username":"m","password":"Passw0rd!"}"#))).await);
    let s = step(&ok(a.confirm_sign_in(obj(r#"{"mfaType":"SMS"}"#))).await);
    assert_eq!(get_str(&s, "challenge"), "SMS_MFA");
    assert_eq!(get_str(&get(&s, "codeDeliveryDetails"), "deliveryMedium"), "SMS");
    signed_in(&ok(a.confirm_sign_in(obj(&format!(r#"{{"code":"{}"}}"#, last_code(&p, "m").await)))).await);
}

#[wasm_bindgen_test]
async fn mfa_setup_with_totp_and_with_email() {
    let p = pool(r#"{"mfaConfiguration":"ON","users":[{"username":"s","password":"Passw0rd!"},{"username":"e","password":"Passw0rd!"}]}"#)
        .await;
    let a = auth(&p, r#"{"appName":"Demo App"}"#);
    let s = step(&ok(a.sign_in(obj(r#"{"username":"s","password":"Passw0rd!"}"#))).await);
    assert_eq!(get_str(&s, "challenge"), "MFA_SETUP");
    assert!(strings(&get(&s, "allowedMfaTypes")).contains(&"SOFTWARE_TOKEN_MFA".to_string()));
    let setup = get(&s, "totpSetup");
    let secret = get_str(&setup, "secretCode");
    let uri = get_str(&setup, "uri");
    assert!(uri.starts_with("otpauth://totp/Demo%20App:s?secret="), "{uri}");
    assert!(uri.contains(&secret) && uri.ends_with("&issuer=Demo%20App"));
    assert_eq!(name_of(&err(a.confirm_sign_in(obj(r#"{"code":"12345"}"#))).await), "InvalidParameterException");
    signed_in(&ok(a.confirm_sign_in(obj(&format!(r#"{{"code":"{}","deviceName":"phone"}}"#, totp(&secret, now_unix()))))).await);
    ok(a.sign_out(Some(obj("{}")))).await;
    let s = step(&ok(a.sign_in(obj(r#"{"username":"s","password":"Passw0rd!"}"#))).await);
    assert_eq!(get_str(&s, "challenge"), "SOFTWARE_TOKEN_MFA");
    assert_eq!(get_str(&s, "friendlyDeviceName"), "phone");
    ok(a.confirm_sign_in(obj(&format!(r#"{{"code":"{}"}}"#, totp(&secret, now_unix()))))).await;
    ok(a.sign_out(Some(obj("{}")))).await;
    // E-mail set-up.
    step(&ok(a.sign_in(obj(r#"{"username":"e","password":"Passw0rd!"}"#))).await);
    let s = step(&ok(a.confirm_sign_in(obj(r#"{"email":"e@example.com"}"#))).await);
    assert_eq!(get_str(&s, "challenge"), "EMAIL_OTP");
    signed_in(&ok(a.confirm_sign_in(obj(&format!(r#"{{"code":"{}"}}"#, last_code(&p, "e").await)))).await);
    let pref = ok(a.fetch_mfa_preference()).await;
    assert_eq!(strings(&get(&pref, "enabled")), vec!["EMAIL"]);
}

#[wasm_bindgen_test]
async fn account_mfa_management() {
    let p = pool(r#"{"mfaConfiguration":"OPTIONAL","users":[{"username":"u","password":"Passw0rd!","attributes":{"email":"u@example.com","email_verified":"true"}}]}"#).await;
    let a = auth(&p, "{}");
    signed_in(&ok(a.sign_in(obj(r#"{"username":"u","password":"Passw0rd!"}"#))).await);
    let pref = ok(a.fetch_mfa_preference()).await;
    assert!(strings(&get(&pref, "enabled")).is_empty());
    assert!(get(&pref, "preferred").is_null());
    let setup = ok(a.set_up_totp(Some(obj(r#"{"issuer":"Acme"}"#)))).await;
    let secret = get_str(&setup, "secretCode");
    assert!(get_str(&setup, "uri").starts_with("otpauth://totp/Acme:u%40example.com?secret="));
    assert_eq!(name_of(&err(a.verify_totp_setup(obj(r#"{"code":"000000"}"#))).await), "EnableSoftwareTokenMFAException");
    ok(a.verify_totp_setup(obj(&format!(r#"{{"code":"{}","deviceName":"Authy"}}"#, totp(&secret, now_unix()))))).await;
    ok(a.update_mfa_preference(obj(r#"{"totp":"PREFERRED","email":"ENABLED"}"#))).await;
    let pref = ok(a.fetch_mfa_preference()).await;
    assert_eq!(strings(&get(&pref, "enabled")), vec!["TOTP", "EMAIL"]);
    assert_eq!(get_str(&pref, "preferred"), "TOTP");
    assert_eq!(name_of(&err(a.update_mfa_preference(obj(r#"{"totp":"SOMETIMES"}"#))).await), "ConfigError");
    ok(a.sign_out(Some(obj("{}")))).await;
    let s = step(&ok(a.sign_in(obj(r#"{"username":"u","password":"Passw0rd!"}"#))).await);
    assert_eq!(get_str(&s, "challenge"), "SOFTWARE_TOKEN_MFA", "the preferred factor is asked");
    ok(a.confirm_sign_in(obj(&format!(r#"{{"code":"{}"}}"#, totp(&secret, now_unix()))))).await;
    ok(a.update_mfa_preference(obj(r#"{"totp":"DISABLED","email":"DISABLED"}"#))).await;
    ok(a.sign_out(Some(obj("{}")))).await;
    signed_in(&ok(a.sign_in(obj(r#"{"username":"u","password":"Passw0rd!"}"#))).await);
}

#[wasm_bindgen_test]
async fn custom_auth_rounds_with_and_without_srp() {
    let p = pool(r#"{"customAuth":{"challenges":[{"question":"2+2?","answer":"4"},{"question":"Capital of France?","answer":"Paris"}],"maxAttempts":2},"users":[{"username":"c","password":"Passw0rd!"}]}"#).await;
    let a = auth(&p, "{}");
    let s = step(&ok(a.sign_in(obj(r#"{"username":"c","flow":"CUSTOM_WITHOUT_SRP"}"#))).await);
    assert_eq!(get_str(&s, "challenge"), "CUSTOM_CHALLENGE");
    assert_eq!(get_str(&get(&s, "parameters"), "question"), "2+2?");
    assert!(get(&get(&s, "parameters"), "USERNAME").is_undefined());
    let s = step(&ok(a.confirm_sign_in(obj(r#"{"answer":"5"}"#))).await);
    assert_eq!(get_str(&get(&s, "parameters"), "question"), "2+2?");
    assert_eq!(get_str(&get(&s, "parameters"), "attemptsLeft"), "1");
    let s = step(&ok(a.confirm_sign_in(obj(r#"{"answer":"4"}"#))).await);
    assert_eq!(get_str(&get(&s, "parameters"), "question"), "Capital of France?");
    signed_in(&ok(a.confirm_sign_in(obj(r#"{"answer":"Paris"}"#))).await);
    ok(a.sign_out(Some(obj("{}")))).await;
    // Too many wrong answers: a named error, and the user can start again.
    step(&ok(a.sign_in(obj(r#"{"username":"c","flow":"CUSTOM_WITHOUT_SRP"}"#))).await);
    ok(a.confirm_sign_in(obj(r#"{"answer":"1"}"#))).await;
    assert_eq!(name_of(&err(a.confirm_sign_in(obj(r#"{"answer":"1"}"#))).await), "NotAuthorizedException");
    assert_eq!(name_of(&err(a.confirm_sign_in(obj(r#"{"answer":"4"}"#))).await), "InvalidStateError");
    // With SRP first: the password is proven, then the questions.
    let s = step(&ok(a.sign_in(obj(r#"{"username":"c","password":"Passw0rd!","flow":"CUSTOM_WITH_SRP"}"#))).await);
    assert_eq!(get_str(&get(&s, "parameters"), "question"), "2+2?");
    assert_eq!(
        name_of(&err(a.sign_in(obj(r#"{"username":"c","password":"wrong","flow":"CUSTOM_WITH_SRP"}"#))).await),
        "NotAuthorizedException"
    );
}

#[wasm_bindgen_test]
async fn a_remembered_device_skips_mfa_and_refreshes_with_its_key() {
    let p = pool(r#"{"deviceTracking":"ALWAYS","mfaConfiguration":"OPTIONAL","users":[{"username":"d","password":"Passw0rd!","mfa":["EMAIL_OTP"],"attributes":{"email":"d@example.com","email_verified":"true"}}]}"#).await;
    let a = auth(&p, r#"{"deviceName":"Test Browser"}"#);
    let s = step(&ok(a.sign_in(obj(r#"{"username":"d","password":"Passw0rd!"}"#))).await);
    assert_eq!(get_str(&s, "challenge"), "EMAIL_OTP");
    signed_in(&ok(a.confirm_sign_in(obj(&format!(r#"{{"code":"{}"}}"#, last_code(&p, "d").await)))).await);
    let devices = Array::from(&ok(a.fetch_devices()).await);
    assert_eq!(devices.length(), 1);
    let dev = devices.get(0);
    assert_eq!(get(&dev, "current").as_bool(), Some(true));
    assert_eq!(get_str(&dev, "name"), "Test Browser");
    // Refresh carries the device key (the emulator refuses it otherwise).
    ok(a.get_session(Some(obj(r#"{"forceRefresh":true}"#)))).await;
    ok(a.sign_out(Some(obj("{}")))).await;
    let before = messages(&p, "d").await.len();
    signed_in(&ok(a.sign_in(obj(r#"{"username":"d","password":"Passw0rd!"}"#))).await);
    assert_eq!(messages(&p, "d").await.len(), before, "no MFA code: the device proved itself");
    // Forgetting it brings MFA back.
    ok(a.forget_device(Some(obj("{}")))).await;
    ok(a.sign_out(Some(obj("{}")))).await;
    assert_eq!(get_str(&step(&ok(a.sign_in(obj(r#"{"username":"d","password":"Passw0rd!"}"#))).await), "challenge"), "EMAIL_OTP");
}

#[wasm_bindgen_test]
async fn opt_in_devices_are_remembered_on_request() {
    let p = pool(r#"{"deviceTracking":"USER_OPT_IN","mfaConfiguration":"OPTIONAL","users":[{"username":"o","password":"Passw0rd!","mfa":["EMAIL_OTP"],"attributes":{"email":"o@example.com","email_verified":"true"}}]}"#).await;
    let a = auth(&p, "{}");
    step(&ok(a.sign_in(obj(r#"{"username":"o","password":"Passw0rd!"}"#))).await);
    signed_in(&ok(a.confirm_sign_in(obj(&format!(r#"{{"code":"{}"}}"#, last_code(&p, "o").await)))).await);
    ok(a.sign_out(Some(obj("{}")))).await;
    step(&ok(a.sign_in(obj(r#"{"username":"o","password":"Passw0rd!"}"#))).await);
    signed_in(&ok(a.confirm_sign_in(obj(&format!(r#"{{"code":"{}"}}"#, last_code(&p, "o").await)))).await);
    ok(a.remember_device()).await;
    ok(a.sign_out(Some(obj("{}")))).await;
    signed_in(&ok(a.sign_in(obj(r#"{"username":"o","password":"Passw0rd!"}"#))).await);
}

#[wasm_bindgen_test]
async fn an_unfinished_sign_in_survives_a_reload_and_expires() {
    let p = pool(r#"{"mfaConfiguration":"OPTIONAL","users":[{"username":"r","password":"Passw0rd!","mfa":["EMAIL_OTP"],"attributes":{"email":"r@example.com","email_verified":"true"}}]}"#).await;
    let first = auth(&p, r#"{"storage":"sessionStorage"}"#);
    step(&ok(first.sign_in(obj(r#"{"username":"r","password":"Passw0rd!"}"#))).await);
    // "Reload": a new instance on the same storage picks the step up.
    let second = auth(&p, r#"{"storage":"sessionStorage"}"#);
    let pending = ok(second.get_pending_sign_in()).await;
    assert_eq!(get_str(&pending, "challenge"), "EMAIL_OTP");
    signed_in(&ok(second.confirm_sign_in(obj(&format!(r#"{{"code":"{}"}}"#, last_code(&p, "r").await)))).await);
    ok(second.sign_out(Some(obj("{}")))).await;
    // Cognito's session lasts 3 minutes.
    step(&ok(second.sign_in(obj(r#"{"username":"r","password":"Passw0rd!"}"#))).await);
    let code = last_code(&p, "r").await;
    advance(&p, 181).await;
    let e = err(second.confirm_sign_in(obj(&format!(r#"{{"code":"{code}"}}"#)))).await;
    assert_eq!(name_of(&e), "NotAuthorizedException");
    assert!(message_of(&e).contains("expired"));
    assert!(ok(second.get_pending_sign_in()).await.is_null());
    step(&ok(second.sign_in(obj(r#"{"username":"r","password":"Passw0rd!"}"#))).await);
    // Past its local lifetime the stored step is refused without asking Cognito.
    let store = web_sys::window().unwrap().session_storage().unwrap().unwrap();
    let k = format!("CognitoIdentityServiceProvider.{}.pendingSignIn", p.client);
    let rec = store.get_item(&k).unwrap().unwrap();
    let v = obj(&rec);
    js_sys::Reflect::set(&v, &"expiresAt".into(), &wasm_bindgen::JsValue::from_f64(js_sys::Date::now() - 1.0)).unwrap();
    store.set_item(&k, &stringify(&v)).unwrap();
    let e = err(second.confirm_sign_in(obj(r#"{"code":"123456"}"#))).await;
    assert_eq!(name_of(&e), "InvalidStateError");
    assert!(message_of(&e).contains("3 minutes"));
}

#[wasm_bindgen_test]
async fn auto_sign_in_after_confirmation_survives_a_reload() {
    let p = pool("{}").await;
    let a = auth(&p, r#"{"storage":"localStorage"}"#);
    let user = unique("auto");
    ok(a.sign_up(obj(&format!(
        r#"{{"username":"{user}","password":"Passw0rd!","attributes":{{"email":"{user}@example.com"}},"autoSignIn":true}}"#
    ))))
    .await;
    let code = last_code(&p, &user).await;
    let c = ok(a.confirm_sign_up(obj(&format!(r#"{{"username":"{user}","code":"{code}"}}"#)))).await;
    assert_eq!(get(&c, "autoSignIn").as_bool(), Some(true));
    let reloaded = auth(&p, r#"{"storage":"localStorage"}"#);
    signed_in(&ok(reloaded.auto_sign_in()).await);
    assert_eq!(get_str(&reloaded.current_user(), "username"), user);
    assert_eq!(name_of(&err(reloaded.auto_sign_in()).await), "InvalidStateError", "used once");
    ok(reloaded.sign_out(Some(obj("{}")))).await;
}
