//! Certificates of completion (API.md section 6).

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::auth::{CurrentUser, Viewer};
use crate::certificates::{self, Certificate};
use crate::error::{ApiError, AppError};
use crate::media;
use crate::state::AppState;

/// `POST /api/v1/courses/{slug}/certificate`: Pro only; 201 new, 200 already held.
pub async fn claim(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = viewer.0.as_ref().ok_or(AppError::Unauthenticated)?;
    let (row, created) = certificates::claim(&state, &session.user, &slug).await?;
    let body = Certificate::of(&state, &row);
    Ok(if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

/// `GET /api/v1/me/certificates`
pub async fn mine(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, ApiError> {
    let list = certificates::of_user(&state, &user.0.user).await?;
    Ok(HttpResponse::Ok().json(json!({ "certificates": list })))
}

/// `GET /api/v1/certificates/{id}`: anyone; never the holder's email.
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = certificates::find(&state, &id).await?;
    Ok(HttpResponse::Ok().json(certificates::public_json(&row)))
}

/// `GET /api/v1/certificates/{id}/pdf`: anyone; with ranges and an ETag like other media.
pub async fn pdf(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = certificates::find(&state, &id).await?;
    let (body, etag) = certificates::pdf(&state, &row).await?;
    Ok(media::respond(
        &req,
        body,
        &etag,
        "application/pdf",
        &format!("inline; filename=\"certificate-{}.pdf\"", row.course_slug),
    ))
}
