//! Encrypting and decrypting a whole tree, computing the MAC in the same walk (spec §2–§4).
//! The AAD of a leaf is its path joined with `:` plus a trailing `:`.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::cipher::mac::MacHasher;
use crate::cipher::value::{
    is_token, plaintext_of, random_iv, typed, Cipher, Plain, Token, TokenError,
};
use crate::cipher::DataKey;
use crate::error::{Error, ErrorKind};
use crate::tree::select::Rule;
use crate::tree::walk::{walk_mut_from, Leaf};
use crate::tree::{Comment, Doc, Elem, Node, Value};

/// IVs of values seen decrypted, so re-encrypting an unchanged value reproduces its
/// ciphertext byte for byte (spec §2.2).
///
/// Invariant: the lookup key is a SHA-256 over (AAD, type, plaintext), so a value whose
/// plaintext, type or path changed never finds an entry and gets a fresh random IV. IV reuse
/// with the same key, AAD and plaintext yields the identical ciphertext and so reveals nothing
/// beyond "unchanged", which a diff shows anyway. No plaintext is stored.
#[derive(Default)]
pub struct IvStash {
    ivs: HashMap<[u8; 32], [u8; 32]>,
    /// Only rewriting operations record (`recording()`); a plain decrypt pays nothing.
    record: bool,
}

impl IvStash {
    /// A stash that remembers the IVs of decrypted values (edit, set, rotate, …).
    pub fn recording() -> Self {
        IvStash {
            ivs: HashMap::new(),
            record: true,
        }
    }

    fn id(aad: &str, kind: &str, plain: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update((aad.len() as u64).to_be_bytes());
        h.update(aad.as_bytes());
        h.update([0]);
        h.update(kind.as_bytes());
        h.update([0]);
        h.update(plain);
        h.finalize().into()
    }

    fn remember(&mut self, aad: &str, kind: &str, plain: &[u8], iv: &[u8]) {
        if !self.record {
            return;
        }
        if let Ok(iv) = <[u8; 32]>::try_from(iv) {
            self.ivs.insert(Self::id(aad, kind, plain), iv);
        }
    }

    fn iv_for(&self, aad: &str, kind: &str, plain: &[u8]) -> [u8; 32] {
        if self.ivs.is_empty() {
            return random_iv();
        }
        self.ivs
            .get(&Self::id(aad, kind, plain))
            .copied()
            .unwrap_or_else(random_iv)
    }
}

fn aad_of(path: &[String]) -> String {
    let mut s = String::new();
    aad_into(path, &mut s);
    s
}

/// Write the AAD of `path` into `out`, reusing its allocation across leaves.
fn aad_into(path: &[String], out: &mut String) {
    out.clear();
    for k in path {
        out.push_str(k);
        out.push(':');
    }
    if path.is_empty() {
        out.push(':');
    }
}

fn path_text(path: &[String]) -> String {
    if path.is_empty() {
        "(top level)".into()
    } else {
        path.iter().map(|k| format!("[{k:?}]")).collect()
    }
}

/// Encrypt every selected leaf in place; returns the MAC (uppercase hex) of the plaintext.
pub fn encrypt_doc(
    doc: &mut Doc,
    key: &DataKey,
    rule: &Rule,
    mac_only: bool,
    stash: &IvStash,
) -> Result<String, Error> {
    let mut mac = MacHasher::new(mac_only);
    let cipher = Cipher::new(key);
    encrypt_piece(doc, &cipher, rule, mac_only, &mut mac, stash, &[])?;
    Ok(mac.finish())
}

