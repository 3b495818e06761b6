//! Progress, bookmarks and quiz attempts (API.md section 5).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::learning::{self, quiz::SubmittedAnswers};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ProgressBody {
    percent: Option<f64>,
    #[serde(default)]
    completed: bool,
}

#[derive(Deserialize)]
pub struct AttemptBody {
    answers: SubmittedAnswers,
}

/// `PUT /api/v1/lessons/{slug}/progress`
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

/// `GET /api/v1/me/progress`
pub async fn my_progress(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let overview = learning::overview(&state.db, &user.0.user, &catalog).await?;
    Ok(HttpResponse::Ok().json(overview))
}

/// `PUT /api/v1/lessons/{slug}/bookmark`
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

/// `DELETE /api/v1/lessons/{slug}/bookmark`
pub async fn delete_bookmark(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    learning::remove_bookmark(&state.db, &user.0.user, &catalog, &slug).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/lessons/{slug}/quiz/attempts`
pub async fn post_attempt(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    body: web::Json<AttemptBody>,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let lesson = learning::published(&catalog, &slug)?;
    let outcome = learning::attempt_quiz(&state.db, &user.0.user, lesson, &body.answers).await?;
    Ok(HttpResponse::Created().json(outcome.to_json()))
}

/// `GET /api/v1/lessons/{slug}/quiz/attempts`
pub async fn list_attempts(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let lesson = learning::published(&catalog, &slug)?;
    let attempts: Vec<_> = learning::attempts(&state.db, &user.0.user, lesson)
        .await?
        .into_iter()
        .map(|a| {
            json!({
                "id": a.id,
                "percent": a.percent,
                "passed": a.passed,
                "created_at": a.created_at,
                "score": a.score,
                "total": a.total,
                "revision": a.revision,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "attempts": attempts })))
}
