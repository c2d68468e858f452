//! The write guard: nothing is written that does not read back as what it was meant to carry.
//!
//! Every path that writes a file (encrypt, decrypt, set, unset, edit, rotate, updatekeys,
//! groups, the merge driver) renders its output, parses it back with the output format's own
//! store and compares a [`Fingerprint`] of the result with one of the tree it meant to write.
//! When a lossless splice fails that check the store's canonical layout is written instead
//! (with a warning naming the file); when that fails too the command fails and writes nothing.
//!
//! A fingerprint covers the structure (key names in order, list lengths, document count) and
//! every scalar with its type, plus the comments as a multiset of (text, keys of the collection
//! that holds it): the keys are what SOPS encrypts a comment with, so a comment that reads back
//! in another collection is one the reference sops could not decrypt. Numbers
//! compare by value (`1` and `1.0` are the same number to every reader of the output formats).
//! It is fed item by item, so the piecewise paths can fold it over pieces in bounded memory.

use sha2::{Digest, Sha256};

use super::{Side, Store, StoreError};
use crate::tree::scalar::float_f;
use crate::tree::{Branch, Doc, Elem, Item, Value};

/// A digest of a tree's data and comments.
#[derive(Clone)]
pub struct Fingerprint {
    data: Sha256,
    /// Sum of the comments' digests, lane by lane: independent of their order.
    comments: [u64; 4],
    /// The same over (keys of the holding collection, text).
    placed: [u64; 4],
    n_comments: u64,
    with_comments: bool,
}

/// The outcome of comparing two fingerprints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digest2 {
    data: [u8; 32],
    comments: [u64; 4],
    placed: [u64; 4],
    n_comments: u64,
}

impl Digest2 {
    /// The same data and comments, wherever the comments are.
    fn same_but_placement(&self, other: &Digest2) -> bool {
        self.data == other.data
            && self.comments == other.comments
            && self.n_comments == other.n_comments
    }
}

impl Fingerprint {
    /// A new, empty fingerprint; `with_comments` when the output format carries comments.
    pub fn new(with_comments: bool) -> Self {
        Fingerprint {
            data: Sha256::new(),
            comments: [0; 4],
            placed: [0; 4],
            n_comments: 0,
            with_comments,
        }
    }

    /// Start a document (a YAML stream may hold several).
    pub fn document(&mut self) {
        self.data.update(b"D");
    }

    /// Feed the items of a (piece of a) document's root map. The `sops` metadata is compared
    /// by what it means (each format spells and orders its fields its own way).
    pub fn items(&mut self, items: &[Item]) {
        for it in items {
            match it {
                Item::Pair(k, n) if k.name == "sops" => {
                    let meta = match &n.value {
                        Value::Map(b) => super::metadata::Metadata::from_branch(b).ok(),
                        _ => None,
                    };
                    self.data.update(b"M");
                    match meta {
                        Some(m) => self.branch(&m.to_branch(), &mut Vec::new()),
                        None => self.value(&n.value, &mut Vec::new()),
                    }
                }
                _ => self.item(it, &mut Vec::new()),
            }
        }
    }

