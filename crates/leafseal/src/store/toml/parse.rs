//! Reading TOML into the tree. `toml_edit` parses (and so decides what is valid TOML); this
//! module only translates its spanned document into [`Doc`], keeping each scalar's byte span
//! and each comment's span so that writing back can splice.
//!
//! Comments live in `toml_edit`'s decor (the whitespace around keys, values and headers). Each
//! one becomes a [`Comment`] item placed where a reader would attach it: comments above a key
//! or header come before that pair, a comment after a value on its line comes right after the
//! pair, a comment on a header line opens the table's own items, and comments at the end of the
//! file close the root table.

use toml_edit::{
    Array, ArrayOfTables, Datetime, Decor, Document, InlineTable, Item as TItem, RawString, Table,
    Value as TValue,
};

use super::super::StoreError;
use crate::tree::{Branch, Comment, Doc, Elem, Item, Key, Node, Span, Src, Style, Time, Value};

/// Parse a whole TOML file. A file holding only whitespace is an empty [`Doc`] (no document),
/// so that encrypting it fails as an empty YAML or JSON file does.
pub fn parse_doc(text: &str) -> Result<Doc, StoreError> {
    let doc = Document::parse(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        let (line, column) = line_col(text, at);
        StoreError::at(e.message().trim_end_matches('.').to_owned(), line, column)
    })?;
    if text.trim().is_empty() {
        return Ok(Doc::default());
    }
    let r = Reader { text };
    let mut root = r.table(doc.as_table());
    r.decor_comments(doc.trailing(), &mut root.items, Item::Comment);
    root.end = Some(text.len());
    Ok(Doc {
        branches: vec![root],
    })
}

/// 1-based line and column (in characters) of byte offset `at`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, before[line_start..].chars().count() + 1)
}

struct Reader<'a> {
    text: &'a str,
}

fn span_of(r: Option<std::ops::Range<usize>>) -> Option<Span> {
    r.map(|r| Span {
        start: r.start,
        end: r.end,
    })
}

