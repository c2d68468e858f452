//! INI store (spec §1.5): files read and written the way SOPS does it, through go-ini
//! (`gopkg.in/ini.v1` with non-unique sections allowed).
//!
//! The tree has one item per section (`name → map of key → Str`). Keys before the first
//! header belong to the section `DEFAULT`, which go-ini always creates, so the tree always
//! starts with a `DEFAULT` item, possibly empty. go-ini is lossy and this store copies its
//! losses on purpose, because the MAC covers what SOPS saw: `;` and `#` anywhere in an unquoted
//! value start a comment, surrounding quotes are removed, a trailing `\` continues the value on
//! the next line, a repeated key in a section overwrites the first, blank lines are dropped
//! and comments move (a comment belongs to the key or section after it). The tree places a
//! section's comment first in its map and a key's comment right after that key, as SOPS does.
//!
//! Output is go-ini's pretty format: `=` aligned per section, a blank line between sections,
//! values quoted only when go-ini would. There is no splicing: `emit` always writes that
//! canonical form, which is what SOPS writes too.
//!
//! On the encrypted side the metadata is a `[sops]` section of flattened keys (spec §1.7) with
//! newlines in values written as the two characters `\n`; it is presented as a `sops` map
//! item at the end of the branch.

use super::flatten::{flatten, parsed, unflatten, val_to_string};
use super::{Side, Store, StoreError};
use crate::tree::{Branch, Comment, Doc, Elem, Item, Key, Value};

/// go-ini's name for the section of keys written before any header.
const DEFAULT_SECTION: &str = "DEFAULT";

/// The INI store.
pub struct IniStore;

/// One key as go-ini holds it.
#[derive(Debug, Default)]
struct IniKey {
    name: String,
    value: String,
    /// Raw comment text (markers included, lines joined by `\n`).
    comment: String,
    /// 1-based line, for errors.
    line: usize,
}

/// One section as go-ini holds it.
#[derive(Debug, Default)]
struct IniSection {
    name: String,
    comment: String,
    keys: Vec<IniKey>,
    /// Byte offset in the input where the section's text starts: its header, or the comment
    /// lines before it that go-ini gives to it (where a piece may start).
    start: usize,
}

impl IniSection {
    /// go-ini `Section.NewKey`: a repeated name overwrites the value in place.
    fn key(&mut self, name: &str, value: String, line: usize) -> &mut IniKey {
        let pos = match self.keys.iter().position(|k| k.name == name) {
            Some(p) => {
                // sops-compat: without go-ini's shadows option the last value wins.
                self.keys[p].value = value;
                p
            }
            None => {
                self.keys.push(IniKey {
                    name: name.to_owned(),
                    value,
                    comment: String::new(),
                    line,
                });
                self.keys.len() - 1
            }
        };
        &mut self.keys[pos]
    }
}

impl Store for IniStore {
    fn parse(&self, input: &[u8], side: Side) -> Result<Doc, StoreError> {
        let mut sections = parse_sections(input, true, side == Side::Encrypted)?;
        let meta = match side {
            Side::Plain => None,
            Side::Encrypted => take_metadata(&mut sections)?,
        };
        let mut branch = Branch::new();
        for sec in sections {
            let mut items = Branch::new();
            if !sec.comment.is_empty() {
                items
                    .items
                    .push(Item::Comment(comment(strip_comment_marker(&sec.comment))));
            }
            for k in sec.keys {
                items
                    .items
                    .push(Item::Pair(Key::new(k.name), parsed(Value::Str(k.value))));
                if !k.comment.is_empty() {
                    items
                        .items
                        .push(Item::Comment(comment(strip_comment_marker(&k.comment))));
                }
            }
            branch
                .items
                .push(Item::Pair(Key::new(sec.name), parsed(Value::Map(items))));
        }
        if let Some(m) = meta {
            branch
                .items
                .push(Item::Pair(Key::new("sops"), parsed(Value::Map(m))));
        }
        Ok(Doc {
            branches: vec![branch],
        })
    }

    fn emit(&self, doc: &Doc, _original: Option<&[u8]>, side: Side) -> Result<Vec<u8>, StoreError> {
        let mut sections = Vec::new();
        let mut meta = None;
        for branch in &doc.branches {
            for item in &branch.items {
                let Item::Pair(k, n) = item else { continue };
                if side == Side::Encrypted && k.name == "sops" {
                    if let Value::Map(m) = &n.value {
                        meta.get_or_insert(m);
                        continue;
                    }
                }
                sections.push(section_of(&k.name, &n.value)?);
            }
        }
        if let Some(m) = meta {
            // sops-compat: the metadata section always comes last, keys without a prefix and
            // newlines escaped so that go-ini does not write `"""` blocks (3.13.0/1 did).
            let mut sec = IniSection {
                name: "sops".into(),
                ..IniSection::default()
            };
            for (k, v) in flatten(m, "")? {
                let text = match &v {
                    Value::Str(s) => s.replace('\n', "\\n"),
                    other => text_of(other, &k)?,
                };
                sec.key(&k, text, 0);
            }
            sections.push(sec);
        }
        Ok(write_sections(&sections).into_bytes())
    }

