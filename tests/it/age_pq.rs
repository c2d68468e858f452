//! age beyond X25519 and SSH (issue 19): post-quantum recipients (`age1pq1…`, the hybrid
//! `mlkem768x25519` stanza) and identities (`AGE-SECRET-KEY-PQ-1…`), age plugins
//! (`age1NAME1…` / `AGE-PLUGIN-NAME-1…`, with the TEST-ONLY plugin in `tests/age-plugin/`),
//! passphrase-protected identity files, and the limits of `SOPS_AGE_KEY_CMD`.
//!
//! The post-quantum key pairs are made by each test with the age crate (nothing to keep in
//! `testdata/`). Interop runs the reference sops (a build of sops' main with filippo.io/age
//! 1.3.1, which reads and writes `age1pq1…` and drives plugins) both ways. Questions to a person
//! are tested both without a terminal (`setsid`: no controlling terminal, a clear error at
//! once) and with one (`script` gives the program a pseudo-terminal and types the answer).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use age::secrecy::ExposeSecret;

use crate::util::keys::{AGE1, AGE2};
use crate::util::{manifest_dir, tools, Cmd, Output, Sandbox};

/// sops 3.11 and leafseal: no data key could be recovered.
const EXIT_NO_DATA_KEY: i32 = 128;

const PLAIN_YAML: &str = "user: alice\npassword: hunter2\nport: 5432\n";
const PLAIN_JSON: &str = "{\n    \"user\": \"alice\",\n    \"password\": \"hunter2\"\n}\n";
const PLAIN_ENV: &str = "USER=alice\nPASSWORD=hunter2\n";
const PLAIN_INI: &str = "[db]\nuser = alice\npassword = hunter2\n";

/// The inputs of the per-store checks.
const STORES: [(&str, &str); 4] = [
    ("in.yaml", PLAIN_YAML),
    ("in.json", PLAIN_JSON),
    ("in.env", PLAIN_ENV),
    ("in.ini", PLAIN_INI),
];

/// A fresh post-quantum key pair: (recipient, identity line).
fn pq_pair() -> (String, String) {
    let id = age::pq::Identity::generate();
    (
        id.to_public().to_string(),
        id.to_string().expose_secret().to_owned(),
    )
}

/// Fails the test (with every failure listed) when `failures` is not empty.
#[track_caller]
fn report(failures: Vec<String>) {
    assert!(failures.is_empty(), "{}", failures.join("\n\n=====\n\n"));
}

/// The line of `text` holding `needle` must hold all of it (a long recipient is not folded).
fn on_one_line(text: &str, needle: &str) -> bool {
    let head = &needle[..20];
    text.lines()
        .filter(|l| l.contains(head))
        .all(|l| l.contains(needle))
        && text.contains(needle)
}

// ---------------------------------------------------------------------------------------------
// post-quantum

/// A file encrypted to a post-quantum and an X25519 recipient opens with either identity
/// alone (from a key file, or from `SOPS_AGE_KEY`), and not without one; the recipients come
/// from `--age` and from `SOPS_AGE_RECIPIENTS`.
#[test]
fn pq_and_x25519_recipients_each_open_the_file() {
    let sb = Sandbox::new();
    let (pq, pq_id) = pq_pair();
    sb.write("in.yaml", PLAIN_YAML);
    let pq_file = sb.write("pq.txt", format!("# test only\n{pq_id}\n"));
    let both = format!("{pq},{}", AGE1.recipient);
    let by_flag = sb
        .leafseal()
        .args(["encrypt", "--age", &both, "in.yaml"])
        .run();
    by_flag.assert_success();
    let by_env = sb
        .leafseal()
        .env("SOPS_AGE_RECIPIENTS", &both)
        .args(["encrypt", "in.yaml"])
        .run();
    by_env.assert_success();
    let mut failures = Vec::new();
    for (name, enc) in [("flag.yaml", &by_flag), ("env.yaml", &by_env)] {
        let text = enc.stdout_str();
        if !on_one_line(&text, &pq) {
            failures.push(format!(
                "{name}: the age1pq1 recipient is not on one line\n{text}"
            ));
        }
        sb.write(name, &enc.stdout);
        for (who, c) in [
            ("pq key file", sb.leafseal().age_identity(&pq_file)),
            (
                "x25519 key file",
                sb.leafseal().age_identity(AGE1.identity_file()),
            ),
            (
                "pq in SOPS_AGE_KEY",
                sb.leafseal().env("SOPS_AGE_KEY", &pq_id),
            ),
            (
                "both on one line of SOPS_AGE_KEY",
                sb.leafseal()
                    .env("SOPS_AGE_KEY", format!("{} {pq_id}", AGE2.secret_key())),
            ),
        ] {
            if who.starts_with("both") && !crate::util::testing_leafseal() {
                continue; // several identities on one line: SOPS 3.13+, not the reference
            }
            let out = c.args(["decrypt", name]).run();
            if out.code != 0 || out.stdout != PLAIN_YAML.as_bytes() {
                failures.push(format!("{name} with {who}:\n{}", out.describe()));
            }
        }
        let none = sb.leafseal().args(["decrypt", name]).run();
        if none.code != EXIT_NO_DATA_KEY {
            failures.push(format!("{name} without identity:\n{}", none.describe()));
        }
    }
    report(failures);
}

