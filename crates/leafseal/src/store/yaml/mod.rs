//! YAML store (spec §1.2): parse with spans ([`parse`]), type scalars as yaml.v3 does
//! ([`resolve`]), write canonically as SOPS does ([`emit`]) or by splicing into the original.
//!
//! Splicing keeps the user's layout: only changed scalars and comments are re-rendered, removed
//! items are cut, new items are generated at the end of their map. Where a change cannot be
//! spliced (a changed collection, a flow-style root receiving new items) the whole file falls
//! back to canonical output.

pub mod block;
mod compat;
pub mod emit;
pub mod flow;
pub mod parse;
pub mod pieces;
pub mod resolve;
mod subtree;

use std::collections::HashMap;

use super::{Side, Store, StoreError};
use crate::tree::{Branch, Comment, Doc, Elem, Item, Node, Span, Style, Value};
use emit::Owner;

/// The YAML store.
pub struct YamlStore {
    /// Indentation for generated text; 0 when not set (SOPS's default 4 for canonical output,
    /// the file's own for collections spliced into it).
    pub indent: usize,
}

impl Store for YamlStore {
    fn parse(&self, input: &[u8], _side: Side) -> Result<Doc, StoreError> {
        let text = std::str::from_utf8(input).map_err(|e| {
            let line = input[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            StoreError {
                msg: "invalid UTF-8".into(),
                line: Some(line),
                column: None,
                on_emit: false,
            }
        })?;
        parse::parse(text)
    }

    fn emit(&self, doc: &Doc, original: Option<&[u8]>, side: Side) -> Result<Vec<u8>, StoreError> {
        match original {
            Some(o) => self.emit_verbatim(doc, o, side, &HashMap::new()),
            None => Ok(emit::emit_doc(doc, self.indent).into_bytes()),
        }
    }

    fn emit_verbatim(
        &self,
        doc: &Doc,
        original: &[u8],
        _side: Side,
        verbatim: &HashMap<usize, String>,
    ) -> Result<Vec<u8>, StoreError> {
        if let Ok(orig) = std::str::from_utf8(original) {
            if let Some(out) = Splicer::new(orig, self.indent, verbatim).run(doc) {
                return Ok(out.into_bytes());
            }
            // sops-compat: a decrypted comment at the head of a list that starts on another
            // item's dash line (`- - ENC[…,type:comment]`, as sops writes it): yaml.v3 writes
            // it above the outer dash and pulls the next item up onto that line. The
            // canonical layout does the same, and this file is in it already: no note.
            if doc
                .branches
                .iter()
                .any(|b| compact_head_comment(b, orig.as_bytes()))
            {
                return Ok(emit::emit_doc(doc, self.indent).into_bytes());
            }
        }
        crate::store::guard::note(
            "this file's layout cannot be kept (an alias or merge key of a map or list, or a new map or list value), so it is written in SOPS's canonical layout; see \"Lossless layout\" in docs/format.md".into(),
        );
        Ok(emit::emit_doc(doc, self.indent).into_bytes())
    }

    /// What decrypt will write for this node once encrypted: the token keeps a user's quotes,
    /// but in a flow collection a plain value's token is quoted by necessity, and decrypt then
    /// sees the token's quote style.
    fn scalar_text(&self, n: &Node) -> Option<String> {
        let mut src = n.src?;
        if src.in_flow && src.style == Style::Plain && matches!(n.value, Value::Str(_)) {
            let probe = Node {
                value: Value::Str("ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]".into()),
                src: Some(src),
                changed: true,
            };
            src.style = match render(&probe, src, self.indent).as_bytes().first() {
                Some(b'\'') => Style::SingleQuoted,
                Some(b'"') => Style::DoubleQuoted,
                _ => Style::Plain,
            };
        }
        n.value.is_scalar().then(|| render(n, src, self.indent))
    }

    fn scalar_text_indented(&self, n: &Node, step: usize) -> Option<String> {
        YamlStore { indent: step }.scalar_text(n)
    }

    fn parse_scalar(&self, text: &str) -> Option<Value> {
        // A one-key document: block scalars keep their (absolute) indentation, which is deeper
        // than column 0, so they parse the same here.
        let mut doc = parse::parse(&format!("k: {text}\n")).ok()?;
        let b = std::mem::take(&mut doc.branches).into_iter().next()?;
        match b.items.into_iter().next()? {
            Item::Pair(_, n) if n.value.is_scalar() => Some(n.value),
            _ => None,
        }
    }

    fn emit_value(&self, v: &Value) -> Result<Vec<u8>, StoreError> {
        Ok(emit::emit_value(v, self.indent).into_bytes())
    }

    fn pieces(&self, input: &[u8], _side: Side) -> Option<Vec<Span>> {
        pieces::split(std::str::from_utf8(input).ok()?)
    }

    fn parse_piece(&self, input: &[u8], range: Span, _side: Side) -> Result<Doc, StoreError> {
        let text = input
            .get(range.start..range.end)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| StoreError::input("invalid UTF-8"))?;
        pieces::parse_piece(text, range.start, range.end < input.len())
    }

