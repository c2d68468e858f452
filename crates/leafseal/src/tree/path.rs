//! Tree paths as SOPS writes them on the command line: `["a"]["b"][0]` (spec §9.1, `--extract`
//! and `set`). Keys are double-quoted strings (single quotes accepted too); indices are
//! non-negative integers.

use std::fmt;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// Parse `["a"][0]`. An empty string is the empty path.
pub fn parse(s: &str) -> Result<Vec<Step>, PathError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let err = |at: usize, what: &str| PathError {
        path: s.to_owned(),
        at,
        what: what.to_owned(),
    };
    while i < b.len() {
        if b[i] != b'[' {
            return Err(err(i, "expected '['"));
        }
        i += 1;
        if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
            let q = b[i];
            i += 1;
            let mut key = String::new();
            let start = i;
            loop {
                if i >= b.len() {
                    return Err(err(start, "unterminated key"));
                }
                if b[i] == b'\\' && i + 1 < b.len() {
                    key.push(b[i + 1] as char);
                    i += 2;
                    continue;
                }
                if b[i] == q {
                    break;
                }
                let ch = s[i..]
                    .chars()
                    .next()
                    .ok_or_else(|| err(i, "bad character"))?;
                key.push(ch);
                i += ch.len_utf8();
            }
            i += 1;
            out.push(Step::Key(key));
        } else {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let n = s[start..i]
                .parse()
                .map_err(|_| err(start, "expected a quoted key or an index"))?;
            out.push(Step::Index(n));
        }
        if i >= b.len() || b[i] != b']' {
            return Err(err(i, "expected ']'"));
        }
        i += 1;
    }
    Ok(out)
}

/// A malformed path (exit 91 on the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// The path as given.
    pub path: String,
    /// Byte offset of the problem.
    pub at: usize,
    /// What was expected.
    pub what: String,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid tree path {:?} at byte {}: {}; write it as [\"key\"][0]",
            self.path, self.at, self.what
        )
    }
}

impl std::error::Error for PathError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_and_indices() {
        assert_eq!(
            parse(r#"["a"]['b'][12]"#).unwrap(),
            vec![
                Step::Key("a".into()),
                Step::Key("b".into()),
                Step::Index(12)
            ]
        );
        assert_eq!(parse("").unwrap(), vec![]);
        assert!(parse("a.b").is_err());
        assert!(parse(r#"["a""#).is_err());
        assert!(parse("[x]").is_err());
    }
}
