//! Text helpers of the checks: tokens, classes of differences, how outputs are shown.

use super::*;
use crate::util::{Output, PANIC_EXIT};
use regex::Regex;
use std::collections::HashSet;
use std::sync::OnceLock;

pub(super) fn enc_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:([a-z]+)\]")
            .unwrap()
    })
}

pub(super) fn alias_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?m)(^|[\s\[{,:-])\*[^\s,\[\]{}]+").unwrap())
}

/// `v` without `""` items in its lists (what sops' empty-comment bug adds).
pub(super) fn without_empty_items(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Array(a) => Value::Array(
            a.into_iter()
                .filter(|x| x.as_str() != Some(""))
                .map(without_empty_items)
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| (k, without_empty_items(x)))
                .collect(),
        ),
        other => other,
    }
}

/// YAML text without `- ""` items and empty comments (sops' empty-comment bug turns one into
/// the other).
pub(super) fn without_empty_comment_artifacts(text: &[u8]) -> String {
    String::from_utf8_lossy(text)
        .lines()
        .filter(|l| {
            let t = l.trim();
            t != "- \"\"" && t != "#" && t != "- #"
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether sops reads the YAML texts `a` and `b` alike: one pass of sops over each (values and
/// comments in plaintext, but the comments it still seals) gives the same text, and both hold
/// the same comments.
pub(super) fn reads_alike(cx: &Ctx, a: &[u8], b: &[u8]) -> bool {
    if cx.kind != Kind::Yaml {
        return false;
    }
    let comments = |t: &[u8]| {
        let mut v: Vec<String> = String::from_utf8_lossy(t)
            .lines()
            .filter_map(|l| l.split_once('#').map(|(_, c)| c.trim().to_owned()))
            .collect();
        v.sort();
        v
    };
    if comments(a) != comments(b) {
        return false;
    }
    let (fa, fb) = (cx.file("alike_a"), cx.file("alike_b"));
    cx.sb.write(&fa, a);
    cx.sb.write(&fb, b);
    match (cx.single_pass(&fa), cx.single_pass(&fb)) {
        (Some(x), Some(y)) => same_but_sealed_comments(&x, &y),
        _ => false,
    }
}

/// Whether `got` is `view` but for comment lines that `view` has at column 0 and `got` indents,
/// as the input does: the same lines, and each differing pair the same comment, which the input
/// holds indented (sops re-indents by its own step, so the column itself may differ).
pub(super) fn keeps_input_indentation(input: &[u8], view: &[u8], got: &[u8]) -> bool {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let (input, view, got) = (text(input), text(view), text(got));
    let indented_in_input: HashSet<&str> = input
        .lines()
        .filter(|l| l.starts_with([' ', '\t']))
        .map(str::trim)
        .collect();
    let (v, g): (Vec<&str>, Vec<&str>) = (view.lines().collect(), got.lines().collect());
    let mut differs = false;
    v.len() == g.len()
        && v.iter().zip(&g).all(|(a, b)| {
            a == b || {
                differs = true;
                a.starts_with('#')
                    && b.starts_with(' ')
                    && a.trim() == b.trim()
                    && indented_in_input.contains(a.trim())
            }
        })
        && differs
}

/// Whether `once` (sops' one pass, which still seals the comments outside every map value) is
/// `got` line for line, a sealed comment (`#ENC[…]`) standing for any comment at its column.
pub(super) fn same_but_sealed_comments(once: &[u8], got: &[u8]) -> bool {
    let (a, b) = (String::from_utf8_lossy(once), String::from_utf8_lossy(got));
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let indent = |l: &str| l.len() - l.trim_start().len();
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            x == y
                || (x.trim_start().starts_with("#ENC[")
                    && y.trim_start().starts_with('#')
                    && indent(x) == indent(y))
        })
}

/// How many `- ""` items a YAML text holds.
pub(super) fn empty_items(text: &[u8]) -> usize {
    String::from_utf8_lossy(text)
        .lines()
        .filter(|l| l.trim().trim_start_matches("- ") == "\"\"")
        .count()
}

pub(super) fn meta_prefix_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r#"(^|[\s"])(sops_)?(mac|leafseal_layout)"?\s*[:=]\s*["']?$"#).unwrap()
    })
}

/// The value tokens' types in document order and the number of comment tokens, outside the
/// `sops` metadata.
#[derive(Debug, PartialEq)]
pub(super) struct Tokens {
    pub(super) values: Vec<String>,
    pub(super) comments: usize,
}

pub(super) fn tokens(text: &[u8], kind: Kind) -> Tokens {
    let s = String::from_utf8_lossy(text);
    let mut values = Vec::new();
    let mut comments = 0;
    let mut in_meta = false;
    for line in s.split('\n') {
        let l = line.trim_end_matches('\r');
        if kind == Kind::Yaml {
            let bare = l.trim_start_matches('\u{feff}');
            if bare.starts_with("sops:") {
                in_meta = true;
            } else if bare == "---" || bare == "..." || bare.starts_with("--- ") {
                in_meta = false;
            }
            // The metadata holds no comments: a comment line after it (leafseal writes the
            // document's closing comments after the metadata) is the document's.
            if in_meta && !bare.trim_start().starts_with('#') {
                continue;
            }
        }
        for c in enc_re().captures_iter(l) {
            let m = c.get(0).unwrap();
            let ty = &c[1];
            if kind != Kind::Yaml && meta_prefix_re().is_match(&l[..m.start()]) {
                continue;
            }
            if ty == "comment" {
                comments += 1;
            } else {
                values.push(ty.to_owned());
            }
        }
    }
    Tokens { values, comments }
}

