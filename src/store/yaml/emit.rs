//! Canonical YAML output, byte-compatible with what SOPS (Go yaml.v3) writes. Placeholder.

use crate::tree::{Doc, Value};

/// Write every document in SOPS's canonical layout.
pub fn emit_doc(_doc: &Doc, _indent: usize) -> String {
    String::new()
}

/// Write one value as a YAML document.
pub fn emit_value(_v: &Value, _indent: usize) -> String {
    String::new()
}