    fn nested<'a>(&mut self, items: &'a [Item], path: &mut Vec<&'a str>) {
        for it in items {
            self.item(it, path);
        }
    }

    /// Feed a whole document.
    pub fn doc(&mut self, doc: &Doc) {
        for b in &doc.branches {
            self.document();
            self.items(&b.items);
        }
    }

    fn item<'a>(&mut self, it: &'a Item, path: &mut Vec<&'a str>) {
        match it {
            Item::Pair(k, n) => {
                self.data.update(b"K");
                self.bytes(k.name.as_bytes());
                path.push(&k.name);
                self.value(&n.value, path);
                path.pop();
            }
            Item::Comment(c) => self.comment(&c.text, path),
        }
    }

    fn comment(&mut self, text: &str, path: &[&str]) {
        if !self.with_comments {
            return;
        }
        let add = |lanes: &mut [u64; 4], d: &[u8]| {
            for (lane, chunk) in lanes.iter_mut().zip(d.chunks_exact(8)) {
                let mut b = [0u8; 8];
                b.copy_from_slice(chunk);
                *lane = lane.wrapping_add(u64::from_le_bytes(b));
            }
        };
        add(&mut self.comments, &Sha256::digest(text.as_bytes()));
        let mut h = Sha256::new();
        for k in path {
            h.update((k.len() as u64).to_le_bytes());
            h.update(k.as_bytes());
        }
        h.update(u64::MAX.to_le_bytes());
        h.update(text.as_bytes());
        add(&mut self.placed, &h.finalize());
        self.n_comments += 1;
    }

    fn bytes(&mut self, b: &[u8]) {
        self.data.update((b.len() as u64).to_le_bytes());
        self.data.update(b);
    }

    fn branch<'a>(&mut self, b: &'a Branch, path: &mut Vec<&'a str>) {
        self.data.update(b"{");
        self.nested(&b.items, path);
        self.data.update(b"}");
    }

    fn value<'a>(&mut self, v: &'a Value, path: &mut Vec<&'a str>) {
        match v {
            Value::Map(b) => self.branch(b, path),
            Value::List(l) => {
                self.data.update(b"[");
                // (List items add no key: SOPS's path skips list indices.)
                for e in l {
                    match e {
                        Elem::Value(n) => self.value(&n.value, path),
                        Elem::Comment(c) => self.comment(&c.text, path),
                    }
                }
                self.data.update(b"]");
            }
            Value::Null => self.data.update(b"~"),
            Value::Bool(b) => self.data.update(if *b { b"T" } else { b"F" }),
            Value::Int(i) => self.number(&i.to_string()),
            Value::Uint(u) => self.number(&u.to_string()),
            Value::Float(f) => {
                // An integral float is the same number as the integer (`1.0` vs `1`).
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    self.number(&(*f as i64).to_string())
                } else {
                    self.number(&float_f(*f))
                }
            }
            Value::Str(s) => {
                self.data.update(b"s");
                self.bytes(s.as_bytes());
            }
            Value::Bytes(b) => {
                self.data.update(b"s");
                self.bytes(b);
            }
            Value::Time(t) => {
                self.data.update(b"t");
                self.bytes(t.rfc3339_nano().as_bytes());
            }
        }
    }

    fn number(&mut self, text: &str) {
        self.data.update(b"n");
        self.bytes(text.as_bytes());
    }

    /// The finished digest.
    pub fn finish(self) -> Digest2 {
        Digest2 {
            data: self.data.finalize().into(),
            comments: self.comments,
            placed: self.placed,
            n_comments: self.n_comments,
        }
    }
}

/// Whether this format's files carry comments (so the fingerprint counts them).
pub fn keeps_comments(format: super::Format) -> bool {
    use super::Format;
    matches!(
        format,
        Format::Yaml | Format::Dotenv | Format::Ini | Format::Toml
    )
}

/// Parse `output` with `store` and fingerprint it: piece by piece when the store can split it
/// (bounded memory for large files), whole otherwise.
pub fn fingerprint_output(
    store: &dyn Store,
    output: &[u8],
    side: Side,
    with_comments: bool,
) -> Result<Digest2, StoreError> {
    let mut fp = Fingerprint::new(with_comments);
    if let Some(doc) = store.read_back(output, side) {
        fp.doc(&doc?);
        return Ok(fp.finish());
    }
    if let Some(ranges) = store.pieces(output, side) {
        if ranges.len() > 1 {
            fp.document();
            let mut ok = true;
            for r in &ranges {
                match store.parse_piece(output, *r, side) {
                    Ok(d) => {
                        for b in &d.branches {
                            fp.items(&b.items);
                        }
                    }
                    Err(_) => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                return Ok(fp.finish());
            }
            fp = Fingerprint::new(with_comments);
        }
    }
    let doc = store.parse(output, side)?;
    fp.doc(&doc);
    Ok(fp.finish())
}

/// Whether `output`, parsed back by `store`, carries exactly `expected`: in an encrypted file
/// each comment in the collection it was encrypted for (its AAD); in a plaintext file, where
/// a comment's place is layout, the same comments anywhere.
pub fn reads_back(
    store: &dyn Store,
    output: &[u8],
    side: Side,
    with_comments: bool,
    expected: &Digest2,
) -> bool {
    fingerprint_output(store, output, side, with_comments)
        .is_ok_and(|d| accepts(side, &d, expected))
}

/// Whether a read-back digest `got` carries `expected` (see [`reads_back`]).
fn accepts(side: Side, got: &Digest2, expected: &Digest2) -> bool {
    match side {
        Side::Encrypted => got == expected,
        Side::Plain => got.same_but_placement(expected),
    }
}

/// The fingerprint of `doc`.
pub fn of_doc(doc: &Doc, with_comments: bool) -> Digest2 {
    let mut fp = Fingerprint::new(with_comments);
    fp.doc(doc);
    fp.finish()
}

/// What the read-back of an output must show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// The same data, types and (where the format keeps them) comments as the tree written.
    Exact,
    /// Only that the output parses in its format (a conversion to another format, where types
    /// and comments legitimately change: a YAML time becomes a JSON string).
    Parses,
}

