//! The `sops` metadata block (spec §5): reading it from any store's tree and building the
//! tree every store writes. Field order follows SOPS 3.13 (byte-sorted at every level).

use crate::tree::select::{Rule, RuleKind};
use crate::tree::{Branch, Elem, Item, Node, Value};

/// Master-key types in the order SOPS loads them within a group (spec §5.2).
pub const KEY_TYPES: [&str; 7] = [
    "kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "pgp", "age",
];

/// One wrapped copy of the data key (or of a Shamir share), as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredKey {
    /// Metadata list name: `age`, `kms`, `pgp`, …
    pub kind: String,
    /// The entry's fields (`recipient`, `enc`, `arn`, …), kept as read so unknown backends
    /// and fields survive a rewrite.
    pub fields: Branch,
}

impl StoredKey {
    /// A string field.
    pub fn field(&self, name: &str) -> Option<&str> {
        match self.fields.get(name).map(|n| &n.value) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// Set a string field (replacing or appending).
    pub fn set_field(&mut self, name: &str, value: impl Into<String>) {
        let v = Value::Str(value.into());
        match self.fields.get_mut(name) {
            Some(n) => n.set(v),
            None => self.fields.push(name, v),
        }
    }

    /// The wrapped key text.
    pub fn enc(&self) -> &str {
        self.field("enc").unwrap_or("")
    }

    /// A short human identifier (recipient, ARN, fingerprint, …) for reports.
    pub fn id(&self) -> String {
        if self.kind == "azure_kv" {
            // The key's URL as SOPS prints it: vault, name and version.
            return format!(
                "azure_kv: {}/keys/{}/{}",
                self.field("vault_url").unwrap_or("?"),
                self.field("name").unwrap_or("?"),
                self.field("version").unwrap_or("")
            );
        }
        if self.kind == "hc_vault" {
            // sops-compat: Vault's ToString, the form flags and .sops.yaml give.
            return format!(
                "hc_vault: {}/v1/{}/keys/{}",
                self.field("vault_address").unwrap_or("?"),
                self.field("engine_path").unwrap_or("?"),
                self.field("key_name").unwrap_or("?")
            );
        }
        let name = id_field(&self.kind);
        format!("{}: {}", self.kind, self.field(name).unwrap_or("?"))
    }
}

/// The metadata field that names a key of `kind` (recipient, ARN, fingerprint, …).
pub fn id_field(kind: &str) -> &'static str {
    match kind {
        "age" => "recipient",
        "kms" => "arn",
        "pgp" => "fp",
        "gcp_kms" => "resource_id",
        "azure_kv" => "vault_url",
        "hc_vault" => "vault_address",
        "hckms" => "key_id",
        _ => "enc",
    }
}

/// The parsed `sops` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Metadata {
    /// Key groups; one group unless Shamir is used.
    pub groups: Vec<Vec<StoredKey>>,
    /// Groups needed to recover the key (0 = all).
    pub shamir_threshold: usize,
    /// RFC 3339 time of the last encryption.
    pub lastmodified: String,
    /// The encrypted MAC token.
    pub mac: String,
    /// The selection rule written in the file, if any.
    pub rule: Option<Rule>,
    /// Only encrypted values enter the MAC.
    pub mac_only_encrypted: bool,
    /// Version of the tool that wrote the file (semver; SOPS parses it).
    pub version: String,
    /// leafseal's encrypted record of original spellings (`leafseal_layout`; see
    /// `ops::layout`). SOPS ignores the field.
    pub layout: Option<String>,
}

/// A metadata block that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sops metadata: {0}")]
pub struct MetadataError(pub String);

fn text(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(crate::tree::scalar::float_f(*f)),
        Value::Bool(b) => Some(b.to_string()),
        Value::Time(t) => Some(t.rfc3339_nano()),
        _ => None,
    }
}

/// `MAJOR.MINOR.PATCH`, optionally followed by `-prerelease` and/or `+build`, as the semver
/// library SOPS uses requires.
fn is_semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    // (The semver library SOPS uses refuses leading zeros: `03.1.0`.)
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
}

