//! The committed API documents are the ones the code generates: docs/api/openapi.json (REST)
//! and docs/api/schema.graphql (GraphQL). A change to a route or a type must update them
//! (`make api-docs`), so clients reading the committed files never meet a different API.

use std::path::PathBuf;

fn check(file: &str, generated: String) -> Result<(), String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/api").join(file);
    if std::env::var_os("UPDATE_API_DOCS").is_some() {
        std::fs::write(&path, &generated).map_err(|e| format!("writing {}: {e}", path.display()))?;
        return Ok(());
    }
    let committed = std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    if committed != generated {
        return Err(format!(
            "{} differs from what the code generates: run `make api-docs` and commit it",
            path.display()
        ));
    }
    Ok(())
}

#[test]
fn openapi_document_is_current() -> Result<(), String> {
    check("openapi.json", pools_api::rest::openapi_json())
}

#[test]
fn graphql_schema_is_current() -> Result<(), String> {
    check("schema.graphql", pools_api::graphql::sdl())
}

#[test]
fn rest_and_graphql_offer_the_same_operations() -> Result<(), String> {
    let openapi: serde_json::Value =
        serde_json::from_str(&pools_api::rest::openapi_json()).map_err(|e| e.to_string())?;
    let sdl = pools_api::graphql::sdl();
    let mut missing = Vec::new();
    for item in openapi["paths"].as_object().into_iter().flat_map(|p| p.values()) {
        let id = item["post"]["operationId"].as_str().unwrap_or_default();
        // Every REST operation has its GraphQL field of the same name.
        if !sdl.contains(&format!("\t{id}(")) && !sdl.contains(&format!("\t{id}:")) {
            missing.push(id.to_owned());
        }
    }
    if missing.is_empty() { Ok(()) } else { Err(format!("REST operations without a GraphQL field: {missing:?}")) }
}
