//! Whole-file operations: encrypt and decrypt (more in later modules). Each takes bytes and
//! options and returns bytes; reading and writing files is the caller's job.

pub mod crypt;
pub mod layout;
pub mod merge;
mod pieces;
pub mod rewrite;

use zeroize::Zeroizing;

use crate::cipher::mac;
use crate::cipher::DataKey;
use crate::error::{Error, ErrorKind, Result};
use crate::keygroups::{self, Groups};
use crate::store::guard::{self, Check};
use crate::store::metadata::{Metadata, StoredKey};
use crate::store::{Format, Side, StoreError, StoreOptions};
use crate::tree::path::Step;
use crate::tree::select::Rule;
use crate::tree::{Branch, Doc, Elem, Item, Time, Value};
use crypt::IvStash;

/// The SOPS version written into `version` (must be semver: SOPS parses it on decrypt).
pub const SOPS_VERSION: &str = "3.13.2";

fn read_err(e: StoreError) -> Error {
    Error::new(ErrorKind::ReadInput, e.to_string())
}

fn emit_err(e: StoreError) -> Error {
    let kind = if e.on_emit {
        ErrorKind::EmitTree
    } else {
        ErrorKind::ReadInput
    };
    Error::new(kind, e.to_string())
}

/// What `encrypt` needs.
pub struct EncryptOptions {
    /// Input format.
    pub input: Format,
    /// Output format.
    pub output: Format,
    /// Output store options.
    pub store: StoreOptions,
    /// Master keys by group.
    pub groups: Groups,
    /// Shamir threshold (0 = all groups).
    pub shamir_threshold: usize,
    /// Selection rule (default `_unencrypted` suffix).
    pub rule: Option<Rule>,
    /// Only encrypted values enter the MAC.
    pub mac_only_encrypted: bool,
}

/// Where [`encrypt_to`] writes the encrypted file as it is produced (ciphertext only).
pub trait Sink: std::io::Write {
    /// Discard everything written so far.
    fn restart(&mut self) -> std::io::Result<()>;
    /// Everything written so far (for the write guard's read-back); writing goes on after it.
    /// An in-memory sink lends its buffer instead of copying it.
    fn written(&mut self) -> std::io::Result<std::borrow::Cow<'_, [u8]>>;
}

impl Sink for Vec<u8> {
    fn restart(&mut self) -> std::io::Result<()> {
        self.clear();
        Ok(())
    }
    fn written(&mut self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        Ok(std::borrow::Cow::Borrowed(self.as_slice()))
    }
}

/// Read a seekable sink back from its start, leaving the position at its end.
fn read_back(f: &mut (impl std::io::Read + std::io::Seek)) -> std::io::Result<Vec<u8>> {
    use std::io::SeekFrom;
    // Sized once, so reading never holds an old and a grown buffer at the same time (no
    // measured gain when writing to stdout: docs/performance.md).
    let len = f.seek(SeekFrom::End(0))?;
    f.rewind()?;
    let mut out = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    f.read_to_end(&mut out)?;
    f.seek(SeekFrom::End(0))?;
    Ok(out)
}

impl Sink for std::fs::File {
    fn restart(&mut self) -> std::io::Result<()> {
        use std::io::Seek;
        self.set_len(0)?;
        self.rewind()
    }
    fn written(&mut self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        read_back(self).map(std::borrow::Cow::Owned)
    }
}

impl Sink for tempfile::SpooledTempFile {
    fn restart(&mut self) -> std::io::Result<()> {
        use std::io::Seek;
        self.set_len(0)?;
        self.rewind()
    }
    fn written(&mut self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        read_back(self).map(std::borrow::Cow::Owned)
    }
}

fn write_err(e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::WriteOutput,
        format!("cannot write the output: {e}"),
    )
}

/// Encrypt a plaintext file.
pub fn encrypt(input: &[u8], opts: &EncryptOptions) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    encrypt_to(input, opts, &mut out)?;
    Ok(out)
}

