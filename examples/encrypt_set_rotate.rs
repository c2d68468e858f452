//! Encrypt for an age recipient, change one value, rotate the data key, save.
//!
//!     SOPS_AGE_KEY_FILE=testdata/keys/age1.txt cargo run -p leafseal --example encrypt_set_rotate
use leafseal::{encrypt, Format, Recipients};

fn main() -> Result<(), leafseal::Error> {
    let recipients =
        Recipients::new().age("age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v")?;
    let doc = encrypt(b"api:\n    token: abc\n", Format::Yaml, recipients)?;
    // Unchanged values keep their ciphertexts: a diff shows only the changed line.
    let doc = doc.set(r#"["api"]["token"]"#, serde_json::json!("xyz"))?;
    let doc = doc.rotate(Recipients::new())?;
    let out = std::env::temp_dir().join("leafseal-example.sops.yaml");
    doc.save(&out)?;
    println!("{}", String::from_utf8_lossy(doc.as_bytes()));
    println!("written to {}", out.display());
    Ok(())
}
