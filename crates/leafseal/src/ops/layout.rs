//! Lossless layout: how each encrypted scalar was spelled (`1.50`, `0x1F`, `"\u00e9"`, a
//! folded block…), so decrypt gives back the user's file byte for byte.
//!
//! The ciphertexts must hold SOPS's canonical plaintext (the MAC covers it), so the original
//! spellings that differ from what the store would write are kept *encrypted* under the data
//! key in one leafseal-only metadata field, `leafseal_layout` (SOPS ignores unknown metadata).
//!
//! What keeps a spelling from ever changing data or outliving its value:
//!
//! - **Bound to the file version.** The field's AAD is [`AAD_PREFIX`], the text of the file's
//!   `mac` field, and a line feed. The MAC token is sealed afresh, with a random IV, on every
//!   write that changes a value, so a `leafseal_layout` copied from another version of the
//!   file (same data key) does not open; and it is in the metadata, so the piecewise decrypt
//!   can open the entries before it reads any value. A value's AAD always ends with `:`, a
//!   MAC's AAD is a time: no key path produces this AAD. Every writer seals the field after the
//!   MAC, from the spellings of the values it writes ([`capture`], [`carry_over`]), or drops it.
//! - **Bound to its node.** An entry is keyed by the value's AAD path and its occurrence on
//!   that path, and carries the node's context (flow or block, map value or list item, and
//!   for a spelling over several lines the owner's column) and a digest of the `ENC[…]` token
//!   the value was encrypted to. It is applied only to a node with the same key, context and
//!   token, and only if it parses back to exactly the decrypted value; otherwise decrypt writes
//!   the canonical spelling. A spelling is thus always the user's own text for that very
//!   ciphertext, at the place it was written.
//! - **Live values only.** Only spellings of values still in the file are sealed: a changed
//!   or removed value's entry is dropped when the file is written, so no old secret survives
//!   `set`, `unset`, `edit` or `rotate` inside the field.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::cipher::value::{open, random_iv, seal, Token};
use crate::cipher::DataKey;
use crate::store::metadata::Metadata;
use crate::store::Store;
use crate::tree::scalar::canonical_bytes;
use crate::tree::select::Rule;
use crate::tree::walk::{walk_mut, walk_mut_from, Leaf};
use crate::tree::{Doc, Elem, Node, Src, Value};

/// The metadata field name.
pub const FIELD: &str = "leafseal_layout";

/// The start of the AAD the entries are sealed with; the `mac` field's text and a line feed
/// follow. (Format 2; format 1, leafseal ≤ 0.1, used the constant `leafseal_layout:`, which is
/// also the AAD of a top-level value named `leafseal_layout`, and is no longer read.)
pub const AAD_PREFIX: &str = "leafseal_layout v2\n";

/// Marks a spelling that is an indentation step (no YAML text starts with a NUL).
pub const STEP: &str = "\u{0}step:";

/// One recorded spelling.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    /// The value's AAD path (`db:password:`).
    pub aad: String,
    /// Which value with that path, counting from 0 in walk order.
    pub occurrence: u32,
    /// Where the value stands ([`context`]).
    pub context: String,
    /// Digest of the value's `ENC[…]` token ([`token_digest`]).
    pub token: String,
    /// The value's original text, or [`STEP`] and a digit: the value rendered by the store
    /// with that many columns per indentation level (how block scalars written by other tools
    /// are kept without a second copy of their text).
    pub spelling: String,
    /// While recording: the span start of the node in the text it was recorded from, until
    /// [`bind`] fills in `token`.
    at: Option<usize>,
}

impl std::fmt::Debug for Entry {
    // The spelling is plaintext: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("aad", &self.aad)
            .field("occurrence", &self.occurrence)
            .field("context", &self.context)
            .field("token", &self.token)
            .field("spelling", &format_args!("<{} bytes>", self.spelling.len()))
            .finish()
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.spelling.zeroize();
    }
}

/// Spellings of a decrypted file's values by the span start of their node, as recorded (a
/// [`STEP`] or the text); see [`carry`].
pub type Carried = HashMap<usize, Zeroizing<String>>;

/// A spelling over several lines (a block scalar, or a step that renders one).
fn multiline(spelling: &str) -> bool {
    spelling.starts_with(STEP) || spelling.contains('\n')
}

/// The context a spelling is valid in: `f` (inside a flow collection) or `b` (block), then
/// `-` (a list item) or `:` (a map value); a block spelling over several lines also carries
/// the column of its key or dash, which its text's indentation depends on.
pub fn context(src: &Src, multiline: bool) -> String {
    let owner = if src.seq_item { '-' } else { ':' };
    match (src.in_flow, multiline) {
        (true, _) => format!("f{owner}"),
        (false, true) => format!("b{owner}{}", src.indent),
        (false, false) => format!("b{owner}"),
    }
}

