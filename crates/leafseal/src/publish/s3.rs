//! S3 uploads for `publish`: one `PutObject`, signed with AWS Signature Version 4 by the
//! maintained `aws-sigv4` crate (already in the tree under the AWS SDK) and sent over the
//! crate's small HTTPS client, rather than pulling in `aws-sdk-s3` (a large generated crate)
//! for a single call. Credentials come from the same default chain as AWS KMS keys. The
//! region is `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`; the endpoint is
//! `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL` (as the Go SDK reads them), else
//! `https://BUCKET.s3.REGION.amazonaws.com`. A custom endpoint whose host is an IP address
//! or `localhost` is addressed path style (`ENDPOINT/BUCKET/KEY`), as the SDKs do.

use std::time::{Duration, Instant, SystemTime};

use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use zeroize::Zeroizing;

use super::encode;
use crate::keys::rest::Call;

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

/// The object URL and the endpoint named in messages.
fn object_url(bucket: &str, key: &str, region: &str) -> (String, String) {
    let key = encode(key, true);
    match env("AWS_ENDPOINT_URL_S3").or_else(|| env("AWS_ENDPOINT_URL")) {
        Some(ep) => {
            let ep = ep.trim_end_matches('/').to_owned();
            let host = ep
                .split("://")
                .nth(1)
                .unwrap_or(&ep)
                .split(['/', ':'])
                .next()
                .unwrap_or("");
            let path_style = host == "localhost"
                || host.parse::<std::net::Ipv4Addr>().is_ok()
                || host.starts_with('[')
                || env("AWS_S3_FORCE_PATH_STYLE").is_some_and(|v| v == "true");
            if path_style {
                (format!("{ep}/{bucket}/{key}"), ep)
            } else {
                let (scheme, rest) = ep.split_once("://").unwrap_or(("https", &ep));
                (format!("{scheme}://{bucket}.{rest}/{key}"), ep.clone())
            }
        }
        None => {
            let ep = format!("https://{bucket}.s3.{region}.amazonaws.com");
            (format!("{ep}/{key}"), ep)
        }
    }
}

/// Upload `bytes` as `key` in `bucket`.
pub(super) fn put(
    bucket: &str,
    key: &str,
    bytes: &[u8],
    deadline: Instant,
    connect: Duration,
) -> Result<(), String> {
    let region = env("AWS_REGION")
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "us-east-1".into());
    let (url, endpoint) = object_url(bucket, key, &region);
    let creds = crate::keys::aws_kms::default_credentials(&region).map_err(|e| e.to_string())?;
    let identity = creds.into();
    let mut settings = SigningSettings::default();
    // S3's rules: the body's SHA-256 in a header, the path encoded once and not normalized.
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name("s3")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| format!("cannot sign the request: {e}"))?
        .into();
    let content_type = ("content-type", "application/octet-stream");
    let signable = SignableRequest::new(
        "PUT",
        &url,
        std::iter::once(content_type),
        SignableBody::Bytes(bytes),
    )
    .map_err(|e| format!("cannot sign the request: {e}"))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| format!("cannot sign the request: {e}"))?
        .into_parts();
    let mut headers = vec![("Content-Type", content_type.1.to_owned())];
    let (signed, _) = instructions.into_parts();
    for h in &signed {
        headers.push((h.name(), h.value().to_owned()));
    }
    let call = Call {
        method: "PUT",
        url: &url,
        headers,
        body: Some(bytes),
        deadline,
        connect,
    };
    let answer = call.send();
    // The headers held the session token, if any.
    for (_, v) in call.headers {
        drop(Zeroizing::new(v));
    }
    let answer = answer.map_err(|e| format!("cannot reach S3 at {endpoint}: {e}"))?;
    if answer.status == 200 {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&answer.body);
    let tag = |t: &str| {
        let open = format!("<{t}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&format!("</{t}>"))? + start;
        Some(text[start..end].to_owned())
    };
    Err(match (tag("Code"), tag("Message")) {
        (Some(c), Some(m)) => format!("HTTP {}: {c}: {m}", answer.status),
        (Some(c), None) => format!("HTTP {}: {c}", answer.status),
        _ => answer.error_summary(),
    })
}
