//! YAML → [`Doc`], keeping where every scalar and comment came from.
//!
//! saphyr-parser supplies events with spans but no comments, so comments are scanned from the
//! gaps between events and placed as yaml.v3/SOPS 3.11 would place them (spec §1.2): by
//! indentation into the innermost open collection, a line comment (`k: v # c`) before the item
//! it sits on, other comments after the item they follow.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle};

mod aliases;
mod comments;

use super::resolve::resolve;
use crate::store::StoreError;
use crate::tree::{Branch, Comment, Doc, Elem, Item, Key, Node, Span, Src, Style, Value};

/// Deepest nesting accepted; deeper input is rejected instead of exhausting the stack later.
const MAX_DEPTH: usize = 1000;

/// Converts saphyr's char indices to byte offsets.
struct Offsets {
    map: Option<Vec<u32>>,
    len: usize,
}

impl Offsets {
    fn new(src: &str) -> Self {
        if is_ascii(src) {
            return Offsets {
                map: None,
                len: src.len(),
            };
        }
        let mut map: Vec<u32> = src.char_indices().map(|(i, _)| i as u32).collect();
        map.push(src.len() as u32);
        Offsets {
            map: Some(map),
            len: src.len(),
        }
    }

    fn byte(&self, ci: usize) -> usize {
        match &self.map {
            None => ci.min(self.len),
            Some(m) => m.get(ci).map(|&b| b as usize).unwrap_or(self.len),
        }
    }
}

/// Whether `s` is all ASCII. (`str::is_ascii` is inlined into this crate, unoptimized in debug
/// builds, where it made a 200 MB input take seconds; counting chars runs libcore's own
/// optimized code.)
pub(super) fn is_ascii(s: &str) -> bool {
    s.chars().count() == s.len()
}

enum Kind {
    Map {
        branch: Branch,
        key: Option<(Key, usize)>,
        seen: HashSet<String>,
    },
    List(Vec<Elem>),
}

struct Frame {
    kind: Kind,
    /// Column of the collection's children (where its start event is).
    col: usize,
    flow: bool,
    /// 0-based line where the collection starts.
    start_line: usize,
    anchor: usize,
    /// The node count when the collection started (for its anchor's size).
    decoded_at: usize,
    /// Line of the item being built, if any.
    item_line: Option<usize>,
    /// Line of the last completed item.
    last_line: Option<usize>,
    /// Comments that go after the item being built.
    after: Vec<Comment>,
    /// Column of the dashes of a block sequence (`col` is that of its first item's content).
    dash: Option<usize>,
    /// The last completed entry's value is a block collection (yaml.v3 ends it with a
    /// block-end token, which a scalar or flow value has not).
    last_block: bool,
}

struct Builder<'a> {
    src: &'a str,
    off: Offsets,
    line_starts: Vec<usize>,
    /// Index into `line_starts` of the line last looked up: positions are asked for in mostly
    /// increasing order, so the answer is usually this line or the next.
    last_line: Cell<usize>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    /// yaml.v3's limit on alias expansion.
    budget: aliases::Budget,
    cursor: usize,
    pending: Vec<(Comment, usize, usize)>,
    /// Comments before the dash of an empty last list item (`#c\n-\nk: 1`): yaml.v3's empty
    /// node takes no comment, so they wait for the next node, after the collection's end.
    carry: Vec<(Comment, usize, usize)>,
    root: Option<Node>,
    head: Vec<Comment>,
    tail: Vec<Comment>,
    docs: Vec<Branch>,
    /// Set by a block scalar: where scanning for comments resumes.
    block_end: Option<usize>,
    /// Comments are being placed because the top collection ends.
    closing: bool,
    /// Comments being placed all belong to the top collection.
    force_top: bool,
    /// With `closing`: the column of the token after the collection.
    next_col: usize,
    /// The value being delivered is a block collection (see `Frame::last_block`).
    delivering_block: bool,
    /// With `closing`: that token is a sequence entry's dash.
    next_is_dash: bool,
    /// (When closing) the next token ends the document (end of file, `---` or `...`).
    next_is_end: bool,
}

