//! The editor's figure upload, a plain form (`multipart/form-data`) that works without
//! JavaScript: it stores the file as `PUT /api/v1/admin/lessons/{slug}/figures/{name}` does
//! and comes back to the editor, which lists the lesson's figures.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::content::figures::MAX_FIGURE_BYTES;
use crate::error::AppError;
use crate::routes::api::body::read_limited;
use crate::routes::error::PageError;
use crate::routes::multipart::{self, Part};
use crate::routes::session::Admin;
use crate::routes::state::AppState;

/// Room for the form's other fields and the parts' headers.
const FORM_OVERHEAD: usize = 64 * 1024;

/// `POST /admin/lessons/{slug}/figures`: fields `csrf_token`, `file` and `name` (the
/// file's own name, lower-cased, when empty).
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let body = read_limited(&req, payload, MAX_FIGURE_BYTES + FORM_OVERHEAD).await?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parts = multipart::parse(content_type, &body)
        .ok_or_else(|| AppError::invalid("The form is not multipart/form-data."))?;
    let field = |name: &str| parts.iter().find(|p: &&Part| p.name == name);
    let text = |name: &str| {
        field(name)
            .map(|p| String::from_utf8_lossy(&p.body).trim().to_owned())
            .unwrap_or_default()
    };
    admin.0.check_form_token(&state.keys, &text("csrf_token"))?;
    let file = field("file")
        .filter(|p| !p.body.is_empty())
        .ok_or_else(|| AppError::invalid("Choose an image file to upload."))?;
    let name = match text("name") {
        name if name.is_empty() => file.file_name.clone().unwrap_or_default().to_lowercase(),
        name => name,
    };
    state
        .desk()
        .upload_figure(&slug, &name, file.body.clone())
        .await?;
    Ok(super::admin::see_other(&format!(
        "/admin/lessons/{slug}#figures"
    )))
}
