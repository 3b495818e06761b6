//! `GET /lessons/{slug}`: a lesson page, with the token widget's no-JavaScript results.

mod parts;
mod token_box;

use actix_web::{web, HttpResponse};
use serde_json::json;
use tera::Context;

use self::parts::{Parts, Source};
pub use self::token_box::TokenQuery;
use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::learning::{self, AttemptOutcome};
use crate::lesson_view::LessonView;
use crate::plans::{self, Capability};
use crate::state::AppState;

/// How many lessons "Recommended for you" shows.
const RECOMMENDED: usize = 3;

pub async fn show(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    viewer: Viewer,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    render(&state, &slug, &viewer, &query, None).await
}

/// The lesson page; with `attempt`, the quiz comes back scored (the no-JavaScript submit).
pub async fn render(
    state: &AppState,
    slug: &str,
    viewer: &Viewer,
    query: &TokenQuery,
    attempt: Option<&AttemptOutcome>,
) -> Result<HttpResponse, PageError> {
    let catalog = state.catalog().await?;
    // Anonymous readers without a token-box submission all get the same page.
    let shared = !viewer.signed_in() && query.is_empty();
    let cache_key = format!("/lessons/{slug}");
    if shared {
        if let Some(page) = state.pages.get(&cache_key, catalog.generation) {
            return Ok(super::html(page));
        }
    }
    let lesson = catalog
        .lesson(slug)
        .filter(|l| l.is_published() || viewer.is_admin())
        .ok_or(AppError::NotFound)?;
    let course = catalog
        .course(&lesson.rendered.course)
        .ok_or(AppError::NotFound)?;
    let view = LessonView::of(lesson, viewer);
    let personal = viewer
        .0
        .as_ref()
        .filter(|s| plans::allows(s.user.plan, Capability::PersonalRecommendations));
    let recommended = match personal {
        Some(session) => {
            let progress = crate::db::learning::progress_of(&state.db, &session.user.id).await?;
            learning::recommend::personal(&catalog, &lesson.slug, &progress, RECOMMENDED)
        }
        None => catalog.next_lessons(&lesson.slug, RECOMMENDED),
    };
    let quiz_result = attempt.map(quiz_result_json);
    let parts = Parts::of(
        state,
        catalog.generation,
        &Source {
            lesson,
            course,
            view: &view,
            plan: viewer.plan(),
            signed_in: viewer.signed_in(),
            query,
            quiz_result: quiz_result.as_ref(),
            recommended: &recommended,
            personal: personal.is_some(),
        },
    )?;
    let learning = match &viewer.0 {
        Some(session) => {
            Some(learning::lesson_record(&state.db, &session.user, &lesson.slug).await?)
        }
        None => None,
    };

    let mut page = json!({
        "lesson": {
            "slug": lesson.slug,
            "title": lesson.rendered.title,
            "summary": lesson.rendered.summary,
            "locked": view.locked,
        },
        "learning": learning,
        "quiz_result": quiz_result,
        "quiz": view.quiz.as_ref().map(|quiz| {
            json!({ "question_count": quiz.questions.len(), "pass_percent": quiz.pass_percent })
        }),
    });
    // Values built already are moved in, not serialised again (`json!` would copy the
    // parts, the bulk of the page, once more).
    page["viewer"] = super::viewer_json(state, viewer);
    page["parts"] = parts.json();
    let context = Context::from_value(page).map_err(AppError::internal)?;
    let html = web::Bytes::from(state.templates.render("lesson.html", context)?);
    if shared {
        state
            .pages
            .put(&cache_key, catalog.generation, html.clone());
    }
    Ok(super::html(html))
}

/// A scored attempt as the quiz template reads it: results keyed by question id.
fn quiz_result_json(attempt: &AttemptOutcome) -> serde_json::Value {
    let by_question: serde_json::Map<String, serde_json::Value> = attempt
        .scored
        .results
        .iter()
        .map(|r| (r.question_id.clone(), json!(r)))
        .collect();
    let mut result = json!(attempt.report());
    result["by_question"] = serde_json::Value::Object(by_question);
    result
}