/// [`encrypt_doc`] for one piece of a document: the MAC is fed into `mac` (shared by the
/// pieces, in order) and the walk starts with the root comments the earlier pieces left.
pub fn encrypt_piece(
    doc: &mut Doc,
    cipher: &Cipher,
    rule: &Rule,
    mac_only: bool,
    mac: &mut MacHasher,
    stash: &IvStash,
    root_comments: &[String],
) -> Result<(), Error> {
    refuse_non_string_keys(doc, ErrorKind::EncryptTree)?;
    let mut aad = String::new();
    walk_mut_from(doc, root_comments, &mut |ctx, leaf| {
        let err = |msg: String| {
            Error::new(
                ErrorKind::EncryptTree,
                format!("{}: {msg}", path_text(ctx.path)),
            )
        };
        aad_into(ctx.path, &mut aad);
        let aad = aad.as_str();
        let mut value_leaf = |n: &mut Node| -> Result<(), Error> {
            if let Value::Uint(_) = n.value {
                return Err(err("unknown type: uint64 (integer larger than 2^63-1); quote it to store it as a string".into()));
            }
            let selected = rule.encrypts(ctx.path, ctx.comments, false);
            if !mac_only || selected {
                mac.feed(&n.value);
            }
            if selected && n.value != Value::Str(String::new()) {
                // Strings and bytes are encrypted in their own buffer, taken out of the tree;
                // other scalars from their canonical text.
                let token = match &mut n.value {
                    Value::Str(s) => {
                        let plain = std::mem::take(s).into_bytes();
                        Some(seal_one(cipher, stash, aad, "str", plain))
                    }
                    Value::Bytes(b) => Some(seal_one(cipher, stash, aad, "str", std::mem::take(b))),
                    other => plaintext_of(other).map(|(kind, mut plain)| {
                        seal_one(cipher, stash, aad, kind, std::mem::take(&mut *plain))
                    }),
                };
                if let Some(t) = token {
                    n.set(Value::Str(t));
                }
            }
            Ok(())
        };
        let comment_leaf = |c: &mut Comment| {
            if !c.text.is_empty() && rule.encrypts(ctx.path, ctx.comments, true) {
                let iv = stash.iv_for(aad, "comment", c.text.as_bytes());
                c.text = cipher
                    .seal(c.text.as_bytes(), aad.as_bytes(), iv, "comment")
                    .to_string();
                c.changed = true;
            }
        };
        match leaf {
            Leaf::Node(n) | Leaf::Elem(Elem::Value(n)) => value_leaf(n)?,
            Leaf::Comment(c) | Leaf::Elem(Elem::Comment(c)) => comment_leaf(c),
        }
        Ok(())
    })
}

/// One value's token, keeping its IV when the stash knows it. `plain` is encrypted in place.
fn seal_one(cipher: &Cipher, stash: &IvStash, aad: &str, kind: &str, plain: Vec<u8>) -> String {
    let iv = stash.iv_for(aad, kind, &plain);
    cipher.seal_text(plain, aad.as_bytes(), iv, kind)
}

/// A comment that could not be decrypted (kept as written, as SOPS does).
#[derive(Debug, Clone)]
pub struct Warning(pub String);

/// Decrypt every selected leaf in place; returns the MAC of the decrypted tree and warnings.
pub fn decrypt_doc(
    doc: &mut Doc,
    key: &DataKey,
    rule: &Rule,
    mac_only: bool,
    stash: &mut IvStash,
) -> Result<(String, Vec<Warning>), Error> {
    let mut mac = MacHasher::new(mac_only);
    let mut warnings = Vec::new();
    let cipher = Cipher::new(key);
    decrypt_piece(
        doc,
        &cipher,
        rule,
        mac_only,
        &mut mac,
        &mut warnings,
        stash,
        &[],
    )?;
    Ok((mac.finish(), warnings))
}

/// [`decrypt_doc`] for one piece of a document (see [`encrypt_piece`]).
#[allow(clippy::too_many_arguments)]
pub fn decrypt_piece(
    doc: &mut Doc,
    cipher: &Cipher,
    rule: &Rule,
    mac_only: bool,
    mac: &mut MacHasher,
    warnings: &mut Vec<Warning>,
    stash: &mut IvStash,
    root_comments: &[String],
) -> Result<(), Error> {
    // sops-compat: sops refuses them on decrypt too (exit 25).
    refuse_non_string_keys(doc, ErrorKind::DecryptTree)?;
    let mut aad = String::new();
    walk_mut_from(doc, root_comments, &mut |ctx, leaf| {
        let err = |msg: String| {
            Error::new(
                ErrorKind::DecryptTree,
                format!("{}: {msg}", path_text(ctx.path)),
            )
        };
        aad_into(ctx.path, &mut aad);
        let aad = aad.as_str();
        let selected = |is_comment| rule.encrypts(ctx.path, ctx.comments, is_comment);
        match leaf {
            Leaf::Comment(c) | Leaf::Elem(Elem::Comment(c)) => {
                if let Some(text) = decrypt_comment(cipher, &c.text, ctx.path, warnings, stash) {
                    c.text = text;
                    c.changed = true;
                }
            }
            Leaf::Node(n) => {
                let sel = selected(false);
                if sel {
                    match decrypt_value(cipher, n, aad, stash).map_err(err)? {
                        Some(Plain::Value(v)) => n.set(v),
                        // sops-compat: sops leaves such a value out of the MAC and so refuses
                        // the file with a MAC mismatch; say what is wrong instead.
                        Some(Plain::Comment(_)) => {
                            return Err(Error::new(
                                ErrorKind::MacMismatch,
                                format!(
                                    "{}: an encrypted comment (type:comment) stands where a value belongs; the file was edited by hand or tampered with",
                                    path_text(ctx.path)
                                ),
                            ))
                        }
                        None => {}
                    }
                }
                if !mac_only || sel {
                    mac.feed(&n.value);
                }
            }
            Leaf::Elem(e) => {
                let sel = selected(false);
                let Elem::Value(n) = e else { return Ok(()) };
                if sel {
                    match decrypt_value(cipher, n, aad, stash).map_err(err)? {
                        Some(Plain::Comment(text)) => {
                            // sops-compat: an encrypted comment inside a list is stored as a list
                            // element; it becomes a comment again and is not hashed.
                            let src = n.src.map(|s| s.span);
                            *e = Elem::Comment(Comment {
                                text,
                                src,
                                changed: true,
                                as_elem: true,
                            });
                            return Ok(());
                        }
                        Some(Plain::Value(v)) => n.set(v),
                        None => {}
                    }
                }
                if !mac_only || sel {
                    mac.feed(&n.value);
                }
            }
        }
        Ok(())
    })
}

