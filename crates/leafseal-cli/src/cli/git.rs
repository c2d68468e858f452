//! Git integration: `diff-driver` (a `textconv` filter), `merge-driver` (git's merge driver
//! contract) and `check` (a pre-commit test that files matching a creation rule are
//! encrypted and intact). `docs/git.md` has the `.gitattributes` and `git config` lines.
//!
//! The drivers run inside git on temporary copies, so they never look at `.sops.yaml`
//! creation rules (the temporary path matches none; getsops/sops#959, #666): everything they
//! need is in the files' own metadata. The format comes from the file name, or from the
//! repository path git gives the merge driver.

use std::io::Write;
use std::path::{Path, PathBuf};

use leafseal::config;
use leafseal::ops::crypt::IvStash;
use leafseal::ops::merge::{merge_files, MergeOptions};
use leafseal::ops::{load, open_tree, Loaded};
use leafseal::store::metadata::Metadata;
use leafseal::store::{Format, Side, StoreOptions};
use leafseal::ErrorKind;

use super::args::{CheckArgs, DiffDriverArgs, MergeDriverArgs};
use super::decrypt::order;
use super::{warn, Failure};

fn format_of(input_type: Option<&str>, name: &Path) -> Result<Format, Failure> {
    match input_type {
        Some(t) => {
            Format::from_name(t).ok_or_else(|| Failure::new(1, format!("unknown file type {t:?}")))
        }
        None => Ok(Format::from_path(Some(name))),
    }
}

fn read(p: &Path) -> Result<Vec<u8>, Failure> {
    leafseal::audit::set_subject(p);
    leafseal::fsio::read_input(p)
        .map_err(|e| Failure::new(2, format!("{}: cannot read: {e}", p.display())))
}

/// `# leafseal: age: age1…; pgp: …` — who can open the file, so that a recipient change shows
/// up as a changed line in `git diff`. `None` where the format has no comments (JSON, binary).
fn recipients_line(meta: &Metadata, format: Format) -> Option<String> {
    let marker = match format {
        Format::Yaml | Format::Toml | Format::Dotenv => "#",
        Format::Ini => ";",
        Format::Json | Format::Binary => return None,
    };
    let groups: Vec<String> = meta
        .groups
        .iter()
        .map(|g| g.iter().map(|k| k.id()).collect::<Vec<_>>().join("; "))
        .collect();
    Some(format!("{marker} leafseal: {}\n", groups.join(" | ")))
}

/// The text `diff-driver` prints and a warning to show, if any. Never fails: git calls
/// textconv on every file the attribute matches, and a failure would break `git diff` as a
/// whole, so anything that cannot be decrypted is shown as it is stored.
fn textconv(bytes: &[u8], format: Format, order: &[String]) -> (Vec<u8>, Option<String>) {
    let so = StoreOptions::default();
    // Not an encrypted file (or not parsable as one): show it unchanged, silently.
    let Ok(mut loaded) = load(bytes, format, &so) else {
        return (bytes.to_vec(), None);
    };
    let mut note = None;
    let opened = match open_tree(&mut loaded, order, false, &mut IvStash::default()) {
        Err(e) if e.kind() == ErrorKind::MacMismatch => {
            // Show the values anyway (the diff is for reading), but say the MAC is wrong.
            note = Some(
                "the MAC does not verify: the file was changed without re-encrypting".to_string(),
            );
            load(bytes, format, &so).and_then(|mut l| {
                open_tree(&mut l, order, true, &mut IvStash::default()).map(|_| l)
            })
        }
        Err(e) => Err(e),
        Ok(_) => Ok(loaded),
    };
    let l: Loaded = match opened {
        Ok(l) => l,
        Err(e) => {
            return (
                bytes.to_vec(),
                Some(format!(
                    "cannot decrypt, showing the encrypted text: {}",
                    e.message
                )),
            )
        }
    };
    let body = match leafseal::store::guard::emit_checked(
        format.store(&so).as_ref(),
        format,
        &l.doc,
        Some(bytes),
        Side::Plain,
        &Default::default(),
        leafseal::store::guard::Check::Exact,
    ) {
        Ok(b) => b,
        Err(e) => {
            return (
                bytes.to_vec(),
                Some(format!(
                    "cannot write the plaintext, showing the encrypted text: {e}"
                )),
            )
        }
    };
    let mut out = Vec::new();
    if let Some(h) = recipients_line(&l.meta, format) {
        out.extend_from_slice(h.as_bytes());
        if note.is_some() {
            let marker = &h[..1];
            out.extend_from_slice(
                format!("{marker} leafseal: WARNING: MAC does not verify\n").as_bytes(),
            );
        }
    }
    out.extend_from_slice(&body);
    (out, note)
}

/// Run `diff-driver`.
pub fn diff_driver(a: DiffDriverArgs) -> Result<(), Failure> {
    let name = a.file.display().to_string();
    let bytes = read(&a.file)?;
    let format = format_of(a.input_type.as_deref(), &a.file)?;
    let order = order(a.decryption_order.as_deref())?;
    let (out, note) = textconv(&bytes, format, &order);
    if let Some(n) = note {
        warn(&format!("{name}: {n}"));
    }
    let out = zeroize::Zeroizing::new(out);
    let mut so = std::io::stdout().lock();
    so.write_all(&out)
        .and_then(|_| so.flush())
        .map_err(Failure::stdout)
}

fn show_path(p: &[String]) -> String {
    p.iter().map(|k| format!("[{k:?}]")).collect()
}

