//! The man page (`docs/man/leafseal.1`), one page for the whole tool: synopsis with the SOPS
//! forms, global options, every subcommand with its own options, ENVIRONMENT, EXIT STATUS and
//! FILES. Generated from the clap definitions (flags, help, `env`, possible values) and the
//! exit-code table, so it cannot drift from the binary; it names no sub-pages.

use std::fmt::Write as _;

use clap::{Arg, Command, CommandFactory};

use super::args::Cli;
use super::Failure;

/// Variables read outside the clap definitions: (name, what it does).
const ENVIRONMENT: &[(&str, &str)] = &[
    ("SOPS_AGE_KEY", "age identities, one or more per line."),
    ("SOPS_AGE_KEY_FILE", "A file of age identities (see also --age-key-file)."),
    (
        "SOPS_AGE_KEY_CMD",
        "A command whose output is age identities; run with SOPS_AGE_RECIPIENT set to the recipient being opened.",
    ),
    (
        "SOPS_AGE_SSH_PRIVATE_KEY_FILE",
        "An SSH private key used as an age identity (default ~/.ssh/id_ed25519 and ~/.ssh/id_rsa).",
    ),
    ("SOPS_EDITOR, EDITOR", "The editor for edit (split with shell rules); else vim, nano or vi."),
    ("SOPS_GPG_EXEC", "The gpg program for PGP keys (default gpg)."),
    ("GNUPGHOME", "The GnuPG home directory for PGP keys."),
    (
        "AWS_PROFILE, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS credentials for KMS keys, as the AWS SDKs read them; on EC2 the instance role is used.",
    ),
    (
        "LEAFSEAL_KMS_TIMEOUT, LEAFSEAL_KMS_CONNECT_TIMEOUT, LEAFSEAL_IMDS_TIMEOUT",
        "Time limits for KMS calls and the instance metadata service.",
    ),
    (
        "LEAFSEAL_KEYSERVICE_TIMEOUT, LEAFSEAL_KEYSERVICE_CONNECT_TIMEOUT",
        "Time limits for a remote key service's request (default 30 s) and connection (3 s).",
    ),
    (
        "LEAFSEAL_AUDIT_CONFIG, LEAFSEAL_AUDIT_TIMEOUT, LEAFSEAL_AUDIT_CONNECT_TIMEOUT",
        "The audit configuration read instead of /etc/sops/audit.yaml, and the time limits of recording one event (default 5 s) and of each connect (2 s).",
    ),
    (
        "LEAFSEAL_NO_PIECES",
        "When set, every file is processed as one document (troubleshooting; same output).",
    ),
    ("XDG_CONFIG_HOME", "Where sops/age/keys.txt is looked for (default ~/.config)."),
    (
        "XDG_RUNTIME_DIR",
        "Where edit puts its private temporary directory (else /dev/shm when it exists).",
    ),
];

const FILES: &[(&str, &str)] = &[
    (
        ".sops.yaml",
        "Creation rules and store settings, found from the working directory upwards (or --config, SOPS_CONFIG).",
    ),
    ("~/.config/sops/age/keys.txt", "The default age identity file."),
    ("~/.ssh/id_ed25519, ~/.ssh/id_rsa", "SSH keys used as age identities."),
];

/// Escapes text for a roff line (never starting with a control character).
fn esc(text: &str) -> String {
    let mut t = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => t.push_str("\\e"),
            '-' => t.push_str("\\-"),
            c if c.is_ascii() => t.push(c),
            c => {
                let _ = write!(t, "\\[u{:04X}]", c as u32);
            }
        }
    }
    if t.starts_with(['.', '\'']) {
        format!("\\&{t}")
    } else {
        t
    }
}

/// `-i, --in-place` with its value names, bold flags and italic values.
fn flag_label(a: &Arg) -> String {
    let mut names = Vec::new();
    if let Some(s) = a.get_short() {
        names.push(format!("\\fB\\-{s}\\fR"));
    }
    if let Some(l) = a.get_long() {
        names.push(format!("\\fB\\-\\-{}\\fR", esc(l)));
    }
    let mut label = names.join(", ");
    if a.get_action().takes_values() && !a.is_positional() {
        let value = a
            .get_value_names()
            .and_then(|v| v.first())
            .map_or_else(|| a.get_id().as_str().to_uppercase(), |v| v.to_string());
        let _ = write!(label, " \\fI{}\\fR", esc(&value));
    }
    label
}

fn arg_help(a: &Arg) -> String {
    let mut help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
    if !help.is_empty() && !help.ends_with('.') {
        help.push('.');
    }
    let values: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    if !values.is_empty() && !matches!(values.as_slice(), [t, f] if t == "true" && f == "false") {
        let _ = write!(help, " One of: {}.", values.join(", "));
    }
    if let Some(env) = a.get_env() {
        let _ = write!(help, " Environment: {}.", env.to_string_lossy());
    }
    esc(help.trim())
}

fn options(out: &mut String, args: Vec<&Arg>) {
    for a in args {
        out.push_str(".TP\n");
        if a.is_positional() {
            let name = a
                .get_value_names()
                .and_then(|v| v.first())
                .map_or_else(|| a.get_id().as_str().to_uppercase(), |v| v.to_string());
            let _ = writeln!(out, "\\fI{}\\fR", esc(&name));
        } else {
            let _ = writeln!(out, "{}", flag_label(a));
        }
        let _ = writeln!(out, "{}", arg_help(a));
    }
}

