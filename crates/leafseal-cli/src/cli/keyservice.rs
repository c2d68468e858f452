//! `keyservice`: serve this machine's keys (SOPS's `sops keyservice`), and the client flags
//! (`--keyservice`, `--keyservice-ca/-cert/-key`) turned into remotes.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;

use leafseal::keyservice::client::Limits;
use leafseal::keyservice::server::{self, Listen, ServeOptions, TlsSetup};
use leafseal::keyservice::{Remote, TlsFiles};

use super::args::{Globals, KeyserviceArgs};
use super::Failure;

/// The remotes named by `--keyservice` (each URI checked, nothing contacted yet).
pub fn remotes(g: &Globals) -> Result<Vec<Remote>, Failure> {
    let tls = TlsFiles {
        ca: g.keyservice_ca.clone(),
        cert: g.keyservice_cert.clone(),
        key: g.keyservice_key.clone(),
    };
    let limits = Limits::from_env().map_err(|e| Failure::new(1, e))?;
    g.keyservice
        .iter()
        .map(|u| u.trim())
        .filter(|u| !u.is_empty())
        .map(|u| Remote::parse(u, &tls, limits).map_err(|e| Failure::new(1, e)))
        .collect()
}

fn log_line(line: &str) {
    eprintln!("leafseal keyservice: {line}");
}

/// `--prompt`: ask on stderr, read y/n from stdin (as SOPS does); end of input refuses.
fn ask(question: &str) -> bool {
    let stdin = std::io::stdin();
    loop {
        eprint!("leafseal keyservice: {question}. Answer it? (y/n): ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => return false,
            Ok(_) => match line.trim() {
                "y" | "Y" | "yes" => return true,
                "n" | "N" | "no" => return false,
                _ => continue,
            },
        }
    }
}

pub fn run(a: KeyserviceArgs, verbose: bool) -> Result<(), Failure> {
    let listen = match a.network.as_str() {
        "unix" => Listen::Unix(PathBuf::from(&a.address)),
        _ => Listen::Tcp(a.address.clone()),
    };
    let tls = match (a.tls_cert, a.tls_key, a.tls_client_ca) {
        (Some(cert), Some(key), Some(client_ca)) => Some(TlsSetup {
            cert,
            key,
            client_ca,
        }),
        _ => None,
    };
    let confirm: Option<server::Confirm> = if a.prompt { Some(Arc::new(ask)) } else { None };
    let opts = ServeOptions {
        listen,
        tls,
        confirm,
        log: Arc::new(log_line),
        verbose,
    };
    server::serve(opts, |addr| log_line(&format!("listening on {addr}")))
        .map_err(|e| Failure::new(1, e))
}
