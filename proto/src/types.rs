//! Typed protocol values. One newtype per value so that a username cannot be passed where a
//! USER_ID_FOR_SRP is expected, nor a client id where a pool id is. Secret values print
//! `[redacted]` in `Debug`, have no `PartialEq`, and are compared with [`ct_eq`](crate::crypto::ct_eq).

use crate::crypto::ct_eq;
use crate::error::Error;
use crate::prelude::*;

/// A public string value with a type of its own.
macro_rules! public_string {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, PartialEq, Eq, Debug)]
        pub struct $name(String);
        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

/// A secret string value: redacted in `Debug`, compared in constant time, no `PartialEq`.
macro_rules! secret_string {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone)]
        pub struct $name(String);
        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }
            /// The secret itself, for the request that needs it.
            pub fn expose(&self) -> &str {
                &self.0
            }
            pub fn ct_eq(&self, other: &str) -> bool {
                ct_eq(self.0.as_bytes(), other.as_bytes())
            }
        }
        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

public_string!(
    /// App client id.
    ClientId
);
public_string!(
    /// What the user typed to sign in: username, e-mail/phone alias or preferred_username.
    Username
);
public_string!(
    /// The canonical username Cognito returns as USER_ID_FOR_SRP (a UUID in e-mail-as-username
    /// pools). Used for `x`, the claim, every later USERNAME, SECRET_HASH and storage keys.
    UserIdForSrp
);
public_string!(
    /// A remembered device's key, `{region}_{uuid}`.
    DeviceKey
);
public_string!(
    /// A remembered device's group key.
    DeviceGroupKey
);
secret_string!(
    /// An app client secret (confidential clients only).
    ClientSecret
);
secret_string!(
    /// A user's password.
    Password
);
secret_string!(
    /// A remembered device's random password (base64 of 40 random bytes).
    DevicePassword
);
secret_string!(
    /// The opaque `Session` chaining challenge steps.
    AuthSession
);
secret_string!(
    /// A JWT ID token.
    IdToken
);
secret_string!(
    /// A JWT access token.
    AccessToken
);
secret_string!(
    /// An opaque refresh token.
    RefreshToken
);

impl UserIdForSrp {
    /// After sign-in the canonical name is also the username to store tokens under.
    pub fn as_username(&self) -> Username {
        Username(self.0.clone())
    }
}

/// A user-pool id `<region>_<poolName>`, e.g. `us-east-1_AbC123`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct UserPoolId {
    id: String,
    split: usize,
}

impl UserPoolId {
    /// Validates the shape Cognito uses (`[\w-]+_[0-9a-zA-Z]+`, at most 55 characters).
    pub fn parse(id: &str) -> Result<Self, Error> {
        let bad = || {
            Error::config(
                String::from("userPoolId \"") + id + "\" is not a user-pool id: expected <region>_<name> such as \"us-east-1_AbC123\"",
            )
        };
        let split = id.find('_').ok_or_else(bad)?;
        let (region, name) = (&id[..split], &id[split + 1..]);
        let region_ok = !region.is_empty() && region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let name_ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric());
        if !region_ok || !name_ok || id.len() > 55 {
            return Err(bad());
        }
        Ok(UserPoolId { id: id.to_string(), split })
    }
    pub fn as_str(&self) -> &str {
        &self.id
    }
    /// The part before `_`: the AWS region.
    pub fn region(&self) -> &str {
        &self.id[..self.split]
    }
    /// The part after `_`: the "pool name" hashed into SRP's `x` and the password claim.
    pub fn pool_name(&self) -> &str {
        &self.id[self.split + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_id_parts() {
        let p = UserPoolId::parse("us-east-1_TestPool1").unwrap();
        assert_eq!(p.region(), "us-east-1");
        assert_eq!(p.pool_name(), "TestPool1");
        for bad in ["", "us-east-1", "_abc", "us-east-1_", "us east_1", "us-east-1_a_b", "us-east-1_ab-c"] {
            let e = UserPoolId::parse(bad).unwrap_err();
            assert_eq!(e.name(), "ConfigError", "{bad}");
        }
    }

    #[test]
    fn secrets_are_redacted_and_compared_in_constant_time() {
        let p = Password::new("hunter2");
        assert_eq!(format!("{p:?}"), "Password([redacted])");
        assert!(p.ct_eq("hunter2"));
        assert!(!p.ct_eq("hunter3"));
        assert_eq!(format!("{:?}", RefreshToken::new("x")), "RefreshToken([redacted])");
    }
}
