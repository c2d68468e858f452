//! Scalar presentation rules of Go yaml.v3 as SOPS drives it: the text of each typed value, the
//! style yaml.v3 *asks* for (plain, double-quoted or literal, decided by re-resolving the text
//! with yaml.v3's own resolver), and the emitter's analysis that may overrule that request
//! (plain → single-quoted → double-quoted, literal → double-quoted).
//!
//! Everything here is a pure function of the value; the writer in the parent module applies it.

use std::borrow::Cow;

use base64::Engine;

use crate::tree::Value;

/// The style yaml.v3's encoder requests for a scalar before the emitter looks at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Req {
    Plain,
    Double,
    Literal,
}

/// The style finally written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Out {
    Plain,
    Single,
    Double,
    Literal,
}

/// A scalar ready for the emitter: optional `!!` tag suffix, text, requested style.
pub(super) struct Scalar<'a> {
    pub tag: Option<&'static str>,
    pub text: Cow<'a, str>,
    pub req: Req,
}

/// Which presentations the text allows (yaml.v3 `yaml_emitter_analyze_scalar`).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Analysis {
    pub empty: bool,
    pub multiline: bool,
    pub flow_plain: bool,
    pub block_plain: bool,
    pub single: bool,
    pub block: bool,
    /// Holds U+0085, U+2028 or U+2029: line breaks to YAML 1.1 readers (go-yaml), ordinary
    /// characters to YAML 1.2 ones; only escaped (`"\N"`, `"\L"`, `"\P"`) do both read the same.
    pub unicode_break: bool,
}

impl Scalar<'_> {
    /// The scalar for a non-collection value. Collections never reach here.
    pub fn of(v: &Value) -> Scalar<'_> {
        let plain = |s: String| Scalar {
            tag: None,
            text: Cow::Owned(s),
            req: Req::Plain,
        };
        match v {
            Value::Null | Value::Map(_) | Value::List(_) => plain("null".into()),
            Value::Bool(b) => plain(if *b { "true" } else { "false" }.into()),
            Value::Int(i) => plain(i.to_string()),
            Value::Uint(u) => plain(u.to_string()),
            Value::Float(f) => plain(go_float_g(*f)),
            Value::Time(t) => plain(t.rfc3339_nano()),
            Value::Str(s) => Scalar::string(s),
            Value::Bytes(b) => match std::str::from_utf8(b) {
                Ok(s) => Scalar::string(s),
                Err(_) => {
                    let text = base64_lines(b);
                    let req = if text.contains('\n') {
                        Req::Literal
                    } else {
                        Req::Plain
                    };
                    Scalar {
                        tag: Some("binary"),
                        text: Cow::Owned(text),
                        req,
                    }
                }
            },
        }
    }

    /// A string: plain when it re-resolves to a string, else double-quoted; literal when multi-line.
    pub fn string(s: &str) -> Scalar<'_> {
        if s == "<<" {
            // sops-compat: SOPS's Node.Encode round trip re-parses `<<` as a merge key, and the
            // encoder then keeps the tag: the string `<<` comes out as `!!merge <<`.
            return Scalar {
                tag: Some("merge"),
                text: Cow::Borrowed(s),
                req: Req::Plain,
            };
        }
        let req = if s.contains('\n') {
            Req::Literal
        } else if plain_resolves_to_str(s) {
            Req::Plain
        } else {
            Req::Double
        };
        Scalar {
            tag: None,
            text: Cow::Borrowed(s),
            req,
        }
    }

    /// Bytes yaml.v3 counts for the 128-byte simple-key limit (tag included).
    pub fn key_len(&self) -> usize {
        self.text.len() + self.tag.map_or(0, |t| t.len() + 2)
    }
}

/// yaml.v3 `encodeBase64`: standard base64, and when 70 characters or more, broken into
/// 70-character lines each ending in a newline (so it becomes a literal block).
fn base64_lines(b: &[u8]) -> String {
    const LINE: usize = 70;
    let enc = base64::engine::general_purpose::STANDARD.encode(b);
    if enc.len() / LINE == 0 {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / LINE + 1);
    let mut rest = enc.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(LINE));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out
}

