//! The hosted UI's pages: plain HTML forms, in English (the `lang` parameter sets only the
//! document language).

use super::common::{param, validate, Authorize, Reply};
use crate::state::*;
use cognito_proto::codec::{form_decode, url_encode};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn page_html(title: &str, body: &str) -> String {
    page_lang(title, body, "en")
}

/// A hosted page; `lang` (the authorize parameter) only sets the document language: the
/// emulator's pages are in English.
fn page_lang(title: &str, body: &str, lang: &str) -> String {
    let lang: String = lang.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(16).collect();
    format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{t}</title><style>
body{{font-family:system-ui,sans-serif;background:#f2f4f8;margin:0;display:flex;justify-content:center}}
main{{background:#fff;margin:2rem 1rem;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 4px #0002;max-width:22rem;width:100%}}
h1{{font-size:1.25rem}} label{{display:block;margin:.75rem 0 .25rem}} input{{width:100%;padding:.5rem;box-sizing:border-box}}
button{{margin-top:1rem;width:100%;padding:.6rem;background:#1a73e8;color:#fff;border:0;border-radius:4px;font-size:1rem}}
.err{{color:#b00020;background:#fde7ea;padding:.5rem;border-radius:4px}} .note{{color:#555;font-size:.85rem}}
.idp a{{display:block;text-align:center;margin:.4rem 0;padding:.5rem;border:1px solid #ccc;border-radius:4px;text-decoration:none;color:#222}}
</style></head><body><main><p class="note">Cognito emulator · hosted UI</p><h1>{t}</h1>{body}</main></body></html>"#,
        t = esc(title)
    )
}

struct Field<'a> {
    name: &'a str,
    label: &'a str,
    kind: &'a str,
    value: &'a str,
}

fn form(action: &str, hidden: &[(&str, &str)], fields: &[Field], submit: &str, error: Option<&str>, extra: &str) -> String {
    let mut h = String::new();
    if let Some(e) = error {
        h.push_str(&format!(r#"<p class="err" id="error">{}</p>"#, esc(e)));
    }
    h.push_str(&format!(r#"<form method="post" action="{}">"#, esc(action)));
    for (k, v) in hidden {
        h.push_str(&format!(r#"<input type="hidden" name="{}" value="{}">"#, esc(k), esc(v)));
    }
    for f in fields {
        h.push_str(&format!(
            r#"<label for="{n}">{l}</label><input id="{n}" name="{n}" type="{k}" value="{v}" autocomplete="off">"#,
            n = esc(f.name),
            l = esc(f.label),
            k = f.kind,
            v = esc(f.value)
        ));
    }
    h.push_str(&format!(r#"<button type="submit" name="action" value="submit">{}</button></form>{extra}"#, esc(submit)));
    h
}

pub(super) fn login_page(db: &Db, a: &Authorize, error: Option<&str>, username: &str) -> Reply {
    let pool = db.pools.get(&a.pool);
    let mut idps = String::new();
    for p in &a.client.supported_identity_providers {
        if p != "COGNITO" && pool.is_some_and(|pl| pl.config.identity_providers.iter().any(|i| &i.name == p)) {
            idps.push_str(&format!(r#"<a href="/_emulator/idp/{}?{}">Continue with {}</a>"#, url_encode(p), esc(&a.query), esc(p)));
        }
    }
    let extra = format!(
        r#"<div class="idp">{idps}</div><p class="note"><a href="/forgotPassword?{q}">Forgot your password?</a> · <a href="/signup?{q}">Sign up</a></p>"#,
        q = esc(&a.query)
    );
    let body = form(
        &format!("/login?{}", a.query),
        &[],
        &[
            Field { name: "username", label: "Username", kind: "text", value: username },
            Field { name: "password", label: "Password", kind: "password", value: "" },
        ],
        "Sign in",
        error,
        &extra,
    );
    let lang = param(&form_decode(&a.query), "lang").unwrap_or("en").to_string();
    Reply::Html(if error.is_some() { 400 } else { 200 }, page_lang("Sign in", &body, &lang), vec![])
}

pub(super) fn step_page(a: &Authorize, page: &HostedPage, flow: &str, error: Option<&str>) -> Reply {
    let (title, fields, submit): (&str, Vec<Field>, &str) = match page {
        HostedPage::NewPassword => (
            "Change your password",
            vec![Field { name: "new_password", label: "New password", kind: "password", value: "" }],
            "Change password",
        ),
        HostedPage::Confirm => (
            "Confirm your account",
            vec![Field { name: "code", label: "Verification code (see the emulator's messages)", kind: "text", value: "" }],
            "Confirm",
        ),
        HostedPage::Totp { .. } => {
            ("Enter your authenticator code", vec![Field { name: "code", label: "6-digit code", kind: "text", value: "" }], "Sign in")
        }
        HostedPage::SentCode { .. } => {
            ("Enter the code we sent you", vec![Field { name: "code", label: "Code", kind: "text", value: "" }], "Sign in")
        }
    };
    let body = form(&format!("/login?{}", a.query), &[("flow", flow), ("step", page.name())], &fields, submit, error, "");
    Reply::Html(if error.is_some() { 400 } else { 200 }, page_html(title, &body), vec![])
}

pub fn signup_get(db: &Db, query: &str, error: Option<&str>) -> Reply {
    let a = match validate(db, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let body = form(
        &format!("/signup?{}", a.query),
        &[],
        &[
            Field { name: "username", label: "Username", kind: "text", value: "" },
            Field { name: "email", label: "Email", kind: "email", value: "" },
            Field { name: "password", label: "Password", kind: "password", value: "" },
        ],
        "Sign up",
        error,
        &format!(r#"<p class="note"><a href="/login?{}">Already have an account? Sign in</a></p>"#, esc(&a.query)),
    );
    Reply::Html(if error.is_some() { 400 } else { 200 }, page_html("Sign up", &body), vec![])
}

pub fn forgot_get(db: &Db, query: &str, error: Option<&str>) -> Reply {
    let a = match validate(db, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let body = form(
        &format!("/forgotPassword?{}", a.query),
        &[],
        &[Field { name: "username", label: "Username", kind: "text", value: "" }],
        "Reset my password",
        error,
        "",
    );
    Reply::Html(if error.is_some() { 400 } else { 200 }, page_html("Forgot your password?", &body), vec![])
}

pub(super) fn reset_page(a: &Authorize, username: &str, error: Option<&str>) -> Reply {
    let body = form(
        &format!("/forgotPassword?{}", a.query),
        &[("username", username)],
        &[
            Field { name: "code", label: "Code", kind: "text", value: "" },
            Field { name: "password", label: "New password", kind: "password", value: "" },
        ],
        "Change password",
        error,
        "",
    );
    Reply::Html(if error.is_some() { 400 } else { 200 }, page_html("Reset your password", &body), vec![])
}

/// The stand-in for Google/Facebook/Amazon/Apple/OIDC/SAML: a consent page with the profile
/// the "provider" will return.
pub fn idp_get(db: &Db, provider: &str, query: &str) -> Reply {
    let a = match validate(db, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let slug = provider.to_lowercase();
    let body = form(
        &format!("/_emulator/idp/{}?{}", url_encode(provider), a.query),
        &[],
        &[
            Field { name: "email", label: "Email at the provider", kind: "email", value: &format!("{slug}.user@example.com") },
            Field { name: "name", label: "Name", kind: "text", value: &format!("{provider} User") },
            Field { name: "sub", label: "Provider user id", kind: "text", value: &format!("{slug}-10001") },
        ],
        "Allow",
        None,
        &format!(
            r#"<form method="post" action="/_emulator/idp/{}?{}"><button type="submit" name="action" value="cancel" id="cancel" style="background:#777">Cancel</button></form>"#,
            esc(&url_encode(provider)),
            esc(&a.query)
        ),
    );
    Reply::Html(200, page_html(&format!("Sign in with {provider} (emulated)"), &body), vec![])
}

pub(super) fn error_page(e: &str) -> Reply {
    Reply::Html(400, page_html("An error was encountered", &format!(r#"<p class="err" id="error">{}</p>"#, esc(e))), vec![])
}

/// The outcome of a link the user followed (`/confirmUser`).
pub(super) fn confirmation(result: Result<(), (&str, &str)>) -> Reply {
    match result {
        Ok(()) => Reply::Html(200, page_html("Account confirmed", "<p id=\"confirmed\">Your registration has been confirmed.</p>"), vec![]),
        Err((name, message)) => Reply::Html(
            400,
            page_html("Confirmation failed", &format!(r#"<p class="err" id="error">{}: {}</p>"#, esc(name), esc(message))),
            vec![],
        ),
    }
}
