//! The floor of issue 16: the work no SOPS-compatible encrypt or decrypt of a YAML or JSON file
//! can avoid, on one core, for `bench/run.py` to time leafseal against.
//!
//! ```text
//! cargo build --release --example floor
//! target/release/examples/floor encrypt FILE.yaml RECIPIENT > out   # or FILE.json
//! target/release/examples/floor decrypt FILE.yaml > out             # SOPS_AGE_KEY_FILE
//! ```
//!
//! What it does, and nothing else: read the file; parse it (YAML: saphyr's event parser, the
//! scanner leafseal's own parser is built on, no document tree; JSON: serde_json); per scalar
//! value, AES-256-GCM with a fresh 32-byte IV under the value's path as AAD and the three base64
//! fields of the `ENC[...]` token (decrypt: the reverse); SHA-512 over every plaintext (the MAC);
//! write the result (YAML: the source with each value's text replaced; JSON: serialized again).
//! Encrypt wraps the data key for one age recipient and writes a small `sops` block; decrypt
//! unwraps it through leafseal's key recovery (the metadata block alone is parsed by leafseal).
//!
//! Not done, so the floor is a little lower than the real minimum: comments are not encrypted or
//! decrypted, values are not type-checked beyond what the token's `type` needs, no layout or
//! original spellings are kept, and nothing is read back (no write guard).
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use leafseal::cipher::value::{random_iv, Cipher};
use leafseal::cipher::DataKey;
use leafseal::store::{Format, StoreOptions};
use saphyr_parser::{Event, Parser, ScalarStyle};
use sha2::{Digest, Sha512};

type Res<T> = Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["encrypt", file, recipient] => run(file, |src, json| encrypt(src, json, recipient)),
        ["decrypt", file] => run(file, decrypt),
        _ => Err("usage: floor encrypt FILE RECIPIENT | floor decrypt FILE".into()),
    };
    match out {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("floor: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(file: &str, f: impl FnOnce(&str, bool) -> Res<Vec<u8>>) -> Res<()> {
    let src = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let out = f(&src, file.ends_with(".json"))?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&out)
        .and_then(|_| stdout.flush())
        .map_err(|e| e.to_string())
}

/// The data type SOPS records for a plain YAML scalar (enough to pick the token's `type`).
fn yaml_kind(text: &str, style: ScalarStyle) -> &'static str {
    if style != ScalarStyle::Plain {
        "str"
    } else if matches!(text, "true" | "false") {
        "bool"
    } else if text.parse::<i64>().is_ok() {
        "int"
    } else if text.parse::<f64>().is_ok() {
        "float"
    } else {
        "str"
    }
}

/// A map or list being walked, for the AAD (SOPS's: every map key on the path, then `:`).
enum Frame {
    Map { key_len: usize, want_key: bool },
    List,
}

/// What [`yaml_values`] calls for each scalar value: AAD, text, style, byte range.
type OnValue<'a> = dyn FnMut(&str, &str, ScalarStyle, (usize, usize)) -> Res<()> + 'a;