/// Encrypt a plaintext file into `sink`, which holds the whole encrypted file on success and
/// anything (to be discarded) on error.
pub fn encrypt_to(input: &[u8], opts: &EncryptOptions, sink: &mut dyn Sink) -> Result<()> {
    // sops-compat: the encrypt event comes before the tree is encrypted (`Tree.Encrypt`).
    #[cfg(feature = "audit")]
    crate::audit::submit(crate::audit::Action::Encrypt)?;
    let store = opts.input.store(&opts.store);
    let no_keys = opts.groups.iter().all(|g| g.is_empty());
    let key = DataKey::generate();
    // Large files of the common shape are encrypted piece by piece, each written out when
    // done. The data key is wrapped only once every piece is done, so a fallback to the whole
    // path (which also reports any error) wraps it once too.
    if !no_keys && opts.input != Format::Binary {
        let rule = opts.rule.clone().unwrap_or_else(Rule::default_rule);
        if let Some(sealed) = pieces::encrypt(input, opts, &key, &rule, sink) {
            let sealed = sealed.map_err(write_err)?;
            let groups = wrap_key(opts, &key)?;
            let meta = seal_metadata(
                opts,
                &key,
                groups,
                Some(rule),
                &sealed.mac_hex,
                &sealed.spellings,
            );
            let (mut tail, expected) = pieces::finish(sealed, &meta, input, store.as_ref());
            // The write guard: the streamed output must read back as what was encrypted;
            // anything else is redone on the whole path (which has the canonical fallback).
            if let Some(t) = tail.as_mut() {
                guard::inject_fault("splice", t);
                sink.write_all(t).map_err(write_err)?;
                let written = sink.written().map_err(write_err)?;
                let with_comments = guard::keeps_comments(opts.output);
                if guard::reads_back(
                    store.as_ref(),
                    &written,
                    Side::Encrypted,
                    with_comments,
                    &expected,
                ) {
                    return Ok(());
                }
            }
        }
        sink.restart().map_err(write_err)?;
    }
    encrypt_whole(input, opts, key, sink)
}

/// The whole-document encryption.
fn encrypt_whole(
    input: &[u8],
    opts: &EncryptOptions,
    key: DataKey,
    sink: &mut dyn Sink,
) -> Result<()> {
    let store = opts.input.store(&opts.store);
    let no_keys = opts.groups.iter().all(|g| g.is_empty());
    let mut doc = crate::store::parse_unique(opts.input, store.as_ref(), input, Side::Plain)
        .map_err(read_err)?;
    if doc.branches.is_empty() {
        return Err(Error::new(
            ErrorKind::EmptyFile,
            "file cannot be completely empty, it must contain at least one document",
        ));
    }
    if doc.branches.iter().any(|b| marks_encrypted(b, opts.input)) {
        return Err(Error::new(ErrorKind::AlreadyEncrypted, "file already encrypted (it has a top-level `sops` entry, or `sops_…` keys in a flat format)")
            .hint("to change an encrypted file use `leafseal edit`; if it is plaintext, rename that entry"));
    }
    if no_keys {
        return Err(Error::new(ErrorKind::Generic, "no master keys: nothing to encrypt the data key to")
            .hint("pass --age RECIPIENT (or set SOPS_AGE_RECIPIENTS), or add a creation rule to .sops.yaml"));
    }
    let binary = opts.input == Format::Binary;
    // sops-compat: the binary store ignores selection rules and records none.
    let rule = if binary {
        None
    } else {
        Some(opts.rule.clone().unwrap_or_else(Rule::default_rule))
    };
    let effective = rule.clone().unwrap_or_else(Rule::default_rule);
    // Original spellings of values, kept encrypted so decrypt restores the file exactly.
    let mut spellings = if opts.input == opts.output {
        layout::capture(&mut doc, input, store.as_ref(), &effective)
    } else {
        Vec::new()
    };
    let groups = wrap_key(opts, &key)?;
    let mac_hex = crypt::encrypt_doc(
        &mut doc,
        &key,
        &effective,
        opts.mac_only_encrypted,
        &IvStash::default(),
    )?;
    layout::bind(&mut doc, &mut spellings, 0);
    let meta = seal_metadata(opts, &key, groups, rule, &mac_hex, &spellings);
    if opts.output == Format::Binary {
        // The encrypted side of the binary store is canonical JSON holding one large token:
        // written straight out, never copied into an output buffer.
        attach_metadata(&mut doc, &meta);
        let json = crate::store::json::JsonStore {
            indent: opts.store.json_indent,
        };
        return json.write_canonical_to(&doc, sink).map_err(write_err);
    }
    let out = write_encrypted(&mut doc, &meta, input, opts.input, opts.output, &opts.store)?;
    sink.write_all(&out).map_err(write_err)
}

