//! How a difference is told apart from a failure: the sops anomalies and documented
//! divergences the checks recognise (each named in docs/testing.md), and data compared
//! document by document through sops.

use super::*;
use regex::Regex;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Whether a dotenv file uses what leafseal reads beyond SOPS's grammar in a plaintext file
/// (docs/format.md): `export KEY=…` or a quoted value. sops reads such lines literally (the key
/// `export KEY`, the quotes in the value), so its reading of the input is no reference for
/// these files; what must hold instead is that sops reads leafseal's encrypted file exactly as
/// leafseal does.
pub(super) fn dotenv_extended(kind: Kind, text: &[u8]) -> bool {
    kind == Kind::Dotenv
        && text.split(|b| *b == b'\n').any(|line| {
            line.starts_with(b"export ")
                || line
                    .iter()
                    .position(|b| *b == b'=')
                    .is_some_and(|eq| matches!(line.get(eq + 1), Some(b'\'' | b'"')))
        })
}

pub(super) fn block_header_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(^|[:-]\s)[|>][-+0-9]*$").unwrap())
}

/// The documents of a decrypted YAML output (sops and leafseal separate them with `---` lines).
pub(super) fn documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" || bare.starts_with("--- ") {
            docs.push(String::new());
        }
        docs.last_mut().unwrap().push_str(line);
    }
    docs
}

/// `text` with the comments inside empty flow collections (`a: {\n    # c\n}`) dropped, as
/// sops drops them and leafseal keeps them (docs/format.md).
pub(super) fn without_empty_flow_comments(text: &[u8]) -> Vec<u8> {
    static EMPTY_FLOW: OnceLock<Regex> = OnceLock::new();
    let re = EMPTY_FLOW
        .get_or_init(|| Regex::new(r"(\{|\[)\n(?:[ \t]*#[^\n]*\n)+[ \t]*(\}|\])").unwrap());
    re.replace_all(&String::from_utf8_lossy(text), "$1$2")
        .into_owned()
        .into_bytes()
}

/// The own-line comments of a decrypted YAML output, trimmed, in order, leaving out comments
/// inside an empty flow collection (`a: {\n    # c\n}`), which sops drops and leafseal keeps
/// (docs/format.md).
pub(super) fn comment_lines(text: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(&without_empty_flow_comments(text.as_bytes())).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.trim_start().starts_with('#') {
            continue;
        }
        // Where the comment stands: its column and the start of the next line that is not a
        // comment (a key, or a dash), before any quote, so a quoting difference in the value
        // does not count but a comment moved to another key does.
        let next = lines[i + 1..]
            .iter()
            .find(|n| !n.trim_start().starts_with('#'))
            .map_or(String::new(), |n| {
                let n = n.split(['\'', '"']).next().unwrap_or("");
                let n = n.split_once(": ").map_or(n, |(k, _)| k);
                // (A block scalar's indentation indicator is no part of where a comment stands:
                // leafseal writes one that reads back where yaml.v3's does not.)
                indicator_digit().replace_all(n, "$1$2").into_owned()
            });
        out.push(format!(
            "{}{} @ {next}",
            &l[..l.len() - l.trim_start().len()],
            l.trim()
        ));
    }
    out
}

pub(super) fn indicator_digit() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"([|>][+-]?)[1-9]([+-]?)").unwrap())
}

/// Why leafseal's decrypt of sops' file (`got`) may differ from `sops decrypt`'s (`view`) by
/// design (docs/format.md: indentation indicators that read back, escaped line separators,
/// strings quoted for YAML 1.1 readers, comments kept in empty flow collections): `Some(reason)`
/// when every document holds the same data as sops reads it (each document through
/// `sops encrypt --unencrypted-regex '.*' --output-type json`) and the comments are the same,
/// in the same order. YAML only: the other stores have no such differences.
/// `first` is sops' JSON view of the first document when known (`sops decrypt --output-type
/// json` of its own file): yaml.v3 prints some block scalars with an indentation indicator that
/// does not read back (`|4` over a 3-space body), so its printed text is no reference there.
pub(super) fn same_data_and_comments(
    cx: &Ctx,
    view: &[u8],
    got: &[u8],
    first: Option<serde_json::Value>,
) -> Option<String> {
    if cx.kind != Kind::Yaml {
        return None;
    }
    let (v, g) = (
        std::str::from_utf8(view).ok()?,
        std::str::from_utf8(got).ok()?,
    );
    if comment_lines(v) != comment_lines(g) || !docs_same_data(cx, v, g, first) {
        return None;
    }
    let (vl, gl): (Vec<_>, Vec<_>) = (v.lines().collect(), g.lines().collect());
    let i = vl.iter().zip(&gl).take_while(|(a, b)| a == b).count();
    let (a, b) = (
        vl.get(i).copied().unwrap_or(""),
        gl.get(i).copied().unwrap_or(""),
    );
    let unquote = |l: &str| l.replace(['\'', '"'], "");
    let own_line_comments = |t: &str| {
        t.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count()
    };
    Some(
        if own_line_comments(v) != own_line_comments(g) {
            "comment in an empty flow collection"
        } else if b.contains("\\L") || b.contains("\\P") || b.contains("\\N") {
            "escaped line separator"
        } else if block_header_re().is_match(a.trim_end()) {
            "block scalar indentation indicator"
        } else if unquote(a) == unquote(b) {
            "quoted for YAML 1.1 readers"
        } else {
            "other layout"
        }
        .to_owned(),
    )
}

