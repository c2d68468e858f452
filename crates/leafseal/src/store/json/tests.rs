//! Unit tests for the JSON store: parser spans and errors, Go-compatible escaping and float
//! formatting, canonical output against files SOPS wrote, and splicing.

use super::*;
use crate::tree::{Branch, Elem, Item, Node, Span, Time};

fn store() -> JsonStore {
    JsonStore { indent: None }
}

fn parse(s: &str) -> Doc {
    store()
        .parse(s.as_bytes(), Side::Plain)
        .expect("valid json")
}

fn parse_err(s: &[u8]) -> StoreError {
    store().parse(s, Side::Plain).expect_err("invalid json")
}

fn canonical(d: &Doc) -> String {
    String::from_utf8(store().emit(d, None, Side::Plain).expect("emit")).expect("utf8")
}

fn spliced(d: &Doc, orig: &str) -> String {
    String::from_utf8(
        store()
            .emit(d, Some(orig.as_bytes()), Side::Plain)
            .expect("emit"),
    )
    .expect("utf8")
}

fn testdata(name: &str) -> String {
    let p = format!(
        "{}/testdata/sops/{name}",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
    );
    std::fs::read_to_string(&p).expect("testdata file")
}

fn root(d: &Doc) -> &Branch {
    &d.branches[0]
}

fn pairs(b: &Branch) -> Vec<(&str, &Node, Span)> {
    b.items
        .iter()
        .map(|i| match i {
            Item::Pair(k, n) => (k.name.as_str(), n, k.span.expect("span")),
            Item::Comment(_) => panic!("json has no comments"),
        })
        .collect()
}

fn cut(s: &str, sp: Span) -> String {
    format!("{}{}", &s[..sp.start], &s[sp.end..])
}