/// The `ENC[…]` token inside a scalar's text (quotes and a tag around it allowed).
fn token_in(text: &str) -> Option<&str> {
    let start = text.find("ENC[")?;
    let len = text[start..].find(']')?;
    Some(&text[start..=start + len])
}

/// The digest an entry carries of its value's token: 48 bits of SHA-256, base64 (8
/// characters). It only tells tokens apart; the field's own AEAD tag authenticates it.
pub fn token_digest(token: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(&Sha256::digest(token.as_bytes())[..6])
}

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

/// An entry recorded for `node` (not yet bound to its token).
fn recorded(aad: &str, occurrence: u32, src: &Src, spelling: String) -> Entry {
    Entry {
        aad: aad.to_owned(),
        occurrence,
        context: context(src, multiline(&spelling)),
        token: String::new(),
        spelling,
        at: Some(src.span.start),
    }
}

/// Spellings in `original` (the plaintext `doc` was parsed from) that differ from the store's
/// own rendering. Only nodes still as parsed count. To be [`bind`]ed once `doc` is encrypted.
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
            out.push(recorded(aad, n, &src, spelling));
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

/// Once `doc` (the tree the entries from `from` on were recorded on) is encrypted: give each of
/// those entries the digest of its node's token. An entry whose node was not encrypted is
/// dropped. Nodes are found by their span, which encryption keeps.
pub fn bind(doc: &mut Doc, entries: &mut Vec<Entry>, from: usize) {
    let mut by_at: HashMap<usize, usize> = entries
        .iter()
        .enumerate()
        .skip(from)
        .filter_map(|(i, e)| e.at.map(|a| (a, i)))
        .collect();
    if !by_at.is_empty() {
        let _ = walk_mut::<()>(doc, &mut |_, leaf| {
            let n = match leaf {
                Leaf::Node(n) | Leaf::Elem(Elem::Value(n)) => n,
                _ => return Ok(()),
            };
            if let (Some(src), Value::Str(s)) = (n.src, &n.value) {
                if let Some(i) = by_at.remove(&src.span.start) {
                    if let Some(t) = token_in(s) {
                        entries[i].token = token_digest(t);
                    }
                }
            }
            Ok(())
        });
    }
    let mut i = 0;
    entries.retain(|e| {
        i += 1;
        i <= from || (e.at.is_some() && !e.token.is_empty())
    });
    for e in entries.iter_mut().skip(from) {
        e.at = None;
    }
}

/// Whether two scalars are the same value (type and canonical bytes).
fn same(a: &Value, b: &Value) -> bool {
    a.type_name() == b.type_name()
        && canonical_bytes(a).map(Zeroizing::new) == canonical_bytes(b).map(Zeroizing::new)
}

/// The text a spelling stands for at `node` (a [`STEP`] rendered by the store), if it parses
/// back to exactly the node's value.
fn text_for(store: &dyn Store, node: &Node, spelling: &str) -> Option<String> {
    let text = match spelling.strip_prefix(STEP) {
        Some(k) => store.scalar_text_indented(node, k.parse().ok()?)?,
        None => spelling.to_owned(),
    };
    store
        .parse_scalar(&text)
        .is_some_and(|v| same(&v, &node.value))
        .then_some(text)
}

/// Entries by `(aad, occurrence)`.
pub type Index<'a> = HashMap<(&'a str, u32), &'a Entry>;

/// Index entries for [`apply_piece`].
pub fn index(entries: &[Entry]) -> Index<'_> {
    entries
        .iter()
        .map(|e| ((e.aad.as_str(), e.occurrence), e))
        .collect()
}

/// For every selected node of a decrypted `doc` (spans into `input`, the encrypted text) that
/// an entry was recorded for: same key and occurrence, context and token, and a spelling that
/// parses back to the node's value. `f(span start, spelling, text)`.
#[allow(clippy::too_many_arguments)]
fn each_match(
    doc: &mut Doc,
    index: &Index<'_>,
    store: &dyn Store,
    rule: &Rule,
    root_comments: &[String],
    input: &[u8],
    anchors: &mut Anchors,
    f: &mut dyn FnMut(usize, &str, String),
) {
    if index.is_empty() {
        return;
    }
    // (Whether any entry is an alias is decided once per index, not once per piece.)
    if *anchors
        .wanted
        .get_or_insert_with(|| index.values().any(|e| alias_name(&e.spelling).is_some()))
    {
        anchored(doc, input, &mut anchors.defs);
    }
    each_selected(doc, rule, root_comments, &mut |aad, n, node| {
        let (Some(src), Some(e)) = (node.src, index.get(&(aad, n))) else {
            return;
        };
        if context(&src, multiline(&e.spelling)) != e.context {
            return;
        }
        let token = input
            .get(src.span.start..src.span.end)
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(token_in);
        if token.map(token_digest).as_deref() != Some(e.token.as_str()) {
            return;
        }
        if let Some(name) = alias_name(&e.spelling) {
            // An alias of a scalar, written back as the alias when the nearest anchor of that
            // name before it holds the same value (the write guard reads the output back too).
            let anchor = anchors
                .defs
                .get(name)
                .and_then(|defs| defs.iter().rev().find(|(at, _)| *at < src.span.start));
            if anchor.is_some_and(|(_, v)| *v == Anchored::of(&node.value)) {
                f(src.span.start, &e.spelling, e.spelling.clone());
            }
        } else if let Some(text) = text_for(store, node, &e.spelling) {
            f(src.span.start, &e.spelling, text);
        }
    });
}