/// sops' canonical YAML of one document's data (values left unencrypted, metadata and
/// comment lines dropped): the same text for the same data and types, when no JSON view exists.
pub(super) fn canonical_yaml(cx: &Ctx, stem: &str, doc: &str) -> Option<Vec<u8>> {
    let body = doc
        .strip_prefix("---")
        .map_or(doc, |t| t.split_once('\n').map_or("", |(_, rest)| rest));
    let file = cx.file(stem);
    cx.sb.write(&file, body.as_bytes());
    let o = cx.sops_plain(&file, "yaml", "yaml");
    if o.code != 0 {
        return None;
    }
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let data = text.split("\nsops:\n").next().unwrap_or("");
    Some(data_text(data.as_bytes(), Kind::Yaml))
}

/// Whether every document of `v` holds the same data as the same document of `g`, as sops
/// reads each (its JSON view, or its canonical YAML where it has none). `first`: sops' JSON
/// view of the first document of `v` when known.
pub(super) fn docs_same_data(cx: &Ctx, v: &str, g: &str, first: Option<serde_json::Value>) -> bool {
    let (vd, gd) = (documents(v), documents(g));
    if vd.len() != gd.len() {
        return false;
    }
    let check = || -> Option<()> {
        for (i, (a, b)) in vd.iter().zip(&gd).enumerate() {
            if a == b {
                continue;
            }
            let json = |name: &str, text: &str| {
                let file = cx.file(&format!("{name}{i}"));
                // The separator line is not part of the document for sops' reader.
                let body = text
                    .strip_prefix("---")
                    .map_or(text, |t| t.split_once('\n').map_or("", |(_, rest)| rest));
                // A document with no data (only comments) is an empty map to sops, which refuses
                // such a text on its own ("Error unmarshalling file: EOF").
                if body
                    .lines()
                    .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l == "...")
                {
                    return Some(serde_json::json!({}));
                }
                cx.sb.write(&file, body.as_bytes());
                let o = cx.plain_json(&file);
                (o.code == 0)
                    .then(|| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
                    .flatten()
                    .map(|mut v| {
                        if let Some(m) = v.as_object_mut() {
                            m.remove("sops");
                        }
                        v
                    })
            };
            let expected = match (i, &first) {
                (0, Some(v)) => Some(v.clone()),
                _ => json("dview", a),
            };
            match (expected, json("dgot", b)) {
                (Some(e), Some(g)) if e == g => {}
                (Some(_), Some(_)) => return None,
                // sops cannot print the data as JSON (an infinite or NaN float): compare sops'
                // canonical YAML of both instead, comments dropped.
                _ => {
                    if canonical_yaml(cx, &format!("cview{i}"), a)?
                        != canonical_yaml(cx, &format!("cgot{i}"), b)?
                    {
                        return None;
                    }
                }
            }
        }
        Some(())
    };
    check().is_some()
}

/// Whether sops printed a comment still encrypted when decrypting its own file (it does when
/// its encryption and decryption place a comment differently): a sops anomaly.
pub(super) fn sops_left_comment(view: &[u8]) -> bool {
    String::from_utf8_lossy(view).contains(",type:comment]")
}

/// Whether `a` and `b` are the same lines in the same order except for where their `---`
/// separators stand among comment and blank lines (the same number of them): a comment moved
/// from one document to the next, nothing else.
pub(super) fn moved_across_separator(a: &[u8], b: &[u8]) -> bool {
    let text = |x: &[u8]| String::from_utf8_lossy(x).into_owned();
    let (a, b) = (text(a), text(b));
    let separators = |t: &str| t.lines().filter(|l| l.trim_end() == "---").count();
    let others = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.trim_end() != "---")
            .map(str::to_owned)
            .collect()
    };
    // Where each separator stands: the index of the next line that is not a comment or
    // blank (a separator may only move across comments and blank lines).
    let anchors = |t: &str| -> Vec<usize> {
        let lines: Vec<&str> = t.lines().filter(|l| l.trim_end() != "---").collect();
        let mut out = Vec::new();
        let mut i = 0;
        for l in t.lines() {
            if l.trim_end() == "---" {
                let mut j = i;
                while j < lines.len()
                    && (lines[j].trim().is_empty() || lines[j].trim_start().starts_with('#'))
                {
                    j += 1;
                }
                out.push(j);
            } else {
                i += 1;
            }
        }
        out
    };
    a != b
        && separators(&a) == separators(&b)
        && others(&a) == others(&b)
        && anchors(&a) == anchors(&b)
}

/// Whether `theirs` (sops' decrypt of leafseal's file) is `view` (sops' decrypt of its own file)
/// plus comment lines of the input that `view` lacks, and nothing else.
pub(super) fn sops_drops_input_comment(input: &[u8], view: &[u8], theirs: &[u8]) -> bool {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let (input, view, theirs) = (text(input), text(view), text(theirs));
    let input_comments: HashSet<&str> = input
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
        .collect();
    let view_comments: HashSet<&str> = view
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
        .collect();
    let extra = |l: &&str| {
        let t = l.trim();
        t.starts_with('#') && !view_comments.contains(t) && input_comments.contains(t)
    };
    let kept: Vec<&str> = theirs.lines().filter(|l| !extra(l)).collect();
    kept.len() < theirs.lines().count() && kept == view.lines().collect::<Vec<_>>()
}
