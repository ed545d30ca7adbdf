//! Lambda triggers over HTTP: the pool runs the handler fixtures in tests/fixtures (Node through
//! emulator/adapters/lambda_adapter.mjs, Python through lambda_adapter.py, and plain HTTP
//! handlers), and each test checks the API's answer and the invocations the emulator logged
//! (`GET /_emulator/triggers`): which trigger fired, with which source and event, and which did not.

mod common;
use common::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

fn node() -> Value {
    let dir = env!("CARGO_MANIFEST_DIR");
    json!({"command": ["node", format!("{dir}/adapters/lambda_adapter.mjs"), format!("{dir}/tests/fixtures/triggers.mjs:handler")]})
}

fn python() -> Value {
    let dir = env!("CARGO_MANIFEST_DIR");
    json!({"command": ["python3", format!("{dir}/adapters/lambda_adapter.py"), format!("{dir}/tests/fixtures/triggers.py")]})
}

/// Every trigger through the Node fixture, plus the extra pool config.
fn pool_with(names: &[&str], extra: Value) -> (String, String) {
    let mut triggers = serde_json::Map::new();
    for n in names {
        triggers.insert(n.to_string(), node());
    }
    let mut cfg = json!({
        "triggers": triggers,
        "clients": [{"explicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"]}],
        "users": [{"username": "alice", "password": "Passw0rd!", "attributes": {"email": "alice@example.com", "email_verified": "true", "name": "Alice"}}],
    });
    for (k, v) in extra.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    new_pool(cfg)
}

const ALL: [&str; 10] = [
    "preSignUp",
    "postConfirmation",
    "preAuthentication",
    "postAuthentication",
    "preTokenGeneration",
    "userMigration",
    "customMessage",
    "defineAuthChallenge",
    "createAuthChallenge",
    "verifyAuthChallengeResponse",
];

fn log(pool: &str) -> Vec<Value> {
    get_json(&format!("/_emulator/triggers?poolId={pool}")).as_array().unwrap().clone()
}

/// The triggerSources logged since `from` entries.
fn sources(pool: &str, from: usize) -> Vec<String> {
    log(pool)[from..].iter().map(|i| i["triggerSource"].as_str().unwrap().to_string()).collect()
}

fn last_event(pool: &str, source: &str) -> Value {
    log(pool).into_iter().rev().find(|i| i["triggerSource"] == source).unwrap_or_else(|| panic!("no {source}"))
}

fn password_auth(client: &str, user: &str, password: &str, metadata: Value) -> Result<Value, Failure> {
    call(
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": user, "PASSWORD": password}, "ClientMetadata": metadata}),
    )
}