/// Interop in every store: sops encrypts to a post-quantum recipient and leafseal decrypts to
/// what `sops decrypt` prints; leafseal encrypts, keeps the ~2,000-character recipient on one
/// line, and sops decrypts that file to what it decrypts its own encryption to.
#[test]
fn pq_interop_with_sops_in_every_store() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let (pq, pq_id) = pq_pair();
    assert!(
        pq.len() > 1900,
        "a post-quantum recipient is long: {}",
        pq.len()
    );
    let id_file = sb.write("pq.txt", format!("{pq_id}\n"));
    let mut failures = Vec::new();
    for (name, plain) in STORES {
        sb.write(name, plain);
        let ext = name.rsplit('.').next().unwrap_or("");
        let s_enc = sb.cmd(&sops).args(["encrypt", "--age", &pq, name]).run();
        s_enc.assert_success();
        let s_name = format!("sops.{ext}");
        sb.write(&s_name, &s_enc.stdout);
        let want = sb
            .cmd(&sops)
            .age_identity(&id_file)
            .args(["decrypt", &s_name])
            .run();
        want.assert_success();
        let got = sb
            .leafseal()
            .age_identity(&id_file)
            .args(["decrypt", &s_name])
            .run();
        if got.code != 0 || got.stdout != want.stdout {
            failures.push(format!(
                "leafseal decrypt of sops's {name}: want\n{}\n{}",
                want.stdout_str(),
                got.describe()
            ));
        }

        let l_enc = sb.leafseal().args(["encrypt", "--age", &pq, name]).run();
        l_enc.assert_success();
        let text = l_enc.stdout_str();
        if !on_one_line(&text, &pq) {
            failures.push(format!("leafseal {name}: recipient folded\n{text}"));
        }
        let l_name = format!("leafseal.{ext}");
        sb.write(&l_name, &l_enc.stdout);
        let back = sb
            .cmd(&sops)
            .age_identity(&id_file)
            .args(["decrypt", &l_name])
            .run();
        if back.code != 0 || back.stdout != want.stdout {
            failures.push(format!(
                "sops decrypt of leafseal's {name}: want\n{}\n{}",
                want.stdout_str(),
                back.describe()
            ));
        }
    }
    report(failures);
}

/// Post-quantum recipients in `.sops.yaml` key groups: two groups (post-quantum, X25519) both
/// needed; leafseal and sops each need both identities for the other's file.
#[test]
fn pq_in_sops_yaml_key_groups() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let (pq, pq_id) = pq_pair();
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - key_groups:\n      - age:\n          - {pq}\n      - age:\n          - {}\n",
            AGE1.recipient
        ),
    );
    sb.write("in.yaml", PLAIN_YAML);
    let both = sb.write("both.txt", format!("{pq_id}\n{}\n", AGE1.secret_key()));
    let only_pq = sb.write("pq.txt", format!("{pq_id}\n"));
    let mut failures = Vec::new();
    for (tool, program) in [
        ("sops", sops.clone()),
        ("leafseal", crate::util::under_test()),
    ] {
        let enc = sb.cmd(&program).args(["encrypt", "in.yaml"]).run();
        enc.assert_success();
        let name = format!("{tool}.yaml");
        sb.write(&name, &enc.stdout);
        for (reader, r) in [("sops", &sops), ("leafseal", &crate::util::under_test())] {
            let ok = sb.cmd(r).age_identity(&both).args(["decrypt", &name]).run();
            if ok.code != 0 || ok.stdout != PLAIN_YAML.as_bytes() {
                failures.push(format!("{reader} decrypt of {name}:\n{}", ok.describe()));
            }
            let half = sb
                .cmd(r)
                .age_identity(&only_pq)
                .args(["decrypt", &name])
                .run();
            if half.code != EXIT_NO_DATA_KEY {
                failures.push(format!(
                    "{reader}, one group only, {name}:\n{}",
                    half.describe()
                ));
            }
        }
    }
    report(failures);
}

