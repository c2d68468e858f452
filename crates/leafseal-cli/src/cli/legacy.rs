//! SOPS's command-line forms that clap's subcommand model does not take directly, rewritten to
//! the subcommand form before parsing, so `alias sops=leafseal` keeps working:
//! - flags before the subcommand (`sops --age R encrypt f`) move after it;
//! - no subcommand: `-e`/`--encrypt` → encrypt, `-d`/`--decrypt` → decrypt, `-r`/`--rotate` →
//!   rotate, otherwise edit (`sops f`).

use std::ffi::OsString;

const SUBCOMMANDS: &[&str] = &[
    "encrypt",
    "decrypt",
    "edit",
    "set",
    "unset",
    "exec-env",
    "exec-file",
    "filestatus",
    "explain",
    "completion",
    "help",
    "rotate",
    "updatekeys",
    "groups",
    "keyservice",
    "publish",
    "manpage",
    // git integration (src/cli/git.rs)
    "diff-driver",
    "merge-driver",
    "check",
];

/// Flags that take no value (everything else starting with `-` takes one unless `--f=v`).
const SWITCHES: &[&str] = &[
    "-e",
    "--encrypt",
    "-d",
    "--decrypt",
    "-r",
    "--rotate",
    "-i",
    "--in-place",
    "-s",
    "--show-master-keys",
    "--ignore-mac",
    "--mac-only-encrypted",
    "--pristine",
    "--same-process",
    "--no-fifo",
    "--idempotent",
    "--value-stdin",
    "--value-file",
    "--verbose",
    "--background",
    "--disable-version-check",
    "--check-for-updates",
    "--enable-local-keyservice",
    "--prompt",
    "-h",
    "--help",
    "-V",
    "-v",
    "--version",
    "-y",
    "--yes",
];

fn takes_value(flag: &str) -> bool {
    flag.starts_with('-') && !flag.contains('=') && !SWITCHES.contains(&flag) && flag != "-"
}

/// The index of the first argument that is neither a flag nor a flag's value (before `--`):
/// where the subcommand, or SOPS's bare file argument, stands.
fn first_word<S: AsRef<str>>(args: &[S]) -> Option<usize> {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_ref();
        if a == "--" {
            return None;
        }
        if a.starts_with('-') && a != "-" {
            i += if takes_value(a) { 2 } else { 1 };
            continue;
        }
        return Some(i);
    }
    None
}

/// Rewrite `args` (without the program name) into the subcommand form.
pub fn normalize(args: Vec<OsString>) -> Vec<OsString> {
    let strs: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let sub = first_word(&strs).filter(|&i| SUBCOMMANDS.contains(&strs[i].as_str()));
    match sub {
        Some(0) => args,
        Some(k) => {
            let mut out = vec![args[k].clone()];
            out.extend_from_slice(&args[..k]);
            out.extend_from_slice(&args[k + 1..]);
            out
        }
        None => {
            if strs.is_empty()
                || strs
                    .iter()
                    .any(|a| matches!(a.as_str(), "-h" | "--help" | "-V" | "-v" | "--version"))
            {
                // `-v` is SOPS's version flag.
                return args
                    .into_iter()
                    .map(|a| {
                        if a == "-v" {
                            OsString::from("--version")
                        } else {
                            a
                        }
                    })
                    .collect();
            }
            if let Some(out) = legacy_set(&args, &strs) {
                return out;
            }
            let mode = if strs.iter().any(|a| a == "-e" || a == "--encrypt") {
                "encrypt"
            } else if strs.iter().any(|a| a == "-d" || a == "--decrypt") {
                "decrypt"
            } else if strs.iter().any(|a| a == "-r" || a == "--rotate") {
                "rotate"
            } else {
                "edit"
            };
            let mut out = vec![OsString::from(mode)];
            out.extend(args.into_iter().filter(|a| {
                !matches!(
                    a.to_str(),
                    Some("-e" | "--encrypt" | "-d" | "--decrypt" | "-r" | "--rotate")
                )
            }));
            out
        }
    }
}

