//! Canonical text of scalars as SOPS produces it (spec §2.4): the plaintext bytes that get
//! encrypted and hashed, and parsing them back into typed values.

use super::{Time, Value};

/// Go `strconv.FormatFloat(f, 'f', -1, 64)`: shortest round-trip digits, never an exponent.
pub fn float_f(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        // Rust's Display for f64 is shortest round-trip and never uses an exponent.
        format!("{f}")
    }
}

/// Plaintext bytes of a scalar for encryption and the MAC; `None` for null and collections.
pub fn canonical_bytes(v: &Value) -> Option<Vec<u8>> {
    Some(match v {
        Value::Str(s) => s.as_bytes().to_vec(),
        Value::Bytes(b) => b.clone(),
        Value::Int(i) => i.to_string().into_bytes(),
        Value::Uint(u) => u.to_string().into_bytes(),
        Value::Float(f) => float_f(*f).into_bytes(),
        // sops-compat: Python-era capitalisation.
        Value::Bool(b) => {
            if *b {
                b"True".to_vec()
            } else {
                b"False".to_vec()
            }
        }
        Value::Time(t) => t.rfc3339_nano().into_bytes(),
        Value::Null | Value::Map(_) | Value::List(_) => return None,
    })
}

/// Go `strconv.ParseBool`.
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go `strconv.ParseFloat(s, 64)` for the forms SOPS writes.
pub fn parse_go_float(s: &str) -> Option<f64> {
    let t = s.strip_prefix('+').unwrap_or(s);
    match t.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => {
            return Some(if s.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })
        }
        "-inf" | "-infinity" => return Some(f64::NEG_INFINITY),
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if t.is_empty()
        || !t
            .bytes()
            .all(|c| c.is_ascii_digit() || b"+-.eE_".contains(&c))
    {
        return None;
    }
    t.replace('_', "").parse().ok()
}

/// Go `strconv.Atoi`: decimal only, optional sign.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Time {
    /// Go `time.RFC3339Nano` formatting (trailing zero fraction digits trimmed; `Z` for UTC).
    pub fn rfc3339_nano(&self) -> String {
        let mut s = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            s.push('.');
            s.push_str(frac.trim_end_matches('0'));
        }
        s.push_str(&self.offset_text());
        s
    }

    /// The current time in UTC, whole seconds (what SOPS writes as `lastmodified`).
    pub fn now_utc() -> Time {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Time::from_unix(secs)
    }

    /// A UTC time from seconds since the Unix epoch.
    pub fn from_unix(secs: i64) -> Time {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        // Civil-from-days (proleptic Gregorian), after Howard Hinnant's well-known algorithm.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Time {
            year,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: ((rem / 60) % 60) as u8,
            second: (rem % 60) as u8,
            nanos: 0,
            offset: None,
        }
    }

    /// Go `time.RFC3339` formatting (no fraction).
    pub fn rfc3339(&self) -> String {
        Time { nanos: 0, ..*self }.rfc3339_nano()
    }

    fn offset_text(&self) -> String {
        match self.offset {
            None | Some(0) => "Z".into(),
            Some(o) => {
                let sign = if o < 0 { '-' } else { '+' };
                let a = o.unsigned_abs();
                format!("{sign}{:02}:{:02}", a / 3600, (a / 60) % 60)
            }
        }
    }

    /// Parse RFC 3339 (`2006-01-02T15:04:05.999Z07:00`), as Go's `time.Parse(RFC3339)`.
    pub fn parse_rfc3339(s: &str) -> Option<Time> {
        let (date, rest) = s.split_once(['T', 't'])?;
        let date = parse_date(date, true)?;
        let (clock, offset) = split_offset(rest)?;
        Some(Time::from_parts(date, parse_clock(clock, true)?, offset))
    }

    fn from_parts(
        (year, month, day): (i32, u8, u8),
        (hour, minute, second, nanos): (u8, u8, u8, u32),
        offset: Option<i32>,
    ) -> Time {
        Time {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos,
            offset,
        }
    }

    /// Parse the YAML timestamp forms yaml.v3 accepts (spec §1.2): `Y-M-D`, `Y-M-DTh:m:s(.f)(Z|±hh:mm)`
    /// (T or t) and `Y-M-D h:m:s(.f)` (taken as UTC). One-digit month, day and hour allowed.
    pub fn parse_yaml(s: &str) -> Option<Time> {
        if let Some(date) = parse_date(s, false) {
            return Some(Time::from_parts(date, (0, 0, 0, 0), None));
        }
        if let Some((date, rest)) = s.split_once(['T', 't']) {
            let date = parse_date(date, false)?;
            let (clock, offset) = split_offset(rest)?;
            return Some(Time::from_parts(date, parse_clock(clock, false)?, offset));
        }
        let (date, clock) = s.split_once(' ')?;
        let date = parse_date(date, false)?;
        Some(Time::from_parts(date, parse_clock(clock, false)?, None))
    }
}