/// The first character YAML does not allow in a stream (C0 controls but tab, LF and CR; DEL;
/// C1 controls but NEL; U+FFFE/U+FFFF), with its byte offset. yaml.v3 (and so SOPS) rejects
/// them ("control characters are not allowed").
fn forbidden_char(src: &str) -> Option<(usize, char)> {
    src.char_indices().find(|&(_, c)| {
        matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}' | '\u{80}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}')
    })
}

pub use super::compat::parse;

thread_local! {
    /// Set while parsing a piece that another piece follows: its end is not the document's.
    static GOES_ON: Cell<bool> = const { Cell::new(false) };
}

/// Run `f` (a parse) with the end of the text taken as the end of the document or not.
pub(super) fn with_document_going_on<T>(goes_on: bool, f: impl FnOnce() -> T) -> T {
    let before = GOES_ON.with(|g| g.replace(goes_on));
    let out = f();
    GOES_ON.with(|g| g.set(before));
    out
}

/// Parse `src` with saphyr as it is (see [`super::compat`] for the copies that make it read
/// what go-yaml reads).
pub(super) fn parse_strict(src: &str) -> Result<Doc, StoreError> {
    let mut line_starts = vec![0];
    line_starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
    let mut b = Builder {
        src,
        off: Offsets::new(src),
        line_starts,
        last_line: Cell::new(0),
        stack: Vec::new(),
        anchors: HashMap::new(),
        budget: aliases::Budget::default(),
        cursor: 0,
        pending: Vec::new(),
        carry: Vec::new(),
        root: None,
        head: Vec::new(),
        tail: Vec::new(),
        docs: Vec::new(),
        block_end: None,
        closing: false,
        force_top: false,
        next_col: 0,
        delivering_block: false,
        next_is_dash: false,
        next_is_end: false,
    };
    let mut parser = Parser::new_from_str(src);
    loop {
        let (ev, span) = match parser.next_event() {
            None => break,
            Some(Ok(x)) => x,
            Some(Err(e)) => {
                let m = e.marker();
                let mut msg = e.info().to_owned();
                // The parser notices an unclosed `[`/`{` only later; name where it was opened.
                if let Some(f) = b.stack.iter().rev().find(|f| f.flow) {
                    msg.push_str(&format!(
                        " (inside the flow collection opened at line {})",
                        f.start_line + 1
                    ));
                }
                return Err(StoreError::at(msg, m.line().max(1), m.col() + 1));
            }
        };
        let mut start = b.off.byte(span.start.index());
        // saphyr ends a flow map with a trailing comma (`{\n  a: 1,\n}`) at the comma: the
        // end is the closing bracket (comments before it are the collection's).
        if matches!(ev, Event::MappingEnd | Event::SequenceEnd)
            && src.as_bytes().get(start) == Some(&b',')
        {
            start = closing_bracket(src.as_bytes(), start).unwrap_or(start);
        }
        let mut end = b.off.byte(span.end.index()).max(start);
        // saphyr's span of a quoted scalar runs on over trailing blanks and a line comment;
        // end it at the closing quote so the comment is seen (and kept).
        if let Event::Scalar(_, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted, ..) = &ev {
            if let Some(e) = quoted_end(src.as_bytes(), start) {
                end = e;
            }
        }
        // Likewise the end of a flow collection (`] # comment`).
        if matches!(ev, Event::SequenceEnd | Event::MappingEnd)
            && matches!(src.as_bytes().get(start), Some(b']' | b'}'))
        {
            end = start + 1;
        }
        b.scan_comments(start);
        if matches!(ev, Event::StreamEnd) {
            b.scan_comments(src.len());
            b.flush();
            break;
        }
        b.event(ev, start, end)?;
        // A block scalar's own scan says where it ends (saphyr's span may stop short or run on).
        b.cursor = b.cursor.max(b.block_end.take().unwrap_or(end));
    }
    // Checked after parsing (a file that fails earlier reports that error without a second
    // full scan of a possibly huge input).
    if let Some((at, c)) = forbidden_char(src) {
        let line = src[..at].matches('\n').count() + 1;
        let col = src[..at]
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        return Err(StoreError::at(format!("control characters are not allowed (U+{:04X}); remove it or quote the value with an escape", c as u32), line, col));
    }
    if b.docs.is_empty() && src.trim() != "" {
        return Err(StoreError::input(
            "no YAML document found (the file holds only comments)",
        ));
    }
    Ok(Doc { branches: b.docs })
}