impl Reader<'_> {
    /// Every `#` comment inside one decor string, in order. Decor holds only whitespace,
    /// newlines and comments, so each `#` starts a comment that runs to the end of its line.
    fn decor_comments<T>(&self, raw: &RawString, out: &mut Vec<T>, wrap: fn(Comment) -> T) {
        let Some(range) = raw.span() else { return };
        let Some(s) = self.text.get(range.clone()) else {
            return;
        };
        let mut pos = 0;
        while let Some(off) = s[pos..].find('#') {
            let start = pos + off;
            let end = s[start..].find(['\n', '\r']).map_or(s.len(), |e| start + e);
            out.push(wrap(Comment {
                text: s[start + 1..end].to_owned(),
                src: Some(Span {
                    start: range.start + start,
                    end: range.start + end,
                }),
                changed: false,
                as_elem: false,
            }));
            pos = end;
        }
    }

    fn prefix_comments<T>(&self, d: &Decor, out: &mut Vec<T>, wrap: fn(Comment) -> T) {
        if let Some(p) = d.prefix() {
            self.decor_comments(p, out, wrap);
        }
    }

    fn suffix_comments<T>(&self, d: &Decor, out: &mut Vec<T>, wrap: fn(Comment) -> T) {
        if let Some(p) = d.suffix() {
            self.decor_comments(p, out, wrap);
        }
    }

    /// A table with a header, an implicit table or a dotted-key table.
    fn table(&self, t: &Table) -> Branch {
        let mut b = Branch::new();
        self.suffix_comments(t.decor(), &mut b.items, Item::Comment);
        for (name, item) in t.iter() {
            let key = t.key(name);
            if let Some(k) = key {
                self.prefix_comments(k.leaf_decor(), &mut b.items, Item::Comment);
                self.prefix_comments(k.dotted_decor(), &mut b.items, Item::Comment);
            }
            let key_span = key.and_then(|k| span_of(k.span()));
            let (node, trailing) = match item {
                TItem::None => continue,
                TItem::Value(v) => (self.value(v), Some(v.decor())),
                TItem::Table(sub) => {
                    self.prefix_comments(sub.decor(), &mut b.items, Item::Comment);
                    (
                        Node {
                            value: Value::Map(self.table(sub)),
                            src: None,
                            changed: false,
                        },
                        None,
                    )
                }
                TItem::ArrayOfTables(a) => (self.array_of_tables(a), None),
            };
            let mut k = Key::new(name);
            // Any span marks the key as parsed (the writer finds items by name, not by span).
            k.span = key_span.or(Some(Span::default()));
            b.items.push(Item::Pair(k, node));
            if let Some(d) = trailing {
                self.suffix_comments(d, &mut b.items, Item::Comment);
            }
        }
        b
    }

    fn array_of_tables(&self, a: &ArrayOfTables) -> Node {
        let mut list = Vec::new();
        for t in a.iter() {
            self.prefix_comments(t.decor(), &mut list, Elem::Comment);
            list.push(Elem::Value(Node {
                value: Value::Map(self.table(t)),
                src: None,
                changed: false,
            }));
        }
        Node {
            value: Value::List(list),
            src: None,
            changed: false,
        }
    }

    fn inline_table(&self, t: &InlineTable) -> Branch {
        let mut b = Branch::new();
        for (name, v) in t.iter() {
            let key = t.key(name);
            if let Some(k) = key {
                self.prefix_comments(k.leaf_decor(), &mut b.items, Item::Comment);
                self.prefix_comments(k.dotted_decor(), &mut b.items, Item::Comment);
            }
            let node = self.value(v);
            let mut k = Key::new(name);
            k.span = key
                .and_then(|k| span_of(k.span()))
                .or(Some(Span::default()));
            b.items.push(Item::Pair(k, node));
            self.suffix_comments(v.decor(), &mut b.items, Item::Comment);
        }
        self.decor_comments(t.trailing(), &mut b.items, Item::Comment);
        b
    }

    fn array(&self, a: &Array) -> Vec<Elem> {
        let mut list = Vec::new();
        for v in a.iter() {
            self.prefix_comments(v.decor(), &mut list, Elem::Comment);
            list.push(Elem::Value(self.value(v)));
            self.suffix_comments(v.decor(), &mut list, Elem::Comment);
        }
        self.decor_comments(a.trailing(), &mut list, Elem::Comment);
        list
    }

    fn value(&self, v: &TValue) -> Node {
        let span = span_of(v.span());
        let raw = span
            .and_then(|s| self.text.get(s.start..s.end))
            .unwrap_or("");
        let value = match v {
            TValue::String(s) => Value::Str(s.value().clone()),
            TValue::Integer(i) => Value::Int(*i.value()),
            TValue::Float(f) => Value::Float(*f.value()),
            TValue::Boolean(b) => Value::Bool(*b.value()),
            TValue::Datetime(d) => match offset_time(d.value()) {
                Some(t) => Value::Time(t),
                // Local forms have no instant: keep their text (see the module docs of `toml`).
                None => Value::Str(raw.to_owned()),
            },
            TValue::Array(a) => {
                return Node {
                    value: Value::List(self.array(a)),
                    src: None,
                    changed: false,
                }
            }
            TValue::InlineTable(t) => {
                return Node {
                    value: Value::Map(self.inline_table(t)),
                    src: None,
                    changed: false,
                }
            }
        };
        let src = span.map(|span| Src {
            span,
            style: style_of(raw),
            in_flow: false,
            indent: 0,
            seq_item: false,
        });
        Node {
            value,
            src,
            changed: false,
        }
    }
}

/// The quoting of a value's source text.
pub fn style_of(raw: &str) -> Style {
    if raw.starts_with("'''") {
        Style::Literal
    } else if raw.starts_with("\"\"\"") {
        Style::Folded
    } else if raw.starts_with('\'') {
        Style::SingleQuoted
    } else if raw.starts_with('"') {
        Style::DoubleQuoted
    } else {
        Style::Plain
    }
}

/// An offset date-time as a tree [`Time`]; `None` for the local forms (no offset, or no date
/// or no time).
pub fn offset_time(d: &Datetime) -> Option<Time> {
    let (date, time, offset) = (d.date?, d.time?, d.offset?);
    let offset = match offset {
        toml_edit::Offset::Z => None,
        toml_edit::Offset::Custom { minutes } => Some(i32::from(minutes) * 60),
    };
    Some(Time {
        year: i32::from(date.year),
        month: date.month,
        day: date.day,
        hour: time.hour,
        minute: time.minute,
        second: time.second.unwrap_or(0),
        nanos: time.nanosecond.unwrap_or(0),
        offset,
    })
}

/// True when `s` is exactly a TOML local date, local time or local date-time.
pub fn is_local_datetime(s: &str) -> bool {
    if s.trim() != s {
        return false;
    }
    matches!(s.parse::<TValue>(), Ok(TValue::Datetime(d)) if offset_time(d.value()).is_none())
}