#[test]
fn sign_up_auto_confirm_custom_message_and_post_confirmation() {
    let (pool, client) = pool_with(&ALL, json!({}));
    // preSignUp auto-confirms and verifies: no code is sent, postConfirmation runs at once.
    let r = call(
        "SignUp",
        json!({"ClientId": client, "Username": "auto", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "a@auto.test"}],
               "ValidationData": [{"Name": "invite", "Value": "v-1"}], "ClientMetadata": {"app": "web"}}),
    )
    .unwrap();
    assert_eq!(r["UserConfirmed"], true);
    assert!(r.get("CodeDeliveryDetails").is_none());
    assert!(messages(&pool, "auto").is_empty());
    assert_eq!(sources(&pool, 0), ["PreSignUp_SignUp", "PostConfirmation_ConfirmSignUp"]);
    let e = last_event(&pool, "PreSignUp_SignUp")["event"].clone();
    // The developer guide's "Pre sign-up Lambda trigger" page: the event's response arrives with
    // the three flags the handler may set, each false.
    assert_eq!(e["response"], json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}));
    assert_eq!(e["version"], "1");
    assert_eq!(e["region"], pool.split('_').next().unwrap());
    assert_eq!(e["userPoolId"], pool);
    assert_eq!(e["userName"], "auto");
    assert_eq!(e["callerContext"]["clientId"], client);
    assert!(e["callerContext"]["awsSdkVersion"].is_string());
    assert_eq!(e["request"]["userAttributes"]["email"], "a@auto.test");
    assert_eq!(e["request"]["validationData"], json!({"invite": "v-1"}));
    assert_eq!(e["request"]["clientMetadata"], json!({"app": "web"}));
    let u = call("AdminGetUser", json!({"UserPoolId": pool, "Username": "auto"})).unwrap();
    assert_eq!(u["UserStatus"], "CONFIRMED");
    assert!(u["UserAttributes"].as_array().unwrap().contains(&json!({"Name": "email_verified", "Value": "true"})));

    // Not auto-confirmed: the custom message carries the code in a link and its subject.
    let n = log(&pool).len();
    call("SignUp", json!({"ClientId": client, "Username": "linky", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "l@example.com"}]}))
        .unwrap();
    assert_eq!(sources(&pool, n), ["PreSignUp_SignUp", "CustomMessage_SignUp"]);
    let m = messages(&pool, "linky");
    let code = m[0]["code"].as_str().unwrap();
    assert_eq!(m[0]["subject"], "Confirm your account");
    let link = format!("http://localhost:8000/confirm.html?code={code}&username=linky");
    assert_eq!(m[0]["text"], format!("Welcome! Confirm: {link}"));
    assert_eq!(m[0]["link"], link);
    let e = last_event(&pool, "CustomMessage_SignUp")["event"].clone();
    assert_eq!(e["request"]["codeParameter"], "{####}");
    assert_eq!(e["request"]["usernameParameter"], Value::Null);
    call("ResendConfirmationCode", json!({"ClientId": client, "Username": "linky"})).unwrap();
    assert_eq!(sources(&pool, n + 2), ["CustomMessage_ResendCode"]);
    let code = last_code(&pool, "linky");
    call("ConfirmSignUp", json!({"ClientId": client, "Username": "linky", "ConfirmationCode": code, "ClientMetadata": {"from": "link"}}))
        .unwrap();
    let pc = last_event(&pool, "PostConfirmation_ConfirmSignUp")["event"].clone();
    assert_eq!(pc["userName"], "linky");
    assert_eq!(pc["request"]["clientMetadata"], json!({"from": "link"}));
    assert_eq!(pc["request"]["userAttributes"]["email_verified"], "true");

    // A custom message without {####} is an invalid response; nothing is sent.
    let f = expect_err(
        call("ForgotPassword", json!({"ClientId": client, "Username": "linky", "ClientMetadata": {"broken": "yes"}})),
        "InvalidLambdaResponseException",
    );
    assert!(f.message.contains("{####}"), "{}", f.message);
    call("ForgotPassword", json!({"ClientId": client, "Username": "linky"})).unwrap();
    let m = messages(&pool, "linky");
    let last = m.last().unwrap();
    assert_eq!(last["text"], format!("[CustomMessage_ForgotPassword] code {}", last["code"].as_str().unwrap()));
    let n = log(&pool).len();
    call(
        "ConfirmForgotPassword",
        json!({"ClientId": client, "Username": "linky", "ConfirmationCode": last["code"], "Password": "N3wPassw0rd!"}),
    )
    .unwrap();
    assert_eq!(sources(&pool, n), ["PostConfirmation_ConfirmForgotPassword"]);
}

