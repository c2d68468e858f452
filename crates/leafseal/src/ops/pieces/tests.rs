//! Tests of the piecewise path: it is taken where it should be and gives what the whole path
//! gives.

use super::*;
use crate::store::Format;

fn round_trip(format: Format, input: &str) {
    let enc_opts = EncryptOptions {
        input: format,
        output: format,
        store: StoreOptions::default(),
        groups: vec![crate::keys::backend("age")
            .expect("age backend")
            .parse_list("age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v")
            .expect("recipient")],
        shamir_threshold: 0,
        rule: None,
        mac_only_encrypted: false,
    };
    let key = DataKey::generate();
    let rule = Rule::default_rule();
    let mut enc = Vec::new();
    let sealed = encrypt(input.as_bytes(), &enc_opts, &key, &rule, &mut enc)
        .expect("a block-mapping file is encrypted piecewise")
        .expect("writes");
    let meta = super::super::seal_metadata(
        &enc_opts,
        &key,
        super::super::wrap_key(&enc_opts, &key).expect("wraps"),
        Some(rule),
        &sealed.mac_hex,
        &sealed.spellings,
    );
    let store = format.store(&StoreOptions::default());
    enc.extend(
        finish(sealed, &meta, input.as_bytes(), store.as_ref())
            .0
            .expect("finish"),
    );
    assert!(String::from_utf8_lossy(&enc).contains("ENC[AES256_GCM,"));
    let dec_opts = DecryptOptions {
        input: format,
        output: format,
        store: StoreOptions::default(),
        ignore_mac: false,
        extract: None,
        decryption_order: Vec::new(),
    };
    let plan = DecryptPlan::new(&enc, &dec_opts).expect("and decrypted piecewise");
    let out = plan
        .run(&enc, &dec_opts, &key)
        .expect("no fallback")
        .expect("decrypts");
    assert!(
        out.output.as_slice() == input.as_bytes(),
        "round trip changed the file"
    );
}

#[test]
fn small_and_threaded_files_round_trip_piecewise() {
    let small = "# head\na: 1 # one\n# between\nb:\n  c: 'x'\n  d: [1, 2]\ne: |\n  text\n";
    round_trip(Format::Yaml, small);
    let mut big = String::new();
    let mut i = 0;
    while big.len() < THREAD_FROM * 2 {
        big.push_str(&format!(
            "k{i}:\n  v: 0x{i:x} # hex\n  s: \"q{i}\"\n# c{i}\n"
        ));
        i += 1;
    }
    round_trip(Format::Yaml, &big);
}

