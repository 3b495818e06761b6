//! The editor's figure upload, a plain form (`multipart/form-data`) that works without
//! JavaScript: it stores the file as `PUT /api/v1/admin/lessons/{slug}/figures/{name}` does
//! and comes back to the editor, which lists the lesson's figures.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::content::figures::MAX_FIGURE_BYTES;
use crate::error::AppError;
use crate::routes::error::PageError;
use crate::routes::multipart;
use crate::routes::session::Admin;
use crate::routes::state::AppState;

/// `POST /admin/lessons/{slug}/figures`: fields `csrf_token`, `file` and `name` (the
/// file's own name, lower-cased, when empty).
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let form = multipart::read(&req, payload, MAX_FIGURE_BYTES).await?;
    admin
        .0
        .check_form_token(&state.keys, form.text("csrf_token"))?;
    if form.file.is_empty() {
        return Err(AppError::invalid("Choose an image file to upload.").into());
    }
    let name = match form.text("name") {
        "" => form.file_name.clone().unwrap_or_default().to_lowercase(),
        name => name.to_owned(),
    };
    state
        .desk()
        .upload_figure(&slug, &name, form.file.to_vec())
        .await?;
    Ok(super::admin::see_other(&format!(
        "/admin/lessons/{slug}#figures"
    )))
}
