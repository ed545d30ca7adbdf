//! A remembered device (DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER): the same claim over
//! `DeviceGroupKey | DeviceKey`, and the verifier ConfirmDevice registers.
//!
//! ```text
//! password = base64(40 random bytes)            salt = 16 random bytes
//! x = H(pad(salt) | H(DeviceGroupKey | DeviceKey | ":" | password))
//! v = g^x mod N                                 sent as base64(pad(v)), salt as base64(pad(salt))
//! ```
//! Pinned by the `device_case` vector in `tests/vectors/srp-vectors.json`.

use super::{compute_x, g_pow, pad_u, Claim, ClientEphemeral, Salt, SrpError, SrpTimestamp, VerifierChallenge};
use crate::codec::base64_encode;
use crate::prelude::*;
use crate::types::{DeviceGroupKey, DeviceKey, DevicePassword};

/// DEVICE_PASSWORD_VERIFIER: the claim over the device group key and device key.
pub fn device_claim(
    eph: &ClientEphemeral,
    group: &DeviceGroupKey,
    device: &DeviceKey,
    password: &DevicePassword,
    ch: &VerifierChallenge,
    ts: &SrpTimestamp,
) -> Result<Claim, SrpError> {
    super::client::claim(eph, group.as_str(), device.as_str(), password.expose(), ch, ts)
}

/// What ConfirmDevice needs (`DeviceSecretVerifierConfig`) and what the client keeps
/// (the random password).
#[derive(Clone, Debug)]
pub struct DeviceSecrets {
    pub password: DevicePassword,
    /// `base64(pad(v))`, `v = g^x mod N`.
    pub password_verifier: String,
    /// `base64(pad(salt))` — the 16 random bytes go through an integer, so 15 to 17 bytes.
    pub salt: String,
}

impl DeviceSecrets {
    /// `password = base64(40 random bytes)`, `salt = pad(16 random bytes)`,
    /// `v = g^H(pad(salt) | H(groupKey | deviceKey | ":" | password))`.
    pub fn from_random(group: &DeviceGroupKey, device: &DeviceKey, password_bytes: &[u8; 40], salt_bytes: &[u8; 16]) -> Self {
        let password = base64_encode(password_bytes);
        let salt = Salt::from_bytes(salt_bytes);
        let x = compute_x(&salt, group.as_str(), device.as_str(), &password);
        let v = g_pow(&x);
        DeviceSecrets {
            password: DevicePassword::new(password),
            password_verifier: base64_encode(&pad_u(&v)),
            salt: base64_encode(&salt.padded()),
        }
    }
}
