//! The JS API against the emulator, in headless Chromium: sign-up, confirmation, sign-in by SRP
//! and by password, sessions, attributes, passwords, deletion, and the main error paths.
#![cfg(target_arch = "wasm32")]

mod common;
use common::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const USERS: &str = r#"{"users":[{"username":"alice","password":"Passw0rd!","attributes":{"email":"alice@example.com","email_verified":"true","name":"Alice"}}]}"#;

#[wasm_bindgen_test]
async fn sign_up_confirm_and_sign_in_by_srp() {
    let p = pool("{}").await;
    let a = auth(&p, "{}");
    let user = unique("u");
    let r = ok(a.sign_up(obj(&format!(r#"{{"username":"{user}","password":"Passw0rd!","attributes":{{"email":"{user}@example.com"}}}}"#))))
        .await;
    assert_eq!(get(&r, "userConfirmed").as_bool(), Some(false));
    assert_eq!(get_str(&get(&r, "codeDelivery"), "deliveryMedium"), "EMAIL");
    assert_eq!(get_str(&get(&r, "codeDelivery"), "attributeName"), "email");
    // Not confirmed yet: the sign-in says so.
    let e = err(a.sign_in(obj(&format!(r#"{{"username":"{user}","password":"Passw0rd!"}}"#)))).await;
    assert_eq!(name_of(&e), "UserNotConfirmedException");
    // A wrong code, then the delivered one.
    let e = err(a.confirm_sign_up(obj(&format!(r#"{{"username":"{user}","code":"000000"}}"#)))).await;
    assert_eq!(name_of(&e), "CodeMismatchException");
    assert_eq!(js_sys::Reflect::get(&e, &"retryable".into()).unwrap().as_bool(), Some(false));
    let code = last_code(&p, &user).await;
    let c = ok(a.confirm_sign_up(obj(&format!(r#"{{"username":"{user}","code":"{code}"}}"#)))).await;
    assert_eq!(get(&c, "confirmed").as_bool(), Some(true));
    let r = ok(a.sign_in(obj(&format!(r#"{{"username":"{user}","password":"Passw0rd!"}}"#)))).await;
    assert_eq!(get(&r, "signedIn").as_bool(), Some(true), "{}", stringify(&r));
    let s = ok(a.get_session(Some(obj("{}")))).await;
    assert_eq!(get_str(&s, "username"), user);
    assert!(get_str(&s, "accessToken").split('.').count() == 3);
    assert!(get(&s, "expiresAt").as_f64().unwrap() > js_sys::Date::now() + 3_000_000.0);
    let cu = a.current_user();
    assert_eq!(get_str(&cu, "username"), user);
    assert_eq!(get_str(&get(&cu, "attributes"), "email"), format!("{user}@example.com"));
    ok(a.sign_out(Some(obj("{}")))).await;
    assert!(ok(a.get_session(Some(obj("{}")))).await.is_null());
    assert!(a.current_user().is_null());
}

#[wasm_bindgen_test]
async fn sign_in_errors_are_named() {
    let p = pool(USERS).await;
    let a = auth(&p, "{}");
    let e = err(a.sign_in(obj(r#"{"username":"alice","password":"wrong"}"#))).await;
    assert_eq!(name_of(&e), "NotAuthorizedException");
    assert_eq!(message_of(&e), "Incorrect username or password.");
    assert_eq!(get(&e, "status").as_f64(), Some(400.0));
    let e = err(a.sign_in(obj(r#"{"username":"nobody","password":"Passw0rd!"}"#))).await;
    assert_eq!(name_of(&e), "UserNotFoundException");
    // Refused by the SDK itself (no request is made): a ConfigError saying what to fix.
    let e = err(a.sign_in(obj(r#"{"username":"alice"}"#))).await;
    assert_eq!(name_of(&e), "ConfigError");
    assert_eq!(message_of(&e), "password is required (a non-empty string)");
    let e = err(a.sign_in(obj(r#"{"username":"alice","password":"x","flow":"MAGIC"}"#))).await;
    assert_eq!(name_of(&e), "ConfigError");
    // USER_PASSWORD_AUTH is not enabled on this client.
    let e = err(a.sign_in(obj(r#"{"username":"alice","password":"Passw0rd!","flow":"USER_PASSWORD_AUTH"}"#))).await;
    assert_eq!(name_of(&e), "InvalidParameterException");
    // Signed in: a second sign-in is an InvalidStateError.
    ok(a.sign_in(obj(r#"{"username":"alice@example.com","password":"Passw0rd!"}"#))).await;
    assert_eq!(get_str(&a.current_user(), "username"), "alice", "an alias signs in as the canonical user");
    let e = err(a.sign_in(obj(r#"{"username":"alice","password":"Passw0rd!"}"#))).await;
    assert_eq!(name_of(&e), "InvalidStateError");
}

#[wasm_bindgen_test]
async fn the_entry_point_refuses_unknown_methods_and_wrong_arguments() {
    let p = pool(USERS).await;
    let a = auth(&p, "{}");
    // Methods are numbered from the declarations (a misspelt name does not build): a number
    // that names none is refused.
    let e = err(a.call(9_999, obj("{}"))).await;
    assert_eq!(name_of(&e), "ConfigError");
    assert_eq!(message_of(&e), "CognitoAuth has no such method");
    // String arguments must be strings; options that are not JSON are refused with a reason.
    let e = err(a.m("verifyToken", JsValue::from_f64(5.0))).await;
    assert_eq!(name_of(&e), "ConfigError");
    assert_eq!(message_of(&e), "verifyToken needs a JWT");
    let e = err(a.m("confirmSignUpFromLink", JsValue::UNDEFINED)).await;
    assert_eq!(message_of(&e), "confirmSignUpFromLink needs the link's URL");
    let cyclic = js_sys::Object::new();
    js_sys::Reflect::set(&cyclic, &"self".into(), &cyclic).unwrap();
    let e = err(a.m("signIn", cyclic.into())).await;
    assert_eq!(name_of(&e), "ConfigError");
    // The same entry point still works for a real call afterwards.
    let r = ok(a.m("signIn", obj(r#"{"username":"alice","password":"Passw0rd!"}"#))).await;
    assert_eq!(get(&r, "signedIn").as_bool(), Some(true));
}

#[wasm_bindgen_test]
async fn password_flow_and_sign_up_errors() {
    let p = pool(r#"{"clients":[{"explicitAuthFlows":["ALLOW_USER_PASSWORD_AUTH","ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]}],"users":[{"username":"pw","password":"Passw0rd!"}]}"#).await;
    let a = auth(&p, "{}");
    let r = ok(a.sign_in(obj(r#"{"username":"pw","password":"Passw0rd!","flow":"USER_PASSWORD_AUTH"}"#))).await;
    assert_eq!(get(&r, "signedIn").as_bool(), Some(true));
    let e = err(a.sign_up(obj(r#"{"username":"pw","password":"Passw0rd!"}"#))).await;
    assert_eq!(name_of(&e), "UsernameExistsException");
    let e = err(a.sign_up(obj(r#"{"username":"weakling","password":"short"}"#))).await;
    assert_eq!(name_of(&e), "InvalidPasswordException");
    assert!(message_of(&e).contains("Password not long enough"));
    let e = err(a.confirm_sign_up(obj(r#"{"username":"nobody","code":"123456"}"#))).await;
    assert_eq!(name_of(&e), "UserNotFoundException");
}

#[wasm_bindgen_test]
async fn expired_confirmation_code() {
    let p = pool("{}").await;
    let a = auth(&p, "{}");
    ok(a.sign_up(obj(r#"{"username":"late","password":"Passw0rd!","attributes":{"email":"late@example.com"}}"#))).await;
    let code = last_code(&p, "late").await;
    advance(&p, 25 * 3600).await;
    let e = err(a.confirm_sign_up(obj(&format!(r#"{{"username":"late","code":"{code}"}}"#)))).await;
    assert_eq!(name_of(&e), "ExpiredCodeException");
    let r = ok(a.resend_sign_up_code(obj(r#"{"username":"late"}"#))).await;
    assert_eq!(get_str(&get(&r, "codeDelivery"), "destination"), "l***@e***");
    let code = last_code(&p, "late").await;
    ok(a.confirm_sign_up(obj(&format!(r#"{{"username":"late","code":"{code}"}}"#)))).await;
}

#[wasm_bindgen_test]
async fn attributes_and_passwords() {
    let p = pool(USERS).await;
    let a = auth(&p, "{}");
    // Signed out: InvalidStateError, not a network call.
    let e = err(a.get_user_attributes()).await;
    assert_eq!(name_of(&e), "InvalidStateError");
    ok(a.sign_in(obj(r#"{"username":"alice","password":"Passw0rd!"}"#))).await;
    let attrs = ok(a.get_user_attributes()).await;
    assert_eq!(get_str(&attrs, "email"), "alice@example.com");
    assert_eq!(get_str(&attrs, "name"), "Alice");
    let r = ok(a.update_user_attributes(obj(r#"{"attributes":{"email":"new@example.com","custom:team":"blue"}}"#))).await;
    let deliveries = js_sys::Array::from(&get(&r, "codeDeliveries"));
    assert_eq!(deliveries.length(), 1);
    let e = err(a.verify_user_attribute(obj(r#"{"attributeName":"email","code":"000000"}"#))).await;
    assert_eq!(name_of(&e), "CodeMismatchException");
    let code = last_code(&p, "alice").await;
    ok(a.verify_user_attribute(obj(&format!(r#"{{"attributeName":"email","code":"{code}"}}"#)))).await;
    let r = ok(a.send_user_attribute_verification_code(obj(r#"{"attributeName":"email"}"#))).await;
    assert_eq!(get_str(&get(&r, "codeDelivery"), "deliveryMedium"), "EMAIL");
    ok(a.delete_user_attributes(obj(r#"{"attributeNames":["custom:team","name"]}"#))).await;
    let attrs = ok(a.get_user_attributes()).await;
    assert_eq!(get_str(&attrs, "email_verified"), "true");
    assert!(get(&attrs, "name").is_undefined());
    // Passwords.
    let e = err(a.change_password(obj(r#"{"oldPassword":"nope","newPassword":"N3w!Passw0rd"}"#))).await;
    assert_eq!(name_of(&e), "NotAuthorizedException");
    let e = err(a.change_password(obj(r#"{"oldPassword":"Passw0rd!","newPassword":"weak"}"#))).await;
    assert_eq!(name_of(&e), "InvalidPasswordException");
    ok(a.change_password(obj(r#"{"oldPassword":"Passw0rd!","newPassword":"N3w!Passw0rd"}"#))).await;
    ok(a.sign_out(Some(obj("{}")))).await;
    let e = err(a.sign_in(obj(r#"{"username":"alice","password":"Passw0rd!"}"#))).await;
    assert_eq!(name_of(&e), "NotAuthorizedException");
    ok(a.sign_in(obj(r#"{"username":"alice","password":"N3w!Passw0rd"}"#))).await;
}

#[wasm_bindgen_test]
async fn forgot_password_and_delete_user() {
    let p = pool(USERS).await;
    let a = auth(&p, "{}");
    let r = ok(a.forgot_password(obj(r#"{"username":"alice"}"#))).await;
    assert_eq!(get_str(&get(&r, "codeDelivery"), "deliveryMedium"), "EMAIL");
    let code = last_code(&p, "alice").await;
    let e = err(a.confirm_forgot_password(obj(r#"{"username":"alice","code":"000000","newPassword":"Res3t!pass"}"#))).await;
    assert_eq!(name_of(&e), "CodeMismatchException");
    let e = err(a.confirm_forgot_password(obj(&format!(r#"{{"username":"alice","code":"{code}","newPassword":"weak"}}"#)))).await;
    assert_eq!(name_of(&e), "InvalidPasswordException");
    ok(a.confirm_forgot_password(obj(&format!(r#"{{"username":"alice","code":"{code}","newPassword":"Res3t!pass"}}"#)))).await;
    ok(a.sign_in(obj(r#"{"username":"alice","password":"Res3t!pass"}"#))).await;
    ok(a.delete_user()).await;
    assert!(a.current_user().is_null());
    let e = err(a.sign_in(obj(r#"{"username":"alice","password":"Res3t!pass"}"#))).await;
    assert_eq!(name_of(&e), "UserNotFoundException");
    let e = err(a.forgot_password(obj(r#"{"username":"alice"}"#))).await;
    assert_eq!(name_of(&e), "UserNotFoundException");
}

#[wasm_bindgen_test]
async fn confirm_sign_up_from_an_emailed_link() {
    let p = pool(r#"{"messages":{"verificationLink":"http://127.0.0.1:8080/?username={username}&code={####}"}}"#).await;
    let a = auth(&p, "{}");
    ok(a.sign_up(obj(r#"{"username":"linky","password":"Passw0rd!","attributes":{"email":"linky@example.com"}}"#))).await;
    let m = messages(&p, "linky").await;
    let link = get_str(m.last().unwrap(), "link");
    let e = err(a.confirm_sign_up_from_link("http://127.0.0.1:8080/?nothing=here".into())).await;
    assert_eq!(name_of(&e), "ConfigError");
    let r = ok(a.confirm_sign_up_from_link(link)).await;
    assert_eq!(get(&r, "confirmed").as_bool(), Some(true));
    ok(a.sign_in(obj(r#"{"username":"linky","password":"Passw0rd!"}"#))).await;
}

#[wasm_bindgen_test]
async fn config_errors_at_construction() {
    let bad = [
        (r#"{"clientId":"c"}"#, "userPoolId"),
        (r#"{"userPoolId":"us-east-1_X1"}"#, "clientId"),
        (r#"{"userPoolId":"us-east-1_X1","clientId":"c","endpoint":"http://cognito.example.com/"}"#, "allowInsecureEndpoint"),
        (r#"{"userPoolId":"us-east-1_X1","clientId":"c","storage":{"getItem":1}}"#, "storage"),
    ];
    for (opts, needle) in bad {
        let e = cognito_wasm::js::CognitoAuth::new(obj(opts)).err().expect("construction fails");
        assert_eq!(name_of(&e), "ConfigError", "{opts}");
        assert!(message_of(&e).contains(needle), "{opts}: {}", message_of(&e));
    }
    // A function in the storage slot is refused too; an object with the three methods is fine.
    let store = js_sys::Function::new_no_args("return {getItem(){return null}, setItem(){}, removeItem(){}}")
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap();
    let opts = obj(r#"{"userPoolId":"us-east-1_X1","clientId":"c"}"#);
    js_sys::Reflect::set(&opts, &"storage".into(), &store).unwrap();
    assert!(cognito_wasm::js::CognitoAuth::new(opts).is_ok());
}

#[wasm_bindgen_test]
async fn throttling_is_retried_and_network_failure_is_named() {
    let p = pool(USERS).await;
    let a = auth(&p, "{}");
    fault("InitiateAuth", "TooManyRequestsException", 2).await;
    ok(a.sign_in(obj(r#"{"username":"alice","password":"Passw0rd!"}"#))).await;
    ok(a.sign_out(Some(obj("{}")))).await;
    // More failures than retries: the error surfaces, marked retryable.
    fault("InitiateAuth", "TooManyRequestsException", 3).await;
    let fast = auth(&p, r#"{"maxRetries":1}"#);
    let e = err(fast.sign_in(obj(r#"{"username":"alice","password":"Passw0rd!"}"#))).await;
    assert_eq!(name_of(&e), "TooManyRequestsException");
    assert_eq!(get(&e, "retryable").as_bool(), Some(true));
    http("DELETE", "/_emulator/faults", None).await;
    // Nothing listening: NetworkError, retryable.
    let dead = cognito_wasm::js::CognitoAuth::new(obj(&format!(
        r#"{{"userPoolId":"{}","clientId":"{}","endpoint":"http://127.0.0.1:9/","storage":"memory","maxRetries":0}}"#,
        p.id, p.client
    )))
    .unwrap();
    let e = err(dead.sign_in(obj(r#"{"username":"alice","password":"Passw0rd!"}"#))).await;
    assert_eq!(name_of(&e), "NetworkError");
    assert_eq!(get(&e, "retryable").as_bool(), Some(true));
}

#[wasm_bindgen_test]
fn exported_version_matches_the_crate() {
    assert_eq!(cognito_wasm::js::version(), env!("CARGO_PKG_VERSION"));
}

/// A confidential app client: SECRET_HASH over the typed name at InitiateAuth, over
/// USER_ID_FOR_SRP afterwards, over the canonical name on refresh, and the raw secret for
/// revocation — the emulator refuses any mistake.
#[wasm_bindgen_test]
async fn client_secret_at_every_step() {
    let secret = "s3cr3t0s3cr3t0s3cr3t0s3cr3t0";
    let p = pool(&format!(
        r#"{{"clients":[{{"secret":"{secret}","explicitAuthFlows":["ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]}}],"users":[{{"username":"sec","password":"Passw0rd!","attributes":{{"email":"sec@example.com","email_verified":"true"}}}}]}}"#
    ))
    .await;
    let without = auth(&p, "{}");
    let e = err(without.sign_in(obj(r#"{"username":"sec","password":"Passw0rd!"}"#))).await;
    assert_eq!(name_of(&e), "NotAuthorizedException");
    assert!(message_of(&e).contains("SECRET_HASH"));
    let a = auth(&p, &format!(r#"{{"clientSecret":"{secret}"}}"#));
    // Typed alias, canonical name at PASSWORD_VERIFIER.
    ok(a.sign_in(obj(r#"{"username":"sec@example.com","password":"Passw0rd!"}"#))).await;
    assert_eq!(get_str(&a.current_user(), "username"), "sec");
    ok(a.get_session(Some(obj(r#"{"forceRefresh":true}"#)))).await;
    assert_eq!(stat(&p, "refresh").await, 1.0);
    ok(a.sign_out(Some(obj("{}")))).await;
    let user = unique("s");
    ok(a.sign_up(obj(&format!(r#"{{"username":"{user}","password":"Passw0rd!","attributes":{{"email":"{user}@example.com"}}}}"#)))).await;
    ok(a.confirm_sign_up(obj(&format!(r#"{{"username":"{user}","code":"{}"}}"#, last_code(&p, &user).await)))).await;
    ok(a.forgot_password(obj(&format!(r#"{{"username":"{user}"}}"#)))).await;
    ok(a.confirm_forgot_password(obj(&format!(
        r#"{{"username":"{user}","code":"{}","newPassword":"N3w!Passw0rd"}}"#,
        last_code(&p, &user).await
    ))))
    .await;
    ok(a.sign_in(obj(&format!(r#"{{"username":"{user}","password":"N3w!Passw0rd"}}"#)))).await;
}
