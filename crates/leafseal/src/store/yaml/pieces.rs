//! A YAML file as a sequence of independently parsed pieces, one per top-level entry, so large
//! files are processed with bounded memory (and parsing can run beside encryption).
//!
//! Only the common shape qualifies: one document whose root is a block mapping with its keys
//! at column 0. A piece starts at a line that begins with a key (any character but blank,
//! `#` or a YAML indicator) and runs to the next such line; comment lines between entries
//! belong to the piece before them, exactly where a whole-document parse puts them (after the
//! pair they follow). Anything else — several documents, directives, a flow or sequence root,
//! explicit `?` keys, anchors or tags at column 0 — gives `None` and the caller parses the
//! file whole. A piece that does not parse on its own (an alias to another piece's anchor, a
//! scalar continued at column 0) is an error the caller answers the same way, so pieces never
//! change what a file means; `tests` check that the pieces of a file add up to its whole parse.

use super::parse;
use crate::store::StoreError;
use crate::tree::{Doc, Span};

/// The ranges of the top-level entries of `src`, in order, covering all of it; `None` when the
/// file is not of the shape described above.
pub fn split(src: &str) -> Option<Vec<Span>> {
    let b = src.as_bytes();
    let mut starts: Vec<usize> = Vec::new();
    let mut doc_start = false;
    let mut pos = 0;
    while pos < b.len() {
        // (`str::find` of a char is memchr: this scan runs over whole files.)
        let eol = src[pos..].find('\n').map_or(b.len(), |n| pos + n);
        let line = &b[pos..eol];
        match line.first() {
            None | Some(b' ' | b'\t' | b'\r' | b'#') => {}
            Some(b'-') if is_marker(line, b"---") => {
                // One explicit document start before the first key; only a comment after it.
                let rest = line[3..].trim_ascii_start();
                if doc_start || !starts.is_empty() || !(rest.is_empty() || rest[0] == b'#') {
                    return None;
                }
                doc_start = true;
            }
            // A block sequence written at the key's own column (`key:\n- a`) continues the
            // entry above; at the very top it would be a sequence root.
            Some(b'-') if !starts.is_empty() => {}
            Some(b'.') if is_marker(line, b"...") => return None,
            Some(
                b'-' | b'%' | b'?' | b':' | b'{' | b'[' | b']' | b'}' | b',' | b'&' | b'*' | b'!'
                | b'|' | b'>' | b'@' | b'`',
            ) => return None,
            Some(_) => starts.push(pos),
        }
        pos = eol + 1;
    }
    if starts.is_empty() {
        return None;
    }
    // The `sops` entry after a blank line that follows the document's last comment: that
    // blank line is leafseal's separator (docs/format.md), which decrypt removes with the
    // entry, so the entry stays in one piece with what comes before it.
    if let [.., _, last] = starts[..] {
        if src[last..].starts_with("sops:") && after_separator(&src[..last]) {
            starts.pop();
        }
    }
    let mut out = Vec::with_capacity(starts.len());
    for (i, &s) in starts.iter().enumerate() {
        let start = if i == 0 { 0 } else { s };
        let end = starts.get(i + 1).copied().unwrap_or(b.len());
        out.push(Span { start, end });
    }
    Some(out)
}

/// `line` is the document marker `m` (`---`/`...`) alone or followed by a blank.
/// Whether `text` ends with a comment line, then at least one blank line. (Whether that blank
/// line is the separator depends on the collection holding the comment, which the parse of
/// the merged piece decides: `l:\n- a\n# c` is the list's even at column 0.)
fn after_separator(text: &str) -> bool {
    let body = text.trim_end_matches([' ', '\t', '\r', '\n']);
    let last_line = &body[body.rfind('\n').map_or(0, |i| i + 1)..];
    text[body.len()..].matches('\n').count() >= 2 && last_line.trim_start().starts_with('#')
}

fn is_marker(line: &[u8], m: &[u8]) -> bool {
    line.starts_with(m) && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r'))
}

