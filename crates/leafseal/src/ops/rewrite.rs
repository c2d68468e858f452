//! Rewriting an encrypted file under its existing data key: `set`, `unset` and `edit`.
//! Values that did not change keep their ciphertext byte for byte (the IV stash, spec §2.2),
//! so a git diff shows only the change plus `lastmodified`, `mac` and the layout token.

use zeroize::Zeroizing;

use super::crypt::{encrypt_doc, IvStash};
use super::layout;
use super::{
    attach_metadata, emit_err, load, open_tree, read_err, write_encrypted, Loaded, SOPS_VERSION,
};
use crate::cipher::{mac, DataKey};
use crate::error::{Error, ErrorKind, Result};
use crate::keygroups::{self, Groups};
use crate::keys::{backend, MasterKey};
use crate::store::guard::{self, Check};
use crate::store::metadata::{Metadata, StoredKey};
use crate::store::{Format, Side, StoreOptions};
use crate::tree::path::Step;
use crate::tree::{Branch, Doc, Elem, Item, Node, Time, Value};

/// An encrypted file opened for rewriting: its tree decrypted, its key and IVs remembered.
pub struct Session {
    /// The decrypted documents (with the encrypted file's spans).
    pub doc: Doc,
    /// The metadata.
    pub meta: Metadata,
    /// The file's `leafseal_layout` entries as opened (`ops::layout`).
    spellings: Vec<layout::Entry>,
    /// Those that still hold for the decrypted values, by node: carried over by `seal`.
    carried: layout::Carried,
    key: DataKey,
    stash: IvStash,
    format: Format,
    store: StoreOptions,
}

impl Session {
    /// Open an encrypted file: recover the key, decrypt, check the MAC unless `ignore_mac`.
    pub fn open(
        input: &[u8],
        format: Format,
        store: StoreOptions,
        order: &[String],
        ignore_mac: bool,
    ) -> Result<Session> {
        let mut loaded: Loaded = load(input, format, &store)?;
        let mut stash = IvStash::recording();
        let (key, _warnings) = open_tree(&mut loaded, order, ignore_mac, &mut stash)?;
        let spellings = layout::open_meta(&key, &loaded.meta);
        let rule = loaded.meta.effective_rule();
        let carried = layout::carry(
            &mut loaded.doc,
            &spellings,
            format.store(&store).as_ref(),
            &rule,
            input,
        );
        Ok(Session {
            doc: loaded.doc,
            meta: loaded.meta,
            spellings,
            carried,
            key,
            stash,
            format,
            store,
        })
    }

    /// The plaintext as the store writes it, spliced into `original` (the encrypted text).
    pub fn plaintext(&mut self, original: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let store = self.format.store(&self.store);
        let verbatim = layout::resolve(
            &mut self.doc,
            &self.carried,
            store.as_ref(),
            &self.meta.effective_rule(),
        );
        let out = guard::emit_checked(
            store.as_ref(),
            self.format,
            &self.doc,
            Some(original),
            Side::Plain,
            &verbatim,
            Check::Exact,
        )
        .map_err(emit_err)?;
        Ok(Zeroizing::new(out))
    }

    /// Re-encrypt `doc` (this session's tree, or an edited one) and write the file, splicing
    /// into `layout` (the text `doc` was parsed from). New `lastmodified` and MAC.
    pub fn seal(&mut self, doc: Doc, layout: &[u8]) -> Result<Vec<u8>> {
        self.seal_as(doc, layout, self.format)
    }

