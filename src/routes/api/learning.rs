//! Progress, bookmarks and quiz attempts (API.md section 5).

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::learning::{
    self, quiz::SubmittedAnswers, Allowance, AttemptReport, Overview, ProgressView,
};
use crate::routes::error::ApiError;
use crate::routes::session::CurrentUser;
use crate::routes::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct ProgressBody {
    /// How far the reader got, 0 to 100; it never goes down.
    #[schema(minimum = 0, maximum = 100)]
    percent: Option<f64>,
    /// `true` sets 100 and keeps the first `completed_at`.
    #[serde(default)]
    completed: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct AttemptBody {
    /// Question id → the choice ids picked (integers 0, 1, 2, …), or one number for a
    /// `number` or `token_count` question.
    #[schema(value_type = std::collections::BTreeMap<String, GivenAnswer>)]
    answers: SubmittedAnswers,
}

/// One answer, in the OpenAPI document: the choice ids picked, or one number.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Only describes `SubmittedAnswers`' values, which are read as JSON.
enum GivenAnswer {
    Choices(Vec<i64>),
    Number(f64),
}

/// One earlier attempt.
#[derive(Serialize, ToSchema)]
pub struct AttemptSummary {
    id: i64,
    percent: i64,
    passed: bool,
    created_at: String,
    score: i64,
    total: i64,
    /// The lesson revision the attempt answered.
    revision: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AttemptList {
    attempts: Vec<AttemptSummary>,
    #[serde(flatten)]
    allowance: Allowance,
}

#[utoipa::path(put, path = "/api/v1/lessons/{slug}/progress", tag = "learning",
    params(("slug" = String, Path, description = "A published lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    request_body = ProgressBody,
    responses(
        (status = 200, description = "Where the reader stands now", body = ProgressView),
        (status = 400, description = "`invalid_input`"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`csrf_failed`"),
        (status = 404, description = "`not_found`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
    ))]
pub async fn put_progress(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    body: web::Json<ProgressBody>,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let lesson = learning::published(&catalog, &slug)?;
    let view = learning::save_progress(
        &state.db,
        &user.0.user,
        lesson,
        body.percent,
        body.completed,
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(get, path = "/api/v1/me/progress", tag = "learning",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Every published lesson and course with the reader's progress", body = Overview),
        (status = 401, description = "`unauthenticated`"),
    ))]
pub async fn my_progress(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let overview = learning::overview(&state.db, &user.0.user, &catalog).await?;
    Ok(HttpResponse::Ok().json(overview))
}

#[utoipa::path(put, path = "/api/v1/lessons/{slug}/bookmark", tag = "learning",
    params(("slug" = String, Path, description = "A published lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Bookmarked"),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`csrf_failed`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn put_bookmark(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let lesson = learning::published(&catalog, &slug)?;
    learning::add_bookmark(&state.db, &user.0.user, lesson).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(delete, path = "/api/v1/lessons/{slug}/bookmark", tag = "learning",
    params(("slug" = String, Path, description = "A lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "No longer bookmarked"),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`csrf_failed`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn delete_bookmark(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    learning::remove_bookmark(&state.db, &user.0.user, &catalog, &slug).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/lessons/{slug}/quiz/attempts", tag = "learning",
    params(("slug" = String, Path, description = "A published lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    request_body = AttemptBody,
    responses(
        (status = 201, description = "Scored and stored; a question left out counts as wrong", body = AttemptReport),
        (status = 400, description = "`invalid_input`: an unknown question or choice id"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`plan_required` for a locked lesson, or `csrf_failed`"),
        (status = 404, description = "`not_found`: no such lesson, or it has no quiz"),
        (status = 409, description = "`attempts_exhausted`: every attempt that `max_attempts` allows is used"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
    ))]
pub async fn post_attempt(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    body: web::Json<AttemptBody>,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let lesson = learning::published(&catalog, &slug)?;
    let outcome = learning::attempt_quiz(&state.db, &user.0.user, lesson, &body.answers).await?;
    Ok(HttpResponse::Created().json(outcome.report()))
}

#[utoipa::path(get, path = "/api/v1/lessons/{slug}/quiz/attempts", tag = "learning",
    params(("slug" = String, Path, description = "A published lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The reader's attempts, newest first", body = AttemptList),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn list_attempts(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let lesson = learning::published(&catalog, &slug)?;
    let (attempts, allowance) = learning::attempts(&state.db, &user.0.user, lesson).await?;
    let attempts = attempts
        .into_iter()
        .map(|a| AttemptSummary {
            id: a.id,
            percent: a.percent,
            passed: a.passed,
            created_at: a.created_at,
            score: a.score,
            total: a.total,
            revision: a.revision,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AttemptList {
        attempts,
        allowance,
    }))
}
