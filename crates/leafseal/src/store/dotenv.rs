//! dotenv store (spec §1.4): `KEY=value` lines read byte for byte, exactly as SOPS reads them.
//!
//! There is no quoting, no `export`, no trimming: the key is everything before the first `=`
//! and the value everything after it, a trailing `\r` included. The only escape is the two
//! characters `\n`, which stand for a newline. A line starting with `#` is a comment. Empty
//! lines are dropped, so writing a parsed file gives back the input minus its blank lines;
//! that is why `emit` ignores the original text and always writes the canonical form.
//!
//! On the encrypted side the `sops` metadata lives in the same flat list as items named
//! `sops_<flat key>` (spec §1.7). `parse` gathers them into one `sops` map item at the end of
//! the branch and `emit` turns that map back into sorted `sops_…` items after the data.

use super::flatten::{flatten, parsed, unflatten, val_to_string};
use super::{Side, Store, StoreError};
use crate::tree::{Branch, Comment, Doc, Item, Key, Span, Src, Value};

/// The prefix of every metadata item in an encrypted dotenv file.
const SOPS_PREFIX: &str = "sops_";

/// The dotenv store.
pub struct DotenvStore;

impl Store for DotenvStore {
    fn parse(&self, input: &[u8], side: Side) -> Result<Doc, StoreError> {
        // Beyond SOPS, plaintext files may use the common shell-style forms; an encrypted
        // file is always read with SOPS's byte-literal grammar (leafseal writes it that way).
        let mut branch = parse_lines(input, side == Side::Plain)?;
        if side == Side::Encrypted {
            take_metadata(&mut branch, input)?;
        }
        Ok(Doc {
            branches: vec![branch],
        })
    }

    fn read_back(&self, output: &[u8], side: Side) -> Option<Result<Doc, StoreError>> {
        Some(parse_lines(output, false).and_then(|mut branch| {
            if side == Side::Encrypted {
                take_metadata(&mut branch, output)?;
            }
            Ok(Doc {
                branches: vec![branch],
            })
        }))
    }

    fn emit(&self, doc: &Doc, _original: Option<&[u8]>, side: Side) -> Result<Vec<u8>, StoreError> {
        let mut out = Vec::new();
        let Some(branch) = doc.branches.first() else {
            return Ok(out);
        };
        let mut meta = None;
        for item in &branch.items {
            match item {
                Item::Comment(c) => {
                    out.push(b'#');
                    out.extend_from_slice(c.text.as_bytes());
                    out.push(b'\n');
                }
                Item::Pair(k, n)
                    if side == Side::Encrypted
                        && k.name == "sops"
                        && matches!(n.value, Value::Map(_)) =>
                {
                    meta = Some(&n.value);
                }
                Item::Pair(k, n) => {
                    if side == Side::Encrypted && k.name.starts_with(SOPS_PREFIX) {
                        return Err(StoreError::emit(format!(
                            "found key {:?} in encrypted data, which starts with the reserved key prefix {SOPS_PREFIX:?} for sops metadata",
                            k.name
                        )));
                    }
                    write_pair(&mut out, &k.name, &n.value)?;
                }
            }
        }
        if let Some(Value::Map(m)) = meta {
            for (k, v) in flatten(m, SOPS_PREFIX)? {
                write_pair(&mut out, &k, &v)?;
            }
        }
        Ok(out)
    }

    /// Plaintext only (an encrypted file's metadata is spread over `sops_…` lines that must be
    /// read together). Pieces are runs of whole items of about 64 KiB, cut where the whole
    /// scan says an item starts (the scan [`parse_lines`] itself uses, building nothing), so
    /// a multi-line quoted value is never split.
    fn pieces(&self, input: &[u8], side: Side) -> Option<Vec<Span>> {
        const PIECE: usize = 64 * 1024;
        if side != Side::Plain {
            return None;
        }
        let mut starts = Vec::new();
        scan(input, true, &mut |found| {
            starts.push(match found {
                Found::Comment { whole, .. } | Found::Pair { whole, .. } => whole.start,
            });
            Ok(())
        })
        .ok()?;
        let mut out = Vec::new();
        let mut start = 0;
        for &s in &starts {
            if s - start >= PIECE {
                out.push(Span { start, end: s });
                start = s;
            }
        }
        if starts.is_empty() {
            return None;
        }
        out.push(Span {
            start,
            end: input.len(),
        });
        Some(out)
    }

