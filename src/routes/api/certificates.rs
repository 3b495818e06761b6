//! Certificates of completion (API.md section 6).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::file_bytes::FileBytes;
use crate::auth::Viewer;
use crate::certificates::{self, Certificate, PublicCertificate};
use crate::error::AppError;
use crate::routes::error::ApiError;
use crate::routes::media_body;
use crate::routes::session::CurrentUser;
use crate::routes::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct CertificateList {
    certificates: Vec<Certificate>,
}

#[utoipa::path(post, path = "/api/v1/courses/{slug}/certificate", tag = "plans",
    params(("slug" = String, Path, description = "The course's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "Issued now", body = Certificate),
        (status = 200, description = "Already issued: the same certificate", body = Certificate),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`plan_required` (Pro), or `csrf_failed`"),
        (status = 404, description = "`not_found`: no such course"),
        (status = 409, description = "`course_incomplete`, with `missing`"),
    ))]
/// `POST /api/v1/courses/{slug}/certificate`: Pro only; 201 new, 200 already held.
pub async fn claim(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = viewer.0.as_ref().ok_or(AppError::Unauthenticated)?;
    let (row, created) =
        certificates::claim(&state.db, &*state.catalog().await?, &session.user, &slug).await?;
    let body = Certificate::of(&state.public_url, &row);
    Ok(if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

#[utoipa::path(get, path = "/api/v1/me/certificates", tag = "plans",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The signed-in user's certificates, newest first", body = CertificateList),
        (status = 401, description = "`unauthenticated`"),
    ))]
pub async fn mine(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, ApiError> {
    let certificates = certificates::of_user(&state.db, &state.public_url, &user.0.user).await?;
    Ok(HttpResponse::Ok().json(CertificateList { certificates }))
}

#[utoipa::path(get, path = "/api/v1/certificates/{id}", tag = "plans",
    params(("id" = String, Path, description = "The certificate's id")),
    responses(
        (status = 200, description = "The public verification (never the holder's email)", body = PublicCertificate),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = certificates::find(&state.db, &id).await?;
    Ok(HttpResponse::Ok().json(PublicCertificate::of(&row)))
}

#[utoipa::path(get, path = "/api/v1/certificates/{id}/pdf", tag = "plans",
    params(
        ("id" = String, Path, description = "The certificate's id"),
        ("Range" = Option<String>, Header, description = "`bytes=START-END`: a part of the file"),
    ),
    responses(
        (status = 200, description = "The certificate as a landscape PDF", content_type = "application/pdf", body = inline(FileBytes)),
        (status = 206, description = "The part asked for, with `Content-Range`", content_type = "application/pdf", body = inline(FileBytes)),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 404, description = "`not_found`"),
        (status = 416, description = "Unsatisfiable `Range`; `Content-Range: bytes */LEN`"),
    ))]
/// `GET /api/v1/certificates/{id}/pdf`: anyone; with ranges and an ETag like other media.
pub async fn pdf(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = certificates::find(&state.db, &id).await?;
    let (body, etag) = certificates::pdf(&state.settings.data_dir, &state.public_url, &row).await?;
    Ok(media_body::respond(
        &req,
        body,
        &etag,
        "application/pdf",
        &format!("inline; filename=\"certificate-{}.pdf\"", row.course_slug),
    ))
}