    /// [`Session::seal`] writing the file in `output` (sops-compat: `set --output-type`
    /// rewrites the file in that format; its layout, and so the spellings, are the format's
    /// canonical ones then).
    pub fn seal_as(&mut self, mut doc: Doc, layout: &[u8], output: Format) -> Result<Vec<u8>> {
        #[cfg(feature = "audit")]
        crate::audit::submit(crate::audit::Action::Encrypt)?;
        let rule = self.meta.effective_rule();
        // Spellings: taken from `layout` when it is plaintext the doc was parsed from (edit),
        // else the file's carried over for the values still there and unchanged (set, unset,
        // rotate, merge): a changed or removed value's spelling is dropped.
        let store = self.format.store(&self.store);
        let mut spellings = if doc_is_unchanged_plaintext(&doc) {
            layout::capture(&mut doc, layout, store.as_ref(), &rule)
        } else {
            layout::carry_over(&mut doc, &self.carried, store.as_ref(), &rule)
        };
        let mac_hex = encrypt_doc(
            &mut doc,
            &self.key,
            &rule,
            self.meta.mac_only_encrypted,
            &self.stash,
        )?;
        layout::bind(&mut doc, &mut spellings, 0);
        if output != self.format {
            spellings.clear();
        }
        let lastmodified = Time::now_utc().rfc3339();
        self.meta.mac = mac::seal_mac(&self.key, &mac_hex, &lastmodified).unwrap_or_default();
        self.meta.lastmodified = lastmodified;
        // After the MAC: the layout's AAD is the MAC token.
        self.meta.layout = layout::seal_entries(&self.key, &self.meta.mac, &spellings);
        if version_older(&self.meta.version, SOPS_VERSION) {
            self.meta.version = SOPS_VERSION.into();
        }
        write_encrypted(
            &mut doc,
            &self.meta,
            layout,
            self.format,
            output,
            &self.store,
        )
    }

    /// The plaintext plus the `sops` block (`edit --show-master-keys`).
    pub fn plaintext_with_metadata(&self, original: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let mut doc = self.doc.clone();
        attach_metadata(&mut doc, &self.meta);
        let out = guard::emit_checked(
            self.format.store(&self.store).as_ref(),
            self.format,
            &doc,
            Some(original),
            Side::Plain,
            &Default::default(),
            Check::Exact,
        )
        .map_err(emit_err)?;
        Ok(Zeroizing::new(out))
    }

    /// Re-encrypt text saved by the editor. With `with_metadata` the text carries the `sops`
    /// block (as shown by `--show-master-keys`) and its metadata replaces the session's.
    pub fn reseal_edited(&mut self, text: &[u8], with_metadata: bool) -> Result<Vec<u8>> {
        let doc = if with_metadata {
            let mut doc = crate::store::parse_unique(
                self.format,
                self.format.store(&self.store).as_ref(),
                text,
                Side::Plain,
            )
            .map_err(read_err)?;
            let mut first = None;
            for b in &mut doc.branches {
                if let Some((_, n)) = b.remove("sops") {
                    first.get_or_insert(n);
                }
            }
            let Some(Node {
                value: Value::Map(mb),
                ..
            }) = first
            else {
                return Err(Error::new(
                    ErrorKind::ReadInput,
                    "the `sops` block was removed; keep it when editing with --show-master-keys",
                ));
            };
            self.meta = Metadata::from_branch(&mb)
                .map_err(|e| Error::new(ErrorKind::ReadInput, e.to_string()))?;
            doc
        } else {
            self.parse_edited(text)?
        };
        self.seal(doc, text)
    }

    /// `rotate`: a new data key wrapped for the current keys minus `remove` (descriptions as
    /// [`StoredKey::id`] prints them) plus `add` (into the first group); values are then
    /// re-encrypted under the new key by [`Session::seal`], keeping their IVs.
    pub fn rotate(&mut self, add: Vec<Box<dyn MasterKey>>, remove: &[String]) -> Result<()> {
        #[cfg(feature = "audit")]
        crate::audit::submit(crate::audit::Action::Rotate)?;
        let fail = |e: crate::keys::KeyError| Error::new(ErrorKind::Generic, e.to_string());
        let removed = |k: &StoredKey| remove.iter().any(|r| *r == k.id());
        let created: Vec<(String, String)> = self
            .meta
            .groups
            .iter()
            .flatten()
            .filter(|k| !removed(k))
            .filter_map(|k| k.field("created_at").map(|c| (k.id(), c.to_owned())))
            .collect();
        let mut groups = master_keys(&self.meta.groups, removed)?;
        if groups.is_empty() {
            groups.push(Vec::new());
        }
        for k in add {
            let desc = format!("{}: {}", k.kind(), k.id());
            if !groups[0]
                .iter()
                .any(|m| format!("{}: {}", m.kind(), m.id()) == desc)
            {
                groups[0].push(k);
            }
        }
        if groups.iter().any(|g| g.is_empty()) {
            return Err(Error::new(
                ErrorKind::Generic,
                "no master keys would be left in a key group",
            )
            .hint("add a key with --add-age/--add-pgp before removing the last one"));
        }
        let key = DataKey::generate();
        let mut wrapped =
            keygroups::wrap(&groups, self.meta.shamir_threshold, &key).map_err(fail)?;
        // sops-compat: created_at survives rotation.
        for k in wrapped.iter_mut().flatten() {
            if let Some((_, c)) = created.iter().find(|(id, _)| *id == k.id()) {
                if k.field("created_at").is_some() {
                    k.set_field("created_at", c.clone());
                }
            }
        }
        self.meta.groups = wrapped;
        self.key = key;
        Ok(())
    }