/// Encrypt `input` piecewise (asserting that path is taken, in several pieces) and check
/// that it decrypts to what the whole path makes of the plaintext, with the same MAC.
fn flat_piecewise_matches_whole(format: Format, input: &str) {
    let opts = EncryptOptions {
        input: format,
        output: format,
        store: StoreOptions::default(),
        groups: Vec::new(),
        shamir_threshold: 0,
        rule: None,
        mac_only_encrypted: false,
    };
    let store = format.store(&StoreOptions::default());
    let ranges = store.pieces(input.as_bytes(), Side::Plain).expect("pieces");
    assert!(ranges.len() > 3, "{} pieces", ranges.len());
    let key = DataKey::generate();
    let rule = Rule::default_rule();
    let mut enc = Vec::new();
    let sealed = encrypt(input.as_bytes(), &opts, &key, &rule, &mut enc)
        .expect("piecewise")
        .expect("writes");
    let meta = super::super::seal_metadata(
        &opts,
        &key,
        Vec::new(),
        Some(rule.clone()),
        &sealed.mac_hex,
        &[],
    );
    enc.extend(
        finish(sealed, &meta, input.as_bytes(), store.as_ref())
            .0
            .expect("finish"),
    );
    let mut doc = store.parse(&enc, Side::Encrypted).expect("parses");
    doc.branches[0].remove("sops");
    let (mac, _) =
        super::super::crypt::decrypt_doc(&mut doc, &key, &rule, false, &mut IvStash::default())
            .expect("decrypts");
    let whole = store
        .parse(input.as_bytes(), Side::Plain)
        .expect("whole parse");
    assert_eq!(
        String::from_utf8_lossy(&store.emit(&doc, None, Side::Plain).expect("emit")),
        String::from_utf8_lossy(&store.emit(&whole, None, Side::Plain).expect("emit"))
    );
    let mut whole_doc = whole.clone();
    let whole_mac =
        super::super::crypt::encrypt_doc(&mut whole_doc, &key, &rule, false, &IvStash::default())
            .expect("whole");
    assert_eq!(
        mac, whole_mac,
        "the MAC covers the same values in the same order"
    );
    // And the encrypted layout is the whole path's, tokens aside.
    let mut whole_enc = whole_doc;
    super::super::attach_metadata(&mut whole_enc, &meta);
    let mask = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            .map(|l| match l.find("ENC[") {
                Some(i) => format!("{}ENC", &l[..i]),
                None => l.to_owned(),
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        mask(&enc),
        mask(&store.emit(&whole_enc, None, Side::Encrypted).expect("emit"))
    );
}

#[test]
fn ini_encrypts_piecewise_with_comments_and_multi_line_values() {
    let mut input = String::from("top = 1 ; default section\n\n");
    for i in 0..2500 {
        input.push_str(&format!("; about section {i}\n# second line\n\n[s{i}]\n"));
        input.push_str(&format!("a = {}\n", "v".repeat(40)));
        if i % 41 == 0 {
            input.push_str("multi = \"\"\"first\n[not_a_section]\nlast\"\"\"\n");
            input.push_str("cont = one \\\n[two]\n");
        }
        input.push_str(&format!("b = \"quoted {i}\" # note\n\n"));
    }
    flat_piecewise_matches_whole(Format::Ini, &input);
}

#[test]
fn dotenv_encrypts_piecewise_without_splitting_multi_line_values() {
    // Items of ~100 bytes, and every 97th a quoted value over three lines, so that piece
    // boundaries (every 64 KiB) fall next to and inside such values.
    let mut input = String::from("# head\n");
    for i in 0..3000 {
        if i % 97 == 0 {
            input.push_str(&format!(
                "export Q{i}=\"first {i}\nK{i}=not a key\nlast\"\n"
            ));
        } else {
            input.push_str(&format!("K{i}={}\n", "v".repeat(90)));
        }
    }
    flat_piecewise_matches_whole(Format::Dotenv, &input);
}

#[test]
fn one_line_json_is_left_to_the_whole_path() {
    // The metadata could not be laid out like the members: nothing is wrapped or kept.
    let opts = EncryptOptions {
        input: Format::Json,
        output: Format::Json,
        store: StoreOptions::default(),
        groups: Vec::new(),
        shamir_threshold: 0,
        rule: None,
        mac_only_encrypted: false,
    };
    let mut sink = Vec::new();
    let key = DataKey::generate();
    let r = encrypt(
        br#"{"a": 1, "b": "x"}"#,
        &opts,
        &key,
        &Rule::default_rule(),
        &mut sink,
    );
    assert!(r.is_none());
}

#[test]
fn json_files_round_trip_piecewise() {
    round_trip(
        Format::Json,
        "{\n  \"a\": 1,\n  \"b\": {\"c\": [true, \"x\"]},\n  \"d\": 1.50\n}\n",
    );
    round_trip(Format::Json, "{\n\t\"only\": \"one\"\n}\n");
    let mut big = String::from("{\n\t\"first\": null");
    let mut i = 0;
    while big.len() < THREAD_FROM * 2 {
        big.push_str(&format!(
            ",\n\t\"k{i}\": {{\"v\": {i}, \"s\": \"q,{{}}{i}\"}}"
        ));
        i += 1;
    }
    big.push_str("\n}\n");
    round_trip(Format::Json, &big);
}
