//! Which leaves are encrypted (spec §3): at most one rule per file, applied to whole subtrees
//! through the path, or through the comment stack for the comment rules.

use regex::Regex;

/// The six rule kinds, with their metadata / `.sops.yaml` / flag names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// `unencrypted_suffix`.
    UnencryptedSuffix,
    /// `encrypted_suffix`.
    EncryptedSuffix,
    /// `unencrypted_regex`.
    UnencryptedRegex,
    /// `encrypted_regex`.
    EncryptedRegex,
    /// `unencrypted_comment_regex`.
    UnencryptedCommentRegex,
    /// `encrypted_comment_regex`.
    EncryptedCommentRegex,
}

impl RuleKind {
    /// Every kind, in metadata field order.
    pub const ALL: [RuleKind; 6] = [
        RuleKind::UnencryptedSuffix,
        RuleKind::EncryptedSuffix,
        RuleKind::UnencryptedRegex,
        RuleKind::EncryptedRegex,
        RuleKind::UnencryptedCommentRegex,
        RuleKind::EncryptedCommentRegex,
    ];

    /// The metadata field name.
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::UnencryptedSuffix => "unencrypted_suffix",
            RuleKind::EncryptedSuffix => "encrypted_suffix",
            RuleKind::UnencryptedRegex => "unencrypted_regex",
            RuleKind::EncryptedRegex => "encrypted_regex",
            RuleKind::UnencryptedCommentRegex => "unencrypted_comment_regex",
            RuleKind::EncryptedCommentRegex => "encrypted_comment_regex",
        }
    }

    fn is_regex(self) -> bool {
        !matches!(
            self,
            RuleKind::UnencryptedSuffix | RuleKind::EncryptedSuffix
        )
    }
}

/// The active rule of a file.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Which rule.
    pub kind: RuleKind,
    /// The suffix or pattern as written.
    pub pattern: String,
    regex: Option<Regex>,
}

impl PartialEq for Rule {
    fn eq(&self, o: &Self) -> bool {
        self.kind == o.kind && self.pattern == o.pattern
    }
}

impl Rule {
    /// Build a rule; regex kinds compile the pattern (RE2-like syntax, unanchored search).
    pub fn new(kind: RuleKind, pattern: impl Into<String>) -> Result<Rule, regex::Error> {
        let pattern = pattern.into();
        let regex = if kind.is_regex() {
            Some(Regex::new(&pattern)?)
        } else {
            None
        };
        Ok(Rule {
            kind,
            pattern,
            regex,
        })
    }

    /// The default when a file names no rule.
    pub fn default_rule() -> Rule {
        Rule {
            kind: RuleKind::UnencryptedSuffix,
            pattern: "_unencrypted".into(),
            regex: None,
        }
    }

    /// Whether a leaf at `path` with comment stack `comments` is encrypted. `is_comment` is
    /// true when the leaf is itself the last comment of the stack's top frame.
    pub fn encrypts(&self, path: &[String], comments: &[Vec<String>], is_comment: bool) -> bool {
        let re = |s: &str| self.regex.as_ref().is_some_and(|r| r.is_match(s));
        match self.kind {
            RuleKind::UnencryptedSuffix => !path.iter().any(|k| k.ends_with(&self.pattern)),
            RuleKind::EncryptedSuffix => path.iter().any(|k| k.ends_with(&self.pattern)),
            RuleKind::UnencryptedRegex => !path.iter().any(|k| re(k)),
            RuleKind::EncryptedRegex => path.iter().any(|k| re(k)),
            RuleKind::UnencryptedCommentRegex => !stack(comments, false).any(re),
            // sops-compat: the marker comment itself stays plain; later comments of the
            // same run are encrypted.
            RuleKind::EncryptedCommentRegex => stack(comments, is_comment).any(re),
        }
    }
}

/// Every comment in the stack, optionally without the top frame's last line.
fn stack(frames: &[Vec<String>], skip_last: bool) -> impl Iterator<Item = &str> {
    let n = frames.len();
    frames.iter().enumerate().flat_map(move |(i, f)| {
        let take = if skip_last && i + 1 == n {
            f.len().saturating_sub(1)
        } else {
            f.len()
        };
        f[..take].iter().map(String::as_str)
    })
}