    fn parse_piece(&self, input: &[u8], range: Span, side: Side) -> Result<Doc, StoreError> {
        if side != Side::Plain {
            return Err(StoreError::input("encrypted dotenv files are parsed whole"));
        }
        let text = input
            .get(range.start..range.end)
            .ok_or_else(|| StoreError::input("piece out of range"))?;
        let mut doc = Doc {
            branches: vec![parse_lines(text, true)?],
        };
        doc.shift_spans(range.start);
        Ok(doc)
    }

    fn emit_piece(
        &self,
        doc: &Doc,
        _original: &[u8],
        _range: Span,
        _verbatim: &std::collections::HashMap<usize, String>,
        out: &mut Vec<u8>,
    ) -> Option<()> {
        // Canonical output is one line per item, so a piece's output is its part of the whole.
        out.extend_from_slice(&self.emit(doc, None, Side::Encrypted).ok()?);
        Some(())
    }

    fn emit_value(&self, v: &Value) -> Result<Vec<u8>, StoreError> {
        match v {
            Value::Str(s) => Ok(s.as_bytes().to_vec()),
            Value::Bytes(b) => Ok(b.clone()),
            other => Err(StoreError::emit(format!(
                "the dotenv store only supports emitting strings, got {}",
                go_type_name(other)
            ))),
        }
    }
}

/// The Go type SOPS would name in its error (`%T`).
fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Uint(_) => "uint64",
        Value::Float(_) => "float64",
        Value::Str(_) | Value::Bytes(_) => "string",
        Value::Time(_) => "time.Time",
        Value::Map(_) => "sops.TreeBranch",
        Value::List(_) => "[]interface {}",
    }
}

/// One `key=value` line. Strings get their newlines escaped; other scalars go through
/// `ValToString` unescaped, as SOPS does.
fn write_pair(out: &mut Vec<u8>, key: &str, v: &Value) -> Result<(), StoreError> {
    let text = match v {
        Value::Str(s) => escape(s.as_bytes()),
        Value::Bytes(b) => escape(b),
        other => val_to_string(other).ok_or_else(|| {
            StoreError::emit(format!(
                "cannot use complex value in dotenv file; offending key {key}"
            ))
        })?,
    };
    out.extend_from_slice(key.as_bytes());
    out.push(b'=');
    out.extend_from_slice(&text);
    out.push(b'\n');
    Ok(())
}

fn escape(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    for &c in b {
        if c == b'\n' {
            out.extend_from_slice(b"\\n");
        } else {
            out.push(c);
        }
    }
    out
}

