//! `/admin`: the lesson table, the editor with live preview, revisions, users and plans.
//! Every form works without JavaScript (POST with `csrf_token`); `admin.js` only adds the
//! live preview.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use tera::Context;

use crate::admin;
use crate::auth::Viewer;
use crate::db::admin as db_admin;
use crate::error::AppError;
use crate::routes::api::admin::{list, USER_SEARCH_LIMIT};
use crate::routes::error::{self, PageError};
use crate::routes::session::Admin;
use crate::routes::state::AppState;

/// What a new lesson starts from.
const NEW_LESSON: &str = r#"+++
title = "A new lesson"
slug = "a-new-lesson"
summary = "One sentence for the catalog."
course = "ai-foundations"
position = 99
access = "free"
updated = 2026-01-01
objectives = []
takeaways = []
+++
Write the lesson here, in Markdown.

<!-- more -->
Everything after the marker is for readers on the lesson's plan.
"#;

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf_token: String,
}

#[derive(Deserialize)]
pub struct EditorForm {
    csrf_token: String,
    source: String,
    /// `save` or `preview`.
    action: Option<String>,
}

#[derive(Deserialize)]
pub struct CourseForm {
    csrf_token: String,
    slug: String,
    title: String,
    summary: String,
}

#[derive(Deserialize)]
pub struct RevisionQuery {
    revision: Option<i64>,
}

#[derive(Deserialize)]
pub struct UserQuery {
    q: Option<String>,
}

#[derive(Deserialize)]
pub struct PlanForm {
    csrf_token: String,
    plan: String,
    q: Option<String>,
}

pub(super) fn context(state: &AppState, admin: &Admin) -> Context {
    let mut context = Context::new();
    context.insert(
        "viewer",
        &super::viewer_json(state, &Viewer(Some(admin.0.clone()))),
    );
    context.insert("csrf_token", &state.keys.csrf_token(&admin.0.id));
    context
}

pub(super) fn page(
    state: &AppState,
    name: &str,
    context: Context,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let html = state.templates.render(name, context)?;
    Ok(HttpResponse::build(status)
        .content_type(crate::routes::page_cache::HTML)
        .body(html))
}

pub(super) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// `GET /admin`
pub async fn index(state: web::Data<AppState>, admin: Admin) -> Result<HttpResponse, PageError> {
    index_page(&state, &admin, None).await
}

async fn index_page(
    state: &AppState,
    admin: &Admin,
    error: Option<(AppError, &CourseForm)>,
) -> Result<HttpResponse, PageError> {
    let mut context = context(state, admin);
    let catalog = state.catalog().await?;
    context.insert("lessons", &list(state, &catalog).await?);
    let courses: Vec<_> = crate::db::lessons::courses(&state.db)
        .await?
        .into_iter()
        .map(|c| json!({"slug": c.slug, "title": c.title, "summary": c.summary}))
        .collect();
    context.insert("courses", &courses);
    let (status, message, fields, values) = match &error {
        Some((AppError::InvalidInput { message, fields }, form)) => (
            StatusCode::BAD_REQUEST,
            Some(message.clone()),
            fields.clone(),
            json!({"slug": form.slug, "title": form.title, "summary": form.summary}),
        ),
        _ => (StatusCode::OK, None, BTreeMap::new(), json!({})),
    };
    context.insert("message", &message);
    context.insert("errors", &fields);
    context.insert("values", &values);
    page(state, "admin/index.html", context, status)
}

/// `POST /admin/courses`: create or change a course.
pub async fn put_course(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<CourseForm>,
) -> Result<HttpResponse, PageError> {
    admin.0.check_form_token(&state.keys, &form.csrf_token)?;
    match state
        .desk()
        .put_course(form.slug.trim(), &form.title, &form.summary)
        .await
    {
        Ok(()) => Ok(see_other("/admin#courses")),
        Err(error @ AppError::InvalidInput { .. }) => {
            index_page(&state, &admin, Some((error, &form))).await
        }
        Err(other) => Err(other.into()),
    }
}

