//! Three-way merge of encrypted files, the library half of `leafseal merge-driver` (git's
//! `merge.<driver>.driver` contract: base, ours, theirs; the result replaces ours).
//!
//! Git cannot merge SOPS files textually: every change rewrites `lastmodified` and `mac`, so
//! two branches that touched different secrets always conflict on those two lines, and nobody
//! can resolve a MAC by hand. Here the three versions are decrypted and merged as trees, per
//! key path: maps merge key by key, while lists and scalars are atomic values. A key changed
//! on one side only takes that side's value; both sides changing it to equal values is fine;
//! different changes are a conflict. The result is sealed once through ours' [`Session`], so
//! every value that ends up as ours had it keeps its ciphertext byte for byte and the file gets
//! exactly one new MAC.
//!
//! A conflict never leaves git's text markers in an encrypted file (that would break the MAC
//! and SOPS). Instead the conflicting key gets a map holding both sides,
//! `{leafseal_conflict_ours: …, leafseal_conflict_theirs: …}`, a side that deleted the key
//! being absent from it. The markers are ordinary keys under the conflicting one, so they are
//! encrypted exactly when the original value was (selection rules apply to the whole subtree
//! through its path), SOPS decrypts the file, and `leafseal edit` shows both values in
//! plaintext; resolving means replacing the map by the wanted value. Dotenv, INI and binary
//! files cannot nest a map under a key: there the file keeps ours' value and only the report
//! names the conflicting paths.
//!
//! Comments are taken from ours only; the merge is about values.

use super::crypt::IvStash;
use super::rewrite::Session;
use super::{load, open_tree};
use crate::cipher::DataKey;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{Format, StoreOptions};
use crate::tree::{Branch, Comment, Doc, Elem, Item, Key, Node, Value};

/// The marker key holding ours' side of a conflict.
pub const OURS_KEY: &str = "leafseal_conflict_ours";
/// The marker key holding theirs' side of a conflict.
pub const THEIRS_KEY: &str = "leafseal_conflict_theirs";

/// What [`merge_docs`] did to ours.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Key paths (document index first when there are several documents) where the two
    /// sides changed a value differently. Key names only: never a value.
    pub conflicts: Vec<Vec<String>>,
    /// True when ours was modified (taken values, removals, additions or markers).
    pub changed: bool,
}

/// Merge `theirs` into `ours` in place, with `base` as the common ancestor (`None`: the file
/// was added on both sides). With `mark`, a conflict replaces the value in ours with the
/// marker map (see the module docs); without it ours' value stays. Fails when the sides hold
/// different numbers of documents.
pub fn merge_docs(
    base: Option<&Doc>,
    ours: &mut Doc,
    theirs: &Doc,
    mark: bool,
) -> Result<MergeReport> {
    if ours.branches.len() != theirs.branches.len() {
        return Err(Error::new(
            ErrorKind::Generic,
            format!(
                "ours holds {} documents and theirs {}: documents cannot be merged one by one",
                ours.branches.len(),
                theirs.branches.len()
            ),
        ));
    }
    let several = ours.branches.len() > 1;
    let empty = Branch::new();
    let mut report = MergeReport::default();
    for (i, (o, t)) in ours.branches.iter_mut().zip(&theirs.branches).enumerate() {
        let b = base.and_then(|d| d.branches.get(i)).unwrap_or(&empty);
        let mut path = if several {
            vec![format!("document {i}")]
        } else {
            Vec::new()
        };
        merge_branch(b, o, t, &mut path, &mut report, mark);
    }
    Ok(report)
}

fn pair_names(b: &Branch) -> Vec<String> {
    b.items
        .iter()
        .filter_map(|i| match i {
            Item::Pair(k, _) => Some(k.name.clone()),
            Item::Comment(_) => None,
        })
        .collect()
}

