//! Where comments go: scanning them between events and placing each into the collection that
//! yaml.v3 (and so SOPS, which encrypts a comment with the path of the collection that holds
//! it) attaches it to. The rules, with the shapes that show them, are in docs/format.md;
//! `scripts/dev/compare_comment_aads.sh` checks a list of shapes against sops.

use super::{Builder, Frame, Kind};
use crate::tree::{Comment, Elem, Item, Span};

impl Builder<'_> {
    /// Find comments in the text between the last event and `upto`.
    pub(super) fn scan_comments(&mut self, upto: usize) {
        let bytes = self.src.as_bytes();
        let mut i = self.cursor;
        while i < upto.min(bytes.len()) {
            if bytes[i] == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r'))
            {
                let eol = self.src[i..]
                    .find('\n')
                    .map(|n| i + n)
                    .unwrap_or(bytes.len());
                let text_end = if eol > i + 1 && bytes[eol - 1] == b'\r' {
                    eol - 1
                } else {
                    eol
                };
                let (line, col) = self.line_col(i);
                let c = Comment {
                    text: self.src[i + 1..text_end].to_owned(),
                    src: Some(Span {
                        start: i,
                        end: text_end,
                    }),
                    changed: false,
                    as_elem: false,
                };
                self.pending.push((c, line, col));
                i = eol;
            } else {
                i += 1;
            }
        }
        self.cursor = self.cursor.max(upto);
    }

    /// Place every scanned comment into the tree.
    pub(super) fn flush(&mut self) {
        // While a collection goes on, a comment is the head comment of its next entry,
        // whatever its column. When a collection ends (`closing`, the next token at column
        // `next_col`), as yaml.v3 places them:
        // - a run that runs into the next token with no blank line is the innermost
        //   collection's when its first own-line comment comes right after the content (a
        //   line comment may come between) less indented than the next token, or when it is
        //   indented past the next token; but an indentless sequence (`k:\n- x`) whose last
        //   item is no block collection ends without a token in yaml.v3, and such a run after
        //   it goes with the next token;
        // - a run a blank line (or the end of the document) ends: comments indented past the
        //   next token are foot comments of the innermost collection that starts at or left
        //   of their column (`# c` at column 4 under `- x:\n      y: 1` is the list item's,
        //   not `x`'s); from the first one that is not, and after the blank line, they are
        //   the next token's head comments, in the collection that token belongs to;
        // - comments after a blank line are all the innermost collection's, or at the end of
        //   the document the document's;
        // - a comment line that ends with CR LF counts as followed by a blank line;
        // - after the dash of an empty last list item (`- # c`) they go with the next token.
        if self.closing && !self.carry.is_empty() {
            // Comments before the dash of an empty last item: the next token's head comments.
            for (c, line, _) in std::mem::take(&mut self.carry) {
                let idx = self.head_frame();
                place(&mut self.stack[idx], c, line);
            }
        }
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let closing = self.closing && !self.force_top;
        let first_on_line = |c: &Comment, line: usize| {
            c.src
                .and_then(|s| self.src.get(self.line_starts[line]..s.start))
                .unwrap_or("")
        };
        let own_line = |c: &Comment, line: usize| first_on_line(c, line).trim().is_empty();
        let (first, first_line) = (&pending[0].0, pending[0].1);
        let before_first = first_on_line(first, first_line);
        let blank_before = before_first.trim().is_empty()
            && first_line > 0
            && (self.line_is_blank(first_line - 1) || self.crlf_comment_line(first_line - 1));
        let run_ends_blank = self.next_is_end
            || pending.windows(2).any(|w| self.gap(w[0].1, w[1].1))
            || pending.last().is_some_and(|&(_, l, _)| {
                self.crlf_comment_line(l)
                    || (l + 1 < self.line_starts.len() && self.line_is_blank(l + 1))
            });
        // The run's own-line comments, (line, column) (a line comment after the content goes
        // first, and is not one of them).
        let own: Vec<(usize, usize)> = pending
            .iter()
            .filter(|(c, l, _)| own_line(c, *l))
            .map(|&(_, l, col)| (l, col))
            .collect();
        // (yaml.v3 reads a run after a blank line as one comment, placed by its first line's
        // column: at the next token's column the whole run goes with that token; a run that
        // is cut (see `cut`) is not read as one.)
        let whole_run_to_top = closing
            && blank_before
            && !self.next_is_end
            && own.first().is_some_and(|&(_, col)| col != self.next_col);
        let low_run = closing
            && !blank_before
            && !run_ends_blank
            && own.first().is_some_and(|&(l, col)| {
                col < self.next_col && (l == first_line || !self.line_is_blank(l - 1))
            });
        // An indentless block sequence (`k:\n- x` at the key's column) whose last item is no
        // block collection ends with no token at all in yaml.v3: what would be its foot goes
        // with the next token.
        let top_indentless = self.stack.len() > 1 && {
            let (p, f) = (
                &self.stack[self.stack.len() - 2],
                &self.stack[self.stack.len() - 1],
            );
            matches!(f.kind, Kind::List(_))
                && matches!(p.kind, Kind::Map { .. })
                && !f.flow
                && !p.flow
                && f.dash == Some(p.col)
                && !f.last_block
        };
        let low_run = low_run && !top_indentless;
        // (From the comment after an empty last item's dash on, `- # c`, a line comment of
        // the item before may come first.)
        let empty_dash_line = pending.iter().find_map(|(c, l, _)| {
            let before = first_on_line(c, *l);
            (before.trim_end().ends_with('-') && before.trim_start_matches([' ', '-']).is_empty())
                .then_some(*l)
        });
        let mut head = closing && blank_before && self.next_is_end;
        let mut last_foot_line: Option<(usize, usize)> = None;
        let mut foot_floor: Option<usize> = None;
        // A run that reaches the next token with no blank line splits where an own-line
        // comment is less indented than the innermost collection's entries and not at the
        // run's first column: what follows is a foot comment of the collection at or left of
        // the run's last comment (yaml.v3 ends the collections before it).
        let split = (closing && !run_ends_blank && !self.stack.is_empty())
            .then(|| {
                let top_col = self.stack[self.stack.len() - 1].col;
                let first_col = own.first()?.1;
                let at = own
                    .iter()
                    .find(|&&(_, col)| col < top_col && col != first_col)?
                    .0;
                let last_col = own.last()?.1;
                let to = self
                    .stack
                    .iter()
                    .rposition(|f| f.flow || f.col <= last_col)?;
                Some((at, to))
            })
            .flatten();
        // yaml.v3 cuts a run where an own-line comment is less indented than the innermost
        // block collection's entries (an indentless list counts at its parent's column) and
        // not at the column of the run's first comment: the comments before it are foot
        // comments of the last token, in the innermost collection (`r:\n    s: 1\n# a\n  # b`:
        // `# a` is `r`'s). A blank line inside the run before that comes first cuts it there
        // instead, unless the run started after a blank line.
        let cut = (closing && !self.stack.is_empty())
            .then(|| {
                let n = self.stack.len();
                let indent = if top_indentless {
                    self.stack[n - 2].col
                } else {
                    self.stack[n - 1].col
                };
                let first_col = own.first()?.1;
                let mut prev: Option<usize> = None;
                for &(line, col) in &own {
                    if !blank_before && prev.is_some_and(|p| self.gap(p, line)) {
                        return None;
                    }
                    if col < indent && col != first_col {
                        return Some(line);
                    }
                    prev = Some(line);
                }
                None
            })
            .flatten()
            .filter(|_| !self.stack[self.stack.len() - 1].flow);
        // After an indentless list whose last item is no block collection (`l:\n- a\n# c`), a
        // run right after the content that a blank line or the document's end ends is the last
        // item's foot up to its first blank line, from the dash's column on (yaml.v3 counts
        // that list at its parent's indentation, so the run is not less indented than it).
        let mut indentless_foot = (closing && top_indentless && !blank_before && run_ends_blank)
            .then(|| self.stack[self.stack.len() - 1].dash)
            .flatten();
        let mut prev_line: Option<usize> = None;
        for (c, line, col) in pending {
            if closing && empty_dash_line.is_some_and(|l| line >= l) {
                head = true;
            }
            if prev_line.is_some_and(|p| self.gap(p, line))
                || indentless_foot.is_some_and(|d| col < d)
            {
                indentless_foot = None;
            }
            prev_line = Some(line);
            if (indentless_foot.is_some() || cut.is_some_and(|at| line < at))
                && !self.stack.is_empty()
            {
                let top = self.stack.len() - 1;
                place(&mut self.stack[top], c, line);
                continue;
            }
            if self.stack.is_empty() {
                if self.root.is_none() {
                    self.head.push(c)
                } else {
                    self.tail.push(c)
                }
                continue;
            }
            let top = self.stack.len() - 1;
            // After a blank line that follows a foot comment, a comment at the column of the
            // first foot comment (or not indented past the next token) goes with the next
            // token; one at another column is a foot comment again.
            if last_foot_line
                .is_some_and(|(l, c)| self.gap(l, line) && (col == c || col <= self.next_col))
            {
                head = true;
            }
            let idx = if self.force_top
                || !self.closing
                || self.stack[top].flow
                || (!head && ((cut.is_none() && whole_run_to_top) || low_run))
            {
                top
            } else if !head
                && col > self.next_col
                && !run_ends_blank
                && (!top_indentless || !own_line(&c, line))
            {
                match split {
                    Some((at, to)) if line >= at => to,
                    _ => top,
                }
            } else if !head && col > self.next_col && run_ends_blank {
                if own_line(&c, line) {
                    last_foot_line = Some((line, last_foot_line.map_or(col, |(_, c)| c)));
                }
                // (Left of every ending collection: the outermost one's, the document's.)
                let i = self.stack[..=top]
                    .iter()
                    .rposition(|f| f.flow || f.col <= col)
                    .unwrap_or(0);
                // At the dashes of an ending block sequence whose last item is a block
                // collection, yaml.v3 ends the sequence before the comment: the parent's.
                let f = &self.stack[i];
                let at_dashes = f.dash.map_or(f.col == col, |d| d == col);
                let i = if i > 0
                    && i < top
                    && !f.flow
                    && matches!(f.kind, Kind::List(_))
                    && at_dashes
                    && !self.stack[i + 1].flow
                    && self.next_col < col
                {
                    i - 1
                } else {
                    i
                };
                // (A collection that ended before one comment holds none of the later ones.)
                let i = foot_floor.map_or(i, |f: usize| f.min(i));
                foot_floor = Some(i);
                i
            } else {
                head = true;
                self.head_frame()
            };
            place(&mut self.stack[idx], c, line);
        }
    }

    /// When the top collection ends: the frame of the collection the next token belongs to
    /// (the document's when nothing follows in this document).
    fn head_frame(&self) -> usize {
        let (next_col, dash_next) = (self.next_col, self.next_is_dash);
        if self.next_is_end {
            return 0;
        }
        let top = self.stack.len() - 1;
        self.stack[..top]
            .iter()
            .rposition(|f| f.flow || f.col <= next_col || (dash_next && f.dash == Some(next_col)))
            .unwrap_or(0)
    }

    /// The comment that follows `from` on its line after blanks only, if any.
    pub(super) fn comment_after(&self, from: usize) -> Option<Comment> {
        let b = self.src.as_bytes();
        let mut i = from;
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        if i == from || b.get(i) != Some(&b'#') {
            return None;
        }
        let eol = self.src[i..].find('\n').map_or(b.len(), |n| i + n);
        let end = if eol > i && b[eol - 1] == b'\r' {
            eol - 1
        } else {
            eol
        };
        Some(Comment {
            text: self.src[i + 1..end].to_owned(),
            src: Some(Span { start: i, end }),
            changed: false,
            as_elem: false,
        })
    }

    /// Whether the innermost (block) collection has no entry after the value at `at`: the
    /// next line that is neither blank nor a comment is less indented than its entries (or
    /// is not another `-` at a sequence's column), or there is none.
    pub(super) fn collection_ends_after(&self, at: usize) -> bool {
        let Some(f) = self.stack.last() else {
            return false;
        };
        if f.flow {
            return false;
        }
        let (line, _) = self.line_col(at.min(self.src.len()));
        self.next_content(line)
            .is_none_or(|(col, body)| match f.kind {
                Kind::List(_) => !(col == f.col && body.starts_with('-')),
                Kind::Map { .. } => col < f.col,
            })
    }

    /// At the start of a block list (at `start`) whose one item is empty (`k:\n#c\n-\nj: 1`):
    /// yaml.v3's empty node takes no comment, the next node does, so the comments before the
    /// dash wait in `carry` for the list's end. Only those after the content before the dash
    /// (the key's line, or an enclosing item's dash); earlier ones are placed as usual.
    pub(super) fn carry_before_empty_list(&mut self, start: usize) {
        if self.pending.is_empty() {
            return;
        }
        let b = self.src.as_bytes();
        let dash = if b.get(start) == Some(&b'-') {
            Some(start)
        } else {
            b[..start]
                .iter()
                .rposition(|&c| c != b' ')
                .filter(|&i| b[i] == b'-')
        };
        let Some(d) = dash else {
            return;
        };
        let rest = self.src[d + 1..].split('\n').next().unwrap_or("");
        let rest = rest.trim_start_matches([' ', '\t']);
        if !(rest.trim_end().is_empty() || rest.starts_with('#')) || !self.list_ends_after(d) {
            return;
        }
        let after_line = self.content_line_before(d);
        let (before, after): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|(c, line, _)| {
                c.src.is_some_and(|s| s.start < d) && after_line.is_none_or(|l| *line > l)
            });
        self.carry = before;
        self.pending = after;
    }

    /// Whether no other item follows the block list item whose dash is at `dash`.
    pub(super) fn list_ends_after(&self, dash: usize) -> bool {
        let (line, col) = self.line_col(dash);
        self.next_content(line)
            .is_none_or(|(c, body)| !(c == col && body.starts_with('-')))
    }

    /// Line `l`'s content (not blank, not a comment) and its column, if it has any.
    fn content(&self, l: usize) -> Option<(usize, &str)> {
        let text = &self.src[self.line_starts[l]..self.line_end(l)];
        let body = text.trim_start_matches([' ', '\t']);
        let skip = body.trim_end().is_empty() || body.starts_with('#');
        (!skip).then(|| (text.len() - body.len(), body))
    }

    /// The content of the first line after `line` that has any, with its column.
    fn next_content(&self, line: usize) -> Option<(usize, &str)> {
        (line + 1..self.line_starts.len()).find_map(|l| self.content(l))
    }

    /// The last line before the one holding `at` with content (not blank, not a comment).
    pub(super) fn content_line_before(&self, at: usize) -> Option<usize> {
        let (line, _) = self.line_col(at);
        (0..line).rev().find(|&l| self.content(l).is_some())
    }

    /// The line of the first content (not blank, not a comment) at or after `at`.
    pub(super) fn content_line_from(&self, at: usize) -> usize {
        let (mut line, _) = self.line_col(at.min(self.src.len()));
        let mut from = at.min(self.src.len());
        loop {
            let end = self.line_end(line);
            let rest = self.src[from..end].trim_start_matches([' ', '\t']);
            if !(rest.trim_end().is_empty() || rest.starts_with('#')) || end >= self.src.len() {
                return line;
            }
            line += 1;
            from = end;
        }
    }

    /// Where line `line` (0-based) ends: the start of the next line, or the end of the text.
    pub(super) fn line_end(&self, line: usize) -> usize {
        self.line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.src.len())
    }

    /// Whether comment lines `a` and `b` (`a` < `b`) are apart as yaml.v3 sees it: a blank line
    /// between them, or `a` a CRLF comment line.
    fn gap(&self, a: usize, b: usize) -> bool {
        b > a + 1 || self.crlf_comment_line(a)
    }

    /// Whether line `line` (0-based) holds only a comment and ends with CR LF. yaml.v3 places
    /// the comments that follow such a line as if a blank line followed it (its comment scan
    /// counts the CR and the LF as two line breaks), so a CRLF file's comment runs are
    /// placed as runs that blank lines separate.
    pub(super) fn crlf_comment_line(&self, line: usize) -> bool {
        let start = self.line_starts[line];
        let end = self.line_end(line);
        self.src.get(start..end).is_some_and(|t| {
            t.ends_with("\r\n") && t.trim_start_matches([' ', '\t']).starts_with('#')
        })
    }

    /// Whether line `line` (0-based) holds only blanks.
    pub(super) fn line_is_blank(&self, line: usize) -> bool {
        // (The empty "line" after a final line break is no line: in a piece that another
        // follows, the next line is that piece's first key.)
        let start = self.line_starts[line];
        let end = self.line_end(line);
        start < self.src.len()
            && self
                .src
                .get(start..end)
                .is_some_and(|t| t.trim_matches([' ', '\t', '\r', '\n']).is_empty())
    }
}

impl Frame {
    pub(super) fn push_comment(&mut self, c: Comment, before_last: bool) {
        match &mut self.kind {
            Kind::Map { branch, .. } => {
                let at = if before_last {
                    branch.items.len().saturating_sub(1)
                } else {
                    branch.items.len()
                };
                branch.items.insert(at, Item::Comment(c));
            }
            Kind::List(l) => {
                let at = if before_last {
                    l.len().saturating_sub(1)
                } else {
                    l.len()
                };
                l.insert(at, Elem::Comment(c));
            }
        }
    }
}

/// Put comment `c` (on line `line`) into the collection of frame `f`.
fn place(f: &mut Frame, c: Comment, line: usize) {
    if let Some(il) = f.item_line {
        if il == line {
            f.push_comment(c, false);
        } else {
            f.after.push(c);
        }
    } else {
        let before_last = f.last_line == Some(line);
        f.push_comment(c, before_last);
    }
}
