//! Files written by every SOPS version we could gather (issue 22): sops 0.8 (the Python era)
//! through 3.13, from sops' own tree (example files, functional-test fixtures, documentation)
//! and from community.sops' test fixtures, all opened by test keys sops committed.
//! `testdata/old-sops/MANIFEST.md` lists every file, the version that wrote it, where it came
//! from and what is expected of it; this module reads that table.
//!
//! For every file, the reference sops and the binary under test run with the same private
//! GNUPGHOME (sops' committed functional-test keys) and age identity file (sops' committed
//! `age/keys.txt`):
//!
//! - `decrypt FILE`
//! - `decrypt --output-type json FILE`
//! - `filestatus FILE`
//! - `decrypt --ignore-mac FILE`, only where sops' own `decrypt` exits 51
//!
//! with the `--input-type`/`--output-type` a user would add when the name does not tell the
//! format (the manifest's flags column). The exit code must be the same, and so must stdout,
//! with one allowance: where the file is not in sops' canonical layout (files Python sops wrote,
//! files edited by hand), leafseal keeps the file's layout on decrypt and sops re-emits it
//! (docs/compat.md, "layout"), so a YAML or JSON output that differs from sops' only in layout
//! (same data, same comments, parsed and re-emitted by leafseal's YAML store or serde_json) is
//! listed as a note, not a failure. A difference in the final line break is a failure. Rows whose
//! expectation is `py-sops` are files sops 3 refuses but Python sops 1.18 decrypts: for those
//! `decrypt` and `decrypt --output-type json` must print `expected/<file>.decrypt` and
//! `expected/<file>.decrypt-json` and exit 0 (the manifest says how they were derived), while
//! `filestatus` is still compared with sops.
//!
//! Every mismatch is collected and the test fails once, listing each. The manifest also records
//! the exit code sops 3.11.0 gave for `decrypt` when the corpus was built; a different one
//! today means the keys were not set up (or the reference changed), which fails the test as a
//! harness error rather than letting both programs agree on "no key".
//!
//! Run it alone: `cargo test --test it old_sops -- --nocapture`.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use leafseal::store::{Side, Store};
use serde_json::Value;

use crate::keys_interop::GpgHome;
use crate::util::{testdata, testing_leafseal, tools, Output, Sandbox};

const MANIFEST: &str = "old-sops/MANIFEST.md";
/// The PGP keys (secret parts) every corpus file needs, imported once per run.
const PGP_KEYS: [&str; 2] = [
    "old-sops/keys/sops_functional_tests_key.be4a35e7f.asc",
    "old-sops/keys/sops_functional_tests_key.e9b9f7aee.asc",
];
const AGE_KEYS: &str = "old-sops/keys/age-keys.7ebee3dc7.txt";
const EXIT_MAC_MISMATCH: i32 = 51;

/// One row of the manifest's corpus table.
#[derive(Debug)]
struct Entry {
    file: String,
    /// `--input-type X`, when the name does not say it.
    input: Vec<String>,
    /// `--output-type X` for `decrypt`, when the name does not say it.
    output: Vec<String>,
    /// The exit code sops 3.11.0 gave for `decrypt` when the corpus was built.
    sops_exit: i32,
    /// Expected data comes from Python sops 1.18 (`expected/`), not from the reference.
    py_sops: bool,
}

impl Entry {
    fn path(&self) -> PathBuf {
        testdata(&format!("old-sops/files/{}", self.file))
    }
}

