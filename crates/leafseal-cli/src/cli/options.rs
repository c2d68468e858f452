//! Merging flags, `SOPS_*` environment variables (through clap's `env`) and `.sops.yaml` once,
//! into what `leafseal::ops` needs to create an encrypted file.

use std::path::Path;

use leafseal::config::{self, KeyFlags, Resolved};
use leafseal::tree::select::Rule;

use super::args::KeyArgs;
use super::Failure;

fn config_failure(e: config::ConfigError) -> Failure {
    let code = u8::try_from(e.exit_code()).unwrap_or(1);
    Failure::new(code, e.to_string())
}

/// Keys, rule and store options for creating `target` (the file name used for rule matching:
/// `--filename-override` or the file itself); `aws_profile` is the global `--aws-profile`, for
/// the `--kms` keys.
pub fn creation(
    explicit_config: Option<&Path>,
    target: &Path,
    keys: &KeyArgs,
    aws_profile: Option<&str>,
    cli_rule: Option<Rule>,
    cli_threshold: usize,
    cli_mac_only: bool,
) -> Result<Resolved, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::new(1, format!("cannot read the working directory: {e}")))?;
    let found = config::find(explicit_config, &cwd).map_err(config_failure)?;
    if found.is_none() {
        if let Some(w) = config::lookup(&cwd).warning {
            super::warn(&w);
        }
    }
    if let Some((_, c)) = &found {
        for w in &c.warnings {
            super::warn(w);
        }
    }
    let kms = match (&keys.kms, &keys.encryption_context) {
        (Some(list), Some(ctx)) if !ctx.trim().is_empty() => {
            // Validate once (exit 6 as in SOPS), then attach the context to every --kms key in
            // the key text form `arn[+role]|k:v,…`.
            let parsed = leafseal::keys::aws_kms::parse_context(ctx)
                .map_err(|e| Failure::new(6, format!("--encryption-context: {e}")))?;
            let text = parsed
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join(",");
            Some(
                list.split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|a| format!("{a}|{text}"))
                    .collect::<Vec<_>>()
                    .join(","),
            )
        }
        (None, Some(ctx)) if !ctx.trim().is_empty() => {
            leafseal::keys::aws_kms::parse_context(ctx)
                .map_err(|e| Failure::new(6, format!("--encryption-context: {e}")))?;
            None
        }
        (kms, _) => kms.clone(),
    };
    let flags = KeyFlags {
        age: keys.age.clone(),
        pgp: keys.pgp.clone(),
        kms,
        gcp_kms: keys.gcp_kms.clone(),
        azure_kv: keys.azure_kv.clone(),
        hc_vault: keys.hc_vault_transit.clone(),
        hckms: keys.hckms.clone(),
        aws_profile: aws_profile.map(str::to_owned),
    };
    let (cfg, dir) = match &found {
        Some((p, c)) => (
            Some(c),
            p.parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| cwd.clone()),
        ),
        None => (None, cwd.clone()),
    };
    let target = config::absolute(target, &cwd);
    config::resolve(
        cfg,
        &target,
        &dir,
        &flags,
        cli_rule,
        cli_threshold,
        cli_mac_only,
    )
    .map_err(|e| with_hints(config_failure(e.clone()), &e, cfg))
}

/// Every master-key flag (each with its `SOPS_*` variable), as given.
pub fn key_flags(keys: &KeyArgs) -> [&Option<String>; 7] {
    [
        &keys.age,
        &keys.pgp,
        &keys.kms,
        &keys.gcp_kms,
        &keys.azure_kv,
        &keys.hc_vault_transit,
        &keys.hckms,
    ]
}

/// True when neither a key flag (or its `SOPS_*` variable) nor a `.sops.yaml` with creation
/// rules names any key: `encrypt --output EXISTING` then keeps the existing file's keys.
pub fn names_no_keys(explicit_config: Option<&Path>, keys: &KeyArgs) -> bool {
    if key_flags(keys)
        .iter()
        .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
    {
        return false;
    }
    let Ok(cwd) = std::env::current_dir() else {
        return false;
    };
    match config::find(explicit_config, &cwd) {
        Ok(None) => true,
        Ok(Some((_, c))) => c.creation_rules.is_none(),
        Err(_) => false,
    }
}

/// What to do about a configuration that gives no keys: the two ways to name them, or why no
/// creation rule matched (the path matched, relative to the configuration's directory, and
/// the regexes tried).
fn with_hints(f: Failure, e: &config::ConfigError, cfg: Option<&config::Config>) -> Failure {
    match e {
        config::ConfigError::NoKeys => f
            .hint("pass recipients (--age age1…; `age-keygen -y KEYFILE` prints a key's) or add creation_rules to .sops.yaml"),
        config::ConfigError::NoMatchingRule { file, .. } => {
            let tried: Vec<String> = cfg
                .and_then(|c| c.creation_rules.as_ref())
                .map(|rules| {
                    rules
                        .iter()
                        .map(|r| format!("{:?}", r.path_regex))
                        .collect()
                })
                .unwrap_or_default();
            f.hint(format!(
                "the rules' path_regex ({}) were matched against {file:?}, the path relative to the config's directory",
                tried.join(", ")
            ))
            .hint("for stdin or a temporary file, --filename-override NAME picks the rule by NAME")
        }
        _ => f,
    }
}
