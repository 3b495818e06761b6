//! `GET /api/v1/openapi.json`: the OpenAPI 3 document of the JSON API, generated from the
//! handlers' `#[utoipa::path]` annotations and their bodies' `ToSchema` types. A test
//! checks it against the route table in `routes::api`, so a route cannot go undocumented.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use serde_json::json;
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Header, Ref, RefOr, Response, Schema};
use utoipa::{Modify, OpenApi};

use super::{
    admin, analytics, auth, billing, certificates, learning, lessons, links, media, plans, search,
    tokenizer, webhooks,
};

/// The schema name of every error body.
const ERROR_BODY: &str = "ErrorBody";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lectern API",
        description = "The JSON API of Lectern (API.md sections 2-9, 12 and 16). Every error answers \
            `{\"error\": {\"code\", \"message\", ...}}`; a known path asked with a method it \
            does not answer is 405 `method_not_allowed` with an `Allow` header.",
    ),
    paths(
        document,
        auth::signup, auth::login, auth::logout, auth::me, auth::change_password,
        auth::export, auth::delete,
        links::password_reset, links::confirm_password_reset, links::sign_in_link,
        links::confirm_sign_in_link, links::request_verification, links::verify_email,
        links::change_email, links::confirm_email,
        lessons::courses, lessons::lessons, lessons::lesson,
        learning::put_progress, learning::my_progress, learning::put_bookmark,
        learning::delete_bookmark, learning::post_attempt, learning::list_attempts,
        plans::list,
        search::search,
        media::preview, media::stream, media::download, media::pdf,
        certificates::claim, certificates::mine, certificates::show, certificates::pdf,
        tokenizer::encodings, tokenizer::tokenize,
        admin::lessons, admin::create, admin::show, admin::update, admin::delete,
        admin::revisions, admin::revision, admin::restore, admin::publish, admin::unpublish,
        admin::upload_audio, admin::upload_figure, admin::preview, admin::put_course, admin::users, admin::set_plan,
        analytics::lesson, analytics::gradebook, analytics::reset,
        billing::webhook,
        webhooks::register, webhooks::list, webhooks::delete, webhooks::deliveries,
        webhooks::ping, webhooks::retry,
    ),
    modifiers(&SecuritySchemes, &ErrorBodies),
    tags(
        (name = "accounts", description = "Sign-up, log-in, the signed-in user (section 3)"),
        (name = "mail", description = "Password reset, sign-in links, email verification and change (section 12)"),
        (name = "lessons", description = "Courses and lessons (section 4)"),
        (name = "learning", description = "Progress, bookmarks, quizzes (section 5)"),
        (name = "plans", description = "Plans, media, certificates (section 6)"),
        (name = "tokenizer", description = "The token counter (section 7)"),
        (name = "admin", description = "Publishing, courses, users (section 8)"),
        (name = "billing", description = "The billing webhook (section 9)"),
        (name = "webhooks", description = "Learning-event webhooks: endpoints, deliveries, pings, retries (section 16)"),
        (name = "meta", description = "This document"),
    ),
)]
pub struct ApiDoc;

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut document =
        serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serializes");
    add_links(&mut document);
    document.to_string()
});

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This OpenAPI 3 document", content_type = "application/json", body = Object)))]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(DOCUMENT.as_str())
}

/// Bearer tokens and the session cookie (API.md section 2).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("The token that sign-up and log-in answer"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "lectern_session",
                "The session cookie that sign-up and log-in set (`__Host-lectern_session` on \
                 https sites); POST, PUT and DELETE with it must come from this site",
            ))),
        );
    }
}

/// What a client (and schemathesis's stateful phase) can ask next with what an answer holds.
/// An operation is `"METHOD /path"`; a parameter's value is an OpenAPI runtime expression.
const LINKS: &[Link] = &[
    Link {
        from: "POST /api/v1/courses/{slug}/certificate",
        statuses: &["200", "201"],
        name: "certificate",
        to: "GET /api/v1/certificates/{id}",
        parameters: &[("id", "$response.body#/id")],
    },
    Link {
        from: "POST /api/v1/courses/{slug}/certificate",
        statuses: &["200", "201"],
        name: "certificate_pdf",
        to: "GET /api/v1/certificates/{id}/pdf",
        parameters: &[("id", "$response.body#/id")],
    },
    Link {
        from: "POST /api/v1/admin/lessons",
        statuses: &["201"],
        name: "lesson",
        to: "GET /api/v1/admin/lessons/{slug}",
        parameters: &[("slug", "$response.body#/slug")],
    },
    Link {
        from: "POST /api/v1/admin/lessons",
        statuses: &["201"],
        name: "publish",
        to: "POST /api/v1/admin/lessons/{slug}/publish",
        parameters: &[("slug", "$response.body#/slug")],
    },
    Link {
        from: "PUT /api/v1/admin/lessons/{slug}",
        statuses: &["200"],
        name: "revision",
        to: "GET /api/v1/admin/lessons/{slug}/revisions/{revision}",
        parameters: &[
            ("slug", "$response.body#/slug"),
            ("revision", "$response.body#/revision"),
        ],
    },
    Link {
        from: "POST /api/v1/auth/signup",
        statuses: &["201"],
        name: "set_plan",
        to: "PUT /api/v1/admin/users/{id}/plan",
        parameters: &[("id", "$response.body#/user/id")],
    },
];

