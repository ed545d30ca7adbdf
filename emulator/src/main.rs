//! `cognito-emulator [options]` (emulator/README.md, "The command line"):
//!
//! ```text
//! --port N             9229; 0 = any free port
//! --host ADDR          127.0.0.1
//! --config FILE        pools, clients, users, identity pools, quotas (config.rs)
//! --triggers FILE      Lambda triggers for every pool without its own
//! --data FILE          keep the state in FILE (SQLite; a JSON data file of earlier versions is
//!                      imported)
//! --quotas default     Cognito's request-rate quotas (quotas.rs); off without it
//! --quota CAT=RPS      one category's rate (repeatable)
//! --allow-origin O     an origin besides the local ones that may use /_emulator/ (repeatable)
//! --allow-host NAME    a host name besides local ones the emulator answers to (repeatable)
//! ```
//! Prints one JSON line when ready: endpoint, userPoolId, clientId, issuer, hostedUiDomain,
//! redirectSignIn, redirectSignOut. Messages Cognito would send (codes, links) are printed as
//! JSON lines too, and served at `GET /_emulator/messages`.

use cognito_emulator::{bind, config, quotas, serve, Options};
use std::io::Write;
use std::path::PathBuf;

const USAGE: &str = "usage: cognito-emulator [--port N (default 9229, 0 = any free port)] [--host ADDR (default 127.0.0.1)] \
[--config FILE] [--triggers FILE (Lambda triggers for every pool without its own; ./ and ../ in commands are relative to FILE)] \
[--data FILE] [--quotas default] [--quota CATEGORY=RPS]... [--allow-origin ORIGIN]... [--allow-host NAME]...";

fn main() {
    if let Err(e) = run() {
        eprintln!("cognito-emulator: {e}");
        std::process::exit(2);
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &str) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
}

/// What the command line says, beyond `Options`.
#[derive(Default)]
struct Extra {
    triggers: Option<String>,
    default_quotas: bool,
    quotas: Vec<(quotas::Category, u32)>,
}

/// One option; `Ok(false)` for --help.
fn option(a: &str, value: &mut dyn FnMut(&str) -> Result<String, String>, o: &mut Options, x: &mut Extra) -> Result<bool, String> {
    match a {
        "--port" => o.port = value("--port")?.parse().map_err(|_| format!("--port must be a number\n{USAGE}"))?,
        "--host" => o.host = value("--host")?,
        "--config" => o.config = read_json(&value("--config")?)?,
        "--triggers" => x.triggers = Some(value("--triggers")?),
        "--data" => o.data = Some(PathBuf::from(value("--data")?)),
        "--quotas" => match value("--quotas")?.as_str() {
            "default" => x.default_quotas = true,
            other => return Err(format!("--quotas takes `default`, not {other}\n{USAGE}")),
        },
        "--quota" => x.quotas.push(quotas::parse_rate(&value("--quota")?)?),
        "--allow-origin" => o.allow_origins.push(value("--allow-origin")?),
        "--allow-host" => o.allow_hosts.push(value("--allow-host")?),
        "-h" | "--help" => return Ok(false),
        other => return Err(format!("unknown argument {other}\n{USAGE}")),
    }
    Ok(true)
}

fn run() -> Result<(), String> {
    let mut opts = Options::new(config::default_config());
    let mut extra = Extra::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value\n{USAGE}"));
        if !option(&a, &mut value, &mut opts, &mut extra)? {
            println!("{USAGE}");
            return Ok(());
        }
    }
    if let Some(path) = extra.triggers {
        let mut t: config::Triggers = read_json(&path)?;
        t.resolve_paths(std::path::Path::new(&path).parent().unwrap_or(std::path::Path::new("")));
        for pool in opts.config.pools.iter_mut().filter(|p| p.triggers.is_empty()) {
            pool.triggers = t.clone();
        }
    }
    if extra.default_quotas {
        opts.config.quotas.extend(quotas::defaults());
    }
    opts.config.quotas.extend(extra.quotas);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let b = bind(opts).await?;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", b.ready);
        let _ = out.flush();
        serve(b).await
    })
}
