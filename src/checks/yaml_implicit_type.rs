//! `yaml-implicit-type`

use crate::rule::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds plain (unquoted) scalars that YAML 1.1 reads as a boolean, number or null where the
    /// schema wants a string: `yes`, `no`, `on`, `off`, `y`, `n`, `0777` (octal), `1e3`, `1_000`.
    /// Kubernetes decodes YAML with these YAML 1.1 rules. A null (`~`, or nothing after the colon)
    /// is not reported: the API server reads it as "unset". Nor is an unquoted `{{ … }}` template,
    /// which is not a value until something renders it.
    ///
    /// ## Why is this bad?
    /// The API server receives `true` or `511` instead of the text you wrote and rejects the
    /// object (`must be of type string`), or a tool that converts it stores a different value.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: FEATURE_ENABLED
    ///     value: yes        # a boolean, not the string "yes"
    /// ```
    ///
    /// ## How to fix
    /// Quote the value: `value: "yes"`.
    pub struct YamlImplicitType {
        code: "GL003",
        name: "yaml-implicit-type",
        category: Yaml,
        level: Error,
        summary: "Unquoted YAML 1.1 scalar is not the string the schema wants",
    }
}
