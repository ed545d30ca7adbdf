//! Cognito's SRP-6a variant (USER_SRP_AUTH and remembered-device sign-in), as pure functions.
//!
//! # Messages
//!
//! | step | client → Cognito | Cognito → client |
//! | --- | --- | --- |
//! | 1 | `InitiateAuth USER_SRP_AUTH {USERNAME, SRP_A}` | `PASSWORD_VERIFIER {SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP}` |
//! | 2 | `RespondToAuthChallenge PASSWORD_VERIFIER {USERNAME = USER_ID_FOR_SRP, PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP, PASSWORD_CLAIM_SIGNATURE}` | tokens or the next challenge |
//! | device 1 | `DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A}` | `DEVICE_PASSWORD_VERIFIER {SALT, SRP_B, SECRET_BLOCK}` |
//! | device 2 | `DEVICE_PASSWORD_VERIFIER {…claim over DeviceGroupKey, DeviceKey…}` | tokens |
//!
//! # Formulas
//!
//! `N`, `g = 2`: RFC 5054 3072-bit group. `H` = SHA-256. `pad(n)` = minimal big-endian
//! two's-complement bytes of `n` (a `00` byte when the top bit is set). Hex on the wire is
//! unpadded and parsed as integers.
//!
//! ```text
//! k = H(pad(N) | pad(g))
//! A = g^a mod N                              a: at least 275 random bits (RFC 7919 §5.2)
//! u = H(pad(A) | pad(B))                     abort if B mod N = 0 or u = 0
//! x = H(pad(salt) | H(poolName | userId | ":" | password))
//! S = (B - k·g^x)^(a + u·x) mod N
//! K = HKDF-SHA256(ikm = pad(S), salt = pad(u), info = "Caldera Derived Key", L = 16)
//! PASSWORD_CLAIM_SIGNATURE = base64(HMAC(K, poolName | userId | SECRET_BLOCK bytes | TIMESTAMP))
//! TIMESTAMP = "Ddd Mmm D HH:MM:SS UTC YYYY" (English, UTC, day not zero-padded)
//! ```
//!
//! For a remembered device the same formulas run with `poolName := DeviceGroupKey`,
//! `userId := DeviceKey`, `password := the device's random password`, and the verifier sent in
//! ConfirmDevice is `v = g^x` over a random salt ([`DeviceSecrets`]). The server side, used by the
//! emulator and by the property tests, is in [`server`].
//!
//! Nothing here reads a clock or a random source except [`ClientEphemeral::generate`]; the math
//! takes `a`, the server's parameters and the timestamp as arguments so that the published
//! vectors pin every intermediate value.

pub mod mont;
pub mod server;

use crate::codec::{base64_decode, base64_encode, hex_decode, hex_encode};
use crate::crypto::{hmac_sha256, sha256};
use crate::json::itoa;
use crate::time::{civil_from_days, days_from_civil};
use crate::types::{DeviceGroupKey, DeviceKey, DevicePassword, Password, UserIdForSrp, UserPoolId};
use mont::U3072;

/// Bytes of the private exponent `a`: 288 bits, above the 275 RFC 7919 asks for the 3072-bit
/// group. The JS SDKs draw 1024 bits, which triples the cost of `A` for no security gain.
pub const PRIVATE_BYTES: usize = 36;

/// Longest SRP hex value accepted from a server (a 3072-bit number is 768 digits).
const MAX_HEX: usize = 1024;

