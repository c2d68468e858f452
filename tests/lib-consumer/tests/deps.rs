//! The library with `age` and `yaml` only pulls in no CLI parser, no cloud SDK, no async runtime
//! and no gRPC/HTTP client (issue 20). `cargo tree` runs offline on the lockfile.
// Tests may unwrap: a panic there is a test failure with a backtrace (STYLE.md §3).
#![allow(clippy::unwrap_used)]

#[test]
fn age_yaml_build_has_no_clap_aws_tokio() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "-p",
            "leafseal-lib-consumer",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .output()
        .expect("run cargo tree");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("leafseal v"), "{text}");
    assert!(text.contains("age v"), "{text}");
    let banned = [
        "clap",
        "aws-",
        "tokio",
        "tonic",
        "ureq",
        "hyper",
        "prost",
        "toml_edit",
    ];
    let found: Vec<&str> = text
        .lines()
        .filter(|l| banned.iter().any(|b| l.starts_with(b)))
        .collect();
    assert!(found.is_empty(), "unexpected dependencies: {found:?}");
}
