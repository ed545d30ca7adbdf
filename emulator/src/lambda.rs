//! Calling a Lambda handler, locally: POST the event to a URL, or run a command with the event
//! on stdin and read the returned event from stdout, within the trigger's time (Cognito gives a
//! trigger 5 seconds). Nothing here touches the emulator's state: `triggers.rs` runs this with
//! the state unlocked, so a slow handler holds up only the request that fired it.
//!
//! ```text
//! {"url": "http://…"}   POST event (JSON) → the event, with `response` filled in
//! {"command": [...]}    event on stdin → the event on stdout (exit 0)
//! handler error: non-2xx / non-zero exit / {"errorMessage", "errorType"}
//! ```

use crate::config::TriggerConfig;
use serde::Serialize;
use serde_json::Value;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Cognito gives a trigger 5 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a handler gave no event back.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The handler failed (threw, exited non-zero, answered non-2xx): its message.
    Handler(String),
    /// What came back is not an event.
    Unrecognizable,
    /// No answer in time.
    TooSlow(Duration),
    /// It could not be run or reached.
    Unreachable(String),
}

/// One invocation, for `GET /_emulator/triggers`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub pool_id: String,
    pub trigger: &'static str,
    pub trigger_source: String,
    pub user_name: String,
    pub duration_ms: u64,
    /// `ok`, or the error name.
    pub outcome: String,
    pub event: Value,
    pub response: Value,
}

/// Runs the handler with `event`; the event it returned.
pub fn invoke(cfg: &TriggerConfig, event: &Value) -> Result<Value, Failure> {
    let timeout = cfg.timeout_ms.map(Duration::from_millis).unwrap_or(DEFAULT_TIMEOUT);
    match (&cfg.url, &cfg.command) {
        (Some(url), _) => post(url, event, timeout),
        (None, Some(argv)) if !argv.is_empty() => run(argv, event, timeout),
        _ => Err(Failure::Unreachable("a trigger needs a url or a command".into())),
    }
}

/// The returned event, or the handler's error (Lambda's `{"errorMessage"}` shape).
fn parse_answer(text: &str) -> Result<Value, Failure> {
    let v: Value = serde_json::from_str(text.trim()).map_err(|_| Failure::Unrecognizable)?;
    if let Some(m) = v.get("errorMessage") {
        return Err(Failure::Handler(m.as_str().unwrap_or("unknown error").to_string()));
    }
    Ok(v)
}

fn post(url: &str, event: &Value, timeout: Duration) -> Result<Value, Failure> {
    let agent = ureq::AgentBuilder::new().timeout(timeout).build();
    match agent.post(url).set("Content-Type", "application/json").send_string(&event.to_string()) {
        Ok(r) => parse_answer(&r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(status, r)) => match parse_answer(&r.into_string().unwrap_or_default()) {
            Err(e @ Failure::Handler(_)) => Err(e),
            _ => Err(Failure::Handler(format!("HTTP {status}"))),
        },
        Err(ureq::Error::Transport(t)) if t.to_string().contains("timed out") => Err(Failure::TooSlow(timeout)),
        Err(e) => Err(Failure::Unreachable(format!("the trigger at {url} could not be reached: {e}"))),
    }
}

/// Reads a pipe to its end on a thread of its own (a full pipe would block the child).
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_string(&mut s);
        }
        s
    })
}

fn run(argv: &[String], event: &Value, timeout: Duration) -> Result<Value, Failure> {
    let mut child = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| Failure::Unreachable(format!("cannot run {}: {e}", argv[0])))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(event.to_string().as_bytes());
    }
    let out = drain(child.stdout.take());
    let errs = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::TooSlow(timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(Failure::Unreachable(e.to_string())),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = errs.join().unwrap_or_default();
    if status.success() {
        return parse_answer(&stdout);
    }
    // Lambda's error shape on stdout when the handler threw; else the last line it printed.
    if let Err(e @ Failure::Handler(_)) = parse_answer(&stdout) {
        return Err(e);
    }
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
    Err(Failure::Handler(if last.is_empty() { format!("exit status {}", status.code().unwrap_or(-1)) } else { last }))
}
