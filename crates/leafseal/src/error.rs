//! The library error: a message that already names the file and the place inside it, an
//! optional hint, and a small stable [`ErrorKind`] the CLI maps to SOPS's exit codes.

use std::fmt;

/// What kind of failure, one per SOPS exit code the library can cause.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Anything else (exit 1): missing metadata, key not found, bad version.
    Generic,
    /// Input could not be read or parsed (exit 2).
    ReadInput,
    /// Output could not be written (exit 3).
    WriteOutput,
    /// The tree cannot be written in the output format (exit 4).
    EmitTree,
    /// Options conflict (exit 8).
    ConflictingParameters,
    /// A value could not be encrypted: non-string key, uint64 (exit 23).
    EncryptTree,
    /// A value could not be decrypted (exit 25).
    DecryptTree,
    /// The MAC does not match or cannot be read (exit 51).
    MacMismatch,
    /// A tree path is malformed (exit 91).
    InvalidTreePath,
    /// The file holds no document (exit 92).
    EmptyFile,
    /// No file given or it does not exist (exit 100).
    NoFile,
    /// No master key could unwrap the data key (exit 128).
    NoDataKey,
    /// The file is already encrypted (exit 203).
    AlreadyEncrypted,
}

/// A leafseal failure. Never carries plaintext or key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The kind, for exit codes.
    pub kind: ErrorKind,
    /// One line (or, for key recovery, a report), lowercase start, no final period.
    pub message: String,
    /// What the user can do about it.
    pub hint: Option<String>,
}

impl Error {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    /// Add a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Result alias.
pub type Result<T> = std::result::Result<T, Error>;
