//! leafseal: SOPS-compatible secrets files as a Rust library. Keys stay readable, every value is
//! encrypted with AES-256-GCM under a per-file data key that master keys (age, PGP, cloud KMS)
//! wrap. Files are byte-compatible with getsops SOPS 3.x: what `sops` wrote, leafseal opens, and
//! the other way round.
//!
//! # The API
//!
//! The documented API is small: [`Document`] (an encrypted file in memory), [`decrypt_file`],
//! [`encrypt`] with [`Recipients`], [`encrypt_file_with_rules`] (`.sops.yaml`), the
//! [`MasterKey`] trait for keys of your own, and one error type, [`Error`], whose
//! [`kind`](Error::kind) ([`ErrorKind`]) you match on. See `docs/library.md` for the tour.
//!
//! Decrypt a file into your own type (age identities come from `SOPS_AGE_KEY_FILE` and the
//! other places SOPS looks, or from [`use_age_key_file`]):
//!
//! ```
//! # let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
//! # leafseal::use_age_key_file(format!("{repo}/testdata/keys/age1.txt"));
//! #[derive(serde::Deserialize)]
//! struct Settings {
//!     database: Database,
//!     debug: bool,
//! }
//! #[derive(serde::Deserialize)]
//! struct Database {
//!     host: String,
//!     port: u16,
//!     password: String,
//! }
//!
//! let doc = leafseal::Document::read(format!("{repo}/testdata/library/app.sops.yaml"))?;
//! let settings: Settings = doc.deserialize()?;
//! assert_eq!(settings.database.port, 5432);
//! assert!(!settings.debug);
//!
//! // One value by its SOPS path.
//! let password = doc.extract(r#"["database"]["password"]"#)?;
//! assert_eq!(password, "s3cr3t-pa55");
//! # Ok::<(), leafseal::Error>(())
//! ```
//!
//! Encrypt for an age recipient, change a value, rotate the data key:
//!
//! ```
//! use leafseal::{encrypt, Format, Recipients};
//! # let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
//! # leafseal::use_age_key_file(format!("{repo}/testdata/keys/age1.txt"));
//!
//! let recipients =
//!     Recipients::new().age("age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v")?;
//! let doc = encrypt(b"token: abc\nregion_unencrypted: eu\n", Format::Yaml, recipients)?;
//! let text = String::from_utf8_lossy(doc.as_bytes());
//! assert!(text.contains("token: ENC[AES256_GCM,"));
//! assert!(text.contains("region_unencrypted: eu"));
//!
//! let doc = doc.set(r#"["token"]"#, serde_json::json!("xyz"))?;
//! let doc = doc.rotate(Recipients::new())?;
//! assert_eq!(doc.extract(r#"["token"]"#)?, "xyz");
//! # Ok::<(), leafseal::Error>(())
//! ```
//!
//! Errors carry a kind to match, never a string to parse:
//!
//! ```
//! use leafseal::{Document, ErrorKind, Format};
//!
//! let err = Document::open(b"a: 1\n".to_vec(), Format::Yaml).decrypt().unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Generic); // not a SOPS file: no `sops` metadata
//! let err = leafseal::decrypt_file("/no/such/file.yaml").unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::NoFile);
//! ```
//!
//! # Cargo features
//!
//! One per master-key backend (`age`, `pgp`, `aws-kms`, `gcp-kms`, `azure-kv`, `vault`,
//! `hckms`, `keyservice`) and per format (`yaml`, `json`, `dotenv`, `ini`, `toml`); all are on by
//! default. `default-features = false, features = ["age", "yaml"]` builds no cloud SDK, no tokio,
//! no gRPC and no HTTP client. A file whose metadata names a backend this build lacks still
//! opens with its other keys and keeps that backend's entries when rewritten.
//!
//! # Stability
//!
//! The items documented on this page are the API (0.x semver). Everything else is private to
//! the crate: the `leafseal` command is built from the same modules, which it reaches through
//! the `internals` feature (public, hidden from these docs, no semver promise; they change
//! without notice, do not turn it on).
// Without `internals` the crate's modules cannot be reached (checked by
// `cargo test -p leafseal --doc --no-default-features --features age,yaml`, scripts/test.sh).
#![cfg_attr(
    not(feature = "internals"),
    doc = "\n```compile_fail\nuse leafseal::ops::decrypt; // private without the `internals` feature\n```"
)]
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// The doc(hidden) internal modules document their own private helpers with links; the public
// API above links to nothing private (cargo doc -p leafseal --no-deps with -Dwarnings).
#![allow(rustdoc::private_intra_doc_links)]
// Tests may unwrap: a panic there is a test failure with a backtrace (STYLE.md §3).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod api;

/// Declares an internal module: public but hidden from the docs (no semver promise) with the
/// `internals` feature, which only the `leafseal` CLI turns on; private to the crate without
/// it, so a library user reaches nothing but the API above.
macro_rules! internal {
    ($(#[$attr:meta])* $name:ident) => {
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        $(#[$attr])*
        pub mod $name;
        #[cfg(not(feature = "internals"))]
        $(#[$attr])*
        #[allow(dead_code, unused_imports)]
        pub(crate) mod $name;
    };
}

internal!(
    #[cfg(feature = "audit")]
    audit
);
internal!(cipher);
internal!(config);
internal!(error);
internal!(fsio);
internal!(keygroups);
internal!(keys);
internal!(
    #[cfg(feature = "keyservice")]
    keyservice
);
/// Without the `keyservice` feature: the two choke points call the backend directly.
#[cfg(not(feature = "keyservice"))]
#[path = "keyservice/off.rs"]
#[allow(dead_code)]
pub(crate) mod keyservice;
internal!(ops);
internal!(
    #[cfg(feature = "publish")]
    publish
);
internal!(shamir);
internal!(store);
internal!(tree);

#[cfg(test)]
mod proptests;

#[cfg(feature = "age")]
pub use api::use_age_key_file;
pub use api::{backends, decrypt_file, encrypt, encrypt_file_with_rules, Document, Recipients};
pub use error::{Error, ErrorKind, Result};
pub use keys::{KeyError, MasterKey};
pub use store::metadata::StoredKey;
pub use store::Format;
