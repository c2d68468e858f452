//! Stores: parse a file into a [`Doc`] and write one back (spec §1). Every `match` on
//! [`Format`] lives in this file, so adding a format means one variant plus one module.
//!
//! A store parses into the typed tree and remembers each scalar's source span ([`crate::tree::Src`]).
//! `emit` with the original text splices: only nodes marked `changed` are re-rendered, items
//! listed in `Branch::removed` are cut out, and items with no source are generated at
//! `Branch::end`. Without the original text a store writes its canonical (SOPS-like) layout.

pub mod binary;
// One Cargo feature per format. YAML (`.sops.yaml` is YAML) and JSON (the binary store and
// the flat stores' metadata are JSON) are always compiled; their features only say so.
#[cfg(feature = "dotenv")]
pub mod dotenv;
pub mod flatten;
pub mod guard;
#[cfg(feature = "ini")]
pub mod ini;
pub mod json;
pub mod metadata;
#[cfg(feature = "toml")]
pub mod toml;
pub mod yaml;

use std::path::Path;

use crate::tree::{Branch, Doc, Elem, Item, Node, Span, Value};

/// A file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.yaml`, `.yml`.
    Yaml,
    /// `.json`.
    Json,
    /// `.env`: `KEY=value` lines.
    Dotenv,
    /// `.ini`: sections of `key = value`, as go-ini reads and writes them.
    Ini,
    /// `.toml` (leafseal only: SOPS has no TOML store).
    Toml,
    /// Anything else: the whole file is one value under `data`, stored as JSON.
    Binary,
}

impl Format {
    /// Detect from a file name (spec §1.8): `.yaml`/`.yml`, `.json`, `.env`, `.ini`, and
    /// `.toml` (leafseal only); unknown extensions, and no name, are binary.
    pub fn from_path(path: Option<&Path>) -> Format {
        // sops-compat: SOPS tests the name's suffix, so a file named just `.env` is dotenv
        // (`Path::extension` would say it has none).
        let name = path
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        match ext {
            "yaml" | "yml" => Format::Yaml,
            "json" => Format::Json,
            "env" => Format::Dotenv,
            "ini" => Format::Ini,
            "toml" => Format::Toml,
            _ => Format::Binary,
        }
    }

    /// Parse an `--input-type`/`--output-type` name. Unknown names are an error, never binary.
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "yaml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            "dotenv" => Some(Format::Dotenv),
            "ini" => Some(Format::Ini),
            "toml" => Some(Format::Toml),
            "binary" => Some(Format::Binary),
            _ => None,
        }
    }

    /// The names `from_name` accepts.
    pub const NAMES: &'static [&'static str] = &["yaml", "json", "dotenv", "ini", "toml", "binary"];

    /// The document `edit` opens for a file that does not exist yet.
    pub fn example_document(self) -> &'static str {
        match self {
            Format::Yaml | Format::Binary => "hello: Welcome to leafseal! Edit this file as you please!\nexample_key: example_value\n# Example comment\nexample_array:\n    - example_value1\n    - example_value2\nexample_number: 1234.56789\nexample_booleans:\n    - true\n    - false\n",
            Format::Json => "{\n\t\"hello\": \"Welcome to leafseal! Edit this file as you please!\",\n\t\"example_key\": \"example_value\",\n\t\"example_array\": [\n\t\t\"example_value1\",\n\t\t\"example_value2\"\n\t],\n\t\"example_number\": 1234.56789,\n\t\"example_booleans\": [\n\t\ttrue,\n\t\tfalse\n\t]\n}\n",
            Format::Dotenv => "hello=Welcome to leafseal! Edit this file as you please!\nexample_key=example_value\n# Example comment\n",
            Format::Ini => "[hello]\nwelcome = Welcome to leafseal! Edit this file as you please!\n\n[example]\nexample_key = example_value\n",
            Format::Toml => "hello = \"Welcome to leafseal! Edit this file as you please!\"\nexample_key = \"example_value\"\n# Example comment\nexample_array = [\"example_value1\", \"example_value2\"]\nexample_number = 1234.56789\nexample_booleans = [true, false]\n",
        }
    }

    /// The store for this format.
    pub fn store(self, opts: &StoreOptions) -> Box<dyn Store> {
        match self {
            Format::Yaml => Box::new(yaml::YamlStore {
                indent: opts.yaml_indent,
            }),
            Format::Json => Box::new(json::JsonStore {
                indent: opts.json_indent,
            }),
            #[cfg(feature = "dotenv")]
            Format::Dotenv => Box::new(dotenv::DotenvStore),
            #[cfg(feature = "ini")]
            Format::Ini => Box::new(ini::IniStore),
            #[cfg(feature = "toml")]
            Format::Toml => Box::new(toml::TomlStore),
            Format::Binary => Box::new(binary::BinaryStore {
                json: json::JsonStore {
                    indent: opts.json_indent,
                },
            }),
            #[cfg(not(all(feature = "dotenv", feature = "ini", feature = "toml")))]
            other => Box::new(Unavailable(other)),
        }
    }
}