// ---------------------------------------------------------------------------------------------
// SOPS_AGE_KEY_CMD

fn write_script(sb: &Sandbox, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = sb.write(name, format!("#!/bin/sh\n{body}"));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// A file with two age entries, the second one's identity printed by the command: it runs
/// once (leafseal tries what it printed before running it again). A command that answers
/// only for the recipient it is asked about runs once per recipient that needs it.
#[test]
fn key_cmd_runs_once_per_process() {
    if !crate::util::testing_leafseal() {
        return; // leafseal's own rule: SOPS runs the command for every entry it tries
    }
    let sb = Sandbox::new();
    sb.write("in.yaml", PLAIN_YAML);
    let both = format!("{},{}", AGE1.recipient, AGE2.recipient);
    let enc = sb
        .leafseal()
        .args(["encrypt", "--age", &both, "in.yaml"])
        .run();
    enc.assert_success();
    sb.write("enc.yaml", &enc.stdout);
    let all = write_script(
        &sb,
        "all.sh",
        &format!(
            "echo \"$SOPS_AGE_RECIPIENT\" >> \"$RUNS\"\ncat {}\n",
            AGE2.identity_file().display()
        ),
    );
    let keyed = write_script(
        &sb,
        "keyed.sh",
        &format!(
            "echo \"$SOPS_AGE_RECIPIENT\" >> \"$RUNS\"\n[ \"$SOPS_AGE_RECIPIENT\" = {} ] || exit 1\ncat {}\n",
            AGE2.recipient,
            AGE2.identity_file().display()
        ),
    );
    for (cmd, runs) in [(&all, 1), (&keyed, 2)] {
        let log = sb.path("runs.log");
        let _ = std::fs::remove_file(&log);
        let out = sb
            .leafseal()
            .env("SOPS_AGE_KEY_CMD", cmd)
            .env("RUNS", &log)
            .args(["decrypt", "enc.yaml"])
            .run();
        out.assert_success().assert_stdout_eq(PLAIN_YAML.as_bytes());
        let lines = std::fs::read_to_string(&log).unwrap_or_default();
        assert_eq!(
            lines.lines().count(),
            runs,
            "{}: runs of SOPS_AGE_KEY_CMD:\n{lines}",
            cmd.display()
        );
    }
}

/// A command that does not finish is stopped after `LEAFSEAL_AGE_KEY_CMD_TIMEOUT` and not run
/// again for the next entry; one that prints too much is stopped at the cap.
#[test]
fn key_cmd_is_bounded() {
    if !crate::util::testing_leafseal() {
        return; // leafseal's own limits: SOPS waits for the command as long as it runs
    }
    let sb = Sandbox::new();
    sb.write("in.yaml", PLAIN_YAML);
    let both = format!("{},{}", AGE1.recipient, AGE2.recipient);
    let enc = sb
        .leafseal()
        .args(["encrypt", "--age", &both, "in.yaml"])
        .run();
    enc.assert_success();
    sb.write("enc.yaml", &enc.stdout);
    let start = Instant::now();
    let slow = sb
        .leafseal()
        .env("SOPS_AGE_KEY_CMD", "sleep 20")
        .env("LEAFSEAL_AGE_KEY_CMD_TIMEOUT", "1")
        .args(["decrypt", "enc.yaml"])
        .run();
    let took = start.elapsed();
    slow.assert_code(EXIT_NO_DATA_KEY);
    assert!(
        took < Duration::from_secs(8),
        "took {took:?}\n{}",
        slow.describe()
    );
    slow.assert_stderr_contains("SOPS_AGE_KEY_CMD did not finish within 1s");
    let big = sb
        .leafseal()
        .env("SOPS_AGE_KEY_CMD", "head -c 3000000 /dev/zero")
        .args(["decrypt", "enc.yaml"])
        .run();
    big.assert_code(EXIT_NO_DATA_KEY);
    big.assert_stderr_contains("SOPS_AGE_KEY_CMD printed more than 1024 KiB");
}

// ---------------------------------------------------------------------------------------------
// plugins

/// The test plugin's directory, first on `PATH`.
fn plugin_path() -> String {
    let dir = manifest_dir().join("tests/age-plugin");
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// `(recipient, identity file text)` of the test plugin for a 16-byte seed.
fn plugin_pair(sb: &Sandbox, seed: &str) -> Option<(String, String)> {
    tools::on_path("python3").or_else(|| tools::missing("python3", "apt-get install python3"))?;
    let out = sb
        .cmd(manifest_dir().join("tests/age-plugin/age-plugin-leafsealtest"))
        .env("PATH", plugin_path())
        .args(["--keygen", seed])
        .run();
    out.assert_success();
    let text = out.stdout_str();
    let r = text
        .lines()
        .find_map(|l| l.strip_prefix("# recipient: "))
        .expect("keygen prints the recipient")
        .to_owned();
    Some((r, text))
}

/// A command with the test plugin on `PATH`.
fn with_plugin(c: Cmd) -> Cmd {
    c.env("PATH", plugin_path())
}

/// Runs `c` and asserts it failed within `bound`, naming `needle` (leafseal only).
#[track_caller]
fn fails_within(c: Cmd, bound: Duration, needle: &str) -> Output {
    let start = Instant::now();
    let out = c.run();
    let took = start.elapsed();
    out.assert_failure();
    assert!(
        took < bound,
        "took {took:?} (bound {bound:?})\n{}",
        out.describe()
    );
    if crate::util::testing_leafseal() {
        out.assert_stderr_contains(needle);
    }
    out
}

/// The test plugin is a real age plugin: the Debian age CLI encrypts to it and decrypts with
/// it. Then leafseal does the same, and every way a plugin can fail gives a clear error in
/// bounded time: crashed, hung, missing from `PATH`.
#[test]
fn plugin_round_trip_and_bounded_failures() {
    let sb = Sandbox::new();
    let Some((r, id)) = plugin_pair(&sb, "00112233445566778899aabbccddeeff") else {
        return;
    };
    let id_file = sb.write("plugin-id.txt", &id);
    sb.write("in.yaml", PLAIN_YAML);
    if let Some(age) = tools::age() {
        let enc = with_plugin(sb.cmd(&age))
            .args(["-r", &r, "-o", "in.age", "in.yaml"])
            .run();
        enc.assert_success();
        let dec = with_plugin(sb.cmd(&age))
            .args(["-d", "-i"])
            .arg(&id_file)
            .arg("in.age")
            .run();
        dec.assert_success().assert_stdout_eq(PLAIN_YAML.as_bytes());
    }

    let enc = with_plugin(sb.leafseal())
        .args(["encrypt", "--age", &r, "in.yaml"])
        .run();
    enc.assert_success();
    sb.write("enc.yaml", &enc.stdout);
    let dec = with_plugin(sb.leafseal())
        .age_identity(&id_file)
        .args(["decrypt", "enc.yaml"])
        .run();
    dec.assert_success().assert_stdout_eq(PLAIN_YAML.as_bytes());

    let bound = Duration::from_secs(10);
    let decrypt = || {
        with_plugin(sb.leafseal())
            .age_identity(&id_file)
            .env("LEAFSEAL_AGE_PLUGIN_TIMEOUT", "1")
            .args(["decrypt", "enc.yaml"])
    };
    fails_within(
        decrypt().env("LEAFSEAL_TEST_PLUGIN_MODE", "crash"),
        bound,
        "age-plugin-leafsealtest exited before finishing",
    );
    // A hung plugin: leafseal's time limit (SOPS waits as long as the plugin does).
    let hang = crate::util::testing_leafseal();
    if hang {
        fails_within(
            decrypt().env("LEAFSEAL_TEST_PLUGIN_MODE", "hang"),
            bound,
            "age-plugin-leafsealtest did not finish within 1s",
        );
    }
    fails_within(
        sb.leafseal()
            .age_identity(&id_file)
            .args(["decrypt", "enc.yaml"]),
        bound,
        "age-plugin-leafsealtest was not found on PATH",
    );
    let encrypt = || {
        with_plugin(sb.leafseal())
            .env("LEAFSEAL_AGE_PLUGIN_TIMEOUT", "1")
            .args(["encrypt", "--age", &r, "in.yaml"])
    };
    fails_within(
        encrypt().env("LEAFSEAL_TEST_PLUGIN_MODE", "crash"),
        bound,
        "age-plugin-leafsealtest exited before finishing",
    );
    if hang {
        fails_within(
            encrypt().env("LEAFSEAL_TEST_PLUGIN_MODE", "hang"),
            bound,
            "age-plugin-leafsealtest did not finish within 1s",
        );
    }
    fails_within(
        sb.leafseal().args(["encrypt", "--age", &r, "in.yaml"]),
        bound,
        "age-plugin-leafsealtest was not found on PATH",
    );
}

/// With the test plugin on `PATH`, sops encrypts to the plugin recipient and leafseal decrypts
/// with the plugin identity, and the reverse.
#[test]
fn plugin_interop_with_sops() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let Some((r, id)) = plugin_pair(&sb, "0f0e0d0c0b0a09080706050403020100") else {
        return;
    };
    let id_file = sb.write("plugin-id.txt", &id);
    sb.write("in.yaml", PLAIN_YAML);
    let mut failures = Vec::new();
    for (writer, w) in [
        ("sops", sops.clone()),
        ("leafseal", crate::util::under_test()),
    ] {
        let enc = with_plugin(sb.cmd(&w))
            .args(["encrypt", "--age", &r, "in.yaml"])
            .run();
        enc.assert_success();
        let name = format!("{writer}.yaml");
        sb.write(&name, &enc.stdout);
        for (reader, rd) in [("sops", &sops), ("leafseal", &crate::util::under_test())] {
            let out = with_plugin(sb.cmd(rd))
                .age_identity(&id_file)
                .args(["decrypt", &name])
                .run();
            if out.code != 0 || out.stdout != PLAIN_YAML.as_bytes() {
                failures.push(format!("{reader} decrypt of {name}:\n{}", out.describe()));
            }
        }
    }
    report(failures);
}

// ---------------------------------------------------------------------------------------------
// questions to a person: without a terminal, and with one

/// `c` run without a controlling terminal (`setsid`), so `/dev/tty` cannot be opened.
fn without_terminal(sb: &Sandbox, c: &[&str], env: &[(&str, &str)]) -> Option<Cmd> {
    let setsid = tools::on_path("setsid")?;
    let mut cmd = sb
        .cmd(setsid)
        .arg("-w")
        .arg(crate::util::under_test())
        .args(c);
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    Some(cmd)
}

/// `c` run on a pseudo-terminal (`script`), with `typed` as what the person types.
fn on_terminal(sb: &Sandbox, c: &[&str], env: &[(&str, &str)], typed: &str) -> Option<Cmd> {
    let script = tools::on_path("script")?;
    let mut line = shell_words::quote(&crate::util::under_test().to_string_lossy()).into_owned();
    for a in c {
        line.push(' ');
        line.push_str(&shell_words::quote(a));
    }
    let mut cmd = sb
        .cmd(script)
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .stdin(typed);
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    Some(cmd)
}

/// A plugin that asks for a PIN: without a terminal the request is refused at once and the
/// error says why; on a terminal the PIN typed there is passed on and the file opens.
#[test]
fn plugin_pin_through_the_terminal() {
    let sb = Sandbox::new();
    let Some((r, id)) = plugin_pair(&sb, "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf") else {
        return;
    };
    let id_file = sb.write("plugin-id.txt", &id);
    sb.write("in.yaml", PLAIN_YAML);
    let enc = with_plugin(sb.leafseal())
        .args(["encrypt", "--age", &r, "in.yaml"])
        .run();
    enc.assert_success();
    sb.write("enc.yaml", &enc.stdout);
    let path = plugin_path();
    let id_path = id_file.to_string_lossy().into_owned();
    let env = [
        ("PATH", path.as_str()),
        ("SOPS_AGE_KEY_FILE", id_path.as_str()),
        ("LEAFSEAL_TEST_PLUGIN_MODE", "pin"),
    ];
    let Some(c) = without_terminal(&sb, &["decrypt", "enc.yaml"], &env) else {
        tools::missing("setsid", "apt-get install util-linux");
        return;
    };
    let out = fails_within(c, Duration::from_secs(10), "no terminal");
    out.assert_code(EXIT_NO_DATA_KEY);
    let Some(c) = on_terminal(&sb, &["decrypt", "enc.yaml"], &env, "1234\n") else {
        tools::missing("script", "apt-get install bsdutils");
        return;
    };
    let out = c.run();
    out.assert_success();
    assert!(
        out.stdout_str().contains("password: hunter2"),
        "{}",
        out.describe()
    );
}

/// A passphrase-protected identity file (`age -p`, as SOPS 3.10+ reads): without a terminal a
/// clear error at once; on a terminal the passphrase typed there opens it (armored in a key
/// file, binary from `SOPS_AGE_KEY_CMD`), and a wrong one is reported as such.
#[test]
fn passphrase_protected_identity_file() {
    let sb = Sandbox::new();
    sb.write("in.yaml", PLAIN_YAML);
    let enc = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "in.yaml"])
        .run();
    enc.assert_success();
    sb.write("enc.yaml", &enc.stdout);
    let locked = sb.write(
        "keys.age",
        lock_identity(&AGE1.secret_key(), "correct horse", true),
    );
    let locked = locked.to_string_lossy().into_owned();
    let env = [("SOPS_AGE_KEY_FILE", locked.as_str())];
    let Some(c) = without_terminal(&sb, &["decrypt", "enc.yaml"], &env) else {
        tools::missing("setsid", "apt-get install util-linux");
        return;
    };
    let out = fails_within(c, Duration::from_secs(10), "is passphrase-protected");
    out.assert_code(EXIT_NO_DATA_KEY);
    if crate::util::testing_leafseal() {
        out.assert_stderr_contains("no terminal");
    }
    let Some(c) = on_terminal(&sb, &["decrypt", "enc.yaml"], &env, "correct horse\n") else {
        tools::missing("script", "apt-get install bsdutils");
        return;
    };
    let out = c.run();
    out.assert_success();
    assert!(
        out.stdout_str().contains("password: hunter2"),
        "{}",
        out.describe()
    );
    // The binary form, printed by SOPS_AGE_KEY_CMD.
    let binary = sb.write(
        "keys.bin",
        lock_identity(&AGE1.secret_key(), "staple", false),
    );
    let cat = format!("cat {}", binary.display());
    let by_cmd = [("SOPS_AGE_KEY_CMD", cat.as_str())];
    let out = on_terminal(&sb, &["decrypt", "enc.yaml"], &by_cmd, "staple\n")
        .unwrap()
        .run();
    out.assert_success();
    assert!(
        out.stdout_str().contains("password: hunter2"),
        "{}",
        out.describe()
    );
    let wrong = on_terminal(&sb, &["decrypt", "enc.yaml"], &env, "wrong\n").unwrap();
    let out = wrong.run();
    assert_ne!(out.code, 0, "{}", out.describe());
    assert!(
        out.stdout_str().contains("incorrect passphrase"),
        "{}",
        out.describe()
    );
}

/// `identity` encrypted with `passphrase` as `age -p` does (armored), with a low scrypt work
/// factor so the test stays fast.
fn lock_identity(identity: &str, passphrase: &str, armored: bool) -> Vec<u8> {
    use std::io::Write;
    let mut r = age::scrypt::Recipient::new(passphrase.to_owned().into());
    r.set_work_factor(10);
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        .expect("one scrypt recipient");
    let mut out = Vec::new();
    let format = if armored {
        age::armor::Format::AsciiArmor
    } else {
        age::armor::Format::Binary
    };
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, format).expect("armor");
    let mut w = enc.wrap_output(armor).expect("encrypt");
    w.write_all(format!("# test only\n{identity}\n").as_bytes())
        .expect("write");
    w.finish().and_then(|a| a.finish()).expect("finish");
    out
}
