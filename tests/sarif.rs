//! SARIF output validates against the official SARIF 2.1.0 schema and GitHub's expectations.

use std::path::Path;

use gitops_lint::cli::{Format, Settings};

fn sarif_of(root: &Path) -> serde_json::Value {
    let mut settings = Settings::for_root(root);
    settings.format = Format::Sarif;
    let mut out = Vec::new();
    gitops_lint::check(&settings, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-2.1.0-rtm.5.json");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The official file's `language` patterns have a stray `]` that ECMAScript reads as a
    // literal and Rust's regex engines reject; escape it (same meaning) in memory only.
    let fixed = escape_stray_bracket(&mut schema);
    assert_eq!(fixed, 2, "the schema file changed; revisit this workaround");
    jsonschema::draft4::new(&schema).expect("the SARIF schema compiles")
}

fn escape_stray_bracket(value: &mut serde_json::Value) -> usize {
    const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        serde_json::Value::String(s) if s == STRAY => {
            *s = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$".into();
            1
        }
        serde_json::Value::Array(items) => items.iter_mut().map(escape_stray_bracket).sum(),
        serde_json::Value::Object(map) => map.values_mut().map(escape_stray_bracket).sum(),
        _ => 0,
    }
}

#[test]
fn sarif_of_a_fixture_repo_validates_against_the_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cli/demo");
    let sarif = sarif_of(&root);
    let errors: Vec<String> = schema()
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let location = &result["locations"][0]["physicalLocation"];
        assert!(
            !location["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with('/'),
            "repo-relative"
        );
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(location["region"]["startColumn"].as_u64().unwrap() >= 1);
        assert!(result["partialFingerprints"]["primaryLocationLineHash"].is_string());
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            sarif["runs"][0]["tool"]["driver"]["rules"][index]["id"],
            result["ruleId"]
        );
    }
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let secret = rules
        .iter()
        .find(|r| r["name"] == "secret-plaintext")
        .unwrap();
    assert_eq!(secret["properties"]["security-severity"], "8.0");
    assert!(
        secret["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## How to fix")
    );
}

#[test]
fn clean_run_still_has_a_results_array() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cli/clean");
    let sarif = sarif_of(&root);
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    assert!(schema().is_valid(&sarif));
}
