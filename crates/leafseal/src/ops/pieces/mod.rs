//! Encrypt and decrypt piece by piece (beyond SOPS, for large files): a store that can split
//! its input into top-level entries ([`Store::pieces`]) has each entry parsed, processed and
//! written on its own, so only the input, the output and a few entries are in memory at once,
//! and parsing runs on a second thread beside the cryptography.
//!
//! The result is byte for byte what the whole-document path writes: the pieces carry between
//! them everything a whole walk would carry (the MAC, the root comment frame that comment
//! rules look at, the top-level keys seen), and anything this path does not handle — a piece
//! that does not parse alone, a duplicate key, a change that cannot be spliced, any error —
//! makes the caller run the whole-document path, which also gives the authoritative error.
//! Side effects stay single: the data key is recovered (decrypt) or wrapped (encrypt) once.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::sync_channel;

use zeroize::Zeroizing;

use super::crypt::{decrypt_piece, encrypt_piece, IvStash};
use super::{extract, layout, verify_mac, DecryptOptions, Decrypted, EncryptOptions, Sink};
use crate::cipher::mac::MacHasher;
use crate::cipher::value::Cipher;
use crate::cipher::DataKey;
use crate::error::Result;
use crate::store::guard::{self, Fingerprint};
use crate::store::metadata::Metadata;
use crate::store::{Format, Side, Store, StoreError, StoreOptions};
use crate::tree::path::Step;
use crate::tree::select::Rule;
use crate::tree::walk::pending_root_comments;
use crate::tree::{Branch, Doc, Item, Span, Value};

/// Set (to anything) to process every file as one document: a switch for troubleshooting and
/// for the tests that compare both paths.
pub const DISABLE_ENV: &str = "LEAFSEAL_NO_PIECES";

fn enabled() -> bool {
    std::env::var_os(DISABLE_ENV).is_none()
}

/// Inputs at least this large are parsed on a second thread.
const THREAD_FROM: usize = 256 * 1024;

/// Batches of parsed pieces queued between the parsing thread and the caller.
const QUEUE: usize = 4;

/// Pieces are handed over in batches of about this many input bytes (one handover per piece
/// costs a thread wake-up each).
const BATCH_BYTES: usize = 64 * 1024;

/// Parse the pieces of `input` in order and hand each to `f` (with its range). Stops at the
/// first piece that does not parse or when `f` says `None`; `None` then.
fn each_piece(
    format: Format,
    so: StoreOptions,
    input: &[u8],
    ranges: &[Span],
    side: Side,
    f: &mut dyn FnMut(Span, Doc) -> Option<()>,
) -> Option<()> {
    // A key named twice (in a piece, or at the top level across pieces) sends the file to the
    // whole-document path, which refuses it with its line (`store::parse_unique`).
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut f = |r: Span, doc: Doc| -> Option<()> {
        // (INI sections may repeat; its parser checks keys within a section.)
        for b in doc.branches.iter().filter(|_| format != Format::Ini) {
            crate::store::unique_keys(b, input).ok()?;
            for item in &b.items {
                if let crate::tree::Item::Pair(k, _) = item {
                    if !seen.insert(k.name.clone()) {
                        return None;
                    }
                }
            }
        }
        f(r, doc)
    };
    if input.len() < THREAD_FROM {
        let store = format.store(&so);
        for r in ranges {
            f(*r, store.parse_piece(input, *r, side).ok()?)?;
        }
        return Some(());
    }
    type Batch = Vec<std::result::Result<Doc, StoreError>>;
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Batch>(QUEUE);
        scope.spawn(move || {
            let store = format.store(&so);
            let mut batch: Batch = Vec::new();
            let mut bytes = 0;
            for r in ranges {
                let piece = store.parse_piece(input, *r, side);
                let failed = piece.is_err();
                batch.push(piece);
                bytes += r.end - r.start;
                if bytes >= BATCH_BYTES || failed {
                    // A closed channel means the consumer stopped: stop too.
                    if tx.send(std::mem::take(&mut batch)).is_err() || failed {
                        return;
                    }
                    bytes = 0;
                }
            }
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
        });
        let mut got = 0;
        for batch in rx.iter() {
            for piece in batch {
                let r = *ranges.get(got)?;
                got += 1;
                f(r, piece.ok()?)?;
            }
        }
        (got == ranges.len()).then_some(())
    })
}

