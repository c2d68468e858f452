//! New collections spliced into a file, in the file's own indentation: items appended to a
//! list, and a scalar replaced by a map or list (`set '["a"]' '{"b": 1}'`, `set '["l"][3]' …`,
//! the merge driver's conflict map). What cannot be placed this way (a flow collection, a
//! scalar over several lines, an item inserted before parsed ones) returns `None`, and the
//! whole file is written in the canonical layout; the write guard checks both.

use super::{emit, Splicer};
use crate::tree::{Elem, Item, Node, Span, Src, Value};

/// How a file indents: columns per nested map level, and whether its lists under a key are
/// indentless (`k:\n- a`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Indentation {
    pub step: usize,
    pub indentless_lists: bool,
}

impl Indentation {
    /// How `text` indents: from the first key that opens a block map (its next line is more
    /// indented) and the first that opens a block list (`- ` on its next line); `default`
    /// columns per level where the text shows none. Block scalars' contents are skipped.
    pub fn of_text(text: &str, default: usize) -> Indentation {
        let (mut step, mut list) = (None, None);
        let mut opener: Option<usize> = None; // the key column of the last `key:` line
        let mut block: Option<usize> = None; // inside a block scalar owned at this column
        for line in text.lines() {
            let body = line.trim_start_matches(' ');
            let col = line.len() - body.len();
            if body.is_empty() || body.starts_with('#') || body.starts_with("---") {
                continue;
            }
            if let Some(b) = block {
                if col > b {
                    continue;
                }
                block = None;
            }
            if let Some(k) = opener.take() {
                if body.starts_with("- ") || body == "-" {
                    list = list.or(col.checked_sub(k));
                } else if col > k {
                    step = step.or(Some(col - k));
                }
                if step.is_some() && list.is_some() {
                    break;
                }
            }
            // The key column: past any `- ` of a compact list item.
            let mut key_col = col;
            let mut content = body;
            while let Some(rest) = content.strip_prefix("- ") {
                let rest_t = rest.trim_start_matches(' ');
                key_col += content.len() - rest_t.len();
                content = rest_t;
            }
            let content = match content.find(" #") {
                Some(i) => &content[..i],
                None => content,
            }
            .trim_end();
            if content.ends_with(':') {
                opener = Some(key_col);
            } else if content
                .trim_end_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit())
                .ends_with(['|', '>'])
            {
                block = Some(col);
            }
        }
        let step = match (step, list) {
            (Some(s), _) => s,
            (None, Some(d)) if d > 0 => d,
            _ => default,
        };
        Indentation {
            step,
            indentless_lists: list == Some(0),
        }
    }
}

impl<'a> Splicer<'a> {
    /// The column of byte `pos` (a piece starts at a line start).
    fn column_of(&self, pos: usize) -> Option<usize> {
        let before = self.orig.get(..pos.checked_sub(self.base)?)?;
        Some(before.len() - before.rfind('\n').map_or(0, |i| i + 1))
    }

    /// The column of the dash of a parsed block list item.
    fn dash_column(&self, n: &Node) -> Option<usize> {
        match (&n.value, n.src) {
            (_, Some(src)) if src.seq_item && !src.in_flow => Some(src.indent),
            (Value::Map(b), _) => {
                let key = b.items.iter().find_map(|i| match i {
                    Item::Pair(k, _) => k.span,
                    Item::Comment(_) => None,
                })?;
                let line = self.text(self.line_start(key.start)?, key.start)?;
                let dash = line.rfind('-')?;
                line[dash + 1..]
                    .bytes()
                    .all(|c| c == b' ')
                    .then(|| self.column_of(key.start - (line.len() - dash)))?
            }
            _ => None,
        }
    }

    fn line_start(&self, pos: usize) -> Option<usize> {
        let before = self.orig.get(..pos.checked_sub(self.base)?)?;
        Some(self.base + before.rfind('\n').map_or(0, |i| i + 1))
    }

    /// Where the line holding `pos` ends: after its line break (or at the end of the text),
    /// when only blanks or a comment follow `pos` on it.
    fn after_line(&self, pos: usize) -> Option<(usize, bool)> {
        let rest = self.orig.get(pos.checked_sub(self.base)?..)?;
        let (line, end, has_break) = match rest.find('\n') {
            Some(i) => (&rest[..i], pos + i + 1, true),
            None => (rest, pos + rest.len(), false),
        };
        let t = line.trim_start_matches([' ', '\t']);
        (t.is_empty() || t.starts_with('#')).then_some((end, has_break))
    }

