//! `GET /api/v1/openapi.json`: an OpenAPI 3 document that documents every route the app
//! registers under `/api/v1` (and nothing it does not), every contract route, every error
//! in the contract's shape; and wrong methods answered 405 in that shape.

use crate::common;

use common::{spawn, Backend};
use lectern::routes::api::ROUTES;
use serde_json::Value;

/// Every route of API.md sections 3 to 9, as `METHOD /path` under `/api/v1`.
const CONTRACT_ROUTES: &[&str] = &[
    "POST /auth/signup",
    "POST /auth/login",
    "POST /auth/logout",
    "GET /me",
    "PUT /me/password",
    "GET /me/export",
    "DELETE /me",
    "GET /courses",
    "GET /lessons",
    "GET /lessons/{slug}",
    "PUT /lessons/{slug}/progress",
    "GET /me/progress",
    "PUT /lessons/{slug}/bookmark",
    "DELETE /lessons/{slug}/bookmark",
    "POST /lessons/{slug}/quiz/attempts",
    "GET /lessons/{slug}/quiz/attempts",
    "GET /plans",
    "GET /lessons/{slug}/audio/preview",
    "GET /lessons/{slug}/audio",
    "GET /lessons/{slug}/audio/download",
    "GET /lessons/{slug}/pdf",
    "POST /courses/{slug}/certificate",
    "GET /me/certificates",
    "GET /certificates/{id}",
    "GET /certificates/{id}/pdf",
    "GET /tokenizer/encodings",
    "POST /tokenize",
    "GET /admin/lessons",
    "POST /admin/lessons",
    "PUT /admin/lessons/{slug}",
    "GET /admin/lessons/{slug}/revisions",
    "POST /admin/lessons/{slug}/publish",
    "POST /admin/lessons/{slug}/unpublish",
    "DELETE /admin/lessons/{slug}",
    "PUT /admin/lessons/{slug}/audio",
    "POST /admin/preview",
    "PUT /admin/courses/{slug}",
    "GET /admin/users",
    "PUT /admin/users/{id}/plan",
    "POST /billing/webhook",
];

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

async fn document() -> Value {
    let app = spawn(Backend::Sqlite).await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    response.json().await.unwrap()
}

/// Every `(METHOD, /api/v1 path)` the document describes.
fn documented(doc: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                found.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    found
}

fn registered() -> Vec<(String, String)> {
    ROUTES
        .iter()
        .map(|(method, path)| (method.to_string(), format!("/api/v1{path}")))
        .collect()
}

fn operations(doc: &Value) -> impl Iterator<Item = (String, &Value)> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            METHODS.iter().filter_map(move |m| {
                item.get(*m)
                    .map(|op| (format!("{} {path}", m.to_uppercase()), op))
            })
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_openapi_3() {
    let doc = document().await;
    let version = doc["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3."), "OpenAPI 3.x, got {version}");
    assert!(doc["info"]["title"].as_str().is_some());
    assert!(!documented(&doc).is_empty());
}

/// utoipa keeps one schema per name: two types with one name would leave one of them
/// described by the other's schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_kinds_of_status_keep_their_own_schemas() {
    let doc = document().await;
    let schemas = &doc["components"]["schemas"];
    let values = |name: &str| -> Vec<String> {
        schemas[name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is an enum: {}", schemas[name]))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        values("Status"),
        ["not_started", "in_progress", "completed"]
    );
    assert_eq!(values("LessonStatus"), ["draft", "published"]);
}