impl Builder<'_> {
    /// The line (index into `line_starts`) holding byte `off`: the last line that starts at or
    /// before it.
    fn line_of(&self, off: usize) -> usize {
        let starts = &self.line_starts;
        let hint = self.last_line.get();
        let within = |l: usize| {
            starts.get(l).is_some_and(|&s| s <= off)
                && starts.get(l + 1).is_none_or(|&next| next > off)
        };
        let line = if within(hint) {
            hint
        } else if within(hint + 1) {
            hint + 1
        } else {
            starts.partition_point(|&s| s <= off).saturating_sub(1)
        };
        self.last_line.set(line);
        line
    }

    fn line_col(&self, off: usize) -> (usize, usize) {
        let line = self.line_of(off);
        let ls = self.line_starts[line];
        let col = match self.src.get(ls..off) {
            // All-ASCII source (no char map): characters are bytes, no need to count them.
            Some(_) if self.off.map.is_none() => off - ls,
            Some(s) => s.chars().count(),
            None => 0,
        };
        (line, col)
    }

    fn err(&self, msg: impl Into<String>, off: usize) -> StoreError {
        let (l, c) = self.line_col(off);
        StoreError::at(msg, l + 1, c + 1)
    }

    fn event(&mut self, ev: Event, start: usize, end: usize) -> Result<(), StoreError> {
        match ev {
            Event::StreamStart | Event::Nothing | Event::StreamEnd => {}
            Event::DocumentStart(_) => {
                self.flush();
                self.root = None;
            }
            Event::DocumentEnd => {
                self.flush();
                self.finish_document(start)?;
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.err("nesting too deep", start));
                }
                let is_map = matches!(ev, Event::MappingStart(..));
                self.begin_item(start);
                let (start_line, col) = self.line_col(start);
                // saphyr starts a block sequence whose first item is a flow collection
                // (`key:\n- [x]`) at that item's bracket: after a dash, where a map (or nothing)
                // holds it, a bracket starts the block sequence, then (again) the flow one.
                let bracket = matches!(self.src.as_bytes().get(start), Some(b'{' | b'['));
                let after_dash = {
                    let b = self.src.as_bytes();
                    let mut i = start;
                    while i > 0 && matches!(b[i - 1], b' ' | b'\t') {
                        i -= 1;
                    }
                    i > 0 && b[i - 1] == b'-'
                };
                let in_block_map = match self.stack.last() {
                    None => true,
                    Some(f) => !f.flow && matches!(f.kind, Kind::Map { .. }),
                };
                let flow = bracket && !(!is_map && after_dash && in_block_map);
                // A comment on the line of the key that owns this collection (`key: # c`
                // above a nested block) belongs to the outer map, before the pair, as
                // yaml.v3 attaches it to the key (SOPS encrypts it by the outer path).
                // Comments between that line and the collection's first entry are the
                // collection's (yaml.v3 makes them the first entry's head comment), whatever
                // their column.
                let mut into_new = false;
                if let Some(key_line) = self.stack.last().and_then(|f| f.item_line) {
                    // (saphyr may start an indentless sequence on the key's line.)
                    if key_line < self.content_line_from(start) && !flow {
                        into_new = true;
                        // After an anchor or tag (`key: &a # c`, `key: !!map # c`) the comment
                        // is the collection's, as yaml.v3 attaches it to the collection node.
                        let after_property = |c: &Comment, line: usize| {
                            let ls = self.line_starts[line];
                            c.src
                                .and_then(|s| self.src.get(ls..s.start))
                                .and_then(|t| t.split_whitespace().last())
                                .is_some_and(|t| t.starts_with(['&', '!']))
                        };
                        let (now, later): (Vec<_>, Vec<_>) =
                            std::mem::take(&mut self.pending).into_iter().partition(
                                |(c, line, _)| *line <= key_line && !after_property(c, *line),
                            );
                        self.pending = now;
                        self.flush();
                        self.pending = later;
                    }
                }
                let kind = if is_map {
                    Kind::Map {
                        branch: Branch::new(),
                        key: None,
                        seen: HashSet::new(),
                    }
                } else {
                    Kind::List(Vec::new())
                };
                let dash = (!is_map && !flow)
                    .then(|| {
                        let b = self.src.as_bytes();
                        let mut i = start;
                        while i > 0 && b[i - 1] == b' ' {
                            i -= 1;
                        }
                        (i > 0 && b[i - 1] == b'-').then(|| self.line_col(i - 1).1)
                    })
                    .flatten();
                self.stack.push(Frame {
                    dash,
                    kind,
                    col,
                    flow,
                    start_line,
                    anchor,
                    decoded_at: self.budget.mark(),
                    item_line: None,
                    last_line: None,
                    after: Vec::new(),
                    last_block: false,
                });
                // The line comment of an empty first item (`k:\n- # c\nj: 1`) is not the
                // list's yet: it waits for that item, whose placement decides (yaml.v3's empty
                // node takes no comment: with nothing after it in the list, the next key does).
                let mut held = Vec::new();
                if !is_map && !flow {
                    self.carry_before_empty_list(start);
                    if let Some(d) = list_dash(self.src, start) {
                        let rest = self.src[d + 1..].split('\n').next().unwrap_or("");
                        if rest.trim_start_matches([' ', '\t']).starts_with('#') {
                            let (after, before): (Vec<_>, Vec<_>) =
                                std::mem::take(&mut self.pending)
                                    .into_iter()
                                    .partition(|(c, _, _)| c.src.is_some_and(|s| s.start > d));
                            self.pending = before;
                            held = after;
                        }
                    }
                }
                self.force_top = into_new;
                self.flush();
                self.force_top = false;
                self.pending.extend(held);
            }
            Event::MappingEnd | Event::SequenceEnd => {
                // Comments from the first one at the dash column of an enclosing block
                // sequence on wait for what follows (yaml.v3 reads the run as one): another
                // item keeps them in the sequence, its end hands them up.
                let held = match self.stack.len().checked_sub(2).map(|i| &self.stack[i]) {
                    Some(Frame { dash: Some(d), .. }) => {
                        let d = *d;
                        match self.pending.iter().position(|(_, _, col)| *col <= d) {
                            Some(i) => self.pending.split_off(i),
                            None => Vec::new(),
                        }
                    }
                    _ => Vec::new(),
                };
                self.next_col = if start < self.src.len() {
                    self.line_col(start).1
                } else {
                    0
                };
                // (The next token is another entry of a sequence written at that column.)
                self.next_is_dash = self.src.as_bytes().get(start) == Some(&b'-');
                self.next_is_end = self.src.get(start..).is_none_or(|r| {
                    (r.is_empty() && !GOES_ON.with(Cell::get))
                        || r.starts_with("---")
                        || r.starts_with("...")
                });
                self.closing = true;
                self.flush();
                self.closing = false;
                self.pending = held;
                let Some(mut f) = self.stack.pop() else {
                    return Err(self.err("unbalanced collection end", start));
                };
                let pending = std::mem::take(&mut f.after);
                for c in pending {
                    f.push_comment(c, false);
                }
                // A comment right after a flow collection's closing bracket (`a: [x] # c`) is
                // the collection's last comment, as yaml.v3 and SOPS place it (path `a:`).
                if f.flow {
                    if let Some(c) = self.comment_after(start + 1) {
                        self.cursor = self.cursor.max(c.src.map_or(start + 1, |s| s.end));
                        f.push_comment(c, false);
                    }
                }
                let value = match f.kind {
                    Kind::Map { mut branch, .. } => {
                        let end_at = if f.flow {
                            self.empty_flow_document(&mut branch, start)
                        } else if start >= self.src.len() {
                            // At the end of a file without a final line break the map ends
                            // there, not at the start of its last line (new items go after it).
                            Some(self.src.len())
                        } else {
                            Some(self.line_floor(start))
                        };
                        close_item_spans(&mut branch, end_at.unwrap_or(end), self.src);
                        branch.end = end_at;
                        Value::Map(branch)
                    }
                    Kind::List(l) => Value::List(l),
                };
                let node = Node {
                    value,
                    src: None,
                    changed: false,
                };
                self.budget.node();
                if f.anchor != 0 {
                    let size = self.budget.mark() - f.decoded_at;
                    self.budget.anchor(f.anchor, size);
                    self.anchors.insert(f.anchor, node.clone());
                }
                self.delivering_block = !f.flow;
                self.deliver(node, start)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.flush_scalar(
                    start,
                    end,
                    &text,
                    style,
                    anchor,
                    tag.as_deref().map(|t| format!("{}{}", t.handle, t.suffix)),
                )?;
            }
            Event::Alias(id) => {
                self.flush();
                self.begin_item(start);
                if !self.anchors.contains_key(&id) {
                    return Err(self.err("unknown alias", start));
                }
                if self.budget.alias(id).is_err() {
                    return Err(self.err(
                        "document contains excessive aliasing (nested aliases would expand \
                         to too many values, as SOPS refuses too)",
                        start,
                    ));
                }
                let Some(orig) = self.anchors.get(&id) else {
                    return Err(self.err("unknown alias", start));
                };
                let mut node = orig.clone();
                // The copy is written where the alias stands; a collection copy has no text
                // of its own there, so the store regenerates it.
                strip_src(&mut node.value);
                let (indent, seq_item) = self.owner(start);
                let in_flow = self.stack.last().map(|f| f.flow).unwrap_or(false);
                node.src = Some(Src {
                    span: Span { start, end },
                    style: Style::Plain,
                    in_flow,
                    indent,
                    seq_item,
                });
                node.changed = !node.value.is_scalar();
                self.deliver(node, start)?;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn flush_scalar(
        &mut self,
        start: usize,
        end: usize,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<String>,
    ) -> Result<(), StoreError> {
        let bytes = self.src.as_bytes();
        let style = match style {
            ScalarStyle::SingleQuoted => Style::SingleQuoted,
            ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
            ScalarStyle::Literal => Style::Literal,
            ScalarStyle::Folded => Style::Folded,
            _ => Style::Plain,
        };
        let mut rstart = start;
        let mut rend = end;
        let mut block_value = None;
        if matches!(style, Style::Literal | Style::Folded) {
            // The span starts at the content; the replacement starts at the `|`/`>` header.
            let mut i = start;
            while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r') {
                i -= 1;
            }
            // Skip a header comment, if any, back to the indicator.
            let ls = self.line_floor(i.saturating_sub(1));
            let line = &self.src[ls..i];
            let code = line
                .match_indices('#')
                .find(|&(k, _)| k > 0 && matches!(line.as_bytes()[k - 1], b' ' | b'\t'))
                .map_or(line, |(k, _)| &line[..k]);
            if let Some(h) = code.rfind(['|', '>']) {
                rstart = ls + h;
            }
            // Where the scalar ends and what it holds, as go-yaml reads it.
            let (parent, _) = self.owner(rstart);
            let block = super::block::scan(self.src, rstart, Some(parent))
                .ok_or_else(|| self.err("cannot read this block scalar", rstart))?;
            rend = block.end;
            // Text inside the block is content; a comment on the header line is a comment
            // (of the pair, before it, as yaml.v3 and SOPS place it).
            let header_end = self.src[rstart..]
                .find('\n')
                .map_or(self.src.len(), |n| rstart + n);
            // (saphyr's span of an empty block may start before the header's comment.)
            self.scan_comments(header_end);
            self.pending.retain(|(c, _, _)| {
                c.src
                    .map(|s| s.start < header_end || s.start >= block.next_line)
                    .unwrap_or(true)
            });
            self.block_end = Some(block.next_line.max(block.end));
            block_value = Some(block.value);
        }
        let text = block_value.as_deref().unwrap_or(text);
        if tag.is_some() {
            // Include an explicit tag (`!!binary …`) in the replacement.
            let mut i = rstart;
            while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
                i -= 1;
            }
            let mut j = i;
            while j > 0
                && !matches!(
                    bytes[j - 1],
                    b' ' | b'\t' | b'\n' | b'\r' | b',' | b'[' | b'{'
                )
            {
                j -= 1;
            }
            if bytes.get(j) == Some(&b'!') {
                rstart = j;
            }
        }
        // The comments after an empty value (`k: # c`, `- # c`) that ends its block
        // collection wait for the collection's end, where yaml.v3's placement at a collection
        // end applies to them.
        // (saphyr gives an empty value the text `~` and no extent.)
        let empty =
            matches!(text, "" | "~") && style == Style::Plain && tag.is_none() && rstart == rend;
        // (An empty block list item starts at its dash: what is pending came before it.)
        let empty_item =
            empty && bytes.get(start) == Some(&b'-') && !self.stack.last().is_some_and(|f| f.flow);
        let waiting = !self.pending.is_empty()
            && if empty_item {
                self.list_ends_after(start)
            } else {
                empty && self.collection_ends_after(start)
            };
        if waiting && empty_item {
            self.carry = std::mem::take(&mut self.pending);
        } else if !waiting {
            self.flush();
        }
        self.begin_item(rstart);
        let fixed = match style {
            Style::DoubleQuoted => {
                let raw = &self.src[start..end.min(self.src.len())];
                super::compat::double_quoted(raw, start, text)
                    .map_err(|k| self.err("found unknown escape character", start + k))?
            }
            Style::SingleQuoted => super::compat::single_quoted_separators(text),
            _ => None,
        };
        let text = fixed.as_deref().unwrap_or(text);
        let value =
            resolve(text, style == Style::Plain, tag.as_deref()).map_err(|m| self.err(m, start))?;
        let (indent, seq_item) = self.owner(rstart);
        let in_flow = self.stack.last().map(|f| f.flow).unwrap_or(false);
        let node = Node {
            value,
            src: Some(Src {
                span: Span {
                    start: rstart,
                    end: rend,
                },
                style,
                in_flow,
                indent,
                seq_item,
            }),
            changed: false,
        };
        self.budget.node();
        if anchor != 0 {
            self.budget.anchor(anchor, 1);
            self.anchors.insert(anchor, node.clone());
        }
        let is_key = matches!(
            self.stack.last(),
            Some(Frame {
                kind: Kind::Map { key: None, .. },
                ..
            })
        );
        if is_key {
            return self.key(text, node, rstart);
        }
        self.deliver(node, rstart)
    }

    /// Start of the line holding `off`.
    fn line_floor(&self, off: usize) -> usize {
        let (line, _) = self.line_col(off);
        self.line_starts[line]
    }

    /// Column of the key or dash that owns a value starting at `at`.
    fn owner(&self, at: usize) -> (usize, bool) {
        match self.stack.last() {
            Some(Frame {
                kind: Kind::Map {
                    key: Some((k, _)), ..
                },
                ..
            }) => {
                let ks = k.span.map(|s| s.start).unwrap_or(at);
                let key_at = self.src[ks..at]
                    .find(|c: char| !c.is_whitespace())
                    .map(|n| ks + n)
                    .unwrap_or(ks);
                (self.line_col(key_at).1, false)
            }
            Some(Frame {
                kind: Kind::List(_),
                ..
            }) => {
                let b = self.src.as_bytes();
                let mut i = at;
                while i > 0 && b[i - 1] == b' ' {
                    i -= 1;
                }
                if i > 0 && b[i - 1] == b'-' {
                    (self.line_col(i - 1).1, true)
                } else {
                    (self.line_col(at).1, true)
                }
            }
            // A key (`? |` block key): owned by the map itself.
            Some(Frame {
                kind: Kind::Map { key: None, .. },
                col,
                ..
            }) => (*col, false),
            _ => (self.line_col(at).1, false),
        }
    }

    /// A new item begins at `at` in the top frame (a list element or a map value).
    fn begin_item(&mut self, at: usize) {
        let (line, _) = self.line_col(at);
        if let Some(f) = self.stack.last_mut() {
            if f.item_line.is_none() {
                f.item_line = Some(line);
            }
        }
    }

    fn key(&mut self, text: &str, node: Node, at: usize) -> Result<(), StoreError> {
        let is_string = matches!(node.value, Value::Str(_));
        let ls = self.line_floor(at);
        let item_start = if self.src[ls..at].trim().is_empty() {
            ls
        } else {
            at
        };
        let dup = {
            let Some(Frame {
                kind: Kind::Map { seen, .. },
                ..
            }) = self.stack.last_mut()
            else {
                return Err(self.err("internal: key outside a mapping", at));
            };
            !seen.insert(text.to_owned())
        };
        if dup {
            return Err(self.err(format!("mapping key {text:?} already defined"), at));
        }
        let (line, _) = self.line_col(at);
        if let Some(Frame {
            kind: Kind::Map { key, .. },
            item_line,
            ..
        }) = self.stack.last_mut()
        {
            *key = Some((
                Key {
                    name: text.to_owned(),
                    is_string,
                    span: Some(Span {
                        start: item_start,
                        end: item_start,
                    }),
                },
                line,
            ));
            *item_line = Some(line);
        }
        Ok(())
    }

    /// Hand a finished value to its parent.
    fn deliver(&mut self, node: Node, at: usize) -> Result<(), StoreError> {
        let block = std::mem::take(&mut self.delivering_block);
        let Some(f) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut f.kind {
            Kind::Map { key: None, .. } => {
                return Err(self.err("mapping keys must be scalars", at));
            }
            Kind::Map { branch, key, .. } => {
                if let Some((k, line)) = key.take() {
                    branch.items.push(Item::Pair(k, node));
                    f.last_line = Some(line);
                }
            }
            Kind::List(l) => {
                l.push(Elem::Value(node));
                f.last_line = f.item_line;
            }
        }
        f.item_line = None;
        f.last_block = block;
        for c in std::mem::take(&mut f.after) {
            f.push_comment(c, false);
        }
        Ok(())
    }

    /// A document that is only an empty flow map (`{}`, blanks inside) takes new entries in
    /// its place, as SOPS writes such a document once encrypted (`sops:` alone): the brackets
    /// are marked removed and the map ends where they start. `None` for any other flow map
    /// (new entries cannot be spliced into it: canonical layout).
    fn empty_flow_document(&self, branch: &mut Branch, close: usize) -> Option<usize> {
        if !self.stack.is_empty()
            || !branch.items.is_empty()
            || self.src.as_bytes().get(close) != Some(&b'}')
        {
            return None;
        }
        let before = self.src.get(..close)?;
        let open = before
            .trim_end_matches([' ', '\t', '\r', '\n'])
            .len()
            .checked_sub(1)?;
        if self.src.as_bytes().get(open) != Some(&b'{') {
            return None;
        }
        // (With the rest of its line when that is blank: the entries written end with a line
        // break of their own.)
        let rest = self.src.get(close + 1..).unwrap_or("");
        let blank = rest.len() - rest.trim_start_matches([' ', '\t', '\r']).len();
        let end = match rest.as_bytes().get(blank) {
            Some(b'\n') => close + 1 + blank + 1,
            _ => close + 1,
        };
        branch.removed.push(Span { start: open, end });
        Some(open)
    }

    fn finish_document(&mut self, at: usize) -> Result<(), StoreError> {
        let root = self.root.take();
        // An empty document (nothing, or only comments: an implicit null with no text of its
        // own) takes new items at its end, after its comments, so the sops metadata of a
        // comment-only document in a stream can be spliced in.
        // (saphyr gives such a null the span of the marker that ends the document.)
        let implicit_null = root.as_ref().is_none_or(|n| {
            matches!(n.value, Value::Null)
                && n.src.is_none_or(|s| {
                    let text = self.src.get(s.span.start..s.span.end).unwrap_or("");
                    text.is_empty() || text.starts_with("---") || text.starts_with("...")
                })
        });
        let doc_end = if at >= self.src.len() {
            self.src.len()
        } else {
            self.line_floor(at)
        };
        let mut branch = match root.map(|n| n.value) {
            None | Some(Value::Null) if implicit_null => Branch {
                end: Some(doc_end),
                ..Branch::new()
            },
            None | Some(Value::Null) => Branch::new(),
            Some(Value::Map(b)) => b,
            Some(Value::List(_)) => {
                return Err(self.err(
                    "cannot unmarshal !!seq into map: the top level must be a mapping",
                    at,
                ))
            }
            Some(_) => {
                return Err(self.err(
                    "cannot unmarshal a scalar into map: the top level must be a mapping",
                    at,
                ))
            }
        };
        let head = std::mem::take(&mut self.head);
        let tail = std::mem::take(&mut self.tail);
        let n = head.len();
        branch
            .items
            .splice(0..0, head.into_iter().map(Item::Comment));
        debug_assert!(branch.items.len() >= n);
        branch.items.extend(tail.into_iter().map(Item::Comment));
        self.docs.push(branch);
        Ok(())
    }
}