#[test]
fn admin_create_user_and_admin_confirm() {
    let (pool, _) = pool_with(&ALL, json!({}));
    call(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "newbie", "UserAttributes": [{"Name": "email", "Value": "n@auto.test"}], "TemporaryPassword": "Temp0rary!"}),
    )
    .unwrap();
    assert_eq!(sources(&pool, 0), ["PreSignUp_AdminCreateUser", "CustomMessage_AdminCreateUser"]);
    let m = messages(&pool, "newbie");
    assert_eq!(m[0]["text"], "Hello newbie, your temporary password is Temp0rary!");
    assert_eq!(m[0]["subject"], "Your new account");
    assert_eq!(last_event(&pool, "CustomMessage_AdminCreateUser")["event"]["request"]["usernameParameter"], "{username}");
    // autoConfirmUser does not apply to an administrator's user (it must set a password), autoVerifyEmail does.
    let u = call("AdminGetUser", json!({"UserPoolId": pool, "Username": "newbie"})).unwrap();
    assert_eq!(u["UserStatus"], "FORCE_CHANGE_PASSWORD");
    assert!(u["UserAttributes"].as_array().unwrap().contains(&json!({"Name": "email_verified", "Value": "true"})));
    // A preSignUp error creates no user.
    let f = expect_err(call("AdminCreateUser", json!({"UserPoolId": pool, "Username": "throws"})), "UserLambdaValidationException");
    assert_eq!(f.message, "PreSignUp failed with error Refused throws at PreSignUp_AdminCreateUser.");
    expect_err(call("AdminGetUser", json!({"UserPoolId": pool, "Username": "throws"})), "UserNotFoundException");

    let (pool2, client2) = pool_with(&["postConfirmation"], json!({}));
    call("SignUp", json!({"ClientId": client2, "Username": "pending", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "p@example.com"}]}))
        .unwrap();
    assert!(log(&pool2).is_empty());
    call("AdminConfirmSignUp", json!({"UserPoolId": pool2, "Username": "pending"})).unwrap();
    assert_eq!(sources(&pool2, 0), ["PostConfirmation_ConfirmSignUp"]);
}

#[test]
fn authentication_triggers_and_client_metadata_routing() {
    let (pool, client) = pool_with(&["preAuthentication", "postAuthentication", "preTokenGeneration"], json!({}));
    // SRP: InitiateAuth's ClientMetadata reaches preAuthentication as validationData;
    // RespondToAuthChallenge's reaches postAuthentication and preTokenGeneration as clientMetadata.
    let eph = cognito_proto::srp::ClientEphemeral::from_random(cognito_emulator::util::random_bytes()).unwrap();
    let init = call(
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"USERNAME": "alice", "SRP_A": eph.public().to_hex()}, "ClientMetadata": {"step": "initiate"}}),
    )
    .unwrap();
    assert_eq!(sources(&pool, 0), ["PreAuthentication_Authentication"]);
    let n = log(&pool).len();
    let responses = verifier_response(&pool, &init, &eph, "Passw0rd!", now_unix());
    let r = call(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": responses, "ClientMetadata": {"step": "respond"}}),
    )
    .unwrap();
    assert_eq!(sources(&pool, n), ["PostAuthentication_Authentication", "TokenGeneration_Authentication"]);
    let pre = last_event(&pool, "PreAuthentication_Authentication")["event"].clone();
    assert_eq!(pre["request"]["validationData"], json!({"step": "initiate"}));
    assert_eq!(pre["request"]["userNotFound"], false);
    assert!(pre["request"].get("clientMetadata").is_none());
    let post = last_event(&pool, "PostAuthentication_Authentication")["event"].clone();
    assert_eq!(post["request"]["clientMetadata"], json!({"step": "respond"}));
    assert_eq!(post["request"]["newDeviceUsed"], false);
    assert_eq!(post["request"]["userAttributes"]["email"], "alice@example.com");
    assert_eq!(last_event(&pool, "TokenGeneration_Authentication")["event"]["request"]["clientMetadata"], json!({"step": "respond"}));

    // V1 claims: added, overridden, suppressed, groups; protected claims stay.
    let t = &r["AuthenticationResult"];
    let id = claims(t["IdToken"].as_str().unwrap());
    assert_eq!(id["tier"], "gold");
    assert_eq!(id["token_source"], "TokenGeneration_Authentication");
    assert_eq!(id["email"], "overridden@example.com");
    assert_eq!(id["aud"], client);
    assert!(id.get("name").is_none());
    assert_eq!(id["cognito:groups"], json!(["from-trigger"]));
    let access = claims(t["AccessToken"].as_str().unwrap());
    assert!(access.get("tier").is_none(), "V1 changes the ID token only");

    // Refresh: preTokenGeneration with TokenGeneration_RefreshTokens, no auth trigger.
    let n = log(&pool).len();
    let rr = call(
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": t["RefreshToken"]}}),
    )
    .unwrap();
    assert_eq!(sources(&pool, n), ["TokenGeneration_RefreshTokens"]);
    assert_eq!(claims(rr["AuthenticationResult"]["IdToken"].as_str().unwrap())["token_source"], "TokenGeneration_RefreshTokens");

    // USER_PASSWORD_AUTH: preAuthentication refuses; the password is not even checked.
    let f = expect_err(password_auth(&client, "alice", "wrong", json!({"deny": "yes"})), "UserLambdaValidationException");
    assert_eq!(f.message, "PreAuthentication failed with error Refused alice at PreAuthentication_Authentication.");
    let n = log(&pool).len();
    let ok = password_auth(&client, "alice", "Passw0rd!", json!({"x": "1"})).unwrap();
    assert!(ok["AuthenticationResult"].is_object());
    assert_eq!(
        sources(&pool, n),
        ["PreAuthentication_Authentication", "PostAuthentication_Authentication", "TokenGeneration_Authentication"]
    );
    // InitiateAuth's metadata is not postAuthentication's.
    assert_eq!(last_event(&pool, "PostAuthentication_Authentication")["event"]["request"]["clientMetadata"], json!({}));
}

