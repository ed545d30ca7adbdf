//! Request-rate quotas, off by default: the per-category rates of the Amazon Cognito Developer
//! Guide's "Quotas in Amazon Cognito" page
//! (<https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html>), sections "Amazon
//! Cognito user pools API operation categories and request rate quotas" and "Amazon Cognito
//! identity pools (federated identities) API operation request rate quotas".
//!
//! ```text
//! operation → category (the page's table)       → a token bucket per (pool, category):
//!   capacity = rate (one second of requests), refilled at rate per second
//! RespondToAuthChallenge: its own bucket at 3 × UserAuthentication, the excess taken from
//!   UserAuthentication ("operation special handling"); NEW_PASSWORD_REQUIRED answers count
//!   toward UserAccountRecovery (footnote 1)
//! categories of footnote 3 (UserPool*Resource*, UserPoolClient*): each operation at most
//!   5 per second per user pool
//! past the rate: TooManyRequestsException "Rate exceeded" (HTTP 400), what Cognito answers
//! ```
//! Cognito counts a category across all user pools of an account and Region; the emulator counts
//! each pool (or identity pool) on its own, so tests running side by side do not throttle each
//! other. Operations the page does not list are placed by analogy (GetUserAuthFactors with
//! AdminGetUserAuthFactors in UserRead; the passkey operations with the other per-user
//! resources); UnlinkIdentity and DescribeIdentity are not limited. The hosted UI and OAuth
//! endpoints are not limited.

use cognito_proto::api::Op;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// A quota category of the page (identity-pool operations are each their own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
pub enum Category {
    UserAuthentication,
    UserCreation,
    UserFederation,
    UserAccountRecovery,
    UserRead,
    UserUpdate,
    UserToken,
    UserResourceRead,
    UserResourceUpdate,
    UserList,
    UserPoolRead,
    UserPoolUpdate,
    UserPoolResourceRead,
    UserPoolResourceUpdate,
    UserPoolClientRead,
    UserPoolClientUpdate,
    ClientAuthentication,
    GetId,
    GetOpenIdToken,
    GetCredentialsForIdentity,
}

/// Requests per second, by category. Only the categories listed are limited.
pub type Rates = BTreeMap<Category, u32>;

/// The page's "Default quota (RPS)" column.
pub const DEFAULTS: [(Category, u32); 20] = [
    (Category::UserAuthentication, 120),
    (Category::UserCreation, 50),
    (Category::UserFederation, 25),
    (Category::UserAccountRecovery, 30),
    (Category::UserRead, 120),
    (Category::UserUpdate, 25),
    (Category::UserToken, 120),
    (Category::UserResourceRead, 50),
    (Category::UserResourceUpdate, 25),
    (Category::UserList, 30),
    (Category::UserPoolRead, 15),
    (Category::UserPoolUpdate, 15),
    (Category::UserPoolResourceRead, 20),
    (Category::UserPoolResourceUpdate, 15),
    (Category::UserPoolClientRead, 15),
    (Category::UserPoolClientUpdate, 15),
    (Category::ClientAuthentication, 150),
    (Category::GetId, 25),
    (Category::GetOpenIdToken, 200),
    (Category::GetCredentialsForIdentity, 200),
];

/// Footnote 3: each operation of these categories at most this often per user pool.
const PER_OPERATION_CAP: u32 = 5;

/// The documented rates (`--quotas default`).
pub fn defaults() -> Rates {
    DEFAULTS.into_iter().collect()
}

/// `Category=RPS` (the `--quota` option).
pub fn parse_rate(s: &str) -> Result<(Category, u32), String> {
    let (name, rate) = s.split_once('=').ok_or_else(|| format!("--quota takes CATEGORY=RPS, not {s}"))?;
    let category: Category =
        serde_json::from_value(serde_json::Value::String(name.to_string())).map_err(|_| format!("unknown quota category {name}"))?;
    let rate = rate.parse().map_err(|_| format!("--quota {name}: {rate} is not a number of requests per second"))?;
    Ok((category, rate))
}