/// Why the server's SRP values cannot be used. Surfaced to JS as `SrpProtocolError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SrpError {
    /// `B mod N = 0`: a malicious or broken server could force the session key.
    BModNZero,
    /// `u = H(pad(A) | pad(B)) = 0`.
    UZero,
    /// `A mod N = 0` (server side check of the client's value).
    AModNZero,
    /// A hex field is not hex.
    MalformedHex(&'static str),
    /// A hex field is longer than the group allows.
    OversizedHex(&'static str),
    /// `SALT` is empty.
    EmptySalt,
    /// `SECRET_BLOCK` is not base64.
    MalformedSecretBlock,
    /// A challenge parameter is missing.
    MissingParameter(&'static str),
    /// The private exponent is too small (0 or 1) to be secret.
    WeakPrivateValue,
    /// No random bytes could be drawn.
    NoRandomness,
}

impl SrpError {
    pub fn message(&self) -> &'static str {
        match self {
            SrpError::BModNZero => "SRP_B is 0 mod N; refusing to continue",
            SrpError::UZero => "SRP u = H(A, B) is 0; refusing to continue",
            SrpError::AModNZero => "SRP_A is 0 mod N",
            SrpError::MalformedHex("SRP_B") => "SRP_B is not hexadecimal",
            SrpError::MalformedHex("SRP_A") => "SRP_A is not hexadecimal",
            SrpError::MalformedHex(_) => "SALT is not hexadecimal",
            SrpError::OversizedHex("SRP_B") => "SRP_B is larger than the 3072-bit group",
            SrpError::OversizedHex("SRP_A") => "SRP_A is larger than the 3072-bit group",
            SrpError::OversizedHex(_) => "SALT is too long",
            SrpError::EmptySalt => "SALT is empty",
            SrpError::MalformedSecretBlock => "SECRET_BLOCK is not base64",
            SrpError::MissingParameter("SALT") => "PASSWORD_VERIFIER challenge without SALT",
            SrpError::MissingParameter("SRP_B") => "PASSWORD_VERIFIER challenge without SRP_B",
            SrpError::MissingParameter("SECRET_BLOCK") => "PASSWORD_VERIFIER challenge without SECRET_BLOCK",
            SrpError::MissingParameter(_) => "PASSWORD_VERIFIER challenge without USER_ID_FOR_SRP",
            SrpError::WeakPrivateValue => "SRP private value is too small",
            SrpError::NoRandomness => "no secure random source available",
        }
    }
}

/// `pad(n)`: minimal big-endian bytes of `n`, with a `00` byte prepended when the top bit is set
/// (Java `BigInteger.toByteArray()`); zero is `00`.
pub fn pad(be: &[u8]) -> Vec<u8> {
    let start = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    let digits = &be[start..];
    let mut out = Vec::with_capacity(digits.len() + 1);
    if digits.first().is_none_or(|&b| b >= 0x80) {
        out.push(0);
    }
    out.extend_from_slice(digits);
    out
}

fn pad_u(x: &U3072) -> Vec<u8> {
    pad(&x.to_be_bytes())
}

/// `g^e mod N` with `g = 2`: the fixed-base comb (built once, on first use) for exponents of
/// up to 288 bits — `a` and `x` — and plain square-and-shift above that.
pub fn g_pow(e: &[u8]) -> U3072 {
    static COMB: std::sync::OnceLock<mont::Comb2> = std::sync::OnceLock::new();
    COMB.get_or_init(mont::Comb2::new).pow(e).unwrap_or_else(|| mont::pow2(e))
}

/// Lower-case hex without leading zeros (how SRP_A / SRP_B / SALT travel).
pub fn unpadded_hex(be: &[u8]) -> String {
    let h = hex_encode(be);
    let t = h.trim_start_matches('0');
    if t.is_empty() {
        "0".to_string()
    } else {
        t.to_string()
    }
}

/// Hex text → minimal big-endian bytes, bounded in length.
fn parse_hex(text: &str, field: &'static str, max_bytes: usize) -> Result<Vec<u8>, SrpError> {
    if text.len() > MAX_HEX {
        return Err(SrpError::OversizedHex(field));
    }
    let bytes = hex_decode(text).ok_or(SrpError::MalformedHex(field))?;
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    if bytes.len() - start > max_bytes {
        return Err(SrpError::OversizedHex(field));
    }
    Ok(bytes[start..].to_vec())
}

fn parse_group_element(text: &str, field: &'static str) -> Result<U3072, SrpError> {
    if text.is_empty() {
        return Err(SrpError::MalformedHex(field));
    }
    let bytes = parse_hex(text, field, mont::BYTES)?;
    U3072::from_be_bytes(&bytes).ok_or(SrpError::OversizedHex(field))
}

/// `k = H(pad(N) | pad(g))`.
pub fn k() -> U3072 {
    let h = sha256(&[&pad_u(&mont::N), &pad(&[2])]);
    U3072::from_be_bytes(&h).unwrap_or(U3072::ZERO)
}

/// A salt as sent in `SALT` (hex, parsed as an integer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Salt(Vec<u8>);

impl Salt {
    pub fn from_hex(text: &str) -> Result<Self, SrpError> {
        if text.is_empty() {
            return Err(SrpError::EmptySalt);
        }
        Ok(Salt(parse_hex(text, "SALT", 512)?))
    }
    pub fn from_bytes(be: &[u8]) -> Self {
        let start = be.iter().position(|&b| b != 0).unwrap_or(be.len());
        Salt(be[start..].to_vec())
    }
    /// `pad(salt)`, the bytes that are hashed.
    pub fn padded(&self) -> Vec<u8> {
        pad(&self.0)
    }
    pub fn to_hex(&self) -> String {
        unpadded_hex(&self.0)
    }
}

/// The server's public value `B` (`SRP_B`), checked: `B mod N ≠ 0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrpB(U3072);

impl SrpB {
    pub fn from_hex(text: &str) -> Result<Self, SrpError> {
        let b = parse_group_element(text, "SRP_B")?;
        if b.reduce().is_zero() {
            return Err(SrpError::BModNZero);
        }
        Ok(SrpB(b))
    }
    pub fn to_hex(&self) -> String {
        unpadded_hex(&self.0.to_be_bytes())
    }
}

/// The client's public value `A` (`SRP_A`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrpA(U3072);

impl SrpA {
    /// Server side: parse and check `A mod N ≠ 0`.
    pub fn from_hex(text: &str) -> Result<Self, SrpError> {
        let a = parse_group_element(text, "SRP_A")?;
        if a.reduce().is_zero() {
            return Err(SrpError::AModNZero);
        }
        Ok(SrpA(a))
    }
    /// `SRP_A` as sent: lower-case hex, no leading zeros.
    pub fn to_hex(&self) -> String {
        unpadded_hex(&self.0.to_be_bytes())
    }
}

/// The server's opaque `SECRET_BLOCK`: hashed as bytes, echoed back as the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretBlock {
    text: String,
    bytes: Vec<u8>,
}