    /// Plaintext only (the encrypted side's `[sops]` section is read as a whole). Pieces are
    /// runs of whole sections of about 64 KiB, each starting where the parse says a section's
    /// text starts (its header, or the comment lines go-ini gives to it), so values spanning
    /// lines and comments stay with their section.
    fn pieces(&self, input: &[u8], side: Side) -> Option<Vec<crate::tree::Span>> {
        const PIECE: usize = 64 * 1024;
        if side != Side::Plain {
            return None;
        }
        // The same parse, keeping only where sections start.
        let sections = parse_sections(input, false, false).ok()?;
        let mut out = Vec::new();
        let mut start = 0;
        // The first section is the implicit DEFAULT: the first piece starts at 0.
        for sec in sections.iter().skip(1) {
            if sec.start - start >= PIECE {
                out.push(crate::tree::Span {
                    start,
                    end: sec.start,
                });
                start = sec.start;
            }
        }
        out.push(crate::tree::Span {
            start,
            end: input.len(),
        });
        Some(out)
    }

    fn parse_piece(
        &self,
        input: &[u8],
        range: crate::tree::Span,
        side: Side,
    ) -> Result<Doc, StoreError> {
        if side != Side::Plain {
            return Err(StoreError::input("encrypted INI files are parsed whole"));
        }
        let text = input
            .get(range.start..range.end)
            .ok_or_else(|| StoreError::input("piece out of range"))?;
        let mut doc = self.parse(text, Side::Plain)?;
        if range.start > 0 {
            // A later piece starts at a section: the implicit DEFAULT go-ini creates for it is
            // empty and belongs to the first piece only.
            let b = doc
                .branches
                .first_mut()
                .ok_or_else(|| StoreError::input("no sections"))?;
            match b.items.first() {
                Some(Item::Pair(k, n))
                    if k.name == DEFAULT_SECTION
                        && matches!(&n.value, Value::Map(m) if m.items.is_empty()) =>
                {
                    b.items.remove(0);
                }
                _ => return Err(StoreError::input("a piece must start at a section")),
            }
        }
        Ok(doc)
    }

    fn emit_piece(
        &self,
        doc: &Doc,
        original: &[u8],
        range: crate::tree::Span,
        _verbatim: &std::collections::HashMap<usize, String>,
        out: &mut Vec<u8>,
    ) -> Option<()> {
        let text = self.emit(doc, None, Side::Encrypted).ok()?;
        // go-ini separates sections by a blank line: a piece before the last one ends with
        // the separator its last section gets in the whole file (an empty DEFAULT writes
        // nothing, not even that).
        let last = range.end >= original.len();
        out.extend_from_slice(&text);
        if !last && !text.is_empty() {
            out.push(b'\n');
        }
        Some(())
    }

    fn emit_value(&self, v: &Value) -> Result<Vec<u8>, StoreError> {
        match v {
            // SOPS writes a subtree as an INI file of its own (its items must be sections).
            Value::Map(b) => self.emit(
                &Doc {
                    branches: vec![b.clone()],
                },
                None,
                Side::Plain,
            ),
            // sops-compat: any other value goes through Go's `json.Marshal`.
            other => Ok(go_json(other).into_bytes()),
        }
    }
}

fn comment(text: &str) -> Comment {
    Comment {
        text: text.to_owned(),
        src: None,
        changed: false,
        as_elem: false,
    }
}

/// SOPS's `stripCommentChar`: drop the leading marker and any run of markers and spaces.
fn strip_comment_marker(c: &str) -> &str {
    if c.starts_with(';') {
        c.trim_start_matches([';', ' '])
    } else if c.starts_with('#') {
        c.trim_start_matches(['#', ' '])
    } else {
        c
    }
}

/// The text of a value in a section: strings as they are, other scalars via `ValToString`.
fn text_of(v: &Value, key: &str) -> Result<String, StoreError> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        other => val_to_string(other)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .ok_or_else(|| {
                StoreError::emit(format!(
                    "cannot use complex value in ini file; offending key {key}"
                ))
            }),
    }
}

