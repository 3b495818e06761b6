//! Certificates of completion (API.md section 6).

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::auth::{CurrentUser, Viewer};
use crate::certificates::{self, Certificate};
use crate::error::{ApiError, AppError};
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

/// `GET /api/v1/certificates/{id}/pdf`: anyone.
pub async fn pdf(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = certificates::find(&state, &id).await?;
    let body = certificates::pdf(&state, &row)?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"certificate-{}.pdf\"", row.course_slug),
        ))
        .body(body))
}