/// Pick the written style like `yaml_emitter_select_scalar_style`.
pub(super) fn select(req: Req, a: &Analysis, flow: bool, simple_key: bool) -> Out {
    let mut s = match req {
        Req::Plain => Out::Plain,
        Req::Double => Out::Double,
        Req::Literal => Out::Literal,
    };
    if simple_key && a.multiline {
        s = Out::Double;
    }
    if s == Out::Plain
        && (if flow { !a.flow_plain } else { !a.block_plain } || a.empty && (flow || simple_key))
    {
        s = Out::Single;
    }
    if s == Out::Single && !a.single {
        s = Out::Double;
    }
    if s == Out::Literal && (!a.block || flow || simple_key) {
        s = Out::Double;
    }
    // leafseal-only: yaml.v3 writes these raw, which no YAML 1.2 reader reads back the same.
    if a.unicode_break {
        s = Out::Double;
    }
    s
}

/// Line breaks as yaml.v3 sees them (`is_break`).
pub(super) fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// yaml.v3 `is_printable`: note that every character above U+FFFF counts as non-printable.
pub(super) fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        && c != '\u{FEFF}'
}

/// An ASCII character that, after the first position, sets no indicator flag and is neither a
/// space nor a break: `analyze` only records that the previous character was not white space.
fn is_inert(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b',' | b'?' | b'[' | b']' | b'{' | b'}' | b':' | b'#')
}

/// [`analyze`] for the common simple text, without its walk: a letter or digit first, then
/// only printable ASCII other than the indicators `,?[]{}:#`, with single inner spaces (no
/// indicator, no break, nothing non-printable, no space at either end), allows every
/// presentation. `None`: run the full analysis.
pub(super) fn analyze_simple(value: &str) -> Option<Analysis> {
    let b = value.as_bytes();
    let (first, last) = (*b.first()?, *b.last()?);
    if !first.is_ascii_alphanumeric() || last == b' ' {
        return None;
    }
    let mut prev_space = false;
    for &c in b {
        let space = c == b' ';
        if !(is_inert(c) || space) || (space && prev_space) {
            return None;
        }
        prev_space = space;
    }
    Some(Analysis {
        empty: false,
        multiline: false,
        flow_plain: true,
        block_plain: true,
        single: true,
        block: true,
        unicode_break: false,
    })
}

/// `yaml_emitter_analyze_scalar`.
pub(super) fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            flow_plain: false,
            block_plain: true,
            single: true,
            block: false,
            unicode_break: false,
        };
    }
    let (mut block_ind, mut flow_ind) = (false, false);
    if value.starts_with("---") || value.starts_with("...") {
        block_ind = true;
        flow_ind = true;
    }
    let (mut line_breaks, mut special, mut tabs) = (false, false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    let mut preceded_by_ws = true;
    let mut unicode_break = false;
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // A run of inert ASCII after the first character changes nothing but the
        // "previous character" flags: skip it bytewise (a multi-megabyte ciphertext token is
        // one such run, and the char-by-char walk took seconds in debug builds).
        if i > 0 && is_inert(bytes[i]) {
            while i < bytes.len() && is_inert(bytes[i]) {
                i += 1;
            }
            prev_space = false;
            prev_break = false;
            preceded_by_ws = false;
            continue;
        }
        let Some(c) = value[i..].chars().next() else {
            break;
        };
        let after = i + c.len_utf8();
        let next = value[after..].chars().next();
        unicode_break |= matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}');
        let followed_by_ws = matches!(next, None | Some(' ' | '\t'));
        let last = next.is_none();
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    flow_ind = true;
                    block_ind = true;
                }
                '?' | ':' => {
                    flow_ind = true;
                    block_ind |= followed_by_ws;
                }
                '-' if followed_by_ws => {
                    flow_ind = true;
                    block_ind = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_ind = true,
                ':' => {
                    flow_ind = true;
                    block_ind |= followed_by_ws;
                }
                '#' if preceded_by_ws => {
                    flow_ind = true;
                    block_ind = true;
                }
                _ => {}
            }
        }
        if c == '\t' {
            tabs = true;
        } else if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= last;
            break_space |= prev_break;
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= last;
            space_break |= prev_space;
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_ws = matches!(c, ' ' | '\t' | '\0') || is_break(c);
        i = after;
    }
    let mut a = Analysis {
        empty: false,
        multiline: line_breaks,
        flow_plain: true,
        block_plain: true,
        single: true,
        block: true,
        unicode_break,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain = false;
        a.block_plain = false;
    }
    if trailing_space {
        a.block = false;
    }
    if break_space || space_break || tabs || special {
        a.flow_plain = false;
        a.block_plain = false;
        a.single = false;
    }
    if space_break || special {
        a.block = false;
    }
    if line_breaks {
        a.flow_plain = false;
        a.block_plain = false;
    }
    if flow_ind {
        a.flow_plain = false;
    }
    if block_ind {
        a.block_plain = false;
    }
    a
}

