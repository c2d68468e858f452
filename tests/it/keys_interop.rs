//! Interop with the reference `sops` 3.11 for the key types and key-group shapes beyond one age
//! recipient: PGP (through a throwaway `GNUPGHOME` holding the test key), Shamir key groups
//! read from a `.sops.yaml`, files with both an age and a PGP key, and `--decryption-order`.
//!
//! Each test runs both tools on the same inputs and compares what a user would see: the
//! decrypted bytes (a file written by sops decrypts with leafseal to exactly what `sops decrypt`
//! prints), or, for a file leafseal wrote, what sops decrypts it to against what sops decrypts
//! its own encryption of the same input to (sops re-emits its canonical layout, so this compares
//! data, not leafseal's layout). Failures are compared by exit code (128 when no data key can be
//! recovered, 112 for a repeated `--decryption-order` type, both checked against sops here) and
//! by the recipients the report names. The gpg-agent that gpg starts in a sandbox keyring is
//! stopped when the keyring guard is dropped, also when a test fails.

use std::path::{Path, PathBuf};

use crate::util::keys::{self, AgeKey, AGE1, AGE2, AGE3};
use crate::util::{testdata, tools, Cmd, Output, Sandbox};

/// Fingerprint of `testdata/keys/pgp-test-secret.asc` (test only, no passphrase).
pub(crate) const PGP_FP: &str = "9D5298BD80B0895E9803839E9D30AF22CFF0AF02";

// Exit codes, each checked against sops 3.11 by the tests below.
const EXIT_NO_DATA_KEY: i32 = 128;
const EXIT_DUPLICATE_DECRYPTION_ORDER: i32 = 112;

const PLAIN_YAML: &str = "\
# a comment that both tools keep
user: alice
password: hunter2
port: 5432
nested:
    list:
        - one
        - 2
    flag: true
";

const PLAIN_JSON: &str = r#"{
	"user": "alice",
	"password": "hunter2",
	"port": 5432,
	"nested": {"list": ["one", 2], "flag": true}
}
"#;

// ---------------------------------------------------------------------------------------------
// helpers

/// A gpg home directory inside a sandbox. Dropping it stops the gpg-agent gpg may have started
/// there, so no process outlives the test.
pub(crate) struct GpgHome {
    dir: PathBuf,
    sandbox_home: PathBuf,
    gpgconf: Option<PathBuf>,
}

impl GpgHome {
    /// An empty keyring at `<sandbox>/<name>` (mode 0700, as gpg wants).
    pub(crate) fn empty(sb: &Sandbox, name: &str) -> GpgHome {
        use std::os::unix::fs::PermissionsExt;
        let dir = sb.path(name);
        std::fs::create_dir_all(&dir).expect("create GNUPGHOME");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
            .expect("chmod GNUPGHOME");
        let gpgconf = tools::on_path("gpgconf");
        GpgHome {
            dir,
            sandbox_home: sb.home(),
            gpgconf,
        }
    }

    /// A keyring at `<sandbox>/<name>` holding the PGP test key (public and secret).
    pub(crate) fn with_test_key(sb: &Sandbox, gpg: &Path, name: &str) -> GpgHome {
        let home = GpgHome::empty(sb, name);
        sb.cmd(gpg)
            .env("GNUPGHOME", &home.dir)
            .args(["--batch", "--import"])
            .arg(testdata("keys/pgp-test-secret.asc"))
            .run()
            .assert_success();
        home
    }

    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        if let Some(gpgconf) = &self.gpgconf {
            // Best effort: if no agent runs, gpgconf has nothing to do.
            let _ = Cmd::new(gpgconf, &self.sandbox_home)
                .env("GNUPGHOME", &self.dir)
                .args(["--kill", "gpg-agent"])
                .run();
        }
    }
}

/// Writes an identity file holding the secret keys of `ks` into the sandbox; returns its path.
fn identities(sb: &Sandbox, ks: &[AgeKey]) -> PathBuf {
    let name = format!(
        "id-{}.txt",
        ks.iter().map(|k| k.name).collect::<Vec<_>>().join("-")
    );
    let text: String = ks.iter().map(|k| format!("{}\n", k.secret_key())).collect();
    sb.write(&name, text)
}

