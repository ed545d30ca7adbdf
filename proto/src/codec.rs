//! Byte and text encodings used on the wire: hex (SRP values), base64 in its standard and
//! URL-safe forms (SRP claims, JWTs, PKCE), and `application/x-www-form-urlencoded` (OAuth).
//!
//! Hand-written rather than the `base64` crate: the whole file compiles to about 1 KB of wasm,
//! the crate's generic engine to several times that, and the size budget is a product metric.

use crate::prelude::*;

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64_encode(data: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 with `=` padding (RFC 4648 §4).
pub fn base64_encode(data: &[u8]) -> String {
    b64_encode(data, STD, true)
}

/// URL-safe base64 without padding (RFC 4648 §5; JWT and PKCE).
pub fn base64url_encode(data: &[u8]) -> String {
    b64_encode(data, URL, false)
}

fn b64_value(c: u8) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    } as u32)
}

/// Decodes standard or URL-safe base64, padded or not. Rejects anything else (whitespace,
/// stray characters, impossible lengths, non-zero trailing bits).
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2 || (text.len() != body.len() && text.len() % 4 != 0) {
        return None;
    }
    let bytes = body.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= b64_value(c)? << (18 - 6 * i);
        }
        let produced = chunk.len() - 1;
        // Leftover bits of a short final chunk must be zero (canonical encoding).
        let unused = n & ((1u32 << (24 - 8 * produced)) - 1);
        if unused != 0 {
            return None;
        }
        for i in 0..produced {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// Where `needle` first occurs in `hay` (a plain scan: the inputs are short, and core's
/// Two-Way searcher is several times this code in the wasm).
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?).find(|&i| &h[i..i + n.len()] == n)
}

/// `hay` contains `needle`.
pub fn has(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// Lower-case hex.
pub fn hex_encode(data: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(data.len() * 2);
    for &b in data {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

/// Hex of any length (odd lengths read as if a `0` were prepended), either case.
pub fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    let mut out = Vec::with_capacity(digits.len().div_ceil(2));
    let mut acc = 0u8;
    let mut have = digits.len() % 2 == 1;
    for &c in digits {
        let v = (c as char).to_digit(16)? as u8;
        if have {
            out.push(acc << 4 | v);
            have = false;
        } else {
            acc = v;
            have = true;
        }
    }
    Some(out)
}

/// `%XX` (upper-case hex) for one byte.
fn push_escaped(out: &mut String, b: u8) {
    const D: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(D[(b >> 4) as usize] as char);
    out.push(D[(b & 15) as usize] as char);
}

/// Percent-encoding for a query value / form field (RFC 3986 unreserved kept).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            push_escaped(&mut out, b);
        }
    }
    out
}

/// One name or value in `application/x-www-form-urlencoded` as the WHATWG URL standard and
/// RFC 6749 Appendix B write it: alphanumerics and `*-._` kept, space as `+`, the rest `%XX`.
pub fn form_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_') {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            push_escaped(&mut out, b);
        }
    }
    out
}

/// Decodes `%XX` and `+` (form encoding). `None` on a bad escape or invalid UTF-8.
pub fn url_decode(s: &str) -> Option<String> {
    decode(s, true)
}

/// Decodes `%XX` only (`+` stays a plus, as in a URL path or an AWS query). `None` on a bad
/// escape or invalid UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    decode(s, false)
}

fn decode(s: &str, plus_is_space: bool) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let h = b.get(i + 1..i + 3)?;
                let h = core::str::from_utf8(h).ok()?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// `k1=v1&k2=v2` with each part percent-encoded.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&url_encode(k));
        out.push('=');
        out.push_str(&url_encode(v));
    }
    out
}

/// Parses a query string or form body into decoded pairs (undecodable pairs are skipped).
pub fn form_decode(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((url_decode(k)?, url_decode(v)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rfc4648_vectors() {
        let cases =
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")];
        for (plain, enc) in cases {
            assert_eq!(base64_encode(plain.as_bytes()), enc);
            assert_eq!(base64_decode(enc).unwrap(), plain.as_bytes());
            assert_eq!(base64url_encode(plain.as_bytes()), enc.trim_end_matches('='));
            assert_eq!(base64_decode(enc.trim_end_matches('=')).unwrap(), plain.as_bytes());
        }
        assert_eq!(base64_encode(&[0xfb, 0xff]), "+/8=");
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64_decode("-_8").unwrap(), vec![0xfb, 0xff]);
    }

    #[test]
    fn base64_rejects_garbage() {
        for bad in ["Zg=", "Z", "Zm9v!", "Zh==", "Zm 9v", "Zg===", "====", "Zm9vY==="] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn hex_round_trip_and_odd_lengths() {
        assert_eq!(hex_encode(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(hex_decode("00AB10").unwrap(), vec![0, 0xab, 0x10]);
        assert_eq!(hex_decode("abc").unwrap(), vec![0x0a, 0xbc]);
        assert_eq!(hex_decode("").unwrap(), Vec::<u8>::new());
        assert_eq!(hex_decode("0g"), None);
        assert_eq!(hex_decode("+1"), None);
    }

    #[test]
    fn url_and_form_encoding() {
        assert_eq!(url_encode("a b/c?d=é"), "a%20b%2Fc%3Fd%3D%C3%A9");
        assert_eq!(url_decode("a+b%2Fc%C3%A9").unwrap(), "a b/cé");
        assert_eq!(url_decode("%zz"), None);
        assert_eq!(url_decode("%4"), None);
        assert_eq!((find("a://b", "://"), find("ab", "abc"), find("", ""), find("xyz", "z")), (Some(1), None, Some(0), Some(2)));
        assert!(has("no-store, max-age=0", "no-store") && !has("no-stor", "no-store"));
        assert_eq!(form_component("a b*~:é"), "a+b*%7E%3A%C3%A9");
        assert_eq!(url_decode(&form_component("x +%y")).unwrap(), "x +%y");
        assert_eq!(form_encode(&[("a", "1 2"), ("b&", "=")]), "a=1%202&b%26=%3D");
        assert_eq!(
            form_decode("code=x%2By&state=&flag"),
            vec![("code".into(), "x+y".into()), ("state".into(), "".into()), ("flag".into(), "".into())]
        );
    }
}
