//! Key groups (spec §7): wrap the data key for every group (whole key with one group, one
//! Shamir share per group otherwise) and recover it, with a report of every key tried.

use std::fmt;

use zeroize::Zeroizing;

use crate::cipher::DataKey;
use crate::keys::{backend, KeyError, MasterKey};
use crate::shamir;
use crate::store::metadata::{Metadata, StoredKey};

/// Master keys grouped as they will be stored.
pub type Groups = Vec<Vec<Box<dyn MasterKey>>>;

/// Wrap `key` for every group. One group: each key wraps the whole key. Several: group i's
/// keys wrap share i of a split with `threshold` (0 = number of groups).
pub fn wrap(groups: &Groups, threshold: usize, key: &DataKey) -> Result<Vec<Vec<StoredKey>>, KeyError> {
    if groups.len() <= 1 {
        let g = groups.first().map(|g| g.as_slice()).unwrap_or(&[]);
        return Ok(vec![g.iter().map(|k| k.wrap(key.expose())).collect::<Result<_, _>>()?]);
    }
    let t = if threshold == 0 { groups.len() } else { threshold };
    let shares = shamir::split(key.expose(), groups.len(), t).map_err(|e| KeyError::Failed(e.to_string()))?;
    groups
        .iter()
        .zip(shares.iter())
        .map(|(g, share)| g.iter().map(|k| k.wrap(share)).collect())
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
        let ok = self.groups.iter().filter(|g| g.iter().any(|a| a.error.is_none())).count();
        write!(f, "could not retrieve the data key: {ok} of {} key group(s) opened, {} needed", self.groups.len(), self.threshold)?;
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
    let rank = |k: &StoredKey| order.iter().position(|o| *o == k.kind).unwrap_or(order.len());
    let mut v: Vec<&StoredKey> = g.iter().collect();
    v.sort_by_key(|k| rank(k));
    v
}

/// Recover the data key. `order` is `--decryption-order` (default `age,pgp`).
pub fn recover(meta: &Metadata, order: &[String]) -> Result<DataKey, RecoveryReport> {
    let mut report = RecoveryReport { groups: Vec::new(), threshold: 1 };
    let mut secrets: Vec<Zeroizing<Vec<u8>>> = Vec::new();
    for g in &meta.groups {
        let mut attempts = Vec::new();
        let mut got = None;
        for k in ordered(g, order) {
            let r = match backend(&k.kind) {
                Some(b) => b.unwrap(k),
                None => Err(KeyError::NotMine(format!("{} keys are not supported by this build", k.kind))),
            };
            match r {
                Ok(s) => {
                    attempts.push(Attempt { key: k.id(), error: None });
                    got = Some(s);
                    break;
                }
                Err(e) => attempts.push(Attempt { key: k.id(), error: Some(e.to_string()) }),
            }
        }
        report.groups.push(attempts);
        if let Some(s) = got {
            secrets.push(s);
        }
    }
    if meta.groups.len() <= 1 {
        return match secrets.first().and_then(|s| DataKey::from_slice(s)) {
            Some(k) => Ok(k),
            None => Err(report),
        };
    }
    let threshold = if meta.shamir_threshold == 0 { meta.groups.len() } else { meta.shamir_threshold };
    report.threshold = threshold;
    if secrets.len() < threshold {
        return Err(report);
    }
    let parts: Vec<&[u8]> = secrets.iter().map(|s| s.as_slice()).collect();
    match shamir::combine(&parts).ok().and_then(|k| DataKey::from_slice(&k)) {
        Some(k) => Ok(k),
        None => Err(report),
    }
}
