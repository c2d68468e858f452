//! Unit tests for the TOML store: the tree a file parses into (paths, types, comments), the
//! encrypt/decrypt round trip through the real cipher, restructuring, canonical output and
//! errors.

use super::*;
use crate::cipher::DataKey;
use crate::ops::crypt::{decrypt_doc, encrypt_doc, IvStash};
use crate::store::metadata::{Metadata, StoredKey};
use crate::tree::select::Rule;
use crate::tree::walk::{walk_mut, Leaf};
use crate::tree::{Elem, Item, Node};

fn parse(s: &str) -> Doc {
    TomlStore
        .parse(s.as_bytes(), Side::Plain)
        .expect("valid toml")
}

fn emit(d: &Doc, orig: Option<&str>) -> String {
    let out = TomlStore
        .emit(d, orig.map(str::as_bytes), Side::Plain)
        .expect("emit");
    String::from_utf8(out).expect("utf8")
}

/// `path: kind` of every leaf as the walker (and so the AAD) sees it.
fn leaves(doc: &mut Doc) -> Vec<String> {
    let mut out = Vec::new();
    walk_mut::<()>(doc, &mut |ctx, leaf| {
        let kind = match leaf {
            Leaf::Comment(c) | Leaf::Elem(Elem::Comment(c)) => format!("#{}", c.text),
            Leaf::Node(n) | Leaf::Elem(Elem::Value(n)) => n.value.type_name().to_owned(),
        };
        out.push(format!("{}: {kind}", ctx.path.join(":")));
        Ok(())
    })
    .expect("walk");
    out
}

const SAMPLE: &str = r#"# top comment
title = "Example"  # after title
lit = 'C:\path'
n = 42
f = 1.5
yes = true
odt = 1979-05-27T07:32:00-08:00
ld = 1979-05-27
a.b.c = "dotted"
list = [
  1, # one
  # before two
  "two",
]
inline = { x = 1, y = { z = "deep" } }

# above owner
[owner] # on header
name = "Tom"

[servers.alpha]
ip = "10.0.0.1"

[[products]]
name = "Hammer"

# between products
[[products]]
name = "Nail"
# at the end
"#;

#[test]
fn parses_paths_types_and_comments() {
    let mut d = parse(SAMPLE);
    let got = leaves(&mut d);
    let want = [
        ": # top comment",
        "title: str",
        ": # after title",
        "lit: str",
        "n: int",
        "f: float",
        "yes: bool",
        "odt: time",
        "ld: str",
        "a:b:c: str",
        "list: int",
        "list: # one",
        "list: # before two",
        "list: str",
        "inline:x: int",
        "inline:y:z: str",
        ": # above owner",
        "owner: # on header",
        "owner:name: str",
        "servers:alpha:ip: str",
        "products:name: str",
        "products: # between products",
        "products:name: str",
        ": # at the end",
    ];
    assert_eq!(got, want);
}

#[test]
fn scalars_remember_their_source_text() {
    let d = parse(SAMPLE);
    let root = &d.branches[0];
    let text = |k: &str| {
        let s = root.get(k).and_then(|n| n.src).expect("span").span;
        &SAMPLE[s.start..s.end]
    };
    assert_eq!(text("title"), "\"Example\"");
    assert_eq!(text("lit"), "'C:\\path'");
    assert_eq!(text("ld"), "1979-05-27");
    assert!(matches!(root.get("ld").map(|n| &n.value), Some(Value::Str(s)) if s == "1979-05-27"));
    assert!(matches!(root.get("lit").map(|n| &n.value), Some(Value::Str(s)) if s == "C:\\path"));
}

#[test]
fn unchanged_tree_writes_the_original() {
    let d = parse(SAMPLE);
    assert_eq!(emit(&d, Some(SAMPLE)), SAMPLE);
}

fn metadata_branch() -> Branch {
    let mut fields = Branch::new();
    fields.push("recipient", Value::Str("age1example".into()));
    fields.push(
        "enc",
        Value::Str(
            "-----BEGIN AGE ENCRYPTED FILE-----\nAAAA\n-----END AGE ENCRYPTED FILE-----\n".into(),
        ),
    );
    Metadata {
        groups: vec![vec![StoredKey {
            kind: "age".into(),
            fields,
        }]],
        shamir_threshold: 0,
        lastmodified: "2024-01-01T00:00:00Z".into(),
        mac: "ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]".into(),
        rule: Some(Rule::default_rule()),
        mac_only_encrypted: false,
        version: "3.13.2".into(),
        layout: None,
    }
    .to_branch()
}

