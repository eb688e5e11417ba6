//! Patch targets: `group`, `version`, `kind`, `name`, `namespace` (anchored regular expressions, as
//! kustomize reads them), `labelSelector` and `annotationSelector` (Kubernetes selector syntax).

use regex::Regex;

/// What a patch target selects. Empty fields match everything.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    pub annotation_selector: Option<String>,
    /// The target is the patch's own identity (a strategic-merge patch without `target`): no
    /// match is a kustomize build error.
    pub from_patch: bool,
}

/// The facts of a candidate object a target is matched against.
pub struct Candidate<'a> {
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: &'a str,
    pub labels: &'a [(String, String)],
    pub annotations: &'a [(String, String)],
}

/// One compiled field of a target: literal patterns skip the regex engine.
enum Pat {
    Literal(String),
    Regex(Regex),
}

impl Pat {
    fn is_match(&self, value: &str) -> bool {
        match self {
            Pat::Literal(l) => l == value,
            Pat::Regex(r) => r.is_match(value),
        }
    }
}

/// A compiled target.
pub struct Matcher {
    group: Option<Pat>,
    version: Option<Pat>,
    kind: Option<Pat>,
    name: Option<Pat>,
    namespace: Option<Pat>,
    labels: Option<Selector>,
    annotations: Option<Selector>,
}

fn anchored(pattern: &Option<String>, literal: bool) -> Result<Option<Pat>, String> {
    const META: &[char] = &[
        '\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$',
    ];
    match pattern {
        None => Ok(None),
        Some(p) if p.is_empty() => Ok(None),
        Some(p) if literal || !p.contains(META) => Ok(Some(Pat::Literal(p.clone()))),
        Some(p) => Regex::new(&format!("^(?:{p})$"))
            .map(|r| Some(Pat::Regex(r)))
            .map_err(|_| format!("patch target pattern `{p}` is not a valid regular expression")),
    }
}

impl Matcher {
    pub fn new(t: &Target) -> Result<Self, String> {
        let sel = |s: &Option<String>| {
            s.as_deref()
                .filter(|s| !s.is_empty())
                .map(Selector::parse)
                .transpose()
        };
        Ok(Self {
            group: anchored(&t.group, t.from_patch)?,
            version: anchored(&t.version, t.from_patch)?,
            kind: anchored(&t.kind, t.from_patch)?,
            name: anchored(&t.name, t.from_patch)?,
            namespace: anchored(&t.namespace, t.from_patch)?,
            labels: sel(&t.label_selector)?,
            annotations: sel(&t.annotation_selector)?,
        })
    }

    pub fn uses_labels(&self) -> bool {
        self.labels.is_some()
    }

    pub fn uses_annotations(&self) -> bool {
        self.annotations.is_some()
    }

    pub fn matches(&self, c: &Candidate<'_>) -> bool {
        let re = |r: &Option<Pat>, v: &str| r.as_ref().is_none_or(|r| r.is_match(v));
        re(&self.group, c.group)
            && re(&self.version, c.version)
            && re(&self.kind, c.kind)
            && re(&self.name, c.name)
            && re(&self.namespace, c.namespace)
            && self.labels.as_ref().is_none_or(|s| s.matches(c.labels))
            && self
                .annotations
                .as_ref()
                .is_none_or(|s| s.matches(c.annotations))
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Req {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A Kubernetes label selector: `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector(Vec<Req>);

impl Selector {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        for part in split_top(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let bad = || format!("invalid selector `{text}`");
            let req = if let Some(k) = part.strip_prefix('!') {
                Req::NotExists(k.trim().to_string())
            } else if let Some((k, v)) = part.split_once("!=") {
                Req::Ne(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                Req::Eq(k.trim().into(), v.trim().into())
            } else if let Some((k, rest)) = split_word(part, " notin ") {
                Req::NotIn(k, set_values(rest).ok_or_else(bad)?)
            } else if let Some((k, rest)) = split_word(part, " in ") {
                Req::In(k, set_values(rest).ok_or_else(bad)?)
            } else if part.contains(char::is_whitespace) || part.contains('(') {
                return Err(bad());
            } else {
                Req::Exists(part.to_string())
            };
            reqs.push(req);
        }
        Ok(Self(reqs))
    }

    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| {
            labels
                .iter()
                .find(|(lk, _)| lk == k)
                .map(|(_, v)| v.as_str())
        };
        self.0.iter().all(|r| match r {
            Req::Eq(k, v) => get(k) == Some(v.as_str()),
            Req::Ne(k, v) => get(k) != Some(v.as_str()),
            Req::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Req::NotIn(k, vs) => get(k).is_none_or(|x| vs.iter().all(|v| v != x)),
            Req::Exists(k) => get(k).is_some(),
            Req::NotExists(k) => get(k).is_none(),
        })
    }
}

/// Splits on commas outside parentheses.
fn split_top(text: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

fn split_word(part: &str, word: &str) -> Option<(String, String)> {
    let normalized = part.split_whitespace().collect::<Vec<_>>().join(" ");
    let normalized = normalized
        .replace("notin(", "notin (")
        .replace("in(", "in (");
    let (k, rest) = normalized.split_once(word)?;
    Some((k.trim().to_string(), rest.trim().to_string()))
}

fn set_values(rest: String) -> Option<Vec<String>> {
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    Some(
        inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selector_forms() {
        let l = labels(&[("app", "web"), ("tier", "front")]);
        for (sel, want) in [
            ("app=web", true),
            ("app==web", true),
            ("app!=web", false),
            ("app in (api, web)", true),
            ("app notin (web)", false),
            ("tier", true),
            ("!tier", false),
            ("!missing,app=web", true),
            ("app=web,tier=back", false),
        ] {
            assert_eq!(Selector::parse(sel).unwrap().matches(&l), want, "{sel}");
        }
        assert!(Selector::parse("app in web").is_err());
    }

    #[test]
    fn name_is_an_anchored_regex() {
        let t = Target {
            kind: Some("Deployment".into()),
            name: Some("(a|b)-controller".into()),
            ..Default::default()
        };
        let m = Matcher::new(&t).unwrap();
        let c = |name| Candidate {
            group: "apps",
            version: "v1",
            kind: "Deployment",
            name,
            namespace: "x",
            labels: &[],
            annotations: &[],
        };
        assert!(m.matches(&c("a-controller")));
        assert!(!m.matches(&c("xa-controller")));
        assert!(!m.matches(&c("c-controller")));
    }
}
