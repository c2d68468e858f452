//! `leafseal decrypt`.

use std::path::{Path, PathBuf};

use leafseal::ops::{self, DecryptOptions};
use leafseal::tree::path;

use super::args::{DecryptArgs, IoArgs};
use super::io::{read_input, write_output};
use super::many::{self, Entry, Tally};
use super::{warn, Failure};

/// `--decryption-order`: a comma list of key types; a repeated type is exit 112.
pub fn order(spec: Option<&str>) -> Result<Vec<String>, Failure> {
    let Some(spec) = spec.filter(|s| !s.trim().is_empty()) else {
        return Ok(vec!["age".into(), "pgp".into()]);
    };
    let mut out: Vec<String> = Vec::new();
    for t in spec
        .split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
    {
        if out.contains(&t) {
            return Err(Failure::new(
                112,
                format!("--decryption-order: key type {t:?} given twice"),
            ));
        }
        out.push(t);
    }
    Ok(out)
}

/// Run `decrypt`.
pub fn run(a: DecryptArgs) -> Result<(), Failure> {
    let several = !a.more.is_empty()
        || a.output_dir.is_some()
        || a.io.file.as_ref().is_some_and(|f| f.is_dir());
    if let Some(dir) = a.io.file.as_ref().filter(|f| f.is_dir()) {
        if a.more.is_empty() && !a.io.in_place && a.output_dir.is_none() {
            // sops-compat: exit 2, as reading a directory fails in SOPS.
            return Err(
                Failure::new(2, format!("{}: is a directory", dir.display()))
                    .hint("to decrypt the encrypted files below it give --output-dir DIR or -i"),
            );
        }
    }
    if several {
        return run_many(a);
    }
    let extract = match &a.extract {
        Some(p) => {
            let file =
                a.io.file
                    .as_ref()
                    .map(|f| f.display().to_string())
                    .unwrap_or_else(|| "<stdin>".into());
            Some(path::parse(p).map_err(|e| Failure::new(91, format!("{file}: --extract: {e}")))?)
        }
        None => None,
    };
    let input = read_input(&a.io, false)?;
    let opts = DecryptOptions {
        input: input.format,
        output: input.out_format,
        store: input.store,
        ignore_mac: a.ignore_mac,
        extract,
        decryption_order: order(a.decryption_order.as_deref())?,
    };
    let out = ops::decrypt(&input.bytes, &opts).map_err(|e| {
        let f = Failure::from_lib(&input.name, e);
        super::io::binary_hint(f, input.format, a.io.input_type.is_some(), &input.bytes)
    })?;
    for w in &out.warnings {
        warn(&format!("{}: {w}", input.name));
    }
    write_output(&a.io, &input, &out.output, true)
}

/// Where `decrypt` writes each of several files.
enum Target {
    /// Back to the file itself (`-i`).
    InPlace,
    /// `DIR/<relative name>` (`--output-dir`).
    Dir(PathBuf),
}

/// `decrypt` of several files (beyond SOPS): files and directories (walked for encrypted
/// files), written in place or below `--output-dir`, by the pool of `cli::many`.
fn run_many(a: DecryptArgs) -> Result<(), Failure> {
    let conflict = |m: &str| Err(Failure::new(8, m.to_owned()));
    if a.extract.is_some() {
        return conflict("--extract works on one file; decrypt several files without it");
    }
    if a.io.output.is_some() {
        return conflict("--output names one file; with several files use --output-dir DIR or -i");
    }
    if a.io.filename_override.is_some() {
        return conflict("--filename-override works on one file");
    }
    let target = match (a.io.in_place, &a.output_dir) {
        (true, Some(_)) => return conflict("--in-place and --output-dir cannot be used together"),
        (true, None) => Target::InPlace,
        (false, Some(d)) => Target::Dir(d.clone()),
        (false, None) => return Err(Failure::new(
            8,
            "decrypting several files needs --output-dir DIR or -i (they cannot all go to stdout)",
        )),
    };
    let mut args: Vec<PathBuf> = a.io.file.iter().cloned().collect();
    args.extend(a.more.iter().cloned());
    if args.is_empty() {
        return conflict("--output-dir needs files to decrypt (stdin is one file: use --output)");
    }
    if args.iter().any(|f| f.as_os_str() == "-") {
        return conflict("stdin (-) cannot be one of several files");
    }
    let entries = many::collect(&args, super::walk::is_encrypted);
    if entries.is_empty() {
        warn("no encrypted files found: nothing to decrypt");
        return Ok(());
    }
    if let Target::Dir(dir) = &target {
        prepare_output_dir(dir, &entries)?;
    }
    let order = order(a.decryption_order.as_deref())?;
    let mut tally = Tally::default();
    many::run(
        &entries,
        usize::from(a.jobs),
        |e| decrypt_one(e, &a, &order, &target),
        |e, r| match r {
            Ok(warnings) => {
                for w in warnings {
                    warn(&format!("{}: {w}", e.name()));
                }
            }
            Err(f) => tally.fail(f),
        },
    );
    tally.finish()
}

