//! The MAC (spec §4): SHA-512 over the canonical bytes of every non-null, non-comment leaf in
//! walk order (only the encrypted ones with `mac_only_encrypted`), uppercase hex, stored
//! encrypted with the re-formatted `lastmodified` as AAD.

use sha2::{Digest, Sha512};
use subtle::ConstantTimeEq;

use super::value::{open, random_iv, seal, Token, TokenError};
use super::DataKey;
use crate::tree::scalar::canonical_bytes;
use crate::tree::{Time, Value};

/// SHA-256("sops"), fed first when `mac_only_encrypted` is set.
const MAC_ONLY_ENCRYPTED_PREFIX: [u8; 32] = [
    0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0x0b,
    0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69,
];

/// Accumulates the MAC over leaves in walk order.
pub struct MacHasher(Sha512);

impl MacHasher {
    /// Start a MAC.
    pub fn new(mac_only_encrypted: bool) -> Self {
        let mut h = Sha512::new();
        if mac_only_encrypted {
            h.update(MAC_ONLY_ENCRYPTED_PREFIX);
        }
        MacHasher(h)
    }

    /// Feed one leaf's canonical bytes (nothing for null and collections).
    pub fn feed(&mut self, v: &Value) {
        // A string's canonical bytes are its UTF-8: hash it in place rather than through a
        // temporary copy of the plaintext.
        if let Value::Str(s) = v {
            self.0.update(s.as_bytes());
        } else if let Value::Bytes(b) = v {
            self.0.update(b);
        } else if let Some(b) = canonical_bytes(v) {
            self.0.update(zeroize::Zeroizing::new(b).as_slice());
        }
    }

    /// Uppercase hex digest.
    pub fn finish(self) -> String {
        hex::encode_upper(self.0.finalize())
    }
}

/// The AAD of the MAC token: `lastmodified` re-formatted as RFC 3339 at second precision.
pub fn mac_aad(lastmodified: &str) -> Option<String> {
    Time::parse_rfc3339(lastmodified).map(|t| t.rfc3339())
}

/// Encrypt the MAC for storage.
pub fn seal_mac(key: &DataKey, mac: &str, lastmodified: &str) -> Option<String> {
    let aad = mac_aad(lastmodified)?;
    Some(seal(key, mac.as_bytes(), aad.as_bytes(), random_iv(), "str").to_string())
}

/// The stored MAC's plaintext (uppercase hex), if it decrypts.
pub fn open_mac(key: &DataKey, stored: &str, lastmodified: &str) -> Option<String> {
    let aad = mac_aad(lastmodified)?;
    let tok = Token::parse(stored).ok()?;
    let plain = open(key, &tok, aad.as_bytes()).ok()?;
    String::from_utf8(plain.to_vec()).ok()
}

/// Why a stored MAC could not be checked or did not match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MacError {
    /// `mac` empty or absent.
    #[error("file has no MAC")]
    Missing,
    /// `lastmodified` is not RFC 3339.
    #[error("lastmodified {0:?} is not an RFC 3339 time")]
    BadTime(String),
    /// The MAC token did not decrypt.
    #[error("could not decrypt the MAC: {0}")]
    Token(TokenError),
    /// The recomputed MAC differs.
    #[error("MAC mismatch: the file was modified outside sops/leafseal or is corrupt")]
    Mismatch,
}

/// Decrypt the stored MAC and compare it with `computed` in constant time.
pub fn verify(
    key: &DataKey,
    stored: &str,
    lastmodified: &str,
    computed: &str,
) -> Result<(), MacError> {
    if stored.is_empty() {
        return Err(MacError::Missing);
    }
    let aad = mac_aad(lastmodified).ok_or_else(|| MacError::BadTime(lastmodified.to_owned()))?;
    let tok = Token::parse(stored).map_err(MacError::Token)?;
    let plain = open(key, &tok, aad.as_bytes()).map_err(MacError::Token)?;
    if plain.as_slice().ct_eq(computed.as_bytes()).into() {
        Ok(())
    } else {
        Err(MacError::Mismatch)
    }
}
