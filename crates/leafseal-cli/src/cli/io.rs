//! Reading the input, choosing formats and writing the output, shared by the subcommands.

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use leafseal::ops::Sink;
use leafseal::store::{Format, StoreOptions};

use super::args::IoArgs;
use super::Failure;

/// The resolved input side.
pub struct Input {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Name used in messages.
    pub name: String,
    /// The file, unless stdin.
    pub path: Option<PathBuf>,
    /// Input format.
    pub format: Format,
    /// Output format.
    pub out_format: Format,
    /// Store options.
    pub store: StoreOptions,
}

/// For a file that failed to open as the binary store because its name has no known
/// extension (`secrets.enc`) while its text looks like a structured format: which
/// `--input-type` to pass. `explicit` when the user chose the type.
pub fn binary_hint(f: Failure, format: Format, explicit: bool, bytes: &[u8]) -> Failure {
    if format != Format::Binary || explicit {
        return f;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1 << 20)]);
    let line = |p: &str| head.lines().any(|l| l.starts_with(p));
    let guess = if head.trim_start().starts_with('{') {
        "json"
    } else if line("sops:") {
        "yaml"
    } else if line("[sops]") {
        "ini"
    } else if line("sops_version=") || line("sops_mac=") {
        "dotenv"
    } else {
        return f;
    };
    f.hint(format!(
        "the file was read as binary because its name has no .yaml/.json/.env/.ini/.toml \
         extension, but it looks like {guess}: pass --input-type {guess} (and --output-type \
         {guess} to keep that format)"
    ))
}

fn format_named(name: &str) -> Result<Format, Failure> {
    Format::from_name(name).ok_or_else(|| {
        Failure::new(1, format!("unknown file type {name:?}"))
            .hint(format!("use one of: {}", Format::NAMES.join(", ")))
    })
}

/// Read the input and resolve formats (spec §1.8): `--input-type`, else the file name
/// (`--filename-override` first); output from `--output-type`, else the same name.
pub fn read_input(io: &IoArgs, stdin_needs_name: bool) -> Result<Input, Failure> {
    if io.in_place && io.output.is_some() {
        return Err(Failure::new(
            8,
            "--in-place and --output cannot be used together",
        ));
    }
    let path = io.file.clone().filter(|p| p.as_os_str() != "-");
    let name_path: Option<PathBuf> = io.filename_override.clone().or_else(|| path.clone());
    if path.is_none() && io.in_place {
        return Err(Failure::new(8, "--in-place needs a file, not stdin"));
    }
    if path.is_none()
        && stdin_needs_name
        && io.filename_override.is_none()
        && io.input_type.is_none()
    {
        return Err(
            Failure::new(8, "reading from stdin: the input format is unknown")
                .hint("pass --filename-override NAME or --input-type TYPE"),
        );
    }
    leafseal::audit::set_subject(path.as_deref().unwrap_or(std::path::Path::new("-")));
    let (bytes, name) = match &path {
        Some(p) => {
            let name = p.display().to_string();
            if !p.exists() {
                return Err(
                    Failure::new(100, format!("{name}: no such file")).hint("check the path")
                );
            }
            let b = leafseal::fsio::read_input(p)
                .map_err(|e| Failure::new(2, format!("{name}: cannot read: {e}")))?;
            (b, name)
        }
        None => {
            let mut b = Vec::new();
            let max = leafseal::fsio::max_input();
            std::io::stdin()
                .take(max + 1)
                .read_to_end(&mut b)
                .map_err(|e| Failure::new(2, format!("<stdin>: cannot read: {e}")))?;
            if b.len() as u64 > max {
                return Err(Failure::new(
                    2,
                    format!("<stdin>: cannot read: input is larger than {max} bytes"),
                ));
            }
            (b, "<stdin>".to_string())
        }
    };
    let format = match &io.input_type {
        Some(t) => format_named(t)?,
        None => Format::from_path(name_path.as_deref()),
    };
    let out_format = match &io.output_type {
        Some(t) => format_named(t)?,
        None => Format::from_path(name_path.as_deref()),
    };
    let mut store = StoreOptions::default();
    if let Some(n) = io.indent {
        store.yaml_indent = if n == 0 {
            4
        } else if !(2..=9).contains(&n) {
            2
        } else {
            n
        };
        store.json_indent = Some(n);
    }
    Ok(Input {
        bytes,
        name,
        path,
        format,
        out_format,
        store,
    })
}

