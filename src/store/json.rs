//! JSON store (spec §1.3). Placeholder until the span-keeping parser lands.

use super::{Side, Store, StoreError};
use crate::tree::{Doc, Value};

/// The JSON store.
pub struct JsonStore {
    /// Indentation: `None` is a tab (SOPS default), `Some(n)` n spaces.
    pub indent: Option<usize>,
}

impl Store for JsonStore {
    fn parse(&self, _input: &[u8], _side: Side) -> Result<Doc, StoreError> {
        Err(StoreError::input("json store not implemented yet"))
    }
    fn emit(&self, _doc: &Doc, _original: Option<&[u8]>, _side: Side) -> Result<Vec<u8>, StoreError> {
        Err(StoreError::emit("json store not implemented yet"))
    }
    fn emit_value(&self, _v: &Value) -> Result<Vec<u8>, StoreError> {
        Err(StoreError::emit("json store not implemented yet"))
    }
}
