//! `secret-plaintext`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::inventory::Inventory;
use crate::object::Object;
use crate::rule::{RuleMeta, declare_rule};
use crate::template::has_placeholder;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds `Secret` objects whose `data` or `stringData` hold values that are not encrypted.
    /// Sealed Secrets are `SealedSecret` objects and are never reported. The finding names the
    /// keys, never the values, and reports never print lines of a file that holds a Secret.
    ///
    /// Not reported (`data` values are judged after base64 decoding):
    ///
    /// - SOPS-encrypted documents (a top-level `sops:` mapping) and `ENC[…]` values;
    /// - empty values;
    /// - values holding a template placeholder: Flux `${var}` (`${DB_PASSWORD}`,
    ///   `${SECRET_REPO}/app/config`), `{{ … }}` (Helm, Go templates, `op inject`),
    ///   argocd-vault-plugin `<path:…#key>` and, in a Secret annotated
    ///   `avp.kubernetes.io/path`, its `<key>` placeholders. A URL whose password is written
    ///   out (`postgres://app:hunter2@${DB_HOST}/db`) is still plaintext;
    /// - values that are, as a whole, a reference to a secret store that a tool resolves
    ///   before or after apply:
    ///   - `op://vault/item/field`: 1Password (`op inject`, `op run`, 1Password Connect);
    ///   - `ref+<backend>://…`: vals / helmfile (`ref+vault://`, `ref+awssecrets://`,
    ///     `ref+gcpsecrets://`, `ref+azurekeyvault://`, `ref+sops://` …);
    ///   - `vault:path#key`, `>>vault:path#key`: Bank-Vaults webhook; `vault://…`;
    ///   - `arn:aws:secretsmanager:…`, `arn:aws:ssm:…`: AWS secrets-init style ARNs;
    ///     `awssm://…`: AWS Secrets Manager URIs;
    ///   - `gcp:secretmanager:projects/…`: GCP secrets-init; `sm://…`, `berglas://…`: Berglas;
    ///     `gcpsm://…`;
    ///   - `akv://vault/secret`, `keyvault://…`: Azure Key Vault URIs;
    ///     `name@azurekeyvault`: akv2k8s env injector.
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
        let avp = (object.root.get("metadata"))
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get("avp.kubernetes.io/path"))
            .is_some();
        for field in ["data", "stringData"] {
            let Some((field_key, map)) = object.root.entry(field) else {
                continue;
            };
            let keys: Vec<String> = map
                .as_map()
                .unwrap_or_default()
                .iter()
                .filter(|(_, value)| is_plaintext(value, field == "data", avp))
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

/// A value that is neither empty, nor SOPS ciphertext, nor templated, nor a secret-store
/// reference. `data` values are judged after base64 decoding.
fn is_plaintext(value: &Node, base64: bool, avp: bool) -> bool {
    let Some(text) = value.as_str() else {
        return !matches!(value.value, crate::yaml::Value::Null);
    };
    let decoded = base64.then(|| decode_base64(text)).flatten();
    let text = match &decoded {
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => return true, // binary data: a key file, a keystore
        },
        None => text,
    };
    let text = text.trim();
    let templated = has_placeholder(text) || avp_placeholder(text, avp);
    !(text.is_empty()
        || text.starts_with("ENC[")
        || (templated && !url_with_password(text))
        || is_reference(text))
}

/// URI schemes of secret-store references (`scheme://…`).
const REFERENCE_SCHEMES: &[&str] = &[
    "op", "vault", "akv", "keyvault", "awssm", "gcpsm", "sm", "berglas",
];

/// Prefixes of secret-store references that are not URIs.
const REFERENCE_PREFIXES: &[&str] = &[
    "vault:",
    ">>vault:",
    "arn:aws:secretsmanager:",
    "arn:aws:ssm:",
    "gcp:secretmanager:",
];

/// The whole value names a secret in a store (see the rule docs for the list).
fn is_reference(text: &str) -> bool {
    if text.contains('\n') {
        return false;
    }
    if let Some((scheme, rest)) = text.split_once("://") {
        let vals = scheme.strip_prefix("ref+").is_some_and(|backend| {
            !backend.is_empty() && backend.chars().all(|c| c.is_ascii_alphanumeric())
        });
        if !rest.is_empty() && (vals || REFERENCE_SCHEMES.contains(&scheme)) {
            return true;
        }
    }
    if REFERENCE_PREFIXES
        .iter()
        .any(|p| text.len() > p.len() && text.starts_with(p))
    {
        return true;
    }
    // akv2k8s: `<AzureKeyVaultSecret name>@azurekeyvault[?query]`.
    let akv = text.split('?').next().unwrap_or(text);
    akv.strip_suffix("@azurekeyvault")
        .is_some_and(|name| !name.is_empty() && !name.contains(char::is_whitespace))
}

