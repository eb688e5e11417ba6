//! YAML 1.1 plain-scalar resolution, as go-yaml v2 does it (and so Kubernetes and Flux).

use super::Value;

/// Resolve an untagged plain scalar.
///
/// go-yaml v2 accepts exactly these spellings (not every casing): `yEs` stays a string.
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Value::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    // Numbers only start with a digit, a sign or a dot (go-yaml's hint table).
    if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return Value::Str(text.to_owned());
    }
    let plain = text.replace('_', "");
    if let Some(int) = parse_int(&plain) {
        return int;
    }
    if plain.contains(|c: char| c.is_ascii_digit())
        && let Ok(float) = plain.parse::<f64>()
    {
        return Value::Float(float);
    }
    Value::Str(text.to_owned())
}

/// Go's `strconv.ParseInt(s, 0, 64)` with an unsigned fallback: `0x1F`, `0o17`, `0b101`, `0777`.
fn parse_int(text: &str) -> Option<Value> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, body) = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, hex)
    } else if let Some(bin) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, bin)
    } else if let Some(oct) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        (8, oct)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    if negative {
        if magnitude <= i64::MAX as u64 + 1 {
            return Some(Value::Int((magnitude as i128).wrapping_neg() as i64));
        }
        return None;
    }
    Some(match i64::try_from(magnitude) {
        Ok(int) => Value::Int(int),
        Err(_) => Value::Float(magnitude as f64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_table() {
        let cases: &[(&str, Value)] = &[
            ("yes", Value::Bool(true)),
            ("Yes", Value::Bool(true)),
            ("YES", Value::Bool(true)),
            ("y", Value::Bool(true)),
            ("Y", Value::Bool(true)),
            ("on", Value::Bool(true)),
            ("ON", Value::Bool(true)),
            ("true", Value::Bool(true)),
            ("no", Value::Bool(false)),
            ("n", Value::Bool(false)),
            ("N", Value::Bool(false)),
            ("off", Value::Bool(false)),
            ("Off", Value::Bool(false)),
            ("FALSE", Value::Bool(false)),
            ("yEs", Value::Str("yEs".into())),
            ("0777", Value::Int(511)),
            ("0x1F", Value::Int(31)),
            ("0o17", Value::Int(15)),
            ("0b101", Value::Int(5)),
            ("1_000", Value::Int(1000)),
            ("-42", Value::Int(-42)),
            ("+7", Value::Int(7)),
            ("0", Value::Int(0)),
            ("1e3", Value::Float(1000.0)),
            ("1.5", Value::Float(1.5)),
            ("-.5", Value::Float(-0.5)),
            ("09", Value::Float(9.0)),
            (".inf", Value::Float(f64::INFINITY)),
            ("-.Inf", Value::Float(f64::NEG_INFINITY)),
            ("~", Value::Null),
            ("null", Value::Null),
            ("", Value::Null),
            ("=", Value::Str("=".into())),
            ("1.2.3", Value::Str("1.2.3".into())),
            ("2024-01-01", Value::Str("2024-01-01".into())),
            ("-", Value::Str("-".into())),
            (".", Value::Str(".".into())),
            ("v1", Value::Str("v1".into())),
            ("512Mi", Value::Str("512Mi".into())),
            ("12:30", Value::Str("12:30".into())),
        ];
        for (text, expected) in cases {
            assert_eq!(&resolve_plain(text), expected, "resolving {text:?}");
        }
        assert!(matches!(resolve_plain(".nan"), Value::Float(f) if f.is_nan()));
        assert_eq!(
            resolve_plain("18446744073709551615"),
            Value::Float(u64::MAX as f64)
        );
        assert_eq!(resolve_plain("-9223372036854775808"), Value::Int(i64::MIN));
    }
}