fn num(s: &str, min_len: usize, max_len: usize) -> Option<u32> {
    if s.len() < min_len || s.len() > max_len || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_date(s: &str, strict: bool) -> Option<(i32, u8, u8)> {
    let mut it = s.split('-');
    let y = num(it.next()?, 4, 4)?;
    let lo = if strict { 2 } else { 1 };
    let m = num(it.next()?, lo, 2)?;
    let d = num(it.next()?, lo, 2)?;
    if it.next().is_some() || !(1..=12).contains(&m) || !(1..=days_in(y as i32, m)).contains(&d) {
        return None;
    }
    Some((y as i32, m as u8, d as u8))
}

/// Days in month `m` (1..=12) of year `y`, proleptic Gregorian.
pub(crate) fn days_in(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn split_offset(s: &str) -> Option<(&str, Option<i32>)> {
    if let Some(c) = s.strip_suffix(['Z', 'z']) {
        return Some((c, None));
    }
    let pos = s.rfind(['+', '-'])?;
    let (clock, off) = s.split_at(pos);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let (h, m) = off[1..].split_once(':')?;
    let (h, m) = (num(h, 2, 2)?, num(m, 2, 2)?);
    if h > 23 || m > 59 {
        return None;
    }
    Some((clock, Some(sign * (h as i32 * 3600 + m as i32 * 60))))
}

fn parse_clock(s: &str, strict: bool) -> Option<(u8, u8, u8, u32)> {
    let (main, frac) = match s.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (s, None),
    };
    let mut it = main.split(':');
    let h = num(it.next()?, if strict { 2 } else { 1 }, 2)?;
    let lo = if strict { 2 } else { 1 };
    let mi = num(it.next()?, lo, 2)?;
    let sec = num(it.next()?, lo, 2)?;
    if it.next().is_some() || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let nanos = match frac {
        None => 0,
        Some(f) => {
            if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let mut digits: String = f.chars().take(9).collect();
            while digits.len() < 9 {
                digits.push('0');
            }
            digits.parse().ok()?
        }
    };
    Some((h as u8, mi as u8, sec as u8, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_format_like_go_f() {
        assert_eq!(float_f(1e10), "10000000000");
        assert_eq!(float_f(-0.0), "-0");
        assert_eq!(float_f(1.5), "1.5");
        assert_eq!(float_f(f64::INFINITY), "+Inf");
        assert_eq!(float_f(1.5e300).len(), 301);
    }

    #[test]
    fn times_round_trip() {
        let t = Time::parse_yaml("2001-12-14t21:59:43.10-05:00").unwrap();
        assert_eq!(t.rfc3339_nano(), "2001-12-14T21:59:43.1-05:00");
        assert_eq!(
            Time::parse_yaml("2002-12-14").unwrap().rfc3339_nano(),
            "2002-12-14T00:00:00Z"
        );
        assert_eq!(
            Time::parse_yaml("2001-12-14 21:59:43.10")
                .unwrap()
                .rfc3339_nano(),
            "2001-12-14T21:59:43.1Z"
        );
        assert_eq!(
            Time::parse_yaml("2001-1-2").unwrap().rfc3339_nano(),
            "2001-01-02T00:00:00Z"
        );
        assert!(Time::parse_yaml("2001-12-14 21:59:43.10 -5").is_none());
        assert_eq!(
            Time::from_unix(1_700_000_000).rfc3339(),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(
            Time::from_unix(951_782_400).rfc3339(),
            "2000-02-29T00:00:00Z"
        );
        let m = Time::parse_rfc3339("2026-11-22T22:11:05.123+01:00").unwrap();
        assert_eq!(m.rfc3339(), "2026-11-22T22:11:05+01:00");
    }
}