/// Walk the YAML events: `f(aad, text, style, byte range)` for every scalar value outside the
/// top-level `sops` entry. Markers count characters; the cursor turns them into byte offsets.
fn yaml_values(src: &str, f: &mut OnValue<'_>) -> Res<()> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut aad = String::new();
    let mut skip_depth: Option<usize> = None;
    let (mut chars_seen, mut bytes_seen) = (0usize, 0usize);
    let ascii = src.is_ascii();
    let mut to_byte = |ch: usize| -> usize {
        if ascii {
            return ch;
        }
        // Markers only move forward: count on from the last one.
        for c in src[bytes_seen..]
            .chars()
            .take(ch.saturating_sub(chars_seen))
        {
            bytes_seen += c.len_utf8();
        }
        chars_seen = ch.max(chars_seen);
        bytes_seen
    };
    let mut parser = Parser::new_from_str(src);
    while let Some(ev) = parser.next_event() {
        let (ev, span) = ev.map_err(|e| format!("YAML: {e}"))?;
        let (start, end) = (to_byte(span.start.index()), to_byte(span.end.index()));
        // A value ends: its map wants the next key.
        let value_done = |stack: &mut Vec<Frame>, aad: &mut String| {
            if let Some(Frame::Map { key_len, want_key }) = stack.last_mut() {
                aad.truncate(*key_len);
                *want_key = true;
            }
        };
        match ev {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let map = matches!(ev, Event::MappingStart(..));
                stack.push(if map {
                    Frame::Map {
                        key_len: aad.len(),
                        want_key: true,
                    }
                } else {
                    Frame::List
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(Frame::Map { key_len, .. }) = stack.pop() {
                    aad.truncate(key_len);
                }
                if skip_depth == Some(stack.len()) {
                    skip_depth = None;
                }
                value_done(&mut stack, &mut aad);
            }
            Event::Scalar(text, style, ..) => {
                if let Some(Frame::Map { want_key, .. }) = stack.last_mut() {
                    if *want_key {
                        *want_key = false;
                        if stack.len() == 1 && text == "sops" {
                            skip_depth = Some(1);
                        }
                        aad.push_str(&text);
                        aad.push(':');
                        continue;
                    }
                }
                if skip_depth.is_none() {
                    f(&aad, &text, style, (start, end))?;
                }
                value_done(&mut stack, &mut aad);
            }
            _ => {}
        }
    }
    Ok(())
}

// The X25519 recipients SOPS and the benchmark corpus use.
#[allow(deprecated)]
fn wrap(key: &DataKey, recipient: &str) -> Res<String> {
    let r: age::x25519::Recipient = recipient.parse().map_err(|e: &str| e.to_string())?;
    age::encrypt_and_armor(&r, key.expose()).map_err(|e| e.to_string())
}

fn now() -> String {
    leafseal::tree::Time::now_utc().rfc3339()
}

fn encrypt(src: &str, json: bool, recipient: &str) -> Res<Vec<u8>> {
    let key = DataKey::generate();
    let cipher = Cipher::new(&key);
    let mut mac = Sha512::new();
    let mut seal = |aad: &str, plain: &[u8], kind: &str| {
        mac.update(plain);
        cipher.seal_text(plain.to_vec(), aad.as_bytes(), random_iv(), kind)
    };
    let mut out;
    if json {
        let mut v: serde_json::Value = serde_json::from_str(src).map_err(|e| e.to_string())?;
        json_walk(&mut v, &mut String::new(), &mut |aad, leaf| {
            let (kind, text) = match leaf {
                serde_json::Value::String(s) => ("str", std::mem::take(s)),
                serde_json::Value::Bool(b) => ("bool", b.to_string()),
                serde_json::Value::Number(n) if n.is_f64() => ("float", n.to_string()),
                serde_json::Value::Number(n) => ("int", n.to_string()),
                _ => return Ok(()),
            };
            *leaf = serde_json::Value::String(seal(aad, text.as_bytes(), kind));
            Ok(())
        })?;
        out = Vec::with_capacity(src.len() * 4);
        serde_json::to_writer_pretty(&mut out, &v).map_err(|e| e.to_string())?;
    } else {
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        yaml_values(src, &mut |aad, text, style, (a, b)| {
            let kind = yaml_kind(text, style);
            edits.push((a, b, seal(aad, text.as_bytes(), kind)));
            Ok(())
        })?;
        out = Vec::with_capacity(src.len() + edits.iter().map(|e| e.2.len()).sum::<usize>());
        let mut at = 0;
        for (a, b, token) in &edits {
            out.extend_from_slice(src.get(at..*a).unwrap_or_default().as_bytes());
            out.extend_from_slice(token.as_bytes());
            at = *b;
        }
        out.extend_from_slice(src.get(at..).unwrap_or_default().as_bytes());
    }
    let lastmodified = now();
    let mac_hex = hex::encode_upper(mac.finalize());
    let sealed_mac = leafseal::cipher::mac::seal_mac(&key, &mac_hex, &lastmodified)
        .ok_or("cannot seal the MAC")?;
    let enc = wrap(&key, recipient)?;
    // The metadata, as small as SOPS accepts it.
    if json {
        let meta = serde_json::json!({"age": [{"recipient": recipient, "enc": enc}],
            "lastmodified": lastmodified, "mac": sealed_mac, "version": "3.11.0"});
        out.truncate(out.iter().rposition(|&c| c == b'}').unwrap_or(out.len()));
        out.extend_from_slice(b",\n\"sops\": ");
        serde_json::to_writer_pretty(&mut out, &meta).map_err(|e| e.to_string())?;
        out.extend_from_slice(b"}\n");
    } else {
        let enc = enc.replace('\n', "\n        ");
        let meta = format!("sops:\n    age:\n    - recipient: {recipient}\n      enc: |\n        {enc}\n    lastmodified: \"{lastmodified}\"\n    mac: {sealed_mac}\n    version: 3.11.0\n");
        out.extend_from_slice(meta.as_bytes());
    }
    Ok(out)
}

fn json_walk(
    v: &mut serde_json::Value,
    aad: &mut String,
    f: &mut dyn FnMut(&str, &mut serde_json::Value) -> Res<()>,
) -> Res<()> {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                let len = aad.len();
                if len == 0 && k == "sops" {
                    continue;
                }
                aad.push_str(k);
                aad.push(':');
                json_walk(v, aad, f)?;
                aad.truncate(len);
            }
            Ok(())
        }
        serde_json::Value::Array(l) => l.iter_mut().try_for_each(|v| json_walk(v, aad, f)),
        leaf => f(aad, leaf),
    }
}

