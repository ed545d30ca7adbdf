//! `--data FILE` over the real binary: a `kill -9` loses no change that was answered; a JSON data
//! file of the earlier format is imported on first start; the database keeps what is live
//! (refresh tokens by hash, pruned once expired).

mod common;
use common::{call_at as api, start_binary, Binary};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

fn start(data: &Path) -> Binary {
    start_binary(&["--data", data.to_str().unwrap()])
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cognito-emulator-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn control(endpoint: &str, path: &str, body: Value) -> Value {
    serde_json::from_str(&ureq::post(&format!("{endpoint}_emulator/{path}")).send_string(&body.to_string()).unwrap().into_string().unwrap())
        .unwrap()
}

#[test]
fn kill_dash_nine_loses_no_answered_change() {
    let dir = temp_dir("kill");
    let data = dir.join("state.db");
    let mut e = start(&data);
    let pool = e.ready["userPoolId"].as_str().unwrap().to_string();
    let answered = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..100)
        .map(|i| {
            let (endpoint, pool, answered, done) = (e.endpoint.clone(), pool.clone(), answered.clone(), done.clone());
            std::thread::spawn(move || {
                let name = format!("user{i:03}");
                let body = json!({"UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS", "TemporaryPassword": "Temp0rary!"});
                if api(&endpoint, "AdminCreateUser", body).is_ok() {
                    answered.lock().unwrap().push(name);
                }
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    // Killed while the writes are under way: some answered, some not yet.
    while done.load(Ordering::SeqCst) < 40 {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    e.child.kill().unwrap(); // SIGKILL: no shutdown, no flush.
    e.child.wait().unwrap();
    for w in writers {
        w.join().unwrap();
    }
    let answered = answered.lock().unwrap().clone();
    assert!(answered.len() >= 40, "{} answered before the kill", answered.len());
    assert!(answered.len() < 100, "the kill came while writes were under way");

    let e = start(&data);
    for name in &answered {
        let u = api(&e.endpoint, "AdminGetUser", json!({"UserPoolId": pool, "Username": name}));
        assert_eq!(u.unwrap_or_else(|f| panic!("{name} was answered, then lost: {f:?}"))["UserStatus"], "FORCE_CHANGE_PASSWORD");
    }
    drop(e);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A data file as earlier versions wrote it: the whole state as one JSON document.
fn legacy_file(pool: &str, client: &str, refresh: &str) -> Value {
    let (k1, k2) = (cognito_emulator::tokens::Key::generate().unwrap(), cognito_emulator::tokens::Key::generate().unwrap());
    let salt = cognito_proto::srp::Salt::from_bytes(&[7; 16]);
    let name = pool.split_once('_').unwrap().1;
    let v = cognito_proto::srp::server::verifier(&salt, name, "old", "Passw0rd!");
    let stored = |k: &cognito_emulator::tokens::Key| serde_json::to_value(k.to_stored().unwrap()).unwrap();
    json!({
        "pools": {pool: {
            "config": {"id": pool, "clients": []},
            "clients": {client: {"id": client, "explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}},
            "users": {"old": {
                "username": "old", "sub": "8c0e3f39-7e0a-4d55-9d5e-6f0a4e2a1b11",
                "attributes": {"email": "old@example.com", "email_verified": "true", "sub": "8c0e3f39-7e0a-4d55-9d5e-6f0a4e2a1b11"},
                "salt_hex": salt.to_hex(), "verifier_hex": cognito_proto::srp::unpadded_hex(&v.to_be_bytes()),
                "status": "CONFIRMED", "enabled": true, "created": 1, "modified": 1, "groups": [],
                "temp_password_expires": null, "totp_secret": null, "totp_pending": null, "totp_device_name": null,
                "totp_enabled": false, "sms_enabled": false, "email_enabled": false, "preferred_mfa": null,
                "failed_sign_ins": 0, "identities": []
            }},
            "devices": {}, "codes": {}, "clock_offset": 0,
            "id_kid": k1.kid, "access_kid": k2.kid, "jwks_kids": [k1.kid, k2.kid]
        }},
        "identity_pools": {},
        "keys": [stored(&k1), stored(&k2)],
        "refresh_tokens": {refresh: {
            "pool": pool, "client": client, "username": "old", "device_key": null, "origin_jti": "0f0e1d2c-3b4a-4968-8776-655443322110",
            "auth_time": 1, "expires": 4_000_000_000i64, "revoked": false, "rotated_at": null,
            "scopes": ["aws.cognito.signin.user.admin"], "hosted": false
        }},
        "revoked_origins": [],
        "messages": [{"id": 1, "poolId": pool, "username": "old", "destination": "old@example.com", "medium": "EMAIL",
                      "kind": "SIGN_UP", "code": "123456", "text": "Your verification code is 123456", "link": null, "time": 1}],
        "next_message": 1,
        "stats": {}
    })
}

#[test]
fn a_json_data_file_of_the_earlier_format_is_imported() {
    let dir = temp_dir("import");
    let data = dir.join("state.json");
    let (pool, client, refresh) = ("us-east-1_Imported", "importedclient0000000000", cognito_emulator::tokens::refresh_token());
    let legacy = legacy_file(pool, client, &refresh);
    std::fs::write(&data, legacy.to_string()).unwrap();

    let e = start(&data);
    assert_eq!(e.ready["userPoolId"], pool);
    let params = json!({"USERNAME": "old", "PASSWORD": "Passw0rd!"});
    let signed =
        api(&e.endpoint, "InitiateAuth", json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params})).unwrap();
    assert!(signed["AuthenticationResult"]["IdToken"].is_string());
    let refreshed = api(
        &e.endpoint,
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": refresh}}),
    )
    .unwrap();
    assert!(refreshed["AuthenticationResult"]["AccessToken"].is_string());
    let messages: Value =
        serde_json::from_str(&ureq::get(&format!("{}_emulator/messages?poolId={pool}", e.endpoint)).call().unwrap().into_string().unwrap())
            .unwrap();
    assert_eq!(messages[0]["code"], "123456");
    drop(e);

    let bytes = std::fs::read(&data).unwrap();
    assert!(bytes.starts_with(b"SQLite format 3\0"), "the data file is now a database");
    let kept: Value = serde_json::from_slice(&std::fs::read(dir.join("state.json.bak")).unwrap()).unwrap();
    assert_eq!(kept, legacy, "the JSON file is kept beside it");
    // Started again: the same data, from the database.
    let e = start(&data);
    let signed =
        api(&e.endpoint, "InitiateAuth", json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params})).unwrap();
    assert!(signed["AuthenticationResult"]["IdToken"].is_string());
    drop(e);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every byte of the database and its WAL.
fn stored_bytes(data: &Path) -> Vec<u8> {
    let mut all = std::fs::read(data).unwrap();
    all.extend(std::fs::read(data.with_file_name(format!("{}-wal", data.file_name().unwrap().to_str().unwrap()))).unwrap_or_default());
    all
}

fn count(data: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(data, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn the_data_keeps_what_is_live_and_tokens_only_by_hash() {
    let dir = temp_dir("live");
    let data = dir.join("state.db");
    let e = start(&data);
    let cfg = json!({"clients": [{"explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
                     "users": [{"username": "alice", "password": "Passw0rd!"}]});
    let created = control(&e.endpoint, "pools", cfg);
    let (pool, client) = (created["userPoolId"].as_str().unwrap(), created["clientId"].as_str().unwrap());
    let params = json!({"USERNAME": "alice", "PASSWORD": "Passw0rd!"});
    let tokens: Vec<String> = (0..20)
        .map(|_| {
            let r =
                api(&e.endpoint, "InitiateAuth", json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params}))
                    .unwrap();
            r["AuthenticationResult"]["RefreshToken"].as_str().unwrap().to_string()
        })
        .collect();
    let rows = format!("SELECT count(*) FROM refresh_tokens WHERE client IN (SELECT ref FROM clients WHERE pool = '{pool}')");
    assert_eq!(count(&data, &rows), 20);
    let bytes = stored_bytes(&data);
    for t in &tokens {
        let part = t.split('.').nth(1).unwrap().as_bytes();
        assert!(!bytes.windows(part.len()).any(|w| w == part), "a refresh token is stored only as its hash");
    }
    // Thirty-one days later every one of them has expired, and is gone once pruned.
    control(&e.endpoint, &format!("pools/{pool}/clock"), json!({"advanceSeconds": 31 * 86_400}));
    control(&e.endpoint, "prune", json!({}));
    assert_eq!(count(&data, &rows), 0);
    let r = api(
        &e.endpoint,
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": tokens[0]}}),
    );
    assert_eq!(r.unwrap_err().status, 400);
    drop(e);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Passkey MFA survives a restart: the pool's FactorConfiguration (SetUserPoolMfaConfig) and the
/// user's WebAuthnMfaSettings (seen through the refusal to turn the user's last other MFA method
/// off, WebAuthnMfaSettingsType).
#[test]
fn passkey_mfa_settings_are_kept() {
    let dir = temp_dir("passkey-mfa");
    let data = dir.join("state.db");
    let mut e = start(&data);
    let pool = e.ready["userPoolId"].as_str().unwrap().to_string();
    let factor = json!({"RelyingPartyId": "localhost", "FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION"});
    api(&e.endpoint, "SetUserPoolMfaConfig", json!({"UserPoolId": pool, "WebAuthnConfiguration": factor})).unwrap();
    let on =
        json!({"UserPoolId": pool, "Username": "demo", "EmailMfaSettings": {"Enabled": true}, "WebAuthnMfaSettings": {"Enabled": true}});
    api(&e.endpoint, "AdminSetUserMFAPreference", on).unwrap();
    e.child.kill().unwrap();
    e.child.wait().unwrap();

    let e = start(&data);
    let g = api(&e.endpoint, "GetUserPoolMfaConfig", json!({"UserPoolId": pool})).unwrap();
    assert_eq!(g["WebAuthnConfiguration"]["FactorConfiguration"], "MULTI_FACTOR_WITH_USER_VERIFICATION", "{g}");
    let email_off = json!({"UserPoolId": pool, "Username": "demo", "EmailMfaSettings": {"Enabled": false}});
    let r = api(&e.endpoint, "AdminSetUserMFAPreference", email_off);
    assert_eq!(r.unwrap_err().name, "InvalidParameterException", "passkey MFA is still on");
}