fn visible_args(cmd: &Command, global: bool) -> Vec<&Arg> {
    cmd.get_arguments()
        .filter(|a| !a.is_hide_set() && a.get_id() != "help" && a.get_id() != "version")
        .filter(|a| a.is_global_set() == global)
        .collect()
}

fn positionals(cmd: &Command) -> String {
    cmd.get_positionals()
        .filter(|a| !a.is_hide_set())
        .map(|a| {
            let name = a
                .get_value_names()
                .and_then(|v| v.first())
                .map_or_else(|| a.get_id().as_str().to_uppercase(), |v| v.to_string());
            let many = matches!(a.get_num_args(), Some(r) if r.max_values() > 1);
            let dots = if many { "\\&..." } else { "" };
            if a.is_required_set() {
                format!(" \\fI{}\\fR{dots}", esc(&name))
            } else {
                format!(" [\\fI{}\\fR{dots}]", esc(&name))
            }
        })
        .collect()
}

fn subcommand(out: &mut String, path: &str, cmd: &Command) {
    if cmd.is_hide_set() || cmd.get_name() == "help" {
        return;
    }
    let full = format!("{path} {}", cmd.get_name());
    if cmd.has_subcommands() {
        for sub in cmd.get_subcommands() {
            subcommand(out, &full, sub);
        }
        return;
    }
    let _ = writeln!(out, ".SS \"{}\"", esc(&full));
    let _ = writeln!(
        out,
        "\\fB{}\\fR [\\fIOPTIONS\\fR]{}",
        esc(&full),
        positionals(cmd)
    );
    out.push_str(".br\n");
    if let Some(about) = cmd.get_about() {
        let _ = writeln!(out, "{}", esc(&about.to_string()));
    }
    options(out, visible_args(cmd, false));
    if let Some(after) = cmd.get_after_help() {
        out.push_str(".PP\n.nf\n");
        for line in after.to_string().lines() {
            let _ = writeln!(out, "{}", esc(line));
        }
        out.push_str(".fi\n");
    }
}

/// The whole page.
pub fn render() -> String {
    let cmd = Cli::command();
    let version = env!("CARGO_PKG_VERSION");
    let mut out = String::new();
    let _ = writeln!(out, ".TH LEAFSEAL 1 \"\" \"leafseal {version}\"");
    out.push_str(".SH NAME\n");
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    let _ = writeln!(out, "leafseal \\- {}", esc(&about));
    out.push_str(".SH SYNOPSIS\n");
    out.push_str("\\fBleafseal\\fR [\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR]\n.br\n");
    out.push_str("\\fBleafseal\\fR \\fB\\-e\\fR|\\fB\\-d\\fR|\\fB\\-r\\fR [\\fIOPTIONS\\fR] \\fIFILE\\fR\n.br\n");
    out.push_str("\\fBleafseal\\fR [\\fIOPTIONS\\fR] \\fIFILE\\fR\n");
    out.push_str(".SH DESCRIPTION\n");
    out.push_str(
        "leafseal reads and writes SOPS files: structured files (YAML, JSON, dotenv, INI, TOML, \
         or any file as binary) whose keys stay readable while every value is encrypted with \
         AES\\-256\\-GCM under a data key, which is wrapped for age, PGP and AWS KMS master keys. \
         Its commands, flags, environment variables and exit codes are those of SOPS 3.x, so it \
         can be installed as \\fBsops\\fR. The SOPS forms \\fB\\-e\\fR (encrypt), \\fB\\-d\\fR \
         (decrypt), \\fB\\-r\\fR (rotate) and a bare \\fIFILE\\fR (edit) are accepted, with \
         flags before or after the command.\n",
    );
    out.push_str(".SH GLOBAL OPTIONS\n");
    options(&mut out, visible_args(&cmd, true));
    out.push_str(".SH COMMANDS\n");
    for sub in cmd.get_subcommands() {
        subcommand(&mut out, "leafseal", sub);
    }
    out.push_str(".SH ENVIRONMENT\n");
    out.push_str("The variables given with the options above, and:\n");
    for (name, what) in ENVIRONMENT {
        let _ = writeln!(out, ".TP\n\\fB{}\\fR\n{}", esc(name), esc(what));
    }
    out.push_str(".SH EXIT STATUS\n");
    for (code, what) in super::exit::TABLE {
        let _ = writeln!(out, ".TP\n\\fB{code}\\fR\n{}", esc(what));
    }
    out.push_str(".TP\n\\fB112\\fR\n\\-\\-decryption\\-order names a key type twice.\n");
    out.push_str(".PP\nexec\\-env and exec\\-file exit with their command's status.\n");
    out.push_str(".SH FILES\n");
    for (name, what) in FILES {
        let _ = writeln!(out, ".TP\n\\fI{}\\fR\n{}", esc(name), esc(what));
    }
    out.push_str(".SH SEE ALSO\n\\fBage\\fR(1), \\fBgpg\\fR(1), \\fBgit\\fR(1)\n");
    out
}

/// Run the hidden `manpage` subcommand.
pub fn run() -> Result<(), Failure> {
    std::io::Write::write_all(&mut std::io::stdout(), render().as_bytes())
        .map_err(|e| Failure::new(3, format!("<stdout>: {e}")))
}