/// The data key, from the file's metadata block alone (parsed by leafseal; the rest of the file
/// is not).
fn data_key(src: &str, json: bool) -> Res<DataKey> {
    let (format, meta_text) = if json {
        let at = src.rfind("\"sops\":").ok_or("no sops entry")?;
        (Format::Json, format!("{{{}", &src[at..]))
    } else {
        let at = src.rfind("\nsops:").ok_or("no sops entry")?;
        (Format::Yaml, src[at + 1..].to_string())
    };
    let loaded = leafseal::ops::load(meta_text.as_bytes(), format, &StoreOptions::default())
        .map_err(|e| e.to_string())?;
    leafseal::ops::recover_key(&loaded.meta, &[]).map_err(|e| e.to_string())
}

fn decrypt(src: &str, json: bool) -> Res<Vec<u8>> {
    let key = data_key(src, json)?;
    let cipher = Cipher::new(&key);
    let mut mac = Sha512::new();
    let mut open = |aad: &str, token: &str| -> Res<(String, zeroize::Zeroizing<Vec<u8>>)> {
        let o = cipher
            .open_text(token, aad.as_bytes())
            .map_err(|e| format!("{aad}: {e}"))?;
        mac.update(&o.plain);
        Ok((o.kind.to_string(), o.plain))
    };
    if json {
        let mut v: serde_json::Value = serde_json::from_str(src).map_err(|e| e.to_string())?;
        if let serde_json::Value::Object(m) = &mut v {
            m.shift_remove("sops");
        }
        json_walk(&mut v, &mut String::new(), &mut |aad, leaf| {
            let serde_json::Value::String(s) = leaf else {
                return Ok(());
            };
            if !s.starts_with("ENC[") {
                return Ok(());
            }
            let (kind, plain) = open(aad, s)?;
            let text = String::from_utf8_lossy(&plain).into_owned();
            *leaf = match kind.as_str() {
                "str" => serde_json::Value::String(text),
                _ => serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
            };
            Ok(())
        })?;
        let mut out = Vec::with_capacity(src.len() / 3);
        serde_json::to_writer_pretty(&mut out, &v).map_err(|e| e.to_string())?;
        out.push(b'\n');
        return Ok(out);
    }
    let mut out = Vec::with_capacity(src.len() / 3);
    let mut at = 0;
    yaml_values(src, &mut |aad, text, _, (a, b)| {
        if !text.starts_with("ENC[") {
            return Ok(());
        }
        let (_, plain) = open(aad, text)?;
        out.extend_from_slice(src.get(at..a).unwrap_or_default().as_bytes());
        out.extend_from_slice(&plain);
        at = b;
        Ok(())
    })?;
    let end = src.rfind("\nsops:").map_or(src.len(), |i| i + 1);
    out.extend_from_slice(src.get(at..end).unwrap_or_default().as_bytes());
    Ok(out)
}
