//! Lossless layout: how each encrypted scalar was spelled (`'quoted'`, `1.50`, `0x1F`,
//! `"\u00e9"`, a folded block…), so decrypt gives back the user's file byte for byte.
//!
//! The ciphertexts must hold SOPS's canonical plaintext (the MAC covers it), so the original
//! spellings that differ from what the store would write are kept *encrypted* under the data
//! key in one leafseal-only metadata field, `leafseal_layout` (SOPS ignores unknown metadata).
//! An entry is keyed by the value's AAD path and its occurrence number on that path. On decrypt
//! a spelling is used only if it parses back to exactly the decrypted value, so a value changed
//! by another tool, a stale or replayed entry can never alter data: at worst the canonical
//! spelling is written.

use std::collections::HashMap;

use zeroize::Zeroizing;

use crate::cipher::value::{open, random_iv, seal, Token};
use crate::cipher::DataKey;
use crate::store::Store;
use crate::tree::scalar::canonical_bytes;
use crate::tree::select::Rule;
use crate::tree::walk::{walk_mut_from, Leaf};
use crate::tree::{Doc, Elem, Node, Value};

/// The metadata field name.
pub const FIELD: &str = "leafseal_layout";
const AAD: &[u8] = b"leafseal_layout:";

/// `(aad, occurrence, spelling)`. A spelling is the value's original text, or [`STEP`] and a
/// digit: the value rendered by the store with that many columns per indentation level (how
/// block scalars written by other tools are kept without a second copy of their text).
pub type Entry = (String, u32, String);

/// Marks a spelling that is an indentation step (no YAML text starts with a NUL).
pub const STEP: &str = "\u{0}step:";

/// Call `f(aad, occurrence, node)` for every leaf encryption would encrypt, in walk order.
/// `root_comments` as for [`walk_mut_from`] (a piece of a larger document).
fn each_selected(
    doc: &mut Doc,
    rule: &Rule,
    root_comments: &[String],
    f: &mut dyn FnMut(&str, u32, &mut Node),
) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    let _ = walk_mut_from::<()>(doc, root_comments, &mut |ctx, leaf| {
        let n = match leaf {
            Leaf::Node(n) | Leaf::Elem(Elem::Value(n)) => n,
            _ => return Ok(()),
        };
        if !rule.encrypts(ctx.path, ctx.comments, false)
            || matches!(&n.value, Value::Str(s) if s.is_empty())
        {
            return Ok(());
        }
        let aad = format!("{}:", ctx.path.join(":"));
        let count = seen.entry(aad.clone()).or_insert(0);
        let occurrence = *count;
        *count += 1;
        f(&aad, occurrence, n);
        Ok(())
    });
}

/// Spellings in `original` (the text `doc` was parsed from) that differ from the store's own
/// rendering. Only nodes still as parsed count.
/// (`doc` is `&mut` only because the shared walker is; nothing is changed.)
pub fn capture(doc: &mut Doc, original: &[u8], store: &dyn Store, rule: &Rule) -> Vec<Entry> {
    let mut out = Vec::new();
    capture_piece(doc, original, store, rule, &[], &mut out);
    out
}

/// [`capture`] for one piece of a document, appending to `out`.
pub fn capture_piece(
    doc: &mut Doc,
    original: &[u8],
    store: &dyn Store,
    rule: &Rule,
    root_comments: &[String],
    out: &mut Vec<Entry>,
) {
    each_selected(doc, rule, root_comments, &mut |aad, n, node| {
        let (Some(src), false) = (node.src, node.changed) else {
            return;
        };
        let Some(raw) = original
            .get(src.span.start..src.span.end)
            .and_then(|b| std::str::from_utf8(b).ok())
        else {
            return;
        };
        // A YAML block header's comment is a comment item of its own (kept and encrypted as
        // such); the spelling is the scalar without it.
        let raw = &*without_header_comment(raw);
        if store.scalar_text(node).is_some_and(|canon| canon != raw) {
            // A block written with another indentation step is kept as that step, not as a
            // copy of its (possibly long) text.
            let step = raw.contains('\n').then(|| {
                (1..=9).find(|&k| store.scalar_text_indented(node, k).as_deref() == Some(raw))
            });
            let spelling = match step.flatten() {
                Some(k) => format!("{STEP}{k}"),
                None => raw.to_owned(),
            };
            out.push((aad.to_owned(), n, spelling));
        }
    });
}