/// Decrypt a selected value; `None` for the empty string (never encrypted).
fn decrypt_value(
    cipher: &Cipher,
    n: &Node,
    aad: &str,
    stash: &mut IvStash,
) -> Result<Option<Plain>, String> {
    let s = match &n.value {
        Value::Str(s) if s.is_empty() => return Ok(None),
        Value::Str(s) => s,
        other => {
            return Err(format!(
                "value of type {} is not encrypted; encrypted files hold ENC[…] strings here",
                other.type_name()
            ))
        }
    };
    let opened = cipher.open_text(s, aad.as_bytes()).map_err(|e| match e {
        TokenError::Auth => "could not decrypt value: authentication failed (wrong data key, value moved to another key, or ciphertext modified)".to_string(),
        other => other.to_string(),
    })?;
    stash.remember(aad, opened.kind, &opened.plain, opened.iv());
    typed(opened.kind, &opened.plain)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Decrypt an encrypted comment, retrying shorter path prefixes as AAD (comment placement can
/// differ between parsers). Failure keeps the text, with a warning.
fn decrypt_comment(
    cipher: &Cipher,
    text: &str,
    path: &[String],
    warnings: &mut Vec<Warning>,
    stash: &mut IvStash,
) -> Option<String> {
    if !is_token(text) {
        return None;
    }
    let tok = Token::parse(text).ok()?;
    for len in (0..=path.len()).rev() {
        let aad = aad_of(&path[..len]);
        if let Ok(p) = cipher.open(&tok, aad.as_bytes()) {
            if let Ok(s) = String::from_utf8(p.to_vec()) {
                stash.remember(&aad, "comment", s.as_bytes(), &tok.iv);
                return Some(s);
            }
        }
    }
    warnings.push(Warning(format!(
        "{}: could not decrypt a comment; it is kept as written",
        path_text(path)
    )));
    None
}

/// sops-compat: a key that is not a string is refused wherever it is, also when its value is
/// null or empty and so never reached by the walks here (`200:`).
fn refuse_non_string_keys(doc: &Doc, kind: ErrorKind) -> Result<(), Error> {
    match doc
        .branches
        .iter()
        .find_map(|b| non_string_key(b, &mut Vec::new()))
    {
        Some(path) => Err(Error::new(
            kind,
            format!("{}: tree contains a non-string key", path_text(&path)),
        )),
        None => Ok(()),
    }
}

/// The path of the first key that is not a string, if any.
fn non_string_key(b: &crate::tree::Branch, path: &mut Vec<String>) -> Option<Vec<String>> {
    for item in &b.items {
        if let crate::tree::Item::Pair(k, n) = item {
            path.push(k.name.clone());
            if !k.is_string {
                return Some(path.clone());
            }
            let found = non_string_key_in(&n.value, path);
            path.pop();
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

fn non_string_key_in(v: &Value, path: &mut Vec<String>) -> Option<Vec<String>> {
    match v {
        Value::Map(b) => non_string_key(b, path),
        Value::List(l) => l.iter().find_map(|e| match e {
            crate::tree::Elem::Value(n) => non_string_key_in(&n.value, path),
            crate::tree::Elem::Comment(_) => None,
        }),
        _ => None,
    }
}
