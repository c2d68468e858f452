//! The document model shared by every store: an ordered tree of maps, lists, typed scalars and
//! comments (spec §1.1). It knows no cryptography and no file format.
//!
//! Each scalar and comment may remember where it came from ([`Src`]) so that a store can write
//! by splicing new text into the original and keep the user's layout. A node whose value was
//! replaced since parsing has `changed` set; the store renders only those.

pub mod path;
pub mod scalar;
pub mod select;
pub mod walk;

use std::fmt;

/// A byte range in the source text a store parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// How a scalar was written in the source; stores use it to keep the style when splicing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Style {
    /// Unquoted (or not applicable, e.g. a JSON number).
    #[default]
    Plain,
    /// `'…'`.
    SingleQuoted,
    /// `"…"`.
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

/// Where a scalar came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Src {
    /// The text to replace when the value changes (tag and block header included).
    pub span: Span,
    /// Original style.
    pub style: Style,
    /// Inside a flow collection (`[…]`, `{…}`): replacement text must be quoted there.
    pub in_flow: bool,
    /// Column of the owning key or list dash (for block scalars).
    pub indent: usize,
    /// The owner is a list dash (`- value`), not a map key.
    pub seq_item: bool,
}

/// A timestamp as YAML produces it: civil date-time plus a UTC offset in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Time {
    /// Year.
    pub year: i32,
    /// 1..=12.
    pub month: u8,
    /// 1..=31.
    pub day: u8,
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
    /// 0..=60.
    pub second: u8,
    /// Nanoseconds.
    pub nanos: u32,
    /// Offset from UTC in seconds; `None` means UTC written as `Z`.
    pub offset: Option<i32>,
}

/// A value in the tree.
#[derive(Clone, PartialEq, Default)]
pub enum Value {
    /// `null`; never encrypted, never hashed.
    #[default]
    Null,
    /// Boolean.
    Bool(bool),
    /// Signed 64-bit integer.
    Int(i64),
    /// A value in `(i64::MAX, u64::MAX]`: SOPS refuses to encrypt it (exit 23).
    Uint(u64),
    /// IEEE double.
    Float(f64),
    /// UTF-8 string.
    Str(String),
    /// Arbitrary bytes (binary store, `!!binary`, decrypted non-UTF-8 `type:str`).
    Bytes(Vec<u8>),
    /// YAML timestamp.
    Time(Time),
    /// Ordered map.
    Map(Branch),
    /// List; may contain comments.
    List(Vec<Elem>),
}

impl fmt::Debug for Value {
    /// Never prints scalar contents: the tree may hold plaintext secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Map(b) => f.debug_list().entries(b.items.iter()).finish(),
            Value::List(l) => f.debug_list().entries(l.iter()).finish(),
            other => write!(f, "<{}>", other.type_name()),
        }
    }
}

impl Value {
    /// The SOPS type name (`str`, `int`, …) used in `ENC[…,type:…]`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Uint(_) => "uint64",
            Value::Float(_) => "float",
            Value::Str(_) | Value::Bytes(_) => "str",
            Value::Time(_) => "time",
            Value::Map(_) => "map",
            Value::List(_) => "list",
        }
    }

    /// True for scalars (everything but maps and lists).
    pub fn is_scalar(&self) -> bool {
        !matches!(self, Value::Map(_) | Value::List(_))
    }
}

/// A value plus where it came from.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Source position, when parsed from text.
    pub src: Option<Src>,
    /// Set when the value was replaced after parsing.
    pub changed: bool,
}

impl Node {
    /// A node made in memory (no source position).
    pub fn new(value: Value) -> Self {
        Node {
            value,
            src: None,
            changed: true,
        }
    }

    /// Replace the value and mark the node as changed.
    pub fn set(&mut self, value: Value) {
        self.value = value;
        self.changed = true;
    }
}

/// A comment line (text after `#`, leading space kept).
#[derive(Clone, PartialEq, Default)]
pub struct Comment {
    /// The text after the comment marker.
    pub text: String,
    /// Span of the whole comment including the marker.
    pub src: Option<Span>,
    /// Set when the text was replaced after parsing.
    pub changed: bool,
    /// The source held it as a list element (`- ENC[…,type:comment]`, as SOPS writes
    /// encrypted comments inside sequences), so the store replaces the whole element.
    pub as_elem: bool,
}

impl fmt::Debug for Comment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Comment")
    }
}

impl Comment {
    /// A comment with the given text.
    pub fn new(text: impl Into<String>) -> Self {
        Comment {
            text: text.into(),
            src: None,
            changed: true,
            as_elem: false,
        }
    }
}

/// A map key: a string in every valid document. Non-string YAML keys are kept as their text
/// with `is_string == false` so that encryption can refuse them as SOPS does.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Key {
    /// Key text.
    pub name: String,
    /// False when the YAML key resolved to a non-string scalar.
    pub is_string: bool,
    /// The whole item's source range (key, value and its line end), so a store can delete it.
    pub span: Option<Span>,
}

