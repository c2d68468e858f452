//! Scalar typing as Go yaml.v3 resolves it (spec §1.2 table), because the MAC hashes typed
//! values: `yes` is a string, `012` is octal, `1_000` is 1000, `2002-12-14` is a time.

use crate::tree::{Time, Value};

const TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// Resolve a scalar. `plain` is false for quoted and block scalars; `tag` is the full tag
/// (`tag:yaml.org,2002:str`) or a local one (`!foo`), when present.
pub fn resolve(text: &str, plain: bool, tag: Option<&str>) -> Result<Value, String> {
    let short = tag.map(|t| {
        t.strip_prefix(TAG_PREFIX)
            .map(|s| format!("!!{s}"))
            .unwrap_or_else(|| t.to_owned())
    });
    match short.as_deref() {
        None | Some("!") if !plain => Ok(Value::Str(text.to_owned())),
        // The non-specific tag `!` on a plain scalar resolves it as if untagged (go-yaml).
        None | Some("!") => Ok(resolve_plain(text)),
        Some("!!str") => Ok(Value::Str(text.to_owned())),
        Some("!!binary") => {
            use base64::Engine;
            let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(clean)
                .map_err(|_| "!!binary value is not valid base64".to_string())?;
            Ok(match String::from_utf8(bytes) {
                Ok(s) => Value::Str(s),
                Err(e) => Value::Bytes(e.into_bytes()),
            })
        }
        Some(t @ ("!!int" | "!!float" | "!!bool" | "!!null" | "!!timestamp")) => {
            let v = resolve_plain(text);
            let ok = matches!(
                (t, &v),
                ("!!int", Value::Int(_) | Value::Uint(_))
                    | ("!!float", Value::Float(_))
                    | ("!!bool", Value::Bool(_))
                    | ("!!null", Value::Null)
                    | ("!!timestamp", Value::Time(_))
            );
            match (ok, t, &v) {
                (true, _, _) => Ok(v),
                (false, "!!float", Value::Int(i)) => Ok(Value::Float(*i as f64)),
                _ => Err(format!("cannot decode {text:?} as {t}")),
            }
        }
        // Unknown and local tags (`!Ref 42`, CloudFormation's and Home Assistant's): go-yaml
        // (and so SOPS) decodes such a scalar as the string it is written as.
        Some(_) => Ok(Value::Str(text.to_owned())),
    }
}

/// Resolve an untagged plain scalar.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if first == b'.' {
        return go_parse_float(s)
            .map(Value::Float)
            .unwrap_or_else(|| Value::Str(s.to_owned()));
    }
    if !(first.is_ascii_digit() || first == b'+' || first == b'-') {
        return Value::Str(s.to_owned());
    }
    if let Some(t) = Time::parse_yaml(s) {
        return Value::Time(t);
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(v) = go_parse_int(&plain) {
        return v;
    }
    if is_yaml_style_float(&plain) {
        if let Some(f) = go_parse_float(&plain) {
            return Value::Float(f);
        }
    }
    Value::Str(s.to_owned())
}

/// Go `strconv.ParseInt(s, 0, 64)`, falling back to `ParseUint` (→ [`Value::Uint`]).
fn go_parse_int(s: &str) -> Option<Value> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_owned())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_owned())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_owned())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_owned())
    } else {
        (10, lower)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mag = u128::from_str_radix(&digits, radix).ok()?;
    if neg {
        if mag <= i64::MAX as u128 + 1 {
            return Some(Value::Int((-(mag as i128)) as i64));
        }
        None
    } else if mag <= i64::MAX as u128 {
        Some(Value::Int(mag as i64))
    } else if mag <= u64::MAX as u128 {
        Some(Value::Uint(mag as u64))
    } else {
        None
    }
}

/// yaml.v3's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    } else {
        if !digits(&mut i) {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

fn go_parse_float(s: &str) -> Option<f64> {
    let f: f64 = s.parse().ok()?;
    // Go's ParseFloat reports out-of-range values as errors.
    if f.is_infinite() {
        return None;
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_yaml_v3() {
        let cases: &[(&str, Value)] = &[
            ("yes", Value::Str("yes".into())),
            ("on", Value::Str("on".into())),
            ("012", Value::Int(10)),
            ("0o17", Value::Int(15)),
            ("0x1F", Value::Int(31)),
            ("1_000", Value::Int(1000)),
            ("-0x10", Value::Int(-16)),
            ("1e10", Value::Float(1e10)),
            ("1.50", Value::Float(1.5)),
            (".5", Value::Float(0.5)),
            ("-.inf", Value::Float(f64::NEG_INFINITY)),
            ("18446744073709551615", Value::Uint(u64::MAX)),
            ("~", Value::Null),
            ("True", Value::Bool(true)),
            ("1.2.3", Value::Str("1.2.3".into())),
            ("3.11.0", Value::Str("3.11.0".into())),
            ("+12", Value::Int(12)),
        ];
        for (s, want) in cases {
            assert_eq!(&resolve_plain(s), want, "{s}");
        }
        assert!(matches!(resolve_plain("2002-12-14"), Value::Time(_)));
        assert_eq!(
            resolve("aGVsbG8=", true, Some("tag:yaml.org,2002:binary")).unwrap(),
            Value::Str("hello".into())
        );
        assert_eq!(
            resolve("123", false, None).unwrap(),
            Value::Str("123".into())
        );
    }
}
