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

/// Rewrite `args` (without the program name) into the subcommand form.
pub fn normalize(args: Vec<OsString>) -> Vec<OsString> {
    let strs: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // Find the subcommand, skipping flags and their values.
    let mut i = 0;
    let mut sub = None;
    while i < strs.len() {
        let a = strs[i].as_str();
        if a == "--" {
            break;
        }
        if a.starts_with('-') && a != "-" {
            i += if takes_value(a) { 2 } else { 1 };
            continue;
        }
        if SUBCOMMANDS.contains(&a) {
            sub = Some(i);
        }
        break;
    }
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
}
