//! Helpers shared by the flat stores (dotenv and INI), spec §1.7 and §1.8.
//!
//! Neither format can nest, so SOPS writes its `sops` metadata as flat items whose keys spell
//! the path: `__map_<key>` steps into a map and `__list_<n>` into a list, for example
//! `key_groups__list_1__map_age__list_0__map_enc`. [`flatten`] builds those items from the
//! metadata map and [`unflatten`] rebuilds the map. [`val_to_string`] is SOPS's
//! `ValToString`, the text a non-string value gets in a format that only has strings.

use std::collections::BTreeMap;

use super::StoreError;
use crate::tree::{Branch, Elem, Item, Key, Node, Value};

const MAP_SEP: &str = "__map_";
const LIST_SEP: &str = "__list_";

/// One flat item: the joined key and its (scalar) value.
pub type FlatItem = (String, Value);

/// Flatten a map into items named `prefix` + path.
///
/// Map keys are visited in byte order at every level (SOPS 3.13 sorts the metadata before
/// flattening; 3.11 sorted the joined keys, which gives the same order while no list has ten
/// or more entries). Comments and nulls produce nothing, and neither do empty maps or lists.
pub fn flatten(b: &Branch, prefix: &str) -> Result<Vec<FlatItem>, StoreError> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    flatten_map(b, prefix, &mut out, &mut seen)?;
    Ok(out)
}

fn flatten_map(
    b: &Branch,
    prefix: &str,
    out: &mut Vec<FlatItem>,
    seen: &mut std::collections::HashSet<String>,
) -> Result<(), StoreError> {
    let mut pairs: Vec<(&str, &Value)> = b
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Pair(k, n) => Some((k.name.as_str(), &n.value)),
            Item::Comment(_) => None,
        })
        .collect();
    // Stable: duplicate keys keep their order and then collide below, as in SOPS.
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (k, v) in pairs {
        flatten_value(v, format!("{prefix}{k}"), out, seen)?;
    }
    Ok(())
}

fn flatten_value(
    v: &Value,
    key: String,
    out: &mut Vec<FlatItem>,
    seen: &mut std::collections::HashSet<String>,
) -> Result<(), StoreError> {
    match v {
        Value::Map(m) => flatten_map(m, &format!("{key}{MAP_SEP}"), out, seen),
        Value::List(l) => {
            // Indices count values only: comments inside lists are skipped without a number.
            let values = l.iter().filter_map(|e| match e {
                Elem::Value(n) => Some(&n.value),
                Elem::Comment(_) => None,
            });
            for (i, v) in values.enumerate() {
                flatten_value(v, format!("{key}{LIST_SEP}{i}"), out, seen)?;
            }
            Ok(())
        }
        // SOPS would write `<nil>`; metadata never holds a null worth keeping, so drop it.
        Value::Null => Ok(()),
        scalar => {
            if !seen.insert(key.clone()) {
                return Err(StoreError::emit(format!(
                    "found key collision {key:?} while flattening"
                )));
            }
            out.push((key, scalar.clone()));
            Ok(())
        }
    }
}

/// A path step parsed from a flat key.
#[derive(Debug, PartialEq)]
enum Token {
    Map(String),
    List(i64),
}

/// Split a flat key at every separator, scanning left to right as SOPS does: the first token
/// is a map key even when it is empty, and an unparsable list index counts as 0.
fn tokenize(key: &str) -> Vec<Token> {
    #[derive(Clone, Copy)]
    enum State {
        Normal,
        Map,
        List,
    }
    let mut tokens = Vec::new();
    let mut state = State::Normal;
    let mut last = 0;
    let mut i = 0;
    let finish = |state: State, last: usize, i: usize, tokens: &mut Vec<Token>| {
        let tok = match state {
            State::Normal => Token::Map(key.get(last..i).unwrap_or("").to_owned()),
            State::Map => Token::Map(key.get(last + MAP_SEP.len()..i).unwrap_or("").to_owned()),
            // sops-compat: `strconv.Atoi` errors are ignored, so a bad index is 0.
            State::List => Token::List(
                crate::tree::scalar::parse_go_int(key.get(last + LIST_SEP.len()..i).unwrap_or(""))
                    .unwrap_or(0),
            ),
        };
        tokens.push(tok);
    };
    let bytes = key.as_bytes();
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(MAP_SEP.as_bytes()) {
            finish(state, last, i, &mut tokens);
            last = i;
            state = State::Map;
            i += MAP_SEP.len();
        } else if rest.starts_with(LIST_SEP.as_bytes()) {
            finish(state, last, i, &mut tokens);
            last = i;
            state = State::List;
            i += LIST_SEP.len();
        } else {
            i += 1;
        }
    }
    finish(state, last, i, &mut tokens);
    tokens
}

#[derive(Default)]
struct Slot {
    value: Option<Value>,
    keys: BTreeMap<String, Slot>,
    indices: BTreeMap<i64, Slot>,
}