thread_local! {
    static NOTES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Record a warning for the operation running on this thread (the CLI prints them with the
/// file's name once the operation is done).
pub fn note(msg: String) {
    NOTES.with(|n| n.borrow_mut().push(msg));
}

/// The warnings recorded on this thread since the last call.
pub fn take_notes() -> Vec<String> {
    NOTES.with(|n| std::mem::take(&mut *n.borrow_mut()))
}

/// Test-only fault injection (debug builds): `LEAFSEAL_TEST_BREAK_WRITE` naming `stage`
/// (`splice`, `canonical`, or both) drops the last line of that stage's output, so the tests
/// can show the guard catching a broken writer.
pub fn inject_fault(stage: &str, out: &mut Vec<u8>) {
    if !cfg!(debug_assertions) {
        return;
    }
    let Some(v) = std::env::var_os("LEAFSEAL_TEST_BREAK_WRITE") else {
        return;
    };
    if !v.to_string_lossy().split(',').any(|s| s == stage) {
        return;
    }
    let body = out.len().saturating_sub(1);
    match out[..body].iter().rposition(|&b| b == b'\n') {
        Some(i) => out.truncate(i + 1),
        None => out.clear(),
    }
}

/// Emit `doc` with `store` — spliced into `original` (with the `verbatim` spellings) when
/// given — and make sure the output reads back as `doc`. A splice that does not is replaced by
/// the canonical layout, with a note; when that fails too the result is an error and nothing
/// may be written.
pub fn emit_checked(
    store: &dyn Store,
    format: super::Format,
    doc: &Doc,
    original: Option<&[u8]>,
    side: Side,
    verbatim: &std::collections::HashMap<usize, String>,
    check: Check,
) -> Result<Vec<u8>, StoreError> {
    let with_comments = keeps_comments(format);
    let expected = (check == Check::Exact).then(|| of_doc(doc, with_comments));
    let ok = |out: &[u8]| match &expected {
        Some(e) => reads_back(store, out, side, with_comments, e),
        None => store
            .read_back(out, side)
            .unwrap_or_else(|| store.parse(out, side))
            .is_ok(),
    };
    // Notes are recorded only with a result: an error says it all.
    let mut splice_failed = None;
    // A splice whose comments read back, but some in another collection (encrypted side).
    let mut splice_elsewhere = None;
    if let Some(orig) = original {
        let mut out = store.emit_verbatim(doc, orig, side, verbatim)?;
        inject_fault("splice", &mut out);
        // (Parsed back once: the digest answers both questions.)
        let got = match &expected {
            Some(e) => match fingerprint_output(store, &out, side, with_comments) {
                Ok(d) if accepts(side, &d, e) => return Ok(out),
                Ok(d) => Some(d),
                Err(_) => None,
            },
            None if ok(&out) => return Ok(out),
            None => None,
        };
        if cfg!(debug_assertions) && std::env::var_os("LEAFSEAL_TEST_SHOW_SPLICE").is_some() {
            eprintln!(
                "--- rejected splice ---\n{}\n---",
                String::from_utf8_lossy(&out)
            );
        }
        splice_failed = Some(format!(
            "the layout-keeping writer failed its read-back check ({}), so the file is written in the canonical layout instead; please report this with the file's shape",
            difference(store, doc, &out, side, with_comments)
        ));
        let elsewhere = side == Side::Encrypted
            && with_comments
            && matches!((&got, &expected), (Some(g), Some(e)) if g.same_but_placement(e));
        if elsewhere {
            splice_elsewhere = Some(out);
        }
    }
    let notes_before = NOTES.with(|n| n.borrow().len());
    let mut out = store.emit(doc, None, side)?;
    inject_fault("canonical", &mut out);
    let keep = |extra: Option<String>| {
        if let Some(m) = splice_failed.clone() {
            note(m);
        }
        if let Some(m) = extra {
            note(m);
        }
    };
    if ok(&out) {
        keep(None);
        return Ok(out);
    }
    // A comment the canonical layout, SOPS's own, cannot keep in the collection it was
    // encrypted for either: the splice, with the data exact and SOPS's limitation, said.
    if let Some(sp) = splice_elsewhere {
        note("some comments would be read back in another collection than the one they were encrypted for, in this layout and in SOPS's: decrypt will keep them encrypted; the data is exact (please report this with the file's shape)".into());
        return Ok(sp);
    }
    // The canonical layout places comments as SOPS does, which may drop or merge some: the
    // data must be exact, a comment difference is reported, not fatal (a file that decrypts
    // must keep decrypting; no comment can appear that the tree does not hold in this form).
    if check == Check::Exact && with_comments {
        let data_only = of_doc(doc, false);
        if reads_back(store, &out, side, false, &data_only) {
            keep(Some(
                "the canonical layout could not place every comment as it was; the data is exact"
                    .into(),
            ));
            return Ok(out);
        }
    }
    // The canonical writer's own notes (e.g. "layout cannot be kept") go with the failure.
    NOTES.with(|n| n.borrow_mut().truncate(notes_before));
    Err(StoreError::emit(format!(
        "refusing to write output that does not read back as the data: {} (nothing was written; please report this)",
        difference(store, doc, &out, side, with_comments)
    )))
}

/// Where the read-back of `out` first differs from `doc`, for messages.
pub fn difference(
    store: &dyn Store,
    doc: &Doc,
    out: &[u8],
    side: Side,
    with_comments: bool,
) -> String {
    let got = match store
        .read_back(out, side)
        .unwrap_or_else(|| store.parse(out, side))
    {
        Ok(d) => d,
        Err(e) => return format!("the output does not parse ({e})"),
    };
    if got.branches.len() != doc.branches.len() {
        return format!(
            "the document count ({} written, {} meant)",
            got.branches.len(),
            doc.branches.len()
        );
    }
    for (a, b) in doc.branches.iter().zip(&got.branches) {
        if let Some(p) = first_diff_items(&a.items, &b.items, "") {
            return format!(
                "the value at {}",
                if p.is_empty() {
                    "the top level".into()
                } else {
                    p
                }
            );
        }
    }
    if with_comments && of_doc(doc, true) != of_doc(&got, true) {
        return "the comments".into();
    }
    "the data".into()
}

fn first_diff_items(a: &[Item], b: &[Item], at: &str) -> Option<String> {
    let pairs = |v: &[Item]| -> Vec<(String, Value)> {
        v.iter()
            .filter_map(|i| match i {
                Item::Pair(k, n) => Some((k.name.clone(), n.value.clone())),
                Item::Comment(_) => None,
            })
            .collect()
    };
    let (pa, pb) = (pairs(a), pairs(b));
    for (i, (ka, va)) in pa.iter().enumerate() {
        let here = format!("{at}[{ka:?}]");
        match pb.get(i) {
            Some((kb, vb)) if kb == ka => {
                if let Some(p) = first_diff_value(va, vb, &here) {
                    return Some(p);
                }
            }
            _ => return Some(here),
        }
    }
    (pb.len() != pa.len()).then(|| format!("{at} (extra keys)"))
}

fn first_diff_value(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => first_diff_items(&x.items, &y.items, at),
        (Value::List(x), Value::List(y)) => {
            let vals = |l: &[Elem]| -> Vec<Value> {
                l.iter()
                    .filter_map(|e| match e {
                        Elem::Value(n) => Some(n.value.clone()),
                        Elem::Comment(_) => None,
                    })
                    .collect()
            };
            let (vx, vy) = (vals(x), vals(y));
            if vx.len() != vy.len() {
                return Some(format!("{at} (list length)"));
            }
            vx.iter()
                .zip(&vy)
                .enumerate()
                .find_map(|(i, (p, q))| first_diff_value(p, q, &format!("{at}[{i}]")))
        }
        _ => {
            let one = |v: &Value| {
                let mut f = Fingerprint::new(false);
                f.value(v, &mut Vec::new());
                f.finish()
            };
            (one(a) != one(b)).then(|| at.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Format, StoreOptions};

    #[test]
    fn a_comment_in_another_collection_fails_only_an_encrypted_read_back() {
        let store = Format::Yaml.store(&StoreOptions::default());
        // The same data and comment text; the comment is `a`'s in one, the document's in the
        // other (SOPS would encrypt it with `a:` or with `:`).
        let meant = store
            .parse(b"a:\n  b: 1\n  # c\nd: 2\n", Side::Plain)
            .unwrap();
        let elsewhere: &[u8] = b"a:\n  b: 1\n# c\nd: 2\n";
        let got = store.parse(elsewhere, Side::Plain).unwrap();
        assert_ne!(of_doc(&meant, true), of_doc(&got, true));
        assert!(of_doc(&meant, true).same_but_placement(&of_doc(&got, true)));
        let e = of_doc(&meant, true);
        assert!(reads_back(store.as_ref(), elsewhere, Side::Plain, true, &e));
        assert!(!reads_back(
            store.as_ref(),
            elsewhere,
            Side::Encrypted,
            true,
            &e
        ));
        // (Not for want of metadata: the meant text itself reads back on that side.)
        let same: &[u8] = b"a:\n  b: 1\n  # c\nd: 2\n";
        assert!(reads_back(store.as_ref(), same, Side::Encrypted, true, &e));
    }
}
