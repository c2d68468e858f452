//! Writing a changed tree back into its original JSON text (spec §1.3, store contract in
//! [`crate::store`]): only changed scalars are re-rendered, removed members are cut out and new
//! members are generated before their object's closing brace, so the user's layout survives.
//!
//! All edits are collected first and applied in one ordered pass, which keeps the cost linear
//! in the file size however many values changed. Whenever the tree holds something that cannot
//! be placed in the original text, the caller falls back to canonical output instead.

use super::parse::parse_doc;
use super::write::{push_quoted, push_scalar, push_value, Layout};
use crate::store::StoreError;
use crate::tree::{Branch, Doc, Elem, Item, Key, Node, Span, Value};

/// Replace `start..end` of the original with `text` (an insertion when the range is empty).
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// What is left to visit.
enum Work<'d> {
    Branch(&'d Branch),
    Node(&'d Node),
}

struct Splicer<'s> {
    src: &'s [u8],
    unit: String,
    newline: String,
    edits: Vec<Edit>,
    /// Offsets where lines start, built on first use (only generated collections need it).
    line_starts: Option<Vec<usize>>,
    /// Exact texts for changed scalars, by span start (lossless layout).
    verbatim: &'s std::collections::HashMap<usize, String>,
}

/// Splice `doc` into `original`. `Ok(None)` means the tree cannot be placed in that text (it
/// was not parsed from it, or holds new values where no position is known).
pub(crate) fn splice(
    doc: &Doc,
    original: &[u8],
    default: &Layout,
    verbatim: &std::collections::HashMap<usize, String>,
) -> Result<Option<Vec<u8>>, StoreError> {
    let Some(root) = doc.branches.first() else {
        return Ok(None);
    };
    let mut sp = Splicer::new(original, default, verbatim);
    sp.detect_layout(root);
    let mut work = vec![Work::Branch(root)];
    while let Some(w) = work.pop() {
        let placed = match w {
            Work::Branch(b) => sp.branch(b, &mut work)?,
            Work::Node(n) => sp.node(n, &mut work)?,
        };
        if !placed {
            return Ok(None);
        }
    }
    let Some(out) = sp.apply() else {
        return Ok(None);
    };
    // A safety net against spans that do not belong to this text: never hand back invalid JSON.
    if parse_doc(&out).is_err() {
        return Ok(None);
    }
    Ok(Some(out))
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl<'s> Splicer<'s> {
    fn new(
        src: &'s [u8],
        default: &Layout,
        verbatim: &'s std::collections::HashMap<usize, String>,
    ) -> Self {
        Splicer {
            src,
            unit: default.unit.to_owned(),
            newline: default.newline.to_owned(),
            edits: Vec::new(),
            line_starts: None,
            verbatim,
        }
    }

    fn layout(&self) -> Layout<'_> {
        Layout {
            unit: &self.unit,
            newline: &self.newline,
        }
    }

    /// Offset just after the last non-whitespace byte before `pos`.
    fn skip_ws_back(&self, mut pos: usize) -> usize {
        while pos > 0 && self.src.get(pos - 1).is_some_and(|&b| is_ws(b)) {
            pos -= 1;
        }
        pos
    }

    /// Offset of the first non-whitespace byte at or after `pos`.
    fn skip_ws_fwd(&self, mut pos: usize) -> usize {
        while self.src.get(pos).is_some_and(|&b| is_ws(b)) {
            pos += 1;
        }
        pos
    }

    fn byte_before(&self, pos: usize) -> Option<u8> {
        pos.checked_sub(1).and_then(|p| self.src.get(p)).copied()
    }

    /// Leading blanks of the line holding `pos`.
    fn line_indent(&mut self, pos: usize) -> String {
        let src = self.src;
        let starts = self.line_starts.get_or_insert_with(|| {
            let mut v = vec![0];
            v.extend(
                src.iter()
                    .enumerate()
                    .filter(|(_, &b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            );
            v
        });
        let start = match starts.binary_search(&pos) {
            Ok(i) => starts.get(i).copied().unwrap_or(0),
            Err(i) => i
                .checked_sub(1)
                .and_then(|i| starts.get(i))
                .copied()
                .unwrap_or(0),
        };
        let rest = src.get(start..).unwrap_or_default();
        let n = rest
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        String::from_utf8_lossy(rest.get(..n).unwrap_or_default()).into_owned()
    }

    /// Where the first member's text starts (original members, surviving or removed).
    fn first_member_start(b: &Branch) -> Option<usize> {
        let kept = b.items.iter().filter_map(|i| match i {
            Item::Pair(Key { span: Some(s), .. }, _) => Some(s.start),
            _ => None,
        });
        kept.chain(b.removed.iter().map(|s| s.start)).min()
    }

    /// The whitespace between `{` and the first member, when the object has members.
    fn lead(&self, b: &Branch) -> Option<&'s [u8]> {
        let first = Self::first_member_start(b)?;
        let open = self.skip_ws_back(first);
        if self.byte_before(open) != Some(b'{') {
            return None;
        }
        self.src.get(open..first)
    }

    /// Take the indentation unit and line ending from the root object's first member.
    fn detect_layout(&mut self, root: &Branch) {
        if let Some(lead) = self.lead(root) {
            self.layout_from_lead(lead);
        }
    }

    /// Set the unit and line ending from `lead`, the blanks between `{` and the first member;
    /// the unit, when members are on their own lines.
    fn layout_from_lead(&mut self, lead: &[u8]) -> Option<String> {
        let nl = lead.iter().rposition(|&b| b == b'\n')?;
        self.unit = String::from_utf8_lossy(lead.get(nl + 1..).unwrap_or_default()).into_owned();
        let crlf = nl > 0 && lead.get(nl - 1) == Some(&b'\r');
        self.newline = if crlf { "\r\n" } else { "\n" }.to_owned();
        Some(self.unit.clone())
    }

    fn edit(&mut self, start: usize, end: usize, text: String) {
        self.edits.push(Edit { start, end, text });
    }

    /// `"key": value` for a new member whose continuation lines start with `base`.
    fn member(&self, k: &Key, n: &Node, base: &str) -> Result<String, StoreError> {
        let mut s = String::new();
        push_quoted(&mut s, &k.name);
        s.push_str(": ");
        push_value(&mut s, &n.value, base, &self.layout())?;
        Ok(s)
    }

    fn branch<'d>(&mut self, b: &'d Branch, work: &mut Vec<Work<'d>>) -> Result<bool, StoreError> {
        let Some(end) = b.end else {
            return Ok(false);
        };
        if self.src.get(end) != Some(&b'}') {
            return Ok(false);
        }
        let mut survivors = false;
        let mut new_items = Vec::new();
        for item in &b.items {
            match item {
                Item::Pair(k, n) if k.span.is_some() => {
                    survivors = true;
                    work.push(Work::Node(n));
                }
                Item::Pair(k, n) => new_items.push((k, n)),
                // JSON has no comments: a comment item (from another format) is not written.
                Item::Comment(_) => {}
            }
        }
        let bad_span = |s: &Span| s.start > s.end || s.end > end;
        if b.removed.iter().any(bad_span) {
            return Ok(false);
        }
        let first = Self::first_member_start(b);
        let open = self.skip_ws_back(first.unwrap_or(end));
        if self.byte_before(open) != Some(b'{') {
            return Ok(false);
        }
        // Members on their own lines: new ones copy the first member's indentation.
        let prefix: Option<String> = self.lead(b).and_then(|lead| {
            let nl = lead.iter().rposition(|&c| c == b'\n')?;
            Some(String::from_utf8_lossy(lead.get(nl + 1..).unwrap_or_default()).into_owned())
        });

        if !survivors {
            if first.is_none() && new_items.is_empty() {
                return Ok(true);
            }
            // Nothing of the old content is kept: rewrite the whole inside of the braces.
            let mut text = String::new();
            if !new_items.is_empty() {
                let close_indent = self.line_indent(end);
                let prefix = prefix.unwrap_or_else(|| format!("{close_indent}{}", self.unit));
                for (i, (k, n)) in new_items.iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    text.push_str(&self.newline);
                    text.push_str(&prefix);
                    text.push_str(&self.member(k, n, &prefix)?);
                }
                text.push_str(&self.newline);
                text.push_str(&close_indent);
            }
            self.edit(open, end, text);
            return Ok(true);
        }

        for cut in merge(&b.removed) {
            let (s, e) = self.repair(cut);
            self.edit(s, e, String::new());
        }
        if !new_items.is_empty() {
            // Right after the last original member, so the closing brace keeps its own line.
            let at = self.skip_ws_back(end);
            let mut text = String::new();
            let base = match &prefix {
                Some(p) => p.clone(),
                None => self.line_indent(end),
            };
            for (k, n) in new_items {
                text.push(',');
                match &prefix {
                    Some(p) => {
                        text.push_str(&self.newline);
                        text.push_str(p);
                    }
                    // A one-line object gets its new members on the same line.
                    None => text.push(' '),
                }
                text.push_str(&self.member(k, n, &base)?);
            }
            self.edit(at, at, text);
        }
        Ok(true)
    }

    /// Widen a cut so that the text left around it is still valid JSON: a removed run that
    /// started at the first member must also take the comma after it, and a cut that leaves
    /// a trailing comma before `}` takes that comma.
    fn repair(&self, cut: Span) -> (usize, usize) {
        let (mut s, mut e) = (cut.start, cut.end);
        let before_at = self.skip_ws_back(s);
        let before = self.byte_before(before_at);
        let after_at = self.skip_ws_fwd(e);
        let after = self.src.get(after_at).copied();
        match (before, after) {
            (Some(b'{' | b','), Some(b',')) => e = self.skip_ws_fwd(after_at + 1),
            (Some(b','), Some(b'}')) => s = before_at - 1,
            _ => {}
        }
        (s, e)
    }

    fn regenerate(&mut self, n: &Node) -> Result<bool, StoreError> {
        let Some(src) = n.src else {
            return Ok(false);
        };
        let sp = src.span;
        if sp.start > sp.end || sp.end > self.src.len() {
            return Ok(false);
        }
        let mut text = String::new();
        if let Some(v) = self.verbatim.get(&sp.start).filter(|_| n.value.is_scalar()) {
            text.push_str(v);
        } else if n.value.is_scalar() {
            push_scalar(&mut text, &n.value)?;
        } else {
            let base = self.line_indent(sp.start);
            push_value(&mut text, &n.value, &base, &self.layout())?;
        }
        self.edit(sp.start, sp.end, text);
        Ok(true)
    }

    fn node<'d>(&mut self, n: &'d Node, work: &mut Vec<Work<'d>>) -> Result<bool, StoreError> {
        if n.changed {
            return self.regenerate(n);
        }
        match &n.value {
            Value::Map(b) if b.end.is_none() => self.regenerate(n),
            Value::Map(b) => {
                work.push(Work::Branch(b));
                Ok(true)
            }
            Value::List(l) => {
                // Lists record no removals or insertion point: any new element means the whole
                // list is written again.
                if l.iter()
                    .any(|e| matches!(e, Elem::Value(x) if x.src.is_none()))
                {
                    return self.regenerate(n);
                }
                for e in l {
                    if let Elem::Value(x) = e {
                        work.push(Work::Node(x));
                    }
                }
                Ok(true)
            }
            _ => Ok(true),
        }
    }

    /// Apply all edits in one pass; an edit inside an earlier one (a change within a removed
    /// member) is dropped. `None` when two edits partly overlap.
    fn apply(&mut self) -> Option<Vec<u8>> {
        let mut edits = std::mem::take(&mut self.edits);
        // Insertions sort before a cut that starts at the same offset; wider cuts first.
        edits.sort_by_key(|e| (e.start, e.end != e.start, std::cmp::Reverse(e.end)));
        let extra: usize = edits.iter().map(|e| e.text.len()).sum();
        let mut out = Vec::with_capacity(self.src.len() + extra);
        let mut cursor = 0;
        for e in edits {
            if e.start < cursor {
                if e.end <= cursor {
                    continue;
                }
                return None;
            }
            out.extend_from_slice(self.src.get(cursor..e.start)?);
            out.extend_from_slice(e.text.as_bytes());
            cursor = e.end;
        }
        out.extend_from_slice(self.src.get(cursor..)?);
        Some(out)
    }
}

