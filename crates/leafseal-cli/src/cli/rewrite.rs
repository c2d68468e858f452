//! `leafseal set` and `leafseal unset`: change one value of an encrypted file in place, keeping
//! the data key and the ciphertext of every other value.

use std::io::Read;
use std::path::Path;

use leafseal::ops::rewrite::{from_json, set_value, unset_value, Session};
use leafseal::store::{Format, StoreOptions};
use leafseal::tree::path;

use super::args::{RewriteArgs, SetArgs, UnsetArgs};
use super::decrypt::order;
use super::Failure;

struct Opened {
    session: Session,
    original: Vec<u8>,
    name: String,
    out_format: Format,
}

fn open(file: &Path, c: &RewriteArgs) -> Result<Opened, Failure> {
    let name = file.display().to_string();
    if !file.exists() {
        // sops-compat: set/unset report a missing file as a read error (exit 2).
        return Err(Failure::new(2, format!("{name}: no such file")));
    }
    let original = leafseal::fsio::read_input(file)
        .map_err(|e| Failure::new(2, format!("{name}: cannot read: {e}")))?;
    leafseal::audit::set_subject(file);
    let format = match &c.input_type {
        Some(t) => Format::from_name(t)
            .ok_or_else(|| Failure::new(1, format!("unknown file type {t:?}")))?,
        None => Format::from_path(Some(file)),
    };
    // sops-compat: with another --output-type the file is rewritten in that format.
    let out_format = match &c.output_type {
        Some(t) => Format::from_name(t)
            .ok_or_else(|| Failure::new(1, format!("unknown file type {t:?}")))?,
        None => format,
    };
    let order = order(c.decryption_order.as_deref())?;
    let session = Session::open(
        &original,
        format,
        StoreOptions::default(),
        &order,
        c.ignore_mac,
    )
    .map_err(|e| {
        let f = Failure::from_lib(&name, e);
        super::io::binary_hint(f, format, c.input_type.is_some(), &original)
    })?;
    Ok(Opened {
        session,
        original,
        name,
        out_format,
    })
}

fn save(file: &Path, o: &mut Opened) -> Result<(), Failure> {
    let doc = o.session.doc.clone();
    let out = o
        .session
        .seal_as(doc, &o.original, o.out_format)
        .map_err(|e| Failure::from_lib(&o.name, e))?;
    super::flush_notes(&o.name);
    leafseal::fsio::write_atomic(file, &out, 0o644)
        .map_err(|e| Failure::new(3, format!("{}: cannot write: {e}", o.name)))
}

/// Run `set`.
pub fn set(a: SetArgs) -> Result<(), Failure> {
    // sops-compat: a malformed path is "invalid set format" (exit 7) here, not exit 91.
    let steps =
        path::parse(&a.path).map_err(|e| Failure::new(7, format!("{}: {e}", a.file.display())))?;
    let text = match (a.value_stdin, a.value_file, &a.value) {
        (true, _, None) => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Failure::new(2, format!("<stdin>: cannot read: {e}")))?;
            s
        }
        (false, true, Some(f)) => std::fs::read_to_string(f)
            .map_err(|e| Failure::new(2, format!("{f}: cannot read: {e}")))?,
        (false, false, Some(v)) => v.clone(),
        _ => {
            return Err(Failure::new(
                1,
                "give exactly one of VALUE, --value-file FILE or --value-stdin",
            ))
        }
    };
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Failure::new(7, format!("value is not valid JSON: {e}"))
            .hint("quote strings as JSON: '\"text\"'")
    })?;
    let mut o = open(&a.file, &a.common)?;
    let changed = set_value(&mut o.session.doc, &steps, from_json(&json))
        .map_err(|e| Failure::from_lib(&o.name, e))?;
    if !changed && a.common.idempotent {
        return Ok(());
    }
    save(&a.file, &mut o)
}

/// Run `unset`.
pub fn unset(a: UnsetArgs) -> Result<(), Failure> {
    let steps =
        path::parse(&a.path).map_err(|e| Failure::new(7, format!("{}: {e}", a.file.display())))?;
    let mut o = open(&a.file, &a.common)?;
    let removed =
        unset_value(&mut o.session.doc, &steps).map_err(|e| Failure::from_lib(&o.name, e))?;
    if !removed {
        if a.common.idempotent {
            return Ok(());
        }
        return Err(Failure::new(
            1,
            format!("{}: key not found: {}", o.name, a.path),
        ));
    }
    save(&a.file, &mut o)
}
