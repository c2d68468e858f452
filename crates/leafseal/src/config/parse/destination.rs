//! `destination_rules` entries (for `publish`): where a file goes and the `recreation_rule`
//! whose keys it is re-encrypted for. Decoded with the same yaml.v3 rules as creation rules.

use regex::Regex;

use super::{Cx, F};
use crate::config::{ConfigError, DestinationRule};

impl Cx<'_> {
    pub(super) fn destination_rule(
        &self,
        index: usize,
        f: &F,
    ) -> Result<DestinationRule, ConfigError> {
        let mut d = DestinationRule {
            index,
            ..DestinationRule::default()
        };
        for (name, v) in self.entries(f)? {
            match name {
                "path_regex" => d.path_regex = self.string(&v)?,
                "s3_bucket" => d.s3_bucket = self.string(&v)?,
                "s3_prefix" => d.s3_prefix = self.string(&v)?,
                "gcs_bucket" => d.gcs_bucket = self.string(&v)?,
                "gcs_prefix" => d.gcs_prefix = self.string(&v)?,
                "vault_path" => d.vault_path = self.string(&v)?,
                "vault_address" => d.vault_address = self.string(&v)?,
                "vault_kv_mount_name" => d.vault_kv_mount_name = self.string(&v)?,
                "vault_kv_version" => d.vault_kv_version = self.int(&v)?,
                "omit_extensions" => d.omit_extensions = self.boolean(&v)?,
                "recreation_rule" => d.recreation_rule = Some(self.creation_rule(index, &v)?),
                _ => {}
            }
        }
        if !d.path_regex.is_empty() {
            d.regex = Some(Regex::new(&d.path_regex).map_err(|e| e.to_string()));
        }
        d.source = self.path.to_owned();
        Ok(d)
    }
}