/// Parse the text of one range from [`split`], which starts at byte `at` of the file: a
/// document with one branch, positions in the file's terms.
/// `goes_on`: another piece follows (it starts with a key at column 0), so the end of `text`
/// is not the end of the document, which matters for where comments there belong.
pub fn parse_piece(text: &str, at: usize, goes_on: bool) -> Result<Doc, StoreError> {
    let mut doc = parse::with_document_going_on(goes_on, || parse::parse(text))?;
    if doc.branches.len() != 1 {
        return Err(StoreError::input("a piece must hold exactly one document"));
    }
    doc.shift_spans(at);
    Ok(doc)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::tree::{Branch, Item};

    /// The pieces of `src`, parsed and put together, are its whole parse.
    /// Returns whether there was something to compare (pieces and a whole parse).
    pub(crate) fn assert_pieces_add_up(src: &str) -> bool {
        let whole = parse::parse(src);
        let Some(ranges) = split(src) else {
            return false;
        };
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        assert_eq!(ranges.last().map(|r| r.end), Some(src.len()));
        for w in ranges.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        let mut joined = Branch::new();
        let mut failed = false;
        for r in &ranges {
            match parse_piece(&src[r.start..r.end], r.start, r.end < src.len()) {
                Ok(mut d) => {
                    let b = d.branches.remove(0);
                    joined.items.extend(b.items);
                    joined.removed.extend(b.removed);
                    joined.end = b.end;
                }
                Err(_) => failed = true,
            }
        }
        match whole {
            // A piece may fail where the whole parses (the caller then parses whole); a piece
            // must never parse to something else.
            Ok(w) if !failed => {
                let keys = |b: &Branch| {
                    b.items
                        .iter()
                        .filter_map(|i| match i {
                            Item::Pair(k, _) => Some(k.name.clone()),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                };
                let mut seen = std::collections::HashSet::new();
                if keys(&joined).iter().all(|k| seen.insert(k.clone())) {
                    assert_eq!(w.branches.len(), 1, "{src:?}");
                    assert_eq!(w.branches[0], joined, "{src:?}");
                    return true;
                }
                false
            }
            _ => false,
        }
    }

    #[test]
    fn splits_at_column_zero_keys() {
        let src = "# head\n---\na: 1\n# about b\nb:\n  c: 2\nd:\n- x\n- y\n'e': |\n  text\n";
        let r = split(src).unwrap();
        let texts: Vec<&str> = r.iter().map(|s| &src[s.start..s.end]).collect();
        assert_eq!(
            texts,
            [
                "# head\n---\na: 1\n# about b\n",
                "b:\n  c: 2\n",
                "d:\n- x\n- y\n",
                "'e': |\n  text\n"
            ]
        );
        assert!(assert_pieces_add_up(src));
    }

    #[test]
    fn other_shapes_are_parsed_whole() {
        for src in [
            "- a\n- b\n",
            "{a: 1}\n",
            "a: 1\n---\nb: 2\n",
            "%YAML 1.2\n---\na: 1\n",
            "? a\n: 1\n",
            "&x a: 1\n",
            "  a: 1\n  b: 2\n",
            "# only a comment\n",
            "",
            "a: 1\n...\n",
        ] {
            assert_eq!(split(src), None, "{src:?}");
        }
    }

    #[test]
    fn pieces_add_up_for_tricky_files() {
        for (src, compared) in [
            ("a: 1 # on a\n# after a\nb: 2\n", true),
            ("a:\n  b: 1\n  # inside a\n# top\nc: [1,\n  2]\n", true),
            ("a: &x 1\nb: *x\n", false),
            ("a: \"multi\n  line\"\nb: 'x'\n", true),
            ("a: |\n  keep\n\nb: >-\n  fold\n  me\n", true),
            ("a:\n  - 1\n  # in list\n  - 2\n# end\n", true),
            ("a: 1\r\nb: 2\r\n", true),
            ("\u{feff}a: 1\nb: é\n", true),
            ("a: 1\na: 2\n", false),
            ("a: 1\nb\n", false),
            ("a: x\n-b: 2\n", true),
            ("a:\n- b: 1\n  c: 2\n- d\ne: 3 # trailing\n", true),
            ("a: {b: 1,\n c: 2}\nd: 1\n", true),
            ("a: 1\n\n\n# tail\n", true),
        ] {
            // false: an alias to another piece's anchor, a duplicate key and a broken file
            // are left to the whole parse.
            assert_eq!(assert_pieces_add_up(src), compared, "{src:?}");
        }
    }
}
