//! The one harness for the integration tests: a temp-dir [`Sandbox`], a [`Cmd`] builder around
//! the binary under test (or any other program), the [`Output`] assertions, the external
//! [`tools`] (reference `sops`, `age`, `gpg`) and the test-only age [`keys`].
//!
//! The binary under test is `leafseal` (`CARGO_BIN_EXE_leafseal`) unless `LEAFSEAL_UNDER_TEST`
//! names another program. Pointing it at the reference `sops` validates the tests themselves:
//! every assertion about shared behaviour must hold for sops too, and the leafseal-only
//! assertions (message wording) are skipped, see [`testing_leafseal`].

#![allow(dead_code)] // Not every test module uses every helper.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Environment variables kept from the developer's shell. Everything else is cleared, so no
/// `SOPS_*`, `GNUPGHOME`, `XDG_*` or cloud credentials leak into a test.
const KEPT_ENV: &[&str] = &["PATH", "TMPDIR", "LLVM_PROFILE_FILE"];

/// A child that runs longer than this is killed and the test fails (a hang is a bug).
const TIMEOUT: Duration = Duration::from_secs(60);

/// The repository root (where the workspace `Cargo.toml` and `testdata/` live): two levels
/// above the CLI package (`crates/leafseal-cli`) that owns this test binary.
pub fn manifest_dir() -> PathBuf {
    let cli = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    cli.ancestors()
        .nth(2)
        .expect("the CLI package sits at crates/leafseal-cli")
        .to_path_buf()
}

/// `testdata/<rel>` in the repository.
pub fn testdata(rel: &str) -> PathBuf {
    manifest_dir().join("testdata").join(rel)
}

/// The program under test: `LEAFSEAL_UNDER_TEST` if set, else the leafseal binary Cargo built.
pub fn under_test() -> PathBuf {
    match std::env::var_os("LEAFSEAL_UNDER_TEST") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_leafseal")),
    }
}

/// False when the suite runs against another program (`LEAFSEAL_UNDER_TEST`), typically the
/// reference sops. Assertions about leafseal's own wording are skipped then.
pub fn testing_leafseal() -> bool {
    !matches!(std::env::var_os("LEAFSEAL_UNDER_TEST"), Some(v) if !v.is_empty())
}

/// Whether we run under CI, where a missing tool is a failure rather than a skip.
pub fn in_ci() -> bool {
    match std::env::var("CI") {
        Ok(v) => !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "false" | "no"
        ),
        Err(_) => false,
    }
}

/// A temporary directory that is removed when dropped. `HOME` of every command started from it
/// is `<sandbox>/home`, so nothing is read from the developer's real home (age keys, gpg).
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("leafseal-it-")
            .tempdir()
            .expect("create sandbox dir");
        std::fs::create_dir(dir.path().join("home")).expect("create sandbox home");
        Sandbox { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    /// Absolute path of `name` (relative to the sandbox root).
    pub fn path(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    /// Writes `bytes` to `name`, creating parent directories; returns the absolute path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent dir");
        }
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        p
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        let p = self.path(name);
        std::fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
    }

    pub fn read_string(&self, name: &str) -> String {
        String::from_utf8(self.read(name)).expect("file is UTF-8")
    }

    pub fn exists(&self, name: &str) -> bool {
        self.path(name).exists()
    }

    /// Copies a file from anywhere (usually `testdata/`) into the sandbox as `name`.
    pub fn copy_in(&self, src: &Path, name: &str) -> PathBuf {
        let bytes = std::fs::read(src).unwrap_or_else(|e| panic!("read {}: {e}", src.display()));
        self.write(name, bytes)
    }

    /// A command for `program`, run in the sandbox with the cleaned environment.
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Cmd {
        Cmd::new(program, &self.home()).current_dir(self.root())
    }

    /// A command for the binary under test (see [`under_test`]).
    pub fn leafseal(&self) -> Cmd {
        self.cmd(under_test())
    }
}

/// A process to run: a thin builder over `std::process::Command` with a controlled environment.
#[derive(Clone, Debug)]
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    env: BTreeMap<OsString, Option<OsString>>,
    stdin: Option<Vec<u8>>,
    cwd: Option<PathBuf>,
}