/// Make room for `extra` more bytes in a plaintext buffer; when it must grow, the old
/// allocation is wiped (dropping a `Zeroizing` buffer zeroizes it) instead of being freed as
/// is by `Vec`'s own growth.
fn reserve_zeroizing(out: &mut Zeroizing<Vec<u8>>, extra: usize) {
    if out.capacity() - out.len() < extra {
        let cap = (out.capacity() * 2).max(out.len() + extra);
        let mut bigger = Zeroizing::new(Vec::with_capacity(cap));
        bigger.extend_from_slice(out);
        *out = bigger;
    }
}

/// Tracks the top-level keys of the pieces: a key seen twice is an error the whole parse
/// reports, so this path gives up on it.
#[derive(Default)]
struct Keys(HashSet<String>);

impl Keys {
    fn all_new(&mut self, b: &Branch) -> bool {
        b.items.iter().all(|i| match i {
            Item::Pair(k, _) => self.0.insert(k.name.clone()),
            Item::Comment(_) => true,
        })
    }
}

/// A decryption the piecewise path can do: the file splits into pieces and one of them holds
/// readable metadata.
pub(crate) struct DecryptPlan {
    /// The metadata, as the whole-document path would load it.
    pub meta: Metadata,
    ranges: Vec<Span>,
}

/// The piece that starts with the key `sops` could hold the metadata.
fn may_hold_metadata(piece: &[u8]) -> bool {
    [&b"sops"[..], b"\"sops\"", b"'sops'"]
        .iter()
        .any(|k| piece.starts_with(k))
}

impl DecryptPlan {
    /// `None` when the file is not for this path (the caller decrypts it whole).
    pub fn new(input: &[u8], opts: &DecryptOptions) -> Option<Self> {
        if !enabled() || (opts.extract.is_none() && opts.input != opts.output) {
            return None;
        }
        let store = opts.input.store(&opts.store);
        let ranges = store.pieces(input, Side::Encrypted)?;
        for (i, r) in ranges.iter().enumerate() {
            let text = input.get(r.start..r.end)?;
            if i > 0 && !may_hold_metadata(text) {
                continue;
            }
            let doc = store.parse_piece(input, *r, Side::Encrypted).ok()?;
            let Some(node) = doc.branches.first().and_then(|b| b.get("sops")) else {
                continue;
            };
            let Value::Map(mb) = &node.value else {
                return None;
            };
            let meta = Metadata::from_branch(mb).ok()?;
            return Some(DecryptPlan { meta, ranges });
        }
        None
    }