impl Category {
    /// The category an operation counts toward (the page's table).
    pub fn of(op: Op) -> Option<Category> {
        use Category::*;
        Some(match op {
            Op::InitiateAuth | Op::RespondToAuthChallenge | Op::GetTokensFromRefreshToken => UserAuthentication,
            Op::SignUp | Op::ConfirmSignUp | Op::AdminCreateUser | Op::AdminConfirmSignUp => UserCreation,
            Op::ForgotPassword | Op::ConfirmForgotPassword | Op::ChangePassword | Op::AdminResetUserPassword | Op::AdminSetUserPassword => {
                UserAccountRecovery
            }
            Op::GetUser | Op::AdminGetUser | Op::GetUserAuthFactors => UserRead,
            Op::UpdateUserAttributes
            | Op::DeleteUserAttributes
            | Op::VerifyUserAttribute
            | Op::DeleteUser
            | Op::GlobalSignOut
            | Op::AdminUpdateUserAttributes
            | Op::AdminDeleteUser
            | Op::AdminDisableUser
            | Op::AdminEnableUser
            | Op::AdminUserGlobalSignOut
            | Op::AdminAddUserToGroup => UserUpdate,
            Op::RevokeToken => UserToken,
            Op::GetDevice
            | Op::ListDevices
            | Op::GetUserAttributeVerificationCode
            | Op::ResendConfirmationCode
            | Op::ListWebAuthnCredentials => UserResourceRead,
            Op::ForgetDevice
            | Op::UpdateDeviceStatus
            | Op::ConfirmDevice
            | Op::SetUserMFAPreference
            | Op::AdminSetUserMFAPreference
            | Op::VerifySoftwareToken
            | Op::AssociateSoftwareToken
            | Op::StartWebAuthnRegistration
            | Op::CompleteWebAuthnRegistration
            | Op::DeleteWebAuthnCredential => UserResourceUpdate,
            Op::ListUsers => UserList,
            Op::DescribeUserPool | Op::GetUserPoolMfaConfig => UserPoolRead,
            Op::SetUserPoolMfaConfig => UserPoolUpdate,
            Op::DescribeUserPoolClient => UserPoolClientRead,
            Op::GetId => GetId,
            Op::GetOpenIdToken => GetOpenIdToken,
            Op::GetCredentialsForIdentity => GetCredentialsForIdentity,
            Op::UnlinkIdentity | Op::DescribeIdentity => return None,
        })
    }

    fn capped_per_operation(self) -> bool {
        matches!(
            self,
            Category::UserPoolResourceRead
                | Category::UserPoolResourceUpdate
                | Category::UserPoolClientRead
                | Category::UserPoolClientUpdate
        )
    }
}

/// What one request draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Bucket {
    Category(Category),
    /// A footnote-3 operation's own bucket.
    Operation(Op),
    /// RespondToAuthChallenge's allowance of 3 × UserAuthentication.
    Challenges,
}

struct Tokens {
    left: f64,
    at: Instant,
}

/// The buckets of every pool (not persisted: rates are per second).
#[derive(Default)]
pub struct Limiter {
    buckets: HashMap<(String, Bucket), Tokens>,
}

/// A request to count: its operation and, for RespondToAuthChallenge, the challenge answered.
pub struct Request<'a> {
    pub op: Op,
    pub challenge: Option<&'a str>,
}

impl Limiter {
    /// Counts one request of `pool` against `rates`: `false` when it is over the quota.
    pub fn admit(&mut self, pool: &str, rates: &Rates, r: &Request, now: Instant) -> bool {
        let Some(mut category) = Category::of(r.op) else { return true };
        if r.op == Op::RespondToAuthChallenge && r.challenge == Some("NEW_PASSWORD_REQUIRED") {
            category = Category::UserAccountRecovery;
        }
        let Some(&rate) = rates.get(&category) else { return true };
        if category.capped_per_operation() {
            return self.take(pool, Bucket::Operation(r.op), rate.min(PER_OPERATION_CAP), now);
        }
        if r.op == Op::RespondToAuthChallenge && category == Category::UserAuthentication {
            // The challenge allowance first; past it, the answer counts toward the category.
            if self.take(pool, Bucket::Challenges, rate.saturating_mul(3), now) {
                return true;
            }
        }
        self.take(pool, Bucket::Category(category), rate, now)
    }

