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

/// A JSON value's text, read without building a tree: members and items are found by
/// scanning, strings decoded when asked for. The main module reads Cognito's answers, token
/// payloads, the options and stored records this way: a tree's code (building, cloning and
/// dropping it) costs more bytes there than the scans cost time on documents this small.
/// [`Raw::parse`] checks the whole text as [`Json::parse`] does, so a `Raw` is always well-formed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Raw<'a>(&'a str);

impl<'a> Raw<'a> {
    /// One complete JSON value (whitespace around it allowed).
    pub fn parse(text: &'a str) -> Result<Raw<'a>, JsonError> {
        let mut p = Parser { b: text.as_bytes(), i: 0 };
        p.ws();
        let start = p.i;
        p.skip(0)?;
        let end = p.i;
        p.ws();
        if p.i != p.b.len() {
            return Err(p.err());
        }
        Ok(Raw(&text[start..end]))
    }

    /// A text this crate checked before (a session's claims, a token's parts).
    pub(crate) fn trusted(text: &'a str) -> Raw<'a> {
        Raw(text)
    }

    /// The value's text.
    pub fn text(self) -> &'a str {
        self.0
    }

    /// The members of an object, in order (none for other values).
    pub fn members(self) -> Members<'a> {
        let open = self.0.starts_with('{');
        Members { p: Parser { b: self.0.as_bytes(), i: if open { 1 } else { self.0.len() } }, close: b'}' }
    }

    /// The items of an array, in order (none for other values).
    pub fn items(self) -> impl Iterator<Item = Raw<'a>> {
        let open = self.0.starts_with('[');
        Members { p: Parser { b: self.0.as_bytes(), i: if open { 1 } else { self.0.len() } }, close: b']' }.map(|(_, v)| v)
    }

    /// Member of an object (the first one with this key).
    pub fn get(self, key: &str) -> Option<Raw<'a>> {
        self.members().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// A string member, decoded.
    pub fn str(self, key: &str) -> Option<String> {
        self.get(key)?.as_str()
    }

    /// The string, decoded.
    pub fn as_str(self) -> Option<String> {
        self.0.starts_with('"').then(|| Parser { b: self.0.as_bytes(), i: 0 }.string().ok()).flatten()
    }

    /// The integer part of a number, as [`Json::as_i64`] reads it.
    pub fn as_i64(self) -> Option<i64> {
        let number = self.0.starts_with(|c: char| c == '-' || c.is_ascii_digit());
        number.then(|| Json::Num(self.0.to_string()).as_i64()).flatten()
    }

    pub fn as_bool(self) -> Option<bool> {
        match self.0 {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    pub fn is_null(self) -> bool {
        self.0 == "null"
    }

    pub fn is_object(self) -> bool {
        self.0.starts_with('{')
    }

    pub fn is_array(self) -> bool {
        self.0.starts_with('[')
    }

    /// The value as a tree (for code that wants one).
    pub fn to_json(self) -> Json {
        Json::parse(self.0).unwrap_or_default()
    }
}

/// The members of an object (`(key, value)`), or the items of an array (`("", value)`), of a
/// checked [`Raw`].
pub struct Members<'a> {
    p: Parser<'a>,
    close: u8,
}

impl<'a> Iterator for Members<'a> {
    type Item = (String, Raw<'a>);
    fn next(&mut self) -> Option<(String, Raw<'a>)> {
        let p = &mut self.p;
        p.ws();
        if p.b.get(p.i) == Some(&b',') {
            p.i += 1;
            p.ws();
        }
        match p.b.get(p.i) {
            None => return None,
            Some(&c) if c == self.close => {
                p.i = p.b.len();
                return None;
            }
            _ => {}
        }
        let key = if self.close == b'}' {
            let k = p.string().ok()?;
            p.ws();
            p.eat(b":").ok()?;
            p.ws();
            k
        } else {
            String::new()
        };
        let start = p.i;
        p.skip(1).ok()?;
        // The bytes between two value boundaries of a checked text are whole UTF-8.
        let text = core::str::from_utf8(&p.b[start..p.i]).ok()?;
        Some((key, Raw(text)))
    }
}

/// JSON text written directly, without a tree: `Writer::object().str("a", "x").int("n", 5).end()`.
pub struct Writer {
    out: String,
    empty: bool,
}

impl Writer {
    pub fn object() -> Writer {
        Writer { out: String::from("{"), empty: true }
    }

    /// Goes on writing a finished object (`{…}`): more members before its `}`.
    pub fn reopen(mut text: String) -> Writer {
        text.pop();
        let empty = text.ends_with('{');
        Writer { out: text, empty }
    }

