//! Documented examples (issue 15 item 10): every shell example in `README.md` and
//! `docs/**/*.md`, and every `Example:`/`Examples:` section of `leafseal [SUBCOMMAND…] --help`,
//! runs as written and passes its check.
//!
//! What is an example:
//! - a fenced block tagged `sh`, `bash` or `shell` (a script), or `console`/`shell-session`
//!   (`$ ` command lines, each followed by the output it must print);
//! - the indented lines under `Example:`/`Examples:` in the help of every subcommand (found by
//!   walking the `Commands:` lists, top level included), one block per help text.
//!
//! A shell block that cannot run here is marked in the Markdown by an HTML comment on the
//! last non-blank line before its fence, `<!-- example: skip, REASON -->` (a reason is
//! required). Every other shell block runs: there is no skip list in this file, so a new
//! example cannot be left out silently. A marker that is malformed or precedes no shell block,
//! an unclosed fence, and an untagged block holding `$ ` prompt lines fail the test.
//!
//! How a block runs: the whole block is one script, `bash -euo pipefail script.sh` (so the
//! lines run in order and share files and variables), in a fresh sandbox, stdin `y` lines (the
//! answer to a confirmation prompt), after these substitutions:
//! - `age1…` (any `age1<letters/digits>…`, with the ellipsis) becomes the TEST-ONLY recipient
//!   of `testdata/keys/age1.txt`; `age1new…` that of `age2.txt`, `age1old…` that of `age3.txt`;
//! - `FP` after `--pgp`/`--add-pgp`/`--rm-pgp` becomes the test PGP key's fingerprint (a gpg
//!   home holding that key is then set up);
//! - an absolute path starting with `/etc/` or `/run/` is moved under the sandbox (which has
//!   `etc/app/secrets.enc.json`, an empty `etc/bash_completion.d/` and `run/`).
//!
//! The sandbox ("world"): `PATH` starts with `~/.local/bin` (empty) and a directory where the
//! binary under test is `leafseal` and `sops`; `HOME` is inside the sandbox, with the test age
//! key as the default key file `~/.config/sops/age/keys.txt` and as `~/key.txt`; `EDITOR` is
//! `doc-editor` (also installed as `code`), which appends `edited_by: doc_examples` to the file.
//! The working directory holds `secrets.yaml` and `app.yaml` (plaintext, nested), their
//! encryptions `secrets.enc.yaml` (flat, as `exec-env` wants, to `age1…` and `age1old…`) and
//! `app.enc.yaml`, `other.enc.yaml`, `secrets/a.enc.yaml`, `secrets/b.enc.yaml`,
//! `secrets/web.yaml` (plaintext), `key.txt` (the test key) and `service` (a stand-in program
//! that prints its arguments and reads the files they name). Depending on what the block says:
//! `git init` when it runs `git`; a `.sops.yaml` (rule `\.enc\.yaml$` → `age1…`, `age1new…`)
//! when it runs `updatekeys`, `check`, `explain` or `publish` (with a destination rule: moto's
//! S3 bucket `team-secrets`, whose endpoint is set, re-encrypted for `age1new…`); a moto KMS on 127.0.0.1 (AWS settings
//! pointed at it, dummy credentials) when it names
//! `arn:aws:kms:eu-west-1:123456789012:alias/NAME`, with that alias created (moto's account is
//! 123456789012). A help example shown on its own that presupposes an earlier one gets it as
//! setup ([`HELP_SETUP`]); Markdown blocks get none, they must stand alone.
//!
//! The check: exit status 0, unless a line ends with `# exits N` (then N). A line ending with
//! `# prints TEXT` must print exactly TEXT on stdout (trailing newlines aside). In a `console`
//! block each command's stdout and stderr together must be its output lines (`...` on a line of
//! its own stands for any number of lines); a `# exits N` comment on a `$ ` line works there too.
//! Markers go on one-line commands.

use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::keys_interop::{GpgHome, PGP_FP};
use crate::moto::{self, Moto};
use crate::util::keys::{AGE1, AGE2, AGE3};
use crate::util::{manifest_dir, testdata, testing_leafseal, tools, under_test, Sandbox};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Script,
    Console,
}

/// One documented example: a fenced block or the examples of one help text.
#[derive(Clone, Debug)]
struct Example {
    /// `docs/boot.md:27` (the fence's line) or `leafseal groups --help`.
    origin: String,
    /// The line number of the block's first line in its origin (1-based).
    line: usize,
    kind: Kind,
    body: String,
    /// The reason of a `<!-- example: skip, REASON -->` marker.
    skip: Option<String>,
    /// Commands run before the example (help examples only, see [`HELP_SETUP`]).
    setup: &'static str,
}