#[test]
fn post_authentication_error_issues_no_tokens() {
    let (pool, client) = pool_with(&["postAuthentication"], json!({"users": [{"username": "throws", "password": "Passw0rd!"}]}));
    let f = expect_err(password_auth(&client, "throws", "Passw0rd!", json!({})), "UserLambdaValidationException");
    assert!(f.message.starts_with("PostAuthentication failed with error Refused throws"), "{}", f.message);
    assert_eq!(stats(&pool)["tokensIssued"].as_u64().unwrap_or(0), 0);
}

#[test]
fn user_migration_on_password_sign_in_and_forgot_password_not_srp() {
    let (pool, client) = pool_with(&["userMigration", "preAuthentication"], json!({}));
    // SRP hides the password: no migration.
    let (r, _) = srp_init(&client, "legacy", &[]);
    expect_err(r, "UserNotFoundException");
    assert!(log(&pool).is_empty());
    // A wrong legacy password: the handler's error.
    let f = expect_err(password_auth(&client, "legacy", "nope", json!({"ip": "1.2.3.4"})), "UserLambdaValidationException");
    assert_eq!(f.message, "UserMigration failed with error Bad password.");
    let e = last_event(&pool, "UserMigration_Authentication")["event"].clone();
    assert_eq!(e["request"]["password"], "nope");
    assert_eq!(e["request"]["validationData"], json!({"ip": "1.2.3.4"}));
    expect_err(call("AdminGetUser", json!({"UserPoolId": pool, "Username": "legacy"})), "UserNotFoundException");
    // Unknown to the legacy store too: UserNotFoundException.
    expect_err(password_auth(&client, "nobody", "Legacy1!pw", json!({})), "UserNotFoundException");
    // The right one: migrated, signed in, and from then on an ordinary user (SRP works, no migration).
    let r = password_auth(&client, "legacy", "Legacy1!pw", json!({})).unwrap();
    assert!(r["AuthenticationResult"].is_object());
    let u = call("AdminGetUser", json!({"UserPoolId": pool, "Username": "legacy"})).unwrap();
    assert_eq!(u["UserStatus"], "CONFIRMED");
    assert!(u["UserAttributes"].as_array().unwrap().contains(&json!({"Name": "custom:legacy", "Value": "yes"})));
    assert!(messages(&pool, "legacy").is_empty(), "messageAction SUPPRESS");
    let n = log(&pool).len();
    tokens(&pool, &client, "legacy", "Legacy1!pw");
    assert_eq!(sources(&pool, n), ["PreAuthentication_Authentication"]);

    // ForgotPassword of an unknown user: UserMigration_ForgotPassword, user RESET_REQUIRED, code sent.
    let r = call("ForgotPassword", json!({"ClientId": client, "Username": "old@example.com", "ClientMetadata": {"k": "v"}})).unwrap();
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let e = last_event(&pool, "UserMigration_ForgotPassword")["event"].clone();
    assert_eq!(e["request"]["clientMetadata"], json!({"k": "v"}));
    assert!(e["request"].get("password").is_none());
    let u = call("AdminGetUser", json!({"UserPoolId": pool, "Username": "old@example.com"})).unwrap();
    assert_eq!(u["UserStatus"], "RESET_REQUIRED");
    let code = last_code(&pool, "old@example.com");
    call(
        "ConfirmForgotPassword",
        json!({"ClientId": client, "Username": "old@example.com", "ConfirmationCode": code, "Password": "Fresh1!pass"}),
    )
    .unwrap();
    tokens(&pool, &client, "old@example.com", "Fresh1!pass");
}

