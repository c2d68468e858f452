//! A seeded generator of hand-written-style YAML documents (issue 13 item 6).
//!
//! The documents look like what people write by hand: indentation 2, 3 or 4 chosen per level,
//! both sequence styles, block scalars of every kind (literal and folded, clip/strip/keep
//! chomping, explicit indentation indicators, header comments, trailing blank lines) at every
//! depth, comments in every position, flow collections on one line or over several, every quoting
//! style, typed scalars (including YAML 1.1-isms that go-yaml v3 reads as strings), anchors,
//! aliases and merge keys, several documents, CRLF, a BOM, non-ASCII text and files without a
//! final newline. The top level is always a map (SOPS requires it) and keys are unique per map.
//!
//! The generator writes text directly and aims at documents go-yaml accepts; a few constructs
//! (non-string keys, integers beyond 64 bits) are there on purpose because SOPS refuses them and
//! leafseal must refuse them too. Everything is a pure function of the seed.

use rand08::rngs::StdRng;
use rand08::{Rng, SeedableRng};
use std::collections::BTreeSet;

/// One generated document and what the checks need to know about it.
pub struct GenDoc {
    pub text: Vec<u8>,
    /// The document uses an alias (`*x`): SOPS expands it, so the encrypted files of the two
    /// tools may hold different numbers of tokens.
    pub has_alias: bool,
    /// Some key ends in `_unencrypted`: values (and `#` in them) stay in plaintext.
    pub has_unencrypted: bool,
    /// Constructs the document contains, for the coverage table.
    pub features: BTreeSet<&'static str>,
}

