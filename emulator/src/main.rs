//! `cognito-emulator [--port N] [--host ADDR] [--config FILE] [--triggers FILE] [--data FILE]`
//!
//! Prints one JSON line when ready: endpoint, userPoolId, clientId, issuer, hostedUiDomain,
//! redirectSignIn, redirectSignOut. Messages Cognito would send (codes, links) are printed as
//! JSON lines too, and served at `GET /_emulator/messages`.

use cognito_emulator::{bind, config, serve, Options};
use std::io::Write;
use std::path::PathBuf;

const USAGE: &str =
    "usage: cognito-emulator [--port N (default 9229, 0 = any free port)] [--host ADDR (default 127.0.0.1)] [--config FILE] [--triggers FILE (Lambda triggers for every pool without its own; ./ and ../ in commands are relative to FILE)] [--data FILE]";

fn main() {
    if let Err(e) = run() {
        eprintln!("cognito-emulator: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut opts = Options { host: "127.0.0.1".into(), port: 9229, config: config::default_config(), data: None };
    let mut args = std::env::args().skip(1);
    let mut triggers = None;
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value\n{USAGE}"));
        match a.as_str() {
            "--port" => opts.port = value("--port")?.parse().map_err(|_| format!("--port must be a number\n{USAGE}"))?,
            "--host" => opts.host = value("--host")?,
            "--config" => {
                let path = value("--config")?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
                opts.config = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
            }
            "--triggers" => triggers = Some(value("--triggers")?),
            "--data" => opts.data = Some(PathBuf::from(value("--data")?)),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if let Some(path) = triggers {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let mut t: cognito_emulator::triggers::Triggers = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        let dir = std::path::Path::new(&path).parent().map(|d| d.to_path_buf()).unwrap_or_default();
        t.resolve_paths(&dir);
        for pool in &mut opts.config.pools {
            if pool.triggers.is_empty() {
                pool.triggers = t.clone();
            }
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let b = bind(opts).await?;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", b.ready);
        let _ = out.flush();
        serve(b).await
    })
}
