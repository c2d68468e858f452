//! Several files in one invocation (beyond SOPS): `decrypt --output-dir` / `decrypt -i`,
//! `updatekeys` and `rotate -i` over many files and directories, against moto's KMS with files
//! written by leafseal and by the reference sops, and with age keys only; the failure policy
//! (every file attempted, one error line per failing file, the first failing file's exit
//! code, nothing partially written); and, with [`KmsGate`], that the KMS calls of different
//! files really overlap, bounded by `--jobs`, with one Decrypt per file.

use std::os::unix::fs::PermissionsExt;

use crate::imds::{Imds, Role};
use crate::kms_gate::KmsGate;
use crate::moto::{Moto, ACCESS_KEY, SECRET_KEY};
use crate::util::keys::{AGE1, AGE2, AGE3};
use crate::util::{testing_leafseal, tools, Cmd, Sandbox};

/// The i-th plaintext, in the layout both tools print back unchanged.
fn plain(i: usize) -> String {
    format!(
        "name: file{i:02}\ndb:\n    password: secret-{i}\n    port: {}\nlist:\n    - a{i}\n    - b\n",
        5000 + i
    )
}

fn name(dir: &str, i: usize) -> String {
    format!("{dir}/f{i:02}.yaml")
}

/// KMS endpoint, sandboxed AWS files, no metadata service, dummy credentials.
fn aws(cmd: Cmd, sb: &Sandbox, endpoint: &str) -> Cmd {
    cmd.env("AWS_ENDPOINT_URL_KMS", endpoint)
        .env("AWS_ENDPOINT_URL_STS", endpoint)
        .env("AWS_CONFIG_FILE", sb.path("aws/config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", sb.path("aws/credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
}

fn mode(sb: &Sandbox, name: &str) -> u32 {
    std::fs::metadata(sb.path(name))
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

/// The `leafseal: error:` lines.
fn error_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.starts_with("leafseal: error: "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn many_files_kms_decrypt_updatekeys_rotate_with_sops() {
    if !testing_leafseal() {
        return;
    }
    let Some(sops) = tools::sops() else { return };
    let Some(moto) = Moto::start() else { return };
    let ep = moto.endpoint();
    let sb = Sandbox::new();
    let arn = moto.create_key();
    const N: usize = 20;
    // Files 0..14 encrypted by leafseal, 14..20 by the reference sops.
    for i in 0..N {
        sb.write(&name("p", i), plain(i));
        let cmd = if i < 14 { sb.leafseal() } else { sb.cmd(&sops) };
        let o = aws(cmd, &sb, &ep)
            .args(["encrypt", "--kms", &arn, &name("p", i)])
            .run();
        o.assert_success();
        sb.write(&name("e", i), &o.stdout);
    }
    let files: Vec<String> = (0..N).map(|i| name("e", i)).collect();

    // decrypt --output-dir, files named one by one.
    let o = aws(sb.leafseal(), &sb, &ep)
        .args(["decrypt", "--output-dir", "out"])
        .args(&files)
        .run();
    o.assert_success();
    assert_eq!(mode(&sb, "out"), 0o700);
    for i in 0..N {
        assert_eq!(sb.read_string(&name("out", i)), plain(i), "file {i}");
        assert_eq!(mode(&sb, &name("out", i)), 0o600);
    }
    // The same through the directory.
    aws(sb.leafseal(), &sb, &ep)
        .args(["decrypt", "--output-dir", "out2", "e"])
        .run()
        .assert_success();
    for i in 0..N {
        assert_eq!(sb.read_string(&name("out2", i)), plain(i), "file {i}");
    }
    // In place, on copies.
    for i in 0..N {
        sb.write(&name("c", i), sb.read(&name("e", i)));
    }
    let copies: Vec<String> = (0..N).map(|i| name("c", i)).collect();
    aws(sb.leafseal(), &sb, &ep)
        .args(["decrypt", "-i"])
        .args(&copies)
        .run()
        .assert_success();
    for i in 0..N {
        assert_eq!(sb.read_string(&name("c", i)), plain(i), "file {i}");
    }

    // One bad file among good ones: KMS refuses an unknown key (exit 128); the others are
    // written, the bad one is not, and the one error line names it.
    let other = arn
        .rsplit_once('/')
        .map(|(head, _)| format!("{head}/00000000-0000-0000-0000-000000000000"))
        .unwrap();
    sb.write(
        "bad/unknown-key.yaml",
        sb.read_string(&name("e", 0)).replace(&arn, &other),
    );
    let mut mixed: Vec<String> = files[..10].to_vec();
    mixed.push("bad/unknown-key.yaml".into());
    mixed.extend(files[10..].iter().cloned());
    let o = aws(sb.leafseal(), &sb, &ep)
        .args(["decrypt", "--output-dir", "out3"])
        .args(&mixed)
        .run();
    o.assert_code(128);
    let errors = error_lines(&o.stderr_str());
    assert_eq!(errors.len(), 1, "{}", o.describe());
    assert!(errors[0].contains("bad/unknown-key.yaml"), "{errors:?}");
    assert!(!sb.exists("out3/unknown-key.yaml"));
    for i in 0..N {
        assert_eq!(sb.read_string(&name("out3", i)), plain(i), "file {i}");
    }

    // updatekeys over the directory: the rule adds an age key to every file.
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - path_regex: ^e/.*\\.yaml$\n    kms: {arn}\n    age: {}\n",
            AGE1.recipient
        ),
    );
    let o = aws(sb.leafseal(), &sb, &ep)
        .args(["updatekeys", "-y", "e"])
        .run();
    o.assert_success();
    assert_eq!(
        o.stderr_str().matches(": updated").count(),
        N,
        "{}",
        o.describe()
    );
    for i in 0..N {
        // The age key alone opens them now: no AWS settings at all.
        sb.cmd(&sops)
            .args(["decrypt", &name("e", i)])
            .age_identity(AGE1.identity_file())
            .run()
            .assert_success()
            .assert_stdout_eq(plain(i).as_bytes());
    }

    // rotate -i over the files: new data keys, still opened by sops through KMS.
    let before: Vec<Vec<u8>> = (0..N).map(|i| sb.read(&name("e", i))).collect();
    let o = aws(sb.leafseal(), &sb, &ep)
        .args(["rotate", "-i"])
        .args(&files)
        .run();
    o.assert_success();
    assert_eq!(
        o.stderr_str().matches(": rotated").count(),
        N,
        "{}",
        o.describe()
    );
    for (i, old) in before.iter().enumerate() {
        assert_ne!(&sb.read(&name("e", i)), old, "file {i} not rotated");
        aws(sb.cmd(&sops), &sb, &ep)
            .args(["decrypt", &name("e", i)])
            .run()
            .assert_success()
            .assert_stdout_eq(plain(i).as_bytes());
    }
}

/// Age keys only (no emulator): directories walked, usage errors, and the failure policy.
#[test]
fn many_files_age_only_and_failure_policy() {
    if !testing_leafseal() {
        return;
    }
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    const N: usize = 6;
    for i in 0..N {
        sb.write(&name("p", i), plain(i));
        let o = sb
            .leafseal()
            .args(["encrypt", "--age", AGE1.recipient, &name("p", i)])
            .run();
        o.assert_success();
        // Half at the top of d/, half in d/sub/.
        let dir = if i.is_multiple_of(2) { "d" } else { "d/sub" };
        sb.write(&name(dir, i), &o.stdout);
    }
    let where_ = |i: usize| name(if i.is_multiple_of(2) { "d" } else { "d/sub" }, i);
    sb.write("d/plain.yaml", "not: encrypted\n");
    sb.write("d/.git/hidden.yaml", sb.read(&where_(0)));
    let age = |cmd: Cmd| cmd.age_identity(AGE1.identity_file());

    // A directory: the encrypted files below it, at the same relative names.
    age(sb.leafseal())
        .args(["decrypt", "--output-dir", "out", "d"])
        .run()
        .assert_success();
    for i in 0..N {
        let rel = where_(i).replacen("d/", "out/", 1);
        assert_eq!(sb.read_string(&rel), plain(i), "{rel}");
    }
    assert_eq!(mode(&sb, "out/sub"), 0o700);
    assert!(!sb.exists("out/plain.yaml") && !sb.exists("out/.git"));
    // A lone directory without -i or --output-dir fails as in SOPS (exit 2), with a hint.
    let o = age(sb.leafseal()).args(["decrypt", "d"]).run();
    o.assert_code(2).assert_leafseal_one_line_error("d");
    o.assert_stderr_contains("--output-dir");

    // Usage errors: nothing is written.
    let two = [where_(0), where_(1)];
    for (extra, code, needle) in [
        (vec![], 8, "--output-dir"),
        (vec!["--extract", "[\"db\"]", "-i"], 8, "--extract"),
        (vec!["--output", "x.yaml"], 8, "--output"),
        (vec!["-i", "--output-dir", "o"], 8, "--output-dir"),
    ] {
        let o = age(sb.leafseal())
            .arg("decrypt")
            .args(&extra)
            .args(&two)
            .run();
        o.assert_code(code);
        assert_eq!(error_lines(&o.stderr_str()).len(), 1, "{}", o.describe());
        o.assert_stderr_contains(needle);
    }
    assert!(sb.read_string(&where_(0)).contains("sops:"));
    // Two files that would land on the same name below --output-dir.
    sb.write("x/f00.yaml", sb.read(&where_(0)));
    age(sb.leafseal())
        .args(["decrypt", "--output-dir", "o", &where_(0), "x/f00.yaml"])
        .run()
        .assert_code(8);
    assert!(!sb.exists("o"));
    // One file with --output-dir is fine.
    age(sb.leafseal())
        .args(["decrypt", "--output-dir", "one", &where_(0)])
        .run()
        .assert_success();
    assert_eq!(sb.read_string("one/f00.yaml"), plain(0));

    // The failure policy: a tampered MAC (51), a missing file (100), a file for another key
    // (128), among good files. Every good file is done; exit 51 (the first in argument order).
    let tampered = sb
        .read_string(&where_(2))
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("mac: ENC[") {
                l.replacen("data:", "data:AAAA", 1)
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    sb.write("bad/tampered.yaml", &tampered);
    let o = sb
        .leafseal()
        .args(["encrypt", "--age", AGE3.recipient, &name("p", 0)])
        .run();
    o.assert_success();
    sb.write("bad/other-key.yaml", &o.stdout);
    let args: Vec<String> = vec![
        where_(0),
        "bad/tampered.yaml".into(),
        where_(1),
        "bad/missing.yaml".into(),
        where_(3),
        "bad/other-key.yaml".into(),
        where_(4),
    ];
    let o = age(sb.leafseal())
        .env("LEAFSEAL_JOBS", "2")
        .args(["decrypt", "--output-dir", "mixed"])
        .args(&args)
        .run();
    o.assert_code(51);
    let errors = error_lines(&o.stderr_str());
    assert_eq!(errors.len(), 3, "{}", o.describe());
    for (line, file) in errors.iter().zip([
        "bad/tampered.yaml",
        "bad/missing.yaml",
        "bad/other-key.yaml",
    ]) {
        assert!(line.contains(file), "{line:?} should name {file}");
    }
    for i in [0, 1, 3, 4] {
        assert_eq!(sb.read_string(&format!("mixed/f{i:02}.yaml")), plain(i));
    }
    for f in ["tampered.yaml", "missing.yaml", "other-key.yaml"] {
        assert!(!sb.exists(&format!("mixed/{f}")), "{f} must not be written");
    }

    // The same with -i: the bad files keep their bytes.
    let keep = sb.read("bad/tampered.yaml");
    for i in [0, 1, 3, 4] {
        sb.write(&format!("inplace/f{i:02}.yaml"), sb.read(&where_(i)));
    }
    let o = age(sb.leafseal())
        .args([
            "decrypt",
            "-i",
            "inplace/f00.yaml",
            "inplace/f01.yaml",
            "bad/tampered.yaml",
            "inplace/f03.yaml",
            "inplace/f04.yaml",
        ])
        .run();
    o.assert_code(51);
    assert_eq!(sb.read("bad/tampered.yaml"), keep);
    for i in [0, 1, 3, 4] {
        assert_eq!(sb.read_string(&format!("inplace/f{i:02}.yaml")), plain(i));
    }

    // updatekeys over files and a directory, with one file nobody here can open (128).
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - age: {},{}\n",
            AGE1.recipient, AGE2.recipient
        ),
    );
    let o = age(sb.leafseal())
        .args(["updatekeys", "-y", "--jobs", "3", "bad/other-key.yaml", "d"])
        .run();
    o.assert_code(128);
    let errors = error_lines(&o.stderr_str());
    assert_eq!(errors.len(), 1, "{}", o.describe());
    assert!(errors[0].contains("bad/other-key.yaml"), "{errors:?}");
    for i in 0..N {
        sb.cmd(&sops)
            .args(["decrypt", &where_(i)])
            .age_identity(AGE2.identity_file())
            .run()
            .assert_success()
            .assert_stdout_eq(plain(i).as_bytes());
    }

    // rotate -i over the directory plus the tampered file: the good ones get new data keys
    // (and lose AGE1), the tampered one is reported (51) and left alone.
    let before: Vec<Vec<u8>> = (0..N).map(|i| sb.read(&where_(i))).collect();
    let o = age(sb.leafseal())
        .args([
            "rotate",
            "-i",
            "--rm-age",
            AGE1.recipient,
            "d",
            "bad/tampered.yaml",
        ])
        .run();
    o.assert_code(51);
    assert_eq!(error_lines(&o.stderr_str()).len(), 1, "{}", o.describe());
    assert_eq!(sb.read("bad/tampered.yaml"), keep);
    for (i, old) in before.iter().enumerate() {
        assert_ne!(&sb.read(&where_(i)), old, "{} not rotated", where_(i));
        sb.cmd(&sops)
            .args(["decrypt", &where_(i)])
            .age_identity(AGE1.identity_file())
            .run()
            .assert_code(128);
        sb.cmd(&sops)
            .args(["decrypt", &where_(i)])
            .age_identity(AGE2.identity_file())
            .run()
            .assert_success()
            .assert_stdout_eq(plain(i).as_bytes());
    }
    // Several files without -i: refused, nothing rotated.
    let now = sb.read(&where_(0));
    sb.leafseal()
        .args(["rotate", &where_(0), &where_(1)])
        .age_identity(AGE2.identity_file())
        .run()
        .assert_code(8);
    assert_eq!(sb.read(&where_(0)), now);
}

/// The KMS calls of different files overlap, at most `--jobs` at a time, and each file's data
/// key is recovered once. No timing: [`KmsGate`] holds each request until `--jobs` of them are
/// in flight together, and reports the most it saw.
#[test]
fn many_files_kms_calls_overlap_bounded_by_jobs() {
    if !testing_leafseal() {
        return;
    }
    let gate = KmsGate::start();
    let ep = gate.endpoint();
    let sb = Sandbox::new();
    let arn = "arn:aws:kms:eu-west-1:111122223333:key/4f1a7c2e-0000-4000-8000-000000000001";
    const N: usize = 8;
    const JOBS: usize = 4;
    for i in 0..N {
        sb.write(&name("p", i), plain(i));
        let o = aws(sb.leafseal(), &sb, &ep)
            .args(["encrypt", "--kms", arn, &name("p", i)])
            .run();
        o.assert_success();
        sb.write(&name("e", i), &o.stdout);
    }
    let jobs = JOBS.to_string();

    gate.gate(JOBS);
    aws(sb.leafseal(), &sb, &ep)
        .args(["decrypt", "--jobs", &jobs, "--output-dir", "out", "e"])
        .run()
        .assert_success();
    let c = gate.counts();
    assert_eq!(c.decrypts, N, "one Decrypt per file: {c:?}");
    assert_eq!(c.max_in_flight, JOBS, "{c:?}");
    for i in 0..N {
        assert_eq!(sb.read_string(&name("out", i)), plain(i));
    }

    gate.gate(JOBS);
    aws(sb.leafseal(), &sb, &ep)
        .env("LEAFSEAL_JOBS", &jobs)
        .args(["rotate", "-i", "e"])
        .run()
        .assert_success();
    let c = gate.counts();
    assert_eq!((c.decrypts, c.encrypts), (N, N), "{c:?}");
    assert_eq!(c.max_in_flight, JOBS, "{c:?}");

    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - kms: {arn}\n    age: {}\n",
            AGE1.recipient
        ),
    );
    gate.gate(JOBS);
    aws(sb.leafseal(), &sb, &ep)
        .args(["updatekeys", "-y", "--jobs", &jobs, "e"])
        .run()
        .assert_success();
    let c = gate.counts();
    assert_eq!(c.decrypts, N, "{c:?}");
    assert_eq!(c.max_in_flight, JOBS, "{c:?}");
    // Everything still opens, through the emulator and through the new age key.
    gate.gate(1);
    for i in 0..N {
        aws(sb.leafseal(), &sb, &ep)
            .args(["decrypt", &name("e", i)])
            .run()
            .assert_success()
            .assert_stdout_eq(plain(i).as_bytes());
        sb.leafseal()
            .args(["decrypt", &name("e", i)])
            .age_identity(AGE1.identity_file())
            .run()
            .assert_success()
            .assert_stdout_eq(plain(i).as_bytes());
    }
}