    /// Decrypt with the recovered `key`. `None`: use the whole-document path. A MAC mismatch
    /// is final (the whole path would find the same values).
    pub fn run(
        &self,
        input: &[u8],
        opts: &DecryptOptions,
        key: &DataKey,
    ) -> Option<Result<Decrypted>> {
        let meta = &self.meta;
        let rule = meta.effective_rule();
        let cipher = Cipher::new(key);
        let store = opts.input.store(&opts.store);
        let mut mac = MacHasher::new(meta.mac_only_encrypted);
        let mut warnings = Vec::new();
        let mut stash = IvStash::default();
        let entries = layout::open_meta(key, meta);
        let index = layout::index(&entries);
        let mut anchors = layout::Anchors::default();
        let first_key = match opts.extract.as_deref().and_then(|p| p.first()) {
            Some(Step::Key(k)) => Some(k.as_str()),
            _ => None,
        };
        // Plaintext buffers only grow through `reserve_zeroizing`, so no stale copy is left
        // behind unzeroized. (Zeroizing wipes the whole capacity on drop, which also makes it
        // resident: reserve about what decryption gives, not the input's size.)
        let mut out = Zeroizing::new(Vec::with_capacity(if opts.extract.is_some() {
            0
        } else {
            input.len() / 3
        }));
        let mut keys = Keys::default();
        let mut crypt_carry: Vec<String> = Vec::new();
        let mut layout_carry: Vec<String> = Vec::new();
        let mut found: Option<Doc> = None;
        let mut saw_meta = false;
        let with_comments = guard::keeps_comments(opts.output);
        let mut expected = Fingerprint::new(with_comments);
        expected.document();
        each_piece(
            opts.input,
            opts.store,
            input,
            &self.ranges,
            Side::Encrypted,
            &mut |range, mut doc| {
                let b = doc.branches.first_mut()?;
                if !keys.all_new(b) {
                    return None;
                }
                saw_meta |= b.remove("sops").is_some();
                let next_crypt = pending_root_comments(&crypt_carry, b);
                decrypt_piece(
                    &mut doc,
                    &cipher,
                    &rule,
                    meta.mac_only_encrypted,
                    &mut mac,
                    &mut warnings,
                    &mut stash,
                    &crypt_carry,
                )
                .ok()?;
                crypt_carry = next_crypt;
                let b = doc.branches.first()?;
                let next_layout = pending_root_comments(&layout_carry, b);
                if opts.extract.is_some() {
                    let holds = |b: &Branch| first_key.is_some_and(|k| b.get(k).is_some());
                    if found.is_none() && holds(b) {
                        found = Some(doc);
                    }
                } else {
                    let verbatim = layout::apply_piece(
                        &mut doc,
                        &index,
                        store.as_ref(),
                        &rule,
                        &layout_carry,
                        input,
                        &mut anchors,
                    );
                    // A piece's plaintext is shorter than its text but for rare long
                    // spellings: with this much room the buffer does not move while the
                    // piece is written into it.
                    reserve_zeroizing(&mut out, 2 * (range.end - range.start) + 4096);
                    expected.items(&doc.branches.first()?.items);
                    store.emit_piece(&doc, input, range, &verbatim, &mut out)?;
                }
                layout_carry = next_layout;
                Some(())
            },
        )?;
        if !saw_meta {
            return None;
        }
        let computed = mac.finish();
        if !opts.ignore_mac {
            if let Err(e) = verify_mac(key, meta, &computed) {
                return Some(Err(e));
            }
        }
        if let Some(path) = &opts.extract {
            let out_store = opts.output.store(&opts.store);
            let doc = found.unwrap_or_else(|| Doc {
                branches: vec![Branch::new()],
            });
            return Some(extract(&doc, path, out_store.as_ref()).map(|o| Decrypted {
                output: Zeroizing::new(o),
                warnings: warnings.into_iter().map(|w| w.0).collect(),
            }));
        }
        // The write guard: the plaintext must read back as what was decrypted; if it does
        // not, the whole path (with its canonical fallback) does the work again.
        guard::inject_fault("splice", &mut out);
        if !guard::reads_back(
            store.as_ref(),
            &out,
            Side::Plain,
            with_comments,
            &expected.finish(),
        ) {
            return None;
        }
        Some(Ok(Decrypted {
            output: out,
            warnings: warnings.into_iter().map(|w| w.0).collect(),
        }))
    }
}

/// What the piecewise encryption produced before the metadata is written.
pub(crate) struct Sealed {
    /// Output not yet handed to the sink.
    pub out: Vec<u8>,
    /// The last piece, encrypted, waiting for the metadata; and its range.
    pub last: (Doc, Span),
    /// MAC over the plaintext (uppercase hex).
    pub mac_hex: String,
    /// Original spellings to keep (see `layout`).
    pub spellings: Vec<layout::Entry>,
    /// What the output must read back as (the write guard), all but the last piece.
    pub expected: Fingerprint,
}