/// argocd-vault-plugin placeholders: `<path:…>` anywhere, and `<key>` where the Secret's
/// `avp.kubernetes.io/path` annotation says where the keys live.
fn avp_placeholder(text: &str, annotated: bool) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else {
            return false;
        };
        let inner = &after[..end];
        let word = !inner.is_empty() && !inner.contains(|c: char| c.is_whitespace() || c == '<');
        if (inner.starts_with("path:") && inner.len() > 5) || (annotated && word) {
            return true;
        }
        rest = &after[end + 1..];
    }
    false
}

/// A URL that writes its password out: `scheme://user:password@host` with a literal password.
fn url_with_password(text: &str) -> bool {
    text.match_indices("://").any(|(at, sep)| {
        let authority = text[at + sep.len()..]
            .split(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .next()
            .unwrap_or("");
        authority
            .rsplit_once('@')
            .and_then(|(userinfo, _)| userinfo.split_once(':'))
            .is_some_and(|(_, password)| {
                !password.is_empty()
                    && !has_placeholder(password)
                    && !avp_placeholder(password, true)
            })
    })
}

/// Standard base64 with padding, as the API server decodes `data` (line breaks ignored).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b'\n' | b'\r'))
        .collect();
    if digits.is_empty() || !digits.len().is_multiple_of(4) {
        return None;
    }
    let value = |b: u8| match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(digits.len() / 4 * 3);
    let chunks = digits.len() / 4;
    for (i, chunk) in digits.chunks(4).enumerate() {
        let padding = chunk.iter().rev().take_while(|b| **b == b'=').count();
        if padding > 2 || (padding > 0 && i + 1 != chunks) {
            return None;
        }
        let mut bits: u32 = 0;
        for &b in &chunk[..4 - padding] {
            bits = bits << 6 | u32::from(value(b)?);
        }
        bits <<= 6 * padding as u32;
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - padding]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::parse;

    fn plaintext_keys(yaml: &str, base64: bool, avp: bool) -> Vec<String> {
        let root = parse(FileId(0), yaml).documents.remove(0).root.unwrap();
        (root.as_map().unwrap().iter())
            .filter(|(_, v)| is_plaintext(v, base64, avp))
            .map(|(k, _)| k.key_string().into_owned())
            .collect()
    }

    #[test]
    fn plaintext_values() {
        let yaml = "a: x\nb: ''\nc: ENC[AES256_GCM,data:x]\nd: ${PASSWORD}\ne: ${A}${B}\nf: 1\ng:\n\
                    h: ${SECRET_REPO}/app/config\ni: '{{ .Values.token }}'\n\
                    j: postgres://app:hunter2@${DB_HOST}/db\nk: postgres://app:${DB_PASSWORD}@db/app\n\
                    l: <path:kv/data/db#password>\nm: <password>\n";
        assert_eq!(plaintext_keys(yaml, false, false), ["a", "f", "j", "m"]);
        assert_eq!(plaintext_keys(yaml, false, true), ["a", "f", "j"]);
    }

    #[test]
    fn references_are_not_plaintext() {
        let yaml = "a: op://kubernetes/1password/token\nb: ref+vault://secret/db#/password\n\
                    c: vault:secret/data/db#password\nd: '>>vault:database/creds/app#password'\n\
                    e: arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf\n\
                    f: arn:aws:ssm:eu-west-1:123456789012:parameter/db\n\
                    g: gcp:secretmanager:projects/p/secrets/db/versions/latest\nh: sm://p/db\n\
                    i: berglas://bucket/db\nj: akv://vault/db\nk: db-password@azurekeyvault\n\
                    l: awssm://prod/db#password\nm: op://\nnn: 'ref+://x'\no: opaque://x\n\
                    p: 'vault:'\nq: '@azurekeyvault'\nr: |\n  op://a/b/c\n  hunter2\n";
        assert_eq!(
            plaintext_keys(yaml, false, false),
            ["m", "nn", "o", "p", "q", "r"]
        );
    }

    #[test]
    fn data_is_judged_decoded() {
        // "op://vault/item/field", "hunter2", "${TOKEN}" as written, 0xff 0xfe (binary).
        let yaml = "a: b3A6Ly92YXVsdC9pdGVtL2ZpZWxk\nb: aHVudGVyMg==\nc: ${TOKEN}\nd: //4=\n";
        assert_eq!(plaintext_keys(yaml, true, false), ["b", "d"]);
        assert_eq!(decode_base64("aHVudGVyMg==").unwrap(), b"hunter2");
        assert_eq!(decode_base64("YWJj\nZGVm").unwrap(), b"abcdef".to_vec());
        assert!(decode_base64("aHVudGVyMg=").is_none());
        assert!(decode_base64("a=bc").is_none());
    }
}