fn keys_of(kind: &str, v: &Value) -> Result<Vec<StoredKey>, MetadataError> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::List(l) => l
            .iter()
            .filter_map(|e| match e {
                Elem::Value(n) => Some(n),
                Elem::Comment(_) => None,
            })
            .map(|n| match &n.value {
                Value::Map(b) => Ok(StoredKey {
                    kind: kind.to_owned(),
                    fields: clean(b),
                }),
                _ => Err(MetadataError(format!("{kind} entries must be maps"))),
            })
            .collect(),
        _ => Err(MetadataError(format!("{kind} must be a list"))),
    }
}

/// A copy without comments or source positions.
fn clean(b: &Branch) -> Branch {
    let mut out = Branch::new();
    for i in &b.items {
        if let Item::Pair(k, n) = i {
            let v = match &n.value {
                Value::Map(m) => Value::Map(clean(m)),
                other => other.clone(),
            };
            out.push(k.name.clone(), v);
        }
    }
    out
}

fn group_of(b: &Branch) -> Result<Vec<StoredKey>, MetadataError> {
    let mut g = Vec::new();
    for kind in KEY_TYPES {
        if let Some(n) = b.get(kind) {
            g.extend(keys_of(kind, &n.value)?);
        }
    }
    Ok(g)
}

impl Metadata {
    /// Read the `sops` map, with the version check every command but `filestatus` makes.
    pub fn from_branch(b: &Branch) -> Result<Metadata, MetadataError> {
        let meta = Self::read(b)?;
        // (The Python sops 1.x did not read `created_at`; its files are read as it read them.)
        if !meta.version.starts_with("1.") {
            meta.check_created_at()?;
        }
        // sops-compat: SOPS compares the file's version with 3.3.0 (the KMS encryption-context
        // fix) before it decrypts; a version that is not semver fails there, except versions
        // starting with `1.`, which sops 1.x (Python) wrote and which SOPS takes as older.
        if !meta.version.starts_with("1.")
            && !is_semver(meta.version.strip_prefix('v').unwrap_or(&meta.version))
        {
            return Err(MetadataError(format!(
                "version {:?}: no Major.Minor.Patch elements found",
                meta.version
            )));
        }
        Ok(meta)
    }

    /// Read the `sops` map without judging its version (what `filestatus` loads: an empty
    /// version or MAC then means "not encrypted").
    pub fn read(b: &Branch) -> Result<Metadata, MetadataError> {
        let get = |k: &str| b.get(k).map(|n| &n.value);
        let top = group_of(b)?;
        let groups = if !top.is_empty() {
            // sops-compat: top-level lists win over key_groups when both are present.
            vec![top]
        } else if let Some(Value::List(l)) = get("key_groups") {
            let mut gs = Vec::new();
            for e in l {
                if let Elem::Value(Node {
                    value: Value::Map(gb),
                    ..
                }) = e
                {
                    gs.push(group_of(gb)?);
                }
            }
            gs
        } else {
            Vec::new()
        };
        if groups.iter().all(|g| g.is_empty()) {
            return Err(MetadataError("no keys found in file".into()));
        }
        let shamir_threshold = match get("shamir_threshold") {
            None | Some(Value::Null) => 0,
            Some(Value::Int(i)) if *i >= 0 => *i as usize,
            Some(Value::Str(s)) => s
                .trim()
                .parse()
                .map_err(|_| MetadataError("shamir_threshold is not a number".into()))?,
            Some(_) => return Err(MetadataError("shamir_threshold is not a number".into())),
        };
        let mut rule = None;
        for kind in RuleKind::ALL {
            if let Some(v) = get(kind.name()).and_then(text) {
                if rule.is_some() {
                    return Err(MetadataError("cannot use more than one of the selection rules (unencrypted_suffix, encrypted_suffix, …)".into()));
                }
                rule = Some(
                    Rule::new(kind, v)
                        .map_err(|e| MetadataError(format!("{}: {e}", kind.name())))?,
                );
            }
        }
        let mac_only_encrypted = match get("mac_only_encrypted") {
            Some(Value::Bool(b)) => *b,
            Some(Value::Str(s)) => s == "true",
            _ => false,
        };
        // sops-compat: both are checked while loading the metadata, before any key is tried
        // (exit 1), not when the MAC is verified.
        let lastmodified = get("lastmodified").and_then(text).unwrap_or_default();
        if crate::tree::Time::parse_rfc3339(&lastmodified).is_none() {
            return Err(MetadataError(if lastmodified.is_empty() {
                "lastmodified is missing".into()
            } else {
                format!("lastmodified {lastmodified:?} is not an RFC 3339 time")
            }));
        }
        let version = match get("version") {
            // sops 1.x wrote `version: 1.0` (a YAML float, JSON number): its text is `1.0`.
            Some(Value::Float(f)) => format!("{f:?}"),
            Some(v) => text(v).unwrap_or_default(),
            None => String::new(),
        };
        Ok(Metadata {
            groups,
            shamir_threshold,
            lastmodified,
            mac: get("mac").and_then(text).unwrap_or_default(),
            rule,
            mac_only_encrypted,
            version,
            layout: get("leafseal_layout")
                .and_then(text)
                .filter(|t| !t.is_empty()),
        })
    }

