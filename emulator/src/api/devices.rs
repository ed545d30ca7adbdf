//! Remembered devices (the developer guide's "Working with user devices"): ConfirmDevice,
//! ForgetDevice, ListDevices, GetDevice, UpdateDeviceStatus.

use crate::access::{authenticate, Caller};
use crate::call::Call;
use crate::config::DeviceTracking;
use crate::error::*;
use crate::shared::Tx;
use crate::state::*;
use cognito_proto::srp::Salt;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn device_json(d: &Device) -> Value {
    let mut attrs = vec![
        json!({"Name": "device_status", "Value": if d.remembered { "valid" } else { "not_remembered" }}),
        json!({"Name": "last_ip_used", "Value": d.last_ip}),
        json!({"Name": "device_remembered_status", "Value": if d.remembered { "remembered" } else { "not_remembered" }}),
    ];
    if let Some(n) = &d.name {
        attrs.push(json!({"Name": "device_name", "Value": n}));
    }
    json!({
        "DeviceKey": d.key,
        "DeviceAttributes": attrs,
        "DeviceCreateDate": d.created,
        "DeviceLastModifiedDate": d.modified,
        "DeviceLastAuthenticatedDate": d.last_auth,
    })
}

fn own_device<'a>(db: &'a mut Db, c: &Caller, key: &str) -> ApiResult<&'a mut Device> {
    match db.pool_mut(&c.pool)?.devices.get_mut(key) {
        Some(d) if d.username == c.username => Ok(d),
        _ => Err(fail(Exception::ResourceNotFound, "Device does not exist.")),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifierConfig {
    password_verifier: String,
    salt: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDevice {
    access_token: String,
    device_key: String,
    device_secret_verifier_config: VerifierConfig,
    device_name: Option<String>,
}

pub fn confirm_device(tx: &mut Tx, call: &Call, r: ConfirmDevice) -> ApiResult<Value> {
    let c = authenticate(tx, &call.base, &r.access_token)?;
    let cfg = &r.device_secret_verifier_config;
    let verifier =
        cognito_proto::codec::base64_decode(&cfg.password_verifier).ok_or_else(|| invalid_param("PasswordVerifier is not base64"))?;
    let salt = cognito_proto::codec::base64_decode(&cfg.salt).ok_or_else(|| invalid_param("Salt is not base64"))?;
    if cognito_proto::srp::mont::U3072::from_be_bytes(&verifier).is_none() || salt.is_empty() {
        return Err(invalid_param("Invalid DeviceSecretVerifierConfig"));
    }
    let pool = tx.pool(&c.pool)?;
    let (opt_in, now) = (pool.config.device_tracking == DeviceTracking::UserOptIn, pool.now());
    let d = own_device(tx, &c, &r.device_key)?;
    d.salt_hex = Some(Salt::from_bytes(&salt).to_hex());
    d.verifier_hex = Some(cognito_proto::codec::hex_encode(&verifier));
    d.name = r.device_name;
    d.remembered = !opt_in;
    d.modified = now;
    d.last_ip = call.ip.clone();
    Ok(json!({"UserConfirmationNecessary": opt_in}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceRequest {
    access_token: String,
    device_key: String,
    device_remembered_status: Option<String>,
}

pub fn forget_device(tx: &mut Tx, call: &Call, r: DeviceRequest) -> ApiResult<Value> {
    let c = authenticate(tx, &call.base, &r.access_token)?;
    own_device(tx, &c, &r.device_key)?;
    tx.pool_mut(&c.pool)?.devices.remove(&r.device_key);
    tx.refresh_tokens.update_where(|t| t.device_key.as_deref() == Some(r.device_key.as_str()), |t| t.revoked = true);
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDevices {
    access_token: String,
    limit: Option<u64>,
    pagination_token: Option<String>,
}

pub fn list_devices(tx: &mut Tx, call: &Call, r: ListDevices) -> ApiResult<Value> {
    let c = authenticate(tx, &call.base, &r.access_token)?;
    let limit = r.limit.unwrap_or(60).clamp(1, 60) as usize;
    let start: usize = r.pagination_token.and_then(|t| t.parse().ok()).unwrap_or(0);
    let devices: Vec<&Device> = tx.pool(&c.pool)?.devices.values().filter(|d| d.username == c.username && d.confirmed()).collect();
    let page: Vec<Value> = devices.iter().skip(start).take(limit).map(|d| device_json(d)).collect();
    let mut out = json!({"Devices": page});
    if start + limit < devices.len() {
        out["PaginationToken"] = json!((start + limit).to_string());
    }
    Ok(out)
}

pub fn get_device(tx: &mut Tx, call: &Call, r: DeviceRequest) -> ApiResult<Value> {
    let c = authenticate(tx, &call.base, &r.access_token)?;
    let d = tx.pool(&c.pool)?.devices.get(&r.device_key).filter(|d| d.username == c.username);
    let d = d.ok_or_else(|| fail(Exception::ResourceNotFound, "Device does not exist."))?;
    Ok(json!({"Device": device_json(d)}))
}

pub fn update_device_status(tx: &mut Tx, call: &Call, r: DeviceRequest) -> ApiResult<Value> {
    let c = authenticate(tx, &call.base, &r.access_token)?;
    let status = r.device_remembered_status.as_deref().unwrap_or("not_remembered");
    if status != "remembered" && status != "not_remembered" {
        return Err(invalid_param("DeviceRememberedStatus must be remembered or not_remembered"));
    }
    let now = tx.now_of(&c.pool);
    let d = own_device(tx, &c, &r.device_key)?;
    d.remembered = status == "remembered";
    d.modified = now;
    Ok(json!({}))
}