struct Link {
    from: &'static str,
    statuses: &'static [&'static str],
    name: &'static str,
    to: &'static str,
    parameters: &'static [(&'static str, &'static str)],
}

/// `"METHOD /path"` as a JSON pointer into the document (`#/paths/~1api~1…/method`).
fn operation_ref(operation: &str) -> String {
    let (method, path) = operation.split_once(' ').expect("METHOD /path");
    format!(
        "#/paths/{}/{}",
        path.replace('~', "~0").replace('/', "~1"),
        method.to_lowercase()
    )
}

/// Adds `LINKS` to the answers they start from, in the JSON document: utoipa 5.5 writes a
/// link's fields in snake case (`operation_ref`), which no OpenAPI reader knows.
fn add_links(document: &mut serde_json::Value) {
    for link in LINKS {
        let (method, path) = link.from.split_once(' ').expect("METHOD /path");
        let responses = &mut document["paths"][path][method.to_lowercase()]["responses"];
        for status in link.statuses {
            let Some(response) = responses.get_mut(*status) else {
                continue;
            };
            let parameters: serde_json::Map<_, _> = link
                .parameters
                .iter()
                .map(|(name, value)| ((*name).to_owned(), serde_json::json!(value)))
                .collect();
            response["links"][link.name] = serde_json::json!({
                "operationRef": operation_ref(link.to),
                "parameters": parameters,
            });
        }
    }
}

/// The contract's error body, given to every 4xx and 5xx answer, with `Retry-After` on 429
/// and 503; every operation may answer 500 `internal` and 503 `unavailable`.
struct ErrorBodies;

impl Modify for ErrorBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .schemas
            .insert(ERROR_BODY.to_owned(), error_body_schema());
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                responses.entry("500".to_owned()).or_insert_with(|| {
                    RefOr::T(Response::new(
                        "`internal`: a fault on our side, never detailed",
                    ))
                });
                responses.entry("503".to_owned()).or_insert_with(|| {
                    RefOr::T(Response::new(
                        "`unavailable`: the database does not answer in time or the disk is \
                         full; try again after `Retry-After` seconds",
                    ))
                });
                for (status, response) in responses.iter_mut() {
                    let RefOr::T(response) = response else {
                        continue;
                    };
                    if !is_error_body_status(status) {
                        continue;
                    }
                    response.content.insert(
                        "application/json".to_owned(),
                        Content::new(Some(Ref::from_schema_name(ERROR_BODY))),
                    );
                    if status == "429" || status == "503" {
                        response.headers.insert(
                            "Retry-After".to_owned(),
                            Header::new(Object::with_type(Type::Integer)),
                        );
                    }
                }
            }
        }
    }
}

/// 4xx and 5xx answers carry the error body, except 416 (`Content-Range` only, API.md
/// section 6).
fn is_error_body_status(status: &str) -> bool {
    (status.starts_with('4') || status.starts_with('5')) && status != "416"
}

/// `{"error": {"code", "message", ...extra keys}}` (API.md section 2).
fn error_body_schema() -> RefOr<Schema> {
    serde_json::from_value(json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {
                        "type": "string",
                        "description": "invalid_input, unauthenticated, invalid_credentials, forbidden, \
                            plan_required, csrf_failed, not_found, method_not_allowed, email_taken, \
                            slug_taken, course_incomplete, payload_too_large, \
                            unsupported_media_type, rate_limited, internal, unavailable",
                        "pattern": "^[a-z_]+$",
                    },
                    "message": { "type": "string" },
                    "fields": {
                        "type": "object",
                        "description": "invalid_input: the fields to blame, with what is wrong",
                        "additionalProperties": { "type": "string" },
                    },
                    "required_plan": {
                        "type": "string",
                        "enum": ["free", "plus", "pro"],
                        "description": "plan_required: the plan needed",
                    },
                    "missing": {
                        "type": "array",
                        "items": { "type": "string" },
                        "description": "course_incomplete: the lessons still to finish",
                    },
                },
            },
        },
    }))
    .expect("the error body schema is valid")
}
