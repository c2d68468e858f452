//! Block scalars (`|`, `>`, with chomping and indentation indicators) read exactly as go-yaml v3
//! (libyaml's scanner) reads them: where the scalar's text ends in the file and what its value
//! is. saphyr-parser's own answers differ at the edges (keep chomping before a blank line, no
//! final line break, an empty keep block, a span that runs into the next line's indentation),
//! and the splice writer needs the exact range.

/// A block scalar found in the source.
#[derive(Debug, PartialEq, Eq)]
pub struct Block {
    /// Where the text to replace ends: after the last content line (without its line break);
    /// with keep chomping after the last line of trailing blank lines too; just after the header
    /// line when there is no content.
    pub end: usize,
    /// The value.
    pub value: String,
    /// The first line after the header that is not part of the scalar (or the end of input).
    pub next_line: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// Scan the block scalar whose indicator (`|` or `>`) is at byte `at` of `src`. `parent` is the
/// indentation of the collection that holds it (the column of its key or dash), `None` at the
/// document root. `None` when the header is not one.
pub fn scan(src: &str, at: usize, parent: Option<usize>) -> Option<Block> {
    let b = src.as_bytes();
    let literal = match b.get(at)? {
        b'|' => true,
        b'>' => false,
        _ => return None,
    };
    let mut chomp = Chomp::Clip;
    let mut explicit: Option<usize> = None;
    let mut i = at + 1;
    for _ in 0..2 {
        match b.get(i) {
            Some(b'+') if chomp == Chomp::Clip => chomp = Chomp::Keep,
            Some(b'-') if chomp == Chomp::Clip => chomp = Chomp::Strip,
            Some(c @ b'1'..=b'9') if explicit.is_none() => explicit = Some((c - b'0') as usize),
            _ => break,
        }
        i += 1;
    }
    // The rest of the header line: blanks and an optional comment.
    let header_end = b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |n| i + n);
    let n = parent.map_or(-1, |p| p as isize);
    // Content lines: (start, end without the line break, end with it).
    let mut lines: Vec<(usize, usize, usize)> = Vec::new();
    let mut pos = if header_end < b.len() {
        header_end + 1
    } else {
        b.len()
    };
    while pos < b.len() {
        let eol = b[pos..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |k| pos + k);
        let brk = if eol < b.len() { eol + 1 } else { eol };
        let text_end = if eol > pos && b[eol - 1] == b'\r' {
            eol - 1
        } else {
            eol
        };
        lines.push((pos, text_end, brk));
        pos = brk;
    }
    let spaces =
        |(s, e, _): (usize, usize, usize)| b[s..e].iter().take_while(|&&c| c == b' ').count();
    let blank = |l: (usize, usize, usize)| spaces(l) == l.1 - l.0;
    // The content indentation: explicit, or that of the first non-blank line (at least one
    // more than the parent's), never less than the blank lines before it.
    let m: usize = match explicit {
        Some(d) => (n.max(0) as usize) + d,
        None => {
            let mut max_blank = 0;
            let mut found = None;
            for &l in &lines {
                if blank(l) {
                    max_blank = max_blank.max(l.1 - l.0);
                } else {
                    found = Some(spaces(l));
                    break;
                }
            }
            let least = (n + 1).max(1) as usize;
            match found {
                Some(k) if k as isize > n => k.max(least),
                _ => max_blank.max(least),
            }
        }
    };
    // The lines that belong to the scalar: blank ones, and those indented at least `m`.
    let mut count = 0;
    for &l in &lines {
        if blank(l) || spaces(l) >= m {
            count += 1;
        } else {
            break;
        }
    }
    let lines = &lines[..count];
    let next_line = lines.last().map_or(
        if header_end < b.len() {
            header_end + 1
        } else {
            b.len()
        },
        |l| l.2,
    );
    // libyaml's folding: line breaks between two ordinary lines become a space, breaks around
    // more-indented lines and blank lines are kept; chomping decides the trailing breaks.
    let mut value = String::new();
    let mut leading_break = String::new();
    let mut trailing = String::new();
    let mut leading_blank = false;
    let mut started = false;
    let mut last_content_end = None;
    for &(s, e, brk) in lines {
        let has_break = brk > e;
        // A line of spaces only is a blank line unless it has more than `m` of them (then
        // the spaces past `m` are content).
        let content = if blank((s, e, brk)) && e - s <= m {
            None
        } else {
            Some(&src[s + m..e])
        };
        match content {
            Some(c) => {
                let trailing_blank = c.starts_with([' ', '\t']);
                if !literal && started && leading_break == "\n" && !leading_blank && !trailing_blank
                {
                    if trailing.is_empty() {
                        value.push(' ');
                    }
                    leading_break.clear();
                } else {
                    value.push_str(&leading_break);
                    leading_break.clear();
                }
                value.push_str(&trailing);
                trailing.clear();
                leading_blank = trailing_blank;
                value.push_str(c);
                started = true;
                last_content_end = Some(e);
                if has_break {
                    leading_break.push('\n');
                }
            }
            _ => {
                if has_break {
                    trailing.push('\n');
                }
            }
        }
    }
    if chomp != Chomp::Strip {
        value.push_str(&leading_break);
    }
    if chomp == Chomp::Keep {
        value.push_str(&trailing);
    }
    let end = match chomp {
        Chomp::Keep => lines.last().map_or(header_end, |l| l.1),
        _ => last_content_end.unwrap_or(header_end),
    };
    // The header's own line ends the range when there is nothing else; a header comment is
    // part of that line.
    let end = end.max(at + 1);
    Some(Block {
        end: end.min(src.len()),
        value,
        next_line,
    })
}

