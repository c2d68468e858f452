//! A plain mutation fuzzer for stable Rust, when `cargo fuzz` (libFuzzer) cannot run.
//!
//!   cargo run --release --bin driver -- <target> [seconds] [seed]
//!
//! Seeds come from `testdata/` (whole files for the store targets, plus `ENC[…]` tokens, path
//! expressions and byte strings cut out of them for the small targets). Each round mutates a
//! corpus entry (bit flips, byte edits, chunk deletion/duplication, splicing, dictionary
//! words), runs the target under `catch_unwind`, keeps inputs that reach a new
//! (outcome, length-bucket) pair as a crude coverage signal, and stops at the first panic,
//! writing the input to `fuzz/artifacts/<target>/crash-<hash>`. Prints executions per second.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const DICT: &[&[u8]] = &[
    b"ENC[AES256_GCM,data:",
    b",iv:",
    b",tag:",
    b",type:str]",
    b",type:comment]",
    b"sops:\n",
    b"    mac: ",
    b"    lastmodified: ",
    b"    version: 3.11.0\n",
    b"\"sops\": {",
    b"sops_mac=",
    b"[sops]\n",
    b"_unencrypted",
    b"\n- ",
    b": ",
    b"=",
    b"[",
    b"]",
    b"{",
    b"}",
    b"\"",
    b"'",
    b"#",
    b";",
    b"\\",
    b"\n",
    b"\t",
    b"&a ",
    b"*a",
    b"!!binary ",
    b"<<: ",
    b"---\n",
    b"...\n",
    b"|-\n",
    b">\n",
    b"\xff",
    b"\x00",
    b"\r\n",
    b"[\"a\"][0]",
    b"creation_rules:\n  - path_regex: ",
    b"key_groups:\n",
    b"shamir_threshold: ",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, corpus: &[Vec<u8>], input: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let len = input.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                input.insert(i, rng.next() as u8);
            }
            3 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(64)).min(len);
                input.drain(a..b);
            }
            4 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(64)).min(len);
                let chunk = input[a..b].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, chunk);
            }
            5 | 6 => {
                let w = DICT[rng.below(DICT.len())];
                let at = rng.below(len + 1);
                input.splice(at..at, w.iter().copied());
            }
            7 if !corpus.is_empty() => {
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let a = rng.below(other.len());
                    let b = (a + 1 + rng.below(256)).min(other.len());
                    let at = rng.below(len + 1);
                    input.splice(at..at, other[a..b].iter().copied());
                }
            }
            8 if len > 0 => {
                input.truncate(rng.below(len));
            }
            _ => {}
        }
    }
    input.truncate(1 << 16);
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Seeds for `target` from `testdata/`, small enough to mutate quickly.
fn seeds(target: &str, testdata: &Path) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    files_under(testdata, &mut files);
    files.sort();
    let token_re = |s: &str| -> Vec<Vec<u8>> {
        s.match_indices("ENC[")
            .filter_map(|(i, _)| s[i..].find(']').map(|j| s.as_bytes()[i..=i + j].to_vec()))
            .collect()
    };
    let mut out = Vec::new();
    for f in files {
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        if bytes.len() > 64 * 1024 {
            continue;
        }
        match target {
            "token" => out.extend(token_re(&String::from_utf8_lossy(&bytes))),
            "path" => {
                for p in [
                    &b"[\"a\"]"[..],
                    b"[\"a\"][0][\"b\"]",
                    b"[0]",
                    b"['x']",
                    b"[\"sops\"][\"mac\"]",
                    b"[-1]",
                ] {
                    out.push(p.to_vec());
                }
            }
            "shamir" => {
                out.push([&[3u8, 7][..], &bytes[..bytes.len().min(32)]].concat());
                out.push([&[6u8, 33][..], &bytes[..bytes.len().min(99)]].concat());
            }
            _ if leafseal_fuzz::seed_filter(target, &name) => out.push(bytes),
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        out.push(Vec::new());
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let target = args.get(1).cloned().unwrap_or_else(|| {
        eprintln!(
            "usage: driver <target> [seconds] [seed]; targets: {:?}",
            leafseal_fuzz::TARGETS
        );
        std::process::exit(2)
    });
    if !leafseal_fuzz::TARGETS.contains(&target.as_str()) {
        eprintln!(
            "unknown target {target:?}; targets: {:?}",
            leafseal_fuzz::TARGETS
        );
        std::process::exit(2);
    }
    let secs: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1eaf_5ea1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut corpus = seeds(&target, &root.join("testdata"));
    let n_seeds = corpus.len();

    // Panics are findings, reported below; keep the default hook quiet meanwhile.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let mut seen: HashSet<(bool, usize)> = HashSet::new();
    let (mut execs, mut slowest) = (0u64, (Duration::ZERO, Vec::new()));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let mut input = Vec::new();
    let mut crash: Option<(Vec<u8>, String)> = None;
    while Instant::now() < deadline {
        // First every seed as is, then mutations.
        if (execs as usize) < n_seeds {
            input.clone_from(&corpus[execs as usize]);
        } else {
            input.clone_from(&corpus[rng.below(corpus.len())]);
            mutate(&mut rng, &corpus, &mut input);
        }
        let t0 = Instant::now();
        let r = catch_unwind(AssertUnwindSafe(|| leafseal_fuzz::run(&target, &input)));
        let took = t0.elapsed();
        execs += 1;
        if took > slowest.0 {
            slowest = (took, input.clone());
        }
        if let Err(e) = r {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "<non-string panic>".into());
            crash = Some((input.clone(), msg));
            break;
        }
        // Crude feedback: a new length bucket keeps the input.
        let bucket = (input.len().max(1)).ilog2() as usize * 64
            + input.first().copied().unwrap_or(0) as usize % 64;
        if seen.insert((true, bucket)) && corpus.len() < 10_000 {
            corpus.push(input.clone());
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let _ = std::panic::take_hook();
    println!(
        "{target}: {execs} execs in {elapsed:.1} s = {:.0} execs/s; {n_seeds} seeds, corpus {}; slowest input {:?} ({} bytes)",
        execs as f64 / elapsed,
        corpus.len(),
        slowest.0,
        slowest.1.len()
    );
    if slowest.0 > Duration::from_secs(1) {
        let dir = root.join("fuzz/artifacts").join(&target);
        let _ = std::fs::create_dir_all(&dir);
        let p = dir.join(format!("slow-{:016x}", hash(&slowest.1)));
        let _ = std::fs::write(&p, &slowest.1);
        println!(
            "{target}: SLOW input ({:?}) saved to {}",
            slowest.0,
            p.display()
        );
    }
    if let Some((bytes, msg)) = crash {
        let dir = root.join("fuzz/artifacts").join(&target);
        let _ = std::fs::create_dir_all(&dir);
        let p = dir.join(format!("crash-{:016x}", hash(&bytes)));
        let _ = std::fs::write(&p, &bytes);
        println!(
            "{target}: CRASH after {execs} execs: {msg}\n{target}: input saved to {}",
            p.display()
        );
        std::process::exit(1);
    }
}

/// FNV-1a, for artifact names.
fn hash(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &x| {
        (h ^ x as u64).wrapping_mul(0x0100_0000_01b3)
    })
}
