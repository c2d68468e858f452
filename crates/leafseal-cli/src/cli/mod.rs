//! Command line (binary only). Each subcommand file parses, resolves options, calls
//! `leafseal::ops` and prints; this file holds what they share.

mod args;
mod completion;
mod decrypt;
mod edit;
mod encrypt;
mod exec;
pub mod exit;
mod explain;
mod filestatus;
mod git;
mod io;
mod keys;
mod keyservice;
mod legacy;
mod manpage;
mod many;
mod options;
mod publish;
mod rewrite;
mod walk;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// A failure to report: already has the file name in its message.
#[derive(Clone, Debug)]
pub struct Failure {
    /// Exit code.
    pub code: u8,
    /// The error line (may hold a multi-line report).
    pub message: String,
    /// Hints, one line each.
    pub hints: Vec<String>,
}

impl Failure {
    /// A failure with an explicit code.
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// Writing to stdout failed. A reader that went away (`decrypt f | head`) ends the
    /// command quietly with 141, the status a shell shows for sops, which SIGPIPE kills.
    pub fn stdout(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::new(141, "")
        } else {
            Failure::new(3, format!("<stdout>: cannot write: {e}"))
        }
    }

    /// Add a hint line.
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hints.push(h.into());
        self
    }

    /// Wrap a library error, naming the file it concerns.
    pub fn from_lib(file: &str, e: leafseal::Error) -> Self {
        Failure {
            code: exit::code(e.kind()),
            message: format!("{file}: {}", e.message),
            hints: e.hint.into_iter().collect(),
        }
    }
}

/// Parse `std::env::args`, run, and turn the outcome into an exit code.
/// No core dump may carry decrypted secrets or data keys out of this process: the soft
/// core-size limit drops to 0. The hard limit is kept, so a service started by exec-env or
/// exec-file (which inherits the soft limit) may still raise it deliberately.
fn disable_core_dumps() {
    #[cfg(unix)]
    {
        if let Ok((_, hard)) = rlimit::getrlimit(rlimit::Resource::CORE) {
            let _ = rlimit::setrlimit(rlimit::Resource::CORE, 0, hard);
        }
    }
    // Linux: not dumpable either, so a core pattern that pipes to a handler (systemd-coredump,
    // apport: they ignore RLIMIT_CORE) gets nothing, and other processes of the same user
    // cannot ptrace or read /proc/PID/mem. A program started by exec-env/exec-file is dumpable
    // again (execve resets it).
    #[cfg(target_os = "linux")]
    {
        let _ =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
    }
}

/// Installed under the name `sops` (a symlink or a copy).
fn runs_as_sops(program: &std::ffi::OsStr) -> bool {
    std::path::Path::new(program).file_stem() == Some(std::ffi::OsStr::new("sops"))
}

/// The `--version` line. Programs that drive `sops` (Ansible's community.sops, helm-secrets,
/// inmanta…) parse `^sops (\d+)\.(\d+)\.(\d+)` to choose command forms, so under the name
/// `sops` the line starts with the SOPS version whose format and flags leafseal follows.
fn version_line(program: &std::ffi::OsStr) -> String {
    let ours = env!("CARGO_PKG_VERSION");
    let sops = leafseal::ops::SOPS_VERSION;
    if runs_as_sops(program) {
        format!("sops {sops} (leafseal {ours})")
    } else {
        format!("leafseal {ours} (sops {sops} compatible)")
    }
}

/// The global flags that set process-wide state: key services, the age key file.
fn check_globals(g: &args::Globals, serving: bool) -> Option<Failure> {
    let local = g.enable_local_keyservice != Some(false);
    if !g.keyservice.is_empty() {
        match keyservice::remotes(g) {
            Ok(remotes) => {
                leafseal::keyservice::configure(local, remotes);
            }
            Err(f) => return Some(f),
        }
    }
    if let Some(p) = &g.age_key_file {
        if let Err(e) = std::fs::File::open(p) {
            return Some(Failure::new(
                1,
                format!("--age-key-file {}: cannot read: {e}", p.display()),
            ));
        }
        leafseal::keys::age::use_key_file(p.clone());
    }
    // (A key service server answers with its own keys whatever the environment says.)
    if !local && g.keyservice.is_empty() && !serving {
        // sops-compat: with no key service at all SOPS cannot get the data key (exit 128).
        return Some(
            Failure::new(
                128,
                "--enable-local-keyservice=false leaves no key service to open or wrap the data key",
            )
            .hint("name one with --keyservice URI (or SOPS_KEYSERVICE)"),
        );
    }
    None
}

