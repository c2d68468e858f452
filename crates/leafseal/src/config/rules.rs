//! Creation rules: the parsed form of one `creation_rules` entry, how it matches a path, and
//! how its key strings become master keys.

use std::path::PathBuf;

use regex::Regex;

use super::ConfigError;
use crate::keygroups::Groups;
use crate::keys::{backend, MasterKey};
use crate::tree::select::{Rule, RuleKind};

/// The keys of one group, as strings per backend.
///
/// The backend is the metadata list name (`age`, `pgp`, `kms`, `gcp_kms`, `azure_kv`,
/// `hc_vault`, `hckms`); the key is SOPS's `ToString` form of that key, which is also what
/// de-duplication compares: an age recipient, a PGP fingerprint without spaces, a GCP resource
/// id, `https://vault/keys/name[/version]`, a Vault transit URI, a `region:uuid` HuaweiCloud key,
/// and for AWS `arn[+role][|k:v,…sorted][|aws_profile]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyGroupSpec {
    /// `(backend, key)` in SOPS's order.
    pub keys: Vec<(String, String)>,
}

impl KeyGroupSpec {
    /// Add a key.
    pub fn push(&mut self, backend: &str, key: impl Into<String>) {
        self.keys.push((backend.to_owned(), key.into()));
    }

    /// Drop repeated `(backend, key)` pairs, keeping the first.
    pub fn dedupe(&mut self) {
        let mut seen = std::collections::HashSet::new();
        self.keys.retain(|k| seen.insert(k.clone()));
    }

    /// Turn the strings into master keys through the registered backends. `place` prefixes
    /// messages (`"{file}: creation_rules[0].key_groups[1]: "`).
    pub fn build(&self, place: &str) -> Result<Vec<Box<dyn MasterKey>>, ConfigError> {
        let mut out = Vec::new();
        for (name, key) in &self.keys {
            let b = backend(name).ok_or_else(|| ConfigError::Unsupported {
                place: place.to_owned(),
                backend: name.clone(),
            })?;
            let keys = b.parse_list(key).map_err(|e| ConfigError::Key {
                place: place.to_owned(),
                message: e.to_string(),
            })?;
            out.extend(keys);
        }
        Ok(out)
    }

    /// Like [`KeyGroupSpec::build`] but only validates, and skips backends this build lacks.
    pub(crate) fn check_known(&self, place: &str) -> Result<(), ConfigError> {
        for (name, key) in &self.keys {
            if let Some(b) = backend(name) {
                b.parse_list(key).map_err(|e| ConfigError::Key {
                    place: place.to_owned(),
                    message: e.to_string(),
                })?;
            }
        }
        Ok(())
    }
}

/// One `creation_rules` entry.
#[derive(Clone, Debug)]
pub struct CreationRule {
    /// Position in `creation_rules` (0-based), for messages.
    pub index: usize,
    /// `path_regex` as written; empty matches every path.
    pub path_regex: String,
    /// The compiled regex, or the compile error (reported only when the rule is reached).
    pub(crate) regex: Option<Result<Regex, String>>,
    /// The key groups: the `key_groups` entries (merged and de-duplicated), or else one group
    /// made of the rule-level key fields (not de-duplicated).
    pub key_groups: Vec<KeyGroupSpec>,
    /// True when [`CreationRule::key_groups`] came from `key_groups:`.
    pub uses_key_groups: bool,
    /// `shamir_threshold` (0 = number of groups).
    pub shamir_threshold: usize,
    /// Every non-empty selection field, in file order; more than one is an error on use.
    pub selectors: Vec<(RuleKind, String)>,
    /// `mac_only_encrypted`.
    pub mac_only_encrypted: bool,
    /// The configuration file, for messages.
    pub(crate) source: PathBuf,
}

/// The wording SOPS uses for a rule naming several selection fields.
pub(crate) const MORE_THAN_ONE: &str = "cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex";

impl CreationRule {
    /// Whether the rule applies to `target` (the path as [`super::Config::rule_for`] builds it).
    pub(crate) fn matches(&self, target: &str) -> Result<bool, ConfigError> {
        match &self.regex {
            None => Ok(true),
            Some(Ok(re)) => Ok(re.is_match(target)),
            Some(Err(e)) => Err(ConfigError::Invalid {
                path: self.source.clone(),
                place: format!("creation_rules[{}].path_regex: ", self.index),
                message: format!("can not compile regexp {:?}: {e}", self.path_regex),
            }),
        }
    }

    /// The checks SOPS makes when it uses a rule: at most one selection field, and it compiles.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        self.selection_rule().map(|_| ())
    }

    /// The selection rule this creation rule names, if any. Several are an error.
    pub fn selection_rule(&self) -> Result<Option<Rule>, ConfigError> {
        let config = &self.source;
        match self.selectors.as_slice() {
            [] => Ok(None),
            [(kind, pattern)] => {
                Rule::new(*kind, pattern.as_str())
                    .map(Some)
                    .map_err(|e| ConfigError::Invalid {
                        path: config.to_owned(),
                        place: format!("creation_rules[{}].{}: ", self.index, kind.name()),
                        message: format!("invalid regex: {e}"),
                    })
            }
            // sops-compat: a loading error (exit 1), unlike the same clash between flags (exit 8).
            _ => Err(ConfigError::Invalid {
                path: config.to_owned(),
                place: format!("creation_rules[{}]: ", self.index),
                message: format!("{MORE_THAN_ONE} for the same rule"),
            }),
        }
    }

    /// The master keys of every group, built by the registered backends. A key of a backend
    /// this build lacks is an error naming it ("pgp keys are not supported by this build yet").
    pub fn build_groups(&self) -> Result<Groups, ConfigError> {
        self.key_groups
            .iter()
            .enumerate()
            .map(|(i, g)| g.build(&self.group_place(i)))
            .collect()
    }

    /// Validate the key strings of the backends this build has, ignoring the others.
    pub(crate) fn check_keys(&self) -> Result<(), ConfigError> {
        for (i, g) in self.key_groups.iter().enumerate() {
            g.check_known(&self.group_place(i))?;
        }
        Ok(())
    }

    /// Where group `i` is, for messages.
    pub(crate) fn group_place(&self, i: usize) -> String {
        let field = if self.uses_key_groups {
            format!(".key_groups[{i}]")
        } else {
            String::new()
        };
        format!(
            "{}: creation_rules[{}]{field}: ",
            self.source.display(),
            self.index
        )
    }
}