/// Check the output names before anything is written: each file gets its own, none is an
/// input file; then create the directories (0700 when new).
fn prepare_output_dir(dir: &Path, entries: &[Entry]) -> Result<(), Failure> {
    let mut seen: std::collections::HashMap<PathBuf, String> = std::collections::HashMap::new();
    for e in entries.iter().filter(|e| e.broken.is_none()) {
        if e.rel.as_os_str().is_empty() {
            return Err(Failure::new(
                8,
                format!("{}: no file name to write below --output-dir", e.name()),
            ));
        }
        if let Some(other) = seen.insert(e.rel.clone(), e.name()) {
            return Err(Failure::new(
                8,
                format!(
                    "{} and {} would both be written to {}",
                    other,
                    e.name(),
                    dir.join(&e.rel).display()
                ),
            )
            .hint("decrypt them in separate runs, or name their directory instead"));
        }
        let out = dir.join(&e.rel);
        if let (Ok(x), Ok(y)) = (std::fs::canonicalize(&out), std::fs::canonicalize(&e.path)) {
            if x == y {
                return Err(Failure::new(
                    8,
                    format!(
                        "{}: --output-dir would overwrite the encrypted file itself; use -i for that",
                        e.name()
                    ),
                ));
            }
        }
    }
    let mut dirs: Vec<PathBuf> = entries
        .iter()
        .filter_map(|e| dir.join(&e.rel).parent().map(Path::to_path_buf))
        .collect();
    dirs.push(dir.to_path_buf());
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        create_private_dir(&d)
            .map_err(|e| Failure::new(3, format!("{}: cannot create: {e}", d.display())))?;
    }
    Ok(())
}

fn create_private_dir(d: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(d)
}

/// Decrypt one of several files and write it; its warnings.
fn decrypt_one(
    e: &Entry,
    a: &DecryptArgs,
    order: &[String],
    target: &Target,
) -> Result<Vec<String>, Failure> {
    if let Some(f) = &e.broken {
        return Err(f.clone());
    }
    let io = IoArgs {
        in_place: false,
        output: None,
        input_type: a.io.input_type.clone(),
        output_type: a.io.output_type.clone(),
        filename_override: None,
        indent: a.io.indent,
        file: Some(e.path.clone()),
    };
    let input = read_input(&io, false)?;
    let opts = DecryptOptions {
        input: input.format,
        output: input.out_format,
        store: input.store,
        ignore_mac: a.ignore_mac,
        extract: None,
        decryption_order: order.to_vec(),
    };
    let out =
        ops::decrypt(&input.bytes, &opts).map_err(|err| Failure::from_lib(&input.name, err))?;
    let path = match target {
        Target::InPlace => e.path.clone(),
        Target::Dir(d) => d.join(&e.rel),
    };
    super::flush_notes(&e.path.display().to_string());
    leafseal::fsio::write_atomic(&path, &out.output, 0o600)
        .map_err(|err| Failure::new(3, format!("{}: cannot write: {err}", path.display())))?;
    Ok(out.warnings)
}