/// Where the output goes: the input file (`-i`), `--output`, or stdout (`None`).
fn target<'a>(io: &'a IoArgs, input: &'a Input) -> Option<&'a Path> {
    if io.in_place {
        input.path.as_deref()
    } else {
        io.output.as_deref()
    }
}

/// Write the result: `--output`, in place, or stdout. Nothing is written before this point.
pub fn write_output(
    io: &IoArgs,
    input: &Input,
    data: &[u8],
    plaintext: bool,
) -> Result<(), Failure> {
    super::flush_notes(&input.name);
    match target(io, input) {
        Some(p) => {
            // Decrypted output that creates a new file is private to the user.
            let mode = if plaintext { 0o600 } else { 0o644 };
            leafseal::fsio::write_atomic(p, data, mode)
                .map_err(|e| Failure::new(3, format!("{}: cannot write: {e}", p.display())))?;
            // An existing file keeps its permissions (as sops): say so when others can read
            // the plaintext now in it.
            if plaintext {
                use std::os::unix::fs::PermissionsExt;
                if let Ok(m) = std::fs::metadata(p) {
                    let perm = m.permissions().mode() & 0o777;
                    if m.is_file() && perm & 0o077 != 0 {
                        super::warn(&format!(
                            "{}: the decrypted data is in a file others can read (mode {perm:03o}, \
                             kept from the existing file); `chmod 600 {}` if that is not meant",
                            p.display(),
                            p.display()
                        ));
                    }
                }
            }
            Ok(())
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(data)
                .and_then(|_| out.flush())
                .map_err(Failure::stdout)
        }
    }
}

/// Ciphertext larger than this goes to stdout through an unlinked temporary file.
const SPOOL_IN_MEMORY: usize = 4 << 20;

/// Write encrypted output produced by `produce` as it comes, so it is never all in memory:
/// into a temporary file beside the target that replaces it on success, or, for stdout, into a
/// spool (memory, then an unlinked temporary file once large; ciphertext only) copied out once
/// complete. A failure leaves no partial output anywhere.
pub fn write_streamed(
    io: &IoArgs,
    input: &Input,
    produce: impl FnOnce(&mut dyn Sink) -> Result<(), Failure>,
) -> Result<(), Failure> {
    use leafseal::fsio::WriteError;
    match target(io, input) {
        Some(p) => {
            let done = leafseal::fsio::write_atomic_with(p, 0o644, |f| {
                produce(f).map_err(WriteError::Produce)
            });
            notes_unless_failed(&input.name, done.is_ok());
            done.map_err(|e| match e {
                WriteError::Io(e) => Failure::new(3, format!("{}: cannot write: {e}", p.display())),
                WriteError::Produce(f) => f,
            })
        }
        None => {
            let mut spool = tempfile::spooled_tempfile(SPOOL_IN_MEMORY);
            let done = produce(&mut spool);
            notes_unless_failed(&input.name, done.is_ok());
            done?;
            spool.rewind().map_err(Failure::stdout)?;
            let mut out = std::io::stdout().lock();
            std::io::copy(&mut spool, &mut out)
                .and_then(|_| out.flush())
                .map_err(Failure::stdout)
        }
    }
}

/// Print the library's warnings for a file written successfully; after a failure the error
/// says it all.
fn notes_unless_failed(name: &str, ok: bool) {
    if ok {
        super::flush_notes(name);
    } else {
        drop(leafseal::store::guard::take_notes());
    }
}
