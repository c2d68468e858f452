//! TOML text of single scalars. Strings are written in the quoting their slot had in the
//! source (basic `"…"`, literal `'…'`, multi-line `"""…"""` / `'''…'''`), falling back to a
//! form that can hold the value; this is what makes decrypt(encrypt(x)) give back `x`.

use super::super::StoreError;
use super::parse::is_local_datetime;
use crate::cipher::value::is_token;
use crate::tree::{Style, Value};

/// TOML text of a scalar written where `slot` (the source text it replaces, `""` for a new
/// value) stood. Errors for values TOML cannot hold.
pub fn scalar(v: &Value, slot: &str) -> Result<String, StoreError> {
    Ok(match v {
        Value::Str(s) => string(s, slot),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => float(*f),
        Value::Time(t) => t.rfc3339_nano(),
        Value::Bytes(b) => match std::str::from_utf8(b) {
            Ok(s) => string(s, slot),
            Err(_) => {
                return Err(StoreError::emit(
                    "toml cannot hold a value that is not UTF-8 text",
                ))
            }
        },
        Value::Null => {
            return Err(StoreError::emit(
                "toml has no null value; remove the key or give it a value",
            ))
        }
        Value::Uint(_) => {
            return Err(StoreError::emit(
                "toml integers are 64-bit signed; this value does not fit",
            ))
        }
        Value::Map(_) | Value::List(_) => {
            return Err(StoreError::emit(
                "internal: a collection rendered as a scalar",
            ))
        }
    })
}

/// A float that reads back as a float: `1.0`, not `1`.
pub fn float(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else {
        // Debug is shortest round-trip, always with `.` or an exponent, both valid TOML.
        format!("{f:?}")
    }
}

/// A string in the quoting of `slot`.
///
/// Two cases carry a bare local date or time through encryption (its ciphertext must be a
/// string): a bare local date-time slot receiving a token is written `'''ENC[…]'''`, and a
/// one-line `'''…'''` slot receiving local date-time text is written bare again.
pub fn string(s: &str, slot: &str) -> String {
    let style = super::parse::style_of(slot);
    match style {
        Style::Plain if is_token(s) && is_local_datetime(slot) => return format!("'''{s}'''"),
        Style::Literal if !slot.contains('\n') && is_local_datetime(s) => return s.to_owned(),
        _ => {}
    }
    match style {
        Style::SingleQuoted if literal_ok(s) => format!("'{s}'"),
        Style::Literal if ml_literal_ok(s) => format!("'''{}{s}'''", opening_newline(s)),
        Style::Literal | Style::Folded => ml_basic(s),
        // A new value, or one where a bare value stood: text that spans lines (the wrapped
        // keys in `[[sops.age]]`) reads best as a multi-line string.
        Style::Plain if s.contains('\n') => ml_basic(s),
        _ => basic(s),
    }
}

/// Multi-line strings drop a newline right after the opening delimiter; one is written when
/// the value spans lines, so the text starts on its own line as people write it.
fn opening_newline(s: &str) -> &'static str {
    if s.contains('\n') {
        "\n"
    } else {
        ""
    }
}

fn is_forbidden_control(c: char) -> bool {
    (c < ' ' && c != '\t') || c == '\u{7f}'
}

fn literal_ok(s: &str) -> bool {
    !s.contains('\'') && !s.chars().any(is_forbidden_control)
}

fn ml_literal_ok(s: &str) -> bool {
    !s.contains("'''")
        && !s.ends_with('\'')
        && !s.chars().any(|c| c != '\n' && is_forbidden_control(c))
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\u{8}' => out.push_str("\\b"),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\u{c}' => out.push_str("\\f"),
        '\r' => out.push_str("\\r"),
        c if is_forbidden_control(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
        c => out.push(c),
    }
}

/// `"…"` with TOML escapes.
pub fn basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' {
            out.push_str("\\\"");
        } else {
            escape_into(&mut out, c);
        }
    }
    out.push('"');
    out
}

/// `"""…"""`: newlines and tabs stay literal; a `"` is escaped only where it could close the
/// string (before another `"`, or last).
pub fn ml_basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 7);
    out.push_str("\"\"\"");
    out.push_str(opening_newline(s));
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if matches!(chars.peek(), Some('"') | None) => out.push_str("\\\""),
            '"' | '\n' | '\t' => out.push(c),
            c => escape_into(&mut out, c),
        }
    }
    out.push_str("\"\"\"");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads_back(text: &str, want: &str) {
        let v: toml_edit::Value = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(v.as_str(), Some(want), "{text}");
    }

    #[test]
    fn strings_keep_their_quoting_and_read_back() {
        let cases = [
            "plain",
            "a'b",
            "q\"uote",
            "multi\nline\n",
            "tab\there",
            "ends with \"",
            "a\"\"\"b",
            "back\\slash",
            "bell\u{7}",
            "ünï ☃",
            "",
        ];
        for s in cases {
            for slot in ["\"x\"", "'x'", "\"\"\"x\"\"\"", "'''x'''", "x", ""] {
                reads_back(&string(s, slot), s);
            }
        }
        assert_eq!(string("v", "'x'"), "'v'");
        assert_eq!(string("a'b", "'x'"), "\"a'b\"");
        assert_eq!(string("l1\nl2\n", "'''\nx'''"), "'''\nl1\nl2\n'''");
        assert_eq!(string("l1\nl2", "\"\"\"\nx\"\"\""), "\"\"\"\nl1\nl2\"\"\"");
        assert_eq!(string("\nlead", "'''x'''"), "'''\n\nlead'''");
        reads_back("'''\n\nlead'''", "\nlead");
    }

    #[test]
    fn local_datetimes_travel_as_triple_quoted_tokens() {
        let tok = "ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]";
        assert_eq!(string(tok, "1979-05-27"), format!("'''{tok}'''"));
        assert_eq!(string(tok, "07:32:00"), format!("'''{tok}'''"));
        assert_eq!(string("1979-05-27", &format!("'''{tok}'''")), "1979-05-27");
        assert_eq!(
            string("1979-05-27T07:32:00", "'''x'''"),
            "1979-05-27T07:32:00"
        );
        // A bare integer slot is not a date: the token is an ordinary string.
        assert_eq!(string(tok, "8080"), format!("\"{tok}\""));
        assert_eq!(string("not a date", "'''x'''"), "'''not a date'''");
    }

    #[test]
    fn floats_stay_floats() {
        assert_eq!(float(1.0), "1.0");
        assert_eq!(float(1.5), "1.5");
        assert_eq!(float(-0.0), "-0.0");
        assert_eq!(float(f64::INFINITY), "inf");
        assert_eq!(float(f64::NAN), "nan");
        for f in [1e300, 1e-7, 123456.789] {
            let v: toml_edit::Value = float(f).parse().expect("float reads back");
            assert_eq!(v.as_float(), Some(f));
        }
    }
}
