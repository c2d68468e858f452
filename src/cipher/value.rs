//! The `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` token (spec §2.2, §2.4): AES-256-GCM with a
//! 32-byte IV (SOPS's non-standard length; GHASH derives the counter block), standard padded
//! base64, the path-derived AAD supplied by the caller.

use aes_gcm::aead::consts::{U12, U16, U32};
use aes_gcm::aead::generic_array::{ArrayLength, GenericArray};
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::aes::Aes256;
use aes_gcm::AesGcm;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rand::RngCore;
use std::fmt;
use zeroize::Zeroizing;

use super::DataKey;
use crate::tree::scalar::{float_f, parse_go_bool, parse_go_float, parse_go_int};
use crate::tree::{Time, Value};

/// The prefix every token starts with.
pub const PREFIX: &str = "ENC[AES256_GCM,";

/// A decoded token (still encrypted).
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    /// Ciphertext without the tag.
    pub data: Vec<u8>,
    /// The IV (32 bytes when SOPS or leafseal wrote it).
    pub iv: Vec<u8>,
    /// The 16-byte GCM tag.
    pub tag: Vec<u8>,
    /// The `type:` field.
    pub kind: String,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token(type:{}, {} bytes)", self.kind, self.data.len())
    }
}

/// Why a token could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The text does not have the `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` shape.
    #[error("value is not valid ENC[] data")]
    Malformed,
    /// A field is not valid base64.
    #[error("ENC[] field {0} is not valid base64")]
    Base64(&'static str),
    /// The IV length is not one GCM can be used with here.
    #[error("ENC[] value has an unsupported IV length of {0} bytes")]
    IvLength(usize),
    /// The GCM tag did not verify: wrong key, wrong path (AAD) or tampered data.
    #[error(
        "could not decrypt value: authentication failed (wrong data key, moved or tampered value)"
    )]
    Auth,
    /// The plaintext does not parse as the declared type.
    #[error("decrypted value does not parse as type {0}")]
    BadPlaintext(String),
    /// The `type:` field names no known type.
    #[error("unknown ENC[] type {0:?}")]
    UnknownType(String),
}

/// True if `s` looks like a token (what SOPS's unanchored-at-end regex accepts).
pub fn is_token(s: &str) -> bool {
    s.starts_with(PREFIX)
}

impl Token {
    /// Parse the text form. Mirrors SOPS's regex
    /// `^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]` (no end anchor).
    pub fn parse(s: &str) -> Result<Token, TokenError> {
        let rest = s
            .strip_prefix("ENC[AES256_GCM,data:")
            .ok_or(TokenError::Malformed)?;
        let (data, rest) = rest.split_once(",iv:").ok_or(TokenError::Malformed)?;
        let (iv, rest) = rest.split_once(",tag:").ok_or(TokenError::Malformed)?;
        let (tag, rest) = rest.split_once(",type:").ok_or(TokenError::Malformed)?;
        let end = rest.rfind(']').ok_or(TokenError::Malformed)?;
        let kind = &rest[..end];
        if data.is_empty() || iv.is_empty() || tag.is_empty() || kind.is_empty() {
            return Err(TokenError::Malformed);
        }
        Ok(Token {
            data: B64.decode(data).map_err(|_| TokenError::Base64("data"))?,
            iv: B64.decode(iv).map_err(|_| TokenError::Base64("iv"))?,
            tag: B64.decode(tag).map_err(|_| TokenError::Base64("tag"))?,
            kind: kind.to_owned(),
        })
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ENC[AES256_GCM,data:{},iv:{},tag:{},type:{}]",
            B64.encode(&self.data),
            B64.encode(&self.iv),
            B64.encode(&self.tag),
            self.kind
        )
    }
}

