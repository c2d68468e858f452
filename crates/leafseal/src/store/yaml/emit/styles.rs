//! Writing one scalar in the style yaml.v3's emitter picks: plain, single-quoted,
//! double-quoted with escapes, or a literal block with indentation and chomping indicators.

use super::scalar::{
    analyze, analyze_simple, is_break, push_double_quoted_char, select, Out, Scalar,
};
use super::{Parent, Writer};

impl Writer<'_> {
    /// yaml.v3 `emit_scalar`: choose the style, write the tag, then the text one level deeper.
    pub(super) fn scalar(&mut self, s: &Scalar<'_>, simple_key: bool, parent: Parent) {
        let a = match analyze_simple(&s.text) {
            Some(a) => {
                // (Every test run checks the shortcut against the full analysis.)
                debug_assert_eq!(format!("{a:?}"), format!("{:?}", analyze(&s.text)));
                a
            }
            None => analyze(&s.text),
        };
        let style = select(s.req, &a, self.flow_level > 0, simple_key);
        if let Some(tag) = s.tag {
            if !self.whitespace {
                self.put(' ');
            }
            self.put_str("!!");
            self.put_str(tag);
            self.whitespace = false;
            self.indention = false;
        }
        self.increase_indent(true, parent);
        match style {
            Out::Plain => self.write_plain(&s.text),
            Out::Single => self.write_single(&s.text),
            Out::Double => self.write_double(&s.text),
            Out::Literal => self.write_literal(&s.text),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, text: &str) {
        // No line width limit: SOPS's yaml.v3 never folds long lines.
        if !text.is_empty() && !self.whitespace {
            self.put(' ');
        }
        self.put_str(text);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, text: &str) {
        self.write_indicator("'", true, false, false);
        let mut breaks = false;
        for c in text.chars() {
            if is_break(c) {
                // Only U+2028/U+2029 get here (a `\n` selects another style); yaml.v3 copies
                // them and re-indents the next character.
                self.write_break(c);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double(&mut self, text: &str) {
        self.write_indicator("\"", true, false, false);
        let before = self.out.len();
        for c in text.chars() {
            push_double_quoted_char(&mut self.out, c);
        }
        // Escapes are ASCII and never contain a newline, so counting characters is exact.
        self.column += self.out[before..].chars().count();
        self.write_indicator("\"", false, false, false);
    }

    fn write_literal(&mut self, text: &str) {
        self.write_indicator("|", true, false, false);
        let first = text.chars().next();
        if first.is_some_and(|c| c == ' ' || is_break(c)) {
            // The indicator is the content's indentation relative to the parent node (the
            // enclosing collection), so a reader finds the content where it is written.
            // yaml.v3 always writes the configured step here, which inside a list item (content
            // 2 columns in) gives YAML that neither it nor SOPS can read back; leafseal writes
            // the real distance (equal to yaml.v3's output wherever that one is readable).
            let parent = self.indents.last().copied().unwrap_or(-1).max(0);
            let rel = self.indent - parent;
            let hint = if (1..=9).contains(&rel) {
                rel as u32
            } else {
                self.best as u32
            };
            self.put(char::from_digit(hint, 10).unwrap_or('2'));
        }
        let mut rev = text.chars().rev();
        let chomp = match (rev.next(), rev.next()) {
            (Some(last), _) if !is_break(last) => Some('-'),
            (Some(_), None) => Some('+'),
            (Some(_), Some(prev)) if is_break(prev) => Some('+'),
            (None, _) => Some('-'),
            _ => None,
        };
        if let Some(c) = chomp {
            self.put(c);
        }
        self.whitespace = false;
        self.indention = false;
        self.put_break();
        self.whitespace = true;
        let mut breaks = true;
        for c in text.chars() {
            if is_break(c) {
                self.write_break(c);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}
