//! Formats as Kubernetes checks them, not as JSON Schema defines them.
//!
//! The API server validates a CRD's `format` with kube-openapi's `strfmt` registry and ignores
//! every format it does not know; built-in types are checked by decoding into Go types (`byte` is
//! base64, `date-time` is `metav1.Time`, quantities are `resource.Quantity`). [`APISERVER`] lists
//! what the API server validates, with a check for each; the `jsonschema` crate's own format
//! checks (`email`, `uri`, ISO 8601 `duration`, …) are all replaced, so that no format gives a
//! finding the API server would not give. Where the exact Go behaviour is not reproduced the check
//! is more lenient than Go's, never stricter: a false error is worse than a miss.

use std::net::IpAddr;

/// The message the API server gives for a malformed quantity.
pub const QUANTITY_MESSAGE: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// A format check: the text of a string value → whether it is valid.
pub type Check = fn(&str) -> bool;

/// The formats kube-openapi's `strfmt` registry validates for CRDs, with our check of each.
/// `isbn`, `isbn10`, `isbn13`, `creditcard` and `rgbcolor` are validated by the API server too but
/// are not reproduced here (accepted as they are); `password` accepts anything.
pub const APISERVER: &[(&str, Check)] = &[
    ("bsonobjectid", is_bson_object_id),
    ("uri", is_uri),
    ("email", is_email),
    ("hostname", is_hostname),
    ("ipv4", is_ipv4),
    ("ipv6", is_ipv6),
    ("cidr", is_cidr),
    ("mac", is_mac),
    ("uuid", is_uuid),
    ("uuid3", is_uuid3),
    ("uuid4", is_uuid4),
    ("uuid5", is_uuid5),
    ("ssn", is_ssn),
    ("hexcolor", is_hex_color),
    ("byte", is_base64),
    ("date", is_date),
    ("duration", is_duration),
    ("datetime", is_date_time),
    ("date-time", is_date_time),
];

/// Formats only built-in Kubernetes types have (the embedded schemas), checked as their Go types
/// decode them.
pub const BUILTIN_ONLY: &[(&str, Check)] = &[("quantity", is_quantity)];

/// Formats the `jsonschema` crate checks on its own: each is replaced by the API server's check
/// (above) or by "anything goes".
const JSON_SCHEMA_FORMATS: &[&str] = &[
    "date",
    "date-time",
    "duration",
    "email",
    "hostname",
    "idn-email",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "iri",
    "iri-reference",
    "json-pointer",
    "regex",
    "relative-json-pointer",
    "time",
    "uri",
    "uri-reference",
    "uri-template",
    "uuid",
];

/// Whether the API server validates a CRD `format` (CRD conversion keeps only these).
pub fn validated_for_crds(format: &str) -> bool {
    APISERVER.iter().any(|(name, _)| *name == format)
}

/// Every format with its check, for the validator options: the API server's, the built-in-only
/// ones, and the `jsonschema` crate's own formats the API server does not check, as no-ops.
pub fn all() -> impl Iterator<Item = (&'static str, Check)> {
    let accept: Check = |_| true;
    APISERVER.iter().chain(BUILTIN_ONLY).copied().chain(
        JSON_SCHEMA_FORMATS
            .iter()
            .filter(|f| !validated_for_crds(f))
            .map(move |f| (*f, accept)),
    )
}

/// A Kubernetes resource quantity (`500m`, `1.5Gi`, `2e3`, `128974848`): a signed decimal number
/// followed by a binary SI suffix (`Ki`…`Ei`), a decimal SI suffix (`n u m k M G T P E`) or a decimal
/// exponent (`e3`, `E-2`). `512MB`, `1 Gi` and `Gi` are not quantities. Surrounding spaces are
/// trimmed, as `Quantity.UnmarshalJSON` does.
pub fn is_quantity(text: &str) -> bool {
    let text = text.trim();
    let bytes = text.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let (mut digits, mut dots) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'0'..=b'9' => digits += 1,
            b'.' => dots += 1,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 || dots > 1 {
        return false;
    }
    let suffix = &text[i..];
    match suffix {
        "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" | "n" | "u" | "m" | "k" | "M" | "G" | "T"
        | "P" | "E" => true,
        _ => {
            let Some(exp) = suffix.strip_prefix(['e', 'E']) else {
                return false;
            };
            let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            !exp.is_empty() && exp.bytes().all(|b| b.is_ascii_digit())
        }
    }
}

