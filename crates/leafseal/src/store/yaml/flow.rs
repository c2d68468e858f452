//! Flow collections written over several lines with little indentation (`a: [\n  x,\n]`,
//! `b:\n  a: [x,\n  y]`, sops' own `a: {\n    #ENC[…]\n}`): go-yaml v3 (libyaml) does not check
//! indentation inside flow collections at all, saphyr-parser does. Inside a flow collection
//! leading blanks of a line carry no meaning (they are folded away in scalars and ignored
//! elsewhere), so such a file is parsed from a copy whose lines inside flow collections are
//! indented past the opening bracket, and positions are mapped back to the original.

/// Insert blanks at the start of lines inside multi-line flow collections so every such line
/// is indented past its collection's opening bracket. Returns the new text and the insertions
/// `(original offset, count)`, or `None` when nothing needs to move.
pub fn relax(src: &str) -> Option<(String, Vec<(usize, usize)>)> {
    let b = src.as_bytes();
    let mut ins: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut need = 0usize; // column every line inside the outermost open collection needs
    let mut i = 0;
    let mut line_start = 0;
    let mut prev_sig: Option<u8> = None; // last non-blank byte on this line (in flow context)
    let mut block_skip: Option<usize> = None; // block scalar: skip lines indented past this
    while i < b.len() {
        if i == line_start {
            let ind = b[i..].iter().take_while(|&&c| c == b' ').count();
            let rest = &b[i + ind..];
            let blank = rest.first().is_none_or(|&c| c == b'\n' || c == b'\r');
            if let Some(k) = block_skip {
                if blank || ind > k {
                    i = next_line(b, i);
                    line_start = i;
                    continue;
                }
                block_skip = None;
            }
            if depth > 0 && !blank && ind < need {
                ins.push((i, need - ind));
            }
            prev_sig = None;
        }
        let c = b[i];
        match c {
            b'\n' => {
                i += 1;
                line_start = i;
                continue;
            }
            b'#' if i == line_start || matches!(b[i - 1], b' ' | b'\t') => {
                i = next_line(b, i);
                line_start = i;
                continue;
            }
            b'\'' | b'"' if value_start(b, i, line_start, depth, prev_sig) => {
                // A quoted scalar, possibly over several lines.
                let mut j = i + 1;
                while j < b.len() {
                    if b[j] == b'\n' {
                        if depth > 0 {
                            let ls = j + 1;
                            let ind = b[ls..].iter().take_while(|&&c| c == b' ').count();
                            if ind < need && b.get(ls + ind).is_some_and(|&c| c != b'\n') {
                                ins.push((ls, need - ind));
                            }
                        }
                    } else if c == b'"' && b[j] == b'\\' {
                        j += 1;
                    } else if b[j] == c {
                        if c == b'\'' && b.get(j + 1) == Some(&b'\'') {
                            j += 1;
                        } else {
                            break;
                        }
                    }
                    j += 1;
                }
                i = j + 1;
                line_start = src[..i.min(b.len())].rfind('\n').map_or(0, |n| n + 1);
                prev_sig = Some(c);
                continue;
            }
            b'[' | b'{' if depth > 0 || value_start(b, i, line_start, depth, prev_sig) => {
                if depth == 0 {
                    need = col(src, line_start, i) + 1;
                }
                depth += 1;
            }
            b']' | b'}' if depth > 0 => depth -= 1,
            b'|' | b'>' if depth == 0 && value_start(b, i, line_start, depth, prev_sig) => {
                // The block's content is indented past its owner: the key (`- e: >-` owns
                // from the column of `e`), or the last dash when the block is a list item.
                let mut k = line_start + b[line_start..].iter().take_while(|&&c| c == b' ').count();
                let mut owner = k - line_start;
                while b.get(k) == Some(&b'-') && matches!(b.get(k + 1), Some(b' ' | b'\t')) {
                    owner = k - line_start;
                    k += 1;
                    while matches!(b.get(k), Some(b' ' | b'\t')) {
                        k += 1;
                    }
                }
                if k < i {
                    owner = k - line_start;
                }
                block_skip = Some(owner);
                i = next_line(b, i);
                line_start = i;
                continue;
            }
            _ => {}
        }
        if !matches!(c, b' ' | b'\t' | b'\r') {
            prev_sig = Some(c);
        }
        i += 1;
    }
    if ins.is_empty() {
        return None;
    }
    ins.sort_unstable();
    ins.dedup_by_key(|x| x.0);
    let mut out = String::with_capacity(src.len() + ins.iter().map(|x| x.1).sum::<usize>());
    let mut pos = 0;
    for &(at, n) in &ins {
        out.push_str(&src[pos..at]);
        out.extend(std::iter::repeat_n(' ', n));
        pos = at;
    }
    out.push_str(&src[pos..]);
    Some((out, ins))
}

/// Map an offset in the relaxed text back to the original (inserted blanks map to where they
/// were inserted).
pub fn back(ins: &[(usize, usize)], r: usize) -> usize {
    let mut shift = 0;
    for &(at, n) in ins {
        let start = at + shift;
        if r < start {
            break;
        }
        if r < start + n {
            return at;
        }
        shift += n;
    }
    r - shift
}

fn next_line(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |n| i + n + 1)
}

fn col(src: &str, line_start: usize, i: usize) -> usize {
    src[line_start..i].chars().count()
}

/// Whether byte `i` starts a value: first on its line (after blanks and `- `), after `: `,
/// `- `, `? `, or inside a flow collection after `[`, `{`, `,` or `:`.
fn value_start(b: &[u8], i: usize, line_start: usize, depth: usize, prev: Option<u8>) -> bool {
    if depth > 0 {
        return matches!(prev, None | Some(b'[' | b'{' | b',' | b':'));
    }
    let before = &b[line_start..i];
    let trimmed = before.trim_ascii_end();
    trimmed.iter().all(|&c| matches!(c, b' ' | b'-' | b'?'))
        || (trimmed.len() < before.len() && trimmed.last() == Some(&b':'))
}

#[cfg(test)]
mod tests {
    use super::{back, relax};

    #[test]
    fn lines_inside_flow_move_past_the_bracket() {
        let (t, ins) = relax("a: [\n  x,\n  y\n]\nb: 1\n").expect("relaxed");
        assert_eq!(t, "a: [\n    x,\n    y\n    ]\nb: 1\n");
        assert_eq!(back(&ins, t.find(']').unwrap()), 14);
        assert_eq!(back(&ins, t.find('b').unwrap()), 16);
        let (t, _) = relax("b:\n  a: [x,\n  y]\n").expect("relaxed");
        assert_eq!(t, "b:\n  a: [x,\n      y]\n");
        assert!(relax("a: [x, y]\nb: |\n  [\n").is_none());
        assert!(relax("a: '[x'\nb: \"{\"\n").is_none());
        assert!(relax("a: x # [\nb: 1\n").is_none());
    }
}
