//! Reading YAML as go-yaml v3 (what SOPS uses) reads it where saphyr-parser differs, by
//! parsing a copy of the text that saphyr reads the go-yaml way, with every position mapped
//! back to the file's (same-length rewrites, or insertions that [`super::flow::back`] maps):
//! a raw NEL is a line break, a byte-order mark is not part of the first key, a tab may follow
//! `key:`, `\'` is an escaped apostrophe, and indentation inside flow collections is not
//! checked ([`super::flow`]). Double-quoted scalars are checked against go-yaml's escapes.

use crate::store::StoreError;
use crate::tree::Doc;

/// Parse a YAML stream into one branch per document.
pub fn parse(src: &str) -> Result<Doc, StoreError> {
    APOSTROPHES.with(|a| a.borrow_mut().clear());
    // go-yaml (libyaml) reads a raw NEL (U+0085) as a line break; saphyr reads it as a
    // character. The copy has a line break and a blank in its place (the same length, so every
    // position is the file's; the blank keeps a continued scalar indented, and folds away).
    if !super::parse::is_ascii(src) && src.as_bytes().contains(&0x85) && src.contains('\u{85}') {
        return parse_with_nel_as_break(src);
    }
    // A byte-order mark is not part of the first key (go-yaml drops it); positions stay the
    // file's, so the mark itself is kept where it is.
    if let Some(rest) = src.strip_prefix('\u{feff}') {
        let mut doc = parse(rest)?;
        doc.shift_spans('\u{feff}'.len_utf8());
        return Ok(doc);
    }
    // go-yaml takes a tab as the blank after `key:`; saphyr refuses it before some
    // characters. The tab there is separation, never content: read a copy with a space in its
    // place (same length, so every position is the file's).
    let mut text = std::borrow::Cow::Borrowed(src);
    for _ in 0..1000 {
        match parse_flow_relaxed(&text) {
            Err(e)
                if e.msg
                    .contains("must be followed by a valid YAML whitespace") =>
            {
                match blank_tab_before(&text, &e) {
                    Some(t) => text = std::borrow::Cow::Owned(t),
                    None => return Err(e),
                }
            }
            // go-yaml reads `\'` in a double-quoted scalar as `'`; saphyr refuses it. Read
            // a copy with `\_` (a no-break space, same length) there and put the `'` back in
            // the value (see `APOSTROPHES`).
            Err(e) if e.msg.contains("found unknown escape character") => {
                match apostrophe_escapes(&text, &e) {
                    Some(t) => text = std::borrow::Cow::Owned(t),
                    None => return Err(e),
                }
            }
            r => return r,
        }
    }
    parse_flow_relaxed(&text)
}