/// `format: duration` as the API server checks it: Go's `time.ParseDuration` (`300ms`, `1h30m`,
/// `1.5h`, `-1s`, `0`), or else strfmt's Scala-style fallback, which accepts any text holding a
/// number followed by a unit word (`5 minutes`, `2 days`, `1w`).
pub fn is_duration(text: &str) -> bool {
    go_duration(text) || scala_duration(text)
}

/// Go's `time.ParseDuration` grammar: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, units `ns us µs μs ms s
/// m h`, at most about 292 years.
pub fn go_duration(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let mut rest = s;
    let mut total = 0f64;
    while !rest.is_empty() {
        let int_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (int, after) = rest.split_at(int_end);
        let (frac, after) = match after.strip_prefix('.') {
            Some(tail) => {
                let end = tail
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(tail.len());
                tail.split_at(end)
            }
            None => ("", after),
        };
        if int.is_empty() && frac.is_empty() {
            return false;
        }
        let unit_end = after
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_end);
        let nanos = match unit {
            "ns" => 1e0,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return false,
        };
        let number: f64 = format!("{}.{}", if int.is_empty() { "0" } else { int }, frac)
            .trim_end_matches('.')
            .parse()
            .unwrap_or(f64::INFINITY);
        total += number * nanos;
        rest = after;
    }
    total <= 9.223_372_036_854_775e18
}

/// kube-openapi strfmt's fallback: every `\d+\s*[A-Za-zµ]+` in the text (unanchored); valid when
/// one unit is known and no number overflows.
fn scala_duration(text: &str) -> bool {
    const UNITS: &[&[&str]] = &[
        &["ns", "nano"],
        &["us", "\u{b5}s", "micro"],
        &["ms", "milli"],
        &["s", "sec"],
        &["m", "min"],
        &["h", "hr", "hour"],
        &["d", "day"],
        &["w", "wk", "week"],
    ];
    let is_letter = |c: char| c.is_ascii_alphabetic() || c == '\u{b5}';
    let mut ok = false;
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let tail = &rest[start..];
        let digits_end = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        let digits = &tail[..digits_end];
        let after = &tail[digits_end..];
        let unit_start = after.trim_start_matches([' ', '\t', '\n', '\r', '\x0c']);
        let unit_len = unit_start
            .find(|c| !is_letter(c))
            .unwrap_or(unit_start.len());
        if unit_len == 0 {
            rest = after;
            continue;
        }
        if digits.parse::<i64>().is_err() {
            return false;
        }
        let unit = unit_start[..unit_len].to_lowercase();
        ok |= UNITS.iter().any(|variants| {
            variants.iter().enumerate().any(|(i, v)| {
                (i == variants.len() - 1 && unit.starts_with(v)) || unit.eq_ignore_ascii_case(v)
            })
        });
        rest = &unit_start[unit_len..];
    }
    ok
}

/// `YYYY-MM-DD` with a day that exists (Go's `time.Parse("2006-01-02", …)`).
pub fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &text[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// An RFC 3339 date-time as strfmt checks it: a date, `T` (either case), `hh:mm:ss`, optional
/// fraction, `Z` or `±hh:mm`.
pub fn is_date_time(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let mut parts = lower.split('t');
    let (Some(date), Some(time)) = (parts.next(), parts.next()) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let b = time.as_bytes();
    let two = |i: usize| {
        b.get(i..i + 2)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    if !(two(0) && b.get(2) == Some(&b':') && two(3) && b.get(5) == Some(&b':') && two(6)) {
        return false;
    }
    if &time[0..2] > "23" || &time[3..5] > "59" || &time[6..8] > "59" {
        return false;
    }
    let mut zone = &time[8..];
    if zone.len() > 1 && !zone.starts_with(['z', '+', '-']) {
        // `(.[0-9]+)?`: any one character, then digits.
        let mut chars = zone.chars();
        chars.next();
        let after = chars.as_str();
        let digits = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        if digits == 0 {
            return false;
        }
        zone = &after[digits..];
    }
    let z = zone.as_bytes();
    zone == "z"
        || (z.len() == 6
            && matches!(z[0], b'+' | b'-')
            && z[1].is_ascii_digit()
            && z[2].is_ascii_digit()
            && z[3] == b':'
            && z[4].is_ascii_digit()
            && z[5].is_ascii_digit())
}

/// Standard base64 with padding (Go's `base64.StdEncoding`, which skips `\r` and `\n`).
pub fn is_base64(text: &str) -> bool {
    let clean: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b'\r' | b'\n'))
        .collect();
    if !clean.len().is_multiple_of(4) {
        return false;
    }
    let pad = clean.iter().rev().take_while(|b| **b == b'=').count();
    if pad > 2 {
        return false;
    }
    let body = &clean[..clean.len() - pad];
    if !body
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
    {
        return false;
    }
    // Go rejects non-zero bits left over before the padding only in strict mode: not checked.
    true
}

