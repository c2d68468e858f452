//! `leafseal edit`: decrypt into a 0600 file in a private temp dir, run the editor, re-encrypt
//! under the same data key (unchanged values keep their ciphertext) and write atomically.
//!
//! The temp dir is removed on every path: normal return, error, editor crash, and SIGINT,
//! SIGTERM, SIGHUP, SIGQUIT (a flag is polled while the editor runs; the guard's Drop does the
//! removal); what a session killed outright left behind is swept by the next one. An invalid
//! document is offered back to the user on a terminal; without one the command fails at once
//! instead of waiting (SOPS 3.11 loops forever there).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use leafseal::ops::rewrite::Session;
use leafseal::ops::{self, EncryptOptions};
use leafseal::store::{Format, StoreOptions};

use super::args::EditArgs;
use super::decrypt::order;
use super::Failure;

/// The private temp dir; removed when dropped.
struct TempGuard {
    /// Held for its Drop, which removes the directory and the file in it.
    _dir: tempfile::TempDir,
    /// The session's lock on the directory (see [`sweep_stale`]).
    _lock: std::fs::File,
    file: PathBuf,
}

fn temp_base() -> PathBuf {
    let candidates = [
        std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from),
        Some(PathBuf::from("/dev/shm")),
    ];
    for c in candidates.into_iter().flatten() {
        if c.is_dir() && tempfile::tempdir_in(&c).is_ok() {
            return c;
        }
    }
    std::env::temp_dir()
}

const TEMP_PREFIX: &str = "leafseal-edit-";
/// Held locked (flock) by the session that made the directory, for as long as it runs.
const LOCK_NAME: &str = ".lock";

fn make_temp(name: &str, data: &[u8]) -> Result<TempGuard, Failure> {
    let fail =
        |e: std::io::Error| Failure::new(3, format!("cannot create the editor's temp file: {e}"));
    let base = temp_base();
    sweep_stale(&base);
    let mut b = tempfile::Builder::new();
    b.prefix(TEMP_PREFIX);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        // 0700 from the start: never a moment with wider permissions.
        b.permissions(std::fs::Permissions::from_mode(0o700));
        opts.mode(0o600);
    }
    let dir = b.tempdir_in(&base).map_err(fail)?;
    let lock = opts.open(dir.path().join(LOCK_NAME)).map_err(fail)?;
    #[cfg(unix)]
    rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive)
        .map_err(|e| fail(e.into()))?;
    let file = dir.path().join(name);
    let mut f = opts.open(&file).map_err(fail)?;
    f.write_all(data).and_then(|_| f.sync_all()).map_err(fail)?;
    Ok(TempGuard {
        _dir: dir,
        _lock: lock,
        file,
    })
}

/// Remove what an edit session killed outright (SIGKILL, a crash, power loss) left in `base`:
/// `leafseal-edit-*` directories of this user whose lock no session holds, and directories of
/// older releases (without a lock) untouched for a day. Links are never followed.
fn sweep_stale(base: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(entries) = std::fs::read_dir(base) else {
            return;
        };
        let me = rustix::process::geteuid().as_raw();
        for e in entries.flatten() {
            let path = e.path();
            let ours = e.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
                && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir() && m.uid() == me);
            if !ours {
                continue;
            }
            let stale = match std::fs::OpenOptions::new()
                .read(true)
                .open(path.join(LOCK_NAME))
            {
                Ok(lock) => {
                    rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive)
                        .is_ok()
                }
                Err(_) => std::fs::symlink_metadata(&path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > Duration::from_secs(24 * 3600)),
            };
            if stale {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
}

fn editor_argv() -> Result<Vec<String>, Failure> {
    for var in ["SOPS_EDITOR", "EDITOR"] {
        if let Ok(v) = std::env::var(var) {
            if !v.trim().is_empty() {
                return shell_words::split(&v).map_err(|e| {
                    Failure::new(201, format!("${var} is not a valid command line: {e}"))
                });
            }
        }
    }
    for e in ["vim", "nano", "vi"] {
        if let Ok(path) = std::env::var("PATH") {
            if std::env::split_paths(&path).any(|d| d.join(e).is_file()) {
                return Ok(vec![e.to_string()]);
            }
        }
    }
    Err(Failure::new(201, "no editor found").hint("set $EDITOR or $SOPS_EDITOR"))
}

