//! The invariant catalogue in this crate's README is what auditors read: it must list exactly the
//! invariant functions of `src/invariants/` (those whose doc starts with a SPEC §4 number or names
//! a forge twin), each with the first paragraph of its doc comment.

use std::{collections::BTreeMap, fs, path::Path};

/// `module::function` → first doc-comment paragraph, for every invariant function in `src/invariants/`.
fn invariants_in_code() -> eyre::Result<BTreeMap<String, String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/invariants");
    let mut found = BTreeMap::new();
    for entry in fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "rs") || path.file_name().is_some_and(|n| n == "mod.rs") {
            continue;
        }
        let module = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        let text = fs::read_to_string(&path)?;
        let mut doc: Vec<&str> = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if let Some(d) = line.strip_prefix("///") {
                doc.push(d.trim());
                continue;
            }
            if let Some(rest) = line.strip_prefix("pub fn ") {
                let name = format!("{module}::{}", rest.split(['(', '<']).next().unwrap_or_default());
                let first = doc.iter().take_while(|l| !l.is_empty()).copied().collect::<Vec<_>>().join(" ");
                eyre::ensure!(!first.is_empty(), "{}: `{name}` has no doc comment", path.display());
                // An invariant names its SPEC §4 number first, or its forge twin; other public
                // functions of these modules (runners of all checks) are plumbing.
                if first.starts_with('(') || doc.iter().any(|l| l.contains("Forge")) {
                    found.insert(name, first);
                }
            }
            if !line.starts_with("#[") {
                doc.clear();
            }
        }
    }
    Ok(found)
}

#[test]
fn readme_lists_every_invariant_function_and_nothing_else() -> eyre::Result<()> {
    let code = invariants_in_code()?;
    assert!(code.len() >= 16, "SPEC §4 has 16 numbered invariants; found {} functions", code.len());
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))?;
    let catalogue: Vec<&str> = readme.lines().filter(|l| l.starts_with("| ") && l.contains("`")).collect();
    for (name, doc) in &code {
        let row = catalogue.iter().find(|l| l.contains(&format!("`{name}`")));
        let Some(row) = row else { panic!("README catalogue lacks `{name}`: {doc}") };
        assert!(row.contains(doc.as_str()), "README row of `{name}` does not carry its doc line {doc:?}:\n{row}");
    }
    for row in &catalogue {
        if let Some(name) = row.split('`').nth(1)
            && row.contains("| (")
        {
            assert!(code.contains_key(name), "README lists `{name}`, which is not an invariant function: {row}");
        }
    }
    Ok(())
}
