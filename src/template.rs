//! Template placeholders: text that some tool replaces before Kubernetes ever sees the value.
//!
//! - `${var}`, `${var:=default}`: Flux `postBuild` substitution (envsubst syntax);
//! - `{{ … }}`: Helm and Go templates, Kyverno JMESPath variables, `op inject` and the
//!   `sed`/`envsubst`-style templating scripts that fill them in.
//!
//! A value holding one is not the value the API server validates, so rules judge it after
//! substitution (where the model does that) or not at all.

/// The text holds a `${…}` or `{{ … }}` placeholder.
pub fn has_placeholder(text: &str) -> bool {
    enclosed(text, "${", "}") || enclosed(text, "{{", "}}")
}

/// `open` followed, later, by `close`.
fn enclosed(text: &str, open: &str, close: &str) -> bool {
    text.find(open)
        .is_some_and(|start| text[start + open.len()..].contains(close))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert!(has_placeholder("web-${CLUSTER}"));
        assert!(has_placeholder("${SECRET_REPO}/app/config"));
        assert!(has_placeholder("{{ .Release.Name }}-web"));
        assert!(has_placeholder("{{request.object.metadata.name}}"));
        assert!(!has_placeholder("web"));
        assert!(!has_placeholder("price: $5 {not a template}"));
        assert!(!has_placeholder("${unterminated"));
        assert!(!has_placeholder("{{ unterminated }"));
    }
}