/// Generates the document for `seed`: at most about 40 lines.
pub fn generate(seed: u64) -> GenDoc {
    let mut outer = StdRng::seed_from_u64(seed);
    loop {
        let budget = outer.gen_range(5..=40);
        let mut g = G::new(StdRng::seed_from_u64(outer.gen()), budget);
        g.stream();
        let doc = g.finish();
        let lines = doc.text.iter().filter(|&&b| b == b'\n').count() + 1;
        if (3..=45).contains(&lines) {
            return doc;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AKind {
    Scalar,
    Map,
    Seq,
}

struct G {
    rng: StdRng,
    out: String,
    lines: usize,
    budget: usize,
    anchors: Vec<(String, AKind)>,
    next_anchor: usize,
    has_alias: bool,
    has_unencrypted: bool,
    feats: BTreeSet<&'static str>,
}

const KEYS: &[&str] = &[
    "name",
    "host",
    "port",
    "user",
    "password",
    "token",
    "api_key",
    "db",
    "url",
    "enabled",
    "replicas",
    "image",
    "env",
    "data",
    "config",
    "items",
    "spec",
    "metadata",
    "labels",
    "annotations",
    "script",
    "run",
    "steps",
    "with",
    "version",
    "description",
    "value",
    "key",
    "secret",
    "tls",
    "path",
    "command",
    "args",
    "default",
    "type",
    "timeout",
    "retries",
    "nested",
    "list",
    "note",
    "services",
    "volumes",
    "ports",
    "cert",
    "private_key",
    "dsn",
    "region",
    "bucket",
    "endpoint",
    "cron",
    "owner",
    "id",
];
/// Keys that are strings in go-yaml v3 but look special to YAML 1.1 readers, or need care.
const ODD_KEYS: &[&str] = &[
    "on",
    "yes",
    "no",
    "off",
    "y",
    "ca.crt",
    "x-api-key",
    "my key",
    "/v1/users",
    "clé",
    "名前",
    "a.b.c",
    "key with  two spaces",
    "UPPER",
    "k8s/app",
    "$ref",
];
/// Keys go-yaml does not read as strings: SOPS refuses the file ("non-string key").
const NON_STRING_KEYS: &[&str] = &["200", "true", "~", "1.5", "null"];

const WORDS: &[&str] = &[
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "secret",
    "hunter2",
    "postgres",
    "admin",
    "localhost",
    "value",
    "s3cr3t",
    "prod",
    "staging",
    "eu-west-1",
    "v1.2.3",
    "example.com",
    "user@example.com",
    "/usr/bin/env",
    "C:\\path\\to",
    "a:b",
    "50%",
    "foo-bar",
    "foo_bar",
    "CamelCase",
    "x",
    "it's",
    "say \"hi\"",
    "tab\there",
    "trailing\\",
    "a=b&c=d",
    "ENC",
    "--flag=1",
    "-dash",
    "?q",
];
const NON_ASCII: &[&str] = &[
    "café",
    "naïve résumé",
    "日本語のテキスト",
    "Ünïcödé",
    "emoji 🔑 key",
    "Ελληνικά",
    "привет мир",
    "€100",
    "zero\u{200b}width",
    "ﬁligature",
];
const TYPED: &[&str] = &[
    "0",
    "42",
    "-7",
    "+3",
    "0x1F",
    "0o17",
    "017",
    "08",
    "09",
    "1_000",
    "1_",
    "0b101",
    "-0x1A",
    "1.5",
    "1.0",
    "-0.0",
    ".5",
    "1.",
    "6.02e23",
    "1E-3",
    "1e3",
    "+.5",
    ".inf",
    "-.Inf",
    "+.INF",
    ".nan",
    ".NaN",
    "true",
    "false",
    "True",
    "FALSE",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "Yes",
    "NO",
    "On",
    "null",
    "Null",
    "NULL",
    "~",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10",
    "2002-12-14T21:59:43Z",
    "2024-02-29T00:00:00+01:00",
    "2024-1-2",
    "12:30",
    "12:30:45",
    "1.2.3",
    "0x",
    "1e",
    "0.1.2",
    "1,000",
    "007",
    "0o8",
    "0b2",
    "9223372036854775807",
    "-9223372036854775808",
    "3.14159265358979323846",
    "1e400",
    "1__0",
    "0xFFFFFFFF",
    "123456789012345678",
    "0.1",
    "1e-7",
    "100000000000000000000.0",
];
/// Typed scalars SOPS cannot carry (it refuses the file).
const TYPED_REFUSED: &[&str] = &["9223372036854775808", "18446744073709551615"];
const SINGLE: &[&str] = &[
    "'it''s'",
    "'a # b'",
    "''",
    "'123'",
    "'yes'",
    "'multi word'",
    "'with \"double\" inside'",
    "'back\\slash'",
    "'  padded  '",
    "'0x1F'",
    "'true'",
    "'~'",
    "'café'",
    "'key: value'",
    "'- dash'",
    "'#hash'",
    "'null'",
    "'1.0'",
];
const DOUBLE: &[&str] = &[
    "\"esc \\\" quote\"",
    "\"back\\\\slash\"",
    "\"tab\\there\"",
    "\"new\\nline\"",
    "\"\\u00e9t\\u00e9\"",
    "\"\\x41\\x42\"",
    "\"\\U0001F600\"",
    "\"\"",
    "\"a # b\"",
    "\"\\/slash\"",
    "\"trailing space \"",
    "\"123\"",
    "\"true\"",
    "\"null\"",
    "\"1e3\"",
    "\"0x1F\"",
    "\"~\"",
    "\"café\"",
    "\"#hash\"",
    "\"key: value\"",
    "\"- dash\"",
    "\"\\e\\a\\b\"",
    "\"\\_nbsp\"",
    "\"line\\u2028sep\"",
    "\"\\N next\"",
    "\"two\\n\\nbreaks\\n\"",
    "\"\\r\\n crlf\"",
    "\"yes\"",
    "\"\\0nul\"",
    // Raw NEL and LINE SEPARATOR: line breaks to go-yaml (YAML 1.1), folded inside quotes.
    "\"raw\u{2028}ls\"",
    "'raw\u{85}nel'",
];
const TAGGED: &[&str] = &[
    "!!str 123",
    "!!str yes",
    "!!int \"42\"",
    "!!float 1",
    "!!bool true",
    "!!null ''",
    "!!binary aGVsbG8=",
    "!!timestamp 2001-12-14",
    "!Ref MyBucket",
    "!Sub 'arn:aws:s3:::${Bucket}/*'",
    "!GetAtt Role.Arn",
    "!custom value",
    "!Ref 42",
    "!custom true",
    "!Sub 1.5",
    "! 42",
    "! yes",
];
const COMMENTS: &[&str] = &[
    "# note",
    "# TODO: rotate this",
    "# old password hunter2",
    "#no-space",
    "#",
    "# key: value",
    "# - item",
    "# café ☕",
    "#  two  spaces",
    "# ---",
    "# |",
    "# \"quoted\" 'text'",
    "## double hash",
    "# ENC[not a token]",
];
const BLOCK_LINES: &[&str] = &[
    "first line",
    "second line: with colon",
    "- looks like an item",
    "# not a comment",
    "key: value",
    "echo \"$HOME\" && exit 0",
    "-----BEGIN CERTIFICATE-----",
    "MIIBszCCAVmgAwIBAgIUaGVsbG8=",
    "café ☕ naïve",
    "trailing backslash \\",
    "{not: flow}",
    "[not, flow]",
    "'quoted'",
    "tab\tinside",
    "&anchor *alias !tag",
    "x",
    "---",
    "...",
];

impl G {
    fn new(rng: StdRng, budget: usize) -> Self {
        G {
            rng,
            out: String::new(),
            lines: 0,
            budget,
            anchors: Vec::new(),
            next_anchor: 1,
            has_alias: false,
            has_unencrypted: false,
            feats: BTreeSet::new(),
        }
    }

    fn p(&mut self, prob: f64) -> bool {
        self.rng.gen_bool(prob)
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.rng.gen_range(0..xs.len())]
    }

    fn w(&mut self, s: &str) {
        self.lines += s.matches('\n').count();
        self.out.push_str(s);
    }

    fn feat(&mut self, f: &'static str) {
        self.feats.insert(f);
    }

    fn indent(&mut self, n: usize) {
        let s = " ".repeat(n);
        self.w(&s);
    }

    fn step(&mut self) -> usize {
        let s = self.pick(&[2, 2, 3, 4]);
        match s {
            2 => self.feat("indent 2"),
            3 => self.feat("indent 3"),
            _ => self.feat("indent 4"),
        }
        s
    }

    fn finish(mut self) -> GenDoc {
        let crlf = self.p(0.08);
        let no_final_newline = self.p(0.15);
        let bom = self.p(0.06);
        let mut text = std::mem::take(&mut self.out);
        if crlf {
            text = text.replace('\n', "\r\n");
            self.feat("CRLF");
        }
        if no_final_newline {
            if text.ends_with("\r\n") {
                text.truncate(text.len() - 2);
            } else if text.ends_with('\n') {
                text.pop();
            }
            self.feat("no final newline");
        }
        if bom {
            text.insert(0, '\u{feff}');
            self.feat("BOM");
        }
        if !text.is_ascii() {
            self.feat("non-ASCII");
        }
        GenDoc {
            text: text.into_bytes(),
            has_alias: self.has_alias,
            has_unencrypted: self.has_unencrypted,
            features: self.feats,
        }
    }

    fn comment(&mut self) -> String {
        self.pick(COMMENTS).to_owned()
    }

    /// A comment on its own line, at the current indentation or elsewhere.
    fn own_comment(&mut self, col: usize) {
        let ind = match self.rng.gen_range(0..10) {
            0..=5 => col,
            6 => 0,
            7 | 8 => col + self.rng.gen_range(1..=4),
            _ => col.saturating_sub(2),
        };
        if ind != col {
            self.feat("comment at another indent");
        }
        self.feat("own-line comment");
        self.indent(ind);
        let c = self.comment();
        self.w(&c);
        self.w("\n");
    }

    fn blank_lines(&mut self) {
        self.feat("blank line");
        if self.p(0.15) {
            self.feat("whitespace-only line");
            let n = self.rng.gen_range(1..=4);
            self.indent(n);
        }
        self.w("\n");
        if self.p(0.2) {
            self.w("\n");
        }
    }

    /// After a value on the same line: maybe a comment or trailing spaces, then the line break.
    fn trail(&mut self) {
        if self.p(0.15) {
            self.feat("comment after value");
            let n = self.rng.gen_range(1..=3);
            self.indent(n);
            let c = self.comment();
            self.w(&c);
        } else if self.p(0.03) {
            self.feat("trailing spaces");
            let n = self.rng.gen_range(1..=3);
            self.indent(n);
        }
        self.w("\n");
    }

    fn stream(&mut self) {
        if self.p(0.2) {
            self.feat("head-of-file comment");
            let n = self.rng.gen_range(1..=3);
            for _ in 0..n {
                let c = self.comment();
                self.w(&c);
                self.w("\n");
            }
            if self.p(0.5) {
                self.w("\n");
            }
        }
        let ndocs = if self.p(0.85) {
            1
        } else if self.p(0.75) {
            2
        } else {
            3
        };
        if ndocs > 1 {
            self.feat("several documents");
        }
        if self.p(if ndocs > 1 { 0.4 } else { 0.06 }) {
            self.feat("leading ---");
            self.w("---");
            if self.p(0.2) {
                let c = self.comment();
                self.w(" ");
                self.w(&c);
            }
            self.w("\n");
        }
        let total = self.budget;
        for d in 0..ndocs {
            if d > 0 {
                if self.p(0.06) {
                    self.feat("document end marker ...");
                    self.w("...\n");
                }
                self.w("---");
                if self.p(0.15) {
                    self.feat("comment after ---");
                    let c = self.comment();
                    self.w(" ");
                    self.w(&c);
                }
                self.w("\n");
                if self.p(0.15) {
                    self.own_comment(0);
                }
            }
            self.anchors.clear();
            if d > 0 && self.p(0.12) {
                // An empty document: `{}`, only comments, or nothing (a trailing `---`).
                match self.rng.gen_range(0..3) {
                    0 => {
                        self.feat("empty document {}");
                        self.w("{}\n");
                    }
                    1 => {
                        self.feat("comment-only document");
                        self.own_comment(0);
                    }
                    _ => self.feat("empty document (nothing after ---)"),
                }
                continue;
            }
            // Share what is left of the line budget between the remaining documents.
            let left = total.saturating_sub(self.lines);
            self.budget = self.lines + left / (ndocs - d);
            self.block_map(0, false, 0);
        }
        if self.p(0.12) {
            self.blank_lines();
        }
        if self.p(0.2) {
            self.feat("end-of-file comment");
            let n = self.rng.gen_range(1..=2);
            for _ in 0..n {
                let ind = if self.p(0.8) { 0 } else { 2 };
                self.indent(ind);
                let c = self.comment();
                self.w(&c);
                self.w("\n");
            }
        }
    }

    fn key(&mut self, used: &mut BTreeSet<String>) -> (String, bool) {
        loop {
            let mut base = if self.p(0.1) {
                self.feat("odd key");
                self.pick(ODD_KEYS).to_owned()
            } else {
                self.pick(KEYS).to_owned()
            };
            let mut unenc = false;
            if self.p(0.03) {
                base.push_str("_unencrypted");
                unenc = true;
            }
            if used.contains(&base) {
                // Disambiguate instead of looping forever on small maps.
                let n = used.len();
                base = format!("{base}{n}");
                if used.contains(&base) {
                    continue;
                }
            }
            used.insert(base.clone());
            if unenc {
                self.has_unencrypted = true;
                self.feat("_unencrypted key");
            }
            if self.p(0.002) {
                self.feat("non-string key (refused)");
                let k = self.pick(NON_STRING_KEYS).to_owned();
                if used.insert(format!("\u{0}{k}")) {
                    return (k, false);
                }
            }
            let needs_quotes = base.contains("  ") || base.starts_with('$');
            let text = match self.rng.gen_range(0..20) {
                0 => {
                    self.feat("single-quoted key");
                    format!("'{base}'")
                }
                1 => {
                    self.feat("double-quoted key");
                    format!("\"{base}\"")
                }
                _ if needs_quotes => format!("\"{base}\""),
                _ => base,
            };
            return (text, unenc);
        }
    }

    fn scalar(&mut self, flow: bool) -> String {
        match self.rng.gen_range(0..100) {
            0..=24 => {
                self.feat("plain string");
                let mut ws: Vec<&str> = Vec::new();
                let n = self.rng.gen_range(1..=3);
                for _ in 0..n {
                    ws.push(self.pick(WORDS));
                }
                let s = ws.join(" ");
                if flow || s.contains(": ") || s.contains(" #") || s.starts_with(['-', '?']) {
                    // Not valid (or not what we mean) as a plain scalar here: quote it.
                    format!("'{}'", s.replace('\'', "''"))
                } else {
                    s
                }
            }
            25..=56 => {
                self.feat("typed scalar");
                if self.p(0.002) {
                    self.feat("64-bit overflow (refused)");
                    self.pick(TYPED_REFUSED).to_owned()
                } else {
                    self.pick(TYPED).to_owned()
                }
            }
            57..=68 => {
                self.feat("single-quoted");
                self.pick(SINGLE).to_owned()
            }
            69..=83 => {
                self.feat("double-quoted");
                self.pick(DOUBLE).to_owned()
            }
            84..=91 => {
                let s = self.pick(NON_ASCII);
                if flow && s.contains(' ') {
                    format!("\"{s}\"")
                } else {
                    s.to_owned()
                }
            }
            _ => {
                self.feat("URL-like plain");
                let s = self.pick(&[
                    "http://example.com:8080/path?q=1&r=2",
                    "postgres://user:pa55@db:5432/app",
                    "s3://bucket/key",
                    "127.0.0.1",
                    "::1",
                    "10.0.0.0/8",
                    "ghp_0123456789abcdef",
                    "AKIAIOSFODNN7EXAMPLE",
                    "sha256:abc123",
                    "${VAR}",
                    "$(cmd)",
                    "%s %d",
                ]);
                if flow || s.starts_with(':') || s.starts_with('%') {
                    format!("\"{s}\"")
                } else {
                    s.to_owned()
                }
            }
        }
    }

    fn new_anchor(&mut self) -> String {
        let n = format!("a{}", self.next_anchor);
        self.next_anchor += 1;
        self.feat("anchor");
        n
    }

    fn alias(&mut self, kind: Option<AKind>) -> Option<String> {
        let cands: Vec<String> = self
            .anchors
            .iter()
            .filter(|(_, k)| kind.is_none_or(|w| *k == w))
            .map(|(n, _)| n.clone())
            .collect();
        if cands.is_empty() {
            return None;
        }
        let n = cands[self.rng.gen_range(0..cands.len())].clone();
        self.has_alias = true;
        self.feat("alias");
        if let Some((_, k)) = self.anchors.iter().find(|(a, _)| *a == n) {
            if *k != AKind::Scalar {
                self.feat("alias of a collection");
            }
        }
        Some(n)
    }

    fn block_map(&mut self, col: usize, inline_first: bool, depth: usize) {
        let max = if depth == 0 { 10 } else { 5 };
        let n = self.rng.gen_range(1..=max);
        let mut keys: BTreeSet<String> = BTreeSet::new();
        for i in 0..n {
            if i > 0 && self.lines >= self.budget {
                break;
            }
            if !(i == 0 && inline_first) {
                if i > 0 && self.p(0.1) {
                    self.blank_lines();
                }
                if self.p(0.1) {
                    self.own_comment(col);
                }
                self.indent(col);
            }
            if i > 0
                && !keys.contains("<<")
                && self.anchors.iter().any(|(_, k)| *k == AKind::Map)
                && self.p(0.2)
            {
                keys.insert("<<".to_owned());
                self.feat("merge key");
                let a = self.alias(Some(AKind::Map)).expect("a map anchor exists");
                if self.p(0.25) {
                    let b = self.alias(Some(AKind::Map)).expect("a map anchor exists");
                    self.w(&format!("<<: [*{a}, *{b}]"));
                } else {
                    self.w(&format!("<<: *{a}"));
                }
                self.trail();
                continue;
            }
            let (key, unenc) = self.key(&mut keys);
            self.w(&key);
            if self.p(0.01) {
                self.feat("tab after colon");
                self.w(":\t");
                let s = self.scalar(false);
                self.w(&s);
                self.trail();
                continue;
            }
            self.w(":");
            self.map_value(col, depth, unenc);
        }
    }

    /// Writes what follows `key:` up to and including the last line break of the value.
    fn map_value(&mut self, col: usize, depth: usize, _unenc: bool) {
        let room = self.lines + 2 < self.budget;
        let deep = depth < 4 && room;
        let has_anchor = !self.anchors.is_empty();
        loop {
            match self.rng.gen_range(0..100) {
                0..=29 => {
                    self.w(" ");
                    let s = self.scalar(false);
                    self.w(&s);
                    self.trail();
                }
                30..=34 => self.empty_value(),
                35..=42 => {
                    self.w(" ");
                    self.flow(col);
                    self.trail();
                }
                43..=57 => {
                    self.w(" ");
                    self.feat("block scalar as map value");
                    if depth > 0 {
                        self.feat("block scalar below the top level");
                    }
                    self.block_scalar(col);
                }
                58..=70 if deep => {
                    let anchor = self.coll_header();
                    let step = self.step();
                    self.feat("nested map");
                    self.block_map(col + step, false, depth + 1);
                    if let Some(a) = anchor {
                        self.anchors.push((a, AKind::Map));
                    }
                }
                71..=83 if deep => {
                    let anchor = self.coll_header();
                    let c = if self.p(0.4) {
                        self.feat("sequence at the key's indent (key:\\n- x)");
                        col
                    } else {
                        self.feat("indented sequence (key:\\n  - x)");
                        col + self.step()
                    };
                    self.block_seq(c, false, depth + 1);
                    if let Some(a) = anchor {
                        self.anchors.push((a, AKind::Seq));
                    }
                }
                84..=87 if has_anchor => {
                    let a = self.alias(None).expect("an anchor exists");
                    self.w(&format!(" *{a}"));
                    self.trail();
                }
                88..=91 => {
                    let a = self.new_anchor();
                    let s = self.scalar(false);
                    self.w(&format!(" &{a} {s}"));
                    self.anchors.push((a, AKind::Scalar));
                    self.trail();
                }
                92..=96 => self.multiline_scalar(col),
                97..=99 => {
                    self.feat("tag");
                    let t = self.pick(TAGGED);
                    self.w(" ");
                    self.w(t);
                    self.trail();
                }
                _ => continue,
            }
            return;
        }
    }

    fn empty_value(&mut self) {
        self.feat("null or empty value");
        let v = self.pick(&["", "", " ~", " null", " ''", " \"\"", " Null"]);
        self.w(v);
        if v.is_empty() && self.p(0.2) {
            self.feat("comment after key: (null)");
        }
        self.trail();
    }

    /// `key:` (or `-`) of a nested collection: optional anchor and comment, then the break.
    fn coll_header(&mut self) -> Option<String> {
        let anchor = if self.p(0.12) {
            let a = self.new_anchor();
            self.w(&format!(" &{a}"));
            Some(a)
        } else {
            None
        };
        if self.p(0.15) {
            self.feat("comment after key: of a collection");
            let c = self.comment();
            self.w(" ");
            self.w(&c);
        } else if self.p(0.03) {
            self.feat("trailing spaces");
            self.w("  ");
        }
        self.w("\n");
        anchor
    }

    fn block_seq(&mut self, col: usize, inline_first: bool, depth: usize) {
        self.feat("block sequence");
        let n = self.rng.gen_range(1..=5);
        for i in 0..n {
            if i > 0 && self.lines >= self.budget {
                break;
            }
            if !(i == 0 && inline_first) {
                if i > 0 && self.p(0.08) {
                    self.blank_lines();
                }
                if self.p(0.12) {
                    if i > 0 {
                        self.feat("comment between list items");
                    }
                    self.own_comment(col);
                }
                self.indent(col);
            }
            self.w("-");
            self.seq_item(col, depth);
        }
    }

    fn seq_item(&mut self, col: usize, depth: usize) {
        let room = self.lines + 2 < self.budget;
        let deep = depth < 4 && room;
        let has_anchor = !self.anchors.is_empty();
        loop {
            match self.rng.gen_range(0..100) {
                0..=32 => {
                    self.w(" ");
                    let s = self.scalar(false);
                    self.w(&s);
                    self.trail();
                }
                33..=36 => {
                    self.feat("empty list item");
                    if self.p(0.4) {
                        self.feat("comment after empty list item");
                        let c = self.comment();
                        self.w(" ");
                        self.w(&c);
                    }
                    self.w("\n");
                }
                37..=50 => {
                    self.w(" ");
                    self.feat("block scalar as list item");
                    if depth > 0 {
                        self.feat("block scalar below the top level");
                    }
                    self.block_scalar(col);
                }
                51..=67 if deep => {
                    self.feat("map in a list item");
                    let m = if self.p(0.85) {
                        1
                    } else {
                        self.feat("several spaces after dash");
                        self.rng.gen_range(2..=3)
                    };
                    self.indent(m);
                    self.block_map(col + 1 + m, true, depth + 1);
                }
                68..=74 if deep => {
                    self.feat("sequence in a list item");
                    if self.p(0.5) {
                        self.w(" ");
                        self.block_seq(col + 2, true, depth + 1);
                    } else {
                        let anchor = self.coll_header();
                        let step = self.step();
                        self.block_seq(col + step, false, depth + 1);
                        if let Some(a) = anchor {
                            self.anchors.push((a, AKind::Seq));
                        }
                    }
                }
                75..=84 => {
                    self.w(" ");
                    self.flow(col);
                    self.trail();
                }
                85..=88 if has_anchor => {
                    let a = self.alias(None).expect("an anchor exists");
                    self.w(&format!(" *{a}"));
                    self.trail();
                }
                89..=93 => {
                    let a = self.new_anchor();
                    let s = self.scalar(false);
                    self.w(&format!(" &{a} {s}"));
                    self.anchors.push((a, AKind::Scalar));
                    self.trail();
                }
                94..=96 => {
                    self.feat("tag");
                    let t = self.pick(TAGGED);
                    self.w(" ");
                    self.w(t);
                    self.trail();
                }
                97..=99 => {
                    self.feat("quoted scalar over lines");
                    let q = self.pick(&["'", "\""]);
                    let a = self.pick(WORDS).replace(['\'', '"', '\\'], "");
                    let b = self.pick(NON_ASCII);
                    let c = col + self.step();
                    self.w(&format!(" {q}{a}\n"));
                    self.indent(c);
                    self.w(&format!("{b}{q}"));
                    self.trail();
                }
                _ => continue,
            }
            return;
        }
    }

    /// `|`/`>` with chomping, maybe an indentation indicator and a comment; then the content.
    /// `owner` is the column of the key or dash the scalar belongs to.
    fn block_scalar(&mut self, owner: usize) {
        let folded = self.p(0.4);
        let chomp = self.pick(&["", "", "-", "+"]);
        let indicator = if self.p(0.2) {
            Some(self.rng.gen_range(1..=4usize))
        } else {
            None
        };
        let mut header = String::from(if folded { ">" } else { "|" });
        self.feat(if folded {
            "folded block >"
        } else {
            "literal block |"
        });
        match chomp {
            "-" => self.feat("strip chomping -"),
            "+" => self.feat("keep chomping +"),
            _ => self.feat("clip chomping"),
        }
        match indicator {
            Some(d) if self.p(0.5) => {
                self.feat("indentation indicator");
                header.push_str(&format!("{d}{chomp}"));
            }
            Some(d) => {
                self.feat("indentation indicator");
                header.push_str(&format!("{chomp}{d}"));
            }
            None => header.push_str(chomp),
        }
        self.w(&header);
        if self.p(0.15) {
            self.feat("block header comment");
            let c = self.comment();
            let n = self.rng.gen_range(1..=2);
            self.indent(n);
            self.w(&c);
        } else if self.p(0.03) {
            self.feat("trailing spaces");
            self.w(" ");
        }
        self.w("\n");
        let content = match indicator {
            Some(d) => owner + d,
            None => owner + self.step(),
        };
        let nlines = if self.p(0.05) {
            self.feat("empty block scalar");
            0
        } else {
            self.rng.gen_range(1..=4)
        };
        if nlines > 0 && self.p(0.08) {
            self.feat("leading blank line in block scalar");
            self.w("\n");
        }
        for j in 0..nlines {
            if j > 0 && self.p(0.1) {
                self.feat("blank line inside block scalar");
                self.w("\n");
            }
            let extra = if (j > 0 || indicator.is_some()) && self.p(0.12) {
                self.feat("more-indented line in block scalar");
                self.rng.gen_range(1..=3)
            } else {
                0
            };
            self.indent(content + extra);
            let t = self.pick(BLOCK_LINES);
            self.w(t);
            if self.p(0.03) {
                self.w(" ");
            }
            self.w("\n");
        }
        if self.p(0.3) {
            self.feat("trailing blank lines after block scalar");
            let n = self.rng.gen_range(1..=2);
            for _ in 0..n {
                if self.p(0.2) {
                    let k = self.rng.gen_range(0..=content);
                    self.indent(k);
                }
                self.w("\n");
            }
        }
    }

    fn flow_item(&mut self, nest: usize, is_map: bool, keys: &mut BTreeSet<String>) -> String {
        let value = if nest < 1 && self.p(0.15) {
            self.feat("nested flow collection");
            self.flow_inline(nest + 1)
        } else {
            self.scalar(true)
        };
        if is_map {
            let mut k = self.pick(KEYS).to_owned();
            while !keys.insert(k.clone()) {
                k.push('x');
            }
            format!("{k}: {value}")
        } else {
            value
        }
    }

    fn flow_inline(&mut self, nest: usize) -> String {
        let is_map = self.p(0.4);
        let (open, close) = if is_map { ("{", "}") } else { ("[", "]") };
        if self.p(0.15) {
            self.feat("empty flow collection");
            let sp = if self.p(0.2) { " " } else { "" };
            return format!("{open}{sp}{close}");
        }
        let n = self.rng.gen_range(1..=4);
        let mut keys = BTreeSet::new();
        let items: Vec<String> = (0..n)
            .map(|_| self.flow_item(nest, is_map, &mut keys))
            .collect();
        let sep = if self.p(0.2) { "," } else { ", " };
        let pad = if self.p(0.15) { " " } else { "" };
        let trailing = if self.p(0.05) { "," } else { "" };
        format!("{open}{pad}{}{trailing}{pad}{close}", items.join(sep))
    }

    /// A flow collection as a value: on one line or over several.
    fn flow(&mut self, col: usize) {
        self.feat("flow collection");
        if !self.p(0.25) {
            let s = self.flow_inline(0);
            self.w(&s);
            return;
        }
        self.feat("flow collection over several lines");
        let is_map = self.p(0.4);
        let (open, close) = if is_map { ("{", "}") } else { ("[", "]") };
        let step = self.step();
        let close_col = match self.rng.gen_range(0..6) {
            0 => 0,
            1 => col + step,
            _ => col,
        };
        let mut keys = BTreeSet::new();
        match self.rng.gen_range(0..10) {
            0 => {
                // `a: [\n]`
                self.feat("empty flow collection over lines");
                self.w(open);
                self.w("\n");
                self.indent(close_col);
                self.w(close);
            }
            1..=5 => {
                // `a: [\n  x,\n  y\n]`
                let n = self.rng.gen_range(1..=3);
                self.w(open);
                self.w("\n");
                for i in 0..n {
                    self.indent(col + step);
                    let it = self.flow_item(0, is_map, &mut keys);
                    self.w(&it);
                    if i + 1 < n || self.p(0.15) {
                        self.w(",");
                    }
                    if self.p(0.2) {
                        self.feat("comment inside a flow collection");
                        let c = self.comment();
                        self.w(" ");
                        self.w(&c);
                    }
                    self.w("\n");
                }
                self.indent(close_col);
                self.w(close);
            }
            _ => {
                // `a: [x,\n  y]`
                let n = self.rng.gen_range(2..=3);
                self.w(open);
                let cont = match self.rng.gen_range(0..8) {
                    0 => 0,
                    1 => col,
                    _ => col + step,
                };
                for i in 0..n {
                    if i > 0 {
                        self.indent(cont);
                    }
                    let it = self.flow_item(0, is_map, &mut keys);
                    self.w(&it);
                    if i + 1 < n {
                        self.w(",\n");
                    }
                }
                self.w(close);
            }
        }
    }

    /// A plain or quoted scalar continued on the next lines (folded by the reader).
    fn multiline_scalar(&mut self, col: usize) {
        let cont = col + self.step();
        let a = self.pick(WORDS).replace(['\'', '"', '\\', ':', '#'], "");
        let b = self.pick(NON_ASCII);
        let c = self.pick(WORDS).replace(['\'', '"', '\\', ':', '#'], "");
        match self.rng.gen_range(0..4) {
            0 => {
                self.feat("plain scalar over lines");
                self.w(&format!(" {a} one\n"));
                self.indent(cont);
                self.w(&format!("{b}\n"));
                if self.p(0.3) {
                    self.w("\n");
                }
                self.indent(cont);
                self.w(&format!("{c} end"));
            }
            1 => {
                self.feat("quoted scalar over lines");
                self.w(&format!(" \"{a}\n"));
                self.indent(cont);
                self.w(&format!("{b} \\\n"));
                self.indent(cont);
                self.w(&format!("{c}\""));
            }
            2 => {
                self.feat("quoted scalar over lines");
                self.w(&format!(" '{a}\n"));
                if self.p(0.4) {
                    self.w("\n");
                }
                self.indent(cont);
                self.w(&format!("{b}'"));
            }
            _ => {
                self.feat("quoted scalar over lines");
                self.w(&format!(" \"{a}\\n\\\n"));
                self.indent(cont);
                self.w(&format!("\\ {c}\""));
            }
        }
        self.trail();
    }
}
