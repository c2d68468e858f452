//! `.sops.yaml` (spec §8): where the configuration file is, what it says, and how it combines
//! with the command line. [`find`] locates and loads the file, [`Config::rule_for`] picks the
//! creation rule for a target file, and `resolve` applies SOPS's precedence between key flags,
//! selection flags and the matching rule, giving the key groups and options for encryption.
//!
//! Keys stay plain strings per backend ([`KeyGroupSpec`]) until [`CreationRule::build_groups`]
//! hands them to the registered backends, so reading a configuration never depends on which
//! backends this build has; only using one of its keys does.

mod destination;
mod parse;
mod resolve;
mod rules;

#[cfg(test)]
mod tests;

use std::path::{Component, Path, PathBuf};

pub use destination::DestinationRule;
pub use resolve::{resolve, KeyFlags, Resolved};
pub use rules::{CreationRule, KeyGroupSpec};

use crate::store::{Format, StoreOptions};

/// The only file name SOPS reads.
pub const CONFIG_FILE_NAME: &str = ".sops.yaml";

/// A name users often try; SOPS warns about it and never reads it.
pub const ALTERNATE_FILE_NAME: &str = ".sops.yml";

/// How many directories the lookup visits, the working directory included.
pub const MAX_DEPTH: usize = 100;

/// The message SOPS prints when there is nothing to encrypt to.
pub const NO_KEYS_MESSAGE: &str =
    "config file not found, or has no creation rules, and no keys provided through command line options";

/// Why a configuration could not be found, read or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file exists (or was named) but could not be read.
    #[error("could not read config file {}: {message}", path.display())]
    Read {
        /// The configuration file.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// The file is not valid YAML, or a field has the wrong shape.
    #[error("error loading config {}: {place}{message}", path.display())]
    Invalid {
        /// The configuration file.
        path: PathBuf,
        /// Where (`creation_rules[2].age (line 7): `), empty for the whole file.
        place: String,
        /// What is wrong.
        message: String,
    },
    /// The file has creation rules but none matches the target.
    #[error("error loading config {}: no matching creation rules found for {file:?}", path.display())]
    NoMatchingRule {
        /// The configuration file.
        path: PathBuf,
        /// The path the rules were matched against.
        file: String,
    },
    /// Neither a usable creation rule nor key flags.
    #[error("{NO_KEYS_MESSAGE}")]
    NoKeys,
    /// A key names a backend this build does not have.
    #[error("{place}{backend} keys are not supported by this build yet")]
    Unsupported {
        /// Where the key came from (`{file}: creation_rules[0].key_groups[1]: ` or `--pgp: `).
        place: String,
        /// The metadata name of the backend.
        backend: String,
    },
    /// A backend rejected a key string.
    #[error("{place}{message}")]
    Key {
        /// Where the key came from, as for [`ConfigError::Unsupported`].
        place: String,
        /// The backend's complaint.
        message: String,
    },
    /// Command-line options contradict each other or the configuration (exit 8).
    #[error("{message}")]
    Conflict {
        /// What conflicts.
        message: String,
    },
    /// The working directory could not be determined.
    #[error("cannot determine the working directory: {message}")]
    Cwd {
        /// The I/O error.
        message: String,
    },
}

impl ConfigError {
    /// True when the CLI should exit 8 (conflicting parameters) rather than 1.
    pub fn is_conflict(&self) -> bool {
        matches!(self, ConfigError::Conflict { .. })
    }

    /// The SOPS exit code for this error: 8 for conflicts, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        if self.is_conflict() {
            8
        } else {
            1
        }
    }
}

impl ConfigError {
    /// The library error for this failure. (Not a `From` impl: another `From` for
    /// [`crate::Error`] would make `?` ambiguous in closures elsewhere in the crate.)
    pub fn into_error(self) -> crate::Error {
        let kind = if self.is_conflict() {
            crate::ErrorKind::ConflictingParameters
        } else {
            crate::ErrorKind::Generic
        };
        let err = crate::Error::new(kind, self.to_string());
        match self {
            ConfigError::NoKeys => err.hint("add a creation rule to .sops.yaml, or pass keys with --age (or SOPS_AGE_RECIPIENTS)"),
            _ => err,
        }
    }
}

