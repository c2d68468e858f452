//! Key groups (spec §7): wrap the data key for every group (whole key with one group, one
//! Shamir share per group otherwise) and recover it, with a report of every key tried.

use std::fmt;

use zeroize::Zeroizing;

use crate::cipher::DataKey;
use crate::keys::{backend, KeyError, MasterKey};
use crate::keyservice;
use crate::shamir;
use crate::store::metadata::{Metadata, StoredKey};

/// Master keys grouped as they will be stored.
pub type Groups = Vec<Vec<Box<dyn MasterKey>>>;

/// Wrap `key` for every group. One group: each key wraps the whole key. Several: group i's
/// keys wrap share i of a split with `threshold` (0 = number of groups).
pub fn wrap(
    groups: &Groups,
    threshold: usize,
    key: &DataKey,
) -> Result<Vec<Vec<StoredKey>>, KeyError> {
    if groups.len() <= 1 {
        let g = groups.first().map(|g| g.as_slice()).unwrap_or(&[]);
        return Ok(vec![g
            .iter()
            .map(|k| keyservice::wrap(k.as_ref(), key.expose()))
            .collect::<Result<_, _>>()?]);
    }
    let t = if threshold == 0 {
        groups.len()
    } else {
        threshold
    };
    let shares = shamir::split(key.expose(), groups.len(), t)
        .map_err(|e| KeyError::Failed(e.to_string()))?;
    groups
        .iter()
        .zip(shares.iter())
        .map(|(g, share)| {
            g.iter()
                .map(|k| keyservice::wrap(k.as_ref(), share))
                .collect()
        })
        .collect()
}

/// The outcome of one key's unwrap attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Key description (`age: age1…`).
    pub key: String,
    /// `None` on success, else why it failed.
    pub error: Option<String>,
}

/// Why the data key could not be recovered: every group and key tried.
#[derive(Debug, Clone)]
pub struct RecoveryReport {
    /// Per group, the attempts in order.
    pub groups: Vec<Vec<Attempt>>,
    /// Groups needed.
    pub threshold: usize,
}

impl fmt::Display for RecoveryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ok = self
            .groups
            .iter()
            .filter(|g| g.iter().any(|a| a.error.is_none()))
            .count();
        write!(
            f,
            "could not retrieve the data key: {ok} of {} key group(s) opened, {} needed",
            self.groups.len(),
            self.threshold
        )?;
        for (i, g) in self.groups.iter().enumerate() {
            write!(f, "\n  group {i}:")?;
            for a in g {
                match &a.error {
                    None => write!(f, "\n    {}: SUCCESS", a.key)?,
                    Some(e) => write!(f, "\n    {}: FAILED: {e}", a.key)?,
                }
            }
        }
        Ok(())
    }
}

/// Keys of a group in `order` (backend names tried first), the rest stable.
fn ordered<'a>(g: &'a [StoredKey], order: &[String]) -> Vec<&'a StoredKey> {
    let rank = |k: &StoredKey| {
        order
            .iter()
            .position(|o| *o == k.kind)
            .unwrap_or(order.len())
    };
    let mut v: Vec<&StoredKey> = g.iter().collect();
    v.sort_by_key(|k| rank(k));
    v
}

/// What opening one group gave: the attempts, and the secret if one key worked.
type GroupOutcome = (Vec<Attempt>, Option<Zeroizing<Vec<u8>>>);

/// Try one stored key through the key services (this machine's keys alone unless
/// `--keyservice` is given).
fn attempt(k: &StoredKey) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    keyservice::unwrap(k, local_attempt)
}

/// Try one stored key with this machine's keys. Local keys take [`LOCAL_KEYS`] (a remote key
/// service's answer for them does not: it prompts, if at all, on its own machine).
fn local_attempt(k: &StoredKey) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let _one_at_a_time =
        (!is_network(&k.kind)).then(|| LOCAL_KEYS.lock().unwrap_or_else(|p| p.into_inner()));
    match backend(&k.kind) {
        Some(b) => b.unwrap(k),
        None => Err(KeyError::NotMine(format!(
            "{} keys are not supported by this build",
            k.kind
        ))),
    }
}

/// Keys whose unwrap is a network call (bounded by the backend's own time limits).
fn is_network(kind: &str) -> bool {
    matches!(kind, "kms" | "gcp_kms" | "azure_kv" | "hc_vault" | "hckms")
}

