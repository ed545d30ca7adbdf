//! Several accounts in one browser (issue #26), natively over `TestEnv`: adding, listing and
//! switching accounts across tabs, per-account refresh (switching while a refresh is in flight),
//! signing out one account or all, the storage of identity-js / Amplify / earlier cognito-wasm
//! carried over, and the `maxAccounts` limit. Virtual time: an hour passes in no time.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/env.rs"]
mod env;

use cognito_wasm::client::*;
use cognito_wasm::proto::session::{accounts_key, last_user_key};
use cognito_wasm::proto::types::ClientId;
use env::{srp_input, Action, TestEnv, World};
use serde_json::json;
use std::rc::Rc;

type Tab = Rc<Client<TestEnv>>;

const HOUR_MS: f64 = 3_600_000.0;

fn users() -> serde_json::Value {
    let users: Vec<_> = ["alice", "bob", "carol"]
        .iter()
        .map(|u| json!({"username": u, "password": "Passw0rd!", "attributes": {"email": format!("{u}@example.com")}}))
        .collect();
    json!({ "users": users })
}

fn input(user: &str, add: bool) -> SignInInput {
    SignInInput { add_account: add, ..srp_input(user, "Passw0rd!") }
}

fn sign_in(w: &Rc<World>, t: &Tab, user: &str, add: bool) -> Result<SignInOutcome, cognito_wasm::proto::Error> {
    let c = t.clone();
    let i = input(user, add);
    w.run(async move { c.sign_in(i).await })
}

fn session(w: &Rc<World>, t: &Tab) -> Option<String> {
    let c = t.clone();
    w.run(async move { c.get_session(false).await.unwrap().map(|s| s.username) })
}

fn accounts(w: &Rc<World>, t: &Tab) -> Vec<AccountInfo> {
    let c = t.clone();
    w.run(async move { c.list_accounts().await })
}

fn names(list: &[AccountInfo]) -> Vec<(&str, bool)> {
    list.iter().map(|a| (a.username.as_str(), a.current)).collect()
}

fn kinds(t: &Tab) -> Vec<(EventKind, Option<String>, bool)> {
    t.env.events.borrow().iter().map(|e| (e.kind, e.username.clone(), e.from_other_tab)).collect()
}

fn client_id(o: &serde_json::Value) -> ClientId {
    ClientId::new(o["clientId"].as_str().unwrap())
}

#[test]
fn accounts_are_added_listed_and_switched_in_every_tab() {
    let (w, o) = World::new(users());
    let (a, b) = (w.tab(&o), w.tab(&o));
    assert_eq!(sign_in(&w, &a, "alice", false).unwrap(), SignInOutcome::SignedIn);
    // Without addAccount a second sign-in is refused, as before; nothing is sent.
    let before = w.count("InitiateAuth");
    let e = sign_in(&w, &a, "bob", false).unwrap_err();
    assert_eq!(e.name(), "InvalidStateError");
    assert!(e.message().contains("addAccount"), "{}", e.message());
    assert_eq!(w.count("InitiateAuth"), before);
    // With it, bob joins and becomes current, in both tabs.
    w.advance(1000.0);
    assert_eq!(sign_in(&w, &a, "bob", true).unwrap(), SignInOutcome::SignedIn);
    assert_eq!(session(&w, &a).as_deref(), Some("bob"));
    assert_eq!(session(&w, &b).as_deref(), Some("bob"));
    let list = accounts(&w, &b);
    assert_eq!(names(&list), [("alice", false), ("bob", true)]);
    assert_eq!(list[0].email.as_deref(), Some("alice@example.com"));
    assert!(list[0].sub.is_some() && list[0].sub != list[1].sub);
    assert!(list[1].last_used_at_ms > list[0].last_used_at_ms && list[0].last_used_at_ms > 0.0);
    assert!(list.iter().all(|x| x.expires_at_ms > w.now_ms()));
    // Identity-js and Amplify read LastAuthUser: the current account.
    assert_eq!(w.storage().get(&last_user_key(&client_id(&o))).map(String::as_str), Some("bob"));

    // Switching by sub in tab b: every tab now acts for alice, and hears it.
    let alice_sub = list[0].sub.clone().unwrap();
    let c = b.clone();
    let s = w.run(async move { c.switch_account(&alice_sub).await.unwrap() });
    assert_eq!(s.username, "alice");
    assert_eq!(session(&w, &a).as_deref(), Some("alice"));
    let c = a.clone();
    assert_eq!(w.run(async move { c.get_user_attributes().await.unwrap() }).iter().find(|(k, _)| k == "email").map(|(_, v)| v.as_str()), Some("alice@example.com"));
    assert!(kinds(&b).contains(&(EventKind::AccountSwitched, Some("alice".into()), false)));
    assert!(kinds(&a).contains(&(EventKind::AccountSwitched, Some("alice".into()), true)));
    assert_eq!(names(&accounts(&w, &a)), [("alice", true), ("bob", false)]);
    // An unknown account: a clear error, nothing changes.
    let c = a.clone();
    let e = w.run(async move { c.switch_account("nobody").await.unwrap_err() });
    assert_eq!(e.name(), "InvalidStateError");
    assert_eq!(session(&w, &b).as_deref(), Some("alice"));
}

