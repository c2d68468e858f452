//! `.sops.yaml` text → [`Config`], read through our own YAML parser with Go yaml.v3's decoding
//! rules for the shapes SOPS declares: unknown keys are ignored, null means "absent", any
//! scalar fits a string field, only integers fit an int field, and a wrong shape is an error
//! naming the field and its line.

mod destination;

use std::path::Path;

use regex::Regex;

use super::rules::{CreationRule, KeyGroupSpec};
use super::{Config, ConfigError, Stores};
use crate::store::yaml::parse::parse as parse_yaml;
use crate::tree::select::RuleKind;
use crate::tree::{Branch, Elem, Item, Node, Style, Value};

/// Parse a whole configuration.
pub(super) fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let doc = parse_yaml(text).map_err(|e| ConfigError::Invalid {
        path: path.to_owned(),
        place: String::new(),
        message: e.to_string(),
    })?;
    let cx = Cx::new(text, path);
    let mut config = Config {
        path: path.to_owned(),
        creation_rules: None,
        destination_rules: Vec::new(),
        stores: Stores::default(),
        warnings: Vec::new(),
    };
    // sops-compat: yaml.Unmarshal reads the first document only.
    let Some(root) = doc.branches.first() else {
        return Ok(config);
    };
    let root_node = Node {
        value: Value::Map(root.clone()),
        src: None,
        changed: false,
    };
    let root = F {
        place: String::new(),
        line: None,
        node: &root_node,
    };
    for (name, f) in cx.entries(&root)? {
        match name {
            // Null stays `None`: SOPS treats it like an absent list, unlike `[]`.
            "creation_rules" if !matches!(f.node.value, Value::Null) => {
                let rules: Result<Vec<_>, _> = cx
                    .items(&f)?
                    .iter()
                    .enumerate()
                    .map(|(i, r)| cx.creation_rule(i, r))
                    .collect();
                config.creation_rules = Some(rules?);
            }
            "stores" => config.stores = cx.stores(&f)?,
            "destination_rules" => {
                let rules: Result<Vec<_>, _> = cx
                    .items(&f)?
                    .iter()
                    .enumerate()
                    .map(|(i, r)| cx.destination_rule(i, r))
                    .collect();
                config.destination_rules = rules?;
            }
            // Anything unknown: SOPS decodes non-strictly.
            _ => {}
        }
    }
    Ok(config)
}

/// A node with the dotted path and line used in messages.
struct F<'a> {
    place: String,
    line: Option<usize>,
    node: &'a Node,
}

impl<'a> F<'a> {
    fn child(&self, name: &str, line: Option<usize>, node: &'a Node) -> F<'a> {
        let place = if self.place.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.place)
        };
        F { place, line, node }
    }
}

struct Cx<'t> {
    text: &'t str,
    path: &'t Path,
    line_starts: Vec<usize>,
}