/// The `]` or `}` after the trailing comma at `at`, over blanks, line breaks and comments.
fn closing_bracket(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                while b.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b']' | b'}' => return Some(i),
            _ => return None,
        }
    }
    None
}

/// One past the closing quote of the quoted scalar starting at `start` (`'…'` with `''`
/// escapes, `"…"` with backslash escapes).
fn quoted_end(b: &[u8], start: usize) -> Option<usize> {
    let q = *b.get(start)?;
    let mut i = start + 1;
    while i < b.len() {
        match (q, b[i]) {
            (b'"', b'\\') => i += 2,
            (b'"', b'"') => return Some(i + 1),
            (b'\'', b'\'') if b.get(i + 1) == Some(&b'\'') => i += 2,
            (b'\'', b'\'') => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Each pair's removable range runs from its own line to the next pair's line (or the map end).
/// A comment on a line of its own after the last pair (with the blank lines before it) stops
/// that pair's range, so removing the pair (the sops metadata on decrypt, `unset`) keeps the
/// comments after it.
fn close_item_spans(b: &mut Branch, end: usize, src: &str) {
    let mut next = end;
    for item in b.items.iter_mut().rev() {
        match item {
            Item::Pair(k, _) => {
                if let Some(s) = &mut k.span {
                    s.end = next.max(s.start);
                    next = s.start;
                }
            }
            Item::Comment(c) => {
                if let Some(s) = c.src {
                    let ls = src[..s.start.min(src.len())]
                        .rfind('\n')
                        .map_or(0, |i| i + 1);
                    if src[ls..s.start].trim().is_empty() {
                        // The blank lines before it too.
                        next = next.min(super::blank_run_start(src, ls));
                    }
                }
            }
        }
    }
}

fn strip_src(v: &mut Value) {
    match v {
        Value::Map(b) => {
            b.end = None;
            for i in &mut b.items {
                match i {
                    Item::Pair(k, n) => {
                        k.span = None;
                        n.src = None;
                        strip_src(&mut n.value);
                    }
                    Item::Comment(c) => c.src = None,
                }
            }
        }
        Value::List(l) => {
            for e in l {
                match e {
                    Elem::Value(n) => {
                        n.src = None;
                        strip_src(&mut n.value);
                    }
                    Elem::Comment(c) => c.src = None,
                }
            }
        }
        _ => {}
    }
}

/// The offset of the dash that starts the block list whose start event is at `start`: the
/// first character after blanks, line breaks and comments, or (saphyr starts a list whose
/// first item is empty after that item's line comment: `- # c`) the dash that begins the line
/// holding `start`.
fn list_dash(src: &str, start: usize) -> Option<usize> {
    let b = src.as_bytes();
    let ls = src.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    let indent = src[ls..].len() - src[ls..].trim_start_matches(' ').len();
    if ls + indent < start && b.get(ls + indent) == Some(&b'-') {
        return Some(ls + indent);
    }
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => i += src[i..].find('\n')?,
            b'-' => return Some(i),
            _ => return None,
        }
    }
    None
}