/// Rebuild a map from flat items (`key` without any prefix, value, 1-based source line).
///
/// Maps come out with their keys in byte order, as SOPS's `unflatten` produces them. Errors:
/// two items for the same path, a path that is both a value and a container, and list
/// indices that are not exactly `0..n`.
pub fn unflatten(items: Vec<(String, Value, usize)>) -> Result<Branch, StoreError> {
    let mut root = Slot::default();
    for (key, value, line) in items {
        let mut slot = &mut root;
        for tok in tokenize(&key) {
            slot = match tok {
                Token::Map(k) => slot.keys.entry(k).or_default(),
                Token::List(i) => slot.indices.entry(i).or_default(),
            };
        }
        if slot.value.is_some() {
            return Err(StoreError::at(
                format!("error while unflattening {key:?}: duplicate value"),
                line,
                1,
            ));
        }
        slot.value = Some(value);
    }
    match convert(root)? {
        Value::Map(b) => Ok(b),
        _ => Err(StoreError::input(
            "error while unflattening: metadata is not a map",
        )),
    }
}

fn convert(slot: Slot) -> Result<Value, StoreError> {
    let kinds = usize::from(slot.value.is_some())
        + usize::from(!slot.keys.is_empty())
        + usize::from(!slot.indices.is_empty());
    if kinds > 1 {
        return Err(StoreError::input("error while unflattening: type mismatch"));
    }
    if let Some(v) = slot.value {
        return Ok(v);
    }
    if !slot.indices.is_empty() {
        let n = slot.indices.len() as i64;
        let contiguous = slot.indices.keys().next() == Some(&0)
            && slot.indices.keys().next_back() == Some(&(n - 1));
        if !contiguous {
            return Err(StoreError::input(
                "error while unflattening: incomplete list",
            ));
        }
        let mut list = Vec::with_capacity(slot.indices.len());
        for (_, s) in slot.indices {
            list.push(Elem::Value(parsed(convert(s)?)));
        }
        return Ok(Value::List(list));
    }
    let mut b = Branch::new();
    for (k, s) in slot.keys {
        b.items.push(Item::Pair(Key::new(k), parsed(convert(s)?)));
    }
    Ok(Value::Map(b))
}

/// A node read from a file: not marked as changed.
pub(crate) fn parsed(value: Value) -> Node {
    Node {
        value,
        src: None,
        changed: false,
    }
}

/// SOPS `ValToString` (spec §1.8): the text of a scalar in a strings-only format. Strings and
/// bytes are returned as they are; collections give `None`.
pub fn val_to_string(v: &Value) -> Option<Vec<u8>> {
    Some(match v {
        Value::Str(s) => s.as_bytes().to_vec(),
        Value::Bytes(b) => b.clone(),
        Value::Int(i) => i.to_string().into_bytes(),
        Value::Uint(u) => u.to_string().into_bytes(),
        Value::Float(f) => go_float_g(*f).into_bytes(),
        Value::Bool(b) => b.to_string().into_bytes(),
        Value::Time(t) => t.rfc3339().into_bytes(),
        // sops-compat: Go's `fmt.Sprintf("%v", nil)`.
        Value::Null => b"<nil>".to_vec(),
        Value::Map(_) | Value::List(_) => return None,
    })
}

