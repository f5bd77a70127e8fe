//! The OpenAPI document: generated from the handlers, snapshot-tested, holding every route the
//! router serves, and valid by an independent validator.

use std::collections::BTreeSet;

use jiff::Timestamp;
use leadgate::server;

use crate::support::{Backend, TestServer};

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

/// A path with each `{placeholder}` filled in.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push('1');
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// Every documented operation and every page is served: a request reaches its route (an
/// answer of its own, the credentials check or "method not allowed") rather than the
/// router's "no such route". The pages' paths come from the routes the UI declares
/// (`ui::page_paths`), and the API's from its handlers, so neither list is kept by hand.
#[tokio::test]
async fn every_route_the_router_serves_is_in_the_document() {
    let Some(server) = TestServer::start(Backend::Sqlite, Timestamp::UNIX_EPOCH, false).await
    else {
        return;
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let doc = document();
    let mut operations: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.push((method.to_uppercase(), path.clone()));
        }
    }
    let pages = server::ui::page_paths();
    assert!(
        operations.len() >= 15 && pages.len() >= 10,
        "{operations:?} {pages:?}"
    );
    for page in &pages {
        assert!(
            doc["paths"].get(*page).is_none(),
            "{page} is a page and in the API document"
        );
        operations.push(("GET".into(), page.to_string()));
    }
    // Something not routed, to prove the check can fail.
    operations.push(("GET".into(), "/api/nothing-here".into()));
    let mut unserved = Vec::new();
    for (method, path) in &operations {
        let response = client
            .request(method.parse().unwrap(), server.at(&concrete(path)))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        if status == 404 && body.contains("no such route") {
            unserved.push(format!("{method} {path}"));
        }
    }
    assert_eq!(unserved, ["GET /api/nothing-here"]);
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
        Err(e) => {
            crate::skip::skip(
                &format!("no OpenAPI validator ({validator}: {e})"),
                "`pip install openapi-spec-validator` or set LEADGATE_OPENAPI_VALIDATOR",
            );
            return;
        }
    };
    assert!(
        output.status.success(),
        "the validator refuses the document:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Whether `value` is what `schema` (a subset of JSON Schema as the document uses it for
/// error bodies: `$ref`, `type` or a list of types, `properties`, `required`) allows; the
/// first disagreement, as a path, when not.
fn conforms(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    value: &serde_json::Value,
    at: &str,
) -> Result<(), String> {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return conforms(doc, &doc["components"]["schemas"][name], value, at);
    }
    let type_of = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    };
    let allowed: Vec<&str> = match &schema["type"] {
        serde_json::Value::String(t) => vec![t.as_str()],
        serde_json::Value::Array(ts) => ts.iter().filter_map(|t| t.as_str()).collect(),
        _ => Vec::new(),
    };
    let actual = type_of(value);
    let allows = allowed.is_empty()
        || allowed.contains(&actual)
        || (actual == "integer" && allowed.contains(&"number"));
    if !allows {
        return Err(format!(
            "{at}: {actual} where the schema allows {allowed:?}"
        ));
    }
    for name in schema["required"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap_or_default();
        if value.get(name).is_none() {
            return Err(format!("{at}.{name}: required, missing"));
        }
    }
    if let (Some(properties), Some(object)) = (schema["properties"].as_object(), value.as_object())
    {
        for (name, property) in properties {
            if let Some(v) = object.get(name) {
                conforms(doc, property, v, &format!("{at}.{name}"))?;
            }
        }
    }
    Ok(())
}