    fn emit_piece(
        &self,
        doc: &Doc,
        original: &[u8],
        range: Span,
        verbatim: &HashMap<usize, String>,
        out: &mut Vec<u8>,
    ) -> Option<()> {
        // Only this piece's text is needed (checking all of a large file for every piece
        // would make the whole job quadratic).
        let orig = std::str::from_utf8(original.get(range.start..range.end)?).ok()?;
        let mut s = Splicer::new(orig, self.indent, verbatim);
        s.base = range.start;
        s.full = original;
        s.run_range(doc, range, out)
    }
}

/// The text spliced in for a changed scalar. A string keeps the quote style its node had in
/// the source (`'…'` or `"…"`), so an encrypted file shows `key: 'ENC[…]'` where the user wrote
/// `key: 'value'`, and decrypt gives `'value'` back without any recorded spelling. SOPS reads
/// a quoted token like a plain one.
fn render(n: &Node, src: crate::tree::Src, indent: usize) -> String {
    if let Some(text) = render_token(n, src, indent) {
        return text;
    }
    if let Value::Str(s) = &n.value {
        let printable = !s.chars().any(|c| c.is_control());
        match src.style {
            Style::SingleQuoted if printable => return format!("'{}'", s.replace('\'', "''")),
            Style::DoubleQuoted => return emit::double_quoted(s),
            _ => {}
        }
    }
    let owner = if src.seq_item {
        Owner::SeqItem
    } else {
        Owner::MapValue
    };
    emit::render_scalar(&n.value, src.indent, owner, indent, src.in_flow)
}

/// [`render`] of an `ENC[…]` token, whose spelling is known: every character is printable
/// ASCII with nothing to escape or double, so it is written as itself in its node's quotes,
/// plain in block context and single-quoted by the emitter in a flow collection (its `,` and
/// brackets are flow indicators). One pass over the token instead of the emitter's analysis.
/// (Checked against the general path in debug builds, so every test run verifies it.)
#[cfg_attr(not(debug_assertions), allow(unused_variables))]
fn render_token(n: &Node, src: crate::tree::Src, indent: usize) -> Option<String> {
    let Value::Str(s) = &n.value else {
        return None;
    };
    if !plain_token(s) {
        return None;
    }
    let quoted = |q: char| {
        let mut out = String::with_capacity(s.len() + 2);
        out.push(q);
        out.push_str(s);
        out.push(q);
        out
    };
    let text = match src.style {
        Style::SingleQuoted => quoted('\''),
        Style::DoubleQuoted => quoted('"'),
        _ if src.in_flow => quoted('\''),
        _ => s.clone(),
    };
    #[cfg(debug_assertions)]
    {
        let owner = if src.seq_item {
            Owner::SeqItem
        } else {
            Owner::MapValue
        };
        let general = match src.style {
            Style::SingleQuoted => format!("'{s}'"),
            Style::DoubleQuoted => emit::double_quoted(s),
            _ => emit::render_scalar(&n.value, src.indent, owner, indent, src.in_flow),
        };
        debug_assert_eq!(text, general);
    }
    Some(text)
}

/// An `ENC[…]` token as leafseal and SOPS write them: base64 fields and a type name, no blank
/// and no character that would make the YAML emitter quote it in block context.
fn plain_token(s: &str) -> bool {
    s.starts_with("ENC[AES256_GCM,data:")
        && s.ends_with(']')
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"[],:+/=_".contains(&c))
}

