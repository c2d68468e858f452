//! Walking the paths given to `decrypt`, `rotate`, `updatekeys` and `check`: a file stands
//! for itself, a directory for every file below it in sorted order, hidden directories
//! (`.git`, …) skipped. Symbolic links met below a directory are not followed: a link to `.`
//! would loop forever, and one to a file elsewhere would have `-i` write through it (a path
//! given on the command line is taken as given).

use std::path::{Path, PathBuf};

use super::Failure;

/// Append the files `p` stands for to `out`.
pub fn files(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), Failure> {
    if !p.is_dir() {
        if !p.exists() {
            return Err(Failure::new(100, format!("{}: no such file", p.display())));
        }
        out.push(p.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
        .map_err(|e| Failure::new(2, format!("{}: {e}", p.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        let hidden = e
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        let Ok(meta) = std::fs::symlink_metadata(&e) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            if !hidden {
                super::warn(&format!(
                    "{}: a symbolic link, skipped (links below a directory are not followed)",
                    e.display()
                ));
            }
        } else if meta.is_dir() {
            if !hidden {
                files(&e, out)?;
            }
        } else if meta.is_file() {
            out.push(e);
        }
    }
    Ok(())
}

/// True when `p` parses as an encrypted file (it has SOPS metadata with a MAC).
pub fn is_encrypted(p: &Path) -> bool {
    use leafseal::store::{Format, StoreOptions};
    leafseal::fsio::read_input(p)
        .ok()
        .and_then(|b| {
            leafseal::ops::load(&b, Format::from_path(Some(p)), &StoreOptions::default()).ok()
        })
        .is_some_and(|l| !l.meta.mac.is_empty())
}