/// `tool decrypt name` with the given keyring and age identity file (none: no identity at all,
/// the sandbox `HOME` has no `keys.txt`).
fn decrypt(
    sb: &Sandbox,
    tool: &Path,
    gnupg: &GpgHome,
    identity: Option<&Path>,
    dir: &Path,
    name: &str,
) -> Output {
    let mut c = sb
        .cmd(tool)
        .current_dir(dir)
        .env("GNUPGHOME", gnupg.path())
        .args(["decrypt", name]);
    if let Some(id) = identity {
        c = c.age_identity(id);
    }
    c.run()
}

/// Panics with every collected failure at once (one run shows the whole matrix).
#[track_caller]
fn report(failures: Vec<String>, what: &str) {
    if !failures.is_empty() {
        panic!(
            "{} of the {what} failed:\n\n{}",
            failures.len(),
            failures.join("\n\n=====\n\n")
        );
    }
}

fn bytes_differ(what: &str, want: &[u8], got: &Output) -> String {
    format!(
        "{what}: output differs\n--- expected ---\n{}\n{}",
        String::from_utf8_lossy(want),
        got.describe()
    )
}

/// The tools under comparison, with a label for messages.
fn both(sops: &Path) -> [(&'static str, PathBuf); 2] {
    [
        ("sops", sops.to_path_buf()),
        ("leafseal", crate::util::under_test()),
    ]
}

// ---------------------------------------------------------------------------------------------
// 1. PGP both ways

/// sops encrypts YAML and JSON with `--pgp`; leafseal decrypts to the bytes `sops decrypt`
/// prints. Then leafseal encrypts the same inputs with `--pgp`; sops decrypts them to the same
/// data it decrypts its own encryption to.
#[test]
fn pgp_flag_both_ways() {
    let Some(sops) = tools::sops() else { return };
    let Some(gpg) = tools::gpg() else { return };
    let sb = Sandbox::new();
    let gnupg = GpgHome::with_test_key(&sb, &gpg, "gnupg");
    let root = sb.root().to_path_buf();
    let mut failures = Vec::new();
    for (name, text) in [("in.yaml", PLAIN_YAML), ("in.json", PLAIN_JSON)] {
        sb.write(name, text);
        let s_enc = sb
            .cmd(&sops)
            .env("GNUPGHOME", gnupg.path())
            .args(["encrypt", "--pgp", PGP_FP, name])
            .run();
        s_enc.assert_success();
        let s_name = format!("sops-enc.{name}");
        sb.write(&s_name, &s_enc.stdout);
        let want = decrypt(&sb, &sops, &gnupg, None, &root, &s_name);
        want.assert_success();

        let got = decrypt(
            &sb,
            &crate::util::under_test(),
            &gnupg,
            None,
            &root,
            &s_name,
        );
        if got.code != 0 || got.stdout != want.stdout {
            failures.push(bytes_differ(
                &format!("leafseal decrypt of sops's {name}"),
                &want.stdout,
                &got,
            ));
        }

        let l_enc = sb
            .leafseal()
            .env("GNUPGHOME", gnupg.path())
            .args(["encrypt", "--pgp", PGP_FP, name])
            .run();
        if l_enc.code != 0 {
            failures.push(format!(
                "leafseal encrypt --pgp {name}\n{}",
                l_enc.describe()
            ));
            continue;
        }
        let text = l_enc.stdout_str();
        if !text.contains(PGP_FP) || text.contains("age1") {
            failures.push(format!(
                "{name}: leafseal's metadata should list only the PGP key\n{}",
                l_enc.describe()
            ));
        }
        let l_name = format!("leafseal-enc.{name}");
        sb.write(&l_name, &l_enc.stdout);
        let by_sops = decrypt(&sb, &sops, &gnupg, None, &root, &l_name);
        if by_sops.code != 0 || by_sops.stdout != want.stdout {
            failures.push(bytes_differ(
                &format!("sops decrypt of leafseal's {name}"),
                &want.stdout,
                &by_sops,
            ));
        }
    }
    report(failures, "PGP round trips");
}

/// `SOPS_PGP_FP` instead of `--pgp`, for both tools, each decrypting the other's file.
#[test]
fn pgp_env_fingerprint_both_ways() {
    let Some(sops) = tools::sops() else { return };
    let Some(gpg) = tools::gpg() else { return };
    let sb = Sandbox::new();
    let gnupg = GpgHome::with_test_key(&sb, &gpg, "gnupg");
    let root = sb.root().to_path_buf();
    sb.write("in.yaml", PLAIN_YAML);
    let mut outputs = Vec::new();
    for (label, tool) in both(&sops) {
        let enc = sb
            .cmd(&tool)
            .env("GNUPGHOME", gnupg.path())
            .env("SOPS_PGP_FP", PGP_FP)
            .args(["encrypt", "in.yaml"])
            .run();
        enc.assert_success();
        assert!(
            enc.stdout_str().contains(&format!("fp: {PGP_FP}")),
            "{label}: SOPS_PGP_FP was not used\n{}",
            enc.describe()
        );
        let name = format!("{label}-enc.yaml");
        sb.write(&name, &enc.stdout);
        outputs.push(name);
    }
    let want = decrypt(&sb, &sops, &gnupg, None, &root, &outputs[0]);
    want.assert_success();
    let mut failures = Vec::new();
    // leafseal reads sops's file; sops reads leafseal's file.
    for (reader, file) in [
        (crate::util::under_test(), &outputs[0]),
        (sops.clone(), &outputs[1]),
    ] {
        let got = decrypt(&sb, &reader, &gnupg, None, &root, file);
        if got.code != 0 || got.stdout != want.stdout {
            failures.push(bytes_differ(file, &want.stdout, &got));
        }
    }
    report(failures, "SOPS_PGP_FP files");
}

/// The PGP example file written by sops decrypts with leafseal to its `.sops-decrypted` twin.
#[test]
fn pgp_example_file_decrypts_to_its_twin() {
    let Some(gpg) = tools::gpg() else { return };
    let sb = Sandbox::new();
    let gnupg = GpgHome::with_test_key(&sb, &gpg, "gnupg");
    sb.copy_in(&testdata("sops/pgp.enc.yaml"), "pgp.enc.yaml");
    let want = std::fs::read(testdata("sops/pgp.sops-decrypted.yaml")).unwrap();
    let root = sb.root().to_path_buf();
    let got = decrypt(
        &sb,
        &crate::util::under_test(),
        &gnupg,
        None,
        &root,
        "pgp.enc.yaml",
    );
    got.assert_success().assert_stdout_eq(&want);
}

/// `--pgp` with a fingerprint the keyring does not hold: both tools fail with the same exit
/// code and write nothing to stdout.
#[test]
fn pgp_key_missing_from_keyring() {
    let Some(sops) = tools::sops() else { return };
    let Some(_gpg) = tools::gpg() else { return };
    let sb = Sandbox::new();
    let empty = GpgHome::empty(&sb, "gnupg-empty");
    sb.write("in.yaml", PLAIN_YAML);
    let mut codes = Vec::new();
    for (label, tool) in both(&sops) {
        let out = sb
            .cmd(&tool)
            .env("GNUPGHOME", empty.path())
            .args(["encrypt", "--pgp", PGP_FP, "in.yaml"])
            .run();
        out.assert_failure();
        assert!(
            out.stdout.is_empty(),
            "{label} wrote output\n{}",
            out.describe()
        );
        codes.push((label, out.code, out));
    }
    assert_eq!(
        codes[0].1,
        codes[1].1,
        "exit codes differ (sops, leafseal)\n{}\n{}",
        codes[0].2.describe(),
        codes[1].2.describe()
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Shamir key groups from .sops.yaml

const SHAMIR_PLAIN: &str = "secret: shamir-protected\nport: 5432\nlist:\n    - a\n    - b\n";

/// The 3-group, threshold-2 config in the sandbox root, the plaintext next to it, and `tool`'s
/// encryption of it as `<label>-enc.yaml`. Returns the encrypted file's name.
fn shamir_file(sb: &Sandbox, label: &str, tool: &Path) -> String {
    sb.copy_in(
        &testdata("sops/yaml_shamir_3groups_threshold2.sops.yaml"),
        ".sops.yaml",
    );
    sb.write("shamir.yaml", SHAMIR_PLAIN);
    let enc = sb.cmd(tool).args(["encrypt", "shamir.yaml"]).run();
    enc.assert_success();
    let text = enc.stdout_str();
    assert!(
        text.contains("shamir_threshold: 2") && text.matches("recipient: age1").count() == 3,
        "{label} did not apply the 3-group config\n{}",
        enc.describe()
    );
    let name = format!("{label}-enc.yaml");
    sb.write(&name, &enc.stdout);
    name
}

/// Decrypts `file` with `reader` for every pair of groups (must succeed, with `want` as output)
/// and every single group (must fail with 128); `names_all` says whether the failure report
/// must name the successful group's recipient too (leafseal does; sops reports only
/// `Group N: SUCCESS`, so for sops only the failed recipients are required).
fn shamir_matrix(
    sb: &Sandbox,
    reader: &Path,
    file: &str,
    want: &[u8],
    names_all: bool,
) -> Vec<String> {
    let gnupg = GpgHome::empty(sb, "gnupg-empty");
    let root = sb.root().to_path_buf();
    let mut failures = Vec::new();
    for pair in [[AGE1, AGE2], [AGE1, AGE3], [AGE2, AGE3]] {
        let id = identities(sb, &pair);
        let got = decrypt(sb, reader, &gnupg, Some(&id), &root, file);
        if got.code != 0 || got.stdout != want {
            failures.push(bytes_differ(
                &format!("{file} with {} + {}", pair[0].name, pair[1].name),
                want,
                &got,
            ));
        }
    }
    for single in keys::AGE_KEYS {
        let got = decrypt(
            sb,
            reader,
            &gnupg,
            Some(&single.identity_file()),
            &root,
            file,
        );
        if got.code != EXIT_NO_DATA_KEY {
            failures.push(format!(
                "{file} with only {}: expected exit {EXIT_NO_DATA_KEY}\n{}",
                single.name,
                got.describe()
            ));
            continue;
        }
        let err = got.stderr_str();
        for k in keys::AGE_KEYS {
            let required = names_all || k.recipient != single.recipient;
            if required && !err.contains(k.recipient) {
                failures.push(format!(
                    "{file} with only {}: the report does not name {}\n{}",
                    single.name,
                    k.name,
                    got.describe()
                ));
            }
        }
    }
    failures
}

/// A file sops encrypted with 3 age groups, threshold 2: leafseal opens it with any 2 groups'
/// identities and fails with 128, naming all three recipients, with any 1 (against sops
/// itself, `LEAFSEAL_UNDER_TEST`, only the two failed ones).
#[test]
fn shamir_sops_file_any_two_of_three_groups_with_leafseal() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let file = shamir_file(&sb, "sops", &sops);
    let want = sb
        .cmd(&sops)
        .args(["decrypt", &file])
        .age_identity(keys::age_all_identities())
        .run();
    want.assert_success();
    // Naming the successful group's recipient is leafseal's wording (sops prints only
    // `Group N: SUCCESS`), so it is required only when leafseal is under test.
    let names_all = crate::util::testing_leafseal();
    let failures = shamir_matrix(
        &sb,
        &crate::util::under_test(),
        &file,
        &want.stdout,
        names_all,
    );
    report(failures, "Shamir decryptions (sops file, leafseal reader)");
}

/// The same matrix for a file leafseal encrypted from the same config, read by sops.
#[test]
fn shamir_leafseal_file_any_two_of_three_groups_with_sops() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let reference = shamir_file(&sb, "sops", &sops);
    let file = shamir_file(&sb, "leafseal", &crate::util::under_test());
    let want = sb
        .cmd(&sops)
        .args(["decrypt", &reference])
        .age_identity(keys::age_all_identities())
        .run();
    want.assert_success();
    let failures = shamir_matrix(&sb, &sops, &file, &want.stdout, false);
    report(failures, "Shamir decryptions (leafseal file, sops reader)");
}

/// Two groups of different types, threshold 2: an age group and a PGP group. Each tool's file
/// opens with both keys in both tools, and with either key alone fails with 128 in both.
#[test]
fn shamir_age_group_plus_pgp_group() {
    let Some(sops) = tools::sops() else { return };
    let Some(gpg) = tools::gpg() else { return };
    let sb = Sandbox::new();
    let with_key = GpgHome::with_test_key(&sb, &gpg, "gnupg");
    let empty = GpgHome::empty(&sb, "gnupg-empty");
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - age: [{}]\n      - pgp: [{PGP_FP}]\n",
            AGE1.recipient
        ),
    );
    sb.write("in.yaml", PLAIN_YAML);
    let root = sb.root().to_path_buf();
    let mut files = Vec::new();
    for (label, tool) in both(&sops) {
        let enc = sb
            .cmd(&tool)
            .env("GNUPGHOME", with_key.path())
            .args(["encrypt", "in.yaml"])
            .run();
        enc.assert_success();
        let name = format!("{label}-enc.yaml");
        sb.write(&name, &enc.stdout);
        files.push(name);
    }
    let want = decrypt(
        &sb,
        &sops,
        &with_key,
        Some(&AGE1.identity_file()),
        &root,
        &files[0],
    );
    want.assert_success();
    let mut failures = Vec::new();
    for file in &files {
        for (label, tool) in both(&sops) {
            let all = decrypt(
                &sb,
                &tool,
                &with_key,
                Some(&AGE1.identity_file()),
                &root,
                file,
            );
            if all.code != 0 || all.stdout != want.stdout {
                failures.push(bytes_differ(
                    &format!("{label} decrypt {file} with both keys"),
                    &want.stdout,
                    &all,
                ));
            }
            let age_only = decrypt(&sb, &tool, &empty, Some(&AGE1.identity_file()), &root, file);
            let pgp_only = decrypt(&sb, &tool, &with_key, None, &root, file);
            for (what, out) in [("age only", age_only), ("PGP only", pgp_only)] {
                if out.code != EXIT_NO_DATA_KEY {
                    failures.push(format!(
                        "{label} decrypt {file} with {what}: expected exit {EXIT_NO_DATA_KEY}\n{}",
                        out.describe()
                    ));
                }
            }
        }
    }
    report(failures, "age + PGP group decryptions");
}

