//! Writing TOML, in two passes so that the user's layout survives.
//!
//! 1. Splice: every changed scalar and comment is re-rendered over its source span in the
//!    original text (the structure does not change, so the text stays valid TOML).
//! 2. Restructure, only when the tree's shape differs from the text's: the spliced text is
//!    parsed into a `toml_edit::DocumentMut`, which is walked alongside the tree by key name:
//!    keys the tree no longer has are removed (this is how the `sops` table leaves a decrypted
//!    file), keys the tree gained are inserted (how it arrives in an encrypted one), and
//!    collections replaced as a whole are rebuilt. `toml_edit` keeps everything else as written.
//!
//! Without an original, [`build_table`] makes a fresh document (the canonical layout).

use toml_edit::{
    Array, ArrayOfTables, DocumentMut, InlineTable, Item as TItem, Table, TableLike,
    Value as TValue,
};

use super::super::StoreError;
use super::render;
use crate::tree::{Branch, Comment, Elem, Item, Node, Span, Value};

/// Splice `root` into `orig` and restructure as needed.
pub fn splice(root: &Branch, orig: &str) -> Result<String, StoreError> {
    let mut edits = Vec::new();
    collect_branch(root, orig, &mut edits)?;
    edits.sort_by_key(|(s, _)| (s.start, s.end));
    let mut text = String::with_capacity(orig.len() + orig.len() / 2);
    let mut pos = 0;
    for (span, new) in &edits {
        // Spans come from one parse and never overlap; a stale one means the tree was not
        // parsed from `orig`, so the caller gets the canonical layout instead.
        let gap = orig
            .get(pos..span.start)
            .ok_or_else(|| StoreError::emit("internal: overlapping toml edits"))?;
        text.push_str(gap);
        text.push_str(new);
        pos = span.end;
    }
    text.push_str(orig.get(pos..).unwrap_or(""));
    let crlf = orig.find('\n').is_some_and(|i| orig[..i].ends_with('\r'));
    if !reshaped(root) {
        return Ok(if crlf { to_crlf(&text) } else { text });
    }
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| StoreError::emit(format!("internal: spliced toml does not parse: {e}")))?;
    sync_table(doc.as_table_mut(), root, true)?;
    let out = doc.to_string();
    Ok(if crlf { to_crlf(&out) } else { out })
}

/// `toml_edit` and the renderer write `\n`; a file that uses CRLF keeps it throughout.
fn to_crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut prev = '\0';
    for c in text.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

fn collect_branch(
    b: &Branch,
    orig: &str,
    edits: &mut Vec<(Span, String)>,
) -> Result<(), StoreError> {
    for item in &b.items {
        match item {
            Item::Comment(c) => collect_comment(c, edits),
            Item::Pair(_, n) => collect_node(n, orig, edits)?,
        }
    }
    Ok(())
}

fn collect_node(n: &Node, orig: &str, edits: &mut Vec<(Span, String)>) -> Result<(), StoreError> {
    match &n.value {
        // A collection replaced as a whole is rebuilt in the second pass.
        Value::Map(_) | Value::List(_) if n.changed => Ok(()),
        Value::Map(b) => collect_branch(b, orig, edits),
        Value::List(l) => {
            for e in l {
                match e {
                    Elem::Value(v) => collect_node(v, orig, edits)?,
                    Elem::Comment(c) => collect_comment(c, edits),
                }
            }
            Ok(())
        }
        _ if !n.changed => Ok(()),
        v => {
            let Some(src) = n.src else {
                return Ok(()); // a new value: the second pass inserts it
            };
            let slot = orig.get(src.span.start..src.span.end).unwrap_or("");
            edits.push((src.span, render::scalar(v, slot)?));
            Ok(())
        }
    }
}

fn collect_comment(c: &Comment, edits: &mut Vec<(Span, String)>) {
    if let (true, Some(span)) = (c.changed, c.src) {
        edits.push((span, comment_text(&c.text)));
    }
}

