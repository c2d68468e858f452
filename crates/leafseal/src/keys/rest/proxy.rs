//! The proxy a request takes, as Go's `http.ProxyFromEnvironment` picks it: `HTTPS_PROXY`
//! for `https://` and `HTTP_PROXY` for `http://` URLs (either case), `NO_PROXY` exceptions
//! (hosts, domains, ports, CIDR ranges, `*`), and never one for a loopback address.

/// The proxy for `url` as Go's `http.ProxyFromEnvironment` picks it.
pub(super) fn proxy_for(url: &str) -> Option<String> {
    proxy_with(url, |n| std::env::var(n).ok())
}

/// [`proxy_for`] with the environment read through `var`.
fn proxy_with(url: &str, var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let env = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| var(n).filter(|v| !v.trim().is_empty()))
    };
    let (scheme, rest) = url.split_once("://")?;
    let proxy = match scheme {
        "https" => env(&["HTTPS_PROXY", "https_proxy"])?,
        "http" => env(&["HTTP_PROXY", "http_proxy"])?,
        _ => return None,
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let (host, port) = split_host_port(authority, if scheme == "https" { 443 } else { 80 });
    let no_proxy = env(&["NO_PROXY", "no_proxy"]).unwrap_or_default();
    if is_loopback(&host) || bypass(&no_proxy, &host, port) {
        return None;
    }
    // Go accepts a bare host:port and means http://.
    Some(if proxy.contains("://") {
        proxy
    } else {
        format!("http://{proxy}")
    })
}

fn split_host_port(authority: &str, default: u16) -> (String, u16) {
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if let Some(rest) = authority.strip_prefix('[') {
        let (h, p) = rest.split_once(']').unwrap_or((rest, ""));
        let port = p.strip_prefix(':').and_then(|p| p.parse().ok());
        return (h.to_ascii_lowercase(), port.unwrap_or(default));
    }
    match authority.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() => {
            (h.to_ascii_lowercase(), p.parse().unwrap_or(default))
        }
        _ => (authority.to_ascii_lowercase(), default),
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Go's `NO_PROXY` rules: `*`; a host or IP, optionally with `:port`; a domain matches itself
/// and its subdomains (a leading `.` or `*.` is ignored); an IP prefix in CIDR form.
fn bypass(no_proxy: &str, host: &str, port: u16) -> bool {
    for entry in no_proxy.split([',', ' ']).map(str::trim) {
        if entry.is_empty() {
            continue;
        }
        if entry == "*" {
            return true;
        }
        if let Some((net, bits)) = entry.split_once('/') {
            if let (Ok(net), Ok(bits), Ok(ip)) = (
                net.parse::<std::net::IpAddr>(),
                bits.parse::<u32>(),
                host.parse::<std::net::IpAddr>(),
            ) {
                if in_cidr(ip, net, bits) {
                    return true;
                }
            }
            continue;
        }
        let (h, p) = split_host_port(entry, 0);
        if p != 0 && p != port {
            continue;
        }
        let h = h.trim_start_matches("*.").trim_start_matches('.');
        if host == h || host.ends_with(&format!(".{h}")) {
            return true;
        }
    }
    false
}

fn in_cidr(ip: std::net::IpAddr, net: std::net::IpAddr, bits: u32) -> bool {
    use std::net::IpAddr::{V4, V6};
    match (ip, net) {
        (V4(a), V4(b)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (V6(a), V6(b)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_rules() {
        assert!(bypass("example.com", "example.com", 443));
        assert!(bypass("example.com", "a.example.com", 443));
        assert!(bypass(".example.com", "a.example.com", 443));
        assert!(bypass("*.example.com", "a.example.com", 443));
        assert!(!bypass("example.com", "badexample.com", 443));
        assert!(bypass("example.com:443", "example.com", 443));
        assert!(!bypass("example.com:8443", "example.com", 443));
        assert!(bypass("10.0.0.0/8", "10.1.2.3", 443));
        assert!(!bypass("10.0.0.0/8", "11.1.2.3", 443));
        assert!(bypass("*", "x", 1));
        assert!(is_loopback("127.0.0.1") && is_loopback("::1") && is_loopback("localhost"));
        assert_eq!(split_host_port("[::1]:8080", 1), ("::1".into(), 8080));
        assert_eq!(split_host_port("h.example", 443), ("h.example".into(), 443));
    }

    #[test]
    fn proxies_as_go_picks_them() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let e = env(&[
            ("HTTPS_PROXY", "proxy:3128"),
            ("http_proxy", "http://p2:80"),
            ("NO_PROXY", "internal.example, .corp"),
        ]);
        let p = |u: &str| proxy_with(u, e);
        assert_eq!(
            p("https://kms.googleapis.com/v1").as_deref(),
            Some("http://proxy:3128")
        );
        assert_eq!(p("http://vault:8200").as_deref(), Some("http://p2:80"));
        assert_eq!(p("https://internal.example"), None);
        assert_eq!(p("https://a.internal.example"), None);
        assert_eq!(p("https://v.corp:8200"), None);
        assert_eq!(p("https://u:p@V.corp:8200/v1"), None);
        assert_eq!(p("https://127.0.0.1:8200"), None);
        assert_eq!(p("https://localhost"), None);
        assert_eq!(p("https://[::1]:1"), None);
        let all = env(&[("HTTPS_PROXY", "http://p"), ("NO_PROXY", "*")]);
        assert_eq!(proxy_with("https://x", all), None);
        assert_eq!(proxy_with("https://x", env(&[])), None);
    }
}
