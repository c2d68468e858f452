//! `exec-env` and `exec-file` side by side with the reference sops (issue 6 acceptance 3):
//! same variables, same plaintext through the FIFO or file, same exit codes, child's code
//! passed through.

use crate::util::keys::AGE1;
use crate::util::{tools, Sandbox};

fn encrypted(sb: &Sandbox) {
    sb.write("env.yaml", "A: 1\nB: two words\nC: true\nD: 1.5\nE: \"\"\n");
    let out = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "env.yaml"])
        .run();
    out.assert_success();
    sb.write("env.enc.yaml", &out.stdout);
    sb.write("nested.yaml", "a: 1\nb:\n    c: 2\n");
    let out = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "nested.yaml"])
        .run();
    out.assert_success();
    sb.write("nested.enc.yaml", &out.stdout);
}

#[test]
fn exec_env_and_exec_file_match_sops() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    encrypted(&sb);
    let cases: &[&[&str]] = &[
        &[
            "exec-env",
            "env.enc.yaml",
            "printf '%s|%s|%s|%s|%s' \"$A\" \"$B\" \"$C\" \"$D\" \"${E-unset}\"",
        ],
        &["exec-env", "env.enc.yaml", "exit 7"],
        &[
            "exec-env",
            "--pristine",
            "env.enc.yaml",
            "env | grep -v -E '^(PWD|SHLVL|_)=' | sort",
        ],
        &["exec-env", "nested.enc.yaml", "true"],
        &["exec-env", "missing.yaml", "true"],
        &["exec-file", "env.enc.yaml", "cat {}"],
        &[
            "exec-file",
            "--no-fifo",
            "env.enc.yaml",
            "cat {}; test \"$(stat -c %a {})\" = 600",
        ],
        &[
            "exec-file",
            "--output-type",
            "json",
            "env.enc.yaml",
            "cat {}",
        ],
        &["exec-file", "env.enc.yaml", "exit 5"],
        &[
            "exec-file",
            "--filename",
            "app.conf",
            "env.enc.yaml",
            "basename {}",
        ],
    ];
    for args in cases {
        let a = sb
            .leafseal()
            .args(*args)
            .age_identity(AGE1.identity_file())
            .run();
        let b = sb
            .cmd(&sops)
            .args(*args)
            .age_identity(AGE1.identity_file())
            .run();
        assert_eq!(
            a.code,
            b.code,
            "{args:?}\n{}\n{}",
            a.describe(),
            b.describe()
        );
        assert_ne!(a.code, crate::util::PANIC_EXIT);
        if a.code == 0 || args.contains(&"exit 7") {
            assert_eq!(a.stdout_str(), b.stdout_str(), "{args:?}");
        }
    }
}

#[test]
fn exec_file_removes_its_temp_dir_even_when_the_fifo_is_never_read() {
    if !crate::util::testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    encrypted(&sb);
    let tmp = sb.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    for extra in [&[][..], &["--no-fifo"][..]] {
        let out = sb
            .leafseal()
            .arg("exec-file")
            .args(extra)
            .args(["env.enc.yaml", "true"])
            // (exec-file's directory goes to XDG_RUNTIME_DIR first: memory, not disk.)
            .env("XDG_RUNTIME_DIR", &tmp)
            .env("TMPDIR", &tmp)
            .age_identity(AGE1.identity_file())
            .run();
        out.assert_success();
        assert!(
            std::fs::read_dir(&tmp).unwrap().next().is_none(),
            "temp dir left behind ({extra:?})"
        );
    }
}

/// Regression: a command that never opens the FIFO used to hang exec-file now and then (the
/// draining reader closed before the writer's open() returned). Repeated, and with a payload
/// larger than a pipe buffer.
#[test]
fn exec_file_never_hangs_when_the_fifo_is_unread() {
    if !crate::util::testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    encrypted(&sb);
    let big: String = (0..6000)
        .map(|i| format!("    line {i:05} of a long certificate-like value\n"))
        .collect();
    sb.write("big.yaml", format!("cert: |\n{big}"));
    let out = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "big.yaml"])
        .run();
    out.assert_success();
    sb.write("big.enc.yaml", &out.stdout);
    for i in 0..20 {
        let file = if i % 2 == 0 {
            "env.enc.yaml"
        } else {
            "big.enc.yaml"
        };
        sb.leafseal()
            .args(["exec-file", file, "exit 5"])
            .age_identity(AGE1.identity_file())
            .run()
            .assert_code(5);
    }
    let out = sb
        .leafseal()
        .args(["exec-file", "big.enc.yaml", "wc -c < {}"])
        .age_identity(AGE1.identity_file())
        .run();
    out.assert_success();
    assert!(out.stdout_str().trim().parse::<usize>().unwrap() > 64 * 1024);
}

/// Core dumps are disabled (soft limit 0) while secrets are in memory; the child inherits it.
#[test]
fn core_dumps_are_disabled() {
    if !crate::util::testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    encrypted(&sb);
    let out = sb
        .leafseal()
        .args(["exec-env", "env.enc.yaml", "ulimit -c"])
        .age_identity(AGE1.identity_file())
        .run();
    out.assert_success();
    assert_eq!(out.stdout_str().trim(), "0");
}

/// SIGTERM to leafseal while exec-file's command runs: the signal reaches the command, and the
/// FIFO's temp directory is removed (issue 9: signals never leave plaintext behind).
#[test]
fn sigterm_during_exec_file_removes_the_temp_dir() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    if !crate::util::testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    encrypted(&sb);
    let tmp = sb.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let marker = sb.path("started");
    for extra in [&[][..], &["--no-fifo"][..]] {
        let _ = std::fs::remove_file(&marker);
        let mut child = Command::new(crate::util::under_test())
            .arg("exec-file")
            .args(extra)
            .args([
                "env.enc.yaml",
                &format!("touch {}; exec sleep 30", marker.display()),
            ])
            .current_dir(sb.root())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", sb.home())
            .env("XDG_RUNTIME_DIR", &tmp)
            .env("TMPDIR", &tmp)
            .env("SOPS_AGE_KEY_FILE", AGE1.identity_file())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while !marker.exists() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "command never started"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            std::fs::read_dir(&tmp).unwrap().next().is_some(),
            "temp dir should exist while running"
        );
        assert!(Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success());
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("leafseal did not exit after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert!(!status.success());
        assert!(
            std::fs::read_dir(&tmp).unwrap().next().is_none(),
            "temp dir left behind after SIGTERM ({extra:?})"
        );
    }
}
