//! Exit codes, the same numbers as SOPS (`cmd/sops/codes`). `docs/exit-codes.md` repeats this
//! table and a test keeps the two in sync.

use leafseal::ErrorKind;

/// `(code, meaning)` for every code leafseal can exit with.
pub const TABLE: &[(u8, &str)] = &[
    (0, "success"),
    (
        1,
        "generic error, usage error, missing metadata, key not found",
    ),
    (2, "could not read or parse the input"),
    (3, "could not write the output"),
    (4, "the tree cannot be written in the output format"),
    (7, "invalid value or path for set or unset"),
    (8, "conflicting parameters"),
    (
        23,
        "could not encrypt the tree (non-string key, integer above 2^63-1)",
    ),
    (25, "could not decrypt a value"),
    (51, "MAC mismatch or MAC not decryptable"),
    (91, "invalid tree path"),
    (92, "the file holds no document"),
    (100, "no file given, or the file does not exist"),
    (128, "no master key could recover the data key"),
    (200, "edit: the file has not changed"),
    (201, "edit: no editor found, or the editor failed"),
    (203, "the file is already encrypted"),
];

/// The exit code for a library error kind.
pub fn code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::ReadInput => 2,
        ErrorKind::WriteOutput => 3,
        ErrorKind::EmitTree => 4,
        ErrorKind::ConflictingParameters => 8,
        ErrorKind::EncryptTree => 23,
        ErrorKind::DecryptTree => 25,
        ErrorKind::MacMismatch => 51,
        ErrorKind::InvalidTreePath => 91,
        ErrorKind::EmptyFile => 92,
        ErrorKind::NoFile => 100,
        ErrorKind::NoDataKey => 128,
        ErrorKind::AlreadyEncrypted => 203,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn docs_table_matches_code() {
        let doc = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/exit-codes.md"
        ))
        .unwrap();
        let rows: Vec<(u8, String)> = doc
            .lines()
            .filter_map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                let code = cells.get(1)?.parse().ok()?;
                Some((code, cells.get(2)?.to_string()))
            })
            .collect();
        let want: Vec<(u8, String)> = super::TABLE
            .iter()
            .map(|(c, m)| (*c, m.to_string()))
            .collect();
        assert_eq!(rows, want);
    }
}
