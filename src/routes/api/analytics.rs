//! An author's view of how lessons work (API.md section 15): a lesson's analytics, a
//! course's gradebook and a learner's fresh start on a limited quiz. Admins only.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::learning::{self, analytics::LessonAnalytics, gradebook};
use crate::routes::error::ApiError;
use crate::routes::session::Admin;
use crate::routes::state::AppState;

#[utoipa::path(get, path = "/api/v1/admin/lessons/{slug}/analytics", tag = "admin",
    params(("slug" = String, Path, description = "A lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Readers, the reading funnel, and the quiz's item analysis on first attempts", body = LessonAnalytics),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn lesson(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let lesson = catalog.lesson(&slug).ok_or(AppError::NotFound)?;
    let analytics = learning::analytics::lesson(&state.db, lesson).await?;
    Ok(HttpResponse::Ok().json(analytics))
}

#[utoipa::path(get, path = "/api/v1/admin/courses/{slug}/gradebook.csv", tag = "admin",
    params(("slug" = String, Path, description = "A course's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "RFC 4180 CSV: `name,email,plan`, then per lesson `<slug> read %`, `<slug> best quiz %`, `<slug> passed`; one row per learner with progress in the course", content_type = "text/csv", body = String),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn gradebook(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let course = catalog.course(&slug).ok_or(AppError::NotFound)?;
    let chunks = gradebook::stream(state.db.clone(), course);
    let body = futures_util::stream::unfold(chunks, |mut chunks| async move {
        let chunk = chunks.recv().await?;
        Some((chunk.map(web::Bytes::from), chunks))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{slug}-gradebook.csv\""),
        ))
        .streaming(body))
}

#[derive(Deserialize, ToSchema)]
pub struct ResetBody {
    /// The learner who gets a fresh start.
    user_id: String,
}

#[utoipa::path(post, path = "/api/v1/admin/lessons/{slug}/quiz/reset", tag = "admin",
    params(("slug" = String, Path, description = "A lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    request_body = ResetBody,
    responses(
        (status = 204, description = "The learner's earlier attempts stay in the history but no longer count against `max_attempts`"),
        (status = 400, description = "`invalid_input`"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 404, description = "`not_found`: no such lesson, quiz or learner"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
    ))]
pub async fn reset(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
    body: Result<web::Json<ResetBody>, actix_web::Error>,
) -> Result<HttpResponse, actix_web::Error> {
    let body = body?;
    let catalog = state.catalog().await.map_err(ApiError)?;
    let lesson = catalog.lesson(&slug).ok_or(ApiError(AppError::NotFound))?;
    learning::reset_quiz(&state.db, lesson, &body.user_id)
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::NoContent().finish())
}
