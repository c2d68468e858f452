//! leafseal: SOPS-compatible secrets files. Keys stay readable, every value is encrypted with
//! AES-256-GCM under a per-file data key that master keys (age, PGP, cloud KMS) wrap.
//!
//! Module map: [`tree`] (document model) ← [`cipher`] (values, MAC) ← [`store`] (formats).
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// Tests may unwrap: a panic there is a test failure with a backtrace (STYLE.md §3).
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod cipher;
pub mod config;
pub mod error;
pub mod fsio;
pub mod keygroups;
pub mod keys;
#[cfg(feature = "keyservice")]
pub mod keyservice;
/// Without the `keyservice` feature: the two choke points call the backend directly.
#[cfg(not(feature = "keyservice"))]
#[path = "keyservice/off.rs"]
pub(crate) mod keyservice;
pub mod ops;
pub mod shamir;
pub mod store;
pub mod tree;

#[cfg(test)]
mod proptests;

pub use error::{Error, ErrorKind, Result};