impl Cmd {
    /// `home` becomes `HOME`; only [`KEPT_ENV`] survives from the parent environment.
    pub fn new(program: impl AsRef<OsStr>, home: &Path) -> Self {
        let mut env = BTreeMap::new();
        for k in KEPT_ENV {
            if let Some(v) = std::env::var_os(k) {
                env.insert(OsString::from(k), Some(v));
            }
        }
        env.insert("HOME".into(), Some(home.as_os_str().to_owned()));
        env.insert("XDG_CONFIG_HOME".into(), Some(home.join(".config").into()));
        // The reference binary must never go to the network from a test.
        env.insert("SOPS_DISABLE_VERSION_CHECK".into(), Some("1".into()));
        env.insert("LC_ALL".into(), Some("C".into()));
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env,
            stdin: None,
            cwd: None,
        }
    }

    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Self {
        self.args.push(a.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn env(mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> Self {
        self.env
            .insert(k.as_ref().to_owned(), Some(v.as_ref().to_owned()));
        self
    }

    pub fn env_remove(mut self, k: impl AsRef<OsStr>) -> Self {
        self.env.insert(k.as_ref().to_owned(), None);
        self
    }

    /// Bytes fed to the child's stdin (otherwise stdin is empty, never the terminal).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// Shorthand: `SOPS_AGE_KEY_FILE=<path>`.
    pub fn age_identity(self, identity_file: impl AsRef<Path>) -> Self {
        self.env("SOPS_AGE_KEY_FILE", identity_file.as_ref())
    }

    /// A shell-like rendering for failure messages.
    pub fn display(&self) -> String {
        let mut s = String::new();
        for (k, v) in &self.env {
            if let Some(v) = v {
                if k.to_string_lossy().starts_with("SOPS_") {
                    let _ = write!(s, "{}={} ", k.to_string_lossy(), v.to_string_lossy());
                }
            }
        }
        s.push_str(&self.program.to_string_lossy());
        for a in &self.args {
            let a = a.to_string_lossy();
            if a.is_empty() || a.contains([' ', '"', '\'', '[', ']', '$']) {
                let _ = write!(s, " '{}'", a.replace('\'', r"'\''"));
            } else {
                let _ = write!(s, " {a}");
            }
        }
        s
    }

    /// Starts the program in the background (a server) with the controlled environment: stdin
    /// from `stdin` bytes if given (else empty), stdout and stderr appended to `log`. The caller
    /// owns the child and must stop it.
    pub fn spawn_logged(self, log: &Path) -> std::process::Child {
        let cmdline = self.display();
        let mut c = Command::new(&self.program);
        c.args(&self.args).env_clear();
        for (k, v) in &self.env {
            if let Some(v) = v {
                c.env(k, v);
            }
        }
        if let Some(d) = &self.cwd {
            c.current_dir(d);
        }
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap_or_else(|e| panic!("open {}: {e}", log.display()));
        let err = out.try_clone().expect("clone log handle");
        c.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(out)
        .stderr(err);
        let mut child = c
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `{cmdline}`: {e}"));
        if let (Some(bytes), Some(mut stdin)) = (self.stdin, child.stdin.take()) {
            thread::spawn(move || {
                let _ = stdin.write_all(&bytes);
                // Kept open: a server reading answers must not see end of input early.
                thread::sleep(Duration::from_secs(60));
            });
        }
        child
    }

    /// Runs to completion (killing it after [`TIMEOUT`]) and returns what it did. Never panics
    /// on a non-zero exit: use the [`Output`] assertions.
    pub fn run(self) -> Output {
        let cmdline = self.display();
        let mut c = Command::new(&self.program);
        c.args(&self.args).env_clear();
        for (k, v) in &self.env {
            if let Some(v) = v {
                c.env(k, v);
            }
        }
        if let Some(d) = &self.cwd {
            c.current_dir(d);
        }
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `{cmdline}`: {e}"));

        let mut stdin = child.stdin.take().expect("stdin is piped");
        let input = self.stdin.unwrap_or_default();
        // Feed stdin and drain the pipes on threads so a big payload cannot deadlock.
        let writer = thread::spawn(move || {
            // The child may exit without reading everything; that is not our failure.
            let _ = stdin.write_all(&input);
        });
        let mut out_pipe = child.stdout.take().expect("stdout is piped");
        let mut err_pipe = child.stderr.take().expect("stderr is piped");
        let out_reader = thread::spawn(move || {
            let mut b = Vec::new();
            let _ = out_pipe.read_to_end(&mut b);
            b
        });
        let err_reader = thread::spawn(move || {
            let mut b = Vec::new();
            let _ = err_pipe.read_to_end(&mut b);
            b
        });

        let start = Instant::now();
        let status = loop {
            match child.try_wait().expect("wait for child") {
                Some(st) => break st,
                None if start.elapsed() > TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("`{cmdline}` did not finish within {TIMEOUT:?}; killed it");
                }
                // Polling, not sleeping for an outcome: the loop ends as soon as the child does.
                None => thread::sleep(Duration::from_millis(2)),
            }
        };
        let _ = writer.join();
        let stdout = out_reader.join().expect("stdout reader");
        let stderr = err_reader.join().expect("stderr reader");
        // A signal death has no code; report it as the shell would (128 + signal).
        let code = status.code().unwrap_or_else(|| {
            use std::os::unix::process::ExitStatusExt;
            128 + status.signal().unwrap_or(0)
        });
        Output {
            cmdline,
            code,
            stdout,
            stderr,
        }
    }
}

/// What a finished process did.
#[derive(Clone, Debug)]
pub struct Output {
    pub cmdline: String,
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Rust's exit code after a panic: leafseal must never show it to a user.
pub const PANIC_EXIT: i32 = 101;

fn excerpt(bytes: &[u8]) -> String {
    const MAX: usize = 4000;
    let s = String::from_utf8_lossy(bytes);
    if s.len() > MAX {
        let mut cut = MAX;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}… ({} bytes in all)", &s[..cut], bytes.len())
    } else {
        s.into_owned()
    }
}

impl Output {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// A multi-line description for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "command: {}\nexit code: {}\n--- stdout ---\n{}\n--- stderr ---\n{}\n---",
            self.cmdline,
            self.code,
            excerpt(&self.stdout),
            excerpt(&self.stderr)
        )
    }

    #[track_caller]
    pub fn assert_code(&self, expected: i32) -> &Self {
        if self.code == PANIC_EXIT && expected != PANIC_EXIT {
            panic!(
                "the program PANICKED (exit 101), expected exit {expected}\n{}",
                self.describe()
            );
        }
        assert_eq!(
            self.code,
            expected,
            "unexpected exit code\n{}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        self.assert_code(0)
    }

    /// Any failure, as long as it is not a panic.
    #[track_caller]
    pub fn assert_failure(&self) -> &Self {
        assert_ne!(self.code, 0, "expected a failure\n{}", self.describe());
        assert_ne!(
            self.code,
            PANIC_EXIT,
            "the program PANICKED\n{}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn assert_stdout_eq(&self, expected: &[u8]) -> &Self {
        if self.stdout != expected {
            panic!(
                "stdout differs\n--- expected ---\n{}\n{}",
                excerpt(expected),
                self.describe()
            );
        }
        self
    }

    #[track_caller]
    pub fn assert_stderr_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stderr_str().contains(needle),
            "stderr does not contain {needle:?}\n{}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn assert_stdout_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stdout_str().contains(needle),
            "stdout does not contain {needle:?}\n{}",
            self.describe()
        );
        self
    }

    /// leafseal's error shape (STYLE.md §3): exactly one `leafseal: error: …` line that
    /// mentions `file`, then only `leafseal: hint: …` lines. Skipped (with a note) when another
    /// program is under test.
    #[track_caller]
    pub fn assert_leafseal_one_line_error(&self, file: &str) -> &Self {
        if !testing_leafseal() {
            return self;
        }
        let err = self.stderr_str();
        let mut lines = err.lines();
        let first = lines.next().unwrap_or("");
        assert!(
            first.starts_with("leafseal: error: "),
            "stderr must start with one `leafseal: error: …` line\n{}",
            self.describe()
        );
        assert!(
            first.contains(file),
            "the error line must name the file {file:?}\n{}",
            self.describe()
        );
        for l in lines {
            assert!(
                l.starts_with("leafseal: hint: "),
                "after the error line only `leafseal: hint: …` lines may follow, got {l:?}\n{}",
                self.describe()
            );
        }
        self
    }

    /// The error line (leafseal only), for checks on its content.
    pub fn leafseal_error_line(&self) -> Option<String> {
        self.stderr_str()
            .lines()
            .find(|l| l.starts_with("leafseal: error: "))
            .map(str::to_owned)
    }
}