/// Output options from `stores:`, already checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stores {
    /// `stores.yaml.indent` (0 or absent: not set, see [`StoreOptions::yaml_indent`]).
    pub yaml_indent: usize,
    /// `stores.json.indent`: `None` is a tab (-1, the default).
    pub json_indent: Option<usize>,
    /// `stores.json_binary.indent`, used for the binary store's JSON.
    pub json_binary_indent: Option<usize>,
}

impl Default for Stores {
    fn default() -> Self {
        let d = StoreOptions::default();
        Stores {
            yaml_indent: d.yaml_indent,
            json_indent: d.json_indent,
            json_binary_indent: d.json_indent,
        }
    }
}

impl Stores {
    /// The store options for writing `format`: the binary store takes `json_binary`.
    pub fn options(&self, format: Format) -> StoreOptions {
        // Not a `match`: every match on Format lives in store/mod.rs.
        let json_indent = if format == Format::Binary {
            self.json_binary_indent
        } else {
            self.json_indent
        };
        StoreOptions {
            yaml_indent: self.yaml_indent,
            json_indent,
        }
    }
}

/// A loaded `.sops.yaml`.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file it came from (absolute when found through [`find`]).
    pub path: PathBuf,
    /// `creation_rules`. `None` when the key is absent or null: SOPS then behaves as if there
    /// were no configuration for keys, while an empty list means "no rule matches".
    pub creation_rules: Option<Vec<CreationRule>>,
    /// `destination_rules` (for `publish`), in file order.
    pub destination_rules: Vec<DestinationRule>,
    /// `stores`.
    pub stores: Stores,
    /// Things the caller should print to stderr (an ignored `.sops.yml`).
    pub warnings: Vec<String>,
}

impl Config {
    /// Parse configuration text. `path` is used in messages and kept in [`Config::path`].
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        parse::parse(text, path)
    }

    /// Read and parse a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let bytes = std::fs::read(path).map_err(|e| ConfigError::Read {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| ConfigError::Invalid {
            path: path.to_owned(),
            place: String::new(),
            message: "the file is not valid UTF-8".into(),
        })?;
        Config::parse(&text, path)
    }

    /// The directory holding the configuration, the base for relative rule matching.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("/"))
    }

    /// The creation rule for `file`: the first whose `path_regex` matches (an absent or empty
    /// regex matches everything). The matched path is the absolute path of `file`, relative to
    /// `config_dir` when the file lies below it. `file` need not exist; a relative `file` or
    /// `config_dir` is taken from the process's working directory.
    ///
    /// `Ok(None)` when the configuration has no `creation_rules` at all; an error when it has
    /// some but none matches, or when the matching rule is invalid (bad regex, several
    /// selection rules). Rules after the match are not checked.
    pub fn rule_for(
        &self,
        file: &Path,
        config_dir: &Path,
    ) -> Result<Option<&CreationRule>, ConfigError> {
        let Some(rules) = &self.creation_rules else {
            return Ok(None);
        };
        let cwd = current_dir()?;
        let target = match_path(&absolute(file, &cwd), &absolute(config_dir, &cwd));
        for rule in rules {
            // sops-compat: regexes are compiled in order and only up to the match, so a broken
            // rule after the matching one goes unnoticed.
            if rule.matches(&target)? {
                rule.check()?;
                return Ok(Some(rule));
            }
        }
        // sops-compat: SOPS fails here even when keys come from flags.
        Err(ConfigError::NoMatchingRule {
            path: self.path.clone(),
            file: target,
        })
    }
}

