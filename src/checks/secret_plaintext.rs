//! `secret-plaintext`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::inventory::Inventory;
use crate::object::Object;
use crate::rule::{RuleMeta, declare_rule};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds `Secret` objects whose `data` or `stringData` hold values that are not encrypted.
    /// SOPS-encrypted documents (a top-level `sops:` mapping, values `ENC[…]`) pass, and so do
    /// values that are only a Flux `${var}` placeholder. Sealed Secrets are `SealedSecret`
    /// objects and are never reported. The finding names the keys, never the values, and reports
    /// never print lines of a file that holds a Secret.
    ///
    /// ## Why is this bad?
    /// Everything committed to Git is readable by everyone with access to the repository and
    /// stays in its history forever. Base64 in `data` is an encoding, not encryption.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: db
    /// stringData:
    ///   password: hunter2
    /// ```
    ///
    /// ## How to fix
    /// Encrypt the file with SOPS (`sops --encrypt --in-place`), use a `SealedSecret`, or
    /// reference an external secret store. Rotate any credential that was committed.
    pub struct SecretPlaintext {
        code: "GL501",
        name: "secret-plaintext",
        category: Security,
        level: Error,
        summary: "Secret with unencrypted values committed to the repository",
    }
}

impl Check for SecretPlaintext {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        if object.kind() != "Secret" || !object.id.group.is_empty() || object.sops {
            return;
        }
        for field in ["data", "stringData"] {
            let Some((field_key, map)) = object.root.entry(field) else {
                continue;
            };
            let keys: Vec<String> = map
                .as_map()
                .unwrap_or_default()
                .iter()
                .filter(|(_, value)| is_plaintext(value))
                .map(|(key, _)| format!("`{}`", key.key_string()))
                .collect();
            if keys.is_empty() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::META,
                    field_key.span,
                    format!(
                        "Secret `{}` has unencrypted values in `{field}` (keys {})",
                        object.id.name,
                        keys.join(", ")
                    ),
                )
                .with_object(object.reference()),
            );
        }
    }
}

/// A value that is neither empty, nor SOPS ciphertext, nor a whole `${var}` placeholder.
fn is_plaintext(value: &Node) -> bool {
    let Some(text) = value.as_str() else {
        return !matches!(value.value, crate::yaml::Value::Null);
    };
    let text = text.trim();
    let placeholder =
        text.starts_with("${") && text.ends_with('}') && text.matches("${").count() == 1;
    !(text.is_empty() || text.starts_with("ENC[") || placeholder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::parse;

    #[test]
    fn plaintext_values() {
        let root = parse(
            FileId(0),
            "a: x\nb: ''\nc: ENC[AES256_GCM,data:x]\nd: ${PASSWORD}\ne: ${A}${B}\nf: 1\ng:\n",
        )
        .documents
        .remove(0)
        .root
        .unwrap();
        let plain: Vec<_> = root
            .as_map()
            .unwrap()
            .iter()
            .filter(|(_, v)| is_plaintext(v))
            .map(|(k, _)| k.key_string().into_owned())
            .collect();
        assert_eq!(plain, ["a", "e", "f"]);
    }
}
