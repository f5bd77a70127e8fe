//! The OpenAPI document: generated from the handlers, snapshot-tested, holding every route the
//! router serves, and valid by an independent validator.

use std::collections::BTreeSet;
use std::sync::Arc;

use jiff::Timestamp;
use leadgate::server::{self, state::AppState};

use crate::support::{Backend, TestWorkspace, in_ci};

fn document() -> serde_json::Value {
    serde_json::to_value(server::openapi()).expect("the document serialises")
}

#[test]
fn the_openapi_document_matches_its_snapshot() {
    let text = serde_json::to_string_pretty(&document()).unwrap();
    insta::assert_snapshot!("openapi", text);
}

#[test]
fn the_document_is_openapi_3_1_with_both_security_schemes() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
}

/// The paths the router serves, read from its debug form (axum lists its route table there).
fn served_paths(router: &axum::Router) -> BTreeSet<String> {
    let debug = format!("{router:?}");
    let mut paths = BTreeSet::new();
    let mut rest = debug.as_str();
    while let Some(at) = rest.find("RouteId(") {
        rest = &rest[at..];
        let Some(quote) = rest.find(": \"") else {
            break;
        };
        let after = &rest[quote + 3..];
        let Some(end) = after.find('"') else { break };
        // Only `RouteId(N): "path"` pairs, not other debug fields.
        if rest[..quote].ends_with(')') {
            paths.insert(after[..end].to_string());
        }
        rest = &after[end..];
    }
    // axum serves its fallback as a catch-all route (and at `/` while nothing else is there):
    // not a route of ours.
    if paths.iter().any(|p| p.contains("__private__axum_fallback")) {
        paths.retain(|p| !p.contains("__private__axum_fallback"));
        paths.remove("/");
    }
    paths
}

#[tokio::test]
async fn every_route_the_router_serves_is_in_the_document() {
    let ws = TestWorkspace::new(Backend::Sqlite).await.unwrap();
    let workspace = ws.init(Timestamp::UNIX_EPOCH).await;
    let state = AppState::new(workspace, Arc::new(|| Timestamp::UNIX_EPOCH), String::new());
    let router = server::router(state);
    let served = served_paths(&router);
    let documented: BTreeSet<String> = document()["paths"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(served.len() >= 15, "the route table was read: {served:?}");
    // The review UI's pages are HTML for people, listed in one place instead.
    let pages: BTreeSet<String> = server::ui::PAGE_PATHS
        .iter()
        .map(|p| p.to_string())
        .collect();
    let missing_pages: Vec<&String> = pages
        .iter()
        .filter(|p| *p != "/" && !served.contains(*p))
        .collect();
    assert!(
        missing_pages.is_empty(),
        "listed pages not served: {missing_pages:?}"
    );
    let served: BTreeSet<String> = served.difference(&pages).cloned().collect();
    let undocumented: Vec<&String> = served.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "served but not documented: {undocumented:?}"
    );
    let unserved: Vec<&String> = documented.difference(&served).collect();
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
}

/// Runs `openapi-spec-validator` (PyPI) on the document. `.ci/run` installs it in a virtual
/// environment and names it in LEADGATE_OPENAPI_VALIDATOR; elsewhere it is looked up on PATH,
/// and when absent the test skips loudly — except under CI, where it fails.
#[test]
fn the_document_passes_an_openapi_validator() {
    let validator = std::env::var("LEADGATE_OPENAPI_VALIDATOR")
        .unwrap_or_else(|_| "openapi-spec-validator".to_string());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openapi.json");
    std::fs::write(&path, serde_json::to_string_pretty(&document()).unwrap()).unwrap();
    let run = std::process::Command::new(&validator).arg(&path).output();
    let output = match run {
        Ok(output) => output,
        Err(e) if !in_ci() => {
            eprintln!(
                "\n!!! SKIPPED: no OpenAPI validator ({validator}: {e}); `pip install openapi-spec-validator` \
                 or set LEADGATE_OPENAPI_VALIDATOR. Under CI=true this is a failure.\n"
            );
            return;
        }
        Err(e) => panic!("the OpenAPI validator {validator} does not run under CI: {e}"),
    };
    assert!(
        output.status.success(),
        "the validator refuses the document:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