fn unescape(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'n') {
            out.push(b'\n');
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// A shell-style value (beyond SOPS, plaintext side only): `'literal'`, or `"escaped"` with
/// `\n`, `\"`, `\\` (and `\$`), possibly spanning lines. Returns the value and the number of
/// extra lines it took, or `None` when `raw` (with `rest`, the following lines) is not one
/// cleanly closed quoted value; the caller then reads the line literally as SOPS does.
fn quoted_value(raw: &[u8], rest: &[&[u8]]) -> Option<(Vec<u8>, usize)> {
    let q = *raw.first()?;
    if q != b'"' && q != b'\'' {
        return None;
    }
    let mut out = Vec::new();
    let mut line = &raw[1..];
    let mut used = 0;
    loop {
        let mut i = 0;
        while i < line.len() {
            let c = line[i];
            if c == q {
                // Only blanks (and a CR) may follow the closing quote.
                return line[i + 1..]
                    .iter()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\r'))
                    .then_some((out, used));
            }
            if q == b'"' && c == b'\\' && i + 1 < line.len() {
                match line[i + 1] {
                    b'n' => out.push(b'\n'),
                    b'"' | b'\\' | b'$' => out.push(line[i + 1]),
                    other => out.extend_from_slice(&[b'\\', other]),
                }
                i += 2;
                continue;
            }
            out.push(c);
            i += 1;
        }
        // Unclosed on this line: a double- or single-quoted value may continue.
        let next = rest.get(used)?;
        used += 1;
        out.push(b'\n');
        line = next;
    }
}

/// One item as [`scan`] finds it.
enum Found<'a> {
    /// `#text`.
    Comment {
        text: &'a [u8],
        whole: Span,
        lineno: usize,
    },
    /// `key=value`; `value` unescaped/unquoted.
    Pair {
        key: &'a [u8],
        value: Vec<u8>,
        whole: Span,
        value_span: Span,
        lineno: usize,
    },
}

/// Walk the items of `input`; see the module doc for the grammar. `extended` accepts
/// `export KEY=…` and quoted values as well (plaintext side). The one place that decides where
/// an item starts, for [`parse_lines`] and for cutting a file into pieces.
fn scan<'a>(
    input: &'a [u8],
    extended: bool,
    f: &mut dyn FnMut(Found<'a>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut start = 0;
    let lines: Vec<&[u8]> = input.split(|c| *c == b'\n').collect();
    let mut skip = 0;
    for (idx, line) in lines.iter().copied().enumerate() {
        let lineno = idx + 1;
        let line_start = start;
        start += line.len() + 1;
        if skip > 0 {
            skip -= 1;
            continue;
        }
        // The item's whole text, its line end included when there is one.
        let whole = Span {
            start: line_start,
            end: start.min(input.len()),
        };
        if line.is_empty() {
            continue;
        }
        if let Some(text) = line.strip_prefix(b"#") {
            f(Found::Comment {
                text,
                whole,
                lineno,
            })?;
            continue;
        }
        let Some(eq) = line.iter().position(|c| *c == b'=') else {
            return Err(StoreError::at(
                // (The line is not quoted: it may hold a secret.)
                "invalid dotenv input line: no `=` (expected KEY=value)".to_owned(),
                lineno,
                1,
            ));
        };
        let (mut key, raw) = (&line[..eq], &line[eq + 1..]);
        let mut quoted = None;
        if extended {
            if let Some(k) = key.strip_prefix(b"export ") {
                let k = k.trim_ascii_start();
                if !k.is_empty() && !k.contains(&b' ') {
                    key = k;
                }
            }
            quoted = quoted_value(raw, &lines[idx + 1..]);
        }
        let value = match quoted {
            // SOPS's grammar has no spelling for a backslash followed by `n` (it reads `\n` as a
            // line break), so such a value could not be written and read back.
            Some((v, _)) if v.windows(2).any(|w| w == b"\\n") => {
                return Err(StoreError::at(
                    format!(
                        "the quoted value of {} holds a backslash followed by 'n', which a \
                         dotenv file can only mean as a line break (SOPS's grammar): write the \
                         line break itself, or keep this value in a YAML or JSON file",
                        String::from_utf8_lossy(key)
                    ),
                    lineno,
                    eq + 2,
                ));
            }
            Some((v, extra)) => {
                // The continuation lines are consumed here (the loop skips them).
                skip = extra;
                v
            }
            None => unescape(raw),
        };
        f(Found::Pair {
            key,
            value,
            whole,
            value_span: Span {
                start: line_start + eq + 1,
                end: line_start + line.len(),
            },
            lineno,
        })?;
    }
    Ok(())
}

