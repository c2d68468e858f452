//! The `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` token (spec §2.2, §2.4): AES-256-GCM with a
//! 32-byte IV (SOPS's non-standard length; GHASH derives the counter block), standard padded
//! base64, the path-derived AAD supplied by the caller.

use aes_gcm::aead::array::Array;
use aes_gcm::aead::consts::{U12, U16, U32};
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::aes::Aes256;
use aes_gcm::AesGcm;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rand::Rng as _;
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

/// The four fields of a token's text form, not yet decoded.
struct Fields<'a> {
    data: &'a str,
    iv: &'a str,
    tag: &'a str,
    kind: &'a str,
}

/// `rest` split at the first occurrence of `sep` (which starts with `,`). Fields are base64 and
/// so normally comma-free: when the first comma starts `sep`, that is the first occurrence and
/// no substring searcher needs to be built; anything else takes the general search.
fn split_field<'a>(rest: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    // `find` with a char pattern uses a vectorised byte search.
    if let Some(i) = rest.find(',') {
        if let Some(after) = rest.get(i..).and_then(|t| t.strip_prefix(sep)) {
            return Some((&rest[..i], after));
        }
    }
    rest.split_once(sep)
}

impl<'a> Fields<'a> {
    /// Mirrors SOPS's regex `^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]` (no end
    /// anchor): each field ends at the first occurrence of the next field's name, `type` at the
    /// last `]`.
    fn split(s: &'a str) -> Result<Self, TokenError> {
        let rest = s
            .strip_prefix("ENC[AES256_GCM,data:")
            .ok_or(TokenError::Malformed)?;
        let (data, rest) = split_field(rest, ",iv:").ok_or(TokenError::Malformed)?;
        let (iv, rest) = split_field(rest, ",tag:").ok_or(TokenError::Malformed)?;
        let (tag, rest) = split_field(rest, ",type:").ok_or(TokenError::Malformed)?;
        let end = rest.rfind(']').ok_or(TokenError::Malformed)?;
        let kind = &rest[..end];
        if data.is_empty() || iv.is_empty() || tag.is_empty() || kind.is_empty() {
            return Err(TokenError::Malformed);
        }
        Ok(Fields {
            data,
            iv,
            tag,
            kind,
        })
    }
}

/// Decode `text` into a buffer sized once from the encoded length.
fn decode_into(text: &str, out: &mut Vec<u8>, field: &'static str) -> Result<(), TokenError> {
    out.reserve(base64::decoded_len_estimate(text.len()));
    B64.decode_vec(text, out)
        .map_err(|_| TokenError::Base64(field))
}

/// Room for the IV and tag on the stack: 48 bytes holds every IV SOPS writes (12, 16, 32).
const SMALL: usize = 48;

/// Decode a short field (IV, tag) without allocating; returns the decoded length. A field too
/// long for the buffer is still decoded (so invalid base64 is reported as before) and only its
/// length is kept: no usable IV or tag is that long, so the caller rejects it by length.
fn decode_small(
    text: &str,
    buf: &mut [u8; SMALL],
    field: &'static str,
) -> Result<usize, TokenError> {
    if base64::decoded_len_estimate(text.len()) <= SMALL {
        B64.decode_slice(text, buf)
            .map_err(|_| TokenError::Base64(field))
    } else {
        B64.decode(text)
            .map(|v| v.len())
            .map_err(|_| TokenError::Base64(field))
    }
}