/// Whether a plaintext document is in fact already encrypted: a top-level `sops` entry, or
/// (sops-compat) in dotenv files any `sops_…` key (flattened metadata).
pub(crate) fn marks_encrypted(b: &crate::tree::Branch, format: Format) -> bool {
    b.get("sops").is_some()
        || (format == Format::Dotenv
            && b.items
                .iter()
                .any(|i| matches!(i, Item::Pair(k, _) if k.name.starts_with("sops_"))))
}

/// Wrap the data key for every key group.
fn wrap_key(opts: &EncryptOptions, key: &DataKey) -> Result<Vec<Vec<StoredKey>>> {
    keygroups::wrap(&opts.groups, opts.shamir_threshold, key).map_err(|e| {
        Error::new(
            ErrorKind::Generic,
            format!("could not wrap the data key: {e}"),
        )
    })
}

/// The metadata of a freshly encrypted file.
fn seal_metadata(
    opts: &EncryptOptions,
    key: &DataKey,
    groups: Vec<Vec<StoredKey>>,
    rule: Option<Rule>,
    mac_hex: &str,
    spellings: &[layout::Entry],
) -> Metadata {
    let lastmodified = Time::now_utc().rfc3339();
    // The layout is sealed after the MAC: its AAD is the MAC token (`ops::layout`).
    let mac = mac::seal_mac(key, mac_hex, &lastmodified).unwrap_or_default();
    Metadata {
        groups,
        shamir_threshold: if opts.groups.len() > 1 {
            opts.shamir_threshold
        } else {
            0
        },
        layout: layout::seal_entries(key, &mac, spellings),
        mac,
        lastmodified,
        rule,
        mac_only_encrypted: opts.mac_only_encrypted,
        version: SOPS_VERSION.into(),
    }
}

/// Append the metadata as the last item of every document (SOPS repeats it in each).
pub(crate) fn attach_metadata(doc: &mut Doc, meta: &Metadata) {
    let block = meta.to_branch();
    for b in &mut doc.branches {
        b.push("sops", Value::Map(block.clone()));
    }
}

/// Append the metadata to every document and emit (splicing when the format is unchanged).
pub(crate) fn write_encrypted(
    doc: &mut Doc,
    meta: &Metadata,
    original: &[u8],
    input: Format,
    output: Format,
    so: &StoreOptions,
) -> Result<Vec<u8>> {
    attach_metadata(doc, meta);
    let same = input == output;
    let check = if same { Check::Exact } else { Check::Parses };
    guard::emit_checked(
        output.store(so).as_ref(),
        output,
        doc,
        same.then_some(original),
        Side::Encrypted,
        &Default::default(),
        check,
    )
    .map_err(emit_err)
}

/// An encrypted file, parsed, with its metadata taken out of the tree.
pub struct Loaded {
    /// The documents, values still encrypted.
    pub doc: Doc,
    /// The metadata from the first document.
    pub meta: Metadata,
}