impl SecretBlock {
    pub fn from_base64(text: &str) -> Result<Self, SrpError> {
        let bytes = base64_decode(text).ok_or(SrpError::MalformedSecretBlock)?;
        if bytes.is_empty() {
            return Err(SrpError::MalformedSecretBlock);
        }
        Ok(SecretBlock { text: text.to_string(), bytes })
    }
    pub fn as_str(&self) -> &str {
        &self.text
    }
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// The `TIMESTAMP` string signed into the claim: `Tue Sep 25 00:09:40 UTC 2018`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrpTimestamp(String);

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // 1970-01-01 was a Thursday
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn push_2(out: &mut String, v: u64) {
    out.push((b'0' + (v / 10) as u8) as char);
    out.push((b'0' + (v % 10) as u8) as char);
}

impl SrpTimestamp {
    /// Formats a UTC time given in seconds since the Unix epoch. Built by hand: locale-aware
    /// formatters and `%d` (zero-padded day) both break sign-in.
    pub fn from_unix(secs: i64) -> Self {
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400) as u64;
        let (y, m, d) = civil_from_days(days);
        let mut s = String::with_capacity(28);
        s.push_str(DAYS[days.rem_euclid(7) as usize]);
        s.push(' ');
        s.push_str(MONTHS[(m - 1) as usize]);
        s.push(' ');
        s.push_str(&itoa(d as i64));
        s.push(' ');
        push_2(&mut s, sod / 3600);
        s.push(':');
        push_2(&mut s, sod / 60 % 60);
        s.push(':');
        push_2(&mut s, sod % 60);
        s.push_str(" UTC ");
        s.push_str(&itoa(y));
        SrpTimestamp(s)
    }

    /// Strict server-side parse (protocol reference §3.3): exact shape, no zero-padded day, a
    /// real date and the matching weekday. Returns seconds since the epoch.
    pub fn parse(text: &str) -> Option<i64> {
        let parts: Vec<&str> = text.split(' ').collect();
        let [wd, mon, day, hms, utc, year] = parts.as_slice() else { return None };
        if *utc != "UTC" || year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let m = MONTHS.iter().position(|x| x == mon)? as u32 + 1;
        if day.is_empty() || day.len() > 2 || day.starts_with('0') || !day.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let d: u32 = day.parse().ok()?;
        let y: i64 = year.parse().ok()?;
        let hb = hms.as_bytes();
        if hb.len() != 8 || hb[2] != b':' || hb[5] != b':' {
            return None;
        }
        let num2 = |i: usize| -> Option<i64> {
            let (a, b) = (hb[i], hb[i + 1]);
            (a.is_ascii_digit() && b.is_ascii_digit()).then(|| ((a - b'0') * 10 + (b - b'0')) as i64)
        };
        let (hh, mm, ss) = (num2(0)?, num2(3)?, num2(6)?);
        if hh > 23 || mm > 59 || ss > 59 {
            return None;
        }
        let days = days_from_civil(y, m, d);
        if civil_from_days(days) != (y, m, d) || DAYS[days.rem_euclid(7) as usize] != *wd {
            return None; // Feb 30, or a weekday that does not match the date
        }
        Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
    }