impl<'t> Cx<'t> {
    fn new(text: &'t str, path: &'t Path) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Cx {
            text,
            path,
            line_starts,
        }
    }

    /// 1-based line of a byte offset.
    fn line(&self, off: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= off).max(1)
    }

    fn err(&self, f: &F, message: impl Into<String>) -> ConfigError {
        let place = match (f.place.is_empty(), f.line) {
            (true, _) => String::new(),
            (false, Some(l)) => format!("{} (line {l}): ", f.place),
            (false, None) => format!("{}: ", f.place),
        };
        ConfigError::Invalid {
            path: self.path.to_owned(),
            place,
            message: message.into(),
        }
    }

    /// The line of a node, falling back to its owner's.
    fn line_of(&self, node: &Node, fallback: Option<usize>) -> Option<usize> {
        node.src.map(|s| self.line(s.span.start)).or(fallback)
    }

    /// A mapping's fields, null as empty, with `<<` merge keys expanded (explicit keys win).
    fn entries<'a>(&self, f: &F<'a>) -> Result<Vec<(&'a str, F<'a>)>, ConfigError> {
        let mut out: Vec<(&'a str, F<'a>)> = Vec::new();
        match &f.node.value {
            Value::Null => {}
            Value::Map(b) => self.collect_entries(f, b, &mut out, false)?,
            _ => {
                return Err(self.err(
                    f,
                    format!("expected a mapping, found {}", describe(&f.node.value)),
                ))
            }
        }
        Ok(out)
    }

    fn collect_entries<'a>(
        &self,
        f: &F<'a>,
        b: &'a Branch,
        out: &mut Vec<(&'a str, F<'a>)>,
        merged: bool,
    ) -> Result<(), ConfigError> {
        let mut merges = Vec::new();
        for item in &b.items {
            let Item::Pair(k, node) = item else { continue };
            let line = k.span.map(|s| self.line(s.start)).or(f.line);
            if k.name == "<<" && !merged {
                merges.push(f.child("<<", line, node));
                continue;
            }
            if !out.iter().any(|(n, _)| *n == k.name) {
                out.push((
                    k.name.as_str(),
                    f.child(&k.name, self.line_of(node, line), node),
                ));
            }
        }
        // YAML merge keys: `<<: *base` or `<<: [*a, *b]`, earlier maps taking precedence.
        for m in merges {
            match &m.node.value {
                Value::Map(mb) => self.collect_entries(f, mb, out, true)?,
                Value::List(l) => {
                    for e in l {
                        if let Elem::Value(Node {
                            value: Value::Map(mb),
                            ..
                        }) = e
                        {
                            self.collect_entries(f, mb, out, true)?;
                        } else if let Elem::Value(_) = e {
                            return Err(self.err(&m, "merge key values must be mappings"));
                        }
                    }
                }
                Value::Null => {}
                _ => return Err(self.err(&m, "merge key values must be mappings")),
            }
        }
        Ok(())
    }

    /// A sequence's elements, null as empty.
    fn items<'a>(&self, f: &F<'a>) -> Result<Vec<F<'a>>, ConfigError> {
        match &f.node.value {
            Value::Null => Ok(Vec::new()),
            Value::List(l) => Ok(l
                .iter()
                .filter_map(|e| match e {
                    Elem::Value(n) => Some(n),
                    Elem::Comment(_) => None,
                })
                .enumerate()
                .map(|(i, n)| F {
                    place: format!("{}[{i}]", f.place),
                    line: self.line_of(n, f.line),
                    node: n,
                })
                .collect()),
            other => Err(self.err(f, format!("expected a list, found {}", describe(other)))),
        }
    }

    /// A Go `string` field: any scalar, as written; null is empty.
    fn string(&self, f: &F) -> Result<String, ConfigError> {
        match &f.node.value {
            Value::Null => Ok(String::new()),
            Value::Str(s) => Ok(s.clone()),
            Value::Bytes(b) => Ok(String::from_utf8_lossy(b).into_owned()),
            Value::Map(_) | Value::List(_) => Err(self.err(
                f,
                format!("expected a string, found {}", describe(&f.node.value)),
            )),
            // sops-compat: yaml.v3 puts a non-string scalar's source text into a string field.
            other => Ok(self
                .source_text(f.node)
                .unwrap_or_else(|| scalar_text(other))),
        }
    }

    /// The text of a plain scalar as written (`0x1F`, `1_000`), when known.
    fn source_text(&self, n: &Node) -> Option<String> {
        let src = n.src?;
        if src.style != Style::Plain {
            return None;
        }
        self.text
            .get(src.span.start..src.span.end)
            .map(|s| s.trim().to_owned())
    }

    /// A Go `int` field: an integer or null.
    fn int(&self, f: &F) -> Result<i64, ConfigError> {
        match &f.node.value {
            Value::Null => Ok(0),
            Value::Int(i) => Ok(*i),
            other => Err(self.err(f, format!("expected an integer, found {}", describe(other)))),
        }
    }

    /// A Go `bool` field. yaml.v3 also takes the YAML 1.1 words for a typed bool.
    fn boolean(&self, f: &F) -> Result<bool, ConfigError> {
        match &f.node.value {
            Value::Null => Ok(false),
            Value::Bool(b) => Ok(*b),
            // sops-compat: `mac_only_encrypted: yes` is true.
            Value::Str(s) => match s.as_str() {
                "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Ok(true),
                "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Ok(false),
                _ => Err(self.err(f, format!("expected a boolean, found {s:?}"))),
            },
            other => Err(self.err(f, format!("expected a boolean, found {}", describe(other)))),
        }
    }

    /// A rule-level key field (Go `interface{}`): a comma-separated string or a list of
    /// strings. Items are joined and split at commas, trimmed, empties dropped, as SOPS
    /// rebuilds the comma list before parsing it.
    fn key_list(&self, f: &F) -> Result<Vec<String>, ConfigError> {
        let joined = match &f.node.value {
            Value::Null => return Ok(Vec::new()),
            Value::Str(s) => s.clone(),
            Value::List(_) => {
                let mut parts = Vec::new();
                for item in self.items(f)? {
                    match &item.node.value {
                        Value::Str(s) => parts.push(s.clone()),
                        other => {
                            return Err(self.err(
                                &item,
                                format!("expected a key string, found {}", describe(other)),
                            ))
                        }
                    }
                }
                parts.join(",")
            }
            other => {
                return Err(self.err(
                    f,
                    format!(
                        "expected a string or a list of strings, found {}",
                        describe(other)
                    ),
                ))
            }
        };
        Ok(split_commas(&joined))
    }

    /// A Go `[]string` field: a list (null is empty) of scalars.
    fn string_list(&self, f: &F) -> Result<Vec<String>, ConfigError> {
        self.items(f)?.iter().map(|i| self.string(i)).collect()
    }

    fn creation_rule(&self, index: usize, f: &F) -> Result<CreationRule, ConfigError> {
        let mut path_regex = String::new();
        let mut flat: [Vec<String>; 7] = Default::default();
        let mut aws_profile = String::new();
        let mut groups: Option<Vec<KeyGroupSpec>> = None;
        let mut shamir_threshold = 0;
        let mut selectors = Vec::new();
        let mut mac_only_encrypted = false;
        for (name, v) in self.entries(f)? {
            if let Some(slot) = FLAT_FIELDS.iter().position(|(field, _)| *field == name) {
                flat[slot] = self.key_list(&v)?;
                continue;
            }
            if let Some(kind) = RuleKind::ALL.iter().find(|k| k.name() == name) {
                let s = self.string(&v)?;
                if !s.is_empty() {
                    selectors.push((*kind, s));
                }
                continue;
            }
            match name {
                "path_regex" => path_regex = self.string(&v)?,
                "aws_profile" => aws_profile = self.string(&v)?,
                "key_groups" => {
                    let specs: Result<Vec<_>, _> =
                        self.items(&v)?.iter().map(|g| self.key_group(g)).collect();
                    groups = Some(specs?);
                }
                "shamir_threshold" => {
                    let n = self.int(&v)?;
                    shamir_threshold =
                        usize::try_from(n).map_err(|_| self.err(&v, "must not be negative"))?;
                }
                "mac_only_encrypted" => mac_only_encrypted = self.boolean(&v)?,
                _ => {}
            }
        }
        // sops-compat: `key_groups` replaces the rule-level keys only when non-empty.
        let (key_groups, uses_key_groups) = match groups {
            Some(g) if !g.is_empty() => (g, true),
            _ => (vec![flat_group(flat, &aws_profile)], false),
        };
        let regex = if path_regex.is_empty() {
            None
        } else {
            Some(Regex::new(&path_regex).map_err(|e| e.to_string()))
        };
        Ok(CreationRule {
            index,
            path_regex,
            regex,
            key_groups,
            uses_key_groups,
            shamir_threshold,
            selectors,
            mac_only_encrypted,
            source: self.path.to_owned(),
        })
    }

    /// One `key_groups` entry: nested `merge` groups first, then this group's own keys in
    /// SOPS's order, de-duplicated.
    fn key_group(&self, f: &F) -> Result<KeyGroupSpec, ConfigError> {
        let mut merged = KeyGroupSpec::default();
        let mut own: [Vec<String>; 7] = Default::default();
        for (name, v) in self.entries(f)? {
            match name {
                "merge" => {
                    for sub in self.items(&v)? {
                        merged.keys.extend(self.key_group(&sub)?.keys);
                    }
                }
                // Every item may itself be a comma list of recipients.
                "age" => {
                    own[0] = self
                        .string_list(&v)?
                        .iter()
                        .flat_map(|s| split_commas(s))
                        .collect()
                }
                "pgp" => {
                    own[1] = self
                        .string_list(&v)?
                        .iter()
                        .map(|s| s.replace(' ', ""))
                        .collect()
                }
                "kms" => own[2] = self.maps(&v, |m| self.kms_key(m))?,
                "gcp_kms" => own[3] = self.maps(&v, |m| self.field(m, "resource_id"))?,
                "hckms" => own[4] = self.maps(&v, |m| self.field(m, "key_id"))?,
                "azure_keyvault" => own[5] = self.maps(&v, |m| self.azure_key(m))?,
                "hc_vault" => own[6] = self.string_list(&v)?,
                _ => {}
            }
        }
        let mut group = merged;
        for (slot, keys) in own.into_iter().enumerate() {
            for k in keys {
                group.push(FLAT_FIELDS[slot].1, k);
            }
        }
        group.dedupe();
        Ok(group)
    }

    /// A list of mappings, each turned into one key string.
    fn maps(
        &self,
        f: &F,
        one: impl Fn(&F) -> Result<String, ConfigError>,
    ) -> Result<Vec<String>, ConfigError> {
        self.items(f)?.iter().map(&one).collect()
    }

    /// One string field of a mapping ("" when absent).
    fn field(&self, f: &F, name: &str) -> Result<String, ConfigError> {
        for (n, v) in self.entries(f)? {
            if n == name {
                return self.string(&v);
            }
        }
        Ok(String::new())
    }

    /// `{arn, role, context, aws_profile}` → `arn[+role][|k:v,…][|profile]`.
    fn kms_key(&self, f: &F) -> Result<String, ConfigError> {
        let (mut arn, mut role, mut profile) = (String::new(), String::new(), String::new());
        let mut context: Vec<(String, String)> = Vec::new();
        for (n, v) in self.entries(f)? {
            match n {
                "arn" => arn = self.string(&v)?,
                "role" => role = self.string(&v)?,
                "aws_profile" => profile = self.string(&v)?,
                "context" => {
                    for (k, cv) in self.entries(&v)? {
                        context.push((k.to_owned(), self.string(&cv)?));
                    }
                }
                _ => {}
            }
        }
        let mut s = arn;
        if !role.is_empty() {
            s = format!("{s}+{role}");
        }
        if !context.is_empty() {
            context.sort();
            let pairs: Vec<String> = context.iter().map(|(k, v)| format!("{k}:{v}")).collect();
            s = format!("{s}|{}", pairs.join(","));
        }
        if !profile.is_empty() {
            s = format!("{s}|{profile}");
        }
        Ok(s)
    }

    /// `{vaultUrl, key, version}` → `vaultUrl/keys/key[/version]`, the URL form `azure_keyvault`
    /// takes at rule level.
    fn azure_key(&self, f: &F) -> Result<String, ConfigError> {
        let url = self.field(f, "vaultUrl")?;
        let key = self.field(f, "key")?;
        let version = self.field(f, "version")?;
        Ok(if version.is_empty() {
            format!("{url}/keys/{key}")
        } else {
            format!("{url}/keys/{key}/{version}")
        })
    }

    fn stores(&self, f: &F) -> Result<Stores, ConfigError> {
        let mut stores = Stores::default();
        for (name, v) in self.entries(f)? {
            match name {
                "yaml" => {
                    if let Some(i) = self.indent(&v)? {
                        if i < 0 {
                            return Err(self.err(&v, "YAML negative indentation not accepted"));
                        }
                        // 0 keeps SOPS's default of 4.
                        if i > 0 {
                            stores.yaml_indent = to_usize(i);
                        }
                    }
                }
                "json" => {
                    if let Some(i) = self.indent(&v)? {
                        stores.json_indent = self.json_indent(&v, i)?;
                    }
                }
                "json_binary" => {
                    if let Some(i) = self.indent(&v)? {
                        stores.json_binary_indent = self.json_indent(&v, i)?;
                    }
                }
                // dotenv, ini: no options.
                _ => {}
            }
        }
        Ok(stores)
    }

    /// The `indent` of a store section, when given.
    fn indent(&self, f: &F) -> Result<Option<i64>, ConfigError> {
        for (n, v) in self.entries(f)? {
            if n == "indent" {
                return self.int(&v).map(Some);
            }
        }
        Ok(None)
    }

    fn json_indent(&self, f: &F, i: i64) -> Result<Option<usize>, ConfigError> {
        match i {
            -1 => Ok(None),
            i if i < -1 => Err(self.err(f, "JSON indentation smaller than -1 is not accepted")),
            i => Ok(Some(to_usize(i))),
        }
    }
}