/// Build a section from a top-level item, as SOPS's `encodeTree` does: a leading comment is
/// the section's, any later comment belongs to the key before it (the last one wins), and a
/// comment with no key before it is dropped.
fn section_of(name: &str, v: &Value) -> Result<IniSection, StoreError> {
    if name.is_empty() {
        return Err(StoreError::emit(
            "error encoding section: empty section name",
        ));
    }
    let Value::Map(b) = v else {
        return Err(StoreError::emit(format!(
            "error encoding section {name}: section values should always be maps"
        )));
    };
    let mut sec = IniSection {
        name: name.to_owned(),
        ..IniSection::default()
    };
    let mut items = b.items.iter().peekable();
    if let Some(Item::Comment(c)) = items.peek() {
        sec.comment = c.text.clone();
        items.next();
    }
    let mut last: Option<usize> = None;
    for item in items {
        match item {
            Item::Comment(c) => {
                if let Some(i) = last {
                    if let Some(k) = sec.keys.get_mut(i) {
                        k.comment = c.text.clone();
                    }
                }
            }
            Item::Pair(k, n) => {
                if k.name.is_empty() {
                    return Err(StoreError::emit("error creating new key: empty key name"));
                }
                let text = text_of(&n.value, &k.name)?;
                sec.key(&k.name, text, 0);
                last = sec.keys.iter().position(|x| x.name == k.name);
            }
        }
    }
    Ok(sec)
}

/// go-ini `WriteTo` with its defaults (`PrettyFormat`, `PrettySection`, no default header).
fn write_sections(sections: &[IniSection]) -> String {
    let mut out = String::new();
    let last = sections.len().saturating_sub(1);
    for (i, sec) in sections.iter().enumerate() {
        if !sec.comment.is_empty() {
            for line in sec.comment.split('\n') {
                // sops-compat: a section comment line without a marker is not trimmed.
                out.push_str(&comment_line(line, false));
                out.push('\n');
            }
        }
        // sops-compat: go-ini omits the header only for a first section named DEFAULT (in
        // any case), and writes nothing at all, not even the blank line, when it is empty.
        if i > 0 || sec.name.to_uppercase() != DEFAULT_SECTION {
            out.push('[');
            out.push_str(&sec.name);
            out.push_str("]\n");
        } else if sec.keys.is_empty() {
            continue;
        }
        let width = sec
            .keys
            .iter()
            .map(|k| quoted_key(&k.name).len())
            .max()
            .unwrap_or(0);
        for k in &sec.keys {
            if !k.comment.is_empty() {
                for line in k.comment.split('\n') {
                    out.push_str(&comment_line(line, true));
                    out.push('\n');
                }
            }
            let name = quoted_key(&k.name);
            out.push_str(&name);
            out.push_str(&" ".repeat(width.saturating_sub(name.len())));
            out.push_str(" = ");
            out.push_str(&quoted_value(&k.value));
            out.push('\n');
        }
        if i != last {
            out.push('\n');
        }
    }
    out
}

/// One comment line as go-ini writes it: a line with its own marker keeps it (one space after
/// it), any other line gets `; `.
fn comment_line(line: &str, trim_unmarked: bool) -> String {
    match line.as_bytes().first() {
        Some(b'#' | b';') => format!("{} {}", &line[..1], line[1..].trim()),
        // go-ini panics on an empty line here; write an empty comment instead.
        _ if trim_unmarked => format!("; {}", line.trim()),
        _ => format!("; {line}"),
    }
}

/// go-ini's key quoting: backticks around a key holding `"`, `=` or `:`, `"""` around one
/// holding a backtick. Beyond go-ini (found by fuzzing), a key that would otherwise read back
/// as something else is quoted too: one starting with `[` (a section header) or `;` (a
/// comment; `#` is left alone because go-ini names auto-numbered keys `#1`, `#2`… and SOPS
/// writes them bare), or with blanks at either end (trimmed on read).
fn quoted_key(k: &str) -> String {
    let misread = k.starts_with(['[', ';']) || k.trim() != k;
    if k.contains('`') && !k.contains("\"\"\"") {
        // Checked first: backticks cannot quote a key that holds one (found by fuzzing with a
        // key holding both a backtick and `:`), `"""` can.
        format!("\"\"\"{k}\"\"\"")
    } else if k.contains(['"', '=', ':']) || misread {
        format!("`{k}`")
    } else {
        k.to_owned()
    }
}

/// go-ini's value quoting (spec §1.5). Beyond go-ini (found by fuzzing): a value the reader
/// would alter is quoted too — one opening a `"""` block, or wrapped in matching `"…"`/`'…'`
/// (which the reader strips). Other values keep go-ini's (and SOPS's) bare form.
fn quoted_value(v: &str) -> String {
    let wrapped = surrounded(v, '"') || surrounded(v, '\'');
    if (v.starts_with("\"\"\"") || wrapped) && !v.contains(['\n', '`']) {
        format!("`{v}`")
    } else if v.contains(['\n', '`']) {
        format!("\"\"\"{v}\"\"\"")
    } else if v.contains(['#', ';']) {
        format!("`{v}`")
    } else if v.trim().len() != v.len() {
        format!("\"{v}\"")
    } else {
        v.to_owned()
    }
}