#[test]
fn scalar_spans_cover_tokens() {
    let s = r#"{"a": "x\"y", "b" : -12.5e3 ,"c":[true, null]}"#;
    let d = parse(s);
    let p = pairs(root(&d));
    let span = |n: &Node| n.src.expect("src").span;
    assert_eq!(&s[span(p[0].1).start..span(p[0].1).end], r#""x\"y""#);
    assert_eq!(p[0].1.value, Value::Str("x\"y".into()));
    assert_eq!(&s[span(p[1].1).start..span(p[1].1).end], "-12.5e3");
    assert_eq!(p[1].1.value, Value::Float(-12500.0));
    let Value::List(l) = &p[2].1.value else {
        panic!("list")
    };
    let Elem::Value(t) = &l[0] else {
        panic!("elem")
    };
    assert_eq!(&s[span(t).start..span(t).end], "true");
    assert!(!t.changed);
    assert_eq!(t.src.expect("src").style, crate::tree::Style::Plain);
    assert!(t.src.expect("src").in_flow);
    assert_eq!(root(&d).end, Some(s.len() - 1));
}

#[test]
fn member_spans_can_each_be_cut() {
    let s = "{\n\t\"a\": 1,\n\t\"b\": {\"x\": [1]},\n\t\"c\": \"z\"\n}\n";
    let d = parse(s);
    let p = pairs(root(&d));
    assert_eq!(&s[p[0].2.start..p[0].2.end], "\"a\": 1,\n\t");
    assert_eq!(&s[p[1].2.start..p[1].2.end], ",\n\t\"b\": {\"x\": [1]}");
    assert_eq!(
        cut(s, p[0].2),
        "{\n\t\"b\": {\"x\": [1]},\n\t\"c\": \"z\"\n}\n"
    );
    for (_, _, sp) in &p {
        store()
            .parse(cut(s, *sp).as_bytes(), Side::Plain)
            .expect("still valid");
    }
    let single = r#"{"only": [1, 2]}"#;
    let d = parse(single);
    assert_eq!(cut(single, pairs(root(&d))[0].2), "{}");
}

#[test]
fn duplicates_are_kept_in_order() {
    let d = parse(r#"{"k": 1, "z": 0, "k": 2}"#);
    let names: Vec<_> = pairs(root(&d)).iter().map(|p| p.0).collect();
    assert_eq!(names, ["k", "z", "k"]);
    assert_eq!(
        canonical(&d),
        "{\n\t\"k\": 1,\n\t\"z\": 0,\n\t\"k\": 2\n}\n"
    );
}

#[test]
fn numbers() {
    let d = parse(
        r#"{"a": 7, "b": -0, "c": 2.0, "d": 1e2, "e": 12345678901234567, "f": 99999999999999999999, "g": -9223372036854775808}"#,
    );
    let v: Vec<_> = pairs(root(&d)).iter().map(|p| p.1.value.clone()).collect();
    assert_eq!(v[0], Value::Int(7));
    assert_eq!(v[1], Value::Int(0));
    assert_eq!(v[2], Value::Float(2.0));
    assert_eq!(v[3], Value::Float(100.0));
    assert_eq!(v[4], Value::Int(12345678901234567));
    assert_eq!(v[5], Value::Float(1e20));
    assert_eq!(v[6], Value::Int(i64::MIN));
    let e = parse_err(br#"{"x": 1e400}"#);
    assert_eq!((e.line, e.column), (Some(1), Some(7)));
    assert!(e.msg.contains("out of range"), "{}", e.msg);
    for bad in [
        &b"{\"x\": 01}"[..],
        b"{\"x\": 1.}",
        b"{\"x\": -}",
        b"{\"x\": 1e}",
        b"{\"x\": .5}",
        b"{\"x\": +1}",
    ] {
        parse_err(bad);
    }
}

#[test]
fn strings_and_escapes() {
    let d = parse(r#"{"s": "a\/b\\c\"d\b\f\n\r\t\u00e9\ud83d\ude00\ud800x\udc00", "é😀": ""}"#);
    let p = pairs(root(&d));
    assert_eq!(
        p[0].1.value,
        Value::Str("a/b\\c\"d\u{8}\u{c}\n\r\té😀\u{FFFD}x\u{FFFD}".into())
    );
    assert_eq!(p[1].0, "é😀");
    assert!(parse_err(b"{\"s\": \"a\nb\"}")
        .msg
        .contains("control character"));
    assert!(parse_err(br#"{"s": "\x"}"#).msg.contains("escape"));
    assert!(parse_err(br#"{"s": "\u12"}"#).msg.contains("escape"));
    assert!(parse_err(br#"{"s": "abc"#).msg.contains("unterminated"));
}

#[test]
fn errors_have_positions() {
    let e = parse_err(b"[1, 2]");
    assert_eq!(e.msg, "top-level value must be an object");
    assert!(!e.on_emit);
    assert_eq!(
        parse_err(b"  \"x\"").msg,
        "top-level value must be an object"
    );
    let e = parse_err(b"{\n  \"a\": 1\n  \"b\": 2\n}");
    assert_eq!(e.msg, "expected ',' or '}' after object member");
    assert_eq!((e.line, e.column), (Some(3), Some(3)));
    let e = parse_err("{\"é\": tru}".as_bytes());
    assert_eq!((e.line, e.column), (Some(1), Some(7)));
    let e = parse_err("{\"a\": é}".as_bytes());
    assert_eq!(e.msg, "unexpected character 'é' looking for a value");
    let e = parse_err(b"{\"a\": [1 2]}");
    assert_eq!(e.msg, "expected ',' or ']' after array element");
    let e = parse_err(b"{\"a\" 1}");
    assert_eq!(e.msg, "expected ':' after object key");
    let e = parse_err(b"{\"a\": 1,}");
    assert_eq!(e.msg, "expected string key after ','");
    let e = parse_err(b"{\"a\": \"\xff\"}");
    assert!(e.msg.contains("utf-8"));
    assert_eq!((e.line, e.column), (Some(1), Some(8)));
    parse_err(b"{} x");
    parse_err(b"");
    parse_err(b"{\"a\": 1");
    parse_err(b"{\"a\": ");
    parse_err(b"{\"a\"");
    parse_err(b"{");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let n = 20_000;
    let s = format!("{{\"a\": {}{}}}", "[".repeat(n), "]".repeat(n));
    assert_eq!(parse_err(s.as_bytes()).msg, "nesting too deep");
    let s = format!("{{\"a\": {}1{}}}", "{\"b\": ".repeat(n), "}".repeat(n));
    assert_eq!(parse_err(s.as_bytes()).msg, "nesting too deep");
}

#[test]
fn moderately_deep_nesting_round_trips() {
    // Deep (just under the parser limit) and written without recursion in the writers.
    let n = 900; // just under parse::MAX_DEPTH
    let s = format!("{{\"a\": {}1{}}}", "[".repeat(n), "]".repeat(n));
    let d = parse(&s);
    let out = canonical(&d);
    assert!(out.starts_with("{\n\t\"a\": [\n\t\t[\n"));
    assert_eq!(spliced(&d, &s), format!("{s}\n"));
}

#[test]
fn go_string_escaping() {
    assert_eq!(
        quote_str("x\u{8}\u{c}\u{1}\u{7f}\u{2028}\u{2029}<>&\u{FFFD} é\"\\/\t\r\n"),
        "\"x\\b\\f\\u0001\u{7f}\\u2028\\u2029\\u003c\\u003e\\u0026\u{FFFD} é\\\"\\\\/\\t\\r\\n\""
    );
    let mut out = String::new();
    write::push_scalar(&mut out, &Value::Bytes(b"a\xffb\xe2\x82".to_vec())).expect("bytes");
    assert_eq!(out, r#""a\ufffdb\ufffd\ufffd""#);
}

#[test]
fn es6_floats() {
    let cases = [
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (1.23456789e23, "1.23456789e+23"),
        (5e-324, "5e-324"),
        (-0.0, "-0"),
        (2.0, "2"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (-1.5e-10, "-1.5e-10"),
        (1.5e300, "1.5e+300"),
        (2.71, "2.71"),
    ];
    for (f, want) in cases {
        assert_eq!(format_float(f).as_deref(), Some(want), "{f}");
    }
    assert_eq!(format_float(f64::NAN), None);
    let e = store()
        .emit_value(&Value::Float(f64::INFINITY))
        .expect_err("inf");
    assert!(e.on_emit);
}

#[test]
fn canonical_matches_sops_output() {
    // What `sops decrypt` printed for each file: parsing and re-emitting is the identity.
    for name in [
        "json_types.sops-decrypted.json",
        "all_key_types.sops-decrypted.json",
        "independent_python.sops-decrypted.json",
        "all_key_types.enc.json",
        "json_types.enc.json",
        "independent_python.enc.json",
        "binary.enc.bin",
    ] {
        let text = testdata(name);
        assert_eq!(canonical(&parse(&text)), text, "{name}");
        assert_eq!(spliced(&parse(&text), &text), text, "{name}");
    }
}

#[test]
fn canonical_from_compact_plain_input() {
    // json_types.plain.json is one line; SOPS's decrypt of its encryption is the canonical form.
    // Only `big` differs: SOPS 3.11 read it as a float64 and lost precision.
    let plain = testdata("json_types.plain.json");
    let want = testdata("json_types.sops-decrypted.json")
        .replace("12345678901234568", "12345678901234567");
    assert_eq!(canonical(&parse(&plain)), want);
    assert_eq!(spliced(&parse(&plain), &plain), plain);
}

#[test]
fn indent_options() {
    let d = parse(r#"{"a": {"b": [1, {}]}, "c": []}"#);
    let two = JsonStore { indent: Some(2) }
        .emit(&d, None, Side::Plain)
        .expect("emit");
    assert_eq!(
        String::from_utf8_lossy(&two),
        "{\n  \"a\": {\n    \"b\": [\n      1,\n      {}\n    ]\n  },\n  \"c\": []\n}\n"
    );
    let zero = JsonStore { indent: Some(0) }
        .emit(&d, None, Side::Plain)
        .expect("emit");
    assert_eq!(
        String::from_utf8_lossy(&zero),
        "{\n\"a\": {\n\"b\": [\n1,\n{}\n]\n},\n\"c\": []\n}\n"
    );
}

#[test]
fn emit_value_and_other_scalars() {
    // As `sops decrypt --extract` prints them (checked with sops 3.11): objects end with a
    // newline, arrays and scalars do not.
    let s = store();
    assert_eq!(s.emit_value(&Value::Int(5)).expect("int"), b"5");
    assert_eq!(
        s.emit_value(&Value::Uint(u64::MAX)).expect("uint"),
        b"18446744073709551615"
    );
    assert_eq!(
        s.emit_value(&Value::List(vec![Elem::Value(Node::new(Value::Bool(
            true
        )))]))
        .expect("list"),
        b"[\n\ttrue\n]"
    );
    let t = Time {
        year: 2002,
        month: 12,
        day: 14,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 5000,
        offset: None,
    };
    assert_eq!(
        s.emit_value(&Value::Time(t)).expect("time"),
        b"\"2002-12-14T00:00:00.000005Z\""
    );
    let mut b = Branch::new();
    b.push(
        "k",
        Value::List(vec![
            Elem::Comment(crate::tree::Comment::new(" c")),
            Elem::Value(Node::new(Value::Null)),
        ]),
    );
    b.items
        .push(Item::Comment(crate::tree::Comment::new(" dropped")));
    assert_eq!(
        s.emit_value(&Value::Map(b)).expect("map"),
        b"{\n\t\"k\": [\n\t\tnull\n\t]\n}\n"
    );
    assert_eq!(canonical(&Doc::default()), "{}\n");
}

#[test]
fn splice_without_changes_is_identity() {
    for s in [
        "{}\n",
        "  {\"a\" : 1 , \"b\":[ ] }  \n",
        "{\r\n  \"a\": \"\\u00e9\",\r\n  \"n\": 1.50\r\n}\r\n",
        "{\"dup\": 1, \"dup\": 2}\n",
    ] {
        assert_eq!(spliced(&parse(s), s), s);
    }
}

#[test]
fn a_file_without_a_final_line_break_gets_one() {
    // Issue 22: every JSON file written ends with a line break, as SOPS writes them (sops
    // 3.5-3.7 wrote none), whatever else is kept.
    for s in ["{}", "{\"a\": 1}  ", "{\r\n  \"a\": 1\r\n}"] {
        assert_eq!(spliced(&parse(s), s), format!("{s}\n"));
    }
}

#[test]
fn splice_changed_values() {
    let s =
        "{\n  \"a\": 1.50,  \"keep\": \"x\",\n  \"l\": [1, \"two\"],\n  \"o\": {\"in\": true}\n}\n";
    let mut d = parse(s);
    let b = &mut d.branches[0];
    b.get_mut("a")
        .expect("a")
        .set(Value::Str("ENC[<&>]".into()));
    if let Some(Node {
        value: Value::List(l),
        ..
    }) = b.get_mut("l")
    {
        if let Elem::Value(n) = &mut l[1] {
            n.set(Value::Float(1e21));
        }
    }
    if let Some(Node {
        value: Value::Map(m),
        ..
    }) = b.get_mut("o")
    {
        let mut inner = Branch::new();
        inner.push("x", Value::Int(1));
        m.get_mut("in").expect("in").set(Value::Map(inner));
    }
    let out = spliced(&d, s);
    assert_eq!(
        out,
        "{\n  \"a\": \"ENC[\\u003c\\u0026\\u003e]\",  \"keep\": \"x\",\n  \"l\": [1, 1e+21],\n  \"o\": {\"in\": {\n    \"x\": 1\n  }}\n}\n"
    );
    parse(&out);
}

fn sops_meta() -> Value {
    let mut age = Branch::new();
    age.push("recipient", Value::Str("age1xyz".into()));
    let mut m = Branch::new();
    m.push(
        "age",
        Value::List(vec![Elem::Value(Node::new(Value::Map(age)))]),
    );
    m.push("version", Value::Str("3.13.2".into()));
    Value::Map(m)
}

#[test]
fn splice_removes_sops_member() {
    let enc = testdata("json_types.enc.json");
    let mut d = parse(&enc);
    d.branches[0].remove("sops").expect("sops");
    let out = spliced(&d, &enc);
    let back = parse(&out);
    assert!(root(&back).get("sops").is_none());
    assert!(out.ends_with("type:str]\"\n}\n"), "{out}");
    // Remove every other member too, in any combination, and the rest stays valid JSON.
    let s = "{\n\t\"a\": 1,\n\t\"b\": 2,\n\t\"c\": 3,\n\t\"d\": 4\n}\n";
    for mask in 0u32..16 {
        let mut d = parse(s);
        for (i, k) in ["a", "b", "c", "d"].iter().enumerate() {
            if mask & (1 << i) != 0 {
                d.branches[0].remove(k);
            }
        }
        let out = spliced(&d, s);
        let back = parse(&out);
        assert_eq!(
            root(&back).items.len(),
            4 - mask.count_ones() as usize,
            "{out}"
        );
        if mask == 15 {
            assert_eq!(out, "{}\n");
        }
    }
    let mut d = parse(s);
    d.branches[0].remove("a");
    d.branches[0].remove("b");
    assert_eq!(spliced(&d, s), "{\n\t\"c\": 3,\n\t\"d\": 4\n}\n");
}

#[test]
fn splice_appends_sops_member() {
    let s = "{\n    \"a\": 1,\n    \"o\": {\n        \"x\": \"y\"\n    }\n}\n";
    let mut d = parse(s);
    d.branches[0].push("sops", sops_meta());
    let out = spliced(&d, s);
    assert_eq!(
        out,
        "{\n    \"a\": 1,\n    \"o\": {\n        \"x\": \"y\"\n    },\n    \"sops\": {\n        \"age\": [\n            {\n                \"recipient\": \"age1xyz\"\n            }\n        ],\n        \"version\": \"3.13.2\"\n    }\n}\n"
    );
    let back = parse(&out);
    assert!(matches!(root(&back).items.last(), Some(Item::Pair(k, _)) if k.name == "sops"));

    // Replace the metadata: remove the old member and append a new one.
    let mut d2 = parse(&out);
    d2.branches[0].remove("sops");
    d2.branches[0].push("sops", sops_meta());
    assert_eq!(spliced(&d2, &out), out);

    // An empty object and a one-line object.
    let mut d = parse("{}\n");
    d.branches[0].push("sops", Value::Map(Branch::new()));
    assert_eq!(spliced(&d, "{}\n"), "{\n\t\"sops\": {}\n}\n");
    let one = r#"{"a": 1}"#;
    let mut d = parse(one);
    d.branches[0].push("sops", Value::Int(2));
    assert_eq!(spliced(&d, one), "{\"a\": 1, \"sops\": 2}\n");
    // Nested object, new member at the right depth.
    let mut d = parse(s);
    if let Some(Node {
        value: Value::Map(m),
        ..
    }) = d.branches[0].get_mut("o")
    {
        m.push(
            "n",
            Value::List(vec![Elem::Value(Node::new(Value::Bool(true)))]),
        );
    }
    let out = spliced(&d, s);
    assert!(
        out.contains("\"x\": \"y\",\n        \"n\": [\n            true\n        ]\n    }\n}\n"),
        "{out}"
    );
}

#[test]
fn splice_appends_to_compact_plain_file() {
    let plain = testdata("json_types.plain.json");
    let mut d = parse(&plain);
    d.branches[0].push("sops", sops_meta());
    let out = spliced(&d, &plain);
    let back = parse(&out);
    assert!(matches!(root(&back).items.last(), Some(Item::Pair(k, _)) if k.name == "sops"));
}

#[test]
fn splice_regenerates_list_with_new_elements() {
    let s = "{\n\t\"l\": [1, 2]\n}";
    let mut d = parse(s);
    if let Some(Node {
        value: Value::List(l),
        ..
    }) = d.branches[0].get_mut("l")
    {
        l.push(Elem::Value(Node::new(Value::Int(3))));
    }
    assert_eq!(
        spliced(&d, s),
        "{\n\t\"l\": [\n\t\t1,\n\t\t2,\n\t\t3\n\t]\n}\n"
    );
}

#[test]
fn splice_falls_back_to_canonical_for_foreign_trees() {
    let mut b = Branch::new();
    b.push("a", Value::Int(1));
    let d = Doc { branches: vec![b] };
    assert_eq!(spliced(&d, "{\"zzz\": 0}"), "{\n\t\"a\": 1\n}\n");
}

#[test]
fn never_panics_on_garbage() {
    let samples: [&[u8]; 12] = [
        b"{\"a\":\"\\ud800\\u",
        b"{\"a\":\"\\ud800\\uzzzz\"}",
        b"{\"a\":[{\"b\":[",
        b"{\"\\",
        b"{\"a\":-",
        b"{\"a\":1e+",
        b"\xef\xbb\xbf{}",
        b"{\"a\":nul}",
        b"{\"a\":\"\xe2\x82\"}",
        b"{\"a\":{}}}",
        b"{,}",
        b"{\"a\":[,]}",
    ];
    for s in samples {
        let _ = store().parse(s, Side::Plain);
    }
    // Every prefix of a valid document.
    let text = testdata("json_types.enc.json");
    for i in (0..text.len()).step_by(7) {
        let _ = store().parse(&text.as_bytes()[..i], Side::Plain);
    }
}

#[test]
fn splice_keeps_crlf_and_indentation_of_nested_objects() {
    let s = "{\r\n    \"o\": {\r\n        \"p\": 1\r\n    }\r\n}\r\n";
    let mut d = parse(s);
    if let Some(Node {
        value: Value::Map(m),
        ..
    }) = d.branches[0].get_mut("o")
    {
        m.get_mut("p").expect("p").set(Value::Int(2));
        m.push(
            "n",
            Value::List(vec![Elem::Value(Node::new(Value::Int(3)))]),
        );
    }
    assert_eq!(
        spliced(&d, s),
        "{\r\n    \"o\": {\r\n        \"p\": 2,\r\n        \"n\": [\r\n            3\r\n        ]\r\n    }\r\n}\r\n"
    );
}

#[test]
fn splice_ignores_changes_inside_removed_members() {
    let s = "{\"a\": {\"x\": 1}, \"b\": 2}";
    let mut d = parse(s);
    if let Some(Node {
        value: Value::Map(m),
        ..
    }) = d.branches[0].get_mut("a")
    {
        m.get_mut("x").expect("x").set(Value::Int(9));
    }
    d.branches[0].remove("a");
    assert_eq!(spliced(&d, s), "{\"b\": 2}\n");
}
