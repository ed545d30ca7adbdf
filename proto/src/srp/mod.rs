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
//! emulator and by the property tests, is in `server` (feature `server`).
//!
//! Files by role, as in RustCrypto's `srp`: this module holds the group, the encodings and the
//! formulas both sides share; [`client`] the user's ephemeral and claim, [`device`] the
//! remembered-device claim and verifier, [`timestamp`] the signed TIMESTAMP, `server` Cognito's
//! half. Nothing here reads a clock or a random source: the random bytes (`a`, device secrets),
//! the server's parameters and the time are arguments, so that the vectors (RFC 5054 group,
//! RFC 5869 HKDF, RFC 4231 HMAC, and the Cognito sign-in cases in `tests/vectors/`) pin every
//! intermediate value.

pub mod client;
pub mod device;
#[cfg(feature = "server")]
pub mod server;
pub mod timestamp;

/// The 3072-bit modular arithmetic SRP runs on lives in its own crate, `mont3072`, so that it
/// can be compiled for speed (opt-level 3) while the rest is compiled for size.
pub use mont3072 as mont;

pub use client::{password_claim, Claim, ClientEphemeral};
pub use device::{device_claim, DeviceSecrets};
pub use timestamp::SrpTimestamp;

use crate::codec::{base64_decode, base64_encode, hex_decode, hex_encode};
use crate::crypto::{hmac_sha256, sha256};
pub use crate::error::SrpError;
use crate::prelude::*;
use core::sync::atomic::{AtomicPtr, Ordering};
use mont::U3072;

/// Bytes of the private exponent `a`: 288 bits, above the 275 RFC 7919 asks for the 3072-bit
/// group. The JS SDKs draw 1024 bits, which triples the cost of `A` for no security gain.
pub const PRIVATE_BYTES: usize = 36;

/// Longest SRP hex value accepted from a server (a 3072-bit number is 768 digits).
const MAX_HEX: usize = 1024;

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

pub(crate) fn pad_u(x: &U3072) -> Vec<u8> {
    pad(&x.to_be_bytes())
}

/// `g^e mod N` with `g = 2`: the fixed-base comb for exponents of up to 288 bits — `a` and
/// `x` — once it is built (see [`warm_step`]; the first call builds it if nothing did), and
/// plain square-and-shift above that.
pub fn g_pow(e: &[u8]) -> U3072 {
    comb().pow(e).unwrap_or_else(|| mont::pow2(e))
}

/// The comb table, kept for the life of the program once built: a once-cell made of one atomic
/// pointer (`core` has no `OnceLock`; two racing builders, threads of a native program, only
/// cost one table that is dropped again).
static COMB: AtomicPtr<mont::Comb2> = AtomicPtr::new(core::ptr::null_mut());
/// A comb being built a slice at a time by [`warm_step`].
static BUILDER: AtomicPtr<mont::CombBuilder> = AtomicPtr::new(core::ptr::null_mut());

/// Montgomery operations per [`warm_step`]: about 4 ms on a desktop, 16 ms on a phone (CPU 4×
/// slower); the whole table is about 300.
const WARM_SLICE: usize = 40;

fn comb() -> &'static mont::Comb2 {
    let p = COMB.load(Ordering::Acquire);
    if !p.is_null() {
        // SAFETY: a non-null pointer was published by `publish` from a leaked Box and is never
        // freed.
        return unsafe { &*p };
    }
    publish(mont::Comb2::new())
}

fn publish(comb: mont::Comb2) -> &'static mont::Comb2 {
    let fresh = Box::into_raw(Box::new(comb));
    match COMB.compare_exchange(core::ptr::null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
        // SAFETY: `fresh` is the leaked Box just published; it is never freed.
        Ok(_) => unsafe { &*fresh },
        Err(won) => {
            // SAFETY: `fresh` was not published, so this is its only owner.
            drop(unsafe { Box::from_raw(fresh) });
            // SAFETY: as above, `won` is the published, never-freed table.
            unsafe { &*won }
        }
    }
}

/// Builds the table for `g` one slice further (for idle time: each slice is a short task);
/// true once it is built. Whoever steps takes the builder out, so two threads never share one.
pub fn warm_step() -> bool {
    if !COMB.load(Ordering::Acquire).is_null() {
        return true;
    }
    let taken = BUILDER.swap(core::ptr::null_mut(), Ordering::AcqRel);
    let mut builder = if taken.is_null() {
        Box::new(mont::CombBuilder::new())
    } else {
        // SAFETY: a non-null pointer in BUILDER is a leaked Box, and the swap made us its only
        // owner.
        unsafe { Box::from_raw(taken) }
    };
    match builder.step(WARM_SLICE) {
        Some(comb) => {
            publish(comb);
            true
        }
        None => {
            let other = BUILDER.swap(Box::into_raw(builder), Ordering::AcqRel);
            if !other.is_null() {
                // SAFETY: as above: another thread's builder, now ours alone.
                drop(unsafe { Box::from_raw(other) });
            }
            false
        }
    }
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
pub struct SrpB(pub(crate) U3072);

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
pub struct SrpA(pub(crate) U3072);

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