    /// Whether this file's data key is `key` (compared in constant time).
    pub fn has_key(&self, key: &DataKey) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.key.expose().ct_eq(key.expose()))
    }

    /// Take another version's data key and its wrapped copies (the merge driver keeps a
    /// rotation made on the other branch); [`Session::seal`] then re-encrypts every value
    /// under it, as after `rotate`.
    pub fn adopt_key(&mut self, key: DataKey, groups: Vec<Vec<StoredKey>>, threshold: usize) {
        self.key = key;
        self.meta.groups = groups;
        self.meta.shamir_threshold = threshold;
    }

    /// Encrypt `plain` (a new version of this file's plaintext, same format) under this file's
    /// data key, keys and rule: unchanged values keep their ciphertext, and when no value
    /// changed `lastmodified` and `mac` stay as they were. The spellings token is reused when
    /// unchanged, so re-encrypting an unchanged file reproduces it byte for byte.
    pub fn encrypt_version(&mut self, plain: &[u8]) -> Result<Vec<u8>> {
        #[cfg(feature = "audit")]
        crate::audit::submit(crate::audit::Action::Encrypt)?;
        let store = self.format.store(&self.store);
        let mut doc = crate::store::parse_unique(self.format, store.as_ref(), plain, Side::Plain)
            .map_err(read_err)?;
        if doc.branches.is_empty() {
            return Err(Error::new(
                ErrorKind::EmptyFile,
                "file cannot be completely empty, it must contain at least one document",
            ));
        }
        if doc.branches.iter().any(|b| b.get("sops").is_some()) {
            return Err(Error::new(
                ErrorKind::AlreadyEncrypted,
                "the plaintext already has a top-level `sops` entry",
            ));
        }
        let rule = self.meta.effective_rule();
        let mut spellings = layout::capture(&mut doc, plain, store.as_ref(), &rule);
        let mac_hex = encrypt_doc(
            &mut doc,
            &self.key,
            &rule,
            self.meta.mac_only_encrypted,
            &self.stash,
        )?;
        layout::bind(&mut doc, &mut spellings, 0);
        let old_mac = mac::open_mac(&self.key, &self.meta.mac, &self.meta.lastmodified);
        let new_mac = old_mac.as_deref() != Some(mac_hex.as_str());
        if new_mac {
            let lastmodified = Time::now_utc().rfc3339();
            self.meta.mac = mac::seal_mac(&self.key, &mac_hex, &lastmodified).unwrap_or_default();
            self.meta.lastmodified = lastmodified;
        }
        // The layout is bound to the MAC token: sealed again with it, unless the old field
        // opened to exactly these entries under the same token.
        let same_field =
            self.meta.layout.is_some() != spellings.is_empty() && spellings == self.spellings;
        if new_mac || !same_field {
            self.meta.layout = layout::seal_entries(&self.key, &self.meta.mac, &spellings);
        }
        write_encrypted(
            &mut doc,
            &self.meta,
            plain,
            self.format,
            self.format,
            &self.store,
        )
    }

    /// Parse edited plaintext (from the editor) for [`Session::seal`].
    pub fn parse_edited(&self, text: &[u8]) -> Result<Doc> {
        let doc = crate::store::parse_unique(
            self.format,
            self.format.store(&self.store).as_ref(),
            text,
            Side::Plain,
        )
        .map_err(read_err)?;
        if doc.branches.iter().any(|b| {
            b.get("sops").is_some()
                || b.items
                    .iter()
                    .any(|i| matches!(i, Item::Pair(k, _) if k.name.starts_with("sops_")))
        }) {
            return Err(Error::new(ErrorKind::ReadInput, "the document has a top-level `sops` key; remove it (leafseal adds the metadata itself)"));
        }
        if doc.branches.is_empty() {
            return Err(Error::new(ErrorKind::EmptyFile, "the document is empty"));
        }
        Ok(doc)
    }
}

