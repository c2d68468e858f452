//! Destination rules (`destination_rules` in `.sops.yaml`, used by `publish`): which files go
//! where (an S3 or GCS bucket, or a Vault KV path), and the `recreation_rule` whose keys a file
//! is re-encrypted for before it is uploaded. This module only describes them; uploading lives
//! in `crate::publish`.

use std::path::PathBuf;

use regex::Regex;

use super::{Config, ConfigError, CreationRule};

/// One `destination_rules` entry, as written.
#[derive(Clone, Debug, Default)]
pub struct DestinationRule {
    /// Position in `destination_rules` (0-based), for messages.
    pub index: usize,
    /// `path_regex` as written; empty matches every path.
    pub path_regex: String,
    pub(crate) regex: Option<Result<Regex, String>>,
    /// `s3_bucket`.
    pub s3_bucket: String,
    /// `s3_prefix` (prepended to the object name as is).
    pub s3_prefix: String,
    /// `gcs_bucket`.
    pub gcs_bucket: String,
    /// `gcs_prefix`.
    pub gcs_prefix: String,
    /// `vault_path`.
    pub vault_path: String,
    /// `vault_address` (empty: `VAULT_ADDR`, else Vault's default address).
    pub vault_address: String,
    /// `vault_kv_mount_name` (empty: `secret/`).
    pub vault_kv_mount_name: String,
    /// `vault_kv_version` (anything but 1 means 2).
    pub vault_kv_version: i64,
    /// `recreation_rule`: the keys (and selection) for re-encryption; absent or keyless means
    /// the file is uploaded as it is.
    pub recreation_rule: Option<CreationRule>,
    /// `omit_extensions`.
    pub omit_extensions: bool,
    pub(crate) source: PathBuf,
}

impl DestinationRule {
    /// Whether the rule applies to `file`.
    fn matches(&self, file: &str) -> bool {
        match &self.regex {
            None => true,
            Some(Ok(re)) => re.is_match(file),
            // sops-compat: SOPS ignores the error of regexp.MatchString: such a rule never matches.
            Some(Err(_)) => false,
        }
    }

    /// How many destinations the rule names (more than one is an error on use).
    pub fn destination_count(&self) -> usize {
        [&self.s3_bucket, &self.gcs_bucket, &self.vault_path]
            .iter()
            .filter(|s| !s.is_empty())
            .count()
    }
}

impl Config {
    /// The destination rule for `file`: the first whose `path_regex` matches the path as given
    /// on the command line (sops-compat: not made absolute nor relative to the configuration,
    /// unlike creation rules).
    pub fn destination_for(&self, file: &str) -> Result<&DestinationRule, ConfigError> {
        let rule = self
            .destination_rules
            .iter()
            .find(|r| r.matches(file))
            .ok_or_else(|| ConfigError::Invalid {
                path: self.path.clone(),
                place: String::new(),
                message: format!("no matching destination found in config for {file:?}"),
            })?;
        if rule.destination_count() > 1 {
            return Err(ConfigError::Invalid {
                path: self.path.clone(),
                place: format!("destination_rules[{}]: ", rule.index),
                message: "more than one destinations were found in a single destination rule, you can only use one per rule".into(),
            });
        }
        Ok(rule)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn cfg(text: &str) -> Config {
        Config::parse(text, Path::new("/p/.sops.yaml")).expect("parses")
    }

    #[test]
    fn rules_are_read_and_matched_against_the_path_as_given() {
        let c = cfg("destination_rules:\n\
             - path_regex: ^prod/\n  s3_bucket: b\n  s3_prefix: p/\n  omit_extensions: yes\n  recreation_rule:\n    age: a1,a2\n    shamir_threshold: 1\n\
             - path_regex: '\\.json$'\n  vault_path: v\n  vault_kv_version: 1\n  vault_kv_mount_name: kv\n  vault_address: http://x\n\
             - gcs_bucket: g\n");
        assert_eq!(c.destination_rules.len(), 3);
        let r = c.destination_for("prod/a.yaml").unwrap();
        assert_eq!(
            (r.index, r.s3_bucket.as_str(), r.s3_prefix.as_str()),
            (0, "b", "p/")
        );
        assert!(r.omit_extensions);
        let rr = r.recreation_rule.as_ref().unwrap();
        assert_eq!(rr.key_groups[0].keys.len(), 2);
        assert_eq!(rr.shamir_threshold, 1);
        let r = c.destination_for("/abs/prod/x.json").unwrap();
        assert_eq!((r.index, r.vault_kv_version), (1, 1));
        assert_eq!(r.vault_kv_mount_name, "kv");
        assert_eq!(c.destination_for("other").unwrap().gcs_bucket, "g");
    }

    #[test]
    fn errors_name_the_rule() {
        let c = cfg("destination_rules:\n- s3_bucket: a\n  vault_path: b\n");
        let e = c.destination_for("f").unwrap_err().to_string();
        assert!(
            e.contains("destination_rules[0]") && e.contains("more than one"),
            "{e}"
        );
        let c = cfg("destination_rules:\n- path_regex: x\n  s3_bucket: a\n");
        let e = c.destination_for("f").unwrap_err().to_string();
        assert!(e.contains("no matching destination"), "{e}");
        // A wrong shape is a loading error, as for creation rules.
        let e = Config::parse(
            "destination_rules:\n- vault_kv_version: two\n",
            Path::new("/p/.sops.yaml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("vault_kv_version"), "{e}");
        // No rules at all.
        assert!(cfg("creation_rules: []\n").destination_for("f").is_err());
    }
}
