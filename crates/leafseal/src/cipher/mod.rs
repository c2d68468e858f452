//! Value encryption (spec §2–§4): the per-file data key, the `ENC[AES256_GCM,…]` token codec
//! and the MAC. Knows the tree's scalar types but no file format and no master key.

pub mod datakey;
pub mod mac;
pub mod value;

pub use datakey::DataKey;