/// Take the `[sops]` section out and rebuild the metadata map from it.
fn take_metadata(sections: &mut Vec<IniSection>) -> Result<Option<Branch>, StoreError> {
    let mut found: Option<IniSection> = None;
    let mut i = 0;
    while i < sections.len() {
        if sections[i].name == "sops" {
            let sec = sections.remove(i);
            if found.is_some() {
                return Err(StoreError::input("found duplicate sops entry"));
            }
            found = Some(sec);
        } else {
            i += 1;
        }
    }
    let Some(sec) = found else { return Ok(None) };
    // Both forms are read: `\n` escapes (3.11, 3.12, 3.13.2) and real newlines (3.13.0/1).
    let items = sec
        .keys
        .into_iter()
        .map(|k| (k.name, Value::Str(k.value.replace("\\n", "\n")), k.line))
        .collect();
    unflatten(items).map(Some)
}

/// Line-by-line reader with go-ini's comment buffer.
struct Parser<'a> {
    lines: Vec<&'a str>,
    /// Index of the next line to read (so, after a read, the 1-based number of that line).
    pos: usize,
    /// Comment text waiting for the next key or section.
    comment: String,
}

impl<'a> Parser<'a> {
    /// The next line with its `\n`, if any.
    fn next_line(&mut self) -> Option<&'a str> {
        let l = self.lines.get(self.pos).copied();
        if l.is_some() {
            self.pos += 1;
        }
        l
    }

    /// go-ini `readValue` with the options SOPS leaves at their defaults.
    fn read_value(&mut self, raw: &str, line: usize) -> Result<String, StoreError> {
        let v = raw.trim_start();
        if v.is_empty() {
            return Ok(String::new());
        }
        // `"""` needs more than three characters, the line end counting as one.
        let quote = if v.len() > 3 && v.starts_with("\"\"\"") {
            "\"\"\""
        } else if v.starts_with('`') {
            "`"
        } else {
            ""
        };
        if !quote.is_empty() {
            let rest = &v[quote.len()..];
            return match rest.rfind(quote) {
                // Anything after the closing quote is ignored, comments included.
                Some(p) => Ok(rest[..p].to_owned()),
                None => self.read_multiline(rest.to_owned(), quote, line),
            };
        }
        let v = v.trim();
        if let Some(head) = v.strip_suffix('\\') {
            // sops-compat: a trailing backslash continues the value (no comment handling).
            return Ok(self.read_continuation(head));
        }
        let mut v = v;
        if let Some(i) = v.find(['#', ';']) {
            // sops-compat: an inline comment starts at the first `#` or `;`, even mid-word.
            self.comment.push_str(&v[i..]);
            v = v[..i].trim();
        }
        if surrounded(v, '\'') || surrounded(v, '"') {
            v = &v[1..v.len() - 1];
        }
        Ok(v.to_owned())
    }

    fn read_multiline(
        &mut self,
        mut val: String,
        quote: &str,
        line: usize,
    ) -> Result<String, StoreError> {
        loop {
            let Some(next) = self.next_line() else {
                return Err(StoreError::at(
                    "missing closing quote of a multi-line value",
                    line,
                    1,
                ));
            };
            if let Some(p) = next.rfind(quote) {
                val.push_str(&next[..p]);
                if let Some(c) = inline_comment(&next[p..]) {
                    self.comment.push_str(c.trim());
                }
                return Ok(val);
            }
            val.push_str(next);
            if !next.ends_with('\n') {
                return Err(StoreError::at(
                    "missing closing quote of a multi-line value",
                    line,
                    1,
                ));
            }
        }
    }

    fn read_continuation(&mut self, head: &str) -> String {
        let mut val = head.to_owned();
        loop {
            let next = self.next_line().unwrap_or("").trim();
            if next.is_empty() {
                break;
            }
            val.push_str(next);
            if !val.ends_with('\\') {
                break;
            }
            val.pop();
        }
        val
    }
}

/// go-ini `cleanComment`: from the first `#` or `;` on.
fn inline_comment(s: &str) -> Option<&str> {
    s.find(['#', ';']).map(|i| &s[i..])
}

/// go-ini `hasSurroundedQuote`: quoted at both ends, with no other such quote inside.
fn surrounded(s: &str, q: char) -> bool {
    s.len() >= 2 && s.starts_with(q) && s.ends_with(q) && s[1..].find(q) == Some(s.len() - 2)
}

