//! User-pool operations over HTTP: sign-up and confirmation, passwords, attributes, deletion,
//! access-token checks, admin operations, message templates.

mod common;
use common::*;
use serde_json::{json, Value};

fn sign_up(client: &str, username: &str, password: &str, email: &str) -> Result<Value, Failure> {
    call(
        "SignUp",
        json!({"ClientId": client, "Username": username, "Password": password, "UserAttributes": [{"Name": "email", "Value": email}]}),
    )
}

#[test]
fn sign_up_confirm_and_resend() {
    let (pool, client) = new_pool(json!({}));
    let r = sign_up(&client, "sam", "Passw0rd!", "sam@example.com").unwrap();
    assert_eq!(r["UserConfirmed"], false);
    assert_eq!(r["UserSub"].as_str().unwrap().len(), 36);
    assert_eq!(r["CodeDeliveryDetails"], json!({"Destination": "s***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}));
    let m = messages(&pool, "sam");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["kind"], "SIGN_UP");
    assert_eq!(m[0]["destination"], "sam@example.com");
    let code = m[0]["code"].as_str().unwrap().to_string();
    assert!(m[0]["text"].as_str().unwrap().contains(&code));
    expect_err(srp_sign_in(&pool, &client, "sam", "Passw0rd!"), "UserNotConfirmedException");
    expect_err(
        call("ConfirmSignUp", json!({"ClientId": client, "Username": "sam", "ConfirmationCode": "000000"})),
        "CodeMismatchException",
    );
    // Resend supersedes the first code.
    let rr = call("ResendConfirmationCode", json!({"ClientId": client, "Username": "sam"})).unwrap();
    assert_eq!(rr["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let code2 = last_code(&pool, "sam");
    if code2 != code {
        expect_err(
            call("ConfirmSignUp", json!({"ClientId": client, "Username": "sam", "ConfirmationCode": code})),
            "CodeMismatchException",
        );
    }
    let ok = call("ConfirmSignUp", json!({"ClientId": client, "Username": "sam", "ConfirmationCode": code2})).unwrap();
    assert!(ok["Session"].is_string());
    let f = expect_err(
        call("ConfirmSignUp", json!({"ClientId": client, "Username": "sam", "ConfirmationCode": code2})),
        "NotAuthorizedException",
    );
    assert!(f.message.contains("CONFIRMED"));
    expect_err(call("ResendConfirmationCode", json!({"ClientId": client, "Username": "sam"})), "InvalidParameterException");
    let t = tokens(&pool, &client, "sam", "Passw0rd!");
    assert_eq!(claims(t["IdToken"].as_str().unwrap())["email_verified"], true);
}

#[test]
fn sign_up_validation_errors() {
    let (pool, client) = new_pool(json!({"requiredAttributes": ["email"]}));
    sign_up(&client, "taken", "Passw0rd!", "t@example.com").unwrap();
    assert_eq!(
        expect_err(sign_up(&client, "taken", "Passw0rd!", "t2@example.com"), "UsernameExistsException").message,
        "User already exists"
    );
    expect_err(sign_up(&client, "TAKEN", "Passw0rd!", "t2@example.com"), "UsernameExistsException");
    for (pw, why) in [
        ("Sh0rt!", "Password not long enough"),
        ("alllower1!", "Password must have uppercase characters"),
        ("ALLUPPER1!", "Password must have lowercase characters"),
        ("NoDigits!!", "Password must have numeric characters"),
        ("NoSymbols11", "Password must have symbol characters"),
    ] {
        let f = expect_err(sign_up(&client, "weak", pw, "w@example.com"), "InvalidPasswordException");
        assert_eq!(f.message, format!("Password did not conform with policy: {why}"));
    }
    let f = expect_err(
        call("SignUp", json!({"ClientId": client, "Username": "noemail", "Password": "Passw0rd!"})),
        "InvalidParameterException",
    );
    assert!(f.message.contains("email"));
    expect_err(call("SignUp", json!({"ClientId": client, "Username": "has space", "Password": "Passw0rd!"})), "InvalidParameterException");
    expect_err(call("SignUp", json!({"ClientId": client, "Password": "Passw0rd!"})), "InvalidParameterException");
    expect_err(call("SignUp", json!({"ClientId": "unknown", "Username": "x", "Password": "Passw0rd!"})), "ResourceNotFoundException");
    let f = expect_err(
        call(
            "SignUp",
            json!({"ClientId": client, "Username": "sneaky", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "s@example.com"}, {"Name": "email_verified", "Value": "true"}]}),
        ),
        "NotAuthorizedException",
    );
    assert!(f.message.contains("unauthorized attribute"));
    let _ = pool;
}

#[test]
fn codes_expire() {
    let (pool, client) = new_pool(json!({}));
    sign_up(&client, "late", "Passw0rd!", "late@example.com").unwrap();
    let code = last_code(&pool, "late");
    advance(&pool, 25 * 3600);
    expect_err(call("ConfirmSignUp", json!({"ClientId": client, "Username": "late", "ConfirmationCode": code})), "ExpiredCodeException");
    // Too many wrong attempts.
    sign_up(&client, "guess", "Passw0rd!", "guess@example.com").unwrap();
    let right = last_code(&pool, "guess");
    let wrong = if right == "111111" { "222222" } else { "111111" };
    for _ in 0..5 {
        expect_err(
            call("ConfirmSignUp", json!({"ClientId": client, "Username": "guess", "ConfirmationCode": wrong})),
            "CodeMismatchException",
        );
    }
    expect_err(
        call("ConfirmSignUp", json!({"ClientId": client, "Username": "guess", "ConfirmationCode": right})),
        "LimitExceededException",
    );
}

#[test]
fn forgot_password_flow() {
    let (pool, client) = pool_default();
    let r = call("ForgotPassword", json!({"ClientId": client, "Username": "alice"})).unwrap();
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let code = last_code(&pool, "alice");
    assert_eq!(messages(&pool, "alice").last().unwrap()["kind"], "FORGOT_PASSWORD");
    expect_err(
        call("ConfirmForgotPassword", json!({"ClientId": client, "Username": "alice", "ConfirmationCode": code, "Password": "weak"})),
        "InvalidPasswordException",
    );
    expect_err(
        call(
            "ConfirmForgotPassword",
            json!({"ClientId": client, "Username": "alice", "ConfirmationCode": "000000", "Password": "N3w!Passw0rd"}),
        ),
        "CodeMismatchException",
    );
    call("ConfirmForgotPassword", json!({"ClientId": client, "Username": "alice", "ConfirmationCode": code, "Password": "N3w!Passw0rd"}))
        .unwrap();
    expect_err(srp_sign_in(&pool, &client, "alice", "Passw0rd!"), "NotAuthorizedException");
    assert!(srp_sign_in(&pool, &client, "alice", "N3w!Passw0rd").is_ok());
    // Reset codes live an hour.
    call("ForgotPassword", json!({"ClientId": client, "Username": "alice"})).unwrap();
    let code = last_code(&pool, "alice");
    advance(&pool, 3601);
    expect_err(
        call(
            "ConfirmForgotPassword",
            json!({"ClientId": client, "Username": "alice", "ConfirmationCode": code, "Password": "Another1!pw"}),
        ),
        "ExpiredCodeException",
    );
    // Nowhere to send the code.
    let (_, c2) = new_pool(json!({"users": [{"username": "nomail", "password": "Passw0rd!"}]}));
    expect_err(call("ForgotPassword", json!({"ClientId": c2, "Username": "nomail"})), "InvalidParameterException");
    expect_err(call("ForgotPassword", json!({"ClientId": c2, "Username": "ghost"})), "UserNotFoundException");
}

#[test]
fn change_password_and_user_attributes() {
    let (pool, client) = pool_default();
    let t = tokens(&pool, &client, "alice", "Passw0rd!");
    let at = t["AccessToken"].as_str().unwrap();
    expect_err(
        call("ChangePassword", json!({"AccessToken": at, "PreviousPassword": "wrong", "ProposedPassword": "N3w!Passw0rd"})),
        "NotAuthorizedException",
    );
    expect_err(
        call("ChangePassword", json!({"AccessToken": at, "PreviousPassword": "Passw0rd!", "ProposedPassword": "weak"})),
        "InvalidPasswordException",
    );
    call("ChangePassword", json!({"AccessToken": at, "PreviousPassword": "Passw0rd!", "ProposedPassword": "N3w!Passw0rd"})).unwrap();
    assert!(srp_sign_in(&pool, &client, "alice", "N3w!Passw0rd").is_ok());

    let u = call("GetUser", json!({"AccessToken": at})).unwrap();
    assert_eq!(u["Username"], "alice");
    let attrs = u["UserAttributes"].as_array().unwrap();
    assert!(attrs.iter().any(|a| a["Name"] == "sub"));
    assert!(attrs.iter().any(|a| a["Name"] == "email" && a["Value"] == "alice@example.com"));

    let r = call("UpdateUserAttributes", json!({"AccessToken": at, "UserAttributes": [{"Name": "email", "Value": "alice2@example.com"}, {"Name": "name", "Value": "Alice"}, {"Name": "custom:team", "Value": "blue"}]})).unwrap();
    assert_eq!(r["CodeDeliveryDetailsList"][0]["AttributeName"], "email");
    let u = call("GetUser", json!({"AccessToken": at})).unwrap();
    let get =
        |n: &str| u["UserAttributes"].as_array().unwrap().iter().find(|a| a["Name"] == n).map(|a| a["Value"].as_str().unwrap().to_string());
    assert_eq!(get("email_verified").as_deref(), Some("false"));
    assert_eq!(get("custom:team").as_deref(), Some("blue"));
    let code = last_code(&pool, "alice");
    expect_err(
        call("VerifyUserAttribute", json!({"AccessToken": at, "AttributeName": "email", "Code": "000000"})),
        "CodeMismatchException",
    );
    call("VerifyUserAttribute", json!({"AccessToken": at, "AttributeName": "email", "Code": code})).unwrap();
    call("GetUserAttributeVerificationCode", json!({"AccessToken": at, "AttributeName": "email"})).unwrap();
    assert_eq!(messages(&pool, "alice").last().unwrap()["kind"], "ATTRIBUTE_VERIFICATION");
    call("DeleteUserAttributes", json!({"AccessToken": at, "UserAttributeNames": ["name", "custom:team"]})).unwrap();
    let u = call("GetUser", json!({"AccessToken": at})).unwrap();
    assert!(!u["UserAttributes"].as_array().unwrap().iter().any(|a| a["Name"] == "name"));
    expect_err(call("DeleteUserAttributes", json!({"AccessToken": at, "UserAttributeNames": ["sub"]})), "InvalidParameterException");
    expect_err(
        call("UpdateUserAttributes", json!({"AccessToken": at, "UserAttributes": [{"Name": "email_verified", "Value": "true"}]})),
        "NotAuthorizedException",
    );
}

#[test]
fn access_token_checks() {
    let (pool, client) = pool_default();
    let t = tokens(&pool, &client, "alice", "Passw0rd!");
    let at = t["AccessToken"].as_str().unwrap();
    // The ID token is not an access token; a tampered token is refused.
    assert_eq!(expect_err(call("GetUser", json!({"AccessToken": t["IdToken"]})), "NotAuthorizedException").message, "Invalid Access Token");
    let mut parts: Vec<String> = at.split('.').map(String::from).collect();
    let mut c = claims(at);
    c["username"] = json!("someone-else");
    parts[1] = cognito_proto::codec::base64url_encode(c.to_string().as_bytes());
    expect_err(call("GetUser", json!({"AccessToken": parts.join(".")})), "NotAuthorizedException");
    expect_err(call("GetUser", json!({"AccessToken": "not.a.jwt"})), "NotAuthorizedException");
    expect_err(call("GetUser", json!({})), "InvalidParameterException");
    advance(&pool, 3601);
    assert_eq!(expect_err(call("GetUser", json!({"AccessToken": at})), "NotAuthorizedException").message, "Access Token has expired");
}

#[test]
fn delete_user() {
    let (pool, client) = pool_default();
    let t = tokens(&pool, &client, "alice", "Passw0rd!");
    call("DeleteUser", json!({"AccessToken": t["AccessToken"]})).unwrap();
    expect_err(call("GetUser", json!({"AccessToken": t["AccessToken"]})), "NotAuthorizedException");
    let (r, _) = srp_init(&client, "alice", &[]);
    expect_err(r, "UserNotFoundException");
}

#[test]
fn admin_operations() {
    let (pool, client) = new_pool(json!({}));
    let r = call("AdminCreateUser", json!({"UserPoolId": pool, "Username": "adm", "TemporaryPassword": "Temp0rary!", "UserAttributes": [{"Name": "email", "Value": "adm@example.com"}]})).unwrap();
    assert_eq!(r["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD");
    let m = messages(&pool, "adm");
    assert_eq!(m.last().unwrap()["kind"], "TEMPORARY_PASSWORD");
    assert!(m.last().unwrap()["text"].as_str().unwrap().contains("Temp0rary!"));
    expect_err(call("AdminCreateUser", json!({"UserPoolId": pool, "Username": "adm"})), "UsernameExistsException");
    assert_eq!(srp_sign_in(&pool, &client, "adm", "Temp0rary!").unwrap()["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    call("AdminSetUserPassword", json!({"UserPoolId": pool, "Username": "adm", "Password": "Perm4nent!", "Permanent": true})).unwrap();
    assert_eq!(call("AdminGetUser", json!({"UserPoolId": pool, "Username": "adm"})).unwrap()["UserStatus"], "CONFIRMED");
    call("AdminAddUserToGroup", json!({"UserPoolId": pool, "Username": "adm", "GroupName": "admins"})).unwrap();
    call("AdminUpdateUserAttributes", json!({"UserPoolId": pool, "Username": "adm", "UserAttributes": [{"Name": "email_verified", "Value": "true"}, {"Name": "name", "Value": "Ad Min"}]})).unwrap();
    let t = tokens(&pool, &client, "adm", "Perm4nent!");
    let id = claims(t["IdToken"].as_str().unwrap());
    assert_eq!(id["cognito:groups"], json!(["admins"]));
    assert_eq!(id["name"], "Ad Min");
    assert_eq!(claims(t["AccessToken"].as_str().unwrap())["cognito:groups"], json!(["admins"]));

    call("AdminDisableUser", json!({"UserPoolId": pool, "Username": "adm"})).unwrap();
    expect_err(call("GetUser", json!({"AccessToken": t["AccessToken"]})), "NotAuthorizedException");
    expect_err(srp_sign_in(&pool, &client, "adm", "Perm4nent!"), "NotAuthorizedException");
    call("AdminEnableUser", json!({"UserPoolId": pool, "Username": "adm"})).unwrap();
    call("AdminResetUserPassword", json!({"UserPoolId": pool, "Username": "adm"})).unwrap();
    expect_err(srp_sign_in(&pool, &client, "adm", "Perm4nent!"), "PasswordResetRequiredException");

    sign_up(&client, "pending", "Passw0rd!", "p@example.com").unwrap();
    call("AdminConfirmSignUp", json!({"UserPoolId": pool, "Username": "pending"})).unwrap();
    assert!(srp_sign_in(&pool, &client, "pending", "Passw0rd!").is_ok());
    let l = call("ListUsers", json!({"UserPoolId": pool, "Filter": "email = \"p@example.com\""})).unwrap();
    assert_eq!(l["Users"].as_array().unwrap().len(), 1);
    assert_eq!(l["Users"][0]["Username"], "pending");
    assert_eq!(call("ListUsers", json!({"UserPoolId": pool})).unwrap()["Users"].as_array().unwrap().len(), 2);
    call("AdminDeleteUser", json!({"UserPoolId": pool, "Username": "pending"})).unwrap();
    expect_err(call("AdminGetUser", json!({"UserPoolId": pool, "Username": "pending"})), "UserNotFoundException");
    let d = call("DescribeUserPoolClient", json!({"UserPoolId": pool, "ClientId": client})).unwrap();
    assert_eq!(d["UserPoolClient"]["ClientId"], client);
    expect_err(call("AdminGetUser", json!({"UserPoolId": "us-east-1_nope", "Username": "x"})), "ResourceNotFoundException");
}

#[test]
fn verification_link_template() {
    let (pool, client) =
        new_pool(json!({"messages": {"verificationLink": "http://127.0.0.1:8080/?confirm=1&username={username}&code={####}"}}));
    sign_up(&client, "linky", "Passw0rd!", "linky@example.com").unwrap();
    let m = messages(&pool, "linky");
    let link = m[0]["link"].as_str().unwrap();
    let code = m[0]["code"].as_str().unwrap();
    assert_eq!(link, format!("http://127.0.0.1:8080/?confirm=1&username=linky&code={code}"));
    assert!(m[0]["text"].as_str().unwrap().contains(link));
}