/// Parse an encrypted file and take out its metadata.
pub fn load(input: &[u8], format: Format, so: &StoreOptions) -> Result<Loaded> {
    // sops-compat: SOPS reports an unparsable file on the decrypt side as a metadata load
    // failure, exit 1 (encrypt reports the same input with exit 2).
    let mut doc =
        crate::store::parse_unique(format, format.store(so).as_ref(), input, Side::Encrypted)
            .map_err(|e| Error::new(ErrorKind::Generic, e.to_string()))?;
    let mut first = None;
    for b in &mut doc.branches {
        if let Some((_, n)) = b.remove("sops") {
            first.get_or_insert(n);
        }
    }
    let no_meta = || {
        Error::new(
            ErrorKind::Generic,
            "sops metadata not found: this file is not encrypted (no top-level `sops` key)",
        )
        .hint("encrypt it with `leafseal encrypt`, or check --input-type")
    };
    let node = first.ok_or_else(no_meta)?;
    let Value::Map(mb) = &node.value else {
        return Err(no_meta());
    };
    json_typed(format, mb, true)?;
    let meta =
        Metadata::from_branch(mb).map_err(|e| Error::new(ErrorKind::Generic, e.to_string()))?;
    Ok(Loaded { doc, meta })
}

/// sops-compat: SOPS decodes JSON metadata into typed fields, so a `version` that is a JSON
/// number (sops 1.x wrote `"version": 1.6`) fails to load (exit 1), while YAML's `version:
/// 1.0` is read as its text. `filestatus` answers as SOPS does; the commands that decrypt
/// (`for_decrypt`) go beyond it and read a sops 1.x file as the Python sops 1.x did.
fn json_typed(format: Format, mb: &Branch, for_decrypt: bool) -> Result<()> {
    if !matches!(format, Format::Json | Format::Binary) {
        return Ok(());
    }
    match mb.get("version").map(|n| &n.value) {
        None | Some(Value::Str(_)) => Ok(()),
        Some(Value::Float(f)) if for_decrypt && format!("{f:?}").starts_with("1.") => Ok(()),
        Some(v) => Err(Error::new(
            ErrorKind::Generic,
            format!(
                "sops metadata: version is a JSON {}, not a string (sops 1.x wrote it so; SOPS 3 \
                 cannot load such a file either)",
                v.type_name()
            ),
        )
        .hint(format!(
            "write the version as a string (\"version\": \"{}\"), which SOPS reads",
            match v {
                Value::Float(f) => format!("{f:?}"),
                other => crate::tree::scalar::canonical_bytes(other)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default(),
            }
        ))),
    }
}

/// What `filestatus` reports, as SOPS decides it: `Ok(false)` when the file has no `sops`
/// metadata, or metadata without a version or a MAC; `Ok(true)` when it has both (whatever
/// the version says); an error when the file cannot be parsed or its metadata cannot be read.
pub fn status(input: &[u8], format: Format, so: &StoreOptions) -> Result<bool> {
    let mut doc =
        crate::store::parse_unique(format, format.store(so).as_ref(), input, Side::Encrypted)
            .map_err(|e| Error::new(ErrorKind::Generic, e.to_string()))?;
    let Some(node) = doc.branches.iter_mut().find_map(|b| b.remove("sops")) else {
        return Ok(false);
    };
    let Value::Map(mb) = &node.1.value else {
        return Err(Error::new(
            ErrorKind::Generic,
            "the `sops` metadata is not a map",
        ));
    };
    json_typed(format, mb, false)?;
    let meta = Metadata::read(mb)
        .and_then(|m| m.check_created_at().map(|()| m))
        .map_err(|e| Error::new(ErrorKind::Generic, e.to_string()))?;
    Ok(!meta.version.is_empty() && !meta.mac.is_empty())
}

/// What `decrypt` needs.
pub struct DecryptOptions {
    /// Input format.
    pub input: Format,
    /// Output format.
    pub output: Format,
    /// Output store options.
    pub store: StoreOptions,
    /// Skip MAC verification.
    pub ignore_mac: bool,
    /// Print only this subtree.
    pub extract: Option<Vec<Step>>,
    /// Key types to try first.
    pub decryption_order: Vec<String>,
}