/// The master keys stored groups were made with (to wrap a new key or share for them),
/// leaving out the entries `skip` names.
fn master_keys(stored: &[Vec<StoredKey>], skip: impl Fn(&StoredKey) -> bool) -> Result<Groups> {
    stored
        .iter()
        .map(|g| {
            g.iter()
                .filter(|k| !skip(k))
                .map(|k| {
                    let b = backend(&k.kind).ok_or_else(|| {
                        Error::new(
                            ErrorKind::Generic,
                            format!("{} keys are not supported by this build", k.kind),
                        )
                    })?;
                    b.key_from_stored(k)
                        .map_err(|e| Error::new(ErrorKind::Generic, e.to_string()))
                })
                .collect()
        })
        .collect()
}

/// True when no scalar of `doc` was changed since parsing: it was parsed from plaintext (the
/// editor's text), not decrypted from the encrypted file.
fn doc_is_unchanged_plaintext(doc: &Doc) -> bool {
    fn value(v: &Value) -> bool {
        match v {
            Value::Map(b) => branch(b),
            Value::List(l) => l.iter().all(|e| match e {
                Elem::Value(n) => !n.changed && value(&n.value),
                Elem::Comment(_) => true,
            }),
            _ => true,
        }
    }
    fn branch(b: &Branch) -> bool {
        b.items.iter().all(|i| match i {
            Item::Pair(_, n) => !n.changed && value(&n.value),
            Item::Comment(_) => true,
        })
    }
    doc.branches.iter().all(branch)
}

/// `a < b` for dotted numeric versions (non-numeric parts compare as 0).
fn version_older(a: &str, b: &str) -> bool {
    let parse = |s: &str| -> Vec<u64> {
        s.split(['.', '-', '+'])
            .take(3)
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    parse(a) < parse(b)
}

fn show(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => format!("[{k:?}]"),
            Step::Index(i) => format!("[{i}]"),
        })
        .collect()
}

/// Set `path` to `value` in the first document, creating missing map keys (a non-map on the
/// way is replaced by a map, as SOPS does). Returns false when the value was already equal.
pub fn set_value(doc: &mut Doc, path: &[Step], value: Value) -> Result<bool> {
    if path.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidTreePath,
            "the path is empty; give at least one key, e.g. [\"key\"]",
        ));
    }
    if doc.branches.is_empty() {
        doc.branches.push(Branch::new());
    }
    set_in_branch(&mut doc.branches[0], path, value, path)
}

fn set_in_branch(b: &mut Branch, rest: &[Step], value: Value, full: &[Step]) -> Result<bool> {
    match rest.split_first() {
        Some((Step::Key(k), tail)) => set_in_node(child_or_insert(b, k), tail, value, full),
        _ => Err(Error::new(
            ErrorKind::Generic,
            format!("{}: a list index where a map key is needed", show(full)),
        )),
    }
}

fn set_in_node(n: &mut Node, rest: &[Step], value: Value, full: &[Step]) -> Result<bool> {
    match rest.split_first() {
        None => {
            if n.value == value {
                return Ok(false);
            }
            n.set(value);
            Ok(true)
        }
        Some((Step::Key(_), _)) => {
            if !matches!(n.value, Value::Map(_)) {
                n.set(Value::Map(Branch::new()));
            }
            match &mut n.value {
                Value::Map(b) => set_in_branch(b, rest, value, full),
                _ => Err(Error::new(
                    ErrorKind::Generic,
                    format!("{}: not a map", show(full)),
                )),
            }
        }
        Some((Step::Index(i), tail)) => {
            // sops-compat: a non-list becomes a list, and an index past the end appends.
            if !matches!(n.value, Value::List(_)) {
                n.set(Value::List(Vec::new()));
            }
            if list_elem(n, *i).is_none() {
                if let Value::List(l) = &mut n.value {
                    l.push(Elem::Value(Node::new(Value::Null)));
                }
                n.changed = true;
                let last = match &n.value {
                    Value::List(l) => l
                        .iter()
                        .filter(|e| matches!(e, Elem::Value(_)))
                        .count()
                        .saturating_sub(1),
                    _ => 0,
                };
                return match list_elem(n, last) {
                    Some(e) => set_in_node(e, tail, value, full),
                    None => Err(Error::new(
                        ErrorKind::Generic,
                        format!("{}: not a list", show(full)),
                    )),
                };
            }
            match list_elem(n, *i) {
                Some(e) => set_in_node(e, tail, value, full),
                None => Err(Error::new(
                    ErrorKind::Generic,
                    format!("{}: index {i} out of range", show(full)),
                )),
            }
        }
    }
}

