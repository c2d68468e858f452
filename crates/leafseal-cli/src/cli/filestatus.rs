//! `leafseal filestatus`: `{"encrypted":true}` when the file has SOPS metadata with a version
//! and a MAC, `false` when it has none (or lacks either), an error when it cannot be read.

use leafseal::store::{Format, StoreOptions};

use super::args::FilestatusArgs;
use super::Failure;

/// Run `filestatus`.
pub fn run(a: FilestatusArgs) -> Result<(), Failure> {
    let name = a.file.display().to_string();
    if !a.file.exists() {
        return Err(Failure::new(100, format!("{name}: no such file")));
    }
    let bytes = leafseal::fsio::read_input(&a.file)
        .map_err(|e| Failure::new(2, format!("{name}: cannot read: {e}")))?;
    let format = match &a.input_type {
        Some(t) => Format::from_name(t)
            .ok_or_else(|| Failure::new(1, format!("unknown file type {t:?}")))?,
        None => Format::from_path(Some(&a.file)),
    };
    // sops-compat: a file that cannot be parsed, or whose metadata cannot be read, is an
    // error (exit 1), not "not encrypted": a pre-commit guard must not pass it.
    let encrypted =
        leafseal::ops::status(&bytes, format, &StoreOptions::default()).map_err(|e| {
            super::io::binary_hint(
                Failure::from_lib(&name, e),
                format,
                a.input_type.is_some(),
                &bytes,
            )
        })?;
    println!("{{\"encrypted\":{encrypted}}}");
    Ok(())
}