/// The result of `decrypt`.
pub struct Decrypted {
    /// The plaintext output.
    pub output: Zeroizing<Vec<u8>>,
    /// Non-fatal problems (undecryptable comments).
    pub warnings: Vec<String>,
}

/// Recover the data key and decrypt the tree in place, verifying the MAC unless told not to.
pub fn open_tree(
    loaded: &mut Loaded,
    order: &[String],
    ignore_mac: bool,
    stash: &mut IvStash,
) -> Result<(DataKey, Vec<String>)> {
    let key = recover_key(&loaded.meta, order)?;
    open_tree_with(loaded, key, ignore_mac, stash)
}

/// Recover the data key of a file with `meta`, trying key types in `order`.
pub fn recover_key(meta: &Metadata, order: &[String]) -> Result<DataKey> {
    let key = recover_key_only(meta, order)?;
    // sops-compat: SOPS submits the decrypt event once the data key is recovered, before any
    // value is decrypted (`Tree.Decrypt`); a failure to record stops here when configured so.
    #[cfg(feature = "audit")]
    crate::audit::submit(crate::audit::Action::Decrypt)?;
    Ok(key)
}

fn recover_key_only(meta: &Metadata, order: &[String]) -> Result<DataKey> {
    keygroups::recover(meta, order).map_err(|r| {
        let kinds: Vec<&str> = meta.groups.iter().flatten().map(|k| k.kind.as_str()).collect();
        let mut hints = Vec::new();
        if kinds.contains(&"age") {
            hints.push("for age keys give a matching identity (SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, ~/.config/sops/age/keys.txt)");
        }
        if kinds.contains(&"pgp") {
            hints.push("for PGP keys import the secret key into the gpg keyring (GNUPGHOME)");
        }
        if kinds.contains(&"kms") {
            hints.push("for AWS KMS keys provide credentials allowed to kms:Decrypt (AWS_PROFILE, environment, or the instance role)");
        }
        if kinds.contains(&"gcp_kms") {
            hints.push("for GCP KMS keys provide credentials allowed to decrypt with the key (GOOGLE_APPLICATION_CREDENTIALS, `gcloud auth application-default login`, or the instance's service account)");
        }
        if kinds.contains(&"hc_vault") {
            hints.push("for Vault transit keys give a token allowed to decrypt (VAULT_TOKEN or ~/.vault-token)");
        }
        if crate::keyservice::has_remotes() {
            hints.push("the --keyservice services were asked too: one of them must hold a key of each group needed (a leafseal key service logs every request)");
        }
        let e = Error::new(ErrorKind::NoDataKey, r.to_string());
        if hints.is_empty() { e } else { e.hint(hints.join("; ")) }
    })
}

/// [`open_tree`] with the data key already recovered.
fn open_tree_with(
    loaded: &mut Loaded,
    key: DataKey,
    ignore_mac: bool,
    stash: &mut IvStash,
) -> Result<(DataKey, Vec<String>)> {
    let rule = loaded.meta.effective_rule();
    let (computed, warnings) = crypt::decrypt_doc(
        &mut loaded.doc,
        &key,
        &rule,
        loaded.meta.mac_only_encrypted,
        stash,
    )?;
    if !ignore_mac {
        verify_mac(&key, &loaded.meta, &computed)?;
    }
    Ok((key, warnings.into_iter().map(|w| w.0).collect()))
}

/// Check the MAC computed over the decrypted values against the stored one.
fn verify_mac(key: &DataKey, meta: &Metadata, computed: &str) -> Result<()> {
    mac::verify(key, &meta.mac, &meta.lastmodified, computed).map_err(|e| {
        Error::new(ErrorKind::MacMismatch, e.to_string())
            .hint("the file was changed without re-encrypting; restore it, or pass --ignore-mac to read it anyway")
    })
}

