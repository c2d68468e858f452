//! The layout entries: bound to the file version, to their node, and only for live values.

use super::*;
use crate::ops::crypt::{decrypt_doc, encrypt_doc, IvStash};
use crate::store::{Format, Side, StoreOptions};
use crate::tree::Item;

const ODD: &str = "pw: 'hunter2'\nn: 0x1F\nf: 1.50\nb: >\n  folded\n  text\nl:\n  - 012\n  - {x: 1.0, y: 'q'}\n  - |2\n     two\nk_unencrypted: 0x10\n";

fn yaml() -> Box<dyn Store> {
    Format::Yaml.store(&StoreOptions::default())
}

/// Encrypt as `ops::encrypt` does on the whole path (without the metadata): the encrypted
/// text and the bound entries.
fn encrypt(key: &DataKey, plain: &str) -> (Vec<u8>, Vec<Entry>) {
    let store = yaml();
    let rule = Rule::default_rule();
    let mut doc = store.parse(plain.as_bytes(), Side::Plain).unwrap();
    let mut entries = capture(&mut doc, plain.as_bytes(), store.as_ref(), &rule);
    encrypt_doc(&mut doc, key, &rule, false, &IvStash::default()).unwrap();
    bind(&mut doc, &mut entries, 0);
    let text = store
        .emit(&doc, Some(plain.as_bytes()), Side::Encrypted)
        .unwrap();
    (text, entries)
}

/// The decrypted tree of an encrypted text.
fn opened(key: &DataKey, enc: &[u8]) -> Doc {
    let mut doc = yaml().parse(enc, Side::Encrypted).unwrap();
    decrypt_doc(
        &mut doc,
        key,
        &Rule::default_rule(),
        false,
        &mut IvStash::default(),
    )
    .unwrap();
    doc
}