#[cfg(test)]
mod tests {
    use super::scan;

    fn val(src: &str, parent: Option<usize>) -> (String, String) {
        let at = src.find(['|', '>']).expect("indicator");
        let b = scan(src, at, parent).expect("block");
        (b.value, src[at..b.end].to_owned())
    }

    #[test]
    fn literal_and_chomping() {
        assert_eq!(
            val("a: |\n  x\nb: 1\n", Some(0)),
            ("x\n".into(), "|\n  x".into())
        );
        assert_eq!(
            val("a: |+\n  x\n\nb: 1\n", Some(0)),
            ("x\n\n".into(), "|+\n  x\n".into())
        );
        assert_eq!(
            val("a: |-\n  x\n\nb: 1\n", Some(0)),
            ("x".into(), "|-\n  x".into())
        );
        assert_eq!(
            val("k: |\n  text", Some(0)),
            ("text".into(), "|\n  text".into())
        );
        assert_eq!(val("c:\n  - |+\n", Some(2)), ("".into(), "|+".into()));
        assert_eq!(
            val("t:\n  a: |\n    x\n  b: 1\n", Some(2)),
            ("x\n".into(), "|\n    x".into())
        );
        assert_eq!(
            val("a: |2\n    lead\n  x\nb: 1\n", Some(0)),
            ("  lead\nx\n".into(), "|2\n    lead\n  x".into())
        );
        assert_eq!(
            val("a: |\n  x\n\n  y\n  # not a comment\n# comment\n", Some(0)),
            (
                "x\n\ny\n# not a comment\n".into(),
                "|\n  x\n\n  y\n  # not a comment".into()
            )
        );
    }

    #[test]
    fn folded() {
        assert_eq!(val("a: >\n  x\n  y\n\n  z\n", Some(0)).0, "x y\nz\n");
        assert_eq!(
            val("a: >-\n  x\n    more\n  y\n", Some(0)).0,
            "x\n  more\ny"
        );
        assert_eq!(val("a: >\n\n  x\n", Some(0)).0, "\nx\n");
    }

    #[test]
    fn crlf() {
        assert_eq!(
            val("a: |\r\n  x\r\n  y\r\nb: 1\r\n", Some(0)),
            ("x\ny\n".into(), "|\r\n  x\r\n  y".into())
        );
    }
}
