//! Rule metadata and the registry of every rule that can fire.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Origin {
    Builtin,
    Rego,
    Schema,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Category {
    Yaml,
    Schema,
    Flux,
    CrossTeam,
    ApplySafety,
    Security,
    Policy,
}

/// Everything a report needs to know about a rule. Built-in rules are `const`; rules read from
/// Rego `# METADATA` are leaked once per process so that every diagnostic can hold a `&'static`.
#[derive(Debug, Serialize)]
pub struct RuleMeta {
    /// Stable code, e.g. `GL201`: the SARIF `ruleId`.
    pub code: &'static str,
    /// Stable kebab-case name, e.g. `flux-source-not-found`: used in suppressions and `--select`.
    pub name: &'static str,
    pub origin: Origin,
    pub category: Category,
    pub default_level: Level,
    /// One line: SARIF `shortDescription`.
    pub summary: &'static str,
    /// Markdown: what, why, example, fix. SARIF `help` and `explain`.
    #[serde(skip)]
    pub docs: &'static str,
}

impl RuleMeta {
    /// The docs as Markdown, with the one leading space of each `///` line removed.
    pub fn docs_markdown(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_owned() + "\n"
    }

    /// Whether `selector` (a code, a code prefix such as `GL2`, a name, or `ALL`) names this rule.
    pub fn matches(&self, selector: &str) -> bool {
        selector == "ALL"
            || selector == self.name
            || (selector.len() >= 2
                && self.code.starts_with(selector)
                && selector.chars().all(|c| c.is_ascii_alphanumeric()))
    }
}

/// Declares a built-in rule: its `///` docs become both rustdoc and the user docs.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            code: $code:literal,
            name: $rule_name:literal,
            category: $category:ident,
            level: $level:ident,
            summary: $summary:literal
            $(, origin: $origin:ident)? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            pub const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                code: $code,
                name: $rule_name,
                origin: $crate::rule::origin!($($origin)?),
                category: $crate::rule::Category::$category,
                default_level: $crate::rule::Level::$level,
                summary: $summary,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}
pub(crate) use declare_rule;

/// `Builtin` unless a rule says otherwise (schema rules say `origin: Schema`).
macro_rules! origin {
    () => {
        $crate::rule::Origin::Builtin
    };
    ($origin:ident) => {
        $crate::rule::Origin::$origin
    };
}
pub(crate) use origin;