    /// Takes a timestamp string as given (the server signs exactly what it receives).
    pub fn from_string(text: &str) -> Self {
        SrpTimestamp(text.to_string())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The client's ephemeral key pair `(a, A = g^a mod N)`.
#[derive(Clone)]
pub struct ClientEphemeral {
    a: Vec<u8>,
    public: SrpA,
}

impl core::fmt::Debug for ClientEphemeral {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ClientEphemeral { a: [redacted], .. }")
    }
}

impl ClientEphemeral {
    /// `A = g^a mod N` from a given private value (big-endian).
    pub fn from_private(a: &[u8]) -> Result<Self, SrpError> {
        let start = a.iter().position(|&b| b != 0).unwrap_or(a.len());
        let a = &a[start..];
        if a.is_empty() || a == [1] {
            return Err(SrpError::WeakPrivateValue);
        }
        let public = g_pow(a);
        Ok(ClientEphemeral { a: a.to_vec(), public: SrpA(public) })
    }

    /// A fresh `a` of [`PRIVATE_BYTES`] from the platform CSPRNG (`crypto.getRandomValues` in
    /// the browser), then `A`.
    pub fn generate() -> Result<Self, SrpError> {
        let mut a = [0u8; PRIVATE_BYTES];
        getrandom::getrandom(&mut a).map_err(|_| SrpError::NoRandomness)?;
        a[0] |= 0x80; // full length: exactly 288 bits
        Self::from_private(&a)
    }

    pub fn public(&self) -> &SrpA {
        &self.public
    }
}

/// The PASSWORD_VERIFIER (or DEVICE_PASSWORD_VERIFIER) challenge parameters, parsed.
#[derive(Clone, Debug)]
pub struct VerifierChallenge {
    pub salt: Salt,
    pub srp_b: SrpB,
    pub secret_block: SecretBlock,
}

impl VerifierChallenge {
    /// From the challenge parameter map: `SALT`, `SRP_B`, `SECRET_BLOCK`.
    pub fn from_params<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, SrpError> {
        let salt = get("SALT").ok_or(SrpError::MissingParameter("SALT"))?;
        let b = get("SRP_B").ok_or(SrpError::MissingParameter("SRP_B"))?;
        let block = get("SECRET_BLOCK").ok_or(SrpError::MissingParameter("SECRET_BLOCK"))?;
        Ok(VerifierChallenge { salt: Salt::from_hex(salt)?, srp_b: SrpB::from_hex(b)?, secret_block: SecretBlock::from_base64(block)? })
    }
}

/// `u = H(pad(A) | pad(B))`; an error when `u = 0`.
pub fn compute_u(a: &SrpA, b: &SrpB) -> Result<[u8; 32], SrpError> {
    let u = sha256(&[&pad_u(&a.0), &pad_u(&b.0)]);
    if u.iter().all(|&b| b == 0) {
        return Err(SrpError::UZero);
    }
    Ok(u)
}

/// `x = H(pad(salt) | H(prefix | userId | ":" | password))`, prefix = pool name (or device
/// group key), userId = USER_ID_FOR_SRP (or device key).
pub fn compute_x(salt: &Salt, prefix: &str, user_id: &str, password: &str) -> [u8; 32] {
    let inner = sha256(&[prefix.as_bytes(), user_id.as_bytes(), b":", password.as_bytes()]);
    sha256(&[&salt.padded(), &inner])
}

/// `a + u·x` as big-endian bytes (the exponent of S; not reduced).
fn client_exponent(a: &[u8], u: &[u8; 32], x: &[u8; 32]) -> Vec<u8> {
    let ux = mul_be(u, x);
    add_be(a, &ux)
}

/// Schoolbook product of two big-endian numbers.
pub(crate) fn mul_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut acc = vec![0u32; a.len() + b.len()];
    for (i, &x) in a.iter().rev().enumerate() {
        let mut carry = 0u32;
        for (j, &y) in b.iter().rev().enumerate() {
            let v = acc[i + j] + x as u32 * y as u32 + carry;
            acc[i + j] = v & 0xff;
            carry = v >> 8;
        }
        let mut k = i + b.len();
        while carry != 0 {
            let v = acc[k] + carry;
            acc[k] = v & 0xff;
            carry = v >> 8;
            k += 1;
        }
    }
    acc.iter().rev().map(|&v| v as u8).collect()
}