/// The double-quoted escape for `c`, if it needs one (`yaml_emitter_write_double_quoted_scalar`).
pub(super) fn push_double_quoted_char(out: &mut String, c: char) {
    if is_printable(c) && !is_break(c) && c != '"' && c != '\\' {
        out.push(c);
        return;
    }
    out.push('\\');
    let short = match c {
        '\0' => '0',
        '\u{7}' => 'a',
        '\u{8}' => 'b',
        '\t' => 't',
        '\n' => 'n',
        '\u{b}' => 'v',
        '\u{c}' => 'f',
        '\r' => 'r',
        '\u{1b}' => 'e',
        '"' => '"',
        '\\' => '\\',
        '\u{85}' => 'N',
        '\u{a0}' => '_',
        '\u{2028}' => 'L',
        '\u{2029}' => 'P',
        _ => {
            let v = c as u32;
            let (tag, width) = if v <= 0xFF {
                ('x', 2)
            } else if v <= 0xFFFF {
                ('u', 4)
            } else {
                ('U', 8)
            };
            out.push(tag);
            for k in (0..width).rev() {
                let d = (v >> (k * 4)) & 0xF;
                out.push(char::from_digit(d, 16).map_or('0', |h| h.to_ascii_uppercase()));
            }
            return;
        }
    };
    out.push(short);
}

