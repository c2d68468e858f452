//! SOPS's precedence between the command line and `.sops.yaml` when encrypting (spec §8):
//! key flags replace the configured keys wholesale but keep the rest of the rule, selection
//! flags override field by field, the threshold flag wins when non-zero, and
//! `--mac-only-encrypted` ORs.

use std::path::Path;

use super::rules::{KeyGroupSpec, MORE_THAN_ONE};
use super::{Config, ConfigError};
use crate::keygroups::Groups;
use crate::store::{Format, StoreOptions};
use crate::tree::select::Rule;

/// Key flags or their environment variables (`--age` / `SOPS_AGE_RECIPIENTS`, …), each a
/// comma-separated list. An empty string counts as not given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyFlags {
    /// `--age` / `SOPS_AGE_RECIPIENTS`.
    pub age: Option<String>,
    /// `--pgp` / `SOPS_PGP_FP`.
    pub pgp: Option<String>,
    /// `--kms` / `SOPS_KMS_ARN` (`arn[+role_arn]`).
    pub kms: Option<String>,
    /// `--gcp-kms` / `SOPS_GCP_KMS_IDS`.
    pub gcp_kms: Option<String>,
    /// `--azure-kv` / `SOPS_AZURE_KEYVAULT_URLS`.
    pub azure_kv: Option<String>,
    /// `--hc-vault-transit` / `SOPS_VAULT_URIS`.
    pub hc_vault: Option<String>,
    /// `--hckms` / `SOPS_HUAWEICLOUD_KMS_IDS`.
    pub hckms: Option<String>,
    /// `--aws-profile`, applied to the `--kms` keys. Not a key flag by itself.
    pub aws_profile: Option<String>,
}

impl KeyFlags {
    /// The key flags in the order SOPS puts their keys into the group: metadata name, flag
    /// name, value.
    fn in_order(&self) -> [(&'static str, &'static str, Option<&str>); 7] {
        [
            ("kms", "--kms", self.kms.as_deref()),
            ("gcp_kms", "--gcp-kms", self.gcp_kms.as_deref()),
            ("hckms", "--hckms", self.hckms.as_deref()),
            ("azure_kv", "--azure-kv", self.azure_kv.as_deref()),
            ("pgp", "--pgp", self.pgp.as_deref()),
            ("hc_vault", "--hc-vault-transit", self.hc_vault.as_deref()),
            ("age", "--age", self.age.as_deref()),
        ]
    }

    /// True when any key flag is non-empty: then the configuration's keys are ignored.
    pub fn any(&self) -> bool {
        self.in_order()
            .iter()
            .any(|(_, _, v)| v.is_some_and(|v| !v.is_empty()))
    }

    /// The one group the flags make.
    fn build(&self) -> Result<Groups, ConfigError> {
        let mut group = Vec::new();
        let profile = self.aws_profile.as_deref().unwrap_or("");
        for (backend, flag, value) in self.in_order() {
            let Some(value) = value.filter(|v| !v.is_empty()) else {
                continue;
            };
            let mut spec = KeyGroupSpec::default();
            // KMS keys may carry a `|k:v,k:v` context whose commas do not separate keys.
            let items: Vec<String> = match backend {
                #[cfg(feature = "aws-kms")]
                "kms" => crate::keys::aws_kms::split_keys(value),
                _ => value
                    .split(',')
                    .map(|k| k.trim().to_owned())
                    .filter(|k| !k.is_empty())
                    .collect(),
            };
            for k in items.iter().map(String::as_str) {
                let k = match backend {
                    // sops-compat: spaces are deleted from fingerprints, ARNs and resource ids.
                    "pgp" | "gcp_kms" => k.replace(' ', ""),
                    "kms" if !profile.is_empty() => format!("{}|{profile}", k.replace(' ', "")),
                    "kms" => k.replace(' ', ""),
                    _ => k.to_owned(),
                };
                spec.push(backend, k);
            }
            group.extend(spec.build(&format!("{flag}: "))?);
        }
        Ok(vec![group])
    }
}

/// What to encrypt with, after precedence.
#[derive(Debug)]
pub struct Resolved {
    /// The key groups (never empty, no empty group).
    pub groups: Groups,
    /// Shamir threshold, 0 meaning "all groups".
    pub shamir_threshold: usize,
    /// The selection rule, `None` for the default (`unencrypted_suffix: _unencrypted`).
    pub rule: Option<Rule>,
    /// `mac_only_encrypted`.
    pub mac_only_encrypted: bool,
    /// Output options from `stores:` for the format `file`'s extension implies; with an
    /// explicit output type use [`super::Stores::options`] instead.
    pub store: StoreOptions,
}

/// Combine the configuration and the command line for encrypting `file`.
///
/// `config_dir` is the configuration's directory (see [`Config::rule_for`]); `cli_rule` is the
/// one selection flag given, if any (the CLI rejects several itself); `cli_threshold` is
/// `--shamir-secret-sharing-threshold` (0 = not given).
///
/// Errors: no matching rule while the configuration has rules (even with key flags, as in
/// SOPS), no keys at all, a key the backends reject or lack, and a selection flag of another
/// kind than the rule's ([`ConfigError::is_conflict`], exit 8).
pub fn resolve(
    config: Option<&Config>,
    file: &Path,
    config_dir: &Path,
    flags: &KeyFlags,
    cli_rule: Option<Rule>,
    cli_threshold: usize,
    cli_mac_only: bool,
) -> Result<Resolved, ConfigError> {
    let rule = match config {
        Some(c) => c.rule_for(file, config_dir)?,
        None => None,
    };
    let groups = if flags.any() {
        // sops-compat: SOPS builds the rule's keys even when flags replace them, so a malformed
        // key in the matching rule still fails. Keys of backends this build lacks are skipped
        // here, because they would be discarded anyway.
        if let Some(r) = rule {
            r.check_keys()?;
        }
        flags.build()?
    } else {
        match rule {
            Some(r) => r.build_groups()?,
            None => return Err(ConfigError::NoKeys),
        }
    };
    if let Some(i) = groups.iter().position(Vec::is_empty) {
        let place = match rule {
            Some(r) if !flags.any() => r.group_place(i),
            _ => String::new(),
        };
        return Err(ConfigError::Key {
            place,
            message: "empty key group provided: no keys to encrypt the data key with".into(),
        });
    }

    let config_rule = match rule {
        Some(r) => r.selection_rule()?,
        None => None,
    };
    let selection = match (cli_rule, config_rule) {
        (Some(cli), Some(conf)) if cli.kind != conf.kind => {
            let (path, index) = match (config, rule) {
                (Some(c), Some(r)) => (c.path.display().to_string(), r.index),
                _ => (String::new(), 0),
            };
            return Err(ConfigError::Conflict {
                message: format!(
                    "{MORE_THAN_ONE} in the same file: --{} conflicts with {} of {path} creation_rules[{index}]",
                    cli.kind.name().replace('_', "-"),
                    conf.kind.name()
                ),
            });
        }
        // A flag of the same kind replaces the configured pattern.
        (Some(cli), _) => Some(cli),
        (None, conf) => conf,
    };

    let shamir_threshold = if cli_threshold != 0 {
        cli_threshold
    } else {
        rule.map_or(0, |r| r.shamir_threshold)
    };
    let mac_only_encrypted = cli_mac_only || rule.is_some_and(|r| r.mac_only_encrypted);
    let store = config.map_or_else(StoreOptions::default, |c| {
        c.stores.options(Format::from_path(Some(file)))
    });
    Ok(Resolved {
        groups,
        shamir_threshold,
        rule: selection,
        mac_only_encrypted,
        store,
    })
}