/// Go `strconv.FormatFloat(f, 'G', -1, 64)`, then `.0` appended when the text has neither a
/// `.` nor an `E` (so it cannot be mistaken for an integer), as `ValToString` does.
pub fn go_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let body = if f == 0.0 {
        "0".to_owned()
    } else {
        // Rust's `{:e}` gives the shortest round-trip digits, like Go's shortest mode.
        let sci = format!("{:e}", f.abs());
        let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let digits: String = mant.chars().filter(|c| *c != '.').collect();
        // Shortest %G switches to the exponent form outside [1e-4, 1e6).
        if !(-4..6).contains(&exp) {
            let mut s = String::new();
            s.push_str(digits.get(..1).unwrap_or("0"));
            if digits.len() > 1 {
                s.push('.');
                s.push_str(digits.get(1..).unwrap_or(""));
            }
            let esign = if exp < 0 { '-' } else { '+' };
            s.push_str(&format!("E{esign}{:02}", exp.unsigned_abs()));
            s
        } else {
            let dp = exp + 1;
            let nd = digits.len() as i32;
            if dp <= 0 {
                format!("0.{}{digits}", "0".repeat((-dp) as usize))
            } else if dp >= nd {
                format!("{digits}{}", "0".repeat((dp - nd) as usize))
            } else {
                let (a, b) = digits.split_at(dp as usize);
                format!("{a}.{b}")
            }
        }
    };
    let mut s = format!("{sign}{body}");
    if !s.contains(['.', 'E']) {
        s.push_str(".0");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    #[test]
    fn g_format_matches_go() {
        assert_eq!(go_float_g(2.0), "2.0");
        assert_eq!(go_float_g(1e10), "1E+10");
        assert_eq!(go_float_g(1.5), "1.5");
        assert_eq!(go_float_g(123456.0), "123456.0");
        assert_eq!(go_float_g(1234567.0), "1.234567E+06");
        assert_eq!(go_float_g(0.0001), "0.0001");
        assert_eq!(go_float_g(0.00001234), "1.234E-05");
        assert_eq!(go_float_g(-0.0), "-0.0");
        assert_eq!(go_float_g(-3.25), "-3.25");
        assert_eq!(go_float_g(5e-324), "5E-324");
        assert_eq!(go_float_g(1e100), "1E+100");
        assert_eq!(go_float_g(f64::NAN), "NaN");
        assert_eq!(go_float_g(f64::NEG_INFINITY), "-Inf");
    }

    #[test]
    fn tokenize_scans_left_to_right() {
        assert_eq!(
            tokenize("key_groups__list_1__map_age__list_0__map_enc"),
            vec![
                Token::Map("key_groups".into()),
                Token::List(1),
                Token::Map("age".into()),
                Token::List(0),
                Token::Map("enc".into()),
            ]
        );
        assert_eq!(
            tokenize("__map_x"),
            vec![Token::Map("".into()), Token::Map("x".into())]
        );
        assert_eq!(
            tokenize("a__list_zz"),
            vec![Token::Map("a".into()), Token::List(0)]
        );
        assert_eq!(
            tokenize("a__list_"),
            vec![Token::Map("a".into()), Token::List(0)]
        );
    }

    #[test]
    fn round_trip() {
        let items = vec![
            ("version".to_owned(), s("3.11.0"), 1),
            ("age__list_1__map_recipient".to_owned(), s("r2"), 2),
            ("age__list_0__map_recipient".to_owned(), s("r1"), 3),
            ("age__list_0__map_enc".to_owned(), s("e1"), 4),
            ("age__list_1__map_enc".to_owned(), s("e2"), 5),
            ("lastmodified".to_owned(), s("t"), 6),
        ];
        let b = unflatten(items).unwrap();
        let keys: Vec<_> = b
            .items
            .iter()
            .map(|i| match i {
                Item::Pair(k, _) => k.name.clone(),
                Item::Comment(_) => String::new(),
            })
            .collect();
        assert_eq!(keys, ["age", "lastmodified", "version"]);
        let flat = flatten(&b, "sops_").unwrap();
        let names: Vec<_> = flat.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "sops_age__list_0__map_enc",
                "sops_age__list_0__map_recipient",
                "sops_age__list_1__map_enc",
                "sops_age__list_1__map_recipient",
                "sops_lastmodified",
                "sops_version"
            ]
        );
        assert_eq!(flat[1].1, s("r1"));
    }

    #[test]
    fn unflatten_errors() {
        let dup = vec![("a".to_owned(), s("1"), 1), ("a".to_owned(), s("2"), 7)];
        let e = unflatten(dup).unwrap_err();
        assert_eq!(e.line, Some(7));
        let mismatch = vec![
            ("a".to_owned(), s("1"), 1),
            ("a__map_b".to_owned(), s("2"), 2),
        ];
        assert!(unflatten(mismatch)
            .unwrap_err()
            .msg
            .contains("type mismatch"));
        let gap = vec![
            ("a__list_0".to_owned(), s("1"), 1),
            ("a__list_2".to_owned(), s("2"), 2),
        ];
        assert!(unflatten(gap).unwrap_err().msg.contains("incomplete list"));
        let neg = vec![("a__list_-1".to_owned(), s("1"), 1)];
        assert!(unflatten(neg).is_err());
        assert!(unflatten(Vec::new()).unwrap().items.is_empty());
    }

    #[test]
    fn flatten_skips_empty_and_collides() {
        let mut b = Branch::new();
        b.push("empty", Value::List(Vec::new()));
        b.push("n", Value::Int(2));
        b.push("t", Value::Bool(true));
        let flat = flatten(&b, "").unwrap();
        assert_eq!(
            flat,
            vec![
                ("n".to_owned(), Value::Int(2)),
                ("t".to_owned(), Value::Bool(true))
            ]
        );
        let mut c = Branch::new();
        c.push("a__map_b", s("1"));
        let mut inner = Branch::new();
        inner.push("b", s("2"));
        c.push("a", Value::Map(inner));
        assert!(flatten(&c, "").is_err());
    }

    #[test]
    fn val_to_string_forms() {
        assert_eq!(val_to_string(&Value::Int(-3)).unwrap(), b"-3");
        assert_eq!(val_to_string(&Value::Bool(false)).unwrap(), b"false");
        assert_eq!(val_to_string(&Value::Float(2.0)).unwrap(), b"2.0");
        assert_eq!(val_to_string(&Value::Null).unwrap(), b"<nil>");
        assert!(val_to_string(&Value::List(Vec::new())).is_none());
        let t = crate::tree::Time::parse_rfc3339("2026-11-22T22:11:05.5+01:00").unwrap();
        assert_eq!(
            val_to_string(&Value::Time(t)).unwrap(),
            b"2026-11-22T22:11:05+01:00"
        );
    }
}
