//! The messages of SOPS's `keyservice/keyservice.proto`, written out by hand with prost's
//! derive so the build needs no `protoc`. Field numbers and the `Key` oneof numbering are the
//! wire contract and must stay exactly as in the proto; the proto declares no `package`, so the
//! methods are `/KeyService/Encrypt` and `/KeyService/Decrypt`.

use std::collections::HashMap;

/// `/KeyService/Encrypt`.
pub const ENCRYPT_PATH: &str = "/KeyService/Encrypt";
/// `/KeyService/Decrypt`.
pub const DECRYPT_PATH: &str = "/KeyService/Decrypt";

/// `message Key { oneof key_type { … } }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Key {
    /// The master key; `None` when the sender set none or one this build does not know.
    #[prost(oneof = "KeyType", tags = "1, 2, 3, 4, 5, 6, 7")]
    pub key_type: Option<KeyType>,
}

/// `oneof key_type`. (The variants keep SOPS's proto names, all ending in `Key`.)
#[derive(Clone, PartialEq, prost::Oneof)]
#[allow(clippy::enum_variant_names)]
pub enum KeyType {
    /// `KmsKey kms_key = 1`.
    #[prost(message, tag = "1")]
    KmsKey(KmsKey),
    /// `PgpKey pgp_key = 2`.
    #[prost(message, tag = "2")]
    PgpKey(PgpKey),
    /// `GcpKmsKey gcp_kms_key = 3`.
    #[prost(message, tag = "3")]
    GcpKmsKey(GcpKmsKey),
    /// `AzureKeyVaultKey azure_keyvault_key = 4`.
    #[prost(message, tag = "4")]
    AzureKeyvaultKey(AzureKeyVaultKey),
    /// `VaultKey vault_key = 5`.
    #[prost(message, tag = "5")]
    VaultKey(VaultKey),
    /// `AgeKey age_key = 6`.
    #[prost(message, tag = "6")]
    AgeKey(AgeKey),
    /// `HckmsKey hckms_key = 7`.
    #[prost(message, tag = "7")]
    HckmsKey(HckmsKey),
}

/// `message PgpKey`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PgpKey {
    /// `string fingerprint = 1`.
    #[prost(string, tag = "1")]
    pub fingerprint: String,
}

/// `message KmsKey`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct KmsKey {
    /// `string arn = 1`.
    #[prost(string, tag = "1")]
    pub arn: String,
    /// `string role = 2`.
    #[prost(string, tag = "2")]
    pub role: String,
    /// `map<string, string> context = 3`.
    #[prost(map = "string, string", tag = "3")]
    pub context: HashMap<String, String>,
    /// `string aws_profile = 4`.
    #[prost(string, tag = "4")]
    pub aws_profile: String,
}

/// `message GcpKmsKey`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GcpKmsKey {
    /// `string resource_id = 1`.
    #[prost(string, tag = "1")]
    pub resource_id: String,
}

/// `message VaultKey`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct VaultKey {
    /// `string vault_address = 1`.
    #[prost(string, tag = "1")]
    pub vault_address: String,
    /// `string engine_path = 2`.
    #[prost(string, tag = "2")]
    pub engine_path: String,
    /// `string key_name = 3`.
    #[prost(string, tag = "3")]
    pub key_name: String,
}

/// `message AzureKeyVaultKey`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AzureKeyVaultKey {
    /// `string vault_url = 1`.
    #[prost(string, tag = "1")]
    pub vault_url: String,
    /// `string name = 2`.
    #[prost(string, tag = "2")]
    pub name: String,
    /// `string version = 3`.
    #[prost(string, tag = "3")]
    pub version: String,
}

/// `message AgeKey`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AgeKey {
    /// `string recipient = 1`.
    #[prost(string, tag = "1")]
    pub recipient: String,
}

/// `message HckmsKey`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HckmsKey {
    /// `string key_id = 1`.
    #[prost(string, tag = "1")]
    pub key_id: String,
}

/// `message EncryptRequest`: `plaintext` is the data key or one Shamir share.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EncryptRequest {
    /// `Key key = 1`.
    #[prost(message, optional, tag = "1")]
    pub key: Option<Key>,
    /// `bytes plaintext = 2`.
    #[prost(bytes = "vec", tag = "2")]
    pub plaintext: Vec<u8>,
}

/// `message EncryptResponse`: `ciphertext` is the metadata entry's `enc` text.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EncryptResponse {
    /// `bytes ciphertext = 1`.
    #[prost(bytes = "vec", tag = "1")]
    pub ciphertext: Vec<u8>,
}

/// `message DecryptRequest`: `ciphertext` is the metadata entry's `enc` text.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DecryptRequest {
    /// `Key key = 1`.
    #[prost(message, optional, tag = "1")]
    pub key: Option<Key>,
    /// `bytes ciphertext = 2`.
    #[prost(bytes = "vec", tag = "2")]
    pub ciphertext: Vec<u8>,
}

/// `message DecryptResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DecryptResponse {
    /// `bytes plaintext = 1`.
    #[prost(bytes = "vec", tag = "1")]
    pub plaintext: Vec<u8>,
}

// The data key travels in these two; each copy this process holds is wiped when dropped (the
// transport's own encode and decode buffers are out of reach).
impl Drop for EncryptRequest {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.plaintext);
    }
}

impl Drop for DecryptResponse {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.plaintext);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    /// Bytes as Go's protobuf encodes them (field tags and the oneof number 6 for age).
    #[test]
    fn wire_bytes_match_the_proto() {
        let req = DecryptRequest {
            key: Some(Key {
                key_type: Some(KeyType::AgeKey(AgeKey {
                    recipient: "age1x".into(),
                })),
            }),
            ciphertext: b"enc".to_vec(),
        };
        let bytes = req.encode_to_vec();
        // key (1, len 9) { age_key (6, len 7) { recipient (1, len 5) "age1x" } }, ciphertext (2).
        assert_eq!(
            bytes,
            [0x0a, 9, 0x32, 7, 0x0a, 5, b'a', b'g', b'e', b'1', b'x', 0x12, 3, b'e', b'n', b'c']
        );
        assert_eq!(DecryptRequest::decode(bytes.as_slice()).unwrap(), req);
    }

    /// A oneof number this build does not know decodes as "no key", never as an error or panic.
    #[test]
    fn unknown_key_type_decodes_as_none() {
        let bytes = [0x0a, 4, 0x42, 2, 0x0a, 0];
        let req = DecryptRequest::decode(&bytes[..]).unwrap();
        assert_eq!(req.key.unwrap().key_type, None);
    }
}