/// go-ini `readKeyName`: the key and the offset of the value after the delimiter.
fn read_key_name(line: &str, lineno: usize) -> Result<(String, usize), StoreError> {
    let quote = if line.starts_with('"') {
        if line.len() > 6 && line.starts_with("\"\"\"") {
            "\"\"\""
        } else {
            "\""
        }
    } else if line.starts_with('`') {
        "`"
    } else {
        ""
    };
    // (Messages name the line, never quote it: it may hold a secret.)
    if !quote.is_empty() {
        let start = quote.len();
        let Some(p) = line[start..].find(quote) else {
            return Err(StoreError::at(
                "missing closing key quote".to_owned(),
                lineno,
                1,
            ));
        };
        let close = p + start;
        let Some(i) = line[close + start..].find(['=', ':']) else {
            return Err(StoreError::at(
                "key-value delimiter (`=` or `:`) not found".to_owned(),
                lineno,
                1,
            ));
        };
        return Ok((line[start..close].trim().to_owned(), close + i + start + 1));
    }
    match line.find(['=', ':']) {
        None => Err(StoreError::at(
            "key-value delimiter (`=` or `:`) not found".to_owned(),
            lineno,
            1,
        )),
        Some(0) => Err(StoreError::at("empty key name".to_owned(), lineno, 1)),
        Some(i) => Ok((line[..i].trim().to_owned(), i + 1)),
    }
}

/// go-ini's parse loop (with SOPS's options: non-unique sections, everything else default).
/// `keep_keys: false` reads everything the same way but keeps only the sections (their names
/// and where they start), for cutting a file into pieces.
/// `unique`: a key repeated in a section is an error instead of go-ini's "the last wins".
fn parse_sections(
    input: &[u8],
    keep_keys: bool,
    unique: bool,
) -> Result<Vec<IniSection>, StoreError> {
    // go-ini skips a UTF-8 byte order mark, and the two bytes of a UTF-16 one.
    let body = if let Some(b) = input.strip_prefix(b"\xEF\xBB\xBF") {
        b
    } else if input.starts_with(b"\xFE\xFF") || input.starts_with(b"\xFF\xFE") {
        &input[2..]
    } else {
        input
    };
    let text = std::str::from_utf8(body).map_err(|e| {
        let line = body
            .get(..e.valid_up_to())
            .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
            + 1;
        StoreError::at("input is not valid UTF-8", line, 1)
    })?;
    let mut p = Parser {
        lines: text.split_inclusive('\n').collect(),
        pos: 0,
        comment: String::new(),
    };
    // Byte offset of each line in `input` (a skipped byte order mark counted).
    let mut offsets = Vec::with_capacity(p.lines.len());
    let mut at = input.len() - body.len();
    for l in &p.lines {
        offsets.push(at);
        at += l.len();
    }
    // Where the pending comment lines began.
    let mut comment_from = 0;
    let mut sections = vec![IniSection {
        name: DEFAULT_SECTION.into(),
        ..IniSection::default()
    }];
    // go-ini numbers keys named `-` per section: `#1`, `#2`, …
    let mut auto = 1;
    while let Some(raw) = p.next_line() {
        let lineno = p.pos;
        let line = raw.trim_start();
        if line.is_empty() {
            continue;
        }
        if line.starts_with(['#', ';']) {
            if p.comment.is_empty() {
                comment_from = offsets.get(lineno - 1).copied().unwrap_or(0);
            }
            p.comment.push_str(line);
            continue;
        }
        if line.starts_with('[') {
            let Some(close) = line.rfind(']') else {
                return Err(StoreError::at(
                    format!("unclosed section: {}", line.trim_end()),
                    lineno,
                    1,
                ));
            };
            let name = &line[1..close];
            if name.is_empty() {
                return Err(StoreError::at("empty section name", lineno, 1));
            }
            let here = offsets.get(lineno - 1).copied().unwrap_or(0);
            let start = if p.comment.is_empty() {
                here
            } else {
                comment_from
            };
            if let Some(c) = inline_comment(&line[close + 1..]) {
                p.comment.push_str(c);
            }
            let comment = std::mem::take(&mut p.comment).trim().to_owned();
            sections.push(IniSection {
                name: name.to_owned(),
                comment,
                keys: Vec::new(),
                start,
            });
            auto = 1;
            continue;
        }
        let (mut name, offset) = read_key_name(line, lineno)?;
        if name == "-" {
            name = format!("#{auto}");
            auto += 1;
        }
        let value = p.read_value(&line[offset..], lineno)?;
        if name.is_empty() {
            return Err(StoreError::at(
                "error creating new key: empty key name",
                lineno,
                1,
            ));
        }
        let comment = std::mem::take(&mut p.comment).trim().to_owned();
        if let Some(sec) = sections.last_mut().filter(|_| keep_keys) {
            // go-ini (and so SOPS) lets the last of a repeated key win. In a plaintext file
            // that is a defined meaning, kept; in an encrypted file (which SOPS never writes
            // so) an empty value, outside the MAC, could replace an encrypted one unnoticed:
            // refused there.
            if unique && sec.keys.iter().any(|k| k.name == name) {
                return Err(StoreError::at(
                    format!("key {name:?} appears twice in the same section; keep one"),
                    lineno,
                    1,
                ));
            }
            sec.key(&name, value, lineno).comment = comment;
        }
    }
    Ok(sections)
}