/// Sort removed spans and join the ones that overlap or touch (consecutive removed members).
fn merge(removed: &[Span]) -> Vec<Span> {
    let mut v = removed.to_vec();
    v.sort_by_key(|s| s.start);
    let mut out: Vec<Span> = Vec::with_capacity(v.len());
    for s in v {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// Splice one piece (see `pieces`): `root` holds the piece's top-level members, positions in
/// terms of the whole `original`. Appends `range` of the original with the changes inside it
/// to `out`. New members (the metadata on encryption) are allowed in the `last` piece only and
/// go where [`splice`] puts them, laid out like the file's first member. A removed member is
/// allowed only as the last piece's only member: what [`splice`] cuts for it starts at the end
/// of the previous value, so the separator already written for the piece before is taken back
/// from `out`. `None` when the piece cannot be spliced; `out` is then as it was.
pub(crate) fn splice_piece(
    root: &Branch,
    original: &[u8],
    range: Span,
    last: bool,
    default: &Layout,
    verbatim: &std::collections::HashMap<usize, String>,
    out: &mut Vec<u8>,
) -> Option<()> {
    let mut sp = Splicer::new(original, default, verbatim);
    // The file's layout, from the whitespace after its opening brace (as detect_layout).
    let open = original.iter().position(|&c| c == b'{')?;
    let lead_end = sp.skip_ws_fwd(open + 1);
    let prefix = sp.layout_from_lead(original.get(open + 1..lead_end)?);
    let mut start = range.start;
    let mut take_back_to = None;
    let mut work = Vec::new();
    let mut new_items = Vec::new();
    let mut kept = 0;
    for item in &root.items {
        match item {
            Item::Pair(k, n) if k.span.is_some() => {
                kept += 1;
                work.push(Work::Node(n));
            }
            Item::Pair(k, n) => new_items.push((k, n)),
            Item::Comment(_) => {}
        }
    }
    if !root.removed.is_empty() {
        // Only `{ …, "sops": {…} }`: the last piece, its one member removed, nothing added.
        if !last || kept > 0 || !new_items.is_empty() || root.removed.len() != 1 {
            return None;
        }
        // Take back the separator written after the previous value, blanks around it too.
        let comma = out.iter().rposition(|&c| !is_ws(c))?;
        if out.get(comma) != Some(&b',') {
            return None;
        }
        take_back_to = Some(out[..comma].iter().rposition(|&c| !is_ws(c))? + 1);
        start = root.removed[0].end;
    }
    while let Some(w) = work.pop() {
        let placed = match w {
            Work::Branch(b) => sp.branch(b, &mut work).ok()?,
            Work::Node(n) => sp.node(n, &mut work).ok()?,
        };
        if !placed {
            return None;
        }
    }
    if !new_items.is_empty() {
        let end = root.end?;
        if !last || kept == 0 || original.get(end) != Some(&b'}') {
            return None;
        }
        // Members on their own lines (a one-line object is left to `splice`).
        let p = prefix.as_deref()?;
        let at = sp.skip_ws_back(end);
        let mut text = String::new();
        for (k, n) in new_items {
            text.push(',');
            text.push_str(&sp.newline);
            text.push_str(p);
            text.push_str(&sp.member(k, n, p).ok()?);
        }
        sp.edit(at, at, text);
    }
    let mut edits = std::mem::take(&mut sp.edits);
    edits.sort_by_key(|e| (e.start, e.end != e.start, std::cmp::Reverse(e.end)));
    let mut piece = Vec::with_capacity(range.end.saturating_sub(start));
    let mut cursor = start;
    for e in edits {
        if e.start < cursor || e.end > range.end {
            if e.start >= start && e.end <= cursor {
                continue;
            }
            return None;
        }
        piece.extend_from_slice(original.get(cursor..e.start)?);
        piece.extend_from_slice(e.text.as_bytes());
        cursor = e.end;
    }
    piece.extend_from_slice(original.get(cursor..range.end)?);
    if let Some(t) = take_back_to {
        out.truncate(t);
    }
    out.extend_from_slice(&piece);
    Some(())
}
