//! `leafseal explain FILE`: which `.sops.yaml` applies, which creation rule matches FILE, and
//! the keys and settings `encrypt` would use for it (getsops/sops#2190, #1790). Nothing is
//! read from FILE, which need not exist.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use leafseal::config::{self, Config};
use leafseal::store::Format;

use super::args::ExplainArgs;
use super::options::creation;
use super::Failure;

/// What was found, before the keys are resolved.
struct Found {
    config: Option<(PathBuf, Config)>,
    /// How the configuration was found (`--config`/`SOPS_CONFIG`, or the directory walk).
    how: &'static str,
    /// The path the rules' `path_regex` are matched against.
    matched: String,
}

fn find(explicit: Option<&Path>, file: &Path) -> Result<Found, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::new(1, format!("cannot read the working directory: {e}")))?;
    let config = config::find(explicit, &cwd)
        .map_err(|e| Failure::new(u8::try_from(e.exit_code()).unwrap_or(1), e.to_string()))?;
    let dir = match &config {
        Some((p, _)) => p.parent().map_or_else(|| cwd.clone(), Path::to_path_buf),
        None => cwd.clone(),
    };
    Ok(Found {
        how: match (explicit, &config) {
            (Some(_), _) => "--config / SOPS_CONFIG",
            (None, Some(_)) => "found from the working directory upwards",
            (None, None) => "none found from the working directory upwards",
        },
        matched: config::match_path(&config::absolute(file, &cwd), &config::absolute(&dir, &cwd)),
        config,
    })
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Yaml => "yaml",
        Format::Json => "json",
        Format::Dotenv => "dotenv",
        Format::Ini => "ini",
        Format::Toml => "toml",
        Format::Binary => "binary",
    }
}

/// Run `explain`.
pub fn run(
    a: ExplainArgs,
    explicit: Option<&Path>,
    aws_profile: Option<&str>,
) -> Result<(), Failure> {
    let found = find(explicit, &a.file)?;
    let cfg = found.config.as_ref().map(|(_, c)| c);
    let rules: Vec<Value> = cfg
        .and_then(|c| c.creation_rules.as_ref())
        .map(|rs| {
            rs.iter()
                .map(|r| json!({"index": r.index, "path_regex": r.path_regex}))
                .collect()
        })
        .unwrap_or_default();
    let rule = match cfg {
        Some(c) => {
            let dir = c.dir().to_path_buf();
            match c.rule_for(&a.file, &dir) {
                Ok(r) => r.map(|r| json!({"index": r.index, "path_regex": r.path_regex})),
                Err(_) => None, // reported below, with the hints, by the resolution
            }
        }
        None => None,
    };
    let format = Format::from_path(Some(&a.file));
    let mut out = json!({
        "file": a.file.display().to_string(),
        "config": found.config.as_ref().map(|(p, _)| p.display().to_string()),
        "config_source": found.how,
        "matched_path": found.matched,
        "creation_rules": rules,
        "rule": rule,
        "format": format_name(format),
    });
    let resolved = creation(explicit, &a.file, &a.keys, aws_profile, None, 0, false);
    let result = match resolved {
        Ok(r) => {
            let groups: Vec<Value> = r
                .groups
                .iter()
                .map(|g| {
                    g.iter()
                        .map(|k| json!({"type": k.kind(), "key": k.id()}))
                        .collect()
                })
                .collect();
            let from_flags = super::options::key_flags(&a.keys)
                .iter()
                .any(|v| v.as_deref().is_some_and(|v| !v.is_empty()));
            out["keys_from"] = json!(if from_flags { "flags" } else { "rule" });
            out["key_groups"] = Value::Array(groups);
            out["shamir_threshold"] = json!(r.shamir_threshold);
            out["selection"] = match &r.rule {
                Some(s) => json!({"kind": s.kind.name(), "pattern": s.pattern}),
                None => {
                    json!({"kind": "unencrypted_suffix", "pattern": "_unencrypted", "default": true})
                }
            };
            out["mac_only_encrypted"] = json!(r.mac_only_encrypted);
            out["yaml_indent"] = match r.store.yaml_indent {
                0 => json!("default"),
                n => json!(n),
            };
            out["json_indent"] = match r.store.json_indent {
                Some(n) => json!(n),
                None => json!("tab"),
            };
            Ok(())
        }
        Err(f) => {
            out["error"] = json!(f.message);
            Err(f)
        }
    };
    if a.json {
        println!("{out:#}");
    } else {
        print!("{}", human(&out));
    }
    result
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// The report as `name: value` lines.
fn human(o: &Value) -> String {
    let mut t = String::new();
    let mut line = |k: &str, v: String| t.push_str(&format!("{k:<20}{v}\n"));
    line("file:", s(&o["file"]));
    line("format:", s(&o["format"]));
    line(
        "config:",
        format!("{} ({})", s(&o["config"]), s(&o["config_source"])),
    );
    if !o["config"].is_null() {
        line("matched path:", format!("{:?}", s(&o["matched_path"])));
        let rules = o["creation_rules"].as_array().cloned().unwrap_or_default();
        let shown: Vec<String> = rules
            .iter()
            .map(|r| format!("[{}] {:?}", s(&r["index"]), s(&r["path_regex"])))
            .collect();
        line(
            "creation rules:",
            if shown.is_empty() {
                "none".into()
            } else {
                shown.join(", ")
            },
        );
        line(
            "matching rule:",
            match &o["rule"] {
                Value::Null => "none".into(),
                r => format!("[{}] {:?}", s(&r["index"]), s(&r["path_regex"])),
            },
        );
    }
    if let Some(groups) = o["key_groups"].as_array() {
        line(
            "keys from:",
            match s(&o["keys_from"]).as_str() {
                "flags" => "flags and SOPS_* environment variables".into(),
                _ => "the matching rule".into(),
            },
        );
        for (i, g) in groups.iter().enumerate() {
            let keys: Vec<String> = g
                .as_array()
                .into_iter()
                .flatten()
                .map(|k| format!("{} {}", s(&k["type"]), s(&k["key"])))
                .collect();
            line(&format!("key group {i}:"), keys.join(", "));
        }
        let threshold = o["shamir_threshold"].as_u64().unwrap_or(0);
        if groups.len() > 1 {
            line(
                "shamir threshold:",
                if threshold == 0 {
                    format!("{} (all groups)", groups.len())
                } else {
                    threshold.to_string()
                },
            );
        }
        let sel = &o["selection"];
        line(
            "encrypts:",
            format!(
                "{} {:?}{}",
                s(&sel["kind"]),
                s(&sel["pattern"]),
                if sel["default"] == true {
                    " (default)"
                } else {
                    ""
                }
            ),
        );
        line("mac_only_encrypted:", s(&o["mac_only_encrypted"]));
    }
    t
}