/// External programs the interop tests need.
///
/// A missing tool skips the test with a loud `SKIPPED:` line on stderr, except under CI
/// (`CI=true`), where it panics: CI must never pass by silently testing nothing.
pub mod tools {
    use super::{in_ci, manifest_dir};
    use std::path::{Path, PathBuf};

    const HOW: &str = "run the suite with `bash scripts/test.sh`, which installs sops 3.11.0 \
        into .cache/venv and age/gnupg with apt-get";

    fn is_executable(p: &Path) -> bool {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p)
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }

    /// `name` looked up in `PATH`.
    pub fn on_path(name: &str) -> Option<PathBuf> {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| is_executable(p))
    }

    /// Where the reference sops is, if anywhere: `LEAFSEAL_SOPS`, then
    /// `<repo>/.cache/venv/bin/sops`, then `sops` on `PATH`.
    pub fn find_sops() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("LEAFSEAL_SOPS").filter(|p| !p.is_empty()) {
            let p = PathBuf::from(p);
            // An explicit setting that is wrong is an error, not a reason to look elsewhere.
            assert!(
                is_executable(&p),
                "LEAFSEAL_SOPS={} is not an executable file",
                p.display()
            );
            return Some(p);
        }
        let venv = manifest_dir().join(".cache/venv/bin/sops");
        if is_executable(&venv) {
            return Some(venv);
        }
        on_path("sops")
    }

    /// Handles a missing tool: panic under CI, otherwise a loud skip (returns `None`).
    #[track_caller]
    pub fn missing(tool: &str, install: &str) -> Option<PathBuf> {
        let caller = std::panic::Location::caller();
        let test = std::thread::current()
            .name()
            .unwrap_or("<unnamed test>")
            .to_owned();
        if in_ci() {
            panic!(
                "`{tool}` is required under CI but was not found (test {test} at {caller}). \
                 Install it: {install}"
            );
        }
        eprintln!(
            "\n==== SKIPPED: {test}: `{tool}` not found ({caller}). To run it: {install} ====\n"
        );
        None
    }

    /// The reference sops binary, or `None` after reporting a skip (panics under CI).
    #[track_caller]
    pub fn sops() -> Option<PathBuf> {
        // A `match`, not `or_else`: `#[track_caller]` does not reach through a closure.
        match find_sops() {
            Some(p) => Some(p),
            None => missing(
                "sops (reference 3.11.0)",
                &format!("{HOW}; or set LEAFSEAL_SOPS=/path/to/sops"),
            ),
        }
    }

    /// The `age` CLI, or `None` after reporting a skip (panics under CI).
    #[track_caller]
    pub fn age() -> Option<PathBuf> {
        match on_path("age") {
            Some(p) => Some(p),
            None => missing("age", &format!("{HOW}; or `apt-get install age`")),
        }
    }

    /// The `gpg` CLI, or `None` after reporting a skip (panics under CI).
    #[track_caller]
    pub fn gpg() -> Option<PathBuf> {
        match on_path("gpg") {
            Some(p) => Some(p),
            None => missing("gpg", &format!("{HOW}; or `apt-get install gnupg`")),
        }
    }
}