/// Encrypt and decrypt `plain` with the real cipher, as the ops layer does; returns the
/// encrypted text and the decrypted text.
fn round_trip(plain: &str) -> (String, String) {
    let key = DataKey::generate();
    let rule = Rule::default_rule();
    let mut doc = parse(plain);
    encrypt_doc(&mut doc, &key, &rule, false, &IvStash::default()).expect("encrypt");
    doc.branches[0].push("sops", Value::Map(metadata_branch()));
    let enc = String::from_utf8(
        TomlStore
            .emit(&doc, Some(plain.as_bytes()), Side::Encrypted)
            .expect("emit encrypted"),
    )
    .expect("utf8");

    let mut doc = TomlStore
        .parse(enc.as_bytes(), Side::Encrypted)
        .expect("encrypted file parses");
    let (_, meta) = doc.branches[0].remove("sops").expect("sops table");
    let Value::Map(mb) = meta.value else {
        panic!("sops is a table")
    };
    Metadata::from_branch(&mb).expect("metadata reads back");
    decrypt_doc(&mut doc, &key, &rule, false, &mut IvStash::default()).expect("decrypt");
    let dec = String::from_utf8(
        TomlStore
            .emit(&doc, Some(enc.as_bytes()), Side::Plain)
            .expect("emit plain"),
    )
    .expect("utf8");
    (enc, dec)
}

