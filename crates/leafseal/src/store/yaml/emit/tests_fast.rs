//! The emitter's shortcuts (issue 16) give what the full analysis and the YAML 1.1 patterns
//! give, on texts chosen to sit at their edges.

use super::scalar::{analyze, analyze_simple, plain_resolves_to_str};

/// Texts around every rule of the shortcuts: indicators first and inside, spaces, quotes,
/// numbers, timestamps, the YAML 1.1 words and near misses.
const EDGES: &[&str] = &[
    "",
    " ",
    "a",
    "a ",
    " a",
    "a  b",
    "a b",
    "a\tb",
    "a:b",
    "a: b",
    "a#b",
    "a #b",
    "-a",
    "- a",
    "?a",
    ":a",
    "a,b",
    "a[b]",
    "a{b}",
    "a'b",
    "a\"b",
    "a|b",
    "a>b",
    "a!b",
    "a&b",
    "a*b",
    "a%b",
    "a@b",
    "a`b",
    "a~b",
    "a=b",
    "a\\b",
    "é",
    "aé",
    "a\u{2028}b",
    "a\nb",
    "0",
    "007",
    "0x1F",
    "0b101",
    "0o17",
    "1_000",
    "1:30",
    "-1",
    "+1",
    ".5",
    "1.5e+3",
    "1e3",
    ".inf",
    "-.Inf",
    ".nan",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "2001-02-30",
    "12:30:45",
    "5kM51ZFfOwBsRhae",
    "0abcdef",
    "1 2",
    "1Z",
    "y",
    "Y",
    "yes",
    "No",
    "on",
    "OFF",
    "true",
    "False",
    "null",
    "NULL",
    "~",
    "<<",
    "=",
    "yes!",
    "nope",
    "onion",
    "offset",
    "nul",
    "truex",
    "svc-00000",
    "user_bdfdyf",
    "kM51ZFfOwBsRhae56YuHqQG0",
    "echo-0.hotel.internal",
    "ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]",
];

#[test]
fn simple_analysis_is_the_full_analysis() {
    let mut shortcut = 0;
    for t in EDGES {
        if let Some(a) = analyze_simple(t) {
            shortcut += 1;
            assert_eq!(format!("{a:?}"), format!("{:?}", analyze(t)), "{t:?}");
        }
    }
    assert!(
        shortcut > 20,
        "the shortcut should take most simple texts ({shortcut})"
    );
}

#[test]
fn plain_resolution_keeps_its_answers() {
    // plain_resolves_to_str goes through the YAML 1.1 shortcut, which checks itself against
    // the patterns in debug builds: calling it on every edge is the test.
    let plain: Vec<&str> = EDGES
        .iter()
        .copied()
        .filter(|t| plain_resolves_to_str(t))
        .collect();
    for t in ["a", "svc-00000", "5kM51ZFfOwBsRhae", "nope", "onion", "1 2"] {
        assert!(plain.contains(&t), "{t:?} should stay plain");
    }
    for t in ["yes", "0x1F", "1:30", "2001-12-14", "<<", "=", "~", ""] {
        assert!(!plain.contains(&t), "{t:?} should be quoted");
    }
}