struct Splicer<'a> {
    /// The original text from byte `base` of the file on (all of it, or one piece).
    orig: &'a str,
    base: usize,
    indent: usize,
    verbatim: &'a HashMap<usize, String>,
    /// The whole file (`orig` may be one piece of it), read only when a new collection is
    /// written (see [`subtree::Indentation`]).
    full: &'a [u8],
    /// The file's own indentation, for new collections (read when first needed).
    layout: Option<subtree::Indentation>,
    edits: Vec<(Span, String)>,
    /// Where the comment edits start (see [`Splicer::merge_header_comments`]).
    comment_edits: Vec<usize>,
    /// Splicing whole documents (not one piece of a document).
    whole: bool,
}

impl<'a> Splicer<'a> {
    fn new(orig: &'a str, indent: usize, verbatim: &'a HashMap<usize, String>) -> Self {
        Splicer {
            orig,
            base: 0,
            indent,
            verbatim,
            full: orig.as_bytes(),
            layout: None,
            edits: Vec::new(),
            comment_edits: Vec::new(),
            whole: false,
        }
    }

    /// The original text between two file offsets.
    fn text(&self, start: usize, end: usize) -> Option<&'a str> {
        self.orig
            .get(start.checked_sub(self.base)?..end.checked_sub(self.base)?)
    }

    /// Splice every change into the original text; `None` when some change cannot be spliced.
    fn run(mut self, doc: &Doc) -> Option<String> {
        self.whole = true;
        let whole = Span {
            start: 0,
            end: self.orig.len(),
        };
        let mut out = Vec::with_capacity(self.orig.len() + self.orig.len() / 2);
        self.run_range(doc, whole, &mut out)?;
        String::from_utf8(out).ok()
    }

    /// Splice the changes of `doc`, all inside `range`, into that range of the original text,
    /// appending the result to `out` (left as it was on `None`).
    fn run_range(mut self, doc: &Doc, range: Span, out: &mut Vec<u8>) -> Option<()> {
        for b in &doc.branches {
            let first = self.edits.len();
            self.branch(b, true)?;
            // A document left without data by a removal (its only entry was the `sops`
            // metadata; comments may remain) is written `{}` after its comments, as sops
            // writes it; nothing at all would read as null.
            let no_data = b.items.iter().all(|i| matches!(i, Item::Comment(_)));
            if self.whole && no_data && b.removed.len() == 1 {
                if let Some((_, text)) = self.edits.get_mut(first) {
                    *text = "{}\n".into();
                }
            }
        }
        // Removals are pushed first for each branch, so at equal offsets they sort first and an
        // edit inside a removed range is dropped.
        self.edits.sort_by_key(|(s, _)| (s.start, s.end));
        self.merge_header_comments();
        let mark = out.len();
        let mut pos = range.start;
        for (span, text) in &self.edits {
            if span.start < pos || span.end > range.end {
                if span.start >= range.start && span.end <= pos {
                    continue; // inside a range already replaced (a removed item)
                }
                out.truncate(mark);
                return None;
            }
            match self.text(pos, span.start) {
                Some(t) => out.extend_from_slice(t.as_bytes()),
                None => {
                    out.truncate(mark);
                    return None;
                }
            }
            out.extend_from_slice(text.as_bytes());
            pos = span.end;
        }
        match self.text(pos, range.end) {
            Some(t) => out.extend_from_slice(t.as_bytes()),
            None => {
                out.truncate(mark);
                return None;
            }
        }
        Some(())
    }

    fn branch(&mut self, b: &Branch, root: bool) -> Option<()> {
        for r in &b.removed {
            let mut r = *r;
            // (The separator written before the `sops` entry goes with it.)
            if root
                && r.start > 0
                && self
                    .text(r.start, r.end)
                    .is_some_and(|t| t.starts_with("sops:"))
                && self.text(r.start - 1, r.start) == Some("\n")
                && self.ends_in_comment(b, r.start - 1, true)
            {
                r.start -= 1;
            }
            self.edits.push((r, String::new()));
        }
        let mut added = String::new();
        for item in &b.items {
            match item {
                Item::Comment(c) => self.comment(c)?,
                Item::Pair(k, v) if k.span.is_none() => {
                    let mut one = Branch::new();
                    one.items.push(Item::Pair(k.clone(), v.clone()));
                    added.push_str(&self.render_collection(&Value::Map(one)));
                }
                Item::Pair(_, v) => self.node(v)?,
            }
        }
        if !added.is_empty() {
            let at = b.end?;
            // The document's last comments after a blank line belong to the document
            // (yaml.v3); with new entries after them they would be the innermost collection's.
            // New top-level entries go before them, so the comments stay the document's last.
            let at = if root {
                self.before_trailing_comments(b, at).unwrap_or(at)
            } else {
                at
            };
            let col = self.child_column(b)?;
            let mut text = String::new();
            if at > 0 {
                // (Outside this piece's text: give up, the caller writes the whole file.)
                if self.text(at - 1, at)? != "\n" {
                    text.push('\n');
                }
            }
            // (Where the text written stops: before an entry being replaced here.)
            let kept_to = b
                .removed
                .iter()
                .filter(|r| r.start <= at && at <= r.end)
                .map(|r| r.start)
                .min()
                .unwrap_or(at);
            if root && self.ends_in_comment(b, kept_to, false) {
                text.push('\n'); // the separator (see `ends_in_comment`)
            }
            for line in added.lines() {
                if !line.is_empty() {
                    text.push_str(&" ".repeat(col));
                }
                text.push_str(line);
                text.push('\n');
            }
            self.edits.push((Span { start: at, end: at }, text));
        }
        Some(())
    }

    /// Whether the document `b` ends, before `at`, with a comment on its own line indented past
    /// its keys or held by a nested collection (only blanks and line breaks after it, at least
    /// one line break when `broken`). New top-level entries written there (the `sops`
    /// metadata) go after a blank line: at the end of the document yaml.v3 makes such a
    /// trailing comment a foot comment of the collection at or left of its column, while a
    /// key right after it would make it the innermost collection's (`f:\n  a:\n    x: 1\n
    /// # c` is `f`'s, but `a`'s with `sops:` on the next line), and SOPS could not decrypt
    /// it. Decrypt removes that blank line with the entry: a line break right before `sops:`
    /// that follows such a comment and its own line break is always the separator (SOPS
    /// never writes one there).
    fn ends_in_comment(&self, b: &Branch, at: usize, broken: bool) -> bool {
        // The document's last comment, and whether a collection below the root holds it.
        fn last_comment(items: &[Item]) -> Option<(Span, bool)> {
            let last = items.iter().rev().find(|i| match i {
                Item::Pair(k, _) => k.span.is_some(),
                Item::Comment(_) => true,
            })?;
            match last {
                Item::Comment(c) => c.src.map(|s| (s, false)),
                Item::Pair(_, v) => in_value(&v.value).map(|s| (s, true)),
            }
        }
        fn in_value(v: &Value) -> Option<Span> {
            match v {
                Value::Map(b) => last_comment(&b.items).map(|(s, _)| s),
                Value::List(l) => match l.last()? {
                    Elem::Comment(c) => c.src,
                    Elem::Value(n) => in_value(&n.value),
                },
                _ => None,
            }
        }
        let Some((c, nested)) = last_comment(&b.items) else {
            return false;
        };
        let Some(before) = self.text(self.base, c.start) else {
            return false;
        };
        let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
        // (A comment after content on its line stays with that content; one at the keys'
        // column or left of it is the document's either way, unless a nested collection holds
        // it: `l:\n- a\n# c` is the list's.)
        if !line.trim().is_empty()
            || (!nested && self.child_column(b).is_none_or(|k| line.len() <= k))
        {
            return false;
        }
        self.text(c.end, at).is_some_and(|t| {
            (t.contains('\n') || !broken) && t.trim_matches([' ', '\t', '\r', '\n']).is_empty()
        })
    }

    /// Where the run of comments that ends the map `b` (at `end`) starts, back over the
    /// blank lines before it, when the run must stay after the new entries; `None` when the
    /// new entries go after it.
    ///
    /// The run is the document's (yaml.v3 reads it so at the end of the document). New
    /// entries after it would make it another collection's when a blank line precedes it (it
    /// is then all the innermost collection's) or when it is less indented than the keys (the
    /// innermost collection's, as it runs into the next key). After the new entries, at the
    /// end of the document, a comment stays the document's when it is less indented than the
    /// keys or at their column; one between their column and their children's would be the
    /// new entries' (yaml.v3 ends the document's collections at a comment at their column
    /// only), so such a run stays where it is.
    fn before_trailing_comments(&self, b: &Branch, end: usize) -> Option<usize> {
        let mut first = None;
        let (mut min_col, mut max_col) = (usize::MAX, 0);
        let mut cols_left_of_keys = true;
        let keys_col = self.child_column(b)?;
        for item in b.items.iter().rev() {
            match item {
                Item::Comment(c) => {
                    let start = c.src?.start;
                    first = Some(start);
                    let text = self.text(self.base, start)?;
                    let col = start - self.base - text.rfind('\n').map_or(0, |i| i + 1);
                    cols_left_of_keys &= col < keys_col;
                    min_col = min_col.min(col);
                    max_col = max_col.max(col);
                }
                // (The new entries themselves.)
                Item::Pair(k, _) if k.span.is_none() => {}
                Item::Pair(..) => break,
            }
        }
        let first = first?;
        let before = self.text(self.base, first)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        if !before[line_start..].trim().is_empty() {
            return None; // the run starts after content on its line
        }
        let p = blank_run_start(before, line_start);
        let at = self.base + p;
        // (After a comment line, the blank line ends that comment's run: what follows goes
        // with the next key, the new entries, as the document's.)
        let prev = before[..p.saturating_sub(1)]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let after_comment = p > 0 && before[prev..p].trim_start().starts_with('#');
        // (A run indented past the keys whose comments are not all at one column stays before
        // the new entries: after them, yaml.v3 would cut it where it dedents and make what
        // comes before a foot comment of the `sops` metadata, which SOPS drops; before them,
        // the run goes with the next key as one.)
        let blank_moves =
            p < line_start && !after_comment && (max_col <= keys_col || min_col == max_col);
        ((blank_moves || cols_left_of_keys) && p > 0 && at <= end && self.text(at, end).is_some())
            .then_some(at)
    }

    /// The column of a block map's keys, from its first parsed pair.
    fn child_column(&self, b: &Branch) -> Option<usize> {
        let first = b.items.iter().find_map(|i| match i {
            Item::Pair(k, _) => k.span,
            _ => None,
        });
        match first {
            Some(s) => Some(
                self.text(s.start, self.base + self.orig.len())?
                    .bytes()
                    .take_while(|&c| c == b' ')
                    .count(),
            ),
            None => b.end.map(|_| 0),
        }
    }

    fn node(&mut self, n: &Node) -> Option<()> {
        match n.src {
            Some(src) if n.changed && !n.value.is_scalar() => {
                return self.replace_with_collection(n, src)
            }
            None if n.changed && !subtree::parsed(n) => return None,
            _ => {}
        }
        if let (true, Some(src)) = (n.changed, n.src) {
            let text = match self.verbatim.get(&src.span.start) {
                Some(t) => t.clone(),
                None => render(n, src, self.indent),
            };
            self.edits.push((src.span, text));
            return Some(());
        }
        match &n.value {
            Value::Map(b) => self.branch(b, false),
            Value::List(l) => self.list(l),
            _ => Some(()),
        }
    }

    fn comment(&mut self, c: &Comment) -> Option<()> {
        if !c.changed {
            return Some(());
        }
        let mut span = c.src?;
        if c.as_elem {
            // `- ENC[…,type:comment]` becomes a comment line: cut the dash too.
            let b = self.orig.as_bytes();
            let mut i = span.start.checked_sub(self.base)?;
            while i > 0 && b[i - 1] == b' ' {
                i -= 1;
            }
            if i > 0 && b[i - 1] == b'-' {
                span.start = self.base + i - 1;
                if after_two_dashes(b, i) {
                    return None; // (emit_verbatim writes the canonical layout, no note)
                }
            }
        }
        self.comment_edits.push(span.start);
        self.edits.push((span, emit::render_comment(&c.text)));
        Some(())
    }

    /// A block scalar's header comment (`key: | # note`) is a comment of its own (SOPS
    /// encrypts it like any other), but it stands inside the scalar's text: when the scalar
    /// becomes a one-line token the comment follows the token on its line, and when a token
    /// becomes a block again the comment after it goes back into the block's header line.
    fn merge_header_comments(&mut self) {
        let edits = std::mem::take(&mut self.edits);
        let is_comment = |s: &Span| self.comment_edits.contains(&s.start);
        let mut out: Vec<(Span, String)> = Vec::with_capacity(edits.len());
        let mut it = edits.into_iter().peekable();
        while let Some((a, text)) = it.next() {
            let block_text = text.starts_with(['|', '>']) && text.contains('\n');
            let header_line = |t: &str| -> (String, String) {
                match t.find('\n') {
                    Some(n) => (t[..n].to_owned(), t[n..].to_owned()),
                    None => (t.to_owned(), String::new()),
                }
            };
            if let Some((b, _)) = it.peek() {
                let b = *b;
                let orig_block = self
                    .text(a.start, a.end)
                    .is_some_and(|t| t.starts_with(['|', '>']));
                if !is_comment(&a)
                    && is_comment(&b)
                    && b.start >= a.start
                    && b.end <= a.end
                    && orig_block
                {
                    // Encrypt side: the comment inside the block's header follows the token.
                    // The blanks between the header's indicators and its comment.
                    let gap = self
                        .text(a.start, b.start)
                        .map(|t| {
                            t.trim_start_matches([
                                '|', '>', '+', '-', '1', '2', '3', '4', '5', '6', '7', '8', '9',
                            ])
                        })
                        .filter(|g| !g.is_empty() && g.bytes().all(|c| c == b' ' || c == b'\t'))
                        .unwrap_or(" ")
                        .to_owned();
                    let (Some((_, ctext)), (first, rest)) = (it.next(), header_line(&text)) else {
                        continue;
                    };
                    out.push((a, format!("{first}{gap}{ctext}{rest}")));
                    continue;
                }
                let same_line_blank = b.start >= a.end
                    && self
                        .text(a.end, b.start)
                        .is_some_and(|g| g.bytes().all(|c| c == b' ' || c == b'\t'));
                if !is_comment(&a) && is_comment(&b) && block_text && same_line_blank {
                    // Decrypt side: the comment after the token goes into the block's header.
                    let gap = self.text(a.end, b.start).unwrap_or(" ");
                    let gap = if gap.is_empty() { " " } else { gap }.to_owned();
                    let (Some((_, ctext)), (first, rest)) = (it.next(), header_line(&text)) else {
                        continue;
                    };
                    out.push((
                        Span {
                            start: a.start,
                            end: b.end,
                        },
                        format!("{first}{gap}{ctext}{rest}"),
                    ));
                    continue;
                }
            }
            out.push((a, text));
        }
        self.edits = out;
    }
}