/// yaml.v3 `floatv`: Go `strconv.FormatFloat(f, 'g', -1, 64)` with `.inf`, `-.inf`, `.nan`.
pub fn go_float_g(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    let neg = f.is_sign_negative();
    if f == 0.0 {
        return if neg { "-0".into() } else { "0".into() };
    }
    // Rust's `{:e}` gives the shortest round-trip digits, like Go's shortest mode.
    let e = format!("{:e}", f.abs());
    let (mant, exp) = e.split_once('e').unwrap_or((e.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    // Go: %e when exp < -4 || exp >= eprec, and eprec is 6 in shortest mode.
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let a = exp.unsigned_abs();
        if a < 10 {
            out.push('0');
        }
        out.push_str(&a.to_string());
    } else {
        let dp = exp + 1; // digits before the decimal point
        if dp <= 0 {
            out.push_str("0.");
            for _ in 0..-dp {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let dp = dp as usize;
            if digits.len() <= dp {
                out.push_str(&digits);
                for _ in digits.len()..dp {
                    out.push('0');
                }
            } else {
                out.push_str(&digits[..dp]);
                out.push('.');
                out.push_str(&digits[dp..]);
            }
        }
    }
    out
}

/// yaml.v3 `stringv`'s `canUsePlain`: the plain text resolves back to a string, and is neither
/// a YAML 1.1 base-60 float nor a YAML 1.1 bool (which yaml.v3 quotes "for compatibility").
/// Beyond yaml.v3 (and so SOPS), also not any other text a YAML 1.1 reader would type.
pub fn plain_resolves_to_str(s: &str) -> bool {
    resolve_is_str(s) && !is_base60_float(s) && !is_old_bool(s) && !yaml11_typed(s)
}

/// A plain scalar a YAML 1.1 reader (PyYAML 6's implicit resolvers, the YAML 1.1 type regexes)
/// reads as something other than a string, or fails on: bool, int, float, null, timestamp, `<<`,
/// `=`. yaml.v3 prints some of these plain where PyYAML reads a date-time
/// (`2001-12-14 21:59:43.10 -5`, `2001-12-14T21:59:43`), a big int (`0xFFFFFFFFFFFFFFFFFF`) or
/// fails (`=`, `2001-02-30`); leafseal quotes them. (yaml.v2, as in Kubernetes, reads nothing
/// as a non-string that yaml.v3 prints plain.)
fn yaml11_typed(s: &str) -> bool {
    // Only texts of a number or a timestamp need the pattern (compiling it costs a 1 KB
    // decrypt 14% of its instructions): the rest are a fixed list of words, and a text with a
    // character no number or timestamp has is none of them.
    const NUMERIC: &[u8] = b"0123456789abcdefABCDEFxXiInNtTZ+-_.: \t";
    let fast = match s.as_bytes().first() {
        None => None,
        Some(b'-' | b'+' | b'.' | b'0'..=b'9') => {
            (!s.bytes().all(|c| NUMERIC.contains(&c))).then_some(false)
        }
        Some(_) => Some(matches!(
            s,
            "y" | "Y"
                | "yes"
                | "Yes"
                | "YES"
                | "n"
                | "N"
                | "no"
                | "No"
                | "NO"
                | "true"
                | "True"
                | "TRUE"
                | "false"
                | "False"
                | "FALSE"
                | "on"
                | "On"
                | "ON"
                | "off"
                | "Off"
                | "OFF"
                | "~"
                | "null"
                | "Null"
                | "NULL"
                | "<<"
                | "="
        )),
    };
    match fast {
        Some(typed) => {
            debug_assert_eq!(typed, yaml11_pattern(s), "{s:?}");
            typed
        }
        None => yaml11_pattern(s),
    }
}

/// The YAML 1.1 type patterns of [`yaml11_typed`], compiled on first use.
fn yaml11_pattern(s: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(concat!(
            r"^(?:",
            // bool (the YAML 1.1 spec's list; PyYAML leaves out y/n)
            r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
            // int
            r"|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+",
            r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+",
            // float
            r"|[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?",
            r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
            // null
            r"|~|null|Null|NULL|",
            // timestamp
            r"|[0-9]{4}-[0-9]{2}-[0-9]{2}",
            r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?",
            r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?",
            // merge, value
            r"|<<|=",
            r")$"
        ))
        .expect("valid regex")
    })
    .is_match(s)
}

fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        match (b.get(i), b.get(i + 1)) {
            (Some(b'0'..=b'5'), Some(b'0'..=b'9')) => i += 2,
            (Some(b'0'..=b'9'), _) => i += 1,
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// yaml.v3 `resolve("", s)` returns `!!str`.
fn resolve_is_str(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return false; // "" is null
    };
    let hint = match first {
        b'+' | b'-' => b'S',
        b'0'..=b'9' => b'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => b'M',
        b'.' => b'.',
        _ => return true,
    };
    if matches!(
        s,
        "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "~"
            | "null"
            | "Null"
            | "NULL"
            | ".nan"
            | ".NaN"
            | ".NAN"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
    ) {
        return false;
    }
    match hint {
        b'M' => true,
        // Go ParseFloat on a leading dot: digits, optional exponent, finite.
        b'.' => !(is_yaml_float(s) && finite(s)),
        _ => {
            if is_go_timestamp(s) {
                return false;
            }
            let plain = s.replace('_', "");
            !(go_parse_int0(&plain)
                || go_parse_uint0(&plain)
                || (is_yaml_float(&plain) && finite(&plain)))
        }
    }
}

