//! TOML store (leafseal's own format: SOPS has no TOML support). Tables and inline tables are
//! maps, arrays and arrays of tables are lists; strings, integers, floats and booleans keep
//! their types, offset date-times are times, and local dates and times (which name no
//! instant) are kept as the text they were written as. Comments are tree comments, so they are
//! encrypted in place as `#ENC[…]` like YAML comments. The `sops` metadata is a `[sops]` table.
//!
//! Parsing is `toml_edit`'s; writing splices into the original text and lets `toml_edit`
//! restructure when keys come or go, so a file keeps its layout, comments, key order and
//! quoting. A string keeps its quoting even while encrypted (`'ENC[…]'`, `"""ENC[…]"""`), which
//! is what lets decrypt give back the exact bytes that were encrypted.
//!
//! Submodules: `parse` (toml_edit document to tree), `render` (scalar text), `write` (splice,
//! restructure, canonical layout).

mod parse;
mod render;
mod write;

use super::{Side, Store, StoreError};
use crate::tree::{Branch, Doc, Value};

/// The TOML store.
pub struct TomlStore;

impl Store for TomlStore {
    /// `side` does not matter: on the encrypted side `[sops]` is an ordinary table.
    fn parse(&self, input: &[u8], _side: Side) -> Result<Doc, StoreError> {
        let text = std::str::from_utf8(input).map_err(|e| {
            let (line, column) = parse::line_col(&String::from_utf8_lossy(input), e.valid_up_to());
            StoreError::at("invalid UTF-8", line, column)
        })?;
        parse::parse_doc(text)
    }

    fn emit(&self, doc: &Doc, original: Option<&[u8]>, _side: Side) -> Result<Vec<u8>, StoreError> {
        let empty = Branch::new();
        // A TOML file holds one document; others (from multi-document YAML) are not written.
        let root = doc.branches.first().unwrap_or(&empty);
        if let Some(orig) = original.and_then(|o| std::str::from_utf8(o).ok()) {
            match write::splice(root, orig) {
                Ok(out) => return Ok(out.into_bytes()),
                // A tree that cannot be written at all fails the same way canonically.
                Err(e) if e.msg.starts_with("internal:") => {}
                Err(e) => return Err(e),
            }
        }
        Ok(write::canonical(root)?.into_bytes())
    }

    /// A table is a TOML document; arrays and scalars are written as inline values.
    fn emit_value(&self, v: &Value) -> Result<Vec<u8>, StoreError> {
        match v {
            Value::Map(b) => Ok(write::canonical(b)?.into_bytes()),
            other => Ok(write::build_value(other)?
                .to_string()
                .trim()
                .to_owned()
                .into_bytes()),
        }
    }
}

#[cfg(test)]
mod tests;
