//! `GET /api/v1/courses`, `/api/v1/lessons`, `/api/v1/lessons/{slug}` (API.md section 4).

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Viewer;
use crate::error::AppError;
use crate::routes::error::ApiError;
use crate::routes::lesson_view::{CourseView, LessonSummary, LessonView};
use crate::routes::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct CourseList<'a> {
    courses: Vec<CourseView<'a>>,
}

#[derive(Serialize, ToSchema)]
pub struct LessonList<'a> {
    lessons: Vec<LessonSummary<'a>>,
}

#[utoipa::path(get, path = "/api/v1/courses", tag = "lessons",
    responses((status = 200, description = "Every course with its published lessons", body = CourseList)))]
pub async fn courses(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    Ok(HttpResponse::Ok().json(CourseList {
        courses: catalog.courses.iter().map(CourseView::of).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/lessons", tag = "lessons",
    responses((status = 200, description = "Published lessons, by course then position", body = LessonList)))]
pub async fn lessons(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    Ok(HttpResponse::Ok().json(LessonList {
        lessons: catalog.published().map(|l| LessonSummary::of(l)).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/lessons/{slug}", tag = "lessons",
    params(("slug" = String, Path, description = "The lesson's slug")),
    security((), ("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The lesson as this viewer may see it", body = LessonView),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`: a Bearer token that is not valid"),
        (status = 404, description = "`not_found`: unknown, or unpublished (admins see drafts)"),
    ))]
pub async fn lesson(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    viewer: Viewer,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let lesson = catalog
        .lesson(&slug)
        .filter(|l| l.is_published() || viewer.is_admin())
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(LessonView::of(lesson, &viewer)))
}
