//! `/certificates/{id}`: the public verification page, and claiming from `/account`.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::auth::Viewer;
use crate::certificates;
use crate::error::AppError;
use crate::routes::error::PageError;
use crate::routes::state::AppState;

#[derive(Deserialize)]
pub struct ClaimForm {
    csrf_token: String,
    course: String,
}

/// `GET /certificates/{id}`: name, course, date, id and validity; never the email.
pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let row = certificates::find(&state.db, &id).await?;
    let mut context = Context::new();
    context.insert("viewer", &super::viewer_json(&state, &viewer));
    context.insert("certificate", &certificates::PublicCertificate::of(&row));
    context.insert("date", row.issued_at.get(..10).unwrap_or(&row.issued_at));
    let html = state.templates.render("certificate.html", context)?;
    Ok(super::html(html))
}

/// `POST /account/certificates`: claim a course's certificate, then back to the account
/// page (which shows the missing lessons or the plan note when it cannot be issued).
pub async fn claim(
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<ClaimForm>,
) -> Result<HttpResponse, PageError> {
    let Some(session) = &viewer.0 else {
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/login?next=/account"))
            .finish());
    };
    session.check_form_token(&state.keys, &form.csrf_token)?;
    match certificates::claim(
        &state.db,
        &*state.catalog().await?,
        &session.user,
        &form.course,
    )
    .await
    {
        Ok((row, _)) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/certificates/{}", row.id)))
            .finish()),
        Err(error @ (AppError::Conflict { .. } | AppError::PlanRequired(_))) => {
            super::account::render_with_claim_error(&state, &viewer, session, &form.course, error)
                .await
        }
        Err(other) => Err(other.into()),
    }
}