/// Output is handed to the sink in blocks of about this size.
const FLUSH_AT: usize = 1 << 20;

/// Encrypt the pieces of `input` under `key` with the effective `rule`, writing all but the
/// last to `sink` as they are done. `None`: use the whole-document path (nothing was wrapped
/// yet; the sink must be restarted). `Some(Err)`: the sink failed.
pub(crate) fn encrypt(
    input: &[u8],
    opts: &EncryptOptions,
    key: &DataKey,
    rule: &Rule,
    sink: &mut dyn Sink,
) -> Option<std::io::Result<Sealed>> {
    if !enabled() || opts.input != opts.output {
        return None;
    }
    let store = opts.input.store(&opts.store);
    let ranges = store.pieces(input, Side::Plain)?;
    let cipher = Cipher::new(key);
    let mut mac = MacHasher::new(opts.mac_only_encrypted);
    let stash = IvStash::default();
    let mut spellings = Vec::new();
    let mut keys = Keys::default();
    let mut carry: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(FLUSH_AT * 2);
    let mut sink_error = None;
    let mut last = None;
    let mut expected = Fingerprint::new(guard::keeps_comments(opts.output));
    expected.document();
    let count = ranges.len();
    let mut seen = 0;
    let done = each_piece(
        opts.input,
        opts.store,
        input,
        &ranges,
        Side::Plain,
        &mut |range, mut doc| {
            seen += 1;
            let b = doc.branches.first()?;
            // An already encrypted file is refused by the whole path, with its message.
            if !keys.all_new(b) || super::marks_encrypted(b, opts.input) {
                return None;
            }
            let next = pending_root_comments(&carry, b);
            let from = spellings.len();
            layout::capture_piece(
                &mut doc,
                input,
                store.as_ref(),
                rule,
                &carry,
                &mut spellings,
            );
            encrypt_piece(
                &mut doc,
                &cipher,
                rule,
                opts.mac_only_encrypted,
                &mut mac,
                &stash,
                &carry,
            )
            .ok()?;
            layout::bind(&mut doc, &mut spellings, from);
            carry = next;
            if seen == count {
                // Check now, with a stand-in for the metadata, that it splices before any key
                // is wrapped; it is written with the real metadata by the caller.
                let mut stand_in = doc.clone();
                let mut meta = Branch::new();
                meta.push("version", Value::Str(String::new()));
                stand_in
                    .branches
                    .first_mut()?
                    .push("sops", Value::Map(meta));
                let mut probe = Vec::new();
                store.emit_piece(&stand_in, input, range, &HashMap::new(), &mut probe)?;
                last = Some((doc, range));
            } else {
                expected.items(&doc.branches.first()?.items);
                store.emit_piece(&doc, input, range, &HashMap::new(), &mut out)?;
                if out.len() >= FLUSH_AT {
                    if let Err(e) = sink.write_all(&out) {
                        sink_error = Some(e);
                        return None;
                    }
                    out.clear();
                }
            }
            Some(())
        },
    );
    if let Some(e) = sink_error {
        return Some(Err(e));
    }
    done?;
    Some(Ok(Sealed {
        out,
        last: last?,
        mac_hex: mac.finish(),
        spellings,
        expected,
    }))
}

/// Write the last piece with the metadata appended (as the whole path appends it); `None`
/// when it does not splice. Also what the whole output must read back as.
pub(crate) fn finish(
    sealed: Sealed,
    meta: &Metadata,
    input: &[u8],
    store: &dyn Store,
) -> (Option<Vec<u8>>, guard::Digest2) {
    let Sealed {
        mut out,
        last: (mut doc, range),
        mut expected,
        ..
    } = sealed;
    super::attach_metadata(&mut doc, meta);
    for b in &doc.branches {
        expected.items(&b.items);
    }
    let done = store.emit_piece(&doc, input, range, &HashMap::new(), &mut out);
    (done.map(|_| out), expected.finish())
}

#[cfg(test)]
mod tests;