/// Rule-level key fields in SOPS's group order, with their metadata names.
const FLAT_FIELDS: [(&str, &str); 7] = [
    ("age", "age"),
    ("pgp", "pgp"),
    ("kms", "kms"),
    ("gcp_kms", "gcp_kms"),
    ("hckms", "hckms"),
    ("azure_keyvault", "azure_kv"),
    ("hc_vault_transit_uri", "hc_vault"),
];

/// The one group a rule without `key_groups` makes; not de-duplicated.
fn flat_group(flat: [Vec<String>; 7], aws_profile: &str) -> KeyGroupSpec {
    let mut g = KeyGroupSpec::default();
    for (slot, keys) in flat.into_iter().enumerate() {
        let backend = FLAT_FIELDS[slot].1;
        for k in keys {
            let k = match backend {
                // sops-compat: SOPS deletes every space in fingerprints, ARNs and resource ids.
                "pgp" | "gcp_kms" => k.replace(' ', ""),
                "kms" => {
                    let k = k.replace(' ', "");
                    if aws_profile.is_empty() {
                        k
                    } else {
                        format!("{k}|{aws_profile}")
                    }
                }
                _ => k,
            };
            g.push(backend, k);
        }
    }
    g
}

fn split_commas(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn to_usize(i: i64) -> usize {
    usize::try_from(i).unwrap_or(usize::MAX)
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => f.to_string(),
        _ => String::new(),
    }
}

/// A value's YAML kind, for messages (never its content).
fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) | Value::Uint(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Str(_) | Value::Bytes(_) => "a string",
        Value::Time(_) => "a timestamp",
        Value::Map(_) => "a mapping",
        Value::List(_) => "a list",
    }
}