/// Sum of two big-endian numbers.
pub(crate) fn add_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let n = a.len().max(b.len()) + 1;
    let mut out = vec![0u8; n];
    let mut carry = 0u16;
    for i in 0..n {
        let x = if i < a.len() { a[a.len() - 1 - i] } else { 0 } as u16;
        let y = if i < b.len() { b[b.len() - 1 - i] } else { 0 } as u16;
        let s = x + y + carry;
        out[n - 1 - i] = s as u8;
        carry = s >> 8;
    }
    out
}

/// `S = (B - k·g^x)^(a + u·x) mod N` (the base reduced mod N first: it is usually negative).
pub fn client_premaster(eph: &ClientEphemeral, b: &SrpB, u: &[u8; 32], x: &[u8; 32]) -> U3072 {
    let kgx = mont::mul_mod(&k(), &g_pow(x));
    let base = mont::sub_mod(&b.0.reduce(), &kgx);
    mont::pow(&base, &client_exponent(&eph.a, u, x))
}

/// `K = HKDF-SHA256(ikm = pad(S), salt = pad(u), info = "Caldera Derived Key")[..16]`
/// (RFC 5869 with a single output block).
pub fn hkdf_key(u: &[u8; 32], s: &U3072) -> [u8; 16] {
    let prk = hmac_sha256(&pad(u), &[&pad_u(s)]);
    let okm = hmac_sha256(&prk, &[b"Caldera Derived Key", &[1]]);
    let mut k = [0u8; 16];
    k.copy_from_slice(&okm[..16]);
    k
}

/// `base64(HMAC(K, prefix | userId | secretBlock | TIMESTAMP))`.
pub fn claim_signature(key: &[u8; 16], prefix: &str, user_id: &str, block: &SecretBlock, ts: &SrpTimestamp) -> String {
    base64_encode(&hmac_sha256(key, &[prefix.as_bytes(), user_id.as_bytes(), block.bytes(), ts.as_str().as_bytes()]))
}

/// The result of answering a verifier challenge. Intermediates are kept for the vector tests
/// and are redacted in `Debug`.
#[derive(Clone)]
pub struct Claim {
    pub signature: String,
    pub u: [u8; 32],
    pub x: [u8; 32],
    pub s: U3072,
    pub key: [u8; 16],
}

impl core::fmt::Debug for Claim {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Claim { signature: ")?;
        f.write_str(&self.signature)?;
        f.write_str(", .. }")
    }
}

fn claim(
    eph: &ClientEphemeral,
    prefix: &str,
    user_id: &str,
    password: &str,
    ch: &VerifierChallenge,
    ts: &SrpTimestamp,
) -> Result<Claim, SrpError> {
    let u = compute_u(&eph.public, &ch.srp_b)?;
    let x = compute_x(&ch.salt, prefix, user_id, password);
    let s = client_premaster(eph, &ch.srp_b, &u, &x);
    let key = hkdf_key(&u, &s);
    let signature = claim_signature(&key, prefix, user_id, &ch.secret_block, ts);
    Ok(Claim { signature, u, x, s, key })
}

/// PASSWORD_VERIFIER: the claim over the pool name and USER_ID_FOR_SRP.
pub fn password_claim(
    eph: &ClientEphemeral,
    pool: &UserPoolId,
    user: &UserIdForSrp,
    password: &Password,
    ch: &VerifierChallenge,
    ts: &SrpTimestamp,
) -> Result<Claim, SrpError> {
    claim(eph, pool.pool_name(), user.as_str(), password.expose(), ch, ts)
}

/// DEVICE_PASSWORD_VERIFIER: the claim over the device group key and device key.
pub fn device_claim(
    eph: &ClientEphemeral,
    group: &DeviceGroupKey,
    device: &DeviceKey,
    password: &DevicePassword,
    ch: &VerifierChallenge,
    ts: &SrpTimestamp,
) -> Result<Claim, SrpError> {
    claim(eph, group.as_str(), device.as_str(), password.expose(), ch, ts)
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

    /// Fresh secrets from the platform CSPRNG.
    pub fn generate(group: &DeviceGroupKey, device: &DeviceKey) -> Result<Self, SrpError> {
        let mut pw = [0u8; 40];
        let mut salt = [0u8; 16];
        getrandom::getrandom(&mut pw).map_err(|_| SrpError::NoRandomness)?;
        getrandom::getrandom(&mut salt).map_err(|_| SrpError::NoRandomness)?;
        Ok(Self::from_random(group, device, &pw, &salt))
    }
}
