//! The generated interop corpus: deterministic YAML and JSON documents that exercise every
//! scalar type, unicode, empty and multi-line strings, special characters, lists of maps,
//! nested lists, `_unencrypted` keys, comments and multi-document YAML.
//!
//! Everything is built from constants (no randomness), so a failure reproduces exactly. Each
//! string value worth checking for leaks is at least 4 characters and distinct from every key.

/// One corpus file.
pub struct Case {
    /// File name in the sandbox; its extension selects the store.
    pub name: &'static str,
    pub text: String,
    /// Plaintext strings that must not appear in an encrypted file, beyond those found
    /// automatically in the first document (multi-document YAML lists its later ones here).
    pub extra_secrets: &'static [&'static str],
}

impl Case {
    pub fn is_json(&self) -> bool {
        self.name.ends_with(".json")
    }
}

/// A long, deterministic printable string (a fixed stride walk over an alphabet that includes
/// characters YAML and JSON treat specially).
pub fn long_string(len: usize) -> String {
    const ALPHABET: &[u8] =
        b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,;:!?()/+=*&%$@~";
    (0..len)
        .map(|i| ALPHABET[(i * 37 + i / 7) % ALPHABET.len()] as char)
        .collect::<String>()
        .trim()
        .to_owned()
}

const YAML_TYPES: &str = r#"# top-level comment before everything
string: hello world
empty: ""
int: 42
negative: -17
zero: 0
float: 3.25
negative_float: -0.5
exponent: 1.5e+10
bool_true: true
bool_false: false
null_value: null
tilde_null: ~
date: 2024-02-29
timestamp: 2001-12-14T21:59:43.10-05:00
quoted_number: "12345"
yes_is_a_string: yes
literal_block: |
  first line
  second line: with colon
    indented third
folded_block: >
  folded text that
  continues here
quoted_multiline: "line one\nline two\ttabbed"
special: ": # ' \" \\ { } [ ] , & * ! | > % @"
special_plain: 'a: b # not a comment'
unicode_value: "Grüße, 世界! ☃ 🎉"
ключ: значение
日本語キー: 値です
nested:
  # nested comment
  level2:
    level3:
      deep_secret: deep value here
      deep_int: 7
    sibling: sibling value
  password_unencrypted: visible-in-clear
  config_unencrypted:
    whole: subtree stays clear
    number: 99
list_of_scalars:
  - alpha value
  # comment inside a list
  - 1234567
  - true
  - null
  - ""
list_of_maps:
  - name: first entry
    port: 8080
  - name: second entry
    tags: [red, green]
    # comment in a map inside a list
    inner:
      key: inner value
nested_lists:
  - - a1 value
    - a2 value
  - - [x1, x2]
    - b2 value
flow_map: {fk: flow value, fn: 3}
top_unencrypted: top level clear
"#;

const YAML_MULTIDOC: &str = "# first doc\n\
first: document one\n\
shared_unencrypted: clear one\n\
---\n\
second: document two\n\
list:\n  - item in doc two\n  - count: 3\n    label: map in doc two\n\
---\n\
# third doc comment\n\
third:\n  nested: document three\n  when: 2020-01-02\n";

const JSON_TYPES: &str = r#"{
  "string": "hello world",
  "empty": "",
  "int": 42,
  "negative": -17,
  "big": 9007199254740991,
  "float": 3.25,
  "small_float": 1e-7,
  "exponent": 1.5e10,
  "bool_true": true,
  "bool_false": false,
  "null_value": null,
  "multi_line": "line one\nline two\r\nline three\ttab",
  "special": ": # ' \" \\ { } [ ] , & * ! | > % @ < /",
  "escaped_unicode": "caf\u00e9 \ud83c\udf89",
  "unicode_value": "Grüße, 世界! ☃",
  "ключ": "значение",
  "empty_object": {},
  "empty_array": [],
  "nested": {
    "level2": {"level3": {"deep_secret": "deep value here", "deep_int": 7}},
    "password_unencrypted": "visible-in-clear",
    "config_unencrypted": {"whole": "subtree stays clear", "number": 99}
  },
  "list_of_scalars": ["alpha value", 1234567, true, null, "", 2.5],
  "list_of_maps": [
    {"name": "first entry", "port": 8080},
    {"name": "second entry", "tags": ["red", "green"], "inner": {"key": "inner value"}}
  ],
  "nested_lists": [["a1 value", "a2 value"], [["x1", "x2"], "b2 value"]]
}
"#;

/// `{"level0": {"value": "secret at depth 0", "items": [...], "level1": {...}}}`, 12 deep.
fn deep_json() -> String {
    let mut inner = String::from(r#"{"bottom": "the deepest secret value"}"#);
    for depth in (0..12).rev() {
        inner = format!(
            r#"{{"value": "secret at depth {depth}", "items": [{depth}, "item at depth {depth}", {{"k{depth}": "map in list {depth}"}}], "level{next}": {inner}}}"#,
            next = depth + 1
        );
    }
    format!("{{\"root\": {inner}}}\n")
}

/// All corpus files.
pub fn cases() -> Vec<Case> {
    let long = long_string(3000);
    vec![
        Case {
            name: "types.yaml",
            text: format!("{YAML_TYPES}long_string: \"{long}\"\n"),
            extra_secrets: &[],
        },
        Case {
            name: "multidoc.yaml",
            text: YAML_MULTIDOC.to_owned(),
            extra_secrets: &[
                "document two",
                "item in doc two",
                "map in doc two",
                "document three",
            ],
        },
        Case {
            name: "types.json",
            text: JSON_TYPES.replacen("{\n", &format!("{{\n  \"long_string\": \"{long}\",\n"), 1),
            extra_secrets: &[],
        },
        Case {
            name: "deep.json",
            text: deep_json(),
            extra_secrets: &[],
        },
    ]
}