fn decrypt(key: &DataKey, enc: &[u8], entries: &[Entry]) -> String {
    let store = yaml();
    let mut doc = opened(key, enc);
    let verbatim = apply(
        &mut doc,
        entries,
        store.as_ref(),
        &Rule::default_rule(),
        enc,
    );
    let out = store
        .emit_verbatim(&doc, enc, Side::Plain, &verbatim)
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn odd_spellings_round_trip_and_every_entry_is_bound() {
    let key = DataKey::generate();
    let (enc, entries) = encrypt(&key, ODD);
    assert!(!entries.is_empty());
    for e in &entries {
        assert_eq!(e.token.len(), 8, "{e:?}");
        assert!(e.at.is_none());
    }
    // The quoted string needs no entry: its token keeps the quotes.
    assert!(!entries.iter().any(|e| e.spelling.contains("hunter2")));
    assert_eq!(decrypt(&key, &enc, &entries), ODD);
    // The block scalar records its context with the owner's column; one-line ones do not.
    let block = entries.iter().find(|e| e.aad == "b:").unwrap();
    assert_eq!(block.context, "b:0");
    let item = entries.iter().find(|e| e.spelling == "012").unwrap();
    assert_eq!(item.context, "b-");
    let flow = entries.iter().find(|e| e.spelling == "1.0").unwrap();
    assert_eq!(flow.context, "f:");
}

#[test]
fn an_entry_applies_only_to_the_token_and_context_it_was_recorded_for() {
    let key = DataKey::generate();
    let (enc, entries) = encrypt(&key, "n: 0x1F\nf: 1.50\n");
    // The same plaintext encrypted again (new IVs): same paths, other tokens.
    let (other, _) = encrypt(&key, "n: 0x1F\nf: 1.50\n");
    assert_eq!(decrypt(&key, &other, &entries), "n: 31\nf: 1.5\n");
    // Another context.
    let mut moved = entries.clone();
    for e in &mut moved {
        e.context = "f:".into();
    }
    assert_eq!(decrypt(&key, &enc, &moved), "n: 31\nf: 1.5\n");
    // A spelling that does not parse back to the value is never written.
    let mut wrong = entries.clone();
    wrong[0].spelling = "0x20".into();
    assert_eq!(decrypt(&key, &enc, &wrong), "n: 31\nf: 1.50\n");
    assert_eq!(decrypt(&key, &enc, &entries), "n: 0x1F\nf: 1.50\n");
}

#[test]
fn the_field_opens_only_with_the_mac_it_was_sealed_with() {
    let key = DataKey::generate();
    let (_, entries) = encrypt(&key, ODD);
    let mac = "ENC[AES256_GCM,data:AAAA,iv:BBBB,tag:CCCC,type:str]";
    let other = "ENC[AES256_GCM,data:AAAA,iv:DDDD,tag:CCCC,type:str]";
    let field = seal_entries(&key, mac, &entries).unwrap();
    assert_eq!(open_entries(&key, mac, &field), entries);
    assert!(open_entries(&key, other, &field).is_empty());
    assert!(open_entries(&DataKey::generate(), mac, &field).is_empty());
    // Nothing to bind to, nothing sealed.
    assert!(seal_entries(&key, "", &entries).is_none());
    assert!(seal_entries(&key, mac, &[]).is_none());
    // Format 1 (constant AAD) is not read.
    let v1 = seal(
        &key,
        br#"[["n:",0,"0x1F"]]"#,
        b"leafseal_layout:",
        random_iv(),
        "str",
    )
    .to_string();
    assert!(open_entries(&key, mac, &v1).is_empty());
    // No value's AAD (which always ends with `:`) is the field's.
    assert_ne!(aad(mac).unwrap().last(), Some(&b':'));
    assert!(aad(mac).unwrap().starts_with(AAD_PREFIX.as_bytes()));
}

#[test]
fn drop_unreadable_keeps_only_a_field_bound_to_this_mac() {
    let key = DataKey::generate();
    let (_, entries) = encrypt(&key, ODD);
    let mac = "ENC[AES256_GCM,data:AAAA,iv:BBBB,tag:CCCC,type:str]";
    let mut meta = Metadata {
        groups: Vec::new(),
        shamir_threshold: 0,
        lastmodified: String::new(),
        mac: mac.into(),
        rule: None,
        mac_only_encrypted: false,
        version: String::new(),
        layout: seal_entries(&key, mac, &entries),
    };
    drop_unreadable(&key, &mut meta);
    assert!(meta.layout.is_some());
    assert_eq!(open_meta(&key, &meta), entries);
    meta.mac = "ENC[AES256_GCM,data:AAAA,iv:EEEE,tag:CCCC,type:str]".into();
    drop_unreadable(&key, &mut meta);
    assert!(meta.layout.is_none());
}

#[test]
fn carry_over_keeps_only_spellings_of_unchanged_values() {
    let key = DataKey::generate();
    let plain = "n: 0x1F\nf: 1.50\ng: 2.50\nl:\n  - 0x10\n  - 0x11\n";
    let (enc, entries) = encrypt(&key, plain);
    assert_eq!(entries.len(), 5);
    let store = yaml();
    let rule = Rule::default_rule();
    let mut doc = opened(&key, &enc);
    let carried = carry(&mut doc, &entries, store.as_ref(), &rule, &enc);
    assert_eq!(carried.len(), 5);
    // What a rewrite shows is what decrypt shows.
    let shown = resolve(&mut doc, &carried, store.as_ref(), &rule);
    assert_eq!(
        shown,
        apply(&mut doc, &entries, store.as_ref(), &rule, &enc)
    );
    // `set ["n"] 32`, `unset ["g"]`, `unset ["l"][0]`.
    let b = &mut doc.branches[0];
    if let Some(Item::Pair(_, n)) = b
        .items
        .iter_mut()
        .find(|i| matches!(i, Item::Pair(k, _) if k.name == "n"))
    {
        n.set(Value::Int(32));
    }
    b.remove("g");
    if let Some(Item::Pair(_, l)) = b
        .items
        .iter_mut()
        .find(|i| matches!(i, Item::Pair(k, _) if k.name == "l"))
    {
        if let Value::List(items) = &mut l.value {
            items.remove(0);
        }
        l.changed = true;
    }
    let kept = carry_over(&mut doc, &carried, store.as_ref(), &rule);
    let spellings: Vec<(&str, u32, &str)> = kept
        .iter()
        .map(|e| (e.aad.as_str(), e.occurrence, e.spelling.as_str()))
        .collect();
    // The list item left keeps its spelling under its new occurrence number.
    assert_eq!(spellings, vec![("f:", 0, "1.50"), ("l:", 0, "0x11")]);
}

#[test]
fn bind_drops_entries_whose_node_was_not_encrypted() {
    let key = DataKey::generate();
    let store = yaml();
    let rule = Rule::default_rule();
    let plain = "n: 0x1F\nf: 1.50\n";
    let mut doc = store.parse(plain.as_bytes(), Side::Plain).unwrap();
    let mut entries = capture(&mut doc, plain.as_bytes(), store.as_ref(), &rule);
    let mut stray = entries[0].clone();
    stray.at = Some(9999);
    entries.push(stray);
    encrypt_doc(&mut doc, &key, &rule, false, &IvStash::default()).unwrap();
    bind(&mut doc, &mut entries, 0);
    assert_eq!(entries.len(), 2);
    assert!(entries
        .iter()
        .all(|e| !e.token.is_empty() && e.at.is_none()));
}

#[test]
fn a_users_own_plain_yaml_1_1_spelling_round_trips_and_quotes_stay() {
    // The user's text for that very token comes back as written, quoted or not; leafseal's own
    // rendering of the string `no` is quoted.
    let key = DataKey::generate();
    let plain = "a: no\nb: 'no'\nc: \"yes\"\nd: 2001-12-14 21:59:43.10 -5\ne: '0777'\n";
    let (enc, entries) = encrypt(&key, plain);
    assert_eq!(decrypt(&key, &enc, &entries), plain);
    assert_eq!(
        decrypt(&key, &enc, &[]),
        "a: \"no\"\nb: 'no'\nc: \"yes\"\nd: \"2001-12-14 21:59:43.10 -5\"\ne: '0777'\n"
    );
}

#[test]
fn debug_never_shows_a_spelling() {
    let key = DataKey::generate();
    let (_, entries) = encrypt(&key, "pw: 0x1F\n");
    let shown = format!("{entries:?}");
    assert!(!shown.contains("0x1F"), "{shown}");
    assert!(shown.contains("<4 bytes>"));
}
