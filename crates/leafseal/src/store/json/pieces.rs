//! A JSON file as a sequence of independently parsed pieces, one per top-level member (see
//! `store::Store::pieces`). Piece `i` runs from member `i`'s key to member `i + 1`'s key (the
//! first from the start of the file, the last to its end), so the pieces cover the file. A
//! piece is parsed as a one-member object: `{` is put before it (but the first) and its
//! trailing comma is read as a blank with `}` after it, so every position maps back to the
//! file by a constant shift. Anything unusual — not an object, trailing data, no members —
//! gives `None` and the file is parsed whole.

use super::parse::parse_doc;
use crate::store::StoreError;
use crate::tree::{Doc, Span};

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The ranges of the top-level members of `b`, in order, covering all of it.
pub fn split(b: &[u8]) -> Option<Vec<Span>> {
    let mut i = 0;
    while i < b.len() && is_ws(b[i]) {
        i += 1;
    }
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    let mut keys = Vec::new();
    let mut depth = 1usize;
    let mut expect_key = true;
    let mut end = None;
    while i < b.len() {
        match b[i] {
            b'"' => {
                if depth == 1 && expect_key {
                    keys.push(i);
                    expect_key = false;
                }
                // Skip the string, escapes included.
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    end = Some(i);
                    break;
                }
            }
            b',' if depth == 1 => expect_key = true,
            _ => {}
        }
        i += 1;
    }
    end?;
    if keys.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(keys.len());
    for (n, &k) in keys.iter().enumerate() {
        let start = if n == 0 { 0 } else { k };
        let end = keys.get(n + 1).copied().unwrap_or(b.len());
        out.push(Span { start, end });
    }
    Some(out)
}

/// Parse one range from [`split`] of `input`: a document with one branch, positions in the
/// file's terms. `last` says whether it is the final piece (it holds the closing brace).
pub fn parse_piece(input: &[u8], range: Span, last: bool) -> Result<Doc, StoreError> {
    let bad = || StoreError::input("not a piece of this JSON file");
    let text = input.get(range.start..range.end).ok_or_else(bad)?;
    let first = range.start == 0;
    let mut synthetic = Vec::with_capacity(text.len() + 2);
    if !first {
        synthetic.push(b'{');
    }
    synthetic.extend_from_slice(text);
    if !last {
        let comma = synthetic.iter().rposition(|&c| !is_ws(c)).ok_or_else(bad)?;
        if synthetic[comma] != b',' {
            return Err(bad());
        }
        synthetic[comma] = b' ';
        synthetic.push(b'}');
    }
    let mut doc = parse_doc(&synthetic)?;
    if first {
        return Ok(doc);
    }
    // Byte 1 of the synthetic text is byte `range.start` of the file.
    doc.shift_spans(range.start - 1);
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_members_and_skips_strings() {
        let src = br#"{
	"a": "x,\"}{",
	"b": {"c": [1, {"d": 2}]},
	"e": null
}
"#;
        let r = split(src).unwrap();
        let texts: Vec<&str> = r
            .iter()
            .map(|s| std::str::from_utf8(&src[s.start..s.end]).unwrap())
            .collect();
        assert_eq!(
            texts,
            [
                "{\n\t\"a\": \"x,\\\"}{\",\n\t",
                "\"b\": {\"c\": [1, {\"d\": 2}]},\n\t",
                "\"e\": null\n}\n"
            ]
        );
        assert_eq!(split(b"[1]"), None);
        assert_eq!(split(b"{}"), None);
        assert_eq!(split(b"{\"a\": 1"), None);
    }
}