    fn take(&mut self, pool: &str, bucket: Bucket, rate: u32, now: Instant) -> bool {
        let rate = f64::from(rate);
        let t = self.buckets.entry((pool.to_string(), bucket)).or_insert(Tokens { left: rate, at: now });
        t.left = (t.left + now.saturating_duration_since(t.at).as_secs_f64() * rate).min(rate);
        t.at = now;
        if t.left >= 1.0 {
            t.left -= 1.0;
            return true;
        }
        false
    }

    /// Forgets the buckets of a deleted pool.
    pub fn forget(&mut self, pool: &str) {
        self.buckets.retain(|(p, _), _| p != pool);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn req(op: Op) -> Request<'static> {
        Request { op, challenge: None }
    }

    #[test]
    fn a_burst_past_one_category_leaves_the_others_alone() {
        let rates: Rates = [(Category::UserRead, 2), (Category::UserAuthentication, 2)].into_iter().collect();
        let mut l = Limiter::default();
        let t0 = Instant::now();
        assert!(l.admit("p", &rates, &req(Op::GetUser), t0));
        assert!(l.admit("p", &rates, &req(Op::AdminGetUser), t0));
        assert!(!l.admit("p", &rates, &req(Op::GetUser), t0));
        // Another category, another pool, an unlisted category: not limited by that burst.
        assert!(l.admit("p", &rates, &req(Op::InitiateAuth), t0));
        assert!(l.admit("q", &rates, &req(Op::GetUser), t0));
        assert!(l.admit("p", &rates, &req(Op::SignUp), t0));
        // Refilled at the rate: half a second later, one more.
        assert!(l.admit("p", &rates, &req(Op::GetUser), t0 + Duration::from_millis(500)));
        assert!(!l.admit("p", &rates, &req(Op::GetUser), t0 + Duration::from_millis(500)));
    }

    #[test]
    fn challenge_answers_have_three_times_the_rate_then_count_toward_the_category() {
        let rates: Rates = [(Category::UserAuthentication, 1), (Category::UserAccountRecovery, 1)].into_iter().collect();
        let mut l = Limiter::default();
        let t0 = Instant::now();
        let answer = Request { op: Op::RespondToAuthChallenge, challenge: Some("SMS_MFA") };
        for _ in 0..4 {
            assert!(l.admit("p", &rates, &answer, t0));
        }
        assert!(!l.admit("p", &rates, &answer, t0));
        assert!(!l.admit("p", &rates, &req(Op::InitiateAuth), t0), "the fourth answer used the category");
        let new_password = Request { op: Op::RespondToAuthChallenge, challenge: Some("NEW_PASSWORD_REQUIRED") };
        assert!(l.admit("p", &rates, &new_password, t0), "UserAccountRecovery");
    }

    #[test]
    fn footnote_three_caps_each_operation_and_the_table_parses() {
        let rates = defaults();
        assert_eq!(rates[&Category::UserAuthentication], 120);
        assert_eq!(rates[&Category::UserPoolClientRead], 15);
        let mut l = Limiter::default();
        let t0 = Instant::now();
        let admitted = (0..15).filter(|_| l.admit("p", &rates, &req(Op::DescribeUserPoolClient), t0)).count();
        assert_eq!(admitted, 5);
        assert_eq!(parse_rate("UserRead=7"), Ok((Category::UserRead, 7)));
        assert!(parse_rate("Nope=1").is_err() && parse_rate("UserRead").is_err() && parse_rate("UserRead=x").is_err());
    }
}
