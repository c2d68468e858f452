//! The span-keeping JSON parser (spec §1.3). It is iterative, so nesting depth costs heap, not
//! stack, and it records for every member the byte range that can be cut out of the source
//! while leaving valid JSON, which is what lets the store splice instead of re-serialising.

use crate::store::StoreError;
use crate::tree::{Branch, Doc, Elem, Item, Key, Node, Span, Src, Style, Value};

/// Deepest nesting accepted. Go's encoding/json stops at the same depth; beyond it the rest
/// of the program (walker, drop glue) would recurse too deeply anyway.
// Deeper input is rejected: dropping and walking the tree recurse, so the limit also bounds
// stack use elsewhere (same limit as the YAML parser).
pub(crate) const MAX_DEPTH: usize = 1_000;

/// Parse a whole JSON file whose top level must be an object.
pub(crate) fn parse_doc(input: &[u8]) -> Result<Doc, StoreError> {
    // Validating once up front lets the scanner slice the input as `&str` anywhere it stops at
    // an ASCII byte, and gives a precise position for the first bad byte.
    if let Err(e) = std::str::from_utf8(input) {
        let (line, col) = line_col(input, e.valid_up_to());
        return Err(StoreError::at("invalid utf-8 in input", line, col));
    }
    let mut p = Parser { s: input, pos: 0 };
    let root = p.document()?;
    Ok(Doc {
        branches: vec![root],
    })
}

/// 1-based line and column (in characters) of byte offset `pos`.
pub(crate) fn line_col(s: &[u8], pos: usize) -> (usize, usize) {
    let pos = pos.min(s.len());
    let before = s.get(..pos).unwrap_or_default();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    // Count characters, not bytes: UTF-8 continuation bytes do not start a character.
    let col = 1 + before
        .get(line_start..)
        .unwrap_or_default()
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count();
    (line, col)
}