fn child_or_insert<'a>(b: &'a mut Branch, key: &str) -> &'a mut Node {
    let pos = b
        .items
        .iter()
        .position(|i| matches!(i, Item::Pair(k, _) if k.name == key));
    let pos = pos.unwrap_or_else(|| {
        b.push(key, Value::Null);
        b.items.len() - 1
    });
    match &mut b.items[pos] {
        Item::Pair(_, n) => n,
        // `pos` was found as a pair or pushed as one just above.
        Item::Comment(_) => unreachable!("position holds a pair"),
    }
}

fn list_elem(n: &mut Node, ix: usize) -> Option<&mut Node> {
    let Value::List(l) = &mut n.value else {
        return None;
    };
    l.iter_mut()
        .filter_map(|e| match e {
            Elem::Value(v) => Some(v),
            Elem::Comment(_) => None,
        })
        .nth(ix)
}

/// Remove `path` from the first document. Returns false when it was not there.
pub fn unset_value(doc: &mut Doc, path: &[Step]) -> Result<bool> {
    if path.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidTreePath,
            "the path is empty; give at least one key, e.g. [\"key\"]",
        ));
    }
    match doc.branches.first_mut() {
        Some(b) => Ok(unset_in_branch(b, path)),
        None => Ok(false),
    }
}

fn unset_in_branch(b: &mut Branch, rest: &[Step]) -> bool {
    match rest {
        [Step::Key(k)] => b.remove(k).is_some(),
        [Step::Key(k), tail @ ..] => b.get_mut(k).is_some_and(|n| unset_in_node(n, tail)),
        _ => false,
    }
}

fn unset_in_node(n: &mut Node, rest: &[Step]) -> bool {
    match (&mut n.value, rest) {
        (Value::Map(b), _) => unset_in_branch(b, rest),
        (Value::List(l), [Step::Index(i)]) => {
            let pos = l
                .iter()
                .enumerate()
                .filter(|(_, e)| matches!(e, Elem::Value(_)))
                .nth(*i)
                .map(|(p, _)| p);
            // Removing a list element changes the list's text as a whole.
            pos.map(|p| {
                l.remove(p);
                n.changed = true;
            })
            .is_some()
        }
        (Value::List(_), [Step::Index(i), tail @ ..]) => {
            list_elem(n, *i).is_some_and(|e| unset_in_node(e, tail))
        }
        _ => false,
    }
}

/// Turn a JSON value (the `set` argument) into a tree value.
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(a) => Value::List(
            a.iter()
                .map(|x| Elem::Value(Node::new(from_json(x))))
                .collect(),
        ),
        serde_json::Value::Object(o) => {
            let mut b = Branch::new();
            for (k, x) in o {
                b.push(k.clone(), from_json(x));
            }
            Value::Map(b)
        }
    }
}

/// What `updatekeys` would change: per group, the keys added and removed.
#[derive(Debug, Default)]
pub struct KeyDiff {
    /// Per group index: key descriptions added.
    pub added: Vec<(usize, String)>,
    /// Per group index: key descriptions removed.
    pub removed: Vec<(usize, String)>,
    /// The threshold changes (old, new).
    pub threshold: Option<(usize, usize)>,
}

impl KeyDiff {
    /// True when nothing changes.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.threshold.is_none()
    }
}