fn merge_branch(
    base: &Branch,
    ours: &mut Branch,
    theirs: &Branch,
    path: &mut Vec<String>,
    report: &mut MergeReport,
    mark: bool,
) {
    let ours_names = pair_names(ours);
    for name in &ours_names {
        path.push(name.clone());
        let b = base.get(name).map(|n| &n.value);
        let t = theirs.get(name).map(|n| &n.value);
        // The name was read from `ours` just above and nothing removed it since.
        let Some(o) = ours.get_mut(name) else {
            path.pop();
            continue;
        };
        match t {
            Some(tv) => {
                if let (Value::Map(om), Value::Map(tm)) = (&mut o.value, tv) {
                    // Both are maps: merge inside, so untouched children keep their layout.
                    let bm = match b {
                        Some(Value::Map(bm)) => bm.clone(),
                        _ => Branch::new(),
                    };
                    merge_branch(&bm, om, tm, path, report, mark);
                } else if same(&o.value, tv) || b.is_some_and(|bv| same(bv, tv)) {
                    // Equal, or theirs left it as it was: ours stands.
                } else if b.is_some_and(|bv| same(bv, &o.value)) {
                    o.set(fresh(tv));
                    report.changed = true;
                } else {
                    conflict(o, Some(tv), path, report, mark);
                }
            }
            None => match b {
                // Added by ours only.
                None => {}
                Some(bv) if same(bv, &o.value) => {
                    ours.remove(name);
                    report.changed = true;
                }
                Some(_) => conflict(o, None, path, report, mark),
            },
        }
        path.pop();
    }
    for item in &theirs.items {
        let Item::Pair(k, tn) = item else { continue };
        if ours_names.contains(&k.name) {
            continue;
        }
        path.push(k.name.clone());
        match base.get(&k.name) {
            None => {
                ours.items.push(Item::Pair(
                    Key::new(k.name.clone()),
                    Node::new(fresh(&tn.value)),
                ));
                report.changed = true;
            }
            // Deleted by ours, left alone by theirs.
            Some(bn) if same(&bn.value, &tn.value) => {}
            Some(_) => {
                report.conflicts.push(path.clone());
                if mark {
                    let mut m = Branch::new();
                    m.push(THEIRS_KEY, fresh(&tn.value));
                    ours.push(k.name.clone(), Value::Map(m));
                    report.changed = true;
                }
            }
        }
        path.pop();
    }
}

fn conflict(
    o: &mut Node,
    theirs: Option<&Value>,
    path: &[String],
    report: &mut MergeReport,
    mark: bool,
) {
    report.conflicts.push(path.to_vec());
    if !mark {
        return;
    }
    let mut m = Branch::new();
    m.push(OURS_KEY, fresh(&o.value));
    if let Some(tv) = theirs {
        m.push(THEIRS_KEY, fresh(tv));
    }
    o.set(Value::Map(m));
    report.changed = true;
}

/// Equality of data: map key order, comments and source positions do not count.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            let xs: Vec<(&str, &Node)> = pairs(x).collect();
            xs.len() == pairs(y).count()
                && xs
                    .iter()
                    .all(|(k, n)| y.get(k).is_some_and(|m| same(&n.value, &m.value)))
        }
        (Value::List(x), Value::List(y)) => {
            let xs: Vec<&Node> = elems(x).collect();
            xs.len() == elems(y).count()
                && xs
                    .iter()
                    .zip(elems(y))
                    .all(|(p, q)| same(&p.value, &q.value))
        }
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits() || x == y,
        _ => a == b,
    }
}

fn pairs(b: &Branch) -> impl Iterator<Item = (&str, &Node)> {
    b.items.iter().filter_map(|i| match i {
        Item::Pair(k, n) => Some((k.name.as_str(), n)),
        Item::Comment(_) => None,
    })
}

fn elems(l: &[Elem]) -> impl Iterator<Item = &Node> {
    l.iter().filter_map(|e| match e {
        Elem::Value(n) => Some(n),
        Elem::Comment(_) => None,
    })
}

