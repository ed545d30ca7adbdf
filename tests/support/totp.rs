//! RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) written here from the RFC, independently of the
//! emulator's own, so tests check the emulator rather than agree with it. Shared by the browser
//! suites (tests/common) and the emulator's HTTP tests.

/// The code for a base32 secret at a Unix time.
pub fn totp(secret_b32: &str, unix: i64) -> String {
    use hmac::{Hmac, Mac};
    let mut bits = 0u32;
    let mut buf = 0u32;
    let mut key = vec![];
    for c in secret_b32.bytes() {
        let v = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".iter().position(|&x| x == c).unwrap() as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            key.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&key).unwrap();
    mac.update(&((unix / 30) as u64).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let o = (h[19] & 15) as usize;
    let n = u32::from_be_bytes([h[o] & 0x7f, h[o + 1], h[o + 2], h[o + 3]]) % 1_000_000;
    format!("{n:06}")
}
