//! Micro-benchmarks of the value cipher and the MAC (issue 8): what one leaf costs without any
//! file format around it. Run with `cargo bench --bench cipher`; `cargo test --all-targets`
//! runs each function once as a smoke test.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use leafseal::cipher::mac::MacHasher;
use leafseal::cipher::value::{open, seal, Token};
use leafseal::cipher::DataKey;
use leafseal::tree::Value;

/// A fixed key and IV: the numbers must not depend on the OS generator.
fn key() -> DataKey {
    DataKey::from_slice(&[7u8; 32]).unwrap()
}

const IV: [u8; 32] = [0x5a; 32];
const AAD: &[u8] = b"svc_01000:db:password:";

fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| b'a' + (i % 26) as u8).collect()
}

fn value_cipher(c: &mut Criterion) {
    let k = key();
    let mut g = c.benchmark_group("value");
    for len in [16usize, 64, 1024] {
        let pt = plaintext(len);
        let tok = seal(&k, &pt, AAD, IV, "str");
        let text = tok.to_string();
        g.throughput(Throughput::Bytes(len as u64));
        // Encrypt only: AES-256-GCM with the 32-byte IV into a Token.
        g.bench_with_input(BenchmarkId::new("seal", len), &pt, |b, pt| {
            b.iter(|| seal(&k, black_box(pt), black_box(AAD), IV, "str"))
        });
        // What encrypt does per leaf: seal plus the ENC[...] text (three base64 encodes).
        g.bench_with_input(BenchmarkId::new("seal_to_text", len), &pt, |b, pt| {
            b.iter(|| seal(&k, black_box(pt), black_box(AAD), IV, "str").to_string())
        });
        // Decrypt only, token already parsed.
        g.bench_with_input(BenchmarkId::new("open", len), &tok, |b, tok| {
            b.iter(|| open(&k, black_box(tok), black_box(AAD)).unwrap())
        });
        // What decrypt does per leaf: parse the ENC[...] text, then open.
        g.bench_with_input(BenchmarkId::new("parse_open", len), &text, |b, text| {
            b.iter(|| {
                let t = Token::parse(black_box(text)).unwrap();
                open(&k, &t, black_box(AAD)).unwrap()
            })
        });
        g.bench_with_input(BenchmarkId::new("parse", len), &text, |b, text| {
            b.iter(|| Token::parse(black_box(text)).unwrap())
        });
    }
    g.finish();
}

fn mac(c: &mut Criterion) {
    // 1,000 leaves shaped like the benchmark corpus: short strings, ints, floats, bools, PEM.
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        "A".repeat(64 * 4)
    );
    let leaves: Vec<Value> = (0..1000)
        .map(|i| match i % 5 {
            0 => Value::Str(format!("svc-{i:05}")),
            1 => Value::Int(i * 37),
            2 => Value::Float(i as f64 / 7.0),
            3 => Value::Bool(i % 2 == 0),
            _ => Value::Str(pem.clone()),
        })
        .collect();
    let bytes: usize = leaves
        .iter()
        .map(|v| leafseal::tree::scalar::canonical_bytes(v).map_or(0, |b| b.len()))
        .sum();
    let mut g = c.benchmark_group("mac");
    g.throughput(Throughput::Elements(leaves.len() as u64));
    g.bench_function(BenchmarkId::new("feed_finish_1000_leaves", bytes), |b| {
        b.iter(|| {
            let mut h = MacHasher::new(false);
            for v in black_box(&leaves) {
                h.feed(v);
            }
            h.finish()
        })
    });
    g.finish();
}

criterion_group!(benches, value_cipher, mac);
criterion_main!(benches);