impl Key {
    /// A string key.
    pub fn new(name: impl Into<String>) -> Self {
        Key {
            name: name.into(),
            is_string: true,
            span: None,
        }
    }
}

/// One map item: a key/value pair or a comment.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `key: value`.
    Pair(Key, Node),
    /// A comment line.
    Comment(Comment),
}

/// One list element: a value or a comment.
#[derive(Clone, Debug, PartialEq)]
pub enum Elem {
    /// A value.
    Value(Node),
    /// A comment line inside the list.
    Comment(Comment),
}

/// An ordered map.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Branch {
    /// Items in document order.
    pub items: Vec<Item>,
    /// Where the map's text ends (where a store appends new items), when parsed.
    pub end: Option<usize>,
    /// Source ranges of items removed since parsing; a splicing store deletes that text.
    pub removed: Vec<Span>,
}

impl Branch {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value under `key` (first match).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.items.iter().find_map(|i| match i {
            Item::Pair(k, v) if k.name == key => Some(v),
            _ => None,
        })
    }

    /// Mutable value under `key` (first match).
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.items.iter_mut().find_map(|i| match i {
            Item::Pair(k, v) if k.name == key => Some(v),
            _ => None,
        })
    }

    /// Append a pair.
    pub fn push(&mut self, key: impl Into<String>, value: Value) {
        self.items.push(Item::Pair(Key::new(key), Node::new(value)));
    }

    /// Remove the first pair named `key`, recording its source range in `removed`.
    pub fn remove(&mut self, key: &str) -> Option<(Key, Node)> {
        let pos = self
            .items
            .iter()
            .position(|i| matches!(i, Item::Pair(k, _) if k.name == key))?;
        match self.items.remove(pos) {
            Item::Pair(k, v) => {
                if let Some(span) = k.span {
                    self.removed.push(span);
                }
                Some((k, v))
            }
            Item::Comment(_) => None,
        }
    }
}

/// A parsed document set: one branch per YAML document (every other format has one).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Doc {
    /// Documents in order.
    pub branches: Vec<Branch>,
}

/// A document may hold decrypted secrets: its strings, bytes and comments are zeroized when it
/// is dropped. (Values cloned out of it are the caller's to protect.)
impl Drop for Doc {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        fn value(v: &mut Value) {
            match v {
                Value::Str(s) => s.zeroize(),
                Value::Bytes(b) => b.zeroize(),
                Value::Map(b) => branch(b),
                Value::List(l) => {
                    for e in l {
                        match e {
                            Elem::Value(n) => value(&mut n.value),
                            Elem::Comment(c) => c.text.zeroize(),
                        }
                    }
                }
                _ => {}
            }
        }
        fn branch(b: &mut Branch) {
            for i in &mut b.items {
                match i {
                    Item::Pair(_, n) => value(&mut n.value),
                    Item::Comment(c) => c.text.zeroize(),
                }
            }
        }
        for b in &mut self.branches {
            branch(b);
        }
    }
}

impl Doc {
    /// Move every source position by `by` bytes: a document parsed from a slice of a file
    /// starting at `by` then points into the whole file.
    pub fn shift_spans(&mut self, by: usize) {
        if by != 0 {
            self.map_spans(&|p| p + by);
        }
    }

    /// Map every source position through `f` (a document parsed from a rewritten text then
    /// points into the original).
    pub fn map_spans(&mut self, f: &dyn Fn(usize) -> usize) {
        fn span(s: &mut Span, f: &dyn Fn(usize) -> usize) {
            s.start = f(s.start);
            s.end = f(s.end);
        }
        fn node(n: &mut Node, f: &dyn Fn(usize) -> usize) {
            if let Some(src) = &mut n.src {
                span(&mut src.span, f);
            }
            match &mut n.value {
                Value::Map(b) => branch(b, f),
                Value::List(l) => {
                    for e in l {
                        match e {
                            Elem::Value(n) => node(n, f),
                            Elem::Comment(c) => comment(c, f),
                        }
                    }
                }
                _ => {}
            }
        }
        fn comment(c: &mut Comment, f: &dyn Fn(usize) -> usize) {
            if let Some(s) = &mut c.src {
                span(s, f);
            }
        }
        fn branch(b: &mut Branch, f: &dyn Fn(usize) -> usize) {
            if let Some(e) = &mut b.end {
                *e = f(*e);
            }
            for r in &mut b.removed {
                span(r, f);
            }
            for i in &mut b.items {
                match i {
                    Item::Pair(k, n) => {
                        if let Some(s) = &mut k.span {
                            span(s, f);
                        }
                        node(n, f);
                    }
                    Item::Comment(c) => comment(c, f),
                }
            }
        }
        for b in &mut self.branches {
            branch(b, f);
        }
    }
}