/// A container being filled.
enum Frame {
    Obj {
        branch: Branch,
        /// Offset of `{`.
        start: usize,
        /// Key of the member whose value is being parsed: name and where its text starts.
        key: Option<(String, usize)>,
        /// End of the previous member's value; the next member's removable span starts here.
        prev_end: usize,
        /// A member was completed and a `,` or `}` must follow.
        after_value: bool,
    },
    Arr {
        elems: Vec<Elem>,
        start: usize,
        after_value: bool,
    },
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

fn scalar(value: Value, start: usize, end: usize) -> Node {
    Node {
        value,
        src: Some(Src {
            span: Span { start, end },
            style: Style::Plain,
            in_flow: true,
            indent: 0,
            seq_item: false,
        }),
        changed: false,
    }
}

impl Parser<'_> {
    fn err(&self, msg: impl Into<String>, at: usize) -> StoreError {
        let (line, col) = line_col(self.s, at);
        StoreError::at(msg, line, col)
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    /// The character at the cursor, for messages (the input is known to be valid UTF-8).
    fn show(&self) -> String {
        let rest = self.s.get(self.pos..).unwrap_or_default();
        let len = match rest.first() {
            Some(&b) if b >= 0xF0 => 4,
            Some(&b) if b >= 0xE0 => 3,
            Some(&b) if b >= 0xC0 => 2,
            _ => 1,
        };
        match std::str::from_utf8(rest.get(..len).unwrap_or_default())
            .ok()
            .and_then(|s| s.chars().next())
        {
            Some(c) if !c.is_control() => format!("character '{c}'"),
            Some(c) => format!("character U+{:04X}", c as u32),
            None => "end of input".to_owned(),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn document(&mut self) -> Result<Branch, StoreError> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => {}
            None => return Err(self.err("unexpected end of input: expected an object", self.pos)),
            Some(_) => return Err(self.err("top-level value must be an object", self.pos)),
        }
        let mut stack: Vec<Frame> = Vec::new();
        // The value that just finished: either a scalar or a closed container.
        let mut done: Option<(Node, usize)> = None;
        loop {
            if let Some((node, end)) = done.take() {
                match stack.last_mut() {
                    None => {
                        self.skip_ws();
                        if self.pos < self.s.len() {
                            return Err(
                                self.err("unexpected data after top-level object", self.pos)
                            );
                        }
                        return match node.value {
                            Value::Map(b) => Ok(b),
                            _ => Err(self.err("top-level value must be an object", 0)),
                        };
                    }
                    Some(frame) => attach(frame, node, end),
                }
            }
            let Some(frame) = stack.last_mut() else {
                // Only reached before the root object is opened.
                self.open(&mut stack)?;
                continue;
            };
            self.skip_ws();
            match frame {
                Frame::Obj {
                    branch,
                    start,
                    key,
                    after_value,
                    ..
                } => {
                    let c = self.peek();
                    if *after_value {
                        match c {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                if self.peek() != Some(b'"') {
                                    return Err(self.err("expected string key after ','", self.pos));
                                }
                            }
                            Some(b'}') => {
                                let (close, start) = (self.pos, *start);
                                self.pos += 1;
                                let b = std::mem::take(branch);
                                stack.pop();
                                done = Some(close_map(b, start, close));
                                continue;
                            }
                            None => {
                                return Err(self.err("unexpected end of input in object", self.pos))
                            }
                            _ => {
                                return Err(
                                    self.err("expected ',' or '}' after object member", self.pos)
                                )
                            }
                        }
                    } else {
                        match c {
                            Some(b'}') => {
                                let (close, start) = (self.pos, *start);
                                self.pos += 1;
                                let b = std::mem::take(branch);
                                stack.pop();
                                done = Some(close_map(b, start, close));
                                continue;
                            }
                            Some(b'"') => {}
                            None => {
                                return Err(self.err("unexpected end of input in object", self.pos))
                            }
                            _ => return Err(self.err("expected string key or '}'", self.pos)),
                        }
                    }
                    let key_start = self.pos;
                    let (name, _) = self.string()?;
                    // sops-compat: SOPS keeps duplicate keys; so do we, so no lookup here.
                    if branch.items.len() == 1 {
                        // The first member's removable span runs up to the second key, so
                        // cutting it also removes the comma that separated them.
                        if let Some(Item::Pair(k, _)) = branch.items.first_mut() {
                            if let Some(sp) = k.span.as_mut() {
                                sp.end = key_start;
                            }
                        }
                    }
                    *key = Some((name, key_start));
                    self.skip_ws();
                    match self.peek() {
                        Some(b':') => self.pos += 1,
                        None => return Err(self.err("unexpected end of input in object", self.pos)),
                        _ => return Err(self.err("expected ':' after object key", self.pos)),
                    }
                    self.skip_ws();
                }
                Frame::Arr {
                    elems,
                    start,
                    after_value,
                } => {
                    let c = self.peek();
                    let close = if *after_value {
                        match c {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                false
                            }
                            Some(b']') => true,
                            None => {
                                return Err(self.err("unexpected end of input in array", self.pos))
                            }
                            _ => {
                                return Err(
                                    self.err("expected ',' or ']' after array element", self.pos)
                                )
                            }
                        }
                    } else {
                        c == Some(b']')
                    };
                    if close {
                        let (close, start) = (self.pos, *start);
                        self.pos += 1;
                        let elems = std::mem::take(elems);
                        stack.pop();
                        let span = Span {
                            start,
                            end: close + 1,
                        };
                        let node = Node {
                            value: Value::List(elems),
                            src: Some(Src {
                                span,
                                style: Style::Plain,
                                in_flow: true,
                                indent: 0,
                                seq_item: false,
                            }),
                            changed: false,
                        };
                        done = Some((node, close + 1));
                        continue;
                    }
                }
            }
            // A value starts here.
            match self.peek() {
                Some(b'{' | b'[') => self.open(&mut stack)?,
                _ => done = Some(self.scalar_value()?),
            }
        }
    }

    /// Push a frame for the `{` or `[` at the cursor.
    fn open(&mut self, stack: &mut Vec<Frame>) -> Result<(), StoreError> {
        if stack.len() >= MAX_DEPTH {
            return Err(self.err("nesting too deep", self.pos));
        }
        let start = self.pos;
        let frame = match self.peek() {
            Some(b'{') => Frame::Obj {
                branch: Branch::new(),
                start,
                key: None,
                prev_end: start,
                after_value: false,
            },
            _ => Frame::Arr {
                elems: Vec::new(),
                start,
                after_value: false,
            },
        };
        self.pos += 1;
        stack.push(frame);
        Ok(())
    }

    /// A string, number or literal at the cursor; returns the node and the offset after it.
    fn scalar_value(&mut self) -> Result<(Node, usize), StoreError> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'"') => Value::Str(self.string()?.0),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            None => return Err(self.err("unexpected end of input: expected a value", start)),
            Some(_) => {
                return Err(self.err(
                    format!("unexpected {} looking for a value", self.show()),
                    start,
                ))
            }
        };
        Ok((scalar(value, start, self.pos), self.pos))
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, StoreError> {
        let end = self.pos + word.len();
        if self.s.get(self.pos..end) == Some(word.as_bytes()) {
            self.pos = end;
            Ok(v)
        } else {
            Err(self.err("invalid literal", self.pos))
        }
    }

    fn digits(&mut self) -> usize {
        let from = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - from
    }

    fn number(&mut self) -> Result<Value, StoreError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("invalid number: expected a digit", self.pos)),
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            integral = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.err("invalid number: expected a digit after '.'", self.pos));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integral = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("invalid number: expected a digit in the exponent", self.pos));
            }
        }
        let text = std::str::from_utf8(self.s.get(start..self.pos).unwrap_or_default())
            .unwrap_or_default();
        if integral {
            // sops-compat: 3.13.2 reads an integer literal that fits i64 as an int; older
            // versions made every number a float64.
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::Int(i));
            }
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => Err(self.err(format!("number {text} is out of range"), start)),
        }
    }

    /// A string at the cursor (on its `"`): the decoded text and the offset after the closing quote.
    fn string(&mut self) -> Result<(String, usize), StoreError> {
        let open = self.pos;
        self.pos += 1;
        // Most strings (every ENC[] token) have no escapes: the first run then ends at the
        // closing quote and the result is allocated once at its final size.
        let mut out = String::new();
        loop {
            let run = self.pos;
            let tail = self.s.get(run..).unwrap_or_default();
            self.pos += tail
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                .unwrap_or(tail.len());
            // The run stops at an ASCII byte or the end, so it is whole UTF-8 characters.
            let chunk = self.s.get(run..self.pos).unwrap_or_default();
            out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            match self.peek() {
                None => return Err(self.err("unterminated string", open)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok((out, self.pos));
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => return Err(self.err("control character in string", self.pos)),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.pos..self.pos + 4)?;
        let mut v = 0u32;
        for &c in h {
            v = v * 16 + (c as char).to_digit(16)?;
        }
        self.pos += 4;
        Some(v)
    }

    /// One escape sequence at the cursor (on the `\`).
    fn escape(&mut self, out: &mut String) -> Result<(), StoreError> {
        let at = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let hi = self
                    .hex4()
                    .ok_or_else(|| self.err("invalid \\u escape in string", at))?;
                let c = if (0xD800..0xDC00).contains(&hi) {
                    // A high surrogate needs a following \u low surrogate to make one character.
                    let save = self.pos;
                    let lo = if self.s.get(self.pos..self.pos + 2) == Some(b"\\u") {
                        self.pos += 2;
                        self.hex4()
                    } else {
                        None
                    };
                    match lo {
                        Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                        }
                        _ => {
                            // sops-compat: Go decodes a lone surrogate as U+FFFD and keeps
                            // whatever follows.
                            self.pos = save;
                            None
                        }
                    }
                } else {
                    char::from_u32(hi)
                };
                out.push(c.unwrap_or('\u{FFFD}'));
                return Ok(());
            }
            _ => return Err(self.err("invalid escape sequence in string", at)),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }
}

