//! Orphan snapshots fail: every `tests/snapshots/<suite>__<name>.snap` must be named by its suite.

use std::path::Path;

#[test]
fn every_snapshot_is_referenced_by_its_test_file() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(tests.join("snapshots")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".snap") else {
            orphans.push(format!("{name} (not a .snap file: a pending snapshot?)"));
            continue;
        };
        let (suite, snapshot) = stem
            .split_once("__")
            .expect("insta names snapshots <suite>__<name>");
        let source = std::fs::read_to_string(tests.join(format!("{suite}.rs"))).unwrap_or_default();
        if !source.contains(&format!("\"{snapshot}\"")) {
            orphans.push(name);
        }
    }
    assert!(orphans.is_empty(), "orphan snapshots: {orphans:?}");
}