/// sops-compat: `sops --set '["a"]["b"] JSON' [-i] FILE` → `set FILE '["a"]["b"]' JSON`. As in
/// SOPS the expression splits after the first `] `; `-i` is implied.
fn legacy_set(args: &[OsString], strs: &[String]) -> Option<Vec<OsString>> {
    let k = strs
        .iter()
        .position(|a| a == "--set" || a.starts_with("--set="))?;
    let (expr, width) = match strs[k].strip_prefix("--set=") {
        Some(e) => (e.to_owned(), 1),
        None => (strs.get(k + 1)?.clone(), 2),
    };
    let (path, value) = match expr.find("] ") {
        Some(n) => (expr[..=n].trim_end().to_owned(), expr[n + 2..].to_owned()),
        None => (expr, String::new()),
    };
    let mut out = vec![OsString::from("set")];
    for (i, a) in args.iter().enumerate() {
        if (k..k + width).contains(&i) || matches!(a.to_str(), Some("-i" | "--in-place")) {
            continue;
        }
        out.push(a.clone());
    }
    out.push(path.into());
    out.push(value.into());
    Some(out)
}

/// The subcommand a mistyped first word most likely meant (`leafseal decyrpt f` →
/// `decrypt`), when that word is no existing path and looks like no file name (no `.` or
/// `/`). SOPS would open an editor on a new file named `decyrpt`; leafseal says what it
/// thinks was meant instead.
pub fn mistyped_subcommand(args: &[OsString]) -> Option<(String, &'static str)> {
    let strs: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let a = strs[first_word(&strs)?].as_str();
    if SUBCOMMANDS.contains(&a) || a.contains(['.', '/']) || std::path::Path::new(a).exists() {
        return None;
    }
    // (Optimal string alignment: a swap of two neighbours counts as one edit.)
    SUBCOMMANDS
        .iter()
        .map(|&s| (strsim::osa_distance(a, s), s))
        .filter(|&(d, s)| d <= 2 && d < s.len() / 2)
        .min()
        .map(|(_, s)| (a.to_owned(), s))
}

/// Whether normalized arguments ask for the version: `--version` (or `-V`; `-v` is already
/// `--version`) with no subcommand before it, whatever other flags come with it
/// (`sops --version --disable-version-check`, `--check-for-updates`: leafseal never calls
/// out to check for updates).
pub fn asks_version(args: &[OsString]) -> bool {
    let first_is_sub = args
        .first()
        .and_then(|a| a.to_str())
        .is_some_and(|a| SUBCOMMANDS.contains(&a));
    !first_is_sub
        && args
            .iter()
            .take_while(|a| *a != "--")
            .any(|a| a == "--version" || a == "-V")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(args: &[&str]) -> Vec<String> {
        normalize(args.iter().map(OsString::from).collect())
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn rewrites_sops_forms() {
        assert_eq!(n(&["decrypt", "f"]), ["decrypt", "f"]);
        assert_eq!(
            n(&["--age", "R", "encrypt", "f"]),
            ["encrypt", "--age", "R", "f"]
        );
        assert_eq!(n(&["-d", "f.yaml"]), ["decrypt", "f.yaml"]);
        assert_eq!(n(&["-e", "-i", "f.yaml"]), ["encrypt", "-i", "f.yaml"]);
        assert_eq!(
            n(&["--extract", "[\"a\"]", "-d", "f"]),
            ["decrypt", "--extract", "[\"a\"]", "f"]
        );
        assert_eq!(n(&["f.yaml"]), ["edit", "f.yaml"]);
        assert_eq!(n(&["-v"]), ["--version"]);
        assert_eq!(
            n(&["--set", "[\"a\"][0] \"v w\"", "-i", "f.yaml"]),
            ["set", "f.yaml", "[\"a\"][0]", "\"v w\""]
        );
        assert_eq!(
            n(&["--set=[\"a\"] 5", "f.yaml"]),
            ["set", "f.yaml", "[\"a\"]", "5"]
        );
        assert_eq!(
            n(&["--input-type", "json", "filestatus", "x"]),
            ["filestatus", "--input-type", "json", "x"]
        );
    }

    #[test]
    fn a_mistyped_subcommand_is_named() {
        let m = |a: &[&str]| {
            super::mistyped_subcommand(&a.iter().map(OsString::from).collect::<Vec<_>>())
                .map(|(_, s)| s)
        };
        assert_eq!(m(&["decyrpt", "f.yaml"]), Some("decrypt"));
        assert_eq!(m(&["--age", "R", "encrpyt", "f"]), Some("encrypt"));
        assert_eq!(m(&["updatekey", "f"]), Some("updatekeys"));
        // File names, real subcommands and unrelated words are left to the edit form.
        assert_eq!(m(&["decrypt.yaml"]), None);
        assert_eq!(m(&["decrypt", "f"]), None);
        assert_eq!(m(&["secrets"]), None);
        assert_eq!(m(&["st"]), None);
    }
}
