//! Small helpers: randomness, ids, time, base32 and RFC 6238 TOTP.

use cognito_proto::codec::{base64_encode, base64url_encode, hex_encode};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use std::time::{SystemTime, UNIX_EPOCH};

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // The OS generator does not fail on supported platforms; a zero buffer would only make
    // ids collide, never crash the server.
    let _ = getrandom::getrandom(&mut b);
    b
}

pub fn uuid() -> String {
    let mut b = random_bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_uuid(&b)
}

/// 16 bytes as a lowercase canonical UUID (`8-4-4-4-12` hex digits).
pub fn format_uuid(b: &[u8]) -> String {
    let h = hex_encode(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Random string from an alphabet (ids, codes).
pub fn random_string(alphabet: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in random_bytes::<32>() {
            // Rejection sampling keeps the distribution uniform.
            let limit = 256 - (256 % alphabet.len());
            if (b as usize) < limit && out.len() < len {
                out.push(alphabet[b as usize % alphabet.len()] as char);
            }
        }
    }
    out
}

pub fn digits(len: usize) -> String {
    random_string(b"0123456789", len)
}

pub fn opaque_token(bytes: usize) -> String {
    let mut v = vec![0u8; bytes];
    let _ = getrandom::getrandom(&mut v);
    base64url_encode(&v)
}

pub fn random_base64(bytes: usize) -> String {
    let mut v = vec![0u8; bytes];
    let _ = getrandom::getrandom(&mut v);
    base64_encode(&v)
}

thread_local! {
    /// A clock for this thread instead of the system's (the in-process emulator of the SDK's
    /// native tests runs on the test's virtual clock).
    static CLOCK: std::cell::RefCell<Option<std::rc::Rc<dyn Fn() -> i64>>> = const { std::cell::RefCell::new(None) };
}

/// Makes `system_now` read `clock` on this thread (`None`: the system clock again).
pub fn set_thread_clock(clock: Option<std::rc::Rc<dyn Fn() -> i64>>) {
    CLOCK.with(|c| *c.borrow_mut() = clock);
}

/// Wall-clock seconds since the epoch (or this thread's clock, see `set_thread_clock`).
pub fn system_now() -> i64 {
    if let Some(t) = CLOCK.with(|c| c.borrow().as_ref().map(|f| f())) {
        return t;
    }
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0);
    for &b in data {
        buf = (buf << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            out.push(B32[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(B32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for c in text.trim_end_matches('=').bytes() {
        let v = B32.iter().position(|&x| x == c.to_ascii_uppercase())? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits), as authenticator apps compute it.
pub fn totp(secret: &[u8], unix: i64) -> String {
    let counter = (unix / 30) as u64;
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else { return String::new() };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[off] & 0x7f, h[off + 1], h[off + 2], h[off + 3]]);
    format!("{:06}", bin % 1_000_000)
}

/// Accepts the current code and its neighbours (clock drift of one step either way).
pub fn totp_matches(secret_b32: &str, code: &str, unix: i64) -> bool {
    let Some(secret) = base32_decode(secret_b32) else { return false };
    [-30, 0, 30].iter().any(|d| cognito_proto::crypto::ct_eq(totp(&secret, unix + d).as_bytes(), code.as_bytes()))
}

/// `a***@e***` style masking of a delivery destination.
pub fn mask_destination(value: &str) -> String {
    if let Some((user, domain)) = value.split_once('@') {
        let f = |s: &str| s.chars().next().map(|c| format!("{c}***")).unwrap_or_default();
        format!("{}@{}", f(user), f(domain))
    } else {
        let tail: String = value.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        format!("+*******{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        let secret = b"12345678901234567890";
        // RFC 6238 Appendix B, truncated to 6 digits.
        for (t, code) in [(59, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924"), (2_000_000_000, "279037")] {
            assert_eq!(totp(secret, t), code);
        }
        let b32 = base32_encode(secret);
        assert_eq!(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(base32_decode(&b32).unwrap(), secret);
        assert!(totp_matches(&b32, "287082", 59));
        assert!(totp_matches(&b32, "287082", 80));
        assert!(!totp_matches(&b32, "287083", 59));
    }

    #[test]
    fn ids_and_masks() {
        let u = uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(uuid(), u);
        assert_eq!(digits(6).len(), 6);
        assert_eq!(mask_destination("alice@example.com"), "a***@e***");
        assert_eq!(mask_destination("+15551234567"), "+*******4567");
    }
}