/// What a help example presupposes beyond the world, by help text. The examples of one help
/// text run in order, so only an example shown on its own may need this.
const HELP_SETUP: &[(&str, &str)] = &[(
    // A file with a group 1: the one the `groups add` example leaves.
    "leafseal groups delete --help",
    "leafseal groups add -i -f secrets.enc.yaml --age age1… --shamir-secret-sharing-threshold 2\n",
)];

// ---------------------------------------------------------------------------------------------
// extraction

fn shell_kind(lang: &str) -> Option<Kind> {
    match lang {
        "sh" | "bash" | "shell" => Some(Kind::Script),
        "console" | "shell-session" => Some(Kind::Console),
        _ => None,
    }
}

/// The fence character, its length and the info string, when `t` (trimmed) opens a fence.
fn fence_open(t: &str) -> Option<(char, usize, &str)> {
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3).then(|| (c, n, t[n..].trim()))
}

/// `Ok(Some(reason))` for a skip marker, `Ok(None)` for a comment that is no marker.
fn parse_marker(t: &str) -> Result<Option<String>, String> {
    let Some(inner) = t
        .strip_prefix("<!--")
        .and_then(|r| r.trim_end().strip_suffix("-->"))
    else {
        return Ok(None);
    };
    let Some(directive) = inner.trim().strip_prefix("example:") else {
        return Ok(None);
    };
    match directive.trim().strip_prefix("skip,") {
        Some(reason) if !reason.trim().is_empty() => Ok(Some(reason.trim().to_owned())),
        _ => Err(format!(
            "malformed marker {t:?}: write `<!-- example: skip, REASON -->`"
        )),
    }
}

/// The shell examples of one Markdown file, or every problem with its markers and fences.
fn markdown_examples(name: &str, text: &str) -> Result<Vec<Example>, Vec<String>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut examples = Vec::new();
    let mut errors = Vec::new();
    // A marker waiting for its block: (line number, reason).
    let mut pending: Option<(usize, String)> = None;
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim_start();
        let indent = lines[i].len() - t.len();
        // Four spaces or more: an indented code block (or its continuation), shown as text.
        if indent > 3 {
            if let Some((at, _)) = pending.take() {
                errors.push(format!("{name}:{at}: marker precedes no shell block"));
            }
            i += 1;
            continue;
        }
        match parse_marker(t) {
            Err(e) => errors.push(format!("{name}:{}: {e}", i + 1)),
            Ok(Some(reason)) => {
                if let Some((at, _)) = pending.replace((i + 1, reason)) {
                    errors.push(format!("{name}:{at}: marker precedes no shell block"));
                }
                i += 1;
                continue;
            }
            Ok(None) => {}
        }
        let Some((c, n, info)) = fence_open(t) else {
            if !t.is_empty() {
                if let Some((at, _)) = pending.take() {
                    errors.push(format!("{name}:{at}: marker precedes no shell block"));
                }
            }
            i += 1;
            continue;
        };
        let open = i + 1;
        let mut body = Vec::new();
        let mut closed = false;
        i += 1;
        while i < lines.len() {
            let u = lines[i].trim_start();
            if u.chars().take_while(|x| *x == c).count() >= n
                && u.trim_start_matches(c).trim().is_empty()
            {
                closed = true;
                break;
            }
            // Content is indented like the fence; drop that much leading space.
            let l = lines[i];
            let strip = l.len() - l.trim_start_matches(' ').len();
            body.push(&l[strip.min(indent)..]);
            i += 1;
        }
        i += 1;
        if !closed {
            errors.push(format!("{name}:{open}: fence is never closed"));
            break;
        }
        let lang = info.split_whitespace().next().unwrap_or("");
        match (shell_kind(lang), pending.take()) {
            (Some(kind), marker) => examples.push(Example {
                origin: format!("{name}:{open}"),
                line: open + 1,
                kind,
                body: body.iter().map(|l| format!("{l}\n")).collect(),
                skip: marker.map(|(_, r)| r),
                setup: "",
            }),
            (None, Some((at, _))) => errors.push(format!(
                "{name}:{at}: marker precedes a `{lang}` block, not a shell block"
            )),
            (None, None) => {
                if lang.is_empty() && body.iter().any(|l| l.starts_with("$ ")) {
                    errors.push(format!(
                        "{name}:{open}: untagged block with `$ ` prompts: tag it `console`"
                    ));
                }
            }
        }
    }
    if let Some((at, _)) = pending {
        errors.push(format!("{name}:{at}: marker precedes no shell block"));
    }
    if errors.is_empty() {
        Ok(examples)
    } else {
        Err(errors)
    }
}

/// `README.md` and every `.md` below `docs/`, relative to the repository, sorted.
fn markdown_files() -> Vec<String> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .flatten()
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            if path.is_dir() {
                walk(&path, &format!("{rel}/{name}"), out);
            } else if name.ends_with(".md") {
                out.push(format!("{rel}/{name}"));
            }
        }
    }
    let mut out = vec!["README.md".to_owned()];
    walk(&manifest_dir().join("docs"), "docs", &mut out);
    out
}

