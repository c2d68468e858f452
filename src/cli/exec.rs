//! `exec-env` and `exec-file`: hand decrypted secrets to a command without writing them to
//! disk (environment variables, or a FIFO in a private temp dir). The child's exit code is
//! passed through, as SOPS does.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitStatus};

use zeroize::Zeroizing;

use leafseal::ops::{self, DecryptOptions};
use leafseal::store::flatten::val_to_string;
use leafseal::store::{Format, StoreOptions};
use leafseal::tree::{Item, Value};

use super::args::{ExecCommon, ExecEnvArgs, ExecFileArgs};
use super::decrypt::order;
use super::Failure;

fn format_of(name: Option<&str>, file: &Path) -> Result<Format, Failure> {
    match name {
        Some(t) => {
            Format::from_name(t).ok_or_else(|| Failure::new(1, format!("unknown file type {t:?}")))
        }
        None => Ok(Format::from_path(Some(file))),
    }
}

fn read(c: &ExecCommon) -> Result<(Vec<u8>, String), Failure> {
    let name = c.file.display().to_string();
    if !c.file.exists() {
        // sops-compat: exec-* report a missing file as a read error (exit 2).
        return Err(Failure::new(2, format!("{name}: no such file")));
    }
    let bytes =
        std::fs::read(&c.file).map_err(|e| Failure::new(2, format!("{name}: cannot read: {e}")))?;
    Ok((bytes, name))
}

/// uid/gid for `--user NAME|UID`, read from /etc/passwd (no libc lookups needed).
fn user_ids(user: &str) -> Result<(u32, u32), Failure> {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    for line in passwd.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() > 3 && (f[0] == user || f[2] == user) {
            if let (Ok(uid), Ok(gid)) = (f[2].parse(), f[3].parse()) {
                return Ok((uid, gid));
            }
        }
    }
    Err(Failure::new(1, format!("--user: no such user {user:?}")))
}

fn shell(command: &str, user: Option<&str>) -> Result<Command, Failure> {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c").arg(command);
    #[cfg(unix)]
    if let Some(u) = user {
        use std::os::unix::process::CommandExt;
        let (uid, gid) = user_ids(u)?;
        cmd.gid(gid).uid(uid);
    }
    #[cfg(not(unix))]
    if user.is_some() {
        return Err(Failure::new(1, "--user is only supported on Unix"));
    }
    Ok(cmd)
}

/// The child's exit code (128 + signal number when it was killed, as shells report it).
fn pass_through(status: ExitStatus) -> Result<(), Failure> {
    if status.success() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return Err(Failure {
                code: (128 + sig) as u8,
                message: String::new(),
                hints: Vec::new(),
            });
        }
    }
    let code = status.code().unwrap_or(1);
    Err(Failure {
        code: u8::try_from(code).unwrap_or(1),
        message: String::new(),
        hints: Vec::new(),
    })
}

/// Run `exec-env`.
pub fn env(a: ExecEnvArgs) -> Result<(), Failure> {
    let c = &a.common;
    let (bytes, name) = read(c)?;
    let format = format_of(c.input_type.as_deref(), &c.file)?;
    let mut loaded = ops::load(&bytes, format, &StoreOptions::default()).map_err(|e| {
        let f = Failure::from_lib(&name, e);
        super::io::binary_hint(f, format, c.input_type.is_some(), &bytes)
    })?;
    let order = order(c.decryption_order.as_deref())?;
    ops::open_tree(&mut loaded, &order, false, &mut Default::default())
        .map_err(|e| Failure::from_lib(&name, e))?;
    let mut vars: Vec<(String, Zeroizing<Vec<u8>>)> = Vec::new();
    for item in loaded
        .doc
        .branches
        .first()
        .map(|b| b.items.as_slice())
        .unwrap_or(&[])
    {
        let Item::Pair(k, n) = item else { continue };
        if matches!(n.value, Value::Map(_) | Value::List(_)) {
            return Err(Failure::new(
                1,
                format!(
                    "{name}: cannot use complex value in environment; offending key {}",
                    k.name
                ),
            ));
        }
        if k.name.contains('=') || k.name.is_empty() {
            return Err(Failure::new(
                1,
                format!(
                    "{name}: key {:?} cannot be an environment variable name",
                    k.name
                ),
            ));
        }
        if let Some(v) = val_to_string(&n.value) {
            vars.push((k.name.clone(), Zeroizing::new(v)));
        }
    }
    let mut cmd = shell(&c.command, c.user.as_deref())?;
    if a.pristine {
        cmd.env_clear();
    }
    for (k, v) in &vars {
        #[cfg(unix)]
        let value: OsString = std::os::unix::ffi::OsStringExt::from_vec(v.to_vec());
        #[cfg(not(unix))]
        let value: OsString = String::from_utf8_lossy(v).into_owned().into();
        cmd.env(k, value);
    }
    drop(vars);
    if a.same_process {
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            let e = cmd.exec();
            return Err(Failure::new(1, format!("cannot run /bin/sh: {e}")));
        }
    }
    let status = cmd
        .status()
        .map_err(|e| Failure::new(1, format!("cannot run /bin/sh: {e}")))?;
    pass_through(status)
}

