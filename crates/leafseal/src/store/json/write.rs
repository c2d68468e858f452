//! Canonical JSON text as SOPS writes it (spec §1.3): Go `json.Marshal` scalars re-indented the
//! way `json.Indent` does. The writer is iterative so deep trees cannot overflow the stack.

use std::fmt::Write as _;

use crate::store::StoreError;
use crate::tree::{Branch, Elem, Item, Value};

/// How generated text is laid out.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout<'a> {
    /// One level of indentation (`"\t"`, `"  "`, or empty for newlines only).
    pub unit: &'a str,
    /// Line break between members.
    pub newline: &'a str,
}

/// Go `json.Marshal` of a string: HTML-safe escaping, quotes included.
pub fn quote_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_quoted(&mut out, s);
    out
}

/// Append a quoted string escaped as Go's encoding/json does.
pub(crate) fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    push_escaped(out, s);
    out.push('"');
}

fn push_escaped(out: &mut String, s: &str) {
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            // Go 1.22+ uses the short forms for these two as well.
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            // sops-compat: json.Marshal escapes HTML-significant characters.
            '<' => Some("\\u003c"),
            '>' => Some("\\u003e"),
            '&' => Some("\\u0026"),
            // JavaScript line terminators, escaped by Go for JSONP safety.
            '\u{2028}' => Some("\\u2028"),
            '\u{2029}' => Some("\\u2029"),
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        out.push_str(s.get(run..i).unwrap_or_default());
        match esc {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
        run = i + c.len_utf8();
    }
    out.push_str(s.get(run..).unwrap_or_default());
}

/// Append bytes as a JSON string: valid UTF-8 escaped normally, every invalid byte written as
/// the escape `\ufffd`, exactly as Go's encoder does for a non-UTF-8 Go string.
fn push_quoted_bytes(out: &mut String, b: &[u8]) {
    out.push('"');
    for chunk in b.utf8_chunks() {
        push_escaped(out, chunk.valid());
        for _ in chunk.invalid() {
            out.push_str("\\ufffd");
        }
    }
    out.push('"');
}

/// Go encoding/json float formatting (ES6 number-to-string): `None` for NaN and infinities,
/// which JSON cannot hold.
pub fn format_float(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Rust's `{:e}` is the shortest round-trip mantissa with a bare exponent ("1.5e300",
        // "1e-7"); Go writes an explicit sign and, after its cleanup, no zero padding.
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e')?;
        Some(match exp.strip_prefix('-') {
            Some(e) => format!("{mant}e-{e}"),
            None => format!("{mant}e+{exp}"),
        })
    } else {
        // Shortest round-trip digits without an exponent, "-0" for negative zero, like Go's 'f'.
        Some(format!("{f}"))
    }
}

/// Append one scalar; `Err` for values JSON cannot represent.
pub(crate) fn push_scalar(out: &mut String, v: &Value) -> Result<(), StoreError> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Uint(u) => {
            let _ = write!(out, "{u}");
        }
        Value::Float(f) => match format_float(*f) {
            Some(s) => out.push_str(&s),
            None => {
                return Err(StoreError::emit(format!(
                    "json: unsupported value: {}",
                    crate::tree::scalar::float_f(*f)
                )))
            }
        },
        Value::Str(s) => push_quoted(out, s),
        Value::Bytes(b) => push_quoted_bytes(out, b),
        Value::Time(t) => push_quoted(out, &t.rfc3339_nano()),
        // Collections are handled by `push_value`; write them empty rather than panic.
        Value::Map(_) => out.push_str("{}"),
        Value::List(_) => out.push_str("[]"),
    }
    Ok(())
}

fn push_indent(out: &mut String, layout: &Layout, base: &str, depth: usize) {
    out.push_str(layout.newline);
    out.push_str(base);
    for _ in 0..depth {
        out.push_str(layout.unit);
    }
}

