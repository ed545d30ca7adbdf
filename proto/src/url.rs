//! Absolute `http(s)` URLs, reduced to what the SDK checks: scheme, host, port, the rest
//! (RFC 3986 §3, without userinfo, which is refused).

use crate::prelude::*;

/// The pieces of an absolute URL this SDK needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// `http` or `https`, lower-case.
    pub scheme: String,
    /// Host (with brackets for IPv6), lower-case.
    pub host: String,
    /// `:port` or empty.
    pub port: String,
    /// Path, query and fragment (starts with `/` or is empty).
    pub rest: String,
}

impl Url {
    /// Parses `scheme://host[:port][/...]`; `None` for anything else (including userinfo).
    pub fn parse(s: &str) -> Option<Url> {
        let i = crate::codec::find(s, "://")?;
        let (scheme, after) = (&s[..i], &s[i + 3..]);
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(end);
        if authority.is_empty() || authority.contains(['@', '\\', ' ']) {
            return None;
        }
        let (host, port) = match authority.rfind(':') {
            Some(i) if !authority[i..].contains(']') => {
                let p = &authority[i + 1..];
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (&authority[..i], &authority[i..])
            }
            _ => (authority, ""),
        };
        if host.is_empty() {
            return None;
        }
        Some(Url { scheme, host: host.to_ascii_lowercase(), port: port.to_string(), rest: rest.to_string() })
    }

    /// `scheme://host[:port]`
    pub fn origin(&self) -> String {
        self.scheme.clone() + "://" + &self.host + &self.port
    }

    pub fn is_loopback(&self) -> bool {
        self.host == "localhost" || self.host.starts_with("127.") || self.host == "[::1]"
    }

    /// The path without query or fragment.
    pub fn path(&self) -> &str {
        let end = self.rest.find(['?', '#']).unwrap_or(self.rest.len());
        &self.rest[..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parts() {
        let u = Url::parse("HTTP://LocalHost:8080/a/b?x=1#f").unwrap();
        assert_eq!(u.origin(), "http://localhost:8080");
        assert_eq!(u.path(), "/a/b");
        assert!(u.is_loopback());
        assert!(Url::parse("https://user@evil.example/").is_none());
        assert!(Url::parse("javascript:alert(1)").is_none());
        assert!(Url::parse("https://:80/").is_none());
        assert_eq!(Url::parse("https://[::1]:9/x").unwrap().host, "[::1]");
    }
}