thread_local! {
    /// Marks the `\'` escapes (rewritten to `\_`) of the copy being parsed, by offset.
    static APOSTROPHES: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `src` with the `\'` escapes of the double-quoted scalar that starts at the position of `e`
/// rewritten to `\_`; `None` when it has none.
fn apostrophe_escapes(src: &str, e: &StoreError) -> Option<String> {
    let (_, at) = error_offset(src, e)?;
    let mut b = src.as_bytes().to_vec();
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    let mut found = Vec::new();
    while i < b.len() && b[i] != b'"' {
        if b[i] == b'\\' {
            if b.get(i + 1) == Some(&b'\'') {
                b[i + 1] = b'_';
                found.push(i);
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    if found.is_empty() {
        return None;
    }
    APOSTROPHES.with(|a| a.borrow_mut().extend(found));
    String::from_utf8(b).ok()
}

/// go-yaml's escapes in a double-quoted scalar's source `raw`: `None` when all are known,
/// else the offset of the first it refuses (`\/`, which YAML 1.2 has and go-yaml has not).
fn unknown_escape(raw: &str) -> Option<usize> {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if b.get(i + 1) == Some(&b'/') {
                return Some(i);
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}

fn parse_with_nel_as_break(src: &str) -> Result<Doc, StoreError> {
    // Each NEL becomes a line break followed by blanks past its own column (a scalar it
    // continues stays indented enough); positions are mapped back to the file's.
    let mut text = String::with_capacity(src.len() + 16);
    let mut ins: Vec<(usize, usize)> = Vec::new();
    let mut line_start = 0;
    for (i, c) in src.char_indices() {
        match c {
            '\n' => {
                text.push(c);
                line_start = i + 1;
            }
            '\u{85}' => {
                let col = src[line_start..i].chars().count();
                text.push_str("\n ");
                text.extend(std::iter::repeat_n(' ', col));
                // The two bytes of the NEL are the line break and one blank; the rest is
                // inserted after them.
                ins.push((i + 2, col));
                line_start = i + 2;
            }
            _ => text.push(c),
        }
    }
    ins.retain(|&(_, n)| n > 0);
    let mut doc = parse(&text)?;
    doc.map_spans(&|r| super::flow::back(&ins, r));
    Ok(doc)
}

/// The byte offsets of the start of the line of error `e` and of its position.
fn error_offset(src: &str, e: &StoreError) -> Option<(usize, usize)> {
    let line = e.line?.checked_sub(1)?;
    let col = e.column?.checked_sub(1)?;
    let ls = if line == 0 {
        0
    } else {
        src.match_indices('\n').nth(line - 1)?.0 + 1
    };
    let at = ls
        + src[ls..]
            .chars()
            .take(col)
            .map(char::len_utf8)
            .sum::<usize>();
    Some((ls, at))
}

/// `src` with the tabs just before the error position `e` (the blanks after an indicator)
/// turned into spaces; `None` when there are none.
fn blank_tab_before(src: &str, e: &StoreError) -> Option<String> {
    let (ls, at) = error_offset(src, e)?;
    let mut b = src.as_bytes().to_vec();
    let mut i = at;
    let mut changed = false;
    while i > ls && matches!(b[i - 1], b' ' | b'\t') {
        if b[i - 1] == b'\t' {
            b[i - 1] = b' ';
            changed = true;
        }
        i -= 1;
    }
    if !changed || b.get(i.wrapping_sub(1)) != Some(&b':') {
        return None;
    }
    String::from_utf8(b).ok()
}

fn parse_flow_relaxed(src: &str) -> Result<Doc, StoreError> {
    match super::parse::parse_strict(src) {
        // go-yaml does not check indentation inside flow collections; saphyr does.
        // (Not together with rewritten `\'` escapes, whose offsets the relaxed copy moves.)
        Err(e) if e.msg.contains("indentation") && APOSTROPHES.with(|a| a.borrow().is_empty()) => {
            if let Some((relaxed, ins)) = super::flow::relax(src) {
                match super::parse::parse_strict(&relaxed) {
                    Ok(mut doc) => {
                        doc.map_spans(&|r| super::flow::back(&ins, r));
                        return Ok(doc);
                    }
                    // A tab after `key:` or a `\'` escape elsewhere in the file: that error,
                    // at its place in the file, so that `parse` rewrites it and comes back.
                    Err(later)
                        if later
                            .msg
                            .contains("must be followed by a valid YAML whitespace")
                            || later.msg.contains("found unknown escape character") =>
                    {
                        if let Some((_, at)) = error_offset(&relaxed, &later) {
                            let at = super::flow::back(&ins, at);
                            let ls = src[..at].rfind('\n').map_or(0, |i| i + 1);
                            return Err(StoreError {
                                line: Some(src[..ls].matches('\n').count() + 1),
                                column: Some(src[ls..at].chars().count() + 1),
                                ..later
                            });
                        }
                    }
                    Err(_) => {}
                }
            }
            Err(e)
        }
        r => r,
    }
}

/// A double-quoted scalar's value as go-yaml reads it, given its source `raw` (starting at
/// file offset `start`) and the value saphyr read: `Ok(None)` when that value stands,
/// `Ok(Some(value))` when a rewritten `\'` must be put back, `Err(offset in raw)` for an escape
/// go-yaml refuses.
pub(super) fn double_quoted(raw: &str, start: usize, value: &str) -> Result<Option<String>, usize> {
    if let Some(k) = unknown_escape(raw) {
        return Err(k);
    }
    let end = start + raw.len();
    if !APOSTROPHES.with(|a| a.borrow().iter().any(|&p| p >= start && p < end)) {
        return Ok(None);
    }
    // A genuine no-break space beside a rewritten `\'` cannot be told apart: refused.
    let genuine = APOSTROPHES.with(|a| {
        raw.match_indices("\\_")
            .any(|(k, _)| !a.borrow().contains(&(start + k)))
    }) || raw.contains('\u{a0}');
    if genuine {
        return Err(0);
    }
    Ok(Some(value.replace('\u{a0}', "'")))
}

/// go-yaml reads a raw LINE or PARAGRAPH SEPARATOR (U+2028/U+2029) in a quoted scalar as a line
/// break that stays in the value: the blanks around it are dropped, as around any line break
/// (yaml.v3, and so sops, writes `'line<LS>    sep'` for the string `line<LS>sep`). saphyr
/// keeps them. `Some(value)` when that changes the single-quoted `value`. (A separator followed
/// by a real line break is left as saphyr reads it; yaml.v3 never writes one.)
pub(super) fn single_quoted_separators(value: &str) -> Option<String> {
    if !value.contains(['\u{2028}', '\u{2029}']) {
        return None;
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '\u{2028}' | '\u{2029}') {
            let kept = out.trim_end_matches([' ', '\t']).len();
            out.truncate(kept);
            out.push(c);
            while chars.next_if(|n| matches!(n, ' ' | '\t')).is_some() {}
        } else {
            out.push(c);
        }
    }
    (out != value).then_some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn separators_in_single_quotes_drop_the_blanks_around_them() {
        use super::single_quoted_separators as f;
        assert_eq!(f("line\u{2028}    sep").as_deref(), Some("line\u{2028}sep"));
        assert_eq!(f("a \t\u{2029}\tb").as_deref(), Some("a\u{2029}b"));
        assert_eq!(f("a\u{2028}b"), None);
        assert_eq!(f("plain"), None);
    }
}
