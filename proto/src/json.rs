//! A small JSON value with a strict parser and a compact writer.
//!
//! Why not serde_json: in the browser, results cross to JS as JSON text (`JSON.parse` there),
//! so the wasm only needs to read Cognito's small responses and JWT payloads and to write request
//! bodies. This file is a few KB of wasm; serde_json plus derives would be several times the whole
//! size budget. Numbers keep their source text, so nothing is lost passing through
//! (`DeviceCreateDate: 1.700000000123E9` stays exact) and no float parser is linked in.

use crate::prelude::*;

/// A JSON value. Objects keep member order (requests are compared byte for byte in tests).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Json {
    #[default]
    Null,
    Bool(bool),
    /// A number, as its JSON text.
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

/// Why a text is not JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset of the problem.
    pub at: usize,
}

const MAX_DEPTH: usize = 64;

/// Decimal text of an integer (no formatting machinery).
pub fn itoa(v: i64) -> String {
    let mut digits = [0u8; 20];
    let mut n = v.unsigned_abs();
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut s = String::with_capacity(21);
    if v < 0 {
        s.push('-');
    }
    for &d in &digits[i..] {
        s.push(d as char);
    }
    s
}

impl Json {
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let mut p = Parser { b: text.as_bytes(), i: 0 };
        p.ws();
        let v = p.value(0)?;
        p.ws();
        if p.i != p.b.len() {
            return Err(p.err());
        }
        Ok(v)
    }

    /// An object from `(key, value)` pairs. Not generic: one copy in the wasm for every caller
    /// (a generic version had one per array length).
    pub fn object(members: Vec<(&str, Json)>) -> Json {
        Json::Obj(members.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// A string→string object (Cognito's parameter maps).
    pub fn string_map<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Json {
        Json::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), Json::Str(v.to_string()))).collect())
    }

    pub fn int(v: i64) -> Json {
        Json::Num(itoa(v))
    }

    /// Member of an object (the first one with this key).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// String member of an object.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Json::as_str)
    }

    /// Sets (replaces or appends) an object member; no-op on non-objects.
    pub fn set(&mut self, key: &str, value: Json) {
        if let Json::Obj(m) = self {
            if let Some(slot) = m.iter_mut().find(|(k, _)| k == key) {
                slot.1 = value;
            } else {
                m.push((key.to_string(), value));
            }
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer part of a number (`3600`, `1.7e3` → None, `12.5` → 12).
    pub fn as_i64(&self) -> Option<i64> {
        let Json::Num(t) = self else { return None };
        let int = t.split('.').next()?;
        if t.contains(['e', 'E']) {
            return None;
        }
        let (neg, digits) = match int.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, int),
        };
        if digits.is_empty() || digits.len() > 18 {
            return None;
        }
        let mut v: i64 = 0;
        for b in digits.bytes() {
            v = v * 10 + (b - b'0') as i64;
        }
        Some(if neg { -v } else { v })
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Obj(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Compact JSON text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Num(n) => out.push_str(n),
            Json::Str(s) => write_str(s, out),
            Json::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Json::Str(s.to_string())
    }
}
impl From<String> for Json {
    fn from(s: String) -> Self {
        Json::Str(s)
    }
}
impl From<bool> for Json {
    fn from(b: bool) -> Self {
        Json::Bool(b)
    }
}
impl<T: Into<Json>> From<Option<T>> for Json {
    fn from(o: Option<T>) -> Self {
        o.map_or(Json::Null, Into::into)
    }
}

fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const D: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(D[(c as usize) >> 4] as char);
                out.push(D[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self) -> JsonError {
        JsonError { at: self.i }
    }
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn eat(&mut self, lit: &[u8]) -> Result<(), JsonError> {
        if self.b[self.i..].starts_with(lit) {
            self.i += lit.len();
            Ok(())
        } else {
            Err(self.err())
        }
    }
    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err());
        }
        match self.b.get(self.i) {
            Some(b'n') => self.eat(b"null").map(|_| Json::Null),
            Some(b't') => self.eat(b"true").map(|_| Json::Bool(true)),
            Some(b'f') => self.eat(b"false").map(|_| Json::Bool(false)),
            Some(b'"') => self.string().map(Json::Str),
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(items));
                        }
                        _ => return Err(self.err()),
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(members));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(self.err());
                    }
                    let k = self.string()?;
                    self.ws();
                    self.eat(b":")?;
                    self.ws();
                    let v = self.value(depth + 1)?;
                    members.push((k, v));
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Obj(members));
                        }
                        _ => return Err(self.err()),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.err()),
        }
    }
    fn digits(&mut self) -> usize {
        let s = self.i;
        while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
            self.i += 1;
        }
        self.i - s
    }
    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.i;
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        let int_start = self.i;
        let n = self.digits();
        if n == 0 || (n > 1 && self.b[int_start] == b'0') {
            return Err(self.err());
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err());
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err());
            }
        }
        // The slice is ASCII by construction.
        let text = core::str::from_utf8(&self.b[start..self.i]).map_err(|_| self.err())?;
        Ok(Json::Num(text.to_string()))
    }
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self.b.get(self.i..self.i + 4).ok_or(self.err())?;
        let mut v = 0;
        for &c in h {
            v = v * 16 + (c as char).to_digit(16).ok_or(self.err())?;
        }
        self.i += 4;
        Ok(v)
    }
    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.i < self.b.len() && !matches!(self.b[self.i], b'"' | b'\\') && self.b[self.i] >= 0x20 {
                self.i += 1;
            }
            // Input is &str, and the run stops only at ASCII bytes, so this is valid UTF-8.
            out.push_str(core::str::from_utf8(&self.b[start..self.i]).map_err(|_| self.err())?);
            match self.b.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = *self.b.get(self.i).ok_or(self.err())?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xd800..0xdc00).contains(&hi) {
                                self.eat(b"\\u")?;
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err(self.err());
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(cp).ok_or(self.err())?);
                        }
                        _ => return Err(self.err()),
                    }
                }
                _ => return Err(self.err()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cognito_shapes() {
        let v = Json::parse(
            r#" {"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"ab"},
                 "AuthenticationResult":{"ExpiresIn":3600,"NewDeviceMetadata":null},
                 "List":[1,-2.5e3,true,false,"\u00e9\ud83d\udd11\n"]} "#,
        )
        .unwrap();
        assert_eq!(v.str("ChallengeName"), Some("PASSWORD_VERIFIER"));
        assert_eq!(v.get("ChallengeParameters").unwrap().str("SALT"), Some("ab"));
        let r = v.get("AuthenticationResult").unwrap();
        assert_eq!(r.get("ExpiresIn").unwrap().as_i64(), Some(3600));
        assert!(r.get("NewDeviceMetadata").unwrap().is_null());
        let list = v.get("List").unwrap().as_array().unwrap();
        assert_eq!(list[1], Json::Num("-2.5e3".into()));
        assert_eq!(list[1].as_i64(), None);
        assert_eq!(list[4].as_str(), Some("é🔑\n"));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "{",
            "{\"a\"}",
            "{\"a\":1,}",
            "[1,]",
            "01",
            "1.",
            "-",
            "\"\\x\"",
            "\"a",
            "tru",
            "{} x",
            "\"\\ud800\"",
            "\"\u{1}\"",
            "{'a':1}",
            "[1 2]",
        ] {
            assert!(Json::parse(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(Json::parse(&deep).is_err());
    }

    #[test]
    fn writes_and_round_trips() {
        let mut v = Json::object(vec![("b", Json::from("q\"\\\u{1}é")), ("a", Json::int(-42)), ("n", Json::Null)]);
        v.set("a", Json::int(7));
        v.set("z", Json::Bool(true));
        let text = v.to_text();
        assert_eq!(text, r#"{"b":"q\"\\\u0001é","a":7,"n":null,"z":true}"#);
        assert_eq!(Json::parse(&text).unwrap(), v);
        assert_eq!(itoa(0), "0");
        assert_eq!(itoa(i64::MIN), "-9223372036854775808");
        assert_eq!(Json::Num("12.9".into()).as_i64(), Some(12));
    }
}
