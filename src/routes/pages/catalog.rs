//! `GET /`: the catalog of courses and their lessons.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use tera::Context;

use crate::auth::Viewer;
use crate::learning;
use crate::routes::error::PageError;
use crate::routes::lesson_view::CourseView;
use crate::routes::page_cache::Page;
use crate::routes::state::AppState;

pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let catalog = state.catalog().await?;
    if !viewer.signed_in() {
        if let Some(page) = state.pages.get("/", catalog.generation) {
            return Ok(page.respond(&req));
        }
    }
    let courses: Vec<_> = catalog.courses.iter().map(CourseView::of).collect();
    // A signed-in reader sees where they stand on each lesson.
    let progress = match &viewer.0 {
        Some(session) => {
            let overview = learning::overview(&state.db, &session.user, &catalog).await?;
            let lessons: serde_json::Map<_, _> = overview
                .lessons
                .iter()
                .map(|l| {
                    (
                        l.slug.clone(),
                        json!({ "status": l.status, "percent": l.percent, "quiz": l.quiz }),
                    )
                })
                .collect();
            let courses: serde_json::Map<_, _> = overview
                .courses
                .iter()
                .map(|c| (c.slug.clone(), json!(c)))
                .collect();
            json!({ "lessons": lessons, "courses": courses })
        }
        None => serde_json::Value::Null,
    };
    let mut context = Context::new();
    context.insert("progress", &progress);
    context.insert("viewer", &super::viewer_json(&state, &viewer));
    context.insert("courses", &courses);
    context.insert("section", "courses");
    let html = web::Bytes::from(state.templates.render("catalog.html", context)?);
    if viewer.signed_in() {
        return Ok(super::html(html));
    }
    let page = Page::new(html);
    state.pages.put("/", catalog.generation, page.clone());
    Ok(page.respond(&req))
}