// ---------------------------------------------------------------------------------------------
// 3. one group with an age key and a PGP key

/// Each tool encrypts to `--age AGE1 --pgp FP`. Both files open in both tools with the age
/// identity alone (empty keyring) and with the PGP key alone (no age identity); with neither,
/// both tools fail with 128.
#[test]
fn age_and_pgp_key_each_suffice() {
    let Some(sops) = tools::sops() else { return };
    let Some(gpg) = tools::gpg() else { return };
    let sb = Sandbox::new();
    let with_key = GpgHome::with_test_key(&sb, &gpg, "gnupg");
    let empty = GpgHome::empty(&sb, "gnupg-empty");
    sb.write("in.yaml", PLAIN_YAML);
    let root = sb.root().to_path_buf();
    let mut files = Vec::new();
    for (label, tool) in both(&sops) {
        let enc = sb
            .cmd(&tool)
            .env("GNUPGHOME", with_key.path())
            .args([
                "encrypt",
                "--age",
                AGE1.recipient,
                "--pgp",
                PGP_FP,
                "in.yaml",
            ])
            .run();
        enc.assert_success();
        let text = enc.stdout_str();
        assert!(
            text.contains(AGE1.recipient) && text.contains(PGP_FP) && !text.contains("key_groups"),
            "{label}: expected one group with both keys\n{}",
            enc.describe()
        );
        let name = format!("{label}-enc.yaml");
        sb.write(&name, &enc.stdout);
        files.push(name);
    }
    let want = decrypt(
        &sb,
        &sops,
        &with_key,
        Some(&AGE1.identity_file()),
        &root,
        &files[0],
    );
    want.assert_success();
    let mut failures = Vec::new();
    for file in &files {
        for (label, tool) in both(&sops) {
            let age_only = decrypt(&sb, &tool, &empty, Some(&AGE1.identity_file()), &root, file);
            let pgp_only = decrypt(&sb, &tool, &with_key, None, &root, file);
            for (what, out) in [("age only", &age_only), ("PGP only", &pgp_only)] {
                if out.code != 0 || out.stdout != want.stdout {
                    failures.push(bytes_differ(
                        &format!("{label} decrypt {file} with {what}"),
                        &want.stdout,
                        out,
                    ));
                }
            }
            let neither = decrypt(&sb, &tool, &empty, None, &root, file);
            if neither.code != EXIT_NO_DATA_KEY {
                failures.push(format!(
                    "{label} decrypt {file} with no key: expected exit {EXIT_NO_DATA_KEY}\n{}",
                    neither.describe()
                ));
            }
        }
    }
    report(failures, "mixed-key decryptions");
}