/// Go `json.Marshal` of a SOPS tree value (what `EmitValue` prints for a non-string leaf).
fn go_json(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => go_json_float(*f),
        Value::Str(s) => go_json_str(s),
        Value::Bytes(b) => go_json_str(&String::from_utf8_lossy(b)),
        Value::Time(t) => go_json_str(&t.rfc3339_nano()),
        // A Go `TreeBranch` is a slice of `{Key, Value}` structs; comments are `{Value}` structs.
        Value::Map(b) => {
            let items: Vec<String> = b
                .items
                .iter()
                .map(|i| match i {
                    Item::Pair(k, n) => format!(
                        "{{\"Key\":{},\"Value\":{}}}",
                        go_json_str(&k.name),
                        go_json(&n.value)
                    ),
                    Item::Comment(c) => format!(
                        "{{\"Key\":{{\"Value\":{}}},\"Value\":null}}",
                        go_json_str(&c.text)
                    ),
                })
                .collect();
            format!("[{}]", items.join(","))
        }
        Value::List(l) => {
            let items: Vec<String> = l
                .iter()
                .map(|e| match e {
                    Elem::Value(n) => go_json(&n.value),
                    Elem::Comment(c) => format!("{{\"Value\":{}}}", go_json_str(&c.text)),
                })
                .collect();
            format!("[{}]", items.join(","))
        }
    }
}

