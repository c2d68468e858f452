//! YAML store (spec §1.2).

pub mod emit;

use super::{Side, Store, StoreError};
use crate::tree::{Doc, Value};

/// The YAML store.
pub struct YamlStore {
    /// Indentation for generated text (SOPS default 4).
    pub indent: usize,
}

impl Store for YamlStore {
    fn parse(&self, _input: &[u8], _side: Side) -> Result<Doc, StoreError> {
        Err(StoreError::input("yaml store not implemented yet"))
    }
    fn emit(&self, doc: &Doc, _original: Option<&[u8]>, _side: Side) -> Result<Vec<u8>, StoreError> {
        Ok(emit::emit_doc(doc, self.indent).into_bytes())
    }
    fn emit_value(&self, v: &Value) -> Result<Vec<u8>, StoreError> {
        Ok(emit::emit_value(v, self.indent).into_bytes())
    }
}
