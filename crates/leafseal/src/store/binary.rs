//! The binary store (spec §1.6): any file that is not a known format. The plaintext is raw
//! bytes held as one `data` string; the encrypted file is the JSON store's output.

use super::json::JsonStore;
use super::{Side, Store, StoreError};
use crate::tree::{Branch, Doc, Item, Value};

/// Raw bytes under `data`, JSON when encrypted.
pub struct BinaryStore {
    /// The JSON store used for the encrypted side.
    pub json: JsonStore,
}

impl Store for BinaryStore {
    fn parse(&self, input: &[u8], side: Side) -> Result<Doc, StoreError> {
        match side {
            Side::Encrypted => self.json.parse(input, side),
            Side::Plain => {
                let mut b = Branch::new();
                let v = match std::str::from_utf8(input) {
                    Ok(s) => Value::Str(s.to_owned()),
                    Err(_) => Value::Bytes(input.to_vec()),
                };
                b.push("data", v);
                Ok(Doc { branches: vec![b] })
            }
        }
    }

    fn emit(&self, doc: &Doc, original: Option<&[u8]>, side: Side) -> Result<Vec<u8>, StoreError> {
        match side {
            Side::Encrypted => self.json.emit(doc, original, side),
            Side::Plain => {
                let data = doc.branches.first().and_then(|b| {
                    b.items.iter().find_map(|i| match i {
                        Item::Pair(k, v) if k.name == "data" => Some(&v.value),
                        _ => None,
                    })
                });
                match data {
                    Some(Value::Str(s)) => Ok(s.as_bytes().to_vec()),
                    Some(Value::Bytes(b)) => Ok(b.clone()),
                    _ => Err(StoreError::emit("no binary data found in tree")),
                }
            }
        }
    }

    fn emit_value(&self, v: &Value) -> Result<Vec<u8>, StoreError> {
        self.json.emit_value(v)
    }
}
