//! `leafseal publish FILE|DIR`: send encrypted files to the destination their `.sops.yaml`
//! `destination_rules` entry names (`leafseal::publish` does the work). Asks before each upload
//! unless `--yes`, as SOPS does: `uploading PATH to URL ? (y/n): ` on stdout, one answer per
//! line on stdin.

use std::io::{BufRead, Write};
use std::path::Path;

use leafseal::config::{self, Config};
use leafseal::publish::{self, Destination};
use leafseal::store::Format;

use super::args::PublishArgs;
use super::Failure;

/// Run `publish`.
pub fn run(a: PublishArgs, explicit_config: Option<&Path>) -> Result<(), Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::new(1, format!("cannot read the working directory: {e}")))?;
    let found = config::find(explicit_config, &cwd).map_err(|e| Failure::new(1, e.to_string()))?;
    let Some((_, config)) = found else {
        return Err(Failure::new(1, "config file not found")
            .hint("publish needs a .sops.yaml with destination_rules (or --config FILE)"));
    };
    let Some(root) = a.file.clone() else {
        return Err(Failure::new(100, "no file specified"));
    };
    if !root.exists() {
        return Err(Failure::new(
            100,
            format!("{}: no such file", root.display()),
        ));
    }
    if root.is_dir() && !a.recursive {
        return Err(Failure::new(
            1,
            format!(
                "{}: can't operate on a directory without --recursive flag",
                root.display()
            ),
        ));
    }
    let order = super::decrypt::order(a.decryption_order.as_deref())?;
    let mut files = Vec::new();
    super::walk::files(&root, &mut files)?;
    let mut answers = std::io::stdin().lock();
    for file in files {
        let base = a.recursive.then_some(root.as_path());
        one(&a, &config, &file, base, &order, &mut answers)?;
    }
    Ok(())
}

/// Publish one file; `root` is the directory walked with `--recursive`.
fn one(
    a: &PublishArgs,
    config: &Config,
    file: &Path,
    root: Option<&Path>,
    order: &[String],
    answers: &mut dyn BufRead,
) -> Result<(), Failure> {
    let shown = file.display().to_string();
    let rule = config
        .destination_for(&shown)
        .map_err(|e| Failure::new(1, format!("{shown}: {e}")))?;
    let dest = Destination::from_rule(rule).ok_or_else(|| {
        Failure::new(
            1,
            format!("{shown}: no destination configured for this file"),
        )
        .hint(format!(
            "destination_rules[{}] names no s3_bucket, gcs_bucket or vault_path",
            rule.index
        ))
    })?;
    let name = publish::destination_name(file, root, a.omit_extensions || rule.omit_extensions);
    let format = Format::from_path(Some(file));
    let store = config.stores.options(format);
    let bytes = leafseal::fsio::read_input(file)
        .map_err(|e| Failure::new(2, format!("{shown}: cannot read: {e}")))?;
    let prepared = publish::prepare(
        &bytes,
        format,
        &store,
        &dest,
        rule.recreation_rule.as_ref(),
        order,
    )
    .map_err(|e| Failure::from_lib(&shown, e))?;
    let target = dest.url(&name);
    if let Some((old, new)) = &prepared.groups {
        let lines = publish::key_changes(old, new);
        // sops-compat: on stdout, before the question.
        if !lines.is_empty() {
            println!("The following changes will be made to the file's key groups:");
            for l in lines {
                println!("{l}");
            }
        }
    }
    if !a.yes {
        let abs = config::absolute(file, &std::env::current_dir().unwrap_or_default());
        if !confirm(&abs, &target, answers)? {
            let msg = format!("Publication of {} canceled", abs.display());
            // sops-compat: a refusal inside --recursive skips the file; alone it fails.
            if root.is_some() {
                println!("{msg}");
                return Ok(());
            }
            return Err(Failure::new(1, msg));
        }
    }
    let written = dest
        .upload(&prepared.payload, &name)
        .map_err(|e| Failure::from_lib(&shown, e))?;
    if written {
        eprintln!("leafseal: {shown}: published to {target}");
    } else {
        eprintln!("leafseal: {shown}: {target} is already up to date");
    }
    Ok(())
}

/// Ask until the answer is `y` or `n`; no more input is an error.
fn confirm(file: &Path, target: &str, answers: &mut dyn BufRead) -> Result<bool, Failure> {
    loop {
        print!("uploading {} to {target} ? (y/n): ", file.display());
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        let n = answers
            .read_line(&mut line)
            .map_err(|e| Failure::new(1, format!("<stdin>: cannot read the answer: {e}")))?;
        if n == 0 {
            println!();
            return Err(
                Failure::new(1, format!("{}: no answer on stdin", file.display()))
                    .hint("give --yes (-y) to publish without asking"),
            );
        }
        match line.trim() {
            "y" => return Ok(true),
            "n" => return Ok(false),
            _ => {}
        }
    }
}
