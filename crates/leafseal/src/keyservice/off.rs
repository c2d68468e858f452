//! The key-service choke points of a build without the `keyservice` feature: no service can be
//! configured, so [`wrap`] and [`unwrap`] are direct calls to this process's own keys.

use zeroize::Zeroizing;

use crate::keys::{KeyError, MasterKey};
use crate::store::metadata::StoredKey;

/// Whether remote key services are in use: never in this build.
pub fn has_remotes() -> bool {
    false
}

/// Wrap `secret` for `key` with this process's keys.
pub fn wrap(key: &dyn MasterKey, secret: &[u8]) -> Result<StoredKey, KeyError> {
    key.wrap(secret)
}

/// Unwrap a metadata entry with this process's keys (`local`).
pub fn unwrap(
    stored: &StoredKey,
    local: impl Fn(&StoredKey) -> Result<Zeroizing<Vec<u8>>, KeyError>,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    local(stored)
}
