//! `GET /api/v1/courses`, `/api/v1/lessons`, `/api/v1/lessons/{slug}` (API.md section 4).

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::lesson_view::{LessonSummary, LessonView};
use crate::state::AppState;

pub async fn courses(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let courses: Vec<_> = catalog
        .courses
        .iter()
        .map(|course| {
            json!({
                "slug": course.slug,
                "title": course.title,
                "summary": course.summary,
                "lessons": course.lessons.iter().map(|l| LessonSummary::of(l)).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "courses": courses })))
}

pub async fn lessons(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let lessons: Vec<_> = catalog.published().map(|l| LessonSummary::of(l)).collect();
    Ok(HttpResponse::Ok().json(json!({ "lessons": lessons })))
}

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
