//! Who may talk to the emulator from a browser.
//!
//! ```text
//! Host header    must name the emulator's address, an IP address, `localhost` (or a name under
//!                it), or a name given with --allow-host; anything else is refused (a DNS
//!                rebinding page names its own domain)
//! Cognito APIs   (the JSON API, OAuth endpoints, hosted UI, JWKS, the emulated AWS services)
//!                open to every origin, as Cognito's are: CORS echoes the Origin
//! /_emulator/    control endpoints (messages with codes and temporary passwords, pools,
//!                faults, clock): only local origins (http(s)://localhost, 127.0.0.1 or [::1],
//!                any port) and those given with --allow-origin; a request from any other
//!                Origin is refused before it is carried out, and gets no CORS grant
//! ```
//! A request without an Origin header (curl, a test, a server-side SDK, a page's own navigation)
//! is not from another site's script, and passes.

/// The origins and host names allowed beyond the local ones.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// `scheme://host[:port]`, as a browser sends `Origin`.
    pub allow_origins: Vec<String>,
    /// Host names (without port) the emulator is reached by besides local ones.
    pub allow_hosts: Vec<String>,
    /// Any Host: the in-process emulator of the native tests, which no browser can reach and
    /// which plays Cognito's own host names.
    pub any_host: bool,
}

/// The host of a `Host` header or an origin's authority, without port, brackets kept off.
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    authority.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(authority, |(h, _)| h)
}

fn is_local_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

impl Policy {
    /// A `Host` header that cannot come from DNS rebinding: an IP address, a local name, or one
    /// allowed. (No header: HTTP/1.0 or in-process.)
    pub fn host_allowed(&self, host: Option<&str>) -> bool {
        let Some(host) = host.filter(|_| !self.any_host) else { return true };
        let name = host_of(host.trim());
        name.parse::<std::net::IpAddr>().is_ok() || is_local_name(name) || self.allow_hosts.iter().any(|h| h.eq_ignore_ascii_case(name))
    }

    /// An `Origin` that may use the control endpoints.
    pub fn control_origin_allowed(&self, origin: &str) -> bool {
        if self.allow_origins.iter().any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin)) {
            return true;
        }
        let Some((scheme, authority)) = origin.split_once("://") else { return false };
        let host = host_of(authority);
        matches!(scheme, "http" | "https") && (host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "::1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_origins_and_hosts() {
        let p = Policy { allow_origins: vec!["https://app.example.com".into()], allow_hosts: vec!["emulator".into()], any_host: false };
        for ok in ["http://localhost:8080", "http://127.0.0.1:9229", "http://[::1]:3000", "https://localhost", "https://app.example.com"] {
            assert!(p.control_origin_allowed(ok), "{ok}");
        }
        for no in [
            "http://evil.example",
            "null",
            "http://localhost.evil.example",
            "http://127.0.0.2:80",
            "file://",
            "https://app.example.com.evil",
        ] {
            assert!(!p.control_origin_allowed(no), "{no}");
        }
        for ok in ["127.0.0.1:9229", "localhost:9229", "[::1]:9229", "192.168.1.20:9229", "emulator:9229", "app.localhost:1"] {
            assert!(p.host_allowed(Some(ok)), "{ok}");
        }
        assert!(p.host_allowed(None));
        for no in ["evil.example:9229", "rebind.attacker.test", "localhost.evil.example:80"] {
            assert!(!p.host_allowed(Some(no)), "{no}");
        }
    }
}