/// Credentials are resolved once per process even when several files need them at the same
/// moment: the instance role's credentials are fetched from the metadata service once.
#[test]
fn many_files_resolve_credentials_once() {
    if !testing_leafseal() {
        return;
    }
    let gate = KmsGate::start();
    let ep = gate.endpoint();
    let sb = Sandbox::new();
    let arn = "arn:aws:kms:eu-west-1:111122223333:key/4f1a7c2e-0000-4000-8000-000000000002";
    const N: usize = 8;
    for i in 0..N {
        sb.write(&name("p", i), plain(i));
        let o = aws(sb.leafseal(), &sb, &ep)
            .args(["encrypt", "--kms", arn, &name("p", i)])
            .run();
        o.assert_success();
        sb.write(&name("e", i), &o.stdout);
    }
    let imds = Imds::start(Role {
        name: "web-server".into(),
        access_key: "ASIAIMDSTESTEXAMPLE1".into(),
        secret_key: "imds-secret-for-tests-only".into(),
        token: "imds-session-token".into(),
        region: "eu-west-1".into(),
    });
    // All files start at once (--jobs N), so all need credentials before any has them (the old
    // check-then-fill cache fetched them 8 times here).
    gate.gate(N);
    aws(sb.leafseal(), &sb, &ep)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint())
        .args(["decrypt", "--jobs", &N.to_string(), "-i", "e"])
        .run()
        .assert_success();
    assert_eq!(imds.credentials_served(), 1);
    assert_eq!(gate.counts().max_in_flight, N);
    for i in 0..N {
        assert_eq!(sb.read_string(&name("e", i)), plain(i));
    }
}
