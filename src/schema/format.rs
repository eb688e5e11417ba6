//! Formats Kubernetes defines and JSON Schema does not.

/// The message the API server gives for a malformed quantity.
pub const QUANTITY_MESSAGE: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// A Kubernetes resource quantity (`500m`, `1.5Gi`, `2e3`, `128974848`): a signed decimal number
/// followed by a binary SI suffix (`Ki`…`Ei`), a decimal SI suffix (`n u m k M G T P E`) or a decimal
/// exponent (`e3`, `E-2`). `512MB`, `1 Gi` and `Gi` are not quantities.
pub fn is_quantity(text: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::is_quantity;

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
        ] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in [
            "512MB", "1 Gi", "Gi", "", "1.2.3", "1e", "1Kb", "abc", "1ki", "1e3Gi", "--1",
        ] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }
}