#[test]
fn each_account_refreshes_on_its_own_and_a_switch_mid_refresh_finishes_for_the_old_account() {
    let (w, o) = World::new(users());
    let (a, b) = (w.tab(&o), w.tab(&o));
    sign_in(&w, &a, "alice", false).unwrap();
    sign_in(&w, &a, "bob", true).unwrap();
    let c = a.clone();
    w.run(async move { c.switch_account("alice").await.unwrap() });
    w.advance(HOUR_MS);
    // Alice's refresh is slow; meanwhile tab b switches to bob and gets bob's session, refreshed
    // by its own request: neither refresh waits for the other's lock.
    w.rule("InitiateAuth", 1, Action::Delay(2_000));
    let (ca, cb) = (a.clone(), b.clone());
    let results = w.run_all(vec![
        Box::pin(async move { ca.get_session(false).await.unwrap().unwrap() }),
        Box::pin(async move {
            cb.switch_account("bob").await.unwrap();
            let start = cb.env.now_ms();
            let s = cb.get_session(false).await.unwrap().unwrap();
            assert!(cb.env.now_ms() - start < 1_000.0, "bob's refresh did not wait for alice's");
            s
        }),
    ]);
    assert_eq!((results[0].username.as_str(), results[1].username.as_str()), ("alice", "bob"), "each call finished for its account");
    assert_eq!(w.count("InitiateAuth"), 2 + 2, "two sign-ins, one refresh each");
    // Alice's late refresh stored her tokens under her name and left bob current.
    assert_eq!(session(&w, &a).as_deref(), Some("bob"));
    let k = cognito_wasm::proto::session::UserKeys::new(&client_id(&o), "alice");
    assert_eq!(w.storage().get(&k.access_token()), Some(String::from(results[0].access_token.expose())).as_ref());
    let c = a.clone();
    w.run(async move { c.switch_account("alice").await.unwrap() });
    let before = w.count("InitiateAuth");
    assert_eq!(session(&w, &a).as_deref(), Some("alice"));
    assert_eq!(w.count("InitiateAuth"), before, "alice's tokens are fresh: no second refresh");
}

#[test]
fn sign_out_ends_the_current_account_and_the_most_recent_other_takes_over() {
    let (w, o) = World::new(users());
    let (a, b) = (w.tab(&o), w.tab(&o));
    for (u, add) in [("alice", false), ("bob", true), ("carol", true)] {
        w.advance(1000.0);
        sign_in(&w, &a, u, add).unwrap();
    }
    let c = a.clone();
    w.advance(1000.0);
    w.run(async move { c.switch_account("alice").await.unwrap() });
    // Current: alice; most recently used before her: carol.
    let c = a.clone();
    w.run(async move { c.sign_out(false, false).await.unwrap() });
    assert_eq!(w.count("RevokeToken"), 1);
    assert_eq!(session(&w, &b).as_deref(), Some("carol"));
    assert_eq!(names(&accounts(&w, &b)), [("bob", false), ("carol", true)]);
    // The switch comes first: when "signedOut" arrives, the current account is already carol.
    let other: Vec<_> = kinds(&b).into_iter().filter(|k| k.2).collect();
    assert_eq!(other[other.len() - 2..], [(EventKind::AccountSwitched, Some("carol".into()), true), (EventKind::SignedOut, Some("alice".into()), true)]);
    // Alice's tokens are gone from storage; the others are there.
    let store = w.storage();
    assert!(!store.keys().any(|k| k.contains(".alice.") && k.ends_with("Token")));
    assert!(store.keys().any(|k| k.contains(".bob.accessToken")));

    // allAccounts: every one ends (each refresh token revoked), nothing is left.
    let c = b.clone();
    w.run(async move { c.sign_out_with(false, false, true).await.unwrap() });
    assert_eq!(w.count("RevokeToken"), 3);
    assert_eq!(session(&w, &a), None);
    assert!(accounts(&w, &a).is_empty());
    let store = w.storage();
    assert!(!store.keys().any(|k| k.ends_with("Token") || k.ends_with("LastAuthUser") || k.ends_with(".accounts")), "{store:?}");
    let ended: Vec<_> = kinds(&b).into_iter().filter(|k| k.0 == EventKind::SignedOut && !k.2).map(|k| k.1.unwrap()).collect();
    assert_eq!(ended.len(), 2);
    assert!(ended.contains(&"bob".to_string()) && ended.contains(&"carol".to_string()));
}