/// `#` and the text; a comment cannot span lines, so line breaks become spaces.
fn comment_text(text: &str) -> String {
    format!("#{}", text.replace(['\n', '\r'], " "))
}

/// Whether the tree's shape differs from the text it was parsed from.
fn reshaped(b: &Branch) -> bool {
    !b.removed.is_empty()
        || b.items.iter().any(|i| match i {
            Item::Pair(k, n) => k.span.is_none() || node_reshaped(n),
            Item::Comment(_) => false,
        })
}

fn node_reshaped(n: &Node) -> bool {
    match &n.value {
        Value::Map(_) | Value::List(_) if n.changed => true,
        Value::Map(b) => reshaped(b),
        Value::List(l) => l
            .iter()
            .any(|e| matches!(e, Elem::Value(v) if node_reshaped(v))),
        _ => n.changed && n.src.is_none(),
    }
}

/// Bring a parsed table in line with `b`, by key name.
fn sync_table(t: &mut dyn TableLike, b: &Branch, headers: bool) -> Result<(), StoreError> {
    let wanted: Vec<&str> = pairs(b).map(|(k, _)| k).collect();
    let gone: Vec<String> = t
        .iter()
        .map(|(k, _)| k.to_owned())
        .filter(|k| !wanted.contains(&k.as_str()))
        .collect();
    for k in gone {
        t.remove(&k);
    }
    let mut pending = Vec::new();
    for (name, n) in pairs(b) {
        let Some(item) = t.get_mut(name) else {
            pending.push((name, n));
            continue;
        };
        // A scalar with a source span was spliced in the first pass; anything else that
        // changed (a collection, or a scalar where a table stood) is rebuilt here.
        let whole = n.changed && (!n.value.is_scalar() || n.src.is_none());
        match (item, &n.value) {
            (item, v) if whole => replace_item(item, v, headers)?,
            (TItem::Table(sub), Value::Map(mb)) => sync_table(sub, mb, true)?,
            (TItem::Value(TValue::InlineTable(sub)), Value::Map(mb)) => sync_table(sub, mb, false)?,
            (TItem::ArrayOfTables(a), Value::List(l)) => {
                for (t, m) in a.iter_mut().zip(list_values(l)) {
                    if let Value::Map(mb) = &m.value {
                        sync_table(t, mb, true)?;
                    }
                }
            }
            (TItem::Value(TValue::Array(a)), Value::List(l)) => sync_array(a, l)?,
            _ => {}
        }
    }
    for (name, n) in pending {
        t.insert(name, build_item(&n.value, headers)?);
    }
    Ok(())
}

fn sync_array(a: &mut Array, l: &[Elem]) -> Result<(), StoreError> {
    for (tv, n) in a.iter_mut().zip(list_values(l)) {
        match (tv, &n.value) {
            (tv, v) if n.changed && !v.is_scalar() => *tv = keep_decor(tv, build_value(v)?),
            (TValue::InlineTable(sub), Value::Map(mb)) => sync_table(sub, mb, false)?,
            (TValue::Array(sub), Value::List(sl)) => sync_array(sub, sl)?,
            _ => {}
        }
    }
    Ok(())
}

/// Replace a whole item, keeping the decor (comments, spacing) and position of the old one
/// where the new one is of the same kind.
fn replace_item(item: &mut TItem, v: &Value, headers: bool) -> Result<(), StoreError> {
    let mut new = build_item(v, headers)?;
    match (&*item, &mut new) {
        (TItem::Value(old), TItem::Value(nv)) => *nv = keep_decor(old, nv.clone()),
        (TItem::Table(old), TItem::Table(nt)) => {
            *nt.decor_mut() = old.decor().clone();
            nt.set_position(old.position());
        }
        _ => {}
    }
    *item = new;
    Ok(())
}

fn keep_decor(old: &TValue, mut new: TValue) -> TValue {
    *new.decor_mut() = old.decor().clone();
    new
}

