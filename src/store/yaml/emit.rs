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

/// Whether a spliced value belongs to a map key or a list dash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// `key: value`.
    MapValue,
    /// `- value`.
    SeqItem,
}

/// Render a scalar for splicing (placeholder).
pub fn render_scalar(_v: &Value, _col: usize, _owner: Owner, _indent: usize, _in_flow: bool) -> String {
    String::new()
}

/// A comment line as written.
pub fn render_comment(text: &str) -> String {
    format!("#{text}")
}