/// Whether the dash before byte `i` of `b` (blanks between) follows another dash on its line:
/// `- - ENC[…]`, the item at `i` heads a list that starts on an outer item's line.
fn after_two_dashes(b: &[u8], i: usize) -> bool {
    let mut j = i;
    while j > 0 && b[j - 1] == b' ' {
        j -= 1;
    }
    if j == 0 || b[j - 1] != b'-' {
        return false;
    }
    j -= 1;
    while j > 0 && b[j - 1] == b' ' {
        j -= 1;
    }
    j > 0 && b[j - 1] == b'-'
}

/// Whether a comment decrypted from a list element (`as_elem`) heads a list written as
/// `- - ENC[…,type:comment]` anywhere under `b`.
fn compact_head_comment(b: &Branch, orig: &[u8]) -> bool {
    fn in_value(v: &Value, orig: &[u8]) -> bool {
        match v {
            Value::Map(b) => compact_head_comment(b, orig),
            Value::List(l) => {
                let head = l.iter().take_while(|e| matches!(e, Elem::Comment(_)));
                head.into_iter().any(|e| match e {
                    Elem::Comment(c) => {
                        c.as_elem && c.src.is_some_and(|s| after_two_dashes(orig, s.start))
                    }
                    Elem::Value(_) => false,
                }) || l.iter().any(|e| match e {
                    Elem::Value(n) => in_value(&n.value, orig),
                    Elem::Comment(_) => false,
                })
            }
            _ => false,
        }
    }
    b.items.iter().any(|i| match i {
        Item::Pair(_, n) => in_value(&n.value, orig),
        Item::Comment(_) => false,
    })
}

/// The start of the run of blank lines that ends at `line_start` (a line start in `text`), or
/// `line_start` itself when the line before it is not blank.
pub(super) fn blank_run_start(text: &str, line_start: usize) -> usize {
    let mut p = line_start;
    while p > 0 {
        let prev = text[..p - 1].rfind('\n').map_or(0, |i| i + 1);
        if !text[prev..p].trim().is_empty() {
            break;
        }
        p = prev;
    }
    p
}

#[cfg(test)]
mod tests;
