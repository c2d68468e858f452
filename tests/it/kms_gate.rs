//! A tiny KMS emulator on 127.0.0.1 that proves requests overlap without measuring time.
//!
//! It answers the JSON-protocol `TrentService.Encrypt` and `TrentService.Decrypt` calls (the
//! "ciphertext" is the plaintext behind a fixed prefix: no secrecy, only the protocol) and
//! counts the requests in flight. With a gate of N, each request is held until N requests are
//! in flight together (then the whole batch is answered) or until [`HOLD`] passes; the largest
//! number seen in flight is kept. A client that sends one request at a time thus sees every
//! request held for [`HOLD`] and the count stays 1; a client that overlaps N requests is
//! answered at once and the count reaches N. Stops when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine as _;

/// How long a request waits for its batch before it is answered anyway.
const HOLD: Duration = Duration::from_secs(3);
const PREFIX: &[u8] = b"leafseal-kms-gate:";

#[derive(Default, Debug, Clone, Copy)]
pub struct Counts {
    /// Requests in flight now.
    pub in_flight: usize,
    /// The most requests ever in flight together (since the last reset).
    pub max_in_flight: usize,
    /// Decrypt calls (since the last reset).
    pub decrypts: usize,
    /// Encrypt calls (since the last reset).
    pub encrypts: usize,
    /// Requests answered because [`HOLD`] passed rather than because their batch was full.
    pub held_out: usize,
    gate: usize,
    batch: u64,
}

#[derive(Default)]
struct State {
    counts: Mutex<Counts>,
    changed: Condvar,
}

pub struct KmsGate {
    pub port: u16,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl KmsGate {
    /// Start with a gate of 1 (nothing is held).
    pub fn start() -> KmsGate {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind KMS emulator");
        let port = listener.local_addr().expect("local addr").port();
        let state = Arc::new(State::default());
        state.counts.lock().unwrap().gate = 1;
        let stop = Arc::new(AtomicBool::new(false));
        let (state2, stop2) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(c) = conn {
                    let st = state2.clone();
                    std::thread::spawn(move || serve(c, &st));
                }
            }
        });
        KmsGate {
            port,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// For `AWS_ENDPOINT_URL_KMS`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Hold requests until `n` are in flight together; reset the counters.
    pub fn gate(&self, n: usize) {
        let mut c = self.state.counts.lock().unwrap();
        *c = Counts {
            in_flight: c.in_flight,
            gate: n.max(1),
            batch: c.batch,
            ..Counts::default()
        };
    }

    pub fn counts(&self) -> Counts {
        *self.state.counts.lock().unwrap()
    }
}

impl Drop for KmsGate {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Wait for the batch, answer, leave.
fn gated<T>(st: &State, encrypt: bool, answer: impl FnOnce() -> T) -> T {
    let mut c = st.counts.lock().unwrap();
    c.in_flight += 1;
    c.max_in_flight = c.max_in_flight.max(c.in_flight);
    if encrypt {
        c.encrypts += 1;
    } else {
        c.decrypts += 1;
    }
    let batch = c.batch;
    if c.in_flight >= c.gate {
        c.batch += 1;
        st.changed.notify_all();
    } else {
        let deadline = Instant::now() + HOLD;
        while c.batch == batch {
            let now = Instant::now();
            if now >= deadline {
                c.held_out += 1;
                break;
            }
            c = st.changed.wait_timeout(c, deadline - now).unwrap().0;
        }
    }
    drop(c);
    let out = answer();
    st.counts.lock().unwrap().in_flight -= 1;
    out
}

fn serve(conn: TcpStream, st: &State) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(mut writer) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    // Keep-alive: one request after another on the connection until the client closes it.
    loop {
        let mut target = String::new();
        let mut length = 0usize;
        let mut first = true;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = line.trim_end();
            if line.is_empty() {
                if first {
                    continue;
                }
                break;
            }
            first = false;
            if let Some((k, v)) = line.split_once(':') {
                match k.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = v.trim().parse().unwrap_or(0),
                    "x-amz-target" => target = v.trim().to_owned(),
                    _ => {}
                }
            }
        }
        let mut body = vec![0u8; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, reply) = match target.as_str() {
            "TrentService.Encrypt" => gated(st, true, || encrypt(&body)),
            "TrentService.Decrypt" => gated(st, false, || decrypt(&body)),
            other => (
                400,
                format!(
                    r#"{{"__type":"UnsupportedOperationException","message":"{other} is not emulated"}}"#
                ),
            ),
        };
        let head = format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: application/x-amz-json-1.1\r\n\
             x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\nContent-Length: {}\r\n\r\n",
            if status == 200 { "OK" } else { "Bad Request" },
            reply.len()
        );
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(reply.as_bytes()).is_err()
        {
            return;
        }
    }
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn field(body: &[u8], name: &str) -> Option<(String, Vec<u8>)> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let key = v["KeyId"].as_str().unwrap_or("").to_owned();
    let data = b64().decode(v[name].as_str()?).ok()?;
    Some((key, data))
}

fn bad(msg: &str) -> (u16, String) {
    (
        400,
        format!(r#"{{"__type":"InvalidCiphertextException","message":"{msg}"}}"#),
    )
}

fn encrypt(body: &[u8]) -> (u16, String) {
    let Some((key, plain)) = field(body, "Plaintext") else {
        return bad("no Plaintext");
    };
    let mut blob = PREFIX.to_vec();
    blob.extend_from_slice(&plain);
    (
        200,
        serde_json::json!({
            "CiphertextBlob": b64().encode(blob),
            "KeyId": key,
            "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        })
        .to_string(),
    )
}

fn decrypt(body: &[u8]) -> (u16, String) {
    let Some((key, blob)) = field(body, "CiphertextBlob") else {
        return bad("no CiphertextBlob");
    };
    let Some(plain) = blob.strip_prefix(PREFIX) else {
        return bad("not a ciphertext of this emulator");
    };
    (
        200,
        serde_json::json!({
            "Plaintext": b64().encode(plain),
            "KeyId": key,
            "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        })
        .to_string(),
    )
}
