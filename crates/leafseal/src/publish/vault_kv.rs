//! Vault KV (v1 and v2) writes for `publish`: the token, TLS settings and namespace are read
//! as for Vault transit keys (`VAULT_TOKEN` or `~/.vault-token`, `VAULT_CACERT`, …,
//! `VAULT_NAMESPACE`). As SOPS does, an existing secret with the same data is left alone, so no
//! new KV v2 version is made for an unchanged file.

use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::keys::rest::{Call, Reply, Tls};
use crate::keys::vault;

struct Client<'a> {
    address: &'a str,
    url: String,
    token: Zeroizing<String>,
    tls: Tls,
    deadline: Instant,
    connect: Duration,
}

impl Client<'_> {
    fn send(&self, method: &str, body: Option<&[u8]>) -> Result<Reply, String> {
        let mut headers = vec![
            ("X-Vault-Token", self.token.as_str().to_owned()),
            ("X-Vault-Request", "true".to_owned()),
        ];
        if let Some(ns) = std::env::var("VAULT_NAMESPACE")
            .ok()
            .filter(|n| !n.is_empty())
        {
            headers.push(("X-Vault-Namespace", ns));
        }
        if body.is_some() {
            headers.push(("Content-Type", "application/json".to_owned()));
        }
        let call = Call {
            method,
            url: &self.url,
            headers,
            body,
            deadline: self.deadline,
            connect: self.connect,
        };
        let answer = call.send_with(&self.tls);
        // The header held a copy of the token.
        for (_, v) in call.headers {
            drop(Zeroizing::new(v));
        }
        answer.map_err(|e| format!("cannot reach Vault at {}: {e}", self.address))
    }
}

/// Write the JSON object `data` as the secret at API path `path` (already `mount/data/…` for v2);
/// `false` when the secret already held that data.
pub(super) fn write(
    address: &str,
    path: &str,
    version: u8,
    data: &str,
    deadline: Instant,
    connect: Duration,
) -> Result<bool, String> {
    let client = Client {
        address,
        url: format!("{}/v1/{path}", address.trim_end_matches('/')),
        token: vault::token()?,
        tls: vault::tls().map_err(|e| e.to_string())?,
        deadline,
        connect,
    };
    let read = client.send("GET", None)?;
    if read.status == 200 {
        // (serde_json values cannot be wiped; they live only for this comparison.)
        let wanted: serde_json::Value = serde_json::from_str(data)
            .map_err(|e| format!("the decrypted values are not a JSON object: {e}"))?;
        let existing = read.json();
        let current = if version == 1 {
            existing.get("data")
        } else {
            existing.get("data").and_then(|d| d.get("data"))
        };
        if current == Some(&wanted) {
            return Ok(false);
        }
    }
    let body = Zeroizing::new(if version == 1 {
        data.to_owned()
    } else {
        format!("{{\"data\":{data}}}")
    });
    let answer = client.send("PUT", Some(body.as_bytes()))?;
    match answer.status {
        200 | 204 => Ok(true),
        403 => Err(format!(
            "{} (the token may not write here)",
            answer.error_summary()
        )),
        404 => Err(format!(
            "{} (is a KV v{version} engine mounted there?)",
            answer.error_summary()
        )),
        _ => Err(answer.error_summary()),
    }
}
