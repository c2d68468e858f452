//! `rotate` and `updatekeys`: change a file's data key or the master keys that wrap it.

use std::io::{BufRead, Write};
use std::path::Path;

use leafseal::config;
use leafseal::keys::{backend, MasterKey};
use leafseal::ops::rewrite::{regroup, update_keys, Session};
use leafseal::store::{Format, StoreOptions};

use super::args::{GroupsCommand, RotateArgs, UpdatekeysArgs};
use super::decrypt::order;
use super::io::{read_input, write_output};
use super::Failure;

fn parse_keys(kind: &str, spec: Option<&str>) -> Result<Vec<Box<dyn MasterKey>>, Failure> {
    let Some(spec) = spec.filter(|s| !s.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let b = backend(kind)
        .ok_or_else(|| Failure::new(1, format!("{kind} keys are not supported by this build")))?;
    b.parse_list(spec)
        .map_err(|e| Failure::new(1, format!("--add-{kind}/--rm-{kind}: {e}")))
}

/// Run `rotate`.
pub fn rotate(a: RotateArgs) -> Result<(), Failure> {
    let mut add = parse_keys("age", a.add_age.as_deref())?;
    add.extend(parse_keys("pgp", a.add_pgp.as_deref())?);
    add.extend(parse_keys("kms", a.add_kms.as_deref())?);
    let mut remove: Vec<String> = Vec::new();
    for (kind, spec) in [("age", &a.rm_age), ("pgp", &a.rm_pgp), ("kms", &a.rm_kms)] {
        remove.extend(
            parse_keys(kind, spec.as_deref())?
                .iter()
                .map(|k| format!("{}: {}", k.kind(), k.id())),
        );
    }
    let order = order(a.decryption_order.as_deref())?;
    if let Some(dir) = a.io.file.as_ref().filter(|f| f.is_dir()) {
        // Beyond SOPS: every encrypted file below a directory, in place, each under a new
        // data key of its own.
        if !a.io.in_place {
            return Err(Failure::new(
                8,
                format!(
                    "{}: rotating a directory needs -i (files are rewritten in place)",
                    dir.display()
                ),
            ));
        }
        let mut files = Vec::new();
        super::walk::files(dir, &mut files)?;
        for file in files.into_iter().filter(|f| is_encrypted(f)) {
            let name = file.display().to_string();
            let bytes = std::fs::read(&file)
                .map_err(|e| Failure::new(2, format!("{name}: cannot read: {e}")))?;
            let mut add = parse_keys("age", a.add_age.as_deref())?;
            add.extend(parse_keys("pgp", a.add_pgp.as_deref())?);
            add.extend(parse_keys("kms", a.add_kms.as_deref())?);
            let format = Format::from_path(Some(&file));
            let out = rotate_bytes(
                &bytes,
                format,
                StoreOptions::default(),
                &order,
                add,
                &remove,
            )
            .map_err(|e| Failure::from_lib(&name, e))?;
            leafseal::fsio::write_atomic(&file, &out, 0o644)
                .map_err(|e| Failure::new(3, format!("{name}: cannot write: {e}")))?;
            eprintln!("{name}: rotated");
        }
        return Ok(());
    }
    let input = read_input(&a.io, false)?;
    let out = rotate_bytes(
        &input.bytes,
        input.format,
        input.store,
        &order,
        add,
        &remove,
    )
    .map_err(|e| Failure::from_lib(&input.name, e))?;
    write_output(&a.io, &input, &out, false)
}

fn rotate_bytes(
    bytes: &[u8],
    format: Format,
    store: StoreOptions,
    order: &[String],
    add: Vec<Box<dyn MasterKey>>,
    remove: &[String],
) -> leafseal::Result<Vec<u8>> {
    let mut session = Session::open(bytes, format, store, order, false)?;
    session.rotate(add, remove)?;
    let doc = session.doc.clone();
    session.seal(doc, bytes)
}

fn is_encrypted(p: &Path) -> bool {
    std::fs::read(p)
        .ok()
        .and_then(|b| {
            leafseal::ops::load(&b, Format::from_path(Some(p)), &StoreOptions::default()).ok()
        })
        .is_some_and(|l| !l.meta.mac.is_empty())
}

fn confirm() -> bool {
    eprint!("Is this okay? (y/n): ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map(|_| line.trim().eq_ignore_ascii_case("y"))
        .unwrap_or(false)
}

/// Run `updatekeys`.
pub fn updatekeys(a: UpdatekeysArgs, explicit: Option<&Path>) -> Result<(), Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::new(1, format!("cannot read the working directory: {e}")))?;
    let Some((cfg_path, cfg)) =
        config::find(explicit, &cwd).map_err(|e| Failure::new(1, e.to_string()))?
    else {
        return Err(Failure::new(
            1,
            "config file not found: updatekeys applies the keys of .sops.yaml creation rules",
        ));
    };
    let dir = cfg_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cwd.clone());
    let walking = a.files.iter().any(|f| f.is_dir());
    let mut files = Vec::new();
    for f in &a.files {
        let mut found = Vec::new();
        super::walk::files(f, &mut found)?;
        // A file named directly is always considered; below a directory only encrypted ones.
        files.extend(found.into_iter().filter(|p| !f.is_dir() || is_encrypted(p)));
    }
    let order = order(a.decryption_order.as_deref())?;
    for file in files {
        let name = file.display().to_string();
        let abs = config::absolute(&file, &cwd);
        let rule = match cfg.rule_for(&abs, &dir) {
            Ok(Some(r)) => r,
            Ok(None) | Err(config::ConfigError::NoMatchingRule { .. }) if walking => continue,
            Ok(None) => {
                return Err(Failure::new(
                    1,
                    format!("{name}: no creation rule matches this file"),
                ))
            }
            Err(e) => {
                return Err(Failure::new(
                    u8::try_from(e.exit_code()).unwrap_or(1),
                    format!("{name}: {e}"),
                ))
            }
        };
        let groups = rule
            .build_groups()
            .map_err(|e| Failure::new(1, format!("{name}: {e}")))?;
        let bytes = std::fs::read(&file)
            .map_err(|e| Failure::new(2, format!("{name}: cannot read: {e}")))?;
        let format = match &a.input_type {
            Some(t) => Format::from_name(t)
                .ok_or_else(|| Failure::new(1, format!("unknown file type {t:?}")))?,
            None => Format::from_path(Some(&file)),
        };
        let threshold = if a.shamir_threshold > 0 {
            a.shamir_threshold
        } else {
            rule.shamir_threshold
        };
        let (diff, out) = update_keys(
            &bytes,
            format,
            &cfg.stores.options(format),
            &order,
            &groups,
            threshold,
        )
        .map_err(|e| Failure::from_lib(&name, e))?;
        let Some(out) = out else {
            eprintln!("{name}: already up to date");
            continue;
        };
        eprintln!("{name}: the following changes will be made to the file's key groups:");
        for (g, k) in &diff.added {
            eprintln!("    group {g}: +++ {k}");
        }
        for (g, k) in &diff.removed {
            eprintln!("    group {g}: --- {k}");
        }
        if let Some((o, n)) = diff.threshold {
            eprintln!("    shamir_threshold: {o} -> {n}");
        }
        if !a.yes && !confirm() {
            eprintln!("{name}: changes not applied");
            continue;
        }
        leafseal::fsio::write_atomic(&file, &out, 0o644)
            .map_err(|e| Failure::new(3, format!("{name}: cannot write: {e}")))?;
        eprintln!("{name}: updated");
    }
    Ok(())
}