/// The indented lines of the `Example:`/`Examples:` section of a help text.
fn help_example_lines(help: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in help.lines() {
        if l == "Example:" || l == "Examples:" {
            inside = true;
        } else if inside {
            match l.strip_prefix("  ") {
                Some(e) if !e.trim().is_empty() => out.push(e.trim()),
                _ => inside = false,
            }
        }
    }
    out
}

/// The subcommand names of a help text's `Commands:` list (`help` left out).
fn help_subcommands(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in help.lines() {
        if l == "Commands:" {
            inside = true;
        } else if inside {
            match l
                .strip_prefix("  ")
                .and_then(|r| r.split_whitespace().next())
            {
                Some(name) if !l.starts_with("   ") => {
                    if name != "help" {
                        out.push(name.to_owned());
                    }
                }
                Some(_) => {} // a wrapped description
                None => inside = false,
            }
        }
    }
    out
}

/// One example per help text that has examples; every path (`[]`, `["groups", "add"]`, …)
/// whose help has none.
fn help_examples(sb: &Sandbox) -> (Vec<Example>, Vec<String>) {
    let mut examples = Vec::new();
    let mut without = Vec::new();
    let mut queue: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = queue.pop() {
        let o = sb.leafseal().args(&path).arg("--help").run();
        o.assert_success();
        let help = o.stdout_str();
        let origin = if path.is_empty() {
            "leafseal --help".to_owned()
        } else {
            format!("leafseal {} --help", path.join(" "))
        };
        let lines = help_example_lines(&help);
        if lines.is_empty() {
            without.push(origin);
        } else {
            let setup = HELP_SETUP
                .iter()
                .find(|(o, _)| *o == origin)
                .map_or("", |(_, s)| s);
            examples.push(Example {
                origin,
                line: 1,
                kind: Kind::Script,
                body: lines.iter().map(|l| format!("{l}\n")).collect(),
                skip: None,
                setup,
            });
        }
        for sub in help_subcommands(&help) {
            let mut p = path.clone();
            p.push(sub);
            queue.push(p);
        }
    }
    examples.sort_by(|a, b| a.origin.cmp(&b.origin));
    (examples, without)
}

// ---------------------------------------------------------------------------------------------
// substitution and the script

/// Whether `s[at..]` starts a word (nothing but a separator before it).
fn word_start(s: &str, at: usize) -> bool {
    s[..at]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || "=><'\"(:,".contains(c))
}

/// The runner's substitutions (module doc): placeholders, `/etc/` and `/run/` paths.
fn substitute(text: &str, root: &Path) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while !rest.is_empty() {
        let at_word = word_start(text, text.len() - rest.len());
        if at_word {
            if let Some(tail) = rest.strip_prefix("age1") {
                let tag_len = tail
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .unwrap_or(tail.len());
                if let Some(after) = tail[tag_len..].strip_prefix('…') {
                    out.push_str(match &tail[..tag_len] {
                        "new" => AGE2.recipient,
                        "old" => AGE3.recipient,
                        _ => AGE1.recipient,
                    });
                    rest = after;
                    continue;
                }
            }
            for dir in ["/etc/", "/run/"] {
                if let Some(after) = rest.strip_prefix(dir) {
                    out.push_str(&format!("{}{dir}", root.display()));
                    rest = after;
                    continue 'scan;
                }
            }
        }
        for flag in ["--pgp FP", "--add-pgp FP", "--rm-pgp FP"] {
            if let Some(after) = rest.strip_prefix(flag) {
                if !after.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                    out.push_str(&flag[..flag.len() - 2]);
                    out.push_str(PGP_FP);
                    rest = after;
                    continue 'scan;
                }
            }
        }
        let c = rest.chars().next().expect("not empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A trailing `# prints TEXT` or `# exits N` on a command line.
#[derive(Debug, PartialEq)]
enum Marker<'a> {
    Prints(&'a str, &'a str),
    Exits(&'a str, i32),
}

fn trailing_marker(line: &str) -> Result<Option<Marker<'_>>, String> {
    for pat in ["# prints ", "# exits "] {
        let Some(at) = line
            .match_indices(pat)
            .map(|(i, _)| i)
            .find(|&i| i > 0 && line[..i].ends_with(char::is_whitespace))
        else {
            continue;
        };
        let cmd = line[..at].trim_end();
        let rest = &line[at + pat.len()..];
        if cmd.trim().is_empty() {
            return Err(format!("`{pat}` needs a command before it"));
        }
        if pat == "# prints " {
            return Ok(Some(Marker::Prints(cmd, rest.trim_end())));
        }
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        return match digits.parse() {
            Ok(code) => Ok(Some(Marker::Exits(cmd, code))),
            Err(_) => Err(format!("`# exits` needs a number, got {rest:?}")),
        };
    }
    Ok(None)
}