/// Run `exec-file`.
pub fn file(a: ExecFileArgs) -> Result<(), Failure> {
    let c = &a.common;
    if a.filename.is_empty() || a.filename.contains('/') || a.filename == "." || a.filename == ".."
    {
        return Err(Failure::new(
            1,
            "--filename must be a plain file name (no directories)",
        ));
    }
    let (bytes, name) = read(c)?;
    let input = format_of(c.input_type.as_deref(), &c.file)?;
    let output = match &a.output_type {
        Some(t) => format_of(Some(t), &c.file)?,
        None => Format::from_path(Some(&c.file)),
    };
    let opts = DecryptOptions {
        input,
        output,
        store: StoreOptions::default(),
        ignore_mac: false,
        extract: None,
        decryption_order: order(c.decryption_order.as_deref())?,
    };
    let plain = ops::decrypt(&bytes, &opts)
        .map_err(|e| Failure::from_lib(&name, e))?
        .output;
    let dir = tempfile::Builder::new()
        .prefix(".leafseal")
        .tempdir()
        .map_err(|e| Failure::new(3, format!("cannot create a temp dir: {e}")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Failure::new(3, e.to_string()))?;
    }
    let path = dir.path().join(&a.filename);
    let command = c.command.replace("{}", &path.display().to_string());
    let status = if a.no_fifo {
        write_private(&path, &plain)?;
        run(&command, c.user.as_deref())?
    } else {
        make_fifo(&path)?;
        let writer = {
            let path = path.clone();
            let data = plain.clone();
            std::thread::spawn(move || -> std::io::Result<()> {
                // Opening blocks until the command opens the FIFO for reading.
                let mut f = std::fs::OpenOptions::new().write(true).open(&path)?;
                f.write_all(&data)
            })
        };
        let status = run(&command, c.user.as_deref());
        // If the command never read the FIFO, the writer still waits in open(): be its reader
        // until it has finished (draining what it writes), then let it go.
        if !writer.is_finished() {
            drain_until_done(&path, &writer);
        }
        let _ = writer.join();
        status?
    };
    drop(dir);
    pass_through(status)
}

/// Run the command for `exec-file`. SIGINT/SIGTERM/SIGHUP sent to leafseal are passed on to
/// the command; when it has ended, the caller removes the temp directory, so the plaintext
/// never outlives the command. A signal arriving before the command started kills it.
fn run(command: &str, user: Option<&str>) -> Result<ExitStatus, Failure> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let got = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        // Records which signal arrived (instead of the default action of dying on the spot,
        // which would leave the temp directory behind).
        let flag = std::sync::Arc::clone(&got);
        let _ = signal_hook::flag::register_usize(sig, flag, sig as usize);
    }
    let mut child = shell(command, user)?
        .spawn()
        .map_err(|e| Failure::new(1, format!("cannot run /bin/sh: {e}")))?;
    let mut forwarded = false;
    loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| Failure::new(1, format!("waiting for the command: {e}")))?
        {
            return Ok(status);
        }
        let sig = got.load(std::sync::atomic::Ordering::Relaxed);
        if sig != 0 && !forwarded {
            forwarded = true;
            let _ = Command::new("kill")
                .arg(format!("-{sig}"))
                .arg(child.id().to_string())
                .status();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

fn write_private(path: &Path, data: &[u8]) -> Result<(), Failure> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o
        .open(path)
        .map_err(|e| Failure::new(3, format!("cannot create the temp file: {e}")))?;
    f.write_all(data)
        .map_err(|e| Failure::new(3, format!("cannot write the temp file: {e}")))
}

fn make_fifo(path: &Path) -> Result<(), Failure> {
    // The mkfifo binary keeps this crate free of unsafe code.
    let ok = Command::new("mkfifo")
        .arg("-m")
        .arg("600")
        .arg(path)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(Failure::new(3, "cannot create a FIFO (mkfifo failed)")
            .hint("use --no-fifo to pass a 0600 temp file instead"))
    }
}

/// Hold a non-blocking read end of the FIFO open, discarding data, until `writer` is done. The
/// read end must stay open until then: a writer still inside open() keeps waiting if the only
/// reader has already gone.
fn drain_until_done<T>(path: &Path, writer: &std::thread::JoinHandle<T>) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let Ok(mut f) = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
        else {
            return;
        };
        let mut buf = Zeroizing::new(vec![0u8; 64 * 1024]);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !writer.is_finished() && std::time::Instant::now() < deadline {
            match std::io::Read::read(&mut f, &mut buf) {
                Ok(n) if n > 0 => continue,
                _ => std::thread::sleep(std::time::Duration::from_millis(1)),
            }
        }
    }
}