/// A `#` in leafseal's encrypted YAML (outside the metadata) that does not open a comment token.
pub(super) fn plaintext_comment(text: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(text);
    let mut in_meta = false;
    for line in s.split('\n') {
        let l = line.trim_end_matches('\r');
        if l.starts_with("sops:") {
            in_meta = true;
        } else if l == "---" || l.starts_with("--- ") {
            in_meta = false;
        }
        if in_meta && !l.trim_start().starts_with('#') {
            continue;
        }
        let b = l.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            // sops leaves an empty comment (`#` and blanks) as it is: nothing to hide.
            if c == b'#'
                && (i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t')
                && !l[i..].starts_with("#ENC[")
                && !l[i + 1..].trim().is_empty()
            {
                return Some(l.to_owned());
            }
        }
    }
    None
}

/// A short, stable description of why a command failed: its error line without paths, file
/// names or numbers.
pub fn err_class(o: &Output) -> String {
    if o.code == PANIC_EXIT {
        return "PANIC (exit 101)".to_owned();
    }
    let err = o.stderr_str();
    // sops may print warnings first (`[SOPS] … level=warning …`): skip them.
    let candidates = || {
        err.lines()
            .filter(|l| !l.trim().is_empty() && !l.contains("level=warning"))
    };
    let line = candidates()
        .find(|l| {
            let l = l.to_ascii_lowercase();
            ["error", "fail", "cannot", "mismatch"]
                .iter()
                .any(|w| l.contains(w))
        })
        .or_else(|| candidates().next())
        .unwrap_or("(no message)");
    static PATH: OnceLock<Regex> = OnceLock::new();
    static NUM: OnceLock<Regex> = OnceLock::new();
    let path = PATH.get_or_init(|| {
        Regex::new(
            r"(/[^\s:'`]+)?/?\b(in|sops\.enc|leaf\.enc|round|round\.enc)\.(yaml|json|env|ini)\b",
        )
        .unwrap()
    });
    let num = NUM.get_or_init(|| Regex::new(r"[0-9]+").unwrap());
    static NOISE: OnceLock<Regex> = OnceLock::new();
    let noise = NOISE.get_or_init(|| {
        Regex::new(r#"ENC\[[^\]\s"]*\]?|\["[^"]*"\]|"[^"]*"|\b[0-9A-Fa-f]{16,}\b|[A-Za-z0-9+/]{20,}={0,2}"#).unwrap()
    });
    let l = path.replace_all(line, "FILE");
    let l = noise.replace_all(&l, "…");
    let l = num.replace_all(&l, "N");
    // Runs of elided pieces (`……`, `…\"…`) say nothing more than one.
    static RUNS: OnceLock<Regex> = OnceLock::new();
    let runs = RUNS.get_or_init(|| Regex::new(r#"(…|\[N\])(["\\ ]*(…|\[N\]))*["\\]*"#).unwrap());
    let l = runs.replace_all(&l, "…");
    let mut l = l.trim().to_owned();
    if l.len() > 110 {
        let mut cut = 110;
        while !l.is_char_boundary(cut) {
            cut -= 1;
        }
        l.truncate(cut);
        l.push('…');
    }
    format!("exit {}: {l}", o.code)
}

/// Lines of `text` split after each `\n`, `\r` stripped.
pub(super) fn lines_of(text: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(text)
        .split('\n')
        .map(|l| l.trim_end_matches('\r').to_owned())
        .collect()
}

/// Where and how two outputs first differ, coarsely (it names a failure class).
pub fn diff_kind(expected: &[u8], got: &[u8]) -> String {
    if got.is_empty() && !expected.is_empty() {
        return "empty output".to_owned();
    }
    if expected.starts_with(got) {
        return "output truncated".to_owned();
    }
    if got.starts_with(expected) {
        return "extra text at the end".to_owned();
    }
    let (e, g) = (lines_of(expected), lines_of(got));
    let i = e.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let (el, gl) = (e.get(i).map_or("", |s| s), g.get(i).map_or("", |s| s));
    let is_comment = |l: &str| l.trim_start().starts_with('#');
    if is_comment(el) && is_comment(gl) {
        "comment text differs".to_owned()
    } else if is_comment(el) {
        "a comment is missing or moved".to_owned()
    } else if is_comment(gl) {
        "an extra or moved comment".to_owned()
    } else if el.trim() == gl.trim() {
        "indentation differs".to_owned()
    } else if e.len() != g.len() {
        "lines missing or extra".to_owned()
    } else {
        "a line differs".to_owned()
    }
}

/// The first differing line of two texts, for failure details.
pub(super) fn first_diff(expected: &[u8], got: &[u8]) -> String {
    let (e, g) = (lines_of(expected), lines_of(got));
    let i = e.iter().zip(&g).take_while(|(a, b)| a == b).count();
    format!(
        "first difference at line {}: expected {:?}, got {:?}",
        i + 1,
        e.get(i).map_or("<end>", |s| s),
        g.get(i).map_or("<end>", |s| s)
    )
}

/// `text` with every `ENC[…]` token replaced by its type alone: two encryptions of the same
/// data compare equal (sops sometimes prints a comment token it could not place undecrypted).
pub(super) fn norm_enc(text: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(text);
    enc_re()
        .replace_all(&s, "ENC[…,type:$1]")
        .into_owned()
        .into_bytes()
}

/// The text without its comment lines (sops prints every YAML comment on a line of its own;
/// dotenv and INI comments are whole lines too), tokens normalized, so two sops outputs can be
/// compared for data alone.
pub(super) fn data_text(text: &[u8], kind: Kind) -> Vec<u8> {
    let text = norm_enc(text);
    let comment: &[char] = match kind {
        Kind::Json => return text,
        Kind::Yaml | Kind::Dotenv => &['#'],
        Kind::Ini => &['#', ';'],
    };
    let s = String::from_utf8_lossy(&text);
    s.split_inclusive('\n')
        .filter(|l| !l.trim_start().starts_with(comment))
        .collect::<String>()
        .into_bytes()
}

pub(super) fn show(label: &str, bytes: &[u8]) -> String {
    const MAX: usize = 3000;
    let s = String::from_utf8_lossy(bytes);
    let mut t: String = s.chars().take(MAX).collect();
    if s.chars().count() > MAX {
        t.push_str("…(cut)");
    }
    format!("--- {label} ({} bytes) ---\n{t}\n", bytes.len())
}

pub(super) fn show_out(label: &str, o: &Output) -> String {
    format!(
        "--- {label}: `{}` exit {} ---\nstdout:\n{}\nstderr:\n{}\n",
        o.cmdline,
        o.code,
        show("", &o.stdout),
        String::from_utf8_lossy(&o.stderr)
            .chars()
            .take(1500)
            .collect::<String>()
    )
}

/// Classifies why leafseal's decrypt is not the input byte for byte (c).
pub(super) fn c_reason(input: &[u8], out: &[u8], sops_view: &[u8]) -> String {
    let sops_view = &norm_enc(sops_view);
    if norm_enc(out) == *sops_view {
        return "canonical layout (what sops decrypt prints)".to_owned();
    }
    let mut flags: Vec<&str> = Vec::new();
    let mut a = String::from_utf8_lossy(input).into_owned();
    let b = String::from_utf8_lossy(out).into_owned();
    if a.starts_with('\u{feff}') && !b.starts_with('\u{feff}') {
        flags.push("BOM dropped");
        a.remove(0);
    }
    if a.contains("\r\n") && !b.contains("\r\n") {
        flags.push("CRLF to LF");
        a = a.replace("\r\n", "\n");
    }
    if !a.ends_with('\n') && b.ends_with('\n') && b.len() > a.len() && b.starts_with(&a) {
        flags.push("final newline added");
        a.push('\n');
    }
    if a == b {
        return flags.join(" + ");
    }
    let sv = String::from_utf8_lossy(sops_view);
    if String::from_utf8_lossy(&norm_enc(b.as_bytes())) == sv {
        flags.push("canonical layout");
    } else {
        flags.push(match diff_kind(a.as_bytes(), b.as_bytes()).as_str() {
            "indentation differs" => "indentation changed",
            "comment text differs"
            | "a comment is missing or moved"
            | "an extra or moved comment" => "comment changed",
            "output truncated" => "text missing at the end",
            "extra text at the end" => "extra text at the end",
            _ => changed_line_kind(a.as_bytes(), b.as_bytes()),
        });
    }
    flags.join(" + ")
}

/// What the first changed line of a round trip shows, coarsely.
pub(super) fn changed_line_kind(input: &[u8], out: &[u8]) -> &'static str {
    static HEADER: OnceLock<Regex> = OnceLock::new();
    let header = HEADER.get_or_init(|| Regex::new(r"(^|[:-]\s)[|>][-+0-9]*\s*(#.*)?$").unwrap());
    let (e, g) = (lines_of(input), lines_of(out));
    let i = e.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let (il, ol) = (e.get(i).map_or("", |s| s), g.get(i).map_or("", |s| s));
    let unquote = |l: &str| l.replace(['\'', '"'], "");
    if il.contains(" &") || il.contains(" *") || il.contains("<<") {
        "anchor, alias or merge key not kept"
    } else if header.is_match(il.trim_end()) {
        "block scalar changed"
    } else if unquote(il) == unquote(ol) {
        "quoting changed"
    } else if il.contains('[') || il.contains('{') || ol.contains('[') || ol.contains('{') {
        "flow collection changed"
    } else if il.contains('!') {
        "tag dropped"
    } else {
        "a line changed"
    }
}