/// An output the script saved to `$DOCEX_OUT/<id>`, compared once it has run.
#[derive(Debug)]
struct Check {
    id: usize,
    /// Where in the origin (for messages).
    line: usize,
    expected: String,
    console: bool,
}

const PRELUDE: &str = r#"# written by tests/it/doc_examples.rs
__docex_save() { printf '%s' "$2" > "$DOCEX_OUT/$1"; }
__docex_status() {
  if [ "$3" != "$2" ]; then
    printf 'doc example, line %s: exit status %s, documented %s\n' "$1" "$3" "$2" >&2
    exit 1
  fi
}
PS4='+ '
set -x
"#;

/// The script for `ex` (already substituted) and the outputs to compare afterwards.
fn build_script(ex: &Example, setup: &str, body: &str) -> Result<(String, Vec<Check>), String> {
    let mut s = String::from(PRELUDE);
    if !setup.is_empty() {
        s.push_str("# setup by the runner\n");
        s.push_str(setup);
        s.push_str("# the example\n");
    }
    let mut checks = Vec::new();
    let err = |line: usize, e: String| format!("{} (line {line}): {e}", ex.origin);
    let lines: Vec<&str> = body.lines().collect();
    match ex.kind {
        Kind::Script => {
            for (i, line) in lines.iter().enumerate() {
                let at = ex.line + i;
                let marker = trailing_marker(line).map_err(|e| err(at, e))?;
                if marker.is_some() && i > 0 && lines[i - 1].ends_with('\\') {
                    return Err(err(
                        at,
                        "put `# prints`/`# exits` on a one-line command".into(),
                    ));
                }
                match marker {
                    None => {
                        s.push_str(line);
                        s.push('\n');
                    }
                    Some(Marker::Prints(cmd, expected)) => {
                        let id = checks.len();
                        s.push_str(&format!(
                            "__docex_out=$({cmd}\n)\nprintf '%s\\n' \"$__docex_out\"\n__docex_save {id} \"$__docex_out\"\n"
                        ));
                        checks.push(Check {
                            id,
                            line: at,
                            expected: expected.to_owned(),
                            console: false,
                        });
                    }
                    Some(Marker::Exits(cmd, code)) => {
                        s.push_str(&format!(
                            "if {cmd}\nthen __docex_rc=0; else __docex_rc=$?; fi\n__docex_status {at} {code} \"$__docex_rc\"\n"
                        ));
                    }
                }
            }
        }
        Kind::Console => {
            let mut i = 0;
            while i < lines.len() {
                let at = ex.line + i;
                let Some(command) = lines[i].strip_prefix("$ ") else {
                    if lines[i].trim().is_empty() {
                        i += 1;
                        continue;
                    }
                    return Err(err(at, "output before the first `$ ` command".into()));
                };
                let mut output = Vec::new();
                i += 1;
                while i < lines.len() && !lines[i].starts_with("$ ") {
                    output.push(lines[i]);
                    i += 1;
                }
                while output.last().is_some_and(|l| l.trim().is_empty()) {
                    output.pop();
                }
                let (cmd, code) = match trailing_marker(command).map_err(|e| err(at, e))? {
                    Some(Marker::Exits(cmd, code)) => (cmd, code),
                    Some(Marker::Prints(..)) => {
                        return Err(err(at, "in a console block the output goes below".into()))
                    }
                    None => (command, 0),
                };
                let id = checks.len();
                s.push_str(&format!(
                    "if __docex_out=$( {{ set +x; }} 2>/dev/null; {{ {cmd}\n}} 2>&1 )\nthen __docex_rc=0; else __docex_rc=$?; fi\nprintf '%s\\n' \"$__docex_out\"\n__docex_save {id} \"$__docex_out\"\n__docex_status {at} {code} \"$__docex_rc\"\n"
                ));
                checks.push(Check {
                    id,
                    line: at,
                    expected: output.join("\n"),
                    console: true,
                });
            }
        }
    }
    Ok((s, checks))
}

/// Console output: line by line, where a line `...` matches any number of lines.
fn console_matches(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&"...", rest)) => (0..=actual.len()).any(|k| console_matches(rest, &actual[k..])),
        Some((e, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| a == e && console_matches(rest, more)),
    }
}

// ---------------------------------------------------------------------------------------------
// the world every example runs in

const SECRETS_YAML: &str = "db:\n    user: app\n    password: hunter2\napi_token: t0k3n\n";
/// `secrets.enc.yaml` is flat: `exec-env` refuses nested top-level values (as SOPS does).
const SECRETS_FLAT: &str = "db_password: hunter2\napi_token: t0k3n\n";
const APP_YAML: &str =
    "db:\n    user: app\n    password: hunter2\n    old_password: hunter1\ntoken: t0k3n\n";