/// Finish an object: its node, and the offset after the `}`.
fn close_map(mut b: Branch, start: usize, close: usize) -> (Node, usize) {
    b.end = Some(close);
    let node = Node {
        value: Value::Map(b),
        src: Some(Src {
            span: Span {
                start,
                end: close + 1,
            },
            style: Style::Plain,
            in_flow: true,
            indent: 0,
            seq_item: false,
        }),
        changed: false,
    };
    (node, close + 1)
}

/// Add a finished value to its container.
fn attach(frame: &mut Frame, node: Node, end: usize) {
    match frame {
        Frame::Obj {
            branch,
            key,
            prev_end,
            after_value,
            ..
        } => {
            let (name, key_start) = key.take().unwrap_or_default();
            // First member: from its key (extended to the next key later). Others: from the
            // end of the previous value, so the cut takes the separating comma with it.
            let from = if branch.items.is_empty() {
                key_start
            } else {
                *prev_end
            };
            let span = Span { start: from, end };
            branch.items.push(Item::Pair(
                Key {
                    name,
                    is_string: true,
                    span: Some(span),
                },
                node,
            ));
            *prev_end = end;
            *after_value = true;
        }
        Frame::Arr {
            elems, after_value, ..
        } => {
            elems.push(Elem::Value(node));
            *after_value = true;
        }
    }
}