fn finite(s: &str) -> bool {
    s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go `strconv.ParseUint(s, 0, 64)` succeeds.
fn go_parse_uint0(s: &str) -> bool {
    go_uint0(s).is_some()
}

fn go_uint0(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let (digits, radix) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (&s[2..], 2),
            Some(b'o') if b.len() >= 3 => (&s[2..], 8),
            Some(b'x') if b.len() >= 3 => (&s[2..], 16),
            _ => (&s[1..], 8),
        }
    } else {
        (s, 10)
    };
    let mut n: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        n = n.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Go `strconv.ParseInt(s, 0, 64)` succeeds.
fn go_parse_int0(s: &str) -> bool {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    match go_uint0(rest) {
        Some(u) if neg => u <= 1 << 63,
        Some(u) => u < 1 << 63,
        None => false,
    }
}

/// yaml.v3 `parseTimestamp`: Go `time.Parse` with the layouts `2006-1-2T15:4:5.999999999Z07:00`
/// (also with `t`), `2006-1-2 15:4:5.999999999` and `2006-1-2`.
fn is_go_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year = i32::from(b[0] - b'0') * 1000
        + i32::from(b[1] - b'0') * 100
        + i32::from(b[2] - b'0') * 10
        + i32::from(b[3] - b'0');
    let mut p = Cursor { b, i: 5 };
    let Some(month) = p.num() else { return false };
    if !p.lit(b'-') {
        return false;
    }
    let Some(day) = p.num() else { return false };
    if !(1..=12).contains(&month) || day < 1 || day > days_in(year, month) {
        return false;
    }
    if p.i == b.len() {
        return true;
    }
    let zoned = match b[p.i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    p.i += 1;
    if !zoned {
        // A space in a Go layout matches any run of spaces.
        while p.i < b.len() && b[p.i] == b' ' {
            p.i += 1;
        }
    }
    let Some(h) = p.num() else { return false };
    if h >= 24 || !p.lit(b':') {
        return false;
    }
    let Some(m) = p.num() else { return false };
    if m >= 60 || !p.lit(b':') {
        return false;
    }
    let Some(sec) = p.num() else { return false };
    if sec >= 60 {
        return false;
    }
    if matches!(b.get(p.i), Some(b'.' | b',')) && b.get(p.i + 1).is_some_and(u8::is_ascii_digit) {
        p.i += 1;
        while b.get(p.i).is_some_and(u8::is_ascii_digit) {
            p.i += 1;
        }
    }
    if !zoned {
        return p.i == b.len();
    }
    let rest = &b[p.i..];
    if rest == b"Z" {
        return true;
    }
    if rest.len() != 6 || !matches!(rest[0], b'+' | b'-') || rest[3] != b':' {
        return false;
    }
    let two = |x: &[u8]| {
        x.iter()
            .all(u8::is_ascii_digit)
            .then(|| (x[0] - b'0') * 10 + (x[1] - b'0'))
    };
    matches!((two(&rest[1..3]), two(&rest[4..6])), (Some(hh), Some(mm)) if hh <= 24 && mm <= 60)
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// Go `getnum(s, false)`: one digit, or two when the second is a digit.
    fn num(&mut self) -> Option<u32> {
        let d0 = *self.b.get(self.i).filter(|c| c.is_ascii_digit())?;
        self.i += 1;
        match self.b.get(self.i).filter(|c| c.is_ascii_digit()) {
            Some(&d1) => {
                self.i += 1;
                Some(u32::from(d0 - b'0') * 10 + u32::from(d1 - b'0'))
            }
            None => Some(u32::from(d0 - b'0')),
        }
    }

    fn lit(&mut self, c: u8) -> bool {
        let ok = self.b.get(self.i) == Some(&c);
        self.i += usize::from(ok);
        ok
    }
}

use crate::tree::scalar::days_in;
