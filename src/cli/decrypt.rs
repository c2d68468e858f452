//! `leafseal decrypt`.

use leafseal::ops::{self, DecryptOptions};
use leafseal::tree::path;

use super::args::DecryptArgs;
use super::io::{read_input, write_output};
use super::{warn, Failure};

/// `--decryption-order`: a comma list of key types; a repeated type is exit 112.
pub fn order(spec: Option<&str>) -> Result<Vec<String>, Failure> {
    let Some(spec) = spec.filter(|s| !s.trim().is_empty()) else {
        return Ok(vec!["age".into(), "pgp".into()]);
    };
    let mut out: Vec<String> = Vec::new();
    for t in spec
        .split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
    {
        if out.contains(&t) {
            return Err(Failure::new(
                112,
                format!("--decryption-order: key type {t:?} given twice"),
            ));
        }
        out.push(t);
    }
    Ok(out)
}

/// Run `decrypt`.
pub fn run(a: DecryptArgs) -> Result<(), Failure> {
    let extract = match &a.extract {
        Some(p) => {
            let file =
                a.io.file
                    .as_ref()
                    .map(|f| f.display().to_string())
                    .unwrap_or_else(|| "<stdin>".into());
            Some(path::parse(p).map_err(|e| Failure::new(91, format!("{file}: --extract: {e}")))?)
        }
        None => None,
    };
    let input = read_input(&a.io, false)?;
    let opts = DecryptOptions {
        input: input.format,
        output: input.out_format,
        store: input.store,
        ignore_mac: a.ignore_mac,
        extract,
        decryption_order: order(a.decryption_order.as_deref())?,
    };
    let out = ops::decrypt(&input.bytes, &opts).map_err(|e| Failure::from_lib(&input.name, e))?;
    for w in &out.warnings {
        warn(&format!("{}: {w}", input.name));
    }
    write_output(&a.io, &input, &out.output, true)
}