/// Run `groups add` / `groups delete`.
pub fn groups(cmd: GroupsCommand) -> Result<(), Failure> {
    let c = match &cmd {
        GroupsCommand::Add(a) => &a.common,
        GroupsCommand::Delete(d) => &d.common,
    };
    let name = c.file.display().to_string();
    let bytes =
        std::fs::read(&c.file).map_err(|e| Failure::new(2, format!("{name}: cannot read: {e}")))?;
    let format = Format::from_path(Some(&c.file));
    let order = order(None)?;
    let wanted = c.shamir_threshold;
    let out = match &cmd {
        GroupsCommand::Add(a) => {
            let mut group = Vec::new();
            for (kind, specs) in [("age", &a.age), ("pgp", &a.pgp), ("kms", &a.kms)] {
                for spec in specs {
                    group.extend(parse_keys(kind, Some(spec))?);
                }
            }
            if group.is_empty() {
                return Err(Failure::new(1, "groups add: give at least one key (--age, --pgp, --kms)"));
            }
            regroup(&bytes, format, &StoreOptions::default(), &order, |groups, threshold| {
                groups.push(group);
                if wanted > 0 {
                    *threshold = wanted;
                }
                Ok(())
            })
        }
        GroupsCommand::Delete(d) => {
            let index = d.index;
            regroup(&bytes, format, &StoreOptions::default(), &order, |groups, threshold| {
                if index >= groups.len() {
                    return Err(leafseal::Error::new(
                        leafseal::ErrorKind::Generic,
                        format!("there is no key group {index} (the file has {})", groups.len()),
                    ));
                }
                groups.remove(index);
                if wanted > 0 {
                    *threshold = wanted;
                } else if *threshold > groups.len() {
                    // sops-compat: refuse rather than silently lower the threshold.
                    return Err(leafseal::Error::new(
                        leafseal::ErrorKind::Generic,
                        format!("deleting group {index} leaves {} groups, fewer than the threshold {}; pass --shamir-secret-sharing-threshold", groups.len(), threshold),
                    ));
                }
                Ok(())
            })
        }
    }
    .map_err(|e| Failure::from_lib(&name, e))?;
    if c.in_place {
        leafseal::fsio::write_atomic(&c.file, &out, 0o644)
            .map_err(|e| Failure::new(3, format!("{name}: cannot write: {e}")))
    } else {
        std::io::Write::write_all(&mut std::io::stdout(), &out)
            .map_err(|e| Failure::new(3, format!("<stdout>: {e}")))
    }
}