fn pairs(b: &Branch) -> impl Iterator<Item = (&str, &Node)> {
    b.items.iter().filter_map(|i| match i {
        Item::Pair(k, n) => Some((k.name.as_str(), n)),
        Item::Comment(_) => None,
    })
}

fn list_values(l: &[Elem]) -> impl Iterator<Item = &Node> {
    l.iter().filter_map(|e| match e {
        Elem::Value(n) => Some(n),
        Elem::Comment(_) => None,
    })
}

/// A fresh table for `b`: maps become `[headers]` and lists of maps `[[arrays of tables]]`
/// when `headers` (outside inline values). Whole-line comments are kept above the key that
/// follows them.
pub fn build_table(b: &Branch, headers: bool) -> Result<(Table, Vec<String>), StoreError> {
    let mut t = Table::new();
    let mut comments: Vec<String> = Vec::new();
    for item in &b.items {
        match item {
            Item::Comment(c) => comments.push(comment_text(&c.text)),
            Item::Pair(k, n) => {
                if matches!(n.value, Value::Null) {
                    return Err(StoreError::emit(format!(
                        "toml has no null value (key {:?})",
                        k.name
                    )));
                }
                let mut it = build_item(&n.value, headers)?;
                let is_header = matches!(it, TItem::Table(_) | TItem::ArrayOfTables(_));
                if !comments.is_empty() {
                    let prefix = format!("{}\n", comments.join("\n"));
                    comments.clear();
                    match &mut it {
                        TItem::Table(sub) => sub.decor_mut().set_prefix(format!("\n{prefix}")),
                        TItem::ArrayOfTables(a) => {
                            if let Some(first) = a.get_mut(0) {
                                first.decor_mut().set_prefix(format!("\n{prefix}"));
                            }
                        }
                        _ => {}
                    }
                    t.insert(&k.name, it);
                    if let (false, Some(mut key)) = (is_header, t.key_mut(&k.name)) {
                        key.leaf_decor_mut().set_prefix(prefix);
                    }
                } else {
                    t.insert(&k.name, it);
                }
            }
        }
    }
    Ok((t, comments))
}

fn build_item(v: &Value, headers: bool) -> Result<TItem, StoreError> {
    if headers {
        match v {
            Value::Map(b) => {
                let (mut t, _) = build_table(b, true)?;
                t.set_implicit(false);
                return Ok(TItem::Table(t));
            }
            Value::List(l)
                if !l.is_empty() && list_values(l).all(|n| matches!(n.value, Value::Map(_))) =>
            {
                let mut a = ArrayOfTables::new();
                for n in list_values(l) {
                    if let Value::Map(b) = &n.value {
                        a.push(build_table(b, true)?.0);
                    }
                }
                return Ok(TItem::ArrayOfTables(a));
            }
            _ => {}
        }
    }
    Ok(TItem::Value(build_value(v)?))
}

/// An inline value: arrays `[…]`, inline tables `{…}`, scalars in their canonical text.
pub fn build_value(v: &Value) -> Result<TValue, StoreError> {
    match v {
        Value::Map(b) => {
            let mut t = InlineTable::new();
            for (k, n) in pairs(b) {
                t.insert(k, build_value(&n.value)?);
            }
            Ok(TValue::InlineTable(t))
        }
        Value::List(l) => {
            let mut a = Array::new();
            for n in list_values(l) {
                a.push(build_value(&n.value)?);
            }
            Ok(TValue::Array(a))
        }
        scalar => {
            let text = render::scalar(scalar, "")?;
            text.parse::<TValue>().map_err(|e| {
                StoreError::emit(format!("internal: rendered toml value does not parse: {e}"))
            })
        }
    }
}

/// The canonical document for `root`.
pub fn canonical(root: &Branch) -> Result<String, StoreError> {
    let (table, trailing) = build_table(root, true)?;
    let mut doc = DocumentMut::from(table);
    if !trailing.is_empty() {
        doc.set_trailing(format!("{}\n", trailing.join("\n")));
    }
    // Comments above the first header got the blank line that separates tables.
    Ok(doc.to_string().trim_start_matches('\n').to_owned())
}