#[test]
fn single_user_storage_carries_over_and_a_session_cognito_ends_leaves_the_others() {
    let (w, o) = World::new(users());
    let a = w.tab(&o);
    sign_in(&w, &a, "alice", false).unwrap();
    // What identity-js, Amplify and cognito-wasm 0.1 leave: LastAuthUser and the tokens, no list.
    w.store(&accounts_key(&client_id(&o)), None);
    let fresh = w.tab(&o);
    assert_eq!(session(&w, &fresh).as_deref(), Some("alice"), "nobody is signed out by the upgrade");
    assert_eq!(names(&accounts(&w, &fresh)), [("alice", true)]);
    sign_in(&w, &fresh, "bob", true).unwrap();
    assert_eq!(names(&accounts(&w, &a)), [("alice", false), ("bob", true)]);

    // Cognito ends bob's session (his refresh token revoked): bob goes; alice stays signed in,
    // nobody is current until the app switches (no silent change of user).
    w.advance(HOUR_MS);
    w.rule("InitiateAuth", 1, Action::Exception("NotAuthorizedException", 400));
    let c = fresh.clone();
    let e = w.run(async move { c.get_session(false).await.unwrap_err() });
    assert_eq!(e.name(), "NotAuthorizedException");
    assert_eq!(session(&w, &a), None);
    assert_eq!(names(&accounts(&w, &a)), [("alice", false)]);
    let c = a.clone();
    w.run(async move { c.switch_account("alice").await.unwrap() });
    assert_eq!(session(&w, &fresh).as_deref(), Some("alice"));
}

#[test]
fn past_max_accounts_adding_is_refused_and_nothing_is_dropped() {
    let (w, mut o) = World::new(users());
    o["maxAccounts"] = json!(2);
    let a = w.tab(&o);
    sign_in(&w, &a, "alice", false).unwrap();
    sign_in(&w, &a, "bob", true).unwrap();
    let (requests, store) = (w.count("InitiateAuth"), w.storage());
    let e = sign_in(&w, &a, "carol", true).unwrap_err();
    assert_eq!((e.name(), e.retryable()), ("AccountLimitError", false));
    assert!(e.message().contains("2 accounts are signed in"), "{}", e.message());
    assert_eq!(w.count("InitiateAuth"), requests, "refused before any request");
    assert_eq!(w.storage(), store, "nothing dropped, nothing changed");
    // An account already signed in may sign in again (by its e-mail address too).
    assert_eq!(sign_in(&w, &a, "alice@example.com", true).map_err(|e| e.name().to_string()), Err("UserNotFoundException".into()), "the pool has no e-mail aliases: Cognito's answer, not the limit");
    assert_eq!(sign_in(&w, &a, "alice", true).unwrap(), SignInOutcome::SignedIn);
    assert_eq!(names(&accounts(&w, &a)), [("alice", true), ("bob", false)]);
    // A limit hit at the last moment (another tab added one meanwhile) keeps nothing either,
    // and revokes the refresh token Cognito issued.
    let b = w.tab(&o);
    let c = b.clone();
    w.run(async move { c.sign_out(false, false).await.unwrap() });
    assert_eq!(names(&accounts(&w, &a)), [("bob", true)]);
    let revoked = w.count("RevokeToken");
    w.rule("RespondToAuthChallenge", 1, Action::Delay(500));
    let (ca, cb) = (a.clone(), b.clone());
    let r = w.run_all(vec![
        Box::pin(async move { ca.sign_in(input("carol", true)).await.map(|_| ()).map_err(|e| e.name().to_string()) }),
        Box::pin(async move { cb.sign_in(input("alice", true)).await.map(|_| ()).map_err(|e| e.name().to_string()) }),
    ]);
    assert!(r.contains(&Ok(())) && r.contains(&Err("AccountLimitError".into())), "{r:?}");
    assert_eq!(w.count("RevokeToken"), revoked + 1);
    assert_eq!(accounts(&w, &a).len(), 2);
}

#[test]
fn a_switch_reaches_the_other_tab_before_its_storage_does() {
    let (w, o) = World::new(users());
    let (a, b) = (w.tab(&o), w.tab(&o));
    sign_in(&w, &a, "alice", false).unwrap();
    sign_in(&w, &a, "bob", true).unwrap();
    // In Chromium one page's storage write can reach another tens of ms late; the message
    // carries the tokens, so the other tab acts for the new account at once.
    w.storage_lag_ms.set(300);
    let c = a.clone();
    w.run(async move { c.switch_account("alice").await.unwrap() });
    assert_eq!(session(&w, &b).as_deref(), Some("alice"), "getSession in the other tab, storage not caught up");
    assert_eq!(b.current_user().map(|u| u.username).as_deref(), Some("alice"), "currentUser too");
    // This tab's own switch back is its own at once, whatever it was told a moment ago (once
    // the first write has landed: two tabs writing within the lag is another matter).
    w.advance(400.0);
    let c = b.clone();
    w.run(async move { c.switch_account("bob").await.unwrap() });
    assert_eq!(session(&w, &b).as_deref(), Some("bob"));
    w.advance(2_000.0);
    assert_eq!((session(&w, &a).as_deref(), session(&w, &b).as_deref()), (Some("bob"), Some("bob")));
    // A sign-out told before storage shows it: signed out at once.
    let c = a.clone();
    w.run(async move { c.sign_out_with(false, false, true).await.unwrap() });
    assert_eq!(session(&w, &b), None);
}
