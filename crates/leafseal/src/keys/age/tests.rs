// The classic X25519 identities are deprecated in the age crate (not post-quantum); SOPS files
// use them, so the tests make them.
#![allow(deprecated)]

use super::*;
use sha2::{Digest, Sha256};

fn ids_from(text: &str, words: bool) -> Identities {
    let mut ids = Identities::new();
    ids.parse(text, "test", words);
    ids
}

#[test]
fn wrap_produces_sops_style_armor() {
    let id = age::x25519::Identity::generate();
    let k: AgeKey = id.to_public().to_string().parse().unwrap();
    let stored = k.wrap(&[7u8; 32]).unwrap();
    let enc = stored.enc();
    assert!(enc.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
    assert!(enc.ends_with("-----END AGE ENCRYPTED FILE-----\n"));
    use age::secrecy::ExposeSecret;
    let ids = ids_from(id.to_string().expose_secret(), false);
    assert_eq!(
        &try_unwrap(enc.as_bytes(), &ids).unwrap().unwrap()[..],
        &[7u8; 32]
    );
    let other = age::x25519::Identity::generate();
    let other = ids_from(other.to_string().expose_secret(), false);
    assert!(try_unwrap(enc.as_bytes(), &other).unwrap().is_none());
}

#[test]
fn post_quantum_round_trip_and_stanza() {
    use age::secrecy::ExposeSecret;
    let id = age::pq::Identity::generate();
    let recipient = id.to_public().to_string();
    assert!(recipient.starts_with("age1pq1"), "{recipient}");
    let k: AgeKey = recipient.parse().unwrap();
    assert!(matches!(k.recip, Recip::Pq(_)));
    let stored = k.wrap(&[9u8; 33]).unwrap();
    // The armored file holds one mlkem768x25519 stanza.
    let mut bin = Vec::new();
    ArmoredReader::new(stored.enc().as_bytes())
        .read_to_end(&mut bin)
        .unwrap();
    let header = String::from_utf8_lossy(&bin[..bin.len().min(2000)]).into_owned();
    assert!(header.contains("\n-> mlkem768x25519 "), "{header}");
    let ids = ids_from(id.to_string().expose_secret(), false);
    let got = try_unwrap(stored.enc().as_bytes(), &ids).unwrap().unwrap();
    assert_eq!(&got[..], &[9u8; 33]);
    // An X25519 identity does not open it.
    let x = age::x25519::Identity::generate();
    let x = ids_from(x.to_string().expose_secret(), false);
    assert!(try_unwrap(stored.enc().as_bytes(), &x).unwrap().is_none());
}

#[test]
fn recipients_dispatch_as_sops() {
    let pq = age::pq::Identity::generate().to_public().to_string();
    let x = age::x25519::Identity::generate().to_public().to_string();
    let kind = |s: &str| match s.parse::<AgeKey>().map(|k| k.recip) {
        Ok(Recip::X25519(_)) => "x25519",
        Ok(Recip::Pq(_)) => "pq",
        Ok(Recip::Ssh(_)) => "ssh",
        Ok(Recip::Plugin(p)) => {
            assert!(!p.0.plugin().is_empty());
            "plugin"
        }
        Err(_) => "error",
    };
    assert_eq!(kind(&pq), "pq");
    assert_eq!(kind(&format!("  {x}\n")), "x25519");
    // A plugin recipient: bech32 with the HRP `age1NAME` (here `age1test`).
    assert_eq!(kind("age1test10qdmzv9q"), "plugin");
    let tag = "age1tag1qgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqydpmt7j";
    assert_eq!(
        kind(tag),
        "plugin",
        "SOPS sends age1tag1… to age-plugin-tag"
    );
    assert_eq!(
        kind("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN"),
        "ssh"
    );
    assert_eq!(kind("age1pq1notbech32"), "error");
    assert_eq!(kind("AGE-SECRET-KEY-1X"), "error");
    let e = "gpg:1234".parse::<AgeKey>().unwrap_err().to_string();
    assert!(e.contains("unknown recipient type"), "{e}");
}

#[test]
fn identities_parse_as_sops() {
    use age::secrecy::ExposeSecret;
    let x = age::x25519::Identity::generate();
    let pq = age::pq::Identity::generate();
    let plugin = "AGE-PLUGIN-TEST-1DPSKUERVV523MTMA";
    let text = format!(
        "# comment\n\n{}\n{}\n{plugin}\nnonsense\n",
        x.to_string().expose_secret(),
        pq.to_string().expose_secret()
    );
    let ids = ids_from(&text, false);
    assert_eq!(ids.keys.len(), 2);
    assert_eq!(ids.plugins.len(), 1);
    assert_eq!(ids.problems.len(), 1, "{:?}", ids.problems);
    assert!(ids.problems[0].contains("line 6"), "{:?}", ids.problems);
    // SOPS_AGE_KEY: several identities on one line.
    let one_line = format!(
        "{} {}",
        x.to_string().expose_secret(),
        pq.to_string().expose_secret()
    );
    assert_eq!(ids_from(&one_line, true).keys.len(), 2);
    assert_eq!(ids_from(&one_line, false).keys.len(), 0);
    // An age-encrypted source is a passphrase-protected identity file, opened on use.
    let locked = ids_from("-----BEGIN AGE ENCRYPTED FILE-----\nxyz\n", false);
    assert_eq!((locked.keys.len(), locked.locked.len()), (0, 1));
}

#[test]
fn seconds_from_env_reads_fractions() {
    std::env::set_var("LEAFSEAL_TEST_SECONDS_A", "0.25");
    assert_eq!(
        seconds_from_env("LEAFSEAL_TEST_SECONDS_A"),
        Some(Duration::from_millis(250))
    );
    std::env::set_var("LEAFSEAL_TEST_SECONDS_B", "-1");
    assert_eq!(seconds_from_env("LEAFSEAL_TEST_SECONDS_B"), None);
    assert_eq!(seconds_from_env("LEAFSEAL_TEST_SECONDS_UNSET"), None);
}

/// The CCTV age vectors for the hybrid stanza (`testdata/age/cctv/`, see its README) through
/// leafseal's identity parser and decryption path.
#[test]
fn cctv_hybrid_vectors() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("testdata/age/cctv");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("hybrid"))
        .collect();
    names.sort();
    assert!(names.len() >= 15, "vectors missing in {}", dir.display());
    let mut failures = Vec::new();
    for name in &names {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let split = bytes.windows(2).position(|w| w == b"\n\n").unwrap();
        let head = String::from_utf8(bytes[..split].to_vec()).unwrap();
        let file = &bytes[split + 2..];
        let field = |k: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}: ")))
                .map(str::to_owned)
        };
        let expect = field("expect").unwrap();
        let mut identities = String::new();
        for l in head.lines() {
            if let Some(i) = l.strip_prefix("identity: ") {
                identities.push_str(i);
                identities.push('\n');
            }
        }
        let ids = ids_from(&identities, false);
        assert!(ids.problems.is_empty(), "{name}: {:?}", ids.problems);
        let got = try_unwrap(file, &ids);
        let ok = match (expect.as_str(), &got) {
            ("success", Ok(Some(plain))) => {
                hex::encode(Sha256::digest(&plain[..])) == field("payload").unwrap()
            }
            ("no match", Ok(None)) => true,
            ("header failure", Err(_)) => true,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{name}: expected {expect}, got {:?}",
                got.map(|o| o.map(|p| p.len()))
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
