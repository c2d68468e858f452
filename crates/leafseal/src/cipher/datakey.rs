//! The 32-byte per-file data key. No `Clone`, `Debug` or `Display`: reading the bytes is the
//! explicit [`DataKey::expose`] call, and they are zeroized on drop.

use zeroize::Zeroizing;

/// The AES-256 data key of one file.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    /// A fresh random key from the OS generator.
    pub fn generate() -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        // (A system without a random source cannot encrypt at all.)
        getrandom::fill(k.as_mut()).expect("the operating system's random source");
        DataKey(k)
    }

    /// Build from exactly 32 bytes (a master key's unwrap result or a Shamir combine).
    pub fn from_slice(b: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = b.try_into().ok()?;
        Some(DataKey(Zeroizing::new(arr)))
    }

    /// The key bytes.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}
