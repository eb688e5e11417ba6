//! Flux `postBuild` variable substitution (`${var}`, `${var:=default}`, `${var:-default}`, `$${…}`
//! escapes), as kustomize-controller applies it to every string of the rendered objects.

/// One `${…}` reference inside a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarRef<'a> {
    pub name: &'a str,
    /// `Some` when the reference carries a default (`${var:=x}`, `${var:-x}`, `${var=x}`, `${var-x}`).
    pub default: Option<&'a str>,
    /// Byte range of the whole `${…}` in the string.
    pub start: usize,
    pub end: usize,
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// All `${…}` references in `text` with a valid variable name. Escaped `$${…}` is skipped.
pub fn refs(text: &str) -> Vec<VarRef<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'$' {
            i += 2;
            continue;
        }
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let Some(close) = text[i + 2..].find('}') else {
                break;
            };
            let inner = &text[i + 2..i + 2 + close];
            let end = i + 3 + close;
            let (name, default) = split_default(inner);
            if valid_name(name) {
                out.push(VarRef {
                    name,
                    default,
                    start: i,
                    end,
                });
            }
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

fn split_default(inner: &str) -> (&str, Option<&str>) {
    for op in [":=", ":-", "=", "-"] {
        if let Some((n, d)) = inner.split_once(op)
            && valid_name(n)
        {
            return (n, Some(d));
        }
    }
    (inner, None)
}

/// Substitutes references with `lookup`; undefined ones take their default when `use_defaults`.
/// A reference whose value is not known stays as written (kustomize-controller would write an
/// empty string; `flux-substitution-undefined` reports it instead, and no later stage mistakes the
/// empty value for the user's). `$${` becomes a literal `${`.
pub fn substitute<'v>(
    text: &str,
    lookup: impl Fn(&str) -> Option<&'v str>,
    use_defaults: bool,
) -> String {
    if !text.contains('$') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    let all = refs(text);
    let mut next = all.iter().peekable();
    while i < bytes.len() {
        if let Some(r) = next.peek()
            && r.start == i
        {
            out.push_str(&text[last..i]);
            let default = r.default.filter(|_| use_defaults);
            out.push_str(lookup(r.name).or(default).unwrap_or(&text[r.start..r.end]));
            i = r.end;
            last = i;
            next.next();
            continue;
        }
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'$') {
            out.push_str(&text[last..i]);
            out.push('$');
            i += 2;
            last = i;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_and_defaults() {
        let r = refs("a ${X} b ${Y:=1} $${Z} ${not valid} ${W:-x-y}");
        let names: Vec<_> = r.iter().map(|r| (r.name, r.default)).collect();
        assert_eq!(
            names,
            vec![("X", None), ("Y", Some("1")), ("W", Some("x-y"))]
        );
        assert_eq!(&"a ${X} b"[r[0].start..r[0].end], "${X}");
    }

    #[test]
    fn substitutes_like_kustomize_controller() {
        let vars = |k: &str| match k {
            "CLUSTER" => Some("prod"),
            _ => None,
        };
        assert_eq!(substitute("./apps/${CLUSTER}", vars, true), "./apps/prod");
        assert_eq!(
            substitute("${MISSING:=dflt}-${MISSING}", vars, true),
            "dflt-${MISSING}"
        );
        assert_eq!(
            substitute("${MISSING:=dflt}", vars, false),
            "${MISSING:=dflt}"
        );
        assert_eq!(
            substitute("cost $$5 and $${CLUSTER}", vars, true),
            "cost $5 and ${CLUSTER}"
        );
        assert_eq!(substitute("plain", vars, true), "plain");
    }
}