/// Decrypt an encrypted file.
pub fn decrypt(input: &[u8], opts: &DecryptOptions) -> Result<Decrypted> {
    // Large files of the common shape are decrypted piece by piece (bounded memory, parsing
    // beside decryption); anything that path does not handle is done on the whole document,
    // which also gives the authoritative error. The data key is recovered once either way.
    let mut recovered = None;
    if let Some(plan) = pieces::DecryptPlan::new(input, opts) {
        let key = recover_key(&plan.meta, &opts.decryption_order)?;
        if let Some(out) = plan.run(input, opts, &key) {
            return out;
        }
        recovered = Some(key);
    }
    let mut loaded = load(input, opts.input, &opts.store)?;
    let key = match recovered {
        Some(k) => k,
        None => recover_key(&loaded.meta, &opts.decryption_order)?,
    };
    let (key, warnings) =
        open_tree_with(&mut loaded, key, opts.ignore_mac, &mut IvStash::default())?;
    let out_store = opts.output.store(&opts.store);
    let output = match &opts.extract {
        Some(path) => extract(&loaded.doc, path, out_store.as_ref())?,
        None if opts.input == opts.output => {
            let verbatim = spellings(&mut loaded, &key, out_store.as_ref(), input);
            guard::emit_checked(
                out_store.as_ref(),
                opts.output,
                &loaded.doc,
                Some(input),
                Side::Plain,
                &verbatim,
                Check::Exact,
            )
            .map_err(emit_err)?
        }
        None => guard::emit_checked(
            out_store.as_ref(),
            opts.output,
            &loaded.doc,
            None,
            Side::Plain,
            &Default::default(),
            Check::Parses,
        )
        .map_err(emit_err)?,
    };
    Ok(Decrypted {
        output: Zeroizing::new(output),
        warnings,
    })
}

/// The original spellings recorded at encryption that still match the decrypted values
/// (`input`: the encrypted text `loaded` was parsed from).
pub fn spellings(
    loaded: &mut Loaded,
    key: &DataKey,
    store: &dyn crate::store::Store,
    input: &[u8],
) -> std::collections::HashMap<usize, String> {
    let entries = layout::open_meta(key, &loaded.meta);
    let rule = loaded.meta.effective_rule();
    layout::apply(&mut loaded.doc, &entries, store, &rule, input)
}

pub(crate) fn extract(
    doc: &Doc,
    path: &[Step],
    store: &dyn crate::store::Store,
) -> Result<Vec<u8>> {
    let not_found = |i: usize| {
        let shown: String = path[..=i]
            .iter()
            .map(|s| match s {
                Step::Key(k) => format!("[{k:?}]"),
                Step::Index(n) => format!("[{n}]"),
            })
            .collect();
        Error::new(ErrorKind::Generic, format!("key not found: {shown}"))
    };
    // Walk by reference: only the extracted value is copied, never the whole tree.
    let empty = crate::tree::Branch::new();
    let mut cur: Option<&Value> = None;
    let root = doc.branches.first().unwrap_or(&empty);
    for (i, step) in path.iter().enumerate() {
        let next = match (step, cur) {
            (Step::Key(k), None) => find_key(root, k),
            (Step::Key(k), Some(Value::Map(b))) => find_key(b, k),
            (Step::Index(n), Some(Value::List(l))) => l
                .iter()
                .filter_map(|e| match e {
                    Elem::Value(v) => Some(&v.value),
                    Elem::Comment(_) => None,
                })
                .nth(*n),
            _ => None,
        };
        cur = Some(next.ok_or_else(|| not_found(i))?);
    }
    let cur = match cur {
        Some(v) => v.clone(),
        None => Value::Map(root.clone()),
    };
    match cur {
        // sops-compat: a string leaf prints raw, with no trailing newline.
        Value::Str(s) => Ok(s.into_bytes()),
        Value::Bytes(b) => Ok(b),
        other => store.emit_value(&other).map_err(emit_err),
    }
}

fn find_key<'a>(b: &'a crate::tree::Branch, k: &str) -> Option<&'a Value> {
    b.items.iter().find_map(|it| match it {
        Item::Pair(key, n) if key.name == *k => Some(&n.value),
        _ => None,
    })
}