/// Run `merge-driver`: exit 0 when merged, 1 on conflicts (git's contract: any non-zero exit
/// is a conflict). When the versions cannot be decrypted, ours is left as it was.
pub fn merge_driver(a: MergeDriverArgs) -> Result<(), Failure> {
    let shown = a.path.as_deref().unwrap_or(&a.ours);
    let name = shown.display().to_string();
    let format = format_of(a.input_type.as_deref(), shown)?;
    // git passes an empty file as the base when both sides added the file.
    let base = if a.base.exists() {
        read(&a.base)?
    } else {
        Vec::new()
    };
    let (ours, theirs) = (read(&a.ours)?, read(&a.theirs)?);
    // The three decrypt events name the file git merges (%P), not its temporary copies.
    leafseal::audit::set_subject(shown);
    let opts = MergeOptions {
        format,
        store: StoreOptions::default(),
        decryption_order: order(a.decryption_order.as_deref())?,
    };
    let merged = merge_files(&base, &ours, &theirs, &opts).map_err(|e| {
        Failure::from_lib(&name, e)
            .hint("the file is left as ours; merge it by hand with `leafseal edit`")
    })?;
    for w in &merged.warnings {
        warn(&format!("{name}: {w}"));
    }
    super::flush_notes(&name);
    if let Some(out) = &merged.output {
        leafseal::fsio::write_atomic(&a.ours, out, 0o644)
            .map_err(|e| Failure::new(3, format!("{name}: cannot write: {e}")))?;
    }
    if merged.conflicts.is_empty() {
        return Ok(());
    }
    for c in &merged.conflicts {
        eprintln!("leafseal: conflict: {name}: {}", show_path(c));
    }
    Err(Failure::new(1, format!("{name}: {} conflicting value(s); the file stays encrypted with both sides marked", merged.conflicts.len()))
        .hint(format!("run `leafseal edit {name}`, replace each {{leafseal_conflict_ours, leafseal_conflict_theirs}} map by the value to keep, then `git add {name}`")))
}

enum Status {
    Ok,
    Warn(String),
    Fail(String),
}

fn check_file(p: &Path, order: &[String]) -> Status {
    let Ok(bytes) = leafseal::fsio::read_input(p) else {
        return Status::Fail("cannot read".into());
    };
    leafseal::audit::set_subject(p);
    let format = Format::from_path(Some(p));
    // Parse errors are not repeated: their text could quote the plaintext.
    let Ok(mut l) = load(&bytes, format, &StoreOptions::default()) else {
        return Status::Fail("not encrypted (no sops metadata)".into());
    };
    if l.meta.mac.is_empty() || l.meta.version.is_empty() {
        return Status::Fail("not encrypted (incomplete sops metadata)".into());
    }
    match open_tree(&mut l, order, false, &mut IvStash::default()) {
        Ok(_) => Status::Ok,
        Err(e) => match e.kind() {
            ErrorKind::NoDataKey => Status::Warn("cannot verify (no key)".into()),
            ErrorKind::MacMismatch => Status::Fail("MAC does not verify".into()),
            ErrorKind::DecryptTree => Status::Fail("a value does not decrypt".into()),
            _ => Status::Fail(e.message),
        },
    }
}

/// Run `check`.
pub fn check(a: CheckArgs, explicit: Option<&Path>) -> Result<(), Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::new(1, format!("cannot read the working directory: {e}")))?;
    let Some((cfg_path, cfg)) =
        config::find(explicit, &cwd).map_err(|e| Failure::new(1, e.to_string()))?
    else {
        return Err(Failure::new(
            1,
            "config file not found: check tests the files that .sops.yaml creation rules match",
        ));
    };
    if cfg.creation_rules.is_none() {
        return Err(Failure::new(
            1,
            format!(
                "{}: no creation_rules: nothing says which files must be encrypted",
                cfg_path.display()
            ),
        ));
    }
    let dir = cfg_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cwd.clone());
    let roots = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths.clone()
    };
    let mut files = Vec::new();
    for r in &roots {
        super::walk::files(r, &mut files)?;
    }
    let order = order(a.decryption_order.as_deref())?;
    let (mut checked, mut failed, mut warned) = (0usize, 0usize, 0usize);
    for f in files {
        if f.file_name().is_some_and(|n| n == config::CONFIG_FILE_NAME) {
            continue;
        }
        let name = f.strip_prefix("./").unwrap_or(&f).display().to_string();
        match cfg.rule_for(&config::absolute(&f, &cwd), &dir) {
            Ok(Some(_)) => {}
            Ok(None) | Err(config::ConfigError::NoMatchingRule { .. }) => continue,
            Err(e) => {
                return Err(Failure::new(
                    u8::try_from(e.exit_code()).unwrap_or(1),
                    format!("{name}: {e}"),
                ))
            }
        }
        checked += 1;
        match check_file(&f, &order) {
            Status::Ok => {}
            Status::Warn(w) => {
                warned += 1;
                println!("WARN {name}: {w}");
            }
            Status::Fail(m) => {
                failed += 1;
                println!("FAIL {name}: {m}");
            }
        }
    }
    let bad = failed + if a.strict { warned } else { 0 };
    if bad > 0 {
        return Err(Failure::new(1, format!("{bad} of {checked} file(s) matching a creation rule failed the check"))
            .hint("encrypt plaintext files with `leafseal encrypt -i FILE`; restore files whose MAC does not verify, or re-encrypt them with `leafseal edit`"));
    }
    Ok(())
}
