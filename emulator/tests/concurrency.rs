//! Nothing waits on another request's trigger: while one user's sign-in is held up for 3 s by
//! its preAuthentication handler (a URL trigger), a JWKS GET, another user's sign-in (through
//! the same trigger) and a DescribeUserPool each answer in under 100 ms, over HTTP, against a
//! running emulator.

mod common;
use common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the slow user's handler takes.
const SLOW: Duration = Duration::from_secs(3);

/// A preAuthentication handler over HTTP: 3 s for the user `slow` (telling the test it has
/// started), at once for anyone else.
fn handler(started: mpsc::Sender<()>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let started = started.clone();
            std::thread::spawn(move || answer(stream, &started));
        }
    });
    url
}

fn answer(mut stream: std::net::TcpStream, started: &mpsc::Sender<()>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let event: Value = serde_json::from_slice(&body).unwrap();
    if event["userName"] == "slow" {
        started.send(()).unwrap();
        std::thread::sleep(SLOW);
    }
    let text = event.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

fn password_sign_in(client: &str, user: &str) -> Result<Value, Failure> {
    let params = json!({"USERNAME": user, "PASSWORD": "Passw0rd!"});
    call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params}))
}

/// The quickest of three tries (one slow try on a busy machine is not the lock).
fn quickest(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

#[test]
fn a_slow_trigger_holds_up_only_its_own_request() {
    let (tx, started) = mpsc::channel();
    let url = handler(tx);
    let user = |name: &str| json!({"username": name, "password": "Passw0rd!", "attributes": {"email": format!("{name}@example.com")}});
    let (pool, client) = new_pool(json!({
        "triggers": {"preAuthentication": {"url": url}},
        "clients": [{"explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
        "users": [user("slow"), user("fast")],
    }));
    // Warm: the first requests of a connection pool and a handler are not what is measured.
    password_sign_in(&client, "fast").unwrap();
    get_json(&format!("/{pool}/.well-known/jwks.json"));

    let c = client.clone();
    let slow = std::thread::spawn(move || {
        let t = Instant::now();
        let r = password_sign_in(&c, "slow");
        (r, t.elapsed(), Instant::now())
    });
    started.recv_timeout(Duration::from_secs(20)).expect("the slow handler was called");
    let jwks = quickest(|| assert_eq!(get_json(&format!("/{pool}/.well-known/jwks.json"))["keys"].as_array().unwrap().len(), 2));
    let sign_in = quickest(|| assert!(password_sign_in(&client, "fast").unwrap()["AuthenticationResult"]["IdToken"].is_string()));
    let describe = quickest(|| assert_eq!(call("DescribeUserPool", json!({"UserPoolId": pool})).unwrap()["UserPool"]["Id"], pool));
    let measured = Instant::now();

    let (r, took, done) = slow.join().unwrap();
    assert!(r.unwrap()["AuthenticationResult"]["AccessToken"].is_string());
    assert!(took >= SLOW, "the slow sign-in waited for its handler: {took:?}");
    assert!(done > measured, "all three were measured while the slow trigger was in flight");
    for (what, t) in [("JWKS", jwks), ("another user's sign-in", sign_in), ("DescribeUserPool", describe)] {
        assert!(t < Duration::from_millis(100), "{what} took {t:?} while a 3 s trigger ran");
    }
}