/// Every operation, asked the ways a client gets it wrong — without credentials, about an
/// id that does not exist, with an empty body — answers with a status its document lists,
/// and every error body matches the schema the document gives for that status. The
/// generic asks must reach each operation's documented 401, 404 and 422.
#[tokio::test]
async fn every_documented_error_response_matches_its_schema() {
    let Some(server) =
        crate::support::TestServer::start(Backend::Sqlite, Timestamp::UNIX_EPOCH, true).await
    else {
        return;
    };
    let doc = document();
    let admin = server.token("ada").await;
    let mut problems = Vec::new();
    let mut reached = BTreeSet::new();
    let mut expected = BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let documents = |status: u16| responses.contains_key(&status.to_string());
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty());
            let has_id = path.contains('{');
            let has_body = operation.get("requestBody").is_some();
            let concrete = path
                .split('/')
                .map(|part| {
                    if part.starts_with('{') {
                        "999999"
                    } else {
                        part
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let mut asks: Vec<(&str, Option<&str>, Option<serde_json::Value>)> = Vec::new();
            if secured && documents(401) {
                expected.insert((path.clone(), method.clone(), 401));
                asks.push((
                    "no credentials",
                    None,
                    has_body.then(|| serde_json::json!({})),
                ));
            }
            if has_id && documents(404) {
                // With a body, a body that does not read may answer first.
                if !has_body {
                    expected.insert((path.clone(), method.clone(), 404));
                }
                asks.push((
                    "an unknown id",
                    Some(&admin),
                    has_body.then(|| serde_json::json!({})),
                ));
            }
            if has_body && documents(422) {
                // On a path with an id, the unknown id answers first.
                if !has_id {
                    expected.insert((path.clone(), method.clone(), 422));
                }
                asks.push(("an empty body", Some(&admin), Some(serde_json::json!({}))));
            }
            for (ask, token, body) in asks {
                let mut request = server
                    .client
                    .request(method.to_uppercase().parse().unwrap(), server.at(&concrete));
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                if let Some(body) = body {
                    request = request.json(&body);
                }
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                let what = format!("{} {path} with {ask}", method.to_uppercase());
                let Some(documented) = responses.get(&status.to_string()) else {
                    problems.push(format!(
                        "{what}: {status}, which the document does not list"
                    ));
                    continue;
                };
                reached.insert((path.clone(), method.clone(), status));
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                let schema = &documented["content"]["application/json"]["schema"];
                if let Err(e) = conforms(&doc, schema, &body, "body") {
                    problems.push(format!("{what}: {status}: {e}: {body}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let missed: Vec<_> = expected.difference(&reached).collect();
    assert!(
        missed.is_empty(),
        "documented errors never answered: {missed:?}"
    );
    assert!(
        expected.len() >= 20,
        "the document was walked: {expected:?}"
    );
}

/// A value set is spelled by its enum alone: the document's enums and the command line's
/// possible values are `ALL` of the enum, in order.
#[test]
fn each_value_set_is_the_same_in_the_document_and_on_the_command_line() {
    use leadgate_core::discovery::prospect::{ListStatus, Standing};
    let doc = document();
    let enum_of = |schema: &serde_json::Value| -> Vec<String> {
        schema["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("not an enum: {schema}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let spelled = |all: Vec<&str>| all.into_iter().map(str::to_string).collect::<Vec<_>>();
    let standings = spelled(Standing::ALL.iter().map(|s| s.as_str()).collect());
    let list_statuses = spelled(ListStatus::ALL.iter().map(|s| s.as_str()).collect());
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        enum_of(&schemas["ListView"]["properties"]["status"]),
        list_statuses
    );
    assert_eq!(
        enum_of(&schemas["ProspectView"]["properties"]["status"]),
        standings
    );
    // Every other closed set the document names, against its enum's `ALL`.
    fn all<T: Copy + std::fmt::Display>(values: &[T]) -> Vec<String> {
        values.iter().map(ToString::to_string).collect()
    }
    use leadgate_core::gate::{GateKind, GateStatus, Verdict};
    use leadgate_core::icp::IcpStatus;
    use leadgate_core::role::Role;
    for (schema, property, values) in [
        ("DecisionView", "role", all(Role::ALL)),
        ("DecisionView", "verdict", all(Verdict::ALL)),
        ("GateView", "kind", all(GateKind::ALL)),
        ("GateView", "status", all(GateStatus::ALL)),
        ("IcpVersionView", "status", all(IcpStatus::ALL)),
    ] {
        assert_eq!(
            enum_of(&schemas[schema]["properties"][property]),
            values,
            "{schema}.{property}"
        );
    }
    assert_eq!(
        enum_of(&schemas["PersonView"]["properties"]["roles"]["items"]),
        all(Role::ALL)
    );
    let filter = doc["paths"]["/api/lists/{id}/prospects"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "status")
        .expect("the prospects filter")
        .clone();
    assert_eq!(enum_of(&filter["schema"]), standings);
    let formats = all(leadgate_core::discovery::export::ExportFormat::ALL);
    let format = doc["paths"]["/api/lists/{id}/export"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "format")
        .expect("the export's format")
        .clone();
    assert_eq!(enum_of(&format["schema"]), formats);
    let export_help = std::process::Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .args(["discover", "export", "--help"])
        .output()
        .expect("the binary runs");
    let export_help = String::from_utf8_lossy(&export_help.stdout);
    assert!(
        export_help.contains(&format!("[possible values: {}]", formats.join(", "))),
        "{export_help}"
    );

    let help = std::process::Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .args(["discover", "show", "--help"])
        .output()
        .expect("the binary runs");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains(&format!("[possible values: {}]", standings.join(", "))),
        "{help}"
    );
}
