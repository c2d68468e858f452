//! Google Cloud Storage uploads for `publish`: one JSON API media upload
//! (`POST /upload/storage/v1/b/BUCKET/o?uploadType=media&name=OBJECT`). Credentials are those of
//! GCP KMS keys (`GOOGLE_CREDENTIALS`, `GOOGLE_OAUTH_ACCESS_TOKEN`, application default
//! credentials, the GCE metadata server). `STORAGE_EMULATOR_HOST` (`host:port` or a URL) points
//! at an emulator and sends no credentials, as Google's Go and Python clients do.

use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::encode;
use crate::keys::rest::{Call, Limits};

/// Upload `bytes` as object `name` of `bucket`.
pub(super) fn put(
    bucket: &str,
    name: &str,
    bytes: &[u8],
    deadline: Instant,
    connect: Duration,
) -> Result<(), String> {
    let emulator = std::env::var("STORAGE_EMULATOR_HOST")
        .ok()
        .filter(|h| !h.is_empty());
    let (base, token) = match emulator {
        Some(h) if h.contains("://") => (h.trim_end_matches('/').to_owned(), None),
        Some(h) => (format!("http://{}", h.trim_end_matches('/')), None),
        None => {
            let limits = Limits::get()?;
            let token = crate::keys::gcp_kms::access_token(&limits)?;
            ("https://storage.googleapis.com".to_owned(), Some(token))
        }
    };
    let url = format!(
        "{base}/upload/storage/v1/b/{}/o?uploadType=media&name={}",
        encode(bucket, false),
        encode(name, false)
    );
    let mut headers = vec![("Content-Type", "application/octet-stream".to_owned())];
    if let Some(t) = &token {
        headers.push(("Authorization", format!("Bearer {}", t.as_str())));
    }
    let call = Call {
        method: "POST",
        url: &url,
        headers,
        body: Some(bytes),
        deadline,
        connect,
    };
    let answer = call.send();
    for (_, v) in call.headers {
        drop(Zeroizing::new(v));
    }
    let answer = answer.map_err(|e| format!("cannot reach Cloud Storage at {base}: {e}"))?;
    match answer.status {
        200 | 201 => Ok(()),
        _ => Err(answer.error_summary()),
    }
}