/// What the editor shows besides the source.
struct Editor<'a> {
    slug: Option<&'a str>,
    source: &'a str,
    preview: Option<admin::Preview>,
    error: Option<AppError>,
    viewing_revision: Option<i64>,
}

async fn editor(
    state: &AppState,
    admin: &Admin,
    editor: Editor<'_>,
) -> Result<HttpResponse, PageError> {
    let mut context = context(state, admin);
    let (status, message, fields) = match &editor.error {
        Some(AppError::InvalidInput { message, fields }) => (
            StatusCode::BAD_REQUEST,
            Some(message.clone()),
            fields.clone(),
        ),
        Some(other) => (
            error::status(other),
            Some(other.to_string()),
            BTreeMap::new(),
        ),
        None => (StatusCode::OK, None, BTreeMap::new()),
    };
    context.insert("message", &message);
    context.insert("errors", &fields);
    context.insert("source", editor.source);
    context.insert("preview", &editor.preview);
    context.insert("viewing_revision", &editor.viewing_revision);
    match editor.slug {
        Some(slug) => {
            let row = db_admin::lesson_row(&state.db, slug)
                .await?
                .ok_or(AppError::NotFound)?;
            context.insert(
                "lesson",
                &json!({
                    "slug": row.slug,
                    "status": row.status,
                    "revision": row.revision,
                    "source_path": row.source_path,
                    "updated_at": row.updated_at,
                }),
            );
            context.insert("revisions", &db_admin::revisions(&state.db, slug).await?);
            let figures: Vec<_> = crate::figure_store::lesson_figures(&state.db, slug)
                .await?
                .into_iter()
                .map(|(path, f)| {
                    json!({"path": path, "url": f.url(), "width": f.width, "height": f.height})
                })
                .collect();
            context.insert("figures", &figures);
            context.insert("action", &format!("/admin/lessons/{slug}"));
        }
        None => {
            context.insert("lesson", &serde_json::Value::Null);
            context.insert("revisions", &Vec::<()>::new());
            context.insert("action", "/admin/lessons/new");
        }
    }
    page(state, "admin/editor.html", context, status)
}

