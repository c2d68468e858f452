//! `rotate` and `updatekeys`: change a file's data key or the master keys that wrap it.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use leafseal::config;
use leafseal::keys::{backend, MasterKey};
use leafseal::ops::rewrite::{regroup, update_keys, KeyDiff, Session};
use leafseal::store::{Format, StoreOptions};

use super::args::{GroupsCommand, RotateArgs, UpdatekeysArgs};
use super::decrypt::order;
use super::io::{read_input, write_output};
use super::many::{self, Entry, Tally};
use super::Failure;

fn parse_keys(kind: &str, spec: Option<&str>) -> Result<Vec<Box<dyn MasterKey>>, Failure> {
    let Some(spec) = spec.filter(|s| !s.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let b = backend(kind)
        .ok_or_else(|| Failure::new(1, format!("{kind} keys are not supported by this build")))?;
    b.parse_list(spec).map_err(|e| {
        let flag = flag(kind);
        Failure::new(1, format!("--add-{flag}/--rm-{flag}: {e}"))
    })
}

/// The `rotate` flag suffix of a key kind (`--add-hc-vault-transit` for `hc_vault`).
fn flag(kind: &str) -> String {
    match kind {
        "hc_vault" => "hc-vault-transit".to_owned(),
        _ => kind.replace('_', "-"),
    }
}

/// The keys `rotate`'s `--add-*` flags name.
fn added(a: &RotateArgs) -> Result<Vec<Box<dyn MasterKey>>, Failure> {
    let mut add = Vec::new();
    for (kind, spec) in [
        ("age", &a.add_age),
        ("pgp", &a.add_pgp),
        ("kms", &a.add_kms),
        ("gcp_kms", &a.add_gcp_kms),
        ("hc_vault", &a.add_hc_vault_transit),
        ("azure_kv", &a.add_azure_kv),
        ("hckms", &a.add_hckms),
    ] {
        add.extend(parse_keys(kind, spec.as_deref())?);
    }
    Ok(add)
}

/// Run `rotate`.
pub fn rotate(a: RotateArgs) -> Result<(), Failure> {
    let add = added(&a)?;
    let mut remove: Vec<String> = Vec::new();
    for (kind, spec) in [
        ("age", &a.rm_age),
        ("pgp", &a.rm_pgp),
        ("kms", &a.rm_kms),
        ("gcp_kms", &a.rm_gcp_kms),
        ("hc_vault", &a.rm_hc_vault_transit),
        ("azure_kv", &a.rm_azure_kv),
        ("hckms", &a.rm_hckms),
    ] {
        remove.extend(
            parse_keys(kind, spec.as_deref())?
                .iter()
                .map(|k| format!("{}: {}", k.kind(), k.id())),
        );
    }
    let order = order(a.decryption_order.as_deref())?;
    if !a.more.is_empty() || a.io.file.as_ref().is_some_and(|f| f.is_dir()) {
        return rotate_many(&a, &order, &remove);
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
    .map_err(|e| {
        let f = Failure::from_lib(&input.name, e);
        super::io::binary_hint(f, input.format, a.io.input_type.is_some(), &input.bytes)
    })?;
    write_output(&a.io, &input, &out, false)
}

/// `rotate -i` of several files or directories (beyond SOPS): every encrypted file below a
/// directory and every file named, each under a new data key of its own, by the pool of
/// `cli::many`.
fn rotate_many(a: &RotateArgs, order: &[String], remove: &[String]) -> Result<(), Failure> {
    let mut args: Vec<PathBuf> = a.io.file.iter().cloned().collect();
    args.extend(a.more.iter().cloned());
    if !a.io.in_place {
        return Err(Failure::new(
            8,
            format!(
                "{}: rotating several files or a directory needs -i (files are rewritten in place)",
                args.first()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
        ));
    }
    if a.io.output.is_some() {
        return Err(Failure::new(
            8,
            "--in-place and --output cannot be used together",
        ));
    }
    if args.iter().any(|f| f.as_os_str() == "-") {
        return Err(Failure::new(8, "stdin (-) cannot be rotated in place"));
    }
    let format = match &a.io.input_type {
        Some(t) => Some(
            Format::from_name(t)
                .ok_or_else(|| Failure::new(1, format!("unknown file type {t:?}")))?,
        ),
        None => None,
    };
    let entries = many::collect(&args, super::walk::is_encrypted);
    let mut tally = Tally::default();
    many::run(
        &entries,
        usize::from(a.jobs),
        |e| rotate_file(e, a, format, order, remove),
        |e, r| match r {
            Ok(()) => eprintln!("{}: rotated", e.name()),
            Err(f) => tally.fail(f),
        },
    );
    tally.finish()
}

fn rotate_file(
    e: &Entry,
    a: &RotateArgs,
    format: Option<Format>,
    order: &[String],
    remove: &[String],
) -> Result<(), Failure> {
    if let Some(f) = &e.broken {
        return Err(f.clone());
    }
    let name = e.name();
    if !e.path.exists() {
        return Err(Failure::new(100, format!("{name}: no such file")));
    }
    let bytes = leafseal::fsio::read_input(&e.path)
        .map_err(|err| Failure::new(2, format!("{name}: cannot read: {err}")))?;
    leafseal::audit::set_subject(&e.path);
    let add = added(a)?;
    let format = format.unwrap_or_else(|| Format::from_path(Some(&e.path)));
    let out = rotate_bytes(&bytes, format, StoreOptions::default(), order, add, remove)
        .map_err(|err| Failure::from_lib(&name, err))?;
    super::flush_notes(&name);
    leafseal::fsio::write_atomic(&e.path, &out, 0o644)
        .map_err(|err| Failure::new(3, format!("{name}: cannot write: {err}")))
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
    let format = match &a.input_type {
        Some(t) => Some(
            Format::from_name(t)
                .ok_or_else(|| Failure::new(1, format!("unknown file type {t:?}")))?,
        ),
        None => None,
    };
    let order = order(a.decryption_order.as_deref())?;
    // A file named directly is always considered; below a directory only encrypted ones.
    let entries = many::collect(&a.files, super::walk::is_encrypted);
    let job = Update {
        a: &a,
        cfg: &cfg,
        dir: &dir,
        cwd: &cwd,
        walking,
        format,
        order: &order,
    };
    if let [one] = entries.as_slice() {
        if !walking {
            // One file: its failure is reported as it is (the key report on several lines).
            return match job.prepare(one)? {
                Some((diff, out)) => job.apply(one, &diff, out),
                None => Ok(()),
            };
        }
    }
    let mut tally = Tally::default();
    // Keys are recovered and re-wrapped in the pool; the changes are shown, confirmed and
    // written here, one file after another in argument order.
    many::run(
        &entries,
        usize::from(a.jobs),
        |e| job.prepare(e),
        |e, r| {
            if let Err(f) = r.and_then(|p| match p {
                Some((diff, out)) => job.apply(e, &diff, out),
                None => Ok(()),
            }) {
                tally.fail(f);
            }
        },
    );
    tally.finish()
}

/// What `updatekeys` needs for each file.
struct Update<'a> {
    a: &'a UpdatekeysArgs,
    cfg: &'a config::Config,
    dir: &'a Path,
    cwd: &'a Path,
    walking: bool,
    format: Option<Format>,
    order: &'a [String],
}

/// A file's key changes and its new text (`None` when already up to date).
type Prepared = (KeyDiff, Option<Vec<u8>>);

impl Update<'_> {
    /// Recover the file's data key and wrap it for its rule's keys; `None` for a file below a
    /// directory that no rule matches (skipped).
    fn prepare(&self, e: &Entry) -> Result<Option<Prepared>, Failure> {
        if let Some(f) = &e.broken {
            return Err(f.clone());
        }
        let name = e.name();
        if !e.path.exists() {
            return Err(Failure::new(100, format!("{name}: no such file")));
        }
        let abs = config::absolute(&e.path, self.cwd);
        let rule = match self.cfg.rule_for(&abs, self.dir) {
            Ok(Some(r)) => r,
            Ok(None) | Err(config::ConfigError::NoMatchingRule { .. }) if self.walking => {
                return Ok(None)
            }
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
        let bytes = leafseal::fsio::read_input(&e.path)
            .map_err(|e| Failure::new(2, format!("{name}: cannot read: {e}")))?;
        let format = self
            .format
            .unwrap_or_else(|| Format::from_path(Some(&e.path)));
        let threshold = if self.a.shamir_threshold > 0 {
            self.a.shamir_threshold
        } else {
            rule.shamir_threshold
        };
        update_keys(
            &bytes,
            format,
            &self.cfg.stores.options(format),
            self.order,
            &groups,
            threshold,
        )
        .map(Some)
        .map_err(|e| Failure::from_lib(&name, e))
    }

    /// Show the changes, ask unless `-y`, write.
    fn apply(&self, e: &Entry, diff: &KeyDiff, out: Option<Vec<u8>>) -> Result<(), Failure> {
        let name = e.name();
        let Some(out) = out else {
            eprintln!("{name}: already up to date");
            return Ok(());
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
        if !self.a.yes && !confirm() {
            eprintln!("{name}: changes not applied");
            return Ok(());
        }
        super::flush_notes(&name);
        leafseal::fsio::write_atomic(&e.path, &out, 0o644)
            .map_err(|e| Failure::new(3, format!("{name}: cannot write: {e}")))?;
        eprintln!("{name}: updated");
        Ok(())
    }
}

/// Run `groups add` / `groups delete`.
pub fn groups(cmd: GroupsCommand) -> Result<(), Failure> {
    let c = match &cmd {
        GroupsCommand::Add(a) => &a.common,
        GroupsCommand::Delete(d) => &d.common,
    };
    let name = c.file.display().to_string();
    let bytes = leafseal::fsio::read_input(&c.file)
        .map_err(|e| Failure::new(2, format!("{name}: cannot read: {e}")))?;
    let format = Format::from_path(Some(&c.file));
    let order = order(None)?;
    let wanted = c.shamir_threshold;
    let out = match &cmd {
        GroupsCommand::Add(a) => {
            let mut group = Vec::new();
            for (kind, specs) in [
                ("age", &a.age),
                ("pgp", &a.pgp),
                ("kms", &a.kms),
                ("gcp_kms", &a.gcp_kms),
                ("hc_vault", &a.hc_vault_transit),
                ("azure_kv", &a.azure_kv),
                ("hckms", &a.hckms),
            ] {
                for spec in specs {
                    group.extend(parse_keys(kind, Some(spec))?);
                }
            }
            if group.is_empty() {
                return Err(Failure::new(1, "groups add: give at least one key (--age, --pgp, --kms, --gcp-kms, --hc-vault-transit, --azure-kv, --hckms)"));
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
    super::flush_notes(&name);
    if c.in_place {
        leafseal::fsio::write_atomic(&c.file, &out, 0o644)
            .map_err(|e| Failure::new(3, format!("{name}: cannot write: {e}")))
    } else {
        std::io::Write::write_all(&mut std::io::stdout(), &out)
            .map_err(|e| Failure::new(3, format!("<stdout>: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_keys_name_their_rotate_flag() {
        for (kind, bad, flag) in [
            ("gcp_kms", "projects/p", "--add-gcp-kms/--rm-gcp-kms: "),
            (
                "hc_vault",
                "not a url",
                "--add-hc-vault-transit/--rm-hc-vault-transit: ",
            ),
            ("azure_kv", "https://x", "--add-azure-kv/--rm-azure-kv: "),
            ("hckms", "nocolon", "--add-hckms/--rm-hckms: "),
        ] {
            let e = match parse_keys(kind, Some(bad)) {
                Err(e) => e,
                Ok(_) => panic!("{kind} accepted {bad:?}"),
            };
            assert_eq!(e.code, 1, "{kind}");
            assert!(e.message.starts_with(flag), "{kind}: {}", e.message);
            assert!(!e.message.contains('\n'), "{kind}: {}", e.message);
        }
        assert!(parse_keys("hckms", Some("  ")).is_ok_and(|k| k.is_empty()));
    }
}
