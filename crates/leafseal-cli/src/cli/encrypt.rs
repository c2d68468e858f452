//! `leafseal encrypt`.

use leafseal::ops::{self, EncryptOptions};
use leafseal::tree::select::{Rule, RuleKind};

use super::args::EncryptArgs;
use leafseal::ops::rewrite::Session;

use super::io::{read_input, write_output, write_streamed, Input};
use std::path::Path;

use super::options::creation;
use super::Failure;
use leafseal::config::Resolved;

/// The one selection rule the flags name (more than one is exit 8).
fn rule(a: &EncryptArgs) -> Result<Option<Rule>, Failure> {
    let given = [
        (RuleKind::UnencryptedSuffix, &a.unencrypted_suffix),
        (RuleKind::EncryptedSuffix, &a.encrypted_suffix),
        (RuleKind::UnencryptedRegex, &a.unencrypted_regex),
        (RuleKind::EncryptedRegex, &a.encrypted_regex),
        (
            RuleKind::UnencryptedCommentRegex,
            &a.unencrypted_comment_regex,
        ),
        (RuleKind::EncryptedCommentRegex, &a.encrypted_comment_regex),
    ];
    let set: Vec<_> = given
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (*k, v)))
        .collect();
    match set.as_slice() {
        [] => Ok(None),
        [(k, v)] => Rule::new(*k, v.as_str())
            .map(Some)
            .map_err(|e| Failure::new(1, format!("--{}: invalid regex: {e}", k.name().replace('_', "-")))),
        _ => Err(Failure::new(8, "cannot use more than one of --unencrypted-suffix, --encrypted-suffix, --unencrypted-regex, --encrypted-regex, --unencrypted-comment-regex, --encrypted-comment-regex")),
    }
}

/// Whether an existing file's metadata asks for what `r` resolved: the same master keys in
/// the same groups, threshold, selection rule and MAC setting.
fn same_settings(meta: &leafseal::store::metadata::Metadata, r: &Resolved) -> bool {
    use std::collections::BTreeSet;
    let old: Option<Vec<BTreeSet<(String, String)>>> = meta
        .groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|s| {
                    let k = leafseal::keys::backend(&s.kind)?.key_from_stored(s).ok()?;
                    Some((k.kind().to_owned(), k.id()))
                })
                .collect()
        })
        .collect();
    let new: Vec<BTreeSet<(String, String)>> = r
        .groups
        .iter()
        .map(|g| g.iter().map(|k| (k.kind().to_owned(), k.id())).collect())
        .collect();
    let threshold = |t: usize, n: usize| if t == 0 { n } else { t };
    old.as_ref() == Some(&new)
        && threshold(meta.shamir_threshold, meta.groups.len())
            == threshold(r.shamir_threshold, r.groups.len())
        && meta.effective_rule() == r.rule.clone().unwrap_or_else(Rule::default_rule)
        && meta.mac_only_encrypted == r.mac_only_encrypted
}

/// Encrypt as a new version of `old` (stable ciphertexts). `Ok(None)` when `old` cannot be
/// opened and `required` is false (then a fresh encryption follows), or when `expect` (what
/// the flags and `.sops.yaml` ask for now) differs from `old`'s keys, rule or MAC setting.
fn new_version(
    input: &Input,
    old: &Path,
    required: bool,
    expect: Option<&Resolved>,
) -> Result<Option<Vec<u8>>, Failure> {
    let name = old.display().to_string();
    let bytes = match leafseal::fsio::read_input(old) {
        Ok(b) => b,
        Err(e) if required => return Err(Failure::new(2, format!("{name}: cannot read: {e}"))),
        Err(_) => return Ok(None),
    };
    if input.format != input.out_format {
        if !required {
            return Ok(None);
        }
        return Err(Failure::new(
            8,
            "--reuse-from needs the same input and output format",
        ));
    }
    let order = super::decrypt::order(None)?;
    let mut session = match Session::open(&bytes, input.format, input.store, &order, false) {
        Ok(s) => s,
        Err(e) if required => return Err(Failure::from_lib(&name, e)),
        Err(e) => {
            // Only an encrypted file we could not open is worth a word; a plaintext or
            // unrelated file at --output is simply replaced, as with SOPS.
            if leafseal::ops::load(&bytes, input.format, &input.store).is_ok() {
                super::warn(&format!(
                    "{name}: not reusing its data key ({}); encrypting afresh",
                    e.message.lines().next().unwrap_or("")
                ));
            }
            return Ok(None);
        }
    };
    if let Some(r) = expect {
        if !same_settings(&session.meta, r) {
            // A removed recipient must not read the new version, and values a new rule
            // encrypts must not stay plaintext.
            super::warn(&format!(
                "{name}: not reusing its data key: the keys, selection rule or MAC setting \
                 asked for now differ from the file's; encrypting afresh"
            ));
            return Ok(None);
        }
    }
    session
        .encrypt_version(&input.bytes)
        .map(Some)
        .map_err(|e| Failure::from_lib(&input.name, e))
}

/// Run `encrypt`.
pub fn run(
    a: EncryptArgs,
    config: Option<&Path>,
    aws_profile: Option<&str>,
) -> Result<(), Failure> {
    let rule = rule(&a)?;
    let input = read_input(&a.io, true)?;
    let target =
        a.io.filename_override
            .clone()
            .or_else(|| input.path.clone())
            .unwrap_or_default();
    let resolve = || {
        creation(
            config,
            &target,
            &a.keys,
            aws_profile,
            rule.clone(),
            a.shamir_threshold,
            a.mac_only_encrypted,
        )
    };
    let previous = match (&a.reuse_from, &a.io.output) {
        (Some(old), _) => Some((old.clone(), true)),
        (None, Some(out)) if out.exists() => Some((out.clone(), false)),
        _ => None,
    };
    let mut resolved = None;
    if let Some((old, required)) = previous {
        // An existing --output is reused only for the keys and rule asked for now (issue 14);
        // --reuse-from is explicit and reuses the old file's.
        // With no keys named anywhere and no setting given, the existing file's are kept.
        let keep_old = rule.is_none()
            && !a.mac_only_encrypted
            && a.shamir_threshold == 0
            && super::options::names_no_keys(config, &a.keys);
        if !required && !keep_old {
            resolved = Some(resolve()?);
        }
        if let Some(out) = new_version(&input, &old, required, resolved.as_ref())? {
            if a.io
                .output
                .as_deref()
                .is_some_and(|o| leafseal::fsio::read_input(o).ok().as_deref() == Some(&out[..]))
            {
                eprintln!(
                    "leafseal: {}: unchanged, not rewritten",
                    a.io.output
                        .as_deref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                );
                return Ok(());
            }
            return write_output(&a.io, &input, &out, false);
        }
    }
    let resolved = match resolved {
        Some(r) => r,
        None => resolve()?,
    };
    let mut store = resolved.store;
    if a.io.indent.is_some() {
        store = input.store;
    }
    let opts = EncryptOptions {
        input: input.format,
        output: input.out_format,
        store,
        groups: resolved.groups,
        shamir_threshold: resolved.shamir_threshold,
        rule: resolved.rule,
        mac_only_encrypted: resolved.mac_only_encrypted,
    };
    write_streamed(&a.io, &input, |sink| {
        ops::encrypt_to(&input.bytes, &opts, sink).map_err(|e| Failure::from_lib(&input.name, e))
    })
}
