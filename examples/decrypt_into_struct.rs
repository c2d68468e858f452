//! Decrypt a SOPS file into your own type with the leafseal library.
//!
//!     SOPS_AGE_KEY_FILE=testdata/keys/age1.txt \
//!         cargo run -p leafseal --example decrypt_into_struct testdata/library/app.sops.yaml
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Settings {
    database: Database,
    features: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Database {
    host: String,
    port: u16,
}

fn main() -> Result<(), leafseal::Error> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "testdata/library/app.sops.yaml".into());
    let doc = leafseal::Document::read(&path)?;
    let settings: Settings = doc.deserialize()?;
    println!(
        "{path}: database {}:{}, features {:?}",
        settings.database.host, settings.database.port, settings.features
    );
    // Match on the kind, never on the text.
    match leafseal::decrypt_file("missing.sops.yaml") {
        Err(e) if e.kind() == leafseal::ErrorKind::NoFile => {
            println!("missing.sops.yaml: no such file")
        }
        other => println!("unexpected: {:?}", other.map(|_| ())),
    }
    Ok(())
}
