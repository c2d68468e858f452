//! `leafseal encrypt`.

use leafseal::ops::{self, EncryptOptions};
use leafseal::tree::select::{Rule, RuleKind};

use super::args::EncryptArgs;
use super::io::{read_input, write_output};
use std::path::Path;

use super::options::creation;
use super::Failure;

/// The one selection rule the flags name (more than one is exit 8).
fn rule(a: &EncryptArgs) -> Result<Option<Rule>, Failure> {
    let given = [
        (RuleKind::UnencryptedSuffix, &a.unencrypted_suffix),
        (RuleKind::EncryptedSuffix, &a.encrypted_suffix),
        (RuleKind::UnencryptedRegex, &a.unencrypted_regex),
        (RuleKind::EncryptedRegex, &a.encrypted_regex),
        (RuleKind::UnencryptedCommentRegex, &a.unencrypted_comment_regex),
        (RuleKind::EncryptedCommentRegex, &a.encrypted_comment_regex),
    ];
    let set: Vec<_> = given.iter().filter_map(|(k, v)| v.as_ref().map(|v| (*k, v))).collect();
    match set.as_slice() {
        [] => Ok(None),
        [(k, v)] => Rule::new(*k, v.as_str())
            .map(Some)
            .map_err(|e| Failure::new(1, format!("--{}: invalid regex: {e}", k.name().replace('_', "-")))),
        _ => Err(Failure::new(8, "cannot use more than one of --unencrypted-suffix, --encrypted-suffix, --unencrypted-regex, --encrypted-regex, --unencrypted-comment-regex, --encrypted-comment-regex")),
    }
}

/// Run `encrypt`.
pub fn run(a: EncryptArgs, config: Option<&Path>) -> Result<(), Failure> {
    let rule = rule(&a)?;
    let input = read_input(&a.io, true)?;
    let target = a.io.filename_override.clone().or_else(|| input.path.clone()).unwrap_or_default();
    let resolved = creation(config, &target, &a.keys, rule, a.shamir_threshold, a.mac_only_encrypted)?;
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
    let out = ops::encrypt(&input.bytes, &opts).map_err(|e| Failure::from_lib(&input.name, e))?;
    write_output(&a.io, &input, &out, false)
}