/// Split into items (see [`scan`]).
fn parse_lines(input: &[u8], extended: bool) -> Result<Branch, StoreError> {
    let mut branch = Branch::new();
    scan(input, extended, &mut |found| {
        match found {
            Found::Comment {
                text,
                whole,
                lineno,
            } => {
                let text = utf8(text, lineno, 2, "comment")?;
                branch.items.push(Item::Comment(Comment {
                    text,
                    src: Some(whole),
                    changed: false,
                    as_elem: false,
                }));
            }
            Found::Pair {
                key,
                value,
                whole,
                value_span,
                lineno,
            } => {
                let key = utf8(key, lineno, 1, "key")?;
                // A value that is not UTF-8 is kept as bytes (Go strings hold any bytes).
                let value = match String::from_utf8(value) {
                    Ok(s) => Value::Str(s),
                    Err(e) => Value::Bytes(e.into_bytes()),
                };
                let mut node = parsed(value);
                node.src = Some(Src {
                    span: value_span,
                    ..Src::default()
                });
                branch.items.push(Item::Pair(
                    Key {
                        name: key,
                        is_string: true,
                        span: Some(whole),
                    },
                    node,
                ));
            }
        }
        Ok(())
    })?;
    branch.end = Some(input.len());
    Ok(branch)
}

fn utf8(b: &[u8], line: usize, column: usize, what: &str) -> Result<String, StoreError> {
    String::from_utf8(b.to_vec())
        .map_err(|_| StoreError::at(format!("{what} is not valid UTF-8"), line, column))
}

/// Move the `sops_…` items out of the branch into one `sops` map item at its end.
fn take_metadata(branch: &mut Branch, input: &[u8]) -> Result<(), StoreError> {
    let mut flat = Vec::new();
    let mut kept = Vec::with_capacity(branch.items.len());
    for item in std::mem::take(&mut branch.items) {
        match item {
            Item::Pair(k, n) if k.name.starts_with(SOPS_PREFIX) => {
                let line = k.span.map_or(0, |s| line_of(input, s.start));
                flat.push((k.name[SOPS_PREFIX.len()..].to_owned(), n.value, line));
            }
            other => kept.push(other),
        }
    }
    branch.items = kept;
    if flat.is_empty() {
        return Ok(());
    }
    let meta = unflatten(flat)?;
    branch
        .items
        .push(Item::Pair(Key::new("sops"), parsed(Value::Map(meta))));
    Ok(())
}

