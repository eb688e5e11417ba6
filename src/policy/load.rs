//! Finding policy files and data files, and adding a Rego file to an engine (v1 first, v0 retry).

use super::PolicyError;
use std::path::{Path, PathBuf};

/// A Rego source, from disk or embedded.
#[derive(Clone, Debug)]
pub struct PolicyFile {
    /// Shown in messages; for embedded files `policies/<name>`.
    pub path: PathBuf,
    pub text: String,
    /// `*_test.rego`: loaded only by the `test` runner.
    pub is_test: bool,
}

/// Every `*.rego` under `dirs` (recursively, sorted; `.git` and other hidden dirs skipped),
/// plus every YAML file (for Gatekeeper templates and constraints) as a second list.
pub fn discover(dirs: &[PathBuf]) -> Result<(Vec<PolicyFile>, Vec<PathBuf>), PolicyError> {
    let mut rego = Vec::new();
    let mut yaml = Vec::new();
    for dir in dirs {
        let mut paths = Vec::new();
        collect(dir, &mut paths).map_err(|e| PolicyError {
            file: dir.clone(),
            message: format!("cannot read policy directory: {e}"),
        })?;
        paths.sort();
        for path in paths {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".rego") {
                let text = std::fs::read_to_string(&path).map_err(|e| PolicyError {
                    file: path.clone(),
                    message: format!("cannot read policy: {e}"),
                })?;
                rego.push(PolicyFile {
                    is_test: name.ends_with("_test.rego"),
                    path,
                    text,
                });
            } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                yaml.push(path);
            }
        }
    }
    Ok((rego, yaml))
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let p = entry.path();
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if entry.file_type()?.is_dir() {
            if !hidden {
                collect(&p, out)?;
            }
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// Adds one Rego file: Rego v1 first; when that fails to parse, Rego v0 (conftest's older
/// policies). The error reported is the one of the syntax the file most likely uses.
pub fn add_policy(engine: &mut regorus::Engine, file: &PolicyFile) -> Result<String, PolicyError> {
    let label = file.path.display().to_string();
    let v1 = engine.add_policy(label.clone(), file.text.clone());
    let v1_err = match v1 {
        Ok(package) => return Ok(package),
        Err(e) => e.to_string(),
    };
    // Only errors that v0 syntax explains are worth a retry (it prints parser warnings).
    let v0_candidate = ["keyword", "deprecated", "import", "rego.v1"]
        .iter()
        .any(|k| v1_err.contains(k));
    if !v0_candidate {
        return Err(PolicyError {
            file: file.path.clone(),
            message: v1_err,
        });
    }
    engine.set_rego_v0(true);
    let v0 = engine.add_policy(label, file.text.clone());
    engine.set_rego_v0(false);
    match v0 {
        Ok(package) => Ok(package),
        Err(v0_err) => {
            let looks_v0 = v1_err.contains("`if` keyword is required")
                || v1_err.contains("`contains` keyword is required");
            let message = if looks_v0 { v0_err.to_string() } else { v1_err };
            Err(PolicyError {
                file: file.path.clone(),
                message,
            })
        }
    }
}

/// Reads a `--data` file (JSON, or YAML by extension) or every JSON/YAML file of a directory.
pub fn load_data_file(path: &Path) -> Result<Vec<serde_json::Value>, PolicyError> {
    let err = |message: String| PolicyError {
        file: path.to_path_buf(),
        message,
    };
    let mut files = Vec::new();
    collect(path, &mut files).map_err(|e| err(format!("cannot read data: {e}")))?;
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "json" | "yaml" | "yml") && file != path {
            continue;
        }
        let text = std::fs::read_to_string(&file).map_err(|e| PolicyError {
            file: file.clone(),
            message: format!("cannot read data: {e}"),
        })?;
        let values = if ext == "json" {
            vec![serde_json::from_str(&text).map_err(|e| PolicyError {
                file: file.clone(),
                message: format!("invalid JSON data: {e}"),
            })?]
        } else {
            crate::yaml::documents_as_json(&text).map_err(|e| PolicyError {
                file: file.clone(),
                message: format!("invalid YAML data: {e}"),
            })?
        };
        for v in values {
            match v {
                serde_json::Value::Object(_) => out.push(v),
                serde_json::Value::Null => {}
                _ => {
                    return Err(PolicyError {
                        file: file.clone(),
                        message: "data must be a mapping (it is merged at the root of `data`)"
                            .to_string(),
                    });
                }
            }
        }
    }
    Ok(out)
}
