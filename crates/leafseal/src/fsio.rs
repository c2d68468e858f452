//! File output: every write goes through [`write_atomic`] (temp file in the target's
//! directory, fsync, rename, permissions kept), so a failure leaves the target untouched.

use std::fs;
use std::io::Write;
use std::path::Path;

/// Replace `path` with `data` atomically. An existing file keeps its permissions; a new file
/// gets `new_mode` (subject to the umask). A symlinked target is resolved and the file it
/// points to is replaced, so the link survives.
pub fn write_atomic(path: &Path, data: &[u8], new_mode: u32) -> std::io::Result<()> {
    write_atomic_with(path, new_mode, |f| {
        f.write_all(data).map_err(WriteError::Io)
    })
    .map_err(|e| match e {
        WriteError::Io(e) => e,
        WriteError::Produce(e) => e,
    })
}

/// Why [`write_atomic_with`] failed: writing the file, or producing its content.
#[derive(Debug)]
pub enum WriteError<E> {
    /// Creating, syncing or renaming the file.
    Io(std::io::Error),
    /// The producer's own error (the target is untouched).
    Produce(E),
}

/// Like [`write_atomic`], with the content written by `produce` straight into the temporary
/// file (so it never needs to be in memory at once). If `produce` fails, the temporary file is
/// removed and the target is untouched.
pub fn write_atomic_with<E>(
    path: &Path,
    new_mode: u32,
    produce: impl FnOnce(&mut fs::File) -> Result<(), WriteError<E>>,
) -> Result<(), WriteError<E>> {
    let io = WriteError::Io;
    #[cfg(unix)]
    protected_symlink(path).map_err(io)?;
    // A FIFO, a device or a /proc/self/fd link (`--output /dev/stdout`) is written through,
    // never replaced by a regular file, and its permissions are left alone.
    if let Ok(m) = fs::metadata(path) {
        if !m.is_file() && !m.is_dir() {
            let mut f = fs::OpenOptions::new().write(true).open(path).map_err(io)?;
            produce(&mut f)?;
            return Ok(());
        }
    }
    let target = match fs::canonicalize(path) {
        Ok(p) => p,
        Err(_) => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut tmp = Tmp::new(&dir).map_err(|e| io(no_temp_file(&dir, e)))?;
    produce(tmp.file_mut())?;
    tmp.file_mut().sync_all().map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let old = fs::metadata(&target).ok();
        let mode = match &old {
            Some(m) => m.permissions().mode() & 0o7777,
            None => {
                let umask = current_umask();
                new_mode & !umask
            }
        };
        if let Some(m) = &old {
            // Keep the owner and group. Only root may give a file away; for anyone else the
            // owner is already theirs, and a group they are not in cannot be kept anyway.
            let _ = std::os::unix::fs::fchown(tmp.file_mut(), Some(m.uid()), Some(m.gid()));
        }
        tmp.file_mut()
            .set_permissions(fs::Permissions::from_mode(mode))
            .map_err(io)?;
    }
    tmp.install(&dir, &target).map_err(io)?;
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The file being written. On Linux it has no name until it is complete (`O_TMPFILE`), so a
/// process killed while writing (Ctrl-C during `decrypt --output`) leaves no plaintext behind:
/// it is linked under a temporary name only once written and synced, and renamed over the
/// target at once. Elsewhere, or where the file system cannot, a named temporary file.
enum Tmp {
    Unnamed(fs::File),
    Named(tempfile::NamedTempFile),
}

impl Tmp {
    fn new(dir: &Path) -> std::io::Result<Tmp> {
        #[cfg(target_os = "linux")]
        if Path::new("/proc/self/fd").is_dir() {
            use rustix::fs::{Mode, OFlags, CWD};
            let flags = OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC;
            if let Ok(fd) = rustix::fs::openat(CWD, dir, flags, Mode::from_raw_mode(0o600)) {
                return Ok(Tmp::Unnamed(fs::File::from(fd)));
            }
        }
        named_tmp(dir).map(Tmp::Named)
    }

    fn file_mut(&mut self) -> &mut fs::File {
        match self {
            Tmp::Unnamed(f) => f,
            Tmp::Named(t) => t.as_file_mut(),
        }
    }

    /// Put the complete file at `target`, replacing it atomically.
    fn install(self, dir: &Path, target: &Path) -> std::io::Result<()> {
        match self {
            Tmp::Named(t) => t.persist(target).map(|_| ()).map_err(|e| e.error),
            #[cfg(target_os = "linux")]
            Tmp::Unnamed(f) => {
                use std::os::fd::AsRawFd;
                // (Debug builds: the tests take the fallback below on purpose.)
                if cfg!(debug_assertions) && std::env::var_os("LEAFSEAL_TEST_NO_LINKAT").is_some() {
                    return copy_into_named(f, dir, target);
                }
                let from = format!("/proc/self/fd/{}", f.as_raw_fd());
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.subsec_nanos());
                for attempt in 0..100u32 {
                    let name = dir.join(format!(
                        ".leafseal-{}-{nanos}-{attempt}.tmp",
                        std::process::id()
                    ));
                    let flags = rustix::fs::AtFlags::SYMLINK_FOLLOW;
                    match rustix::fs::linkat(rustix::fs::CWD, &from, rustix::fs::CWD, &name, flags)
                    {
                        Ok(()) => {
                            return fs::rename(&name, target).inspect_err(|_| {
                                let _ = fs::remove_file(&name);
                            });
                        }
                        Err(rustix::io::Errno::EXIST) => continue,
                        // Linking refused (no /proc link support, a sandbox): copy the
                        // complete file into a named temporary file instead.
                        Err(_) => return copy_into_named(f, dir, target),
                    }
                }
                Err(std::io::Error::other("no free temporary name"))
            }
            #[cfg(not(target_os = "linux"))]
            Tmp::Unnamed(_) => Err(std::io::Error::other("unnamed files are Linux-only")),
        }
    }
}

