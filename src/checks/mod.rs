//! Built-in Rust rules, one file each, listed in two plain static slices.

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::flux::Model;
use crate::inventory::Inventory;
use crate::object::Object;
use crate::rule::RuleMeta;

pub mod api_deprecated;
pub mod api_lifecycle;
pub mod api_removed;
pub mod crd_invalid;
pub mod duplicate_object;
pub mod flux_api_deprecated;
pub mod flux_chart_version_floating;
pub mod flux_dependency_cycle;
pub mod flux_dependency_not_found;
pub mod flux_path_not_found;
pub mod flux_source_not_found;
pub mod flux_substitution_undefined;
pub mod flux_values_from_not_found;
pub mod helm_template_skipped;
pub mod invalid_name;
pub mod kustomize_build_error;
pub mod manifest_type_missing;
pub mod rego_evaluation_failed;
pub mod schema_missing;
pub mod schema_unknown_field;
pub mod schema_violation;
pub mod secret_plaintext;
pub mod selector_template_mismatch;
pub mod service_account_missing;
pub mod source_secret_missing;
pub mod source_url_mismatch;
pub mod unused_suppression;
pub mod yaml_duplicate_key;
pub mod yaml_implicit_type;
pub mod yaml_syntax;

/// A rule that inspects the frozen inventory. Object-level checks run in parallel per object;
/// repository-level checks run once.
pub trait Check: Sync {
    fn meta(&self) -> &'static RuleMeta;

    fn check_object(&self, _object: &Object, _inventory: &Inventory, _out: &mut Vec<Diagnostic>) {}

    fn check_repository(&self, _inventory: &Inventory, _out: &mut Vec<Diagnostic>) {}

    /// Runs once over the repository model (clusters, owners, effective objects).
    fn check_model(&self, _model: &Model, _inventory: &Inventory, _out: &mut Vec<Diagnostic>) {}
}

/// Rules implemented as [`Check`]s.
pub static CHECKS: &[&dyn Check] = &[
    &invalid_name::InvalidName,
    &secret_plaintext::SecretPlaintext,
    &flux_source_not_found::FluxSourceNotFound,
    &flux_path_not_found::FluxPathNotFound,
    &flux_dependency_not_found::FluxDependencyNotFound,
    &flux_dependency_cycle::FluxDependencyCycle,
    &flux_values_from_not_found::FluxValuesFromNotFound,
    &flux_substitution_undefined::FluxSubstitutionUndefined,
    &flux_api_deprecated::FluxApiDeprecated,
    &flux_chart_version_floating::FluxChartVersionFloating,
    &kustomize_build_error::KustomizeBuildError,
    &duplicate_object::DuplicateObject,
    &source_secret_missing::SourceSecretMissing,
    &source_url_mismatch::SourceUrlMismatch,
    &service_account_missing::ServiceAccountMissing,
    &selector_template_mismatch::SelectorTemplateMismatch,
];

/// Rules whose findings other stages produce (their files hold docs and wording).
pub static PARSE_RULES: &[&RuleMeta] = &[
    &yaml_syntax::YamlSyntax::META,
    &yaml_duplicate_key::YamlDuplicateKey::META,
    &manifest_type_missing::ManifestTypeMissing::META,
    &helm_template_skipped::HelmTemplateSkipped::META,
    &unused_suppression::UnusedSuppression::META,
    &rego_evaluation_failed::RegoEvaluationFailed::META,
];

/// Rules whose findings the schema stage (`crate::schema::check`) produces.
pub static SCHEMA_RULES: &[&RuleMeta] = &[
    &schema_violation::SchemaViolation::META,
    &schema_unknown_field::SchemaUnknownField::META,
    &schema_missing::SchemaMissing::META,
    &crd_invalid::CrdInvalid::META,
    &yaml_implicit_type::YamlImplicitType::META,
    &api_removed::ApiRemoved::META,
    &api_deprecated::ApiDeprecated::META,
];

/// Every built-in rule.
pub fn builtin_rules() -> impl Iterator<Item = &'static RuleMeta> {
    PARSE_RULES
        .iter()
        .chain(SCHEMA_RULES)
        .copied()
        .chain(CHECKS.iter().map(|check| check.meta()))
}

/// Run the enabled checks over the inventory, objects in parallel.
pub fn run(
    inventory: &Inventory,
    model: &Model,
    enabled: &(dyn Fn(&RuleMeta) -> bool + Sync),
) -> Vec<Diagnostic> {
    let checks: Vec<&dyn Check> = CHECKS
        .iter()
        .copied()
        .filter(|check| enabled(check.meta()))
        .collect();
    // Objects as Flux applies them (patched, substituted; once per placement), so that a finding
    // on a patched field points at the patch. The same finding from several placements is one.
    let effective = model.effective_objects(inventory);
    let found: Vec<Diagnostic> = effective
        .par_iter()
        .flat_map_iter(|object| {
            let mut out = Vec::new();
            for check in &checks {
                check.check_object(object, inventory, &mut out);
            }
            out
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut diagnostics: Vec<Diagnostic> = (found.into_iter())
        .filter(|d| seen.insert((d.rule.code, d.primary.span, d.message.clone())))
        .collect();
    let repository: Vec<Diagnostic> = checks
        .par_iter()
        .flat_map_iter(|check| {
            let mut out = Vec::new();
            check.check_repository(inventory, &mut out);
            check.check_model(model, inventory, &mut out);
            out
        })
        .collect();
    diagnostics.extend(repository);
    diagnostics
}