pub fn main() -> ExitCode {
    disable_core_dumps();
    // Decryptions are recorded as /etc/sops/audit.yaml says (read at the first event).
    leafseal::audit::enable(warn);
    let mut argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let program = if argv.is_empty() {
        "leafseal".into()
    } else {
        argv.remove(0)
    };
    if let Some((word, meant)) = legacy::mistyped_subcommand(&argv) {
        eprintln!(
            "leafseal: error: unknown subcommand '{word}' (did you mean '{meant}'?); to edit a \
             new file of that name, give a path such as ./{word}"
        );
        return ExitCode::from(1);
    }
    let normalized = legacy::normalize(argv);
    if legacy::asks_version(&normalized) {
        println!("{}", version_line(&program));
        return ExitCode::SUCCESS;
    }
    // Hints name commands by the name the user typed.
    let command_name = if runs_as_sops(&program) {
        "sops"
    } else {
        "leafseal"
    };
    let mut args = vec![program];
    args.extend(normalized);
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                // sops-compat: usage errors exit 1 (2 means "could not read the input").
                _ => 1,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let serving = matches!(cli.command, Command::Keyservice(_));
    if let Some(f) = check_globals(&cli.globals, serving) {
        eprintln!("leafseal: error: {}", f.message);
        for h in &f.hints {
            eprintln!("leafseal: hint: {h}");
        }
        return ExitCode::from(f.code);
    }
    let aws_profile = cli.globals.aws_profile;
    let verbose = cli.globals.verbose;
    let config = cli.config;
    let result = match cli.command {
        Command::Encrypt(a) => encrypt::run(a, config.as_deref(), aws_profile.as_deref()),
        Command::Decrypt(a) => decrypt::run(a),
        Command::Edit(a) => edit::run(a, config.as_deref(), aws_profile.as_deref()),
        Command::Set(a) => rewrite::set(a),
        Command::Unset(a) => rewrite::unset(a),
        Command::Rotate(a) => keys::rotate(a),
        Command::Updatekeys(a) => keys::updatekeys(a, config.as_deref()),
        Command::Groups(g) => keys::groups(g),
        Command::ExecEnv(a) => exec::env(a),
        Command::ExecFile(a) => exec::file(a),
        Command::Explain(a) => explain::run(a, config.as_deref(), aws_profile.as_deref()),
        Command::Filestatus(a) => filestatus::run(a),
        Command::Completion(a) => completion::run(a),
        Command::Manpage => manpage::run(),
        Command::DiffDriver(a) => git::diff_driver(a),
        Command::MergeDriver(a) => git::merge_driver(a),
        Command::Check(a) => git::check(a, config.as_deref()),
        Command::Keyservice(a) => keyservice::run(a, verbose),
        Command::Publish(a) => publish::run(a, config.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            // An empty message is a child's exit code passed through (exec-env/exec-file), or
            // a closed stdout pipe.
            if !f.message.is_empty() {
                eprintln!("leafseal: error: {}", f.message);
            }
            for h in &f.hints {
                eprintln!(
                    "leafseal: hint: {}",
                    h.replace("`leafseal ", &format!("`{command_name} "))
                );
            }
            ExitCode::from(f.code)
        }
    }
}

/// Print a warning line.
pub fn warn(msg: &str) {
    eprintln!("leafseal: warning: {msg}");
}

/// Print the library's warnings about the file just processed on this thread (the write
/// guard's fallbacks), naming the file.
pub fn flush_notes(file: &str) {
    for n in leafseal::store::guard::take_notes() {
        warn(&format!("{file}: {n}"));
    }
}
