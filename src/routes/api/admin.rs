//! `/api/v1/admin/*` (API.md section 8): lessons, courses and plans, for admins only.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt as _;
use serde::Deserialize;
use serde_json::json;

use crate::admin::{self, MAX_SOURCE_BYTES};
use crate::auth::Admin;
use crate::catalog::Snapshot;
use crate::db::admin as db_admin;
use crate::error::{ApiError, AppError};
use crate::lesson_view::LessonSummary;
use crate::state::AppState;

/// Read a body of `content_type` of at most `max` bytes: 415 for another type, 413 when
/// larger.
async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    content_type: &str,
    max: usize,
) -> Result<Vec<u8>, AppError> {
    let sent = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = sent.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(content_type) {
        return Err(AppError::UnsupportedMediaType);
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(AppError::PayloadTooLarge);
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::invalid(format!("Invalid request body: {e}")))?;
        if body.len() + chunk.len() > max {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.to_vec())
}

/// Read a `text/markdown` body of at most [`MAX_SOURCE_BYTES`]: 415 for another type,
/// 413 when larger, 400 when it is not UTF-8.
pub async fn markdown_body(req: &HttpRequest, payload: web::Payload) -> Result<String, AppError> {
    let body = read_body(req, payload, "text/markdown", MAX_SOURCE_BYTES).await?;
    String::from_utf8(body)
        .map_err(|_| AppError::invalid_field("source", "The lesson source must be UTF-8 text."))
}

/// `PUT /api/v1/admin/lessons/{slug}/audio`: an `audio/mpeg` body of at most 64 MiB.
pub async fn upload_audio(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let mp3 = read_body(&req, payload, "audio/mpeg", admin::MAX_AUDIO_BYTES).await?;
    let (duration, preview) = admin::upload_audio(&state, &slug, mp3).await?;
    Ok(HttpResponse::Ok().json(json!({
        "duration_seconds": duration,
        "preview_seconds": preview,
    })))
}

fn course_json(catalog: &Snapshot, slug: &str) -> Result<serde_json::Value, AppError> {
    let course = catalog.course(slug).ok_or(AppError::NotFound)?;
    Ok(json!({
        "slug": course.slug,
        "title": course.title,
        "summary": course.summary,
        "lessons": course.lessons.iter().map(|l| LessonSummary::of(l)).collect::<Vec<_>>(),
    }))
}

/// Every lesson, drafts included: `lesson_summary` + `{status, revision}` and where it came from.
pub async fn list(state: &AppState) -> Result<Vec<serde_json::Value>, AppError> {
    let catalog = state.catalog().await?;
    let rows = db_admin::lesson_rows(&state.db).await?;
    let mut lessons = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(lesson) = catalog.lesson(&row.slug) else {
            continue;
        };
        let mut value =
            serde_json::to_value(LessonSummary::of(lesson)).map_err(AppError::internal)?;
        value["status"] = json!(row.status);
        value["revision"] = json!(row.revision);
        value["source_path"] = json!(row.source_path);
        value["changed_at"] = json!(row.updated_at);
        value["course_title"] = json!(catalog
            .course(&lesson.rendered.course)
            .map(|c| c.title.as_str()));
        lessons.push(value);
    }
    Ok(lessons)
}

pub async fn lessons(state: web::Data<AppState>, _admin: Admin) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(json!({ "lessons": list(&state).await? })))
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let text = markdown_body(&req, payload).await?;
    let saved = admin::create_lesson(&state, &admin.0.user.email, &text).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/admin/lessons/{}", saved.slug),
        ))
        .json(saved))
}

/// `GET /api/v1/admin/lessons/{slug}`: the current source and state (an addition to the contract).
pub async fn show(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = db_admin::lesson_row(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = db_admin::revision(&state.db, &slug, row.revision)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(json!({
        "slug": row.slug,
        "status": row.status,
        "revision": row.revision,
        "source_path": row.source_path,
        "source": current.source,
        "updated_at": row.updated_at,
    })))
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let text = markdown_body(&req, payload).await?;
    let saved = admin::update_lesson(&state, &admin.0.user.email, &slug, &text).await?;
    Ok(HttpResponse::Ok().json(saved))
}

pub async fn revisions(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let revisions = db_admin::revisions(&state.db, &slug).await?;
    if revisions.is_empty() {
        return Err(AppError::NotFound.into());
    }
    Ok(HttpResponse::Ok().json(json!({ "revisions": revisions })))
}

/// `GET /api/v1/admin/lessons/{slug}/revisions/{n}`: one revision with its source.
pub async fn revision(
    state: web::Data<AppState>,
    _admin: Admin,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, number) = path.into_inner();
    let revision = db_admin::revision(&state.db, &slug, number)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(revision))
}

/// `POST /api/v1/admin/lessons/{slug}/revisions/{n}/restore`: the old text as a new revision.
pub async fn restore(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, number) = path.into_inner();
    let saved = admin::restore_revision(&state, &admin.0.user.email, &slug, number).await?;
    Ok(HttpResponse::Ok().json(saved))
}

pub async fn publish(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let status = admin::set_published(&state, &slug, true).await?;
    Ok(HttpResponse::Ok().json(json!({ "slug": slug.as_str(), "status": status })))
}

pub async fn unpublish(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let status = admin::set_published(&state, &slug, false).await?;
    Ok(HttpResponse::Ok().json(json!({ "slug": slug.as_str(), "status": status })))
}

pub async fn delete(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    admin::delete_lesson(&state, &slug).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
pub struct PreviewQuery {
    slug: Option<String>,
}

pub async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Admin,
    query: web::Query<PreviewQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let text = markdown_body(&req, payload).await?;
    let preview = admin::preview(&state, &text, query.slug.as_deref()).await?;
    Ok(HttpResponse::Ok().json(preview))
}

#[derive(Deserialize)]
pub struct CourseBody {
    title: String,
    summary: String,
}

pub async fn put_course(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
    body: Result<web::Json<CourseBody>, actix_web::Error>,
) -> Result<HttpResponse, actix_web::Error> {
    // The body is read after the role check, so a learner learns nothing from a bad body.
    let body = body?;
    admin::put_course(&state, &slug, &body.title, &body.summary)
        .await
        .map_err(ApiError)?;
    let catalog = state.catalog().await.map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(course_json(&catalog, &slug).map_err(ApiError)?))
}

#[derive(Deserialize)]
pub struct UserQuery {
    q: Option<String>,
}

/// Most users one search returns.
pub const USER_SEARCH_LIMIT: i64 = 100;

pub async fn users(
    state: web::Data<AppState>,
    _admin: Admin,
    query: web::Query<UserQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.q.as_deref().unwrap_or("");
    let users = db_admin::search_users(&state.db, q, USER_SEARCH_LIMIT).await?;
    Ok(HttpResponse::Ok().json(json!({ "users": users })))
}

#[derive(Deserialize)]
pub struct PlanBody {
    plan: String,
}

pub async fn set_plan(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<String>,
    body: Result<web::Json<PlanBody>, actix_web::Error>,
) -> Result<HttpResponse, actix_web::Error> {
    let body = body?;
    let user = admin::set_plan(&state.db, &admin.0.user.email, &id, &body.plan)
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(user))
}