const APP_JSON: &str = "{\n\t\"db\": {\n\t\t\"password\": \"hunter2\"\n\t}\n}\n";
const SERVICE: &str = "#!/bin/sh\n\
    # Stands in for the service of the examples: prints its arguments, reads the files they name.\n\
    echo \"service $*${db_password:+ (db_password set)}\"\n\
    for a in \"$@\"; do if [ -e \"$a\" ]; then wc -c < \"$a\"; fi; done\n";
const EDITOR: &str = "#!/bin/sh\n\
    # The examples' editor: appends one key to the file it is given (its last argument).\n\
    for f in \"$@\"; do :; done\n\
    case \"$f\" in\n\
    *.env) printf 'edited_by=doc_examples\\n' >> \"$f\" ;;\n\
    *.json) echo \"doc-editor: no JSON\" >&2; exit 1 ;;\n\
    *) printf 'edited_by: doc_examples\\n' >> \"$f\" ;;\n\
    esac\n";

/// The encrypted files of the world, made once per test process by the binary under test.
struct Fixtures {
    secrets_enc: Vec<u8>,
    app_enc: Vec<u8>,
    other_enc: Vec<u8>,
    a_enc: Vec<u8>,
    b_enc: Vec<u8>,
    app_json_enc: Vec<u8>,
}

fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let sb = Sandbox::new();
        let enc = |name: &str, text: &str, recipients: &str| {
            sb.write(name, text);
            let o = sb
                .leafseal()
                .args(["encrypt", "--age", recipients, name])
                .run();
            o.assert_success();
            o.stdout
        };
        let both = format!("{},{}", AGE1.recipient, AGE3.recipient);
        Fixtures {
            secrets_enc: enc("secrets.yaml", SECRETS_FLAT, &both),
            app_enc: enc("app.yaml", APP_YAML, AGE1.recipient),
            other_enc: enc("other.yaml", "other: value\n", AGE1.recipient),
            a_enc: enc("a.yaml", "a: 1\n", AGE1.recipient),
            b_enc: enc("b.yaml", "b: 2\n", AGE1.recipient),
            app_json_enc: enc("app.json", APP_JSON, AGE1.recipient),
        }
    })
}

/// A sandbox prepared for one example. Field order is drop order: the emulator and the gpg
/// agent go before the directory.
struct World {
    _moto: Option<Moto>,
    _gpg: Option<GpgHome>,
    env: Vec<(String, String)>,
    sb: Sandbox,
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link)
        .unwrap_or_else(|e| panic!("symlink {}: {e}", link.display()));
}