// ---------------------------------------------------------------------------------------------
// 4. --decryption-order

/// `pgp,age` (flag and `SOPS_DECRYPTION_ORDER`) decrypts a mixed file in both tools; a repeated
/// key type exits 112 in both, before any key is tried.
#[test]
fn decryption_order_flag_and_env() {
    let Some(sops) = tools::sops() else { return };
    let Some(gpg) = tools::gpg() else { return };
    let sb = Sandbox::new();
    let gnupg = GpgHome::with_test_key(&sb, &gpg, "gnupg");
    sb.write("in.yaml", PLAIN_YAML);
    let enc = sb
        .cmd(&sops)
        .env("GNUPGHOME", gnupg.path())
        .args([
            "encrypt",
            "--age",
            AGE1.recipient,
            "--pgp",
            PGP_FP,
            "in.yaml",
        ])
        .run();
    enc.assert_success();
    sb.write("mixed.enc.yaml", &enc.stdout);
    let base = |tool: &Path| {
        sb.cmd(tool)
            .env("GNUPGHOME", gnupg.path())
            .age_identity(AGE1.identity_file())
    };
    let want = base(&sops).args(["decrypt", "mixed.enc.yaml"]).run();
    want.assert_success();

    let mut failures = Vec::new();
    let cases: [(&str, i32); 5] = [
        ("pgp,age", 0),
        ("pgp", 0),
        ("age,age", EXIT_DUPLICATE_DECRYPTION_ORDER),
        ("pgp,age,pgp", EXIT_DUPLICATE_DECRYPTION_ORDER),
        ("pgp,pgp", EXIT_DUPLICATE_DECRYPTION_ORDER),
    ];
    for (order, code) in cases {
        for (label, tool) in both(&sops) {
            let by_flag = base(&tool)
                .args(["decrypt", "--decryption-order", order, "mixed.enc.yaml"])
                .run();
            let by_env = base(&tool)
                .env("SOPS_DECRYPTION_ORDER", order)
                .args(["decrypt", "mixed.enc.yaml"])
                .run();
            for (how, out) in [("flag", by_flag), ("env", by_env)] {
                let ok = out.code == code && (code != 0 || out.stdout == want.stdout);
                if !ok {
                    failures.push(format!(
                        "{label} with order {order:?} by {how}: expected exit {code}\n{}",
                        out.describe()
                    ));
                }
            }
        }
    }
    report(failures, "decryption-order cases");
}