/// Links (what to ask next with an answer's values) must name an operation of the document
/// and only parameters it takes, or schemathesis's stateful phase refuses to run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_link_names_an_operation_and_its_parameters() {
    let doc = document().await;
    let mut links = 0;
    for (_, operation) in operations(&doc) {
        for response in operation["responses"].as_object().unwrap().values() {
            let Some(named) = response["links"].as_object() else {
                continue;
            };
            for (name, link) in named {
                links += 1;
                let target = link["operationRef"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name} has an operationRef: {link}"));
                let pointer = target
                    .strip_prefix('#')
                    .expect("a reference into this document");
                let operation = doc
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("{name}: {target} is an operation"));
                let takes: Vec<&str> = operation["parameters"]
                    .as_array()
                    .map(|p| p.iter().filter_map(|p| p["name"].as_str()).collect())
                    .unwrap_or_default();
                for parameter in link["parameters"].as_object().unwrap().keys() {
                    assert!(
                        takes.contains(&parameter.as_str()),
                        "{name}: {target} takes {parameter}"
                    );
                }
            }
        }
    }
    assert!(
        links >= 6,
        "the document links its operations ({links} links)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_registered_route_is_documented_and_nothing_else() {
    let doc = document().await;
    let documented = documented(&doc);
    let registered = registered();
    let undocumented: Vec<_> = registered
        .iter()
        .filter(|r| !documented.contains(r))
        .collect();
    assert!(
        undocumented.is_empty(),
        "routes without #[utoipa::path] in ApiDoc: {undocumented:?}"
    );
    let phantom: Vec<_> = documented
        .iter()
        .filter(|d| !registered.contains(d))
        .collect();
    assert!(phantom.is_empty(), "documented but not served: {phantom:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_contract_route_is_served_and_documented() {
    let doc = document().await;
    let documented = documented(&doc);
    let registered = registered();
    for route in CONTRACT_ROUTES {
        let (method, path) = route.split_once(' ').unwrap();
        let key = (method.to_owned(), format!("/api/v1{path}"));
        assert!(registered.contains(&key), "{route} is not served");
        assert!(documented.contains(&key), "{route} is not documented");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_response_has_the_contract_shape() {
    let doc = document().await;
    let error = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], serde_json::json!(["error"]));
    assert_eq!(
        error["properties"]["error"]["required"],
        serde_json::json!(["code", "message"])
    );
    for (operation, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{operation} documents no success"
        );
        assert!(responses.contains_key("500"), "{operation} lacks 500");
        assert!(
            responses["503"]["headers"].get("Retry-After").is_some(),
            "{operation} lacks 503 with Retry-After"
        );
        for (status, response) in responses {
            if !(status.starts_with('4') || status.starts_with('5')) || status == "416" {
                continue;
            }
            assert_eq!(
                response["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{operation} {status} is not the contract's error body"
            );
        }
        if responses.contains_key("429") {
            assert!(responses["429"]["headers"].get("Retry-After").is_some());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_routes_declare_bearer_and_cookie() {
    let doc = document().await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["cookie"]["type"], "apiKey");
    assert_eq!(schemes["cookie"]["in"], "cookie");
    for (operation, op) in operations(&doc) {
        let answers_401 = op["responses"].get("401").is_some();
        let security = op["security"].as_array();
        let declared =
            |name: &str| security.is_some_and(|s| s.iter().any(|r| r.get(name).is_some()));
        if operation.contains(" /api/v1/me") || operation.contains(" /api/v1/admin/") {
            assert!(
                declared("bearer") && declared("cookie"),
                "{operation} declares no bearer and cookie security"
            );
        }
        if declared("bearer") {
            assert!(answers_401, "{operation} is secured but documents no 401");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_a_path_does_not_answer_is_405_with_allow() {
    let app = spawn(Backend::Sqlite).await;
    for (method, path, allow) in [
        ("PATCH", "/api/v1/me", "GET, DELETE"),
        ("GET", "/api/v1/tokenize", "POST"),
        ("DELETE", "/api/v1/lessons/attention/progress", "PUT"),
        ("POST", "/api/v1/openapi.json", "GET"),
    ] {
        let response = app
            .client
            .request(method.parse().unwrap(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "method_not_allowed");
        assert!(body["error"]["message"].as_str().unwrap().contains(method));
    }
    // A path the API does not know stays 404.
    let (status, body) = app.get_json("/api/v1/no/such/route").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
}
