//! Canonical YAML output, byte-compatible with what SOPS writes through Go yaml.v3 (spec §1.2).
//!
//! SOPS turns its tree into yaml.v3 nodes (comments become head comments of the next key or
//! item, or the foot comment of the last value) and lets the yaml.v3 emitter lay them out. This
//! module reproduces that emitter rather than a generic YAML writer: the [`Writer`] keeps the
//! same cursor state (column, "only indentation so far", "last char was whitespace", pending
//! comments) and the same indentation arithmetic, so odd corners (block-scalar indentation
//! hints inside lists, `? ` keys over 128 bytes, comments in empty maps) come out the same.
//! Scalar typing and quoting rules live in [`scalar`]. Output is appended to one `String`, so
//! time is linear in the output size.

mod scalar;
mod styles;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fast;

use crate::tree::{Branch, Doc, Elem, Item, Key, Node, Value};

use scalar::{analyze, is_break, Req, Scalar};

pub use scalar::{go_float_g, plain_resolves_to_str};

/// Whether the value at the splice point belongs to a mapping key or a sequence dash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// `key: value`.
    MapValue,
    /// `- value`.
    SeqItem,
}

/// Every document of `doc` in SOPS's canonical layout (documents separated by "---\n"),
/// comments as `#text` lines.
pub fn emit_doc(doc: &Doc, indent: usize) -> String {
    let mut w = Writer::new(indent);
    for (i, b) in doc.branches.iter().enumerate() {
        if i > 0 {
            // yaml.v3 writes the explicit start marker of every later document on its own line.
            w.write_indent();
            w.write_indicator("---", true, false, false);
            w.write_indent();
        }
        w.document(|w| w.root_map(b));
    }
    w.out
}

/// One value as a standalone YAML document (what `sops decrypt --extract` prints for
/// non-string leaves and subtrees, e.g. "2\n" or a block map).
pub fn emit_value(v: &Value, indent: usize) -> String {
    emit_value_in(v, indent, false)
}

/// [`emit_value`] in a file's own style: with `indentless_lists`, a list under a map key
/// has its dashes at the key's column (`k:\n- a`), as Kubernetes manifests are written.
pub fn emit_value_in(v: &Value, indent: usize, indentless_lists: bool) -> String {
    let mut w = Writer::new(indent);
    w.indentless_lists = indentless_lists;
    w.document(|w| w.value_node(v, Vec::new(), Vec::new(), Parent::Doc));
    w.out
}

/// Render a scalar to splice into existing text after `key: ` or `- `.
///
/// `col` is the column (0-based) of the line's key or dash that owns the value, `indent` the
/// indentation step; block scalars' content lines are indented as yaml.v3 would indent them
/// there. `in_flow` means inside `[..]`/`{..}`: never a block scalar, quote when a plain scalar
/// would be invalid in flow context. The result has no trailing newline (the original line end
/// follows the splice). Collections render in flow style (`{}`, `[a, b]`, `{k: v}`), without
/// comments.
pub fn render_scalar(v: &Value, col: usize, owner: Owner, indent: usize, in_flow: bool) -> String {
    let mut w = Writer::new(indent);
    // Pretend the owner's key or dash was just written: the indentation stack holds the owning
    // collection's indent and the cursor sits after the separator.
    w.indent = col as isize;
    w.column = col + 2;
    w.whitespace = true;
    w.indention = false;
    let parent = match owner {
        Owner::MapValue => Parent::Other,
        Owner::SeqItem => Parent::SeqItem,
    };
    if in_flow {
        w.flow_level = 1;
    }
    w.inline_value(v, parent);
    if w.out.ends_with('\n') {
        w.out.pop();
    }
    w.out
}

/// A comment line's text as written: "#" + text.
pub fn render_comment(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 1);
    s.push('#');
    s.push_str(text);
    s
}

/// yaml.v3's indentation step: values outside 2..=9 fall back to 2. SOPS maps 0 to its
/// default 4 before calling; do the same here so a 0 never reaches the emitter.
pub(super) fn best_indent(indent: usize) -> usize {
    match indent {
        0 => 4,
        2..=9 => indent,
        _ => 2,
    }
}

/// The emitter state that decides the next indentation (yaml.v3 looks at the top of its state
/// stack): inside a document root, a block sequence item, or anything else.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    Doc,
    SeqItem,
    Other,
}

