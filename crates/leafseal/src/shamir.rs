//! Shamir secret sharing over GF(2^8), byte-compatible with SOPS (spec §7): reduction
//! polynomial x^8+x^4+x^3+x+1 (0x11B), share = 32 y bytes followed by x = group index + 1.
//! Arithmetic avoids secret-dependent branches and table lookups.

use zeroize::Zeroizing;

/// GF(2^8) multiplication without data-dependent branches.
fn mul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    for _ in 0..8 {
        p ^= a & 0u8.wrapping_sub(b & 1);
        let hi = 0u8.wrapping_sub(a >> 7);
        a = (a << 1) ^ (0x1b & hi);
        b >>= 1;
    }
    p
}

/// Multiplicative inverse as a^254 (0 maps to 0).
fn inv(a: u8) -> u8 {
    let mut r = 1u8;
    let mut base = a;
    let mut e = 254u8;
    while e > 0 {
        if e & 1 == 1 {
            r = mul(r, base);
        }
        base = mul(base, base);
        e >>= 1;
    }
    r
}

/// Why shares could not be made or combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShamirError {
    /// Threshold below 2.
    #[error("threshold must be at least 2")]
    Threshold,
    /// Fewer parts than the threshold, or more than 255.
    #[error("parts cannot be less than threshold")]
    Parts,
    /// Fewer than two shares, unequal lengths or repeated x.
    #[error("shares are not combinable (need at least 2 distinct shares of equal length)")]
    Shares,
}

/// Split `secret` into `parts` shares, any `threshold` of which recover it.
pub fn split(
    secret: &[u8],
    parts: usize,
    threshold: usize,
) -> Result<Vec<Zeroizing<Vec<u8>>>, ShamirError> {
    if threshold < 2 {
        return Err(ShamirError::Threshold);
    }
    if parts < threshold || parts > 255 {
        return Err(ShamirError::Parts);
    }
    let mut shares: Vec<Zeroizing<Vec<u8>>> = (0..parts)
        .map(|_| Zeroizing::new(vec![0u8; secret.len() + 1]))
        .collect();
    let mut coef = Zeroizing::new(vec![0u8; threshold]);
    for (j, &s) in secret.iter().enumerate() {
        coef[0] = s;
        getrandom::fill(&mut coef[1..]).expect("the operating system's random source");
        for (i, share) in shares.iter_mut().enumerate() {
            let x = (i + 1) as u8;
            // Horner's rule from the highest coefficient.
            let mut y = 0u8;
            for c in coef.iter().rev() {
                y = mul(y, x) ^ c;
            }
            share[j] = y;
        }
    }
    for (i, share) in shares.iter_mut().enumerate() {
        let last = share.len() - 1;
        share[last] = (i + 1) as u8;
    }
    Ok(shares)
}

/// Recover the secret from shares (Lagrange interpolation at 0 over all of them).
pub fn combine(shares: &[&[u8]]) -> Result<Zeroizing<Vec<u8>>, ShamirError> {
    if shares.len() < 2 {
        return Err(ShamirError::Shares);
    }
    let len = shares[0].len();
    if len < 2 || shares.iter().any(|s| s.len() != len) {
        return Err(ShamirError::Shares);
    }
    let xs: Vec<u8> = shares.iter().map(|s| s[len - 1]).collect();
    for (i, a) in xs.iter().enumerate() {
        if xs[..i].contains(a) {
            return Err(ShamirError::Shares);
        }
    }
    let mut out = Zeroizing::new(vec![0u8; len - 1]);
    for (j, o) in out.iter_mut().enumerate() {
        let mut acc = 0u8;
        for (i, s) in shares.iter().enumerate() {
            let mut basis = 1u8;
            for (m, &xm) in xs.iter().enumerate() {
                if m != i {
                    basis = mul(basis, mul(xm, inv(xs[i] ^ xm)));
                }
            }
            acc ^= mul(s[j], basis);
        }
        *o = acc;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector() -> (Vec<Vec<u8>>, Vec<u8>) {
        let text = std::fs::read_to_string(concat!(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../.."),
            "/testdata/vectors/shamir.json"
        ))
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let shares = v["shares_hex"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| hex::decode(s.as_str().unwrap()).unwrap())
            .collect();
        (
            shares,
            hex::decode(v["data_key_hex"].as_str().unwrap()).unwrap(),
        )
    }

    #[test]
    fn sops_vectors_combine_from_any_two() {
        let (shares, key) = vector();
        for (a, b) in [(0, 1), (0, 2), (2, 1)] {
            assert_eq!(&combine(&[&shares[a], &shares[b]]).unwrap()[..], &key[..]);
        }
        assert_eq!(
            &combine(&[&shares[0], &shares[1], &shares[2]]).unwrap()[..],
            &key[..]
        );
    }

    #[test]
    fn split_then_combine() {
        let secret: Vec<u8> = (0..32).collect();
        let shares = split(&secret, 5, 3).unwrap();
        assert!(shares.iter().enumerate().all(|(i, s)| s[32] == i as u8 + 1));
        let pick: Vec<&[u8]> = vec![&shares[4], &shares[1], &shares[2]];
        assert_eq!(&combine(&pick).unwrap()[..], &secret[..]);
        assert_eq!(split(&secret, 3, 1).unwrap_err(), ShamirError::Threshold);
        assert_eq!(split(&secret, 2, 3).unwrap_err(), ShamirError::Parts);
    }

    #[test]
    fn field_inverse() {
        for a in 1..=255u8 {
            assert_eq!(mul(a, inv(a)), 1);
        }
    }
}