    /// `text`'s lines, each indented by `col` columns (blank lines left empty).
    fn indented(text: &str, col: usize) -> String {
        let mut out = String::with_capacity(text.len() + col * 4);
        for line in text.lines() {
            if !line.is_empty() {
                out.push_str(&" ".repeat(col));
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// Insert `text` (whole lines) after the line that holds `pos`.
    fn insert_after_line(&mut self, pos: usize, text: String) -> Option<()> {
        let (at, has_break) = self.after_line(pos)?;
        let text = if has_break { text } else { format!("\n{text}") };
        self.edits.push((Span { start: at, end: at }, text));
        Some(())
    }

    pub(super) fn render_collection(&mut self, v: &Value) -> String {
        let layout = self.layout();
        emit::emit_value_in(v, layout.step, layout.indentless_lists)
    }

    /// The file's indentation, read once from its text (the whole file, not only the piece
    /// being written).
    fn layout(&mut self) -> Indentation {
        let indent = self.indent;
        // An indentation the user set (`--indent`, `stores.yaml.indent`) is used as given.
        let configured = Indentation {
            step: emit::best_indent(indent),
            indentless_lists: false,
        };
        *self
            .layout
            .get_or_insert_with(|| match std::str::from_utf8(self.full) {
                Ok(text) if indent == 0 => Indentation::of_text(text, configured.step),
                _ => configured,
            })
    }

    /// A scalar replaced by a map or a list: the new block goes below the key (or after the
    /// dash, compact), the scalar's text is cut and a comment on its line stays there.
    pub(super) fn replace_with_collection(&mut self, n: &Node, src: Src) -> Option<()> {
        let old = self.text(src.span.start, src.span.end)?;
        if src.in_flow || old.contains('\n') || old.starts_with('*') {
            return None;
        }
        let body = self.render_collection(&n.value);
        let mut lines = body.lines();
        let first = lines.next()?;
        if first.starts_with(['{', '[']) {
            // An empty map or list stays on the line: `k: {}`.
            self.edits.push((src.span, body.trim_end().to_owned()));
            return Some(());
        }
        let rest: String = lines.fold(String::new(), |mut s, l| {
            s.push_str(l);
            s.push('\n');
            s
        });
        if src.seq_item {
            // `- x:\n    y: 1`: the first line after the dash, the others aligned with it.
            let col = self.column_of(src.span.start)?;
            self.edits.push((src.span, first.to_owned()));
            if !rest.is_empty() {
                self.insert_after_line(src.span.end, Self::indented(&rest, col))?;
            }
            return Some(());
        }
        // `k: 1` → `k:` and the block on the lines below, one step in (a list at the key's
        // column in a file of indentless lists).
        let line = self.text(self.line_start(src.span.start)?, src.span.start)?;
        let blanks = line.len() - line.trim_end_matches([' ', '\t']).len();
        let cut = Span {
            start: src.span.start - blanks,
            end: src.span.end,
        };
        let col = match (&n.value, self.layout().indentless_lists) {
            (Value::List(_), true) => src.indent,
            _ => src.indent + self.layout().step,
        };
        self.edits.push((cut, String::new()));
        self.insert_after_line(src.span.end, Self::indented(&body, col))
    }

    /// A parsed block list, with the items added after its last parsed one written below it
    /// at the same column.
    pub(super) fn list(&mut self, l: &[Elem]) -> Option<()> {
        let mut last: Option<&Node> = None;
        let mut added: Vec<Elem> = Vec::new();
        for e in l {
            match e {
                Elem::Value(v) if !parsed(v) => added.push(Elem::Value(v.clone())),
                Elem::Value(_) if !added.is_empty() => return None, // inserted before parsed items
                Elem::Value(v) => {
                    self.node(v)?;
                    last = Some(v);
                }
                Elem::Comment(c) => self.comment(c)?,
            }
        }
        if added.is_empty() {
            return Some(());
        }
        let last = last?;
        let dash = self.dash_column(last)?;
        let end = self.node_end(last)?;
        let body = self.render_collection(&Value::List(added));
        let text = Self::indented(&body, dash);
        if end > self.base && self.text(end - 1, end)? == "\n" {
            self.edits.push((Span { start: end, end }, text));
            Some(())
        } else {
            self.insert_after_line(end, text)
        }
    }

    /// Where a parsed node's text ends.
    fn node_end(&self, n: &Node) -> Option<usize> {
        match (&n.value, n.src) {
            (_, Some(src)) => Some(src.span.end),
            (Value::Map(b), None) => b.end,
            (Value::List(l), None) => l.iter().rev().find_map(|e| match e {
                Elem::Value(v) => self.node_end(v),
                Elem::Comment(_) => None,
            }),
            _ => None,
        }
    }
}

/// Whether a node was read from the text: a new one is marked changed and has no source
/// position, and no parsed content (a new map has no end and no parsed keys).
pub(super) fn parsed(n: &Node) -> bool {
    if !n.changed || n.src.is_some() {
        return true;
    }
    match &n.value {
        Value::Map(b) => {
            b.end.is_some()
                || b.items
                    .iter()
                    .any(|i| matches!(i, Item::Pair(k, _) if k.span.is_some()))
        }
        Value::List(l) => l.iter().any(|e| matches!(e, Elem::Value(v) if parsed(v))),
        _ => false,
    }
}