/// The corpus table: the rows of `MANIFEST.md` whose first cell is a backquoted file name.
fn corpus() -> Vec<Entry> {
    let text = std::fs::read_to_string(testdata(MANIFEST)).expect("read MANIFEST.md");
    let mut out = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("| `v")) {
        // | file | version | written | format | source | keys | flags | sops exit | expect | notes |
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        assert!(cells.len() >= 11, "malformed manifest row: {line}");
        let file = cells[1].trim_matches('`').to_owned();
        let (mut input, mut output) = (Vec::new(), Vec::new());
        let flags = cells[7].trim_matches('`');
        if flags != "—" {
            let words: Vec<&str> = flags.split_whitespace().collect();
            for pair in words.chunks(2) {
                match pair {
                    ["--input-type", t] => input = vec!["--input-type".into(), (*t).to_owned()],
                    ["--output-type", t] => output = vec!["--output-type".into(), (*t).to_owned()],
                    _ => panic!("unknown flags {flags:?} in manifest row for {file}"),
                }
            }
        }
        let sops_exit = cells[8]
            .parse()
            .unwrap_or_else(|_| panic!("bad `sops exit` cell {:?} for {file}", cells[8]));
        let py_sops = match cells[9] {
            "sops" => false,
            "py-sops" => true,
            other => panic!("unknown expectation {other:?} for {file}"),
        };
        out.push(Entry {
            file,
            input,
            output,
            sops_exit,
            py_sops,
        });
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Check {
    Decrypt,
    DecryptJson,
    Filestatus,
    DecryptIgnoreMac,
}

impl Check {
    fn args(self, e: &Entry) -> Vec<OsString> {
        let mut a: Vec<OsString> = Vec::new();
        let mut push = |s: &str| a.push(s.into());
        match self {
            Check::Decrypt | Check::DecryptIgnoreMac => {
                push("decrypt");
                if self == Check::DecryptIgnoreMac {
                    push("--ignore-mac");
                }
                e.input.iter().chain(&e.output).for_each(|s| push(s));
            }
            Check::DecryptJson => {
                push("decrypt");
                e.input.iter().for_each(|s| push(s));
                push("--output-type");
                push("json");
            }
            Check::Filestatus => {
                push("filestatus");
                e.input.iter().for_each(|s| push(s));
            }
        }
        a.push(e.path().into());
        a
    }

    /// The command as shown in the report (file name only).
    fn show(self, e: &Entry) -> String {
        let args = self.args(e);
        let mut s = String::new();
        for a in &args[..args.len() - 1] {
            let _ = write!(s, "{} ", a.to_string_lossy());
        }
        s.push_str(&e.file);
        s
    }
}

/// How a check's stdout is compared when its bytes differ from the expected ones.
#[derive(Clone, Copy, Debug, PartialEq)]
enum OutKind {
    Yaml,
    Json,
    Bytes,
}

fn out_kind(check: Check, e: &Entry) -> OutKind {
    let by_name = |t: &str| match t {
        "yaml" => OutKind::Yaml,
        "json" => OutKind::Json,
        _ => OutKind::Bytes,
    };
    match check {
        Check::Filestatus => OutKind::Bytes,
        Check::DecryptJson => OutKind::Json,
        Check::Decrypt | Check::DecryptIgnoreMac => {
            if let Some(t) = e.output.get(1).or(e.input.get(1)) {
                return by_name(t);
            }
            match Path::new(&e.file).extension().and_then(|x| x.to_str()) {
                Some("yaml" | "yml") => OutKind::Yaml,
                Some("json") => OutKind::Json,
                _ => OutKind::Bytes,
            }
        }
    }
}

/// Numbers become f64, so that `1.23456789045e+09` and `1234567890.45` compare equal.
fn normalise_json(v: &Value) -> Value {
    match v {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Value::Array(a) => Value::Array(a.iter().map(normalise_json).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalise_json(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The output's data (and, for YAML, comments) in one canonical layout, if it parses.
fn canonical(kind: OutKind, bytes: &[u8]) -> Option<String> {
    match kind {
        OutKind::Json => {
            let v: Value = serde_json::from_slice(bytes).ok()?;
            serde_json::to_string_pretty(&normalise_json(&v)).ok()
        }
        OutKind::Yaml => {
            let store = leafseal::store::yaml::YamlStore { indent: 4 };
            let doc = store.parse(bytes, Side::Plain).ok()?;
            let out = store.emit(&doc, None, Side::Plain).ok()?;
            Some(String::from_utf8_lossy(&out).into_owned())
        }
        OutKind::Bytes => None,
    }
}

/// Whether `got` differs from `want` only in layout (see the module docs).
fn layout_only(kind: OutKind, want: &[u8], got: &[u8]) -> bool {
    let trim = |b: &[u8]| {
        let n = b.iter().rev().take_while(|&&c| c == b'\n').count();
        b.len() - n
    };
    if want[..trim(want)] == got[..trim(got)] {
        return false; // only the final line breaks differ: that is a real difference
    }
    match (canonical(kind, want), canonical(kind, got)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

struct Env<'a> {
    sb: &'a Sandbox,
    sops: &'a Path,
    gnupghome: &'a Path,
    age_keys: PathBuf,
}

impl Env<'_> {
    fn run(&self, program: &Path, args: &[OsString]) -> Output {
        self.sb
            .cmd(program)
            .env("GNUPGHOME", self.gnupghome)
            .age_identity(&self.age_keys)
            .args(args)
            .run()
    }
}

struct Mismatch {
    file: String,
    command: String,
    want_code: i32,
    got_code: i32,
    oracle: &'static str,
    diff: String,
    got_stderr: String,
}

/// The first line of stderr that says something (sops prints warnings first).
fn stderr_line(o: &Output) -> String {
    let err = o.stderr_str();
    let line = err
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.contains("level=warning"))
        .unwrap_or("");
    clip(line, 200)
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}…")
}

/// A short description of how `got` differs from `want` (empty when they are equal).
fn short_diff(want: &[u8], got: &[u8]) -> String {
    if want == got {
        return String::new();
    }
    let w = String::from_utf8_lossy(want);
    let g = String::from_utf8_lossy(got);
    let sizes = format!("expected {} bytes, got {} bytes", want.len(), got.len());
    if w.trim_end_matches('\n') == g.trim_end_matches('\n') {
        let nl = |s: &str| s.len() - s.trim_end_matches('\n').len();
        return format!(
            "only the final newlines differ: expected {}, got {} ({sizes})",
            nl(&w),
            nl(&g)
        );
    }
    let same_json = matches!(
        (
            serde_json::from_slice::<serde_json::Value>(want),
            serde_json::from_slice::<serde_json::Value>(got),
        ),
        (Ok(a), Ok(b)) if a == b
    );
    let wl: Vec<&str> = w.split('\n').collect();
    let gl: Vec<&str> = g.split('\n').collect();
    let i = (0..wl.len().max(gl.len()))
        .find(|&i| wl.get(i) != gl.get(i))
        .unwrap_or(0);
    let show = |v: &[&str]| match v.get(i) {
        Some(l) => format!("{:?}", clip(l, 160)),
        None => "<end>".to_owned(),
    };
    format!(
        "{}first difference at line {}: expected {} got {} ({sizes})",
        if same_json {
            "same JSON data, different bytes; "
        } else {
            ""
        },
        i + 1,
        show(&wl),
        show(&gl)
    )
}

/// What one corpus file gave: mismatches, layout-only differences, harness errors.
#[derive(Default)]
struct FileResult {
    mismatches: Vec<Mismatch>,
    layout_only: Vec<Mismatch>,
    harness: Vec<String>,
}

/// Runs every check of one corpus file.
fn check_file(env: &Env, e: &Entry) -> FileResult {
    let under_test = crate::util::under_test();
    let mut res = FileResult::default();
    let (mismatches, harness) = (&mut res.mismatches, &mut res.harness);
    let py_sops = e.py_sops && testing_leafseal();

    let ref_decrypt = env.run(env.sops, &Check::Decrypt.args(e));
    if ref_decrypt.code != e.sops_exit {
        harness.push(format!(
            "{}: the reference sops exited {} on `decrypt`, the manifest says {} (keys not \
             imported, or another sops?)\n    sops stderr: {}",
            e.file,
            ref_decrypt.code,
            e.sops_exit,
            stderr_line(&ref_decrypt)
        ));
    }
    let mut checks = vec![Check::Decrypt, Check::DecryptJson, Check::Filestatus];
    if ref_decrypt.code == EXIT_MAC_MISMATCH {
        checks.push(Check::DecryptIgnoreMac);
    }
    for check in checks {
        let args = check.args(e);
        let got = env.run(&under_test, &args);
        let (oracle, want_code, want_out): (&'static str, i32, Vec<u8>) = match check {
            Check::Decrypt | Check::DecryptJson if py_sops => {
                let suffix = if check == Check::Decrypt {
                    "decrypt"
                } else {
                    "decrypt-json"
                };
                let p = testdata(&format!("old-sops/expected/{}.{suffix}", e.file));
                let bytes =
                    std::fs::read(&p).unwrap_or_else(|err| panic!("read {}: {err}", p.display()));
                ("py-sops data", 0, bytes)
            }
            Check::Decrypt => ("sops", ref_decrypt.code, ref_decrypt.stdout.clone()),
            _ => {
                let r = env.run(env.sops, &args);
                ("sops", r.code, r.stdout)
            }
        };
        if got.code != want_code || got.stdout != want_out {
            let layout =
                got.code == want_code && layout_only(out_kind(check, e), &want_out, &got.stdout);
            let list = if layout {
                &mut res.layout_only
            } else {
                &mut *mismatches
            };
            list.push(Mismatch {
                file: e.file.clone(),
                command: check.show(e),
                want_code,
                got_code: got.code,
                oracle,
                diff: short_diff(&want_out, &got.stdout),
                got_stderr: stderr_line(&got),
            });
        }
    }
    res
}

#[test]
fn every_old_sops_file_reads_as_sops_reads_it() {
    let Some(sops) = tools::sops() else { return };
    let Some(gpg) = tools::gpg() else { return };
    let started = Instant::now();
    let corpus = corpus();
    assert!(
        corpus.len() > 50,
        "the manifest lists only {} files",
        corpus.len()
    );

    let sb = Sandbox::new();
    let gnupg = GpgHome::empty(&sb, "gnupg");
    for key in PGP_KEYS {
        sb.cmd(&gpg)
            .env("GNUPGHOME", gnupg.path())
            .args(["--batch", "--import"])
            .arg(testdata(key))
            .run()
            .assert_success();
    }
    let env = Env {
        sb: &sb,
        sops: &sops,
        gnupghome: gnupg.path(),
        age_keys: testdata(AGE_KEYS),
    };
    if !testing_leafseal() {
        eprintln!(
            "note: the binary under test is not leafseal; the {} `py-sops` rows are compared \
             with sops instead of with expected/",
            corpus.iter().filter(|e| e.py_sops).count()
        );
    }

    // Each child mostly waits for gpg, so run a few files at once.
    let workers = std::thread::available_parallelism()
        .map_or(4, |n| n.get() * 2)
        .clamp(4, 8);
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(e) = corpus.get(i) else { break };
                let r = check_file(&env, e);
                results.lock().unwrap().push((i, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);

    let mut mismatches = Vec::new();
    let mut layout = Vec::new();
    let mut harness = Vec::new();
    for (_, r) in results {
        mismatches.extend(r.mismatches);
        layout.extend(r.layout_only);
        harness.extend(r.harness);
    }
    let checks = corpus.len() * 3;
    eprintln!(
        "old_sops: {} files, {} mismatches, {} layout-only differences, {:.1} s",
        corpus.len(),
        mismatches.len(),
        layout.len(),
        started.elapsed().as_secs_f64()
    );
    if !layout.is_empty() {
        let mut note = format!(
            "old_sops: {} outputs differ from sops only in layout (allowed: docs/compat.md, \
             \"layout\"):\n",
            layout.len()
        );
        for m in &layout {
            let _ = writeln!(note, "  {} :: `{}`: {}", m.file, m.command, m.diff);
        }
        eprintln!("{note}");
    }
    if harness.is_empty() && mismatches.is_empty() {
        return;
    }
    let mut report = String::new();
    if !harness.is_empty() {
        let _ = writeln!(report, "HARNESS ERRORS (fix these first):");
        for h in &harness {
            let _ = writeln!(report, "  {h}");
        }
    }
    let _ = writeln!(
        report,
        "{} mismatches in about {checks} checks of {} old sops files \
         (testdata/old-sops/MANIFEST.md); {} layout-only differences are allowed (listed on \
         stderr):",
        mismatches.len(),
        corpus.len(),
        layout.len()
    );
    for m in &mismatches {
        let _ = writeln!(
            report,
            "- {} :: `{}`\n    exit: {} {} / under test {}{}{}",
            m.file,
            m.command,
            m.oracle,
            m.want_code,
            m.got_code,
            if m.diff.is_empty() {
                String::new()
            } else {
                format!("\n    stdout: {}", m.diff)
            },
            if m.got_stderr.is_empty() {
                String::new()
            } else {
                format!("\n    under test said: {}", m.got_stderr)
            },
        );
    }
    panic!("{report}");
}