#[test]
fn user_migration_into_an_email_username_pool_with_welcome_message() {
    // An inline Node handler, with the default messageAction and EMAIL delivery.
    let script = "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const e=JSON.parse(s);\
        e.response={userAttributes:{email:e.userName,email_verified:'true'},finalUserStatus:'CONFIRMED',desiredDeliveryMediums:['EMAIL']};\
        process.stdout.write(JSON.stringify(e))})";
    let (pool, client) = new_pool(json!({
        "usernameAttributes": ["email"],
        "triggers": {"userMigration": {"command": ["node", "-e", script]}},
        "clients": [{"explicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"]}],
    }));
    let r = password_auth(&client, "moved@example.com", "Whatever1!", json!({})).unwrap();
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["email"], "moved@example.com");
    let username = id["cognito:username"].as_str().unwrap().to_string();
    assert_ne!(username, "moved@example.com", "an e-mail-username pool gives the user a generated username");
    let m = messages(&pool, &username);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["kind"], "WELCOME");
    assert_eq!(m[0]["destination"], "moved@example.com");
    tokens(&pool, &client, "moved@example.com", "Whatever1!");
}

#[test]
fn custom_auth_driven_by_define_create_verify() {
    let (pool, client) =
        pool_with(&["defineAuthChallenge", "createAuthChallenge", "verifyAuthChallengeResponse", "preAuthentication"], json!({}));
    let start = |srp: Option<&str>| {
        let mut params = json!({"USERNAME": "alice"});
        if let Some(a) = srp {
            params["CHALLENGE_NAME"] = json!("SRP_A");
            params["SRP_A"] = json!(a);
        }
        call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "CUSTOM_AUTH", "AuthParameters": params})).unwrap()
    };
    let answer = |session: &Value, a: &str| {
        call(
            "RespondToAuthChallenge",
            json!({"ClientId": client, "ChallengeName": "CUSTOM_CHALLENGE", "Session": session, "ChallengeResponses": {"USERNAME": "alice", "ANSWER": a}, "ClientMetadata": {"try": a}}),
        )
    };
    let c = start(None);
    assert_eq!(c["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(c["ChallengeParameters"]["question"], "What is 6 * 7?");
    assert_eq!(c["ChallengeParameters"]["USERNAME"], "alice");
    assert!(c["ChallengeParameters"].get("answer").is_none(), "private parameters stay private");
    // Wrong: define sees the failed round and asks again (round 2: a new question).
    let c2 = answer(&c["Session"], "41").unwrap();
    assert_eq!(c2["ChallengeParameters"]["question"], "What is 6 * 8?");
    let d = last_event(&pool, "DefineAuthChallenge_Authentication")["event"].clone();
    assert_eq!(
        d["request"]["session"],
        json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "ROUND-1"}])
    );
    assert_eq!(d["request"]["clientMetadata"], json!({"try": "41"}));
    let v = last_event(&pool, "VerifyAuthChallengeResponse_Authentication")["event"].clone();
    assert_eq!(v["request"]["privateChallengeParameters"], json!({"answer": "42"}));
    assert_eq!(v["request"]["challengeAnswer"], "41");
    let t = answer(&c2["Session"], "48").unwrap();
    assert!(t["AuthenticationResult"]["IdToken"].is_string());
    // Three wrong answers: define fails the sign-in.
    let mut c = start(None);
    for a in ["1", "2"] {
        c = answer(&c["Session"], a).unwrap();
    }
    assert_eq!(expect_err(answer(&c["Session"], "3"), "NotAuthorizedException").message, "Incorrect username or password.");

    // SRP first: define sees SRP_A, answers PASSWORD_VERIFIER, then sees both rounds.
    let eph = cognito_proto::srp::ClientEphemeral::from_random(cognito_emulator::util::random_bytes()).unwrap();
    let init = start(Some(&eph.public().to_hex()));
    assert_eq!(init["ChallengeName"], "PASSWORD_VERIFIER");
    let responses = verifier_response(&pool, &init, &eph, "Passw0rd!", now_unix());
    let c =
        call("RespondToAuthChallenge", json!({"ClientId": client, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": responses}))
            .unwrap();
    assert_eq!(c["ChallengeName"], "CUSTOM_CHALLENGE");
    let d = last_event(&pool, "DefineAuthChallenge_Authentication")["event"].clone();
    let names: Vec<&str> = d["request"]["session"].as_array().unwrap().iter().map(|r| r["challengeName"].as_str().unwrap()).collect();
    assert_eq!(names, ["SRP_A", "PASSWORD_VERIFIER"]);
    assert!(answer(&c["Session"], "42").unwrap()["AuthenticationResult"].is_object());
    // One preAuthentication per sign-in attempt, none per answer.
    assert_eq!(sources(&pool, 0).iter().filter(|s| *s == "PreAuthentication_Authentication").count(), 3);
}

#[test]
fn python_handlers_and_token_generation_v2() {
    let mut v2 = python();
    v2["lambdaVersion"] = json!("V2_0");
    let (pool, client) = new_pool(json!({
        "triggers": {"preSignUp": python(), "preTokenGeneration": v2},
        "users": [{"username": "alice", "password": "Passw0rd!", "attributes": {"email": "alice@example.com"}}],
    }));
    let r = call("SignUp", json!({"ClientId": client, "Username": "pyuser", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "p@auto.test"}]}))
        .unwrap();
    assert_eq!(r["UserConfirmed"], true);
    let f = expect_err(
        call(
            "SignUp",
            json!({"ClientId": client, "Username": "pyfail", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "f@x.test"}]}),
        ),
        "UserLambdaValidationException",
    );
    assert_eq!(f.message, "PreSignUp failed with error python says no.");
    let t = tokens(&pool, &client, "pyuser", "Passw0rd!");
    let ev = last_event(&pool, "TokenGeneration_Authentication")["event"].clone();
    assert_eq!(ev["version"], "2");
    assert!(ev["request"]["scopes"].as_array().unwrap().contains(&json!("aws.cognito.signin.user.admin")));
    let id = claims(t["IdToken"].as_str().unwrap());
    assert_eq!(id["plan"], "pro");
    assert!(id.get("email").is_none());
    assert_eq!(id["cognito:groups"], json!(["py-group"]));
    let access = claims(t["AccessToken"].as_str().unwrap());
    assert_eq!(access["tenant"], "t-1");
    let scopes: Vec<&str> = access["scope"].as_str().unwrap().split(' ').collect();
    assert!(scopes.contains(&"api/read") && !scopes.contains(&"aws.cognito.signin.user.admin"), "{scopes:?}");
}