/// A map's pairs with the comments SOPS attaches to them (`appendTreeBranch`).
struct MapParts<'a> {
    /// Comments before the first pair: the mapping's head comment.
    head: Vec<&'a str>,
    /// Each pair with the comments just before it (the key's head comment).
    pairs: Vec<(Vec<&'a str>, &'a Key, &'a Node)>,
    /// Comments after the last pair: the last value's foot comment.
    foot: Vec<&'a str>,
}

fn map_parts(b: &Branch) -> MapParts<'_> {
    let mut parts = MapParts {
        head: Vec::new(),
        pairs: Vec::new(),
        foot: Vec::new(),
    };
    let mut pending = Vec::new();
    for item in &b.items {
        match item {
            Item::Comment(c) => pending.push(c.text.as_str()),
            Item::Pair(k, v) => {
                if parts.pairs.is_empty() {
                    parts.head = std::mem::take(&mut pending);
                }
                parts.pairs.push((std::mem::take(&mut pending), k, v));
            }
        }
    }
    if parts.pairs.is_empty() {
        parts.head = pending;
    } else {
        parts.foot = pending;
    }
    parts
}

/// A list's items with their comments (`appendSequence`), shaped like [`MapParts`].
struct SeqParts<'a> {
    head: Vec<&'a str>,
    items: Vec<(Vec<&'a str>, &'a Node)>,
    foot: Vec<&'a str>,
}

fn seq_parts(l: &[Elem]) -> SeqParts<'_> {
    let mut parts = SeqParts {
        head: Vec::new(),
        items: Vec::new(),
        foot: Vec::new(),
    };
    let mut pending = Vec::new();
    for e in l {
        match e {
            Elem::Comment(c) => pending.push(c.text.as_str()),
            Elem::Value(v) => {
                if parts.items.is_empty() {
                    parts.head = std::mem::take(&mut pending);
                }
                parts.items.push((std::mem::take(&mut pending), v));
            }
        }
    }
    if parts.items.is_empty() {
        parts.head = pending;
    } else {
        parts.foot = pending;
    }
    parts
}

/// Sets a pending comment the way yaml.v3 analyses an event: a non-empty comment replaces the
/// pending one, an empty one leaves it alone.
fn set_pending<'a>(slot: &mut Vec<&'a str>, c: Vec<&'a str>) {
    if !c.is_empty() {
        *slot = c;
    }
}

/// The yaml.v3 emitter's cursor, indentation stack and pending comments.
struct Writer<'a> {
    out: String,
    best: usize,
    indent: isize,
    indents: Vec<isize>,
    column: usize,
    whitespace: bool,
    indention: bool,
    /// Indent of the last foot comment; yaml.v3 separates a following line at that indent by a
    /// blank line.
    foot_indent: isize,
    flow_level: usize,
    head: Vec<&'a str>,
    foot: Vec<&'a str>,
    /// Lists under a map key at the key's column (not yaml.v3's style; see [`emit_value_in`]).
    indentless_lists: bool,
}

impl<'a> Writer<'a> {
    fn new(indent: usize) -> Self {
        Writer {
            out: String::new(),
            best: best_indent(indent),
            indent: -1,
            indents: Vec::new(),
            column: 0,
            whitespace: true,
            indention: true,
            foot_indent: -1,
            flow_level: 0,
            head: Vec::new(),
            foot: Vec::new(),
            indentless_lists: false,
        }
    }

    // ---- low-level output (yaml.v3 put / put_break / write_indent / write_indicator) ----

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_str(&mut self, s: &str) {
        self.out.push_str(s);
        self.column += s.chars().count();
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
        self.indention = true;
    }

    /// yaml.v3 `write_break`: a `\n` is a newline, other break characters are copied.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
            self.indention = true;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        if self.foot_indent == indent as isize {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
        self.foot_indent = -1;
    }

    fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        self.put_str(ind);
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    fn increase_indent(&mut self, flow: bool, parent: Parent) {
        self.indents.push(self.indent);
        let best = self.best as isize;
        if self.indent < 0 {
            self.indent = if flow { best } else { 0 };
        } else if parent == Parent::SeqItem {
            // The first level inside a sequence item just skips the "- ".
            self.indent += 2;
        } else {
            // sops-compat: yaml.v3 rounds every other level up to the next multiple of the
            // step, so a map under `- key:` (key at column 6, step 4) sits at column 8.
            self.indent = best * ((self.indent + best) / best);
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    // ---- comments ----

    /// yaml.v3 `write_comment` on SOPS's `"#" + join(texts, "\n#")`.
    fn write_comment(&mut self, texts: &[&str]) {
        let mut breaks = false;
        for (n, text) in texts.iter().enumerate() {
            if n > 0 {
                self.put_break();
                breaks = true;
            }
            let mut pound = false;
            for c in std::iter::once('#').chain(text.chars()) {
                if is_break(c) {
                    self.write_break(c);
                    breaks = true;
                    pound = false;
                } else {
                    if breaks {
                        self.write_indent();
                    }
                    if !pound {
                        if c != '#' {
                            self.put_str("# ");
                        }
                        pound = true;
                    }
                    self.put(c);
                    self.indention = false;
                    breaks = false;
                }
            }
        }
        if !breaks {
            self.put_break();
        }
        self.whitespace = true;
    }

    fn process_head_comment(&mut self) {
        if self.head.is_empty() {
            return;
        }
        let head = std::mem::take(&mut self.head);
        self.write_indent();
        self.write_comment(&head);
    }

    fn process_foot_comment(&mut self) {
        if self.foot.is_empty() {
            return;
        }
        let foot = std::mem::take(&mut self.foot);
        self.write_indent();
        self.write_comment(&foot);
        self.foot_indent = self.indent.max(0);
    }

    // ---- structure ----

    fn root_map(&mut self, b: &'a Branch) {
        let mut parts = map_parts(b);
        set_pending(&mut self.head, std::mem::take(&mut parts.head));
        self.process_head_comment();
        self.map_body(parts, Vec::new(), Parent::Doc);
    }

    /// One document: its content, then yaml.v3's document end.
    fn document(&mut self, content: impl FnOnce(&mut Self)) {
        content(self);
        self.process_foot_comment();
        // yaml.v3 forces a blank line before a document-level foot comment; SOPS never sets
        // one, but a pending foot would get it.
        self.foot_indent = 0;
        self.process_foot_comment();
        self.foot_indent = -1;
        self.write_indent();
    }

    /// Any value as a node, written after its owner's `:`/`-` (or at a document root). `head`
    /// is extra head comment from the parent, `foot` the node's foot comment.
    fn value_node(&mut self, v: &'a Value, head: Vec<&'a str>, foot: Vec<&'a str>, parent: Parent) {
        match v {
            Value::Map(b) => {
                let mut parts = map_parts(b);
                set_pending(&mut self.head, join(head, std::mem::take(&mut parts.head)));
                if parent == Parent::Doc {
                    self.process_head_comment();
                }
                self.map_body(parts, foot, parent);
            }
            Value::List(l) => {
                let mut parts = seq_parts(l);
                set_pending(&mut self.head, join(head, std::mem::take(&mut parts.head)));
                if parent == Parent::Doc {
                    self.process_head_comment();
                }
                self.seq_body(parts, foot, parent);
            }
            _ => {
                set_pending(&mut self.head, head);
                set_pending(&mut self.foot, foot);
                if parent == Parent::Doc {
                    self.process_head_comment();
                }
                let s = Scalar::of(v);
                self.scalar(&s, false, parent);
                self.process_foot_comment();
            }
        }
    }

    /// A map whose head comment is already pending or written.
    fn map_body(&mut self, parts: MapParts<'a>, foot: Vec<&'a str>, parent: Parent) {
        let MapParts {
            pairs,
            foot: mut last_foot,
            ..
        } = parts;
        if pairs.is_empty() {
            self.write_indicator("{", true, true, false);
            self.increase_indent(true, parent);
            self.flow_level += 1;
            // sops-compat: the comments of a map that holds only comments end up inside the
            // braces ("{\n    # c\n}"), with the closing brace at column 0.
            self.process_head_comment();
            self.flow_level -= 1;
            self.pop_indent();
            self.write_indicator("}", false, false, false);
        } else {
            self.increase_indent(false, parent);
            let n = pairs.len();
            for (i, (key_head, key, node)) in pairs.into_iter().enumerate() {
                set_pending(&mut self.head, key_head);
                self.process_head_comment();
                self.write_indent();
                let ks = key_scalar(key);
                let a = analyze(&ks.text);
                if !a.multiline && ks.key_len() <= 128 {
                    self.scalar(&ks, true, Parent::Other);
                    self.write_indicator(":", false, false, false);
                } else {
                    // yaml.v3 writes keys over 128 bytes or spanning lines as `? key\n: value`.
                    self.write_indicator("?", true, false, true);
                    self.scalar(&ks, false, Parent::Other);
                    self.write_indent();
                    self.write_indicator(":", true, false, true);
                }
                let f = if i + 1 == n {
                    std::mem::take(&mut last_foot)
                } else {
                    Vec::new()
                };
                self.value_node(&node.value, Vec::new(), f, Parent::Other);
            }
            // Mapping end: a comment still pending (from an empty list's head) is written here.
            self.process_head_comment();
            self.pop_indent();
        }
        set_pending(&mut self.foot, foot);
        self.process_foot_comment();
    }

    /// A list whose head comment is already pending or written.
    fn seq_body(&mut self, parts: SeqParts<'a>, foot: Vec<&'a str>, parent: Parent) {
        let SeqParts {
            items,
            foot: mut last_foot,
            ..
        } = parts;
        if items.is_empty() {
            // sops-compat: a list holding only comments is `[]`; its comments stay pending and
            // come out before the next key or item (or at the end of the enclosing map).
            self.write_indicator("[", true, true, false);
            self.increase_indent(true, parent);
            self.pop_indent();
            self.write_indicator("]", false, false, false);
        } else {
            if self.indentless_lists && parent == Parent::Other {
                self.indents.push(self.indent); // dashes at the key's column
            } else {
                self.increase_indent(false, parent);
            }
            let n = items.len();
            for (i, (item_head, node)) in items.into_iter().enumerate() {
                let f = if i + 1 == n {
                    std::mem::take(&mut last_foot)
                } else {
                    Vec::new()
                };
                // An item's head comment (the comments before it, then a collection's own
                // leading comments) is written above its dash.
                match &node.value {
                    Value::Map(b) => {
                        let mut parts = map_parts(b);
                        set_pending(
                            &mut self.head,
                            join(item_head, std::mem::take(&mut parts.head)),
                        );
                        self.dash();
                        self.map_body(parts, f, Parent::SeqItem);
                    }
                    Value::List(l) => {
                        let mut parts = seq_parts(l);
                        set_pending(
                            &mut self.head,
                            join(item_head, std::mem::take(&mut parts.head)),
                        );
                        self.dash();
                        self.seq_body(parts, f, Parent::SeqItem);
                    }
                    v => {
                        set_pending(&mut self.head, item_head);
                        self.dash();
                        self.value_node(v, Vec::new(), f, Parent::SeqItem);
                    }
                }
            }
            self.pop_indent();
        }
        set_pending(&mut self.foot, foot);
        self.process_foot_comment();
    }

    /// A sequence item's head comment, then its `-`.
    fn dash(&mut self) {
        self.process_head_comment();
        self.write_indent();
        self.write_indicator("-", true, false, true);
    }

    /// A value in flow style for `render_scalar`: scalars as they would be written in place,
    /// collections as `{k: v, ...}` / `[a, ...]`.
    fn inline_value(&mut self, v: &'a Value, parent: Parent) {
        match v {
            Value::Map(b) => {
                self.write_indicator("{", true, true, false);
                self.increase_indent(true, parent);
                self.flow_level += 1;
                let mut first = true;
                for item in &b.items {
                    if let Item::Pair(k, n) = item {
                        if !first {
                            self.write_indicator(",", false, false, false);
                        }
                        first = false;
                        let ks = key_scalar(k);
                        self.scalar(&ks, true, Parent::Other);
                        self.write_indicator(":", false, false, false);
                        self.inline_value(&n.value, Parent::Other);
                    }
                }
                self.flow_level -= 1;
                self.pop_indent();
                self.write_indicator("}", false, false, false);
            }
            Value::List(l) => {
                self.write_indicator("[", true, true, false);
                self.increase_indent(true, parent);
                self.flow_level += 1;
                let mut first = true;
                for e in l {
                    if let Elem::Value(n) = e {
                        if !first {
                            self.write_indicator(",", false, false, false);
                        }
                        first = false;
                        self.inline_value(&n.value, Parent::Other);
                    }
                }
                self.flow_level -= 1;
                self.pop_indent();
                self.write_indicator("]", false, false, false);
            }
            _ => {
                let s = Scalar::of(v);
                self.scalar(&s, false, parent);
            }
        }
    }
}

fn join<'a>(mut a: Vec<&'a str>, b: Vec<&'a str>) -> Vec<&'a str> {
    a.extend(b);
    a
}

/// The scalar for a key. A non-string key (kept as its source text) is written plain.
fn key_scalar(k: &Key) -> Scalar<'_> {
    if k.is_string {
        Scalar::string(&k.name)
    } else {
        Scalar {
            tag: None,
            text: std::borrow::Cow::Borrowed(&k.name),
            req: Req::Plain,
        }
    }
}

/// `s` as a double-quoted YAML scalar, escaped as yaml.v3 escapes.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        scalar::push_double_quoted_char(&mut out, c);
    }
    out.push('"');
    out
}