/// Run the editor on `file`; returns on its exit, or with exit 1 after a signal.
fn run_editor(file: &Path, stop: &AtomicBool) -> Result<(), Failure> {
    let argv = editor_argv()?;
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .arg(file)
        .spawn()
        .map_err(|e| Failure::new(201, format!("cannot run editor {:?}: {e}", argv[0])))?;
    loop {
        if stop.load(Ordering::Relaxed) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Failure::new(1, "interrupted: the file was not changed"));
        }
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(Failure::new(
                    201,
                    format!("editor exited with {status}; the file was not changed"),
                ))
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(25)),
            Err(e) => {
                return Err(Failure::new(
                    201,
                    format!("waiting for the editor failed: {e}"),
                ))
            }
        }
    }
}

fn digest(b: &[u8]) -> [u8; 32] {
    Sha256::digest(b).into()
}

/// Ask on the terminal whether to reopen the editor after an invalid document.
fn offer_retry(err: &Failure) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprintln!("leafseal: error: {}", err.message);
    eprint!("leafseal: press Enter to reopen the editor with your text, or Ctrl-C to abort: ");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map(|n| n > 0)
        .unwrap_or(false)
}

/// Run `edit`.
pub fn run(a: EditArgs, config: Option<&Path>, aws_profile: Option<&str>) -> Result<(), Failure> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGQUIT,
    ] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| Failure::new(1, format!("cannot install signal handler: {e}")))?;
    }
    let name = a.file.display().to_string();
    let format = match &a.common.input_type {
        Some(t) => Format::from_name(t)
            .ok_or_else(|| Failure::new(1, format!("unknown file type {t:?}")))?,
        None => Format::from_path(Some(&a.file)),
    };
    let base = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let exists = a.file.exists();
    // A new file's keys are resolved before the editor opens, so nobody types secrets into a
    // file that then cannot be saved.
    let creation = if exists {
        None
    } else {
        let r = super::options::creation(config, &a.file, &a.keys, aws_profile, None, 0, false)?;
        Some(EncryptOptions {
            input: format,
            output: format,
            store: r.store,
            groups: r.groups,
            shamir_threshold: r.shamir_threshold,
            rule: r.rule,
            mac_only_encrypted: r.mac_only_encrypted,
        })
    };
    leafseal::audit::set_subject(&a.file);
    let (mut session, plain) = if exists {
        let original = leafseal::fsio::read_input(&a.file)
            .map_err(|e| Failure::new(2, format!("{name}: cannot read: {e}")))?;
        let order = order(a.common.decryption_order.as_deref())?;
        let mut s = Session::open(
            &original,
            format,
            StoreOptions::default(),
            &order,
            a.common.ignore_mac,
        )
        .map_err(|e| {
            let f = Failure::from_lib(&name, e);
            super::io::binary_hint(f, format, a.common.input_type.is_some(), &original)
        })?;
        let plain = if a.show_master_keys {
            s.plaintext_with_metadata(&original)
        } else {
            s.plaintext(&original)
        };
        let plain = plain.map_err(|e| Failure::from_lib(&name, e))?;
        (Some(s), plain)
    } else {
        (
            None,
            Zeroizing::new(format.example_document().as_bytes().to_vec()),
        )
    };
    let guard = make_temp(&base, &plain)?;
    let before = digest(&plain);
    drop(plain);
    loop {
        run_editor(&guard.file, &stop)?;
        let edited = Zeroizing::new(
            leafseal::fsio::read_input(&guard.file)
                .map_err(|e| Failure::new(2, format!("cannot read the edited file: {e}")))?,
        );
        if digest(&edited) == before {
            // Not an error, though SOPS's exit code says so (200): a note, as SOPS prints it.
            eprintln!("leafseal: {name}: file has not changed, exiting");
            return Err(Failure::new(200, ""));
        }
        let result = match session.as_mut() {
            Some(s) => s
                .reseal_edited(&edited, a.show_master_keys)
                .map_err(|e| Failure::from_lib(&name, e)),
            None => match &creation {
                Some(opts) => ops::encrypt(&edited, opts).map_err(|e| Failure::from_lib(&name, e)),
                None => Err(Failure::new(
                    1,
                    "internal: no key settings for the new file",
                )),
            },
        };
        match result {
            Ok(out) => {
                super::flush_notes(&name);
                leafseal::fsio::write_atomic(&a.file, &out, 0o644)
                    .map_err(|e| Failure::new(3, format!("{name}: cannot write: {e}")))?;
                drop(guard);
                return Ok(());
            }
            Err(e) if e.code == 2 || e.code == 92 || e.code == 1 => {
                if stop.load(Ordering::Relaxed) || !offer_retry(&e) {
                    return Err(e.hint(
                        "nothing was written; on a terminal the editor reopens with your text",
                    ));
                }
            }
            Err(e) => return Err(e),
        }
    }
}