/// `updatekeys`: re-wrap the file's existing data key for `groups` (values, MAC and
/// `lastmodified` untouched; only the `sops` block changes). Returns the diff and, unless it
/// is empty, the new file.
pub fn update_keys(
    input: &[u8],
    format: Format,
    store: &StoreOptions,
    order: &[String],
    groups: &Groups,
    threshold: usize,
) -> Result<(KeyDiff, Option<Vec<u8>>)> {
    let mut loaded = load(input, format, store)?;
    let describe = |g: &[Box<dyn MasterKey>]| {
        g.iter()
            .map(|k| format!("{}: {}", k.kind(), k.id()))
            .collect::<Vec<_>>()
    };
    let mut diff = KeyDiff::default();
    let n = groups.len().max(loaded.meta.groups.len());
    for i in 0..n {
        let new: Vec<String> = groups.get(i).map(|g| describe(g)).unwrap_or_default();
        let old: Vec<String> = loaded
            .meta
            .groups
            .get(i)
            .map(|g| g.iter().map(|k| k.id()).collect())
            .unwrap_or_default();
        diff.added.extend(
            new.iter()
                .filter(|k| !old.contains(k))
                .map(|k| (i, k.clone())),
        );
        diff.removed.extend(
            old.iter()
                .filter(|k| !new.contains(k))
                .map(|k| (i, k.clone())),
        );
    }
    // sops-compat: the threshold is min(old or flag, number of groups).
    let wanted = if threshold > 0 {
        threshold
    } else {
        loaded.meta.shamir_threshold
    };
    let new_threshold = if groups.len() > 1 {
        wanted.min(groups.len())
    } else {
        0
    };
    let old_threshold = if loaded.meta.groups.len() > 1 {
        loaded.meta.shamir_threshold
    } else {
        0
    };
    if groups.len() > 1 && new_threshold != old_threshold {
        diff.threshold = Some((old_threshold, new_threshold));
    }
    if diff.is_empty() {
        return Ok((diff, None));
    }
    let key = keygroups::recover(&loaded.meta, order)
        .map_err(|r| Error::new(ErrorKind::NoDataKey, r.to_string()))?;
    let fail = |e: crate::keys::KeyError| Error::new(ErrorKind::Generic, e.to_string());
    let mut wrapped = keygroups::wrap(groups, new_threshold, &key).map_err(fail)?;
    // With one group every entry wraps the whole key, so entries of keys that stay are kept
    // as they were (smaller diff). Shamir shares are re-split, so there every entry changes.
    if groups.len() == 1 && loaded.meta.groups.len() == 1 {
        for k in wrapped.iter_mut().flatten() {
            if let Some(old) = loaded.meta.groups[0].iter().find(|o| o.id() == k.id()) {
                *k = old.clone();
            }
        }
    }
    loaded.meta.groups = wrapped;
    loaded.meta.shamir_threshold = new_threshold;
    // The MAC stays, so a readable layout field stays valid; any other is dropped.
    layout::drop_unreadable(&key, &mut loaded.meta);
    let out = write_encrypted(&mut loaded.doc, &loaded.meta, input, format, format, store)?;
    Ok((diff, Some(out)))
}

/// `groups add` / `groups delete`: change the key groups of a file and re-split its existing
/// data key for them. Values, `mac` and `lastmodified` are untouched (as in SOPS). `change`
/// receives the current groups (as master keys) and threshold.
pub fn regroup(
    input: &[u8],
    format: Format,
    store: &StoreOptions,
    order: &[String],
    change: impl FnOnce(&mut Groups, &mut usize) -> Result<()>,
) -> Result<Vec<u8>> {
    let mut loaded = load(input, format, store)?;
    let key = keygroups::recover(&loaded.meta, order)
        .map_err(|r| Error::new(ErrorKind::NoDataKey, r.to_string()))?;
    let fail = |e: crate::keys::KeyError| Error::new(ErrorKind::Generic, e.to_string());
    let mut groups = master_keys(&loaded.meta.groups, |_| false)?;
    let mut threshold = loaded.meta.shamir_threshold;
    change(&mut groups, &mut threshold)?;
    if groups.is_empty() || groups.iter().any(|g| g.is_empty()) {
        return Err(Error::new(
            ErrorKind::Generic,
            "every key group needs at least one key",
        ));
    }
    if groups.len() > 1 {
        if threshold == 0 {
            threshold = groups.len();
        }
        if threshold < 2 || threshold > groups.len() {
            return Err(Error::new(
                ErrorKind::Generic,
                format!("shamir threshold {threshold} is not possible with {} key groups (needs 2..={})", groups.len(), groups.len()),
            ));
        }
    } else {
        threshold = 0;
    }
    loaded.meta.groups = keygroups::wrap(&groups, threshold, &key).map_err(fail)?;
    loaded.meta.shamir_threshold = threshold;
    layout::drop_unreadable(&key, &mut loaded.meta);
    write_encrypted(&mut loaded.doc, &loaded.meta, input, format, format, store)
}