fn executable(sb: &Sandbox, name: &str, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    let p = sb.write(name, text);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// The KMS ARNs a text names (up to whitespace or a quote).
fn kms_arns(text: &str) -> Vec<String> {
    text.match_indices("arn:aws:kms:")
        .map(|(i, _)| {
            text[i..]
                .split(|c: char| c.is_whitespace() || "'\",|".contains(c))
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

/// A sandbox for `body` (substituted), or why it cannot be made here (`Ok(None)`: a tool is
/// missing and was reported as SKIPPED).
fn world(body: &str, sb: Sandbox) -> Result<Option<World>, String> {
    let root = sb.root().to_owned();
    let key = std::fs::read(testdata("keys/age1.txt")).expect("read test key");
    sb.write("home/.config/sops/age/keys.txt", &key);
    sb.write("home/key.txt", &key);
    std::fs::create_dir_all(sb.path("home/.local/bin")).expect("mkdir");
    std::fs::create_dir_all(sb.path("bin")).expect("mkdir");
    symlink(&under_test(), &sb.path("bin/leafseal"));
    symlink(&under_test(), &sb.path("bin/sops"));
    executable(&sb, "bin/doc-editor", EDITOR);
    symlink(Path::new("doc-editor"), &sb.path("bin/code"));
    std::fs::create_dir_all(sb.path("etc/bash_completion.d")).expect("mkdir");
    std::fs::create_dir_all(sb.path("run")).expect("mkdir");
    std::fs::create_dir_all(sb.path("docex/out")).expect("mkdir");
    let f = fixtures();
    sb.write("etc/app/secrets.enc.json", &f.app_json_enc);
    sb.write("work/secrets.yaml", SECRETS_YAML);
    sb.write("work/app.yaml", APP_YAML);
    sb.write("work/secrets.enc.yaml", &f.secrets_enc);
    sb.write("work/app.enc.yaml", &f.app_enc);
    sb.write("work/other.enc.yaml", &f.other_enc);
    sb.write("work/secrets/a.enc.yaml", &f.a_enc);
    sb.write("work/secrets/b.enc.yaml", &f.b_enc);
    sb.write("work/secrets/web.yaml", SECRETS_FLAT);
    sb.write("work/key.txt", &key);
    executable(&sb, "work/service", SERVICE);

    let path = format!(
        "{}:{}:{}",
        sb.path("home/.local/bin").display(),
        sb.path("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut env = vec![
        ("PATH".to_owned(), path),
        ("EDITOR".to_owned(), "doc-editor".to_owned()),
        (
            "DOCEX_OUT".to_owned(),
            sb.path("docex/out").display().to_string(),
        ),
    ];

    let runs = |word: &str| {
        body.lines().any(|l| {
            let code = l.split(" #").next().unwrap_or("");
            code.split_whitespace().any(|w| w == word)
        })
    };
    if runs("git") {
        let o = sb
            .cmd("git")
            .args(["init", "-q"])
            .current_dir(sb.path("work"))
            .run();
        o.assert_success();
    }
    if runs("updatekeys") || runs("check") || runs("explain") || runs("publish") {
        // publish: to moto's S3 bucket `team-secrets`, re-encrypted for `age1new…`.
        sb.write(
            "work/.sops.yaml",
            format!(
                "creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: {},{}\n\
                 destination_rules:\n  - s3_bucket: team-secrets\n    s3_prefix: prod/\n    \
                 recreation_rule:\n      age: {}\n",
                AGE1.recipient, AGE2.recipient, AGE2.recipient
            ),
        );
    }
    let mut gpg = None;
    if body.contains(PGP_FP) {
        let Some(bin) = tools::gpg() else {
            return Ok(None);
        };
        let home = GpgHome::with_test_key(&sb, &bin, "gnupg");
        env.push(("GNUPGHOME".into(), home.path().display().to_string()));
        gpg = Some(home);
    }
    let arns = kms_arns(body);
    let mut emulator = None;
    if !arns.is_empty() || runs("publish") {
        let Some(m) = Moto::start() else {
            return Ok(None);
        };
        if runs("publish") {
            m.create_bucket("team-secrets");
            env.push(("AWS_ENDPOINT_URL_S3".to_owned(), m.endpoint()));
        }
        let key_arn = m.create_key();
        for arn in &arns {
            let parts: Vec<&str> = arn.splitn(6, ':').collect();
            let alias = parts.get(5).copied().unwrap_or("");
            if parts.len() != 6
                || parts[3] != moto::REGION
                || parts[4] != "123456789012"
                || !alias.starts_with("alias/")
            {
                return Err(format!(
                    "{arn}: only `arn:aws:kms:{}:123456789012:alias/NAME` can be made real \
                     against moto",
                    moto::REGION
                ));
            }
            let made = m.post(
                "CreateAlias",
                &format!(r#"{{"AliasName":"{alias}","TargetKeyId":"{key_arn}"}}"#),
            );
            // The same alias twice in one block is fine.
            if let Err(e) = made {
                if !e.contains("AlreadyExists") {
                    return Err(format!("CreateAlias {alias}: {e}"));
                }
            }
        }
        for (k, v) in [
            ("AWS_ENDPOINT_URL_KMS", m.endpoint()),
            ("AWS_ENDPOINT_URL_STS", m.endpoint()),
            ("AWS_CONFIG_FILE", format!("{}/aws/config", root.display())),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                format!("{}/aws/credentials", root.display()),
            ),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_ACCESS_KEY_ID", moto::ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY", moto::SECRET_KEY.into()),
        ] {
            env.push((k.to_owned(), v));
        }
        emulator = Some(m);
    }
    Ok(Some(World {
        _moto: emulator,
        _gpg: gpg,
        env,
        sb,
    }))
}

// ---------------------------------------------------------------------------------------------
// running

enum Outcome {
    Ran(Duration),
    Skipped(String),
    Failed(String),
}

fn run_example(ex: &Example) -> Outcome {
    if let Some(reason) = &ex.skip {
        return Outcome::Skipped(reason.clone());
    }
    let start = Instant::now();
    let sb = Sandbox::new();
    let body = substitute(&ex.body, sb.root());
    let setup = substitute(ex.setup, sb.root());
    let (script, checks) = match build_script(ex, &setup, &body) {
        Ok(s) => s,
        Err(e) => return Outcome::Failed(e),
    };
    let w = match world(&format!("{setup}{body}"), sb) {
        Ok(Some(w)) => w,
        Ok(None) => return Outcome::Skipped("a tool it needs is missing (see above)".into()),
        Err(e) => return Outcome::Failed(format!("{}: {e}", ex.origin)),
    };
    let script_path = w.sb.write("docex/script.sh", &script);
    let mut cmd =
        w.sb.cmd("bash")
            .args(["-euo", "pipefail"])
            .arg(&script_path)
            .current_dir(w.sb.path("work"))
            .stdin("y\n".repeat(8));
    for (k, v) in &w.env {
        cmd = cmd.env(k, v);
    }
    let o = cmd.run();
    let mut problems = Vec::new();
    if o.code != 0 {
        problems.push(format!("the script exited {}", o.code));
    }
    for c in &checks {
        let Ok(actual) = std::fs::read_to_string(w.sb.path(&format!("docex/out/{}", c.id))) else {
            if o.code == 0 {
                problems.push(format!("line {}: output not saved", c.line));
            }
            continue;
        };
        let same = if c.console {
            let exp: Vec<&str> = c.expected.lines().collect();
            let act: Vec<&str> = actual.lines().collect();
            console_matches(&exp, &act)
        } else {
            actual == c.expected
        };
        if !same {
            problems.push(format!(
                "line {}: output differs\n--- documented ---\n{}\n--- actual ---\n{actual}",
                c.line, c.expected
            ));
        }
    }
    if problems.is_empty() {
        Outcome::Ran(start.elapsed())
    } else {
        Outcome::Failed(format!(
            "{}: {}\n--- example ---\n{}{}--- script (after substitution) ---\n{script}{}",
            ex.origin,
            problems.join("\n"),
            ex.body,
            if ex.setup.is_empty() {
                String::new()
            } else {
                format!("--- after this setup ---\n{}", ex.setup)
            },
            o.describe()
        ))
    }
}

/// Runs every example, prints one line each, and fails with every failure at the end.
fn run_all(examples: &[Example]) {
    let start = Instant::now();
    let mut failures = Vec::new();
    let (mut ran, mut skipped) = (0, 0);
    for ex in examples {
        match run_example(ex) {
            Outcome::Ran(d) => {
                ran += 1;
                eprintln!("doc example {}: ok ({:.1} s)", ex.origin, d.as_secs_f64());
            }
            Outcome::Skipped(why) => {
                skipped += 1;
                eprintln!("doc example {}: skipped ({why})", ex.origin);
            }
            Outcome::Failed(report) => {
                eprintln!("doc example {}: FAILED", ex.origin);
                failures.push(report);
            }
        }
    }
    eprintln!(
        "doc examples: {ran} ran, {skipped} skipped, {} failed in {:.1} s",
        failures.len(),
        start.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} documented example(s) do not run as written:\n\n{}",
        failures.len(),
        failures.join("\n\n==========\n\n")
    );
    assert!(ran > 0, "no example ran");
}

/// The examples need leafseal itself (its subcommands and messages), not another program.
fn leafseal_only() -> bool {
    if !testing_leafseal() {
        eprintln!("doc examples: skipped, they document leafseal and LEAFSEAL_UNDER_TEST is set");
    }
    testing_leafseal()
}

// ---------------------------------------------------------------------------------------------
// tests

#[test]
fn markdown_examples_run_as_written() {
    if !leafseal_only() {
        return;
    }
    let mut examples = Vec::new();
    let mut errors = Vec::new();
    let files = markdown_files();
    assert!(
        files.iter().any(|f| f == "docs/boot.md"),
        "docs not found: {files:?}"
    );
    for f in &files {
        let text = std::fs::read_to_string(manifest_dir().join(f))
            .unwrap_or_else(|e| panic!("read {f}: {e}"));
        match markdown_examples(f, &text) {
            Ok(mut ex) => examples.append(&mut ex),
            Err(mut e) => errors.append(&mut e),
        }
    }
    assert!(
        errors.is_empty(),
        "example markers or fences are wrong:\n{}",
        errors.join("\n")
    );
    run_all(&examples);
}

#[test]
fn help_examples_run_as_written() {
    if !leafseal_only() {
        return;
    }
    let (examples, without) = help_examples(&Sandbox::new());
    // docs/cli.md: "Every subcommand has `--help` with an example."
    assert!(
        without.is_empty(),
        "help texts without an `Examples:` section: {without:?}"
    );
    assert!(
        examples
            .iter()
            .any(|e| e.origin == "leafseal groups add --help"),
        "nested subcommands were not walked: {:?}",
        examples.iter().map(|e| &e.origin).collect::<Vec<_>>()
    );
    run_all(&examples);
}

#[test]
fn extractor_reads_markers_fences_and_checks() {
    let md = "# t\n\n```sh\nleafseal --version   # prints x\n```\n\n\
              <!-- example: skip, needs a cloud -->\n\n```bash\naws kms list-keys\n```\n\
              ```yaml\na: 1\n```\n\
              ```\nleafseal encrypt [--age R] FILE\n```\n\
              - item\n\n  ```console\n  $ echo hi\n  hi\n  ```\n\
              \n    <!-- example: skip, shown as text -->\n    ```sh\n    x\n    ```\n";
    let ex = markdown_examples("t.md", md).expect("valid");
    let summary: Vec<_> = ex
        .iter()
        .map(|e| {
            (
                e.origin.as_str(),
                e.kind,
                e.skip.as_deref(),
                e.body.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "t.md:3",
                Kind::Script,
                None,
                "leafseal --version   # prints x\n"
            ),
            (
                "t.md:9",
                Kind::Script,
                Some("needs a cloud"),
                "aws kms list-keys\n"
            ),
            ("t.md:20", Kind::Console, None, "$ echo hi\nhi\n"),
        ]
    );

    // Every way of leaving a block out without saying why is an error.
    for (bad, why) in [
        ("<!-- example: skip -->\n```sh\nx\n```\n", "no reason"),
        (
            "<!-- example: skip, r -->\ntext\n```sh\nx\n```\n",
            "not before the block",
        ),
        (
            "<!-- example: skip, r -->\n```yaml\nx\n```\n",
            "not a shell block",
        ),
        (
            "<!-- example: run -->\n```sh\nx\n```\n",
            "unknown directive",
        ),
        ("```sh\nx\n", "unclosed fence"),
        ("```\n$ leafseal --version\n```\n", "untagged prompt"),
        ("text\n<!-- example: skip, r -->\n", "marker at the end"),
    ] {
        assert!(markdown_examples("bad.md", bad).is_err(), "{why}: {bad:?}");
    }

    // Markers become checks; placeholders and system paths are substituted.
    let root = Path::new("/sb");
    let body = substitute(
        "leafseal encrypt --age age1… --pgp FP f   # prints /run/x\n\
         leafseal rotate --add-age age1new… --rm-age age1old… f   # exits 3\n\
         echo age1myhcwvtcnpm6hq /etc/a FP\n",
        root,
    );
    assert_eq!(
        body,
        format!(
            "leafseal encrypt --age {} --pgp {PGP_FP} f   # prints /sb/run/x\n\
             leafseal rotate --add-age {} --rm-age {} f   # exits 3\n\
             echo age1myhcwvtcnpm6hq /sb/etc/a FP\n",
            AGE1.recipient, AGE2.recipient, AGE3.recipient
        )
    );
    let ex = Example {
        origin: "o".into(),
        line: 10,
        kind: Kind::Script,
        body: body.clone(),
        skip: None,
        setup: "",
    };
    let (script, checks) = build_script(&ex, "", &body).expect("builds");
    assert_eq!(checks.len(), 1);
    assert_eq!(
        (checks[0].line, checks[0].expected.as_str()),
        (10, "/sb/run/x")
    );
    assert!(script.contains("__docex_status 11 3 "), "{script}");
    assert!(trailing_marker("a \\\n").unwrap().is_none());
    assert!(trailing_marker("x # exits one").is_err());

    assert!(console_matches(&["a", "...", "d"], &["a", "b", "c", "d"]));
    assert!(console_matches(&["a", "..."], &["a"]));
    assert!(!console_matches(&["a", "d"], &["a", "b", "d"]));
    assert!(!console_matches(&[], &["a"]));

    let help = "Usage: x\n\nCommands:\n  add     Add\n  delete  Delete\n  help    Print\n\n\
                Examples:\n  leafseal a   # c\n  leafseal b\n\nMore\n";
    assert_eq!(help_subcommands(help), ["add", "delete"]);
    assert_eq!(help_example_lines(help), ["leafseal a   # c", "leafseal b"]);
}

#[test]
fn runner_fails_wrong_outputs_and_statuses() {
    let example = |kind, body: &str| Example {
        origin: "synthetic".into(),
        line: 1,
        kind,
        body: body.into(),
        skip: None,
        setup: "",
    };
    let passes = |ex: &Example| match run_example(ex) {
        Outcome::Ran(_) => true,
        Outcome::Failed(_) => false,
        Outcome::Skipped(why) => panic!("skipped: {why}"),
    };
    let good = [
        example(
            Kind::Script,
            "leafseal filestatus app.enc.yaml   # prints {\"encrypted\":true}\n\
             leafseal decrypt missing.yaml   # exits 100\n",
        ),
        example(
            Kind::Console,
            "$ leafseal filestatus app.yaml\n{\"encrypted\":false}\n\
             $ cat secrets.yaml\n...\napi_token: t0k3n\n",
        ),
    ];
    for ex in &good {
        assert!(passes(ex), "{ex:?}");
    }
    let bad = [
        example(
            Kind::Script,
            "leafseal filestatus app.enc.yaml   # prints {\"encrypted\":false}\n",
        ),
        example(Kind::Script, "leafseal decrypt missing.yaml\n"),
        example(Kind::Script, "leafseal decrypt app.enc.yaml   # exits 1\n"),
        example(Kind::Script, "false | cat\n"),
        example(Kind::Console, "$ leafseal filestatus app.yaml\n{}\n"),
        example(Kind::Console, "$ leafseal decrypt missing.yaml\n...\n"),
    ];
    for ex in &bad {
        assert!(!passes(ex), "must fail: {ex:?}");
    }
}