/// `| # note\n  text` → `|\n  text` (a YAML block scalar's header line without its comment).
fn without_header_comment(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.starts_with(['|', '>']) {
        return raw.into();
    }
    let (first, rest) = raw.split_at(raw.find('\n').unwrap_or(raw.len()));
    match first
        .match_indices('#')
        .find(|&(k, _)| k > 0 && matches!(first.as_bytes()[k - 1], b' ' | b'\t'))
    {
        Some((k, _)) => format!("{}{rest}", first[..k].trim_end()).into(),
        None => raw.into(),
    }
}

/// Whether two scalars are the same value (type and canonical bytes).
fn same(a: &Value, b: &Value) -> bool {
    a.type_name() == b.type_name()
        && canonical_bytes(a).map(Zeroizing::new) == canonical_bytes(b).map(Zeroizing::new)
}

/// For a decrypted `doc` (spans into the encrypted text), the spellings to splice in, by span
/// start. An entry is used only when it parses to exactly the node's value.
pub fn apply(
    doc: &mut Doc,
    entries: &[Entry],
    store: &dyn Store,
    rule: &Rule,
) -> HashMap<usize, String> {
    apply_piece(doc, &index(entries), store, rule, &[])
}

/// Entries by `(aad, occurrence)`.
pub type Index<'a> = HashMap<(&'a str, u32), &'a str>;

/// Index entries for [`apply_piece`].
pub fn index(entries: &[Entry]) -> Index<'_> {
    entries
        .iter()
        .map(|(a, n, t)| ((a.as_str(), *n), t.as_str()))
        .collect()
}

/// [`apply`] for one piece of a document.
pub fn apply_piece(
    doc: &mut Doc,
    index: &Index<'_>,
    store: &dyn Store,
    rule: &Rule,
    root_comments: &[String],
) -> HashMap<usize, String> {
    let mut out = HashMap::new();
    if index.is_empty() {
        return out;
    }
    each_selected(doc, rule, root_comments, &mut |aad, n, node| {
        let (Some(src), Some(raw)) = (node.src, index.get(&(aad, n))) else {
            return;
        };
        let text = match raw.strip_prefix(STEP) {
            Some(k) => match k
                .parse()
                .ok()
                .and_then(|k| store.scalar_text_indented(node, k))
            {
                Some(t) => t,
                None => return,
            },
            None => (*raw).to_owned(),
        };
        if store
            .parse_scalar(&text)
            .is_some_and(|v| same(&v, &node.value))
        {
            out.insert(src.span.start, text);
        }
    });
    out
}

/// Encrypt entries for the metadata; `None` when there is nothing to keep.
pub fn seal_entries(key: &DataKey, entries: &[Entry]) -> Option<String> {
    if entries.is_empty() {
        return None;
    }
    let json = Zeroizing::new(serde_json::to_vec(entries).ok()?);
    Some(seal(key, &json, AAD, random_iv(), "str").to_string())
}

/// Decrypt the metadata field; anything unreadable counts as no entries.
pub fn open_entries(key: &DataKey, token: &str) -> Vec<Entry> {
    let Ok(tok) = Token::parse(token) else {
        return Vec::new();
    };
    let Ok(plain) = open(key, &tok, AAD) else {
        return Vec::new();
    };
    serde_json::from_slice(&plain).unwrap_or_default()
}