fn seal_with<N: ArrayLength<u8>>(key: &DataKey, iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Vec<u8> {
    let c = AesGcm::<Aes256, N>::new(GenericArray::from_slice(key.expose()));
    // Encryption with a correctly sized nonce cannot fail for inputs below GCM's 64 GiB limit.
    match c.encrypt_in_place_detached(GenericArray::from_slice(iv), aad, buf) {
        Ok(tag) => tag.to_vec(),
        Err(_) => Vec::new(),
    }
}

fn open_with<N: ArrayLength<u8>>(
    key: &DataKey,
    t: &Token,
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, TokenError> {
    if t.iv.len() != N::USIZE || t.tag.len() != 16 {
        return Err(TokenError::IvLength(t.iv.len()));
    }
    let c = AesGcm::<Aes256, N>::new(GenericArray::from_slice(key.expose()));
    let mut buf = Zeroizing::new(t.data.clone());
    c.decrypt_in_place_detached(
        GenericArray::from_slice(&t.iv),
        aad,
        &mut buf,
        GenericArray::from_slice(&t.tag),
    )
    .map_err(|_| TokenError::Auth)?;
    Ok(buf)
}

/// Encrypt raw bytes under `aad` with the given 32-byte IV.
pub fn seal(key: &DataKey, plaintext: &[u8], aad: &[u8], iv: [u8; 32], kind: &str) -> Token {
    let mut buf = plaintext.to_vec();
    let tag = seal_with::<U32>(key, &iv, aad, &mut buf);
    Token {
        data: buf,
        iv: iv.to_vec(),
        tag,
        kind: kind.to_owned(),
    }
}

/// A fresh random IV.
pub fn random_iv() -> [u8; 32] {
    let mut iv = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut iv);
    iv
}

/// Decrypt a token to raw bytes. Any IV length SOPS can produce is accepted (12, 16, 32).
pub fn open(key: &DataKey, t: &Token, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, TokenError> {
    match t.iv.len() {
        32 => open_with::<U32>(key, t, aad),
        12 => open_with::<U12>(key, t, aad),
        16 => open_with::<U16>(key, t, aad),
        n => Err(TokenError::IvLength(n)),
    }
}

/// A decrypted token: a typed value, or the text of an encrypted comment.
#[derive(Debug)]
pub enum Plain {
    /// A scalar.
    Value(Value),
    /// `type:comment`.
    Comment(String),
}

/// Turn decrypted bytes into the typed value the `type:` field names (spec §2.4).
pub fn typed(kind: &str, bytes: &[u8]) -> Result<Plain, TokenError> {
    let text = || std::str::from_utf8(bytes).map_err(|_| TokenError::BadPlaintext(kind.to_owned()));
    let bad = || TokenError::BadPlaintext(kind.to_owned());
    Ok(match kind {
        "str" => match std::str::from_utf8(bytes) {
            Ok(s) => Plain::Value(Value::Str(s.to_owned())),
            Err(_) => Plain::Value(Value::Bytes(bytes.to_vec())),
        },
        "bytes" => Plain::Value(Value::Bytes(bytes.to_vec())),
        "int" => Plain::Value(Value::Int(parse_go_int(text()?).ok_or_else(bad)?)),
        "float" => Plain::Value(Value::Float(parse_go_float(text()?).ok_or_else(bad)?)),
        "bool" => Plain::Value(Value::Bool(parse_go_bool(text()?).ok_or_else(bad)?)),
        "time" => Plain::Value(Value::Time(Time::parse_rfc3339(text()?).ok_or_else(bad)?)),
        "comment" => Plain::Comment(text()?.to_owned()),
        other => return Err(TokenError::UnknownType(other.to_owned())),
    })
}

/// The `type:` name and plaintext bytes to encrypt for a scalar (spec §2.4); `None` for null
/// and collections. `Uint` is refused by the caller before this point.
pub fn plaintext_of(v: &Value) -> Option<(&'static str, Zeroizing<Vec<u8>>)> {
    let bytes = crate::tree::scalar::canonical_bytes(v)?;
    let kind = match v {
        Value::Float(f) => {
            debug_assert_eq!(bytes, float_f(*f).into_bytes());
            "float"
        }
        other => other.type_name(),
    };
    Some((kind, Zeroizing::new(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(hex_key: &str) -> DataKey {
        DataKey::from_slice(&hex::decode(hex_key).unwrap()).unwrap()
    }

    #[test]
    fn known_answer_from_sops() {
        // testdata/vectors/yaml_types.yaml.json, path ["name"].
        let k = key("ff033a7ddb1164bf0d6b021e9ebe524f72098db4ec4ddc789f3db18ed6a3fa14");
        let t = Token::parse("ENC[AES256_GCM,data:Ggx1m2g=,iv:Vj9UNL8WgmC2WLljFz9jKj9rW8yGyRZN953oxH/IsfQ=,tag:t7BrUoSn98Y2QEGJozEeTQ==,type:str]").unwrap();
        assert_eq!(&open(&k, &t, b"name:").unwrap()[..], b"alice");
        assert_eq!(open(&k, &t, b"other:"), Err(TokenError::Auth));
        let iv: [u8; 32] = t.iv.clone().try_into().unwrap();
        assert_eq!(
            seal(&k, b"alice", b"name:", iv, "str").to_string(),
            t.to_string()
        );
    }

    #[test]
    fn rejects_malformed_tokens() {
        for bad in [
            "ENC[AES256_GCM,data:,iv:a,tag:b,type:str]",
            "ENC[AES256_GCM,data:x",
            "plain",
            "ENC[AES256_GCM,data:!!,iv:AA==,tag:AA==,type:str]",
        ] {
            assert!(Token::parse(bad).is_err(), "{bad}");
        }
    }
}