#[test]
fn encrypt_then_decrypt_restores_the_bytes() {
    let cases = [
        SAMPLE,
        "\n\n# only comments\n\n",
        "a = 1\n\n# end\n",
        "[t]\nx = 1\n\n\n# end\n\n",
        "\n\na = 1\n",
        "k = \"\"\"\nmulti\nline \"quoted\"\n\"\"\"\nl = '''\nraw \\n text\n'''\n",
        "[t]\nempty = \"\"\nuni = \"Grüße ☃ 🎉\"\n\"quoted key\" = 'v'\n'lit key' = \"x\\ty\"\n",
        "[[a]]\n[[a.b]]\nx = 1\n[[a]]\ny = [[1, 2], [\"x\"]]\n",
        "t = 07:32:00\nldt = 1979-05-27T07:32:00.5\nodt = 1979-05-27T07:32:00Z\n",
        "secret_unencrypted = 'stays'\n[db]\npassword = \"hunter22\"\nport_unencrypted = 5432\n",
        "x = 1\r\n# crlf comment\r\n[t]\r\ny = \"z\"\r\n",
    ];
    let mut bad = Vec::new();
    for plain in cases {
        let (enc, dec) = round_trip(plain);
        if dec != plain {
            bad.push(format!(
                "plain {plain:?}\ndecrypted {dec:?}\nencrypted:\n{enc}"
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n\n"));
}

#[test]
fn encrypted_file_hides_values_and_keeps_quoting() {
    let (enc, _) = round_trip(SAMPLE);
    for secret in [
        "Example",
        "after title",
        "C:\\path",
        "Hammer",
        "10.0.0.1",
        "deep",
        "1979-05-27T07",
    ] {
        assert!(!enc.contains(secret), "{secret:?} leaked:\n{enc}");
    }
    assert!(enc.contains("lit = 'ENC[AES256_GCM,"), "{enc}");
    assert!(enc.contains("ld = '''ENC[AES256_GCM,"), "{enc}");
    assert!(enc.contains("n = \"ENC[AES256_GCM,"), "{enc}");
    assert!(enc.contains("\n[sops]\n"), "{enc}");
    assert!(enc.contains("\n[[sops.age]]\n"), "{enc}");
    assert!(
        enc.contains("enc = \"\"\"\n-----BEGIN AGE ENCRYPTED FILE-----\nAAAA\n"),
        "{enc}"
    );
}

#[test]
fn a_missing_final_newline_is_added() {
    // The `[sops]` table needs a line of its own; the encrypted file cannot say whether the
    // plaintext ended with a newline.
    assert_eq!(round_trip("a = 1").1, "a = 1\n");
}

#[test]
fn floats_and_integer_forms_come_back_canonical() {
    let (_, dec) = round_trip("f = 1.50\ni = 0x1F\nu = 1_000\n");
    assert_eq!(dec, "f = 1.5\ni = 31\nu = 1000\n");
}

#[test]
fn added_removed_and_replaced_items_are_restructured() {
    let src = "a = 1 # keep\n\n[t]\nx = 'old'\ngone = 2\n\n[u]\nv = [1, 2]\n";
    let mut d = parse(src);
    let root = &mut d.branches[0];
    root.push("new_root", Value::Str("r".into()));
    if let Some(Node {
        value: Value::Map(t),
        ..
    }) = root.get_mut("t")
    {
        t.remove("gone");
        t.push("added", Value::Bool(true));
    }
    if let Some(Node {
        value: Value::Map(u),
        ..
    }) = root.get_mut("u")
    {
        if let Some(v) = u.get_mut("v") {
            v.set(Value::List(vec![Elem::Value(Node::new(Value::Int(3)))]));
        }
    }
    let mut m = Branch::new();
    m.push("k", Value::Str("v".into()));
    root.push("fresh", Value::Map(m));
    let out = emit(&d, Some(src));
    assert_eq!(out, "a = 1 # keep\nnew_root = \"r\"\n\n[t]\nx = 'old'\nadded = true\n\n[u]\nv = [3]\n\n[fresh]\nk = \"v\"\n");
}

/// Canonical output is data-equivalent: TOML puts a table's values before its sub-tables, so
/// the order may change, and comments inside arrays are not written.
#[test]
fn canonical_output_reads_back_the_same_data() {
    let values = |d: &mut Doc| {
        let mut v: Vec<String> = leaves(d)
            .into_iter()
            .filter(|l| !l.contains(": #"))
            .collect();
        v.sort();
        v
    };
    let mut d = parse(SAMPLE);
    let canon = emit(&d, None);
    let mut again = parse(&canon);
    assert_eq!(values(&mut again), values(&mut d), "{canon}");
    assert!(
        canon.starts_with("# top comment\ntitle = \"Example\"\n"),
        "{canon}"
    );
    assert!(canon.contains("# above owner\n[owner]\n"), "{canon}");
}

#[test]
fn metadata_with_key_groups_round_trips() {
    let mut meta = Metadata::from_branch(&metadata_branch()).expect("metadata");
    meta.groups.push(meta.groups[0].clone());
    meta.shamir_threshold = 2;
    let mut root = Branch::new();
    root.push("v", Value::Str("ENC[x]".into()));
    root.push("sops", Value::Map(meta.to_branch()));
    let text = emit(
        &Doc {
            branches: vec![root],
        },
        None,
    );
    assert!(
        text.contains("[[sops.key_groups]]\n") && text.contains("[[sops.key_groups.age]]\n"),
        "{text}"
    );
    let d = parse(&text);
    let Some(Node {
        value: Value::Map(mb),
        ..
    }) = d.branches[0].get("sops")
    else {
        panic!("sops")
    };
    assert_eq!(Metadata::from_branch(mb).expect("reads back"), meta);
}

#[test]
fn emit_value_prints_inline_values_and_tables() {
    let d = parse("l = [1, 'a']\nt = { k = 2 }\nf = 2.0\n");
    let get = |k: &str| d.branches[0].get(k).map(|n| n.value.clone()).expect("key");
    let show = |v: Value| String::from_utf8(TomlStore.emit_value(&v).expect("emit")).expect("utf8");
    assert_eq!(show(get("l")), "[1, \"a\"]");
    assert_eq!(show(get("t")), "k = 2\n");
    assert_eq!(show(get("f")), "2.0");
}

#[test]
fn values_toml_cannot_hold_fail_on_emit() {
    let mut b = Branch::new();
    b.push("n", Value::Null);
    let e = TomlStore
        .emit(&Doc { branches: vec![b] }, None, Side::Plain)
        .expect_err("null");
    assert!(e.on_emit && e.msg.contains("null"), "{e}");
    let mut b = Branch::new();
    b.push("u", Value::Uint(u64::MAX));
    assert!(TomlStore
        .emit(&Doc { branches: vec![b] }, None, Side::Plain)
        .is_err());
}

#[test]
fn malformed_input_reports_line_and_column() {
    let e = TomlStore
        .parse(b"a = 1\nb = = 2\n", Side::Plain)
        .expect_err("bad");
    assert_eq!((e.line, e.column), (Some(2), Some(5)), "{e}");
    assert!(!e.on_emit);
    let e = TomlStore
        .parse(b"a = 1\na = 2\n", Side::Plain)
        .expect_err("duplicate");
    assert_eq!(e.line, Some(2), "{e}");
    let e = TomlStore
        .parse(b"ok = 1\nx = \"\xff\"\n", Side::Plain)
        .expect_err("utf8");
    assert_eq!((e.line, e.column), (Some(2), Some(6)), "{e}");
    for bad in [
        "[",
        "[[a]]\n[a]",
        "x = [1,",
        "x = {",
        "= 1",
        "x = 1979-13-01",
        "\"unterminated",
        "x = '''",
        "a.b = 1\na = 2",
    ] {
        let e = TomlStore.parse(bad.as_bytes(), Side::Plain).expect_err(bad);
        assert!(e.line.is_some() && e.column.is_some(), "{bad:?}: {e}");
    }
}

#[test]
fn whitespace_only_file_has_no_document() {
    assert!(parse("").branches.is_empty());
    assert!(parse(" \n\n").branches.is_empty());
    assert_eq!(parse("# c\n").branches.len(), 1);
    assert!(matches!(
        parse("# c\n").branches[0].items[..],
        [Item::Comment(_)]
    ));
}
