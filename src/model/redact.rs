//! Masking for readers outside the team (`export --audience external`): e-mail addresses, IP
//! addresses (v4 and v6) and what looks like a token or key (`Bearer …`, `AKIA…`, `ghp_…`,
//! `xox…`, long hex or base64 runs) are replaced by `[email]`, `[ip]` and `[secret]`. Times
//! (`13:58:00`), versions (`4.18.0`) and ids (`#12`) stay.

use std::net::Ipv6Addr;

/// The text with every value masked, and how many values were.
pub fn mask(text: &str) -> (String, usize) {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut last, mut count) = (0, 0, 0);
    while i < bytes.len() {
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || b"_.-+@%/=".contains(&bytes[i - 1]));
        if boundary
            && text.is_char_boundary(i)
            && let Some((len, with)) = value_at(&text[i..])
        {
            out.push_str(&text[last..i]);
            out.push_str(&with);
            i += len;
            last = i;
            count += 1;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[last..]);
    (out, count)
}

/// The value that starts `s`, if any: its length in bytes and what replaces it.
fn value_at(s: &str) -> Option<(usize, String)> {
    bearer(s)
        .or_else(|| prefixed(s).map(|n| (n, "[secret]".into())))
        .or_else(|| email(s).map(|n| (n, "[email]".into())))
        .or_else(|| ipv6(s).or_else(|| ipv4(s)).map(|n| (n, "[ip]".into())))
        .or_else(|| long_run(s).map(|n| (n, "[secret]".into())))
}

/// The length of the run of bytes of `s` that `ok` accepts.
fn run(s: &str, ok: impl Fn(u8) -> bool) -> usize {
    s.bytes().take_while(|b| ok(*b)).count()
}

/// Nothing that continues a word follows the first `n` bytes.
fn ends_word(s: &str, n: usize) -> bool {
    s.as_bytes()
        .get(n)
        .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
}

fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)
}

fn bearer(s: &str) -> Option<(usize, String)> {
    let head = s.get(..7)?;
    if !head.eq_ignore_ascii_case("bearer ") {
        return None;
    }
    let n = run(&s[7..], token_byte);
    (n >= 8).then(|| (7 + n, format!("{}[secret]", head)))
}

/// Keys whose prefix says what they are: AWS, GitHub, Slack.
fn prefixed(s: &str) -> Option<usize> {
    for p in ["AKIA", "ASIA"] {
        if let Some(rest) = s.strip_prefix(p) {
            let n = run(rest, |b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if n >= 16 && ends_word(rest, n) {
                return Some(p.len() + n);
            }
        }
    }
    for p in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"] {
        if let Some(rest) = s.strip_prefix(p) {
            let n = run(rest, |b| b.is_ascii_alphanumeric() || b == b'_');
            if n >= 20 {
                return Some(p.len() + n);
            }
        }
    }
    if s.len() > 5 && s.starts_with("xox") && b"abprse".contains(&s.as_bytes()[3]) && s.as_bytes()[4] == b'-' {
        let n = run(&s[5..], |b| b.is_ascii_alphanumeric() || b == b'-');
        if n >= 10 {
            return Some(5 + n);
        }
    }
    None
}

fn email(s: &str) -> Option<usize> {
    let n = run(s, |b| b.is_ascii_alphanumeric() || b"._%+-@".contains(&b));
    let candidate = s[..n].trim_end_matches(['.', '-']);
    let (local, domain) = candidate.split_once('@')?;
    let tld = domain.rsplit_once('.')?.1;
    let ok = !local.is_empty()
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.contains("..")
        && tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_alphabetic());
    ok.then_some(candidate.len())
}

fn ipv4(s: &str) -> Option<usize> {
    let n = run(s, |b| b.is_ascii_digit() || b == b'.');
    let candidate = s[..n].trim_end_matches('.');
    let parts: Vec<&str> = candidate.split('.').collect();
    let ok = parts.len() == 4
        && parts
            .iter()
            .all(|p| (1..=3).contains(&p.len()) && p.parse::<u16>().is_ok_and(|v| v <= 255));
    (ok && ends_word(s, candidate.len())).then_some(candidate.len())
}