/// A named temporary file `.leafseal-*.tmp` in `dir`.
fn named_tmp(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(".leafseal-")
        .suffix(".tmp")
        .tempfile_in(dir)
}

/// [`Tmp::install`]'s fallback: the unnamed file's content, mode and owner copied into a named
/// temporary file that replaces `target`.
#[cfg(target_os = "linux")]
fn copy_into_named(mut f: fs::File, dir: &Path, target: &Path) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    use std::os::unix::fs::MetadataExt;
    let meta = f.metadata()?;
    let mut tmp = named_tmp(dir)?;
    f.seek(SeekFrom::Start(0))?;
    std::io::copy(&mut f, tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
    tmp.as_file().set_permissions(meta.permissions())?;
    tmp.persist(target).map(|_| ()).map_err(|e| e.error)
}

/// The kernel's `fs.protected_symlinks` rule, applied to the link leafseal would otherwise
/// resolve itself (it renames in the target's directory, which the kernel's check on open
/// does not see): in a sticky world-writable directory (`/tmp`), a symbolic link is followed
/// only when its owner is the caller or the directory's owner. An attacker's link there would
/// otherwise make the victim's own file receive the output.
#[cfg(unix)]
fn protected_symlink(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(link) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    if !link.file_type().is_symlink() {
        return Ok(());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(d) = fs::metadata(dir) else {
        return Ok(());
    };
    let me = rustix::process::geteuid().as_raw();
    let sticky_world_writable = d.mode() & 0o1002 == 0o1002;
    if sticky_world_writable && link.uid() != me && link.uid() != d.uid() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "{} is a symbolic link in a sticky world-writable directory owned by another \
                 user; not followed (the kernel's protected_symlinks rule)",
                path.display()
            ),
        ));
    }
    Ok(())
}

/// The error for a temporary file that could not be created beside the target: it names the
/// directory (a missing one plainly), not the temporary file's internal name.
fn no_temp_file(dir: &Path, e: std::io::Error) -> std::io::Error {
    let kind = e.kind();
    let msg = if !dir.is_dir() {
        format!("the directory {} does not exist", dir.display())
    } else {
        format!(
            "cannot create a file in {}: {}",
            dir.display(),
            std::io::Error::from(kind)
        )
    };
    std::io::Error::new(kind, msg)
}

#[cfg(unix)]
fn current_umask() -> u32 {
    // Read the umask without changing it: /proc/self/status has it on Linux; elsewhere assume 022.
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:").map(|v| v.trim().to_owned()))
        })
        .and_then(|v| u32::from_str_radix(&v, 8).ok())
        .unwrap_or(0o022)
}

/// Read a whole file, refusing inputs larger than `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let too_big = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("input is larger than {}", size_text(limit)),
        )
    };
    let f = fs::File::open(path)?;
    // (Counted while reading: a FIFO, /dev/zero or a growing file has no size to check first.)
    let size = f.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
    if size.is_some_and(|n| n > limit) {
        return Err(too_big());
    }
    // A regular file's buffer is sized once: growing it by doubling left every smaller copy in
    // the allocator's peak (a 10 MB input peaked 4-5x higher).
    let mut buf = Vec::with_capacity(size.unwrap_or(0) as usize);
    f.take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(buf)
}

/// The most leafseal reads of any input file or stream (1 GiB; SOPS has no limit: this
/// bounds memory on a mistaken argument such as /dev/zero).
pub const MAX_INPUT: u64 = 1 << 30;

/// Read an input file, refusing more than [`MAX_INPUT`] bytes, whatever it is (a regular
/// file, a FIFO, a device).
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    read_limited(path, max_input())
}

/// [`MAX_INPUT`]; debug builds let tests lower it (`LEAFSEAL_TEST_MAX_INPUT`, bytes) so the
/// cap is exercised without reading a gigabyte.
pub fn max_input() -> u64 {
    if cfg!(debug_assertions) {
        if let Some(n) = std::env::var("LEAFSEAL_TEST_MAX_INPUT")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            return n;
        }
    }
    MAX_INPUT
}

fn size_text(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_keeps_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.yaml");
        fs::write(&p, b"old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"new", 0o600).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn keeps_owner_when_allowed() {
        use std::os::unix::fs::MetadataExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.yaml");
        fs::write(&p, b"old").unwrap();
        // As root the file can be given away; otherwise the owner is already the caller.
        let (uid, gid) = if fs::metadata(&p).unwrap().uid() == 0 {
            (65534, 65534)
        } else {
            let m = fs::metadata(&p).unwrap();
            (m.uid(), m.gid())
        };
        let _ = std::os::unix::fs::chown(&p, Some(uid), Some(gid));
        write_atomic(&p, b"new", 0o600).unwrap();
        let m = fs::metadata(&p).unwrap();
        assert_eq!((m.uid(), m.gid()), (uid, gid));
    }
}