impl Token {
    /// Parse the text form. Mirrors SOPS's regex
    /// `^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]` (no end anchor).
    pub fn parse(s: &str) -> Result<Token, TokenError> {
        let f = Fields::split(s)?;
        let mut data = Vec::new();
        decode_into(f.data, &mut data, "data")?;
        let mut iv = Vec::new();
        decode_into(f.iv, &mut iv, "iv")?;
        let mut tag = Vec::new();
        decode_into(f.tag, &mut tag, "tag")?;
        Ok(Token {
            data,
            iv,
            tag,
            kind: f.kind.to_owned(),
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

/// AES-256-GCM for one data key. Expanding the AES key schedule and deriving GHASH's key cost
/// more than sealing or opening a short value, so a whole-tree walk builds this once.
pub struct Cipher {
    /// The 32-byte-IV instance: what SOPS and leafseal write.
    gcm32: AesGcm<Aes256, U32>,
    /// The expanded key, for the rare 12- and 16-byte IVs.
    aes: Aes256,
}

impl Cipher {
    /// Expand `key` once.
    pub fn new(key: &DataKey) -> Self {
        let aes = Aes256::new(&Array::from(*key.expose()));
        Cipher {
            gcm32: AesGcm::from(aes.clone()),
            aes,
        }
    }

    /// Encrypt raw bytes under `aad` with the given 32-byte IV.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8], iv: [u8; 32], kind: &str) -> Token {
        let mut buf = plaintext.to_vec();
        let tag = self.encrypt_in_place(&mut buf, aad, &iv);
        Token {
            data: buf,
            iv: iv.to_vec(),
            tag,
            kind: kind.to_owned(),
        }
    }

    /// Encrypt `buf` in place with a 32-byte IV; the tag. Encryption with a correctly sized
    /// nonce cannot fail for inputs below GCM's 64 GiB limit.
    fn encrypt_in_place(&self, buf: &mut [u8], aad: &[u8], iv: &[u8; 32]) -> Vec<u8> {
        match self
            .gcm32
            .encrypt_inout_detached(&Array::from(*iv), aad, buf.into())
        {
            Ok(tag) => tag.to_vec(),
            Err(_) => Vec::new(),
        }
    }

    /// [`Cipher::seal`] straight to the token's text, sized once (a large value is not held
    /// as a `Token` and then copied into its text). The plaintext buffer is encrypted in
    /// place, so no copy of it is made (or left behind).
    pub fn seal_text(&self, mut buf: Vec<u8>, aad: &[u8], iv: [u8; 32], kind: &str) -> String {
        let tag = self.encrypt_in_place(&mut buf, aad, &iv);
        let b64 = |n: usize| n.div_ceil(3) * 4;
        let mut out = String::with_capacity(
            48 + b64(buf.len()) + b64(iv.len()) + b64(tag.len()) + kind.len(),
        );
        out.push_str("ENC[AES256_GCM,data:");
        B64.encode_string(&buf, &mut out);
        drop(buf);
        out.push_str(",iv:");
        B64.encode_string(iv, &mut out);
        out.push_str(",tag:");
        B64.encode_string(&tag, &mut out);
        out.push_str(",type:");
        out.push_str(kind);
        out.push(']');
        out
    }

    /// Decrypt `buf` in place; the IV length picks the GCM variant (12, 16 or 32 bytes, all
    /// SOPS can produce).
    fn open_in_place(
        &self,
        iv: &[u8],
        tag: &[u8],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<(), TokenError> {
        if tag.len() != 16 {
            return Err(TokenError::IvLength(iv.len()));
        }
        let Ok(tag) = Array::<u8, U16>::try_from(tag) else {
            return Err(TokenError::IvLength(iv.len()));
        };
        let bad = |_| TokenError::IvLength(iv.len());
        let r = match iv.len() {
            32 => self.gcm32.decrypt_inout_detached(
                &Array::<u8, U32>::try_from(iv).map_err(bad)?,
                aad,
                buf.into(),
                &tag,
            ),
            12 => AesGcm::<Aes256, U12>::from(self.aes.clone()).decrypt_inout_detached(
                &Array::<u8, U12>::try_from(iv).map_err(bad)?,
                aad,
                buf.into(),
                &tag,
            ),
            16 => AesGcm::<Aes256, U16>::from(self.aes.clone()).decrypt_inout_detached(
                &Array::<u8, U16>::try_from(iv).map_err(bad)?,
                aad,
                buf.into(),
                &tag,
            ),
            n => return Err(TokenError::IvLength(n)),
        };
        r.map_err(|_| TokenError::Auth)
    }

    /// Decrypt a token to raw bytes.
    pub fn open(&self, t: &Token, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, TokenError> {
        if !matches!(t.iv.len(), 12 | 16 | 32) {
            return Err(TokenError::IvLength(t.iv.len()));
        }
        let mut buf = Zeroizing::new(t.data.clone());
        self.open_in_place(&t.iv, &t.tag, aad, &mut buf)?;
        Ok(buf)
    }

    /// Parse and decrypt a token's text form in one step, decoding the ciphertext straight into
    /// the buffer it is decrypted in (no intermediate `Token`). Errors are those of
    /// `Token::parse` followed by `open`, in the same order.
    pub fn open_text<'a>(&self, s: &'a str, aad: &[u8]) -> Result<Opened<'a>, TokenError> {
        let f = Fields::split(s)?;
        let mut plain = Zeroizing::new(Vec::new());
        decode_into(f.data, &mut plain, "data")?;
        let mut iv = [0u8; SMALL];
        let iv_len = decode_small(f.iv, &mut iv, "iv")?;
        let mut tag = [0u8; SMALL];
        let tag_len = decode_small(f.tag, &mut tag, "tag")?;
        if iv_len > SMALL || tag_len > SMALL {
            return Err(TokenError::IvLength(iv_len));
        }
        self.open_in_place(&iv[..iv_len], &tag[..tag_len], aad, &mut plain)?;
        Ok(Opened {
            kind: f.kind,
            iv,
            iv_len,
            plain,
        })
    }
}

/// A token decrypted by `Cipher::open_text`.
pub struct Opened<'a> {
    /// The `type:` field.
    pub kind: &'a str,
    iv: [u8; SMALL],
    iv_len: usize,
    /// The plaintext.
    pub plain: Zeroizing<Vec<u8>>,
}

impl Opened<'_> {
    /// The token's IV.
    pub fn iv(&self) -> &[u8] {
        self.iv.get(..self.iv_len).unwrap_or_default()
    }
}

/// Encrypt raw bytes under `aad` with the given 32-byte IV.
pub fn seal(key: &DataKey, plaintext: &[u8], aad: &[u8], iv: [u8; 32], kind: &str) -> Token {
    Cipher::new(key).seal(plaintext, aad, iv, kind)
}

/// A fresh random IV, from the thread's CSPRNG (`rand`'s ChaCha12 seeded from the operating
/// system and reseeded periodically and after fork): one system call per value was 6% of a
/// large encryption. Data keys still come straight from the operating system.
pub fn random_iv() -> [u8; 32] {
    let mut iv = [0u8; 32];
    rand::rng().fill_bytes(&mut iv);
    iv
}

/// Decrypt a token to raw bytes. Any IV length SOPS can produce is accepted (12, 16, 32).
pub fn open(key: &DataKey, t: &Token, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, TokenError> {
    // Reject a bad IV length before paying for the key schedule.
    if !matches!(t.iv.len(), 12 | 16 | 32) {
        return Err(TokenError::IvLength(t.iv.len()));
    }
    Cipher::new(key).open(t, aad)
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

    /// Issue 14 item 17: the expanded AES key schedule (the data key's material) is wiped on
    /// drop; this only compiles with the `zeroize` feature of `aes` turned on (Cargo.toml).
    #[test]
    fn the_aes_key_schedule_is_wiped_on_drop() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<Aes256>();
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
