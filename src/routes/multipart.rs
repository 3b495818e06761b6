//! A `multipart/form-data` form (RFC 7578) that uploads one file without JavaScript,
//! read with actix-multipart under limits of our own: its text fields and its one file.

use std::collections::HashMap;

use actix_multipart::{Field, Multipart};
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::HttpRequest;
use futures_util::StreamExt as _;

use crate::error::AppError;

/// The most bytes a text field may hold (a CSRF token, a file name).
const MAX_TEXT_BYTES: usize = 4 * 1024;
/// The most parts a form may have.
const MAX_PARTS: usize = 16;

/// A form's text fields and the file of its `file` field.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub fields: HashMap<String, String>,
    /// The file's own name, as the browser sent it.
    pub file_name: Option<String>,
    pub file: Bytes,
}

impl UploadForm {
    /// A text field, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |v| v.trim())
    }
}

/// Read the form of `req`: 400 when it is not `multipart/form-data`, 413 when its file is
/// over `max_file` bytes (told by `Content-Length` before anything is read, when it is sent).
pub async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    max_file: usize,
) -> Result<UploadForm, AppError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max_file + MAX_PARTS * MAX_TEXT_BYTES) {
        return Err(AppError::PayloadTooLarge);
    }
    let mut parts = Multipart::new(req.headers(), payload);
    let mut form = UploadForm::default();
    let mut count = 0;
    while let Some(field) = parts.next().await {
        let mut field = field.map_err(not_a_form)?;
        count += 1;
        if count > MAX_PARTS {
            return Err(AppError::invalid("The form has too many fields."));
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            form.file_name = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .map(str::to_owned);
            form.file = collect(&mut field, max_file)
                .await?
                .ok_or(AppError::PayloadTooLarge)?;
        } else {
            let bytes = collect(&mut field, MAX_TEXT_BYTES)
                .await?
                .ok_or_else(|| AppError::invalid(format!("The field {name:?} is too long.")))?;
            let value = String::from_utf8(bytes.to_vec())
                .map_err(|_| AppError::invalid(format!("The field {name:?} is not text.")))?;
            form.fields.insert(name, value);
        }
    }
    Ok(form)
}

/// A field's bytes, or `None` as soon as they pass `limit` (the rest is not read).
async fn collect(field: &mut Field, limit: usize) -> Result<Option<Bytes>, AppError> {
    let mut bytes = BytesMut::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(not_a_form)?;
        if bytes.len() + chunk.len() > limit {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes.freeze()))
}

fn not_a_form(error: actix_multipart::MultipartError) -> AppError {
    AppError::invalid(format!(
        "The form is not well-formed multipart/form-data: {error}."
    ))
}