/// 1-based line number of a byte offset.
fn line_of(input: &[u8], offset: usize) -> usize {
    input
        .get(..offset)
        .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
        + 1
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

    fn pairs(b: &Branch) -> Vec<(String, Value)> {
        b.items
            .iter()
            .map(|i| match i {
                Item::Pair(k, n) => (k.name.clone(), n.value.clone()),
                Item::Comment(c) => (format!("#{}", c.text), Value::Null),
            })
            .collect()
    }

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    #[test]
    fn plain_items_are_byte_literal() {
        let doc = DotenvStore
            .parse(&read("dotenv.plain.env"), Side::Plain)
            .unwrap();
        assert_eq!(doc.branches.len(), 1);
        assert_eq!(
            pairs(&doc.branches[0]),
            vec![
                ("# a comment".to_owned(), Value::Null),
                ("DB_USER".into(), s("admin")),
                ("DB_PASS".into(), s("s3cr3t=with=equals")),
                ("MULTI".into(), s("line1\nline2")),
                ("EMPTY".into(), s("")),
                (" SPACED ".into(), s(" value with spaces ")),
                ("PUBLIC_unencrypted".into(), s("hello")),
            ]
        );
    }

    #[test]
    fn decrypted_twin_round_trips() {
        for name in [
            "dotenv.sops-decrypted.env",
            "dotenv_keygroups.sops-decrypted.env",
            "all_key_types.sops-decrypted.env",
        ] {
            let input = read(name);
            let doc = DotenvStore.parse(&input, Side::Plain).unwrap();
            assert_eq!(
                DotenvStore.emit(&doc, Some(&input), Side::Plain).unwrap(),
                input,
                "{name}"
            );
        }
    }

    #[test]
    fn encrypted_files_round_trip_byte_for_byte() {
        for name in [
            "dotenv.enc.env",
            "dotenv_keygroups.enc.env",
            "all_key_types.enc.env",
            "independent_python.enc.env",
        ] {
            let input = read(name);
            let doc = DotenvStore.parse(&input, Side::Encrypted).unwrap();
            let b = &doc.branches[0];
            assert!(
                b.items
                    .iter()
                    .all(|i| !matches!(i, Item::Pair(k, _) if k.name.starts_with("sops_"))),
                "{name}"
            );
            let Some(Value::Map(meta)) = b.get("sops").map(|n| &n.value) else {
                panic!("{name}: no sops map")
            };
            assert!(
                crate::store::metadata::Metadata::from_branch(meta).is_ok(),
                "{name}"
            );
            let out = DotenvStore.emit(&doc, None, Side::Encrypted).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&input),
                "{name}"
            );
        }
    }

    #[test]
    fn keygroups_metadata_unflattens() {
        let doc = DotenvStore
            .parse(&read("dotenv_keygroups.enc.env"), Side::Encrypted)
            .unwrap();
        let Some(Value::Map(meta)) = doc.branches[0].get("sops").map(|n| &n.value) else {
            panic!()
        };
        let md = crate::store::metadata::Metadata::from_branch(meta).unwrap();
        assert_eq!(md.groups.len(), 3);
        assert_eq!(md.shamir_threshold, 2);
        assert!(md.groups[0][0]
            .enc()
            .starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
        // Metadata built in memory (typed values) is written the same way.
        let mut b = Branch::new();
        b.push("A", s("ENC[x]"));
        b.push("sops", Value::Map(md.to_branch()));
        let out = DotenvStore
            .emit(&Doc { branches: vec![b] }, None, Side::Encrypted)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\nsops_shamir_threshold=2\n"));
        assert!(text.contains("\nsops_key_groups__list_2__map_age__list_0__map_recipient=age14fw"));
    }

    #[test]
    fn shell_style_plaintext() {
        let src = b"export TOKEN='it is $literal'\nDQ=\"tab\\there \\\"q\\\" \\n end\"\nMULTI=\"line one\nline two\"\nAFTER=x\nOPEN=\"never closed\nHALF='a' tail\n";
        let doc = DotenvStore.parse(src, Side::Plain).unwrap();
        assert_eq!(
            pairs(&doc.branches[0]),
            vec![
                ("TOKEN".into(), s("it is $literal")),
                ("DQ".into(), s("tab\\there \"q\" \n end")),
                ("MULTI".into(), s("line one\nline two")),
                ("AFTER".into(), s("x")),
                // Not cleanly quoted: read literally, as SOPS reads it.
                ("OPEN".into(), s("\"never closed")),
                ("HALF".into(), s("'a' tail")),
            ]
        );
        // Written back in SOPS's grammar, which SOPS reads to the same values.
        let out = DotenvStore.emit(&doc, None, Side::Plain).unwrap();
        let again = DotenvStore.parse(&out, Side::Encrypted).unwrap();
        assert_eq!(pairs(&again.branches[0]), pairs(&doc.branches[0]));
    }

    #[test]
    fn quoted_backslash_n_is_refused_not_changed() {
        // `'\n'` (shell: a backslash and an n) and `"\\n"` would be written `\n`, which reads
        // back as a line break: refused with the line and key named.
        for src in [&b"A=1\nexport B='\\n'\n"[..], b"A=1\nB=\"x\\\\ny\"\n"] {
            let e = DotenvStore.parse(src, Side::Plain).unwrap_err();
            assert_eq!(e.line, Some(2), "{}", String::from_utf8_lossy(src));
            assert!(e.msg.contains("value of B holds a backslash"), "{}", e.msg);
        }
        // A line break written as `\n` in double quotes, or `\n` unquoted, is fine.
        let doc = DotenvStore
            .parse(b"B=\"x\\ny\"\nC=a\\nb\n", Side::Plain)
            .unwrap();
        assert_eq!(
            pairs(&doc.branches[0]),
            vec![("B".into(), s("x\ny")), ("C".into(), s("a\nb"))]
        );
    }

    #[test]
    fn quirks() {
        // SOPS's byte-literal grammar: what an encrypted file is always read with.
        let doc = DotenvStore
            .parse(b"export A=\"q\"\r\nB==x\\\\n\n\n#\n", Side::Encrypted)
            .unwrap();
        assert_eq!(
            pairs(&doc.branches[0]),
            vec![
                ("export A".into(), s("\"q\"\r")),
                ("B".into(), s("=x\\\n")),
                ("#".into(), Value::Null)
            ]
        );
        // Beyond SOPS, a plaintext file may use `export` and quotes.
        let doc = DotenvStore
            .parse(b"export A=\"q\"\r\nB==x\\\\n\n\n#\n", Side::Plain)
            .unwrap();
        assert_eq!(
            pairs(&doc.branches[0]),
            vec![
                ("A".into(), s("q")),
                ("B".into(), s("=x\\\n")),
                ("#".into(), Value::Null)
            ]
        );
        let dup = DotenvStore.parse(b"A=1\nA=2\n", Side::Plain).unwrap();
        assert_eq!(dup.branches[0].items.len(), 2);
        let e = DotenvStore
            .parse(b"A=1\n\nnope\n", Side::Plain)
            .unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.msg.starts_with("invalid dotenv input line"));
        assert!(!e.on_emit);
        let bytes = DotenvStore.parse(b"A=\xff\n", Side::Plain).unwrap();
        assert_eq!(bytes.branches[0].items.len(), 1);
        assert!(DotenvStore.parse(b"\xff=1\n", Side::Plain).is_err());
        assert!(DotenvStore.parse(b"", Side::Plain).unwrap().branches[0]
            .items
            .is_empty());
    }

    #[test]
    fn emit_non_strings_and_errors() {
        let mut b = Branch::new();
        b.items.push(Item::Comment(Comment::new(" c")));
        b.push("F", Value::Float(1e10));
        b.push("I", Value::Int(3));
        b.push("T", Value::Bool(true));
        b.push("S", s("a\nb"));
        let out = DotenvStore
            .emit(
                &Doc {
                    branches: vec![b.clone()],
                },
                None,
                Side::Plain,
            )
            .unwrap();
        assert_eq!(out, b"# c\nF=1E+10\nI=3\nT=true\nS=a\\nb\n");
        b.push("M", Value::Map(Branch::new()));
        let e = DotenvStore
            .emit(&Doc { branches: vec![b] }, None, Side::Plain)
            .unwrap_err();
        assert!(e.on_emit);
        assert!(e.msg.starts_with("cannot use complex value in dotenv file"));
        let mut r = Branch::new();
        r.push("sops_x", s("1"));
        assert!(DotenvStore
            .emit(&Doc { branches: vec![r] }, None, Side::Encrypted)
            .is_err());
        assert_eq!(DotenvStore.emit_value(&s("x")).unwrap(), b"x");
        assert!(DotenvStore
            .emit_value(&Value::Int(1))
            .unwrap_err()
            .msg
            .ends_with("got int"));
    }

    #[test]
    fn bad_metadata_is_an_error_with_a_line() {
        let e = DotenvStore
            .parse(b"A=1\nsops_a=1\nsops_a__map_b=2\n", Side::Encrypted)
            .unwrap_err();
        assert!(e.msg.contains("type mismatch"), "{e}");
        let e = DotenvStore
            .parse(b"A=1\nsops_a=1\nsops_a=2\n", Side::Encrypted)
            .unwrap_err();
        assert_eq!(e.line, Some(3));
        // No metadata at all: the tree has no `sops` item and ops reports it.
        let doc = DotenvStore.parse(b"A=1\n", Side::Encrypted).unwrap();
        assert!(doc.branches[0].get("sops").is_none());
    }
}