/// age's SSH recipients (`ssh-ed25519`, `ssh-rsa`) both ways with sops, identities from
/// `SOPS_AGE_SSH_PRIVATE_KEY_FILE`.
#[test]
fn ssh_recipients_interoperate() {
    let Some(sops) = tools::sops() else { return };
    let Some(keygen) = tools::on_path("ssh-keygen") else {
        if crate::util::in_ci() {
            panic!("ssh-keygen (openssh-client) is needed: run scripts/test.sh");
        }
        return;
    };
    let sb = Sandbox::new();
    sb.write("s.yaml", "token: ssh-protected\ncount: 3\n");
    for (kind, extra) in [("ed25519", &[][..]), ("rsa", &["-b", "2048"][..])] {
        let key = sb.path(&format!("id_{kind}"));
        let out = sb
            .cmd(&keygen)
            .args(["-q", "-t", kind, "-N", "", "-f"])
            .arg(&key)
            .args(extra)
            .run();
        out.assert_success();
        let public = std::fs::read_to_string(format!("{}.pub", key.display())).unwrap();
        let recipient = public
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        let ours = sb
            .leafseal()
            .args(["encrypt", "--age", &recipient, "s.yaml"])
            .run();
        ours.assert_success();
        sb.write("ours.yaml", &ours.stdout);
        let theirs = sb
            .cmd(&sops)
            .args(["encrypt", "--age", &recipient, "s.yaml"])
            .run();
        theirs.assert_success();
        sb.write("theirs.yaml", &theirs.stdout);
        for file in ["ours.yaml", "theirs.yaml"] {
            for program in [None, Some(&sops)] {
                let cmd = match program {
                    None => sb.leafseal(),
                    Some(p) => sb.cmd(p),
                };
                let out = cmd
                    .args(["decrypt", file])
                    .env("SOPS_AGE_SSH_PRIVATE_KEY_FILE", &key)
                    .run();
                out.assert_success()
                    .assert_stdout_eq(b"token: ssh-protected\ncount: 3\n");
            }
        }
    }
}