/// A one-connection-at-a-time HTTP handler: `answer(event) -> (status, body, delay)`.
fn http_handler(answer: impl Fn(&Value) -> (u16, String, Duration) + Send + 'static) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/trigger", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let body = loop {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
                        .unwrap_or(0);
                    if body.len() >= len {
                        break Some(body.to_string());
                    }
                }
            };
            let Some(body) = body else { continue };
            let event: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let (status, text, delay) = answer(&event);
            std::thread::sleep(delay);
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    url
}

#[test]
fn url_handlers_and_lambda_failure_forms() {
    let url = http_handler(|e| {
        let mut e = e.clone();
        match e["userName"].as_str().unwrap_or("") {
            "http500" => (500, "oops".into(), Duration::ZERO),
            "lambdaerror" => (200, json!({"errorMessage": "Custom failure", "errorType": "Error"}).to_string(), Duration::ZERO),
            "notjson" => (200, "<html>".into(), Duration::ZERO),
            "tooslow" => (200, e.to_string(), Duration::from_millis(1500)),
            _ => {
                e["response"]["autoConfirmUser"] = json!(true);
                (200, e.to_string(), Duration::ZERO)
            }
        }
    });
    let (pool, client) = new_pool(json!({"triggers": {"preSignUp": {"url": url, "timeoutMs": 600}}}));
    let sign_up = |u: &str| {
        call(
            "SignUp",
            json!({"ClientId": client, "Username": u, "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "x@example.com"}]}),
        )
    };
    assert_eq!(sign_up("fine").unwrap()["UserConfirmed"], true);
    assert_eq!(expect_err(sign_up("http500"), "UserLambdaValidationException").message, "PreSignUp failed with error HTTP 500.");
    assert_eq!(expect_err(sign_up("lambdaerror"), "UserLambdaValidationException").message, "PreSignUp failed with error Custom failure.");
    expect_err(sign_up("notjson"), "InvalidLambdaResponseException");
    let t = Instant::now();
    expect_err(sign_up("tooslow"), "UnexpectedLambdaException");
    assert!(t.elapsed() >= Duration::from_millis(600));
    // Failed sign-ups created nobody.
    for u in ["http500", "lambdaerror", "notjson", "tooslow"] {
        expect_err(call("AdminGetUser", json!({"UserPoolId": pool, "Username": u})), "UserNotFoundException");
    }
    let outcomes: Vec<(String, String)> =
        log(&pool).iter().map(|i| (i["userName"].as_str().unwrap().to_string(), i["outcome"].as_str().unwrap().to_string())).collect();
    assert_eq!(
        outcomes,
        [
            ("fine", "ok"),
            ("http500", "UserLambdaValidationException"),
            ("lambdaerror", "UserLambdaValidationException"),
            ("notjson", "InvalidLambdaResponseException"),
            ("tooslow", "UnexpectedLambdaException"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert!(log(&pool).iter().all(|i| i["durationMs"].is_u64() && i["trigger"] == "PreSignUp"));

    // Command handlers: a non-zero exit, garbage, a returned non-event.
    let (pool, client) = new_pool(json!({"triggers": {"preSignUp": {"command": ["sh", "-c", "echo 'disk on fire' >&2; exit 3"]}}}));
    let f = expect_err(
        call(
            "SignUp",
            json!({"ClientId": client, "Username": "x", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "x@example.com"}]}),
        ),
        "UserLambdaValidationException",
    );
    assert_eq!(f.message, "PreSignUp failed with error disk on fire.");
    let _ = pool;
    let (_, client) = pool_with(&["preSignUp"], json!({}));
    expect_err(
        call(
            "SignUp",
            json!({"ClientId": client, "Username": "garbage", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "x@example.com"}]}),
        ),
        "InvalidLambdaResponseException",
    );
}

#[test]
fn a_trigger_slower_than_five_seconds_fails_the_call() {
    // Cognito's limit, the default here: a handler that sleeps past it fails with UnexpectedLambdaException.
    let (pool, client) = new_pool(json!({"triggers": {"preSignUp": {"command": ["sleep", "30"]}}}));
    let t = Instant::now();
    let f = expect_err(
        call(
            "SignUp",
            json!({"ClientId": client, "Username": "x", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "x@example.com"}]}),
        ),
        "UnexpectedLambdaException",
    );
    let took = t.elapsed();
    assert!(took >= Duration::from_secs(5) && took < Duration::from_secs(20), "{took:?}");
    assert!(f.message.contains("5000 ms"), "{}", f.message);
    // The Node fixture's 2-second handler is within the limit.
    let (_, client) = pool_with(&["preSignUp"], json!({}));
    call("SignUp", json!({"ClientId": client, "Username": "slowpoke", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "s@example.com"}]})).unwrap();
    let _ = pool;
}

