//! The signed-in user's passkeys: register one (StartWebAuthnRegistration →
//! `navigator.credentials.create` → CompleteWebAuthnRegistration), list them (every page of
//! ListWebAuthnCredentials), delete one, and the user's sign-in factors (GetUserAuthFactors).
//! Signing in with a passkey is part of `signin` (the WEB_AUTHN challenge).

use super::{nodrop, AuthFactors, Client, Env, PasskeyInfo};
use cognito_proto::api::{self, Op};
use cognito_proto::error::Error;
use cognito_proto::json::Json;
use cognito_proto::webauthn;

/// ListWebAuthnCredentials pages are read at most this many times (Cognito allows 20 passkeys
/// per user, 20 per page).
const PASSKEY_PAGES: usize = 10;

fn strings(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array).unwrap_or(&[]).iter().filter_map(|s| s.as_str().map(String::from)).collect()
}

impl<E: Env> Client<E> {
    /// `registerPasskey()`: a new passkey for the signed-in user; its credential id.
    pub async fn register_passkey(&self) -> Result<String, Error> {
        let (v, s) = nodrop(self.as_user(&|t| api::with_token(Op::StartWebAuthnRegistration, t))).await?;
        let doc = v
            .get("CredentialCreationOptions")
            .ok_or_else(|| Error::protocol("StartWebAuthnRegistration answer without CredentialCreationOptions"))?;
        let credential = nodrop(self.env.passkey(&webauthn::options(doc, true)?)).await?;
        let json = webauthn::credential_json(&credential);
        let id = json.str("id").unwrap_or("").to_string();
        nodrop(self.send(&api::complete_web_authn_registration(&s.access_token, json))).await?;
        Ok(id)
    }

    /// `listPasskeys()`.
    pub async fn list_passkeys(&self) -> Result<Vec<PasskeyInfo>, Error> {
        let mut out = vec![];
        let mut next: Option<String> = None;
        for _ in 0..PASSKEY_PAGES {
            let (v, _) = nodrop(self.as_user(&|t| api::list_web_authn_credentials(t, next.as_deref()))).await?;
            for c in v.get("Credentials").and_then(Json::as_array).unwrap_or(&[]) {
                let s = |k: &str| c.str(k).map(String::from);
                out.push(PasskeyInfo {
                    credential_id: s("CredentialId").unwrap_or_default(),
                    friendly_name: s("FriendlyCredentialName"),
                    relying_party_id: s("RelyingPartyId"),
                    authenticator_attachment: s("AuthenticatorAttachment"),
                    transports: strings(c.get("AuthenticatorTransports")),
                    created_at: match c.get("CreatedAt") {
                        Some(Json::Num(n)) => Some(n.clone()),
                        _ => None,
                    },
                });
            }
            next = v.str("NextToken").map(String::from);
            if next.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// `deletePasskey({credentialId})`.
    pub async fn delete_passkey(&self, id: &str) -> Result<(), Error> {
        nodrop(self.as_user(&|t| api::delete_web_authn_credential(t, id))).await?;
        Ok(())
    }

    /// `fetchAuthFactors()`.
    pub async fn fetch_auth_factors(&self) -> Result<AuthFactors, Error> {
        let (v, _) = nodrop(self.as_user(&|t| api::with_token(Op::GetUserAuthFactors, t))).await?;
        Ok(AuthFactors {
            configured: strings(v.get("ConfiguredUserAuthFactors")),
            mfa: strings(v.get("UserMFASettingList")),
            preferred_mfa: v.str("PreferredMfaSetting").map(String::from),
        })
    }
}