/// The store of a format this build was compiled without (its Cargo feature is off): reading
/// or writing fails with one line naming the format.
#[cfg(not(all(feature = "dotenv", feature = "ini", feature = "toml")))]
struct Unavailable(Format);

#[cfg(not(all(feature = "dotenv", feature = "ini", feature = "toml")))]
impl Unavailable {
    fn error(&self) -> StoreError {
        StoreError::input(format!(
            "this build has no {:?} support (enable leafseal's {:?} feature)",
            self.0,
            format!("{:?}", self.0).to_lowercase()
        ))
    }
}

#[cfg(not(all(feature = "dotenv", feature = "ini", feature = "toml")))]
impl Store for Unavailable {
    fn parse(&self, _input: &[u8], _side: Side) -> Result<Doc, StoreError> {
        Err(self.error())
    }
    fn emit(
        &self,
        _doc: &Doc,
        _original: Option<&[u8]>,
        _side: Side,
    ) -> Result<Vec<u8>, StoreError> {
        Err(self.error())
    }
    fn emit_value(&self, _v: &Value) -> Result<Vec<u8>, StoreError> {
        Err(self.error())
    }
}

/// Output options shared by stores (`stores:` in `.sops.yaml`, `--indent`); the default is
/// "not set" for both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreOptions {
    /// YAML indentation; 0 when not set: SOPS's default 4 for a whole file written in the
    /// canonical layout, and the file's own indentation for maps and lists added to an
    /// existing file.
    pub yaml_indent: usize,
    /// JSON indentation; `None` means a tab (SOPS default).
    pub json_indent: Option<usize>,
}

/// A parse or emit failure. `line`/`column` are 1-based when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{msg}", location(*line, *column))]
pub struct StoreError {
    /// What went wrong, lowercase, no trailing period.
    pub msg: String,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// True for "cannot represent this tree in the output format" (exit 4), false for bad input (exit 2).
    pub on_emit: bool,
}

fn location(line: Option<usize>, col: Option<usize>) -> String {
    match (line, col) {
        (Some(l), Some(c)) => format!("line {l}, column {c}: "),
        (Some(l), None) => format!("line {l}: "),
        _ => String::new(),
    }
}

impl StoreError {
    /// Bad input at a position.
    pub fn at(msg: impl Into<String>, line: usize, column: usize) -> Self {
        StoreError {
            msg: msg.into(),
            line: Some(line),
            column: Some(column),
            on_emit: false,
        }
    }
    /// Bad input, position unknown.
    pub fn input(msg: impl Into<String>) -> Self {
        StoreError {
            msg: msg.into(),
            line: None,
            column: None,
            on_emit: false,
        }
    }
    /// The tree cannot be written in this format.
    pub fn emit(msg: impl Into<String>) -> Self {
        StoreError {
            msg: msg.into(),
            line: None,
            column: None,
            on_emit: true,
        }
    }
}

/// Which side of encryption a file is on. Most stores read and write both the same way; the
/// binary store (raw bytes vs JSON) and the flat stores (flattened metadata) do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// A plaintext file: no metadata.
    Plain,
    /// An encrypted file: the `sops` metadata is an item of each branch.
    Encrypted,
}

/// One file format.
pub trait Store {
    /// Parse a whole file. On the encrypted side the `sops` metadata is an ordinary item
    /// (a map) of each branch.
    fn parse(&self, input: &[u8], side: Side) -> Result<Doc, StoreError>;

    /// Write a document. With `original` (the text `doc` was parsed from, same side) the store
    /// splices; without it, it writes its canonical layout.
    fn emit(&self, doc: &Doc, original: Option<&[u8]>, side: Side) -> Result<Vec<u8>, StoreError>;

    /// For the write guard: parse text this store itself wrote, when that needs another
    /// grammar than [`Store::parse`] (`None`: the same). The dotenv store writes SOPS's
    /// byte-literal grammar, but reads plaintext with shell-style extensions.
    fn read_back(&self, _output: &[u8], _side: Side) -> Option<Result<Doc, StoreError>> {
        None
    }