fn is_bson_object_id(text: &str) -> bool {
    text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Go's `url.ParseRequestURI` needs an absolute URI (a scheme) or an absolute path; the rest of
/// its checks are not reproduced.
fn is_uri(text: &str) -> bool {
    if text == "*" || text.starts_with('/') {
        return true;
    }
    let Some((scheme, _)) = text.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Go's `mail.ParseAddress` accepts display names and comments; every address has an `@`.
fn is_email(text: &str) -> bool {
    text.split_once('@')
        .is_some_and(|(local, domain)| !local.trim().is_empty() && !domain.trim().is_empty())
}

/// RFC 1034 host names, leniently: letters (any script), digits, `-` and `.`, labels of at most
/// 63 and names of at most 255 octets.
fn is_hostname(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 255
        && text.split('.').all(|label| label.len() <= 63)
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.') || !c.is_ascii())
}

fn is_ipv4(text: &str) -> bool {
    text.parse::<IpAddr>().is_ok() && text.contains('.')
}

fn is_ipv6(text: &str) -> bool {
    text.parse::<IpAddr>().is_ok() && text.contains(':')
}

fn is_cidr(text: &str) -> bool {
    let Some((addr, bits)) = text.split_once('/') else {
        return false;
    };
    let Ok(ip) = addr.parse::<IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    !bits.is_empty()
        && bits.len() <= 3
        && bits.bytes().all(|b| b.is_ascii_digit())
        && bits.parse::<u32>().is_ok_and(|n| n <= max)
}

/// Go's `net.ParseMAC`: 6, 8 or 20 octets as `xx:xx:…`, `xx-xx-…` or `xxxx.xxxx.…`.
fn is_mac(text: &str) -> bool {
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    let groups_ok = |groups: usize| matches!(groups, 6 | 8 | 20);
    for sep in [':', '-'] {
        if text.contains(sep) {
            let parts: Vec<&str> = text.split(sep).collect();
            return groups_ok(parts.len()) && parts.iter().all(|p| hex(p, 2));
        }
    }
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() > 1 && groups_ok(parts.len() * 2) && parts.iter().all(|p| hex(p, 4))
}

/// `(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?V[0-9a-f]{3}-?[89ab]?[0-9a-f]{3,4}-?[0-9a-f]{12}$` shapes: the
/// hex digits of a UUID with optional dashes; `version` pins the 13th digit, and versions 4 and 5
/// pin the variant digit.
fn uuid_digits(text: &str, version: Option<u8>) -> bool {
    let mut digits = Vec::with_capacity(32);
    let groups = [8, 4, 4, 4, 12];
    let mut rest = text;
    for (i, len) in groups.iter().enumerate() {
        if i > 0 {
            rest = rest.strip_prefix('-').unwrap_or(rest);
        }
        let Some(group) = rest.get(..*len) else {
            return false;
        };
        if !group.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        digits.extend(group.bytes().map(|b| b.to_ascii_lowercase()));
        rest = &rest[*len..];
    }
    if !rest.is_empty() {
        return false;
    }
    match version {
        None => true,
        Some(v) => {
            digits[12] == b'0' + v && (v == 3 || matches!(digits[16], b'8' | b'9' | b'a' | b'b'))
        }
    }
}

fn is_uuid(text: &str) -> bool {
    uuid_digits(text, None)
}

fn is_uuid3(text: &str) -> bool {
    uuid_digits(text, Some(3))
}

fn is_uuid4(text: &str) -> bool {
    uuid_digits(text, Some(4))
}

fn is_uuid5(text: &str) -> bool {
    uuid_digits(text, Some(5))
}

/// `^\d{3}[- ]?\d{2}[- ]?\d{4}$`
fn is_ssn(text: &str) -> bool {
    let digits: String = text.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let b = text.as_bytes();
    let sep_ok = |i: usize| b.get(i).is_some_and(|c| matches!(c, b'-' | b' '));
    digits.len() == 9
        && digits.bytes().all(|c| c.is_ascii_digit())
        && match text.len() {
            9 => true,
            10 => sep_ok(3) || sep_ok(5),
            11 => sep_ok(3) && sep_ok(6),
            _ => false,
        }
}

/// `^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`
fn is_hex_color(text: &str) -> bool {
    let hex = text.strip_prefix('#').unwrap_or(text);
    matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for ok in [
            "1",
            "500m",
            "1.5Gi",
            "128974848",
            "129e6",
            "129M",
            "123Mi",
            "0.5",
            ".5",
            "-1",
            "+2k",
            "1E-3",
            "5n",
            " 1Gi ",
        ] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in [
            "512MB", "1 Gi", "Gi", "", "1.2.3", "1e", "1Kb", "abc", "1ki", "1e3Gi", "--1",
        ] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }

    #[test]
    fn durations_as_the_api_server_reads_them() {
        for ok in [
            "5m",
            "1h30m",
            "300ms",
            "1.5h",
            "-1s",
            "+2h",
            "0",
            "-0",
            ".5s",
            "1.s",
            "10us",
            "1µs",
            "2h45m0.5s",
            // strfmt's Scala-style fallback.
            "5 minutes",
            "2 days",
            "1w",
            "3 hours",
            "10sec",
            "1h30",
        ] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in [
            "",
            "5",
            "five minutes",
            "soon",
            "-",
            ".s",
            "1 fortnight",
            "h",
            "3 months",
            "99999999999999999999 seconds",
        ] {
            assert!(!is_duration(bad), "{bad}");
        }
        assert!(go_duration("1h30m") && !go_duration("1d") && !go_duration("2562048h"));
    }

    #[test]
    fn dates_and_date_times() {
        assert!(is_date("2024-02-29") && !is_date("2023-02-29") && !is_date("2024-1-01"));
        for ok in [
            "2024-01-15T10:00:00Z",
            "2024-01-15t10:00:00z",
            "2024-01-15T10:00:00.123+02:00",
            "2024-01-15T23:59:59-05:30",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in [
            "2024-01-15",
            "2024-01-15T24:00:00Z",
            "2024-01-15T10:00:00",
            "2024-01-15 10:00:00Z",
            "yesterday",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn other_apiserver_formats() {
        assert!(is_base64("aGVsbG8=") && is_base64("") && is_base64("aGVs\nbG8h"));
        assert!(
            !is_base64("hello")
                && !is_base64("aGVsbG8")
                && !is_base64("a===")
                && !is_base64("aGV$bG8=")
        );
        assert!(is_uri("https://example.com/x") && is_uri("/path") && !is_uri("example.com"));
        assert!(is_email("Ops <ops@example.com>") && !is_email("ops"));
        assert!(is_hostname("a-b.example.com") && !is_hostname("a_b") && !is_hostname(""));
        assert!(is_ipv4("10.0.0.1") && !is_ipv4("::1") && !is_ipv4("10.0.0.256"));
        assert!(is_ipv6("fe80::1") && !is_ipv6("10.0.0.1"));
        assert!(is_cidr("10.0.0.0/8") && is_cidr("fd00::/64") && !is_cidr("10.0.0.0/33"));
        assert!(is_mac("00:1a:2b:3c:4d:5e") && is_mac("001a.2b3c.4d5e") && !is_mac("00:1a:2b"));
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000") && !is_uuid("123e4567"));
        assert!(is_uuid4("123E4567-E89B-42D3-A456-426614174000"));
        assert!(!is_uuid4("123e4567-e89b-12d3-a456-426614174000"));
        assert!(is_ssn("123-45-6789") && !is_ssn("12-345-6789"));
        assert!(is_hex_color("#fff") && is_hex_color("A0B1C2") && !is_hex_color("#ffff"));
        assert!(is_bson_object_id("507f1f77bcf86cd799439011"));
    }

    #[test]
    fn formats_the_api_server_ignores_accept_anything() {
        let checks: Vec<_> = all().collect();
        let check = |name: &str| checks.iter().find(|(n, _)| *n == name).unwrap().1;
        assert!(check("time")("not a time"));
        assert!(check("regex")("(("));
        assert!(check("uri-reference")("::"));
        assert!(!check("duration")("soon"));
        assert!(!validated_for_crds("quantity") && !validated_for_crds("int32"));
    }
}