/// The outcome of the directory walk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lookup {
    /// The `.sops.yaml` found, if any.
    pub path: Option<PathBuf>,
    /// A warning about an ignored `.sops.yml`, to print even when nothing was found.
    pub warning: Option<String>,
}

/// Walk from `cwd` up to [`MAX_DEPTH`] directories looking for `.sops.yaml`.
pub fn lookup(cwd: &Path) -> Lookup {
    let mut dir = clean(cwd);
    let mut alternate: Option<PathBuf> = None;
    for _ in 0..MAX_DEPTH {
        let candidate = dir.join(CONFIG_FILE_NAME);
        // sops-compat: SOPS only stats the name, so anything called `.sops.yaml` stops the
        // walk (and a directory of that name then fails to read).
        if std::fs::metadata(&candidate).is_ok() {
            let warning = alternate.map(|alt| {
                format!(
                    "ignoring {:?} when searching for config file; the config file must be called {CONFIG_FILE_NAME:?}; using {:?} instead",
                    alt.display().to_string(),
                    candidate.display().to_string()
                )
            });
            return Lookup {
                path: Some(candidate),
                warning,
            };
        }
        if alternate.is_none() {
            let alt = dir.join(ALTERNATE_FILE_NAME);
            if std::fs::metadata(&alt).is_ok() {
                alternate = Some(alt);
            }
        }
        match dir.parent() {
            Some(p) => dir = p.to_path_buf(),
            // At the root `..` is the root again; SOPS keeps looking there, which finds nothing new.
            None => break,
        }
    }
    let warning = alternate.map(|alt| {
        format!(
            "ignoring {:?} when searching for config file; the config file must be called {CONFIG_FILE_NAME:?}",
            alt.display().to_string()
        )
    });
    Lookup {
        path: None,
        warning,
    }
}

/// Find and load the configuration: `explicit` (`--config` / `SOPS_CONFIG`, which must be
/// readable) if given, else `.sops.yaml` in `cwd` or one of its parents. The returned path is
/// absolute. SOPS searches from the working directory, not from the target file's directory.
///
/// An ignored `.sops.yml` ends up in [`Config::warnings`]; when no configuration is found at
/// all that warning is lost, so a CLI that wants it then calls [`lookup`] itself.
pub fn find(explicit: Option<&Path>, cwd: &Path) -> Result<Option<(PathBuf, Config)>, ConfigError> {
    let (path, warning) = match explicit {
        Some(p) => (absolute(p, cwd), None),
        None => {
            let found = lookup(cwd);
            match found.path {
                Some(p) => (p, found.warning),
                None => return Ok(None),
            }
        }
    };
    let mut config = Config::load(&path)?;
    config.warnings.extend(warning);
    Ok(Some((path, config)))
}

fn current_dir() -> Result<PathBuf, ConfigError> {
    std::env::current_dir().map_err(|e| ConfigError::Cwd {
        message: e.to_string(),
    })
}

/// `path` made absolute against `cwd` and cleaned lexically, like Go's `filepath.Abs`: `.` is
/// dropped and `..` removes the previous component without consulting the file system, so the
/// file need not exist.
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    if path.is_absolute() {
        clean(path)
    } else {
        clean(&cwd.join(path))
    }
}

/// Lexical cleaning (Go `filepath.Clean` for absolute paths).
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => out.push(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                // At the root `..` stays at the root; in a relative path it is kept.
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            Component::Normal(n) => out.push(n),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The string rules are matched against: `file` with the `config_dir/` prefix stripped, with
/// `/` separators. Both paths are absolute and clean.
pub fn match_path(file: &Path, config_dir: &Path) -> String {
    let file = slashes(file);
    let prefix = format!("{}/", slashes(config_dir));
    // sops-compat: a plain string prefix test, so a config in `/` (prefix `//`) never strips.
    match file.strip_prefix(&prefix) {
        Some(rel) => rel.to_owned(),
        None => file,
    }
}

fn slashes(p: &Path) -> String {
    let s = p.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}