#[test]
fn attribute_messages_and_the_new_password_token_source() {
    let (pool, client) = pool_with(
        &["customMessage", "preTokenGeneration"],
        json!({"users": [
            {"username": "alice", "password": "Passw0rd!", "attributes": {"email": "alice@example.com", "email_verified": "true"}},
            {"username": "temp", "temporaryPassword": "Temp0rary!", "attributes": {"email": "t@example.com", "email_verified": "true"}}
        ]}),
    );
    let t = tokens(&pool, &client, "alice", "Passw0rd!");
    let access = t["AccessToken"].as_str().unwrap();
    // A changed e-mail gets a code through CustomMessage_UpdateUserAttribute, with the call's metadata.
    let n = log(&pool).len();
    call("UpdateUserAttributes", json!({"AccessToken": access, "UserAttributes": [{"Name": "email", "Value": "new@example.com"}], "ClientMetadata": {"why": "moved"}})).unwrap();
    assert_eq!(sources(&pool, n), ["CustomMessage_UpdateUserAttribute"]);
    let e = last_event(&pool, "CustomMessage_UpdateUserAttribute")["event"].clone();
    assert_eq!(e["request"]["clientMetadata"], json!({"why": "moved"}));
    // The developer guide's "Custom message Lambda trigger" page: callerContext.clientId is the
    // app client of the call, here the one the access token was issued to.
    assert_eq!(e["callerContext"]["clientId"], client);
    let m = messages(&pool, "alice");
    let last = m.last().unwrap();
    assert_eq!(last["destination"], "new@example.com");
    assert_eq!(last["text"], format!("[CustomMessage_UpdateUserAttribute] code {}", last["code"].as_str().unwrap()));
    // Asking for the code again: CustomMessage_VerifyUserAttribute.
    let n = log(&pool).len();
    call("GetUserAttributeVerificationCode", json!({"AccessToken": access, "AttributeName": "email"})).unwrap();
    assert_eq!(sources(&pool, n), ["CustomMessage_VerifyUserAttribute"]);

    // Tokens after NEW_PASSWORD_REQUIRED: TokenGeneration_NewPasswordChallenge.
    let r = srp_sign_in(&pool, &client, "temp", "Temp0rary!").unwrap();
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let done = call(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": r["Session"], "ChallengeResponses": {"USERNAME": "temp", "NEW_PASSWORD": "Brand-n3w-pass"}}),
    )
    .unwrap();
    assert_eq!(claims(done["AuthenticationResult"]["IdToken"].as_str().unwrap())["token_source"], "TokenGeneration_NewPasswordChallenge");
}