/// An open collection while writing.
enum Open<'v> {
    Map(std::slice::Iter<'v, Item>, bool),
    List(std::slice::Iter<'v, Elem>, bool),
}

/// Append `v` in canonical layout. Continuation lines start with `base` plus one `unit` per
/// nesting level; the first line is not indented (the caller placed the cursor). Comments are
/// dropped: JSON has none.
pub(crate) fn push_value(
    out: &mut String,
    v: &Value,
    base: &str,
    layout: &Layout,
) -> Result<(), StoreError> {
    write_loop(out, Vec::new(), Some(v), base, layout)
}

/// [`push_value`] for a map held as a bare branch (the document root), without copying it.
pub(crate) fn push_branch(
    out: &mut String,
    b: &Branch,
    base: &str,
    layout: &Layout,
) -> Result<(), StoreError> {
    out.push('{');
    write_loop(
        out,
        vec![Open::Map(b.items.iter(), false)],
        None,
        base,
        layout,
    )
}

fn write_loop<'v>(
    out: &mut String,
    mut stack: Vec<Open<'v>>,
    mut next: Option<&'v Value>,
    base: &str,
    layout: &Layout,
) -> Result<(), StoreError> {
    loop {
        if let Some(v) = next.take() {
            match v {
                Value::Map(b) => {
                    out.push('{');
                    stack.push(Open::Map(b.items.iter(), false));
                }
                Value::List(l) => {
                    out.push('[');
                    stack.push(Open::List(l.iter(), false));
                }
                scalar => push_scalar(out, scalar)?,
            }
        }
        let depth = stack.len();
        let Some(top) = stack.last_mut() else {
            return Ok(());
        };
        match top {
            Open::Map(it, any) => {
                let pair = it.find_map(|i| match i {
                    Item::Pair(k, n) => Some((k, n)),
                    Item::Comment(_) => None,
                });
                match pair {
                    Some((k, n)) => {
                        if *any {
                            out.push(',');
                        }
                        *any = true;
                        push_indent(out, layout, base, depth);
                        push_quoted(out, &k.name);
                        out.push_str(": ");
                        next = Some(&n.value);
                    }
                    None => {
                        // Empty collections stay compact, as json.Indent leaves them.
                        if *any {
                            push_indent(out, layout, base, depth - 1);
                        }
                        out.push('}');
                        stack.pop();
                    }
                }
            }
            Open::List(it, any) => {
                let elem = it.find_map(|e| match e {
                    Elem::Value(n) => Some(n),
                    Elem::Comment(_) => None,
                });
                match elem {
                    Some(n) => {
                        if *any {
                            out.push(',');
                        }
                        *any = true;
                        push_indent(out, layout, base, depth);
                        next = Some(&n.value);
                    }
                    None => {
                        if *any {
                            push_indent(out, layout, base, depth - 1);
                        }
                        out.push(']');
                        stack.pop();
                    }
                }
            }
        }
    }
}

/// [`push_branch`] for the document root plus the final newline, written to `sink` member by
/// member: a string that needs no escaping (an `ENC[…]` token) is written as it is instead of
/// being copied into the output first, so a large value (the binary store's one token) is
/// never held twice.
pub(crate) fn write_root_to(
    sink: &mut dyn std::io::Write,
    b: &Branch,
    layout: &Layout,
) -> Result<(), std::io::Error> {
    let bad = |e: StoreError| std::io::Error::other(e.to_string());
    let mut text = String::from("{");
    let mut any = false;
    for (k, n) in b.items.iter().filter_map(|i| match i {
        Item::Pair(k, n) => Some((k, n)),
        Item::Comment(_) => None,
    }) {
        if any {
            text.push(',');
        }
        any = true;
        push_indent(&mut text, layout, "", 1);
        push_quoted(&mut text, &k.name);
        text.push_str(": ");
        match &n.value {
            Value::Str(s)
                if s.bytes()
                    .all(|c| (0x20..0x7f).contains(&c) && !b"\"\\<>&".contains(&c)) =>
            {
                text.push('"');
                sink.write_all(text.as_bytes())?;
                sink.write_all(s.as_bytes())?;
                text.clear();
                text.push('"');
            }
            v => push_value(&mut text, v, layout.unit, layout).map_err(bad)?,
        }
    }
    if any {
        push_indent(&mut text, layout, "", 0);
    }
    text.push_str("}\n");
    sink.write_all(text.as_bytes())
}

#[cfg(test)]
mod stream_tests {
    use super::*;

    #[test]
    fn streamed_root_is_the_canonical_text() {
        let mut inner = Branch::new();
        inner.push("x", Value::Int(1));
        inner.push(
            "l",
            Value::List(vec![Elem::Value(crate::tree::Node::new(Value::Map(
                Branch::new(),
            )))]),
        );
        let mut b = Branch::new();
        b.push(
            "data",
            Value::Str("ENC[AES256_GCM,data:AAAA,iv:BB==,tag:CC==,type:str]".into()),
        );
        b.push("esc", Value::Str("a\"<b>\n\u{2028}é".into()));
        b.push("m", Value::Map(inner));
        b.push("e", Value::Map(Branch::new()));
        b.push("f", Value::Float(1.5));
        for unit in ["\t", "  ", ""] {
            let layout = Layout {
                unit,
                newline: "\n",
            };
            let mut want = String::new();
            push_branch(&mut want, &b, "", &layout).unwrap();
            want.push('\n');
            let mut got = Vec::new();
            write_root_to(&mut got, &b, &layout).unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), want);
        }
        let mut got = Vec::new();
        write_root_to(
            &mut got,
            &Branch::new(),
            &Layout {
                unit: "\t",
                newline: "\n",
            },
        )
        .unwrap();
        assert_eq!(got, b"{}\n");
    }
}