    /// sops-compat: SOPS parses the `created_at` of every key type but age as an RFC 3339 time
    /// while loading the metadata (sops 0.8 wrote a Unix time; some 1.x entries have none).
    pub fn check_created_at(&self) -> Result<(), MetadataError> {
        for key in self.groups.iter().flatten().filter(|k| k.kind != "age") {
            let at = key
                .fields
                .get("created_at")
                .and_then(|n| text(&n.value))
                .unwrap_or_default();
            if crate::tree::Time::parse_rfc3339(&at).is_none() {
                return Err(MetadataError(format!(
                    "{} key: created_at {at:?} is not an RFC 3339 time",
                    key.kind
                )));
            }
        }
        Ok(())
    }

    /// The rule to apply: the file's, or the default `_unencrypted` suffix.
    pub fn effective_rule(&self) -> Rule {
        self.rule.clone().unwrap_or_else(Rule::default_rule)
    }

    /// Build the `sops` map, fields byte-sorted as SOPS 3.13 writes them.
    pub fn to_branch(&self) -> Branch {
        let mut fields: Vec<(String, Value)> = Vec::new();
        if self.groups.len() == 1 {
            for kind in KEY_TYPES {
                let list = key_list(&self.groups[0], kind);
                if !list.is_empty() {
                    fields.push((kind.to_owned(), Value::List(list)));
                }
            }
        } else {
            let groups = self
                .groups
                .iter()
                .map(|g| {
                    let mut gf: Vec<(String, Value)> = Vec::new();
                    for kind in KEY_TYPES {
                        let list = key_list(g, kind);
                        if !list.is_empty() || kind == "age" || kind == "hc_vault" {
                            gf.push((kind.to_owned(), Value::List(list)));
                        }
                    }
                    Elem::Value(Node::new(Value::Map(sorted(gf))))
                })
                .collect();
            fields.push(("key_groups".into(), Value::List(groups)));
        }
        let threshold = if self.groups.len() > 1 && self.shamir_threshold == 0 {
            self.groups.len()
        } else {
            self.shamir_threshold
        };
        if threshold > 0 {
            fields.push(("shamir_threshold".into(), Value::Int(threshold as i64)));
        }
        fields.push(("lastmodified".into(), Value::Str(self.lastmodified.clone())));
        if let Some(l) = &self.layout {
            fields.push(("leafseal_layout".into(), Value::Str(l.clone())));
        }
        fields.push(("mac".into(), Value::Str(self.mac.clone())));
        if let Some(r) = &self.rule {
            fields.push((r.kind.name().into(), Value::Str(r.pattern.clone())));
        }
        if self.mac_only_encrypted {
            fields.push(("mac_only_encrypted".into(), Value::Bool(true)));
        }
        fields.push(("version".into(), Value::Str(self.version.clone())));
        sorted(fields)
    }
}

fn key_list(g: &[StoredKey], kind: &str) -> Vec<Elem> {
    g.iter()
        .filter(|k| k.kind == kind)
        .map(|k| {
            let fields = k.fields.items.iter().filter_map(|i| match i {
                Item::Pair(k, n) => Some((k.name.clone(), n.value.clone())),
                Item::Comment(_) => None,
            });
            Elem::Value(Node::new(Value::Map(sorted(fields.collect()))))
        })
        .collect()
}

fn sorted(mut fields: Vec<(String, Value)>) -> Branch {
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    let mut b = Branch::new();
    for (k, v) in fields {
        let v = match v {
            Value::Map(m) => Value::Map(sorted(
                m.items
                    .into_iter()
                    .filter_map(|i| match i {
                        Item::Pair(k, n) => Some((k.name, n.value)),
                        Item::Comment(_) => None,
                    })
                    .collect(),
            )),
            other => other,
        };
        b.push(k, v);
    }
    b
}