    /// Write one value on its own, for `decrypt --extract` of a non-string leaf or a subtree.
    fn emit_value(&self, v: &Value) -> Result<Vec<u8>, StoreError>;

    /// Lossless layout support (see `ops::layout`). The text this store splices in for a
    /// changed scalar node, or `None` when the store does not splice scalars.
    fn scalar_text(&self, _node: &Node) -> Option<String> {
        None
    }

    /// Like [`Store::scalar_text`] with `step` columns of indentation per level instead of
    /// the store's own (block scalars written by other tools), or `None` when the store has no
    /// such setting.
    fn scalar_text_indented(&self, _node: &Node, _step: usize) -> Option<String> {
        None
    }

    /// Parse one scalar as written in a file of this format (`'x'`, `1.50`, `"\u00e9"`).
    fn parse_scalar(&self, _text: &str) -> Option<Value> {
        None
    }

    /// Like [`Store::emit`] with the original text, but a changed scalar whose span starts at
    /// a key of `verbatim` is written as that text instead of its canonical rendering.
    fn emit_verbatim(
        &self,
        doc: &Doc,
        original: &[u8],
        side: Side,
        _verbatim: &std::collections::HashMap<usize, String>,
    ) -> Result<Vec<u8>, StoreError> {
        self.emit(doc, Some(original), side)
    }

    /// Beyond SOPS, for bounded memory and pipelining: the ranges of `input`'s top-level
    /// entries, in order and covering all of it, when this store can parse them one at a time
    /// ([`Store::parse_piece`]) on `side` to exactly what [`Store::parse`] gives for the
    /// whole; `None` when it cannot for this input.
    fn pieces(&self, _input: &[u8], _side: Side) -> Option<Vec<Span>> {
        None
    }

    /// Parse one range from [`Store::pieces`]: a document with one branch holding the range's
    /// items, positions in terms of the whole `input`. An error means only that this piece
    /// cannot be parsed alone; the caller then parses the whole input.
    fn parse_piece(&self, _input: &[u8], _range: Span, _side: Side) -> Result<Doc, StoreError> {
        Err(StoreError::input("this format is parsed whole"))
    }

    /// Write one piece: `range` of `original` with the changes in `doc` spliced in (as
    /// [`Store::emit_verbatim`] would write them), appended to `out`. `None` when the changes
    /// cannot be spliced; `out` is then as it was.
    fn emit_piece(
        &self,
        _doc: &Doc,
        _original: &[u8],
        _range: Span,
        _verbatim: &std::collections::HashMap<usize, String>,
        _out: &mut Vec<u8>,
    ) -> Option<()> {
        None
    }
}

/// Parse `input` with `store` and refuse a map that names a key twice, in every format: SOPS
/// keeps both, and since an empty value is outside the MAC, a duplicate `password:` with an
/// empty value could be added to an encrypted file unnoticed and win (`exec-env`). YAML and
/// TOML parsers refuse duplicates themselves; JSON and dotenv are checked here. INI is left
/// to its parser: a section may appear twice (SOPS keeps both), and a key repeated within an
/// encrypted file's section is refused there.
pub fn parse_unique(
    format: Format,
    store: &dyn Store,
    input: &[u8],
    side: Side,
) -> Result<Doc, StoreError> {
    let doc = store.parse(input, side)?;
    if format != Format::Ini {
        for b in &doc.branches {
            unique_keys(b, input)?;
        }
    }
    Ok(doc)
}

/// [`parse_unique`]'s check of one parsed map (and everything below it).
pub(crate) fn unique_keys(b: &Branch, input: &[u8]) -> Result<(), StoreError> {
    let mut seen = std::collections::HashSet::new();
    for item in &b.items {
        let Item::Pair(k, n) = item else { continue };
        if !seen.insert(k.name.as_str()) {
            let msg = format!("key {:?} appears twice in the same map; keep one", k.name);
            let Some(span) = k.span.filter(|s| s.start <= input.len()) else {
                return Err(StoreError::input(msg));
            };
            let before = &input[..span.start];
            let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
            let column = before.len()
                - before
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            return Err(StoreError::at(msg, line, column));
        }
        unique_in(&n.value, input)?;
    }
    Ok(())
}

fn unique_in(v: &Value, input: &[u8]) -> Result<(), StoreError> {
    match v {
        Value::Map(b) => unique_keys(b, input),
        Value::List(l) => {
            for e in l {
                if let Elem::Value(n) = e {
                    unique_in(&n.value, input)?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
