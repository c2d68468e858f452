use super::*;
use crate::tree::walk::{walk_mut, Leaf};

fn testdata(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/testdata/{name}",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
    ))
    .unwrap()
}

/// `(aad, kind)` of every leaf, as the walker sees them.
fn leaves(doc: &mut Doc) -> Vec<String> {
    let mut out = Vec::new();
    walk_mut::<()>(doc, &mut |ctx, leaf| {
        let aad = format!("{}:", ctx.path.join(":"));
        let kind = match leaf {
            Leaf::Node(n) => n.value.type_name().to_string(),
            Leaf::Comment(c) => format!("comment{}", c.text),
            Leaf::Elem(Elem::Comment(c)) => format!("comment{}", c.text),
            Leaf::Elem(Elem::Value(n)) => n.value.type_name().to_string(),
        };
        out.push(format!("{aad} {kind}"));
        Ok(())
    })
    .unwrap();
    out
}

#[test]
fn parses_sops_types_file_with_comment_positions() {
    let src = testdata("sops/yaml_types.plain.yaml");
    let mut doc = parse::parse(&src).unwrap();
    let got = leaves(&mut doc);
    let want = [
        ": comment top comment",
        "name: str",
        "age: int",
        "ratio: float",
        "big: float",
        "neg: float",
        "on: bool",
        "off_unencrypted: bool",
        "empty: str",
        "when: time",
        "day: time",
        "blob: str",
        "hexint: int",
        "octal: int",
        "quoted_num: str",
        "nested: comment nested comment",
        "nested: comment inline comment",
        "nested:key: str",
        "nested:deeper:list: str",
        "nested:deeper:list: int",
        "nested:deeper:list: float",
        "nested:deeper:list: bool",
        "nested:deeper:list:sub: str",
        "nested:deeper:list:sub_unencrypted: str",
        "nested:deeper:list: str",
        "nested:deeper:list: str",
        "secret_unencrypted: str",
        "multi: str",
    ];
    assert_eq!(got, want);
}

#[test]
fn unchanged_tree_splices_to_identical_text() {
    for f in [
        "sops/yaml_types.plain.yaml",
        "sops/yaml_types.enc.yaml",
        "sops/yaml_multidoc.enc.yaml",
        "sops/yaml_list_comment.enc.yaml",
    ] {
        let src = testdata(f);
        let store = YamlStore { indent: 4 };
        let doc = store.parse(src.as_bytes(), Side::Plain).unwrap();
        let out = store.emit(&doc, Some(src.as_bytes()), Side::Plain).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), src, "{f}");
    }
}

#[test]
fn rejects_bad_documents_with_positions() {
    for (src, needle) in [
        ("- a\n- b\n", "top level"),
        ("a: 1\na: 2\n", "already defined"),
        ("a: [1, 2\n", "line"),
        ("# only a comment\n", "only comments"),
    ] {
        let e = parse::parse(src).unwrap_err();
        assert!(e.to_string().contains(needle), "{src:?}: {e}");
    }
    assert_eq!(parse::parse("").unwrap().branches.len(), 0);
}

#[test]
fn comment_after_a_quoted_scalar_is_kept() {
    // saphyr's span of a quoted scalar runs over the trailing comment; the parser must not.
    let src = "a:\n  host: \"db\"   # why\n  other: 'x' # too\n";
    let mut doc = parse::parse(src).unwrap();
    let got = leaves(&mut doc);
    assert_eq!(
        got,
        [
            "a: comment why",
            "a:host: str",
            "a: comment too",
            "a:other: str"
        ]
    );
    let store = YamlStore { indent: 4 };
    let out = store.emit(&doc, Some(src.as_bytes()), Side::Plain).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), src);
}

#[test]
fn canonical_block_scalars_parse_back() {
    // Found by fuzzing: strings whose first line is indented, or that hold CR, must be
    // written so that they parse back to the same string.
    for s in [
        "  indented first\nsecond\n",
        "a\r\nb\n",
        "x\n  y\n",
        "\n\nlead\n",
        "trail  \nz",
        " a\n b",
    ] {
        let mut b = Branch::new();
        b.push("k", Value::Str(s.to_string()));
        let doc = Doc { branches: vec![b] };
        let out = emit::emit_doc(&doc, 4);
        let back = parse::parse(&out).unwrap_or_else(|e| panic!("{s:?} -> {out:?}: {e}"));
        assert_eq!(
            back.branches[0].get("k").map(|n| n.value.clone()),
            Some(Value::Str(s.to_string())),
            "{s:?} -> {out:?}"
        );
    }
}

#[test]
fn fuzz_reproducers_emit_canonically_and_parse_back() {
    for f in [
        "bad/enc.sops.fuzz-yaml-block-scalar-indent.yaml",
        "bad/dec.sops.fuzz-yaml-block-scalar-cr.yaml",
    ] {
        let src = testdata(f);
        let store = YamlStore { indent: 4 };
        for side in [Side::Plain, Side::Encrypted] {
            let Ok(doc) = store.parse(src.as_bytes(), side) else {
                continue;
            };
            let canon = store.emit(&doc, None, side).unwrap();
            let text = String::from_utf8(canon).unwrap();
            if let Err(e) = parse::parse(&text) {
                panic!("{f}: canonical output does not parse: {e}\n{text}");
            }
        }
    }
}