/// The throwaway TEST-ONLY age keys in `testdata/keys/` (published on purpose).
pub mod keys {
    use super::testdata;
    use std::path::PathBuf;

    #[derive(Clone, Copy, Debug)]
    pub struct AgeKey {
        pub name: &'static str,
        /// The public key (`age1…`), as given to `--age`.
        pub recipient: &'static str,
        /// Identity file, relative to `testdata/`.
        identity: &'static str,
    }

    impl AgeKey {
        /// Absolute path of the identity file (for `SOPS_AGE_KEY_FILE`).
        pub fn identity_file(&self) -> PathBuf {
            testdata(self.identity)
        }

        /// The `AGE-SECRET-KEY-…` line (for `SOPS_AGE_KEY`).
        pub fn secret_key(&self) -> String {
            let text = std::fs::read_to_string(self.identity_file()).expect("read identity");
            text.lines()
                .find(|l| l.starts_with("AGE-SECRET-KEY-"))
                .expect("identity file has a secret key line")
                .to_owned()
        }
    }

    pub const AGE1: AgeKey = AgeKey {
        name: "age1",
        recipient: "age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v",
        identity: "keys/age1.txt",
    };
    pub const AGE2: AgeKey = AgeKey {
        name: "age2",
        recipient: "age18xsc7j59np22mj7x9q5dzkkc74n8culrf6yhm07y34k8zc7mpu3sxnmmaj",
        identity: "keys/age2.txt",
    };
    pub const AGE3: AgeKey = AgeKey {
        name: "age3",
        recipient: "age14fwfswkpy8e5ux9hzvk8n7kq2de75qqhkem0nj6qg8f6pgguffpqd8nlqr",
        identity: "keys/age3.txt",
    };

    pub const AGE_KEYS: [AgeKey; 3] = [AGE1, AGE2, AGE3];

    /// One identity file holding all three keys.
    pub fn age_all_identities() -> PathBuf {
        testdata("keys/age-all.txt")
    }
}
