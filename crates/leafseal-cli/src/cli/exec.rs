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
    let bytes = leafseal::fsio::read_input(&c.file)
        .map_err(|e| Failure::new(2, format!("{name}: cannot read: {e}")))?;
    leafseal::audit::set_subject(&c.file);
    Ok((bytes, name))
}

/// The account `--user NAME|UID` names, read from /etc/passwd (no libc lookups needed).
struct Account {
    name: String,
    uid: u32,
    gid: u32,
    home: String,
}

fn account(user: &str) -> Result<Account, Failure> {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    for line in passwd.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() > 5 && (f[0] == user || f[2] == user) {
            if let (Ok(uid), Ok(gid)) = (f[2].parse(), f[3].parse()) {
                return Ok(Account {
                    name: f[0].to_owned(),
                    uid,
                    gid,
                    home: f[5].to_owned(),
                });
            }
        }
    }
    Err(Failure::new(1, format!("--user: no such user {user:?}")))
}

/// Variables the command must not inherit: the age identity itself (`SOPS_AGE_KEY`) and the
/// command that prints one (`SOPS_AGE_KEY_CMD`). The decrypted values are what it is given.
const WITHHELD: &[&str] = &["SOPS_AGE_KEY", "SOPS_AGE_KEY_CMD"];

/// `/bin/sh -c command`, as `user` when given (with that user's HOME, USER and LOGNAME, as
/// sops sets them; std drops root's supplementary groups when it switches).
fn shell(command: &str, user: Option<&Account>) -> Result<Command, Failure> {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c").arg(command);
    for v in WITHHELD {
        cmd.env_remove(v);
    }
    #[cfg(unix)]
    if let Some(u) = user {
        use std::os::unix::process::CommandExt;
        cmd.gid(u.gid).uid(u.uid);
        cmd.env("HOME", &u.home)
            .env("USER", &u.name)
            .env("LOGNAME", &u.name);
    }
    #[cfg(not(unix))]
    if user.is_some() {
        return Err(Failure::new(1, "--user is only supported on Unix"));
    }
    Ok(cmd)
}

fn user_of(c: &ExecCommon) -> Result<Option<Account>, Failure> {
    c.user.as_deref().map(account).transpose()
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
    let user = user_of(c)?;
    let mut cmd = shell(&c.command, user.as_ref())?;
    if a.pristine {
        cmd.env_clear();
        if let Some(u) = &user {
            cmd.env("HOME", &u.home)
                .env("USER", &u.name)
                .env("LOGNAME", &u.name);
        }
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
    pass_through(run(cmd)?)
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
    let user = user_of(c)?;
    let dir = private_dir(user.as_ref())?;
    let path = dir.path().join(&a.filename);
    let command = c.command.replace("{}", &path.display().to_string());
    let status = if a.no_fifo {
        write_private(&path, &plain, user.as_ref())?;
        run(shell(&command, user.as_ref())?)?
    } else {
        make_fifo(&path, user.as_ref())?;
        let writer = {
            let path = path.clone();
            let data = plain.clone();
            std::thread::spawn(move || -> std::io::Result<()> {
                // Opening blocks until the command opens the FIFO for reading.
                let mut f = std::fs::OpenOptions::new().write(true).open(&path)?;
                f.write_all(&data)
            })
        };
        let status = shell(&command, user.as_ref()).and_then(run);
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

/// Where exec-file's private directory goes: memory-backed when possible (`XDG_RUNTIME_DIR`,
/// then `/dev/shm`), so `--no-fifo`'s plaintext file never reaches a disk; else `TMPDIR`.
fn temp_parent() -> std::path::PathBuf {
    let usable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_dir())
            && rustix::fs::access(
                p,
                rustix::fs::Access::WRITE_OK | rustix::fs::Access::EXEC_OK,
            )
            .is_ok()
    };
    let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(std::path::PathBuf::from);
    runtime
        .filter(|p| p.is_absolute() && usable(p))
        .or_else(|| Some(std::path::PathBuf::from("/dev/shm")).filter(|p| usable(p)))
        .unwrap_or_else(std::env::temp_dir)
}

/// A directory only the command's user can enter, created 0700 (never widened then narrowed)
/// and, for `--user`, given to that user, as sops (which switches users before creating it).
fn private_dir(user: Option<&Account>) -> Result<tempfile::TempDir, Failure> {
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;
    let mut b = tempfile::Builder::new();
    b.prefix(".leafseal");
    #[cfg(unix)]
    b.permissions(std::fs::Permissions::from_mode(0o700));
    let dir = b
        .tempdir_in(temp_parent())
        .map_err(|e| Failure::new(3, format!("cannot create a temp dir: {e}")))?;
    give(dir.path(), user)?;
    Ok(dir)
}

/// Hand a file leafseal created in its private directory to `--user`'s account.
fn give(path: &Path, user: Option<&Account>) -> Result<(), Failure> {
    #[cfg(unix)]
    if let Some(u) = user {
        use rustix::fs::{Gid, Uid};
        rustix::fs::chown(path, Some(Uid::from_raw(u.uid)), Some(Gid::from_raw(u.gid))).map_err(
            |e| {
                Failure::new(
                    3,
                    format!(
                        "--user {}: cannot hand over {}: {e}",
                        u.name,
                        path.display()
                    ),
                )
            },
        )?;
    }
    Ok(())
}

/// Run the command, passing on to it the signals leafseal receives (INT, TERM, HUP, QUIT,
/// USR1, USR2), each as it arrives, so that it never outlives leafseal holding secrets; the
/// caller removes exec-file's temp directory when it has ended. A signal arriving before the
/// command started is passed on as soon as it has.
fn run(mut cmd: Command) -> Result<ExitStatus, Failure> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
    // Registered before the command starts, these replace the default action of dying on the
    // spot (which would orphan the command and leave exec-file's temp directory behind).
    let mut signals =
        signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2])
            .map_err(|e| Failure::new(1, format!("cannot watch for signals: {e}")))?;
    let mut child = cmd
        .spawn()
        .map_err(|e| Failure::new(1, format!("cannot run /bin/sh: {e}")))?;
    let pid = i32::try_from(child.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw);
    loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| Failure::new(1, format!("waiting for the command: {e}")))?
        {
            return Ok(status);
        }
        for sig in signals.pending() {
            if let (Some(pid), Some(sig)) = (pid, rustix::process::Signal::from_named_raw(sig)) {
                let _ = rustix::process::kill_process(pid, sig);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

fn write_private(path: &Path, data: &[u8], user: Option<&Account>) -> Result<(), Failure> {
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
    give(path, user)?;
    f.write_all(data)
        .map_err(|e| Failure::new(3, format!("cannot write the temp file: {e}")))
}

fn make_fifo(path: &Path, user: Option<&Account>) -> Result<(), Failure> {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .map_err(|e| {
        Failure::new(3, format!("cannot create a FIFO: {e}"))
            .hint("use --no-fifo to pass a 0600 temp file instead")
    })?;
    give(path, user)
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
