//! Key services: SOPS's gRPC `KeyService` (`keyservice/keyservice.proto`), both sides. A
//! machine without a key wraps and unwraps data keys through a service that has it (an
//! SSH-forwarded socket to a laptop, a bastion with KMS access).
//!
//! The client side is two choke points used by `keygroups`: [`wrap`] and [`unwrap`]. They try
//! an ordered list of services, the local one (this process's own keys, SOPS's "local key
//! service") first when enabled, then the remote ones in the order given; per key the first
//! success wins. With no remote service configured both are a direct call to the backend, so the
//! local path is unchanged. [`server`] answers requests with this process's keys. This module
//! knows no file format: it sees metadata entries ([`StoredKey`]) and the `enc` text only.
//! See `docs/keyservice.md`.

pub mod client;
pub mod mapping;
pub mod proto;
pub mod server;

use std::sync::OnceLock;

use zeroize::Zeroizing;

use crate::keys::{KeyError, MasterKey};
use crate::store::metadata::StoredKey;

pub use client::{Remote, TlsFiles};

/// The services a process uses, set once from the command line.
struct Services {
    local: bool,
    remotes: Vec<Remote>,
}

static SERVICES: OnceLock<Services> = OnceLock::new();

/// Use `remotes` (in order) after this machine's keys, or instead of them when `local` is
/// false. Set once per process; a second call is ignored and returns false.
pub fn configure(local: bool, remotes: Vec<Remote>) -> bool {
    SERVICES.set(Services { local, remotes }).is_ok()
}

/// Whether remote key services are in use (for hints).
pub fn has_remotes() -> bool {
    SERVICES.get().is_some_and(|s| !s.remotes.is_empty())
}

/// The configured services when they are more than the local one.
fn routed() -> Option<&'static Services> {
    SERVICES.get().filter(|s| !s.local || !s.remotes.is_empty())
}

/// One error for a key from every service's error: `NotMine` only when every service said so.
fn combine(errors: Vec<(String, KeyError)>) -> KeyError {
    let failed = errors.iter().any(|(_, e)| matches!(e, KeyError::Failed(_)));
    let text = if errors.is_empty() {
        "no key service is enabled".to_owned()
    } else {
        errors
            .iter()
            .map(|(svc, e)| format!("{svc}: {e}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    if failed {
        KeyError::Failed(text)
    } else {
        KeyError::NotMine(text)
    }
}

/// Wrap `secret` for `key` through the configured services (see the module docs).
pub fn wrap(key: &dyn MasterKey, secret: &[u8]) -> Result<StoredKey, KeyError> {
    let Some(svcs) = routed() else {
        return key.wrap(secret);
    };
    let mut errors = Vec::new();
    if svcs.local {
        match key.wrap(secret) {
            Ok(k) => return Ok(k),
            Err(e) => errors.push(("local".to_owned(), e)),
        }
    }
    if !svcs.remotes.is_empty() {
        let template = key.entry("");
        let pkey = mapping::key_of_stored(&template)
            .map_err(|e| KeyError::Failed(format!("{}: {e}", template.id())))?;
        for r in &svcs.remotes {
            match r.encrypt(&pkey, secret) {
                Ok(enc) => return Ok(key.entry(&enc)),
                Err(e) => errors.push((r.uri().to_owned(), e)),
            }
        }
    }
    Err(combine(errors))
}

/// Unwrap a metadata entry through the configured services; `local` is this process's own
/// attempt (the backend's `unwrap`).
pub fn unwrap(
    stored: &StoredKey,
    local: impl Fn(&StoredKey) -> Result<Zeroizing<Vec<u8>>, KeyError>,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let Some(svcs) = routed() else {
        return local(stored);
    };
    let mut errors = Vec::new();
    if svcs.local {
        match local(stored) {
            Ok(k) => return Ok(k),
            Err(e) => errors.push(("local".to_owned(), e)),
        }
    }
    if !svcs.remotes.is_empty() {
        let pkey = mapping::key_of_stored(stored).map_err(|e| KeyError::Failed(e.to_string()))?;
        for r in &svcs.remotes {
            match r.decrypt(&pkey, stored.enc().as_bytes()) {
                Ok(k) => return Ok(k),
                Err(e) => errors.push((r.uri().to_owned(), e)),
            }
        }
    }
    Err(combine(errors))
}
