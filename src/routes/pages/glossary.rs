//! `GET /courses/{slug}/glossary`: a course's glossary, one page beside its lessons.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use tera::Context;

use crate::auth::Viewer;
use crate::error::AppError;
use crate::routes::error::PageError;
use crate::routes::page_cache::Page;
use crate::routes::state::AppState;

pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let catalog = state.catalog().await?;
    let key = format!("/courses/{slug}/glossary");
    if !viewer.signed_in() {
        if let Some(page) = state.pages.get(&key, catalog.generation) {
            return Ok(page.respond(&req));
        }
    }
    let course = catalog.course(&slug).ok_or(AppError::NotFound)?;
    let glossary = course.glossary.as_deref().ok_or(AppError::NotFound)?;
    let mut context = Context::new();
    context.insert("viewer", &super::viewer_json(&state, &viewer));
    context.insert(
        "course",
        &json!({ "slug": course.slug, "title": course.title }),
    );
    context.insert("glossary", glossary);
    context.insert("section", "courses");
    let html = web::Bytes::from(state.templates.render("glossary.html", context)?);
    if viewer.signed_in() {
        return Ok(super::html(html));
    }
    let page = Page::new(html);
    state.pages.put(&key, catalog.generation, page.clone());
    Ok(page.respond(&req))
}