/// A copy of `v` with no source positions: its spans point into another file's text (theirs,
/// or another place in ours), so the store must generate it rather than splice.
fn fresh(v: &Value) -> Value {
    match v {
        Value::Map(b) => {
            let mut out = Branch::new();
            for item in &b.items {
                out.items.push(match item {
                    Item::Pair(k, n) => Item::Pair(
                        Key {
                            name: k.name.clone(),
                            is_string: k.is_string,
                            span: None,
                        },
                        Node::new(fresh(&n.value)),
                    ),
                    Item::Comment(c) => Item::Comment(Comment::new(c.text.clone())),
                });
            }
            Value::Map(out)
        }
        Value::List(l) => Value::List(
            l.iter()
                .map(|e| match e {
                    Elem::Value(n) => Elem::Value(Node::new(fresh(&n.value))),
                    Elem::Comment(c) => Elem::Comment(Comment {
                        as_elem: false,
                        ..Comment::new(c.text.clone())
                    }),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// What [`merge_files`] needs.
pub struct MergeOptions {
    /// The format of all three files.
    pub format: Format,
    /// Store options.
    pub store: StoreOptions,
    /// Key types to try first when recovering data keys.
    pub decryption_order: Vec<String>,
}

/// The outcome of [`merge_files`].
pub struct Merged {
    /// The new ours, or `None` when ours already is the merge result (leave it untouched).
    pub output: Option<Vec<u8>>,
    /// Conflicting key paths (a `["sops"]` entry: theirs changed the master keys).
    pub conflicts: Vec<Vec<String>>,
    /// Notes for the user (no plaintext).
    pub warnings: Vec<String>,
}

fn key_ids(meta: &crate::store::metadata::Metadata) -> Vec<Vec<String>> {
    meta.groups
        .iter()
        .map(|g| {
            let mut ids: Vec<String> = g.iter().map(|k| k.id()).collect();
            ids.sort();
            ids
        })
        .collect()
}

/// Merge three encrypted versions of one file. Each version's data key is recovered on its
/// own (they are usually the same key, but a `rotate` on one branch changes it), and every
/// MAC is verified. The result keeps ours' metadata and data key; an empty `base` means the
/// file was added on both sides.
pub fn merge_files(base: &[u8], ours: &[u8], theirs: &[u8], opts: &MergeOptions) -> Result<Merged> {
    let side = |name: &'static str| {
        move |e: Error| Error {
            message: format!("{name}: {}", e.message),
            ..e
        }
    };
    let mut session = Session::open(ours, opts.format, opts.store, &opts.decryption_order, false)
        .map_err(side("ours"))?;
    let open = |bytes: &[u8]| -> Result<(super::Loaded, DataKey)> {
        let mut l = load(bytes, opts.format, &opts.store)?;
        let (key, _) = open_tree(
            &mut l,
            &opts.decryption_order,
            false,
            &mut IvStash::default(),
        )?;
        Ok((l, key))
    };
    let (theirs, theirs_key) = open(theirs).map_err(side("theirs"))?;
    let (base, base_key) = if base.iter().all(u8::is_ascii_whitespace) {
        (None, None)
    } else {
        let (b, k) = open(base).map_err(side("base"))?;
        (Some(b), Some(k))
    };

    let mut warnings = Vec::new();
    let mut key_conflict = false;
    let (o_ids, t_ids) = (key_ids(&session.meta), key_ids(&theirs.meta));
    if o_ids != t_ids {
        let b_ids = base.as_ref().map(|b| key_ids(&b.meta));
        // Only theirs changed the master keys: keeping ours' would silently undo that (a
        // removed recipient could still read the file), so it must be looked at.
        if b_ids.as_ref() == Some(&o_ids) || b_ids.is_none() {
            key_conflict = true;
            warnings.push("theirs changed the master keys; the result keeps ours' keys: apply theirs' change with `leafseal updatekeys` or `leafseal rotate`".into());
        }
    }

    let mark = matches!(opts.format, Format::Yaml | Format::Json | Format::Toml);
    let mut report = merge_docs(
        base.as_ref().map(|b| &b.doc),
        &mut session.doc,
        &theirs.doc,
        mark,
    )?;
    if !mark && !report.conflicts.is_empty() {
        warnings.push("this format cannot hold conflict markers: conflicting keys keep ours' value (see theirs with `git show MERGE_HEAD:<path>`)".into());
    }
    if key_conflict {
        report.conflicts.push(vec!["sops".into()]);
    }
    // A data-key rotation made by theirs alone (same master keys, another data key) is kept:
    // the result is sealed under theirs' key (as ours' would undo it). A rotation by ours is
    // kept as it is; when both rotated, ours' new key stands.
    let theirs_rotated = base_key
        .as_ref()
        .is_some_and(|b| session.has_key(b) && !session.has_key(&theirs_key));
    if theirs_rotated && !key_conflict {
        session.adopt_key(
            theirs_key,
            theirs.meta.groups.clone(),
            theirs.meta.shamir_threshold,
        );
        report.changed = true;
        warnings.push("theirs rotated the data key: the merge result keeps that rotation".into());
    }
    let output = if report.changed {
        let doc = session.doc.clone();
        Some(session.seal(doc, ours)?)
    } else {
        None
    };
    Ok(Merged {
        output,
        conflicts: report.conflicts,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, Value)]) -> Branch {
        let mut b = Branch::new();
        for (k, v) in pairs {
            b.push(*k, v.clone());
        }
        b
    }

    fn doc(pairs: &[(&str, Value)]) -> Doc {
        Doc {
            branches: vec![map(pairs)],
        }
    }

    fn s(x: &str) -> Value {
        Value::Str(x.into())
    }

    fn get<'a>(d: &'a Doc, k: &str) -> Option<&'a Value> {
        d.branches[0].get(k).map(|n| &n.value)
    }

    #[test]
    fn one_sided_changes_merge() {
        let base = doc(&[
            ("a", s("1")),
            ("b", s("2")),
            ("gone", s("x")),
            ("n", Value::Map(map(&[("x", s("1")), ("y", s("1"))]))),
        ]);
        let mut ours = doc(&[
            ("a", s("ours")),
            ("b", s("2")),
            ("gone", s("x")),
            ("n", Value::Map(map(&[("x", s("o")), ("y", s("1"))]))),
        ]);
        let theirs = doc(&[
            ("a", s("1")),
            ("b", s("theirs")),
            ("n", Value::Map(map(&[("x", s("1")), ("y", s("t"))]))),
            ("new", Value::Int(3)),
        ]);
        let r = merge_docs(Some(&base), &mut ours, &theirs, true).unwrap();
        assert!(r.conflicts.is_empty());
        assert!(r.changed);
        assert_eq!(get(&ours, "a"), Some(&s("ours")));
        assert_eq!(get(&ours, "b"), Some(&s("theirs")));
        assert_eq!(get(&ours, "gone"), None);
        assert_eq!(get(&ours, "new"), Some(&Value::Int(3)));
        let Some(Value::Map(n)) = get(&ours, "n") else {
            panic!("n is a map")
        };
        assert_eq!(n.get("x").map(|n| &n.value), Some(&s("o")));
        assert_eq!(n.get("y").map(|n| &n.value), Some(&s("t")));
    }

    #[test]
    fn equal_changes_and_untouched_theirs_change_nothing() {
        let base = doc(&[
            ("a", s("1")),
            (
                "l",
                Value::List(vec![Elem::Value(Node::new(Value::Int(1)))]),
            ),
        ]);
        let mut ours = doc(&[
            ("a", s("same")),
            (
                "l",
                Value::List(vec![Elem::Value(Node::new(Value::Int(1)))]),
            ),
        ]);
        let theirs = doc(&[
            ("a", s("same")),
            (
                "l",
                Value::List(vec![Elem::Value(Node::new(Value::Int(1)))]),
            ),
        ]);
        let r = merge_docs(Some(&base), &mut ours, &theirs, true).unwrap();
        assert_eq!(r, MergeReport::default());
    }

    #[test]
    fn different_changes_conflict_with_markers() {
        let base = doc(&[("a", s("1")), ("d", s("x")), ("l", Value::List(vec![]))]);
        let mut ours = doc(&[
            ("a", s("ours")),
            ("d", s("changed")),
            (
                "l",
                Value::List(vec![Elem::Value(Node::new(Value::Int(1)))]),
            ),
        ]);
        let theirs = doc(&[
            ("a", s("theirs")),
            (
                "l",
                Value::List(vec![Elem::Value(Node::new(Value::Int(2)))]),
            ),
        ]);
        let r = merge_docs(Some(&base), &mut ours, &theirs, true).unwrap();
        assert_eq!(
            r.conflicts,
            vec![
                vec!["a".to_string()],
                vec!["d".to_string()],
                vec!["l".to_string()]
            ]
        );
        let Some(Value::Map(a)) = get(&ours, "a") else {
            panic!("a is a marker map")
        };
        assert_eq!(a.get(OURS_KEY).map(|n| &n.value), Some(&s("ours")));
        assert_eq!(a.get(THEIRS_KEY).map(|n| &n.value), Some(&s("theirs")));
        // Theirs deleted `d`: the marker holds only ours' side.
        let Some(Value::Map(d)) = get(&ours, "d") else {
            panic!("d is a marker map")
        };
        assert!(d.get(THEIRS_KEY).is_none());
    }

    #[test]
    fn unmarked_conflicts_keep_ours() {
        let base = doc(&[("a", s("1"))]);
        let mut ours = doc(&[("a", s("ours"))]);
        let theirs = doc(&[("a", s("theirs"))]);
        let r = merge_docs(Some(&base), &mut ours, &theirs, false).unwrap();
        assert_eq!(r.conflicts.len(), 1);
        assert!(!r.changed);
        assert_eq!(get(&ours, "a"), Some(&s("ours")));
    }

    #[test]
    fn added_on_both_sides_without_base() {
        let mut ours = doc(&[("a", s("1")), ("b", s("o"))]);
        let theirs = doc(&[("a", s("1")), ("b", s("t")), ("c", s("t"))]);
        let r = merge_docs(None, &mut ours, &theirs, true).unwrap();
        assert_eq!(r.conflicts, vec![vec!["b".to_string()]]);
        assert_eq!(get(&ours, "c"), Some(&s("t")));
    }

    #[test]
    fn deleted_by_ours_modified_by_theirs_conflicts() {
        let base = doc(&[("a", s("1"))]);
        let mut ours = doc(&[]);
        let theirs = doc(&[("a", s("2"))]);
        let r = merge_docs(Some(&base), &mut ours, &theirs, true).unwrap();
        assert_eq!(r.conflicts, vec![vec!["a".to_string()]]);
        let Some(Value::Map(a)) = get(&ours, "a") else {
            panic!("a is a marker map")
        };
        assert!(a.get(OURS_KEY).is_none());
        assert_eq!(a.get(THEIRS_KEY).map(|n| &n.value), Some(&s("2")));
    }

    #[test]
    fn same_ignores_order_and_positions() {
        let a = Value::Map(map(&[("x", Value::Int(1)), ("y", Value::Int(2))]));
        let b = Value::Map(map(&[("y", Value::Int(2)), ("x", Value::Int(1))]));
        assert!(same(&a, &b));
        assert!(!same(&a, &Value::Map(map(&[("x", Value::Int(1))]))));
    }
}