fn ipv6(s: &str) -> Option<usize> {
    let n = run(s, |b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    let mut candidate = &s[..n];
    loop {
        if candidate.matches(':').count() < 2 {
            return None;
        }
        if candidate.parse::<Ipv6Addr>().is_ok() && ends_word(s, candidate.len()) {
            return Some(candidate.len());
        }
        // "fe80::1." or "…::1:" at the end of a sentence or before a port.
        match candidate.strip_suffix(['.', ':']) {
            Some(shorter) => candidate = shorter,
            None => return None,
        }
    }
}

/// A long run of hex (32 or more) or of base64 mixing upper and lower case and digits (40 or
/// more, three digits at least): what keys, hashes and session tokens look like.
fn long_run(s: &str) -> Option<usize> {
    let n = run(s, |b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b));
    let candidate = &s[..n];
    let hex = n >= 32 && candidate.bytes().all(|b| b.is_ascii_hexdigit());
    let count = |f: fn(&u8) -> bool| candidate.bytes().filter(&f).count();
    // Random base64 has a digit in about one of six characters; a long CamelCase name (a class,
    // a feature flag) has one or two.
    let base64 = n >= 40
        && count(u8::is_ascii_uppercase) > 0
        && count(u8::is_ascii_lowercase) > 0
        && count(u8::is_ascii_digit) >= 3;
    (hex || base64).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn masks_what_identifies_and_keeps_what_does_not() {
        let table: &[(&str, &str, usize)] = &[
            ("mail ana.lopez+oncall@example.co.uk now", "mail [email] now", 1),
            ("<bob@payments.example.com>.", "<[email]>.", 1),
            ("from 10.0.12.7:8443 and 192.168.1.1.", "from [ip]:8443 and [ip].", 2),
            (
                "v6 2001:db8::8a2e:370:7334 and fe80::1, ::1",
                "v6 [ip] and [ip], [ip]",
                3,
            ),
            (
                "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc",
                "Authorization: Bearer [secret]",
                1,
            ),
            ("key AKIAIOSFODNN7EXAMPLE leaked", "key [secret] leaked", 1),
            ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "token [secret]", 1),
            ("slack xoxb-123456789012-abcdefghij", "slack [secret]", 1),
            (
                "sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                "sha [secret]",
                1,
            ),
            (
                "session dGhpcyBpcyBhIHNlY3JldCB0b2tlbiBmb3IgdGVzdHMx=",
                "session [secret]",
                1,
            ),
            // Never masked: times, dates, versions, ids, ordinary words and paths.
            (
                "at 13:58:00 on 2026-11-30T13:58:00Z",
                "at 13:58:00 on 2026-11-30T13:58:00Z",
                0,
            ),
            (
                "upgraded to 4.18.0 (was 4.17.2-rc1)",
                "upgraded to 4.18.0 (was 4.17.2-rc1)",
                0,
            ),
            ("see #12 and INC-2041, action 3", "see #12 and INC-2041, action 3", 0),
            (
                "payment-provider-timeout-and-retry-storm-again",
                "payment-provider-timeout-and-retry-storm-again",
                0,
            ),
            (
                "id 123e4567-e89b-12d3-a456-426614174000",
                "id 123e4567-e89b-12d3-a456-426614174000",
                0,
            ),
            (
                "class CheckoutApiPaymentRetryMiddlewareV2Handler failed",
                "class CheckoutApiPaymentRetryMiddlewareV2Handler failed",
                0,
            ),
            (
                "the @oncall channel; a@b; user@localhost",
                "the @oncall channel; a@b; user@localhost",
                0,
            ),
            (
                "ratio 1.5, 300.1.2.3, std::fs, 12:30",
                "ratio 1.5, 300.1.2.3, std::fs, 12:30",
                0,
            ),
            ("Grüße 10.0.0.1 ✓", "Grüße [ip] ✓", 1),
        ];
        for (text, want, n) in table {
            assert_eq!(mask(text), (want.to_string(), *n), "{text}");
        }
    }
}