/// Go's JSON string escaping, HTML-safe (`<`, `>`, `&` as `\u00XX`).
fn go_json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's JSON float: `'f'` form, or `'e'` form outside `[1e-6, 1e21)`. Go refuses NaN and
/// infinities; they are written as Go's `%v` would (`NaN`, `+Inf`).
fn go_json_float(f: f64) -> String {
    let a = f.abs();
    if !f.is_finite() || a == 0.0 || (1e-6..1e21).contains(&a) {
        return crate::tree::scalar::float_f(f);
    }
    let s = format!("{f:e}");
    match s.split_once('e') {
        Some((m, e)) if e.starts_with('-') => {
            format!("{m}e-{:02}", e[1..].parse::<u32>().unwrap_or(0)).replace("e-0", "e-")
        }
        Some((m, e)) => format!("{m}e+{e}"),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str) -> Vec<u8> {
        let p = format!(
            "{}/testdata/sops/{name}",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
        );
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    /// Flat view: `section.key = value`, `section.#comment`.
    fn flat(doc: &Doc) -> Vec<String> {
        let mut out = Vec::new();
        for i in &doc.branches[0].items {
            let Item::Pair(s, n) = i else {
                panic!("top-level comment")
            };
            let Value::Map(m) = &n.value else {
                panic!("section {} not a map", s.name)
            };
            out.push(format!("[{}]", s.name));
            for j in &m.items {
                match j {
                    Item::Pair(k, v) => match &v.value {
                        Value::Str(t) => out.push(format!("{}={t}", k.name)),
                        other => out.push(format!("{}={other:?}", k.name)),
                    },
                    Item::Comment(c) => out.push(format!("#{}", c.text)),
                }
            }
        }
        out
    }

    #[test]
    fn plain_file_tree_as_sops_sees_it() {
        let doc = IniStore.parse(&read("ini.plain.ini"), Side::Plain).unwrap();
        assert_eq!(
            flat(&doc),
            [
                "[DEFAULT]",
                "toplevel=before any section",
                "[database]",
                "#section comment",
                "user=admin",
                "password=quoted pass",
                "#key comment",
                "port=5432",
                "[web]",
                "url=http://x/?a=1",
                "#b=2",
                "name_unencrypted=visible",
            ]
        );
        let doc = IniStore
            .parse(&read("ini_default_section.plain.ini"), Side::Plain)
            .unwrap();
        assert_eq!(
            flat(&doc),
            [
                "[DEFAULT]",
                "k1=v1",
                "#top",
                "[s]",
                "a=1",
                "[s]",
                "b=2",
                "[empty]"
            ]
        );
    }

    #[test]
    fn decrypted_twins_round_trip() {
        for name in [
            "ini.sops-decrypted.ini",
            "ini_default_section.sops-decrypted.ini",
        ] {
            let input = read(name);
            let doc = IniStore.parse(&input, Side::Plain).unwrap();
            let out = IniStore.emit(&doc, Some(&input), Side::Plain).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&input),
                "{name}"
            );
        }
        // The plain files come out as SOPS's decrypt wrote them.
        for name in ["ini", "ini_default_section"] {
            let doc = IniStore
                .parse(&read(&format!("{name}.plain.ini")), Side::Plain)
                .unwrap();
            let out = IniStore.emit(&doc, None, Side::Plain).unwrap();
            assert_eq!(out, read(&format!("{name}.sops-decrypted.ini")), "{name}");
        }
    }

    /// Data part identical; `[sops]` identical as a set of lines (3.11 wrote it in random order).
    #[test]
    fn encrypted_files_round_trip() {
        for name in ["ini.enc.ini", "ini_default_section.enc.ini"] {
            let input = read(name);
            let doc = IniStore.parse(&input, Side::Encrypted).unwrap();
            let b = &doc.branches[0];
            assert!(matches!(b.items.last(), Some(Item::Pair(k, _)) if k.name == "sops"));
            let Some(Value::Map(meta)) = b.get("sops").map(|n| &n.value) else {
                panic!()
            };
            let md = crate::store::metadata::Metadata::from_branch(meta).unwrap();
            assert!(md.groups[0][0]
                .enc()
                .contains("\n-----END AGE ENCRYPTED FILE-----\n"));
            let out =
                String::from_utf8(IniStore.emit(&doc, None, Side::Encrypted).unwrap()).unwrap();
            let input = String::from_utf8(input).unwrap();
            let (data_in, meta_in) = input.split_once("[sops]\n").unwrap();
            let (data_out, meta_out) = out.split_once("[sops]\n").unwrap();
            assert_eq!(data_out, data_in, "{name}");
            let mut a: Vec<_> = meta_in.lines().collect();
            let mut b: Vec<_> = meta_out.lines().collect();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{name}");
            // Ours is sorted, as 3.13 writes it.
            let keys: Vec<_> = meta_out
                .lines()
                .map(|l| l.split(' ').next().unwrap_or(""))
                .collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted);
        }
    }

    #[test]
    fn go_ini_value_quirks() {
        let src = "a = x ; c\nb = 'q'\nc = \"\"\"l1\nl2\"\"\" ; after\nd = `x;y`\ne : v\nf = one \\\n  two\n\ng = \"a\"b\"\n- = auto\n- = auto2\na = again\n\"k=1\" = v\n";
        let doc = IniStore.parse(src.as_bytes(), Side::Plain).unwrap();
        assert_eq!(
            flat(&doc),
            [
                "[DEFAULT]",
                "a=again",
                "b=q",
                "c=l1\nl2",
                "#after",
                "d=x;y",
                "e=v",
                "f=one two",
                "g=\"a\"b\"",
                "#1=auto",
                "#2=auto2",
                "k=1=v",
            ]
        );
    }

    #[test]
    fn writer_quotes_and_aligns_like_go_ini() {
        let mut sec = Branch::new();
        sec.items.push(Item::Comment(Comment::new("one\n# two")));
        sec.push("k", Value::Str("has;semi".into()));
        sec.items.push(Item::Comment(Comment::new("kc")));
        sec.push("a=b", Value::Str(" pad ".into()));
        sec.push("tick`", Value::Str("x`y".into()));
        sec.push("e", Value::Str(String::new()));
        sec.push("f", Value::Float(2.0));
        sec.push("n", Value::Int(7));
        let mut b = Branch::new();
        b.push("DEFAULT", Value::Map(Branch::new()));
        b.push("s", Value::Map(sec));
        let out = String::from_utf8(
            IniStore
                .emit(&Doc { branches: vec![b] }, None, Side::Plain)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            out,
            "; one\n# two\n[s]\n; kc\nk           = `has;semi`\n`a=b`       = \" pad \"\n\"\"\"tick`\"\"\" = \"\"\"x`y\"\"\"\ne           = \nf           = 2.0\nn           = 7\n"
        );
    }

    #[test]
    fn default_section_placement() {
        let mut b = Branch::new();
        b.push("x", Value::Map(Branch::new()));
        let mut d = Branch::new();
        d.push("k", Value::Str("v".into()));
        b.push("DEFAULT", Value::Map(d.clone()));
        let out = IniStore
            .emit(&Doc { branches: vec![b] }, None, Side::Plain)
            .unwrap();
        assert_eq!(out, b"[x]\n\n[DEFAULT]\nk = v\n");
        let mut first = Branch::new();
        first.push("DEFAULT", Value::Map(d));
        first.push("y", Value::Map(Branch::new()));
        let out = IniStore
            .emit(
                &Doc {
                    branches: vec![first],
                },
                None,
                Side::Plain,
            )
            .unwrap();
        assert_eq!(out, b"k = v\n\n[y]\n");
    }

    #[test]
    fn errors_carry_lines_and_never_panic() {
        let cases: [(&str, usize); 6] = [
            ("a = 1\n[nope\n", 2),
            ("a = 1\nb\n", 2),
            ("\n\n= v\n", 3),
            ("[]\n", 1),
            ("a = \"\"\"open\nstill\n", 1),
            ("\"unterminated = v\n", 1),
        ];
        for (src, line) in cases {
            let e = IniStore.parse(src.as_bytes(), Side::Plain).unwrap_err();
            assert_eq!(e.line, Some(line), "{src:?}: {e}");
            assert!(!e.on_emit);
        }
        for junk in [
            "[",
            "`",
            "\"\"\"",
            "a=`",
            "a=\"\"\"\n",
            "\u{feff}a=1",
            "a=\\",
            ";",
            "\"\" = x",
            "k=v\\\n",
        ] {
            let _ = IniStore.parse(junk.as_bytes(), Side::Plain);
            let _ = IniStore.parse(junk.as_bytes(), Side::Encrypted);
        }
        let mut b = Branch::new();
        b.push("top", Value::Str("not a section".into()));
        assert!(
            IniStore
                .emit(&Doc { branches: vec![b] }, None, Side::Plain)
                .unwrap_err()
                .on_emit
        );
    }

    #[test]
    fn metadata_accepts_real_newlines_and_rejects_duplicates() {
        // (lastmodified and version are required by the metadata reader.)
        let src = "a = 1\n\n[sops]\nage__list_0__map_enc = \"\"\"x\ny\"\"\"\nage__list_0__map_recipient = r\nlastmodified = 2026-01-01T00:00:00Z\nversion = 3.13.1\n";
        let doc = IniStore.parse(src.as_bytes(), Side::Encrypted).unwrap();
        let Some(Value::Map(m)) = doc.branches[0].get("sops").map(|n| &n.value) else {
            panic!()
        };
        let md = crate::store::metadata::Metadata::from_branch(m).unwrap();
        assert_eq!(md.groups[0][0].enc(), "x\ny");
        let out = IniStore.emit(&doc, None, Side::Encrypted).unwrap();
        assert!(String::from_utf8(out)
            .unwrap()
            .contains("age__list_0__map_enc       = x\\ny\n"));
        let dup = "[sops]\nversion = 1\n[sops]\nversion = 2\n";
        assert!(IniStore.parse(dup.as_bytes(), Side::Encrypted).is_err());
    }

    #[test]
    fn emit_value_is_go_json() {
        assert_eq!(IniStore.emit_value(&Value::Int(5)).unwrap(), b"5");
        assert_eq!(IniStore.emit_value(&Value::Float(1e21)).unwrap(), b"1e+21");
        assert_eq!(IniStore.emit_value(&Value::Float(1e-7)).unwrap(), b"1e-7");
        assert_eq!(
            IniStore.emit_value(&Value::Str("<a>".into())).unwrap(),
            b"\"\\u003ca\\u003e\""
        );
    }

    /// Inputs run through `sops encrypt --unencrypted-regex .` and `sops decrypt` (3.11); the
    /// expected text is what SOPS wrote.
    #[test]
    fn matches_sops_on_quirky_files() {
        let cases = [
            ("a = x ; c\nb = 'q'\nc = \"\"\"l1\nl2\"\"\" ; after\nd = `x;y`\ne : v\nf = one \\\n  two\n\ng = \"a\"b\"\n- = auto\n- = auto2\na = again\n\"k=1\" = v\n", "a     = again\nb     = q\n; after\nc     = \"\"\"l1\nl2\"\"\"\nd     = `x;y`\ne     = v\nf     = one two\ng     = \"a\"b\"\n#1    = auto\n#2    = auto2\n`k=1` = v\n"),
            ("; c1\n# c2\n[ sp ]  ; hdr\nx=1\n;trail\n[default]\ny = \" pad \"\nz=\nw = a#b\n\n; orphan at end\n", "; c1\n# c2\n; hdr\n[ sp ]\nx = 1\n\n; trail\n[default]\ny = \" pad \"\nz = \n; b\nw = a\n"),
            ("top=1\n[DEFAULT]\nk=2\n[s]\nk=a\nk=b\n; kc\nkey with space = ` tick `\nlong_key_name_here=1\n", "top = 1\n\n[DEFAULT]\nk = 2\n\n[s]\nk                  = b\n; kc\nkey with space     = \" tick \"\nlong_key_name_here = 1\n"),
            ("[s]\nv = C:\\\\\nnext = 1\nu = x\\\\y\n", "[s]\nv = C:\\next = 1\nu = x\\\\y\n"),
        ];
        for (input, want) in cases {
            let doc = IniStore.parse(input.as_bytes(), Side::Plain).unwrap();
            let out = IniStore.emit(&doc, None, Side::Plain).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), want, "{input:?}");
        }
    }
}