/// `name` for a spelling `*name` (a YAML alias).
fn alias_name(spelling: &str) -> Option<&str> {
    let name = spelling.strip_prefix('*')?;
    (!name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}')))
    .then_some(name)
}

/// An anchored scalar's value as [`same`] compares it (type and canonical bytes, zeroized).
#[derive(PartialEq)]
pub struct Anchored(&'static str, Option<Zeroizing<Vec<u8>>>);

impl Anchored {
    fn of(v: &Value) -> Anchored {
        Anchored(v.type_name(), canonical_bytes(v).map(Zeroizing::new))
    }
}

/// The scalars of `doc` that carry an anchor in `input` (`&name` before the node's text, maybe
/// with a tag): name → (where the node starts, its value), in file order.
fn anchored(doc: &mut Doc, input: &[u8], out: &mut HashMap<String, Vec<(usize, Anchored)>>) {
    let _ = walk_mut::<()>(doc, &mut |_, leaf| {
        let n = match leaf {
            Leaf::Node(n) | Leaf::Elem(Elem::Value(n)) => n,
            _ => return Ok(()),
        };
        let Some(src) = n.src else { return Ok(()) };
        let Some(before) = input
            .get(..src.span.start)
            .and_then(|b| std::str::from_utf8(b).ok())
        else {
            return Ok(());
        };
        let line = before.rsplit('\n').next().unwrap_or("");
        // The properties right before the value: `&name`, `!tag`, in either order.
        for prop in line
            .split([' ', '\t'])
            .rev()
            .filter(|p| !p.is_empty())
            .take(2)
        {
            if let Some(name) = prop.strip_prefix('&') {
                out.entry(name.to_owned())
                    .or_default()
                    .push((src.span.start, Anchored::of(&n.value)));
                break;
            }
            if !prop.starts_with('!') {
                break;
            }
        }
        Ok(())
    });
    for defs in out.values_mut() {
        defs.sort_by_key(|(at, _)| *at);
    }
}

/// The anchored scalars seen so far (by name), carried from piece to piece so an alias can be
/// written back when its anchor stands in an earlier piece.
#[derive(Default)]
pub struct Anchors {
    defs: HashMap<String, Vec<(usize, Anchored)>>,
    /// Whether the entries hold an alias at all (nothing to collect otherwise).
    wanted: Option<bool>,
}

/// For a decrypted `doc` (spans into `input`, the encrypted text), the spellings to splice in,
/// by span start.
pub fn apply(
    doc: &mut Doc,
    entries: &[Entry],
    store: &dyn Store,
    rule: &Rule,
    input: &[u8],
) -> HashMap<usize, String> {
    apply_piece(
        doc,
        &index(entries),
        store,
        rule,
        &[],
        input,
        &mut Anchors::default(),
    )
}

/// [`apply`] for one piece of a document.
pub fn apply_piece(
    doc: &mut Doc,
    index: &Index<'_>,
    store: &dyn Store,
    rule: &Rule,
    root_comments: &[String],
    input: &[u8],
    anchors: &mut Anchors,
) -> HashMap<usize, String> {
    let mut out = HashMap::new();
    each_match(
        doc,
        index,
        store,
        rule,
        root_comments,
        input,
        anchors,
        &mut |at, _, text| {
            out.insert(at, text);
        },
    );
    out
}

/// Like [`apply`], but the spellings as recorded, for a file about to be rewritten: see
/// [`resolve`] and [`carry_over`].
pub fn carry(
    doc: &mut Doc,
    entries: &[Entry],
    store: &dyn Store,
    rule: &Rule,
    input: &[u8],
) -> Carried {
    let mut out = Carried::new();
    let index = index(entries);
    each_match(
        doc,
        &index,
        store,
        rule,
        &[],
        input,
        &mut Anchors::default(),
        &mut |at, spelling, _| {
            out.insert(at, Zeroizing::new(spelling.to_owned()));
        },
    );
    out
}

/// Call `f(aad, occurrence, node, spelling, text)` for every selected node of `doc` with a
/// carried spelling that still parses back to its value.
fn each_carried(
    doc: &mut Doc,
    carried: &Carried,
    store: &dyn Store,
    rule: &Rule,
    f: &mut dyn FnMut(&str, u32, &Src, &str, String),
) {
    if carried.is_empty() {
        return;
    }
    each_selected(doc, rule, &[], &mut |aad, n, node| {
        let Some((src, spelling)) = node
            .src
            .and_then(|s| carried.get(&s.span.start).map(|t| (s, t)))
        else {
            return;
        };
        if let Some(text) = text_for(store, node, spelling) {
            f(aad, n, &src, spelling, text);
        }
    });
}

/// The spellings to splice into the plaintext of a file opened for rewriting (by span start).
pub fn resolve(
    doc: &mut Doc,
    carried: &Carried,
    store: &dyn Store,
    rule: &Rule,
) -> HashMap<usize, String> {
    let mut out = HashMap::new();
    each_carried(doc, carried, store, rule, &mut |_, _, src, _, text| {
        out.insert(src.span.start, text);
    });
    out
}

/// The entries to keep when a file opened for rewriting is written again from `doc` (its
/// decrypted tree, changed by `set`, `unset`, `rotate`, a merge): those of nodes still there
/// whose value is still the one spelled. A changed or removed value's spelling is dropped. To
/// be [`bind`]ed once `doc` is encrypted.
pub fn carry_over(doc: &mut Doc, carried: &Carried, store: &dyn Store, rule: &Rule) -> Vec<Entry> {
    let mut out = Vec::new();
    each_carried(
        doc,
        carried,
        store,
        rule,
        &mut |aad, n, src, spelling, _| {
            out.push(recorded(aad, n, src, spelling.to_owned()));
        },
    );
    out
}

/// The AAD for a file whose `mac` field is `mac`; `None` without a MAC.
fn aad(mac: &str) -> Option<Vec<u8>> {
    if mac.is_empty() {
        return None;
    }
    let mut a = Vec::with_capacity(AAD_PREFIX.len() + mac.len() + 1);
    a.extend_from_slice(AAD_PREFIX.as_bytes());
    a.extend_from_slice(mac.as_bytes());
    a.push(b'\n');
    Some(a)
}

/// Encrypt bound entries for the metadata of a file whose `mac` field is `mac` (so call it
/// after the MAC is sealed); `None` when there is nothing to keep. Entries not bound to a
/// token are left out.
pub fn seal_entries(key: &DataKey, mac: &str, entries: &[Entry]) -> Option<String> {
    let wire: Vec<(&str, u32, &str, &str, &str)> = entries
        .iter()
        .filter(|e| !e.token.is_empty())
        .map(|e| {
            (
                e.aad.as_str(),
                e.occurrence,
                e.context.as_str(),
                e.token.as_str(),
                e.spelling.as_str(),
            )
        })
        .collect();
    if wire.is_empty() {
        return None;
    }
    let aad = aad(mac)?;
    let json = Zeroizing::new(serde_json::to_vec(&wire).ok()?);
    Some(seal(key, &json, &aad, random_iv(), "str").to_string())
}

/// The entries of a layout field that opens under `key` and `mac`; `None` when it does not.
fn open_checked(key: &DataKey, mac: &str, token: &str) -> Option<Vec<Entry>> {
    let tok = Token::parse(token).ok()?;
    let plain = open(key, &tok, &aad(mac)?).ok()?;
    let wire: Vec<(String, u32, String, String, String)> =
        serde_json::from_slice(&plain).unwrap_or_default();
    Some(
        wire.into_iter()
            .map(|(aad, occurrence, context, token, spelling)| Entry {
                aad,
                occurrence,
                context,
                token,
                spelling,
                at: None,
            })
            .collect(),
    )
}

/// Decrypt the layout field of a file whose `mac` field is `mac`; anything unreadable
/// (another version's field, format 1, tampering) counts as no entries.
pub fn open_entries(key: &DataKey, mac: &str, token: &str) -> Vec<Entry> {
    open_checked(key, mac, token).unwrap_or_default()
}

/// The entries of `meta`'s layout field.
pub fn open_meta(key: &DataKey, meta: &Metadata) -> Vec<Entry> {
    meta.layout
        .as_deref()
        .map(|t| open_entries(key, &meta.mac, t))
        .unwrap_or_default()
}

/// For writers that keep the MAC (`updatekeys`, `groups`): drop a layout field that does not
/// open under this file's key and MAC (format 1, or copied from elsewhere), so a stale
/// spelling is not carried on.
pub fn drop_unreadable(key: &DataKey, meta: &mut Metadata) {
    if let Some(t) = &meta.layout {
        if open_checked(key, &meta.mac, t).is_none() {
            meta.layout = None;
        }
    }
}

#[cfg(test)]
mod tests;
