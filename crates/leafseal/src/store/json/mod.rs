//! JSON store (spec §1.3). Parsing keeps every scalar's byte span and every member's removable
//! range so that writing back can splice into the original text; without the original, output
//! is byte-identical to SOPS's (Go `json.Marshal` scalars re-indented like `json.Indent`).
//!
//! Submodules: `parse` (span-keeping parser), `write` (canonical text), `splice`.

mod parse;
mod pieces;
mod splice;
mod write;

pub use write::{format_float, quote_str};

use super::{Side, Store, StoreError};
use crate::tree::{Branch, Doc, Value};
use write::{push_branch, push_value, Layout};

/// The JSON store.
pub struct JsonStore {
    /// Indentation: `None` is a tab (SOPS default), `Some(n)` n spaces; `Some(0)` still breaks
    /// lines but indents nothing, as Go's `json.Indent` with an empty indent does.
    pub indent: Option<usize>,
}

impl JsonStore {
    fn unit(&self) -> String {
        match self.indent {
            None => "\t".to_owned(),
            Some(n) => " ".repeat(n),
        }
    }

    /// Canonical text of one value, no trailing newline.
    fn canonical(&self, v: &Value) -> Result<String, StoreError> {
        let unit = self.unit();
        let mut out = String::new();
        push_value(
            &mut out,
            v,
            "",
            &Layout {
                unit: &unit,
                newline: "\n",
            },
        )?;
        Ok(out)
    }
}

impl Store for JsonStore {
    /// `side` does not matter: on the encrypted side `sops` is an ordinary member.
    fn parse(&self, input: &[u8], _side: Side) -> Result<Doc, StoreError> {
        parse::parse_doc(input)
    }

    fn emit(&self, doc: &Doc, original: Option<&[u8]>, side: Side) -> Result<Vec<u8>, StoreError> {
        self.emit_with(doc, original, side, &std::collections::HashMap::new())
    }

    fn emit_verbatim(
        &self,
        doc: &Doc,
        original: &[u8],
        side: Side,
        verbatim: &std::collections::HashMap<usize, String>,
    ) -> Result<Vec<u8>, StoreError> {
        self.emit_with(doc, Some(original), side, verbatim)
    }

    fn scalar_text(&self, n: &crate::tree::Node) -> Option<String> {
        if !n.value.is_scalar() || n.src.is_none() {
            return None;
        }
        let mut text = String::new();
        write::push_scalar(&mut text, &n.value).ok()?;
        Some(text)
    }

    fn parse_scalar(&self, text: &str) -> Option<Value> {
        let mut doc = parse::parse_doc(format!("{{\"k\": {text}}}").as_bytes()).ok()?;
        let b = std::mem::take(&mut doc.branches).into_iter().next()?;
        match b.items.into_iter().next()? {
            crate::tree::Item::Pair(_, n) if n.value.is_scalar() => Some(n.value),
            _ => None,
        }
    }

    fn pieces(&self, input: &[u8], _side: Side) -> Option<Vec<crate::tree::Span>> {
        pieces::split(input)
    }

    fn parse_piece(
        &self,
        input: &[u8],
        range: crate::tree::Span,
        _side: Side,
    ) -> Result<Doc, StoreError> {
        pieces::parse_piece(input, range, range.end >= input.len())
    }

    fn emit_piece(
        &self,
        doc: &Doc,
        original: &[u8],
        range: crate::tree::Span,
        verbatim: &std::collections::HashMap<usize, String>,
        out: &mut Vec<u8>,
    ) -> Option<()> {
        let unit = self.unit();
        let last = range.end >= original.len();
        splice::splice_piece(
            doc.branches.first()?,
            original,
            range,
            last,
            &Layout {
                unit: &unit,
                newline: "\n",
            },
            verbatim,
            out,
        )?;
        if last && !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        Some(())
    }

    fn emit_value(&self, v: &Value) -> Result<Vec<u8>, StoreError> {
        let mut out = self.canonical(v)?;
        // sops-compat (checked against sops 3.11 `decrypt --extract`): an object ends with a
        // newline; arrays and scalars do not.
        if matches!(v, Value::Map(_)) {
            out.push('\n');
        }
        Ok(out.into_bytes())
    }
}

impl JsonStore {
    /// Canonical output of `doc`'s first document written straight to `sink` (no copy of the
    /// whole text in memory; see `write::write_root_to`).
    pub fn write_canonical_to(
        &self,
        doc: &Doc,
        sink: &mut dyn std::io::Write,
    ) -> Result<(), std::io::Error> {
        let unit = self.unit();
        let empty = Branch::new();
        let root = doc.branches.first().unwrap_or(&empty);
        write::write_root_to(
            sink,
            root,
            &Layout {
                unit: &unit,
                newline: "\n",
            },
        )
    }

    fn emit_with(
        &self,
        doc: &Doc,
        original: Option<&[u8]>,
        _side: Side,
        verbatim: &std::collections::HashMap<usize, String>,
    ) -> Result<Vec<u8>, StoreError> {
        if let Some(orig) = original {
            let unit = self.unit();
            if let Some(out) = splice::splice(
                doc,
                orig,
                &Layout {
                    unit: &unit,
                    newline: "\n",
                },
                verbatim,
            )? {
                return Ok(with_final_newline(out));
            }
        }
        // sops-compat: only the first document is written; JSON holds one.
        let unit = self.unit();
        let empty = Branch::new();
        let root = doc.branches.first().unwrap_or(&empty);
        // Sized up front: a large value (the binary store's one token) is not copied while the
        // buffer doubles.
        let mut out = String::with_capacity(size_hint(root));
        push_branch(
            &mut out,
            root,
            "",
            &Layout {
                unit: &unit,
                newline: "\n",
            },
        )?;
        out.push('\n');
        Ok(out.into_bytes())
    }
}

/// Every JSON file leafseal writes ends with a line break, as SOPS writes them (issue 22:
/// sops 3.5–3.7 wrote none; YAML files always get one, so the rule is the same for both).
fn with_final_newline(mut out: Vec<u8>) -> Vec<u8> {
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out
}

/// About the canonical text's length: keys and strings plus room for layout per item.
fn size_hint(b: &Branch) -> usize {
    fn value(v: &Value) -> usize {
        match v {
            Value::Str(s) => s.len() + 16,
            Value::Bytes(b) => b.len() + 16,
            Value::Map(b) => size_hint(b),
            Value::List(l) => l
                .iter()
                .map(|e| match e {
                    crate::tree::Elem::Value(n) => value(&n.value) + 8,
                    crate::tree::Elem::Comment(_) => 0,
                })
                .sum(),
            _ => 32,
        }
    }
    b.items
        .iter()
        .map(|i| match i {
            crate::tree::Item::Pair(k, n) => k.name.len() + 16 + value(&n.value),
            crate::tree::Item::Comment(_) => 0,
        })
        .sum::<usize>()
        + 16
}

#[cfg(test)]
mod tests;