/// Held while a local key (age, PGP) is tried: they may prompt (pinentry, `SOPS_AGE_KEY_CMD`),
/// so in the whole process only one is tried at a time, also when several groups or several
/// files (`cli::many`) are opened at once. Network keys do not take it.
static LOCAL_KEYS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Recover one group's secret. Local keys (age, PGP) are tried one after another in
/// `--decryption-order`, since they may prompt (pinentry, an age plugin). The network keys
/// then run concurrently, [`NETWORK_POOL`] at a time and at most [`MAX_NETWORK_KEYS`] of
/// them, and the first success wins, so a slow or unreachable service does not delay a working
/// key; attempts still running are left to their own time limits. Attempts are reported in
/// the group's key order.
fn open_group(g: &[StoredKey], order: &[String]) -> (Vec<Attempt>, Option<Zeroizing<Vec<u8>>>) {
    let keys = ordered(g, order);
    let mut results: Vec<Option<String>> = vec![None; keys.len()];
    let mut tried = vec![false; keys.len()];
    for (i, k) in keys
        .iter()
        .enumerate()
        .filter(|(_, k)| !is_network(&k.kind))
    {
        tried[i] = true;
        match attempt(k) {
            Ok(s) => return (report(&keys, &tried, &results, Some(i)), Some(s)),
            Err(e) => results[i] = Some(e.to_string()),
        }
    }
    let mut rest: Vec<usize> = (0..keys.len()).filter(|i| !tried[*i]).collect();
    // At most MAX_NETWORK_KEYS of a group are tried (thousands of entries cost a thread and a
    // connection each); the others are reported as not tried.
    let skipped = rest.split_off(rest.len().min(MAX_NETWORK_KEYS)).len();
    let with_skipped = |mut r: Vec<Attempt>| {
        if skipped > 0 {
            r.push(Attempt {
                key: format!("{skipped} more network key(s)"),
                error: Some(format!(
                    "not tried: only the first {MAX_NETWORK_KEYS} network keys of a group are tried"
                )),
            });
        }
        r
    };
    // A small pool of workers takes the keys in order; once one key has worked the others
    // start no new attempt, and attempts still running end within their own time limits.
    let queue = std::sync::Arc::new(std::sync::Mutex::new(
        rest.iter()
            .map(|&i| (i, keys[i].clone()))
            .collect::<Vec<_>>()
            .into_iter(),
    ));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (tx, rx) = std::sync::mpsc::channel();
    for _ in 0..rest.len().min(NETWORK_POOL) {
        let (queue, done, tx) = (queue.clone(), done.clone(), tx.clone());
        std::thread::spawn(move || loop {
            if done.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            let next = queue.lock().unwrap_or_else(|p| p.into_inner()).next();
            let Some((i, k)) = next else { return };
            if tx.send((i, attempt(&k))).is_err() {
                return;
            }
        });
    }
    drop(tx);
    for (i, r) in rx.iter().take(rest.len()) {
        tried[i] = true;
        match r {
            Ok(s) => {
                done.store(true, std::sync::atomic::Ordering::Relaxed);
                return (report(&keys, &tried, &results, Some(i)), Some(s));
            }
            Err(e) => results[i] = Some(e.to_string()),
        }
    }
    (with_skipped(report(&keys, &tried, &results, None)), None)
}

/// Network keys of one group tried at once.
const NETWORK_POOL: usize = 8;
/// Network keys of one group tried at all.
const MAX_NETWORK_KEYS: usize = 64;
/// Key groups opened at once.
const GROUPS_AT_ONCE: usize = 8;

fn report(
    keys: &[&StoredKey],
    tried: &[bool],
    results: &[Option<String>],
    winner: Option<usize>,
) -> Vec<Attempt> {
    keys.iter()
        .enumerate()
        .filter(|(i, _)| tried[*i] || winner == Some(*i))
        .map(|(i, k)| Attempt {
            key: k.id(),
            error: if winner == Some(i) {
                None
            } else {
                Some(results[i].clone().unwrap_or_else(|| "not tried".into()))
            },
        })
        .collect()
}

/// Recover the data key. `order` is `--decryption-order` (default `age,pgp`). Groups are
/// opened concurrently.
pub fn recover(meta: &Metadata, order: &[String]) -> Result<DataKey, RecoveryReport> {
    let mut report = RecoveryReport {
        groups: Vec::new(),
        threshold: 1,
    };
    // Groups are opened concurrently, a few at a time (a file may list hundreds).
    let mut outcomes: Vec<GroupOutcome> = Vec::with_capacity(meta.groups.len());
    for chunk in meta.groups.chunks(GROUPS_AT_ONCE) {
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|g| scope.spawn(move || open_group(g, order)))
                .collect();
            outcomes.extend(
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| (Vec::new(), None))),
            );
        });
    }
    let mut secrets: Vec<Zeroizing<Vec<u8>>> = Vec::new();
    for (attempts, secret) in outcomes {
        report.groups.push(attempts);
        if let Some(s) = secret {
            secrets.push(s);
        }
    }
    if meta.groups.len() <= 1 {
        return match secrets.first().and_then(|s| DataKey::from_slice(s)) {
            Some(k) => Ok(k),
            None => Err(report),
        };
    }
    let threshold = if meta.shamir_threshold == 0 {
        meta.groups.len()
    } else {
        meta.shamir_threshold
    };
    report.threshold = threshold;
    if secrets.len() < threshold {
        return Err(report);
    }
    let parts: Vec<&[u8]> = secrets.iter().map(|s| s.as_slice()).collect();
    match shamir::combine(&parts)
        .ok()
        .and_then(|k| DataKey::from_slice(&k))
    {
        Some(k) => Ok(k),
        None => Err(report),
    }
}
