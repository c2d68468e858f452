//! `leafseal filestatus`: `{"encrypted":true}` iff the metadata loads and has a version and a MAC.

use leafseal::store::{Format, StoreOptions};

use super::args::FilestatusArgs;
use super::Failure;

/// Run `filestatus`.
pub fn run(a: FilestatusArgs) -> Result<(), Failure> {
    let name = a.file.display().to_string();
    if !a.file.exists() {
        return Err(Failure::new(100, format!("{name}: no such file")));
    }
    let bytes =
        std::fs::read(&a.file).map_err(|e| Failure::new(2, format!("{name}: cannot read: {e}")))?;
    let format = match &a.input_type {
        Some(t) => Format::from_name(t)
            .ok_or_else(|| Failure::new(1, format!("unknown file type {t:?}")))?,
        None => Format::from_path(Some(&a.file)),
    };
    let encrypted = leafseal::ops::load(&bytes, format, &StoreOptions::default())
        .map(|l| !l.meta.version.is_empty() && !l.meta.mac.is_empty())
        .unwrap_or(false);
    println!("{{\"encrypted\":{encrypted}}}");
    Ok(())
}
