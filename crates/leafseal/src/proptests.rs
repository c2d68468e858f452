//! Property tests (issue 9): Shamir split→combine, the value codec, store parse→emit identity
//! and encrypt→decrypt over generated trees.

use proptest::prelude::*;

use crate::cipher::value::{open, plaintext_of, seal, typed, Plain, Token};
use crate::cipher::DataKey;
use crate::ops::crypt::{decrypt_doc, encrypt_doc, IvStash};
use crate::store::{Format, Side, StoreOptions};
use crate::tree::select::Rule;
use crate::tree::{Branch, Doc, Value};

fn key() -> DataKey {
    DataKey::from_slice(&[7u8; 32]).expect("32 bytes")
}

/// Scalars whose canonical text round-trips exactly.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::Int),
        any::<bool>().prop_map(Value::Bool),
        (-1.0e15f64..1.0e15).prop_map(Value::Float),
        "[ -~]{0,40}".prop_map(Value::Str),
        "\\PC{0,20}".prop_map(Value::Str),
    ]
}

fn doc_of(pairs: Vec<(String, Value)>) -> Doc {
    let mut b = Branch::new();
    let mut seen = std::collections::HashSet::new();
    for (k, v) in pairs {
        if seen.insert(k.clone()) {
            b.push(k, v);
        }
    }
    Doc { branches: vec![b] }
}

/// One top-level YAML entry in one of the shapes real files have, with comments around.
fn yaml_entry() -> impl Strategy<Value = String> {
    let word = "[a-z][a-z0-9_]{0,6}";
    let plain = prop_oneof![
        "[a-z][a-z0-9 ]{0,12}[a-z0-9]".boxed(),
        any::<i32>().prop_map(|n| n.to_string()).boxed(),
        Just("true".to_string()).boxed(),
        Just("null".to_string()).boxed(),
        "'[a-z #:]{0,10}'".boxed(),
        "\"[a-z #:]{0,10}\"".boxed(),
    ];
    let comment = prop::option::of("# [a-z ]{0,10}");
    (
        word,
        plain.clone(),
        comment.clone(),
        0u8..5,
        prop::collection::vec((word, plain), 1..4),
        comment,
    )
        .prop_map(|(k, v, c, shape, kids, between)| {
            let mut s = String::new();
            match shape {
                0 => s.push_str(&format!("{k}: {v}\n")),
                1 => {
                    s.push_str(&format!("{k}:\n"));
                    // Keys of one map are unique (a repeated key is not valid YAML).
                    for (j, (ck, cv)) in kids.iter().enumerate() {
                        s.push_str(&format!("  {ck}{j}: {cv}\n"));
                    }
                }
                2 => {
                    s.push_str(&format!("{k}:\n"));
                    for (_, cv) in &kids {
                        s.push_str(&format!("- {cv}\n"));
                    }
                }
                3 => s.push_str(&format!("{k}: |\n  {v}\n\n  more\n")),
                _ => {
                    s.push_str(&format!("{k}:\n"));
                    for (ck, cv) in &kids {
                        s.push_str(&format!("  - {ck}: {cv}\n"));
                        if let Some(c) = &c {
                            s.push_str(&format!("    {c}\n"));
                        }
                    }
                }
            }
            if let Some(c) = between {
                s.push_str(&format!("{c}\n"));
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn yaml_pieces_add_up_to_the_whole_parse(
        head in prop::option::of("# [a-z]{0,8}\n"),
        entries in prop::collection::vec(yaml_entry(), 1..8),
    ) {
        let mut src = head.unwrap_or_default();
        for (i, e) in entries.iter().enumerate() {
            // Unique keys: every entry starts with its key at column 0.
            src.push_str(&format!("e{i}_{e}"));
        }
        prop_assert!(crate::store::yaml::pieces::tests::assert_pieces_add_up(&src), "not compared: {:?}", src);
    }

    #[test]
    fn shamir_split_then_combine(secret in proptest::collection::vec(any::<u8>(), 1..40), parts in 2usize..6, extra in 0usize..3) {
        let threshold = 2 + extra.min(parts - 2);
        let shares = crate::shamir::split(&secret, parts, threshold).expect("valid split");
        let pick: Vec<&[u8]> = shares.iter().rev().take(threshold).map(|s| s.as_slice()).collect();
        prop_assert_eq!(&crate::shamir::combine(&pick).expect("combine")[..], &secret[..]);
    }

    #[test]
    fn value_codec_round_trips(v in scalar(), aad in "[a-z:]{0,12}") {
        // Empty strings are never encrypted (spec §2.4): a token needs non-empty data.
        prop_assume!(v != Value::Str(String::new()));
        let k = key();
        let (kind, plain) = plaintext_of(&v).expect("a scalar");
        let tok = seal(&k, &plain, aad.as_bytes(), [3u8; 32], kind);
        let parsed = Token::parse(&tok.to_string()).expect("token parses");
        let back = open(&k, &parsed, aad.as_bytes()).expect("opens");
        match typed(kind, &back).expect("typed") {
            Plain::Value(x) => prop_assert!(x == v || matches!((&x, &v), (Value::Float(a), Value::Float(b)) if a == b)),
            Plain::Comment(_) => prop_assert!(false, "not a comment"),
        }
    }

    #[test]
    fn yaml_and_json_emit_unchanged_trees_verbatim(pairs in proptest::collection::vec(("[a-z]{1,8}", scalar()), 1..12)) {
        for format in [Format::Yaml, Format::Json] {
            let store = format.store(&StoreOptions::default());
            let canonical = store.emit(&doc_of(pairs.clone()), None, Side::Plain).expect("emit");
            let parsed = store.parse(&canonical, Side::Plain).expect("canonical output parses");
            let again = store.emit(&parsed, Some(&canonical), Side::Plain).expect("splice");
            prop_assert_eq!(again, canonical);
        }
    }

    #[test]
    fn encrypt_then_decrypt_restores_values(pairs in proptest::collection::vec(("[a-z]{1,8}", scalar()), 1..12)) {
        let original = doc_of(pairs);
        let mut doc = original.clone();
        let k = key();
        let rule = Rule::default_rule();
        let mac1 = encrypt_doc(&mut doc, &k, &rule, false, &IvStash::default()).expect("encrypts");
        let (mac2, _) = decrypt_doc(&mut doc, &k, &rule, false, &mut IvStash::default()).expect("decrypts");
        prop_assert_eq!(mac1, mac2);
        for (a, b) in original.branches[0].items.iter().zip(&doc.branches[0].items) {
            if let (crate::tree::Item::Pair(_, x), crate::tree::Item::Pair(_, y)) = (a, b) {
                prop_assert!(x.value == y.value || matches!((&x.value, &y.value), (Value::Float(p), Value::Float(q)) if p == q));
            }
        }
    }
}