    fn key(&mut self, k: &str) -> &mut Writer {
        if !core::mem::replace(&mut self.empty, false) {
            self.out.push(',');
        }
        write_str(k, &mut self.out);
        self.out.push(':');
        self
    }

    pub fn str(&mut self, k: &str, v: &str) -> &mut Writer {
        self.key(k);
        write_str(v, &mut self.out);
        self
    }

    /// A string, or `null`.
    pub fn opt(&mut self, k: &str, v: Option<&str>) -> &mut Writer {
        match v {
            Some(v) => self.str(k, v),
            None => self.raw(k, "null"),
        }
    }

    pub fn int(&mut self, k: &str, v: i64) -> &mut Writer {
        self.raw(k, &itoa(v))
    }

    pub fn bool(&mut self, k: &str, v: bool) -> &mut Writer {
        self.raw(k, if v { "true" } else { "false" })
    }

    /// A value that is already JSON text (a `Raw`, another `Writer`'s output).
    pub fn raw(&mut self, k: &str, json: &str) -> &mut Writer {
        self.key(k).out.push_str(json);
        self
    }

    pub fn end(&mut self) -> String {
        self.out.push('}');
        core::mem::take(&mut self.out)
    }
}

/// A JSON array of strings, as text.
pub fn string_array<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::from("[");
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(s, &mut out);
    }
    out.push(']');
    out
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
    /// Checks one value and moves past it, building nothing.
    fn skip(&mut self, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err());
        }
        let close = match self.b.get(self.i) {
            Some(b'n') => return self.eat(b"null"),
            Some(b't') => return self.eat(b"true"),
            Some(b'f') => return self.eat(b"false"),
            Some(b'"') => return self.string().map(drop),
            Some(b'-' | b'0'..=b'9') => return self.number().map(drop),
            Some(b'[') => b']',
            Some(b'{') => b'}',
            _ => return Err(self.err()),
        };
        self.i += 1;
        self.ws();
        if self.b.get(self.i) == Some(&close) {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            if close == b'}' {
                if self.b.get(self.i) != Some(&b'"') {
                    return Err(self.err());
                }
                self.string()?;
                self.ws();
                self.eat(b":")?;
                self.ws();
            }
            self.skip(depth + 1)?;
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(&c) if c == close => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.err()),
            }
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
    fn raw_reads_what_parse_reads() {
        let text = r#" {"a":{"b":[1,{"c":"x\u00e9"}],"n":null},"s":"q\"","i":-12.9,"t":true,"a":2} "#;
        let r = Raw::parse(text).unwrap();
        assert!(r.is_object());
        assert_eq!(r.str("s").as_deref(), Some("q\""));
        assert_eq!(r.get("i").unwrap().as_i64(), Some(-12));
        assert_eq!(r.get("t").unwrap().as_bool(), Some(true));
        // The first member of a key wins, as in Json::get.
        let a = r.get("a").unwrap();
        assert!(a.get("n").unwrap().is_null());
        let items: Vec<Raw> = a.get("b").unwrap().items().collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].str("c").as_deref(), Some("xé"));
        assert_eq!(r.to_json(), Json::parse(text).unwrap());
        let keys: Vec<String> = r.members().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "s", "i", "t", "a"]);
        assert!(r.get("missing").is_none() && r.get("s").unwrap().get("x").is_none());
        assert_eq!(Raw::parse("[]").unwrap().items().count(), 0);
        assert_eq!(Raw::parse("{}").unwrap().members().count(), 0);
        assert_eq!(Raw::parse("\"7\"").unwrap().as_i64(), None);
        // The same refusals as the tree parser.
        for bad in ["", "{", "{\"a\":1,}", "[1,]", "01", "\"a", "{} x", "[1 2]"] {
            assert!(Raw::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Raw::parse(&("[".repeat(100) + &"]".repeat(100))).is_err());
    }

    #[test]
    fn writer_writes_json() {
        let inner = Writer::object().int("n", -3).end();
        let text = Writer::object().str("a", "q\"\u{1}").opt("b", None).bool("c", true).raw("d", &inner).end();
        assert_eq!(text, r#"{"a":"q\"\u0001","b":null,"c":true,"d":{"n":-3}}"#);
        assert_eq!(Json::parse(&text).unwrap().get("d").unwrap().get("n").unwrap().as_i64(), Some(-3));
        assert_eq!(Writer::object().end(), "{}");
        assert_eq!(string_array(["a", "\"b"]), r#"["a","\"b"]"#);
        assert_eq!(string_array([]), "[]");
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
