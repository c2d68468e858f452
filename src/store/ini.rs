//! INI store (spec §1.5). Placeholder.

use super::{Side, Store, StoreError};
use crate::tree::{Doc, Value};

/// The INI store.
pub struct IniStore;

impl Store for IniStore {
    fn parse(&self, _input: &[u8], _side: Side) -> Result<Doc, StoreError> {
        Err(StoreError::input("ini store not implemented yet"))
    }
    fn emit(
        &self,
        _doc: &Doc,
        _original: Option<&[u8]>,
        _side: Side,
    ) -> Result<Vec<u8>, StoreError> {
        Err(StoreError::emit("ini store not implemented yet"))
    }
    fn emit_value(&self, _v: &Value) -> Result<Vec<u8>, StoreError> {
        Err(StoreError::emit("ini store not implemented yet"))
    }
}