/// `GET /admin/lessons/new`
pub async fn new_lesson(
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<HttpResponse, PageError> {
    editor(
        &state,
        &admin,
        Editor {
            slug: None,
            source: NEW_LESSON,
            preview: None,
            error: None,
            viewing_revision: None,
        },
    )
    .await
}

/// `POST /admin/lessons/new`: preview or create.
pub async fn create(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<EditorForm>,
) -> Result<HttpResponse, PageError> {
    admin.0.check_form_token(&state.keys, &form.csrf_token)?;
    let source = form.source.replace("\r\n", "\n");
    let result = if form.action.as_deref() == Some("preview") {
        admin::preview(&state.db, &source, None).await.map(Some)
    } else {
        match state
            .desk()
            .create_lesson(&admin.0.user.email, &source)
            .await
        {
            Ok(saved) => return Ok(see_other(&format!("/admin/lessons/{}", saved.slug))),
            Err(error) => Err(error),
        }
    };
    let (preview, error) = split(result)?;
    editor(
        &state,
        &admin,
        Editor {
            slug: None,
            source: &source,
            preview,
            error,
            viewing_revision: None,
        },
    )
    .await
}

/// Errors the editor shows beside the source; anything else is the page's error.
fn split(
    result: Result<Option<admin::Preview>, AppError>,
) -> Result<(Option<admin::Preview>, Option<AppError>), AppError> {
    match result {
        Ok(preview) => Ok((preview, None)),
        Err(error @ (AppError::InvalidInput { .. } | AppError::Conflict { .. })) => {
            Ok((None, Some(error)))
        }
        Err(other) => Err(other),
    }
}

/// `GET /admin/lessons/{slug}` (`?revision=N` shows an older revision).
pub async fn edit(
    state: web::Data<AppState>,
    admin: Admin,
    slug: web::Path<String>,
    query: web::Query<RevisionQuery>,
) -> Result<HttpResponse, PageError> {
    let row = db_admin::lesson_row(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let number = query.revision.unwrap_or(row.revision);
    let revision = db_admin::revision(&state.db, &slug, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let preview = admin::preview(&state.db, &revision.source, Some(&slug))
        .await
        .ok();
    editor(
        &state,
        &admin,
        Editor {
            slug: Some(&slug),
            source: &revision.source,
            preview,
            error: None,
            viewing_revision: (number != row.revision).then_some(number),
        },
    )
    .await
}

/// `POST /admin/lessons/{slug}`: preview or save a new revision.
pub async fn update(
    state: web::Data<AppState>,
    admin: Admin,
    slug: web::Path<String>,
    form: web::Form<EditorForm>,
) -> Result<HttpResponse, PageError> {
    admin.0.check_form_token(&state.keys, &form.csrf_token)?;
    let source = form.source.replace("\r\n", "\n");
    let result = if form.action.as_deref() == Some("preview") {
        admin::preview(&state.db, &source, Some(&slug))
            .await
            .map(Some)
    } else {
        match state
            .desk()
            .update_lesson(&admin.0.user.email, &slug, &source)
            .await
        {
            Ok(saved) => return Ok(see_other(&format!("/admin/lessons/{}", saved.slug))),
            Err(error) => Err(error),
        }
    };
    let (preview, error) = split(result)?;
    editor(
        &state,
        &admin,
        Editor {
            slug: Some(&slug),
            source: &source,
            preview,
            error,
            viewing_revision: None,
        },
    )
    .await
}

/// `POST /admin/lessons/{slug}/publish`
pub async fn publish(
    state: web::Data<AppState>,
    admin: Admin,
    slug: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    admin.0.check_form_token(&state.keys, &form.csrf_token)?;
    state.desk().set_published(&slug, true).await?;
    Ok(see_other(&format!("/admin/lessons/{slug}")))
}

/// `POST /admin/lessons/{slug}/unpublish`
pub async fn unpublish(
    state: web::Data<AppState>,
    admin: Admin,
    slug: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    admin.0.check_form_token(&state.keys, &form.csrf_token)?;
    state.desk().set_published(&slug, false).await?;
    Ok(see_other(&format!("/admin/lessons/{slug}")))
}

/// `POST /admin/lessons/{slug}/delete`
pub async fn delete(
    state: web::Data<AppState>,
    admin: Admin,
    slug: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    admin.0.check_form_token(&state.keys, &form.csrf_token)?;
    state.desk().delete_lesson(&slug).await?;
    Ok(see_other("/admin"))
}

/// `POST /admin/lessons/{slug}/revisions/{n}/restore`
pub async fn restore(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, i64)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    admin.0.check_form_token(&state.keys, &form.csrf_token)?;
    let (slug, number) = path.into_inner();
    state
        .desk()
        .restore_revision(&admin.0.user.email, &slug, number)
        .await?;
    Ok(see_other(&format!("/admin/lessons/{slug}")))
}

/// `GET /admin/users?q=`
pub async fn users(
    state: web::Data<AppState>,
    admin: Admin,
    query: web::Query<UserQuery>,
) -> Result<HttpResponse, PageError> {
    let q = query.q.as_deref().unwrap_or("").trim();
    let users = db_admin::search_users(&state.db, q, USER_SEARCH_LIMIT).await?;
    let mut context = context(&state, &admin);
    context.insert("q", q);
    context.insert("users", &users);
    context.insert(
        "plans",
        &crate::plans::Plan::ALL.map(|p| json!({"id": p.id(), "name": p.name()})),
    );
    page(&state, "admin/users.html", context, StatusCode::OK)
}

/// `POST /admin/users/{id}/plan`
pub async fn set_plan(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<String>,
    form: web::Form<PlanForm>,
) -> Result<HttpResponse, PageError> {
    admin.0.check_form_token(&state.keys, &form.csrf_token)?;
    admin::set_plan(&state.db, &admin.0.user.email, &id, &form.plan).await?;
    let q = form.q.as_deref().unwrap_or("");
    Ok(see_other(&format!("/admin/users?q={}", url_component(q))))
}

fn url_component(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
